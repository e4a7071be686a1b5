/*
 * auth_cache.c: resolved credentials (API token or session cookie → actor) cached in
 * memory, so a request does not repeat three lookups its predecessor just made.
 *
 * Correctness: an entry records the store's auth epoch when it was made; a lookup
 * reads the epoch in the caller's snapshot and uses the entry only when it is the
 * same, and only for MAX_AGE_S seconds (a session's expiry is a time, not a write). Every change that could matter (token revoked, session ended, user disabled,
 * role changed) raises the epoch in its own transaction, so it takes effect at once.
 *
 * Entries are keyed by the SHA-256 of the credential (the secret itself is never
 * kept), live in a fixed table of SLOTS entries, and are copied in and out under one
 * mutex: callers own what they get back.
 */
#include "svc/internal.h"
#include "base/secret.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 256
/* Sessions expire by the clock, which the epoch does not see: entries live at most this long. */
#define MAX_AGE_S 30

struct cached {
	char key[SECRET_SHA256_HEX]; /* SHA-256 of kind + credential; "" when empty */
	int64_t epoch;
	time_t made;
	struct actor actor;
	char csrf[65];
};

static struct cached table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(const char *key)
{
	return (unsigned)strtoul((char[9]){ key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7], 0 },
				 NULL, 16) % SLOTS;
}

static int copy_actor(struct actor *to, const struct actor *from)
{
	*to = *from;
	to->memberships = NULL;
	if (from->membership_count) {
		to->memberships = malloc(from->membership_count * sizeof *from->memberships);
		if (!to->memberships)
			return AIMS_ENOMEM;
		memcpy(to->memberships, from->memberships, from->membership_count * sizeof *from->memberships);
	}
	return 0;
}

static bool cache_get(const char *key, int64_t epoch, struct actor *a, char csrf[65])
{
	bool hit = false;
	struct cached *c = &table[slot_of(key)];
	pthread_mutex_lock(&lock);
	if (c->key[0] && c->epoch == epoch && time(NULL) - c->made <= MAX_AGE_S && strcmp(c->key, key) == 0)
		hit = copy_actor(a, &c->actor) == 0;
	if (hit && csrf)
		memcpy(csrf, c->csrf, 65);
	pthread_mutex_unlock(&lock);
	return hit;
}

static void cache_put(const char *key, int64_t epoch, const struct actor *a, const char *csrf)
{
	struct actor copy;
	if (copy_actor(&copy, a))
		return;
	struct cached *c = &table[slot_of(key)];
	pthread_mutex_lock(&lock);
	actor_release(&c->actor);
	snprintf(c->key, sizeof c->key, "%s", key);
	c->epoch = epoch;
	c->made = time(NULL);
	c->actor = copy;
	snprintf(c->csrf, sizeof c->csrf, "%s", csrf ? csrf : "");
	pthread_mutex_unlock(&lock);
}

void svc_auth_cache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < SLOTS; i++) {
		actor_release(&table[i].actor);
		memset(&table[i], 0, sizeof table[i]);
	}
	pthread_mutex_unlock(&lock);
}

int svc_authenticate(struct store *s, const char *kind, const char *credential, struct actor *a,
		     char csrf_out[65], struct err *e)
{
	char key[SECRET_SHA256_HEX];
	int64_t epoch = 0, user_id = 0;
	size_t kn = strlen(kind), cn = strlen(credential);
	char *material = malloc(kn + cn + 2);
	if (!material)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	memcpy(material, kind, kn);
	material[kn] = ':';
	memcpy(material + kn + 1, credential, cn + 1);
	secret_sha256_hex(material, kn + cn + 1, key);
	free(material);
	int rc = store_auth_epoch(s, &epoch, e);
	if (rc)
		return rc;
	if (cache_get(key, epoch, a, csrf_out))
		return 0;
	if (strcmp(kind, "token") == 0)
		rc = svc_token_resolve(s, credential, &user_id, e);
	else
		rc = svc_session_resolve(s, credential, &user_id, csrf_out, e);
	if (!rc)
		rc = svc_actor_load(s, user_id, a, e);
	if (rc == AIMS_ENOTFOUND)
		rc = err_set(e, AIMS_EUNAUTH, "the account is disabled or gone");
	if (!rc)
		cache_put(key, epoch, a, strcmp(kind, "token") ? csrf_out : NULL);
	return rc;
}
