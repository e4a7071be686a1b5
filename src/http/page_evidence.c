/*
 * page_evidence.c: the evidence pages: an organisation's evidence list (search,
 * state filter, pages of 50) with its upload form, one piece of evidence with its
 * download, metadata form, links (add, remove) and history. Server-rendered, no
 * JavaScript; every form carries _csrf. The upload form is multipart and streamed to
 * disk by the server (ROUTE_STREAM) before the handler runs.
 */
#include "http/api.h"
#include "http/server.h"
#include "http/web.h"
#include "model/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void label_state(const char *locale, json_t *ev)
{
	char key[48];
	snprintf(key, sizeof key, "evidence.state_%s", json_string_value(json_object_get(ev, "state")));
	json_object_set_new(ev, "state_label", json_string(web_string(locale, key)));
	web_time(ev, "created_at");
}

/* The systems of the organisation (and below) the reader may see, for the link select. */
static json_t *system_options(struct http_request *r, int64_t org_id, const char *selected)
{
	struct err e = ERR_INIT;
	json_t *list = NULL, *opts = json_array();
	struct svc_system_query q = { .org_id = org_id, .limit = 200, .status = "active" };
	if (svc_system_list(r->store, &r->actor, &q, &list, &e) == 0) {
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(list, "items"), i, s) {
			char id[24];
			snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(s, "id")));
			json_array_append_new(opts, json_pack("{ss sO sb}", "value", id, "label", json_object_get(s, "name"),
							      "selected", selected && !strcmp(selected, id)));
		}
	}
	json_decref(list);
	err_release(&e);
	return opts;
}

static void list_page(struct http_request *r, struct http_response *res, int status, const struct err *form_err)
{
	struct err e = ERR_INIT;
	json_t *list = NULL, *org = NULL;
	struct svc_evidence_query q = {
		.org_id = r->ids[0], .q = http_query(r, "q"), .state = http_query(r, "state"),
		.system_id = http_query(r, "system_id"), .catalog = http_query(r, "catalog"),
		.requirement = http_query(r, "requirement"), .offset = http_query(r, "offset"),
	};
	/* After a failed upload, the link the form carried stays as the filter. */
	if (form_err) {
		q.q = q.state = q.system_id = q.offset = NULL;
		q.catalog = http_form(r, "catalog");
		q.requirement = http_form(r, "requirement");
		if (!q.catalog || !*q.catalog || !q.requirement || !*q.requirement)
			q.catalog = q.requirement = NULL;
	}
	if (svc_evidence_list(r->store, &r->actor, &q, &list, &e) || svc_org_get(r->store, &r->actor, r->ids[0], &org, &e)) {
		web_error_page(r, res, &e);
		goto out;
	}
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
		label_state(r->locale, it);
	long long total = json_integer_value(json_object_get(list, "total"));
	long long offset = json_integer_value(json_object_get(list, "offset"));
	long long limit = json_integer_value(json_object_get(list, "limit"));
	json_t *ctx = web_context(r, "evidence.title");
	json_object_set_new(ctx, "org", org);
	org = NULL;
	json_object_set(ctx, "list", list);
	json_t *filter = json_pack("{ss ss ss ss}", "q", q.q ? q.q : "", "state", q.state ? q.state : "", "catalog",
				   q.catalog ? q.catalog : "", "requirement", q.requirement ? q.requirement : "");
	json_object_set_new(ctx, "filter", filter);
	static const char *const states[] = { "valid", "expired" };
	json_t *state_opts = json_array();
	for (int k = 0; k < 2; k++) {
		char key[48];
		snprintf(key, sizeof key, "evidence.state_%s", states[k]);
		json_array_append_new(state_opts, json_pack("{ss ss sb}", "value", states[k], "label", web_string(r->locale, key),
							    "selected", q.state && !strcmp(q.state, states[k])));
	}
	json_object_set_new(ctx, "states", state_opts);
	json_object_set_new(ctx, "shown_from", json_integer(total ? offset + 1 : 0));
	json_object_set_new(ctx, "shown_to", json_integer(offset + (long long)json_array_size(json_object_get(list, "items"))));
	if (offset > 0)
		json_object_set_new(ctx, "prev_offset", json_integer(offset > limit ? offset - limit : 0));
	if (offset + limit < total)
		json_object_set_new(ctx, "next_offset", json_integer(offset + limit));
	json_t *form = form_err ? api_evidence_form_input(r) : json_pack("{ss ss}", "catalog", q.catalog ? q.catalog : "",
										"requirement", q.requirement ? q.requirement : "");
	json_object_set_new(ctx, "systems", system_options(r, r->ids[0], json_string_value(json_object_get(form, "system_id"))));
	json_object_set_new(ctx, "form", form);
	json_object_set_new(ctx, "max_mb", json_integer((json_int_t)(r->config->evidence.max_bytes >> 20)));
	web_put_errors(ctx, r->locale, form_err);
	web_page(r, res, status, "evidence_list.html", ctx);
out:
	json_decref(list);
	json_decref(org);
	err_release(&e);
}

HANDLER(page_evidence_list)
{
	list_page(r, res, 200, NULL);
}

HANDLER(page_evidence_upload)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = NULL;
	if (r->upload_extra || r->upload_err.code) {
		if (r->upload_extra)
			err_field_code(&e, 0, "file", "one_file", -1, "send exactly one file");
		else
			err_field_code(&e, 0, "file", r->upload_err.code == AIMS_ETOOBIG ? "file_too_big" : "upload", -1, "%s",
				       r->upload_err.message);
		list_page(r, res, 422, &e);
		goto out;
	}
	input = api_evidence_form_input(r);
	if (svc_evidence_create(r->store, &r->actor, &r->config->evidence, r->ids[0], input, r->evidence_upload, &out, &e)) {
		if (e.code == AIMS_EINVAL || e.code == AIMS_ETOOBIG) {
			if (e.code == AIMS_ETOOBIG)
				err_field_code(&e, 0, "file", "file_too_big", (long)(r->config->evidence.max_bytes >> 20), "%s", e.message);
			list_page(r, res, http_status_of(e.code), &e);
		} else {
			web_error_page(r, res, &e);
		}
		goto out;
	}
	char location[64];
	snprintf(location, sizeof location, "/evidence/%lld", (long long)json_integer_value(json_object_get(out, "id")));
	web_flash(res, "flash.evidence_added");
	http_redirect(res, location);
out:
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

static void show_page(struct http_request *r, struct http_response *res, int status, const struct err *form_err)
{
	struct err e = ERR_INIT;
	json_t *ev = NULL;
	if (svc_evidence_get(r->store, &r->actor, r->ids[0], &ev, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	label_state(r->locale, ev);
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(ev, "history"), i, h)
		web_label_history_row(r->locale, h, "evidence.field_");
	json_t *ctx = web_context(r, "evidence.show_title");
	json_object_set_new(ctx, "title", json_copy(json_object_get(ev, "title")));
	json_t *form = form_err ? json_copy(r->form) : json_pack("{sO sO sO sO}", "title", json_object_get(ev, "title"),
								   "description", json_object_get(ev, "description"), "issued_on",
								   json_object_get(ev, "issued_on"), "valid_until",
								   json_object_get(ev, "valid_until"));
	json_object_set_new(ctx, "form", form);
	const char *kind = json_string_value(json_object_get(ev, "kind"));
	json_object_set_new(ctx, "is_fair_run", json_boolean(kind && !strcmp(kind, "fair_run")));
	json_object_set_new(ctx, "systems", system_options(r, json_integer_value(json_object_get(ev, "org_id")), NULL));
	json_object_set_new(ctx, "ev", ev);
	web_put_errors(ctx, r->locale, form_err);
	web_page(r, res, status, "evidence_show.html", ctx);
}

HANDLER(page_evidence_show)
{
	show_page(r, res, 200, NULL);
}

HANDLER(page_evidence_download)
{
	api_evidence_send_file(r, res, r->ids[0]);
	if (res->status >= 400)
		web_problem_as_page(r, res); /* a browser gets a page, not a problem document */
}

HANDLER(page_evidence_update)
{
	struct err e = ERR_INIT;
	json_t *input = json_object(), *out = NULL;
	static const char *const names[] = { "title", "description", "issued_on", "valid_until" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (http_form(r, names[i]))
			json_object_set_new(input, names[i], json_string(http_form(r, names[i])));
	int64_t version = 0; /* no version field: no check, as a PATCH without If-Match */
	int rc = web_form_int64(r, "version", 1, &version, &e);
	if (!rc)
		rc = svc_evidence_update(r->store, &r->actor, r->ids[0], input, version, &out, &e);
	char location[64];
	snprintf(location, sizeof location, "/evidence/%lld", (long long)r->ids[0]);
	web_form_done(r, res, rc, &e, show_page, "flash.saved", location);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_evidence_link_add)
{
	struct err e = ERR_INIT;
	json_t *input = json_object(), *out = NULL;
	static const char *const names[] = { "system_id", "catalog", "requirement" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (http_form(r, names[i]) && *http_form(r, names[i]))
			json_object_set_new(input, names[i], json_string(http_form(r, names[i])));
	int rc = svc_evidence_link_add(r->store, &r->actor, r->ids[0], input, &out, &e);
	char location[64];
	snprintf(location, sizeof location, "/evidence/%lld#links", (long long)r->ids[0]);
	web_form_done(r, res, rc, &e, show_page, "flash.saved", location);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_evidence_link_remove)
{
	struct err e = ERR_INIT;
	int rc = svc_evidence_link_delete(r->store, &r->actor, r->ids[0], r->ids[1], &e);
	char location[64];
	snprintf(location, sizeof location, "/evidence/%lld#links", (long long)r->ids[0]);
	web_form_done(r, res, rc, &e, NULL, "flash.saved", location);
	err_release(&e);
}

/* ---- fairness tests kept as evidence ---- */

/* The risks a run of system r->ids[0] may address, those in chosen ("1;2") ticked. */
static json_t *fair_risk_options(struct http_request *r, const char *chosen)
{
	struct err e = ERR_INIT;
	json_t *risks = NULL, *ticked = record_split_list(chosen);
	if (svc_risk_options(r->store, &r->actor, r->ids[0], &risks, &e))
		risks = json_array();
	size_t i, k;
	json_t *it, *t;
	json_array_foreach(risks, i, it) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
		bool on = false;
		json_array_foreach(ticked, k, t)
			on = on || !strcmp(json_string_value(t), id);
		json_object_set_new(it, "selected", json_boolean(on));
	}
	json_decref(ticked);
	err_release(&e);
	return risks;
}

static void fair_form_page(struct http_request *r, struct http_response *res, int status, const struct err *form_err)
{
	struct err e = ERR_INIT;
	json_t *sys = NULL;
	if (svc_system_get(r->store, &r->actor, r->ids[0], &sys, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	json_t *ctx = web_context(r, "fair.title");
	json_object_set_new(ctx, "risks", fair_risk_options(r, form_err ? http_form(r, "risk_ids") : NULL));
	json_object_set_new(ctx, "system", sys);
	json_object_set_new(ctx, "form", form_err ? json_copy(r->form) : json_pack("{ss ss}", "positive", "1", "thresholds",
										      "demographic_parity_ratio>=0.8"));
	json_object_set_new(ctx, "max_mb", json_integer((json_int_t)(r->config->evidence.max_bytes >> 20)));
	web_put_errors(ctx, r->locale, form_err);
	web_page(r, res, status, "fair_form.html", ctx);
}

HANDLER(page_fair_form)
{
	fair_form_page(r, res, 200, NULL);
}

HANDLER(page_fair_submit)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (api_fair_attach(r, &out, &e)) {
		if (e.code == AIMS_EINVAL || e.code == AIMS_ETOOBIG) {
			/* A problem without a field (a bad line of the CSV) goes to the file field. */
			if (!err_field_count(&e))
				err_field_code(&e, 0, "file", "fair_input", -1, "%s", e.message);
			fair_form_page(r, res, http_status_of(e.code), &e);
		} else {
			web_error_page(r, res, &e);
		}
	} else {
		char location[64];
		snprintf(location, sizeof location, "/evidence/%lld",
			 (long long)json_integer_value(json_object_get(json_object_get(out, "evidence"), "id")));
		web_flash(res, "flash.fair_saved");
		http_redirect(res, location);
	}
	json_decref(out);
	err_release(&e);
}

HANDLER(page_evidence_report)
{
	struct err e = ERR_INIT;
	json_t *report = NULL;
	if (svc_fair_report(r->store, &r->actor, &r->config->evidence, r->ids[0], &report, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	/* The report page is generated by us from the stored JSON and escapes every value;
	 * it is still served sandboxed, with only its own inline style allowed. */
	buf_reset(&res->body);
	svc_fair_render_html(report, &res->body);
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	res->sandbox = true;
	res->sandbox_styles = true;
	json_decref(report);
	err_release(&e);
}
