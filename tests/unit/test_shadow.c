/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_shadow.c - walkers under other length adjustments (fc_shadow). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fc_describe.h"
#include "fc_shadow.h"

/* Frames whose length field says strlen(text) + extra, little-endian. */
static size_t put_frames(uint8_t *b, const char *const *texts, int n, int extra)
{
	size_t at = 0;

	for (int i = 0; i < n; i++) {
		uint32_t v = (uint32_t)((int)strlen(texts[i]) + extra);
		for (int k = 0; k < 4; k++)
			b[at++] = (uint8_t)(v >> (8 * k));
		memcpy(b + at, texts[i], strlen(texts[i]));
		at += strlen(texts[i]);
	}
	return at;
}

static const char *const texts[] = { "kinght love ", "aym", "third one", "fourth" };

/* Walkers (s) on the default profile, a stream (b, n bytes) of the four
 * texts framed with length fields that say strlen(text) + extra, and the
 * verdict the test asks for. */
struct shadow_case {
	struct fc_profile p;
	struct fc_shadows *s;
	uint8_t b[128];
	size_t n;
	struct fc_shadow_verdict v;
	struct fc_len_reader lr; /* p taken apart, as the decoder passes it */
};

static void shadows_on(struct shadow_case *c, int extra)
{
	fc_profile_default(&c->p);
	c->n = put_frames(c->b, texts, 4, extra);
	c->s = fc_shadows_new(&c->p, NULL, NULL);
	assert_non_null(c->s);
	fc_len_reader_init(&c->lr, &c->p);
}

static void test_counts_header(void **state)
{
	struct shadow_case c;

	(void)state;
	shadows_on(&c, 4);
	/* fed in two uneven pieces, one cutting a header */
	assert_true(fc_shadows_feed(c.s, &c.lr, 0, c.b, 18));
	assert_true(fc_shadows_feed(c.s, &c.lr, 18, c.b + 18, (uint32_t)(c.n - 18)));
	assert_true(fc_shadows_verdict(c.s, c.n, true, 0, &c.v));
	assert_int_equal(c.v.adjustment, -4);
	assert_int_equal(c.v.delta, -4);
	assert_int_equal(c.v.frames, 4);
	/* the stream went on one byte past the walker's last frame: at the
	 * stream's end that disproves it; mid-stream, 4 frames suffice */
	assert_false(fc_shadows_verdict(c.s, c.n + 1, true, 0, &c.v));
	assert_true(fc_shadows_verdict(c.s, c.n + 1, false, 1, &c.v));
	/* the profile decoded as many frames itself: no verdict mid-stream */
	assert_false(fc_shadows_verdict(c.s, c.n, false, 4, &c.v));
	fc_shadows_free(c.s, NULL);
}

/* The same stream a byte at a time: every header gathered over several
 * feeds, none read in place; the same verdict. */
static void test_byte_by_byte(void **state)
{
	struct shadow_case c;

	(void)state;
	shadows_on(&c, 4);
	for (size_t i = 0; i < c.n; i++)
		assert_true(fc_shadows_feed(c.s, &c.lr, i, c.b + i, 1));
	assert_true(fc_shadows_verdict(c.s, c.n, true, 0, &c.v));
	assert_int_equal(c.v.adjustment, -4);
	assert_int_equal(c.v.frames, 4);
	fc_shadows_free(c.s, NULL);
}

static void test_all_die_on_a_clean_stream(void **state)
{
	struct shadow_case c;

	(void)state;
	shadows_on(&c, 0);
	/* text where the walkers look for lengths: they die, the feed says so */
	assert_false(fc_shadows_feed(c.s, &c.lr, 0, c.b, (uint32_t)c.n));
	assert_false(fc_shadows_verdict(c.s, c.n, true, 0, &c.v));
	fc_shadows_free(c.s, NULL);
}

/* Sets from a pool: the one given back is the next one taken (the pool's
 * cache is LIFO), and it must start as new, not where its walkers died or
 * stopped; and the verdict is the one a malloc'd set gives. */
static void test_from_a_pool_starts_fresh(void **state)
{
	struct shadow_case c;
	struct fc_pool pool;

	(void)state;
	fc_pool_init(&pool, fc_shadows_size());
	shadows_on(&c, 0);
	fc_shadows_free(c.s, NULL);
	c.s = fc_shadows_new(&c.p, &pool, NULL);
	assert_non_null(c.s);
	assert_false(fc_shadows_feed(c.s, &c.lr, 0, c.b, (uint32_t)c.n)); /* all die */
	fc_shadows_free(c.s, &pool);

	c.n = put_frames(c.b, texts, 4, 4);
	c.s = fc_shadows_new(&c.p, &pool, NULL);
	assert_true(fc_shadows_feed(c.s, &c.lr, 0, c.b, 18));
	assert_true(fc_shadows_feed(c.s, &c.lr, 18, c.b + 18, (uint32_t)(c.n - 18)));
	assert_true(fc_shadows_verdict(c.s, c.n, true, 0, &c.v));
	assert_int_equal(c.v.adjustment, -4);
	assert_int_equal(c.v.frames, 4);
	fc_shadows_free(c.s, &pool);
	fc_pool_drain(&pool);
}

/* Sets made with a kept first state: a copy only for the same length
 * field. A 2-byte length at the start of a 4-byte header has walkers the
 * default's 4-byte one has not (counting the length's own bytes is not
 * counting the header): taken over from the default's set, the one that
 * lines up here, a length counting its own 2 bytes, would be dead. */
static void test_first_state_per_length_field(void **state)
{
	struct fc_shadows_first *first = NULL;
	struct shadow_case c;
	struct fc_profile q;
	struct fc_len_reader lr;
	struct fc_shadows *s;
	uint8_t b[128];
	size_t n = 0;

	(void)state;
	for (int round = 0; round < 2; round++) {
		shadows_on(&c, 4);
		fc_shadows_free(c.s, NULL);
		c.s = fc_shadows_new(&c.p, NULL, &first);
		assert_non_null(c.s);
		assert_non_null(first);
		assert_true(fc_shadows_feed(c.s, &c.lr, 0, c.b, (uint32_t)c.n));
		assert_true(fc_shadows_verdict(c.s, c.n, true, 0, &c.v));
		assert_int_equal(c.v.adjustment, -4);
		fc_shadows_free(c.s, NULL);
	}
	q = c.p;
	q.length_size = 2;
	q.header_size = 4;
	for (int i = 0; i < 4; i++) { /* the length counts the whole frame */
		uint32_t v = (uint32_t)strlen(texts[i]) + 4;

		b[n++] = (uint8_t)v;
		b[n++] = (uint8_t)(v >> 8);
		b[n++] = 'x';
		b[n++] = 'x';
		memcpy(b + n, texts[i], strlen(texts[i]));
		n += strlen(texts[i]);
	}
	fc_len_reader_init(&lr, &q);
	s = fc_shadows_new(&q, NULL, &first);
	assert_non_null(s);
	assert_true(fc_shadows_feed(s, &lr, 0, b, (uint32_t)n));
	assert_true(fc_shadows_verdict(s, n, true, 0, &c.v));
	assert_int_equal(c.v.adjustment, -2);
	assert_int_equal(c.v.delta, -2);
	assert_int_equal(c.v.frames, 4);
	fc_shadows_free(s, NULL);
	fc_shadows_first_free(first);
}

/* The clause of an adjustment_suspect finding saying what the length
 * counts, for a profile of that header, length size and length end. */
static const char *explain_delta(uint32_t header, uint32_t size, uint32_t end, int64_t delta)
{
	static char line[FC_DESCRIBE_MAX];
	struct fc_anomaly a = {
		.kind = FC_AN_ADJUSTMENT_SUSPECT,
		.u.adjustment = { .adjustment = delta, .delta = delta, .frames = 2,
				  .header_size = header, .length_size = size, .length_end = end },
	};
	char *start, *stop;

	fc_anomaly_describe(&a, line, sizeof(line));
	start = strstr(line, ": ");
	stop = strstr(line, "; 2 frames");
	assert_non_null(start);
	assert_non_null(stop);
	*stop = '\0';
	return start + 2;
}

static void test_not_applicable_and_explain(void **state)
{
	(void)state;
	struct fc_profile p;

	fc_profile_default(&p);
	p.length_offset = 8; /* length field ends at 12: past what walkers keep */
	p.header_size = 12;
	assert_null(fc_shadows_new(&p, NULL, NULL));
	fc_shadows_free(NULL, NULL);

	/* The finding's words come from fc_describe, from the typed fields. */
	assert_string_equal(explain_delta(4, 4, 4, -4), "the length counts the whole 4-byte header too");
	assert_string_equal(explain_delta(4, 4, 4, 4),
			    "the length leaves out the 4-byte header this profile expects it to count");
	assert_string_equal(explain_delta(5, 2, 3, -3), "the length counts the header bytes up to its own end");
	assert_string_equal(explain_delta(5, 2, 3, -2), "the length counts its own 2 bytes");
	assert_string_equal(explain_delta(5, 2, 3, 2), "the length leaves out 2 bytes that follow it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_header),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_all_die_on_a_clean_stream),
		cmocka_unit_test(test_from_a_pool_starts_fresh),
		cmocka_unit_test(test_first_state_per_length_field),
		cmocka_unit_test(test_not_applicable_and_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
