/* fc_reasm.h - TCP reassembly of one stream direction.
 *
 *   sequence space (32-bit, wraps)  ->  stream offsets (64-bit, from 0)
 *
 *   delivered          next       out-of-order buffer (sorted, disjoint)
 *   ..........|--------|  hole  |[node][node]   |[node]
 *
 * Bytes are handed on in stream order, each piece from exactly one packet.
 * The first captured copy of a byte wins; a later copy that differs is a
 * retransmit conflict. In-order data is passed through without copying;
 * only out-of-order data is copied, within a per-direction and a shared
 * byte budget. A hole becomes a gap once the stream has moved past it: the
 * peer acknowledged bytes beyond it, the budget ran out, or the stream ended.
 */
#ifndef FC_REASM_H
#define FC_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "fc_event.h"

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
/* The furthest an ACK may run ahead of the data seen to make a gap. */
#define FC_REASM_ACK_GAP_MAX (16 << 20)

struct fc_reasm {
	const struct fc_reasm_ops *ops;
	void *ctx;
	uint64_t max_ooo; /* per-direction budget */
	struct fc_reasm_budget *budget;

	bool have_base;
	uint32_t base_seq; /* sequence number of stream offset 0 */
	uint64_t next; /* next stream offset to deliver */
	bool fin_seen;
	uint64_t fin_off;

	struct fc_ooo_node *ooo; /* sorted by offset, disjoint */
	uint64_t ooo_bytes;

	uint8_t *hist; /* ring indexed by offset % FC_REASM_HISTORY */
	uint32_t hist_len; /* valid bytes just before next */

	struct fc_reasm_stats stats;
};

/* Allocates nothing; max_ooo is the per-direction out-of-order budget. */
void fc_reasm_init(struct fc_reasm *r, uint64_t max_ooo,
		   struct fc_reasm_budget *budget,
		   const struct fc_reasm_ops *ops, void *ctx);

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

/* The peer acknowledged everything before sequence number ack: holes below
 * it were lost by the capture, so they become gaps now. */
void fc_reasm_ack(struct fc_reasm *r, uint32_t ack, const struct fc_pkt *pkt);

/* The stream is over: every hole becomes a gap, everything buffered is
 * delivered, up to the FIN if one was seen. */
void fc_reasm_flush(struct fc_reasm *r, const struct fc_pkt *pkt);

/* All data up to the FIN has been delivered. */
static inline bool fc_reasm_done(const struct fc_reasm *r)
{
	return r->fin_seen && r->next >= r->fin_off;
}

#endif
