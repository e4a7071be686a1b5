/*
 * role.h: roles, rights and the actor (who is calling), as pure rules.
 *
 * A role held on an organisation applies to it and to every organisation below it
 * (materialised paths: "/1/4/" is inside "/1/"). The rights an actor has on an
 * organisation are the union over its memberships on that organisation's path.
 * See docs/internals/design.md for the table.
 */
#ifndef AIMS_MODEL_ROLE_H
#define AIMS_MODEL_ROLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum right {
	RIGHT_READ = 1 << 0,
	RIGHT_SYSTEM_CREATE = 1 << 1,
	RIGHT_SYSTEM_EDIT_ANY = 1 << 2,
	RIGHT_SYSTEM_EDIT_OWN = 1 << 3,
	RIGHT_ADMIN = 1 << 4,    /* organisations, users, memberships */
	RIGHT_AUTH_LOG = 1 << 5, /* read the sign-in log */
	RIGHT_RISK_MANAGE = 1 << 6, /* assess and treat any risk of the organisation */
};

#define ROLE_NAME_MAX 16
#define ORG_PATH_MAX 256

struct membership {
	int64_t org_id;
	char org_path[ORG_PATH_MAX];
	char org_name[256];
	char role[ROLE_NAME_MAX];
};

struct actor {
	int64_t user_id; /* 0 for the local operator (CLI without --as) */
	char email[256];
	char name[128];
	char locale[4];
	bool operator;   /* local CLI operator: every right everywhere */
	struct membership *memberships;
	size_t membership_count;
};

unsigned role_rights(const char *role);
/* True when path equals ancestor or lies below it. */
bool org_path_within(const char *path, const char *ancestor);
unsigned actor_rights_on(const struct actor *a, const char *org_path);
/* Union of rights over all memberships: what the actor can do somewhere. */
unsigned actor_rights_anywhere(const struct actor *a);
/* True when the actor may see an organisation with that path. */
bool actor_can_see(const struct actor *a, const char *org_path);
/* The first membership giving `right`, or NULL: the default organisation for new records. */
const struct membership *actor_home(const struct actor *a, unsigned right);
void actor_release(struct actor *a);

#endif
