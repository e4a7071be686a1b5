/*
 * pg_evidence.c: evidence rows and their links in the PostgreSQL backend. Same
 * contract and query shapes as sqlite_evidence.c; the conformance tests hold both.
 *
 * Column names in built SQL come from the whitelists and fixed fragments below; every
 * value is a $n parameter. Writes that may break a key run guarded (savepoint).
 */
#include "store/pg/pg_util.h"

#include <stdlib.h>
#include <string.h>

static const char *const evidence_create_columns[] = {
	"org_id", "title", "description", "kind", "filename", "media_type", "size_bytes", "sha256",
	"issued_on", "valid_until", "uploaded_by", NULL,
};
static const char *const evidence_update_columns[] = {
	"title", "description", "issued_on", "valid_until", NULL,
};

#define EVIDENCE_SELECT                                                                          \
	"SELECT e.id, e.org_id, o.name AS org_name, e.title, e.description, e.kind, e.filename, " \
	"e.media_type, e.size_bytes, e.sha256, e.issued_on, e.valid_until, e.uploaded_by, "      \
	"u.email AS uploader_email, u.name AS uploader_name, "                                   \
	"(SELECT count(*) FROM evidence_links l WHERE l.evidence_id = e.id) AS link_count, "     \
	"e.version, e.created_at, e.updated_at "                                                 \
	"FROM evidence e JOIN orgs o ON o.id = e.org_id LEFT JOIN users u ON u.id = e.uploaded_by"

/* The WHERE part shared by the page query and the count query; numbers its parameters. */
static int add_filters(struct buf *sql, struct pg_params *p, const struct store_evidence_query *q)
{
	int rc = 0;
	if (q->org_id > 0)
		rc = buf_addf(sql, " AND e.org_id = $%d", pg_param_int(p, q->org_id));
	if (!rc && q->q && *q->q) {
		char *pattern = store_like_pattern(q->q);
		int n = pg_param_text(p, pattern);
		free(pattern);
		/* ILIKE: ASCII case ignored, as SQLite's LIKE does. */
		rc = buf_addf(sql, " AND (e.title ILIKE $%d OR e.description ILIKE $%d OR e.filename ILIKE $%d)",
			      n, n, n);
	}
	if (!rc && q->system_id > 0)
		rc = buf_addf(sql, " AND EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = e.id "
				   "AND l.system_id = $%d)",
			      pg_param_int(p, q->system_id));
	if (!rc && q->catalog_id && q->requirement_id) {
		int c = pg_param_text(p, q->catalog_id);
		int r = pg_param_text(p, q->requirement_id);
		rc = buf_addf(sql, " AND EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = e.id "
				   "AND l.catalog_id = $%d AND l.requirement_id = $%d)",
			      c, r);
	}
	if (!rc && q->state && !strcmp(q->state, "expired"))
		rc = buf_addf(sql, " AND e.valid_until IS NOT NULL AND e.valid_until < $%d", pg_param_text(p, q->today));
	if (!rc && q->state && !strcmp(q->state, "valid"))
		rc = buf_addf(sql, " AND (e.valid_until IS NULL OR e.valid_until >= $%d)", pg_param_text(p, q->today));
	if (!rc && q->scope)
		rc = pg_scope_clause(sql, p, q->scope, "o.path");
	return rc;
}

int pg_evidence_list(struct store *base, const struct store_evidence_query *q, json_t **items,
		     int64_t *total, struct err *e)
{
	struct pg_db *s = (struct pg_db *)base;
	struct buf sql = BUF_INIT(8192);
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	int rc = buf_addstr(&sql, EVIDENCE_SELECT " WHERE true");
	*items = NULL;
	if (!rc)
		rc = add_filters(&sql, &p, q);
	if (!rc && q->limit > 0)
		rc = buf_addf(&sql, " ORDER BY e.id DESC LIMIT $%d OFFSET $%d", pg_param_int(&p, q->limit),
			      pg_param_int(&p, q->offset));
	else if (!rc)
		rc = buf_addf(&sql, " ORDER BY e.id DESC OFFSET $%d", pg_param_int(&p, q->offset));
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	if ((rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		goto out;
	pg_all(res, items);
	if (!total)
		goto out;
	pg_params_release(&p);
	p = (struct pg_params)PG_PARAMS_INIT;
	buf_reset(&sql);
	if (buf_addstr(&sql, "SELECT count(*) FROM evidence e JOIN orgs o ON o.id = e.org_id WHERE true") ||
	    add_filters(&sql, &p, q)) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	if (!(rc = pg_exec_dynamic(s, buf_str(&sql), &p, &res, e)))
		*total = pg_int(res);
out:
	if (rc) {
		json_decref(*items);
		*items = NULL;
	}
	pg_params_release(&p);
	buf_release(&sql);
	return rc;
}

int pg_evidence_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] = EVIDENCE_SELECT " WHERE e.id = $1";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, id);
	int rc = pg_exec((struct pg_db *)base, sql, &p, &res, e);
	pg_params_release(&p);
	return rc ? rc : pg_one(res, out, "evidence", e);
}

int pg_evidence_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		       struct err *e)
{
	return pg_insert((struct pg_db *)base, "evidence", evidence_create_columns, fields, now, NULL, NULL,
			 id_out, e);
}

int pg_evidence_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		       const char *now, struct err *e)
{
	return pg_update((struct pg_db *)base, "evidence", evidence_update_columns, id, fields, true,
			 expected_version, now, e);
}

int pg_evidence_links(struct store *base, int64_t evidence_id, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT l.id, l.evidence_id, l.system_id, s.name AS system_name, "
				  "l.catalog_id, l.requirement_id, l.created_at FROM evidence_links l "
				  "LEFT JOIN systems s ON s.id = l.system_id WHERE l.evidence_id = $1 ORDER BY l.id";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, evidence_id);
	int rc = pg_exec((struct pg_db *)base, sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		pg_all(res, out);
	return rc;
}

int pg_evidence_link_add(struct store *base, int64_t evidence_id, int64_t system_id, const char *catalog_id,
			 const char *requirement_id, const char *now, int64_t *id_out, struct err *e)
{
	static const char sql[] = "INSERT INTO evidence_links(evidence_id, system_id, catalog_id, "
				  "requirement_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, evidence_id);
	pg_param_int(&p, system_id);
	pg_param_text(&p, catalog_id);
	pg_param_text(&p, requirement_id);
	pg_param_text(&p, now);
	int rc = pg_exec_guarded((struct pg_db *)base, sql, true, &p, &res, e);
	pg_params_release(&p);
	if (rc)
		return pg_conflict_on(e, rc, "link", "this evidence is already linked there");
	int64_t id = pg_int(res);
	if (id_out)
		*id_out = id;
	return 0;
}

int pg_evidence_link_delete(struct store *base, int64_t evidence_id, int64_t link_id, struct err *e)
{
	static const char sql[] = "DELETE FROM evidence_links WHERE id = $1 AND evidence_id = $2";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	pg_param_int(&p, link_id);
	pg_param_int(&p, evidence_id);
	int rc = pg_exec((struct pg_db *)base, sql, &p, &res, e);
	pg_params_release(&p);
	if (!rc && pg_affected(res) == 0)
		rc = err_set(e, AIMS_ENOTFOUND, "no such link");
	return rc;
}

int pg_evidence_on_requirements(struct store *base, int64_t org_id, int64_t system_id,
				const char *catalog_id, json_t **out, struct err *e)
{
	static const char by_org[] =
		"SELECT l.evidence_id, e.title, e.valid_until, l.system_id, l.requirement_id "
		"FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id "
		"WHERE e.org_id = $1 AND l.catalog_id = $2 AND l.requirement_id <> '' "
		"ORDER BY l.requirement_id, l.evidence_id";
	static const char by_system[] =
		"SELECT l.evidence_id, e.title, e.valid_until, l.system_id, l.requirement_id "
		"FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id "
		"WHERE l.system_id = $1 AND l.catalog_id = $2 AND l.requirement_id <> '' "
		"ORDER BY l.requirement_id, l.evidence_id";
	struct pg_params p = PG_PARAMS_INIT;
	PGresult *res = NULL;
	*out = NULL;
	pg_param_int(&p, system_id > 0 ? system_id : org_id);
	pg_param_text(&p, catalog_id);
	int rc = pg_exec((struct pg_db *)base, system_id > 0 ? by_system : by_org, &p, &res, e);
	pg_params_release(&p);
	if (!rc)
		pg_all(res, out);
	return rc;
}

int pg_evidence_digests(struct store *base, json_t **out, struct err *e)
{
	static const char sql[] = "SELECT id, sha256, size_bytes FROM evidence ORDER BY id";
	PGresult *res = NULL;
	*out = NULL;
	int rc = pg_exec((struct pg_db *)base, sql, NULL, &res, e);
	if (!rc)
		pg_all(res, out);
	return rc;
}
