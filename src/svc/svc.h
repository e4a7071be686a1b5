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
/* Changes one control's entry (officer or admin on the organisation); expected_version
 * 0: no check. input: any of applicable, justification, status, owner_user_id, due_date. */
int svc_soa_set(struct store *s, const struct actor *a, int64_t org_id, const char *control_id,
		json_t *input, int64_t expected_version, json_t **out, struct err *e);
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
 * (leaf) requirement: {system_id, catalog_id, catalog_version, summary, can_edit, items}. */
int svc_assessment_list(struct store *s, const struct actor *a, int64_t system_id, const char *catalog_id,
			json_t **out, struct err *e);
/* input: {catalog, requirement, status?, note?, assessed_on?}; the assessor is the actor. */
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
