/*
 * test_compliance.c: the pure rules of model/compliance.c: calendar dates, SoA entry
 * validation (justification required for an exclusion, statuses, owners, unknown
 * fields), assessment validation and the SoA summary (overdue counting).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/compliance.h"

#include <string.h>

static const char *field_code(const struct err *e, const char *field)
{
	size_t i;
	json_t *f;
	json_array_foreach(e->fields, i, f)
		if (!strcmp(json_string_value(json_object_get(f, "field")), field))
			return json_string_value(json_object_get(f, "code"));
	return NULL;
}

static void test_dates(void **state)
{
	(void)state;
	assert_true(compliance_date_valid("2026-03-31"));
	assert_true(compliance_date_valid("2028-02-29"));
	assert_true(compliance_date_valid("2000-02-29"));
	assert_false(compliance_date_valid("1900-02-29"));
	assert_false(compliance_date_valid("2026-02-29"));
	assert_false(compliance_date_valid("2026-04-31"));
	assert_false(compliance_date_valid("2026-13-01"));
	assert_false(compliance_date_valid("2026-00-10"));
	assert_false(compliance_date_valid("2026-1-01"));
	assert_false(compliance_date_valid("2026/01/01"));
	assert_false(compliance_date_valid("2026-01-01T00:00:00Z"));
	assert_false(compliance_date_valid(""));
	assert_false(compliance_date_valid(NULL));
}

static void test_soa_justification_required(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	json_t *in = json_pack("{sb}", "applicable", 0);
	assert_int_equal(compliance_soa_validate(in, NULL, &fields, &e), AIMS_EINVAL);
	assert_string_equal(field_code(&e, "justification"), "required");
	err_release(&e);
	json_decref(in);
	/* Blank text is no justification. */
	in = json_pack("{sb ss}", "applicable", 0, "justification", " \n\t");
	assert_int_equal(compliance_soa_validate(in, NULL, &fields, &e), AIMS_EINVAL);
	err_release(&e);
	json_decref(in);
	in = json_pack("{sb ss}", "applicable", 0, "justification", "외부 공급자를 쓰지 않음");
	assert_int_equal(compliance_soa_validate(in, NULL, &fields, &e), 0);
	json_decref(fields);
	json_decref(in);
	/* An entry stored as excluded: emptying the justification is refused, other changes pass. */
	json_t *before = json_pack("{sb ss}", "applicable", 0, "justification", "reason");
	in = json_pack("{ss}", "justification", "");
	assert_int_equal(compliance_soa_validate(in, before, &fields, &e), AIMS_EINVAL);
	err_release(&e);
	json_decref(in);
	in = json_pack("{ss}", "due_date", "");
	assert_int_equal(compliance_soa_validate(in, before, &fields, &e), 0);
	assert_true(json_is_null(json_object_get(fields, "due_date")));
	json_decref(fields);
	json_decref(in);
	json_decref(before);
}

static void test_soa_field_errors(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	json_t *in = json_pack("{ss ss si ss ss}", "status", "done", "due_date", "2026-02-30", "owner_user_id", -3,
			       "colour", "red", "applicable", "yes");
	assert_int_equal(compliance_soa_validate(in, NULL, &fields, &e), AIMS_EINVAL);
	assert_null(fields);
	assert_string_equal(field_code(&e, "status"), "choice");
	assert_string_equal(field_code(&e, "due_date"), "date");
	assert_string_equal(field_code(&e, "owner_user_id"), "type");
	assert_string_equal(field_code(&e, "colour"), "unknown");
	assert_string_equal(field_code(&e, "applicable"), "type");
	err_release(&e);
	json_decref(in);
}

static void test_assessment_validation(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	json_t *in = json_pack("{ss ss ss ss}", "catalog", "c", "requirement", "r", "status", "met", "assessed_on", "2026-11-23");
	assert_int_equal(compliance_assessment_validate(in, &fields, &e), 0);
	assert_null(json_object_get(fields, "catalog"));
	assert_string_equal(json_string_value(json_object_get(fields, "status")), "met");
	json_decref(fields);
	json_decref(in);
	in = json_pack("{ss ss}", "status", "compliant", "assessed_on", "yesterday");
	assert_int_equal(compliance_assessment_validate(in, &fields, &e), AIMS_EINVAL);
	assert_string_equal(field_code(&e, "status"), "choice");
	assert_string_equal(field_code(&e, "assessed_on"), "date");
	err_release(&e);
	json_decref(in);
}

/* "reviewed" is a statement, so only true is accepted, on both kinds of entry. */
static void test_reviewed_is_only_true(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	json_t *in = json_pack("{sb}", "reviewed", 1);
	assert_int_equal(compliance_soa_validate(in, NULL, &fields, &e), 0);
	assert_true(json_is_true(json_object_get(fields, "reviewed")));
	json_decref(fields);
	assert_int_equal(compliance_assessment_validate(in, &fields, &e), 0);
	assert_true(json_is_true(json_object_get(fields, "reviewed")));
	json_decref(fields);
	json_decref(in);
	in = json_pack("{sb}", "reviewed", 0);
	assert_int_equal(compliance_soa_validate(in, NULL, &fields, &e), AIMS_EINVAL);
	assert_string_equal(field_code(&e, "reviewed"), "type");
	err_release(&e);
	json_decref(in);
	in = json_pack("{ss}", "reviewed", "yes");
	assert_int_equal(compliance_assessment_validate(in, &fields, &e), AIMS_EINVAL);
	assert_string_equal(field_code(&e, "reviewed"), "type");
	err_release(&e);
	json_decref(in);
}

static void test_summary_overdue(void **state)
{
	(void)state;
	json_t *rows = json_pack("[{sb ss ss sb} {sb ss ss ss} {sb ss sn} {sb ss ss} {sb ss ss}]",
				 "applicable", 1, "status", "planned", "due_date", "2026-01-01", "outdated", 1,
				 "applicable", 1, "status", "implemented", "due_date", "2026-01-01", "review_from", "v0",
				 "applicable", 1, "status", "not_started", "due_date",
				 "applicable", 0, "status", "not_started", "due_date", "2020-01-01",
				 "applicable", 1, "status", "partial", "due_date", "2026-06-01");
	json_t *sum = compliance_soa_summary(rows, "2026-03-01");
	assert_int_equal(json_integer_value(json_object_get(sum, "total")), 5);
	assert_int_equal(json_integer_value(json_object_get(sum, "applicable")), 4);
	assert_int_equal(json_integer_value(json_object_get(sum, "not_applicable")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "overdue")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "outdated")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "review")), 1);
	json_t *by = json_object_get(sum, "by_status");
	assert_int_equal(json_integer_value(json_object_get(by, "not_started")), 1);
	assert_int_equal(json_integer_value(json_object_get(by, "implemented")), 1);
	json_decref(sum);
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_soa_justification_required),
		cmocka_unit_test(test_soa_field_errors),
		cmocka_unit_test(test_assessment_validation),
		cmocka_unit_test(test_summary_overdue),
		cmocka_unit_test(test_reviewed_is_only_true),
	};
	return cmocka_run_group_tests_name("compliance", tests, NULL, NULL);
}
