/*
 * page_gap.c: the gap analysis pages: /orgs/{id}/gap (summary numbers, SVG bar
 * charts drawn on the server, a table of the organisations below with their numbers)
 * and /orgs/{id}/gap/items (the rows behind a framework number). Every number links
 * to the list it counts: SoA numbers to the SoA page with its filter, assessment
 * numbers to the items page.
 *
 * The SVG markup is in the template (web/templates/gap.html); this file only computes
 * geometry (x, width, y) and labels, so nothing is written unescaped. Each chart has
 * a table beside it with the same numbers, for screen readers and keyboards.
 */
#include "http/api.h"
#include "http/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 360.0
#define ROW_HEIGHT 30

static const char *in_locale(json_t *pair, const char *locale)
{
	const char *t = json_string_value(json_object_get(pair, locale));
	return t ? t : json_string_value(json_object_get(pair, strcmp(locale, "ko") ? "ko" : "en"));
}

static json_int_t count_of(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* Stacked segments of one bar: [{x, w, status, n, label, href}] over total; each
 * segment links to href_base followed by its status code. */
static json_t *segments(const char *locale, const struct vocab *v, const char *const *codes, json_t *by_status,
			json_int_t total, const char *href_base)
{
	json_t *out = json_array();
	double x = 0;
	for (int i = 0; codes[i]; i++) {
		json_int_t n = count_of(by_status, codes[i]);
		if (!n || !total)
			continue;
		double w = BAR_WIDTH * (double)n / (double)total;
		char href[256];
		snprintf(href, sizeof href, "%s%s", href_base, codes[i]);
		json_array_append_new(out, json_pack("{sf sf ss sI ss ss}", "x", x, "w", w, "status", codes[i], "n", n,
						     "label", web_label(locale, v, codes[i]), "href", href));
		x += w;
	}
	return out;
}

static void percent(json_t *obj, const char *share_key, const char *out_key)
{
	double share = json_real_value(json_object_get(obj, share_key));
	json_object_set_new(obj, out_key, json_integer((json_int_t)(share * 100.0 + 0.5)));
}

HANDLER(page_gap)
{
	struct err e = ERR_INIT;
	json_t *gap = NULL;
	if (svc_gap(r->store, &r->actor, r->ids[0], &gap, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	char org_href[64];
	snprintf(org_href, sizeof org_href, "/orgs/%lld", (long long)r->ids[0]);
	static const char *const soa_codes[] = { "implemented", "partial", "planned", "not_started", NULL };
	static const char *const as_codes[] = { "met", "partial", "not_met", "not_assessed", NULL };
	/* Chart 1: the SoA per Annex A objective. */
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(json_object_get(gap, "soa"), "groups"), i, g) {
		json_object_set_new(g, "title_text", json_string(in_locale(json_object_get(g, "title"), r->locale) ?: ""));
		json_object_set_new(g, "y", json_integer((json_int_t)i * ROW_HEIGHT));
		json_object_set_new(g, "text_y", json_integer((json_int_t)i * ROW_HEIGHT + 15));
		char base[96];
		snprintf(base, sizeof base, "%s/soa?status=", org_href);
		json_object_set_new(g, "segments", segments(r->locale, &vocab_soa_status, soa_codes, json_object_get(g, "by_status"),
							    count_of(g, "applicable"), base));
	}
	json_t *soa = json_object_get(gap, "soa");
	json_object_set_new(soa, "chart_height", json_integer((json_int_t)json_array_size(json_object_get(soa, "groups")) * ROW_HEIGHT));
	percent(json_object_get(soa, "summary"), "implemented_share", "implemented_percent");
	json_t *sum = json_object_get(soa, "summary");
	json_object_set_new(sum, "implemented", json_integer(count_of(json_object_get(sum, "by_status"), "implemented")));
	/* Chart 2: assessments per framework. */
	json_t *f;
	json_array_foreach(json_object_get(gap, "frameworks"), i, f) {
		char base[160];
		snprintf(base, sizeof base, "%s/gap/items?catalog=%s", org_href, json_string_value(json_object_get(f, "catalog_id")));
		json_object_set_new(f, "title_text", json_string(in_locale(json_object_get(f, "title"), r->locale) ?: ""));
		json_object_set_new(f, "y", json_integer((json_int_t)i * ROW_HEIGHT));
		json_object_set_new(f, "text_y", json_integer((json_int_t)i * ROW_HEIGHT + 15));
		json_object_set_new(f, "href", json_string(base));
		char kind_base[192];
		snprintf(kind_base, sizeof kind_base, "%s&kind=", base);
		json_object_set_new(f, "segments", segments(r->locale, &vocab_assessment_status, as_codes, json_object_get(f, "by_status"),
							    count_of(f, "applicable"), kind_base));
		percent(f, "met_share", "met_percent");
	}
	json_object_set_new(gap, "frameworks_height",
			    json_integer((json_int_t)json_array_size(json_object_get(gap, "frameworks")) * ROW_HEIGHT));
	/* Chart 3: the organisations below, share implemented. */
	json_t *o;
	json_array_foreach(json_object_get(gap, "orgs"), i, o) {
		json_t *s = json_object_get(o, "soa");
		percent(s, "implemented_share", "implemented_percent");
		json_object_set_new(o, "bar_w", json_real(BAR_WIDTH * json_real_value(json_object_get(s, "implemented_share"))));
		json_object_set_new(o, "y", json_integer((json_int_t)i * ROW_HEIGHT));
		json_object_set_new(o, "text_y", json_integer((json_int_t)i * ROW_HEIGHT + 15));
		json_object_set_new(o, "indent", json_integer(count_of(o, "depth") * 12));
		json_t *as = json_object_get(o, "assessments");
		if (json_is_object(as))
			percent(as, "met_share", "met_percent");
	}
	json_object_set_new(gap, "orgs_height", json_integer((json_int_t)json_array_size(json_object_get(gap, "orgs")) * ROW_HEIGHT));
	json_object_set_new(gap, "has_children", json_boolean(json_array_size(json_object_get(gap, "orgs")) > 1));
	json_t *ctx = web_context(r, "gap.title");
	json_object_set_new(ctx, "gap", gap);
	web_page(r, res, 200, "gap.html", ctx);
	err_release(&e);
}

HANDLER(page_gap_items)
{
	struct err e = ERR_INIT;
	json_t *list = NULL;
	if (svc_gap_items(r->store, &r->actor, r->ids[0], http_query(r, "catalog"), http_query(r, "kind"), &list, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		json_object_set_new(it, "title_text", json_string(in_locale(json_object_get(it, "title"), r->locale) ?: ""));
		json_object_set_new(it, "status_label", json_string(web_label(r->locale, &vocab_assessment_status,
									     json_string_value(json_object_get(it, "status")))));
		char key[48];
		snprintf(key, sizeof key, "gap.evidence_%s", json_string_value(json_object_get(it, "evidence_state")));
		json_object_set_new(it, "evidence_label", json_string(web_string(r->locale, key)));
	}
	const char *kind = json_string_value(json_object_get(list, "kind"));
	char key[48];
	snprintf(key, sizeof key, "gap.kind_%s", kind);
	const char *kind_label = vocab_has(&vocab_assessment_status, kind) ? web_label(r->locale, &vocab_assessment_status, kind)
									    : web_string(r->locale, key);
	json_object_set_new(list, "kind_label", json_string(kind_label));
	json_object_set_new(list, "count", json_integer((json_int_t)json_array_size(json_object_get(list, "items"))));
	json_object_set_new(list, "catalog_title_text", json_string(in_locale(json_object_get(list, "catalog_title"), r->locale) ?: ""));
	json_t *ctx = web_context(r, "gap.items_title");
	json_object_set_new(ctx, "list", list);
	web_page(r, res, 200, "gap_items.html", ctx);
	err_release(&e);
}
