/*
 * vocab.c: the code lists. Adding a code here needs its labels in web/i18n/ko.json
 * and en.json; tests/unit/test_i18n.c fails otherwise.
 */
#include "model/vocab.h"

#include <stdio.h>
#include <string.h>

#define VOCAB(var, label, ...)                                             \
	static const char *const var##_codes[] = { __VA_ARGS__, NULL };   \
	const struct vocab var = { label, var##_codes }

VOCAB(vocab_lifecycle_stage, "lifecycle_stage", "inception", "design_development",
      "verification_validation", "deployment", "operation_monitoring", "continuous_validation",
      "reevaluation", "retirement");
VOCAB(vocab_org_role, "org_role", "provider", "deployer", "both", "importer_distributor");
VOCAB(vocab_technique, "technique", "machine_learning", "deep_learning", "nlp", "computer_vision",
      "speech", "generative", "llm", "recommender", "optimisation", "rule_based", "biometric",
      "other");
VOCAB(vocab_decision_role, "decision_role", "informs", "makes");
VOCAB(vocab_human_oversight, "human_oversight", "in_the_loop", "on_the_loop", "in_command", "none");
VOCAB(vocab_system_status, "status", "active", "archived");
VOCAB(vocab_org_kind, "org_kind", "city", "bureau", "department", "district", "agency", "company",
      "business_unit", "team", "other");
VOCAB(vocab_role, "role", "admin", "officer", "owner", "reviewer", "auditor", "viewer");
VOCAB(vocab_locale, "locale", "ko", "en");
/* Implementation status of an Annex A control in the Statement of Applicability. */
VOCAB(vocab_soa_status, "soa_status", "not_started", "planned", "partial", "implemented");
/* Result of assessing one requirement of a framework for one AI system. */
VOCAB(vocab_assessment_status, "assessment_status", "not_assessed", "not_applicable", "partial",
      "met", "not_met");
/*
 * The risk register. Sources: ISO/IEC 23894:2023 Annex B (B.2 complexity of
 * environment, B.3 lack of transparency and explainability, B.4 level of automation,
 * B.5 risk sources related to machine learning, B.6 system hardware issues, B.7 system
 * life cycle issues, B.8 technology readiness; the same list as ISO/IEC 42001:2023
 * Annex C.3), plus "other". Objectives at stake: ISO/IEC 23894:2023 Annex A
 * (A.2 accountability … A.12 transparency and explainability; ISO/IEC 42001 Annex C.2).
 */
VOCAB(vocab_risk_source, "risk_source", "complexity_of_environment", "lack_of_transparency",
      "level_of_automation", "machine_learning", "system_hardware", "system_life_cycle",
      "technology_readiness", "other");
VOCAB(vocab_risk_objective, "risk_objective", "accountability", "ai_expertise", "data_quality",
      "environmental_impact", "fairness", "maintainability", "privacy", "robustness", "safety",
      "security", "transparency");
/* Five levels each, lowest first: the index (1–5) is the factor in the score. */
VOCAB(vocab_risk_likelihood, "risk_likelihood", "rare", "unlikely", "possible", "likely",
      "almost_certain");
VOCAB(vocab_risk_impact, "risk_impact", "negligible", "minor", "moderate", "major", "severe");
/* Treatment options of ISO 31000:2018 6.5.2 as ISO/IEC 27005 groups them
 * (modification, avoidance, sharing, retention), before one is chosen: undecided. */
VOCAB(vocab_risk_treatment, "risk_treatment", "undecided", "modify", "avoid", "share", "retain");
VOCAB(vocab_risk_status, "risk_status", "open", "in_treatment", "accepted", "closed");
/* Levels of a score (model/risk.c holds the bands). */
VOCAB(vocab_risk_level, "risk_level", "low", "medium", "high", "critical");

const struct vocab *const vocab_all[] = {
	&vocab_lifecycle_stage, &vocab_org_role, &vocab_technique, &vocab_decision_role,
	&vocab_human_oversight, &vocab_system_status, &vocab_org_kind, &vocab_role,
	&vocab_locale, &vocab_soa_status, &vocab_assessment_status, &vocab_risk_source,
	&vocab_risk_objective, &vocab_risk_likelihood, &vocab_risk_impact, &vocab_risk_treatment,
	&vocab_risk_status, &vocab_risk_level, NULL,
};

int vocab_index(const struct vocab *v, const char *code)
{
	if (!code)
		return -1;
	for (int i = 0; v->codes[i]; i++)
		if (strcmp(v->codes[i], code) == 0)
			return i;
	return -1;
}

bool vocab_has(const struct vocab *v, const char *code)
{
	return vocab_index(v, code) >= 0;
}

void vocab_describe(const struct vocab *v, char *out, size_t n)
{
	size_t used = 0;
	if (n)
		out[0] = '\0';
	for (int i = 0; v->codes[i] && used < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", v->codes[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
