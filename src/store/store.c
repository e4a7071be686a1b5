/*
 * store.c: picks the backend from the database URL and forwards every store_* call to
 * it (see backend.h). No SQL and no state here.
 *
 * URLs: "postgresql://..." or "postgres://..." (libpq connection URIs) open the
 * PostgreSQL backend; "sqlite:PATH" or a plain PATH open an SQLite file.
 */
#include "store/backend.h"
#include "base/buf.h"

#include <string.h>

static bool is_postgres_url(const char *url)
{
	return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

int store_open(const char *url, struct store **out, struct err *e)
{
	*out = NULL;
	if (!url || !*url)
		return err_set(e, AIMS_EINVAL, "no database named");
	if (is_postgres_url(url))
		return pg_store_open(url, out, e);
	if (strncmp(url, "postgres", 8) == 0)
		return err_set(e, AIMS_EINVAL, "a PostgreSQL URL starts with postgresql://: %s", url);
	return sqlite_store_open(strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url, out, e);
}

bool store_url_is_postgres(const char *url)
{
	return url && is_postgres_url(url);
}

const struct store_table store_tables[] = {
	/* A parent organisation always has a shorter path than its children. */
	{ "orgs", "length(path), id", true, false },
	{ "users", "id", true, false },
	{ "memberships", "user_id, org_id", false, false },
	{ "sessions", "id_hash", false, false },
	{ "api_tokens", "id", true, false },
	{ "systems", "id", true, false },
	{ "changes", "id", true, false },
	{ "auth_events", "id", true, false },
	{ "soa_entries", "id", true, false },
	{ "system_frameworks", "system_id, catalog_id", false, false },
	{ "assessments", "id", true, false },
	{ "evidence", "id", true, false },
	{ "evidence_links", "id", true, false },
	{ "risks", "id", true, false },
	{ "risk_evidence", "risk_id, evidence_id", false, false },
	{ "system_counts", "org_id, status, lifecycle_stage", false, true },
	{ NULL, NULL, false, false },
};

bool store_identifier_ok(const char *name)
{
	size_t n = 0;
	for (; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || c == '_' || (n > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return n > 0 && n <= 63;
}

int store_table_each(struct store *s, const struct store_table *t, store_row_fn fn, void *ctx,
		     struct err *e)
{
	return s->ops->table_each(s, t, fn, ctx, e);
}

int store_table_insert(struct store *s, const struct store_table *t, json_t *row, struct err *e)
{
	return s->ops->table_insert(s, t, row, e);
}

int store_table_finish(struct store *s, const struct store_table *t, struct err *e)
{
	return s->ops->table_finish(s, t, e);
}

int store_table_count(struct store *s, const struct store_table *t, int64_t *count, struct err *e)
{
	return s->ops->table_count(s, t, count, e);
}

int store_backup(struct store *s, const char *path, struct err *e)
{
	return s->ops->backup(s, path, e);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

const char *store_backend(const struct store *s)
{
	return s->ops->backend(s);
}

int store_tx_begin(struct store *s, struct err *e)
{
	return s->ops->tx_begin(s, e);
}

int store_tx_commit(struct store *s, struct err *e)
{
	return s->ops->tx_commit(s, e);
}

int store_read_begin(struct store *s, struct err *e)
{
	return s->ops->read_begin(s, e);
}

void store_read_end(struct store *s)
{
	s->ops->read_end(s);
}

void store_tx_rollback(struct store *s)
{
	s->ops->tx_rollback(s);
}

int store_org_create(struct store *s, const char *name, const char *kind, int64_t parent_id, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->org_create(s, name, kind, parent_id, now, id_out, e);
}

int store_org_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	return s->ops->org_get(s, id, out, e);
}

int store_org_update(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e)
{
	return s->ops->org_update(s, id, fields, now, e);
}

int store_org_list(struct store *s, const struct store_scope *scope, json_t **out, struct err *e)
{
	return s->ops->org_list(s, scope, out, e);
}

int store_user_create(struct store *s, const char *email, const char *name, const char *password_hash, const char *locale, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->user_create(s, email, name, password_hash, locale, now, id_out, e);
}

int store_user_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	return s->ops->user_get(s, id, out, e);
}

int store_user_find_email(struct store *s, const char *email, json_t **out, struct err *e)
{
	return s->ops->user_find_email(s, email, out, e);
}

int store_user_update(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e)
{
	return s->ops->user_update(s, id, fields, now, e);
}

int store_user_list(struct store *s, const struct store_scope *scope, json_t **out, struct err *e)
{
	return s->ops->user_list(s, scope, out, e);
}

int store_user_count(struct store *s, int64_t *count, struct err *e)
{
	return s->ops->user_count(s, count, e);
}

int store_membership_set(struct store *s, int64_t user_id, int64_t org_id, const char *role, const char *now, struct err *e)
{
	return s->ops->membership_set(s, user_id, org_id, role, now, e);
}

int store_membership_delete(struct store *s, int64_t user_id, int64_t org_id, struct err *e)
{
	return s->ops->membership_delete(s, user_id, org_id, e);
}

int store_membership_list(struct store *s, int64_t user_id, struct membership **out, size_t *count, struct err *e)
{
	return s->ops->membership_list(s, user_id, out, count, e);
}

int store_session_create(struct store *s, const char *id_hash, int64_t user_id, const char *csrf, const char *now, const char *expires_at, struct err *e)
{
	return s->ops->session_create(s, id_hash, user_id, csrf, now, expires_at, e);
}

int store_session_find(struct store *s, const char *id_hash, const char *now, int64_t *user_id, char csrf_out[65], struct err *e)
{
	return s->ops->session_find(s, id_hash, now, user_id, csrf_out, e);
}

int store_session_delete(struct store *s, const char *id_hash, struct err *e)
{
	return s->ops->session_delete(s, id_hash, e);
}

int store_session_delete_user(struct store *s, int64_t user_id, struct err *e)
{
	return s->ops->session_delete_user(s, user_id, e);
}

int store_token_create(struct store *s, int64_t user_id, const char *name, const char *hash, const char *prefix, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->token_create(s, user_id, name, hash, prefix, now, id_out, e);
}

int store_token_find(struct store *s, const char *hash, int64_t *user_id, int64_t *token_id, struct err *e)
{
	return s->ops->token_find(s, hash, user_id, token_id, e);
}

int store_token_list(struct store *s, int64_t user_id, json_t **out, struct err *e)
{
	return s->ops->token_list(s, user_id, out, e);
}

int store_token_revoke(struct store *s, int64_t user_id, int64_t token_id, const char *now, struct err *e)
{
	return s->ops->token_revoke(s, user_id, token_id, now, e);
}

int store_system_create(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->system_create(s, fields, now, id_out, e);
}

int store_system_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	return s->ops->system_get(s, id, out, e);
}

int store_system_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e)
{
	return s->ops->system_update(s, id, fields, expected_version, now, e);
}

int store_system_list(struct store *s, const struct store_system_query *q, json_t **items, int64_t *total, struct err *e)
{
	return s->ops->system_list(s, q, items, total, e);
}

int store_system_count_by(struct store *s, const struct store_scope *scope, const char *column, json_t **out, struct err *e)
{
	return s->ops->system_count_by(s, scope, column, out, e);
}

int store_change_add(struct store *s, const char *at, int64_t actor_user_id, const char *object_type, int64_t object_id, const char *field, const char *old_value, const char *new_value, struct err *e)
{
	return s->ops->change_add(s, at, actor_user_id, object_type, object_id, field, old_value, new_value, e);
}

int store_change_list(struct store *s, const char *object_type, int64_t object_id, int limit, json_t **out, struct err *e)
{
	return s->ops->change_list(s, object_type, object_id, limit, out, e);
}

int store_change_recent(struct store *s, const struct store_scope *scope, int limit, json_t **out, struct err *e)
{
	return s->ops->change_recent(s, scope, limit, out, e);
}

int store_auth_epoch(struct store *s, int64_t *epoch, struct err *e)
{
	return s->ops->auth_epoch(s, epoch, e);
}

int store_auth_event_add(struct store *s, const char *at, const char *kind, const char *email, int64_t user_id, const char *address, const char *detail, struct err *e)
{
	return s->ops->auth_event_add(s, at, kind, email, user_id, address, detail, e);
}

int store_auth_failures(struct store *s, const char *email, const char *address, const char *since, int64_t *by_email, int64_t *by_address, struct err *e)
{
	return s->ops->auth_failures(s, email, address, since, by_email, by_address, e);
}

int store_soa_list(struct store *s, int64_t org_id, const char *catalog_id, json_t **out, struct err *e)
{
	return s->ops->soa_list(s, org_id, catalog_id, out, e);
}

int store_soa_get(struct store *s, int64_t org_id, const char *catalog_id, const char *control_id, json_t **out, struct err *e)
{
	return s->ops->soa_get(s, org_id, catalog_id, control_id, out, e);
}

int store_soa_create(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->soa_create(s, fields, now, id_out, e);
}

int store_soa_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e)
{
	return s->ops->soa_update(s, id, fields, expected_version, now, e);
}

int store_framework_list(struct store *s, int64_t system_id, json_t **out, struct err *e)
{
	return s->ops->framework_list(s, system_id, out, e);
}

int store_framework_set(struct store *s, int64_t system_id, json_t *catalog_ids, const char *now, struct err *e)
{
	return s->ops->framework_set(s, system_id, catalog_ids, now, e);
}

int store_assessment_list(struct store *s, int64_t system_id, const char *catalog_id, json_t **out, struct err *e)
{
	return s->ops->assessment_list(s, system_id, catalog_id, out, e);
}

int store_assessment_get(struct store *s, int64_t system_id, const char *catalog_id, const char *requirement_id, json_t **out, struct err *e)
{
	return s->ops->assessment_get(s, system_id, catalog_id, requirement_id, out, e);
}

int store_assessment_create(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->assessment_create(s, fields, now, id_out, e);
}

int store_assessment_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e)
{
	return s->ops->assessment_update(s, id, fields, expected_version, now, e);
}

int store_soa_list_stale(struct store *s, const struct store_scope *scope, const char *catalog_id,
			 const char *version, json_t **out, struct err *e)
{
	return s->ops->soa_list_stale(s, scope, catalog_id, version, out, e);
}

int store_assessment_list_stale(struct store *s, const struct store_scope *scope, const char *catalog_id,
				const char *version, json_t **out, struct err *e)
{
	return s->ops->assessment_list_stale(s, scope, catalog_id, version, out, e);
}

int store_evidence_list(struct store *s, const struct store_evidence_query *q, json_t **items, int64_t *total, struct err *e)
{
	return s->ops->evidence_list(s, q, items, total, e);
}

int store_evidence_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	return s->ops->evidence_get(s, id, out, e);
}

int store_evidence_create(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->evidence_create(s, fields, now, id_out, e);
}

int store_evidence_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e)
{
	return s->ops->evidence_update(s, id, fields, expected_version, now, e);
}

int store_evidence_links(struct store *s, int64_t evidence_id, json_t **out, struct err *e)
{
	return s->ops->evidence_links(s, evidence_id, out, e);
}

int store_evidence_link_add(struct store *s, int64_t evidence_id, int64_t system_id, const char *catalog_id,
			    const char *requirement_id, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->evidence_link_add(s, evidence_id, system_id, catalog_id ? catalog_id : "",
					 requirement_id ? requirement_id : "", now, id_out, e);
}

int store_evidence_link_delete(struct store *s, int64_t evidence_id, int64_t link_id, struct err *e)
{
	return s->ops->evidence_link_delete(s, evidence_id, link_id, e);
}

int store_evidence_on_requirements(struct store *s, int64_t org_id, int64_t system_id, const char *catalog_id,
				   json_t **out, struct err *e)
{
	return s->ops->evidence_on_requirements(s, org_id, system_id, catalog_id, out, e);
}

int store_evidence_digests(struct store *s, json_t **out, struct err *e)
{
	return s->ops->evidence_digests(s, out, e);
}

int store_risk_list(struct store *s, const struct store_risk_query *q, json_t **items, int64_t *total, struct err *e)
{
	return s->ops->risk_list(s, q, items, total, e);
}

int store_risk_matrix(struct store *s, const struct store_risk_query *q, bool residual, json_t **out, struct err *e)
{
	return s->ops->risk_matrix(s, q, residual, out, e);
}

int store_risk_get(struct store *s, int64_t id, json_t **out, struct err *e)
{
	return s->ops->risk_get(s, id, out, e);
}

int store_risk_create(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e)
{
	return s->ops->risk_create(s, fields, now, id_out, e);
}

int store_risk_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version, const char *now, struct err *e)
{
	return s->ops->risk_update(s, id, fields, expected_version, now, e);
}

int store_risk_evidence_list(struct store *s, int64_t risk_id, json_t **out, struct err *e)
{
	return s->ops->risk_evidence_list(s, risk_id, out, e);
}

int store_risk_evidence_add(struct store *s, int64_t risk_id, int64_t evidence_id, const char *now, struct err *e)
{
	return s->ops->risk_evidence_add(s, risk_id, evidence_id, now, e);
}

int store_risk_evidence_delete(struct store *s, int64_t risk_id, int64_t evidence_id, struct err *e)
{
	return s->ops->risk_evidence_delete(s, risk_id, evidence_id, e);
}

int store_evidence_risks(struct store *s, int64_t evidence_id, json_t **out, struct err *e)
{
	return s->ops->evidence_risks(s, evidence_id, out, e);
}

char *store_like_pattern(const char *text)
{
	struct buf pattern = BUF_INIT(4096);
	buf_addch(&pattern, '%');
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			buf_addch(&pattern, '\\');
		buf_addch(&pattern, *c);
	}
	buf_addch(&pattern, '%');
	return buf_detach(&pattern, NULL);
}
