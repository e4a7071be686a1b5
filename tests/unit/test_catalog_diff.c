/*
 * test_catalog_diff.c: model/catalog_diff on small catalogs written out here by hand:
 * what counts as added, removed and changed, which field changes need review
 * (title, description, text, kind, paraphrase) and which are editorial (guidance,
 * parent), catalog-level changes, the refusal to compare two different catalogs,
 * and the JSON form byte for byte (its order is part of the contract).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/catalog_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A catalog of id "mini" (or `id`) at `version` holding the given requirement objects. */
static void parse(struct catalog_set *set, const char *id, const char *version, const char *counts,
		  const char *requirements)
{
	char text[8192];
	struct err e = ERR_INIT;
	snprintf(text, sizeof text,
		 "{\"format\": \"aims-catalog/1\", \"id\": \"%s\", \"version\": \"%s\",\n"
		 " \"title\": {\"ko\": \"작은 카탈로그\", \"en\": \"Mini catalog\"}, \"publisher\": \"tests\",\n"
		 " \"source\": {\"citation\": \"written by hand for test_catalog_diff.c\"}, \"licence\": \"ours\",\n"
		 " \"counts\": %s,\n \"requirements\": [%s]}\n",
		 id, version, counts, requirements);
	catalog_set_init(set);
	int rc = catalog_set_add(set, "mini.json", text, strlen(text), &e);
	if (rc) {
		char *dump = json_dumps(e.fields, JSON_COMPACT);
		print_error("fixture does not parse: %s %s\n", e.message, dump ? dump : "");
		free(dump);
		err_release(&e);
		fail();
	}
	err_release(&e);
}

#define R_G1 "{\"id\": \"G1\", \"kind\": \"group\", \"title\": {\"ko\": \"묶음 1\", \"en\": \"Group 1\"}}"
#define R_G2 "{\"id\": \"G2\", \"kind\": \"group\", \"title\": {\"ko\": \"묶음 2\", \"en\": \"Group 2\"}}"
#define REQ(id, parent, en, extra)                                                                \
	"{\"id\": \"" id "\", \"kind\": \"item\", \"parent\": \"" parent "\", \"title\": {\"ko\": \"항목 " id \
	"\", \"en\": \"" en "\"}" extra "}"
#define DESC(ko, en) ", \"description\": {\"ko\": \"" ko "\", \"en\": \"" en "\"}"
#define GUIDE(ko, en) ", \"guidance\": {\"ko\": \"" ko "\", \"en\": \"" en "\"}"

static const char *const old_reqs =
	R_G1 ",\n" R_G2 ",\n"
	REQ("1.1", "G1", "Keep logs", DESC("기록을 남긴다", "Record events")) ",\n"
	REQ("1.2", "G1", "Name an owner", GUIDE("담당자를 정한다", "Pick someone")) ",\n"
	REQ("1.3", "G1", "Train staff", "") ",\n"
	REQ("2.1", "G2", "Old rule", "") ",\n"
	REQ("2.2", "G2", "Assess impact", ", \"paraphrase\": true");

/* The new version: 1.1 re-worded (review), 1.2 only new guidance (editorial), 1.3 moved
 * to G2 (editorial), 2.1 removed, 2.2 no longer a paraphrase (review), 2.3 added. */
static const char *const new_reqs =
	R_G1 ",\n" R_G2 ",\n"
	REQ("1.1", "G1", "Keep event logs", DESC("기록을 남긴다", "Record events and keep them")) ",\n"
	REQ("1.2", "G1", "Name an owner", GUIDE("담당자를 정한다", "Pick someone accountable")) ",\n"
	REQ("1.3", "G2", "Train staff", "") ",\n"
	REQ("2.2", "G2", "Assess impact", "") ",\n"
	REQ("2.3", "G2", "Publish a register", "");

#define COUNTS_OLD "{\"group\": 2, \"item\": 5}"
#define COUNTS_NEW "{\"group\": 2, \"item\": 5}"

static void test_identical_catalogs_have_no_items(void **state)
{
	(void)state;
	struct catalog_set a, b;
	struct catalog_diff d = CATALOG_DIFF_INIT;
	struct err e = ERR_INIT;
	parse(&a, "mini", "1", COUNTS_OLD, old_reqs);
	parse(&b, "mini", "1", COUNTS_OLD, old_reqs);
	assert_int_equal(catalog_diff(&a.catalogs[0], &b.catalogs[0], &d, &e), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(d.added + d.removed + d.changed + d.review, 0);
	assert_int_equal(json_array_size(d.metadata), 0);
	assert_null(catalog_diff_find(&d, "1.1"));
	catalog_diff_release(&d);
	catalog_set_release(&a);
	catalog_set_release(&b);
}

static void test_added_removed_changed(void **state)
{
	(void)state;
	struct catalog_set a, b;
	struct catalog_diff d = CATALOG_DIFF_INIT;
	struct err e = ERR_INIT;
	parse(&a, "mini", "1", COUNTS_OLD, old_reqs);
	parse(&b, "mini", "2", COUNTS_NEW, new_reqs);
	assert_int_equal(catalog_diff(&a.catalogs[0], &b.catalogs[0], &d, &e), 0);
	assert_int_equal(d.added, 1);
	assert_int_equal(d.removed, 1);
	assert_int_equal(d.changed, 4);
	assert_int_equal(d.review, 2);

	const struct catalog_diff_item *it = catalog_diff_find(&d, "1.1");
	assert_non_null(it);
	assert_int_equal(it->change, CATALOG_CHANGED);
	assert_int_equal(it->fields, CATALOG_FIELD_TITLE_EN | CATALOG_FIELD_DESCRIPTION_EN);
	assert_true(catalog_diff_needs_review(it));

	it = catalog_diff_find(&d, "1.2");
	assert_int_equal(it->fields, CATALOG_FIELD_GUIDANCE_EN);
	assert_false(catalog_diff_needs_review(it));

	it = catalog_diff_find(&d, "1.3");
	assert_int_equal(it->fields, CATALOG_FIELD_PARENT);
	assert_false(catalog_diff_needs_review(it));

	it = catalog_diff_find(&d, "2.2");
	assert_int_equal(it->fields, CATALOG_FIELD_PARAPHRASE);
	assert_true(catalog_diff_needs_review(it));

	it = catalog_diff_find(&d, "2.1");
	assert_int_equal(it->change, CATALOG_REMOVED);
	assert_null(it->to);
	assert_false(catalog_diff_needs_review(it));

	it = catalog_diff_find(&d, "2.3");
	assert_int_equal(it->change, CATALOG_ADDED);
	assert_null(it->from);

	assert_null(catalog_diff_find(&d, "G1"));
	assert_int_equal(json_array_size(d.metadata), 1);
	assert_string_equal(json_string_value(json_array_get(d.metadata, 0)), "version");
	catalog_diff_release(&d);
	catalog_set_release(&a);
	catalog_set_release(&b);
}

static void test_kind_and_text_changes_need_review(void **state)
{
	(void)state;
	struct catalog_set a, b;
	struct catalog_diff d = CATALOG_DIFF_INIT;
	struct err e = ERR_INIT;
	parse(&a, "mini", "1", "{\"item\": 2}",
	      "{\"id\": \"X\", \"kind\": \"item\", \"title\": {\"ko\": \"가\", \"en\": \"A\"}},"
	      "{\"id\": \"Y\", \"kind\": \"item\", \"title\": {\"ko\": \"나\", \"en\": \"B\"}, \"text\": {\"ko\": \"원문\"}}");
	parse(&b, "mini", "2", "{\"item\": 1, \"note\": 1}",
	      "{\"id\": \"X\", \"kind\": \"note\", \"title\": {\"ko\": \"가\", \"en\": \"A\"}},"
	      "{\"id\": \"Y\", \"kind\": \"item\", \"title\": {\"ko\": \"나\", \"en\": \"B\"}, \"text\": {\"ko\": \"고친 원문\"}}");
	assert_int_equal(catalog_diff(&a.catalogs[0], &b.catalogs[0], &d, &e), 0);
	assert_int_equal(catalog_diff_find(&d, "X")->fields, CATALOG_FIELD_KIND);
	assert_true(catalog_diff_needs_review(catalog_diff_find(&d, "X")));
	assert_int_equal(catalog_diff_find(&d, "Y")->fields, CATALOG_FIELD_TEXT_KO);
	assert_true(catalog_diff_needs_review(catalog_diff_find(&d, "Y")));
	/* counts differ too, and are named */
	json_t *want = json_pack("[ss]", "version", "counts");
	assert_true(json_equal(d.metadata, want));
	json_decref(want);
	catalog_diff_release(&d);
	catalog_set_release(&a);
	catalog_set_release(&b);
}

static void test_different_catalogs_are_refused(void **state)
{
	(void)state;
	struct catalog_set a, b;
	struct catalog_diff d = CATALOG_DIFF_INIT;
	struct err e = ERR_INIT;
	parse(&a, "mini", "1", COUNTS_OLD, old_reqs);
	parse(&b, "other", "1", COUNTS_OLD, old_reqs);
	assert_int_equal(catalog_diff(&a.catalogs[0], &b.catalogs[0], &d, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e.fields, 0), "field")), "catalog");
	assert_int_equal(d.count, 0);
	err_release(&e);
	catalog_diff_release(&d);
	catalog_set_release(&a);
	catalog_set_release(&b);
}

static void test_field_names(void **state)
{
	(void)state;
	assert_string_equal(catalog_field_name(CATALOG_FIELD_TITLE_KO), "title.ko");
	assert_string_equal(catalog_field_name(CATALOG_FIELD_PARAPHRASE), "paraphrase");
	assert_null(catalog_field_name(CATALOG_FIELD_KIND | CATALOG_FIELD_PARENT));
	assert_null(catalog_field_name(1u << CATALOG_FIELD_COUNT));
	json_t *names = catalog_diff_field_names(CATALOG_FIELD_TEXT_EN | CATALOG_FIELD_KIND);
	json_t *want = json_pack("[ss]", "kind", "text.en");
	assert_true(json_equal(names, want));
	json_decref(names);
	json_decref(want);
}

/* The JSON form, byte for byte: its order is stable by contract. */
static void test_json_form_is_stable(void **state)
{
	(void)state;
	struct catalog_set a, b;
	struct catalog_diff d = CATALOG_DIFF_INIT;
	struct err e = ERR_INIT;
	parse(&a, "mini", "1", COUNTS_OLD, old_reqs);
	parse(&b, "mini", "2", COUNTS_NEW, new_reqs);
	assert_int_equal(catalog_diff(&a.catalogs[0], &b.catalogs[0], &d, &e), 0);
	json_t *j = catalog_diff_json(&d);
	assert_non_null(j);
	char *text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	static const char want[] =
		"{\"catalog_id\":\"mini\",\"from\":{\"version\":\"1\",\"requirements\":7},"
		"\"to\":{\"version\":\"2\",\"requirements\":7},\"metadata\":[\"version\"],"
		"\"summary\":{\"added\":1,\"removed\":1,\"changed\":4,\"review\":2},"
		"\"added\":[{\"id\":\"2.3\",\"kind\":\"item\",\"parent\":\"G2\","
		"\"title\":{\"ko\":\"\\uD56D\\uBAA9 2.3\",\"en\":\"Publish a register\"}}],"
		"\"removed\":[{\"id\":\"2.1\",\"kind\":\"item\",\"parent\":\"G2\","
		"\"title\":{\"ko\":\"\\uD56D\\uBAA9 2.1\",\"en\":\"Old rule\"}}],"
		"\"changed\":["
		"{\"id\":\"1.1\",\"kind\":\"item\",\"parent\":\"G1\",\"title\":{\"ko\":\"\\uD56D\\uBAA9 1.1\",\"en\":\"Keep event logs\"},"
		"\"fields\":[\"title.en\",\"description.en\"],\"review\":true,"
		"\"before\":{\"title.en\":\"Keep logs\",\"description.en\":\"Record events\"},"
		"\"after\":{\"title.en\":\"Keep event logs\",\"description.en\":\"Record events and keep them\"}},"
		"{\"id\":\"1.2\",\"kind\":\"item\",\"parent\":\"G1\",\"title\":{\"ko\":\"\\uD56D\\uBAA9 1.2\",\"en\":\"Name an owner\"},"
		"\"fields\":[\"guidance.en\"],\"review\":false,"
		"\"before\":{\"guidance.en\":\"Pick someone\"},\"after\":{\"guidance.en\":\"Pick someone accountable\"}},"
		"{\"id\":\"1.3\",\"kind\":\"item\",\"parent\":\"G2\",\"title\":{\"ko\":\"\\uD56D\\uBAA9 1.3\",\"en\":\"Train staff\"},"
		"\"fields\":[\"parent\"],\"review\":false,\"before\":{\"parent\":\"G1\"},\"after\":{\"parent\":\"G2\"}},"
		"{\"id\":\"2.2\",\"kind\":\"item\",\"parent\":\"G2\",\"title\":{\"ko\":\"\\uD56D\\uBAA9 2.2\",\"en\":\"Assess impact\"},"
		"\"fields\":[\"paraphrase\"],\"review\":true,\"before\":{\"paraphrase\":true},\"after\":{\"paraphrase\":false}}"
		"]}";
	assert_string_equal(text, want);
	free(text);
	json_decref(j);
	catalog_diff_release(&d);
	catalog_set_release(&a);
	catalog_set_release(&b);
}

/* Reading the diff backwards swaps added and removed and keeps the changed fields. */
static void test_backwards(void **state)
{
	(void)state;
	struct catalog_set a, b;
	struct catalog_diff d = CATALOG_DIFF_INIT;
	struct err e = ERR_INIT;
	parse(&a, "mini", "1", COUNTS_OLD, old_reqs);
	parse(&b, "mini", "2", COUNTS_NEW, new_reqs);
	assert_int_equal(catalog_diff(&b.catalogs[0], &a.catalogs[0], &d, &e), 0);
	assert_int_equal(catalog_diff_find(&d, "2.1")->change, CATALOG_ADDED);
	assert_int_equal(catalog_diff_find(&d, "2.3")->change, CATALOG_REMOVED);
	assert_int_equal(catalog_diff_find(&d, "1.1")->fields, CATALOG_FIELD_TITLE_EN | CATALOG_FIELD_DESCRIPTION_EN);
	assert_int_equal(d.changed, 4);
	catalog_diff_release(&d);
	catalog_set_release(&a);
	catalog_set_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_catalogs_have_no_items),
		cmocka_unit_test(test_added_removed_changed),
		cmocka_unit_test(test_kind_and_text_changes_need_review),
		cmocka_unit_test(test_different_catalogs_are_refused),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_json_form_is_stable),
		cmocka_unit_test(test_backwards),
	};
	return cmocka_run_group_tests_name("catalog_diff", tests, NULL, NULL);
}
