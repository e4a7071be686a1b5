/*
 * compliance.c: validation of SoA entries and assessments, and the SoA summary.
 *
 * Invariant kept for the store: a validated SoA change never leaves an entry that is
 * "not applicable" without a justification (ISO/IEC 42001 6.1.3 asks for the
 * justification of every exclusion). "reviewed" passes through as true only; svc
 * turns it into clearing review_from. Memory: *fields and summaries are new objects
 * owned by the caller.
 */
#include "model/compliance.h"
#include "model/vocab.h"

#include <string.h>

bool compliance_date_valid(const char *t)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!t || strlen(t) != 10 || t[4] != '-' || t[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
			return false;
	int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
	int m = (t[5] - '0') * 10 + (t[6] - '0');
	int d = (t[8] - '0') * 10 + (t[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}

/* A text field: a string of at most COMPLIANCE_TEXT_MAX bytes. */
static void check_text(json_t *v, const char *field, struct err *e)
{
	if (!json_is_string(v))
		err_field_code(e, 0, field, "type", -1, "must be a string");
	else if (json_string_length(v) > COMPLIANCE_TEXT_MAX)
		err_field_code(e, 0, field, "too_long", COMPLIANCE_TEXT_MAX, "must be at most %d bytes",
			       COMPLIANCE_TEXT_MAX);
}

static void check_status(json_t *v, const struct vocab *vocab, struct err *e)
{
	char allowed[200];
	vocab_describe(vocab, allowed, sizeof allowed);
	if (!json_is_string(v) || !vocab_has(vocab, json_string_value(v)))
		err_field_code(e, 0, "status", "choice", -1, "must be one of %s", allowed);
}

/* "reviewed": only true, the reviewer's word that the entry holds for the current text. */
static void check_reviewed(json_t *v, json_t *out, struct err *e)
{
	if (json_is_true(v))
		json_object_set(out, "reviewed", v);
	else
		err_field_code(e, 0, "reviewed", "type", -1, "must be true (the entry was checked against the current text)");
}

/* A date field: YYYY-MM-DD, or null / "" to clear it (stored as null). */
static json_t *check_date(json_t *v, const char *field, struct err *e)
{
	if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return json_null();
	if (!json_is_string(v) || !compliance_date_valid(json_string_value(v))) {
		err_field_code(e, 0, field, "date", -1, "must be a date written YYYY-MM-DD");
		return NULL;
	}
	return json_incref(v);
}

int compliance_soa_validate(json_t *input, json_t *before, json_t **fields, struct err *e)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;
	size_t errors = err_field_count(e);
	*fields = NULL;
	if (!json_is_object(input)) {
		json_decref(out);
		return err_set(e, AIMS_EINVAL, "send a JSON object");
	}
	json_object_foreach(input, key, v) {
		if (!strcmp(key, "applicable")) {
			if (!json_is_boolean(v))
				err_field_code(e, 0, key, "type", -1, "must be true or false");
			else
				json_object_set(out, key, v);
		} else if (!strcmp(key, "justification")) {
			check_text(v, key, e);
			if (json_is_string(v))
				json_object_set(out, key, v);
		} else if (!strcmp(key, "status")) {
			check_status(v, &vocab_soa_status, e);
			json_object_set(out, key, v);
		} else if (!strcmp(key, "owner_user_id")) {
			if (json_is_null(v) || (json_is_integer(v) && json_integer_value(v) > 0))
				json_object_set(out, key, v);
			else
				err_field_code(e, 0, key, "type", -1, "must be a user id or null");
		} else if (!strcmp(key, "due_date")) {
			json_t *d = check_date(v, key, e);
			if (d)
				json_object_set_new(out, key, d);
		} else if (!strcmp(key, "reviewed")) {
			check_reviewed(v, out, e);
		} else {
			err_field_code(e, 0, key, "unknown", -1, "is not a field of a SoA entry");
		}
	}
	if (err_field_count(e) == errors) {
		json_t *app = json_object_get(out, "applicable");
		json_t *just = json_object_get(out, "justification");
		if (!app)
			app = before ? json_object_get(before, "applicable") : json_true();
		if (!just && before)
			just = json_object_get(before, "justification");
		const char *j = json_string_value(just);
		bool blank = true;
		for (; j && *j && blank; j++)
			blank = *j == ' ' || *j == '\t' || *j == '\n' || *j == '\r';
		if (json_is_false(app) && blank)
			err_field_code(e, 0, "justification", "required", -1,
				       "is required when the control is not applicable");
	}
	if (err_field_count(e) > errors) {
		json_decref(out);
		if (e)
			e->code = AIMS_EINVAL;
		if (e && !e->message[0])
			err_set(e, AIMS_EINVAL, "the entry has errors");
		return AIMS_EINVAL;
	}
	*fields = out;
	return 0;
}

int compliance_assessment_validate(json_t *input, json_t **fields, struct err *e)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;
	size_t errors = err_field_count(e);
	*fields = NULL;
	json_object_foreach(input, key, v) {
		if (!strcmp(key, "status")) {
			check_status(v, &vocab_assessment_status, e);
			json_object_set(out, key, v);
		} else if (!strcmp(key, "note")) {
			check_text(v, key, e);
			if (json_is_string(v))
				json_object_set(out, key, v);
		} else if (!strcmp(key, "assessed_on")) {
			json_t *d = check_date(v, key, e);
			if (d)
				json_object_set_new(out, key, d);
		} else if (!strcmp(key, "reviewed")) {
			check_reviewed(v, out, e);
		} else if (strcmp(key, "catalog") && strcmp(key, "requirement")) {
			err_field_code(e, 0, key, "unknown", -1, "is not a field of an assessment");
		}
	}
	if (err_field_count(e) > errors) {
		json_decref(out);
		if (e)
			e->code = AIMS_EINVAL;
		if (e && !e->message[0])
			err_set(e, AIMS_EINVAL, "the assessment has errors");
		return AIMS_EINVAL;
	}
	*fields = out;
	return 0;
}

json_t *compliance_soa_summary(json_t *entries, const char *today)
{
	json_t *by_status = json_object();
	json_int_t total = 0, applicable = 0, overdue = 0, outdated = 0, review = 0;
	json_int_t no_evidence = 0, expired_evidence = 0;
	for (int i = 0; vocab_soa_status.codes[i]; i++)
		json_object_set_new(by_status, vocab_soa_status.codes[i], json_integer(0));
	size_t i;
	json_t *row;
	json_array_foreach(entries, i, row) {
		const char *status = json_string_value(json_object_get(row, "status"));
		const char *due = json_string_value(json_object_get(row, "due_date"));
		total++;
		outdated += json_is_true(json_object_get(row, "outdated"));
		review += json_is_string(json_object_get(row, "review_from"));
		if (!json_is_true(json_object_get(row, "applicable")))
			continue;
		applicable++;
		json_t *n = status ? json_object_get(by_status, status) : NULL;
		if (n)
			json_integer_set(n, json_integer_value(n) + 1);
		if (due && strcmp(due, today) < 0 && (!status || strcmp(status, "implemented")))
			overdue++;
		const char *evidence = json_string_value(json_object_get(row, "evidence_state"));
		no_evidence += evidence && !strcmp(evidence, "none");
		expired_evidence += evidence && !strcmp(evidence, "expired");
	}
	json_int_t implemented = json_integer_value(json_object_get(by_status, "implemented"));
	return json_pack("{sI sI sI so sI sI sI sI sI sf}", "total", total, "applicable", applicable,
			 "not_applicable", total - applicable, "by_status", by_status, "overdue", overdue,
			 "outdated", outdated, "review", review, "no_evidence", no_evidence, "expired_evidence",
			 expired_evidence, "implemented_share",
			 applicable ? (double)implemented / (double)applicable : 0.0);
}
