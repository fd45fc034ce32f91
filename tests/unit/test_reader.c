/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_reader.c - fc_reader fed by hand: every split point, several frames
 * per feed, errors, the buffer bound, pieces in stream mode; every framing
 * (length with a mask, varint, ber, delimiter, fixed) and preludes.
 *
 *   stream:  [hdr|payload][hdr|payload|trailer][literal][hdr|payload]
 *   feed:    [0, i) then [i, end)  for every i, or byte by byte
 *   read:    whole frames, and pieces through small windows
 *   check:   the frames taken out equal the frames written (payload,
 *            header length, trailer, prelude step)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fc_reader.h"
#include "unit_util.h"

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

/* --- every framing ------------------------------------------------------- */

#define MAXR 24
#define RMAX 400

/* Frames as written and as read: payload, header length, prelude mark. */
struct recs {
	size_t count;
	size_t len[MAXR];
	uint64_t hdr[MAXR];
	uint32_t prelude[MAXR];
	uint8_t data[MAXR][RMAX];
};

/* Append payload[0, n) framed by p (fc_profile_frame_payload) to s at
 * `at`, recorded in want with mark `prelude`; returns the new length. */
static size_t put_any(const struct fc_profile *p, uint8_t *s, size_t at, const void *payload,
		      size_t n, uint32_t prelude, struct recs *want)
{
	uint8_t hdr[64], tr[FC_DELIMITER_MAX];
	size_t hl, tl;

	assert_null(fc_profile_frame_payload(p, payload, n, hdr, sizeof(hdr), &hl, tr, &tl));
	assert_true(n <= RMAX && want->count < MAXR);
	memcpy(s + at, hdr, hl);
	memcpy(s + at + hl, payload, n);
	memcpy(s + at + hl + n, tr, tl);
	memcpy(want->data[want->count], payload, n);
	want->len[want->count] = n;
	want->hdr[want->count] = hl;
	want->prelude[want->count++] = prelude;
	return at + hl + n + tl;
}

/* Append n raw bytes that the reader takes as a prelude literal. */
static size_t put_literal(uint8_t *s, size_t at, const void *lit, size_t n, uint32_t prelude,
			  struct recs *want)
{
	memcpy(s + at, lit, n);
	memcpy(want->data[want->count], lit, n);
	want->len[want->count] = n;
	want->hdr[want->count] = 0;
	want->prelude[want->count++] = prelude;
	return at + n;
}

/* A reader under test and the frames it gave, put together from pieces. */
struct run {
	struct fc_reader r;
	size_t max_payload;
	struct recs got;
	bool in_frame;
};

/* Take every frame or piece the reader has: pieces must come in order,
 * fit max_payload, and the last one's payload_len, trailer and header
 * must agree with what came. */
static void take(struct run *u)
{
	struct fc_read fr;
	enum fc_read_status st;
	const struct fc_profile *p = &u->r.prof;

	while ((st = fc_reader_next(&u->r, u->max_payload, &fr)) == FC_READ_FRAME) {
		size_t i = u->got.count;

		assert_true(fr.n <= u->max_payload);
		if (fr.first) {
			assert_false(u->in_frame);
			assert_non_null(fr.header);
			assert_true(i < MAXR);
			assert_int_equal(fr.index, i);
			assert_int_equal(fr.offset, 0);
			u->got.len[i] = 0;
			u->got.hdr[i] = fr.header_len;
			u->got.prelude[i] = fr.prelude;
			u->in_frame = true;
		} else {
			assert_true(u->in_frame);
			assert_null(fr.header);
			assert_int_equal(fr.offset, u->got.len[i]);
		}
		assert_true(u->got.len[i] + fr.n <= RMAX);
		memcpy(u->got.data[i] + u->got.len[i], fr.payload, fr.n);
		u->got.len[i] += fr.n;
		if (fr.open_ended)
			assert_int_equal(fr.payload_len, u->got.len[i]);
		if (!fr.last) {
			assert_null(fr.trailer);
			continue;
		}
		assert_false(fr.open_ended);
		assert_int_equal(fr.payload_len, u->got.len[i]);
		if (p->framing == FC_FRAMING_DELIMITER && !fr.prelude) {
			assert_int_equal(fr.trailer_len, p->delimiter_len);
			assert_non_null(fr.trailer);
			assert_memory_equal(fr.trailer, p->delimiter, p->delimiter_len);
		} else {
			assert_int_equal(fr.trailer_len, 0);
			assert_null(fr.trailer);
		}
		u->in_frame = false;
		u->got.count++;
	}
	assert_int_equal(st, FC_READ_NEED_MORE);
}

/* Feed n bytes, taking frames whenever the reader is full; the buffer
 * never passes the reader's limit. */
static void give(struct run *u, const uint8_t *s, size_t n)
{
	while (n) {
		size_t t;

		assert_int_equal(fc_reader_feed(&u->r, s, n, &t), 0);
		assert_true(u->r.cap <= fc_reader_limit(&u->r));
		if (u->r.window)
			assert_true(u->r.cap <= u->r.window);
		take(u);
		if (!t) {
			assert_true(fc_reader_room(&u->r) > 0);
			continue;
		}
		s += t;
		n -= t;
	}
}

static void same_recs(const struct recs *a, const struct recs *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		assert_int_equal(a->len[i], b->len[i]);
		assert_int_equal(a->hdr[i], b->hdr[i]);
		assert_int_equal(a->prelude[i], b->prelude[i]);
		assert_memory_equal(a->data[i], b->data[i], a->len[i]);
	}
}

/* Read s[0, n) with profile p (prelude of direction dir, or none when
 * dir < 0) in whole mode and through windows, fed in two parts cut at
 * every byte, and one byte at a time: always the frames of want. */
static void every_way(const struct fc_profile *p, int dir, const uint8_t *s, size_t n,
		      const struct recs *want)
{
	static const struct {
		size_t window, max_payload;
	} modes[] = { { 0, SIZE_MAX }, { 1, 1 }, { 7, 3 }, { 64, SIZE_MAX } };

	assert_null(fc_profile_check(p));
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (size_t cut = 0; cut <= n + 1; cut++) {
			struct run u;

			memset(&u, 0, sizeof(u));
			fc_reader_init(&u.r, p, modes[m].window);
			if (dir >= 0)
				fc_reader_set_prelude(&u.r, (enum fc_direction)dir);
			u.max_payload = modes[m].max_payload;
			if (cut <= n) {
				give(&u, s, cut);
				give(&u, s + cut, n - cut);
			} else { /* one byte at a time */
				for (size_t i = 0; i < n; i++)
					give(&u, s + i, 1);
			}
			assert_false(u.in_frame);
			same_recs(want, &u.got);
			assert_int_equal(fc_reader_pending(&u.r), 0);
			assert_int_equal(u.r.error, FC_FRAME_OK);
			fc_reader_free(&u.r);
		}
	}
}

/* A payload of n bytes: letters, with the delimiter's bytes now and then
 * (never the whole delimiter). */
static const uint8_t *text(size_t n, uint8_t seed)
{
	static uint8_t b[RMAX];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i % 7 == 3 ? '\r' : i % 11 == 5 ? 'a' : 'c' + (seed + i) % 20);
	return b;
}

/* Frames of several sizes (varint and BER lengths of 1, 2 and 3 bytes)
 * under p, read every way. */
static void sizes_every_way(const struct fc_profile *p)
{
	static const size_t sizes[] = { 0, 1, 5, 127, 128, 300 };
	struct recs want = { 0 };
	uint8_t s[2048];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		n = put_any(p, s, n, text(sizes[i], (uint8_t)i), sizes[i], 0, &want);
	every_way(p, -1, s, n, &want);
}

static void test_varint_every_split(void **state)
{
	struct fc_profile p;

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_VARINT; /* protobuf writeDelimitedTo */
	sizes_every_way(&p);
	p.length_offset = 1; /* MQTT: a type byte first */
	p.varint_max_bytes = 4;
	sizes_every_way(&p);
	p.length_adjustment = -2; /* the value counts two bytes more */
	p.length_offset = 0;
	sizes_every_way(&p);
}

static void test_ber_every_split(void **state)
{
	struct fc_profile p;

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_BER;
	sizes_every_way(&p);
}

static void test_delimiter_every_split(void **state)
{
	static const char *const delims[] = { "\r\n", "\n", "aab", "\r\n\r\n" };
	struct fc_profile p;

	(void)state;
	for (size_t d = 0; d < sizeof(delims) / sizeof(delims[0]); d++) {
		fc_profile_default(&p);
		p.framing = FC_FRAMING_DELIMITER;
		p.max_frame = 400;
		assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)delims[d],
						     strlen(delims[d])));
		sizes_every_way(&p);
	}
	/* A NUL delimiter (STOMP). */
	fc_profile_default(&p);
	p.framing = FC_FRAMING_DELIMITER;
	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)"", 1));
	sizes_every_way(&p);
}

static void test_fixed_and_mask_every_split(void **state)
{
	struct fc_profile p;
	struct recs want = { 0 };
	uint8_t s[512];
	size_t n = 0;

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_FIXED;
	p.frame_size = 16;
	for (int i = 0; i < 5; i++)
		n = put_any(&p, s, n, text(16, (uint8_t)i), 16, 0, &want);
	every_way(&p, -1, s, n, &want);

	/* ONC RPC record marking: the top bit is the last-fragment flag. */
	fc_profile_default(&p);
	p.byte_order = FC_BIG_ENDIAN;
	p.is_signed = false;
	p.length_mask = 0x7fffffff;
	sizes_every_way(&p);
	{
		struct fc_reader r;
		struct fc_read fr;
		const uint8_t rm[] = { 0x80, 0, 0, 2, 'h', 'i' };
		size_t t;

		fc_reader_init(&r, &p, 0);
		assert_int_equal(fc_reader_feed(&r, rm, sizeof(rm), &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
		assert_int_equal(fr.length, 2);
		assert_int_equal(fr.flags, 0x80000000u);
		assert_memory_equal(fr.payload, "hi", 2);
		fc_reader_free(&r);
	}
}

/* Feed bytes and expect the error st about `length`; it stays, the
 * reader takes nothing more and its buffer stayed within bound. */
static void expect_error(const struct fc_profile *p, size_t window, const uint8_t *s,
			 size_t n, enum fc_frame_status want_st, int64_t length, size_t bound)
{
	struct fc_reader r;
	struct fc_read fr;
	enum fc_read_status st = FC_READ_NEED_MORE;
	size_t t, at = 0;

	fc_reader_init(&r, p, window);
	while (at < n && st != FC_READ_ERROR) {
		assert_int_equal(fc_reader_feed(&r, s + at, n - at, &t), 0);
		at += t;
		assert_true(r.cap <= bound);
		while ((st = fc_reader_next(&r, SIZE_MAX, &fr)) == FC_READ_FRAME)
			;
		if (!t && st != FC_READ_ERROR)
			fail_msg("the reader took nothing and said nothing");
	}
	assert_int_equal(st, FC_READ_ERROR);
	for (int again = 0; again < 2; again++) {
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_ERROR);
		assert_int_equal(fr.error, want_st);
		assert_int_equal(fr.length, length);
	}
	assert_int_equal(fc_reader_room(&r), 0);
	assert_int_equal(fc_reader_feed(&r, s, 1, &t), 0);
	assert_int_equal(t, 0);
	fc_reader_free(&r);
}

static void test_new_errors(void **state)
{
	struct fc_profile p;
	uint8_t s[4096];

	(void)state;
	/* A varint with no last byte within varint_max_bytes. */
	fc_profile_default(&p);
	p.framing = FC_FRAMING_VARINT;
	memset(s, 0xff, 8);
	for (size_t w = 0; w <= 8; w += 8)
		expect_error(&p, w, s, 8, FC_FRAME_VARINT_OVERLONG, 0x7ffffffff, 256);
	/* ... or one above max_frame, or overlong after a good frame. */
	p.max_frame = 1000;
	s[0] = 0xe9, s[1] = 0x07; /* 1001 */
	expect_error(&p, 0, s, 2, FC_FRAME_OVERSIZE, 1001, 256);
	s[0] = 1, s[1] = 'x', s[2] = 0x80, s[3] = 0x80, s[4] = 0x80, s[5] = 0x80, s[6] = 0x80;
	expect_error(&p, 0, s, 7, FC_FRAME_VARINT_OVERLONG, 0, 256);

	/* BER: indefinite length, reserved, more than 8 length bytes. */
	fc_profile_default(&p);
	p.framing = FC_FRAMING_BER;
	s[0] = 0x30, s[1] = 0x80;
	expect_error(&p, 0, s, 2, FC_FRAME_BER_LENGTH, 0x80, 256);
	expect_error(&p, 16, s, 2, FC_FRAME_BER_LENGTH, 0x80, 16);
	s[1] = 0xff;
	expect_error(&p, 0, s, 2, FC_FRAME_BER_LENGTH, 0xff, 256);
	s[1] = 0x84, s[2] = 0x7f, s[3] = s[4] = s[5] = 0xff; /* 2 GiB > 16 MiB */
	expect_error(&p, 0, s, 6, FC_FRAME_OVERSIZE, 0x7fffffff, 256);

	/* Delimiter: no delimiter within max_frame bytes; the buffer holds
	 * at most max_frame + the delimiter. Fed at once, then in pieces. */
	fc_profile_default(&p);
	p.framing = FC_FRAMING_DELIMITER;
	p.max_frame = 1000;
	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)"\r\n", 2));
	memset(s, 'x', sizeof(s));
	expect_error(&p, 0, s, sizeof(s), FC_FRAME_NO_DELIMITER, 1002, 1002);
	expect_error(&p, 64, s, sizeof(s), FC_FRAME_NO_DELIMITER, 1024, 64);
	/* a line of 1001 bytes whose delimiter is in the buffer too */
	memcpy(s + 1001, "\r\n", 2);
	expect_error(&p, 0, s, 1003, FC_FRAME_NO_DELIMITER, 1001, 1002);
	/* one of exactly max_frame passes */
	{
		struct fc_reader r;
		struct fc_read fr;
		size_t t;

		memcpy(s + 1000, "\r\n", 2);
		fc_reader_init(&r, &p, 0);
		assert_int_equal(fc_reader_limit(&r), 1002);
		assert_int_equal(fc_reader_feed(&r, s, 1100, &t), 0);
		assert_int_equal(t, 1002);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
		assert_int_equal(fr.n, 1000);
		assert_int_equal(fr.trailer_len, 2);
		assert_ptr_equal(fr.trailer, fr.payload + 1000);
		fc_reader_free(&r);
	}
	/* "\r" at max_frame: the byte may begin the delimiter, not yet an error */
	{
		struct fc_reader r;
		struct fc_read fr;
		size_t t;

		memset(s, 'x', 1000);
		s[1000] = '\r';
		fc_reader_init(&r, &p, 0);
		assert_int_equal(fc_reader_feed(&r, s, 1001, &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_NEED_MORE);
		assert_int_equal(fc_reader_feed(&r, (const uint8_t *)"y", 1, &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_ERROR);
		assert_int_equal(fr.error, FC_FRAME_NO_DELIMITER);
		fc_reader_free(&r);
	}
}

/* The delimiter search resumes: a 1 MiB line fed a byte at a time is
 * searched once (the scan position follows the bytes fed), in both modes. */
static void test_delimiter_linear(void **state)
{
	struct fc_profile p;
	const size_t n = 1u << 20;

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_DELIMITER;
	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)"\r\n", 2));
	for (size_t w = 0; w <= 4096; w += 4096) {
		struct fc_reader r;
		struct fc_read fr;
		uint64_t payload = 0;
		size_t t;

		fc_reader_init(&r, &p, w);
		for (size_t i = 0; i < n; i++) {
			uint8_t b = i % 3 ? 'z' : '\r';
			assert_int_equal(fc_reader_feed(&r, &b, 1, &t), 0);
			assert_int_equal(t, 1);
			while (fc_reader_next(&r, SIZE_MAX, &fr) == FC_READ_FRAME)
				payload += fr.n;
			assert_int_equal(r.scanned, i + 1); /* nothing searched twice */
		}
		assert_int_equal(fc_reader_feed(&r, (const uint8_t *)"\r\n", 2, &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
		payload += fr.n;
		assert_true(fr.last);
		assert_int_equal(fr.index, 0);
		assert_int_equal(fr.payload_len, n);
		assert_int_equal(payload, n);
		if (w)
			assert_true(r.cap <= w);
		fc_reader_free(&r);
	}
}

/* A typed PostgreSQL message: type byte, then the frame. */
static size_t put_typed(const struct fc_profile *pg, uint8_t *s, size_t at, char type,
			const char *payload, struct recs *want)
{
	size_t end = put_any(pg, s, at, payload, strlen(payload) + 1, 0, want);

	s[at] = (uint8_t)type;
	return end;
}

static void test_prelude_pg(void **state)
{
	static const uint8_t ssl_code[4] = { 0x04, 0xd2, 0x16, 0x2f };
	static const uint8_t startup_msg[] = "\0\3\0\0user\0bob\0database\0db\0";
	struct fc_profile pg, startup;
	struct fc_prelude pre;
	struct recs want = { 0 };
	uint8_t s[1024];
	size_t n = 0;

	(void)state;
	pg_profiles(&pg, &startup, &pre);
	assert_null(fc_profile_check(&pg));

	/* c2s with SSLRequest */
	n = put_any(&startup, s, n, ssl_code, 4, 1, &want);
	n = put_any(&startup, s, n, startup_msg, sizeof(startup_msg), 1, &want);
	n = put_typed(&pg, s, n, 'Q', "select 1;", &want);
	n = put_typed(&pg, s, n, 'X', "", &want);
	every_way(&pg, FC_DIR_C2S, s, n, &want);

	/* c2s without: the 'Q' is no pg_startup frame (0x51000000 is
	 * above its max_frame), so the profile takes over after one */
	memset(&want, 0, sizeof(want));
	n = put_any(&startup, s, 0, startup_msg, sizeof(startup_msg), 1, &want);
	n = put_typed(&pg, s, n, 'Q', "select 2;", &want);
	n = put_typed(&pg, s, n, 'X', "", &want);
	every_way(&pg, FC_DIR_C2S, s, n, &want);

	/* s2c: 'N', then typed messages; and with no 'N' (no SSLRequest) */
	memset(&want, 0, sizeof(want));
	n = put_literal(s, 0, "N", 1, 1, &want);
	n = put_typed(&pg, s, n, 'R', "ok", &want);
	n = put_typed(&pg, s, n, 'Z', "", &want);
	every_way(&pg, FC_DIR_S2C, s, n, &want);
	memset(&want, 0, sizeof(want));
	n = put_typed(&pg, s, 0, 'R', "ok", &want);
	n = put_typed(&pg, s, n, 'N', "notice", &want); /* an 'N' later is a message */
	every_way(&pg, FC_DIR_S2C, s, n, &want);

	/* No prelude asked for (a capture that starts mid-connection): the
	 * stream is read with the profile alone. */
	{
		struct fc_reader r;
		struct fc_read fr;
		size_t t;

		fc_reader_init(&r, &pg, 0);
		assert_int_equal(fc_reader_feed(&r, s, n, &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_FRAME);
		assert_int_equal(fr.prelude, 0);
		assert_int_equal(s[0], 'R');
		assert_false(fc_reader_in_prelude(&r));
		fc_reader_free(&r);
	}
}

static void test_prelude_amqp(void **state)
{
	static const uint8_t magic[8] = { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 };
	struct fc_profile amqp;
	struct fc_prelude pre;
	struct recs want = { 0 };
	uint8_t s[1024];
	size_t n;

	(void)state;
	amqp_profile(&amqp, &pre);

	/* the literal, cut at every byte by every_way, then frames */
	n = put_literal(s, 0, magic, 8, 1, &want);
	n = put_any(&amqp, s, n, "\0\12\0\12abc\xce", 8, 0, &want);
	n = put_any(&amqp, s, n, "\xce", 1, 0, &want);
	every_way(&amqp, FC_DIR_C2S, s, n, &want);
	/* the server side has no prelude step: frames at once */
	memset(&want, 0, sizeof(want));
	n = put_any(&amqp, s, 0, "hello\xce", 6, 0, &want);
	every_way(&amqp, FC_DIR_S2C, s, n, &want);
	/* a stream that does not start with the literal: no prelude frame,
	 * even one that starts like it ("AMQ" then a frame's bytes) */
	memset(&want, 0, sizeof(want));
	n = put_any(&amqp, s, 0, "xyz\xce", 4, 0, &want);
	memcpy(s, "AMQ", 3); /* length_offset 3: the bytes before the length */
	n = put_any(&amqp, s, n, "\xce", 1, 0, &want);
	every_way(&amqp, FC_DIR_C2S, s, n, &want);
	/* the literal with another version: not skipped; read as a frame */
	{
		struct fc_reader r;
		struct fc_read fr;
		uint8_t other[8] = { 'A', 'M', 'Q', 'P', 0, 0, 9, 0 };
		size_t t;

		fc_reader_init(&r, &amqp, 0);
		fc_reader_set_prelude(&r, FC_DIR_C2S);
		assert_true(fc_reader_in_prelude(&r));
		assert_int_equal(fc_reader_feed(&r, other, 7, &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_NEED_MORE);
		assert_true(fc_reader_in_prelude(&r)); /* 7 bytes do not tell yet */
		assert_int_equal(fc_reader_feed(&r, other + 7, 1, &t), 0);
		assert_int_equal(fc_reader_next(&r, SIZE_MAX, &fr), FC_READ_ERROR);
		assert_false(fc_reader_in_prelude(&r));
		assert_int_equal(fr.error, FC_FRAME_OVERSIZE); /* 'P'<<24... */
		assert_int_equal(fr.prelude, 0);
		fc_reader_free(&r);
	}
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
		cmocka_unit_test(test_varint_every_split),
		cmocka_unit_test(test_ber_every_split),
		cmocka_unit_test(test_delimiter_every_split),
		cmocka_unit_test(test_fixed_and_mask_every_split),
		cmocka_unit_test(test_new_errors),
		cmocka_unit_test(test_delimiter_linear),
		cmocka_unit_test(test_prelude_pg),
		cmocka_unit_test(test_prelude_amqp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
