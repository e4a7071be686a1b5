/*
 * text.h: UTF-8 and small string helpers. Pure functions; no allocation unless said.
 */
#ifndef AIMS_BASE_TEXT_H
#define AIMS_BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates) without NUL. */
bool text_utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8. */
size_t text_utf8_length(const char *s, size_t n);
/* Newly allocated copy of s with leading/trailing ASCII whitespace removed. */
char *text_trim_dup(const char *s);
/* Parses a whole decimal int64 in [min, max]; returns 0 or AIMS_EINVAL. */
int text_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Case-insensitive ASCII equality. */
bool text_ieq(const char *a, const char *b);
/* True when s looks like an e-mail address: one @, something on both sides, a dot after @. */
bool text_email_plausible(const char *s);

#endif
