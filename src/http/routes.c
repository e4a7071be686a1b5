/*
 * routes.c: the route table, the single list of what the server answers, and the
 * matcher. tests/unit/test_openapi.c checks every /api and /healthz route here is
 * described in web/openapi.json, so the table and the document cannot drift.
 *
 * Patterns are literal segments, "{id}" segments, which match a positive decimal
 * id and are stored in order into ids[], and at most one "{key}" segment, which
 * matches 1 to HTTP_KEY_MAX - 1 characters of [A-Za-z0-9._-] (an Annex A control id
 * such as "A.6.2.8", or a catalog id such as "iso-iec-42001-2023") and is stored into key. Keys need no percent-decoding: anything
 * outside that set (a '/', '%', a space) ends the segment, so the route does not match.
 */
#include "http/handlers.h"
#include "base/text.h"

#include <stdio.h>
#include <string.h>

#define API (ROUTE_API)
#define PUB (ROUTE_PUBLIC)
#define FORM (ROUTE_FORM)

const struct http_route http_routes[] = {
	{ "GET", "/healthz", api_healthz, PUB | API },
	{ "GET", "/api/v1/openapi.json", api_openapi, PUB | API },
	{ "GET", "/api/v1/me", api_me, API },
	{ "GET", "/api/v1/systems", api_systems_list, API },
	{ "POST", "/api/v1/systems", api_systems_create, API },
	{ "POST", "/api/v1/systems/import", api_systems_import, API | ROUTE_UPLOAD },
	{ "GET", "/api/v1/systems/export", api_systems_export, API },
	{ "GET", "/api/v1/systems/{id}", api_system_get, API },
	{ "PATCH", "/api/v1/systems/{id}", api_system_patch, API },
	{ "DELETE", "/api/v1/systems/{id}", api_system_delete, API },
	{ "GET", "/api/v1/systems/{id}/history", api_system_history, API },
	{ "GET", "/api/v1/orgs", api_orgs_list, API },
	{ "POST", "/api/v1/orgs", api_orgs_create, API },
	{ "GET", "/api/v1/orgs/{id}", api_org_get, API },
	{ "PATCH", "/api/v1/orgs/{id}", api_org_patch, API },
	{ "GET", "/api/v1/orgs/{id}/history", api_org_history, API },
	{ "GET", "/api/v1/orgs/{id}/soa", api_soa_get, API },
	{ "GET", "/api/v1/orgs/{id}/soa.xlsx", api_soa_xlsx, API },
	{ "GET", "/api/v1/orgs/{id}/soa/{key}", api_soa_entry, API },
	{ "PATCH", "/api/v1/orgs/{id}/soa/{key}", api_soa_patch, API },
	{ "GET", "/api/v1/systems/{id}/frameworks", api_frameworks_get, API },
	{ "PUT", "/api/v1/systems/{id}/frameworks", api_frameworks_put, API },
	{ "GET", "/api/v1/systems/{id}/assessments", api_assessments_get, API },
	{ "PATCH", "/api/v1/systems/{id}/assessments", api_assessment_patch, API },
	{ "GET", "/api/v1/catalogs/{key}/versions", api_catalog_versions, API },
	{ "GET", "/api/v1/catalogs/{key}/diff", api_catalog_diff, API },
	{ "GET", "/api/v1/catalogs/{key}/touched", api_catalog_touched, API },
	{ "POST", "/api/v1/catalogs/{key}/migrate", api_catalog_migrate, API },
	{ "GET", "/api/v1/systems/{id}/assessments.xlsx", api_assessments_xlsx, API },
	{ "GET", "/api/v1/systems/{id}/assessments.csv", api_assessments_csv, API },
	{ "GET", "/api/v1/orgs/{id}/gap", api_gap_get, API },
	{ "GET", "/api/v1/orgs/{id}/gap/items", api_gap_items, API },
	{ "GET", "/api/v1/orgs/{id}/risks", api_risks_list, API },
	{ "POST", "/api/v1/orgs/{id}/risks", api_risks_create, API },
	{ "GET", "/api/v1/orgs/{id}/risks.csv", api_risks_csv, API },
	{ "GET", "/api/v1/orgs/{id}/risks.xlsx", api_risks_xlsx, API },
	{ "GET", "/api/v1/risks/{id}", api_risk_get, API },
	{ "PATCH", "/api/v1/risks/{id}", api_risk_patch, API },
	{ "POST", "/api/v1/risks/{id}/evidence", api_risk_evidence_add, API },
	{ "DELETE", "/api/v1/risks/{id}/evidence/{id}", api_risk_evidence_delete, API },
	{ "GET", "/api/v1/orgs/{id}/evidence", api_evidence_list, API },
	{ "POST", "/api/v1/orgs/{id}/evidence", api_evidence_create, API | ROUTE_STREAM },
	{ "GET", "/api/v1/evidence/{id}", api_evidence_get, API },
	{ "PATCH", "/api/v1/evidence/{id}", api_evidence_patch, API },
	{ "GET", "/api/v1/evidence/{id}/file", api_evidence_file, API },
	{ "GET", "/api/v1/evidence/{id}/report", api_evidence_report, API },
	{ "POST", "/api/v1/systems/{id}/fair-runs", api_fair_run_create, API | ROUTE_STREAM },
	{ "POST", "/api/v1/evidence/{id}/links", api_evidence_link_add, API },
	{ "DELETE", "/api/v1/evidence/{id}/links/{id}", api_evidence_link_delete, API },
	{ "GET", "/api/v1/users", api_users_list, API },
	{ "POST", "/api/v1/users", api_users_create, API },
	{ "GET", "/api/v1/users/{id}", api_user_get, API },
	{ "PATCH", "/api/v1/users/{id}", api_user_patch, API },
	{ "POST", "/api/v1/users/{id}/memberships", api_membership_add, API },
	{ "DELETE", "/api/v1/users/{id}/memberships/{id}", api_membership_delete, API },
	{ "GET", "/api/v1/tokens", api_tokens_list, API },
	{ "POST", "/api/v1/tokens", api_tokens_create, API },
	{ "DELETE", "/api/v1/tokens/{id}", api_token_delete, API },

	{ "GET", "/static/style.css", page_static_css, PUB },
	{ "GET", "/login", page_login_form, PUB },
	{ "POST", "/login", page_login_submit, PUB | FORM | ROUTE_OWN_CSRF },
	{ "POST", "/logout", page_logout, FORM },
	{ "GET", "/lang/ko", page_lang_ko, PUB },
	{ "GET", "/lang/en", page_lang_en, PUB },
	{ "GET", "/", page_dashboard, 0 },
	{ "GET", "/systems", page_systems_list, 0 },
	{ "POST", "/systems", page_system_create, FORM },
	{ "GET", "/systems/new", page_system_new, 0 },
	{ "GET", "/systems/import", page_import_form, 0 },
	{ "POST", "/systems/import", page_import_submit, FORM | ROUTE_UPLOAD },
	{ "GET", "/systems/export.csv", page_export_csv, 0 },
	{ "GET", "/systems/{id}", page_system_show, 0 },
	{ "POST", "/systems/{id}", page_system_update, FORM },
	{ "GET", "/systems/{id}/edit", page_system_edit, 0 },
	{ "POST", "/systems/{id}/archive", page_system_archive, FORM },
	{ "GET", "/orgs", page_orgs, 0 },
	{ "GET", "/orgs/{id}/soa", page_soa, 0 },
	{ "GET", "/orgs/{id}/soa.xlsx", page_soa_xlsx, 0 },
	{ "GET", "/orgs/{id}/soa.csv", page_soa_csv, 0 },
	{ "GET", "/orgs/{id}/soa/{key}", page_soa_control, 0 },
	{ "POST", "/orgs/{id}/soa/{key}", page_soa_control_update, FORM },
	{ "GET", "/systems/{id}/assessments", page_assessments, 0 },
	{ "POST", "/systems/{id}/assessments", page_assessment_update, FORM },
	{ "GET", "/systems/{id}/assessments.xlsx", page_assessments_xlsx, 0 },
	{ "GET", "/systems/{id}/assessments.csv", page_assessments_csv, 0 },
	{ "POST", "/systems/{id}/frameworks", page_frameworks_update, FORM },
	{ "GET", "/catalogs/{key}/versions", page_catalog_versions, 0 },
	{ "POST", "/catalogs/{key}/migrate", page_catalog_migrate, FORM },
	{ "GET", "/orgs/{id}/gap", page_gap, 0 },
	{ "GET", "/orgs/{id}/gap/items", page_gap_items, 0 },
	{ "GET", "/orgs/{id}/risks", page_risks_list, 0 },
	{ "GET", "/orgs/{id}/risks.csv", page_risks_csv, 0 },
	{ "GET", "/orgs/{id}/risks.xlsx", page_risks_xlsx, 0 },
	{ "GET", "/orgs/{id}/risks/new", page_risk_new, 0 },
	{ "POST", "/orgs/{id}/risks", page_risk_create, FORM },
	{ "GET", "/risks/{id}", page_risk_show, 0 },
	{ "POST", "/risks/{id}", page_risk_update, FORM },
	{ "POST", "/risks/{id}/evidence", page_risk_evidence_add, FORM },
	{ "POST", "/risks/{id}/evidence/{id}/remove", page_risk_evidence_remove, FORM },
	{ "GET", "/orgs/{id}/evidence", page_evidence_list, 0 },
	{ "POST", "/orgs/{id}/evidence", page_evidence_upload, FORM | ROUTE_STREAM },
	{ "GET", "/evidence/{id}", page_evidence_show, 0 },
	{ "POST", "/evidence/{id}", page_evidence_update, FORM },
	{ "GET", "/evidence/{id}/download", page_evidence_download, 0 },
	{ "GET", "/evidence/{id}/report", page_evidence_report, 0 },
	{ "GET", "/systems/{id}/fair", page_fair_form, 0 },
	{ "POST", "/systems/{id}/fair", page_fair_submit, FORM | ROUTE_STREAM },
	{ "POST", "/evidence/{id}/links", page_evidence_link_add, FORM },
	{ "POST", "/evidence/{id}/links/{id}/remove", page_evidence_link_remove, FORM },
	{ "POST", "/orgs", page_org_create, FORM },
	{ "GET", "/users", page_users, 0 },
	{ "POST", "/users", page_user_create, FORM },
	{ "GET", "/users/{id}", page_user_show, 0 },
	{ "POST", "/users/{id}/memberships", page_membership_add, FORM },
	{ "POST", "/users/{id}/memberships/{id}/revoke", page_membership_revoke, FORM },
	{ "POST", "/users/{id}/disable", page_user_disable, FORM },
	{ "POST", "/users/{id}/enable", page_user_enable, FORM },
	{ "GET", "/tokens", page_tokens, 0 },
	{ "POST", "/tokens", page_token_create, FORM },
	{ "POST", "/tokens/{id}/revoke", page_token_revoke, FORM },
};
const size_t http_route_count = sizeof http_routes / sizeof http_routes[0];

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

/* Matches path against pattern, filling ids and key; false when it does not match. */
static bool match(const char *pattern, const char *path, int64_t ids[3], char key[HTTP_KEY_MAX])
{
	int k = 0;
	while (*pattern && *path) {
		if (strncmp(pattern, "{key}", 5) == 0) {
			size_t n = 0;
			while (key_char(path[n]))
				n++;
			if (n == 0 || n >= HTTP_KEY_MAX)
				return false;
			memcpy(key, path, n);
			key[n] = '\0';
			pattern += 5;
			path += n;
			continue;
		}
		if (strncmp(pattern, "{id}", 4) == 0) {
			size_t n = strspn(path, "0123456789");
			char digits[20];
			int64_t v = 0;
			if (n == 0 || n >= sizeof digits || k >= 3)
				return false;
			memcpy(digits, path, n);
			digits[n] = '\0';
			if (text_parse_int64(digits, 1, INT64_MAX, &v))
				return false;
			ids[k++] = v;
			pattern += 4;
			path += n;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

const struct http_route *http_route_match(const char *method, const char *path, int64_t ids[3],
					  char key[HTTP_KEY_MAX], bool *path_known, char *allow, size_t allow_len)
{
	size_t used = 0;
	*path_known = false;
	if (allow_len)
		allow[0] = '\0';
	for (size_t i = 0; i < http_route_count; i++) {
		int64_t tmp[3] = { 0, 0, 0 };
		char tmp_key[HTTP_KEY_MAX] = "";
		if (!match(http_routes[i].pattern, path, tmp, tmp_key))
			continue;
		if (strcmp(http_routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(http_routes[i].method, "GET") == 0)) {
			memcpy(ids, tmp, sizeof tmp);
			memcpy(key, tmp_key, HTTP_KEY_MAX);
			return &http_routes[i];
		}
		*path_known = true;
		int n = snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", http_routes[i].method);
		if (n > 0 && used + (size_t)n < allow_len)
			used += (size_t)n;
	}
	return NULL;
}
