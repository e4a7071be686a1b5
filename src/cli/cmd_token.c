/*
 * cmd_token.c: `aims token create`, which makes an API token for a user as the local
 * operator. stdout carries the token and nothing else, so scripts can capture it
 * with $(...); the token is shown this once and stored only as its SHA-256.
 */
#include "cli/internal.h"
#include "svc/svc.h"

static const struct cli_option token_create_options[] = {
	CLI_OPT_DB,
	{ "email", "E", "the user the token acts as (required)" },
	{ "name", "NAME", "what the token is for, 1 to 100 characters (required)" },
	CLI_OPT_END,
};

static int run_token_create(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct actor op;
	struct store *store = NULL;
	json_t *out = NULL;
	const char *email = NULL, *name = NULL;
	int rc = 0;

	svc_actor_operator(&op);
	if ((rc = cli_require(a, "email", &email)) || (rc = cli_require(a, "name", &name)) ||
	    (rc = cli_store_open(a, false, &store)))
		goto out;
	if (svc_token_create(store, &op, email, name, &out, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	const char *token = json_string_value(json_object_get(out, "token"));
	if (!token) {
		rc = cli_failf("the token was not returned");
		goto out;
	}
	printf("%s\n", token);
out:
	json_decref(out);
	store_close(store);
	err_release(&e);
	return rc;
}

static const struct cli_command token_create = {
	.name = "create",
	.summary = "Create an API token for a user; prints only the token",
	.summary_ko = "사용자의 API 토큰을 만듭니다 (토큰만 출력)",
	.usage = "token create --db PATH --email E --name NAME",
	.options = token_create_options,
	.details = "The token (aims_ + 43 characters) is shown only once; send it as\n"
		   "'Authorization: Bearer TOKEN'. Revoke it on the API tokens page or with\n"
		   "DELETE /api/v1/tokens/{id}.\n"
		   "\nExample:\n"
		   "  TOKEN=$(aims token create --db var/aims.db --email kim@example.go.kr --name ci)\n",
	.run = run_token_create,
};

static const struct cli_command *const token_subcommands[] = { &token_create, NULL };

const struct cli_command cli_cmd_token = {
	.name = "token",
	.summary = "Create API tokens (as the local operator)",
	.summary_ko = "API 토큰을 만듭니다 (로컬 운영자 권한)",
	.usage = "token COMMAND [OPTIONS]",
	.subcommands = token_subcommands,
};
