/*
 * role.c: the rights table and path arithmetic. Keep in step with the table in
 * docs/internals/design.md.
 */
#include "model/role.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *role;
	unsigned rights;
} role_table[] = {
	{ "admin", RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_ANY | RIGHT_SYSTEM_EDIT_OWN |
			   RIGHT_ADMIN | RIGHT_AUTH_LOG | RIGHT_RISK_MANAGE },
	{ "officer", RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_ANY | RIGHT_SYSTEM_EDIT_OWN |
			     RIGHT_RISK_MANAGE },
	{ "owner", RIGHT_READ | RIGHT_SYSTEM_CREATE | RIGHT_SYSTEM_EDIT_OWN },
	{ "reviewer", RIGHT_READ | RIGHT_RISK_MANAGE },
	{ "auditor", RIGHT_READ | RIGHT_AUTH_LOG },
	{ "viewer", RIGHT_READ },
};

unsigned role_rights(const char *role)
{
	for (size_t i = 0; i < sizeof role_table / sizeof role_table[0]; i++)
		if (strcmp(role_table[i].role, role) == 0)
			return role_table[i].rights;
	return 0;
}

bool org_path_within(const char *path, const char *ancestor)
{
	size_t n = strlen(ancestor);
	return n > 0 && strncmp(path, ancestor, n) == 0;
}

unsigned actor_rights_on(const struct actor *a, const char *org_path)
{
	if (a->operator)
		return ~0u;
	unsigned rights = 0;
	for (size_t i = 0; i < a->membership_count; i++)
		if (org_path_within(org_path, a->memberships[i].org_path))
			rights |= role_rights(a->memberships[i].role);
	return rights;
}

unsigned actor_rights_anywhere(const struct actor *a)
{
	if (a->operator)
		return ~0u;
	unsigned rights = 0;
	for (size_t i = 0; i < a->membership_count; i++)
		rights |= role_rights(a->memberships[i].role);
	return rights;
}

bool actor_can_see(const struct actor *a, const char *org_path)
{
	return (actor_rights_on(a, org_path) & RIGHT_READ) != 0;
}

const struct membership *actor_home(const struct actor *a, unsigned right)
{
	for (size_t i = 0; i < a->membership_count; i++)
		if (role_rights(a->memberships[i].role) & right)
			return &a->memberships[i];
	return NULL;
}

void actor_release(struct actor *a)
{
	free(a->memberships);
	a->memberships = NULL;
	a->membership_count = 0;
}
