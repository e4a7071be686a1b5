/*
 * sqlite_compliance.c: the Statement of Applicability, the frameworks chosen per AI
 * system and the requirement assessments, in the SQLite backend.
 *
 * Column names in built SQL come from the whitelists below only; values are bound.
 * Returned rows are new JSON objects owned by the caller.
 */
#include "store/sqlite/sqlite_util.h"

#include <string.h>

static const char *const soa_create_columns[] = {
	"org_id", "catalog_id", "catalog_version", "control_id", "applicable", "justification",
	"status", "owner_user_id", "due_date", NULL,
};
static const char *const soa_update_columns[] = {
	"catalog_version", "applicable", "justification", "status", "owner_user_id", "due_date",
	"review_from", NULL,
};
static const char *const assessment_create_columns[] = {
	"system_id", "catalog_id", "catalog_version", "requirement_id", "status", "note",
	"assessor_user_id", "assessed_on", NULL,
};
static const char *const assessment_update_columns[] = {
	"catalog_version", "status", "note", "assessor_user_id", "assessed_on", "review_from", NULL,
};

#define SOA_SELECT                                                                             \
	"SELECT a.id, a.org_id, a.catalog_id, a.catalog_version, a.control_id, a.applicable, " \
	"a.justification, a.status, a.owner_user_id, u.email AS owner_email, "                 \
	"u.name AS owner_name, a.due_date, a.version, a.created_at, a.updated_at, "            \
	"a.review_from "                                                                       \
	"FROM soa_entries a LEFT JOIN users u ON u.id = a.owner_user_id"

#define ASSESSMENT_SELECT                                                                     \
	"SELECT a.id, a.system_id, a.catalog_id, a.catalog_version, a.requirement_id, "       \
	"a.status, a.note, a.assessor_user_id, u.email AS assessor_email, "                   \
	"u.name AS assessor_name, a.assessed_on, a.version, a.created_at, a.updated_at, "     \
	"a.review_from "                                                                      \
	"FROM assessments a LEFT JOIN users u ON u.id = a.assessor_user_id"

int sq_soa_list(struct store *base, int64_t org_id, const char *catalog_id, json_t **out,
		struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = SOA_SELECT " WHERE a.org_id = ?1 AND a.catalog_id = ?2 ORDER BY a.control_id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, org_id);
	sqlite3_bind_text(st, 2, catalog_id, -1, SQLITE_STATIC);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

int sq_soa_get(struct store *base, int64_t org_id, const char *catalog_id, const char *control_id,
	       json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = SOA_SELECT " WHERE a.org_id = ?1 AND a.catalog_id = ?2 AND a.control_id = ?3";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, org_id);
	sqlite3_bind_text(st, 2, catalog_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, control_id, -1, SQLITE_STATIC);
	return sq_one(s, st, out, "Statement of Applicability entry", e);
}

int sq_soa_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		  struct err *e)
{
	return sq_insert((struct sq_db *)base, "soa_entries", soa_create_columns, fields, now,
			  "control_id", "this control already has an entry here", id_out, e);
}

int sq_soa_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		  const char *now, struct err *e)
{
	return sq_update((struct sq_db *)base, "soa_entries", soa_update_columns, id, fields, true,
			 expected_version, now, e);
}

int sq_framework_list(struct store *base, int64_t system_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT catalog_id, created_at FROM system_frameworks "
				  "WHERE system_id = ?1 ORDER BY catalog_id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, system_id);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

int sq_framework_set(struct store *base, int64_t system_id, json_t *catalog_ids, const char *now,
		     struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	/* Frameworks that stay chosen keep their row (and created_at). */
	static const char sql_delete[] = "DELETE FROM system_frameworks WHERE system_id = ?1 AND "
					 "catalog_id NOT IN (SELECT value FROM json_each(?2))";
	static const char sql_insert[] = "INSERT INTO system_frameworks(system_id, catalog_id, created_at) "
					 "SELECT ?1, value, ?3 FROM json_each(?2) WHERE true "
					 "ON CONFLICT (system_id, catalog_id) DO NOTHING";
	const char *const sqls[] = { sql_delete, sql_insert };
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++) {
		sqlite3_stmt *st = sq_stmt(s, sqls[i], e);
		if (!st)
			return AIMS_ESTORE;
		sqlite3_bind_int64(st, 1, system_id);
		sq_bind_json(st, 2, catalog_ids);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		rc = sq_step_done(s, st, NULL, NULL, e);
	}
	return rc;
}

int sq_assessment_list(struct store *base, int64_t system_id, const char *catalog_id, json_t **out,
		       struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = ASSESSMENT_SELECT " WHERE a.system_id = ?1 AND a.catalog_id = ?2 "
						    "ORDER BY a.requirement_id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, system_id);
	sqlite3_bind_text(st, 2, catalog_id, -1, SQLITE_STATIC);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

int sq_assessment_get(struct store *base, int64_t system_id, const char *catalog_id,
		      const char *requirement_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = ASSESSMENT_SELECT " WHERE a.system_id = ?1 AND a.catalog_id = ?2 "
						    "AND a.requirement_id = ?3";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, system_id);
	sqlite3_bind_text(st, 2, catalog_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, requirement_id, -1, SQLITE_STATIC);
	return sq_one(s, st, out, "assessment", e);
}

int sq_assessment_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
			 struct err *e)
{
	return sq_insert((struct sq_db *)base, "assessments", assessment_create_columns, fields, now,
			  "requirement", "this requirement already has an assessment here", id_out, e);
}

int sq_assessment_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
			 const char *now, struct err *e)
{
	return sq_update((struct sq_db *)base, "assessments", assessment_update_columns, id, fields,
			 true, expected_version, now, e);
}

/* ---- rows left behind by a catalog upgrade ---- */

#define STALE_WHERE " WHERE a.catalog_id = ?1 AND (a.catalog_version <> ?2 OR a.review_from IS NOT NULL)"

/* Runs a stale-rows query: head (up to WHERE), the scope on o.path, then tail. */
static int stale_rows(struct sq_db *s, const char *head, const char *tail, const struct store_scope *scope,
		      const char *catalog_id, const char *version, json_t **out, struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	int rc = buf_addstr(&sql, head);
	*out = NULL;
	if (!rc)
		rc = sq_scope_clause(&sql, scope, "o.path", 3);
	if (!rc)
		rc = buf_addstr(&sql, tail);
	if (rc) {
		buf_release(&sql);
		return err_set(e, AIMS_ETOOBIG, "query too long");
	}
	st = sq_prepare(s, buf_str(&sql), e);
	buf_release(&sql);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_text(st, 1, catalog_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	sq_bind_scope(st, scope, 3);
	rc = sq_all(s, st, out, e);
	sqlite3_finalize(st);
	return rc;
}

int sq_soa_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id,
		      const char *version, json_t **out, struct err *e)
{
	static const char head[] =
		"SELECT a.id, a.org_id, o.name AS org_name, o.path AS org_path, a.catalog_id, a.catalog_version, "
		"a.control_id, a.applicable, a.justification, a.status, a.review_from, a.version, a.updated_at "
		"FROM soa_entries a JOIN orgs o ON o.id = a.org_id" STALE_WHERE;
	return stale_rows((struct sq_db *)base, head, " ORDER BY o.path, a.control_id", scope, catalog_id, version,
			  out, e);
}

int sq_assessment_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id,
			     const char *version, json_t **out, struct err *e)
{
	static const char head[] =
		"SELECT a.id, a.system_id, sy.name AS system_name, sy.status AS system_status, "
		"sy.owner_user_id AS system_owner_user_id, o.id AS org_id, o.name AS org_name, o.path AS org_path, "
		"a.catalog_id, a.catalog_version, a.requirement_id, a.status, a.note, a.review_from, a.version, "
		"a.updated_at FROM assessments a JOIN systems sy ON sy.id = a.system_id JOIN orgs o ON o.id = sy.org_id"
		STALE_WHERE;
	return stale_rows((struct sq_db *)base, head, " ORDER BY o.path, sy.id, a.requirement_id", scope,
			  catalog_id, version, out, e);
}
