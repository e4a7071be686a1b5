/*
 * auth.c: actors, sign-in, sessions, API tokens and passwords.
 *
 * Secrets never reach the store in the clear: session cookies and API tokens are
 * stored as SHA-256, passwords as argon2id. Every sign-in outcome, sign-out, token
 * creation and revocation and password change is an auth_events row.
 */
#include "svc/internal.h"
#include "base/secret.h"
#include "base/text.h"
#include "model/record.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "aims_"

int svc_actor_load(struct store *s, int64_t user_id, struct actor *a, struct err *e)
{
	json_t *user = NULL;
	memset(a, 0, sizeof *a);
	int rc = store_user_get(s, user_id, &user, e);
	if (rc)
		return rc;
	if (json_is_true(json_object_get(user, "disabled"))) {
		json_decref(user);
		return err_set(e, AIMS_EUNAUTH, "the account is disabled");
	}
	a->user_id = user_id;
	snprintf(a->email, sizeof a->email, "%s", json_string_value(json_object_get(user, "email")));
	snprintf(a->name, sizeof a->name, "%s", json_string_value(json_object_get(user, "name")));
	snprintf(a->locale, sizeof a->locale, "%s", json_string_value(json_object_get(user, "locale")));
	json_decref(user);
	return store_membership_list(s, user_id, &a->memberships, &a->membership_count, e);
}

void svc_actor_operator(struct actor *a)
{
	memset(a, 0, sizeof *a);
	a->operator = true;
	snprintf(a->email, sizeof a->email, "operator");
	snprintf(a->locale, sizeof a->locale, "ko");
}

int svc_actor_by_email(struct store *s, const char *email, struct actor *a, struct err *e)
{
	json_t *user = NULL;
	int rc = store_user_find_email(s, email, &user, e);
	if (rc == AIMS_ENOTFOUND)
		return err_set(e, rc, "no user with e-mail %s", email);
	if (rc)
		return rc;
	int64_t id = json_integer_value(json_object_get(user, "id"));
	json_decref(user);
	return svc_actor_load(s, id, a, e);
}

static char dummy[SECRET_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
	char password[21];
	secret_random_password(password);
	if (secret_password_hash(password, dummy))
		dummy[0] = '\0';
}

/* A hash of a random password nobody knows, made once per process. */
static const char *dummy_hash(void)
{
	pthread_once(&dummy_once, make_dummy_hash);
	return dummy[0] ? dummy : NULL;
}

static void session_expiry(char out[CLOCK_ISO_LEN])
{
	clock_iso(time(NULL) + SVC_SESSION_HOURS * 3600, out);
}

static int login_once(struct store *s, const char *email_raw, const char *password, const char *address,
	      char cookie_out[64], int64_t *user_id, int *retry_after_s, struct err *e)
{
	char now[CLOCK_ISO_LEN], since[CLOCK_ISO_LEN], expires[CLOCK_ISO_LEN];
	char email[256];
	json_t *user = NULL;
	int64_t by_email = 0, by_address = 0;
	int rc;
	size_t n = 0;
	for (; email_raw[n] && n < sizeof email - 1; n++)
		email[n] = (char)((email_raw[n] >= 'A' && email_raw[n] <= 'Z') ? email_raw[n] + 32 : email_raw[n]);
	email[n] = '\0';
	clock_now_iso(now);
	clock_iso(time(NULL) - SVC_THROTTLE_MINUTES * 60, since);
	session_expiry(expires);
	*retry_after_s = 0;

	if ((rc = store_tx_begin(s, e)))
		return rc;
	rc = store_auth_failures(s, email, address, since, &by_email, &by_address, e);
	if (rc)
		goto out;
	if (by_email >= SVC_THROTTLE_PER_EMAIL || by_address >= SVC_THROTTLE_PER_ADDRESS) {
		*retry_after_s = SVC_THROTTLE_MINUTES * 60;
		rc = store_auth_event_add(s, now, "login_throttled", email, 0, address, NULL, e);
		if (!rc)
			rc = store_tx_commit(s, e);
		if (rc) {
			store_tx_rollback(s);
			return rc;
		}
		return err_set(e, AIMS_ETHROTTLED, "too many failed sign-ins; try again in %d minutes",
			       SVC_THROTTLE_MINUTES);
	}
	rc = store_user_find_email(s, email, &user, e);
	/* An unknown e-mail costs one argon2id verification too, so the time taken does
	 * not tell which e-mail addresses have accounts. */
	const char *stored = rc == 0 ? json_string_value(json_object_get(user, "password_hash")) : dummy_hash();
	bool verified = stored && secret_password_verify(stored, password);
	bool ok = rc == 0 && verified && !json_is_true(json_object_get(user, "disabled"));
	if (rc && rc != AIMS_ENOTFOUND)
		goto out;
	if (!ok) {
		rc = store_auth_event_add(s, now, "login_failed", email, user ? json_integer_value(json_object_get(user, "id")) : 0,
					  address, NULL, e);
		if (!rc)
			rc = store_tx_commit(s, e);
		if (rc) {
			store_tx_rollback(s);
			goto done;
		}
		rc = err_set(e, AIMS_EUNAUTH, "wrong e-mail or password");
		goto done;
	}
	*user_id = json_integer_value(json_object_get(user, "id"));
	char token[SECRET_TOKEN_CHARS + 1], hash[SECRET_SHA256_HEX], csrf[SECRET_TOKEN_CHARS + 1];
	char csrf_hex[65];
	secret_random_token(token);
	secret_random_token(csrf);
	secret_sha256_hex(csrf, strlen(csrf), csrf_hex);
	secret_sha256_hex(token, strlen(token), hash);
	rc = store_session_create(s, hash, *user_id, csrf_hex, now, expires, e);
	if (!rc)
		rc = store_auth_event_add(s, now, "login_ok", email, *user_id, address, NULL, e);
	if (!rc)
		snprintf(cookie_out, 64, "%s", token);
out:
	rc = svc_finish(s, rc, e);
done:
	json_decref(user);
	return rc;
}

int svc_login(struct store *s, const char *email_raw, const char *password, const char *address,
	      char cookie_out[64], int64_t *user_id, int *retry_after_s, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = login_once(s, email_raw, password, address, cookie_out, user_id, retry_after_s, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_session_resolve(struct store *s, const char *cookie, int64_t *user_id, char csrf_out[65],
			struct err *e)
{
	char hash[SECRET_SHA256_HEX], now[CLOCK_ISO_LEN];
	if (strlen(cookie) != SECRET_TOKEN_CHARS)
		return err_set(e, AIMS_EUNAUTH, "no valid session");
	secret_sha256_hex(cookie, strlen(cookie), hash);
	clock_now_iso(now);
	int rc = store_session_find(s, hash, now, user_id, csrf_out, e);
	if (rc == AIMS_ENOTFOUND)
		return err_set(e, AIMS_EUNAUTH, "the session has expired; sign in again");
	return rc;
}

static int logout_once(struct store *s, const char *cookie, int64_t user_id, const char *address,
	       struct err *e)
{
	char hash[SECRET_SHA256_HEX], now[CLOCK_ISO_LEN];
	secret_sha256_hex(cookie, strlen(cookie), hash);
	clock_now_iso(now);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	rc = store_session_delete(s, hash, e);
	if (!rc)
		rc = store_auth_event_add(s, now, "logout", NULL, user_id, address, NULL, e);
	return svc_finish(s, rc, e);
}

int svc_logout(struct store *s, const char *cookie, int64_t user_id, const char *address,
	       struct err *e)
{
	int rc, attempt = 0;
	do
		rc = logout_once(s, cookie, user_id, address, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_token_resolve(struct store *s, const char *token, int64_t *user_id, struct err *e)
{
	char hash[SECRET_SHA256_HEX];
	int64_t token_id = 0;
	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 ||
	    strlen(token) != strlen(TOKEN_PREFIX) + SECRET_TOKEN_CHARS)
		return err_set(e, AIMS_EUNAUTH, "the API token is malformed");
	secret_sha256_hex(token, strlen(token), hash);
	int rc = store_token_find(s, hash, user_id, &token_id, e);
	if (rc == AIMS_ENOTFOUND)
		return err_set(e, AIMS_EUNAUTH, "the API token is unknown or revoked");
	return rc;
}

static int token_create_once(struct store *s, const struct actor *a, const char *target_email,
		     const char *name_raw, json_t **out, struct err *e)
{
	char now[CLOCK_ISO_LEN], secret[SECRET_TOKEN_CHARS + 1], token[64], hash[SECRET_SHA256_HEX];
	char prefix[16];
	int64_t user_id = a->user_id, id = 0;
	json_t *user = NULL;
	char *name = text_trim_dup(name_raw ? name_raw : "");
	int rc = 0;
	*out = NULL;
	if (!name)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	size_t chars = text_utf8_length(name, strlen(name));
	if (!text_utf8_valid(name, strlen(name)) || chars < 1 || chars > 100) {
		err_field(e, 0, "name", "must be 1 to 100 characters");
		free(name);
		return AIMS_EINVAL;
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		free(name);
		return rc;
	}
	if (a->operator) {
		if (!target_email) {
			rc = err_set(e, AIMS_EINVAL, "name the user the token is for");
			goto out;
		}
		rc = store_user_find_email(s, target_email, &user, e);
		if (rc == AIMS_ENOTFOUND)
			rc = err_set(e, rc, "no user with e-mail %s", target_email);
		if (rc)
			goto out;
		user_id = json_integer_value(json_object_get(user, "id"));
	}
	secret_random_token(secret);
	snprintf(token, sizeof token, TOKEN_PREFIX "%s", secret);
	snprintf(prefix, sizeof prefix, "%.9s", token);
	secret_sha256_hex(token, strlen(token), hash);
	rc = store_token_create(s, user_id, name, hash, prefix, now, &id, e);
	if (!rc)
		rc = store_auth_event_add(s, now, "token_created", a->operator ? target_email : a->email,
					  user_id, NULL, name, e);
	if (!rc) {
		*out = json_pack("{sI ss ss ss ss}", "id", (json_int_t)id, "name", name, "token", token,
				 "prefix", prefix, "created_at", now);
	}
out:
	rc = svc_finish(s, rc, e);
	json_decref(user);
	free(name);
	return rc;
}

int svc_token_create(struct store *s, const struct actor *a, const char *target_email,
		     const char *name_raw, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = token_create_once(s, a, target_email, name_raw, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_token_list(struct store *s, const struct actor *a, json_t **out, struct err *e)
{
	return store_token_list(s, a->user_id, out, e);
}

static int token_revoke_once(struct store *s, const struct actor *a, int64_t token_id, struct err *e)
{
	char now[CLOCK_ISO_LEN];
	char detail[32];
	clock_now_iso(now);
	snprintf(detail, sizeof detail, "token %lld", (long long)token_id);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	rc = store_token_revoke(s, a->user_id, token_id, now, e);
	if (!rc)
		rc = store_auth_event_add(s, now, "token_revoked", a->email, a->user_id, NULL, detail, e);
	return svc_finish(s, rc, e);
}

int svc_token_revoke(struct store *s, const struct actor *a, int64_t token_id, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = token_revoke_once(s, a, token_id, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

/*
 * An admin may manage a user only when every role the user holds lies inside the
 * admin's subtrees: otherwise the admin of a branch could take over an account that
 * also holds power elsewhere (say, the city's admin with a viewer role in the branch).
 */
bool svc_admin_over_user(struct store *s, const struct actor *a, int64_t user_id, struct err *e)
{
	if (a->operator)
		return true;
	struct membership *ms = NULL;
	size_t n = 0;
	bool ok = true;
	if (store_membership_list(s, user_id, &ms, &n, e))
		return false;
	for (size_t i = 0; i < n && ok; i++)
		ok = (actor_rights_on(a, ms[i].org_path) & RIGHT_ADMIN) != 0;
	free(ms);
	return ok && n > 0;
}

static bool may_manage_user(struct store *s, const struct actor *a, int64_t user_id, struct err *e)
{
	return a->user_id == user_id || svc_admin_over_user(s, a, user_id, e);
}

static int password_set_once(struct store *s, const struct actor *a, const char *email, const char *password,
		     struct err *e)
{
	char now[CLOCK_ISO_LEN], hash[SECRET_PWHASH_MAX];
	json_t *user = NULL, *fields = NULL;
	size_t chars = text_utf8_length(password, strlen(password));
	if (!text_utf8_valid(password, strlen(password)) || chars < 12 || chars > 256) {
		err_field(e, 0, "password", "must be 12 to 256 characters");
		return AIMS_EINVAL;
	}
	if (secret_password_hash(password, hash))
		return err_set(e, AIMS_ENOMEM, "out of memory while hashing");
	clock_now_iso(now);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	rc = store_user_find_email(s, email, &user, e);
	if (rc == AIMS_ENOTFOUND)
		rc = err_set(e, rc, "no user with e-mail %s", email);
	if (rc)
		goto out;
	int64_t id = json_integer_value(json_object_get(user, "id"));
	if (!may_manage_user(s, a, id, e)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "you may not change this user's password");
		goto out;
	}
	fields = json_pack("{ss}", "password_hash", hash);
	rc = store_user_update(s, id, fields, now, e);
	if (!rc)
		rc = store_session_delete_user(s, id, e);
	if (!rc)
		rc = store_change_add(s, now, a->user_id, "user", id, "password", NULL, "(changed)", e);
	if (!rc)
		rc = store_auth_event_add(s, now, "password_changed", email, id, NULL,
					  a->operator ? "by operator" : a->email, e);
out:
	rc = svc_finish(s, rc, e);
	json_decref(user);
	json_decref(fields);
	return rc;
}

int svc_password_set(struct store *s, const struct actor *a, const char *email, const char *password,
		     struct err *e)
{
	int rc, attempt = 0;
	do
		rc = password_set_once(s, a, email, password, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int init_once(struct store *s, const char *org_name, const char *admin_email, const char *password,
	     struct err *e)
{
	char now[CLOCK_ISO_LEN], hash[SECRET_PWHASH_MAX];
	int64_t users = 0, org_id = 0, user_id = 0;
	json_t *raw = json_pack("{ss ss ss}", "email", admin_email, "name", "Administrator", "password", password);
	json_t *raw_org = json_pack("{ss? ss}", "name", org_name, "kind", "city");
	json_t *user = NULL, *org = NULL;
	int rc = record_validate(&record_user, raw, RECORD_CREATE, 0, &user, e);
	/* the organisation's name follows the same rules as any organisation's */
	int org_rc = record_validate(&record_org, raw_org, RECORD_CREATE, 0, &org, e);
	json_decref(raw);
	json_decref(raw_org);
	if (rc || org_rc) {
		if (e && e->fields) { /* "name" can only be the organisation's: the admin's is fixed */
			size_t i;
			json_t *f;
			json_array_foreach(e->fields, i, f)
				if (!strcmp(json_string_value(json_object_get(f, "field")), "name"))
					json_object_set_new(f, "field", json_string("org_name"));
		}
		json_decref(user);
		json_decref(org);
		return rc ? rc : org_rc;
	}
	org_name = json_string_value(json_object_get(org, "name"));
	if (secret_password_hash(password, hash)) {
		json_decref(user);
		json_decref(org);
		return err_set(e, AIMS_ENOMEM, "out of memory while hashing");
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e))) {
		json_decref(user);
		json_decref(org);
		return rc;
	}
	rc = store_user_count(s, &users, e);
	if (!rc && users > 0)
		rc = err_set(e, AIMS_ECONFLICT, "the database is already initialised (%lld users)", (long long)users);
	if (!rc)
		rc = store_org_create(s, org_name, "city", 0, now, &org_id, e);
	const char *email = json_string_value(json_object_get(user, "email"));
	if (!rc)
		rc = store_user_create(s, email, "Administrator", hash, "ko", now, &user_id, e);
	if (!rc)
		rc = store_membership_set(s, user_id, org_id, "admin", now, e);
	if (!rc)
		rc = store_change_add(s, now, 0, "org", org_id, "*", NULL, org_name, e);
	if (!rc)
		rc = store_change_add(s, now, 0, "user", user_id, "*", NULL, email, e);
	rc = svc_finish(s, rc, e);
	json_decref(user);
	json_decref(org);
	return rc;
}

int svc_init(struct store *s, const char *org_name, const char *admin_email, const char *password,
	     struct err *e)
{
	int rc, attempt = 0;
	do
		rc = init_once(s, org_name, admin_email, password, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}
