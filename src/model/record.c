/*
 * record.c: the field tables of the domain records and the one validator that reads
 * them. Limits here are the contract in docs/api.md; change both together.
 */
#include "model/record.h"
#include "base/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct field_rule system_rules[] = {
	{ "name", FIELD_TEXT, 1, 200, NULL, NULL, FIELD_REQUIRED },
	{ "purpose", FIELD_TEXT, 1, 2000, NULL, NULL, FIELD_REQUIRED | FIELD_MULTILINE },
	{ "lifecycle_stage", FIELD_ENUM, 0, 0, &vocab_lifecycle_stage, NULL, FIELD_REQUIRED },
	{ "description", FIELD_TEXT, 0, 10000, NULL, NULL, FIELD_MULTILINE },
	{ "org_id", FIELD_ID, 0, 0, NULL, NULL, 0 },
	{ "owner_user_id", FIELD_ID, 0, 0, NULL, NULL, 0 },
	{ "org_role", FIELD_ENUM, 0, 0, &vocab_org_role, "deployer", 0 },
	{ "techniques", FIELD_ENUM_LIST, 0, 12, &vocab_technique, NULL, 0 },
	{ "data_sources", FIELD_TEXT, 0, 2000, NULL, NULL, FIELD_MULTILINE },
	{ "affected_people", FIELD_TEXT, 0, 2000, NULL, NULL, FIELD_MULTILINE },
	{ "decision_role", FIELD_ENUM, 0, 0, &vocab_decision_role, "informs", 0 },
	{ "human_oversight", FIELD_ENUM, 0, 0, &vocab_human_oversight, "in_the_loop", 0 },
	{ "vendor", FIELD_TEXT, 0, 200, NULL, NULL, 0 },
	{ "status", FIELD_ENUM, 0, 0, &vocab_system_status, NULL, 0 },
};

static const struct field_rule org_rules[] = {
	{ "name", FIELD_TEXT, 1, 200, NULL, NULL, FIELD_REQUIRED },
	{ "kind", FIELD_ENUM, 0, 0, &vocab_org_kind, "department", 0 },
	{ "parent_id", FIELD_ID, 0, 0, NULL, NULL, 0 },
};

static const struct field_rule user_rules[] = {
	{ "email", FIELD_TEXT, 3, 254, NULL, NULL, FIELD_REQUIRED | FIELD_EMAIL },
	{ "name", FIELD_TEXT, 0, 100, NULL, NULL, 0 },
	{ "password", FIELD_TEXT, 12, 256, NULL, NULL, FIELD_SECRET },
	{ "locale", FIELD_ENUM, 0, 0, &vocab_locale, "ko", 0 },
	{ "disabled", FIELD_BOOL, 0, 0, NULL, NULL, 0 },
	{ "org_id", FIELD_ID, 0, 0, NULL, NULL, 0 },
	{ "role", FIELD_ENUM, 0, 0, &vocab_role, NULL, 0 },
};

/* Evidence: the dates are checked as real dates by model/evidence.c afterwards. */
static const struct field_rule evidence_rules[] = {
	{ "title", FIELD_TEXT, 1, 200, NULL, NULL, FIELD_REQUIRED },
	{ "description", FIELD_TEXT, 0, 2000, NULL, NULL, FIELD_MULTILINE },
	{ "issued_on", FIELD_TEXT, 0, 10, NULL, NULL, 0 },
	{ "valid_until", FIELD_TEXT, 0, 10, NULL, NULL, 0 },
};

/* A risk: review_date and the cross-field rules are checked by model/risk.c afterwards.
 * residual_* may be "" (not yet estimated). */
static const struct field_rule risk_rules[] = {
	{ "title", FIELD_TEXT, 1, 200, NULL, NULL, FIELD_REQUIRED },
	{ "description", FIELD_TEXT, 0, 4000, NULL, NULL, FIELD_MULTILINE },
	{ "system_id", FIELD_ID, 0, 0, NULL, NULL, 0 },
	{ "source", FIELD_ENUM, 0, 0, &vocab_risk_source, "other", 0 },
	{ "objectives", FIELD_ENUM_LIST, 0, 11, &vocab_risk_objective, NULL, 0 },
	{ "consequences", FIELD_TEXT, 0, 4000, NULL, NULL, FIELD_MULTILINE },
	{ "likelihood", FIELD_ENUM, 0, 0, &vocab_risk_likelihood, NULL, FIELD_REQUIRED },
	{ "impact", FIELD_ENUM, 0, 0, &vocab_risk_impact, NULL, FIELD_REQUIRED },
	{ "treatment", FIELD_ENUM, 0, 0, &vocab_risk_treatment, "undecided", 0 },
	{ "treatment_plan", FIELD_TEXT, 0, 4000, NULL, NULL, FIELD_MULTILINE },
	{ "residual_likelihood", FIELD_ENUM, 0, 0, &vocab_risk_likelihood, NULL, 0 },
	{ "residual_impact", FIELD_ENUM, 0, 0, &vocab_risk_impact, NULL, 0 },
	{ "owner_user_id", FIELD_ID, 0, 0, NULL, NULL, 0 },
	{ "review_date", FIELD_TEXT, 0, 10, NULL, NULL, 0 },
	{ "status", FIELD_ENUM, 0, 0, &vocab_risk_status, "open", 0 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
const struct record_type record_evidence = { "evidence", evidence_rules, COUNT(evidence_rules) };
const struct record_type record_risk = { "risk", risk_rules, COUNT(risk_rules) };
const struct record_type record_system = { "system", system_rules, COUNT(system_rules) };
const struct record_type record_org = { "org", org_rules, COUNT(org_rules) };
const struct record_type record_user = { "user", user_rules, COUNT(user_rules) };

json_t *record_split_list(const char *text)
{
	json_t *list = json_array();
	while (text && *text) {
		size_t n = strcspn(text, ";,");
		const char *start = text;
		size_t len = n;
		while (len && (*start == ' ' || *start == '\t'))
			start++, len--;
		while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (len)
			json_array_append_new(list, json_stringn(start, len));
		text += n;
		if (*text)
			text++;
	}
	return list;
}

const struct field_rule *record_rule(const struct record_type *type, const char *name)
{
	for (size_t i = 0; i < type->count; i++)
		if (strcmp(type->rules[i].name, name) == 0)
			return &type->rules[i];
	return NULL;
}

static bool has_control(const char *s, bool multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			continue;
		if (multiline && (*p == '\n' || *p == '\r' || *p == '\t'))
			continue;
		return true;
	}
	return false;
}

/* Text rule; *out is a new json string or NULL for "not set". */
static int check_text(const struct field_rule *r, json_t *v, long line, json_t **out, struct err *e)
{
	*out = NULL;
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		err_field_code(e, line, r->name, "type", -1, "must be a string");
		return AIMS_EINVAL;
	}
	const char *raw = json_string_value(v);
	size_t rawlen = json_string_length(v);
	if (strlen(raw) != rawlen || !text_utf8_valid(raw, rawlen)) {
		err_field_code(e, line, r->name, "encoding", -1, "must be valid UTF-8 text without NUL bytes");
		return AIMS_EINVAL;
	}
	char *s = text_trim_dup(raw);
	if (!s)
		return AIMS_ENOMEM;
	int rc = 0;
	size_t chars = text_utf8_length(s, strlen(s));
	if (*s == '\0') {
		free(s);
		return 0;
	}
	if (has_control(s, r->flags & FIELD_MULTILINE)) {
		err_field_code(e, line, r->name, "control", -1, "must not contain control characters%s",
			  (r->flags & FIELD_MULTILINE) ? "" : " or line breaks");
		rc = AIMS_EINVAL;
	} else if (chars < r->min) {
		err_field_code(e, line, r->name, "too_short", r->min, "must be at least %u characters", r->min);
		rc = AIMS_EINVAL;
	} else if (chars > r->max) {
		err_field_code(e, line, r->name, "too_long", r->max, "must be at most %u characters (got %zu)", r->max, chars);
		rc = AIMS_EINVAL;
	} else if ((r->flags & FIELD_EMAIL) && !text_email_plausible(s)) {
		err_field_code(e, line, r->name, "email", -1, "must be an e-mail address such as name@example.org");
		rc = AIMS_EINVAL;
	}
	if (!rc && (r->flags & FIELD_EMAIL))
		for (char *p = s; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	if (!rc)
		*out = json_string(s);
	free(s);
	return rc;
}

static int check_enum(const struct field_rule *r, json_t *v, long line, json_t **out, struct err *e)
{
	*out = NULL;
	if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	char allowed[512];
	vocab_describe(r->vocab, allowed, sizeof allowed);
	/* the length check refuses "deployment\0junk", which strcmp would accept */
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    !vocab_has(r->vocab, json_string_value(v))) {
		err_field_code(e, line, r->name, "choice", -1, "must be one of %s", allowed);
		return AIMS_EINVAL;
	}
	*out = json_incref(v);
	return 0;
}

static int add_list_item(const struct field_rule *r, json_t *list, const char *code, size_t n,
			 long line, struct err *e)
{
	char item[64];
	while (n && (*code == ' ' || *code == '\t'))
		code++, n--;
	while (n && (code[n - 1] == ' ' || code[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	if (n >= sizeof item || (memcpy(item, code, n), item[n] = '\0', !vocab_has(r->vocab, item))) {
		char allowed[512];
		vocab_describe(r->vocab, allowed, sizeof allowed);
		err_field_code(e, line, r->name, "choice", -1, "items must be among %s", allowed);
		return AIMS_EINVAL;
	}
	size_t i;
	json_t *have;
	json_array_foreach(list, i, have)
		if (strcmp(json_string_value(have), item) == 0)
			return 0;
	if (json_array_size(list) >= r->max) {
		err_field_code(e, line, r->name, "too_many", r->max, "must have at most %u items", r->max);
		return AIMS_EINVAL;
	}
	json_array_append_new(list, json_string(item));
	return 0;
}

static int check_enum_list(const struct field_rule *r, json_t *v, long line, json_t **out,
			   struct err *e)
{
	*out = NULL;
	json_t *list = json_array();
	int rc = 0;
	if (json_is_null(v)) {
		/* an explicit null clears the list */
	} else if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item) {
			if (!json_is_string(item)) {
				err_field_code(e, line, r->name, "type", -1, "must be an array of strings");
				rc = AIMS_EINVAL;
				break;
			}
			rc = add_list_item(r, list, json_string_value(item), json_string_length(item), line, e);
			if (rc)
				break;
		}
	} else {
		err_field_code(e, line, r->name, "type", -1, "must be an array of strings");
		rc = AIMS_EINVAL;
	}
	if (rc) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

static int check_id(const struct field_rule *r, json_t *v, long line, json_t **out, struct err *e)
{
	*out = NULL;
	int64_t id = 0;
	if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	if (json_is_integer(v))
		id = json_integer_value(v);
	else if (!json_is_string(v) || text_parse_int64(json_string_value(v), 1, INT64_MAX, &id))
		id = 0;
	if (id <= 0) {
		err_field_code(e, line, r->name, "type", -1, "must be a positive integer id");
		return AIMS_EINVAL;
	}
	*out = json_integer(id);
	return 0;
}

static int check_bool(const struct field_rule *r, json_t *v, long line, json_t **out, struct err *e)
{
	*out = NULL;
	if (json_is_boolean(v)) {
		*out = json_incref(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on")) {
			*out = json_true();
			return 0;
		}
		if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "")) {
			*out = json_false();
			return 0;
		}
	}
	err_field_code(e, line, r->name, "type", -1, "must be true or false");
	return AIMS_EINVAL;
}

int record_validate(const struct record_type *type, json_t *input, enum record_mode mode,
		    long line, json_t **out, struct err *e)
{
	*out = NULL;
	if (!json_is_object(input)) {
		err_field(e, line, "", "must be a JSON object");
		return AIMS_EINVAL;
	}
	size_t before = err_field_count(e);
	json_t *result = json_object();
	const char *key;
	json_t *value;
	json_object_foreach(input, key, value) {
		const struct field_rule *r = record_rule(type, key);
		if (!r) {
			err_field_code(e, line, key, "unknown", -1, "is not a field of %s", type->name);
			continue;
		}
		if (r->flags & FIELD_READONLY) {
			err_field_code(e, line, key, "readonly", -1, "cannot be set");
			continue;
		}
		json_t *norm = NULL;
		int rc = 0;
		switch (r->type) {
		case FIELD_TEXT: rc = check_text(r, value, line, &norm, e); break;
		case FIELD_ENUM: rc = check_enum(r, value, line, &norm, e); break;
		case FIELD_ENUM_LIST: rc = check_enum_list(r, value, line, &norm, e); break;
		case FIELD_ID: rc = check_id(r, value, line, &norm, e); break;
		case FIELD_BOOL: rc = check_bool(r, value, line, &norm, e); break;
		}
		if (rc == AIMS_ENOMEM) {
			json_decref(result);
			return rc;
		}
		if (rc)
			continue;
		if (!norm && (r->flags & FIELD_REQUIRED)) {
			err_field_code(e, line, key, "required", -1, "is required");
			continue;
		}
		json_object_set_new(result, key, norm ? norm : json_null());
	}
	for (size_t i = 0; i < type->count; i++) {
		const struct field_rule *r = &type->rules[i];
		if (mode != RECORD_CREATE || json_object_get(input, r->name))
			continue;
		if (r->flags & FIELD_REQUIRED)
			err_field_code(e, line, r->name, "required", -1, "is required");
		else if (r->default_value)
			json_object_set_new(result, r->name, json_string(r->default_value));
	}
	if (err_field_count(e) > before) {
		json_decref(result);
		return AIMS_EINVAL;
	}
	/* null means "not set": drop it on create, keep it on patch to clear the field */
	if (mode == RECORD_CREATE) {
		void *tmp;
		json_object_foreach_safe(result, tmp, key, value)
			if (json_is_null(value))
				json_object_del(result, key);
	}
	*out = result;
	return 0;
}
