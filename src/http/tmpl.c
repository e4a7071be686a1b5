/*
 * tmpl.c: the Mustache-subset renderer described in tmpl.h.
 *
 * Rendering walks the template text directly; sections find their closing tag by
 * counting nested tags of the same name. Recursion is bounded (TMPL_MAX_DEPTH) so a
 * template including itself fails with an error instead of exhausting the stack.
 */
#include "http/tmpl.h"
#include "base/asset.h"

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMPL_MAX_DEPTH 24
#define TMPL_NAME_MAX 128

struct tmpl_state {
	json_t *stack[TMPL_MAX_DEPTH * 2];
	int top;
	int depth;
	struct buf *out;
	struct err *e;
};

static json_t *lookup(struct tmpl_state *st, const char *name)
{
	if (strcmp(name, ".") == 0)
		return st->stack[st->top - 1];
	char first[TMPL_NAME_MAX];
	size_t n = strcspn(name, ".");
	if (n >= sizeof first)
		return NULL;
	memcpy(first, name, n);
	first[n] = '\0';
	json_t *v = NULL;
	for (int i = st->top - 1; i >= 0 && !v; i--)
		if (json_is_object(st->stack[i]))
			v = json_object_get(st->stack[i], first);
	const char *rest = name + n;
	while (v && *rest == '.') {
		rest++;
		n = strcspn(rest, ".");
		if (n >= sizeof first)
			return NULL;
		memcpy(first, rest, n);
		first[n] = '\0';
		if (json_is_array(v) && first[0] >= '0' && first[0] <= '9')
			v = json_array_get(v, strtoul(first, NULL, 10));
		else
			v = json_is_object(v) ? json_object_get(v, first) : NULL;
		rest += n;
	}
	return v;
}

static bool truthy(json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return true;
}

static int emit_value(struct tmpl_state *st, json_t *v, bool raw)
{
	char num[64];
	const char *s = NULL;
	size_t n = 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v)) {
		n = (size_t)snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		n = (size_t)snprintf(num, sizeof num, "%g", json_real_value(v));
		s = num;
	} else if (json_is_true(v)) {
		s = "true";
		n = 4;
	}
	if (!s)
		return 0;
	return raw ? buf_add(st->out, s, n) : buf_add_html(st->out, s, n);
}

static int render(struct tmpl_state *st, const char *t, size_t len);

/* Finds the {{/name}} closing the section that starts at t; returns its offset or -1. */
static long find_close(const char *t, size_t len, const char *name, size_t *close_len)
{
	int level = 1;
	size_t i = 0;
	while (i + 4 < len) {
		const char *open = memmem(t + i, len - i, "{{", 2);
		if (!open)
			return -1;
		size_t at = (size_t)(open - t);
		const char *end = memmem(open, len - at, "}}", 2);
		if (!end)
			return -1;
		char kind = open[2];
		const char *nm = open + 3;
		size_t nlen = (size_t)(end - nm);
		while (nlen && nm[0] == ' ')
			nm++, nlen--;
		while (nlen && nm[nlen - 1] == ' ')
			nlen--;
		bool same = nlen == strlen(name) && memcmp(nm, name, nlen) == 0;
		if (same && (kind == '#' || kind == '^'))
			level++;
		if (same && kind == '/' && --level == 0) {
			*close_len = (size_t)(end + 2 - open);
			return (long)at;
		}
		i = (size_t)(end - t) + 2;
	}
	return -1;
}

static int push(struct tmpl_state *st, json_t *v)
{
	if (st->top >= (int)(sizeof st->stack / sizeof st->stack[0]))
		return err_set(st->e, AIMS_EINVAL, "template sections nested too deeply");
	st->stack[st->top++] = v;
	return 0;
}

static int section(struct tmpl_state *st, json_t *v, bool inverted, const char *body, size_t n)
{
	int rc = 0;
	if (inverted)
		return truthy(v) ? 0 : render(st, body, n);
	if (!truthy(v))
		return 0;
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item) {
			if ((rc = push(st, item)))
				return rc;
			rc = render(st, body, n);
			st->top--;
			if (rc)
				return rc;
		}
		return 0;
	}
	if (json_is_object(v)) {
		if ((rc = push(st, v)))
			return rc;
		rc = render(st, body, n);
		st->top--;
		return rc;
	}
	return render(st, body, n);
}

static int include(struct tmpl_state *st, const char *name)
{
	char path[TMPL_NAME_MAX + 32];
	snprintf(path, sizeof path, "web/templates/%s", name);
	const struct asset *a = asset_find(path);
	if (!a)
		return err_set(st->e, AIMS_ENOTFOUND, "template %s not found", name);
	return render(st, a->data, a->len);
}

static int render(struct tmpl_state *st, const char *t, size_t len)
{
	if (++st->depth > TMPL_MAX_DEPTH) {
		st->depth--;
		return err_set(st->e, AIMS_EINVAL, "templates nested too deeply");
	}
	int rc = 0;
	size_t i = 0;
	while (i < len && !rc) {
		const char *open = memmem(t + i, len - i, "{{", 2);
		if (!open) {
			rc = buf_add(st->out, t + i, len - i);
			break;
		}
		size_t at = (size_t)(open - t);
		if ((rc = buf_add(st->out, t + i, at - i)))
			break;
		bool triple = at + 2 < len && open[2] == '{';
		const char *close = memmem(open, len - at, triple ? "}}}" : "}}", triple ? 3 : 2);
		if (!close) {
			rc = err_set(st->e, AIMS_EINVAL, "unclosed tag at byte %zu", at);
			break;
		}
		const char *inner = open + (triple ? 3 : 2);
		char kind = triple ? '{' : *inner;
		if (strchr("#^/>!", kind) && !triple)
			inner++;
		size_t n = (size_t)(close - inner);
		while (n && *inner == ' ')
			inner++, n--;
		while (n && inner[n - 1] == ' ')
			n--;
		char name[TMPL_NAME_MAX];
		if (n >= sizeof name) {
			rc = err_set(st->e, AIMS_EINVAL, "tag name too long at byte %zu", at);
			break;
		}
		memcpy(name, inner, n);
		name[n] = '\0';
		size_t after = (size_t)(close - t) + (triple ? 3 : 2);
		switch (kind) {
		case '!':
			break;
		case '/':
			rc = err_set(st->e, AIMS_EINVAL, "unexpected {{/%s}}", name);
			break;
		case '>':
			rc = include(st, name);
			break;
		case '#':
		case '^': {
			size_t close_len = 0;
			long end = find_close(t + after, len - after, name, &close_len);
			if (end < 0) {
				rc = err_set(st->e, AIMS_EINVAL, "section {{%c%s}} is not closed", kind, name);
				break;
			}
			rc = section(st, lookup(st, name), kind == '^', t + after, (size_t)end);
			after += (size_t)end + close_len;
			break;
		}
		default:
			rc = emit_value(st, lookup(st, name), triple);
		}
		i = after;
	}
	st->depth--;
	return rc;
}

int tmpl_render_text(const char *text, size_t len, json_t *ctx, struct buf *out, struct err *e)
{
	struct tmpl_state st = { .top = 0, .depth = 0, .out = out, .e = e };
	st.stack[st.top++] = ctx;
	return render(&st, text, len);
}

int tmpl_render(const char *name, json_t *ctx, struct buf *out, struct err *e)
{
	struct tmpl_state st = { .top = 0, .depth = 0, .out = out, .e = e };
	st.stack[st.top++] = ctx;
	return include(&st, name);
}
