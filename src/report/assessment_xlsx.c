/*
 * assessment_xlsx.c: a system's requirement assessment against one framework as an
 * XLSX table (report/xlsx.c). Pure from data to file: the rows come from
 * svc_assessment_list, the words from the embedded web/i18n/<locale>.json ("assess.*"
 * and "vocab.assessment_status.*"), so the spreadsheet says what the web page says.
 *
 * Memory: nothing is returned; the i18n strings are released before returning.
 */
#include "report/assessment_xlsx.h"
#include "report/xlsx.h"

#include <stdio.h>
#include <string.h>

static const char *str(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "";
}

int report_assessment_xlsx(json_t *list, const char *locale, const char *path, struct err *e)
{
	static const struct { const char *key; double width; } columns[] = {
		{ "requirement", 16 }, { "col_parent", 30 }, { "col_title", 50 }, { "status", 14 },
		{ "note", 48 }, { "assessor", 26 }, { "col_assessed_on", 12 }, { "col_version", 18 },
	};
	/* Green for met, amber for partial, red for not met; not applicable is greyed out and
	 * not yet assessed stays blank, so the gaps stand out when filtered or printed. */
	static const struct { const char *code; uint32_t colour; enum report_xlsx_look look; } fills[] = {
		{ "met", 0xE2EFDA, REPORT_XLSX_PLAIN }, { "partial", 0xFFF2CC, REPORT_XLSX_PLAIN },
		{ "not_met", 0xF8CBAD, REPORT_XLSX_PLAIN }, { "not_applicable", 0xEDEDED, REPORT_XLSX_MUTED },
	};
	enum { NCOLS = sizeof columns / sizeof columns[0], STATUS = 3 };
	struct report_xlsx_column cols[NCOLS];
	struct report_xlsx *x = NULL;
	json_t *strs = report_strings(locale);
	json_t *vocab = json_object_get(json_object_get(strs, "vocab"), "assessment_status");
	char title[1024];
	for (size_t c = 0; c < NCOLS; c++) {
		cols[c].title = report_word(strs, "assess", columns[c].key, columns[c].key);
		cols[c].width = columns[c].width;
	}
	snprintf(title, sizeof title, "%s: %s (%s %s)", report_word(strs, "assess", "title", "Assessment"),
		 str(list, "system_name"), str(list, "catalog_id"), str(list, "catalog_version"));
	int rc = report_xlsx_open(path, report_word(strs, "assess", "title", "Assessment"), title, cols, NCOLS, &x, e);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		if (rc)
			break;
		const char *status = str(it, "status");
		const char *status_label = json_string_value(json_object_get(vocab, status));
		char parent_text[512];
		json_t *parent_title = json_object_get(it, "parent_title");
		snprintf(parent_text, sizeof parent_text, "%s%s%s", str(it, "parent"), json_is_object(parent_title) ? " " : "",
			 json_is_object(parent_title) ? report_text_in(parent_title, locale) : "");
		struct report_xlsx_cell cells[NCOLS] = {
			{ .text = str(it, "requirement_id") },
			{ .text = parent_text },
			{ .text = report_text_in(json_object_get(it, "title"), locale) },
			{ .text = status_label ? status_label : status },
			{ .text = str(it, "note") },
			{ .text = str(it, "assessor_email") },
			{ .text = str(it, "assessed_on") },
			{ .text = str(it, "catalog_version") },
		};
		for (size_t k = 0; k < sizeof fills / sizeof fills[0]; k++)
			if (!strcmp(status, fills[k].code)) {
				cells[STATUS].fill = fills[k].colour;
				cells[STATUS].look = fills[k].look;
			}
		rc = report_xlsx_row(x, cells, e);
	}
	rc = report_xlsx_close(x, rc, e);
	json_decref(strs);
	return rc;
}
