/*
 * page_compliance.c: the Statement of Applicability pages of an organisation (the
 * table grouped by Annex A objective, filters, one control's page with its edit
 * form, crosswalk links and history, CSV and XLSX downloads) and the assessment page
 * of an AI system (framework choice, one form per requirement, XLSX and CSV downloads).
 * Server-rendered, no JavaScript; every form carries _csrf (checked by the server for
 * ROUTE_FORM).
 */
#include "http/api.h"
#include "http/web.h"
#include "model/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *in_locale(json_t *pair, const char *locale)
{
	const char *t = json_string_value(json_object_get(pair, locale));
	return t ? t : json_string_value(json_object_get(pair, strcmp(locale, "ko") ? "ko" : "en"));
}

/* Adds the labels a row of the SoA table shows. */
static void label_entry(const char *locale, json_t *it)
{
	json_object_set_new(it, "title_text", json_string(in_locale(json_object_get(it, "title"), locale)));
	json_object_set_new(it, "status_label",
			    json_string(web_label(locale, &vocab_soa_status, json_string_value(json_object_get(it, "status")))));
}

static json_t *status_options(const char *locale, const char *selected)
{
	json_t *opts = json_array();
	for (int i = 0; vocab_soa_status.codes[i]; i++)
		json_array_append_new(opts, json_pack("{ss ss sb}", "value", vocab_soa_status.codes[i], "label",
						      web_label(locale, &vocab_soa_status, vocab_soa_status.codes[i]),
						      "selected", selected && !strcmp(selected, vocab_soa_status.codes[i])));
	return opts;
}

HANDLER(page_soa)
{
	struct err e = ERR_INIT;
	json_t *soa = NULL;
	const char *status = http_query(r, "status");
	if (svc_soa_get(r->store, &r->actor, r->ids[0], status, &soa, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	/* Group rows by objective (A.2 ... A.10) in catalog order. */
	json_t *groups = json_array(), *current = NULL;
	const char *current_id = "";
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(soa, "items"), i, it) {
		const char *g = json_string_value(json_object_get(it, "group"));
		label_entry(r->locale, it);
		if (!current || strcmp(current_id, g ? g : "")) {
			current = json_pack("{ss? s:s? s[]}", "id", g, "title",
					    in_locale(json_object_get(it, "group_title"), r->locale), "items");
			json_array_append_new(groups, current);
			current_id = g ? g : "";
		}
		json_array_append(json_object_get(current, "items"), it);
	}
	json_t *filters = status_options(r->locale, status);
	static const char *const extra[] = { "excluded", "overdue", "no_evidence", "expired_evidence" };
	for (int k = 0; k < 4; k++) {
		char key[48];
		snprintf(key, sizeof key, "soa.filter_%s", extra[k]);
		json_array_append_new(filters, json_pack("{ss ss sb}", "value", extra[k], "label", web_string(r->locale, key),
							 "selected", status && !strcmp(status, extra[k])));
	}
	json_t *ctx = web_context(r, "soa.title");
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "filters", filters);
	json_object_set_new(ctx, "status", json_string(status ? status : ""));
	json_object_set(ctx, "soa", soa);
	json_object_set_new(ctx, "catalog_title_text", json_string(in_locale(json_object_get(soa, "catalog_title"), r->locale)));
	web_page(r, res, 200, "soa.html", ctx);
	json_decref(soa);
	err_release(&e);
}

HANDLER(page_soa_xlsx)
{
	api_soa_export(r, res, "xlsx");
}

HANDLER(page_soa_csv)
{
	api_soa_export(r, res, "csv");
}

/* The control's page; values/e given after a failed save show what was typed. */
static void control_page(struct http_request *r, struct http_response *res, int status, json_t *values,
			 const struct err *form_err)
{
	struct err e = ERR_INIT;
	json_t *entry = NULL, *users = NULL;
	if (svc_soa_entry(r->store, &r->actor, r->ids[0], r->key, &entry, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	label_entry(r->locale, entry);
	json_object_set_new(entry, "description_text", json_string(in_locale(json_object_get(entry, "description"), r->locale)));
	json_t *v = values ? values : entry;
	const char *st = json_string_value(json_object_get(v, "status"));
	json_t *app = json_object_get(v, "applicable");
	bool applicable = values ? !(json_is_string(app) && !strcmp(json_string_value(app), "no")) : json_is_true(app);
	/* Owners: who the save accepts (a role here or above), plus the current owner even
	 * if they no longer qualify, so saving another field never clears the owner. */
	json_t *owners = json_array();
	json_t *owner_sel = json_object_get(v, "owner_user_id");
	int64_t owner = json_integer_value(owner_sel);
	if (json_is_string(owner_sel)) /* a form shown again: the update parsed it already */
		web_parse_int64(r->locale, "owner_user_id", json_string_value(owner_sel), 1, &owner, NULL);
	long long current = json_integer_value(json_object_get(entry, "owner_user_id"));
	bool current_listed = current == 0;
	if (svc_soa_owner_options(r->store, &r->actor, r->ids[0], &users, &e) == 0) {
		size_t i;
		json_t *u;
		json_array_foreach(users, i, u) {
			long long id = json_integer_value(json_object_get(u, "id"));
			current_listed |= id == current;
			json_array_append_new(owners, json_pack("{sI sO sb}", "value", (json_int_t)id, "label",
								json_object_get(u, "email"), "selected", id == owner));
		}
	}
	if (!current_listed && json_boolean_value(json_object_get(entry, "can_edit")))
		json_array_append_new(owners, json_pack("{sI sO sb}", "value", (json_int_t)current, "label",
							json_object_get(entry, "owner_email"), "selected", current == owner));
	err_release(&e);
	json_decref(users);
	size_t i;
	json_t *link;
	json_array_foreach(json_object_get(entry, "links"), i, link) {
		json_object_set_new(link, "rationale_text", json_string(in_locale(json_object_get(link, "rationale"), r->locale) ?: ""));
		char key[64];
		snprintf(key, sizeof key, "soa.relation_%s", json_string_value(json_object_get(link, "relation")));
		json_object_set_new(link, "relation_label", json_string(web_string(r->locale, key)));
	}
	json_t *ev;
	json_array_foreach(json_object_get(entry, "evidence"), i, ev) {
		char key[48];
		snprintf(key, sizeof key, "evidence.state_%s", json_string_value(json_object_get(ev, "state")));
		json_object_set_new(ev, "state_label", json_string(web_string(r->locale, key)));
	}
	json_t *h;
	json_array_foreach(json_object_get(entry, "history"), i, h)
		web_label_history_row(r->locale, h, "soa.field_");
	json_t *ctx = web_context(r, "soa.control_title");
	json_object_set_new(ctx, "title", json_sprintf("%s %s", r->key, json_string_value(json_object_get(entry, "title_text"))));
	json_object_set_new(ctx, "statuses", status_options(r->locale, st));
	json_object_set_new(ctx, "owners", owners);
	json_object_set_new(ctx, "form", json_pack("{sb sO sO}", "applicable", applicable, "justification",
						   json_object_get(v, "justification") ?: json_string(""), "due_date",
						   json_object_get(v, "due_date") ?: json_null()));
	json_object_set_new(ctx, "entry", entry);
	web_put_errors(ctx, r->locale, form_err);
	web_page(r, res, status, "soa_control.html", ctx);
}

HANDLER(page_soa_control)
{
	control_page(r, res, 200, NULL, NULL);
}

HANDLER(page_soa_control_update)
{
	struct err e = ERR_INIT;
	json_t *input = json_object(), *out = NULL;
	const char *app = http_form(r, "applicable"), *owner = http_form(r, "owner_user_id");
	static const char *const texts[] = { "justification", "status", "due_date" };
	if (app)
		json_object_set_new(input, "applicable", json_boolean(strcmp(app, "no") != 0));
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (http_form(r, texts[i]))
			json_object_set_new(input, texts[i], json_string(http_form(r, texts[i])));
	if (http_form(r, "reviewed"))
		json_object_set_new(input, "reviewed", json_true());
	/* The page sends version 0 for a control without an entry yet: then it must still
	 * have none (someone may have made it meanwhile). No version field: no check. */
	int64_t version = 0, owner_id = 0;
	int rc = web_form_int64(r, "version", 0, &version, &e);
	if (!rc && version == 0 && http_form(r, "version"))
		version = SVC_VERSION_ABSENT;
	/* An empty owner select clears the owner; anything else must be a user id. */
	if (!rc && owner && *owner)
		rc = web_form_int64(r, "owner_user_id", 1, &owner_id, &e);
	if (!rc && owner)
		json_object_set_new(input, "owner_user_id", owner_id ? json_integer(owner_id) : json_null());
	if (!rc)
		rc = svc_soa_set(r->store, &r->actor, r->ids[0], r->key, input, version, &out, &e);
	if (rc && (e.code == AIMS_EINVAL || e.code == AIMS_ECONFLICT)) {
		control_page(r, res, http_status_of(e.code), r->form, &e);
	} else if (rc) {
		web_error_page(r, res, &e);
	} else {
		char location[128];
		snprintf(location, sizeof location, "/orgs/%lld/soa#c-%s", (long long)r->ids[0], r->key);
		web_flash(res, "flash.saved");
		http_redirect(res, location);
	}
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_assessments)
{
	struct err e = ERR_INIT;
	json_t *fw = NULL, *list = NULL, *sys = NULL;
	if (svc_system_get(r->store, &r->actor, r->ids[0], &sys, &e) ||
	    svc_framework_list(r->store, &r->actor, r->ids[0], &fw, &e)) {
		web_error_page(r, res, &e);
		goto out;
	}
	const char *catalog = http_query(r, "catalog");
	json_t *chosen = json_object_get(fw, "frameworks");
	if ((!catalog || !*catalog) && json_array_size(chosen))
		catalog = json_string_value(json_object_get(json_array_get(chosen, 0), "catalog_id"));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(fw, "available"), i, c) {
		bool on = false;
		size_t k;
		json_t *f;
		json_array_foreach(chosen, k, f)
			on |= json_equal(json_object_get(f, "catalog_id"), json_object_get(c, "catalog_id"));
		json_object_set_new(c, "checked", json_boolean(on));
		json_object_set_new(c, "title_text", json_string(in_locale(json_object_get(c, "title"), r->locale)));
	}
	json_array_foreach(chosen, i, c) {
		json_object_set_new(c, "title_text", json_string(in_locale(json_object_get(c, "title"), r->locale) ?: ""));
		json_object_set_new(c, "current", json_boolean(catalog && !strcmp(catalog, json_string_value(json_object_get(c, "catalog_id")))));
	}
	if (catalog && svc_assessment_list(r->store, &r->actor, r->ids[0], catalog, &list, &e) == 0) {
		json_t *it;
		json_array_foreach(json_object_get(list, "items"), i, it) {
			const char *st = json_string_value(json_object_get(it, "status"));
			json_object_set_new(it, "title_text", json_string(in_locale(json_object_get(it, "title"), r->locale) ?: ""));
			json_object_set_new(it, "status_label", json_string(web_label(r->locale, &vocab_assessment_status, st)));
			json_object_set_new(it, "statuses", web_options(r->locale, &vocab_assessment_status, json_object_get(it, "status")));
		}
	}
	json_t *ctx = web_context(r, "assess.title");
	json_object_set_new(ctx, "system", sys);
	json_object_set_new(ctx, "fw", fw);
	json_object_set_new(ctx, "list", list ? list : json_null());
	json_object_set_new(ctx, "catalog", json_string(catalog ? catalog : ""));
	if (e.code)
		json_object_set_new(ctx, "error", json_string(e.message));
	sys = fw = list = NULL;
	web_page(r, res, 200, "assessments.html", ctx);
out:
	json_decref(sys);
	json_decref(fw);
	json_decref(list);
	err_release(&e);
}

HANDLER(page_assessments_xlsx)
{
	api_assessment_export(r, res, "xlsx");
}

HANDLER(page_assessments_csv)
{
	api_assessment_export(r, res, "csv");
}

static void back_to_assessments(struct http_request *r, struct http_response *res, int rc, struct err *e,
				const char *catalog)
{
	if (rc) {
		web_error_page(r, res, e);
		return;
	}
	char location[256];
	snprintf(location, sizeof location, "/systems/%lld/assessments%s%s", (long long)r->ids[0],
		 catalog && strspn(catalog, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(catalog) ? "?catalog=" : "",
		 catalog && strspn(catalog, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(catalog) ? catalog : "");
	web_flash(res, "flash.saved");
	http_redirect(res, location);
}

HANDLER(page_assessment_update)
{
	struct err e = ERR_INIT;
	json_t *input = json_object(), *out = NULL;
	static const char *const keys[] = { "catalog", "requirement", "status", "note" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (http_form(r, keys[i]))
			json_object_set_new(input, keys[i], json_string(http_form(r, keys[i])));
	if (http_form(r, "reviewed"))
		json_object_set_new(input, "reviewed", json_true());
	/* The page sends version 0 for a requirement not assessed yet: then it must still
	 * be unassessed. No version field: no check. */
	int64_t version = 0;
	int rc = web_form_int64(r, "version", 0, &version, &e);
	if (!rc && version == 0 && http_form(r, "version"))
		version = SVC_VERSION_ABSENT;
	if (!rc)
		rc = svc_assessment_set(r->store, &r->actor, r->ids[0], input, version, &out, &e);
	back_to_assessments(r, res, rc, &e, http_form(r, "catalog"));
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_frameworks_update)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *list = json_array();
	const char *chosen = http_form(r, "catalogs");
	char *copy = chosen ? strdup(chosen) : NULL;
	for (char *save = NULL, *tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save))
		json_array_append_new(list, json_string(tok));
	free(copy);
	json_t *input = json_pack("{so}", "catalogs", list);
	int rc = svc_framework_set(r->store, &r->actor, r->ids[0], input, &out, &e);
	back_to_assessments(r, res, rc, &e, NULL);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}
