/*
 * dbcopy.c: moving a whole installation between databases (`aims db copy`), the
 * per-table checksums that prove a copy (`aims db check`), and the online backup
 * (`aims backup`). These are operator tasks: whoever holds both database URLs
 * already has every row, so there is no actor and no role check here, and the HTTP
 * layer offers none of it.
 *
 * Checksum of a table: each row is written as compact JSON with sorted keys and
 * hashed with SHA-256; the table's checksum is the SHA-256 of those row hashes in
 * byte order. It depends on the rows only, not on either database's order or types,
 * so an SQLite installation and its PostgreSQL copy give the same value. Rows of
 * system_counts with n = 0 are left out: SQLite keeps a zero row after the last
 * system of a kind moves away, a database rebuilt by the triggers never makes one.
 */
#include "svc/internal.h"
#include "base/secret.h"

#include <stdlib.h>
#include <string.h>

#define DIGEST_BYTES SECRET_SHA256_BYTES

struct table_sum {
	const struct store_table *table;
	unsigned char (*digests)[DIGEST_BYTES];
	size_t count, cap;
};

static int add_row_digest(void *ctx, json_t *row, struct err *e)
{
	struct table_sum *sum = ctx;
	if (strcmp(sum->table->name, "system_counts") == 0 &&
	    json_integer_value(json_object_get(row, "n")) == 0)
		return 0;
	char *text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	if (sum->count == sum->cap) {
		size_t cap = sum->cap ? sum->cap * 2 : 1024;
		void *grown = realloc(sum->digests, cap * DIGEST_BYTES);
		if (!grown) {
			free(text);
			return err_set(e, AIMS_ENOMEM, "out of memory");
		}
		sum->digests = grown;
		sum->cap = cap;
	}
	secret_sha256(text, strlen(text), sum->digests[sum->count++]);
	free(text);
	return 0;
}

static int digest_order(const void *a, const void *b)
{
	return memcmp(a, b, DIGEST_BYTES);
}

/* {rows, sha256} of one table. */
static int table_checksum(struct store *s, const struct store_table *t, json_t **out, struct err *e)
{
	struct table_sum sum = { t, NULL, 0, 0 };
	char hex[SECRET_SHA256_HEX];
	int rc = store_table_each(s, t, add_row_digest, &sum, e);
	if (!rc) {
		/* qsort's base must not be NULL even for no rows (an empty table). */
		if (sum.count)
			qsort(sum.digests, sum.count, DIGEST_BYTES, digest_order);
		secret_sha256_hex(sum.count ? (const void *)sum.digests : "", sum.count * DIGEST_BYTES, hex);
		*out = json_pack("{sI ss}", "rows", (json_int_t)sum.count, "sha256", hex);
	}
	free(sum.digests);
	return rc;
}

int svc_db_checksums(struct store *s, json_t **out, struct err *e)
{
	json_t *tables = json_array();
	int rc = store_read_begin(s, e);
	for (const struct store_table *t = store_tables; !rc && t->name; t++) {
		json_t *one = NULL;
		if (!(rc = table_checksum(s, t, &one, e))) {
			json_object_set_new(one, "table", json_string(t->name));
			json_array_append_new(tables, one);
		}
	}
	store_read_end(s);
	if (rc) {
		json_decref(tables);
		tables = NULL;
	}
	*out = tables;
	return rc;
}

static int insert_row(void *ctx, json_t *row, struct err *e)
{
	void **args = ctx;
	return store_table_insert(args[0], args[1], row, e);
}

static int check_empty(struct store *to, struct err *e)
{
	int rc = 0;
	for (const struct store_table *t = store_tables; !rc && t->name; t++) {
		int64_t n = 0;
		if (t->derived)
			continue;
		rc = store_table_count(to, t, &n, e);
		if (!rc && n > 0)
			rc = err_set(e, AIMS_ECONFLICT,
				     "the target database is not empty (%lld rows in %s); copy into a new, empty database",
				     (long long)n, t->name);
	}
	return rc;
}

/* Copies every table that is not derived, in one transaction on the target. */
static int copy_tables(struct store *from, struct store *to, struct err *e)
{
	int rc = store_read_begin(from, e);
	if (rc)
		return rc;
	if ((rc = store_tx_begin(to, e))) {
		store_read_end(from);
		return rc;
	}
	for (const struct store_table *t = store_tables; !rc && t->name; t++) {
		if (t->derived)
			continue;
		void *args[2] = { to, (void *)t };
		rc = store_table_each(from, t, insert_row, args, e);
		if (!rc)
			rc = store_table_finish(to, t, e);
		if (rc && e) {
			char why[sizeof e->message];
			memcpy(why, e->message, sizeof why);
			err_set(e, rc, "copying %s: %s", t->name, why);
		}
	}
	store_read_end(from);
	return svc_finish(to, rc, e);
}

int svc_db_copy(struct store *from, struct store *to, json_t **report, struct err *e)
{
	json_t *sums_from = NULL, *sums_to = NULL;
	*report = NULL;
	int rc = check_empty(to, e);
	if (!rc)
		rc = copy_tables(from, to, e);
	if (!rc)
		rc = svc_db_checksums(from, &sums_from, e);
	if (!rc)
		rc = svc_db_checksums(to, &sums_to, e);
	if (rc)
		goto out;
	json_t *tables = json_array();
	bool all_match = true;
	for (size_t i = 0; i < json_array_size(sums_from); i++) {
		json_t *a = json_array_get(sums_from, i), *b = json_array_get(sums_to, i);
		bool match = json_equal(json_object_get(a, "rows"), json_object_get(b, "rows")) &&
			     json_equal(json_object_get(a, "sha256"), json_object_get(b, "sha256"));
		all_match &= match;
		json_array_append_new(tables, json_pack("{sO sO sO sO sO sb}", "table", json_object_get(a, "table"),
							"rows_from", json_object_get(a, "rows"), "rows_to",
							json_object_get(b, "rows"), "sha256_from", json_object_get(a, "sha256"),
							"sha256_to", json_object_get(b, "sha256"), "match", match));
	}
	*report = json_pack("{so sb}", "tables", tables, "match", all_match);
	if (!all_match)
		rc = err_set(e, AIMS_ESTORE, "the copy does not match its source; see the table above");
out:
	json_decref(sums_from);
	json_decref(sums_to);
	return rc;
}

int svc_backup(struct store *s, const char *path, struct err *e)
{
	if (!path || !*path)
		return err_set(e, AIMS_EINVAL, "name the backup file");
	return store_backup(s, path, e);
}
