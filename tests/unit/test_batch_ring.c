/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_batch_ring.c - batches handed from a producer to a consumer
 * (src/cli/batch_ring.c): read in the order handed over, free ones filled
 * last given back first (so a consumer that keeps up keeps the producer
 * on the same few batches), offers refused when none is free, the end's
 * status after the last batch, and a stopped consumer releasing a waiting
 * producer.
 *
 *   producer:  filling --publish/offer--> full_at[] (oldest first)
 *              free_at[] (last given back on top) <--give_back-- consumer
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeping_up_reuses_two_batches),
		cmocka_unit_test(test_order_kept),
		cmocka_unit_test(test_offer_refused_when_full),
		cmocka_unit_test(test_offer_unless_busy),
		cmocka_unit_test(test_end_after_last_batch),
		cmocka_unit_test(test_stop_releases_producer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
