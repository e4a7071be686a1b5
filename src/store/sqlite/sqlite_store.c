/*
 * sqlite_store.c: the SQLite backend of store.h.
 *
 * One struct store wraps one sqlite3 connection in WAL mode with foreign keys on and
 * a busy timeout, so several connections (one per server worker) share a file.
 * Statements with fixed text are prepared once per connection and cached by the
 * address of their SQL string (they are all static strings); statements whose text
 * depends on the query's shape (list filters) are prepared per call.
 *
 * Writes begin with BEGIN IMMEDIATE so a transaction never has to upgrade its lock
 * halfway, which is where SQLite would otherwise report SQLITE_BUSY.
 */
#include "store/store.h"
#include "store/sqlite/sqlite_util.h"
#include "base/asset.h"
#include "base/buf.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;

/* Before SQLite's first use: no global memory statistics, whose mutex every
 * allocation of every connection would otherwise take. */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static const struct store_ops sqlite_ops;

int sqlite_store_open(const char *path, struct store **out, struct err *e)
{
	pthread_once(&sqlite_configured, configure_sqlite);
	*out = NULL;
	struct sq_db *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	s->base.ops = &sqlite_ops;
	int rc = sqlite3_open_v2(path, &s->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, AIMS_ESTORE, "cannot open database %s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	if (sq_exec(s, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
			    "PRAGMA mmap_size=268435456;", e))
		goto fail;
	if (sq_migrate(s, e))
		goto fail;
	*out = &s->base;
	return 0;
fail:
	store_close(&s->base);
	return e && e->code ? e->code : AIMS_ESTORE;
}

static void sq_close(struct store *base)
{
	struct sq_db *s = (struct sq_db *)base;
	for (size_t i = 0; i < s->cached; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close(s->db);
	free(s);
}

static const char *sq_backend(const struct store *base)
{
	(void)base;
	return "sqlite";
}

static int sq_tx_begin(struct store *base, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	return sq_exec(s, "BEGIN IMMEDIATE", e);
}

static int sq_read_begin(struct store *base, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "BEGIN";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	return st ? sq_step_done(s, st, NULL, NULL, e) : AIMS_ESTORE;
}

static void sq_read_end(struct store *base)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "COMMIT";
	sqlite3_stmt *st = sq_stmt(s, sql, NULL);
	if (st && !sqlite3_get_autocommit(s->db))
		sq_step_done(s, st, NULL, NULL, NULL);
}

static int sq_tx_commit(struct store *base, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	return sq_exec(s, "COMMIT", e);
}

static void sq_tx_rollback(struct store *base)
{
	struct sq_db *s = (struct sq_db *)base;
	if (!sqlite3_get_autocommit(s->db))
		sq_exec(s, "ROLLBACK", NULL);
}

/* ---------------------------------------------------------------- orgs */

static int sq_org_create(struct store *base, const char *name, const char *kind, int64_t parent_id,
		     const char *now, int64_t *id_out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql_insert[] =
		"INSERT INTO orgs(parent_id, name, kind, path, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, 'new:' || ?2 || ?4, ?4, ?4)";
	static const char sql_path[] =
		"UPDATE orgs SET path = coalesce((SELECT p.path FROM orgs p WHERE p.id = ?2), '/') || ?1 || '/' "
		"WHERE id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql_insert, e);
	if (!st)
		return AIMS_ESTORE;
	if (parent_id > 0)
		sqlite3_bind_int64(st, 1, parent_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	int rc = sq_step_done(s, st, "name", "an organisation with this name already exists here", e);
	if (rc)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(s->db);
	st = sq_stmt(s, sql_path, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, parent_id);
	rc = sq_step_done(s, st, NULL, NULL, e);
	if (!rc)
		*id_out = id;
	return rc;
}

#define ORG_COLUMNS "o.id, o.parent_id, o.name, o.kind, o.path, o.created_at, o.updated_at"

static int sq_org_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT " ORG_COLUMNS " FROM orgs o WHERE o.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "organisation", e);
}

static int sq_org_update(struct store *base, int64_t id, json_t *fields, const char *now, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char *const allowed[] = { "name", "kind", NULL };
	return sq_update(s, "orgs", allowed, id, fields, false, 0, now, e);
}

static int sq_org_list(struct store *base, const struct store_scope *scope, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf sql = BUF_INIT(4096);
	int rc = buf_addstr(&sql, "SELECT " ORG_COLUMNS " FROM orgs o WHERE 1");
	if (!rc)
		rc = sq_scope_clause(&sql, scope, "o.path", 1);
	if (!rc)
		rc = buf_addstr(&sql, " ORDER BY o.path");
	if (rc) {
		buf_release(&sql);
		return err_set(e, rc, "query too long");
	}
	sqlite3_stmt *st = sq_prepare(s, buf_str(&sql), e);
	buf_release(&sql);
	if (!st)
		return AIMS_ESTORE;
	sq_bind_scope(st, scope, 1);
	rc = sq_all(s, st, out, e);
	sqlite3_finalize(st);
	return rc;
}

/* ---------------------------------------------------------------- users */

#define USER_COLUMNS "u.id, u.email, u.name, u.locale, u.disabled, u.created_at, u.updated_at"

static int sq_user_create(struct store *base, const char *email, const char *name, const char *password_hash,
		      const char *locale, const char *now, int64_t *id_out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"INSERT INTO users(email, name, password_hash, locale, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, locale ? locale : "ko", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = sq_step_done(s, st, "email", "a user with this e-mail already exists", e);
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static int sq_user_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "user", e);
}

static int sq_user_find_email(struct store *base, const char *email, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"SELECT " USER_COLUMNS ", u.password_hash FROM users u WHERE u.email = lower(?1)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return sq_one(s, st, out, "user", e);
}

static int sq_user_update(struct store *base, int64_t id, json_t *fields, const char *now, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char *const allowed[] = { "name", "locale", "disabled", "password_hash", NULL };
	return sq_update(s, "users", allowed, id, fields, false, 0, now, e);
}

static int sq_user_list(struct store *base, const struct store_scope *scope, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf sql = BUF_INIT(4096);
	int rc = buf_addstr(&sql, "SELECT " USER_COLUMNS " FROM users u WHERE u.id IN "
				  "(SELECT m.user_id FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE 1");
	if (!rc)
		rc = sq_scope_clause(&sql, scope, "o.path", 1);
	if (!rc)
		rc = buf_addstr(&sql, ") ORDER BY u.email");
	if (rc) {
		buf_release(&sql);
		return err_set(e, rc, "query too long");
	}
	sqlite3_stmt *st = sq_prepare(s, buf_str(&sql), e);
	buf_release(&sql);
	if (!st)
		return AIMS_ESTORE;
	sq_bind_scope(st, scope, 1);
	rc = sq_all(s, st, out, e);
	sqlite3_finalize(st);
	return rc;
}

static int sq_user_count(struct store *base, int64_t *count, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT count(*) FROM users";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	return sq_int(s, st, count, e);
}

/* ---------------------------------------------------------------- memberships */

static int sq_membership_set(struct store *base, int64_t user_id, int64_t org_id, const char *role,
			 const char *now, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"INSERT INTO memberships(user_id, org_id, role, created_at) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT(user_id, org_id) DO UPDATE SET role = excluded.role";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, org_id);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	return sq_step_done(s, st, NULL, NULL, e);
}

static int sq_membership_delete(struct store *base, int64_t user_id, int64_t org_id, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "DELETE FROM memberships WHERE user_id = ?1 AND org_id = ?2";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, org_id);
	int rc = sq_step_done(s, st, NULL, NULL, e);
	if (!rc && sqlite3_changes(s->db) == 0)
		return err_set(e, AIMS_ENOTFOUND, "the user has no role on that organisation");
	return rc;
}

static int sq_membership_list(struct store *base, int64_t user_id, struct membership **out, size_t *count,
			  struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"SELECT m.org_id, o.path, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id "
		"WHERE m.user_id = ?1 ORDER BY o.path";
	*out = NULL;
	*count = 0;
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	struct membership *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct membership *grown = realloc(list, (n + 1) * sizeof *list);
		if (!grown) {
			free(list);
			sqlite3_reset(st);
			return err_set(e, AIMS_ENOMEM, "out of memory");
		}
		list = grown;
		struct membership *m = &list[n++];
		memset(m, 0, sizeof *m);
		m->org_id = sqlite3_column_int64(st, 0);
		snprintf(m->org_path, sizeof m->org_path, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(m->org_name, sizeof m->org_name, "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(m->role, sizeof m->role, "%s", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(list);
		return sq_fail(s, e);
	}
	*out = list;
	*count = n;
	return 0;
}

/* ---------------------------------------------------------------- sessions */

static int sq_session_create(struct store *base, const char *id_hash, int64_t user_id, const char *csrf,
			 const char *now, const char *expires_at, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"INSERT INTO sessions(id_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char sql_purge[] = "DELETE FROM sessions WHERE expires_at < ?1";
	sqlite3_stmt *st = sq_stmt(s, sql_purge, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	int rc = sq_step_done(s, st, NULL, NULL, e);
	if (rc)
		return rc;
	st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, expires_at, -1, SQLITE_STATIC);
	return sq_step_done(s, st, NULL, NULL, e);
}

static int sq_session_find(struct store *base, const char *id_hash, const char *now, int64_t *user_id,
		       char csrf_out[65], struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"SELECT s.user_id, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id "
		"WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		snprintf(csrf_out, 65, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return err_set(e, AIMS_ENOTFOUND, "no such session");
	return sq_fail(s, e);
}

static int sq_session_delete(struct store *base, const char *id_hash, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "DELETE FROM sessions WHERE id_hash = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_STATIC);
	return sq_step_done(s, st, NULL, NULL, e);
}

static int sq_session_delete_user(struct store *base, int64_t user_id, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "DELETE FROM sessions WHERE user_id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	return sq_step_done(s, st, NULL, NULL, e);
}

/* ---------------------------------------------------------------- tokens */

static int sq_token_create(struct store *base, int64_t user_id, const char *name, const char *hash,
		       const char *prefix, const char *now, int64_t *id_out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"INSERT INTO api_tokens(user_id, name, hash, prefix, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = sq_step_done(s, st, NULL, NULL, e);
	if (!rc)
		*id_out = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static int sq_token_find(struct store *base, const char *hash, int64_t *user_id, int64_t *token_id,
		     struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"SELECT t.user_id, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id "
		"WHERE t.hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		*token_id = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return err_set(e, AIMS_ENOTFOUND, "no such token");
	return sq_fail(s, e);
}

static int sq_token_list(struct store *base, int64_t user_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"SELECT id, name, prefix, created_at, revoked_at FROM api_tokens WHERE user_id = ?1 "
		"ORDER BY id DESC";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

static int sq_token_revoke(struct store *base, int64_t user_id, int64_t token_id, const char *now,
		       struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"UPDATE api_tokens SET revoked_at = ?3 WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, token_id);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	int rc = sq_step_done(s, st, NULL, NULL, e);
	if (!rc && sqlite3_changes(s->db) == 0)
		return err_set(e, AIMS_ENOTFOUND, "no such live token");
	return rc;
}

/* ---------------------------------------------------------------- changes */

static int sq_change_add(struct store *base, const char *at, int64_t actor_user_id, const char *object_type,
		     int64_t object_id, const char *field, const char *old_value,
		     const char *new_value, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"INSERT INTO changes(at, actor_user_id, object_type, object_id, field, old_value, new_value) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	if (actor_user_id > 0)
		sqlite3_bind_int64(st, 2, actor_user_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, object_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, object_id);
	sqlite3_bind_text(st, 5, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, old_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, new_value, -1, SQLITE_STATIC);
	return sq_step_done(s, st, NULL, NULL, e);
}

#define CHANGE_COLUMNS                                                                   \
	"c.id, c.at, c.actor_user_id, coalesce(u.email, 'operator') AS actor_email, "  \
	"c.object_type, c.object_id, c.field, c.old_value, c.new_value"

static int sq_change_list(struct store *base, const char *object_type, int64_t object_id, int limit,
		      json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"SELECT " CHANGE_COLUMNS " FROM changes c LEFT JOIN users u ON u.id = c.actor_user_id "
		"WHERE c.object_type = ?1 AND c.object_id = ?2 ORDER BY c.id DESC LIMIT ?3";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, object_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, object_id);
	sqlite3_bind_int(st, 3, limit);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

static int sq_change_recent(struct store *base, const struct store_scope *scope, int limit, json_t **out,
			struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	/* One row per mutation: the rows one use case wrote share object, time and actor. */
	struct buf sql = BUF_INIT(4096);
	int rc = buf_addstr(&sql,
			    "SELECT max(c.id) AS id, c.at, c.actor_user_id, coalesce(u.email, 'operator') AS actor_email, "
			    "c.object_id, group_concat(c.field, ',') AS fields, sy.name AS system_name FROM changes c "
			    "LEFT JOIN users u ON u.id = c.actor_user_id "
			    "JOIN systems sy ON sy.id = c.object_id JOIN orgs o ON o.id = sy.org_id "
			    /* "+" steers the planner to the id range, not the object_type index */
			    "WHERE +c.object_type = 'system' AND c.id > (SELECT coalesce(max(id), 0) - 200 FROM changes)");
	if (!rc)
		rc = sq_scope_clause(&sql, scope, "o.path", 2);
	if (!rc)
		rc = buf_addstr(&sql, " GROUP BY c.object_id, c.at, c.actor_user_id ORDER BY max(c.id) DESC LIMIT ?1");
	if (rc) {
		buf_release(&sql);
		return err_set(e, rc, "query too long");
	}
	sqlite3_stmt *st = sq_prepare(s, buf_str(&sql), e);
	buf_release(&sql);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int(st, 1, limit);
	sq_bind_scope(st, scope, 2);
	rc = sq_all(s, st, out, e);
	sqlite3_finalize(st);
	return rc;
}

static int sq_auth_epoch(struct store *base, int64_t *epoch, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT n FROM auth_epoch WHERE id = 1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	return sq_int(s, st, epoch, e);
}

/* ---------------------------------------------------------------- sign-in log */

static int sq_auth_event_add(struct store *base, const char *at, const char *kind, const char *email,
			 int64_t user_id, const char *address, const char *detail, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] =
		"INSERT INTO auth_events(at, kind, email, user_id, address, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, email, -1, SQLITE_STATIC);
	if (user_id > 0)
		sqlite3_bind_int64(st, 4, user_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	return sq_step_done(s, st, NULL, NULL, e);
}

static int sq_auth_failures(struct store *base, const char *email, const char *address, const char *since,
			int64_t *by_email, int64_t *by_address, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql_email[] =
		"SELECT count(*) FROM auth_events WHERE email = ?1 AND at >= ?2 AND kind = 'login_failed'";
	static const char sql_address[] =
		"SELECT count(*) FROM auth_events WHERE address = ?1 AND at >= ?2 AND kind = 'login_failed'";
	sqlite3_stmt *st = sq_stmt(s, sql_email, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
	int rc = sq_int(s, st, by_email, e);
	if (rc)
		return rc;
	st = sq_stmt(s, sql_address, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
	return sq_int(s, st, by_address, e);
}

static const struct store_ops sqlite_ops = {
	.close = sq_close,
	.backend = sq_backend,
	.tx_begin = sq_tx_begin,
	.tx_commit = sq_tx_commit,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.tx_rollback = sq_tx_rollback,
	.org_create = sq_org_create,
	.org_get = sq_org_get,
	.org_update = sq_org_update,
	.org_list = sq_org_list,
	.user_create = sq_user_create,
	.user_get = sq_user_get,
	.user_find_email = sq_user_find_email,
	.user_update = sq_user_update,
	.user_list = sq_user_list,
	.user_count = sq_user_count,
	.membership_set = sq_membership_set,
	.membership_delete = sq_membership_delete,
	.membership_list = sq_membership_list,
	.session_create = sq_session_create,
	.session_find = sq_session_find,
	.session_delete = sq_session_delete,
	.session_delete_user = sq_session_delete_user,
	.token_create = sq_token_create,
	.token_find = sq_token_find,
	.token_list = sq_token_list,
	.token_revoke = sq_token_revoke,
	.system_create = sq_system_create,
	.system_get = sq_system_get,
	.system_update = sq_system_update,
	.system_list = sq_system_list,
	.system_count_by = sq_system_count_by,
	.soa_list = sq_soa_list,
	.soa_get = sq_soa_get,
	.soa_create = sq_soa_create,
	.soa_update = sq_soa_update,
	.framework_list = sq_framework_list,
	.framework_set = sq_framework_set,
	.assessment_list = sq_assessment_list,
	.assessment_get = sq_assessment_get,
	.assessment_create = sq_assessment_create,
	.assessment_update = sq_assessment_update,
	.soa_list_stale = sq_soa_list_stale,
	.assessment_list_stale = sq_assessment_list_stale,
	.evidence_list = sq_evidence_list,
	.evidence_get = sq_evidence_get,
	.evidence_create = sq_evidence_create,
	.evidence_update = sq_evidence_update,
	.evidence_links = sq_evidence_links,
	.evidence_link_add = sq_evidence_link_add,
	.evidence_link_delete = sq_evidence_link_delete,
	.evidence_on_requirements = sq_evidence_on_requirements,
	.evidence_digests = sq_evidence_digests,
	.risk_list = sq_risk_list,
	.risk_matrix = sq_risk_matrix,
	.risk_get = sq_risk_get,
	.risk_create = sq_risk_create,
	.risk_update = sq_risk_update,
	.risk_evidence_list = sq_risk_evidence_list,
	.risk_evidence_add = sq_risk_evidence_add,
	.risk_evidence_delete = sq_risk_evidence_delete,
	.evidence_risks = sq_evidence_risks,
	.change_add = sq_change_add,
	.change_list = sq_change_list,
	.change_recent = sq_change_recent,
	.auth_epoch = sq_auth_epoch,
	.auth_event_add = sq_auth_event_add,
	.auth_failures = sq_auth_failures,
	.table_each = sq_table_each,
	.table_insert = sq_table_insert,
	.table_finish = sq_table_finish,
	.table_count = sq_table_count,
	.backup = sq_backup,
};
