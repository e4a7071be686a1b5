/*
 * api_evidence.c: /api/v1/orgs/{id}/evidence (list, multipart upload) and
 * /api/v1/evidence/{id} (read, change, download, links). Handlers translate HTTP to
 * svc calls; the rules live in svc/evidence.c and model/evidence.c.
 *
 * Downloads are always attachments of type application/octet-stream under a sandbox
 * CSP, whatever type the uploader claimed, so a stored HTML or SVG file can never run
 * as a page of this origin. The file is re-hashed before it is sent: a changed file
 * is a 500 that says so, never the altered bytes.
 */
#include "http/api.h"
#include "http/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The evidence fields of a multipart form, as svc_evidence_create takes them. */
json_t *api_evidence_form_input(struct http_request *r)
{
	static const char *const names[] = { "title", "description", "issued_on", "valid_until",
					     "system_id", "catalog", "requirement", "risk_ids" };
	json_t *input = json_object();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = http_form(r, names[i]);
		if (v)
			json_object_set_new(input, names[i], json_string(v));
	}
	return input;
}

/* Problems of the upload itself, before svc sees it; true when one was written. */
bool api_evidence_upload_refused(struct http_request *r, struct http_response *res)
{
	if (r->upload_extra) {
		json_t *f = json_pack("[{ss ss}]", "field", "file", "message", "send exactly one file, in the part named \"file\"");
		http_problem(res, 400, "unexpected file part", f);
		json_decref(f);
		return true;
	}
	if (r->upload_err.code) {
		http_problem_err(res, &r->upload_err);
		return true;
	}
	return false;
}

void api_evidence_send_file(struct http_request *r, struct http_response *res, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *meta = NULL;
	int fd = -1;
	if (svc_evidence_open(r->store, &r->actor, &r->config->evidence, id, &fd, &meta, &e)) {
		http_problem_err(res, &e);
		err_release(&e);
		return;
	}
	const char *name = json_string_value(json_object_get(meta, "filename"));
	/* filename= gets an ASCII stand-in; filename*= (RFC 6266, RFC 8187) the real name. */
	struct buf ascii = BUF_INIT(1024), encoded = BUF_INIT(4096);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			     strchr("-._~", *p);
		if (*p < 0x80 || *p >= 0xC0) /* one stand-in per character, not per byte */
			buf_addch(&ascii, *p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\' ? (char)*p : '_');
		if (plain)
			buf_addch(&encoded, (char)*p);
		else
			buf_addf(&encoded, "%%%02X", *p);
	}
	res->status = 200;
	res->content_type = "application/octet-stream";
	res->file_fd = fd;
	res->file_size = (unsigned long long)json_integer_value(json_object_get(meta, "size_bytes"));
	res->sandbox = true;
	http_header_add(res, "Content-Disposition", "attachment; filename=\"%s\"; filename*=UTF-8''%s", buf_str(&ascii),
			buf_str(&encoded));
	http_header_add(res, "ETag", "\"%s\"", json_string_value(json_object_get(meta, "sha256")));
	http_header_add(res, "X-Evidence-SHA256", "%s", json_string_value(json_object_get(meta, "sha256")));
	buf_release(&ascii);
	buf_release(&encoded);
	json_decref(meta);
}

HANDLER(api_evidence_list)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	struct svc_evidence_query q = {
		.org_id = r->ids[0], .q = http_query(r, "q"), .state = http_query(r, "state"),
		.system_id = http_query(r, "system_id"), .catalog = http_query(r, "catalog"),
		.requirement = http_query(r, "requirement"), .limit = http_query(r, "limit"),
		.offset = http_query(r, "offset"),
	};
	if (svc_evidence_list(r->store, &r->actor, &q, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_evidence_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = NULL;
	if (api_evidence_upload_refused(r, res))
		return;
	input = api_evidence_form_input(r);
	if (svc_evidence_create(r->store, &r->actor, &r->config->evidence, r->ids[0], input, r->evidence_upload,
				&out, &e)) {
		http_problem_err(res, &e);
	} else {
		http_header_add(res, "Location", "/api/v1/evidence/%lld", (long long)json_integer_value(json_object_get(out, "id")));
		api_send_versioned(res, 201, out);
	}
	json_decref(input);
	err_release(&e);
}

HANDLER(api_evidence_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_evidence_get(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		api_send_versioned(res, 200, out);
	err_release(&e);
}

HANDLER(api_evidence_patch)
{
	api_patch_versioned(r, res, svc_evidence_update);
}

HANDLER(api_evidence_file)
{
	api_evidence_send_file(r, res, r->ids[0]);
}

HANDLER(api_evidence_link_add)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	if (svc_evidence_link_add(r->store, &r->actor, r->ids[0], body, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 201, json_pack("{so}", "links", out));
	json_decref(body);
	err_release(&e);
}

HANDLER(api_evidence_link_delete)
{
	struct err e = ERR_INIT;
	if (svc_evidence_link_delete(r->store, &r->actor, r->ids[0], r->ids[1], &e))
		http_problem_err(res, &e);
	else
		http_text(res, 204, NULL, "", 0);
	err_release(&e);
}

/* The fairness test fields of a multipart form (the names of `aims fair`'s options). */
static void fair_request_from_form(struct http_request *r, struct svc_fair_request *q)
{
	memset(q, 0, sizeof *q);
	q->y_true = http_form(r, "y-true");
	q->y_pred = http_form(r, "y-pred");
	q->sensitive = http_form(r, "sensitive");
	q->score = http_form(r, "score");
	q->positive = http_form(r, "positive");
	q->negative = http_form(r, "negative");
	q->thresholds = http_form(r, "thresholds");
	q->bootstrap = http_form(r, "bootstrap");
	q->seed = http_form(r, "seed");
	q->confidence = http_form(r, "confidence");
	/* Empty optional fields of an HTML form mean "not given". */
	const char **optional[] = { &q->score, &q->positive, &q->negative, &q->thresholds, &q->bootstrap, &q->seed,
				    &q->confidence };
	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
		if (*optional[i] && !**optional[i])
			*optional[i] = NULL;
	const char *skip = http_form(r, "skip-bad-rows");
	q->skip_bad_rows = skip && (!strcmp(skip, "1") || !strcmp(skip, "true") || !strcmp(skip, "on"));
}

int api_fair_attach(struct http_request *r, json_t **out, struct err *e)
{
	struct svc_fair_request q;
	if (r->upload_extra) {
		err_field_code(e, 0, "file", "one_file", -1, "send exactly one file, in the part named \"file\"");
		return err_set(e, AIMS_EINVAL, "unexpected file part");
	}
	if (r->upload_err.code)
		return err_set(e, r->upload_err.code, "%s", r->upload_err.message);
	fair_request_from_form(r, &q);
	return svc_fair_attach(r->store, &r->actor, &r->config->evidence, r->ids[0], &q, http_form(r, "title"),
			       http_form(r, "risk_ids"), r->evidence_upload, out, e);
}

HANDLER(api_fair_run_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (api_fair_attach(r, &out, &e)) {
		http_problem_err(res, &e);
	} else {
		http_header_add(res, "Location", "/api/v1/evidence/%lld",
				(long long)json_integer_value(json_object_get(json_object_get(out, "evidence"), "id")));
		http_json(res, 201, out);
	}
	err_release(&e);
}

HANDLER(api_evidence_report)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_fair_report(r->store, &r->actor, &r->config->evidence, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}
