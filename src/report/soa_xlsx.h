/*
 * soa_xlsx.h: the Statement of Applicability as an XLSX workbook (libxlsxwriter).
 */
#ifndef AIMS_REPORT_SOA_XLSX_H
#define AIMS_REPORT_SOA_XLSX_H

#include "base/err.h"

#include <jansson.h>

/*
 * Writes soa (an svc_soa_get result) to a new workbook at path: one sheet, a frozen
 * header row with an autofilter, one row per control, the status cell coloured,
 * titles and labels in locale ("ko" or "en"; labels from the embedded web/i18n).
 * Returns 0, or AIMS_EIO with libxlsxwriter's reason.
 */
int report_soa_xlsx(json_t *soa, const char *locale, const char *path, struct err *e);

#endif
