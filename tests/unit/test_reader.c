/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_reader.c - fc_reader fed by hand: every split point, several frames
 * per feed, errors, the buffer bound, pieces in stream mode.
 *
 *   stream:  [hdr|payload][hdr|payload][hdr|payload]
 *   feed:    [0, i) then [i, end)  for every i, or byte by byte
 *   check:   the frames taken out equal the frames written
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fc_reader.h"

#define MAXF 16

/* Frames written into a byte stream, and the frames read back. */
struct frames {
	size_t count;
	size_t len[MAXF];
	uint8_t data[MAXF][300];
};

/* Append a frame of payload n (bytes k, k+1, ...) to s; returns the new
 * stream length. */
static size_t put_frame(const struct fc_profile *p, uint8_t *s, size_t at, size_t n,
			uint8_t k, struct frames *f)
{
	assert_true(fc_profile_encode_header(p, n, s + at));
	at += p->header_size;
	for (size_t i = 0; i < n; i++)
		s[at + i] = (uint8_t)(k + i);
	memcpy(f->data[f->count], s + at, n);
	f->len[f->count++] = n;
	return at + n;
}

/* Take every frame the reader has into got, checking the fields. */
static void drain(struct fc_reader *r, struct frames *got)
{
	struct fc_read fr;
	enum fc_read_status st;

	while ((st = fc_reader_next(r, SIZE_MAX, &fr)) == FC_READ_FRAME) {
		assert_true(fr.first && fr.last);
		assert_int_equal(fr.index, got->count);
		assert_int_equal(fr.header_len, r->prof.header_size);
		assert_int_equal(fr.n, fr.payload_len);
		assert_ptr_equal(fr.payload, fr.header + fr.header_len);
		memcpy(got->data[got->count], fr.payload, fr.n);
		got->len[got->count++] = fr.n;
	}
	assert_int_equal(st, FC_READ_NEED_MORE);
}

/* Feed all n bytes (as many calls as room allows, draining between). */
static void feed_all(struct fc_reader *r, const uint8_t *s, size_t n, struct frames *got)
{
	while (n) {
		size_t t;
		assert_int_equal(fc_reader_feed(r, s, n, &t), 0);
		assert_true(r->cap <= fc_reader_limit(r));
		if (!t) {
			drain(r, got);
			assert_true(fc_reader_room(r) > 0);
			continue;
		}
		s += t;
		n -= t;
	}
	drain(r, got);
}

static void same_frames(const struct frames *a, const struct frames *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		assert_int_equal(a->len[i], b->len[i]);
		assert_memory_equal(a->data[i], b->data[i], a->len[i]);
	}
}

/* A profile with bytes before and after the length field and an
 * adjustment: 2 tag bytes, 2-byte big-endian length counting the 2 bytes
 * after it, 4-byte header in all. */
static void odd_profile(struct fc_profile *p)
{
	fc_profile_default(p);
	p->length_offset = 1;
	p->length_size = 2;
	p->byte_order = FC_BIG_ENDIAN;
	p->is_signed = false;
	p->length_adjustment = -1;
	p->header_size = 5;
	p->max_frame = 1000;
	assert_null(fc_profile_check(p));
}

/* Every split point of a stream of three frames (empty, short, longer),
 * for the default profile and an odd one: the same frames come out. */
static void test_every_split(void **state)
{
	(void)state;
	for (int which = 0; which < 2; which++) {
		struct fc_profile p;
		struct frames want = { 0 };
		uint8_t s[1024];
		size_t n = 0;

		if (which)
			odd_profile(&p);
		else
			fc_profile_default(&p);
		n = put_frame(&p, s, n, 0, 0, &want);
		n = put_frame(&p, s, n, 5, 'a', &want);
		n = put_frame(&p, s, n, 260, 7, &want);
		for (size_t cut = 0; cut <= n; cut++) {
			struct fc_reader r;
			struct frames got = { 0 };

			fc_reader_init(&r, &p, 0);
			feed_all(&r, s, cut, &got);
			feed_all(&r, s + cut, n - cut, &got);
			same_frames(&want, &got);
			assert_int_equal(fc_reader_pending(&r), 0);
			fc_reader_free(&r);
		}
		/* and one byte at a time */
		struct fc_reader r;
		struct frames got = { 0 };
		fc_reader_init(&r, &p, 0);
		for (size_t i = 0; i < n; i++)
			feed_all(&r, s + i, 1, &got);
		same_frames(&want, &got);
		fc_reader_free(&r);
	}
}

/* Several frames in one feed come out one at a time, in order, and a
 * partial one after them waits. */
static void test_several_in_one_feed(void **state)
{
	(void)state;
	struct fc_profile p;
	struct frames want = { 0 };
	struct fc_reader r;
	struct fc_read fr;
	uint8_t s[256];
	size_t n = 0, t;

	fc_profile_default(&p);
	for (int i = 0; i < 5; i++)
		n = put_frame(&p, s, n, (size_t)i * 3, (uint8_t)(i * 10), &want);
	fc_reader_init(&r, &p, 0);
	assert_int_equal(fc_reader_feed(&r, s, n + 3, &t), 0); /* + 3 of a header */
	assert_int_equal(t, n + 3);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
		assert_int_equal(fr.index, i);
		assert_int_equal(fr.length, i * 3);
		assert_int_equal(fr.n, i * 3);
		assert_memory_equal(fr.payload, want.data[i], fr.n);
	}
	assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_NEED_MORE);
	assert_int_equal(fc_reader_pending(&r), 3);
	fc_reader_free(&r);
}

/* Oversize, negative and shorter-than-header lengths: an error with the
 * value, that stays; nothing more is taken; no buffer grows for it. */
static void test_errors(void **state)
{
	(void)state;
	static const struct {
		int64_t value;
		enum fc_frame_status st;
	} cases[] = {
		{ (16 << 20) + 1, FC_FRAME_OVERSIZE },
		{ 0x7fffffff, FC_FRAME_OVERSIZE },
		{ -1, FC_FRAME_NEGATIVE },
		{ -2147483647 - 1, FC_FRAME_NEGATIVE },
	};
	struct fc_profile p;
	struct fc_reader r;
	struct fc_read fr;
	uint8_t s[16];
	size_t t;

	fc_profile_default(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fc_reader_init(&r, &p, 0);
		struct frames want = { 0 }, got = { 0 };
		size_t n = put_frame(&p, s, 0, 2, 'x', &want); /* a good frame first */
		fc_profile_put_length(&p, cases[i].value, s + n);
		feed_all(&r, s, n, &got);
		same_frames(&want, &got);
		assert_int_equal(fc_reader_feed(&r, s + n, 4, &t), 0);
		assert_int_equal(t, 4);
		for (int again = 0; again < 2; again++) {
			assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_ERROR);
			assert_int_equal(fr.error, cases[i].st);
			assert_int_equal(fr.length, cases[i].value);
			assert_int_equal(fr.index, 1);
		}
		assert_int_equal(fc_reader_room(&r), 0);
		assert_int_equal(fc_reader_feed(&r, s, 4, &t), 0);
		assert_int_equal(t, 0);
		assert_true(r.cap <= 256);
		fc_reader_free(&r);
	}

	/* A length that makes the frame shorter than its header. */
	p.length_adjustment = -8;
	fc_reader_init(&r, &p, 0);
	fc_profile_put_length(&p, 3, s);
	assert_int_equal(fc_reader_feed(&r, s, 4, &t), 0);
	assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_ERROR);
	assert_int_equal(fr.error, FC_FRAME_NEGATIVE);
	assert_int_equal(fr.length, 3);
	fc_reader_free(&r);
}

/* max_frame bounds the buffer: with max_frame 100 the reader never holds
 * more than 104 bytes, feed() stops at the frame, and a frame of exactly
 * max_frame passes. */
static void test_max_frame_bound(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_reader r;
	struct frames want = { 0 }, got = { 0 };
	uint8_t s[2048];
	size_t n = 0, t;

	fc_profile_default(&p);
	p.max_frame = 100;
	fc_reader_init(&r, &p, 0);
	assert_int_equal(fc_reader_limit(&r), 104);
	for (int i = 0; i < 10; i++)
		n = put_frame(&p, s, n, i % 2 ? 100 : 37, (uint8_t)i, &want);
	assert_int_equal(fc_reader_room(&r), 104);
	assert_int_equal(fc_reader_feed(&r, s, n, &t), 0);
	assert_int_equal(t, 104); /* one frame's worth, not the 10 offered */
	assert_int_equal(fc_reader_room(&r), 0);
	feed_all(&r, s + t, n - t, &got);
	assert_true(r.cap <= 104);
	same_frames(&want, &got);
	fc_reader_free(&r);
}

/* A legal but large length allocates nothing by itself: 16 MiB promised,
 * 10 bytes sent, the buffer stays small; room grows to the frame. */
static void test_no_allocation_by_length(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_reader r;
	struct fc_read fr;
	uint8_t s[14] = { 0 };
	size_t t;

	fc_profile_default(&p);
	fc_reader_init(&r, &p, 0);
	fc_profile_put_length(&p, 16 << 20, s);
	assert_int_equal(fc_reader_feed(&r, s, sizeof(s), &t), 0);
	assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_NEED_MORE);
	assert_true(r.cap <= 256);
	assert_int_equal(fc_reader_room(&r), (16u << 20) + 4 - 14);
	assert_int_equal(fc_reader_feed(&r, s, 4, &t), 0);
	assert_true(r.cap <= 512);
	fc_reader_free(&r);
}

/* After a large frame the memory goes back. */
static void test_shrinks_after_large_frame(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_reader r;
	struct fc_read fr;
	size_t n = 100000, at = 0, t;
	uint8_t *s = calloc(1, n + 8);

	assert_non_null(s);
	fc_profile_default(&p);
	fc_profile_put_length(&p, (int64_t)n, s);
	s[4 + n - 1] = 0xab;
	fc_profile_put_length(&p, 0, s + 4 + n);
	fc_reader_init(&r, &p, 0);
	while (at < n + 4) {
		assert_int_equal(fc_reader_feed(&r, s + at, n + 8 - at, &t), 0);
		assert_true(r.cap <= n + 4);
		at += t;
		if (at < n + 4)
			assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_NEED_MORE);
	}
	assert_int_equal(at, n + 4); /* feed() stopped at the frame's end */
	assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
	assert_int_equal(fr.n, n);
	assert_int_equal(fr.payload[n - 1], 0xab);
	assert_int_equal(fc_reader_feed(&r, s + at, 4, &t), 0);
	assert_int_equal(t, 4);
	assert_true(r.cap <= FC_READER_MIN_BUF);
	assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
	assert_int_equal(fr.n, 0);
	assert_int_equal(fr.index, 1);
	fc_reader_free(&r);
	free(s);
}

/* Stream mode: a 16-byte window passes a 260-byte frame as the header
 * piece then payload pieces, each within max_payload, in order; the
 * buffer never exceeds the window. */
static void test_stream_pieces(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_reader r;
	struct fc_read fr;
	struct frames want = { 0 };
	uint8_t s[600], out[600];
	size_t n = 0, at = 0, got_n = 0, frames = 0;

	fc_profile_default(&p);
	n = put_frame(&p, s, n, 260, 1, &want);
	n = put_frame(&p, s, n, 0, 0, &want);
	n = put_frame(&p, s, n, 3, 9, &want);
	fc_reader_init(&r, &p, 16);
	while (at < n || fc_reader_pending(&r)) {
		size_t t;
		assert_int_equal(fc_reader_feed(&r, s + at, n - at, &t), 0);
		at += t;
		assert_true(r.cap <= 16);
		while (fc_reader_next(&r, 5, &fr) == FC_READ_FRAME) {
			assert_true(fr.n <= 5);
			assert_int_equal(fr.first, fr.header != NULL);
			assert_int_equal(fr.offset, fr.first ? 0 : fr.offset);
			if (fr.first)
				assert_false(fc_reader_mid_frame(&r) && fr.last);
			memcpy(out + got_n, fr.payload, fr.n);
			got_n += fr.n;
			if (fr.last) {
				assert_int_equal(fr.offset + fr.n, fr.payload_len);
				assert_int_equal(fr.index, frames);
				assert_int_equal(fr.payload_len, want.len[frames]);
				assert_memory_equal(out + got_n - fr.payload_len, want.data[frames],
						    fr.payload_len);
				frames++;
			}
		}
	}
	assert_int_equal(frames, 3);
	assert_int_equal(got_n, 263);

	/* max_payload 0: the header alone, then nothing until more is allowed */
	fc_reader_free(&r);
	fc_reader_init(&r, &p, 16);
	size_t t;
	assert_int_equal(fc_reader_feed(&r, s, 10, &t), 0);
	assert_int_equal(fc_reader_next(&r, 0, &fr), FC_READ_FRAME);
	assert_true(fr.first && !fr.last && fr.n == 0 && fr.length == 260);
	assert_true(fc_reader_mid_frame(&r));
	assert_int_equal(fc_reader_next(&r, 0, &fr), FC_READ_NEED_MORE);
	assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
	assert_true(!fr.first && fr.n == 6 && fr.offset == 0);
	assert_memory_equal(fr.payload, s + 4, 6);
	fc_reader_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_several_in_one_feed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_max_frame_bound),
		cmocka_unit_test(test_no_allocation_by_length),
		cmocka_unit_test(test_shrinks_after_large_frame),
		cmocka_unit_test(test_stream_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
