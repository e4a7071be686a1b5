/*
 * api_accounts.c: /healthz, /api/v1/openapi.json, /me, organisations, users,
 * memberships and API tokens over JSON.
 */
#include "http/api.h"
#include "base/asset.h"

#include <stdio.h>
#include <string.h>

/* Runs a use case that yields one object and answers with it or with its problem. */
#define ANSWER(status, call)                                   \
	do {                                                   \
		struct err e = ERR_INIT;                       \
		json_t *out = NULL;                            \
		if (call)                                      \
			http_problem_err(res, &e);             \
		else                                           \
			http_json(res, status, out);           \
		err_release(&e);                               \
	} while (0)

#define ANSWER_BODY(status, call)                              \
	do {                                                   \
		json_t *body = http_json_body(r, res);         \
		if (!body)                                     \
			return;                                \
		ANSWER(status, call);                          \
		json_decref(body);                             \
	} while (0)

#define ANSWER_LIST(call)                                          \
	do {                                                       \
		struct err e = ERR_INIT;                           \
		json_t *out = NULL;                                \
		if (call)                                          \
			http_problem_err(res, &e);                 \
		else                                               \
			http_json(res, 200, json_pack("{so}", "items", out)); \
		err_release(&e);                                   \
	} while (0)

HANDLER(api_healthz)
{
	(void)r;
	http_json(res, 200, json_pack("{ss ss}", "status", "ok", "store", store_backend(r->store)));
}

HANDLER(api_openapi)
{
	(void)r;
	const struct asset *a = asset_find("web/openapi.json");
	if (!a) {
		http_problem(res, 404, "no API description in this build", NULL);
		return;
	}
	http_text(res, 200, "application/json", a->data, a->len);
}

HANDLER(api_me)
{
	json_t *me = svc_actor_json(&r->actor);
	if (r->auth == AUTH_SESSION)
		json_object_set_new(me, "csrf_token", json_string(r->csrf));
	json_object_set_new(me, "auth", json_string(r->auth == AUTH_SESSION ? "session" : "token"));
	http_json(res, 200, me);
}

HANDLER(api_orgs_list) { ANSWER_LIST(svc_org_list(r->store, &r->actor, &out, &e)); }

/* Runs a create use case on the JSON body; 201 with the object and its Location. */
static void create_from_body(struct http_request *r, struct http_response *res,
			     int (*create)(struct store *, const struct actor *, json_t *, json_t **, struct err *),
			     const char *base)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	/* `out` is read only after the call: C leaves argument order open. */
	if (create(r->store, &r->actor, body, &out, &e)) {
		http_problem_err(res, &e);
	} else {
		http_header_add(res, "Location", "%s/%lld", base, (long long)json_integer_value(json_object_get(out, "id")));
		http_json(res, 201, out);
	}
	json_decref(body);
	err_release(&e);
}

HANDLER(api_orgs_create) { create_from_body(r, res, svc_org_create, "/api/v1/orgs"); }

HANDLER(api_org_get) { ANSWER(200, svc_org_get(r->store, &r->actor, r->ids[0], &out, &e)); }
HANDLER(api_org_patch) { ANSWER_BODY(200, svc_org_update(r->store, &r->actor, r->ids[0], body, &out, &e)); }
HANDLER(api_org_history) { ANSWER_LIST(svc_org_history(r->store, &r->actor, r->ids[0], &out, &e)); }

HANDLER(api_users_list) { ANSWER_LIST(svc_user_list(r->store, &r->actor, &out, &e)); }

HANDLER(api_users_create) { create_from_body(r, res, svc_user_create, "/api/v1/users"); }

HANDLER(api_user_get) { ANSWER(200, svc_user_get(r->store, &r->actor, r->ids[0], &out, &e)); }
HANDLER(api_user_patch) { ANSWER_BODY(200, svc_user_update(r->store, &r->actor, r->ids[0], body, &out, &e)); }
HANDLER(api_membership_add)
{
	ANSWER_BODY(200, svc_membership_set(r->store, &r->actor, r->ids[0], body, &out, &e));
}

HANDLER(api_membership_delete)
{
	struct err e = ERR_INIT;
	if (svc_membership_delete(r->store, &r->actor, r->ids[0], r->ids[1], &e))
		http_problem_err(res, &e);
	else
		http_text(res, 204, NULL, "", 0);
	err_release(&e);
}

HANDLER(api_tokens_list) { ANSWER_LIST(svc_token_list(r->store, &r->actor, &out, &e)); }

HANDLER(api_tokens_create)
{
	json_t *body = http_json_body(r, res);
	if (!body)
		return;
	json_t *name = json_object_get(body, "name");
	const char *key;
	json_t *v;
	json_t *fields = json_array();
	json_object_foreach(body, key, v)
		if (strcmp(key, "name"))
			json_array_append_new(fields, json_pack("{ss ss}", "field", key, "message", "is not a field of token"));
	if (!json_is_string(name))
		json_array_append_new(fields, json_pack("{ss ss}", "field", "name", "message", "is required (a string)"));
	if (json_array_size(fields))
		http_problem(res, 422, "invalid fields", fields);
	else
		ANSWER(201, svc_token_create(r->store, &r->actor, NULL, json_string_value(name), &out, &e));
	json_decref(fields);
	json_decref(body);
}

HANDLER(api_token_delete)
{
	struct err e = ERR_INIT;
	if (svc_token_revoke(r->store, &r->actor, r->ids[0], &e))
		http_problem_err(res, &e);
	else
		http_text(res, 204, NULL, "", 0);
	err_release(&e);
}
