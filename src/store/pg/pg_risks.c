/*
 * pg_risks.c: the risk register and the evidence addressing each risk, in the
 * PostgreSQL backend. Same contract and query shapes as sqlite_risks.c; the
 * conformance tests in tests/unit/test_store.c hold both.
 *
 * Column names in built SQL come from the whitelists and fixed fragments below; every
 * value is a $n parameter. The sort column comes from a fixed table.
 */
#include "store/pg/pg_util.h"

#include <stdlib.h>
#include <string.h>

static const char *const risk_update_columns[] = {
	"org_id", "system_id", "title", "description", "source", "objectives", "consequences", "likelihood",
	"impact", "score", "treatment", "treatment_plan", "residual_likelihood", "residual_impact",
	"residual_score", "owner_user_id", "review_date", "status", NULL,
};
static const char *const risk_create_columns[] = {
	"org_id", "created_by", "system_id", "title", "description", "source", "objectives",
	"consequences", "likelihood", "impact", "score", "treatment", "treatment_plan",
	"residual_likelihood", "residual_impact", "residual_score", "owner_user_id", "review_date",
	"status", NULL,
};

/* A risk's columns up to evidence_count, and those after it with the tables. */
#define RISK_COLUMNS                                                                                \
	"SELECT r.id, r.org_id, o.name AS org_name, o.path AS org_path, r.system_id, "              \
	"s.name AS system_name, r.title, r.description, r.source, r.objectives, r.consequences, "   \
	"r.likelihood, r.impact, r.score, r.treatment, r.treatment_plan, r.residual_likelihood, "   \
	"r.residual_impact, r.residual_score, r.owner_user_id, u.email AS owner_email, "            \
	"u.name AS owner_name, r.review_date, r.status, r.created_by, "
#define RISK_TABLES                                                                                 \
	"r.version, r.created_at, r.updated_at "                                                     \
	"FROM risks r JOIN orgs o ON o.id = r.org_id LEFT JOIN systems s ON s.id = r.system_id "    \
	"LEFT JOIN users u ON u.id = r.owner_user_id"
#define EVIDENCE_COUNT_ALL "(SELECT count(*) FROM risk_evidence re WHERE re.risk_id = r.id) AS evidence_count, "
/* One risk with every link counted: svc counts what its reader sees (svc_risk_get). */
#define RISK_SELECT RISK_COLUMNS EVIDENCE_COUNT_ALL RISK_TABLES
#define RISK_FROM "FROM risks r JOIN orgs o ON o.id = r.org_id"

/* The evidence_count column of a list: the links to evidence of an organisation in
 * scope (what the reader may see), every link when scope is NULL or all. */
static int add_evidence_count(struct buf *sql, struct pg_params *p, const struct store_scope *scope)
{
	if (!scope || scope->all)
		return buf_addstr(sql, EVIDENCE_COUNT_ALL);
	int rc = buf_addstr(sql, "(SELECT count(*) FROM risk_evidence re JOIN evidence ev ON ev.id = re.evidence_id "
				 "JOIN orgs eo ON eo.id = ev.org_id WHERE re.risk_id = r.id");
	if (!rc)
		rc = pg_scope_clause(sql, p, scope, "eo.path");
	if (!rc)
		rc = buf_addstr(sql, ") AS evidence_count, ");
	return rc;
}

/* The WHERE part shared by the list, the count and the matrix; numbers its parameters. */
static int add_filters(struct buf *sql, struct pg_params *p, const struct store_risk_query *q)
{
	int rc = 0;
	if (q->org_path)
		rc = buf_addf(sql, " AND o.path LIKE $%d || '%%'", pg_param_text(p, q->org_path));
	if (!rc && q->q && *q->q) {
		char *pattern = store_like_pattern(q->q);
		int n = pg_param_text(p, pattern);
		free(pattern);
		/* ILIKE: ASCII case ignored, as SQLite's LIKE does. */
		rc = buf_addf(sql, " AND (r.title ILIKE $%d OR r.description ILIKE $%d OR r.consequences ILIKE $%d)",
			      n, n, n);
	}
	if (!rc && q->system_id > 0)
		rc = buf_addf(sql, " AND r.system_id = $%d", pg_param_int(p, q->system_id));
	if (!rc && q->system_id < 0)
		rc = buf_addstr(sql, " AND r.system_id = 0");
	if (!rc && q->status)
		rc = buf_addf(sql, " AND r.status = $%d", pg_param_text(p, q->status));
	if (!rc && q->treatment)
		rc = buf_addf(sql, " AND r.treatment = $%d", pg_param_text(p, q->treatment));
	if (!rc && q->source)
		rc = buf_addf(sql, " AND r.source = $%d", pg_param_text(p, q->source));
	if (!rc && q->objective)
		rc = buf_addf(sql, " AND r.objectives::jsonb ? $%d", pg_param_text(p, q->objective));
	if (!rc && q->likelihood)
		rc = buf_addf(sql, " AND r.likelihood = $%d", pg_param_text(p, q->likelihood));
	if (!rc && q->impact)
		rc = buf_addf(sql, " AND r.impact = $%d", pg_param_text(p, q->impact));
	if (!rc && q->owner_user_id > 0)
		rc = buf_addf(sql, " AND r.owner_user_id = $%d", pg_param_int(p, q->owner_user_id));
	if (!rc && q->score_min > 0)
		rc = buf_addf(sql, " AND r.score >= $%d", pg_param_int(p, q->score_min));
	if (!rc && q->score_max > 0)
		rc = buf_addf(sql, " AND r.score <= $%d", pg_param_int(p, q->score_max));
	if (!rc && q->overdue_on)
		rc = buf_addf(sql, " AND r.status <> 'closed' AND r.review_date IS NOT NULL AND r.review_date < $%d",
			      pg_param_text(p, q->overdue_on));
	if (!rc && q->scope)
		rc = pg_scope_clause(sql, p, q->scope, "o.path");
	return rc;
}

/* ORDER BY for q->sort; risks without a review date sort last either way. */
static const char *order_clause(const struct store_risk_query *q)
{
	static const struct {
		const char *sort, *asc, *desc;
	} orders[] = {
		{ "score", " ORDER BY r.score, r.id", " ORDER BY r.score DESC, r.id DESC" },
		{ "review_date", " ORDER BY r.review_date IS NULL, r.review_date, r.id",
		  " ORDER BY r.review_date IS NULL, r.review_date DESC, r.id DESC" },
		{ "updated_at", " ORDER BY r.updated_at, r.id", " ORDER BY r.updated_at DESC, r.id DESC" },
		{ "title", " ORDER BY r.title, r.id", " ORDER BY r.title DESC, r.id DESC" },
		{ "id", " ORDER BY r.id", " ORDER BY r.id DESC" },
	};
	for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
		if (q->sort && !strcmp(q->sort, orders[i].sort))
			return q->descending ? orders[i].desc : orders[i].asc;
	return orders[0].desc;
}

/* Adds the filters of q, tail and the page to sql, whose head numbered its parameters
 * in p, and runs it into rows (or a count). The caller releases sql and p. */
static int run_built(struct pg_db *s, struct buf *sql, struct pg_params *p, const struct store_risk_query *q,
		     const char *tail, bool paged, json_t **rows, int64_t *count, struct err *e)
{
	PGresult *res = NULL;
	int rc = add_filters(sql, p, q);
	if (!rc && tail)
		rc = buf_addstr(sql, tail);
	if (!rc && paged && q->limit > 0)
		rc = buf_addf(sql, " LIMIT $%d", pg_param_int(p, q->limit));
	if (!rc && paged)
		rc = buf_addf(sql, " OFFSET $%d", pg_param_int(p, q->offset));
	if (rc)
		return err_set(e, AIMS_ETOOBIG, "query too long");
	if ((rc = pg_exec_dynamic(s, buf_str(sql), p, &res, e)))
		return rc;
	if (rows)
		pg_all(res, rows);
	else
		*count = pg_int(res);
	return 0;
}

/* Runs a query built from head (without parameters) + filters + tail into rows (or a count). */
static int run_filtered(struct pg_db *s, const char *head, const struct store_risk_query *q, const char *tail,
			bool paged, json_t **rows, int64_t *count, struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	int rc = buf_addstr(&sql, head) ? err_set(e, AIMS_ETOOBIG, "query too long")
					: run_built(s, &sql, &p, q, tail, paged, rows, count, e);
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

int pg_risk_list(struct store *base, const struct store_risk_query *q, json_t **items, int64_t *total,
		 struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	*items = NULL;
	int rc = buf_addstr(&sql, RISK_COLUMNS);
	if (!rc)
		rc = add_evidence_count(&sql, &p, q->evidence_scope);
	if (!rc)
		rc = buf_addstr(&sql, RISK_TABLES " WHERE true");
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	rc = run_built(s, &sql, &p, q, order_clause(q), true, items, NULL, e);
	if (!rc && total)
		rc = run_filtered(s, "SELECT count(*) " RISK_FROM " WHERE true", q, NULL, false, NULL, total, e);
out:
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

int pg_risk_matrix(struct store *base, const struct store_risk_query *q, bool residual, json_t **out,
		   struct err *e)
{
	const char *head = residual ? "SELECT r.residual_likelihood AS likelihood, r.residual_impact AS impact, "
				      "count(*) AS count " RISK_FROM " WHERE r.residual_likelihood IS NOT NULL"
				    : "SELECT r.likelihood, r.impact, count(*) AS count " RISK_FROM " WHERE true";
	const char *tail = residual ? " GROUP BY r.residual_likelihood, r.residual_impact ORDER BY 1, 2"
				    : " GROUP BY r.likelihood, r.impact ORDER BY 1, 2";
	return run_filtered((struct pg_db *)base, head, q, tail, false, out, NULL, e);
}

int pg_risk_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = RISK_SELECT " WHERE r.id = $1";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	int rc = pg_exec((struct pg_db *)base, sql, &p, &res, e);
	pg_params_release(&p);
	return rc ? rc : pg_one(res, out, "risk", e);
}

int pg_risk_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return pg_insert((struct pg_db *)base, "risks", risk_create_columns, fields, now, NULL, NULL, id_out, e);
}

int pg_risk_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now,
		   struct err *e)
{
	return pg_update((struct pg_db *)base, "risks", risk_update_columns, id, fields, true, expected_version,
			 now, e);
}

/* The rows of a static query whose one parameter is id. */
static int rows_of(struct pg_db *s, const char *sql, int64_t id, json_t **out, struct err *e)
{
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	int rc = pg_exec(s, sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		pg_all(res, out);
	return rc;
}

int pg_risk_evidence_list(struct store *base, int64_t risk_id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT re.evidence_id, e.org_id, e.title, e.kind, e.valid_until, re.created_at "
				  "FROM risk_evidence re JOIN evidence e ON e.id = re.evidence_id "
				  "WHERE re.risk_id = $1 ORDER BY re.evidence_id";
	return rows_of((struct pg_db *)base, sql, risk_id, out, e);
}

int pg_risk_evidence_add(struct store *base, int64_t risk_id, int64_t evidence_id, const char *now,
			 struct err *e)
{
	static const char sql[] = "INSERT INTO risk_evidence(risk_id, evidence_id, created_at) VALUES ($1, $2, $3)";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, risk_id);
	pg_param_int(&p, evidence_id);
	pg_param_text(&p, now);
	int rc = pg_exec_guarded((struct pg_db *)base, sql, true, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		pg_affected(res); /* frees the result */
	return pg_conflict_on(e, rc, "evidence_id", "this evidence is already linked to the risk");
}

int pg_risk_evidence_delete(struct store *base, int64_t risk_id, int64_t evidence_id, struct err *e)
{
	static const char sql[] = "DELETE FROM risk_evidence WHERE risk_id = $1 AND evidence_id = $2";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, risk_id);
	pg_param_int(&p, evidence_id);
	int rc = pg_exec((struct pg_db *)base, sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc && pg_affected(res) == 0)
		rc = err_set(e, AIMS_ENOTFOUND, "no such link");
	return rc;
}

int pg_evidence_risks(struct store *base, int64_t evidence_id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT re.risk_id, r.org_id, r.system_id, r.title, r.score, r.residual_score, "
				  "r.status FROM risk_evidence re JOIN risks r ON r.id = re.risk_id "
				  "WHERE re.evidence_id = $1 ORDER BY re.risk_id";
	return rows_of((struct pg_db *)base, sql, evidence_id, out, e);
}
