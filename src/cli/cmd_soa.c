/*
 * cmd_soa.c: `aims soa list|set|export|migrate`, the Statement of Applicability of an
 * organisation from the command line, as a named user (--as EMAIL or AIMS_USER)
 * whose roles apply exactly as in the web UI and the API. Every command opens the
 * store, loads the actor, makes its svc call and releases both on the one exit path.
 */
#include "cli/internal.h"
#include "model/compliance.h"
#include "model/role.h"
#include "svc/catalogs.h"
#include "svc/svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }
#define OPT_ORG { "org", "ID", "the organisation (required)" }

static const struct cli_option list_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_ORG,
	{ "status", "S", "only not_started, planned, partial, implemented, excluded or overdue" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

static const struct cli_option set_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_ORG,
	{ "control", "ID", "the Annex A control, e.g. A.6.2.8 (required)" },
	{ "applicable", "yes|no", "whether the control applies" },
	{ "justification", "TEXT", "why (required when not applicable)" },
	{ "status", "S", "not_started, planned, partial or implemented" },
	{ "owner-id", "ID", "the responsible user's id (0 clears it)" },
	{ "due-date", "YYYY-MM-DD", "due date (\"\" clears it)" },
	{ "reviewed", NULL, "say the entry was checked against the current catalog text (clears a pending review)" },
	{ "if-version", "N", "refuse unless the entry is still at version N" },
	CLI_OPT_END,
};

static const struct cli_option export_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_ORG,
	{ "format", "F", "xlsx (default) or csv" },
	{ "out", "FILE", "write here (default: standard output)" },
	{ "status", "S", "only entries with this status (as for list)" },
	{ "lang", "ko|en", "language of titles and labels (default ko)" },
	CLI_OPT_END,
};

static const struct cli_option migrate_options[] = {
	CLI_OPT_DB, OPT_AS, OPT_ORG,
	{ "from", "PATH|VERSION", "the text of an earlier version the library does not hold (file or directory)" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

static int run_list(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *soa = NULL;
	int64_t org = 0;
	static const char *const formats[] = { "table", "json", NULL };
	const char *format = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (rc)
		return rc;
	if (!cli_opt(a, "org"))
		return cli_usage(a, "name the organisation with --org ID");
	if ((rc = cli_opt_int(a, "org", 1, INT64_MAX, &org)) || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_soa_get(store, &actor, org, cli_opt(a, "status"), &soa, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json")) {
		rc = cli_print_json(stdout, soa) ? CLI_EXIT_FAILURE : 0;
		goto out;
	}
	json_t *rows = json_pack("[[ssssssss]]", "control", "applicable", "status", "owner", "due", "version", "catalog",
				 "title");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(soa, "items"), i, it) {
		char version[24];
		snprintf(version, sizeof version, "%lld", (long long)json_integer_value(json_object_get(it, "version")));
		json_t *title = json_object_get(it, "title");
		/* The catalog version only when it needs attention: made against another one, or
		 * carried over a change and waiting for review. */
		char catalog[80] = "-";
		if (json_is_true(json_object_get(it, "outdated")))
			snprintf(catalog, sizeof catalog, "%s", cli_str_or(it, "catalog_version", ""));
		else if (json_is_string(json_object_get(it, "review_from")))
			snprintf(catalog, sizeof catalog, "review (%s)", cli_str_or(it, "review_from", ""));
		json_array_append_new(rows, json_pack("[ssssssss]", cli_str_or(it, "control_id", ""),
						      json_is_true(json_object_get(it, "applicable")) ? "yes" : "no",
						      cli_str_or(it, "status", ""), cli_str_or(it, "owner_email", "-"),
						      cli_str_or(it, "due_date", "-"), version, catalog,
						      cli_str_or(title, strcmp(actor.locale, "en") ? "ko" : "en", "")));
	}
	static const size_t widths[] = { 10, 10, 12, 32, 10, 7, 24, 60 };
	cli_table_print(stdout, rows, widths);
	json_decref(rows);
	json_t *sum = json_object_get(soa, "summary");
	printf("%lld controls, %lld applicable, %lld overdue, %lld made against another catalog version, "
	       "%lld waiting for review\n",
	       (long long)json_integer_value(json_object_get(sum, "total")),
	       (long long)json_integer_value(json_object_get(sum, "applicable")),
	       (long long)json_integer_value(json_object_get(sum, "overdue")),
	       (long long)json_integer_value(json_object_get(sum, "outdated")),
	       (long long)json_integer_value(json_object_get(sum, "review")));
out:
	json_decref(soa);
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
	json_t *input = json_object(), *out = NULL;
	int64_t org = 0, owner = -1, version = 0;
	const char *control = NULL, *app = cli_opt(a, "applicable");
	int rc = 0;
	if (!cli_opt(a, "org"))
		rc = cli_usage(a, "name the organisation with --org ID");
	if (!rc)
		rc = cli_require(a, "control", &control);
	if (!rc && app && strcmp(app, "yes") && strcmp(app, "no"))
		rc = cli_usage(a, "--applicable must be yes or no, not '%s'", app);
	if (!rc)
		rc = cli_opt_int(a, "org", 1, INT64_MAX, &org);
	if (!rc)
		rc = cli_opt_int(a, "owner-id", 0, INT64_MAX, &owner);
	if (!rc)
		rc = cli_opt_int(a, "if-version", 1, INT64_MAX, &version);
	if (rc)
		goto out;
	if (app)
		json_object_set_new(input, "applicable", json_boolean(!strcmp(app, "yes")));
	if (cli_opt(a, "justification"))
		json_object_set_new(input, "justification", json_string(cli_opt(a, "justification")));
	if (cli_opt(a, "status"))
		json_object_set_new(input, "status", json_string(cli_opt(a, "status")));
	if (cli_opt(a, "due-date"))
		json_object_set_new(input, "due_date", json_string(cli_opt(a, "due-date")));
	if (owner >= 0)
		json_object_set_new(input, "owner_user_id", owner ? json_integer(owner) : json_null());
	if (cli_flag(a, "reviewed"))
		json_object_set_new(input, "reviewed", json_true());
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_soa_set(store, &actor, org, control, input, version, &out, &e))
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
	json_t *soa = NULL;
	char *data = NULL;
	size_t len = 0;
	int64_t org = 0;
	static const char *const formats[] = { "xlsx", "csv", NULL }, *const langs[] = { "ko", "en", NULL };
	const char *format = NULL, *lang = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = cli_opt_choice(a, "lang", langs, &lang);
	if (rc)
		return rc;
	if (!cli_opt(a, "org"))
		return cli_usage(a, "name the organisation with --org ID");
	if ((rc = cli_opt_int(a, "org", 1, INT64_MAX, &org)) || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_soa_get(store, &actor, org, cli_opt(a, "status"), &soa, &e) ||
	    (!strcmp(format, "xlsx") ? svc_soa_xlsx(soa, lang, &data, &len, &e)
				     : svc_soa_csv(soa, lang, &data, &len, &e))) {
		rc = cli_fail(&e);
		goto out;
	}
	rc = cli_write_output(cli_opt(a, "out"), data, len);
out:
	free(data);
	json_decref(soa);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_migrate(const struct cli_args *a)
{
	int64_t org = 0;
	if (!cli_opt(a, "org"))
		return cli_usage(a, "name the organisation with --org ID");
	int rc = cli_opt_int(a, "org", 1, INT64_MAX, &org);
	return rc ? rc : cli_run_migration(a, COMPLIANCE_SOA_CATALOG, "org_id", org);
}

static const struct cli_command soa_list = {
	.name = "list",
	.summary = "Show an organisation's Statement of Applicability (ISO/IEC 42001 Annex A)",
	.summary_ko = "조직의 적용성 보고서(ISO/IEC 42001 부속서 A)를 보여 줍니다",
	.usage = "soa list --db PATH --as EMAIL --org ID [--status S] [--format table|json]",
	.options = list_options,
	.run = run_list,
};

static const struct cli_command soa_set = {
	.name = "set",
	.summary = "Change one control's entry (officer or admin on the organisation)",
	.summary_ko = "통제 하나의 적용 여부·이행 상태를 바꿉니다 (담당관·관리자)",
	.usage = "soa set --db PATH --as EMAIL --org ID --control A.x.y [--applicable yes|no]\n"
		 "                     [--justification TEXT] [--status S] [--owner-id ID]\n"
		 "                     [--due-date YYYY-MM-DD] [--if-version N]",
	.options = set_options,
	.details = "Prints the changed entry as JSON. Errors name the API fields (justification,\n"
		   "status, owner_user_id, due_date).\n"
		   "\nExample:\n"
		   "  aims soa set --db var/aims.db --as officer@example.org --org 2 --control A.10.4 \\\n"
		   "      --applicable no --justification \"We supply no AI to customers\"\n",
	.run = run_set,
};

static const struct cli_command soa_export = {
	.name = "export",
	.summary = "Write the Statement of Applicability as XLSX or CSV",
	.summary_ko = "적용성 보고서를 XLSX 또는 CSV로 씁니다",
	.usage = "soa export --db PATH --as EMAIL --org ID [--format xlsx|csv] [--out FILE]\n"
		 "                        [--status S] [--lang ko|en]",
	.options = export_options,
	.run = run_export,
};

static const struct cli_command soa_migrate = {
	.name = "migrate",
	.summary = "Move an organisation's SoA entries to the catalog version in use",
	.summary_ko = "조직의 적용성 항목을 지금 쓰는 카탈로그 판으로 옮깁니다",
	.usage = "soa migrate --db PATH --as EMAIL --org ID [--from PATH|VERSION] [--format table|json]",
	.options = migrate_options,
	.details = "Officer or admin on the organisation. One transaction: entries of unchanged and\n"
		   "editorially changed controls are re-stamped; entries of changed controls (or of a\n"
		   "version whose text is not held here) are re-stamped and wait for review; entries of\n"
		   "removed controls are kept as they were and no longer listed. See what it would do\n"
		   "first with 'aims catalog touched --catalog " COMPLIANCE_SOA_CATALOG "'.\n",
	.run = run_migrate,
};

static const struct cli_command *const soa_subcommands[] = { &soa_list, &soa_set, &soa_export, &soa_migrate, NULL };

const struct cli_command cli_cmd_soa = {
	.name = "soa",
	.summary = "Work with the Statement of Applicability as a named user (--as EMAIL)",
	.summary_ko = "적용성 보고서(SoA)를 다룹니다 (--as 사용자 권한)",
	.usage = "soa COMMAND --as EMAIL [OPTIONS]",
	.subcommands = soa_subcommands,
	.details = "The acting user comes from --as or AIMS_USER; their roles apply.\n",
};
