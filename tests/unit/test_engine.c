/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_engine.c - fc_engine over hand-built Ethernet/IPv4/IPv6/TCP packets.
 *
 * Packets are assembled byte by byte (checksums left zero: the parser does
 * not check them) and fed with fc_engine_packet, link type 1 (Ethernet).
 * A recording sink copies every callback it gets (pointers in a record are
 * only valid during the callback) and checks the lifecycle rules that hold
 * for every stream: stream_begin once, before any other record of it;
 * nothing after its stream_end.
 *
 *   struct conn: two endpoints and the next sequence number of each side;
 *   csend() sends from one side, acknowledging everything the other sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calloc_fail.h"
#include "fc_config.h"
#include "fc_describe.h"
#include "fc_engine.h"

#define DLT_ETHERNET 1

/* --- recording sink ------------------------------------------------------ */

enum ev_kind { EV_BEGIN, EV_SEGMENT, EV_FRAME, EV_ANOMALY, EV_END };

#define KEPT_MAX 64
#define PKTS_MAX 8

struct ev {
	enum ev_kind kind;
	uint64_t at; /* packet being fed when it came (finish: 0) */
	uint64_t stream;
	enum fc_dir dir;
	/* EV_BEGIN */
	char client[FC_ENDPOINT_MAX], server[FC_ENDPOINT_MAX];
	bool syn_seen;
	const struct fc_profile *profile;
	uint64_t first_pkt;
	/* EV_FRAME: pointers cleared, bytes copied */
	struct fc_frame fr;
	uint8_t kept[KEPT_MAX];
	uint64_t packets[PKTS_MAX];
	/* EV_ANOMALY */
	enum fc_anomaly_kind an;
	uint64_t off, pkt;
	char detail[200];
	/* EV_SEGMENT (off, pkt above too) */
	uint32_t seg_len, npieces, repeated;
	bool out_of_order, retransmission, conflict;
	/* EV_END */
	char why[16];
	struct fc_stream_end end;
};

struct tctx {
	struct fc_engine *e;
	uint64_t num; /* number of the last packet fed */
	int64_t ts_skip_us; /* added to every packet's time (1 ms a packet) */
	bool finishing;
	struct ev *ev;
	size_t nev, cap;
	uint8_t *state; /* per stream id: 0 none, 1 begun, 2 ended */
	size_t nstate;
};

static struct ev *rec_add(struct tctx *t, enum ev_kind kind,
			  const struct fc_stream_info *s)
{
	struct ev *e;

	if (t->nev == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct ev *n = realloc(t->ev, cap * sizeof(*n));
		assert_non_null(n);
		t->ev = n;
		t->cap = cap;
	}
	e = &t->ev[t->nev++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->at = t->finishing ? 0 : t->num;
	e->stream = s->id;
	return e;
}

static uint8_t *stream_state(struct tctx *t, uint64_t id)
{
	assert_true(id >= 1);
	if (id >= t->nstate) {
		size_t n = t->nstate ? t->nstate : 64;
		uint8_t *p;
		while (n <= id)
			n *= 2;
		p = realloc(t->state, n);
		assert_non_null(p);
		memset(p + t->nstate, 0, n - t->nstate);
		t->state = p;
		t->nstate = n;
	}
	return &t->state[id];
}

static void must_be_open(struct tctx *t, const struct fc_stream_info *s)
{
	uint8_t st = *stream_state(t, s->id);
	if (st != 1)
		fail_msg("stream %llu: record while %s", (unsigned long long)s->id,
			 st ? "ended" : "not begun");
}

static void on_begin(void *ctx, const struct fc_stream_info *s)
{
	struct tctx *t = ctx;
	uint8_t *st = stream_state(t, s->id);
	struct ev *e;

	if (*st != 0)
		fail_msg("stream %llu begins twice", (unsigned long long)s->id);
	*st = 1;
	e = rec_add(t, EV_BEGIN, s);
	fc_format_endpoint(&s->key.src, s->key.sport, e->client, sizeof(e->client));
	fc_format_endpoint(&s->key.dst, s->key.dport, e->server, sizeof(e->server));
	e->syn_seen = s->syn_seen;
	e->profile = s->profile;
	e->first_pkt = s->first_pkt;
}

/* A record of what a report carried, for direction dir of an open stream. */
static struct ev *rec_dir(struct tctx *t, enum ev_kind kind, const struct fc_stream_info *s,
			  enum fc_dir dir)
{
	struct ev *e;

	must_be_open(t, s);
	e = rec_add(t, kind, s);
	e->dir = dir;
	return e;
}

static void on_segment(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_segment *seg)
{
	struct ev *e = rec_dir(ctx, EV_SEGMENT, s, dir);

	e->off = seg->offset;
	e->pkt = seg->pkt.num;
	e->seg_len = seg->len;
	e->npieces = seg->npieces;
	e->out_of_order = seg->out_of_order;
	e->repeated = seg->repeated;
	e->retransmission = seg->retransmission;
	e->conflict = seg->conflict;
}

static void on_frame(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		     const struct fc_frame *f)
{
	struct ev *e = rec_dir(ctx, EV_FRAME, s, dir);

	e->fr = *f;
	e->fr.packets = NULL;
	e->fr.payload = NULL;
	if (f->payload_kept)
		memcpy(e->kept, f->payload,
		       f->payload_kept < KEPT_MAX ? f->payload_kept : KEPT_MAX);
	for (uint32_t i = 0; i < f->npackets && i < PKTS_MAX; i++)
		e->packets[i] = f->packets[i];
}

static void on_anomaly(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_anomaly *a)
{
	struct ev *e = rec_dir(ctx, EV_ANOMALY, s, dir);

	e->an = a->kind;
	e->off = a->offset;
	e->pkt = a->pkt;
	fc_anomaly_describe(a, e->detail, sizeof(e->detail));
}

/* A report, recorded as the old per-event calls came: its frames and
 * anomalies, then its segment. */
static void on_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		      const struct fc_report *r)
{
	for (uint32_t i = 0; i < r->nevents; i++) {
		if (r->events[i].type == FC_EV_FRAME)
			on_frame(ctx, s, dir, &r->events[i].frame);
		else
			on_anomaly(ctx, s, dir, &r->events[i].anomaly);
	}
	if (r->seg)
		on_segment(ctx, s, dir, r->seg);
}

static void on_end(void *ctx, const struct fc_stream_info *s,
		   const struct fc_stream_end *end)
{
	struct tctx *t = ctx;
	struct ev *e;

	must_be_open(t, s);
	*stream_state(t, s->id) = 2;
	e = rec_add(t, EV_END, s);
	snprintf(e->why, sizeof(e->why), "%s", end->why ? end->why : "(null)");
	e->end = *end;
	e->end.why = NULL;
}

static struct tctx *tctx_new(const struct fc_engine_config *cfg)
{
	struct tctx *t = calloc(1, sizeof(*t));
	struct fc_sink sink = {
		.stream_begin = on_begin,
		.report = on_report,
		.stream_end = on_end,
	};

	assert_non_null(t);
	sink.ctx = t;
	t->e = fc_engine_new(cfg, &sink);
	assert_non_null(t->e);
	return t;
}

static void tctx_free(struct tctx *t)
{
	fc_engine_free(t->e);
	free(t->ev);
	free(t->state);
	free(t);
}

static void finish(struct tctx *t)
{
	struct fc_pkt last = { t->num, (int64_t)t->num * 1000 };

	t->finishing = true;
	fc_engine_finish(t->e, &last);
	t->finishing = false;
}

static const struct fc_engine_stats *stats(const struct tctx *t)
{
	return fc_engine_stats(t->e);
}

/* Which records: of a kind (for EV_ANOMALY, of anomaly kind an unless
 * any_an); stream 0 and dir -1 match any, and the dir of a begin or end
 * record is not looked at. */
struct want {
	enum ev_kind kind;
	bool any_an;
	enum fc_anomaly_kind an;
	uint64_t stream;
	int dir;
};

/* How many records w matches; *kth gets the k-th (0-based) of them, or
 * NULL when there are not that many. */
static size_t scan(const struct tctx *t, const struct want *w, size_t k,
		   const struct ev **kth)
{
	size_t n = 0;

	*kth = NULL;
	for (size_t i = 0; i < t->nev; i++) {
		const struct ev *e = &t->ev[i];
		if (e->kind == w->kind && (w->any_an || e->an == w->an) &&
		    (!w->stream || e->stream == w->stream) &&
		    (w->dir < 0 || w->kind == EV_BEGIN || w->kind == EV_END ||
		     (int)e->dir == w->dir)) {
			if (n == k)
				*kth = e;
			n++;
		}
	}
	return n;
}

/* Records of a kind; stream 0 and dir -1 match any. */
static size_t count(const struct tctx *t, enum ev_kind kind, uint64_t stream,
		    int dir)
{
	struct want w = { kind, true, 0, stream, dir };
	const struct ev *e;

	return scan(t, &w, 0, &e);
}

/* The k-th (0-based) such record; fails if there is none. */
static const struct ev *nth(const struct tctx *t, enum ev_kind kind,
			    uint64_t stream, int dir, size_t k)
{
	struct want w = { kind, true, 0, stream, dir };
	const struct ev *e;

	scan(t, &w, k, &e);
	if (!e)
		fail_msg("no record of kind %d for stream %llu dir %d", (int)kind,
			 (unsigned long long)stream, dir);
	return e;
}

/* Anomaly records of kind an; stream 0 and dir -1 match any. */
static size_t count_anomalies(const struct tctx *t, enum fc_anomaly_kind an,
			      uint64_t stream, int dir)
{
	struct want w = { EV_ANOMALY, false, an, stream, dir };
	const struct ev *e;

	return scan(t, &w, 0, &e);
}

/* The k-th (0-based) such anomaly record; fails if there is none. */
static const struct ev *nth_anomaly(const struct tctx *t, enum fc_anomaly_kind an,
				    uint64_t stream, int dir, size_t k)
{
	struct want w = { EV_ANOMALY, false, an, stream, dir };
	const struct ev *e;

	scan(t, &w, k, &e);
	if (!e)
		fail_msg("no %s anomaly for stream %llu dir %d", fc_anomaly_name(an),
			 (unsigned long long)stream, dir);
	return e;
}

/* --- packet builder ------------------------------------------------------ */

struct spec {
	const char *src, *dst; /* "10.0.0.1" or "2001:db8::1" */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const void *data;
	uint32_t len;
	uint16_t vlan; /* 0: untagged */
	uint8_t proto; /* 0: TCP */
	uint16_t frag; /* IPv4 flags + fragment offset field */
	uint32_t ip_extra; /* the IP length claims this many bytes more */
	uint32_t cut; /* trailing bytes not captured (caplen < wire_len) */
};

#define PKT_MAX 2048

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Ethernet [802.1Q] IPv4|IPv6 TCP payload into buf; returns its length. */
static uint32_t build(uint8_t *buf, const struct spec *s)
{
	bool v6 = strchr(s->src, ':') != NULL;
	uint8_t *p = buf;
	uint32_t l4 = (s->proto && s->proto != 6 ? 8 : 20) + s->len;

	assert_true(l4 + 62 <= PKT_MAX);
	memset(buf, 0, PKT_MAX);
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	p += 12;
	if (s->vlan) {
		put16(p, 0x8100);
		put16(p + 2, s->vlan);
		p += 4;
	}
	put16(p, v6 ? 0x86dd : 0x0800);
	p += 2;
	if (v6) {
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(l4 + s->ip_extra));
		p[6] = s->proto ? s->proto : 6;
		p[7] = 64;
		assert_int_equal(inet_pton(AF_INET6, s->src, p + 8), 1);
		assert_int_equal(inet_pton(AF_INET6, s->dst, p + 24), 1);
		p += 40;
	} else {
		p[0] = 0x45;
		put16(p + 2, (uint16_t)(20 + l4 + s->ip_extra));
		put16(p + 6, s->frag);
		p[8] = 64;
		p[9] = s->proto ? s->proto : 6;
		assert_int_equal(inet_pton(AF_INET, s->src, p + 12), 1);
		assert_int_equal(inet_pton(AF_INET, s->dst, p + 16), 1);
		p += 20;
	}
	put16(p, s->sport);
	put16(p + 2, s->dport);
	if (s->proto && s->proto != 6) { /* UDP */
		put16(p + 4, (uint16_t)l4);
		p += 8;
	} else {
		put32(p + 4, s->seq);
		put32(p + 8, s->ack);
		p[12] = 5 << 4;
		p[13] = s->flags;
		put16(p + 14, 65535);
		p += 20;
	}
	if (s->len)
		memcpy(p, s->data, s->len);
	return (uint32_t)(p - buf) + s->len;
}

static enum fc_parse_status tx(struct tctx *t, const struct spec *s)
{
	uint8_t buf[PKT_MAX];
	uint32_t n = build(buf, s);
	struct fc_pkt pkt;

	assert_true(s->cut < n);
	pkt.num = ++t->num;
	pkt.ts_us = (int64_t)pkt.num * 1000 + t->ts_skip_us;
	return fc_engine_packet(t->e, &pkt, DLT_ETHERNET, buf, n - s->cut, n);
}

#define TX(t, ...) tx((t), &(struct spec){ __VA_ARGS__ })

enum { SYN = FC_TH_SYN, ACK = FC_TH_ACK, FIN = FC_TH_FIN, RST = FC_TH_RST,
       PSH = FC_TH_PUSH };

/* One connection: side 0 is the client (FC_C2S), side 1 the server. */
struct conn {
	const char *addr[2];
	uint16_t port[2];
	uint16_t vlan;
	uint32_t seq[2]; /* next sequence number each side sends */
};

#define CLI "10.0.0.1"
#define SRV "10.0.0.2"

static struct conn conn_make(uint16_t cport, uint16_t sport, uint32_t cisn,
			     uint32_t sisn)
{
	struct conn c = { { CLI, SRV }, { cport, sport }, 0, { cisn, sisn } };
	return c;
}

/* Send from side d, acknowledging all the other side sent (with ACK). */
static enum fc_parse_status csend(struct tctx *t, struct conn *c, int d,
				  uint8_t flags, const void *data, uint32_t len)
{
	struct spec s = {
		.src = c->addr[d], .dst = c->addr[!d],
		.sport = c->port[d], .dport = c->port[!d],
		.seq = c->seq[d], .ack = (flags & ACK) ? c->seq[!d] : 0,
		.flags = flags, .data = data, .len = len, .vlan = c->vlan,
	};
	c->seq[d] += len + !!(flags & SYN) + !!(flags & FIN);
	return tx(t, &s);
}

static void handshake(struct tctx *t, struct conn *c)
{
	csend(t, c, 0, SYN, NULL, 0);
	csend(t, c, 1, SYN | ACK, NULL, 0);
	csend(t, c, 0, ACK, NULL, 0);
}

/* FIN from the client, FIN from the server, last ACK. */
static void close_fin(struct tctx *t, struct conn *c)
{
	csend(t, c, 0, FIN | ACK, NULL, 0);
	csend(t, c, 1, FIN | ACK, NULL, 0);
	csend(t, c, 0, ACK, NULL, 0);
}

/* Connection i (1, 2, ...) of several side by side to the server
 * 10.0.0.2:8001: client port 40000 + i, ISNs 1000 i and 4000 + 1000 i. */
static struct conn conn_nth(uint16_t i)
{
	return conn_make((uint16_t)(40000 + i), 8001, 1000u * i, 4000u + 1000u * i);
}

/* A default-profile frame: 4-byte little-endian length, then payload. */
static uint32_t frame(uint8_t *out, const char *payload)
{
	uint32_t n = (uint32_t)strlen(payload);

	out[0] = (uint8_t)n;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)(n >> 16);
	out[3] = (uint8_t)(n >> 24);
	memcpy(out + 4, payload, n);
	return n + 4;
}

/* A header announcing len payload bytes, with the first `have` of them. */
static uint32_t frame_head(uint8_t *out, uint32_t len, uint32_t have)
{
	out[0] = (uint8_t)len;
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 24);
	memset(out + 4, 'x', have);
	return have + 4;
}

static struct fc_profile default_profile;
static struct fc_engine_config base_cfg;

/* A tctx over base_cfg with room for max_flows flows. */
static struct tctx *tctx_flows(uint32_t max_flows)
{
	struct fc_engine_config cfg = base_cfg;

	cfg.max_flows = max_flows;
	return tctx_new(&cfg);
}

/* A tctx over base_cfg, and in *c the connection 10.0.0.1:40000 to
 * 10.0.0.2:8001 (ISNs 1000 and 5000) after its handshake (packets 1-3). */
static struct tctx *tctx_handshake(struct conn *c)
{
	struct tctx *t = tctx_new(&base_cfg);

	*c = conn_make(40000, 8001, 1000, 5000);
	handshake(t, c);
	return t;
}

static int setup(void **state)
{
	fc_profile_default(&default_profile);
	memset(&base_cfg, 0, sizeof(base_cfg));
	base_cfg.fallback = &default_profile;
	base_cfg.payload_keep = KEPT_MAX;
	(void)state; /* left as cmocka set it: NULL, or a test's case */
	return 0;
}

static void assert_frame(const struct ev *e, uint64_t idx, uint64_t offset,
			 const char *payload)
{
	size_t n = strlen(payload);

	assert_int_equal(e->fr.index, idx);
	assert_int_equal(e->fr.offset, offset);
	assert_int_equal(e->fr.length, (int64_t)n);
	assert_int_equal(e->fr.payload_len, n);
	assert_int_equal(e->fr.payload_missing, 0);
	assert_int_equal(e->fr.payload_kept, n < KEPT_MAX ? n : KEPT_MAX);
	assert_memory_equal(e->kept, payload, n < KEPT_MAX ? n : KEPT_MAX);
}

/* --- lifecycle ----------------------------------------------------------- */

static void test_fin_close_both_directions(void **state)
{
	(void)state;
	struct conn c;
	struct tctx *t = tctx_handshake(&c); /* packets 1-3 */
	uint8_t b[64];
	const struct ev *e;

	csend(t, &c, 0, ACK | PSH, b, frame(b, "hello")); /* 4 */
	csend(t, &c, 1, ACK | PSH, b, frame(b, "world!")); /* 5 */
	csend(t, &c, 0, FIN | ACK, NULL, 0); /* 6 */
	assert_int_equal(count(t, EV_END, 0, -1), 0);
	csend(t, &c, 1, FIN | ACK, NULL, 0); /* 7: both directions closed */
	assert_int_equal(count(t, EV_END, 0, -1), 1);
	csend(t, &c, 0, ACK, NULL, 0); /* 8 */

	assert_int_equal(count(t, EV_BEGIN, 0, -1), 1);
	e = nth(t, EV_BEGIN, 0, -1, 0);
	assert_int_equal(e->stream, 1);
	assert_int_equal(e->at, 4); /* first data */
	assert_string_equal(e->client, "10.0.0.1:40000");
	assert_string_equal(e->server, "10.0.0.2:8001");
	assert_true(e->syn_seen);
	assert_ptr_equal(e->profile, &default_profile);
	assert_int_equal(e->first_pkt, 1);

	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 1);
	assert_int_equal(count(t, EV_FRAME, 1, FC_S2C), 1);
	e = nth(t, EV_FRAME, 1, FC_C2S, 0);
	assert_frame(e, 0, 0, "hello");
	assert_int_equal(e->fr.npackets, 1);
	assert_int_equal(e->packets[0], 4);
	assert_false(e->fr.split);
	assert_false(e->fr.sticky);
	e = nth(t, EV_FRAME, 1, FC_S2C, 0);
	assert_frame(e, 0, 0, "world!");
	assert_int_equal(e->packets[0], 5);
	assert_int_equal(e->fr.pkt_last, 5);

	assert_int_equal(count(t, EV_SEGMENT, 1, FC_C2S), 1);
	assert_int_equal(count(t, EV_SEGMENT, 1, FC_S2C), 1);
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 0);

	e = nth(t, EV_END, 0, -1, 0);
	assert_int_equal(e->stream, 1);
	assert_int_equal(e->at, 7);
	assert_string_equal(e->why, "fin");
	assert_int_equal(e->end.dir[FC_C2S].frames, 1);
	assert_int_equal(e->end.dir[FC_C2S].bytes, 9);
	assert_int_equal(e->end.dir[FC_S2C].frames, 1);
	assert_int_equal(e->end.dir[FC_S2C].bytes, 10);
	assert_int_equal(e->end.reasm[FC_C2S].gap_bytes, 0);
	assert_int_equal(e->end.reasm[FC_S2C].gap_bytes, 0);
	/* The end is the last record. */
	assert_int_equal(t->ev[t->nev - 1].kind, EV_END);

	finish(t);
	assert_int_equal(count(t, EV_END, 0, -1), 1);
	assert_int_equal(stats(t)->packets, 8);
	assert_int_equal(stats(t)->tcp_packets, 8);
	assert_int_equal(stats(t)->streams, 1);
	assert_int_equal(stats(t)->streams_with_data, 1);
	assert_int_equal(stats(t)->frames, 2);
	assert_int_equal(stats(t)->bytes, 19);
	assert_int_equal(stats(t)->anomalies, 0);
	assert_int_equal(stats(t)->late_packets, 0);
	assert_int_equal(stats(t)->live_flows_peak, 1);
	tctx_free(t);
}

static void test_synack_first_sender_is_server(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];
	const struct ev *e;

	c.seq[0]++; /* the client's SYN went by before the capture began */
	csend(t, &c, 1, SYN | ACK, NULL, 0); /* 1: from the server */
	csend(t, &c, 0, ACK, NULL, 0);
	csend(t, &c, 1, ACK | PSH, b, frame(b, "srv")); /* 3 */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "cli")); /* 4 */

	e = nth(t, EV_BEGIN, 0, -1, 0);
	assert_int_equal(e->stream, 1);
	assert_string_equal(e->client, "10.0.0.1:40000");
	assert_string_equal(e->server, "10.0.0.2:8001");
	assert_true(e->syn_seen);
	assert_int_equal(e->first_pkt, 1);
	assert_frame(nth(t, EV_FRAME, 1, FC_S2C, 0), 0, 0, "srv");
	assert_int_equal(nth(t, EV_FRAME, 1, FC_S2C, 0)->packets[0], 3);
	assert_false(nth(t, EV_FRAME, 1, FC_S2C, 0)->fr.resynced);
	/* The client's own SYN was not seen, but the SYN-ACK acknowledged it:
	 * its ack number is where the client's stream starts. */
	assert_int_equal(count_anomalies(t, FC_AN_MIDSTREAM, 1, FC_S2C), 0);
	assert_int_equal(count_anomalies(t, FC_AN_MIDSTREAM, 1, FC_C2S), 0);
	e = nth(t, EV_FRAME, 1, FC_C2S, 0);
	assert_int_equal(e->packets[0], 4);
	assert_int_equal(e->fr.offset, 0);
	assert_false(e->fr.resynced);
	finish(t);
	assert_int_equal(stats(t)->streams, 1);
	tctx_free(t);
}

static void test_no_syn_higher_port_is_client(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];
	const struct ev *e;

	c.seq[0]++;
	c.seq[1]++;
	/* The lower port speaks first: it is still the server. */
	csend(t, &c, 1, ACK | PSH, b, frame(b, "one")); /* 1 */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "two")); /* 2 */
	csend(t, &c, 1, ACK | PSH, b, frame(b, "three")); /* 3 */
	csend(t, &c, 0, ACK, NULL, 0); /* 4: pure ACK */

	assert_int_equal(count(t, EV_BEGIN, 0, -1), 1);
	e = nth(t, EV_BEGIN, 0, -1, 0);
	assert_string_equal(e->client, "10.0.0.1:40000");
	assert_string_equal(e->server, "10.0.0.2:8001");
	assert_false(e->syn_seen);
	assert_int_equal(e->first_pkt, 1);
	assert_int_equal(e->at, 1);

	/* Each direction with data starts mid-stream, once, at offset 0. */
	assert_int_equal(count_anomalies(t, FC_AN_MIDSTREAM, 1, FC_C2S), 1);
	assert_int_equal(count_anomalies(t, FC_AN_MIDSTREAM, 1, FC_S2C), 1);
	e = nth_anomaly(t, FC_AN_MIDSTREAM, 1, FC_S2C, 0);
	assert_int_equal(e->off, 0);
	assert_int_equal(e->pkt, 1);
	e = nth_anomaly(t, FC_AN_MIDSTREAM, 1, FC_C2S, 0);
	assert_int_equal(e->off, 0);
	assert_int_equal(e->pkt, 2);
	/* Frames decoded after the resync at a packet start are guesses. */
	assert_int_equal(count(t, EV_FRAME, 1, FC_S2C), 2);
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 1);
	e = nth(t, EV_FRAME, 1, FC_S2C, 1);
	assert_frame(e, 1, 7, "three");
	assert_true(e->fr.resynced);
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 0), 0, 0, "two");

	/* A packet between equal ports: the sender is taken as client. */
	TX(t, .src = "10.0.0.9", .dst = "10.0.0.8", .sport = 7000, .dport = 7000,
	   .seq = 1, .ack = 1, .flags = ACK | PSH, .data = "\0\0\0\0", .len = 4);
	e = nth(t, EV_BEGIN, 2, -1, 0);
	assert_string_equal(e->client, "10.0.0.9:7000");
	assert_string_equal(e->server, "10.0.0.8:7000");
	finish(t);
	tctx_free(t);
}

static void test_rst_inside_frame(void **state)
{
	(void)state;
	struct conn c;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[64];
	uint32_t n;
	const struct ev *e;

	csend(t, &c, 0, ACK | PSH, b, frame(b, "ok")); /* 4 */
	n = frame_head(b, 20, 5);
	csend(t, &c, 0, ACK | PSH, b, n); /* 5: frame 1, 5 of 20 bytes */
	csend(t, &c, 1, RST | ACK, NULL, 0); /* 6 */

	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 1);
	assert_int_equal(count_anomalies(t, FC_AN_TRUNCATED, 1, -1), 1);
	e = nth_anomaly(t, FC_AN_TRUNCATED, 1, FC_C2S, 0);
	assert_int_equal(e->off, 6);
	assert_int_equal(e->pkt, 6);
	assert_non_null(strstr(e->detail, "reset by RST"));
	assert_non_null(strstr(e->detail, "5 of 20"));
	e = nth(t, EV_END, 1, -1, 0);
	assert_string_equal(e->why, "rst");
	assert_int_equal(e->at, 6);
	assert_int_equal(e->end.dir[FC_C2S].frames, 1);
	assert_int_equal(e->end.dir[FC_C2S].anomalies[FC_AN_TRUNCATED], 1);
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 1);

	/* Data after the RST is late; the flow is not reopened by it. */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "zz"));
	assert_int_equal(stats(t)->late_packets, 1);
	finish(t);
	assert_int_equal(count(t, EV_END, 0, -1), 1);
	assert_int_equal(stats(t)->streams, 1);
	assert_int_equal(stats(t)->anomaly_kinds[FC_AN_TRUNCATED], 1);
	tctx_free(t);
}

static void test_new_syn_after_close(void **state)
{
	(void)state;
	struct conn c;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[64];
	const struct ev *e;

	csend(t, &c, 0, ACK | PSH, b, frame(b, "first"));
	close_fin(t, &c); /* packets 5-7 */
	assert_int_equal(count(t, EV_END, 1, -1), 1);

	/* Same 4-tuple, new connection. */
	c.seq[0] = 90000;
	c.seq[1] = 70000;
	handshake(t, &c); /* 8-10 */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "again")); /* 11 */
	csend(t, &c, 1, ACK | PSH, b, frame(b, "back")); /* 12 */

	assert_int_equal(stats(t)->streams, 2);
	e = nth(t, EV_BEGIN, 2, -1, 0);
	assert_int_equal(e->first_pkt, 8);
	assert_true(e->syn_seen);
	assert_string_equal(e->client, "10.0.0.1:40000");
	/* Offsets and frame numbers start over. */
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 0), 0, 0, "again");
	assert_frame(nth(t, EV_FRAME, 2, FC_S2C, 0), 0, 0, "back");
	assert_int_equal(nth(t, EV_SEGMENT, 2, FC_C2S, 0)->off, 0);
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 0);
	assert_int_equal(stats(t)->late_packets, 0);
	finish(t);
	e = nth(t, EV_END, 2, -1, 0);
	assert_string_equal(e->why, "capture end");
	assert_int_equal(count(t, EV_END, 0, -1), 2);
	assert_int_equal(stats(t)->frames, 3);
	tctx_free(t);
}

static void test_retransmitted_syn_same_stream(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];

	TX(t, .src = CLI, .dst = SRV, .sport = 40000, .dport = 8001, .seq = 1000,
	   .flags = SYN);
	handshake(t, &c); /* the same SYN again, then the rest */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "data"));
	/* Even after data, the same SYN once more changes nothing. */
	TX(t, .src = CLI, .dst = SRV, .sport = 40000, .dport = 8001, .seq = 1000,
	   .flags = SYN);
	csend(t, &c, 0, ACK | PSH, b, frame(b, "more"));

	assert_int_equal(stats(t)->streams, 1);
	assert_int_equal(count(t, EV_BEGIN, 0, -1), 1);
	assert_int_equal(nth(t, EV_BEGIN, 1, -1, 0)->first_pkt, 1);
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 0), 0, 0, "data");
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 1), 1, 8, "more");
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 0);
	assert_int_equal(count(t, EV_END, 0, -1), 0);
	finish(t);
	tctx_free(t);
}

/* Retransmitted bytes count in the totals when the stream ends, and
 * those of a direction that had no memory for its own counters count
 * at once, from the engine's spill: each once, however often the
 * totals are read. */
static void test_retransmitted_counted_without_memory(void **state)
{
	(void)state;
	struct conn c, d;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[64];
	uint32_t n = frame(b, "data");

	csend(t, &c, 0, ACK | PSH, b, n);
	c.seq[0] -= n;
	csend(t, &c, 0, ACK | PSH, b, n); /* counted by the direction */
	assert_int_equal(stats(t)->retransmitted_bytes, 0); /* until it ends */

	d = conn_make(40001, 8001, 7000, 9000);
	handshake(t, &d);
	csend(t, &d, 0, ACK | PSH, b, n);
	d.seq[0] -= n;
	calloc_failures = 1;
	csend(t, &d, 0, ACK | PSH, b, n); /* no memory: the spill's */
	assert_int_equal(calloc_failures, 0);
	assert_int_equal(stats(t)->retransmitted_bytes, n);
	assert_int_equal(stats(t)->retransmitted_bytes, n);
	finish(t);
	assert_int_equal(stats(t)->retransmitted_bytes, 2 * n);
	assert_int_equal(count(t, EV_SEGMENT, 1, FC_C2S), 2);
	assert_int_equal(count(t, EV_SEGMENT, 2, FC_C2S), 2);
	tctx_free(t);
}

/* A packet without new bytes is a segment of its own, with no frame, its
 * conflict just before it (the same report); one with some old bytes
 * says how many; an empty ACK is no segment. */
static void test_retransmission_segments(void **state)
{
	(void)state;
	struct conn c;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[64], x[64];
	uint32_t n = frame(b, "data");
	const struct ev *e;

	csend(t, &c, 0, ACK | PSH, b, n); /* 4 */
	c.seq[0] -= n;
	csend(t, &c, 0, ACK | PSH, b, n); /* 5: the same again */
	memcpy(x, b, n);
	x[6] = 'X';
	c.seq[0] -= n;
	csend(t, &c, 0, ACK | PSH, x, n); /* 6: bytes 6.. differ */
	c.seq[0] -= 3;
	memcpy(x, b + n - 3, 3);
	csend(t, &c, 0, ACK | PSH, x, 3 + frame(x + 3, "new")); /* 7: 3 old, 7 new */
	csend(t, &c, 1, ACK, NULL, 0); /* 8: an ACK */

	assert_int_equal(count(t, EV_SEGMENT, 1, FC_C2S), 4);
	assert_int_equal(count(t, EV_SEGMENT, 1, FC_S2C), 0);
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 2);
	e = nth(t, EV_SEGMENT, 1, FC_C2S, 1);
	assert_true(e->retransmission && !e->conflict && e->npieces == 0);
	assert_int_equal(e->pkt, 5);
	assert_int_equal(e->off, 0);
	assert_int_equal(e->seg_len, n);
	assert_int_equal(e->repeated, n);
	e = nth(t, EV_SEGMENT, 1, FC_C2S, 2);
	assert_true(e->retransmission && e->conflict);
	assert_int_equal(e->pkt, 6);
	assert_int_equal(e[-1].kind, EV_ANOMALY); /* recorded before its segment */
	assert_int_equal(e[-1].an, FC_AN_RETRANSMIT_CONFLICT);
	assert_int_equal(e[-1].pkt, 6);
	assert_int_equal(e[-1].off, 6);
	e = nth(t, EV_SEGMENT, 1, FC_C2S, 3);
	assert_true(!e->retransmission && e->npieces == 1);
	assert_int_equal(e->pkt, 7);
	assert_int_equal(e->off, n);
	assert_int_equal(e->seg_len, 7);
	assert_int_equal(e->repeated, 3);
	assert_int_equal(nth(t, EV_SEGMENT, 1, FC_C2S, 0)->repeated, 0);
	assert_int_equal(stats(t)->anomalies, 1);
	finish(t);
	/* Counted as no segment of the direction's. */
	assert_int_equal(nth(t, EV_END, 1, -1, 0)->end.dir[FC_C2S].segments, 2);
	assert_int_equal(stats(t)->frames, 2);
	tctx_free(t);
}

static void test_new_isn_after_data_new_stream(void **state)
{
	(void)state;
	struct conn c;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[64];
	const struct ev *e;

	csend(t, &c, 0, ACK | PSH, b, frame(b, "old")); /* 4 */
	csend(t, &c, 0, ACK | PSH, b, frame_head(b, 10, 2)); /* 5: unfinished */
	/* The close was not captured; a new connection reuses the 4-tuple. */
	c.seq[0] = 3000000000u;
	c.seq[1] = 123;
	handshake(t, &c); /* 6-8 */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "new")); /* 9 */

	assert_int_equal(stats(t)->streams, 2);
	e = nth(t, EV_END, 1, -1, 0);
	assert_int_equal(e->at, 6);
	/* The engine ends the old stream as if closed normally. */
	assert_string_equal(e->why, "fin");
	assert_int_equal(count_anomalies(t, FC_AN_TRUNCATED, 1, FC_C2S), 1);
	assert_int_equal(nth_anomaly(t, FC_AN_TRUNCATED, 1, FC_C2S, 0)->off, 7);
	e = nth(t, EV_BEGIN, 2, -1, 0);
	assert_int_equal(e->first_pkt, 6);
	assert_true(e->syn_seen);
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 0), 0, 0, "new");
	assert_int_equal(count(t, EV_ANOMALY, 2, -1), 0);
	finish(t);
	tctx_free(t);
}

static void test_new_isn_before_data_new_stream(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];

	/* An attempt that got a SYN-ACK but never carried data... */
	csend(t, &c, 0, SYN, NULL, 0);
	csend(t, &c, 1, SYN | ACK, NULL, 0);
	/* ...then a new connection on the same 4-tuple, other ISNs on both
	 * sides, one below and one above the old ones. */
	c.seq[0] = 900;
	c.seq[1] = 2000000;
	handshake(t, &c); /* 3-5 */
	csend(t, &c, 0, ACK | PSH, b, frame(b, "req")); /* 6 */
	csend(t, &c, 1, ACK | PSH, b, frame(b, "resp")); /* 7 */

	assert_int_equal(stats(t)->streams, 2);
	assert_int_equal(count(t, EV_BEGIN, 0, -1), 1);
	assert_int_equal(nth(t, EV_BEGIN, 2, -1, 0)->first_pkt, 3);
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 0), 0, 0, "req");
	assert_frame(nth(t, EV_FRAME, 2, FC_S2C, 0), 0, 0, "resp");
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 0);
	finish(t);
	assert_int_equal(stats(t)->frames, 2);
	tctx_free(t);
}

static void test_late_packets(void **state)
{
	(void)state;
	struct conn c;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[64];
	size_t nev;

	csend(t, &c, 0, ACK | PSH, b, frame(b, "x"));
	close_fin(t, &c); /* the final pure ACK is not late */
	assert_int_equal(stats(t)->late_packets, 0);
	nev = t->nev;

	csend(t, &c, 1, ACK, NULL, 0); /* another pure ACK */
	assert_int_equal(stats(t)->late_packets, 0);
	csend(t, &c, 0, ACK | PSH, b, frame(b, "late")); /* data */
	assert_int_equal(stats(t)->late_packets, 1);
	c.seq[1]--;
	csend(t, &c, 1, FIN | ACK, NULL, 0); /* a repeated FIN */
	assert_int_equal(stats(t)->late_packets, 2);
	csend(t, &c, 0, RST, NULL, 0); /* a bare RST */
	assert_int_equal(stats(t)->late_packets, 2);
	csend(t, &c, 1, SYN | ACK, NULL, 0); /* not a new connection */
	assert_int_equal(stats(t)->late_packets, 2);

	assert_int_equal(t->nev, nev); /* nothing reported */
	finish(t);
	assert_int_equal(t->nev, nev);
	assert_int_equal(stats(t)->streams, 1);
	assert_int_equal(stats(t)->frames, 1);
	tctx_free(t);
}

static void test_vlan_is_identity(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn a = conn_make(40000, 8001, 1000, 5000);
	struct conn v = conn_make(40000, 8001, 1000, 5000);
	struct conn u = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];

	a.vlan = 100;
	v.vlan = 200;
	handshake(t, &a);
	handshake(t, &v);
	handshake(t, &u); /* untagged: a third connection */
	csend(t, &v, 0, ACK | PSH, b, frame(b, "on200"));
	csend(t, &a, 0, ACK | PSH, b, frame(b, "on100"));
	csend(t, &u, 0, ACK | PSH, b, frame(b, "none"));
	close_fin(t, &a);

	assert_int_equal(stats(t)->streams, 3);
	assert_int_equal(nth(t, EV_BEGIN, 1, -1, 0)->first_pkt, 1);
	assert_int_equal(nth(t, EV_BEGIN, 2, -1, 0)->first_pkt, 4);
	assert_int_equal(nth(t, EV_BEGIN, 3, -1, 0)->first_pkt, 7);
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 0), 0, 0, "on100");
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 0), 0, 0, "on200");
	assert_frame(nth(t, EV_FRAME, 3, FC_C2S, 0), 0, 0, "none");
	assert_int_equal(count(t, EV_FRAME, 0, -1), 3);
	assert_int_equal(count(t, EV_END, 0, -1), 1);
	assert_string_equal(nth(t, EV_END, 1, -1, 0)->why, "fin");
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 0);
	finish(t);
	assert_int_equal(count(t, EV_END, 0, -1), 3);
	tctx_free(t);
}

static void test_ipv6_endpoints(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];
	const struct ev *e;

	c.addr[0] = "2001:db8::1";
	c.addr[1] = "2001:db8::2";
	c.vlan = 7;
	handshake(t, &c);
	csend(t, &c, 0, ACK | PSH, b, frame(b, "v6"));
	close_fin(t, &c);
	e = nth(t, EV_BEGIN, 1, -1, 0);
	assert_string_equal(e->client, "[2001:db8::1]:40000");
	assert_string_equal(e->server, "[2001:db8::2]:8001");
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 0), 0, 0, "v6");
	assert_string_equal(nth(t, EV_END, 1, -1, 0)->why, "fin");
	assert_int_equal(stats(t)->tcp_packets, 7);
	tctx_free(t);
}

/* --- eviction ------------------------------------------------------------ */

/* A full table of open flows: a new connection (bare SYN) ends the idlest
 * one; a packet of an unknown connection without a SYN takes no place
 * unless a flow has been idle FC_EVICT_IDLE_US (60 s). */
static void test_evict_idlest(void **state)
{
	(void)state;
	struct tctx *t = tctx_flows(2);
	struct conn a = conn_nth(1), bb = conn_nth(2), cc = conn_nth(3), d = conn_nth(4);
	uint8_t b[64];
	const struct ev *e;
	uint64_t syn_c;

	handshake(t, &a);
	csend(t, &a, 0, ACK | PSH, b, frame_head(b, 10, 4)); /* inside a frame */
	handshake(t, &bb);
	csend(t, &bb, 0, ACK | PSH, b, frame(b, "bee"));

	csend(t, &cc, 0, SYN, NULL, 0); /* third flow: A is the idlest */
	syn_c = t->num;
	assert_int_equal(stats(t)->flows_evicted, 1);
	e = nth(t, EV_END, 1, -1, 0);
	assert_string_equal(e->why, "evicted");
	assert_int_equal(e->at, syn_c);
	assert_int_equal(count_anomalies(t, FC_AN_INCOMPLETE, 1, -1), 1);
	e = nth_anomaly(t, FC_AN_INCOMPLETE, 1, FC_C2S, 0);
	assert_int_equal(e->off, 0);
	assert_int_equal(e->pkt, syn_c);
	assert_non_null(strstr(e->detail, "evicted"));
	assert_int_equal(count(t, EV_END, 0, -1), 1);

	csend(t, &cc, 1, SYN | ACK, NULL, 0);
	csend(t, &cc, 0, ACK, NULL, 0);
	csend(t, &cc, 0, ACK | PSH, b, frame(b, "sea"));
	/* Now B is the idlest, C the latest. A packet on B turns that round. */
	csend(t, &bb, 1, ACK, NULL, 0);
	csend(t, &d, 0, SYN, NULL, 0);
	assert_int_equal(stats(t)->flows_evicted, 2);
	e = nth(t, EV_END, 3, -1, 0);
	assert_string_equal(e->why, "evicted");
	assert_int_equal(e->end.dir[FC_C2S].frames, 1);
	assert_int_equal(count_anomalies(t, FC_AN_INCOMPLETE, 3, -1), 0);
	assert_int_equal(count(t, EV_END, 2, -1), 0);

	/* B goes on in its own stream, frame numbering included. */
	csend(t, &bb, 0, ACK | PSH, b, frame(b, "bee2"));
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 1), 1, 7, "bee2");
	assert_int_equal(stats(t)->streams, 4);
	assert_int_equal(stats(t)->live_flows_peak, 2);

	/* A's next packet finds no flow, and no flow idle long enough to
	 * give way: untracked, nothing evicted, no new stream. */
	memset(b, 'x', 6);
	csend(t, &a, 0, ACK | PSH, b, 6);
	assert_int_equal(stats(t)->streams, 4);
	assert_int_equal(stats(t)->flows_evicted, 2);
	assert_int_equal(stats(t)->untracked_packets, 1);

	/* A minute later D, idle since its SYN, gives way to A: a new,
	 * mid-stream stream 5. */
	t->ts_skip_us = 60 * 1000000LL;
	csend(t, &bb, 0, ACK | PSH, b, frame(b, "bee3")); /* B stays busy */
	memset(b, 'x', 6);
	csend(t, &a, 0, ACK | PSH, b, 6);
	assert_int_equal(stats(t)->streams, 5);
	assert_false(nth(t, EV_BEGIN, 5, -1, 0)->syn_seen);
	assert_int_equal(stats(t)->flows_evicted, 3); /* D went (no data: no end record) */
	assert_int_equal(count(t, EV_END, 2, -1), 0);

	/* its midstream record waits for where decoding starts; "xxxxxx"
	 * never gives one, so it comes with the stream's end */
	assert_int_equal(count_anomalies(t, FC_AN_MIDSTREAM, 5, FC_C2S), 0);
	finish(t);
	assert_int_equal(count_anomalies(t, FC_AN_MIDSTREAM, 5, FC_C2S), 1);
	assert_int_equal(stats(t)->anomaly_kinds[FC_AN_INCOMPLETE], 1);
	tctx_free(t);
}

/* Round-robin traffic over more connections than the table holds: the
 * flows in the table decode whole, the others are untracked; no flow is
 * evicted per packet (with the old least-recently-used rule, every
 * packet here ended a stream and began another). */
static void test_evict_round_robin(void **state)
{
	(void)state;
	struct tctx *t = tctx_flows(4);
	struct conn c[6];
	uint8_t b[64];
	uint64_t frames = 0;

	for (int i = 0; i < 6; i++) {
		/* mid-stream starts: no SYN, data straight away */
		c[i] = conn_make((uint16_t)(41000 + i), 8001, 1000u * (uint32_t)i + 7, 90000);
	}
	for (int round = 0; round < 20; round++)
		for (int i = 0; i < 6; i++)
			csend(t, &c[i], 0, ACK | PSH, b, frame(b, "rr"));
	assert_int_equal(stats(t)->streams, 4);
	assert_int_equal(stats(t)->flows_evicted, 0);
	assert_int_equal(stats(t)->untracked_packets, 2 * 20);
	finish(t);
	for (uint64_t s = 1; s <= 4; s++)
		frames += nth(t, EV_END, s, -1, 0)->end.dir[FC_C2S].frames;
	/* the first frame of each is where decoding starts (a guess) */
	assert_true(frames >= 4 * 19);
	tctx_free(t);
}

static void test_evict_closed_not_counted(void **state)
{
	(void)state;
	struct tctx *t = tctx_flows(2);
	struct conn a = conn_nth(1), bb = conn_nth(2), cc = conn_nth(3);
	uint8_t b[64];

	handshake(t, &a);
	csend(t, &a, 0, ACK | PSH, b, frame(b, "a"));
	close_fin(t, &a); /* closed, still in the table */
	csend(t, &a, 0, ACK | PSH, b, frame(b, "late")); /* recognised as late */
	assert_int_equal(stats(t)->late_packets, 1);
	assert_int_equal(stats(t)->streams, 1);
	handshake(t, &bb);
	csend(t, &bb, 0, ACK | PSH, b, frame(b, "b"));
	csend(t, &cc, 0, SYN, NULL, 0); /* A's place is taken silently */
	assert_int_equal(stats(t)->flows_evicted, 0);
	assert_int_equal(count(t, EV_END, 0, -1), 1);
	csend(t, &bb, 0, ACK | PSH, b, frame(b, "b2")); /* B is still live */
	assert_int_equal(count(t, EV_FRAME, 2, FC_C2S), 2);

	/* A late packet of A is now a packet of an unknown connection, and
	 * the table is full of busy flows: untracked. */
	csend(t, &a, 0, ACK | PSH, b, frame(b, "zz"));
	assert_int_equal(stats(t)->late_packets, 1);
	assert_int_equal(stats(t)->streams, 3);
	assert_int_equal(stats(t)->flows_evicted, 0);
	assert_int_equal(stats(t)->untracked_packets, 1);
	assert_int_equal(stats(t)->live_flows_peak, 2);
	finish(t);
	assert_string_equal(nth(t, EV_END, 2, -1, 0)->why, "capture end");
	assert_int_equal(count(t, EV_END, 3, -1), 0); /* C carried nothing */
	tctx_free(t);
}

/* --- profile choice ------------------------------------------------------ */

static void make_profiles(struct fc_config *cfg)
{
	fc_config_init(cfg);
	fc_profile_default(&cfg->profiles[0]);
	snprintf(cfg->profiles[0].name, FC_PROFILE_NAME_MAX, "be16");
	cfg->profiles[0].length_size = 2;
	cfg->profiles[0].header_size = 2;
	cfg->profiles[0].byte_order = FC_BIG_ENDIAN;
	cfg->profiles[0].is_signed = false;
	fc_profile_default(&cfg->profiles[1]);
	snprintf(cfg->profiles[1].name, FC_PROFILE_NAME_MAX, "u8");
	cfg->profiles[1].length_size = 1;
	cfg->profiles[1].header_size = 1;
	cfg->profiles[1].is_signed = false;
	assert_null(fc_profile_check(&cfg->profiles[0]));
	assert_null(fc_profile_check(&cfg->profiles[1]));
	cfg->nprofiles = 2;
	cfg->ports[0].port = 8001;
	cfg->ports[0].profile = 0;
	cfg->ports[1].port = 9000;
	cfg->ports[1].profile = 1;
	cfg->nports = 2;
}

/* A connection with one client packet; returns its stream's profile. */
static const struct fc_profile *profile_of(struct tctx *t, uint16_t cport,
					   uint16_t sport)
{
	struct conn c = conn_make(cport, sport, 100, 200);
	uint64_t id = stats(t)->streams + 1;

	csend(t, &c, 0, SYN, NULL, 0);
	csend(t, &c, 0, ACK | PSH, "\0\3abc", 5);
	return nth(t, EV_BEGIN, id, -1, 0)->profile;
}

static void test_profile_choice(void **state)
{
	(void)state;
	static struct fc_config cfg;
	struct fc_profile fallback, forced;
	struct fc_engine_config ec = base_cfg;
	struct tctx *t;

	make_profiles(&cfg);
	fc_profile_default(&fallback);
	fc_profile_default(&forced);
	snprintf(forced.name, sizeof(forced.name), "forced");
	ec.config = &cfg;
	ec.fallback = &fallback;

	t = tctx_new(&ec);
	assert_ptr_equal(profile_of(t, 40000, 8001), &cfg.profiles[0]); /* server */
	assert_ptr_equal(profile_of(t, 9000, 5555), &cfg.profiles[1]); /* client */
	assert_ptr_equal(profile_of(t, 9000, 8001), &cfg.profiles[0]); /* server first */
	assert_ptr_equal(profile_of(t, 8001, 9000), &cfg.profiles[1]);
	assert_ptr_equal(profile_of(t, 40000, 5555), &fallback);
	/* The profile decodes: 00 03 "abc" is one be16 frame of 3 bytes. */
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 0), 0, 0, "abc");
	assert_int_equal(nth(t, EV_FRAME, 1, FC_C2S, 0)->fr.header_len, 2);
	/* u8: the same bytes are a 0-byte frame, then 03 "abc". */
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 0), 0, 0, "");
	assert_frame(nth(t, EV_FRAME, 2, FC_C2S, 1), 1, 1, "abc");
	/* Fallback: the default profile reads 00 03 61 62 as too long. */
	assert_int_equal(count_anomalies(t, FC_AN_OVERSIZE, 5, FC_C2S), 1);
	tctx_free(t);

	ec.forced = &forced;
	t = tctx_new(&ec);
	assert_ptr_equal(profile_of(t, 40000, 8001), &forced);
	assert_ptr_equal(profile_of(t, 9000, 5555), &forced);
	assert_ptr_equal(profile_of(t, 40000, 5555), &forced);
	tctx_free(t);

	/* No port map at all. */
	ec.forced = NULL;
	ec.config = NULL;
	t = tctx_new(&ec);
	assert_ptr_equal(profile_of(t, 40000, 8001), &fallback);
	tctx_free(t);

	/* A mid-stream start picks by the guessed orientation: the lower
	 * port 9000 is the server even when it sends first. */
	ec.config = &cfg;
	t = tctx_new(&ec);
	TX(t, .src = SRV, .dst = CLI, .sport = 9000, .dport = 40000, .seq = 1,
	   .ack = 1, .flags = ACK | PSH, .data = "\3abc", .len = 4);
	assert_ptr_equal(nth(t, EV_BEGIN, 1, -1, 0)->profile, &cfg.profiles[1]);
	assert_string_equal(nth(t, EV_BEGIN, 1, -1, 0)->server, "10.0.0.2:9000");
	tctx_free(t);
}

static void test_no_fallback_uses_default(void **state)
{
	(void)state;
	struct fc_engine_config ec = { 0 };
	struct tctx *t;
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t b[64];
	const struct ev *e;

	ec.payload_keep = KEPT_MAX;
	t = tctx_new(&ec);
	handshake(t, &c);
	csend(t, &c, 0, ACK | PSH, b, frame(b, "dflt"));
	e = nth(t, EV_BEGIN, 1, -1, 0);
	assert_non_null(e->profile);
	assert_string_equal(e->profile->name, "default");
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 0), 0, 0, "dflt");
	finish(t);
	tctx_free(t);
}

/* --- end of capture ------------------------------------------------------ */

static void test_finish_in_stream_order(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn a = conn_nth(1), bb = conn_nth(2), cc = conn_nth(3), d = conn_nth(4);
	uint8_t b[64];
	size_t first_end;
	const struct ev *e;

	handshake(t, &a);
	handshake(t, &bb);
	handshake(t, &cc);
	handshake(t, &d); /* stream 4: no data, never begins */
	csend(t, &cc, 0, ACK | PSH, b, frame(b, "c"));
	csend(t, &bb, 1, ACK | PSH, b, frame_head(b, 30, 10)); /* open frame */
	csend(t, &a, 0, ACK | PSH, b, frame(b, "a"));
	/* Least recent first is now D, C, B, A. */
	t->num = 99;
	first_end = t->nev;
	finish(t);

	assert_int_equal(t->nev, first_end + 4);
	e = &t->ev[first_end];
	assert_int_equal(e->kind, EV_END);
	assert_int_equal(e->stream, 1);
	assert_string_equal(e->why, "capture end");
	e = &t->ev[first_end + 1];
	assert_int_equal(e->kind, EV_ANOMALY);
	assert_int_equal(e->stream, 2);
	assert_int_equal(e->dir, FC_S2C);
	assert_int_equal(e->an, FC_AN_INCOMPLETE);
	assert_int_equal(e->off, 0);
	assert_int_equal(e->pkt, 99);
	assert_non_null(strstr(e->detail, "capture ended"));
	assert_non_null(strstr(e->detail, "10 of 30"));
	e = &t->ev[first_end + 2];
	assert_int_equal(e->kind, EV_END);
	assert_int_equal(e->stream, 2);
	assert_string_equal(e->why, "capture end");
	assert_int_equal(e->end.dir[FC_S2C].anomalies[FC_AN_INCOMPLETE], 1);
	e = &t->ev[first_end + 3];
	assert_int_equal(e->kind, EV_END);
	assert_int_equal(e->stream, 3);
	assert_int_equal(count(t, EV_END, 4, -1), 0);

	/* A second finish has nothing left to end. */
	finish(t);
	assert_int_equal(t->nev, first_end + 4);
	assert_int_equal(stats(t)->frames, 2);
	assert_int_equal(stats(t)->streams, 4);
	assert_int_equal(stats(t)->streams_with_data, 3);
	tctx_free(t);
}

/* --- counters ------------------------------------------------------------ */

static void test_stats_counters(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	struct conn lone = conn_make(40001, 8001, 1, 2);
	uint8_t buf[PKT_MAX], b[64];
	uint32_t n;
	struct fc_pkt pkt = { 0, 0 };
	const struct fc_engine_stats *st = stats(t);

	assert_int_equal(TX(t, .src = CLI, .dst = SRV, .sport = 53, .dport = 53,
			    .proto = 17, .data = "dns?", .len = 4), FC_PARSE_NOT_TCP);
	/* A TCP header cut after 10 bytes. */
	n = build(buf, &(struct spec){ .src = CLI, .dst = SRV, .sport = 1, .dport = 2 });
	pkt.num = ++t->num;
	assert_int_equal(fc_engine_packet(t->e, &pkt, DLT_ETHERNET, buf, 14 + 20 + 10, n),
			 FC_PARSE_MALFORMED);
	pkt.num = ++t->num;
	assert_int_equal(fc_engine_packet(t->e, &pkt, 9999, buf, n, n), FC_PARSE_BAD_LINK);
	assert_int_equal(TX(t, .src = CLI, .dst = SRV, .sport = 1, .dport = 2,
			    .frag = 0x2000, .data = "frag", .len = 4), FC_PARSE_FRAGMENT);
	assert_int_equal(st->packets, 4);
	assert_int_equal(st->tcp_packets, 0);
	assert_int_equal(st->not_tcp, 1);
	assert_int_equal(st->malformed, 1);
	assert_int_equal(st->bad_link, 1);
	assert_int_equal(st->ip_fragments, 1);
	assert_int_equal(st->streams, 0);

	handshake(t, &c);
	/* Two whole frames and the first 5 of 7 bytes of a third... */
	n = frame(b, "a");
	n += frame(b + n, "bb");
	n += frame(b + n, "ccc") - 2;
	csend(t, &c, 0, ACK | PSH, b, n);
	csend(t, &c, 0, ACK | PSH, "cc", 2); /* ...and the rest */
	close_fin(t, &c);
	csend(t, &lone, 0, SYN, NULL, 0);
	finish(t);

	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 3);
	assert_true(nth(t, EV_FRAME, 1, FC_C2S, 0)->fr.sticky);
	assert_true(nth(t, EV_FRAME, 1, FC_C2S, 1)->fr.sticky);
	assert_false(nth(t, EV_FRAME, 1, FC_C2S, 1)->fr.split);
	assert_true(nth(t, EV_FRAME, 1, FC_C2S, 2)->fr.split);
	assert_true(nth(t, EV_FRAME, 1, FC_C2S, 2)->fr.sticky);
	assert_int_equal(nth(t, EV_FRAME, 1, FC_C2S, 2)->fr.npackets, 2);
	assert_int_equal(nth(t, EV_SEGMENT, 1, FC_C2S, 0)->npieces, 3);

	assert_int_equal(st->packets, 4 + 3 + 2 + 3 + 1);
	assert_int_equal(st->tcp_packets, 9);
	assert_int_equal(st->streams, 2);
	assert_int_equal(st->streams_with_data, 1);
	assert_int_equal(st->frames, 3);
	assert_int_equal(st->bytes, 18);
	assert_int_equal(st->sticky_segments, 1);
	assert_int_equal(st->split_frames, 1);
	assert_int_equal(st->max_frames_in_segment, 3);
	assert_int_equal(st->anomalies, 0);
	assert_int_equal(st->flows_evicted, 0);
	assert_int_equal(st->live_flows_peak, 2);
	assert_int_equal(st->retransmitted_bytes, 0);
	assert_int_equal(st->late_packets, 0);
	tctx_free(t);
}

/* --- snaplen and IP length ----------------------------------------------- */

/* One 104-byte frame sent as one packet with the given spec tweaks, then a
 * second frame "ok" right after it. */
static struct tctx *send_cut_frame(uint32_t cut, uint32_t ip_extra)
{
	struct conn c;
	struct tctx *t = tctx_handshake(&c);
	uint8_t b[128];

	frame_head(b, 100, 100);
	TX(t, .src = CLI, .dst = SRV, .sport = 40000, .dport = 8001,
	   .seq = c.seq[0], .ack = c.seq[1], .flags = ACK | PSH, .data = b,
	   .len = 104, .cut = cut, .ip_extra = ip_extra); /* 4 */
	c.seq[0] += 104;
	csend(t, &c, 0, ACK | PSH, b, frame(b, "ok")); /* 5 */
	finish(t);
	return t;
}

/* A cut frame (send_cut_frame) and what must come of it: missing, the
 * bytes of it that were not captured, each a gap at offset 64 of packet 4;
 * the IP length never makes more missing than the capture cut. */
struct cut_case {
	uint32_t cut, ip_extra;
	uint64_t missing;
};

static const struct cut_case snaplen_cut_is_gap = { 40, 0, 40 };
static const struct cut_case ip_length_lie_is_not_gap = { 0, 40, 0 };
/* Cut by the snaplen (40 bytes not captured) and an IP length 1000 bytes
 * beyond the wire packet: only the 40 can be missing. */
static const struct cut_case ip_length_beyond_wire = { 40, 1000, 40 };

/* Runs send_cut_frame for the struct cut_case given as cmocka's state. */
static void test_cut_frame(void **state)
{
	const struct cut_case *c = *state;
	struct tctx *t = send_cut_frame(c->cut, c->ip_extra);
	const struct ev *e;
	char want[32];

	assert_int_equal(count_anomalies(t, FC_AN_GAP, 1, -1), c->missing ? 1 : 0);
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), c->missing ? 1 : 0);
	if (c->missing) {
		e = nth_anomaly(t, FC_AN_GAP, 1, FC_C2S, 0);
		assert_int_equal(e->off, 64);
		assert_int_equal(e->pkt, 4);
		snprintf(want, sizeof(want), "%llu bytes missing",
			 (unsigned long long)c->missing);
		assert_non_null(strstr(e->detail, want));
		assert_non_null(strstr(e->detail, "snaplen"));
	}
	/* Inside the payload: the boundaries hold. */
	e = nth(t, EV_FRAME, 1, FC_C2S, 0);
	assert_int_equal(e->fr.payload_len, 100);
	assert_int_equal(e->fr.payload_missing, c->missing);
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 1), 1, 104, "ok");
	assert_int_equal(nth(t, EV_END, 1, -1, 0)->end.reasm[FC_C2S].gap_bytes, c->missing);
	assert_int_equal(stats(t)->frames, 2);
	assert_int_equal(stats(t)->retransmitted_bytes, 0);
	tctx_free(t);
}

/* A cmocka test named test_<c> that runs test_cut_frame on c. */
#define CUT_TEST(c) { "test_" #c, test_cut_frame, setup, NULL, (void *)&(c) }

/* --- out-of-order budget ------------------------------------------------- */

static void test_ooo_budget_flood(void **state)
{
	(void)state;
	enum { FLOWS = 8, ROUNDS = 100, SEG = 1000 };
	struct fc_engine_config cfg = base_cfg;
	struct tctx *t;
	struct conn c[FLOWS];
	uint8_t junk[SEG];
	uint64_t full = 0;

	cfg.max_ooo_per_dir = 1; /* both raised to FC_MIN_OOO_PER_DIR */
	cfg.max_ooo_total = 1;
	t = tctx_new(&cfg);
	memset(junk, 0xff, sizeof(junk)); /* length -1: never a frame */
	for (int i = 0; i < FLOWS; i++) {
		c[i] = conn_make((uint16_t)(41000 + i), 8001, 1000u * (unsigned)i, 77);
		handshake(t, &c[i]);
		c[i].seq[0] += 1; /* byte 0 is never sent: all out of order */
	}
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < FLOWS; i++) {
			struct spec s = {
				.src = CLI, .dst = SRV, .sport = c[i].port[0],
				.dport = 8001, .seq = c[i].seq[0], .flags = PSH,
				.data = junk, .len = SEG,
			};
			tx(t, &s);
			c[i].seq[0] += SEG;
			assert_true(stats(t)->ooo_peak_bytes <= FC_MIN_OOO_PER_DIR);
		}
	/* The budget ran out: holes were given up, more than once. */
	for (size_t i = 0; i < t->nev; i++)
		if (t->ev[i].kind == EV_ANOMALY && t->ev[i].an == FC_AN_GAP &&
		    strstr(t->ev[i].detail, "out-of-order buffer full"))
			full++;
	assert_true(full >= 2);
	finish(t);
	assert_true(stats(t)->ooo_peak_bytes <= FC_MIN_OOO_PER_DIR);
	assert_true(stats(t)->ooo_peak_bytes > FC_MIN_OOO_PER_DIR - 2 * (SEG + 256));
	assert_int_equal(stats(t)->forced_gaps, full);
	/* Every byte is accounted for, delivered or lost. */
	for (int i = 0; i < FLOWS; i++) {
		const struct ev *e = nth(t, EV_END, (uint64_t)i + 1, -1, 0);
		assert_int_equal(e->end.dir[FC_C2S].bytes,
				 (uint64_t)ROUNDS * SEG + 1 - e->end.reasm[FC_C2S].gap_bytes);
		assert_string_equal(e->why, "capture end");
	}
	tctx_free(t);
}

static void test_ooo_peak_counts_both_directions(void **state)
{
	(void)state;
	struct tctx *t = tctx_new(&base_cfg);
	struct conn c = conn_make(40000, 8001, 1000, 5000);
	uint8_t junk[500];

	memset(junk, 0xff, sizeof(junk));
	handshake(t, &c);
	/* The server's 500 bytes wait behind a 100-byte hole... */
	TX(t, .src = SRV, .dst = CLI, .sport = 8001, .dport = 40000,
	   .seq = c.seq[1] + 100, .ack = c.seq[0], .flags = ACK, .data = junk,
	   .len = 500);
	/* ...when the client's 500 bytes arrive behind a hole too, with an ACK
	 * that gives up the server's hole. Both were buffered at once. */
	TX(t, .src = CLI, .dst = SRV, .sport = 40000, .dport = 8001,
	   .seq = c.seq[0] + 100, .ack = c.seq[1] + 600, .flags = ACK, .data = junk,
	   .len = 500);
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 1, FC_S2C), 1);
	assert_true(stats(t)->ooo_peak_bytes >= 1000);
	finish(t);
	tctx_free(t);
}

/* --- many connections ---------------------------------------------------- */

/* The table's slots through removals (open addressing: a removed
 * connection's run shifts back). 700 connections open in a table of 800
 * (1,024 slots, so runs of neighbours form), every third closes, then
 * 300 more open: the last 200 each take the place of the oldest closed
 * record. Every connection still open must be found by its next packet
 * (one more frame in its own stream, no new stream, nothing untracked),
 * in both directions. */
static void test_table_through_removals(void **state)
{
	enum { FIRST = 700, MORE = 300 };
	struct tctx *t = tctx_flows(800);
	struct conn c[FIRST + MORE + 1];
	uint8_t buf[64];
	uint32_t n = frame(buf, "frame"), open = 0;

	(void)state;
	for (uint16_t i = 1; i <= FIRST; i++) {
		c[i] = conn_nth(i);
		handshake(t, &c[i]);
		csend(t, &c[i], 0, ACK, buf, n);
	}
	for (uint16_t i = 3; i <= FIRST; i += 3)
		close_fin(t, &c[i]);
	for (uint16_t i = FIRST + 1; i <= FIRST + MORE; i++) {
		c[i] = conn_nth(i);
		handshake(t, &c[i]);
		csend(t, &c[i], 0, ACK, buf, n);
	}
	assert_int_equal(stats(t)->streams, FIRST + MORE);
	for (uint16_t i = 1; i <= FIRST + MORE; i++) {
		if (i <= FIRST && i % 3 == 0)
			continue;
		csend(t, &c[i], 1, ACK, buf, n); /* the server's direction */
		csend(t, &c[i], 0, ACK, buf, n);
		open++;
	}
	assert_int_equal(stats(t)->streams, FIRST + MORE);
	assert_int_equal(stats(t)->untracked_packets, 0);
	assert_int_equal(stats(t)->late_packets, 0);
	assert_int_equal(stats(t)->flows_evicted, 0);
	finish(t);
	/* Per stream: one frame each way after the first. */
	for (uint64_t id = 1; id <= FIRST + MORE; id++) {
		bool closed = id <= FIRST && id % 3 == 0;

		assert_int_equal(count(t, EV_FRAME, id, FC_C2S), closed ? 1 : 2);
		assert_int_equal(count(t, EV_FRAME, id, FC_S2C), closed ? 0 : 1);
	}
	assert_int_equal(open, FIRST + MORE - FIRST / 3);
	tctx_free(t);
}


static void test_million_syns(void **state)
{
	(void)state;
	enum { N = 1000000 };
	struct tctx *t = tctx_flows(1000);
	uint8_t syn[PKT_MAX], rst[PKT_MAX];
	uint32_t nsyn, nrst;
	struct fc_pkt pkt = { 0, 0 };
	clock_t t0 = clock();
	double secs;

	nsyn = build(syn, &(struct spec){ .src = "10.0.0.0", .dst = "192.168.0.1",
				       .sport = 0, .dport = 80, .seq = 1, .flags = SYN });
	nrst = build(rst, &(struct spec){ .src = "192.168.0.1", .dst = "10.0.0.0",
				       .sport = 80, .dport = 0, .seq = 0, .ack = 2,
				       .flags = RST | ACK });
	/* Connection i comes from 10.0.x.y (x.y = i / 16384) port
	 * 1024 + i % 16384. Odd ones are refused with an RST (closed); even
	 * ones stay open. */
	for (uint32_t i = 0; i < N; i++) {
		uint32_t host = i >> 14;
		uint16_t port = (uint16_t)(1024 + (i & 0x3fff));

		syn[14 + 14] = (uint8_t)(host >> 8);
		syn[14 + 15] = (uint8_t)host;
		put16(syn + 34, port);
		pkt.num++;
		assert_int_equal(fc_engine_packet(t->e, &pkt, DLT_ETHERNET, syn, nsyn, nsyn),
				 FC_PARSE_TCP);
		if (i & 1) {
			rst[14 + 18] = (uint8_t)(host >> 8);
			rst[14 + 19] = (uint8_t)host;
			put16(rst + 36, port);
			pkt.num++;
			fc_engine_packet(t->e, &pkt, DLT_ETHERNET, rst, nrst, nrst);
		}
	}
	t->num = pkt.num;
	finish(t);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

	assert_int_equal(stats(t)->packets, N + N / 2);
	assert_int_equal(stats(t)->streams, N);
	assert_int_equal(stats(t)->streams_with_data, 0);
	assert_int_equal(stats(t)->live_flows_peak, 1000);
	/* Closed (refused) connections are given up first, so the table
	 * fills with open ones: at the end it holds 999 open connections and
	 * the last refused one; every other open connection was evicted. */
	assert_int_equal(stats(t)->flows_evicted, N / 2 - 999);
	assert_int_equal(t->nev, 0); /* no data: nothing began */
	/* Ports in a row from addresses in a row: the quick hash spreads
	 * them like a random one, and the table stays on it. */
	assert_int_equal(stats(t)->flow_hash_strong, 0);
	print_message("1,000,000 SYNs in %.2f s\n", secs);
	tctx_free(t);
}

/* --- the flow table's hash under attack --------------------------------- */

/* Client i (from 1) of those below: 10.a.b.c:40000 to 10.0.0.2:8001, its
 * address text in addr; the slot of a table of `slots` where its pair
 * lands under the quick hash and the tests' key (base_cfg's). */
static uint32_t client_slot(uint32_t i, uint32_t slots, char addr[16])
{
	struct fc_flow_key k;
	uint32_t cli = 0x0a000003u + i;

	assert_true(i < (1u << 23));
	memset(&k, 0, sizeof(k));
	k.src.family = k.dst.family = 4;
	put32(k.src.bytes, cli);
	put32(k.dst.bytes, 0x0a000002u);
	k.sport = 40000;
	k.dport = 8001;
	snprintf(addr, 16, "10.%u.%u.%u", cli >> 16 & 255, cli >> 8 & 255, cli & 255);
	return fc_flow_hash_quick(base_cfg.hash_key, &k) & (slots - 1);
}

/* n clients whose pairs all land in one slot: what someone who learnt
 * the key could send. */
static void colliding_clients(uint32_t slots, uint32_t n, char (*addr)[16])
{
	char a[16];
	uint32_t want = client_slot(1, slots, addr[0]), found = 1;

	for (uint32_t i = 2; found < n; i++)
		if (client_slot(i, slots, a) == want)
			memcpy(addr[found++], a, 16);
}

/* Connections crafted to share one slot make every lookup walk all of
 * them: once the walks sum far beyond what a random hash gives, the table
 * is rebuilt under SipHash, and every connection is still found (its
 * frames, its close), none taken for a new one. A hundred of them do
 * not yet look like an attack. */
static void test_flow_hash_goes_strong(void **state)
{
	enum { N = 300, CALM = 100 };
	struct tctx *t = tctx_flows(1000); /* 2048 slots */
	static char addr[N][16];
	struct conn c[N];
	uint8_t buf[64];
	uint32_t n = frame(buf, "frame");

	(void)state;
	colliding_clients(2048, N, addr);
	for (uint32_t i = 0; i < N; i++) {
		c[i] = conn_make(40000, 8001, 1000u * i, 7000u * i);
		c[i].addr[0] = addr[i];
		handshake(t, &c[i]);
		if (i + 1 == CALM)
			assert_int_equal(stats(t)->flow_hash_strong, 0);
	}
	assert_int_equal(stats(t)->flow_hash_strong, 1);
	for (uint32_t i = 0; i < N; i++) {
		csend(t, &c[i], 0, ACK | PSH, buf, n);
		close_fin(t, &c[i]);
	}
	assert_int_equal(stats(t)->streams, N);
	assert_int_equal(stats(t)->untracked_packets, 0);
	assert_int_equal(stats(t)->late_packets, 0);
	finish(t);
	for (uint64_t id = 1; id <= N; id++) {
		assert_int_equal(count(t, EV_FRAME, id, FC_C2S), 1);
		assert_int_equal(count(t, EV_END, id, -1), 1);
	}
	tctx_free(t);
}

/* Connections each in its own slot, side by side: every lookup finds
 * its slot at once, but taking one out of the table walks the rest of
 * the run. A full table of N closed ones in slots 0 to N - 1, each given
 * up in turn for a new connection whose slot is just past the run's end,
 * is such a walk (N slots) per connection, while no lookup walks at all:
 * those walks count too, and the table goes strong. */
static void test_flow_hash_strong_on_removals(void **state)
{
	enum { N = 400 };
	struct tctx *t = tctx_flows(N); /* 1024 slots, the fewest */
	static char addr[2 * N][16];
	bool have[2 * N] = { false };
	char a[16];
	uint32_t left = 2 * N;

	(void)state;
	for (uint32_t i = 1; left; i++) {
		uint32_t slot = client_slot(i, 1024, a);

		if (slot < 2 * N && !have[slot]) {
			memcpy(addr[slot], a, 16);
			have[slot] = true;
			left--;
		}
	}
	for (uint32_t k = 0; k < 2 * N; k++) {
		struct conn c = conn_make(40000, 8001, 1000u * k, 0);

		c.addr[0] = addr[k];
		csend(t, &c, 0, SYN, NULL, 0);
		csend(t, &c, 1, RST | ACK, NULL, 0);
		if (k + 1 == N)
			assert_int_equal(stats(t)->flow_hash_strong, 0);
	}
	assert_int_equal(stats(t)->flow_hash_strong, 1);
	assert_int_equal(stats(t)->streams, 2 * N);
	assert_int_equal(stats(t)->untracked_packets, 0);
	finish(t);
	tctx_free(t);
}

/* --- acknowledged holes wait for late data -------------------------------- */

/* base_cfg with an ACK window of `packets` packets and `ms` ms; packets
 * are 1 ms apart (tx). */
static struct fc_engine_config window_cfg(uint64_t packets, uint64_t ms)
{
	struct fc_engine_config cfg = base_cfg;

	cfg.ack_window_packets = packets;
	cfg.ack_window_us = ms * 1000;
	return cfg;
}

/* A connection with a hole in the client's data: frames "aaaa", "bbbb",
 * "dddd" (lengths na, nb, nd), of which "bbbb" is not captured in order. */
struct hole {
	struct tctx *t;
	struct conn c;
	uint8_t a[32], b[32], d[32];
	uint32_t na, nb, nd;
	uint32_t seq_b; /* where "bbbb" starts */
};

/* Opens h with an ACK window of `packets` packets and `ms` ms (window_cfg):
 * handshake (packets 1-3), "aaaa" from the client (4), then the client's
 * sequence number moves past "bbbb" without sending it. */
static void hole_open(struct hole *h, uint64_t packets, uint64_t ms)
{
	struct fc_engine_config cfg = window_cfg(packets, ms);

	h->t = tctx_new(&cfg);
	h->c = conn_make(40000, 8001, 1000, 5000);
	h->na = frame(h->a, "aaaa");
	h->nb = frame(h->b, "bbbb");
	h->nd = frame(h->d, "dddd");
	handshake(h->t, &h->c);
	csend(h->t, &h->c, 0, ACK | PSH, h->a, h->na);
	h->seq_b = h->c.seq[0];
	h->c.seq[0] += h->nb;
}

/* hole_open, then "dddd" behind the hole (packet 5) and the server's ACK
 * of it all (6). */
static void hole_acked(struct hole *h, uint64_t packets, uint64_t ms)
{
	hole_open(h, packets, ms);
	csend(h->t, &h->c, 0, ACK | PSH, h->d, h->nd);
	csend(h->t, &h->c, 1, ACK, NULL, 0);
}

/* The server's ACK for "bbbb" is captured before it (two taps merged):
 * inside the window the data fills the hole, frames as in order. */
static void test_late_data_fills_acked_hole(void **state)
{
	(void)state;
	struct hole h;
	struct tctx *t;

	hole_open(&h, 4, 10); /* 1-4 */
	t = h.t;
	csend(t, &h.c, 1, ACK, NULL, 0); /* 5: acknowledges "bbbb" */
	csend(t, &h.c, 0, ACK | PSH, h.d, h.nd); /* 6: buffered behind the hole */
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 1);
	TX(t, .src = CLI, .dst = SRV, .sport = 40000, .dport = 8001, .seq = h.seq_b,
	   .ack = h.c.seq[1], .flags = ACK | PSH, .data = h.b, .len = h.nb); /* 7 */
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 3);
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 1), 1, h.na, "bbbb");
	assert_int_equal(nth(t, EV_FRAME, 1, FC_C2S, 1)->packets[0], 7);
	assert_frame(nth(t, EV_FRAME, 1, FC_C2S, 2), 2, h.na + h.nb, "dddd");
	close_fin(t, &h.c);
	finish(t);
	assert_int_equal(count(t, EV_ANOMALY, 0, -1), 0);
	assert_string_equal(nth(t, EV_END, 1, -1, 0)->why, "fin");
	tctx_free(t);
}

/* A real loss: the hole becomes a gap once both the packets and the time
 * of the window went by, reported at the ACK; data after it follows. */
static void test_acked_hole_gap_after_window(void **state)
{
	(void)state;
	struct hole h;
	struct tctx *t;
	struct conn o = conn_make(40001, 8001, 77, 88);
	const struct ev *g;

	hole_acked(&h, 4, 10); /* 1-6: the ACK (6) acknowledges both */
	t = h.t;
	/* 4 packets later, but 4 ms < 10 ms: still waiting */
	for (int i = 0; i < 4; i++)
		csend(t, &h.c, 1, ACK, NULL, 0); /* 7-10 */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 0, -1), 0);
	/* the time passes (packets of another connection do not count) */
	for (int i = 0; i < 20; i++)
		csend(t, &o, 0, SYN, NULL, 0); /* 11-30 */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 0, -1), 0);
	csend(t, &h.c, 1, ACK, NULL, 0); /* 31: 25 packets, 25 ms */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 1, FC_C2S), 1);
	g = nth_anomaly(t, FC_AN_GAP, 1, FC_C2S, 0);
	assert_int_equal(g->pkt, 6);
	assert_int_equal(g->off, h.na);
	assert_non_null(strstr(g->detail, "acknowledged"));
	finish(t);
	assert_int_equal(nth(t, EV_END, 1, -1, 0)->end.reasm[FC_C2S].gap_bytes, h.nb);
	tctx_free(t);
}

/* A live capture where nothing more comes: the tick declares the gap once
 * the time has passed, whatever the packet count. */
static void test_tick_expires_waiting_hole(void **state)
{
	(void)state;
	struct hole h;
	struct tctx *t;

	hole_acked(&h, 64, 200); /* 1-6, the ACK at 6 ms */
	t = h.t;
	fc_engine_tick(t->e, 6000 + 199999); /* not yet */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 0, -1), 0);
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 1);
	fc_engine_tick(t->e, 6000 + 200000);
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 1, FC_C2S), 1);
	assert_int_equal(nth_anomaly(t, FC_AN_GAP, 1, FC_C2S, 0)->pkt, 6);
	/* the data behind the hole went out with it, decoded after a resync */
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 2);
	fc_engine_tick(t->e, 10 * 1000000); /* nothing more to do */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 0, -1), 1);
	close_fin(t, &h.c);
	finish(t);
	assert_string_equal(nth(t, EV_END, 1, -1, 0)->why, "fin");
	tctx_free(t);
}

/* Both FINs: the connection is over, the hole is a gap at once and the
 * stream ends by FIN, not at the end of the capture. */
static void test_fins_end_the_wait(void **state)
{
	(void)state;
	struct hole h;
	struct tctx *t;

	hole_acked(&h, 64, 200); /* 1-6 */
	t = h.t;
	csend(t, &h.c, 0, FIN | ACK, NULL, 0); /* 7 */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 0, -1), 0);
	csend(t, &h.c, 1, FIN | ACK, NULL, 0); /* 8 */
	assert_int_equal(count_anomalies(t, FC_AN_GAP, 1, FC_C2S), 1);
	assert_int_equal(nth_anomaly(t, FC_AN_GAP, 1, FC_C2S, 0)->pkt, 6);
	assert_int_equal(count(t, EV_END, 1, -1), 1);
	assert_string_equal(nth(t, EV_END, 1, -1, 0)->why, "fin");
	tctx_free(t);
}

/* The hash of the last address pair is taken again for a packet of the
 * same pair (fc_engine_packet, few connections), and only then: b's pair
 * differs from a's only in the server's address (the hashed words' high
 * one), c's in its ports. After c and b, a's packet must find a again,
 * not be hashed as b and taken for an unknown connection. */
static void test_hash_again_same_pair_only(void **state)
{
	(void)state;
	struct conn a, b, c;
	struct tctx *t = tctx_handshake(&a); /* packets 1-3 */
	uint8_t buf[64];
	const struct ev *e;

	b = conn_make(40000, 8001, 7000, 9000);
	b.addr[1] = "10.0.0.3";
	c = conn_make(40001, 8002, 3000, 4000);
	csend(t, &c, 0, SYN, NULL, 0); /* 4 */
	csend(t, &b, 0, SYN, NULL, 0); /* 5 */
	csend(t, &a, 0, ACK | PSH, buf, frame(buf, "hello")); /* 6 */
	csend(t, &b, 0, ACK | PSH, buf, frame(buf, "other")); /* 7 */
	csend(t, &a, 0, ACK | PSH, buf, frame(buf, "again")); /* 8 */
	finish(t);
	assert_int_equal(stats(t)->streams, 3);
	assert_int_equal(count(t, EV_FRAME, 1, FC_C2S), 2);
	e = nth(t, EV_FRAME, 1, FC_C2S, 1);
	assert_frame(e, 1, 9, "again");
	e = nth(t, EV_BEGIN, 3, -1, 0);
	assert_string_equal(e->server, "10.0.0.3:8001");
	assert_int_equal(count(t, EV_FRAME, 3, FC_C2S), 1);
	assert_int_equal(count(t, EV_FRAME, 2, -1), 0);
	tctx_free(t);
}

/* fc_engine_packet_ahead keeps the parse of the record it was told comes
 * next, and uses it only for that record: the same bytes at the same
 * address with the next number. `skip` feeds record 2 as record 3 (the
 * caller skipped one), its buffer refilled with another connection's
 * packet meanwhile: the kept parse (port 2000) must not be taken for it. */
static void ahead_case(bool skip)
{
	struct tctx *t = tctx_new(&base_cfg);
	uint8_t first[PKT_MAX], next[PKT_MAX];
	uint8_t body[16];
	uint32_t blen = frame(body, "hi");
	uint32_t n1 = build(first, &(struct spec){ .src = CLI, .dst = SRV, .sport = 1000,
				   .dport = 80, .seq = 1, .flags = ACK | PSH,
				   .data = body, .len = blen });
	uint32_t n2 = build(next, &(struct spec){ .src = CLI, .dst = SRV, .sport = 2000,
				   .dport = 80, .seq = 1, .flags = ACK | PSH,
				   .data = body, .len = blen });
	struct fc_pkt pkt;
	struct fc_next_record nr;
	uint64_t id;

	/* The engine looks ahead only with many connections in the table
	 * (fc_engine_ahead_useful): open enough first, with bare SYNs. */
	for (uint32_t i = 0; !fc_engine_ahead_useful(t->e); i++) {
		assert_true(i < 100000);
		TX(t, .src = "10.0.0.9", .dst = SRV, .sport = (uint16_t)(10000 + i), .dport = 9,
		   .seq = 1, .flags = SYN);
	}
	pkt.num = ++t->num;
	pkt.ts_us = (int64_t)pkt.num * 1000;
	nr = (struct fc_next_record){ pkt.num + 1, next, n2, n2 };
	fc_engine_packet_ahead(t->e, &pkt, DLT_ETHERNET, first, n1, n1, &nr);
	if (skip) {
		n2 = build(next, &(struct spec){ .src = CLI, .dst = SRV, .sport = 3000,
			   .dport = 80, .seq = 1, .flags = ACK | PSH,
			   .data = body, .len = blen });
		pkt.num += 2;
	} else {
		pkt.num++;
	}
	t->num = pkt.num;
	pkt.ts_us = (int64_t)pkt.num * 1000;
	assert_int_equal(fc_engine_packet_ahead(t->e, &pkt, DLT_ETHERNET, next, n2, n2, NULL),
			 FC_PARSE_TCP);
	finish(t);
	id = stats(t)->streams; /* the last packet's */
	assert_int_equal(count(t, EV_BEGIN, id, -1), 1);
	assert_string_equal(nth(t, EV_BEGIN, id, -1, 0)->client,
			    skip ? "10.0.0.1:3000" : "10.0.0.1:2000");
	assert_int_equal(nth(t, EV_BEGIN, id, -1, 0)->first_pkt, pkt.num);
	assert_int_equal(count(t, EV_FRAME, id, FC_C2S), 1);
	assert_int_equal(count(t, EV_BEGIN, id - 1, -1), 1);
	assert_string_equal(nth(t, EV_BEGIN, id - 1, -1, 0)->client, "10.0.0.1:1000");
	tctx_free(t);
}

static void test_ahead_parse_used_for_next(void **state)
{
	(void)state;
	ahead_case(false);
}

static void test_ahead_parse_not_for_other_record(void **state)
{
	(void)state;
	ahead_case(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fin_close_both_directions, setup),
		cmocka_unit_test_setup(test_synack_first_sender_is_server, setup),
		cmocka_unit_test_setup(test_no_syn_higher_port_is_client, setup),
		cmocka_unit_test_setup(test_rst_inside_frame, setup),
		cmocka_unit_test_setup(test_new_syn_after_close, setup),
		cmocka_unit_test_setup(test_retransmitted_syn_same_stream, setup),
		cmocka_unit_test_setup(test_retransmission_segments, setup),
		cmocka_unit_test_setup(test_retransmitted_counted_without_memory, setup),
		cmocka_unit_test_setup(test_new_isn_after_data_new_stream, setup),
		cmocka_unit_test_setup(test_new_isn_before_data_new_stream, setup),
		cmocka_unit_test_setup(test_late_packets, setup),
		cmocka_unit_test_setup(test_vlan_is_identity, setup),
		cmocka_unit_test_setup(test_ipv6_endpoints, setup),
		cmocka_unit_test_setup(test_evict_idlest, setup),
		cmocka_unit_test_setup(test_evict_round_robin, setup),
		cmocka_unit_test_setup(test_evict_closed_not_counted, setup),
		cmocka_unit_test_setup(test_profile_choice, setup),
		cmocka_unit_test_setup(test_no_fallback_uses_default, setup),
		cmocka_unit_test_setup(test_finish_in_stream_order, setup),
		cmocka_unit_test_setup(test_stats_counters, setup),
		CUT_TEST(snaplen_cut_is_gap),
		CUT_TEST(ip_length_lie_is_not_gap),
		CUT_TEST(ip_length_beyond_wire),
		cmocka_unit_test_setup(test_ooo_budget_flood, setup),
		cmocka_unit_test_setup(test_ooo_peak_counts_both_directions, setup),
		cmocka_unit_test_setup(test_million_syns, setup),
		cmocka_unit_test_setup(test_late_data_fills_acked_hole, setup),
		cmocka_unit_test_setup(test_acked_hole_gap_after_window, setup),
		cmocka_unit_test_setup(test_tick_expires_waiting_hole, setup),
		cmocka_unit_test_setup(test_fins_end_the_wait, setup),
		cmocka_unit_test_setup(test_table_through_removals, setup),
		cmocka_unit_test_setup(test_hash_again_same_pair_only, setup),
		cmocka_unit_test_setup(test_flow_hash_goes_strong, setup),
		cmocka_unit_test_setup(test_flow_hash_strong_on_removals, setup),
		cmocka_unit_test_setup(test_ahead_parse_used_for_next, setup),
		cmocka_unit_test_setup(test_ahead_parse_not_for_other_record, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
