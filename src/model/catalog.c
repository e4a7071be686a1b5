/*
 * catalog.c: parsing and validation of framework catalogs and crosswalks.
 *
 * Invariants kept for a file once added (even a broken one):
 * - every struct catalog / struct crosswalk in the set has its root JSON, file name
 *   and id (possibly "") set, so later checks can name it;
 * - requirements and mappings that failed validation are left out, so lookups never
 *   meet a NULL id, kind or title;
 * - within a catalog, ids are unique and a parent always comes earlier in the file
 *   (which also rules out cycles).
 *
 * Line numbers: jansson reports positions only for syntax errors, so the line of an
 * entry is found in the raw text by looking for its `"id": "VALUE"` pair (crosswalk
 * mappings: `"from": "VALUE"`), scanning forward from the previous entry so that a
 * duplicated id gets the line of the copy being reported.
 *
 * Memory: see catalog.h; the file name is copied, everything else borrows from root.
 */
#include "model/catalog.h"

#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATALOG_ID_MAX 80 /* bytes of a catalog or requirement id */

static const char *const relation_names[] = { "equivalent", "subset", "superset", "related" };

/* ---- errors ---- */

/* Adds "ID: message" (or just the message) for file:line, with the id as an extra member. */
static void problem(struct err *e, const char *file, long line, const char *id, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));

static void problem(struct err *e, const char *file, long line, const char *id, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!text_utf8_valid(msg, strlen(msg)))
		snprintf(msg, sizeof msg, "invalid entry");
	if (id && *id)
		err_field(e, line, file, "%s: %s", id, msg);
	else
		err_field(e, line, file, "%s", msg);
	json_t *last = json_array_get(e->fields, json_array_size(e->fields) - 1);
	if (last && id && *id)
		json_object_set_new(last, "id", json_string(id));
}

/* ---- finding lines in the raw text ---- */

struct cursor {
	const char *text;
	size_t len;
	size_t pos;
	long line; /* line of text[pos] */
};

static void cursor_init(struct cursor *c, const char *text, size_t len)
{
	c->text = text;
	c->len = len;
	c->pos = 0;
	c->line = 1;
}

static void cursor_advance(struct cursor *c, size_t to)
{
	for (; c->pos < to && c->pos < c->len; c->pos++)
		if (c->text[c->pos] == '\n')
			c->line++;
}

static size_t skip_space(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
		i++;
	return i;
}

/* Matches s as the contents of a JSON string at t[i], escaping '"' and '\\'; returns the
 * index after the closing quote or 0. Values written with other escapes are not found. */
static size_t match_json_string(const char *t, size_t len, size_t i, const char *s)
{
	if (i >= len || t[i] != '"')
		return 0;
	i++;
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			if (i + 1 >= len || t[i] != '\\' || t[i + 1] != *s)
				return 0;
			i += 2;
		} else {
			if (i >= len || t[i] != *s)
				return 0;
			i++;
		}
	}
	return i < len && t[i] == '"' ? i + 1 : 0;
}

/*
 * Moves the cursor to the next `"key": "value"` pair (value NULL: any value) and
 * returns its line, or returns 0 and leaves the cursor where it was.
 */
static long cursor_find(struct cursor *c, const char *key, const char *value)
{
	for (size_t i = c->pos; i < c->len; i++) {
		if (c->text[i] != '"')
			continue;
		size_t j = match_json_string(c->text, c->len, i, key);
		if (!j)
			continue;
		j = skip_space(c->text, c->len, j);
		if (j >= c->len || c->text[j] != ':')
			continue;
		j = skip_space(c->text, c->len, j + 1);
		if (value && !match_json_string(c->text, c->len, j, value))
			continue;
		cursor_advance(c, i);
		long line = c->line;
		cursor_advance(c, j);
		return line;
	}
	return 0;
}

long catalog_find_line(const char *text, size_t len, const char *key, const char *value, size_t nth)
{
	struct cursor c;
	long line = 0;
	cursor_init(&c, text, len);
	for (size_t k = 0; k <= nth; k++)
		if (!(line = cursor_find(&c, key, value)))
			return 0;
	return line;
}

/* ---- reading fields ---- */

/* Context of the entry being read, for messages. */
struct where {
	const char *file;
	long line;
	const char *id;
	struct err *e;
};

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* A non-blank string member; reports and returns NULL when required and missing. */
static const char *get_string(const struct where *w, json_t *obj, const char *key, bool required)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			problem(w->e, w->file, w->line, w->id, "\"%s\" is required", key);
		return NULL;
	}
	if (!json_is_string(v) || blank(json_string_value(v))) {
		problem(w->e, w->file, w->line, w->id, "\"%s\" must be a non-empty string", key);
		return NULL;
	}
	return json_string_value(v);
}

enum text_need { TEXT_OPTIONAL, TEXT_BOTH, TEXT_EITHER };

/*
 * Reads {"ko": ..., "en": ...}. TEXT_BOTH: both required (titles, and anything that
 * is present and must not be half translated); TEXT_EITHER: at least one (verbatim
 * text exists in one language). Returns false after reporting a problem.
 */
static bool get_text(const struct where *w, json_t *obj, const char *key, bool required,
		     enum text_need need, struct catalog_text *out)
{
	json_t *v = json_object_get(obj, key), *item;
	const char *lang;
	out->ko = out->en = NULL;
	if (!v) {
		if (required)
			problem(w->e, w->file, w->line, w->id, "\"%s\" is required (with \"ko\" and \"en\")", key);
		return !required;
	}
	if (!json_is_object(v)) {
		problem(w->e, w->file, w->line, w->id, "\"%s\" must be an object {\"ko\": ..., \"en\": ...}", key);
		return false;
	}
	json_object_foreach(v, lang, item) {
		if (strcmp(lang, "ko") != 0 && strcmp(lang, "en") != 0) {
			problem(w->e, w->file, w->line, w->id, "\"%s\" has an unknown language \"%.20s\" (ko, en)", key, lang);
			return false;
		}
		if (!json_is_string(item) || blank(json_string_value(item))) {
			problem(w->e, w->file, w->line, w->id, "\"%s.%s\" must be a non-empty string", key, lang);
			return false;
		}
	}
	out->ko = json_string_value(json_object_get(v, "ko"));
	out->en = json_string_value(json_object_get(v, "en"));
	if (need == TEXT_BOTH && (!out->ko || !out->en)) {
		problem(w->e, w->file, w->line, w->id, "\"%s\" needs both \"ko\" and \"en\" (missing %s)", key,
			out->ko ? "en" : "ko");
		return false;
	}
	if (need == TEXT_EITHER && !out->ko && !out->en) {
		problem(w->e, w->file, w->line, w->id, "\"%s\" needs \"ko\" or \"en\"", key);
		return false;
	}
	return true;
}

/* Reports members of obj not in allowed (NULL-terminated); returns false when any. */
static bool only_keys(const struct where *w, json_t *obj, const char *const *allowed, const char *what)
{
	const char *key;
	json_t *v;
	bool ok = true;
	json_object_foreach(obj, key, v) {
		const char *const *a = allowed;
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a) {
			problem(w->e, w->file, w->line, w->id, "unknown member \"%.40s\" in %s", key, what);
			ok = false;
		}
	}
	return ok;
}

static bool valid_id(const struct where *w, const char *id, const char *what)
{
	size_t n = strlen(id);
	if (n > CATALOG_ID_MAX) {
		problem(w->e, w->file, w->line, NULL, "%s \"%.40s...\" is longer than %d bytes", what, id,
			CATALOG_ID_MAX);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f) {
			problem(w->e, w->file, w->line, NULL, "%s contains a control character", what);
			return false;
		}
	return true;
}

/* ---- the set ---- */

void catalog_set_init(struct catalog_set *s)
{
	memset(s, 0, sizeof *s);
}

void catalog_set_release(struct catalog_set *s)
{
	for (size_t i = 0; i < s->catalog_count; i++) {
		free((char *)s->catalogs[i].file);
		free(s->catalogs[i].requirements);
		json_decref(s->catalogs[i].root);
	}
	for (size_t i = 0; i < s->crosswalk_count; i++) {
		free((char *)s->crosswalks[i].file);
		free(s->crosswalks[i].mappings);
		json_decref(s->crosswalks[i].root);
	}
	free(s->catalogs);
	free(s->crosswalks);
	memset(s, 0, sizeof *s);
}

static const char *const catalog_keys[] = { "format", "id", "version", "title", "publisher", "source",
					    "licence", "note", "provisional", "counts", "requirements", NULL };
static const char *const source_keys[] = { "citation", "url", NULL };
static const char *const requirement_keys[] = { "id", "kind", "parent", "title", "description",
						"guidance", "text", "paraphrase", NULL };
static const char *const crosswalk_keys[] = { "format", "id", "from", "to", "title", "author", "note",
					      "mappings", NULL };
static const char *const mapping_keys[] = { "from", "to", "relation", "rationale", NULL };

static const struct catalog_requirement *find_in(const struct catalog_requirement *r, size_t n,
						 const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].id, id) == 0)
			return &r[i];
	return NULL;
}

/* Parses the requirements array into c; problems go to e. */
static int parse_requirements(struct catalog *c, const char *data, size_t len, json_t *array,
			      struct err *e)
{
	struct cursor cur;
	size_t i;
	json_t *item;
	cursor_init(&cur, data, len);
	if (cursor_find(&cur, "requirements", NULL) == 0)
		cursor_init(&cur, data, len);
	c->requirements = calloc(json_array_size(array) ? json_array_size(array) : 1,
				 sizeof *c->requirements);
	if (!c->requirements)
		return AIMS_ENOMEM;
	json_array_foreach(array, i, item) {
		struct where w = { c->file, 0, NULL, e };
		struct catalog_requirement r;
		memset(&r, 0, sizeof r);
		if (!json_is_object(item)) {
			problem(e, c->file, 0, NULL, "requirements[%zu] must be an object", i);
			continue;
		}
		r.id = get_string(&w, item, "id", false);
		if (!r.id) {
			problem(e, c->file, 0, NULL, "requirements[%zu] has no \"id\"", i);
			continue;
		}
		r.line = cursor_find(&cur, "id", r.id);
		w.line = r.line;
		if (!valid_id(&w, r.id, "requirement id"))
			continue;
		w.id = r.id;
		bool ok = only_keys(&w, item, requirement_keys, "a requirement");
		r.kind = get_string(&w, item, "kind", true);
		ok = r.kind && ok;
		if (json_object_get(item, "parent")) {
			r.parent = get_string(&w, item, "parent", true);
			ok = r.parent && ok;
		}
		ok = get_text(&w, item, "title", true, TEXT_BOTH, &r.title) && ok;
		ok = get_text(&w, item, "description", false, TEXT_BOTH, &r.description) && ok;
		ok = get_text(&w, item, "guidance", false, TEXT_BOTH, &r.guidance) && ok;
		ok = get_text(&w, item, "text", false, TEXT_EITHER, &r.text) && ok;
		json_t *para = json_object_get(item, "paraphrase");
		if (para && !json_is_boolean(para)) {
			problem(e, c->file, r.line, r.id, "\"paraphrase\" must be true or false");
			ok = false;
		}
		r.paraphrase = json_is_true(para);
		const struct catalog_requirement *dup = find_in(c->requirements, c->requirement_count, r.id);
		if (dup) {
			problem(e, c->file, r.line, r.id, "duplicate requirement id (first at line %ld)", dup->line);
			continue;
		}
		if (r.parent && !find_in(c->requirements, c->requirement_count, r.parent)) {
			problem(e, c->file, r.line, r.id,
				"parent \"%.80s\" is not an earlier requirement of this catalog", r.parent);
			r.parent = NULL; /* keep the entry: links to it are not a second problem */
		}
		if (ok)
			c->requirements[c->requirement_count++] = r;
	}
	return 0;
}

/* Every declared count matches, and every kind used is declared. */
static void check_counts(const struct catalog *c, long line, struct err *e)
{
	const char *kind;
	json_t *n;
	if (!c->counts)
		return;
	json_object_foreach(c->counts, kind, n) {
		if (!json_is_integer(n) || json_integer_value(n) < 0) {
			problem(e, c->file, line, c->id, "counts.%.40s must be a whole number", kind);
			continue;
		}
		size_t have = catalog_count_kind(c, kind);
		if ((json_int_t)have != json_integer_value(n))
			problem(e, c->file, line, c->id, "declares %lld requirements of kind \"%.40s\" but has %zu",
				(long long)json_integer_value(n), kind, have);
	}
	for (size_t i = 0; i < c->requirement_count; i++) {
		const struct catalog_requirement *r = &c->requirements[i];
		if (!json_object_get(c->counts, r->kind))
			problem(e, c->file, r->line, r->id, "kind \"%.40s\" is not declared in \"counts\"", r->kind);
	}
}

static int add_catalog(struct catalog_set *s, struct catalog *c, const char *data, size_t len,
		       struct err *e)
{
	json_t *root = c->root, *source, *array;
	long line = catalog_find_line(data, len, "id", NULL, 0);
	struct where w = { c->file, line ? line : 1, NULL, e };
	int rc = 0;
	c->line = w.line;
	c->id = get_string(&w, root, "id", true);
	if (c->id && !valid_id(&w, c->id, "catalog id"))
		c->id = NULL;
	w.id = c->id;
	only_keys(&w, root, catalog_keys, "the catalog");
	c->version = get_string(&w, root, "version", true);
	c->publisher = get_string(&w, root, "publisher", true);
	c->licence = get_string(&w, root, "licence", true);
	get_text(&w, root, "title", true, TEXT_BOTH, &c->title);
	get_text(&w, root, "note", false, TEXT_BOTH, &c->note);
	source = json_object_get(root, "source");
	if (!json_is_object(source)) {
		problem(e, c->file, w.line, c->id, "\"source\" must be an object with \"citation\"");
	} else {
		only_keys(&w, source, source_keys, "\"source\"");
		c->citation = get_string(&w, source, "citation", true);
		c->url = get_string(&w, source, "url", false);
	}
	json_t *prov = json_object_get(root, "provisional");
	if (prov && !json_is_boolean(prov))
		problem(e, c->file, w.line, c->id, "\"provisional\" must be true or false");
	c->provisional = json_is_true(prov);
	c->counts = json_object_get(root, "counts");
	if (!json_is_object(c->counts)) {
		problem(e, c->file, w.line, c->id, "\"counts\" must be an object {\"kind\": number}");
		c->counts = NULL;
	}
	array = json_object_get(root, "requirements");
	if (!json_is_array(array) || json_array_size(array) == 0) {
		problem(e, c->file, w.line, c->id, "\"requirements\" must be a non-empty array");
	} else if ((rc = parse_requirements(c, data, len, array, e))) {
		return rc;
	}
	check_counts(c, catalog_find_line(data, len, "counts", NULL, 0), e);
	if (!c->id)
		c->id = "";
	s->catalog_count++;
	return 0;
}

static int add_crosswalk(struct catalog_set *s, struct crosswalk *x, const char *data, size_t len,
			 struct err *e)
{
	json_t *root = x->root, *array, *item;
	long line = catalog_find_line(data, len, "id", NULL, 0);
	struct where w = { x->file, line ? line : 1, NULL, e };
	struct cursor cur;
	size_t i;
	x->line = w.line;
	x->id = get_string(&w, root, "id", true);
	if (x->id && !valid_id(&w, x->id, "crosswalk id"))
		x->id = NULL;
	w.id = x->id;
	only_keys(&w, root, crosswalk_keys, "the crosswalk");
	x->from = get_string(&w, root, "from", true);
	x->to = get_string(&w, root, "to", true);
	get_text(&w, root, "title", true, TEXT_BOTH, &x->title);
	struct catalog_text note;
	get_text(&w, root, "note", false, TEXT_BOTH, &note);
	if (json_object_get(root, "author"))
		get_string(&w, root, "author", true);
	if (!x->id)
		x->id = "";
	array = json_object_get(root, "mappings");
	if (!json_is_array(array) || json_array_size(array) == 0) {
		problem(e, x->file, w.line, x->id, "\"mappings\" must be a non-empty array");
		s->crosswalk_count++;
		return 0;
	}
	x->mappings = calloc(json_array_size(array), sizeof *x->mappings);
	if (!x->mappings)
		return AIMS_ENOMEM;
	cursor_init(&cur, data, len);
	if (cursor_find(&cur, "mappings", NULL) == 0)
		cursor_init(&cur, data, len);
	json_array_foreach(array, i, item) {
		struct crosswalk_mapping m;
		struct where mw = { x->file, 0, NULL, e };
		memset(&m, 0, sizeof m);
		if (!json_is_object(item)) {
			problem(e, x->file, 0, NULL, "mappings[%zu] must be an object", i);
			continue;
		}
		m.from = get_string(&mw, item, "from", false);
		if (!m.from) {
			problem(e, x->file, 0, NULL, "mappings[%zu] has no \"from\"", i);
			continue;
		}
		m.line = cursor_find(&cur, "from", m.from);
		mw.line = m.line;
		mw.id = m.from;
		bool ok = only_keys(&mw, item, mapping_keys, "a mapping");
		m.to = get_string(&mw, item, "to", true);
		ok = m.to && ok;
		const char *rel = get_string(&mw, item, "relation", true);
		size_t k = 0;
		if (rel) {
			while (k < sizeof relation_names / sizeof relation_names[0] && strcmp(relation_names[k], rel) != 0)
				k++;
			if (k == sizeof relation_names / sizeof relation_names[0]) {
				problem(e, x->file, m.line, m.from,
					"relation \"%.40s\" is not one of equivalent, subset, superset, related", rel);
				ok = false;
			}
		}
		ok = rel && ok;
		m.relation = (enum catalog_relation)k;
		ok = get_text(&mw, item, "rationale", true, TEXT_BOTH, &m.rationale) && ok;
		for (size_t j = 0; ok && j < x->mapping_count; j++)
			if (strcmp(x->mappings[j].from, m.from) == 0 && strcmp(x->mappings[j].to, m.to) == 0) {
				problem(e, x->file, m.line, m.from, "mapping to \"%.80s\" is a duplicate of line %ld",
					m.to, x->mappings[j].line);
				ok = false;
			}
		if (ok)
			x->mappings[x->mapping_count++] = m;
	}
	s->crosswalk_count++;
	return 0;
}

int catalog_set_add(struct catalog_set *s, const char *file, const char *data, size_t len,
		    struct err *e)
{
	json_error_t jerr;
	json_t *root = NULL;
	size_t before = err_field_count(e);
	int rc = 0;
	if (len > CATALOG_MAX_FILE)
		return err_set(e, AIMS_ETOOBIG, "%s is larger than %u MiB", file, CATALOG_MAX_FILE >> 20);
	if (s->catalog_count + s->crosswalk_count >= CATALOG_MAX_FILES)
		return err_set(e, AIMS_ETOOBIG, "more than %d catalog files", CATALOG_MAX_FILES);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		problem(e, file, jerr.line > 0 ? jerr.line : 0, NULL, "not valid JSON: %s", jerr.text);
		return AIMS_EINVAL;
	}
	const char *format = json_string_value(json_object_get(root, "format"));
	bool is_catalog = format && strcmp(format, CATALOG_FORMAT) == 0;
	bool is_crosswalk = format && strcmp(format, CROSSWALK_FORMAT) == 0;
	if (!json_is_object(root) || (!is_catalog && !is_crosswalk)) {
		problem(e, file, 1, NULL, "\"format\" must be \"%s\" or \"%s\"", CATALOG_FORMAT, CROSSWALK_FORMAT);
		rc = AIMS_EINVAL;
		goto out;
	}
	char *name = strdup(file);
	if (!name) {
		rc = AIMS_ENOMEM;
		goto out;
	}
	if (is_catalog) {
		struct catalog *grown = realloc(s->catalogs, (s->catalog_count + 1) * sizeof *grown);
		if (!grown) {
			free(name);
			rc = AIMS_ENOMEM;
			goto out;
		}
		s->catalogs = grown;
		struct catalog *c = &s->catalogs[s->catalog_count];
		memset(c, 0, sizeof *c);
		c->file = name;
		c->root = root;
		root = NULL; /* owned by the set from here */
		rc = add_catalog(s, c, data, len, e);
		if (rc) {
			/* Out of memory half-way: keep the entry so release frees it. */
			s->catalog_count++;
			if (!c->id)
				c->id = "";
		}
	} else {
		struct crosswalk *grown = realloc(s->crosswalks, (s->crosswalk_count + 1) * sizeof *grown);
		if (!grown) {
			free(name);
			rc = AIMS_ENOMEM;
			goto out;
		}
		s->crosswalks = grown;
		struct crosswalk *x = &s->crosswalks[s->crosswalk_count];
		memset(x, 0, sizeof *x);
		x->file = name;
		x->root = root;
		root = NULL;
		rc = add_crosswalk(s, x, data, len, e);
		if (rc) {
			s->crosswalk_count++;
			if (!x->id)
				x->id = "";
		}
	}
	if (!rc && err_field_count(e) > before)
		rc = AIMS_EINVAL;
out:
	json_decref(root);
	return rc;
}

/* ---- cross-file checks ---- */

const struct catalog *catalog_set_find(const struct catalog_set *s, const char *id)
{
	for (size_t i = 0; i < s->catalog_count; i++)
		if (strcmp(s->catalogs[i].id, id) == 0)
			return &s->catalogs[i];
	return NULL;
}

const struct catalog_requirement *catalog_find_requirement(const struct catalog *c, const char *id)
{
	return find_in(c->requirements, c->requirement_count, id);
}

size_t catalog_count_kind(const struct catalog *c, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < c->requirement_count; i++)
		if (strcmp(c->requirements[i].kind, kind) == 0)
			n++;
	return n;
}

int catalog_set_check(const struct catalog_set *s, struct err *e)
{
	size_t before = err_field_count(e);
	for (size_t i = 0; i < s->catalog_count; i++) {
		const struct catalog *c = &s->catalogs[i];
		for (size_t j = 0; j < i && *c->id; j++)
			if (strcmp(s->catalogs[j].id, c->id) == 0)
				problem(e, c->file, c->line, c->id,
					"catalog id already used by %s", s->catalogs[j].file);
	}
	for (size_t i = 0; i < s->crosswalk_count; i++) {
		const struct crosswalk *x = &s->crosswalks[i];
		for (size_t j = 0; j < i && *x->id; j++)
			if (strcmp(s->crosswalks[j].id, x->id) == 0)
				problem(e, x->file, x->line, x->id,
					"crosswalk id already used by %s", s->crosswalks[j].file);
		const struct catalog *from = x->from ? catalog_set_find(s, x->from) : NULL;
		const struct catalog *to = x->to ? catalog_set_find(s, x->to) : NULL;
		if (x->from && !from)
			problem(e, x->file, x->line, x->id, "no catalog \"%.80s\" (from)", x->from);
		if (x->to && !to)
			problem(e, x->file, x->line, x->id, "no catalog \"%.80s\" (to)", x->to);
		if (from && to && from == to)
			problem(e, x->file, 1, x->id, "\"from\" and \"to\" are the same catalog");
		for (size_t k = 0; k < x->mapping_count; k++) {
			const struct crosswalk_mapping *m = &x->mappings[k];
			if (from && !catalog_find_requirement(from, m->from))
				problem(e, x->file, m->line, m->from, "no requirement \"%.80s\" in %s", m->from, from->id);
			if (to && !catalog_find_requirement(to, m->to))
				problem(e, x->file, m->line, m->from, "mapping target \"%.80s\" is not a requirement of %s",
					m->to, to->id);
		}
	}
	return err_field_count(e) > before ? AIMS_EINVAL : 0;
}

/* ---- relations and links ---- */

const char *catalog_relation_name(enum catalog_relation r)
{
	return (size_t)r < sizeof relation_names / sizeof relation_names[0] ? relation_names[r] : "related";
}

enum catalog_relation catalog_relation_inverse(enum catalog_relation r)
{
	if (r == CATALOG_SUBSET)
		return CATALOG_SUPERSET;
	if (r == CATALOG_SUPERSET)
		return CATALOG_SUBSET;
	return r;
}

static int append_link(json_t *out, const char *catalog, const char *id, enum catalog_relation rel,
		       const struct catalog_text *why, const char *crosswalk)
{
	json_t *rationale = json_object();
	if (!rationale)
		return AIMS_ENOMEM;
	if (why->ko)
		json_object_set_new(rationale, "ko", json_string(why->ko));
	if (why->en)
		json_object_set_new(rationale, "en", json_string(why->en));
	json_t *link = json_pack("{ss ss ss so ss}", "catalog", catalog, "id", id, "relation",
				 catalog_relation_name(rel), "rationale", rationale, "crosswalk", crosswalk);
	if (!link || json_array_append_new(out, link))
		return AIMS_ENOMEM;
	return 0;
}

json_t *catalog_set_links(const struct catalog_set *s, const char *catalog_id,
			  const char *requirement_id)
{
	json_t *out = json_array();
	if (!out)
		return NULL;
	for (size_t i = 0; i < s->crosswalk_count; i++) {
		const struct crosswalk *x = &s->crosswalks[i];
		if (!x->from || !x->to)
			continue;
		bool forward = strcmp(x->from, catalog_id) == 0;
		bool backward = strcmp(x->to, catalog_id) == 0;
		/* Only links whose other end exists: a broken file must not show ghosts. */
		const struct catalog *other = catalog_set_find(s, forward ? x->to : x->from);
		if (!other || (!forward && !backward))
			continue;
		for (size_t k = 0; k < x->mapping_count; k++) {
			const struct crosswalk_mapping *m = &x->mappings[k];
			int rc = 0;
			if (!catalog_find_requirement(other, forward ? m->to : m->from))
				continue;
			if (forward && strcmp(m->from, requirement_id) == 0)
				rc = append_link(out, x->to, m->to, m->relation, &m->rationale, x->id);
			else if (backward && strcmp(m->to, requirement_id) == 0)
				rc = append_link(out, x->from, m->from, catalog_relation_inverse(m->relation),
						 &m->rationale, x->id);
			if (rc) {
				json_decref(out);
				return NULL;
			}
		}
	}
	return out;
}
