/*
 * api_compliance.c: /api/v1/orgs/{id}/soa (the Statement of Applicability, its CSV
 * and XLSX exports, one control's entry) and /api/v1/systems/{id}/frameworks and
 * /assessments (with its .xlsx and .csv exports). Handlers translate HTTP to svc calls
 * and svc errors to problem documents; the rules live in svc/compliance.c and
 * model/compliance.c.
 */
#include "http/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_bad_if_match(struct http_response *res)
{
	json_t *f = json_pack("[{ss ss}]", "field", "If-Match", "message", "must be an ETag this server gave out");
	http_problem(res, 400, "bad If-Match header", f);
	json_decref(f);
}

void api_attachment(struct http_response *res, const char *type, const char *filename, const char *data,
		    size_t len)
{
	http_text(res, 200, type, data, len);
	http_header_add(res, "Content-Disposition", "attachment; filename=\"%s\"", filename);
}

void api_send_versioned(struct http_response *res, int status, json_t *obj)
{
	http_header_add(res, "ETag", "\"%lld\"", (long long)json_integer_value(json_object_get(obj, "version")));
	http_json(res, status, obj);
}

void api_patch_versioned(struct http_request *r, struct http_response *res, api_update_fn *update)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = NULL;
	int64_t version = api_if_match(r);
	if (version < 0) {
		api_bad_if_match(res);
		return;
	}
	if (!(body = http_json_body(r, res)))
		return;
	if (update(r->store, &r->actor, r->ids[0], body, version, &out, &e))
		http_problem_err(res, &e);
	else
		api_send_versioned(res, 200, out);
	json_decref(body);
	err_release(&e);
}

void api_soa_export(struct http_request *r, struct http_response *res, const char *format)
{
	struct err e = ERR_INIT;
	json_t *soa = NULL;
	char *data = NULL;
	size_t len = 0;
	char name[64];
	bool xlsx = !strcmp(format, "xlsx");
	if (svc_soa_get(r->store, &r->actor, r->ids[0], http_query(r, "status"), &soa, &e) ||
	    (xlsx ? svc_soa_xlsx(soa, r->locale, &data, &len, &e) : svc_soa_csv(soa, r->locale, &data, &len, &e))) {
		http_problem_err(res, &e);
	} else {
		snprintf(name, sizeof name, "aims-soa-org%lld.%s", (long long)r->ids[0], xlsx ? "xlsx" : "csv");
		api_attachment(res, xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
					 : "text/csv; charset=utf-8",
			       name, data, len);
	}
	free(data);
	json_decref(soa);
	err_release(&e);
}

/* Catalog ids are built-in ([a-z0-9.-]); anything else still cannot break the header. */
static void safe_name_part(const char *in, char *out, size_t n)
{
	size_t k = 0;
	for (; in && in[k] && k + 1 < n; k++) {
		char c = in[k];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '-';
		out[k] = ok ? c : '_';
	}
	out[k] = '\0';
}

void api_assessment_export(struct http_request *r, struct http_response *res, const char *format)
{
	struct err e = ERR_INIT;
	json_t *list = NULL;
	char *data = NULL;
	size_t len = 0;
	char name[160], catalog[65];
	bool xlsx = !strcmp(format, "xlsx");
	if (svc_assessment_list(r->store, &r->actor, r->ids[0], http_query(r, "catalog"), &list, &e) ||
	    (xlsx ? svc_assessment_xlsx(list, r->locale, &data, &len, &e)
		  : svc_assessment_csv(list, r->locale, &data, &len, &e))) {
		http_problem_err(res, &e);
	} else {
		safe_name_part(json_string_value(json_object_get(list, "catalog_id")), catalog, sizeof catalog);
		snprintf(name, sizeof name, "aims-assessment-system%lld-%s.%s", (long long)r->ids[0], catalog,
			 xlsx ? "xlsx" : "csv");
		api_attachment(res, xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
					 : "text/csv; charset=utf-8",
			       name, data, len);
	}
	free(data);
	json_decref(list);
	err_release(&e);
}

HANDLER(api_soa_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	const char *format = http_query(r, "format");
	if (format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx")) {
		json_t *f = json_pack("[{ss ss}]", "field", "format", "message", "must be json, csv or xlsx");
		http_problem(res, 400, "invalid query parameters", f);
		json_decref(f);
		return;
	}
	if (format && strcmp(format, "json")) {
		api_soa_export(r, res, format);
		return;
	}
	if (svc_soa_get(r->store, &r->actor, r->ids[0], http_query(r, "status"), &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_soa_xlsx)
{
	api_soa_export(r, res, "xlsx");
}

HANDLER(api_soa_entry)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_soa_entry(r->store, &r->actor, r->ids[0], r->key, &out, &e))
		http_problem_err(res, &e);
	else
		api_send_versioned(res, 200, out);
	err_release(&e);
}

HANDLER(api_soa_patch)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = NULL;
	int64_t version = api_if_match(r);
	if (version < 0) {
		api_bad_if_match(res);
		return;
	}
	if (!(body = http_json_body(r, res)))
		return;
	if (svc_soa_set(r->store, &r->actor, r->ids[0], r->key, body, version, &out, &e))
		http_problem_err(res, &e);
	else
		api_send_versioned(res, 200, out);
	json_decref(body);
	err_release(&e);
}

HANDLER(api_frameworks_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_framework_list(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_frameworks_put)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	if (svc_framework_set(r->store, &r->actor, r->ids[0], body, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	json_decref(body);
	err_release(&e);
}

HANDLER(api_assessments_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_assessment_list(r->store, &r->actor, r->ids[0], http_query(r, "catalog"), &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_assessment_patch)
{
	api_patch_versioned(r, res, svc_assessment_set);
}

HANDLER(api_assessments_xlsx)
{
	api_assessment_export(r, res, "xlsx");
}

HANDLER(api_assessments_csv)
{
	api_assessment_export(r, res, "csv");
}
