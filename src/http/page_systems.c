/*
 * page_systems.c: the inventory pages: list with search, filters, sorting and cursor
 * pages; the create and edit forms (errors next to fields, input kept); the system
 * page with its history; archive; CSV import and export.
 */
#include "http/api.h"
#include "http/web.h"
#include "model/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const form_fields[] = {
	"name", "purpose", "lifecycle_stage", "description", "org_id", "org_role", "techniques",
	"data_sources", "affected_people", "decision_role", "human_oversight", "vendor", NULL,
};

/* The system fields of the posted form as an input object for svc. */
static json_t *form_input(struct http_request *r)
{
	json_t *input = json_object();
	for (int i = 0; form_fields[i]; i++) {
		json_t *v = json_object_get(r->form, form_fields[i]);
		if (v && !strcmp(form_fields[i], "techniques"))
			json_object_set_new(input, form_fields[i], record_split_list(json_string_value(v)));
		else if (v)
			json_object_set(input, form_fields[i], v);
	}
	return input;
}

/* Organisations where the actor may register systems, as options. */
static json_t *org_options(struct http_request *r, json_int_t selected)
{
	struct err e = ERR_INIT;
	json_t *orgs = NULL, *options = json_array();
	if (svc_org_list(r->store, &r->actor, &orgs, &e) == 0) {
		size_t i;
		json_t *org;
		json_array_foreach(orgs, i, org) {
			const char *path = json_string_value(json_object_get(org, "path"));
			if (!(actor_rights_on(&r->actor, path) & RIGHT_SYSTEM_CREATE))
				continue;
			int depth = 0;
			for (const char *p = path; *p; p++)
				depth += *p == '/';
			char label[400];
			snprintf(label, sizeof label, "%.*s%s", (depth - 2) * 2 > 0 ? (depth - 2) * 2 : 0,
				 "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0", 
				 json_string_value(json_object_get(org, "name")));
			json_int_t id = json_integer_value(json_object_get(org, "id"));
			json_array_append_new(options, json_pack("{sI ss sb}", "value", id, "label", label, "selected",
								 id == selected));
		}
	}
	json_decref(orgs);
	err_release(&e);
	return options;
}

static void form_page(struct http_request *r, struct http_response *res, int status, json_t *values,
		      const struct err *e, int64_t id)
{
	json_t *ctx = web_context(r, id ? "system.edit_title" : "system.new_title");
	json_object_set_new(ctx, "stages", web_options(r->locale, &vocab_lifecycle_stage, json_object_get(values, "lifecycle_stage")));
	/* radio groups start on the record's defaults (model/record.c) */
	static const struct { const char *key, *field; const struct vocab *v; } radios[] = {
		{ "org_roles", "org_role", &vocab_org_role },
		{ "decision_roles", "decision_role", &vocab_decision_role },
		{ "oversights", "human_oversight", &vocab_human_oversight },
	};
	for (size_t i = 0; i < sizeof radios / sizeof radios[0]; i++) {
		json_t *sel = json_object_get(values, radios[i].field);
		json_t *fallback = json_string(record_rule(&record_system, radios[i].field)->default_value);
		json_object_set_new(ctx, radios[i].key, web_options(r->locale, radios[i].v, sel ? sel : fallback));
		json_decref(fallback);
	}
	json_t *tech = json_object_get(values, "techniques");
	json_t *tech_list = json_is_string(tech) ? json_array() : json_incref(tech);
	if (json_is_string(tech)) {
		char *copy = strdup(json_string_value(tech));
		for (char *save = NULL, *tok = copy ? strtok_r(copy, ";,", &save) : NULL; tok; tok = strtok_r(NULL, ";,", &save))
			json_array_append_new(tech_list, json_string(tok));
		free(copy);
	}
	json_object_set_new(ctx, "techniques", web_options(r->locale, &vocab_technique, tech_list));
	json_decref(tech_list);
	/* A record's org_id, or what a refused form sent (svc named it if malformed). */
	json_t *org = json_object_get(values, "org_id");
	int64_t org_id = json_integer_value(org);
	if (json_is_string(org))
		web_parse_int64(r->locale, "org_id", json_string_value(org), 1, &org_id, NULL);
	if (!org_id) {
		const struct membership *home = actor_home(&r->actor, RIGHT_SYSTEM_CREATE);
		org_id = home ? home->org_id : 0;
	}
	json_object_set_new(ctx, "orgs", org_options(r, org_id));
	json_object_set(ctx, "values", values);
	if (id) {
		json_object_set_new(ctx, "id", json_integer(id));
		json_object_set_new(ctx, "action", json_sprintf("/systems/%lld", (long long)id));
	} else {
		json_object_set_new(ctx, "action", json_string("/systems"));
	}
	web_put_errors(ctx, r->locale, e);
	web_page(r, res, status, "system_form.html", ctx);
}

HANDLER(page_system_new)
{
	if (!(actor_rights_anywhere(&r->actor) & RIGHT_SYSTEM_CREATE)) {
		struct err e = ERR_INIT;
		err_set(&e, AIMS_EFORBIDDEN, "%s", web_string(r->locale, "error.forbidden"));
		web_error_page(r, res, &e);
		return;
	}
	json_t *values = json_object();
	form_page(r, res, 200, values, NULL, 0);
	json_decref(values);
}

/* After a system mutation: on a fixable error the form again (with what was typed);
 * on another error the error page; on success a redirect to the system's page. */
static void after_mutation(struct http_request *r, struct http_response *res, int rc, struct err *e,
			   int64_t id, const char *flash, bool with_form)
{
	if (rc && with_form && (e->code == AIMS_EINVAL || e->code == AIMS_ECONFLICT || e->code == AIMS_EFORBIDDEN)) {
		form_page(r, res, http_status_of(e->code), r->form, e, r->ids[0]);
	} else if (rc) {
		web_error_page(r, res, e);
	} else {
		char location[64];
		snprintf(location, sizeof location, "/systems/%lld", (long long)id);
		web_flash(res, flash);
		http_redirect(res, location);
	}
}

HANDLER(page_system_create)
{
	struct err e = ERR_INIT;
	json_t *input = form_input(r), *out = NULL;
	int rc = svc_system_create(r->store, &r->actor, input, &out, &e);
	after_mutation(r, res, rc, &e, rc ? 0 : json_integer_value(json_object_get(out, "id")), "flash.created", true);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_system_edit)
{
	struct err e = ERR_INIT;
	json_t *sys = NULL;
	if (svc_system_get(r->store, &r->actor, r->ids[0], &sys, &e)) {
		web_error_page(r, res, &e);
	} else {
		form_page(r, res, 200, sys, NULL, r->ids[0]);
	}
	json_decref(sys);
	err_release(&e);
}

HANDLER(page_system_update)
{
	struct err e = ERR_INIT;
	json_t *input = form_input(r), *out = NULL;
	int64_t version = 0; /* no version field: no check, as a PATCH without If-Match */
	int rc = web_form_int64(r, "version", 1, &version, &e);
	if (!rc)
		rc = svc_system_update(r->store, &r->actor, r->ids[0], input, version, &out, &e);
	after_mutation(r, res, rc, &e, r->ids[0], "flash.saved", true);
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_system_archive)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int rc = svc_system_archive(r->store, &r->actor, r->ids[0], &out, &e);
	after_mutation(r, res, rc, &e, r->ids[0], "flash.archived", false);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_system_show)
{
	struct err e = ERR_INIT;
	json_t *sys = NULL, *history = NULL, *raw = NULL;
	if (svc_system_get(r->store, &r->actor, r->ids[0], &sys, &e) ||
	    svc_system_history(r->store, &r->actor, r->ids[0], &history, &e)) {
		web_error_page(r, res, &e);
		goto out;
	}
	/* Rights need the org path, which the public view drops: look it up again. */
	json_t *org = NULL;
	if (svc_org_get(r->store, &r->actor, json_integer_value(json_object_get(sys, "org_id")), &org, &e) == 0) {
		raw = json_copy(sys);
		json_object_set(raw, "org_path", json_object_get(org, "path"));
	}
	json_decref(org);
	web_label_system(r->locale, sys);
	size_t i;
	json_t *h;
	/* Ids in the history read better as names: organisations the reader can see, and
	 * the current owner; any other id stays as "#id". */
	json_t *org_names = json_object(), *orgs = NULL;
	if (svc_org_list(r->store, &r->actor, &orgs, &e) == 0) {
		size_t k;
		json_t *org;
		json_array_foreach(orgs, k, org) {
			char id[24];
			snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(org, "id")));
			json_object_set(org_names, id, json_object_get(org, "name"));
		}
	}
	err_release(&e);
	json_decref(orgs);
	char owner_id[24];
	snprintf(owner_id, sizeof owner_id, "%lld", (long long)json_integer_value(json_object_get(sys, "owner_user_id")));
	json_array_foreach(history, i, h) {
		const char *field = json_string_value(json_object_get(h, "field"));
		static const char *const sides[] = { "old_value", "new_value" };
		for (int k = 0; k < 2 && (!strcmp(field, "org_id") || !strcmp(field, "owner_user_id")); k++) {
			const char *id = json_string_value(json_object_get(h, sides[k]));
			json_t *name = !id ? NULL
				     : !strcmp(field, "org_id") ? json_object_get(org_names, id)
				     : !strcmp(id, owner_id) ? json_object_get(sys, "owner_name")
							     : NULL;
			if (id)
				json_object_set_new(h, sides[k], name && json_string_length(name)
									 ? json_sprintf("%s (#%s)", json_string_value(name), id)
									 : json_sprintf("#%s", id));
		}
		web_label_history_row(r->locale, h, "field.");
	}
	json_decref(org_names);
	json_t *ctx = web_context(r, "system.title");
	json_object_set_new(ctx, "title", json_copy(json_object_get(sys, "name")));
	json_object_set_new(ctx, "system", sys);
	json_object_set_new(ctx, "history", history);
	json_object_set_new(ctx, "can_edit", json_boolean(raw && svc_system_can_edit(&r->actor, raw)));
	sys = history = NULL;
	web_page(r, res, 200, "system_show.html", ctx);
out:
	json_decref(sys);
	json_decref(history);
	json_decref(raw);
	err_release(&e);
}

/* Keeps a query parameter that was given, for sticky filters and page links. */
static void keep(json_t *filters, const char *name, const char *value)
{
	if (value && *value)
		json_object_set_new(filters, name, json_string(value));
}

HANDLER(page_systems_list)
{
	struct svc_system_query q;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	struct http_response scratch = { 0 };
	buf_init(&scratch.body, HTTP_JSON_LIMIT);
	json_t *ctx = web_context(r, "systems.title");
	json_t *filters = json_object();
	if (api_system_query(r, &q, &scratch)) {
		err_set(&e, AIMS_EBADREQ, "%s", web_string(r->locale, "systems.bad_filter"));
		memset(&q, 0, sizeof q);
	}
	buf_release(&scratch.body);
	for (int i = 0; i < scratch.header_count; i++)
		free(scratch.header_values[i]);
	if (!e.code && svc_system_list(r->store, &r->actor, &q, &out, &e)) {
		err_release(&e);
		err_set(&e, AIMS_EBADREQ, "%s", web_string(r->locale, "systems.bad_filter"));
		memset(&q, 0, sizeof q);
		svc_system_list(r->store, &r->actor, &q, &out, NULL);
	}
	if (e.code)
		json_object_set_new(ctx, "error", json_string(e.message));
	keep(filters, "q", q.q);
	keep(filters, "lifecycle_stage", q.lifecycle_stage);
	keep(filters, "status", q.status);
	keep(filters, "sort", q.sort);
	keep(filters, "order", q.order);
	keep(filters, "org_role", q.org_role);
	if (q.org_id)
		json_object_set_new(filters, "org_id", json_integer(q.org_id));
	json_object_set_new(ctx, "stages", web_options(r->locale, &vocab_lifecycle_stage, json_object_get(filters, "lifecycle_stage")));
	json_t *status_sel = json_object_get(filters, "status");
	json_t *statuses = json_array();
	static const char *const status_codes[] = { "active", "archived", "all" };
	for (int i = 0; i < 3; i++) {
		char key[48];
		snprintf(key, sizeof key, "systems.status_%s", status_codes[i]);
		json_array_append_new(statuses, json_pack("{ss ss sb}", "value", status_codes[i], "label", web_string(r->locale, key),
							  "selected", status_sel ? !strcmp(json_string_value(status_sel), status_codes[i]) : i == 0));
	}
	json_object_set_new(ctx, "statuses", statuses);
	json_t *sorts = json_array();
	static const char *const sort_codes[] = { "id", "name", "updated_at", "lifecycle_stage" };
	json_t *sort_sel = json_object_get(filters, "sort");
	for (int i = 0; i < 4; i++) {
		char key[48];
		snprintf(key, sizeof key, "systems.sort_%s", sort_codes[i]);
		json_array_append_new(sorts, json_pack("{ss ss sb}", "value", sort_codes[i], "label", web_string(r->locale, key),
						       "selected", sort_sel ? !strcmp(json_string_value(sort_sel), sort_codes[i]) : i == 0));
	}
	json_object_set_new(ctx, "sorts", sorts);
	json_object_set_new(ctx, "desc", json_boolean(q.order && !strcmp(q.order, "desc")));
	json_object_set_new(ctx, "orgs", org_options(r, q.org_id));
	json_object_set_new(ctx, "filters", filters);
	if (out) {
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(out, "items"), i, item)
			web_label_system(r->locale, item);
		/* Links keep every filter; the next link adds the cursor. */
		char *qs = web_query_string(filters);
		json_object_set_new(ctx, "query", json_string(qs ? qs : ""));
		free(qs);
		json_object_set(ctx, "items", json_object_get(out, "items"));
		json_object_set(ctx, "total", json_object_get(out, "total"));
		json_object_set(ctx, "next_cursor", json_object_get(out, "next_cursor"));
		json_object_set_new(ctx, "paged", json_boolean(q.cursor && *q.cursor));
	}
	web_page(r, res, e.code ? 400 : 200, "systems.html", ctx);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_import_form)
{
	json_t *ctx = web_context(r, "import.title");
	web_page(r, res, 200, "import.html", ctx);
}

HANDLER(page_import_submit)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *ctx = web_context(r, "import.title");
	const char *data = json_string_value(json_object_get(r->upload, "data"));
	size_t len = json_string_length(json_object_get(r->upload, "data"));
	int status = 200;
	if (!data || !len) {
		err_field(&e, 0, "file", "%s", web_string(r->locale, "import.no_file"));
	} else if (svc_system_import_csv(r->store, &r->actor, data, len, &out, &e) == 0) {
		json_object_set(ctx, "result", out);
	}
	if (e.code)
		status = http_status_of(e.code);
	web_put_errors(ctx, r->locale, &e);
	web_page(r, res, status, "import.html", ctx);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_export_csv)
{
	api_systems_export(r, res);
}
