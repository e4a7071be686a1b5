/*
 * compliance.c: the Statement of Applicability of an organisation (ISO/IEC 42001
 * 6.1.3 over the Annex A controls), the frameworks chosen per AI system and the
 * per-requirement assessments of a system, with their history and CSV export.
 *
 * Rights: reading needs read on the organisation (or the system's organisation); an
 * organisation or system the actor cannot see is AIMS_ENOTFOUND. Editing the SoA needs
 * RIGHT_SYSTEM_EDIT_ANY there (officer, admin); frameworks and assessments need what
 * editing the system needs (svc_system_can_edit: officer, admin, or its owner).
 *
 * Rows exist only for what someone has set: a control without a row reads as
 * applicable / not_started at version 0, a requirement without one as not_assessed.
 * The first change of an entry creates its row (history: one "*" row holding it);
 * later changes write one history row per changed field. Every row records the
 * catalog version it was last edited against.
 *
 * Every mutation is one transaction, run under the retry rule (svc_retry).
 * Memory: every json_t returned is a new reference owned by the caller.
 */
#include "svc/internal.h"
#include "svc/catalogs.h"
#include "model/compliance.h"
#include "model/vocab.h"
#include "report/assessment_xlsx.h"
#include "report/soa_xlsx.h"
#include "report/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

static json_t *text_pair(const struct catalog_text *t)
{
	return json_pack("{s:s? s:s?}", "ko", t->ko, "en", t->en);
}

/* Drops the fields of `fields` that equal `before`'s, so history and version only
 * record real changes. */
static void drop_unchanged(json_t *fields, json_t *before)
{
	const char *key;
	json_t *value;
	void *tmp;
	json_object_foreach_safe(fields, tmp, key, value) {
		json_t *old = json_object_get(before, key);
		if (old && json_equal(old, value))
			json_object_del(fields, key);
	}
}

/* ---- Statement of Applicability ---- */

static int soa_catalog(const struct catalog **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	int rc = svc_catalogs_builtin(&set, e);
	if (rc)
		return rc;
	*out = catalog_set_find(set, COMPLIANCE_SOA_CATALOG);
	if (!*out)
		return err_set(e, AIMS_ESTORE, "the catalog %s is not built in", COMPLIANCE_SOA_CATALOG);
	return 0;
}

/* The default entry of a control that has no row. */
static json_t *soa_default(const struct catalog *c, const char *control_id)
{
	return json_pack("{sI ss ss ss sb ss ss sn sn sn sn sI sn sn sn}", "id", (json_int_t)0, "catalog_id", c->id,
			 "catalog_version", c->version, "control_id", control_id, "applicable", 1,
			 "justification", "", "status", "not_started", "owner_user_id", "owner_email",
			 "owner_name", "due_date", "version", (json_int_t)0, "created_at", "updated_at",
			 "review_from");
}

/* Adds the control's place in the catalog and the derived flags to an entry. */
static void soa_decorate(json_t *entry, const struct catalog *c, const struct catalog_requirement *req,
			 const char *date)
{
	const struct catalog_requirement *group = req->parent ? catalog_find_requirement(c, req->parent) : NULL;
	json_object_set_new(entry, "title", text_pair(&req->title));
	json_object_set_new(entry, "group", req->parent ? json_string(req->parent) : json_null());
	json_object_set_new(entry, "group_title", group ? text_pair(&group->title) : json_null());
	json_object_set_new(entry, "stored", json_boolean(json_integer_value(json_object_get(entry, "id")) > 0));
	const char *v = json_string_value(json_object_get(entry, "catalog_version"));
	json_object_set_new(entry, "outdated", json_boolean(v && strcmp(v, c->version) != 0));
	const char *due = json_string_value(json_object_get(entry, "due_date"));
	const char *status = json_string_value(json_object_get(entry, "status"));
	json_object_set_new(entry, "overdue",
			    json_boolean(json_is_true(json_object_get(entry, "applicable")) && due &&
					 strcmp(due, date) < 0 && status && strcmp(status, "implemented")));
}

int svc_soa_get(struct store *s, const struct actor *a, int64_t org_id, const char *status,
		json_t **out, struct err *e)
{
	const struct catalog *c = NULL;
	json_t *org = NULL, *rows = NULL, *items = json_array(), *all = json_array(), *evidence = NULL;
	char date[11];
	*out = NULL;
	svc_today(date);
	int rc = soa_catalog(&c, e);
	if (!rc && status && *status && !vocab_has(&vocab_soa_status, status) && strcmp(status, "excluded") &&
	    strcmp(status, "overdue") && strcmp(status, "no_evidence") && strcmp(status, "expired_evidence")) {
		err_field_code(e, 0, "status", "choice", -1,
			       "must be not_started, planned, partial, implemented, excluded, overdue, no_evidence "
			       "or expired_evidence");
		rc = err_set(e, AIMS_EBADREQ, "invalid query parameters");
	}
	if (!rc)
		rc = svc_load_org(s, a, org_id, &org, e);
	if (!rc)
		rc = store_soa_list(s, org_id, c->id, &rows, e);
	if (!rc)
		rc = svc_evidence_by_requirement(s, org_id, 0, c->id, date, &evidence, e);
	if (rc)
		goto out;
	/* Rows come in control_id order; look each control up by id. */
	json_t *by_id = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		json_object_set(by_id, json_string_value(json_object_get(row, "control_id")), row);
	for (size_t k = 0; k < c->requirement_count; k++) {
		const struct catalog_requirement *req = &c->requirements[k];
		if (strcmp(req->kind, "control"))
			continue;
		json_t *stored = json_object_get(by_id, req->id);
		json_t *entry = stored ? json_deep_copy(stored) : soa_default(c, req->id);
		soa_decorate(entry, c, req, date);
		svc_evidence_mark(entry, evidence, req->id);
		json_array_append(all, entry);
		const char *ev_state = json_string_value(json_object_get(entry, "evidence_state"));
		bool applies = json_is_true(json_object_get(entry, "applicable"));
		bool keep = !status || !*status ||
			    (!strcmp(status, "excluded") ? json_is_false(json_object_get(entry, "applicable"))
			     : !strcmp(status, "overdue") ? json_is_true(json_object_get(entry, "overdue"))
			     : !strcmp(status, "no_evidence") ? applies && !strcmp(ev_state, "none")
			     : !strcmp(status, "expired_evidence") ? applies && !strcmp(ev_state, "expired")
							   : json_is_true(json_object_get(entry, "applicable")) &&
								     !strcmp(status, json_string_value(json_object_get(entry, "status"))));
		if (keep)
			json_array_append(items, entry);
		json_decref(entry);
	}
	json_decref(by_id);
	*out = json_pack("{sI sO ss ss so so sb so}", "org_id", (json_int_t)org_id, "org_name",
			 json_object_get(org, "name"), "catalog_id", c->id, "catalog_version", c->version,
			 "catalog_title", text_pair(&c->title), "summary", compliance_soa_summary(all, date), "can_edit",
			 (actor_rights_on(a, json_string_value(json_object_get(org, "path"))) & RIGHT_SYSTEM_EDIT_ANY) != 0,
			 "items", items);
	items = NULL;
out:
	json_decref(org);
	json_decref(rows);
	json_decref(items);
	json_decref(all);
	json_decref(evidence);
	return rc;
}

/* The control as a requirement of kind "control" of the SoA catalog, or 404. */
static int soa_control(const struct catalog *c, const char *control_id,
		       const struct catalog_requirement **out, struct err *e)
{
	*out = control_id ? catalog_find_requirement(c, control_id) : NULL;
	if (!*out || strcmp((*out)->kind, "control"))
		return err_set(e, AIMS_ENOTFOUND, "no such Annex A control: %s", control_id ? control_id : "");
	return 0;
}

static int soa_set_once(struct store *s, const struct actor *a, int64_t org_id, const char *control_id,
			json_t *input, int64_t expected_version, json_t **out, struct err *e)
{
	const struct catalog *c = NULL;
	const struct catalog_requirement *req = NULL;
	json_t *org = NULL, *before = NULL, *fields = NULL;
	char now[CLOCK_ISO_LEN], date[11];
	int64_t id = 0;
	*out = NULL;
	clock_now_iso(now);
	svc_today(date);
	int rc = soa_catalog(&c, e);
	if (!rc)
		rc = soa_control(c, control_id, &req, e);
	if (rc)
		return rc;
	if ((rc = store_tx_begin(s, e)))
		return rc;
	if ((rc = svc_load_org(s, a, org_id, &org, e)))
		goto out;
	const char *path = json_string_value(json_object_get(org, "path"));
	if (!(actor_rights_on(a, path) & RIGHT_SYSTEM_EDIT_ANY)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing the Statement of Applicability here");
		goto out;
	}
	rc = store_soa_get(s, org_id, c->id, control_id, &before, e);
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		rc = 0;
	}
	if (rc)
		goto out;
	int64_t version = before ? json_integer_value(json_object_get(before, "version")) : 0;
	if ((expected_version > 0 && version != expected_version) || (expected_version == SVC_VERSION_ABSENT && before)) {
		rc = err_set(e, AIMS_ECONFLICT, "the entry was changed by someone else (now version %lld); reload it",
			     (long long)version);
		goto out;
	}
	if ((rc = compliance_soa_validate(input, before, &fields, e)))
		goto out;
	bool reviewed = json_is_true(json_object_get(fields, "reviewed"));
	json_object_del(fields, "reviewed");
	json_t *owner = json_object_get(fields, "owner_user_id");
	if (json_is_integer(owner) && !svc_holds_role_on(s, json_integer_value(owner), path, e)) {
		err_field_code(e, 0, "owner_user_id", "owner", -1, "must be a user with a role on this organisation");
		rc = AIMS_EINVAL;
		goto out;
	}
	if (!before) {
		json_t *row = json_deep_copy(fields);
		json_object_set_new(row, "org_id", json_integer(org_id));
		json_object_set_new(row, "catalog_id", json_string(c->id));
		json_object_set_new(row, "catalog_version", json_string(c->version));
		json_object_set_new(row, "control_id", json_string(control_id));
		rc = store_soa_create(s, row, now, &id, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, "soa", id, NULL, row, e);
		json_decref(row);
	} else {
		id = json_integer_value(json_object_get(before, "id"));
		drop_unchanged(fields, before);
		bool pending = json_is_string(json_object_get(before, "review_from"));
		if (json_object_size(fields) || (reviewed && pending)) {
			/* Any edit re-affirms the entry against the text in use, and so is its review. */
			json_object_set_new(fields, "catalog_version", json_string(c->version));
			json_object_set_new(fields, "review_from", json_null());
			drop_unchanged(fields, before);
			rc = store_soa_update(s, id, fields, expected_version, now, e);
			if (!rc)
				rc = svc_history_diff(s, now, a, "soa", id, before, fields, e);
		}
	}
	if (!rc && !(rc = store_soa_get(s, org_id, c->id, control_id, out, e)))
		soa_decorate(*out, c, req, date);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(org);
	json_decref(before);
	json_decref(fields);
	return rc;
}

int svc_soa_set(struct store *s, const struct actor *a, int64_t org_id, const char *control_id,
		json_t *input, int64_t expected_version, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = soa_set_once(s, a, org_id, control_id, input, expected_version, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_soa_entry(struct store *s, const struct actor *a, int64_t org_id, const char *control_id,
		  json_t **out, struct err *e)
{
	const struct catalog *c = NULL;
	const struct catalog_requirement *req = NULL;
	const struct catalog_set *set = NULL;
	json_t *org = NULL, *entry = NULL, *history = NULL, *evidence = NULL;
	char date[11];
	*out = NULL;
	svc_today(date);
	int rc = soa_catalog(&c, e);
	if (!rc)
		rc = soa_control(c, control_id, &req, e);
	if (!rc)
		rc = svc_catalogs_builtin(&set, e);
	if (!rc)
		rc = svc_load_org(s, a, org_id, &org, e);
	if (rc)
		goto out;
	rc = store_soa_get(s, org_id, c->id, control_id, &entry, e);
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		rc = 0;
		entry = soa_default(c, control_id);
	}
	if (rc)
		goto out;
	int64_t id = json_integer_value(json_object_get(entry, "id"));
	if (id > 0 && (rc = store_change_list(s, "soa", id, 1000, &history, e)))
		goto out;
	soa_decorate(entry, c, req, date);
	if ((rc = svc_evidence_by_requirement(s, org_id, 0, c->id, date, &evidence, e)))
		goto out;
	svc_evidence_mark(entry, evidence, control_id);
	json_t *items = json_object_get(json_object_get(evidence, control_id), "items");
	json_object_set_new(entry, "evidence", items ? json_incref(items) : json_array());
	json_object_set_new(entry, "org_id", json_integer(org_id));
	json_object_set_new(entry, "description", text_pair(&req->description));
	json_object_set_new(entry, "links", catalog_set_links(set, c->id, control_id));
	json_object_set_new(entry, "history", history ? history : json_array());
	history = NULL;
	json_object_set_new(entry, "can_edit", json_boolean(actor_rights_on(a, json_string_value(json_object_get(org, "path"))) &
							    RIGHT_SYSTEM_EDIT_ANY));
	*out = entry;
	entry = NULL;
out:
	json_decref(org);
	json_decref(entry);
	json_decref(history);
	json_decref(evidence);
	return rc;
}

int svc_soa_owner_options(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e)
{
	json_t *org = NULL;
	*out = NULL;
	int rc = svc_load_org(s, a, org_id, &org, e);
	if (rc)
		return rc;
	const char *path = json_string_value(json_object_get(org, "path"));
	/* Only who may set the owner needs the list; readers get none of the addresses. */
	if (actor_rights_on(a, path) & RIGHT_SYSTEM_EDIT_ANY)
		rc = svc_users_with_role_on(s, path, out, e);
	else
		*out = json_array();
	json_decref(org);
	return rc;
}

int svc_soa_csv(json_t *soa, const char *locale, char **out, size_t *len, struct err *e)
{
	static const char *const header[] = {
		"control_id", "group", "title", "applicable", "justification", "status", "owner_email",
		"due_date", "overdue", "catalog_version", "updated_at", NULL,
	};
	struct buf b = BUF_INIT((size_t)1 << 26);
	int rc = buf_add(&b, "\xEF\xBB\xBF", 3); /* BOM: spreadsheets then read Korean as UTF-8 */
	for (int i = 0; header[i] && !rc; i++)
		rc = (i && buf_addch(&b, ',')) || svc_csv_cell(&b, header[i]);
	if (!rc)
		rc = buf_addstr(&b, "\r\n");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(soa, "items"), i, it) {
		const char *cells[] = {
			json_string_value(json_object_get(it, "control_id")),
			json_string_value(json_object_get(it, "group")),
			report_text_in(json_object_get(it, "title"), locale),
			json_is_true(json_object_get(it, "applicable")) ? "yes" : "no",
			json_string_value(json_object_get(it, "justification")),
			json_string_value(json_object_get(it, "status")),
			json_string_value(json_object_get(it, "owner_email")),
			json_string_value(json_object_get(it, "due_date")),
			json_is_true(json_object_get(it, "overdue")) ? "yes" : "no",
			json_string_value(json_object_get(it, "catalog_version")),
			json_string_value(json_object_get(it, "updated_at")),
		};
		for (size_t k = 0; k < sizeof cells / sizeof cells[0] && !rc; k++)
			rc = (k && buf_addch(&b, ',')) || svc_csv_cell(&b, cells[k]);
		if (!rc)
			rc = buf_addstr(&b, "\r\n");
		if (rc)
			break;
	}
	if (rc) {
		buf_release(&b);
		return err_set(e, AIMS_ETOOBIG, "the export is too large");
	}
	*out = buf_detach(&b, len);
	return 0;
}

int svc_soa_xlsx(json_t *soa, const char *locale, char **out, size_t *len, struct err *e)
{
	return report_xlsx_bytes(report_soa_xlsx, soa, locale, out, len, e);
}

/* ---- frameworks and assessments ---- */

static int framework_view(struct store *s, json_t *system, json_t **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	json_t *rows = NULL;
	int64_t id = json_integer_value(json_object_get(system, "id"));
	int rc = svc_catalogs_builtin(&set, e);
	if (!rc)
		rc = store_framework_list(s, id, &rows, e);
	if (rc)
		return rc;
	json_t *chosen = json_array(), *available = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *cid = json_string_value(json_object_get(row, "catalog_id"));
		const struct catalog *c = catalog_set_find(set, cid);
		json_array_append_new(chosen, json_pack("{ss s:s? s:o sO}", "catalog_id", cid, "version",
							c ? c->version : NULL, "title",
							c ? text_pair(&c->title) : json_null(), "created_at",
							json_object_get(row, "created_at")));
	}
	for (size_t k = 0; k < set->catalog_count; k++)
		json_array_append_new(available, json_pack("{ss ss so}", "catalog_id", set->catalogs[k].id, "version",
							   set->catalogs[k].version, "title",
							   text_pair(&set->catalogs[k].title)));
	json_decref(rows);
	*out = json_pack("{sI so so}", "system_id", (json_int_t)id, "frameworks", chosen, "available", available);
	return 0;
}

int svc_framework_list(struct store *s, const struct actor *a, int64_t system_id, json_t **out,
		       struct err *e)
{
	json_t *sys = NULL;
	*out = NULL;
	int rc = svc_load_system(s, a, system_id, &sys, e);
	if (!rc)
		rc = framework_view(s, sys, out, e);
	if (!rc)
		json_object_set_new(*out, "can_edit", json_boolean(svc_system_can_edit(a, sys)));
	json_decref(sys);
	return rc;
}

static int framework_set_once(struct store *s, const struct actor *a, int64_t system_id, json_t *input,
			      json_t **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	json_t *sys = NULL, *rows = NULL, *ids = json_array(), *old_ids = json_array();
	json_t *list = json_object_get(input, "catalogs");
	char now[CLOCK_ISO_LEN];
	*out = NULL;
	clock_now_iso(now);
	int rc = svc_catalogs_builtin(&set, e);
	if (rc)
		goto done;
	if (!json_is_array(list)) {
		err_field_code(e, 0, "catalogs", "type", -1, "must be an array of catalog ids");
	} else if (json_array_size(list) > COMPLIANCE_FRAMEWORKS_MAX) {
		err_field_code(e, 0, "catalogs", "too_many", COMPLIANCE_FRAMEWORKS_MAX, "at most %d frameworks",
			       COMPLIANCE_FRAMEWORKS_MAX);
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v) {
			const char *cid = json_string_value(v);
			bool dup = false;
			for (size_t k = 0; k < i && cid; k++)
				dup |= json_equal(json_array_get(list, k), v);
			if (!cid || !catalog_set_find(set, cid))
				err_field_code(e, 0, "catalogs", "choice", -1, "no such catalog: %s", cid ? cid : "(not a string)");
			else if (!dup)
				json_array_append(ids, v);
		}
	}
	const char *key;
	json_t *v;
	json_object_foreach(input, key, v)
		if (strcmp(key, "catalogs"))
			err_field_code(e, 0, key, "unknown", -1, "is not a field here");
	if (err_field_count(e)) {
		rc = err_set(e, AIMS_EINVAL, "the framework list has errors");
		goto done;
	}
	if ((rc = store_tx_begin(s, e)))
		goto done;
	if ((rc = svc_load_system(s, a, system_id, &sys, e)))
		goto out;
	if (!svc_system_can_edit(a, sys)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this AI system");
		goto out;
	}
	if ((rc = store_framework_list(s, system_id, &rows, e)))
		goto out;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		json_array_append(old_ids, json_object_get(row, "catalog_id"));
	/* History compares sorted lists, so a reordering is not a change. */
	json_t *sorted = json_array();
	for (size_t k = 0; k < set->catalog_count; k++)
		for (size_t j = 0; j < json_array_size(ids); j++)
			if (!strcmp(json_string_value(json_array_get(ids, j)), set->catalogs[k].id))
				json_array_append_new(sorted, json_string(set->catalogs[k].id));
	json_t *old_sorted = json_array();
	for (size_t k = 0; k < set->catalog_count; k++)
		for (size_t j = 0; j < json_array_size(old_ids); j++)
			if (!strcmp(json_string_value(json_array_get(old_ids, j)), set->catalogs[k].id))
				json_array_append_new(old_sorted, json_string(set->catalogs[k].id));
	if (!json_equal(sorted, old_sorted)) {
		json_t *before = json_pack("{sO}", "frameworks", old_sorted);
		json_t *after = json_pack("{sO}", "frameworks", sorted);
		rc = store_framework_set(s, system_id, ids, now, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, "system", system_id, before, after, e);
		json_decref(before);
		json_decref(after);
	}
	json_decref(sorted);
	json_decref(old_sorted);
	if (!rc)
		rc = framework_view(s, sys, out, e);
	if (!rc)
		json_object_set_new(*out, "can_edit", json_true());
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
done:
	json_decref(sys);
	json_decref(rows);
	json_decref(ids);
	json_decref(old_ids);
	return rc;
}

int svc_framework_set(struct store *s, const struct actor *a, int64_t system_id, json_t *input,
		      json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = framework_set_once(s, a, system_id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

/* Whether catalog_id is among the system's frameworks (AIMS_EINVAL naming `catalog` if not). */
static int chosen_framework(struct store *s, int64_t system_id, const char *catalog_id, bool *chosen,
			    struct err *e)
{
	json_t *rows = NULL;
	*chosen = false;
	int rc = store_framework_list(s, system_id, &rows, e);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		*chosen |= catalog_id && !strcmp(catalog_id, json_string_value(json_object_get(row, "catalog_id")));
	json_decref(rows);
	return rc;
}

/* Requirements nobody names as parent: the ones a system is assessed against. */
static bool is_leaf(const struct catalog *c, const struct catalog_requirement *req)
{
	for (size_t k = 0; k < c->requirement_count; k++)
		if (c->requirements[k].parent && !strcmp(c->requirements[k].parent, req->id))
			return false;
	return true;
}

static json_t *assessment_default(const struct catalog *c, int64_t system_id, const char *requirement_id)
{
	return json_pack("{sI sI ss ss ss ss ss sn sn sn sn sI sn sn sn}", "id", (json_int_t)0, "system_id",
			 (json_int_t)system_id, "catalog_id", c->id, "catalog_version", c->version,
			 "requirement_id", requirement_id, "status", "not_assessed", "note", "",
			 "assessor_user_id", "assessor_email", "assessor_name", "assessed_on", "version",
			 (json_int_t)0, "created_at", "updated_at", "review_from");
}

int svc_assessment_list(struct store *s, const struct actor *a, int64_t system_id, const char *catalog_id,
			json_t **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	const struct catalog *c = NULL;
	json_t *sys = NULL, *rows = NULL, *items = json_array(), *by_status = json_object(), *evidence = NULL;
	char date[11];
	bool chosen = false;
	*out = NULL;
	int rc = svc_catalogs_builtin(&set, e);
	if (!rc)
		rc = svc_load_system(s, a, system_id, &sys, e);
	if (rc)
		goto out;
	if (!catalog_id || !*catalog_id) {
		err_field_code(e, 0, "catalog", "required", -1, "is required");
		rc = err_set(e, AIMS_EBADREQ, "invalid query parameters");
		goto out;
	}
	if (!(c = catalog_set_find(set, catalog_id)) || (rc = chosen_framework(s, system_id, catalog_id, &chosen, e)) ||
	    !chosen) {
		if (!rc) {
			err_field_code(e, 0, "catalog", "choice", -1, "is not a framework chosen for this system");
			rc = err_set(e, AIMS_EBADREQ, "invalid query parameters");
		}
		goto out;
	}
	if ((rc = store_assessment_list(s, system_id, catalog_id, &rows, e)))
		goto out;
	svc_today(date);
	if ((rc = svc_evidence_by_requirement(s, 0, system_id, catalog_id, date, &evidence, e)))
		goto out;
	for (int i = 0; vocab_assessment_status.codes[i]; i++)
		json_object_set_new(by_status, vocab_assessment_status.codes[i], json_integer(0));
	json_t *by_id = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		json_object_set(by_id, json_string_value(json_object_get(row, "requirement_id")), row);
	for (size_t k = 0; k < c->requirement_count; k++) {
		const struct catalog_requirement *req = &c->requirements[k];
		if (!is_leaf(c, req))
			continue;
		json_t *stored = json_object_get(by_id, req->id);
		json_t *entry = stored ? json_deep_copy(stored) : assessment_default(c, system_id, req->id);
		json_object_set_new(entry, "kind", json_string(req->kind));
		const struct catalog_requirement *parent = req->parent ? catalog_find_requirement(c, req->parent) : NULL;
		json_object_set_new(entry, "parent", req->parent ? json_string(req->parent) : json_null());
		json_object_set_new(entry, "parent_title", parent ? text_pair(&parent->title) : json_null());
		json_object_set_new(entry, "title", text_pair(&req->title));
		const char *v = json_string_value(json_object_get(entry, "catalog_version"));
		json_object_set_new(entry, "outdated", json_boolean(v && strcmp(v, c->version) != 0));
		svc_evidence_mark(entry, evidence, req->id);
		json_t *n = json_object_get(by_status, json_string_value(json_object_get(entry, "status")));
		if (n)
			json_integer_set(n, json_integer_value(n) + 1);
		json_array_append_new(items, entry);
	}
	json_decref(by_id);
	*out = json_pack("{sI sO ss ss so s{sI so} sb so}", "system_id", (json_int_t)system_id, "system_name",
			 json_object_get(sys, "name"), "catalog_id", c->id,
			 "catalog_version", c->version, "catalog_title", text_pair(&c->title), "summary", "total",
			 (json_int_t)json_array_size(items), "by_status", by_status, "can_edit",
			 svc_system_can_edit(a, sys), "items", items);
	items = by_status = NULL;
out:
	json_decref(sys);
	json_decref(rows);
	json_decref(items);
	json_decref(by_status);
	json_decref(evidence);
	return rc;
}

int svc_assessment_csv(json_t *list, const char *locale, char **out, size_t *len, struct err *e)
{
	static const char *const header[] = {
		"requirement_id", "parent", "kind", "title", "status", "note", "assessor_email", "assessed_on",
		"catalog_id", "catalog_version", "updated_at", NULL,
	};
	struct buf b = BUF_INIT((size_t)1 << 26);
	int rc = buf_add(&b, "\xEF\xBB\xBF", 3); /* BOM: spreadsheets then read Korean as UTF-8 */
	for (int i = 0; header[i] && !rc; i++)
		rc = (i && buf_addch(&b, ',')) || svc_csv_cell(&b, header[i]);
	if (!rc)
		rc = buf_addstr(&b, "\r\n");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		if (rc)
			break;
		const char *cells[] = {
			json_string_value(json_object_get(it, "requirement_id")),
			json_string_value(json_object_get(it, "parent")),
			json_string_value(json_object_get(it, "kind")),
			report_text_in(json_object_get(it, "title"), locale),
			json_string_value(json_object_get(it, "status")),
			json_string_value(json_object_get(it, "note")),
			json_string_value(json_object_get(it, "assessor_email")),
			json_string_value(json_object_get(it, "assessed_on")),
			json_string_value(json_object_get(list, "catalog_id")),
			json_string_value(json_object_get(it, "catalog_version")),
			json_string_value(json_object_get(it, "updated_at")),
		};
		for (size_t k = 0; k < sizeof cells / sizeof cells[0] && !rc; k++)
			rc = (k && buf_addch(&b, ',')) || svc_csv_cell(&b, cells[k]);
		if (!rc)
			rc = buf_addstr(&b, "\r\n");
	}
	if (rc) {
		buf_release(&b);
		return err_set(e, AIMS_ETOOBIG, "the export is too large");
	}
	*out = buf_detach(&b, len);
	return 0;
}

int svc_assessment_xlsx(json_t *list, const char *locale, char **out, size_t *len, struct err *e)
{
	return report_xlsx_bytes(report_assessment_xlsx, list, locale, out, len, e);
}

static int assessment_set_once(struct store *s, const struct actor *a, int64_t system_id, json_t *input,
			       int64_t expected_version, json_t **out, struct err *e)
{
	const struct catalog_set *set = NULL;
	const struct catalog *c = NULL;
	json_t *sys = NULL, *before = NULL, *fields = NULL;
	char now[CLOCK_ISO_LEN], date[11];
	bool chosen = false;
	int64_t id = 0;
	*out = NULL;
	clock_now_iso(now);
	svc_today(date);
	const char *catalog_id = json_string_value(json_object_get(input, "catalog"));
	const char *requirement_id = json_string_value(json_object_get(input, "requirement"));
	int rc = svc_catalogs_builtin(&set, e);
	if (rc)
		return rc;
	if (!catalog_id)
		err_field_code(e, 0, "catalog", "required", -1, "is required");
	if (!requirement_id)
		err_field_code(e, 0, "requirement", "required", -1, "is required");
	c = catalog_id ? catalog_set_find(set, catalog_id) : NULL;
	if (catalog_id && !c)
		err_field_code(e, 0, "catalog", "choice", -1, "no such catalog");
	const struct catalog_requirement *req = c && requirement_id ? catalog_find_requirement(c, requirement_id) : NULL;
	if (c && requirement_id && (!req || !is_leaf(c, req)))
		err_field_code(e, 0, "requirement", "choice", -1, "is not an assessable requirement of %s", c->id);
	if ((rc = compliance_assessment_validate(input, &fields, e)) || err_field_count(e)) {
		rc = err_set(e, AIMS_EINVAL, "the assessment has errors");
		json_decref(fields);
		return rc;
	}
	bool reviewed = json_is_true(json_object_get(fields, "reviewed"));
	json_object_del(fields, "reviewed");
	if (!json_object_get(fields, "assessed_on"))
		json_object_set_new(fields, "assessed_on", json_string(date));
	if ((rc = store_tx_begin(s, e))) {
		json_decref(fields);
		return rc;
	}
	if ((rc = svc_load_system(s, a, system_id, &sys, e)))
		goto out;
	if (!svc_system_can_edit(a, sys)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow assessing this AI system");
		goto out;
	}
	if ((rc = chosen_framework(s, system_id, catalog_id, &chosen, e)))
		goto out;
	if (!chosen) {
		err_field_code(e, 0, "catalog", "choice", -1, "is not a framework chosen for this system");
		rc = err_set(e, AIMS_EINVAL, "choose the framework for this system first");
		goto out;
	}
	rc = store_assessment_get(s, system_id, catalog_id, requirement_id, &before, e);
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		rc = 0;
	}
	if (rc)
		goto out;
	int64_t version = before ? json_integer_value(json_object_get(before, "version")) : 0;
	if ((expected_version > 0 && version != expected_version) || (expected_version == SVC_VERSION_ABSENT && before)) {
		rc = err_set(e, AIMS_ECONFLICT, "the assessment was changed by someone else (now version %lld); reload it",
			     (long long)version);
		goto out;
	}
	json_object_set_new(fields, "assessor_user_id", a->user_id > 0 ? json_integer(a->user_id) : json_null());
	json_object_set_new(fields, "catalog_version", json_string(c->version));
	if (!before) {
		json_object_set_new(fields, "system_id", json_integer(system_id));
		json_object_set_new(fields, "catalog_id", json_string(c->id));
		json_object_set_new(fields, "requirement_id", json_string(requirement_id));
		rc = store_assessment_create(s, fields, now, &id, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, "assessment", id, NULL, fields, e);
	} else {
		id = json_integer_value(json_object_get(before, "id"));
		bool pending = json_is_string(json_object_get(before, "review_from"));
		json_object_set_new(fields, "review_from", json_null());
		drop_unchanged(fields, before);
		/* Only who and when changed: nothing was said, so nothing is written, unless
		 * the assessor says the pending review is done (that is saying something). */
		json_t *probe = json_deep_copy(fields);
		json_object_del(probe, "assessor_user_id");
		json_object_del(probe, "assessed_on");
		json_object_del(probe, "catalog_version");
		json_object_del(probe, "review_from");
		if (json_object_size(probe) || (reviewed && pending)) {
			rc = store_assessment_update(s, id, fields, expected_version, now, e);
			if (!rc)
				rc = svc_history_diff(s, now, a, "assessment", id, before, fields, e);
		}
		json_decref(probe);
	}
	if (!rc && !(rc = store_assessment_get(s, system_id, catalog_id, requirement_id, out, e)))
		json_object_set_new(*out, "title", text_pair(&req->title));
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(sys);
	json_decref(before);
	json_decref(fields);
	return rc;
}

int svc_assessment_set(struct store *s, const struct actor *a, int64_t system_id, json_t *input,
		       int64_t expected_version, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = assessment_set_once(s, a, system_id, input, expected_version, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

int svc_assessment_history(struct store *s, const struct actor *a, int64_t system_id, const char *catalog_id,
			   const char *requirement_id, json_t **out, struct err *e)
{
	json_t *sys = NULL, *row = NULL;
	*out = NULL;
	int rc = svc_load_system(s, a, system_id, &sys, e);
	json_decref(sys);
	if (rc)
		return rc;
	rc = store_assessment_get(s, system_id, catalog_id ? catalog_id : "", requirement_id ? requirement_id : "",
				  &row, e);
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		*out = json_array();
		return 0;
	}
	if (!rc)
		rc = store_change_list(s, "assessment", json_integer_value(json_object_get(row, "id")), 1000, out, e);
	json_decref(row);
	return rc;
}
