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

int store_open(const char *url, struct store **out, struct err *e)
{
	pthread_once(&sqlite_configured, configure_sqlite);
	*out = NULL;
	const char *path = url;
	if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	if (strncmp(url, "postgres", 8) == 0)
		return err_set(e, AIMS_EINVAL, "PostgreSQL is not supported by this build yet: %s", url);
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, AIMS_ENOMEM, "out of memory");
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
	*out = s;
	return 0;
fail:
	store_close(s);
	return e && e->code ? e->code : AIMS_ESTORE;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cached; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close(s->db);
	free(s);
}

const char *store_backend(const struct store *s)
{
	(void)s;
	return "sqlite";
}

int store_tx_begin(struct store *s, struct err *e)
{
	return sq_exec(s, "BEGIN IMMEDIATE", e);
}

int store_read_begin(struct store *s, struct err *e)
{
	static const char sql[] = "BEGIN";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	return st ? sq_step_done(s, st, NULL, NULL, e) : AIMS_ESTORE;
}

void store_read_end(struct store *s)
{
	static const char sql[] = "COMMIT";
	sqlite3_stmt *st = sq_stmt(s, sql, NULL);
	if (st && !sqlite3_get_autocommit(s->db))
		sq_step_done(s, st, NULL, NULL, NULL);
}

int store_tx_commit(struct store *s, struct err *e)
{
	return sq_exec(s, "COMMIT", e);
}

void store_tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sq_exec(s, "ROLLBACK", NULL);
}

/* ---------------------------------------------------------------- orgs */

int store_org_create(struct store *s, const char *name, const char *kind, int64_t parent_id,
		     const char *now, int64_t *id_out, struct err *e)
{
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

int store_org_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT " ORG_COLUMNS " FROM orgs o WHERE o.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "organisation", e);
}

int store_org_update(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e)
{
	static const char *const allowed[] = { "name", "kind", NULL };
	return sq_update(s, "orgs", allowed, id, fields, false, 0, now, e);
}

int store_org_list(struct store *s, const struct store_scope *scope, json_t **out, struct err *e)
{
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

int store_user_create(struct store *s, const char *email, const char *name, const char *password_hash,
		      const char *locale, const char *now, int64_t *id_out, struct err *e)
{
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

int store_user_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "user", e);
}

int store_user_find_email(struct store *s, const char *email, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT " USER_COLUMNS ", u.password_hash FROM users u WHERE u.email = lower(?1)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return sq_one(s, st, out, "user", e);
}

int store_user_update(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e)
{
	static const char *const allowed[] = { "name", "locale", "disabled", "password_hash", NULL };
	return sq_update(s, "users", allowed, id, fields, false, 0, now, e);
}

int store_user_list(struct store *s, const struct store_scope *scope, json_t **out, struct err *e)
{
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

int store_user_count(struct store *s, int64_t *count, struct err *e)
{
	static const char sql[] = "SELECT count(*) FROM users";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	return sq_int(s, st, count, e);
}

/* ---------------------------------------------------------------- memberships */

int store_membership_set(struct store *s, int64_t user_id, int64_t org_id, const char *role,
			 const char *now, struct err *e)
{
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

int store_membership_delete(struct store *s, int64_t user_id, int64_t org_id, struct err *e)
{
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

int store_membership_list(struct store *s, int64_t user_id, struct membership **out, size_t *count,
			  struct err *e)
{
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

int store_session_create(struct store *s, const char *id_hash, int64_t user_id, const char *csrf,
			 const char *now, const char *expires_at, struct err *e)
{
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

int store_session_find(struct store *s, const char *id_hash, const char *now, int64_t *user_id,
		       char csrf_out[65], struct err *e)
{
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

int store_session_delete(struct store *s, const char *id_hash, struct err *e)
{
	static const char sql[] = "DELETE FROM sessions WHERE id_hash = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_STATIC);
	return sq_step_done(s, st, NULL, NULL, e);
}

int store_session_delete_user(struct store *s, int64_t user_id, struct err *e)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, user_id);
	return sq_step_done(s, st, NULL, NULL, e);
}

/* ---------------------------------------------------------------- tokens */

int store_token_create(struct store *s, int64_t user_id, const char *name, const char *hash,
		       const char *prefix, const char *now, int64_t *id_out, struct err *e)
{
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

int store_token_find(struct store *s, const char *hash, int64_t *user_id, int64_t *token_id,
		     struct err *e)
{
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

int store_token_list(struct store *s, int64_t user_id, json_t **out, struct err *e)
{
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

int store_token_revoke(struct store *s, int64_t user_id, int64_t token_id, const char *now,
		       struct err *e)
{
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

int store_change_add(struct store *s, const char *at, int64_t actor_user_id, const char *object_type,
		     int64_t object_id, const char *field, const char *old_value,
		     const char *new_value, struct err *e)
{
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

int store_change_list(struct store *s, const char *object_type, int64_t object_id, int limit,
		      json_t **out, struct err *e)
{
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

int store_change_recent(struct store *s, const struct store_scope *scope, int limit, json_t **out,
			struct err *e)
{
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

int store_auth_epoch(struct store *s, int64_t *epoch, struct err *e)
{
	static const char sql[] = "SELECT n FROM auth_epoch WHERE id = 1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	return sq_int(s, st, epoch, e);
}

/* ---------------------------------------------------------------- sign-in log */

int store_auth_event_add(struct store *s, const char *at, const char *kind, const char *email,
			 int64_t user_id, const char *address, const char *detail, struct err *e)
{
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

int store_auth_failures(struct store *s, const char *email, const char *address, const char *since,
			int64_t *by_email, int64_t *by_address, struct err *e)
{
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
