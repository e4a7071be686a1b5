/*
 * evidence.h: the pure rules of evidence: validating its fields, cleaning the file
 * name and media type a client sent, and whether a piece of evidence is still valid.
 * No I/O, no store.
 */
#ifndef AIMS_MODEL_EVIDENCE_H
#define AIMS_MODEL_EVIDENCE_H

#include "base/err.h"
#include "model/record.h"

#include <jansson.h>
#include <stddef.h>

#define EVIDENCE_FILENAME_MAX 200  /* bytes kept of a file name */
#define EVIDENCE_MEDIA_TYPE_MAX 100
#define EVIDENCE_EXPIRING_DAYS 30  /* "expiring" this many days before valid_until */
#define EVIDENCE_DEFAULT_MAX_BYTES ((unsigned long long)50 << 20)

/*
 * Validates title, description, issued_on and valid_until (real dates YYYY-MM-DD; ""
 * or null clears a date). before (NULL on create) supplies the dates not in input, so
 * valid_until is never before issued_on. *fields: the normalised fields.
 */
int evidence_validate(json_t *input, enum record_mode mode, json_t *before, json_t **fields,
		      struct err *e);
/* The last path segment of a client's file name, UTF-8 kept, control characters,
 * quotes and backslashes replaced by '_', cut to EVIDENCE_FILENAME_MAX bytes on a
 * character boundary; "evidence" when nothing is left. */
void evidence_filename_clean(const char *raw, char *out, size_t n);
/* type/subtype[+suffix] in lower case from a Content-Type, or application/octet-stream. */
void evidence_media_type_clean(const char *raw, char *out, size_t n);
/* "expired" (valid_until before today), "expiring" (within EVIDENCE_EXPIRING_DAYS),
 * or "valid" (no end date, or later). Dates are YYYY-MM-DD. */
const char *evidence_state(const char *valid_until, const char *today);

#endif
