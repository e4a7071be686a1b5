/*
 * risk.h: the pure rules of the risk register (ISO/IEC 42001 6.1.2 and 6.1.3, with
 * ISO/IEC 23894:2023's vocabulary): validating a risk, its score (likelihood ×
 * impact on five levels each, 1–25), the level of a score and whether a risk is
 * overdue for review. No I/O, no store.
 */
#ifndef AIMS_MODEL_RISK_H
#define AIMS_MODEL_RISK_H

#include "base/err.h"
#include "model/record.h"

#include <jansson.h>
#include <stdbool.h>

#define RISK_SCORE_MAX 25

/* (index + 1) of likelihood × (index + 1) of impact, 1–25; 0 when either is not a code. */
int risk_score(const char *likelihood, const char *impact);
/* "low" (1–4), "medium" (5–9), "high" (10–16) or "critical" (17–25); NULL for 0. */
const char *risk_level(int score);
/* The scores of a level code, for filters; false when level is not a level. */
bool risk_level_range(const char *level, int *min, int *max);

/*
 * Validates input against record_risk and the register's rules; before (NULL on
 * create) supplies the fields not in input:
 * - review_date is a real date (YYYY-MM-DD) or empty;
 * - residual_likelihood and residual_impact are given together or not at all;
 * - status "accepted" needs the residual estimate (one accepts a residual risk);
 * - treatment modify, avoid or share needs a treatment_plan.
 * *fields: the normalised fields plus score (on create, or when likelihood or impact
 * changes) and residual_score (when either residual part changes; null when cleared).
 * Every problem is a field error naming its field.
 */
int risk_validate(json_t *input, enum record_mode mode, json_t *before, json_t **fields, struct err *e);

/* Adds level, residual_level (null without an estimate) and overdue (a review date
 * before today on a risk not closed) to a stored risk. today: YYYY-MM-DD. */
void risk_decorate(json_t *risk, const char *today);

#endif
