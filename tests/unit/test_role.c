/*
 * test_role.c: roles, rights and the actor as pure rules (model/role.c).
 *
 * Covers the rights table of docs/internals/design.md role by role, the materialised
 * path test (a prefix test that must respect the '/' boundaries: "/1/40/" is not
 * inside "/1/4/"), the union of rights over memberships on different branches, the
 * local operator, and actor_home (the default organisation for new records).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/role.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL_RIGHTS (RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_ANY | RIGHT_SYSTEM_EDIT_OWN | \
		    RIGHT_ADMIN | RIGHT_AUTH_LOG | RIGHT_RISK_MANAGE)

static void test_role_rights_table(void **state)
{
	(void)state;
	/* The table of docs/internals/design.md, column by column. */
	assert_int_equal(role_rights("admin"), ALL_RIGHTS);
	assert_int_equal(role_rights("officer"),
			 RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_ANY | RIGHT_SYSTEM_EDIT_OWN | RIGHT_RISK_MANAGE);
	assert_int_equal(role_rights("owner"), RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_OWN);
	/* The risk manager of MISSION.md: reads everything, manages risks, nothing else. */
	assert_int_equal(role_rights("reviewer"), RIGHT_READ | RIGHT_RISK_MANAGE);
	assert_int_equal(role_rights("auditor"), RIGHT_READ | RIGHT_AUTH_LOG);
	assert_int_equal(role_rights("viewer"), RIGHT_READ);
}

static void test_role_rights_unknown(void **state)
{
	(void)state;
	assert_int_equal(role_rights("superuser"), 0);
	assert_int_equal(role_rights(""), 0);
	assert_int_equal(role_rights("Admin"), 0); /* codes are exact */
	assert_int_equal(role_rights("admin "), 0);
	assert_int_equal(role_rights("adm"), 0);
}

static void test_only_admin_and_auditor_read_sign_in_log(void **state)
{
	(void)state;
	const char *roles[] = { "admin", "officer", "owner", "reviewer", "auditor", "viewer" };
	for (size_t i = 0; i < 6; i++) {
		unsigned r = role_rights(roles[i]);
		bool log = (r & RIGHT_AUTH_LOG) != 0;
		bool admin = (r & RIGHT_ADMIN) != 0;
		assert_true(r & RIGHT_READ); /* every role reads the inventory */
		assert_int_equal(log, !strcmp(roles[i], "admin") || !strcmp(roles[i], "auditor"));
		assert_int_equal(admin, !strcmp(roles[i], "admin"));
	}
}

static void test_org_path_within(void **state)
{
	(void)state;
	assert_true(org_path_within("/1/4/", "/1/"));
	assert_true(org_path_within("/1/4/9/", "/1/"));
	assert_true(org_path_within("/1/4/9/", "/1/4/"));
	assert_true(org_path_within("/1/", "/1/"));          /* itself */
	assert_false(org_path_within("/1/40/", "/1/4/"));    /* sibling with a longer id */
	assert_false(org_path_within("/1/4/", "/1/40/"));
	assert_false(org_path_within("/10/", "/1/"));
	assert_false(org_path_within("/1/", "/1/4/"));       /* above is not within */
	assert_false(org_path_within("/2/4/", "/1/"));
	assert_false(org_path_within("/1/4/", ""));          /* an empty ancestor is nothing */
}

/* An actor owning a malloc'd membership array, as svc_actor_load makes one. */
static void actor_with(struct actor *a, const char *const (*ms)[2], size_t n)
{
	memset(a, 0, sizeof *a);
	a->user_id = 42;
	snprintf(a->email, sizeof a->email, "kim@example.org");
	a->memberships = calloc(n ? n : 1, sizeof *a->memberships);
	assert_non_null(a->memberships);
	for (size_t i = 0; i < n; i++) {
		a->memberships[i].org_id = (int64_t)i + 10;
		snprintf(a->memberships[i].org_path, ORG_PATH_MAX, "%s", ms[i][0]);
		snprintf(a->memberships[i].role, ROLE_NAME_MAX, "%s", ms[i][1]);
	}
	a->membership_count = n;
}

static void test_rights_on_branches(void **state)
{
	(void)state;
	/* viewer of bureau /1/3/, officer of bureau /1/2/, admin of department /1/3/7/ */
	static const char *const ms[][2] = {
		{ "/1/3/", "viewer" },
		{ "/1/2/", "officer" },
		{ "/1/3/7/", "admin" },
	};
	struct actor a;
	actor_with(&a, ms, 3);
	unsigned officer = role_rights("officer");

	assert_int_equal(actor_rights_on(&a, "/1/2/"), officer);
	assert_int_equal(actor_rights_on(&a, "/1/2/5/"), officer);     /* inherited below */
	assert_int_equal(actor_rights_on(&a, "/1/3/"), RIGHT_READ);
	assert_int_equal(actor_rights_on(&a, "/1/3/8/"), RIGHT_READ);
	assert_int_equal(actor_rights_on(&a, "/1/3/7/"), ALL_RIGHTS);   /* union: viewer + admin */
	assert_int_equal(actor_rights_on(&a, "/1/3/7/11/"), ALL_RIGHTS);
	assert_int_equal(actor_rights_on(&a, "/1/"), 0);                /* not upwards */
	assert_int_equal(actor_rights_on(&a, "/1/4/"), 0);              /* not sideways */
	assert_int_equal(actor_rights_on(&a, "/1/20/"), 0);             /* not by prefix digits */
	assert_int_equal(actor_rights_on(&a, "/1/37/"), 0);

	assert_true(actor_can_see(&a, "/1/3/8/"));
	assert_true(actor_can_see(&a, "/1/2/"));
	assert_false(actor_can_see(&a, "/1/"));
	assert_false(actor_can_see(&a, "/1/20/"));

	assert_int_equal(actor_rights_anywhere(&a), ALL_RIGHTS);
	actor_release(&a);
	assert_null(a.memberships);
	assert_int_equal(a.membership_count, 0);
}

static void test_rights_anywhere_is_a_union(void **state)
{
	(void)state;
	static const char *const ms[][2] = { { "/1/2/", "auditor" }, { "/1/5/", "owner" } };
	struct actor a;
	actor_with(&a, ms, 2);
	assert_int_equal(actor_rights_anywhere(&a),
			 RIGHT_READ | RIGHT_AUTH_LOG | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_OWN);
	/* but on each branch only that branch's role */
	assert_int_equal(actor_rights_on(&a, "/1/2/"), RIGHT_READ | RIGHT_AUTH_LOG);
	assert_int_equal(actor_rights_on(&a, "/1/5/"), RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_OWN);
	actor_release(&a);
}

static void test_no_memberships(void **state)
{
	(void)state;
	struct actor a;
	actor_with(&a, NULL, 0);
	assert_int_equal(actor_rights_on(&a, "/1/"), 0);
	assert_int_equal(actor_rights_anywhere(&a), 0);
	assert_false(actor_can_see(&a, "/1/"));
	assert_null(actor_home(&a, RIGHT_READ));
	actor_release(&a);
}

static void test_operator_has_every_right(void **state)
{
	(void)state;
	struct actor a;
	memset(&a, 0, sizeof a);
	a.operator = true;
	assert_int_equal(actor_rights_on(&a, "/1/"), ~0u);
	assert_int_equal(actor_rights_on(&a, "/99/3/"), ~0u);
	assert_int_equal(actor_rights_anywhere(&a), ~0u);
	assert_true(actor_can_see(&a, "/5/"));
	/* but no home: the operator has to name the organisation */
	assert_null(actor_home(&a, RIGHT_SYSTEM_CREATE));
	actor_release(&a);
}

static void test_actor_home(void **state)
{
	(void)state;
	static const char *const ms[][2] = {
		{ "/1/3/", "viewer" },
		{ "/1/2/", "officer" },
		{ "/1/6/", "owner" },
		{ "/1/3/7/", "admin" },
	};
	struct actor a;
	actor_with(&a, ms, 4);
	/* the first membership (in list order) that gives the right */
	const struct membership *m = actor_home(&a, RIGHT_SYSTEM_CREATE);
	assert_non_null(m);
	assert_string_equal(m->org_path, "/1/2/");
	assert_int_equal(m->org_id, 11);
	m = actor_home(&a, RIGHT_READ);
	assert_string_equal(m->org_path, "/1/3/");
	m = actor_home(&a, RIGHT_ADMIN);
	assert_string_equal(m->org_path, "/1/3/7/");
	m = actor_home(&a, RIGHT_AUTH_LOG);
	assert_string_equal(m->org_path, "/1/3/7/");
	actor_release(&a);

	static const char *const readers[][2] = { { "/1/3/", "viewer" }, { "/1/4/", "reviewer" } };
	actor_with(&a, readers, 2);
	assert_null(actor_home(&a, RIGHT_SYSTEM_CREATE));
	assert_null(actor_home(&a, RIGHT_ADMIN));
	actor_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_rights_table),
		cmocka_unit_test(test_role_rights_unknown),
		cmocka_unit_test(test_only_admin_and_auditor_read_sign_in_log),
		cmocka_unit_test(test_org_path_within),
		cmocka_unit_test(test_rights_on_branches),
		cmocka_unit_test(test_rights_anywhere_is_a_union),
		cmocka_unit_test(test_no_memberships),
		cmocka_unit_test(test_operator_has_every_right),
		cmocka_unit_test(test_actor_home),
	};
	return cmocka_run_group_tests_name("role", tests, NULL, NULL);
}
