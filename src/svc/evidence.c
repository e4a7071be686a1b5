/*
 * evidence.c: evidence use cases: receive a file, record it with its SHA-256, title
 * and validity, link it to systems, requirements and assessments, list and search it,
 * hand it out after re-checking its digest, and verify the whole evidence directory.
 *
 * Rights (see svc.h): reading follows the evidence's organisation (invisible: 404).
 * Adding needs RIGHT_SYSTEM_EDIT_ANY on the organisation, or a link to a system the
 * actor may edit (its owner); changing needs the same or being the uploader, and an
 * uploader without RIGHT_SYSTEM_EDIT_ANY links only to systems they may edit. A linked
 * system must lie in the evidence's organisation or below it; a linked requirement
 * must exist in the built-in catalogs.
 *
 * Order of an upload: the bytes go to DIR/tmp while they arrive (svc_upload_*); the
 * create use case checks rights and fields inside its transaction, inserts the row and
 * its links, and only then moves the file into place (once, even when the transaction
 * is retried), so a refused upload leaves nothing in the evidence directory.
 * A failed create removes the temporary file; a file moved into place whose row then
 * failed to commit is left unreferenced, which `aims evidence verify` lists.
 *
 * Memory: every json_t returned is a new reference owned by the caller.
 */
#include "svc/internal.h"
#include "svc/catalogs.h"
#include "model/evidence.h"
#include "model/risk.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_DEFAULT 50
#define LIST_MAX 200
#define OFFSET_MAX 1000000

/* ---- receiving a file ---- */

int svc_upload_begin(struct svc_upload *u, const struct svc_evidence_config *cfg, const char *filename,
		     const char *media_type, struct err *e)
{
	memset(u, 0, sizeof *u);
	u->writer.fd = -1;
	if (!cfg || !cfg->dir || !*cfg->dir)
		return err_set(e, AIMS_EIO, "no evidence directory is configured (aims serve --evidence-dir)");
	evidence_filename_clean(filename, u->filename, sizeof u->filename);
	evidence_media_type_clean(media_type, u->media_type, sizeof u->media_type);
	int rc = blob_writer_begin(&u->writer, cfg->dir, cfg->max_bytes, e);
	u->started = rc == 0;
	return rc;
}

int svc_upload_write(struct svc_upload *u, const void *data, size_t n, struct err *e)
{
	if (!u->started)
		return err_set(e, AIMS_EINVAL, "no upload in progress");
	return blob_writer_write(&u->writer, data, n, e);
}

void svc_upload_release(struct svc_upload *u)
{
	if (u && u->started)
		blob_writer_abort(&u->writer);
}

/* ---- helpers ---- */

static bool may_manage(const struct actor *a, const char *org_path)
{
	return (actor_rights_on(a, org_path) & RIGHT_SYSTEM_EDIT_ANY) != 0;
}

/* Loads evidence the actor may see, with its organisation's path in "org_path". */
static int load_evidence(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *org = NULL;
	int rc = store_evidence_get(s, id, out, e);
	if (rc)
		return rc == AIMS_ENOTFOUND ? err_set(e, AIMS_ENOTFOUND, "no such evidence") : rc;
	rc = svc_load_org(s, a, json_integer_value(json_object_get(*out, "org_id")), &org, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
		return rc == AIMS_ENOTFOUND ? err_set(e, AIMS_ENOTFOUND, "no such evidence") : rc;
	}
	json_object_set(*out, "org_path", json_object_get(org, "path"));
	json_decref(org);
	return 0;
}

static bool may_change(const struct actor *a, json_t *evidence)
{
	return may_manage(a, json_string_value(json_object_get(evidence, "org_path"))) ||
	       (a->user_id && json_integer_value(json_object_get(evidence, "uploaded_by")) == a->user_id);
}

/*
 * Checks a link {system_id?, catalog?, requirement?} for evidence of the organisation
 * at org_path. *system receives the linked system (NULL when none). Field errors name
 * the input's fields.
 */
static int check_link(struct store *s, const struct actor *a, const char *org_path, json_t *input,
		      int64_t *system_id, const char **catalog_id, const char **requirement_id,
		      json_t **system, struct err *e)
{
	const struct catalog_set *set = NULL;
	json_t *sid = json_object_get(input, "system_id");
	json_t *cat = json_object_get(input, "catalog");
	json_t *req = json_object_get(input, "requirement");
	size_t errors = err_field_count(e);
	*system_id = 0;
	*catalog_id = *requirement_id = "";
	*system = NULL;
	if (sid && !json_is_null(sid) && !(json_is_string(sid) && !json_string_length(sid))) {
		int64_t v = 0;
		if (json_is_integer(sid))
			v = json_integer_value(sid);
		else if (json_is_string(sid) && text_parse_int64(json_string_value(sid), 1, INT64_MAX, &v))
			v = 0;
		if (v < 1) {
			err_field_code(e, 0, "system_id", "type", -1, "must be the id of an AI system");
		} else {
			struct err ignored = ERR_INIT;
			int rc = svc_load_system(s, a, v, system, &ignored);
			err_release(&ignored);
			if (rc == AIMS_ENOTFOUND || (!rc && !org_path_within(json_string_value(json_object_get(*system, "org_path")), org_path))) {
				err_field_code(e, 0, "system_id", "link_system", -1,
					       "must be an AI system of this organisation or one below it");
			} else if (rc) {
				return err_set(e, rc, "cannot read the AI system");
			}
			*system_id = v;
		}
	}
	bool has_cat = json_is_string(cat) && json_string_length(cat);
	bool has_req = json_is_string(req) && json_string_length(req);
	if ((cat && !json_is_null(cat) && !json_is_string(cat)) || (req && !json_is_null(req) && !json_is_string(req))) {
		err_field_code(e, 0, json_is_string(cat) || !cat ? "requirement" : "catalog", "type", -1, "must be a string");
	} else if (has_cat != has_req) {
		err_field_code(e, 0, has_cat ? "requirement" : "catalog", "required", -1,
			       "a requirement link needs both catalog and requirement");
	} else if (has_cat) {
		int rc = svc_catalogs_builtin(&set, e);
		if (rc)
			return rc;
		const struct catalog *c = catalog_set_find(set, json_string_value(cat));
		if (!c)
			err_field_code(e, 0, "catalog", "choice", -1, "is not a built-in catalog: %s", json_string_value(cat));
		else if (!catalog_find_requirement(c, json_string_value(req)))
			err_field_code(e, 0, "requirement", "choice", -1, "is not a requirement of %s: %s", c->id,
				       json_string_value(req));
		else {
			*catalog_id = json_string_value(cat);
			*requirement_id = json_string_value(req);
		}
	}
	if (err_field_count(e) > errors) {
		json_decref(*system);
		*system = NULL;
		return err_set(e, AIMS_EINVAL, "invalid link");
	}
	return 0;
}

static char *link_text(int64_t system_id, const char *catalog_id, const char *requirement_id)
{
	char *text = NULL;
	int n;
	if (system_id && *catalog_id)
		n = asprintf(&text, "system %lld, %s %s", (long long)system_id, catalog_id, requirement_id);
	else if (system_id)
		n = asprintf(&text, "system %lld", (long long)system_id);
	else
		n = asprintf(&text, "%s %s", catalog_id, requirement_id);
	return n < 0 ? NULL : text;
}

static int add_link(struct store *s, const struct actor *a, int64_t id, int64_t system_id, const char *catalog_id,
		    const char *requirement_id, const char *now, int64_t *link_id, struct err *e)
{
	int rc = store_evidence_link_add(s, id, system_id, catalog_id, requirement_id, now, link_id, e);
	if (!rc) {
		char *text = link_text(system_id, catalog_id, requirement_id);
		rc = store_change_add(s, now, a->user_id, "evidence", id, "link", NULL, text, e);
		free(text);
	}
	return rc;
}

static void decorate(json_t *ev, const char *date)
{
	json_object_set_new(ev, "state", json_string(evidence_state(json_string_value(json_object_get(ev, "valid_until")), date)));
	json_object_del(ev, "org_path");
}

/* ---- create ---- */

/*
 * Ids as a JSON array of integers or a text "1;2,3" (what a form's checkboxes give):
 * a new array of at most 50 distinct ids; a bad item is a field error naming field.
 */
static json_t *parse_id_list(json_t *v, const char *field, struct err *e)
{
	json_t *ids = json_array();
	json_t *items = json_is_string(v) ? record_split_list(json_string_value(v)) : json_incref(v);
	size_t i;
	json_t *it;
	if (v && !json_is_null(v) && !json_is_array(items)) {
		err_field_code(e, 0, field, "type", -1, "must be a list of risk ids");
		items = (json_decref(items), NULL);
	}
	json_array_foreach(items, i, it) {
		int64_t id = 0;
		if (json_is_integer(it))
			id = json_integer_value(it);
		else if (!json_is_string(it) || text_parse_int64(json_string_value(it), 1, INT64_MAX, &id))
			id = 0;
		if (id < 1) {
			err_field_code(e, 0, field, "type", -1, "must be a list of risk ids");
			break;
		}
		bool seen = false;
		size_t j;
		json_t *have;
		json_array_foreach(ids, j, have)
			seen = seen || json_integer_value(have) == id;
		if (!seen && json_array_size(ids) >= 50) {
			err_field_code(e, 0, field, "too_many", 50, "must have at most 50 items");
			break;
		}
		if (!seen)
			json_array_append_new(ids, json_integer(id));
	}
	json_decref(items);
	return ids;
}

static int create_once(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		       int64_t org_id, json_t *input, struct svc_upload *u, json_t **out, struct err *e)
{
	json_t *org = NULL, *fields = NULL, *system = NULL, *link_input = json_object(), *row = NULL;
	char now[CLOCK_ISO_LEN], date[11];
	int64_t id = 0, system_id = 0;
	const char *catalog_id = "", *requirement_id = "";
	*out = NULL;
	clock_now_iso(now);
	svc_today(date);
	/* The link fields are not evidence fields: split them off before validating. */
	json_t *fields_input = json_deep_copy(input), *risk_ids = NULL;
	size_t errors = err_field_count(e);
	risk_ids = parse_id_list(json_object_get(fields_input, "risk_ids"), "risk_ids", e);
	json_object_del(fields_input, "risk_ids");
	static const char *const link_keys[] = { "system_id", "catalog", "requirement" };
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(fields_input, link_keys[i]);
		if (v) {
			json_object_set(link_input, link_keys[i], v);
			json_object_del(fields_input, link_keys[i]);
		}
	}
	int rc = store_tx_begin(s, e);
	if (rc)
		goto out;
	if ((rc = svc_load_org(s, a, org_id, &org, e)))
		goto out;
	const char *path = json_string_value(json_object_get(org, "path"));
	if (!(actor_rights_on(a, path) & (RIGHT_SYSTEM_EDIT_ANY | RIGHT_SYSTEM_EDIT_OWN))) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow adding evidence here");
		goto out;
	}
	int frc = evidence_validate(fields_input, RECORD_CREATE, NULL, &fields, e);
	int lrc = check_link(s, a, path, link_input, &system_id, &catalog_id, &requirement_id, &system, e);
	if (!u || !u->started)
		err_field_code(e, 0, "file", "required", -1, "choose a file to upload");
	else if (u->writer.too_big)
		rc = err_set(e, AIMS_ETOOBIG, "the file is larger than %llu bytes", cfg->max_bytes);
	else if (!u->committed && u->writer.size == 0)
		err_field_code(e, 0, "file", "empty", -1, "the file is empty");
	if (rc)
		goto out;
	if (lrc && lrc != AIMS_EINVAL) {
		rc = lrc;
		goto out;
	}
	if (frc == AIMS_ENOMEM || err_field_count(e) > errors) {
		rc = frc == AIMS_ENOMEM ? frc : err_set(e, AIMS_EINVAL, "invalid evidence");
		goto out;
	}
	if (!may_manage(a, path) && !(system && svc_system_can_edit(a, system))) {
		rc = err_set(e, AIMS_EFORBIDDEN,
			     "your role allows adding evidence only for an AI system you own: link one");
		goto out;
	}
	/* The row names the file by the digest of what arrived; the file itself moves into
	 * place only after every row is written (below). */
	const char *tmp_path = NULL;
	if (!u->committed && (rc = blob_writer_peek(&u->writer, u->sha256, &tmp_path, e)))
		goto out;
	row = json_deep_copy(fields);
	json_object_set_new(row, "org_id", json_integer(org_id));
	json_object_set_new(row, "kind", json_string(u->kind ? u->kind : "file"));
	json_object_set_new(row, "filename", json_string(u->filename));
	json_object_set_new(row, "media_type", json_string(u->media_type));
	json_object_set_new(row, "size_bytes", json_integer((json_int_t)u->writer.size));
	json_object_set_new(row, "sha256", json_string(u->sha256));
	if (a->user_id)
		json_object_set_new(row, "uploaded_by", json_integer(a->user_id));
	if ((rc = store_evidence_create(s, row, now, &id, e)))
		goto out;
	if ((rc = svc_history_diff(s, now, a, "evidence", id, NULL, row, e)))
		goto out;
	if ((system_id || *catalog_id) &&
	    (rc = add_link(s, a, id, system_id, catalog_id, requirement_id, now, NULL, e)))
		goto out;
	size_t k;
	json_t *rid;
	json_array_foreach(risk_ids, k, rid)
		if ((rc = svc_risk_link_in_tx(s, a, json_integer_value(rid), id, path, "risk_ids", now, e)))
			goto out;
	/* Every write is done: a refusal above left nothing in the evidence directory.
	 * Once moved, the file stays moved when the transaction is retried. */
	if (!u->committed) {
		if ((rc = blob_writer_commit(&u->writer, u->sha256, e)))
			goto out;
		u->committed = true;
	}
	if (!(rc = store_evidence_get(s, id, out, e)))
		decorate(*out, date);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(org);
	json_decref(fields);
	json_decref(fields_input);
	json_decref(risk_ids);
	json_decref(link_input);
	json_decref(system);
	json_decref(row);
	return rc;
}

int svc_evidence_create(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
			int64_t org_id, json_t *input, struct svc_upload *u, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = create_once(s, a, cfg, org_id, input, u, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

/* ---- read ---- */

/* The risks an evidence addresses that the actor can see, with their level. */
static int visible_risks(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *rows = NULL;
	*out = NULL;
	int rc = store_evidence_risks(s, id, &rows, e);
	if (rc)
		return rc;
	*out = svc_keep_visible(s, a, rows, "org_id");
	size_t i;
	json_t *it;
	json_array_foreach(*out, i, it) {
		risk_decorate(it, NULL);
		json_object_del(it, "overdue");
	}
	return 0;
}

int svc_evidence_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *ev = NULL, *links = NULL, *history = NULL, *risks = NULL;
	char date[11];
	*out = NULL;
	svc_today(date);
	int rc = load_evidence(s, a, id, &ev, e);
	if (!rc)
		rc = store_evidence_links(s, id, &links, e);
	if (!rc)
		rc = visible_risks(s, a, id, &risks, e);
	if (!rc)
		rc = store_change_list(s, "evidence", id, 1000, &history, e);
	if (rc)
		goto out;
	json_object_set_new(ev, "can_edit", json_boolean(may_change(a, ev)));
	decorate(ev, date);
	json_object_set(ev, "links", links);
	json_object_set_new(ev, "risks", risks);
	risks = NULL;
	json_object_set(ev, "history", history);
	*out = ev;
	ev = NULL;
out:
	json_decref(ev);
	json_decref(links);
	json_decref(risks);
	json_decref(history);
	return rc;
}

/* A query parameter as a number in [min, max]; def when absent. */
int svc_evidence_list(struct store *s, const struct actor *a, const struct svc_evidence_query *in,
		      json_t **out, struct err *e)
{
	json_t *org = NULL, *items = NULL;
	struct store_evidence_query q = { 0 };
	char date[11];
	int64_t total = 0;
	*out = NULL;
	svc_today(date);
	size_t errors = err_field_count(e);
	q.limit = (int)svc_param_int(in->limit, "limit", 1, LIST_MAX, LIST_DEFAULT, e);
	q.offset = (int)svc_param_int(in->offset, "offset", 0, OFFSET_MAX, 0, e);
	q.system_id = svc_param_int(in->system_id, "system_id", 1, INT64_MAX, 0, e);
	if (in->q && strlen(in->q) > 200)
		err_field_code(e, 0, "q", "too_long", 200, "must be at most 200 bytes");
	if (in->state && *in->state && strcmp(in->state, "valid") && strcmp(in->state, "expired"))
		err_field_code(e, 0, "state", "choice", -1, "must be valid or expired");
	bool has_cat = in->catalog && *in->catalog, has_req = in->requirement && *in->requirement;
	if (has_cat != has_req)
		err_field_code(e, 0, has_cat ? "requirement" : "catalog", "required", -1,
			       "filter by a requirement with both catalog and requirement");
	if (err_field_count(e) > errors)
		return err_set(e, AIMS_EBADREQ, "invalid query parameters");
	int rc = svc_load_org(s, a, in->org_id, &org, e);
	if (rc)
		goto out;
	const char *path = json_string_value(json_object_get(org, "path"));
	struct store_scope scope = { false, &path, 1 };
	q.scope = &scope;
	q.q = in->q && *in->q ? in->q : NULL;
	q.state = in->state && *in->state ? in->state : NULL;
	q.today = date;
	if (has_cat) {
		q.catalog_id = in->catalog;
		q.requirement_id = in->requirement;
	}
	if ((rc = store_evidence_list(s, &q, &items, &total, e)))
		goto out;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
		decorate(it, date);
	*out = json_pack("{so sI si si sb}", "items", items, "total", (json_int_t)total, "limit", q.limit,
			 "offset", q.offset, "can_add",
			 (actor_rights_on(a, path) & (RIGHT_SYSTEM_EDIT_ANY | RIGHT_SYSTEM_EDIT_OWN)) != 0);
	items = NULL;
out:
	json_decref(org);
	json_decref(items);
	return rc;
}

/* ---- change ---- */

static int update_once(struct store *s, const struct actor *a, int64_t id, json_t *input,
		       int64_t expected_version, json_t **out, struct err *e)
{
	json_t *before = NULL, *fields = NULL;
	char now[CLOCK_ISO_LEN], date[11];
	*out = NULL;
	clock_now_iso(now);
	svc_today(date);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = load_evidence(s, a, id, &before, e)))
		goto out;
	if (!may_change(a, before)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this evidence");
		goto out;
	}
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (expected_version > 0 && version != expected_version) {
		rc = err_set(e, AIMS_ECONFLICT, "the evidence was changed by someone else (now version %lld); reload it",
			     (long long)version);
		goto out;
	}
	if ((rc = evidence_validate(input, RECORD_PATCH, before, &fields, e)))
		goto out;
	const char *key;
	json_t *value;
	void *tmp;
	json_object_foreach_safe(fields, tmp, key, value) {
		json_t *old = json_object_get(before, key);
		if ((json_is_null(value) && (!old || json_is_null(old))) || (old && json_equal(old, value)))
			json_object_del(fields, key);
	}
	if (json_object_size(fields)) {
		rc = store_evidence_update(s, id, fields, expected_version, now, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, "evidence", id, before, fields, e);
	}
	if (!rc && !(rc = store_evidence_get(s, id, out, e)))
		decorate(*out, date);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(before);
	json_decref(fields);
	return rc;
}

int svc_evidence_update(struct store *s, const struct actor *a, int64_t id, json_t *input,
			int64_t expected_version, json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = update_once(s, a, id, input, expected_version, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int link_add_once(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
			 struct err *e)
{
	json_t *ev = NULL, *system = NULL;
	char now[CLOCK_ISO_LEN];
	int64_t system_id = 0, link_id = 0;
	const char *catalog_id = "", *requirement_id = "";
	*out = NULL;
	clock_now_iso(now);
	if (!json_is_object(input))
		return err_set(e, AIMS_EINVAL, "send a JSON object");
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = load_evidence(s, a, id, &ev, e)))
		goto out;
	if (!may_change(a, ev)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this evidence");
		goto out;
	}
	const char *key;
	json_t *value;
	json_object_foreach(input, key, value)
		if (strcmp(key, "system_id") && strcmp(key, "catalog") && strcmp(key, "requirement"))
			err_field_code(e, 0, key, "unknown", -1, "is not a field of a link");
	size_t errors = err_field_count(e);
	rc = check_link(s, a, json_string_value(json_object_get(ev, "org_path")), input, &system_id, &catalog_id,
			&requirement_id, &system, e);
	if (!rc && errors)
		rc = err_set(e, AIMS_EINVAL, "invalid link");
	if (!rc && !system_id && !*catalog_id) {
		err_field_code(e, 0, "system_id", "required", -1, "link a system, a requirement, or both");
		rc = err_set(e, AIMS_EINVAL, "invalid link");
	}
	/* An uploader without officer rights (a system owner) links only to systems they may edit. */
	if (!rc && system && !may_manage(a, json_string_value(json_object_get(ev, "org_path"))) &&
	    !svc_system_can_edit(a, system))
		rc = err_set(e, AIMS_EFORBIDDEN, "you may link evidence only to AI systems you may edit");
	if (rc)
		goto out;
	if ((rc = add_link(s, a, id, system_id, catalog_id, requirement_id, now, &link_id, e)))
		goto out;
	rc = store_evidence_links(s, id, out, e);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(ev);
	json_decref(system);
	return rc;
}

int svc_evidence_link_add(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
			  struct err *e)
{
	int rc, attempt = 0;
	do
		rc = link_add_once(s, a, id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int link_delete_once(struct store *s, const struct actor *a, int64_t id, int64_t link_id, struct err *e)
{
	json_t *ev = NULL, *links = NULL;
	char now[CLOCK_ISO_LEN];
	clock_now_iso(now);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = load_evidence(s, a, id, &ev, e)))
		goto out;
	if (!may_change(a, ev)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this evidence");
		goto out;
	}
	if ((rc = store_evidence_links(s, id, &links, e)))
		goto out;
	size_t i;
	json_t *l, *found = NULL;
	json_array_foreach(links, i, l)
		if (json_integer_value(json_object_get(l, "id")) == link_id)
			found = l;
	if (!found) {
		rc = err_set(e, AIMS_ENOTFOUND, "no such link");
		goto out;
	}
	if ((rc = store_evidence_link_delete(s, id, link_id, e)))
		goto out;
	char *text = link_text(json_integer_value(json_object_get(found, "system_id")),
			       json_string_value(json_object_get(found, "catalog_id")),
			       json_string_value(json_object_get(found, "requirement_id")));
	rc = store_change_add(s, now, a->user_id, "evidence", id, "link", text, NULL, e);
	free(text);
out:
	rc = svc_finish(s, rc, e);
	json_decref(ev);
	json_decref(links);
	return rc;
}

int svc_evidence_link_delete(struct store *s, const struct actor *a, int64_t id, int64_t link_id,
			     struct err *e)
{
	int rc, attempt = 0;
	do
		rc = link_delete_once(s, a, id, link_id, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

/* ---- files out ---- */

int svc_evidence_open(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		      int64_t id, int *fd_out, json_t **meta, struct err *e)
{
	json_t *ev = NULL;
	*fd_out = -1;
	*meta = NULL;
	int rc = load_evidence(s, a, id, &ev, e);
	if (rc)
		return rc;
	const char *sha = json_string_value(json_object_get(ev, "sha256"));
	rc = blob_verify(cfg->dir, sha, (uint64_t)json_integer_value(json_object_get(ev, "size_bytes")), fd_out, e);
	if (rc == AIMS_ENOTFOUND)
		rc = err_set(e, AIMS_EINTEGRITY, "the file of evidence %lld (%s) is missing from the evidence directory",
			     (long long)id, sha);
	if (!rc)
		*meta = json_pack("{sO sO sO sO}", "filename", json_object_get(ev, "filename"), "media_type",
				  json_object_get(ev, "media_type"), "size_bytes", json_object_get(ev, "size_bytes"),
				  "sha256", json_object_get(ev, "sha256"));
	json_decref(ev);
	return rc;
}

static int collect_name(void *ctx, const char *hex)
{
	json_object_set_new(ctx, hex, json_true());
	return 0;
}

int svc_evidence_verify(struct store *s, const struct svc_evidence_config *cfg, json_t **report,
			struct err *e)
{
	json_t *rows = NULL, *files = json_object(), *missing = json_array(), *altered = json_array(),
	       *unreferenced = json_array();
	size_t ok = 0;
	*report = NULL;
	int rc = store_evidence_digests(s, &rows, e);
	if (!rc)
		rc = blob_each(cfg->dir, collect_name, files, e);
	if (rc)
		goto out;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *sha = json_string_value(json_object_get(row, "sha256"));
		struct err check = ERR_INIT;
		int crc = blob_verify(cfg->dir, sha, (uint64_t)json_integer_value(json_object_get(row, "size_bytes")),
				      NULL, &check);
		json_t *id = json_object_get(row, "id");
		if (crc == AIMS_ENOTFOUND)
			json_array_append(missing, id);
		else if (crc == AIMS_EINTEGRITY)
			json_array_append(altered, id);
		else if (crc)
			rc = err_set(e, crc, "%s", check.message);
		else
			ok++;
		err_release(&check);
		json_object_del(files, sha);
		if (rc)
			goto out;
	}
	const char *name;
	json_t *v;
	json_object_foreach(files, name, v)
		json_array_append_new(unreferenced, json_string(name));
	*report = json_pack("{sI sI sO sO sO}", "checked", (json_int_t)json_array_size(rows), "ok", (json_int_t)ok,
			    "missing", missing, "altered", altered, "unreferenced", unreferenced);
	if (json_array_size(missing) || json_array_size(altered))
		rc = err_set(e, AIMS_EINTEGRITY, "%zu evidence file(s) missing, %zu altered",
			     json_array_size(missing), json_array_size(altered));
out:
	json_decref(rows);
	json_decref(files);
	json_decref(missing);
	json_decref(altered);
	json_decref(unreferenced);
	return rc;
}

/* ---- evidence as seen from the SoA, assessments and the gap analysis ---- */

int svc_evidence_by_requirement(struct store *s, int64_t org_id, int64_t system_id, const char *catalog_id,
				const char *today, json_t **out, struct err *e)
{
	json_t *rows = NULL;
	*out = NULL;
	int rc = store_evidence_on_requirements(s, org_id, system_id, catalog_id, &rows, e);
	if (rc)
		return rc;
	json_t *map = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *req = json_string_value(json_object_get(row, "requirement_id"));
		json_t *slot = json_object_get(map, req);
		if (!slot) {
			slot = json_pack("{si si s[]}", "valid", 0, "expired", 0, "items");
			json_object_set_new(map, req, slot);
		}
		json_t *items = json_object_get(slot, "items");
		bool seen = false;
		size_t k;
		json_t *it;
		json_array_foreach(items, k, it)
			seen |= json_equal(json_object_get(it, "id"), json_object_get(row, "evidence_id"));
		if (seen) /* linked twice (with and without a system): counted once */
			continue;
		const char *state = evidence_state(json_string_value(json_object_get(row, "valid_until")), today);
		const char *count = strcmp(state, "expired") ? "valid" : "expired";
		json_object_set_new(slot, count, json_integer(json_integer_value(json_object_get(slot, count)) + 1));
		json_array_append_new(items, json_pack("{sO sO sO ss}", "id", json_object_get(row, "evidence_id"), "title",
						       json_object_get(row, "title"), "valid_until",
						       json_object_get(row, "valid_until"), "state", state));
	}
	json_decref(rows);
	*out = map;
	return 0;
}

void svc_evidence_mark(json_t *entry, json_t *map, const char *requirement_id)
{
	json_t *slot = json_object_get(map, requirement_id);
	json_int_t valid = json_integer_value(json_object_get(slot, "valid"));
	json_int_t expired = json_integer_value(json_object_get(slot, "expired"));
	json_object_set_new(entry, "evidence_valid", json_integer(valid));
	json_object_set_new(entry, "evidence_expired", json_integer(expired));
	json_object_set_new(entry, "evidence_state",
			    json_string(valid ? "valid" : expired ? "expired" : "none"));
}
