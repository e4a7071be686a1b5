/*
 * catalogs.h: loading the framework library (catalogs/ and catalogs/crosswalks/).
 *
 * The library is read either from the copy embedded into the binary at build time
 * (the default, so a server needs no files beside it) or from a directory on disk
 * (to check files being edited before they are built in). Parsing and validation
 * are model/catalog's; this file only finds and reads the files.
 *
 * Separate from svc.h because it needs no store: the catalogs are the same for every
 * organisation and change only with a release.
 */
#ifndef AIMS_SVC_CATALOGS_H
#define AIMS_SVC_CATALOGS_H

#include "base/err.h"
#include "model/catalog.h"

/*
 * Loads every .json file in DIR and DIR/crosswalks (dir NULL: the embedded catalogs/),
 * in name order, into out (catalog_set_release it, also on failure), then runs
 * catalog_set_check. Returns 0; AIMS_EINVAL with one field error per problem (the
 * set still holds what could be read); AIMS_EIO when the directory or a file cannot
 * be read; AIMS_ENOMEM.
 */
int svc_catalogs_load(const char *dir, struct catalog_set *out, struct err *e);

/*
 * The library in use, loaded once per process on first use and never freed (it is
 * immutable, so every thread may read it): the embedded copy, or the directory given
 * to svc_catalogs_configure. Failures are not expected for the embedded copy: the
 * build checks the same files (`aims catalog check` in make check).
 */
int svc_catalogs_builtin(const struct catalog_set **out, struct err *e);

/*
 * Earlier versions of catalogs (same id, another "version"), which stored entries may
 * still be tied to: catalogs/previous/ (embedded) or DIR/previous/ when the library
 * is read from DIR, plus every .json file of previous_dir when given. They are only
 * read, never used for new work: the diff, "what it touches" and migrations compare
 * against them (docs/catalogs.md). The set is loaded once, like the library.
 */
int svc_catalogs_previous(const struct catalog_set **out, struct err *e);

/*
 * Before the first use of the two above: read the library from dir instead of the
 * embedded copy (NULL: embedded) and earlier versions also from previous_dir (NULL:
 * none besides the library's own previous/). The CLI calls it from AIMS_CATALOGS and
 * AIMS_CATALOG_PREVIOUS; the strings must live as long as the process.
 */
void svc_catalogs_configure(const char *dir, const char *previous_dir);

/*
 * Loads the earlier versions as svc_catalogs_previous does, into out (release it, also
 * on failure), for `aims catalog check`: problems are files that are not catalogs, two
 * files with one (id, version), and, when current is given, a copy of a version in use.
 */
int svc_catalogs_load_previous(const char *dir, const char *previous_dir, const struct catalog_set *current,
			       struct catalog_set *out, struct err *e);

/* The catalog (id, version) in s, or NULL. */
const struct catalog *svc_catalogs_find_version(const struct catalog_set *s, const char *id,
						const char *version);

/*
 * Catalog id as found at path: one catalog file, or a library directory (read as
 * svc_catalogs_load). out holds it (release it, also on failure) and *found points
 * into out. No catalog id there: AIMS_ENOTFOUND with a field error on "catalog".
 */
int svc_catalogs_open_path(const char *path, const char *id, struct catalog_set *out,
			   const struct catalog **found, struct err *e);

/* ---- catalog versions (svc/catalog_versions.c); the use cases on stored rows are in svc.h ---- */

/* The diff of two versions of one catalog in the JSON form of model/catalog_diff.h. */
int svc_catalog_diff(const struct catalog *from, const struct catalog *to, json_t **out, struct err *e);

/*
 * The diff from version from_version of catalog_id (an earlier version, or the one in
 * use) to the version in use: what GET /api/v1/catalogs/{catalog}/diff answers. An
 * unknown catalog is AIMS_ENOTFOUND naming "catalog"; a missing from_version
 * AIMS_EBADREQ naming "from"; one that is not known AIMS_ENOTFOUND naming "from".
 */
int svc_catalog_diff_version(const char *catalog_id, const char *from_version, json_t **out, struct err *e);

/* The versions of catalog_id known here, as a new JSON array: {version, current, file}
 * for the one in use first, then the earlier ones in file-name order. */
json_t *svc_catalog_versions(const char *catalog_id);

#endif
