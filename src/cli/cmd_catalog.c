/*
 * cmd_catalog.c: `aims catalog check|list|show|diff|touched`, the framework library
 * on the command line. check, list, show and diff need no database: the catalogs are
 * embedded into the binary, or read from --dir (default $AIMS_CATALOGS) when checking
 * files being edited. touched reads the stored entries as a named user (--as).
 *
 * check prints problems as "FILE:LINE: ID: message" on stderr, one per line, like a
 * compiler, so editors can jump to them; the exit status is 1 when there is any.
 * Everything printed comes from the files or the database and goes through
 * cli_print_text (or the table printer, which does the same).
 */
#include "cli/internal.h"
#include "svc/catalogs.h"
#include "svc/svc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OPT_DIR { "dir", "DIR", "read catalogs from DIR (and DIR/crosswalks) instead of the built-in copy (default: $AIMS_CATALOGS)" }
#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }

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
static const struct cli_option diff_options[] = {
	{ "catalog", "ID", "the catalog, e.g. iso-iec-42001-2023 (required)" },
	{ "from", "PATH|VERSION", "the earlier version: a catalog file, a library directory, or a version held here (required)" },
	{ "to", "PATH", "the later version (default: the library in use)" },
	{ "lang", "LANG", "ko (default) or en: language of the titles" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};
static const struct cli_option touched_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "catalog", "ID", "the catalog (required)" },
	{ "from", "PATH|VERSION", "the text of an earlier version the library does not hold" },
	{ "lang", "LANG", "ko (default) or en: language of the titles" },
	{ "format", "F", "table (default) or json" },
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
	if (svc_catalogs_load(cli_opt_env(a, "dir", "AIMS_CATALOGS"), s, &e)) {
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
	struct catalog_set s = CATALOG_SET_INIT, previous = CATALOG_SET_INIT;
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
	/* The earlier versions beside the library are held to the same rules. */
	struct err e = ERR_INIT;
	if (svc_catalogs_load_previous(cli_opt_env(a, "dir", "AIMS_CATALOGS"), getenv("AIMS_CATALOG_PREVIOUS"), &s,
				       &previous, &e)) {
		print_problems(&e);
		fputs("aims: ", stderr);
		cli_print_text(stderr, e.message[0] ? e.message : err_code_name(e.code));
		fputc('\n', stderr);
		rc = CLI_EXIT_FAILURE;
	}
	err_release(&e);
	for (size_t i = 0; i < previous.catalog_count; i++) {
		fputs("  earlier: ", stdout);
		cli_print_text(stdout, previous.catalogs[i].id);
		fputs(" ", stdout);
		cli_print_text(stdout, previous.catalogs[i].version ? previous.catalogs[i].version : "?");
		fputs(" (", stdout);
		cli_print_text(stdout, previous.catalogs[i].file);
		fputs(")\n", stdout);
	}
	if (!rc)
		printf("ok: %zu catalogs with %zu requirements, %zu crosswalks with %zu mappings, %zu earlier versions\n",
		       s.catalog_count, requirements, s.crosswalk_count, mappings, previous.catalog_count);
out:
	catalog_set_release(&s);
	catalog_set_release(&previous);
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

/* ---- catalog versions ---- */

int cli_catalog_from(const char *from, const char *catalog_id, struct catalog_set *set,
		     const struct catalog **out)
{
	struct err e = ERR_INIT;
	struct stat st;
	const struct catalog_set *previous = NULL, *current = NULL;
	int rc = 0;
	*out = NULL;
	catalog_set_init(set);
	if (stat(from, &st) == 0 || strchr(from, '/') || (strlen(from) > 5 && !strcmp(from + strlen(from) - 5, ".json"))) {
		if (svc_catalogs_open_path(from, catalog_id, set, out, &e) && e.code == AIMS_EINVAL) {
			print_problems(&e); /* FILE:LINE: ID: message, as check prints them */
			rc = cli_failf("%s", e.message);
		} else if (e.code) {
			rc = cli_fail(&e);
		}
	} else if (svc_catalogs_previous(&previous, &e) || svc_catalogs_builtin(&current, &e)) {
		rc = cli_fail(&e);
	} else if (!(*out = svc_catalogs_find_version(previous, catalog_id, from)) &&
		   !(*out = svc_catalogs_find_version(current, catalog_id, from))) {
		rc = cli_failf("no file '%s', and no version '%s' of %s is held here (see AIMS_CATALOG_PREVIOUS)", from, from,
			       catalog_id);
	}
	err_release(&e);
	return rc;
}

static const char *text_in(json_t *pair, const char *lang)
{
	const char *t = json_string_value(json_object_get(pair, lang));
	return t ? t : json_string_value(json_object_get(pair, strcmp(lang, "ko") ? "ko" : "en"));
}

/* "a, b" of a JSON array of strings, or "-" when empty (into out). */
static const char *joined(json_t *list, char *out, size_t n)
{
	size_t used = 0, i;
	json_t *v;
	out[0] = '\0';
	json_array_foreach(list, i, v) {
		int k = snprintf(out + used, n - used, "%s%s", i ? ", " : "", json_string_value(v));
		if (k < 0 || used + (size_t)k >= n)
			break;
		used += (size_t)k;
	}
	return used ? out : "-";
}

static void print_diff(json_t *d, const char *lang)
{
	static const size_t widths[] = { 8, 16, 36, 6, 70 };
	static const char *const sections[] = { "added", "removed", "changed" };
	char fields[256];
	json_t *sum = json_object_get(d, "summary"), *rows = json_array();
	cli_print_text(stdout, json_string_value(json_object_get(d, "catalog_id")));
	fputs(": ", stdout);
	cli_print_text(stdout, json_string_value(json_object_get(json_object_get(d, "from"), "version")));
	fputs(" -> ", stdout);
	cli_print_text(stdout, json_string_value(json_object_get(json_object_get(d, "to"), "version")));
	printf(" (%lld -> %lld requirements)\n", (long long)json_integer_value(json_object_get(json_object_get(d, "from"), "requirements")),
	       (long long)json_integer_value(json_object_get(json_object_get(d, "to"), "requirements")));
	if (json_array_size(json_object_get(d, "metadata"))) {
		fputs("catalog members changed: ", stdout);
		cli_print_text(stdout, joined(json_object_get(d, "metadata"), fields, sizeof fields));
		fputc('\n', stdout);
	}
	json_array_append_new(rows, json_pack("[sssss]", "CHANGE", "ID", "FIELDS", "REVIEW", "TITLE"));
	for (size_t k = 0; k < 3; k++) {
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(d, sections[k]), i, it) {
			bool changed = k == 2;
			const char *title = text_in(json_object_get(it, "title"), lang);
			json_array_append_new(rows, json_pack("[sssss]", sections[k], json_string_value(json_object_get(it, "id")),
							      changed ? joined(json_object_get(it, "fields"), fields, sizeof fields) : "-",
							      !changed ? "-" : json_is_true(json_object_get(it, "review")) ? "yes" : "no",
							      title ? title : ""));
		}
	}
	if (json_array_size(rows) > 1)
		cli_table_print(stdout, rows, widths);
	json_decref(rows);
	printf("%lld added, %lld removed, %lld changed (%lld need review of the entries made against them)\n",
	       (long long)json_integer_value(json_object_get(sum, "added")),
	       (long long)json_integer_value(json_object_get(sum, "removed")),
	       (long long)json_integer_value(json_object_get(sum, "changed")),
	       (long long)json_integer_value(json_object_get(sum, "review")));
}

static int run_diff(const struct cli_args *a)
{
	static const char *const langs[] = { "ko", "en", NULL };
	static const char *const formats[] = { "table", "json", NULL };
	struct catalog_set from_set = CATALOG_SET_INIT, to_set = CATALOG_SET_INIT;
	const struct catalog *from = NULL, *to = NULL;
	const char *catalog_id = NULL, *from_arg = NULL, *to_arg = cli_opt(a, "to"), *lang = NULL, *format = NULL;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int rc = 0;
	if ((rc = cli_require(a, "catalog", &catalog_id)) || (rc = cli_require(a, "from", &from_arg)) ||
	    (rc = cli_opt_choice(a, "lang", langs, &lang)) || (rc = cli_opt_choice(a, "format", formats, &format)))
		goto out;
	if ((rc = cli_catalog_from(from_arg, catalog_id, &from_set, &from)))
		goto out;
	if (to_arg) {
		if (svc_catalogs_open_path(to_arg, catalog_id, &to_set, &to, &e)) {
			if (e.code == AIMS_EINVAL)
				print_problems(&e);
			rc = e.code == AIMS_EINVAL ? cli_failf("%s", e.message) : cli_fail(&e);
			goto out;
		}
	} else {
		const struct catalog_set *lib = NULL;
		if (svc_catalogs_builtin(&lib, &e)) {
			rc = cli_fail(&e);
			goto out;
		}
		if (!(to = catalog_set_find(lib, catalog_id))) {
			rc = cli_failf("no catalog '%s' in the library in use (see 'aims catalog list')", catalog_id);
			goto out;
		}
	}
	if (svc_catalog_diff(from, to, &out, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json"))
		rc = cli_print_json(stdout, out);
	else
		print_diff(out, lang);
out:
	json_decref(out);
	err_release(&e);
	catalog_set_release(&from_set);
	catalog_set_release(&to_set);
	return rc;
}

static void print_counts_row(json_t *rows, const char *label, json_t *counts)
{
	static const char *const names[] = { "unchanged", "editorial", "changed", "unknown", "removed", "review" };
	json_t *row = json_pack("[s]", label);
	for (size_t i = 0; i < 6; i++) {
		char n[24];
		snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(counts, names[i])));
		json_array_append_new(row, json_string(n));
	}
	json_array_append_new(rows, row);
}

static void print_touched(json_t *t, const char *lang)
{
	static const size_t version_widths[] = { 24, 6, 6, 6, 12, 70 };
	static const size_t count_widths[] = { 40, 10, 10, 8, 8, 8, 8 };
	static const size_t item_widths[] = { 32, 16, 20, 10, 30, 60 };
	char buf[256];
	size_t i, k;
	json_t *v, *g, *it;
	cli_print_text(stdout, json_string_value(json_object_get(t, "catalog_id")));
	fputs(" in use: ", stdout);
	cli_print_text(stdout, json_string_value(json_object_get(t, "version")));
	fputc('\n', stdout);
	json_t *rows = json_pack("[[ssssss]]", "VERSION", "KNOWN", "ROWS", "SOA", "ASSESSMENTS", "CHANGES");
	json_array_foreach(json_object_get(t, "versions"), i, v) {
		char n[3][24];
		json_t *c = json_object_get(v, "counts");
		snprintf(n[0], sizeof n[0], "%lld", (long long)json_integer_value(json_object_get(v, "rows")));
		snprintf(n[1], sizeof n[1], "%lld", (long long)json_integer_value(json_object_get(v, "soa")));
		snprintf(n[2], sizeof n[2], "%lld", (long long)json_integer_value(json_object_get(v, "assessments")));
		snprintf(buf, sizeof buf, "unchanged %lld, editorial %lld, changed %lld, unknown %lld, removed %lld",
			 (long long)json_integer_value(json_object_get(c, "unchanged")),
			 (long long)json_integer_value(json_object_get(c, "editorial")),
			 (long long)json_integer_value(json_object_get(c, "changed")),
			 (long long)json_integer_value(json_object_get(c, "unknown")),
			 (long long)json_integer_value(json_object_get(c, "removed")));
		json_array_append_new(rows, json_pack("[ssssss]", json_string_value(json_object_get(v, "version")),
						      json_is_true(json_object_get(v, "known")) ? "yes" : "no", n[0], n[1], n[2], buf));
	}
	if (json_array_size(rows) > 1) {
		puts("\nRows still tied to another version:");
		cli_table_print(stdout, rows, version_widths);
	} else {
		puts("No stored row is tied to another version.");
	}
	json_decref(rows);
	printf("Waiting for review: %lld\n", (long long)json_integer_value(json_object_get(t, "review")));
	static const char *const kinds[] = { "orgs", "systems" };
	for (k = 0; k < 2; k++) {
		bool soa = k == 0;
		json_t *groups = json_object_get(t, kinds[k]);
		if (!json_array_size(groups))
			continue;
		printf("\n%s:\n", soa ? "Statement of Applicability entries, per organisation"
				      : "Assessments, per AI system");
		rows = json_pack("[[sssssss]]", soa ? "ORGANISATION" : "SYSTEM", "UNCHANGED", "EDITORIAL", "CHANGED",
				 "UNKNOWN", "REMOVED", "REVIEW");
		json_t *items = json_pack("[[ssssss]]", soa ? "ORGANISATION" : "SYSTEM", soa ? "CONTROL" : "REQUIREMENT",
					  "VERSION", "CHANGE", "FIELDS", "TITLE");
		json_array_foreach(groups, i, g) {
			const char *name = json_string_value(json_object_get(g, soa ? "org_name" : "system_name"));
			snprintf(buf, sizeof buf, "%s (#%lld)", name ? name : "",
				 (long long)json_integer_value(json_object_get(g, soa ? "org_id" : "system_id")));
			print_counts_row(rows, buf, json_object_get(g, "counts"));
			size_t j;
			json_array_foreach(json_object_get(g, "items"), j, it) {
				char fields[256];
				const char *title = text_in(json_object_get(it, "title"), lang);
				json_array_append_new(items, json_pack("[ssssss]", buf,
								       json_string_value(json_object_get(it, soa ? "control_id" : "requirement_id")),
								       json_string_value(json_object_get(it, "catalog_version")),
								       json_string_value(json_object_get(it, "change")),
								       joined(json_object_get(it, "fields"), fields, sizeof fields),
								       title ? title : ""));
			}
		}
		cli_table_print(stdout, rows, count_widths);
		putchar('\n');
		cli_table_print(stdout, items, item_widths);
		json_decref(rows);
		json_decref(items);
	}
}

static int run_touched(const struct cli_args *a)
{
	static const char *const langs[] = { "ko", "en", NULL };
	static const char *const formats[] = { "table", "json", NULL };
	struct catalog_set from_set = CATALOG_SET_INIT;
	const struct catalog *from = NULL;
	const char *catalog_id = NULL, *lang = NULL, *format = NULL, *from_arg = cli_opt(a, "from");
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int rc = 0;
	if ((rc = cli_require(a, "catalog", &catalog_id)) || (rc = cli_opt_choice(a, "lang", langs, &lang)) ||
	    (rc = cli_opt_choice(a, "format", formats, &format)))
		goto out;
	if (from_arg && (rc = cli_catalog_from(from_arg, catalog_id, &from_set, &from)))
		goto out;
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_catalog_touched(store, &actor, catalog_id, from, &out, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json"))
		rc = cli_print_json(stdout, out);
	else
		print_touched(out, lang);
out:
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	catalog_set_release(&from_set);
	return rc;
}

static void print_migration(json_t *r, const char *locale)
{
	static const size_t widths[] = { 16, 20, 10, 30, 60 };
	json_t *c = json_object_get(r, "counts");
	bool soa = json_is_integer(json_object_get(r, "org_id"));
	printf("%lld %s moved to ", (long long)json_integer_value(json_object_get(r, "migrated")),
	       soa ? "Statement of Applicability entries" : "assessments");
	cli_print_text(stdout, json_string_value(json_object_get(r, "catalog_id")));
	fputc(' ', stdout);
	cli_print_text(stdout, json_string_value(json_object_get(r, "version")));
	printf(": unchanged %lld, editorial %lld, changed %lld and unknown %lld (these wait for review), "
	       "removed %lld (kept as they were, not listed)\n",
	       (long long)json_integer_value(json_object_get(c, "unchanged")),
	       (long long)json_integer_value(json_object_get(c, "editorial")),
	       (long long)json_integer_value(json_object_get(c, "changed")),
	       (long long)json_integer_value(json_object_get(c, "unknown")),
	       (long long)json_integer_value(json_object_get(c, "removed")));
	json_t *rows = json_pack("[[sssss]]", soa ? "CONTROL" : "REQUIREMENT", "FROM", "CHANGE", "FIELDS", "TITLE");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(r, "items"), i, it) {
		char fields[256];
		const char *title = text_in(json_object_get(it, "title"), locale);
		json_array_append_new(rows, json_pack("[sssss]", json_string_value(json_object_get(it, soa ? "control_id" : "requirement_id")),
						      json_string_value(json_object_get(it, "from_version")),
						      json_string_value(json_object_get(it, "change")),
						      joined(json_object_get(it, "fields"), fields, sizeof fields), title ? title : ""));
	}
	if (json_array_size(rows) > 1)
		cli_table_print(stdout, rows, widths);
	json_decref(rows);
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

static const struct cli_command catalog_diff = {
	.name = "diff",
	.summary = "Show what changed between two versions of a catalog",
	.summary_ko = "카탈로그의 두 판 사이에 바뀐 것을 보여 줍니다",
	.usage = "catalog diff --catalog ID --from PATH|VERSION [--to PATH] [--lang ko|en]\n"
		 "                         [--format table|json]",
	.options = diff_options,
	.details = "Requirements are matched by id: added, removed, and changed with the fields that\n"
		   "changed. A change of kind, title, description, official text or paraphrase means\n"
		   "entries made against the old text need review; guidance or parent alone do not.\n"
		   "--from names a catalog file, a library directory, or an earlier version held here\n"
		   "(catalogs/previous/, AIMS_CATALOG_PREVIOUS). Exit status 1 on any error.\n"
		   "Examples:\n"
		   "  aims catalog diff --catalog iso-iec-42001-2023 --from old/iso-iec-42001-2023.json\n"
		   "  aims catalog diff --catalog iso-iec-42001-2023 --from 2023-test-0 --format json\n",
	.run = run_diff,
};

static const struct cli_command catalog_touched = {
	.name = "touched",
	.summary = "Show which stored SoA entries and assessments a catalog version touches",
	.summary_ko = "카탈로그 판이 바뀌어 영향을 받는 적용성 항목과 평가를 보여 줍니다",
	.usage = "catalog touched --db PATH --as EMAIL --catalog ID [--from PATH|VERSION]\n"
		 "                            [--lang ko|en] [--format table|json]",
	.options = touched_options,
	.details = "Lists, per organisation and AI system you can see, the entries still tied to\n"
		   "another version of the catalog (unchanged, editorial, changed, unknown when that\n"
		   "version's text is not held here, removed) and those waiting for review, and how\n"
		   "many rows each older version still has. Move them with 'aims soa migrate' and\n"
		   "'aims assessment migrate'.\n",
	.run = run_touched,
};

static const struct cli_command *const catalog_subcommands[] = { &catalog_check, &catalog_list, &catalog_show,
								 &catalog_diff, &catalog_touched, NULL };

const struct cli_command cli_cmd_catalog = {
	.name = "catalog",
	.summary = "Browse, check and compare the framework library (ISO/IEC 42001, AI Basic Act, ...)",
	.summary_ko = "프레임워크 라이브러리(ISO/IEC 42001, 인공지능기본법 등)를 보고 검사합니다",
	.usage = "catalog COMMAND [OPTIONS]",
	.subcommands = catalog_subcommands,
};

int cli_run_migration(const struct cli_args *a, const char *catalog_id, const char *target_key,
		      int64_t target_id)
{
	static const char *const formats[] = { "table", "json", NULL };
	struct catalog_set from_set = CATALOG_SET_INIT;
	const struct catalog *from = NULL;
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = json_pack("{sI}", target_key, (json_int_t)target_id);
	const char *format = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc && cli_opt(a, "from"))
		rc = cli_catalog_from(cli_opt(a, "from"), catalog_id, &from_set, &from);
	if (rc || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_catalog_migrate(store, &actor, catalog_id, input, from, &out, &e))
		rc = cli_fail(&e);
	else if (!strcmp(format, "json"))
		rc = cli_print_json(stdout, out) ? CLI_EXIT_FAILURE : 0;
	else
		print_migration(out, actor.locale);
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	catalog_set_release(&from_set);
	return rc;
}
