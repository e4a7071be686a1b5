/*
 * test_i18n.c: the UI strings (web/i18n/ko.json and en.json) are complete: both files
 * have exactly the same keys, every string is non-empty, and every code of every
 * vocabulary (model/vocab.c) has a label in both, so no screen shows a raw code;
 * validation errors reach forms worded in the user's language; and a malformed form
 * integer is refused naming the field (web_parse_int64).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/asset.h"
#include "model/vocab.h"
#include "http/web.h"
#include "model/record.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *load(const char *path)
{
	const struct asset *a = asset_find(path);
	assert_non_null(a);
	json_error_t jerr;
	json_t *doc = json_loadb(a->data, a->len, 0, &jerr);
	if (!doc)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	return doc;
}

/* Every key path in a is in b with the same kind (object or non-empty string). */
static void same_keys(json_t *a, json_t *b, const char *where, const char *a_name, const char *b_name)
{
	const char *key;
	json_t *v;
	json_object_foreach(a, key, v) {
		char path[256];
		snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", key);
		json_t *other = json_object_get(b, key);
		if (!other)
			fail_msg("%s is in %s but not in %s", path, a_name, b_name);
		if (json_is_object(v)) {
			assert_true(json_is_object(other));
			same_keys(v, other, path, a_name, b_name);
		} else {
			if (!json_is_string(v) || json_string_length(v) == 0)
				fail_msg("%s in %s is not a non-empty string", path, a_name);
		}
	}
}

static void test_same_keys(void **state)
{
	(void)state;
	json_t *ko = load("web/i18n/ko.json"), *en = load("web/i18n/en.json");
	same_keys(ko, en, "", "ko.json", "en.json");
	same_keys(en, ko, "", "en.json", "ko.json");
	json_decref(ko);
	json_decref(en);
}

static void test_vocab_labels(void **state)
{
	(void)state;
	const char *files[] = { "web/i18n/ko.json", "web/i18n/en.json" };
	for (size_t f = 0; f < 2; f++) {
		json_t *doc = load(files[f]);
		json_t *vocab = json_object_get(doc, "vocab");
		for (size_t v = 0; vocab_all[v]; v++) {
			json_t *labels = json_object_get(vocab, vocab_all[v]->name);
			for (size_t c = 0; vocab_all[v]->codes[c]; c++)
				if (!json_is_string(json_object_get(labels, vocab_all[v]->codes[c])))
					fail_msg("%s: no label vocab.%s.%s", files[f], vocab_all[v]->name, vocab_all[v]->codes[c]);
		}
		json_decref(doc);
	}
}

/* Field errors from validation are worded in the user's language, limits filled in. */
static void test_localized_field_errors(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	char long_name[260];
	memset(long_name, 'x', 201);
	long_name[201] = '\0';
	json_t *in = json_pack("{ss ss}", "name", long_name, "purpose", "p");
	assert_int_equal(web_init(&e), 0);
	assert_int_equal(record_validate(&record_system, in, RECORD_CREATE, 0, &out, &e), AIMS_EINVAL);
	json_t *ko = web_field_errors("ko", &e), *en = web_field_errors("en", &e);
	assert_string_equal(json_string_value(json_object_get(ko, "name")), "200자 이하로 줄여 주세요.");
	assert_string_equal(json_string_value(json_object_get(en, "name")), "Must be at most 200 characters.");
	assert_string_equal(json_string_value(json_object_get(ko, "lifecycle_stage")), "필수 항목입니다.");
	json_t *list = web_error_list("ko", &e);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "label")), "이름");
	json_decref(list);
	json_decref(ko);
	json_decref(en);
	json_decref(in);
	err_release(&e);
	web_release();
}

/* Form integers (web_parse_int64): whole decimals in range, else 400 naming the field in
 * the user's language, and the caller's value left alone. */
static void test_form_integers(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	int64_t v = 7;
	assert_int_equal(web_init(&e), 0);
	assert_int_equal(web_parse_int64("ko", "version", "12", 1, &v, &e), 0);
	assert_int_equal(v, 12);
	assert_int_equal(web_parse_int64("ko", "version", "0", 0, &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(web_parse_int64("ko", "version", "9223372036854775807", 1, &v, &e), 0);
	assert_true(v == INT64_MAX);
	static const char *const bad[] = { "abc", "", "-1", "0", "1.0", "1x", " 1", "1 ", "+1", "0x10",
					   "9223372036854775808", "99999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 7;
		if (web_parse_int64("en", "version", bad[i], 1, &v, &e) != AIMS_EBADREQ)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(v, 7);
		assert_int_equal(e.code, AIMS_EBADREQ);
		assert_string_equal(json_string_value(json_object_get(json_array_get(e.fields, 0), "field")), "version");
		assert_non_null(strstr(e.message, "Version (version)"));
		err_release(&e);
	}
	assert_int_equal(web_parse_int64("ko", "owner_user_id", "5abc", 1, &v, &e), AIMS_EBADREQ);
	assert_non_null(strstr(e.message, "담당자 (owner_user_id)"));
	err_release(&e);
	/* A field without a UI label is named as sent. */
	assert_int_equal(web_parse_int64("en", "no_such_field", "x", 1, &v, &e), AIMS_EBADREQ);
	assert_non_null(strstr(e.message, "no_such_field (no_such_field)"));
	err_release(&e);
	/* No error object: only the answer (a form shown again preselects nothing). */
	assert_int_equal(web_parse_int64("en", "org_id", "3x", 1, &v, NULL), AIMS_EBADREQ);
	assert_int_equal(web_parse_int64("en", "org_id", NULL, 1, &v, NULL), AIMS_EBADREQ);
	assert_int_equal(v, 7);
	web_release();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_keys),
		cmocka_unit_test(test_vocab_labels),
		cmocka_unit_test(test_localized_field_errors),
		cmocka_unit_test(test_form_integers),
	};
	return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}
