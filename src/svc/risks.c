/*
 * risks.c: the risk register's use cases: list with filters, summary and the 5 × 5
 * matrix, create, read, change, and link the evidence that addresses a risk (a
 * fairness test run, a review report, ...).
 *
 * Rights (svc.h): reading follows the risk's organisation (invisible: 404). Managing
 * needs RIGHT_RISK_MANAGE on it, or the right to edit the risk's AI system (the
 * system's owner manages the risks of their own system). A risk of a system lives in
 * the system's organisation, so whoever sees the system sees its risks.
 *
 * Every mutation is one transaction with its history rows (object type "risk").
 * Memory: every json_t returned is a new reference owned by the caller.
 */
#include "svc/internal.h"
#include "model/evidence.h"
#include "model/risk.h"
#include "model/vocab.h"
#include "report/risk_xlsx.h"
#include "report/xlsx.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 50
#define LIST_MAX 200
#define OFFSET_MAX 1000000
#define QUERY_MAX 200

/* ---- rights ---- */

static bool may_manage_org(const struct actor *a, const char *org_path)
{
	return (actor_rights_on(a, org_path) & RIGHT_RISK_MANAGE) != 0;
}

/* Whether the actor may change risk (with org_path) whose system is system (NULL: none). */
static bool may_change(const struct actor *a, json_t *risk, json_t *system)
{
	if (may_manage_org(a, json_string_value(json_object_get(risk, "org_path"))))
		return true;
	return system && svc_system_can_edit(a, system);
}

/* Loads a risk the actor may see, and its system (NULL when none) if system_out. */
static int load_risk(struct store *s, const struct actor *a, int64_t id, json_t **out, json_t **system_out,
		     struct err *e)
{
	*out = NULL;
	if (system_out)
		*system_out = NULL;
	int rc = store_risk_get(s, id, out, e);
	if (rc)
		return rc == AIMS_ENOTFOUND ? err_set(e, AIMS_ENOTFOUND, "no such risk") : rc;
	if (!actor_can_see(a, json_string_value(json_object_get(*out, "org_path")))) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, AIMS_ENOTFOUND, "no such risk");
	}
	int64_t system_id = json_integer_value(json_object_get(*out, "system_id"));
	if (system_out && system_id > 0 && (rc = store_system_get(s, system_id, system_out, e))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static void decorate(json_t *risk, const char *today)
{
	risk_decorate(risk, today);
	json_object_del(risk, "org_path");
}

/* The evidence of a risk the actor can see, with its state today. */
static int visible_evidence(struct store *s, const struct actor *a, int64_t risk_id, const char *today, json_t **out,
			    struct err *e)
{
	json_t *rows = NULL;
	*out = NULL;
	int rc = store_risk_evidence_list(s, risk_id, &rows, e);
	if (rc)
		return rc;
	*out = svc_keep_visible(s, a, rows, "org_id");
	size_t i;
	json_t *it;
	json_array_foreach(*out, i, it)
		json_object_set_new(it, "state", json_string(evidence_state(
							 json_string_value(json_object_get(it, "valid_until")), today)));
	return 0;
}

/* Sets evidence_count of one risk to the linked evidence the actor can see, as the
 * lists count it (store_risk_get counts every link). */
static int count_visible_evidence(struct store *s, const struct actor *a, json_t *risk, const char *today,
				  struct err *e)
{
	json_t *evidence = NULL;
	int rc = visible_evidence(s, a, json_integer_value(json_object_get(risk, "id")), today, &evidence, e);
	if (!rc)
		json_object_set_new(risk, "evidence_count", json_integer((json_int_t)json_array_size(evidence)));
	json_decref(evidence);
	return rc;
}

bool svc_risk_can_add(const struct actor *a, json_t *org)
{
	const char *path = json_string_value(json_object_get(org, "path"));
	return path && (may_manage_org(a, path) || (actor_rights_on(a, path) & RIGHT_SYSTEM_EDIT_OWN));
}

/* ---- list ---- */

/* A code parameter: NULL when empty, else it must be in v (field error naming name). */
static const char *param_code(const char *text, const char *name, const struct vocab *v, struct err *e)
{
	if (!text || !*text)
		return NULL;
	if (!vocab_has(v, text)) {
		char allowed[512];
		vocab_describe(v, allowed, sizeof allowed);
		err_field_code(e, 0, name, "choice", -1, "must be one of %s", allowed);
		return NULL;
	}
	return text;
}

/* Reads the parameters of in into q; field errors name the parameter. */
static void read_query(const struct svc_risk_query *in, struct store_risk_query *q, char today[11], struct err *e)
{
	memset(q, 0, sizeof *q);
	q->limit = (int)svc_param_int(in->limit, "limit", 1, LIST_MAX, LIST_DEFAULT, e);
	q->offset = (int)svc_param_int(in->offset, "offset", 0, OFFSET_MAX, 0, e);
	if (in->q && strlen(in->q) > QUERY_MAX)
		err_field_code(e, 0, "q", "too_long", QUERY_MAX, "must be at most %d bytes", QUERY_MAX);
	q->q = in->q && *in->q ? in->q : NULL;
	if (in->system && !strcmp(in->system, "none"))
		q->system_id = -1;
	else if (in->system && *in->system && text_parse_int64(in->system, 1, INT64_MAX, &q->system_id))
		err_field_code(e, 0, "system", "type", -1, "must be the id of an AI system, or none");
	q->owner_user_id = svc_param_int(in->owner, "owner", 1, INT64_MAX, 0, e);
	q->status = param_code(in->status, "status", &vocab_risk_status, e);
	q->treatment = param_code(in->treatment, "treatment", &vocab_risk_treatment, e);
	q->source = param_code(in->source, "source", &vocab_risk_source, e);
	q->objective = param_code(in->objective, "objective", &vocab_risk_objective, e);
	q->likelihood = param_code(in->likelihood, "likelihood", &vocab_risk_likelihood, e);
	q->impact = param_code(in->impact, "impact", &vocab_risk_impact, e);
	const char *level = param_code(in->level, "level", &vocab_risk_level, e);
	if (level)
		risk_level_range(level, &q->score_min, &q->score_max);
	if (in->overdue && *in->overdue) {
		if (!strcmp(in->overdue, "true") || !strcmp(in->overdue, "1"))
			q->overdue_on = today;
		else if (strcmp(in->overdue, "false") && strcmp(in->overdue, "0"))
			err_field_code(e, 0, "overdue", "type", -1, "must be true or false");
	}
	static const char *const sorts[] = { "score", "review_date", "updated_at", "title", "id", NULL };
	q->sort = "score";
	if (in->sort && *in->sort) {
		bool known = false;
		for (int i = 0; sorts[i]; i++)
			known = known || !strcmp(in->sort, sorts[i]);
		if (!known)
			err_field_code(e, 0, "sort", "choice", -1, "must be one of score, review_date, updated_at, title, id");
		else
			q->sort = in->sort;
	}
	/* Highest score first by default; dates and names read naturally ascending. */
	q->descending = !strcmp(q->sort, "score") || !strcmp(q->sort, "updated_at");
	if (in->order && *in->order) {
		if (!strcmp(in->order, "asc"))
			q->descending = false;
		else if (!strcmp(in->order, "desc"))
			q->descending = true;
		else
			err_field_code(e, 0, "order", "choice", -1, "must be asc or desc");
	}
}

/* The 25 cells of the matrix from counted cells [{likelihood, impact, count}];
 * ordered from the most likely row down, impact left to right, as the page draws it. */
static json_t *matrix_cells(json_t *counted)
{
	json_t *cells = json_array();
	const char *const *ls = vocab_risk_likelihood.codes, *const *is = vocab_risk_impact.codes;
	int nl = 0;
	while (ls[nl])
		nl++;
	for (int l = nl - 1; l >= 0; l--)
		for (int i = 0; is[i]; i++) {
			json_int_t count = 0;
			size_t k;
			json_t *c;
			json_array_foreach(counted, k, c)
				if (!strcmp(json_string_value(json_object_get(c, "likelihood")), ls[l]) &&
				    !strcmp(json_string_value(json_object_get(c, "impact")), is[i]))
					count = json_integer_value(json_object_get(c, "count"));
			int score = risk_score(ls[l], is[i]);
			json_array_append_new(cells, json_pack("{ss ss si ss sI}", "likelihood", ls[l], "impact", is[i],
								"score", score, "level", risk_level(score), "count", count));
		}
	return cells;
}

int svc_risk_list(struct store *s, const struct actor *a, const struct svc_risk_query *in, json_t **out,
		  struct err *e)
{
	json_t *org = NULL, *items = NULL, *inherent = NULL, *residual = NULL, *overdue_rows = NULL;
	struct store_risk_query q;
	struct svc_scope seen;
	char today[11];
	int64_t total = 0, overdue = 0;
	*out = NULL;
	svc_today(today);
	size_t errors = err_field_count(e);
	read_query(in, &q, today, e);
	if (err_field_count(e) > errors)
		return err_set(e, AIMS_EBADREQ, "invalid query parameters");
	svc_scope_of(a, &seen);
	q.evidence_scope = &seen.scope;
	int rc = svc_load_org(s, a, in->org_id, &org, e);
	if (rc)
		goto out;
	const char *path = json_string_value(json_object_get(org, "path"));
	q.org_path = path;
	if ((rc = store_risk_list(s, &q, &items, &total, e)))
		goto out;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
		decorate(it, today);

	/* The summary and the matrix: the same filters without the cell. */
	struct store_risk_query whole = q;
	whole.likelihood = whole.impact = NULL;
	whole.limit = whole.offset = 0;
	if ((rc = store_risk_matrix(s, &whole, false, &inherent, e)) ||
	    (rc = store_risk_matrix(s, &whole, true, &residual, e)))
		goto out;
	whole.overdue_on = today;
	whole.limit = 1;
	if ((rc = store_risk_list(s, &whole, &overdue_rows, &overdue, e)))
		goto out;
	json_int_t by_level[4] = { 0 }, all = 0, estimated = 0;
	json_array_foreach(inherent, i, it) {
		json_int_t n = json_integer_value(json_object_get(it, "count"));
		const char *level = risk_level(risk_score(json_string_value(json_object_get(it, "likelihood")),
							  json_string_value(json_object_get(it, "impact"))));
		int k = vocab_index(&vocab_risk_level, level);
		if (k >= 0)
			by_level[k] += n;
		all += n;
	}
	json_array_foreach(residual, i, it)
		estimated += json_integer_value(json_object_get(it, "count"));
	bool can_create = svc_risk_can_add(a, org);
	*out = json_pack("{sO sO sb so sI si si s{sI s{sI sI sI sI} sI sI} s{so so}}", "org_id",
			 json_object_get(org, "id"), "org_name", json_object_get(org, "name"), "can_create", can_create,
			 "items", items, "total", (json_int_t)total, "limit", q.limit, "offset", q.offset, "summary",
			 "total", all, "by_level", "low", by_level[0], "medium", by_level[1], "high", by_level[2],
			 "critical", by_level[3], "overdue", (json_int_t)overdue, "residual_estimated", estimated,
			 "matrix", "inherent", matrix_cells(inherent), "residual", matrix_cells(residual));
	items = NULL;
	if (!*out)
		rc = err_set(e, AIMS_ENOMEM, "out of memory");
out:
	json_decref(org);
	json_decref(items);
	json_decref(inherent);
	json_decref(residual);
	json_decref(overdue_rows);
	return rc;
}

int svc_risk_export(struct store *s, const struct actor *a, const struct svc_risk_query *in, json_t **out,
		    struct err *e)
{
	json_t *org = NULL;
	struct store_risk_query q;
	struct svc_scope seen;
	char today[11];
	int64_t total = 0;
	*out = NULL;
	svc_today(today);
	size_t errors = err_field_count(e);
	struct svc_risk_query unpaged = *in;
	unpaged.limit = unpaged.offset = NULL;
	read_query(&unpaged, &q, today, e);
	if (err_field_count(e) > errors)
		return err_set(e, AIMS_EBADREQ, "invalid query parameters");
	svc_scope_of(a, &seen);
	q.evidence_scope = &seen.scope;
	int rc = svc_load_org(s, a, in->org_id, &org, e);
	if (rc)
		return rc;
	q.org_path = json_string_value(json_object_get(org, "path"));
	q.limit = SVC_RISK_EXPORT_MAX + 1;
	q.offset = 0;
	if (!(rc = store_risk_list(s, &q, out, &total, e))) {
		if (total > SVC_RISK_EXPORT_MAX) {
			rc = err_set(e, AIMS_ETOOBIG, "%lld risks match; narrow the filters to at most %d",
				     (long long)total, SVC_RISK_EXPORT_MAX);
			json_decref(*out);
			*out = NULL;
		} else {
			size_t i;
			json_t *it;
			json_array_foreach(*out, i, it)
				decorate(it, today);
		}
	}
	json_decref(org);
	return rc;
}

int svc_risk_csv(json_t *risks, char **out, size_t *len, struct err *e)
{
	static const char *const header[] = {
		"id", "org", "system", "title", "source", "objectives", "likelihood", "impact", "score", "level",
		"treatment", "treatment_plan", "residual_likelihood", "residual_impact", "residual_score",
		"residual_level", "owner_email", "review_date", "overdue", "status", "evidence_count", "updated_at", NULL,
	};
	struct buf b = BUF_INIT((size_t)1 << 26);
	int rc = buf_add(&b, "\xEF\xBB\xBF", 3); /* BOM: spreadsheets then read Korean as UTF-8 */
	for (int i = 0; header[i] && !rc; i++)
		rc = (i && buf_addch(&b, ',')) || svc_csv_cell(&b, header[i]);
	if (!rc)
		rc = buf_addstr(&b, "\r\n");
	size_t i;
	json_t *it;
	json_array_foreach(risks, i, it) {
		char *objectives = svc_value_text(json_object_get(it, "objectives"));
		char id[24], score[24], residual[24], evidence[24];
		json_t *rs = json_object_get(it, "residual_score");
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
		snprintf(score, sizeof score, "%lld", (long long)json_integer_value(json_object_get(it, "score")));
		snprintf(residual, sizeof residual, "%s", "");
		if (json_is_integer(rs))
			snprintf(residual, sizeof residual, "%lld", (long long)json_integer_value(rs));
		snprintf(evidence, sizeof evidence, "%lld", (long long)json_integer_value(json_object_get(it, "evidence_count")));
		const char *cells[] = {
			id,
			json_string_value(json_object_get(it, "org_name")),
			json_string_value(json_object_get(it, "system_name")),
			json_string_value(json_object_get(it, "title")),
			json_string_value(json_object_get(it, "source")),
			objectives,
			json_string_value(json_object_get(it, "likelihood")),
			json_string_value(json_object_get(it, "impact")),
			score,
			json_string_value(json_object_get(it, "level")),
			json_string_value(json_object_get(it, "treatment")),
			json_string_value(json_object_get(it, "treatment_plan")),
			json_string_value(json_object_get(it, "residual_likelihood")),
			json_string_value(json_object_get(it, "residual_impact")),
			residual,
			json_string_value(json_object_get(it, "residual_level")),
			json_string_value(json_object_get(it, "owner_email")),
			json_string_value(json_object_get(it, "review_date")),
			json_is_true(json_object_get(it, "overdue")) ? "yes" : "no",
			json_string_value(json_object_get(it, "status")),
			evidence,
			json_string_value(json_object_get(it, "updated_at")),
		};
		for (size_t k = 0; k < sizeof cells / sizeof cells[0] && !rc; k++)
			rc = (k && buf_addch(&b, ',')) || svc_csv_cell(&b, cells[k]);
		free(objectives);
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

int svc_risk_xlsx(json_t *risks, const char *locale, char **out, size_t *len, struct err *e)
{
	return report_xlsx_bytes(report_risk_xlsx, risks, locale, out, len, e);
}

/* ---- create and change ---- */

/* Text fields emptied by a patch are stored as "", lists as []; required fields and
 * enumerations with a default may not be emptied (field error). Drops unchanged fields. */
static void normalise_patch(json_t *fields, json_t *before, struct err *e)
{
	const char *key;
	json_t *value;
	void *tmp;
	json_object_foreach_safe(fields, tmp, key, value) {
		const struct field_rule *r = record_rule(&record_risk, key);
		if (r && json_is_null(value)) {
			if (r->flags & FIELD_REQUIRED || (r->type == FIELD_ENUM && r->default_value)) {
				err_field_code(e, 0, key, "required", -1, "cannot be emptied");
				continue;
			}
			if (r->type == FIELD_TEXT && strcmp(key, "review_date"))
				json_object_set_new(fields, key, value = json_string(""));
			else if (r->type == FIELD_ENUM_LIST)
				json_object_set_new(fields, key, value = json_array());
		}
		json_t *old = json_object_get(before, key);
		if (old && json_equal(old, value))
			json_object_del(fields, key);
	}
}

/*
 * Checks the references of fields for a risk of the organisation at org_path: the
 * system (must be visible and lie in that organisation or below; *system receives it)
 * and the owner (a user with a role on the organisation or above).
 */
static int check_references(struct store *s, const struct actor *a, json_t *fields, const char *org_path,
			    json_t **system, struct err *e)
{
	size_t errors = err_field_count(e);
	json_t *sid = json_object_get(fields, "system_id");
	if (json_is_integer(sid) && json_integer_value(sid) > 0) { /* 0: detached, nothing to check */
		struct err ignored = ERR_INIT;
		int rc = svc_load_system(s, a, json_integer_value(sid), system, &ignored);
		err_release(&ignored);
		if (rc == AIMS_ENOTFOUND ||
		    (!rc && !org_path_within(json_string_value(json_object_get(*system, "org_path")), org_path)))
			err_field_code(e, 0, "system_id", "link_system", -1,
				       "must be an AI system of this organisation or one below it");
		else if (rc)
			return err_set(e, rc, "cannot read the AI system");
	}
	json_t *owner = json_object_get(fields, "owner_user_id");
	if (json_is_integer(owner)) {
		bool ok = svc_holds_role_on(s, json_integer_value(owner), org_path, e);
		if (e->code)
			return e->code;
		if (!ok)
			err_field_code(e, 0, "owner_user_id", "owner", -1, "must be a user with a role on this organisation");
	}
	return err_field_count(e) > errors ? err_set(e, AIMS_EINVAL, "invalid risk fields") : 0;
}

static int create_once(struct store *s, const struct actor *a, int64_t org_id, json_t *input, json_t **out,
		       struct err *e)
{
	json_t *org = NULL, *fields = NULL, *system = NULL;
	char now[CLOCK_ISO_LEN], today[11];
	int64_t id = 0;
	*out = NULL;
	clock_now_iso(now);
	svc_today(today);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = svc_load_org(s, a, org_id, &org, e)))
		goto out;
	const char *path = json_string_value(json_object_get(org, "path"));
	if ((rc = risk_validate(input, RECORD_CREATE, NULL, &fields, e)))
		goto out;
	if ((rc = check_references(s, a, fields, path, &system, e)))
		goto out;
	/* A system's risk lives where the system does, so its readers see it. */
	if (system) {
		path = json_string_value(json_object_get(system, "org_path"));
		org_id = json_integer_value(json_object_get(system, "org_id"));
	}
	if (!may_manage_org(a, path) && !(system && svc_system_can_edit(a, system))) {
		rc = err_set(e, AIMS_EFORBIDDEN, system ? "your role does not allow adding risks to this AI system"
							: "your role does not allow adding risks here; "
							  "system owners add risks of their own AI systems");
		goto out;
	}
	json_object_set_new(fields, "org_id", json_integer(org_id));
	if (a->user_id)
		json_object_set_new(fields, "created_by", json_integer(a->user_id));
	if ((rc = store_risk_create(s, fields, now, &id, e)))
		goto out;
	json_object_del(fields, "created_by");
	if ((rc = svc_history_diff(s, now, a, "risk", id, NULL, fields, e)))
		goto out;
	if ((rc = store_risk_get(s, id, out, e)))
		goto out;
	decorate(*out, today);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(org);
	json_decref(fields);
	json_decref(system);
	return rc;
}

int svc_risk_create(struct store *s, const struct actor *a, int64_t org_id, json_t *input, json_t **out,
		    struct err *e)
{
	int rc, attempt = 0;
	do
		rc = create_once(s, a, org_id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int update_once(struct store *s, const struct actor *a, int64_t id, json_t *input, int64_t expected_version,
		       json_t **out, struct err *e)
{
	json_t *before = NULL, *system = NULL, *new_system = NULL, *fields = NULL;
	char now[CLOCK_ISO_LEN], today[11];
	*out = NULL;
	clock_now_iso(now);
	svc_today(today);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = load_risk(s, a, id, &before, &system, e)))
		goto out;
	if (!may_change(a, before, system)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this risk");
		goto out;
	}
	if (expected_version > 0 && json_integer_value(json_object_get(before, "version")) != expected_version) {
		rc = err_set(e, AIMS_ECONFLICT, "the risk was changed by someone else (now version %lld); reload it",
			     (long long)json_integer_value(json_object_get(before, "version")));
		goto out;
	}
	if ((rc = risk_validate(input, RECORD_PATCH, before, &fields, e)))
		goto out;
	/* system_id null or "" detaches the risk from its system: stored as 0. */
	if (json_object_get(fields, "system_id") && json_is_null(json_object_get(fields, "system_id")))
		json_object_set_new(fields, "system_id", json_integer(0));
	normalise_patch(fields, before, e);
	if (err_field_count(e)) {
		rc = err_set(e, AIMS_EINVAL, "invalid risk fields");
		goto out;
	}
	const char *path = json_string_value(json_object_get(before, "org_path"));
	json_t *sid = json_object_get(fields, "system_id");
	if ((rc = check_references(s, a, fields, path, &new_system, e)))
		goto out;
	/* Moving a risk to another system: the actor must be able to manage risks there too,
	 * and the risk moves to that system's organisation, as on create, so the system's
	 * readers see it. Detaching it makes an organisation-wide risk: managers only. */
	if (new_system) {
		const char *to = json_string_value(json_object_get(new_system, "org_path"));
		if (!may_manage_org(a, to) && !svc_system_can_edit(a, new_system)) {
			rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow moving the risk to that AI system");
			goto out;
		}
		if (!json_equal(json_object_get(new_system, "org_id"), json_object_get(before, "org_id")))
			json_object_set(fields, "org_id", json_object_get(new_system, "org_id"));
	} else if (sid && json_integer_value(sid) == 0 && !may_manage_org(a, path)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "only risk managers keep organisation-wide risks; choose an AI system");
		goto out;
	}
	if (json_object_size(fields)) {
		if ((rc = store_risk_update(s, id, fields, expected_version, now, e)))
			goto out;
		if ((rc = svc_history_diff(s, now, a, "risk", id, before, fields, e)))
			goto out;
	}
	if ((rc = store_risk_get(s, id, out, e)) || (rc = count_visible_evidence(s, a, *out, today, e)))
		goto out;
	decorate(*out, today);
out:
	rc = svc_finish(s, rc, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(before);
	json_decref(system);
	json_decref(new_system);
	json_decref(fields);
	return rc;
}

int svc_risk_update(struct store *s, const struct actor *a, int64_t id, json_t *input, int64_t expected_version,
		    json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = update_once(s, a, id, input, expected_version, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

/* ---- read ---- */

int svc_risk_get(struct store *s, const struct actor *a, int64_t id, json_t **out, struct err *e)
{
	json_t *risk = NULL, *system = NULL, *evidence = NULL, *history = NULL;
	char today[11];
	svc_today(today);
	*out = NULL;
	int rc = load_risk(s, a, id, &risk, &system, e);
	if (rc)
		goto out;
	if ((rc = visible_evidence(s, a, id, today, &evidence, e)))
		goto out;
	if ((rc = store_change_list(s, "risk", id, 100, &history, e)))
		goto out;
	json_object_set_new(risk, "can_edit", json_boolean(may_change(a, risk, system)));
	decorate(risk, today);
	/* What the evidence list shows, not every link: a link to evidence of an
	 * organisation above the reader's is hidden (the lists count the same way). */
	json_object_set_new(risk, "evidence_count", json_integer((json_int_t)json_array_size(evidence)));
	json_object_set_new(risk, "evidence", evidence);
	json_object_set_new(risk, "history", history);
	evidence = history = NULL;
	*out = risk;
	risk = NULL;
out:
	json_decref(risk);
	json_decref(system);
	json_decref(evidence);
	json_decref(history);
	return rc;
}

/* ---- evidence links ---- */

int svc_risk_link_in_tx(struct store *s, const struct actor *a, int64_t risk_id, int64_t evidence_id,
			const char *evidence_org_path, const char *field, const char *now, struct err *e)
{
	json_t *risk = NULL, *system = NULL;
	int rc = load_risk(s, a, risk_id, &risk, &system, e);
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		err_field_code(e, 0, field, "risk", -1, "is not a risk you can see: %lld", (long long)risk_id);
		rc = err_set(e, AIMS_EINVAL, "invalid risk link");
	}
	if (rc)
		goto out;
	const char *risk_path = json_string_value(json_object_get(risk, "org_path"));
	if (!may_change(a, risk, system)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing risk %lld", (long long)risk_id);
		goto out;
	}
	if (!org_path_within(evidence_org_path, risk_path) && !org_path_within(risk_path, evidence_org_path)) {
		err_field_code(e, 0, field, "risk_branch", -1,
			       "the evidence and the risk must belong to the same organisation or one above the other");
		rc = err_set(e, AIMS_EINVAL, "invalid risk link");
		goto out;
	}
	if ((rc = store_risk_evidence_add(s, risk_id, evidence_id, now, e)))
		goto out;
	char text[48];
	snprintf(text, sizeof text, "evidence %lld", (long long)evidence_id);
	rc = store_change_add(s, now, a->user_id, "risk", risk_id, "evidence", NULL, text, e);
out:
	json_decref(risk);
	json_decref(system);
	return rc;
}

/* The evidence row if the actor can see it, with "org_path". */
static int load_evidence_row(struct store *s, const struct actor *a, int64_t evidence_id, json_t **out, struct err *e)
{
	json_t *org = NULL;
	int rc = store_evidence_get(s, evidence_id, out, e);
	if (!rc && (rc = svc_load_org(s, a, json_integer_value(json_object_get(*out, "org_id")), &org, e))) {
		json_decref(*out);
		*out = NULL;
	}
	if (rc == AIMS_ENOTFOUND) {
		err_release(e);
		err_field_code(e, 0, "evidence_id", "evidence", -1, "is not evidence you can see");
		return err_set(e, AIMS_EINVAL, "invalid evidence link");
	}
	if (!rc)
		json_object_set(*out, "org_path", json_object_get(org, "path"));
	json_decref(org);
	return rc;
}

static int link_once(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out, struct err *e)
{
	json_t *evidence = NULL;
	char now[CLOCK_ISO_LEN];
	int64_t evidence_id = 0;
	*out = NULL;
	clock_now_iso(now);
	json_t *v = json_object_get(input, "evidence_id");
	if (json_is_integer(v))
		evidence_id = json_integer_value(v);
	else if (json_is_string(v) && text_parse_int64(json_string_value(v), 1, INT64_MAX, &evidence_id))
		evidence_id = 0;
	if (evidence_id < 1) {
		err_field_code(e, 0, "evidence_id", v ? "type" : "required", -1, "must be the id of a piece of evidence");
		return err_set(e, AIMS_EINVAL, "invalid evidence link");
	}
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = load_evidence_row(s, a, evidence_id, &evidence, e)))
		goto out;
	rc = svc_risk_link_in_tx(s, a, id, evidence_id, json_string_value(json_object_get(evidence, "org_path")),
				 "evidence_id", now, e);
	/* The risk itself being invisible is a 404 of the URL, not a bad field. */
	if (rc == AIMS_EINVAL && err_field_count(e) &&
	    !strcmp(json_string_value(json_object_get(json_array_get(e->fields, 0), "code")) ?: "", "risk")) {
		err_release(e);
		rc = err_set(e, AIMS_ENOTFOUND, "no such risk");
	}
out:
	rc = svc_finish(s, rc, e);
	json_decref(evidence);
	return rc ? rc : svc_risk_get(s, a, id, out, e);
}

int svc_risk_link_evidence(struct store *s, const struct actor *a, int64_t id, json_t *input, json_t **out,
			   struct err *e)
{
	int rc, attempt = 0;
	do
		rc = link_once(s, a, id, input, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

static int unlink_once(struct store *s, const struct actor *a, int64_t id, int64_t evidence_id, struct err *e)
{
	json_t *risk = NULL, *system = NULL;
	char now[CLOCK_ISO_LEN], text[48];
	clock_now_iso(now);
	int rc = store_tx_begin(s, e);
	if (rc)
		return rc;
	if ((rc = load_risk(s, a, id, &risk, &system, e)))
		goto out;
	if (!may_change(a, risk, system)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow changing this risk");
		goto out;
	}
	if ((rc = store_risk_evidence_delete(s, id, evidence_id, e)))
		goto out;
	snprintf(text, sizeof text, "evidence %lld", (long long)evidence_id);
	rc = store_change_add(s, now, a->user_id, "risk", id, "evidence", text, NULL, e);
out:
	json_decref(risk);
	json_decref(system);
	return svc_finish(s, rc, e);
}

int svc_risk_unlink_evidence(struct store *s, const struct actor *a, int64_t id, int64_t evidence_id,
			     struct err *e)
{
	int rc, attempt = 0;
	do
		rc = unlink_once(s, a, id, evidence_id, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}

/* ---- a system moving to another organisation ---- */

int svc_risks_follow_system(struct store *s, const struct actor *a, int64_t system_id, int64_t org_id,
			    const char *now, struct err *e)
{
	json_t *risks = NULL;
	struct store_risk_query q = { .system_id = system_id, .sort = "id" };
	int rc = store_risk_list(s, &q, &risks, NULL, e);
	size_t i;
	json_t *r;
	json_array_foreach(risks, i, r) {
		json_t *old = json_object_get(r, "org_id");
		if (rc || json_integer_value(old) == org_id)
			continue;
		json_t *fields = json_pack("{sI}", "org_id", (json_int_t)org_id);
		int64_t id = json_integer_value(json_object_get(r, "id"));
		rc = store_risk_update(s, id, fields, 0, now, e);
		if (!rc)
			rc = svc_history_diff(s, now, a, "risk", id, r, fields, e);
		json_decref(fields);
	}
	json_decref(risks);
	return rc;
}

/* ---- options for forms ---- */

int svc_risk_options(struct store *s, const struct actor *a, int64_t system_id, json_t **out, struct err *e)
{
	json_t *system = NULL, *own = NULL, *wide = NULL, *list = json_array();
	struct svc_scope scope;
	*out = NULL;
	int rc = svc_load_system(s, a, system_id, &system, e);
	if (rc)
		goto out;
	const char *path = json_string_value(json_object_get(system, "org_path"));
	bool edit_system = svc_system_can_edit(a, system);
	struct store_risk_query q = { .system_id = system_id, .sort = "score", .descending = true, .limit = 500 };
	if ((rc = store_risk_list(s, &q, &own, NULL, e)))
		goto out;
	/* Organisation-wide risks of the system's organisation and those above it. */
	svc_scope_of(a, &scope);
	struct store_risk_query w = { .scope = &scope.scope, .system_id = -1, .sort = "score", .descending = true,
				      .limit = 500 };
	if ((rc = store_risk_list(s, &w, &wide, NULL, e)))
		goto out;
	json_t *groups[2] = { own, wide };
	for (int g = 0; g < 2; g++) {
		size_t i;
		json_t *r;
		json_array_foreach(groups[g], i, r) {
			const char *rpath = json_string_value(json_object_get(r, "org_path"));
			const char *status = json_string_value(json_object_get(r, "status"));
			/* Seen, as everything listed must be; a system's risks normally live where
			 * the system does (svc_risks_follow_system), but never trust that here. */
			if (!strcmp(status, "closed") || !actor_can_see(a, rpath) || (g == 1 && !org_path_within(path, rpath)))
				continue;
			if (!may_manage_org(a, rpath) && !(g == 0 && edit_system))
				continue;
			int score = (int)json_integer_value(json_object_get(r, "score"));
			json_array_append_new(list, json_pack("{sO sO sO si ss sO}", "id", json_object_get(r, "id"), "title",
							      json_object_get(r, "title"), "system_id",
							      json_object_get(r, "system_id"), "score", score, "level",
							      risk_level(score), "status", json_object_get(r, "status")));
		}
	}
out:
	if (!rc) {
		*out = list;
		list = NULL;
	}
	json_decref(list);
	json_decref(system);
	json_decref(own);
	json_decref(wide);
	return rc;
}

int svc_risk_owner_options(struct store *s, const struct actor *a, int64_t org_id, json_t **out, struct err *e)
{
	json_t *org = NULL;
	*out = NULL;
	int rc = svc_load_org(s, a, org_id, &org, e);
	if (rc)
		return rc;
	const char *path = json_string_value(json_object_get(org, "path"));
	/* Owners of systems may name an owner for their own systems' risks too. */
	if (may_manage_org(a, path) || (actor_rights_on(a, path) & RIGHT_SYSTEM_EDIT_OWN))
		rc = svc_users_with_role_on(s, path, out, e);
	else
		*out = json_array();
	json_decref(org);
	return rc;
}
