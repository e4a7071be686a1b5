/*
 * demo.c: loads demo/city.json (organisations, users, AI systems and their risks, SoA)
 * through the same use cases the UI and API use, so demo data is validated like any
 * other input. Runs as the operator; each system and its risks are created as the
 * system's owner would create them. A risk's "owner" is its risk owner's e-mail.
 * Then the city's Statement of Applicability, entry by entry, as its officer.
 */
#include "svc/internal.h"

#include <stdio.h>
#include <string.h>

#define DEMO_MAX_ORGS 500

/* Prefixes the error with the demo file and the entry it came from. */
static void demo_error(struct err *e, int rc, const char *path, const char *list, size_t i)
{
	char msg[sizeof e->message];
	snprintf(msg, sizeof msg, "%s", e->message);
	err_set(e, rc, "%s: %s[%zu]: %s", path, list, i, msg);
}

int svc_demo_load(struct store *s, const char *path, const char *password, struct err *e)
{
	json_error_t jerr;
	struct actor op;
	json_t *doc = json_load_file(path, 0, &jerr);
	json_t *keys = json_object(); /* org key -> id */
	json_t *orgs = NULL;
	int rc = 0;
	svc_actor_operator(&op);
	if (!doc) {
		rc = err_set(e, AIMS_EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
		goto out;
	}
	/* The demo's root is the database's root organisation. */
	rc = svc_org_list(s, &op, &orgs, e);
	if (rc)
		goto out;
	if (json_array_size(orgs) == 0) {
		rc = err_set(e, AIMS_EINVAL, "run aims init first");
		goto out;
	}
	json_int_t root = json_integer_value(json_object_get(json_array_get(orgs, 0), "id"));
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(doc, "orgs"), i, item) {
		const char *key = json_string_value(json_object_get(item, "key"));
		json_t *parent = json_object_get(item, "parent");
		if (!key) {
			rc = err_set(e, AIMS_EINVAL, "%s: orgs[%zu] has no key", path, i);
			goto out;
		}
		if (json_is_null(parent) || !parent) {
			json_object_set_new(keys, key, json_integer(root));
			continue;
		}
		json_t *parent_id = json_object_get(keys, json_string_value(parent));
		if (!parent_id) {
			rc = err_set(e, AIMS_EINVAL, "%s: org %s names unknown parent", path, key);
			goto out;
		}
		json_t *input = json_pack("{sO sO sO}", "name", json_object_get(item, "name"), "kind",
					  json_object_get(item, "kind"), "parent_id", parent_id);
		json_t *created = NULL;
		rc = svc_org_create(s, &op, input, &created, e);
		json_decref(input);
		if (rc)
			goto out;
		json_object_set(keys, key, json_object_get(created, "id"));
		json_decref(created);
	}
	json_array_foreach(json_object_get(doc, "users"), i, item) {
		json_t *org_id = json_object_get(keys, json_string_value(json_object_get(item, "org")));
		if (!org_id) {
			rc = err_set(e, AIMS_EINVAL, "%s: users[%zu] names an unknown org", path, i);
			goto out;
		}
		json_t *input = json_pack("{sO* sO* ss sO sO*}", "email", json_object_get(item, "email"), "name",
					  json_object_get(item, "name"), "password", password, "org_id", org_id,
					  "role", json_object_get(item, "role"));
		if (json_object_get(item, "locale"))
			json_object_set(input, "locale", json_object_get(item, "locale"));
		json_t *created = NULL;
		rc = svc_user_create(s, &op, input, &created, e);
		json_decref(input);
		json_decref(created);
		if (rc)
			goto out;
	}
	json_array_foreach(json_object_get(doc, "systems"), i, item) {
		struct actor owner = { 0 };
		json_t *input = json_deep_copy(item);
		json_t *org_id = json_object_get(keys, json_string_value(json_object_get(item, "org")));
		const char *owner_email = json_string_value(json_object_get(item, "owner"));
		json_t *risks = json_incref(json_object_get(item, "risks"));
		json_object_del(input, "org");
		json_object_del(input, "owner");
		json_object_del(input, "risks");
		if (!org_id || !owner_email) {
			json_decref(input);
			rc = err_set(e, AIMS_EINVAL, "%s: systems[%zu] needs org and owner", path, i);
			goto out;
		}
		json_object_set(input, "org_id", org_id);
		json_t *created = NULL;
		rc = svc_actor_by_email(s, owner_email, &owner, e);
		if (!rc)
			rc = svc_system_create(s, &owner, input, &created, e);
		size_t k;
		json_t *risk;
		json_array_foreach(risks, k, risk) {
			json_t *risk_input = json_deep_copy(risk), *made = NULL;
			if (rc)
				break;
			json_object_set(risk_input, "system_id", json_object_get(created, "id"));
			/* "owner": the e-mail of the risk owner, accountable for managing it. */
			const char *risk_owner = json_string_value(json_object_get(risk, "owner"));
			if (risk_owner) {
				struct actor ro = { 0 };
				rc = svc_actor_by_email(s, risk_owner, &ro, e);
				if (!rc)
					json_object_set_new(risk_input, "owner_user_id", json_integer(ro.user_id));
				actor_release(&ro);
				json_object_del(risk_input, "owner");
			}
			if (!rc)
				rc = svc_risk_create(s, &owner, json_integer_value(org_id), risk_input, &made, e);
			json_decref(risk_input);
			json_decref(made);
		}
		json_decref(risks);
		actor_release(&owner);
		json_decref(input);
		json_decref(created);
		if (rc) {
			demo_error(e, rc, path, "systems", i);
			goto out;
		}
	}
	/* The Statement of Applicability: each entry set by its "by" user (an officer),
	 * with "owner" the e-mail of the control's owner. */
	json_array_foreach(json_object_get(doc, "soa"), i, item) {
		struct actor by = { 0 }, owner = { 0 };
		json_t *input = json_deep_copy(item), *made = NULL;
		json_t *org_id = json_object_get(keys, json_string_value(json_object_get(item, "org")));
		const char *control = json_string_value(json_object_get(item, "control_id"));
		const char *by_email = json_string_value(json_object_get(item, "by"));
		const char *owner_email = json_string_value(json_object_get(item, "owner"));
		json_object_del(input, "org");
		json_object_del(input, "control_id");
		json_object_del(input, "by");
		json_object_del(input, "owner");
		if (!org_id || !control || !by_email)
			rc = err_set(e, AIMS_EINVAL, "soa[%zu] needs org, control_id and by", i);
		if (!rc)
			rc = svc_actor_by_email(s, by_email, &by, e);
		if (!rc && owner_email && !(rc = svc_actor_by_email(s, owner_email, &owner, e)))
			json_object_set_new(input, "owner_user_id", json_integer(owner.user_id));
		if (!rc)
			rc = svc_soa_set(s, &by, json_integer_value(org_id), control, input, 0, &made, e);
		actor_release(&by);
		actor_release(&owner);
		json_decref(input);
		json_decref(made);
		if (rc) {
			demo_error(e, rc, path, "soa", i);
			goto out;
		}
	}
out:
	json_decref(doc);
	json_decref(keys);
	json_decref(orgs);
	return rc;
}
