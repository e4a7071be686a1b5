/*
 * table.c: aligned text columns for terminals, aware that Hangul and other East
 * Asian wide characters take two columns.
 *
 * Widths follow Unicode's East Asian Width "W"/"F" ranges (UAX #11) in the blocks
 * aims data actually uses, and treat combining marks as zero-width; it is an
 * approximation of wcwidth() that does not depend on the process locale. Cells are
 * cut at code point boundaries only, so output stays valid UTF-8.
 */
#include "cli/internal.h"

#include <string.h>

/* Decodes one code point of valid UTF-8 at s; returns its byte length (1 on junk). */
static size_t utf8_next(const char *str, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	unsigned v = len == 4 ? s[0] & 0x07u : len == 3 ? s[0] & 0x0Fu : s[0] & 0x1Fu;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[k] & 0x3Fu);
	}
	*cp = len == 1 ? 0xFFFD : v;
	return len;
}

static size_t cp_width(unsigned c)
{
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return 1; /* printed as '?' */
	if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x1160 && c <= 0x11FF) || c == 0x200B ||
	    (c >= 0xFE00 && c <= 0xFE0F))
		return 0;
	if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
	    (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
	    (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
		return 2;
	return 1;
}

size_t cli_text_width(const char *s)
{
	size_t w = 0;
	while (s && *s) {
		unsigned cp;
		s += utf8_next(s, &cp);
		w += cp_width(cp);
	}
	return w;
}

/* Prints s in exactly `width` columns: cut with "…" when longer, padded unless last.
 * Newlines and tabs become spaces, other controls '?', so a cell stays on its line. */
static void print_cell(FILE *f, const char *s, size_t width, bool last)
{
	bool cut = cli_text_width(s) > width;
	size_t room = cut ? width - 1 : width, used = 0;
	while (*s) {
		unsigned cp;
		size_t n = utf8_next(s, &cp);
		size_t w = cp_width(cp);
		if (used + w > room)
			break;
		if (cp == '\n' || cp == '\t')
			fputc(' ', f);
		else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
			fputc('?', f);
		else
			fwrite(s, 1, n, f);
		used += w;
		s += n;
	}
	if (cut) {
		fputs("…", f);
		used += 1;
	}
	if (!last)
		for (; used < width; used++)
			fputc(' ', f);
}

void cli_print_cut(FILE *f, const char *s, size_t width)
{
	print_cell(f, s ? s : "", width ? width : 1, true);
}

void cli_table_print(FILE *f, json_t *rows, const size_t *max_width)
{
	size_t cols = json_array_size(json_array_get(rows, 0));
	size_t width[16] = { 0 };
	size_t r, c;
	json_t *row;
	if (cols > sizeof width / sizeof width[0])
		cols = sizeof width / sizeof width[0];
	json_array_foreach(rows, r, row) {
		for (c = 0; c < cols; c++) {
			size_t w = cli_text_width(json_string_value(json_array_get(row, c)));
			if (w > max_width[c])
				w = max_width[c];
			if (w > width[c])
				width[c] = w;
		}
	}
	json_array_foreach(rows, r, row) {
		for (c = 0; c < cols; c++) {
			const char *text = json_string_value(json_array_get(row, c));
			if (c)
				fputs("  ", f);
			print_cell(f, text ? text : "", width[c] ? width[c] : 1, c + 1 == cols);
		}
		fputc('\n', f);
	}
}
