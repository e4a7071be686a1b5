/*
 * test_counts_cache.c: two things kept by triggers, and what relies on them.
 *
 * - system_counts (migrations/sqlite/0002): after creates, stage changes, moves
 *   between organisations and archiving, the dashboard counts and the list total
 *   equal a real count of the rows.
 * - auth_epoch (0003) and the credential cache (svc/auth_cache.c): a token resolved
 *   once is cached, and revoking it, disabling its user or changing their roles
 *   takes effect on the very next request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/secret.h"
#include "store/store.h"
#include "svc/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INT(obj, key) json_integer_value(json_object_get((obj), (key)))

struct fx {
	char dir[64];
	struct store *s;
	struct actor op;
	int64_t root, a, b;
};

static void ok(int rc, struct err *e)
{
	if (rc) {
		print_error("failed: %d %s\n", rc, e->message);
		err_release(e);
		fail();
	}
}

static int64_t make_org(struct fx *f, const char *name, int64_t parent)
{
	struct err e = ERR_INIT;
	json_t *in = json_pack("{ss ss sI}", "name", name, "kind", "bureau", "parent_id", (json_int_t)parent), *out = NULL;
	ok(svc_org_create(f->s, &f->op, in, &out, &e), &e);
	int64_t id = INT(out, "id");
	json_decref(in);
	json_decref(out);
	return id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err e = ERR_INIT;
	char path[128];
	snprintf(f->dir, sizeof f->dir, "/tmp/aims-cc.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof path, "%s/t.db", f->dir);
	ok(store_open(path, &f->s, &e), &e);
	ok(svc_init(f->s, "City", "admin@example.org", "admin-pass-123456", &e), &e);
	svc_actor_operator(&f->op);
	f->root = 1;
	f->a = make_org(f, "A", f->root);
	f->b = make_org(f, "B", f->root);
	svc_auth_cache_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	store_close(f->s);
	svc_auth_cache_clear();
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int64_t add_system(struct fx *f, struct actor *as, const char *name, const char *stage, int64_t org)
{
	struct err e = ERR_INIT;
	json_t *in = json_pack("{ss ss ss sI}", "name", name, "purpose", "p", "lifecycle_stage", stage, "org_id",
			       (json_int_t)org);
	json_t *out = NULL;
	ok(svc_system_create(f->s, as, in, &out, &e), &e);
	int64_t id = INT(out, "id");
	json_decref(in);
	json_decref(out);
	return id;
}

/* The dashboard's numbers against the list's totals, which count rows when q is set. */
static void assert_counts_consistent(struct fx *f, struct actor *as)
{
	struct err e = ERR_INIT;
	json_t *dash = NULL, *list = NULL;
	ok(svc_dashboard(f->s, as, &dash, &e), &e);
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(dash, "by_stage"), i, row) {
		/* q="" is ignored, so force a real count with a q every row matches: "p" */
		struct svc_system_query q = { .q = "p", .lifecycle_stage = json_string_value(json_object_get(row, "lifecycle_stage")) };
		ok(svc_system_list(f->s, as, &q, &list, &e), &e);
		assert_int_equal(INT(row, "count"), INT(list, "total"));
		json_decref(list);
		/* and the total the counts table gives for the same filter */
		struct svc_system_query q2 = { .lifecycle_stage = q.lifecycle_stage };
		ok(svc_system_list(f->s, as, &q2, &list, &e), &e);
		assert_int_equal(INT(row, "count"), INT(list, "total"));
		json_decref(list);
	}
	json_decref(dash);
}

static void test_counts_follow_every_change(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	struct actor admin;
	ok(svc_actor_by_email(f->s, "admin@example.org", &admin, &e), &e);
	int64_t s1 = add_system(f, &admin, "one", "inception", f->a);
	add_system(f, &admin, "two", "inception", f->a);
	int64_t s3 = add_system(f, &admin, "three", "deployment", f->b);
	assert_counts_consistent(f, &admin);

	json_t *out = NULL, *patch = json_pack("{ss}", "lifecycle_stage", "deployment");
	ok(svc_system_update(f->s, &admin, s1, patch, 0, &out, &e), &e); /* stage change */
	json_decref(out);
	json_decref(patch);
	patch = json_pack("{sI}", "org_id", (json_int_t)f->a);
	ok(svc_system_update(f->s, &admin, s3, patch, 0, &out, &e), &e); /* move B → A */
	json_decref(out);
	json_decref(patch);
	ok(svc_system_archive(f->s, &admin, s1, &out, &e), &e);
	json_decref(out);
	assert_counts_consistent(f, &admin);

	json_t *dash = NULL;
	ok(svc_dashboard(f->s, &admin, &dash, &e), &e);
	assert_int_equal(INT(dash, "total"), 2); /* "two" (inception) and "three" (deployment) */
	json_t *by_org = json_object_get(dash, "by_org");
	assert_int_equal(json_array_size(by_org), 1); /* B has none left and is not listed */
	assert_int_equal(INT(json_array_get(by_org, 0), "org_id"), f->a);
	json_decref(dash);
	actor_release(&admin);
}

static void test_cache_follows_revocation_and_roles(void **state)
{
	struct fx *f = *state;
	struct err e = ERR_INIT;
	json_t *in = json_pack("{ss ss sI ss}", "email", "v@example.org", "password", "viewer-pass-12345", "org_id",
			       (json_int_t)f->a, "role", "viewer");
	json_t *user = NULL, *tok = NULL, *out = NULL;
	ok(svc_user_create(f->s, &f->op, in, &user, &e), &e);
	json_decref(in);
	ok(svc_token_create(f->s, &f->op, "v@example.org", "t", &tok, &e), &e);
	const char *token = json_string_value(json_object_get(tok, "token"));

	struct actor a;
	ok(svc_authenticate(f->s, "token", token, &a, NULL, &e), &e);
	assert_string_equal(a.memberships[0].role, "viewer");
	actor_release(&a);
	ok(svc_authenticate(f->s, "token", token, &a, NULL, &e), &e); /* now from the cache */
	actor_release(&a);

	/* a role change is seen at once */
	in = json_pack("{sI ss}", "org_id", (json_int_t)f->a, "role", "officer");
	ok(svc_membership_set(f->s, &f->op, INT(user, "id"), in, &out, &e), &e);
	json_decref(in);
	json_decref(out);
	ok(svc_authenticate(f->s, "token", token, &a, NULL, &e), &e);
	assert_string_equal(a.memberships[0].role, "officer");

	/* revocation is seen at once */
	ok(svc_token_revoke(f->s, &a, INT(tok, "id"), &e), &e);
	actor_release(&a);
	assert_int_equal(svc_authenticate(f->s, "token", token, &a, NULL, &e), AIMS_EUNAUTH);
	err_release(&e);

	/* and so is disabling the user, for a second token */
	json_decref(tok);
	ok(svc_token_create(f->s, &f->op, "v@example.org", "t2", &tok, &e), &e);
	token = json_string_value(json_object_get(tok, "token"));
	ok(svc_authenticate(f->s, "token", token, &a, NULL, &e), &e);
	actor_release(&a);
	in = json_pack("{sb}", "disabled", 1);
	ok(svc_user_update(f->s, &f->op, INT(user, "id"), in, &out, &e), &e);
	json_decref(in);
	json_decref(out);
	assert_int_equal(svc_authenticate(f->s, "token", token, &a, NULL, &e), AIMS_EUNAUTH);
	err_release(&e);
	json_decref(tok);
	json_decref(user);
}

int main(void)
{
	if (secret_init())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_follow_every_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_follows_revocation_and_roles, setup, teardown),
	};
	return cmocka_run_group_tests_name("counts and credential cache", tests, NULL, NULL);
}
