/*
 * users.c: user and membership use cases. Only admins manage users, and only users
 * with a role inside the admin's subtrees; a new user always gets a first role, so no
 * account exists that nobody can see.
 */
#include "svc/internal.h"
#include "base/secret.h"
#include "model/record.h"

#include <stdlib.h>
#include <string.h>

json_t *svc_actor_json(const struct actor *a)
{
	json_t *ms = json_array();
	for (size_t i = 0; i < a->membership_count; i++)
		json_array_append_new(ms, json_pack("{sI ss ss ss}", "org_id", (json_int_t)a->memberships[i].org_id,
						    "org_name", a->memberships[i].org_name, "org_path",
						    a->memberships[i].org_path, "role", a->memberships[i].role));
	return json_pack("{sI ss ss ss sb so}", "id", (json_int_t)a->user_id, "email", a->email, "name", a->name,
			 "locale", a->locale, "disabled", 0, "memberships", ms);
}

static int attach_memberships(struct store *s, json_t *user, struct err *e)
{
	struct membership *ms = NULL;
	size_t n = 0;
	int rc = store_membership_list(s, json_integer_value(json_object_get(user, "id")), &ms, &n, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{sI ss ss ss}", "org_id", (json_int_t)ms[i].org_id,
						     "org_name", ms[i].org_name, "org_path", ms[i].org_path,
						     "role", ms[i].role));
	free(ms);
	json_object_set_new(user, "memberships", arr);
	return 0;
}

/* Visible to an admin when one of the user's roles lies in the admin's subtrees. */
static bool admin_sees_user(const struct actor *a, json_t *user)
{
	if (a->operator)
		return true;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(user, "memberships"), i, m)
		if (actor_rights_on(a, json_string_value(json_object_get(m, "org_path"))) & RIGHT_ADMIN)
			return true;
	return false;
}

/* Roles on organisations the actor cannot see stay hidden: nobody sees another branch. */
static void hide_foreign_memberships(const struct actor *a, json_t *user)
{
	if (a->operator || json_integer_value(json_object_get(user, "id")) == a->user_id)
		return;
	json_t *ms = json_object_get(user, "memberships");
	for (size_t i = json_array_size(ms); i-- > 0;)
		if (!actor_can_see(a, json_string_value(json_object_get(json_array_get(ms, i), "org_path"))))
			json_array_remove(ms, i);
}

int svc_user_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *user = NULL;
	*out = NULL;
	int rc = store_user_get(s, id, &user, e);
	if (!rc)
		rc = attach_memberships(s, user, e);
	if (!rc && a->user_id != id && !admin_sees_user(a, user))
		rc = err_set(e, AIMS_ENOTFOUND, "no such user");
	if (!rc)
		hide_foreign_memberships(a, user);
	if (rc) {
		json_decref(user);
		return rc;
	}
	*out = user;
	return 0;
}

int svc_user_list(struct store *s, const struct actor *a, json_t **out, struct err *e)
{
	struct svc_scope scope;
	json_t *all = NULL;
	*out = NULL;
	if (!(actor_rights_anywhere(a) & RIGHT_ADMIN))
		return err_set(e, AIMS_EFORBIDDEN, "only admins may list users");
	svc_scope_of(a, &scope);
	int rc = store_user_list(s, &scope.scope, &all, e);
	if (rc)
		return rc;
	json_t *visible = json_array();
	size_t i;
	json_t *user;
	json_array_foreach(all, i, user) {
		if ((rc = attach_memberships(s, user, e)))
			break;
		if (admin_sees_user(a, user)) {
			hide_foreign_memberships(a, user);
			json_array_append(visible, user);
		}
	}
	json_decref(all);
	if (rc) {
		json_decref(visible);
		return rc;
	}
	*out = visible;
	return 0;
}

/* Checks org_id exists, is visible and the actor is admin there; fills its path. */
static int check_admin_org(struct store *s, const struct actor *a, int64_t org_id, struct err *e)
{
	json_t *org = NULL;
	int rc = store_org_get(s, org_id, &org, e);
	if (rc == AIMS_ENOTFOUND || (!rc && !actor_can_see(a, json_string_value(json_object_get(org, "path"))))) {
		json_decref(org);
		err_release(e);
		err_field(e, 0, "org_id", "no such organisation");
		return AIMS_EINVAL;
	}
	if (rc)
		return rc;
	if (!(actor_rights_on(a, json_string_value(json_object_get(org, "path"))) & RIGHT_ADMIN))
		rc = err_set(e, AIMS_EFORBIDDEN, "only an admin of that organisation may grant roles on it");
	json_decref(org);
	return rc;
}

static int user_create_once(struct store *s, const struct actor *a, json_t *input, json_t **out, struct err *e)
{
	char now[CLOCK_ISO_LEN], hash[SECRET_PWHASH_MAX];
	json_t *fields = NULL;
	int64_t id = 0;
	*out = NULL;
	int rc = record_validate(&record_user, input, RECORD_CREATE, 0, &fields, e);
	if (rc)
		return rc;
	const char *password = json_string_value(json_object_get(fields, "password"));
	json_t *org_id = json_object_get(fields, "org_id");
	const char *role = json_string_value(json_object_get(fields, "role"));
	if (!password)
		err_field(e, 0, "password", "is required");
	if (!org_id)
		err_field(e, 0, "org_id", "is required: a user starts with a role on an organisation");
	if (!role)
		err_field(e, 0, "role", "is required");
	if (json_object_get(fields, "disabled"))
		err_field(e, 0, "disabled", "cannot be set on create; disable the user afterwards");
	if (err_field_count(e)) {
		json_decref(fields);
		return AIMS_EINVAL;
	}
	if (secret_password_hash(password, hash)) {
		json_decref(fields);
		return err_set(e, AIMS_ENOMEM, "out of memory while hashing");
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	rc = check_admin_org(s, a, json_integer_value(org_id), e);
	if (rc)
		goto out;
	const char *name = json_string_value(json_object_get(fields, "name"));
	rc = store_user_create(s, json_string_value(json_object_get(fields, "email")), name ? name : "",
			       hash, json_string_value(json_object_get(fields, "locale")), now, &id, e);
	if (!rc)
		rc = store_membership_set(s, id, json_integer_value(org_id), role, now, e);
	if (!rc)
		rc = svc_history_diff(s, now, a, "user", id, NULL, fields, e);
	if (!rc)
		rc = store_user_get(s, id, out, e);
	if (!rc)
		rc = attach_memberships(s, *out, e);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(fields);
	return rc;
}

int svc_user_create(struct store *s, const struct actor *a, json_t *input, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = user_create_once(s, a, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int user_update_once(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
		    struct err *e)
{
	char now[CLOCK_ISO_LEN];
	json_t *fields = NULL, *before = NULL;
	*out = NULL;
	int rc = record_validate(&record_user, input, RECORD_PATCH, 0, &fields, e);
	if (rc)
		return rc;
	static const char *const fixed[] = { "email", "password", "org_id", "role" };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (json_object_get(fields, fixed[i]))
			err_field(e, 0, fixed[i], "cannot be changed here");
	if (err_field_count(e)) {
		json_decref(fields);
		return AIMS_EINVAL;
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	rc = svc_user_get(s, a, id, &before, e);
	if (rc)
		goto out;
	bool self = a->user_id == id;
	if (!svc_admin_over_user(s, a, id, e) && !(self && !json_object_get(fields, "disabled"))) {
		rc = err_set(e, AIMS_EFORBIDDEN, "only an admin may change this user");
		goto out;
	}
	if (json_object_size(fields))
		rc = store_user_update(s, id, fields, now, e);
	if (!rc && json_is_true(json_object_get(fields, "disabled")))
		rc = store_session_delete_user(s, id, e);
	if (!rc)
		rc = svc_history_diff(s, now, a, "user", id, before, fields, e);
	if (!rc)
		rc = svc_user_get(s, a, id, out, e);
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

int svc_user_update(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
		    struct err *e)
{
	int rc, attempt = 0;
	do
		rc = user_update_once(s, a, id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int membership_set_once(struct store *s, const struct actor *a, int64_t user_id, json_t *input,
		       json_t **out, struct err *e)
{
	char now[CLOCK_ISO_LEN], field[64];
	json_t *fields = NULL, *user = NULL;
	*out = NULL;
	int rc = record_validate(&record_user, input, RECORD_PATCH, 0, &fields, e);
	if (rc)
		return rc;
	json_t *org_id = json_object_get(fields, "org_id");
	const char *role = json_string_value(json_object_get(fields, "role"));
	if (!org_id)
		err_field(e, 0, "org_id", "is required");
	if (!role)
		err_field(e, 0, "role", "is required");
	if (json_object_size(fields) > 2)
		err_field(e, 0, "", "only org_id and role are accepted");
	if (err_field_count(e)) {
		json_decref(fields);
		return AIMS_EINVAL;
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	/* Only users the admin can already see: granting must not reveal other branches' users. */
	rc = svc_user_get(s, a, user_id, &user, e);
	if (!rc)
		rc = check_admin_org(s, a, json_integer_value(org_id), e);
	if (!rc)
		rc = store_membership_set(s, user_id, json_integer_value(org_id), role, now, e);
	snprintf(field, sizeof field, "role@%lld", (long long)json_integer_value(org_id));
	if (!rc)
		rc = store_change_add(s, now, a->user_id, "user", user_id, field, NULL, role, e);
	if (!rc)
		rc = svc_user_get(s, a, user_id, out, e);
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(fields);
	json_decref(user);
	return rc;
}

int svc_membership_set(struct store *s, const struct actor *a, int64_t user_id, json_t *input,
		       json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = membership_set_once(s, a, user_id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int membership_delete_once(struct store *s, const struct actor *a, int64_t user_id, int64_t org_id,
			  struct err *e)
{
	char now[CLOCK_ISO_LEN], field[64];
	clock_now_iso(now);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	rc = check_admin_org(s, a, org_id, e);
	if (rc == AIMS_EINVAL) {
		err_release(e);
		rc = err_set(e, AIMS_ENOTFOUND, "no such organisation");
	}
	if (!rc)
		rc = store_membership_delete(s, user_id, org_id, e);
	snprintf(field, sizeof field, "role@%lld", (long long)org_id);
	if (!rc)
		rc = store_change_add(s, now, a->user_id, "user", user_id, field, "(revoked)", NULL, e);
	return svc_finish(s, rc, e);
}

int svc_membership_delete(struct store *s, const struct actor *a, int64_t user_id, int64_t org_id,
			  struct err *e)
{
	int rc, attempt = 0;
	do
		rc = membership_delete_once(s, a, user_id, org_id, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}
