/*
 * internal.h: helpers shared by the svc/ files; not for front ends.
 */
#ifndef AIMS_SVC_INTERNAL_H
#define AIMS_SVC_INTERNAL_H

#include "svc/svc.h"
#include "base/buf.h"
#include "base/clock.h"

/* The organisations an actor may read, as a store scope. paths points into a. */
struct svc_scope {
	struct store_scope scope;
	const char *paths[64];
};
void svc_scope_of(const struct actor *a, struct svc_scope *out);

/* The text form of a JSON value for the history: strings as-is, arrays as "a;b", null as NULL. */
char *svc_value_text(json_t *v);

/*
 * Writes one history row per field of `changes` whose value differs from `before`;
 * for a create (before NULL) one row with field "*" holding the new record as JSON.
 * Fields flagged secret are never written.
 */
int svc_history_diff(struct store *s, const char *now, const struct actor *a, const char *type,
		     int64_t id, json_t *before, json_t *changes, struct err *e);

/* Validates and creates one system inside the caller's transaction (CSV line or 0). */
int svc_system_create_in_tx(struct store *s, const struct actor *a, json_t *input, long line,
			const char *now, int64_t *id_out, struct err *e);

/* True when the actor is admin over every role the user holds (or is the operator). */
bool svc_admin_over_user(struct store *s, const struct actor *a, int64_t user_id, struct err *e);

/*
 * Whether to run a use case again: true when rc is AIMS_ERETRY (the store reported a
 * serialisation failure, so the transaction was rolled back whole) and fewer than
 * SVC_TX_ATTEMPTS runs were made. Then e is emptied and the caller waits a short,
 * random, growing time, so two colliding requests do not collide again. Use as
 *   do rc = X_once(...); while (svc_retry(rc, &attempt, e));
 */
#define SVC_TX_ATTEMPTS 8
bool svc_retry(int rc, int *attempt, struct err *e);

/* Appends one CSV cell (quoted when needed; a leading = + - @ tab CR or ' gets a
 * guarding ' so spreadsheets never run it as a formula). */
int svc_csv_cell(struct buf *b, const char *text);

/* Today's date (UTC) as YYYY-MM-DD. */
void svc_today(char out[11]);
/* The organisation (with its path) if the actor may see it; else AIMS_ENOTFOUND. */
int svc_load_org(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e);
/* The system (org_path kept for rights) if the actor may see it; else AIMS_ENOTFOUND. */
int svc_load_system(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e);

/*
 * Evidence linked to the requirements of catalog_id (svc/evidence.c): of organisation
 * org_id (system_id 0) or on system system_id's assessment, as
 * {requirement_id: {valid, expired, items: [{id, title, valid_until, state}]}}.
 * svc_evidence_mark adds evidence_valid, evidence_expired and evidence_state
 * ("valid", "expired" when only expired evidence is left, "none") to an entry.
 */
int svc_evidence_by_requirement(struct store *s, int64_t org_id, int64_t system_id, const char *catalog_id,
				const char *today, json_t **out, struct err *e);
void svc_evidence_mark(json_t *entry, json_t *map, const char *requirement_id);

/* A query parameter as typed: def when absent or empty; out of [min, max] or not a
 * number adds a field error naming `name` (the caller then answers AIMS_EBADREQ). */
int64_t svc_param_int(const char *text, const char *name, int64_t min, int64_t max, int64_t def, struct err *e);
/* Whether user_id holds a role on the organisation at org_path or one above it; false
 * also when the store fails (then e->code is set). */
bool svc_holds_role_on(struct store *s, int64_t user_id, const char *org_path, struct err *e);

/* The rows (an array; taken) whose org_field is an organisation the actor may see,
 * in order: for lists joined across organisations (a risk's evidence, ...). */
json_t *svc_keep_visible(struct store *s, const struct actor *a, json_t *rows, const char *org_field);

/* [{id, email, name}] of the users holding a role on org_path or above, by e-mail. */
int svc_users_with_role_on(struct store *s, const char *org_path, json_t **out, struct err *e);

/*
 * Links evidence (of the organisation at evidence_org_path) to risk risk_id inside the
 * caller's transaction, with its history row (svc/risks.c). An invisible risk is a
 * field error on `field`, as is a risk in another branch; a risk the actor may not
 * change is AIMS_EFORBIDDEN.
 */
int svc_risk_link_in_tx(struct store *s, const struct actor *a, int64_t risk_id, int64_t evidence_id,
			const char *evidence_org_path, const char *field, const char *now, struct err *e);

/* Moves the risks of system_id to organisation org_id inside the caller's transaction,
 * with history, when the system moves there (svc/risks.c): a system's risks live where
 * the system does, so its readers, and only they, see them. */
int svc_risks_follow_system(struct store *s, const struct actor *a, int64_t system_id, int64_t org_id,
			    const char *now, struct err *e);

/* Returns rc after rolling back when rc is an error; for `goto out` paths. */
int svc_finish(struct store *s, int rc, struct err *e);

#endif
