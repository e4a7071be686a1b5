/*
 * sqlite_tables.c: whole-table access for `aims db copy` and the online backup of
 * `aims backup`, in the SQLite backend.
 *
 * Table names come from store_tables only and column names pass
 * store_identifier_ok, so the SQL text built here never holds user input; values are
 * bound as parameters.
 */
#include "store/sqlite/sqlite_util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sq_table_each(struct store *base, const struct store_table *t, store_row_fn fn, void *ctx,
		  struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY %s", t->name, t->order);
	sqlite3_stmt *st = sq_prepare(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = sq_row(st);
		rc = fn(ctx, row, e);
		json_decref(row);
	}
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(s, e);
	sqlite3_finalize(st);
	return rc;
}

int sq_table_insert(struct store *base, const struct store_table *t, json_t *row, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf cols = BUF_INIT(4096), vals = BUF_INIT(4096), sql = BUF_INIT(16384);
	sqlite3_stmt *st = NULL;
	const char *key;
	json_t *value;
	int rc = 0, n = 0;
	json_object_foreach(row, key, value) {
		if (!store_identifier_ok(key)) {
			rc = err_set(e, AIMS_EINVAL, "%s: bad column name", t->name);
			goto out;
		}
		if (buf_addf(&cols, "%s%s", n ? ", " : "", key) || buf_addf(&vals, "%s?%d", n ? ", " : "", n + 1)) {
			rc = err_set(e, AIMS_ETOOBIG, "%s: too many columns", t->name);
			goto out;
		}
		n++;
	}
	if (buf_addf(&sql, "INSERT INTO %s(%s) VALUES (%s)", t->name, buf_str(&cols), buf_str(&vals))) {
		rc = err_set(e, AIMS_ETOOBIG, "%s: too many columns", t->name);
		goto out;
	}
	if (!(st = sq_prepare(s, buf_str(&sql), e))) {
		rc = AIMS_ESTORE;
		goto out;
	}
	n = 1;
	json_object_foreach(row, key, value)
		sq_bind_json(st, n++, value);
	rc = sq_step_done(s, st, NULL, NULL, e);
out:
	sqlite3_finalize(st);
	buf_release(&cols);
	buf_release(&vals);
	buf_release(&sql);
	return rc;
}

int sq_table_finish(struct store *base, const struct store_table *t, struct err *e)
{
	/* An INTEGER PRIMARY KEY continues after the largest id by itself. */
	(void)base, (void)t, (void)e;
	return 0;
}

int sq_table_count(struct store *base, const struct store_table *t, int64_t *count, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
	sqlite3_stmt *st = sq_prepare(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	int rc = sq_int(s, st, count, e);
	sqlite3_finalize(st);
	return rc;
}

int sq_backup(struct store *base, const char *path, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	sqlite3 *dest = NULL;
	int rc = 0;
	if (access(path, F_OK) == 0)
		return err_set(e, AIMS_EINVAL, "%s already exists; name a new file", path);
	if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = err_set(e, AIMS_EIO, "cannot create %s: %s", path, dest ? sqlite3_errmsg(dest) : "out of memory");
		goto out;
	}
	/* One step copies every page while holding a read lock: a consistent snapshot
	 * even while servers keep writing (they wait at most the busy timeout). */
	sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
	if (!b) {
		rc = err_set(e, AIMS_ESTORE, "backup failed: %s", sqlite3_errmsg(dest));
		goto out;
	}
	int step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE)
		rc = err_set(e, AIMS_ESTORE, "backup failed: %s", sqlite3_errstr(step));
out:
	sqlite3_close(dest);
	if (rc)
		unlink(path);
	return rc;
}
