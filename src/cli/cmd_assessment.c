/*
 * cmd_assessment.c: `aims assessment frameworks|list|set|export|migrate`, the
 * requirement assessments of one AI system from the command line, as a named user (--as
 * EMAIL or AIMS_USER) whose roles apply exactly as in the web UI and the API. Every
 * command opens the store, loads the actor, makes its svc call and releases both on the
 * one exit path. The options mirror `aims soa` (--format, --out, --lang, --if-version,
 * --reviewed, and migrate's --from).
 */
#include "cli/internal.h"
#include "model/role.h"
#include "svc/catalogs.h"
#include "svc/svc.h"

#include <stdlib.h>
#include <string.h>

#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }
#define OPT_SYSTEM { "system", "ID", "the AI system (required)" }
#define OPT_CATALOG { "catalog", "ID", "a framework chosen for the system, e.g. nist-ai-rmf-1.0 (required)" }

static const struct cli_option frameworks_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM,
	{ "set", "IDS", "replace the chosen frameworks by these catalog ids, comma-separated (\"\" for none)" },
	CLI_OPT_END,
};

static const struct cli_option list_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM, OPT_CATALOG,
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

static const struct cli_option set_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM, OPT_CATALOG,
	{ "requirement", "ID", "the requirement, e.g. \"GOVERN 1.1\" (required)" },
	{ "status", "S", "not_assessed, not_applicable, partial, met or not_met" },
	{ "note", "TEXT", "what was found, or why" },
	{ "assessed-on", "YYYY-MM-DD", "date of the assessment (default: today)" },
	{ "reviewed", NULL, "say the result was checked against the current catalog text (clears a pending review)" },
	{ "if-version", "N", "refuse unless the assessment is still at version N" },
	CLI_OPT_END,
};

static const struct cli_option export_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM, OPT_CATALOG,
	{ "format", "F", "xlsx (default) or csv" },
	{ "out", "FILE", "write here (default: standard output)" },
	{ "lang", "ko|en", "language of titles and labels (default ko)" },
	CLI_OPT_END,
};

static const struct cli_option migrate_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM,
	{ "catalog", "ID", "the framework whose assessments move to the version in use (required)" },
	{ "from", "PATH|VERSION", "the text of an earlier version the library does not hold (file or directory)" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

/* --system, which every command needs. */
static int system_id(const struct cli_args *a, int64_t *id)
{
	if (!cli_opt(a, "system"))
		return cli_usage(a, "name the AI system with --system ID");
	return cli_opt_int(a, "system", 1, INT64_MAX, id);
}

static int run_frameworks(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = NULL;
	int64_t id = 0;
	const char *set = cli_opt(a, "set");
	int rc = system_id(a, &id);
	if (rc)
		return rc;
	if (set) {
		json_t *ids = json_array();
		char *copy = strdup(set);
		for (char *save = NULL, *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
		     tok = strtok_r(NULL, ",", &save))
			json_array_append_new(ids, json_string(tok));
		free(copy);
		input = json_pack("{so}", "catalogs", ids);
	}
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (set ? svc_framework_set(store, &actor, id, input, &out, &e) : svc_framework_list(store, &actor, id, &out, &e))
		rc = cli_fail(&e);
	else
		rc = cli_print_json(stdout, out) ? CLI_EXIT_FAILURE : 0;
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_list(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *list = NULL;
	int64_t id = 0;
	static const char *const formats[] = { "table", "json", NULL };
	const char *format = NULL, *catalog = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = system_id(a, &id);
	if (!rc)
		rc = cli_require(a, "catalog", &catalog);
	if (rc)
		return rc;
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_assessment_list(store, &actor, id, catalog, &list, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json")) {
		rc = cli_print_json(stdout, list) ? CLI_EXIT_FAILURE : 0;
		goto out;
	}
	json_t *rows = json_pack("[[ssssss]]", "requirement", "status", "assessor", "on", "catalog", "title");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		json_t *title = json_object_get(it, "title");
		/* The catalog version only when it needs attention, as in `aims soa list`. */
		char version[80] = "-";
		if (json_is_true(json_object_get(it, "outdated")))
			snprintf(version, sizeof version, "%s", cli_str_or(it, "catalog_version", ""));
		else if (json_is_string(json_object_get(it, "review_from")))
			snprintf(version, sizeof version, "review (%s)", cli_str_or(it, "review_from", ""));
		json_array_append_new(rows, json_pack("[ssssss]", cli_str_or(it, "requirement_id", ""), cli_str_or(it, "status", ""),
						      cli_str_or(it, "assessor_email", "-"), cli_str_or(it, "assessed_on", "-"),
						      version, cli_str_or(title, strcmp(actor.locale, "en") ? "ko" : "en", "")));
	}
	static const size_t widths[] = { 16, 14, 32, 10, 24, 60 };
	cli_table_print(stdout, rows, widths);
	json_decref(rows);
	json_t *by = json_object_get(json_object_get(list, "summary"), "by_status");
	printf("%lld requirements: %lld met, %lld partial, %lld not met, %lld not applicable, %lld not assessed\n",
	       (long long)json_integer_value(json_object_get(json_object_get(list, "summary"), "total")),
	       (long long)json_integer_value(json_object_get(by, "met")),
	       (long long)json_integer_value(json_object_get(by, "partial")),
	       (long long)json_integer_value(json_object_get(by, "not_met")),
	       (long long)json_integer_value(json_object_get(by, "not_applicable")),
	       (long long)json_integer_value(json_object_get(by, "not_assessed")));
out:
	json_decref(list);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_set(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *input = NULL, *out = NULL;
	int64_t id = 0, version = 0;
	const char *catalog = NULL, *requirement = NULL;
	int rc = system_id(a, &id);
	if (!rc)
		rc = cli_require(a, "catalog", &catalog);
	if (!rc)
		rc = cli_require(a, "requirement", &requirement);
	if (!rc)
		rc = cli_opt_int(a, "if-version", 1, INT64_MAX, &version);
	if (rc)
		return rc;
	input = json_pack("{ss ss}", "catalog", catalog, "requirement", requirement);
	static const struct { const char *option, *field; } texts[] = {
		{ "status", "status" }, { "note", "note" }, { "assessed-on", "assessed_on" },
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (cli_opt(a, texts[i].option))
			json_object_set_new(input, texts[i].field, json_string(cli_opt(a, texts[i].option)));
	if (cli_flag(a, "reviewed"))
		json_object_set_new(input, "reviewed", json_true());
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_assessment_set(store, &actor, id, input, version, &out, &e))
		rc = cli_fail(&e);
	else
		rc = cli_print_json(stdout, out) ? CLI_EXIT_FAILURE : 0;
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_export(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *list = NULL;
	char *data = NULL;
	size_t len = 0;
	int64_t id = 0;
	static const char *const formats[] = { "xlsx", "csv", NULL }, *const langs[] = { "ko", "en", NULL };
	const char *format = NULL, *lang = NULL, *catalog = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = cli_opt_choice(a, "lang", langs, &lang);
	if (!rc)
		rc = system_id(a, &id);
	if (!rc)
		rc = cli_require(a, "catalog", &catalog);
	if (rc)
		return rc;
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_assessment_list(store, &actor, id, catalog, &list, &e) ||
	    (!strcmp(format, "xlsx") ? svc_assessment_xlsx(list, lang, &data, &len, &e)
				     : svc_assessment_csv(list, lang, &data, &len, &e))) {
		rc = cli_fail(&e);
		goto out;
	}
	rc = cli_write_output(cli_opt(a, "out"), data, len);
out:
	free(data);
	json_decref(list);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_migrate(const struct cli_args *a)
{
	int64_t id = 0;
	const char *catalog = NULL;
	int rc = system_id(a, &id);
	if (!rc)
		rc = cli_require(a, "catalog", &catalog);
	return rc ? rc : cli_run_migration(a, catalog, "system_id", id);
}

static const struct cli_command assessment_frameworks = {
	.name = "frameworks",
	.summary = "Show, or with --set choose, the frameworks a system is assessed against",
	.summary_ko = "시스템을 평가할 프레임워크를 보거나(--set으로) 고릅니다",
	.usage = "assessment frameworks --db PATH --as EMAIL --system ID [--set IDS]",
	.options = frameworks_options,
	.details = "Prints the chosen and available frameworks as JSON. --set replaces the whole set\n"
		   "(officer, admin or the system's owner).\n"
		   "\nExample:\n"
		   "  aims assessment frameworks --db var/aims.db --as officer@example.org --system 3 \\\n"
		   "      --set nist-ai-rmf-1.0,kr-ai-basic-act-21311\n",
	.run = run_frameworks,
};

static const struct cli_command assessment_list = {
	.name = "list",
	.summary = "Show a system's assessment against one framework",
	.summary_ko = "시스템의 프레임워크별 요구사항 평가를 보여 줍니다",
	.usage = "assessment list --db PATH --as EMAIL --system ID --catalog ID [--format table|json]",
	.options = list_options,
	.run = run_list,
};

static const struct cli_command assessment_set = {
	.name = "set",
	.summary = "Record the result of one requirement (officer, admin or the system's owner)",
	.summary_ko = "요구사항 하나의 평가 결과를 기록합니다 (담당관·관리자·시스템 소유자)",
	.usage = "assessment set --db PATH --as EMAIL --system ID --catalog ID --requirement ID\n"
		 "                            [--status S] [--note TEXT] [--assessed-on YYYY-MM-DD]\n"
		 "                            [--reviewed] [--if-version N]",
	.options = set_options,
	.details = "Prints the assessment as JSON. Errors name the API fields (catalog, requirement,\n"
		   "status, note, assessed_on). --reviewed says the result was checked against the\n"
		   "catalog text in use, after a migration carried it over a change.\n"
		   "\nExample:\n"
		   "  aims assessment set --db var/aims.db --as officer@example.org --system 3 \\\n"
		   "      --catalog nist-ai-rmf-1.0 --requirement \"GOVERN 1.1\" --status partial \\\n"
		   "      --note \"법규 목록 작성 중\"\n",
	.run = run_set,
};

static const struct cli_command assessment_export = {
	.name = "export",
	.summary = "Write a system's assessment against one framework as XLSX or CSV",
	.summary_ko = "시스템의 요구사항 평가를 XLSX 또는 CSV로 씁니다",
	.usage = "assessment export --db PATH --as EMAIL --system ID --catalog ID\n"
		 "                               [--format xlsx|csv] [--out FILE] [--lang ko|en]",
	.options = export_options,
	.run = run_export,
};

static const struct cli_command assessment_migrate = {
	.name = "migrate",
	.summary = "Move an AI system's assessments to the catalog version in use",
	.summary_ko = "AI 시스템의 평가를 지금 쓰는 카탈로그 판으로 옮깁니다",
	.usage = "assessment migrate --db PATH --as EMAIL --system ID --catalog ID\n"
		 "                               [--from PATH|VERSION] [--format table|json]",
	.options = migrate_options,
	.details = "The rule of 'aims soa migrate', for requirements that can be assessed (those with\n"
		   "no sub-requirements). See what it would do with 'aims catalog touched'.\n",
	.run = run_migrate,
};

static const struct cli_command *const assessment_subcommands[] = {
	&assessment_frameworks, &assessment_list, &assessment_set, &assessment_export, &assessment_migrate, NULL,
};

const struct cli_command cli_cmd_assessment = {
	.name = "assessment",
	.summary = "Work with an AI system's requirement assessments as a named user (--as EMAIL)",
	.summary_ko = "AI 시스템의 요구사항 평가를 다룹니다 (--as 사용자 권한)",
	.usage = "assessment COMMAND --as EMAIL [OPTIONS]",
	.subcommands = assessment_subcommands,
	.details = "The acting user comes from --as or AIMS_USER; their roles apply.\n",
};
