/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pool.c - objects carved from blocks (fc_pool): distinct, aligned
 * and writable objects; a freed object comes back first; a block is
 * given back when its last object is, except the pool's only block with
 * room; fc_pool_drain frees what is left. Objects put go to the pool's
 * cache first (LIFO, still counted by their blocks): a full cache gives
 * its older half back, fc_pool_flush all of it, drain forgets it.
 *
 *   3 blocks' worth of objects -> 3 blocks; all back and flushed ->
 *   1 block kept; drain -> 0
 *
 * fc_table_alloc: zeroed and writable tables, small ones from calloc,
 * from 4 MiB on 2 MiB aligned and eligible for huge pages (smaps says
 * so, unless the system turned them off); a size that overflows is
 * refused.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>

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
	/* An object costs its size: no word beside it names its block
	 * (a block's header is well under 64 bytes). */
	assert_true(p.per_block >= (FC_POOL_BLOCK - 64) / 200);
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
	fc_pool_flush(&p);
	assert_int_equal(p.nblocks, 3);
	/* The rest back: blocks go as they empty, but for the last one. */
	for (uint32_t i = 0; i < n; i++)
		if (i % p.per_block)
			fc_pool_put(&p, o[i]);
	fc_pool_flush(&p);
	assert_int_equal(p.ncache, 0);
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

/* An object whose size is a multiple of a cache line lies on whole
 * lines: a 64-byte one is one line, not the halves of two. */
static void test_objects_on_lines(void **state)
{
	static const size_t sizes[] = { 64, 128, 192 };

	(void)state;
	if (DIRECT) /* sanitizer build: malloc's alignment */
		return;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct fc_pool p;
		uint32_t n;
		void **o;

		fc_pool_init(&p, sizes[k]);
		n = 2 * p.per_block + 1; /* three blocks */
		o = calloc(n, sizeof(*o));
		assert_non_null(o);
		for (uint32_t i = 0; i < n; i++) {
			o[i] = fc_pool_get(&p);
			assert_non_null(o[i]);
			assert_int_equal((uintptr_t)o[i] % 64, 0);
		}
		assert_true(p.per_block >= (FC_POOL_BLOCK - 64) / sizes[k]);
		fc_pool_drain(&p);
		free(o);
	}
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
	fc_pool_flush(&p);
	fc_pool_flush(&q);
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
	fc_pool_flush(&p);
	fc_pool_flush(&q);
	assert_int_equal(p.nblocks, 1);
	assert_int_equal(q.nblocks, 1);
	fc_pool_drain(&p);
	fc_pool_drain(&q);
	free(o);
}

/* 4096-byte objects: 3 a block, so a few objects fill and empty blocks. */
enum { BIG = 4096 };

/* Objects put come back newest first, without their blocks hearing of
 * it: a block whose objects are all in the cache is still there. */
static void test_cache_lifo(void **state)
{
	struct fc_pool p;
	void *o[6];

	(void)state;
	if (DIRECT) /* sanitizer build: no cache */
		return;
	fc_pool_init(&p, BIG);
	assert_int_equal(p.per_block, 3);
	for (int i = 0; i < 6; i++)
		o[i] = fc_pool_get(&p);
	assert_int_equal(p.nblocks, 2);
	/* The first block's three back: in the cache, the block kept. */
	fc_pool_put(&p, o[0]);
	fc_pool_put(&p, o[1]);
	fc_pool_put(&p, o[2]);
	assert_int_equal(p.ncache, 3);
	assert_int_equal(p.nblocks, 2);
	assert_ptr_equal(fc_pool_get(&p), o[2]);
	assert_ptr_equal(fc_pool_get(&p), o[1]);
	fc_pool_put(&p, o[5]);
	assert_ptr_equal(fc_pool_get(&p), o[5]);
	assert_ptr_equal(fc_pool_get(&p), o[0]);
	assert_int_equal(p.ncache, 0);
	/* Cache empty: the next comes from a block, a new one (both full). */
	assert_non_null(fc_pool_get(&p));
	assert_int_equal(p.nblocks, 3);
	fc_pool_drain(&p);
}

/* A put to a full cache gives its older half back to their blocks, in
 * the order they came: whole blocks among them are freed (but for the
 * only one with room), the newer half stays cached and comes back
 * first, and every object still in use keeps its bytes. */
static void test_cache_batch(void **state)
{
	enum { N = 3 * (FC_POOL_CACHE + 3) };
	const uint32_t half = FC_POOL_CACHE / 2;
	struct fc_pool p;
	unsigned char **o;

	(void)state;
	if (DIRECT)
		return;
	fc_pool_init(&p, BIG);
	o = calloc(N, sizeof(*o));
	assert_non_null(o);
	for (uint32_t i = 0; i < N; i++) { /* every block full */
		o[i] = fc_pool_get(&p);
		memset(o[i], (int)i, BIG);
	}
	assert_int_equal(p.nblocks, N / 3);
	for (uint32_t i = 0; i < FC_POOL_CACHE; i++)
		fc_pool_put(&p, o[i]);
	assert_int_equal(p.ncache, FC_POOL_CACHE);
	assert_int_equal(p.nblocks, N / 3); /* nothing given back yet */
	/* One more: o[0 .. half - 1] go back. Of the half / 3 blocks they
	 * empty, the first stays (the only one with room then). */
	fc_pool_put(&p, o[FC_POOL_CACHE]);
	assert_int_equal(p.ncache, FC_POOL_CACHE - half + 1);
	assert_int_equal(p.nblocks, N / 3 - (half / 3 - 1));
	for (uint32_t i = FC_POOL_CACHE + 1; i < N; i++) {
		assert_int_equal(o[i][0], (unsigned char)i);
		assert_int_equal(o[i][BIG - 1], (unsigned char)i);
	}
	/* The cache still holds the newer ones, newest first. */
	for (uint32_t i = FC_POOL_CACHE + 1; i-- > half;)
		assert_ptr_equal(fc_pool_get(&p), o[i]);
	assert_int_equal(p.ncache, 0);
	/* Then the blocks' free objects: o[half - 1], the last given
	 * back, to the block now first with room. */
	assert_ptr_equal(fc_pool_get(&p), o[half - 1]);
	fc_pool_drain(&p);
	free(o);
}

/* A block goes only once every object of it is really given back:
 * cached objects keep it; fc_pool_flush gives them back. */
static void test_cache_flush(void **state)
{
	struct fc_pool p;
	void *o[4];

	(void)state;
	if (DIRECT)
		return;
	fc_pool_init(&p, BIG);
	for (int i = 0; i < 4; i++) /* block A full, B with room */
		o[i] = fc_pool_get(&p);
	assert_int_equal(p.nblocks, 2);
	for (int i = 0; i < 3; i++)
		fc_pool_put(&p, o[i]);
	assert_int_equal(p.nblocks, 2);
	fc_pool_flush(&p);
	assert_int_equal(p.ncache, 0);
	assert_int_equal(p.nblocks, 1); /* A empty, B still has room */
	fc_pool_flush(&p); /* nothing cached: nothing happens */
	assert_int_equal(p.nblocks, 1);
	/* B's last object: the only block with room, kept. */
	fc_pool_put(&p, o[3]);
	fc_pool_flush(&p);
	assert_int_equal(p.nblocks, 1);
	/* Its object comes back from the block now. */
	assert_ptr_equal(fc_pool_get(&p), o[3]);
	fc_pool_drain(&p);
}

/* Drain with objects in the cache: their blocks are freed with the
 * rest and the cache forgotten, so no later get hands out freed
 * memory; the pool starts again from a new block. */
static void test_cache_drain(void **state)
{
	struct fc_pool p;
	void *o[5];
	unsigned char *n;

	(void)state;
	fc_pool_init(&p, BIG);
	for (int i = 0; i < 5; i++)
		o[i] = fc_pool_get(&p);
	for (int i = 0; i < 4; i++)
		fc_pool_put(&p, o[i]);
	if (DIRECT) /* objects are malloc's: drain frees none */
		fc_pool_put(&p, o[4]);
	fc_pool_drain(&p); /* o[4] still in use: freed too */
	assert_int_equal(p.nblocks, 0);
	assert_int_equal(p.ncache, 0);
	n = fc_pool_get(&p);
	assert_non_null(n);
	memset(n, 0x5a, BIG);
	if (!DIRECT)
		assert_int_equal(p.nblocks, 1);
	fc_pool_put(&p, n);
	fc_pool_drain(&p);
	assert_int_equal(p.nblocks, 0);
}

/* The "THPeligible" line of /proc/self/smaps for the mapping holding p:
 * 1 or 0, -1 when not found. */
static int thp_eligible(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	bool in = false;
	int v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && sscanf(line, "THPeligible: %d", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

/* Are huge pages on for madvised memory ("always" or "madvise")? */
static bool thp_on(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128] = "";

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return !strstr(line, "[never]") && line[0];
}

/* The 4 KiB pages of [t, t + bytes) in memory now (mincore); t page
 * aligned. */
static size_t resident_pages(const void *t, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (bytes + page - 1) / page, in = 0;
	unsigned char *v = malloc(n);

	assert_non_null(v);
	assert_int_equal(mincore((void *)(uintptr_t)t, bytes, v), 0);
	for (size_t i = 0; i < n; i++)
		in += v[i] & 1;
	free(v);
	return in;
}

static void test_tables(void **state)
{
	static const size_t n[] = { 1000, 4096, 32768, 65536, 81921, 98304 }; /* x 64 bytes */

	(void)state;
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		size_t bytes = n[i] * 64;
		unsigned char *t = fc_table_alloc(n[i], 64);
		size_t nonzero = 0;

		assert_non_null(t);
		/* Filled in by the call: resident before any of it is read
		 * or written (calloc's fresh mapping has no page yet). */
		if (bytes >= FC_TABLE_FILLED && bytes < FC_TABLE_HUGE && !DIRECT) {
			size_t page = (size_t)sysconf(_SC_PAGESIZE);

			assert_int_equal((uintptr_t)t % page, 0);
			assert_int_equal(resident_pages(t, bytes), (bytes + page - 1) / page);
		}
		for (size_t k = 0; k < bytes; k++)
			nonzero += t[k] != 0;
		assert_int_equal(nonzero, 0);
		memset(t, 0xa5, bytes);
		assert_int_equal(t[bytes - 1], 0xa5);
		if (bytes >= (4u << 20) && !DIRECT) {
			assert_int_equal((uintptr_t)t % (2u << 20), 0);
			assert_int_equal(thp_eligible(t), thp_on() ? 1 : 0);
		}
		fc_table_free(t, n[i], 64);
	}
	assert_null(fc_table_alloc(SIZE_MAX / 2 + 1, 4));
	assert_null(fc_table_alloc(SIZE_MAX / 64, 64)); /* no room for the alignment */
	fc_table_free(NULL, 0, 64);
	fc_table_free(NULL, 65536, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_blocks_given_back),
		cmocka_unit_test(test_objects_on_lines),
		cmocka_unit_test(test_many_blocks),
		cmocka_unit_test(test_cache_lifo),
		cmocka_unit_test(test_cache_batch),
		cmocka_unit_test(test_cache_flush),
		cmocka_unit_test(test_cache_drain),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
