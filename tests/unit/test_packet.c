/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_packet.c - fc_packet_parse over hand-built link/IP/TCP records.
 *
 * Every record is assembled byte by byte here, so each test states the
 * wire image it feeds in:
 *
 *   [link][tags] [IPv4 20 | IPv6 40 + ext] [TCP 20 + opts] payload
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fc_packet.h"

enum {
	DLT_NULL_ = 0,
	DLT_EN10MB_ = 1,
	DLT_RAW_ = 12,
	DLT_RAW_OPENBSD_ = 14,
	LINKTYPE_RAW_ = 101,
	DLT_LOOP_ = 108,
	DLT_LINUX_SLL_ = 113,
	LINKTYPE_IPV4_ = 228,
	LINKTYPE_IPV6_ = 229,
	DLT_LINUX_SLL2_ = 276,
};

/* A record under construction. */
struct pb {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct pb *p, unsigned v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = (uint8_t)v;
}

static void put16(struct pb *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v);
}

static void put32(struct pb *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static void put_le32(struct pb *p, uint32_t v)
{
	put8(p, v);
	put8(p, v >> 8);
	put8(p, v >> 16);
	put8(p, v >> 24);
}

static void putn(struct pb *p, const void *src, size_t len)
{
	assert_true(len <= sizeof(p->b) - p->n);
	memcpy(p->b + p->n, src, len);
	p->n += len;
}

static void put_zero(struct pb *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put8(p, 0);
}

static void set16(struct pb *p, size_t at, unsigned v)
{
	p->b[at] = (uint8_t)(v >> 8);
	p->b[at + 1] = (uint8_t)v;
}

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 7 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, 0xcd };
static const char payload5[] = "hello";

static void put_eth(struct pb *p, unsigned type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

	putn(p, macs, sizeof(macs));
	put16(p, type);
}

static void put_tag(struct pb *p, unsigned tci, unsigned type)
{
	put16(p, tci);
	put16(p, type);
}

/* l4len is what follows the 20-byte header: TCP header + payload. */
static void put_ipv4(struct pb *p, unsigned proto, unsigned l4len,
		     unsigned frag)
{
	put8(p, 0x45);
	put8(p, 0);
	put16(p, 20 + l4len);
	put16(p, 0x1234);
	put16(p, frag);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	putn(p, v4_src, 4);
	putn(p, v4_dst, 4);
}

static void put_ipv6(struct pb *p, unsigned nxt, unsigned plen)
{
	put32(p, 0x60000000);
	put16(p, plen);
	put8(p, nxt);
	put8(p, 64);
	putn(p, v6_src, 16);
	putn(p, v6_dst, 16);
}

/* An 8-byte options-style extension header full of padding. */
static void put_ext8(struct pb *p, unsigned nxt)
{
	put8(p, nxt);
	put8(p, 0);
	put8(p, 1); /* PadN, 4 bytes */
	put8(p, 4);
	put_zero(p, 4);
}

static void put_frag6(struct pb *p, unsigned nxt, unsigned offset, bool more)
{
	put8(p, nxt);
	put8(p, 0);
	put16(p, offset << 3 | (more ? 1 : 0));
	put32(p, 0xdeadbeef);
}

/* doff in 32-bit words; option space is filled with NOPs. */
static void put_tcp(struct pb *p, unsigned doff, unsigned flags)
{
	put16(p, 40000);
	put16(p, 80);
	put32(p, 0x01020304);
	put32(p, 0xa0b0c0d0);
	put8(p, doff << 4);
	put8(p, flags);
	put16(p, 65535);
	put16(p, 0);
	put16(p, 0);
	for (unsigned i = 20; i < doff * 4; i++)
		put8(p, 1);
}

static void put_tcp_payload5(struct pb *p)
{
	put_tcp(p, 5, FC_TH_PUSH | FC_TH_ACK);
	putn(p, payload5, 5);
}

/* Appends an IPv4 header (IPv6 when v6) and put_tcp_payload5(). */
static void put_ip_tcp5(struct pb *p, bool v6)
{
	if (v6)
		put_ipv6(p, 6, 25);
	else
		put_ipv4(p, 6, 25, 0);
	put_tcp_payload5(p);
}

/* Parse the first caplen bytes of p, copied so they end exactly where the
 * heap block `tail` (p->n bytes) ends: ASan then sees any overread. */
static enum fc_parse_status parse_tail(int dlt, const struct pb *p,
				       uint8_t *tail, size_t caplen,
				       struct fc_tcp_seg *seg, const char **why,
				       size_t *payload_off)
{
	uint8_t *data = tail + (p->n - caplen);
	enum fc_parse_status st;

	memcpy(data, p->b, caplen);
	st = fc_packet_parse(dlt, data, (uint32_t)caplen, 0, seg, why);
	if (st == FC_PARSE_TCP) {
		assert_true(seg->payload >= data);
		*payload_off = (size_t)(seg->payload - data);
	}
	return st;
}

static enum fc_parse_status parse(int dlt, const struct pb *p,
				  struct fc_tcp_seg *seg)
{
	return fc_packet_parse(dlt, p->b, (uint32_t)p->n, 0, seg, NULL);
}

/* Asserts that fc_packet_parse() of all of p under dlt is
 * FC_PARSE_MALFORMED with a reason: `reason` itself, or any when NULL. */
static void assert_malformed(int dlt, const struct pb *p, const char *reason)
{
	struct fc_tcp_seg s;
	const char *why = NULL;

	assert_int_equal(fc_packet_parse(dlt, p->b, (uint32_t)p->n, 0, &s, &why),
			 FC_PARSE_MALFORMED);
	if (reason)
		assert_string_equal(why, reason);
	else
		assert_non_null(why);
}

static void assert_v4_key(const struct fc_tcp_seg *s)
{
	static const uint8_t zero[12];

	assert_int_equal(s->key.src.family, 4);
	assert_int_equal(s->key.dst.family, 4);
	assert_memory_equal(s->key.src.bytes, v4_src, 4);
	assert_memory_equal(s->key.dst.bytes, v4_dst, 4);
	assert_memory_equal(s->key.src.bytes + 4, zero, 12);
	assert_memory_equal(s->key.dst.bytes + 4, zero, 12);
	assert_int_equal(s->key.sport, 40000);
	assert_int_equal(s->key.dport, 80);
}

static void assert_v6_key(const struct fc_tcp_seg *s)
{
	assert_int_equal(s->key.src.family, 6);
	assert_int_equal(s->key.dst.family, 6);
	assert_memory_equal(s->key.src.bytes, v6_src, 16);
	assert_memory_equal(s->key.dst.bytes, v6_dst, 16);
	assert_int_equal(s->key.sport, 40000);
	assert_int_equal(s->key.dport, 80);
}

/* The segment put_tcp_payload5() built, found at offset `at`. */
static void assert_payload5(const struct pb *p, const struct fc_tcp_seg *s,
			    size_t at)
{
	assert_ptr_equal(s->payload, p->b + at);
	assert_int_equal(s->payload_len, 5);
	assert_int_equal(s->payload_captured, 5);
	assert_memory_equal(s->payload, payload5, 5);
}

/* Asserts that p parses under dlt as the put_ip_tcp5() segment: TCP, the
 * addresses and ports of its IP version (IPv6 when v6), the payload at
 * offset `at`; the segment in s. */
static void assert_tcp5(int dlt, const struct pb *p, struct fc_tcp_seg *s, bool v6,
			size_t at)
{
	assert_int_equal(parse(dlt, p, s), FC_PARSE_TCP);
	if (v6)
		assert_v6_key(s);
	else
		assert_v4_key(s);
	assert_payload5(p, s, at);
}

static void eth_ipv4_tcp(struct pb *p)
{
	put_eth(p, 0x0800);
	put_ip_tcp5(p, false);
}

static void test_eth_ipv4_tcp(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	eth_ipv4_tcp(&p);
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_v4_key(&s);
	assert_int_equal(s.key.nvlan, 0);
	assert_int_equal(s.key.vlan[0], 0);
	assert_int_equal(s.seq, 0x01020304);
	assert_int_equal(s.ack, 0xa0b0c0d0);
	assert_int_equal(s.flags, FC_TH_PUSH | FC_TH_ACK);
	assert_payload5(&p, &s, 54);
}

/* Callers hash and compare keys bytewise: padding must come back zero. */
static void test_key_bytewise_comparable(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;
	struct fc_flow_key want;

	put_eth(&p, 0x8100);
	put_tag(&p, 9, 0x0800);
	put_ip_tcp5(&p, false);
	memset(&want, 0, sizeof(want));
	want.src.family = want.dst.family = 4;
	memcpy(want.src.bytes, v4_src, 4);
	memcpy(want.dst.bytes, v4_dst, 4);
	want.sport = 40000;
	want.dport = 80;
	want.nvlan = 1;
	want.vlan[0] = 9;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_memory_equal(&s.key, &want, sizeof(want));
}

static void test_tcp_flags_low_six_bits(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x0800);
	put_ipv4(&p, 6, 20, 0);
	put_tcp(&p, 5, 0xff); /* ECE and CWR are not ours to report */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_int_equal(s.flags, 0x3f);
	assert_int_equal(s.payload_len, 0);
	assert_int_equal(s.payload_captured, 0);
}

static void test_tcp_options_skipped(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x0800);
	put_ipv4(&p, 6, 15 * 4 + 5, 0);
	put_tcp(&p, 15, FC_TH_ACK);
	putn(&p, payload5, 5);
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_payload5(&p, &s, 14 + 20 + 60);
}

static void test_eth_padding_excluded(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x0800);
	put_ipv4(&p, 6, 22, 0);
	put_tcp(&p, 5, FC_TH_ACK);
	put16(&p, 0x4142);
	put_zero(&p, 60 - p.n); /* minimum frame padding */
	put_zero(&p, 4); /* and a trailing FCS */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 2);
	assert_int_equal(s.payload_captured, 2);
	assert_int_equal(s.payload[0], 0x41);
}

static void test_ipv4_options(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x0800);
	put_ipv4(&p, 6, 8 + 25, 0);
	p.b[14] = 0x47; /* IHL 7 */
	put32(&p, 0x01010101); /* NOPs */
	put32(&p, 0x01010100);
	put_tcp_payload5(&p);
	assert_tcp5(DLT_EN10MB_, &p, &s, false, 14 + 28 + 20);
}

/* Parses an Ethernet record of EtherType `outer`, the 802.1Q tags
 * tci[0..ntags) (each but the last followed by 0x8100, the last by the
 * IP version's type), IPv6 when v6 (else IPv4) and put_tcp_payload5();
 * asserts it parses as TCP with the payload right after the TCP header,
 * the record in p and the segment in s. */
static void parse_tagged(unsigned outer, const unsigned *tci, unsigned ntags, bool v6,
			 struct pb *p, struct fc_tcp_seg *s)
{
	p->n = 0;
	put_eth(p, outer);
	for (unsigned i = 0; i < ntags; i++)
		put_tag(p, tci[i], i + 1 < ntags ? 0x8100 : v6 ? 0x86dd : 0x0800);
	put_ip_tcp5(p, v6);
	assert_int_equal(parse(DLT_EN10MB_, p, s), FC_PARSE_TCP);
	assert_payload5(p, s, 14 + 4 * ntags + (v6 ? 40 : 20) + 20);
}

/* Asserts that s carries nvlan VLAN IDs, its first nwant being want[]. */
static void assert_vlans(const struct fc_tcp_seg *s, unsigned nvlan, const unsigned *want,
			 unsigned nwant)
{
	assert_int_equal(s->key.nvlan, nvlan);
	for (unsigned i = 0; i < nwant; i++)
		assert_int_equal(s->key.vlan[i], want[i]);
}

static void test_single_vlan(void **state)
{
	(void)state;
	static const unsigned tci[] = { 0xe000 | 100 }; /* PCP 7 must not leak into the ID */
	static const unsigned ids[] = { 100, 0 };
	struct pb p;
	struct fc_tcp_seg s;

	parse_tagged(0x8100, tci, 1, false, &p, &s);
	assert_vlans(&s, 1, ids, 2);
	assert_v4_key(&s);
}

static void test_double_vlan(void **state)
{
	(void)state;
	static const unsigned outer[] = { 0x88a8, 0x9100, 0x8100 };
	static const unsigned tci[] = { 0x1000 | 4095, 7 };
	static const unsigned ids[] = { 4095, 7 };

	for (size_t i = 0; i < sizeof(outer) / sizeof(outer[0]); i++) {
		struct pb p;
		struct fc_tcp_seg s;

		parse_tagged(outer[i], tci, 2, true, &p, &s);
		assert_vlans(&s, 2, ids, 2);
		assert_v6_key(&s);
	}
}

static void test_vlan_beyond_max_skipped(void **state)
{
	(void)state;
	struct pb p;
	struct fc_tcp_seg s;
	unsigned tci[FC_MAX_VLAN + 2];

	for (unsigned i = 0; i < FC_MAX_VLAN + 2; i++)
		tci[i] = 10 + i;
	parse_tagged(0x88a8, tci, FC_MAX_VLAN + 2, false, &p, &s);
	assert_vlans(&s, FC_MAX_VLAN, tci, FC_MAX_VLAN);
}

static void test_llc_snap(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;
	size_t len_at;

	put_eth(&p, 0);
	len_at = p.n - 2;
	putn(&p, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	put_ip_tcp5(&p, false);
	set16(&p, len_at, (unsigned)(p.n - 14));
	assert_tcp5(DLT_EN10MB_, &p, &s, false, 22 + 40);

	p.b[22 - 3] = 0x0c; /* a vendor OUI: type space unknown */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_NOT_TCP);

	p.b[14] = p.b[15] = 0x42; /* spanning tree, no SNAP */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_NOT_TCP);
}

static void test_fddi(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	putn(&p, "\x50", 1); /* frame control: async LLC */
	put_zero(&p, 12);
	putn(&p, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	put_ip_tcp5(&p, false);
	assert_tcp5(10, &p, &s, false, 21 + 40);

	p.b[13] = 0x42; /* not SNAP */
	assert_int_equal(parse(10, &p, &s), FC_PARSE_NOT_TCP);
	p.n = 15; /* cut inside the LLC header */
	assert_int_equal(parse(10, &p, &s), FC_PARSE_MALFORMED);
}

static void test_sll(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put16(&p, 0); /* to us */
	put16(&p, 1); /* ARPHRD_ETHER */
	put16(&p, 6);
	put_zero(&p, 8);
	put16(&p, 0x0800);
	put_ip_tcp5(&p, false);
	assert_tcp5(DLT_LINUX_SLL_, &p, &s, false, 16 + 40);
	assert_int_equal(s.key.nvlan, 0);
}

static void test_sll_vlan(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_zero(&p, 14);
	put16(&p, 0x8100);
	put_tag(&p, 42, 0x86dd);
	put_ip_tcp5(&p, true);
	assert_tcp5(DLT_LINUX_SLL_, &p, &s, true, 20 + 60);
	assert_int_equal(s.key.nvlan, 1);
	assert_int_equal(s.key.vlan[0], 42);
}

static void test_sll_pseudo_protocol(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_zero(&p, 14);
	put16(&p, 0x0003); /* ETH_P_ALL-ish pseudo type, not a length */
	put_ip_tcp5(&p, false);
	assert_int_equal(parse(DLT_LINUX_SLL_, &p, &s), FC_PARSE_NOT_TCP);
}

static void test_sll2(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put16(&p, 0x86dd);
	put16(&p, 0);
	put32(&p, 3); /* ifindex */
	put16(&p, 1);
	put8(&p, 4); /* outgoing */
	put8(&p, 6);
	put_zero(&p, 8);
	put_ip_tcp5(&p, true);
	assert_tcp5(DLT_LINUX_SLL2_, &p, &s, true, 20 + 60);

	set16(&p, 0, 0x0806);
	assert_int_equal(parse(DLT_LINUX_SLL2_, &p, &s), FC_PARSE_NOT_TCP);
}

static void test_null_and_loop(void **state)
{
	(void)state;
	static const uint32_t fams[] = { 2, 24, 28, 30 };
	static const int dlts[] = { DLT_NULL_, DLT_LOOP_ };

	for (size_t d = 0; d < 2; d++) {
		for (size_t f = 0; f < 4; f++) {
			for (int big = 0; big < 2; big++) {
				struct pb p = { .n = 0 };
				struct fc_tcp_seg s;

				if (big)
					put32(&p, fams[f]);
				else
					put_le32(&p, fams[f]);
				put_ip_tcp5(&p, fams[f] != 2);
				assert_tcp5(dlts[d], &p, &s, fams[f] != 2, p.n - 5);
			}
		}
	}
}

static void test_null_other_family(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_le32(&p, 7); /* AF_ISO or similar */
	put_ip_tcp5(&p, false);
	assert_int_equal(parse(DLT_NULL_, &p, &s), FC_PARSE_NOT_TCP);
	assert_int_equal(parse(DLT_LOOP_, &p, &s), FC_PARSE_NOT_TCP);
}

static void test_raw(void **state)
{
	(void)state;
	static const int raw[] = { DLT_RAW_, DLT_RAW_OPENBSD_, LINKTYPE_RAW_ };
	struct pb v4 = { .n = 0 }, v6 = { .n = 0 };
	struct fc_tcp_seg s;

	put_ip_tcp5(&v4, false);
	put_ip_tcp5(&v6, true);

	for (size_t i = 0; i < 3; i++) {
		assert_tcp5(raw[i], &v4, &s, false, 40);
		assert_tcp5(raw[i], &v6, &s, true, 60);
	}
	assert_int_equal(parse(LINKTYPE_IPV4_, &v4, &s), FC_PARSE_TCP);
	assert_v4_key(&s);
	assert_int_equal(parse(LINKTYPE_IPV6_, &v6, &s), FC_PARSE_TCP);
	assert_v6_key(&s);

	/* The link type promises a version; the packet must keep it. */
	assert_malformed(LINKTYPE_IPV4_, &v6, NULL);
	assert_int_equal(parse(LINKTYPE_IPV6_, &v4, &s), FC_PARSE_MALFORMED);
	v4.b[0] = 0x55;
	assert_int_equal(parse(DLT_RAW_, &v4, &s), FC_PARSE_MALFORMED);
}

static void test_ipv6_ext_headers(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x86dd);
	put_ipv6(&p, 0, 8 + 8 + 25);
	put_ext8(&p, 60);
	put_ext8(&p, 6);
	put_tcp_payload5(&p);
	assert_tcp5(DLT_EN10MB_, &p, &s, true, 14 + 40 + 16 + 20);
}

static void test_ipv6_routing_ah_mobility(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_ipv6(&p, 43, 24 + 16 + 8 + 25);
	/* routing, len 2: 24 bytes */
	put8(&p, 51);
	put8(&p, 2);
	put_zero(&p, 22);
	/* AH, len 2: (2 + 2) * 4 = 16 bytes */
	put8(&p, 135);
	put8(&p, 2);
	put_zero(&p, 14);
	/* mobility, len 0: 8 bytes */
	put8(&p, 6);
	put8(&p, 0);
	put_zero(&p, 6);
	put_tcp_payload5(&p);
	assert_int_equal(parse(LINKTYPE_IPV6_, &p, &s), FC_PARSE_TCP);
	assert_payload5(&p, &s, 40 + 48 + 20);
}

static void test_ipv6_not_tcp(void **state)
{
	(void)state;
	static const unsigned nxt[] = { 17, 58, 50, 59 };

	for (size_t i = 0; i < 4; i++) {
		struct pb p = { .n = 0 };
		struct fc_tcp_seg s;

		put_ipv6(&p, 60, 8 + 25);
		put_ext8(&p, nxt[i]);
		put_tcp_payload5(&p);
		assert_int_equal(parse(LINKTYPE_IPV6_, &p, &s),
				 FC_PARSE_NOT_TCP);
	}
}

static void test_ipv6_fragment(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;
	size_t frag_at;

	put_eth(&p, 0x86dd);
	put_ipv6(&p, 44, 8 + 25);
	frag_at = p.n;
	put_frag6(&p, 6, 0, true);
	put_tcp_payload5(&p);
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_FRAGMENT);

	set16(&p, frag_at + 2, 185 << 3); /* last fragment */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_FRAGMENT);

	/* RFC 6946 atomic fragment: the whole packet, so it parses on. */
	set16(&p, frag_at + 2, 0);
	assert_tcp5(DLT_EN10MB_, &p, &s, true, 14 + 48 + 20);

	/* Reserved bits alone do not make it a fragment. */
	set16(&p, frag_at + 2, 0x0006);
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);

	/* A fragment of something that is not TCP is simply not ours. */
	set16(&p, frag_at + 2, 1);
	p.b[frag_at] = 17;
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_NOT_TCP);
}

static void test_ipv6_too_many_ext(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };

	put_ipv6(&p, 60, 40 * 8 + 25);
	for (int i = 0; i < 40; i++)
		put_ext8(&p, i < 39 ? 60 : 6);
	put_tcp_payload5(&p);
	assert_malformed(LINKTYPE_IPV6_, &p, NULL);
}

static void test_ipv6_ext_beyond_payload_length(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_ipv6(&p, 60, 4); /* says 4, but the option header takes 8 */
	put_ext8(&p, 6);
	put_tcp_payload5(&p);
	assert_int_equal(parse(LINKTYPE_IPV6_, &p, &s), FC_PARSE_MALFORMED);
}

static void test_ipv6_zero_length_to_end(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_ipv6(&p, 6, 0);
	put_tcp(&p, 5, FC_TH_ACK);
	put_zero(&p, 300);
	assert_int_equal(parse(LINKTYPE_IPV6_, &p, &s), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 300);
	assert_int_equal(s.payload_captured, 300);
}

static void test_ipv6_jumbo(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_ipv6(&p, 0, 0);
	put8(&p, 6);
	put8(&p, 0);
	put8(&p, 0xc2);
	put8(&p, 4);
	put32(&p, 100000); /* hop-by-hop + TCP + payload */
	put_tcp(&p, 5, FC_TH_ACK);
	put_zero(&p, 200);
	assert_int_equal(parse(LINKTYPE_IPV6_, &p, &s), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 100000 - 8 - 20);
	assert_int_equal(s.payload_captured, 200);

	/* A jumbo length that cannot even hold the headers is a lie. */
	set16(&p, 40 + 4, 0);
	set16(&p, 40 + 6, 16);
	assert_int_equal(parse(LINKTYPE_IPV6_, &p, &s), FC_PARSE_MALFORMED);
}

static void test_ipv4_fragment(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x0800);
	put_ipv4(&p, 6, 25, 0x2000); /* MF */
	put_tcp_payload5(&p);
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_FRAGMENT);

	set16(&p, 14 + 6, 0x0010); /* offset only */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_FRAGMENT);

	set16(&p, 14 + 6, 0x4000); /* DF alone is a whole packet */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_payload5(&p, &s, 54);
}

static void test_udp_and_arp_not_tcp(void **state)
{
	(void)state;
	struct pb udp = { .n = 0 }, arp = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&udp, 0x0800);
	put_ipv4(&udp, 17, 8 + 5, 0);
	put16(&udp, 53);
	put16(&udp, 53);
	put16(&udp, 13);
	put16(&udp, 0);
	putn(&udp, payload5, 5);
	assert_int_equal(parse(DLT_EN10MB_, &udp, &s), FC_PARSE_NOT_TCP);

	put_eth(&arp, 0x0806);
	putn(&arp, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	put_zero(&arp, 20);
	assert_int_equal(parse(DLT_EN10MB_, &arp, &s), FC_PARSE_NOT_TCP);
}

/* Every cut inside the headers must be refused; every cut inside the
 * payload must shorten payload_captured but not payload_len. */
static void check_every_caplen(int dlt, const struct pb *p, size_t hdr_end)
{
	uint32_t wire = (uint32_t)(p->n - hdr_end);
	uint8_t *tail = malloc(p->n);

	assert_non_null(tail);
	for (size_t cap = 0; cap <= p->n; cap++) {
		struct fc_tcp_seg s;
		const char *why = NULL;
		size_t off = 0;
		enum fc_parse_status st =
			parse_tail(dlt, p, tail, cap, &s, &why, &off);

		if (cap < hdr_end) {
			assert_int_not_equal(st, FC_PARSE_TCP);
			if (st == FC_PARSE_MALFORMED)
				assert_non_null(why);
			else
				assert_int_equal(st, FC_PARSE_NOT_TCP);
			continue;
		}
		assert_int_equal(st, FC_PARSE_TCP);
		assert_int_equal(off, hdr_end);
		assert_int_equal(s.payload_len, wire);
		assert_int_equal(s.payload_captured, cap - hdr_end);
	}
	free(tail);
}

static void test_truncation_eth_ipv4(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };

	eth_ipv4_tcp(&p);
	check_every_caplen(DLT_EN10MB_, &p, 54);

	/* With TCP options, so the option area is cut too. */
	p.n = 0;
	put_eth(&p, 0x8100);
	put_tag(&p, 5, 0x0800);
	put_ipv4(&p, 6, 32 + 9, 0);
	put_tcp(&p, 8, FC_TH_ACK);
	putn(&p, "123456789", 9);
	check_every_caplen(DLT_EN10MB_, &p, 18 + 20 + 32);
}

static void test_truncation_ipv6_ext(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };

	put_eth(&p, 0x88a8);
	put_tag(&p, 1, 0x8100);
	put_tag(&p, 2, 0x86dd);
	put_ipv6(&p, 0, 8 + 8 + 8 + 25);
	put_ext8(&p, 44);
	put_frag6(&p, 60, 0, false);
	put_ext8(&p, 6);
	put_tcp_payload5(&p);
	check_every_caplen(DLT_EN10MB_, &p, 22 + 40 + 24 + 20);
}

static void test_truncation_other_links(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };

	put_zero(&p, 14);
	put16(&p, 0x0800);
	put_ip_tcp5(&p, false);
	check_every_caplen(DLT_LINUX_SLL_, &p, 56);

	p.n = 0;
	put16(&p, 0x86dd);
	put_zero(&p, 18);
	put_ip_tcp5(&p, true);
	check_every_caplen(DLT_LINUX_SLL2_, &p, 80);

	p.n = 0;
	put_le32(&p, 30);
	put_ip_tcp5(&p, true);
	check_every_caplen(DLT_NULL_, &p, 64);

	p.n = 0;
	put_ip_tcp5(&p, false);
	check_every_caplen(LINKTYPE_RAW_, &p, 40);

	p.n = 0;
	put_eth(&p, 0x0010);
	putn(&p, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	put_ip_tcp5(&p, false);
	check_every_caplen(DLT_EN10MB_, &p, 62);
}

static void test_bad_ihl(void **state)
{
	(void)state;
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		struct pb p = { .n = 0 };

		eth_ipv4_tcp(&p);
		p.b[14] = (uint8_t)(0x40 | ihl);
		assert_malformed(DLT_EN10MB_, &p, NULL);
	}
}

static void test_ihl_beyond_capture(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_ipv4(&p, 6, 0, 0);
	p.b[0] = 0x4f; /* 60-byte header in a 20-byte record */
	assert_int_equal(parse(LINKTYPE_IPV4_, &p, &s), FC_PARSE_MALFORMED);
}

static void test_bad_data_offset(void **state)
{
	(void)state;
	for (unsigned doff = 0; doff < 5; doff++) {
		struct pb p = { .n = 0 };

		eth_ipv4_tcp(&p);
		p.b[54 - 8] = (uint8_t)(doff << 4);
		assert_malformed(DLT_EN10MB_, &p, "bad TCP data offset");
	}
}

static void test_total_length_too_small(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };

	eth_ipv4_tcp(&p);
	set16(&p, 16, 19); /* shorter than its own header */
	assert_malformed(DLT_EN10MB_, &p, NULL);

	/* Room for IP but not for the TCP header it claims to carry. */
	for (unsigned tl = 20; tl < 40; tl++) {
		set16(&p, 16, tl);
		assert_malformed(DLT_EN10MB_, &p, "TCP header exceeds IP length");
	}
}

static void test_total_length_zero_to_end(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	eth_ipv4_tcp(&p);
	put_zero(&p, 900); /* an offloaded super-segment */
	set16(&p, 16, 0);
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 905);
	assert_int_equal(s.payload_captured, 905);
	assert_memory_equal(s.payload, payload5, 5);
}

static void test_snaplen_short_of_ip_length(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	put_eth(&p, 0x0800);
	put_ipv4(&p, 6, 20 + 1400, 0);
	put_tcp(&p, 5, FC_TH_ACK);
	put_zero(&p, 10); /* snaplen kept only 10 payload bytes */
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 1400);
	assert_int_equal(s.payload_captured, 10);

	/* with the wire length known: the snaplen cut 1390 bytes, all missing */
	assert_int_equal(fc_packet_parse(DLT_EN10MB_, p.b, (uint32_t)p.n,
					 (uint32_t)p.n + 1390, &s, NULL), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 1400);
	/* the wire carried only 100 more bytes: the IP length lies about the
	 * rest, which must not become a gap swallowing later sequence numbers */
	assert_int_equal(fc_packet_parse(DLT_EN10MB_, p.b, (uint32_t)p.n,
					 (uint32_t)p.n + 100, &s, NULL), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 110);
	assert_int_equal(s.payload_captured, 10);
	/* an uncut record: what was captured is all there was */
	assert_int_equal(fc_packet_parse(DLT_EN10MB_, p.b, (uint32_t)p.n,
					 (uint32_t)p.n, &s, NULL), FC_PARSE_TCP);
	assert_int_equal(s.payload_len, 10);
}

static void test_bad_ip_version(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	eth_ipv4_tcp(&p);
	p.b[14] = 0x65;
	assert_int_equal(parse(DLT_EN10MB_, &p, &s), FC_PARSE_MALFORMED);
}

static void test_unsupported_link(void **state)
{
	(void)state;
	static const int bad[] = { -1, 9, 105, 127, 113 + 1, 192, 276 + 1 };
	static const int good[] = { 0, 1, 10, 12, 14, 101, 108, 113, 228, 229, 276 };
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s;

	eth_ipv4_tcp(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(fc_link_supported(bad[i]));
		assert_int_equal(parse(bad[i], &p, &s), FC_PARSE_BAD_LINK);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(fc_link_supported(good[i]));
		assert_int_not_equal(parse(good[i], &p, &s), FC_PARSE_BAD_LINK);
	}
}

static void test_why_optional_and_seg_untouched(void **state)
{
	(void)state;
	struct pb p = { .n = 0 };
	struct fc_tcp_seg s, before;
	const char *why = "untouched";

	eth_ipv4_tcp(&p);
	memset(&s, 0x5a, sizeof(s));
	before = s;
	assert_int_equal(fc_packet_parse(DLT_EN10MB_, p.b, 30, 0, &s, NULL),
			 FC_PARSE_MALFORMED);
	assert_memory_equal(&s, &before, sizeof(s));
	assert_int_equal(fc_packet_parse(DLT_EN10MB_, NULL, 0, 0, &s, NULL),
			 FC_PARSE_MALFORMED);

	/* why is only written for malformed records. */
	assert_int_equal(fc_packet_parse(DLT_EN10MB_, p.b, (uint32_t)p.n, 0, &s,
					 &why),
			 FC_PARSE_TCP);
	assert_string_equal(why, "untouched");
}

/* Untagged Ethernet, IPv4 and TCP are read in one pass when nothing is
 * odd (fc_packet.c, parse_fast); the same IP packet under LINKTYPE_IPV4
 * always takes the general walk. Both must give the same status, segment
 * (bytewise), fragment and reason for every value of each header byte the
 * shortcut decides on and every record length. */
static void test_fast_path_matches_walk(void **state)
{
	/* IP version and length, total length, flags and offset, protocol,
	 * TCP data offset and flags. */
	static const size_t at[] = { 14, 16, 17, 20, 21, 23, 14 + 20 + 12, 14 + 20 + 13 };
	struct pb p = { .n = 0 };

	(void)state;
	eth_ipv4_tcp(&p);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		for (unsigned v = 0; v < 256; v++) {
			struct pb q = p;

			q.b[at[i]] = (uint8_t)v;
			for (uint32_t cap = 14; cap <= q.n; cap++) {
				struct fc_tcp_seg s1, s2;
				struct fc_ip_fragment f1, f2;
				const char *why1 = NULL, *why2 = NULL;
				enum fc_parse_status st1, st2;

				memset(&s1, 0x5a, sizeof(s1));
				memset(&s2, 0x5a, sizeof(s2));
				memset(&f1, 0, sizeof(f1));
				memset(&f2, 0, sizeof(f2));
				st1 = fc_packet_parse_frag(DLT_EN10MB_, q.b, cap, (uint32_t)q.n,
							   &s1, &why1, &f1);
				st2 = fc_packet_parse_frag(LINKTYPE_IPV4_, q.b + 14, cap - 14,
							   (uint32_t)q.n - 14, &s2, &why2, &f2);
				assert_int_equal(st1, st2);
				assert_memory_equal(&s1, &s2, sizeof(s1));
				assert_memory_equal(&f1, &f2, sizeof(f1));
				if (why1 || why2) {
					assert_non_null(why1);
					assert_non_null(why2);
					assert_string_equal(why1, why2);
				}
			}
		}
	}
}

static void test_format_endpoint(void **state)
{
	(void)state;
	struct fc_addr a4 = { .family = 4, .bytes = { 1, 2, 3, 4 } };
	struct fc_addr a6 = { .family = 6, .bytes = { [15] = 1 } };
	struct fc_addr a6b = { .family = 6 };
	char buf[FC_ENDPOINT_MAX];
	char small[8];

	memcpy(a6b.bytes, v6_dst, 16);
	assert_string_equal(fc_format_endpoint(&a4, 80, buf, sizeof(buf)),
			    "1.2.3.4:80");
	{ /* IPv4 is formatted by hand: every digit count, both ends */
		struct fc_addr e4 = { .family = 4, .bytes = { 0, 9, 10, 255 } };
		struct fc_addr f4 = { .family = 4, .bytes = { 255, 100, 99, 0 } };
		struct fc_addr bad = { .family = 7 };
		char *end;

		assert_string_equal(fc_format_endpoint(&e4, 0, buf, sizeof(buf)),
				    "0.9.10.255:0");
		assert_string_equal(fc_format_endpoint(&f4, 65535, buf, sizeof(buf)),
				    "255.100.99.0:65535");
		assert_string_equal(fc_format_endpoint(&bad, 7, buf, sizeof(buf)), "?:7");
		memset(buf, 'z', sizeof(buf));
		end = fc_put_endpoint(buf, &f4, 10);
		assert_int_equal(end - buf, 15);
		assert_memory_equal(buf, "255.100.99.0:10z", 16); /* no NUL */
	}
	assert_string_equal(fc_format_endpoint(&a6, 8001, buf, sizeof(buf)),
			    "[::1]:8001");
	assert_string_equal(fc_format_endpoint(&a6b, 65535, buf, sizeof(buf)),
			    "[2001:db8::abcd]:65535");

	/* The longest IPv6 text and port still fit FC_ENDPOINT_MAX. */
	memset(a6b.bytes, 0xff, 16);
	assert_string_equal(fc_format_endpoint(&a6b, 65535, buf, sizeof(buf)),
			    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");

	memset(small, 'x', sizeof(small));
	assert_ptr_equal(fc_format_endpoint(&a4, 80, small, sizeof(small)),
			 small);
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_string_equal(small, "1.2.3.4");

	small[0] = 'x';
	fc_format_endpoint(&a4, 80, small, 0);
	assert_int_equal(small[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4_tcp),
		cmocka_unit_test(test_fast_path_matches_walk),
		cmocka_unit_test(test_key_bytewise_comparable),
		cmocka_unit_test(test_tcp_flags_low_six_bits),
		cmocka_unit_test(test_tcp_options_skipped),
		cmocka_unit_test(test_eth_padding_excluded),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_single_vlan),
		cmocka_unit_test(test_double_vlan),
		cmocka_unit_test(test_vlan_beyond_max_skipped),
		cmocka_unit_test(test_llc_snap),
		cmocka_unit_test(test_fddi),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_sll_vlan),
		cmocka_unit_test(test_sll_pseudo_protocol),
		cmocka_unit_test(test_sll2),
		cmocka_unit_test(test_null_and_loop),
		cmocka_unit_test(test_null_other_family),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_ipv6_routing_ah_mobility),
		cmocka_unit_test(test_ipv6_not_tcp),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_ipv6_too_many_ext),
		cmocka_unit_test(test_ipv6_ext_beyond_payload_length),
		cmocka_unit_test(test_ipv6_zero_length_to_end),
		cmocka_unit_test(test_ipv6_jumbo),
		cmocka_unit_test(test_ipv4_fragment),
		cmocka_unit_test(test_udp_and_arp_not_tcp),
		cmocka_unit_test(test_truncation_eth_ipv4),
		cmocka_unit_test(test_truncation_ipv6_ext),
		cmocka_unit_test(test_truncation_other_links),
		cmocka_unit_test(test_bad_ihl),
		cmocka_unit_test(test_ihl_beyond_capture),
		cmocka_unit_test(test_bad_data_offset),
		cmocka_unit_test(test_total_length_too_small),
		cmocka_unit_test(test_total_length_zero_to_end),
		cmocka_unit_test(test_snaplen_short_of_ip_length),
		cmocka_unit_test(test_bad_ip_version),
		cmocka_unit_test(test_unsupported_link),
		cmocka_unit_test(test_why_optional_and_seg_untouched),
		cmocka_unit_test(test_format_endpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
