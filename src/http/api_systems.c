/*
 * api_systems.c: /api/v1/systems: the inventory over JSON. Handlers translate HTTP to
 * svc calls and svc errors to problem documents; they hold no rules of their own.
 */
#include "http/api.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_system_query(struct http_request *r, struct svc_system_query *q, struct http_response *res)
{
	memset(q, 0, sizeof *q);
	q->q = http_query(r, "q");
	q->lifecycle_stage = http_query(r, "lifecycle_stage");
	q->org_role = http_query(r, "org_role");
	q->status = http_query(r, "status");
	q->sort = http_query(r, "sort");
	q->order = http_query(r, "order");
	q->cursor = http_query(r, "cursor");
	struct { const char *name; int64_t *out; int64_t max; } ints[] = {
		{ "org_id", &q->org_id, INT64_MAX }, { "owner_user_id", &q->owner_user_id, INT64_MAX },
	};
	json_t *fields = json_array();
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		const char *v = http_query(r, ints[i].name);
		if (v && *v && text_parse_int64(v, 1, ints[i].max, ints[i].out))
			json_array_append_new(fields, json_pack("{ss ss}", "field", ints[i].name, "message",
								"must be a positive integer"));
	}
	const char *limit = http_query(r, "limit");
	int64_t lim = 0;
	if (limit && (text_parse_int64(limit, 1, 500, &lim)))
		json_array_append_new(fields, json_pack("{ss ss}", "field", "limit", "message",
							"must be an integer between 1 and 500"));
	q->limit = (int)lim;
	if (json_array_size(fields)) {
		http_problem(res, 400, "invalid query parameters", fields);
		json_decref(fields);
		return -1;
	}
	json_decref(fields);
	return 0;
}

HANDLER(api_systems_list)
{
	struct svc_system_query q;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (api_system_query(r, &q, res))
		return;
	if (svc_system_list(r->store, &r->actor, &q, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

static void send_system(struct http_response *res, int status, json_t *sys)
{
	http_header_add(res, "ETag", "\"%lld\"", (long long)json_integer_value(json_object_get(sys, "version")));
	if (status == 201)
		http_header_add(res, "Location", "/api/v1/systems/%lld",
				(long long)json_integer_value(json_object_get(sys, "id")));
	http_json(res, status, sys);
}

HANDLER(api_systems_create)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	if (svc_system_create(r->store, &r->actor, body, &out, &e))
		http_problem_err(res, &e);
	else
		send_system(res, 201, out);
	json_decref(body);
	err_release(&e);
}

HANDLER(api_system_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_system_get(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		send_system(res, 200, out);
	err_release(&e);
}

/* If-Match: "3" or 3 → 3; absent → 0; anything else → -1. */
int64_t api_if_match(struct http_request *r)
{
	const char *v = http_header(r, "If-Match");
	char digits[24];
	int64_t n = 0;
	if (!v)
		return 0;
	size_t len = strlen(v);
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
		v++, len -= 2;
	if (len == 0 || len >= sizeof digits)
		return -1;
	memcpy(digits, v, len);
	digits[len] = '\0';
	return text_parse_int64(digits, 1, INT64_MAX, &n) ? -1 : n;
}

HANDLER(api_system_patch)
{
	api_patch_versioned(r, res, svc_system_update);
}

HANDLER(api_system_delete)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_system_archive(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		send_system(res, 200, out);
	err_release(&e);
}

HANDLER(api_system_history)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_system_history(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, json_pack("{so}", "items", out));
	err_release(&e);
}

HANDLER(api_systems_import)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	const char *ct = http_header(r, "Content-Type");
	if (!ct || strncmp(ct, "text/csv", 8) != 0) {
		http_problem(res, 415, "send the file as text/csv", NULL);
		return;
	}
	if (svc_system_import_csv(r->store, &r->actor, r->body.data ? r->body.data : "", r->body.len, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 201, out);
	err_release(&e);
}

HANDLER(api_systems_export)
{
	struct svc_system_query q;
	struct err e = ERR_INIT;
	json_t *list = NULL;
	const char *format = http_query(r, "format");
	if (format && strcmp(format, "csv") && strcmp(format, "json")) {
		json_t *f = json_pack("[{ss ss}]", "field", "format", "message", "must be csv or json");
		http_problem(res, 400, "invalid query parameters", f);
		json_decref(f);
		return;
	}
	if (api_system_query(r, &q, res))
		return;
	if (svc_system_export(r->store, &r->actor, &q, &list, &e)) {
		http_problem_err(res, &e);
	} else if (format && !strcmp(format, "json")) {
		http_json(res, 200, json_pack("{so}", "items", list));
		list = NULL;
	} else {
		char *csv = NULL;
		size_t len = 0;
		if (svc_system_csv(list, &csv, &len, &e)) {
			http_problem_err(res, &e);
		} else {
			http_text(res, 200, "text/csv; charset=utf-8", csv, len);
			http_header_add(res, "Content-Disposition", "attachment; filename=\"aims-systems.csv\"");
			free(csv);
		}
	}
	json_decref(list);
	err_release(&e);
}
