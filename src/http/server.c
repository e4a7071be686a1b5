/*
 * server.c: the libmicrohttpd daemon of `aims serve`.
 *
 * Threads: MHD runs a pool of worker threads (epoll); each request borrows one store
 * connection from a fixed pool for its whole handling and returns it before the
 * response is queued, so a slow client never holds a database connection.
 *
 * Request life: the first access-handler call matches the route and refuses early
 * (413 on a declared Content-Length over the limit); later calls collect the body up
 * to the route's limit; the last call authenticates, checks CSRF for cookie sessions,
 * runs the handler, adds security headers, queues the response and logs one line.
 *
 * Shutdown: SIGTERM/SIGINT stop accepting (MHD_quiesce_daemon), wait up to the grace
 * period for open connections to finish, then stop the daemon.
 */
#include "http/server.h"
#include "http/http.h"
#include "http/web.h"
#include "base/clock.h"
#include "base/secret.h"
#include "svc/svc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POOL_MAX 64

static struct {
	struct store *stores[POOL_MAX];
	bool busy[POOL_MAX];
	int count;
	pthread_mutex_t lock;
	pthread_cond_t freed;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER };

static struct store *pool_acquire(void)
{
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		for (int i = 0; i < pool.count; i++) {
			if (!pool.busy[i]) {
				pool.busy[i] = true;
				pthread_mutex_unlock(&pool.lock);
				return pool.stores[i];
			}
		}
		pthread_cond_wait(&pool.freed, &pool.lock);
	}
}

static void pool_release(struct store *s)
{
	pthread_mutex_lock(&pool.lock);
	for (int i = 0; i < pool.count; i++)
		if (pool.stores[i] == s)
			pool.busy[i] = false;
	pthread_cond_signal(&pool.freed);
	pthread_mutex_unlock(&pool.lock);
}

struct conn_state {
	struct http_request req;
	const struct http_route *route;
	bool path_known;
	char allow[64];
	double started_ms;
	size_t limit;
	size_t streamed;          /* ROUTE_STREAM: body bytes seen so far */
	struct MHD_PostProcessor *post;
};

static const struct http_config *server_config;
/* Requests between their first byte and their completion; idle keep-alive
 * connections do not count, so shutdown does not wait for them. */
static _Atomic int requests_in_flight;

/* Appends s as the inside of a JSON string (quotes, backslashes, control bytes escaped). */
static void log_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_addf(b, "\\%c", c);
		else if (c < 0x20)
			buf_addf(b, "\\u%04x", c);
		else
			buf_addch(b, (char)c);
	}
}

/*
 * Logging: one JSON line per request on stderr; no secrets, no query strings. Built
 * by hand rather than with jansson: it runs on every request and jansson's encoder
 * cost a tenth of a single-system GET in the benchmark.
 */
static void log_request(struct conn_state *cs, int status)
{
	char now[CLOCK_ISO_LEN];
	struct buf line = BUF_INIT(8192);
	clock_now_iso(now);
	buf_addf(&line, "{\"ts\":\"%s\",\"method\":\"", now);
	log_escape(&line, cs->req.method);
	buf_addstr(&line, "\",\"route\":\"");
	log_escape(&line, cs->route ? cs->route->pattern : "-");
	buf_addstr(&line, "\",\"path\":\"");
	log_escape(&line, cs->req.path);
	buf_addf(&line, "\",\"status\":%d,\"ms\":%.3f", status, clock_mono_ms() - cs->started_ms);
	if (cs->req.actor.user_id)
		buf_addf(&line, ",\"user\":%lld", (long long)cs->req.actor.user_id);
	buf_addstr(&line, ",\"addr\":\"");
	log_escape(&line, cs->req.address);
	buf_addstr(&line, "\"}\n");
	fwrite(line.data, 1, line.len, stderr);
	buf_release(&line);
}

static void add_security_headers(struct MHD_Response *mr, const struct http_response *res)
{
	/* A download never runs as a page of ours, whatever a browser guesses it is. */
	if (res->sandbox)
		MHD_add_response_header(mr, "Content-Security-Policy",
					res->sandbox_styles ? "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
							    : "sandbox; default-src 'none'");
	else
		MHD_add_response_header(mr, "Content-Security-Policy",
					"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
					"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	MHD_add_response_header(mr, "Referrer-Policy", "same-origin");
	MHD_add_response_header(mr, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(mr, "Cache-Control", res->cacheable ? "public, max-age=3600" : "no-store");
	if (server_config && server_config->secure_cookies)
		MHD_add_response_header(mr, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct conn_state *cs,
				     struct http_response *res)
{
	struct MHD_Response *mr;
	if (res->file_fd > 0) {
		/* MHD sends the file with sendfile where it can and closes it when done. */
		mr = MHD_create_response_from_fd64(res->file_size, res->file_fd);
		if (!mr) {
			close(res->file_fd);
			return MHD_NO;
		}
		res->file_fd = 0;
	} else {
		size_t len = res->body.len;
		char *data = buf_detach(&res->body, NULL);
		mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
		if (!mr) {
			free(data);
			return MHD_NO;
		}
	}
	if (res->content_type)
		MHD_add_response_header(mr, "Content-Type", res->content_type);
	for (int i = 0; i < res->header_count; i++) {
		MHD_add_response_header(mr, res->header_names[i], res->header_values[i]);
		free(res->header_values[i]);
	}
	res->header_count = 0;
	add_security_headers(mr, res);
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, mr);
	MHD_destroy_response(mr);
	log_request(cs, res->status);
	return ok;
}

static enum MHD_Result collect_form(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *filename, const char *content_type,
				    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct http_request *r = cls;
	(void)kind, (void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (filename && r->route_flags & ROUTE_STREAM) {
		if (strcmp(key, "file") || (r->evidence_upload && off == 0)) {
			r->upload_extra = true; /* only one part, named "file", is read */
			return MHD_YES;
		}
		if (!r->evidence_upload) {
			r->evidence_upload = calloc(1, sizeof *r->evidence_upload);
			if (!r->evidence_upload)
				return MHD_NO;
			if (svc_upload_begin(r->evidence_upload, &r->config->evidence, filename, content_type, &r->upload_err))
				return MHD_YES;
		}
		/* Past the limit the writer stops writing and remembers it; the rest is read and dropped. */
		if (size && !r->upload_err.code && svc_upload_write(r->evidence_upload, data, size, &r->upload_err) &&
		    r->upload_err.code == AIMS_ETOOBIG)
			err_release(&r->upload_err);
		return MHD_YES;
	}
	if (filename) {
		/* the file name is the client's bytes, not necessarily UTF-8 */
		if (!r->upload)
			r->upload = json_pack("{so ss}", "filename", json_stringn_nocheck(filename, strlen(filename)),
					      "data", "");
		if (!r->upload)
			return MHD_NO;
		const char *have = json_string_value(json_object_get(r->upload, "data"));
		size_t n = json_string_length(json_object_get(r->upload, "data"));
		char *joined = malloc(n + size + 1);
		if (!joined)
			return MHD_NO;
		if (n)
			memcpy(joined, have, n);
		if (size)
			memcpy(joined + n, data, size);
		json_object_set_new(r->upload, "data", json_stringn_nocheck(joined, n + size));
		free(joined);
		return MHD_YES;
	}
	json_t *old = json_object_get(r->form, key);
	if (off == 0 || !old) {
		/* Repeated keys (checkboxes) are joined with ';', as list fields accept. */
		if (old && json_string_length(old)) {
			char *joined = NULL;
			if (asprintf(&joined, "%s;%.*s", json_string_value(old), (int)size, data) < 0)
				return MHD_NO;
			json_object_set_new(r->form, key, json_string_nocheck(joined));
			free(joined);
		} else {
			json_object_set_new(r->form, key, json_stringn_nocheck(data, size));
		}
	} else {
		char *joined = NULL;
		if (asprintf(&joined, "%s%.*s", json_string_value(old), (int)size, data) < 0)
			return MHD_NO;
		json_object_set_new(r->form, key, json_string_nocheck(joined));
		free(joined);
	}
	return MHD_YES;
}

/* Sets r->actor from a bearer token or the session cookie; AUTH_NONE when neither. */
static int authenticate(struct http_request *r, struct err *e)
{
	const char *authz = http_header(r, "Authorization");
	int rc;
	if (authz) {
		if (strncmp(authz, "Bearer ", 7) != 0)
			return err_set(e, AIMS_EUNAUTH, "use Authorization: Bearer <token>");
		rc = svc_authenticate(r->store, "token", authz + 7, &r->actor, NULL, e);
		if (!rc)
			r->auth = AUTH_TOKEN;
		return rc;
	}
	const char *cookie = http_cookie(r, "aims_session");
	if (!cookie)
		return 0;
	rc = svc_authenticate(r->store, "session", cookie, &r->actor, r->csrf, e);
	if (!rc) {
		snprintf(r->session_cookie, sizeof r->session_cookie, "%s", cookie);
		r->auth = AUTH_SESSION;
	}
	return rc;
}

static bool is_mutation(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static void choose_locale(struct http_request *r)
{
	const char *lang = http_cookie(r, "aims_lang");
	if (lang && (!strcmp(lang, "en") || !strcmp(lang, "ko")))
		r->locale = !strcmp(lang, "en") ? "en" : "ko";
	else if (r->actor.user_id && !strcmp(r->actor.locale, "en"))
		r->locale = "en";
	else
		r->locale = "ko";
}

static void handle(struct conn_state *cs, struct http_response *res)
{
	struct http_request *r = &cs->req;
	struct err e = ERR_INIT;
	bool read_only = false;
	bool api = strncmp(r->path, "/api/", 5) == 0 || (cs->route && (cs->route->flags & ROUTE_API));
	if (!cs->route) {
		if (cs->path_known) {
			http_header_add(res, "Allow", "%s", cs->allow);
			http_problem(res, 405, "this method is not allowed here", NULL);
		} else if (api) {
			http_problem(res, 404, "no such resource", NULL);
		} else {
			choose_locale(r);
			web_not_found(r, res);
		}
		return;
	}
	if (r->body_too_large) {
		http_problem(res, 413, "the request body is larger than this route accepts", NULL);
		return;
	}
	/* GET and HEAD never write: one read snapshot for all their queries. */
	read_only = !is_mutation(r->method);
	if (read_only && store_read_begin(r->store, &e)) {
		http_problem_err(res, &e);
		goto out;
	}
	int rc = authenticate(r, &e);
	if (rc && rc != AIMS_EUNAUTH) {
		http_problem_err(res, &e);
		goto out;
	}
	if (rc == AIMS_EUNAUTH)
		r->auth = AUTH_NONE;
	choose_locale(r);
	if (r->auth == AUTH_NONE && !(cs->route->flags & ROUTE_PUBLIC)) {
		if (api) {
			http_header_add(res, "WWW-Authenticate", "Bearer");
			http_problem(res, 401, rc ? e.message : "sign in or send an API token", NULL);
		} else {
			web_redirect_login(r, res);
		}
		goto out;
	}
	if ((cs->route->flags & ROUTE_STREAM) && cs->post) {
		/* The body was parsed as it came; destroying the parser flushes its last bytes. */
		if (MHD_destroy_post_processor(cs->post) != MHD_YES)
			r->stream_broken = true;
		cs->post = NULL;
		if (r->stream_broken) {
			http_problem(res, 400, "the multipart form data could not be read", NULL);
			goto out;
		}
	}
	if ((cs->route->flags & (ROUTE_FORM | ROUTE_UPLOAD)) && !(cs->route->flags & ROUTE_STREAM)) {
		if (cs->post) {
			/* Destroying the parser flushes it: libmicrohttpd reports an empty
			 * last field ("vendor=" at the end) only then, so without it clearing
			 * the last field of a form changed nothing. */
			bool read = MHD_post_process(cs->post, r->body.data ? r->body.data : "", r->body.len) == MHD_YES;
			read &= MHD_destroy_post_processor(cs->post) == MHD_YES;
			cs->post = NULL;
			if (!read) {
				http_problem(res, 400, "the form data could not be read", NULL);
				goto out;
			}
		}
	}
	if (r->auth == AUTH_SESSION && is_mutation(r->method) && !(cs->route->flags & ROUTE_OWN_CSRF)) {
		const char *sent = api && !(cs->route->flags & ROUTE_FORM) ? http_header(r, "X-CSRF-Token")
									: http_form(r, "_csrf");
		if (!sent || !secret_equal(sent, r->csrf)) {
			if (api)
				http_problem(res, 403, "missing or wrong CSRF token (send X-CSRF-Token)", NULL);
			else
				web_csrf_failed(r, res);
			goto out;
		}
	}
	cs->route->handler(r, res);
out:
	if (read_only)
		store_read_end(r->store);
	err_release(&e);
}

/*
 * For streamed uploads: whether the request carries a valid session or token, checked
 * before the body is read. When it does not, handle() answers (401 or the sign-in
 * redirect) with the same rules as every other route.
 */
static bool signed_in_early(struct conn_state *cs)
{
	struct err e = ERR_INIT;
	struct http_request *r = &cs->req;
	r->store = pool_acquire();
	int rc = authenticate(r, &e);
	pool_release(r->store);
	r->store = NULL;
	bool ok = rc == 0 && r->auth != AUTH_NONE;
	actor_release(&r->actor);
	memset(&r->actor, 0, sizeof r->actor);
	r->auth = AUTH_NONE;
	err_release(&e);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct conn_state *cs = *con_cls;
	(void)cls, (void)version;
	if (!cs) {
		cs = calloc(1, sizeof *cs);
		if (!cs)
			return MHD_NO;
		*con_cls = cs;
		requests_in_flight++;
		cs->started_ms = clock_mono_ms();
		cs->req.conn = conn;
		cs->req.method = method;
		cs->req.path = url;
		cs->req.config = server_config;
		cs->req.form = json_object();
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, cs->req.address,
				  sizeof cs->req.address);
		else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
				  cs->req.address, sizeof cs->req.address);
		cs->route = http_route_match(method, url, cs->req.ids, cs->req.key, &cs->path_known, cs->allow, sizeof cs->allow);
		if (cs->route) {
			cs->req.route = cs->route->pattern;
			cs->req.route_flags = cs->route->flags;
		}
		bool stream = cs->route && (cs->route->flags & ROUTE_STREAM);
		cs->limit = stream ? (size_t)server_config->evidence.max_bytes + HTTP_JSON_LIMIT
			  : cs->route && (cs->route->flags & ROUTE_UPLOAD) ? HTTP_UPLOAD_LIMIT : HTTP_JSON_LIMIT;
		buf_init(&cs->req.body, stream ? 0 : cs->limit);
		const char *declared = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (declared && strtoull(declared, NULL, 10) > cs->limit) {
			struct http_response res = { .status = 500 };
			buf_init(&res.body, HTTP_JSON_LIMIT);
			http_problem(&res, 413, "the request body is larger than this route accepts", NULL);
			return send_response(conn, cs, &res);
		}
		if (stream && !signed_in_early(cs)) {
			/* Refuse before a byte of the file is read: no anonymous disk writes. */
			struct http_response res = { .status = 500 };
			buf_init(&res.body, HTTP_JSON_LIMIT);
			cs->req.store = pool_acquire();
			handle(cs, &res);
			pool_release(cs->req.store);
			cs->req.store = NULL;
			return send_response(conn, cs, &res);
		}
		if (cs->route && (cs->route->flags & (ROUTE_FORM | ROUTE_UPLOAD | ROUTE_STREAM)))
			cs->post = MHD_create_post_processor(conn, 64 * 1024, collect_form, &cs->req);
		if (stream && !cs->post) {
			struct http_response res = { .status = 500 };
			buf_init(&res.body, HTTP_JSON_LIMIT);
			http_problem(&res, 415, "send the file as multipart/form-data, in a part named \"file\"", NULL);
			return send_response(conn, cs, &res);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (cs->req.route_flags & ROUTE_STREAM) {
			/* Streamed: parsed as it arrives; the file part goes to disk, never to memory. */
			cs->streamed += *upload_data_size;
			if (cs->streamed > cs->limit)
				cs->req.body_too_large = true;
			else if (!cs->req.body_too_large && MHD_post_process(cs->post, upload_data, *upload_data_size) != MHD_YES)
				cs->req.stream_broken = true;
		} else if (!cs->req.body_too_large && buf_add(&cs->req.body, upload_data, *upload_data_size)) {
			cs->req.body_too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct http_response res = { .status = 500 };
	buf_init(&res.body, (size_t)1 << 30);
	cs->req.store = pool_acquire();
	handle(cs, &res);
	pool_release(cs->req.store);
	cs->req.store = NULL;
	return send_response(conn, cs, &res);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;
	(void)cls, (void)conn, (void)toe;
	if (!cs)
		return;
	if (cs->post)
		MHD_destroy_post_processor(cs->post);
	buf_release(&cs->req.body);
	actor_release(&cs->req.actor);
	json_decref(cs->req.form);
	json_decref(cs->req.upload);
	if (cs->req.evidence_upload) {
		svc_upload_release(cs->req.evidence_upload);
		free(cs->req.evidence_upload);
	}
	err_release(&cs->req.upload_err);
	free(cs);
	requests_in_flight--;
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *addr)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end = NULL;
	long port = strtol(colon + 1, &end, 10);
	if (!end || *end || port < 0 || port > 65535)
		return -1;
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	addr->sin_port = htons((uint16_t)port);
	if (!*host || !strcmp(host, "localhost"))
		snprintf(host, sizeof host, "127.0.0.1");
	return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

int http_serve(const struct http_config *cfg)
{
	struct sockaddr_in addr;
	struct err e = ERR_INIT;
	struct MHD_Daemon *d = NULL;
	int exit_code = 1;
	server_config = cfg;
	if (parse_listen(cfg->listen, &addr)) {
		fprintf(stderr, "aims serve: --listen must be IPv4-ADDRESS:PORT, got %s\n", cfg->listen);
		return 2;
	}
	int threads = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	if (threads > POOL_MAX / 2)
		threads = POOL_MAX / 2;
	pool.count = threads + 1;
	for (int i = 0; i < pool.count; i++) {
		if (store_open(cfg->db_url, &pool.stores[i], &e)) {
			fprintf(stderr, "aims serve: %s\n", e.message);
			pool.count = i;
			goto out;
		}
	}
	if (web_init(&e)) {
		fprintf(stderr, "aims serve: %s\n", e.message);
		goto out;
	}
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* worker threads inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
				     MHD_USE_ERROR_LOG,
			     0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED,
			     on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "aims serve: cannot listen on %s: %s\n", cfg->listen, strerror(errno));
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char ip[64];
	inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
	struct buf line = BUF_INIT(4096);
	log_escape(&line, cfg->evidence.dir ? cfg->evidence.dir : "");
	fprintf(stderr, "{\"msg\":\"listening\",\"url\":\"http://%s:%u/\",\"threads\":%d,\"db\":\"%s\",\"evidence_dir\":\"%s\"}\n",
		ip, info ? info->port : ntohs(addr.sin_port), threads, store_backend(pool.stores[0]), buf_str(&line));
	buf_release(&line);
	int sig = 0;
	sigwait(&stop, &sig);
	fprintf(stderr, "{\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
	MHD_socket listener = MHD_quiesce_daemon(d);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	double deadline = clock_mono_ms() + 1000.0 * (cfg->shutdown_grace_s > 0 ? cfg->shutdown_grace_s : 10);
	while (requests_in_flight > 0 && clock_mono_ms() < deadline)
		usleep(20 * 1000);
	MHD_stop_daemon(d);
	fprintf(stderr, "{\"msg\":\"stopped\"}\n");
	exit_code = 0;
out:
	web_release();
	svc_auth_cache_clear();
	for (int i = 0; i < pool.count; i++)
		store_close(pool.stores[i]);
	pool.count = 0;
	err_release(&e);
	return exit_code;
}
