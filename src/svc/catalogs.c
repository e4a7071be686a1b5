/*
 * catalogs.c: finds and reads the catalog files, embedded or on disk, and hands
 * them to model/catalog.
 *
 * Two libraries per process, both loaded once and immutable: the one in use
 * (catalogs/ and catalogs/crosswalks/, embedded or from AIMS_CATALOGS) and the earlier
 * versions (catalogs/previous/, DIR/previous/ and AIMS_CATALOG_PREVIOUS), kept in a set
 * of their own because they repeat the ids of the library.
 *
 * Invariant: files are added in byte order of their names (catalogs first, then
 * crosswalks), so messages and listings come out the same on every machine.
 * Memory: each file's bytes are freed once parsed; the set owns what it keeps.
 */
#include "svc/catalogs.h"

#include "base/asset.h"
#include "base/buf.h"

#include <dirent.h>
#include <sys/stat.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMBEDDED_PREFIX "catalogs/"
#define CROSSWALK_DIR "crosswalks"
#define PREVIOUS_DIR "previous"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Collects the problems of every file instead of stopping at the first. */
static int add_one(struct catalog_set *s, const char *name, const char *data, size_t len,
		   struct err *e, bool *invalid)
{
	int rc = catalog_set_add(s, name, data, len, e);
	if (rc == AIMS_EINVAL) {
		*invalid = true;
		return 0;
	}
	return rc;
}

static int load_embedded(struct catalog_set *s, struct err *e, bool *invalid)
{
	/* asset_table is sorted by path, so "catalogs/a.json" < "catalogs/crosswalks/..."
	 * would interleave; add catalogs first, then crosswalks, as from disk. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < asset_count; i++) {
			const struct asset *a = &asset_table[i];
			if (strncmp(a->path, EMBEDDED_PREFIX, strlen(EMBEDDED_PREFIX)) != 0 ||
			    !has_suffix(a->path, ".json"))
				continue;
			const char *rest = a->path + strlen(EMBEDDED_PREFIX);
			bool crosswalk = strncmp(rest, CROSSWALK_DIR "/", strlen(CROSSWALK_DIR) + 1) == 0;
			/* Other folders (previous/: earlier versions) are not part of the library. */
			if ((!crosswalk && strchr(rest, '/')) || crosswalk != (pass == 1))
				continue;
			int rc = add_one(s, a->path, a->data, a->len, e, invalid);
			if (rc)
				return rc;
		}
	return 0;
}

static int read_file(const char *path, char **data, size_t *len, struct err *e)
{
	struct buf b = BUF_INIT(CATALOG_MAX_FILE);
	char chunk[16384];
	FILE *f = fopen(path, "rb");
	int rc = 0;
	*data = NULL;
	if (!f)
		return err_set(e, AIMS_EIO, "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		size_t n = fread(chunk, 1, sizeof chunk, f);
		if (n && (rc = buf_add(&b, chunk, n))) {
			rc = rc == AIMS_ETOOBIG ? err_set(e, AIMS_ETOOBIG, "%s is larger than %u MiB", path,
							  CATALOG_MAX_FILE >> 20)
						: err_set(e, AIMS_ENOMEM, "out of memory reading %s", path);
			goto out;
		}
		if (n < sizeof chunk)
			break;
	}
	if (ferror(f)) {
		rc = err_set(e, AIMS_EIO, "cannot read %s", path);
		goto out;
	}
	if (!b.data && buf_add(&b, "", 0)) {
		rc = err_set(e, AIMS_ENOMEM, "out of memory reading %s", path);
		goto out;
	}
	*data = buf_detach(&b, len);
out:
	buf_release(&b);
	fclose(f);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the .json files of dir in name order; a missing directory is fine when optional. */
static int load_dir(struct catalog_set *s, const char *dir, bool optional, struct err *e,
		    bool *invalid)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct buf path = BUF_INIT(4096);
	int rc = 0;
	if (!d) {
		if (optional && errno == ENOENT)
			return 0;
		return err_set(e, AIMS_EIO, "cannot open directory %s: %s", dir, strerror(errno));
	}
	while ((ent = readdir(d))) {
		if (ent->d_name[0] == '.' || !has_suffix(ent->d_name, ".json"))
			continue;
		if (count >= CATALOG_MAX_FILES) {
			rc = err_set(e, AIMS_ETOOBIG, "more than %d files in %s", CATALOG_MAX_FILES, dir);
			goto out;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **grown = realloc(names, ncap * sizeof *grown);
			if (!grown) {
				rc = err_set(e, AIMS_ENOMEM, "out of memory");
				goto out;
			}
			names = grown;
			cap = ncap;
		}
		if (!(names[count] = strdup(ent->d_name))) {
			rc = err_set(e, AIMS_ENOMEM, "out of memory");
			goto out;
		}
		count++;
	}
	if (count)
		qsort(names, count, sizeof *names, by_name);
	for (size_t i = 0; i < count && !rc; i++) {
		char *data = NULL;
		size_t len = 0;
		buf_reset(&path);
		if (buf_addf(&path, "%s/%s", dir, names[i])) {
			rc = err_set(e, AIMS_ETOOBIG, "path too long in %s", dir);
			break;
		}
		if (!(rc = read_file(buf_str(&path), &data, &len, e)))
			rc = add_one(s, buf_str(&path), data, len, e, invalid);
		free(data);
	}
out:
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	buf_release(&path);
	closedir(d);
	return rc;
}

int svc_catalogs_load(const char *dir, struct catalog_set *out, struct err *e)
{
	struct buf sub = BUF_INIT(4096);
	bool invalid = false;
	int rc = 0;
	catalog_set_init(out);
	if (!dir) {
		rc = load_embedded(out, e, &invalid);
	} else {
		rc = load_dir(out, dir, false, e, &invalid);
		if (!rc && buf_addf(&sub, "%s/crosswalks", dir))
			rc = err_set(e, AIMS_ETOOBIG, "path too long: %s", dir);
		if (!rc)
			rc = load_dir(out, buf_str(&sub), true, e, &invalid);
	}
	if (rc)
		goto out;
	if (out->catalog_count == 0) {
		rc = err_set(e, AIMS_EINVAL, "no catalogs found in %s", dir ? dir : "the embedded catalogs/");
		goto out;
	}
	if (catalog_set_check(out, e))
		invalid = true;
	if (invalid) {
		size_t n = err_field_count(e);
		rc = err_set(e, AIMS_EINVAL, "%zu problem%s in the catalogs", n, n == 1 ? "" : "s");
	}
out:
	buf_release(&sub);
	return rc;
}

/* ---- earlier versions ---- */

/* Adds the .json files embedded under catalogs/previous/. */
static int load_embedded_previous(struct catalog_set *s, struct err *e, bool *invalid)
{
	static const char prefix[] = EMBEDDED_PREFIX PREVIOUS_DIR "/";
	for (size_t i = 0; i < asset_count; i++) {
		const struct asset *a = &asset_table[i];
		if (strncmp(a->path, prefix, sizeof prefix - 1) || !has_suffix(a->path, ".json") ||
		    strchr(a->path + sizeof prefix - 1, '/'))
			continue;
		int rc = add_one(s, a->path, a->data, a->len, e, invalid);
		if (rc)
			return rc;
	}
	return 0;
}

const struct catalog *svc_catalogs_find_version(const struct catalog_set *s, const char *id,
						const char *version)
{
	for (size_t i = 0; id && version && i < s->catalog_count; i++)
		if (!strcmp(s->catalogs[i].id, id) && s->catalogs[i].version &&
		    !strcmp(s->catalogs[i].version, version))
			return &s->catalogs[i];
	return NULL;
}

int svc_catalogs_load_previous(const char *dir, const char *extra_dir, const struct catalog_set *current,
			       struct catalog_set *out, struct err *e)
{
	struct buf sub = BUF_INIT(4096);
	bool invalid = false;
	int rc = 0;
	catalog_set_init(out);
	if (!dir)
		rc = load_embedded_previous(out, e, &invalid);
	else if (buf_addf(&sub, "%s/" PREVIOUS_DIR, dir))
		rc = err_set(e, AIMS_ETOOBIG, "path too long: %s", dir);
	else
		rc = load_dir(out, buf_str(&sub), true, e, &invalid);
	if (!rc && extra_dir)
		rc = load_dir(out, extra_dir, false, e, &invalid);
	if (rc)
		goto out;
	/* Earlier versions stand alone: no crosswalks, one file per (id, version), and
	 * none a copy of the version in use (that would make "outdated" meaningless). */
	for (size_t i = 0; i < out->crosswalk_count; i++) {
		err_field(e, 0, out->crosswalks[i].file, "%s: only catalogs belong with the earlier versions",
			  out->crosswalks[i].id);
		invalid = true;
	}
	for (size_t i = 0; i < out->catalog_count; i++) {
		const struct catalog *c = &out->catalogs[i];
		if (!*c->id || !c->version)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(out->catalogs[j].id, c->id) && out->catalogs[j].version &&
			    !strcmp(out->catalogs[j].version, c->version)) {
				err_field(e, c->line, c->file, "%s: version %s is also in %s", c->id, c->version,
					  out->catalogs[j].file);
				invalid = true;
			}
		if (current && svc_catalogs_find_version(current, c->id, c->version)) {
			err_field(e, c->line, c->file, "%s: version %s is the version in use, not an earlier one", c->id,
				  c->version);
			invalid = true;
		}
	}
	if (invalid) {
		size_t n = err_field_count(e);
		rc = err_set(e, AIMS_EINVAL, "%zu problem%s in the earlier catalog versions", n, n == 1 ? "" : "s");
	}
out:
	buf_release(&sub);
	return rc;
}

int svc_catalogs_open_path(const char *path, const char *id, struct catalog_set *out,
			   const struct catalog **found, struct err *e)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int rc = 0;
	*found = NULL;
	catalog_set_init(out);
	if (stat(path, &st) != 0)
		return err_set(e, AIMS_EIO, "cannot open %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		rc = svc_catalogs_load(path, out, e);
	} else if (!(rc = read_file(path, &data, &len, e))) {
		rc = catalog_set_add(out, path, data, len, e);
		if (rc == AIMS_EINVAL) {
			size_t n = err_field_count(e);
			rc = err_set(e, AIMS_EINVAL, "%zu problem%s in %s", n, n == 1 ? "" : "s", path);
		}
	}
	free(data);
	if (rc)
		return rc;
	if (!(*found = catalog_set_find(out, id))) {
		err_field_code(e, 0, "catalog", "choice", -1, "%s holds no catalog %s", path, id);
		return err_set(e, AIMS_ENOTFOUND, "no catalog %s in %s", id, path);
	}
	return 0;
}

/* ---- the library of this process ---- */

static const char *configured_dir, *configured_previous;

void svc_catalogs_configure(const char *dir, const char *previous_dir)
{
	configured_dir = dir && *dir ? dir : NULL;
	configured_previous = previous_dir && *previous_dir ? previous_dir : NULL;
}

static struct catalog_set builtin = CATALOG_SET_INIT, previous = CATALOG_SET_INIT;
static int builtin_rc, previous_rc;
static char builtin_message[512], previous_message[512];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT, previous_once = PTHREAD_ONCE_INIT;

static void load_builtin(void)
{
	struct err e = ERR_INIT;
	builtin_rc = svc_catalogs_load(configured_dir, &builtin, &e);
	snprintf(builtin_message, sizeof builtin_message, "%s", e.message);
	err_release(&e);
}

int svc_catalogs_builtin(const struct catalog_set **out, struct err *e)
{
	pthread_once(&builtin_once, load_builtin);
	*out = &builtin;
	if (builtin_rc)
		return err_set(e, builtin_rc, "the %s catalogs did not load: %s", configured_dir ? "configured" : "built-in",
			       builtin_message);
	return 0;
}

static void load_previous(void)
{
	struct err e = ERR_INIT;
	const struct catalog_set *current = NULL;
	if (svc_catalogs_builtin(&current, &e))
		current = NULL;
	err_release(&e);
	previous_rc = svc_catalogs_load_previous(configured_dir, configured_previous, current, &previous, &e);
	snprintf(previous_message, sizeof previous_message, "%s", e.message);
	err_release(&e);
}

int svc_catalogs_previous(const struct catalog_set **out, struct err *e)
{
	pthread_once(&previous_once, load_previous);
	*out = &previous;
	if (previous_rc)
		return err_set(e, previous_rc, "the earlier catalog versions did not load: %s", previous_message);
	return 0;
}
