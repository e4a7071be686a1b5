/*
 * systems_csv.c: CSV export and all-or-nothing CSV import of AI systems (RFC 4180,
 * parsed and quoted by libcsv).
 *
 * Import: the first record is the header; columns may come in any order; unknown
 * columns are rejected, export-only columns (id, status, ...) are ignored so an
 * export can be imported into another installation. Every record is validated and
 * created inside one transaction; if any record fails, the transaction is rolled back
 * and the error lists every failing record and field ("line" is the record number,
 * the header being line 1).
 *
 * Export guards against spreadsheet formula injection: a cell starting with = + - @
 * (or tab, CR, or the apostrophe itself) gets a leading apostrophe inside its
 * quotes, which import strips again, so export → import gives back the same text.
 */
#include "svc/internal.h"
#include "base/buf.h"
#include "base/text.h"
#include "model/record.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_MAX_ROWS 10000
#define IMPORT_MAX_COLUMNS 32

static const char *const export_columns[] = {
	"id", "name", "purpose", "lifecycle_stage", "description", "org_id", "org_name", "owner_email",
	"org_role", "techniques", "data_sources", "affected_people", "decision_role", "human_oversight",
	"vendor", "status", "version", "created_at", "updated_at", NULL,
};
static const char *const import_columns[] = {
	"name", "purpose", "lifecycle_stage", "description", "org_id", "owner_email", "org_role",
	"techniques", "data_sources", "affected_people", "decision_role", "human_oversight", "vendor", NULL,
};
static const char *const ignored_columns[] = {
	"id", "org_name", "owner_name", "owner_user_id", "status", "version", "created_at", "updated_at", NULL,
};

static bool listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/* Characters that make a spreadsheet treat a cell as a formula, plus the guard itself. */
#define GUARDED_FIRST "=+-@\t\r'"

static int add_cell(struct buf *b, const char *text)
{
	struct buf cell = BUF_INIT((size_t)1 << 24);
	int rc = 0;
	if (text[0] && strchr(GUARDED_FIRST, text[0]))
		rc = buf_addch(&cell, '\'');
	if (!rc)
		rc = buf_addstr(&cell, text);
	bool quote = strpbrk(buf_str(&cell), ",\"\r\n") != NULL || text[0] == ' ';
	if (!rc && !quote)
		rc = buf_add(b, buf_str(&cell), cell.len);
	if (!rc && quote) {
		/* csv_write quotes and doubles inner quotes; ask for the size first. */
		size_t need = csv_write(NULL, 0, buf_str(&cell), cell.len);
		char *tmp = malloc(need);
		if (!tmp) {
			rc = AIMS_ENOMEM;
		} else {
			csv_write(tmp, need, buf_str(&cell), cell.len);
			rc = buf_add(b, tmp, need);
			free(tmp);
		}
	}
	buf_release(&cell);
	return rc;
}

int svc_csv_cell(struct buf *b, const char *text)
{
	return add_cell(b, text ? text : "");
}

int svc_system_csv(json_t *list, char **out, size_t *len, struct err *e)
{
	struct buf b = BUF_INIT((size_t)1 << 30);
	int rc = 0;
	for (int c = 0; export_columns[c] && !rc; c++)
		rc = buf_addf(&b, "%s%s", c ? "," : "", export_columns[c]);
	if (!rc)
		rc = buf_addstr(&b, "\r\n");
	size_t i;
	json_t *sys;
	json_array_foreach(list, i, sys) {
		for (int c = 0; export_columns[c] && !rc; c++) {
			char *text = svc_value_text(json_object_get(sys, export_columns[c]));
			if (c)
				rc = buf_addch(&b, ',');
			if (!rc)
				rc = add_cell(&b, text ? text : "");
			free(text);
		}
		if (!rc)
			rc = buf_addstr(&b, "\r\n");
		if (rc)
			break;
	}
	if (rc) {
		buf_release(&b);
		return err_set(e, rc, "export too large");
	}
	*out = buf_detach(&b, len);
	return 0;
}

struct import_state {
	json_t *rows;      /* array of arrays of strings; row 0 is the header */
	json_t *current;
	bool too_many;
};

static void on_field(void *data, size_t n, void *ctx)
{
	struct import_state *st = ctx;
	if (!st->current)
		st->current = json_array();
	if (json_array_size(st->current) < IMPORT_MAX_COLUMNS + 1)
		json_array_append_new(st->current, json_stringn(data ? data : "", data ? n : 0));
}

static void on_row(int terminator, void *ctx)
{
	struct import_state *st = ctx;
	(void)terminator;
	if (!st->current)
		return;
	if (json_array_size(st->rows) > IMPORT_MAX_ROWS)
		st->too_many = true;
	else
		json_array_append(st->rows, st->current);
	json_decref(st->current);
	st->current = NULL;
}

/* Strips the apostrophe export adds before =, +, -, @, tab, CR and apostrophe. */
static const char *unguard(const char *s)
{
	if (s[0] == '\'' && s[1] && strchr(GUARDED_FIRST, s[1]))
		return s + 1;
	return s;
}

static int parse_csv(const char *csv, size_t len, json_t **rows, struct err *e)
{
	struct csv_parser p;
	struct import_state st = { json_array(), NULL, false };
	int rc = 0;
	if (len >= 3 && (unsigned char)csv[0] == 0xEF && (unsigned char)csv[1] == 0xBB &&
	    (unsigned char)csv[2] == 0xBF)
		csv += 3, len -= 3;
	if (!text_utf8_valid(csv, len)) {
		json_decref(st.rows);
		err_field(e, 0, "file", "must be UTF-8 text (save the spreadsheet as CSV UTF-8)");
		return AIMS_EINVAL;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
		json_decref(st.rows);
		return err_set(e, AIMS_ENOMEM, "out of memory");
	}
	if (csv_parse(&p, csv, len, on_field, on_row, &st) != len || csv_fini(&p, on_field, on_row, &st) != 0) {
		err_field(e, (long)json_array_size(st.rows) + 1, "file", "is not valid CSV here: %s",
			  csv_strerror(csv_error(&p)));
		rc = AIMS_EINVAL;
	}
	csv_free(&p);
	json_decref(st.current);
	if (!rc && st.too_many) {
		err_field(e, 0, "file", "has more than %d records; split it", IMPORT_MAX_ROWS);
		rc = AIMS_EINVAL;
	}
	if (!rc && json_array_size(st.rows) < 1) {
		err_field(e, 1, "file", "is empty; the first line must name the columns");
		rc = AIMS_EINVAL;
	}
	if (rc) {
		json_decref(st.rows);
		return rc;
	}
	*rows = st.rows;
	return 0;
}

/* One CSV record as a system input object, resolving owner_email to owner_user_id. */
static json_t *record_input(struct store *s, json_t *header, json_t *row, long line, struct err *e)
{
	json_t *input = json_object();
	size_t c;
	json_t *name;
	if (json_array_size(row) != json_array_size(header)) {
		err_field(e, line, "", "has %zu fields; the header has %zu", json_array_size(row),
			  json_array_size(header));
		json_decref(input);
		return NULL;
	}
	json_array_foreach(header, c, name) {
		const char *col = json_string_value(name);
		const char *val = unguard(json_string_value(json_array_get(row, c)));
		if (listed(ignored_columns, col) || *val == '\0')
			continue;
		if (!strcmp(col, "owner_email")) {
			json_t *user = NULL;
			if (store_user_find_email(s, val, &user, NULL) == 0)
				json_object_set_new(input, "owner_user_id", json_copy(json_object_get(user, "id")));
			else
				err_field(e, line, "owner_email", "must be the e-mail of a user with a role on the system's organisation");
			json_decref(user);
			continue;
		}
		if (!strcmp(col, "techniques"))
			json_object_set_new(input, col, record_split_list(val));
		else
			json_object_set_new(input, col, json_string(val));
	}
	return input;
}

static int system_import_csv_once(struct store *s, const struct actor *a, const char *csv, size_t len,
			  json_t **out, struct err *e)
{
	char now[CLOCK_ISO_LEN];
	json_t *rows = NULL, *ids = json_array();
	bool forbidden = false; /* a row names an organisation the caller may not register in */
	*out = NULL;
	int rc = parse_csv(csv, len, &rows, e);
	if (rc)
		goto done;
	json_t *header = json_array_get(rows, 0);
	size_t c;
	json_t *col;
	json_array_foreach(header, c, col) {
		const char *name = json_string_value(col);
		if (!listed(import_columns, name) && !listed(ignored_columns, name))
			err_field(e, 1, name, "is not a column aims knows; expected some of name, purpose, "
					      "lifecycle_stage, description, org_id, owner_email, org_role, techniques, "
					      "data_sources, affected_people, decision_role, human_oversight, vendor");
	}
	if (err_field_count(e)) {
		rc = AIMS_EINVAL;
		goto done;
	}
	clock_now_iso(now);
	if ((rc = store_tx_begin(s, e)))
		goto done;
	for (size_t r = 1; r < json_array_size(rows); r++) {
		long line = (long)r + 1;
		json_t *input = record_input(s, header, json_array_get(rows, r), line, e);
		int64_t id = 0;
		if (!input)
			continue;
		/* Keep going after a bad record so the report lists every problem. */
		size_t before = err_field_count(e);
		int one = svc_system_create_in_tx(s, a, input, line, now, &id, e);
		json_decref(input);
		if (one == AIMS_EINVAL || one == AIMS_ECONFLICT || err_field_count(e) > before)
			continue;
		if (one == AIMS_EFORBIDDEN) {
			forbidden = true;
			err_field(e, line, "org_id", "your role does not allow registering AI systems in that organisation");
			continue;
		}
		if (one) {
			rc = one;
			break;
		}
		json_array_append_new(ids, json_integer(id));
	}
	if (!rc && err_field_count(e))
		rc = forbidden ? AIMS_EFORBIDDEN : AIMS_EINVAL;
	if (!rc && json_array_size(ids) == 0) {
		err_field(e, 2, "file", "has no records after the header");
		rc = AIMS_EINVAL;
	}
	rc = svc_finish(s, rc, e);
	if (!rc)
		*out = json_pack("{sI sO}", "created", (json_int_t)json_array_size(ids), "ids", ids);
done:
	if ((rc == AIMS_EINVAL || rc == AIMS_EFORBIDDEN) && e->fields) {
		e->code = rc;
		size_t n = json_array_size(e->fields);
		snprintf(e->message, sizeof e->message, "nothing was imported: %zu problem%s found", n, n == 1 ? "" : "s");
	}
	json_decref(rows);
	json_decref(ids);
	return rc;
}

int svc_system_import_csv(struct store *s, const struct actor *a, const char *csv, size_t len,
			  json_t **out, struct err *e)
{
	int rc, attempt = 0;
	do
		rc = system_import_csv_once(s, a, csv, len, out, e);
	while (svc_retry(rc, &attempt, e));
	return rc;
}
