/*
 * catalog.h: framework catalogs (ISO/IEC 42001, the AI Basic Act, ...) and the
 * crosswalks between them, parsed from JSON held in memory and validated.
 *
 * The files live in catalogs/ (embedded into the binary) and their format is in
 * docs/catalogs.md. This module does no I/O: callers hand it a file name (used only
 * in messages) and the file's bytes.
 *
 * Life cycle: catalog_set_init, then catalog_set_add for every file (catalogs and
 * crosswalks in any order), then catalog_set_check once all are in; lookups are
 * valid afterwards. catalog_set_release frees everything.
 *
 * Errors: every problem becomes one field error in the struct err with the file as
 * "field", the line (0 when unknown) and, when it is about one entry, the entry's
 * id as an extra "id" member; the message reads "ID: what is wrong". Parsing goes on
 * after a bad entry so one run reports every problem.
 *
 * Memory: the set owns the parsed JSON of every file; all const char * in the
 * structs below point into it and live until catalog_set_release.
 */
#ifndef AIMS_MODEL_CATALOG_H
#define AIMS_MODEL_CATALOG_H

#include "base/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CATALOG_FORMAT "aims-catalog/1"
#define CROSSWALK_FORMAT "aims-crosswalk/1"
#define CATALOG_MAX_FILE (4u << 20) /* bytes per file */
#define CATALOG_MAX_FILES 256

/* A Korean/English pair; either may be NULL when the file gives none. */
struct catalog_text {
	const char *ko;
	const char *en;
};

struct catalog_requirement {
	const char *id;     /* the official number, e.g. "A.6.2.8", "제31조제1항", "GOVERN 1.1" */
	const char *kind;   /* e.g. "clause", "control", "article", "subcategory" */
	const char *parent; /* id of the parent in the same catalog, or NULL */
	struct catalog_text title;
	struct catalog_text description; /* our own words */
	struct catalog_text guidance;    /* implementation note, optional */
	struct catalog_text text;        /* verbatim official text where allowed, optional */
	bool paraphrase;                 /* our paraphrase standing in for unverified official text */
	long line;                       /* line of its "id" in the file, 0 when not found */
};

struct catalog {
	const char *file; /* as given to catalog_set_add */
	const char *id;
	const char *version;
	const char *publisher;
	const char *citation;
	const char *url;
	const char *licence;
	struct catalog_text title;
	struct catalog_text note;
	bool provisional;
	json_t *counts; /* the declared {"kind": n} object (borrowed from root) */
	long line;      /* line of its "id" in the file (1 when not found) */
	struct catalog_requirement *requirements;
	size_t requirement_count;
	json_t *root;
};

enum catalog_relation {
	CATALOG_EQUIVALENT,
	CATALOG_SUBSET,   /* the "from" requirement is narrower than "to" */
	CATALOG_SUPERSET, /* the "from" requirement is broader than "to" */
	CATALOG_RELATED,
};

struct crosswalk_mapping {
	const char *from; /* requirement id in the "from" catalog */
	const char *to;   /* requirement id in the "to" catalog */
	enum catalog_relation relation;
	struct catalog_text rationale;
	long line;
};

struct crosswalk {
	const char *file;
	const char *id;
	const char *from; /* catalog id */
	const char *to;   /* catalog id */
	struct catalog_text title;
	long line; /* line of its "id" in the file (1 when not found) */
	struct crosswalk_mapping *mappings;
	size_t mapping_count;
	json_t *root;
};

struct catalog_set {
	struct catalog *catalogs;
	size_t catalog_count;
	struct crosswalk *crosswalks;
	size_t crosswalk_count;
};

#define CATALOG_SET_INIT { NULL, 0, NULL, 0 }

void catalog_set_init(struct catalog_set *s);
void catalog_set_release(struct catalog_set *s);

/*
 * Parses one file (a catalog or a crosswalk, told apart by its "format") and adds it
 * to the set. Returns 0, AIMS_EINVAL with field errors in e (the file is then added
 * as far as it could be read, so catalog_set_check can still report the rest), or
 * AIMS_ENOMEM / AIMS_ETOOBIG.
 */
int catalog_set_add(struct catalog_set *s, const char *file, const char *data, size_t len,
		    struct err *e);

/*
 * The checks that need every file: catalog and crosswalk ids unique across files,
 * crosswalk catalogs and requirement ids exist. Returns 0 or AIMS_EINVAL with the
 * problems added to e (after any already there).
 */
int catalog_set_check(const struct catalog_set *s, struct err *e);

const struct catalog *catalog_set_find(const struct catalog_set *s, const char *id);
const struct catalog_requirement *catalog_find_requirement(const struct catalog *c, const char *id);
/* Number of requirements of the given kind. */
size_t catalog_count_kind(const struct catalog *c, const char *kind);

const char *catalog_relation_name(enum catalog_relation r);
/* The relation read from the other side: subset <-> superset. */
enum catalog_relation catalog_relation_inverse(enum catalog_relation r);

/*
 * Every mapping that touches (catalog_id, requirement_id) on either side, as a new
 * JSON array of {catalog, id, relation, rationale: {ko, en}, crosswalk}, where
 * catalog/id name the other side and relation is read from this requirement's side.
 * Mappings whose other side does not exist are left out.
 * NULL when out of memory.
 */
json_t *catalog_set_links(const struct catalog_set *s, const char *catalog_id,
			  const char *requirement_id);

/* Line (1-based) of the n-th (0-based) `"key": "value"` pair in text, 0 if none. */
long catalog_find_line(const char *text, size_t len, const char *key, const char *value,
		       size_t nth);

#endif
