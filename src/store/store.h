/*
 * store.h: the domain-level storage interface of aims.
 *
 * Callers (src/svc only) speak in domain operations; no SQL crosses this line, so a
 * PostgreSQL backend can sit behind the same functions and the same conformance
 * tests (tests/unit/test_store.c).
 *
 * Conventions:
 * - One `struct store` is one database connection; use it from one thread at a time.
 * - Records travel as JSON objects (jansson). Functions that return one give the
 *   caller a new reference (json_decref it).
 * - Mutations must run between store_tx_begin and store_tx_commit; on any failure the
 *   caller calls store_tx_rollback, which undoes everything since begin.
 * - Times are RFC 3339 UTC strings made by base/clock.h, passed in by the caller so a
 *   use case stamps all its rows with one time.
 * - Errors: AIMS_ENOTFOUND for a missing row; AIMS_ECONFLICT for a unique key or
 *   version clash (with a field error naming the field where there is one);
 *   AIMS_ESTORE for anything the database itself reports.
 */
#ifndef AIMS_STORE_STORE_H
#define AIMS_STORE_STORE_H

#include "base/err.h"
#include "model/role.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct store;

/*
 * Opens (creating if needed) the database at url and applies pending migrations.
 * url: "postgresql://..." (libpq URI) for PostgreSQL; "sqlite:PATH" or PATH for SQLite.
 */
int store_open(const char *url, struct store **out, struct err *e);
/* Whether url names a PostgreSQL database (else it is an SQLite file). */
bool store_url_is_postgres(const char *url);
void store_close(struct store *s);
/* The backend's name ("sqlite" or "postgresql") and the applied schema version, for `aims --version` and /healthz. */
const char *store_backend(const struct store *s);

int store_tx_begin(struct store *s, struct err *e);
int store_tx_commit(struct store *s, struct err *e);
/*
 * A read-only request may wrap all its reads in one snapshot: one lock round trip
 * instead of one per query, and a consistent view. Use cases that write open their
 * own transaction, so only call this around requests that do not mutate.
 */
int store_read_begin(struct store *s, struct err *e);
void store_read_end(struct store *s);
void store_tx_rollback(struct store *s);

/* Which organisations a query may see: the subtrees under these paths, or all. */
struct store_scope {
	bool all;
	const char *const *paths;
	size_t count;
};

/* ---- organisations: {id, parent_id, name, kind, path, created_at, updated_at} ---- */
int store_org_create(struct store *s, const char *name, const char *kind, int64_t parent_id,
		     const char *now, int64_t *id_out, struct err *e);
int store_org_get(struct store *s, int64_t id, json_t **out, struct err *e);
/* fields: any of name, kind */
int store_org_update(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e);
/* Organisations in scope, ordered by path (a depth-first walk of the tree). */
int store_org_list(struct store *s, const struct store_scope *scope, json_t **out, struct err *e);

/* ---- users: {id, email, name, locale, disabled, created_at, updated_at} ---- */
int store_user_create(struct store *s, const char *email, const char *name, const char *password_hash,
		      const char *locale, const char *now, int64_t *id_out, struct err *e);
int store_user_get(struct store *s, int64_t id, json_t **out, struct err *e);
/* Like get, by e-mail (ASCII case ignored: e-mails are stored lower-case), and with
 * "password_hash" added: for sign-in only. */
int store_user_find_email(struct store *s, const char *email, json_t **out, struct err *e);
/* fields: any of name, locale, disabled, password_hash */
int store_user_update(struct store *s, int64_t id, json_t *fields, const char *now, struct err *e);
/* Users holding a role on an organisation in scope, ordered by e-mail. */
int store_user_list(struct store *s, const struct store_scope *scope, json_t **out, struct err *e);
/* Number of users (0 means the database still needs `aims init`). */
int store_user_count(struct store *s, int64_t *count, struct err *e);

/* ---- memberships ---- */
int store_membership_set(struct store *s, int64_t user_id, int64_t org_id, const char *role,
			 const char *now, struct err *e);
int store_membership_delete(struct store *s, int64_t user_id, int64_t org_id, struct err *e);
/* The user's memberships joined with their organisations; *out is malloc'd (free it). */
int store_membership_list(struct store *s, int64_t user_id, struct membership **out, size_t *count,
			  struct err *e);

/* ---- sessions (the store sees only the SHA-256 of the cookie) ---- */
int store_session_create(struct store *s, const char *id_hash, int64_t user_id, const char *csrf,
			 const char *now, const char *expires_at, struct err *e);
/* Finds a session that has not expired at `now`. csrf_out holds 64 chars + NUL. */
int store_session_find(struct store *s, const char *id_hash, const char *now, int64_t *user_id,
		       char csrf_out[65], struct err *e);
int store_session_delete(struct store *s, const char *id_hash, struct err *e);
int store_session_delete_user(struct store *s, int64_t user_id, struct err *e);

/* ---- API tokens: {id, name, prefix, created_at, last_used_at, revoked_at} ---- */
int store_token_create(struct store *s, int64_t user_id, const char *name, const char *hash,
		       const char *prefix, const char *now, int64_t *id_out, struct err *e);
/* Finds a live (not revoked) token by hash. */
int store_token_find(struct store *s, const char *hash, int64_t *user_id, int64_t *token_id,
		     struct err *e);
int store_token_list(struct store *s, int64_t user_id, json_t **out, struct err *e);
int store_token_revoke(struct store *s, int64_t user_id, int64_t token_id, const char *now,
		       struct err *e);

/* ---- AI systems: the fields of record_system plus id, org_name, org_path,
 *      owner_email, owner_name, status, version, created_at, updated_at ---- */
int store_system_create(struct store *s, json_t *fields, const char *now, int64_t *id_out,
			struct err *e);
int store_system_get(struct store *s, int64_t id, json_t **out, struct err *e);
/* Applies fields; when expected_version > 0 and differs, AIMS_ECONFLICT. Raises version. */
int store_system_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version,
			const char *now, struct err *e);

struct store_system_query {
	struct store_scope scope;
	const char *q;               /* substring of name, purpose or vendor; ASCII case ignored */
	const char *lifecycle_stage;
	const char *org_role;
	const char *status;          /* "active", "archived" or NULL for all */
	const char *org_path;        /* subtree filter */
	int64_t owner_user_id;
	const char *sort;            /* "id", "name", "updated_at", "lifecycle_stage" (life-cycle order) */
	bool descending;
	int limit;
	json_t *after;               /* cursor: [sort value, id] or NULL; for lifecycle_stage the
	                              * value is the stage's index in life-cycle order */
};
/* items: array of systems; total: rows matching without limit/cursor (NULL to skip). */
int store_system_list(struct store *s, const struct store_system_query *q, json_t **items,
		      int64_t *total, struct err *e);
/* Counts of active systems in scope grouped by column: "lifecycle_stage" or "org"
 * (organisations with none are left out). Read from counts kept on every write. */
int store_system_count_by(struct store *s, const struct store_scope *scope, const char *column,
			  json_t **out, struct err *e);

/* ---- Statement of Applicability (ISO/IEC 42001 6.1.3, Annex A) ----
 * One row per (organisation, catalog, control) that someone has edited:
 * {id, org_id, catalog_id, catalog_version, control_id, applicable (boolean),
 *  justification, status, owner_user_id, owner_email, owner_name, due_date, version,
 *  created_at, updated_at, review_from}. A control without a row is left to the
 *  caller's default. review_from: the catalog version whose text the entry was written
 *  against when a migration carried it over a change that needs review, else null. */
/* The organisation's rows for catalog_id, ordered by control_id (byte order). */
int store_soa_list(struct store *s, int64_t org_id, const char *catalog_id, json_t **out,
		   struct err *e);
/* One row, or AIMS_ENOTFOUND. */
int store_soa_get(struct store *s, int64_t org_id, const char *catalog_id, const char *control_id,
		  json_t **out, struct err *e);
/* fields: org_id, catalog_id, catalog_version, control_id (required) and any of
 * applicable, justification, status, owner_user_id, due_date. A second row for the same
 * (org, catalog, control) is AIMS_ECONFLICT naming "control_id". */
int store_soa_create(struct store *s, json_t *fields, const char *now, int64_t *id_out,
		     struct err *e);
/* fields: any of catalog_version, applicable, justification, status, owner_user_id,
 * due_date, review_from. expected_version > 0 that differs: AIMS_ECONFLICT. Raises version. */
int store_soa_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version,
		     const char *now, struct err *e);

/* ---- frameworks chosen per AI system and requirement assessments ---- */
/* [{catalog_id, created_at}] ordered by catalog_id. */
int store_framework_list(struct store *s, int64_t system_id, json_t **out, struct err *e);
/* Replaces the system's set with catalog_ids (an array of strings; a duplicate counts
 * once): rows not in it are deleted, new ones added with created_at now, rows that stay
 * keep theirs. Assessments stay, so choosing a framework again brings them back. */
int store_framework_set(struct store *s, int64_t system_id, json_t *catalog_ids, const char *now,
			struct err *e);
/* {id, system_id, catalog_id, catalog_version, requirement_id, status, note,
 *  assessor_user_id, assessor_email, assessor_name, assessed_on, version, created_at,
 *  updated_at, review_from}, for catalog_id, ordered by requirement_id (byte order). */
int store_assessment_list(struct store *s, int64_t system_id, const char *catalog_id, json_t **out,
			  struct err *e);
int store_assessment_get(struct store *s, int64_t system_id, const char *catalog_id,
			 const char *requirement_id, json_t **out, struct err *e);
/* fields: system_id, catalog_id, catalog_version, requirement_id (required) and any of
 * status, note, assessor_user_id, assessed_on. Duplicate: AIMS_ECONFLICT naming
 * "requirement". */
int store_assessment_create(struct store *s, json_t *fields, const char *now, int64_t *id_out,
			    struct err *e);
/* fields: any of catalog_version, status, note, assessor_user_id, assessed_on, review_from. */
int store_assessment_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version,
			    const char *now, struct err *e);

/* ---- catalog versions: rows not at the version in use, or waiting for review ---- */
/* SoA rows of catalog_id in organisations in scope whose catalog_version is not
 * `version` or whose review_from is set: {id, org_id, org_name, org_path, catalog_id,
 * catalog_version, control_id, applicable, justification, status, review_from, version,
 * updated_at}, ordered by org path, then control_id (byte order). */
int store_soa_list_stale(struct store *s, const struct store_scope *scope, const char *catalog_id,
			 const char *version, json_t **out, struct err *e);
/* The same for assessments of systems in scope: {id, system_id, system_name,
 * system_status, system_owner_user_id, org_id, org_name, org_path, catalog_id,
 * catalog_version, requirement_id, status, note, review_from, version, updated_at},
 * ordered by org path, system id, requirement_id. */
int store_assessment_list_stale(struct store *s, const struct store_scope *scope, const char *catalog_id,
				const char *version, json_t **out, struct err *e);
/* ---- evidence (documents that show a requirement is met) ----
 * {id, org_id, org_name, title, description, kind, filename, media_type, size_bytes,
 *  sha256, issued_on, valid_until, uploaded_by, uploader_email, uploader_name,
 *  link_count, version, created_at, updated_at}. The bytes are not in the database:
 *  sha256 names them in the evidence directory (store/blobs.h). */
struct store_evidence_query {
	int64_t org_id;             /* this organisation only; 0: all in scope */
	const struct store_scope *scope;
	const char *q;              /* substring of title, description or file name */
	int64_t system_id;          /* only evidence linked to this system; 0: any */
	const char *catalog_id;     /* with requirement_id: only evidence linked to it */
	const char *requirement_id;
	const char *state;          /* "expired" or "valid" against today; NULL: both */
	const char *today;          /* YYYY-MM-DD, for state */
	int limit, offset;          /* limit 0: all */
};
/* Newest first; total counts all matches (NULL to skip). */
int store_evidence_list(struct store *s, const struct store_evidence_query *q, json_t **items,
			int64_t *total, struct err *e);
int store_evidence_get(struct store *s, int64_t id, json_t **out, struct err *e);
/* fields: org_id, title, filename, media_type, size_bytes, sha256 (required), any of
 * description, kind, issued_on, valid_until, uploaded_by. */
int store_evidence_create(struct store *s, json_t *fields, const char *now, int64_t *id_out,
			  struct err *e);
/* fields: any of title, description, issued_on, valid_until. */
int store_evidence_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version,
			  const char *now, struct err *e);
/* The links of one evidence row: [{id, evidence_id, system_id (0: none), system_name,
 * catalog_id, requirement_id ("" : none), created_at}], in id order. */
int store_evidence_links(struct store *s, int64_t evidence_id, json_t **out, struct err *e);
/* system_id 0 and "" for parts not linked; a second equal link is AIMS_ECONFLICT naming "link". */
int store_evidence_link_add(struct store *s, int64_t evidence_id, int64_t system_id,
			    const char *catalog_id, const char *requirement_id, const char *now,
			    int64_t *id_out, struct err *e);
/* AIMS_ENOTFOUND unless link_id is a link of evidence_id. */
int store_evidence_link_delete(struct store *s, int64_t evidence_id, int64_t link_id, struct err *e);
/*
 * Evidence on requirements of catalog_id, for the SoA and the gap analysis:
 * [{evidence_id, title, valid_until, system_id, requirement_id}], one row per link.
 * With system_id 0: links of the organisation's evidence (org_id) that name a
 * requirement, with or without a system; else the links naming that system and a
 * requirement of catalog_id (the system's assessment), whatever organisation.
 */
int store_evidence_on_requirements(struct store *s, int64_t org_id, int64_t system_id,
				   const char *catalog_id, json_t **out, struct err *e);
/* {id, sha256, size_bytes} of every evidence row, in id order (for verify). */
int store_evidence_digests(struct store *s, json_t **out, struct err *e);

/* ---- risk register (ISO/IEC 42001 6.1.2, 6.1.3; ISO/IEC 23894) ----
 * {id, org_id, org_name, org_path, system_id (0: none), system_name, title,
 *  description, source, objectives (array of codes), consequences, likelihood, impact,
 *  score, treatment, treatment_plan, residual_likelihood, residual_impact,
 *  residual_score, owner_user_id, owner_email, owner_name, review_date, status,
 *  created_by, evidence_count, version, created_at, updated_at}.
 *  score and residual_score are written by the caller (model/risk.h). */
struct store_risk_query {
	const struct store_scope *scope;
	/* The list's evidence_count counts only the linked evidence of organisations in this
	 * scope, i.e. what the reader may see; NULL: every link (store_risk_get always). */
	const struct store_scope *evidence_scope;
	const char *org_path;       /* this organisation and those below it; NULL: all in scope */
	const char *q;              /* substring of title, description or consequences */
	int64_t system_id;          /* > 0: that system's risks; -1: risks of no system; 0: any */
	const char *status, *treatment, *source, *objective, *likelihood, *impact;
	int64_t owner_user_id;
	int score_min, score_max;   /* inherent score range; 0: open */
	const char *overdue_on;     /* YYYY-MM-DD: only risks not closed whose review_date is before it */
	const char *sort;           /* "score" (default), "review_date", "updated_at", "title", "id" */
	bool descending;
	int limit, offset;          /* limit 0: all */
};
int store_risk_list(struct store *s, const struct store_risk_query *q, json_t **items, int64_t *total,
		    struct err *e);
/* Counts of the risks matching q (sort and paging ignored) per cell of the matrix:
 * [{likelihood, impact, count}] of the inherent risk, or of the residual risk when
 * residual is true (risks without a residual estimate are left out). */
int store_risk_matrix(struct store *s, const struct store_risk_query *q, bool residual, json_t **out,
		      struct err *e);
int store_risk_get(struct store *s, int64_t id, json_t **out, struct err *e);
/* fields: org_id, title, likelihood, impact, score (required) and any of system_id,
 * description, source, objectives, consequences, treatment, treatment_plan,
 * residual_likelihood, residual_impact, residual_score, owner_user_id, review_date,
 * status, created_by. */
int store_risk_create(struct store *s, json_t *fields, const char *now, int64_t *id_out, struct err *e);
/* fields: those of create except created_by (org_id: when the risk moves with its system). */
int store_risk_update(struct store *s, int64_t id, json_t *fields, int64_t expected_version,
		      const char *now, struct err *e);
/* Evidence addressing the risk: [{evidence_id, org_id, title, kind, valid_until, created_at}],
 * in evidence id order. */
int store_risk_evidence_list(struct store *s, int64_t risk_id, json_t **out, struct err *e);
/* A second equal link is AIMS_ECONFLICT naming "evidence_id". */
int store_risk_evidence_add(struct store *s, int64_t risk_id, int64_t evidence_id, const char *now,
			    struct err *e);
/* AIMS_ENOTFOUND when there is no such link. */
int store_risk_evidence_delete(struct store *s, int64_t risk_id, int64_t evidence_id, struct err *e);
/* The risks an evidence addresses: [{risk_id, org_id, system_id, title, score,
 * residual_score, status}], in risk id order. */
int store_evidence_risks(struct store *s, int64_t evidence_id, json_t **out, struct err *e);

/* ---- change history (append-only) ---- */
int store_change_add(struct store *s, const char *at, int64_t actor_user_id, const char *object_type,
		     int64_t object_id, const char *field, const char *old_value,
		     const char *new_value, struct err *e);
/* Newest first: {id, at, actor_user_id, actor_email, object_type, object_id, field, old_value, new_value} */
int store_change_list(struct store *s, const char *object_type, int64_t object_id, int limit,
		      json_t **out, struct err *e);
/* Recent mutations of systems in scope, newest first, one row per (system, time, actor):
 * {id, at, actor_user_id, actor_email, object_id, fields: "a,b", system_name}.
 * Looks at the latest 200 change rows only, so the dashboard stays fast. */
int store_change_recent(struct store *s, const struct store_scope *scope, int limit, json_t **out,
			struct err *e);

/* ---- credential cache support ---- */
/* A counter raised (in the same transaction) by every change to tokens, sessions
 * ending, users, memberships or organisations: see migrations/sqlite/0003. */
int store_auth_epoch(struct store *s, int64_t *epoch, struct err *e);

/* ---- sign-in log ---- */
int store_auth_event_add(struct store *s, const char *at, const char *kind, const char *email,
			 int64_t user_id, const char *address, const char *detail, struct err *e);
/* Failed sign-ins since `since` for the e-mail and for the address. */
int store_auth_failures(struct store *s, const char *email, const char *address, const char *since,
			int64_t *by_email, int64_t *by_address, struct err *e);

/* ---- whole-installation operations (aims db copy, aims backup) ----
 * These work on tables as rows, not on domain objects, so that one installation can
 * move to another backend unchanged; only the operator's CLI reaches them. */

struct store_table {
	const char *name;
	const char *order;  /* primary-key order (SQL shared by both backends) */
	bool has_id;        /* an "id" column whose generator continues after a copy */
	bool derived;       /* kept by triggers from other tables: verified, never copied */
};
/* Every table of an installation in an order that satisfies foreign keys; ends with
 * a NULL name. schema_migrations and auth_epoch belong to the database, not the data. */
extern const struct store_table store_tables[];

/* Called once per row with the row as {column: value}; a non-zero return stops. */
typedef int (*store_row_fn)(void *ctx, json_t *row, struct err *e);
/* Every row of table (one of store_tables) in its primary-key order. */
int store_table_each(struct store *s, const struct store_table *t, store_row_fn fn, void *ctx,
		     struct err *e);
/* Inserts one row as store_table_each gave it, ids included. Inside a transaction. */
int store_table_insert(struct store *s, const struct store_table *t, json_t *row, struct err *e);
/* After inserting rows with explicit ids: new rows get ids above the largest. */
int store_table_finish(struct store *s, const struct store_table *t, struct err *e);
int store_table_count(struct store *s, const struct store_table *t, int64_t *count, struct err *e);
/* A consistent copy of the whole database to a new file at path, taken while the
 * database is in use (SQLite's online backup API). PostgreSQL: AIMS_EINVAL, since
 * pg_dump does this better (docs/operations.md). */
int store_backup(struct store *s, const char *path, struct err *e);

#endif
