/*
 * api_gap.c: /api/v1/orgs/{id}/gap (the gap analysis with its roll-up) and
 * /api/v1/orgs/{id}/gap/items (the assessment rows behind one of its numbers).
 * The numbers come from svc/gap.c.
 */
#include "http/api.h"

HANDLER(api_gap_get)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_gap(r->store, &r->actor, r->ids[0], &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}

HANDLER(api_gap_items)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	if (svc_gap_items(r->store, &r->actor, r->ids[0], http_query(r, "catalog"), http_query(r, "kind"), &out, &e))
		http_problem_err(res, &e);
	else
		http_json(res, 200, out);
	err_release(&e);
}
