/*
 * vocab.h: the closed vocabularies of the domain (life-cycle stages, roles, ...).
 *
 * Codes are stable English identifiers stored in the database and used in the API;
 * their Korean and English labels live in the web/i18n JSON files under "vocab.<name>.<code>".
 * Each list's order is the order shown to users.
 */
#ifndef AIMS_MODEL_VOCAB_H
#define AIMS_MODEL_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

struct vocab {
	const char *name;
	const char *const *codes; /* NULL-terminated */
};

/* ISO/IEC 22989:2022 clause 6.1 AI system life cycle stages. */
extern const struct vocab vocab_lifecycle_stage;
/* The organisation's role toward the system (AI Basic Act Art. 2: 개발사업자/이용사업자). */
extern const struct vocab vocab_org_role;
extern const struct vocab vocab_technique;
extern const struct vocab vocab_decision_role;
extern const struct vocab vocab_human_oversight;
extern const struct vocab vocab_system_status;
extern const struct vocab vocab_org_kind;
extern const struct vocab vocab_role;
extern const struct vocab vocab_locale;
extern const struct vocab vocab_soa_status;
extern const struct vocab vocab_assessment_status;
/* The risk register (vocab.c cites ISO/IEC 23894 for sources and objectives). */
extern const struct vocab vocab_risk_source;
extern const struct vocab vocab_risk_objective;
extern const struct vocab vocab_risk_likelihood;
extern const struct vocab vocab_risk_impact;
extern const struct vocab vocab_risk_treatment;
extern const struct vocab vocab_risk_status;
extern const struct vocab vocab_risk_level;

/* Every vocabulary, NULL-terminated, for the i18n completeness test. */
extern const struct vocab *const vocab_all[];

bool vocab_has(const struct vocab *v, const char *code);
/* Index of code, or -1. */
int vocab_index(const struct vocab *v, const char *code);
/* "a, b, c" into out (truncated to n). */
void vocab_describe(const struct vocab *v, char *out, size_t n);

#endif
