/*
 * metrics.c: per-group rates, disparities, the four-fifths rule, exact ROC AUC and
 * Poisson-bootstrap confidence intervals, from the counts of a joined scan.
 *
 * Groups: one section per sensitive column (the marginal groups) and, with two or
 * more columns, one for their intersection. Marginal counts are sums of the
 * intersection cells, which is why the scan only counts cells.
 *
 * Bootstrap: the Poisson bootstrap gives each row a Poisson(1) weight per replicate.
 * Every metric here depends on a row only through its cell and its (y_true, y_pred)
 * pair, and a sum of n independent Poisson(1) weights is Poisson(n); so drawing one
 * Poisson(n) per cell and pair is the row-level Poisson bootstrap exactly, in
 * distribution, at a cost independent of the number of rows. Each cell has its own
 * random stream derived from the seed and the cell's rank in sorted order, so the
 * intervals do not depend on the number of threads. ROC AUC has no interval: it
 * would need each replicate's score counts.
 *
 * Memory: the report and temporary arrays grow with groups and replicates only.
 */
#include "fair/metrics.h"
#include "base/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char *const rate_names[FAIR_RATES] = {
	"base_rate", "selection_rate", "true_positive_rate", "false_positive_rate",
	"true_negative_rate", "false_negative_rate", "precision", "accuracy",
};

static const char *const disparity_names[FAIR_DISPARITIES] = {
	"demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
	"equalized_odds_ratio", "equal_opportunity_difference", "equal_opportunity_ratio",
};

const char *fair_rate_name(int rate)
{
	return rate >= 0 && rate < FAIR_RATES ? rate_names[rate] : "?";
}

const char *fair_disparity_name(int disparity)
{
	return disparity >= 0 && disparity < FAIR_DISPARITIES ? disparity_names[disparity] : "?";
}

static double ratio_of(uint64_t num, uint64_t den)
{
	return den ? (double)num / (double)den : NAN;
}

void fair_metrics_rates(const uint64_t n[4], double out[FAIR_RATES])
{
	uint64_t tn = n[0], fp = n[1], fn = n[2], tp = n[3], all = tn + fp + fn + tp;
	out[FAIR_BASE_RATE] = ratio_of(tp + fn, all);
	out[FAIR_SELECTION_RATE] = ratio_of(tp + fp, all);
	out[FAIR_TPR] = ratio_of(tp, tp + fn);
	out[FAIR_FPR] = ratio_of(fp, fp + tn);
	out[FAIR_TNR] = ratio_of(tn, fp + tn);
	out[FAIR_FNR] = ratio_of(fn, tp + fn);
	out[FAIR_PRECISION] = ratio_of(tp, tp + fp);
	out[FAIR_ACCURACY] = ratio_of(tp + tn, all);
}

/* max - min and min / max over the defined values. */
static void spread(const double *v, size_t k, double *difference, double *ratio)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t defined = 0;
	for (size_t i = 0; i < k; i++) {
		if (isnan(v[i]))
			continue;
		defined++;
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	if (!defined) {
		*difference = *ratio = NAN;
		return;
	}
	*difference = hi - lo;
	*ratio = hi > 0 ? lo / hi : NAN;
}

void fair_metrics_disparities(const double *selection, const double *tpr, const double *fpr, size_t k,
			      double out[FAIR_DISPARITIES])
{
	double tpr_d, tpr_r, fpr_d, fpr_r;
	spread(selection, k, &out[FAIR_DP_DIFFERENCE], &out[FAIR_DP_RATIO]);
	spread(tpr, k, &tpr_d, &tpr_r);
	spread(fpr, k, &fpr_d, &fpr_r);
	/* Fairlearn: the larger difference and the smaller ratio; undefined if either is. */
	out[FAIR_EO_DIFFERENCE] = isnan(tpr_d) || isnan(fpr_d) ? NAN : fmax(tpr_d, fpr_d);
	out[FAIR_EO_RATIO] = isnan(tpr_r) || isnan(fpr_r) ? NAN : fmin(tpr_r, fpr_r);
	out[FAIR_EOPP_DIFFERENCE] = tpr_d;
	out[FAIR_EOPP_RATIO] = tpr_r;
}

double fair_metrics_auc(const double *scores, const uint64_t (*counts)[2], size_t n)
{
	/* Twice the Mann-Whitney U, in integers: each positive scores 2 per negative
	 * below it and 1 per negative tied with it. */
	unsigned __int128 u2 = 0;
	uint64_t neg_below = 0, pos = 0;
	(void)scores;
	for (size_t i = 0; i < n; i++) {
		uint64_t neg_here = counts[i][0], pos_here = counts[i][1];
		u2 += (unsigned __int128)pos_here * (2 * (unsigned __int128)neg_below + neg_here);
		neg_below += neg_here;
		pos += pos_here;
	}
	if (!pos || !neg_below)
		return NAN;
	return (double)u2 / (2.0 * (double)pos * (double)neg_below);
}

/* ---- thresholds ---- */

static bool known_threshold_metric(const char *m)
{
	for (int d = 0; d < FAIR_DISPARITIES; d++)
		if (!strcmp(m, disparity_names[d]))
			return true;
	return !strcmp(m, "four_fifths_ratio");
}

int fair_threshold_parse(const char *text, struct fair_threshold *out, struct err *e)
{
	const char *op = strpbrk(text, "<>=");
	size_t n = op ? (size_t)(op - text) : 0;
	memset(out, 0, sizeof *out);
	if (!op || n == 0 || n >= sizeof out->metric)
		return err_set(e, AIMS_EINVAL, "threshold '%.80s' is not METRIC=VALUE, METRIC<=VALUE or METRIC>=VALUE", text);
	memcpy(out->metric, text, n);
	if (!known_threshold_metric(out->metric))
		return err_set(e, AIMS_EINVAL,
			       "threshold '%.80s': unknown metric '%s' (one of demographic_parity_difference, "
			       "demographic_parity_ratio, equalized_odds_difference, equalized_odds_ratio, "
			       "equal_opportunity_difference, equal_opportunity_ratio, four_fifths_ratio)",
			       text, out->metric);
	const char *v = op + 1;
	if (op[0] == '<' && op[1] == '=')
		out->op = -1, v++;
	else if (op[0] == '>' && op[1] == '=')
		out->op = 1, v++;
	else if (op[0] == '=')
		out->op = strstr(out->metric, "ratio") ? 1 : -1;
	else
		return err_set(e, AIMS_EINVAL, "threshold '%.80s': use =, <= or >=", text);
	if (fair_parse_number(v, strlen(v), &out->limit, NULL))
		return err_set(e, AIMS_EINVAL, "threshold '%.80s': '%.40s' is not a number", text, v);
	return 0;
}

/* ---- random numbers ---- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
	return (double)(splitmix64(state) >> 11) * 0x1.0p-53;
}

uint64_t fair_poisson(uint64_t *state, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda < 10) {
		/* Knuth: multiply uniforms until the product drops below e^-lambda. */
		double limit = exp(-lambda), prod = uniform(state);
		uint64_t k = 0;
		while (prod > limit) {
			k++;
			prod *= uniform(state);
		}
		return k;
	}
	/* Hörmann's transformed rejection with squeeze (PTRS, 1993). */
	double slam = sqrt(lambda), loglam = log(lambda);
	double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
	double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
	for (;;) {
		double u = uniform(state) - 0.5, v = uniform(state);
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + lambda + 0.43);
		if (us >= 0.07 && v <= vr)
			return (uint64_t)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1))
			return (uint64_t)k;
	}
}

/* ---- grouping ---- */

struct group {
	size_t first, count; /* members: cells[first .. first + count) of the section's list */
	uint64_t n[4];
	double rates[FAIR_RATES];
	double auc;
};

struct section {
	size_t columns[FAIR_MAX_SENSITIVE];
	size_t ncolumns;
	size_t *members; /* cell indexes, grouped */
	struct group *groups;
	size_t ngroups;
	size_t first_global; /* index of its first group among all bootstrap groups */
};

struct ctx {
	const struct fair_table *t;
	const struct fair_report_options *o;
	const size_t *sort_columns;
	size_t nsort;
};

static int compare_projection(const struct fair_table *t, size_t a, size_t b, const size_t *cols, size_t ncols)
{
	const struct fair_cell *ca = &t->cells[a], *cb = &t->cells[b];
	for (size_t i = 0; i < ncols; i++) {
		const char *va, *vb;
		size_t la = fair_key_value(t->keys + ca->key_off, ca->key_len, cols[i], &va);
		size_t lb = fair_key_value(t->keys + cb->key_off, cb->key_len, cols[i], &vb);
		int c = memcmp(va, vb, la < lb ? la : lb);
		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return 0;
}

/* qsort has no context argument; the section being sorted is this thread-local. */
static _Thread_local const struct ctx *sort_ctx;

static int compare_cells(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = compare_projection(sort_ctx->t, x, y, sort_ctx->sort_columns, sort_ctx->nsort);
	return c ? c : (x < y ? -1 : x > y);
}

struct score_row {
	double score;
	uint64_t count[2];
};

static int compare_scores(const void *a, const void *b)
{
	double x = ((const struct score_row *)a)->score, y = ((const struct score_row *)b)->score;
	return x < y ? -1 : x > y;
}

/* h[0..n) += d[0..n), widening: hundreds of 20,002-long runs per report, so four
 * at a time where the CPU has SSE2 (the x86-64 baseline). */
static void add_dense(uint64_t *h, const uint32_t *d, size_t n)
{
	size_t j = 0;
#if defined(__SSE2__)
	const __m128i zero = _mm_setzero_si128();
	for (; j + 4 <= n; j += 4) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + j));
		__m128i *out = (__m128i *)(void *)(h + j);
		_mm_storeu_si128(out, _mm_add_epi64(_mm_loadu_si128(out), _mm_unpacklo_epi32(v, zero)));
		_mm_storeu_si128(out + 1, _mm_add_epi64(_mm_loadu_si128(out + 1), _mm_unpackhi_epi32(v, zero)));
	}
#endif
	for (; j < n; j++)
		h[j] += d[j];
}

/*
 * Twice the Mann-Whitney U over dense steps only, h[2k] negatives and h[2k + 1]
 * positives at step k, for a group of fewer than 2^32 rows: then every partial
 * sum is at most 2 P N <= (P + N)^2 / 2 < 2^63, so 64-bit integers hold exactly
 * the integers the 128-bit walk below computes, and the same double comes out.
 */
static double auc_steps64(const uint32_t *h)
{
	uint64_t u2 = 0, neg_below = 0, pos = 0;
	for (size_t k = 0; k <= FAIR_DENSE_STEPS; k++) {
		uint64_t neg_here = h[2 * k], pos_here = h[2 * k + 1];
		u2 += pos_here * (2 * neg_below + neg_here);
		neg_below += neg_here;
		pos += pos_here;
	}
	if (!pos || !neg_below)
		return NAN;
	return (double)u2 / (2.0 * (double)pos * (double)neg_below);
}

/*
 * AUC of the given cells: their dense counts summed into one histogram, their
 * hashed score rows gathered and sorted, then both walked in score order (a hashed
 * score may equal a dense step: "0.50000" has five decimals, so it is hashed, yet
 * it is the step 5000). hist has FAIR_DENSE_STEPS + 1 pairs of scratch space.
 */
static double auc_of(const struct fair_table *t, const size_t *cells, size_t ncells, const size_t *range_start,
		     const struct score_row *by_cell, struct score_row *tmp, uint64_t (*hist)[2])
{
	size_t n = 0;
	bool any_dense = false, all_dense = true;
	unsigned __int128 u2 = 0;
	uint64_t neg_below = 0, pos = 0, rows = 0;
	for (size_t i = 0; i < ncells; i++) {
		const struct fair_cell *c = &t->cells[cells[i]];
		all_dense &= c->dense && range_start[cells[i] + 1] == range_start[cells[i]];
		rows += c->n[0] + c->n[1] + c->n[2] + c->n[3];
	}
	if (all_dense && rows <= UINT32_MAX) {
		/* The common case (four-decimal scores, any group under 2^32 rows): a
		 * one-cell group walks its own counters, others a 32-bit sum of them. */
		if (ncells == 1)
			return auc_steps64(t->cells[cells[0]].dense);
		uint32_t *h = (uint32_t *)(void *)hist;
		memset(h, 0, 2 * (FAIR_DENSE_STEPS + 1) * sizeof *h);
		for (size_t i = 0; i < ncells; i++)
			fair_dense_add(h, t->cells[cells[i]].dense, 2 * (FAIR_DENSE_STEPS + 1)); /* < 2^32 rows */
		return auc_steps64(h);
	}
	if (ncells == 1 && t->cells[cells[0]].dense && range_start[cells[0] + 1] == range_start[cells[0]]) {
		/* One cell, dense steps only (every intersection group of a report
		 * with four-decimal scores): its own counters, in order, no copy. The
		 * same sums as below. */
		const uint32_t *d = t->cells[cells[0]].dense;
		for (size_t k = 0; k <= FAIR_DENSE_STEPS; k++) {
			uint64_t neg_here = d[2 * k], pos_here = d[2 * k + 1];
			u2 += (unsigned __int128)pos_here * (2 * (unsigned __int128)neg_below + neg_here);
			neg_below += neg_here;
			pos += pos_here;
		}
		if (!pos || !neg_below)
			return NAN;
		return (double)u2 / (2.0 * (double)pos * (double)neg_below);
	}
	memset(hist, 0, (FAIR_DENSE_STEPS + 1) * sizeof *hist);
	for (size_t i = 0; i < ncells; i++) {
		size_t c = cells[i];
		size_t len = range_start[c + 1] - range_start[c];
		memcpy(tmp + n, by_cell + range_start[c], len * sizeof *tmp);
		n += len;
		const uint32_t *d = t->cells[c].dense;
		if (!d)
			continue;
		any_dense = true;
		/* One flat run of 2 * (FAIR_DENSE_STEPS + 1) additions (an even count),
		 * two at a time: hundreds of these per report. */
		add_dense(&hist[0][0], d, 2 * (FAIR_DENSE_STEPS + 1));
	}
	if (ncells > 1)
		qsort(tmp, n, sizeof *tmp, compare_scores);
	/* Twice the Mann-Whitney U in integers, as in fair_metrics_auc. */
	size_t i = 0, k = any_dense ? 0 : FAIR_DENSE_STEPS + 1;
	if (n == 0 && any_dense) {
		/* Dense steps only (the common case): the steps are the scores in order,
		 * so no score needs computing or comparing. The same sums as below. */
		for (; k <= FAIR_DENSE_STEPS; k++) {
			uint64_t neg_here = hist[k][0], pos_here = hist[k][1];
			u2 += (unsigned __int128)pos_here * (2 * (unsigned __int128)neg_below + neg_here);
			neg_below += neg_here;
			pos += pos_here;
		}
	}
	while (i < n || k <= FAIR_DENSE_STEPS) {
		double next_hash = i < n ? tmp[i].score : INFINITY;
		double next_dense = k <= FAIR_DENSE_STEPS ? (double)k / FAIR_DENSE_STEPS : INFINITY;
		double score = next_hash < next_dense ? next_hash : next_dense;
		uint64_t neg_here = 0, pos_here = 0;
		while (i < n && tmp[i].score == score) {
			neg_here += tmp[i].count[0];
			pos_here += tmp[i].count[1];
			i++;
		}
		if (k <= FAIR_DENSE_STEPS && next_dense == score) {
			neg_here += hist[k][0];
			pos_here += hist[k][1];
			k++;
		}
		u2 += (unsigned __int128)pos_here * (2 * (unsigned __int128)neg_below + neg_here);
		neg_below += neg_here;
		pos += pos_here;
	}
	if (!pos || !neg_below)
		return NAN;
	return (double)u2 / (2.0 * (double)pos * (double)neg_below);
}

/* ---- JSON helpers ---- */

static json_t *num(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *group_key(const struct fair_table *t, size_t cell, const size_t *cols, size_t ncols,
			 struct buf *label)
{
	const struct fair_cell *c = &t->cells[cell];
	json_t *key = json_array();
	buf_reset(label);
	for (size_t i = 0; i < ncols; i++) {
		const char *v;
		size_t n = fair_key_value(t->keys + c->key_off, c->key_len, cols[i], &v);
		json_array_append_new(key, json_stringn(v, n));
		if (i)
			buf_addstr(label, " / ");
		buf_add(label, v, n);
	}
	return key;
}

static json_t *rates_json(const double rates[FAIR_RATES], double auc, bool has_score)
{
	json_t *m = json_object();
	for (int r = 0; r < FAIR_RATES; r++)
		json_object_set_new(m, rate_names[r], num(rates[r]));
	if (has_score)
		json_object_set_new(m, "roc_auc", num(auc));
	return m;
}

static json_t *counts_json(const uint64_t n[4])
{
	return json_pack("{s:I,s:I,s:I,s:I}", "tp", (json_int_t)n[3], "fp", (json_int_t)n[1], "tn",
			 (json_int_t)n[0], "fn", (json_int_t)n[2]);
}

/* Linear-interpolated quantile of sorted v[0..m). */
static double quantile(const double *v, size_t m, double q)
{
	double pos = q * (double)(m - 1);
	size_t lo = (size_t)floor(pos);
	if (lo + 1 >= m)
		return v[m - 1];
	return v[lo] + (v[lo + 1] - v[lo]) * (pos - (double)lo);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* [lo, hi] of the defined replicate values (reordered in place), or null. */
static json_t *interval(double *v, size_t b, double confidence)
{
	size_t m = 0;
	for (size_t i = 0; i < b; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	if (!m)
		return json_null();
	qsort(v, m, sizeof *v, compare_doubles);
	double alpha = (1 - confidence) / 2;
	return json_pack("[o,o]", num(quantile(v, m, alpha)), num(quantile(v, m, 1 - alpha)));
}

static double threshold_value(const json_t *section, const char *metric)
{
	if (!strcmp(metric, "four_fifths_ratio")) {
		json_t *v = json_object_get(json_object_get(section, "four_fifths"), "min_ratio");
		return json_is_number(v) ? json_number_value(v) : NAN;
	}
	json_t *v = json_object_get(json_object_get(json_object_get(section, "disparities"), metric), "value");
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ---- the report ---- */

int fair_metrics_report(const struct fair_table *t, const struct fair_report_options *o, json_t **out,
			struct err *e)
{
	struct section sections[FAIR_MAX_SENSITIVE + 1];
	size_t nsections = 0, total_groups = 1;
	size_t *range_start = NULL;
	struct score_row *by_cell = NULL, *tmp = NULL;
	uint64_t(*hist)[2] = NULL;
	double *boot = NULL;
	uint64_t *streams = NULL;
	size_t *sorted = NULL;
	struct buf label = BUF_INIT(FAIR_MAX_SENSITIVE * (FAIR_VALUE_MAX + 3) + 1);
	json_t *report = NULL, *jsections = NULL;
	int rc = 0;
	const size_t B = o->bootstrap > 0 ? (size_t)o->bootstrap : 0;

	memset(sections, 0, sizeof sections);
	*out = NULL;

	/* Cells in sorted key order: that rank names each cell's random stream. */
	sorted = malloc((t->ncells ? t->ncells : 1) * sizeof *sorted);
	if (!sorted)
		goto nomem;
	size_t all_cols[FAIR_MAX_SENSITIVE];
	for (size_t i = 0; i < o->nsensitive; i++)
		all_cols[i] = i;
	for (size_t i = 0; i < t->ncells; i++)
		sorted[i] = i;
	struct ctx sc = { t, o, all_cols, o->nsensitive };
	sort_ctx = &sc;
	qsort(sorted, t->ncells, sizeof *sorted, compare_cells);

	/* Score rows grouped by cell, each cell's rows sorted by score. */
	if (o->has_score) {
		range_start = calloc(t->ncells + 2, sizeof *range_start);
		if (!range_start)
			goto nomem;
		for (size_t i = 0; t->scores && i <= t->score_mask; i++)
			if (t->scores[i].cell)
				range_start[t->scores[i].cell]++; /* cell is index + 1 */
		size_t nrows = 0;
		for (size_t c = 0; c < t->ncells; c++)
			nrows += range_start[c + 1];
		for (size_t c = 0; c < t->ncells; c++)
			range_start[c + 1] += range_start[c];
		by_cell = malloc((nrows ? nrows : 1) * sizeof *by_cell);
		tmp = malloc((nrows ? nrows : 1) * sizeof *tmp);
		size_t *fill = calloc(t->ncells + 1, sizeof *fill);
		hist = malloc((FAIR_DENSE_STEPS + 1) * sizeof *hist);
		if (!by_cell || !tmp || !fill || !hist) {
			free(fill);
			goto nomem;
		}
		for (size_t i = 0; t->scores && i <= t->score_mask; i++) {
			const struct fair_score *s = &t->scores[i];
			if (!s->cell)
				continue;
			size_t c = s->cell - 1, at = range_start[c] + fill[c]++;
			by_cell[at].score = s->score;
			by_cell[at].count[0] = s->count[0];
			by_cell[at].count[1] = s->count[1];
		}
		free(fill);
		for (size_t c = 0; c < t->ncells; c++)
			qsort(by_cell + range_start[c], range_start[c + 1] - range_start[c], sizeof *by_cell,
			      compare_scores);
	}

	/* Sections: each column alone, then all together when there are several. */
	for (size_t s = 0; s < o->nsensitive; s++) {
		sections[nsections].columns[0] = s;
		sections[nsections++].ncolumns = 1;
	}
	if (o->nsensitive > 1) {
		memcpy(sections[nsections].columns, all_cols, o->nsensitive * sizeof *all_cols);
		sections[nsections++].ncolumns = o->nsensitive;
	}
	for (size_t s = 0; s < nsections; s++) {
		struct section *sec = &sections[s];
		sec->members = malloc((t->ncells ? t->ncells : 1) * sizeof *sec->members);
		sec->groups = calloc(t->ncells ? t->ncells : 1, sizeof *sec->groups);
		if (!sec->members || !sec->groups)
			goto nomem;
		memcpy(sec->members, sorted, t->ncells * sizeof *sorted);
		struct ctx c2 = { t, o, sec->columns, sec->ncolumns };
		sort_ctx = &c2;
		qsort(sec->members, t->ncells, sizeof *sec->members, compare_cells);
		for (size_t i = 0; i < t->ncells; i++) {
			if (i == 0 || compare_projection(t, sec->members[i - 1], sec->members[i], sec->columns,
							 sec->ncolumns)) {
				sec->groups[sec->ngroups].first = i;
				sec->ngroups++;
			}
			struct group *g = &sec->groups[sec->ngroups - 1];
			g->count++;
			for (int k = 0; k < 4; k++)
				g->n[k] += t->cells[sec->members[i]].n[k];
		}
		for (size_t g = 0; g < sec->ngroups; g++) {
			struct group *gr = &sec->groups[g];
			fair_metrics_rates(gr->n, gr->rates);
			gr->auc = o->has_score ? auc_of(t, sec->members + gr->first, gr->count, range_start, by_cell, tmp, hist)
					       : NAN;
		}
		sec->first_global = total_groups;
		total_groups += sec->ngroups;
	}

	/* Overall. */
	uint64_t overall_n[4] = { 0, 0, 0, 0 };
	double overall_rates[FAIR_RATES], overall_auc = NAN;
	for (size_t i = 0; i < t->ncells; i++)
		for (int k = 0; k < 4; k++)
			overall_n[k] += t->cells[i].n[k];
	fair_metrics_rates(overall_n, overall_rates);
	if (o->has_score)
		overall_auc = auc_of(t, sorted, t->ncells, range_start, by_cell, tmp, hist);

	/* Bootstrap replicates: rates of every group and disparities of every section. */
	const size_t per_group = FAIR_RATES, per_section = FAIR_DISPARITIES;
	if (B) {
		size_t values = (total_groups * per_group + nsections * per_section);
		if (values > ((size_t)48 << 20) / sizeof(double) / B) {
			rc = err_set(e, AIMS_EINVAL,
				     "--bootstrap %zu with %zu groups needs more than 48 MiB; use fewer replicates", B,
				     total_groups);
			goto out;
		}
		boot = malloc(values * B * sizeof *boot);
		streams = malloc((t->ncells ? t->ncells : 1) * sizeof *streams);
		uint64_t(*draw)[4] = malloc((t->ncells ? t->ncells : 1) * sizeof *draw);
		double *sel = malloc(t->ncells * 3 * sizeof(double) + sizeof(double));
		if (!boot || !streams || !draw || !sel) {
			free(draw);
			free(sel);
			goto nomem;
		}
		for (size_t r = 0; r < t->ncells; r++) {
			uint64_t st = o->seed ^ (0xD1B54A32D192ED03ULL * (uint64_t)(r + 1));
			streams[r] = splitmix64(&st);
		}
		for (size_t b = 0; b < B; b++) {
			uint64_t all[4] = { 0, 0, 0, 0 };
			for (size_t r = 0; r < t->ncells; r++) {
				size_t c = sorted[r];
				for (int k = 0; k < 4; k++) {
					draw[c][k] = fair_poisson(&streams[r], (double)t->cells[c].n[k]);
					all[k] += draw[c][k];
				}
			}
			double rates[FAIR_RATES];
			fair_metrics_rates(all, rates);
			for (int m = 0; m < FAIR_RATES; m++)
				boot[(0 * per_group + (size_t)m) * B + b] = rates[m];
			for (size_t s = 0; s < nsections; s++) {
				struct section *sec = &sections[s];
				double *tpr = sel + sec->ngroups, *fpr = sel + 2 * sec->ngroups;
				for (size_t g = 0; g < sec->ngroups; g++) {
					uint64_t n[4] = { 0, 0, 0, 0 };
					const struct group *gr = &sec->groups[g];
					for (size_t i = 0; i < gr->count; i++)
						for (int k = 0; k < 4; k++)
							n[k] += draw[sec->members[gr->first + i]][k];
					fair_metrics_rates(n, rates);
					size_t gi = sec->first_global + g;
					for (int m = 0; m < FAIR_RATES; m++)
						boot[(gi * per_group + (size_t)m) * B + b] = rates[m];
					sel[g] = rates[FAIR_SELECTION_RATE];
					tpr[g] = rates[FAIR_TPR];
					fpr[g] = rates[FAIR_FPR];
				}
				double d[FAIR_DISPARITIES];
				fair_metrics_disparities(sel, tpr, fpr, sec->ngroups, d);
				for (int k = 0; k < FAIR_DISPARITIES; k++)
					boot[(total_groups * per_group + s * per_section + (size_t)k) * B + b] = d[k];
			}
		}
		free(draw);
		free(sel);
	}

	/* JSON. */
	report = json_object();
	jsections = json_array();
	if (!report || !jsections)
		goto nomem;
	json_t *overall = json_pack("{s:I,s:o,s:o}", "count",
				    (json_int_t)(overall_n[0] + overall_n[1] + overall_n[2] + overall_n[3]),
				    "confusion", counts_json(overall_n), "metrics",
				    rates_json(overall_rates, overall_auc, o->has_score));
	if (B) {
		json_t *ci = json_object();
		for (int m = 0; m < FAIR_RATES; m++)
			json_object_set_new(ci, rate_names[m], interval(boot + (size_t)m * B, B, o->confidence));
		json_object_set_new(overall, "ci", ci);
	}
	json_object_set_new(report, "overall", overall);

	bool any_threshold = o->nthresholds > 0, all_pass = true;
	for (size_t s = 0; s < nsections; s++) {
		struct section *sec = &sections[s];
		json_t *by = json_array(), *groups = json_array();
		for (size_t i = 0; i < sec->ncolumns; i++)
			json_array_append_new(by, json_string(o->sensitive_names[sec->columns[i]]));
		double *sel = calloc(sec->ngroups * 3 + 1, sizeof(double));
		if (!sel) {
			json_decref(by);
			json_decref(groups);
			goto nomem;
		}
		double *tpr = sel + sec->ngroups, *fpr = tpr + sec->ngroups;
		double max_sel = -INFINITY;
		size_t favoured = 0;
		for (size_t g = 0; g < sec->ngroups; g++) {
			sel[g] = sec->groups[g].rates[FAIR_SELECTION_RATE];
			tpr[g] = sec->groups[g].rates[FAIR_TPR];
			fpr[g] = sec->groups[g].rates[FAIR_FPR];
			if (!isnan(sel[g]) && sel[g] > max_sel) {
				max_sel = sel[g];
				favoured = g;
			}
		}
		double min_ratio = INFINITY;
		bool ff_all = true, ff_defined = max_sel > 0;
		for (size_t g = 0; g < sec->ngroups; g++) {
			const struct group *gr = &sec->groups[g];
			json_t *key = group_key(t, sec->members[gr->first], sec->columns, sec->ncolumns, &label);
			double ratio = ff_defined ? sel[g] / max_sel : NAN;
			if (!isnan(ratio) && ratio < min_ratio)
				min_ratio = ratio;
			bool pass = !isnan(ratio) && ratio >= FAIR_FOUR_FIFTHS;
			ff_all = ff_all && pass;
			json_t *jg = json_pack("{s:o,s:s,s:I,s:o,s:o,s:{s:o,s:o}}", "key", key, "label",
					       buf_str(&label), "count",
					       (json_int_t)(gr->n[0] + gr->n[1] + gr->n[2] + gr->n[3]), "confusion",
					       counts_json(gr->n), "metrics", rates_json(gr->rates, gr->auc, o->has_score),
					       "four_fifths", "ratio", num(ratio), "pass",
					       isnan(ratio) ? json_null() : json_boolean(pass));
			if (B) {
				json_t *ci = json_object();
				size_t gi = sec->first_global + g;
				for (int m = 0; m < FAIR_RATES; m++)
					json_object_set_new(ci, rate_names[m],
							    interval(boot + (gi * per_group + (size_t)m) * B, B,
								     o->confidence));
				json_object_set_new(jg, "ci", ci);
			}
			json_array_append_new(groups, jg);
		}
		double d[FAIR_DISPARITIES];
		fair_metrics_disparities(sel, tpr, fpr, sec->ngroups, d);
		size_t undefined[3] = { 0, 0, 0 };
		for (size_t g = 0; g < sec->ngroups; g++) {
			undefined[0] += isnan(sel[g]);
			undefined[1] += isnan(tpr[g]);
			undefined[2] += isnan(fpr[g]);
		}
		json_t *disp = json_object();
		for (int k = 0; k < FAIR_DISPARITIES; k++) {
			size_t left_out = k <= FAIR_DP_RATIO ? undefined[0]
					  : k <= FAIR_EO_RATIO ? (undefined[1] > undefined[2] ? undefined[1] : undefined[2])
							       : undefined[1];
			json_t *jd = json_pack("{s:o,s:I}", "value", num(d[k]), "groups_left_out", (json_int_t)left_out);
			if (B)
				json_object_set_new(jd, "ci",
						    interval(boot + (total_groups * per_group + s * per_section + (size_t)k) * B,
							     B, o->confidence));
			json_object_set_new(disp, disparity_names[k], jd);
		}
		json_t *favoured_label = json_null();
		if (ff_defined) {
			const struct group *gr = &sec->groups[favoured];
			json_decref(group_key(t, sec->members[gr->first], sec->columns, sec->ncolumns, &label));
			favoured_label = json_string(buf_str(&label));
		}
		json_t *jsec = json_pack("{s:o,s:I,s:o,s:o,s:{s:f,s:o,s:o,s:o}}", "by", by, "group_count",
					 (json_int_t)sec->ngroups, "groups", groups, "disparities", disp, "four_fifths",
					 "threshold", FAIR_FOUR_FIFTHS, "most_favoured", favoured_label, "min_ratio",
					 num(ff_defined ? min_ratio : NAN), "pass",
					 ff_defined ? json_boolean(ff_all) : json_null());
		free(sel);
		if (any_threshold) {
			json_t *jt = json_array();
			for (size_t k = 0; k < o->nthresholds; k++) {
				const struct fair_threshold *th = &o->thresholds[k];
				double v = threshold_value(jsec, th->metric);
				bool pass = !isnan(v) && (th->op > 0 ? v >= th->limit : v <= th->limit);
				all_pass = all_pass && pass;
				json_array_append_new(jt, json_pack("{s:s,s:s,s:f,s:o,s:b}", "metric", th->metric, "op",
								    th->op > 0 ? ">=" : "<=", "limit", th->limit,
								    "value", num(v), "pass", pass));
			}
			json_object_set_new(jsec, "thresholds", jt);
		}
		json_array_append_new(jsections, jsec);
	}
	json_object_set_new(report, "sections", jsections);
	jsections = NULL;
	json_object_set_new(report, "pass", any_threshold ? json_boolean(all_pass) : json_null());
	*out = report;
	report = NULL;
	goto out;
nomem:
	rc = err_set(e, AIMS_ENOMEM, "out of memory computing the metrics");
out:
	for (size_t s = 0; s < nsections; s++) {
		free(sections[s].members);
		free(sections[s].groups);
	}
	json_decref(report);
	json_decref(jsections);
	free(sorted);
	free(range_start);
	free(by_cell);
	free(tmp);
	free(hist);
	free(boot);
	free(streams);
	buf_release(&label);
	return rc;
}
