/*
 * svc.h: the use cases of aims, shared by the web UI, the JSON API and the CLI.
 *
 * Every use case takes the store and the actor (who asks), checks the actor's rights
 * on the organisations involved, runs at most one store transaction, and writes the
 * change history in that same transaction. Front ends never call the store directly.
 *
 * Visibility rule: an object on an organisation the actor cannot see is reported as
 * AIMS_ENOTFOUND (404), never AIMS_EFORBIDDEN, so ids in other branches leak nothing.
 * AIMS_EFORBIDDEN is for objects the actor can see but may not change.
 *
 * Returned JSON objects are new references owned by the caller.
 */
#ifndef AIMS_SVC_SVC_H
#define AIMS_SVC_SVC_H

#include "base/buf.h"
#include "base/err.h"
#include "model/role.h"
#include "store/blobs.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>

/* ---- accounts and authentication (svc/auth.c) ---- */

#define SVC_SESSION_HOURS 12
#define SVC_THROTTLE_MINUTES 15
#define SVC_THROTTLE_PER_EMAIL 5
#define SVC_THROTTLE_PER_ADDRESS 20

/* Loads user id's profile and memberships into a (actor_release it). Disabled users fail. */
int svc_actor_load(struct store *s, int64_t user_id, struct actor *a, struct err *e);
/* The local operator: full rights, for CLI commands run without --as. */
void svc_actor_operator(struct actor *a);
/* Loads the actor by e-mail, for CLI --as. */
int svc_actor_by_email(struct store *s, const char *email, struct actor *a, struct err *e);

/*
 * Checks a password sign-in. On success writes a new session cookie value into
 * cookie_out and the user id; records login_ok / login_failed. AIMS_ETHROTTLED when
 * too many failures happened recently (then *retry_after_s says how long to wait).
 */
int svc_login(struct store *s, const char *email, const char *password, const char *address,
	      char cookie_out[64], int64_t *user_id, int *retry_after_s, struct err *e);
/* Resolves a session cookie to a user and the session's CSRF token. */
int svc_session_resolve(struct store *s, const char *cookie, int64_t *user_id, char csrf_out[65],
			struct err *e);
int svc_logout(struct store *s, const char *cookie, int64_t user_id, const char *address,
	       struct err *e);
/*
 * Resolves a credential ("token": an aims_ bearer token; "session": the session cookie)
 * to the actor, through an in-memory cache validated by the store's auth epoch
 * (svc/auth_cache.c). For sessions csrf_out receives the session's CSRF token.
 */
int svc_authenticate(struct store *s, const char *kind, const char *credential, struct actor *a,
		     char csrf_out[65], struct err *e);
/* Empties the credential cache (tests; a server never needs to). */
void svc_auth_cache_clear(void);

/* Resolves "aims_..." bearer tokens. */
int svc_token_resolve(struct store *s, const char *token, int64_t *user_id, struct err *e);
/* Creates an API token for the actor (or, for the operator, for target_email). */
int svc_token_create(struct store *s, const struct actor *a, const char *target_email,
		     const char *name, json_t **out, struct err *e);
int svc_token_list(struct store *s, const struct actor *a, json_t **out, struct err *e);
int svc_token_revoke(struct store *s, const struct actor *a, int64_t token_id, struct err *e);
/* Sets a password (admin of the user's organisations, the user, or the operator). */
int svc_password_set(struct store *s, const struct actor *a, const char *email, const char *password,
		     struct err *e);

/* Creates the root organisation and its first admin in an empty database. */
int svc_init(struct store *s, const char *org_name, const char *admin_email, const char *password,
	     struct err *e);

/* ---- organisations (svc/orgs.c) ---- */
int svc_org_create(struct store *s, const struct actor *a, json_t *input, json_t **out, struct err *e);
int svc_org_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
int svc_org_update(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
		   struct err *e);
int svc_org_list(struct store *s, const struct actor *a, json_t **out, struct err *e);
int svc_org_history(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);

/* ---- users (svc/users.c) ---- */
int svc_user_create(struct store *s, const struct actor *a, json_t *input, json_t **out, struct err *e);
int svc_user_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
int svc_user_update(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
		    struct err *e);
int svc_user_list(struct store *s, const struct actor *a, json_t **out, struct err *e);
int svc_membership_set(struct store *s, const struct actor *a, int64_t user_id, json_t *input,
		       json_t **out, struct err *e);
int svc_membership_delete(struct store *s, const struct actor *a, int64_t user_id, int64_t org_id,
			  struct err *e);
/* The actor as JSON: {id, email, name, locale, memberships:[{org_id, org_name, role}]} */
json_t *svc_actor_json(const struct actor *a);

/* ---- AI systems (svc/systems.c) ---- */
struct svc_system_query {
	const char *q, *lifecycle_stage, *org_role, *status, *sort, *order, *cursor;
	int64_t org_id, owner_user_id;
	int limit; /* 0: default 50 */
};
int svc_system_create(struct store *s, const struct actor *a, json_t *input, json_t **out,
		      struct err *e);
int svc_system_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
/* expected_version 0: no check. */
int svc_system_update(struct store *s, const struct actor *a, int64_t id, json_t *input,
		      int64_t expected_version, json_t **out, struct err *e);
int svc_system_archive(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
/* {items, next_cursor, total}; bad parameters are AIMS_EBADREQ with a field error. */
int svc_system_list(struct store *s, const struct actor *a, const struct svc_system_query *q,
		    json_t **out, struct err *e);
int svc_system_history(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
/* Whether the actor may edit this system (for showing or hiding the edit button). */
bool svc_system_can_edit(const struct actor *a, json_t *system);
/* Every system matching q (no paging), for exports. */
int svc_system_export(struct store *s, const struct actor *a, const struct svc_system_query *q,
		      json_t **out, struct err *e);
/* CSV text of the systems in list (the export format, which import reads back). */
int svc_system_csv(json_t *list, char **out, size_t *len, struct err *e);
/* All or nothing: on any bad line, nothing is created and e lists every problem. */
int svc_system_import_csv(struct store *s, const struct actor *a, const char *csv, size_t len,
			  json_t **out, struct err *e);

/* ---- Statement of Applicability and assessments (svc/compliance.c) ---- */
/*
 * The SoA of an organisation over the Annex A controls of ISO/IEC 42001:
 * {org_id, org_name, catalog_id, catalog_version, catalog_title, can_edit,
 *  summary: {total, applicable, not_applicable, by_status, overdue},
 *  items: [{control_id, group, group_title, title, applicable, justification, status,
 *           owner_user_id, owner_email, owner_name, due_date, version, catalog_version,
 *           stored, outdated, overdue, ...}]}.
 * status filters items (not the summary): a status code, "excluded" or "overdue";
 * anything else is AIMS_EBADREQ naming "status".
 */
int svc_soa_get(struct store *s, const struct actor *a, int64_t org_id, const char *status,
		json_t **out, struct err *e);
/* One control's entry with its description, crosswalk links and history. */
int svc_soa_entry(struct store *s, const struct actor *a, int64_t org_id, const char *control_id,
		  json_t **out, struct err *e);
/* expected_version for an SoA entry or an assessment that the caller saw as not made
 * yet: saving fails with AIMS_ECONFLICT if someone made it meanwhile. */
#define SVC_VERSION_ABSENT (-1)
/* Changes one control's entry (officer or admin on the organisation); expected_version
 * 0: no check; SVC_VERSION_ABSENT: the entry must not exist yet. input: any of
 * applicable, justification, status, owner_user_id, due_date. */
int svc_soa_set(struct store *s, const struct actor *a, int64_t org_id, const char *control_id,
		json_t *input, int64_t expected_version, json_t **out, struct err *e);
/* Who may own an entry of the organisation's SoA ([{id, email, name}]: users with a role
 * on it or above); empty for actors who may not edit it. */
int svc_soa_owner_options(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e);
/* CSV of an svc_soa_get result, titles in locale ("ko" or "en"); formula-guarded. */
int svc_soa_csv(json_t *soa, const char *locale, char **out, size_t *len, struct err *e);
/* The same as an XLSX workbook (report/soa_xlsx.c) in memory; free(*out). */
int svc_soa_xlsx(json_t *soa, const char *locale, char **out, size_t *len, struct err *e);

/* {system_id, can_edit, frameworks: [{catalog_id, version, title, created_at}], available: [...]} */
int svc_framework_list(struct store *s, const struct actor *a, int64_t system_id, json_t **out,
		       struct err *e);
/* input: {"catalogs": ["catalog id", ...]}: the whole set, replacing the previous one. */
int svc_framework_set(struct store *s, const struct actor *a, int64_t system_id, json_t *input,
		      json_t **out, struct err *e);
/* The system's assessment against one chosen framework, one item per assessable
 * (leaf) requirement: {system_id, system_name, catalog_id, catalog_version, catalog_title,
 * summary, can_edit, items: [{requirement_id, kind, parent, parent_title, title, status,
 * note, assessor_email, assessed_on, version, ...}]}. */
int svc_assessment_list(struct store *s, const struct actor *a, int64_t system_id, const char *catalog_id,
			json_t **out, struct err *e);
/* CSV of an svc_assessment_list result, titles in locale ("ko" or "en"); formula-guarded. */
int svc_assessment_csv(json_t *list, const char *locale, char **out, size_t *len, struct err *e);
/* The same as an XLSX workbook (report/assessment_xlsx.c) in memory; free(*out). */
int svc_assessment_xlsx(json_t *list, const char *locale, char **out, size_t *len, struct err *e);
/* input: {catalog, requirement, status?, note?, assessed_on?}; the assessor is the actor.
 * expected_version: as for svc_soa_set (0 no check, SVC_VERSION_ABSENT not made yet). */
int svc_assessment_set(struct store *s, const struct actor *a, int64_t system_id, json_t *input,
		       int64_t expected_version, json_t **out, struct err *e);
int svc_assessment_history(struct store *s, const struct actor *a, int64_t system_id, const char *catalog_id,
			   const char *requirement_id, json_t **out, struct err *e);

/* ---- catalog versions (svc/catalog_versions.c; the diff itself: svc/catalogs.h) ---- */
struct catalog;
/*
 * The stored SoA entries and assessments of catalog_id that are not at the version in
 * use or wait for review, in the organisations and systems the actor can read:
 * {catalog_id, version, title, review, known_versions: [...],
 *  versions: [{version, known, rows, soa, assessments, counts: {unchanged, editorial,
 *              changed, unknown, removed}}],
 *  orgs: [{org_id, org_name, can_migrate, counts, items: [{id, control_id,
 *          catalog_version, review_from, status, change, fields, title}]}],
 *  systems: [{system_id, system_name, system_status, org_id, org_name, can_migrate,
 *             counts, items: [{id, requirement_id, ...}]}]}.
 * The old text of a version comes from `from` (an operator's file; NULL for none) when
 * its version matches, else from the earlier versions the library holds; change is
 * unknown when neither has it. Unknown catalog: AIMS_ENOTFOUND naming "catalog".
 */
int svc_catalog_touched(struct store *s, const struct actor *a, const char *catalog_id,
			const struct catalog *from, json_t **out, struct err *e);
/*
 * Moves the rows of one organisation's SoA (input {"org_id": N}) or one system's
 * assessments (input {"system_id": N}) of catalog_id to the version in use, by the rule
 * in svc/catalog_versions.c, in one transaction with history:
 * {catalog_id, version, org_id, system_id, migrated, counts, items: [{control_id or
 *  requirement_id, from_version, change, fields, title}]}.
 */
int svc_catalog_migrate(struct store *s, const struct actor *a, const char *catalog_id, json_t *input,
			const struct catalog *from, json_t **out, struct err *e);
/* ---- evidence (svc/evidence.c) ---- */
/*
 * Evidence belongs to an organisation: a file (kept in the evidence directory by its
 * SHA-256, store/blobs.h) with a title, issue date and validity end, linked to any
 * number of systems, requirements (catalog + requirement id) and assessments (both).
 * Reading follows the organisation. Adding evidence needs RIGHT_SYSTEM_EDIT_ANY there
 * (officer, admin) or, for a system owner, a link to a system they may edit; changing
 * it needs the same or to be its uploader.
 */
struct svc_evidence_config {
	const char *dir;          /* the evidence directory */
	unsigned long long max_bytes; /* largest file accepted */
};

/* A file being received, before it becomes evidence. Zero it, then begin. */
struct svc_upload {
	struct blob_writer writer;
	char filename[256];
	char media_type[128];
	bool started, committed;
	char sha256[BLOB_HEX];
	const char *kind;         /* evidence kind: NULL for "file"; "fair_run" for a test report */
};
int svc_upload_begin(struct svc_upload *u, const struct svc_evidence_config *cfg, const char *filename,
		     const char *media_type, struct err *e);
/* AIMS_ETOOBIG past cfg->max_bytes (then the upload is refused at the end). */
int svc_upload_write(struct svc_upload *u, const void *data, size_t n, struct err *e);
/* Removes what was received unless it became evidence; safe to call twice. */
void svc_upload_release(struct svc_upload *u);

/* input: {title, description?, issued_on?, valid_until?, system_id?, catalog?, requirement?}:
 * the optional link is made in the same transaction. u NULL or never begun: the
 * "file" field error. */
/* input: title, description, issued_on, valid_until, the link fields system_id,
 * catalog and requirement, and risk_ids (ids as an array or "1;2": the risks the
 * evidence addresses, linked by svc_risk_link_in_tx's rules). */
int svc_evidence_create(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
			int64_t org_id, json_t *input, struct svc_upload *u, json_t **out, struct err *e);
/* The evidence with state ("valid", "expiring", "expired"), links, history and can_edit. */
int svc_evidence_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
struct svc_evidence_query {
	int64_t org_id;           /* the organisation and everything below it */
	const char *q, *state, *system_id, *catalog, *requirement, *limit, *offset; /* as typed */
};
/* {items, total, limit, offset}; bad parameters are AIMS_EBADREQ naming the parameter. */
int svc_evidence_list(struct store *s, const struct actor *a, const struct svc_evidence_query *q,
		      json_t **out, struct err *e);
int svc_evidence_update(struct store *s, const struct actor *a, int64_t id, json_t *input,
			int64_t expected_version, json_t **out, struct err *e);
/* input: {system_id?, catalog?, requirement?} (at least a system or a requirement). */
int svc_evidence_link_add(struct store *s, const struct actor *a, int64_t id, json_t *input,
			  json_t **out, struct err *e);
int svc_evidence_link_delete(struct store *s, const struct actor *a, int64_t id, int64_t link_id,
			     struct err *e);
/* Checks the stored file against its SHA-256 and opens it: *fd_out to send and close,
 * *meta {filename, media_type, size_bytes, sha256}. AIMS_EINTEGRITY when it changed. */
int svc_evidence_open(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		      int64_t id, int *fd_out, json_t **meta, struct err *e);
/* Operator: checks every evidence file. {checked, ok, missing: [ids], altered: [ids],
 * unreferenced: [sha256]}; returns AIMS_EINTEGRITY when anything is missing or altered. */
int svc_evidence_verify(struct store *s, const struct svc_evidence_config *cfg, json_t **report,
			struct err *e);

/* ---- risk register (svc/risks.c; docs/internals/risks.md) ---- */
/*
 * A risk belongs to an organisation and, optionally, to one of its AI systems (then to
 * the system's organisation). Reading follows the organisation. Creating, changing and
 * linking evidence need RIGHT_RISK_MANAGE there (admin, officer, reviewer), or editing
 * rights on the risk's system (its owner). A risk is never deleted: it is closed.
 * Every risk returned carries score, level, residual_score, residual_level, overdue.
 */
struct svc_risk_query {
	int64_t org_id;            /* the organisation and everything below it */
	/* as typed: system is an id or "none" (organisation-wide risks only); level is a
	 * vocab_risk_level code; overdue is "true" or empty; order "asc" or "desc" */
	const char *q, *system, *status, *treatment, *source, *objective, *level, *likelihood, *impact,
		*owner, *overdue, *sort, *order, *limit, *offset;
};
/*
 * {org_id, org_name, can_create, items, total, limit, offset,
 *  summary: {total, by_level: {low, medium, high, critical}, overdue, residual_estimated},
 *  matrix: {inherent: [25 × {likelihood, impact, score, level, count}], residual: [...]}}.
 * summary and matrix count every risk matching the filters except likelihood and impact
 * (so the matrix stays whole when one cell is chosen). Bad parameters: AIMS_EBADREQ
 * naming the parameter.
 */
int svc_risk_list(struct store *s, const struct actor *a, const struct svc_risk_query *q, json_t **out,
		  struct err *e);
/* Every risk matching q (limit and offset ignored; at most SVC_RISK_EXPORT_MAX, then
 * AIMS_ETOOBIG), for exports: a JSON array of risks. */
#define SVC_RISK_EXPORT_MAX 10000
int svc_risk_export(struct store *s, const struct actor *a, const struct svc_risk_query *q, json_t **out,
		    struct err *e);
/* CSV of risks (codes, not labels, so it reads back the same in any language); with a
 * BOM and the formula guard of svc_csv_cell. */
int svc_risk_csv(json_t *risks, char **out, size_t *len, struct err *e);
/* The same risks as an XLSX workbook for people (labels in locale, levels coloured;
 * report/risk_xlsx.c) in memory; free(*out). */
int svc_risk_xlsx(json_t *risks, const char *locale, char **out, size_t *len, struct err *e);
/* Whether the actor may add risks to the organisation org (with "path"): a risk
 * manager there, or an owner (for their own systems' risks). */
bool svc_risk_can_add(const struct actor *a, json_t *org);
/* input: the fields of record_risk (system_id optional). 422 names every bad field. */
int svc_risk_create(struct store *s, const struct actor *a, int64_t org_id, json_t *input, json_t **out,
		    struct err *e);
/* The risk with evidence ([{evidence_id, title, kind, valid_until, state}]), history,
 * can_edit. */
int svc_risk_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);
/* expected_version 0: no check. */
int svc_risk_update(struct store *s, const struct actor *a, int64_t id, json_t *input, int64_t expected_version,
		    json_t **out, struct err *e);
/* Links evidence the actor can see, of the risk's organisation, one above it or one
 * below it, to the risk: input {evidence_id}. */
int svc_risk_link_evidence(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
			   struct err *e);
int svc_risk_unlink_evidence(struct store *s, const struct actor *a, int64_t id, int64_t evidence_id,
			     struct err *e);
/* Risks a run of system_id may address, for forms: the system's own risks and the
 * organisation-wide risks of its organisation and those above, that the actor may
 * link: [{id, title, system_id, score, level, status}] (closed ones left out). */
int svc_risk_options(struct store *s, const struct actor *a, int64_t system_id, json_t **out, struct err *e);
/* Who may own a risk of the organisation ([{id, email, name}]); empty for actors who
 * may not manage its risks. */
int svc_risk_owner_options(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e);

/* ---- fairness test runs kept as evidence (svc/fair_runs.c) ---- */
/*
 * Runs the fairness test r (r->path is ignored) on the uploaded CSV csv and keeps the
 * report as evidence of kind "fair_run" on the AI system: a JSON file holding the
 * report (its input.file the uploaded file's name, input.sha256 its digest) and
 * "system_id", linked to the system. The CSV itself is not kept; its SHA-256 identifies it. Needs the right to
 * edit the system. title NULL or "": "Fairness test: FILENAME". Problems with the
 * test are AIMS_EINVAL naming the option (y-true, sensitive, ...) or the line.
 * risk_ids (NULL or "": none; "1;2" or "1,2") names the risks the run addresses; they
 * are linked in the same transaction (svc_risk_options lists the candidates).
 * *out: {evidence, report}.
 */
struct svc_fair_request;
int svc_fair_attach(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		    int64_t system_id, const struct svc_fair_request *r, const char *title, const char *risk_ids,
		    struct svc_upload *csv, json_t **out, struct err *e);
/* The report of a fair_run evidence (re-verified like any download). */
int svc_fair_report(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		    int64_t evidence_id, json_t **out, struct err *e);

/* ---- gap analysis (svc/gap.c) ---- */
/*
 * The gap analysis of an organisation (readers of the organisation):
 * {org_id, org_name, today,
 *  soa: {catalog_id, catalog_version, summary (as svc_soa_get), groups: [{id, title,
 *        applicable, excluded, by_status, no_evidence, expired_evidence}]},
 *  frameworks: [{catalog_id, title, systems, requirements, applicable, by_status, met,
 *        met_share, no_evidence, expired_evidence}]  (assessments of the active systems
 *        of the organisation and those below it),
 *  orgs: [{org_id, name, path, depth, soa: summary, assessments: counter|null}]  (this
 *        organisation and every visible one below it; assessments of its own systems),
 *  truncated: more systems than one analysis reads}.
 */
int svc_gap(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e);
/* The assessment rows behind a number: kind is all, applicable, no_evidence,
 * expired_evidence or an assessment status. {org_id, org_name, catalog_id, catalog_title,
 * kind, items: [{system_id, system_name, org_name, requirement_id, title, status,
 * evidence_state, assessed_on}], truncated}. Bad catalog/kind: AIMS_EBADREQ. */
int svc_gap_items(struct store *s, const struct actor *a, int64_t org_id, const char *catalog_id, const char *kind,
		  json_t **out, struct err *e);

/* ---- fairness testing (svc/fair.c) ---- */

/*
 * A fairness test of a CSV of predictions. Text fields are as a user typed them (the
 * CLI's options, later an HTTP form), NULL when not given; svc validates them and
 * names the option in errors. Needs no store and no actor: it reads only the file.
 */
struct svc_fair_request {
	const char *path;      /* the CSV file (memory-mapped) */
	const char *y_true, *y_pred, *score; /* column names; score may be NULL */
	const char *sensitive; /* column names separated by commas */
	const char *positive;  /* label of the positive class (default "1") */
	const char *negative;  /* label of the negative class (default "0") */
	const char *thresholds; /* "metric=value,metric<=value,..." or NULL */
	const char *bootstrap;  /* replicates, 0 to 10000 (default 0) */
	const char *seed;       /* default 42 */
	const char *confidence; /* in (0, 1), default 0.95 */
	const char *score_digits; /* round scores to this many decimals (0 to 15) */
	const char *threads;    /* 1 to 64; default: online CPUs */
	bool skip_bad_rows;
};

/* Runs the test; *out is the report (docs/fair-schema.json). Input problems are
 * AIMS_EINVAL with the line and column; unreadable files AIMS_EIO. */
int svc_fair_run(const struct svc_fair_request *r, json_t **out, struct err *e);
/* The report as an aligned text table (appended to out). */
int svc_fair_render_text(json_t *report, struct buf *out);
/* The report as one self-contained HTML page, Korean and English labels. */
int svc_fair_render_html(json_t *report, struct buf *out);

/* ---- dashboard (svc/dashboard.c) ---- */
/* {by_stage:[{lifecycle_stage,count}], by_org:[{org_id,org_name,count}], recent:[...], total} */
int svc_dashboard(struct store *s, const struct actor *a, json_t **out, struct err *e);

/* ---- demo data (svc/demo.c) ---- */
/* Loads orgs, users and systems from a demo JSON file under the root organisation;
 * every demo user gets `password`. */
int svc_demo_load(struct store *s, const char *path, const char *password, struct err *e);

/* ---- whole installations (svc/dbcopy.c): operator tasks, CLI only ---- */
/* Per table of store_tables: [{table, rows, sha256}], from one read snapshot. */
int svc_db_checksums(struct store *s, json_t **out, struct err *e);
/*
 * Copies every row of `from` into the empty database `to` (one transaction), then
 * compares row counts and checksums table by table. *report (also on a mismatch):
 * {match, tables:[{table, rows_from, rows_to, sha256_from, sha256_to, match}]}.
 */
int svc_db_copy(struct store *from, struct store *to, json_t **report, struct err *e);
/* A consistent copy of a live SQLite database to the new file path. */
int svc_backup(struct store *s, const char *path, struct err *e);

#endif
