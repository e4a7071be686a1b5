/*
 * gap.c: the gap analysis of an organisation: how far its Statement of Applicability
 * is implemented and evidenced, how its AI systems' requirement assessments stand per
 * framework, and the same per organisation below it (the roll-up a supervising
 * organisation sees), plus the list behind every number (drill-down).
 *
 * Definitions (docs/internals/compliance.md): a control or requirement "applies"
 * unless it is excluded from the SoA or assessed not_applicable; it "has no evidence"
 * when it applies and no evidence is linked to it, and "has only expired evidence"
 * when every linked piece is past its valid_until. implemented_share is implemented /
 * applicable; met_share is met / applicable.
 *
 * Reads only, through the same use cases the pages use (svc_soa_get,
 * svc_assessment_list), so the numbers cannot disagree with the lists they summarise.
 * Systems are read in pages; at most GAP_SYSTEMS_MAX per request (then "truncated").
 * Memory: every json_t returned is a new reference owned by the caller.
 */
#include "svc/internal.h"
#include "svc/catalogs.h"
#include "model/vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP_SYSTEMS_MAX 1000
#define GAP_ITEMS_MAX 2000

static json_t *text_pair(const struct catalog_text *t)
{
	return json_pack("{s:s? s:s?}", "ko", t->ko, "en", t->en);
}

/* A counter object {by_status:{...}, systems, requirements, applicable, met, no_evidence, expired_evidence}. */
static json_t *framework_counter(const struct catalog *c)
{
	json_t *by_status = json_object();
	for (int i = 0; vocab_assessment_status.codes[i]; i++)
		json_object_set_new(by_status, vocab_assessment_status.codes[i], json_integer(0));
	return json_pack("{ss so so sI sI sI sI sI sI}", "catalog_id", c->id, "title", text_pair(&c->title), "by_status",
			 by_status, "systems", (json_int_t)0, "requirements", (json_int_t)0, "applicable", (json_int_t)0,
			 "met", (json_int_t)0, "no_evidence", (json_int_t)0, "expired_evidence", (json_int_t)0);
}

static void bump(json_t *obj, const char *key, json_int_t by)
{
	json_t *n = json_object_get(obj, key);
	if (n)
		json_integer_set(n, json_integer_value(n) + by);
}

/* Adds one system's assessment items to a counter. */
static void count_items(json_t *counter, json_t *items)
{
	size_t i;
	json_t *it;
	bump(counter, "systems", 1);
	json_array_foreach(items, i, it) {
		const char *status = json_string_value(json_object_get(it, "status"));
		const char *ev = json_string_value(json_object_get(it, "evidence_state"));
		bump(counter, "requirements", 1);
		bump(json_object_get(counter, "by_status"), status, 1);
		if (!strcmp(status, "not_applicable"))
			continue;
		bump(counter, "applicable", 1);
		bump(counter, "met", !strcmp(status, "met"));
		bump(counter, "no_evidence", !strcmp(ev, "none"));
		bump(counter, "expired_evidence", !strcmp(ev, "expired"));
	}
}

static void finish_counter(json_t *counter)
{
	json_int_t applicable = json_integer_value(json_object_get(counter, "applicable"));
	json_int_t met = json_integer_value(json_object_get(counter, "met"));
	json_object_set_new(counter, "met_share", json_real(applicable ? (double)met / (double)applicable : 0.0));
}

/* Whether an assessment item belongs to the drill-down list `kind`. */
static bool item_matches(json_t *it, const char *kind)
{
	const char *status = json_string_value(json_object_get(it, "status"));
	const char *ev = json_string_value(json_object_get(it, "evidence_state"));
	bool applies = strcmp(status, "not_applicable") != 0;
	if (!strcmp(kind, "no_evidence"))
		return applies && !strcmp(ev, "none");
	if (!strcmp(kind, "expired_evidence"))
		return applies && !strcmp(ev, "expired");
	if (!strcmp(kind, "applicable"))
		return applies;
	return !strcmp(kind, "all") || !strcmp(kind, status);
}

/*
 * Walks the active systems in the organisation's subtree (at most GAP_SYSTEMS_MAX)
 * and, for each framework chosen for each, calls fn with the assessment.
 */
typedef int (*assessment_fn)(void *ctx, json_t *system, const struct catalog *c, json_t *assessment,
			     struct err *e);

static int each_assessment(struct store *s, const struct actor *a, int64_t org_id, const char *only_catalog,
			   assessment_fn fn, void *ctx, bool *truncated, struct err *e)
{
	const struct catalog_set *set = NULL;
	json_t *page = NULL;
	char cursor[512] = "";
	size_t seen = 0;
	int rc = svc_catalogs_builtin(&set, e);
	*truncated = false;
	while (!rc) {
		struct svc_system_query q = { .org_id = org_id, .status = "active", .limit = 200,
					      .cursor = *cursor ? cursor : NULL };
		if ((rc = svc_system_list(s, a, &q, &page, e)))
			break;
		size_t i;
		json_t *sys;
		json_array_foreach(json_object_get(page, "items"), i, sys) {
			if (seen++ >= GAP_SYSTEMS_MAX) {
				*truncated = true;
				break;
			}
			json_t *fw = NULL;
			int64_t id = json_integer_value(json_object_get(sys, "id"));
			if ((rc = store_framework_list(s, id, &fw, e)))
				break;
			size_t k;
			json_t *f;
			json_array_foreach(fw, k, f) {
				const char *cid = json_string_value(json_object_get(f, "catalog_id"));
				const struct catalog *c = catalog_set_find(set, cid);
				json_t *as = NULL;
				if (!c || (only_catalog && strcmp(only_catalog, cid)))
					continue;
				if ((rc = svc_assessment_list(s, a, id, cid, &as, e)))
					break;
				rc = fn(ctx, sys, c, as, e);
				json_decref(as);
				if (rc)
					break;
			}
			json_decref(fw);
			if (rc)
				break;
		}
		const char *next = json_string_value(json_object_get(page, "next_cursor"));
		if (rc || *truncated || !next || strlen(next) >= sizeof cursor) {
			json_decref(page);
			break;
		}
		snprintf(cursor, sizeof cursor, "%s", next);
		json_decref(page);
		page = NULL;
	}
	return rc;
}

struct rollup {
	json_t *frameworks; /* catalog_id -> counter, over the whole subtree */
	json_t *by_org;     /* "org_id" -> {catalog_id -> counter}, systems of that organisation */
};

static int add_to_rollup(void *ctx, json_t *system, const struct catalog *c, json_t *as, struct err *e)
{
	struct rollup *r = ctx;
	(void)e;
	json_t *counter = json_object_get(r->frameworks, c->id);
	if (!counter) {
		counter = framework_counter(c);
		json_object_set_new(r->frameworks, c->id, counter);
	}
	count_items(counter, json_object_get(as, "items"));
	char org[24];
	snprintf(org, sizeof org, "%lld", (long long)json_integer_value(json_object_get(system, "org_id")));
	json_t *mine = json_object_get(r->by_org, org);
	if (!mine) {
		mine = framework_counter(c);
		json_object_set_new(mine, "catalog_id", json_string("*"));
		json_object_set_new(r->by_org, org, mine);
	}
	count_items(mine, json_object_get(as, "items"));
	/* A system counts once however many frameworks it has (they come one after another). */
	json_t *id = json_object_get(system, "id");
	if (json_equal(json_object_get(mine, "last_system_id"), id))
		bump(mine, "systems", -1);
	json_object_set(mine, "last_system_id", id);
	return 0;
}

/* The SoA by Annex A objective: [{id, title, applicable, excluded, by_status, no_evidence, expired_evidence}]. */
static json_t *soa_groups(json_t *soa)
{
	json_t *groups = json_array(), *current = NULL;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(soa, "items"), i, it) {
		const char *g = json_string_value(json_object_get(it, "group"));
		if (!current || strcmp(json_string_value(json_object_get(current, "id")), g ? g : "")) {
			json_t *by_status = json_object();
			for (int k = 0; vocab_soa_status.codes[k]; k++)
				json_object_set_new(by_status, vocab_soa_status.codes[k], json_integer(0));
			current = json_pack("{ss sO sI sI so sI sI}", "id", g ? g : "", "title",
					    json_object_get(it, "group_title"), "applicable", (json_int_t)0, "excluded",
					    (json_int_t)0, "by_status", by_status, "no_evidence", (json_int_t)0,
					    "expired_evidence", (json_int_t)0);
			json_array_append_new(groups, current);
		}
		if (!json_is_true(json_object_get(it, "applicable"))) {
			bump(current, "excluded", 1);
			continue;
		}
		const char *ev = json_string_value(json_object_get(it, "evidence_state"));
		bump(current, "applicable", 1);
		bump(json_object_get(current, "by_status"), json_string_value(json_object_get(it, "status")), 1);
		bump(current, "no_evidence", !strcmp(ev, "none"));
		bump(current, "expired_evidence", !strcmp(ev, "expired"));
	}
	return groups;
}

int svc_gap(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e)
{
	json_t *org = NULL, *soa = NULL, *orgs = NULL, *rows = json_array(), *frameworks = json_array();
	struct rollup r = { json_object(), json_object() };
	struct svc_scope scope;
	char date[11];
	bool truncated = false;
	*out = NULL;
	svc_today(date);
	int rc = svc_load_org(s, a, org_id, &org, e);
	if (!rc)
		rc = svc_soa_get(s, a, org_id, NULL, &soa, e);
	if (!rc) {
		svc_scope_of(a, &scope);
		rc = store_org_list(s, &scope.scope, &orgs, e);
	}
	if (!rc)
		rc = each_assessment(s, a, org_id, NULL, add_to_rollup, &r, &truncated, e);
	if (rc)
		goto out;
	const char *path = json_string_value(json_object_get(org, "path"));
	size_t depth0 = 0;
	for (const char *p = path; *p; p++)
		depth0 += *p == '/';
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *p = json_string_value(json_object_get(o, "path"));
		if (!org_path_within(p, path))
			continue;
		json_t *sub = NULL;
		int64_t id = json_integer_value(json_object_get(o, "id"));
		if ((rc = svc_soa_get(s, a, id, NULL, &sub, e)))
			goto out;
		size_t depth = 0;
		for (const char *c = p; *c; c++)
			depth += *c == '/';
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)id);
		json_t *fw = json_object_get(r.by_org, key);
		if (fw) {
			finish_counter(fw);
			json_object_del(fw, "last_system_id");
		}
		json_array_append_new(rows, json_pack("{sI sO sO sI sO sO}", "org_id", (json_int_t)id, "name",
						      json_object_get(o, "name"), "path", json_object_get(o, "path"), "depth",
						      (json_int_t)(depth - depth0), "soa", json_object_get(sub, "summary"),
						      "assessments", fw ? fw : json_null()));
		json_decref(sub);
	}
	/* Frameworks in catalog order. */
	const struct catalog_set *set = NULL;
	if ((rc = svc_catalogs_builtin(&set, e)))
		goto out;
	for (size_t k = 0; k < set->catalog_count; k++) {
		json_t *counter = json_object_get(r.frameworks, set->catalogs[k].id);
		if (!counter)
			continue;
		finish_counter(counter);
		json_array_append(frameworks, counter);
	}
	*out = json_pack("{sI sO ss s{sO sO ss so} so so sb}", "org_id", (json_int_t)org_id, "org_name",
			 json_object_get(org, "name"), "today", date, "soa", "catalog_id", json_object_get(soa, "catalog_id"),
			 "summary", json_object_get(soa, "summary"), "catalog_version",
			 json_string_value(json_object_get(soa, "catalog_version")), "groups", soa_groups(soa),
			 "frameworks", frameworks, "orgs", rows, "truncated", truncated);
	frameworks = rows = NULL;
out:
	json_decref(org);
	json_decref(soa);
	json_decref(orgs);
	json_decref(rows);
	json_decref(frameworks);
	json_decref(r.frameworks);
	json_decref(r.by_org);
	return rc;
}

struct item_list {
	const char *kind;
	json_t *items;
	bool full;
};

static int collect_items(void *ctx, json_t *system, const struct catalog *c, json_t *as, struct err *e)
{
	struct item_list *l = ctx;
	size_t i;
	json_t *it;
	(void)c, (void)e;
	json_array_foreach(json_object_get(as, "items"), i, it) {
		if (!item_matches(it, l->kind))
			continue;
		if (json_array_size(l->items) >= GAP_ITEMS_MAX) {
			l->full = true;
			return 0;
		}
		json_array_append_new(l->items, json_pack("{sO sO sO sO sO sO sO sO}", "system_id", json_object_get(system, "id"),
							  "system_name", json_object_get(system, "name"), "org_name",
							  json_object_get(system, "org_name"), "requirement_id",
							  json_object_get(it, "requirement_id"), "title", json_object_get(it, "title"),
							  "status", json_object_get(it, "status"), "evidence_state",
							  json_object_get(it, "evidence_state"), "assessed_on",
							  json_object_get(it, "assessed_on")));
	}
	return 0;
}

int svc_gap_items(struct store *s, const struct actor *a, int64_t org_id, const char *catalog_id, const char *kind,
		  json_t **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	json_t *org = NULL;
	struct item_list l = { kind, json_array(), false };
	bool truncated = false;
	*out = NULL;
	int rc = svc_catalogs_builtin(&set, e);
	if (rc)
		goto out;
	const struct catalog *c = catalog_id ? catalog_set_find(set, catalog_id) : NULL;
	if (!c)
		err_field_code(e, 0, "catalog", catalog_id && *catalog_id ? "choice" : "required", -1,
			       "must be a built-in catalog id");
	if (!kind || (!vocab_has(&vocab_assessment_status, kind) && strcmp(kind, "no_evidence") &&
		      strcmp(kind, "expired_evidence") && strcmp(kind, "applicable") && strcmp(kind, "all")))
		err_field_code(e, 0, "kind", "choice", -1,
			       "must be all, applicable, no_evidence, expired_evidence or an assessment status");
	if (err_field_count(e)) {
		rc = err_set(e, AIMS_EBADREQ, "invalid query parameters");
		goto out;
	}
	if ((rc = svc_load_org(s, a, org_id, &org, e)))
		goto out;
	if ((rc = each_assessment(s, a, org_id, c->id, collect_items, &l, &truncated, e)))
		goto out;
	*out = json_pack("{sI sO ss so ss sO sb}", "org_id", (json_int_t)org_id, "org_name", json_object_get(org, "name"),
			 "catalog_id", c->id, "catalog_title", text_pair(&c->title), "kind", kind, "items", l.items,
			 "truncated", truncated || l.full);
out:
	json_decref(org);
	json_decref(l.items);
	return rc;
}
