/*
 * common.c: scope building, history diffs, the commit-or-rollback ending, the retry
 * rule and the visible-organisation and visible-system loaders shared by the use cases.
 */
#include "svc/internal.h"
#include "base/buf.h"
#include "base/secret.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void svc_scope_of(const struct actor *a, struct svc_scope *out)
{
	memset(out, 0, sizeof *out);
	out->scope.paths = out->paths;
	if (a->operator) {
		out->scope.all = true;
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < a->membership_count && n < 64; i++) {
		const struct membership *m = &a->memberships[i];
		if (!(role_rights(m->role) & RIGHT_READ))
			continue;
		/* A role on a root organisation ("/1/") covers every row there is. */
		const char *second = strchr(m->org_path + 1, '/');
		if (second && second[1] == '\0') {
			out->scope.all = true;
			return;
		}
		out->paths[n++] = m->org_path;
	}
	out->scope.count = n;
}

char *svc_value_text(json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_array(v)) {
		struct buf b = BUF_INIT(1 << 20);
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item) {
			if (i)
				buf_addch(&b, ';');
			if (json_is_string(item))
				buf_addstr(&b, json_string_value(item));
		}
		return buf_detach(&b, NULL);
	}
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static bool same_value(json_t *a, json_t *b)
{
	if (!a)
		a = json_null();
	if (!b)
		b = json_null();
	/* "" and null both mean "not set" for text fields. */
	if (json_is_string(a) && json_string_length(a) == 0 && json_is_null(b))
		return true;
	if (json_is_string(b) && json_string_length(b) == 0 && json_is_null(a))
		return true;
	return json_equal(a, b);
}

int svc_history_diff(struct store *s, const char *now, const struct actor *a, const char *type,
		     int64_t id, json_t *before, json_t *changes, struct err *e)
{
	const char *key;
	json_t *value;
	if (!before) {
		/* A creation is one row: field "*", the new record as JSON, secrets left out. */
		json_t *snapshot = json_deep_copy(changes);
		json_object_del(snapshot, "password");
		json_object_del(snapshot, "password_hash");
		char *text = json_dumps(snapshot, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(snapshot);
		int rc = store_change_add(s, now, a->user_id, type, id, "*", NULL, text ? text : "{}", e);
		free(text);
		return rc;
	}
	json_object_foreach(changes, key, value) {
		if (strcmp(key, "password") == 0 || strcmp(key, "password_hash") == 0)
			continue;
		json_t *old = before ? json_object_get(before, key) : NULL;
		if (before && same_value(old, value))
			continue;
		char *old_text = svc_value_text(old);
		char *new_text = svc_value_text(value);
		int rc = store_change_add(s, now, a->user_id, type, id, key, old_text, new_text, e);
		free(old_text);
		free(new_text);
		if (rc)
			return rc;
	}
	return 0;
}

int svc_finish(struct store *s, int rc, struct err *e)
{
	if (rc) {
		store_tx_rollback(s);
		return rc;
	}
	rc = store_tx_commit(s, e);
	if (rc)
		store_tx_rollback(s);
	return rc;
}

bool svc_retry(int rc, int *attempt, struct err *e)
{
	if (rc != AIMS_ERETRY || *attempt + 1 >= SVC_TX_ATTEMPTS)
		return false;
	(*attempt)++;
	err_release(e);
	/* 0.5–1.5 ms, 1–3 ms, 2–6 ms, ...: jittered exponential backoff. */
	uint32_t base_us = 1000u << (*attempt - 1);
	uint32_t wait_us = base_us / 2 + secret_random_below(2 * base_us);
	struct timespec ts = { .tv_sec = wait_us / 1000000u, .tv_nsec = (long)(wait_us % 1000000u) * 1000 };
	nanosleep(&ts, NULL);
	return true;
}

void svc_today(char out[11])
{
	char now[CLOCK_ISO_LEN];
	clock_now_iso(now);
	memcpy(out, now, 10);
	out[10] = '\0';
}

/* The organisation if the actor may see it (with its path); else AIMS_ENOTFOUND. */
int svc_load_org(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e)
{
	int rc = store_org_get(s, org_id, out, e);
	if (rc)
		return rc == AIMS_ENOTFOUND ? err_set(e, AIMS_ENOTFOUND, "no such organisation") : rc;
	if (!actor_can_see(a, json_string_value(json_object_get(*out, "path")))) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, AIMS_ENOTFOUND, "no such organisation");
	}
	return 0;
}

/* The system if the actor may see it (org_path kept for rights); else AIMS_ENOTFOUND. */
int svc_load_system(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	int rc = store_system_get(s, id, out, e);
	if (rc)
		return rc;
	if (!actor_can_see(a, json_string_value(json_object_get(*out, "org_path")))) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, AIMS_ENOTFOUND, "no such AI system");
	}
	return 0;
}


int64_t svc_param_int(const char *text, const char *name, int64_t min, int64_t max, int64_t def, struct err *e)
{
	int64_t v = def;
	if (text && *text && text_parse_int64(text, min, max, &v)) {
		err_field_code(e, 0, name, "range", max, "must be a whole number from %lld to %lld", (long long)min,
			       (long long)max);
		v = def;
	}
	return v;
}

bool svc_holds_role_on(struct store *s, int64_t user_id, const char *org_path, struct err *e)
{
	struct membership *ms = NULL;
	size_t n = 0;
	bool ok = false;
	if (store_membership_list(s, user_id, &ms, &n, e))
		return false;
	for (size_t i = 0; i < n && !ok; i++)
		ok = org_path_within(org_path, ms[i].org_path);
	free(ms);
	return ok;
}

int svc_users_with_role_on(struct store *s, const char *org_path, json_t **out, struct err *e)
{
	struct store_scope everyone = { .all = true };
	json_t *users = NULL, *list = json_array();
	*out = NULL;
	/* One membership query per user: the same test the saves apply, so a form offers
	 * exactly who they accept. Fine for an organisation's few hundred users. */
	int rc = store_user_list(s, &everyone, &users, e);
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) {
		if (rc)
			break;
		bool ok = svc_holds_role_on(s, json_integer_value(json_object_get(u, "id")), org_path, e);
		if (e->code)
			rc = e->code;
		else if (ok)
			json_array_append_new(list, json_pack("{sO sO sO}", "id", json_object_get(u, "id"), "email",
							      json_object_get(u, "email"), "name", json_object_get(u, "name")));
	}
	if (!rc) {
		*out = list;
		list = NULL;
	}
	json_decref(list);
	json_decref(users);
	return rc;
}

json_t *svc_keep_visible(struct store *s, const struct actor *a, json_t *rows, const char *org_field)
{
	json_t *kept = json_array(), *org = NULL;
	size_t i;
	json_t *it;
	json_array_foreach(rows, i, it) {
		struct err ignored = ERR_INIT;
		int hidden = svc_load_org(s, a, json_integer_value(json_object_get(it, org_field)), &org, &ignored);
		err_release(&ignored);
		json_decref(org);
		org = NULL;
		if (!hidden)
			json_array_append(kept, it);
	}
	json_decref(rows);
	return kept;
}
