/*
 * web.h: shared parts of the HTML front end: UI strings (web/i18n/ko.json and
 * en.json), labels for vocabulary codes, the page context and rendering into the
 * layout.
 *
 * Every page context has: t (the strings of the request's language), lang, me (the
 * signed-in user or absent), csrf, can (rights flags for the navigation), and the
 * page's own data. Templates escape by default (http/tmpl.h).
 */
#ifndef AIMS_HTTP_WEB_H
#define AIMS_HTTP_WEB_H

#include "http/http.h"
#include "model/vocab.h"

int web_init(struct err *e);
void web_release(void);

/* The UI string for a dotted key in locale, or the key itself when missing. */
const char *web_string(const char *locale, const char *key);
/* The label of a vocabulary code ("vocab.<name>.<code>"). */
const char *web_label(const char *locale, const struct vocab *v, const char *code);
/* Options for a <select> or checkbox group: [{value, label, selected}]. selected may
 * be a string or an array of strings. */
json_t *web_options(const char *locale, const struct vocab *v, json_t *selected);
/* Adds "<field>_display": "2026-11-23 09:00 UTC" for an RFC 3339 time field. */
void web_time(json_t *obj, const char *field);
/* Labels one history row for the history table: field_label (the UI string
 * "<prefix><field>", or "history.created" for a creation), created, at_display. */
void web_label_history_row(const char *locale, json_t *row, const char *prefix);
/* Adds *_label and *_display fields to a system object for display. */
void web_label_system(const char *locale, json_t *system);

/* A new page context with the common fields; title is a UI string key. */
json_t *web_context(struct http_request *r, const char *title_key);
/* Renders template into the layout and answers with status. Takes ctx. */
void web_page(struct http_request *r, struct http_response *res, int status, const char *template_name,
	      json_t *ctx);
/* Field errors of e as {field: message} for forms, worded in locale when the error
 * has a code (web/i18n "errors.<code>"). */
json_t *web_field_errors(const char *locale, const struct err *e);
/* Puts e into a page context, when it is set: "errors" {field: message},
 * "error_summary" (one sentence) and "error_list" (for summaries), all in locale. */
void web_put_errors(json_t *ctx, const char *locale, const struct err *e);
/* One sentence in locale saying what went wrong (for the box above a form). */
json_t *web_error_summary(const char *locale, const struct err *e);
/* Field errors of e as a list for summaries: each with "label" (the field's UI name)
 * and "message" in locale; "line" kept for CSV imports. */
json_t *web_error_list(const char *locale, const struct err *e);

void web_not_found(struct http_request *r, struct http_response *res);
void web_error_page(struct http_request *r, struct http_response *res, const struct err *e);
void web_redirect_login(struct http_request *r, struct http_response *res);
void web_csrf_failed(struct http_request *r, struct http_response *res);
/* Sets a one-time message shown on the next page ("flash"), by cookie. */
void web_flash(struct http_response *res, const char *message_key);
/* Turns the problem document an API helper wrote into res (status >= 400) into the
 * error page with the same status and reason: for page routes that reuse an API
 * handler (downloads, exports). */
void web_problem_as_page(struct http_request *r, struct http_response *res);
/* "k=v&k2=v2&" from params (strings, or other JSON as its text), every value
 * percent-encoded, empty values left out: the start of a link's query that keeps the
 * page's filters. A malloc'd string (free it); the template still HTML-escapes it. */
char *web_query_string(json_t *params);
/*
 * Form integers (ids, versions). text, the value of form field name, must be a whole
 * decimal number in [min, INT64_MAX]: then *out is set and the answer is 0. Anything
 * else (empty, spaces, "+", letters, a fraction, below min, too large) leaves *out alone and
 * is AIMS_EBADREQ: a "type" field error on name and a message in locale that names the
 * field, for the error page (400). A form's hidden version that became 0 would mean
 * "no version check" and overwrite someone else's change, so never guess a value.
 * e may be NULL where a bad value only means no option is preselected.
 */
int web_parse_int64(const char *locale, const char *name, const char *text, int64_t min, int64_t *out,
		    struct err *e);
/* The same for the posted field name of r; an absent field is 0 and leaves *out as the
 * caller set it (its default: for a version, 0 is no check, as a PATCH without If-Match). */
int web_form_int64(struct http_request *r, const char *name, int64_t min, int64_t *out, struct err *e);
/* Shows a form's page again with status and the errors of e. */
typedef void (*web_form_page_fn)(struct http_request *r, struct http_response *res, int status, const struct err *e);
/* After a form's use case returned rc: success is the flash and a redirect to location;
 * a field or version problem (AIMS_EINVAL, AIMS_ECONFLICT) shows the form again through
 * redisplay (NULL: never); anything else is the error page. */
void web_form_done(struct http_request *r, struct http_response *res, int rc, const struct err *e,
		   web_form_page_fn redisplay, const char *flash, const char *location);

#endif
