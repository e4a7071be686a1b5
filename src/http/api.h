/*
 * api.h: helpers shared by the JSON API handler files.
 */
#ifndef AIMS_HTTP_API_H
#define AIMS_HTTP_API_H

#include "http/handlers.h"
#include "svc/svc.h"

/* Reads the list filters from the query string; writes a 400 and returns -1 when bad. */
int api_system_query(struct http_request *r, struct svc_system_query *q, struct http_response *res);

/* If-Match: "3" or 3 → 3; absent → 0; anything else → -1. */
int64_t api_if_match(struct http_request *r);
/* Writes the 400 of a bad If-Match header. */
void api_bad_if_match(struct http_response *res);
/* Answers obj (which has "version") as JSON with status and its ETag. Takes obj. */
void api_send_versioned(struct http_response *res, int status, json_t *obj);
/* A svc use case that changes object id, refusing when expected_version (> 0) differs. */
typedef int api_update_fn(struct store *s, const struct actor *a, int64_t id, json_t *input,
			  int64_t expected_version, json_t **out, struct err *e);
/* PATCH of object r->ids[0]: If-Match (400 when bad), a JSON body, update, and the
 * changed object with its ETag. */
void api_patch_versioned(struct http_request *r, struct http_response *res, api_update_fn *update);
/* Sends bytes as a download: Content-Type type, Content-Disposition attachment; filename. */
void api_attachment(struct http_response *res, const char *type, const char *filename, const char *data,
		    size_t len);
/* The SoA export of organisation r->ids[0] as "csv" or "xlsx" (titles in r->locale). */
void api_soa_export(struct http_request *r, struct http_response *res, const char *format);
/* A system's assessment (?catalog=) as an XLSX or CSV attachment; shared with the pages. */
void api_assessment_export(struct http_request *r, struct http_response *res, const char *format);

/* Evidence (api_evidence.c), shared with the evidence pages: the fields of an upload
 * form; a 400 for a refused upload (true when written); sending the verified file. */
json_t *api_evidence_form_input(struct http_request *r);
bool api_evidence_upload_refused(struct http_request *r, struct http_response *res);
void api_evidence_send_file(struct http_request *r, struct http_response *res, int64_t id);
/* Runs the fairness test of a streamed multipart form on system r->ids[0] (svc_fair_attach). */
int api_fair_attach(struct http_request *r, json_t **out, struct err *e);
/* Risks (api_risks.c), shared with the risk pages: the list filters of the query
 * string of organisation r->ids[0]; the export of what they match ("csv" or "xlsx"). */
void api_risk_query(struct http_request *r, struct svc_risk_query *q);
void api_risks_export(struct http_request *r, struct http_response *res, const char *format);

#endif
