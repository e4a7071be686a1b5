/*
 * sqlite_evidence.c: evidence rows and their links in the SQLite backend.
 *
 * Column names in built SQL come from the whitelists and fixed fragments below;
 * every value is bound ("?100" and up are the scope's paths, see sq_scope_clause).
 * Returned rows are new JSON objects owned by the caller.
 */
#include "store/sqlite/sqlite_util.h"

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

/* The WHERE part shared by the page query and the count query. */
static int add_filters(struct buf *sql, const struct store_evidence_query *q)
{
	int rc = 0;
	if (q->org_id > 0)
		rc = buf_addstr(sql, " AND e.org_id = :org");
	if (!rc && q->q && *q->q)
		rc = buf_addstr(sql, " AND (e.title LIKE :q ESCAPE '\\' OR e.description LIKE :q ESCAPE '\\' "
				     "OR e.filename LIKE :q ESCAPE '\\')");
	if (!rc && q->system_id > 0)
		rc = buf_addstr(sql, " AND EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = e.id "
				     "AND l.system_id = :system)");
	if (!rc && q->catalog_id && q->requirement_id)
		rc = buf_addstr(sql, " AND EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = e.id "
				     "AND l.catalog_id = :catalog AND l.requirement_id = :requirement)");
	if (!rc && q->state && !strcmp(q->state, "expired"))
		rc = buf_addstr(sql, " AND e.valid_until IS NOT NULL AND e.valid_until < :today");
	if (!rc && q->state && !strcmp(q->state, "valid"))
		rc = buf_addstr(sql, " AND (e.valid_until IS NULL OR e.valid_until >= :today)");
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

static void bind_filters(sqlite3_stmt *st, const struct store_evidence_query *q)
{
	int i = sqlite3_bind_parameter_index(st, ":org");
	if (i > 0)
		sqlite3_bind_int64(st, i, q->org_id);
	if ((i = sqlite3_bind_parameter_index(st, ":system")) > 0)
		sqlite3_bind_int64(st, i, q->system_id);
	if ((i = sqlite3_bind_parameter_index(st, ":q")) > 0) {
		char *pattern = store_like_pattern(q->q);
		sqlite3_bind_text(st, i, pattern, -1, SQLITE_TRANSIENT);
		free(pattern);
	}
	bind_text(st, ":catalog", q->catalog_id);
	bind_text(st, ":requirement", q->requirement_id);
	bind_text(st, ":today", q->today);
	if (q->scope)
		sq_bind_scope(st, q->scope, 100);
}

int sq_evidence_list(struct store *base, const struct store_evidence_query *q, json_t **items,
		     int64_t *total, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	struct buf sql = BUF_INIT(8192);
	sqlite3_stmt *st = NULL;
	int rc = buf_addstr(&sql, EVIDENCE_SELECT " WHERE 1");
	*items = NULL;
	if (!rc)
		rc = add_filters(&sql, q);
	if (!rc)
		rc = buf_addstr(&sql, " ORDER BY e.id DESC LIMIT :limit OFFSET :offset");
	if (rc) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	if (!(st = sq_prepare(s, buf_str(&sql), e))) {
		rc = AIMS_ESTORE;
		goto out;
	}
	bind_filters(st, q);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"), q->limit > 0 ? q->limit : -1);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":offset"), q->offset);
	rc = sq_all(s, st, items, e);
	sqlite3_finalize(st);
	st = NULL;
	if (rc || !total)
		goto out;
	buf_reset(&sql);
	if (buf_addstr(&sql, "SELECT count(*) FROM evidence e JOIN orgs o ON o.id = e.org_id WHERE 1") ||
	    add_filters(&sql, q)) {
		rc = err_set(e, AIMS_ETOOBIG, "query too long");
		goto out;
	}
	if (!(st = sq_prepare(s, buf_str(&sql), e))) {
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

int sq_evidence_get(struct store *base, int64_t id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = EVIDENCE_SELECT " WHERE e.id = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return sq_one(s, st, out, "evidence", e);
}

int sq_evidence_create(struct store *base, json_t *fields, const char *now, int64_t *id_out,
		       struct err *e)
{
	return sq_insert((struct sq_db *)base, "evidence", evidence_create_columns, fields, now, NULL, NULL,
			  id_out, e);
}

int sq_evidence_update(struct store *base, int64_t id, json_t *fields, int64_t expected_version,
		       const char *now, struct err *e)
{
	return sq_update((struct sq_db *)base, "evidence", evidence_update_columns, id, fields, true,
			 expected_version, now, e);
}

int sq_evidence_links(struct store *base, int64_t evidence_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT l.id, l.evidence_id, l.system_id, s.name AS system_name, "
				  "l.catalog_id, l.requirement_id, l.created_at FROM evidence_links l "
				  "LEFT JOIN systems s ON s.id = l.system_id WHERE l.evidence_id = ?1 ORDER BY l.id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, evidence_id);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

int sq_evidence_link_add(struct store *base, int64_t evidence_id, int64_t system_id, const char *catalog_id,
			 const char *requirement_id, const char *now, int64_t *id_out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "INSERT INTO evidence_links(evidence_id, system_id, catalog_id, "
				  "requirement_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_int64(st, 2, system_id);
	sqlite3_bind_text(st, 3, catalog_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, requirement_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = sq_step_done(s, st, "link", "this evidence is already linked there", e);
	if (!rc && id_out)
		*id_out = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int sq_evidence_link_delete(struct store *base, int64_t evidence_id, int64_t link_id, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "DELETE FROM evidence_links WHERE id = ?1 AND evidence_id = ?2";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, link_id);
	sqlite3_bind_int64(st, 2, evidence_id);
	int rc = sq_step_done(s, st, NULL, NULL, e);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = err_set(e, AIMS_ENOTFOUND, "no such link");
	return rc;
}

int sq_evidence_on_requirements(struct store *base, int64_t org_id, int64_t system_id,
				const char *catalog_id, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char by_org[] =
		"SELECT l.evidence_id, e.title, e.valid_until, l.system_id, l.requirement_id "
		"FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id "
		"WHERE e.org_id = ?1 AND l.catalog_id = ?2 AND l.requirement_id <> '' "
		"ORDER BY l.requirement_id, l.evidence_id";
	static const char by_system[] =
		"SELECT l.evidence_id, e.title, e.valid_until, l.system_id, l.requirement_id "
		"FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id "
		"WHERE l.system_id = ?1 AND l.catalog_id = ?2 AND l.requirement_id <> '' "
		"ORDER BY l.requirement_id, l.evidence_id";
	sqlite3_stmt *st = sq_stmt(s, system_id > 0 ? by_system : by_org, e);
	if (!st)
		return AIMS_ESTORE;
	sqlite3_bind_int64(st, 1, system_id > 0 ? system_id : org_id);
	sqlite3_bind_text(st, 2, catalog_id, -1, SQLITE_STATIC);
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}

int sq_evidence_digests(struct store *base, json_t **out, struct err *e)
{
	struct sq_db *s = (struct sq_db *)base;
	static const char sql[] = "SELECT id, sha256, size_bytes FROM evidence ORDER BY id";
	sqlite3_stmt *st = sq_stmt(s, sql, e);
	if (!st)
		return AIMS_ESTORE;
	int rc = sq_all(s, st, out, e);
	sqlite3_reset(st);
	return rc;
}
