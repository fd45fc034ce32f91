/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pool.c - spare objects (fc_pool): the newest spare comes back
 * first, a period's unused spares are freed by fc_pool_trim and those it
 * used are kept, fc_pool_drain frees all.
 *
 *   put 10 -> trim (none unused yet: the period had 0 at its lowest)
 *   get 3, put 3 -> trim frees 7 (never below 7 spares) -> trim frees 3
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fc_pool.h"

static void test_reuse(void **state)
{
	struct fc_pool p;
	void *a, *b, *c;

	(void)state;
	fc_pool_init(&p, 3); /* smaller than a pointer: raised to one */
	assert_true(p.size == sizeof(void *));
	a = fc_pool_get(&p);
	b = fc_pool_get(&p);
	assert_non_null(a);
	assert_non_null(b);
	fc_pool_put(&p, a);
	fc_pool_put(&p, b);
	fc_pool_put(&p, NULL); /* nothing to give back */
	assert_int_equal(p.nfree, FC_POOL_KEEP ? 2 : 0);
	c = fc_pool_get(&p);
	if (FC_POOL_KEEP)
		assert_ptr_equal(c, b); /* the newest spare first */
	fc_pool_put(&p, c);
	fc_pool_drain(&p);
	assert_int_equal(p.nfree, 0);
	assert_null(p.free);
}

static void test_trim_gives_back_the_unused(void **state)
{
	struct fc_pool p;
	void *o[10];

	(void)state;
	if (!FC_POOL_KEEP) /* sanitizer build: nothing is kept */
		return;
	fc_pool_init(&p, 64);
	for (int i = 0; i < 10; i++)
		o[i] = fc_pool_get(&p);
	for (int i = 0; i < 10; i++)
		fc_pool_put(&p, o[i]);
	fc_pool_trim(&p); /* the period began with none spare */
	assert_int_equal(p.nfree, 10);
	for (int i = 0; i < 3; i++)
		o[i] = fc_pool_get(&p);
	assert_int_equal(p.low, 7);
	for (int i = 0; i < 3; i++)
		fc_pool_put(&p, o[i]);
	fc_pool_trim(&p); /* 7 were never needed */
	assert_int_equal(p.nfree, 3);
	assert_int_equal(p.low, 3);
	fc_pool_trim(&p); /* a period with no use: the rest go */
	assert_int_equal(p.nfree, 0);
	assert_null(p.free);
	o[0] = fc_pool_get(&p); /* empty: malloc's */
	assert_non_null(o[0]);
	fc_pool_put(&p, o[0]);
	fc_pool_drain(&p);
	assert_int_equal(p.nfree, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_trim_gives_back_the_unused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
