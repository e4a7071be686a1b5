/*
 * api_risks.c: /api/v1/orgs/{id}/risks (list with summary and matrix, create, CSV)
 * and /api/v1/risks/{id} (read, change, evidence links). Handlers translate HTTP to
 * svc calls; the rules live in svc/risks.c and model/risk.c.
 */
#include "http/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_risk_query(struct http_request *r, struct svc_risk_query *q)
{
	*q = (struct svc_risk_query){
		.org_id = r->ids[0], .q = http_query(r, "q"), .system = http_query(r, "system"),
		.status = http_query(r, "status"), .treatment = http_query(r, "treatment"),
		.source = http_query(r, "source"), .objective = http_query(r, "objective"),
		.level = http_query(r, "level"), .likelihood = http_query(r, "likelihood"),
		.impact = http_query(r, "impact"), .owner = http_query(r, "owner"),
		.overdue = http_query(r, "overdue"), .sort = http_query(r, "sort"), .order = http_query(r, "order"),
		.limit = http_query(r, "limit"), .offset = http_query(r, "offset"),
	};
}

HANDLER(api_risks_list)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	struct svc_risk_query q;
	api_risk_query(r, &q);
	if (svc_risk_list(r->store, &r->actor, &q, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

void api_risks_export(struct http_request *r, struct http_response *res, const char *format)
{
	struct err e = ERR_INIT;
	json_t *list = NULL;
	char *data = NULL, filename[64];
	size_t len = 0;
	bool xlsx = !strcmp(format, "xlsx");
	struct svc_risk_query q;
	api_risk_query(r, &q);
	if (svc_risk_export(r->store, &r->actor, &q, &list, &e) ||
	    (xlsx ? svc_risk_xlsx(list, r->locale, &data, &len, &e) : svc_risk_csv(list, &data, &len, &e))) {
		http_problem_err(res, &e);
	} else {
		snprintf(filename, sizeof filename, "risks-org%lld.%s", (long long)r->ids[0], format);
		api_attachment(res, xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
					 : "text/csv; charset=utf-8",
			       filename, data, len);
	}
	free(data);
	json_decref(list);
	err_release(&e);
}

HANDLER(api_risks_csv)
{
	api_risks_export(r, res, "csv");
}

HANDLER(api_risks_xlsx)
{
	api_risks_export(r, res, "xlsx");
}

HANDLER(api_risks_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	if (svc_risk_create(r->store, &r->actor, r->ids[0], body, &out, &e)) {
		http_problem_err(res, &e);
	} else {
		http_header_add(res, "Location", "/api/v1/risks/%lld", (long long)json_integer_value(json_object_get(out, "id")));
		api_send_versioned(res, 201, out);
	}
	json_decref(body);
	err_release(&e);
}

HANDLER(api_risk_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_risk_get(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		api_send_versioned(res, 200, out);
	err_release(&e);
}

HANDLER(api_risk_patch)
{
	api_patch_versioned(r, res, svc_risk_update);
}

HANDLER(api_risk_evidence_add)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	if (svc_risk_link_evidence(r->store, &r->actor, r->ids[0], body, &out, &e))
		http_problem_err(res, &e);
	else
		api_send_versioned(res, 201, out);
	json_decref(body);
	err_release(&e);
}

HANDLER(api_risk_evidence_delete)
{
	struct err e = ERR_INIT;
	if (svc_risk_unlink_evidence(r->store, &r->actor, r->ids[0], r->ids[1], &e))
		http_problem_err(res, &e);
	else
		http_text(res, 204, NULL, "", 0);
	err_release(&e);
}
