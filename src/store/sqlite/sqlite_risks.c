/*
 * sqlite_risks.c: the risk register and the evidence addressing each risk, in the
 * SQLite backend.
 *
 * Column names in built SQL come from the whitelists and fixed fragments below; every
 * value is bound by name (":org_path", ...) or, for the scope's paths, as "?100" and up
 * (sq_scope_clause) and for the evidence scope of a list's evidence_count as "?200" and
 * up. Those come first in the list's SQL, so SQLite numbers the named parameters after
 * them. The sort column comes from a fixed table, never from the caller.
 * Returned rows are new JSON objects owned by the caller.
 */
#include "store/sqlite/sqlite_util.h"

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

/* The first parameter of the evidence scope; the risk scope's 64 paths at most end below it. */
#define EVIDENCE_SCOPE_PARAM 200

/* The evidence_count column of a list: the links to evidence of an organisation in
 * scope (what the reader may see), every link when scope is NULL or all. */
static int add_evidence_count(struct buf *sql, const struct store_scope *scope)
{
	if (!scope || scope->all)
		return buf_addstr(sql, EVIDENCE_COUNT_ALL);
	int rc = buf_addstr(sql, "(SELECT count(*) FROM risk_evidence re JOIN evidence ev ON ev.id = re.evidence_id "
				 "JOIN orgs eo ON eo.id = ev.org_id WHERE re.risk_id = r.id");
	if (!rc)
		rc = sq_scope_clause(sql, scope, "eo.path", EVIDENCE_SCOPE_PARAM);
	if (!rc)
		rc = buf_addstr(sql, ") AS evidence_count, ");
	return rc;
}

/* The WHERE part shared by the list, the count and the matrix. */
static int add_filters(struct buf *sql, const struct store_risk_query *q)
{
	int rc = 0;
	if (q->org_path)
		rc = buf_addstr(sql, " AND o.path LIKE :org_path || '%'");
	if (!rc && q->q && *q->q)
		rc = buf_addstr(sql, " AND (r.title LIKE :q ESCAPE '\\' OR r.description LIKE :q ESCAPE '\\' "
				     "OR r.consequences LIKE :q ESCAPE '\\')");
	if (!rc && q->system_id > 0)
		rc = buf_addstr(sql, " AND r.system_id = :system");
	if (!rc && q->system_id < 0)
		rc = buf_addstr(sql, " AND r.system_id = 0");
	if (!rc && q->status)
		rc = buf_addstr(sql, " AND r.status = :status");
	if (!rc && q->treatment)
		rc = buf_addstr(sql, " AND r.treatment = :treatment");
	if (!rc && q->source)
		rc = buf_addstr(sql, " AND r.source = :source");
	if (!rc && q->objective)
		rc = buf_addstr(sql, " AND EXISTS (SELECT 1 FROM json_each(r.objectives) j WHERE j.value = :objective)");
	if (!rc && q->likelihood)
		rc = buf_addstr(sql, " AND r.likelihood = :likelihood");
	if (!rc && q->impact)
		rc = buf_addstr(sql, " AND r.impact = :impact");
	if (!rc && q->owner_user_id > 0)
		rc = buf_addstr(sql, " AND r.owner_user_id = :owner");
	if (!rc && q->score_min > 0)
		rc = buf_addstr(sql, " AND r.score >= :score_min");
	if (!rc && q->score_max > 0)
		rc = buf_addstr(sql, " AND r.score <= :score_max");
	if (!rc && q->overdue_on)
		rc = buf_addstr(sql, " AND r.status <> 'closed' AND r.review_date IS NOT NULL "
				     "AND r.review_date < :overdue_on");
	if (!rc && q->scope)
		rc = sq_scope_clause(sql, q->scope, "o.path", 100);
	return rc;
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_STATIC);
}

static void bind_int(sqlite3_stmt *st, const char *name, int64_t value)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_int64(st, i, value);
}

static void bind_filters(sqlite3_stmt *st, const struct store_risk_query *q)
{
	int i;
	bind_text(st, ":org_path", q->org_path);
	if ((i = sqlite3_bind_parameter_index(st, ":q")) > 0) {
		char *pattern = store_like_pattern(q->q);
		sqlite3_bind_text(st, i, pattern, -1, SQLITE_TRANSIENT);
		free(pattern);
	}
	bind_int(st, ":system", q->system_id);
	bind_text(st, ":status", q->status);
	bind_text(st, ":treatment", q->treatment);
	bind_text(st, ":source", q->source);
	bind_text(st, ":objective", q->objective);
	bind_text(st, ":likelihood", q->likelihood);
	bind_text(st, ":impact", q->impact);
	bind_int(st, ":owner", q->owner_user_id);
	bind_int(st, ":score_min", q->score_min);
	bind_int(st, ":score_max", q->score_max);
	bind_text(st, ":overdue_on", q->overdue_on);
	if (q->scope)
		sq_bind_scope(st, q->scope, 100);
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

/* Runs a query built from head + filters + tail into rows (or a count). evidence is the
 * scope head's evidence_count was built with (add_evidence_count); NULL: head has none. */
static int run_filtered(struct sq_db *s, const char *head, const struct store_scope *evidence,
			const struct store_risk_query *q, const char *tail, bool paged, json_t **rows, int64_t *count,
			struct err *e)
{
	struct buf sql = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	int rc = buf_addstr(&sql, head);
	if (!rc)
		rc = add_filters(&sql, q);
	if (!rc && tail)
		rc = buf_addstr(&sql, tail);
	if (!rc && paged)
		rc = buf_addstr(&sql, " LIMIT :limit OFFSET :offset");
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	if (!(st = sq_prepare(s, buf_str(&sql), e))) {
		rc = AIMS_ESTORE;
		goto out;
	}
	if (evidence)
		sq_bind_scope(st, evidence, EVIDENCE_SCOPE_PARAM);
	bind_filters(st, q);
	if (paged) {
		bind_int(st, ":limit", q->limit > 0 ? q->limit : -1);
		bind_int(st, ":offset", q->offset);
	}
	rc = rows ? sq_all(s, st, rows, e) : sq_int(s, st, count, e);
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

int sq_risk_list(struct store *base, const struct store_risk_query *q, json_t **items, int64_t *total,
		 struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf head = BUF_INIT(8192);
	int rc = buf_addstr(&head, RISK_COLUMNS);
	*items = NULL;
	if (!rc)
		rc = add_evidence_count(&head, q->evidence_scope);
	if (!rc)
		rc = buf_addstr(&head, RISK_TABLES " WHERE 1");
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	rc = run_filtered(s, buf_str(&head), q->evidence_scope, q, order_clause(q), true, items, NULL, e);
	if (!rc && total)
		rc = run_filtered(s, "SELECT count(*) " RISK_FROM " WHERE 1", NULL, q, NULL, false, NULL, total, e);
out:
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	buf_release(&head);
	return rc;
}

int sq_risk_matrix(struct store *base, const struct store_risk_query *q, bool residual, json_t **out,
		   struct err *e)
{
	const char *head = residual ? "SELECT r.residual_likelihood AS likelihood, r.residual_impact AS impact, "
				      "count(*) AS count " RISK_FROM " WHERE r.residual_likelihood IS NOT NULL"
				    : "SELECT r.likelihood, r.impact, count(*) AS count " RISK_FROM " WHERE 1";
	const char *tail = residual ? " GROUP BY r.residual_likelihood, r.residual_impact ORDER BY 1, 2"
				    : " GROUP BY r.likelihood, r.impact ORDER BY 1, 2";
	return run_filtered((struct sq_db *)base, head, NULL, q, tail, false, out, NULL, e);
}

int sq_risk_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = RISK_SELECT " WHERE r.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "risk", e);
}

int sq_risk_create(struct store *base, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return sq_insert((struct sq_db *)base, "risks", risk_create_columns, fields, now, NULL, NULL, id_out, e);
}

int sq_risk_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version, const char *now,
		   struct err *e)
{
	return sq_update((struct sq_db *)base, "risks", risk_update_columns, id, fields, true, expected_version,
			 now, e);
}

int sq_risk_evidence_list(struct store *base, int64_t risk_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT re.evidence_id, e.org_id, e.title, e.kind, e.valid_until, re.created_at "
				  "FROM risk_evidence re JOIN evidence e ON e.id = re.evidence_id "
				  "WHERE re.risk_id = ?1 ORDER BY re.evidence_id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, risk_id);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

int sq_risk_evidence_add(struct store *base, int64_t risk_id, int64_t evidence_id, const char *now,
			 struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "INSERT INTO risk_evidence(risk_id, evidence_id, created_at) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, risk_id);
	sqlite3_bind_int64(st, 2, evidence_id);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	return sq_step_done(s, st, "evidence_id", "this evidence is already linked to the risk", e);
}

int sq_risk_evidence_delete(struct store *base, int64_t risk_id, int64_t evidence_id, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "DELETE FROM risk_evidence WHERE risk_id = ?1 AND evidence_id = ?2";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, risk_id);
	sqlite3_bind_int64(st, 2, evidence_id);
	int rc = sq_step_done(s, st, NULL, NULL, e);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = err_set(e, AIMS_ENOTFOUND, "no such link");
	return rc;
}

int sq_evidence_risks(struct store *base, int64_t evidence_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT re.risk_id, r.org_id, r.system_id, r.title, r.score, r.residual_score, "
				  "r.status FROM risk_evidence re JOIN risks r ON r.id = re.risk_id "
				  "WHERE re.evidence_id = ?1 ORDER BY re.risk_id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, evidence_id);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}
