/*
 * pg_compliance.c: the Statement of Applicability, the frameworks chosen per AI
 * system and the requirement assessments, in the PostgreSQL backend. Same contract
 * and query shapes as sqlite_compliance.c; the conformance tests hold both to it.
 *
 * Column names in built SQL come from the whitelists below only; every value is a
 * $n parameter. Inserts may break a unique key, so they run guarded (savepoint).
 */
#include "store/pg/pg_util.h"

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

/* Runs a static query with an id and up to two text parameters; all rows or one. */
static int select_rows(struct pg_db *s, const char *sql, int64_t id, const char *t1, const char *t2,
		       const char *what, json_t **out, struct err *e)
{
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	if (t1)
		pg_param_text(&p, t1);
	if (t2)
		pg_param_text(&p, t2);
	int rc = pg_exec(s, sql, &p, &res, e);
	pg_params_release(&p);
	if (rc)
		return rc;
	if (what)
		return pg_one(res, out, what, e);
	pg_all(res, out);
	return 0;
}

int pg_soa_list(struct store *base, int64_t org_id, const char *catalog_id, json_t **out,
		struct err *e)
{
	static const char sql[] = SOA_SELECT " WHERE a.org_id = $1 AND a.catalog_id = $2 ORDER BY a.control_id";
	return select_rows((struct pg_db *)base, sql, org_id, catalog_id, NULL, NULL, out, e);
}

int pg_soa_get(struct store *base, int64_t org_id, const char *catalog_id, const char *control_id,
	       json_t **out, struct err *e)
{
	static const char sql[] = SOA_SELECT " WHERE a.org_id = $1 AND a.catalog_id = $2 AND a.control_id = $3";
	return select_rows((struct pg_db *)base, sql, org_id, catalog_id, control_id,
			   "Statement of Applicability entry", out, e);
}

int pg_soa_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		  struct err *e)
{
	return pg_insert((struct pg_db *)base, "soa_entries", soa_create_columns, fields, now,
			  "control_id", "this control already has an entry here", id_out, e);
}

int pg_soa_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		  const char *now, struct err *e)
{
	return pg_update((struct pg_db *)base, "soa_entries", soa_update_columns, id, fields, true,
			 expected_version, now, e);
}

int pg_framework_list(struct store *base, int64_t system_id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT catalog_id, created_at FROM system_frameworks "
				  "WHERE system_id = $1 ORDER BY catalog_id";
	return select_rows((struct pg_db *)base, sql, system_id, NULL, NULL, NULL, out, e);
}

int pg_framework_set(struct store *base, int64_t system_id, json_t *catalog_ids, const char *now,
		     struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	/* Frameworks that stay chosen keep their row (and created_at). */
	static const char sql_delete[] =
		"DELETE FROM system_frameworks WHERE system_id = $1 AND "
		"catalog_id NOT IN (SELECT jsonb_array_elements_text($2::jsonb))";
	static const char sql_insert[] =
		"INSERT INTO system_frameworks(system_id, catalog_id, created_at) "
		"SELECT DISTINCT $1::bigint, v, $3 FROM jsonb_array_elements_text($2::jsonb) AS v "
		"ON CONFLICT (system_id, catalog_id) DO NOTHING";
	struct pg_params p = PG_PARAMS_INIT;
	pg_param_int(&p, system_id);
	pg_param_json(&p, catalog_ids);
	int rc = pg_exec_guarded(s, sql_delete, true, &p, NULL, e);
	pg_param_text(&p, now);
	if (!rc)
		rc = pg_exec_guarded(s, sql_insert, true, &p, NULL, e);
	pg_params_release(&p);
	return rc;
}

int pg_assessment_list(struct store *base, int64_t system_id, const char *catalog_id, json_t **out,
		       struct err *e)
{
	static const char sql[] = ASSESSMENT_SELECT " WHERE a.system_id = $1 AND a.catalog_id = $2 "
						    "ORDER BY a.requirement_id";
	return select_rows((struct pg_db *)base, sql, system_id, catalog_id, NULL, NULL, out, e);
}

int pg_assessment_get(struct store *base, int64_t system_id, const char *catalog_id,
		      const char *requirement_id, json_t **out, struct err *e)
{
	static const char sql[] = ASSESSMENT_SELECT " WHERE a.system_id = $1 AND a.catalog_id = $2 "
						    "AND a.requirement_id = $3";
	return select_rows((struct pg_db *)base, sql, system_id, catalog_id, requirement_id,
			   "assessment", out, e);
}

int pg_assessment_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
			 struct err *e)
{
	return pg_insert((struct pg_db *)base, "assessments", assessment_create_columns, fields, now,
			  "requirement", "this requirement already has an assessment here", id_out, e);
}

int pg_assessment_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
			 const char *now, struct err *e)
{
	return pg_update((struct pg_db *)base, "assessments", assessment_update_columns, id, fields,
			 true, expected_version, now, e);
}

/* ---- rows left behind by a catalog upgrade ---- */

#define STALE_WHERE " WHERE a.catalog_id = $1 AND (a.catalog_version <> $2 OR a.review_from IS NOT NULL)"

/* Runs a stale-rows query: head (up to WHERE), the scope on o.path, then tail. */
static int stale_rows(struct pg_db *s, const char *head, const char *tail, const struct store_scope *scope,
		      const char *catalog_id, const char *version, json_t **out, struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_text(&p, catalog_id);
	pg_param_text(&p, version);
	int rc = buf_addstr(&sql, head);
	if (!rc)
		rc = pg_scope_clause(&sql, &p, scope, "o.path");
	if (!rc)
		rc = buf_addstr(&sql, tail);
	if (rc)
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
	else if (!(rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		pg_all(res, out);
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

int pg_soa_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id,
		      const char *version, json_t **out, struct err *e)
{
	static const char head[] =
		"SELECT a.id, a.org_id, o.name AS org_name, o.path AS org_path, a.catalog_id, a.catalog_version, "
		"a.control_id, a.applicable, a.justification, a.status, a.review_from, a.version, a.updated_at "
		"FROM soa_entries a JOIN orgs o ON o.id = a.org_id" STALE_WHERE;
	return stale_rows((struct pg_db *)base, head, " ORDER BY o.path, a.control_id", scope, catalog_id, version,
			  out, e);
}

int pg_assessment_list_stale(struct store *base, const struct store_scope *scope, const char *catalog_id,
			     const char *version, json_t **out, struct err *e)
{
	static const char head[] =
		"SELECT a.id, a.system_id, sy.name AS system_name, sy.status AS system_status, "
		"sy.owner_user_id AS system_owner_user_id, o.id AS org_id, o.name AS org_name, o.path AS org_path, "
		"a.catalog_id, a.catalog_version, a.requirement_id, a.status, a.note, a.review_from, a.version, "
		"a.updated_at FROM assessments a JOIN systems sy ON sy.id = a.system_id JOIN orgs o ON o.id = sy.org_id"
		STALE_WHERE;
	return stale_rows((struct pg_db *)base, head, " ORDER BY o.path, sy.id, a.requirement_id", scope,
			  catalog_id, version, out, e);
}
