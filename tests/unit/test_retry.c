/*
 * test_retry.c: the retry rule of the use cases (svc_retry in svc/common.c): which
 * results run a use case again, how often at most, and that each new run starts
 * with an empty error. The rule meeting real serialisation failures is tested by
 * tests/api/multi.mjs on PostgreSQL, where it fails when the rule is switched off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svc/internal.h"

static void test_only_retry_is_retried(void **state)
{
	(void)state;
	const int others[] = { 0, AIMS_EINVAL, AIMS_ECONFLICT, AIMS_ENOTFOUND, AIMS_ESTORE, AIMS_ETHROTTLED };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		struct err e = ERR_INIT;
		int attempt = 0;
		err_set(&e, others[i], "kept");
		assert_false(svc_retry(others[i], &attempt, &e));
		assert_int_equal(attempt, 0);
		assert_string_equal(e.message, "kept");
		err_release(&e);
	}
}

static void test_retry_is_bounded_and_clears_the_error(void **state)
{
	(void)state;
	struct err e = ERR_INIT;
	int attempt = 0, runs = 1;
	for (;;) {
		err_field(&e, 0, "name", "left over from the failed run");
		err_set(&e, AIMS_ERETRY, "a concurrent change got in the way");
		if (!svc_retry(AIMS_ERETRY, &attempt, &e))
			break;
		runs++;
		/* a new run starts clean: no message, no field errors */
		assert_int_equal(e.code, 0);
		assert_string_equal(e.message, "");
		assert_int_equal(err_field_count(&e), 0);
	}
	assert_int_equal(runs, SVC_TX_ATTEMPTS);
	/* the last failure is kept for the caller */
	assert_int_equal(e.code, AIMS_ERETRY);
	assert_int_equal(err_field_count(&e), 1);
	err_release(&e);
}

static void test_retry_without_err(void **state)
{
	(void)state;
	int attempt = 0;
	assert_true(svc_retry(AIMS_ERETRY, &attempt, NULL));
	assert_int_equal(attempt, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_retry_is_retried),
		cmocka_unit_test(test_retry_is_bounded_and_clears_the_error),
		cmocka_unit_test(test_retry_without_err),
	};
	return cmocka_run_group_tests_name("retry", tests, NULL, NULL);
}
