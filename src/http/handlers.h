/*
 * handlers.h: every route handler, for the table in routes.c.
 */
#ifndef AIMS_HTTP_HANDLERS_H
#define AIMS_HTTP_HANDLERS_H

#include "http/http.h"

#define HANDLER(name) void name(struct http_request *r, struct http_response *res)

/* JSON API (api_*.c) */
HANDLER(api_healthz);
HANDLER(api_openapi);
HANDLER(api_me);
HANDLER(api_systems_list);
HANDLER(api_systems_create);
HANDLER(api_system_get);
HANDLER(api_system_patch);
HANDLER(api_system_delete);
HANDLER(api_system_history);
HANDLER(api_soa_get);
HANDLER(api_soa_xlsx);
HANDLER(api_soa_entry);
HANDLER(api_soa_patch);
HANDLER(api_frameworks_get);
HANDLER(api_frameworks_put);
HANDLER(api_assessments_get);
HANDLER(api_assessment_patch);
HANDLER(api_catalog_versions);
HANDLER(api_catalog_diff);
HANDLER(api_catalog_touched);
HANDLER(api_catalog_migrate);
HANDLER(page_catalog_versions);
HANDLER(page_catalog_migrate);
HANDLER(api_assessments_xlsx);
HANDLER(api_assessments_csv);
HANDLER(page_soa);
HANDLER(page_soa_xlsx);
HANDLER(page_soa_csv);
HANDLER(page_soa_control);
HANDLER(page_soa_control_update);
HANDLER(page_assessments);
HANDLER(page_assessment_update);
HANDLER(page_assessments_xlsx);
HANDLER(page_assessments_csv);
HANDLER(page_frameworks_update);
HANDLER(api_gap_get);
HANDLER(api_gap_items);
HANDLER(page_gap);
HANDLER(page_gap_items);
HANDLER(api_fair_run_create);
HANDLER(api_evidence_report);
HANDLER(page_fair_form);
HANDLER(page_fair_submit);
HANDLER(page_evidence_report);
HANDLER(api_evidence_list);
HANDLER(api_evidence_create);
HANDLER(api_evidence_get);
HANDLER(api_evidence_patch);
HANDLER(api_evidence_file);
HANDLER(api_evidence_link_add);
HANDLER(api_evidence_link_delete);
HANDLER(page_evidence_list);
HANDLER(page_evidence_upload);
HANDLER(page_evidence_show);
HANDLER(page_evidence_download);
HANDLER(page_evidence_update);
HANDLER(page_evidence_link_add);
HANDLER(page_evidence_link_remove);
HANDLER(api_systems_import);
HANDLER(api_systems_export);
HANDLER(api_orgs_list);
HANDLER(api_orgs_create);
HANDLER(api_org_get);
HANDLER(api_org_patch);
HANDLER(api_org_history);
HANDLER(api_users_list);
HANDLER(api_users_create);
HANDLER(api_user_get);
HANDLER(api_user_patch);
HANDLER(api_membership_add);
HANDLER(api_membership_delete);
HANDLER(api_tokens_list);
HANDLER(api_tokens_create);
HANDLER(api_token_delete);

/* HTML pages (page_*.c) */
HANDLER(page_static_css);
HANDLER(page_login_form);
HANDLER(page_login_submit);
HANDLER(page_logout);
HANDLER(page_lang_ko);
HANDLER(page_lang_en);
HANDLER(page_dashboard);
HANDLER(page_systems_list);
HANDLER(page_system_new);
HANDLER(page_system_create);
HANDLER(page_system_show);
HANDLER(page_system_edit);
HANDLER(page_system_update);
HANDLER(page_system_archive);
HANDLER(page_import_form);
HANDLER(page_import_submit);
HANDLER(page_export_csv);
HANDLER(page_orgs);
HANDLER(page_org_create);
HANDLER(page_users);
HANDLER(page_user_create);
HANDLER(page_user_show);
HANDLER(page_membership_add);
HANDLER(page_membership_revoke);
HANDLER(page_user_disable);
HANDLER(page_user_enable);
HANDLER(page_tokens);
HANDLER(page_token_create);
HANDLER(page_token_revoke);

#endif
