/*
 * cmd_org.c: `aims org add|list`, run as the local operator (every right everywhere):
 * whoever can write the database file already controls it.
 *
 * Output is JSON, one line, the same objects the API returns, so scripts can pipe it
 * to jq.
 */
#include "cli/internal.h"
#include "svc/svc.h"

static const struct cli_option org_add_options[] = {
	CLI_OPT_DB,
	{ "name", "NAME", "name of the new organisation (required)" },
	{ "kind", "KIND", "city, bureau, department, district, agency, company, business_unit, team or other (default department)" },
	{ "parent", "ID", "id of the parent organisation (required; the root made by init is 1)" },
	CLI_OPT_END,
};

static const struct cli_option org_list_options[] = {
	CLI_OPT_DB,
	CLI_OPT_END,
};

static int run_org_add(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct actor op;
	struct store *store = NULL;
	json_t *input = NULL, *out = NULL;
	const char *name = NULL, *parent = NULL, *kind = cli_opt(a, "kind");
	int64_t parent_id = 0;
	int rc = 0;

	svc_actor_operator(&op);
	if ((rc = cli_require(a, "name", &name)) || (rc = cli_require(a, "parent", &parent)) ||
	    (rc = cli_parse_int(a, "--parent", parent, 1, INT64_MAX, &parent_id)))
		goto out;
	input = json_pack("{ss sI}", "name", name, "parent_id", (json_int_t)parent_id);
	if (input && kind)
		json_object_set_new(input, "kind", json_string(kind));
	if (!input) {
		rc = cli_failf("--name must be UTF-8 text");
		goto out;
	}
	if ((rc = cli_store_open(a, false, &store)))
		goto out;
	if (svc_org_create(store, &op, input, &out, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	rc = cli_print_json(stdout, out);
out:
	json_decref(input);
	json_decref(out);
	store_close(store);
	err_release(&e);
	return rc;
}

static int run_org_list(const struct cli_args *a)
{
	return cli_run_operator_list(a, svc_org_list);
}

static const struct cli_command org_add = {
	.name = "add",
	.summary = "Add an organisation under a parent; prints it as JSON",
	.summary_ko = "상위 조직 아래에 조직을 추가합니다",
	.usage = "org add --db PATH --name NAME [--kind KIND] --parent ID",
	.options = org_add_options,
	.details = "Example:\n"
		   "  aims org add --db var/aims.db --name 디지털정책국 --kind bureau --parent 1\n",
	.run = run_org_add,
};

static const struct cli_command org_list = {
	.name = "list",
	.summary = "List every organisation as a JSON array (tree order)",
	.summary_ko = "모든 조직을 JSON 배열로 보여 줍니다",
	.usage = "org list --db PATH",
	.options = org_list_options,
	.run = run_org_list,
};

static const struct cli_command *const org_subcommands[] = { &org_add, &org_list, NULL };

const struct cli_command cli_cmd_org = {
	.name = "org",
	.summary = "Manage organisations (as the local operator)",
	.summary_ko = "조직을 관리합니다 (로컬 운영자 권한)",
	.usage = "org COMMAND [OPTIONS]",
	.subcommands = org_subcommands,
};
