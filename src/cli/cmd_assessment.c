/*
 * cmd_assessment.c: `aims assessment frameworks|list|set|migrate`, the requirement
 * assessments of one AI system from the command line, as a named user (--as EMAIL or
 * AIMS_USER) whose roles apply exactly as in the web UI and the API (officer, admin
 * or the system's owner may change them). Every command opens the store, loads the
 * actor, makes its svc call and releases both on the one exit path.
 */
#include "cli/internal.h"
#include "svc/catalogs.h"
#include "svc/svc.h"

#include <stdlib.h>
#include <string.h>

#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }
#define OPT_SYSTEM { "system", "ID", "the AI system (required)" }

static const struct cli_option frameworks_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM,
	{ "set", "ID,ID", "choose exactly these catalogs (\"\" for none); without it, show the choice" },
	CLI_OPT_END,
};
static const struct cli_option list_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM,
	{ "catalog", "ID", "one of the system's frameworks (required)" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};
static const struct cli_option set_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM,
	{ "catalog", "ID", "the framework (required)" },
	{ "requirement", "NUM", "the requirement, e.g. 9.1 or 제31조제1항 (required)" },
	{ "status", "S", "met, partial, not_met, not_applicable or not_assessed" },
	{ "note", "TEXT", "what the result rests on" },
	{ "assessed-on", "YYYY-MM-DD", "date of the assessment (default today)" },
	{ "reviewed", NULL, "say the result was checked against the current catalog text" },
	{ "if-version", "N", "refuse unless the assessment is still at version N" },
	CLI_OPT_END,
};
static const struct cli_option migrate_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_SYSTEM,
	{ "catalog", "ID", "the framework whose assessments move to the version in use (required)" },
	{ "from", "PATH|VERSION", "the text of an earlier version the library does not hold (file or directory)" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

/* Opens the store as the actor and reads --system; the caller releases both. */
static int open_system(const struct cli_args *a, struct store **store, struct actor *actor, int64_t *system)
{
	if (!cli_opt(a, "system"))
		return cli_usage(a, "name the AI system with --system ID");
	int rc = cli_opt_int(a, "system", 1, INT64_MAX, system);
	return rc ? rc : cli_open_as(a, store, actor);
}

static int run_frameworks(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = NULL;
	int64_t system = 0;
	const char *set = cli_opt(a, "set");
	int rc = open_system(a, &store, &actor, &system);
	if (rc)
		goto out;
	if (set) {
		json_t *ids = json_array();
		char *copy = strdup(set);
		for (char *save = NULL, *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save))
			json_array_append_new(ids, json_string(tok));
		free(copy);
		input = json_pack("{so}", "catalogs", ids);
		rc = svc_framework_set(store, &actor, system, input, &out, &e);
	} else {
		rc = svc_framework_list(store, &actor, system, &out, &e);
	}
	rc = rc ? cli_fail(&e) : cli_print_json(stdout, out);
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static const char *str_or(json_t *o, const char *key, const char *fallback)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && *v ? v : fallback;
}

static int run_list(const struct cli_args *a)
{
	static const char *const formats[] = { "table", "json", NULL };
	static const size_t widths[] = { 18, 14, 18, 12, 60 };
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int64_t system = 0;
	const char *format = NULL, *catalog = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = cli_require(a, "catalog", &catalog);
	if (rc || (rc = open_system(a, &store, &actor, &system)))
		goto out;
	if (svc_assessment_list(store, &actor, system, catalog, &out, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json")) {
		rc = cli_print_json(stdout, out);
		goto out;
	}
	json_t *rows = json_pack("[[sssss]]", "REQUIREMENT", "STATUS", "CATALOG VERSION", "REVIEW", "TITLE");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(out, "items"), i, it)
		json_array_append_new(rows, json_pack("[sssss]", str_or(it, "requirement_id", ""), str_or(it, "status", ""),
						      str_or(it, "catalog_version", ""), str_or(it, "review_from", "-"),
						      str_or(json_object_get(it, "title"), strcmp(actor.locale, "en") ? "ko" : "en", "")));
	cli_table_print(stdout, rows, widths);
	json_decref(rows);
out:
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_set(const struct cli_args *a)
{
	static const struct {
		const char *option, *field;
	} texts[] = { { "catalog", "catalog" }, { "requirement", "requirement" }, { "status", "status" },
		      { "note", "note" }, { "assessed-on", "assessed_on" } };
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = json_object();
	int64_t system = 0, version = 0;
	const char *catalog = NULL, *requirement = NULL;
	int rc = cli_require(a, "catalog", &catalog);
	if (!rc)
		rc = cli_require(a, "requirement", &requirement);
	if (!rc)
		rc = cli_opt_int(a, "if-version", 1, INT64_MAX, &version);
	if (rc || (rc = open_system(a, &store, &actor, &system)))
		goto out;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (cli_opt(a, texts[i].option))
			json_object_set_new(input, texts[i].field, json_string(cli_opt(a, texts[i].option)));
	if (cli_flag(a, "reviewed"))
		json_object_set_new(input, "reviewed", json_true());
	if (svc_assessment_set(store, &actor, system, input, version, &out, &e))
		rc = cli_fail(&e);
	else
		rc = cli_print_json(stdout, out);
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_migrate(const struct cli_args *a)
{
	static const char *const formats[] = { "table", "json", NULL };
	struct catalog_set from_set = CATALOG_SET_INIT;
	const struct catalog *from = NULL;
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = NULL;
	int64_t system = 0;
	const char *format = NULL, *catalog = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = cli_require(a, "catalog", &catalog);
	if (!rc && cli_opt(a, "from"))
		rc = cli_catalog_from(cli_opt(a, "from"), catalog, &from_set, &from);
	if (rc || (rc = open_system(a, &store, &actor, &system)))
		goto out;
	input = json_pack("{sI}", "system_id", (json_int_t)system);
	if (svc_catalog_migrate(store, &actor, catalog, input, from, &out, &e))
		rc = cli_fail(&e);
	else if (!strcmp(format, "json"))
		rc = cli_print_json(stdout, out);
	else
		cli_print_migration(out, actor.locale);
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	catalog_set_release(&from_set);
	return rc;
}

static const struct cli_command assessment_frameworks = {
	.name = "frameworks",
	.summary = "Show or choose the frameworks an AI system is assessed against",
	.summary_ko = "AI 시스템을 평가할 프레임워크를 보거나 고릅니다",
	.usage = "assessment frameworks --db PATH --as EMAIL --system ID [--set ID,ID]",
	.options = frameworks_options,
	.details = "Example:\n"
		   "  aims assessment frameworks --db var/aims.db --as owner@example.org --system 4 \\\n"
		   "      --set iso-iec-42001-2023,kr-ai-basic-act-21311\n",
	.run = run_frameworks,
};

static const struct cli_command assessment_list = {
	.name = "list",
	.summary = "Show an AI system's assessment against one framework",
	.summary_ko = "AI 시스템의 프레임워크별 평가를 보여 줍니다",
	.usage = "assessment list --db PATH --as EMAIL --system ID --catalog ID [--format table|json]",
	.options = list_options,
	.run = run_list,
};

static const struct cli_command assessment_set = {
	.name = "set",
	.summary = "Record the result for one requirement (officer, admin or the system's owner)",
	.summary_ko = "요구사항 하나의 평가 결과를 기록합니다 (담당관·관리자·시스템 책임자)",
	.usage = "assessment set --db PATH --as EMAIL --system ID --catalog ID --requirement NUM\n"
		 "                           [--status S] [--note TEXT] [--assessed-on DATE] [--reviewed]\n"
		 "                           [--if-version N]",
	.options = set_options,
	.details = "Prints the assessment as JSON. Choose the framework first ('aims assessment\n"
		   "frameworks --set'). Errors name the API fields (status, note, assessed_on).\n",
	.run = run_set,
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
	&assessment_frameworks, &assessment_list, &assessment_set, &assessment_migrate, NULL,
};

const struct cli_command cli_cmd_assessment = {
	.name = "assessment",
	.summary = "Work with an AI system's requirement assessments as a named user (--as EMAIL)",
	.summary_ko = "AI 시스템의 요구사항 평가를 다룹니다 (--as 사용자 권한)",
	.usage = "assessment COMMAND --as EMAIL [OPTIONS]",
	.subcommands = assessment_subcommands,
	.details = "The acting user comes from --as or AIMS_USER; their roles apply.\n",
};
