/*
 * http.h: the request and response types shared by the HTTP layer's files, and the
 * helpers handlers use to read input and write output.
 *
 * A request is handled on one server thread from start to end; everything hanging
 * off struct http_request lives until the response is sent. Handlers fill struct
 * http_response; the server adds the security headers and writes the log line.
 */
#ifndef AIMS_HTTP_HTTP_H
#define AIMS_HTTP_HTTP_H

#include "base/buf.h"
#include "base/err.h"
#include "model/role.h"
#include "store/store.h"
#include "svc/svc.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>

#define HTTP_JSON_LIMIT (1u << 20)    /* 1 MiB */
#define HTTP_UPLOAD_LIMIT (10u << 20) /* 10 MiB: CSV imports */
#define HTTP_MAX_HEADERS 12
#define HTTP_KEY_MAX 65               /* a {key} route segment and its NUL */

enum http_auth { AUTH_NONE, AUTH_SESSION, AUTH_TOKEN };

struct http_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *route;        /* the matched pattern, for logs */
	unsigned route_flags;     /* the matched route's ROUTE_* flags */
	int64_t ids[3];           /* {id} segments of the route, in order */
	char key[HTTP_KEY_MAX];   /* the {key} segment, or "" */
	struct buf body;
	bool body_too_large;
	char address[64];
	struct store *store;
	const struct http_config *config;
	enum http_auth auth;
	struct actor actor;
	char csrf[65];            /* the session's CSRF token when auth is AUTH_SESSION */
	char session_cookie[64];
	const char *locale;       /* "ko" or "en" */
	json_t *form;             /* parsed form fields, for HTML POSTs */
	json_t *upload;           /* {filename, data} for multipart file uploads */
	struct svc_upload *evidence_upload; /* ROUTE_STREAM: the "file" part, streamed to disk */
	bool upload_extra;        /* ROUTE_STREAM: a second file part was sent */
	bool stream_broken;       /* ROUTE_STREAM: the multipart body could not be parsed */
	struct err upload_err;    /* ROUTE_STREAM: why the file could not be received */
};

struct http_response {
	int status;
	const char *content_type;
	struct buf body;
	const char *header_names[HTTP_MAX_HEADERS];
	char *header_values[HTTP_MAX_HEADERS];
	int header_count;
	bool cacheable;           /* static assets; everything else is no-store */
	bool sandbox;             /* downloads: CSP sandbox, nothing of ours runs in it */
	bool sandbox_styles;      /* with sandbox: inline <style> allowed (generated reports) */
	int file_fd;              /* > 0: send this open file (closed by the server) ... */
	unsigned long long file_size; /* ... of this many bytes instead of body */
};

/* ---- input ---- */
const char *http_query(struct http_request *r, const char *name);
const char *http_header(struct http_request *r, const char *name);
const char *http_cookie(struct http_request *r, const char *name);
/* Parses the body as JSON object; 400/415 problems are written to res on failure. */
json_t *http_json_body(struct http_request *r, struct http_response *res);
/* Form field (urlencoded or multipart), or NULL. */
const char *http_form(struct http_request *r, const char *name);

/* ---- output ---- */
void http_header_add(struct http_response *res, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void http_json(struct http_response *res, int status, json_t *body); /* steals body */
void http_text(struct http_response *res, int status, const char *type, const char *text, size_t n);
void http_redirect(struct http_response *res, const char *location);
/* RFC 9457 problem+json from a status, detail and optional field errors. */
void http_problem(struct http_response *res, int status, const char *detail, json_t *fields);
/* Maps an svc error to its HTTP status and writes the problem. */
void http_problem_err(struct http_response *res, const struct err *e);
int http_status_of(int code);
const char *http_reason(int status);

/* ---- handlers ---- */
typedef void (*http_handler)(struct http_request *r, struct http_response *res);

struct http_route {
	const char *method;
	const char *pattern;  /* "/api/v1/systems/{id}/history" */
	http_handler handler;
	unsigned flags;
};

enum {
	ROUTE_PUBLIC = 1,  /* no sign-in needed */
	ROUTE_API = 2,     /* JSON errors, 401 instead of a redirect */
	ROUTE_UPLOAD = 4,  /* body up to HTTP_UPLOAD_LIMIT */
	ROUTE_FORM = 8,    /* HTML form POST: parse fields and check _csrf */
	ROUTE_OWN_CSRF = 16, /* the handler checks CSRF itself (sign-in: double submit) */
	ROUTE_STREAM = 32, /* multipart evidence upload: the file part goes to disk as it arrives,
			    * up to the evidence size limit; needs a signed-in user from the start */
};

extern const struct http_route http_routes[];
extern const size_t http_route_count;

/* Finds the route; *method_ok false with a match means 405 (allow lists the methods). */
const struct http_route *http_route_match(const char *method, const char *path, int64_t ids[3],
					  char key[HTTP_KEY_MAX], bool *path_known, char *allow, size_t allow_len);

/* API handlers (http/api_*.c) and pages (http/page_*.c) are declared in handlers.h. */

#endif
