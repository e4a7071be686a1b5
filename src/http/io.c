/*
 * io.c: reading requests and writing responses: query, headers, cookies, JSON bodies,
 * form fields, redirects and RFC 9457 problem documents.
 */
#include "http/http.h"
#include "base/json_write.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *http_query(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_form(struct http_request *r, const char *name)
{
	return json_string_value(json_object_get(r->form, name));
}

static bool content_type_is(struct http_request *r, const char *want)
{
	const char *ct = http_header(r, "Content-Type");
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

json_t *http_json_body(struct http_request *r, struct http_response *res)
{
	json_error_t jerr;
	if (!content_type_is(r, "application/json")) {
		http_problem(res, 415, "send the body as application/json", NULL);
		return NULL;
	}
	json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!body) {
		char detail[300];
		snprintf(detail, sizeof detail, "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		http_problem(res, 400, detail, NULL);
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		http_problem(res, 400, "the JSON body must be an object", NULL);
		return NULL;
	}
	return body;
}

void http_header_add(struct http_response *res, const char *name, const char *fmt, ...)
{
	if (res->header_count >= HTTP_MAX_HEADERS)
		return;
	va_list ap;
	char *value = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	res->header_names[res->header_count] = name;
	res->header_values[res->header_count] = value;
	res->header_count++;
}

void http_text(struct http_response *res, int status, const char *type, const char *text, size_t n)
{
	res->status = status;
	res->content_type = type;
	buf_reset(&res->body);
	buf_add(&res->body, text, n);
}

void http_json(struct http_response *res, int status, json_t *body)
{
	res->status = status;
	res->content_type = "application/json";
	buf_reset(&res->body);
	json_write(&res->body, body); /* base/json_write.h: why not json_dumps */
	json_decref(body);
}

void http_redirect(struct http_response *res, const char *location)
{
	res->status = 303;
	res->content_type = "text/plain; charset=utf-8";
	http_header_add(res, "Location", "%s", location);
	buf_reset(&res->body);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Error";
}

void http_problem(struct http_response *res, int status, const char *detail, json_t *fields)
{
	json_t *doc = json_pack("{ss ss si ss}", "type", "about:blank", "title", http_reason(status), "status",
				status, "detail", detail ? detail : http_reason(status));
	if (fields)
		json_object_set(doc, "errors", fields);
	http_json(res, status, doc);
	res->content_type = "application/problem+json";
}

int http_status_of(int code)
{
	switch (code) {
	case AIMS_OK: return 200;
	case AIMS_EINVAL: return 422;
	case AIMS_EBADREQ: return 400;
	case AIMS_ENOTFOUND: return 404;
	case AIMS_EFORBIDDEN: return 403;
	case AIMS_EUNAUTH: return 401;
	case AIMS_ECONFLICT: return 409;
	case AIMS_ETOOBIG: return 413;
	case AIMS_ETHROTTLED: return 429;
	case AIMS_ERETRY: return 503;
	}
	return 500;
}

void http_problem_err(struct http_response *res, const struct err *e)
{
	int status = http_status_of(e->code);
	/* Database internals are logged, not shown. */
	if (status == 500) {
		json_t *line = json_pack("{ss ss}", "msg", "internal error", "detail", e->message);
		char *text = json_dumps(line, JSON_COMPACT);
		if (text)
			fprintf(stderr, "%s\n", text);
		free(text);
		json_decref(line);
	}
	/* Still busy after svc's own retries: the client may try again shortly. */
	if (e->code == AIMS_ERETRY)
		http_header_add(res, "Retry-After", "1");
	/* A failed integrity check is the operator's business but also the reader's: say it. */
	bool hide = status == 500 && e->code != AIMS_EINTEGRITY;
	http_problem(res, status, hide ? "internal error; the administrator can find it in the log" : e->message,
		     e->fields);
}
