/*
 * internal.h: what the cli/ files share: the command tree, the option parser and
 * the helpers every command uses (opening the store, printing JSON and errors,
 * reading passwords and files).
 *
 * Return convention inside cli/: a command's run function returns the process exit
 * code (CLI_EXIT_*). Helpers return 0 to mean "carry on", or an exit code after they
 * have already printed the reason to stderr, so a caller can just
 * `if ((rc = helper(...))) goto out;` and end with `return rc;`.
 */
#ifndef AIMS_CLI_INTERNAL_H
#define AIMS_CLI_INTERNAL_H

#include "base/err.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,
	CLI_EXIT_USAGE = 2,
};

#define CLI_MAX_OPTIONS 32
#define CLI_MAX_POSITIONAL 4
#define CLI_PASSWORD_MAX 1024     /* longer than any password svc accepts (256 chars) */
#define CLI_JSON_MAX (1u << 20)   /* like the API's JSON body limit */
#define CLI_CSV_MAX (10u << 20)   /* like the API's CSV import limit */

/* One long option, --name or --name VALUE; the table ends with a NULL name. */
struct cli_option {
	const char *name;  /* without the dashes */
	const char *value; /* placeholder shown in help ("PATH"); NULL for a flag */
	const char *help;  /* one line, English */
};

struct cli_args;

/*
 * A node of the command tree: a group (subcommands set, run NULL) or a leaf (run
 * set). Help text is built from these fields, so every option is documented once.
 */
struct cli_command {
	const char *name;
	const char *summary;    /* one line, English */
	const char *summary_ko; /* one line, Korean */
	const char *usage;      /* after "Usage: aims ": "org add --db PATH ..." */
	const struct cli_option *options;
	const char *details;    /* more help text (environment, examples) or NULL */
	int max_positional;
	int (*run)(const struct cli_args *args);
	const struct cli_command *const *subcommands; /* NULL-terminated */
};

/* The parsed command line of a leaf command. */
struct cli_args {
	const struct cli_command *cmd;
	const char *path; /* "aims system list", for messages */
	const char *values[CLI_MAX_OPTIONS]; /* by option index; "" for a given flag */
	const char *positional[CLI_MAX_POSITIONAL];
	int positional_count;
	bool help;
};

/* Option rows shared by many commands. */
#define CLI_OPT_DB { "db", "URL", "database: an SQLite file PATH or postgresql://... (default: $AIMS_DB)" }
#define CLI_OPT_END { NULL, NULL, NULL }

/* The commands, one group or leaf per cmd_*.c file. */
extern const struct cli_command cli_cmd_init;
extern const struct cli_command cli_cmd_serve;
extern const struct cli_command cli_cmd_org;
extern const struct cli_command cli_cmd_user;
extern const struct cli_command cli_cmd_token;
extern const struct cli_command cli_cmd_system;
extern const struct cli_command cli_cmd_soa;
extern const struct cli_command cli_cmd_assessment;
extern const struct cli_command cli_cmd_evidence;
extern const struct cli_command cli_cmd_risk;
extern const struct cli_command cli_cmd_db;
extern const struct cli_command cli_cmd_backup;
extern const struct cli_command cli_cmd_catalog;
extern const struct cli_command cli_cmd_assessment;
extern const struct cli_command cli_cmd_fair;

/* ---- options (cli.c) ---- */

/* The option's value, NULL when not given ("" for a given flag). Aborts when the
 * command does not declare the option: that is a programming error. */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);
/* The option's value when given and non-empty, else the environment variable's when
 * set and non-empty, else NULL. */
const char *cli_opt_env(const struct cli_args *a, const char *name, const char *env);
/* The option's value; when missing or empty prints a usage error naming it. */
int cli_require(const struct cli_args *a, const char *name, const char **out);
/* Parses text (from option or variable `what`) as a whole number in [min, max]. */
int cli_parse_int(const struct cli_args *a, const char *what, const char *text, int64_t min,
		  int64_t max, int64_t *out);
/* The option as a whole number in [min, max]; *out is left alone when not given. */
int cli_opt_int(const struct cli_args *a, const char *name, int64_t min, int64_t max, int64_t *out);
/* The option's value, one of choices (NULL-terminated; the first is the default when
 * the option is not given); anything else is a usage error listing the choices. */
int cli_opt_choice(const struct cli_args *a, const char *name, const char *const *choices,
		   const char **out);
/* Prints "aims CMD: message" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage(const struct cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- output and input (cli.c) ---- */

/* obj[key] when it is a non-empty string, else fallback (for table cells). */
const char *cli_str_or(json_t *obj, const char *key, const char *fallback);
/* Prints e's message and each field error to stderr; returns CLI_EXIT_FAILURE. */
int cli_fail(const struct err *e);
/* Prints a plain failure message to stderr; returns CLI_EXIT_FAILURE. */
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes v as one line of compact UTF-8 JSON and a newline to f. */
int cli_print_json(FILE *f, json_t *v);
/* Writes s with control characters (C0 except newline and tab, DEL, C1) shown as
 * '?', so stored text cannot drive the terminal. */
void cli_print_text(FILE *f, const char *s);
/* Writes data to path, or to stdout when path is NULL or "-". */
int cli_write_output(const char *path, const char *data, size_t len);
/* Reads one line from standard input into out (without its line ending). */
int cli_read_password(char out[CLI_PASSWORD_MAX]);
/* Reads a whole file ("-": standard input) of at most limit bytes; free(*data). */
int cli_read_file(const char *path, size_t limit, char **data, size_t *len);

/* ---- store (cli.c) ---- */

/* The database from --db or AIMS_DB (usage error when neither). */
int cli_db_url(const struct cli_args *a, const char **url);
/* Opens the store of --db/AIMS_DB. Unless create, a missing SQLite file is an error
 * (store_open would silently create an empty database from a typo). */
int cli_store_open(const struct cli_args *a, bool create, struct store **out);
/* The same for a URL given another way (aims db copy --from/--to). */
int cli_store_open_url(const char *url, bool create, struct store **out);
/* Where evidence files live: --evidence-dir or AIMS_EVIDENCE_DIR, else beside an
 * SQLite database (PATH.evidence), else ./aims-evidence; the largest file from
 * --evidence-max-mb or AIMS_EVIDENCE_MAX_MB (default 50). dir_buf holds a derived path. */
struct svc_evidence_config;
int cli_evidence_config(const struct cli_args *a, const char *db_url, struct svc_evidence_config *cfg,
			char *dir_buf, size_t dir_len);
#define CLI_OPT_EVIDENCE_DIR { "evidence-dir", "DIR", "evidence files (env AIMS_EVIDENCE_DIR; default: DB.evidence beside an SQLite file)" }
#define CLI_OPT_EVIDENCE_MAX { "evidence-max-mb", "N", "largest evidence file in MiB (env AIMS_EVIDENCE_MAX_MB, default 50)" }
/* Opens the store and loads the acting user of --as or AIMS_USER (roles apply as in
 * the web UI); the caller closes the store and releases the actor, also on failure. */
int cli_open_as(const struct cli_args *a, struct store **store, struct actor *actor);
/* Opens the store, runs a listing use case as the local operator and prints its
 * JSON: the body of `aims org list` and `aims user list`. */
int cli_run_operator_list(const struct cli_args *a,
			  int (*list)(struct store *, const struct actor *, json_t **, struct err *));

/* ---- catalog versions (cmd_catalog.c) ---- */

struct catalog;
struct catalog_set;
/*
 * The earlier version named by --from for catalog_id: a catalog file or a library
 * directory on disk, or else a version the library holds among its earlier versions.
 * *out points into set (catalog_set_release it, also on failure); errors are printed.
 */
int cli_catalog_from(const char *from, const char *catalog_id, struct catalog_set *set,
		     const struct catalog **out);
/* `soa migrate` and `assessment migrate`: options --from and --format of a, then
 * svc_catalog_migrate of {target_key: target_id} as the acting user, printed as a
 * short report or JSON. Returns the exit code. */
int cli_run_migration(const struct cli_args *a, const char *catalog_id, const char *target_key,
		      int64_t target_id);

/* ---- tables (table.c) ---- */

/* Display columns of valid UTF-8 text in a terminal (East Asian wide: 2). */
size_t cli_text_width(const char *s);
/*
 * Prints rows (an array of arrays of strings, row 0 being the header) as aligned
 * columns separated by two spaces; column c is at most max_width[c] wide, longer
 * cells are cut with "…". The last column is not padded.
 */
void cli_table_print(FILE *f, json_t *rows, const size_t *max_width);
/* Prints s on one line in at most width columns, cut with "…" when longer. */
void cli_print_cut(FILE *f, const char *s, size_t width);

#endif
