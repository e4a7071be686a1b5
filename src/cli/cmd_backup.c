/*
 * cmd_backup.c: `aims backup`, a consistent copy of a live SQLite database into a new
 * file, taken with SQLite's online backup API while servers keep running. A
 * PostgreSQL database is backed up with pg_dump instead (docs/operations.md); for it
 * this command says so and fails.
 */
#include "cli/internal.h"
#include "svc/svc.h"

static const struct cli_option backup_options[] = {
	CLI_OPT_DB,
	{ "to", "FILE", "the backup file to create; must not exist (required)" },
	CLI_OPT_END,
};

static int run_backup(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct store *store = NULL;
	const char *to = NULL;
	int rc = cli_require(a, "to", &to);
	if (rc || (rc = cli_store_open(a, false, &store)))
		goto out;
	if (svc_backup(store, to, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	fprintf(stderr, "backed up to %s; check it with 'aims db check --db %s'\n", to, to);
out:
	store_close(store);
	err_release(&e);
	return rc;
}

const struct cli_command cli_cmd_backup = {
	.name = "backup",
	.summary = "Back up a live SQLite database to a new file",
	.summary_ko = "운영 중인 SQLite 데이터베이스를 새 파일로 백업합니다",
	.usage = "backup --db PATH --to FILE",
	.options = backup_options,
	.details = "Safe while servers run. Restore by stopping the servers and putting the\n"
		   "file in place of the database. PostgreSQL: use pg_dump (docs/operations.md).\n",
	.run = run_backup,
};
