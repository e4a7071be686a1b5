/*
 * catalog_diff.h: what changed between two versions of one framework catalog (the
 * same catalog id): requirements added, removed and changed, and for a change which
 * fields. Pure: no I/O, no store; both catalogs come parsed (model/catalog.h).
 *
 * Which changes matter for stored work (the rule of docs/internals/compliance.md):
 * a change of the requirement's kind, title, description, official text or
 * paraphrase flag may change what it asks, so entries made against the old text need
 * a person to look again ("review"). A change of guidance (our implementation note)
 * or of the parent (regrouping) alone is editorial: entries carry over unreviewed.
 *
 * Order is stable, so the JSON form of the same two files is always byte-identical:
 * added and changed requirements in the new file's order, removed ones in the old
 * file's order, changed fields in the order of enum catalog_field.
 *
 * Memory: struct catalog_diff borrows both catalogs (they must outlive it) and owns
 * only its item array; catalog_diff_release frees it. catalog_diff_json returns a
 * new reference.
 */
#ifndef AIMS_MODEL_CATALOG_DIFF_H
#define AIMS_MODEL_CATALOG_DIFF_H

#include "base/err.h"
#include "model/catalog.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum catalog_change { CATALOG_ADDED, CATALOG_REMOVED, CATALOG_CHANGED };

/* The fields of a requirement a change can touch, as bits of catalog_diff_item.fields. */
enum catalog_field {
	CATALOG_FIELD_KIND = 1u << 0,
	CATALOG_FIELD_PARENT = 1u << 1,
	CATALOG_FIELD_TITLE_KO = 1u << 2,
	CATALOG_FIELD_TITLE_EN = 1u << 3,
	CATALOG_FIELD_DESCRIPTION_KO = 1u << 4,
	CATALOG_FIELD_DESCRIPTION_EN = 1u << 5,
	CATALOG_FIELD_GUIDANCE_KO = 1u << 6,
	CATALOG_FIELD_GUIDANCE_EN = 1u << 7,
	CATALOG_FIELD_TEXT_KO = 1u << 8,
	CATALOG_FIELD_TEXT_EN = 1u << 9,
	CATALOG_FIELD_PARAPHRASE = 1u << 10,
};
#define CATALOG_FIELD_COUNT 11
/* Changes that only regroup or re-word our own notes: no review needed. */
#define CATALOG_FIELDS_EDITORIAL (CATALOG_FIELD_PARENT | CATALOG_FIELD_GUIDANCE_KO | CATALOG_FIELD_GUIDANCE_EN)

struct catalog_diff_item {
	enum catalog_change change;
	const char *id;
	const struct catalog_requirement *from; /* NULL when added */
	const struct catalog_requirement *to;   /* NULL when removed */
	unsigned fields;                        /* CATALOG_CHANGED: the fields that differ */
};

struct catalog_diff {
	const struct catalog *from, *to;
	struct catalog_diff_item *items; /* added and changed (new order), then removed (old order) */
	size_t count;
	size_t added, removed, changed, review; /* review: changed items that need review */
	json_t *metadata; /* names of catalog-level members that differ ("version", "title.en", ...) */
};

#define CATALOG_DIFF_INIT { NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL }

/*
 * Compares two versions of one catalog. Returns 0; AIMS_EINVAL with a field error
 * naming "catalog" when the ids differ (the diff is between versions, not between
 * frameworks); AIMS_ENOMEM. On failure *out is empty (release it anyway).
 */
int catalog_diff(const struct catalog *from, const struct catalog *to, struct catalog_diff *out,
		 struct err *e);
void catalog_diff_release(struct catalog_diff *d);

/* The item about requirement id, or NULL when it is the same in both. */
const struct catalog_diff_item *catalog_diff_find(const struct catalog_diff *d, const char *id);
/* Whether entries made against the old text of this item need review (see above). */
bool catalog_diff_needs_review(const struct catalog_diff_item *item);
/* "kind", "parent", "title.ko", ... for one bit of enum catalog_field; NULL otherwise. */
const char *catalog_field_name(unsigned field);
/* The changed fields of an item as a new JSON array of names, in enum order. */
json_t *catalog_diff_field_names(unsigned fields);

/*
 * The stable JSON form:
 * {catalog_id, from: {version, requirements}, to: {version, requirements},
 *  metadata: ["version", ...],
 *  summary: {added, removed, changed, review},
 *  added:   [{id, kind, parent, title: {ko, en}}],
 *  removed: [{id, kind, parent, title}],
 *  changed: [{id, kind, parent, title, fields: ["title.en", ...], review,
 *             before: {field: value}, after: {field: value}}]}
 * where kind, parent and title are the new ones (the old ones for removed), and values
 * are strings, null (absent) or booleans (paraphrase). NULL when out of memory.
 */
json_t *catalog_diff_json(const struct catalog_diff *d);

#endif
