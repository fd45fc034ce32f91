/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_reasm.c - TCP reassembly of one stream direction.
 *
 *   offset = next + (int32)(seq - seq_of(next))     (wraps at 2^32)
 *
 *   new segment:        |=========================|
 *   buffered:                |n1|       |n2....|
 *   inserted pieces:    |===|    |=====|        |=|   (first copy wins)
 *
 *   repeated bytes (before next, or buffered) counted first: all of the
 *   segment -> one ops->repeat(whole), its conflict held for it; some ->
 *   ops->repeat(n) before its new bytes go on
 *
 *   pieces: list  ooo -> n1 -> n2 -> ...   (walked from where a segment
 *           tree        n2                  starts: the tree finds that
 *                     /    \                piece in O(log pieces))
 *                   n1      n3
 *
 * A segment walks only the pieces it overlaps, and each of those costs at
 * least one of its bytes, so buffering is O(log pieces + segment bytes)
 * whatever the order the segments come in. The tree is an AVL tree keyed
 * by offset (pieces are disjoint: keys are distinct); pieces only ever
 * leave it from either end (drained in order, or cut off by a FIN).
 */
#include "fc_reasm.h"
#include "fc_pool.h"

#include <stdlib.h>
#include <string.h>

struct fc_ooo_node {
	struct fc_ooo_node *next; /* list, by offset */
	struct fc_ooo_node *left, *right; /* tree, by offset */
	uint64_t off;
	uint32_t len; /* stream bytes covered */
	uint8_t height; /* of its subtree; a leaf is 1 */
	bool missing; /* bytes cut by the snaplen: a gap once reached */
	bool seg_start;
	struct fc_pkt pkt;
	uint8_t data[];
};

/* --- AVL tree of pieces ------------------------------------------------ */

static unsigned height(const struct fc_ooo_node *n)
{
	return n ? n->height : 0;
}

static void fix_height(struct fc_ooo_node *n)
{
	unsigned l = height(n->left), r = height(n->right);

	n->height = (uint8_t)((l > r ? l : r) + 1);
}

/* Rotate n's subtree: its left child becomes the root (a right rotation,
 * to_right) or its right child does; returns the new root. */
static struct fc_ooo_node *rotate(struct fc_ooo_node *n, bool to_right)
{
	struct fc_ooo_node **up = to_right ? &n->left : &n->right;
	struct fc_ooo_node *c = *up;
	struct fc_ooo_node **inner = to_right ? &c->right : &c->left;

	*up = *inner;
	*inner = n;
	fix_height(n);
	fix_height(c);
	return c;
}

/* Restore the AVL rule at n, whose subtrees differ in height by at most 2
 * and are themselves balanced; returns the subtree's new root. */
static struct fc_ooo_node *rebalance(struct fc_ooo_node *n)
{
	int bal = (int)height(n->left) - (int)height(n->right);

	if (bal > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate(n->left, false);
		return rotate(n, true);
	}
	if (bal < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate(n->right, true);
		return rotate(n, false);
	}
	fix_height(n);
	return n;
}

/* Recursion depth is the tree's height: at most 1.44 log2(pieces). */
static struct fc_ooo_node *tree_insert(struct fc_ooo_node *t, struct fc_ooo_node *n)
{
	if (!t) {
		n->left = n->right = NULL;
		n->height = 1;
		return n;
	}
	if (n->off < t->off)
		t->left = tree_insert(t->left, n);
	else
		t->right = tree_insert(t->right, n);
	return rebalance(t);
}

/* Unlink the lowest piece of non-empty t (it is the list's head). */
static struct fc_ooo_node *tree_remove_min(struct fc_ooo_node *t)
{
	if (!t->left)
		return t->right;
	t->left = tree_remove_min(t->left);
	return rebalance(t);
}

/* Unlink the highest piece of non-empty t. */
static struct fc_ooo_node *tree_remove_max(struct fc_ooo_node *t)
{
	if (!t->right)
		return t->left;
	t->right = tree_remove_max(t->right);
	return rebalance(t);
}

/* The last piece starting at or before off, or NULL. */
static struct fc_ooo_node *tree_floor(struct fc_ooo_node *t, uint64_t off)
{
	struct fc_ooo_node *best = NULL;

	while (t) {
		if (t->off <= off) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

/* A node's cost against the budgets: its bytes plus its bookkeeping. */
static uint64_t node_cost(uint32_t data_len)
{
	return sizeof(struct fc_ooo_node) + data_len;
}

/* Every direction's rare part until it needs its own: nothing buffered,
 * nothing waiting, nothing counted. Read only: whatever writes to it
 * must take its own first (rare_own). */
static const struct fc_reasm_rare no_rare;

void fc_reasm_init(struct fc_reasm *r, const struct fc_reasm_shared *shared, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->shared = shared;
	r->ctx = ctx;
	r->rare = (struct fc_reasm_rare *)&no_rare;
}

static bool rare_owned(const struct fc_reasm *r)
{
	return r->rare != &no_rare;
}

/* r's own rare part, made (empty) at the first repair; NULL without
 * memory, and r goes on without one. */
static struct fc_reasm_rare *rare_own(struct fc_reasm *r)
{
	struct fc_reasm_rare *x;

	if (rare_owned(r))
		return r->rare;
	x = calloc(1, sizeof(*x));
	if (x)
		r->rare = x;
	return x;
}

/* Where r counts: its own rare part (made at the first count), or,
 * without memory for one, the engine's spill, so that the totals stay
 * right (NULL: nowhere). */
static struct fc_reasm_stats *counters(struct fc_reasm *r)
{
	struct fc_reasm_rare *x = rare_own(r);

	return x ? &x->stats : r->shared->spill;
}

/* Add n to r's counter `field`; 0 allocates nothing. */
#define COUNT(r, field, n)                                              \
	do {                                                            \
		uint64_t count_n_ = (n);                                \
		struct fc_reasm_stats *count_st_;                       \
		if (count_n_ && (count_st_ = counters(r)) != NULL)      \
			count_st_->field += count_n_;                   \
	} while (0)

static void node_release(struct fc_reasm *r, struct fc_ooo_node *n)
{
	uint64_t c = node_cost(n->missing ? 0 : n->len);

	r->rare->ooo_bytes -= c;
	r->rare->npieces--;
	if (r->shared->budget)
		r->shared->budget->used -= c;
	free(n);
}

/* Take the lowest piece out of the list and the tree. */
static struct fc_ooo_node *pop_first(struct fc_reasm *r)
{
	struct fc_ooo_node *n = r->rare->ooo;

	r->rare->ooo = n->next;
	r->rare->root = tree_remove_min(r->rare->root);
	return n;
}

/* A ring of cap bytes (a multiple of FC_REASM_HISTORY_STEP) from the
 * engine's spares of that size, or malloc's; NULL without memory. */
static uint8_t *hist_get(const struct fc_reasm *r, uint32_t cap)
{
	struct fc_pool *pool = r->shared->hist_pool;

	return pool && cap ? fc_pool_get(&pool[cap / FC_REASM_HISTORY_STEP - 1]) : malloc(cap);
}

/* Give the ring back where hist_get found it. */
static void hist_put(const struct fc_reasm *r)
{
	struct fc_pool *pool = r->shared->hist_pool;

	if (pool && r->hist && r->hist_cap)
		fc_pool_put(&pool[r->hist_cap / FC_REASM_HISTORY_STEP - 1], r->hist);
	else
		free(r->hist);
}

/* No history ring, nothing to compare retransmissions against. */
static void hist_free(struct fc_reasm *r)
{
	hist_put(r);
	r->hist = NULL;
	r->hist_len = 0;
	r->hist_cap = 0;
}

void fc_reasm_free(struct fc_reasm *r)
{
	if (rare_owned(r)) {
		while (r->rare->ooo) {
			struct fc_ooo_node *n = r->rare->ooo;
			r->rare->ooo = n->next;
			node_release(r, n);
		}
		free(r->rare->waits);
		free(r->rare);
		r->rare = (struct fc_reasm_rare *)&no_rare;
	}
	hist_free(r);
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

/* Copy n bytes of stream offset `at` between a ring of `cap` bytes and a
 * flat buffer, in at most two runs: to the ring (`in`) or out of it. */
static void ring_copy(uint8_t *ring, uint32_t cap, uint64_t at, uint8_t *flat,
		      uint32_t n, bool in)
{
	while (n > 0) {
		uint32_t pos = (uint32_t)(at % cap);
		uint32_t run = cap - pos;

		if (run > n)
			run = n;
		if (in)
			memcpy(ring + pos, flat, run);
		else
			memcpy(flat, ring + pos, run);
		flat += run;
		at += run;
		n -= run;
	}
}

/* Make the history ring hold `need` (<= FC_REASM_HISTORY) bytes: it grows
 * in steps of FC_REASM_HISTORY_STEP as the stream does, since most directions of
 * small connections never carry FC_REASM_HISTORY bytes. The bytes kept
 * move to their place in the larger ring. False without memory (the ring
 * is then gone: nothing to compare against). */
static bool hist_reserve(struct fc_reasm *r, uint32_t need)
{
	uint8_t kept[FC_REASM_HISTORY];
	uint32_t cap;
	uint8_t *n;

	if (r->hist && need <= r->hist_cap)
		return true;
	cap = (need + FC_REASM_HISTORY_STEP - 1) / FC_REASM_HISTORY_STEP * FC_REASM_HISTORY_STEP;
	if (cap > FC_REASM_HISTORY)
		cap = FC_REASM_HISTORY;
	if (!r->hist)
		r->hist_len = 0;
	ring_copy(r->hist, r->hist_cap, r->next - r->hist_len, kept, r->hist_len, false);
	hist_put(r);
	n = hist_get(r, cap);
	r->hist = n;
	r->hist_cap = n ? (uint16_t)cap : 0;
	if (!n) {
		r->hist_len = 0;
		return false;
	}
	ring_copy(n, cap, r->next - r->hist_len, kept, r->hist_len, true);
	return true;
}

static void hist_append(struct fc_reasm *r, const uint8_t *p, uint32_t n)
{
	uint64_t at = r->next;
	uint32_t need = r->hist_len + n < FC_REASM_HISTORY ? r->hist_len + n
							   : FC_REASM_HISTORY;

	if (!hist_reserve(r, need))
		return;
	if (n > r->hist_cap) {
		p += n - r->hist_cap;
		at += n - r->hist_cap;
		n = r->hist_cap;
	}
	ring_copy(r->hist, r->hist_cap, at, (uint8_t *)p, n, true);
}

static void deliver(struct fc_reasm *r, const uint8_t *p, uint32_t n,
		    const struct fc_pkt *pkt, bool seg_start)
{
	/* The peer acknowledged all the ring holds, and the sender moved on:
	 * the ring is given back (it comes again, sized to the new bytes).
	 * Most directions are a request or a reply acknowledged before the
	 * next, and holding up to FC_REASM_HISTORY bytes of each of 50,000
	 * open connections was a quarter of their memory. Until new bytes
	 * come, acknowledged ones are still compared: a copy injected ahead
	 * of the real one is acknowledged before the real one arrives. A
	 * direction that retransmitted keeps its ring, to compare the next
	 * copies too. */
	if (r->hist_acked) {
		r->hist_acked = false;
		if (!r->rare->stats.retransmitted_bytes && !r->rare->stats.conflicts)
			hist_free(r);
	}
	hist_append(r, p, n);
	r->shared->ops->data(r->ctx, r->next, p, n, pkt, seg_start);
	r->next += n;
	if (!r->hist) { /* no memory for it: nothing to compare against */
		r->hist_len = 0;
		return;
	}
	r->hist_len = r->hist_len + n > FC_REASM_HISTORY ? (uint16_t)FC_REASM_HISTORY
							  : (uint16_t)(r->hist_len + n);
}

static void declare_gap(struct fc_reasm *r, uint64_t n,
			const struct fc_pkt *pkt, const char *why)
{
	COUNT(r, gap_bytes, n);
	r->shared->ops->gap(r->ctx, r->next, n, pkt, why);
	r->next += n;
	r->hist_len = 0; /* history must be the bytes right before next */
}

/* Bytes from off on, n of them, differ from the first copy, in pkt: told
 * now, or kept in *hold for the packet's repeat, which carries one (the
 * first: a count of conflicts is a count of findings reported). */
static void found_conflict(struct fc_reasm *r, struct fc_reasm_conflict *hold,
			   uint64_t off, uint64_t n, const struct fc_pkt *pkt)
{
	if (!hold) {
		COUNT(r, conflicts, 1);
		r->shared->ops->conflict(r->ctx, off, n, pkt);
	} else if (!hold->len) {
		COUNT(r, conflicts, 1);
		hold->off = off;
		hold->len = n;
	}
}

/* Bytes [off, off+n) at p repeat delivered data: compare what history
 * still holds. */
static void check_history(struct fc_reasm *r, uint64_t off, const uint8_t *p,
			  uint32_t n, const struct fc_pkt *pkt,
			  struct fc_reasm_conflict *hold)
{
	uint64_t lo = r->next - r->hist_len, s, e;

	if (!r->hist || n == 0)
		return;
	s = off > lo ? off : lo;
	e = off + n < r->next ? off + n : r->next;
	for (uint64_t o = s; o < e; o++) {
		if (r->hist[o % r->hist_cap] != p[o - off]) {
			found_conflict(r, hold, o, e - o, pkt);
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

	while ((n = r->rare->ooo) && n->off <= r->next)
		drain_node(r, pop_first(r));
}

/* Captured bytes [off, off+n) at p repeat part of buffered node nd, which
 * was captured first: report the first difference. */
static void check_node(struct fc_reasm *r, const struct fc_ooo_node *nd,
		       uint64_t off, const uint8_t *p, uint64_t n,
		       const struct fc_pkt *pkt, struct fc_reasm_conflict *hold)
{
	if (nd->missing)
		return;
	for (uint64_t o = off; o < off + n; o++) {
		if (nd->data[o - nd->off] != p[o - off]) {
			found_conflict(r, hold, o, off + n - o, pkt);
			return;
		}
	}
}

/* Give up the hole before the first buffered node. */
static void skip_hole(struct fc_reasm *r, const struct fc_pkt *pkt,
		      const char *why)
{
	if (r->rare->ooo && r->rare->ooo->off > r->next)
		declare_gap(r, r->rare->ooo->off - r->next, pkt, why);
	drain(r);
}

static bool over_budget(const struct fc_reasm *r, uint64_t need,
			uint64_t pieces)
{
	if (r->rare->ooo_bytes + need > r->shared->max_ooo)
		return true;
	if (r->rare->npieces + pieces > r->shared->max_pieces)
		return true;
	return r->shared->budget && r->shared->budget->used + need > r->shared->budget->max;
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
	r->rare->root = tree_insert(r->rare->root, node);
	r->rare->npieces++;
	r->rare->ooo_bytes += c;
	if (r->shared->budget)
		r->shared->budget->used += c;
	return true;
}

/* Captured bytes [cur, ov_end) of the segment (captured up to cap_end,
 * bytes at p from off) repeat buffered node n, which was captured first. */
static void overlap_node(struct fc_reasm *r, const struct fc_ooo_node *n,
			 uint64_t cur, uint64_t ov_end, uint64_t off,
			 uint64_t cap_end, const uint8_t *p,
			 const struct fc_pkt *pkt, struct fc_reasm_conflict *hold)
{
	if (cur < cap_end)
		check_node(r, n, cur, p + (cur - off),
			   (ov_end < cap_end ? ov_end : cap_end) - cur, pkt, hold);
	COUNT(r, retransmitted_bytes, ov_end - cur);
}

/* Buffer [off, off+wire) (captured bytes first, then missing ones) around
 * the nodes already buffered, which keep their bytes. Returns what the new
 * nodes cost, and their number in *pieces; with commit false, only works
 * that out (it may be several nodes, one per free stretch) and changes
 * nothing. Walks only the nodes the segment overlaps. */
static uint64_t buffer_segment(struct fc_reasm *r, uint64_t off, const uint8_t *p,
			       uint32_t captured, uint32_t wire,
			       const struct fc_pkt *pkt, bool seg_start, bool commit,
			       uint64_t *pieces, struct fc_reasm_conflict *hold)
{
	struct fc_ooo_node *fl = tree_floor(r->rare->root, off);
	struct fc_ooo_node **link = fl ? &fl->next : &r->rare->ooo;
	uint64_t cur = off, end = off + wire, cap_end = off + captured, cost = 0;

	*pieces = 0;
	if (fl && fl->off + fl->len > cur) { /* starts inside fl */
		uint64_t ov_end = fl->off + fl->len < end ? fl->off + fl->len : end;
		if (commit)
			overlap_node(r, fl, cur, ov_end, off, cap_end, p, pkt, hold);
		cur = ov_end;
	}
	while (cur < end) {
		struct fc_ooo_node *n = *link; /* NULL, or n->off >= cur */
		uint64_t stop = n && n->off < end ? n->off : end;

		while (cur < stop) { /* a free stretch: data part, then missing */
			bool miss = cur >= cap_end;
			uint64_t piece_end = miss || stop <= cap_end ? stop : cap_end;
			cost += node_cost(miss ? 0 : (uint32_t)(piece_end - cur));
			++*pieces;
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
		if (commit)
			overlap_node(r, n, cur, ov_end, off, cap_end, p, pkt, hold);
		cur = ov_end;
		link = &n->next;
	}
	return cost;
}

/* How many of the stream bytes [off, end) were delivered or are buffered
 * already (buffered ones may be snaplen-cut: they still came first).
 * Walks the pieces the range overlaps: at most one per byte of it. */
static uint64_t repeated_bytes(const struct fc_reasm *r, uint64_t off, uint64_t end)
{
	const struct fc_ooo_node *n;
	uint64_t rep = 0, from = off;

	if (off < r->next) {
		from = end < r->next ? end : r->next;
		rep = from - off;
	}
	if (from >= end)
		return rep;
	n = tree_floor(r->rare->root, from);
	for (n = n ? n : r->rare->ooo; n && n->off < end; n = n->next) {
		uint64_t s = n->off > from ? n->off : from;
		uint64_t e = n->off + n->len < end ? n->off + n->len : end;

		if (e > s)
			rep += e - s;
	}
	return rep;
}

/* Where a packet stands once trimmed to the stream: all old (whole), with
 * the range it repeats, or with new bytes (told to ops->repeat at once). */
struct repeat {
	bool whole;
	uint64_t off, n;
};

/* Classify the trimmed segment [off, off+wire) of pkt, once per packet.
 * Returns where its conflicts go: held for a whole repeat (so that the
 * repeat carries them), told at once otherwise. */
static struct fc_reasm_conflict *classify(struct fc_reasm *r, uint64_t off,
					  uint32_t wire, const struct fc_pkt *pkt,
					  struct repeat *rp, struct fc_reasm_conflict *held)
{
	uint64_t n;

	if (!r->shared->ops->repeat)
		return NULL;
	n = repeated_bytes(r, off, off + wire);
	if (n == wire) {
		*rp = (struct repeat){ .whole = true, .off = off, .n = n };
		return held;
	}
	if (n)
		r->shared->ops->repeat(r->ctx, off, n, false, NULL, pkt);
	return NULL;
}

static void place(struct fc_reasm *r, uint32_t seq, const uint8_t *p,
		  uint32_t captured, uint32_t wire_len, const struct fc_pkt *pkt,
		  struct repeat *rp, struct fc_reasm_conflict *held);

void fc_reasm_segment(struct fc_reasm *r, uint32_t seq, const uint8_t *p,
		      uint32_t captured, uint32_t wire_len,
		      const struct fc_pkt *pkt)
{
	struct fc_reasm_conflict held = { 0, 0 };
	struct repeat rp = { false, 0, 0 };

	if (!r->have_base)
		fc_reasm_set_base(r, seq);
	if (captured > wire_len)
		captured = wire_len;
	place(r, seq, p, captured, wire_len, pkt, &rp, &held);
	if (rp.whole)
		r->shared->ops->repeat(r->ctx, rp.off, rp.n, true, &held, pkt);
}

/* fc_reasm_segment's work, once the base is known: trim the segment to
 * the stream, tell whether it repeats bytes (classify), hand on or buffer
 * the rest. */
static void place(struct fc_reasm *r, uint32_t seq, const uint8_t *p,
		  uint32_t captured, uint32_t wire_len, const struct fc_pkt *pkt,
		  struct repeat *rp, struct fc_reasm_conflict *held)
{
	struct fc_reasm_conflict *hold = NULL;
	bool seg_start = true, classified = false;
	int64_t off, end;

again:
	if (wire_len == 0)
		return;
	off = seq_offset(r, seq);
	end = off + wire_len;
	if (end <= 0) {
		COUNT(r, before_start_bytes, wire_len);
		return;
	}
	if (off < 0) { /* starts before offset 0: keep the part after it */
		uint32_t k = (uint32_t)-off;
		COUNT(r, before_start_bytes, k);
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
	if (!classified) { /* once: a forced gap below comes back here */
		classified = true;
		hold = classify(r, (uint64_t)off, wire_len, pkt, rp, held);
	}
	if ((uint64_t)off < r->next) { /* repeats delivered bytes */
		uint64_t ov = ((uint64_t)end < r->next ? (uint64_t)end : r->next) - (uint64_t)off;
		check_history(r, (uint64_t)off, p, ov < captured ? (uint32_t)ov : captured, pkt,
			      hold);
		COUNT(r, retransmitted_bytes, ov);
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
		struct fc_ooo_node *n = r->rare->ooo; /* n->off > next: drained */
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
		check_node(r, n, (uint64_t)off, p, ov < captured ? ov : captured, pkt, hold);
		COUNT(r, retransmitted_bytes, ov);
		p += ov < captured ? ov : captured;
		captured = ov < captured ? captured - ov : 0;
		wire_len -= ov;
		off += ov;
		seg_start = false;
		drain_node(r, pop_first(r));
	}
	drain(r);
	if (wire_len == 0)
		return;

	/* Out of order: copy it aside, if both budgets allow. If not, give up
	 * the first hole, up to this segment or to the first buffered node,
	 * whichever comes first, and look again: either the segment is now in
	 * order and needs no buffer, or buffered bytes went out and freed some. */
	uint64_t pieces;
	uint64_t need = buffer_segment(r, (uint64_t)off, p, captured, wire_len,
				       pkt, seg_start, false, &pieces, hold);
	if (over_budget(r, need, pieces)) {
		uint64_t to = r->rare->ooo && r->rare->ooo->off < (uint64_t)off ? r->rare->ooo->off
								    : (uint64_t)off;
		COUNT(r, forced_gaps, 1);
		declare_gap(r, to - r->next, pkt, "out-of-order buffer full");
		drain(r);
		goto again; /* next moved: re-trim against it */
	}
	/* Without memory for the pieces' list, as without memory for a
	 * piece: the bytes are not kept, and their hole becomes a gap. */
	if (!rare_own(r))
		return;
	COUNT(r, ooo_segments, 1);
	buffer_segment(r, (uint64_t)off, p, captured, wire_len, pkt, seg_start,
		       true, &pieces, hold);
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
		struct fc_ooo_node *fl, **link, *n;

		r->fin_seen = true;
		r->fin_off = (uint64_t)off;
		if (!r->rare->ooo)
			return;
		/* Nothing after the FIN counts: drop what was buffered there
		 * (a node straddling it is cut when drained). They are the
		 * tree's highest pieces: all leave the tree before any is
		 * freed, since unlinking walks nodes that may be among them. */
		fl = r->fin_off ? tree_floor(r->rare->root, r->fin_off - 1) : NULL;
		link = fl ? &fl->next : &r->rare->ooo;
		for (n = *link; n; n = n->next)
			r->rare->root = tree_remove_max(r->rare->root);
		n = *link;
		*link = NULL;
		while (n) {
			struct fc_ooo_node *after = n->next;
			node_release(r, n);
			n = after;
		}
	}
}

static const char why_acked[] = "acknowledged by the peer but not captured";

/* Every hole before offset a becomes a gap (reported at pkt); the pieces
 * between them are delivered. */
static void give_up_to(struct fc_reasm *r, uint64_t a, const struct fc_pkt *pkt,
		       const char *why)
{
	if (r->fin_seen && a > r->fin_off)
		a = r->fin_off;
	while (r->next < a) {
		/* drain() left the first node past next: each turn moves on */
		uint64_t hole_end = r->rare->ooo && r->rare->ooo->off < a ? r->rare->ooo->off : a;
		declare_gap(r, hole_end - r->next, pkt, why);
		drain(r);
	}
}

/* Is all of [from, to) buffered (captured or cut by the snaplen)? Walks
 * the pieces from `from` to the first hole: each ACK starts where the
 * last one stopped, so the walks add up to the pieces buffered. */
static bool buffered(const struct fc_reasm *r, uint64_t from, uint64_t to)
{
	const struct fc_ooo_node *n = tree_floor(r->rare->root, from);

	for (; n && from < to; n = n->next) {
		if (n->off > from)
			return false;
		if (n->off + n->len > from)
			from = n->off + n->len;
	}
	return from >= to;
}

static void wait_pop(struct fc_reasm_waits *w)
{
	w->n--;
	memmove(&w->slot[0], &w->slot[1], w->n * sizeof(w->slot[0]));
}

void fc_reasm_ack(struct fc_reasm *r, uint32_t ack, const struct fc_pkt *pkt,
		  uint64_t conn_pkts)
{
	const struct fc_reasm_window *win = &r->shared->window;
	struct fc_reasm_waits *w = r->rare->waits;
	struct fc_reasm_ack_wait *last;
	int64_t a;

	if (!r->have_base)
		return;
	a = seq_offset(r, ack);
	if (r->fin_seen && a > (int64_t)r->fin_off)
		a = (int64_t)r->fin_off; /* the FIN itself takes a sequence number */
	if (a >= (int64_t)r->next && r->hist)
		r->hist_acked = true; /* see deliver() */
	/* An ACK far ahead is not about this data (a challenge ACK answering
	 * a stray SYN, a corrupt packet): only a plausible window counts. */
	if (a <= (int64_t)r->next || a - (int64_t)r->next > FC_REASM_ACK_GAP_MAX)
		return;
	last = w && w->n ? &w->slot[w->n - 1] : NULL;
	if (last && (uint64_t)a <= last->off)
		return; /* already waiting, since an earlier ACK */
	if (last && buffered(r, last->off, (uint64_t)a)) {
		last->off = (uint64_t)a; /* no new hole: nothing new to wait for */
		return;
	}
	if (!w && (win->packets || win->us) && rare_own(r)) {
		w = r->rare->waits = malloc(sizeof(*w));
		if (w)
			w->n = 0;
	}
	if (!w) { /* no window, or no memory for one: a gap now */
		give_up_to(r, (uint64_t)a, pkt, why_acked);
		return;
	}
	if (w->n < FC_REASM_ACK_WAITS)
		last = &w->slot[w->n++];
	last->off = (uint64_t)a;
	last->conn_pkts = conn_pkts;
	last->pkt = *pkt;
	fc_reasm_expire(r, conn_pkts, pkt->ts_us, false);
}

/* Has the capture gone on long enough without the data acknowledged by w?
 * Time that runs backwards (merged captures) has not passed. */
static bool window_passed(const struct fc_reasm *r, const struct fc_reasm_ack_wait *w,
			  uint64_t conn_pkts, int64_t now_us, bool idle)
{
	const struct fc_reasm_window *win = &r->shared->window;
	int64_t then = w->pkt.ts_us;

	if (!idle && (conn_pkts < w->conn_pkts ||
		      conn_pkts - w->conn_pkts < win->packets))
		return false;
	return now_us >= then && (uint64_t)now_us - (uint64_t)then >= win->us;
}

void fc_reasm_expire(struct fc_reasm *r, uint64_t conn_pkts, int64_t now_us,
		     bool idle)
{
	struct fc_reasm_waits *w = r->rare->waits;

	while (w && w->n) {
		struct fc_reasm_ack_wait first = w->slot[0];

		if (first.off > r->next) {
			if (!window_passed(r, &first, conn_pkts, now_us, idle))
				return;
			give_up_to(r, first.off, &first.pkt, why_acked);
		}
		wait_pop(w);
	}
}

void fc_reasm_end_waits(struct fc_reasm *r)
{
	struct fc_reasm_waits *w = r->rare->waits;

	if (!w)
		return;
	for (uint32_t i = 0; i < w->n; i++)
		give_up_to(r, w->slot[i].off, &w->slot[i].pkt, why_acked);
	w->n = 0;
}

void fc_reasm_flush(struct fc_reasm *r, const struct fc_pkt *pkt)
{
	static const char why[] = "never captured";

	fc_reasm_end_waits(r);
	while (r->rare->ooo)
		skip_hole(r, pkt, why);
	if (r->fin_seen && r->next < r->fin_off)
		declare_gap(r, r->fin_off - r->next, pkt, why);
}
