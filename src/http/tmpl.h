/*
 * tmpl.h: HTML templates, a small subset of Mustache that escapes by default.
 *
 * Debian packages no C Mustache library, so aims keeps this one (tests in
 * tests/unit/test_tmpl.c). Syntax, over a JSON context:
 *   {{name}}  {{a.b.c}}  {{.}}   value, HTML-escaped (& < > " ')
 *   {{{name}}}                   value unescaped: only for HTML aims built itself
 *   {{#name}}...{{/name}}        section: once per array item, once with an object
 *                                pushed, once if truthy; skipped if false, null, "",
 *                                0, or an empty array
 *   {{^name}}...{{/name}}        inverted section: only when the value is falsy
 *   {{>file.html}}               include another template with the same context
 *   {{! comment }}
 * Names resolve from the innermost section outwards, as in Mustache.
 */
#ifndef AIMS_HTTP_TMPL_H
#define AIMS_HTTP_TMPL_H

#include "base/buf.h"
#include "base/err.h"

#include <jansson.h>

/* Renders web/templates/<name> with ctx, appending to out. */
int tmpl_render(const char *name, json_t *ctx, struct buf *out, struct err *e);
/* Renders template text (for tests). */
int tmpl_render_text(const char *text, size_t len, json_t *ctx, struct buf *out, struct err *e);

#endif
