/*
 * pg_util.c: parameters, statement cache, error mapping, row conversion, the generic
 * update and migrations of the PostgreSQL backend.
 *
 * Error mapping (SQLSTATE → aims): 23505 unique_violation → AIMS_ECONFLICT,
 * 23503 foreign_key_violation → AIMS_EINVAL, 40001 serialization_failure and
 * 40P01 deadlock_detected → AIMS_ERETRY, anything else → AIMS_ESTORE.
 *
 * A statement that fails inside a PostgreSQL transaction aborts the whole
 * transaction, whereas SQLite only fails the statement. The use cases rely on the
 * SQLite behaviour in one place that matters (a CSV import reports every duplicate
 * name, not just the first), so writes that can break a constraint run under a
 * savepoint (pg_exec_guarded).
 */
#include "store/pg/pg_util.h"
#include "base/asset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- parameters */

static int param_add(struct pg_params *p, const char *value, char *owned)
{
	if (p->count >= PG_PARAMS_MAX) {
		free(owned);
		p->overflow = true;
		return PG_PARAMS_MAX;
	}
	p->values[p->count] = owned ? owned : value;
	p->owned[p->count] = owned;
	return ++p->count;
}

int pg_param_text(struct pg_params *p, const char *value)
{
	return param_add(p, NULL, value ? strdup(value) : NULL);
}

int pg_param_int(struct pg_params *p, int64_t value)
{
	char text[24];
	snprintf(text, sizeof text, "%" PRId64, value);
	return param_add(p, NULL, strdup(text));
}

int pg_param_json(struct pg_params *p, json_t *value)
{
	if (json_is_string(value))
		return pg_param_text(p, json_string_value(value));
	if (json_is_integer(value))
		return pg_param_int(p, json_integer_value(value));
	if (json_is_boolean(value))
		return pg_param_text(p, json_is_true(value) ? "true" : "false");
	if (json_is_array(value) || json_is_object(value)) {
		char *text = json_dumps(value, JSON_COMPACT);
		return param_add(p, NULL, text ? text : strdup("[]"));
	}
	return param_add(p, NULL, NULL);
}

void pg_params_release(struct pg_params *p)
{
	for (int i = 0; i < p->count; i++)
		free(p->owned[i]);
	p->count = 0;
}

/* ---------------------------------------------------------------- running */

static int fail_result(struct pg_db *s, const PGresult *res, struct err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!primary)
		primary = PQerrorMessage(s->conn);
	if (state && strcmp(state, "23505") == 0)
		return err_set(e, AIMS_ECONFLICT, "already exists");
	if (state && strcmp(state, "23503") == 0)
		return err_set(e, AIMS_EINVAL, "refers to something that does not exist");
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return err_set(e, AIMS_ERETRY, "a concurrent change got in the way; try again");
	return err_set(e, AIMS_ESTORE, "database error: %s%s%s", primary, state ? " SQLSTATE " : "",
		       state ? state : "");
}

/*
 * The connection may have dropped (a PostgreSQL restart, a failover, an
 * administrator's pg_terminate_backend). libpq notices only when it next talks to
 * the server, so a statement outside any transaction that failed on a dead
 * connection reconnects and runs once more: nothing had happened yet. Inside a
 * transaction the work so far is lost, so the error stands. The prepared statements
 * died with the old session.
 */
static bool reconnected(struct pg_db *s)
{
	if (s->in_tx || s->in_read || PQstatus(s->conn) != CONNECTION_BAD)
		return false;
	PQreset(s->conn);
	s->prepared_count = 0;
	free(s->copy_sql);
	s->copy_sql = NULL;
	return PQstatus(s->conn) == CONNECTION_OK;
}

static int finish(struct pg_db *s, PGresult *r, PGresult **res, struct err *e)
{
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int rc = fail_result(s, r, e);
		PQclear(r);
		return rc;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

static int too_many(struct pg_params *p, struct err *e)
{
	if (p && p->overflow)
		return err_set(e, AIMS_ETOOBIG, "too many query parameters");
	return 0;
}

static int exec_prepared(struct pg_db *s, const char *static_sql, struct pg_params *p, PGresult **res,
			 struct err *e)
{
	char name[16];
	size_t slot;
	for (slot = 0; slot < s->prepared_count; slot++)
		if (s->prepared[slot] == static_sql)
			break;
	snprintf(name, sizeof name, "aims_%zu", slot);
	if (slot == s->prepared_count) {
		if (slot >= PG_PREPARED_MAX)
			return err_set(e, AIMS_ESTORE, "statement cache full");
		int rc = finish(s, PQprepare(s->conn, name, static_sql, 0, NULL), NULL, e);
		if (rc)
			return rc;
		s->prepared[s->prepared_count++] = static_sql;
	}
	PGresult *r = PQexecPrepared(s->conn, name, p ? p->count : 0, p ? p->values : NULL, NULL, NULL, 0);
	return finish(s, r, res, e);
}

int pg_read_start(struct pg_db *s, struct err *e)
{
	if (!s->read_pending)
		return 0;
	s->read_pending = false;
	int rc = pg_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	s->in_read = rc == 0;
	return rc;
}

int pg_exec(struct pg_db *s, const char *static_sql, struct pg_params *p, PGresult **res,
	    struct err *e)
{
	if (res)
		*res = NULL;
	if (too_many(p, e))
		return AIMS_ETOOBIG;
	int rc = pg_read_start(s, e);
	if (rc)
		return rc;
	rc = exec_prepared(s, static_sql, p, res, e);
	if (rc && reconnected(s)) {
		err_release(e);
		rc = exec_prepared(s, static_sql, p, res, e);
	}
	return rc;
}

int pg_exec_dynamic(struct pg_db *s, const char *sql, struct pg_params *p, PGresult **res,
		    struct err *e)
{
	if (res)
		*res = NULL;
	if (too_many(p, e))
		return AIMS_ETOOBIG;
	int started = pg_read_start(s, e);
	if (started)
		return started;
	for (int attempt = 0;; attempt++) {
		PGresult *r = PQexecParams(s->conn, sql, p ? p->count : 0, NULL, p ? p->values : NULL, NULL, NULL, 0);
		int rc = finish(s, r, res, e);
		if (!rc || attempt > 0 || !reconnected(s))
			return rc;
		err_release(e);
	}
}

int pg_exec_repeated(struct pg_db *s, const char *sql, struct pg_params *p, struct err *e)
{
	char name[24];
	if (too_many(p, e))
		return AIMS_ETOOBIG;
	if (!s->copy_sql || strcmp(s->copy_sql, sql) != 0) {
		free(s->copy_sql);
		s->copy_sql = NULL;
		s->copy_count++;
		snprintf(name, sizeof name, "aims_copy%u", s->copy_count);
		int rc = finish(s, PQprepare(s->conn, name, sql, 0, NULL), NULL, e);
		if (rc)
			return rc;
		if (!(s->copy_sql = strdup(sql)))
			return err_set(e, AIMS_ENOMEM, "out of memory");
	}
	snprintf(name, sizeof name, "aims_copy%u", s->copy_count);
	return finish(s, PQexecPrepared(s->conn, name, p->count, p->values, NULL, NULL, 0), NULL, e);
}

int pg_simple(struct pg_db *s, const char *sql, struct err *e)
{
	int rc = finish(s, PQexec(s->conn, sql), NULL, e);
	if (rc && reconnected(s)) {
		err_release(e);
		rc = finish(s, PQexec(s->conn, sql), NULL, e);
	}
	return rc;
}

int pg_exec_guarded(struct pg_db *s, const char *sql, bool is_static, struct pg_params *p,
		    PGresult **res, struct err *e)
{
	if (!s->in_tx)
		return is_static ? pg_exec(s, sql, p, res, e) : pg_exec_dynamic(s, sql, p, res, e);
	int rc = pg_simple(s, "SAVEPOINT aims_guard", e);
	if (rc)
		return rc;
	rc = is_static ? pg_exec(s, sql, p, res, e) : pg_exec_dynamic(s, sql, p, res, e);
	if (rc)
		pg_simple(s, "ROLLBACK TO SAVEPOINT aims_guard", NULL);
	pg_simple(s, "RELEASE SAVEPOINT aims_guard", NULL);
	return rc;
}

int pg_conflict_on(struct err *e, int rc, const char *field, const char *message)
{
	if (rc == AIMS_ECONFLICT && e) {
		err_field_code(e, 0, field, "taken", -1, "%s", message);
		e->code = AIMS_ECONFLICT;
	}
	return rc;
}

/* ---------------------------------------------------------------- rows */

/* Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions. */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_FLOAT4 = 700,
       OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

json_t *pg_row(const PGresult *res, int row)
{
	json_t *obj = json_object();
	int n = PQnfields(res);
	for (int i = 0; i < n; i++) {
		const char *name = PQfname(res, i);
		const char *text = PQgetvalue(res, row, i);
		json_t *v;
		if (PQgetisnull(res, row, i)) {
			v = json_null();
		} else {
			switch (PQftype(res, i)) {
			case OID_BOOL:
				v = json_boolean(text[0] == 't');
				break;
			case OID_INT8:
			case OID_INT2:
			case OID_INT4:
				v = json_integer(strtoll(text, NULL, 10));
				break;
			case OID_NUMERIC:
				v = strchr(text, '.') ? json_real(strtod(text, NULL))
						      : json_integer(strtoll(text, NULL, 10));
				break;
			case OID_FLOAT4:
			case OID_FLOAT8:
				v = json_real(strtod(text, NULL));
				break;
			default:
				if (strcmp(name, "techniques") == 0 || strcmp(name, "objectives") == 0) {
					v = json_loadb(text, (size_t)PQgetlength(res, row, i), 0, NULL);
					if (!json_is_array(v)) {
						json_decref(v);
						v = json_array();
					}
				} else {
					v = json_stringn(text, (size_t)PQgetlength(res, row, i));
				}
			}
		}
		json_object_set_new(obj, name, v ? v : json_null());
	}
	return obj;
}

int pg_one(PGresult *res, json_t **out, const char *what, struct err *e)
{
	*out = PQntuples(res) > 0 ? pg_row(res, 0) : NULL;
	PQclear(res);
	return *out ? 0 : err_set(e, AIMS_ENOTFOUND, "no such %s", what);
}

void pg_all(PGresult *res, json_t **out)
{
	json_t *arr = json_array();
	int rows = PQntuples(res);
	for (int i = 0; i < rows; i++)
		json_array_append_new(arr, pg_row(res, i));
	PQclear(res);
	*out = arr;
}

int64_t pg_int(PGresult *res)
{
	int64_t v = 0;
	if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

int64_t pg_affected(PGresult *res)
{
	int64_t n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return n;
}

/* ---------------------------------------------------------------- shared SQL */

int pg_scope_clause(struct buf *sql, struct pg_params *p, const struct store_scope *scope,
		    const char *column)
{
	if (scope->all)
		return 0;
	if (scope->count == 0)
		return buf_addstr(sql, " AND false");
	int rc = buf_addstr(sql, " AND (");
	for (size_t i = 0; i < scope->count && !rc; i++)
		rc = buf_addf(sql, "%s%s LIKE $%d || '%%'", i ? " OR " : "", column,
			      pg_param_text(p, scope->paths[i]));
	if (!rc)
		rc = buf_addch(sql, ')');
	return rc;
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

int pg_insert(struct pg_db *s, const char *table, const char *const *allowed, json_t *fields,
	      const char *now, const char *unique_field, const char *unique_message,
	      int64_t *id_out, struct err *e)
{
	struct buf cols = BUF_INIT(1024), vals = BUF_INIT(1024), sql = BUF_INIT(4096);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	const char *key;
	json_t *value;
	int rc = 0;
	int now_param = pg_param_text(&p, now);
	json_object_foreach(fields, key, value) {
		if (!in_list(allowed, key)) {
			rc = err_set(e, AIMS_EINVAL, "field %s cannot be stored", key);
			goto out;
		}
		if (buf_addf(&cols, ", %s", key) || buf_addf(&vals, ", $%d", pg_param_json(&p, value))) {
			rc = err_set(e, AIMS_ETOOBIG, "too many fields");
			goto out;
		}
	}
	if (buf_addf(&sql, "INSERT INTO %s(created_at, updated_at%s) VALUES ($%d, $%d%s) RETURNING id",
		     table, buf_str(&cols), now_param, now_param, buf_str(&vals))) {
		rc = err_set(e, AIMS_ETOOBIG, "too many fields");
		goto out;
	}
	rc = pg_conflict_on(e, pg_exec_guarded(s, buf_str(&sql), false, &p, &res, e), unique_field,
			    unique_message);
	if (!rc)
		*id_out = pg_int(res);
out:
	pg_params_release(&p);
	buf_release(&cols);
	buf_release(&vals);
	buf_release(&sql);
	return rc;
}

int pg_update(struct pg_db *s, const char *table, const char *const *allowed, int64_t id,
	      json_t *fields, bool versioned, int64_t expected_version, const char *now,
	      struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	const char *key;
	json_t *value;
	int rc = buf_addf(&sql, "UPDATE %s SET updated_at = $%d", table, pg_param_text(&p, now));
	int id_param = pg_param_int(&p, id);
	json_object_foreach(fields, key, value) {
		if (!in_list(allowed, key)) {
			rc = err_set(e, AIMS_EINVAL, "field %s cannot be changed", key);
			goto out;
		}
		if (!rc)
			rc = buf_addf(&sql, ", %s = $%d", key, pg_param_json(&p, value));
	}
	if (!rc && versioned)
		rc = buf_addstr(&sql, ", version = version + 1");
	if (!rc)
		rc = buf_addf(&sql, " WHERE id = $%d", id_param);
	if (!rc && versioned && expected_version > 0)
		rc = buf_addf(&sql, " AND version = $%d", pg_param_int(&p, expected_version));
	if (rc) {
		rc = err_set(e, rc, "update too large");
		goto out;
	}
	rc = pg_conflict_on(e, pg_exec_guarded(s, buf_str(&sql), false, &p, &res, e), "name",
			    "is already used by another record here");
	if (rc)
		goto out;
	if (pg_affected(res) > 0)
		goto out;
	/* Nothing changed: either the row is gone or (versioned) its version moved on. */
	buf_reset(&sql);
	pg_params_release(&p);
	if ((rc = buf_addf(&sql, "SELECT count(*) FROM %s WHERE id = $%d", table, pg_param_int(&p, id)))) {
		rc = err_set(e, rc, "query too long");
		goto out;
	}
	if ((rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		goto out;
	if (pg_int(res) == 0 || !versioned)
		rc = err_set(e, AIMS_ENOTFOUND, "no such record");
	else
		rc = err_set(e, AIMS_ECONFLICT, "the record was changed by someone else; reload it");
out:
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

/* ---------------------------------------------------------------- migrations */

/* Key of the advisory lock that serialises migrations across processes ("aims"). */
#define MIGRATION_LOCK "1634298227"

int pg_migrate(struct pg_db *s, struct err *e)
{
	static const char prefix[] = "migrations/pg/";
	static const char sql_applied[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
	static const char sql_record[] = "INSERT INTO schema_migrations(version, name) VALUES ($1, $2)";
	int rc = pg_simple(s, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", e);
	if (rc)
		return rc;
	rc = pg_simple(s, "SET client_min_messages = warning; "
			  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
			  "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
			  "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))",
		       e);
	/* asset_table is sorted by path, so migrations come in number order. */
	for (size_t i = 0; i < asset_count && !rc; i++) {
		const struct asset *a = &asset_table[i];
		if (strncmp(a->path, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *name = a->path + sizeof prefix - 1;
		int version = (int)strtol(name, NULL, 10);
		if (version <= 0)
			continue;
		struct pg_params p = PG_PARAMS_INIT;
		PGresult *res = NULL;
		pg_param_int(&p, version);
		rc = pg_exec(s, sql_applied, &p, &res, e);
		pg_params_release(&p);
		if (rc)
			break;
		if (PQntuples(res) > 0) {
			PQclear(res);
			continue;
		}
		PQclear(res);
		if ((rc = pg_simple(s, "BEGIN", e)))
			break;
		rc = pg_simple(s, a->data, e);
		if (rc) {
			err_set(e, AIMS_ESTORE, "migration %s failed: %s", name, e ? e->message : "");
		} else {
			pg_param_int(&p, version);
			pg_param_text(&p, name);
			rc = pg_exec(s, sql_record, &p, NULL, e);
			pg_params_release(&p);
		}
		if (!rc)
			rc = pg_simple(s, "COMMIT", e);
		if (rc)
			pg_simple(s, "ROLLBACK", NULL);
	}
	pg_simple(s, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")", NULL);
	return rc;
}
