/*
 * page_catalogs.c: the catalog-versions page (/catalogs/{catalog}/versions): the
 * version in use and the earlier ones held here, the diff from one of them, and the
 * stored SoA entries and assessments tied to another version or waiting for review,
 * per organisation and AI system the reader can see, with a migrate button where the
 * reader may migrate (POST /catalogs/{catalog}/migrate, a form with _csrf). Reached
 * from the SoA and assessment pages. Server-rendered, no JavaScript.
 */
#include "http/api.h"
#include "http/web.h"
#include "svc/catalogs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *in_locale(json_t *pair, const char *locale)
{
	const char *t = json_string_value(json_object_get(pair, locale));
	return t ? t : json_string_value(json_object_get(pair, strcmp(locale, "ko") ? "ko" : "en"));
}

/* "a, b" of an array of strings (new JSON string; "" when empty). */
static json_t *joined(json_t *list)
{
	struct buf b = BUF_INIT(4096);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		buf_addf(&b, "%s%s", i ? ", " : "", json_string_value(v));
	json_t *out = json_string(b.data ? buf_str(&b) : "");
	buf_release(&b);
	return out;
}

static void label_item(const char *locale, json_t *it)
{
	char key[64];
	snprintf(key, sizeof key, "catver.change_%s", json_string_value(json_object_get(it, "change")));
	json_object_set_new(it, "change_label", json_string(web_string(locale, key)));
	json_object_set_new(it, "title_text", json_string(in_locale(json_object_get(it, "title"), locale) ?: ""));
	json_object_set_new(it, "fields_text", joined(json_object_get(it, "fields")));
}

/* Labels of the touched groups; "movable": rows a migration would move. */
static void label_groups(const char *locale, json_t *groups)
{
	size_t i, k;
	json_t *g, *it;
	json_array_foreach(groups, i, g) {
		json_t *c = json_object_get(g, "counts");
		json_int_t movable = json_integer_value(json_object_get(c, "unchanged")) +
				     json_integer_value(json_object_get(c, "editorial")) +
				     json_integer_value(json_object_get(c, "changed")) +
				     json_integer_value(json_object_get(c, "unknown"));
		json_object_set_new(g, "movable", json_integer(movable));
		json_object_set_new(g, "show_migrate", json_boolean(movable > 0 && json_is_true(json_object_get(g, "can_migrate"))));
		json_array_foreach(json_object_get(g, "items"), k, it)
			label_item(locale, it);
	}
}

/* The diff's items with display text; changed ones get one row per field. */
static void label_diff(const char *locale, json_t *d)
{
	static const char *const lists[] = { "added", "removed", "changed" };
	for (size_t l = 0; l < 3; l++) {
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(d, lists[l]), i, it) {
			json_object_set_new(it, "title_text", json_string(in_locale(json_object_get(it, "title"), locale) ?: ""));
			if (l < 2)
				continue;
			json_t *rows = json_array();
			size_t k;
			json_t *f;
			json_array_foreach(json_object_get(it, "fields"), k, f) {
				const char *name = json_string_value(f);
				json_t *before = json_object_get(json_object_get(it, "before"), name);
				json_t *after = json_object_get(json_object_get(it, "after"), name);
				char *b = json_is_string(before) ? strdup(json_string_value(before))
					  : json_dumps(before, JSON_ENCODE_ANY);
				char *a = json_is_string(after) ? strdup(json_string_value(after)) : json_dumps(after, JSON_ENCODE_ANY);
				json_array_append_new(rows, json_pack("{ss ss? ss?}", "field", name, "before", b, "after", a));
				free(b);
				free(a);
			}
			json_object_set_new(it, "field_rows", rows);
		}
	}
}

HANDLER(page_catalog_versions)
{
	struct err e = ERR_INIT;
	json_t *touched = NULL, *diff = NULL;
	if (svc_catalog_touched(r->store, &r->actor, r->key, NULL, &touched, &e)) {
		web_error_page(r, res, &e);
		err_release(&e);
		return;
	}
	/* Compare with the version asked for; else the first one stored rows are still tied
	 * to whose text is here; else the last earlier version held here. */
	const char *from = http_query(r, "from");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(touched, "versions"), i, v)
		if ((!from || !*from) && json_is_true(json_object_get(v, "known")))
			from = json_string_value(json_object_get(v, "version"));
	json_t *known = json_object_get(touched, "known_versions");
	if ((!from || !*from) && json_array_size(known) > 1)
		from = json_string_value(json_object_get(json_array_get(known, json_array_size(known) - 1), "version"));
	json_array_foreach(known, i, v)
		json_object_set_new(v, "selected", json_boolean(from && !strcmp(from, json_string_value(json_object_get(v, "version")) ?: "")));
	if (from && *from && svc_catalog_diff_version(r->key, from, &diff, &e) == 0)
		label_diff(r->locale, diff);
	json_t *ctx = web_context(r, "catver.title");
	if (e.code)
		json_object_set_new(ctx, "diff_error", json_string(e.message));
	label_groups(r->locale, json_object_get(touched, "orgs"));
	label_groups(r->locale, json_object_get(touched, "systems"));
	json_object_set_new(ctx, "title_text", json_string(in_locale(json_object_get(touched, "title"), r->locale) ?: ""));
	json_object_set_new(ctx, "earlier", json_boolean(json_array_size(known) > 1));
	json_object_set_new(ctx, "touched", touched);
	json_object_set_new(ctx, "diff", diff ? diff : json_null());
	json_object_set_new(ctx, "nothing",
			    json_boolean(!json_array_size(json_object_get(touched, "orgs")) &&
					 !json_array_size(json_object_get(touched, "systems"))));
	web_page(r, res, 200, "catalog_versions.html", ctx);
	err_release(&e);
}

HANDLER(page_catalog_migrate)
{
	struct err e = ERR_INIT;
	json_t *out = NULL, *input = json_object();
	static const char *const keys[] = { "org_id", "system_id" };
	for (size_t i = 0; i < 2; i++) {
		const char *v = http_form(r, keys[i]);
		int64_t id = 0;
		/* Not a number: pass it as text, so svc names the field (422, as the API does). */
		if (v && *v) {
			bool number = web_parse_int64(r->locale, keys[i], v, 1, &id, NULL) == 0;
			json_object_set_new(input, keys[i], number ? json_integer(id) : json_string(v));
		}
	}
	if (svc_catalog_migrate(r->store, &r->actor, r->key, input, NULL, &out, &e)) {
		web_error_page(r, res, &e);
	} else {
		char location[160];
		snprintf(location, sizeof location, "/catalogs/%s/versions", r->key);
		web_flash(res, "catver.flash_migrated");
		http_redirect(res, location);
	}
	json_decref(input);
	json_decref(out);
	err_release(&e);
}
