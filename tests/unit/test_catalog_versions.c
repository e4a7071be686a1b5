/*
 * test_catalog_versions.c: the catalog-version use cases (svc/catalog_versions.c) on
 * a real SQLite database, against the built-in ISO/IEC 42001 catalog and the earlier
 * version in tests/fixtures/catalogs/v0 (see its README for what differs).
 *
 * The world, built once and copied per test: bureaus A (with department A1) and B; an
 * officer, a viewer and a system owner on A, an officer on B; SoA entries of A and B
 * and the assessments of a system in A1 written against the earlier version (or a
 * version nobody has the text of), as an older release of aims would have left them.
 *
 * Covers the diff by version, what the version in use touches (per organisation and
 * system, only what the reader can see, counts per old version), the migration rule
 * (unchanged and editorial re-stamped, changed and unknown re-stamped for review,
 * removed kept), its rights (403 for readers, 404 across branches), its history, a
 * second run doing nothing, and clearing a review by editing or by "reviewed".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/secret.h"
#include "store/store.h"
#include "svc/catalogs.h"
#include "svc/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STR(obj, key) json_string_value(json_object_get((obj), (key)))
#define INT(obj, key) json_integer_value(json_object_get((obj), (key)))

#define CATALOG "iso-iec-42001-2023"
#define OLD "2023-test-0"
#define LOST "2022-nobody-has-it"
#define FIXTURE_DIR "tests/fixtures/catalogs/v0"
#define PASSWORD "correct-horse-battery-1"
#define NOW "2026-01-05T09:00:00Z"

static struct {
	char dir[64];
	char path[128];
	int64_t root, a, a1, b, system;
} world;

static const struct {
	const char *email, *org, *role;
} people[] = {
	{ "officer.a@example.org", "A", "officer" },
	{ "viewer.a@example.org", "A", "viewer" },
	{ "owner.a@example.org", "A", "owner" },
	{ "officer.b@example.org", "B", "officer" },
};
enum { OFFICER_A, VIEWER_A, OWNER_A, OFFICER_B, PEOPLE };

struct fx {
	struct store *s;
	char dir[64];
	struct actor who[PEOPLE];
};

/* ------------------------------------------------------------------ helpers */

static void check(int rc, struct err *e, const char *what)
{
	if (rc != 0) {
		char *fields = e->fields ? json_dumps(e->fields, JSON_COMPACT) : NULL;
		print_error("%s failed: %d %s %s\n", what, rc, e->message, fields ? fields : "");
		free(fields);
		err_release(e);
		fail();
	}
}

/* The field named by the first field error of e. */
static const char *error_field(const struct err *e)
{
	return STR(json_array_get(e->fields, 0), "field");
}

static json_t *find_item(json_t *items, const char *key, const char *value)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
		if (STR(it, key) && !strcmp(STR(it, key), value))
			return it;
	return NULL;
}

/* ------------------------------------------------------------------ world */

static int64_t make_org(struct store *s, const struct actor *op, const char *name, int64_t parent)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	json_t *in = json_pack("{ss ss sI}", "name", name, "kind", "bureau", "parent_id", (json_int_t)parent);
	int rc = svc_org_create(s, op, in, &out, &e);
	int64_t id = rc ? 0 : INT(out, "id");
	json_decref(in);
	json_decref(out);
	err_release(&e);
	return id;
}

static int old_soa(struct store *s, int64_t org, const char *version, const char *control, const char *status)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	json_t *f = json_pack("{sI ss ss ss ss}", "org_id", (json_int_t)org, "catalog_id", CATALOG, "catalog_version",
			      version, "control_id", control, "status", status);
	int rc = store_soa_create(s, f, NOW, &id, &e);
	json_decref(f);
	err_release(&e);
	return rc;
}

static int old_assessment(struct store *s, int64_t system, const char *requirement)
{
	struct err e = ERR_INIT;
	int64_t id = 0;
	json_t *f = json_pack("{sI ss ss ss ss}", "system_id", (json_int_t)system, "catalog_id", CATALOG,
			      "catalog_version", OLD, "requirement_id", requirement, "status", "met");
	int rc = store_assessment_create(s, f, NOW, &id, &e);
	json_decref(f);
	err_release(&e);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	struct store *s = NULL;
	struct err e = ERR_INIT;
	struct actor op;
	json_t *orgs = NULL, *out = NULL;
	int rc = 0;
	if (secret_init() != 0)
		return -1;
	/* Earlier versions from the fixture, before anything loads the library. */
	svc_catalogs_configure(NULL, FIXTURE_DIR);
	snprintf(world.dir, sizeof world.dir, "/tmp/aims-catver-XXXXXX");
	if (!mkdtemp(world.dir))
		return -1;
	snprintf(world.path, sizeof world.path, "%s/template.db", world.dir);
	svc_actor_operator(&op);
	if (store_open(world.path, &s, &e) || svc_init(s, "Test City", "admin@example.org", PASSWORD, &e) ||
	    svc_org_list(s, &op, &orgs, &e)) {
		fprintf(stderr, "world: %s\n", e.message);
		rc = -1;
		goto out;
	}
	world.root = INT(json_array_get(orgs, 0), "id");
	world.a = make_org(s, &op, "A", world.root);
	world.a1 = make_org(s, &op, "A1", world.a);
	world.b = make_org(s, &op, "B", world.root);
	rc = world.a && world.a1 && world.b ? 0 : -1;
	for (size_t i = 0; i < PEOPLE && !rc; i++) {
		int64_t org = !strcmp(people[i].org, "A") ? world.a : world.b;
		json_t *in = json_pack("{ss ss ss sI ss}", "email", people[i].email, "name", people[i].email, "password",
				       PASSWORD, "org_id", (json_int_t)org, "role", people[i].role);
		rc = svc_user_create(s, &op, in, &out, &e);
		json_decref(in);
		json_decref(out);
		out = NULL;
	}
	/* A system in A1 owned by owner.a, assessed against the catalog. */
	struct actor owner;
	if (!rc && !(rc = svc_actor_by_email(s, people[OWNER_A].email, &owner, &e))) {
		json_t *in = json_pack("{ss ss ss sI}", "name", "Catver system", "purpose", "tests", "lifecycle_stage",
				       "deployment", "org_id", (json_int_t)world.a1);
		rc = svc_system_create(s, &owner, in, &out, &e);
		world.system = rc ? 0 : INT(out, "id");
		json_decref(in);
		json_decref(out);
		out = NULL;
		json_t *fw = json_pack("{s[s]}", "catalogs", CATALOG);
		if (!rc)
			rc = svc_framework_set(s, &owner, world.system, fw, &out, &e);
		json_decref(fw);
		json_decref(out);
		out = NULL;
		actor_release(&owner);
	}
	if (rc) {
		fprintf(stderr, "world: %s\n", e.message);
		goto out;
	}
	/* What an older release left: entries against OLD (and one against LOST). */
	if ((rc = store_tx_begin(s, &e)))
		goto out;
	rc = old_soa(s, world.a, OLD, "A.2.2", "implemented") || old_soa(s, world.a, OLD, "A.2.3", "partial") ||
	     old_soa(s, world.a, OLD, "A.6.2.8", "planned") || old_soa(s, world.a, OLD, "A.5.2", "partial") ||
	     old_soa(s, world.a, OLD, "A.10.5", "implemented") || old_soa(s, world.a, LOST, "A.3.2", "planned") ||
	     old_soa(s, world.b, OLD, "A.6.2.8", "planned") || old_assessment(s, world.system, "9.1") ||
	     old_assessment(s, world.system, "4.1") || old_assessment(s, world.system, "9.3") ||
	     old_assessment(s, world.system, "A.10.5");
	if (rc)
		store_tx_rollback(s);
	else
		rc = store_tx_commit(s, &e);
out:
	json_decref(orgs);
	actor_release(&op);
	err_release(&e);
	store_close(s);
	return rc ? -1 : 0;
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

static int group_teardown(void **state)
{
	(void)state;
	remove_db(world.dir, "template.db");
	rmdir(world.dir);
	return 0;
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

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err e = ERR_INIT;
	char path[160];
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aims-catver-test-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(path, sizeof path, "%s/aims.db", f->dir);
	int rc = copy_file(world.path, path) || store_open(path, &f->s, &e);
	for (size_t i = 0; i < PEOPLE && !rc; i++)
		rc = svc_actor_by_email(f->s, people[i].email, &f->who[i], &e);
	err_release(&e);
	*state = f;
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < PEOPLE; i++)
		actor_release(&f->who[i]);
	store_close(f->s);
	remove_db(f->dir, "aims.db");
	rmdir(f->dir);
	free(f);
	return 0;
}

static json_t *touched(struct fx *f, int who)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;
	check(svc_catalog_touched(f->s, &f->who[who], CATALOG, NULL, &out, &e), &e, "touched");
	return out;
}

static json_t *migrate(struct fx *f, int who, const char *key, int64_t id)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *in = json_pack("{sI}", key, (json_int_t)id);
	int rc = svc_catalog_migrate(f->s, &f->who[who], CATALOG, in, NULL, &out, &e);
	json_decref(in);
	check(rc, &e, "migrate");
	return out;
}

/* ------------------------------------------------------------------ tests */

static void test_diff_by_version(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *d = NULL;
	check(svc_catalog_diff_version(CATALOG, OLD, &d, &e), &e, "diff");
	assert_string_equal(STR(json_object_get(d, "from"), "version"), OLD);
	assert_string_equal(STR(json_object_get(d, "to"), "version"), "2023");
	json_t *sum = json_object_get(d, "summary");
	assert_int_equal(INT(sum, "added"), 1);
	assert_int_equal(INT(sum, "removed"), 1);
	assert_int_equal(INT(sum, "changed"), 4);
	assert_int_equal(INT(sum, "review"), 3);
	assert_string_equal(STR(json_array_get(json_object_get(d, "added"), 0), "id"), "A.10.4");
	assert_string_equal(STR(json_array_get(json_object_get(d, "removed"), 0), "id"), "A.10.5");
	json_t *c = find_item(json_object_get(d, "changed"), "id", "A.2.3");
	assert_non_null(c);
	assert_true(json_is_false(json_object_get(c, "review")));
	json_decref(d);

	assert_int_equal(svc_catalog_diff_version("no-such-catalog", OLD, &d, &e), AIMS_ENOTFOUND);
	assert_string_equal(error_field(&e), "catalog");
	err_release(&e);
	assert_int_equal(svc_catalog_diff_version(CATALOG, NULL, &d, &e), AIMS_EBADREQ);
	assert_string_equal(error_field(&e), "from");
	err_release(&e);
	assert_int_equal(svc_catalog_diff_version(CATALOG, LOST, &d, &e), AIMS_ENOTFOUND);
	assert_string_equal(error_field(&e), "from");
	err_release(&e);
	/* The version in use against itself: nothing changed. */
	check(svc_catalog_diff_version(CATALOG, "2023", &d, &e), &e, "diff with itself");
	assert_int_equal(INT(json_object_get(d, "summary"), "changed"), 0);
	json_decref(d);

	json_t *versions = svc_catalog_versions(CATALOG);
	assert_int_equal(json_array_size(versions), 2);
	assert_true(json_is_true(json_object_get(json_array_get(versions, 0), "current")));
	assert_string_equal(STR(json_array_get(versions, 1), "version"), OLD);
	json_decref(versions);
}

static void test_touched_by_reader(void **state)
{
	struct fx *f = *state;
	json_t *t = touched(f, VIEWER_A);
	json_t *orgs = json_object_get(t, "orgs");
	assert_int_equal(json_array_size(orgs), 1); /* B is not visible */
	json_t *a = json_array_get(orgs, 0);
	assert_int_equal(INT(a, "org_id"), world.a);
	assert_true(json_is_false(json_object_get(a, "can_migrate")));
	json_t *counts = json_object_get(a, "counts");
	assert_int_equal(INT(counts, "unchanged"), 1);
	assert_int_equal(INT(counts, "editorial"), 1);
	assert_int_equal(INT(counts, "changed"), 2);
	assert_int_equal(INT(counts, "removed"), 1);
	assert_int_equal(INT(counts, "unknown"), 1);
	json_t *it = find_item(json_object_get(a, "items"), "control_id", "A.6.2.8");
	assert_string_equal(STR(it, "change"), "changed");
	assert_string_equal(json_string_value(json_array_get(json_object_get(it, "fields"), 0)), "title.en");
	it = find_item(json_object_get(a, "items"), "control_id", "A.10.5");
	assert_string_equal(STR(it, "change"), "removed");
	assert_string_equal(STR(json_object_get(it, "title"), "en"), "Test control, dropped in a later version");

	json_t *systems = json_object_get(t, "systems");
	assert_int_equal(json_array_size(systems), 1);
	json_t *sys = json_array_get(systems, 0);
	assert_int_equal(INT(sys, "system_id"), world.system);
	assert_string_equal(STR(sys, "org_name"), "A1");
	counts = json_object_get(sys, "counts");
	assert_int_equal(INT(counts, "changed"), 1);   /* 9.1 */
	assert_int_equal(INT(counts, "unchanged"), 1); /* 4.1 */
	assert_int_equal(INT(counts, "removed"), 2);   /* 9.3 is not a leaf; A.10.5 is gone */

	/* Per old version: OLD is known (5 SoA rows of A + 4 assessments), LOST is not. */
	json_t *versions = json_object_get(t, "versions");
	assert_int_equal(json_array_size(versions), 2);
	json_t *old = json_array_get(versions, 0);
	assert_string_equal(STR(old, "version"), OLD);
	assert_true(json_is_true(json_object_get(old, "known")));
	assert_int_equal(INT(old, "soa"), 5);
	assert_int_equal(INT(old, "assessments"), 4);
	assert_true(json_is_false(json_object_get(json_array_get(versions, 1), "known")));
	json_decref(t);

	/* The other branch sees only its own entry. */
	t = touched(f, OFFICER_B);
	orgs = json_object_get(t, "orgs");
	assert_int_equal(json_array_size(orgs), 1);
	assert_int_equal(INT(json_array_get(orgs, 0), "org_id"), world.b);
	assert_true(json_is_true(json_object_get(json_array_get(orgs, 0), "can_migrate")));
	assert_int_equal(json_array_size(json_object_get(t, "systems")), 0);
	json_decref(t);

	struct err e = ERR_INIT;
	assert_int_equal(svc_catalog_touched(f->s, &f->who[VIEWER_A], "nope", NULL, &t, &e), AIMS_ENOTFOUND);
	assert_string_equal(error_field(&e), "catalog");
	err_release(&e);
}

static void test_migrate_rights_and_input(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *out = NULL, *in = json_pack("{sI}", "org_id", (json_int_t)world.a);
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[VIEWER_A], CATALOG, in, NULL, &out, &e), AIMS_EFORBIDDEN);
	err_release(&e);
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[OFFICER_B], CATALOG, in, NULL, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[OFFICER_A], "nist-ai-rmf-1.0", in, NULL, &out, &e), AIMS_EINVAL);
	assert_string_equal(error_field(&e), "org_id");
	err_release(&e);
	json_decref(in);
	in = json_pack("{sI}", "system_id", (json_int_t)world.system);
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[VIEWER_A], CATALOG, in, NULL, &out, &e), AIMS_EFORBIDDEN);
	err_release(&e);
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[OFFICER_B], CATALOG, in, NULL, &out, &e), AIMS_ENOTFOUND);
	err_release(&e);
	json_decref(in);
	in = json_pack("{sI sI}", "system_id", (json_int_t)world.system, "org_id", (json_int_t)world.a);
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[OFFICER_A], CATALOG, in, NULL, &out, &e), AIMS_EINVAL);
	err_release(&e);
	json_decref(in);
	in = json_pack("{ss}", "org", "A");
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[OFFICER_A], CATALOG, in, NULL, &out, &e), AIMS_EINVAL);
	assert_string_equal(error_field(&e), "org");
	err_release(&e);
	json_decref(in);
	in = json_object();
	assert_int_equal(svc_catalog_migrate(f->s, &f->who[OFFICER_A], CATALOG, in, NULL, &out, &e), AIMS_EINVAL);
	assert_string_equal(error_field(&e), "org_id");
	err_release(&e);
	json_decref(in);
	/* Nothing was changed by the refusals. */
	json_t *t = touched(f, OFFICER_A);
	assert_int_equal(INT(json_object_get(json_array_get(json_object_get(t, "orgs"), 0), "counts"), "unchanged"), 1);
	assert_int_equal(INT(t, "review"), 0);
	json_decref(t);
}

static void test_migrate_soa(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *r = migrate(f, OFFICER_A, "org_id", world.a);
	assert_int_equal(INT(r, "migrated"), 5); /* all but the removed A.10.5 */
	json_t *counts = json_object_get(r, "counts");
	assert_int_equal(INT(counts, "changed"), 2);
	assert_int_equal(INT(counts, "unknown"), 1);
	assert_int_equal(INT(counts, "removed"), 1);
	json_decref(r);

	json_t *row = NULL;
	check(store_soa_get(f->s, world.a, CATALOG, "A.6.2.8", &row, &e), &e, "get A.6.2.8");
	assert_string_equal(STR(row, "catalog_version"), "2023");
	assert_string_equal(STR(row, "review_from"), OLD);
	assert_string_equal(STR(row, "status"), "planned");
	assert_int_equal(INT(row, "version"), 2);
	int64_t id = INT(row, "id");
	json_decref(row);
	check(store_soa_get(f->s, world.a, CATALOG, "A.2.3", &row, &e), &e, "get A.2.3");
	assert_string_equal(STR(row, "catalog_version"), "2023");
	assert_true(json_is_null(json_object_get(row, "review_from")));
	json_decref(row);
	check(store_soa_get(f->s, world.a, CATALOG, "A.3.2", &row, &e), &e, "get A.3.2");
	assert_string_equal(STR(row, "review_from"), LOST);
	json_decref(row);
	check(store_soa_get(f->s, world.a, CATALOG, "A.10.5", &row, &e), &e, "get A.10.5");
	assert_string_equal(STR(row, "catalog_version"), OLD);
	json_decref(row);
	/* B's entry is another organisation's: untouched. */
	check(store_soa_get(f->s, world.b, CATALOG, "A.6.2.8", &row, &e), &e, "get B");
	assert_string_equal(STR(row, "catalog_version"), OLD);
	json_decref(row);

	/* History: one row per changed column, by the officer. */
	json_t *history = NULL;
	check(store_change_list(f->s, "soa", id, 10, &history, &e), &e, "history");
	assert_int_equal(json_array_size(history), 2);
	assert_non_null(find_item(history, "field", "catalog_version"));
	json_t *h = find_item(history, "field", "review_from");
	assert_string_equal(STR(h, "new_value"), OLD);
	assert_int_equal(INT(h, "actor_user_id"), f->who[OFFICER_A].user_id);
	json_decref(history);

	/* The SoA now lists three entries to review and nothing outdated. */
	json_t *soa = NULL;
	check(svc_soa_get(f->s, &f->who[VIEWER_A], world.a, NULL, &soa, &e), &e, "soa");
	assert_int_equal(INT(json_object_get(soa, "summary"), "review"), 3);
	assert_int_equal(INT(json_object_get(soa, "summary"), "outdated"), 0);
	json_decref(soa);

	/* What is left: the removed entry, and three reviews. */
	json_t *t = touched(f, OFFICER_A);
	json_t *a = json_array_get(json_object_get(t, "orgs"), 0);
	assert_int_equal(INT(json_object_get(a, "counts"), "removed"), 1);
	assert_int_equal(INT(json_object_get(a, "counts"), "review"), 3);
	json_t *it = find_item(json_object_get(a, "items"), "control_id", "A.6.2.8");
	assert_string_equal(STR(it, "change"), "review");
	assert_string_equal(json_string_value(json_array_get(json_object_get(it, "fields"), 0)), "title.en");
	assert_int_equal(INT(t, "review"), 3);
	json_decref(t);

	/* A second run has nothing left to do. */
	r = migrate(f, OFFICER_A, "org_id", world.a);
	assert_int_equal(INT(r, "migrated"), 0);
	assert_int_equal(INT(json_object_get(r, "counts"), "removed"), 1);
	json_decref(r);
}

static void test_review_is_cleared(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_decref(migrate(f, OFFICER_A, "org_id", world.a));
	json_t *out = NULL, *in = json_pack("{sb}", "reviewed", 1);
	check(svc_soa_set(f->s, &f->who[OFFICER_A], world.a, "A.6.2.8", in, 0, &out, &e), &e, "reviewed");
	assert_true(json_is_null(json_object_get(out, "review_from")));
	assert_int_equal(INT(out, "version"), 3);
	json_decref(out);
	/* Saying it again changes nothing. */
	check(svc_soa_set(f->s, &f->who[OFFICER_A], world.a, "A.6.2.8", in, 0, &out, &e), &e, "reviewed again");
	assert_int_equal(INT(out, "version"), 3);
	json_decref(out);
	json_decref(in);
	/* Any real edit clears it too. */
	in = json_pack("{ss}", "status", "implemented");
	check(svc_soa_set(f->s, &f->who[OFFICER_A], world.a, "A.5.2", in, 0, &out, &e), &e, "edit");
	assert_true(json_is_null(json_object_get(out, "review_from")));
	json_decref(out);
	json_decref(in);
	json_t *t = touched(f, OFFICER_A);
	assert_int_equal(INT(t, "review"), 1); /* A.3.2 */
	json_decref(t);
}

static void test_migrate_assessments(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *r = migrate(f, OWNER_A, "system_id", world.system);
	assert_int_equal(INT(r, "migrated"), 2);
	assert_int_equal(INT(json_object_get(r, "counts"), "removed"), 2);
	json_decref(r);
	json_t *row = NULL;
	check(store_assessment_get(f->s, world.system, CATALOG, "9.1", &row, &e), &e, "9.1");
	assert_string_equal(STR(row, "review_from"), OLD);
	json_decref(row);
	check(store_assessment_get(f->s, world.system, CATALOG, "9.3", &row, &e), &e, "9.3");
	assert_string_equal(STR(row, "catalog_version"), OLD);
	json_decref(row);
	/* The assessment list shows the review; assessing with "reviewed" clears it. */
	json_t *list = NULL;
	check(svc_assessment_list(f->s, &f->who[VIEWER_A], world.system, CATALOG, &list, &e), &e, "list");
	assert_string_equal(STR(find_item(json_object_get(list, "items"), "requirement_id", "9.1"), "review_from"), OLD);
	json_decref(list);
	json_t *in = json_pack("{ss ss sb}", "catalog", CATALOG, "requirement", "9.1", "reviewed", 1), *out = NULL;
	check(svc_assessment_set(f->s, &f->who[OWNER_A], world.system, in, 0, &out, &e), &e, "assess reviewed");
	assert_true(json_is_null(json_object_get(out, "review_from")));
	json_decref(out);
	json_decref(in);
	json_t *history = NULL;
	check(svc_assessment_history(f->s, &f->who[VIEWER_A], world.system, CATALOG, "9.1", &history, &e), &e, "history");
	assert_non_null(find_item(history, "field", "review_from"));
	json_decref(history);
}

/* The operator's own copy of the earlier version gives the same answer as the library. */
static void test_touched_with_operator_file(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	struct catalog_set set = CATALOG_SET_INIT;
	const struct catalog *old = NULL;
	check(svc_catalogs_open_path(FIXTURE_DIR "/iso-iec-42001-2023.json", CATALOG, &set, &old, &e), &e, "open file");
	json_t *t = NULL;
	check(svc_catalog_touched(f->s, &f->who[OFFICER_A], CATALOG, old, &t, &e), &e, "touched with file");
	assert_int_equal(INT(json_object_get(json_array_get(json_object_get(t, "orgs"), 0), "counts"), "changed"), 2);
	json_decref(t);
	catalog_set_release(&set);

	/* A directory works too; a path without the catalog is named. */
	check(svc_catalogs_open_path(FIXTURE_DIR, CATALOG, &set, &old, &e), &e, "open directory");
	assert_string_equal(old->version, OLD);
	catalog_set_release(&set);
	check(svc_catalogs_open_path("catalogs", CATALOG, &set, &old, &e), &e, "open the library");
	const struct catalog *other = catalog_set_find(&set, "nist-ai-rmf-1.0");
	assert_int_equal(svc_catalog_touched(f->s, &f->who[OFFICER_A], CATALOG, other, &t, &e), AIMS_EINVAL);
	assert_string_equal(error_field(&e), "from");
	err_release(&e);
	catalog_set_release(&set);
	assert_int_equal(svc_catalogs_open_path(FIXTURE_DIR, "nist-ai-rmf-1.0", &set, &old, &e), AIMS_ENOTFOUND);
	assert_string_equal(error_field(&e), "catalog");
	err_release(&e);
	catalog_set_release(&set);
	assert_int_equal(svc_catalogs_open_path("/nonexistent/catalog.json", CATALOG, &set, &old, &e), AIMS_EIO);
	err_release(&e);
	catalog_set_release(&set);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
}

/* Earlier versions stand alone: a crosswalk among them, two files of one (id, version)
 * and a copy of the version in use are each reported with the file. */
static void test_earlier_versions_are_checked(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	struct catalog_set lib = CATALOG_SET_INIT, previous = CATALOG_SET_INIT;
	char dir[64], path[160];
	snprintf(dir, sizeof dir, "/tmp/aims-catver-prev-XXXXXX");
	assert_non_null(mkdtemp(dir));
	check(svc_catalogs_load(NULL, &lib, &e), &e, "library");
	check(svc_catalogs_load_previous(NULL, FIXTURE_DIR, &lib, &previous, &e), &e, "the fixture alone");
	assert_int_equal(previous.catalog_count, 1);
	assert_non_null(svc_catalogs_find_version(&previous, CATALOG, OLD));
	assert_null(svc_catalogs_find_version(&previous, CATALOG, "2023"));
	catalog_set_release(&previous);

	static const char crosswalk[] =
		"{\"format\": \"aims-crosswalk/1\", \"id\": \"x\", \"from\": \"a\", \"to\": \"b\",\n"
		" \"title\": {\"ko\": \"가\", \"en\": \"A\"},\n"
		" \"mappings\": [{\"from\": \"1\", \"to\": \"2\", \"relation\": \"related\", \"rationale\": {\"ko\": \"가\", \"en\": \"A\"}}]}\n";
	snprintf(path, sizeof path, "%s/a-crosswalk.json", dir);
	assert_int_equal(write_text(path, crosswalk), 0);
	FILE *in = fopen(FIXTURE_DIR "/iso-iec-42001-2023.json", "rb");
	assert_non_null(in);
	static char copy[1 << 20];
	size_t n = fread(copy, 1, sizeof copy - 1, in);
	fclose(in);
	copy[n] = '\0';
	snprintf(path, sizeof path, "%s/b-same-version.json", dir);
	assert_int_equal(write_text(path, copy), 0);
	assert_int_equal(svc_catalogs_load_previous(NULL, dir, &lib, &previous, &e), AIMS_EINVAL);
	/* The crosswalk is reported with its file; the one catalog beside it is fine. */
	char *fields = json_dumps(e.fields, JSON_COMPACT);
	assert_non_null(strstr(fields, "only catalogs belong"));
	assert_non_null(strstr(fields, "a-crosswalk.json"));
	free(fields);
	err_release(&e);
	catalog_set_release(&previous);
	snprintf(path, sizeof path, "%s/b-same-version.json", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a-crosswalk.json", dir);
	unlink(path);

	/* two files of one (id, version) */
	snprintf(path, sizeof path, "%s/one.json", dir);
	assert_int_equal(write_text(path, copy), 0);
	snprintf(path, sizeof path, "%s/two.json", dir);
	assert_int_equal(write_text(path, copy), 0);
	assert_int_equal(svc_catalogs_load_previous(NULL, dir, &lib, &previous, &e), AIMS_EINVAL);
	fields = json_dumps(e.fields, JSON_COMPACT);
	assert_non_null(strstr(fields, "version 2023-test-0 is also in"));
	free(fields);
	err_release(&e);
	catalog_set_release(&previous);
	unlink(path);
	snprintf(path, sizeof path, "%s/one.json", dir);
	unlink(path);
	rmdir(dir);
	catalog_set_release(&lib);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_by_version),
		T(test_touched_by_reader),
		T(test_migrate_rights_and_input),
		T(test_migrate_soa),
		T(test_review_is_cleared),
		T(test_migrate_assessments),
		T(test_touched_with_operator_file),
		cmocka_unit_test(test_earlier_versions_are_checked),
	};
#undef T
	return cmocka_run_group_tests_name("catalog_versions", tests, group_setup, group_teardown);
}
