/*
 * cmd_risk.c: `aims risk add|list|show|set|link|unlink`, the risk register from the
 * command line. Every command acts as a named user (--as EMAIL or AIMS_USER) with the
 * same rights as in the web UI and calls the same use cases (svc/risks.c).
 * Field options use the API's codes (aims risk add --help lists them).
 */
#include "cli/internal.h"
#include "model/record.h"
#include "model/role.h"
#include "svc/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }

/* The fields of a risk as options; option name → field name below. */
#define RISK_FIELD_OPTIONS                                                                                       \
	{ "title", "TEXT", "what could go wrong" },                                                              \
	{ "description", "TEXT", "more about it" },                                                              \
	{ "system", "ID", "the AI system the risk belongs to (\"\" with set: none)" },                        \
	{ "source", "CODE", "risk source (ISO/IEC 23894 Annex B): complexity_of_environment, lack_of_transparency, " \
			    "level_of_automation, machine_learning, system_hardware, system_life_cycle, "       \
			    "technology_readiness, other" },                                                    \
	{ "objectives", "CODES", "objectives at stake, separated by ',': accountability, ai_expertise, data_quality, " \
				 "environmental_impact, fairness, maintainability, privacy, robustness, safety, "   \
				 "security, transparency" },                                                        \
	{ "consequences", "TEXT", "what would happen" },                                                         \
	{ "likelihood", "CODE", "rare, unlikely, possible, likely, almost_certain" },                           \
	{ "impact", "CODE", "negligible, minor, moderate, major, severe" },                                      \
	{ "treatment", "CODE", "undecided, modify, avoid, share, retain" },                                      \
	{ "plan", "TEXT", "the treatment plan (required for modify, avoid, share)" },                            \
	{ "residual-likelihood", "CODE", "likelihood after treatment" },                                         \
	{ "residual-impact", "CODE", "impact after treatment" },                                                 \
	{ "owner", "ID", "the user id of the risk owner" },                                                      \
	{ "review-date", "YYYY-MM-DD", "when the risk is next reviewed" },                                       \
	{ "status", "CODE", "open, in_treatment, accepted, closed" }

static const struct {
	const char *option, *field;
} field_options[] = {
	{ "title", "title" },
	{ "description", "description" },
	{ "system", "system_id" },
	{ "source", "source" },
	{ "consequences", "consequences" },
	{ "likelihood", "likelihood" },
	{ "impact", "impact" },
	{ "treatment", "treatment" },
	{ "plan", "treatment_plan" },
	{ "residual-likelihood", "residual_likelihood" },
	{ "residual-impact", "residual_impact" },
	{ "owner", "owner_user_id" },
	{ "review-date", "review_date" },
	{ "status", "status" },
};

static const struct cli_option add_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "org", "ID", "the organisation (required; a system's risk goes to the system's organisation)" },
	RISK_FIELD_OPTIONS,
	CLI_OPT_END,
};

static const struct cli_option set_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "id", "ID", "the risk (required)" },
	{ "version", "N", "refuse the change unless the risk is at this version" },
	RISK_FIELD_OPTIONS,
	CLI_OPT_END,
};

static const struct cli_option list_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "org", "ID", "the organisation (and those below it) (required)" },
	{ "q", "TEXT", "only risks whose title, description or consequences hold TEXT" },
	{ "system", "ID", "only this AI system's risks; none: only organisation-wide ones" },
	{ "level", "CODE", "low, medium, high or critical" },
	{ "status", "CODE", "open, in_treatment, accepted or closed" },
	{ "treatment", "CODE", "undecided, modify, avoid, share or retain" },
	{ "overdue", NULL, "only risks whose review date has passed" },
	{ "sort", "KEY", "score (default), review_date, updated_at, title or id" },
	{ "limit", "N", "at most N rows (default 50, at most 200)" },
	{ "offset", "N", "skip the first N rows" },
	{ "format", "F", "table (default), json, csv or xlsx (csv and xlsx: every match, no paging)" },
	{ "out", "PATH", "with csv or xlsx: write to PATH instead of standard output" },
	CLI_OPT_END,
};

static const struct cli_option show_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "id", "ID", "the risk (required)" },
	CLI_OPT_END,
};

static const struct cli_option link_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "id", "ID", "the risk (required)" },
	{ "evidence", "ID", "the evidence that addresses it (required)" },
	CLI_OPT_END,
};

/* The given field options as svc input; "" clears a field (set). */
static json_t *fields_of(const struct cli_args *a)
{
	json_t *input = json_object();
	for (size_t i = 0; i < sizeof field_options / sizeof field_options[0]; i++) {
		const char *v = cli_opt(a, field_options[i].option);
		if (v)
			json_object_set_new(input, field_options[i].field, json_string(v));
	}
	const char *objectives = cli_opt(a, "objectives");
	if (objectives)
		json_object_set_new(input, "objectives", record_split_list(objectives));
	return input;
}

/* Opens the store as --as, parses the required id option into *id. */
static int open_with_id(const struct cli_args *a, const char *option, int64_t *id, struct store **store,
			struct actor *actor)
{
	const char *unused = NULL;
	int rc = cli_require(a, option, &unused);
	if (!rc)
		rc = cli_opt_int(a, option, 1, INT64_MAX, id);
	if (!rc)
		rc = cli_open_as(a, store, actor);
	return rc;
}

static int run_add(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *input = NULL, *out = NULL;
	int64_t org = 0;
	int rc = open_with_id(a, "org", &org, &store, &actor);
	if (rc)
		goto out;
	input = fields_of(a);
	if (svc_risk_create(store, &actor, org, input, &out, &e))
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

static int run_set(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *input = NULL, *out = NULL;
	int64_t id = 0, version = 0;
	int rc = cli_opt_int(a, "version", 1, INT64_MAX, &version);
	if (rc || (rc = open_with_id(a, "id", &id, &store, &actor)))
		goto out;
	input = fields_of(a);
	if (!json_object_size(input)) {
		rc = cli_usage(a, "say what to change, e.g. --status in_treatment");
		goto out;
	}
	if (svc_risk_update(store, &actor, id, input, version, &out, &e))
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

static void print_table(json_t *list)
{
	json_t *rows = json_pack("[[ssssssss]]", "id", "title", "system", "score", "level", "residual", "review", "status");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		char id[24], score[24], residual[24] = "-", review[16];
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
		snprintf(score, sizeof score, "%lld", (long long)json_integer_value(json_object_get(it, "score")));
		if (json_is_integer(json_object_get(it, "residual_score")))
			snprintf(residual, sizeof residual, "%lld",
				 (long long)json_integer_value(json_object_get(it, "residual_score")));
		snprintf(review, sizeof review, "%s%s", cli_str_or(it, "review_date", "-"),
			 json_is_true(json_object_get(it, "overdue")) ? "!" : "");
		json_array_append_new(rows, json_pack("[ssssssss]", id, cli_str_or(it, "title", ""),
						      cli_str_or(it, "system_name", "(organisation)"), score,
						      cli_str_or(it, "level", ""), residual, review, cli_str_or(it, "status", "")));
	}
	static const size_t widths[] = { 6, 40, 24, 5, 8, 8, 11, 12 };
	cli_table_print(stdout, rows, widths);
	json_decref(rows);
	json_t *by = json_object_get(json_object_get(list, "summary"), "by_level");
	printf("%lld of %lld shown; critical %lld, high %lld, medium %lld, low %lld; %lld overdue (!)\n",
	       (long long)json_array_size(json_object_get(list, "items")),
	       (long long)json_integer_value(json_object_get(list, "total")),
	       (long long)json_integer_value(json_object_get(by, "critical")),
	       (long long)json_integer_value(json_object_get(by, "high")),
	       (long long)json_integer_value(json_object_get(by, "medium")),
	       (long long)json_integer_value(json_object_get(by, "low")),
	       (long long)json_integer_value(json_object_get(json_object_get(list, "summary"), "overdue")));
}

static int run_list(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *list = NULL;
	char *csv = NULL;
	size_t len = 0;
	int64_t org = 0;
	static const char *const formats[] = { "table", "json", "csv", "xlsx", NULL };
	const char *format = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (rc || (rc = open_with_id(a, "org", &org, &store, &actor)))
		goto out;
	struct svc_risk_query q = {
		.org_id = org, .q = cli_opt(a, "q"), .system = cli_opt(a, "system"), .level = cli_opt(a, "level"),
		.status = cli_opt(a, "status"), .treatment = cli_opt(a, "treatment"),
		.overdue = cli_flag(a, "overdue") ? "true" : NULL, .sort = cli_opt(a, "sort"),
		.limit = cli_opt(a, "limit"), .offset = cli_opt(a, "offset"),
	};
	if (!strcmp(format, "csv") || !strcmp(format, "xlsx")) {
		if (svc_risk_export(store, &actor, &q, &list, &e) ||
		    (!strcmp(format, "csv") ? svc_risk_csv(list, &csv, &len, &e)
					     : svc_risk_xlsx(list, actor.locale[0] ? actor.locale : "ko", &csv, &len, &e)))
			rc = cli_fail(&e);
		else
			rc = cli_write_output(cli_opt(a, "out"), csv, len) ? CLI_EXIT_FAILURE : 0;
		goto out;
	}
	if (svc_risk_list(store, &actor, &q, &list, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json"))
		rc = cli_print_json(stdout, list) ? CLI_EXIT_FAILURE : 0;
	else
		print_table(list);
out:
	free(csv);
	json_decref(list);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_show(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int64_t id = 0;
	int rc = open_with_id(a, "id", &id, &store, &actor);
	if (rc)
		goto out;
	if (svc_risk_get(store, &actor, id, &out, &e))
		rc = cli_fail(&e);
	else
		rc = cli_print_json(stdout, out) ? CLI_EXIT_FAILURE : 0;
out:
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

/* link and unlink: the same options, one use case each. */
static int run_link_change(const struct cli_args *a, bool add)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = NULL;
	int64_t id = 0, evidence = 0;
	const char *unused = NULL;
	int rc = cli_require(a, "evidence", &unused);
	if (!rc)
		rc = cli_opt_int(a, "evidence", 1, INT64_MAX, &evidence);
	if (rc || (rc = open_with_id(a, "id", &id, &store, &actor)))
		goto out;
	if (add) {
		input = json_pack("{sI}", "evidence_id", (json_int_t)evidence);
		rc = svc_risk_link_evidence(store, &actor, id, input, &out, &e);
	} else {
		rc = svc_risk_unlink_evidence(store, &actor, id, evidence, &e);
	}
	if (rc)
		rc = cli_fail(&e);
	else if (add)
		rc = cli_print_json(stdout, json_object_get(out, "evidence")) ? CLI_EXIT_FAILURE : 0;
	else
		printf("risk %lld: evidence %lld unlinked\n", (long long)id, (long long)evidence);
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
	actor_release(&actor);
	store_close(store);
	return rc;
}

static int run_link(const struct cli_args *a)
{
	return run_link_change(a, true);
}

static int run_unlink(const struct cli_args *a)
{
	return run_link_change(a, false);
}

static const struct cli_command risk_add = {
	.name = "add",
	.summary = "Add a risk to the register",
	.summary_ko = "위험 등록부에 위험을 추가합니다",
	.usage = "risk add --db PATH --as EMAIL --org ID --title TEXT --likelihood CODE --impact CODE\n"
		 "                      [--system ID] [--source CODE] [--objectives CODES] [--treatment CODE --plan TEXT]\n"
		 "                      [--residual-likelihood CODE --residual-impact CODE] [--owner ID] [--review-date D]",
	.options = add_options,
	.details = "Prints the new risk as JSON with its score (likelihood × impact, 1–25) and level.\n"
		   "\nExample:\n"
		   "  aims risk add --db var/aims.db --as officer@example.org --org 2 --system 7 \\\n"
		   "      --title \"Older applicants screened out\" --source machine_learning --objectives fairness \\\n"
		   "      --likelihood likely --impact major --treatment modify --plan \"quarterly fairness test\"\n",
	.run = run_add,
};

static const struct cli_command risk_set = {
	.name = "set",
	.summary = "Change fields of a risk (\"\" clears an optional field)",
	.summary_ko = "위험의 항목을 바꿉니다 (\"\"는 선택 항목을 비웁니다)",
	.usage = "risk set --db PATH --as EMAIL --id ID [--version N] [field options of add]",
	.options = set_options,
	.run = run_set,
};

static const struct cli_command risk_list = {
	.name = "list",
	.summary = "List an organisation's risks, highest score first",
	.summary_ko = "조직의 위험을 점수가 높은 순으로 보여 줍니다",
	.usage = "risk list --db PATH --as EMAIL --org ID [--level L] [--status S] [--system ID|none]\n"
		 "                       [--overdue] [--sort KEY] [--limit N] [--offset N]\n"
		 "                       [--format table|json|csv|xlsx] [--out PATH]",
	.options = list_options,
	.run = run_list,
};

static const struct cli_command risk_show = {
	.name = "show",
	.summary = "Show one risk with its evidence and history (JSON)",
	.summary_ko = "위험 하나를 증적·이력과 함께 보여 줍니다 (JSON)",
	.usage = "risk show --db PATH --as EMAIL --id ID",
	.options = show_options,
	.run = run_show,
};

static const struct cli_command risk_link = {
	.name = "link",
	.summary = "Link evidence (e.g. a fairness test run) to the risk it addresses",
	.summary_ko = "위험을 다루는 증적(예: 공정성 검사)을 연결합니다",
	.usage = "risk link --db PATH --as EMAIL --id ID --evidence ID",
	.options = link_options,
	.run = run_link,
};

static const struct cli_command risk_unlink = {
	.name = "unlink",
	.summary = "Remove the link between a risk and evidence",
	.summary_ko = "위험과 증적의 연결을 해제합니다",
	.usage = "risk unlink --db PATH --as EMAIL --id ID --evidence ID",
	.options = link_options,
	.run = run_unlink,
};

static const struct cli_command *const risk_subcommands[] = { &risk_add, &risk_list, &risk_show, &risk_set,
							      &risk_link, &risk_unlink, NULL };

const struct cli_command cli_cmd_risk = {
	.name = "risk",
	.summary = "Work with the risk register (add, list, show, set, link, unlink)",
	.summary_ko = "위험 등록부를 다룹니다 (추가, 목록, 보기, 수정, 증적 연결)",
	.usage = "risk COMMAND [OPTIONS]",
	.subcommands = risk_subcommands,
	.details = "Every command acts as the user of --as or AIMS_USER; their roles apply.\n",
};
