/*
 * test_openapi.c: web/openapi.json (the embedded API description served at
 * GET /api/v1/openapi.json) and the route table in src/http/routes.c cannot drift:
 * every /api/ and /healthz route is described with its method, every described
 * operation is a route the server has, every operation has an operationId, a summary
 * and responses, every path template variable is declared, and every $ref resolves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/asset.h"
#include "http/http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const http_methods[] = { "get", "put", "post", "delete", "options", "head", "patch", "trace", NULL };

/* Keys a path item may hold besides operations (OpenAPI 3.1, Path Item Object). */
static const char *const path_item_fields[] = { "$ref", "summary", "description", "servers", "parameters", NULL };

static bool listed(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool documented_route(const struct http_route *route)
{
	return strncmp(route->pattern, "/api/", 5) == 0 || strcmp(route->pattern, "/healthz") == 0;
}

/*
 * The route pattern in OpenAPI templating: the first {id} stays {id}, the second
 * (the organisation of DELETE /api/v1/users/{id}/memberships/{id}) becomes {org_id};
 * {key} becomes {catalog} under /api/v1/catalogs/ and {control} elsewhere (an Annex A
 * control of /api/v1/orgs/{id}/soa/{key}).
 */
static void openapi_path(const char *pattern, char *out, size_t n)
{
	static const char *const names[] = { "{id}", "{org_id}" };
	const char *key_name = strncmp(pattern, "/api/v1/catalogs/", 17) == 0 ? "{catalog}" : "{control}";
	size_t used = 0, k = 0;
	out[0] = '\0';
	while (*pattern) {
		const char *piece = NULL;
		size_t len = 1;
		if (strncmp(pattern, "{key}", 5) == 0) {
			piece = key_name;
			len = strlen(piece);
			pattern += 5;
		} else if (strncmp(pattern, "{id}", 4) == 0) {
			assert_true(k < sizeof names / sizeof names[0]);
			piece = names[k++];
			len = strlen(piece);
			pattern += 4;
		} else {
			piece = pattern++;
		}
		assert_true(used + len < n);
		memcpy(out + used, piece, len);
		used += len;
		out[used] = '\0';
	}
}

static void lower(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* The parse error of web/openapi.json, when it does not parse. */
static char load_error[300];

/* Group setup: parses the document; a failure is reported by each test, not here. */
static int load(void **state)
{
	const struct asset *a = asset_find("web/openapi.json");
	json_error_t jerr;
	*state = NULL;
	if (!a) {
		snprintf(load_error, sizeof load_error, "web/openapi.json is not embedded in this build");
		return 0;
	}
	*state = json_loadb(a->data, a->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*state)
		snprintf(load_error, sizeof load_error, "web/openapi.json does not parse: line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
	return 0;
}

static int release(void **state)
{
	json_decref(*state);
	*state = NULL;
	return 0;
}

/* The parsed document; fails the test when it did not parse. */
static json_t *document(void **state)
{
	if (!*state)
		fail_msg("%s", load_error);
	return *state;
}

static void test_document_parses_as_openapi_3_1(void **state)
{
	json_t *doc = document(state);
	assert_true(json_is_object(doc));
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	json_t *info = json_object_get(doc, "info");
	assert_true(json_is_object(info));
	assert_string_equal(json_string_value(json_object_get(info, "title")), "aims API");
	assert_non_null(json_string_value(json_object_get(info, "version")));
	assert_true(json_is_object(json_object_get(doc, "paths")));
	json_t *schemes = json_object_get(json_object_get(doc, "components"), "securitySchemes");
	assert_true(json_is_object(json_object_get(schemes, "bearerAuth")));
	assert_true(json_is_object(json_object_get(schemes, "cookieAuth")));
}

static void test_every_route_is_described(void **state)
{
	json_t *paths = json_object_get(document(state), "paths");
	size_t checked = 0;
	for (size_t i = 0; i < http_route_count; i++) {
		const struct http_route *route = &http_routes[i];
		char path[256], method[16];
		if (!documented_route(route))
			continue;
		openapi_path(route->pattern, path, sizeof path);
		lower(route->method, method, sizeof method);
		json_t *item = json_object_get(paths, path);
		if (!item)
			fail_msg("route %s %s: no path \"%s\" in web/openapi.json", route->method, route->pattern, path);
		if (!json_is_object(json_object_get(item, method)))
			fail_msg("route %s %s: path \"%s\" has no \"%s\" operation", route->method, route->pattern, path,
				 method);
		checked++;
	}
	assert_true(checked > 0);
}

static bool served(const char *path, const char *method)
{
	for (size_t i = 0; i < http_route_count; i++) {
		char have[256], m[16];
		if (!documented_route(&http_routes[i]))
			continue;
		openapi_path(http_routes[i].pattern, have, sizeof have);
		lower(http_routes[i].method, m, sizeof m);
		if (strcmp(have, path) == 0 && strcmp(m, method) == 0)
			return true;
	}
	return false;
}

static void test_every_operation_is_served(void **state)
{
	json_t *paths = json_object_get(document(state), "paths");
	const char *path, *key;
	json_t *item, *value;
	json_object_foreach(paths, path, item) {
		assert_true(json_is_object(item));
		json_object_foreach(item, key, value) {
			if (listed(path_item_fields, key))
				continue;
			if (!listed(http_methods, key))
				fail_msg("path \"%s\": \"%s\" is neither an HTTP method nor a path item field", path, key);
			if (!served(path, key))
				fail_msg("web/openapi.json describes %s %s, which no route in src/http/routes.c serves", key,
					 path);
		}
	}
}

/* How many operations of the document carry operationId id. */
static size_t operation_id_uses(json_t *paths, const char *id)
{
	size_t uses = 0;
	const char *path, *key;
	json_t *item, *op;
	json_object_foreach(paths, path, item)
		json_object_foreach(item, key, op) {
			const char *have = json_string_value(json_object_get(op, "operationId"));
			if (listed(http_methods, key) && have && strcmp(have, id) == 0)
				uses++;
		}
	return uses;
}

static void test_every_operation_is_complete(void **state)
{
	json_t *paths = json_object_get(document(state), "paths");
	const char *path, *key;
	json_t *item, *op;
	json_object_foreach(paths, path, item) {
		json_object_foreach(item, key, op) {
			if (!listed(http_methods, key))
				continue;
			const char *id = json_string_value(json_object_get(op, "operationId"));
			const char *summary = json_string_value(json_object_get(op, "summary"));
			json_t *responses = json_object_get(op, "responses");
			if (!id || !*id)
				fail_msg("%s %s has no operationId", key, path);
			if (!summary || !*summary)
				fail_msg("%s %s has no summary", key, path);
			if (!json_is_object(responses) || json_object_size(responses) == 0)
				fail_msg("%s %s has no responses", key, path);
			if (operation_id_uses(paths, id) != 1)
				fail_msg("operationId %s is used more than once", id);
		}
	}
}

/* Resolves a local JSON pointer ("#/components/schemas/System"); NULL when absent. */
static json_t *resolve(json_t *doc, const char *ref)
{
	char token[256];
	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	json_t *cur = doc;
	const char *p = ref + 2;
	while (cur) {
		size_t n = strcspn(p, "/"), k = 0;
		if (n >= sizeof token)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
				token[k++] = p[i + 1] == '0' ? '~' : '/';
				i++;
			} else {
				token[k++] = p[i];
			}
		}
		token[k] = '\0';
		cur = json_object_get(cur, token);
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return cur;
}

static void check_refs(json_t *doc, json_t *node, size_t *count)
{
	if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v)
			check_refs(doc, v, count);
		return;
	}
	if (!json_is_object(node))
		return;
	const char *key;
	json_t *v;
	json_object_foreach(node, key, v) {
		if (strcmp(key, "$ref") == 0 && json_is_string(v)) {
			if (!resolve(doc, json_string_value(v)))
				fail_msg("$ref \"%s\" does not resolve", json_string_value(v));
			(*count)++;
		} else {
			check_refs(doc, v, count);
		}
	}
}

static void test_every_ref_resolves(void **state)
{
	json_t *doc = document(state);
	size_t count = 0;
	check_refs(doc, doc, &count);
	assert_true(count > 0);
	assert_null(resolve(doc, "#/components/schemas/NoSuchSchema"));
	assert_non_null(resolve(doc, "#/paths/~1healthz/get"));
}

/* Whether a parameter list (items possibly $refs) declares path parameter name. */
static bool declares(json_t *doc, json_t *params, const char *name)
{
	size_t i;
	json_t *p;
	json_array_foreach(params, i, p) {
		json_t *ref = json_object_get(p, "$ref");
		if (json_is_string(ref))
			p = resolve(doc, json_string_value(ref));
		const char *in = json_string_value(json_object_get(p, "in"));
		const char *pname = json_string_value(json_object_get(p, "name"));
		if (in && pname && !strcmp(in, "path") && !strcmp(pname, name) &&
		    json_is_true(json_object_get(p, "required")))
			return true;
	}
	return false;
}

static void test_path_parameters_are_declared(void **state)
{
	json_t *doc = document(state);
	const char *path, *key;
	json_t *item, *op;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, key, op) {
			if (!listed(http_methods, key))
				continue;
			for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
				char name[64];
				size_t n = strcspn(p + 1, "}");
				assert_true(n > 0 && n < sizeof name && p[1 + n] == '}');
				memcpy(name, p + 1, n);
				name[n] = '\0';
				if (!declares(doc, json_object_get(item, "parameters"), name) &&
				    !declares(doc, json_object_get(op, "parameters"), name))
					fail_msg("%s %s: path parameter {%s} is not declared (in: path, required: true)", key,
						 path, name);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_parses_as_openapi_3_1),
		cmocka_unit_test(test_every_route_is_described),
		cmocka_unit_test(test_every_operation_is_served),
		cmocka_unit_test(test_every_operation_is_complete),
		cmocka_unit_test(test_every_ref_resolves),
		cmocka_unit_test(test_path_parameters_are_declared),
	};
	return cmocka_run_group_tests_name("openapi", tests, load, release);
}
