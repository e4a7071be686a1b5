/*
 * sqlite_util.h: helpers shared by the SQLite backend's files. Private to
 * src/store/sqlite/; nothing outside includes this.
 */
#ifndef AIMS_STORE_SQLITE_UTIL_H
#define AIMS_STORE_SQLITE_UTIL_H

#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"

#include <jansson.h>
#include <sqlite3.h>

#define SQ_CACHE_MAX 64

struct store {
	sqlite3 *db;
	struct {
		const char *sql; /* identity: the address of a static string */
		sqlite3_stmt *stmt;
	} cache[SQ_CACHE_MAX];
	size_t cached;
};

int sq_exec(struct store *s, const char *sql, struct err *e);
/* A cached, reset statement for a static SQL string; NULL on error (e is set). */
sqlite3_stmt *sq_stmt(struct store *s, const char *static_sql, struct err *e);
/* A fresh statement the caller finalises. */
sqlite3_stmt *sq_prepare(struct store *s, const char *sql, struct err *e);
/* Records the connection's last error in e; returns AIMS_ESTORE. */
int sq_fail(struct store *s, struct err *e);
/*
 * Steps a statement that returns no rows and resets it. A UNIQUE violation becomes
 * AIMS_ECONFLICT, with a field error on unique_field when given.
 */
int sq_step_done(struct store *s, sqlite3_stmt *st, const char *unique_field,
		 const char *unique_message, struct err *e);
/* One row as a JSON object, or AIMS_ENOTFOUND naming `what`. Resets st. */
int sq_one(struct store *s, sqlite3_stmt *st, json_t **out, const char *what, struct err *e);
/* All rows as an array of objects. Does not reset or finalise st. */
int sq_all(struct store *s, sqlite3_stmt *st, json_t **out, struct err *e);
/* A single integer result. Resets st. */
int sq_int(struct store *s, sqlite3_stmt *st, int64_t *out, struct err *e);
json_t *sq_row(sqlite3_stmt *st);
/* Binds a JSON scalar (string, integer, boolean, null; arrays as JSON text). */
void sq_bind_json(sqlite3_stmt *st, int index, json_t *value);
/*
 * UPDATE table SET <fields> [, version = version + 1], updated_at = now WHERE id = ?
 * Field names must be in `allowed` (a NULL-terminated whitelist). When versioned,
 * expected_version > 0 adds "AND version = expected" and a miss is AIMS_ECONFLICT.
 */
int sq_update(struct store *s, const char *table, const char *const *allowed, int64_t id,
	      json_t *fields, bool versioned, int64_t expected_version, const char *now,
	      struct err *e);
/* Appends " AND (col LIKE ?N || '%' OR ...)" for a limited scope; nothing when all. */
int sq_scope_clause(struct buf *sql, const struct store_scope *scope, const char *column,
		    int first_param);
void sq_bind_scope(sqlite3_stmt *st, const struct store_scope *scope, int first_param);
/* Applies the embedded migrations/sqlite/NNNN_*.sql not yet applied. */
int sq_migrate(struct store *s, struct err *e);

#endif
