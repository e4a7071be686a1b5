/*
 * sqlite_util.c: statement cache, row conversion, generic update and migrations for
 * the SQLite backend.
 *
 * Row conversion: integers and text map to JSON integers and strings; the column
 * "techniques" and "objectives" hold JSON text and become arrays; the boolean columns "disabled"
 * (users) and "applicable" (soa_entries) become booleans, as PostgreSQL's BOOLEAN
 * does, so `aims db copy` checksums agree across backends.
 */
#include "store/sqlite/sqlite_util.h"
#include "base/asset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sq_fail(struct sq_db *s, struct err *e)
{
	return err_set(e, AIMS_ESTORE, "database error: %s", sqlite3_errmsg(s->db));
}

int sq_exec(struct sq_db *s, const char *sql, struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, AIMS_ESTORE, "database error: %s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return AIMS_ESTORE;
	}
	return 0;
}

sqlite3_stmt *sq_prepare(struct sq_db *s, const char *sql, struct err *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sq_fail(s, e);
		return NULL;
	}
	return st;
}

sqlite3_stmt *sq_stmt(struct sq_db *s, const char *static_sql, struct err *e)
{
	for (size_t i = 0; i < s->cached; i++) {
		if (s->cache[i].sql == static_sql) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			return s->cache[i].stmt;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(s->db, static_sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sq_fail(s, e);
		return NULL;
	}
	if (s->cached < SQ_CACHE_MAX) {
		s->cache[s->cached].sql = static_sql;
		s->cache[s->cached].stmt = st;
		s->cached++;
	} else {
		/* Cache full: a programming error (more than SQ_CACHE_MAX statements). */
		sqlite3_finalize(st);
		err_set(e, AIMS_ESTORE, "statement cache full");
		return NULL;
	}
	return st;
}

int sq_step_done(struct sq_db *s, sqlite3_stmt *st, const char *unique_field,
		 const char *unique_message, struct err *e)
{
	int rc = sqlite3_step(st);
	int ext = sqlite3_extended_errcode(s->db);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
		if (unique_field) {
			err_field_code(e, 0, unique_field, "taken", -1, "%s", unique_message);
			e->code = AIMS_ECONFLICT;
			return AIMS_ECONFLICT;
		}
		return err_set(e, AIMS_ECONFLICT, "already exists");
	}
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return err_set(e, AIMS_EINVAL, "refers to something that does not exist");
	return sq_fail(s, e);
}

json_t *sq_row(sqlite3_stmt *st)
{
	json_t *obj = json_object();
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		json_t *v;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			if (strcmp(name, "disabled") == 0 || strcmp(name, "applicable") == 0)
				v = json_boolean(sqlite3_column_int64(st, i));
			else
				v = json_integer(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(st, i));
			break;
		case SQLITE_NULL:
			v = json_null();
			break;
		default: {
			const char *text = (const char *)sqlite3_column_text(st, i);
			int len = sqlite3_column_bytes(st, i);
			if (strcmp(name, "techniques") == 0 || strcmp(name, "objectives") == 0) {
				v = json_loadb(text, (size_t)len, 0, NULL);
				if (!json_is_array(v)) {
					json_decref(v);
					v = json_array();
				}
			} else {
				v = json_stringn(text, (size_t)len);
			}
		}
		}
		json_object_set_new(obj, name, v ? v : json_null());
	}
	return obj;
}

int sq_one(struct sq_db *s, sqlite3_stmt *st, json_t **out, const char *what, struct err *e)
{
	*out = NULL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sq_row(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return err_set(e, AIMS_ENOTFOUND, "no such %s", what);
	return sq_fail(s, e);
}

int sq_all(struct sq_db *s, sqlite3_stmt *st, json_t **out, struct err *e)
{
	json_t *arr = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, sq_row(st));
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		*out = NULL;
		return sq_fail(s, e);
	}
	*out = arr;
	return 0;
}

int sq_int(struct sq_db *s, sqlite3_stmt *st, int64_t *out, struct err *e)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	return sq_fail(s, e);
}

void sq_bind_json(sqlite3_stmt *st, int index, json_t *value)
{
	if (json_is_string(value)) {
		sqlite3_bind_text(st, index, json_string_value(value), (int)json_string_length(value),
				  SQLITE_TRANSIENT);
	} else if (json_is_integer(value)) {
		sqlite3_bind_int64(st, index, json_integer_value(value));
	} else if (json_is_boolean(value)) {
		sqlite3_bind_int(st, index, json_is_true(value));
	} else if (json_is_array(value) || json_is_object(value)) {
		char *text = json_dumps(value, JSON_COMPACT);
		sqlite3_bind_text(st, index, text ? text : "[]", -1, SQLITE_TRANSIENT);
		free(text);
	} else {
		sqlite3_bind_null(st, index);
	}
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

int sq_insert(struct sq_db *s, const char *table, const char *const *allowed,
	      json_t *fields, const char *now, const char *unique_field, const char *unique_message,
	      int64_t *id_out, struct err *e)
{
	struct buf cols = BUF_INIT(1024), vals = BUF_INIT(1024), sql = BUF_INIT(4096);
	sqlite3_stmt *st = NULL;
	const char *key;
	json_t *value;
	int rc = 0, param = 2;
	json_object_foreach(fields, key, value) {
		if (!in_list(allowed, key)) {
			rc = err_set(e, AIMS_EINVAL, "field %s cannot be stored", key);
			goto out;
		}
		if (buf_addf(&cols, ", %s", key) || buf_addf(&vals, ", ?%d", param++)) {
			rc = err_set(e, AIMS_ETOOBIG, "too many fields");
			goto out;
		}
	}
	if (buf_addf(&sql, "INSERT INTO %s(created_at, updated_at%s) VALUES (?1, ?1%s)", table,
		     buf_str(&cols), buf_str(&vals))) {
		rc = err_set(e, AIMS_ETOOBIG, "too many fields");
		goto out;
	}
	if (!(st = sq_prepare(s, buf_str(&sql), e))) {
		rc = AIMS_ESTORE;
		goto out;
	}
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	param = 2;
	json_object_foreach(fields, key, value)
		sq_bind_json(st, param++, value);
	rc = sq_step_done(s, st, unique_field, unique_message, e);
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(s->db);
out:
	sqlite3_finalize(st);
	buf_release(&cols);
	buf_release(&vals);
	buf_release(&sql);
	return rc;
}

int sq_update(struct sq_db *s, const char *table, const char *const *allowed, int64_t id,
	      json_t *fields, bool versioned, int64_t expected_version, const char *now,
	      struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	int rc = buf_addf(&sql, "UPDATE %s SET updated_at = ?1", table);
	const char *key;
	json_t *value;
	int param = 3;
	json_object_foreach(fields, key, value) {
		if (!in_list(allowed, key)) {
			buf_release(&sql);
			return err_set(e, AIMS_EINVAL, "field %s cannot be changed", key);
		}
		if (!rc)
			rc = buf_addf(&sql, ", %s = ?%d", key, param++);
	}
	if (!rc && versioned)
		rc = buf_addstr(&sql, ", version = version + 1");
	if (!rc)
		rc = buf_addstr(&sql, " WHERE id = ?2");
	if (!rc && versioned)
		rc = buf_addf(&sql, " AND (?%d = 0 OR version = ?%d)", param, param);
	if (rc) {
		buf_release(&sql);
		return err_set(e, rc, "update too large");
	}
	sqlite3_stmt *st = sq_prepare(s, buf_str(&sql), e);
	buf_release(&sql);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	param = 3;
	json_object_foreach(fields, key, value)
		sq_bind_json(st, param++, value);
	if (versioned)
		sqlite3_bind_int64(st, param, expected_version > 0 ? expected_version : 0);
	rc = sq_step_done(s, st, "name", "is already used by another record here", e);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	/* Nothing changed: either the row is gone or (versioned) its version moved on. */
	char exists_sql[128];
	snprintf(exists_sql, sizeof exists_sql, "SELECT count(*) FROM %s WHERE id = ?1", table);
	int64_t count = 0;
	st = sq_prepare(s, exists_sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sq_int(s, st, &count, e);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (count == 0 || !versioned)
		return err_set(e, AIMS_ENOTFOUND, "no such record");
	return err_set(e, AIMS_ECONFLICT, "the record was changed by someone else; reload it");
}

int sq_scope_clause(struct buf *sql, const struct store_scope *scope, const char *column,
		    int first_param)
{
	if (scope->all)
		return 0;
	if (scope->count == 0)
		return buf_addstr(sql, " AND 0");
	int rc = buf_addstr(sql, " AND (");
	for (size_t i = 0; i < scope->count && !rc; i++)
		rc = buf_addf(sql, "%s%s LIKE ?%d || '%%'", i ? " OR " : "", column,
			      first_param + (int)i);
	if (!rc)
		rc = buf_addch(sql, ')');
	return rc;
}

void sq_bind_scope(sqlite3_stmt *st, const struct store_scope *scope, int first_param)
{
	if (scope->all)
		return;
	for (size_t i = 0; i < scope->count; i++)
		sqlite3_bind_text(st, first_param + (int)i, scope->paths[i], -1, SQLITE_STATIC);
}

int sq_migrate(struct sq_db *s, struct err *e)
{
	static const char prefix[] = "migrations/sqlite/";
	int rc = sq_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
			    "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))",
			 e);
	if (rc)
		return rc;
	/* asset_table is sorted by path, so migrations come in number order. */
	for (size_t i = 0; i < asset_count; i++) {
		const struct asset *a = &asset_table[i];
		if (strncmp(a->path, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *name = a->path + sizeof prefix - 1;
		int version = (int)strtol(name, NULL, 10);
		if (version <= 0)
			continue;
		sqlite3_stmt *st = sq_prepare(s, "SELECT 1 FROM schema_migrations WHERE version = ?1", e);
		if (!st)
			return AIMS_ESTORE;
		sqlite3_bind_int(st, 1, version);
		int step = sqlite3_step(st);
		sqlite3_finalize(st);
		if (step == SQLITE_ROW)
			continue;
		if ((rc = sq_exec(s, "BEGIN IMMEDIATE", e)))
			return rc;
		if ((rc = sq_exec(s, a->data, e))) {
			sq_exec(s, "ROLLBACK", NULL);
			return err_set(e, AIMS_ESTORE, "migration %s failed: %s", name, e ? e->message : "");
		}
		st = sq_prepare(s, "INSERT INTO schema_migrations(version, name) VALUES (?1, ?2)", e);
		if (!st) {
			sq_exec(s, "ROLLBACK", NULL);
			return AIMS_ESTORE;
		}
		sqlite3_bind_int(st, 1, version);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		sqlite3_finalize(st);
		if (step != SQLITE_DONE) {
			sq_exec(s, "ROLLBACK", NULL);
			return sq_fail(s, e);
		}
		if ((rc = sq_exec(s, "COMMIT", e)))
			return rc;
	}
	return 0;
}
