/*
 * report.h: renders a fairness report (the JSON of fair/metrics.c plus svc's
 * "input" and "options") as terminal text or as one self-contained HTML page.
 *
 * Contract: output is appended to a capped buf; every piece of user data (file,
 * column and group names) is HTML-escaped in the page; the text form may contain
 * any byte of the names, so a terminal front end must filter control characters.
 * Pure: no I/O.
 */
#ifndef AIMS_FAIR_REPORT_H
#define AIMS_FAIR_REPORT_H

#include "base/buf.h"

#include <jansson.h>

int fair_report_text(json_t *report, struct buf *out);
int fair_report_html(json_t *report, struct buf *out);

#endif
