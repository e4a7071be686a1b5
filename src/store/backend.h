/*
 * backend.h: what a storage backend provides behind store.h. Private to src/store/.
 *
 * A backend embeds `struct store` as the first member of its own connection struct
 * and points `ops` at its table of functions; store.c forwards every store_* call
 * through that table, so the front ends and svc/ never know which backend they use.
 * Each function keeps the contract written beside its store_* name in store.h.
 */
#ifndef AIMS_STORE_BACKEND_H
#define AIMS_STORE_BACKEND_H

#include "store/store.h"

struct store_ops {
	void (*close)(struct store *s);
	const char *(*backend)(const struct store *s);
	int (*tx_begin)(struct store *s, struct err *e);
	int (*tx_commit)(struct store *s, struct err *e);
	int (*read_begin)(struct store *s, struct err *e);
	void (*read_end)(struct store *s);
	void (*tx_rollback)(struct store *s);
	int (*org_create)(struct store *s, const char *name, const char *kind, int64_t parent_id, const char *now, int64_t *id_out, struct err *e);
	int (*org_get)(struct store *s, int64_t id, json_t **out, struct err *e);
	int (*org_update)(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e);
	int (*org_list)(struct store *s, const struct store_scope *scope, json_t **out, struct err *e);
	int (*user_create)(struct store *s, const char *email, const char *name, const char *password_hash, const char *locale, const char *now, int64_t *id_out, struct err *e);
	int (*user_get)(struct store *s, int64_t id, json_t **out, struct err *e);
	int (*user_find_email)(struct store *s, const char *email, json_t **out, struct err *e);
	int (*user_update)(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e);
	int (*user_list)(struct store *s, const struct store_scope *scope, json_t **out, struct err *e);
	int (*user_count)(struct store *s, int64_t *count, struct err *e);
	int (*membership_set)(struct store *s, int64_t user_id, int64_t org_id, const char *role, const char *now, struct err *e);
	int (*membership_delete)(struct store *s, int64_t user_id, int64_t org_id, struct err *e);
	int (*membership_list)(struct store *s, int64_t user_id, struct membership **out, size_t *count, struct err *e);
	int (*session_create)(struct store *s, const char *id_hash, int64_t user_id, const char *csrf, const char *now, const char *expires_at, struct err *e);
	int (*session_find)(struct store *s, const char *id_hash, const char *now, int64_t *user_id, char csrf_out[65], struct err *e);
	int (*session_delete)(struct store *s, const char *id_hash, struct err *e);
	int (*session_delete_user)(struct store *s, int64_t user_id, struct err *e);
	int (*token_create)(struct store *s, int64_t user_id, const char *name, const char *hash, const char *prefix, const char *now, int64_t *id_out, struct err *e);
	int (*token_find)(struct store *s, const char *hash, int64_t *user_id, int64_t *token_id, struct err *e);
	int (*token_list)(struct store *s, int64_t user_id, json_t **out, struct err *e);
	int (*token_revoke)(struct store *s, int64_t user_id, int64_t token_id, const char *now, struct err *e);
	int (*system_create)(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e);
	int (*system_get)(struct store *s, int64_t id, json_t **out, struct err *e);
	int (*system_update)(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
	int (*system_list)(struct store *s, const struct store_system_query *q, json_t **items, int64_t *total, struct err *e);
	int (*system_count_by)(struct store *s, const struct store_scope *scope, const char *column, json_t **out, struct err *e);
	int (*soa_list)(struct store *s, int64_t org_id, const char *catalog_id, json_t **out, struct err *e);
	int (*soa_get)(struct store *s, int64_t org_id, const char *catalog_id, const char *control_id, json_t **out, struct err *e);
	int (*soa_create)(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e);
	int (*soa_update)(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
	int (*framework_list)(struct store *s, int64_t system_id, json_t **out, struct err *e);
	int (*framework_set)(struct store *s, int64_t system_id, json_t *catalog_ids, const char *now, struct err *e);
	int (*assessment_list)(struct store *s, int64_t system_id, const char *catalog_id, json_t **out, struct err *e);
	int (*assessment_get)(struct store *s, int64_t system_id, const char *catalog_id, const char *requirement_id, json_t **out, struct err *e);
	int (*assessment_create)(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e);
	int (*assessment_update)(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
	int (*soa_list_stale)(struct store *s, const struct store_scope *scope, const char *catalog_id, const char *version, json_t **out, struct err *e);
	int (*assessment_list_stale)(struct store *s, const struct store_scope *scope, const char *catalog_id, const char *version, json_t **out, struct err *e);
	int (*change_add)(struct store *s, const char *at, int64_t actor_user_id, const char *object_type, int64_t object_id, const char *field, const char *old_value, const char *new_value, struct err *e);
	int (*change_list)(struct store *s, const char *object_type, int64_t object_id, int limit, json_t **out, struct err *e);
	int (*evidence_list)(struct store *s, const struct store_evidence_query *q, json_t **items, int64_t *total, struct err *e);
	int (*evidence_get)(struct store *s, int64_t id, json_t **out, struct err *e);
	int (*evidence_create)(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e);
	int (*evidence_update)(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
	int (*evidence_links)(struct store *s, int64_t evidence_id, json_t **out, struct err *e);
	int (*evidence_link_add)(struct store *s, int64_t evidence_id, int64_t system_id, const char *catalog_id, const char *requirement_id, const char *now, int64_t *id_out, struct err *e);
	int (*evidence_link_delete)(struct store *s, int64_t evidence_id, int64_t link_id, struct err *e);
	int (*evidence_on_requirements)(struct store *s, int64_t org_id, int64_t system_id, const char *catalog_id, json_t **out, struct err *e);
	int (*evidence_digests)(struct store *s, json_t **out, struct err *e);
	int (*risk_list)(struct store *s, const struct store_risk_query *q, json_t **items, int64_t *total, struct err *e);
	int (*risk_matrix)(struct store *s, const struct store_risk_query *q, bool residual, json_t **out, struct err *e);
	int (*risk_get)(struct store *s, int64_t id, json_t **out, struct err *e);
	int (*risk_create)(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e);
	int (*risk_update)(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
	int (*risk_evidence_list)(struct store *s, int64_t risk_id, json_t **out, struct err *e);
	int (*risk_evidence_add)(struct store *s, int64_t risk_id, int64_t evidence_id, const char *now, struct err *e);
	int (*risk_evidence_delete)(struct store *s, int64_t risk_id, int64_t evidence_id, struct err *e);
	int (*evidence_risks)(struct store *s, int64_t evidence_id, json_t **out, struct err *e);
	int (*change_recent)(struct store *s, const struct store_scope *scope, int limit, json_t **out, struct err *e);
	int (*auth_epoch)(struct store *s, int64_t *epoch, struct err *e);
	int (*auth_event_add)(struct store *s, const char *at, const char *kind, const char *email, int64_t user_id, const char *address, const char *detail, struct err *e);
	int (*auth_failures)(struct store *s, const char *email, const char *address, const char *since, int64_t *by_email, int64_t *by_address, struct err *e);
	int (*table_each)(struct store *s, const struct store_table *t, store_row_fn fn, void *ctx,
			  struct err *e);
	int (*table_insert)(struct store *s, const struct store_table *t, json_t *row, struct err *e);
	int (*table_finish)(struct store *s, const struct store_table *t, struct err *e);
	int (*table_count)(struct store *s, const struct store_table *t, int64_t *count, struct err *e);
	int (*backup)(struct store *s, const char *path, struct err *e);
};

/* The LIKE pattern of a substring search ("%text%", with % _ and \ escaped by \);
 * free() it. */
char *store_like_pattern(const char *text);

/* Whether name is a column name we would put into SQL: [a-z_][a-z0-9_]*, short. */
bool store_identifier_ok(const char *name);

struct store {
	const struct store_ops *ops;
};

/* Each backend's opener: url is the backend's own form (a path for SQLite). */
int sqlite_store_open(const char *path, struct store **out, struct err *e);
int pg_store_open(const char *url, struct store **out, struct err *e);

#endif
