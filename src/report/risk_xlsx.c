/*
 * risk_xlsx.c: the risk register as an XLSX table (report/xlsx.c). Pure from data to
 * file: the rows come from svc_risk_export, the words from the embedded
 * web/i18n/<locale>.json ("risk.*" and "vocab.risk_*"), so the spreadsheet says what
 * the register page says. The CSV export (svc_risk_csv) keeps codes for machines;
 * this one is for people.
 *
 * Memory: nothing is returned; the i18n strings are released before returning.
 */
#include "report/risk_xlsx.h"
#include "report/xlsx.h"

#include <stdio.h>
#include <string.h>

static const char *str(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "";
}

/* The label of code in vocab.<name>, or the code itself. */
static const char *label(json_t *strs, const char *name, const char *code)
{
	const char *l = json_string_value(json_object_get(json_object_get(json_object_get(strs, "vocab"), name), code));
	return l ? l : code;
}

/* The page's colours (web/static/style.css .level-*). */
static uint32_t level_fill(const char *level)
{
	static const struct { const char *level; uint32_t colour; } fills[] = {
		{ "low", 0xE2EFDA }, { "medium", 0xFFF2CC }, { "high", 0xFBD9B5 }, { "critical", 0xF8D7DA },
	};
	for (size_t k = 0; k < sizeof fills / sizeof fills[0]; k++)
		if (!strcmp(level, fills[k].level))
			return fills[k].colour;
	return 0;
}

int report_risk_xlsx(json_t *risks, const char *locale, const char *path, struct err *e)
{
	static const struct { const char *key; double width; } columns[] = {
		{ "field_id", 6 }, { "field_title", 40 }, { "field_org", 18 }, { "field_system_id", 26 },
		{ "field_source", 24 }, { "field_objectives", 28 }, { "field_consequences", 40 },
		{ "field_likelihood", 14 }, { "field_impact", 14 }, { "col_level", 14 }, { "field_treatment", 14 },
		{ "field_treatment_plan", 40 }, { "col_residual", 14 }, { "field_owner_user_id", 26 },
		{ "field_review_date", 12 }, { "field_status", 12 },
	};
	enum { NCOLS = sizeof columns / sizeof columns[0], LEVEL = 9, RESIDUAL = 12, REVIEW = 14 };
	struct report_xlsx_column cols[NCOLS];
	struct report_xlsx *x = NULL;
	json_t *strs = report_strings(locale);
	for (size_t c = 0; c < NCOLS; c++) {
		cols[c].title = report_word(strs, "risk", columns[c].key, columns[c].key);
		cols[c].width = columns[c].width;
	}
	const char *sheet = report_word(strs, "risk", "title", "Risk register");
	int rc = report_xlsx_open(path, sheet, sheet, cols, NCOLS, &x, e);
	size_t i;
	json_t *it;
	json_array_foreach(risks, i, it) {
		if (rc)
			break;
		char id[24], level[96], residual[96] = "", objectives[1024] = "";
		size_t used = 0, k;
		json_t *o;
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
		snprintf(level, sizeof level, "%s · %lld", label(strs, "risk_level", str(it, "level")),
			 (long long)json_integer_value(json_object_get(it, "score")));
		if (json_is_integer(json_object_get(it, "residual_score")))
			snprintf(residual, sizeof residual, "%s · %lld", label(strs, "risk_level", str(it, "residual_level")),
				 (long long)json_integer_value(json_object_get(it, "residual_score")));
		json_array_foreach(json_object_get(it, "objectives"), k, o) {
			int w = snprintf(objectives + used, sizeof objectives - used, "%s%s", k ? ", " : "",
					 label(strs, "risk_objective", json_string_value(o)));
			if (w < 0 || (size_t)w >= sizeof objectives - used)
				break;
			used += (size_t)w;
		}
		const char *system = str(it, "system_name");
		struct report_xlsx_cell cells[NCOLS] = {
			{ .text = id },
			{ .text = str(it, "title") },
			{ .text = str(it, "org_name") },
			{ .text = *system ? system : report_word(strs, "risk", "org_wide", "") },
			{ .text = label(strs, "risk_source", str(it, "source")) },
			{ .text = objectives },
			{ .text = str(it, "consequences") },
			{ .text = label(strs, "risk_likelihood", str(it, "likelihood")) },
			{ .text = label(strs, "risk_impact", str(it, "impact")) },
			{ .text = level, .fill = level_fill(str(it, "level")) },
			{ .text = label(strs, "risk_treatment", str(it, "treatment")) },
			{ .text = str(it, "treatment_plan") },
			{ .text = residual, .fill = level_fill(str(it, "residual_level")) },
			{ .text = str(it, "owner_email") },
			{ .text = str(it, "review_date") },
			{ .text = label(strs, "risk_status", str(it, "status")) },
		};
		if (json_is_true(json_object_get(it, "overdue")))
			cells[REVIEW].look = REPORT_XLSX_ALERT;
		rc = report_xlsx_row(x, cells, e);
	}
	rc = report_xlsx_close(x, rc, e);
	json_decref(strs);
	return rc;
}
