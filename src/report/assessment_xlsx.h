/*
 * assessment_xlsx.h: a system's requirement assessment against one framework as an
 * XLSX workbook (report/xlsx.c).
 */
#ifndef AIMS_REPORT_ASSESSMENT_XLSX_H
#define AIMS_REPORT_ASSESSMENT_XLSX_H

#include "base/err.h"

#include <jansson.h>

/*
 * Writes list (an svc_assessment_list result) to a new workbook at path: one sheet, a
 * frozen header row with an autofilter, one row per assessable requirement, the result
 * cell coloured by status, titles and labels in locale ("ko" or "en").
 * Returns 0, or AIMS_EIO with libxlsxwriter's reason.
 */
int report_assessment_xlsx(json_t *list, const char *locale, const char *path, struct err *e);

#endif
