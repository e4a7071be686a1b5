/*
 * cmd_user.c: `aims user add|passwd|list`, run as the local operator.
 *
 * Passwords only ever come from standard input (--password-stdin), never from argv,
 * where other local users could read them in the process list; the buffers are
 * wiped before returning.
 */
#include "cli/internal.h"
#include "svc/svc.h"

#include <string.h>

static const struct cli_option user_add_options[] = {
	CLI_OPT_DB,
	{ "email", "E", "e-mail address, the sign-in name (required)" },
	{ "org", "ORGID", "organisation the first role is on (required)" },
	{ "role", "ROLE", "admin, officer, owner, reviewer, auditor or viewer (required)" },
	{ "password-stdin", NULL, "read the password (12+ characters) as one line from stdin (required)" },
	{ "name", "N", "display name" },
	{ "locale", "ko|en", "language of the web UI (default ko)" },
	CLI_OPT_END,
};

static const struct cli_option user_passwd_options[] = {
	CLI_OPT_DB,
	{ "email", "E", "whose password to set (required)" },
	{ "password-stdin", NULL, "read the new password as one line from stdin (required)" },
	CLI_OPT_END,
};

static const struct cli_option user_list_options[] = {
	CLI_OPT_DB,
	CLI_OPT_END,
};

static int run_user_add(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct actor op;
	struct store *store = NULL;
	json_t *input = NULL, *out = NULL;
	char password[CLI_PASSWORD_MAX] = "";
	const char *email = NULL, *org = NULL, *role = NULL;
	const char *name = cli_opt(a, "name"), *locale = cli_opt(a, "locale");
	int64_t org_id = 0;
	int rc = 0;

	svc_actor_operator(&op);
	if ((rc = cli_require(a, "email", &email)) || (rc = cli_require(a, "org", &org)) ||
	    (rc = cli_require(a, "role", &role)) ||
	    (rc = cli_parse_int(a, "--org", org, 1, INT64_MAX, &org_id)))
		goto out;
	if (!cli_flag(a, "password-stdin")) {
		rc = cli_usage(a, "give the password on standard input with --password-stdin");
		goto out;
	}
	if ((rc = cli_read_password(password)))
		goto out;
	input = json_pack("{ss ss sI ss}", "email", email, "password", password, "org_id", (json_int_t)org_id,
			  "role", role);
	if (input && name)
		json_object_set_new(input, "name", json_string(name));
	if (input && locale)
		json_object_set_new(input, "locale", json_string(locale));
	if (!input) {
		rc = cli_failf("the e-mail, role and password must be UTF-8 text");
		goto out;
	}
	if ((rc = cli_store_open(a, false, &store)))
		goto out;
	if (svc_user_create(store, &op, input, &out, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	rc = cli_print_json(stdout, out);
out:
	explicit_bzero(password, sizeof password);
	json_decref(input);
	json_decref(out);
	store_close(store);
	err_release(&e);
	return rc;
}

static int run_user_passwd(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct actor op;
	struct store *store = NULL;
	char password[CLI_PASSWORD_MAX] = "";
	const char *email = NULL;
	int rc = 0;

	svc_actor_operator(&op);
	if ((rc = cli_require(a, "email", &email)))
		goto out;
	if (!cli_flag(a, "password-stdin")) {
		rc = cli_usage(a, "give the new password on standard input with --password-stdin");
		goto out;
	}
	if ((rc = cli_read_password(password)) || (rc = cli_store_open(a, false, &store)))
		goto out;
	if (svc_password_set(store, &op, email, password, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	printf("password changed for %s; their sessions were signed out\n", email);
out:
	explicit_bzero(password, sizeof password);
	store_close(store);
	err_release(&e);
	return rc;
}

static int run_user_list(const struct cli_args *a)
{
	return cli_run_operator_list(a, svc_user_list);
}

static const struct cli_command user_add = {
	.name = "add",
	.summary = "Add a user with a first role on an organisation; prints it as JSON",
	.summary_ko = "사용자를 추가하고 조직에 대한 첫 역할을 부여합니다",
	.usage = "user add --db PATH --email E --org ORGID --role ROLE --password-stdin\n"
		 "                     [--name N] [--locale ko|en]",
	.options = user_add_options,
	.details = "Example:\n"
		   "  echo 'a-long-password-1' | aims user add --db var/aims.db \\\n"
		   "      --email kim@example.go.kr --org 3 --role officer --name 김민정 --password-stdin\n",
	.run = run_user_add,
};

static const struct cli_command user_passwd = {
	.name = "passwd",
	.summary = "Set a user's password (signs out their sessions)",
	.summary_ko = "사용자의 비밀번호를 바꿉니다",
	.usage = "user passwd --db PATH --email E --password-stdin",
	.options = user_passwd_options,
	.details = "Example:\n"
		   "  echo 'a-new-password-2' | aims user passwd --db var/aims.db \\\n"
		   "      --email kim@example.go.kr --password-stdin\n",
	.run = run_user_passwd,
};

static const struct cli_command user_list = {
	.name = "list",
	.summary = "List every user with their roles as a JSON array",
	.summary_ko = "모든 사용자와 역할을 JSON 배열로 보여 줍니다",
	.usage = "user list --db PATH",
	.options = user_list_options,
	.run = run_user_list,
};

static const struct cli_command *const user_subcommands[] = { &user_add, &user_passwd, &user_list, NULL };

const struct cli_command cli_cmd_user = {
	.name = "user",
	.summary = "Manage users and passwords (as the local operator)",
	.summary_ko = "사용자와 비밀번호를 관리합니다 (로컬 운영자 권한)",
	.usage = "user COMMAND [OPTIONS]",
	.subcommands = user_subcommands,
};
