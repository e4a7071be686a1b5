/*
 * test_json_write.c: base/json_write.c must produce exactly what jansson's own encoder
 * produces (json_dumps with JSON_COMPACT | JSON_ENCODE_ANY), which is the reference:
 * the encoder exists only for speed. Values cover every type, escapes, every control
 * byte, Korean and 4-byte UTF-8, nesting, big integers and reals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/json_write.h"

#include <stdlib.h>
#include <string.h>

static void assert_same_as_jansson(json_t *v)
{
	struct buf b = BUF_INIT(1 << 20);
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_non_null(want);
	assert_int_equal(json_write(&b, v), 0);
	assert_string_equal(buf_str(&b), want);
	free(want);
	buf_release(&b);
	json_decref(v);
}

static void test_scalars(void **state)
{
	(void)state;
	assert_same_as_jansson(json_null());
	assert_same_as_jansson(json_true());
	assert_same_as_jansson(json_false());
	assert_same_as_jansson(json_integer(0));
	assert_same_as_jansson(json_integer(-42));
	assert_same_as_jansson(json_integer(INT64_MAX));
	assert_same_as_jansson(json_integer(INT64_MIN));
	assert_same_as_jansson(json_real(1.5));
	assert_same_as_jansson(json_real(3.0));
	assert_same_as_jansson(json_real(-0.1));
	assert_same_as_jansson(json_real(1e300));
	assert_same_as_jansson(json_real(6.02214076e23));
	assert_same_as_jansson(json_real(1e-5));
	assert_same_as_jansson(json_real(-2.5e-300));
	assert_same_as_jansson(json_real(123456789012345678.0));
}

static void test_strings(void **state)
{
	(void)state;
	assert_same_as_jansson(json_string(""));
	assert_same_as_jansson(json_string("plain ascii / slash"));
	assert_same_as_jansson(json_string("quote \" backslash \\ tab \t newline \n cr \r bs \b ff \f"));
	assert_same_as_jansson(json_string("한빛특별시 민원 상담 챗봇 · AI 시스템"));
	assert_same_as_jansson(json_string("emoji \xF0\x9F\x98\x80 and \xE2\x80\xA8 line separator"));
	assert_same_as_jansson(json_string("<script>alert('x')</script>&"));
	char controls[40];
	for (int i = 1; i < 32; i++)
		controls[i - 1] = (char)i;
	controls[31] = 0x7f;
	controls[32] = '\0';
	assert_same_as_jansson(json_string(controls));
}

static void test_containers(void **state)
{
	(void)state;
	assert_same_as_jansson(json_array());
	assert_same_as_jansson(json_object());
	assert_same_as_jansson(json_pack("{s:[i,s,{s:n}],s:{s:b,s:f},s:[]}", "a", 1, "두", "x", "y", "k\"ey", 1,
					 "r", 2.5, "e"));
	json_t *deep = json_array();
	json_t *cur = deep;
	for (int i = 0; i < 50; i++) {
		json_t *next = json_array();
		json_array_append_new(cur, next);
		cur = next;
	}
	assert_same_as_jansson(deep);
}

static void test_limit(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(8);
	json_t *v = json_string("longer than eight bytes");
	assert_int_equal(json_write(&b, v), AIMS_ETOOBIG);
	json_decref(v);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_limit),
	};
	return cmocka_run_group_tests_name("json_write", tests, NULL, NULL);
}
