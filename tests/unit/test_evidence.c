/*
 * test_evidence.c: the pure rules of model/evidence.c (field validation with real
 * dates and valid_until never before issued_on, also against the stored record; the
 * file name and media type a client sent, cleaned; the valid / expiring / expired
 * state, across month and year ends) and the content-addressed evidence directory of
 * store/blobs.c in a private temporary directory (digests checked against the
 * FIPS 180-2 SHA-256 test vectors, one file per content, the size limit, abort,
 * verification of altered and missing files, listing, path checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/evidence.h"
#include "store/blobs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FIPS 180-2, appendix B: SHA-256("abc") and SHA-256 of the 56-byte message. */
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MSG_56 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_56 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* out = prefix + unit * times + suffix (no strcat: the buffer's end is always known). */
static void repeat_into(char *out, size_t cap, const char *prefix, const char *unit, int times, const char *suffix)
{
	size_t used = (size_t)snprintf(out, cap, "%s", prefix);
	for (int i = 0; i < times && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s", unit);
	assert_true(used < cap);
	snprintf(out + used, cap - used, "%s", suffix);
	assert_true(strlen(out) == used + strlen(suffix));
}

static const char *field_code(const struct err *e, const char *field)
{
	size_t i;
	json_t *f;
	json_array_foreach(e->fields, i, f)
		if (!strcmp(json_string_value(json_object_get(f, "field")), field))
			return json_string_value(json_object_get(f, "code"));
	return NULL;
}

/* The field error's code must be code (fails, rather than crashing, when there is none). */
#define assert_code(e, field, code)                                                             \
	do {                                                                                    \
		const char *got_ = field_code((e), (field));                                    \
		if (!got_ || strcmp(got_, (code)))                                              \
			fail_msg("field %s: want code %s, got %s", (field), (code), got_ ? got_ : "none"); \
	} while (0)

/* Validates input (a JSON text) and returns the status; *fields is released unless kept. */
static int validate(const char *input, enum record_mode mode, const char *before, json_t **kept, struct err *e)
{
	json_t *in = json_loads(input, 0, NULL);
	json_t *prev = before ? json_loads(before, 0, NULL) : NULL;
	json_t *fields = NULL;
	assert_non_null(in);
	int rc = evidence_validate(in, mode, prev, &fields, e);
	if (rc)
		assert_null(fields);
	if (kept)
		*kept = fields;
	else
		json_decref(fields);
	json_decref(in);
	json_decref(prev);
	return rc;
}

/* ------------------------------------------------------------------ validation */

static void test_validate_good_fields(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	assert_int_equal(validate("{\"title\": \"  AI 정책 2026 \", \"description\": \"line one\\nline two\", "
				  "\"issued_on\": \"2028-02-29\", \"valid_until\": \"2028-02-29\"}",
				  RECORD_CREATE, NULL, &fields, &e),
			 0);
	assert_string_equal(json_string_value(json_object_get(fields, "title")), "AI 정책 2026");
	assert_string_equal(json_string_value(json_object_get(fields, "issued_on")), "2028-02-29");
	json_decref(fields);
	/* Dates are optional; "" on create means not set. */
	assert_int_equal(validate("{\"title\": \"x\", \"valid_until\": \"\"}", RECORD_CREATE, NULL, &fields, &e), 0);
	assert_null(json_object_get(fields, "valid_until"));
	json_decref(fields);
	/* 200 characters is the limit, counted in characters, not bytes. */
	char in[1024];
	repeat_into(in, sizeof in, "{\"title\": \"", "가", 200, "\"}");
	assert_int_equal(validate(in, RECORD_CREATE, NULL, NULL, &e), 0);
	err_release(&e);
}

static void test_validate_title(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	assert_int_equal(validate("{\"description\": \"no title\"}", RECORD_CREATE, NULL, NULL, &e), AIMS_EINVAL);
	assert_code(&e, "title", "required");
	err_release(&e);
	assert_int_equal(validate("{\"title\": \"   \"}", RECORD_CREATE, NULL, NULL, &e), AIMS_EINVAL);
	assert_code(&e, "title", "required");
	err_release(&e);
	char in[512];
	repeat_into(in, sizeof in, "{\"title\": \"", "t", 201, "\"}");
	assert_int_equal(validate(in, RECORD_CREATE, NULL, NULL, &e), AIMS_EINVAL);
	assert_code(&e, "title", "too_long");
	err_release(&e);
	assert_int_equal(validate("{\"title\": \"tab\\there\"}", RECORD_CREATE, NULL, NULL, &e), AIMS_EINVAL);
	assert_code(&e, "title", "control");
	err_release(&e);
	/* A patch that leaves the title out keeps it; one that empties it is refused. */
	assert_int_equal(validate("{\"description\": \"d\"}", RECORD_PATCH, "{\"title\": \"kept\"}", NULL, &e), 0);
	assert_int_equal(validate("{\"title\": \"\"}", RECORD_PATCH, "{\"title\": \"kept\"}", NULL, &e), AIMS_EINVAL);
	assert_code(&e, "title", "required");
	err_release(&e);
	assert_int_equal(validate("{\"title\": \"x\", \"colour\": \"red\"}", RECORD_CREATE, NULL, NULL, &e),
			 AIMS_EINVAL);
	assert_code(&e, "colour", "unknown");
	err_release(&e);
}

static void test_validate_dates_are_real(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	static const char *const bad[] = { "2026-02-30", "2027-02-29", "2026-04-31", "2026-13-01",
					   "2026-00-10", "2026-1-01", "2026/01/01", "20260101", "1899-12-31" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char in[128];
		snprintf(in, sizeof in, "{\"title\": \"t\", \"issued_on\": \"%s\"}", bad[i]);
		assert_int_equal(validate(in, RECORD_CREATE, NULL, NULL, &e), AIMS_EINVAL);
		assert_code(&e, "issued_on", "date");
		assert_null(field_code(&e, "valid_until"));
		err_release(&e);
		snprintf(in, sizeof in, "{\"title\": \"t\", \"valid_until\": \"%s\"}", bad[i]);
		assert_int_equal(validate(in, RECORD_CREATE, NULL, NULL, &e), AIMS_EINVAL);
		assert_code(&e, "valid_until", "date");
		err_release(&e);
	}
	/* Longer than a date is refused by the field rule before the date rule runs. */
	assert_int_equal(validate("{\"title\": \"t\", \"issued_on\": \"2026-01-01T00:00:00Z\"}", RECORD_CREATE, NULL,
				  NULL, &e),
			 AIMS_EINVAL);
	assert_non_null(field_code(&e, "issued_on"));
	err_release(&e);
	assert_int_equal(validate("{\"title\": \"t\", \"issued_on\": 20260101}", RECORD_CREATE, NULL, NULL, &e),
			 AIMS_EINVAL);
	assert_code(&e, "issued_on", "type");
	err_release(&e);
}

static void test_validate_names_every_field_at_once(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	/* A missing title must not hide a bad date: the 422 lists every problem. */
	assert_int_equal(validate("{\"issued_on\": \"2026-02-30\", \"valid_until\": \"2026-13-01\"}", RECORD_CREATE, NULL,
				  NULL, &e),
			 AIMS_EINVAL);
	assert_code(&e, "title", "required");
	assert_code(&e, "issued_on", "date");
	assert_code(&e, "valid_until", "date");
	assert_int_equal(err_field_count(&e), 3);
	err_release(&e);
	/* A date the field rule refused already is named once, not twice. */
	assert_int_equal(validate("{\"issued_on\": \"2026-01-01T00:00:00Z\", \"colour\": 1}", RECORD_CREATE, NULL, NULL,
				  &e),
			 AIMS_EINVAL);
	assert_code(&e, "issued_on", "too_long");
	assert_int_equal(err_field_count(&e), 3); /* title, issued_on, colour */
	err_release(&e);
	/* The order of the dates is checked while other fields are wrong, too. */
	assert_int_equal(validate("{\"title\": \"\", \"issued_on\": \"2026-05-01\", \"valid_until\": \"2026-04-01\"}",
				  RECORD_CREATE, NULL, NULL, &e),
			 AIMS_EINVAL);
	assert_non_null(field_code(&e, "title"));
	assert_code(&e, "valid_until", "before_issued");
	err_release(&e);
}

static void test_validate_valid_until_not_before_issued_on(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	json_t *fields = NULL;
	assert_int_equal(validate("{\"title\": \"t\", \"issued_on\": \"2026-05-01\", \"valid_until\": \"2026-04-30\"}",
				  RECORD_CREATE, NULL, NULL, &e),
			 AIMS_EINVAL);
	assert_code(&e, "valid_until", "before_issued");
	assert_null(field_code(&e, "issued_on"));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(e.fields, 0), "message")),
			       "2026-05-01"));
	err_release(&e);
	/* Across a year end the order still holds (text order of real dates). */
	assert_int_equal(validate("{\"title\": \"t\", \"issued_on\": \"2026-12-31\", \"valid_until\": \"2027-01-01\"}",
				  RECORD_CREATE, NULL, NULL, &e),
			 0);
	/* A patch is checked against the stored dates it does not change. */
	const char *stored = "{\"title\": \"t\", \"issued_on\": \"2026-05-01\", \"valid_until\": \"2026-12-31\"}";
	assert_int_equal(validate("{\"valid_until\": \"2026-04-30\"}", RECORD_PATCH, stored, NULL, &e), AIMS_EINVAL);
	assert_code(&e, "valid_until", "before_issued");
	err_release(&e);
	assert_int_equal(validate("{\"issued_on\": \"2027-01-01\"}", RECORD_PATCH, stored, NULL, &e), AIMS_EINVAL);
	assert_code(&e, "valid_until", "before_issued");
	err_release(&e);
	/* Moving both together, or clearing one, is fine. */
	assert_int_equal(validate("{\"issued_on\": \"2027-01-01\", \"valid_until\": \"2028-01-01\"}", RECORD_PATCH, stored,
				  NULL, &e),
			 0);
	assert_int_equal(validate("{\"issued_on\": \"2027-01-01\", \"valid_until\": null}", RECORD_PATCH, stored, &fields,
				  &e),
			 0);
	assert_true(json_is_null(json_object_get(fields, "valid_until")));
	json_decref(fields);
	assert_int_equal(validate("{\"issued_on\": \"\"}", RECORD_PATCH, stored, &fields, &e), 0);
	assert_true(json_is_null(json_object_get(fields, "issued_on")));
	json_decref(fields);
	/* A stored record without dates constrains nothing. */
	assert_int_equal(validate("{\"valid_until\": \"2020-01-01\"}", RECORD_PATCH, "{\"title\": \"t\"}", NULL, &e), 0);
	err_release(&e);
}

/* ------------------------------------------------------------------ file names */

static void clean(const char *raw, char *out, size_t n)
{
	memset(out, '#', n);
	evidence_filename_clean(raw, out, n);
	assert_true(strlen(out) < n);
}

static void test_filename_path_stripped(void **state)
{
	(void)state;
	char out[EVIDENCE_FILENAME_MAX + 1];
	clean("../../etc/passwd", out, sizeof out);
	assert_string_equal(out, "passwd");
	clean("C:\\Users\\kim\\보고서.pdf", out, sizeof out);
	assert_string_equal(out, "보고서.pdf");
	clean("/abs/dir/", out, sizeof out);
	assert_string_equal(out, "evidence");
	clean("plain.txt", out, sizeof out);
	assert_string_equal(out, "plain.txt");
}

static void test_filename_controls_and_quotes(void **state)
{
	(void)state;
	char out[EVIDENCE_FILENAME_MAX + 1];
	clean("a\tb\"c\r\n\x7f.txt", out, sizeof out);
	assert_string_equal(out, "a_b_c___.txt");
	clean("x\"; filename=evil.html", out, sizeof out);
	assert_null(strchr(out, '"'));
	assert_string_equal(out, "x_; filename=evil.html");
}

static void test_filename_cut_on_character_boundary(void **state)
{
	(void)state;
	char raw[400], out[EVIDENCE_FILENAME_MAX + 1];
	/* 67 three-byte characters are 201 bytes: the 67th does not fit and goes whole. */
	repeat_into(raw, sizeof raw, "", "가", 67, "");
	clean(raw, out, sizeof out);
	assert_int_equal(strlen(out), 198);
	assert_memory_equal(out, raw, 198);
	/* 199 ASCII bytes then a three-byte character: the character goes, the 199 stay. */
	repeat_into(raw, sizeof raw, "", "a", 199, "가.pdf");
	clean(raw, out, sizeof out);
	assert_int_equal(strlen(out), 199);
	/* Exactly 200 ASCII bytes are kept; 250 are cut to 200. */
	repeat_into(raw, sizeof raw, "", "b", 250, "");
	clean(raw, out, sizeof out);
	assert_int_equal(strlen(out), EVIDENCE_FILENAME_MAX);
	raw[200] = '\0';
	clean(raw, out, sizeof out);
	assert_string_equal(out, raw);
	/* A smaller buffer cuts there, still on a boundary. */
	char small[8];
	clean("가나다", small, sizeof small);
	assert_string_equal(small, "가나");
}

static void test_filename_invalid_utf8_replaced(void **state)
{
	(void)state;
	char out[EVIDENCE_FILENAME_MAX + 1];
	clean("r\xff" "port.txt", out, sizeof out);
	assert_string_equal(out, "r_port.txt");
	clean("\xc3\x28.doc", out, sizeof out); /* a lead byte without its continuation */
	assert_string_equal(out, "_(.doc");
	clean("\xed\xa0\x80.bin", out, sizeof out); /* a UTF-16 surrogate encoded in UTF-8 */
	for (const char *p = out; *p; p++)
		assert_true((unsigned char)*p < 0x80);
}

static void test_filename_nothing_left(void **state)
{
	(void)state;
	char out[EVIDENCE_FILENAME_MAX + 1];
	static const char *const blank[] = { "...", "..", ".", "", " . ", "\"\"", "a/..", "\t\n" };
	for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
		clean(blank[i], out, sizeof out);
		assert_string_equal(out, "evidence");
	}
	clean(NULL, out, sizeof out);
	assert_string_equal(out, "evidence");
	clean(".htaccess", out, sizeof out);
	assert_string_equal(out, ".htaccess");
}

static void test_media_type_clean(void **state)
{
	(void)state;
	char out[EVIDENCE_MEDIA_TYPE_MAX + 1];
	static const char *const cases[][2] = {
		{ "text/plain", "text/plain" },
		{ "text/plain; charset=utf-8", "text/plain" },
		{ "  Image/PNG ", "image/png" },
		{ "image/svg+xml", "image/svg+xml" },
		{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		  "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "", "application/octet-stream" },
		{ "text", "application/octet-stream" },
		{ "text/", "application/octet-stream" },
		{ "/plain", "application/octet-stream" },
		{ "a/b/c", "application/octet-stream" },
		{ "text/html<script>", "application/octet-stream" },
		{ "text/html\r\nX-Evil: 1", "application/octet-stream" },
		{ "te\"xt/plain", "application/octet-stream" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		evidence_media_type_clean(cases[i][0], out, sizeof out);
		assert_string_equal(out, cases[i][1]);
	}
	evidence_media_type_clean(NULL, out, sizeof out);
	assert_string_equal(out, "application/octet-stream");
	/* Longer than EVIDENCE_MEDIA_TYPE_MAX: refused, not cut into another type. */
	char longer[200];
	repeat_into(longer, sizeof longer, "application/", "x", 100, "");
	evidence_media_type_clean(longer, out, sizeof out);
	assert_string_equal(out, "application/octet-stream");
}

/* ------------------------------------------------------------------ validity */

static void test_state(void **state)
{
	(void)state;
	assert_string_equal(evidence_state(NULL, "2026-06-15"), "valid");
	assert_string_equal(evidence_state("", "2026-06-15"), "valid");
	assert_string_equal(evidence_state("2026-06-14", "2026-06-15"), "expired");
	assert_string_equal(evidence_state("2026-06-15", "2026-06-15"), "expiring"); /* the last day still counts */
	assert_string_equal(evidence_state("2026-07-15", "2026-06-15"), "expiring"); /* 30 days */
	assert_string_equal(evidence_state("2026-07-16", "2026-06-15"), "valid");    /* 31 days */
	assert_string_equal(evidence_state("2099-12-31", "2026-06-15"), "valid");
}

static void test_state_across_month_and_year_ends(void **state)
{
	(void)state;
	/* Year end: 2026-12-15 + 30 days = 2027-01-14. */
	assert_string_equal(evidence_state("2027-01-14", "2026-12-15"), "expiring");
	assert_string_equal(evidence_state("2027-01-15", "2026-12-15"), "valid");
	assert_string_equal(evidence_state("2026-12-14", "2026-12-15"), "expired");
	assert_string_equal(evidence_state("2026-12-31", "2027-01-01"), "expired");
	/* February of a leap year (29 days) and of a common year (28 days). */
	assert_string_equal(evidence_state("2028-03-02", "2028-02-01"), "expiring");
	assert_string_equal(evidence_state("2028-03-03", "2028-02-01"), "valid");
	assert_string_equal(evidence_state("2027-03-03", "2027-02-01"), "expiring");
	assert_string_equal(evidence_state("2027-03-04", "2027-02-01"), "valid");
	/* A 31-day month: 2026-01-31 + 30 days = 2026-03-02. */
	assert_string_equal(evidence_state("2026-03-02", "2026-01-31"), "expiring");
	assert_string_equal(evidence_state("2026-03-03", "2026-01-31"), "valid");
	/* Century rule: 2100 is not a leap year, 2000 was. */
	assert_string_equal(evidence_state("2100-03-02", "2100-01-31"), "expiring");
	assert_string_equal(evidence_state("2100-03-03", "2100-01-31"), "valid");
	assert_string_equal(evidence_state("2000-03-01", "2000-01-31"), "expiring");
	assert_string_equal(evidence_state("2000-03-02", "2000-01-31"), "valid");
}

/* ------------------------------------------------------------------ the evidence directory */

struct dir_fx {
	char dir[64];
};

static int dir_setup(void **state)
{
	struct dir_fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/aims-blobs-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int dir_teardown(void **state)
{
	struct dir_fx *f = *state;
	remove_tree(f->dir);
	free(f);
	return 0;
}

static void ok(int rc, struct err *e, const char *what)
{
	if (rc) {
		char msg[sizeof e->message];
		memcpy(msg, e->message, sizeof msg);
		err_release(e);
		fail_msg("%s failed: %d %s", what, rc, msg);
	}
}

/* Stores bytes in the directory; hex receives the name. */
static void store_bytes(const char *dir, const char *data, size_t n, char hex[BLOB_HEX])
{
	struct blob_writer w;
	struct err e = ERR_INIT;
	ok(blob_writer_begin(&w, dir, 0, &e), &e, "begin");
	ok(blob_writer_write(&w, data, n, &e), &e, "write");
	ok(blob_writer_commit(&w, hex, &e), &e, "commit");
}

/* Number of entries (not . or ..) in dir/sub. */
static int entries(const char *dir, const char *sub)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static int count_files(void *ctx, const char *hex)
{
	(void)hex;
	(*(int *)ctx)++;
	return 0;
}

static int stored_files(const char *dir)
{
	struct err e = ERR_INIT;
	int n = 0;
	ok(blob_each(dir, count_files, &n, &e), &e, "blob_each");
	return n;
}

static void append_byte(const char *dir, const char *hex)
{
	char path[512];
	struct err e = ERR_INIT;
	ok(blob_path(dir, hex, path, sizeof path, &e), &e, "blob_path");
	assert_int_equal(chmod(path, 0600), 0);
	FILE *fp = fopen(path, "ab");
	assert_non_null(fp);
	fputc('!', fp);
	fclose(fp);
}

static void test_blob_commit_names_file_by_sha256(void **state)
{
	struct dir_fx *f = *state;
	struct err e = ERR_INIT;
	struct blob_writer w;
	char hex[BLOB_HEX], path[512];
	struct stat st;
	/* Written in three pieces, named like the whole. */
	ok(blob_writer_begin(&w, f->dir, 0, &e), &e, "begin");
	ok(blob_writer_write(&w, "a", 1, &e), &e, "write");
	ok(blob_writer_write(&w, "b", 1, &e), &e, "write");
	ok(blob_writer_write(&w, "c", 1, &e), &e, "write");
	assert_int_equal(w.size, 3);
	ok(blob_writer_commit(&w, hex, &e), &e, "commit");
	assert_string_equal(hex, SHA_ABC);
	ok(blob_path(f->dir, hex, path, sizeof path, &e), &e, "blob_path");
	char want[512];
	snprintf(want, sizeof want, "%s/sha256/ba/%s", f->dir, SHA_ABC);
	assert_string_equal(path, want);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0777, 0400); /* never rewritten in place */
	assert_int_equal(entries(f->dir, "tmp"), 0);
	char dir_path[256];
	snprintf(dir_path, sizeof dir_path, "%s/sha256", f->dir);
	assert_int_equal(stat(dir_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	store_bytes(f->dir, MSG_56, strlen(MSG_56), hex);
	assert_string_equal(hex, SHA_56);
	store_bytes(f->dir, "", 0, hex);
	assert_string_equal(hex, SHA_EMPTY);
	assert_int_equal(stored_files(f->dir), 3);
	/* Aborting after commit is harmless. */
	blob_writer_abort(&w);
}

static void test_blob_same_bytes_stored_once(void **state)
{
	struct dir_fx *f = *state;
	char first[BLOB_HEX], second[BLOB_HEX];
	store_bytes(f->dir, "abc", 3, first);
	store_bytes(f->dir, "abc", 3, second);
	assert_string_equal(first, second);
	assert_int_equal(stored_files(f->dir), 1);
	assert_int_equal(entries(f->dir, "sha256/ba"), 1);
	assert_int_equal(entries(f->dir, "tmp"), 0);
}

static void test_blob_limit(void **state)
{
	struct dir_fx *f = *state;
	struct err e = ERR_INIT;
	struct blob_writer w;
	char hex[BLOB_HEX];
	/* Exactly the limit is accepted. */
	ok(blob_writer_begin(&w, f->dir, 3, &e), &e, "begin");
	ok(blob_writer_write(&w, "abc", 3, &e), &e, "write up to the limit");
	ok(blob_writer_commit(&w, hex, &e), &e, "commit");
	assert_string_equal(hex, SHA_ABC);
	/* One byte more is refused, and stays refused; nothing is stored. */
	ok(blob_writer_begin(&w, f->dir, 4, &e), &e, "begin");
	ok(blob_writer_write(&w, "abc", 3, &e), &e, "write");
	assert_int_equal(blob_writer_write(&w, "de", 2, &e), AIMS_ETOOBIG);
	assert_true(w.too_big);
	err_release(&e);
	assert_int_equal(blob_writer_write(&w, "", 0, &e), AIMS_ETOOBIG);
	err_release(&e);
	assert_int_equal(blob_writer_commit(&w, hex, &e), AIMS_ETOOBIG);
	assert_non_null(strstr(e.message, "4 bytes"));
	err_release(&e);
	assert_int_equal(stored_files(f->dir), 1);
	assert_int_equal(entries(f->dir, "tmp"), 0);
}

static void test_blob_abort_removes_the_temporary_file(void **state)
{
	struct dir_fx *f = *state;
	struct err e = ERR_INIT;
	struct blob_writer w;
	ok(blob_writer_begin(&w, f->dir, 0, &e), &e, "begin");
	ok(blob_writer_write(&w, "half an upload", 14, &e), &e, "write");
	assert_int_equal(entries(f->dir, "tmp"), 1);
	assert_int_equal(access(w.tmp_path, F_OK), 0);
	blob_writer_abort(&w);
	assert_int_equal(entries(f->dir, "tmp"), 0);
	assert_int_equal(stored_files(f->dir), 0);
	assert_int_equal(w.fd, -1);
	blob_writer_abort(&w); /* twice is harmless */
}

static void test_blob_abort_of_a_zeroed_writer_closes_nothing(void **state)
{
	(void)state;
	/* blobs.h: abort is "safe to call ... on a zeroed writer", whose fd is 0. */
	int keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(keep >= 0);
	int saved = dup(0);
	assert_int_equal(dup2(keep, 0), 0);
	struct blob_writer w;
	memset(&w, 0, sizeof w);
	blob_writer_abort(&w);
	bool still_open = fcntl(0, F_GETFD) != -1;
	if (saved >= 0) {
		dup2(saved, 0);
		close(saved);
	}
	close(keep);
	assert_true(still_open);
}

static void test_blob_verify(void **state)
{
	struct dir_fx *f = *state;
	struct err e = ERR_INIT;
	char hex[BLOB_HEX], buf[8];
	int fd = -1;
	store_bytes(f->dir, "abc", 3, hex);
	ok(blob_verify(f->dir, hex, 3, NULL, &e), &e, "verify");
	/* With fd_out the checked file stays open at its start. */
	ok(blob_verify(f->dir, hex, 3, &fd, &e), &e, "verify and open");
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof buf), 3);
	assert_memory_equal(buf, "abc", 3);
	close(fd);
	/* A recorded size that differs is a mismatch too. */
	assert_int_equal(blob_verify(f->dir, hex, 4, &fd, &e), AIMS_EINTEGRITY);
	assert_int_equal(fd, -1);
	err_release(&e);
	/* One byte appended outside aims. */
	append_byte(f->dir, hex);
	assert_int_equal(blob_verify(f->dir, hex, 3, &fd, &e), AIMS_EINTEGRITY);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(e.message, "does not match"));
	assert_non_null(strstr(e.message, SHA_ABC));
	err_release(&e);
	assert_int_equal(blob_verify(f->dir, hex, 4, NULL, &e), AIMS_EINTEGRITY);
	err_release(&e);
	/* Uploading the same bytes again replaces the altered copy. */
	store_bytes(f->dir, "abc", 3, hex);
	ok(blob_verify(f->dir, hex, 3, NULL, &e), &e, "verify after re-upload");
	/* A missing file. */
	char path[512];
	ok(blob_path(f->dir, hex, path, sizeof path, &e), &e, "blob_path");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(blob_verify(f->dir, hex, 3, &fd, &e), AIMS_ENOTFOUND);
	assert_int_equal(fd, -1);
	err_release(&e);
	assert_int_equal(blob_verify(f->dir, "not-a-digest", 3, NULL, &e), AIMS_EINVAL);
	err_release(&e);
}

struct seen {
	int calls;
	bool abc, msg56;
};

static int note(void *ctx, const char *hex)
{
	struct seen *s = ctx;
	s->calls++;
	s->abc |= !strcmp(hex, SHA_ABC);
	s->msg56 |= !strcmp(hex, SHA_56);
	return 0;
}

static int stop_at_first(void *ctx, const char *hex)
{
	(void)hex;
	(*(int *)ctx)++;
	return 7;
}

static void test_blob_each(void **state)
{
	struct dir_fx *f = *state;
	struct err e = ERR_INIT;
	char hex[BLOB_HEX], sub[256];
	struct seen s = { 0 };
	/* A directory never prepared lists nothing, without an error. */
	ok(blob_each(f->dir, note, &s, &e), &e, "blob_each on an empty directory");
	assert_int_equal(s.calls, 0);
	store_bytes(f->dir, "abc", 3, hex);
	store_bytes(f->dir, MSG_56, strlen(MSG_56), hex);
	/* Stray dot files are not stored files. */
	snprintf(sub, sizeof sub, "%s/sha256/ba/.nfs0001", f->dir);
	FILE *fp = fopen(sub, "w");
	assert_non_null(fp);
	fclose(fp);
	ok(blob_each(f->dir, note, &s, &e), &e, "blob_each");
	assert_int_equal(s.calls, 2);
	assert_true(s.abc && s.msg56);
	int calls = 0;
	assert_int_equal(blob_each(f->dir, stop_at_first, &calls, &e), 7);
	assert_int_equal(calls, 1);
}

static void test_blob_path_rejects_non_hex(void **state)
{
	struct dir_fx *f = *state;
	struct err e = ERR_INIT;
	char path[512];
	static const char *const bad[] = {
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", /* upper case */
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",  /* 63 digits */
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", /* 65 digits */
		"../../../../../../../../../../../../../../../../../../../etc/pas",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(blob_hex_ok(bad[i]));
		assert_int_equal(blob_path(f->dir, bad[i], path, sizeof path, &e), AIMS_EINVAL);
		err_release(&e);
	}
	assert_false(blob_hex_ok(NULL));
	assert_int_equal(blob_path(f->dir, NULL, path, sizeof path, &e), AIMS_EINVAL);
	err_release(&e);
	assert_true(blob_hex_ok(SHA_ABC));
	char tiny[16];
	assert_int_equal(blob_path(f->dir, SHA_ABC, tiny, sizeof tiny, &e), AIMS_ETOOBIG);
	err_release(&e);
}

int main(void)
{
#define D(name) cmocka_unit_test_setup_teardown(name, dir_setup, dir_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_good_fields),
		cmocka_unit_test(test_validate_title),
		cmocka_unit_test(test_validate_dates_are_real),
		cmocka_unit_test(test_validate_valid_until_not_before_issued_on),
		cmocka_unit_test(test_validate_names_every_field_at_once),
		cmocka_unit_test(test_filename_path_stripped),
		cmocka_unit_test(test_filename_controls_and_quotes),
		cmocka_unit_test(test_filename_cut_on_character_boundary),
		cmocka_unit_test(test_filename_invalid_utf8_replaced),
		cmocka_unit_test(test_filename_nothing_left),
		cmocka_unit_test(test_media_type_clean),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_state_across_month_and_year_ends),
		D(test_blob_commit_names_file_by_sha256),
		D(test_blob_same_bytes_stored_once),
		D(test_blob_limit),
		D(test_blob_abort_removes_the_temporary_file),
		D(test_blob_abort_of_a_zeroed_writer_closes_nothing),
		D(test_blob_verify),
		D(test_blob_each),
		D(test_blob_path_rejects_non_hex),
	};
#undef D
	return cmocka_run_group_tests_name("evidence", tests, NULL, NULL);
}
