/*
 * test_record.c: record_validate, the one validator behind every create and change.
 *
 * Covers record_system on create (defaults, required fields, every error reported at
 * once, unknown fields, enumerations, the 200-character name limit counted in code
 * points, technique lists (JSON arrays only; "a;b" text goes through record_split_list
 * first), control characters, trimming,
 * ids arriving as strings), patch mode, CSV line numbers copied into errors, and
 * record_user (e-mail normalised to lower case, password minimum and secrecy).
 * The limits asserted here are the contract of docs/api.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "model/record.h"

#include <stdlib.h>
#include <string.h>

/* The smallest valid AI system. */
static json_t *minimal(void)
{
	return json_pack("{ss ss ss}", "name", "민원 상담 챗봇", "purpose", "민원 응대",
			 "lifecycle_stage", "deployment");
}

/* The first field error naming `field`, or NULL. */
static json_t *field_error(const struct err *e, const char *field)
{
	size_t i;
	json_t *item;
	if (!e->fields)
		return NULL;
	json_array_foreach(e->fields, i, item) {
		const char *f = json_string_value(json_object_get(item, "field"));
		if (f && strcmp(f, field) == 0)
			return item;
	}
	return NULL;
}

static const char *field_message(const struct err *e, const char *field)
{
	json_t *item = field_error(e, field);
	return item ? json_string_value(json_object_get(item, "message")) : NULL;
}

/* Validates input (stealing the reference); returns the status, *out and e as filled. */
static int validate(const struct record_type *t, json_t *input, enum record_mode mode, long line,
		    json_t **out, struct err *e)
{
	int rc = record_validate(t, input, mode, line, out, e);
	json_decref(input);
	return rc;
}

/* Expects exactly one error, on `field`; returns its message for further checks. */
static void expect_only_error(json_t *input, enum record_mode mode, const char *field)
{
	struct err e = ERR_INIT;
	json_t *out = (json_t *)1;
	int rc = validate(&record_system, input, mode, 0, &out, &e);
	assert_int_equal(rc, AIMS_EINVAL);
	assert_null(out);
	assert_int_equal(e.code, AIMS_EINVAL);
	if (err_field_count(&e) != 1 || !field_error(&e, field)) {
		char *dump = json_dumps(e.fields, JSON_COMPACT);
		print_error("expected one error on %s, got %s\n", field, dump ? dump : "null");
		free(dump);
		err_release(&e);
		fail();
	}
	err_release(&e);
}

static char *repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit);
	char *s = malloc(n * times + 1);
	assert_non_null(s);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

/* ------------------------------------------------------------------ create */

static void test_create_minimal_gets_defaults(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	assert_int_equal(validate(&record_system, minimal(), RECORD_CREATE, 0, &out, &e), 0);
	assert_non_null(out);
	assert_int_equal(err_field_count(&e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "name")), "민원 상담 챗봇");
	assert_string_equal(json_string_value(json_object_get(out, "purpose")), "민원 응대");
	assert_string_equal(json_string_value(json_object_get(out, "lifecycle_stage")), "deployment");
	assert_string_equal(json_string_value(json_object_get(out, "org_role")), "deployer");
	assert_string_equal(json_string_value(json_object_get(out, "decision_role")), "informs");
	assert_string_equal(json_string_value(json_object_get(out, "human_oversight")), "in_the_loop");
	/* nothing invented for fields without a default */
	assert_null(json_object_get(out, "description"));
	assert_null(json_object_get(out, "status"));
	assert_null(json_object_get(out, "org_id"));
	assert_int_equal(json_object_size(out), 6);
	json_decref(out);
}

static void test_create_explicit_values_beat_defaults(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = minimal();
	json_object_set_new(in, "org_role", json_string("provider"));
	json_object_set_new(in, "decision_role", json_string("makes"));
	json_object_set_new(in, "human_oversight", json_string("none"));
	json_object_set_new(in, "vendor", json_string("Acme"));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "org_role")), "provider");
	assert_string_equal(json_string_value(json_object_get(out, "decision_role")), "makes");
	assert_string_equal(json_string_value(json_object_get(out, "human_oversight")), "none");
	assert_string_equal(json_string_value(json_object_get(out, "vendor")), "Acme");
	json_decref(out);
}

static void test_create_missing_required_each(void **state)
{
	(void)state;
	const char *required[] = { "name", "purpose", "lifecycle_stage" };
	for (size_t i = 0; i < 3; i++) {
		json_t *in = minimal();
		json_object_del(in, required[i]);
		expect_only_error(in, RECORD_CREATE, required[i]);
		/* present but empty or blank is missing too */
		in = minimal();
		json_object_set_new(in, required[i], json_string("   "));
		expect_only_error(in, RECORD_CREATE, required[i]);
		in = minimal();
		json_object_set_new(in, required[i], json_null());
		expect_only_error(in, RECORD_CREATE, required[i]);
	}
}

static void test_create_reports_all_errors_at_once(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss ss ss si}", "name", "", "lifecycle_stage", "production",
			       "org_role", "seller", "colour", "red", "techniques", 5);
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	assert_null(out);
	assert_int_equal(err_field_count(&e), 6);
	assert_non_null(field_error(&e, "name"));
	assert_non_null(field_error(&e, "purpose"));
	assert_non_null(field_error(&e, "lifecycle_stage"));
	assert_non_null(field_error(&e, "org_role"));
	assert_non_null(field_error(&e, "colour"));
	assert_non_null(field_error(&e, "techniques"));
	assert_string_equal(e.message, "6 fields are invalid");
	err_release(&e);
}

static void test_create_unknown_field_rejected(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = minimal();
	json_object_set_new(in, "nmae", json_string("typo"));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	assert_null(out);
	assert_int_equal(err_field_count(&e), 1);
	assert_non_null(strstr(field_message(&e, "nmae"), "not a field"));
	err_release(&e);
	/* server-set fields are not input either */
	in = minimal();
	json_object_set_new(in, "version", json_integer(3));
	expect_only_error(in, RECORD_CREATE, "version");
}

static void test_create_not_an_object(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = (json_t *)1;
	assert_int_equal(validate(&record_system, json_pack("[s]", "x"), RECORD_CREATE, 0, &out, &e),
			 AIMS_EINVAL);
	assert_null(out);
	assert_int_equal(err_field_count(&e), 1);
	err_release(&e);
}

static void test_create_bad_enums(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = minimal();
	json_object_set_new(in, "lifecycle_stage", json_string("production"));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	const char *msg = field_message(&e, "lifecycle_stage");
	assert_non_null(msg);
	/* the message lists what is allowed */
	assert_non_null(strstr(msg, "inception"));
	assert_non_null(strstr(msg, "retirement"));
	err_release(&e);

	const char *fields[] = { "org_role", "decision_role", "human_oversight", "status" };
	for (size_t i = 0; i < 4; i++) {
		in = minimal();
		json_object_set_new(in, fields[i], json_string("bogus"));
		expect_only_error(in, RECORD_CREATE, fields[i]);
		in = minimal();
		json_object_set_new(in, fields[i], json_integer(1));
		expect_only_error(in, RECORD_CREATE, fields[i]);
	}
	/* every life-cycle stage of ISO/IEC 22989 is accepted */
	for (size_t i = 0; vocab_lifecycle_stage.codes[i]; i++) {
		in = minimal();
		json_object_set_new(in, "lifecycle_stage", json_string(vocab_lifecycle_stage.codes[i]));
		assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
		json_decref(out);
	}
}

static void test_name_length_in_code_points(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	struct {
		const char *unit;
		size_t times;
		int want;
	} cases[] = {
		{ "a", 200, 0 },
		{ "a", 201, AIMS_EINVAL },
		{ "가", 200, 0 },           /* 600 bytes, 200 characters */
		{ "가", 201, AIMS_EINVAL },
		{ "\xF0\x9F\x98\x80", 200, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *name = repeat(cases[i].unit, cases[i].times);
		json_t *in = minimal();
		json_object_set_new(in, "name", json_string(name));
		int rc = validate(&record_system, in, RECORD_CREATE, 0, &out, &e);
		if (rc != cases[i].want)
			fail_msg("%zu × \"%s\": got %d", cases[i].times, cases[i].unit, rc);
		if (rc == 0) {
			assert_string_equal(json_string_value(json_object_get(out, "name")), name);
			json_decref(out);
		} else {
			assert_int_equal(err_field_count(&e), 1);
			assert_non_null(strstr(field_message(&e, "name"), "200"));
			err_release(&e);
		}
		free(name);
	}
	/* vendor: 200 too; purpose: 2000 */
	char *long_vendor = repeat("v", 201);
	json_t *in = minimal();
	json_object_set_new(in, "vendor", json_string(long_vendor));
	expect_only_error(in, RECORD_CREATE, "vendor");
	free(long_vendor);
	char *purpose = repeat("목", 2000);
	in = minimal();
	json_object_set_new(in, "purpose", json_string(purpose));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	json_decref(out);
	free(purpose);
	purpose = repeat("목", 2001);
	in = minimal();
	json_object_set_new(in, "purpose", json_string(purpose));
	expect_only_error(in, RECORD_CREATE, "purpose");
	free(purpose);
}

static void test_text_must_be_string_and_utf8(void **state)
{
	(void)state;
	json_t *in = minimal();
	json_object_set_new(in, "name", json_integer(5));
	expect_only_error(in, RECORD_CREATE, "name");
	/* jansson keeps embedded NULs in strings made with a length */
	in = minimal();
	json_object_set_new(in, "description", json_stringn("a\0b", 3));
	expect_only_error(in, RECORD_CREATE, "description");
}

/* ------------------------------------------------------------------ techniques */

static json_t *techniques_of(json_t *value, struct err *e, int *rc)
{
	json_t *out = NULL;
	json_t *in = minimal();
	json_object_set_new(in, "techniques", value);
	*rc = validate(&record_system, in, RECORD_CREATE, 0, &out, e);
	if (*rc)
		return NULL;
	json_t *list = json_incref(json_object_get(out, "techniques"));
	json_decref(out);
	return list;
}

static void assert_list(json_t *list, const char *const *want, size_t n)
{
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(list, i)), want[i]);
}

static void test_techniques_forms(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	int rc;
	const char *const nlp_llm[] = { "nlp", "llm" };
	json_t *list = techniques_of(json_pack("[ss]", "nlp", "llm"), &e, &rc);
	assert_int_equal(rc, 0);
	assert_list(list, nlp_llm, 2);
	json_decref(list);

	/* duplicates removed, first order kept */
	list = techniques_of(json_pack("[sss]", "nlp", "llm", "nlp"), &e, &rc);
	assert_int_equal(rc, 0);
	assert_list(list, nlp_llm, 2);
	json_decref(list);
	const char *const llm_nlp[] = { "llm", "nlp" };
	list = techniques_of(json_pack("[sss]", "llm", "nlp", "llm"), &e, &rc);
	assert_int_equal(rc, 0);
	assert_list(list, llm_nlp, 2);
	json_decref(list);

	/* items are trimmed of blanks; an empty array is an empty list */
	list = techniques_of(json_pack("[ss]", " nlp", "llm\t"), &e, &rc);
	assert_int_equal(rc, 0);
	assert_list(list, nlp_llm, 2);
	json_decref(list);
	list = techniques_of(json_array(), &e, &rc);
	assert_int_equal(rc, 0);
	assert_list(list, NULL, 0);
	json_decref(list);
	assert_int_equal(err_field_count(&e), 0);
}

/* Text front ends (forms, CSV, CLI) split "a;b" themselves; the JSON API takes arrays only. */
static void test_techniques_text_split(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	int rc;
	const char *const nlp_llm[] = { "nlp", "llm" };
	json_t *split = record_split_list("nlp;llm");
	assert_list(split, nlp_llm, 2);
	json_t *list = techniques_of(split, &e, &rc); /* steals split */
	assert_int_equal(rc, 0);
	assert_list(list, nlp_llm, 2);
	json_decref(list);

	/* comma or semicolon, blanks around items, empty items dropped */
	split = record_split_list(" nlp , llm;;");
	assert_list(split, nlp_llm, 2);
	json_decref(split);
	split = record_split_list("llm;nlp;llm");
	list = techniques_of(split, &e, &rc);
	assert_int_equal(rc, 0);
	const char *const llm_nlp[] = { "llm", "nlp" };
	assert_list(list, llm_nlp, 2);
	json_decref(list);
	split = record_split_list("");
	assert_list(split, NULL, 0);
	json_decref(split);
	split = record_split_list(NULL);
	assert_list(split, NULL, 0);
	json_decref(split);
	/* splitting does not validate: an unknown code still fails in record_validate */
	split = record_split_list("nlp;telepathy");
	const char *const raw[] = { "nlp", "telepathy" };
	assert_list(split, raw, 2);
	list = techniques_of(split, &e, &rc);
	assert_int_equal(rc, AIMS_EINVAL);
	assert_null(list);
	assert_non_null(field_error(&e, "techniques"));
	err_release(&e);

	/* the JSON API is strict: a string is not a list */
	list = techniques_of(json_string("nlp;llm"), &e, &rc);
	assert_int_equal(rc, AIMS_EINVAL);
	assert_null(list);
	assert_int_equal(err_field_count(&e), 1);
	assert_non_null(strstr(field_message(&e, "techniques"), "array"));
	err_release(&e);
}

static void test_techniques_rejected(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	int rc;
	json_t *bad[] = {
		json_pack("[ss]", "nlp", "telepathy"),
		json_pack("[s]", "NLP"),          /* codes are case-sensitive */
		json_pack("[s]", "nlp;llm"),      /* one item is one code */
		json_pack("[i]", 3),
		json_integer(3),
		json_pack("{ss}", "a", "nlp"),
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *list = techniques_of(bad[i], &e, &rc);
		assert_int_equal(rc, AIMS_EINVAL);
		assert_null(list);
		assert_int_equal(err_field_count(&e), 1);
		assert_non_null(field_error(&e, "techniques"));
		err_release(&e);
	}
}

static void test_techniques_limit_of_twelve(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	int rc;
	/* All twelve codes are accepted; a thirteenth entry that repeats one is dropped. */
	json_t *all = json_array();
	for (size_t i = 0; vocab_technique.codes[i]; i++)
		json_array_append_new(all, json_string(vocab_technique.codes[i]));
	assert_int_equal(json_array_size(all), 12);
	json_array_append_new(all, json_string("nlp"));
	json_t *list = techniques_of(all, &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(json_array_size(list), 12);
	json_decref(list);

	/*
	 * The vocabulary has exactly 12 codes, so record_system cannot see 13 distinct
	 * valid items; the item cap is checked through a table of the same shape with a
	 * cap of 3.
	 */
	static const struct field_rule rules[] = {
		{ "techniques", FIELD_ENUM_LIST, 0, 3, &vocab_technique, NULL, 0 },
	};
	static const struct record_type capped = { "capped", rules, 1 };
	json_t *out = NULL;
	json_t *in = json_pack("{s[ssss]}", "techniques", "nlp", "llm", "speech", "other");
	assert_int_equal(validate(&capped, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	assert_null(out);
	assert_non_null(strstr(field_message(&e, "techniques"), "at most 3"));
	err_release(&e);
	in = json_pack("{so}", "techniques", record_split_list("nlp;llm;speech;nlp"));
	assert_int_equal(validate(&capped, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "techniques")), 3);
	json_decref(out);
}

/* ------------------------------------------------------------------ text hygiene */

static void test_control_characters(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	const char *bad_names[] = { "a\x01" "b", "a\nb", "a\tb", "a\rb", "a\x7f" "b", "a\x1b[31mb" };
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		json_t *in = minimal();
		json_object_set_new(in, "name", json_string(bad_names[i]));
		expect_only_error(in, RECORD_CREATE, "name");
	}
	/* multi-line fields keep newlines and tabs, but not other controls */
	json_t *in = minimal();
	json_object_set_new(in, "description", json_string("line 1\nline 2\r\n\tindented"));
	json_object_set_new(in, "purpose", json_string("첫째 줄\n둘째 줄"));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "description")),
			    "line 1\nline 2\r\n\tindented");
	assert_string_equal(json_string_value(json_object_get(out, "purpose")), "첫째 줄\n둘째 줄");
	json_decref(out);
	in = minimal();
	json_object_set_new(in, "description", json_string("bell\x07"));
	expect_only_error(in, RECORD_CREATE, "description");
}

static void test_trimming(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss ss ss ss}", "name", "  민원 챗봇 \t", "purpose", "\n purpose \n",
			       "lifecycle_stage", "deployment", "vendor", " Acme ", "description", "   ");
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "name")), "민원 챗봇");
	assert_string_equal(json_string_value(json_object_get(out, "purpose")), "purpose");
	assert_string_equal(json_string_value(json_object_get(out, "vendor")), "Acme");
	/* blank optional text is "not set" on create */
	assert_null(json_object_get(out, "description"));
	json_decref(out);
	/* the length limit applies after trimming */
	char *name = repeat("a", 200);
	char *padded = malloc(strlen(name) + 5);
	assert_non_null(padded);
	snprintf(padded, strlen(name) + 5, "  %s  ", name);
	in = minimal();
	json_object_set_new(in, "name", json_string(padded));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "name")), name);
	json_decref(out);
	free(name);
	free(padded);
}

static void test_ids(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = minimal();
	json_object_set_new(in, "org_id", json_string("12"));
	json_object_set_new(in, "owner_user_id", json_integer(7));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_true(json_is_integer(json_object_get(out, "org_id")));
	assert_int_equal(json_integer_value(json_object_get(out, "org_id")), 12);
	assert_int_equal(json_integer_value(json_object_get(out, "owner_user_id")), 7);
	json_decref(out);
	/* empty string: not set */
	in = minimal();
	json_object_set_new(in, "org_id", json_string(""));
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_null(json_object_get(out, "org_id"));
	json_decref(out);
	json_t *bad[] = { json_string("abc"), json_string("12x"), json_integer(0), json_integer(-3),
			  json_string("-3"), json_real(1.5), json_true() };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in = minimal();
		json_object_set_new(in, "org_id", bad[i]);
		expect_only_error(in, RECORD_CREATE, "org_id");
	}
}

/* ------------------------------------------------------------------ patch */

static void test_patch_requires_nothing(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss}", "description", "  new text ");
	assert_int_equal(validate(&record_system, in, RECORD_PATCH, 0, &out, &e), 0);
	assert_int_equal(json_object_size(out), 1); /* no defaults on patch */
	assert_string_equal(json_string_value(json_object_get(out, "description")), "new text");
	json_decref(out);

	in = json_object();
	assert_int_equal(validate(&record_system, in, RECORD_PATCH, 0, &out, &e), 0);
	assert_int_equal(json_object_size(out), 0);
	json_decref(out);

	/* null clears an optional field: kept as null so the caller can clear it */
	in = json_pack("{sn}", "vendor");
	assert_int_equal(validate(&record_system, in, RECORD_PATCH, 0, &out, &e), 0);
	assert_true(json_is_null(json_object_get(out, "vendor")));
	json_decref(out);
	assert_int_equal(err_field_count(&e), 0);
}

static void test_patch_cannot_empty_required(void **state)
{
	(void)state;
	expect_only_error(json_pack("{ss}", "name", "  "), RECORD_PATCH, "name");
	expect_only_error(json_pack("{sn}", "purpose"), RECORD_PATCH, "purpose");
	expect_only_error(json_pack("{ss}", "lifecycle_stage", "later"), RECORD_PATCH, "lifecycle_stage");
	expect_only_error(json_pack("{ss}", "owner", "x"), RECORD_PATCH, "owner");
}

/* ------------------------------------------------------------------ line numbers */

static void test_line_copied_into_errors(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss ss}", "name", "x", "lifecycle_stage", "production", "zzz", "1");
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 7, &out, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 3); /* purpose, lifecycle_stage, zzz */
	size_t i;
	json_t *item;
	json_array_foreach(e.fields, i, item)
		assert_int_equal(json_integer_value(json_object_get(item, "line")), 7);
	err_release(&e);
	/* line 0: no line key at all */
	in = json_pack("{ss ss ss}", "name", "x", "purpose", "y", "lifecycle_stage", "production");
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	assert_null(json_object_get(field_error(&e, "lifecycle_stage"), "line"));
	err_release(&e);
}

static void test_errors_accumulate_across_calls(void **state)
{
	(void)state;
	/* A CSV import validates many records into one struct err. */
	struct err e = ERR_INIT;
	json_t *out = NULL;
	assert_int_equal(validate(&record_system, minimal(), RECORD_CREATE, 2, &out, &e), 0);
	json_decref(out);
	json_t *in = minimal();
	json_object_del(in, "purpose");
	assert_int_equal(validate(&record_system, in, RECORD_CREATE, 3, &out, &e), AIMS_EINVAL);
	/* a good record after a bad one is still good, and adds nothing */
	assert_int_equal(validate(&record_system, minimal(), RECORD_CREATE, 4, &out, &e), 0);
	json_decref(out);
	assert_int_equal(err_field_count(&e), 1);
	assert_int_equal(json_integer_value(json_object_get(field_error(&e, "purpose"), "line")), 3);
	err_release(&e);
}

/* ------------------------------------------------------------------ users */

static void test_user_email(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss}", "email", "  Kim.MinJi@Example.GO.KR ", "password", "twelve chars");
	assert_int_equal(validate(&record_user, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "email")), "kim.minji@example.go.kr");
	assert_string_equal(json_string_value(json_object_get(out, "locale")), "ko"); /* default */
	json_decref(out);

	const char *bad[] = { "kim", "kim@example", "kim@@example.org", "kim example@x.org", "@x.org" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in = json_pack("{ss}", "email", bad[i]);
		assert_int_equal(validate(&record_user, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
		assert_int_equal(err_field_count(&e), 1);
		assert_non_null(field_error(&e, "email"));
		err_release(&e);
	}
	in = json_pack("{ss}", "name", "Kim");
	assert_int_equal(validate(&record_user, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "email"));
	err_release(&e);
}

static void test_user_password(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss}", "email", "a@b.org", "password", "elevenchars");
	assert_int_equal(strlen("elevenchars"), 11);
	assert_int_equal(validate(&record_user, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	assert_null(out);
	const char *msg = field_message(&e, "password");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "12"));
	/* a secret is never echoed back */
	char *dump = json_dumps(e.fields, JSON_COMPACT);
	assert_null(strstr(dump, "elevenchars"));
	free(dump);
	err_release(&e);

	in = json_pack("{ss ss}", "email", "a@b.org", "password", "비밀번호는열두글자입니다");
	assert_int_equal(validate(&record_user, in, RECORD_CREATE, 0, &out, &e), 0);
	json_decref(out);
	in = json_pack("{ss ss}", "email", "a@b.org", "password", "exactly12chr");
	assert_int_equal(validate(&record_user, in, RECORD_CREATE, 0, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "password")), "exactly12chr");
	json_decref(out);
}

static void test_user_bool_and_role(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss ss}", "disabled", "true", "role", "officer", "locale", "en");
	assert_int_equal(validate(&record_user, in, RECORD_PATCH, 0, &out, &e), 0);
	assert_true(json_is_true(json_object_get(out, "disabled")));
	assert_string_equal(json_string_value(json_object_get(out, "role")), "officer");
	json_decref(out);
	in = json_pack("{ss}", "disabled", "0");
	assert_int_equal(validate(&record_user, in, RECORD_PATCH, 0, &out, &e), 0);
	assert_true(json_is_false(json_object_get(out, "disabled")));
	json_decref(out);
	in = json_pack("{ss ss ss}", "disabled", "maybe", "role", "superuser", "locale", "fr");
	assert_int_equal(validate(&record_user, in, RECORD_PATCH, 0, &out, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 3);
	err_release(&e);
}

static void test_record_rule_lookup(void **state)
{
	(void)state;
	const struct field_rule *r = record_rule(&record_system, "name");
	assert_non_null(r);
	assert_int_equal(r->max, 200);
	assert_true(r->flags & FIELD_REQUIRED);
	assert_null(record_rule(&record_system, "nmae"));
	assert_true(record_rule(&record_user, "password")->flags & FIELD_SECRET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_minimal_gets_defaults),
		cmocka_unit_test(test_create_explicit_values_beat_defaults),
		cmocka_unit_test(test_create_missing_required_each),
		cmocka_unit_test(test_create_reports_all_errors_at_once),
		cmocka_unit_test(test_create_unknown_field_rejected),
		cmocka_unit_test(test_create_not_an_object),
		cmocka_unit_test(test_create_bad_enums),
		cmocka_unit_test(test_name_length_in_code_points),
		cmocka_unit_test(test_text_must_be_string_and_utf8),
		cmocka_unit_test(test_techniques_forms),
		cmocka_unit_test(test_techniques_text_split),
		cmocka_unit_test(test_techniques_rejected),
		cmocka_unit_test(test_techniques_limit_of_twelve),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_trimming),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_patch_requires_nothing),
		cmocka_unit_test(test_patch_cannot_empty_required),
		cmocka_unit_test(test_line_copied_into_errors),
		cmocka_unit_test(test_errors_accumulate_across_calls),
		cmocka_unit_test(test_user_email),
		cmocka_unit_test(test_user_password),
		cmocka_unit_test(test_user_bool_and_role),
		cmocka_unit_test(test_record_rule_lookup),
	};
	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
