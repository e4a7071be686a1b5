/*
 * cmd_serve.c: `aims serve`, which fills struct http_config from flags, falling back
 * to AIMS_* environment variables and then to defaults, and runs the HTTP server.
 *
 * A flag always wins over its variable. Bad values in either are usage errors that
 * name the flag or variable they came from. The strings in http_config point into
 * argv or the environment, which outlive the server.
 */
#include "cli/internal.h"
#include "base/text.h"
#include "http/server.h"
#include "svc/catalogs.h"

#include <stdlib.h>
#include <string.h>

#define SERVE_DEFAULT_LISTEN "127.0.0.1:8080"
#define SERVE_DEFAULT_GRACE 10
#define SERVE_MAX_THREADS 1024
#define SERVE_MAX_GRACE 3600

static const struct cli_option serve_options[] = {
	CLI_OPT_DB,
	{ "listen", "HOST:PORT", "address to listen on (env AIMS_LISTEN, default " SERVE_DEFAULT_LISTEN ")" },
	{ "threads", "N", "worker threads, 0 for one per CPU (env AIMS_THREADS, default 0)" },
	{ "secure-cookies", NULL, "mark cookies Secure, when behind TLS (env AIMS_SECURE_COOKIES=1|true)" },
	{ "shutdown-grace", "SECONDS", "finish requests this long after SIGTERM (env AIMS_SHUTDOWN_GRACE, default 10)" },
	CLI_OPT_EVIDENCE_DIR, CLI_OPT_EVIDENCE_MAX,
	CLI_OPT_END,
};

/* An integer from the flag, else from the variable, else def. */
static int int_setting(const struct cli_args *a, const char *option, const char *env, int64_t max,
		       int def, int *out)
{
	const char *flag = cli_opt(a, option);
	const char *var = getenv(env);
	int64_t v = def;
	int rc = 0;
	if (flag)
		rc = cli_opt_int(a, option, 0, max, &v);
	else if (var && *var)
		rc = cli_parse_int(a, env, var, 0, max, &v);
	*out = (int)v;
	return rc;
}

static int bool_setting(const struct cli_args *a, const char *option, const char *env, bool *out)
{
	const char *var = getenv(env);
	*out = false;
	if (cli_flag(a, option)) {
		*out = true;
		return 0;
	}
	if (!var || !*var || !strcmp(var, "0") || text_ieq(var, "false") || text_ieq(var, "no") ||
	    text_ieq(var, "off"))
		return 0;
	if (!strcmp(var, "1") || text_ieq(var, "true") || text_ieq(var, "yes") || text_ieq(var, "on")) {
		*out = true;
		return 0;
	}
	return cli_usage(a, "%s must be 1 or true (or 0 or false), not '%s'", env, var);
}

static int run_serve(const struct cli_args *a)
{
	struct http_config cfg;
	struct store *probe = NULL;
	struct err e = ERR_INIT;
	char evidence_dir[1024];
	int rc = 0;

	memset(&cfg, 0, sizeof cfg);
	cfg.listen = cli_opt_env(a, "listen", "AIMS_LISTEN");
	if (!cfg.listen)
		cfg.listen = SERVE_DEFAULT_LISTEN;
	if ((rc = cli_db_url(a, &cfg.db_url)))
		goto out;
	if ((rc = int_setting(a, "threads", "AIMS_THREADS", SERVE_MAX_THREADS, 0, &cfg.threads)))
		goto out;
	if ((rc = int_setting(a, "shutdown-grace", "AIMS_SHUTDOWN_GRACE", SERVE_MAX_GRACE,
			      SERVE_DEFAULT_GRACE, &cfg.shutdown_grace_s)))
		goto out;
	if ((rc = bool_setting(a, "secure-cookies", "AIMS_SECURE_COOKIES", &cfg.secure_cookies)))
		goto out;
	if (!strchr(cfg.listen, ':')) {
		rc = cli_usage(a, "the listen address must be HOST:PORT, not '%s'", cfg.listen);
		goto out;
	}
	if ((rc = cli_evidence_config(a, cfg.db_url, &cfg.evidence, evidence_dir, sizeof evidence_dir)))
		goto out;
	if (blobs_prepare(cfg.evidence.dir, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	/* Refuse a missing database here: serving an empty one made by a typo helps nobody. */
	if ((rc = cli_store_open(a, false, &probe)))
		goto out;
	/* The same for a broken catalog library (AIMS_CATALOGS, AIMS_CATALOG_PREVIOUS): say
	 * so now, not on the first request that needs it. */
	const struct catalog_set *set = NULL;
	if (svc_catalogs_builtin(&set, &e) || svc_catalogs_previous(&set, &e)) {
		rc = cli_fail(&e);
		fputs("aims: run 'aims catalog check' for every problem\n", stderr);
		goto out;
	}
	store_close(probe);
	probe = NULL;
	rc = http_serve(&cfg);
out:
	store_close(probe);
	err_release(&e);
	return rc;
}

const struct cli_command cli_cmd_serve = {
	.name = "serve",
	.summary = "Serve the web UI and the JSON API",
	.summary_ko = "웹 화면과 JSON API를 제공합니다",
	.usage = "serve --db PATH [--listen HOST:PORT] [--threads N] [--secure-cookies]\n"
		 "                  [--shutdown-grace SECONDS] [--evidence-dir DIR] [--evidence-max-mb N]",
	.options = serve_options,
	.details = "Environment (a flag wins over its variable):\n"
		   "  AIMS_DB              database file (--db)\n"
		   "  AIMS_LISTEN          HOST:PORT to listen on (--listen), default " SERVE_DEFAULT_LISTEN "\n"
		   "  AIMS_THREADS         worker threads, 0 = one per CPU (--threads), default 0\n"
		   "  AIMS_SECURE_COOKIES  1 or true to mark cookies Secure (--secure-cookies)\n"
		   "  AIMS_SHUTDOWN_GRACE  seconds to finish requests after SIGTERM (--shutdown-grace),\n"
		   "                       default 10\n"
		   "  AIMS_CATALOGS        a catalog library directory to use instead of the built-in one\n"
		   "  AIMS_CATALOG_PREVIOUS  a directory of earlier catalog versions, for the upgrade view\n"
		   "  AIMS_EVIDENCE_DIR    where evidence files are kept (--evidence-dir), default\n"
		   "                       DB.evidence beside an SQLite file, else ./aims-evidence;\n"
		   "                       servers sharing one database must share this directory\n"
		   "  AIMS_EVIDENCE_MAX_MB largest evidence upload in MiB (--evidence-max-mb), default 50\n"
		   "Port 0 picks a free port. Requests are logged as JSON lines on stderr.\n"
		   "\nExample:\n"
		   "  aims serve --db var/aims.db --listen 0.0.0.0:8080 --secure-cookies\n",
	.run = run_serve,
};
