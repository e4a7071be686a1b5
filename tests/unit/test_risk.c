/*
 * test_risk.c: the pure rules of the risk register (model/risk.c): the score of every
 * cell of the 5 × 5 matrix against values written out by hand, the level bands at
 * each edge, the score range of a level, every rule of risk_validate on create and on
 * a patch checked against the stored risk (the field each problem names and its code,
 * the score and residual_score it adds), and whether a risk is overdue for review
 * (before today, today, closed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/risk.h"

#include <stdio.h>
#include <string.h>

#define INT(obj, key) json_integer_value(json_object_get((obj), (key)))
#define STR(obj, key) json_string_value(json_object_get((obj), (key)))

static const char *field_code(const struct err *e, const char *field)
{
	size_t i;
	json_t *f;
	json_array_foreach(e->fields, i, f)
		if (!strcmp(json_string_value(json_object_get(f, "field")), field))
			return json_string_value(json_object_get(f, "code"));
	return NULL;
}

/* The field error's code must be code (fails, rather than crashing, when there is none). */
#define assert_code(e, field, code)                                                                  \
	do {                                                                                         \
		const char *got_ = field_code((e), (field));                                         \
		if (!got_ || strcmp(got_, (code)))                                                   \
			fail_msg("field %s: want code %s, got %s", (field), (code), got_ ? got_ : "none"); \
	} while (0)

/* Validates the JSON text input; returns the status, *fields the result (or NULL). */
static int validate(const char *input, enum record_mode mode, const char *before, json_t **fields, struct err *e)
{
	json_error_t jerr;
	json_t *in = json_loads(input, 0, &jerr);
	json_t *old = before ? json_loads(before, 0, &jerr) : NULL;
	if (!in || (before && !old))
		fail_msg("bad JSON in the test: %s", jerr.text);
	int rc = risk_validate(in, mode, old, fields, e);
	json_decref(in);
	json_decref(old);
	return rc;
}

/* Expects exactly one field error, on field with code. */
static void expect_one(const char *input, enum record_mode mode, const char *before, const char *field,
		       const char *code)
{
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	int rc = validate(input, mode, before, &fields, &e);
	if (rc != AIMS_EINVAL)
		fail_msg("%s: want AIMS_EINVAL, got %d", input, rc);
	assert_null(fields);
	if (err_field_count(&e) != 1)
		fail_msg("%s: want one field error, got %zu", input, err_field_count(&e));
	assert_code(&e, field, code);
	err_release(&e);
}

/* ---- score, level ---- */

static void test_score_every_cell(void **state)
{
	(void)state;
	static const char *const likelihood[] = { "rare", "unlikely", "possible", "likely", "almost_certain" };
	static const char *const impact[] = { "negligible", "minor", "moderate", "major", "severe" };
	/* Written out by hand, rows by likelihood (rare first), columns by impact. */
	static const int want[5][5] = {
		{ 1, 2, 3, 4, 5 },
		{ 2, 4, 6, 8, 10 },
		{ 3, 6, 9, 12, 15 },
		{ 4, 8, 12, 16, 20 },
		{ 5, 10, 15, 20, 25 },
	};
	for (int l = 0; l < 5; l++)
		for (int i = 0; i < 5; i++)
			if (risk_score(likelihood[l], impact[i]) != want[l][i])
				fail_msg("score(%s, %s): want %d, got %d", likelihood[l], impact[i], want[l][i],
					 risk_score(likelihood[l], impact[i]));
	assert_int_equal(risk_score("almost_certain", "severe"), RISK_SCORE_MAX);
}

static void test_score_of_unknown_codes_is_zero(void **state)
{
	(void)state;
	assert_int_equal(risk_score("often", "minor"), 0);
	assert_int_equal(risk_score("rare", "huge"), 0);
	assert_int_equal(risk_score(NULL, "minor"), 0);
	assert_int_equal(risk_score("rare", NULL), 0);
	assert_int_equal(risk_score("", ""), 0);
	/* Codes are case-sensitive: the API stores the codes exactly. */
	assert_int_equal(risk_score("Rare", "minor"), 0);
	/* The two lists are not interchangeable. */
	assert_int_equal(risk_score("minor", "rare"), 0);
}

static void test_level_band_edges(void **state)
{
	(void)state;
	assert_null(risk_level(0));
	assert_null(risk_level(-1));
	assert_string_equal(risk_level(1), "low");
	assert_string_equal(risk_level(4), "low");
	assert_string_equal(risk_level(5), "medium");
	assert_string_equal(risk_level(9), "medium");
	assert_string_equal(risk_level(10), "high");
	assert_string_equal(risk_level(16), "high");
	assert_string_equal(risk_level(17), "critical");
	assert_string_equal(risk_level(25), "critical");
	assert_null(risk_level(26));
	/* Every score a cell can have has a level. */
	for (int s = 1; s <= RISK_SCORE_MAX; s++)
		assert_non_null(risk_level(s));
}

static void test_level_range(void **state)
{
	(void)state;
	static const struct {
		const char *level;
		int min, max;
	} want[] = { { "low", 1, 4 }, { "medium", 5, 9 }, { "high", 10, 16 }, { "critical", 17, 25 } };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int min = -1, max = -1;
		assert_true(risk_level_range(want[i].level, &min, &max));
		assert_int_equal(min, want[i].min);
		assert_int_equal(max, want[i].max);
		/* The range agrees with risk_level at both ends. */
		assert_string_equal(risk_level(min), want[i].level);
		assert_string_equal(risk_level(max), want[i].level);
	}
	int min = 7, max = 8;
	assert_false(risk_level_range("severe", &min, &max));
	assert_false(risk_level_range("", &min, &max));
	assert_false(risk_level_range(NULL, &min, &max));
	assert_false(risk_level_range("Low", &min, &max));
	assert_int_equal(min, 7); /* untouched when the level is unknown */
	assert_int_equal(max, 8);
}

/* ---- validate: create ---- */

static void test_create_defaults_and_score(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *f = NULL;
	assert_int_equal(validate("{\"title\": \" 편향된 판정 \", \"likelihood\": \"likely\", \"impact\": \"major\"}",
				  RECORD_CREATE, NULL, &f, &e),
			 0);
	assert_string_equal(STR(f, "title"), "편향된 판정");
	assert_string_equal(STR(f, "source"), "other");
	assert_string_equal(STR(f, "treatment"), "undecided");
	assert_string_equal(STR(f, "status"), "open");
	assert_int_equal(INT(f, "score"), 16);
	/* No residual estimate: no residual_score at all. */
	assert_null(json_object_get(f, "residual_score"));
	assert_null(json_object_get(f, "residual_likelihood"));
	json_decref(f);

	assert_int_equal(validate("{\"title\": \"r\", \"likelihood\": \"possible\", \"impact\": \"severe\", "
				  "\"residual_likelihood\": \"rare\", \"residual_impact\": \"major\", "
				  "\"status\": \"accepted\", \"treatment\": \"modify\", \"treatment_plan\": \"retrain\", "
				  "\"review_date\": \"2028-02-29\", \"objectives\": [\"fairness\", \"privacy\"]}",
				  RECORD_CREATE, NULL, &f, &e),
			 0);
	assert_int_equal(INT(f, "score"), 15);
	assert_int_equal(INT(f, "residual_score"), 4);
	assert_string_equal(STR(f, "review_date"), "2028-02-29");
	assert_int_equal(json_array_size(json_object_get(f, "objectives")), 2);
	json_decref(f);
	assert_int_equal(err_field_count(&e), 0);
}

static void test_create_required_fields(void **state)
{
	(void)state;
	expect_one("{\"likelihood\": \"rare\", \"impact\": \"minor\"}", RECORD_CREATE, NULL, "title", "required");
	expect_one("{\"title\": \"   \", \"likelihood\": \"rare\", \"impact\": \"minor\"}", RECORD_CREATE, NULL, "title",
		   "required");
	expect_one("{\"title\": \"t\", \"impact\": \"minor\"}", RECORD_CREATE, NULL, "likelihood", "required");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\"}", RECORD_CREATE, NULL, "impact", "required");
	expect_one("{\"title\": \"t\", \"likelihood\": \"\", \"impact\": \"minor\"}", RECORD_CREATE, NULL, "likelihood",
		   "required");
	/* All three at once. */
	struct err e = ERR_INIT;
	json_t *f = NULL;
	assert_int_equal(validate("{}", RECORD_CREATE, NULL, &f, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 3);
	assert_code(&e, "title", "required");
	assert_code(&e, "likelihood", "required");
	assert_code(&e, "impact", "required");
	err_release(&e);
}

static void test_create_codes_and_types(void **state)
{
	(void)state;
	expect_one("{\"title\": \"t\", \"likelihood\": \"often\", \"impact\": \"minor\"}", RECORD_CREATE, NULL,
		   "likelihood", "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"huge\"}", RECORD_CREATE, NULL, "impact",
		   "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"source\": \"aliens\"}",
		   RECORD_CREATE, NULL, "source", "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"treatment\": \"ignore\"}",
		   RECORD_CREATE, NULL, "treatment", "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"status\": \"done\"}",
		   RECORD_CREATE, NULL, "status", "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"objectives\": [\"speed\"]}",
		   RECORD_CREATE, NULL, "objectives", "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"residual_likelihood\": \"x\", "
		   "\"residual_impact\": \"minor\"}",
		   RECORD_CREATE, NULL, "residual_likelihood", "choice");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"system_id\": \"abc\"}",
		   RECORD_CREATE, NULL, "system_id", "type");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"owner_user_id\": -3}",
		   RECORD_CREATE, NULL, "owner_user_id", "type");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"score\": 25}", RECORD_CREATE,
		   NULL, "score", "unknown");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"org_id\": 1}", RECORD_CREATE,
		   NULL, "org_id", "unknown");
	char long_title[260];
	memset(long_title, 'x', 201);
	long_title[201] = '\0';
	char input[400];
	snprintf(input, sizeof input, "{\"title\": \"%s\", \"likelihood\": \"rare\", \"impact\": \"minor\"}", long_title);
	expect_one(input, RECORD_CREATE, NULL, "title", "too_long");
}

static void test_create_review_date(void **state)
{
	(void)state;
	static const char *const bad[] = { "2027-02-30", "2026-13-01", "2026-1-01", "tomorrow", "2026-02-29",
					   "1899-12-31" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char input[200];
		snprintf(input, sizeof input,
			 "{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"review_date\": \"%s\"}",
			 bad[i]);
		expect_one(input, RECORD_CREATE, NULL, "review_date", "date");
	}
	struct err e = ERR_INIT;
	json_t *f = NULL;
	/* Empty means no review date. */
	assert_int_equal(validate("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"review_date\": \"\"}",
				  RECORD_CREATE, NULL, &f, &e),
			 0);
	assert_false(json_is_string(json_object_get(f, "review_date")));
	json_decref(f);
	assert_int_equal(validate("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", "
				  "\"review_date\": \"2028-02-29\"}",
				  RECORD_CREATE, NULL, &f, &e),
			 0);
	json_decref(f);
}

static void test_create_residual_needs_both_parts(void **state)
{
	(void)state;
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"residual_likelihood\": \"rare\"}",
		   RECORD_CREATE, NULL, "residual_impact", "residual_pair");
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"residual_impact\": \"minor\"}",
		   RECORD_CREATE, NULL, "residual_likelihood", "residual_pair");
	/* An empty part counts as not given. */
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"residual_likelihood\": \"rare\", "
		   "\"residual_impact\": \"\"}",
		   RECORD_CREATE, NULL, "residual_impact", "residual_pair");
}

static void test_create_accepted_needs_residual(void **state)
{
	(void)state;
	expect_one("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"status\": \"accepted\"}",
		   RECORD_CREATE, NULL, "residual_likelihood", "accept_needs_residual");
	/* The other statuses need none. */
	static const char *const fine[] = { "open", "in_treatment", "closed" };
	for (size_t i = 0; i < 3; i++) {
		struct err e = ERR_INIT;
		json_t *f = NULL;
		char input[200];
		snprintf(input, sizeof input,
			 "{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"status\": \"%s\"}", fine[i]);
		assert_int_equal(validate(input, RECORD_CREATE, NULL, &f, &e), 0);
		json_decref(f);
	}
}

static void test_create_treatment_needs_plan(void **state)
{
	(void)state;
	static const char *const need[] = { "modify", "avoid", "share" };
	for (size_t i = 0; i < 3; i++) {
		char input[240];
		snprintf(input, sizeof input,
			 "{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"treatment\": \"%s\"}", need[i]);
		expect_one(input, RECORD_CREATE, NULL, "treatment_plan", "plan_required");
		snprintf(input, sizeof input,
			 "{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"treatment\": \"%s\", "
			 "\"treatment_plan\": \"  \"}",
			 need[i]);
		expect_one(input, RECORD_CREATE, NULL, "treatment_plan", "plan_required");
	}
	static const char *const free_of_plan[] = { "undecided", "retain" };
	for (size_t i = 0; i < 2; i++) {
		struct err e = ERR_INIT;
		json_t *f = NULL;
		char input[200];
		snprintf(input, sizeof input,
			 "{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", \"treatment\": \"%s\"}",
			 free_of_plan[i]);
		assert_int_equal(validate(input, RECORD_CREATE, NULL, &f, &e), 0);
		json_decref(f);
	}
}

static void test_create_every_cross_field_problem_at_once(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *f = NULL;
	assert_int_equal(validate("{\"title\": \"t\", \"likelihood\": \"rare\", \"impact\": \"minor\", "
				  "\"review_date\": \"2027-02-30\", \"residual_impact\": \"minor\", "
				  "\"treatment\": \"share\"}",
				  RECORD_CREATE, NULL, &f, &e),
			 AIMS_EINVAL);
	assert_null(f);
	assert_int_equal(err_field_count(&e), 3);
	assert_code(&e, "review_date", "date");
	assert_code(&e, "residual_likelihood", "residual_pair");
	assert_code(&e, "treatment_plan", "plan_required");
	err_release(&e);
}

/* ---- validate: patch against the stored risk ---- */

#define BEFORE                                                                                        \
	"{\"title\": \"stored\", \"likelihood\": \"possible\", \"impact\": \"major\", \"score\": 12, "  \
	"\"treatment\": \"modify\", \"treatment_plan\": \"add a human review\", "                      \
	"\"residual_likelihood\": \"unlikely\", \"residual_impact\": \"minor\", \"residual_score\": 4, " \
	"\"status\": \"accepted\", \"review_date\": \"2027-01-01\"}"
#define BEFORE_BARE                                                                                   \
	"{\"title\": \"stored\", \"likelihood\": \"possible\", \"impact\": \"major\", \"score\": 12, "  \
	"\"treatment\": \"undecided\", \"treatment_plan\": \"\", \"residual_likelihood\": null, "        \
	"\"residual_impact\": null, \"residual_score\": null, \"status\": \"open\", \"review_date\": null}"

static void test_patch_score_follows_either_part(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *f = NULL;
	/* Only impact changes: likelihood comes from before. */
	assert_int_equal(validate("{\"impact\": \"severe\"}", RECORD_PATCH, BEFORE, &f, &e), 0);
	assert_int_equal(INT(f, "score"), 15);
	assert_null(json_object_get(f, "residual_score"));
	json_decref(f);
	assert_int_equal(validate("{\"likelihood\": \"almost_certain\"}", RECORD_PATCH, BEFORE, &f, &e), 0);
	assert_int_equal(INT(f, "score"), 20);
	json_decref(f);
	/* Neither part: no score written, defaults not applied on a patch. */
	assert_int_equal(validate("{\"title\": \"renamed\"}", RECORD_PATCH, BEFORE, &f, &e), 0);
	assert_null(json_object_get(f, "score"));
	assert_null(json_object_get(f, "source"));
	assert_null(json_object_get(f, "status"));
	json_decref(f);
	/* One residual part: residual_score from it and the stored other part. */
	assert_int_equal(validate("{\"residual_impact\": \"moderate\"}", RECORD_PATCH, BEFORE, &f, &e), 0);
	assert_int_equal(INT(f, "residual_score"), 6);
	json_decref(f);
	assert_int_equal(err_field_count(&e), 0);
}

static void test_patch_clearing_the_residual(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *f = NULL;
	/* Both parts cleared on a risk that is not accepted: residual_score becomes null. */
	assert_int_equal(validate("{\"residual_likelihood\": null, \"residual_impact\": null, \"status\": \"open\"}",
				  RECORD_PATCH, BEFORE, &f, &e),
			 0);
	assert_true(json_is_null(json_object_get(f, "residual_score")));
	json_decref(f);
	/* One part cleared while the other stays: the cleared one is missing. */
	expect_one("{\"residual_impact\": null, \"status\": \"open\"}", RECORD_PATCH, BEFORE, "residual_impact",
		   "residual_pair");
	/* Both cleared while the stored status stays accepted. */
	expect_one("{\"residual_likelihood\": null, \"residual_impact\": null}", RECORD_PATCH, BEFORE,
		   "residual_likelihood", "accept_needs_residual");
	/* One part given on a risk without an estimate. */
	expect_one("{\"residual_likelihood\": \"rare\"}", RECORD_PATCH, BEFORE_BARE, "residual_impact", "residual_pair");
}

static void test_patch_status_and_treatment_against_before(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *f = NULL;
	/* Accepting a risk without a stored estimate. */
	expect_one("{\"status\": \"accepted\"}", RECORD_PATCH, BEFORE_BARE, "residual_likelihood", "accept_needs_residual");
	/* ... is fine with the estimate in the same patch. */
	assert_int_equal(validate("{\"status\": \"accepted\", \"residual_likelihood\": \"rare\", \"residual_impact\": \"minor\"}",
				  RECORD_PATCH, BEFORE_BARE, &f, &e),
			 0);
	assert_int_equal(INT(f, "residual_score"), 2);
	json_decref(f);
	/* A treatment needing a plan on a risk with none. */
	expect_one("{\"treatment\": \"avoid\"}", RECORD_PATCH, BEFORE_BARE, "treatment_plan", "plan_required");
	/* The stored plan counts. */
	assert_int_equal(validate("{\"treatment\": \"share\"}", RECORD_PATCH, BEFORE, &f, &e), 0);
	json_decref(f);
	/* Emptying the plan of a risk whose treatment needs one. */
	expect_one("{\"treatment_plan\": \"\"}", RECORD_PATCH, BEFORE, "treatment_plan", "plan_required");
	expect_one("{\"treatment_plan\": null}", RECORD_PATCH, BEFORE, "treatment_plan", "plan_required");
	/* ... is fine when the treatment changes to one that needs none. */
	assert_int_equal(validate("{\"treatment_plan\": \"\", \"treatment\": \"retain\"}", RECORD_PATCH, BEFORE, &f, &e), 0);
	json_decref(f);
	assert_int_equal(err_field_count(&e), 0);
}

static void test_patch_field_rules(void **state)
{
	(void)state;
	expect_one("{\"review_date\": \"2027-02-30\"}", RECORD_PATCH, BEFORE, "review_date", "date");
	expect_one("{\"title\": null}", RECORD_PATCH, BEFORE, "title", "required");
	expect_one("{\"likelihood\": \"\"}", RECORD_PATCH, BEFORE, "likelihood", "required");
	expect_one("{\"impact\": \"colossal\"}", RECORD_PATCH, BEFORE, "impact", "choice");
	expect_one("{\"score\": 1}", RECORD_PATCH, BEFORE, "score", "unknown");
	struct err e = ERR_INIT;
	json_t *f = NULL;
	/* Clearing the review date is allowed. */
	assert_int_equal(validate("{\"review_date\": null}", RECORD_PATCH, BEFORE, &f, &e), 0);
	assert_true(json_is_null(json_object_get(f, "review_date")));
	json_decref(f);
}

/* ---- decorate ---- */

static json_t *decorated(const char *risk, const char *today)
{
	json_t *r = json_loads(risk, 0, NULL);
	assert_non_null(r);
	risk_decorate(r, today);
	return r;
}

static void test_decorate_levels_and_overdue(void **state)
{
	(void)state;
	json_t *r = decorated("{\"score\": 16, \"residual_score\": 5, \"review_date\": \"2026-06-14\", \"status\": \"open\"}",
			      "2026-06-15");
	assert_string_equal(STR(r, "level"), "high");
	assert_string_equal(STR(r, "residual_level"), "medium");
	assert_true(json_is_true(json_object_get(r, "overdue")));
	json_decref(r);
	/* Due today is not overdue yet. */
	r = decorated("{\"score\": 17, \"residual_score\": null, \"review_date\": \"2026-06-15\", \"status\": \"in_treatment\"}",
		      "2026-06-15");
	assert_string_equal(STR(r, "level"), "critical");
	assert_true(json_is_null(json_object_get(r, "residual_level")));
	assert_true(json_is_false(json_object_get(r, "overdue")));
	json_decref(r);
	/* A closed risk is never overdue. */
	r = decorated("{\"score\": 4, \"review_date\": \"2020-01-01\", \"status\": \"closed\"}", "2026-06-15");
	assert_string_equal(STR(r, "level"), "low");
	assert_true(json_is_null(json_object_get(r, "residual_level")));
	assert_true(json_is_false(json_object_get(r, "overdue")));
	json_decref(r);
	/* Accepted but past its review: overdue. */
	r = decorated("{\"score\": 9, \"residual_score\": 1, \"review_date\": \"2025-12-31\", \"status\": \"accepted\"}",
		      "2026-01-01");
	assert_string_equal(STR(r, "level"), "medium");
	assert_string_equal(STR(r, "residual_level"), "low");
	assert_true(json_is_true(json_object_get(r, "overdue")));
	json_decref(r);
	/* No review date, or no today: never overdue. */
	r = decorated("{\"score\": 10, \"review_date\": null, \"status\": \"open\"}", "2026-06-15");
	assert_string_equal(STR(r, "level"), "high");
	assert_true(json_is_false(json_object_get(r, "overdue")));
	json_decref(r);
	r = decorated("{\"score\": 10, \"review_date\": \"2020-01-01\", \"status\": \"open\"}", NULL);
	assert_true(json_is_false(json_object_get(r, "overdue")));
	json_decref(r);
	/* A score outside 1–25 has no level. */
	r = decorated("{\"score\": 0}", "2026-06-15");
	assert_true(json_is_null(json_object_get(r, "level")));
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_every_cell),
		cmocka_unit_test(test_score_of_unknown_codes_is_zero),
		cmocka_unit_test(test_level_band_edges),
		cmocka_unit_test(test_level_range),
		cmocka_unit_test(test_create_defaults_and_score),
		cmocka_unit_test(test_create_required_fields),
		cmocka_unit_test(test_create_codes_and_types),
		cmocka_unit_test(test_create_review_date),
		cmocka_unit_test(test_create_residual_needs_both_parts),
		cmocka_unit_test(test_create_accepted_needs_residual),
		cmocka_unit_test(test_create_treatment_needs_plan),
		cmocka_unit_test(test_create_every_cross_field_problem_at_once),
		cmocka_unit_test(test_patch_score_follows_either_part),
		cmocka_unit_test(test_patch_clearing_the_residual),
		cmocka_unit_test(test_patch_status_and_treatment_against_before),
		cmocka_unit_test(test_patch_field_rules),
		cmocka_unit_test(test_decorate_levels_and_overdue),
	};
	return cmocka_run_group_tests_name("risk", tests, NULL, NULL);
}
