/*
 * pg_store.c: the PostgreSQL backend of store.h (libpq).
 *
 * One struct store wraps one PGconn; the server keeps one per worker thread, which
 * is this process's connection pool (http/server.c). Many server processes may share
 * one database: nothing here caches rows across transactions, and the credential
 * cache of svc/ is validated against auth_epoch in the database.
 *
 * Transactions: writes run at SERIALIZABLE, so a use case sees the database as if it
 * were alone, as it does on SQLite, whose writers take turns. When PostgreSQL cannot
 * keep that promise it reports a serialisation failure, which becomes AIMS_ERETRY and
 * makes svc/ run the whole use case again (svc_retry). Read-only requests take one
 * REPEATABLE READ READ ONLY snapshot, which never fails that way.
 */
#include "store/pg/pg_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_ops pg_ops;

static struct pg_db *db(struct store *base)
{
	return (struct pg_db *)base;
}

int pg_store_open(const char *url, struct store **out, struct err *e)
{
	*out = NULL;
	struct pg_db *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	s->base.ops = &pg_ops;
	s->conn = PQconnectdb(url);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		/* libpq's message names host and reason, never the password. */
		const char *why = s->conn ? PQerrorMessage(s->conn) : "out of memory";
		size_t len = strcspn(why, "\n");
		err_set(e, AIMS_ESTORE, "cannot connect to PostgreSQL: %.*s", (int)len, why);
		goto fail;
	}
	/* Plain text dates and UTF-8 whatever the server's defaults are. */
	if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
		err_set(e, AIMS_ESTORE, "the PostgreSQL server cannot speak UTF-8");
		goto fail;
	}
	if (pg_simple(s, "SET TIME ZONE 'UTC'", e) || pg_migrate(s, e))
		goto fail;
	*out = &s->base;
	return 0;
fail:
	store_close(&s->base);
	return e && e->code ? e->code : AIMS_ESTORE;
}

static void pg_close(struct store *base)
{
	struct pg_db *s = db(base);
	PQfinish(s->conn);
	free(s->copy_sql);
	free(s);
}

static const char *pg_backend(const struct store *base)
{
	(void)base;
	return "postgresql";
}

/* Starts a transaction; a dead connection is re-opened first (pg_simple). */
static int begin(struct pg_db *s, const char *sql, struct err *e)
{
	if (s->in_tx || s->in_read || s->read_pending)
		return err_set(e, AIMS_ESTORE, "cannot start a transaction within a transaction");
	return pg_simple(s, sql, e);
}

static int pg_tx_begin(struct store *base, struct err *e)
{
	struct pg_db *s = db(base);
	int rc = begin(s, "BEGIN ISOLATION LEVEL SERIALIZABLE", e);
	s->in_tx = rc == 0;
	return rc;
}

static int pg_tx_commit(struct store *base, struct err *e)
{
	struct pg_db *s = db(base);
	int rc = pg_simple(s, "COMMIT", e);
	s->in_tx = false;
	return rc;
}

static void pg_tx_rollback(struct store *base)
{
	struct pg_db *s = db(base);
	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		pg_simple(s, "ROLLBACK", NULL);
	s->in_tx = false;
}

static int pg_read_begin(struct store *base, struct err *e)
{
	struct pg_db *s = db(base);
	if (s->in_tx || s->in_read || s->read_pending)
		return err_set(e, AIMS_ESTORE, "cannot start a transaction within a transaction");
	s->read_pending = true; /* BEGIN goes out with the first statement: pg_read_start */
	return 0;
}

static void pg_read_end(struct store *base)
{
	struct pg_db *s = db(base);
	if (s->in_read && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		pg_simple(s, "COMMIT", NULL);
	s->in_read = false;
	s->read_pending = false;
}

/* ---------------------------------------------------------------- orgs */

static int pg_org_create(struct store *base, const char *name, const char *kind, int64_t parent_id,
			 const char *now, int64_t *id_out, struct err *e)
{
	/* The id is drawn first so the path "/<parent path>/<id>/" is known on insert. */
	static const char sql[] =
		"INSERT INTO orgs(id, parent_id, name, kind, path, created_at, updated_at) "
		"SELECT n.id, $1::bigint, $2::text, $3::text, "
		"coalesce((SELECT p.path FROM orgs p WHERE p.id = $1::bigint), '/') "
		"|| n.id || '/', $4::text, $4::text FROM (SELECT nextval(pg_get_serial_sequence('orgs', 'id')) AS id) n "
		"RETURNING id";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	if (parent_id > 0)
		pg_param_int(&p, parent_id);
	else
		pg_param_text(&p, NULL);
	pg_param_text(&p, name);
	pg_param_text(&p, kind);
	pg_param_text(&p, now);
	int rc = pg_conflict_on(e, pg_exec_guarded(db(base), sql, true, &p, &res, e), "name",
				"an organisation with this name already exists here");
	pg_params_release(&p);
	if (!rc)
		*id_out = pg_int(res);
	return rc;
}

#define ORG_COLUMNS "o.id, o.parent_id, o.name, o.kind, o.path, o.created_at, o.updated_at"

static int pg_org_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT " ORG_COLUMNS " FROM orgs o WHERE o.id = $1";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	return rc ? rc : pg_one(res, out, "organisation", e);
}

static int pg_org_update(struct store *base, int64_t id, json_t *fields, const char *now, struct err *e)
{
	static const char *const allowed[] = { "name", "kind", NULL };
	return pg_update(db(base), "orgs", allowed, id, fields, false, 0, now, e);
}

/* Runs a SELECT built as head + scope clause + tail and returns all its rows. */
static int scoped_list(struct pg_db *s, const char *head, const struct store_scope *scope,
		       const char *column, const char *tail, json_t **out, struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	int rc = buf_addstr(&sql, head);
	if (!rc)
		rc = pg_scope_clause(&sql, &p, scope, column);
	if (!rc)
		rc = buf_addstr(&sql, tail);
	if (rc)
		rc = err_set(e, rc, "query too long");
	else if (!(rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		pg_all(res, out);
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

static int pg_org_list(struct store *base, const struct store_scope *scope, json_t **out, struct err *e)
{
	return scoped_list(db(base), "SELECT " ORG_COLUMNS " FROM orgs o WHERE true", scope, "o.path",
			   " ORDER BY o.path", out, e);
}

/* ---------------------------------------------------------------- users */

#define USER_COLUMNS "u.id, u.email, u.name, u.locale, u.disabled, u.created_at, u.updated_at"

static int pg_user_create(struct store *base, const char *email, const char *name,
			  const char *password_hash, const char *locale, const char *now,
			  int64_t *id_out, struct err *e)
{
	static const char sql[] =
		"INSERT INTO users(email, name, password_hash, locale, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_text(&p, email);
	pg_param_text(&p, name ? name : "");
	pg_param_text(&p, password_hash);
	pg_param_text(&p, locale ? locale : "ko");
	pg_param_text(&p, now);
	int rc = pg_conflict_on(e, pg_exec_guarded(db(base), sql, true, &p, &res, e), "email",
				"a user with this e-mail already exists");
	pg_params_release(&p);
	if (!rc)
		*id_out = pg_int(res);
	return rc;
}

static int get_by_id(struct pg_db *s, const char *sql, int64_t id, const char *what, json_t **out,
		     struct err *e)
{
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	int rc = pg_exec(s, sql, &p, &res, e);
	pg_params_release(&p);
	return rc ? rc : pg_one(res, out, what, e);
}

static int pg_user_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM users u WHERE u.id = $1";
	return get_by_id(db(base), sql, id, "user", out, e);
}

static int pg_user_find_email(struct store *base, const char *email, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT " USER_COLUMNS ", u.password_hash FROM users u WHERE u.email = lower($1)";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_text(&p, email);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	return rc ? rc : pg_one(res, out, "user", e);
}

static int pg_user_update(struct store *base, int64_t id, json_t *fields, const char *now, struct err *e)
{
	static const char *const allowed[] = { "name", "locale", "disabled", "password_hash", NULL };
	return pg_update(db(base), "users", allowed, id, fields, false, 0, now, e);
}

static int pg_user_list(struct store *base, const struct store_scope *scope, json_t **out, struct err *e)
{
	return scoped_list(db(base),
			   "SELECT " USER_COLUMNS " FROM users u WHERE u.id IN (SELECT m.user_id FROM "
			   "memberships m JOIN orgs o ON o.id = m.org_id WHERE true",
			   scope, "o.path", ") ORDER BY u.email", out, e);
}

static int pg_user_count(struct store *base, int64_t *count, struct err *e)
{
	static const char sql[] = "SELECT count(*) FROM users";
	PGresult *res = NULL;
	int rc = pg_exec(db(base), sql, NULL, &res, e);
	if (!rc)
		*count = pg_int(res);
	return rc;
}

/* ---------------------------------------------------------------- memberships */

static int pg_membership_set(struct store *base, int64_t user_id, int64_t org_id, const char *role,
			     const char *now, struct err *e)
{
	static const char sql[] =
		"INSERT INTO memberships(user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4) "
		"ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_int(&p, user_id);
	pg_param_int(&p, org_id);
	pg_param_text(&p, role);
	pg_param_text(&p, now);
	int rc = pg_exec_guarded(db(base), sql, true, &p, NULL, e);
	pg_params_release(&p);
	return rc;
}

static int pg_membership_delete(struct store *base, int64_t user_id, int64_t org_id, struct err *e)
{
	static const char sql[] = "DELETE FROM memberships WHERE user_id = $1 AND org_id = $2";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, user_id);
	pg_param_int(&p, org_id);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc && pg_affected(res) == 0)
		return err_set(e, AIMS_ENOTFOUND, "the user has no role on that organisation");
	return rc;
}

static int pg_membership_list(struct store *base, int64_t user_id, struct membership **out,
			      size_t *count, struct err *e)
{
	static const char sql[] =
		"SELECT m.org_id, o.path, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id "
		"WHERE m.user_id = $1 ORDER BY o.path";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	*count = 0;
	pg_param_int(&p, user_id);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (rc)
		return rc;
	int rows = PQntuples(res);
	struct membership *list = rows ? calloc((size_t)rows, sizeof *list) : NULL;
	if (rows && !list) {
		PQclear(res);
		return err_set(e, AIMS_ENOMEM, "out of memory");
	}
	for (int i = 0; i < rows; i++) {
		struct membership *m = &list[i];
		m->org_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		snprintf(m->org_path, sizeof m->org_path, "%s", PQgetvalue(res, i, 1));
		snprintf(m->org_name, sizeof m->org_name, "%s", PQgetvalue(res, i, 2));
		snprintf(m->role, sizeof m->role, "%s", PQgetvalue(res, i, 3));
	}
	PQclear(res);
	*out = list;
	*count = (size_t)rows;
	return 0;
}

/* ---------------------------------------------------------------- sessions */

static int pg_session_create(struct store *base, const char *id_hash, int64_t user_id,
			     const char *csrf, const char *now, const char *expires_at, struct err *e)
{
	static const char sql_purge[] = "DELETE FROM sessions WHERE expires_at < $1";
	static const char sql[] =
		"INSERT INTO sessions(id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_text(&p, now);
	int rc = pg_exec(db(base), sql_purge, &p, NULL, e);
	pg_params_release(&p);
	if (rc)
		return rc;
	pg_param_text(&p, id_hash);
	pg_param_int(&p, user_id);
	pg_param_text(&p, csrf);
	pg_param_text(&p, now);
	pg_param_text(&p, expires_at);
	rc = pg_exec_guarded(db(base), sql, true, &p, NULL, e);
	pg_params_release(&p);
	return rc;
}

static int pg_session_find(struct store *base, const char *id_hash, const char *now, int64_t *user_id,
			   char csrf_out[65], struct err *e)
{
	static const char sql[] =
		"SELECT s.user_id, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id "
		"WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_text(&p, id_hash);
	pg_param_text(&p, now);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (rc)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return err_set(e, AIMS_ENOTFOUND, "no such session");
	}
	*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(csrf_out, 65, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

static int delete_by(struct pg_db *s, const char *sql, struct pg_params *p, struct err *e)
{
	int rc = pg_exec(s, sql, p, NULL, e);
	pg_params_release(p);
	return rc;
}

static int pg_session_delete(struct store *base, const char *id_hash, struct err *e)
{
	static const char sql[] = "DELETE FROM sessions WHERE id_hash = $1";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_text(&p, id_hash);
	return delete_by(db(base), sql, &p, e);
}

static int pg_session_delete_user(struct store *base, int64_t user_id, struct err *e)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = $1";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_int(&p, user_id);
	return delete_by(db(base), sql, &p, e);
}

/* ---------------------------------------------------------------- tokens */

static int pg_token_create(struct store *base, int64_t user_id, const char *name, const char *hash,
			   const char *prefix, const char *now, int64_t *id_out, struct err *e)
{
	static const char sql[] =
		"INSERT INTO api_tokens(user_id, name, hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) "
		"RETURNING id";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, user_id);
	pg_param_text(&p, name);
	pg_param_text(&p, hash);
	pg_param_text(&p, prefix);
	pg_param_text(&p, now);
	int rc = pg_exec_guarded(db(base), sql, true, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		*id_out = pg_int(res);
	return rc;
}

static int pg_token_find(struct store *base, const char *hash, int64_t *user_id, int64_t *token_id,
			 struct err *e)
{
	static const char sql[] =
		"SELECT t.user_id, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id "
		"WHERE t.hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_text(&p, hash);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (rc)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return err_set(e, AIMS_ENOTFOUND, "no such token");
	}
	*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*token_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return 0;
}

static int pg_token_list(struct store *base, int64_t user_id, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT id, name, prefix, created_at, revoked_at FROM api_tokens WHERE user_id = $1 "
		"ORDER BY id DESC";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, user_id);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		pg_all(res, out);
	return rc;
}

static int pg_token_revoke(struct store *base, int64_t user_id, int64_t token_id, const char *now,
			   struct err *e)
{
	static const char sql[] =
		"UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, token_id);
	pg_param_int(&p, user_id);
	pg_param_text(&p, now);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc && pg_affected(res) == 0)
		return err_set(e, AIMS_ENOTFOUND, "no such live token");
	return rc;
}

/* ---------------------------------------------------------------- changes */

static int pg_change_add(struct store *base, const char *at, int64_t actor_user_id,
			 const char *object_type, int64_t object_id, const char *field,
			 const char *old_value, const char *new_value, struct err *e)
{
	static const char sql[] =
		"INSERT INTO changes(at, actor_user_id, object_type, object_id, field, old_value, new_value) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7)";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_text(&p, at);
	if (actor_user_id > 0)
		pg_param_int(&p, actor_user_id);
	else
		pg_param_text(&p, NULL);
	pg_param_text(&p, object_type);
	pg_param_int(&p, object_id);
	pg_param_text(&p, field);
	pg_param_text(&p, old_value);
	pg_param_text(&p, new_value);
	int rc = pg_exec(db(base), sql, &p, NULL, e);
	pg_params_release(&p);
	return rc;
}

#define CHANGE_COLUMNS                                                                  \
	"c.id, c.at, c.actor_user_id, coalesce(u.email, 'operator') AS actor_email, " \
	"c.object_type, c.object_id, c.field, c.old_value, c.new_value"

static int pg_change_list(struct store *base, const char *object_type, int64_t object_id, int limit,
			  json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT " CHANGE_COLUMNS " FROM changes c LEFT JOIN users u ON u.id = c.actor_user_id "
		"WHERE c.object_type = $1 AND c.object_id = $2 ORDER BY c.id DESC LIMIT $3";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_text(&p, object_type);
	pg_param_int(&p, object_id);
	pg_param_int(&p, limit);
	int rc = pg_exec(db(base), sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		pg_all(res, out);
	return rc;
}

static int pg_change_recent(struct store *base, const struct store_scope *scope, int limit,
			    json_t **out, struct err *e)
{
	static const char sql_newest[] = "SELECT coalesce(max(id), 0) FROM changes";
	struct pg_db *s = db(base);
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	/* The newest id first, as a value: with "id > (SELECT max(id) - 200 ...)" inside
	 * the query the planner cannot know the range is small and scans all history. */
	int rc = pg_exec(s, sql_newest, NULL, &res, e);
	if (rc)
		return rc;
	int64_t newest = pg_int(res);
	/* One row per mutation: the rows one use case wrote share object, time and actor. */
	rc = buf_addf(&sql,
		      "SELECT max(c.id) AS id, c.at, c.actor_user_id, coalesce(u.email, 'operator') AS actor_email, "
		      "c.object_id, string_agg(c.field, ',' ORDER BY c.id) AS fields, sy.name AS system_name "
		      "FROM changes c LEFT JOIN users u ON u.id = c.actor_user_id "
		      "JOIN systems sy ON sy.id = c.object_id JOIN orgs o ON o.id = sy.org_id "
		      "WHERE c.object_type = 'system' AND c.id > $%d",
		      pg_param_int(&p, newest - 200));
	if (!rc)
		rc = pg_scope_clause(&sql, &p, scope, "o.path");
	if (!rc)
		rc = buf_addf(&sql, " GROUP BY c.object_id, c.at, c.actor_user_id, u.email, sy.name "
				    "ORDER BY max(c.id) DESC LIMIT $%d", pg_param_int(&p, limit));
	if (rc)
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
	else if (!(rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		pg_all(res, out);
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

static int pg_auth_epoch(struct store *base, int64_t *epoch, struct err *e)
{
	static const char sql[] = "SELECT n FROM auth_epoch WHERE id = 1";
	PGresult *res = NULL;
	int rc = pg_exec(db(base), sql, NULL, &res, e);
	if (!rc)
		*epoch = pg_int(res);
	return rc;
}

/* ---------------------------------------------------------------- sign-in log */

static int pg_auth_event_add(struct store *base, const char *at, const char *kind, const char *email,
			     int64_t user_id, const char *address, const char *detail, struct err *e)
{
	static const char sql[] =
		"INSERT INTO auth_events(at, kind, email, user_id, address, detail) VALUES ($1, $2, $3, $4, $5, $6)";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_text(&p, at);
	pg_param_text(&p, kind);
	pg_param_text(&p, email);
	if (user_id > 0)
		pg_param_int(&p, user_id);
	else
		pg_param_text(&p, NULL);
	pg_param_text(&p, address);
	pg_param_text(&p, detail);
	int rc = pg_exec(db(base), sql, &p, NULL, e);
	pg_params_release(&p);
	return rc;
}

static int count_failures(struct pg_db *s, const char *sql, const char *key, const char *since,
			  int64_t *out, struct err *e)
{
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_text(&p, key);
	pg_param_text(&p, since);
	int rc = pg_exec(s, sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		*out = pg_int(res);
	return rc;
}

static int pg_auth_failures(struct store *base, const char *email, const char *address,
			    const char *since, int64_t *by_email, int64_t *by_address, struct err *e)
{
	static const char sql_email[] =
		"SELECT count(*) FROM auth_events WHERE email = $1 AND at >= $2 AND kind = 'login_failed'";
	static const char sql_address[] =
		"SELECT count(*) FROM auth_events WHERE address = $1 AND at >= $2 AND kind = 'login_failed'";
	int rc = count_failures(db(base), sql_email, email, since, by_email, e);
	return rc ? rc : count_failures(db(base), sql_address, address, since, by_address, e);
}

static const struct store_ops pg_ops = {
	.close = pg_close,
	.backend = pg_backend,
	.tx_begin = pg_tx_begin,
	.tx_commit = pg_tx_commit,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.tx_rollback = pg_tx_rollback,
	.org_create = pg_org_create,
	.org_get = pg_org_get,
	.org_update = pg_org_update,
	.org_list = pg_org_list,
	.user_create = pg_user_create,
	.user_get = pg_user_get,
	.user_find_email = pg_user_find_email,
	.user_update = pg_user_update,
	.user_list = pg_user_list,
	.user_count = pg_user_count,
	.membership_set = pg_membership_set,
	.membership_delete = pg_membership_delete,
	.membership_list = pg_membership_list,
	.session_create = pg_session_create,
	.session_find = pg_session_find,
	.session_delete = pg_session_delete,
	.session_delete_user = pg_session_delete_user,
	.token_create = pg_token_create,
	.token_find = pg_token_find,
	.token_list = pg_token_list,
	.token_revoke = pg_token_revoke,
	.system_create = pg_system_create,
	.system_get = pg_system_get,
	.system_update = pg_system_update,
	.system_list = pg_system_list,
	.system_count_by = pg_system_count_by,
	.soa_list = pg_soa_list,
	.soa_get = pg_soa_get,
	.soa_create = pg_soa_create,
	.soa_update = pg_soa_update,
	.framework_list = pg_framework_list,
	.framework_set = pg_framework_set,
	.assessment_list = pg_assessment_list,
	.assessment_get = pg_assessment_get,
	.assessment_create = pg_assessment_create,
	.assessment_update = pg_assessment_update,
	.soa_list_stale = pg_soa_list_stale,
	.assessment_list_stale = pg_assessment_list_stale,
	.evidence_list = pg_evidence_list,
	.evidence_get = pg_evidence_get,
	.evidence_create = pg_evidence_create,
	.evidence_update = pg_evidence_update,
	.evidence_links = pg_evidence_links,
	.evidence_link_add = pg_evidence_link_add,
	.evidence_link_delete = pg_evidence_link_delete,
	.evidence_on_requirements = pg_evidence_on_requirements,
	.evidence_digests = pg_evidence_digests,
	.risk_list = pg_risk_list,
	.risk_matrix = pg_risk_matrix,
	.risk_get = pg_risk_get,
	.risk_create = pg_risk_create,
	.risk_update = pg_risk_update,
	.risk_evidence_list = pg_risk_evidence_list,
	.risk_evidence_add = pg_risk_evidence_add,
	.risk_evidence_delete = pg_risk_evidence_delete,
	.evidence_risks = pg_evidence_risks,
	.change_add = pg_change_add,
	.change_list = pg_change_list,
	.change_recent = pg_change_recent,
	.auth_epoch = pg_auth_epoch,
	.auth_event_add = pg_auth_event_add,
	.auth_failures = pg_auth_failures,
	.table_each = pg_table_each,
	.table_insert = pg_table_insert,
	.table_finish = pg_table_finish,
	.table_count = pg_table_count,
	.backup = pg_backup,
};
