/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_batch_ring.c - batches handed from a producer to a consumer
 * (src/cli/batch_ring.c): read in the order handed over, free ones filled
 * last given back first (so a consumer that keeps up keeps the producer
 * on the same few batches), offers refused when none is free, the end's
 * status after the last batch, a stopped consumer releasing a waiting
 * producer, and batches made resident ahead of the producer
 * (batch_ring_warm) handed to it before any never touched.
 *
 *   producer:  filling --publish/offer--> full_at[] (oldest first)
 *              free_at[] (last given back on top) <--give_back-- consumer
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/cli/batch_ring.h"

#define SIZE 64

/* Put `tag` in the filling batch as its only content. */
static struct ring_batch *fill(struct batch_ring *r, unsigned char tag)
{
	struct ring_batch *b = batch_ring_filling(r);

	b->bytes[0] = tag;
	b->len = 1;
	return b;
}

/* Take the next batch, check its tag, give it back. */
static void take_tag(struct batch_ring *r, unsigned char tag)
{
	int status = -1;
	struct ring_batch *b = batch_ring_take(r, 0, &status);

	assert_non_null(b);
	assert_int_equal(b->len, 1);
	assert_int_equal(b->bytes[0], tag);
	batch_ring_give_back(r);
}

/* A consumer that takes each batch before the next is handed over keeps
 * the producer on two batches of the eight; the other six are never
 * filled. */
static void test_keeping_up_reuses_two_batches(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 8);
	unsigned char *seen[8];
	unsigned nseen = 0;

	(void)state;
	assert_non_null(r);
	for (int i = 0; i < 100; i++) {
		struct ring_batch *b = fill(r, (unsigned char)i);
		unsigned k;

		for (k = 0; k < nseen && seen[k] != b->bytes; k++)
			;
		if (k == nseen) {
			assert_true(nseen < 8);
			seen[nseen++] = b->bytes;
		}
		assert_true(batch_ring_offer(r, false));
		take_tag(r, (unsigned char)i);
	}
	assert_int_equal(nseen, 2);
	batch_ring_free(r);
}

/* Batches are read in the order handed over, also after some were given
 * back out of the order they were first filled in. */
static void test_order_kept(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 4);

	(void)state;
	assert_non_null(r);
	fill(r, 1);
	assert_true(batch_ring_publish(r));
	fill(r, 2);
	assert_true(batch_ring_publish(r));
	take_tag(r, 1);
	fill(r, 3);
	assert_true(batch_ring_publish(r));
	fill(r, 4);
	assert_true(batch_ring_publish(r));
	take_tag(r, 2);
	take_tag(r, 3);
	fill(r, 5);
	assert_true(batch_ring_publish(r));
	take_tag(r, 4);
	take_tag(r, 5);
	batch_ring_free(r);
}

/* With every other batch full, an offer is refused and the filling batch
 * keeps what it has; once one is given back, the offer goes through. */
static void test_offer_refused_when_full(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 3);
	struct ring_batch *b;

	(void)state;
	assert_non_null(r);
	fill(r, 1);
	assert_true(batch_ring_offer(r, false));
	fill(r, 2);
	assert_true(batch_ring_offer(r, false));
	b = fill(r, 3);
	assert_false(batch_ring_offer(r, false));
	assert_ptr_equal(batch_ring_filling(r), b);
	assert_int_equal(b->len, 1);
	take_tag(r, 1);
	assert_true(batch_ring_offer(r, false));
	take_tag(r, 2);
	take_tag(r, 3);
	batch_ring_free(r);
}

/* `unless_busy`: while the consumer has a batch to read, the filling one
 * is kept (it fills up under load); an empty one is never handed over. */
static void test_offer_unless_busy(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 4);
	int status = -1;

	(void)state;
	assert_non_null(r);
	assert_true(batch_ring_offer(r, false)); /* empty: nothing handed */
	assert_null(batch_ring_take(r, 0, &status));
	fill(r, 1);
	assert_true(batch_ring_offer(r, true));
	fill(r, 2);
	assert_true(batch_ring_offer(r, true)); /* 1 unread: 2 is kept */
	assert_int_equal(batch_ring_filling(r)->bytes[0], 2);
	take_tag(r, 1);
	assert_true(batch_ring_offer(r, true));
	take_tag(r, 2);
	batch_ring_free(r);
}

/* The end hands over the last batch; its status comes after it. */
static void test_end_after_last_batch(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 2);
	int status = 0;

	(void)state;
	assert_non_null(r);
	fill(r, 7);
	batch_ring_end(r, -5);
	take_tag(r, 7);
	assert_null(batch_ring_take(r, -1, &status));
	assert_int_equal(status, -5);
	batch_ring_free(r);
}

static void *publish_three(void *arg)
{
	struct batch_ring *r = arg;
	bool go_on = true;

	for (int i = 0; i < 3 && go_on; i++) {
		fill(r, (unsigned char)i);
		go_on = batch_ring_publish(r);
	}
	return (void *)(size_t)go_on;
}

/* A producer waiting for a free batch wakes with false when the consumer
 * stops. */
static void test_stop_releases_producer(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 2);
	pthread_t t;
	void *go_on = (void *)1;

	(void)state;
	assert_non_null(r);
	assert_int_equal(pthread_create(&t, NULL, publish_three, r), 0);
	batch_ring_stop(r);
	assert_int_equal(pthread_join(t, &go_on), 0);
	assert_null(go_on);
	batch_ring_free(r);
}

/* Of the whole pages inside [p, p + len), how many are in memory, and
 * how many there are (mincore). */
static size_t resident(const unsigned char *p, size_t len, size_t *pages)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t to = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
	size_t n = (to - from) / page, in = 0;
	unsigned char *v = malloc(n ? n : 1);

	assert_non_null(v);
	assert_true(to > from);
	assert_int_equal(mincore((void *)from, to - from, v), 0);
	for (size_t i = 0; i < n; i++)
		in += v[i] & 1;
	free(v);
	*pages = n;
	return in;
}

#define BIG ((size_t)2 << 20)

/* A reserve of three: three never-filled batches are made resident, no
 * more; the producer is then handed those three, whole in memory before
 * it writes a byte, and only after them one never touched (no page in
 * memory yet: what a capture thread would have to fault in). */
static void test_warm_reserve(void **state)
{
	struct batch_ring *r = batch_ring_new(BIG, 8);
	size_t pages, in;

	(void)state;
	assert_non_null(r);
	/* The filling batch and three free ones, made resident at once. */
	batch_ring_reserve(r, 3);
	in = resident(batch_ring_filling(r)->bytes, BIG, &pages);
	assert_int_equal(in, pages);
	assert_false(batch_ring_warm(r));
	fill(r, 0);
	for (int i = 1; i <= 4; i++) {
		struct ring_batch *b;

		assert_true(batch_ring_offer(r, false));
		b = batch_ring_filling(r);
		in = resident(b->bytes, BIG, &pages);
		if (i <= 3)
			assert_int_equal(in, pages);
		else
			assert_int_equal(in, 0);
		fill(r, (unsigned char)i);
	}
	/* Four batches await the consumer, the fifth is being filled; the
	 * reserve is empty, so a call warms one again. */
	assert_true(batch_ring_warm(r));
	for (int i = 0; i < 4; i++)
		take_tag(r, (unsigned char)i);
	/* Given back, those four are free and filled before: enough. */
	assert_false(batch_ring_warm(r));
	batch_ring_free(r);
}

/* Warming is bounded: nothing without a reserve, never more than the
 * batches never filled, nothing once the consumer stopped; and a batch
 * it made resident is handed to the producer like any other. */
static void test_warm_bounded(void **state)
{
	struct batch_ring *r = batch_ring_new(SIZE, 3);

	(void)state;
	assert_non_null(r);
	assert_false(batch_ring_warm(r)); /* no reserve: nothing warmed */
	batch_ring_reserve(r, 5); /* both cold ones warmed, then no more */
	assert_false(batch_ring_warm(r));
	fill(r, 1);
	assert_true(batch_ring_offer(r, false));
	fill(r, 2);
	assert_true(batch_ring_offer(r, false));
	fill(r, 3);
	assert_false(batch_ring_offer(r, false));
	take_tag(r, 1);
	take_tag(r, 2);
	batch_ring_free(r);

	r = batch_ring_new(SIZE, 4);
	assert_non_null(r);
	batch_ring_stop(r);
	batch_ring_reserve(r, 2);
	assert_false(batch_ring_warm(r));
	batch_ring_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeping_up_reuses_two_batches),
		cmocka_unit_test(test_order_kept),
		cmocka_unit_test(test_offer_refused_when_full),
		cmocka_unit_test(test_offer_unless_busy),
		cmocka_unit_test(test_end_after_last_batch),
		cmocka_unit_test(test_stop_releases_producer),
		cmocka_unit_test(test_warm_reserve),
		cmocka_unit_test(test_warm_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
