/*
 * cmd_fair.c: `aims fair`, the fairness test of a CSV of model predictions.
 *
 * stdout carries the report: a text table by default, or the JSON report with
 * --json; --html FILE also writes the self-contained HTML page. Exit status: 0
 * when the test ran and every threshold passed (or none was given), 3 when it ran
 * and a threshold failed, 1 when it could not run (bad input, with line and column),
 * 2 for a usage error.
 */
#include "cli/internal.h"
#include "base/buf.h"
#include "svc/svc.h"

#include <errno.h>
#include <string.h>

#define FAIR_EXIT_THRESHOLD_FAILED 3
#define REPORT_MAX ((size_t)256 << 20)

static const struct cli_option fair_options[] = {
	{ "data", "FILE.csv", "the CSV of predictions, with a header line (required)" },
	{ "y-true", "COL", "column of the true labels (required)" },
	{ "y-pred", "COL", "column of the predicted labels (required)" },
	{ "sensitive", "COL[,COL...]", "sensitive columns; several give their intersection too (required)" },
	{ "score", "COL", "column of model scores: adds ROC AUC per group" },
	{ "positive", "LABEL", "label of the positive class (default 1)" },
	{ "negative", "LABEL", "label of the negative class (default 0)" },
	{ "threshold", "M=V[,M=V...]", "pass/fail rules, e.g. demographic_parity_ratio>=0.8" },
	{ "bootstrap", "N", "confidence intervals from N Poisson-bootstrap replicates (0 to 10000)" },
	{ "seed", "S", "random seed of the bootstrap (default 42)" },
	{ "confidence", "C", "confidence level of the intervals (default 0.95)" },
	{ "score-digits", "D", "round scores to D decimals before ROC AUC (bounds its memory)" },
	{ "skip-bad-rows", NULL, "skip rows with missing or invalid values and report them" },
	{ "threads", "N", "scanning threads (default: the number of CPUs)" },
	{ "json", NULL, "print the JSON report instead of the table" },
	{ "html", "FILE", "also write the HTML report to FILE" },
	CLI_OPT_END,
};

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return cli_failf("cannot create %s: %s", path, strerror(errno));
	bool ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) != 0)
		ok = false;
	if (!ok)
		return cli_failf("cannot write %s: %s", path, strerror(errno));
	return 0;
}

static int run_fair(const struct cli_args *a)
{
	struct err e = ERR_INIT;
	struct buf text = BUF_INIT(REPORT_MAX);
	json_t *report = NULL;
	int rc = 0;
	struct svc_fair_request r = {
		.path = cli_opt(a, "data"),
		.y_true = cli_opt(a, "y-true"),
		.y_pred = cli_opt(a, "y-pred"),
		.score = cli_opt(a, "score"),
		.sensitive = cli_opt(a, "sensitive"),
		.positive = cli_opt(a, "positive"),
		.negative = cli_opt(a, "negative"),
		.thresholds = cli_opt(a, "threshold"),
		.bootstrap = cli_opt(a, "bootstrap"),
		.seed = cli_opt(a, "seed"),
		.confidence = cli_opt(a, "confidence"),
		.score_digits = cli_opt(a, "score-digits"),
		.threads = cli_opt(a, "threads"),
		.skip_bad_rows = cli_flag(a, "skip-bad-rows"),
	};
	const char *html = cli_opt(a, "html");
	const char *missing;

	if ((rc = cli_require(a, "data", &missing)) || (rc = cli_require(a, "y-true", &missing)) ||
	    (rc = cli_require(a, "y-pred", &missing)) || (rc = cli_require(a, "sensitive", &missing)))
		goto out;
	if (html && !*html) {
		rc = cli_usage(a, "--html needs a file name");
		goto out;
	}
	if (svc_fair_run(&r, &report, &e) != 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (html) {
		if (svc_fair_render_html(report, &text) != 0) {
			rc = cli_failf("the HTML report is too large");
			goto out;
		}
		if ((rc = write_file(html, buf_str(&text), text.len)))
			goto out;
		buf_reset(&text);
	}
	if (cli_flag(a, "json")) {
		if ((rc = cli_print_json(stdout, report)))
			goto out;
	} else {
		if (svc_fair_render_text(report, &text) != 0) {
			rc = cli_failf("the report is too large");
			goto out;
		}
		cli_print_text(stdout, buf_str(&text));
	}
	if (json_is_false(json_object_get(report, "pass")))
		rc = FAIR_EXIT_THRESHOLD_FAILED;
out:
	json_decref(report);
	buf_release(&text);
	err_release(&e);
	return rc;
}

const struct cli_command cli_cmd_fair = {
	.name = "fair",
	.summary = "Test a model's fairness from a CSV of predictions",
	.summary_ko = "예측 결과 CSV로 모델의 공정성을 검사합니다",
	.usage = "fair --data FILE.csv --y-true COL --y-pred COL --sensitive COL[,COL...] [OPTIONS]",
	.options = fair_options,
	.details = "Metrics per group of each sensitive column and of their intersection: count, base\n"
		   "rate, selection rate, TPR, FPR, TNR, FNR, precision, accuracy (and ROC AUC with\n"
		   "--score); demographic parity, equalized odds and equal opportunity differences and\n"
		   "ratios (Fairlearn's definitions); the four-fifths rule. A rate with a zero\n"
		   "denominator is undefined (n/a, JSON null), never 0. See docs/fair.md.\n"
		   "\nThresholds: METRIC=V means <= V for a *_difference and >= V for a *_ratio or\n"
		   "four_fifths_ratio; METRIC<=V and METRIC>=V say it explicitly.\n"
		   "\nExit status: 0 ran (and every threshold passed), 3 ran and a threshold failed,\n"
		   "1 bad input (the message names the line and column), 2 usage error.\n"
		   "\nExample:\n"
		   "  aims fair --data preds.csv --y-true hired --y-pred predicted --sensitive sex,age_band \\\n"
		   "    --score score --threshold demographic_parity_ratio=0.8 --html report.html\n",
	.run = run_fair,
};
