/*
 * test_store.c: conformance tests of the store interface (store/store.h).
 *
 * Every backend must pass these unchanged. By default each test opens a fresh SQLite
 * file in its own mkdtemp directory (store_open applies the migrations); with
 * AIMS_TEST_DB_URL set, every test opens that URL instead. So that a shared database
 * works too, no test assumes an empty database: each creates its own root
 * organisation and unique e-mails (a random tag), and queries only inside that
 * root's subtree; ids are compared with what the store returned, never with literals.
 *
 * Covers organisations (materialised paths, unique name per parent, scoped lists),
 * users (unique e-mail; the password hash only through find_email), memberships,
 * sessions and API tokens (expiry, revocation), AI systems (joined fields, optimistic
 * versions, unique name per organisation, every list filter, keyset pagination over
 * every sort in both directions, totals, counts), the change history, the sign-in
 * failure counts, transaction rollback, the Statement of Applicability (unique per
 * control, booleans as booleans, versions), frameworks and assessments, the rows a
 * catalog upgrade leaves behind (stale lists, review_from), and evidence (versions,
 * every list filter with literal % and _, state against a given day, totals with
 * limit/offset, links unique per target, evidence on requirements by organisation and
 * by system, digests for verify), and the risk register (every field read back,
 * defaults, versions, a move to another organisation, every list filter and sort both
 * ways with paging and totals, the matrix per cell with filters, links to evidence
 * unique per pair, both directions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/secret.h"
#include "model/vocab.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW1 "2026-11-23T09:00:00Z"
#define NOW2 "2026-11-23T09:05:00Z"
#define NOW3 "2026-11-23T09:10:00Z"

#define STR(obj, key) json_string_value(json_object_get((obj), (key)))
#define INT(obj, key) json_integer_value(json_object_get((obj), (key)))

struct fx {
	struct store *s;
	char url[512];
	char dir[64];  /* the temp directory of a private SQLite file, or "" */
	char tag[12];  /* unique per test: names and e-mails never clash in a shared database */
	int64_t root;  /* this test's own root organisation */
	char root_path[ORG_PATH_MAX];
	const char *scope_paths[1];
	struct store_scope scope; /* the root's subtree */
};

/* ------------------------------------------------------------------ helpers */

static void check(int rc, struct err *e, const char *what)
{
	if (rc != 0) {
		char msg[sizeof e->message];
		memcpy(msg, e->message, sizeof msg);
		err_release(e);
		fail_msg("%s failed: %d %s", what, rc, msg);
	}
}

static void begin(struct fx *f)
{
	struct err e = ERR_INIT;
	check(store_tx_begin(f->s, &e), &e, "begin");
}

static void commit(struct fx *f)
{
	struct err e = ERR_INIT;
	check(store_tx_commit(f->s, &e), &e, "commit");
}

static int64_t org_in_tx(struct fx *f, const char *name, int64_t parent, const char *now)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	check(store_org_create(f->s, name, "department", parent, now, &id, &e), &e, "org create");
	assert_true(id > 0);
	return id;
}

static int64_t org(struct fx *f, const char *name, int64_t parent)
{
	begin(f);
	int64_t id = org_in_tx(f, name, parent, NOW1);
	commit(f);
	return id;
}

static json_t *org_get(struct fx *f, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *o = NULL;
	check(store_org_get(f->s, id, &o, &e), &e, "org get");
	return o;
}

/* Copies an organisation's path into out. */
static void org_path(struct fx *f, int64_t id, char out[ORG_PATH_MAX])
{
	json_t *o = org_get(f, id);
	snprintf(out, ORG_PATH_MAX, "%s", STR(o, "path"));
	json_decref(o);
}

static void email_of(struct fx *f, const char *local, char out[128])
{
	snprintf(out, 128, "%s-%s@example.org", local, f->tag);
}

static int64_t user(struct fx *f, const char *local)
{
	struct err e = ERR_INIT;
	char email[128];
	int64_t id = 0;
	email_of(f, local, email);
	begin(f);
	check(store_user_create(f->s, email, local, "$argon2id$not-a-real-hash", "ko", NOW1, &id, &e), &e,
	      "user create");
	commit(f);
	return id;
}

static void member(struct fx *f, int64_t user_id, int64_t org_id, const char *role)
{
	struct err e = ERR_INIT;
	begin(f);
	check(store_membership_set(f->s, user_id, org_id, role, NOW1, &e), &e, "membership set");
	commit(f);
}

static json_t *sys_fields(const char *name, const char *stage, int64_t org_id, int64_t owner)
{
	return json_pack("{ss ss ss sI sI ss ss ss s[]}", "name", name, "purpose", "purpose of the system",
			 "lifecycle_stage", stage, "org_id", (json_int_t)org_id, "owner_user_id",
			 (json_int_t)owner, "org_role", "deployer", "decision_role", "informs",
			 "human_oversight", "in_the_loop", "techniques");
}

/* Creates a system in its own transaction; fields is stolen. */
static int64_t sys_create(struct fx *f, json_t *fields, const char *now)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	begin(f);
	int rc = store_system_create(f->s, fields, now, &id, &e);
	json_decref(fields);
	check(rc, &e, "system create");
	commit(f);
	assert_true(id > 0);
	return id;
}

static int64_t sys(struct fx *f, const char *name, const char *stage, int64_t org_id, int64_t owner)
{
	return sys_create(f, sys_fields(name, stage, org_id, owner), NOW1);
}

static int sys_update(struct fx *f, int64_t id, json_t *fields, int64_t expected, const char *now,
		      struct err *e)
{
	begin(f);
	int rc = store_system_update(f->s, id, fields, expected, now, e);
	json_decref(fields);
	if (rc)
		store_tx_rollback(f->s);
	else
		commit(f);
	return rc;
}

static json_t *sys_get(struct fx *f, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *o = NULL;
	check(store_system_get(f->s, id, &o, &e), &e, "system get");
	return o;
}

/* The first field error naming `field`, or NULL. */
static json_t *field_error(const struct err *e, const char *field)
{
	size_t i;
	json_t *item;
	json_array_foreach(e->fields, i, item)
		if (!strcmp(STR(item, "field"), field))
			return item;
	return NULL;
}

/* A query over this test's subtree and every status, sorted by id. */
static struct store_system_query query(struct fx *f)
{
	struct store_system_query q;
	memset(&q, 0, sizeof q);
	q.scope = f->scope;
	q.limit = 1000;
	return q;
}

/* Lists with q and checks the ids, in order, and the total. */
static void expect_ids(struct fx *f, const struct store_system_query *q, const int64_t *want, size_t n)
{
	struct err e = ERR_INIT;
	json_t *items = NULL;
	int64_t total = -1;
	check(store_system_list(f->s, q, &items, &total, &e), &e, "system list");
	bool same = json_array_size(items) == n && total == (int64_t)n;
	for (size_t i = 0; same && i < n; i++)
		same = INT(json_array_get(items, i), "id") == want[i];
	if (!same) {
		char got[512] = "", wanted[512] = "";
		size_t used = 0;
		for (size_t i = 0; i < json_array_size(items) && used < sizeof got - 24; i++)
			used += (size_t)snprintf(got + used, sizeof got - used, "%lld ",
						 (long long)INT(json_array_get(items, i), "id"));
		used = 0;
		for (size_t i = 0; i < n && used < sizeof wanted - 24; i++)
			used += (size_t)snprintf(wanted + used, sizeof wanted - used, "%lld ", (long long)want[i]);
		json_decref(items);
		fail_msg("want ids [%s] total %zu, got [%s] total %lld", wanted, n, got, (long long)total);
	}
	json_decref(items);
}

/* ------------------------------------------------------------------ fixture */

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err e = ERR_INIT;
	if (!f)
		return -1;
	char token[SECRET_TOKEN_CHARS + 1];
	secret_random_token(token);
	/* letters and digits only, so names sort alike under any collation */
	size_t n = 0;
	for (size_t i = 0; token[i] && n < 8; i++)
		if ((token[i] >= 'a' && token[i] <= 'z') || (token[i] >= '0' && token[i] <= '9'))
			f->tag[n++] = token[i];
	while (n < 8)
		f->tag[n++] = 'x';
	f->tag[n] = '\0';

	const char *env = getenv("AIMS_TEST_DB_URL");
	if (env && *env) {
		snprintf(f->url, sizeof f->url, "%s", env);
	} else {
		snprintf(f->dir, sizeof f->dir, "/tmp/aims-store-XXXXXX");
		if (!mkdtemp(f->dir)) {
			free(f);
			return -1;
		}
		snprintf(f->url, sizeof f->url, "%s/aims.db", f->dir);
	}
	if (store_open(f->url, &f->s, &e) != 0) {
		print_error("store_open %s: %s\n", f->url, e.message);
		err_release(&e);
		free(f);
		return -1;
	}
	char name[64];
	snprintf(name, sizeof name, "root-%s", f->tag);
	f->root = org(f, name, 0);
	org_path(f, f->root, f->root_path);
	f->scope_paths[0] = f->root_path;
	f->scope.paths = f->scope_paths;
	f->scope.count = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->s);
	if (f->dir[0]) {
		const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
		char path[128];
		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof path, "%s/aims.db%s", f->dir, suffixes[i]);
			unlink(path);
		}
		rmdir(f->dir);
	}
	free(f);
	return 0;
}

/* ------------------------------------------------------------------ basics */

static void test_open_reports_backend_and_reopens(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	const char *backend = store_backend(f->s);
	assert_non_null(backend);
	assert_true(strlen(backend) > 0);
	/* reopening runs the migrations again as a no-op and keeps the data */
	store_close(f->s);
	f->s = NULL;
	check(store_open(f->url, &f->s, &e), &e, "reopen");
	json_t *o = org_get(f, f->root);
	assert_string_equal(STR(o, "path"), f->root_path);
	json_decref(o);
}

static void test_rollback_outside_tx_is_harmless(void **state)
{
	struct fx *f = *state;
	store_tx_rollback(f->s);
	begin(f);
	commit(f);
}

/* ------------------------------------------------------------------ organisations */

static void test_org_paths(void **state)
{
	struct fx *f = *state;
	char want[ORG_PATH_MAX];
	json_t *root = org_get(f, f->root);
	snprintf(want, sizeof want, "/%lld/", (long long)f->root);
	assert_string_equal(STR(root, "path"), want);
	assert_true(json_is_null(json_object_get(root, "parent_id")));
	assert_string_equal(STR(root, "kind"), "department");
	assert_string_equal(STR(root, "created_at"), NOW1);
	assert_string_equal(STR(root, "updated_at"), NOW1);
	json_decref(root);

	int64_t child = org(f, "child", f->root);
	int64_t grandchild = org(f, "grandchild", child);
	json_t *c = org_get(f, child);
	snprintf(want, sizeof want, "/%lld/%lld/", (long long)f->root, (long long)child);
	assert_string_equal(STR(c, "path"), want);
	assert_int_equal(INT(c, "parent_id"), f->root);
	assert_string_equal(STR(c, "name"), "child");
	json_decref(c);
	json_t *g = org_get(f, grandchild);
	snprintf(want, sizeof want, "/%lld/%lld/%lld/", (long long)f->root, (long long)child,
		 (long long)grandchild);
	assert_string_equal(STR(g, "path"), want);
	json_decref(g);
}

static void test_org_unique_name_per_parent(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "Dept", f->root);
	int64_t other = org(f, "Other", f->root);
	int64_t id = 0;
	begin(f);
	assert_int_equal(store_org_create(f->s, "Dept", "team", f->root, NOW1, &id, &e), AIMS_ECONFLICT);
	assert_int_equal(e.code, AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "name"));
	err_release(&e);
	/* the same name under another parent is fine, in the same transaction */
	int64_t b = org_in_tx(f, "Dept", other, NOW1);
	commit(f);
	assert_true(b != a);
	/* renaming onto a sibling's name conflicts too */
	begin(f);
	json_t *fields = json_pack("{ss}", "name", "Dept");
	assert_int_equal(store_org_update(f->s, other, fields, NOW2, &e), AIMS_ECONFLICT);
	json_decref(fields);
	err_release(&e);
	store_tx_rollback(f->s);
}

static void test_org_get_update(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t id = org(f, "Before", f->root);
	begin(f);
	json_t *fields = json_pack("{ss ss}", "name", "After", "kind", "team");
	check(store_org_update(f->s, id, fields, NOW2, &e), &e, "org update");
	json_decref(fields);
	commit(f);
	json_t *o = org_get(f, id);
	assert_string_equal(STR(o, "name"), "After");
	assert_string_equal(STR(o, "kind"), "team");
	assert_string_equal(STR(o, "created_at"), NOW1);
	assert_string_equal(STR(o, "updated_at"), NOW2);
	json_decref(o);

	json_t *missing = NULL;
	assert_int_equal(store_org_get(f->s, INT64_C(900000000000000), &missing, &e), AIMS_ENOTFOUND);
	assert_null(missing);
	err_release(&e);
	/* paths are not for changing */
	begin(f);
	fields = json_pack("{ss}", "path", "/9/");
	assert_int_not_equal(store_org_update(f->s, id, fields, NOW2, &e), 0);
	json_decref(fields);
	err_release(&e);
	store_tx_rollback(f->s);
	begin(f);
	fields = json_pack("{ss}", "name", "x");
	assert_int_equal(store_org_update(f->s, INT64_C(900000000000000), fields, NOW2, &e), AIMS_ENOTFOUND);
	json_decref(fields);
	err_release(&e);
	store_tx_rollback(f->s);
}

static bool list_has(json_t *list, int64_t id)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
		if (INT(item, "id") == id)
			return true;
	return false;
}

static void test_org_list_scope(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root), b = org(f, "B", f->root), a1 = org(f, "A1", a);
	char pa[ORG_PATH_MAX], pb[ORG_PATH_MAX];
	org_path(f, a, pa);
	org_path(f, b, pb);
	json_t *list = NULL;

	const char *only_a[] = { pa };
	struct store_scope scope = { false, only_a, 1 };
	check(store_org_list(f->s, &scope, &list, &e), &e, "org list");
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(INT(json_array_get(list, 0), "id"), a); /* by path: parent first */
	assert_int_equal(INT(json_array_get(list, 1), "id"), a1);
	json_decref(list);

	const char *a_and_b[] = { pa, pb };
	scope = (struct store_scope){ false, a_and_b, 2 };
	check(store_org_list(f->s, &scope, &list, &e), &e, "org list");
	assert_int_equal(json_array_size(list), 3);
	assert_true(list_has(list, a) && list_has(list, a1) && list_has(list, b));
	assert_false(list_has(list, f->root));
	json_decref(list);

	scope = (struct store_scope){ false, NULL, 0 };
	check(store_org_list(f->s, &scope, &list, &e), &e, "org list");
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	scope = (struct store_scope){ true, NULL, 0 };
	check(store_org_list(f->s, &scope, &list, &e), &e, "org list");
	assert_true(list_has(list, f->root) && list_has(list, a) && list_has(list, a1) && list_has(list, b));
	/* every path in byte order, which makes a depth-first walk (a PostgreSQL backend
	 * needs COLLATE "C" on paths for this) */
	for (size_t i = 1; i < json_array_size(list); i++)
		assert_true(strcmp(STR(json_array_get(list, i - 1), "path"), STR(json_array_get(list, i), "path")) < 0);
	json_decref(list);
}

/* ------------------------------------------------------------------ users */

static void test_user_create_get_find(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char email[128];
	int64_t before = 0, after = 0, id = 0;
	email_of(f, "kim", email);
	check(store_user_count(f->s, &before, &e), &e, "count");
	begin(f);
	check(store_user_create(f->s, email, "김민지", "$argon2id$v=19$fake", "en", NOW1, &id, &e), &e,
	      "user create");
	commit(f);
	check(store_user_count(f->s, &after, &e), &e, "count");
	assert_true(after == before + 1);

	json_t *u = NULL;
	check(store_user_get(f->s, id, &u, &e), &e, "user get");
	assert_int_equal(INT(u, "id"), id);
	assert_string_equal(STR(u, "email"), email);
	assert_string_equal(STR(u, "name"), "김민지");
	assert_string_equal(STR(u, "locale"), "en");
	assert_true(json_is_false(json_object_get(u, "disabled")));
	assert_string_equal(STR(u, "created_at"), NOW1);
	assert_null(json_object_get(u, "password_hash")); /* never outside sign-in */
	json_decref(u);

	check(store_user_find_email(f->s, email, &u, &e), &e, "find email");
	assert_int_equal(INT(u, "id"), id);
	assert_string_equal(STR(u, "password_hash"), "$argon2id$v=19$fake");
	json_decref(u);

	char unknown[128];
	email_of(f, "nobody", unknown);
	assert_int_equal(store_user_find_email(f->s, unknown, &u, &e), AIMS_ENOTFOUND);
	assert_null(u);
	err_release(&e);
	assert_int_equal(store_user_get(f->s, INT64_C(900000000000000), &u, &e), AIMS_ENOTFOUND);
	err_release(&e);
}

static void test_user_duplicate_email(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char email[128];
	int64_t id = 0;
	user(f, "dup");
	email_of(f, "dup", email);
	begin(f);
	assert_int_equal(store_user_create(f->s, email, "", "h", "ko", NOW1, &id, &e), AIMS_ECONFLICT);
	assert_int_equal(e.code, AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "email"));
	err_release(&e);
	store_tx_rollback(f->s);
}

static void test_user_update(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char email[128];
	int64_t id = user(f, "upd");
	email_of(f, "upd", email);
	begin(f);
	json_t *fields = json_pack("{ss sb ss ss}", "name", "New Name", "disabled", 1, "password_hash", "$new",
				   "locale", "en");
	check(store_user_update(f->s, id, fields, NOW2, &e), &e, "user update");
	json_decref(fields);
	commit(f);
	json_t *u = NULL;
	check(store_user_find_email(f->s, email, &u, &e), &e, "find");
	assert_string_equal(STR(u, "name"), "New Name");
	assert_true(json_is_true(json_object_get(u, "disabled")));
	assert_string_equal(STR(u, "password_hash"), "$new");
	assert_string_equal(STR(u, "locale"), "en");
	assert_string_equal(STR(u, "updated_at"), NOW2);
	json_decref(u);
	/* e-mail is not among the changeable fields */
	begin(f);
	fields = json_pack("{ss}", "email", "x@y.org");
	assert_int_not_equal(store_user_update(f->s, id, fields, NOW2, &e), 0);
	json_decref(fields);
	err_release(&e);
	store_tx_rollback(f->s);
	begin(f);
	fields = json_pack("{ss}", "name", "x");
	assert_int_equal(store_user_update(f->s, INT64_C(900000000000000), fields, NOW2, &e), AIMS_ENOTFOUND);
	json_decref(fields);
	err_release(&e);
	store_tx_rollback(f->s);
}

static void test_user_list_scope(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root), b = org(f, "B", f->root), a1 = org(f, "A1", a);
	int64_t ua = user(f, "alpha"), ua1 = user(f, "beta"), ub = user(f, "gamma");
	user(f, "nobody"); /* no role anywhere: in no list */
	member(f, ua, a, "viewer");
	member(f, ua1, a1, "officer");
	member(f, ub, b, "admin");
	char pa[ORG_PATH_MAX];
	org_path(f, a, pa);
	const char *paths[] = { pa };
	struct store_scope scope = { false, paths, 1 };
	json_t *list = NULL;
	check(store_user_list(f->s, &scope, &list, &e), &e, "user list");
	assert_int_equal(json_array_size(list), 2);
	assert_true(list_has(list, ua) && list_has(list, ua1));
	/* ordered by e-mail, without password hashes */
	assert_true(strcmp(STR(json_array_get(list, 0), "email"), STR(json_array_get(list, 1), "email")) < 0);
	assert_null(json_object_get(json_array_get(list, 0), "password_hash"));
	json_decref(list);
	check(store_user_list(f->s, &f->scope, &list, &e), &e, "user list");
	assert_int_equal(json_array_size(list), 3);
	json_decref(list);
}

/* ------------------------------------------------------------------ memberships */

static void test_memberships(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root), b = org(f, "B", f->root);
	int64_t u = user(f, "m");
	struct membership *ms = NULL;
	size_t n = 99;
	check(store_membership_list(f->s, u, &ms, &n, &e), &e, "list");
	assert_int_equal(n, 0);
	free(ms);

	member(f, u, a, "viewer");
	check(store_membership_list(f->s, u, &ms, &n, &e), &e, "list");
	assert_int_equal(n, 1);
	assert_int_equal(ms[0].org_id, a);
	assert_string_equal(ms[0].role, "viewer");
	assert_string_equal(ms[0].org_name, "A");
	char pa[ORG_PATH_MAX];
	org_path(f, a, pa);
	assert_string_equal(ms[0].org_path, pa);
	free(ms);

	/* setting again changes the role, never duplicates */
	member(f, u, a, "officer");
	member(f, u, b, "owner");
	check(store_membership_list(f->s, u, &ms, &n, &e), &e, "list");
	assert_int_equal(n, 2);
	assert_true(strcmp(ms[0].org_path, ms[1].org_path) < 0); /* ordered by path */
	for (size_t i = 0; i < n; i++)
		assert_string_equal(ms[i].role, ms[i].org_id == a ? "officer" : "owner");
	free(ms);

	begin(f);
	check(store_membership_delete(f->s, u, a, &e), &e, "delete");
	commit(f);
	check(store_membership_list(f->s, u, &ms, &n, &e), &e, "list");
	assert_int_equal(n, 1);
	assert_int_equal(ms[0].org_id, b);
	free(ms);
	begin(f);
	assert_int_equal(store_membership_delete(f->s, u, a, &e), AIMS_ENOTFOUND);
	err_release(&e);
	store_tx_rollback(f->s);
}

/* ------------------------------------------------------------------ sessions */

static void hash_of(struct fx *f, const char *what, char out[SECRET_SHA256_HEX])
{
	char text[128];
	snprintf(text, sizeof text, "%s-%s", what, f->tag);
	secret_sha256_hex(text, strlen(text), out);
}

static void test_sessions(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t u = user(f, "sess");
	char h1[SECRET_SHA256_HEX], h2[SECRET_SHA256_HEX], h3[SECRET_SHA256_HEX], csrf[SECRET_SHA256_HEX];
	hash_of(f, "s1", h1);
	hash_of(f, "s2", h2);
	hash_of(f, "s3", h3);
	hash_of(f, "csrf", csrf);
	begin(f);
	check(store_session_create(f->s, h1, u, csrf, "2026-11-23T09:00:00Z", "2026-11-23T21:00:00Z", &e), &e,
	      "session create");
	/* already expired when made */
	check(store_session_create(f->s, h2, u, csrf, "2026-11-23T09:00:00Z", "2026-11-23T08:00:00Z", &e), &e,
	      "session create");
	check(store_session_create(f->s, h3, u, csrf, "2026-11-23T09:00:00Z", "2026-11-23T21:00:00Z", &e), &e,
	      "session create");
	commit(f);

	int64_t found = 0;
	char got_csrf[65] = "";
	check(store_session_find(f->s, h1, "2026-11-23T10:00:00Z", &found, got_csrf, &e), &e, "find");
	assert_int_equal(found, u);
	assert_string_equal(got_csrf, csrf);
	/* after expiry: gone */
	assert_int_equal(store_session_find(f->s, h1, "2026-11-23T21:00:01Z", &found, got_csrf, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(store_session_find(f->s, h2, "2026-11-23T09:00:00Z", &found, got_csrf, &e), AIMS_ENOTFOUND);
	err_release(&e);
	char unknown[SECRET_SHA256_HEX];
	hash_of(f, "never", unknown);
	assert_int_equal(store_session_find(f->s, unknown, "2026-11-23T10:00:00Z", &found, got_csrf, &e),
			 AIMS_ENOTFOUND);
	err_release(&e);

	begin(f);
	check(store_session_delete(f->s, h1, &e), &e, "delete");
	commit(f);
	assert_int_equal(store_session_find(f->s, h1, "2026-11-23T10:00:00Z", &found, got_csrf, &e), AIMS_ENOTFOUND);
	err_release(&e);
	check(store_session_find(f->s, h3, "2026-11-23T10:00:00Z", &found, got_csrf, &e), &e, "other stays");

	/* a disabled user's sessions stop working */
	begin(f);
	json_t *fields = json_pack("{sb}", "disabled", 1);
	check(store_user_update(f->s, u, fields, NOW2, &e), &e, "disable");
	json_decref(fields);
	commit(f);
	assert_int_equal(store_session_find(f->s, h3, "2026-11-23T10:00:00Z", &found, got_csrf, &e), AIMS_ENOTFOUND);
	err_release(&e);
}

static void test_session_delete_user(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t u = user(f, "s"), other = user(f, "o");
	char h1[SECRET_SHA256_HEX], h2[SECRET_SHA256_HEX], h3[SECRET_SHA256_HEX];
	hash_of(f, "a", h1);
	hash_of(f, "b", h2);
	hash_of(f, "c", h3);
	begin(f);
	check(store_session_create(f->s, h1, u, "c", NOW1, "2026-11-23T21:00:00Z", &e), &e, "create");
	check(store_session_create(f->s, h2, u, "c", NOW1, "2026-11-23T21:00:00Z", &e), &e, "create");
	check(store_session_create(f->s, h3, other, "c", NOW1, "2026-11-23T21:00:00Z", &e), &e, "create");
	check(store_session_delete_user(f->s, u, &e), &e, "delete user");
	commit(f);
	int64_t found = 0;
	char csrf[65];
	assert_int_equal(store_session_find(f->s, h1, NOW2, &found, csrf, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(store_session_find(f->s, h2, NOW2, &found, csrf, &e), AIMS_ENOTFOUND);
	err_release(&e);
	check(store_session_find(f->s, h3, NOW2, &found, csrf, &e), &e, "other user's session");
	assert_int_equal(found, other);
}

/* ------------------------------------------------------------------ tokens */

static void test_tokens(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t u = user(f, "tok"), other = user(f, "tok2");
	char hash[SECRET_SHA256_HEX];
	hash_of(f, "token", hash);
	int64_t id = 0, found_user = 0, found_id = 0;
	begin(f);
	check(store_token_create(f->s, u, "CI 배포", hash, "aims_abcd", NOW1, &id, &e), &e, "token create");
	commit(f);
	assert_true(id > 0);

	check(store_token_find(f->s, hash, &found_user, &found_id, &e), &e, "token find");
	assert_int_equal(found_user, u);
	assert_int_equal(found_id, id);

	json_t *list = NULL;
	check(store_token_list(f->s, u, &list, &e), &e, "token list");
	assert_int_equal(json_array_size(list), 1);
	json_t *t = json_array_get(list, 0);
	assert_int_equal(INT(t, "id"), id);
	assert_string_equal(STR(t, "name"), "CI 배포");
	assert_string_equal(STR(t, "prefix"), "aims_abcd");
	assert_string_equal(STR(t, "created_at"), NOW1);
	assert_true(json_is_null(json_object_get(t, "revoked_at")));
	assert_null(json_object_get(t, "hash")); /* the secret's hash never leaves the store */
	json_decref(list);

	/* another user cannot revoke it */
	begin(f);
	assert_int_equal(store_token_revoke(f->s, other, id, NOW2, &e), AIMS_ENOTFOUND);
	err_release(&e);
	check(store_token_revoke(f->s, u, id, NOW2, &e), &e, "revoke");
	commit(f);
	assert_int_equal(store_token_find(f->s, hash, &found_user, &found_id, &e), AIMS_ENOTFOUND);
	err_release(&e);
	check(store_token_list(f->s, u, &list, &e), &e, "token list");
	assert_string_equal(STR(json_array_get(list, 0), "revoked_at"), NOW2);
	json_decref(list);
	/* revoking twice: no live token */
	begin(f);
	assert_int_equal(store_token_revoke(f->s, u, id, NOW3, &e), AIMS_ENOTFOUND);
	err_release(&e);
	/* hashes are unique */
	assert_int_equal(store_token_create(f->s, other, "copy", hash, "aims_abcd", NOW1, &id, &e), AIMS_ECONFLICT);
	err_release(&e);
	store_tx_rollback(f->s);
	check(store_token_list(f->s, other, &list, &e), &e, "token list");
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

/* ------------------------------------------------------------------ systems */

static void test_system_create_get(void **state)
{
	struct fx *f = *state;
	int64_t a = org(f, "시민소통과", f->root);
	int64_t u = user(f, "owner");
	json_t *fields = json_pack("{ss ss ss ss sI sI ss s[ss] ss ss ss ss}", "name", "민원 상담 챗봇",
				   "purpose", "민원 응대", "lifecycle_stage", "operation_monitoring",
				   "description", "line 1\nline 2", "org_id", (json_int_t)a, "owner_user_id",
				   (json_int_t)u, "org_role", "provider", "techniques", "nlp", "llm",
				   "decision_role", "makes", "human_oversight", "on_the_loop", "vendor", "Acme",
				   "affected_people", "시민");
	int64_t id = sys_create(f, fields, NOW1);
	json_t *s = sys_get(f, id);
	char email[128], path[ORG_PATH_MAX];
	email_of(f, "owner", email);
	org_path(f, a, path);
	assert_int_equal(INT(s, "id"), id);
	assert_string_equal(STR(s, "name"), "민원 상담 챗봇");
	assert_string_equal(STR(s, "purpose"), "민원 응대");
	assert_string_equal(STR(s, "lifecycle_stage"), "operation_monitoring");
	assert_string_equal(STR(s, "description"), "line 1\nline 2");
	assert_int_equal(INT(s, "org_id"), a);
	assert_string_equal(STR(s, "org_name"), "시민소통과");
	assert_string_equal(STR(s, "org_path"), path);
	assert_int_equal(INT(s, "owner_user_id"), u);
	assert_string_equal(STR(s, "owner_email"), email);
	assert_string_equal(STR(s, "owner_name"), "owner");
	assert_string_equal(STR(s, "org_role"), "provider");
	json_t *tech = json_object_get(s, "techniques");
	assert_true(json_is_array(tech));
	assert_int_equal(json_array_size(tech), 2);
	assert_string_equal(json_string_value(json_array_get(tech, 0)), "nlp");
	assert_string_equal(json_string_value(json_array_get(tech, 1)), "llm");
	assert_string_equal(STR(s, "decision_role"), "makes");
	assert_string_equal(STR(s, "human_oversight"), "on_the_loop");
	assert_string_equal(STR(s, "vendor"), "Acme");
	assert_string_equal(STR(s, "affected_people"), "시민");
	assert_string_equal(STR(s, "data_sources"), ""); /* unset text reads as "" */
	assert_string_equal(STR(s, "status"), "active");
	assert_int_equal(INT(s, "version"), 1);
	assert_string_equal(STR(s, "created_at"), NOW1);
	assert_string_equal(STR(s, "updated_at"), NOW1);
	json_decref(s);

	struct err e = ERR_INIT;
	assert_int_equal(store_system_get(f->s, INT64_C(900000000000000), &s, &e), AIMS_ENOTFOUND);
	assert_null(s);
	err_release(&e);
	/* a column that is not a system field is refused, not silently dropped */
	int64_t other = 0;
	begin(f);
	json_t *bad = sys_fields("bad", "inception", a, u);
	json_object_set_new(bad, "id_hack", json_integer(1));
	assert_int_not_equal(store_system_create(f->s, bad, NOW1, &other, &e), 0);
	json_decref(bad);
	err_release(&e);
	store_tx_rollback(f->s);
}

static void test_system_versions(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root);
	int64_t u = user(f, "v");
	int64_t id = sys(f, "versioned", "design_development", a, u);

	check(sys_update(f, id, json_pack("{ss}", "purpose", "new purpose"), 1, NOW2, &e), &e, "update v1");
	json_t *s = sys_get(f, id);
	assert_int_equal(INT(s, "version"), 2);
	assert_string_equal(STR(s, "purpose"), "new purpose");
	assert_string_equal(STR(s, "updated_at"), NOW2);
	assert_string_equal(STR(s, "created_at"), NOW1);
	json_decref(s);

	/* a stale version changes nothing */
	assert_int_equal(sys_update(f, id, json_pack("{ss}", "purpose", "stale"), 1, NOW3, &e), AIMS_ECONFLICT);
	assert_int_equal(e.code, AIMS_ECONFLICT);
	err_release(&e);
	s = sys_get(f, id);
	assert_int_equal(INT(s, "version"), 2);
	assert_string_equal(STR(s, "purpose"), "new purpose");
	json_decref(s);

	/* the right version, and 0 (no check), both raise it */
	check(sys_update(f, id, json_pack("{s[s]}", "techniques", "speech"), 2, NOW3, &e), &e, "update v2");
	check(sys_update(f, id, json_pack("{ss}", "status", "archived"), 0, NOW3, &e), &e, "update unchecked");
	s = sys_get(f, id);
	assert_int_equal(INT(s, "version"), 4);
	assert_string_equal(STR(s, "status"), "archived");
	assert_string_equal(json_string_value(json_array_get(json_object_get(s, "techniques"), 0)), "speech");
	json_decref(s);

	/* only system fields */
	assert_int_not_equal(sys_update(f, id, json_pack("{si}", "version", 1), 0, NOW3, &e), 0);
	err_release(&e);
}

/* store.h: "AIMS_ENOTFOUND for a missing row". */
static void test_system_update_missing_row_is_not_found(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int rc = sys_update(f, INT64_C(900000000000000), json_pack("{ss}", "purpose", "x"), 0, NOW2, &e);
	err_release(&e);
	assert_int_equal(rc, AIMS_ENOTFOUND);
}

static void test_system_unique_name_per_org(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root), b = org(f, "B", f->root);
	int64_t u = user(f, "u");
	int64_t first = sys(f, "Chatbot", "deployment", a, u);
	int64_t id = 0;
	begin(f);
	json_t *fields = sys_fields("Chatbot", "inception", a, u);
	assert_int_equal(store_system_create(f->s, fields, NOW1, &id, &e), AIMS_ECONFLICT);
	json_decref(fields);
	assert_int_equal(e.code, AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "name"));
	err_release(&e);
	store_tx_rollback(f->s);
	/* the same name in another organisation is another system */
	int64_t in_b = sys(f, "Chatbot", "deployment", b, u);
	assert_true(in_b != first);
	/* renaming onto a taken name, or moving onto one, conflicts too */
	int64_t second = sys(f, "Second", "deployment", a, u);
	assert_int_equal(sys_update(f, second, json_pack("{ss}", "name", "Chatbot"), 0, NOW2, &e), AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "name"));
	err_release(&e);
	assert_int_equal(sys_update(f, in_b, json_pack("{sI}", "org_id", (json_int_t)a), 0, NOW2, &e), AIMS_ECONFLICT);
	err_release(&e);
	json_t *s = sys_get(f, second);
	assert_string_equal(STR(s, "name"), "Second");
	assert_int_equal(INT(s, "version"), 1);
	json_decref(s);
}

/* The little inventory of the filter tests. */
struct inventory {
	int64_t a, a1, b, u1, u2;
	char pa[ORG_PATH_MAX], pa1[ORG_PATH_MAX], pb[ORG_PATH_MAX];
	int64_t s1, s2, s3, s4, s5;
};

static void inventory(struct fx *f, struct inventory *inv)
{
	struct err e = ERR_INIT;
	inv->a = org(f, "A", f->root);
	inv->a1 = org(f, "A1", inv->a);
	inv->b = org(f, "B", f->root);
	org_path(f, inv->a, inv->pa);
	org_path(f, inv->a1, inv->pa1);
	org_path(f, inv->b, inv->pb);
	inv->u1 = user(f, "u1");
	inv->u2 = user(f, "u2");
	json_t *x = sys_fields("Alpha chatbot", "deployment", inv->a, inv->u1);
	json_object_set_new(x, "vendor", json_string("Acme Corp"));
	json_object_set_new(x, "purpose", json_string("answers questions"));
	inv->s1 = sys_create(f, x, NOW1);
	x = sys_fields("민원 상담 챗봇", "operation_monitoring", inv->a1, inv->u2);
	json_object_set_new(x, "purpose", json_string("민원 응대 자동화"));
	json_object_set_new(x, "org_role", json_string("provider"));
	inv->s2 = sys_create(f, x, NOW1);
	x = sys_fields("Beta scoring", "deployment", inv->b, inv->u1);
	json_object_set_new(x, "org_role", json_string("provider"));
	inv->s3 = sys_create(f, x, NOW1);
	inv->s4 = sys(f, "Gamma vision", "inception", inv->a, inv->u1);
	check(sys_update(f, inv->s4, json_pack("{ss}", "status", "archived"), 0, NOW2, &e), &e, "archive");
	inv->s5 = sys(f, "Delta", "deployment", inv->a, inv->u1);
}

static void test_system_list_filters(void **state)
{
	struct fx *f = *state;
	struct inventory inv;
	inventory(f, &inv);
	struct store_system_query q = query(f);

	int64_t all[] = { inv.s1, inv.s2, inv.s3, inv.s4, inv.s5 };
	expect_ids(f, &q, all, 5);

	q = query(f);
	q.q = "챗봇"; /* Korean substring of a name */
	int64_t w1[] = { inv.s2 };
	expect_ids(f, &q, w1, 1);
	q.q = "응대"; /* of a purpose */
	expect_ids(f, &q, w1, 1);
	q.q = "Acme"; /* of a vendor */
	int64_t w2[] = { inv.s1 };
	expect_ids(f, &q, w2, 1);
	q.q = "zzz-nothing";
	expect_ids(f, &q, NULL, 0);
	q.q = "%"; /* not a wildcard */
	expect_ids(f, &q, NULL, 0);

	q = query(f);
	q.lifecycle_stage = "deployment";
	int64_t w3[] = { inv.s1, inv.s3, inv.s5 };
	expect_ids(f, &q, w3, 3);
	q.org_path = inv.pa; /* combined with a subtree */
	int64_t w4[] = { inv.s1, inv.s5 };
	expect_ids(f, &q, w4, 2);

	q = query(f);
	q.status = "active";
	int64_t w5[] = { inv.s1, inv.s2, inv.s3, inv.s5 };
	expect_ids(f, &q, w5, 4);
	q.status = "archived";
	int64_t w6[] = { inv.s4 };
	expect_ids(f, &q, w6, 1);

	q = query(f);
	q.org_path = inv.pa; /* includes the sub-organisation A1 */
	int64_t w7[] = { inv.s1, inv.s2, inv.s4, inv.s5 };
	expect_ids(f, &q, w7, 4);
	q.org_path = inv.pa1;
	expect_ids(f, &q, w1, 1);
	q.org_path = inv.pb;
	int64_t w8[] = { inv.s3 };
	expect_ids(f, &q, w8, 1);

	q = query(f);
	q.org_role = "provider";
	int64_t w9[] = { inv.s2, inv.s3 };
	expect_ids(f, &q, w9, 2);

	q = query(f);
	q.owner_user_id = inv.u2;
	expect_ids(f, &q, w1, 1);
}

static void test_system_list_scope(void **state)
{
	struct fx *f = *state;
	struct inventory inv;
	inventory(f, &inv);
	struct store_system_query q = query(f);
	const char *only_a[] = { inv.pa };
	q.scope = (struct store_scope){ false, only_a, 1 };
	int64_t w1[] = { inv.s1, inv.s2, inv.s4, inv.s5 };
	expect_ids(f, &q, w1, 4);
	const char *a1_b[] = { inv.pa1, inv.pb };
	q.scope = (struct store_scope){ false, a1_b, 2 };
	int64_t w2[] = { inv.s2, inv.s3 };
	expect_ids(f, &q, w2, 2);
	q.scope = (struct store_scope){ false, NULL, 0 };
	expect_ids(f, &q, NULL, 0);
	/* a subtree filter outside the scope finds nothing */
	q.scope = (struct store_scope){ false, only_a, 1 };
	q.org_path = inv.pb;
	expect_ids(f, &q, NULL, 0);
	/* scope "all" with this test's root as the subtree */
	q = query(f);
	q.scope = (struct store_scope){ true, NULL, 0 };
	q.org_path = f->root_path;
	int64_t all[] = { inv.s1, inv.s2, inv.s3, inv.s4, inv.s5 };
	expect_ids(f, &q, all, 5);
}

static void test_system_list_limit_and_total(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	struct inventory inv;
	inventory(f, &inv);
	struct store_system_query q = query(f);
	q.limit = 2;
	json_t *items = NULL;
	int64_t total = 0;
	check(store_system_list(f->s, &q, &items, &total, &e), &e, "list");
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(total, 5);
	assert_int_equal(INT(json_array_get(items, 0), "id"), inv.s1);
	/* joined fields are there in lists too */
	assert_string_equal(STR(json_array_get(items, 0), "org_name"), "A");
	assert_non_null(STR(json_array_get(items, 0), "owner_email"));
	assert_true(json_is_array(json_object_get(json_array_get(items, 0), "techniques")));
	json_decref(items);
	/* total may be skipped */
	check(store_system_list(f->s, &q, &items, NULL, &e), &e, "list");
	assert_int_equal(json_array_size(items), 2);
	json_decref(items);
}

static void test_system_sort_name(void **state)
{
	struct fx *f = *state;
	struct inventory inv;
	inventory(f, &inv);
	struct store_system_query q = query(f);
	q.status = "active";
	q.sort = "name";
	/* "Alpha chatbot" < "Beta scoring" < "Delta" < "민원 상담 챗봇" */
	int64_t asc[] = { inv.s1, inv.s3, inv.s5, inv.s2 };
	expect_ids(f, &q, asc, 4);
	q.descending = true;
	int64_t desc[] = { inv.s2, inv.s5, inv.s3, inv.s1 };
	expect_ids(f, &q, desc, 4);
	q.sort = "id";
	int64_t by_id_desc[] = { inv.s5, inv.s3, inv.s2, inv.s1 };
	expect_ids(f, &q, by_id_desc, 4);
}

/* Sort key of an item, for checking the order a page walk produced. */
static int compare_items(json_t *x, json_t *y, const char *sort)
{
	int c = 0;
	if (!strcmp(sort, "name") || !strcmp(sort, "updated_at"))
		c = strcmp(STR(x, sort), STR(y, sort));
	else if (!strcmp(sort, "lifecycle_stage"))
		c = vocab_index(&vocab_lifecycle_stage, STR(x, sort)) -
		    vocab_index(&vocab_lifecycle_stage, STR(y, sort));
	if (c)
		return c;
	int64_t a = INT(x, "id"), b = INT(y, "id");
	return a < b ? -1 : a > b;
}

static json_t *cursor_of(json_t *last, const char *sort)
{
	if (!strcmp(sort, "lifecycle_stage"))
		return json_pack("[iI]", vocab_index(&vocab_lifecycle_stage, STR(last, "lifecycle_stage")),
				 (json_int_t)INT(last, "id"));
	return json_pack("[OI]", json_object_get(last, sort), (json_int_t)INT(last, "id"));
}

static void test_keyset_pagination(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	enum { N = 25, PAGE = 7 };
	int64_t p = org(f, "P", f->root);
	int64_t u = user(f, "pager");
	int64_t ids[N];
	for (int i = 0; i < N; i++) {
		char name[16];
		/* names in an order unrelated to ids; a third share one updated_at */
		snprintf(name, sizeof name, "n%02d", (i * 7) % N);
		const char *stage = vocab_lifecycle_stage.codes[(i * 3) % 8];
		ids[i] = sys_create(f, sys_fields(name, stage, p, u), i % 3 == 0 ? NOW2 : (i % 3 == 1 ? NOW1 : NOW3));
	}
	const char *sorts[] = { "id", "name", "updated_at", "lifecycle_stage" };
	for (size_t s = 0; s < 4; s++) {
		for (int desc = 0; desc <= 1; desc++) {
			struct store_system_query q = query(f);
			q.sort = sorts[s];
			q.descending = desc;
			q.limit = PAGE;
			json_t *seen = json_array();
			json_t *after = NULL;
			int pages = 0;
			for (;;) {
				json_t *items = NULL;
				int64_t total = 0;
				q.after = after;
				int rc = store_system_list(f->s, &q, &items, &total, &e);
				json_decref(after);
				after = NULL;
				check(rc, &e, "page");
				assert_int_equal(total, N); /* the cursor does not change the total */
				size_t n = json_array_size(items);
				if (n == 0) {
					json_decref(items);
					break;
				}
				pages++;
				assert_true(n <= PAGE);
				size_t i;
				json_t *item;
				json_array_foreach(items, i, item)
					json_array_append(seen, item);
				after = cursor_of(json_array_get(items, n - 1), sorts[s]);
				json_decref(items);
				if (n < PAGE)
					break;
				assert_true(pages < 10);
			}
			json_decref(after);
			if (json_array_size(seen) != N || pages != 4) {
				size_t got = json_array_size(seen);
				json_decref(seen);
				fail_msg("sort %s %s: %zu rows in %d pages", sorts[s], desc ? "desc" : "asc", got, pages);
			}
			/* strictly ordered (so disjoint), and every created id is there */
			for (size_t i = 1; i < N; i++) {
				int c = compare_items(json_array_get(seen, i - 1), json_array_get(seen, i), sorts[s]);
				if (desc ? c <= 0 : c >= 0) {
					json_decref(seen);
					fail_msg("sort %s %s: rows %zu and %zu out of order", sorts[s],
						 desc ? "desc" : "asc", i - 1, i);
				}
			}
			for (int k = 0; k < N; k++)
				assert_true(list_has(seen, ids[k]));
			json_decref(seen);
		}
	}
}

static void test_count_by(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	struct inventory inv;
	inventory(f, &inv);
	json_t *rows = NULL;
	check(store_system_count_by(f->s, &f->scope, "lifecycle_stage", &rows, &e), &e, "count by stage");
	/* active only: s4 (inception) is archived */
	assert_int_equal(json_array_size(rows), 2);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *stage = STR(row, "lifecycle_stage");
		if (!strcmp(stage, "deployment"))
			assert_int_equal(INT(row, "count"), 3);
		else if (!strcmp(stage, "operation_monitoring"))
			assert_int_equal(INT(row, "count"), 1);
		else
			fail_msg("unexpected stage %s", stage);
	}
	json_decref(rows);

	check(store_system_count_by(f->s, &f->scope, "org", &rows, &e), &e, "count by org");
	assert_int_equal(json_array_size(rows), 3);
	row = json_array_get(rows, 0); /* most first */
	assert_int_equal(INT(row, "org_id"), inv.a);
	assert_string_equal(STR(row, "org_name"), "A");
	assert_int_equal(INT(row, "count"), 2);
	int64_t sum = 0;
	json_array_foreach(rows, i, row)
		sum += INT(row, "count");
	assert_int_equal(sum, 4);
	json_decref(rows);

	const char *only_b[] = { inv.pb };
	struct store_scope scope = { false, only_b, 1 };
	check(store_system_count_by(f->s, &scope, "org", &rows, &e), &e, "count by org in B");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(INT(json_array_get(rows, 0), "org_id"), inv.b);
	assert_int_equal(INT(json_array_get(rows, 0), "count"), 1);
	json_decref(rows);
}

/* ------------------------------------------------------------------ changes */

static void test_changes(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root);
	int64_t u = user(f, "actor");
	int64_t x = sys(f, "X", "inception", a, u), y = sys(f, "Y", "inception", a, u);
	char email[128];
	email_of(f, "actor", email);
	begin(f);
	check(store_change_add(f->s, NOW1, u, "system", x, "*", NULL, "{\"name\":\"X\"}", &e), &e, "add");
	check(store_change_add(f->s, NOW2, u, "system", x, "purpose", "old", "new", &e), &e, "add");
	check(store_change_add(f->s, NOW3, 0, "system", x, "vendor", "Acme", NULL, &e), &e, "add");
	check(store_change_add(f->s, NOW3, u, "system", y, "name", "Y0", "Y", &e), &e, "add");
	check(store_change_add(f->s, NOW3, u, "org", x, "name", "o", "n", &e), &e, "add"); /* same id, other type */
	commit(f);

	json_t *rows = NULL;
	check(store_change_list(f->s, "system", x, 100, &rows, &e), &e, "list");
	assert_int_equal(json_array_size(rows), 3);
	json_t *r0 = json_array_get(rows, 0), *r1 = json_array_get(rows, 1), *r2 = json_array_get(rows, 2);
	/* newest first */
	assert_string_equal(STR(r0, "field"), "vendor");
	assert_string_equal(STR(r1, "field"), "purpose");
	assert_string_equal(STR(r2, "field"), "*");
	assert_true(INT(r0, "id") > INT(r1, "id") && INT(r1, "id") > INT(r2, "id"));
	assert_string_equal(STR(r0, "old_value"), "Acme");
	assert_true(json_is_null(json_object_get(r0, "new_value")));
	assert_true(json_is_null(json_object_get(r2, "old_value")));
	assert_string_equal(STR(r1, "old_value"), "old");
	assert_string_equal(STR(r1, "new_value"), "new");
	assert_string_equal(STR(r1, "at"), NOW2);
	assert_string_equal(STR(r1, "object_type"), "system");
	assert_int_equal(INT(r1, "object_id"), x);
	assert_int_equal(INT(r1, "actor_user_id"), u);
	assert_string_equal(STR(r1, "actor_email"), email);
	/* the local operator has no user row */
	assert_true(json_is_null(json_object_get(r0, "actor_user_id")));
	assert_string_equal(STR(r0, "actor_email"), "operator");
	json_decref(rows);

	check(store_change_list(f->s, "system", x, 2, &rows, &e), &e, "list");
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(STR(json_array_get(rows, 1), "field"), "purpose");
	json_decref(rows);
	check(store_change_list(f->s, "org", x, 100, &rows, &e), &e, "list");
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
}

static void test_change_recent(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "A", f->root), b = org(f, "B", f->root);
	int64_t u = user(f, "actor");
	int64_t x = sys(f, "X", "inception", a, u), y = sys(f, "Y", "inception", a, u);
	begin(f);
	/* one mutation of X (two fields at one time by one actor), then one of Y */
	check(store_change_add(f->s, NOW1, u, "system", x, "name", "X0", "X", &e), &e, "add");
	check(store_change_add(f->s, NOW1, u, "system", x, "purpose", "p0", "p", &e), &e, "add");
	check(store_change_add(f->s, NOW2, 0, "system", y, "*", NULL, "{}", &e), &e, "add");
	commit(f);

	json_t *rows = NULL;
	check(store_change_recent(f->s, &f->scope, 10, &rows, &e), &e, "recent");
	assert_int_equal(json_array_size(rows), 2);
	json_t *r0 = json_array_get(rows, 0), *r1 = json_array_get(rows, 1);
	assert_int_equal(INT(r0, "object_id"), y);
	assert_string_equal(STR(r0, "system_name"), "Y");
	assert_string_equal(STR(r0, "fields"), "*");
	assert_string_equal(STR(r0, "actor_email"), "operator");
	assert_int_equal(INT(r1, "object_id"), x);
	assert_string_equal(STR(r1, "system_name"), "X");
	const char *fields = STR(r1, "fields");
	assert_true(!strcmp(fields, "name,purpose") || !strcmp(fields, "purpose,name"));
	assert_string_equal(STR(r1, "at"), NOW1);
	json_decref(rows);

	check(store_change_recent(f->s, &f->scope, 1, &rows, &e), &e, "recent");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(INT(json_array_get(rows, 0), "object_id"), y);
	json_decref(rows);
	char pb[ORG_PATH_MAX];
	org_path(f, b, pb);
	const char *only_b[] = { pb };
	struct store_scope scope = { false, only_b, 1 };
	check(store_change_recent(f->s, &scope, 10, &rows, &e), &e, "recent in B");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
}

/* ------------------------------------------------------------------ sign-in log */

static void test_auth_failures(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char email[128], other[128], addr1[64], addr2[64];
	email_of(f, "target", email);
	email_of(f, "other", other);
	snprintf(addr1, sizeof addr1, "10.0.0.1-%s", f->tag);
	snprintf(addr2, sizeof addr2, "10.0.0.2-%s", f->tag);
	struct {
		const char *at, *kind, *email, *address;
	} events[] = {
		{ "2026-11-23T11:40:00Z", "login_failed", email, addr1 }, /* too old */
		{ "2026-11-23T11:45:00Z", "login_failed", email, addr1 }, /* exactly `since`: counts */
		{ "2026-11-23T11:50:00Z", "login_failed", email, addr1 },
		{ "2026-11-23T11:55:00Z", "login_ok", email, addr1 },     /* not a failure */
		{ "2026-11-23T11:56:00Z", "login_failed", other, addr1 },
		{ "2026-11-23T11:57:00Z", "login_failed", email, addr2 },
		{ "2026-11-23T11:58:00Z", "login_throttled", email, addr1 },
		{ "2026-11-23T11:59:00Z", "login_failed", other, addr1 },
	};
	begin(f);
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
		check(store_auth_event_add(f->s, events[i].at, events[i].kind, events[i].email, 0,
					   events[i].address, NULL, &e),
		      &e, "event");
	commit(f);
	int64_t by_email = -1, by_address = -1;
	check(store_auth_failures(f->s, email, addr1, "2026-11-23T11:45:00Z", &by_email, &by_address, &e), &e,
	      "failures");
	assert_int_equal(by_email, 3);   /* 11:45, 11:50 from addr1, 11:57 from addr2 */
	assert_int_equal(by_address, 4); /* 11:45, 11:50, and other's 11:56, 11:59 */
	check(store_auth_failures(f->s, other, addr2, "2026-11-23T11:45:00Z", &by_email, &by_address, &e), &e,
	      "failures");
	assert_int_equal(by_email, 2);
	assert_int_equal(by_address, 1);
	check(store_auth_failures(f->s, email, addr1, "2026-11-23T12:00:00Z", &by_email, &by_address, &e), &e,
	      "failures");
	assert_int_equal(by_email, 0);
	assert_int_equal(by_address, 0);
}

/* ------------------------------------------------------------------ transactions */

static void test_rollback_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char email[128], hash[SECRET_SHA256_HEX];
	email_of(f, "ghost", email);
	hash_of(f, "ghost-token", hash);
	int64_t o = 0, u = 0, s = 0, t = 0, existing_user = user(f, "real");
	int64_t existing = sys(f, "kept", "inception", f->root, existing_user);
	begin(f);
	o = org_in_tx(f, "ghost org", f->root, NOW1);
	check(store_user_create(f->s, email, "", "h", "ko", NOW1, &u, &e), &e, "user");
	check(store_membership_set(f->s, u, o, "admin", NOW1, &e), &e, "membership");
	json_t *fields = sys_fields("ghost system", "inception", o, u);
	check(store_system_create(f->s, fields, NOW1, &s, &e), &e, "system");
	json_decref(fields);
	check(store_token_create(f->s, u, "t", hash, "aims_x", NOW1, &t, &e), &e, "token");
	check(store_change_add(f->s, NOW1, u, "system", existing, "purpose", "a", "b", &e), &e, "change");
	fields = json_pack("{ss}", "purpose", "changed in a rolled-back transaction");
	check(store_system_update(f->s, existing, fields, 0, NOW2, &e), &e, "update");
	json_decref(fields);
	store_tx_rollback(f->s);

	json_t *out = NULL;
	assert_int_equal(store_org_get(f->s, o, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(store_user_find_email(f->s, email, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(store_system_get(f->s, s, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	int64_t tu = 0, tid = 0;
	assert_int_equal(store_token_find(f->s, hash, &tu, &tid, &e), AIMS_ENOTFOUND);
	err_release(&e);
	json_t *rows = NULL;
	check(store_change_list(f->s, "system", existing, 10, &rows, &e), &e, "changes");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	json_t *kept = sys_get(f, existing);
	assert_string_equal(STR(kept, "purpose"), "purpose of the system");
	assert_int_equal(INT(kept, "version"), 1);
	json_decref(kept);
	/* and the connection works on */
	org(f, "after rollback", f->root);
}

/*
 * A use case may go on after a unique-key error inside its transaction (a CSV import
 * reports every duplicate name): the transaction stays usable and commits what else
 * it wrote. SQLite does this by itself; PostgreSQL aborts the whole transaction on
 * any error unless the statement ran under a savepoint.
 */
static void test_tx_usable_after_conflict(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "goes-on"), first = 0, again = 0, other = 0, dup_user = 0;
	char email[128];
	email_of(f, "goes-on", email);
	begin(f);
	json_t *fields = sys_fields("only once", "inception", f->root, owner);
	check(store_system_create(f->s, fields, NOW1, &first, &e), &e, "first create");
	assert_int_equal(store_system_create(f->s, fields, NOW1, &again, &e), AIMS_ECONFLICT);
	json_decref(fields);
	err_release(&e);
	assert_int_equal(store_user_create(f->s, email, "", "h", "ko", NOW1, &dup_user, &e), AIMS_ECONFLICT);
	err_release(&e);
	fields = sys_fields("written after the conflicts", "deployment", f->root, owner);
	check(store_system_create(f->s, fields, NOW1, &other, &e), &e, "create after the conflicts");
	json_decref(fields);
	fields = json_pack("{ss}", "name", "only once");
	assert_int_equal(store_system_update(f->s, other, fields, 0, NOW2, &e), AIMS_ECONFLICT);
	json_decref(fields);
	err_release(&e);
	commit(f);
	json_t *a = sys_get(f, first), *b = sys_get(f, other);
	assert_string_equal(STR(a, "name"), "only once");
	assert_string_equal(STR(b, "name"), "written after the conflicts");
	json_decref(a);
	json_decref(b);
}

/* ------------------------------------------------------------------ compliance */

static void test_soa_entries(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "soa-owner"), other_org = org(f, "soa other", f->root), id = 0, dup = 0;
	json_t *list = NULL, *row = NULL;
	begin(f);
	json_t *fields = json_pack("{sI ss ss ss sb ss ss sI ss}", "org_id", (json_int_t)f->root, "catalog_id", "cat",
				   "catalog_version", "v1", "control_id", "A.10.2", "applicable", 0, "justification",
				   "not our business", "status", "planned", "owner_user_id", (json_int_t)owner, "due_date",
				   "2026-03-31");
	check(store_soa_create(f->s, fields, NOW1, &id, &e), &e, "soa create");
	assert_int_equal(store_soa_create(f->s, fields, NOW1, &dup, &e), AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "control_id"));
	err_release(&e);
	json_decref(fields);
	fields = json_pack("{sI ss ss ss}", "org_id", (json_int_t)f->root, "catalog_id", "cat", "catalog_version", "v1",
			   "control_id", "A.2.2");
	int64_t second = 0;
	check(store_soa_create(f->s, fields, NOW1, &second, &e), &e, "soa create (defaults)");
	json_decref(fields);
	commit(f);
	/* Ordered by control id in byte order ("A.10.2" < "A.2.2"); booleans read as booleans. */
	check(store_soa_list(f->s, f->root, "cat", &list, &e), &e, "soa list");
	assert_int_equal(json_array_size(list), 2);
	row = json_array_get(list, 0);
	assert_string_equal(STR(row, "control_id"), "A.10.2");
	assert_true(json_is_false(json_object_get(row, "applicable")));
	assert_string_equal(STR(row, "owner_name"), "soa-owner");
	assert_string_equal(STR(row, "due_date"), "2026-03-31");
	assert_int_equal(INT(row, "version"), 1);
	row = json_array_get(list, 1);
	assert_true(json_is_true(json_object_get(row, "applicable")));
	assert_string_equal(STR(row, "status"), "not_started");
	assert_true(json_is_null(json_object_get(row, "due_date")));
	json_decref(list);
	check(store_soa_list(f->s, other_org, "cat", &list, &e), &e, "soa list (other org)");
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* Versioned update: a stale version is a conflict and changes nothing. */
	begin(f);
	fields = json_pack("{ss sb}", "status", "implemented", "applicable", 1);
	check(store_soa_update(f->s, id, fields, 1, NOW2, &e), &e, "soa update");
	assert_int_equal(store_soa_update(f->s, id, fields, 1, NOW3, &e), AIMS_ECONFLICT);
	err_release(&e);
	json_decref(fields);
	commit(f);
	check(store_soa_get(f->s, f->root, "cat", "A.10.2", &row, &e), &e, "soa get");
	assert_int_equal(INT(row, "version"), 2);
	assert_string_equal(STR(row, "status"), "implemented");
	assert_true(json_is_true(json_object_get(row, "applicable")));
	assert_string_equal(STR(row, "updated_at"), NOW2);
	json_decref(row);
	assert_int_equal(store_soa_get(f->s, f->root, "cat", "A.9.9", &row, &e), AIMS_ENOTFOUND);
	err_release(&e);
}

static void test_frameworks_and_assessments(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "assessor");
	int64_t system = sys(f, "assessed", "inception", f->root, owner), id = 0, dup = 0;
	json_t *list = NULL, *row = NULL;
	begin(f);
	json_t *ids = json_pack("[sss]", "zeta", "alpha", "alpha");
	check(store_framework_set(f->s, system, ids, NOW1, &e), &e, "framework set");
	json_decref(ids);
	commit(f);
	check(store_framework_list(f->s, system, &list, &e), &e, "framework list");
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(STR(json_array_get(list, 0), "catalog_id"), "alpha");
	assert_string_equal(STR(json_array_get(list, 1), "created_at"), NOW1);
	json_decref(list);
	/* A framework that stays keeps its row; one left out is removed. */
	begin(f);
	ids = json_pack("[ss]", "zeta", "beta");
	check(store_framework_set(f->s, system, ids, NOW2, &e), &e, "framework set again");
	json_decref(ids);
	commit(f);
	check(store_framework_list(f->s, system, &list, &e), &e, "framework list");
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(STR(json_array_get(list, 0), "catalog_id"), "beta");
	assert_string_equal(STR(json_array_get(list, 0), "created_at"), NOW2);
	assert_string_equal(STR(json_array_get(list, 1), "catalog_id"), "zeta");
	assert_string_equal(STR(json_array_get(list, 1), "created_at"), NOW1);
	json_decref(list);
	begin(f);
	json_t *fields = json_pack("{sI ss ss ss ss ss sI ss}", "system_id", (json_int_t)system, "catalog_id", "zeta",
				   "catalog_version", "1", "requirement_id", "제31조제1항", "status", "met", "note", "근거 있음",
				   "assessor_user_id", (json_int_t)owner, "assessed_on", "2026-11-23");
	check(store_assessment_create(f->s, fields, NOW1, &id, &e), &e, "assessment create");
	assert_int_equal(store_assessment_create(f->s, fields, NOW1, &dup, &e), AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "requirement"));
	err_release(&e);
	json_decref(fields);
	fields = json_pack("{ss}", "status", "not_met");
	check(store_assessment_update(f->s, id, fields, 1, NOW2, &e), &e, "assessment update");
	json_decref(fields);
	commit(f);
	check(store_assessment_get(f->s, system, "zeta", "제31조제1항", &row, &e), &e, "assessment get");
	assert_string_equal(STR(row, "status"), "not_met");
	assert_string_equal(STR(row, "note"), "근거 있음");
	assert_string_equal(STR(row, "assessor_name"), "assessor");
	assert_int_equal(INT(row, "version"), 2);
	json_decref(row);
	check(store_assessment_list(f->s, system, "zeta", &list, &e), &e, "assessment list");
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	check(store_assessment_list(f->s, system, "beta", &list, &e), &e, "assessment list (other)");
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

static int64_t soa_row(struct fx *f, int64_t org_id, const char *catalog, const char *version, const char *control)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	json_t *fields = json_pack("{sI ss ss ss}", "org_id", (json_int_t)org_id, "catalog_id", catalog,
				   "catalog_version", version, "control_id", control);
	check(store_soa_create(f->s, fields, NOW1, &id, &e), &e, "soa create");
	json_decref(fields);
	return id;
}

static int64_t assessment_row(struct fx *f, int64_t system, const char *catalog, const char *version,
			      const char *requirement)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	json_t *fields = json_pack("{sI ss ss ss ss}", "system_id", (json_int_t)system, "catalog_id", catalog,
				   "catalog_version", version, "requirement_id", requirement, "status", "met");
	check(store_assessment_create(f->s, fields, NOW1, &id, &e), &e, "assessment create");
	json_decref(fields);
	return id;
}

/* Rows a catalog upgrade left behind: not at the version in use, or waiting for review;
 * only in scope, only of the catalog asked for, in org path then id order. */
static void test_stale_rows(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	char cat[32], other_cat[32];
	snprintf(cat, sizeof cat, "cat-%s", f->tag);
	snprintf(other_cat, sizeof other_cat, "other-%s", f->tag);
	char outside_name[64];
	snprintf(outside_name, sizeof outside_name, "stale outside %s", f->tag);
	int64_t child = org(f, "stale child", f->root), outside = org(f, outside_name, 0);
	int64_t owner = user(f, "stale-owner");
	int64_t sys_root = sys(f, "stale root system", "inception", f->root, owner);
	int64_t sys_child = sys(f, "stale child system", "inception", child, owner);
	int64_t sys_out = sys(f, "stale outside system", "inception", outside, owner);
	begin(f);
	int64_t r_old = soa_row(f, f->root, cat, "v1", "A.1");
	soa_row(f, f->root, cat, "v2", "A.2");
	int64_t r_review = soa_row(f, f->root, cat, "v2", "A.3");
	soa_row(f, child, cat, "v0", "A.1");
	soa_row(f, outside, cat, "v1", "A.1");
	soa_row(f, f->root, other_cat, "v1", "A.1");
	json_t *fields = json_pack("{ss}", "review_from", "v1");
	check(store_soa_update(f->s, r_review, fields, 0, NOW2, &e), &e, "soa review_from");
	json_decref(fields);
	assessment_row(f, sys_child, cat, "v1", "9.2");
	assessment_row(f, sys_root, cat, "v1", "9.1");
	assessment_row(f, sys_root, cat, "v2", "9.3");
	assessment_row(f, sys_out, cat, "v1", "9.1");
	commit(f);

	json_t *rows = NULL;
	check(store_soa_list_stale(f->s, &f->scope, cat, "v2", &rows, &e), &e, "soa stale");
	assert_int_equal(json_array_size(rows), 3);
	json_t *row = json_array_get(rows, 0);
	assert_int_equal(INT(row, "id"), r_old);
	assert_string_equal(STR(row, "catalog_version"), "v1");
	assert_string_equal(STR(row, "org_path"), f->root_path);
	assert_true(json_is_null(json_object_get(row, "review_from")));
	assert_true(json_is_true(json_object_get(row, "applicable")));
	row = json_array_get(rows, 1);
	assert_int_equal(INT(row, "id"), r_review);
	assert_string_equal(STR(row, "review_from"), "v1");
	assert_int_equal(INT(row, "version"), 2);
	row = json_array_get(rows, 2);
	assert_int_equal(INT(row, "org_id"), child);
	assert_string_equal(STR(row, "org_name"), "stale child");
	assert_string_equal(STR(row, "catalog_version"), "v0");
	json_decref(rows);

	check(store_assessment_list_stale(f->s, &f->scope, cat, "v2", &rows, &e), &e, "assessment stale");
	assert_int_equal(json_array_size(rows), 2);
	row = json_array_get(rows, 0);
	assert_int_equal(INT(row, "system_id"), sys_root);
	assert_string_equal(STR(row, "requirement_id"), "9.1");
	assert_string_equal(STR(row, "system_name"), "stale root system");
	assert_string_equal(STR(row, "system_status"), "active");
	assert_int_equal(INT(row, "system_owner_user_id"), owner);
	assert_int_equal(INT(row, "org_id"), f->root);
	row = json_array_get(rows, 1);
	assert_int_equal(INT(row, "system_id"), sys_child);
	assert_string_equal(STR(row, "org_name"), "stale child");
	json_decref(rows);

	/* Clearing review_from takes a row off the list; an empty scope sees nothing. */
	begin(f);
	fields = json_pack("{sn}", "review_from");
	check(store_soa_update(f->s, r_review, fields, 2, NOW3, &e), &e, "soa review cleared");
	json_decref(fields);
	commit(f);
	check(store_soa_list_stale(f->s, &f->scope, cat, "v2", &rows, &e), &e, "soa stale again");
	assert_int_equal(json_array_size(rows), 2);
	json_decref(rows);
	struct store_scope none = { false, NULL, 0 };
	check(store_soa_list_stale(f->s, &none, cat, "v2", &rows, &e), &e, "soa stale, empty scope");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	check(store_assessment_list_stale(f->s, &none, cat, "v2", &rows, &e), &e, "assessment stale, empty scope");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
}

/* ------------------------------------------------------------------ evidence */

#define SHA_A "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_B "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define TODAY "2026-06-15"

/* Creates evidence of org_id titled title in its own transaction; more (stolen, may be
 * NULL) adds or overrides fields. */
static int64_t ev_create(struct fx *f, int64_t org_id, const char *title, json_t *more)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	json_t *fields = json_pack("{sI ss ss ss sI ss}", "org_id", (json_int_t)org_id, "title", title, "filename",
				   "file.pdf", "media_type", "application/pdf", "size_bytes", (json_int_t)3, "sha256",
				   SHA_A);
	if (more)
		json_object_update(fields, more);
	json_decref(more);
	begin(f);
	int rc = store_evidence_create(f->s, fields, NOW1, &id, &e);
	json_decref(fields);
	check(rc, &e, "evidence create");
	commit(f);
	assert_true(id > 0);
	return id;
}

static json_t *ev_get(struct fx *f, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *o = NULL;
	check(store_evidence_get(f->s, id, &o, &e), &e, "evidence get");
	return o;
}

static int64_t ev_link(struct fx *f, int64_t id, int64_t system_id, const char *catalog, const char *requirement)
{
	struct err e = ERR_INIT;
	int64_t link = 0;
	begin(f);
	check(store_evidence_link_add(f->s, id, system_id, catalog, requirement, NOW2, &link, &e), &e, "link add");
	commit(f);
	assert_true(link > 0);
	return link;
}

/* A query over this test's subtree, all rows, for TODAY. */
static struct store_evidence_query ev_query(struct fx *f)
{
	struct store_evidence_query q;
	memset(&q, 0, sizeof q);
	q.scope = &f->scope;
	q.today = TODAY;
	return q;
}

/* Lists with q and checks the ids, in order, and the total. */
static void ev_expect(struct fx *f, const struct store_evidence_query *q, const int64_t *want, size_t n,
		      int64_t want_total)
{
	struct err e = ERR_INIT;
	json_t *items = NULL;
	int64_t total = -1;
	check(store_evidence_list(f->s, q, &items, &total, &e), &e, "evidence list");
	bool same = json_array_size(items) == n && total == want_total;
	for (size_t i = 0; same && i < n; i++)
		same = INT(json_array_get(items, i), "id") == want[i];
	if (!same) {
		char got[512] = "";
		size_t used = 0;
		for (size_t i = 0; i < json_array_size(items) && used < sizeof got - 24; i++)
			used += (size_t)snprintf(got + used, sizeof got - used, "%lld ",
						 (long long)INT(json_array_get(items, i), "id"));
		json_decref(items);
		fail_msg("want %zu ids (first %lld) of total %lld, got [%s] total %lld", n,
			 n ? (long long)want[0] : 0LL, (long long)want_total, got, (long long)total);
	}
	json_decref(items);
}

static void test_evidence_create_get_update(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t uploader = user(f, "uploader");
	int64_t id = ev_create(f, f->root, "AI 정책 2026",
			       json_pack("{ss ss ss sI}", "description", "이사회 승인본", "issued_on", "2026-01-02",
					 "valid_until", "2027-01-01", "uploaded_by", (json_int_t)uploader));
	json_t *ev = ev_get(f, id);
	assert_int_equal(INT(ev, "id"), id);
	assert_int_equal(INT(ev, "org_id"), f->root);
	assert_non_null(strstr(STR(ev, "org_name"), f->tag));
	assert_string_equal(STR(ev, "title"), "AI 정책 2026");
	assert_string_equal(STR(ev, "description"), "이사회 승인본");
	assert_string_equal(STR(ev, "kind"), "file");
	assert_string_equal(STR(ev, "filename"), "file.pdf");
	assert_string_equal(STR(ev, "media_type"), "application/pdf");
	assert_true(json_is_integer(json_object_get(ev, "size_bytes")));
	assert_int_equal(INT(ev, "size_bytes"), 3);
	assert_string_equal(STR(ev, "sha256"), SHA_A);
	assert_string_equal(STR(ev, "issued_on"), "2026-01-02");
	assert_string_equal(STR(ev, "valid_until"), "2027-01-01");
	assert_int_equal(INT(ev, "uploaded_by"), uploader);
	assert_string_equal(STR(ev, "uploader_name"), "uploader");
	assert_non_null(strstr(STR(ev, "uploader_email"), "uploader-"));
	assert_true(json_is_integer(json_object_get(ev, "link_count")));
	assert_int_equal(INT(ev, "link_count"), 0);
	assert_int_equal(INT(ev, "version"), 1);
	assert_string_equal(STR(ev, "created_at"), NOW1);
	assert_string_equal(STR(ev, "updated_at"), NOW1);
	json_decref(ev);

	/* Defaults and nulls: no dates, no uploader (the local operator). */
	int64_t bare = ev_create(f, f->root, "bare", NULL);
	ev = ev_get(f, bare);
	assert_string_equal(STR(ev, "description"), "");
	assert_true(json_is_null(json_object_get(ev, "issued_on")));
	assert_true(json_is_null(json_object_get(ev, "valid_until")));
	assert_true(json_is_null(json_object_get(ev, "uploaded_by")));
	assert_true(json_is_null(json_object_get(ev, "uploader_email")));
	json_decref(ev);

	/* Versioned update: the right version applies, a stale one is a conflict. */
	begin(f);
	json_t *fields = json_pack("{ss so}", "title", "AI 정책 2026 (개정)", "valid_until", json_null());
	check(store_evidence_update(f->s, id, fields, 1, NOW2, &e), &e, "evidence update");
	assert_int_equal(store_evidence_update(f->s, id, fields, 1, NOW3, &e), AIMS_ECONFLICT);
	err_release(&e);
	json_decref(fields);
	commit(f);
	ev = ev_get(f, id);
	assert_int_equal(INT(ev, "version"), 2);
	assert_string_equal(STR(ev, "title"), "AI 정책 2026 (개정)");
	assert_true(json_is_null(json_object_get(ev, "valid_until")));
	assert_string_equal(STR(ev, "issued_on"), "2026-01-02");
	assert_string_equal(STR(ev, "updated_at"), NOW2);
	assert_string_equal(STR(ev, "created_at"), NOW1);
	json_decref(ev);
	/* Version 0: no check. */
	begin(f);
	fields = json_pack("{ss}", "description", "");
	check(store_evidence_update(f->s, id, fields, 0, NOW3, &e), &e, "evidence update without a version");
	json_decref(fields);
	/* The digest, file and organisation cannot be changed. */
	fields = json_pack("{ss}", "sha256", SHA_B);
	assert_int_equal(store_evidence_update(f->s, id, fields, 0, NOW3, &e), AIMS_EINVAL);
	err_release(&e);
	json_decref(fields);
	fields = json_pack("{ss}", "title", "x");
	assert_int_equal(store_evidence_update(f->s, id + 1000000, fields, 0, NOW3, &e), AIMS_ENOTFOUND);
	err_release(&e);
	json_decref(fields);
	commit(f);
	ev = ev_get(f, id);
	assert_int_equal(INT(ev, "version"), 3);
	assert_string_equal(STR(ev, "sha256"), SHA_A);
	json_decref(ev);
	assert_int_equal(store_evidence_get(f->s, id + 1000000, &ev, &e), AIMS_ENOTFOUND);
	err_release(&e);

	/* A create that is rolled back leaves nothing. */
	int64_t gone = 0;
	begin(f);
	fields = json_pack("{sI ss ss ss sI ss}", "org_id", (json_int_t)f->root, "title", "rolled back", "filename", "f",
			   "media_type", "text/plain", "size_bytes", (json_int_t)1, "sha256", SHA_B);
	check(store_evidence_create(f->s, fields, NOW1, &gone, &e), &e, "evidence create");
	json_decref(fields);
	store_tx_rollback(f->s);
	assert_int_equal(store_evidence_get(f->s, gone, &ev, &e), AIMS_ENOTFOUND);
	err_release(&e);
}

static void test_evidence_list_filters(void **state)
{
	struct fx *f = *state;
	int64_t owner = user(f, "ev-owner");
	int64_t a = org(f, "ev A", f->root), a1 = org(f, "ev A1", a), b = org(f, "ev B", f->root);
	char pa[ORG_PATH_MAX];
	org_path(f, a, pa);
	int64_t sys_a = sys(f, "ev system", "deployment", a, owner);
	int64_t e1 = ev_create(f, a, "100% done", json_pack("{ss}", "valid_until", "2026-06-14"));
	int64_t e2 = ev_create(f, a1, "100 percent", json_pack("{ss}", "valid_until", TODAY));
	int64_t e3 = ev_create(f, b, "a_b", json_pack("{ss}", "description", "Risk POLICY text"));
	int64_t e4 = ev_create(f, a, "axb", json_pack("{ss ss}", "filename", "정책서.hwp", "valid_until", "2099-12-31"));
	ev_link(f, e2, sys_a, "", "");
	ev_link(f, e4, sys_a, "iso-iec-42001-2023", "A.2.2");
	ev_link(f, e3, 0, "iso-iec-42001-2023", "A.2.2");
	ev_link(f, e1, 0, "iso-iec-42001-2023", "A.2.3");

	/* Newest first over the whole subtree. */
	struct store_evidence_query q = ev_query(f);
	int64_t all[] = { e4, e3, e2, e1 };
	ev_expect(f, &q, all, 4, 4);

	/* Scope: the subtree of A holds A1; org_id is that organisation alone. */
	const char *only_a[] = { pa };
	struct store_scope scope_a = { false, only_a, 1 };
	q.scope = &scope_a;
	int64_t in_a[] = { e4, e2, e1 };
	ev_expect(f, &q, in_a, 3, 3);
	q.org_id = a;
	int64_t org_a[] = { e4, e1 };
	ev_expect(f, &q, org_a, 2, 2);
	q.org_id = b; /* outside the scope: nothing */
	ev_expect(f, &q, NULL, 0, 0);
	struct store_scope none = { false, NULL, 0 };
	q = ev_query(f);
	q.scope = &none;
	ev_expect(f, &q, NULL, 0, 0);

	/* q: % and _ are literal; title, description and file name; ASCII case ignored. */
	q = ev_query(f);
	q.q = "100%";
	int64_t w_pct[] = { e1 };
	ev_expect(f, &q, w_pct, 1, 1);
	q.q = "%";
	ev_expect(f, &q, w_pct, 1, 1);
	q.q = "a_b";
	int64_t w_us[] = { e3 };
	ev_expect(f, &q, w_us, 1, 1);
	q.q = "_";
	ev_expect(f, &q, w_us, 1, 1);
	q.q = "100";
	int64_t w_100[] = { e2, e1 };
	ev_expect(f, &q, w_100, 2, 2);
	q.q = "policy";
	ev_expect(f, &q, w_us, 1, 1);
	q.q = "정책서";
	int64_t w_name[] = { e4 };
	ev_expect(f, &q, w_name, 1, 1);
	q.q = "zzz-nothing";
	ev_expect(f, &q, NULL, 0, 0);

	/* Linked to a system; linked to a requirement (with or without a system). */
	q = ev_query(f);
	q.system_id = sys_a;
	int64_t w_sys[] = { e4, e2 };
	ev_expect(f, &q, w_sys, 2, 2);
	q = ev_query(f);
	q.catalog_id = "iso-iec-42001-2023";
	q.requirement_id = "A.2.2";
	int64_t w_req[] = { e4, e3 };
	ev_expect(f, &q, w_req, 2, 2);
	q.system_id = sys_a;
	ev_expect(f, &q, w_name, 1, 1);
	q = ev_query(f);
	q.catalog_id = "iso-iec-42001-2023";
	q.requirement_id = "A.9.9";
	ev_expect(f, &q, NULL, 0, 0);

	/* State against today: the last valid day is still valid; no end date is valid. */
	q = ev_query(f);
	q.state = "expired";
	ev_expect(f, &q, w_pct, 1, 1);
	q.state = "valid";
	int64_t w_valid[] = { e4, e3, e2 };
	ev_expect(f, &q, w_valid, 3, 3);
	q.today = "2026-06-16";
	int64_t w_valid2[] = { e4, e3 };
	ev_expect(f, &q, w_valid2, 2, 2);
	q.state = "expired";
	q.q = "100";
	ev_expect(f, &q, w_100, 2, 2);

	/* Lists carry the joined fields and the link count. */
	struct err e = ERR_INIT;
	json_t *items = NULL;
	q = ev_query(f);
	q.limit = 1;
	check(store_evidence_list(f->s, &q, &items, NULL, &e), &e, "evidence list without a total");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(STR(json_array_get(items, 0), "org_name"), "ev A");
	assert_int_equal(INT(json_array_get(items, 0), "link_count"), 1);
	json_decref(items);
}

static void test_evidence_list_limit_offset_total(void **state)
{
	struct fx *f = *state;
	int64_t ids[5];
	for (int i = 0; i < 5; i++) {
		char title[32];
		snprintf(title, sizeof title, "page %d", i);
		ids[i] = ev_create(f, f->root, title, NULL);
	}
	struct store_evidence_query q = ev_query(f);
	q.limit = 2;
	int64_t p1[] = { ids[4], ids[3] };
	ev_expect(f, &q, p1, 2, 5);
	q.offset = 2;
	int64_t p2[] = { ids[2], ids[1] };
	ev_expect(f, &q, p2, 2, 5);
	q.offset = 4;
	int64_t p3[] = { ids[0] };
	ev_expect(f, &q, p3, 1, 5);
	q.offset = 5;
	ev_expect(f, &q, NULL, 0, 5);
	q.limit = 0; /* all, from the offset */
	q.offset = 3;
	int64_t rest[] = { ids[1], ids[0] };
	ev_expect(f, &q, rest, 2, 5);
	q.q = "page 3";
	q.offset = 0;
	q.limit = 10;
	int64_t one[] = { ids[3] };
	ev_expect(f, &q, one, 1, 1);
}

static void test_evidence_links(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "link-owner");
	int64_t system = sys(f, "linked system", "deployment", f->root, owner);
	int64_t id = ev_create(f, f->root, "linked", NULL), other = ev_create(f, f->root, "other", NULL);
	int64_t l_sys = ev_link(f, id, system, "", "");
	int64_t l_req = ev_link(f, id, 0, "iso-iec-42001-2023", "A.6.2.8");
	int64_t l_both = ev_link(f, id, system, "iso-iec-42001-2023", "A.6.2.8");
	assert_true(l_sys < l_req && l_req < l_both);

	/* A second equal link is a conflict naming "link"; the transaction stays usable. */
	int64_t dup = 0;
	begin(f);
	assert_int_equal(store_evidence_link_add(f->s, id, 0, "iso-iec-42001-2023", "A.6.2.8", NOW3, &dup, &e),
			 AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "link"));
	err_release(&e);
	assert_int_equal(store_evidence_link_add(f->s, id, system, "", "", NOW3, &dup, &e), AIMS_ECONFLICT);
	err_release(&e);
	check(store_evidence_link_add(f->s, other, 0, "iso-iec-42001-2023", "A.6.2.8", NOW3, &dup, &e), &e,
	      "the same link on other evidence");
	commit(f);

	json_t *links = NULL;
	check(store_evidence_links(f->s, id, &links, &e), &e, "links");
	assert_int_equal(json_array_size(links), 3);
	json_t *l = json_array_get(links, 0);
	assert_int_equal(INT(l, "id"), l_sys);
	assert_int_equal(INT(l, "evidence_id"), id);
	assert_int_equal(INT(l, "system_id"), system);
	assert_string_equal(STR(l, "system_name"), "linked system");
	assert_string_equal(STR(l, "catalog_id"), "");
	assert_string_equal(STR(l, "requirement_id"), "");
	assert_string_equal(STR(l, "created_at"), NOW2);
	l = json_array_get(links, 1);
	assert_int_equal(INT(l, "id"), l_req);
	assert_true(json_is_integer(json_object_get(l, "system_id")));
	assert_int_equal(INT(l, "system_id"), 0);
	assert_true(json_is_null(json_object_get(l, "system_name")));
	assert_string_equal(STR(l, "catalog_id"), "iso-iec-42001-2023");
	assert_string_equal(STR(l, "requirement_id"), "A.6.2.8");
	assert_int_equal(INT(json_array_get(links, 2), "id"), l_both);
	json_decref(links);
	json_t *ev = ev_get(f, id);
	assert_int_equal(INT(ev, "link_count"), 3);
	json_decref(ev);

	/* Delete: once; a link of other evidence is not found through this one. */
	begin(f);
	check(store_evidence_link_delete(f->s, id, l_req, &e), &e, "link delete");
	assert_int_equal(store_evidence_link_delete(f->s, id, l_req, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(store_evidence_link_delete(f->s, other, l_sys, &e), AIMS_ENOTFOUND);
	err_release(&e);
	commit(f);
	check(store_evidence_links(f->s, id, &links, &e), &e, "links");
	assert_int_equal(json_array_size(links), 2);
	assert_int_equal(INT(json_array_get(links, 1), "id"), l_both);
	json_decref(links);
	/* Deleted, the same link may be added again. */
	ev_link(f, id, 0, "iso-iec-42001-2023", "A.6.2.8");
	check(store_evidence_links(f->s, other, &links, &e), &e, "links of the other");
	assert_int_equal(json_array_size(links), 1);
	json_decref(links);
	check(store_evidence_links(f->s, id + 1000000, &links, &e), &e, "links of nothing");
	assert_int_equal(json_array_size(links), 0);
	json_decref(links);
}

/* Whether rows hold {evidence_id, requirement_id} (and system_id when >= 0). */
static bool has_row(json_t *rows, int64_t evidence_id, const char *requirement_id, int64_t system_id)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
		if (INT(r, "evidence_id") == evidence_id && !strcmp(STR(r, "requirement_id"), requirement_id) &&
		    (system_id < 0 || INT(r, "system_id") == system_id))
			return true;
	return false;
}

static void test_evidence_on_requirements(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "req-owner");
	int64_t a = org(f, "req A", f->root), b = org(f, "req B", f->root);
	int64_t sys_a = sys(f, "req system A", "deployment", a, owner);
	int64_t sys_b = sys(f, "req system B", "deployment", b, owner);
	int64_t e1 = ev_create(f, a, "org-wide", json_pack("{ss}", "valid_until", "2020-12-31"));
	int64_t e2 = ev_create(f, a, "for system A", NULL);
	int64_t e3 = ev_create(f, b, "of B, on system A", NULL);
	ev_link(f, e1, 0, "cat-x", "R.1");
	ev_link(f, e1, 0, "cat-y", "R.1");       /* another catalog */
	ev_link(f, e2, sys_a, "cat-x", "R.2");
	ev_link(f, e2, sys_a, "", "");           /* a system without a requirement */
	ev_link(f, e3, sys_a, "cat-x", "R.3");   /* evidence of B on A's system */
	ev_link(f, e3, sys_b, "cat-x", "R.1");

	json_t *rows = NULL;
	check(store_evidence_on_requirements(f->s, a, 0, "cat-x", &rows, &e), &e, "on requirements by org");
	assert_int_equal(json_array_size(rows), 2);
	assert_true(has_row(rows, e1, "R.1", 0));
	assert_true(has_row(rows, e2, "R.2", sys_a));
	/* Ordered by requirement, with title and valid_until. */
	assert_string_equal(STR(json_array_get(rows, 0), "requirement_id"), "R.1");
	assert_string_equal(STR(json_array_get(rows, 0), "title"), "org-wide");
	assert_string_equal(STR(json_array_get(rows, 0), "valid_until"), "2020-12-31");
	assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "valid_until")));
	json_decref(rows);
	check(store_evidence_on_requirements(f->s, a, 0, "cat-y", &rows, &e), &e, "other catalog");
	assert_int_equal(json_array_size(rows), 1);
	assert_true(has_row(rows, e1, "R.1", 0));
	json_decref(rows);

	/* By system: links naming the system and a requirement, whatever organisation. */
	check(store_evidence_on_requirements(f->s, 0, sys_a, "cat-x", &rows, &e), &e, "on requirements by system");
	assert_int_equal(json_array_size(rows), 2);
	assert_true(has_row(rows, e2, "R.2", sys_a));
	assert_true(has_row(rows, e3, "R.3", sys_a));
	json_decref(rows);
	check(store_evidence_on_requirements(f->s, 0, sys_b, "cat-x", &rows, &e), &e, "system B");
	assert_int_equal(json_array_size(rows), 1);
	assert_true(has_row(rows, e3, "R.1", sys_b));
	json_decref(rows);
	check(store_evidence_on_requirements(f->s, b, 0, "cat-x", &rows, &e), &e, "org B");
	assert_int_equal(json_array_size(rows), 2);
	assert_true(has_row(rows, e3, "R.1", sys_b));
	assert_true(has_row(rows, e3, "R.3", sys_a));
	json_decref(rows);
	check(store_evidence_on_requirements(f->s, a, 0, "cat-none", &rows, &e), &e, "no such catalog");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
}

static void test_evidence_digests(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t e1 = ev_create(f, f->root, "digest one", NULL);
	int64_t e2 = ev_create(f, f->root, "digest two", json_pack("{ss sI}", "sha256", SHA_B, "size_bytes",
								  (json_int_t)56));
	json_t *rows = NULL;
	check(store_evidence_digests(f->s, &rows, &e), &e, "digests");
	/* A shared database may hold other tests' rows: find ours, in id order. */
	size_t i, at1 = SIZE_MAX, at2 = SIZE_MAX;
	json_t *r;
	int64_t last = 0;
	json_array_foreach(rows, i, r) {
		assert_true(INT(r, "id") > last);
		last = INT(r, "id");
		if (INT(r, "id") == e1) {
			at1 = i;
			assert_string_equal(STR(r, "sha256"), SHA_A);
			assert_int_equal(INT(r, "size_bytes"), 3);
		} else if (INT(r, "id") == e2) {
			at2 = i;
			assert_string_equal(STR(r, "sha256"), SHA_B);
			assert_int_equal(INT(r, "size_bytes"), 56);
		}
	}
	assert_true(at1 < at2 && at2 != SIZE_MAX);
	json_decref(rows);
}

/* ------------------------------------------------------------------ risks */

/* Creates a risk of org_id in its own transaction: title, likelihood and impact with
 * their score; more (stolen, may be NULL) adds or overrides fields. */
static int64_t risk_create(struct fx *f, int64_t org_id, const char *title, const char *likelihood,
			   const char *impact, int score, json_t *more)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	json_t *fields = json_pack("{sI ss ss ss si}", "org_id", (json_int_t)org_id, "title", title, "likelihood",
				   likelihood, "impact", impact, "score", score);
	if (more)
		json_object_update(fields, more);
	json_decref(more);
	begin(f);
	int rc = store_risk_create(f->s, fields, NOW1, &id, &e);
	json_decref(fields);
	check(rc, &e, "risk create");
	commit(f);
	assert_true(id > 0);
	return id;
}

static json_t *risk_get(struct fx *f, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *o = NULL;
	check(store_risk_get(f->s, id, &o, &e), &e, "risk get");
	return o;
}

/* A query over this test's subtree, every risk, the default sort (score, highest first). */
static struct store_risk_query risk_query(struct fx *f)
{
	struct store_risk_query q;
	memset(&q, 0, sizeof q);
	q.scope = &f->scope;
	q.sort = "score";
	q.descending = true;
	return q;
}

/* Lists with q and checks the ids, in order, and the total. */
static void risk_expect(struct fx *f, const struct store_risk_query *q, const int64_t *want, size_t n,
			int64_t want_total)
{
	struct err e = ERR_INIT;
	json_t *items = NULL;
	int64_t total = -1;
	check(store_risk_list(f->s, q, &items, &total, &e), &e, "risk list");
	bool same = json_array_size(items) == n && total == want_total;
	for (size_t i = 0; same && i < n; i++)
		same = INT(json_array_get(items, i), "id") == want[i];
	if (!same) {
		char got[512] = "", wanted[512] = "";
		size_t used = 0;
		for (size_t i = 0; i < json_array_size(items) && used < sizeof got - 24; i++)
			used += (size_t)snprintf(got + used, sizeof got - used, "%lld ",
						 (long long)INT(json_array_get(items, i), "id"));
		used = 0;
		for (size_t i = 0; i < n && used < sizeof wanted - 24; i++)
			used += (size_t)snprintf(wanted + used, sizeof wanted - used, "%lld ", (long long)want[i]);
		json_decref(items);
		fail_msg("want ids [%s] total %lld, got [%s] total %lld", wanted, (long long)want_total, got,
			 (long long)total);
	}
	json_decref(items);
}

static void test_risk_create_get_update(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "risk-owner");
	int64_t sys_id = sys(f, "risk system", "deployment", f->root, owner);
	int64_t id = risk_create(
		f, f->root, "편향된 채용 판정", "likely", "major", 16,
		json_pack("{sI ss ss s[ss] ss ss ss ss ss si sI ss ss sI}", "system_id", (json_int_t)sys_id, "description",
			  "설명", "source", "machine_learning", "objectives", "fairness", "privacy", "consequences",
			  "차별", "treatment", "modify", "treatment_plan", "재학습", "residual_likelihood", "unlikely",
			  "residual_impact", "minor", "residual_score", 4, "owner_user_id", (json_int_t)owner,
			  "review_date", "2027-03-31", "status", "in_treatment", "created_by", (json_int_t)owner));
	json_t *r = risk_get(f, id);
	assert_int_equal(INT(r, "id"), id);
	assert_int_equal(INT(r, "org_id"), f->root);
	assert_non_null(strstr(STR(r, "org_name"), f->tag));
	assert_string_equal(STR(r, "org_path"), f->root_path);
	assert_int_equal(INT(r, "system_id"), sys_id);
	assert_string_equal(STR(r, "system_name"), "risk system");
	assert_string_equal(STR(r, "title"), "편향된 채용 판정");
	assert_string_equal(STR(r, "description"), "설명");
	assert_string_equal(STR(r, "source"), "machine_learning");
	json_t *objectives = json_object_get(r, "objectives");
	assert_true(json_is_array(objectives));
	assert_int_equal(json_array_size(objectives), 2);
	assert_string_equal(json_string_value(json_array_get(objectives, 0)), "fairness");
	assert_string_equal(json_string_value(json_array_get(objectives, 1)), "privacy");
	assert_string_equal(STR(r, "consequences"), "차별");
	assert_string_equal(STR(r, "likelihood"), "likely");
	assert_string_equal(STR(r, "impact"), "major");
	assert_true(json_is_integer(json_object_get(r, "score")));
	assert_int_equal(INT(r, "score"), 16);
	assert_string_equal(STR(r, "treatment"), "modify");
	assert_string_equal(STR(r, "treatment_plan"), "재학습");
	assert_string_equal(STR(r, "residual_likelihood"), "unlikely");
	assert_string_equal(STR(r, "residual_impact"), "minor");
	assert_true(json_is_integer(json_object_get(r, "residual_score")));
	assert_int_equal(INT(r, "residual_score"), 4);
	assert_int_equal(INT(r, "owner_user_id"), owner);
	assert_string_equal(STR(r, "owner_name"), "risk-owner");
	assert_non_null(strstr(STR(r, "owner_email"), "risk-owner-"));
	assert_string_equal(STR(r, "review_date"), "2027-03-31");
	assert_string_equal(STR(r, "status"), "in_treatment");
	assert_int_equal(INT(r, "created_by"), owner);
	assert_true(json_is_integer(json_object_get(r, "evidence_count")));
	assert_int_equal(INT(r, "evidence_count"), 0);
	assert_int_equal(INT(r, "version"), 1);
	assert_string_equal(STR(r, "created_at"), NOW1);
	assert_string_equal(STR(r, "updated_at"), NOW1);
	json_decref(r);

	/* Defaults: no system (0), no residual estimate, no owner, no review date. */
	int64_t bare = risk_create(f, f->root, "bare", "rare", "negligible", 1, NULL);
	r = risk_get(f, bare);
	assert_int_equal(INT(r, "system_id"), 0);
	assert_true(json_is_null(json_object_get(r, "system_name")));
	assert_string_equal(STR(r, "description"), "");
	assert_string_equal(STR(r, "source"), "other");
	assert_true(json_is_array(json_object_get(r, "objectives")));
	assert_int_equal(json_array_size(json_object_get(r, "objectives")), 0);
	assert_string_equal(STR(r, "treatment"), "undecided");
	assert_string_equal(STR(r, "treatment_plan"), "");
	assert_true(json_is_null(json_object_get(r, "residual_likelihood")));
	assert_true(json_is_null(json_object_get(r, "residual_impact")));
	assert_true(json_is_null(json_object_get(r, "residual_score")));
	assert_true(json_is_null(json_object_get(r, "owner_user_id")));
	assert_true(json_is_null(json_object_get(r, "owner_email")));
	assert_true(json_is_null(json_object_get(r, "review_date")));
	assert_string_equal(STR(r, "status"), "open");
	assert_true(json_is_null(json_object_get(r, "created_by")));
	json_decref(r);

	/* Versioned update: the right version applies, a stale one is a conflict. */
	begin(f);
	json_t *fields = json_pack("{ss ss si so so so so}", "title", "편향된 채용 판정 (개정)", "impact", "severe", "score",
				   20, "residual_likelihood", json_null(), "residual_impact", json_null(),
				   "residual_score", json_null(), "objectives", json_pack("[s]", "security"));
	check(store_risk_update(f->s, id, fields, 1, NOW2, &e), &e, "risk update");
	assert_int_equal(store_risk_update(f->s, id, fields, 1, NOW3, &e), AIMS_ECONFLICT);
	err_release(&e);
	json_decref(fields);
	commit(f);
	r = risk_get(f, id);
	assert_int_equal(INT(r, "version"), 2);
	assert_string_equal(STR(r, "title"), "편향된 채용 판정 (개정)");
	assert_string_equal(STR(r, "impact"), "severe");
	assert_int_equal(INT(r, "score"), 20);
	assert_string_equal(STR(r, "likelihood"), "likely");
	assert_true(json_is_null(json_object_get(r, "residual_likelihood")));
	assert_true(json_is_null(json_object_get(r, "residual_score")));
	assert_int_equal(json_array_size(json_object_get(r, "objectives")), 1);
	assert_string_equal(STR(r, "updated_at"), NOW2);
	assert_string_equal(STR(r, "created_at"), NOW1);
	json_decref(r);
	/* Version 0: no check; detaching from the system stores 0. */
	begin(f);
	fields = json_pack("{sI so}", "system_id", (json_int_t)0, "review_date", json_null());
	check(store_risk_update(f->s, id, fields, 0, NOW3, &e), &e, "risk update without a version");
	json_decref(fields);
	/* The creator cannot be changed; the organisation can (a risk moves with its system). */
	fields = json_pack("{sI}", "created_by", (json_int_t)owner);
	assert_int_equal(store_risk_update(f->s, id, fields, 0, NOW3, &e), AIMS_EINVAL);
	err_release(&e);
	json_decref(fields);
	fields = json_pack("{ss}", "title", "x");
	assert_int_equal(store_risk_update(f->s, id + 1000000, fields, 0, NOW3, &e), AIMS_ENOTFOUND);
	err_release(&e);
	json_decref(fields);
	commit(f);
	r = risk_get(f, id);
	assert_int_equal(INT(r, "version"), 3);
	assert_int_equal(INT(r, "system_id"), 0);
	assert_true(json_is_null(json_object_get(r, "review_date")));
	json_decref(r);
	int64_t below = org(f, "risk moved here", f->root);
	begin(f);
	fields = json_pack("{sI}", "org_id", (json_int_t)below);
	check(store_risk_update(f->s, id, fields, 3, NOW3, &e), &e, "moving a risk to another organisation");
	json_decref(fields);
	commit(f);
	r = risk_get(f, id);
	assert_int_equal(INT(r, "org_id"), below);
	assert_string_equal(STR(r, "org_name"), "risk moved here");
	assert_int_equal(INT(r, "version"), 4);
	json_decref(r);
	assert_int_equal(store_risk_get(f->s, id + 1000000, &r, &e), AIMS_ENOTFOUND);
	err_release(&e);

	/* A create that is rolled back leaves nothing. */
	int64_t gone = 0;
	begin(f);
	fields = json_pack("{sI ss ss ss si}", "org_id", (json_int_t)f->root, "title", "rolled back", "likelihood", "rare",
			   "impact", "minor", "score", 2);
	check(store_risk_create(f->s, fields, NOW1, &gone, &e), &e, "risk create");
	json_decref(fields);
	store_tx_rollback(f->s);
	assert_int_equal(store_risk_get(f->s, gone, &r, &e), AIMS_ENOTFOUND);
	err_release(&e);
}

static void test_risk_list_filters_and_sort(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t owner = user(f, "risk-lister");
	int64_t a = org(f, "risk A", f->root), a1 = org(f, "risk A1", a), b = org(f, "risk B", f->root);
	char pa[ORG_PATH_MAX];
	org_path(f, a, pa);
	int64_t sys_a = sys(f, "risk system A", "deployment", a, owner);
	int64_t sys_a1 = sys(f, "risk system A1", "deployment", a1, owner);
	/* r1..r5 with distinct scores: 1, 6, 12, 16, 25. */
	int64_t r1 = risk_create(f, a, "alpha 100% sure", "rare", "negligible", 1,
				 json_pack("{ss ss s[s]}", "review_date", "2026-06-14", "status", "closed", "objectives",
					   "privacy"));
	int64_t r2 = risk_create(f, a1, "bravo", "unlikely", "moderate", 6,
				 json_pack("{sI ss ss s[ss] sI}", "system_id", (json_int_t)sys_a1, "review_date",
					   "2026-06-14", "source", "machine_learning", "objectives", "fairness", "privacy",
					   "owner_user_id", (json_int_t)owner));
	int64_t r3 = risk_create(f, a, "charlie", "possible", "major", 12,
				 json_pack("{sI ss ss ss}", "system_id", (json_int_t)sys_a, "review_date", TODAY,
					   "description", "Model DRIFT", "treatment", "retain"));
	int64_t r4 = risk_create(f, b, "delta", "likely", "major", 16,
				 json_pack("{ss ss ss ss si}", "consequences", "a_b harm", "status", "accepted",
					   "residual_likelihood", "rare", "residual_impact", "major", "residual_score", 4));
	int64_t r5 = risk_create(f, a, "echo", "almost_certain", "severe", 25,
				 json_pack("{ss ss ss si ss}", "review_date", "2026-01-01", "residual_likelihood", "rare",
					   "residual_impact", "major", "residual_score", 4, "status", "in_treatment"));

	/* Highest score first over the whole subtree. */
	struct store_risk_query q = risk_query(f);
	int64_t all[] = { r5, r4, r3, r2, r1 };
	risk_expect(f, &q, all, 5, 5);
	/* Each filter on its own. */
	q.org_path = pa;
	int64_t in_a[] = { r5, r3, r2, r1 };
	risk_expect(f, &q, in_a, 4, 4);
	q = risk_query(f);
	q.system_id = sys_a1;
	risk_expect(f, &q, (int64_t[]){ r2 }, 1, 1);
	q.system_id = -1;
	int64_t no_system[] = { r5, r4, r1 };
	risk_expect(f, &q, no_system, 3, 3);
	q = risk_query(f);
	q.status = "accepted";
	risk_expect(f, &q, (int64_t[]){ r4 }, 1, 1);
	q = risk_query(f);
	q.treatment = "retain";
	risk_expect(f, &q, (int64_t[]){ r3 }, 1, 1);
	q = risk_query(f);
	q.source = "machine_learning";
	risk_expect(f, &q, (int64_t[]){ r2 }, 1, 1);
	q = risk_query(f);
	q.objective = "privacy";
	risk_expect(f, &q, (int64_t[]){ r2, r1 }, 2, 2);
	q.objective = "fairness";
	risk_expect(f, &q, (int64_t[]){ r2 }, 1, 1);
	q.objective = "safety";
	risk_expect(f, &q, NULL, 0, 0);
	q = risk_query(f);
	q.likelihood = "possible";
	q.impact = "major";
	risk_expect(f, &q, (int64_t[]){ r3 }, 1, 1);
	q.likelihood = "likely";
	risk_expect(f, &q, (int64_t[]){ r4 }, 1, 1);
	q = risk_query(f);
	q.owner_user_id = owner;
	risk_expect(f, &q, (int64_t[]){ r2 }, 1, 1);
	/* Score ranges (a level's band). */
	q = risk_query(f);
	q.score_min = 10;
	q.score_max = 16;
	risk_expect(f, &q, (int64_t[]){ r4, r3 }, 2, 2);
	q.score_min = 17;
	q.score_max = 25;
	risk_expect(f, &q, (int64_t[]){ r5 }, 1, 1);
	/* Overdue: a review date before the day, not closed (r1 is closed; r3 is due today). */
	q = risk_query(f);
	q.overdue_on = TODAY;
	risk_expect(f, &q, (int64_t[]){ r5, r2 }, 2, 2);
	/* q: title, description or consequences; % and _ literal; ASCII case ignored. */
	q = risk_query(f);
	q.q = "100%";
	risk_expect(f, &q, (int64_t[]){ r1 }, 1, 1);
	q.q = "drift";
	risk_expect(f, &q, (int64_t[]){ r3 }, 1, 1);
	q.q = "a_b";
	risk_expect(f, &q, (int64_t[]){ r4 }, 1, 1);
	q.q = "%";
	risk_expect(f, &q, (int64_t[]){ r1 }, 1, 1);
	/* Filters combine. */
	q = risk_query(f);
	q.org_path = pa;
	q.system_id = -1;
	q.score_min = 2;
	risk_expect(f, &q, (int64_t[]){ r5 }, 1, 1);

	/* Sorts, both ways; id breaks ties; no review date sorts last either way. */
	q = risk_query(f);
	q.descending = false;
	int64_t by_score_asc[] = { r1, r2, r3, r4, r5 };
	risk_expect(f, &q, by_score_asc, 5, 5);
	q.sort = "title";
	risk_expect(f, &q, by_score_asc, 5, 5);
	q.descending = true;
	risk_expect(f, &q, all, 5, 5);
	q.sort = "id";
	q.descending = false;
	risk_expect(f, &q, by_score_asc, 5, 5);
	q.sort = "review_date";
	int64_t by_review[] = { r5, r1, r2, r3, r4 };
	risk_expect(f, &q, by_review, 5, 5);
	q.descending = true;
	int64_t by_review_desc[] = { r3, r2, r1, r5, r4 };
	risk_expect(f, &q, by_review_desc, 5, 5);
	/* updated_at: r2 changed last. */
	begin(f);
	json_t *fields = json_pack("{ss}", "description", "touched");
	check(store_risk_update(f->s, r2, fields, 0, NOW3, &e), &e, "risk update");
	json_decref(fields);
	commit(f);
	q.sort = "updated_at";
	int64_t by_updated_desc[] = { r2, r5, r4, r3, r1 };
	risk_expect(f, &q, by_updated_desc, 5, 5);

	/* limit and offset page; the total counts every match. */
	q = risk_query(f);
	q.limit = 2;
	risk_expect(f, &q, (int64_t[]){ r5, r4 }, 2, 5);
	q.offset = 2;
	risk_expect(f, &q, (int64_t[]){ r3, r2 }, 2, 5);
	q.offset = 4;
	risk_expect(f, &q, (int64_t[]){ r1 }, 1, 5);
	q.offset = 10;
	risk_expect(f, &q, NULL, 0, 5);
	/* Without a total pointer. */
	json_t *items = NULL;
	q = risk_query(f);
	check(store_risk_list(f->s, &q, &items, NULL, &e), &e, "risk list without a total");
	assert_int_equal(json_array_size(items), 5);
	json_decref(items);
	/* Another test's scope sees none of these. */
	const char *nowhere[] = { "/999999999/" };
	struct store_scope other = { .paths = nowhere, .count = 1 };
	q = risk_query(f);
	q.scope = &other;
	risk_expect(f, &q, NULL, 0, 0);
}

/* The count of the cell (likelihood, impact) in matrix rows, 0 when absent. */
static json_int_t cell_count(json_t *rows, const char *likelihood, const char *impact)
{
	size_t i;
	json_t *c;
	json_array_foreach(rows, i, c)
		if (!strcmp(STR(c, "likelihood"), likelihood) && !strcmp(STR(c, "impact"), impact))
			return INT(c, "count");
	return 0;
}

static void test_risk_matrix(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "matrix A", f->root), b = org(f, "matrix B", f->root);
	char pa[ORG_PATH_MAX];
	org_path(f, a, pa);
	risk_create(f, a, "m1", "possible", "major", 12, NULL);
	risk_create(f, a, "m2", "possible", "major", 12,
		    json_pack("{ss ss si ss}", "residual_likelihood", "rare", "residual_impact", "major", "residual_score", 4,
			      "status", "accepted"));
	risk_create(f, a, "m3", "rare", "minor", 2,
		    json_pack("{ss ss si}", "residual_likelihood", "rare", "residual_impact", "major", "residual_score", 4));
	risk_create(f, b, "m4", "possible", "major", 12, NULL);

	json_t *rows = NULL;
	struct store_risk_query q = risk_query(f);
	check(store_risk_matrix(f->s, &q, false, &rows, &e), &e, "inherent matrix");
	assert_int_equal(json_array_size(rows), 2); /* only cells with risks */
	assert_int_equal(cell_count(rows, "possible", "major"), 3);
	assert_int_equal(cell_count(rows, "rare", "minor"), 1);
	json_decref(rows);
	check(store_risk_matrix(f->s, &q, true, &rows, &e), &e, "residual matrix");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(cell_count(rows, "rare", "major"), 2);
	json_decref(rows);
	/* Filters apply; sort and paging do not. */
	q.org_path = pa;
	q.limit = 1;
	q.offset = 3;
	check(store_risk_matrix(f->s, &q, false, &rows, &e), &e, "inherent matrix of A");
	assert_int_equal(cell_count(rows, "possible", "major"), 2);
	assert_int_equal(cell_count(rows, "rare", "minor"), 1);
	json_decref(rows);
	q.status = "accepted";
	check(store_risk_matrix(f->s, &q, true, &rows, &e), &e, "residual matrix of A's accepted risks");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(cell_count(rows, "rare", "major"), 1);
	json_decref(rows);
	/* Residual estimate cleared: left out of the residual matrix. */
	q = risk_query(f);
	q.q = "m3";
	json_t *items = NULL;
	check(store_risk_list(f->s, &q, &items, NULL, &e), &e, "risk list");
	assert_int_equal(json_array_size(items), 1);
	int64_t m3 = INT(json_array_get(items, 0), "id");
	json_decref(items);
	begin(f);
	json_t *fields = json_pack("{so so so}", "residual_likelihood", json_null(), "residual_impact", json_null(),
				   "residual_score", json_null());
	check(store_risk_update(f->s, m3, fields, 0, NOW2, &e), &e, "clear the residual");
	json_decref(fields);
	commit(f);
	q = risk_query(f);
	check(store_risk_matrix(f->s, &q, true, &rows, &e), &e, "residual matrix");
	assert_int_equal(cell_count(rows, "rare", "major"), 1);
	json_decref(rows);
	/* Nothing matches: an empty array. */
	q.status = "closed";
	check(store_risk_matrix(f->s, &q, false, &rows, &e), &e, "empty matrix");
	assert_true(json_is_array(rows));
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
}

static void test_risk_evidence_links(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "risk ev A", f->root);
	int64_t sys_a = sys(f, "risk ev system", "deployment", a, user(f, "risk-ev-owner"));
	int64_t r1 = risk_create(f, a, "linked risk", "likely", "severe", 20,
				 json_pack("{sI ss ss si ss}", "system_id", (json_int_t)sys_a, "residual_likelihood", "rare",
					   "residual_impact", "minor", "residual_score", 2, "status", "accepted"));
	int64_t r2 = risk_create(f, f->root, "other risk", "rare", "minor", 2, NULL);
	int64_t ev1 = ev_create(f, a, "fairness report", json_pack("{ss ss}", "kind", "fair_run", "valid_until", "2099-12-31"));
	int64_t ev2 = ev_create(f, f->root, "policy", NULL);

	begin(f);
	check(store_risk_evidence_add(f->s, r1, ev2, NOW2, &e), &e, "link ev2");
	check(store_risk_evidence_add(f->s, r1, ev1, NOW2, &e), &e, "link ev1");
	check(store_risk_evidence_add(f->s, r2, ev1, NOW3, &e), &e, "the same evidence on another risk");
	commit(f);
	/* The same link twice: a conflict naming evidence_id; the transaction stays usable. */
	begin(f);
	assert_int_equal(store_risk_evidence_add(f->s, r1, ev1, NOW3, &e), AIMS_ECONFLICT);
	assert_non_null(field_error(&e, "evidence_id"));
	err_release(&e);
	store_tx_rollback(f->s);

	/* The risk's evidence, in evidence id order. */
	json_t *rows = NULL;
	check(store_risk_evidence_list(f->s, r1, &rows, &e), &e, "risk evidence");
	assert_int_equal(json_array_size(rows), 2);
	json_t *first = json_array_get(rows, 0), *second = json_array_get(rows, 1);
	assert_int_equal(INT(first, "evidence_id"), ev1 < ev2 ? ev1 : ev2);
	assert_int_equal(INT(second, "evidence_id"), ev1 < ev2 ? ev2 : ev1);
	json_t *fair = INT(first, "evidence_id") == ev1 ? first : second;
	assert_int_equal(INT(fair, "org_id"), a);
	assert_string_equal(STR(fair, "title"), "fairness report");
	assert_string_equal(STR(fair, "kind"), "fair_run");
	assert_string_equal(STR(fair, "valid_until"), "2099-12-31");
	assert_string_equal(STR(fair, "created_at"), NOW2);
	json_decref(rows);
	json_t *r = risk_get(f, r1);
	assert_int_equal(INT(r, "evidence_count"), 2);
	json_decref(r);

	/* The risks an evidence addresses, in risk id order. */
	check(store_evidence_risks(f->s, ev1, &rows, &e), &e, "evidence risks");
	assert_int_equal(json_array_size(rows), 2);
	json_t *one = json_array_get(rows, 0);
	assert_int_equal(INT(one, "risk_id"), r1 < r2 ? r1 : r2);
	json_t *linked = INT(one, "risk_id") == r1 ? one : json_array_get(rows, 1);
	assert_int_equal(INT(linked, "org_id"), a);
	assert_int_equal(INT(linked, "system_id"), sys_a);
	assert_string_equal(STR(linked, "title"), "linked risk");
	assert_int_equal(INT(linked, "score"), 20);
	assert_int_equal(INT(linked, "residual_score"), 2);
	assert_string_equal(STR(linked, "status"), "accepted");
	json_t *plain = INT(one, "risk_id") == r2 ? one : json_array_get(rows, 1);
	assert_true(json_is_null(json_object_get(plain, "residual_score")));
	json_decref(rows);
	check(store_evidence_risks(f->s, ev2, &rows, &e), &e, "evidence risks of ev2");
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);

	/* Delete: once; a link of another risk is not found through this one. */
	begin(f);
	check(store_risk_evidence_delete(f->s, r1, ev1, &e), &e, "unlink");
	assert_int_equal(store_risk_evidence_delete(f->s, r1, ev1, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(store_risk_evidence_delete(f->s, r2, ev2, &e), AIMS_ENOTFOUND);
	err_release(&e);
	commit(f);
	check(store_risk_evidence_list(f->s, r1, &rows, &e), &e, "risk evidence");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(INT(json_array_get(rows, 0), "evidence_id"), ev2);
	json_decref(rows);
	check(store_evidence_risks(f->s, ev1, &rows, &e), &e, "evidence risks");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(INT(json_array_get(rows, 0), "risk_id"), r2);
	json_decref(rows);
	/* Nothing linked: empty arrays. */
	check(store_risk_evidence_list(f->s, r1 + 1000000, &rows, &e), &e, "evidence of no risk");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	check(store_evidence_risks(f->s, ev2 + 1000000, &rows, &e), &e, "risks of no evidence");
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	/* A rolled-back link leaves nothing. */
	begin(f);
	check(store_risk_evidence_add(f->s, r2, ev2, NOW3, &e), &e, "link to roll back");
	store_tx_rollback(f->s);
	check(store_evidence_risks(f->s, ev2, &rows, &e), &e, "evidence risks after rollback");
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
}

/* The evidence_count of one listed risk (the list holds exactly one). */
static json_int_t listed_evidence_count(struct fx *f, const struct store_risk_query *q)
{
	struct err e = ERR_INIT;
	json_t *items = NULL;
	int64_t total = -1;
	check(store_risk_list(f->s, q, &items, &total, &e), &e, "risk list");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(total, 1);
	json_int_t n = INT(json_array_get(items, 0), "evidence_count");
	json_decref(items);
	return n;
}

/* A list's evidence_count counts only the evidence of organisations in evidence_scope
 * (what the reader sees); store_risk_get counts every link. */
static void test_risk_evidence_count_scope(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	int64_t a = org(f, "evcount A", f->root);
	int64_t a1 = org(f, "evcount A1", a);
	int64_t b = org(f, "evcount B", f->root);
	char pa[ORG_PATH_MAX], pa1[ORG_PATH_MAX], pb[ORG_PATH_MAX];
	org_path(f, a, pa);
	org_path(f, a1, pa1);
	org_path(f, b, pb);
	int64_t r = risk_create(f, a1, "evcount risk", "possible", "minor", 6, NULL);
	int64_t ev_a = ev_create(f, a, "evcount policy of A", NULL);
	int64_t ev_a1 = ev_create(f, a1, "evcount test of A1", NULL);
	begin(f);
	check(store_risk_evidence_add(f->s, r, ev_a, NOW2, &e), &e, "link A's evidence");
	check(store_risk_evidence_add(f->s, r, ev_a1, NOW2, &e), &e, "link A1's evidence");
	commit(f);

	/* Other filters too, so named parameters and the risk scope are bound alongside. */
	struct store_risk_query q = risk_query(f);
	q.q = "evcount";
	q.org_path = pa1;
	q.limit = 10;
	assert_int_equal(listed_evidence_count(f, &q), 2);
	struct store_scope all = { .all = true };
	q.evidence_scope = &all;
	assert_int_equal(listed_evidence_count(f, &q), 2);
	const char *only_a1[] = { pa1 };
	struct store_scope scope_a1 = { .paths = only_a1, .count = 1 };
	q.evidence_scope = &scope_a1;
	assert_int_equal(listed_evidence_count(f, &q), 1);
	const char *only_a[] = { pa };
	struct store_scope scope_a = { .paths = only_a, .count = 1 };
	q.evidence_scope = &scope_a;
	assert_int_equal(listed_evidence_count(f, &q), 2);
	const char *b_and_a1[] = { pb, pa1 };
	struct store_scope scope_b_a1 = { .paths = b_and_a1, .count = 2 };
	q.evidence_scope = &scope_b_a1;
	assert_int_equal(listed_evidence_count(f, &q), 1);
	const char *only_b[] = { pb };
	struct store_scope scope_b = { .paths = only_b, .count = 1 };
	q.evidence_scope = &scope_b;
	assert_int_equal(listed_evidence_count(f, &q), 0);
	struct store_scope none = { .count = 0 };
	q.evidence_scope = &none;
	assert_int_equal(listed_evidence_count(f, &q), 0);
	/* The filters still hold with an evidence scope: another organisation lists nothing. */
	q.evidence_scope = &scope_a1;
	q.org_path = pb;
	risk_expect(f, &q, NULL, 0, 0);
	json_t *got = risk_get(f, r);
	assert_int_equal(INT(got, "evidence_count"), 2);
	json_decref(got);
}

int main(void)
{
	if (secret_init() != 0)
		return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_reports_backend_and_reopens),
		T(test_rollback_outside_tx_is_harmless),
		T(test_org_paths),
		T(test_org_unique_name_per_parent),
		T(test_org_get_update),
		T(test_org_list_scope),
		T(test_user_create_get_find),
		T(test_user_duplicate_email),
		T(test_user_update),
		T(test_user_list_scope),
		T(test_memberships),
		T(test_sessions),
		T(test_session_delete_user),
		T(test_tokens),
		T(test_system_create_get),
		T(test_system_versions),
		T(test_system_update_missing_row_is_not_found),
		T(test_system_unique_name_per_org),
		T(test_system_list_filters),
		T(test_system_list_scope),
		T(test_system_list_limit_and_total),
		T(test_system_sort_name),
		T(test_keyset_pagination),
		T(test_count_by),
		T(test_changes),
		T(test_change_recent),
		T(test_auth_failures),
		T(test_rollback_leaves_nothing),
		T(test_tx_usable_after_conflict),
		T(test_soa_entries),
		T(test_frameworks_and_assessments),
		T(test_stale_rows),
		T(test_evidence_create_get_update),
		T(test_evidence_list_filters),
		T(test_evidence_list_limit_offset_total),
		T(test_evidence_links),
		T(test_evidence_on_requirements),
		T(test_evidence_digests),
		T(test_risk_create_get_update),
		T(test_risk_list_filters_and_sort),
		T(test_risk_matrix),
		T(test_risk_evidence_count_scope),
		T(test_risk_evidence_links),
	};
#undef T
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
