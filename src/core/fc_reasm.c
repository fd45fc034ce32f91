/* fc_reasm.c - TCP reassembly of one stream direction.
 *
 *   offset = next + (int32)(seq - seq_of(next))     (wraps at 2^32)
 *
 *   new segment:        |=========================|
 *   buffered:                |n1|       |n2....|
 *   inserted pieces:    |===|    |=====|        |=|   (first copy wins)
 */
#include "fc_reasm.h"

#include <stdlib.h>
#include <string.h>

struct fc_ooo_node {
	struct fc_ooo_node *next;
	uint64_t off;
	uint32_t len; /* stream bytes covered */
	bool missing; /* bytes cut by the snaplen: a gap once reached */
	bool seg_start;
	struct fc_pkt pkt;
	uint8_t data[];
};

/* A node's cost against the budgets: its bytes plus its bookkeeping. */
static uint64_t node_cost(uint32_t data_len)
{
	return sizeof(struct fc_ooo_node) + data_len;
}

void fc_reasm_init(struct fc_reasm *r, uint64_t max_ooo,
		   struct fc_reasm_budget *budget,
		   const struct fc_reasm_ops *ops, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->max_ooo = max_ooo;
	r->budget = budget;
}

static void node_release(struct fc_reasm *r, struct fc_ooo_node *n)
{
	uint64_t c = node_cost(n->missing ? 0 : n->len);

	r->ooo_bytes -= c;
	if (r->budget)
		r->budget->used -= c;
	free(n);
}

void fc_reasm_free(struct fc_reasm *r)
{
	while (r->ooo) {
		struct fc_ooo_node *n = r->ooo;
		r->ooo = n->next;
		node_release(r, n);
	}
	free(r->hist);
	r->hist = NULL;
	r->hist_len = 0;
}

void fc_reasm_set_base(struct fc_reasm *r, uint32_t seq)
{
	if (r->have_base)
		return;
	r->have_base = true;
	r->base_seq = seq;
}

/* Signed stream offset of a sequence number, near what was delivered. */
static int64_t seq_offset(const struct fc_reasm *r, uint32_t seq)
{
	int32_t delta = (int32_t)(seq - (uint32_t)(r->base_seq + (uint32_t)r->next));
	return (int64_t)r->next + delta;
}

static void hist_append(struct fc_reasm *r, const uint8_t *p, uint32_t n)
{
	uint64_t at = r->next;

	if (!r->hist) {
		r->hist = malloc(FC_REASM_HISTORY);
		if (!r->hist)
			return;
	}
	if (n > FC_REASM_HISTORY) {
		p += n - FC_REASM_HISTORY;
		at += n - FC_REASM_HISTORY;
		n = FC_REASM_HISTORY;
	}
	while (n > 0) {
		uint32_t pos = (uint32_t)(at % FC_REASM_HISTORY);
		uint32_t run = FC_REASM_HISTORY - pos;
		if (run > n)
			run = n;
		memcpy(r->hist + pos, p, run);
		p += run;
		at += run;
		n -= run;
	}
}

static void deliver(struct fc_reasm *r, const uint8_t *p, uint32_t n,
		    const struct fc_pkt *pkt, bool seg_start)
{
	hist_append(r, p, n);
	r->ops->data(r->ctx, r->next, p, n, pkt, seg_start);
	r->next += n;
	if (!r->hist) { /* no memory for it: nothing to compare against */
		r->hist_len = 0;
		return;
	}
	r->hist_len = r->hist_len + n > FC_REASM_HISTORY ? FC_REASM_HISTORY
							  : r->hist_len + n;
}

static void declare_gap(struct fc_reasm *r, uint64_t n,
			const struct fc_pkt *pkt, const char *why)
{
	r->stats.gap_bytes += n;
	r->ops->gap(r->ctx, r->next, n, pkt, why);
	r->next += n;
	r->hist_len = 0; /* history must be the bytes right before next */
}

/* Bytes [off, off+n) at p repeat delivered data: compare what history
 * still holds. */
static void check_history(struct fc_reasm *r, uint64_t off, const uint8_t *p,
			  uint32_t n, const struct fc_pkt *pkt)
{
	uint64_t lo = r->next - r->hist_len, s, e;

	if (!r->hist || n == 0)
		return;
	s = off > lo ? off : lo;
	e = off + n < r->next ? off + n : r->next;
	for (uint64_t o = s; o < e; o++) {
		if (r->hist[o % FC_REASM_HISTORY] != p[o - off]) {
			r->stats.conflicts++;
			r->ops->conflict(r->ctx, o, e - o, pkt);
			return;
		}
	}
}

/* Hand on node n, already unlinked, which starts at or before next. */
static void drain_node(struct fc_reasm *r, struct fc_ooo_node *n)
{
	uint64_t end = n->off + n->len;

	if (r->fin_seen && end > r->fin_off)
		end = r->fin_off > n->off ? r->fin_off : n->off;
	if (end > r->next) {
		uint64_t skip = r->next - n->off;
		if (n->missing)
			declare_gap(r, end - r->next, &n->pkt,
				    "not captured: cut by the snaplen");
		else
			deliver(r, n->data + skip, (uint32_t)(end - r->next),
				&n->pkt, n->seg_start && skip == 0);
	}
	node_release(r, n);
}

/* Hand on every buffered node that is now in order. */
static void drain(struct fc_reasm *r)
{
	struct fc_ooo_node *n;

	while ((n = r->ooo) && n->off <= r->next) {
		r->ooo = n->next;
		drain_node(r, n);
	}
}

/* Captured bytes [off, off+n) at p repeat part of buffered node nd, which
 * was captured first: report the first difference. */
static void check_node(struct fc_reasm *r, const struct fc_ooo_node *nd,
		       uint64_t off, const uint8_t *p, uint64_t n,
		       const struct fc_pkt *pkt)
{
	if (nd->missing)
		return;
	for (uint64_t o = off; o < off + n; o++) {
		if (nd->data[o - nd->off] != p[o - off]) {
			r->stats.conflicts++;
			r->ops->conflict(r->ctx, o, off + n - o, pkt);
			return;
		}
	}
}

/* Give up the hole before the first buffered node. */
static void skip_hole(struct fc_reasm *r, const struct fc_pkt *pkt,
		      const char *why)
{
	if (r->ooo && r->ooo->off > r->next)
		declare_gap(r, r->ooo->off - r->next, pkt, why);
	drain(r);
}

static bool over_budget(const struct fc_reasm *r, uint64_t need)
{
	if (r->ooo_bytes + need > r->max_ooo)
		return true;
	return r->budget && r->budget->used + need > r->budget->max;
}

static bool insert_node(struct fc_reasm *r, struct fc_ooo_node **link,
			uint64_t off, const uint8_t *p, uint32_t n, bool missing,
			const struct fc_pkt *pkt, bool seg_start)
{
	uint64_t c = node_cost(missing ? 0 : n);
	struct fc_ooo_node *node = malloc(c);

	if (!node)
		return false;
	node->off = off;
	node->len = n;
	node->missing = missing;
	node->seg_start = seg_start;
	node->pkt = *pkt;
	if (!missing)
		memcpy(node->data, p, n);
	node->next = *link;
	*link = node;
	r->ooo_bytes += c;
	if (r->budget)
		r->budget->used += c;
	return true;
}

/* Buffer [off, off+wire) (captured bytes first, then missing ones) around
 * the nodes already buffered, which keep their bytes. Returns what the new
 * nodes cost; with commit false, only works that out (it may be several
 * nodes, one per free stretch) and changes nothing. */
static uint64_t buffer_segment(struct fc_reasm *r, uint64_t off, const uint8_t *p,
			       uint32_t captured, uint32_t wire,
			       const struct fc_pkt *pkt, bool seg_start, bool commit)
{
	struct fc_ooo_node **link = &r->ooo;
	uint64_t cur = off, end = off + wire, cap_end = off + captured, cost = 0;

	while (cur < end) {
		struct fc_ooo_node *n = *link;
		uint64_t stop;

		if (n && n->off + n->len <= cur) {
			link = &n->next;
			continue;
		}
		stop = n && n->off < end ? n->off : end;
		while (cur < stop) { /* a free stretch: data part, then missing */
			bool miss = cur >= cap_end;
			uint64_t piece_end = miss || stop <= cap_end ? stop : cap_end;
			cost += node_cost(miss ? 0 : (uint32_t)(piece_end - cur));
			if (commit) {
				if (!insert_node(r, link, cur, miss ? NULL : p + (cur - off),
						 (uint32_t)(piece_end - cur), miss, pkt,
						 seg_start && cur == off))
					return cost;
				link = &(*link)->next;
			}
			cur = piece_end;
		}
		if (!n || n->off >= end)
			break;
		/* Overlap with a buffered node: it was captured first. */
		uint64_t ov_end = n->off + n->len < end ? n->off + n->len : end;
		if (commit) {
			if (cur < cap_end)
				check_node(r, n, cur, p + (cur - off),
					   (ov_end < cap_end ? ov_end : cap_end) - cur, pkt);
			r->stats.retransmitted_bytes += ov_end - cur;
		}
		cur = ov_end;
		link = &n->next;
	}
	return cost;
}

void fc_reasm_segment(struct fc_reasm *r, uint32_t seq, const uint8_t *p,
		      uint32_t captured, uint32_t wire_len,
		      const struct fc_pkt *pkt)
{
	bool seg_start = true;
	int64_t off, end;

	if (!r->have_base)
		fc_reasm_set_base(r, seq);
	if (captured > wire_len)
		captured = wire_len;
again:
	if (wire_len == 0)
		return;
	off = seq_offset(r, seq);
	end = off + wire_len;
	if (end <= 0) {
		r->stats.before_start_bytes += wire_len;
		return;
	}
	if (off < 0) { /* starts before offset 0: keep the part after it */
		uint32_t k = (uint32_t)-off;
		r->stats.before_start_bytes += k;
		p += k < captured ? k : captured;
		captured = k < captured ? captured - k : 0;
		wire_len -= k;
		seq += k;
		off = 0;
		seg_start = false;
	}
	if (r->fin_seen) { /* nothing after a FIN counts */
		if ((uint64_t)off >= r->fin_off)
			return;
		if ((uint64_t)end > r->fin_off) {
			wire_len = (uint32_t)(r->fin_off - (uint64_t)off);
			if (captured > wire_len)
				captured = wire_len;
			end = off + wire_len;
		}
	}
	if ((uint64_t)off < r->next) { /* repeats delivered bytes */
		uint64_t ov = ((uint64_t)end < r->next ? (uint64_t)end : r->next) - (uint64_t)off;
		check_history(r, (uint64_t)off, p, ov < captured ? (uint32_t)ov : captured, pkt);
		r->stats.retransmitted_bytes += ov;
		if ((uint64_t)end <= r->next)
			return;
		p += ov < captured ? ov : captured;
		captured = ov < captured ? captured - (uint32_t)ov : 0;
		wire_len -= (uint32_t)ov;
		seq += (uint32_t)ov;
		off = (int64_t)r->next;
		seg_start = false;
	}

	/* In order: pass the bytes on without copying, up to the first
	 * buffered node. Where the segment repeats that node, the node was
	 * captured first and wins; hand it on and carry on after it. */
	while (wire_len > 0 && (uint64_t)off == r->next) {
		struct fc_ooo_node *n = r->ooo; /* n->off > next: drained */
		uint32_t take = wire_len, cap, ov;

		if (n && n->off - r->next < take)
			take = (uint32_t)(n->off - r->next);
		cap = captured < take ? captured : take;
		if (cap)
			deliver(r, p, cap, pkt, seg_start);
		if (take > cap)
			declare_gap(r, take - cap, pkt,
				    "not captured: cut by the snaplen");
		p += cap;
		captured -= cap;
		wire_len -= take;
		off += take;
		if (take)
			seg_start = false;
		if (wire_len == 0)
			break;
		ov = n->len < wire_len ? n->len : wire_len;
		check_node(r, n, (uint64_t)off, p, ov < captured ? ov : captured, pkt);
		r->stats.retransmitted_bytes += ov;
		p += ov < captured ? ov : captured;
		captured = ov < captured ? captured - ov : 0;
		wire_len -= ov;
		off += ov;
		seg_start = false;
		r->ooo = n->next;
		drain_node(r, n);
	}
	drain(r);
	if (wire_len == 0)
		return;

	/* Out of order: copy it aside, if both budgets allow. If not, give up
	 * the first hole, up to this segment or to the first buffered node,
	 * whichever comes first, and look again: either the segment is now in
	 * order and needs no buffer, or buffered bytes went out and freed some. */
	uint64_t need = buffer_segment(r, (uint64_t)off, p, captured, wire_len,
				       pkt, seg_start, false);
	if (over_budget(r, need)) {
		uint64_t to = r->ooo && r->ooo->off < (uint64_t)off ? r->ooo->off
								    : (uint64_t)off;
		r->stats.forced_gaps++;
		declare_gap(r, to - r->next, pkt, "out-of-order buffer full");
		drain(r);
		goto again; /* next moved: re-trim against it */
	}
	r->stats.ooo_segments++;
	buffer_segment(r, (uint64_t)off, p, captured, wire_len, pkt, seg_start, true);
}

void fc_reasm_fin(struct fc_reasm *r, uint32_t seq)
{
	int64_t off;

	if (!r->have_base)
		fc_reasm_set_base(r, seq);
	off = seq_offset(r, seq);
	if (off < (int64_t)r->next)
		off = (int64_t)r->next;
	if (!r->fin_seen || (uint64_t)off < r->fin_off) {
		struct fc_ooo_node **link = &r->ooo;

		r->fin_seen = true;
		r->fin_off = (uint64_t)off;
		/* Nothing after the FIN counts: drop what was buffered there
		 * (a node straddling it is cut when drained). */
		while (*link && (*link)->off < r->fin_off)
			link = &(*link)->next;
		while (*link) {
			struct fc_ooo_node *n = *link;
			*link = n->next;
			node_release(r, n);
		}
	}
}

void fc_reasm_ack(struct fc_reasm *r, uint32_t ack, const struct fc_pkt *pkt)
{
	static const char why[] = "acknowledged by the peer but not captured";
	int64_t a;

	if (!r->have_base)
		return;
	a = seq_offset(r, ack);
	if (r->fin_seen && a > (int64_t)r->fin_off)
		a = (int64_t)r->fin_off; /* the FIN itself takes a sequence number */
	/* An ACK far ahead is not about this data (a challenge ACK answering
	 * a stray SYN, a corrupt packet): only a plausible window counts. */
	if (a <= (int64_t)r->next || a - (int64_t)r->next > FC_REASM_ACK_GAP_MAX)
		return;
	while (r->next < (uint64_t)a) {
		uint64_t hole_end = r->ooo && r->ooo->off < (uint64_t)a ? r->ooo->off
									 : (uint64_t)a;
		if (hole_end > r->next)
			declare_gap(r, hole_end - r->next, pkt, why);
		drain(r);
	}
}

void fc_reasm_flush(struct fc_reasm *r, const struct fc_pkt *pkt)
{
	static const char why[] = "never captured";

	while (r->ooo)
		skip_hole(r, pkt, why);
	if (r->fin_seen && r->next < r->fin_off)
		declare_gap(r, r->fin_off - r->next, pkt, why);
}
