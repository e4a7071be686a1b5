/*
 * risk.c: the rules of the risk register (see risk.h).
 *
 * The matrix is the common 5 × 5 one: a score is the product of the two levels'
 * positions, and the bands below turn it into a level. The bands are the one place
 * to change if an organisation's risk criteria (ISO/IEC 42001 6.1.1, 6.1.2 c) differ;
 * scores are stored, levels are not, so changing a band needs no migration.
 * Memory: *fields is a new object owned by the caller.
 */
#include "model/risk.h"
#include "model/compliance.h"
#include "model/vocab.h"

#include <string.h>

static const struct {
	const char *level;
	int min, max;
} bands[] = {
	{ "low", 1, 4 },
	{ "medium", 5, 9 },
	{ "high", 10, 16 },
	{ "critical", 17, RISK_SCORE_MAX },
};

int risk_score(const char *likelihood, const char *impact)
{
	int l = vocab_index(&vocab_risk_likelihood, likelihood);
	int i = vocab_index(&vocab_risk_impact, impact);
	return l < 0 || i < 0 ? 0 : (l + 1) * (i + 1);
}

const char *risk_level(int score)
{
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		if (score >= bands[i].min && score <= bands[i].max)
			return bands[i].level;
	return NULL;
}

bool risk_level_range(const char *level, int *min, int *max)
{
	for (size_t i = 0; level && i < sizeof bands / sizeof bands[0]; i++)
		if (!strcmp(level, bands[i].level)) {
			*min = bands[i].min;
			*max = bands[i].max;
			return true;
		}
	return false;
}

/* The value a field will have after the change: from fields when there (NULL when
 * cleared), else from before. */
static const char *after(json_t *fields, json_t *before, const char *name)
{
	json_t *v = json_object_get(fields, name);
	return v ? json_string_value(v) : json_string_value(json_object_get(before, name));
}

static bool changes(json_t *fields, const char *a, const char *b)
{
	return json_object_get(fields, a) || json_object_get(fields, b);
}

int risk_validate(json_t *input, enum record_mode mode, json_t *before, json_t **fields, struct err *e)
{
	size_t errors = err_field_count(e);
	int rc = record_validate(&record_risk, input, mode, 0, fields, e);
	if (rc)
		return rc == AIMS_EINVAL ? err_set(e, rc, "invalid risk fields") : rc;
	json_t *f = *fields;
	json_t *date = json_object_get(f, "review_date");
	if (json_is_string(date) && !compliance_date_valid(json_string_value(date)))
		err_field_code(e, 0, "review_date", "date", -1, "must be a date written YYYY-MM-DD");

	const char *rl = after(f, before, "residual_likelihood"), *ri = after(f, before, "residual_impact");
	if (!rl != !ri)
		err_field_code(e, 0, rl ? "residual_impact" : "residual_likelihood", "residual_pair", -1,
			       "the residual risk needs both its likelihood and its impact");
	const char *status = after(f, before, "status");
	if (status && !strcmp(status, "accepted") && !rl && !ri)
		err_field_code(e, 0, "residual_likelihood", "accept_needs_residual", -1,
			       "accepting a risk needs the residual risk's likelihood and impact");
	const char *treatment = after(f, before, "treatment");
	const char *plan = after(f, before, "treatment_plan");
	if (treatment && (!strcmp(treatment, "modify") || !strcmp(treatment, "avoid") || !strcmp(treatment, "share")) &&
	    !(plan && *plan))
		err_field_code(e, 0, "treatment_plan", "plan_required", -1, "is required when the treatment is %s", treatment);

	if (err_field_count(e) > errors) {
		json_decref(*fields);
		*fields = NULL;
		return err_set(e, AIMS_EINVAL, "invalid risk fields");
	}
	if (mode == RECORD_CREATE || changes(f, "likelihood", "impact"))
		json_object_set_new(f, "score", json_integer(risk_score(after(f, before, "likelihood"),
									after(f, before, "impact"))));
	if (mode == RECORD_CREATE ? rl != NULL : changes(f, "residual_likelihood", "residual_impact"))
		json_object_set_new(f, "residual_score", rl ? json_integer(risk_score(rl, ri)) : json_null());
	return 0;
}

void risk_decorate(json_t *risk, const char *today)
{
	int score = (int)json_integer_value(json_object_get(risk, "score"));
	json_t *residual = json_object_get(risk, "residual_score");
	const char *level = risk_level(score);
	const char *residual_level = json_is_integer(residual) ? risk_level((int)json_integer_value(residual)) : NULL;
	const char *review = json_string_value(json_object_get(risk, "review_date"));
	const char *status = json_string_value(json_object_get(risk, "status"));
	bool overdue = review && today && strcmp(review, today) < 0 && !(status && !strcmp(status, "closed"));
	json_object_set_new(risk, "level", level ? json_string(level) : json_null());
	json_object_set_new(risk, "residual_level", residual_level ? json_string(residual_level) : json_null());
	json_object_set_new(risk, "overdue", json_boolean(overdue));
}
