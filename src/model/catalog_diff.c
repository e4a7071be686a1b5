/*
 * catalog_diff.c: the requirement-by-requirement comparison of two versions of one
 * catalog, and its stable JSON form (contract in catalog_diff.h).
 *
 * Requirements are matched by id: an id is the official number, so a requirement
 * that keeps its number is the same requirement even when moved or re-worded, and a
 * renumbered one reads as one removed and one added (which is what it is for the
 * entries that cite the old number). Lookups go through id-sorted pointer arrays, so
 * the diff of two catalogs of n requirements costs O(n log n).
 *
 * Invariant: every item's id points into one of the two catalogs, which own it.
 */
#include "model/catalog_diff.h"

#include <stdlib.h>
#include <string.h>

static const char *const field_names[CATALOG_FIELD_COUNT] = {
	"kind", "parent", "title.ko", "title.en", "description.ko", "description.en",
	"guidance.ko", "guidance.en", "text.ko", "text.en", "paraphrase",
};

const char *catalog_field_name(unsigned field)
{
	for (unsigned k = 0; k < CATALOG_FIELD_COUNT; k++)
		if (field == 1u << k)
			return field_names[k];
	return NULL;
}

json_t *catalog_diff_field_names(unsigned fields)
{
	json_t *out = json_array();
	for (unsigned k = 0; out && k < CATALOG_FIELD_COUNT; k++)
		if ((fields & (1u << k)) && json_array_append_new(out, json_string(field_names[k]))) {
			json_decref(out);
			return NULL;
		}
	return out;
}

bool catalog_diff_needs_review(const struct catalog_diff_item *item)
{
	return item && item->change == CATALOG_CHANGED && (item->fields & ~CATALOG_FIELDS_EDITORIAL) != 0;
}

/* Two optional strings are the same text (both absent counts as the same). */
static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static unsigned changed_fields(const struct catalog_requirement *a, const struct catalog_requirement *b)
{
	unsigned f = 0;
	if (!same(a->kind, b->kind))
		f |= CATALOG_FIELD_KIND;
	if (!same(a->parent, b->parent))
		f |= CATALOG_FIELD_PARENT;
	if (!same(a->title.ko, b->title.ko))
		f |= CATALOG_FIELD_TITLE_KO;
	if (!same(a->title.en, b->title.en))
		f |= CATALOG_FIELD_TITLE_EN;
	if (!same(a->description.ko, b->description.ko))
		f |= CATALOG_FIELD_DESCRIPTION_KO;
	if (!same(a->description.en, b->description.en))
		f |= CATALOG_FIELD_DESCRIPTION_EN;
	if (!same(a->guidance.ko, b->guidance.ko))
		f |= CATALOG_FIELD_GUIDANCE_KO;
	if (!same(a->guidance.en, b->guidance.en))
		f |= CATALOG_FIELD_GUIDANCE_EN;
	if (!same(a->text.ko, b->text.ko))
		f |= CATALOG_FIELD_TEXT_KO;
	if (!same(a->text.en, b->text.en))
		f |= CATALOG_FIELD_TEXT_EN;
	if (a->paraphrase != b->paraphrase)
		f |= CATALOG_FIELD_PARAPHRASE;
	return f;
}

/* ---- id-sorted indexes ---- */

static int by_requirement_id(const void *a, const void *b)
{
	const struct catalog_requirement *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

/* A new array of pointers to c's requirements sorted by id; NULL when out of memory. */
static const struct catalog_requirement **index_requirements(const struct catalog *c)
{
	const struct catalog_requirement **idx = malloc((c->requirement_count ? c->requirement_count : 1) *
							 sizeof *idx);
	if (!idx)
		return NULL;
	for (size_t i = 0; i < c->requirement_count; i++)
		idx[i] = &c->requirements[i];
	if (c->requirement_count)
		qsort(idx, c->requirement_count, sizeof *idx, by_requirement_id);
	return idx;
}

static const struct catalog_requirement *lookup(const struct catalog_requirement **idx, size_t n,
						const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(idx[mid]->id, id);
		if (c == 0)
			return idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- catalog-level members ---- */

static int note_metadata(json_t *names, bool differs, const char *name)
{
	return differs ? json_array_append_new(names, json_string(name)) : 0;
}

static json_t *metadata_changes(const struct catalog *a, const struct catalog *b)
{
	json_t *names = json_array();
	if (!names)
		return NULL;
	int rc = note_metadata(names, !same(a->version, b->version), "version");
	rc |= note_metadata(names, !same(a->title.ko, b->title.ko), "title.ko");
	rc |= note_metadata(names, !same(a->title.en, b->title.en), "title.en");
	rc |= note_metadata(names, !same(a->publisher, b->publisher), "publisher");
	rc |= note_metadata(names, !same(a->citation, b->citation), "source.citation");
	rc |= note_metadata(names, !same(a->url, b->url), "source.url");
	rc |= note_metadata(names, !same(a->licence, b->licence), "licence");
	rc |= note_metadata(names, !same(a->note.ko, b->note.ko), "note.ko");
	rc |= note_metadata(names, !same(a->note.en, b->note.en), "note.en");
	rc |= note_metadata(names, a->provisional != b->provisional, "provisional");
	rc |= note_metadata(names, !json_equal(a->counts, b->counts), "counts");
	if (rc) {
		json_decref(names);
		return NULL;
	}
	return names;
}

/* ---- the diff ---- */

void catalog_diff_release(struct catalog_diff *d)
{
	free(d->items);
	json_decref(d->metadata);
	memset(d, 0, sizeof *d);
}

int catalog_diff(const struct catalog *from, const struct catalog *to, struct catalog_diff *out,
		 struct err *e)
{
	const struct catalog_requirement **old_idx = NULL, **new_idx = NULL;
	int rc = 0;
	memset(out, 0, sizeof *out);
	if (!same(from->id, to->id)) {
		err_field_code(e, 0, "catalog", "choice", -1, "%s and %s are different catalogs, not two versions of one",
			       from->id ? from->id : "", to->id ? to->id : "");
		return err_set(e, AIMS_EINVAL, "only two versions of the same catalog can be compared");
	}
	out->from = from;
	out->to = to;
	old_idx = index_requirements(from);
	new_idx = index_requirements(to);
	out->items = calloc(from->requirement_count + to->requirement_count + 1, sizeof *out->items);
	out->metadata = metadata_changes(from, to);
	if (!old_idx || !new_idx || !out->items || !out->metadata) {
		rc = err_set(e, AIMS_ENOMEM, "out of memory comparing catalogs");
		goto out;
	}
	for (size_t i = 0; i < to->requirement_count; i++) {
		const struct catalog_requirement *now = &to->requirements[i];
		const struct catalog_requirement *was = lookup(old_idx, from->requirement_count, now->id);
		unsigned fields = was ? changed_fields(was, now) : 0;
		if (was && !fields)
			continue;
		struct catalog_diff_item *it = &out->items[out->count++];
		it->change = was ? CATALOG_CHANGED : CATALOG_ADDED;
		it->id = now->id;
		it->from = was;
		it->to = now;
		it->fields = fields;
		if (was) {
			out->changed++;
			if (catalog_diff_needs_review(it))
				out->review++;
		} else {
			out->added++;
		}
	}
	for (size_t i = 0; i < from->requirement_count; i++) {
		const struct catalog_requirement *was = &from->requirements[i];
		if (lookup(new_idx, to->requirement_count, was->id))
			continue;
		struct catalog_diff_item *it = &out->items[out->count++];
		it->change = CATALOG_REMOVED;
		it->id = was->id;
		it->from = was;
		out->removed++;
	}
out:
	free(old_idx);
	free(new_idx);
	if (rc)
		catalog_diff_release(out);
	return rc;
}

const struct catalog_diff_item *catalog_diff_find(const struct catalog_diff *d, const char *id)
{
	/* Items are few (what changed), so a scan is enough; ids are unique per side and a
	 * removed id cannot also be added or changed. */
	for (size_t i = 0; id && i < d->count; i++)
		if (strcmp(d->items[i].id, id) == 0)
			return &d->items[i];
	return NULL;
}

/* ---- JSON ---- */

static json_t *text_json(const struct catalog_text *t)
{
	return json_pack("{s:s? s:s?}", "ko", t->ko, "en", t->en);
}

static json_t *requirement_json(const struct catalog_requirement *r)
{
	return json_pack("{ss ss s:s? s:o}", "id", r->id, "kind", r->kind, "parent", r->parent, "title",
			 text_json(&r->title));
}

/* The value of one field of r as JSON (null when absent). */
static json_t *field_value(const struct catalog_requirement *r, unsigned field)
{
	const char *s = NULL;
	switch (field) {
	case CATALOG_FIELD_KIND: s = r->kind; break;
	case CATALOG_FIELD_PARENT: s = r->parent; break;
	case CATALOG_FIELD_TITLE_KO: s = r->title.ko; break;
	case CATALOG_FIELD_TITLE_EN: s = r->title.en; break;
	case CATALOG_FIELD_DESCRIPTION_KO: s = r->description.ko; break;
	case CATALOG_FIELD_DESCRIPTION_EN: s = r->description.en; break;
	case CATALOG_FIELD_GUIDANCE_KO: s = r->guidance.ko; break;
	case CATALOG_FIELD_GUIDANCE_EN: s = r->guidance.en; break;
	case CATALOG_FIELD_TEXT_KO: s = r->text.ko; break;
	case CATALOG_FIELD_TEXT_EN: s = r->text.en; break;
	case CATALOG_FIELD_PARAPHRASE: return json_boolean(r->paraphrase);
	}
	return s ? json_string(s) : json_null();
}

static json_t *changed_json(const struct catalog_diff_item *it)
{
	json_t *before = json_object(), *after = json_object();
	for (unsigned k = 0; before && after && k < CATALOG_FIELD_COUNT; k++) {
		unsigned f = 1u << k;
		if (!(it->fields & f))
			continue;
		if (json_object_set_new(before, field_names[k], field_value(it->from, f)) ||
		    json_object_set_new(after, field_names[k], field_value(it->to, f))) {
			json_decref(before);
			json_decref(after);
			return NULL;
		}
	}
	/* json_pack takes the "o" values also when it fails (jansson >= 2.11). */
	return json_pack("{ss ss s:s? s:o s:o s:b s:o s:o}", "id", it->to->id, "kind", it->to->kind, "parent",
			 it->to->parent, "title", text_json(&it->to->title), "fields",
			 catalog_diff_field_names(it->fields), "review", catalog_diff_needs_review(it), "before",
			 before, "after", after);
}

json_t *catalog_diff_json(const struct catalog_diff *d)
{
	json_t *added = json_array(), *removed = json_array(), *changed = json_array();
	if (!added || !removed || !changed)
		goto fail;
	for (size_t i = 0; i < d->count; i++) {
		const struct catalog_diff_item *it = &d->items[i];
		json_t *list = it->change == CATALOG_ADDED ? added : it->change == CATALOG_REMOVED ? removed : changed;
		json_t *one = it->change == CATALOG_ADDED     ? requirement_json(it->to)
			      : it->change == CATALOG_REMOVED ? requirement_json(it->from)
							      : changed_json(it);
		if (!one || json_array_append_new(list, one))
			goto fail;
	}
	json_t *out = json_pack("{ss s{s:s? sI} s{s:s? sI} sO s{sI sI sI sI} so so so}", "catalog_id", d->to->id,
				"from", "version", d->from->version, "requirements", (json_int_t)d->from->requirement_count,
				"to", "version", d->to->version, "requirements", (json_int_t)d->to->requirement_count,
				"metadata", d->metadata, "summary", "added", (json_int_t)d->added, "removed",
				(json_int_t)d->removed, "changed", (json_int_t)d->changed, "review", (json_int_t)d->review,
				"added", added, "removed", removed, "changed", changed);
	return out; /* json_pack stole the three arrays, also when it failed */
fail:
	json_decref(added);
	json_decref(removed);
	json_decref(changed);
	return NULL;
}
