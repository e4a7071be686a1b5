/*
 * cmd_system.c: `aims system list|show|add|export|import`, the AI system inventory
 * from the command line.
 *
 * Unlike the operator commands, these act as a named user (--as EMAIL or AIMS_USER),
 * whose roles and organisations apply exactly as in the web UI and the API: the CLI
 * is not a way around the rights model. Every command opens the store, loads the
 * actor, makes its svc call(s) and releases both on the one exit path.
 */
#include "cli/internal.h"
#include "base/buf.h"
#include "model/record.h"
#include "svc/svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEM_LIST_LIMIT_MAX 100000 /* svc enforces the real range (1..500) */

#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }
#define OPT_FILTERS \
	{ "q", "TEXT", "only systems whose name, purpose or vendor contains TEXT" }, \
	{ "stage", "S", "only this life-cycle stage (e.g. operation_monitoring)" }, \
	{ "org", "ID", "only this organisation and the ones below it" }, \
	{ "org-role", "R", "only provider, deployer, both or importer_distributor" }, \
	{ "owner-id", "ID", "only systems owned by this user id" }, \
	{ "status", "S", "active (default), archived or all" }, \
	{ "sort", "KEY", "id (default), name or updated_at" }, \
	{ "order", "asc|desc", "sort order (default asc)" }

static const struct cli_option list_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_FILTERS,
	{ "limit", "N", "at most N systems, 1 to 500 (default 50)" },
	{ "cursor", "C", "continue after the page that printed this cursor" },
	{ "format", "F", "table (default), json (the whole response) or csv" },
	CLI_OPT_END,
};

static const struct cli_option show_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "format", "F", "text (default) or json (the system with a \"history\" array)" },
	CLI_OPT_END,
};

static const struct cli_option add_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "file", "F.json", "read the system from a JSON object (API field names; - for stdin)" },
	{ "name", "N", "name, unique within the organisation" },
	{ "purpose", "P", "what the system is for" },
	{ "stage", "S", "life-cycle stage (ISO/IEC 22989), e.g. design_development" },
	{ "description", "D", "longer description" },
	{ "org", "ID", "organisation (default: your own)" },
	{ "org-role", "R", "provider, deployer (default), both or importer_distributor" },
	{ "techniques", "a,b", "techniques, e.g. nlp,llm" },
	{ "vendor", "V", "supplier of the system" },
	{ "data-sources", "TEXT", "data the system uses" },
	{ "affected-people", "TEXT", "who is affected by its outputs" },
	{ "decision-role", "R", "informs (default) or makes" },
	{ "human-oversight", "H", "in_the_loop (default), on_the_loop, in_command or none" },
	{ "owner-id", "ID", "owning user's id (default: you)" },
	CLI_OPT_END,
};

static const struct cli_option export_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_FILTERS,
	{ "format", "F", "csv (default, re-importable) or json" },
	{ "output", "FILE", "write to FILE instead of stdout" },
	CLI_OPT_END,
};

static const struct cli_option import_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "file", "F.csv", "CSV file with a header line, at most 10 MiB (- for stdin; required)" },
	CLI_OPT_END,
};

/* Options of `add` and the API fields they fill. */
static const struct {
	const char *option, *field;
	bool id;
} add_fields[] = {
	{ "name", "name", false },
	{ "purpose", "purpose", false },
	{ "stage", "lifecycle_stage", false },
	{ "description", "description", false },
	{ "org", "org_id", true },
	{ "org-role", "org_role", false },
	{ "techniques", "techniques", false },
	{ "vendor", "vendor", false },
	{ "data-sources", "data_sources", false },
	{ "affected-people", "affected_people", false },
	{ "decision-role", "decision_role", false },
	{ "human-oversight", "human_oversight", false },
	{ "owner-id", "owner_user_id", true },
};

/* ---- shared steps ---- */

static int read_query(const struct cli_args *a, bool paging, struct svc_system_query *q)
{
	int64_t org = 0, owner = 0, limit = 0;
	int rc = 0;
	memset(q, 0, sizeof *q);
	q->q = cli_opt(a, "q");
	q->lifecycle_stage = cli_opt(a, "stage");
	q->org_role = cli_opt(a, "org-role");
	q->status = cli_opt(a, "status");
	q->sort = cli_opt(a, "sort");
	q->order = cli_opt(a, "order");
	if ((rc = cli_opt_int(a, "org", 1, INT64_MAX, &org)) ||
	    (rc = cli_opt_int(a, "owner-id", 1, INT64_MAX, &owner)))
		return rc;
	q->org_id = org;
	q->owner_user_id = owner;
	if (paging) {
		if ((rc = cli_opt_int(a, "limit", 1, SYSTEM_LIST_LIMIT_MAX, &limit)))
			return rc;
		q->limit = (int)limit;
		q->cursor = cli_opt(a, "cursor");
	}
	return 0;
}

static int print_csv(json_t *list, const char *path)
{
	struct err e = ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	int rc = 0;
	if (svc_system_csv(list, &text, &len, &e) != 0)
		rc = cli_fail(&e);
	else
		rc = cli_write_output(path, text, len);
	free(text);
	err_release(&e);
	return rc;
}

/* ---- list ---- */

static void print_table(json_t *res)
{
	static const size_t max_width[] = { 8, 40, 24, 28, 32 };
	json_t *items = json_object_get(res, "items");
	json_t *rows = json_pack("[[sssss]]", "id", "name", "stage", "organisation", "owner");
	size_t i;
	json_t *sys;
	json_array_foreach(items, i, sys) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(sys, "id")));
		json_array_append_new(rows, json_pack("[sssss]", id, cli_str_or(sys, "name", ""),
						      cli_str_or(sys, "lifecycle_stage", ""), cli_str_or(sys, "org_name", ""),
						      cli_str_or(sys, "owner_email", "")));
	}
	if (json_array_size(items))
		cli_table_print(stdout, rows, max_width);
	printf("%zu of %lld", json_array_size(items), (long long)json_integer_value(json_object_get(res, "total")));
	const char *next = json_string_value(json_object_get(res, "next_cursor"));
	if (next)
		printf("; next: --cursor %s", next);
	putchar('\n');
	json_decref(rows);
}

static int run_list(const struct cli_args *a)
{
	static const char *const formats[] = { "table", "json", "csv", NULL };
	struct err e = ERR_INIT;
	struct actor actor = { 0 };
	struct store *store = NULL;
	struct svc_system_query q;
	json_t *res = NULL;
	const char *format = NULL;
	int rc = 0;

	if ((rc = cli_opt_choice(a, "format", formats, &format)) || (rc = read_query(a, true, &q)) ||
	    (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_system_list(store, &actor, &q, &res, &e) != 0) {
		/* a bad filter value is a mistake on the command line */
		rc = e.code == AIMS_EBADREQ ? (cli_fail(&e), CLI_EXIT_USAGE) : cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json"))
		rc = cli_print_json(stdout, res);
	else if (!strcmp(format, "csv"))
		rc = print_csv(json_object_get(res, "items"), NULL);
	else
		print_table(res);
out:
	json_decref(res);
	actor_release(&actor);
	store_close(store);
	err_release(&e);
	return rc;
}

/* ---- show ---- */

/* One "label: value" line; continuation lines of multi-line text are indented. */
static void print_field(const char *label, const char *value)
{
	char *copy = strdup(value);
	char *line = copy;
	printf("%-16s ", label);
	if (!copy)
		cli_print_text(stdout, value);
	while (line) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		cli_print_text(stdout, line);
		line = end ? end + 1 : NULL;
		if (line)
			printf("\n%-16s ", "");
	}
	putchar('\n');
	free(copy);
}

static void print_system_text(json_t *sys, json_t *history)
{
	static const char *const plain[] = {
		"name", "purpose", "lifecycle_stage", "description", "org_role", "techniques", "data_sources",
		"affected_people", "decision_role", "human_oversight", "vendor", "status",
	};
	char line[512];
	snprintf(line, sizeof line, "%lld", (long long)json_integer_value(json_object_get(sys, "id")));
	print_field("id:", line);
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		json_t *v = json_object_get(sys, plain[i]);
		char label[40];
		snprintf(label, sizeof label, "%s:", plain[i]);
		if (json_is_array(v)) {
			struct buf list = BUF_INIT(4096);
			size_t k;
			json_t *item;
			json_array_foreach(v, k, item)
				buf_addf(&list, "%s%s", k ? ", " : "", json_string_value(item) ? json_string_value(item) : "");
			if (list.len)
				print_field(label, buf_str(&list));
			buf_release(&list);
		} else if (json_string_value(v) && *json_string_value(v)) {
			print_field(label, json_string_value(v));
		}
		if (!strcmp(plain[i], "lifecycle_stage")) {
			snprintf(line, sizeof line, "%s (id %lld)", cli_str_or(sys, "org_name", "?"),
				 (long long)json_integer_value(json_object_get(sys, "org_id")));
			print_field("organisation:", line);
			snprintf(line, sizeof line, "%s <%s> (id %lld)", cli_str_or(sys, "owner_name", "-"),
				 cli_str_or(sys, "owner_email", "?"),
				 (long long)json_integer_value(json_object_get(sys, "owner_user_id")));
			print_field("owner:", line);
		}
	}
	snprintf(line, sizeof line, "%lld", (long long)json_integer_value(json_object_get(sys, "version")));
	print_field("version:", line);
	print_field("created_at:", cli_str_or(sys, "created_at", ""));
	print_field("updated_at:", cli_str_or(sys, "updated_at", ""));

	printf("\nhistory (newest first):\n");
	size_t i;
	json_t *h;
	json_array_foreach(history, i, h) {
		const char *field = cli_str_or(h, "field", "?");
		const char *old_value = json_string_value(json_object_get(h, "old_value"));
		const char *new_value = json_string_value(json_object_get(h, "new_value"));
		printf("  %s  ", cli_str_or(h, "at", ""));
		cli_print_cut(stdout, cli_str_or(h, "actor_email", "operator"), 32);
		fputs("  ", stdout);
		if (!strcmp(field, "*")) {
			fputs("created", stdout);
		} else {
			cli_print_text(stdout, field);
			fputs(": ", stdout);
			if (old_value) {
				cli_print_cut(stdout, old_value, 40);
				fputs(" → ", stdout);
			}
			cli_print_cut(stdout, new_value ? new_value : "(empty)", 60);
		}
		putchar('\n');
	}
}

static int run_show(const struct cli_args *a)
{
	static const char *const formats[] = { "text", "json", NULL };
	struct err e = ERR_INIT;
	struct actor actor = { 0 };
	struct store *store = NULL;
	json_t *sys = NULL, *history = NULL;
	const char *format = NULL;
	int64_t id = 0;
	int rc = 0;

	if (a->positional_count != 1) {
		rc = cli_usage(a, "name the AI system: aims system show ID");
		goto out;
	}
	if ((rc = cli_parse_int(a, "ID", a->positional[0], 1, INT64_MAX, &id)) ||
	    (rc = cli_opt_choice(a, "format", formats, &format)) || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_system_get(store, &actor, id, &sys, &e) != 0 ||
	    svc_system_history(store, &actor, id, &history, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json")) {
		json_object_set(sys, "history", history);
		rc = cli_print_json(stdout, sys);
	} else {
		print_system_text(sys, history);
	}
out:
	json_decref(sys);
	json_decref(history);
	actor_release(&actor);
	store_close(store);
	err_release(&e);
	return rc;
}

/* ---- add ---- */

static int load_json_object(const char *path, json_t **out)
{
	json_error_t jerr;
	char *data = NULL;
	size_t len = 0;
	int rc = cli_read_file(path, CLI_JSON_MAX, &data, &len);
	*out = NULL;
	if (rc)
		return rc;
	*out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	const char *shown = strcmp(path, "-") == 0 ? "standard input" : path;
	if (!*out)
		return cli_failf("%s:%d:%d: %s", shown, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cli_failf("%s must hold one JSON object", shown);
	}
	return 0;
}

/* The input object: --file first, then each field option on top of it. */
static int build_input(const struct cli_args *a, json_t **out)
{
	const char *file = cli_opt(a, "file");
	bool any = false;
	int rc = 0;
	*out = NULL;
	if (file && !*file)
		return cli_usage(a, "--file needs a file name");
	if (file && (rc = load_json_object(file, out)))
		return rc;
	if (!*out)
		*out = json_object();
	for (size_t i = 0; i < sizeof add_fields / sizeof add_fields[0]; i++) {
		const char *v = cli_opt(a, add_fields[i].option);
		json_t *value;
		int64_t id = 0;
		char what[64];
		if (!v)
			continue;
		any = true;
		snprintf(what, sizeof what, "--%s", add_fields[i].option);
		if (add_fields[i].id) {
			if ((rc = cli_parse_int(a, what, v, 1, INT64_MAX, &id)))
				return rc;
			value = json_integer(id);
		} else if (!strcmp(add_fields[i].field, "techniques")) {
			value = record_split_list(v);
		} else if (!(value = json_string(v))) {
			return cli_usage(a, "%s must be UTF-8 text", what);
		}
		json_object_set_new(*out, add_fields[i].field, value);
	}
	if (!file && !any)
		return cli_usage(a, "give --file F.json, or --name, --purpose and --stage");
	return 0;
}

static int run_add(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct actor actor = { 0 };
	struct store *store = NULL;
	json_t *input = NULL, *out = NULL;
	int rc = 0;

	if ((rc = build_input(a, &input)) || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_system_create(store, &actor, input, &out, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	rc = cli_print_json(stdout, out);
out:
	json_decref(input);
	json_decref(out);
	actor_release(&actor);
	store_close(store);
	err_release(&e);
	return rc;
}

/* ---- export ---- */

static int run_export(const struct cli_args *a)
{
	static const char *const formats[] = { "csv", "json", NULL };
	struct err e = ERR_INIT;
	struct actor actor = { 0 };
	struct store *store = NULL;
	struct svc_system_query q;
	json_t *list = NULL;
	char *text = NULL;
	struct buf json_text = BUF_INIT((size_t)1 << 30);
	const char *format = NULL, *output = cli_opt(a, "output");
	int rc = 0;

	if (output && !*output) {
		rc = cli_usage(a, "--output needs a file name");
		goto out;
	}
	if ((rc = cli_opt_choice(a, "format", formats, &format)) || (rc = read_query(a, false, &q)) ||
	    (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_system_export(store, &actor, &q, &list, &e) != 0) {
		/* a bad filter value is a mistake on the command line */
		rc = e.code == AIMS_EBADREQ ? (cli_fail(&e), CLI_EXIT_USAGE) : cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "csv")) {
		rc = print_csv(list, output);
	} else {
		text = json_dumps(list, JSON_COMPACT);
		if (!text || buf_addstr(&json_text, text) || buf_addch(&json_text, '\n')) {
			rc = cli_failf("the export is too large for JSON; use --format csv or filters");
			goto out;
		}
		rc = cli_write_output(output, json_text.data, json_text.len);
	}
	if (!rc && output && strcmp(output, "-"))
		fprintf(stderr, "exported %zu AI system%s to %s\n", json_array_size(list),
			json_array_size(list) == 1 ? "" : "s", output);
out:
	free(text);
	buf_release(&json_text);
	json_decref(list);
	actor_release(&actor);
	store_close(store);
	err_release(&e);
	return rc;
}

/* ---- import ---- */

static int run_import(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct actor actor = { 0 };
	struct store *store = NULL;
	json_t *out = NULL;
	char *csv = NULL;
	size_t len = 0;
	const char *file = NULL;
	int rc = 0;

	if ((rc = cli_require(a, "file", &file)) || (rc = cli_read_file(file, CLI_CSV_MAX, &csv, &len)) ||
	    (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_system_import_csv(store, &actor, csv, len, &out, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	json_int_t created = json_integer_value(json_object_get(out, "created"));
	printf("imported %lld AI system%s\n", (long long)created, created == 1 ? "" : "s");
out:
	free(csv);
	json_decref(out);
	actor_release(&actor);
	store_close(store);
	err_release(&e);
	return rc;
}

/* ---- the group ---- */

static const struct cli_command system_list = {
	.name = "list",
	.summary = "List the AI systems you can see, a page at a time",
	.summary_ko = "볼 수 있는 AI 시스템 목록을 보여 줍니다",
	.usage = "system list --db PATH --as EMAIL [--q TEXT] [--stage S] [--org ID]\n"
		 "                        [--status active|archived|all] [--sort id|name|updated_at]\n"
		 "                        [--order asc|desc] [--limit N] [--cursor C]\n"
		 "                        [--format table|json|csv]",
	.options = list_options,
	.details = "Errors name the API fields: lifecycle_stage (--stage), org_id (--org),\n"
		   "org_role (--org-role), owner_user_id (--owner-id).\n"
		   "\nExample:\n"
		   "  aims system list --db var/aims.db --as admin@example.org --stage deployment\n",
	.run = run_list,
};

static const struct cli_command system_show = {
	.name = "show",
	.summary = "Show one AI system and its change history",
	.summary_ko = "AI 시스템 하나와 변경 이력을 보여 줍니다",
	.usage = "system show ID --db PATH --as EMAIL [--format text|json]",
	.options = show_options,
	.max_positional = 1,
	.details = "Example:\n"
		   "  aims system show 12 --db var/aims.db --as admin@example.org\n",
	.run = run_show,
};

static const struct cli_command system_add = {
	.name = "add",
	.summary = "Register an AI system; prints it as JSON",
	.summary_ko = "AI 시스템을 등록합니다",
	.usage = "system add --db PATH --as EMAIL (--file F.json | --name N --purpose P --stage S)\n"
		 "                       [--description D] [--org ID] [--org-role R] [--techniques a,b]\n"
		 "                       [--vendor V] [...]",
	.options = add_options,
	.details = "Options given with --file override the file's fields. Errors name the API\n"
		   "fields (lifecycle_stage for --stage, org_id for --org, ...).\n"
		   "\nExample:\n"
		   "  aims system add --db var/aims.db --as officer@hanbit.example \\\n"
		   "      --name '민원 상담 챗봇' --purpose '민원 문의 자동 응답' \\\n"
		   "      --stage operation_monitoring --techniques nlp,llm\n",
	.run = run_add,
};

static const struct cli_command system_export = {
	.name = "export",
	.summary = "Export every matching AI system as CSV or JSON",
	.summary_ko = "AI 시스템을 CSV나 JSON으로 내보냅니다",
	.usage = "system export --db PATH --as EMAIL [--format csv|json] [filters of list]\n"
		 "                          [--output FILE]",
	.options = export_options,
	.details = "The CSV is the import format, so it can be edited and imported elsewhere.\n"
		   "\nExample:\n"
		   "  aims system export --db var/aims.db --as admin@example.org --output systems.csv\n",
	.run = run_export,
};

static const struct cli_command system_import = {
	.name = "import",
	.summary = "Import AI systems from CSV, all or nothing",
	.summary_ko = "CSV에서 AI 시스템을 가져옵니다 (전부 아니면 전무)",
	.usage = "system import --db PATH --as EMAIL --file F.csv",
	.options = import_options,
	.details = "Columns (header required, any order): name, purpose, lifecycle_stage,\n"
		   "description, org_id, owner_email, org_role, techniques (separated by ;),\n"
		   "data_sources, affected_people, decision_role, human_oversight, vendor.\n"
		   "If any line is bad nothing is imported and every problem is listed.\n"
		   "\nExample:\n"
		   "  aims system import --db var/aims.db --as officer@hanbit.example --file new.csv\n",
	.run = run_import,
};

static const struct cli_command *const system_subcommands[] = {
	&system_list, &system_show, &system_add, &system_export, &system_import, NULL,
};

const struct cli_command cli_cmd_system = {
	.name = "system",
	.summary = "Work with the AI system inventory as a named user (--as EMAIL)",
	.summary_ko = "AI 시스템 인벤토리를 다룹니다 (--as 사용자 권한)",
	.usage = "system COMMAND --as EMAIL [OPTIONS]",
	.subcommands = system_subcommands,
	.details = "The acting user comes from --as or AIMS_USER; their roles apply.\n",
};
