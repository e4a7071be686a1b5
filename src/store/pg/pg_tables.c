/*
 * pg_tables.c: whole-table access for `aims db copy` in the PostgreSQL backend.
 *
 * Table names come from store_tables only and column names pass
 * store_identifier_ok, so the SQL text built here never holds user input; values
 * travel as parameters. Reads stream in libpq's single-row mode, so a copy of
 * millions of history rows holds one row in memory at a time.
 */
#include "store/pg/pg_util.h"

#include <stdio.h>
#include <string.h>

int pg_table_each(struct store *base, const struct store_table *t, store_row_fn fn, void *ctx,
		  struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	char sql[256];
	int rc = 0;
	snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY %s", t->name, t->order);
	if ((rc = pg_read_start(s, e)))
		return rc;
	if (!PQsendQuery(s->conn, sql) || !PQsetSingleRowMode(s->conn))
		return err_set(e, AIMS_ESTORE, "database error: %s", PQerrorMessage(s->conn));
	/* Every result must be read, also after fn stops us, before the next query. */
	PGresult *res;
	while ((res = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_SINGLE_TUPLE && !rc) {
			json_t *row = pg_row(res, 0);
			rc = fn(ctx, row, e);
			json_decref(row);
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !rc) {
			rc = err_set(e, AIMS_ESTORE, "database error: %s", PQresultErrorMessage(res));
		}
		PQclear(res);
	}
	return rc;
}

int pg_table_insert(struct store *base, const struct store_table *t, json_t *row, struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	struct buf cols = BUF_INIT(4096), vals = BUF_INIT(4096), sql = BUF_INIT(16384);
	struct pg_params p = PG_PARAMS_INIT;
	const char *key;
	json_t *value;
	int rc = 0;
	json_object_foreach(row, key, value) {
		if (!store_identifier_ok(key)) {
			rc = err_set(e, AIMS_EINVAL, "%s: bad column name", t->name);
			goto out;
		}
		bool first = p.count == 0;
		if (buf_addf(&cols, "%s%s", first ? "" : ", ", key) ||
		    buf_addf(&vals, "%s$%d", first ? "" : ", ", pg_param_json(&p, value))) {
			rc = err_set(e, AIMS_ETOOBIG, "%s: too many columns", t->name);
			goto out;
		}
	}
	if (buf_addf(&sql, "INSERT INTO %s(%s) VALUES (%s)", t->name, buf_str(&cols), buf_str(&vals))) {
		rc = err_set(e, AIMS_ETOOBIG, "%s: too many columns", t->name);
		goto out;
	}
	/* Every row of a table has the same columns: one prepared INSERT per table. */
	rc = pg_exec_repeated(s, buf_str(&sql), &p, e);
out:
	pg_params_release(&p);
	buf_release(&cols);
	buf_release(&vals);
	buf_release(&sql);
	return rc;
}

int pg_table_finish(struct store *base, const struct store_table *t, struct err *e)
{
	char sql[256];
	if (!t->has_id)
		return 0;
	snprintf(sql, sizeof sql,
		 "SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)",
		 t->name, t->name);
	return pg_simple((struct pg_db *)base, sql, e);
}

int pg_table_count(struct store *base, const struct store_table *t, int64_t *count, struct err *e)
{
	char sql[128];
	PGresult *res = NULL;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
	int rc = pg_exec_dynamic((struct pg_db *)base, sql, NULL, &res, e);
	if (!rc)
		*count = pg_int(res);
	return rc;
}

int pg_backup(struct store *base, const char *path, struct err *e)
{
	(void)base, (void)path;
	return err_set(e, AIMS_EINVAL, "back up a PostgreSQL database with pg_dump (see docs/operations.md)");
}
