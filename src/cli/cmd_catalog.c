/*
 * cmd_catalog.c: `aims catalog check|list|show`, the framework library on the
 * command line. No database: the catalogs are embedded into the binary, or read
 * from --dir when checking files being edited.
 *
 * check prints problems as "FILE:LINE: ID: message" on stderr, one per line, like a
 * compiler, so editors can jump to them; the exit status is 1 when there is any.
 * Everything printed comes from the files and goes through cli_print_text.
 */
#include "cli/internal.h"
#include "svc/catalogs.h"

#include <string.h>

#define OPT_DIR { "dir", "DIR", "read catalogs from DIR (and DIR/crosswalks) instead of the built-in copy" }

static const struct cli_option check_options[] = { OPT_DIR, CLI_OPT_END };
static const struct cli_option list_options[] = {
	OPT_DIR,
	{ "lang", "LANG", "ko (default) or en: language of the titles" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};
static const struct cli_option show_options[] = {
	OPT_DIR,
	{ "requirement", "NUM", "show one requirement (e.g. A.6.2.8) with its crosswalk links" },
	{ "lang", "LANG", "ko (default) or en: language of the requirement list" },
	{ "format", "F", "text (default) or json" },
	CLI_OPT_END,
};

/* Prints every field error of e as FILE:LINE: message (the message starts with the id). */
static void print_problems(const struct err *e)
{
	size_t i;
	json_t *item;
	json_array_foreach(e->fields, i, item) {
		json_t *line = json_object_get(item, "line");
		cli_print_text(stderr, json_string_value(json_object_get(item, "field")));
		if (json_is_integer(line))
			fprintf(stderr, ":%lld", (long long)json_integer_value(line));
		fputs(": ", stderr);
		cli_print_text(stderr, json_string_value(json_object_get(item, "message")));
		fputc('\n', stderr);
	}
}

/* Loads the library; on any problem prints them all and returns the exit code. */
static int load(const struct cli_args *a, struct catalog_set *s)
{
	struct err e = ERR_INIT;
	int rc = 0;
	if (svc_catalogs_load(cli_opt(a, "dir"), s, &e)) {
		print_problems(&e);
		fputs("aims: ", stderr);
		cli_print_text(stderr, e.message[0] ? e.message : err_code_name(e.code));
		fputc('\n', stderr);
		rc = CLI_EXIT_FAILURE;
	}
	err_release(&e);
	return rc;
}

static const char *pick(const struct catalog_text *t, const char *lang)
{
	const char *first = strcmp(lang, "en") == 0 ? t->en : t->ko;
	return first ? first : (t->ko ? t->ko : (t->en ? t->en : ""));
}

/* ---- check ---- */

static int run_check(const struct cli_args *a)
{
	struct catalog_set s = CATALOG_SET_INIT;
	size_t requirements = 0, mappings = 0;
	int rc = load(a, &s);
	if (rc)
		goto out;
	for (size_t i = 0; i < s.catalog_count; i++) {
		const struct catalog *c = &s.catalogs[i];
		const char *kind;
		json_t *n;
		requirements += c->requirement_count;
		fputs("  ", stdout);
		cli_print_text(stdout, c->id);
		fputs(c->provisional ? " (provisional):" : ":", stdout);
		json_object_foreach(c->counts, kind, n) {
			fputc(' ', stdout);
			cli_print_text(stdout, kind);
			printf(" %lld", (long long)json_integer_value(n));
		}
		fputc('\n', stdout);
	}
	for (size_t i = 0; i < s.crosswalk_count; i++)
		mappings += s.crosswalks[i].mapping_count;
	printf("ok: %zu catalogs with %zu requirements, %zu crosswalks with %zu mappings\n",
	       s.catalog_count, requirements, s.crosswalk_count, mappings);
out:
	catalog_set_release(&s);
	return rc;
}

/* ---- list ---- */

static int run_list(const struct cli_args *a)
{
	static const char *const langs[] = { "ko", "en", NULL };
	static const char *const formats[] = { "table", "json", NULL };
	static const size_t max_width[] = { 28, 36, 6, 70 };
	struct catalog_set s = CATALOG_SET_INIT;
	const char *lang = NULL, *format = NULL;
	json_t *out = NULL;
	int rc = 0;
	if ((rc = cli_opt_choice(a, "lang", langs, &lang)) || (rc = cli_opt_choice(a, "format", formats, &format)) ||
	    (rc = load(a, &s)))
		goto out;
	out = json_array();
	if (!strcmp(format, "table"))
		json_array_append_new(out, json_pack("[ssss]", "ID", "VERSION", "ITEMS", "TITLE"));
	for (size_t i = 0; i < s.catalog_count && out; i++) {
		const struct catalog *c = &s.catalogs[i];
		char n[32];
		snprintf(n, sizeof n, "%zu", c->requirement_count);
		if (!strcmp(format, "table"))
			json_array_append_new(out, json_pack("[ssss]", c->id, c->version ? c->version : "", n,
							     pick(&c->title, lang)));
		else
			json_array_append_new(out, json_pack("{ss ss* s{ss* ss*} sI sb ss}", "id", c->id, "version",
							     c->version, "title", "ko", c->title.ko, "en", c->title.en,
							     "requirements", (json_int_t)c->requirement_count,
							     "provisional", c->provisional, "file", c->file));
	}
	if (!out) {
		rc = cli_failf("out of memory");
		goto out;
	}
	if (!strcmp(format, "table"))
		cli_table_print(stdout, out, max_width);
	else
		rc = cli_print_json(stdout, out);
out:
	json_decref(out);
	catalog_set_release(&s);
	return rc;
}

/* ---- show ---- */

static size_t depth(const struct catalog *c, const struct catalog_requirement *r)
{
	size_t d = 0;
	while (r && r->parent && d < 8) {
		r = catalog_find_requirement(c, r->parent);
		d++;
	}
	return d;
}

static void print_pair(const char *label, const struct catalog_text *t)
{
	if (!t->ko && !t->en)
		return;
	printf("%s:\n", label);
	if (t->ko) {
		fputs("  ko: ", stdout);
		cli_print_text(stdout, t->ko);
		fputc('\n', stdout);
	}
	if (t->en) {
		fputs("  en: ", stdout);
		cli_print_text(stdout, t->en);
		fputc('\n', stdout);
	}
}

static void print_field(const char *label, const char *value)
{
	if (!value)
		return;
	printf("%s: ", label);
	cli_print_text(stdout, value);
	fputc('\n', stdout);
}

static int show_catalog(const struct catalog *c, const char *lang)
{
	static const size_t max_width[] = { 24, 16, 90 };
	json_t *rows = json_array();
	if (!rows)
		return cli_failf("out of memory");
	print_field("id", c->id);
	print_pair("title", &c->title);
	print_field("version", c->version);
	print_field("publisher", c->publisher);
	print_field("source", c->citation);
	print_field("url", c->url);
	print_field("licence", c->licence);
	if (c->provisional)
		puts("provisional: true (not the official text yet)");
	print_pair("note", &c->note);
	putchar('\n');
	json_array_append_new(rows, json_pack("[sss]", "ID", "KIND", "TITLE"));
	for (size_t i = 0; i < c->requirement_count; i++) {
		const struct catalog_requirement *r = &c->requirements[i];
		char indent[20];
		size_t d = depth(c, r);
		snprintf(indent, sizeof indent, "%*s", (int)(2 * d), "");
		json_t *row = json_pack("[s s s+]", r->id, r->kind, indent, pick(&r->title, lang));
		if (row)
			json_array_append_new(rows, row);
	}
	cli_table_print(stdout, rows, max_width);
	json_decref(rows);
	return 0;
}

static json_t *text_json(const struct catalog_text *t)
{
	if (!t->ko && !t->en)
		return json_null();
	return json_pack("{ss* ss*}", "ko", t->ko, "en", t->en);
}

static int show_requirement(const struct catalog_set *s, const struct catalog *c,
			    const struct catalog_requirement *r, const char *format)
{
	json_t *links = catalog_set_links(s, c->id, r->id), *out = NULL;
	size_t i;
	json_t *link;
	int rc = 0;
	if (!links)
		return cli_failf("out of memory");
	if (!strcmp(format, "json")) {
		out = json_pack("{ss ss ss ss* so so so so sb sO}", "catalog", c->id, "id", r->id, "kind", r->kind,
				"parent", r->parent, "title", text_json(&r->title), "description",
				text_json(&r->description), "guidance", text_json(&r->guidance), "text",
				text_json(&r->text), "paraphrase", r->paraphrase, "links", links);
		rc = out ? cli_print_json(stdout, out) : cli_failf("out of memory");
		goto out;
	}
	print_field("catalog", c->id);
	print_field("id", r->id);
	print_field("kind", r->kind);
	print_field("parent", r->parent);
	print_pair("title", &r->title);
	print_pair("description", &r->description);
	print_pair("guidance", &r->guidance);
	print_pair("text (official)", &r->text);
	if (r->paraphrase)
		puts("paraphrase: true (our wording, not the official text)");
	for (size_t k = 0; k < c->requirement_count; k++)
		if (c->requirements[k].parent && strcmp(c->requirements[k].parent, r->id) == 0) {
			fputs("child: ", stdout);
			cli_print_text(stdout, c->requirements[k].id);
			fputs("  ", stdout);
			cli_print_text(stdout, pick(&c->requirements[k].title, "ko"));
			fputc('\n', stdout);
		}
	printf("\nThis requirement also covers / 다른 체계와의 대응 (%zu):\n", json_array_size(links));
	if (json_array_size(links) == 0)
		puts("  (none mapped)");
	json_array_foreach(links, i, link) {
		const char *other_catalog = json_string_value(json_object_get(link, "catalog"));
		const char *other_id = json_string_value(json_object_get(link, "id"));
		const struct catalog *oc = catalog_set_find(s, other_catalog);
		const struct catalog_requirement *or = oc ? catalog_find_requirement(oc, other_id) : NULL;
		json_t *why = json_object_get(link, "rationale");
		printf("  %-10s ", json_string_value(json_object_get(link, "relation")));
		cli_print_text(stdout, other_catalog);
		fputc(' ', stdout);
		cli_print_text(stdout, other_id);
		if (or) {
			fputs("  ", stdout);
			cli_print_cut(stdout, pick(&or->title, "ko"), 60);
			fputs(" / ", stdout);
			cli_print_cut(stdout, pick(&or->title, "en"), 60);
		}
		fputc('\n', stdout);
		const char *ko = json_string_value(json_object_get(why, "ko"));
		const char *en = json_string_value(json_object_get(why, "en"));
		if (ko) {
			fputs("             ko: ", stdout);
			cli_print_text(stdout, ko);
			fputc('\n', stdout);
		}
		if (en) {
			fputs("             en: ", stdout);
			cli_print_text(stdout, en);
			fputc('\n', stdout);
		}
	}
out:
	json_decref(links);
	json_decref(out);
	return rc;
}

static int run_show(const struct cli_args *a)
{
	static const char *const langs[] = { "ko", "en", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	struct catalog_set s = CATALOG_SET_INIT;
	const char *lang = NULL, *format = NULL, *number = cli_opt(a, "requirement");
	int rc = 0;
	if (a->positional_count != 1) {
		rc = cli_usage(a, "give one catalog id (see 'aims catalog list')");
		goto out;
	}
	if ((rc = cli_opt_choice(a, "lang", langs, &lang)) || (rc = cli_opt_choice(a, "format", formats, &format)) ||
	    (rc = load(a, &s)))
		goto out;
	const struct catalog *c = catalog_set_find(&s, a->positional[0]);
	if (!c) {
		rc = cli_failf("no catalog '%s' (see 'aims catalog list')", a->positional[0]);
		goto out;
	}
	if (!number) {
		if (!strcmp(format, "json")) {
			rc = cli_print_json(stdout, c->root);
			goto out;
		}
		rc = show_catalog(c, lang);
		goto out;
	}
	const struct catalog_requirement *r = catalog_find_requirement(c, number);
	if (!r) {
		rc = cli_failf("no requirement '%s' in %s", number, c->id);
		goto out;
	}
	rc = show_requirement(&s, c, r, format);
out:
	catalog_set_release(&s);
	return rc;
}

/* ---- the tree ---- */

static const struct cli_command catalog_check = {
	.name = "check",
	.summary = "Validate the framework catalogs and crosswalks",
	.summary_ko = "프레임워크 카탈로그와 대응표를 검사합니다",
	.usage = "catalog check [--dir DIR]",
	.options = check_options,
	.details = "Checks ids are unique, parents and mapping targets exist, every requirement has\n"
		   "Korean and English titles and the declared counts hold. Problems are printed\n"
		   "as FILE:LINE: ID: message; exit status 1 when there is any.\n"
		   "Example:\n  aims catalog check --dir catalogs\n",
	.run = run_check,
};

static const struct cli_command catalog_list = {
	.name = "list",
	.summary = "List the framework catalogs",
	.summary_ko = "프레임워크 카탈로그 목록을 봅니다",
	.usage = "catalog list [--dir DIR] [--lang ko|en] [--format table|json]",
	.options = list_options,
	.run = run_list,
};

static const struct cli_command catalog_show = {
	.name = "show",
	.summary = "Show a catalog, or one requirement with its crosswalk links",
	.summary_ko = "카탈로그나 요구사항 하나와 그 대응 관계를 봅니다",
	.usage = "catalog show ID [--requirement NUM] [--dir DIR] [--lang ko|en] [--format text|json]",
	.options = show_options,
	.details = "Examples:\n"
		   "  aims catalog show iso-iec-42001-2023\n"
		   "  aims catalog show iso-iec-42001-2023 --requirement A.6.2.8\n"
		   "  aims catalog show kr-ai-basic-act-21311 --requirement 제34조제1항제4호\n",
	.max_positional = 1,
	.run = run_show,
};

static const struct cli_command *const catalog_subcommands[] = { &catalog_check, &catalog_list,
								 &catalog_show, NULL };

const struct cli_command cli_cmd_catalog = {
	.name = "catalog",
	.summary = "Browse and check the framework library (ISO/IEC 42001, AI Basic Act, ...)",
	.summary_ko = "프레임워크 라이브러리(ISO/IEC 42001, 인공지능기본법 등)를 보고 검사합니다",
	.usage = "catalog COMMAND [OPTIONS]",
	.subcommands = catalog_subcommands,
};
