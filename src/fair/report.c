/*
 * report.c: text and HTML renderings of a fairness report.
 *
 * The HTML page carries its own CSS and inline SVG bar charts (no scripts, no
 * external files), so it can be archived as evidence and opened offline. Labels are
 * Korean with English alongside. Undefined values (JSON null) show as "n/a", never
 * as 0, and get no bar. Charts are horizontal bars on a 0..1 scale; the
 * selection-rate chart draws the four-fifths line (0.8 x the highest rate), the
 * others the overall value. Bars have a text equivalent: every chart repeats its
 * numbers, and the tables hold them all (WCAG 1.1.1).
 */
#include "fair/report.h"
#include "fair/metrics.h"

#include <math.h>
#include <string.h>

struct metric_label {
	const char *key, *ko, *en, *abbrev;
};

static const struct metric_label metric_labels[] = {
	{ "selection_rate", "선택률", "Selection rate", "sel" },
	{ "base_rate", "기저율", "Base rate", "base" },
	{ "true_positive_rate", "참양성률", "True positive rate", "TPR" },
	{ "false_positive_rate", "거짓양성률", "False positive rate", "FPR" },
	{ "true_negative_rate", "참음성률", "True negative rate", "TNR" },
	{ "false_negative_rate", "거짓음성률", "False negative rate", "FNR" },
	{ "precision", "정밀도", "Precision", "prec" },
	{ "accuracy", "정확도", "Accuracy", "acc" },
	{ "roc_auc", "ROC AUC", "ROC AUC", "AUC" },
};
#define NMETRICS (sizeof metric_labels / sizeof metric_labels[0])

static const struct metric_label disparity_labels[] = {
	{ "demographic_parity_difference", "인구통계 균형 차이", "Demographic parity difference", "" },
	{ "demographic_parity_ratio", "인구통계 균형 비율", "Demographic parity ratio", "" },
	{ "equalized_odds_difference", "균등 오즈 차이", "Equalized odds difference", "" },
	{ "equalized_odds_ratio", "균등 오즈 비율", "Equalized odds ratio", "" },
	{ "equal_opportunity_difference", "기회 균등 차이", "Equal opportunity difference", "" },
	{ "equal_opportunity_ratio", "기회 균등 비율", "Equal opportunity ratio", "" },
};
#define NDISPARITIES (sizeof disparity_labels / sizeof disparity_labels[0])

static double value_of(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void add_value(struct buf *b, json_t *v)
{
	if (json_is_number(v))
		buf_addf(b, "%.4f", json_number_value(v));
	else
		buf_addstr(b, "n/a");
}

static const char *verdict(json_t *v)
{
	return json_is_true(v) ? "PASS" : json_is_false(v) ? "FAIL" : "n/a";
}

/* ---- text ---- */

int fair_report_text(json_t *report, struct buf *out)
{
	json_t *input = json_object_get(report, "input"), *sections = json_object_get(report, "sections");
	json_t *overall = json_object_get(report, "overall"), *section;
	bool has_score = json_is_string(json_object_get(json_object_get(report, "options"), "score"));
	size_t i;

	buf_addf(out, "Fairness test of %s: %lld rows used of %lld read, %lld skipped\n",
		 json_string_value(json_object_get(input, "file")),
		 (long long)json_integer_value(json_object_get(input, "rows_used")),
		 (long long)json_integer_value(json_object_get(input, "rows")),
		 (long long)json_integer_value(json_object_get(input, "rows_skipped")));
	json_t *examples = json_object_get(input, "skipped_examples"), *ex;
	json_array_foreach(examples, i, ex)
		buf_addf(out, "  skipped line %lld: %s\n", (long long)json_integer_value(json_object_get(ex, "line")),
			 json_string_value(json_object_get(ex, "message")));

	json_array_foreach(sections, i, section) {
		json_t *by = json_object_get(section, "by"), *name;
		size_t k;
		buf_addstr(out, "\nBy ");
		json_array_foreach(by, k, name)
			buf_addf(out, "%s%s", k ? " × " : "", json_string_value(name));
		buf_addf(out, " (%lld groups)\n", (long long)json_integer_value(json_object_get(section, "group_count")));
		buf_addf(out, "%10s", "count");
		for (size_t m = 0; m < NMETRICS; m++)
			if (m + 1 < NMETRICS || has_score)
				buf_addf(out, " %7s", metric_labels[m].abbrev);
		buf_addf(out, " %7s  %s\n", "4/5", "group");
		json_t *groups = json_object_get(section, "groups"), *g;
		size_t gi;
		for (gi = 0; gi <= json_array_size(groups); gi++) {
			g = gi < json_array_size(groups) ? json_array_get(groups, gi) : overall;
			json_t *metrics = json_object_get(g, "metrics");
			buf_addf(out, "%10lld", (long long)json_integer_value(json_object_get(g, "count")));
			for (size_t m = 0; m < NMETRICS; m++) {
				if (m + 1 == NMETRICS && !has_score)
					continue;
				json_t *v = json_object_get(metrics, metric_labels[m].key);
				if (json_is_number(v))
					buf_addf(out, " %7.4f", json_number_value(v));
				else
					buf_addf(out, " %7s", "n/a");
			}
			if (g == overall) {
				buf_addf(out, " %7s  %s\n", "", "(overall)");
				continue;
			}
			json_t *ff = json_object_get(g, "four_fifths");
			json_t *ratio = json_object_get(ff, "ratio");
			if (json_is_number(ratio))
				buf_addf(out, " %5.2f%s", json_number_value(ratio), json_is_true(json_object_get(ff, "pass")) ? "  " : " !");
			else
				buf_addf(out, " %7s", "n/a");
			buf_addf(out, "  %s\n", json_string_value(json_object_get(g, "label")));
		}
		json_t *disp = json_object_get(section, "disparities");
		for (size_t d = 0; d < NDISPARITIES; d++) {
			json_t *jd = json_object_get(disp, disparity_labels[d].key);
			buf_addf(out, "  %-30s ", disparity_labels[d].en);
			add_value(out, json_object_get(jd, "value"));
			json_t *ci = json_object_get(jd, "ci");
			if (json_is_array(ci)) {
				buf_addstr(out, "  [");
				add_value(out, json_array_get(ci, 0));
				buf_addstr(out, ", ");
				add_value(out, json_array_get(ci, 1));
				buf_addstr(out, "]");
			}
			json_int_t left = json_integer_value(json_object_get(jd, "groups_left_out"));
			if (left)
				buf_addf(out, "  (%lld undefined group%s left out)", (long long)left, left == 1 ? "" : "s");
			buf_addch(out, '\n');
		}
		json_t *ff = json_object_get(section, "four_fifths");
		json_t *fav = json_object_get(ff, "most_favoured");
		buf_addf(out, "  %-30s %s", "Four-fifths rule", verdict(json_object_get(ff, "pass")));
		if (json_is_string(fav))
			buf_addf(out, " (smallest ratio %.4f; most favoured: %s)",
				 value_of(json_object_get(ff, "min_ratio")), json_string_value(fav));
		buf_addch(out, '\n');
		json_t *th = json_object_get(section, "thresholds"), *t;
		json_array_foreach(th, k, t) {
			buf_addf(out, "  threshold %s %s %g: ", json_string_value(json_object_get(t, "metric")),
				 json_string_value(json_object_get(t, "op")), value_of(json_object_get(t, "limit")));
			add_value(out, json_object_get(t, "value"));
			buf_addf(out, " %s\n", verdict(json_object_get(t, "pass")));
		}
	}
	json_t *pass = json_object_get(report, "pass");
	if (!json_is_null(pass) && pass)
		buf_addf(out, "\nResult: %s\n", json_is_true(pass) ? "PASS (every threshold met)" : "FAIL (a threshold was missed)");
	return 0;
}

/* ---- HTML ---- */

static void html(struct buf *b, const char *s)
{
	if (s)
		buf_add_html(b, s, strlen(s));
}

/* At most max code points of s, escaped; "…" when cut. */
static void html_cut(struct buf *b, const char *s, size_t max)
{
	size_t n = 0, i = 0, len = strlen(s);
	while (i < len && n < max) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		n++;
	}
	buf_add_html(b, s, i);
	if (i < len)
		buf_addstr(b, "…");
}

static void html_value(struct buf *b, json_t *v)
{
	if (json_is_number(v))
		buf_addf(b, "%.4f", json_number_value(v));
	else
		buf_addstr(b, "<span class=\"na\">n/a</span>");
}

#define CHART_LABEL 190
#define CHART_BAR 380
#define CHART_ROW 22
#define CHART_MAX_GROUPS 200

static void chart(struct buf *b, json_t *groups, const struct metric_label *m, double line, const char *line_label)
{
	size_t n = json_array_size(groups), i;
	json_t *g;
	int height = (int)(n * CHART_ROW) + 34;
	if (strcmp(m->ko, m->en))
		buf_addf(b, "<figure><figcaption>%s · %s</figcaption>\n", m->ko, m->en);
	else
		buf_addf(b, "<figure><figcaption>%s</figcaption>\n", m->en);
	buf_addf(b, "<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" aria-label=\"", CHART_LABEL + CHART_BAR + 70,
		 height, CHART_LABEL + CHART_BAR + 70, height);
	html(b, m->en);
	buf_addstr(b, "\">\n");
	json_array_foreach(groups, i, g) {
		const char *label = json_string_value(json_object_get(g, "label"));
		json_t *v = json_object_get(json_object_get(g, "metrics"), m->key);
		int y = 8 + (int)i * CHART_ROW;
		buf_addf(b, "<g><title>");
		html(b, label);
		buf_addf(b, "</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CHART_LABEL - 6, y + 14);
		html_cut(b, label ? label : "", 22);
		buf_addstr(b, "</text>");
		if (json_is_number(v)) {
			double x = json_number_value(v);
			x = x < 0 ? 0 : x > 1 ? 1 : x;
			buf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"bar\"/>", CHART_LABEL, y + 3,
				 x * CHART_BAR, CHART_ROW - 6);
			buf_addf(b, "<text x=\"%.1f\" y=\"%d\">%.3f</text>", CHART_LABEL + x * CHART_BAR + 4, y + 14,
				 json_number_value(v));
		} else {
			buf_addf(b, "<text x=\"%d\" y=\"%d\" class=\"na\">n/a</text>", CHART_LABEL + 4, y + 14);
		}
		buf_addstr(b, "</g>\n");
	}
	if (!isnan(line)) {
		double x = CHART_LABEL + (line < 0 ? 0 : line > 1 ? 1 : line) * CHART_BAR;
		buf_addf(b, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%d\" class=\"limit\"/>", x, x, height - 22);
		buf_addf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"limit-label\">", x, height - 8);
		html(b, line_label);
		buf_addf(b, " %.3f</text>\n", line);
	}
	buf_addf(b, "<line x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", CHART_LABEL, CHART_LABEL, height - 22);
	buf_addstr(b, "</svg></figure>\n");
}

static const char *css =
	"body{font-family:'Noto Sans KR','Noto Sans CJK KR',system-ui,sans-serif;margin:2rem auto;max-width:70rem;"
	"padding:0 1rem;color:#1b1b1b;line-height:1.5}h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2.5rem;"
	"border-bottom:2px solid #1d4ed8}table{border-collapse:collapse;margin:1rem 0;font-variant-numeric:tabular-nums;"
	"display:block;overflow-x:auto;max-width:100%}svg{max-width:100%;height:auto}"
	"th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}"
	"th{background:#eef2fb}.na{color:#6b6b6b;font-style:italic}.pass{color:#166534;font-weight:bold}"
	".fail{color:#b91c1c;font-weight:bold}figure{margin:1rem 0}figcaption{font-weight:bold}svg text{font-size:12px;"
	"fill:#1b1b1b}.bar{fill:#1d4ed8}.limit{stroke:#b91c1c;stroke-width:2;stroke-dasharray:5 3}.limit-label{fill:#b91c1c}"
	".axis{stroke:#6b6b6b}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(40rem,100%),1fr));gap:1rem}";

static void verdict_html(struct buf *b, json_t *v)
{
	if (json_is_true(v))
		buf_addstr(b, "<span class=\"pass\">통과 PASS</span>");
	else if (json_is_false(v))
		buf_addstr(b, "<span class=\"fail\">미달 FAIL</span>");
	else
		buf_addstr(b, "<span class=\"na\">n/a</span>");
}

int fair_report_html(json_t *report, struct buf *b)
{
	json_t *input = json_object_get(report, "input"), *options = json_object_get(report, "options");
	json_t *overall = json_object_get(report, "overall"), *sections = json_object_get(report, "sections");
	bool has_score = json_is_string(json_object_get(options, "score"));
	size_t i, k;
	json_t *section, *v;

	buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>공정성 검사 보고서 · Fairness test report: ");
	html(b, json_string_value(json_object_get(input, "file")));
	buf_addf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
	buf_addstr(b, "<h1>공정성 검사 보고서 <span lang=\"en\">Fairness test report</span></h1>\n<table>\n");
	buf_addstr(b, "<tr><th scope=\"row\">파일 · File</th><td>");
	html(b, json_string_value(json_object_get(input, "file")));
	buf_addf(b, "</td></tr>\n<tr><th scope=\"row\">사용한 행 · Rows used</th><td>%lld / %lld</td></tr>\n",
		 (long long)json_integer_value(json_object_get(input, "rows_used")),
		 (long long)json_integer_value(json_object_get(input, "rows")));
	buf_addf(b, "<tr><th scope=\"row\">건너뛴 행 · Rows skipped</th><td>%lld</td></tr>\n",
		 (long long)json_integer_value(json_object_get(input, "rows_skipped")));
	const char *fields[][3] = { { "y_true", "실제 값 열", "True label column" },
				    { "y_pred", "예측 값 열", "Predicted label column" },
				    { "score", "점수 열", "Score column" },
				    { "positive", "양성 레이블", "Positive label" } };
	for (size_t f = 0; f < 4; f++) {
		v = json_object_get(options, fields[f][0]);
		if (!json_is_string(v))
			continue;
		buf_addf(b, "<tr><th scope=\"row\">%s · %s</th><td>", fields[f][1], fields[f][2]);
		html(b, json_string_value(v));
		buf_addstr(b, "</td></tr>\n");
	}
	buf_addstr(b, "<tr><th scope=\"row\">종합 판정 · Verdict</th><td>");
	verdict_html(b, json_object_get(report, "pass"));
	buf_addstr(b, "</td></tr>\n</table>\n");
	json_t *skipped = json_object_get(input, "skipped_examples"), *ex;
	if (json_array_size(skipped)) {
		buf_addstr(b, "<h2>건너뛴 행 · Skipped rows</h2>\n<ul>\n");
		json_array_foreach(skipped, i, ex) {
			buf_addf(b, "<li>line %lld: ", (long long)json_integer_value(json_object_get(ex, "line")));
			html(b, json_string_value(json_object_get(ex, "message")));
			buf_addstr(b, "</li>\n");
		}
		buf_addstr(b, "</ul>\n");
	}

	json_array_foreach(sections, i, section) {
		json_t *groups = json_object_get(section, "groups"), *g;
		buf_addstr(b, "<section>\n<h2>민감 속성 <span lang=\"en\">Sensitive attribute</span>: ");
		json_array_foreach(json_object_get(section, "by"), k, v) {
			if (k)
				buf_addstr(b, " × ");
			html(b, json_string_value(v));
		}
		buf_addstr(b, "</h2>\n<table>\n<thead><tr><th scope=\"col\">집단 · Group</th><th scope=\"col\">n</th>");
		for (size_t m = 0; m < NMETRICS; m++)
			if (m + 1 < NMETRICS || has_score) {
				if (strcmp(metric_labels[m].ko, metric_labels[m].en))
					buf_addf(b, "<th scope=\"col\">%s<br><span lang=\"en\">%s</span></th>", metric_labels[m].ko,
						 metric_labels[m].en);
				else
					buf_addf(b, "<th scope=\"col\">%s</th>", metric_labels[m].en);
			}
		buf_addstr(b, "<th scope=\"col\">4/5 비율<br><span lang=\"en\">4/5 ratio</span></th></tr></thead>\n<tbody>\n");
		for (size_t gi = 0; gi <= json_array_size(groups); gi++) {
			g = gi < json_array_size(groups) ? json_array_get(groups, gi) : overall;
			buf_addstr(b, "<tr><th scope=\"row\">");
			if (g == overall)
				buf_addstr(b, "전체 · Overall");
			else
				html(b, json_string_value(json_object_get(g, "label")));
			buf_addf(b, "</th><td>%lld</td>", (long long)json_integer_value(json_object_get(g, "count")));
			for (size_t m = 0; m < NMETRICS; m++) {
				if (m + 1 == NMETRICS && !has_score)
					continue;
				buf_addstr(b, "<td>");
				html_value(b, json_object_get(json_object_get(g, "metrics"), metric_labels[m].key));
				buf_addstr(b, "</td>");
			}
			buf_addstr(b, "<td>");
			if (g != overall) {
				json_t *ff = json_object_get(g, "four_fifths");
				html_value(b, json_object_get(ff, "ratio"));
				buf_addstr(b, " ");
				verdict_html(b, json_object_get(ff, "pass"));
			}
			buf_addstr(b, "</td></tr>\n");
		}
		buf_addstr(b, "</tbody>\n</table>\n");

		/* Disparities and thresholds. */
		json_t *disp = json_object_get(section, "disparities");
		buf_addstr(b, "<table>\n<thead><tr><th scope=\"col\">격차 지표 · Disparity</th><th scope=\"col\">값 · Value</th>"
			      "<th scope=\"col\">신뢰구간 · CI</th><th scope=\"col\">기준 · Threshold</th><th scope=\"col\">판정 · Verdict</th></tr></thead>\n<tbody>\n");
		for (size_t d = 0; d < NDISPARITIES; d++) {
			json_t *jd = json_object_get(disp, disparity_labels[d].key), *ci = json_object_get(jd, "ci");
			buf_addf(b, "<tr><th scope=\"row\">%s<br><span lang=\"en\">%s</span></th><td>", disparity_labels[d].ko,
				 disparity_labels[d].en);
			html_value(b, json_object_get(jd, "value"));
			buf_addstr(b, "</td><td>");
			if (json_is_array(ci)) {
				html_value(b, json_array_get(ci, 0));
				buf_addstr(b, " – ");
				html_value(b, json_array_get(ci, 1));
			}
			buf_addstr(b, "</td><td>");
			json_t *th = json_object_get(section, "thresholds"), *t, *hit = NULL;
			json_array_foreach(th, k, t)
				if (!strcmp(json_string_value(json_object_get(t, "metric")), disparity_labels[d].key))
					hit = t;
			if (hit) {
				buf_addf(b, "%s %g</td><td>", !strcmp(json_string_value(json_object_get(hit, "op")), ">=") ? "≥" : "≤",
					 value_of(json_object_get(hit, "limit")));
				verdict_html(b, json_object_get(hit, "pass"));
			} else {
				buf_addstr(b, "</td><td>");
			}
			buf_addstr(b, "</td></tr>\n");
		}
		json_t *ff = json_object_get(section, "four_fifths");
		buf_addstr(b, "<tr><th scope=\"row\">4/5 규칙 (최소 비율)<br><span lang=\"en\">Four-fifths rule (smallest ratio)</span></th><td>");
		html_value(b, json_object_get(ff, "min_ratio"));
		buf_addstr(b, "</td><td></td><td>≥ 0.8</td><td>");
		verdict_html(b, json_object_get(ff, "pass"));
		buf_addstr(b, "</td></tr>\n</tbody>\n</table>\n");

		/* Charts: beyond CHART_MAX_GROUPS bars they stop being readable (and the page
		 * would grow with every group); the table above still has every number. */
		if (json_array_size(groups) > CHART_MAX_GROUPS) {
			buf_addf(b, "<p>집단이 %d개를 넘어 그래프를 생략합니다 · More than %d groups: charts omitted; the table has every value.</p>\n</section>\n",
				 CHART_MAX_GROUPS, CHART_MAX_GROUPS);
			continue;
		}
		buf_addstr(b, "<div class=\"charts\">\n");
		double max_sel = NAN;
		json_array_foreach(groups, k, g) {
			double s = value_of(json_object_get(json_object_get(g, "metrics"), "selection_rate"));
			if (!isnan(s) && (isnan(max_sel) || s > max_sel))
				max_sel = s;
		}
		for (size_t m = 0; m < NMETRICS; m++) {
			if (m + 1 == NMETRICS && !has_score)
				continue;
			if (m == 0)
				chart(b, groups, &metric_labels[m], isnan(max_sel) ? NAN : FAIR_FOUR_FIFTHS * max_sel,
				      "4/5 기준 · four-fifths");
			else
				chart(b, groups, &metric_labels[m],
				      value_of(json_object_get(json_object_get(overall, "metrics"), metric_labels[m].key)),
				      "전체 · overall");
		}
		buf_addstr(b, "</div>\n</section>\n");
	}
	buf_addstr(b, "<p><small>n/a: 분모가 0이라 정의되지 않음 · undefined (zero denominator). aims fair</small></p>\n</main>\n</body>\n</html>\n");
	return 0;
}
