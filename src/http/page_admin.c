/*
 * page_admin.c: the dashboard and the administration pages: organisations, users and
 * their roles, and the caller's API tokens.
 */
#include "http/handlers.h"
#include "http/web.h"
#include "svc/svc.h"

#include <stdio.h>
#include <string.h>

static void forbidden(struct http_request *r, struct http_response *res)
{
	struct err e = ERR_INIT;
	err_set(&e, AIMS_EFORBIDDEN, "%s", web_string(r->locale, "error.forbidden"));
	web_error_page(r, res, &e);
}

HANDLER(page_dashboard)
{
	struct err e = ERR_INIT;
	json_t *dash = NULL;
	if (svc_dashboard(r->store, &r->actor, &dash, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	json_int_t total = json_integer_value(json_object_get(dash, "total"));
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(dash, "by_stage"), i, row) {
		json_int_t count = json_integer_value(json_object_get(row, "count"));
		json_object_set_new(row, "label", json_string(web_label(r->locale, &vocab_lifecycle_stage,
									json_string_value(json_object_get(row, "lifecycle_stage")))));
		json_object_set_new(row, "percent", json_integer(total ? (count * 100 + total / 2) / total : 0));
	}
	json_array_foreach(json_object_get(dash, "recent"), i, row) {
		/* "name,purpose" → "이름, 목적"; "*" → "등록" */
		struct buf labels = BUF_INIT(4096);
		char fields[1024], key[96];
		snprintf(fields, sizeof fields, "%s", json_string_value(json_object_get(row, "fields")) ?: "");
		char *save = NULL;
		for (char *f = strtok_r(fields, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			snprintf(key, sizeof key, "field.%s", f);
			buf_addf(&labels, "%s%s", labels.len ? ", " : "",
				 !strcmp(f, "*") ? web_string(r->locale, "history.created") : web_string(r->locale, key));
		}
		json_object_set_new(row, "field_label", json_string(buf_str(&labels)));
		web_time(row, "at");
		buf_release(&labels);
	}
	json_t *ctx = web_context(r, "dashboard.title");
	json_object_set_new(ctx, "dash", dash);
	web_page(r, res, 200, "dashboard.html", ctx);
}

/* Organisations with their depth, for indentation. */
static json_t *orgs_with_depth(json_t *orgs)
{
	size_t i;
	json_t *org;
	json_array_foreach(orgs, i, org) {
		int depth = 0;
		for (const char *p = json_string_value(json_object_get(org, "path")); p && *p; p++)
			depth += *p == '/';
		json_object_set_new(org, "depth", json_integer(depth - 2));
		json_object_set_new(org, "indent", json_integer((depth - 2) * 1));
	}
	return orgs;
}

static void orgs_page(struct http_request *r, struct http_response *res, int status, const struct err *e)
{
	struct err le = ERR_INIT;
	json_t *orgs = NULL;
	svc_org_list(r->store, &r->actor, &orgs, &le);
	json_t *ctx = web_context(r, "orgs.title");
	size_t i;
	json_t *org;
	json_t *parents = json_array();
	json_array_foreach(orgs, i, org) {
		const char *kind = json_string_value(json_object_get(org, "kind"));
		json_object_set_new(org, "kind_label", json_string(web_label(r->locale, &vocab_org_kind, kind)));
		if (actor_rights_on(&r->actor, json_string_value(json_object_get(org, "path"))) & RIGHT_ADMIN)
			json_array_append_new(parents, json_pack("{sO sO}", "value", json_object_get(org, "id"), "label",
								 json_object_get(org, "name")));
	}
	json_object_set_new(ctx, "orgs", orgs_with_depth(orgs ? orgs : json_array()));
	json_object_set_new(ctx, "parents", parents);
	json_t *default_kind = json_string("department");
	json_t *kind = json_object_get(r->form, "kind");
	json_object_set_new(ctx, "kinds", web_options(r->locale, &vocab_org_kind, kind ? kind : default_kind));
	json_decref(default_kind);
	json_object_set(ctx, "values", r->form);
	web_put_errors(ctx, r->locale, e);
	web_page(r, res, status, "orgs.html", ctx);
	err_release(&le);
}

HANDLER(page_orgs) { orgs_page(r, res, 200, NULL); }

HANDLER(page_org_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *input = json_pack("{sO? sO? sO?}", "name", json_object_get(r->form, "name"), "kind",
				  json_object_get(r->form, "kind"), "parent_id", json_object_get(r->form, "parent_id"));
	if (svc_org_create(r->store, &r->actor, input, &out, &e)) {
		orgs_page(r, res, http_status_of(e.code), &e);
	} else {
		web_flash(res, "flash.created");
		http_redirect(res, "/orgs");
	}
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

static void after_user_change(struct http_request *r, struct http_response *res, int rc, struct err *e,
			      const char *flash);

/* Organisations where the actor is admin, as <select> options. */
static json_t *admin_org_options(struct http_request *r)
{
	struct err e = ERR_INIT;
	json_t *orgs = NULL, *options = json_array();
	size_t i;
	json_t *org;
	if (svc_org_list(r->store, &r->actor, &orgs, &e) == 0)
		json_array_foreach(orgs, i, org)
			if (actor_rights_on(&r->actor, json_string_value(json_object_get(org, "path"))) & RIGHT_ADMIN)
				json_array_append_new(options, json_pack("{sO sO}", "value", json_object_get(org, "id"),
									 "label", json_object_get(org, "name")));
	json_decref(orgs);
	err_release(&e);
	return options;
}

static void users_page(struct http_request *r, struct http_response *res, int status, const struct err *e)
{
	struct err le = ERR_INIT;
	json_t *users = NULL;
	if (svc_user_list(r->store, &r->actor, &users, &le)) {
		forbidden(r, res);
		err_release(&le);
		return;
	}
	json_t *admin_orgs = admin_org_options(r);
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) {
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(u, "memberships"), k, m)
			json_object_set_new(m, "role_label", json_string(web_label(r->locale, &vocab_role,
										   json_string_value(json_object_get(m, "role")))));
	}
	json_t *ctx = web_context(r, "users.title");
	json_object_set_new(ctx, "users", users);
	json_object_set_new(ctx, "orgs", admin_orgs);
	json_object_set_new(ctx, "roles", web_options(r->locale, &vocab_role, json_object_get(r->form, "role")));
	json_object_set(ctx, "values", r->form);
	web_put_errors(ctx, r->locale, e);
	web_page(r, res, status, "users.html", ctx);
	err_release(&le);
}

HANDLER(page_users) { users_page(r, res, 200, NULL); }

HANDLER(page_user_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *input = json_object();
	static const char *const fields[] = { "email", "name", "password", "org_id", "role", "locale" };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (json_object_get(r->form, fields[i]))
			json_object_set(input, fields[i], json_object_get(r->form, fields[i]));
	if (svc_user_create(r->store, &r->actor, input, &out, &e)) {
		users_page(r, res, http_status_of(e.code), &e);
	} else {
		web_flash(res, "flash.created");
		http_redirect(res, "/users");
	}
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

static void user_page(struct http_request *r, struct http_response *res, int status, const struct err *e)
{
	struct err le = ERR_INIT;
	json_t *user = NULL;
	if (svc_user_get(r->store, &r->actor, r->ids[0], &user, &le)) {
		web_error_page(r, res, &le);
		err_release(&le);
		return;
	}
	size_t k;
	json_t *m;
	json_array_foreach(json_object_get(user, "memberships"), k, m)
		json_object_set_new(m, "role_label", json_string(web_label(r->locale, &vocab_role,
									   json_string_value(json_object_get(m, "role")))));
	json_t *admin_orgs = admin_org_options(r);
	json_t *ctx = web_context(r, "users.user_title");
	json_object_set_new(ctx, "self", json_boolean(r->actor.user_id == r->ids[0]));
	json_object_set_new(ctx, "user", user);
	json_object_set_new(ctx, "orgs", admin_orgs);
	json_object_set_new(ctx, "roles", web_options(r->locale, &vocab_role, NULL));
	web_put_errors(ctx, r->locale, e);
	web_page(r, res, status, "user_show.html", ctx);
	err_release(&le);
}

HANDLER(page_user_show) { user_page(r, res, 200, NULL); }

HANDLER(page_membership_add)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *input = json_pack("{sO? sO?}", "org_id", json_object_get(r->form, "org_id"), "role",
				  json_object_get(r->form, "role"));
	int rc = svc_membership_set(r->store, &r->actor, r->ids[0], input, &out, &e);
	after_user_change(r, res, rc, &e, "flash.saved");
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

/* Back to the user's page with a flash, or the page again with the problem. */
static void after_user_change(struct http_request *r, struct http_response *res, int rc, struct err *e,
			      const char *flash)
{
	if (rc) {
		user_page(r, res, http_status_of(e->code), e);
		return;
	}
	char location[64];
	snprintf(location, sizeof location, "/users/%lld", (long long)r->ids[0]);
	web_flash(res, flash);
	http_redirect(res, location);
}

HANDLER(page_membership_revoke)
{
	struct err e = ERR_INIT;
	int rc = svc_membership_delete(r->store, &r->actor, r->ids[0], r->ids[1], &e);
	if (rc) {
		after_user_change(r, res, rc, &e, NULL);
	} else {
		/* the user may now be outside the admin's view: back to the list */
		web_flash(res, "flash.saved");
		http_redirect(res, "/users");
	}
	err_release(&e);
}

static void set_disabled(struct http_request *r, struct http_response *res, bool disabled)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = json_pack("{sb}", "disabled", disabled);
	int rc = svc_user_update(r->store, &r->actor, r->ids[0], input, &out, &e);
	after_user_change(r, res, rc, &e, "flash.saved");
	json_decref(input);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_user_disable) { set_disabled(r, res, true); }
HANDLER(page_user_enable) { set_disabled(r, res, false); }

static void tokens_page(struct http_request *r, struct http_response *res, int status, json_t *created,
			const struct err *e)
{
	struct err le = ERR_INIT;
	json_t *tokens = NULL;
	svc_token_list(r->store, &r->actor, &tokens, &le);
	json_t *ctx = web_context(r, "tokens.title");
	json_object_set_new(ctx, "tokens", tokens ? tokens : json_array());
	if (created)
		json_object_set(ctx, "created", created);
	web_put_errors(ctx, r->locale, e);
	web_page(r, res, status, "tokens.html", ctx);
	err_release(&le);
}

HANDLER(page_tokens) { tokens_page(r, res, 200, NULL, NULL); }

HANDLER(page_token_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_token_create(r->store, &r->actor, NULL, http_form(r, "name"), &out, &e))
		tokens_page(r, res, http_status_of(e.code), NULL, &e);
	else
		tokens_page(r, res, 201, out, NULL);
	json_decref(out);
	err_release(&e);
}

HANDLER(page_token_revoke)
{
	struct err e = ERR_INIT;
	if (svc_token_revoke(r->store, &r->actor, r->ids[0], &e)) {
		web_error_page(r, res, &e);
	} else {
		web_flash(res, "flash.revoked");
		http_redirect(res, "/tokens");
	}
	err_release(&e);
}
