/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_siphash.c - SipHash-2-4 against the paper's values, SipHash-1-3
 * against CPython's, and the flow table's keyed hash: symmetric in the
 * two directions (IPv4, IPv6, one address talking to itself), changed by
 * the key, and not fooled by addresses crafted against the old unkeyed
 * hash.
 *
 *   key 00 01 .. 0f, message 00 01 .. 0e -> a129ca6149be45e5  (the paper's
 *   appendix A example); the empty message -> 726fdb47dd0e0e31.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fc_engine.h"
#include "fc_siphash.h"

static const uint8_t seq_key[16] = { 0, 1, 2, 3, 4, 5, 6, 7,
				     8, 9, 10, 11, 12, 13, 14, 15 };

static void test_paper_vectors(void **state)
{
	uint8_t msg[64];

	(void)state;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(fc_siphash24(seq_key, msg, 15) == 0xa129ca6149be45e5ULL);
	assert_true(fc_siphash24(seq_key, msg, 0) == 0x726fdb47dd0e0e31ULL);
}

/* SipHash-1-3 under the zero key, as CPython 3.11 computes it for
 * hash(bytes(range(n))) with PYTHONHASHSEED=0 (which zeroes its key;
 * sys.hash_info.algorithm is 'siphash13'): an implementation written
 * apart from this one. The lengths cover a tail only, a whole word, a
 * word and a tail of 4 (an IPv4 flow key), of 7, and two whole words. */
static void test_siphash13_vectors(void **state)
{
	static const struct { size_t n; uint64_t tag; } v[] = {
		{ 1, 0x68a914128e01e473ULL },
		{ 8, 0xead411e67ebe2eeaULL },
		{ 12, 0xa6baf4fb0f9fe1c2ULL },
		{ 15, 0xf30eb725bb91c9eaULL },
		{ 16, 0x8972188433a5c5b7ULL },
	};
	const uint8_t zero_key[16] = { 0 };
	uint8_t msg[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(fc_siphash13(zero_key, msg, v[i].n) == v[i].tag);
	/* The word form reads the same bytes, low first, and ignores
	 * what lies past len in its last word. */
	for (size_t n = 0; n <= 16; n++) {
		uint64_t w[2] = { 0, 0 };

		for (size_t i = 0; i < 16; i++)
			w[i / 8] |= (uint64_t)(i < n ? msg[i] : 0xa5) << 8 * (i % 8);
		assert_true(fc_siphash13_words(zero_key, w, n) ==
			    fc_siphash13(zero_key, msg, n));
		assert_true(fc_siphash13_words(seq_key, w, n) ==
			    fc_siphash13(seq_key, msg, n));
	}
	/* Not SipHash-2-4 under another name. */
	assert_true(fc_siphash13(seq_key, msg, 15) != 0xa129ca6149be45e5ULL);
}

/* Each length reads exactly its bytes: what follows in memory does not
 * count, and one more byte (even a zero) gives another tag. */
static void test_length_matters(void **state)
{
	uint8_t a[40] = { 0 }, b[40];

	(void)state;
	memset(b, 0xee, sizeof(b));
	memset(b, 0, 20);
	for (size_t n = 0; n < 20; n++) {
		assert_true(fc_siphash24(seq_key, a, n) == fc_siphash24(seq_key, b, n));
		assert_true(fc_siphash24(seq_key, a, n) != fc_siphash24(seq_key, a, n + 1));
		assert_true(fc_siphash13(seq_key, a, n) == fc_siphash13(seq_key, b, n));
		assert_true(fc_siphash13(seq_key, a, n) != fc_siphash13(seq_key, a, n + 1));
	}
}

static struct fc_flow_key v4_key(uint32_t cli, uint16_t cport, uint32_t srv,
				 uint16_t sport)
{
	struct fc_flow_key k;

	memset(&k, 0, sizeof(k));
	k.src.family = k.dst.family = 4;
	memcpy(k.src.bytes, &cli, 4);
	memcpy(k.dst.bytes, &srv, 4);
	k.sport = cport;
	k.dport = sport;
	return k;
}

static struct fc_flow_key reversed(const struct fc_flow_key *k)
{
	struct fc_flow_key r = *k;

	r.src = k->dst;
	r.dst = k->src;
	r.sport = k->dport;
	r.dport = k->sport;
	return r;
}

static void test_flow_hash_symmetric(void **state)
{
	uint8_t key[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)(0x5a ^ i * 37);
	for (uint32_t i = 0; i < 5000; i++) {
		struct fc_flow_key k = v4_key(0x0a000000u + i * 7919u, (uint16_t)(1024 + i),
					      0x0a000002u, 8001), r = reversed(&k);

		assert_int_equal(fc_flow_hash(key, &k), fc_flow_hash(key, &r));
		/* Both ends on one address: the ports alone order them. */
		k.dst = k.src;
		r = reversed(&k);
		assert_int_equal(fc_flow_hash(key, &k), fc_flow_hash(key, &r));
		/* IPv6, and IPv6 on one address. */
		k.src.family = k.dst.family = 6;
		k.dst.bytes[15] = (uint8_t)i;
		r = reversed(&k);
		assert_int_equal(fc_flow_hash(key, &k), fc_flow_hash(key, &r));
		k.dst = k.src;
		r = reversed(&k);
		assert_int_equal(fc_flow_hash(key, &k), fc_flow_hash(key, &r));
	}
}

/* VLAN tags are part of the key: the same 4-tuple on two VLANs are two
 * connections, normally in two buckets. */
static void test_flow_hash_vlan(void **state)
{
	struct fc_flow_key a = v4_key(0x0a000001u, 40000, 0x0a000002u, 8001), b;

	(void)state;
	a.nvlan = 1;
	a.vlan[0] = 100;
	b = a;
	b.vlan[0] = 200;
	assert_int_not_equal(fc_flow_hash(seq_key, &a), fc_flow_hash(seq_key, &b));
	b.nvlan = 0;
	b.vlan[0] = 0;
	assert_int_not_equal(fc_flow_hash(seq_key, &a), fc_flow_hash(seq_key, &b));
}

/* Two keys choose unrelated buckets: flows that share a bucket under one
 * key are spread by another, and over many flows the two choices agree
 * about as often as chance (1 in the number of buckets). */
static void test_key_changes_bucket(void **state)
{
	uint8_t k1[16] = { 0 }, k2[16] = { 0 };
	const uint32_t mask = 1023, n = 20000;
	uint32_t same = 0, in_bucket0 = 0, spread_to = 0;
	uint8_t *seen = calloc(mask + 1, 1);

	(void)state;
	assert_non_null(seen);
	k2[15] = 1;
	for (uint32_t i = 0; i < n; i++) {
		struct fc_flow_key k = v4_key(0xc0a80000u + i, 50000, 0x0a000002u, 80);
		uint32_t b1 = fc_flow_hash(k1, &k) & mask, b2 = fc_flow_hash(k2, &k) & mask;

		same += b1 == b2;
		if (b1 == 0) {
			in_bucket0++;
			if (!seen[b2]++)
				spread_to++;
		}
	}
	free(seen);
	/* Expected about n / 1024 = 20 agreements and ~20 flows in bucket 0. */
	assert_in_range(same, 0, 80);
	assert_in_range(in_bucket0, 5, 80);
	assert_true(spread_to * 10 >= in_bucket0 * 8);
}

/* The addresses fc-pcapgen's hash-collide scenario builds: 20,000 IPv6
 * clients whose old unkeyed hashes were all equal. Under the keyed hash
 * the fullest of 32768 buckets (the table for 20,000 flows) holds a
 * handful, whatever the key. */
static void test_old_collisions_spread(void **state)
{
	const uint64_t golden = 0x9e3779b97f4a7c15ULL, x = 0x5eed;
	const uint16_t cport = 40000;
	uint8_t keys[3][16] = { { 0 }, { 0 } };
	uint16_t *load = calloc(32768, sizeof(*load));

	(void)state;
	assert_non_null(load);
	memcpy(keys[1], seq_key, 16);
	memset(keys[2], 0xff, 16);
	for (int k = 0; k < 3; k++) {
		uint16_t max = 0;

		memset(load, 0, 32768 * sizeof(*load));
		for (uint64_t i = 0; i < 20000; i++) {
			struct fc_flow_key fk;
			uint64_t w0 = 0xfd | i << 32,
				 w1 = w0 * golden ^ x ^ ((uint64_t)cport << 8 | 6) << 40;
			uint32_t b;

			memset(&fk, 0, sizeof(fk));
			fk.src.family = fk.dst.family = 6;
			memcpy(fk.src.bytes, &w0, 8);
			memcpy(fk.src.bytes + 8, &w1, 8);
			fk.dst.bytes[0] = 0xfd;
			fk.dst.bytes[15] = 2;
			fk.sport = cport;
			fk.dport = 8001;
			b = fc_flow_hash(keys[k], &fk) & 32767;
			if (++load[b] > max)
				max = load[b];
		}
		/* Balls in bins: the fullest of 32768 holds ~6 of 20,000. */
		assert_in_range(max, 1, 12);
	}
	free(load);
}

/* The quick hash (the flow table's first): the same for both directions,
 * SipHash-1-3 for every key but an untagged IPv4 pair, another layout
 * under another key, and pairs in a row (a scanner's addresses and
 * ports) spread like balls in bins: the fullest of 32768 slots holds a
 * handful of 20,000, under every key tried. */
static void test_quick_hash(void **state)
{
	uint8_t keys[3][16] = { { 0 }, { 0 } };
	uint16_t *load = calloc(32768, sizeof(*load));
	uint32_t same = 0;

	(void)state;
	assert_non_null(load);
	memcpy(keys[1], seq_key, 16);
	memset(keys[2], 0xff, 16);
	for (uint32_t i = 0; i < 5000; i++) {
		struct fc_flow_key k = v4_key(0x0a000000u + i * 7919u, (uint16_t)(1024 + i),
					      0x0a000002u, 8001), r = reversed(&k);

		assert_int_equal(fc_flow_hash_quick(keys[1], &k), fc_flow_hash_quick(keys[1], &r));
		same += (fc_flow_hash_quick(keys[0], &k) & 1023) ==
			(fc_flow_hash_quick(keys[1], &k) & 1023);
		k.nvlan = 1;
		k.vlan[0] = 7;
		assert_int_equal(fc_flow_hash_quick(keys[1], &k), fc_flow_hash(keys[1], &k));
		k.nvlan = 0;
		k.src.family = k.dst.family = 6;
		assert_int_equal(fc_flow_hash_quick(keys[1], &k), fc_flow_hash(keys[1], &k));
	}
	assert_in_range(same, 0, 25); /* ~5 by chance */
	for (int kk = 0; kk < 3; kk++) {
		for (int pattern = 0; pattern < 3; pattern++) {
			uint16_t max = 0;

			memset(load, 0, 32768 * sizeof(*load));
			for (uint32_t i = 0; i < 20000; i++) {
				struct fc_flow_key k =
					pattern == 0 ? v4_key(0x0a000001u, (uint16_t)(1024 + i),
							      0x0a000002u, 80)
					: pattern == 1 ? v4_key(0x0a000000u + i, 40000, 0x0a000002u, 80)
						       : v4_key(0x0a000000u + (i >> 8),
								(uint16_t)(1024 + (i & 255)),
								0x0a000002u, 80);
				uint32_t b = fc_flow_hash_quick(keys[kk], &k) & 32767;

				if (++load[b] > max)
					max = load[b];
			}
			assert_in_range(max, 1, 12);
		}
	}
	free(load);
}

/* Pairs in a row in a table probed linearly, as the flow table is:
 * 50,000 connections in 65,536 slots (the default table, full), from one
 * address on ports in a row (fc-pcapgen conns-open) and from addresses
 * in a row on 40,000 ports each (bench-conns). A hash that keeps such a
 * row's structure (a multilinear one alone maps it to slots a fixed
 * step apart) lays them out in long runs under some keys, and a lookup
 * walks the run: the quick hash must probe like a random one under
 * every key tried (a random hash: about 3 slots an insertion here). */
static void test_quick_hash_probes_rows(void **state)
{
	enum { SLOTS = 65536, N = 50000, KEYS = 24 };
	uint8_t *used = malloc(SLOTS);

	(void)state;
	assert_non_null(used);
	for (int pattern = 0; pattern < 2; pattern++) {
		for (int kk = 0; kk < KEYS; kk++) {
			uint8_t key[16] = { 0 };
			uint64_t probes = 0, longest = 0;

			key[0] = (uint8_t)kk;
			key[9] = (uint8_t)(kk * 37 + pattern);
			memset(used, 0, SLOTS);
			for (uint32_t i = 0; i < N; i++) {
				struct fc_flow_key k =
					pattern == 0 ? v4_key(0x0100000au, (uint16_t)(40000 + i),
							      0x0200000au, 8001)
						     : v4_key(0x0100800au + (i / 40000 << 24),
							      (uint16_t)(20000 + i % 40000),
							      0x0200000au, 8001);
				uint32_t at = fc_flow_hash_quick(key, &k) & (SLOTS - 1), n = 0;

				while (used[at]) {
					at = (at + 1) & (SLOTS - 1);
					n++;
				}
				used[at] = 1;
				probes += n;
				if (n > longest)
					longest = n;
			}
			if (probes > 8ull * N || longest > 2000)
				fail_msg("pattern %d key %d: %llu probes, longest %llu", pattern, kk,
					 (unsigned long long)probes, (unsigned long long)longest);
		}
	}
	free(used);
}

/* The key mixed in once (fc_siphash_init, kept by the flow table) gives
 * the tags of the keyed functions, for words and for bytes, at every
 * length up to three words, and another key other tags. */
static void test_state_once(void **state)
{
	uint8_t msg[24], other[16];
	uint64_t w[3];
	struct fc_siphash_state st, st2;

	(void)state;
	for (int i = 0; i < 24; i++)
		msg[i] = (uint8_t)(0x5a ^ (i * 37));
	memcpy(w, msg, sizeof(w)); /* little-endian: the words hold msg */
	memcpy(other, seq_key, 16);
	other[15] ^= 1;
	fc_siphash_init(&st, seq_key);
	fc_siphash_init(&st2, other);
	for (size_t n = 0; n <= 24; n++) {
		uint64_t t13 = fc_siphash13(seq_key, msg, n);

		assert_true(fc_siphash_cd_from(&st, msg, NULL, n, 1, 3) == t13);
		assert_true(fc_siphash_cd_from(&st, msg, NULL, n, 2, 4) ==
			    fc_siphash24(seq_key, msg, n));
		assert_true(fc_siphash_cd_from(&st2, msg, NULL, n, 1, 3) ==
			    fc_siphash13(other, msg, n));
		assert_true(fc_siphash_cd_from(&st2, msg, NULL, n, 1, 3) != t13);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		assert_true(fc_siphash_cd_from(&st, NULL, w, n, 1, 3) == t13);
#endif
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paper_vectors),
		cmocka_unit_test(test_siphash13_vectors),
		cmocka_unit_test(test_state_once),
		cmocka_unit_test(test_length_matters),
		cmocka_unit_test(test_flow_hash_symmetric),
		cmocka_unit_test(test_flow_hash_vlan),
		cmocka_unit_test(test_key_changes_bucket),
		cmocka_unit_test(test_old_collisions_spread),
		cmocka_unit_test(test_quick_hash),
		cmocka_unit_test(test_quick_hash_probes_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
