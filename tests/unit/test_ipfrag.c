/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ipfrag.c - IP fragment reassembly: in order, out of order,
 * overlapping (first copy wins, conflict counted), duplicate, incomplete
 * (timeout, end of capture), too big, the bounds on memory and datagrams,
 * and IPv6 Fragment headers parsed from a hand-built packet.
 *
 *   datagram (40 bytes): [0..8) [8..24) [24..40)   offsets in bytes
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fc_ipfrag.h"
#include "fc_packet.h"

static uint8_t dgram[65536 + 64];

static void fill(void)
{
	for (size_t i = 0; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)(i * 7 + 3);
}

static struct fc_frag_key key(uint32_t id)
{
	struct fc_frag_key k;

	memset(&k, 0, sizeof(k));
	k.src.family = k.dst.family = 4;
	k.src.bytes[0] = 10;
	k.src.bytes[3] = 1;
	k.dst.bytes[0] = 10;
	k.dst.bytes[3] = 2;
	k.proto = 6;
	k.id = id;
	return k;
}

static struct fc_ip_fragment frag(uint32_t id, uint32_t off, uint32_t len, bool more)
{
	struct fc_ip_fragment f;

	memset(&f, 0, sizeof(f));
	f.key = key(id);
	f.offset = off;
	f.len = len;
	f.more = more;
	f.data = dgram + off;
	return f;
}

static struct fc_ipfrag *new_r(uint32_t max_dgrams, uint64_t max_bytes)
{
	struct fc_ipfrag_config c = { .max_datagrams = max_dgrams, .max_bytes = max_bytes };
	struct fc_ipfrag *r = fc_ipfrag_new(&c);

	assert_non_null(r);
	return r;
}

/* Feed f; returns whether it completed, checking the payload if so. */
static bool feed(struct fc_ipfrag *r, struct fc_ip_fragment f, int64_t ts,
		 uint32_t want_len)
{
	const uint8_t *out = NULL;
	uint32_t len = 0;

	if (!fc_ipfrag_add(r, &f, ts, &out, &len))
		return false;
	assert_int_equal(len, want_len);
	assert_memory_equal(out, dgram, len);
	return true;
}

static void test_in_order(void **state)
{
	struct fc_ipfrag *r = new_r(0, 0);

	(void)state;
	fill();
	assert_false(feed(r, frag(1, 0, 8, true), 0, 40));
	assert_false(feed(r, frag(1, 8, 16, true), 1, 40));
	assert_true(feed(r, frag(1, 24, 16, false), 2, 40));
	assert_int_equal(fc_ipfrag_stats(r)->reassembled, 1);
	assert_int_equal(fc_ipfrag_stats(r)->fragments, 3);
	fc_ipfrag_flush(r);
	assert_int_equal(fc_ipfrag_stats(r)->incomplete, 0);
	fc_ipfrag_free(r);
}

/* The last fragment first, then the rest backwards: the total is known
 * early, completion comes with the first fragment. */
static void test_out_of_order(void **state)
{
	struct fc_ipfrag *r = new_r(0, 0);

	(void)state;
	fill();
	assert_false(feed(r, frag(2, 24, 16, false), 0, 40));
	assert_false(feed(r, frag(2, 8, 16, true), 0, 40));
	assert_true(feed(r, frag(2, 0, 8, true), 0, 40));
	/* Two trains interleaved, told apart by their identification. */
	assert_false(feed(r, frag(3, 0, 8, true), 0, 24));
	assert_false(feed(r, frag(4, 16, 8, false), 0, 24));
	assert_false(feed(r, frag(3, 16, 8, false), 0, 24));
	assert_true(feed(r, frag(4, 0, 16, true), 0, 24));
	assert_true(feed(r, frag(3, 8, 8, true), 0, 24));
	assert_int_equal(fc_ipfrag_stats(r)->reassembled, 3);
	fc_ipfrag_free(r);
}

/* Overlaps: the first copy of each byte wins; different bytes in a later
 * fragment are a conflict, identical ones a duplicate. */
static void test_overlap_first_wins(void **state)
{
	struct fc_ipfrag *r = new_r(0, 0);
	struct fc_ip_fragment f;
	uint8_t evil[32];
	const uint8_t *out;
	uint32_t len;

	(void)state;
	fill();
	assert_false(feed(r, frag(5, 8, 16, true), 0, 40));
	/* [0, 32) overlaps [8, 24) with other bytes there. */
	memcpy(evil, dgram, 32);
	memset(evil + 8, 0xEE, 16);
	f = frag(5, 0, 32, true);
	f.data = evil;
	assert_int_equal(fc_ipfrag_add(r, &f, 0, &out, &len), 0);
	assert_int_equal(fc_ipfrag_stats(r)->conflicts, 1);
	/* An identical copy of what is held adds nothing. */
	assert_false(feed(r, frag(5, 8, 16, true), 0, 40));
	assert_int_equal(fc_ipfrag_stats(r)->duplicates, 1);
	/* The end, overlapping [24, 32) identically: completes with the
	 * first copy's bytes, not 0xEE. */
	assert_true(feed(r, frag(5, 24, 16, false), 0, 40));
	assert_int_equal(fc_ipfrag_stats(r)->conflicts, 1);
	fc_ipfrag_free(r);
}

/* A train whose last fragment never comes is given up: after the timeout
 * (capture time), or at the end of the capture. */
static void test_incomplete(void **state)
{
	struct fc_ipfrag *r = new_r(0, 0);

	(void)state;
	fill();
	assert_false(feed(r, frag(6, 0, 8, true), 0, 40));
	assert_false(feed(r, frag(6, 8, 16, true), 1000, 40));
	/* 31 s later another train: the first one is gone. */
	assert_false(feed(r, frag(7, 0, 8, true), 31000000, 40));
	assert_int_equal(fc_ipfrag_stats(r)->incomplete, 1);
	/* Its end alone now cannot complete it. */
	assert_false(feed(r, frag(6, 24, 16, false), 31000001, 40));
	fc_ipfrag_flush(r);
	assert_int_equal(fc_ipfrag_stats(r)->incomplete, 3);
	assert_int_equal(fc_ipfrag_stats(r)->reassembled, 0);
	fc_ipfrag_free(r);
}

/* Bytes beyond 65535 are refused, as is a train of too many pieces. */
static void test_too_big(void **state)
{
	struct fc_ipfrag *r = new_r(0, 0);
	uint32_t off = 0;

	(void)state;
	fill();
	assert_false(feed(r, frag(8, 0, 1480, true), 0, 0));
	assert_false(feed(r, frag(8, 65528, 16, false), 0, 0));
	assert_int_equal(fc_ipfrag_stats(r)->too_big, 1);
	/* 8-byte pieces with gaps between them: more than the piece limit. */
	for (uint32_t i = 0; i <= FC_IPFRAG_MAX_PIECES; i++, off += 16)
		assert_false(feed(r, frag(9, off, 8, true), 0, 0));
	assert_int_equal(fc_ipfrag_stats(r)->too_big, 2);
	/* Exactly 65535 bytes is allowed. */
	assert_false(feed(r, frag(10, 0, 65528, true), 0, 65535));
	assert_true(feed(r, frag(10, 65528, 7, false), 0, 65535));
	fc_ipfrag_free(r);
}

/* Memory stays under the budget and the datagrams in progress under
 * their limit, the oldest given up first, whatever the flood. */
static void test_bounds(void **state)
{
	struct fc_ipfrag *r = new_r(16, 64 << 10);

	(void)state;
	fill();
	for (uint32_t id = 0; id < 100000; id++)
		assert_false(feed(r, frag(100 + id, 0, 1480, true), id, 0));
	assert_true(fc_ipfrag_stats(r)->peak_bytes <= 64 << 10);
	assert_int_equal(fc_ipfrag_stats(r)->incomplete, 100000 - 16);
	/* The newest train can still complete. */
	assert_true(feed(r, frag(100 + 99999, 1480, 8, false), 100000, 1488));
	fc_ipfrag_free(r);

	/* A byte budget of 8 KiB binds first: about 5 trains of 1480 bytes. */
	r = new_r(1000, 8 << 10);
	for (uint32_t id = 0; id < 100000; id++)
		assert_false(feed(r, frag(100 + id, 0, 1480, true), id, 0));
	assert_true(fc_ipfrag_stats(r)->peak_bytes <= 8 << 10);
	assert_true(fc_ipfrag_stats(r)->incomplete >= 100000 - 6);
	fc_ipfrag_free(r);
}

/* A TCP segment (20-byte header, "abcd") in two IPv6 fragments: the
 * second is a hand-built Ethernet packet with a Fragment header (offset
 * 16, M=0, id 0x01020304, next header TCP), parsed for reassembly. */
static void test_ipv6_fragment_header(void **state)
{
	uint8_t tcp[24], p[14 + 40 + 8 + 8];
	struct fc_tcp_seg seg;
	struct fc_ip_fragment f, first;
	struct fc_ipfrag *r = new_r(0, 0);
	const uint8_t *out;
	uint32_t len;

	(void)state;
	memset(tcp, 0, sizeof(tcp));
	tcp[0] = 0x9c, tcp[1] = 0x40; /* 40000 */
	tcp[2] = 0x1f, tcp[3] = 0x41; /* 8001 */
	tcp[7] = 1; /* seq 1 */
	tcp[12] = 0x50; /* 20-byte header */
	tcp[13] = 0x18; /* PSH ACK */
	memcpy(tcp + 20, "abcd", 4);

	memset(p, 0, sizeof(p));
	p[12] = 0x86, p[13] = 0xdd;
	p[14] = 0x60;
	p[14 + 5] = 8 + 8; /* payload length */
	p[14 + 6] = 44; /* Fragment header */
	p[14 + 8] = 0xfd, p[14 + 23] = 1;
	p[14 + 24] = 0xfd, p[14 + 39] = 2;
	p[54] = 6; /* next: TCP */
	p[57] = 16; /* offset 16 bytes (2 units << 3), M = 0 */
	p[58] = 1, p[59] = 2, p[60] = 3, p[61] = 4;
	memcpy(p + 62, tcp + 16, 8);
	assert_int_equal(fc_packet_parse_frag(1, p, sizeof(p), sizeof(p), &seg, NULL, &f),
			 FC_PARSE_FRAGMENT);
	assert_int_equal(f.key.src.family, 6);
	assert_int_equal(f.key.id, 0x01020304);
	assert_int_equal(f.key.proto, 6);
	assert_int_equal(f.offset, 16);
	assert_false(f.more);
	assert_int_equal(f.len, 8);
	assert_false(f.cut);
	assert_int_equal(fc_ipfrag_add(r, &f, 0, &out, &len), 0);

	first = f;
	first.offset = 0;
	first.more = true;
	first.len = 16;
	first.data = tcp;
	assert_int_equal(fc_ipfrag_add(r, &first, 0, &out, &len), 1);
	assert_int_equal(len, 24);
	assert_memory_equal(out, tcp, 24);
	assert_int_equal(fc_packet_parse_reassembled(&first.key, out, len, &seg, NULL),
			 FC_PARSE_TCP);
	assert_int_equal(seg.key.sport, 40000);
	assert_int_equal(seg.key.dport, 8001);
	assert_int_equal(seg.key.src.bytes[15], 1);
	assert_int_equal(seg.seq, 1);
	assert_int_equal(seg.payload_len, 4);
	assert_memory_equal(seg.payload, "abcd", 4);
	fc_ipfrag_free(r);
}

/* An IPv4 fragment cut by the snaplen can never complete its datagram. */
static void test_cut_fragment(void **state)
{
	struct fc_ipfrag *r = new_r(0, 0);
	struct fc_ip_fragment f;
	const uint8_t *out;
	uint32_t len;

	(void)state;
	fill();
	assert_false(feed(r, frag(11, 0, 8, true), 0, 16));
	f = frag(11, 8, 8, false);
	f.cut = true;
	assert_int_equal(fc_ipfrag_add(r, &f, 0, &out, &len), 0);
	assert_int_equal(fc_ipfrag_stats(r)->incomplete, 1);
	fc_ipfrag_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_overlap_first_wins),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_ipv6_fragment_header),
		cmocka_unit_test(test_cut_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
