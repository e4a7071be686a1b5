/*
 * record.h: table-driven validation of domain records held as JSON objects.
 *
 * A record type (an AI system, an organisation, a user) is described by a table of
 * field rules. record_validate() checks an input object against the table and
 * produces a normalised copy: text trimmed, enumerations checked, lists
 * de-duplicated, defaults filled on create. Every problem becomes a field error in
 * the struct err, so a caller can report all of them at once.
 *
 * Inputs may come from JSON, HTML forms or CSV: for that reason an id or boolean
 * may also arrive as a string ("12", "true"). Lists must be JSON arrays; front ends
 * that read text (forms, CSV) split "a;b" with record_split_list first. Empty strings
 * of optional fields mean "not set".
 */
#ifndef AIMS_MODEL_RECORD_H
#define AIMS_MODEL_RECORD_H

#include "base/err.h"
#include "model/vocab.h"

#include <jansson.h>

enum field_type { FIELD_TEXT, FIELD_ENUM, FIELD_ENUM_LIST, FIELD_ID, FIELD_BOOL };

enum {
	FIELD_REQUIRED = 1, /* must be present and non-empty on create, never emptied */
	FIELD_READONLY = 2, /* rejected in input (set by the system) */
	FIELD_MULTILINE = 4, /* text may contain newlines and tabs */
	FIELD_EMAIL = 8,     /* text must look like an e-mail address; stored lower-case */
	FIELD_SECRET = 16    /* never echoed back in errors or history */
};

struct field_rule {
	const char *name;
	enum field_type type;
	unsigned min;  /* text: minimum code points when set; list: unused */
	unsigned max;  /* text: maximum code points; list: maximum items */
	const struct vocab *vocab;
	const char *default_value; /* for FIELD_ENUM on create */
	unsigned flags;
};

struct record_type {
	const char *name;
	const struct field_rule *rules;
	size_t count;
};

enum record_mode { RECORD_CREATE, RECORD_PATCH };

extern const struct record_type record_system;
extern const struct record_type record_org;
extern const struct record_type record_user;
extern const struct record_type record_evidence;
extern const struct record_type record_risk;

/*
 * Validates input (a JSON object). On success *out is a new object holding only the
 * known fields, normalised; on failure returns AIMS_EINVAL with e->fields filled and
 * *out is NULL. line (0 for none) is copied into each field error (CSV imports).
 */
int record_validate(const struct record_type *type, json_t *input, enum record_mode mode,
		    long line, json_t **out, struct err *e);

/* "a;b, c" → ["a","b","c"] (empty items dropped): list fields typed as text. */
json_t *record_split_list(const char *text);

const struct field_rule *record_rule(const struct record_type *type, const char *name);

#endif
