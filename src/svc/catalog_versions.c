/*
 * catalog_versions.c: catalog upgrades as use cases. The diff of two versions of one
 * catalog; what the version in use touches among stored SoA entries and assessments
 * ("touched"); and the migration of one organisation's SoA or one system's
 * assessments from the versions they were made against to the version in use.
 *
 * The rule (docs/internals/compliance.md, "Catalog versions"), per stored row not at
 * the version in use, with the old text from the operator's file, or else from the
 * earlier versions the library holds (svc_catalogs_previous):
 *   unchanged  the requirement is the same:                     re-stamped
 *   editorial  only guidance or parent changed:                 re-stamped
 *   changed    kind, title, description, text or paraphrase:    re-stamped, review_from set
 *   unknown    the old text is not available here:              re-stamped, review_from set
 *   removed    the requirement is gone from the version in use,
 *              or is no longer listed (not an Annex A control,
 *              not a leaf to assess):                           kept as it is, not listed
 * A row already at the version in use whose review_from is set reads as "review".
 * review_from keeps the oldest version the entry was written against, so two upgrades
 * in a row without a review in between still say where the entry came from.
 *
 * Rights: as in svc/compliance.c. Only organisations and systems the actor can read
 * are reported (the store query is scoped); migrating a SoA needs
 * RIGHT_SYSTEM_EDIT_ANY on the organisation, migrating assessments what editing the
 * system needs (svc_system_can_edit). Invisible is AIMS_ENOTFOUND.
 *
 * A migration is one transaction under the retry rule; each re-stamped row raises its
 * version and gets one history row per changed column (catalog_version, review_from).
 * Memory: every json_t returned is a new reference owned by the caller.
 */
#include "svc/internal.h"
#include "svc/catalogs.h"
#include "model/catalog_diff.h"
#include "model/compliance.h"

#include <stdlib.h>
#include <string.h>

enum row_change { ROW_UNCHANGED, ROW_EDITORIAL, ROW_CHANGED, ROW_UNKNOWN, ROW_REMOVED, ROW_REVIEW };
static const char *const row_change_names[] = { "unchanged", "editorial", "changed", "unknown", "removed", "review" };
#define ROW_CHANGE_COUNT 6

static json_t *text_pair(const struct catalog_text *t)
{
	return json_pack("{s:s? s:s?}", "ko", t->ko, "en", t->en);
}

/* ---- the catalogs involved ---- */

/* The catalog in use, or AIMS_ENOTFOUND naming "catalog". */
static int current_catalog(const char *catalog_id, const struct catalog **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	int rc = svc_catalogs_builtin(&set, e);
	if (rc)
		return rc;
	*out = catalog_id && *catalog_id ? catalog_set_find(set, catalog_id) : NULL;
	if (!*out) {
		err_field_code(e, 0, "catalog", "choice", -1, "is not the id of a catalog in use here: %s",
			       catalog_id ? catalog_id : "");
		return err_set(e, AIMS_ENOTFOUND, "no such catalog: %s", catalog_id ? catalog_id : "");
	}
	return 0;
}

int svc_catalog_diff(const struct catalog *from, const struct catalog *to, json_t **out, struct err *e)
{
	struct catalog_diff d = CATALOG_DIFF_INIT;
	*out = NULL;
	int rc = catalog_diff(from, to, &d, e);
	if (!rc && !(*out = catalog_diff_json(&d)))
		rc = err_set(e, AIMS_ENOMEM, "out of memory");
	catalog_diff_release(&d);
	return rc;
}

int svc_catalog_diff_version(const char *catalog_id, const char *from_version, json_t **out, struct err *e)
{
	const struct catalog *now = NULL, *old = NULL;
	const struct catalog_set *previous = NULL;
	*out = NULL;
	int rc = current_catalog(catalog_id, &now, e);
	if (rc)
		return rc;
	if (!from_version || !*from_version) {
		err_field_code(e, 0, "from", "required", -1, "is required: the version to compare with the one in use");
		return err_set(e, AIMS_EBADREQ, "invalid query parameters");
	}
	if ((rc = svc_catalogs_previous(&previous, e)))
		return rc;
	old = now->version && !strcmp(now->version, from_version) ? now
								 : svc_catalogs_find_version(previous, catalog_id, from_version);
	if (!old) {
		err_field_code(e, 0, "from", "choice", -1, "version %s of %s is not known here", from_version, catalog_id);
		return err_set(e, AIMS_ENOTFOUND, "no version %s of %s", from_version, catalog_id);
	}
	if (!(rc = svc_catalog_diff(old, now, out, e)))
		json_object_set_new(*out, "title", text_pair(&now->title));
	return rc;
}

json_t *svc_catalog_versions(const char *catalog_id)
{
	const struct catalog_set *set = NULL, *previous = NULL;
	struct err e = ERR_INIT;
	json_t *out = json_array();
	const struct catalog *now = NULL;
	if (!svc_catalogs_builtin(&set, &e) && (now = catalog_set_find(set, catalog_id)))
		json_array_append_new(out, json_pack("{s:s? sb ss}", "version", now->version, "current", 1, "file", now->file));
	err_release(&e);
	if (!svc_catalogs_previous(&previous, &e))
		for (size_t i = 0; i < previous->catalog_count; i++)
			if (!strcmp(previous->catalogs[i].id, catalog_id))
				json_array_append_new(out, json_pack("{s:s? sb ss}", "version", previous->catalogs[i].version,
								     "current", 0, "file", previous->catalogs[i].file));
	err_release(&e);
	return out;
}

/* ---- classifying rows ---- */

/* One old version met on the rows, with its diff to the version in use when its text
 * is known. */
struct old_version {
	const char *version; /* borrowed from a row or a catalog */
	const struct catalog *text;
	struct catalog_diff diff;
	size_t counts[ROW_CHANGE_COUNT];
	size_t soa, assessments;
};

struct classifier {
	const struct catalog *now;
	const struct catalog *given;       /* the operator's old text, or NULL */
	const struct catalog_set *previous;
	struct old_version *versions;
	size_t count, cap;
	json_t *keep; /* holds the rows whose strings versions[] borrow */
};

static void classifier_release(struct classifier *k)
{
	for (size_t i = 0; i < k->count; i++)
		catalog_diff_release(&k->versions[i].diff);
	free(k->versions);
	json_decref(k->keep);
	memset(k, 0, sizeof *k);
}

/* The entry for an old version, made on first sight (with its diff when known). */
static int version_of(struct classifier *k, const char *version, struct old_version **out, struct err *e)
{
	for (size_t i = 0; i < k->count; i++)
		if (!strcmp(k->versions[i].version, version)) {
			*out = &k->versions[i];
			return 0;
		}
	if (k->count == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 8;
		struct old_version *grown = realloc(k->versions, cap * sizeof *grown);
		if (!grown)
			return err_set(e, AIMS_ENOMEM, "out of memory");
		k->versions = grown;
		k->cap = cap;
	}
	struct old_version *v = &k->versions[k->count];
	memset(v, 0, sizeof *v);
	v->version = version;
	if (k->given && k->given->version && !strcmp(k->given->version, version))
		v->text = k->given;
	else
		v->text = svc_catalogs_find_version(k->previous, k->now->id, version);
	if (v->text) {
		int rc = catalog_diff(v->text, k->now, &v->diff, e);
		if (rc)
			return rc;
	}
	k->count++;
	*out = v;
	return 0;
}

/* Requirements nobody names as parent: what a system is assessed against. */
static bool is_leaf(const struct catalog *c, const struct catalog_requirement *req)
{
	for (size_t k = 0; k < c->requirement_count; k++)
		if (c->requirements[k].parent && !strcmp(c->requirements[k].parent, req->id))
			return false;
	return true;
}

/* Whether the version in use lists requirement id: as an Annex A control for the SoA,
 * as an assessable leaf for assessments. */
static bool listed(const struct catalog *now, const char *id, bool soa)
{
	const struct catalog_requirement *req = catalog_find_requirement(now, id);
	if (!req)
		return false;
	return soa ? !strcmp(req->kind, "control") : is_leaf(now, req);
}

/*
 * Classifies one stored row and adds what it says to item (change, fields, title).
 * *old is the row's version entry (NULL for a row at the version in use).
 */
static int classify(struct classifier *k, json_t *row, const char *requirement_id, bool soa, json_t *item,
		    enum row_change *change, struct old_version **old, struct err *e)
{
	const char *version = json_string_value(json_object_get(row, "catalog_version"));
	const struct catalog_requirement *req = catalog_find_requirement(k->now, requirement_id);
	unsigned fields = 0;
	*old = NULL;
	if (version && k->now->version && !strcmp(version, k->now->version)) {
		/* Waiting for review: what changed since the text it was written against. */
		const char *from = json_string_value(json_object_get(row, "review_from"));
		struct old_version *was = NULL;
		int rc = from ? version_of(k, from, &was, e) : 0;
		if (rc)
			return rc;
		const struct catalog_diff_item *it = was && was->text ? catalog_diff_find(&was->diff, requirement_id) : NULL;
		fields = it && it->change == CATALOG_CHANGED ? it->fields : 0;
		*change = ROW_REVIEW;
	} else {
		int rc = version_of(k, version ? version : "", old, e);
		if (rc)
			return rc;
		const struct catalog_diff_item *it = (*old)->text ? catalog_diff_find(&(*old)->diff, requirement_id) : NULL;
		if (!listed(k->now, requirement_id, soa))
			*change = ROW_REMOVED;
		else if (!(*old)->text || (it && it->change == CATALOG_ADDED))
			*change = ROW_UNKNOWN; /* no text, or a row for what that version did not have */
		else if (!it)
			*change = ROW_UNCHANGED;
		else
			*change = catalog_diff_needs_review(it) ? ROW_CHANGED : ROW_EDITORIAL;
		fields = it && it->change == CATALOG_CHANGED ? it->fields : 0;
		(*old)->counts[*change]++;
		if (soa)
			(*old)->soa++;
		else
			(*old)->assessments++;
		if (!req && (*old)->text)
			req = catalog_find_requirement((*old)->text, requirement_id);
	}
	json_object_set_new(item, "change", json_string(row_change_names[*change]));
	json_object_set_new(item, "fields", catalog_diff_field_names(fields));
	json_object_set_new(item, "title", req ? text_pair(&req->title) : json_null());
	return 0;
}

static int classifier_init(struct classifier *k, const char *catalog_id, const struct catalog *given,
			   struct err *e)
{
	memset(k, 0, sizeof *k);
	k->keep = json_array();
	int rc = current_catalog(catalog_id, &k->now, e);
	if (!rc)
		rc = svc_catalogs_previous(&k->previous, e);
	if (!rc && given && (!given->id || strcmp(given->id, k->now->id))) {
		err_field_code(e, 0, "from", "choice", -1, "holds catalog %s, not %s", given->id ? given->id : "", k->now->id);
		rc = err_set(e, AIMS_EINVAL, "the earlier version must be of the same catalog");
	}
	k->given = given;
	return rc;
}

/* Adds one to counts[change_name]. */
static void count(json_t *counts, enum row_change change)
{
	json_t *n = json_object_get(counts, row_change_names[change]);
	json_integer_set(n, json_integer_value(n) + 1);
}

static json_t *new_counts(void)
{
	json_t *c = json_object();
	for (int i = 0; i < ROW_CHANGE_COUNT; i++)
		json_object_set_new(c, row_change_names[i], json_integer(0));
	return c;
}

/* ---- what the version in use touches ---- */

/* The group (organisation or system) rows with key == id belong to, appended when new. */
static json_t *group_for(json_t *groups, const char *key, json_int_t id, json_t *(*make)(json_t *row, void *ctx),
			 json_t *row, void *ctx)
{
	json_t *last = json_array_get(groups, json_array_size(groups) - 1);
	if (last && json_integer_value(json_object_get(last, key)) == id)
		return last;
	json_t *g = make(row, ctx);
	json_array_append_new(groups, g);
	return g;
}

static json_t *make_org(json_t *row, void *ctx)
{
	const struct actor *a = ctx;
	const char *path = json_string_value(json_object_get(row, "org_path"));
	return json_pack("{sO sO sb so s[]}", "org_id", json_object_get(row, "org_id"), "org_name",
			 json_object_get(row, "org_name"), "can_migrate",
			 (actor_rights_on(a, path) & RIGHT_SYSTEM_EDIT_ANY) != 0, "counts", new_counts(), "items");
}

static json_t *make_system(json_t *row, void *ctx)
{
	const struct actor *a = ctx;
	json_t *probe = json_pack("{sO sO}", "org_path", json_object_get(row, "org_path"), "owner_user_id",
				  json_object_get(row, "system_owner_user_id"));
	json_t *g = json_pack("{sO sO sO sO sO sb so s[]}", "system_id", json_object_get(row, "system_id"), "system_name",
			      json_object_get(row, "system_name"), "system_status", json_object_get(row, "system_status"),
			      "org_id", json_object_get(row, "org_id"), "org_name", json_object_get(row, "org_name"),
			      "can_migrate", svc_system_can_edit(a, probe), "counts", new_counts(), "items");
	json_decref(probe);
	return g;
}

int svc_catalog_touched(struct store *s, const struct actor *a, const char *catalog_id, const struct catalog *from,
			json_t **out, struct err *e)
{
	struct classifier k;
	struct svc_scope scope;
	json_t *soa_rows = NULL, *assessment_rows = NULL, *orgs = json_array(), *systems = json_array();
	json_int_t review = 0;
	*out = NULL;
	svc_scope_of(a, &scope);
	int rc = classifier_init(&k, catalog_id, from, e);
	if (!rc)
		rc = store_soa_list_stale(s, &scope.scope, k.now->id, k.now->version, &soa_rows, e);
	if (!rc)
		rc = store_assessment_list_stale(s, &scope.scope, k.now->id, k.now->version, &assessment_rows, e);
	if (rc)
		goto out;
	json_array_append(k.keep, soa_rows);
	json_array_append(k.keep, assessment_rows);
	for (int pass = 0; pass < 2 && !rc; pass++) {
		bool soa = pass == 0;
		size_t i;
		json_t *row;
		json_array_foreach(soa ? soa_rows : assessment_rows, i, row) {
			const char *rid = json_string_value(json_object_get(row, soa ? "control_id" : "requirement_id"));
			json_t *item = json_pack("{sO sO sO sO sO}", "id", json_object_get(row, "id"),
						 soa ? "control_id" : "requirement_id", json_object_get(row, soa ? "control_id" : "requirement_id"),
						 "catalog_version", json_object_get(row, "catalog_version"), "review_from",
						 json_object_get(row, "review_from"), "status", json_object_get(row, "status"));
			enum row_change change;
			struct old_version *old = NULL;
			if ((rc = classify(&k, row, rid ? rid : "", soa, item, &change, &old, e))) {
				json_decref(item);
				break;
			}
			review += change == ROW_REVIEW;
			json_t *g = soa ? group_for(orgs, "org_id", json_integer_value(json_object_get(row, "org_id")), make_org,
						    row, (void *)a)
					: group_for(systems, "system_id", json_integer_value(json_object_get(row, "system_id")),
						    make_system, row, (void *)a);
			count(json_object_get(g, "counts"), change);
			json_array_append_new(json_object_get(g, "items"), item);
		}
	}
	if (rc)
		goto out;
	json_t *versions = json_array();
	for (size_t i = 0; i < k.count; i++) {
		const struct old_version *v = &k.versions[i];
		if (v->soa + v->assessments == 0)
			continue; /* only met as the source of a pending review */
		json_t *counts = json_object();
		for (int c = 0; c < ROW_CHANGE_COUNT - 1; c++)
			json_object_set_new(counts, row_change_names[c], json_integer((json_int_t)v->counts[c]));
		json_array_append_new(versions, json_pack("{ss sb sI sI sI so}", "version", v->version, "known", v->text != NULL,
							  "rows", (json_int_t)(v->soa + v->assessments), "soa",
							  (json_int_t)v->soa, "assessments", (json_int_t)v->assessments,
							  "counts", counts));
	}
	*out = json_pack("{ss ss so so sI so so so}", "catalog_id", k.now->id, "version", k.now->version, "title",
			 text_pair(&k.now->title), "versions", versions, "review", review, "orgs", orgs, "systems", systems,
			 "known_versions", svc_catalog_versions(k.now->id));
	orgs = systems = NULL;
out:
	json_decref(soa_rows);
	json_decref(assessment_rows);
	json_decref(orgs);
	json_decref(systems);
	classifier_release(&k);
	return rc;
}

/* ---- migration ---- */

/* What one migration input names: exactly one of org_id and system_id. */
static int migrate_target(json_t *input, const struct catalog *now, int64_t *org_id, int64_t *system_id, struct err *e)
{
	const char *key;
	json_t *v;
	*org_id = *system_id = 0;
	if (!json_is_object(input))
		return err_set(e, AIMS_EINVAL, "send a JSON object");
	json_object_foreach(input, key, v) {
		if (strcmp(key, "org_id") && strcmp(key, "system_id")) {
			err_field_code(e, 0, key, "unknown", -1, "is not a field here (org_id or system_id)");
		} else if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			err_field_code(e, 0, key, "type", -1, "must be a positive id");
		} else if (!strcmp(key, "org_id")) {
			*org_id = json_integer_value(v);
		} else {
			*system_id = json_integer_value(v);
		}
	}
	if (!err_field_count(e) && !*org_id == !*system_id)
		err_field_code(e, 0, *org_id ? "system_id" : "org_id", "required", -1,
			       "name one organisation (org_id: its Statement of Applicability) or one system "
			       "(system_id: its assessments)");
	if (!err_field_count(e) && *org_id && strcmp(now->id, COMPLIANCE_SOA_CATALOG))
		err_field_code(e, 0, "org_id", "choice", -1,
			       "the Statement of Applicability is kept against %s only; migrate systems for %s",
			       COMPLIANCE_SOA_CATALOG, now->id);
	return err_field_count(e) ? err_set(e, AIMS_EINVAL, "the migration request has errors") : 0;
}

static int migrate_once(struct store *s, const struct actor *a, const char *catalog_id, json_t *input,
			const struct catalog *from, json_t **out, struct err *e)
{
	struct classifier k;
	json_t *target = NULL, *rows = NULL, *items = json_array(), *counts = new_counts();
	int64_t org_id = 0, system_id = 0;
	char now[CLOCK_ISO_LEN];
	json_int_t migrated = 0;
	bool in_tx = false;
	*out = NULL;
	clock_now_iso(now);
	int rc = classifier_init(&k, catalog_id, from, e);
	if (!rc)
		rc = migrate_target(input, k.now, &org_id, &system_id, e);
	if (rc)
		goto out;
	if ((rc = store_tx_begin(s, e)))
		goto out;
	in_tx = true;
	bool soa = org_id > 0;
	if (soa) {
		rc = store_org_get(s, org_id, &target, e);
		if ((!rc && !actor_can_see(a, json_string_value(json_object_get(target, "path")))) || rc == AIMS_ENOTFOUND) {
			err_release(e);
			rc = err_set(e, AIMS_ENOTFOUND, "no such organisation");
		}
		if (rc)
			goto out;
		if (!(actor_rights_on(a, json_string_value(json_object_get(target, "path"))) & RIGHT_SYSTEM_EDIT_ANY)) {
			rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing the Statement of Applicability here");
			goto out;
		}
		rc = store_soa_list(s, org_id, k.now->id, &rows, e);
	} else {
		rc = store_system_get(s, system_id, &target, e);
		if ((!rc && !actor_can_see(a, json_string_value(json_object_get(target, "org_path")))) || rc == AIMS_ENOTFOUND) {
			err_release(e);
			rc = err_set(e, AIMS_ENOTFOUND, "no such AI system");
		}
		if (rc)
			goto out;
		if (!svc_system_can_edit(a, target)) {
			rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this AI system's assessments");
			goto out;
		}
		rc = store_assessment_list(s, system_id, k.now->id, &rows, e);
	}
	if (rc)
		goto out;
	json_array_append(k.keep, rows);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *version = json_string_value(json_object_get(row, "catalog_version"));
		if (version && !strcmp(version, k.now->version))
			continue; /* already at the version in use (a pending review stays pending) */
		const char *rid = json_string_value(json_object_get(row, soa ? "control_id" : "requirement_id"));
		json_t *item = json_pack("{sO sO}", soa ? "control_id" : "requirement_id",
					 json_object_get(row, soa ? "control_id" : "requirement_id"), "from_version",
					 json_object_get(row, "catalog_version"));
		enum row_change change;
		struct old_version *old = NULL;
		json_array_append_new(items, item);
		if ((rc = classify(&k, row, rid ? rid : "", soa, item, &change, &old, e)))
			goto out;
		count(counts, change);
		if (change == ROW_REMOVED)
			continue; /* kept as it was: it cites a requirement the version in use does not list */
		json_t *fields = json_pack("{ss}", "catalog_version", k.now->version);
		if (change == ROW_CHANGED || change == ROW_UNKNOWN) {
			json_t *pending = json_object_get(row, "review_from");
			json_object_set_new(fields, "review_from",
					    json_is_string(pending) ? json_incref(pending) : json_string(version ? version : ""));
		}
		int64_t id = json_integer_value(json_object_get(row, "id"));
		int64_t expected = json_integer_value(json_object_get(row, "version"));
		rc = soa ? store_soa_update(s, id, fields, expected, now, e)
			 : store_assessment_update(s, id, fields, expected, now, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, soa ? "soa" : "assessment", id, row, fields, e);
		json_decref(fields);
		if (rc)
			goto out;
		migrated++;
	}
	*out = json_pack("{ss ss s:O? s:O? sI sO so}", "catalog_id", k.now->id, "version", k.now->version, "org_id",
			 soa ? json_object_get(input, "org_id") : NULL, "system_id",
			 soa ? NULL : json_object_get(input, "system_id"), "migrated", migrated, "counts", counts, "items",
			 items);
	items = NULL;
out:
	if (in_tx)
		rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(target);
	json_decref(rows);
	json_decref(items);
	json_decref(counts);
	classifier_release(&k);
	return rc;
}

int svc_catalog_migrate(struct store *s, const struct actor *a, const char *catalog_id, json_t *input,
			const struct catalog *from, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = migrate_once(s, a, catalog_id, input, from, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}
