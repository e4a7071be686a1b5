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
 * The embedded library, loaded once per process on first use and never freed (it is
 * immutable, so every thread may read it). AIMS_ESTORE-like failures are not
 * expected: the build checks the same files (`aims catalog check` in make check).
 */
int svc_catalogs_builtin(const struct catalog_set **out, struct err *e);

#endif
