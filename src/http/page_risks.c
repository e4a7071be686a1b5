/*
 * page_risks.c: the risk register pages: an organisation's register (filters, the
 * 5 × 5 matrix whose cells filter the list, summary, pages of 50, CSV export), the
 * new-risk form, and one risk with its edit form, the evidence addressing it (link,
 * unlink) and its history. Server-rendered, no JavaScript; every form carries _csrf.
 * The rules live in svc/risks.c; these handlers only shape pages.
 */
#include "http/api.h"
#include "http/web.h"
#include "model/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields of the risk form; objectives is a checkbox group (joined with ';'). */
static const char *const form_names[] = {
	"title", "description", "system_id", "source", "consequences", "likelihood", "impact", "treatment",
	"treatment_plan", "residual_likelihood", "residual_impact", "owner_user_id", "review_date", "status",
};

/* The posted form as svc input: every field (empty ones clear), objectives as a list. */
static json_t *form_input(struct http_request *r)
{
	json_t *input = json_object();
	for (size_t i = 0; i < sizeof form_names / sizeof form_names[0]; i++) {
		const char *v = http_form(r, form_names[i]);
		if (v)
			json_object_set_new(input, form_names[i], json_string(v));
	}
	json_object_set_new(input, "objectives", record_split_list(http_form(r, "objectives")));
	return input;
}

/* Labels of the codes of a risk for display. */
static void label_risk(const char *locale, json_t *risk)
{
	static const struct {
		const char *field;
		const struct vocab *v;
	} coded[] = {
		{ "source", &vocab_risk_source },          { "likelihood", &vocab_risk_likelihood },
		{ "impact", &vocab_risk_impact },          { "treatment", &vocab_risk_treatment },
		{ "residual_likelihood", &vocab_risk_likelihood }, { "residual_impact", &vocab_risk_impact },
		{ "status", &vocab_risk_status },          { "level", &vocab_risk_level },
		{ "residual_level", &vocab_risk_level },
	};
	for (size_t i = 0; i < sizeof coded / sizeof coded[0]; i++) {
		const char *code = json_string_value(json_object_get(risk, coded[i].field));
		char key[48];
		snprintf(key, sizeof key, "%s_label", coded[i].field);
		if (code)
			json_object_set_new(risk, key, json_string(web_label(locale, coded[i].v, code)));
	}
	json_t *labels = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(risk, "objectives"), i, o)
		json_array_append_new(labels, json_string(web_label(locale, &vocab_risk_objective, json_string_value(o))));
	json_object_set_new(risk, "objective_labels", labels);
	web_time(risk, "updated_at");
}

/* [{value, label, selected}] of the active systems of the organisation (and below). */
static json_t *system_options(struct http_request *r, int64_t org_id, const char *selected)
{
	struct err e = ERR_INIT;
	json_t *list = NULL, *opts = json_array();
	struct svc_system_query q = { .org_id = org_id, .limit = 200, .status = "active", .sort = "name" };
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

static json_t *owner_options(struct http_request *r, int64_t org_id, const char *selected)
{
	struct err e = ERR_INIT;
	json_t *users = NULL, *opts = json_array();
	if (svc_risk_owner_options(r->store, &r->actor, org_id, &users, &e) == 0) {
		size_t i;
		json_t *u;
		json_array_foreach(users, i, u) {
			char id[24];
			snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(u, "id")));
			json_array_append_new(opts, json_pack("{ss sO sb}", "value", id, "label", json_object_get(u, "email"),
							      "selected", selected && !strcmp(selected, id)));
		}
	}
	json_decref(users);
	err_release(&e);
	return opts;
}

/* form[name] as text into out ("" when absent): ids arrive as numbers from a stored
 * risk and as text from a posted form. */
static void text_of(json_t *form, const char *name, char *out, size_t n)
{
	json_t *v = json_object_get(form, name);
	if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
	else
		snprintf(out, n, "%s", json_string_value(v) ?: "");
}

/* Everything the shared form partial (risk_fields.html) needs, from form values. */
static void put_form(struct http_request *r, json_t *ctx, json_t *form, int64_t org_id)
{
	json_t *objectives = json_object_get(form, "objectives");
	json_t *split = json_is_string(objectives) ? record_split_list(json_string_value(objectives)) : NULL;
	json_object_set_new(ctx, "sources", web_options(r->locale, &vocab_risk_source, json_object_get(form, "source")));
	json_object_set_new(ctx, "objectives", web_options(r->locale, &vocab_risk_objective, split ? split : objectives));
	json_object_set_new(ctx, "likelihoods", web_options(r->locale, &vocab_risk_likelihood, json_object_get(form, "likelihood")));
	json_object_set_new(ctx, "impacts", web_options(r->locale, &vocab_risk_impact, json_object_get(form, "impact")));
	json_object_set_new(ctx, "treatments", web_options(r->locale, &vocab_risk_treatment, json_object_get(form, "treatment")));
	json_object_set_new(ctx, "residual_likelihoods",
			    web_options(r->locale, &vocab_risk_likelihood, json_object_get(form, "residual_likelihood")));
	json_object_set_new(ctx, "residual_impacts",
			    web_options(r->locale, &vocab_risk_impact, json_object_get(form, "residual_impact")));
	json_object_set_new(ctx, "statuses", web_options(r->locale, &vocab_risk_status, json_object_get(form, "status")));
	char system[24], owner[24];
	text_of(form, "system_id", system, sizeof system);
	text_of(form, "owner_user_id", owner, sizeof owner);
	json_object_set_new(ctx, "systems", system_options(r, org_id, system));
	json_object_set_new(ctx, "owners", owner_options(r, org_id, owner));
	json_object_set(ctx, "form", form);
	json_decref(split);
}

/* ---- the register ---- */

/* The current filters, for the form and for links. */
static json_t *filter_of(const struct svc_risk_query *q)
{
	return json_pack("{ss ss ss ss ss ss ss ss ss}", "q", q->q ?: "", "system", q->system ?: "", "status", q->status ?: "",
			 "treatment", q->treatment ?: "", "level", q->level ?: "", "overdue", q->overdue ?: "", "sort",
			 q->sort ?: "", "likelihood", q->likelihood ?: "", "impact", q->impact ?: "");
}

/* The percent-encoded query of filter without the keys in drop (NULL-terminated), to
 * start a link that keeps what the reader chose: the exports and pages keep all of it,
 * a matrix cell replaces the cell, a level count replaces the level. */
static json_t *query_without(json_t *filter, const char *const *drop)
{
	json_t *kept = json_copy(filter);
	for (; drop && *drop; drop++)
		json_object_del(kept, *drop);
	char *qs = web_query_string(kept);
	json_t *out = json_string(qs ? qs : "");
	free(qs);
	json_decref(kept);
	return out;
}

static json_t *matrix_rows(const char *locale, json_t *cells, const struct svc_risk_query *q)
{
	/* cells come from the most likely row down, five per row (svc_risk_list). */
	json_t *rows = json_array(), *row = NULL;
	size_t i;
	json_t *c;
	json_array_foreach(cells, i, c) {
		if (i % 5 == 0) {
			row = json_pack("{ss so}", "label", web_label(locale, &vocab_risk_likelihood,
								      json_string_value(json_object_get(c, "likelihood"))),
					"cells", json_array());
			json_array_append_new(rows, row);
		}
		json_t *cell = json_copy(c);
		json_object_set_new(cell, "level_label", json_string(web_label(locale, &vocab_risk_level,
									      json_string_value(json_object_get(c, "level")))));
		json_object_set_new(cell, "chosen",
				    json_boolean(q->likelihood && q->impact &&
						 !strcmp(q->likelihood, json_string_value(json_object_get(c, "likelihood"))) &&
						 !strcmp(q->impact, json_string_value(json_object_get(c, "impact")))));
		json_array_append_new(json_object_get(row, "cells"), cell);
	}
	return rows;
}

static json_t *filter_options(const char *locale, const struct vocab *v, const char *selected)
{
	json_t *chosen = selected ? json_string(selected) : NULL;
	json_t *opts = web_options(locale, v, chosen);
	json_decref(chosen);
	return opts;
}

HANDLER(page_risks_list)
{
	struct err e = ERR_INIT;
	json_t *list = NULL, *org = NULL;
	struct svc_risk_query q;
	api_risk_query(r, &q);
	q.limit = NULL;
	if (svc_risk_list(r->store, &r->actor, &q, &list, &e) || svc_org_get(r->store, &r->actor, r->ids[0], &org, &e)) {
		web_error_page(r, res, &e);
		goto out;
	}
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
		label_risk(r->locale, it);
	long long total = json_integer_value(json_object_get(list, "total"));
	long long offset = json_integer_value(json_object_get(list, "offset"));
	long long limit = json_integer_value(json_object_get(list, "limit"));
	json_t *ctx = web_context(r, "risk.title");
	json_object_set_new(ctx, "org", org);
	org = NULL;
	json_t *matrix = json_object_get(list, "matrix");
	json_object_set_new(ctx, "inherent_rows", matrix_rows(r->locale, json_object_get(matrix, "inherent"), &q));
	json_object_set_new(ctx, "residual_rows", matrix_rows(r->locale, json_object_get(matrix, "residual"), &q));
	json_object_set_new(ctx, "impact_labels", web_options(r->locale, &vocab_risk_impact, NULL));
	json_object_set(ctx, "list", list);
	json_t *filter = filter_of(&q);
	static const char *const cell[] = { "likelihood", "impact", NULL };
	static const char *const level[] = { "likelihood", "impact", "level", "overdue", NULL };
	json_object_set_new(ctx, "query", query_without(filter, NULL));
	json_object_set_new(ctx, "query_cell", query_without(filter, cell));
	json_object_set_new(ctx, "query_level", query_without(filter, level));
	json_object_set_new(ctx, "filter", filter);
	json_object_set_new(ctx, "systems", system_options(r, r->ids[0], q.system));
	json_object_set_new(ctx, "statuses", filter_options(r->locale, &vocab_risk_status, q.status));
	json_object_set_new(ctx, "levels", filter_options(r->locale, &vocab_risk_level, q.level));
	json_object_set_new(ctx, "treatments", filter_options(r->locale, &vocab_risk_treatment, q.treatment));
	json_object_set_new(ctx, "system_none", json_boolean(q.system && !strcmp(q.system, "none")));
	static const char *const sorts[][2] = {
		{ "score", "risk.sort_score" }, { "review_date", "risk.field_review_date" },
		{ "updated_at", "field.updated_at" }, { "title", "risk.field_title" },
	};
	json_t *sort_opts = json_array();
	for (size_t k = 0; k < sizeof sorts / sizeof sorts[0]; k++)
		json_array_append_new(sort_opts, json_pack("{ss ss sb}", "value", sorts[k][0], "label",
							   web_string(r->locale, sorts[k][1]), "selected",
							   q.sort && !strcmp(q.sort, sorts[k][0])));
	json_object_set_new(ctx, "sorts", sort_opts);
	json_object_set_new(ctx, "overdue_checked", json_boolean(q.overdue && !strcmp(q.overdue, "true")));
	json_object_set_new(ctx, "cell_chosen", json_boolean(q.likelihood && q.impact));
	json_object_set_new(ctx, "shown_from", json_integer(total ? offset + 1 : 0));
	json_object_set_new(ctx, "shown_to", json_integer(offset + (long long)json_array_size(json_object_get(list, "items"))));
	if (offset > 0)
		json_object_set_new(ctx, "prev_offset", json_integer(offset > limit ? offset - limit : 0));
	if (offset + limit < total)
		json_object_set_new(ctx, "next_offset", json_integer(offset + limit));
	web_page(r, res, 200, "risks.html", ctx);
out:
	json_decref(list);
	json_decref(org);
	err_release(&e);
}

static void page_export(struct http_request *r, struct http_response *res, const char *format)
{
	api_risks_export(r, res, format);
	if (res->status >= 400)
		web_problem_as_page(r, res); /* a browser gets a page, not a problem document */
}

HANDLER(page_risks_csv)
{
	page_export(r, res, "csv");
}

HANDLER(page_risks_xlsx)
{
	page_export(r, res, "xlsx");
}

/* ---- new risk ---- */

static void new_page(struct http_request *r, struct http_response *res, int status, const struct err *form_err)
{
	struct err e = ERR_INIT;
	json_t *org = NULL, *form = NULL;
	if (svc_org_get(r->store, &r->actor, r->ids[0], &org, &e) ||
	    (!svc_risk_can_add(&r->actor, org) &&
	     err_set(&e, AIMS_EFORBIDDEN, "%s", web_string(r->locale, "error.forbidden")))) {
		web_error_page(r, res, &e);
		json_decref(org);
		err_release(&e);
		return;
	}
	json_t *ctx = web_context(r, "risk.new_title");
	if (form_err) {
		form = json_copy(r->form);
	} else {
		const char *system = http_query(r, "system_id");
		form = json_pack("{ss ss ss ss ss}", "source", "other", "treatment", "undecided", "status", "open",
				 "likelihood", "possible", "impact", "moderate");
		if (system)
			json_object_set_new(form, "system_id", json_string(system));
	}
	put_form(r, ctx, form, r->ids[0]);
	json_object_set_new(ctx, "org", org);
	web_put_errors(ctx, r->locale, form_err);
	web_page(r, res, status, "risk_new.html", ctx);
	json_decref(form);
}

HANDLER(page_risk_new)
{
	new_page(r, res, 200, NULL);
}

HANDLER(page_risk_create)
{
	struct err e = ERR_INIT;
	json_t *input = form_input(r), *out = NULL;
	/* An empty select means "not set" on a new risk. */
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(input, tmp, key, v)
		if (json_is_string(v) && !json_string_length(v))
			json_object_del(input, key);
	if (svc_risk_create(r->store, &r->actor, r->ids[0], input, &out, &e)) {
		if (e.code == AIMS_EINVAL)
			new_page(r, res, 422, &e);
		else
			web_error_page(r, res, &e);
	} else {
		char location[64];
		snprintf(location, sizeof location, "/risks/%lld", (long long)json_integer_value(json_object_get(out, "id")));
		web_flash(res, "flash.risk_added");
		http_redirect(res, location);
	}
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

/* ---- one risk ---- */

/* The organisation's evidence the reader may link, newest first (at most 200). */
static json_t *evidence_options(struct http_request *r, int64_t org_id, json_t *linked)
{
	struct err e = ERR_INIT;
	json_t *list = NULL, *opts = json_array();
	struct svc_evidence_query q = { .org_id = org_id, .limit = "200" };
	if (svc_evidence_list(r->store, &r->actor, &q, &list, &e) == 0) {
		size_t i, k;
		json_t *ev, *l;
		json_array_foreach(json_object_get(list, "items"), i, ev) {
			bool already = false;
			json_array_foreach(linked, k, l)
				already = already || json_equal(json_object_get(l, "evidence_id"), json_object_get(ev, "id"));
			if (!already)
				json_array_append_new(opts, json_pack("{sO sO}", "value", json_object_get(ev, "id"), "label",
								      json_object_get(ev, "title")));
		}
	}
	json_decref(list);
	err_release(&e);
	return opts;
}

/*
 * The options list only active systems (at most 200): a risk of an archived system,
 * or of one past the list, gets its system added, so saving the form unchanged never
 * detaches the risk from it.
 */
static void keep_current_system(json_t *ctx, json_t *risk, json_t *form)
{
	json_t *options = json_object_get(ctx, "systems");
	int64_t current = json_integer_value(json_object_get(risk, "system_id"));
	char id[24], chosen[24];
	if (current <= 0)
		return;
	snprintf(id, sizeof id, "%lld", (long long)current);
	text_of(form, "system_id", chosen, sizeof chosen);
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "value")), id))
			return;
	json_array_append_new(options, json_pack("{ss sO sb}", "value", id, "label", json_object_get(risk, "system_name"),
						 "selected", !strcmp(chosen, id)));
}

static void show_page(struct http_request *r, struct http_response *res, int status, const struct err *form_err)
{
	struct err e = ERR_INIT;
	json_t *risk = NULL, *form = NULL;
	if (svc_risk_get(r->store, &r->actor, r->ids[0], &risk, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	label_risk(r->locale, risk);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(risk, "evidence"), i, it) {
		char key[48];
		snprintf(key, sizeof key, "evidence.state_%s", json_string_value(json_object_get(it, "state")));
		json_object_set_new(it, "state_label", json_string(web_string(r->locale, key)));
	}
	json_array_foreach(json_object_get(risk, "history"), i, it)
		web_label_history_row(r->locale, it, "risk.field_");
	json_t *ctx = web_context(r, "risk.show_title");
	json_object_set_new(ctx, "title", json_copy(json_object_get(risk, "title")));
	int64_t org_id = json_integer_value(json_object_get(risk, "org_id"));
	if (form_err) {
		form = json_copy(r->form);
	} else {
		form = json_object();
		for (size_t k = 0; k < sizeof form_names / sizeof form_names[0]; k++)
			json_object_set(form, form_names[k], json_object_get(risk, form_names[k]));
		json_object_set(form, "objectives", json_object_get(risk, "objectives"));
	}
	if (json_is_true(json_object_get(risk, "can_edit"))) {
		put_form(r, ctx, form, org_id);
		keep_current_system(ctx, risk, form);
		json_object_set_new(ctx, "evidence_options", evidence_options(r, org_id, json_object_get(risk, "evidence")));
	}
	json_object_set_new(ctx, "risk", risk);
	web_put_errors(ctx, r->locale, form_err);
	web_page(r, res, status, "risk_show.html", ctx);
	json_decref(form);
}

HANDLER(page_risk_show)
{
	show_page(r, res, 200, NULL);
}

HANDLER(page_risk_update)
{
	struct err e = ERR_INIT;
	json_t *input = form_input(r), *out = NULL;
	int64_t version = 0; /* no version field: no check, as a PATCH without If-Match */
	int rc = web_form_int64(r, "version", 1, &version, &e);
	if (!rc)
		rc = svc_risk_update(r->store, &r->actor, r->ids[0], input, version, &out, &e);
	char location[64];
	snprintf(location, sizeof location, "/risks/%lld", (long long)r->ids[0]);
	web_form_done(r, res, rc, &e, show_page, "flash.saved", location);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_risk_evidence_add)
{
	struct err e = ERR_INIT;
	json_t *input = json_pack("{ss}", "evidence_id", http_form(r, "evidence_id") ?: ""), *out = NULL;
	int rc = svc_risk_link_evidence(r->store, &r->actor, r->ids[0], input, &out, &e);
	char location[64];
	snprintf(location, sizeof location, "/risks/%lld#evidence", (long long)r->ids[0]);
	web_form_done(r, res, rc, &e, show_page, "flash.saved", location);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_risk_evidence_remove)
{
	struct err e = ERR_INIT;
	int rc = svc_risk_unlink_evidence(r->store, &r->actor, r->ids[0], r->ids[1], &e);
	char location[64];
	snprintf(location, sizeof location, "/risks/%lld#evidence", (long long)r->ids[0]);
	web_form_done(r, res, rc, &e, NULL, "flash.saved", location);
	err_release(&e);
}
