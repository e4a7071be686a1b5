/*
 * test_base.c: the base/ layer on its own, no I/O.
 *
 * Covers buf (the hard limit, the "unchanged on overflow" contract of buf.h, buf_addf
 * past its 256-byte stack buffer, HTML escaping), text (UTF-8 validity per RFC 3629:
 * overlongs, surrogates, truncated sequences, NUL; code-point counting of Korean;
 * trimming; bounded int64 parsing; e-mail plausibility), secret (token shape, SHA-256
 * against the FIPS 180-2 "abc" vector, argon2id verify, constant-time equality) and
 * err (field lists and messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secret.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ buf */

static void test_buf_starts_empty(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(16);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);
}

static void test_buf_add_and_terminate(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 64);
	assert_int_equal(buf_addstr(&b, "abc"), 0);
	assert_int_equal(buf_addch(&b, '-'), 0);
	assert_int_equal(buf_add(&b, "xyz123", 3), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(buf_str(&b), "abc-xyz");
	assert_int_equal(b.data[b.len], '\0');
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_addstr(&b, "again"), 0);
	assert_string_equal(buf_str(&b), "again");
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_buf_limit_exact_fit_then_overflow(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(8);
	assert_int_equal(buf_addstr(&b, "12345678"), 0); /* exactly the limit */
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_addch(&b, '9'), AIMS_ETOOBIG);
	assert_int_equal(buf_addstr(&b, "more text"), AIMS_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(buf_str(&b), "12345678");
	buf_release(&b);
}

static void test_buf_overflow_leaves_buffer_unchanged(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(10);
	assert_int_equal(buf_addstr(&b, "abc"), 0);
	assert_int_equal(buf_add(&b, "0123456789", 10), AIMS_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(buf_str(&b), "abc");
	/* one huge add on an empty buffer allocates nothing usable and changes nothing */
	struct buf c = BUF_INIT(4);
	assert_int_equal(buf_addstr(&c, "12345"), AIMS_ETOOBIG);
	assert_int_equal(c.len, 0);
	assert_string_equal(buf_str(&c), "");
	/* a length near SIZE_MAX must not wrap around the check */
	assert_int_equal(buf_add(&b, "x", SIZE_MAX), AIMS_ETOOBIG);
	assert_string_equal(buf_str(&b), "abc");
	buf_release(&b);
	buf_release(&c);
}

static void test_buf_addf_small_and_large(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(1 << 20);
	assert_int_equal(buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(buf_str(&b), "42-x");

	/* Past the 256-byte stack buffer: the second vsnprintf path. */
	char big[1001];
	for (int i = 0; i < 1000; i++)
		big[i] = (char)('a' + i % 26);
	big[1000] = '\0';
	assert_int_equal(buf_addf(&b, "[%s|%d]", big, 7), 0);
	assert_int_equal(b.len, 4 + 1 + 1000 + 3);
	assert_memory_equal(b.data + 5, big, 1000);
	assert_string_equal(b.data + 1005, "|7]");
	assert_int_equal(strlen(b.data), b.len);

	/* the boundary: 255, 256 and 257 formatted bytes */
	for (size_t n = 255; n <= 257; n++) {
		struct buf c = BUF_INIT(1024);
		assert_int_equal(buf_addf(&c, "%.*s", (int)n, big), 0);
		assert_int_equal(c.len, n);
		assert_memory_equal(c.data, big, n);
		assert_int_equal(c.data[n], '\0');
		buf_release(&c);
	}
	buf_release(&b);
}

static void test_buf_addf_over_limit_unchanged(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(300);
	char big[400];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(buf_addstr(&b, "abc"), 0);
	assert_int_equal(buf_addf(&b, "%s", big), AIMS_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(buf_str(&b), "abc");
	/* a short format over the limit, through the small path */
	struct buf c = BUF_INIT(5);
	assert_int_equal(buf_addf(&c, "%s", "abcdef"), AIMS_ETOOBIG);
	assert_int_equal(c.len, 0);
	buf_release(&b);
	buf_release(&c);
}

static void test_buf_add_html_escapes(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(1024);
	const char *in = "a&b<c>d\"e'f";
	assert_int_equal(buf_add_html(&b, in, strlen(in)), 0);
	assert_string_equal(buf_str(&b), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	buf_reset(&b);
	const char *attack = "<script>alert(\"x\")</script>&'";
	assert_int_equal(buf_add_html(&b, attack, strlen(attack)), 0);
	assert_string_equal(buf_str(&b),
			    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
	buf_reset(&b);
	/* only n bytes are read; Korean passes through unchanged */
	assert_int_equal(buf_add_html(&b, "민원<>tail", strlen("민원<")), 0);
	assert_string_equal(buf_str(&b), "민원&lt;");
	buf_reset(&b);
	assert_int_equal(buf_add_html(&b, "", 0), 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);
}

/*
 * buf.h: "Adding past the limit returns AIMS_ETOOBIG and leaves the buffer as it
 * was." buf_add_html is an add, so an escape that runs over the limit halfway must
 * not leave a half-escaped prefix behind.
 */
static void test_buf_add_html_overflow_leaves_buffer_unchanged(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(8);
	assert_int_equal(buf_addstr(&b, "x"), 0);
	/* "x" + "ab&lt;cdef" would be 11 bytes > 8 */
	int rc = buf_add_html(&b, "ab<cdef", 7);
	size_t len = b.len;
	char seen[16];
	snprintf(seen, sizeof seen, "%s", buf_str(&b));
	buf_release(&b);
	assert_int_equal(rc, AIMS_ETOOBIG);
	assert_string_equal(seen, "x");
	assert_int_equal(len, 1);
}

static void test_buf_detach(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(64);
	size_t len = 99;
	char *p = buf_detach(&b, &len); /* empty buffer: still a string to free */
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	assert_int_equal(buf_addstr(&b, "hello"), 0);
	p = buf_detach(&b, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);
	/* reusable after detach */
	assert_int_equal(buf_addstr(&b, "again"), 0);
	assert_string_equal(buf_str(&b), "again");
	buf_release(&b);
}

/* ------------------------------------------------------------------ text */

static bool valid(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

static void test_utf8_valid_accepts(void **state)
{
	(void)state;
	assert_true(text_utf8_valid("", 0));
	assert_true(valid("plain ASCII ~"));
	assert_true(valid("민원 상담 챗봇"));
	assert_true(valid("\xC2\x80"));             /* U+0080, smallest 2-byte */
	assert_true(valid("\xDF\xBF"));             /* U+07FF */
	assert_true(valid("\xE0\xA0\x80"));         /* U+0800, smallest 3-byte */
	assert_true(valid("\xED\x9F\xBF"));         /* U+D7FF, just below the surrogates */
	assert_true(valid("\xEE\x80\x80"));         /* U+E000, just above them */
	assert_true(valid("\xEF\xBF\xBF"));         /* U+FFFF */
	assert_true(valid("\xF0\x90\x80\x80"));     /* U+10000 */
	assert_true(valid("\xF0\x9F\x98\x80"));     /* emoji */
	assert_true(valid("\xF4\x8F\xBF\xBF"));     /* U+10FFFF, the last code point */
}

static void test_utf8_valid_rejects_overlongs(void **state)
{
	(void)state;
	assert_false(valid("\xC0\xAF"));            /* '/' in two bytes */
	assert_false(valid("\xC1\xBF"));
	assert_false(valid("\xC0\x80"));            /* "modified UTF-8" NUL */
	assert_false(valid("\xE0\x80\xAF"));        /* '/' in three bytes */
	assert_false(valid("\xE0\x9F\xBF"));        /* U+07FF in three bytes */
	assert_false(valid("\xF0\x80\x80\xAF"));    /* '/' in four bytes */
	assert_false(valid("\xF0\x8F\xBF\xBF"));    /* U+FFFF in four bytes */
}

static void test_utf8_valid_rejects_surrogates_and_range(void **state)
{
	(void)state;
	assert_false(valid("\xED\xA0\x80"));        /* U+D800 */
	assert_false(valid("\xED\xBF\xBF"));        /* U+DFFF */
	assert_false(valid("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair */
	assert_false(valid("\xF4\x90\x80\x80"));    /* U+110000 */
	assert_false(valid("\xF5\x80\x80\x80"));
	assert_false(valid("\xF8\x88\x80\x80\x80"));
	assert_false(valid("\xFE"));
	assert_false(valid("\xFF"));
}

static void test_utf8_valid_rejects_truncated_and_stray(void **state)
{
	(void)state;
	assert_false(valid("\xE4\xB8"));           /* 3-byte lead, 1 continuation */
	assert_false(valid("ok\xF0\x9F\x98"));      /* 4-byte lead, 2 continuations */
	assert_false(valid("\xC3"));
	assert_false(valid("\x80"));                /* lone continuation */
	assert_false(valid("a\xBF" "b"));
	assert_false(valid("\xE4\x41\x41"));        /* lead followed by ASCII */
	assert_false(valid("\xC3\xC3\xA9"));
	/* the length argument is the end: a whole "한" cut to 2 bytes is truncated */
	assert_true(text_utf8_valid("한", 3));
	assert_false(text_utf8_valid("한", 2));
}

static void test_utf8_valid_rejects_nul(void **state)
{
	(void)state;
	assert_false(text_utf8_valid("a\0b", 3));
	assert_false(text_utf8_valid("\0", 1));
	assert_true(text_utf8_valid("a\0b", 1));
}

static void test_utf8_length(void **state)
{
	(void)state;
	const char *ko = "안녕하세요";
	assert_int_equal(strlen(ko), 15);
	assert_int_equal(text_utf8_length(ko, strlen(ko)), 5);
	assert_int_equal(text_utf8_length("AI 시스템", strlen("AI 시스템")), 6);
	assert_int_equal(text_utf8_length("\xF0\x9F\x98\x80x", 5), 2);
	assert_int_equal(text_utf8_length("", 0), 0);
	assert_int_equal(text_utf8_length("abc", 3), 3);
}

static void test_trim(void **state)
{
	(void)state;
	struct {
		const char *in, *want;
	} cases[] = {
		{ "  a b \t\r\n", "a b" },
		{ "\n\v\f x", "x" },
		{ "x", "x" },
		{ "", "" },
		{ " \t\r\n ", "" },
		{ "  민원 상담  ", "민원 상담" },
		/* only ASCII whitespace: U+3000 IDEOGRAPHIC SPACE stays */
		{ "\xE3\x80\x80x", "\xE3\x80\x80x" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = text_trim_dup(cases[i].in);
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_parse_int64_ok(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(text_parse_int64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(text_parse_int64("-7", -10, 10, &v), 0);
	assert_true(v == -7);
	assert_int_equal(text_parse_int64("0", 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(text_parse_int64("10", 1, 10, &v), 0); /* inclusive max */
	assert_int_equal(v, 10);
	assert_int_equal(text_parse_int64("1", 1, 10, &v), 0);  /* inclusive min */
	assert_int_equal(v, 1);
	assert_int_equal(text_parse_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(text_parse_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	assert_true(v == INT64_MIN);
}

static void test_parse_int64_rejects(void **state)
{
	(void)state;
	const char *junk[] = { "", "12a", "a12", " 12", "12 ", "+5", "-", "--5", "1.5", "0x10",
			       "1e3", "١٢", "9223372036854775808", "-9223372036854775809",
			       "99999999999999999999999" };
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		int64_t v = 12345;
		assert_int_equal(text_parse_int64(junk[i], INT64_MIN, INT64_MAX, &v), AIMS_EINVAL);
		assert_int_equal(v, 12345); /* untouched on failure */
	}
	int64_t v = 12345;
	assert_int_equal(text_parse_int64(NULL, 0, 10, &v), AIMS_EINVAL);
	assert_int_equal(text_parse_int64("11", 1, 10, &v), AIMS_EINVAL);
	assert_int_equal(text_parse_int64("0", 1, 10, &v), AIMS_EINVAL);
	assert_int_equal(text_parse_int64("-1", 0, 10, &v), AIMS_EINVAL);
	assert_int_equal(v, 12345);
}

static void test_email_plausible(void **state)
{
	(void)state;
	const char *good[] = { "kim@example.go.kr", "a.b+tag@x.io", "x@y.z", "UPPER@Example.ORG" };
	const char *bad[] = { "", "kim", "@x.io", "kim@", "kim@x", "kim@.io", "kim@x.", "a@b@c.d",
			      "kim @x.io", "kim@x.io ", "<kim@x.io>", "a,b@x.io", "\"a\"@x.io",
			      "kim@x\n.io" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(text_email_plausible(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (text_email_plausible(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_ieq(void **state)
{
	(void)state;
	assert_true(text_ieq("Admin", "aDMIN"));
	assert_false(text_ieq("admin", "admins"));
}

/* ------------------------------------------------------------------ secret */

static int secret_setup(void **state)
{
	(void)state;
	return secret_init();
}

static bool base64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static void test_random_token(void **state)
{
	(void)state;
	char a[SECRET_TOKEN_CHARS + 1], b[SECRET_TOKEN_CHARS + 1];
	secret_random_token(a);
	secret_random_token(b);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strlen(b), 43);
	for (size_t i = 0; i < 43; i++)
		if (!base64url_char(a[i]) || !base64url_char(b[i]))
			fail_msg("not base64url: %s / %s", a, b);
	assert_string_not_equal(a, b);
}

static void test_random_password(void **state)
{
	(void)state;
	char p[21];
	secret_random_password(p);
	assert_int_equal(strlen(p), 20);
	/* no characters that are confused when read aloud or printed */
	assert_null(strpbrk(p, "0O1lI"));
	for (size_t i = 0; i < 20; i++)
		assert_true((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
			    (p[i] >= '2' && p[i] <= '9'));
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	char hex[SECRET_SHA256_HEX];
	secret_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	secret_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	secret_sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_password_hash_verify(void **state)
{
	(void)state;
	char hash[SECRET_PWHASH_MAX];
	assert_int_equal(secret_password_hash("correct horse 한국어", hash), 0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_null(strstr(hash, "correct horse"));
	assert_true(secret_password_verify(hash, "correct horse 한국어"));
	assert_false(secret_password_verify(hash, "correct horse 한국"));
	assert_false(secret_password_verify(hash, ""));
	assert_false(secret_password_verify("not a hash", "correct horse 한국어"));
}

static void test_secret_equal(void **state)
{
	(void)state;
	assert_true(secret_equal("abc", "abc"));
	assert_true(secret_equal("", ""));
	assert_false(secret_equal("abc", "abd"));
	assert_false(secret_equal("abc", "abcd"));
	assert_false(secret_equal("abcd", "abc"));
	assert_false(secret_equal("", "a"));
}

/* ------------------------------------------------------------------ err */

static void test_err_fields(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	assert_int_equal(err_set(&e, AIMS_ENOTFOUND, "no such %s", "thing"), AIMS_ENOTFOUND);
	assert_int_equal(e.code, AIMS_ENOTFOUND);
	assert_string_equal(e.message, "no such thing");
	assert_int_equal(err_field_count(&e), 0);
	err_field(&e, 0, "name", "is required");
	err_field(&e, 3, "lifecycle_stage", "must be one of %s", "a, b");
	assert_int_equal(e.code, AIMS_EINVAL);
	assert_int_equal(err_field_count(&e), 2);
	json_t *first = json_array_get(e.fields, 0), *second = json_array_get(e.fields, 1);
	assert_null(json_object_get(first, "line")); /* line 0: not about a file line */
	assert_string_equal(json_string_value(json_object_get(first, "field")), "name");
	assert_int_equal(json_integer_value(json_object_get(second, "line")), 3);
	assert_string_equal(json_string_value(json_object_get(second, "message")), "must be one of a, b");
	assert_string_equal(e.message, "2 fields are invalid");
	err_release(&e);
	assert_null(e.fields);
	assert_int_equal(e.code, 0);
	assert_int_equal(err_field_count(&e), 0);
	/* NULL is accepted everywhere */
	assert_int_equal(err_set(NULL, AIMS_EIO, "x"), AIMS_EIO);
	err_field(NULL, 0, "x", "y");
	assert_int_equal(err_field_count(NULL), 0);
	err_release(NULL);
	/* long messages are truncated, never overflowed */
	char huge[2000];
	memset(huge, 'm', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	err_set(&e, AIMS_EIO, "%s", huge);
	assert_int_equal(strlen(e.message), sizeof e.message - 1);
	err_release(&e);
}

static void test_err_code_names(void **state)
{
	(void)state;
	assert_string_equal(err_code_name(AIMS_ENOTFOUND), "not found");
	assert_string_equal(err_code_name(AIMS_ETHROTTLED), "too many attempts");
	assert_string_equal(err_code_name(AIMS_OK), "ok");
	assert_string_equal(err_code_name(-999), "error");
}

int main(void)
{
	const struct CMUnitTest buf_tests[] = {
		cmocka_unit_test(test_buf_starts_empty),
		cmocka_unit_test(test_buf_add_and_terminate),
		cmocka_unit_test(test_buf_limit_exact_fit_then_overflow),
		cmocka_unit_test(test_buf_overflow_leaves_buffer_unchanged),
		cmocka_unit_test(test_buf_addf_small_and_large),
		cmocka_unit_test(test_buf_addf_over_limit_unchanged),
		cmocka_unit_test(test_buf_add_html_escapes),
		cmocka_unit_test(test_buf_add_html_overflow_leaves_buffer_unchanged),
		cmocka_unit_test(test_buf_detach),
	};
	const struct CMUnitTest text_tests[] = {
		cmocka_unit_test(test_utf8_valid_accepts),
		cmocka_unit_test(test_utf8_valid_rejects_overlongs),
		cmocka_unit_test(test_utf8_valid_rejects_surrogates_and_range),
		cmocka_unit_test(test_utf8_valid_rejects_truncated_and_stray),
		cmocka_unit_test(test_utf8_valid_rejects_nul),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_parse_int64_ok),
		cmocka_unit_test(test_parse_int64_rejects),
		cmocka_unit_test(test_email_plausible),
		cmocka_unit_test(test_ieq),
	};
	const struct CMUnitTest secret_tests[] = {
		cmocka_unit_test(test_random_token),
		cmocka_unit_test(test_random_password),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test(test_secret_equal),
	};
	const struct CMUnitTest err_tests[] = {
		cmocka_unit_test(test_err_fields),
		cmocka_unit_test(test_err_code_names),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("buf", buf_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("text", text_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("secret", secret_tests, secret_setup, NULL);
	failed += cmocka_run_group_tests_name("err", err_tests, NULL, NULL);
	return failed ? 1 : 0;
}
