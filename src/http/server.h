/*
 * server.h: the HTTP server's entry point, used by `aims serve`.
 */
#ifndef AIMS_HTTP_SERVER_H
#define AIMS_HTTP_SERVER_H

#include "svc/svc.h"

#include <stdbool.h>

struct http_config {
	const char *db_url;      /* --db / AIMS_DB */
	const char *listen;      /* --listen / AIMS_LISTEN, "127.0.0.1:8080"; port 0 picks a free one */
	int threads;             /* --threads / AIMS_THREADS; 0: number of CPUs */
	bool secure_cookies;     /* --secure-cookies / AIMS_SECURE_COOKIES=1: behind TLS */
	int shutdown_grace_s;    /* --shutdown-grace / AIMS_SHUTDOWN_GRACE: wait for in-flight requests */
	struct svc_evidence_config evidence; /* --evidence-dir, --evidence-max-mb */
};

/* Serves until SIGTERM or SIGINT, then finishes in-flight requests. Returns an exit code. */
int http_serve(const struct http_config *cfg);

#endif
