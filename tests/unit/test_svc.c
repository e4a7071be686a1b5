/*
 * test_svc.c: the use cases (svc/) on a real SQLite database.
 *
 * The world is built once through svc itself, as the local operator: svc_init makes
 * the root "Test City" and its admin; bureaus A (with department A1) and B; an officer,
 * two owners and a viewer on A, an officer on B. It is saved as a template file, and
 * every test works on its own copy, so tests cannot see each other's changes and
 * argon2 hashing (about 0.1 s a password) is paid once, not per test.
 *
 * Covers the rights matrix (create, edit own/any, reading across branches), history
 * rows per changed field, archiving, cursor pagination through svc, parameter
 * errors, all-or-nothing CSV import (line and field of every problem, quoting, BOM,
 * unknown columns), CSV export read back by import (another installation, another
 * organisation, formula-guarded cells), sign-in with throttling, sessions, API
 * tokens and password changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/secret.h"
#include "store/store.h"
#include "svc/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STR(obj, key) json_string_value(json_object_get((obj), (key)))
#define INT(obj, key) json_integer_value(json_object_get((obj), (key)))

#define PASSWORD "correct-horse-battery-1"
#define ADMIN_EMAIL "admin@example.org"

/* The template world, built by group_setup. */
static struct {
	char dir[64];
	char path[128];
	int64_t root, a, a1, b;
} world;

static const struct {
	const char *email, *org, *role;
} people[] = {
	{ "officer.a@example.org", "A", "officer" },
	{ "owner.a@example.org", "A", "owner" },
	{ "owner2.a@example.org", "A", "owner" },
	{ "viewer.a@example.org", "A", "viewer" },
	{ "officer.b@example.org", "B", "officer" },
};
enum { OFFICER_A, OWNER_A, OWNER2_A, VIEWER_A, OFFICER_B, PEOPLE };

struct fx {
	struct store *s;
	char dir[64];
	struct actor op, admin, who[PEOPLE];
};

/* ------------------------------------------------------------------ helpers */

static void check(int rc, struct err *e, const char *what)
{
	if (rc != 0) {
		char msg[sizeof e->message];
		char *fields = e->fields ? json_dumps(e->fields, JSON_COMPACT) : NULL;
		memcpy(msg, e->message, sizeof msg);
		print_error("%s failed: %d %s %s\n", what, rc, msg, fields ? fields : "");
		free(fields);
		err_release(e);
		fail();
	}
}

static json_t *field_error(const struct err *e, const char *field)
{
	size_t i;
	json_t *item;
	if (!e->fields)
		return NULL;
	json_array_foreach(e->fields, i, item)
		if (!strcmp(STR(item, "field"), field))
			return item;
	return NULL;
}

static json_t *sys_input(const char *name)
{
	return json_pack("{ss ss ss}", "name", name, "purpose", "what it is for", "lifecycle_stage", "deployment");
}

/* Creates a system as actor; input is stolen; returns the new id or fails the test. */
static int64_t create_ok(struct fx *f, const struct actor *a, json_t *input)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int rc = svc_system_create(f->s, a, input, &out, &e);
	json_decref(input);
	check(rc, &e, "system create");
	int64_t id = INT(out, "id");
	json_decref(out);
	assert_true(id > 0);
	return id;
}

/* Creation that must fail; returns the code and leaves e filled (release it). */
static int create_fails(struct fx *f, const struct actor *a, json_t *input, struct err *e)
{
	json_t *out = NULL;
	int rc = svc_system_create(f->s, a, input, &out, e);
	json_decref(input);
	assert_null(out);
	return rc;
}

static int update(struct fx *f, const struct actor *a, int64_t id, json_t *input, int64_t version,
		  struct err *e)
{
	json_t *out = NULL;
	int rc = svc_system_update(f->s, a, id, input, version, &out, e);
	json_decref(input);
	json_decref(out);
	return rc;
}

static json_t *history(struct fx *f, const struct actor *a, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *rows = NULL;
	check(svc_system_history(f->s, a, id, &rows, &e), &e, "history");
	return rows;
}

static int64_t list_total(struct fx *f, const struct actor *a, const char *status)
{
	struct err e = ERR_INIT;
	struct svc_system_query q;
	json_t *out = NULL;
	memset(&q, 0, sizeof q);
	q.status = status;
	check(svc_system_list(f->s, a, &q, &out, &e), &e, "list");
	int64_t total = INT(out, "total");
	assert_int_equal((int64_t)json_array_size(json_object_get(out, "items")), total < 50 ? total : 50);
	json_decref(out);
	return total;
}

static bool items_have(json_t *items, int64_t id)
{
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
		if (INT(item, "id") == id)
			return true;
	return false;
}

static int import(struct fx *f, const struct actor *a, const char *csv, json_t **out, struct err *e)
{
	*out = NULL;
	return svc_system_import_csv(f->s, a, csv, strlen(csv), out, e);
}

static int64_t import_ok(struct fx *f, const struct actor *a, const char *csv, json_t **ids)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	check(import(f, a, csv, &out, &e), &e, "import");
	int64_t created = INT(out, "created");
	assert_int_equal((int64_t)json_array_size(json_object_get(out, "ids")), created);
	if (ids)
		*ids = json_incref(json_object_get(out, "ids"));
	json_decref(out);
	return created;
}

static json_t *get(struct fx *f, const struct actor *a, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	check(svc_system_get(f->s, a, id, &out, &e), &e, "get");
	return out;
}

/* ------------------------------------------------------------------ world */

static int64_t make_org(struct store *s, const struct actor *op, const char *name, const char *kind,
			int64_t parent)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss sI}", "name", name, "kind", kind, "parent_id", (json_int_t)parent);
	int rc = svc_org_create(s, op, in, &out, &e);
	json_decref(in);
	int64_t id = rc ? 0 : INT(out, "id");
	if (rc)
		fprintf(stderr, "org %s: %s\n", name, e.message);
	json_decref(out);
	err_release(&e);
	return id;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char chunk[65536];
	size_t n;
	int rc = (in && out) ? 0 : -1;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
		if (fwrite(chunk, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

static void remove_db(const char *dir, const char *name)
{
	const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
	char path[160];
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]);
		unlink(path);
	}
}

static int group_setup(void **state)
{
	(void)state;
	struct store *s = NULL;
	struct err e = ERR_INIT;
	struct actor op;
	if (secret_init() != 0)
		return -1;
	snprintf(world.dir, sizeof world.dir, "/tmp/aims-svc-XXXXXX");
	if (!mkdtemp(world.dir))
		return -1;
	snprintf(world.path, sizeof world.path, "%s/template.db", world.dir);
	if (store_open(world.path, &s, &e) || svc_init(s, "Test City", ADMIN_EMAIL, PASSWORD, &e)) {
		fprintf(stderr, "world: %s\n", e.message);
		err_release(&e);
		store_close(s);
		return -1;
	}
	svc_actor_operator(&op);
	json_t *orgs = NULL;
	svc_org_list(s, &op, &orgs, &e);
	world.root = INT(json_array_get(orgs, 0), "id");
	json_decref(orgs);
	world.a = make_org(s, &op, "A", "bureau", world.root);
	world.a1 = make_org(s, &op, "A1", "department", world.a);
	world.b = make_org(s, &op, "B", "bureau", world.root);
	int rc = (world.root && world.a && world.a1 && world.b) ? 0 : -1;
	for (size_t i = 0; i < PEOPLE && !rc; i++) {
		json_t *out = NULL;
		int64_t org = !strcmp(people[i].org, "A") ? world.a : world.b;
		json_t *in = json_pack("{ss ss ss sI ss}", "email", people[i].email, "name", people[i].email,
				       "password", PASSWORD, "org_id", (json_int_t)org, "role", people[i].role);
		rc = svc_user_create(s, &op, in, &out, &e);
		if (rc)
			fprintf(stderr, "user %s: %s\n", people[i].email, e.message);
		json_decref(in);
		json_decref(out);
		err_release(&e);
	}
	actor_release(&op);
	store_close(s);
	return rc;
}

static int group_teardown(void **state)
{
	(void)state;
	remove_db(world.dir, "template.db");
	rmdir(world.dir);
	return 0;
}

/* Opens a private copy of the template world at dir/name. */
static struct store *open_copy(const char *dir, const char *name)
{
	char path[160];
	struct store *s = NULL;
	struct err e = ERR_INIT;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (copy_file(world.path, path) != 0 || store_open(path, &s, &e) != 0) {
		err_release(&e);
		return NULL;
	}
	return s;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err e = ERR_INIT;
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aims-svc-test-XXXXXX");
	if (!mkdtemp(f->dir) || !(f->s = open_copy(f->dir, "aims.db"))) {
		free(f);
		return -1;
	}
	svc_actor_operator(&f->op);
	int rc = svc_actor_by_email(f->s, ADMIN_EMAIL, &f->admin, &e);
	for (size_t i = 0; i < PEOPLE && !rc; i++)
		rc = svc_actor_by_email(f->s, people[i].email, &f->who[i], &e);
	err_release(&e);
	*state = f;
	return rc;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	actor_release(&f->op);
	actor_release(&f->admin);
	for (size_t i = 0; i < PEOPLE; i++)
		actor_release(&f->who[i]);
	store_close(f->s);
	remove_db(f->dir, "aims.db");
	remove_db(f->dir, "other.db");
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ------------------------------------------------------------------ rights */

static void test_officer_creates_in_own_branch(void **state)
{
	struct fx *f = *state;
	const struct actor *officer = &f->who[OFFICER_A];
	json_t *in = sys_input("민원 상담 챗봇");
	json_object_set_new(in, "org_id", json_integer(world.a));
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int rc = svc_system_create(f->s, officer, in, &out, &e);
	json_decref(in);
	check(rc, &e, "create in A");
	assert_int_equal(INT(out, "org_id"), world.a);
	assert_string_equal(STR(out, "org_name"), "A");
	assert_int_equal(INT(out, "owner_user_id"), officer->user_id);
	assert_string_equal(STR(out, "owner_email"), people[OFFICER_A].email);
	assert_string_equal(STR(out, "status"), "active");
	assert_int_equal(INT(out, "version"), 1);
	assert_string_equal(STR(out, "org_role"), "deployer");
	assert_null(json_object_get(out, "org_path")); /* internal */
	json_decref(out);

	/* without org_id: the caller's own organisation */
	int64_t id = create_ok(f, officer, sys_input("home default"));
	out = get(f, officer, id);
	assert_int_equal(INT(out, "org_id"), world.a);
	json_decref(out);
	/* a sub-organisation of the branch */
	in = sys_input("in A1");
	json_object_set_new(in, "org_id", json_integer(world.a1));
	id = create_ok(f, officer, in);
	out = get(f, officer, id);
	assert_int_equal(INT(out, "org_id"), world.a1);
	json_decref(out);
}

static void test_officer_cannot_create_in_other_branch(void **state)
{
	struct fx *f = *state;
	const struct actor *officer = &f->who[OFFICER_A];
	struct err e = ERR_INIT;
	/* B exists but lies outside A's branch: a missing right, 403 (since 80c10d3) */
	json_t *in = sys_input("into B");
	json_object_set_new(in, "org_id", json_integer(world.b));
	assert_int_equal(create_fails(f, officer, in, &e), AIMS_EFORBIDDEN);
	assert_int_equal(e.code, AIMS_EFORBIDDEN);
	err_release(&e);
	/* an organisation that does not exist: an invalid field */
	in = sys_input("nowhere");
	json_object_set_new(in, "org_id", json_integer(999999));
	assert_int_equal(create_fails(f, officer, in, &e), AIMS_EINVAL);
	json_t *fe = field_error(&e, "org_id");
	assert_non_null(fe);
	assert_string_equal(STR(fe, "message"), "no such organisation");
	err_release(&e);
	/* the parent of one's branch is outside it too */
	in = sys_input("into root");
	json_object_set_new(in, "org_id", json_integer(world.root));
	assert_int_equal(create_fails(f, officer, in, &e), AIMS_EFORBIDDEN);
	err_release(&e);
	assert_int_equal(list_total(f, &f->who[OFFICER_B], "all"), 0);
	assert_int_equal(list_total(f, &f->admin, "all"), 0);
}

static void test_viewer_cannot_create(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	assert_int_equal(create_fails(f, &f->who[VIEWER_A], sys_input("no home"), &e), AIMS_EFORBIDDEN);
	err_release(&e);
	json_t *in = sys_input("named org");
	json_object_set_new(in, "org_id", json_integer(world.a));
	assert_int_equal(create_fails(f, &f->who[VIEWER_A], in, &e), AIMS_EFORBIDDEN);
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), 0);
}

static void test_create_validation_and_status(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *in = json_pack("{ss ss}", "name", "x", "lifecycle_stage", "later");
	assert_int_equal(create_fails(f, &f->who[OFFICER_A], in, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "purpose"));
	assert_non_null(field_error(&e, "lifecycle_stage"));
	err_release(&e);
	/* status is read-only on create */
	in = sys_input("archived at birth");
	json_object_set_new(in, "status", json_string("archived"));
	assert_int_equal(create_fails(f, &f->who[OFFICER_A], in, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "status"));
	err_release(&e);
	/* the owner must hold a role on the organisation or above it */
	in = sys_input("owned by B");
	json_object_set_new(in, "owner_user_id", json_integer(f->who[OFFICER_B].user_id));
	assert_int_equal(create_fails(f, &f->who[OFFICER_A], in, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "owner_user_id"));
	err_release(&e);
	/* the city admin holds a role above A: may own A's systems */
	in = sys_input("owned by admin");
	json_object_set_new(in, "owner_user_id", json_integer(f->admin.user_id));
	create_ok(f, &f->who[OFFICER_A], in);
	/* duplicate name in the organisation */
	assert_int_equal(create_fails(f, &f->who[OFFICER_A], sys_input("owned by admin"), &e), AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "name"));
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), 1);
}

static void test_owner_edits_own_system_only(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t id = create_ok(f, &f->who[OWNER_A], sys_input("owner's system"));
	json_t *s = get(f, &f->who[OWNER_A], id);
	assert_int_equal(INT(s, "owner_user_id"), f->who[OWNER_A].user_id);
	json_decref(s);

	check(update(f, &f->who[OWNER_A], id, json_pack("{ss}", "purpose", "edited by owner"), 0, &e), &e,
	      "owner edits own");
	/* another owner in the same organisation may read but not change it */
	assert_int_equal(update(f, &f->who[OWNER2_A], id, json_pack("{ss}", "purpose", "hijack"), 0, &e),
			 AIMS_EFORBIDDEN);
	err_release(&e);
	json_t *out = NULL;
	assert_int_equal(svc_system_archive(f->s, &f->who[OWNER2_A], id, &out, &e), AIMS_EFORBIDDEN);
	assert_null(out);
	err_release(&e);
	assert_int_equal(update(f, &f->who[VIEWER_A], id, json_pack("{ss}", "purpose", "viewer"), 0, &e),
			 AIMS_EFORBIDDEN);
	err_release(&e);
	/* another branch does not even see it */
	assert_int_equal(update(f, &f->who[OFFICER_B], id, json_pack("{ss}", "purpose", "b"), 0, &e),
			 AIMS_ENOTFOUND);
	err_release(&e);
	/* an officer edits any system of the branch */
	check(update(f, &f->who[OFFICER_A], id, json_pack("{ss}", "vendor", "Acme"), 0, &e), &e, "officer edits");

	s = get(f, &f->who[OWNER2_A], id);
	assert_string_equal(STR(s, "purpose"), "edited by owner");
	assert_string_equal(STR(s, "vendor"), "Acme");
	assert_int_equal(INT(s, "version"), 3);
	/* the edit button: svc_system_can_edit needs org_path, which front ends add back */
	json_t *org = NULL;
	check(svc_org_get(f->s, &f->admin, INT(s, "org_id"), &org, &e), &e, "org get");
	json_object_set(s, "org_path", json_object_get(org, "path"));
	json_decref(org);
	assert_true(svc_system_can_edit(&f->who[OWNER_A], s));
	assert_false(svc_system_can_edit(&f->who[OWNER2_A], s));
	assert_true(svc_system_can_edit(&f->who[OFFICER_A], s));
	assert_false(svc_system_can_edit(&f->who[VIEWER_A], s));
	assert_false(svc_system_can_edit(&f->who[OFFICER_B], s));
	assert_true(svc_system_can_edit(&f->admin, s));
	json_decref(s);
}

static void test_other_branch_cannot_read(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t id = create_ok(f, &f->who[OFFICER_A], sys_input("A's system"));
	json_t *out = NULL;
	assert_int_equal(svc_system_get(f->s, &f->who[OFFICER_B], id, &out, &e), AIMS_ENOTFOUND);
	assert_null(out);
	err_release(&e);
	assert_int_equal(svc_system_history(f->s, &f->who[OFFICER_B], id, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	/* the same answer as for an id that does not exist */
	assert_int_equal(svc_system_get(f->s, &f->who[OFFICER_A], id + 1000, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(list_total(f, &f->who[OFFICER_B], NULL), 0);
	/* inside the branch and above it, everyone reads */
	assert_int_equal(list_total(f, &f->who[VIEWER_A], NULL), 1);
	out = get(f, &f->who[VIEWER_A], id);
	json_decref(out);
	out = get(f, &f->admin, id);
	json_decref(out);
	out = get(f, &f->op, id);
	json_decref(out);
	/* a list filtered on another branch's organisation is a bad parameter, not a peek */
	struct svc_system_query q;
	memset(&q, 0, sizeof q);
	q.org_id = world.a;
	assert_int_equal(svc_system_list(f->s, &f->who[OFFICER_B], &q, &out, &e), AIMS_EBADREQ);
	assert_non_null(field_error(&e, "org_id"));
	err_release(&e);
}

/* ------------------------------------------------------------------ history */

/* The history row of `field` among rows, or NULL. */
static json_t *row_of(json_t *rows, const char *field)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		if (!strcmp(STR(row, "field"), field))
			return row;
	return NULL;
}

static void test_history_per_changed_field(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	const struct actor *officer = &f->who[OFFICER_A];
	json_t *in = sys_input("tracked");
	json_object_set_new(in, "techniques", json_pack("[s]", "nlp"));
	json_object_set_new(in, "purpose", json_string("old purpose"));
	int64_t id = create_ok(f, officer, in);

	json_t *rows = history(f, officer, id);
	assert_int_equal(json_array_size(rows), 1); /* a creation is one row */
	json_t *created = json_array_get(rows, 0);
	assert_string_equal(STR(created, "field"), "*");
	assert_true(json_is_null(json_object_get(created, "old_value")));
	json_t *snapshot = json_loads(STR(created, "new_value"), 0, NULL);
	assert_non_null(snapshot);
	assert_string_equal(STR(snapshot, "name"), "tracked");
	json_decref(snapshot);
	assert_string_equal(STR(created, "actor_email"), people[OFFICER_A].email);
	json_decref(rows);

	/* three real changes, two fields sent with the values they already have */
	json_t *patch = json_pack("{ss ss ss ss s[ss]}", "purpose", "new purpose", "vendor", "Acme", "name", "tracked",
				  "lifecycle_stage", "deployment", "techniques", "nlp", "llm");
	check(update(f, officer, id, patch, 1, &e), &e, "update");
	rows = history(f, officer, id);
	assert_int_equal(json_array_size(rows), 4);
	json_t *purpose = row_of(rows, "purpose"), *vendor = row_of(rows, "vendor"), *tech = row_of(rows, "techniques");
	assert_non_null(purpose);
	assert_string_equal(STR(purpose, "old_value"), "old purpose");
	assert_string_equal(STR(purpose, "new_value"), "new purpose");
	assert_int_equal(INT(purpose, "actor_user_id"), officer->user_id);
	assert_non_null(vendor);
	const char *old_vendor = STR(vendor, "old_value");
	assert_true(old_vendor == NULL || *old_vendor == '\0');
	assert_string_equal(STR(vendor, "new_value"), "Acme");
	assert_non_null(tech);
	assert_string_equal(STR(tech, "old_value"), "nlp");
	assert_string_equal(STR(tech, "new_value"), "nlp;llm");
	assert_null(row_of(rows, "name"));
	assert_null(row_of(rows, "lifecycle_stage"));
	/* newest first: the creation row is last */
	assert_string_equal(STR(json_array_get(rows, 3), "field"), "*");
	json_decref(rows);

	/* a change that changes nothing writes nothing and keeps the version */
	check(update(f, officer, id, json_pack("{ss ss}", "purpose", "new purpose", "vendor", "Acme"), 0, &e), &e,
	      "no-op update");
	rows = history(f, officer, id);
	assert_int_equal(json_array_size(rows), 4);
	json_decref(rows);
	json_t *s = get(f, officer, id);
	assert_int_equal(INT(s, "version"), 2);
	json_decref(s);
}

static void test_version_check(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t id = create_ok(f, &f->who[OFFICER_A], sys_input("versioned"));
	assert_int_equal(update(f, &f->who[OFFICER_A], id, json_pack("{ss}", "vendor", "x"), 5, &e), AIMS_ECONFLICT);
	err_release(&e);
	check(update(f, &f->who[OFFICER_A], id, json_pack("{ss}", "vendor", "y"), 1, &e), &e, "right version");
	assert_int_equal(update(f, &f->who[OFFICER_A], id, json_pack("{ss}", "vendor", "z"), 1, &e), AIMS_ECONFLICT);
	err_release(&e);
	json_t *s = get(f, &f->who[OFFICER_A], id);
	assert_int_equal(INT(s, "version"), 2);
	assert_string_equal(STR(s, "vendor"), "y");
	json_decref(s);
	/* required fields cannot be emptied, enumerations not cleared */
	assert_int_equal(update(f, &f->who[OFFICER_A], id, json_pack("{ss}", "name", ""), 0, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "name"));
	err_release(&e);
	assert_int_equal(update(f, &f->who[OFFICER_A], id, json_pack("{sn}", "org_role"), 0, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "org_role"));
	err_release(&e);
}

static void test_archive(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	const struct actor *officer = &f->who[OFFICER_A];
	int64_t id = create_ok(f, officer, sys_input("to archive"));
	int64_t kept = create_ok(f, officer, sys_input("kept"));
	json_t *out = NULL;
	check(svc_system_archive(f->s, officer, id, &out, &e), &e, "archive");
	assert_string_equal(STR(out, "status"), "archived");
	assert_int_equal(INT(out, "version"), 2);
	json_decref(out);

	json_t *rows = history(f, officer, id);
	json_t *newest = json_array_get(rows, 0);
	assert_string_equal(STR(newest, "field"), "status");
	assert_string_equal(STR(newest, "old_value"), "active");
	assert_string_equal(STR(newest, "new_value"), "archived");
	json_decref(rows);

	struct svc_system_query q;
	memset(&q, 0, sizeof q);
	check(svc_system_list(f->s, officer, &q, &out, &e), &e, "list");
	assert_false(items_have(json_object_get(out, "items"), id)); /* active by default */
	assert_true(items_have(json_object_get(out, "items"), kept));
	json_decref(out);
	q.status = "archived";
	check(svc_system_list(f->s, officer, &q, &out, &e), &e, "list archived");
	assert_int_equal(INT(out, "total"), 1);
	assert_true(items_have(json_object_get(out, "items"), id));
	json_decref(out);
	assert_int_equal(list_total(f, officer, "all"), 2);
	/* still readable */
	out = get(f, officer, id);
	assert_string_equal(STR(out, "status"), "archived");
	json_decref(out);
}

/* ------------------------------------------------------------------ listing */

/* Walks every page of a list; returns all items in order and the page count. */
static json_t *walk(struct fx *f, const struct actor *a, struct svc_system_query q, int *pages, int64_t want_total)
{
	struct err e = ERR_INIT;
	json_t *all = json_array();
	char *cursor = NULL;
	*pages = 0;
	for (;;) {
		json_t *out = NULL;
		q.cursor = cursor;
		int rc = svc_system_list(f->s, a, &q, &out, &e);
		free(cursor);
		cursor = NULL;
		check(rc, &e, "page");
		(*pages)++;
		assert_int_equal(INT(out, "total"), want_total);
		json_array_extend(all, json_object_get(out, "items"));
		json_t *next = json_object_get(out, "next_cursor");
		assert_true(json_is_null(next) || json_is_string(next));
		if (json_is_string(next)) {
			assert_int_equal(json_array_size(json_object_get(out, "items")), q.limit);
			cursor = strdup(json_string_value(next));
		}
		json_decref(out);
		if (!cursor || *pages > 50)
			break;
	}
	free(cursor);
	return all;
}

static void test_list_cursor_pagination(void **state)
{
	struct fx *f = *state;
	enum { N = 23 };
	const struct actor *officer = &f->who[OFFICER_A];
	int64_t ids[N];
	for (int i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof name, "system %02d", (i * 5) % N);
		json_t *in = sys_input(name);
		json_object_set_new(in, "lifecycle_stage", json_string(i % 2 ? "inception" : "retirement"));
		ids[i] = create_ok(f, officer, in);
	}
	const char *sorts[] = { "id", "name", "updated_at", "lifecycle_stage" };
	for (size_t s = 0; s < 4; s++) {
		for (int desc = 0; desc <= 1; desc++) {
			struct svc_system_query q;
			memset(&q, 0, sizeof q);
			q.limit = 5;
			q.sort = sorts[s];
			q.order = desc ? "desc" : "asc";
			int pages = 0;
			json_t *all = walk(f, officer, q, &pages, N);
			size_t got = json_array_size(all);
			bool every = true, once = true;
			for (int k = 0; k < N; k++)
				every &= items_have(all, ids[k]);
			for (size_t i = 0; i < got; i++)
				for (size_t j = i + 1; j < got; j++)
					once &= INT(json_array_get(all, i), "id") != INT(json_array_get(all, j), "id");
			/* the order each sort promises */
			bool ordered = true;
			for (size_t i = 1; i < got && !strcmp(sorts[s], "name"); i++) {
				int c = strcmp(STR(json_array_get(all, i - 1), "name"), STR(json_array_get(all, i), "name"));
				ordered &= desc ? c > 0 : c < 0;
			}
			json_decref(all);
			if (got != N || pages != 5 || !every || !once || !ordered)
				fail_msg("sort %s %s: %zu items in %d pages, all %d, once %d, ordered %d", sorts[s],
					 q.order, got, pages, every, once, ordered);
		}
	}
	/* the other branch sees none of it */
	assert_int_equal(list_total(f, &f->who[OFFICER_B], NULL), 0);
}

static void test_list_bad_parameters(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	struct {
		const char *field;
		struct svc_system_query q;
	} cases[] = {
		{ "limit", { .limit = 501 } },
		{ "limit", { .limit = -1 } },
		{ "sort", { .sort = "colour" } },
		{ "order", { .order = "sideways" } },
		{ "cursor", { .cursor = "not-a-cursor!" } },
		{ "cursor", { .cursor = "W10" } }, /* base64url of "[]" */
		{ "status", { .status = "deleted" } },
		{ "lifecycle_stage", { .lifecycle_stage = "production" } },
		{ "org_role", { .org_role = "seller" } },
		{ "org_id", { .org_id = 999999 } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = svc_system_list(f->s, &f->who[OFFICER_A], &cases[i].q, &out, &e);
		bool named = field_error(&e, cases[i].field) != NULL;
		size_t n = err_field_count(&e);
		int code = e.code;
		err_release(&e);
		if (rc != AIMS_EBADREQ || code != AIMS_EBADREQ || !named || n != 1 || out)
			fail_msg("case %zu (%s): rc %d, code %d, named %d, %zu errors", i, cases[i].field, rc, code,
				 named, n);
	}
	/* every bad parameter at once */
	struct svc_system_query q = { .limit = 1000, .sort = "x", .order = "y" };
	assert_int_equal(svc_system_list(f->s, &f->who[OFFICER_A], &q, &out, &e), AIMS_EBADREQ);
	assert_int_equal(err_field_count(&e), 3);
	err_release(&e);
	/* the edges are fine */
	q = (struct svc_system_query){ .limit = 500 };
	check(svc_system_list(f->s, &f->who[OFFICER_A], &q, &out, &e), &e, "limit 500");
	json_decref(out);
	q = (struct svc_system_query){ .limit = 1 };
	check(svc_system_list(f->s, &f->who[OFFICER_A], &q, &out, &e), &e, "limit 1");
	json_decref(out);
}

/* ------------------------------------------------------------------ CSV import */

static void test_import_all_or_nothing(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	const char *csv = "name,purpose,lifecycle_stage\r\n"
			  "Good one,first purpose,deployment\r\n"
			  "Bad one,second purpose,production\r\n"
			  "Good two,third purpose,inception\r\n";
	int64_t before = list_total(f, &f->admin, "all");
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_null(out);
	assert_int_equal(e.code, AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 1);
	json_t *fe = json_array_get(e.fields, 0);
	assert_int_equal(INT(fe, "line"), 3);
	assert_string_equal(STR(fe, "field"), "lifecycle_stage");
	assert_non_null(strstr(e.message, "nothing was imported"));
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), before);

	/* every problem of every line is reported */
	csv = "name,purpose,lifecycle_stage,org_role\n"
	      ",p,deployment,deployer\n"
	      "ok,p,deployment,deployer\n"
	      "x,,retired,seller\n";
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 4);
	size_t i;
	json_array_foreach(e.fields, i, fe) {
		long line = (long)INT(fe, "line");
		const char *field = STR(fe, "field");
		assert_true((line == 2 && !strcmp(field, "name")) ||
			    (line == 4 && (!strcmp(field, "purpose") || !strcmp(field, "lifecycle_stage") ||
					   !strcmp(field, "org_role"))));
	}
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), before);
}

static void test_import_good_file(void **state)
{
	struct fx *f = *state;
	json_t *ids = NULL;
	char csv[1024];
	snprintf(csv, sizeof csv,
		 "lifecycle_stage,name,purpose,techniques,org_role,owner_email,org_id,vendor\n"
		 "deployment,First,p1,nlp;llm,provider,%s,%lld,Acme\n"
		 "inception,Second,p2,,,,,\n"
		 "retirement,Third,p3,\"speech, other\",both,,,\n",
		 people[OWNER_A].email, (long long)world.a1);
	assert_int_equal(import_ok(f, &f->who[OFFICER_A], csv, &ids), 3);
	assert_int_equal(list_total(f, &f->who[OFFICER_A], "all"), 3);
	json_t *first = get(f, &f->who[OFFICER_A], json_integer_value(json_array_get(ids, 0)));
	assert_string_equal(STR(first, "name"), "First");
	assert_string_equal(STR(first, "org_role"), "provider");
	assert_string_equal(STR(first, "vendor"), "Acme");
	assert_int_equal(INT(first, "org_id"), world.a1);
	assert_int_equal(INT(first, "owner_user_id"), f->who[OWNER_A].user_id);
	json_t *tech = json_object_get(first, "techniques");
	assert_int_equal(json_array_size(tech), 2);
	assert_string_equal(json_string_value(json_array_get(tech, 1)), "llm");
	json_decref(first);
	json_t *second = get(f, &f->who[OFFICER_A], json_integer_value(json_array_get(ids, 1)));
	/* empty cells: defaults */
	assert_int_equal(INT(second, "org_id"), world.a);
	assert_int_equal(INT(second, "owner_user_id"), f->who[OFFICER_A].user_id);
	assert_string_equal(STR(second, "org_role"), "deployer");
	assert_int_equal(json_array_size(json_object_get(second, "techniques")), 0);
	json_decref(second);
	json_t *third = get(f, &f->who[OFFICER_A], json_integer_value(json_array_get(ids, 2)));
	assert_int_equal(json_array_size(json_object_get(third, "techniques")), 2);
	json_decref(third);
	json_decref(ids);
}

static void test_import_quoted_fields(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *ids = NULL, *out = NULL;
	const char *csv = "name,purpose,lifecycle_stage,description\r\n"
			  "\"Chatbot, v2\",\"He said \"\"hi\"\"\",deployment,\"line one, with comma\r\nline \"\"two\"\"\"\r\n"
			  "plain,p,inception,\"\"\r\n";
	assert_int_equal(import_ok(f, &f->who[OFFICER_A], csv, &ids), 2);
	json_t *s = get(f, &f->who[OFFICER_A], json_integer_value(json_array_get(ids, 0)));
	assert_string_equal(STR(s, "name"), "Chatbot, v2");
	assert_string_equal(STR(s, "purpose"), "He said \"hi\"");
	assert_string_equal(STR(s, "description"), "line one, with comma\r\nline \"two\"");
	json_decref(s);
	json_decref(ids);

	/* "line" counts records (header = 1), so a record spanning lines is one line */
	csv = "name,purpose,lifecycle_stage\n"
	      "multi,\"two\nphysical lines\",deployment\n"
	      "bad,p,nope\n";
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_int_equal(INT(field_error(&e, "lifecycle_stage"), "line"), 3);
	err_release(&e);
	/* broken quoting is reported, not guessed at */
	csv = "name,purpose,lifecycle_stage\n\"unterminated,p,deployment\n";
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "file"));
	err_release(&e);
	/* a record with the wrong number of cells */
	csv = "name,purpose,lifecycle_stage\nonly,two\n";
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_int_equal(INT(json_array_get(e.fields, 0), "line"), 2);
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), 2);
}

static void test_import_bom(void **state)
{
	struct fx *f = *state;
	json_t *ids = NULL;
	const char *csv = "\xEF\xBB\xBFname,purpose,lifecycle_stage\r\n민원 챗봇,민원 응대,deployment\r\n";
	assert_int_equal(import_ok(f, &f->who[OFFICER_A], csv, &ids), 1);
	json_t *s = get(f, &f->who[OFFICER_A], json_integer_value(json_array_get(ids, 0)));
	assert_string_equal(STR(s, "name"), "민원 챗봇");
	json_decref(s);
	json_decref(ids);
}

static void test_import_unknown_column(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	const char *csv = "name,purpose,lifecycle_stage,colour\nx,p,deployment,red\n";
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 1);
	json_t *fe = field_error(&e, "colour");
	assert_non_null(fe);
	assert_int_equal(INT(fe, "line"), 1);
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), 0);
	/* an empty file and a header alone import nothing */
	assert_int_equal(import(f, &f->who[OFFICER_A], "", &out, &e), AIMS_EINVAL);
	err_release(&e);
	assert_int_equal(import(f, &f->who[OFFICER_A], "name,purpose,lifecycle_stage\n", &out, &e), AIMS_EINVAL);
	err_release(&e);
	/* not UTF-8 */
	assert_int_equal(import(f, &f->who[OFFICER_A], "name,purpose,lifecycle_stage\n\xB9\xCE,p,deployment\n", &out, &e),
			 AIMS_EINVAL);
	assert_non_null(field_error(&e, "file"));
	err_release(&e);
}

static void test_import_rights(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	char csv[256];
	snprintf(csv, sizeof csv, "name,purpose,lifecycle_stage,org_id\nmine,p,deployment,\ntheirs,p,deployment,%lld\n",
		 (long long)world.b);
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EFORBIDDEN);
	json_t *fe = field_error(&e, "org_id");
	assert_non_null(fe);
	assert_int_equal(INT(fe, "line"), 3);
	err_release(&e);
	assert_int_equal(import(f, &f->who[VIEWER_A], "name,purpose,lifecycle_stage\nx,p,deployment\n", &out, &e),
			 AIMS_EFORBIDDEN);
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), 0);
}

static void test_import_duplicate_names(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	create_ok(f, &f->who[OFFICER_A], sys_input("existing"));
	const char *csv = "name,purpose,lifecycle_stage\n"
			  "fresh,p,deployment\n"
			  "fresh,p,deployment\n"
			  "existing,p,deployment\n";
	assert_int_equal(import(f, &f->who[OFFICER_A], csv, &out, &e), AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 2);
	json_t *first = json_array_get(e.fields, 0), *second = json_array_get(e.fields, 1);
	assert_string_equal(STR(first, "field"), "name");
	assert_int_equal(INT(first, "line"), 3);
	assert_string_equal(STR(second, "field"), "name");
	assert_int_equal(INT(second, "line"), 4);
	err_release(&e);
	assert_int_equal(list_total(f, &f->admin, "all"), 1);
}

/*
 * E-mail addresses are stored lower-case and sign-in ignores case, so an owner_email
 * typed with capitals in a spreadsheet names the same person.
 */
static void test_import_owner_email_ignores_case(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL;
	const char *csv = "name,purpose,lifecycle_stage,owner_email\n"
			  "mixed case owner,p,deployment,Owner.A@Example.ORG\n";
	int rc = import(f, &f->who[OFFICER_A], csv, &out, &e);
	char problem[512];
	char *dump = e.fields ? json_dumps(e.fields, JSON_COMPACT) : NULL;
	snprintf(problem, sizeof problem, "%s", dump ? dump : e.message);
	free(dump);
	err_release(&e);
	int64_t id = rc ? 0 : json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
	json_decref(out);
	if (rc != 0)
		fail_msg("import refused the owner (%d): %s", rc, problem);
	json_t *s = get(f, &f->who[OFFICER_A], id);
	assert_int_equal(INT(s, "owner_user_id"), f->who[OWNER_A].user_id);
	json_decref(s);
}

/* ------------------------------------------------------------------ CSV export → import */

static const char *const compared[] = {
	"name", "purpose", "lifecycle_stage", "description", "org_role", "techniques", "data_sources",
	"affected_people", "decision_role", "human_oversight", "vendor",
};

/* Compares two systems field by field; returns the first field that differs, or NULL. */
static const char *differs(json_t *x, json_t *y)
{
	for (size_t i = 0; i < sizeof compared / sizeof compared[0]; i++)
		if (!json_equal(json_object_get(x, compared[i]), json_object_get(y, compared[i])))
			return compared[i];
	return NULL;
}

static json_t *find_by_name(json_t *items, const char *name)
{
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
		if (!strcmp(STR(item, "name"), name))
			return item;
	return NULL;
}

static char *export_csv(struct fx *f, const struct actor *a, json_t **list_out)
{
	struct err e = ERR_INIT;
	struct svc_system_query q;
	json_t *list = NULL;
	char *csv = NULL;
	size_t len = 0;
	memset(&q, 0, sizeof q);
	check(svc_system_export(f->s, a, &q, &list, &e), &e, "export");
	check(svc_system_csv(list, &csv, &len, &e), &e, "csv");
	assert_int_equal(strlen(csv), len);
	*list_out = list;
	return csv;
}

static json_t *rich(const char *name)
{
	return json_pack("{ss ss ss ss ss s[ss] ss ss ss ss ss}", "name", name, "purpose", "=SUM(A1) looks like a formula",
			 "lifecycle_stage", "verification_validation", "description",
			 "Line one, with a comma\nLine \"two\" with quotes", "org_role", "provider", "techniques",
			 "llm", "nlp", "data_sources", "민원 기록; 2020–2025", "affected_people", "+82 시민",
			 "decision_role", "makes", "human_oversight", "none", "vendor", "@Acme");
}

static void test_export_import_another_installation(void **state)
{
	struct fx *f = *state;
	const struct actor *officer = &f->who[OFFICER_A];
	create_ok(f, officer, rich("first"));
	json_t *in = rich("second");
	json_object_set_new(in, "org_id", json_integer(world.a1));
	json_object_set_new(in, "owner_user_id", json_integer(f->who[OWNER_A].user_id));
	create_ok(f, officer, in);
	json_t *list = NULL;
	char *csv = export_csv(f, officer, &list);

	/* a fresh copy of the same world: same organisations and e-mails, no systems */
	struct store *other = open_copy(f->dir, "other.db");
	assert_non_null(other);
	struct store *mine = f->s;
	f->s = other;
	json_t *ids = NULL;
	int64_t created = import_ok(f, officer, csv, &ids);
	assert_int_equal(created, 2);
	json_t *copy = NULL;
	struct err e = ERR_INIT;
	struct svc_system_query q;
	memset(&q, 0, sizeof q);
	check(svc_system_export(other, officer, &q, &copy, &e), &e, "export copy");
	f->s = mine;
	store_close(other);
	free(csv);

	const char *bad = NULL;
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		json_t *twin = find_by_name(copy, STR(item, "name"));
		assert_non_null(twin);
		if (!bad)
			bad = differs(item, twin);
		assert_int_equal(INT(twin, "org_id"), INT(item, "org_id"));
		assert_string_equal(STR(twin, "owner_email"), STR(item, "owner_email"));
	}
	json_decref(list);
	json_decref(copy);
	json_decref(ids);
	if (bad)
		fail_msg("field %s changed on the way through CSV", bad);
}

static void test_export_import_another_org(void **state)
{
	struct fx *f = *state;
	create_ok(f, &f->who[OFFICER_A], rich("moved"));
	json_t *in = sys_input("plain one");
	create_ok(f, &f->who[OFFICER_A], in);
	json_t *list = NULL;
	char *csv = export_csv(f, &f->admin, &list);
	free(csv);
	/* the branch-specific columns are blanked, so the importer's defaults apply */
	json_t *blanked = json_deep_copy(list);
	size_t i;
	json_t *item;
	json_array_foreach(blanked, i, item) {
		json_object_del(item, "org_id");
		json_object_del(item, "owner_email");
	}
	struct err e = ERR_INIT;
	size_t len = 0;
	check(svc_system_csv(blanked, &csv, &len, &e), &e, "csv");
	json_decref(blanked);
	json_t *ids = NULL;
	assert_int_equal(import_ok(f, &f->who[OFFICER_B], csv, &ids), 2);
	free(csv);
	json_decref(ids);

	struct svc_system_query q;
	memset(&q, 0, sizeof q);
	json_t *in_b = NULL;
	check(svc_system_export(f->s, &f->who[OFFICER_B], &q, &in_b, &e), &e, "export B");
	assert_int_equal(json_array_size(in_b), 2);
	const char *bad = NULL;
	json_array_foreach(in_b, i, item) {
		assert_int_equal(INT(item, "org_id"), world.b);
		assert_int_equal(INT(item, "owner_user_id"), f->who[OFFICER_B].user_id);
		json_t *original = find_by_name(list, STR(item, "name"));
		assert_non_null(original);
		if (!bad)
			bad = differs(original, item);
	}
	json_decref(in_b);
	json_decref(list);
	if (bad)
		fail_msg("field %s changed on the way through CSV", bad);
	/* A's originals are untouched */
	assert_int_equal(list_total(f, &f->who[OFFICER_A], NULL), 2);
}

/* Exports one system with the given description and imports the file into a fresh
 * copy of the world; returns the import's status and the description read back. */
static int round_trip_description(struct fx *f, const char *description, char *back, size_t back_len,
				  char *problem, size_t problem_len)
{
	json_t *in = sys_input("guarded");
	json_object_set_new(in, "description", json_string(description));
	create_ok(f, &f->who[OFFICER_A], in);
	json_t *list = NULL;
	char *csv = export_csv(f, &f->who[OFFICER_A], &list);
	json_decref(list);
	struct store *other = open_copy(f->dir, "other.db");
	assert_non_null(other);
	struct err e = ERR_INIT;
	json_t *out = NULL;
	int rc = svc_system_import_csv(other, &f->who[OFFICER_A], csv, strlen(csv), &out, &e);
	free(csv);
	back[0] = '\0';
	snprintf(problem, problem_len, "%s", e.message);
	if (e.fields) {
		char *dump = json_dumps(e.fields, JSON_COMPACT);
		snprintf(problem, problem_len, "%s", dump ? dump : "");
		free(dump);
	}
	err_release(&e);
	if (rc == 0) {
		json_t *s = NULL;
		if (svc_system_get(other, &f->who[OFFICER_A], json_integer_value(json_array_get(json_object_get(out, "ids"), 0)),
				   &s, &e) == 0)
			snprintf(back, back_len, "%s", STR(s, "description"));
		json_decref(s);
		err_release(&e);
	}
	json_decref(out);
	store_close(other);
	return rc;
}

/*
 * Export guards a cell starting with = + - @ with an apostrophe (against formula
 * injection). A guarded cell that also needs quoting (a comma, quote or line break,
 * e.g. a Markdown list in a description) must still be valid CSV that import reads back.
 */
static void test_export_guard_with_quoting_round_trips(void **state)
{
	struct fx *f = *state;
	const char *description = "- first item\n- second item, with a comma";
	char back[256], problem[512];
	int rc = round_trip_description(f, description, back, sizeof back, problem, sizeof problem);
	if (rc != 0)
		fail_msg("import of the export failed (%d): %s", rc, problem);
	assert_string_equal(back, description);
}

/* A cell that already starts with an apostrophe must not lose it on the way back. */
static void test_export_leading_apostrophe_round_trips(void **state)
{
	struct fx *f = *state;
	const char *description = "'=not a formula, an apostrophe-quoted note";
	char back[256], problem[512];
	int rc = round_trip_description(f, description, back, sizeof back, problem, sizeof problem);
	if (rc != 0)
		fail_msg("import of the export failed (%d): %s", rc, problem);
	assert_string_equal(back, description);
}

/* ------------------------------------------------------------------ sign-in */

static void test_login_and_sessions(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char cookie[64] = "untouched";
	int64_t uid = 0;
	int retry = -1;
	assert_int_equal(svc_login(f->s, people[VIEWER_A].email, "wrong password!", "10.0.0.1", cookie, &uid, &retry, &e),
			 AIMS_EUNAUTH);
	assert_string_equal(cookie, "untouched");
	assert_int_equal(retry, 0);
	err_release(&e);
	assert_int_equal(svc_login(f->s, "nobody@example.org", PASSWORD, "10.0.0.1", cookie, &uid, &retry, &e),
			 AIMS_EUNAUTH);
	err_release(&e);

	/* e-mail case does not matter */
	check(svc_login(f->s, "Viewer.A@Example.ORG", PASSWORD, "10.0.0.1", cookie, &uid, &retry, &e), &e, "login");
	assert_int_equal(uid, f->who[VIEWER_A].user_id);
	assert_int_equal(strlen(cookie), SECRET_TOKEN_CHARS);

	int64_t resolved = 0;
	char csrf[65] = "";
	check(svc_session_resolve(f->s, cookie, &resolved, csrf, &e), &e, "resolve");
	assert_int_equal(resolved, uid);
	assert_int_equal(strlen(csrf), 64);
	assert_int_equal(strspn(csrf, "0123456789abcdef"), 64);
	/* a cookie one character off is unknown */
	char forged[64];
	snprintf(forged, sizeof forged, "%s", cookie);
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	assert_int_equal(svc_session_resolve(f->s, forged, &resolved, csrf, &e), AIMS_EUNAUTH);
	err_release(&e);
	assert_int_equal(svc_session_resolve(f->s, "short", &resolved, csrf, &e), AIMS_EUNAUTH);
	err_release(&e);

	check(svc_logout(f->s, cookie, uid, "10.0.0.1", &e), &e, "logout");
	assert_int_equal(svc_session_resolve(f->s, cookie, &resolved, csrf, &e), AIMS_EUNAUTH);
	err_release(&e);
}

static void test_login_throttled_after_five_failures(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char cookie[64];
	int64_t uid = 0;
	int retry = 0;
	for (int i = 0; i < SVC_THROTTLE_PER_EMAIL; i++) {
		assert_int_equal(svc_login(f->s, people[OWNER_A].email, "not the password", "10.0.0.9", cookie, &uid,
					   &retry, &e),
				 AIMS_EUNAUTH);
		err_release(&e);
	}
	/* now even the right password is refused for a while */
	assert_int_equal(svc_login(f->s, people[OWNER_A].email, PASSWORD, "10.0.0.7", cookie, &uid, &retry, &e),
			 AIMS_ETHROTTLED);
	assert_int_equal(e.code, AIMS_ETHROTTLED);
	assert_int_equal(retry, SVC_THROTTLE_MINUTES * 60);
	err_release(&e);
	/* other accounts from the same address are not locked out by five failures */
	check(svc_login(f->s, people[OWNER2_A].email, PASSWORD, "10.0.0.9", cookie, &uid, &retry, &e), &e,
	      "other account");
	assert_int_equal(uid, f->who[OWNER2_A].user_id);
}

/* ------------------------------------------------------------------ tokens */

static void test_tokens(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *tok = NULL;
	check(svc_token_create(f->s, &f->op, people[OFFICER_A].email, "  CI pipeline ", &tok, &e), &e,
	      "token create");
	const char *token = STR(tok, "token");
	assert_non_null(token);
	assert_int_equal(strncmp(token, "aims_", 5), 0);
	assert_int_equal(strlen(token), 5 + SECRET_TOKEN_CHARS);
	assert_string_equal(STR(tok, "name"), "CI pipeline");
	assert_int_equal(strncmp(STR(tok, "prefix"), token, strlen(STR(tok, "prefix"))), 0);
	assert_true(strlen(STR(tok, "prefix")) < strlen(token));
	int64_t token_id = INT(tok, "id");
	char secret[64];
	snprintf(secret, sizeof secret, "%s", token);
	json_decref(tok);

	int64_t uid = 0;
	check(svc_token_resolve(f->s, secret, &uid, &e), &e, "resolve");
	assert_int_equal(uid, f->who[OFFICER_A].user_id);

	json_t *list = NULL;
	check(svc_token_list(f->s, &f->who[OFFICER_A], &list, &e), &e, "list");
	assert_int_equal(json_array_size(list), 1);
	char *dump = json_dumps(list, JSON_COMPACT);
	assert_null(strstr(dump, secret + 5)); /* the secret is shown once, at creation */
	free(dump);
	json_decref(list);

	/* someone else cannot revoke it */
	assert_int_equal(svc_token_revoke(f->s, &f->who[OFFICER_B], token_id, &e), AIMS_ENOTFOUND);
	err_release(&e);
	check(svc_token_resolve(f->s, secret, &uid, &e), &e, "still live");
	check(svc_token_revoke(f->s, &f->who[OFFICER_A], token_id, &e), &e, "revoke");
	assert_int_equal(svc_token_resolve(f->s, secret, &uid, &e), AIMS_EUNAUTH);
	err_release(&e);

	/* malformed ones never reach the store */
	const char *malformed[] = { "", "aims_", "aims_short", "nope_0123456789012345678901234567890123456789012",
				    "Bearer aims_x" };
	for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		assert_int_equal(svc_token_resolve(f->s, malformed[i], &uid, &e), AIMS_EUNAUTH);
		err_release(&e);
	}
	/* a signed-in user makes their own; a name is needed */
	check(svc_token_create(f->s, &f->who[VIEWER_A], NULL, "mine", &tok, &e), &e, "own token");
	check(svc_token_resolve(f->s, STR(tok, "token"), &uid, &e), &e, "resolve own");
	assert_int_equal(uid, f->who[VIEWER_A].user_id);
	json_decref(tok);
	assert_int_equal(svc_token_create(f->s, &f->who[VIEWER_A], NULL, "   ", &tok, &e), AIMS_EINVAL);
	assert_null(tok);
	assert_non_null(field_error(&e, "name"));
	err_release(&e);
}

/* ------------------------------------------------------------------ passwords */

static void test_password_set_invalidates_sessions(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char cookie[64], csrf[65];
	int64_t uid = 0, resolved = 0;
	int retry = 0;
	const char *email = people[VIEWER_A].email;
	check(svc_login(f->s, email, PASSWORD, "10.0.0.1", cookie, &uid, &retry, &e), &e, "login");
	check(svc_session_resolve(f->s, cookie, &resolved, csrf, &e), &e, "resolve");

	/* too short: nothing changes */
	assert_int_equal(svc_password_set(f->s, &f->op, email, "short", &e), AIMS_EINVAL);
	assert_non_null(field_error(&e, "password"));
	err_release(&e);
	check(svc_session_resolve(f->s, cookie, &resolved, csrf, &e), &e, "still signed in");

	check(svc_password_set(f->s, &f->op, email, "a brand new passphrase", &e), &e, "password set");
	assert_int_equal(svc_session_resolve(f->s, cookie, &resolved, csrf, &e), AIMS_EUNAUTH);
	err_release(&e);
	assert_int_equal(svc_login(f->s, email, PASSWORD, "10.0.0.1", cookie, &uid, &retry, &e), AIMS_EUNAUTH);
	err_release(&e);
	check(svc_login(f->s, email, "a brand new passphrase", "10.0.0.1", cookie, &uid, &retry, &e), &e,
	      "login with the new password");

	/* a viewer may not set someone else's password */
	assert_int_equal(svc_password_set(f->s, &f->who[VIEWER_A], people[OFFICER_A].email, "another passphrase", &e),
			 AIMS_EFORBIDDEN);
	err_release(&e);
}

static void test_init_only_once(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	assert_int_equal(svc_init(f->s, "Second City", "second@example.org", PASSWORD, &e), AIMS_ECONFLICT);
	err_release(&e);
	struct actor a;
	assert_int_equal(svc_actor_by_email(f->s, "second@example.org", &a, &e), AIMS_ENOTFOUND);
	err_release(&e);
}

/*
 * svc_init says the organisation name "must be 1 to 200 characters", like every other
 * name (record_org), so a Korean name of 70 characters (210 bytes) is fine.
 */
static void test_init_org_name_counts_characters(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	struct store *empty = NULL;
	char path[160], name[512] = "";
	snprintf(path, sizeof path, "%s/empty.db", f->dir);
	check(store_open(path, &empty, &e), &e, "open empty");
	for (size_t i = 0; i < 70; i++)
		memcpy(name + 3 * i, "시", 3);
	name[210] = '\0';
	assert_int_equal(strlen(name), 210);
	int rc = svc_init(empty, name, ADMIN_EMAIL, PASSWORD, &e);
	char message[sizeof e.message];
	memcpy(message, e.message, sizeof message);
	err_release(&e);
	store_close(empty);
	remove_db(f->dir, "empty.db");
	if (rc != 0)
		fail_msg("svc_init refused a 70-character name (%d): %s", rc, message);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_officer_creates_in_own_branch),
		T(test_officer_cannot_create_in_other_branch),
		T(test_viewer_cannot_create),
		T(test_create_validation_and_status),
		T(test_owner_edits_own_system_only),
		T(test_other_branch_cannot_read),
		T(test_history_per_changed_field),
		T(test_version_check),
		T(test_archive),
		T(test_list_cursor_pagination),
		T(test_list_bad_parameters),
		T(test_import_all_or_nothing),
		T(test_import_good_file),
		T(test_import_quoted_fields),
		T(test_import_bom),
		T(test_import_unknown_column),
		T(test_import_rights),
		T(test_import_duplicate_names),
		T(test_import_owner_email_ignores_case),
		T(test_export_import_another_installation),
		T(test_export_import_another_org),
		T(test_export_guard_with_quoting_round_trips),
		T(test_export_leading_apostrophe_round_trips),
		T(test_login_and_sessions),
		T(test_login_throttled_after_five_failures),
		T(test_tokens),
		T(test_password_set_invalidates_sessions),
		T(test_init_only_once),
		T(test_init_org_name_counts_characters),
	};
#undef T
	return cmocka_run_group_tests_name("svc", tests, group_setup, group_teardown);
}
