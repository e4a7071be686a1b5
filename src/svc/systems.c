/*
 * systems.c: the AI system inventory use cases: register, read, change, archive,
 * list with filters and keyset cursors, history, CSV export and all-or-nothing CSV
 * import.
 *
 * Rights (model/role.c): create needs RIGHT_SYSTEM_CREATE on the target organisation;
 * change and archive need RIGHT_SYSTEM_EDIT_ANY there, or RIGHT_SYSTEM_EDIT_OWN when
 * the caller owns the system. Moving a system to another organisation needs the
 * create right on the destination too.
 */
#include "svc/internal.h"
#include "base/buf.h"
#include "base/text.h"
#include "model/record.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 50
#define LIST_MAX 500
#define EXPORT_MAX 200000

/* Fields the API shows; the store adds org_path, which stays internal. */
static void public_view(json_t *system)
{
	json_object_del(system, "org_path");
}

bool svc_system_can_edit(const struct actor *a, json_t *system)
{
	const char *path = json_string_value(json_object_get(system, "org_path"));
	if (!path)
		return a->operator;
	unsigned r = actor_rights_on(a, path);
	if (r & RIGHT_SYSTEM_EDIT_ANY)
		return true;
	return (r & RIGHT_SYSTEM_EDIT_OWN) &&
	       json_integer_value(json_object_get(system, "owner_user_id")) == a->user_id;
}

/* Reads a system the actor can see (org_path kept for rights checks). */
static int load_visible(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *sys = NULL;
	int rc = store_system_get(s, id, &sys, e);
	if (rc)
		return rc;
	if (!actor_can_see(a, json_string_value(json_object_get(sys, "org_path")))) {
		json_decref(sys);
		return err_set(e, AIMS_ENOTFOUND, "no such AI system");
	}
	*out = sys;
	return 0;
}

int svc_system_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	int rc = load_visible(s, a, id, out, e);
	if (!rc)
		public_view(*out);
	return rc;
}

/*
 * Resolves the organisation of a new or moved system and checks the create right
 * there. Returns the org's path in path_out (static length).
 */
static int check_target_org(struct store *s, const struct actor *a, int64_t org_id, long line,
			    char path_out[ORG_PATH_MAX], struct err *e)
{
	json_t *org = NULL;
	int rc = store_org_get(s, org_id, &org, e);
	if (rc == AIMS_ENOTFOUND) {
		/* keep earlier field errors: a CSV import collects them across lines */
		err_field_code(e, line, "org_id", "no_org", -1, "no such organisation");
		return AIMS_EINVAL;
	}
	if (rc)
		return rc;
	snprintf(path_out, ORG_PATH_MAX, "%s", json_string_value(json_object_get(org, "path")));
	json_decref(org);
	/* An organisation outside the caller's branches is forbidden like one they may only read. */
	if (!(actor_rights_on(a, path_out) & RIGHT_SYSTEM_CREATE))
		return err_set(e, AIMS_EFORBIDDEN, "your role does not allow registering AI systems in that organisation");
	return 0;
}

/* The owner must hold some role on the system's organisation or above it. */
static int check_owner(struct store *s, int64_t owner_id, const char *org_path, long line, struct err *e)
{
	struct membership *ms = NULL;
	size_t n = 0;
	bool ok = false;
	int rc = store_membership_list(s, owner_id, &ms, &n, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !ok; i++)
		ok = org_path_within(org_path, ms[i].org_path);
	free(ms);
	if (!ok) {
		err_field_code(e, line, "owner_user_id", "owner", -1, "must be a user with a role on the system's organisation");
		return AIMS_EINVAL;
	}
	return 0;
}

/* Validation, defaults and checks of one new system; no transaction handling. */
int svc_system_create_in_tx(struct store *s, const struct actor *a, json_t *input, long line,
		      const char *now, int64_t *id_out, struct err *e)
{
	json_t *fields = NULL;
	char path[ORG_PATH_MAX];
	int rc = record_validate(&record_system, input, RECORD_CREATE, line, &fields, e);
	if (rc)
		return rc;
	if (json_object_get(fields, "status")) {
		err_field(e, line, "status", "cannot be set on create; new systems are active");
		rc = AIMS_EINVAL;
		goto out;
	}
	if (!json_object_get(fields, "org_id")) {
		const struct membership *home = actor_home(a, RIGHT_SYSTEM_CREATE);
		if (!home) {
			rc = a->operator ? (err_field(e, line, "org_id", "is required"), AIMS_EINVAL)
					 : err_set(e, AIMS_EFORBIDDEN, "your role does not allow registering AI systems");
			goto out;
		}
		json_object_set_new(fields, "org_id", json_integer(home->org_id));
	}
	if (!json_object_get(fields, "owner_user_id")) {
		if (a->operator) {
			err_field(e, line, "owner_user_id", "is required");
			rc = AIMS_EINVAL;
			goto out;
		}
		json_object_set_new(fields, "owner_user_id", json_integer(a->user_id));
	}
	rc = check_target_org(s, a, json_integer_value(json_object_get(fields, "org_id")), line, path, e);
	if (!rc)
		rc = check_owner(s, json_integer_value(json_object_get(fields, "owner_user_id")), path, line, e);
	if (rc)
		goto out;
	rc = store_system_create(s, fields, now, id_out, e);
	if (rc == AIMS_ECONFLICT && line > 0 && e && e->fields) {
		/* the store names the field; the CSV line is ours to add */
		json_t *last = json_array_get(e->fields, json_array_size(e->fields) - 1);
		json_object_set_new(last, "line", json_integer(line));
	}
	if (!rc)
		rc = svc_history_diff(s, now, a, "system", *id_out, NULL, fields, e);
out:
	json_decref(fields);
	return rc;
}

static int system_create_once(struct store *s, const struct actor *a, json_t *input, json_t **out,
		      struct err *e)
{
	char now[CLOCK_ISO_LEN];
	int64_t id = 0;
	*out = NULL;
	clock_now_iso(now);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	rc = svc_system_create_in_tx(s, a, input, 0, now, &id, e);
	if (!rc)
		rc = store_system_get(s, id, out, e);
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	} else {
		public_view(*out);
	}
	return rc;
}

int svc_system_create(struct store *s, const struct actor *a, json_t *input, json_t **out,
		      struct err *e)
{
	int rc, attempt = 0;
	do
		rc = system_create_once(s, a, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int system_update_once(struct store *s, const struct actor *a, int64_t id, json_t *input,
		      int64_t expected_version, json_t **out, struct err *e)
{
	char now[CLOCK_ISO_LEN], path[ORG_PATH_MAX];
	json_t *fields = NULL, *before = NULL;
	*out = NULL;
	int rc = record_validate(&record_system, input, RECORD_PATCH, 0, &fields, e);
	if (rc)
		return rc;
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	rc = load_visible(s, a, id, &before, e);
	if (rc)
		goto out;
	if (!svc_system_can_edit(a, before)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this AI system");
		goto out;
	}
	if (expected_version > 0 && json_integer_value(json_object_get(before, "version")) != expected_version) {
		rc = err_set(e, AIMS_ECONFLICT, "the AI system was changed by someone else (now version %lld); reload it",
			     (long long)json_integer_value(json_object_get(before, "version")));
		goto out;
	}
	/* Drop fields that do not change, so history and version reflect real edits. */
	const char *key;
	json_t *value;
	void *tmp;
	json_object_foreach_safe(fields, tmp, key, value) {
		json_t *old = json_object_get(before, key);
		if (json_is_null(value) && record_rule(&record_system, key)->flags & FIELD_REQUIRED) {
			err_field_code(e, 0, key, "required", -1, "is required");
			continue;
		}
		if (json_is_null(value) && record_rule(&record_system, key)->type == FIELD_TEXT)
			json_object_set_new(fields, key, value = json_string(""));
		if (json_is_null(value) && record_rule(&record_system, key)->type == FIELD_ENUM_LIST)
			json_object_set_new(fields, key, value = json_array());
		if (json_is_null(value) && (record_rule(&record_system, key)->type == FIELD_ENUM ||
					    record_rule(&record_system, key)->type == FIELD_ID)) {
			err_field(e, 0, key, "cannot be emptied");
			continue;
		}
		if (old && json_equal(old, value))
			json_object_del(fields, key);
	}
	if (err_field_count(e)) {
		rc = AIMS_EINVAL;
		goto out;
	}
	json_t *org_id = json_object_get(fields, "org_id");
	const char *org_path = json_string_value(json_object_get(before, "org_path"));
	if (org_id) {
		rc = check_target_org(s, a, json_integer_value(org_id), 0, path, e);
		if (rc)
			goto out;
		org_path = path;
	}
	if (org_id || json_object_get(fields, "owner_user_id")) {
		json_t *owner = json_object_get(fields, "owner_user_id");
		rc = check_owner(s, json_integer_value(owner ? owner : json_object_get(before, "owner_user_id")),
				 org_path, 0, e);
		if (rc)
			goto out;
	}
	if (json_object_size(fields)) {
		rc = store_system_update(s, id, fields, expected_version, now, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, "system", id, before, fields, e);
		if (!rc && org_id)
			rc = svc_risks_follow_system(s, a, id, json_integer_value(org_id), now, e);
	}
	if (!rc)
		rc = store_system_get(s, id, out, e);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	} else {
		public_view(*out);
	}
	json_decref(fields);
	json_decref(before);
	return rc;
}

int svc_system_update(struct store *s, const struct actor *a, int64_t id, json_t *input,
		      int64_t expected_version, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = system_update_once(s, a, id, input, expected_version, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_system_archive(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *input = json_pack("{ss}", "status", "archived");
	int rc = svc_system_update(s, a, id, input, 0, out, e);
	json_decref(input);
	return rc;
}

int svc_system_history(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *sys = NULL;
	int rc = load_visible(s, a, id, &sys, e);
	json_decref(sys);
	if (rc)
		return rc;
	return store_change_list(s, "system", id, 1000, out, e);
}

/* ---- listing ---- */

static char *cursor_encode(json_t *last, const char *sort)
{
	const char *col = (sort && (!strcmp(sort, "name") || !strcmp(sort, "updated_at"))) ? sort : "id";
	json_t *pair;
	if (sort && !strcmp(sort, "lifecycle_stage")) /* the store sorts by life-cycle order */
		pair = json_pack("[iO]", vocab_index(&vocab_lifecycle_stage,
						     json_string_value(json_object_get(last, "lifecycle_stage"))),
				 json_object_get(last, "id"));
	else
		pair = json_pack("[OO]", json_object_get(last, col), json_object_get(last, "id"));
	char *text = json_dumps(pair, JSON_COMPACT);
	json_decref(pair);
	if (!text)
		return NULL;
	size_t n = strlen(text);
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(cap);
	if (out)
		sodium_bin2base64(out, cap, (const unsigned char *)text, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	free(text);
	return out;
}

static json_t *cursor_decode(const char *cursor)
{
	unsigned char raw[1024];
	size_t n = 0;
	if (strlen(cursor) > 1300 ||
	    sodium_base642bin(raw, sizeof raw - 1, cursor, strlen(cursor), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return NULL;
	json_t *pair = json_loadb((const char *)raw, n, 0, NULL);
	if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(json_array_get(pair, 1)) ||
	    !(json_is_string(json_array_get(pair, 0)) || json_is_integer(json_array_get(pair, 0)))) {
		json_decref(pair);
		return NULL;
	}
	return pair;
}

/* Turns the front end's query into a store query; bad values are field errors. */
static int build_query(struct store *s, const struct actor *a, const struct svc_system_query *in,
		       struct store_system_query *q, struct svc_scope *scope, char org_path[ORG_PATH_MAX],
		       struct err *e)
{
	memset(q, 0, sizeof *q);
	svc_scope_of(a, scope);
	q->scope = scope->scope;
	q->q = in->q && *in->q ? in->q : NULL;
	if (q->q && strlen(q->q) > 200)
		err_field(e, 0, "q", "must be at most 200 bytes");
	if (in->lifecycle_stage && *in->lifecycle_stage) {
		if (!vocab_has(&vocab_lifecycle_stage, in->lifecycle_stage))
			err_field(e, 0, "lifecycle_stage", "unknown life-cycle stage");
		q->lifecycle_stage = in->lifecycle_stage;
	}
	if (in->org_role && *in->org_role) {
		if (!vocab_has(&vocab_org_role, in->org_role))
			err_field(e, 0, "org_role", "unknown organisation role");
		q->org_role = in->org_role;
	}
	q->status = "active";
	if (in->status && *in->status) {
		if (!strcmp(in->status, "all"))
			q->status = NULL;
		else if (vocab_has(&vocab_system_status, in->status))
			q->status = in->status;
		else
			err_field(e, 0, "status", "must be active, archived or all");
	}
	q->sort = "id";
	if (in->sort && *in->sort) {
		if (strcmp(in->sort, "id") && strcmp(in->sort, "name") && strcmp(in->sort, "updated_at") &&
		    strcmp(in->sort, "lifecycle_stage"))
			err_field(e, 0, "sort", "must be id, name, updated_at or lifecycle_stage");
		else
			q->sort = in->sort;
	}
	if (in->order && *in->order) {
		if (!strcmp(in->order, "desc"))
			q->descending = true;
		else if (strcmp(in->order, "asc"))
			err_field(e, 0, "order", "must be asc or desc");
	}
	q->limit = in->limit ? in->limit : LIST_DEFAULT;
	if (q->limit < 1 || q->limit > LIST_MAX)
		err_field(e, 0, "limit", "must be between 1 and %d", LIST_MAX);
	if (in->cursor && *in->cursor && !(q->after = cursor_decode(in->cursor)))
		err_field(e, 0, "cursor", "is not a cursor this server gave out");
	q->owner_user_id = in->owner_user_id;
	if (in->org_id > 0) {
		json_t *org = NULL;
		if (store_org_get(s, in->org_id, &org, NULL) == 0 &&
		    actor_can_see(a, json_string_value(json_object_get(org, "path")))) {
			snprintf(org_path, ORG_PATH_MAX, "%s", json_string_value(json_object_get(org, "path")));
			q->org_path = org_path;
		} else {
			err_field(e, 0, "org_id", "no such organisation");
		}
		json_decref(org);
	}
	if (err_field_count(e)) {
		json_decref(q->after);
		q->after = NULL;
		if (e)
			e->code = AIMS_EBADREQ;
		return AIMS_EBADREQ;
	}
	return 0;
}

int svc_system_list(struct store *s, const struct actor *a, const struct svc_system_query *in,
		    json_t **out, struct err *e)
{
	struct store_system_query q;
	struct svc_scope scope;
	char org_path[ORG_PATH_MAX];
	json_t *items = NULL;
	int64_t total = 0;
	*out = NULL;
	int rc = build_query(s, a, in, &q, &scope, org_path, e);
	if (rc)
		return rc;
	q.limit += 1; /* one more row tells whether a next page exists */
	rc = store_system_list(s, &q, &items, &total, e);
	q.limit -= 1;
	json_decref(q.after);
	if (rc)
		return rc;
	json_t *next = json_null();
	if (json_array_size(items) > (size_t)q.limit) {
		json_array_remove(items, (size_t)q.limit);
		char *c = cursor_encode(json_array_get(items, (size_t)q.limit - 1), q.sort);
		if (c) {
			next = json_string(c);
			free(c);
		}
	}
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
		public_view(item);
	*out = json_pack("{so so sI}", "items", items, "next_cursor", next, "total", (json_int_t)total);
	return 0;
}

int svc_system_export(struct store *s, const struct actor *a, const struct svc_system_query *in,
		      json_t **out, struct err *e)
{
	struct store_system_query q;
	struct svc_scope scope;
	char org_path[ORG_PATH_MAX];
	struct svc_system_query copy = *in;
	copy.limit = 1;
	copy.cursor = NULL;
	*out = NULL;
	int rc = build_query(s, a, &copy, &q, &scope, org_path, e);
	if (rc)
		return rc;
	q.limit = EXPORT_MAX;
	rc = store_system_list(s, &q, out, NULL, e);
	if (!rc) {
		size_t i;
		json_t *item;
		json_array_foreach(*out, i, item)
			public_view(item);
	}
	return rc;
}
