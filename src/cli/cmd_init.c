/*
 * cmd_init.c: `aims init`, which creates the database, the root organisation and its
 * first admin, and optionally loads demo data with the same password.
 *
 * The password is either read from standard input (--password-stdin) or generated;
 * only a generated password is printed, since the operator already knows one they
 * typed. Password buffers are wiped before returning.
 */
#include "cli/internal.h"
#include "base/secret.h"
#include "svc/svc.h"

#include <string.h>
#include <unistd.h>

#define INIT_DEFAULT_ORG "한빛특별시"
#define INIT_DEFAULT_EMAIL "admin@example.org"

static const struct cli_option init_options[] = {
	CLI_OPT_DB,
	{ "org-name", "NAME", "name of the root organisation (default: " INIT_DEFAULT_ORG ")" },
	{ "admin-email", "E", "e-mail of the first admin (default: " INIT_DEFAULT_EMAIL ")" },
	{ "password-stdin", NULL, "read the admin password (12+ characters) as one line from stdin" },
	{ "demo", "FILE", "also load demo organisations, users and AI systems from FILE" },
	CLI_OPT_END,
};

/* The demo file's user count, read before anything is written so a bad file fails early. */
static int demo_user_count(const char *path, size_t *count)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	if (!doc && jerr.line < 1)
		return cli_failf("%s", jerr.text); /* cannot open: the text names the file */
	if (!doc)
		return cli_failf("%s:%d: %s", path, jerr.line, jerr.text);
	*count = json_array_size(json_object_get(doc, "users"));
	json_decref(doc);
	return 0;
}

static int run_init(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct store *store = NULL;
	char password[CLI_PASSWORD_MAX] = "";
	const char *org_name = cli_opt(a, "org-name");
	const char *email = cli_opt(a, "admin-email");
	const char *demo = cli_opt(a, "demo");
	const char *url = NULL;
	bool generated = !cli_flag(a, "password-stdin");
	size_t demo_users = 0;
	int rc = 0;

	if (!org_name)
		org_name = INIT_DEFAULT_ORG;
	if (!email)
		email = INIT_DEFAULT_EMAIL;
	if (demo && !*demo) {
		rc = cli_usage(a, "--demo needs a file name");
		goto out;
	}
	/* Check every argument before the slow work (hashing) and before writing anything. */
	if ((rc = cli_db_url(a, &url)))
		goto out;
	if (demo && (rc = demo_user_count(demo, &demo_users)))
		goto out;
	if (generated)
		secret_random_password(password);
	else if ((rc = cli_read_password(password)))
		goto out;
	/* A database this command creates is removed again if the demo cannot be loaded,
	 * so init --demo is all or nothing for the user. */
	bool created = access(url, F_OK) != 0;
	if ((rc = cli_store_open(a, true, &store)))
		goto out;
	if (svc_init(store, org_name, email, password, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (demo && svc_demo_load(store, demo, password, &e) != 0) {
		rc = cli_fail(&e);
		store_close(store);
		store = NULL;
		if (created) {
			static const char *const suffixes[] = { "", "-wal", "-shm" };
			char path[4096];
			for (size_t i = 0; i < 3; i++) {
				snprintf(path, sizeof path, "%s%s", url, suffixes[i]);
				unlink(path);
			}
			fprintf(stderr, "aims: nothing was kept; fix the demo file and run init again\n");
		} else {
			fprintf(stderr, "aims: the database is initialised; the demo data may be partly loaded\n");
		}
		goto out;
	}
	printf("admin e-mail: %s\n", email);
	if (generated)
		printf("password: %s\n", password);
	if (demo)
		printf("demo users: %zu (same password)\n", demo_users);
out:
	explicit_bzero(password, sizeof password);
	store_close(store);
	err_release(&e);
	return rc;
}

const struct cli_command cli_cmd_init = {
	.name = "init",
	.summary = "Create the database with its root organisation and first admin",
	.summary_ko = "데이터베이스를 만들고 최상위 조직과 첫 관리자를 등록합니다",
	.usage = "init --db PATH [--org-name NAME] [--admin-email E] [--password-stdin] [--demo FILE]",
	.options = init_options,
	.details = "Without --password-stdin a random 20-character password is generated and\n"
		   "printed once. With --demo every demo user gets the same password.\n"
		   "\nExample:\n"
		   "  echo 'admin-pass-123456' | aims init --db var/aims.db --password-stdin \\\n"
		   "      --demo demo/city.json\n",
	.run = run_init,
};
