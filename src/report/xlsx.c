/*
 * xlsx.c: the one-sheet XLSX table of every aims export (contract in xlsx.h), and the
 * round trip through a temporary file that libxlsxwriter 1.1.4 needs to produce bytes.
 *
 * Invariants: every cell goes through worksheet_write_string, never a formula or number
 * writer, so user text stays text; formats are made once per (fill, look) and reused,
 * since a workbook holds each format it is given. Memory: report_xlsx_close frees the
 * table and its workbook; report_xlsx_bytes returns a malloc'd buffer the caller frees.
 */
#include "report/xlsx.h"
#include "base/asset.h"
#include "base/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define FORMATS_MAX 16

struct report_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	size_t ncols;
	lxw_row_t last_row; /* 0: only the header so far */
	struct {
		uint32_t fill;
		enum report_xlsx_look look;
		lxw_format *format;
	} formats[FORMATS_MAX];
	size_t nformats;
};

/* The format of (fill, look), made on first use; NULL once FORMATS_MAX are made. */
static lxw_format *format_for(struct report_xlsx *x, uint32_t fill, enum report_xlsx_look look)
{
	for (size_t i = 0; i < x->nformats; i++)
		if (x->formats[i].fill == fill && x->formats[i].look == look)
			return x->formats[i].format;
	if (x->nformats == FORMATS_MAX)
		return NULL;
	lxw_format *f = workbook_add_format(x->wb);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	if (fill)
		format_set_bg_color(f, fill);
	if (look == REPORT_XLSX_MUTED)
		format_set_font_color(f, 0x7F7F7F);
	if (look == REPORT_XLSX_ALERT) {
		format_set_font_color(f, 0xC00000);
		format_set_bold(f);
	}
	x->formats[x->nformats].fill = fill;
	x->formats[x->nformats].look = look;
	x->formats[x->nformats].format = f;
	x->nformats++;
	return f;
}

static int write_error(struct err *e, lxw_error status)
{
	return err_set(e, AIMS_EIO, "cannot write the workbook: %s", lxw_strerror(status));
}

int report_xlsx_open(const char *path, const char *sheet, const char *title,
		     const struct report_xlsx_column *columns, size_t ncols, struct report_xlsx **out,
		     struct err *e)
{
	*out = NULL;
	if (ncols == 0 || ncols > LXW_COL_MAX)
		return err_set(e, AIMS_EIO, "a workbook needs 1 to %d columns", LXW_COL_MAX);
	struct report_xlsx *x = calloc(1, sizeof *x);
	if (!x)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	x->ncols = ncols;
	if (!(x->wb = workbook_new(path))) {
		free(x);
		return err_set(e, AIMS_EIO, "cannot create %s", path);
	}
	/* libxlsxwriter takes a char * and copies it. */
	char title_copy[1024];
	snprintf(title_copy, sizeof title_copy, "%s", title ? title : "");
	lxw_doc_properties props = { .title = title_copy };
	workbook_set_properties(x->wb, &props);
	/* A name a spreadsheet would refuse (too long, []:*?/\) falls back to "Sheet1". */
	if (!(x->ws = workbook_add_worksheet(x->wb, sheet)))
		x->ws = workbook_add_worksheet(x->wb, NULL);
	lxw_format *head = workbook_add_format(x->wb);
	format_set_bold(head);
	format_set_bg_color(head, 0x1F4E79);
	format_set_font_color(head, LXW_COLOR_WHITE);
	format_set_text_wrap(head);
	format_set_align(head, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *body = format_for(x, 0, REPORT_XLSX_PLAIN);
	int rc = x->ws ? 0 : err_set(e, AIMS_EIO, "cannot add a worksheet");
	for (size_t c = 0; c < ncols && !rc; c++) {
		worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, columns[c].width, body);
		lxw_error status = worksheet_write_string(x->ws, 0, (lxw_col_t)c, columns[c].title ? columns[c].title : "", head);
		if (status != LXW_NO_ERROR)
			rc = write_error(e, status);
	}
	if (rc) {
		workbook_close(x->wb);
		free(x);
		return rc;
	}
	*out = x;
	return 0;
}

int report_xlsx_row(struct report_xlsx *x, const struct report_xlsx_cell *cells, struct err *e)
{
	if (x->last_row + 1 > LXW_ROW_MAX - 1)
		return err_set(e, AIMS_ETOOBIG, "too many rows for one sheet");
	lxw_row_t row = ++x->last_row;
	for (size_t c = 0; c < x->ncols; c++) {
		lxw_format *f = format_for(x, cells[c].fill, cells[c].look);
		lxw_error status = worksheet_write_string(x->ws, row, (lxw_col_t)c, cells[c].text ? cells[c].text : "", f);
		if (status != LXW_NO_ERROR)
			return write_error(e, status);
	}
	return 0;
}

int report_xlsx_close(struct report_xlsx *x, int rc, struct err *e)
{
	if (!x)
		return rc;
	if (!rc) {
		worksheet_freeze_panes(x->ws, 1, 0);
		worksheet_autofilter(x->ws, 0, 0, x->last_row, (lxw_col_t)(x->ncols - 1));
	}
	lxw_error status = workbook_close(x->wb);
	if (!rc && status != LXW_NO_ERROR)
		rc = write_error(e, status);
	free(x);
	return rc;
}

int report_xlsx_bytes(report_xlsx_writer *write, json_t *data, const char *locale, char **out, size_t *len,
		      struct err *e)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	struct buf b = BUF_INIT(REPORT_XLSX_MAX);
	FILE *f = NULL;
	*out = NULL;
	snprintf(path, sizeof path, "%s/aims-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return err_set(e, AIMS_EIO, "cannot create a temporary file: %s", strerror(errno));
	close(fd);
	int rc = write(data, locale, path, e);
	if (rc)
		goto out;
	if (!(f = fopen(path, "rb"))) {
		rc = err_set(e, AIMS_EIO, "cannot read %s back: %s", path, strerror(errno));
		goto out;
	}
	char chunk[16384];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_add(&b, chunk, n)) {
			rc = err_set(e, AIMS_ETOOBIG, "the workbook is too large");
			goto out;
		}
	}
	if (ferror(f))
		rc = err_set(e, AIMS_EIO, "cannot read %s back", path);
out:
	if (f)
		fclose(f);
	unlink(path);
	if (rc) {
		buf_release(&b);
		return rc;
	}
	*out = buf_detach(&b, len);
	return 0;
}

json_t *report_strings(const char *locale)
{
	const struct asset *a = asset_find(locale && !strcmp(locale, "en") ? "web/i18n/en.json" : "web/i18n/ko.json");
	return a ? json_loadb(a->data, a->len, 0, NULL) : NULL;
}

const char *report_word(json_t *strs, const char *group, const char *key, const char *fallback)
{
	const char *v = json_string_value(json_object_get(json_object_get(strs, group), key));
	return v ? v : fallback;
}

const char *report_text_in(json_t *pair, const char *locale)
{
	const char *t = json_string_value(json_object_get(pair, locale));
	return t ? t : json_string_value(json_object_get(pair, strcmp(locale, "ko") ? "ko" : "en"));
}
