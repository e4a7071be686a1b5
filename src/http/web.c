/*
 * web.c: UI strings, labels, page contexts and the layout (see web.h).
 *
 * The string tables are parsed once at start (web_init) and read-only afterwards, so
 * worker threads share them without locks.
 */
#include "http/web.h"
#include "http/tmpl.h"
#include "base/asset.h"
#include "base/buf.h"
#include "base/text.h"
#include "svc/svc.h"

#include <stdio.h>
#include <string.h>

static json_t *strings_ko, *strings_en;

static json_t *load_strings(const char *path, struct err *e)
{
	json_error_t jerr;
	const struct asset *a = asset_find(path);
	if (!a) {
		err_set(e, AIMS_ENOTFOUND, "%s is missing from the build", path);
		return NULL;
	}
	json_t *doc = json_loadb(a->data, a->len, 0, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		err_set(e, AIMS_EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	return doc;
}

int web_init(struct err *e)
{
	if (strings_ko)
		return 0;
	strings_ko = load_strings("web/i18n/ko.json", e);
	strings_en = load_strings("web/i18n/en.json", e);
	return strings_ko && strings_en ? 0 : AIMS_EINVAL;
}

void web_release(void)
{
	json_decref(strings_ko);
	json_decref(strings_en);
	strings_ko = strings_en = NULL;
}

static json_t *strings_for(const char *locale)
{
	return locale && !strcmp(locale, "en") ? strings_en : strings_ko;
}

const char *web_string(const char *locale, const char *key)
{
	json_t *v = strings_for(locale);
	char part[128];
	const char *p = key;
	while (v && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof part)
			return key;
		memcpy(part, p, n);
		part[n] = '\0';
		v = json_object_get(v, part);
		p += n;
		if (*p == '.')
			p++;
	}
	return json_is_string(v) ? json_string_value(v) : key;
}

const char *web_label(const char *locale, const struct vocab *v, const char *code)
{
	json_t *vocab = json_object_get(json_object_get(strings_for(locale), "vocab"), v->name);
	json_t *label = json_object_get(vocab, code ? code : "");
	return json_is_string(label) ? json_string_value(label) : (code ? code : "");
}

static bool is_selected(json_t *selected, const char *code)
{
	if (json_is_string(selected))
		return !strcmp(json_string_value(selected), code);
	size_t i;
	json_t *item;
	json_array_foreach(selected, i, item)
		if (json_is_string(item) && !strcmp(json_string_value(item), code))
			return true;
	return false;
}

json_t *web_options(const char *locale, const struct vocab *v, json_t *selected)
{
	json_t *list = json_array();
	for (int i = 0; v->codes[i]; i++)
		json_array_append_new(list, json_pack("{ss ss sb}", "value", v->codes[i], "label",
						      web_label(locale, v, v->codes[i]), "selected",
						      is_selected(selected, v->codes[i])));
	return list;
}

void web_time(json_t *obj, const char *field)
{
	const char *t = json_string_value(json_object_get(obj, field));
	char key[64], text[32];
	if (!t || strlen(t) < 16)
		return;
	snprintf(text, sizeof text, "%.10s %.5s UTC", t, t + 11);
	snprintf(key, sizeof key, "%s_display", field);
	json_object_set_new(obj, key, json_string(text));
}

void web_label_system(const char *locale, json_t *sys)
{
	web_time(sys, "created_at");
	web_time(sys, "updated_at");
	static const struct { const char *field; const struct vocab *v; } map[] = {
		{ "lifecycle_stage", &vocab_lifecycle_stage }, { "org_role", &vocab_org_role },
		{ "decision_role", &vocab_decision_role },     { "human_oversight", &vocab_human_oversight },
		{ "status", &vocab_system_status },
	};
	char key[64];
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		json_t *code = json_object_get(sys, map[i].field);
		if (!json_is_string(code))
			continue;
		snprintf(key, sizeof key, "%s_label", map[i].field);
		json_object_set_new(sys, key, json_string(web_label(locale, map[i].v, json_string_value(code))));
	}
	json_t *labels = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(sys, "techniques"), i, t)
		json_array_append_new(labels, json_string(web_label(locale, &vocab_technique, json_string_value(t))));
	json_object_set_new(sys, "techniques_labels", labels);
	json_object_set_new(sys, "archived", json_boolean(!strcmp(json_string_value(json_object_get(sys, "status")) ?: "", "archived")));
}

json_t *web_context(struct http_request *r, const char *title_key)
{
	json_t *ctx = json_object();
	json_object_set(ctx, "t", strings_for(r->locale));
	json_object_set_new(ctx, "lang", json_string(r->locale));
	json_object_set_new(ctx, "lang_other", json_string(strcmp(r->locale, "en") ? "en" : "ko"));
	json_object_set_new(ctx, "title", json_string(web_string(r->locale, title_key)));
	json_object_set_new(ctx, "path", json_string(r->path));
	if (r->auth != AUTH_NONE) {
		unsigned rights = actor_rights_anywhere(&r->actor);
		json_object_set_new(ctx, "me", svc_actor_json(&r->actor));
		json_object_set_new(ctx, "csrf", json_string(r->csrf));
		json_object_set_new(ctx, "can", json_pack("{sb sb}", "create", (rights & RIGHT_SYSTEM_CREATE) != 0,
							 "admin", (rights & RIGHT_ADMIN) != 0));
	}
	const char *flash = http_cookie(r, "aims_flash");
	if (flash && *flash)
		json_object_set_new(ctx, "flash", json_string(web_string(r->locale, flash)));
	return ctx;
}

void web_flash(struct http_response *res, const char *message_key)
{
	http_header_add(res, "Set-Cookie", "aims_flash=%s; Path=/; Max-Age=30; HttpOnly; SameSite=Lax", message_key);
}

void web_problem_as_page(struct http_request *r, struct http_response *res)
{
	static const struct { int status, code; } codes[] = {
		{ 400, AIMS_EBADREQ }, { 403, AIMS_EFORBIDDEN }, { 404, AIMS_ENOTFOUND }, { 413, AIMS_ETOOBIG },
	};
	struct err e = ERR_INIT;
	json_t *problem = json_loadb(res->body.data ? res->body.data : "", res->body.len, 0, NULL);
	int code = AIMS_EINTEGRITY; /* a 500 whose reason is shown: a stored file changed */
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (res->status == codes[i].status)
			code = codes[i].code;
	err_set(&e, code, "%s", json_string_value(json_object_get(problem, "detail")) ?: "");
	json_decref(problem);
	res->header_count = 0;
	web_error_page(r, res, &e);
	err_release(&e);
}

char *web_query_string(json_t *params)
{
	struct buf qs = BUF_INIT(16384);
	const char *key;
	json_t *v;
	json_object_foreach(params, key, v) {
		char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
		const unsigned char *raw = (const unsigned char *)(text ? text : json_string_value(v));
		if (raw && *raw) {
			buf_addf(&qs, "%s=", key);
			for (const unsigned char *p = raw; *p; p++) {
				if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				    strchr("-_.~", *p))
					buf_addch(&qs, (char)*p);
				else
					buf_addf(&qs, "%%%02X", *p);
			}
			buf_addch(&qs, '&');
		}
		free(text);
	}
	return buf_detach(&qs, NULL);
}

int web_parse_int64(const char *locale, const char *name, const char *text, int64_t min, int64_t *out,
		    struct err *e)
{
	int64_t value = 0;
	if (text && !text_parse_int64(text, min, INT64_MAX, &value)) {
		*out = value;
		return 0;
	}
	if (!e)
		return AIMS_EBADREQ;
	char key[96];
	snprintf(key, sizeof key, "field.%s", name);
	const char *label = web_string(locale, key);
	const char *sentence = web_string(locale, "error.bad_field");
	const char *mark = strstr(sentence, "{field}");
	err_field_code(e, 0, name, "type", -1, "must be a whole number of at least %lld", (long long)min);
	/* "버전 (version)": the label people read, and the name a developer greps for. */
	if (!mark)
		return err_set(e, AIMS_EBADREQ, "%s (%s)", sentence, name);
	return err_set(e, AIMS_EBADREQ, "%.*s%s (%s)%s", (int)(mark - sentence), sentence, label == key ? name : label,
		       name, mark + strlen("{field}"));
}

int web_form_int64(struct http_request *r, const char *name, int64_t min, int64_t *out, struct err *e)
{
	const char *text = http_form(r, name);
	return text ? web_parse_int64(r->locale, name, text, min, out, e) : 0;
}

void web_form_done(struct http_request *r, struct http_response *res, int rc, const struct err *e,
		   web_form_page_fn redisplay, const char *flash, const char *location)
{
	if (!rc) {
		web_flash(res, flash);
		http_redirect(res, location);
	} else if (redisplay && (e->code == AIMS_EINVAL || e->code == AIMS_ECONFLICT)) {
		redisplay(r, res, http_status_of(e->code), e);
	} else {
		web_error_page(r, res, e);
	}
}

void web_page(struct http_request *r, struct http_response *res, int status, const char *template_name,
	      json_t *ctx)
{
	struct err e = ERR_INIT;
	struct buf content = BUF_INIT((size_t)64 << 20);
	(void)r;
	int rc = tmpl_render(template_name, ctx, &content, &e);
	if (!rc) {
		json_object_set_new(ctx, "content", json_stringn_nocheck(buf_str(&content), content.len));
		buf_reset(&res->body);
		rc = tmpl_render("layout.html", ctx, &res->body, &e);
	}
	if (rc) {
		fprintf(stderr, "{\"msg\":\"template error\",\"template\":\"%s\"}\n", template_name);
		http_problem(res, 500, "page could not be rendered", NULL);
	} else {
		res->status = status;
		res->content_type = "text/html; charset=utf-8";
	}
	/* The flash message was shown: clear it. */
	if (json_object_get(ctx, "flash"))
		http_header_add(res, "Set-Cookie", "aims_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	json_decref(ctx);
	buf_release(&content);
	err_release(&e);
}

/* The user's-language wording of one field error: "errors.<code>" with {n} replaced
 * by the limit; the English message when there is no code or no wording. */
static json_t *localized_message(const char *locale, json_t *item)
{
	const char *code = json_string_value(json_object_get(item, "code"));
	char key[64];
	if (code) {
		snprintf(key, sizeof key, "errors.%s", code);
		const char *text = web_string(locale, key);
		if (text != key) {
			struct buf b = BUF_INIT(1024);
			const char *mark = strstr(text, "{n}");
			if (mark) {
				buf_add(&b, text, (size_t)(mark - text));
				buf_addf(&b, "%lld", (long long)json_integer_value(json_object_get(item, "limit")));
				buf_addstr(&b, mark + 3);
			} else {
				buf_addstr(&b, text);
			}
			json_t *out = json_string(buf_str(&b));
			buf_release(&b);
			return out;
		}
	}
	return json_incref(json_object_get(item, "message"));
}

json_t *web_field_errors(const char *locale, const struct err *e)
{
	json_t *map = json_object();
	size_t i;
	json_t *item;
	json_array_foreach(e->fields, i, item) {
		const char *field = json_string_value(json_object_get(item, "field"));
		if (field && !json_object_get(map, field))
			json_object_set_new(map, field, localized_message(locale, item));
	}
	return map;
}

json_t *web_error_summary(const char *locale, const struct err *e)
{
	const char *key = NULL;
	if (err_field_count(e))
		key = "form.fix";
	else if (e->code == AIMS_EFORBIDDEN)
		key = "error.forbidden";
	else if (e->code == AIMS_ECONFLICT)
		key = "error.conflict";
	else if (e->code == AIMS_ENOTFOUND)
		key = "error.not_found";
	return json_string(key ? web_string(locale, key) : e->message);
}

json_t *web_error_list(const char *locale, const struct err *e)
{
	json_t *list = json_array();
	size_t i;
	json_t *item;
	char key[96];
	json_array_foreach(e->fields, i, item) {
		json_t *copy = json_copy(item);
		const char *field = json_string_value(json_object_get(item, "field"));
		snprintf(key, sizeof key, "field.%s", field ? field : "");
		const char *label = web_string(locale, key);
		json_object_set_new(copy, "label", json_string(label == key ? (field ? field : "") : label));
		json_object_set_new(copy, "message", localized_message(locale, item));
		json_array_append_new(list, copy);
	}
	return list;
}

void web_error_page(struct http_request *r, struct http_response *res, const struct err *e)
{
	int status = http_status_of(e->code);
	json_t *ctx = web_context(r, "error.title");
	json_object_set_new(ctx, "status", json_integer(status));
	json_object_set_new(ctx, "message", json_string(status == 500 ? web_string(r->locale, "error.internal") : e->message));
	web_page(r, res, status, "error.html", ctx);
}

void web_not_found(struct http_request *r, struct http_response *res)
{
	struct err e = ERR_INIT;
	err_set(&e, AIMS_ENOTFOUND, "%s", web_string(r->locale, "error.not_found"));
	web_error_page(r, res, &e);
}

void web_redirect_login(struct http_request *r, struct http_response *res)
{
	(void)r;
	http_redirect(res, "/login");
}

void web_csrf_failed(struct http_request *r, struct http_response *res)
{
	struct err e = ERR_INIT;
	err_set(&e, AIMS_EFORBIDDEN, "%s", web_string(r->locale, "error.csrf"));
	web_error_page(r, res, &e);
}

void web_put_errors(json_t *ctx, const char *locale, const struct err *e)
{
	if (!e || !e->code)
		return;
	json_object_set_new(ctx, "errors", web_field_errors(locale, e));
	json_object_set_new(ctx, "error_summary", web_error_summary(locale, e));
	json_object_set_new(ctx, "error_list", web_error_list(locale, e));
}

void web_label_history_row(const char *locale, json_t *row, const char *prefix)
{
	const char *field = json_string_value(json_object_get(row, "field"));
	bool created = field && !strcmp(field, "*");
	char key[128];
	snprintf(key, sizeof key, "%s%s", prefix, field ? field : "");
	json_object_set_new(row, "field_label", json_string(created ? web_string(locale, "history.created")
								   : web_string(locale, key)));
	json_object_set_new(row, "created", json_boolean(created));
	web_time(row, "at");
}
