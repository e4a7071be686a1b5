/*
 * compliance.h: the pure rules of the Statement of Applicability (ISO/IEC 42001
 * 6.1.3 and Annex A) and of per-system requirement assessments: input validation
 * and the summary counts. No I/O, no store.
 */
#ifndef AIMS_MODEL_COMPLIANCE_H
#define AIMS_MODEL_COMPLIANCE_H

#include "base/err.h"

#include <jansson.h>
#include <stdbool.h>

/* The catalog whose "control" requirements make up the SoA. */
#define COMPLIANCE_SOA_CATALOG "iso-iec-42001-2023"
#define COMPLIANCE_TEXT_MAX 4000 /* bytes of a justification or note */
#define COMPLIANCE_FRAMEWORKS_MAX 32

/* True for a real calendar date written YYYY-MM-DD (Gregorian, years 1900–9999). */
bool compliance_date_valid(const char *text);

/*
 * Validates a change to one SoA entry. input may hold applicable (boolean),
 * justification (text), status (vocab_soa_status), owner_user_id (positive integer or
 * null), due_date (YYYY-MM-DD or null/""), reviewed (only true: the entry was checked
 * against the current catalog text, which clears a pending review). Anything else is
 * an "unknown" field error.
 * merged is the entry as it would be after the change (the stored one, or the defaults
 * applicable/not_started): the justification is required when merged says not
 * applicable. On success *fields is a new object of the given fields normalised
 * ("" due date → null). Errors: AIMS_EINVAL with one field error per problem.
 */
int compliance_soa_validate(json_t *input, json_t *before, json_t **fields, struct err *e);

/* The same for an assessment: status (vocab_assessment_status), note, assessed_on, reviewed. */
int compliance_assessment_validate(json_t *input, json_t **fields, struct err *e);

/*
 * Summary of SoA entries (each with applicable, status, due_date and, when known,
 * outdated, review_from and evidence_state) as of today (YYYY-MM-DD): {total,
 * applicable, not_applicable, by_status: {code: n}, overdue, outdated, review,
 * no_evidence, expired_evidence, implemented_share}, where overdue counts applicable
 * entries with a due date before today that are not implemented, outdated those made
 * against another catalog version, review those waiting for review, no_evidence /
 * expired_evidence count applicable entries whose evidence_state is "none" /
 * "expired", and implemented_share is implemented / applicable (0 when nothing
 * applies).
 */
json_t *compliance_soa_summary(json_t *entries, const char *today);

#endif
