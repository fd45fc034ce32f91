/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_reasm.h - TCP reassembly of one stream direction.
 *
 *   sequence space (32-bit, wraps)  ->  stream offsets (64-bit, from 0)
 *
 *   delivered          next       out-of-order buffer (disjoint pieces)
 *   ..........|--------|  hole  |[piece][piece]   |[piece]
 *                               ^ list in offset order, and an AVL tree
 *                                 over the same pieces to find where a
 *                                 segment goes in O(log pieces)
 *
 *   acknowledged holes:  wait[0] = {off, at packet, time}, wait[1], ...
 *
 * Bytes are handed on in stream order, each piece from exactly one packet.
 * The first captured copy of a byte wins; a later copy that differs is a
 * retransmit conflict. A packet whose bytes all came before (delivered, or
 * buffered out of order) is told as one `repeat`, so that front ends can
 * show it; zero-length segments (ACKs) never reach reassembly. In-order data is passed through without copying;
 * only out-of-order data is copied, within a per-direction byte budget, a
 * per-direction piece cap and a shared byte budget.
 *
 * A hole becomes a gap once the stream has moved past it: the budget or
 * the piece cap ran out, the stream ended, or the peer acknowledged bytes
 * beyond it and the capture then went on without them for a while (the
 * ACK window). The wait is there because captures often record an ACK
 * before the data it covers (two taps merged, multi-queue timestamps):
 * data arriving inside the window fills the hole as if it had come first.
 */
#ifndef FC_REASM_H
#define FC_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "fc_event.h"

/* Where a retransmission first differs from what was captured first. */
struct fc_reasm_conflict {
	uint64_t off;
	uint64_t len; /* bytes from off to the end of the overlap; 0: none */
};

struct fc_reasm_ops {
	/* In-order bytes [p, p+n) at stream offset off, from packet pkt.
	 * seg_start: they are the start of that packet's payload. */
	void (*data)(void *ctx, uint64_t off, const uint8_t *p, uint32_t n,
		     const struct fc_pkt *pkt, bool seg_start);
	/* Bytes [off, off+n) will never be delivered. */
	void (*gap)(void *ctx, uint64_t off, uint64_t n,
		    const struct fc_pkt *pkt, const char *why);
	/* Packet pkt repeats bytes at off with different content. */
	void (*conflict)(void *ctx, uint64_t off, uint64_t n,
			 const struct fc_pkt *pkt);
	/* Packet pkt repeats n stream bytes that were delivered or buffered
	 * before (optional). With `whole`, it carries no new byte: [off,
	 * off+n) is all of it, and a difference from the first copy comes in
	 * *c (c->len 0: none) instead of a conflict call, so that the front
	 * end gets both as one. Without, it comes before the packet's new
	 * bytes are handed on, and n counts its old bytes (off: the first). */
	void (*repeat)(void *ctx, uint64_t off, uint64_t n, bool whole,
		       const struct fc_reasm_conflict *c, const struct fc_pkt *pkt);
};

/* Budget for out-of-order bytes shared by every direction of an engine. */
struct fc_reasm_budget {
	uint64_t used;
	uint64_t max;
};

struct fc_reasm_stats {
	uint64_t ooo_segments; /* segments that arrived ahead of a hole */
	uint64_t retransmitted_bytes; /* bytes seen again, dropped */
	uint64_t conflicts;
	uint64_t gap_bytes;
	uint64_t forced_gaps; /* holes given up because a budget ran out */
	uint64_t before_start_bytes; /* bytes before offset 0, dropped */
};

struct fc_ooo_node;

#define FC_REASM_HISTORY 512 /* bytes kept to check retransmissions */
#define FC_REASM_HISTORY_STEP 32 /* ... in a ring that grows by this (a
				   * malloc granule's multiple: little slack) */
_Static_assert(FC_REASM_HISTORY <= UINT16_MAX, "hist_cap and hist_len are 16 bits");
#define FC_REASM_HISTORY_SIZES (FC_REASM_HISTORY / FC_REASM_HISTORY_STEP)
/* The furthest an ACK may run ahead of the data seen to make a gap. */
#define FC_REASM_ACK_GAP_MAX (16 << 20)
/* Acknowledged holes waiting at once, each with its own window; more
 * are merged into the newest, which then waits from the latest ACK (the
 * older holes in it may wait longer, never less). */
#define FC_REASM_ACK_WAITS 16
/* Pieces buffered per direction: the usual fc_reasm_shared.max_pieces. */
#define FC_REASM_DEFAULT_MAX_PIECES 65536u

/* How long an acknowledged hole waits for its data: it becomes a gap once
 * `packets` more packets of the connection AND `us` microseconds of capture
 * time have gone by since the ACK (both 0: at once, on the ACK). */
struct fc_reasm_window {
	uint64_t packets;
	uint64_t us;
};

/* A hole the peer acknowledged, up to offset `off`, first at `pkt`, the
 * connection's `conn_pkts`-th packet. */
struct fc_reasm_ack_wait {
	uint64_t off;
	uint64_t conn_pkts;
	struct fc_pkt pkt;
};

/* Allocated at a direction's first acknowledged hole that waits: most
 * directions never have one. Slots by offset. */
struct fc_reasm_waits {
	uint32_t n;
	struct fc_reasm_ack_wait slot[FC_REASM_ACK_WAITS];
};

struct fc_pool;

/* What many directions share (an engine's), kept by each direction as a
 * pointer (24 bytes less per direction than copies: 50,000 open
 * connections must fit in 64 MiB): the callbacks; the out-of-order
 * budget of all directions (NULL: none) and of each; the most buffered
 * pieces per direction; the ACK window; the history rings' spares, one
 * pool per size (FC_REASM_HISTORY / FC_REASM_HISTORY_STEP of them, the
 * smallest first; NULL: malloc and free); and where a direction without
 * memory for its own counters counts (spill: the engine's; NULL: not
 * counted). */
struct fc_reasm_shared {
	const struct fc_reasm_ops *ops;
	struct fc_reasm_budget *budget;
	uint64_t max_ooo;
	uint32_t max_pieces;
	struct fc_reasm_window window;
	struct fc_pool *hist_pool;
	struct fc_reasm_stats *spill;
};

/* What a direction needs once its stream is not plain in-order data:
 * pieces buffered out of order, acknowledged holes, and the counters of
 * what reassembly repaired or dropped. */
struct fc_reasm_rare {
	struct fc_ooo_node *ooo; /* list sorted by offset, disjoint */
	struct fc_ooo_node *root; /* the same pieces as an AVL tree */
	uint64_t ooo_bytes;
	uint32_t npieces;
	struct fc_reasm_waits *waits; /* acknowledged holes, or NULL */
	struct fc_reasm_stats stats;
};

/* One direction: one cache line. Most directions of most connections
 * only ever deliver in order, and 50,000 open connections were 136
 * bytes each here, three or four lines touched by every segment: what
 * only repairs need (struct fc_reasm_rare) is allocated at the first
 * repair. */
struct fc_reasm {
	const struct fc_reasm_shared *shared;
	void *ctx;
	uint64_t next; /* next stream offset to deliver */
	uint64_t fin_off;
	uint8_t *hist; /* ring indexed by offset % hist_cap */
	/* Never NULL: a shared empty one (read only) until the first
	 * repair needs its own (rare_own). */
	struct fc_reasm_rare *rare;
	uint32_t base_seq; /* sequence number of stream offset 0 */
	/* 16 bits each (FC_REASM_HISTORY fits). */
	uint16_t hist_cap; /* its size, up to FC_REASM_HISTORY */
	uint16_t hist_len; /* valid bytes just before next */
	bool have_base;
	bool fin_seen;
	bool hist_acked; /* the peer acknowledged all hist holds (deliver()) */
};
_Static_assert(sizeof(struct fc_reasm) <= 64, "a direction's reassembler is one cache line");

/* Allocates nothing. *shared is kept, not copied: it must outlive r, and
 * a change to it applies to r from then on. ctx is handed to its ops. */
void fc_reasm_init(struct fc_reasm *r, const struct fc_reasm_shared *shared, void *ctx);

/* Frees buffered data without delivering it. */
void fc_reasm_free(struct fc_reasm *r);

/* Stream offset 0 is sequence number seq (the SYN's sequence + 1). Ignored
 * once a base is set. */
void fc_reasm_set_base(struct fc_reasm *r, uint32_t seq);

/* A segment: seq, `captured` payload bytes at p, `wire_len` bytes on the
 * wire (more than captured when the snaplen cut it; the rest is a gap).
 * Without a base yet, seq becomes offset 0 (a mid-stream start). */
void fc_reasm_segment(struct fc_reasm *r, uint32_t seq, const uint8_t *p,
		      uint32_t captured, uint32_t wire_len,
		      const struct fc_pkt *pkt);

/* FIN at sequence number seq (the byte after the last data byte). */
void fc_reasm_fin(struct fc_reasm *r, uint32_t seq);

/* The peer acknowledged everything before sequence number ack, in pkt, the
 * connection's conn_pkts-th packet: holes below it are waiting for late
 * data; with a zero window they become gaps now. */
void fc_reasm_ack(struct fc_reasm *r, uint32_t ack, const struct fc_pkt *pkt,
		  uint64_t conn_pkts);

/* The connection is at its conn_pkts-th packet, at capture time now_us:
 * acknowledged holes whose window has passed become gaps (each reported at
 * the packet that acknowledged it). With `idle`, no packet came (a live
 * capture's clock): only the time counts. */
void fc_reasm_expire(struct fc_reasm *r, uint64_t conn_pkts, int64_t now_us,
		     bool idle);

/* The connection is closing: every acknowledged hole becomes a gap now. */
void fc_reasm_end_waits(struct fc_reasm *r);

/* Some acknowledged hole is waiting for late data. */
static inline bool fc_reasm_waiting(const struct fc_reasm *r)
{
	return r->rare->waits && r->rare->waits->n > 0;
}

/* The direction's counters so far (all 0 until it needed a repair). */
static inline const struct fc_reasm_stats *fc_reasm_stats(const struct fc_reasm *r)
{
	return &r->rare->stats;
}

/* Out-of-order pieces buffered, and what they cost against the budgets
 * (their bytes and bookkeeping). */
static inline uint32_t fc_reasm_pieces(const struct fc_reasm *r)
{
	return r->rare->npieces;
}

static inline uint64_t fc_reasm_buffered(const struct fc_reasm *r)
{
	return r->rare->ooo_bytes;
}

/* The stream is over: every hole becomes a gap (acknowledged ones at the
 * packet that acknowledged them), everything buffered is delivered, up to
 * the FIN if one was seen. */
void fc_reasm_flush(struct fc_reasm *r, const struct fc_pkt *pkt);

/* All data up to the FIN has been delivered. */
static inline bool fc_reasm_done(const struct fc_reasm *r)
{
	return r->fin_seen && r->next >= r->fin_off;
}

#endif
