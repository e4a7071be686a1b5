/*
 * metrics.h: fairness metrics from the counts of a scan (fair/scan.h), as a JSON
 * report whose shape docs/fair-schema.json describes.
 *
 * Contract:
 * - A rate whose denominator is zero is undefined: NaN here, null in JSON; never 0.
 * - Disparities follow Fairlearn's "between_groups" definitions over the groups
 *   where the rate is defined (pandas' min/max skip NaN the same way); the report
 *   says how many groups were left out.
 * - Pure: no I/O. The returned JSON is a new reference owned by the caller.
 */
#ifndef AIMS_FAIR_METRICS_H
#define AIMS_FAIR_METRICS_H

#include "base/err.h"
#include "fair/scan.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum fair_rate {
	FAIR_BASE_RATE,
	FAIR_SELECTION_RATE,
	FAIR_TPR,
	FAIR_FPR,
	FAIR_TNR,
	FAIR_FNR,
	FAIR_PRECISION,
	FAIR_ACCURACY,
	FAIR_RATES,
};

enum fair_disparity {
	FAIR_DP_DIFFERENCE,
	FAIR_DP_RATIO,
	FAIR_EO_DIFFERENCE,
	FAIR_EO_RATIO,
	FAIR_EOPP_DIFFERENCE,
	FAIR_EOPP_RATIO,
	FAIR_DISPARITIES,
};

#define FAIR_FOUR_FIFTHS 0.8
#define FAIR_MAX_THRESHOLDS 16
#define FAIR_MAX_BOOTSTRAP 10000

/* JSON names: "selection_rate", "demographic_parity_difference", ... */
const char *fair_rate_name(int rate);
const char *fair_disparity_name(int disparity);

/* Rates from confusion counts n[t * 2 + p]; NaN where undefined. */
void fair_metrics_rates(const uint64_t n[4], double out[FAIR_RATES]);

/*
 * Disparities over k groups given their selection rate, TPR and FPR (NaN: left out).
 * out gets NaN where fewer than one group is defined or a ratio divides by zero.
 */
void fair_metrics_disparities(const double *selection, const double *tpr, const double *fpr, size_t k,
			      double out[FAIR_DISPARITIES]);

/*
 * Exact ROC AUC (ties count one half, as in scikit-learn) from distinct scores with
 * their negative and positive counts, sorted by score ascending; NaN without both
 * classes.
 */
double fair_metrics_auc(const double *scores, const uint64_t (*counts)[2], size_t n);

/* A pass/fail rule on a disparity (or "four_fifths_ratio", the smallest group ratio). */
struct fair_threshold {
	char metric[48];
	int op; /* +1: value >= limit passes; -1: value <= limit passes */
	double limit;
};

/* Parses "metric=value", "metric<=value" or "metric>=value"; "=" means <= for
 * differences and >= for ratios. 0 or AIMS_EINVAL with a message. */
int fair_threshold_parse(const char *text, struct fair_threshold *out, struct err *e);

struct fair_report_options {
	const char *const *sensitive_names; /* nsensitive header names */
	size_t nsensitive;
	bool has_score;
	int score_digits;
	int bootstrap;      /* replicates; 0: none */
	uint64_t seed;
	double confidence;  /* e.g. 0.95 */
	const struct fair_threshold *thresholds;
	size_t nthresholds;
};

/*
 * Builds the "overall", "sections" and "thresholds" parts of the report (and
 * "pass") from the joined table; the caller adds "input" and "options".
 */
int fair_metrics_report(const struct fair_table *t, const struct fair_report_options *o, json_t **out,
			struct err *e);

/* A seeded Poisson(lambda) variate (exposed for tests). state: a splitmix64 state. */
uint64_t fair_poisson(uint64_t *state, double lambda);

#endif
