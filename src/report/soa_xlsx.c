/*
 * soa_xlsx.c: writes the Statement of Applicability as an XLSX file with
 * libxlsxwriter. Pure from data to file: the rows come from svc_soa_get, the words
 * from the embedded web/i18n/<locale>.json ("soa.*" and "vocab.soa_status.*"), so
 * the spreadsheet says what the web page says.
 *
 * Cells are written as strings (never formulas), so text a user typed cannot run in
 * a spreadsheet. Memory: nothing is returned; the workbook is freed by workbook_close.
 */
#include "report/soa_xlsx.h"
#include "base/asset.h"

#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <xlsxwriter.h>

/* The i18n strings of locale, parsed from the embedded copy (new reference or NULL). */
static json_t *strings(const char *locale)
{
	char path[64];
	snprintf(path, sizeof path, "web/i18n/%s.json", locale && !strcmp(locale, "en") ? "en" : "ko");
	const struct asset *a = asset_find(path);
	return a ? json_loadb(a->data, a->len, 0, NULL) : NULL;
}

static const char *word(json_t *strs, const char *group, const char *key, const char *fallback)
{
	const char *v = json_string_value(json_object_get(json_object_get(strs, group), key));
	return v ? v : fallback;
}

static const char *text_in(json_t *pair, const char *locale)
{
	const char *t = json_string_value(json_object_get(pair, locale));
	return t ? t : json_string_value(json_object_get(pair, strcmp(locale, "ko") ? "ko" : "en"));
}

static const char *str(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "";
}

int report_soa_xlsx(json_t *soa, const char *locale, const char *path, struct err *e)
{
	static const struct { const char *key; double width; } columns[] = {
		{ "col_control", 10 }, { "col_group", 26 }, { "col_title", 40 }, { "col_applicable", 10 },
		{ "col_justification", 48 }, { "col_status", 14 }, { "col_owner", 26 }, { "col_due", 12 },
		{ "col_overdue", 10 }, { "col_version", 10 },
	};
	static const struct { const char *code; lxw_color_t colour; } fills[] = {
		{ "not_started", 0xEDEDED }, { "planned", 0xDDEBF7 }, { "partial", 0xFFF2CC },
		{ "implemented", 0xE2EFDA },
	};
	const size_t ncols = sizeof columns / sizeof columns[0];
	json_t *strs = strings(locale);
	json_t *vocab = json_object_get(json_object_get(strs, "vocab"), "soa_status");
	int rc = 0;
	lxw_workbook *wb = workbook_new(path);
	if (!wb) {
		json_decref(strs);
		return err_set(e, AIMS_EIO, "cannot create %s", path);
	}
	lxw_worksheet *ws = workbook_add_worksheet(wb, word(strs, "soa", "sheet", "SoA"));
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0x1F4E79);
	format_set_font_color(head, LXW_COLOR_WHITE);
	format_set_text_wrap(head);
	format_set_align(head, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *status_fmt[sizeof fills / sizeof fills[0]];
	for (size_t i = 0; i < sizeof fills / sizeof fills[0]; i++) {
		status_fmt[i] = workbook_add_format(wb);
		format_set_bg_color(status_fmt[i], fills[i].colour);
		format_set_align(status_fmt[i], LXW_ALIGN_VERTICAL_TOP);
	}
	lxw_format *excluded = workbook_add_format(wb);
	format_set_font_color(excluded, 0x7F7F7F);
	format_set_align(excluded, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *late = workbook_add_format(wb);
	format_set_font_color(late, 0xC00000);
	format_set_bold(late);
	format_set_align(late, LXW_ALIGN_VERTICAL_TOP);

	for (size_t c = 0; c < ncols; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, columns[c].width, wrap);
		worksheet_write_string(ws, 0, (lxw_col_t)c, word(strs, "soa", columns[c].key, columns[c].key), head);
	}
	const char *yes = word(strs, "soa", "yes", "yes"), *no = word(strs, "soa", "no", "no");
	size_t i;
	json_t *it;
	lxw_row_t row = 0;
	json_array_foreach(json_object_get(soa, "items"), i, it) {
		row++;
		bool applicable = json_is_true(json_object_get(it, "applicable"));
		const char *status = str(it, "status");
		lxw_format *fill = excluded;
		for (size_t k = 0; applicable && k < sizeof fills / sizeof fills[0]; k++)
			if (!strcmp(status, fills[k].code))
				fill = status_fmt[k];
		const char *status_label = json_string_value(json_object_get(vocab, status));
		const char *group = str(it, "group");
		char group_text[512];
		snprintf(group_text, sizeof group_text, "%s %s", group,
			 json_is_object(json_object_get(it, "group_title"))
				 ? text_in(json_object_get(it, "group_title"), locale) : "");
		const char *cells[] = {
			str(it, "control_id"), group_text, text_in(json_object_get(it, "title"), locale),
			applicable ? yes : no, str(it, "justification"),
			applicable ? (status_label ? status_label : status) : word(strs, "soa", "excluded", "excluded"),
			str(it, "owner_email"), str(it, "due_date"),
			json_is_true(json_object_get(it, "overdue")) ? yes : "", str(it, "catalog_version"),
		};
		for (size_t c = 0; c < ncols; c++) {
			lxw_format *f = c == 5 ? fill : (c == 8 && cells[c][0]) ? late : wrap;
			worksheet_write_string(ws, row, (lxw_col_t)c, cells[c] ? cells[c] : "", f);
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_autofilter(ws, 0, 0, row, (lxw_col_t)(ncols - 1));
	lxw_error status = workbook_close(wb);
	if (status != LXW_NO_ERROR)
		rc = err_set(e, AIMS_EIO, "cannot write %s: %s", path, lxw_strerror(status));
	json_decref(strs);
	return rc;
}
