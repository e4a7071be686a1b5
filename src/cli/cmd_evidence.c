/*
 * cmd_evidence.c: `aims evidence add|list|show|verify`. add, list and show act as a
 * named user (--as EMAIL or AIMS_USER) with the same rights as in the web UI; verify
 * is an operator task that re-reads every evidence file and compares it with the
 * SHA-256 recorded when it was added (exit status 1 when any is missing or altered).
 * Files are streamed into the evidence directory, never read whole into memory.
 */
#include "cli/internal.h"
#include "model/role.h"
#include "svc/svc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_AS { "as", "EMAIL", "act as this user, with their rights (default: $AIMS_USER)" }
#define CHUNK ((size_t)1 << 16)

static const struct cli_option add_options[] = {
	CLI_OPT_DB, OPT_AS, CLI_OPT_EVIDENCE_DIR, CLI_OPT_EVIDENCE_MAX,
	{ "org", "ID", "the organisation the evidence belongs to (required)" },
	{ "file", "PATH", "the file to add (required)" },
	{ "title", "TEXT", "what the file shows (required)" },
	{ "description", "TEXT", "more about it" },
	{ "issued-on", "YYYY-MM-DD", "the date of the document" },
	{ "valid-until", "YYYY-MM-DD", "the last day it counts as evidence" },
	{ "system", "ID", "link it to this AI system" },
	{ "catalog", "ID", "with --requirement: link it to a requirement, e.g. iso-iec-42001-2023" },
	{ "requirement", "ID", "the requirement or control, e.g. A.6.2.4" },
	CLI_OPT_END,
};

static const struct cli_option list_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "org", "ID", "the organisation (and those below it) (required)" },
	{ "q", "TEXT", "only evidence whose title, description or file name holds TEXT" },
	{ "state", "S", "valid or expired" },
	{ "system", "ID", "only evidence linked to this AI system" },
	{ "limit", "N", "at most N rows (default 50, at most 200)" },
	{ "offset", "N", "skip the first N rows" },
	{ "format", "F", "table (default) or json" },
	CLI_OPT_END,
};

static const struct cli_option show_options[] = {
	CLI_OPT_DB, OPT_AS,
	{ "id", "ID", "the evidence (required)" },
	CLI_OPT_END,
};

static const struct cli_option verify_options[] = {
	CLI_OPT_DB, CLI_OPT_EVIDENCE_DIR, CLI_OPT_EVIDENCE_MAX,
	{ "format", "F", "text (default) or json" },
	CLI_OPT_END,
};

/* Streams the file at path into u. */
static int stream_file(const char *path, struct svc_upload *u, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, AIMS_EIO, "cannot open %s: %s", path, strerror(errno));
	char *chunk = malloc(CHUNK);
	int rc = chunk ? 0 : err_set(e, AIMS_ENOMEM, "out of memory");
	size_t n;
	while (!rc && (n = fread(chunk, 1, CHUNK, f)) > 0)
		rc = svc_upload_write(u, chunk, n, e);
	if (!rc && ferror(f))
		rc = err_set(e, AIMS_EIO, "cannot read %s", path);
	free(chunk);
	fclose(f);
	return rc;
}

static int run_add(const struct cli_args *a)
{
	struct store *store = NULL;
	struct actor actor = { 0 };
	struct err e = ERR_INIT;
	struct svc_evidence_config cfg = { 0 };
	struct svc_upload upload;
	json_t *input = json_object(), *out = NULL;
	char dir[1024];
	const char *db = NULL, *file = NULL;
	int64_t org = 0, system = 0;
	memset(&upload, 0, sizeof upload);
	int rc = cli_require(a, "org", &file);
	if (!rc)
		rc = cli_require(a, "file", &file);
	if (!rc)
		rc = cli_opt_int(a, "org", 1, INT64_MAX, &org);
	if (!rc)
		rc = cli_opt_int(a, "system", 1, INT64_MAX, &system);
	if (!rc)
		rc = cli_db_url(a, &db);
	if (!rc)
		rc = cli_evidence_config(a, db, &cfg, dir, sizeof dir);
	if (rc)
		goto out;
	static const char *const fields[][2] = {
		{ "title", "title" }, { "description", "description" }, { "issued-on", "issued_on" },
		{ "valid-until", "valid_until" }, { "catalog", "catalog" }, { "requirement", "requirement" },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (cli_opt(a, fields[i][0]))
			json_object_set_new(input, fields[i][1], json_string(cli_opt(a, fields[i][0])));
	if (system)
		json_object_set_new(input, "system_id", json_integer(system));
	if ((rc = cli_open_as(a, &store, &actor)))
		goto out;
	const char *base = strrchr(file, '/');
	if (svc_upload_begin(&upload, &cfg, base ? base + 1 : file, NULL, &e) || stream_file(file, &upload, &e)) {
		/* Over the limit: let create report it with the other problems. */
		if (e.code != AIMS_ETOOBIG) {
			rc = cli_fail(&e);
			goto out;
		}
		err_release(&e);
	}
	if (svc_evidence_create(store, &actor, &cfg, org, input, &upload, &out, &e))
		rc = cli_fail(&e);
	else
		rc = cli_print_json(stdout, out) ? CLI_EXIT_FAILURE : 0;
out:
	svc_upload_release(&upload);
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
	int64_t org = 0;
	static const char *const formats[] = { "table", "json", NULL };
	const char *format = NULL, *unused = NULL;
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = cli_require(a, "org", &unused);
	if (!rc)
		rc = cli_opt_int(a, "org", 1, INT64_MAX, &org);
	if (rc || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	struct svc_evidence_query q = {
		.org_id = org, .q = cli_opt(a, "q"), .state = cli_opt(a, "state"),
		.system_id = cli_opt(a, "system"), .limit = cli_opt(a, "limit"), .offset = cli_opt(a, "offset"),
	};
	if (svc_evidence_list(store, &actor, &q, &list, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json")) {
		rc = cli_print_json(stdout, list) ? CLI_EXIT_FAILURE : 0;
		goto out;
	}
	json_t *rows = json_pack("[[sssssss]]", "id", "title", "file", "valid until", "state", "links", "sha256");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		char id[24], links[24], sha[13];
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
		snprintf(links, sizeof links, "%lld", (long long)json_integer_value(json_object_get(it, "link_count")));
		snprintf(sha, sizeof sha, "%.12s", cli_str_or(it, "sha256", ""));
		json_array_append_new(rows, json_pack("[sssssss]", id, cli_str_or(it, "title", ""), cli_str_or(it, "filename", ""),
						      cli_str_or(it, "valid_until", "-"), cli_str_or(it, "state", ""), links, sha));
	}
	static const size_t widths[] = { 6, 40, 30, 11, 8, 5, 12 };
	cli_table_print(stdout, rows, widths);
	json_decref(rows);
	printf("%lld of %lld shown\n", (long long)json_array_size(json_object_get(list, "items")),
	       (long long)json_integer_value(json_object_get(list, "total")));
out:
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
	const char *unused = NULL;
	int rc = cli_require(a, "id", &unused);
	if (!rc)
		rc = cli_opt_int(a, "id", 1, INT64_MAX, &id);
	if (rc || (rc = cli_open_as(a, &store, &actor)))
		goto out;
	if (svc_evidence_get(store, &actor, id, &out, &e))
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

static void print_ids(const char *label, json_t *ids)
{
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		if (json_is_integer(v))
			printf("%s: evidence %lld\n", label, (long long)json_integer_value(v));
		else
			printf("%s: %s\n", label, json_string_value(v));
	}
}

static int run_verify(const struct cli_args *a)
{
	struct store *store = NULL;
	struct err e = ERR_INIT;
	struct svc_evidence_config cfg = { 0 };
	json_t *report = NULL;
	char dir[1024];
	const char *db = NULL, *format = NULL;
	static const char *const formats[] = { "text", "json", NULL };
	int rc = cli_opt_choice(a, "format", formats, &format);
	if (!rc)
		rc = cli_db_url(a, &db);
	if (!rc)
		rc = cli_evidence_config(a, db, &cfg, dir, sizeof dir);
	if (rc || (rc = cli_store_open(a, false, &store)))
		goto out;
	int vrc = svc_evidence_verify(store, &cfg, &report, &e);
	if (!report) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!strcmp(format, "json")) {
		rc = cli_print_json(stdout, report) ? CLI_EXIT_FAILURE : 0;
	} else {
		print_ids("missing", json_object_get(report, "missing"));
		print_ids("altered", json_object_get(report, "altered"));
		print_ids("unreferenced", json_object_get(report, "unreferenced"));
		printf("%lld evidence files checked in %s: %lld ok, %zu missing, %zu altered, %zu unreferenced\n",
		       (long long)json_integer_value(json_object_get(report, "checked")), cfg.dir,
		       (long long)json_integer_value(json_object_get(report, "ok")),
		       json_array_size(json_object_get(report, "missing")),
		       json_array_size(json_object_get(report, "altered")),
		       json_array_size(json_object_get(report, "unreferenced")));
	}
	if (vrc) {
		fprintf(stderr, "aims evidence verify: %s\n", e.message);
		rc = CLI_EXIT_FAILURE;
	}
out:
	json_decref(report);
	err_release(&e);
	store_close(store);
	return rc;
}

static const struct cli_command evidence_add = {
	.name = "add",
	.summary = "Add a file as evidence, optionally linked to a system or requirement",
	.summary_ko = "파일을 증적으로 등록합니다 (시스템·요구사항 연결 가능)",
	.usage = "evidence add --db PATH --as EMAIL --org ID --file PATH --title TEXT\n"
		 "                         [--issued-on D] [--valid-until D] [--system ID]\n"
		 "                         [--catalog ID --requirement ID]",
	.options = add_options,
	.details = "Prints the new evidence as JSON, with the SHA-256 of the file.\n"
		   "\nExample:\n"
		   "  aims evidence add --db var/aims.db --as officer@example.org --org 2 \\\n"
		   "      --file policy.pdf --title \"AI policy 2026\" --valid-until 2027-12-31 \\\n"
		   "      --catalog iso-iec-42001-2023 --requirement A.2.2\n",
	.run = run_add,
};

static const struct cli_command evidence_list = {
	.name = "list",
	.summary = "List an organisation's evidence, newest first",
	.summary_ko = "조직의 증적을 최신순으로 보여 줍니다",
	.usage = "evidence list --db PATH --as EMAIL --org ID [--q TEXT] [--state valid|expired]\n"
		 "                          [--system ID] [--limit N] [--offset N] [--format table|json]",
	.options = list_options,
	.run = run_list,
};

static const struct cli_command evidence_show = {
	.name = "show",
	.summary = "Show one piece of evidence with its links and history (JSON)",
	.summary_ko = "증적 하나를 연결·이력과 함께 보여 줍니다 (JSON)",
	.usage = "evidence show --db PATH --as EMAIL --id ID",
	.options = show_options,
	.run = run_show,
};

static const struct cli_command evidence_verify = {
	.name = "verify",
	.summary = "Re-check every evidence file against its recorded SHA-256 (operator)",
	.summary_ko = "모든 증적 파일을 기록된 SHA-256과 다시 대조합니다 (운영자)",
	.usage = "evidence verify --db PATH [--evidence-dir DIR] [--format text|json]",
	.options = verify_options,
	.details = "Exit status 1 when a file is missing or altered. Files in the directory that no\n"
		   "evidence refers to are listed as unreferenced (left by a failed upload); they\n"
		   "are harmless and may be deleted.\n",
	.run = run_verify,
};

static const struct cli_command *const evidence_subcommands[] = { &evidence_add, &evidence_list, &evidence_show,
								   &evidence_verify, NULL };

const struct cli_command cli_cmd_evidence = {
	.name = "evidence",
	.summary = "Work with evidence files (add, list, show, verify)",
	.summary_ko = "증적 파일을 다룹니다 (등록, 목록, 보기, 무결성 검사)",
	.usage = "evidence COMMAND [OPTIONS]",
	.subcommands = evidence_subcommands,
	.details = "add, list and show act as the user of --as or AIMS_USER; their roles apply.\n",
};
