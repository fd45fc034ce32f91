/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_engine.c - flow table and connection lifecycle around reassembly and
 * decoding.
 *
 *   slots[h & mask], [h+1 & mask] ...  h = hash(run's secret, endpoints, vlans)
 *     { tag h | conn } { tag | conn } { 0 | NULL }  (open addressing,
 *     linear probing: a probe reads the tags side by side and touches a
 *     connection only when its tag is the packet's; slots >= 1.25 x
 *     max_flows, so runs stay short)
 *
 *   hash: an untagged IPv4 pair, multilinear under secret multipliers
 *         then scrambled (v4_quick: strongly universal, 5 multiplications);
 *         anything else, SipHash-1-3 under the secret (fc_flow_hash).
 *         Probes far longer than random hashing makes: the table is
 *         rebuilt under SipHash-1-3 for every key, for the rest of the
 *         run (go_strong).
 *
 *   conn: open  = struct fc_flow   (184 bytes: stream info, per
 *                 direction its SYN's sequence number and, once it
 *                 carries anything, a reassembler, once it carries
 *                 payload, a decoder)
 *                 listed in live[] (any order: sampled for eviction)
 *         closed = struct fc_closed (72 bytes: key and links, to absorb
 *                 late packets), listed oldest first:
 *                 closed_oldest <-> ... <-> closed_newest
 *
 *   Table full (max_flows conns): the oldest closed record goes first;
 *   with none, a new connection (bare SYN) takes the place of the idlest
 *   of FC_EVICT_SAMPLE live flows picked at random, and a packet of an
 *   unknown connection that did not start here only takes the place of
 *   one idle for FC_EVICT_IDLE_US: round-robin traffic over more
 *   connections than the table holds does not evict a flow per packet.
 *
 *   SYN starts a stream (a SYN on a closed 4-tuple starts a new one);
 *   FIN ends a direction once its data is in; RST ends both.
 */
#include "fc_engine.h"
#include "fc_pool.h"
#include "fc_siphash.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct fc_flow;

/* What the table keeps of every connection, open or closed: the head of
 * struct fc_flow and of struct fc_closed. */
struct fc_conn {
	bool closed; /* a struct fc_closed, or a closed fc_flow (no memory) */
	uint32_t hash;
};

/* A place in the table: the connection's hash beside it, so that probing
 * past other connections costs no cache miss on each. */
struct fc_slot {
	uint32_t hash;
	struct fc_conn *c; /* NULL: free */
};

/* A connection that ended: kept (small) so that its late packets are
 * recognised as such, not taken for a new stream. */
struct fc_closed {
	struct fc_conn c;
	struct fc_closed *older, *newer; /* closed list, oldest first */
	struct fc_flow_key key;
};
_Static_assert(sizeof(struct fc_closed) <= 128, "a closed connection costs at most 128 bytes");

/* One direction: 24 bytes until it carries something. Half of all
 * directions never do (the silent side of a request), and 50,000 open
 * connections must fit in 64 MiB. */
struct fc_half {
	uint8_t dir; /* its index in its flow's half[] (half_flow) */
	bool syn; /* this direction's SYN was seen */
	bool ended;
	bool have_base; /* base_seq is set (r, once made, has it too) */
	uint32_t base_seq; /* sequence number of stream offset 0 */
	struct fc_decoder *dec; /* NULL until the first payload or gap */
	/* NULL until the first payload, FIN or ACK of bytes never seen
	 * (half_reasm); a direction without one has delivered nothing, has
	 * no hole and has not ended by a FIN. */
	struct fc_reasm *r;
};

struct fc_flow {
	struct fc_conn c;
	uint32_t slot; /* index in live[] */
	bool begun; /* stream_begin was sent */
	uint64_t packets; /* of this connection: the ACK window's clock */
	uint64_t last_seen; /* engine packet count at its last packet */
	int64_t last_ts_us; /* capture time of its last packet */
	struct fc_engine *eng;
	struct fc_stream_info info;
	struct fc_half half[2];
};

/* Live flows sampled for an eviction, and how long one must have been
 * idle (capture time) before a packet of an unknown mid-stream
 * connection may take its place. */
#define FC_EVICT_SAMPLE 8

/* Connections in the table from which a look a record ahead pays
 * (fc_engine_ahead_useful): below, the table and the flows stay in the
 * cache and the look-ahead only costs (3.5% more CPU time on one
 * connection). */
#define FC_AHEAD_MIN_CONNS 2048
#define FC_EVICT_IDLE_US (60 * 1000000LL)

/* The quick hash's multipliers: one per 32-bit word of an IPv4 pair's
 * 12 bytes, and one added. */
#define FC_QUICK_WORDS 4
/* Probes a lookup (or a removal's walk to the end of its run) may take
 * on average before the table is thought attacked: linear probing under
 * a random hash takes 3 (found) to 13 (not found) in a table 80% full,
 * the most this one gets. The excess over it is summed, never below 0
 * (no credit saved up for later), and FC_PROBE_EXCESS_MAX of it rebuilds
 * the table under SipHash: before that, an attacker costs at most that
 * many probes more than the packets allow. Random hashing's excess
 * stays under a few thousand. */
#define FC_PROBE_AVG 16
#define FC_PROBE_EXCESS_MAX (1u << 16)

struct fc_engine {
	struct fc_engine_config cfg;
	struct fc_sink sink;
	struct fc_slot *slots;
	uint32_t nslots; /* power of two, >= 1.25 x max_flows */
	struct fc_flow **live; /* open flows, live_cap <= max_flows slots */
	uint32_t nlive, live_cap;
	struct fc_closed *closed_oldest, *closed_newest;
	uint32_t nclosed;
	/* Every per-connection allocation of a fixed size: connections come
	 * and go all the time (fc_pool.h). */
	struct fc_pool flow_pool, closed_pool, reasm_pool, dec_pool;
	struct fc_pool hist_pool[FC_REASM_HISTORY_SIZES];
	uint64_t rng; /* xorshift state: eviction samples */
	struct fc_reasm_budget budget;
	struct fc_keep_budget keep_budget;
	struct fc_reasm_shared reasm_shared; /* every direction's */
	/* The reassembly counters of every direction that ended, and of
	 * those without memory for their own (fc_reasm_shared.spill): the
	 * totals' retransmitted bytes and forced gaps. */
	struct fc_reasm_stats reasm_total;
	struct fc_ipfrag *frag; /* IP fragments waiting for their datagram */
	struct fc_profile builtin; /* the fallback when none was given */
	struct fc_decoder_scratch scratch;
	struct fc_engine_stats st;
	/* cfg.hash_key mixed into SipHash's state once (flow_hash) */
	struct fc_siphash_state sip;
	/* v4_quick's multipliers, drawn from cfg.hash_key */
	uint64_t quick[FC_QUICK_WORDS];
	/* Every key hashed by SipHash-1-3 (go_strong has run); go_strong
	 * is asked for by a lookup and made before the next packet's. */
	bool strong, want_strong;
	/* probes (lookups, removals) beyond FC_PROBE_AVG each, floored at 0 */
	uint64_t probe_excess;
	/* flow_hash's last IPv4 pair (v4_words; w1 above 32 bits: none)
	 * and its hash: a connection's packets come in runs */
	uint64_t last_w0, last_w1;
	uint32_t last_hash;
	/* fc_engine_packet_ahead: the next record's parse, its connection's
	 * hash and slot prefetched; used only by the call for that record
	 * (num and data), dropped by any call. */
	struct {
		const uint8_t *data; /* NULL: none */
		uint64_t num;
		uint32_t caplen, wire_len;
		int dlt;
		uint32_t hash;
		struct fc_tcp_seg s;
	} next;
};

/* --- sink plumbing: decoder and reassembler events to the front end ---- */

/* The flow a direction belongs to: found from its place in half[] rather
 * than stored (8 bytes less per direction). */
static inline struct fc_flow *half_flow(const struct fc_half *h)
{
	return (struct fc_flow *)(void *)((char *)(h - h->dir) - offsetof(struct fc_flow, half));
}

static void begin(struct fc_flow *f)
{
	if (f->begun)
		return;
	f->begun = true;
	f->eng->st.streams_with_data++;
	if (f->eng->sink.stream_begin)
		f->eng->sink.stream_begin(f->eng->sink.ctx, &f->info);
}

/* Count what a report of direction `ctx` (its fc_half) carries, and pass
 * it on: the decoders' reports, and reassembly's own. */
static void on_report(void *ctx, const struct fc_report *r)
{
	struct fc_half *h = ctx;
	struct fc_engine *e = half_flow(h)->eng;

	begin(half_flow(h));
	for (uint32_t i = 0; i < r->nevents; i++) {
		if (r->events[i].type != FC_EV_ANOMALY)
			continue;
		e->st.anomalies++;
		e->st.anomaly_kinds[r->events[i].anomaly.kind]++;
	}
	if (e->sink.report)
		e->sink.report(e->sink.ctx, &half_flow(h)->info, h->dir, r);
}

static const struct fc_decoder_ops decoder_ops = {
	.report = on_report,
};

/* The direction's decoder, made at its first payload or gap (many
 * connections carry payload one way only); NULL without memory, and the
 * direction's bytes then go undecoded. */
static struct fc_decoder *ensure_decoder(struct fc_half *h)
{
	struct fc_engine *e = half_flow(h)->eng;

	if (h->dec)
		return h->dec;
	h->dec = fc_pool_get(&e->dec_pool);
	if (!h->dec)
		return NULL;
	fc_decoder_init(h->dec, half_flow(h)->info.profile, e->cfg.payload_keep,
			!h->syn, &e->scratch, &decoder_ops, h);
	fc_decoder_set_keep_budget(h->dec, &e->keep_budget);
	fc_decoder_set_prelude(h->dec, h->dir == FC_C2S ? FC_DIR_C2S : FC_DIR_S2C);
	if (e->cfg.omit_frames)
		fc_decoder_omit_frames(h->dec);
	return h->dec;
}

static void drop_decoder(struct fc_half *h)
{
	struct fc_engine *e = half_flow(h)->eng;

	if (!h->dec)
		return;
	fc_decoder_free(h->dec);
	fc_pool_put(&e->dec_pool, h->dec);
	h->dec = NULL;
}

static void on_data(void *ctx, uint64_t off, const uint8_t *p, uint32_t n,
		    const struct fc_pkt *pkt, bool seg_start)
{
	struct fc_half *h = ctx;
	struct fc_engine *e = half_flow(h)->eng;

	if (e->sink.data) {
		begin(half_flow(h));
		e->sink.data(e->sink.ctx, &half_flow(h)->info, h->dir, off, p, n, h->syn);
	}
	if (e->cfg.bytes_only || !ensure_decoder(h))
		return;
	fc_decoder_data(h->dec, off, p, n, pkt, seg_start);
}

static void on_gap(void *ctx, uint64_t off, uint64_t n,
		   const struct fc_pkt *pkt, const char *why)
{
	struct fc_half *h = ctx;

	if (half_flow(h)->eng->cfg.bytes_only || !ensure_decoder(h))
		return;
	fc_decoder_gap(h->dec, off, n, pkt, why);
}

/* The retransmit_conflict finding: bytes from off on, n of them, of pkt
 * differ from the first copy. Counted with the direction's other
 * anomalies at its end (the reassembler's count of them). */
static struct fc_event conflict_event(uint64_t off, uint64_t n, const struct fc_pkt *pkt)
{
	struct fc_event ev = {
		.type = FC_EV_ANOMALY,
		.anomaly = {
			.kind = FC_AN_RETRANSMIT_CONFLICT,
			.offset = off,
			.pkt = pkt->num,
			.ts_us = pkt->ts_us,
			.frame = FC_NO_FRAME,
			.u.conflict.len = n,
		},
	};

	return ev;
}

static void on_conflict(void *ctx, uint64_t off, uint64_t n,
			const struct fc_pkt *pkt)
{
	struct fc_event ev = conflict_event(off, n, pkt);
	struct fc_report r = { .events = &ev, .nevents = 1 };

	/* A finding of reassembly, not of the framing: straight to the front
	 * end. */
	on_report(ctx, &r);
}

/* A packet that repeats old bytes. With new bytes too, the decoder puts
 * the count on that packet's next segment record (through the shared
 * scratch, which is keyed by the packet). With none, it is a segment of
 * its own for the front ends, with no pieces (no frame is decoded twice),
 * and its conflict in the same report; in bytes_only mode there is no
 * segment to show, only the conflict. */
static void on_repeat(void *ctx, uint64_t off, uint64_t n, bool whole,
		      const struct fc_reasm_conflict *c, const struct fc_pkt *pkt)
{
	struct fc_half *h = ctx;
	struct fc_engine *e = half_flow(h)->eng;
	struct fc_segment seg;
	struct fc_event ev;
	struct fc_report r = { .events = &ev };

	if (!whole) {
		e->scratch.repeated = (uint32_t)n;
		e->scratch.repeated_pkt = pkt->num;
		return;
	}
	if (c->len) {
		ev = conflict_event(c->off, c->len, pkt);
		r.nevents = 1;
	}
	if (!e->cfg.bytes_only) {
		memset(&seg, 0, offsetof(struct fc_segment, pieces));
		seg.pkt = *pkt;
		seg.offset = off;
		seg.len = (uint32_t)n;
		seg.repeated = (uint32_t)n;
		seg.out_of_order = false; /* not after memset: past pieces */
		seg.unframed = 0;
		seg.retransmission = true;
		seg.conflict = c->len > 0;
		r.seg = &seg;
	}
	if (r.seg || r.nevents)
		on_report(h, &r);
}

static const struct fc_reasm_ops reasm_ops = {
	.data = on_data,
	.gap = on_gap,
	.conflict = on_conflict,
	.repeat = on_repeat,
};

/* The direction's reassembler, made when it first has something to
 * reassemble, with the base its SYN gave; NULL without memory (the
 * packet is then not reassembled). */
static struct fc_reasm *half_reasm(struct fc_half *h)
{
	struct fc_engine *e = half_flow(h)->eng;

	if (h->r)
		return h->r;
	h->r = fc_pool_get(&e->reasm_pool);
	if (!h->r)
		return NULL;
	fc_reasm_init(h->r, &e->reasm_shared, h);
	if (h->have_base)
		fc_reasm_set_base(h->r, h->base_seq);
	return h->r;
}

/* Stream offset 0 of the direction is sequence number seq, unless it
 * has a base already (fc_reasm_set_base). */
static void half_set_base(struct fc_half *h, uint32_t seq)
{
	if (h->r) {
		fc_reasm_set_base(h->r, seq);
		return;
	}
	if (h->have_base)
		return;
	h->have_base = true;
	h->base_seq = seq;
}

static bool half_has_base(const struct fc_half *h)
{
	return h->r ? h->r->have_base : h->have_base;
}

/* Bytes of the direction were delivered or given up as gaps. */
static bool half_moved(const struct fc_half *h)
{
	return h->r && h->r->next > 0;
}

static bool half_fin_seen(const struct fc_half *h)
{
	return h->r && h->r->fin_seen;
}

static bool half_done(const struct fc_half *h)
{
	return h->r && fc_reasm_done(h->r);
}

static bool half_waiting(const struct fc_half *h)
{
	return !h->ended && h->r && fc_reasm_waiting(h->r);
}

/* --- flow table --------------------------------------------------------- */

/* The bytes of v, low first (n <= 8): the hashed message is the same on
 * every machine. */
static inline void put_le(uint8_t *out, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

/* The IPv4 pair as the two words fc_flow_hash hashes (12 bytes: address
 * and port of each end, 48 bits each, the smaller first). */
static inline void v4_words(const struct fc_flow_key *k, uint64_t w[2])
{
	uint32_t sa, da;
	uint64_t a, b, lo, hi;

	memcpy(&sa, k->src.bytes, 4);
	memcpy(&da, k->dst.bytes, 4);
	a = (uint64_t)sa << 16 | k->sport;
	b = (uint64_t)da << 16 | k->dport;
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	w[0] = lo | hi << 48;
	w[1] = hi >> 16;
}

/* SipHash-1-3 under the run's secret key of the two endpoints, the
 * smaller first so that both directions of a connection hash alike, then
 * the VLAN tags. Keyed because the endpoints are chosen by whoever sends
 * packets: with an unkeyed mix, 20,000 crafted addresses in one bucket
 * made every lookup walk them all (a capture took 60 times longer). Once
 * per packet, so only the bytes that tell connections apart are hashed:
 * an IPv4 pair is 12 bytes (address and port, 48 bits each), one
 * SipHash word and the tail; IPv6 pairs are 36. The families need no
 * byte of their own: the lengths differ (12 or 36, + 2 per tag). */
uint32_t fc_flow_hash(const uint8_t key[16], const struct fc_flow_key *k)
{
	uint8_t buf[2 * (16 + 2) + 2 * FC_MAX_VLAN];
	unsigned nvlan = k->nvlan < FC_MAX_VLAN ? k->nvlan : FC_MAX_VLAN;
	size_t n;
	uint64_t h;

	if (k->src.family == 4 && k->dst.family == 4) {
		uint64_t w[2];

		v4_words(k, w);
		if (!nvlan) { /* the usual packet: two words, no buffer */
			h = fc_siphash13_words(key, w, 12);
			return (uint32_t)(h ^ h >> 32);
		}
		put_le(buf, w[0], 8);
		put_le(buf + 8, w[1], 4);
		n = 12;
	} else {
		const struct fc_addr *lo = &k->src, *hi = &k->dst;
		uint16_t plo = k->sport, phi = k->dport;
		int c = memcmp(lo->bytes, hi->bytes, 16);

		if (c > 0 || (c == 0 && plo > phi)) {
			lo = &k->dst;
			hi = &k->src;
			plo = k->dport;
			phi = k->sport;
		}
		memcpy(buf, lo->bytes, 16);
		put_le(buf + 16, plo, 2);
		memcpy(buf + 18, hi->bytes, 16);
		put_le(buf + 34, phi, 2);
		n = 36;
	}
	for (unsigned i = 0; i < nvlan; i++, n += 2)
		put_le(buf + n, k->vlan[i], 2);
	h = fc_siphash13(key, buf, n);
	return (uint32_t)(h ^ h >> 32);
}

/* The words of an untagged IPv4 pair (v4_words) into w; false for any
 * other key, which fc_flow_hash takes whole. */
static inline bool plain_v4(const struct fc_flow_key *k, uint64_t w[2])
{
	if (k->src.family != 4 || k->dst.family != 4 || k->nvlan)
		return false;
	v4_words(k, w);
	return true;
}

/* fc_flow_hash of a plain_v4 pair's words, from the state the run's key
 * made once (e->sip): the call, its prologue for every family and the
 * key's mixing were a fifth of its cost. */
static inline uint32_t v4_hash(const struct fc_engine *e, const uint64_t w[2])
{
	uint64_t h = fc_siphash_cd_from(&e->sip, NULL, w, 12, 1, 3);

	return (uint32_t)(h ^ h >> 32);
}

/* The multilinear hash of a plain_v4 pair's three 32-bit words under 64-bit
 * secret multipliers m, its high half: strongly universal (Lemire and
 * Kaser, "Strongly universal string hashing is fast", 2014), so two
 * pairs chosen without the secret share a slot as often as at random.
 * Then MurmurHash3's 32-bit finalizer: a fixed bijection, so the pairs'
 * joint distribution stays uniform, but not linear. Alone, the sum maps
 * pairs in a row (one client's ports) to slots a fixed step apart, and
 * under one key in thirty make bench's captures made runs long enough
 * for go_strong (test_quick_hash_probes_rows). SipHash-1-3 took 7% of
 * the instructions with 10,000 connections open; this takes a fifth of
 * that. It promises less than a PRF against one who sees where pairs
 * land; go_strong covers that case. */
static inline uint32_t v4_quick(const uint64_t m[FC_QUICK_WORDS], const uint64_t w[2])
{
	uint64_t h = m[0] + m[1] * (uint32_t)w[0] + m[2] * (w[0] >> 32) + m[3] * w[1];
	uint32_t x = (uint32_t)(h >> 32);

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

/* The quick hash's multipliers from the run's key: SipHash-2-4 of their
 * index, so the same key gives the same table. */
static void quick_multipliers(const uint8_t key[16], uint64_t m[FC_QUICK_WORDS])
{
	for (unsigned i = 0; i < FC_QUICK_WORDS; i++) {
		uint8_t msg[8];

		put_le(msg, 0x6663717569636bULL << 8 | i, 8); /* "fcquick" i */
		m[i] = fc_siphash24(key, msg, sizeof(msg));
	}
}

uint32_t fc_flow_hash_quick(const uint8_t key[16], const struct fc_flow_key *k)
{
	uint64_t m[FC_QUICK_WORDS], w[2];

	if (!plain_v4(k, w))
		return fc_flow_hash(key, k);
	quick_multipliers(key, m);
	return v4_quick(m, w);
}

/* The table's hash of a plain_v4 pair's words: the quick one until
 * go_strong, SipHash-1-3 after. */
static inline uint32_t v4_table_hash(const struct fc_engine *e, const uint64_t w[2])
{
	return e->strong ? v4_hash(e, w) : v4_quick(e->quick, w);
}

/* The table's hash of k: fc_flow_hash_quick, or after go_strong
 * fc_flow_hash, inline for the usual packet. */
static inline uint32_t flow_hash(const struct fc_engine *e, const struct fc_flow_key *k)
{
	uint64_t w[2];

	return plain_v4(k, w) ? v4_table_hash(e, w) : fc_flow_hash(e->cfg.hash_key, k);
}

/* flow_hash, for a packet handed over without a look-ahead (few
 * connections): one of the same pair as the last one (either direction:
 * the words are ordered) takes its hash again. On one connection
 * SipHash was 1.5% of the instructions (bench-small --json); with a
 * look-ahead, the hash is made a record before and this is not asked. */
static inline uint32_t flow_hash_again(struct fc_engine *e, const struct fc_flow_key *k)
{
	uint64_t w[2];

	if (!plain_v4(k, w))
		return fc_flow_hash(e->cfg.hash_key, k);
	if (w[0] != e->last_w0 || w[1] != e->last_w1) {
		e->last_w0 = w[0];
		e->last_w1 = w[1];
		e->last_hash = v4_table_hash(e, w);
	}
	return e->last_hash;
}

static bool vlans_equal(const struct fc_flow_key *a, const struct fc_flow_key *b)
{
	/* Most packets carry no tag: no call to memcmp for them. */
	return a->nvlan == b->nvlan &&
	       (!a->nvlan || !memcmp(a->vlan, b->vlan, sizeof(a->vlan[0]) * a->nvlan));
}

/* Does packet key k belong to flow key fk, and in which direction? */
static bool key_match(const struct fc_flow_key *fk, const struct fc_flow_key *k,
		      enum fc_dir *dir)
{
	if (!vlans_equal(fk, k))
		return false;
	if (fk->sport == k->sport && fk->dport == k->dport &&
	    !memcmp(&fk->src, &k->src, sizeof(k->src)) &&
	    !memcmp(&fk->dst, &k->dst, sizeof(k->dst))) {
		*dir = FC_C2S;
		return true;
	}
	if (fk->sport == k->dport && fk->dport == k->sport &&
	    !memcmp(&fk->src, &k->dst, sizeof(k->dst)) &&
	    !memcmp(&fk->dst, &k->src, sizeof(k->src))) {
		*dir = FC_S2C;
		return true;
	}
	return false;
}

static const struct fc_flow_key *conn_key(const struct fc_conn *c)
{
	return c->closed ? &((const struct fc_closed *)c)->key
			 : &((const struct fc_flow *)c)->info.key;
}

/* Count a lookup's or a removal's probes against FC_PROBE_AVG (see
 * probe_excess); too many asks for go_strong, unless it has run. */
static inline void probes_taken(struct fc_engine *e, uint32_t probes)
{
	if (probes <= FC_PROBE_AVG && !e->probe_excess)
		return; /* nearly every lookup */
	e->probe_excess += probes;
	e->probe_excess = e->probe_excess > FC_PROBE_AVG ? e->probe_excess - FC_PROBE_AVG : 0;
	if (e->probe_excess > FC_PROBE_EXCESS_MAX && !e->strong)
		e->want_strong = true;
}

static struct fc_conn *lookup(struct fc_engine *e, const struct fc_flow_key *k,
			      uint32_t hash, enum fc_dir *dir)
{
	uint32_t mask = e->nslots - 1, home = hash & mask, i;

	for (i = home; e->slots[i].c; i = (i + 1) & mask)
		if (e->slots[i].hash == hash && key_match(conn_key(e->slots[i].c), k, dir))
			break;
	probes_taken(e, (i - home) & mask);
	return e->slots[i].c; /* the match, or the free slot's NULL */
}

/* The slot holding c. */
static uint32_t slot_of(const struct fc_engine *e, const struct fc_conn *c)
{
	uint32_t mask = e->nslots - 1, i = c->hash & mask;

	while (e->slots[i].c != c)
		i = (i + 1) & mask;
	return i;
}

/* Put `with` (NULL: nothing) where c is in the table. `with` has c's
 * hash. A freed slot is filled from the run after it, each connection
 * moving back only as far as its own home slot allows (linear probing
 * has no tombstones: lookups stop at the first free slot). */
static void slot_replace(struct fc_engine *e, struct fc_conn *c, struct fc_conn *with)
{
	uint32_t mask = e->nslots - 1, hole = slot_of(e, c), from = hole, i;

	if (with) {
		e->slots[hole].c = with;
		return;
	}
	for (i = (hole + 1) & mask; e->slots[i].c; i = (i + 1) & mask) {
		uint32_t home = e->slots[i].hash & mask;

		/* It may fill the hole when the hole lies on its way from
		 * home to i (cyclically). */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			e->slots[hole] = e->slots[i];
			hole = i;
		}
	}
	e->slots[hole].c = NULL;
	e->slots[hole].hash = 0;
	/* The walk to the run's end counts like a lookup's: connections
	 * each in its own home slot, side by side, make it long while
	 * every lookup stays short. */
	probes_taken(e, (i - from) & mask);
}

static void slot_add(struct fc_engine *e, struct fc_conn *c)
{
	uint32_t mask = e->nslots - 1, i = c->hash & mask;

	while (e->slots[i].c)
		i = (i + 1) & mask;
	e->slots[i].hash = c->hash;
	e->slots[i].c = c;
}

/* The slot table (nslots slots, zeroed), and its release. One of the
 * default size (1 MiB for --max-flows 50000) is written all over as
 * connections land on random slots: it is filled in by the call
 * (fc_table_alloc), not a page fault at a time. A larger one (a raised
 * --max-flows) gets its pages as slots are first written, on small
 * pages: on huge ones, a few connections would make all of it resident. */
static bool slots_filled(uint32_t nslots)
{
	return (size_t)nslots * sizeof(struct fc_slot) < FC_TABLE_HUGE;
}

static struct fc_slot *slots_alloc(uint32_t nslots)
{
	return slots_filled(nslots) ? fc_table_alloc(nslots, sizeof(struct fc_slot))
				    : calloc(nslots, sizeof(struct fc_slot));
}

static void slots_free(struct fc_slot *t, uint32_t nslots)
{
	if (slots_filled(nslots))
		fc_table_free(t, nslots, sizeof(struct fc_slot));
	else
		free(t);
}

/* Lookups and removals have walked far longer than under a random hash:
 * someone may have found where IPv4 pairs land under the quick hash. Every
 * connection's hash becomes SipHash-1-3's and the table is laid out
 * anew, once; the connections themselves stay where they are. Without
 * memory for the new table, the old one stays (slower, still right). */
static void go_strong(struct fc_engine *e)
{
	struct fc_slot *old = e->slots, *fresh = slots_alloc(e->nslots);

	e->want_strong = false;
	e->probe_excess = 0; /* without memory: tried again after as many */
	if (!fresh)
		return;
	e->strong = true;
	e->slots = fresh;
	for (uint32_t i = 0; i < e->nslots; i++) {
		struct fc_conn *c = old[i].c;

		if (!c)
			continue;
		c->hash = flow_hash(e, conn_key(c));
		slot_add(e, c);
	}
	slots_free(old, e->nslots);
	e->last_w1 = UINT64_MAX; /* flow_hash_again's pair, hashed the old way */
	if (e->next.data) /* the look-ahead's, likewise */
		e->next.hash = flow_hash(e, &e->next.s.key);
	e->st.flow_hash_strong = 1;
}

/* Append r to the closed list (the newest end). */
static void closed_push(struct fc_engine *e, struct fc_closed *r)
{
	r->newer = NULL;
	r->older = e->closed_newest;
	if (e->closed_newest)
		e->closed_newest->newer = r;
	else
		e->closed_oldest = r;
	e->closed_newest = r;
	e->nclosed++;
}

/* Forget a closed connection: out of its bucket and the list, freed. */
static void closed_remove(struct fc_engine *e, struct fc_closed *r)
{
	slot_replace(e, &r->c, NULL);
	if (r->older)
		r->older->newer = r->newer;
	else
		e->closed_oldest = r->newer;
	if (r->newer)
		r->newer->older = r->older;
	else
		e->closed_newest = r->older;
	e->nclosed--;
	fc_pool_put(&e->closed_pool, r);
}

/* A flow out of live[]: the last one takes its slot. */
static void live_del(struct fc_engine *e, struct fc_flow *f)
{
	struct fc_flow *last = e->live[--e->nlive];

	e->live[f->slot] = last;
	last->slot = f->slot;
}

/* Room in live[] for one more flow (it grows by doubling up to
 * max_flows); false without memory. */
static bool live_reserve(struct fc_engine *e)
{
	uint32_t cap = e->live_cap;
	struct fc_flow **n;

	if (e->nlive < cap)
		return true;
	cap = cap ? cap * 2 : 1024;
	if (cap > e->cfg.max_flows)
		cap = e->cfg.max_flows;
	if (cap <= e->nlive)
		return false;
	n = realloc(e->live, cap * sizeof(*n));
	if (!n)
		return false;
	e->live = n;
	e->live_cap = cap;
	return true;
}

/* A flow's memory once it left the table: buffers freed, the flow, its
 * reassemblers and decoders back to their pools. */
static void flow_release(struct fc_engine *e, struct fc_flow *f)
{
	for (int d = 0; d < 2; d++) {
		if (f->half[d].r) {
			fc_reasm_free(f->half[d].r);
			fc_pool_put(&e->reasm_pool, f->half[d].r);
		}
		drop_decoder(&f->half[d]);
	}
	fc_pool_put(&e->flow_pool, f);
}

static const char *const end_names[] = {
	[FC_END_FIN] = "fin",
	[FC_END_RST] = "rst",
	[FC_END_CAPTURE] = "capture end",
	[FC_END_EVICTED] = "evicted",
};

static void half_end(struct fc_half *h, enum fc_end_reason why,
		     const struct fc_pkt *pkt)
{
	if (h->ended)
		return;
	h->ended = true;
	if (h->r && (why != FC_END_FIN || !fc_reasm_done(h->r)))
		fc_reasm_flush(h->r, pkt);
	if (h->dec)
		fc_decoder_end(h->dec, why, pkt);
}

/* End the stream: both directions, then the summary. The flow is freed;
 * with `keep`, a closed record takes its place in the table to absorb
 * late packets (without memory for one, the connection is forgotten). */
static void flow_close(struct fc_engine *e, struct fc_flow *f,
		       enum fc_end_reason why, const struct fc_pkt *pkt, bool keep)
{
	struct fc_stream_end end;
	struct fc_closed *r = NULL;

	half_end(&f->half[FC_C2S], why, pkt);
	half_end(&f->half[FC_S2C], why, pkt);
	memset(&end, 0, sizeof(end));
	end.why = end_names[why];
	for (int d = 0; d < 2; d++) {
		struct fc_half *h = &f->half[d];
		struct fc_decoder_stats *ds = &end.dir[d];

		if (h->r)
			end.reasm[d] = *fc_reasm_stats(h->r);
		e->reasm_total.retransmitted_bytes += end.reasm[d].retransmitted_bytes;
		e->reasm_total.forced_gaps += end.reasm[d].forced_gaps;
		end.dir[d].anomalies[FC_AN_RETRANSMIT_CONFLICT] = end.reasm[d].conflicts;
		if (!h->dec)
			continue;
		fc_decoder_get_stats(h->dec, ds);
		ds->anomalies[FC_AN_RETRANSMIT_CONFLICT] += end.reasm[d].conflicts;
		e->st.frames += ds->frames;
		e->st.bytes += ds->bytes;
		e->st.sticky_segments += ds->sticky_segments;
		e->st.split_frames += ds->split_frames;
		if (ds->max_frames_in_segment > e->st.max_frames_in_segment)
			e->st.max_frames_in_segment = ds->max_frames_in_segment;
	}
	if (f->begun && e->sink.stream_end)
		e->sink.stream_end(e->sink.ctx, &f->info, &end);
	if (keep)
		r = fc_pool_get(&e->closed_pool);
	if (r) {
		r->c.closed = true;
		r->c.hash = f->c.hash;
		r->key = f->info.key;
		slot_replace(e, &f->c, &r->c);
		closed_push(e, r);
	} else {
		slot_replace(e, &f->c, NULL);
	}
	live_del(e, f);
	flow_release(e, f);
}

/* Make room for one more connection in a full table: the oldest closed
 * record, or else a live flow, the idlest of a random sample. A live
 * flow is given up for a new connection (a bare SYN), or for a packet
 * of an unknown connection only once it has been idle FC_EVICT_IDLE_US:
 * with round-robin traffic over more connections than the table holds,
 * the flows in the table keep decoding and the others are counted as
 * untracked, instead of each packet evicting a flow that then returns
 * as a new stream. False: no room, the packet is not tracked. */
static bool make_room(struct fc_engine *e, bool new_conn, const struct fc_pkt *pkt)
{
	struct fc_flow *victim = NULL;

	if (e->closed_oldest) {
		closed_remove(e, e->closed_oldest);
		return true;
	}
	if (e->nlive == 0)
		return false;
	for (uint32_t i = 0; i < FC_EVICT_SAMPLE; i++) {
		uint64_t x = e->rng;
		struct fc_flow *f;

		if (e->nlive <= FC_EVICT_SAMPLE) { /* a small table: all of it */
			if (i >= e->nlive)
				break;
			f = e->live[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			e->rng = x;
			f = e->live[(uint32_t)(((x >> 32) * e->nlive) >> 32)];
		}
		if (!victim || f->last_seen < victim->last_seen)
			victim = f;
	}
	if (!new_conn && pkt->ts_us - victim->last_ts_us < FC_EVICT_IDLE_US)
		return false;
	e->st.flows_evicted++;
	flow_close(e, victim, FC_END_EVICTED, pkt, false);
	return true;
}

static const struct fc_profile *pick_profile(const struct fc_engine *e,
					     uint16_t server_port,
					     uint16_t client_port)
{
	return fc_profile_pick(e->cfg.config, e->cfg.forced, e->cfg.fallback,
			       server_port, client_port);
}

/* Who is the client? The sender of a bare SYN; the receiver of a SYN-ACK;
 * with no SYN seen, the higher port. */
static bool sender_is_client(const struct fc_tcp_seg *s)
{
	if (s->flags & FC_TH_SYN)
		return !(s->flags & FC_TH_ACK);
	return s->key.sport >= s->key.dport;
}

static struct fc_flow *flow_new(struct fc_engine *e, const struct fc_tcp_seg *s,
				uint32_t hash, const struct fc_pkt *pkt,
				enum fc_dir *dir)
{
	struct fc_flow *f;
	struct fc_flow_key *k;
	bool bare_syn = (s->flags & (FC_TH_SYN | FC_TH_ACK)) == FC_TH_SYN;

	if (e->nlive + e->nclosed >= e->cfg.max_flows && !make_room(e, bare_syn, pkt)) {
		e->st.untracked_packets++;
		return NULL;
	}
	if (!live_reserve(e))
		return NULL;
	f = fc_pool_get(&e->flow_pool);
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->eng = e;
	f->c.hash = hash;
	k = &f->info.key;
	*k = s->key;
	*dir = FC_C2S;
	if (!sender_is_client(s)) {
		k->src = s->key.dst;
		k->dst = s->key.src;
		k->sport = s->key.dport;
		k->dport = s->key.sport;
		*dir = FC_S2C;
	}
	f->info.id = ++e->st.streams;
	f->info.first_pkt = pkt->num;
	f->info.first_ts_us = pkt->ts_us;
	f->info.syn_seen = (s->flags & FC_TH_SYN) != 0;
	f->info.profile = pick_profile(e, k->dport, k->sport);
	f->half[FC_S2C].dir = FC_S2C;
	slot_add(e, &f->c);
	f->slot = e->nlive;
	e->live[e->nlive++] = f;
	if (e->nlive + e->nclosed > e->st.live_flows_peak)
		e->st.live_flows_peak = e->nlive + e->nclosed;
	return f;
}

struct fc_engine *fc_engine_new(const struct fc_engine_config *cfg,
				const struct fc_sink *sink)
{
	struct fc_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->sink = *sink;
	if (!e->cfg.forced && !e->cfg.fallback) {
		/* Every stream needs a profile: without one the decoder would
		 * follow a NULL pointer at the first byte of data. */
		fc_profile_default(&e->builtin);
		e->cfg.fallback = &e->builtin;
	}
	if (e->cfg.max_flows == 0)
		e->cfg.max_flows = FC_DEFAULT_MAX_FLOWS;
	if (e->cfg.max_ooo_per_dir == 0)
		e->cfg.max_ooo_per_dir = FC_DEFAULT_MAX_OOO_PER_DIR;
	if (e->cfg.max_ooo_total == 0)
		e->cfg.max_ooo_total = FC_DEFAULT_MAX_OOO_TOTAL;
	if (e->cfg.max_ooo_per_dir < FC_MIN_OOO_PER_DIR)
		e->cfg.max_ooo_per_dir = FC_MIN_OOO_PER_DIR;
	if (e->cfg.max_ooo_total < e->cfg.max_ooo_per_dir)
		e->cfg.max_ooo_total = e->cfg.max_ooo_per_dir;
	e->budget.max = e->cfg.max_ooo_total;
	if (e->cfg.max_kept_total == 0)
		e->cfg.max_kept_total = FC_DEFAULT_MAX_KEPT_TOTAL;
	e->keep_budget.max = e->cfg.max_kept_total;
	if (e->cfg.max_ooo_pieces == 0)
		e->cfg.max_ooo_pieces = FC_DEFAULT_MAX_OOO_PIECES;
	if (e->cfg.max_ooo_pieces < FC_MIN_OOO_PIECES)
		e->cfg.max_ooo_pieces = FC_MIN_OOO_PIECES;
	e->reasm_shared.ops = &reasm_ops;
	e->reasm_shared.budget = &e->budget;
	e->reasm_shared.max_ooo = e->cfg.max_ooo_per_dir;
	e->reasm_shared.max_pieces = e->cfg.max_ooo_pieces;
	e->reasm_shared.window.packets = e->cfg.ack_window_packets;
	e->reasm_shared.window.us = e->cfg.ack_window_us;
	fc_siphash_init(&e->sip, e->cfg.hash_key);
	quick_multipliers(e->cfg.hash_key, e->quick);
	e->last_w1 = UINT64_MAX; /* no pair hashed yet (a pair's w1 < 2^32) */
	fc_pool_init(&e->flow_pool, sizeof(struct fc_flow));
	fc_pool_init(&e->closed_pool, sizeof(struct fc_closed));
	fc_pool_init(&e->reasm_pool, sizeof(struct fc_reasm));
	fc_pool_init(&e->dec_pool, sizeof(struct fc_decoder));
	for (uint32_t i = 0; i < FC_REASM_HISTORY_SIZES; i++)
		fc_pool_init(&e->hist_pool[i], (i + 1) * FC_REASM_HISTORY_STEP);
	e->reasm_shared.hist_pool = e->hist_pool;
	e->reasm_shared.spill = &e->reasm_total;
	e->rng = 0x9E3779B97F4A7C15ULL; /* fixed: the same input, the same output */
	/* At most 80% full: linear probing's runs stay a few slots long
	 * (2.5 on average for a connection found in a full default table,
	 * 65,536 slots for 50,000), and a probe always ends at a free slot. */
	e->nslots = 1024;
	while (e->nslots < (uint64_t)e->cfg.max_flows * 5 / 4 + 1 && e->nslots < FC_MAX_SLOTS)
		e->nslots <<= 1;
	e->slots = slots_alloc(e->nslots);
	{
		struct fc_ipfrag_config fcfg = { 0 };

		memcpy(fcfg.hash_key, e->cfg.hash_key, sizeof(fcfg.hash_key));
		e->frag = fc_ipfrag_new(&fcfg);
	}
	if (!e->slots || !e->frag) {
		fc_ipfrag_free(e->frag);
		slots_free(e->slots, e->nslots);
		free(e);
		return NULL;
	}
	return e;
}

/* Add an IP fragment; true when it completed a datagram whose TCP
 * segment is now in *s (its payload in the reassembler's buffer, valid
 * for this packet). */
static bool defragment(struct fc_engine *e, const struct fc_ip_fragment *f,
		       const struct fc_pkt *pkt, struct fc_tcp_seg *s)
{
	const uint8_t *dgram;
	uint32_t len;
	enum fc_parse_status st;

	if (!fc_ipfrag_add(e->frag, f, pkt->ts_us, &dgram, &len))
		return false;
	st = fc_packet_parse_reassembled(&f->key, dgram, len, s, NULL);
	if (st == FC_PARSE_TCP)
		return true;
	if (st == FC_PARSE_MALFORMED)
		e->st.malformed++;
	else
		e->st.not_tcp++;
	return false;
}

/* One record, parsed: st and s (frag for a fragment); hash_known is s's
 * flow hash when have_hash. Inlined in both callers: a call here cost
 * the one-connection case 1% more instructions. */
static inline __attribute__((always_inline)) enum fc_parse_status packet(struct fc_engine *e, const struct fc_pkt *pkt,
				   enum fc_parse_status st, struct fc_tcp_seg *s,
				   const struct fc_ip_fragment *frag, bool have_hash,
				   uint32_t hash_known)
{
	struct fc_conn *c;
	struct fc_flow *f;
	struct fc_half *h, *peer;
	enum fc_dir dir = FC_C2S;
	uint32_t hash, seq;
	bool syn, bare_syn;

	e->st.packets++;
	switch (st) {
	case FC_PARSE_TCP: break;
	case FC_PARSE_NOT_TCP: e->st.not_tcp++; return st;
	case FC_PARSE_FRAGMENT:
		e->st.ip_fragments++;
		if (!defragment(e, frag, pkt, s))
			return st;
		break; /* the datagram is whole: its segment goes on as TCP */
	case FC_PARSE_MALFORMED: e->st.malformed++; return st;
	default: e->st.bad_link++; return st;
	}
	e->st.tcp_packets++;
	syn = (s->flags & FC_TH_SYN) != 0;
	bare_syn = syn && !(s->flags & FC_TH_ACK);
	if (__builtin_expect(e->want_strong, 0)) {
		go_strong(e);
		have_hash = false; /* hash_known is the quick hash */
	}
	hash = have_hash ? hash_known : flow_hash_again(e, &s->key);
	c = lookup(e, &s->key, hash, &dir);
	if (c && c->closed) {
		/* A new connection on a closed 4-tuple; else the last ACK of
		 * a normal close is expected, data or a FIN is not. */
		if (!bare_syn) {
			if (s->payload_len || (s->flags & FC_TH_FIN))
				e->st.late_packets++;
			return st;
		}
		closed_remove(e, (struct fc_closed *)c);
		c = NULL;
	}
	f = (struct fc_flow *)c;
	if (f && bare_syn) {
		/* A new connection on a 4-tuple: a SYN with a new sequence
		 * number where data already flowed or where this side's SYN
		 * was seen (even without data: kept, the old bases would
		 * misplace every byte of the new connection). */
		struct fc_half *hc = &f->half[dir];
		bool same_syn = hc->syn && half_has_base(hc) &&
				(hc->r ? hc->r->base_seq : hc->base_seq) == s->seq + 1;
		if (!same_syn && (hc->syn || half_moved(hc) || half_moved(&f->half[!dir]))) {
			flow_close(e, f, FC_END_FIN, pkt, false);
			f = NULL;
		}
	}
	if (!f) {
		f = flow_new(e, s, hash, pkt, &dir);
		if (!f)
			return st;
	}
	f->last_seen = e->st.packets;
	f->last_ts_us = pkt->ts_us;
	f->packets++;
	h = &f->half[dir];
	peer = &f->half[!dir];

	seq = s->seq;
	if (syn) {
		if (!h->syn && !half_has_base(h)) {
			h->syn = true;
			half_set_base(h, s->seq + 1);
		}
		seq++; /* data on a SYN (TCP Fast Open) follows it */
		/* A SYN-ACK acknowledges the client's SYN: the client's stream
		 * starts at its ack number even when that SYN was not captured. */
		if ((s->flags & FC_TH_ACK) && !peer->syn && !half_has_base(peer)) {
			peer->syn = true;
			half_set_base(peer, s->ack);
		}
	}
	if (s->payload_len > 0 && !h->ended && half_reasm(h)) {
		fc_reasm_segment(h->r, seq, s->payload, s->payload_captured,
				 s->payload_len, pkt);
		/* Only a segment adds to the buffers; the ACK, FIN or RST of
		 * the same packet may free some, so the peak is taken here. */
		if (e->budget.used > e->st.ooo_peak_bytes)
			e->st.ooo_peak_bytes = e->budget.used;
	}
	/* Without a reassembler the peer delivered nothing: only an ACK
	 * beyond its first byte says something (bytes never captured). */
	if ((s->flags & FC_TH_ACK) && !peer->ended && half_has_base(peer) &&
	    (peer->r || (int32_t)(s->ack - peer->base_seq) > 0) && half_reasm(peer))
		fc_reasm_ack(peer->r, s->ack, pkt, f->packets);
	if ((s->flags & FC_TH_FIN) && !h->ended && half_reasm(h))
		fc_reasm_fin(h->r, seq + s->payload_len);
	if (s->flags & FC_TH_RST) {
		flow_close(e, f, FC_END_RST, pkt, true);
		return st;
	}
	/* Holes waiting for late data: this packet may have been the last
	 * chance. Once both sides sent their FIN the connection is over and
	 * nothing more is waited for. */
	for (int d = 0; d < 2; d++) {
		struct fc_reasm *r = f->half[d].r;
		if (!half_waiting(&f->half[d]))
			continue;
		if (half_fin_seen(h) && half_fin_seen(peer))
			fc_reasm_end_waits(r);
		else
			fc_reasm_expire(r, f->packets, pkt->ts_us, false);
	}
	for (int d = 0; d < 2; d++)
		if (!f->half[d].ended && half_done(&f->half[d]))
			half_end(&f->half[d], FC_END_FIN, pkt);
	if (h->ended && peer->ended)
		flow_close(e, f, FC_END_FIN, pkt, true);
	return st;
}

enum fc_parse_status fc_engine_packet(struct fc_engine *e,
				      const struct fc_pkt *pkt, int dlt,
				      const uint8_t *data, uint32_t caplen,
				      uint32_t wire_len)
{
	struct fc_tcp_seg s;
	struct fc_ip_fragment frag;
	enum fc_parse_status st = fc_packet_parse_frag(dlt, data, caplen, wire_len,
						       &s, NULL, &frag);

	e->next.data = NULL;
	/* s and frag by address: copied whole right after the parse's
	 * field stores, they would stall on store-to-load forwarding. */
	return packet(e, pkt, st, &s, &frag, false, 0);
}

/* fc_engine_ahead_useful, inline for fc_engine_packet_ahead, which asks
 * it for every record (as a call, 1.0 M instructions of 334 M on
 * bench-conns 20000). */
static inline bool ahead_useful(const struct fc_engine *e)
{
	return e->nlive + e->nclosed >= FC_AHEAD_MIN_CONNS;
}

bool fc_engine_ahead_useful(const struct fc_engine *e)
{
	return ahead_useful(e);
}

enum fc_parse_status fc_engine_packet_ahead(struct fc_engine *e,
					    const struct fc_pkt *pkt, int dlt,
					    const uint8_t *data, uint32_t caplen,
					    uint32_t wire_len,
					    const struct fc_next_record *next)
{
	struct fc_tcp_seg s;
	struct fc_ip_fragment frag, next_frag;
	enum fc_parse_status st;
	bool have_hash = false;
	uint32_t hash = 0;

	/* The record number tells this record from another one mapped at
	 * the same address later (the caller may skip records). */
	if (e->next.data == data && e->next.num == pkt->num && e->next.caplen == caplen &&
	    e->next.wire_len == wire_len && e->next.dlt == dlt) {
		s = e->next.s; /* written a whole record ago: no stall */
		hash = e->next.hash;
		have_hash = true;
		st = FC_PARSE_TCP;
	} else {
		st = fc_packet_parse_frag(dlt, data, caplen, wire_len, &s, NULL, &frag);
	}
	e->next.data = NULL;
	/* With tens of thousands of connections open, the table slot is a
	 * cache miss on nearly every packet (a fifth of the engine's cycles
	 * went to the load of slots[i].c in lookup): fetched a record
	 * ahead, it arrives while this record is handled. */
	if (next && next->data && ahead_useful(e) &&
	    fc_packet_parse_frag(dlt, next->data, next->caplen, next->wire_len, &e->next.s,
				 NULL, &next_frag) == FC_PARSE_TCP) {
		e->next.hash = flow_hash(e, &e->next.s.key);
		__builtin_prefetch(&e->slots[e->next.hash & (e->nslots - 1)]);
		e->next.data = next->data;
		e->next.num = next->num;
		e->next.caplen = next->caplen;
		e->next.wire_len = next->wire_len;
		e->next.dlt = dlt;
	}
	return packet(e, pkt, st, &s, &frag, have_hash, hash);
}

static int by_stream_id(const void *a, const void *b)
{
	const struct fc_flow *x = *(const struct fc_flow *const *)a;
	const struct fc_flow *y = *(const struct fc_flow *const *)b;
	return x->info.id < y->info.id ? -1 : x->info.id > y->info.id;
}

void fc_engine_finish(struct fc_engine *e, const struct fc_pkt *last)
{
	struct fc_pkt none = { 0, 0 };
	struct fc_flow **open;
	uint32_t n = e->nlive;

	if (!last)
		last = &none;
	fc_ipfrag_flush(e->frag); /* trains never completed: their bytes are gaps */
	open = malloc((n + 1) * sizeof(*open));
	if (!open) { /* no memory to sort them: table order */
		while (e->nlive)
			flow_close(e, e->live[e->nlive - 1], FC_END_CAPTURE, last, false);
		return;
	}
	if (n) /* e->live may be NULL when no flow was ever live */
		memcpy(open, e->live, n * sizeof(*open));
	qsort(open, n, sizeof(*open), by_stream_id);
	for (uint32_t i = 0; i < n; i++)
		flow_close(e, open[i], FC_END_CAPTURE, last, false);
	free(open);
}

void fc_engine_tick(struct fc_engine *e, int64_t now_us)
{
	for (uint32_t i = 0; i < e->nlive; i++) {
		struct fc_flow *f = e->live[i];

		for (int d = 0; d < 2; d++) {
			struct fc_half *h = &f->half[d];
			if (!half_waiting(h))
				continue;
			/* A direction this completes ends at the flow's next
			 * packet, or at the end of the capture. */
			fc_reasm_expire(h->r, f->packets, now_us, true);
		}
	}
}

const struct fc_engine_stats *fc_engine_stats(const struct fc_engine *e)
{
	/* Copies of counters kept elsewhere (IP fragments, the keep budget,
	 * reassembly), current at each call. */
	((struct fc_engine *)e)->st.ipfrag = *fc_ipfrag_stats(e->frag);
	((struct fc_engine *)e)->st.kept_cut_frames = e->keep_budget.frames_cut;
	((struct fc_engine *)e)->st.retransmitted_bytes = e->reasm_total.retransmitted_bytes;
	((struct fc_engine *)e)->st.forced_gaps = e->reasm_total.forced_gaps;
	return &e->st;
}

void fc_engine_free(struct fc_engine *e)
{
	if (!e)
		return;
	while (e->nlive) {
		struct fc_flow *f = e->live[e->nlive - 1];

		e->nlive--;
		flow_release(e, f);
	}
	while (e->closed_oldest) {
		struct fc_closed *r = e->closed_oldest;

		e->closed_oldest = r->newer;
		fc_pool_put(&e->closed_pool, r);
	}
	fc_pool_drain(&e->closed_pool);
	fc_pool_drain(&e->flow_pool);
	fc_pool_drain(&e->reasm_pool);
	fc_pool_drain(&e->dec_pool);
	for (uint32_t i = 0; i < FC_REASM_HISTORY_SIZES; i++)
		fc_pool_drain(&e->hist_pool[i]);
	free(e->live);
	fc_decoder_scratch_free(&e->scratch);
	fc_ipfrag_free(e->frag);
	slots_free(e->slots, e->nslots);
	free(e);
}
