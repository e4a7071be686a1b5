/*
 * risk_xlsx.h: an organisation's risk register as an XLSX workbook (report/xlsx.c).
 */
#ifndef AIMS_REPORT_RISK_XLSX_H
#define AIMS_REPORT_RISK_XLSX_H

#include "base/err.h"

#include <jansson.h>

/*
 * Writes risks (an array of decorated risks, as svc_risk_export gives them) to a new
 * workbook at path: one sheet, a frozen header row with an autofilter, one row per
 * risk, the level cells coloured by level and an overdue review date in red; labels in
 * locale ("ko" or "en"). Returns 0, or AIMS_EIO with libxlsxwriter's reason.
 */
int report_risk_xlsx(json_t *risks, const char *locale, const char *path, struct err *e);

#endif
