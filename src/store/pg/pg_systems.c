/*
 * pg_systems.c: AI systems in the PostgreSQL backend: create, get, update and the
 * filtered, keyset-paginated list behind the inventory pages. Same contract and the
 * same query shapes as sqlite_systems.c; the conformance tests hold both to it.
 *
 * Keyset pagination: rows are ordered by (sort column, id) and a cursor carries the
 * last row's pair, so page N costs the same as page 1 at any table size.
 */
#include "store/pg/pg_util.h"

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

int pg_system_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		     struct err *e)
{
	return pg_insert((struct pg_db *)base, "systems", system_columns, fields, now, "name",
			 "an AI system with this name already exists in this organisation", id_out, e);
}

int pg_system_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = SYSTEM_SELECT " WHERE s.id = $1";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	int rc = pg_exec((struct pg_db *)base, sql, &p, &res, e);
	pg_params_release(&p);
	return rc ? rc : pg_one(res, out, "AI system", e);
}

int pg_system_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		     const char *now, struct err *e)
{
	return pg_update((struct pg_db *)base, "systems", system_columns, id, fields, true,
			 expected_version, now, e);
}

/* Life-cycle order is ISO/IEC 22989's, not the codes' alphabetical order. */
#define STAGE_RANK                                                                              \
	"(CASE s.lifecycle_stage WHEN 'inception' THEN 0 WHEN 'design_development' THEN 1 "     \
	"WHEN 'verification_validation' THEN 2 WHEN 'deployment' THEN 3 "                       \
	"WHEN 'operation_monitoring' THEN 4 WHEN 'continuous_validation' THEN 5 "               \
	"WHEN 'reevaluation' THEN 6 ELSE 7 END)"

static const char *sort_column(const char *sort, const char **cast)
{
	*cast = "::bigint";
	if (sort && strcmp(sort, "lifecycle_stage") == 0)
		return STAGE_RANK;
	if (sort && strcmp(sort, "name") == 0) {
		*cast = "::text";
		return "s.name";
	}
	if (sort && strcmp(sort, "updated_at") == 0) {
		*cast = "::text";
		return "s.updated_at";
	}
	return "s.id";
}

/* Filters shared by the page query and the count query; numbers their own parameters. */
static int add_filters(struct buf *sql, struct pg_params *p, const struct store_system_query *q)
{
	int rc = 0;
	if (q->q && *q->q) {
		/* ILIKE: ASCII case ignored, as SQLite's LIKE does (Hangul has no case). */
		char *pattern = store_like_pattern(q->q);
		int n = pg_param_text(p, pattern);
		free(pattern);
		rc = buf_addf(sql, " AND (s.name ILIKE $%d OR s.purpose ILIKE $%d OR s.vendor ILIKE $%d)", n, n, n);
	}
	if (!rc && q->lifecycle_stage)
		rc = buf_addf(sql, " AND s.lifecycle_stage = $%d", pg_param_text(p, q->lifecycle_stage));
	if (!rc && q->org_role)
		rc = buf_addf(sql, " AND s.org_role = $%d", pg_param_text(p, q->org_role));
	if (!rc && q->status)
		rc = buf_addf(sql, " AND s.status = $%d", pg_param_text(p, q->status));
	if (!rc && q->owner_user_id > 0)
		rc = buf_addf(sql, " AND s.owner_user_id = $%d", pg_param_int(p, q->owner_user_id));
	if (!rc && q->org_path)
		rc = buf_addf(sql, " AND s.org_id IN (SELECT id FROM orgs WHERE path LIKE $%d || '%%')",
			      pg_param_text(p, q->org_path));
	if (!rc && !q->scope.all) {
		rc = buf_addstr(sql, " AND s.org_id IN (SELECT o2.id FROM orgs o2 WHERE true");
		if (!rc)
			rc = pg_scope_clause(sql, p, &q->scope, "o2.path");
		if (!rc)
			rc = buf_addch(sql, ')');
	}
	return rc;
}

/* The total: from the trigger-kept counts when only organisation, status and stage
 * filter, else by counting. */
static int count_total(struct pg_db *s, const struct store_system_query *q, int64_t *total,
		       struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	int rc;
	if (!q->q && !q->org_role && q->owner_user_id <= 0) {
		rc = buf_addstr(&sql, "SELECT coalesce(sum(c.n), 0)::bigint FROM system_counts c "
				      "JOIN orgs o ON o.id = c.org_id WHERE true");
		if (!rc && q->status)
			rc = buf_addf(&sql, " AND c.status = $%d", pg_param_text(&p, q->status));
		if (!rc && q->lifecycle_stage)
			rc = buf_addf(&sql, " AND c.lifecycle_stage = $%d", pg_param_text(&p, q->lifecycle_stage));
		if (!rc && q->org_path)
			rc = buf_addf(&sql, " AND o.path LIKE $%d || '%%'", pg_param_text(&p, q->org_path));
		if (!rc)
			rc = pg_scope_clause(&sql, &p, &q->scope, "o.path");
	} else {
		rc = buf_addstr(&sql, "SELECT count(*) FROM systems s WHERE true");
		if (!rc)
			rc = add_filters(&sql, &p, q);
	}
	if (rc)
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
	else if (!(rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		*total = pg_int(res);
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

int pg_system_list(struct store *base, const struct store_system_query *q, json_t **items,
		   int64_t *total, struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	const char *cast;
	const char *col = sort_column(q->sort, &cast);
	const char *dir = q->descending ? "DESC" : "ASC";
	int rc = buf_addstr(&sql, SYSTEM_SELECT " WHERE true");
	*items = NULL;
	if (!rc)
		rc = add_filters(&sql, &p, q);
	if (!rc && q->after) {
		int value = pg_param_json(&p, json_array_get(q->after, 0));
		int id = pg_param_json(&p, json_array_get(q->after, 1));
		rc = buf_addf(&sql, " AND (%s, s.id) %s ($%d%s, $%d::bigint)", col, q->descending ? "<" : ">",
			      value, cast, id);
	}
	if (!rc)
		rc = buf_addf(&sql, " ORDER BY %s %s, s.id %s LIMIT $%d", col, dir, dir, pg_param_int(&p, q->limit));
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	if ((rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		goto out;
	pg_all(res, items);
	if (total)
		rc = count_total(s, q, total, e);
out:
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

int pg_system_count_by(struct store *base, const struct store_scope *scope, const char *column,
		       json_t **out, struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	bool by_org = strcmp(column, "org") == 0;
	int rc;
	*out = NULL;
	if (by_org)
		rc = buf_addstr(&sql, "SELECT o.id AS org_id, o.name AS org_name, o.path AS org_path, "
				      "sum(c.n)::bigint AS count FROM system_counts c JOIN orgs o ON o.id = c.org_id "
				      "WHERE c.status = 'active'");
	else
		rc = buf_addstr(&sql, "SELECT c.lifecycle_stage AS lifecycle_stage, sum(c.n)::bigint AS count "
				      "FROM system_counts c JOIN orgs o ON o.id = c.org_id WHERE c.status = 'active'");
	if (!rc)
		rc = pg_scope_clause(&sql, &p, scope, "o.path");
	if (!rc)
		rc = buf_addstr(&sql, by_org ? " GROUP BY o.id HAVING sum(c.n) > 0 ORDER BY count DESC, o.path"
					     : " GROUP BY c.lifecycle_stage HAVING sum(c.n) > 0");
	if (rc)
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
	else if (!(rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		pg_all(res, out);
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}
