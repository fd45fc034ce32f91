/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pool.c - objects carved from blocks (fc_pool): distinct, aligned
 * and writable objects; a freed object comes back first; a block is
 * given back when its last object is, except the pool's only block with
 * room; fc_pool_drain frees what is left.
 *
 *   3 blocks' worth of objects -> 3 blocks; all back -> 1 block kept;
 *   drain -> 0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fc_pool.h"

#if defined(__SANITIZE_ADDRESS__)
#define DIRECT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DIRECT 1
#endif
#endif
#ifndef DIRECT
#define DIRECT 0
#endif

static void test_objects(void **state)
{
	struct fc_pool p;
	void *a, *b, *c;

	(void)state;
	fc_pool_init(&p, 3); /* rounded up to 8 */
	assert_int_equal(p.size, 8);
	fc_pool_init(&p, 184);
	assert_int_equal(p.size, 184);
	a = fc_pool_get(&p);
	b = fc_pool_get(&p);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a != b);
	assert_int_equal((uintptr_t)a % 8, 0);
	memset(a, 0x11, 184);
	memset(b, 0x22, 184);
	assert_int_equal(((unsigned char *)a)[183], 0x11); /* no overlap */
	fc_pool_put(&p, a);
	fc_pool_put(&p, NULL); /* nothing to give back */
	c = fc_pool_get(&p);
	if (!DIRECT)
		assert_ptr_equal(c, a); /* the freed one first */
	fc_pool_put(&p, b);
	fc_pool_put(&p, c);
	fc_pool_drain(&p);
	assert_int_equal(p.nblocks, 0);
}

static void test_blocks_given_back(void **state)
{
	struct fc_pool p;
	void **o;
	uint32_t n;

	(void)state;
	if (DIRECT) /* sanitizer build: no blocks */
		return;
	fc_pool_init(&p, 200);
	n = 3 * p.per_block;
	o = calloc(n, sizeof(*o));
	assert_non_null(o);
	for (uint32_t i = 0; i < n; i++) {
		o[i] = fc_pool_get(&p);
		assert_non_null(o[i]);
		memset(o[i], (int)i, 200);
	}
	assert_int_equal(p.nblocks, 3);
	for (uint32_t i = 0; i < n; i++) /* every object kept its bytes */
		assert_int_equal(((unsigned char *)o[i])[199], (unsigned char)i);
	/* One object of each block back: no block empties. */
	for (uint32_t i = 0; i < n; i += p.per_block)
		fc_pool_put(&p, o[i]);
	assert_int_equal(p.nblocks, 3);
	/* The rest back: blocks go as they empty, but for the last one. */
	for (uint32_t i = 0; i < n; i++)
		if (i % p.per_block)
			fc_pool_put(&p, o[i]);
	assert_int_equal(p.nblocks, 1);
	/* That block serves the next objects. */
	for (uint32_t i = 0; i < p.per_block; i++)
		o[i] = fc_pool_get(&p);
	assert_int_equal(p.nblocks, 1);
	o[p.per_block] = fc_pool_get(&p); /* one more: a new block */
	assert_int_equal(p.nblocks, 2);
	/* Objects still in use: drain frees their blocks too. */
	fc_pool_drain(&p);
	assert_int_equal(p.nblocks, 0);
	free(o);
}

/* Many blocks, from several of the 2 MiB chunks blocks are cut from,
 * two pools sharing them: every object keeps its bytes while others
 * come and go, chunks that empty are given back (a wrong unmap or a
 * block handed out twice shows as a crash or as changed bytes). */
static void test_many_blocks(void **state)
{
	struct fc_pool p, q;
	enum { N = 1500 }; /* 4096-byte objects, 3 a block: 500 blocks */
	unsigned char **o;

	(void)state;
	if (DIRECT)
		return;
	fc_pool_init(&p, 4096);
	fc_pool_init(&q, 4096);
	o = calloc(N, sizeof(*o));
	assert_non_null(o);
	for (uint32_t i = 0; i < N; i++) {
		o[i] = fc_pool_get(i % 2 ? &q : &p);
		assert_non_null(o[i]);
		memset(o[i], (int)(i * 7), 4096);
	}
	assert_int_equal(p.nblocks + q.nblocks, N / 3);
	/* Give back the first two thirds, in blocks of whole chunks. */
	for (uint32_t i = 0; i < 2 * N / 3; i++) {
		fc_pool_put(i % 2 ? &q : &p, o[i]);
		o[i] = NULL;
	}
	for (uint32_t i = 2 * N / 3; i < N; i++) {
		assert_int_equal(o[i][0], (unsigned char)(i * 7));
		assert_int_equal(o[i][4095], (unsigned char)(i * 7));
	}
	/* And take them again: the memory is usable, the rest intact. */
	for (uint32_t i = 0; i < 2 * N / 3; i++) {
		o[i] = fc_pool_get(i % 2 ? &q : &p);
		assert_non_null(o[i]);
		memset(o[i], (int)(i * 7), 4096);
	}
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(o[i][2048], (unsigned char)(i * 7));
	for (uint32_t i = 0; i < N; i++)
		fc_pool_put(i % 2 ? &q : &p, o[i]);
	assert_int_equal(p.nblocks, 1);
	assert_int_equal(q.nblocks, 1);
	fc_pool_drain(&p);
	fc_pool_drain(&q);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_blocks_given_back),
		cmocka_unit_test(test_many_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
