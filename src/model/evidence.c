/*
 * evidence.c: validation and small pure rules for evidence (see evidence.h).
 *
 * Dates stay text (YYYY-MM-DD) everywhere; comparing two valid dates as strings
 * orders them correctly. Memory: *fields is a new object owned by the caller.
 */
#include "model/evidence.h"
#include "model/compliance.h"
#include "base/text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A date field after record_validate: NULL/null (not set or cleared) or a real date. */
static void check_date(json_t *fields, const char *field, struct err *e)
{
	json_t *v = json_object_get(fields, field);
	if (json_is_string(v) && !compliance_date_valid(json_string_value(v)))
		err_field_code(e, 0, field, "date", -1, "must be a date written YYYY-MM-DD");
}

static const char *date_of(json_t *fields, json_t *before, const char *field)
{
	json_t *v = json_object_get(fields, field);
	if (v)
		return json_string_value(v); /* NULL when cleared */
	return json_string_value(json_object_get(before, field));
}

/*
 * The date fields of input alone, normalised by the field rules; a date those rules
 * refuse is left out (it is named already). Used when other fields are wrong, so that
 * one 422 still names a bad date.
 */
static json_t *dates_alone(json_t *input)
{
	static const char *const names[] = { "issued_on", "valid_until" };
	json_t *dates = json_object();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		json_t *v = json_object_get(input, names[i]), *one = NULL, *norm = NULL;
		struct err ignored = ERR_INIT;
		if (!v)
			continue;
		one = json_pack("{sO}", names[i], v);
		if (one && record_validate(&record_evidence, one, RECORD_PATCH, 0, &norm, &ignored) == 0)
			json_object_update(dates, norm);
		json_decref(one);
		json_decref(norm);
		err_release(&ignored);
	}
	return dates;
}

int evidence_validate(json_t *input, enum record_mode mode, json_t *before, json_t **fields,
		      struct err *e)
{
	size_t errors = err_field_count(e);
	int rc = record_validate(&record_evidence, input, mode, 0, fields, e);
	if (rc && rc != AIMS_EINVAL)
		return rc;
	json_t *dates = rc ? dates_alone(input) : json_incref(*fields);
	if (!dates)
		return err_set(e, AIMS_ENOMEM, "out of memory");
	size_t date_errors = err_field_count(e);
	check_date(dates, "issued_on", e);
	check_date(dates, "valid_until", e);
	if (err_field_count(e) == date_errors) {
		const char *from = date_of(dates, before, "issued_on");
		const char *until = date_of(dates, before, "valid_until");
		if (from && until && strcmp(until, from) < 0)
			err_field_code(e, 0, "valid_until", "before_issued", -1,
				       "must not be before the issue date (%s)", from);
	}
	json_decref(dates);
	if (err_field_count(e) > errors) {
		json_decref(*fields);
		*fields = NULL;
		return err_set(e, AIMS_EINVAL, "invalid evidence fields");
	}
	return 0;
}

void evidence_filename_clean(const char *raw, char *out, size_t n)
{
	const char *name = raw ? raw : "";
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			name = p + 1;
	size_t len = strlen(name);
	size_t keep = len < n - 1 ? len : n - 1;
	if (keep > EVIDENCE_FILENAME_MAX)
		keep = EVIDENCE_FILENAME_MAX;
	/* Cut on a character boundary: never keep a lone UTF-8 lead or continuation. */
	while (keep > 0 && keep < len && ((unsigned char)name[keep] & 0xC0) == 0x80)
		keep--;
	bool utf8 = text_utf8_valid(name, keep);
	size_t o = 0;
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)name[i];
		bool bad = c < 0x20 || c == 0x7f || c == '"' || (!utf8 && c >= 0x80);
		out[o++] = bad ? '_' : (char)c;
	}
	out[o] = '\0';
	/* Names of only dots or spaces say nothing and confuse some tools. */
	bool blank = true;
	for (size_t i = 0; i < o && blank; i++)
		blank = out[i] == '.' || out[i] == ' ' || out[i] == '_';
	if (blank)
		snprintf(out, n, "evidence");
}

static bool token_char(char c)
{
	return isalnum((unsigned char)c) || strchr("!#$&-^_.+", c) != NULL;
}

void evidence_media_type_clean(const char *raw, char *out, size_t n)
{
	const char *fallback = "application/octet-stream";
	size_t o = 0, slash = 0;
	const char *p = raw ? raw : "";
	while (*p == ' ')
		p++;
	for (; *p && *p != ';' && *p != ' ' && o + 1 < n && o < EVIDENCE_MEDIA_TYPE_MAX; p++) {
		if (*p == '/' && !slash && o > 0)
			slash = o;
		else if (!token_char(*p))
			break;
		out[o++] = (char)tolower((unsigned char)*p);
	}
	out[o] = '\0';
	bool ended = !*p || *p == ';' || *p == ' ';
	if (!ended || !slash || slash + 1 >= o)
		snprintf(out, n, "%s", fallback);
}

/* Days since 1970-01-01 of a YYYY-MM-DD date (H. Hinnant's days_from_civil). */
static long days_of(const char *d)
{
	int y = 0, m = 0, day = 0;
	if (sscanf(d, "%4d-%2d-%2d", &y, &m, &day) != 3)
		return 0;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

const char *evidence_state(const char *valid_until, const char *today)
{
	if (!valid_until || !*valid_until)
		return "valid";
	if (strcmp(valid_until, today) < 0)
		return "expired";
	if (days_of(valid_until) - days_of(today) <= EVIDENCE_EXPIRING_DAYS)
		return "expiring";
	return "valid";
}
