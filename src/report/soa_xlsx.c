/*
 * soa_xlsx.c: the Statement of Applicability as an XLSX table (report/xlsx.c). Pure
 * from data to file: the rows come from svc_soa_get, the words from the embedded
 * web/i18n/<locale>.json ("soa.*" and "vocab.soa_status.*"), so the spreadsheet says
 * what the web page says, and the status fills are the page's tag colours (style.css).
 *
 * Memory: nothing is returned; the i18n strings are released before returning.
 */
#include "report/soa_xlsx.h"
#include "report/xlsx.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
	static const struct { const char *code; uint32_t colour; } fills[] = {
		{ "not_started", 0xEDEDED }, { "planned", 0xDDEBF7 }, { "partial", 0xFFF2CC },
		{ "implemented", 0xE2EFDA },
	};
	enum { NCOLS = sizeof columns / sizeof columns[0], STATUS = 5, OVERDUE = 8 };
	struct report_xlsx_column cols[NCOLS];
	struct report_xlsx *x = NULL;
	json_t *strs = report_strings(locale);
	json_t *vocab = json_object_get(json_object_get(strs, "vocab"), "soa_status");
	char title[512];
	for (size_t c = 0; c < NCOLS; c++) {
		cols[c].title = report_word(strs, "soa", columns[c].key, columns[c].key);
		cols[c].width = columns[c].width;
	}
	snprintf(title, sizeof title, "%s: %s", report_word(strs, "soa", "title", "SoA"), str(soa, "org_name"));
	int rc = report_xlsx_open(path, report_word(strs, "soa", "sheet", "SoA"), title, cols, NCOLS, &x, e);
	const char *yes = report_word(strs, "soa", "yes", "yes"), *no = report_word(strs, "soa", "no", "no");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(soa, "items"), i, it) {
		if (rc)
			break;
		bool applicable = json_is_true(json_object_get(it, "applicable"));
		const char *status = str(it, "status");
		uint32_t fill = 0;
		for (size_t k = 0; applicable && k < sizeof fills / sizeof fills[0]; k++)
			if (!strcmp(status, fills[k].code))
				fill = fills[k].colour;
		const char *status_label = json_string_value(json_object_get(vocab, status));
		char group_text[512];
		snprintf(group_text, sizeof group_text, "%s %s", str(it, "group"),
			 json_is_object(json_object_get(it, "group_title"))
				 ? report_text_in(json_object_get(it, "group_title"), locale) : "");
		bool overdue = json_is_true(json_object_get(it, "overdue"));
		struct report_xlsx_cell cells[NCOLS] = {
			{ .text = str(it, "control_id") },
			{ .text = group_text },
			{ .text = report_text_in(json_object_get(it, "title"), locale) },
			{ .text = applicable ? yes : no },
			{ .text = str(it, "justification") },
			{ .text = applicable ? (status_label ? status_label : status)
					     : report_word(strs, "soa", "excluded", "excluded") },
			{ .text = str(it, "owner_email") },
			{ .text = str(it, "due_date") },
			{ .text = overdue ? yes : "" },
			{ .text = str(it, "catalog_version") },
		};
		cells[STATUS].fill = fill;
		cells[STATUS].look = applicable ? REPORT_XLSX_PLAIN : REPORT_XLSX_MUTED;
		cells[OVERDUE].look = overdue ? REPORT_XLSX_ALERT : REPORT_XLSX_PLAIN;
		rc = report_xlsx_row(x, cells, e);
	}
	rc = report_xlsx_close(x, rc, e);
	json_decref(strs);
	return rc;
}
