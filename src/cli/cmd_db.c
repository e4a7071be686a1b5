/*
 * cmd_db.c: `aims db copy`, which moves a whole installation to another database
 * (typically SQLite → PostgreSQL when one machine is no longer enough), and
 * `aims db check`, which prints the row counts and checksums that prove a copy, a
 * restored backup or a replica holds the same data.
 *
 * Both run as the local operator: holding the database URLs is the authority.
 * The table goes to stdout (or JSON with --format json); the verdict to stderr.
 */
#include "cli/internal.h"
#include "svc/svc.h"

#include <string.h>

static const struct cli_option copy_options[] = {
	{ "from", "URL", "the database to copy: an SQLite file or postgresql://... (required)" },
	{ "to", "URL", "an empty database to copy into; an SQLite file is created (required)" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

static const struct cli_option check_options[] = {
	CLI_OPT_DB,
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

static int read_format(const struct cli_args *a, bool *json)
{
	static const char *const formats[] = { "table", "json", NULL };
	const char *format = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	*json = !rc && strcmp(format, "json") == 0;
	return rc;
}

/* Prints rows of {table, ...} with the given columns (keys) under headers (n <= 8). */
static void print_tables(json_t *tables, const char *const *keys, const char *const *headers, size_t n)
{
	size_t widths[8];
	json_t *rows = json_array(), *header = json_array();
	for (size_t c = 0; c < n && c < 8; c++) {
		json_array_append_new(header, json_string(headers[c]));
		/* 24: the longest table name (system_frameworks) must not be cut. */
		widths[c] = strncmp(keys[c], "sha256", 6) == 0 ? 64 : 24;
	}
	json_array_append_new(rows, header);
	size_t i;
	json_t *t;
	json_array_foreach(tables, i, t) {
		json_t *row = json_array();
		for (size_t c = 0; c < n; c++) {
			json_t *v = json_object_get(t, keys[c]);
			char *text = json_is_string(v) ? strdup(json_string_value(v))
				     : json_is_boolean(v) ? strdup(json_is_true(v) ? "ok" : "DIFFERS")
							  : json_dumps(v, JSON_ENCODE_ANY);
			json_array_append_new(row, json_string(text ? text : ""));
			free(text);
		}
		json_array_append_new(rows, row);
	}
	cli_table_print(stdout, rows, widths);
	json_decref(rows);
}

static int run_copy(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct store *from = NULL, *to = NULL;
	json_t *report = NULL;
	const char *from_url = NULL, *to_url = NULL;
	bool json = false;
	int rc = 0;
	if ((rc = cli_require(a, "from", &from_url)) || (rc = cli_require(a, "to", &to_url)) ||
	    (rc = read_format(a, &json)))
		goto out;
	if (strcmp(from_url, to_url) == 0) {
		rc = cli_usage(a, "--from and --to name the same database");
		goto out;
	}
	if ((rc = cli_store_open_url(from_url, false, &from)) || (rc = cli_store_open_url(to_url, true, &to)))
		goto out;
	int copied = svc_db_copy(from, to, &report, &e);
	if (report && json) {
		cli_print_json(stdout, report);
	} else if (report) {
		static const char *const keys[] = { "table", "rows_from", "rows_to", "sha256_from", "match" };
		static const char *const headers[] = { "table", "rows (from)", "rows (to)", "sha256", "check" };
		print_tables(json_object_get(report, "tables"), keys, headers, 5);
	}
	if (copied) {
		rc = cli_fail(&e);
		goto out;
	}
	json_int_t rows = 0;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(report, "tables"), i, t)
		rows += json_integer_value(json_object_get(t, "rows_to"));
	fprintf(stderr, "copied %s → %s (%s): %lld rows; every row count and checksum matches\n",
		store_backend(from), store_backend(to), "one transaction", (long long)rows);
out:
	json_decref(report);
	store_close(from);
	store_close(to);
	err_release(&e);
	return rc;
}

static int run_check(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct store *store = NULL;
	json_t *sums = NULL;
	bool json = false;
	int rc = read_format(a, &json);
	if (rc || (rc = cli_store_open(a, false, &store)))
		goto out;
	if (svc_db_checksums(store, &sums, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (json) {
		cli_print_json(stdout, sums);
	} else {
		static const char *const keys[] = { "table", "rows", "sha256" };
		static const char *const headers[] = { "table", "rows", "sha256" };
		print_tables(sums, keys, headers, 3);
	}
out:
	json_decref(sums);
	store_close(store);
	err_release(&e);
	return rc;
}

static const struct cli_command db_copy = {
	.name = "copy",
	.summary = "Copy a whole installation into an empty database, verified",
	.summary_ko = "설치 전체를 빈 데이터베이스로 복사하고 검증합니다",
	.usage = "db copy --from URL --to URL [--format table|json]",
	.options = copy_options,
	.details = "Every table is copied in one transaction on the target, ids included; then\n"
		   "row counts and SHA-256 checksums of every table are compared and printed.\n"
		   "Exit status 1 when the target is not empty or anything differs. Stop the\n"
		   "servers of the source first, or copy from a backup, so no write is missed.\n"
		   "\nExample:\n"
		   "  aims db copy --from var/aims.db --to 'postgresql://aims@db.internal/aims'\n",
	.run = run_copy,
};

static const struct cli_command db_check = {
	.name = "check",
	.summary = "Print row counts and checksums of every table",
	.summary_ko = "모든 테이블의 행 수와 체크섬을 출력합니다",
	.usage = "db check --db URL [--format table|json]",
	.options = check_options,
	.details = "Two databases with the same data print the same lines, whatever their\n"
		   "backends: compare a copy, a restored backup or a replica with its source.\n",
	.run = run_check,
};

static const struct cli_command *const db_subcommands[] = { &db_copy, &db_check, NULL };

const struct cli_command cli_cmd_db = {
	.name = "db",
	.summary = "Copy and check whole databases (as the local operator)",
	.summary_ko = "데이터베이스 전체를 복사하고 점검합니다 (로컬 운영자 권한)",
	.usage = "db COMMAND [OPTIONS]",
	.subcommands = db_subcommands,
};
