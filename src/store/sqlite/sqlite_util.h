/*
 * sqlite_util.h: helpers shared by the SQLite backend's files. Private to
 * src/store/sqlite/; nothing outside includes this.
 */
#ifndef AIMS_STORE_SQLITE_UTIL_H
#define AIMS_STORE_SQLITE_UTIL_H

#include "base/buf.h"
#include "base/err.h"
#include "store/backend.h"

#include <jansson.h>
#include <sqlite3.h>

#define SQ_CACHE_MAX 64

struct sq_db {
	struct store base; /* first: the ops table (backend.h) */
	sqlite3 *db;
	struct {
		const char *sql; /* identity: the address of a static string */
		sqlite3_stmt *stmt;
	} cache[SQ_CACHE_MAX];
	size_t cached;
};

int sq_exec(struct sq_db *s, const char *sql, struct err *e);
/* A cached, reset statement for a static SQL string; NULL on error (e is set). */
sqlite3_stmt *sq_stmt(struct sq_db *s, const char *static_sql, struct err *e);
/* A fresh statement the caller finalises. */
sqlite3_stmt *sq_prepare(struct sq_db *s, const char *sql, struct err *e);
/* Records the connection's last error in e; returns AIMS_ESTORE. */
int sq_fail(struct sq_db *s, struct err *e);
/*
 * Steps a statement that returns no rows and resets it. A UNIQUE violation becomes
 * AIMS_ECONFLICT, with a field error on unique_field when given.
 */
int sq_step_done(struct sq_db *s, sqlite3_stmt *st, const char *unique_field,
		 const char *unique_message, struct err *e);
/* One row as a JSON object, or AIMS_ENOTFOUND naming `what`. Resets st. */
int sq_one(struct sq_db *s, sqlite3_stmt *st, json_t **out, const char *what, struct err *e);
/* All rows as an array of objects. Does not reset or finalise st. */
int sq_all(struct sq_db *s, sqlite3_stmt *st, json_t **out, struct err *e);
/* A single integer result. Resets st. */
int sq_int(struct sq_db *s, sqlite3_stmt *st, int64_t *out, struct err *e);
json_t *sq_row(sqlite3_stmt *st);
/* Binds a JSON scalar (string, integer, boolean, null; arrays as JSON text). */
void sq_bind_json(sqlite3_stmt *st, int index, json_t *value);
/*
 * UPDATE table SET <fields> [, version = version + 1], updated_at = now WHERE id = ?
 * Field names must be in `allowed` (a NULL-terminated whitelist). When versioned,
 * expected_version > 0 adds "AND version = expected" and a miss is AIMS_ECONFLICT.
 */
int sq_update(struct sq_db *s, const char *table, const char *const *allowed, int64_t id,
	      json_t *fields, bool versioned, int64_t expected_version, const char *now,
	      struct err *e);
/*
 * INSERT INTO table(created_at, updated_at, <fields>) VALUES (now, now, ...); field
 * names must be in `allowed`. A unique-key clash is AIMS_ECONFLICT with a field error
 * on unique_field. *id_out is the new row's id.
 */
int sq_insert(struct sq_db *s, const char *table, const char *const *allowed, json_t *fields,
	      const char *now, const char *unique_field, const char *unique_message,
	      int64_t *id_out, struct err *e);
/* Appends " AND (col LIKE ?N || '%' OR ...)" for a limited scope; nothing when all. */
int sq_scope_clause(struct buf *sql, const struct store_scope *scope, const char *column,
		    int first_param);
void sq_bind_scope(sqlite3_stmt *st, const struct store_scope *scope, int first_param);
/* Applies the embedded migrations/sqlite/NNNN_*.sql not yet applied. */
int sq_migrate(struct sq_db *s, struct err *e);

/* AI systems (sqlite_systems.c), referenced by the ops table in sqlite_store.c. */
int sq_system_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		     struct err *e);
int sq_system_get(struct store *base, int64_t id, json_t **out, struct err *e);
int sq_system_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		     const char *now, struct err *e);
int sq_system_list(struct store *base, const struct store_system_query *q, json_t **items,
		   int64_t *total, struct err *e);
int sq_system_count_by(struct store *base, const struct store_scope *scope, const char *column,
		       json_t **out, struct err *e);
/* Statement of Applicability, frameworks and assessments (sqlite_compliance.c). */
int sq_soa_list(struct store *base, int64_t org_id, const char *catalog_id, json_t **out, struct err *e);
int sq_soa_get(struct store *base, int64_t org_id, const char *catalog_id, const char *control_id, json_t **out, struct err *e);
int sq_soa_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int sq_soa_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int sq_framework_list(struct store *base, int64_t system_id, json_t **out, struct err *e);
int sq_framework_set(struct store *base, int64_t system_id, json_t *catalog_ids, const char *now, struct err *e);
int sq_assessment_list(struct store *base, int64_t system_id, const char *catalog_id, json_t **out, struct err *e);
int sq_assessment_get(struct store *base, int64_t system_id, const char *catalog_id, const char *requirement_id, json_t **out, struct err *e);
int sq_assessment_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int sq_assessment_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int sq_soa_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id, const char *version, json_t **out, struct err *e);
int sq_assessment_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id, const char *version, json_t **out, struct err *e);
/* Whole tables and the online backup (sqlite_tables.c). */
int sq_table_each(struct store *base, const struct store_table *t, store_row_fn fn, void *ctx,
		  struct err *e);
int sq_table_insert(struct store *base, const struct store_table *t, json_t *row, struct err *e);
int sq_table_finish(struct store *base, const struct store_table *t, struct err *e);
int sq_table_count(struct store *base, const struct store_table *t, int64_t *count, struct err *e);
int sq_backup(struct store *base, const char *path, struct err *e);

/* Evidence (sqlite_evidence.c). */
int sq_evidence_list(struct store *base, const struct store_evidence_query *q, json_t **items, int64_t *total, struct err *e);
int sq_evidence_get(struct store *base, int64_t id, json_t **out, struct err *e);
int sq_evidence_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int sq_evidence_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int sq_evidence_links(struct store *base, int64_t evidence_id, json_t **out, struct err *e);
int sq_evidence_link_add(struct store *base, int64_t evidence_id, int64_t system_id, const char *catalog_id, const char *requirement_id, const char *now, int64_t *id_out, struct err *e);
int sq_evidence_link_delete(struct store *base, int64_t evidence_id, int64_t link_id, struct err *e);
int sq_evidence_on_requirements(struct store *base, int64_t org_id, int64_t system_id, const char *catalog_id, json_t **out, struct err *e);
int sq_evidence_digests(struct store *base, json_t **out, struct err *e);
int sq_risk_list(struct store *base, const struct store_risk_query *q, json_t **items, int64_t *total, struct err *e);
int sq_risk_matrix(struct store *base, const struct store_risk_query *q, bool residual, json_t **out, struct err *e);
int sq_risk_get(struct store *base, int64_t id, json_t **out, struct err *e);
int sq_risk_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int sq_risk_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int sq_risk_evidence_list(struct store *base, int64_t risk_id, json_t **out, struct err *e);
int sq_risk_evidence_add(struct store *base, int64_t risk_id, int64_t evidence_id, const char *now, struct err *e);
int sq_risk_evidence_delete(struct store *base, int64_t risk_id, int64_t evidence_id, struct err *e);
int sq_evidence_risks(struct store *base, int64_t evidence_id, json_t **out, struct err *e);

#endif
