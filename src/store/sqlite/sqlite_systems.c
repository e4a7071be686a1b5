/*
 * sqlite_systems.c: AI systems in the SQLite backend: create, get, update and the
 * filtered, keyset-paginated list behind the inventory pages.
 *
 * Keyset pagination: rows are ordered by (sort column, id) and a cursor carries the
 * last row's pair, so page N costs the same as page 1 at any table size.
 */
#include "store/sqlite/sqlite_util.h"

#include <stdlib.h>
#include <string.h>

static const char *const system_columns[] = {
	"org_id", "owner_user_id", "name", "purpose", "lifecycle_stage", "description", "org_role",
	"techniques", "data_sources", "affected_people", "decision_role", "human_oversight",
	"vendor", "status", NULL,
};

#define SYSTEM_SELECT                                                                        \
	"SELECT s.id, s.name, s.purpose, s.lifecycle_stage, s.description, s.org_id, "       \
	"o.name AS org_name, o.path AS org_path, s.owner_user_id, u.email AS owner_email, "  \
	"u.name AS owner_name, s.org_role, s.techniques, s.data_sources, s.affected_people, " \
	"s.decision_role, s.human_oversight, s.vendor, s.status, s.version, s.created_at, "  \
	"s.updated_at FROM systems s JOIN orgs o ON o.id = s.org_id "                        \
	"JOIN users u ON u.id = s.owner_user_id"

int sq_system_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		     struct err *e)
{
	return sq_insert((struct sq_db *)base, "systems", system_columns, fields, now, "name",
			 "an AI system with this name already exists in this organisation", id_out, e);
}

int sq_system_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = SYSTEM_SELECT " WHERE s.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "AI system", e);
}

int sq_system_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
			const char *now, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	return sq_update(s, "systems", system_columns, id, fields, true, expected_version, now, e);
}

/* Life-cycle order is ISO/IEC 22989's, not the codes' alphabetical order. */
#define STAGE_RANK                                                                              \
	"(CASE s.lifecycle_stage WHEN 'inception' THEN 0 WHEN 'design_development' THEN 1 "     \
	"WHEN 'verification_validation' THEN 2 WHEN 'deployment' THEN 3 "                       \
	"WHEN 'operation_monitoring' THEN 4 WHEN 'continuous_validation' THEN 5 "               \
	"WHEN 'reevaluation' THEN 6 ELSE 7 END)"

static const char *sort_column(const char *sort)
{
	if (sort && strcmp(sort, "lifecycle_stage") == 0)
		return STAGE_RANK;
	if (sort && strcmp(sort, "name") == 0)
		return "s.name";
	if (sort && strcmp(sort, "updated_at") == 0)
		return "s.updated_at";
	return "s.id";
}

/* Filters shared by the page query and the count query; binds come in a fixed order. */
static int add_filters(struct buf *sql, const struct store_system_query *q)
{
	int rc = 0;
	/* LIKE ignores ASCII case (Hangul has none); the pattern escapes % _ and \. */
	if (!rc && q->q && *q->q)
		rc = buf_addstr(sql, " AND (s.name LIKE :q ESCAPE '\\' OR s.purpose LIKE :q ESCAPE '\\' "
				     "OR s.vendor LIKE :q ESCAPE '\\')");
	if (!rc && q->lifecycle_stage)
		rc = buf_addstr(sql, " AND s.lifecycle_stage = :stage");
	if (!rc && q->org_role)
		rc = buf_addstr(sql, " AND s.org_role = :org_role");
	/* "+" keeps the planner off the status index: walking the sort order and testing
	 * status is fast, while using the index sorts every active row for one page. */
	if (!rc && q->status)
		rc = buf_addstr(sql, " AND +s.status = :status");
	if (!rc && q->owner_user_id > 0)
		rc = buf_addstr(sql, " AND s.owner_user_id = :owner");
	if (!rc && q->org_path)
		rc = buf_addstr(sql, " AND s.org_id IN (SELECT id FROM orgs WHERE path LIKE :org_path || '%')");
	if (!rc && !q->scope.all) {
		rc = buf_addstr(sql, " AND s.org_id IN (SELECT o2.id FROM orgs o2 WHERE 1");
		if (!rc)
			rc = sq_scope_clause(sql, &q->scope, "o2.path", 100);
		if (!rc)
			rc = buf_addch(sql, ')');
	}
	return rc;
}

static void bind_named_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_STATIC);
}

static void bind_filters(sqlite3_stmt *st, const struct store_system_query *q)
{
	int qi = sqlite3_bind_parameter_index(st, ":q");
	if (qi > 0) {
		char *pattern = store_like_pattern(q->q);
		sqlite3_bind_text(st, qi, pattern, -1, SQLITE_TRANSIENT);
		free(pattern);
	}
	bind_named_text(st, ":stage", q->lifecycle_stage);
	bind_named_text(st, ":org_role", q->org_role);
	bind_named_text(st, ":status", q->status);
	bind_named_text(st, ":org_path", q->org_path);
	int i = sqlite3_bind_parameter_index(st, ":owner");
	if (i > 0)
		sqlite3_bind_int64(st, i, q->owner_user_id);
	sq_bind_scope(st, &q->scope, 100);
}

int sq_system_list(struct store *base, const struct store_system_query *q, json_t **items,
		      int64_t *total, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf sql = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	const char *col = sort_column(q->sort);
	const char *dir = q->descending ? "DESC" : "ASC";
	int rc = buf_addstr(&sql, SYSTEM_SELECT " WHERE 1");
	*items = NULL;
	if (!rc)
		rc = add_filters(&sql, q);
	if (!rc && q->after)
		rc = buf_addf(&sql, " AND (%s, s.id) %s (:after_value, :after_id)", col,
			      q->descending ? "<" : ">");
	if (!rc)
		rc = buf_addf(&sql, " ORDER BY %s %s, s.id %s LIMIT :limit", col, dir, dir);
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	st = sq_prepare(s, buf_str(&sql), e);
	if (!st) {
		rc = AIMS_ESTORE;
		goto out;
	}
	bind_filters(st, q);
	if (q->after) {
		sq_bind_json(st, sqlite3_bind_parameter_index(st, ":after_value"), json_array_get(q->after, 0));
		sq_bind_json(st, sqlite3_bind_parameter_index(st, ":after_id"), json_array_get(q->after, 1));
	}
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"), q->limit);
	rc = sq_all(s, st, items, e);
	sqlite3_finalize(st);
	st = NULL;
	if (rc || !total)
		goto out;
	buf_reset(&sql);
	if (!q->q && !q->org_role && q->owner_user_id <= 0) {
		/* Only organisation, status and stage filters: the trigger-kept counts answer. */
		rc = buf_addstr(&sql, "SELECT coalesce(sum(c.n), 0) FROM system_counts c JOIN orgs o ON o.id = c.org_id WHERE 1");
		if (!rc && q->status)
			rc = buf_addstr(&sql, " AND c.status = :status");
		if (!rc && q->lifecycle_stage)
			rc = buf_addstr(&sql, " AND c.lifecycle_stage = :stage");
		if (!rc && q->org_path)
			rc = buf_addstr(&sql, " AND o.path LIKE :org_path || '%'");
		if (!rc)
			rc = sq_scope_clause(&sql, &q->scope, "o.path", 100);
	} else if (buf_addstr(&sql, "SELECT count(*) FROM systems s WHERE 1") || add_filters(&sql, q)) {
		rc = AIMS_ETOOBIG;
	}
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	st = sq_prepare(s, buf_str(&sql), e);
	if (!st) {
		rc = AIMS_ESTORE;
		goto out;
	}
	bind_filters(st, q);
	rc = sq_int(s, st, total, e);
out:
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

int sq_system_count_by(struct store *base, const struct store_scope *scope, const char *column,
			  json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf sql = BUF_INIT(4096);
	int rc;
	bool by_org = strcmp(column, "org") == 0;
	if (by_org)
		rc = buf_addstr(&sql, "SELECT o.id AS org_id, o.name AS org_name, o.path AS org_path, "
				      "sum(c.n) AS count FROM system_counts c JOIN orgs o ON o.id = c.org_id "
				      "WHERE c.status = 'active'");
	else
		rc = buf_addstr(&sql, "SELECT c.lifecycle_stage AS lifecycle_stage, sum(c.n) AS count "
				      "FROM system_counts c JOIN orgs o ON o.id = c.org_id WHERE c.status = 'active'");
	if (!rc)
		rc = sq_scope_clause(&sql, scope, "o.path", 1);
	if (!rc)
		rc = buf_addstr(&sql, by_org ? " GROUP BY o.id HAVING sum(c.n) > 0 ORDER BY count DESC, o.path"
					     : " GROUP BY c.lifecycle_stage HAVING sum(c.n) > 0");
	if (rc) {
		buf_release(&sql);
		return err_set(e, AIMS_ETOOBIG, "query too long");
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
