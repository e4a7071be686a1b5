/*
 * test_catalog.c: the framework library as built into the binary, checked against
 * lists written out here by hand (an independent copy of the official numbering, so
 * a slip in a data file fails a test instead of passing silently), and the checker's
 * messages on deliberately broken inputs (file, line and id in every message).
 *
 * Sources of the literal lists: ISO/IEC 42001:2023 Annex A Table A.1 numbering; the
 * AI Basic Act text in data/kr-law (article titles verbatim); Regulation (EU)
 * 2024/1689 as published in the OJ; NIST AI 100-1 Tables 1-4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/catalog.h"
#include "svc/catalogs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct catalog_set lib;

static int load_library(void **state)
{
	struct err e = ERR_INIT;
	(void)state;
	int rc = svc_catalogs_load(NULL, &lib, &e);
	if (rc) {
		char *dump = json_dumps(e.fields, JSON_INDENT(1));
		print_error("embedded catalogs do not load: %s\n%s\n", e.message, dump ? dump : "");
		free(dump);
	}
	err_release(&e);
	return rc ? -1 : 0;
}

static int release_library(void **state)
{
	(void)state;
	catalog_set_release(&lib);
	return 0;
}

static const struct catalog *need(const char *id)
{
	const struct catalog *c = catalog_set_find(&lib, id);
	if (!c) {
		print_error("no catalog %s\n", id);
		fail();
	}
	return c;
}

/* Every id of `kind` in c is in ids (NULL-terminated), in that order, and no other. */
static void expect_kind_ids(const struct catalog *c, const char *kind, const char *const *ids)
{
	size_t n = 0, k = 0;
	while (ids[n])
		n++;
	assert_int_equal(catalog_count_kind(c, kind), n);
	for (size_t i = 0; i < c->requirement_count; i++) {
		if (strcmp(c->requirements[i].kind, kind) != 0)
			continue;
		assert_true(k < n);
		if (strcmp(c->requirements[i].id, ids[k]) != 0) {
			print_error("%s: %s number %zu is %s, expected %s\n", c->id, kind, k,
				    c->requirements[i].id, ids[k]);
			fail();
		}
		k++;
	}
	assert_int_equal(k, n);
}

static void expect_title(const struct catalog *c, const char *id, const char *ko, const char *en)
{
	const struct catalog_requirement *r = catalog_find_requirement(c, id);
	if (!r) {
		print_error("%s has no %s\n", c->id, id);
		fail();
	}
	if (ko)
		assert_string_equal(r->title.ko, ko);
	if (en)
		assert_string_equal(r->title.en, en);
}

/* ---- ISO/IEC 42001 ---- */

static void test_annex_a_has_exactly_the_38_controls(void **state)
{
	static const char *const controls[] = {
		"A.2.2", "A.2.3", "A.2.4",
		"A.3.2", "A.3.3",
		"A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6",
		"A.5.2", "A.5.3", "A.5.4", "A.5.5",
		"A.6.1.2", "A.6.1.3",
		"A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8",
		"A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6",
		"A.8.2", "A.8.3", "A.8.4", "A.8.5",
		"A.9.2", "A.9.3", "A.9.4",
		"A.10.2", "A.10.3", "A.10.4",
		NULL,
	};
	static const char *const groups[] = { "A.2", "A.3", "A.4", "A.5", "A.6", "A.6.1", "A.6.2",
					      "A.7", "A.8", "A.9", "A.10", NULL };
	(void)state;
	const struct catalog *c = need("iso-iec-42001-2023");
	expect_kind_ids(c, "control", controls);
	expect_kind_ids(c, "control-group", groups);
	assert_int_equal(sizeof controls / sizeof controls[0] - 1, 38);
	expect_title(c, "A.6.2.8", NULL, "AI system recording of event logs");
	expect_title(c, "A.10.4", NULL, "Customers");
	expect_title(c, "A.5.4", NULL, "Assessing AI system impact on individuals or groups of individuals");
	/* every control sits under its group and carries guidance in both languages */
	for (size_t i = 0; controls[i]; i++) {
		const struct catalog_requirement *r = catalog_find_requirement(c, controls[i]);
		assert_non_null(r->parent);
		assert_int_equal(strncmp(r->parent, controls[i], strlen(r->parent)), 0);
		assert_non_null(r->guidance.ko);
		assert_non_null(r->guidance.en);
	}
}

static void test_42001_clauses_4_to_10(void **state)
{
	static const char *const subclauses[] = {
		"4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3",
		"6.1", "6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.2", "6.3",
		"7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3",
		"8.1", "8.2", "8.3", "8.4",
		"9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3",
		"10.1", "10.2", NULL,
	};
	static const char *const clauses[] = { "4", "5", "6", "7", "8", "9", "10", NULL };
	(void)state;
	const struct catalog *c = need("iso-iec-42001-2023");
	expect_kind_ids(c, "clause", clauses);
	expect_kind_ids(c, "subclause", subclauses);
	expect_title(c, "6.1.4", NULL, "AI system impact assessment");
	expect_title(c, "10.2", NULL, "Nonconformity and corrective action");
	/* Korean titles given by seed 001 */
	expect_title(c, "5.2", "AI방침", "AI policy");
	expect_title(c, "8.4", "AI 시스템영향평가", NULL);
}

static void expect_link(const char *catalog, const char *id, const char *other_catalog,
			const char *other_id)
{
	json_t *links = catalog_set_links(&lib, catalog, id), *link;
	size_t i;
	bool found = false;
	assert_non_null(links);
	json_array_foreach(links, i, link) {
		if (!strcmp(json_string_value(json_object_get(link, "catalog")), other_catalog) &&
		    !strcmp(json_string_value(json_object_get(link, "id")), other_id))
			found = true;
	}
	json_decref(links);
	if (!found) {
		print_error("%s %s is not linked to %s %s\n", catalog, id, other_catalog, other_id);
		fail();
	}
}

static void test_seed_001_companion_links(void **state)
{
	static const char *const pairs[][2] = {
		{ "4.3", "ISO/IEC 22989:2022" }, { "4.4", "ISO/IEC 5338:2023" },
		{ "5.2", "ISO/IEC 38507:2022" }, { "6.2", "ISO/IEC 23053:2022" },
		{ "8.2", "ISO/IEC 23894:2023" }, { "8.3", "ISO/IEC 23894:2023" },
		{ "10.1", "ISO/IEC 23894:2023" }, { "8.4", "ISO/IEC 42005:2025" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		expect_link("iso-iec-42001-2023", pairs[i][0], "iso-iec-42001-companions", pairs[i][1]);
		/* and read from the other side */
		expect_link("iso-iec-42001-companions", pairs[i][1], "iso-iec-42001-2023", pairs[i][0]);
	}
	/* the seed's misprint is not an id */
	assert_null(catalog_find_requirement(need("iso-iec-42001-companions"), "ISO/IEC 38057:2022"));
}

/* ---- NIST AI RMF ---- */

static void test_nist_counts_and_ids(void **state)
{
	static const char *const functions[] = { "GOVERN", "MAP", "MEASURE", "MANAGE", NULL };
	static const char *const categories[] = {
		"GOVERN 1", "GOVERN 2", "GOVERN 3", "GOVERN 4", "GOVERN 5", "GOVERN 6",
		"MAP 1", "MAP 2", "MAP 3", "MAP 4", "MAP 5",
		"MEASURE 1", "MEASURE 2", "MEASURE 3", "MEASURE 4",
		"MANAGE 1", "MANAGE 2", "MANAGE 3", "MANAGE 4", NULL,
	};
	/* subcategories per category, NIST AI 100-1 Tables 1-4 */
	static const int per_category[] = { 7, 3, 2, 3, 2, 2, 6, 3, 5, 2, 2, 3, 13, 3, 3, 4, 4, 2, 3 };
	(void)state;
	const struct catalog *c = need("nist-ai-rmf-1.0");
	expect_kind_ids(c, "function", functions);
	expect_kind_ids(c, "category", categories);
	assert_int_equal(catalog_count_kind(c, "subcategory"), 72);
	int total = 0;
	for (size_t k = 0; categories[k]; k++) {
		char id[32];
		for (int j = 1; j <= per_category[k]; j++) {
			snprintf(id, sizeof id, "%s.%d", categories[k], j);
			const struct catalog_requirement *r = catalog_find_requirement(c, id);
			if (!r) {
				print_error("NIST %s missing\n", id);
				fail();
			}
			assert_string_equal(r->parent, categories[k]);
			total++;
		}
		snprintf(id, sizeof id, "%s.%d", categories[k], per_category[k] + 1);
		assert_null(catalog_find_requirement(c, id));
	}
	assert_int_equal(total, 72);
	expect_title(c, "GOVERN 1.1", NULL, "Legal and regulatory requirements involving AI are understood, managed, and documented.");
}

/* ---- Korean AI Basic Act ---- */

static void test_ai_basic_act_articles(void **state)
{
	(void)state;
	const struct catalog *c = need("kr-ai-basic-act-21311");
	/* article titles verbatim from data/kr-law */
	expect_title(c, "제31조", "인공지능 투명성 확보 의무", NULL);
	expect_title(c, "제32조", "인공지능 안전성 확보 의무", NULL);
	expect_title(c, "제33조", "고영향 인공지능의 확인", NULL);
	expect_title(c, "제34조", "고영향 인공지능과 관련한 사업자의 책무", NULL);
	expect_title(c, "제35조", "고영향 인공지능 영향평가", NULL);
	expect_title(c, "제36조", "국내대리인 지정", NULL);
	static const char *const items_34[] = { "제34조제1항제1호", "제34조제1항제2호", "제34조제1항제3호",
						"제34조제1항제4호", "제34조제1항제5호", "제34조제1항제6호" };
	for (size_t i = 0; i < 6; i++) {
		const struct catalog_requirement *r = catalog_find_requirement(c, items_34[i]);
		assert_non_null(r);
		assert_string_equal(r->parent, "제34조제1항");
		assert_non_null(r->text.ko);
	}
	assert_null(catalog_find_requirement(c, "제34조제1항제7호"));
	const struct catalog_requirement *r = catalog_find_requirement(c, "제34조제1항제4호");
	assert_string_equal(r->text.ko, "고영향 인공지능에 대한 사람의 관리ㆍ감독");
	assert_null(catalog_find_requirement(c, "제31조제5항"));
	assert_non_null(catalog_find_requirement(c, "제31조제4항"));
}

static void test_ai_basic_act_high_impact_domains(void **state)
{
	static const char *const domains[] = { "제2조제4호가목", "제2조제4호나목", "제2조제4호다목",
					       "제2조제4호라목", "제2조제4호마목", "제2조제4호바목",
					       "제2조제4호사목", "제2조제4호아목", "제2조제4호자목",
					       "제2조제4호차목", "제2조제4호카목", NULL };
	(void)state;
	const struct catalog *c = need("kr-ai-basic-act-21311");
	expect_kind_ids(c, "domain", domains);
	const struct catalog_requirement *r = catalog_find_requirement(c, "제2조제4호차목");
	assert_string_equal(r->text.ko, "「교육기본법」 제9조제1항에 따른 유아교육ㆍ초등교육 및 중등교육에서의 학생 평가");
}

/* ---- EU AI Act ---- */

static void test_eu_ai_act_articles(void **state)
{
	static const struct {
		const char *id, *title;
	} articles[] = {
		{ "Art. 5", "Prohibited AI practices" },
		{ "Art. 6", "Classification rules for high-risk AI systems" },
		{ "Art. 9", "Risk management system" },
		{ "Art. 10", "Data and data governance" },
		{ "Art. 11", "Technical documentation" },
		{ "Art. 12", "Record-keeping" },
		{ "Art. 13", "Transparency and provision of information to deployers" },
		{ "Art. 14", "Human oversight" },
		{ "Art. 15", "Accuracy, robustness and cybersecurity" },
		{ "Art. 17", "Quality management system" },
		{ "Art. 26", "Obligations of deployers of high-risk AI systems" },
		{ "Art. 27", "Fundamental rights impact assessment for high-risk AI systems" },
		{ "Art. 50", "Transparency obligations for providers and deployers of certain AI systems" },
		{ "Art. 72", "Post-market monitoring by providers and post-market monitoring plan for high-risk AI systems" },
		{ "Art. 73", "Reporting of serious incidents" },
	};
	static const char *const points[] = { "Art. 5(1)(a)", "Art. 5(1)(b)", "Art. 5(1)(c)", "Art. 5(1)(d)",
					      "Art. 5(1)(e)", "Art. 5(1)(f)", "Art. 5(1)(g)", "Art. 5(1)(h)", NULL };
	static const char *const annex_iii[] = { "Annex III(1)", "Annex III(2)", "Annex III(3)", "Annex III(4)",
						 "Annex III(5)", "Annex III(6)", "Annex III(7)", "Annex III(8)", NULL };
	(void)state;
	const struct catalog *c = need("eu-ai-act-2024-1689");
	assert_int_equal(catalog_count_kind(c, "article"), sizeof articles / sizeof articles[0]);
	for (size_t i = 0; i < sizeof articles / sizeof articles[0]; i++)
		expect_title(c, articles[i].id, NULL, articles[i].title);
	expect_kind_ids(c, "point", points);
	expect_kind_ids(c, "annex-point", annex_iii);
	expect_title(c, "Annex III(8)", NULL, "Administration of justice and democratic processes");
	assert_non_null(catalog_find_requirement(c, "Annex I Section A"));
	assert_non_null(catalog_find_requirement(c, "Annex I Section B"));
}

/* ---- ethics standard and Seoul ---- */

static void test_ethics_standard(void **state)
{
	static const char *const principles[] = { "인간 존엄성 원칙", "사회의 공공선 원칙", "기술의 합목적성 원칙" };
	static const char *const requirements[] = { "인권 보장", "프라이버시 보호", "다양성 존중", "침해금지",
						    "공공성", "연대성", "데이터 관리", "책임성", "안전성", "투명성" };
	(void)state;
	const struct catalog *c = need("kr-ai-ethics-2020");
	assert_int_equal(catalog_count_kind(c, "principle"), 3);
	assert_int_equal(catalog_count_kind(c, "requirement"), 10);
	for (int i = 0; i < 3; i++) {
		char id[16];
		snprintf(id, sizeof id, "P%d", i + 1);
		expect_title(c, id, principles[i], NULL);
	}
	for (int i = 0; i < 10; i++) {
		char id[16];
		snprintf(id, sizeof id, "R%d", i + 1);
		expect_title(c, id, requirements[i], NULL);
	}
	/* the checklist is our paraphrase and must say so */
	for (size_t i = 0; i < c->requirement_count; i++)
		if (!strcmp(c->requirements[i].kind, "question"))
			assert_true(c->requirements[i].paraphrase);
	assert_true(catalog_count_kind(c, "question") >= 10);
	const struct catalog *seoul = need("seoul-ai-ethics-guideline");
	assert_true(seoul->provisional);
	assert_int_equal(seoul->requirement_count, 5);
}

/* ---- crosswalks ---- */

static void test_crosswalk_targets_exist(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	assert_int_equal(catalog_set_check(&lib, &e), 0);
	err_release(&e);
	assert_true(lib.crosswalk_count >= 6);
	size_t mapped_controls = 0;
	const struct catalog *iso = need("iso-iec-42001-2023");
	for (size_t i = 0; i < lib.crosswalk_count; i++) {
		const struct crosswalk *x = &lib.crosswalks[i];
		const struct catalog *from = need(x->from), *to = need(x->to);
		assert_true(x->mapping_count > 0);
		for (size_t k = 0; k < x->mapping_count; k++) {
			assert_non_null(catalog_find_requirement(from, x->mappings[k].from));
			assert_non_null(catalog_find_requirement(to, x->mappings[k].to));
			assert_non_null(x->mappings[k].rationale.ko);
			assert_non_null(x->mappings[k].rationale.en);
		}
	}
	for (size_t i = 0; i < iso->requirement_count; i++) {
		if (strcmp(iso->requirements[i].kind, "control"))
			continue;
		json_t *links = catalog_set_links(&lib, iso->id, iso->requirements[i].id);
		mapped_controls += json_array_size(links) > 0;
		json_decref(links);
	}
	assert_true(mapped_controls >= 31);
	expect_link("iso-iec-42001-2023", "A.6.2.8", "eu-ai-act-2024-1689", "Art. 12");
	expect_link("kr-ai-basic-act-21311", "제35조제1항", "eu-ai-act-2024-1689", "Art. 27");
}

/* ---- the checker on broken input ---- */

#define CAT_HEAD                                                                          \
	"{\n"                                                                             \
	"  \"format\": \"aims-catalog/1\",\n"                                             \
	"  \"id\": \"t\",\n"                                                              \
	"  \"version\": \"1\",\n"                                                         \
	"  \"title\": {\"ko\": \"시험\", \"en\": \"Test\"},\n"                            \
	"  \"publisher\": \"us\",\n"                                                      \
	"  \"source\": {\"citation\": \"none\"},\n"                                       \
	"  \"licence\": \"ours\",\n"

/* Adds text as file name; returns the status. */
static int add(struct catalog_set *s, const char *name, const char *text, struct err *e)
{
	return catalog_set_add(s, name, text, strlen(text), e);
}

/* Expects a field error on file:line whose message starts with "id: " and holds part. */
static void expect_problem(const struct err *e, const char *file, long line, const char *id,
			   const char *part)
{
	size_t i;
	json_t *item;
	json_array_foreach(e->fields, i, item) {
		const char *f = json_string_value(json_object_get(item, "field"));
		const char *m = json_string_value(json_object_get(item, "message"));
		json_t *l = json_object_get(item, "line");
		const char *item_id = json_string_value(json_object_get(item, "id"));
		if (strcmp(f, file) || !strstr(m, part))
			continue;
		if (line && json_integer_value(l) != line)
			continue;
		if (id && (!item_id || strcmp(item_id, id) || strncmp(m, id, strlen(id))))
			continue;
		return;
	}
	char *dump = json_dumps(e->fields, JSON_INDENT(1));
	print_error("no problem \"%s\" at %s:%ld for %s in\n%s\n", part, file, line, id ? id : "-",
		    dump ? dump : "null");
	free(dump);
	fail();
}

static void test_duplicate_id_names_file_line_and_id(void **state)
{
	(void)state;
	struct catalog_set s = CATALOG_SET_INIT;
	struct err e = ERR_INIT;
	const char *text = CAT_HEAD
		"  \"counts\": {\"clause\": 2},\n"                                        /* 9 */
		"  \"requirements\": [\n"                                                  /* 10 */
		"    {\"id\": \"1\", \"kind\": \"clause\", \"title\": {\"ko\": \"가\", \"en\": \"A\"}},\n" /* 11 */
		"    {\"id\": \"2\", \"kind\": \"clause\", \"title\": {\"ko\": \"나\", \"en\": \"B\"}},\n" /* 12 */
		"    {\"id\": \"1\", \"kind\": \"clause\", \"title\": {\"ko\": \"다\", \"en\": \"C\"}}\n"  /* 13 */
		"  ]\n}\n";
	assert_int_equal(add(&s, "bad.json", text, &e), AIMS_EINVAL);
	expect_problem(&e, "bad.json", 13, "1", "duplicate requirement id (first at line 11)");
	assert_int_equal(err_field_count(&e), 1);
	err_release(&e);
	catalog_set_release(&s);
}

static void test_missing_title_parent_and_counts(void **state)
{
	(void)state;
	struct catalog_set s = CATALOG_SET_INIT;
	struct err e = ERR_INIT;
	const char *text = CAT_HEAD
		"  \"counts\": {\"clause\": 3, \"control\": 1},\n"
		"  \"requirements\": [\n"
		"    {\"id\": \"4\", \"kind\": \"clause\", \"title\": {\"ko\": \"조직 상황\"}},\n" /* 11 */
		"    {\"id\": \"4.1\", \"kind\": \"clause\", \"parent\": \"9\",\n"                 /* 12 */
		"     \"title\": {\"ko\": \"가\", \"en\": \"A\"}},\n"
		"    {\"id\": \"A.1\", \"kind\": \"contrl\", \"title\": {\"ko\": \"가\", \"en\": \"A\"}},\n" /* 14 */
		"    {\"id\": \"x\", \"kind\": \"clause\", \"titel\": {\"ko\": \"가\", \"en\": \"A\"}}\n" /* 15 */
		"  ]\n}\n";
	assert_int_equal(add(&s, "c.json", text, &e), AIMS_EINVAL);
	expect_problem(&e, "c.json", 11, "4", "needs both \"ko\" and \"en\" (missing en)");
	expect_problem(&e, "c.json", 12, "4.1", "parent \"9\" is not an earlier requirement");
	expect_problem(&e, "c.json", 14, "A.1", "kind \"contrl\" is not declared in \"counts\"");
	expect_problem(&e, "c.json", 15, "x", "unknown member \"titel\"");
	expect_problem(&e, "c.json", 15, "x", "\"title\" is required");
	expect_problem(&e, "c.json", 9, "t", "declares 1 requirements of kind \"control\" but has 0");
	expect_problem(&e, "c.json", 9, "t", "declares 3 requirements of kind \"clause\" but has 1");
	err_release(&e);
	catalog_set_release(&s);
}

static void test_syntax_error_has_jansson_line(void **state)
{
	(void)state;
	struct catalog_set s = CATALOG_SET_INIT;
	struct err e = ERR_INIT;
	assert_int_equal(add(&s, "syntax.json", "{\n  \"format\": \"aims-catalog/1\",\n  \"id\": \n}\n", &e),
			 AIMS_EINVAL);
	expect_problem(&e, "syntax.json", 4, NULL, "not valid JSON");
	err_release(&e);
	assert_int_equal(add(&s, "dup.json", "{\"format\": \"aims-catalog/1\", \"id\": \"a\", \"id\": \"b\"}", &e),
			 AIMS_EINVAL);
	expect_problem(&e, "dup.json", 1, NULL, "duplicate");
	err_release(&e);
	assert_int_equal(add(&s, "fmt.json", "{\"format\": \"other\"}", &e), AIMS_EINVAL);
	expect_problem(&e, "fmt.json", 1, NULL, "\"format\" must be");
	err_release(&e);
	catalog_set_release(&s);
}

static const char *const good_catalog_b = "{\"format\": \"aims-catalog/1\", \"id\": \"b\", \"version\": \"1\",\n"
	"\"title\": {\"ko\": \"비\", \"en\": \"B\"}, \"publisher\": \"p\", \"source\": {\"citation\": \"c\"},\n"
	"\"licence\": \"l\", \"counts\": {\"item\": 1},\n"
	"\"requirements\": [{\"id\": \"b1\", \"kind\": \"item\", \"title\": {\"ko\": \"비1\", \"en\": \"B1\"}}]}\n";

static void test_crosswalk_problems(void **state)
{
	(void)state;
	struct catalog_set s = CATALOG_SET_INIT;
	struct err e = ERR_INIT;
	const char *a = CAT_HEAD "  \"counts\": {\"item\": 1},\n"
		"  \"requirements\": [{\"id\": \"a1\", \"kind\": \"item\", \"title\": {\"ko\": \"가\", \"en\": \"A\"}}]\n}\n";
	const char *x = "{\n"
		"  \"format\": \"aims-crosswalk/1\", \"id\": \"t--b\", \"from\": \"t\", \"to\": \"b\",\n"
		"  \"title\": {\"ko\": \"대응\", \"en\": \"Map\"},\n"
		"  \"mappings\": [\n"
		"    {\"from\": \"a1\", \"to\": \"b1\", \"relation\": \"subset\", \"rationale\": {\"ko\": \"왜\", \"en\": \"why\"}},\n" /* 5 */
		"    {\"from\": \"a1\", \"to\": \"b9\", \"relation\": \"related\", \"rationale\": {\"ko\": \"왜\", \"en\": \"why\"}},\n" /* 6 */
		"    {\"from\": \"a7\", \"to\": \"b1\", \"relation\": \"related\", \"rationale\": {\"ko\": \"왜\", \"en\": \"why\"}},\n" /* 7 */
		"    {\"from\": \"a1\", \"to\": \"b1\", \"relation\": \"same\", \"rationale\": {\"ko\": \"왜\"}}\n" /* 8 */
		"  ]\n}\n";
	assert_int_equal(add(&s, "a.json", a, &e), 0);
	assert_int_equal(add(&s, "b.json", good_catalog_b, &e), 0);
	assert_int_equal(add(&s, "x.json", x, &e), AIMS_EINVAL);
	expect_problem(&e, "x.json", 8, "a1", "relation \"same\" is not one of");
	expect_problem(&e, "x.json", 8, "a1", "\"rationale\" needs both");
	assert_int_equal(err_field_count(&e), 2);
	err_release(&e);
	assert_int_equal(catalog_set_check(&s, &e), AIMS_EINVAL);
	expect_problem(&e, "x.json", 6, "a1", "mapping target \"b9\" is not a requirement of b");
	expect_problem(&e, "x.json", 7, "a7", "no requirement \"a7\" in t");
	assert_int_equal(err_field_count(&e), 2);
	err_release(&e);

	/* subset read from the other side is superset */
	json_t *links = catalog_set_links(&s, "b", "b1");
	assert_int_equal(json_array_size(links), 1);
	json_t *l = json_array_get(links, 0);
	assert_string_equal(json_string_value(json_object_get(l, "relation")), "superset");
	assert_string_equal(json_string_value(json_object_get(l, "id")), "a1");
	json_decref(links);
	catalog_set_release(&s);
}

static void test_duplicate_catalog_and_missing_catalog(void **state)
{
	(void)state;
	struct catalog_set s = CATALOG_SET_INIT;
	struct err e = ERR_INIT;
	const char *x = "{\"format\": \"aims-crosswalk/1\", \"id\": \"q\", \"from\": \"b\", \"to\": \"zzz\",\n"
		"\"title\": {\"ko\": \"대응\", \"en\": \"Map\"},\n"
		"\"mappings\": [{\"from\": \"b1\", \"to\": \"z\", \"relation\": \"related\", \"rationale\": {\"ko\": \"왜\", \"en\": \"why\"}}]}\n";
	assert_int_equal(add(&s, "b.json", good_catalog_b, &e), 0);
	assert_int_equal(add(&s, "b2.json", good_catalog_b, &e), 0);
	assert_int_equal(add(&s, "q.json", x, &e), 0);
	assert_int_equal(catalog_set_check(&s, &e), AIMS_EINVAL);
	expect_problem(&e, "b2.json", 1, "b", "catalog id already used by b.json");
	expect_problem(&e, "q.json", 1, "q", "no catalog \"zzz\" (to)");
	err_release(&e);
	catalog_set_release(&s);
}

static void test_find_line(void **state)
{
	(void)state;
	const char *t = "{\n \"id\" : \"a\\\"b\",\n \"x\": {\"id\":\"c\"},\n \"id\": \"c\"\n}";
	assert_int_equal(catalog_find_line(t, strlen(t), "id", "a\"b", 0), 2);
	assert_int_equal(catalog_find_line(t, strlen(t), "id", "c", 0), 3);
	assert_int_equal(catalog_find_line(t, strlen(t), "id", "c", 1), 4);
	assert_int_equal(catalog_find_line(t, strlen(t), "id", "c", 2), 0);
	assert_int_equal(catalog_find_line(t, strlen(t), "id", NULL, 2), 4);
	assert_int_equal(catalog_find_line(t, strlen(t), "nope", NULL, 0), 0);
	/* a truncated buffer never reads past its end */
	assert_int_equal(catalog_find_line(t, 9, "id", "a\"b", 0), 0);
}

int main(void)
{
	const struct CMUnitTest library[] = {
		cmocka_unit_test(test_annex_a_has_exactly_the_38_controls),
		cmocka_unit_test(test_42001_clauses_4_to_10),
		cmocka_unit_test(test_seed_001_companion_links),
		cmocka_unit_test(test_nist_counts_and_ids),
		cmocka_unit_test(test_ai_basic_act_articles),
		cmocka_unit_test(test_ai_basic_act_high_impact_domains),
		cmocka_unit_test(test_eu_ai_act_articles),
		cmocka_unit_test(test_ethics_standard),
		cmocka_unit_test(test_crosswalk_targets_exist),
	};
	const struct CMUnitTest checker[] = {
		cmocka_unit_test(test_duplicate_id_names_file_line_and_id),
		cmocka_unit_test(test_missing_title_parent_and_counts),
		cmocka_unit_test(test_syntax_error_has_jansson_line),
		cmocka_unit_test(test_crosswalk_problems),
		cmocka_unit_test(test_duplicate_catalog_and_missing_catalog),
		cmocka_unit_test(test_find_line),
	};
	int failed = cmocka_run_group_tests_name("catalog library", library, load_library, release_library);
	failed += cmocka_run_group_tests_name("catalog checker", checker, NULL, NULL);
	return failed ? 1 : 0;
}
