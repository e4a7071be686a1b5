/*
 * err.h: the one error vocabulary of aims.
 *
 * Every function that can fail returns an int: 0 on success or one of the negative
 * AIMS_E* codes below. When the caller passes a `struct err`, the failing function
 * also fills a message fit for a user and, for validation failures, a list of
 * field errors ({line?, field, message}) that the HTTP layer turns into RFC 9457
 * `errors` and the CLI prints one per line.
 *
 * Memory: err_release() frees the field list; a struct err may be reused after it.
 */
#ifndef AIMS_BASE_ERR_H
#define AIMS_BASE_ERR_H

#include <jansson.h>

enum aims_status {
	AIMS_OK = 0,
	AIMS_ENOMEM = -1,
	AIMS_EINVAL = -2,     /* invalid fields: 422 */
	AIMS_EBADREQ = -3,    /* malformed request: 400 */
	AIMS_ENOTFOUND = -4,  /* absent or not visible: 404 */
	AIMS_EFORBIDDEN = -5, /* visible but not allowed: 403 */
	AIMS_EUNAUTH = -6,    /* no or bad credentials: 401 */
	AIMS_ECONFLICT = -7,  /* version mismatch or duplicate: 409 */
	AIMS_ETOOBIG = -8,    /* over a size limit: 413 */
	AIMS_ETHROTTLED = -9, /* too many attempts: 429 */
	AIMS_ESTORE = -10,    /* database failure: 500 */
	AIMS_EIO = -11,       /* file or network failure */
	AIMS_ERETRY = -12,    /* a concurrent transaction got in the way: run the use case again; 503 */
	AIMS_EINTEGRITY = -13, /* stored bytes do not match their recorded digest: 500 */
};

struct err {
	int code;
	char message[512];
	json_t *fields; /* array of {line?, field, message}, or NULL */
};

#define ERR_INIT { 0, "", NULL }

/* Sets code and message (printf format); returns code so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds one field error; line is 0 when not about a file line. Sets code to AIMS_EINVAL. */
void err_field(struct err *e, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Like err_field, and names the kind of problem with a stable code (e.g. "required",
 * "too_long") and a number (the limit; -1 for none), so a front end can word it in
 * the user's language: the web UI looks up "errors.<code>" in web/i18n.
 */
void err_field_code(struct err *e, long line, const char *field, const char *code, long n,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Number of field errors collected so far. */
size_t err_field_count(const struct err *e);

void err_release(struct err *e);

/* A short English name of a code, e.g. "not found". */
const char *err_code_name(int code);

#endif
