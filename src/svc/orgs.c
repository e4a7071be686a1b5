/*
 * orgs.c: organisation use cases. Only an admin of the parent may add a child; only
 * an admin of an organisation (or above it) may rename it. Moving an organisation is
 * not offered: it would silently change who sees its systems.
 */
#include "svc/internal.h"
#include "model/record.h"

#include <string.h>

int svc_org_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *org = NULL;
	int rc = store_org_get(s, id, &org, e);
	if (rc)
		return rc;
	if (!actor_can_see(a, json_string_value(json_object_get(org, "path")))) {
		json_decref(org);
		return err_set(e, AIMS_ENOTFOUND, "no such organisation");
	}
	*out = org;
	return 0;
}

static int org_create_once(struct store *s, const struct actor *a, json_t *input, json_t **out, struct err *e)
{
	char now[CLOCK_ISO_LEN];
	json_t *fields = NULL, *parent = NULL;
	int64_t id = 0;
	*out = NULL;
	int rc = record_validate(&record_org, input, RECORD_CREATE, 0, &fields, e);
	if (rc)
		return rc;
	json_t *parent_id = json_object_get(fields, "parent_id");
	if (!parent_id) {
		err_field(e, 0, "parent_id", "is required");
		json_decref(fields);
		return AIMS_EINVAL;
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	rc = svc_org_get(s, a, json_integer_value(parent_id), &parent, e);
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		err_field(e, 0, "parent_id", "no such organisation");
		rc = AIMS_EINVAL;
	}
	if (rc)
		goto out;
	if (!(actor_rights_on(a, json_string_value(json_object_get(parent, "path"))) & RIGHT_ADMIN)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "only an admin of the parent organisation may add to it");
		goto out;
	}
	const char *name = json_string_value(json_object_get(fields, "name"));
	rc = store_org_create(s, name, json_string_value(json_object_get(fields, "kind")),
			      json_integer_value(parent_id), now, &id, e);
	if (!rc)
		rc = svc_history_diff(s, now, a, "org", id, NULL, fields, e);
	if (!rc)
		rc = store_org_get(s, id, out, e);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(fields);
	json_decref(parent);
	return rc;
}

int svc_org_create(struct store *s, const struct actor *a, json_t *input, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = org_create_once(s, a, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int org_update_once(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
		   struct err *e)
{
	char now[CLOCK_ISO_LEN];
	json_t *fields = NULL, *before = NULL;
	*out = NULL;
	int rc = record_validate(&record_org, input, RECORD_PATCH, 0, &fields, e);
	if (rc)
		return rc;
	if (json_object_get(fields, "parent_id")) {
		err_field(e, 0, "parent_id", "cannot be changed; create the organisation under its new parent");
		json_decref(fields);
		return AIMS_EINVAL;
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	rc = svc_org_get(s, a, id, &before, e);
	if (rc)
		goto out;
	if (!(actor_rights_on(a, json_string_value(json_object_get(before, "path"))) & RIGHT_ADMIN)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "only an admin of this organisation may change it");
		goto out;
	}
	if (json_object_size(fields))
		rc = store_org_update(s, id, fields, now, e);
	if (!rc)
		rc = svc_history_diff(s, now, a, "org", id, before, fields, e);
	if (!rc)
		rc = store_org_get(s, id, out, e);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(fields);
	json_decref(before);
	return rc;
}

int svc_org_update(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
		   struct err *e)
{
	int rc, attempt = 0;
	do
		rc = org_update_once(s, a, id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_org_list(struct store *s, const struct actor *a, json_t **out, struct err *e)
{
	struct svc_scope scope;
	svc_scope_of(a, &scope);
	return store_org_list(s, &scope.scope, out, e);
}

int svc_org_history(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *org = NULL;
	int rc = svc_org_get(s, a, id, &org, e);
	json_decref(org);
	if (rc)
		return rc;
	return store_change_list(s, "org", id, 500, out, e);
}
