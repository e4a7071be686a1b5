/*
 * page_auth.c: sign-in, sign-out, language switch and the stylesheet.
 *
 * The sign-in form is protected against login CSRF by a double-submit token: GET
 * /login sets the aims_precsrf cookie and puts the same value in the form; POST
 * /login accepts only when both match.
 */
#include "http/handlers.h"
#include "http/web.h"
#include "http/server.h"
#include "base/asset.h"
#include "base/secret.h"
#include "svc/svc.h"

#include <stdio.h>
#include <string.h>

HANDLER(page_static_css)
{
	const struct asset *a = asset_find("web/static/style.css");
	(void)r;
	if (!a) {
		http_problem(res, 404, "no stylesheet", NULL);
		return;
	}
	http_text(res, 200, "text/css; charset=utf-8", a->data, a->len);
	res->cacheable = true;
}

static void login_page(struct http_request *r, struct http_response *res, int status, const char *email,
		       const char *error)
{
	char token[SECRET_TOKEN_CHARS + 1];
	const char *have = http_cookie(r, "aims_precsrf");
	if (have && strlen(have) == SECRET_TOKEN_CHARS) {
		snprintf(token, sizeof token, "%s", have);
	} else {
		secret_random_token(token);
		http_header_add(res, "Set-Cookie", "aims_precsrf=%s; Path=/login; HttpOnly; SameSite=Strict%s", token,
				r->config && r->config->secure_cookies ? "; Secure" : "");
	}
	json_t *ctx = web_context(r, "login.title");
	json_object_set_new(ctx, "login_csrf", json_string(token));
	json_object_set_new(ctx, "email", json_string(email ? email : ""));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	web_page(r, res, status, "login.html", ctx);
}

HANDLER(page_login_form)
{
	if (r->auth != AUTH_NONE) {
		http_redirect(res, "/");
		return;
	}
	login_page(r, res, 200, NULL, NULL);
}

HANDLER(page_login_submit)
{
	struct err e = ERR_INIT;
	char cookie[64];
	int64_t user_id = 0;
	int retry = 0;
	const char *email = http_form(r, "email");
	const char *password = http_form(r, "password");
	const char *sent = http_form(r, "_csrf");
	const char *expected = http_cookie(r, "aims_precsrf");
	if (!sent || !expected || !secret_equal(sent, expected)) {
		login_page(r, res, 403, email, web_string(r->locale, "login.expired"));
		return;
	}
	if (!email || !password || !*email || !*password) {
		login_page(r, res, 422, email, web_string(r->locale, "login.missing"));
		return;
	}
	int rc = svc_login(r->store, email, password, r->address, cookie, &user_id, &retry, &e);
	if (rc == AIMS_ETHROTTLED) {
		http_header_add(res, "Retry-After", "%d", retry);
		login_page(r, res, 429, email, web_string(r->locale, "login.throttled"));
	} else if (rc == AIMS_EUNAUTH) {
		login_page(r, res, 401, email, web_string(r->locale, "login.failed"));
	} else if (rc) {
		web_error_page(r, res, &e);
	} else {
		http_header_add(res, "Set-Cookie", "aims_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", cookie,
				SVC_SESSION_HOURS * 3600, r->config && r->config->secure_cookies ? "; Secure" : "");
		http_header_add(res, "Set-Cookie", "aims_precsrf=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict");
		http_redirect(res, "/");
	}
	err_release(&e);
}

HANDLER(page_logout)
{
	struct err e = ERR_INIT;
	if (r->auth == AUTH_SESSION)
		svc_logout(r->store, r->session_cookie, r->actor.user_id, r->address, &e);
	http_header_add(res, "Set-Cookie", "aims_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	http_redirect(res, "/login");
	err_release(&e);
}

static void set_lang(struct http_request *r, struct http_response *res, const char *lang)
{
	const char *next = http_query(r, "next");
	/* Only local paths, never another site: "/x" but not "//host" nor "/\thost", which
	 * browsers read as "//host" after dropping the tab. Printable ASCII only. */
	bool local = next && next[0] == '/' && next[1] != '/' && next[1] != '\\';
	for (const char *p = next; local && *p; p++)
		local = *p > 0x20 && *p < 0x7f && *p != '\\';
	if (!local)
		next = "/";
	http_header_add(res, "Set-Cookie", "aims_lang=%s; Path=/; Max-Age=31536000; SameSite=Lax", lang);
	http_redirect(res, next);
}

HANDLER(page_lang_ko) { set_lang(r, res, "ko"); }
HANDLER(page_lang_en) { set_lang(r, res, "en"); }
