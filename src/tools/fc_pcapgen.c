/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_pcapgen.c - deterministic generator of small synthetic captures.
 *
 *   fc-pcapgen SCENARIO OUT.pcap [COUNT] [framing options]
 *   fc-pcapgen frames OUT.pcap [--port N] [--cport N] [--frames TEXT...]
 *              [--raw HEX] [--cuts OFF,OFF,...] [--end fin|rst|none]
 *              [framing options: --length-offset N, --byte-order big, ...]
 *   fc-pcapgen --list
 *
 * Every scenario is a short script over a tiny TCP model: a connection
 * keeps, for each side, the next sequence number to send and the next
 * byte it expects from the peer (with a few out-of-order ranges, as a real
 * receiver would hold them). A segment is first built (sequence number
 * taken), then "delivered" to the peer (its receive state advances) and/or
 * "wired" (written to the capture). Keeping the two apart gives the faults
 * the tests need: a segment wired twice is a retransmission, a segment
 * delivered but never wired is a hole in the capture only, a segment wired
 * late is out of order.
 *
 * Frames come from fc_profile_frame_payload() on the options' profile
 * (the default one without options), any framing, so the generator and
 * the decoder share one framing rule:
 *
 *   length     [len][payload]        the default: 4 bytes, little-endian
 *   varint     [0c]["kinght love "]  ber  [30 0c]["kinght love "]
 *   delimiter  ["kinght love "][\r\n]
 *   fixed      ["kinght love " 00 00 00 00]  a text cut into frame_size
 *                                           records, the last zero-padded
 *
 * Scenarios cut their segments relative to the frames they wrote, so each
 * keeps its meaning (a split frame, an overlap, a header cut...) in every
 * framing; those that write wrong length fields on purpose (oversize,
 * negative, zero, diag-adjust, diag-short, diag-ascii, bench-large) are
 * for the length framing only.
 * Output is byte-for-byte reproducible: fixed addresses, fixed initial
 * sequence numbers, timestamps from 1700000000.000000 in fixed steps
 * (1 ms; 10 us for the bench scenarios), a fixed pseudo-random seed.
 * The bench scenarios stream their packets to the file: memory does not
 * grow with COUNT.
 *
 * Exit status: 0 written; 1 the file could not be written; 2 bad usage.
 */
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_profile.h"
#include "fc_profile_opts.h"
#include "ref_common.h" /* ref_die */

#define EXIT_WRITE 1
#define EXIT_USAGE 2

#define LT_NULL 0
#define LT_EN10MB 1
#define LT_LINUX_SLL2 276

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_PA (TH_PSH | TH_ACK)

#define MSS 1448u /* payload per full segment (1500 - 20 - 20 - 12) */
#define MAX_PAYLOAD 65000u /* largest segment payload (IPv4 total length <= 65535) */
#define MAX_OOO 8 /* out-of-order ranges a receiver remembers */
#define EPOCH_SEC 1700000000u
#define CLIENT 0
#define SERVER 1

/* ------------------------------------------------------------------ */
/* Output file                                                         */

static struct {
	pcap_t *pd;
	pcap_dumper_t *dumper;
	int dlt; /* DLT_ value given to libpcap */
	uint32_t snaplen;
	uint64_t ts_us; /* microseconds since EPOCH_SEC */
	uint32_t step_us;
	bool pad_eth; /* pad short Ethernet frames to 60 bytes, nonzero */
	uint64_t packets;
} out;

static void fatal(const char *what, const char *detail)
{
	ref_die("fc-pcapgen", EXIT_WRITE, "%s%s%s", what, detail ? ": " : "",
		detail ? detail : "");
}

static void out_open(const char *path, int dlt, uint32_t snaplen,
		     uint32_t step_us)
{
	out.dlt = dlt;
	out.snaplen = snaplen;
	out.step_us = step_us;
	out.pd = pcap_open_dead_with_tstamp_precision(dlt, (int)snaplen,
						      PCAP_TSTAMP_PRECISION_MICRO);
	if (!out.pd)
		fatal("pcap_open_dead failed", NULL);
	out.dumper = pcap_dump_open(out.pd, path);
	if (!out.dumper)
		fatal("cannot create the output", pcap_geterr(out.pd));
}

static void out_close(void)
{
	if (pcap_dump_flush(out.dumper) != 0)
		fatal("write error", NULL);
	pcap_dump_close(out.dumper);
	pcap_close(out.pd);
}

static void out_record(const uint8_t *pkt, uint32_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)(EPOCH_SEC + out.ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(out.ts_us % 1000000u);
	h.len = len;
	h.caplen = len < out.snaplen ? len : out.snaplen;
	pcap_dump((u_char *)out.dumper, &h, pkt);
	out.ts_us += out.step_us;
	out.packets++;
}

/* ------------------------------------------------------------------ */
/* Byte helpers and checksums                                          */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Add bytes to a one's complement sum as 16-bit big-endian words. */
static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* xorshift32 with a fixed seed: the same file on every run. */
static uint32_t rng_state = 0x2545F491u;

static uint32_t rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static uint32_t rng_range(uint32_t lo, uint32_t hi)
{
	return lo + rng() % (hi - lo + 1);
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

struct endpoint {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint16_t port;
	uint8_t mac[6];
};

struct range {
	uint32_t start, end;
};

struct conn {
	int family; /* 4 or 6 */
	uint16_t vlan; /* 802.1Q VLAN ID on Ethernet; 0 = untagged */
	struct endpoint ep[2]; /* CLIENT, SERVER */
	uint32_t snd_nxt[2]; /* next sequence number side d sends */
	uint32_t rcv_nxt[2]; /* next byte side d expects from its peer */
	bool rcv_valid[2]; /* rcv_nxt[d] is known (peer's SYN seen) */
	struct range ooo[2][MAX_OOO]; /* held out-of-order data, per receiver */
	int nooo[2];
	uint16_t ip_id[2];
};

/* One TCP segment, built before it is delivered and/or captured. The
 * payload is not copied: it must outlive the segment's use. */
struct seg {
	int dir; /* sending side */
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *data;
	uint32_t len;
};

static bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static void conn_init4(struct conn *c, uint32_t cli, uint16_t cport,
		       uint32_t srv, uint16_t sport, uint32_t cisn,
		       uint32_t sisn)
{
	memset(c, 0, sizeof *c);
	c->family = 4;
	put32(c->ep[CLIENT].addr, cli);
	put32(c->ep[SERVER].addr, srv);
	c->ep[CLIENT].port = cport;
	c->ep[SERVER].port = sport;
	memcpy(c->ep[CLIENT].mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(c->ep[SERVER].mac, "\x02\x00\x00\x00\x00\x02", 6);
	c->snd_nxt[CLIENT] = cisn;
	c->snd_nxt[SERVER] = sisn;
	c->ip_id[CLIENT] = 0x1000;
	c->ip_id[SERVER] = 0x8000;
}

/* The standard pair: 10.0.0.1:40000 -> 10.0.0.2:8001. */
static void conn_default(struct conn *c)
{
	conn_init4(c, 0x0A000001u, 40000, 0x0A000002u, 8001, 0x1A2B3C4Du,
		   0x5E6F7081u);
}

/* Build the next segment from side `dir`: takes sequence space, acks what
 * that side has received. Neither delivers nor captures it. */
static struct seg seg_next(struct conn *c, int dir, const void *data,
			   uint32_t len, uint8_t flags)
{
	struct seg s;

	s.dir = dir;
	s.seq = c->snd_nxt[dir];
	s.flags = flags;
	s.ack = (flags & TH_ACK) ? c->rcv_nxt[dir] : 0;
	s.data = data;
	s.len = len;
	if (!(flags & TH_RST))
		c->snd_nxt[dir] += len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
	return s;
}

/* Merge held ranges that now continue the in-order data. */
static void rcv_merge(struct conn *c, int r)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (int i = 0; i < c->nooo[r]; i++) {
			struct range g = c->ooo[r][i];

			if (seq_le(g.start, c->rcv_nxt[r])) {
				if (seq_lt(c->rcv_nxt[r], g.end))
					c->rcv_nxt[r] = g.end;
				c->ooo[r][i] = c->ooo[r][--c->nooo[r]];
				moved = true;
				break;
			}
		}
	}
}

/* The peer receives the segment: advance its receive state. */
static void seg_deliver(struct conn *c, const struct seg *s)
{
	int r = !s->dir;
	uint32_t end = s->seq + s->len + !!(s->flags & TH_FIN);

	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_SYN) {
		c->rcv_nxt[r] = s->seq + 1 + s->len;
		c->rcv_valid[r] = true;
		c->nooo[r] = 0;
		return;
	}
	if (!c->rcv_valid[r]) { /* picked up mid-stream */
		c->rcv_nxt[r] = s->seq;
		c->rcv_valid[r] = true;
	}
	if (seq_le(s->seq, c->rcv_nxt[r])) {
		if (seq_lt(c->rcv_nxt[r], end))
			c->rcv_nxt[r] = end;
		rcv_merge(c, r);
	} else if (c->nooo[r] < MAX_OOO) {
		c->ooo[r][c->nooo[r]++] = (struct range){ s->seq, end };
	}
}

static uint8_t pkt[MAX_PAYLOAD + 256];

/* Write the segment to the capture as the sender put it on the wire. */
static void seg_wire(struct conn *c, const struct seg *s)
{
	const struct endpoint *src = &c->ep[s->dir], *dst = &c->ep[!s->dir];
	uint32_t n = 0, ip_off, tcp_off, thl, tcp_len, sum;
	uint16_t ethertype = c->family == 4 ? 0x0800 : 0x86DD;
	uint8_t *ip, *tcp;

	if (s->len > MAX_PAYLOAD)
		fatal("internal error", "segment too large");

	/* Link layer. */
	switch (out.dlt) {
	case LT_EN10MB:
		memcpy(pkt, dst->mac, 6);
		memcpy(pkt + 6, src->mac, 6);
		n = 12;
		if (c->vlan) {
			put16(pkt + n, 0x8100);
			put16(pkt + n + 2, c->vlan & 0x0fff);
			n += 4;
		}
		put16(pkt + n, ethertype);
		n += 2;
		break;
	case LT_LINUX_SLL2:
		memset(pkt, 0, 20);
		put16(pkt, ethertype);
		put32(pkt + 4, 2); /* interface index */
		put16(pkt + 8, 1); /* ARPHRD_ETHER */
		pkt[10] = s->dir == CLIENT ? 0 : 4; /* HOST / OUTGOING */
		pkt[11] = 6;
		memcpy(pkt + 12, src->mac, 6);
		n = 20;
		break;
	case LT_NULL: {
		uint32_t af = c->family == 4 ? 2 : 10; /* host byte order */

		memcpy(pkt, &af, 4);
		n = 4;
		break;
	}
	default: /* raw IP */
		n = 0;
		break;
	}

	/* IP. */
	ip_off = n;
	ip = pkt + ip_off;
	thl = (s->flags & TH_SYN) ? 24 : 20;
	tcp_len = thl + s->len;
	if (c->family == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + tcp_len));
		put16(ip + 4, c->ip_id[s->dir]++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		put16(ip + 10, sum_fold(sum_bytes(0, ip, 20)));
		tcp_off = ip_off + 20;
	} else {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)tcp_len);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, src->addr, 16);
		memcpy(ip + 24, dst->addr, 16);
		tcp_off = ip_off + 40;
	}

	/* TCP. */
	tcp = pkt + tcp_off;
	memset(tcp, 0, thl);
	put16(tcp, src->port);
	put16(tcp + 2, dst->port);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, 64240);
	if (thl == 24) { /* MSS option on SYN and SYN/ACK */
		tcp[20] = 2;
		tcp[21] = 4;
		put16(tcp + 22, c->family == 4 ? 1460 : 1440);
	}
	if (s->len)
		memcpy(tcp + thl, s->data, s->len);

	/* TCP checksum over the pseudo header. */
	if (c->family == 4) {
		sum = sum_bytes(0, ip + 12, 8);
		sum += 6 + tcp_len;
	} else {
		sum = sum_bytes(0, ip + 8, 32);
		sum += (tcp_len >> 16) + (tcp_len & 0xffff) + 6;
	}
	sum = sum_bytes(sum, tcp, tcp_len);
	put16(tcp + 16, sum_fold(sum));
	n = tcp_off + tcp_len;

	/* Ethernet minimum frame, padded with garbage the IP length excludes. */
	if (out.pad_eth && out.dlt == LT_EN10MB)
		for (; n < 60; n++)
			pkt[n] = (uint8_t)(0xA5 ^ (n * 7));

	out_record(pkt, n);
}

static void seg_xmit(struct conn *c, const struct seg *s)
{
	seg_deliver(c, s);
	seg_wire(c, s);
}

/* Build, deliver and capture in one go: the normal case. */
static struct seg send_segment(struct conn *c, int dir, const void *data,
			       uint32_t len, uint8_t flags)
{
	struct seg s = seg_next(c, dir, data, len, flags);

	seg_xmit(c, &s);
	return s;
}

/* Side `dir` acknowledges everything it holds in order. */
static void send_ack(struct conn *c, int dir)
{
	send_segment(c, dir, NULL, 0, TH_ACK);
}

static void handshake(struct conn *c)
{
	send_segment(c, CLIENT, NULL, 0, TH_SYN);
	send_segment(c, SERVER, NULL, 0, TH_SYN | TH_ACK);
	send_ack(c, CLIENT);
}

/* Active close by `dir`: FIN/ACK, FIN/ACK, ACK. */
static void teardown(struct conn *c, int dir)
{
	send_segment(c, dir, NULL, 0, TH_FIN | TH_ACK);
	send_segment(c, !dir, NULL, 0, TH_FIN | TH_ACK);
	send_ack(c, dir);
}

/* ------------------------------------------------------------------ */
/* Frames                                                              */

static struct fc_profile prof;

/* Append one frame of payload[0, len) under prof to buf at *n: header,
 * payload, trailer (fixed framing: records of frame_size, the last padded
 * with zeros). Exits when the profile cannot frame it. */
static void frame_put(uint8_t *buf, size_t cap, size_t *n, const void *payload,
		      uint32_t len)
{
	static uint8_t hdr[FC_MAX_HEADER_SIZE];
	uint8_t tr[FC_DELIMITER_MAX];
	size_t hl, tl;
	const char *err;

	if (prof.framing == FC_FRAMING_FIXED) {
		size_t fs = (size_t)prof.frame_size, at = 0;

		do {
			size_t k = len - at < fs ? len - at : fs;

			if (*n + fs > cap)
				fatal("this scenario's frames do not fit", "frame_size too large");
			memcpy(buf + *n, (const uint8_t *)payload + at, k);
			memset(buf + *n + k, 0, fs - k);
			*n += fs;
			at += k;
		} while (at < len);
		return;
	}
	if ((err = fc_profile_frame_payload(&prof, payload, len, hdr, sizeof hdr, &hl, tr, &tl)))
		fatal("the profile cannot frame this scenario's payloads", err);
	if (*n + hl + len + tl > cap)
		fatal("this scenario's frames do not fit", "the header is too large");
	memcpy(buf + *n, hdr, hl);
	memcpy(buf + *n + hl, payload, len);
	memcpy(buf + *n + hl + len, tr, tl);
	*n += hl + len + tl;
}

/* The header length of a frame of len payload bytes under prof. */
static size_t header_len_for(uint32_t len)
{
	static uint8_t b[1024];
	uint8_t tr[FC_DELIMITER_MAX];
	size_t hl = 0, tl;

	if (fc_profile_is_prefix(&prof) && prof.framing != FC_FRAMING_FIXED)
		fc_profile_frame_payload(&prof, NULL, len, b, sizeof b, &hl, tr, &tl);
	return hl;
}

/* A header only, whose length field holds `value` as is (outside the
 * profile's limits, or not matching what follows, on purpose). */
static void raw_header_put(uint8_t *buf, size_t *n, uint64_t value)
{
	fc_profile_put_length(&prof, (int64_t)value, buf + *n);
	*n += prof.header_size;
}

/* Send one frame in one segment, PSH/ACK. */
static void send_frame(struct conn *c, int dir, const char *text)
{
	static uint8_t b[MAX_PAYLOAD];
	size_t n = 0;

	frame_put(b, sizeof b, &n, text, (uint32_t)strlen(text));
	send_segment(c, dir, b, (uint32_t)n, TH_PA);
}

/* Fill with a recognisable ASCII pattern. */
static void pattern(uint8_t *p, size_t n, uint32_t salt)
{
	static const char a[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)a[(i + salt) % (sizeof a - 1)];
}

/* ------------------------------------------------------------------ */
/* Fixed scenarios                                                     */

static void basic_exchange(struct conn *c, const char *req, const char *rep)
{
	handshake(c);
	send_frame(c, CLIENT, req);
	send_frame(c, SERVER, rep);
	send_ack(c, CLIENT);
	teardown(c, CLIENT);
}

static void sc_basic(void)
{
	struct conn c;

	conn_default(&c);
	basic_exchange(&c, "hello", "ok");
}

static void sc_sticky(void)
{
	struct conn c;
	uint8_t b[128];
	size_t n = 0;

	conn_default(&c);
	handshake(&c);
	frame_put(b, sizeof b, &n, "hello", 5);
	frame_put(b, sizeof b, &n, "kinght love ", 12);
	frame_put(b, sizeof b, &n, "aym", 3);
	send_segment(&c, CLIENT, b, (uint32_t)n, TH_PA);
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "third message");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_split(void)
{
	static const char forty[] = "a forty byte payload split in 3 segments";
	struct conn c;
	uint8_t b[128];
	size_t n = 0;

	conn_default(&c);
	handshake(&c);
	frame_put(b, sizeof b, &n, forty, 40); /* 44 bytes: 4 + 20 + 20 */
	send_segment(&c, CLIENT, b, 4, TH_PA);
	send_segment(&c, CLIENT, b + 4, 20, TH_PA);
	send_ack(&c, SERVER);
	send_segment(&c, CLIENT, b + 24, (uint32_t)n - 24, TH_PA);
	send_ack(&c, SERVER);
	n = 0;
	frame_put(b, sizeof b, &n, "third message", 13); /* header 2 + 2 */
	send_segment(&c, CLIENT, b, 2, TH_PA);
	send_segment(&c, CLIENT, b + 2, (uint32_t)n - 2, TH_PA);
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_ooo(void)
{
	static const char *const msg[4] = { "hello", "kinght love ", "aym",
					    "third message" };
	static const int order[4] = { 0, 2, 1, 3 };
	struct conn c;
	uint8_t b[4][64];
	struct seg s[4];

	conn_default(&c);
	handshake(&c);
	for (int i = 0; i < 4; i++) {
		size_t n = 0;

		frame_put(b[i], sizeof b[i], &n, msg[i], (uint32_t)strlen(msg[i]));
		s[i] = seg_next(&c, CLIENT, b[i], (uint32_t)n, TH_PA);
	}
	/* Reordered on the way: ACK, dup ACK, cumulative ACK, ACK. */
	for (int i = 0; i < 4; i++) {
		seg_xmit(&c, &s[order[i]]);
		send_ack(&c, SERVER);
	}
	teardown(&c, CLIENT);
}

static void sc_retrans(void)
{
	struct conn c;
	uint8_t b1[64], b2[64], b2x[64];
	size_t n1 = 0, n2 = 0, n2x = 0;
	struct seg s;

	conn_default(&c);
	handshake(&c);
	/* Captured, lost after the capture point, retransmitted as is. */
	frame_put(b1, sizeof b1, &n1, "hello", 5);
	s = seg_next(&c, CLIENT, b1, (uint32_t)n1, TH_PA);
	seg_wire(&c, &s);
	seg_xmit(&c, &s);
	send_ack(&c, SERVER);
	/* Delivered, then "retransmitted" with other bytes: a conflict. */
	frame_put(b2, sizeof b2, &n2, "kinght love ", 12);
	frame_put(b2x, sizeof b2x, &n2x, "KNIGHT LOVE!", 12);
	s = seg_next(&c, CLIENT, b2, (uint32_t)n2, TH_PA);
	seg_xmit(&c, &s);
	s.data = b2x;
	seg_xmit(&c, &s);
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "aym");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_overlap(void)
{
	struct conn c;
	uint8_t b[64];
	size_t n = 0, first;
	struct seg s1, s2;

	conn_default(&c);
	handshake(&c);
	frame_put(b, sizeof b, &n, "hello", 5); /* 9 bytes */
	first = n;
	frame_put(b, sizeof b, &n, "kinght love ", 12); /* 16 more: 25 */
	/* [0,15): frame 1 and 6 bytes of frame 2; then [9,25): the same
	 * 6 bytes again, then 10 new ones. */
	s1 = seg_next(&c, CLIENT, b, (uint32_t)first + 6, TH_PA);
	seg_xmit(&c, &s1);
	s2 = s1;
	s2.seq = s1.seq + (uint32_t)first;
	s2.data = b + first;
	s2.len = (uint32_t)(n - first);
	c.snd_nxt[CLIENT] = s2.seq + s2.len;
	seg_xmit(&c, &s2);
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "aym");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_gap(void)
{
	static const char *const msg[4] = { "hello", "kinght love ", "aym",
					    "third message" };
	struct conn c;
	uint8_t b[4][64];
	struct seg s;

	conn_default(&c);
	handshake(&c);
	for (int i = 0; i < 4; i++) {
		size_t n = 0;

		frame_put(b[i], sizeof b[i], &n, msg[i], (uint32_t)strlen(msg[i]));
		s = seg_next(&c, CLIENT, b[i], (uint32_t)n, TH_PA);
		seg_deliver(&c, &s);
		if (i != 1) /* the capture missed this one; the server did not */
			seg_wire(&c, &s);
		if (i == 0 || i == 3)
			send_ack(&c, SERVER);
	}
	teardown(&c, CLIENT);
}

static void sc_midstream(void)
{
	static const char early[] = "XXXXXXXXXXXXXXXXXXXXtail bytes"; /* 30 */
	struct conn c;
	uint8_t b[64];
	size_t n = 0;
	struct seg s;

	conn_default(&c);
	/* The connection and 24 of the frame's 34 bytes predate the capture. */
	c.rcv_nxt[CLIENT] = c.snd_nxt[SERVER];
	c.rcv_valid[CLIENT] = true;
	frame_put(b, sizeof b, &n, early, 30);
	s = seg_next(&c, CLIENT, b, (uint32_t)n - 10, TH_PA);
	seg_deliver(&c, &s);
	s = seg_next(&c, CLIENT, b + n - 10, 10, TH_PA);
	seg_xmit(&c, &s);
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "hello");
	send_frame(&c, CLIENT, "aym");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_wrap(void)
{
	struct conn c;

	conn_init4(&c, 0x0A000001u, 40000, 0x0A000002u, 8001, 0xFFFFFFF0u,
		   0x5E6F7081u);
	handshake(&c); /* data starts at 0xFFFFFFF1 */
	send_frame(&c, CLIENT, "hello"); /* ..0xFFFFFFF9 */
	send_frame(&c, CLIENT, "kinght love "); /* crosses 2^32 */
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "aym");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_reuse(void)
{
	struct conn c;

	conn_default(&c);
	handshake(&c);
	send_frame(&c, CLIENT, "hello");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
	/* Same 4-tuple again, with higher initial sequence numbers. */
	conn_init4(&c, 0x0A000001u, 40000, 0x0A000002u, 8001, 0x3A2B3C4Du,
		   0x7E6F7081u);
	handshake(&c);
	send_frame(&c, CLIENT, "third message");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_rst(void)
{
	struct conn c;
	uint8_t b[160];
	size_t n = 0;
	uint8_t payload[100];

	conn_default(&c);
	handshake(&c);
	pattern(payload, sizeof payload, 0);
	frame_put(b, sizeof b, &n, payload, 100);
	send_segment(&c, CLIENT, b, (uint32_t)header_len_for(100) + 30, TH_PA);
	send_ack(&c, SERVER);
	send_segment(&c, CLIENT, NULL, 0, TH_RST | TH_ACK);
}

static void sc_oversize(void)
{
	static const char more[] = "bytes after an oversize header..";
	struct conn c;
	uint8_t b[64];
	size_t n = 0;

	conn_default(&c);
	handshake(&c);
	raw_header_put(b, &n, 0x7FFFFFF0u);
	memcpy(b + n, more, sizeof more - 1);
	n += sizeof more - 1;
	send_segment(&c, CLIENT, b, (uint32_t)n, TH_PA);
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_negative(void)
{
	static const char more[] = "bytes after a negative length";
	struct conn c;
	uint8_t b[64];
	size_t n = 0;

	conn_default(&c);
	handshake(&c);
	raw_header_put(b, &n, 0xFFFFFFFEu); /* -2 as signed */
	memcpy(b + n, more, sizeof more - 1);
	n += sizeof more - 1;
	send_segment(&c, CLIENT, b, (uint32_t)n, TH_PA);
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_vlan(void)
{
	struct conn a, v;

	conn_default(&a);
	a.vlan = 100;
	conn_init4(&v, 0x0A000001u, 40000, 0x0A000002u, 8001, 0x2B3C4D5Eu,
		   0x6F708192u);
	v.vlan = 200;
	send_segment(&a, CLIENT, NULL, 0, TH_SYN);
	send_segment(&v, CLIENT, NULL, 0, TH_SYN);
	send_segment(&a, SERVER, NULL, 0, TH_SYN | TH_ACK);
	send_segment(&v, SERVER, NULL, 0, TH_SYN | TH_ACK);
	send_ack(&a, CLIENT);
	send_ack(&v, CLIENT);
	send_frame(&a, CLIENT, "hello");
	send_frame(&v, CLIENT, "aym");
	send_ack(&a, SERVER);
	send_ack(&v, SERVER);
	send_segment(&a, CLIENT, NULL, 0, TH_FIN | TH_ACK);
	send_segment(&v, CLIENT, NULL, 0, TH_FIN | TH_ACK);
	send_segment(&a, SERVER, NULL, 0, TH_FIN | TH_ACK);
	send_segment(&v, SERVER, NULL, 0, TH_FIN | TH_ACK);
	send_ack(&a, CLIENT);
	send_ack(&v, CLIENT);
}

static void sc_snaplen(void)
{
	struct conn c;
	uint8_t payload[200];

	conn_default(&c);
	handshake(&c);
	pattern(payload, sizeof payload, 0);
	{
		uint8_t b[256];
		size_t n = 0;

		frame_put(b, sizeof b, &n, payload, 200);
		send_segment(&c, CLIENT, b, (uint32_t)n, TH_PA);
	}
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "aym");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

static void sc_ipv6(void)
{
	struct conn c;

	conn_default(&c);
	c.family = 6;
	memset(c.ep[CLIENT].addr, 0, 16);
	memset(c.ep[SERVER].addr, 0, 16);
	c.ep[CLIENT].addr[0] = c.ep[SERVER].addr[0] = 0xfd;
	c.ep[CLIENT].addr[15] = 1;
	c.ep[SERVER].addr[15] = 2;
	basic_exchange(&c, "hello", "ok");
}

static void sc_padding(void)
{
	struct conn c;

	/* Short frames so the data packets are padded too. */
	conn_default(&c);
	basic_exchange(&c, "a", "k");
}

static void sc_zero(void)
{
	struct conn c;
	uint8_t b[32];
	size_t n = 0;

	conn_default(&c);
	handshake(&c);
	frame_put(b, sizeof b, &n, "", 0);
	frame_put(b, sizeof b, &n, "", 0);
	frame_put(b, sizeof b, &n, "", 0);
	frame_put(b, sizeof b, &n, "!", 1);
	send_segment(&c, CLIENT, b, (uint32_t)n, TH_PA);
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

/* A frame whose length field says `claimed` whatever the payload is. */
static void send_claimed(struct conn *c, int dir, const char *text, uint64_t claimed)
{
	uint8_t b[256];
	size_t n = 0, len = strlen(text);

	raw_header_put(b, &n, claimed);
	memcpy(b + n, text, len);
	send_segment(c, dir, b, (uint32_t)(n + len), TH_PA);
}

/* A Java client whose length counts the 4-byte header (another program
 * than the reference client, another port, big-endian like writeInt). */
static void sc_diag_adjust(void)
{
	static const char *const msgs[] = { "GET /status", "PING", "SUBSCRIBE news", "QUIT" };
	struct conn c;

	conn_default(&c);
	handshake(&c);
	for (int i = 0; i < 4; i++) {
		send_claimed(&c, CLIENT, msgs[i], strlen(msgs[i]) + prof.header_size);
		send_ack(&c, SERVER);
	}
	teardown(&c, CLIENT);
}

/* Two chat clients: one counts characters, not UTF-8 bytes (the header
 * promises less); one ignores a short send() count (promises more). */
static void sc_diag_short(void)
{
	struct conn a, b;

	conn_default(&a);
	handshake(&a);
	send_frame(&a, CLIENT, "bonjour");
	send_ack(&a, SERVER);
	send_claimed(&a, CLIENT, "\xc3\xa7" "a va tr\xc3\xa8s bien, \xc3\xa0 bient\xc3\xb4t", 26);
	send_ack(&a, SERVER);
	send_frame(&a, CLIENT, "salut");
	send_ack(&a, SERVER);
	teardown(&a, CLIENT);

	conn_init4(&b, 0x0A000003u, 40001, 0x0A000002u, 8001, 0x11223344u, 0x55667788u);
	handshake(&b);
	send_claimed(&b, CLIENT, "first half of a long", 40);
	send_ack(&b, SERVER);
	send_frame(&b, CLIENT, "next message");
	send_ack(&b, SERVER);
	send_frame(&b, CLIENT, "and another message here");
	send_ack(&b, SERVER);
	send_frame(&b, CLIENT, "bye");
	send_ack(&b, SERVER);
	teardown(&b, CLIENT);
}

/* The tutorials' first attempt at a header: the length as decimal text,
 * from a client that is not the reference one (two requests, a reply). */
static void sc_diag_ascii(void)
{
	static const char *const msgs[] = { "15how are you today", "3bye" };
	struct conn c;

	conn_default(&c);
	handshake(&c);
	for (int i = 0; i < 2; i++) {
		send_segment(&c, CLIENT, msgs[i], (uint32_t)strlen(msgs[i]), TH_PA);
		send_ack(&c, SERVER);
	}
	teardown(&c, CLIENT);
}

/* A sender that writes a zeroed buffer before its frames. */
static void sc_diag_zeros(void)
{
	struct conn c;
	uint8_t z[64] = { 0 };

	conn_default(&c);
	handshake(&c);
	send_segment(&c, CLIENT, z, sizeof z, TH_PA);
	send_ack(&c, SERVER);
	send_frame(&c, CLIENT, "hello");
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

/* Send a byte stream in MSS-sized segments, PSH on the last; the
 * receiver ACKs every second segment and at the end (delayed ACK). */
static void send_stream(struct conn *c, int dir, const uint8_t *data,
			size_t len)
{
	unsigned nseg = 0;

	while (len) {
		uint32_t k = len > MSS ? MSS : (uint32_t)len;

		send_segment(c, dir, data, k, k == len ? TH_PA : TH_ACK);
		data += k;
		len -= k;
		if (++nseg % 2 == 0 || !len)
			send_ack(c, !dir);
	}
}

static void sc_bigframe(void)
{
	enum { BIG = 100000 };
	struct conn c;
	uint8_t *b = malloc(BIG + 16), *payload = malloc(BIG);
	size_t n = 0;

	if (!b || !payload)
		fatal("out of memory", NULL);
	conn_default(&c);
	handshake(&c);
	pattern(payload, BIG, 0);
	frame_put(b, BIG + 16, &n, payload, BIG);
	send_stream(&c, CLIENT, b, n);
	teardown(&c, CLIENT);
	free(b);
	free(payload);
}

/* ------------------------------------------------------------------ */
/* Many small connections, interleaved packet by packet                */

#define SMALL_FRAMES 3

/* A connection that walks: SYN, SYN/ACK, ACK, then per frame a data
 * segment and the server's ACK, then FIN/ACK, FIN/ACK, ACK. */
struct walker {
	struct conn c;
	uint32_t id;
	int step;
	bool named; /* "connN message M" payloads, else pseudo-random */
};

static void walker_init(struct walker *w, uint32_t id, bool named)
{
	uint32_t cli = 0x0A000001u, port = 40000 + id;

	if (!named) { /* spread across addresses: 40000 ports each */
		cli = 0x0A800001u + id / 40000;
		port = 20000 + id % 40000;
	}
	conn_init4(&w->c, cli, (uint16_t)port, 0x0A000002u, 8001,
		   0x10000000u + id * 0x01000193u, 0x90000000u + id * 0x0100F1F1u);
	w->id = id;
	w->step = 0;
	w->named = named;
}

/* Emit the walker's next packet; false once it has finished. */
static bool walker_step(struct walker *w)
{
	int s = w->step++, data_end = 3 + 2 * SMALL_FRAMES;

	if (s == 0)
		send_segment(&w->c, CLIENT, NULL, 0, TH_SYN);
	else if (s == 1)
		send_segment(&w->c, SERVER, NULL, 0, TH_SYN | TH_ACK);
	else if (s == 2)
		send_ack(&w->c, CLIENT);
	else if (s < data_end && (s - 3) % 2 == 0) {
		char text[256];
		uint32_t len;

		if (w->named) {
			len = (uint32_t)snprintf(text, sizeof text,
						 "conn%u message %d", w->id + 1,
						 (s - 3) / 2 + 1);
		} else {
			len = rng_range(20, 200);
			pattern((uint8_t *)text, len, w->id + (uint32_t)s);
		}
		text[len] = 0;
		send_frame(&w->c, CLIENT, text);
	} else if (s < data_end)
		send_ack(&w->c, SERVER);
	else if (s == data_end)
		send_segment(&w->c, CLIENT, NULL, 0, TH_FIN | TH_ACK);
	else if (s == data_end + 1)
		send_segment(&w->c, SERVER, NULL, 0, TH_FIN | TH_ACK);
	else if (s == data_end + 2)
		send_ack(&w->c, CLIENT);
	return w->step <= data_end + 2;
}

/* Run `total` walkers with at most `window` open at a time, one packet
 * from each open walker per round. */
static void run_walkers(uint64_t total, uint32_t window, bool named)
{
	struct walker *w;
	uint64_t started = 0, open = 0;

	if (window > total)
		window = (uint32_t)total;
	w = calloc(window ? window : 1, sizeof *w);
	if (!w)
		fatal("out of memory", NULL);
	for (uint32_t i = 0; i < window; i++) {
		walker_init(&w[i], (uint32_t)started++, named);
		open++;
	}
	while (open) {
		for (uint32_t i = 0; i < window; i++) {
			if (w[i].step < 0)
				continue;
			if (walker_step(&w[i]))
				continue;
			if (started < total)
				walker_init(&w[i], (uint32_t)started++, named);
			else {
				w[i].step = -1;
				open--;
			}
		}
	}
	free(w);
}

static void sc_many(void)
{
	run_walkers(5, 5, true);
}

/* ------------------------------------------------------------------ */
/* Bench scenarios                                                     */

static uint64_t bench_count;

static void bench_small(void)
{
	struct conn c;
	uint8_t seg[MSS], frame[256], payload[200];
	size_t used = 0;
	unsigned nseg = 0;

	conn_default(&c);
	handshake(&c);
	for (uint64_t i = 0; i < bench_count; i++) {
		uint32_t len = rng_range(20, 200);
		size_t n = 0, off = 0;

		pattern(payload, len, (uint32_t)i);
		frame_put(frame, sizeof frame, &n, payload, len);
		/* The stream is cut into full segments: frames may span two. */
		while (off < n) {
			size_t k = n - off < MSS - used ? n - off : MSS - used;

			memcpy(seg + used, frame + off, k);
			used += k;
			off += k;
			if (used == MSS) {
				send_segment(&c, CLIENT, seg, MSS, TH_ACK);
				used = 0;
				if (++nseg % 2 == 0)
					send_ack(&c, SERVER);
			}
		}
	}
	if (used)
		send_segment(&c, CLIENT, seg, (uint32_t)used, TH_PA);
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

/* A frame produced piecewise: header, then pattern payload. */
struct big_source {
	uint8_t hdr[16];
	uint64_t len; /* header + payload */
	uint64_t pos;
	uint32_t salt;
};

static void bench_large(void)
{
	enum { NCONN = 4 };
	struct conn c[NCONN];
	struct big_source src[NCONN];
	bool has[NCONN] = { false }, done[NCONN] = { false };
	unsigned nseg[NCONN] = { 0 };
	uint64_t assigned = 0;
	int open = NCONN;
	uint8_t seg[MSS];

	for (int i = 0; i < NCONN; i++) {
		conn_init4(&c[i], 0x0A000001u, (uint16_t)(40000 + i), 0x0A000002u,
			   8001, 0x1A2B3C4Du + (uint32_t)i * 0x10000000u,
			   0x5E6F7081u + (uint32_t)i * 0x10000000u);
		handshake(&c[i]);
	}
	while (open) {
		for (int i = 0; i < NCONN; i++) {
			uint32_t used = 0;

			if (done[i])
				continue;
			while (used < MSS) {
				struct big_source *f = &src[i];
				uint64_t k;

				if (!has[i]) {
					uint64_t plen;

					if (assigned >= bench_count)
						break;
					plen = rng_range(65536, 1048576);
					if (!fc_profile_encode_header(&prof, plen, f->hdr))
						fatal("internal error", "header");
					f->len = prof.header_size + plen;
					f->pos = 0;
					f->salt = (uint32_t)assigned++;
					has[i] = true;
				}
				k = f->len - f->pos;
				if (k > MSS - used)
					k = MSS - used;
				for (uint64_t j = 0; j < k; j++) {
					uint64_t p = f->pos + j;

					seg[used + j] = p < prof.header_size
						? f->hdr[p]
						: (uint8_t)('a' + (p + f->salt) % 26);
				}
				used += (uint32_t)k;
				f->pos += k;
				if (f->pos == f->len)
					has[i] = false;
			}
			if (used) {
				send_segment(&c[i], CLIENT, seg, used,
					     used < MSS || !has[i] ? TH_PA : TH_ACK);
				if (++nseg[i] % 2 == 0)
					send_ack(&c[i], SERVER);
			}
			if (!has[i] && assigned >= bench_count) {
				send_ack(&c[i], SERVER);
				teardown(&c[i], CLIENT);
				done[i] = true;
				open--;
			}
		}
	}
}

static void bench_conns(void)
{
	run_walkers(bench_count, 10000, false);
}

/* Every connection open at once: with COUNT = --max-flows, the flow
 * table full of streams that all carry data (memory's worst case). */
static void conns_open(void)
{
	run_walkers(bench_count, (uint32_t)bench_count, false);
}

/* conns-open's connections with each one's data together: every
 * handshake first (all COUNT open at once, as in conns-open), then each
 * connection's frames and ACKs in one run, then every close. The same
 * memory as conns-open without its interleaving: the two side by side
 * show what a connection's state going cold between its packets costs
 * (docs/performance.md, session 21). */
static void conns_grouped(void)
{
	const int data_end = 3 + 2 * SMALL_FRAMES;
	uint32_t n = (uint32_t)bench_count;
	struct walker *w = calloc(n ? n : 1, sizeof *w);

	if (!w)
		fatal("out of memory", NULL);
	for (uint32_t i = 0; i < n; i++)
		walker_init(&w[i], i, false);
	for (int s = 0; s < 3; s++) /* SYN, SYN-ACK, ACK: round by round */
		for (uint32_t i = 0; i < n; i++)
			walker_step(&w[i]);
	for (uint32_t i = 0; i < n; i++)
		while (w[i].step < data_end)
			walker_step(&w[i]);
	for (int s = 0; s < 3; s++) /* FIN, FIN, ACK */
		for (uint32_t i = 0; i < n; i++)
			walker_step(&w[i]);
	free(w);
}

/* COUNT bare SYNs from distinct clients to one server that never
 * answers: a scan or a flood, for the flow table's bounds. */
static void syn_flood(void)
{
	for (uint64_t i = 0; i < bench_count; i++) {
		struct conn c;
		struct seg s;

		conn_init4(&c, 0x0A000000u | (uint32_t)(i >> 14) << 8 | 1,
			   (uint16_t)(1024 + (i & 0x3fff)), 0x0A000002u, 80,
			   (uint32_t)(i * 2654435761u), 0);
		s = seg_next(&c, CLIENT, NULL, 0, TH_SYN);
		seg_wire(&c, &s);
	}
}

/* One connection whose first data segment is lost, followed by COUNT
 * segments that can never be delivered in order (and are never
 * acknowledged): the out-of-order buffer's bounds. */
static void ooo_flood(void)
{
	static uint8_t data[1000];
	struct conn c;
	struct seg s;

	conn_default(&c);
	handshake(&c);
	pattern(data, sizeof data, 7);
	s = seg_next(&c, CLIENT, data, sizeof data, TH_PA); /* lost */
	for (uint64_t i = 0; i < bench_count; i++) {
		s = seg_next(&c, CLIENT, data, sizeof data, TH_PA);
		seg_wire(&c, &s);
	}
}

/* A frame delivered, then captured again COUNT times (a duplicating tap
 * or a retransmission storm); then, behind a lost segment, one buffered
 * out of order and captured again COUNT times; then the lost one. Each
 * copy is one retransmission, no new bytes: output stays one line each. */
static void dup_flood(void)
{
	uint8_t b[64];
	size_t n = 0;
	struct conn c;
	struct seg s, lost;

	conn_default(&c);
	handshake(&c);
	frame_put(b, sizeof b, &n, "kinght love ", 12);
	s = seg_next(&c, CLIENT, b, (uint32_t)n, TH_PA);
	seg_xmit(&c, &s);
	for (uint64_t i = 0; i < bench_count; i++)
		seg_wire(&c, &s);
	lost = seg_next(&c, CLIENT, b, (uint32_t)n, TH_PA);
	s = seg_next(&c, CLIENT, b, (uint32_t)n, TH_PA);
	for (uint64_t i = 0; i <= bench_count; i++)
		seg_wire(&c, &s);
	seg_xmit(&c, &lost);
	seg_xmit(&c, &s);
	send_ack(&c, SERVER);
	teardown(&c, CLIENT);
}

/* One connection whose first data byte is lost, followed by COUNT 1-byte
 * segments that can never be delivered in order (and are never
 * acknowledged): the most pieces the out-of-order buffer can be asked to
 * hold, so its cost per piece must not grow with their number. */
static void ooo_tiny(void)
{
	static uint8_t data[1];
	struct conn c;
	struct seg s;

	conn_default(&c);
	handshake(&c);
	pattern(data, sizeof data, 7);
	s = seg_next(&c, CLIENT, data, 1, TH_PA); /* lost */
	for (uint64_t i = 0; i < bench_count; i++) {
		s = seg_next(&c, CLIENT, data, 1, TH_PA);
		seg_wire(&c, &s);
	}
}

/* ooo-tiny with the COUNT segments captured in a scattered order: segment
 * i * 7919 % COUNT (7919 prime, COUNT not a multiple of it) at step i, so
 * each lands somewhere inside what is buffered, not after it. */
static void ooo_stride(void)
{
	static const uint32_t stride = 7919;
	static uint8_t data[1];
	struct conn c;
	struct seg s;
	uint32_t first;
	uint64_t n = bench_count;

	if (n % stride == 0)
		n++; /* keep the stride a bijection */
	conn_default(&c);
	handshake(&c);
	pattern(data, sizeof data, 7);
	s = seg_next(&c, CLIENT, data, 1, TH_PA); /* lost */
	first = c.snd_nxt[CLIENT];
	for (uint64_t i = 0; i < n; i++) {
		s = seg_next(&c, CLIENT, data, 1, TH_PA);
		s.seq = first + (uint32_t)(i * stride % n);
		seg_wire(&c, &s);
	}
}

/* The flow table's hash before it was keyed (an unkeyed murmur-style mix
 * of each endpoint, the two added), kept here only to attack it: the
 * scenario below proves the keyed hash no longer falls for this. */
static uint64_t old_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* COUNT IPv6 connections, all open at once (every handshake, then three
 * frames each way round-robin, then every close), from clients that all
 * had the same old endpoint hash, so the same bucket: with that hash each
 * packet walked a chain of up to COUNT flows.
 * The old hash was mix64(w0 * G ^ w1 ^ (port << 8 | 6) << 40) over the
 * address as two native words w0, w1: for any w0, the w1 that makes the
 * mix's input one fixed value X is w0 * G ^ X ^ (port << 8 | 6) << 40. */
static void hash_collide(void)
{
	const uint64_t golden = 0x9e3779b97f4a7c15ULL, x = 0x5eed;
	const uint16_t cport = 40000;
	static const char *const req[] = { "hello", "again", "bye" };
	struct conn *c = calloc(bench_count, sizeof *c);

	if (!c)
		fatal("out of memory", NULL);
	for (uint64_t i = 0; i < bench_count; i++) {
		uint64_t w0 = 0xfd | i << 32, w1;

		conn_default(&c[i]);
		c[i].family = 6;
		c[i].ep[CLIENT].port = cport;
		w1 = w0 * golden ^ x ^ ((uint64_t)cport << 8 | 6) << 40;
		memcpy(c[i].ep[CLIENT].addr, &w0, 8);
		memcpy(c[i].ep[CLIENT].addr + 8, &w1, 8);
		memset(c[i].ep[SERVER].addr, 0, 16);
		c[i].ep[SERVER].addr[0] = 0xfd;
		c[i].ep[SERVER].addr[15] = 2;
		if (old_mix64(w0 * golden ^ w1 ^ ((uint64_t)cport << 8 | 6) << 40) !=
		    old_mix64(x))
			fatal("internal error", "hash-collide: no collision");
		handshake(&c[i]);
	}
	for (int r = 0; r < 3; r++)
		for (uint64_t i = 0; i < bench_count; i++) {
			send_frame(&c[i], CLIENT, req[r]);
			send_frame(&c[i], SERVER, "ok");
		}
	for (uint64_t i = 0; i < bench_count; i++)
		teardown(&c[i], CLIENT);
	free(c);
}

/* ------------------------------------------------------------------ */
/* Late ACKs: data captured after the ACK that covers it                */
/*
 * One connection (10.0.0.1:40000 -> 10.0.0.2:8001, the server's ISN
 * 0xFFFFF000 crossing 2^32) exchanges LA_ROUNDS requests and responses,
 * each segment acknowledged by the peer's next packet: the in-order
 * conversation. A variant captures the same segments in another order, as
 * two merged taps or a multi-queue NIC record them, or leaves one out:
 *
 *   in order:   ... [data 20] [ACK of 20] [p] [p] ...
 *   late-c2s-2: ... [ACK of 20] [p] [p] [data 20] ...   (K = 2)
 *   loss-c2s:   ... [ACK of 20] [p] [p] ...             (never captured)
 *
 *   late-inorder      the in-order conversation
 *   late-DIR-K        DIR's (c2s, s2c) data segment 20 captured K packets
 *                     after the first ACK covering it
 *   late-DIR-K-ooo    the same, and meanwhile DIR's data segments 22 and
 *                     23 of both directions captured in swapped order
 *   late-two-K        c2s data segments 20 and 21, each K packets late
 *   loss-DIR          DIR's data segment 20 never captured
 *   loss-end-DIR      DIR's last data segment never captured, the capture
 *                     ending at its ACK
 *
 * Beside OUT.pcap: OUT.pcap.map, for each packet of the file its number
 * in the in-order capture (one a line); for late-DIR-K and loss-*,
 * OUT.pcap.ack, the file's number of the first ACK covering the data.
 */

#define LA_ROUNDS 60 /* 226 packets: room for K = 50 */
#define LA_MAX 256
#define LA_DATA 64 /* bytes of one segment's payload at most */

enum la_kind { LA_INORDER, LA_LATE, LA_TWO, LA_LOSS, LA_LOSS_END };

static struct {
	const char *path; /* the capture; the .map and .ack files beside */
	enum la_kind kind;
	int dir; /* CLIENT or SERVER */
	int k; /* packets late */
	bool ooo;
	struct seg seg[LA_MAX]; /* the in-order conversation */
	uint8_t data[LA_MAX][LA_DATA];
	int n;
} la;

/* Parse a variant name (above) into la; false when it is not one. */
static bool la_parse(const char *name)
{
	char dir[4];
	int used = 0;

	la.ooo = false;
	la.k = 0;
	if (!strcmp(name, "late-inorder")) {
		la.kind = LA_INORDER;
		return true;
	}
	if (sscanf(name, "late-two-%3d%n", &la.k, &used) == 1 && !name[used]) {
		la.kind = LA_TWO;
	} else if (sscanf(name, "loss-end-%3[cs2]%n", dir, &used) == 1 && !name[used]) {
		la.kind = LA_LOSS_END;
	} else if (sscanf(name, "loss-%3[cs2]%n", dir, &used) == 1 && !name[used]) {
		la.kind = LA_LOSS;
	} else if (sscanf(name, "late-%3[cs2]-%3d%n", dir, &la.k, &used) == 2 &&
		   (!name[used] || !strcmp(name + used, "-ooo"))) {
		la.kind = LA_LATE;
		la.ooo = name[used] != 0;
	} else {
		return false;
	}
	if (la.k < 0 || la.k > 200)
		return false;
	if (la.kind == LA_TWO)
		return la.k > 0;
	if (!strcmp(dir, "c2s"))
		la.dir = CLIENT;
	else if (!strcmp(dir, "s2c"))
		la.dir = SERVER;
	else
		return false;
	return la.kind != LA_LATE || la.k > 0;
}

/* Build the next segment of the conversation and deliver it (not wired). */
static void la_send(struct conn *c, int dir, const uint8_t *data, size_t len, uint8_t flags)
{
	if (la.n == LA_MAX || len > LA_DATA)
		fatal("internal error", "late-ack conversation too long");
	if (len)
		memcpy(la.data[la.n], data, len);
	la.seg[la.n] = seg_next(c, dir, la.data[la.n], (uint32_t)len, flags);
	seg_deliver(c, &la.seg[la.n]);
	la.n++;
}

/* Append a frame whose payload is printf(fmt, ...) to b[*n]. */
static void la_frame(uint8_t *b, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void la_frame(uint8_t *b, size_t *n, const char *fmt, ...)
{
	char t[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	frame_put(b, LA_DATA, n, t, (uint32_t)strlen(t));
}

/* The in-order conversation into la.seg: requests in one segment, or a
 * frame split over two (every third); responses of one or two frames. */
static void la_conversation(struct conn *c)
{
	conn_init4(c, 0x0A000001u, 40000, 0x0A000002u, 8001, 0x1A2B3C4Du, 0xFFFFF000u);
	la.n = 0;
	la_send(c, CLIENT, NULL, 0, TH_SYN);
	la_send(c, SERVER, NULL, 0, TH_SYN | TH_ACK);
	la_send(c, CLIENT, NULL, 0, TH_ACK);
	for (int i = 0; i < LA_ROUNDS; i++) {
		uint8_t b[LA_DATA];
		size_t n = 0;

		la_frame(b, &n, "request %d %.*s", i, i % 7, "xxxxxxx");
		if (i % 3 == 2) {
			la_send(c, CLIENT, b, 3, TH_PA);
			la_send(c, SERVER, NULL, 0, TH_ACK);
			la_send(c, CLIENT, b + 3, n - 3, TH_PA);
		} else {
			la_send(c, CLIENT, b, n, TH_PA);
		}
		n = 0;
		la_frame(b, &n, "response %d", i);
		if (i % 2)
			la_frame(b, &n, "more %d", i);
		la_send(c, SERVER, b, n, TH_PA);
		la_send(c, CLIENT, NULL, 0, TH_ACK);
	}
	la_send(c, CLIENT, NULL, 0, TH_FIN | TH_ACK);
	la_send(c, SERVER, NULL, 0, TH_FIN | TH_ACK);
	la_send(c, CLIENT, NULL, 0, TH_ACK);
}

/* The in-order index of dir's data segment number nth (negative: from
 * the end). */
static int la_data(int dir, int nth)
{
	int idx[LA_MAX], n = 0;

	for (int i = 0; i < la.n; i++)
		if (la.seg[i].dir == dir && la.seg[i].len)
			idx[n++] = i;
	if (nth < 0)
		nth += n;
	if (nth < 0 || nth >= n)
		fatal("internal error", "late-ack: no such data segment");
	return idx[nth];
}

/* The first segment after i from the other side acknowledging all of i. */
static int la_first_ack(int i)
{
	const struct seg *d = &la.seg[i];

	for (int j = i + 1; j < la.n; j++)
		if (la.seg[j].dir != d->dir && (la.seg[j].flags & TH_ACK) &&
		    seq_le(d->seq + d->len, la.seg[j].ack))
			return j;
	fatal("internal error", "late-ack: no ACK covers the data");
	return -1;
}

static int la_pos(const int *order, int n, int idx)
{
	int p = 0;

	while (p < n && order[p] != idx)
		p++;
	return p;
}

/* Move in-order segment idx to k places after segment anchor in order. */
static void la_move_after(int *order, int n, int idx, int k, int anchor)
{
	int p = la_pos(order, n, idx), q;

	memmove(order + p, order + p + 1, (size_t)(n - 1 - p) * sizeof *order);
	q = la_pos(order, n - 1, anchor) + k;
	if (q > n - 1)
		q = n - 1;
	memmove(order + q + 1, order + q, (size_t)(n - 1 - q) * sizeof *order);
	order[q] = idx;
}

/* Write one number a line to path + suffix. */
static void la_side_file(const char *suffix, const int *v, int n)
{
	char name[4096];
	FILE *f;

	snprintf(name, sizeof name, "%s%s", la.path, suffix);
	if (!(f = fopen(name, "w")))
		fatal("cannot create", name);
	for (int i = 0; i < n; i++)
		fprintf(f, "%d\n", v[i]);
	if (ferror(f) | fclose(f))
		fatal("write error", name);
}

static void sc_late_ack(void)
{
	struct conn c;
	int order[LA_MAX], n, ack = -1, map[LA_MAX] = { 0 };

	la_conversation(&c);
	n = la.n;
	for (int i = 0; i < n; i++)
		order[i] = i;
	if (la.kind == LA_LATE) {
		int idx = la_data(la.dir, 20);

		ack = la_first_ack(idx);
		la_move_after(order, n, idx, la.k, ack);
		for (int d = CLIENT; la.ooo && d <= SERVER; d++) {
			int a = la_pos(order, n, la_data(d, 22)), b = la_pos(order, n, la_data(d, 23));
			int t = order[a];

			order[a] = order[b];
			order[b] = t;
		}
	} else if (la.kind == LA_TWO) {
		for (int m = 20; m <= 21; m++) {
			int idx = la_data(CLIENT, m);

			la_move_after(order, n, idx, la.k, la_first_ack(idx));
		}
	} else if (la.kind != LA_INORDER) {
		int idx = la_data(la.dir, la.kind == LA_LOSS ? 20 : -1);

		ack = la_first_ack(idx);
		if (la.kind == LA_LOSS_END)
			n = ack + 1;
		memmove(order + idx, order + idx + 1, (size_t)(n - 1 - idx) * sizeof *order);
		n--;
	}
	for (int i = 0; i < n; i++) {
		seg_wire(&c, &la.seg[order[i]]);
		map[i] = order[i] + 1;
	}
	la_side_file(".map", map, n);
	if (ack >= 0) {
		int at = la_pos(order, n, ack) + 1;

		la_side_file(".ack", &at, 1);
	}
}

/* ------------------------------------------------------------------ */
/* Scenario table and main                                             */

struct scenario {
	const char *name;
	void (*run)(void);
	int dlt; /* DLT_ value of the file */
	uint32_t snaplen; /* 0: 65535 */
	bool pad;
	bool bench;
	uint64_t default_count;
	const char *desc;
};

static const struct scenario scenarios[] = {
	{ "basic", sc_basic, LT_EN10MB, 0, false, false, 0,
	  "handshake, client frame \"hello\", server frame \"ok\", FIN teardown" },
	{ "sticky", sc_sticky, LT_EN10MB, 0, false, false, 0,
	  "three frames in one segment, then one frame alone" },
	{ "split", sc_split, LT_EN10MB, 0, false, false, 0,
	  "a 40-byte frame over 3 segments (4+20+20), then a header split 2+2" },
	{ "ooo", sc_ooo, LT_EN10MB, 0, false, false, 0,
	  "4 frames in 4 segments captured in order 1,3,2,4 (dup ACK, cumulative ACK)" },
	{ "retrans", sc_retrans, LT_EN10MB, 0, false, false, 0,
	  "an identical retransmission, then one with different bytes (conflict)" },
	{ "overlap", sc_overlap, LT_EN10MB, 0, false, false, 0,
	  "a segment overlapping the previous one by 6 identical bytes, then new bytes" },
	{ "gap", sc_gap, LT_EN10MB, 0, false, false, 0,
	  "segment 2 of 4 missing from the capture; the server's ACK covers it" },
	{ "midstream", sc_midstream, LT_EN10MB, 0, false, false, 0,
	  "no handshake: starts with a frame's last 10 payload bytes, then 2 frames" },
	{ "wrap", sc_wrap, LT_EN10MB, 0, false, false, 0,
	  "client ISN 0xFFFFFFF0: 3 frames crossing the 2^32 sequence wrap" },
	{ "reuse", sc_reuse, LT_EN10MB, 0, false, false, 0,
	  "two consecutive connections on the same 4-tuple, one frame each" },
	{ "rst", sc_rst, LT_EN10MB, 0, false, false, 0,
	  "client RST after 30 of a 100-byte frame's payload bytes" },
	{ "oversize", sc_oversize, LT_EN10MB, 0, false, false, 0,
	  "length field 0x7FFFFFF0 (above the 16 MiB max), then more bytes" },
	{ "negative", sc_negative, LT_EN10MB, 0, false, false, 0,
	  "length field 0xFFFFFFFE (-2 signed), then more bytes" },
	{ "vlan", sc_vlan, LT_EN10MB, 0, false, false, 0,
	  "same IP 4-tuple on VLAN 100 and VLAN 200, interleaved, one frame each" },
	{ "snaplen", sc_snaplen, LT_EN10MB, 100, false, false, 0,
	  "snaplen 100: a 200-byte frame cut by the snaplen, then a small frame" },
	{ "ipv6", sc_ipv6, LT_EN10MB, 0, false, false, 0,
	  "basic over IPv6, [fd00::1]:40000 -> [fd00::2]:8001" },
	{ "sll2", sc_basic, LT_LINUX_SLL2, 0, false, false, 0,
	  "basic with link type LINUX_SLL2 (276)" },
	{ "null", sc_basic, LT_NULL, 0, false, false, 0,
	  "basic with link type NULL (0), AF_INET in host byte order" },
	{ "raw", sc_basic, DLT_RAW, 0, false, false, 0,
	  "basic with link type RAW (101): bare IPv4 packets" },
	{ "padding", sc_padding, LT_EN10MB, 0, true, false, 0,
	  "basic with frames \"a\"/\"k\", every Ethernet frame padded to 60 bytes with nonzero garbage" },
	{ "many", sc_many, LT_EN10MB, 0, false, false, 0,
	  "5 connections (ports 40000-40004), 3 frames each, packets round-robin" },
	{ "zero", sc_zero, LT_EN10MB, 0, false, false, 0,
	  "three zero-length frames and a 1-byte frame in one segment" },
	{ "diag-adjust", sc_diag_adjust, LT_EN10MB, 0, false, false, 0,
	  "4 frames whose length counts the 4-byte header, one per segment" },
	{ "diag-short", sc_diag_short, LT_EN10MB, 0, false, false, 0,
	  "a length counting UTF-8 characters, not bytes; a header promising 20 B never sent" },
	{ "diag-ascii", sc_diag_ascii, LT_EN10MB, 0, false, false, 0,
	  "lengths sent as decimal text before each message (\"15how are you today\")" },
	{ "diag-zeros", sc_diag_zeros, LT_EN10MB, 0, false, false, 0,
	  "64 zero bytes (a zeroed buffer), then a frame" },
	{ "bigframe", sc_bigframe, LT_EN10MB, 0, false, false, 0,
	  "one 100000-byte frame in 1448-byte segments" },
	{ "bench-small", bench_small, LT_EN10MB, 0, false, true, 100000,
	  "[COUNT] one connection, COUNT frames of 20-200 bytes in full segments" },
	{ "bench-large", bench_large, LT_EN10MB, 0, false, true, 64,
	  "[COUNT] 4 connections, COUNT frames of 64 KiB-1 MiB in 1448-byte segments" },
	{ "syn-flood", syn_flood, LT_EN10MB, 0, false, true, 1000000,
	  "[COUNT] COUNT SYNs from distinct clients, never answered" },
	{ "ooo-flood", ooo_flood, LT_EN10MB, 0, false, true, 100000,
	  "[COUNT] first data segment lost, then COUNT 1000-byte segments never acknowledged" },
	{ "dup-flood", dup_flood, LT_EN10MB, 0, false, true, 10000,
	  "[COUNT] a frame, then COUNT copies of it; one buffered out of order, COUNT copies of that" },
	{ "ooo-tiny", ooo_tiny, LT_EN10MB, 0, false, true, 300000,
	  "[COUNT] first data byte lost, then COUNT 1-byte segments never acknowledged" },
	{ "ooo-stride", ooo_stride, LT_EN10MB, 0, false, true, 100000,
	  "[COUNT] ooo-tiny with the 1-byte segments in a scattered order (stride 7919)" },
	{ "bench-conns", bench_conns, LT_EN10MB, 0, false, true, 10000,
	  "[COUNT] COUNT connections (<= 10000 open at once), 3 small frames each" },
	{ "conns-open", conns_open, LT_EN10MB, 0, false, true, 20000,
	  "[COUNT] COUNT connections all open at once, 3 small frames each" },
	{ "conns-grouped", conns_grouped, LT_EN10MB, 0, false, true, 20000,
	  "[COUNT] conns-open's connections, each one's frames and ACKs together" },
	{ "hash-collide", hash_collide, LT_EN10MB, 0, false, true, 20000,
	  "[COUNT] COUNT IPv6 connections open at once, 3 frames each way, clients in one bucket of the old unkeyed flow hash" },
};

#define NSCEN (sizeof scenarios / sizeof scenarios[0])

/* The late-ack variants: one family, parsed by la_parse. */
static const struct scenario late_ack = {
	"late-*", sc_late_ack, LT_EN10MB, 0, false, false, 0,
	"late-inorder, late-DIR-K[-ooo], late-two-K, loss-DIR, loss-end-DIR (DIR c2s|s2c): "
	"ACKs captured before their data, or data lost; OUT.pcap.map and .ack beside"
};

static void usage(FILE *f)
{
	fputs("usage: fc-pcapgen SCENARIO OUT.pcap [COUNT] [framing options]\n"
	      "       fc-pcapgen frames OUT.pcap [--port N] [--cport N] [--frames TEXT...]\n"
	      "                  [--raw HEX] [--cuts OFF,...] [--end fin|rst|none] [framing options]\n"
	      "         framing options: --framing length|varint|ber|delimiter|fixed,\n"
	      "         --delimiter STR, --frame-size N, --varint-max-bytes N, --length-mask N,\n"
	      "         --length-offset N, --length-size N, --byte-order little|big,\n"
	      "         --signed, --unsigned, --length-adjustment N, --header-size N,\n"
	      "         --max-frame N, --config FILE, --profile NAME (as in framecap(1))\n"
	      "         (scenarios that write wrong lengths on purpose: framing length only;\n"
	      "         fixed framing cuts a text into frame_size records, zero-padded)\n"
	      "       fc-pcapgen --list\n"
	      "Writes a deterministic synthetic capture (COUNT: bench-* only).\n",
	      f);
}

/* ------------------------------------------------------------------ */
/* frames: one connection carrying frames of any framing, cut anywhere  */

#define FRAMES_STREAM_MAX (1u << 20)

/* Who a usage error is about: the program, or its frames mode. */
static const char *usage_who = "fc-pcapgen";

/* "fc-pcapgen: message" (or "fc-pcapgen frames: ..."), exit 2. */
#define usage_die(...) ref_die(usage_who, EXIT_USAGE, __VA_ARGS__)

static unsigned long number(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		usage_die("%s: not a number in range", opt);
	return v;
}

/* Append the bytes written in hex by `hex` to stream[*n]. */
static void hex_put(uint8_t *stream, size_t *n, const char *hex)
{
	size_t len = strlen(hex);

	if (len % 2 || *n + len / 2 > FRAMES_STREAM_MAX)
		usage_die("--raw %s: an even number of hex digits, 1 MiB at most", hex);
	for (size_t i = 0; i < len; i += 2) {
		char two[3] = { hex[i], hex[i + 1], 0 }, *end;
		unsigned long v = strtoul(two, &end, 16);

		if (*end)
			usage_die("--raw %s: not hex", hex);
		stream[(*n)++] = (uint8_t)v;
	}
}

/* The client's byte stream (frames of the profile the options give, then
 * --raw bytes, whatever the options' order) in one segment per frame, or
 * cut at the --cuts offsets; the server acknowledges each. Header bytes
 * other than the length field are 0xab. */
/* Take the framing option at argv[*i] (and its value) into po; false
 * when it is not one. Exits 2 on a bad value. */
static bool profile_option(struct fc_profile_opts *po, int argc, char **argv, int *i)
{
	static const struct option names[] = { FC_PROFILE_LONGOPTS, { NULL, 0, NULL, 0 } };
	const struct option *nm = names;
	const char *o = argv[*i], *err;

	if (strncmp(o, "--", 2))
		return false;
	while (nm->name && strcmp(o + 2, nm->name))
		nm++;
	if (!nm->name)
		return false;
	if (nm->has_arg && *i + 1 >= argc)
		usage_die("%s needs a value", o);
	if (fc_profile_opts_take(po, nm->val, nm->has_arg ? argv[++*i] : NULL, &err) < 0)
		usage_die("%s: %s", o, err);
	return true;
}

/* Set prof from the framing options (--config read only when given: a
 * generator does not search). Exits 2 on a bad file or profile. */
static void profile_select(struct fc_profile_opts *po)
{
	static struct fc_config cfg; /* outlives prof (its prelude) */
	struct fc_config_error cerr;
	const char *err;

	if (po->config_path && fc_config_load(&cfg, po->config_path, &cerr) != 0) {
		char msg[600];

		fc_config_error_format(&cerr, msg, sizeof(msg));
		usage_die("%s", msg);
	}
	if ((err = fc_profile_opts_select(po, &cfg, &prof)))
		usage_die("%s%s: %s", po->profile_name ? "--profile " : "framing options",
			  po->profile_name ? po->profile_name : "", err);
}

static int frames_main(int argc, char **argv)
{
	static uint8_t stream[FRAMES_STREAM_MAX];
	static const char *texts[4096];
	size_t n = 0, ncut = 0, ntext = 0, cuts[4096];
	struct fc_profile_opts po = { 0 };
	const char *err, *end_with = "fin", *raw = NULL;
	unsigned long port = 8001, cport = 40000;
	bool cuts_given = false;
	struct conn c;
	int i = 3;

	while (i < argc) {
		const char *o = argv[i];

		if (!strcmp(o, "--frames")) {
			for (i++; i < argc && strncmp(argv[i], "--", 2); i++) {
				if (ntext == sizeof texts / sizeof texts[0])
					usage_die("--frames: %zu frames at most", ntext);
				texts[ntext++] = argv[i];
			}
			continue;
		}
		if (i + 1 >= argc && strcmp(o, "--signed") && strcmp(o, "--unsigned"))
			usage_die("%s needs a value", o);
		if (!strcmp(o, "--port")) {
			port = number(o, argv[++i], 65535);
		} else if (!strcmp(o, "--cport")) {
			cport = number(o, argv[++i], 65535);
		} else if (!strcmp(o, "--raw")) {
			raw = argv[++i];
		} else if (!strcmp(o, "--end")) {
			end_with = argv[++i];
			if (strcmp(end_with, "fin") && strcmp(end_with, "rst") && strcmp(end_with, "none"))
				usage_die("--end %s: fin, rst or none", end_with);
		} else if (!strcmp(o, "--cuts")) {
			char *list = argv[++i], *tok;

			cuts_given = true;
			for (tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
				if (ncut < sizeof cuts / sizeof cuts[0])
					cuts[ncut++] = number("--cuts", tok, FRAMES_STREAM_MAX);
		} else if (!profile_option(&po, argc, argv, &i)) {
			usage_die("unknown option %s", o);
		}
		i++;
	}
	profile_select(&po);
	for (size_t k = 0; k < ntext; k++) {
		static uint8_t hdr[FC_MAX_HEADER_SIZE];
		uint8_t trailer[FC_DELIMITER_MAX];
		size_t len = strlen(texts[k]), hlen, tlen;

		/* Every framing's bytes from the one rule (a BER tag is 0x30). */
		if ((err = fc_profile_frame_payload(&prof, (const uint8_t *)texts[k], len, hdr,
						    sizeof(hdr), &hlen, trailer, &tlen)))
			usage_die("--frames %s: %s", texts[k], err);
		if (n + hlen + len + tlen > FRAMES_STREAM_MAX)
			usage_die("--frames: %s", "1 MiB at most in all");
		/* The header's other bytes are not zero, or a 3-byte length and
		 * a zero byte would read as one 4-byte length. */
		for (size_t b = 0; b < hlen; b++)
			if (prof.framing == FC_FRAMING_LENGTH
				    ? b < prof.length_offset || b >= fc_profile_length_end(&prof)
				    : prof.framing == FC_FRAMING_VARINT && b < prof.length_offset)
				hdr[b] = 0xab;
		memcpy(stream + n, hdr, hlen);
		n += hlen;
		memcpy(stream + n, texts[k], len);
		n += len;
		memcpy(stream + n, trailer, tlen);
		n += tlen;
		if (!cuts_given && ncut < sizeof cuts / sizeof cuts[0])
			cuts[ncut++] = n;
	}
	if (raw)
		hex_put(stream, &n, raw);
	if (n == 0)
		usage_die("%s: nothing to send (--frames, --raw)", argv[2]);

	out_open(argv[2], LT_EN10MB, 65535, 1000);
	conn_init4(&c, 0x0A000001u, (uint16_t)cport, 0x0A000002u, (uint16_t)port, 1000, 5000);
	handshake(&c);
	for (size_t lo = 0; lo < n;) {
		size_t hi = n;

		/* The next cut inside what is left (cuts need not be sorted). */
		for (size_t j = 0; j < ncut; j++)
			if (cuts[j] > lo && cuts[j] < hi)
				hi = cuts[j];
		if (hi - lo > MAX_PAYLOAD) /* a segment at most this big */
			hi = lo + MAX_PAYLOAD;
		send_segment(&c, CLIENT, stream + lo, (uint32_t)(hi - lo), TH_PA);
		send_ack(&c, SERVER);
		lo = hi;
	}
	if (!strcmp(end_with, "fin"))
		teardown(&c, CLIENT);
	else if (!strcmp(end_with, "rst"))
		send_segment(&c, CLIENT, NULL, 0, TH_RST | TH_ACK);
	out_close();
	return 0;
}

/* Does the scenario write length fields by hand (framing length only)? */
static bool length_only(const char *name)
{
	static const char *const names[] = { "oversize", "negative", "zero", "diag-adjust",
					     "diag-short", "diag-ascii", "bench-large" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct scenario *sc = NULL;
	struct fc_profile_opts po = { 0 };
	int first_opt = 3;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < NSCEN; i++)
			printf("%-13s %s\n", scenarios[i].name, scenarios[i].desc);
		printf("%-13s %s\n", late_ack.name, late_ack.desc);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "frames")) {
		fc_profile_default(&prof);
		usage_who = "fc-pcapgen frames";
		return frames_main(argc, argv);
	}
	if (argc < 3) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < NSCEN; i++)
		if (!strcmp(argv[1], scenarios[i].name))
			sc = &scenarios[i];
	if (!sc && la_parse(argv[1])) {
		sc = &late_ack;
		la.path = argv[2];
	}
	if (!sc) {
		fprintf(stderr, "fc-pcapgen: unknown scenario '%s' (see --list)\n",
			argv[1]);
		return EXIT_USAGE;
	}
	bench_count = sc->default_count;
	if (argc >= 4 && strncmp(argv[3], "--", 2)) {
		char *end;
		unsigned long long v;

		if (!sc->bench) {
			fprintf(stderr, "fc-pcapgen: %s takes no COUNT\n", sc->name);
			return EXIT_USAGE;
		}
		v = strtoull(argv[3], &end, 10);
		if (argv[3][0] < '0' || argv[3][0] > '9' || *end || v == 0 ||
		    v > 0xFFFFFFFFull) {
			fprintf(stderr, "fc-pcapgen: COUNT must be 1 to 4294967295\n");
			return EXIT_USAGE;
		}
		bench_count = v;
		first_opt = 4;
	}

	fc_profile_default(&prof);
	for (int i = first_opt; i < argc; i++)
		if (!profile_option(&po, argc, argv, &i))
			usage_die("unknown option %s", argv[i]);
	if (first_opt < argc) {
		profile_select(&po);
		if (prof.framing != FC_FRAMING_LENGTH && length_only(sc->name))
			usage_die("%s writes wrong length fields on purpose: framing length only",
				  sc->name);
	}
	out.pad_eth = sc->pad;
	out_open(argv[2], sc->dlt,
		 sc->snaplen ? sc->snaplen : 65535, sc->bench ? 10 : 1000);
	sc->run();
	out_close();
	return 0;
}
