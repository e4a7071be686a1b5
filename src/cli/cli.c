/*
 * cli.c: dispatch, help and the shared helpers of the aims command line.
 *
 * The commands form a tree (groups such as "system" hold leaves such as "list");
 * each node is a struct cli_command declared in its cmd_*.c file. cli_main walks
 * argv down the tree, parses the leaf's long options with a small table-driven
 * parser (--name VALUE, --name=VALUE, flags, "--" ends options, "-" is an argument)
 * and runs it. Help is generated from the same tables, so an option cannot exist
 * without being documented.
 *
 * Output contract: results go to stdout, everything else (errors, hints) to stderr.
 * Exit codes: 0 success, 1 failure, 2 usage error. The CLI reaches data only through
 * svc/ (plus store_open/store_close).
 */
#include "cli/cli.h"
#include "cli/internal.h"
#include "svc/svc.h"
#include "svc/catalogs.h"
#include "base/buf.h"
#include "base/secret.h"
#include "base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run_help(const struct cli_args *a);

static const struct cli_command cli_cmd_help = {
	.name = "help",
	.summary = "Show help for a command",
	.summary_ko = "명령 도움말을 봅니다",
	.usage = "help [COMMAND [SUBCOMMAND]]",
	.options = (const struct cli_option[]){ CLI_OPT_END },
	.details = "Same as 'aims COMMAND --help'.\n",
	.max_positional = 2,
	.run = run_help,
};

static const struct cli_command *const top_commands[] = {
	&cli_cmd_init, &cli_cmd_serve, &cli_cmd_org, &cli_cmd_user, &cli_cmd_token, &cli_cmd_system, &cli_cmd_soa,
	&cli_cmd_assessment, &cli_cmd_evidence, &cli_cmd_risk, &cli_cmd_db, &cli_cmd_backup, &cli_cmd_catalog, &cli_cmd_fair,
	&cli_cmd_help, NULL,
};

static const struct cli_command cli_root = {
	.name = "aims",
	.summary = "aims: an open AI management system (ISO/IEC 42001)",
	.summary_ko = "aims: AI 경영시스템 — AI 시스템 인벤토리와 거버넌스",
	.usage = "COMMAND [OPTIONS]",
	.details = "Environment: AIMS_DB (database), AIMS_USER (acting user for 'system'),\n"
		   "AIMS_LISTEN, AIMS_THREADS, AIMS_SECURE_COOKIES, AIMS_SHUTDOWN_GRACE (serve),\n"
		   "AIMS_CATALOGS (a catalog library directory instead of the built-in one),\n"
		   "AIMS_CATALOG_PREVIOUS (a directory of earlier catalog versions).\n"
		   "Exit status: 0 success, 1 failure, 2 usage error.\n",
	.subcommands = top_commands,
};

/* ---- help ---- */

static void print_help(FILE *f, const struct cli_command *c, const char *path)
{
	fprintf(f, "Usage: aims %s\n", c->usage ? c->usage : "");
	fprintf(f, "%s\n%s\n", c->summary, c->summary_ko);
	if (c->subcommands) {
		size_t width = 0;
		for (const struct cli_command *const *s = c->subcommands; *s; s++)
			if (strlen((*s)->name) > width)
				width = strlen((*s)->name);
		fputs("\nCommands:\n", f);
		for (const struct cli_command *const *s = c->subcommands; *s; s++)
			fprintf(f, "  %-*s  %s\n", (int)width, (*s)->name, (*s)->summary);
		fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n", path);
	} else {
		size_t width = strlen("-h, --help");
		for (const struct cli_option *o = c->options; o && o->name; o++) {
			size_t w = 2 + strlen(o->name) + (o->value ? 1 + strlen(o->value) : 0);
			if (w > width)
				width = w;
		}
		fputs("\nOptions:\n", f);
		for (const struct cli_option *o = c->options; o && o->name; o++) {
			char left[128];
			snprintf(left, sizeof left, "--%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
			fprintf(f, "  %-*s  %s\n", (int)width, left, o->help);
		}
		fprintf(f, "  %-*s  %s\n", (int)width, "-h, --help", "show this help");
	}
	if (c->details)
		fprintf(f, "\n%s", c->details);
}

static const struct cli_command *find_sub(const struct cli_command *group, const char *name)
{
	for (const struct cli_command *const *s = group->subcommands; s && *s; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}

static int run_help(const struct cli_args *a)
{
	const struct cli_command *c = &cli_root;
	struct buf path = BUF_INIT(256);
	int rc = CLI_EXIT_OK;
	buf_addstr(&path, "aims");
	for (int i = 0; i < a->positional_count; i++) {
		const struct cli_command *next = find_sub(c, a->positional[i]);
		if (!next) {
			rc = cli_usage(a, "no command '%s %s'", buf_str(&path), a->positional[i]);
			goto out;
		}
		c = next;
		buf_addf(&path, " %s", c->name);
	}
	print_help(stdout, c, buf_str(&path));
out:
	buf_release(&path);
	return rc;
}

/* ---- option parsing ---- */

static int option_index(const struct cli_command *c, const char *name, size_t n)
{
	for (int i = 0; c->options && c->options[i].name && i < CLI_MAX_OPTIONS; i++)
		if (strlen(c->options[i].name) == n && strncmp(c->options[i].name, name, n) == 0)
			return i;
	return -1;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static int parse_args(const struct cli_command *c, const char *path, int argc, char **argv,
		      struct cli_args *out)
{
	bool options_done = false;
	memset(out, 0, sizeof *out);
	out->cmd = c;
	out->path = path;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && is_help(arg)) {
			out->help = true;
			continue;
		}
		if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			if (arg[1] != '-')
				return cli_usage(out, "unknown option %s", arg);
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			int k = option_index(c, name, n);
			if (k < 0)
				return cli_usage(out, "unknown option --%.*s", (int)(n > 100 ? 100 : n), name);
			const struct cli_option *o = &c->options[k];
			if (!o->value) {
				if (eq)
					return cli_usage(out, "option --%s takes no value", o->name);
				out->values[k] = "";
			} else if (eq) {
				out->values[k] = eq + 1;
			} else if (i + 1 < argc) {
				out->values[k] = argv[++i];
			} else {
				return cli_usage(out, "option --%s needs a value (%s)", o->name, o->value);
			}
			continue;
		}
		if (out->positional_count >= c->max_positional ||
		    out->positional_count >= CLI_MAX_POSITIONAL)
			return cli_usage(out, "unexpected argument '%s'", arg);
		out->positional[out->positional_count++] = arg;
	}
	return 0;
}

const char *cli_opt(const struct cli_args *a, const char *name)
{
	int k = option_index(a->cmd, name, strlen(name));
	if (k < 0) {
		fprintf(stderr, "aims: internal error: %s has no option --%s\n", a->path, name);
		abort();
	}
	return a->values[k];
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
}

const char *cli_opt_env(const struct cli_args *a, const char *name, const char *env)
{
	const char *v = cli_opt(a, name);
	if (v && *v)
		return v;
	v = getenv(env);
	return v && *v ? v : NULL;
}

int cli_require(const struct cli_args *a, const char *name, const char **out)
{
	const char *v = cli_opt(a, name);
	if (!v || !*v) {
		const struct cli_option *o = &a->cmd->options[option_index(a->cmd, name, strlen(name))];
		return cli_usage(a, "missing --%s %s", o->name, o->value ? o->value : "");
	}
	*out = v;
	return 0;
}

int cli_parse_int(const struct cli_args *a, const char *what, const char *text, int64_t min,
		  int64_t max, int64_t *out)
{
	if (text_parse_int64(text, min, max, out) != 0)
		return cli_usage(a, "%s must be a whole number from %lld to %lld, not '%s'", what,
				 (long long)min, (long long)max, text);
	return 0;
}

int cli_opt_int(const struct cli_args *a, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = cli_opt(a, name);
	char what[64];
	if (!v)
		return 0;
	snprintf(what, sizeof what, "--%s", name);
	return cli_parse_int(a, what, v, min, max, out);
}

int cli_opt_choice(const struct cli_args *a, const char *name, const char *const *choices,
		   const char **out)
{
	const char *v = cli_opt(a, name);
	*out = choices[0];
	if (!v)
		return 0;
	for (size_t i = 0; choices[i]; i++)
		if (strcmp(v, choices[i]) == 0) {
			*out = choices[i];
			return 0;
		}
	struct buf names = BUF_INIT(256);
	for (size_t i = 0; choices[i]; i++)
		buf_addf(&names, "%s%s", i ? (choices[i + 1] ? ", " : " or ") : "", choices[i]);
	int rc = cli_usage(a, "--%s must be %s, not '%s'", name, buf_str(&names), v);
	buf_release(&names);
	return rc;
}

int cli_usage(const struct cli_args *a, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", a && a->path ? a->path : "aims");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", a && a->path ? a->path : "aims");
	return CLI_EXIT_USAGE;
}

/* ---- output and input ---- */

int cli_fail(const struct err *e)
{
	size_t i;
	json_t *item;
	fputs("aims: ", stderr);
	cli_print_text(stderr, e->message[0] ? e->message : err_code_name(e->code));
	fputc('\n', stderr);
	json_array_foreach(e->fields, i, item) {
		json_t *line = json_object_get(item, "line");
		const char *field = json_string_value(json_object_get(item, "field"));
		const char *message = json_string_value(json_object_get(item, "message"));
		fputs("  ", stderr);
		if (json_is_integer(line))
			fprintf(stderr, "line %lld: ", (long long)json_integer_value(line));
		if (field && *field) {
			cli_print_text(stderr, field);
			fputs(": ", stderr);
		}
		cli_print_text(stderr, message ? message : "");
		fputc('\n', stderr);
	}
	return CLI_EXIT_FAILURE;
}

int cli_failf(const char *fmt, ...)
{
	va_list ap;
	fputs("aims: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAILURE;
}

int cli_print_json(FILE *f, json_t *v)
{
	if (json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY) != 0 || fputc('\n', f) == EOF)
		return cli_failf("cannot write the output");
	return 0;
}

void cli_print_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] < 0xA0) {
			fputc('?', f); /* C1 controls: U+0080..U+009F */
			s++;
			continue;
		}
		fputc((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : (int)c, f);
	}
}

int cli_read_password(char out[CLI_PASSWORD_MAX])
{
	if (!fgets(out, CLI_PASSWORD_MAX, stdin))
		return cli_failf("no password on standard input (--password-stdin reads one line)");
	size_t n = strlen(out);
	if (n == CLI_PASSWORD_MAX - 1 && out[n - 1] != '\n') {
		explicit_bzero(out, CLI_PASSWORD_MAX);
		return cli_failf("the password line on standard input is too long");
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

int cli_read_file(const char *path, size_t limit, char **data, size_t *len)
{
	struct buf b = BUF_INIT(limit);
	bool use_stdin = strcmp(path, "-") == 0;
	const char *shown = use_stdin ? "standard input" : path;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	char chunk[65536];
	int rc = 0;
	*data = NULL;
	*len = 0;
	if (!f)
		return cli_failf("cannot open %s: %s", path, strerror(errno));
	for (;;) {
		size_t n = fread(chunk, 1, sizeof chunk, f);
		int added = n ? buf_add(&b, chunk, n) : 0;
		if (added == AIMS_ETOOBIG) {
			rc = cli_failf("%s is larger than %zu MiB", shown, limit >> 20);
			goto out;
		}
		if (added) {
			rc = cli_failf("out of memory reading %s", shown);
			goto out;
		}
		if (n < sizeof chunk)
			break;
	}
	if (ferror(f)) {
		rc = cli_failf("cannot read %s: %s", shown, strerror(errno));
		goto out;
	}
	if (!b.data && buf_add(&b, "", 0)) {
		rc = cli_failf("out of memory reading %s", shown);
		goto out;
	}
	*data = buf_detach(&b, len);
out:
	buf_release(&b);
	if (!use_stdin)
		fclose(f);
	return rc;
}

int cli_write_output(const char *path, const char *data, size_t len)
{
	bool to_stdout = !path || strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "wb");
	int rc = 0;
	if (!f)
		return cli_failf("cannot create %s: %s", path, strerror(errno));
	if (fwrite(data, 1, len, f) != len)
		rc = cli_failf("cannot write %s: %s", to_stdout ? "standard output" : path, strerror(errno));
	if (!to_stdout && fclose(f) != 0 && !rc)
		rc = cli_failf("cannot write %s: %s", path, strerror(errno));
	return rc;
}

/* ---- store ---- */

int cli_db_url(const struct cli_args *a, const char **url)
{
	*url = cli_opt_env(a, "db", "AIMS_DB");
	if (!*url)
		return cli_usage(a, "name the database with --db PATH or AIMS_DB");
	return 0;
}

int cli_evidence_config(const struct cli_args *a, const char *db_url, struct svc_evidence_config *cfg,
			char *dir_buf, size_t dir_len)
{
	const char *dir = cli_opt_env(a, "evidence-dir", "AIMS_EVIDENCE_DIR");
	const char *max_flag = cli_opt(a, "evidence-max-mb"), *max_env = getenv("AIMS_EVIDENCE_MAX_MB");
	int64_t mb = 50;
	int rc = 0;
	if (max_flag)
		rc = cli_opt_int(a, "evidence-max-mb", 1, 1 << 20, &mb);
	else if (max_env && *max_env)
		rc = cli_parse_int(a, "AIMS_EVIDENCE_MAX_MB", max_env, 1, 1 << 20, &mb);
	if (rc)
		return rc;
	cfg->max_bytes = (unsigned long long)mb << 20;
	if (!dir || !*dir) {
		const char *path = db_url && strncmp(db_url, "sqlite:", 7) == 0 ? db_url + 7 : db_url;
		if (path && !store_url_is_postgres(path) && strcmp(path, ":memory:"))
			snprintf(dir_buf, dir_len, "%s.evidence", path);
		else
			snprintf(dir_buf, dir_len, "aims-evidence");
		dir = dir_buf;
	}
	cfg->dir = dir;
	return 0;
}

int cli_store_open(const struct cli_args *a, bool create, struct store **out)
{
	const char *url = NULL;
	int rc = cli_db_url(a, &url);
	*out = NULL;
	return rc ? rc : cli_store_open_url(url, create, out);
}

int cli_store_open_url(const char *url, bool create, struct store **out)
{
	struct err e = ERR_INIT;
	int rc = 0;
	*out = NULL;
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	if (!create && !store_url_is_postgres(url) && strcmp(path, ":memory:") != 0 &&
	    access(path, F_OK) != 0)
		return cli_failf("database %s does not exist; create it with 'aims init --db %s'", path, path);
	if (store_open(url, out, &e) != 0)
		rc = cli_fail(&e);
	err_release(&e);
	return rc;
}

int cli_open_as(const struct cli_args *a, struct store **store, struct actor *actor)
{
	struct err e = ERR_INIT;
	const char *email = cli_opt_env(a, "as", "AIMS_USER");
	int rc = 0;
	memset(actor, 0, sizeof *actor);
	if (!email)
		return cli_usage(a, "name the acting user with --as EMAIL or AIMS_USER");
	if ((rc = cli_store_open(a, false, store)))
		return rc;
	if (svc_actor_by_email(*store, email, actor, &e) != 0)
		rc = cli_fail(&e);
	err_release(&e);
	return rc;
}

/* ---- dispatch ---- */

int cli_main(int argc, char **argv)
{
	const struct cli_command *c = &cli_root;
	struct buf path = BUF_INIT(256);
	struct cli_args args;
	int rc = CLI_EXIT_OK, i = 1;

	buf_addstr(&path, "aims");
	if (secret_init() != 0) {
		rc = cli_failf("cannot initialise the cryptography library");
		goto out;
	}
	/* Every command, the server included, reads the same framework library. */
	svc_catalogs_configure(getenv("AIMS_CATALOGS"), getenv("AIMS_CATALOG_PREVIOUS"));
	while (c->subcommands) {
		memset(&args, 0, sizeof args);
		args.cmd = c;
		args.path = buf_str(&path);
		if (i >= argc) {
			print_help(stderr, c, buf_str(&path));
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (is_help(argv[i])) {
			print_help(stdout, c, buf_str(&path));
			goto out;
		}
		if (argv[i][0] == '-') {
			rc = cli_usage(&args, "unknown option %s (options come after the command)", argv[i]);
			goto out;
		}
		const struct cli_command *next = find_sub(c, argv[i]);
		if (!next) {
			rc = cli_usage(&args, "unknown command '%s'", argv[i]);
			goto out;
		}
		c = next;
		buf_addf(&path, " %s", c->name);
		i++;
	}
	rc = parse_args(c, buf_str(&path), argc - i, argv + i, &args);
	if (rc)
		goto out;
	if (args.help) {
		print_help(stdout, c, buf_str(&path));
		goto out;
	}
	rc = c->run(&args);
out:
	/* A full disk or closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "aims: cannot write to standard output\n");
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_FAILURE;
	}
	buf_release(&path);
	return rc;
}

int cli_run_operator_list(const struct cli_args *a,
			  int (*list)(struct store *, const struct actor *, json_t **, struct err *))
{
	struct err e = ERR_INIT;
	struct actor op;
	struct store *store = NULL;
	json_t *out = NULL;
	int rc = 0;

	svc_actor_operator(&op);
	if ((rc = cli_store_open(a, false, &store)))
		goto out;
	if (list(store, &op, &out, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	rc = cli_print_json(stdout, out);
out:
	json_decref(out);
	store_close(store);
	err_release(&e);
	return rc;
}

const char *cli_str_or(json_t *obj, const char *key, const char *fallback)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v && *v ? v : fallback;
}
