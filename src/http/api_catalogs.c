/*
 * api_catalogs.c: /api/v1/catalogs/{catalog}/versions, /diff, /touched and /migrate,
 * the catalog-upgrade use cases of svc/catalog_versions.c over JSON. Handlers only
 * translate: the {key} segment is the catalog id, `from` a query parameter, the
 * migration target a JSON body; svc names the parameter in every error.
 */
#include "http/api.h"
#include "svc/catalogs.h"

HANDLER(api_catalog_versions)
{
	json_t *versions = svc_catalog_versions(r->key);
	/* The one in use comes first; earlier versions alone are not a catalog in use. */
	if (!json_is_true(json_object_get(json_array_get(versions, 0), "current"))) {
		json_t *f = json_pack("[{ss ss ss}]", "field", "catalog", "code", "choice", "message",
				      "no catalog with this id is in use here");
		http_problem(res, 404, "no such catalog", f);
		json_decref(f);
		json_decref(versions);
		return;
	}
	http_json(res, 200, json_pack("{ss so}", "catalog_id", r->key, "versions", versions));
}

HANDLER(api_catalog_diff)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_catalog_diff_version(r->key, http_query(r, "from"), &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_catalog_touched)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_catalog_touched(r->store, &r->actor, r->key, NULL, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_catalog_migrate)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *body = http_json_body(r, res);
	if (!body)
		return;
	if (svc_catalog_migrate(r->store, &r->actor, r->key, body, NULL, &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	json_decref(body);
	err_release(&e);
}
