/*
 * err.c: filling and releasing struct err.
 * Messages are truncated to fit the fixed buffer, never overflowed.
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

static void add_field(struct err *e, long line, const char *field, const char *code, long n,
		      const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (!e->fields)
		e->fields = json_array();
	json_t *item = json_object();
	if (line > 0)
		json_object_set_new(item, "line", json_integer(line));
	json_object_set_new(item, "field", json_string(field));
	json_object_set_new(item, "message", json_string(msg));
	if (code)
		json_object_set_new(item, "code", json_string(code));
	if (code && n >= 0)
		json_object_set_new(item, "limit", json_integer(n));
	json_array_append_new(e->fields, item);
	e->code = AIMS_EINVAL;
	size_t count = json_array_size(e->fields);
	snprintf(e->message, sizeof e->message, "%zu field%s invalid", count, count == 1 ? " is" : "s are");
}

void err_field(struct err *e, long line, const char *field, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return;
	va_start(ap, fmt);
	add_field(e, line, field, NULL, -1, fmt, ap);
	va_end(ap);
}

void err_field_code(struct err *e, long line, const char *field, const char *code, long n,
		    const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return;
	va_start(ap, fmt);
	add_field(e, line, field, code, n, fmt, ap);
	va_end(ap);
}

size_t err_field_count(const struct err *e)
{
	return e && e->fields ? json_array_size(e->fields) : 0;
}

void err_release(struct err *e)
{
	if (!e)
		return;
	json_decref(e->fields);
	e->fields = NULL;
	e->code = 0;
	e->message[0] = '\0';
}

const char *err_code_name(int code)
{
	switch (code) {
	case AIMS_OK: return "ok";
	case AIMS_ENOMEM: return "out of memory";
	case AIMS_EINVAL: return "invalid input";
	case AIMS_EBADREQ: return "bad request";
	case AIMS_ENOTFOUND: return "not found";
	case AIMS_EFORBIDDEN: return "forbidden";
	case AIMS_EUNAUTH: return "unauthorized";
	case AIMS_ECONFLICT: return "conflict";
	case AIMS_ETOOBIG: return "too large";
	case AIMS_ETHROTTLED: return "too many attempts";
	case AIMS_ESTORE: return "database error";
	case AIMS_EIO: return "input/output error";
	case AIMS_ERETRY: return "busy, try again";
	case AIMS_EINTEGRITY: return "integrity check failed";
	}
	return "error";
}
