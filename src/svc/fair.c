/*
 * fair.c: the "test a model's fairness" use case: validate the request, map the CSV,
 * read its header, scan it (fair/mapped.c), turn the counts into the report
 * (fair/metrics.c) and word every problem for a user, with line and column.
 *
 * Policy on bad input (docs/fair.md): a bad row (wrong field count, missing value,
 * label that is neither class, unparsable score, bad group value) stops the run and
 * names its line and column, unless skip_bad_rows, which counts them by kind and
 * reports the first few. Broken quoting, unknown columns, too many groups and an
 * input without usable rows always fail: no number is ever reported from input
 * that could not be read exactly.
 *
 * Memory: the returned report is owned by the caller; everything else is released
 * before returning, including the mapping.
 */
#include "svc/svc.h"
#include "base/text.h"
#include "fair/mapped.h"
#include "fair/metrics.h"
#include "fair/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_BYTES 256
#define SCHEMA_ID "https://aims.example/schema/fair-report-1.json"

struct header {
	char **names;
	size_t count;
};

static void header_release(struct header *h)
{
	for (size_t i = 0; i < h->count; i++)
		free(h->names[i]);
	free(h->names);
	h->names = NULL;
	h->count = 0;
}

static int read_header(const struct fair_mapped *m, const char *path, struct header *h, const char **data_begin,
		       uint64_t *first_line, struct err *e)
{
	struct fair_csv r;
	struct fair_csv_field *fields = NULL;
	struct fair_csv_error cerr;
	size_t count;
	uint64_t line;
	int rc = 0;

	fair_csv_init(&r, m->data ? m->data : "", m->len, true);
	fields = calloc(FAIR_MAX_COLUMNS, sizeof *fields);
	if (!fields)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	int got = fair_csv_next(&r, fields, FAIR_MAX_COLUMNS, &count, &line, &cerr);
	if (got == FAIR_CSV_END) {
		rc = err_set(e, AIMS_EINVAL, "%.300s is empty: the first line must name the columns", path);
		goto out;
	}
	if (got == FAIR_CSV_BROKEN) {
		rc = err_set(e, AIMS_EINVAL, "%.300s: line %llu, field %zu of the header: %s", path,
			     (unsigned long long)cerr.line, cerr.column, cerr.what);
		goto out;
	}
	if (count > FAIR_MAX_COLUMNS) {
		rc = err_set(e, AIMS_EINVAL, "%.300s: the header has %zu columns; at most %d are read", path, count,
			     FAIR_MAX_COLUMNS);
		goto out;
	}
	h->names = calloc(count, sizeof *h->names);
	if (!h->names) {
		rc = err_set(e, AIMS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		char text[NAME_MAX_BYTES];
		size_t n = fair_csv_unescape(&fields[i], text, sizeof text);
		if (n == (size_t)-1 || !text_utf8_valid(text, n)) {
			rc = err_set(e, AIMS_EINVAL, "%.300s: column %zu of the header is %s", path, i + 1,
				     n == (size_t)-1 ? "longer than 256 bytes" : "not valid UTF-8 text");
			goto out;
		}
		h->names[i] = strndup(text, n);
		if (!h->names[i]) {
			rc = err_set(e, AIMS_ENOMEM, "out of memory");
			goto out;
		}
		h->count++;
	}
	*data_begin = r.p;
	*first_line = r.line;
out:
	free(fields);
	return rc;
}

/* The index of column `name`; a field error naming the option when absent or doubled. */
static int find_column(const struct header *h, const char *option, const char *name, size_t *out, struct err *e)
{
	size_t found = 0;
	for (size_t i = 0; i < h->count; i++)
		if (!strcmp(h->names[i], name)) {
			if (found++ == 0)
				*out = i;
		}
	if (found == 1)
		return 0;
	if (found > 1) {
		err_field_code(e, 0, option, "ambiguous", -1, "the header has %zu columns named '%.100s'", found, name);
		return AIMS_EINVAL;
	}
	struct buf list = BUF_INIT(600);
	for (size_t i = 0; i < h->count && list.len < 400; i++)
		buf_addf(&list, "%s%.60s", i ? ", " : "", h->names[i]);
	if (list.len >= 400)
		buf_addstr(&list, ", …");
	err_field_code(e, 0, option, "unknown_column", -1, "no column '%.100s' in the header (columns: %s)", name,
		       buf_str(&list));
	buf_release(&list);
	return AIMS_EINVAL;
}

static int parse_count(const char *text, const char *option, int64_t min, int64_t max, int64_t *out, struct err *e)
{
	if (!text)
		return 0;
	if (text_parse_int64(text, min, max, out) != 0) {
		err_field_code(e, 0, option, "out_of_range", max, "must be a whole number from %lld to %lld, not '%.40s'",
			       (long long)min, (long long)max, text);
		return AIMS_EINVAL;
	}
	return 0;
}

static int set_label(const char *text, const char *fallback, const char *option, char *out, size_t *len,
		     struct err *e)
{
	const char *v = text ? text : fallback;
	size_t n = strlen(v);
	if (n == 0 || n >= FAIR_LABEL_MAX || strchr(v, '"')) {
		err_field_code(e, 0, option, "invalid", -1, "must be 1 to %d characters without quotes", FAIR_LABEL_MAX - 1);
		return AIMS_EINVAL;
	}
	memcpy(out, v, n + 1);
	*len = n;
	return 0;
}

/* "line 12, column y_true: '2' is neither ..." */
static void issue_message(const struct fair_issue *is, const struct header *h, const struct fair_scan_config *cfg,
			  struct buf *out)
{
	const char *col = is->column < h->count ? h->names[is->column] : NULL;
	buf_reset(out);
	switch (is->kind) {
	case FAIR_BAD_RAGGED:
		buf_addf(out, "the row has %zu field%s, the header %zu", is->fields, is->fields == 1 ? "" : "s",
			 cfg->columns);
		break;
	case FAIR_BAD_MISSING:
		buf_addf(out, "%s is empty", col);
		break;
	case FAIR_BAD_LABEL:
		buf_addf(out, "%s is '%s', neither the positive label '%s' nor the negative label '%s'", col, is->value,
			 cfg->positive, cfg->negative);
		break;
	case FAIR_BAD_SCORE:
		buf_addf(out, "%s is '%s', not a decimal number", col, is->value);
		break;
	case FAIR_BAD_TEXT:
		buf_addf(out, "%s is not valid UTF-8 or longer than %d bytes", col, FAIR_VALUE_MAX);
		break;
	case FAIR_FAIL_QUOTING:
		buf_addf(out, "field %zu%s%s%s: %s", is->column + 1, col ? " (" : "", col ? col : "", col ? ")" : "",
			 is->what ? is->what : "broken quoting");
		break;
	default:
		buf_addstr(out, fair_issue_kind_name(is->kind));
	}
}

static int scan_failure(const struct fair_chunk *c, const char *path, const struct header *h,
			const struct fair_scan_config *cfg, struct err *e)
{
	struct buf msg = BUF_INIT(1024);
	const struct fair_issue *is = &c->failure;
	int rc = AIMS_EINVAL;
	switch (is->kind) {
	case FAIR_FAIL_OVERFLOW:
		rc = err_set(e, AIMS_EINVAL, "%.300s: line %llu: more than 4294967295 rows share one group and score",
			     path, (unsigned long long)is->line);
		break;
	case FAIR_FAIL_NOMEM:
		rc = err_set(e, AIMS_ENOMEM, "out of memory reading %.300s", path);
		break;
	case FAIR_FAIL_CELLS:
		rc = err_set(e, AIMS_EINVAL,
			     "%.300s: line %llu: more than %zu groups; is one of the sensitive columns an identifier "
			     "or a continuous number? Bin it into categories first",
			     path, (unsigned long long)is->line, cfg->max_cells);
		break;
	case FAIR_FAIL_SCORES:
		rc = err_set(e, AIMS_EINVAL,
			     "%.300s: line %llu: more than %zu distinct (group, score) pairs; ROC AUC is exact only "
			     "over a bounded number of distinct scores: round them with --score-digits (e.g. 4)",
			     path, (unsigned long long)is->line, cfg->max_scores);
		break;
	case FAIR_FAIL_QUOTING:
		issue_message(is, h, cfg, &msg);
		rc = err_set(e, AIMS_EINVAL, "%.300s: line %llu: %s (quoting errors cannot be skipped)", path,
			     (unsigned long long)is->line, buf_str(&msg));
		break;
	default:
		issue_message(is, h, cfg, &msg);
		err_set(e, AIMS_EINVAL, "%.300s: a bad row; nothing was computed (--skip-bad-rows skips such rows)",
			path);
		err_field_code(e, (long)is->line, is->column < h->count ? h->names[is->column] : "",
			       fair_issue_kind_name(is->kind), -1, "%s", buf_str(&msg));
		rc = AIMS_EINVAL;
	}
	buf_release(&msg);
	return rc;
}

int svc_fair_run(const struct svc_fair_request *r, json_t **out, struct err *e)
{
	struct fair_mapped m = { NULL, 0 };
	struct header h = { NULL, 0 };
	struct fair_scan_config cfg;
	struct fair_chunk total;
	struct fair_threshold thresholds[FAIR_MAX_THRESHOLDS];
	size_t nthresholds = 0;
	const char *names[FAIR_MAX_SENSITIVE];
	char *sensitive = NULL;
	json_t *report = NULL;
	const char *data_begin = NULL;
	uint64_t first_line = 1;
	int64_t bootstrap = 0, seed = 42, digits = -1, threads = 0;
	double confidence = 0.95;
	bool scanned = false;
	int rc = 0;

	memset(&cfg, 0, sizeof cfg);
	memset(&total, 0, sizeof total);
	*out = NULL;

	/* Options first: nothing is read when the request itself is wrong. */
	if (!r->path || !*r->path)
		err_field_code(e, 0, "data", "required", -1, "name the CSV file");
	if (!r->y_true || !*r->y_true)
		err_field_code(e, 0, "y-true", "required", -1, "name the column of true labels");
	if (!r->y_pred || !*r->y_pred)
		err_field_code(e, 0, "y-pred", "required", -1, "name the column of predicted labels");
	if (!r->sensitive || !*r->sensitive)
		err_field_code(e, 0, "sensitive", "required", -1, "name one or more sensitive columns");
	parse_count(r->bootstrap, "bootstrap", 0, FAIR_MAX_BOOTSTRAP, &bootstrap, e);
	parse_count(r->seed, "seed", 0, INT64_MAX, &seed, e);
	parse_count(r->score_digits, "score-digits", 0, 15, &digits, e);
	parse_count(r->threads, "threads", 1, 64, &threads, e);
	if (r->confidence && (fair_parse_number(r->confidence, strlen(r->confidence), &confidence, NULL) ||
			      !(confidence > 0 && confidence < 1)))
		err_field_code(e, 0, "confidence", "out_of_range", -1, "must be a number between 0 and 1, like 0.95");
	if (r->score_digits && !r->score)
		err_field_code(e, 0, "score-digits", "invalid", -1, "only applies with --score");
	set_label(r->positive, "1", "positive", cfg.positive, &cfg.positive_len, e);
	set_label(r->negative, "0", "negative", cfg.negative, &cfg.negative_len, e);
	if (cfg.positive_len && cfg.negative_len && !strcmp(cfg.positive, cfg.negative))
		err_field_code(e, 0, "negative", "invalid", -1, "must differ from the positive label");
	if (r->thresholds && *r->thresholds) {
		char *list = strdup(r->thresholds), *save = NULL;
		if (!list) {
			rc = err_set(e, AIMS_ENOMEM, "out of memory");
			goto out;
		}
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			struct err te = ERR_INIT;
			if (nthresholds >= FAIR_MAX_THRESHOLDS) {
				err_field_code(e, 0, "threshold", "too_many", FAIR_MAX_THRESHOLDS, "at most %d thresholds",
					       FAIR_MAX_THRESHOLDS);
				break;
			}
			if (fair_threshold_parse(tok, &thresholds[nthresholds], &te))
				err_field_code(e, 0, "threshold", "invalid", -1, "%s", te.message);
			else
				nthresholds++;
			err_release(&te);
		}
		free(list);
	}
	if (err_field_count(e)) {
		rc = AIMS_EINVAL;
		snprintf(e->message, sizeof e->message, "the fairness test request is invalid");
		goto out;
	}

	if ((rc = fair_mapped_open(r->path, &m, e)) || (rc = read_header(&m, r->path, &h, &data_begin, &first_line, e)))
		goto out;
	cfg.columns = h.count;
	if (find_column(&h, "y-true", r->y_true, &cfg.y_true, e))
		rc = AIMS_EINVAL;
	if (find_column(&h, "y-pred", r->y_pred, &cfg.y_pred, e))
		rc = AIMS_EINVAL;
	if (r->score && *r->score) {
		cfg.has_score = true;
		if (find_column(&h, "score", r->score, &cfg.score, e))
			rc = AIMS_EINVAL;
	}
	sensitive = strdup(r->sensitive);
	if (!sensitive) {
		rc = err_set(e, AIMS_ENOMEM, "out of memory");
		goto out;
	}
	char *save = NULL;
	for (char *tok = strtok_r(sensitive, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (cfg.nsensitive >= FAIR_MAX_SENSITIVE) {
			err_field_code(e, 0, "sensitive", "too_many", FAIR_MAX_SENSITIVE, "at most %d sensitive columns",
				       FAIR_MAX_SENSITIVE);
			rc = AIMS_EINVAL;
			break;
		}
		size_t idx = 0;
		if (find_column(&h, "sensitive", tok, &idx, e)) {
			rc = AIMS_EINVAL;
			continue;
		}
		for (size_t k = 0; k < cfg.nsensitive; k++)
			if (cfg.sensitive[k] == idx) {
				err_field_code(e, 0, "sensitive", "duplicate", -1, "'%.100s' is named twice", tok);
				rc = AIMS_EINVAL;
			}
		names[cfg.nsensitive] = h.names[idx];
		cfg.sensitive[cfg.nsensitive++] = idx;
	}
	if (!rc && cfg.nsensitive == 0) {
		err_field_code(e, 0, "sensitive", "required", -1, "name one or more sensitive columns");
		rc = AIMS_EINVAL;
	}
	if (rc) {
		snprintf(e->message, sizeof e->message, "%.300s: the named columns do not match its header", r->path);
		goto out;
	}
	cfg.skip_bad_rows = r->skip_bad_rows;
	cfg.score_digits = (int)digits;
	cfg.max_cells = FAIR_DEFAULT_MAX_CELLS;
	cfg.max_scores = FAIR_DEFAULT_MAX_SCORES;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 1 ? 1 : n > 64 ? 64 : n;
	}

	rc = fair_mapped_scan(&m, data_begin, first_line, &cfg, (size_t)threads, &total, NULL, e);
	scanned = true;
	if (rc && total.status) {
		rc = scan_failure(&total, r->path, &h, &cfg, e);
		goto out;
	}
	if (rc)
		goto out;
	uint64_t used = 0, skipped = 0;
	for (size_t i = 0; i < total.table.ncells; i++)
		for (int k = 0; k < 4; k++)
			used += total.table.cells[i].n[k];
	for (int k = 0; k < FAIR_BAD_KINDS; k++)
		skipped += total.bad[k];
	if (used == 0) {
		rc = err_set(e, AIMS_EINVAL, "%.300s has no usable rows (%llu read, %llu skipped as bad)", r->path,
			     (unsigned long long)total.rows, (unsigned long long)skipped);
		goto out;
	}

	struct fair_report_options ro = {
		.sensitive_names = names, .nsensitive = cfg.nsensitive, .has_score = cfg.has_score,
		.score_digits = cfg.score_digits, .bootstrap = (int)bootstrap, .seed = (uint64_t)seed,
		.confidence = confidence, .thresholds = thresholds, .nthresholds = nthresholds,
	};
	if ((rc = fair_metrics_report(&total.table, &ro, &report, e)))
		goto out;

	json_t *kinds = json_object(), *examples = json_array(), *sens = json_array();
	struct buf msg = BUF_INIT(1024);
	for (int k = 0; k < FAIR_BAD_KINDS; k++)
		json_object_set_new(kinds, fair_issue_kind_name(k), json_integer((json_int_t)total.bad[k]));
	for (size_t k = 0; k < total.nexamples; k++) {
		const struct fair_issue *is = &total.examples[k];
		issue_message(is, &h, &cfg, &msg);
		json_array_append_new(examples, json_pack("{s:I,s:o,s:s,s:s}", "line", (json_int_t)is->line, "column",
							  is->column < h.count ? json_string(h.names[is->column]) : json_null(),
							  "kind", fair_issue_kind_name(is->kind), "message", buf_str(&msg)));
	}
	buf_release(&msg);
	for (size_t k = 0; k < cfg.nsensitive; k++)
		json_array_append_new(sens, json_string(names[k]));
	json_object_set_new(report, "schema", json_string(SCHEMA_ID));
	json_object_set_new(report, "input",
			    json_pack("{s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:I}", "file", r->path, "bytes", (json_int_t)m.len,
				      "rows", (json_int_t)total.rows, "rows_used", (json_int_t)used, "rows_skipped",
				      (json_int_t)skipped, "skipped", kinds, "skipped_examples", examples, "threads",
				      (json_int_t)threads));
	json_object_set_new(report, "options",
			    json_pack("{s:s,s:s,s:o,s:o,s:s,s:s,s:b,s:o,s:I,s:I,s:f}", "y_true", r->y_true, "y_pred",
				      r->y_pred, "score", cfg.has_score ? json_string(r->score) : json_null(), "sensitive",
				      sens, "positive", cfg.positive, "negative", cfg.negative, "skip_bad_rows",
				      cfg.skip_bad_rows, "score_digits", digits >= 0 ? json_integer(digits) : json_null(),
				      "bootstrap", (json_int_t)bootstrap, "seed", (json_int_t)seed, "confidence",
				      confidence));
	*out = report;
	report = NULL;
out:
	if (scanned)
		fair_chunk_release(&total);
	json_decref(report);
	free(sensitive);
	header_release(&h);
	fair_mapped_close(&m);
	return rc;
}

int svc_fair_render_text(json_t *report, struct buf *out)
{
	return fair_report_text(report, out);
}

int svc_fair_render_html(json_t *report, struct buf *out)
{
	return fair_report_html(report, out);
}
