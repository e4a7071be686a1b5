/*
 * pg_util.h: helpers shared by the PostgreSQL backend's files. Private to
 * src/store/pg/; nothing outside includes this.
 *
 * Every value travels as a text parameter ($1, $2, ...): no SQL is ever built from
 * user input. Statements with fixed text are prepared once per connection, named by
 * their slot in the cache and found again by the address of their static SQL string;
 * statements whose text depends on the query's shape (list filters) go through the
 * unnamed statement (PQexecParams).
 */
#ifndef AIMS_STORE_PG_UTIL_H
#define AIMS_STORE_PG_UTIL_H

#include "base/buf.h"
#include "base/err.h"
#include "store/backend.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#define PG_PREPARED_MAX 96
#define PG_PARAMS_MAX 160

struct pg_db {
	struct store base; /* first: the ops table (backend.h) */
	PGconn *conn;
	const char *prepared[PG_PREPARED_MAX]; /* static SQL of statement "aims_<slot>" */
	size_t prepared_count;
	char *copy_sql;   /* the INSERT prepared as "aims_copy<copy_count>" (db copy), or NULL */
	unsigned copy_count;
	bool in_tx;   /* between tx_begin and commit/rollback */
	bool in_read; /* inside a read snapshot */
	bool read_pending; /* a read snapshot was asked for; its BEGIN waits for the first statement */
};

/*
 * Parameters of one statement, as text. Values are copied, so a caller may pass
 * temporaries; pg_params_release frees the copies.
 */
struct pg_params {
	const char *values[PG_PARAMS_MAX];
	char *owned[PG_PARAMS_MAX];
	int count;
	bool overflow;
};

#define PG_PARAMS_INIT { { NULL }, { NULL }, 0, false }

/* Each returns the parameter's number ($n) for building dynamic SQL. */
int pg_param_text(struct pg_params *p, const char *value); /* NULL is SQL NULL */
int pg_param_int(struct pg_params *p, int64_t value);
/* A JSON scalar (string, integer, boolean, null); arrays and objects as JSON text. */
int pg_param_json(struct pg_params *p, json_t *value);
void pg_params_release(struct pg_params *p);

/*
 * Runs a statement whose SQL is a static string (prepared once per connection).
 * On success and when res is not NULL, *res is the result (PQclear it).
 * Errors map to AIMS_ECONFLICT (unique key), AIMS_EINVAL (foreign key),
 * AIMS_ERETRY (serialisation failure or deadlock: run the use case again) and
 * AIMS_ESTORE (anything else). Inside a transaction, statements that may break a
 * constraint run under a savepoint (see pg_exec_guarded), so a use case can go on
 * after such an error as it can on SQLite.
 */
int pg_exec(struct pg_db *s, const char *static_sql, struct pg_params *p, PGresult **res,
	    struct err *e);
/* The same for SQL built per call. */
int pg_exec_dynamic(struct pg_db *s, const char *sql, struct pg_params *p, PGresult **res,
		    struct err *e);
/* pg_exec for writes that may break a unique or foreign key: keeps the transaction
 * usable after such an error (SAVEPOINT ... ROLLBACK TO SAVEPOINT). */
int pg_exec_guarded(struct pg_db *s, const char *sql, bool is_static, struct pg_params *p,
		    PGresult **res, struct err *e);
/* Runs sql (built per call but the same for many calls, as the INSERT of one table in
 * a copy) through a statement prepared once and kept until the text changes. */
int pg_exec_repeated(struct pg_db *s, const char *sql, struct pg_params *p, struct err *e);
/* Sends the BEGIN of a pending read snapshot (store_read_begin is lazy, so a request
 * that reads nothing, like /healthz, costs the database nothing). */
int pg_read_start(struct pg_db *s, struct err *e);
/* Plain SQL without parameters (BEGIN, COMMIT, migrations). */
int pg_simple(struct pg_db *s, const char *sql, struct err *e);
/* When rc is AIMS_ECONFLICT, names field in e with a "taken" field error. Returns rc. */
int pg_conflict_on(struct err *e, int rc, const char *field, const char *message);

/* Row conversion: integers, booleans and text map to JSON; "techniques" holds JSON text. */
json_t *pg_row(const PGresult *res, int row);
/* One row as an object, or AIMS_ENOTFOUND naming `what`. Clears res. */
int pg_one(PGresult *res, json_t **out, const char *what, struct err *e);
/* All rows as an array of objects. Clears res. */
void pg_all(PGresult *res, json_t **out);
/* The first column of the first row as an integer (0 when no row). Clears res. */
int64_t pg_int(PGresult *res);
/* Rows affected by an INSERT/UPDATE/DELETE. Clears res. */
int64_t pg_affected(PGresult *res);

/* " AND (col LIKE $n || '%' OR ...)" for a limited scope; nothing when all. */
int pg_scope_clause(struct buf *sql, struct pg_params *p, const struct store_scope *scope,
		    const char *column);
/* INSERT with a whitelist of fields and created_at = updated_at = now, RETURNING id;
 * as sq_insert in the SQLite backend (a unique-key clash names unique_field). */
int pg_insert(struct pg_db *s, const char *table, const char *const *allowed, json_t *fields,
	      const char *now, const char *unique_field, const char *unique_message,
	      int64_t *id_out, struct err *e);
/* UPDATE with a whitelist of fields, as sq_update in the SQLite backend. */
int pg_update(struct pg_db *s, const char *table, const char *const *allowed, int64_t id,
	      json_t *fields, bool versioned, int64_t expected_version, const char *now,
	      struct err *e);
/* Applies the embedded migrations/pg/NNNN_*.sql not yet applied, under an advisory
 * lock, so several servers starting at once apply each migration exactly once. */
int pg_migrate(struct pg_db *s, struct err *e);

/* AI systems (pg_systems.c), referenced by the ops table in pg_store.c. */
int pg_system_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		     struct err *e);
int pg_system_get(struct store *base, int64_t id, json_t **out, struct err *e);
int pg_system_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		     const char *now, struct err *e);
int pg_system_list(struct store *base, const struct store_system_query *q, json_t **items,
		   int64_t *total, struct err *e);
int pg_system_count_by(struct store *base, const struct store_scope *scope, const char *column,
		       json_t **out, struct err *e);
/* Statement of Applicability, frameworks and assessments (pg_compliance.c). */
int pg_soa_list(struct store *base, int64_t org_id, const char *catalog_id, json_t **out, struct err *e);
int pg_soa_get(struct store *base, int64_t org_id, const char *catalog_id, const char *control_id, json_t **out, struct err *e);
int pg_soa_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int pg_soa_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int pg_framework_list(struct store *base, int64_t system_id, json_t **out, struct err *e);
int pg_framework_set(struct store *base, int64_t system_id, json_t *catalog_ids, const char *now, struct err *e);
int pg_assessment_list(struct store *base, int64_t system_id, const char *catalog_id, json_t **out, struct err *e);
int pg_assessment_get(struct store *base, int64_t system_id, const char *catalog_id, const char *requirement_id, json_t **out, struct err *e);
int pg_assessment_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int pg_assessment_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int pg_soa_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id, const char *version, json_t **out, struct err *e);
int pg_assessment_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id, const char *version, json_t **out, struct err *e);
/* Whole tables (pg_tables.c). */
int pg_table_each(struct store *base, const struct store_table *t, store_row_fn fn, void *ctx,
		  struct err *e);
int pg_table_insert(struct store *base, const struct store_table *t, json_t *row, struct err *e);
int pg_table_finish(struct store *base, const struct store_table *t, struct err *e);
int pg_table_count(struct store *base, const struct store_table *t, int64_t *count, struct err *e);
int pg_backup(struct store *base, const char *path, struct err *e);

/* Evidence (pg_evidence.c). */
int pg_evidence_list(struct store *base, const struct store_evidence_query *q, json_t **items, int64_t *total, struct err *e);
int pg_evidence_get(struct store *base, int64_t id, json_t **out, struct err *e);
int pg_evidence_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int pg_evidence_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int pg_evidence_links(struct store *base, int64_t evidence_id, json_t **out, struct err *e);
int pg_evidence_link_add(struct store *base, int64_t evidence_id, int64_t system_id, const char *catalog_id, const char *requirement_id, const char *now, int64_t *id_out, struct err *e);
int pg_evidence_link_delete(struct store *base, int64_t evidence_id, int64_t link_id, struct err *e);
int pg_evidence_on_requirements(struct store *base, int64_t org_id, int64_t system_id, const char *catalog_id, json_t **out, struct err *e);
int pg_evidence_digests(struct store *base, json_t **out, struct err *e);
int pg_risk_list(struct store *base, const struct store_risk_query *q, json_t **items, int64_t *total, struct err *e);
int pg_risk_matrix(struct store *base, const struct store_risk_query *q, bool residual, json_t **out, struct err *e);
int pg_risk_get(struct store *base, int64_t id, json_t **out, struct err *e);
int pg_risk_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e);
int pg_risk_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e);
int pg_risk_evidence_list(struct store *base, int64_t risk_id, json_t **out, struct err *e);
int pg_risk_evidence_add(struct store *base, int64_t risk_id, int64_t evidence_id, const char *now, struct err *e);
int pg_risk_evidence_delete(struct store *base, int64_t risk_id, int64_t evidence_id, struct err *e);
int pg_evidence_risks(struct store *base, int64_t evidence_id, json_t **out, struct err *e);

#endif
