/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_framing.c - the frame rule of every framing (fc_profile_frame_len,
 * fc_delim_scan, fc_profile_frame_payload), every prefix of every header.
 *
 *   frame:  [header][payload][trailer]      written by frame_payload
 *   check:  frame_len on data[0, i) for every i says NEED_MORE (with a
 *           need > i) until the header is in, then the same extent
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fc_profile.h"

static struct fc_profile framing(enum fc_framing f)
{
	struct fc_profile p;

	fc_profile_default(&p);
	p.framing = f;
	return p;
}

/* Frame a payload of n bytes under p, then read it back from every prefix
 * of the frame: NEED_MORE with a growing need, then the frame's extent. */
static void roundtrip(const struct fc_profile *p, size_t n)
{
	uint8_t frame[70000], hdr[64], trailer[FC_DELIMITER_MAX];
	size_t hlen, tlen, total;
	bool seen_ok = false;

	assert_null(fc_profile_check(p));
	assert_true(n + 100 < sizeof(frame));
	memset(frame + 64, 'x', n);
	assert_null(fc_profile_frame_payload(p, frame + 64, n, hdr, sizeof(hdr), &hlen,
					     trailer, &tlen));
	memmove(frame + hlen, frame + 64, n);
	memcpy(frame, hdr, hlen);
	memcpy(frame + hlen + n, trailer, tlen);
	total = hlen + n + tlen;
	/* Bytes after the frame must not change the answer. */
	memset(frame + total, p->framing == FC_FRAMING_DELIMITER ? p->delimiter[0] : 0x80, 32);

	for (size_t i = 0; i <= total + 32; i++) {
		struct fc_frame_len fl;
		enum fc_frame_status st = fc_profile_frame_len(p, frame, i, &fl);

		if (st == FC_FRAME_NEED_MORE) {
			assert_false(seen_ok);
			assert_true(fl.need > i);
			continue;
		}
		assert_int_equal(st, FC_FRAME_OK);
		seen_ok = true;
		assert_int_equal(fl.header_len, hlen);
		assert_int_equal(fl.payload_len, n);
		assert_int_equal(fl.trailer_len, tlen);
		assert_int_equal(fl.frame_len, total);
		if (fc_profile_is_prefix(p))
			assert_true(i <= fc_profile_header_max(p) || i > hlen);
	}
	assert_true(seen_ok);
}

/* roundtrip() for each of the sizes. */
static void roundtrip_sizes(const struct fc_profile *p, const size_t *sizes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		roundtrip(p, sizes[i]);
}
#define ROUNDTRIPS(p, ...) \
	roundtrip_sizes((p), (const size_t[]){ __VA_ARGS__ }, \
			sizeof((const size_t[]){ __VA_ARGS__ }) / sizeof(size_t))

static void test_length_mask(void **state)
{
	struct fc_profile p;
	struct fc_frame_len fl;
	const uint8_t rm[4] = { 0x80, 0x00, 0x00, 0x1c }; /* last fragment, 28 */

	(void)state;
	fc_profile_default(&p);
	p.byte_order = FC_BIG_ENDIAN;
	p.is_signed = false;
	p.length_mask = 0x7fffffff;
	assert_int_equal(fc_profile_frame_len(&p, rm, 4, &fl), FC_FRAME_OK);
	assert_int_equal(fl.length, 28);
	assert_int_equal(fl.flags, 0x80000000u);
	assert_int_equal(fl.payload_len, 28);
	p.length_mask = 0;
	assert_int_equal(fc_profile_frame_len(&p, rm, 4, &fl), FC_FRAME_OVERSIZE);
	ROUNDTRIPS(&p, 0, 300);
}

static void test_varint(void **state)
{
	struct fc_profile p = framing(FC_FRAMING_VARINT);
	const size_t sizes[] = { 0, 1, 127, 128, 300, 16383, 16384, 65000 };

	(void)state;
	roundtrip_sizes(&p, sizes, sizeof(sizes) / sizeof(*sizes));
	p.length_offset = 1; /* MQTT: a type byte, then the remaining length */
	p.varint_max_bytes = 4;
	roundtrip_sizes(&p, sizes, sizeof(sizes) / sizeof(*sizes));
}

static void test_varint_errors(void **state)
{
	struct fc_profile p = framing(FC_FRAMING_VARINT);
	struct fc_frame_len fl;
	const uint8_t five[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	const uint8_t big[3] = { 0x80, 0x80, 0x40 }; /* 2^20 > max_frame? no: 1 MiB */
	uint8_t hdr[16], tr[16];
	size_t hl, tl;

	(void)state;
	p.varint_max_bytes = 5;
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(fc_profile_frame_len(&p, five, i, &fl), FC_FRAME_NEED_MORE);
	assert_int_equal(fc_profile_frame_len(&p, five, 5, &fl), FC_FRAME_VARINT_OVERLONG);
	assert_int_equal(fc_profile_frame_len(&p, five, 6, &fl), FC_FRAME_VARINT_OVERLONG);
	assert_int_equal(fc_profile_frame_len(&p, big, 3, &fl), FC_FRAME_OK);
	assert_int_equal(fl.length, 1 << 20);
	p.max_frame = 1000;
	assert_int_equal(fc_profile_frame_len(&p, big, 3, &fl), FC_FRAME_OVERSIZE);
	p.varint_max_bytes = 1;
	assert_non_null(fc_profile_frame_payload(&p, NULL, 200, hdr, sizeof(hdr), &hl, tr, &tl));
	p.varint_max_bytes = 0;
	assert_non_null(fc_profile_check(&p));
	p.varint_max_bytes = 11;
	assert_non_null(fc_profile_check(&p));
}

static void test_ber(void **state)
{
	struct fc_profile p = framing(FC_FRAMING_BER);
	struct fc_frame_len fl;
	const uint8_t indefinite[2] = { 0x30, 0x80 }, reserved[2] = { 0x30, 0xff };
	const uint8_t ldap[6] = { 0x30, 0x84, 0x00, 0x00, 0x00, 0x05 };

	(void)state;
	ROUNDTRIPS(&p, 0, 127, 128, 256, 65000);
	assert_int_equal(fc_profile_frame_len(&p, indefinite, 2, &fl), FC_FRAME_BER_LENGTH);
	assert_int_equal(fc_profile_frame_len(&p, reserved, 2, &fl), FC_FRAME_BER_LENGTH);
	/* Long form with leading zeros, as some LDAP servers write it. */
	assert_int_equal(fc_profile_frame_len(&p, ldap, 6, &fl), FC_FRAME_OK);
	assert_int_equal(fl.header_len, 6);
	assert_int_equal(fl.payload_len, 5);
	p.max_frame = 4;
	assert_int_equal(fc_profile_frame_len(&p, ldap, 6, &fl), FC_FRAME_OVERSIZE);
}

static void test_fixed(void **state)
{
	struct fc_profile p = framing(FC_FRAMING_FIXED);
	uint8_t hdr[16], tr[16];
	size_t hl, tl;

	(void)state;
	assert_non_null(fc_profile_check(&p)); /* frame_size 0 */
	p.frame_size = 16;
	roundtrip(&p, 16);
	assert_non_null(fc_profile_frame_payload(&p, NULL, 15, hdr, sizeof(hdr), &hl, tr, &tl));
	p.max_frame = 8;
	assert_non_null(fc_profile_check(&p));
}

static struct fc_profile delimited(const char *d, size_t n)
{
	struct fc_profile p = framing(FC_FRAMING_DELIMITER);

	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)d, n));
	return p;
}

static void test_delimiter(void **state)
{
	struct fc_profile crlf = delimited("\r\n", 2), nul = delimited("", 1);
	struct fc_profile abab = delimited("abab", 4);
	uint8_t hdr[16], tr[16];
	size_t hl, tl;

	(void)state;
	ROUNDTRIPS(&crlf, 0, 1, 1000);
	ROUNDTRIPS(&nul, 0, 70);
	roundtrip(&abab, 3);
	/* A payload that holds the delimiter, or makes one with it. */
	assert_non_null(fc_profile_frame_payload(&crlf, (const uint8_t *)"a\r\nb", 4, hdr,
						 sizeof(hdr), &hl, tr, &tl));
	assert_non_null(fc_profile_frame_payload(&abab, (const uint8_t *)"xab", 3, hdr,
						 sizeof(hdr), &hl, tr, &tl));
	assert_null(fc_profile_frame_payload(&crlf, (const uint8_t *)"a\r", 2, hdr,
					     sizeof(hdr), &hl, tr, &tl));
	assert_non_null(fc_profile_set_delimiter(&crlf, (const uint8_t *)"", 0));
	assert_non_null(fc_profile_set_delimiter(&crlf, (const uint8_t *)"01234567890123456", 17));
}

/* fc_delim_scan resumes across every split of the bytes, with
 * self-overlapping delimiters where a mismatch must fall back. */
static void test_delim_scan_splits(void **state)
{
	static const struct {
		const char *delim, *text;
		size_t end; /* just past the first delimiter */
	} cases[] = {
		{ "\r\n", "GET /\r\r\r\nHost", 9 },
		{ "abab", "aabaabababab", 8 },
		{ "aab", "aaaab", 5 },
		{ "\n", "no newline here", 0 },
		{ "--x--", "-- x -----x--", 13 },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
		struct fc_profile p = delimited(cases[c].delim, strlen(cases[c].delim));
		const uint8_t *t = (const uint8_t *)cases[c].text;
		size_t n = strlen(cases[c].text);

		for (size_t i = 0; i <= n; i++) {
			for (size_t j = i; j <= n; j++) {
				struct fc_delim_scan s = { 0 };
				size_t got = 0, r;

				/* Three pieces: [0,i) [i,j) [j,n). */
				if ((r = fc_delim_scan(&p, &s, t, i)) <= i) {
					got = r;
				} else if ((r = fc_delim_scan(&p, &s, t + i, j - i)) <= j - i) {
					got = i + r;
				} else if ((r = fc_delim_scan(&p, &s, t + j, n - j)) <= n - j) {
					got = j + r;
				}
				assert_int_equal(got, cases[c].end);
			}
		}
	}
}

static void test_no_delimiter_bound(void **state)
{
	struct fc_profile p = delimited("\r\n", 2);
	struct fc_frame_len fl;
	uint8_t line[64];

	(void)state;
	memset(line, 'a', sizeof(line));
	p.max_frame = 10;
	assert_int_equal(fc_profile_frame_len(&p, line, 10, &fl), FC_FRAME_NEED_MORE);
	assert_int_equal(fc_profile_frame_len(&p, line, 11, &fl), FC_FRAME_NO_DELIMITER);
	/* A trailing '\r' may begin the delimiter: it does not count yet. */
	line[10] = '\r';
	assert_int_equal(fc_profile_frame_len(&p, line, 11, &fl), FC_FRAME_NEED_MORE);
	line[11] = '\n';
	assert_int_equal(fc_profile_frame_len(&p, line, 12, &fl), FC_FRAME_OK);
	assert_int_equal(fl.payload_len, 10);
}

/* bytes_one_of: the first choice in the given order that the bytes start
 * with, whatever the number of bytes at hand. */
static void test_prelude_choices(void **state)
{
	struct fc_prelude_step st = { .kind = FC_PRELUDE_BYTES_ONE_OF, .nchoices = 2 };
	struct fc_frame_len fl;

	(void)state;
	st.choice_len[0] = 3;
	memcpy(st.choice[0], "ABC", 3);
	st.choice_len[1] = 2;
	memcpy(st.choice[1], "AB", 2);
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"AB", 2, &fl),
			 FC_FRAME_NEED_MORE); /* "ABC" comes first: wait for it */
	assert_int_equal(fl.need, 3);
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"ABC", 3, &fl), FC_FRAME_OK);
	assert_int_equal(fl.frame_len, 3);
	assert_int_equal(fl.header_len, 0);
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"ABX", 3, &fl), FC_FRAME_OK);
	assert_int_equal(fl.frame_len, 2);
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"XY", 2, &fl),
			 FC_FRAME_STEP_SKIPPED);
	/* In the other order "AB" wins at once. */
	memcpy(st.choice[0], "AB", 2);
	st.choice_len[0] = 2;
	memcpy(st.choice[1], "ABC", 3);
	st.choice_len[1] = 3;
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"ABC", 3, &fl), FC_FRAME_OK);
	assert_int_equal(fl.frame_len, 2);
	/* A profile step: its frame, or skipped when it does not parse. */
	st.kind = FC_PRELUDE_PROFILE;
	fc_profile_default(&st.profile);
	st.profile.max_frame = 100;
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"\x05\0\0\0", 4, &fl),
			 FC_FRAME_OK);
	assert_int_equal(fl.frame_len, 9);
	assert_int_equal(fc_prelude_frame_len(&st, (const uint8_t *)"\xff\0\0\0", 4, &fl),
			 FC_FRAME_STEP_SKIPPED);
}

static void test_names(void **state)
{
	enum fc_framing f;

	(void)state;
	for (f = FC_FRAMING_LENGTH; f <= FC_FRAMING_FIXED; f++) {
		enum fc_framing back;
		assert_null(fc_parse_framing(fc_framing_name(f), &back));
		assert_int_equal(back, f);
	}
	assert_non_null(fc_parse_framing("lines", &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_mask),
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_varint_errors),
		cmocka_unit_test(test_ber),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_delimiter),
		cmocka_unit_test(test_delim_scan_splits),
		cmocka_unit_test(test_no_delimiter_bound),
		cmocka_unit_test(test_prelude_choices),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
