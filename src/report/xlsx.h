/*
 * xlsx.h: the one-sheet table every aims spreadsheet export is (libxlsxwriter). The
 * shape is fixed so that every export reads the same way: a bold header row that stays
 * frozen, an autofilter over every row, a width per column, and cells that are always
 * written as strings, so nothing a user typed ("=HYPERLINK(...)") can run as a formula.
 *
 *	struct report_xlsx *x = NULL;
 *	if (!report_xlsx_open(path, "Sheet", "Title", columns, ncols, &x, e)) {
 *		while (...) rc = report_xlsx_row(x, cells, e);   (ncols cells each)
 *	}
 *	rc = report_xlsx_close(x, rc, e);     (always: writes the file, frees x)
 *
 * Labels come from the embedded web/i18n/<locale>.json (report_strings), so a
 * spreadsheet says what the web page says.
 */
#ifndef AIMS_REPORT_XLSX_H
#define AIMS_REPORT_XLSX_H

#include "base/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Workbooks read back into memory are capped (report_xlsx_bytes). */
#define REPORT_XLSX_MAX ((size_t)64 << 20)

struct report_xlsx_column {
	const char *title;
	double width; /* in characters, as a spreadsheet counts them */
};

enum report_xlsx_look {
	REPORT_XLSX_PLAIN, /* wrapped text, top-aligned */
	REPORT_XLSX_MUTED, /* grey text: excluded, not applicable */
	REPORT_XLSX_ALERT, /* red bold text: overdue */
};

struct report_xlsx_cell {
	const char *text;         /* NULL is an empty cell */
	uint32_t fill;            /* background as 0xRRGGBB; 0 for none */
	enum report_xlsx_look look;
};

struct report_xlsx;

/* Creates the workbook at path with one sheet (name at most 31 characters) and writes the
 * header row. title goes into the document properties. On failure *out is NULL. */
int report_xlsx_open(const char *path, const char *sheet, const char *title,
		     const struct report_xlsx_column *columns, size_t ncols, struct report_xlsx **out,
		     struct err *e);
/* Appends one row of ncols cells (as many as the columns given to open). */
int report_xlsx_row(struct report_xlsx *x, const struct report_xlsx_cell *cells, struct err *e);
/* Freezes the header, sets the autofilter, writes the file and frees x (NULL is fine).
 * rc is the caller's status so far: when it is not 0 the workbook is still closed and
 * rc returned. */
int report_xlsx_close(struct report_xlsx *x, int rc, struct err *e);

/* The writer of one kind of workbook: data (a svc result) to a file at path. */
typedef int report_xlsx_writer(json_t *data, const char *locale, const char *path, struct err *e);
/*
 * Runs write on a new temporary file under $TMPDIR (libxlsxwriter 1.1.4, Debian 12's,
 * cannot write to memory), reads the file back into *out (free it; at most
 * REPORT_XLSX_MAX bytes, else AIMS_ETOOBIG) and removes the file.
 */
int report_xlsx_bytes(report_xlsx_writer *write, json_t *data, const char *locale, char **out, size_t *len,
		      struct err *e);

/* The i18n strings of locale ("en", anything else is "ko"), parsed from the embedded
 * copy: a new reference, or NULL. */
json_t *report_strings(const char *locale);
/* strs[group][key], or fallback. */
const char *report_word(json_t *strs, const char *group, const char *key, const char *fallback);
/* A {ko, en} pair's text in locale, or in the other language when that one is missing. */
const char *report_text_in(json_t *pair, const char *locale);

#endif
