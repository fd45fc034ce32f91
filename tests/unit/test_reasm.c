/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_reasm.c - fc_reasm over hand-placed TCP segments.
 *
 * A recorder keeps every delivered piece (offset, bytes, packet, whether it
 * starts the packet's payload, and the pointer it came through), every gap
 * and every conflict. The callbacks themselves check the one rule that
 * holds for all of them: data and gaps tile the stream in order, from
 * offset 0, without holes or repeats.
 *
 *   seq:    base ........ base+n          (32-bit, wraps)
 *   offset: 0 ........... n               (64-bit)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calloc_fail.h"
#include "fc_reasm.h"
#include "unit_util.h"

/* --- recorder ------------------------------------------------------------ */

#define REV_MAX 65536
#define POOL_MAX (1u << 20)

struct rev {
	/* 'D' data, 'G' gap, 'C' conflict, 'R' whole repeat (its conflict
	 * in coff, clen), 'P' old bytes of a packet with new ones */
	char kind;
	uint64_t coff, clen;
	uint64_t off, n;
	const uint8_t *ptr; /* as passed to the callback */
	uint64_t pkt;
	bool seg_start;
	size_t pool_at; /* D: copy of the bytes in pool */
	char why[96];
};

struct rrec {
	struct rev ev[REV_MAX];
	size_t nev;
	uint8_t pool[POOL_MAX];
	size_t npool;
	uint64_t next; /* where the next data or gap must begin */
	uint64_t data_bytes, gap_bytes;
	size_t nconf;
};

static struct rev *rec_add(struct rrec *r, char kind)
{
	struct rev *e;

	assert_true(r->nev < REV_MAX);
	e = &r->ev[r->nev++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

static void on_data(void *ctx, uint64_t off, const uint8_t *p, uint32_t n,
		    const struct fc_pkt *pkt, bool seg_start)
{
	struct rrec *r = ctx;
	struct rev *e;

	assert_non_null(pkt);
	assert_true(n > 0);
	if (off != r->next)
		fail_msg("data at %llu, stream is at %llu", (unsigned long long)off,
			 (unsigned long long)r->next);
	e = rec_add(r, 'D');
	e->off = off;
	e->n = n;
	e->ptr = p;
	e->pkt = pkt->num;
	e->seg_start = seg_start;
	e->pool_at = r->npool;
	if (r->npool + n <= POOL_MAX) {
		memcpy(r->pool + r->npool, p, n);
		r->npool += n;
	} else {
		e->pool_at = SIZE_MAX;
	}
	r->next += n;
	r->data_bytes += n;
}

static void on_gap(void *ctx, uint64_t off, uint64_t n, const struct fc_pkt *pkt,
		   const char *why)
{
	struct rrec *r = ctx;
	struct rev *e;

	assert_true(n > 0);
	assert_non_null(why);
	if (off != r->next)
		fail_msg("gap at %llu, stream is at %llu", (unsigned long long)off,
			 (unsigned long long)r->next);
	e = rec_add(r, 'G');
	e->off = off;
	e->n = n;
	e->pkt = pkt ? pkt->num : 0;
	strncpy(e->why, why, sizeof(e->why) - 1);
	r->next += n;
	r->gap_bytes += n;
}

static void on_conflict(void *ctx, uint64_t off, uint64_t n, const struct fc_pkt *pkt)
{
	struct rrec *r = ctx;
	struct rev *e = rec_add(r, 'C');

	assert_true(n > 0);
	e->off = off;
	e->n = n;
	e->pkt = pkt ? pkt->num : 0;
	r->nconf++;
}

static void on_repeat(void *ctx, uint64_t off, uint64_t n, bool whole,
		      const struct fc_reasm_conflict *c, const struct fc_pkt *pkt)
{
	struct rev *e = rec_add(ctx, whole ? 'R' : 'P');

	assert_true(n > 0);
	assert_true(!whole || c);
	e->off = off;
	e->n = n;
	e->pkt = pkt->num;
	if (c) {
		e->coff = c->off;
		e->clen = c->len;
	}
}

static const struct fc_reasm_ops rec_ops = { on_data, on_gap, on_conflict, NULL };
/* The same, told of repeated bytes. */
static const struct fc_reasm_ops repeat_ops = { on_data, on_gap, on_conflict, on_repeat };

struct trs {
	struct fc_reasm r;
	struct fc_reasm_shared lim;
	struct rrec *rec;
};

/* The piece cap and the ACK window (in t->lim, which the reassembler
 * reads from then on). */
static void trs_limits(struct trs *t, uint32_t max_pieces, uint64_t packets,
		       uint64_t us)
{
	t->lim.max_pieces = max_pieces;
	t->lim.window.packets = packets;
	t->lim.window.us = us;
}

/* Asserts the reassembler's out-of-order segment, retransmitted byte,
 * conflict, gap byte, forced gap and before-start byte counts; UNCHECKED
 * leaves one unchecked. */
static void assert_rstats(const struct trs *t, uint64_t ooo, uint64_t retrans,
			  uint64_t conflicts, uint64_t gap, uint64_t forced, uint64_t before)
{
	const struct fc_reasm_stats *st = fc_reasm_stats(&t->r);
	const uint64_t got[] = { st->ooo_segments, st->retransmitted_bytes, st->conflicts,
				 st->gap_bytes, st->forced_gaps, st->before_start_bytes };
	const uint64_t want[] = { ooo, retrans, conflicts, gap, forced, before };

	assert_counts_equal(got, want, 6);
}

static struct trs *trs_new(uint64_t max_ooo, struct fc_reasm_budget *budget)
{
	struct trs *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->rec = calloc(1, sizeof(*t->rec));
	assert_non_null(t->rec);
	t->lim.ops = &rec_ops;
	t->lim.budget = budget;
	t->lim.max_ooo = max_ooo;
	t->lim.max_pieces = FC_REASM_DEFAULT_MAX_PIECES;
	fc_reasm_init(&t->r, &t->lim, t->rec);
	return t;
}

static void trs_free(struct trs *t)
{
	fc_reasm_free(&t->r);
	free(t->rec);
	free(t);
}

static void seg_raw(struct trs *t, uint32_t seq, const uint8_t *p, uint32_t captured,
		    uint32_t wire, uint64_t pkt)
{
	fc_reasm_segment(&t->r, seq, p, captured, wire, pk_ref(pkt));
}

static void seg(struct trs *t, uint32_t seq, const char *s, uint64_t pkt)
{
	uint32_t n = (uint32_t)strlen(s);
	seg_raw(t, seq, (const uint8_t *)s, n, n, pkt);
}

static void ack(struct trs *t, uint32_t a, uint64_t pkt)
{
	fc_reasm_ack(&t->r, a, pk_ref(pkt), pkt);
}

static void flush(struct trs *t, uint64_t pkt)
{
	fc_reasm_flush(&t->r, pk_ref(pkt));
}

/* One segment a test feeds: its bytes (a string) at sequence seq. */
struct seg_in {
	uint32_t seq;
	const char *text;
};

/* A new reassembler (4096 bytes out of order, no budget) based at
 * sequence 0 and fed segs[0..n), segment i in packet i + 1. */
static struct trs *trs_fed(const struct seg_in *segs, size_t n)
{
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 0);
	for (size_t i = 0; i < n; i++)
		seg(t, segs[i].seq, segs[i].text, i + 1);
	return t;
}

/* trs_fed() of the segments given as { seq, text } rows. */
#define TRS_FED(...)                                                              \
	trs_fed((const struct seg_in[]){ __VA_ARGS__ },                            \
		sizeof((const struct seg_in[]){ __VA_ARGS__ }) / sizeof(struct seg_in))

/* The stream so far as text: data bytes as they are, gap bytes as '_'. */
static void assert_stream(const struct trs *t, const char *want)
{
	char got[4096];
	size_t n = 0;

	for (size_t i = 0; i < t->rec->nev; i++) {
		const struct rev *e = &t->rec->ev[i];
		if (e->kind != 'D' && e->kind != 'G')
			continue;
		assert_true(n + e->n < sizeof(got));
		if (e->kind == 'D')
			memcpy(got + n, t->rec->pool + e->pool_at, e->n);
		else
			memset(got + n, '_', e->n);
		n += e->n;
	}
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void assert_data(const struct rev *e, uint64_t off, uint64_t n, uint64_t pkt,
			bool seg_start)
{
	if (e->kind != 'D' || e->off != off || e->n != n || e->pkt != pkt ||
	    e->seg_start != seg_start)
		fail_msg("event %c off %llu n %llu pkt %llu start %d, want D %llu %llu %llu %d",
			 e->kind, (unsigned long long)e->off, (unsigned long long)e->n,
			 (unsigned long long)e->pkt, e->seg_start, (unsigned long long)off,
			 (unsigned long long)n, (unsigned long long)pkt, seg_start);
}

static void assert_gap(const struct rev *e, uint64_t off, uint64_t n, uint64_t pkt,
		       const char *why_part)
{
	if (e->kind != 'G' || e->off != off || e->n != n || e->pkt != pkt)
		fail_msg("event %c off %llu n %llu pkt %llu, want G %llu %llu %llu", e->kind,
			 (unsigned long long)e->off, (unsigned long long)e->n,
			 (unsigned long long)e->pkt, (unsigned long long)off,
			 (unsigned long long)n, (unsigned long long)pkt);
	assert_non_null(strstr(e->why, why_part));
}

static void assert_conflict(const struct rev *e, uint64_t off, uint64_t n, uint64_t pkt)
{
	if (e->kind != 'C' || e->off != off || e->n != n || e->pkt != pkt)
		fail_msg("event %c off %llu n %llu pkt %llu, want C %llu %llu %llu", e->kind,
			 (unsigned long long)e->off, (unsigned long long)e->n,
			 (unsigned long long)e->pkt, (unsigned long long)off,
			 (unsigned long long)n, (unsigned long long)pkt);
}

/* The cost of one buffered node holding `bytes` (0: a node standing for
 * bytes cut by the snaplen), measured, not assumed: buffer one segment in
 * a scratch reassembler and read the accounting. */
static uint64_t node_cost_of(uint32_t bytes)
{
	static const uint8_t zeros[64];
	struct trs *t = trs_new(1 << 20, NULL);
	uint64_t c;

	assert_true(bytes <= sizeof(zeros));
	seg_raw(t, 0, zeros, 0, 0, 1); /* sets the base */
	seg_raw(t, 10, zeros, bytes, bytes ? bytes : 1, 2);
	c = fc_reasm_buffered(&t->r);
	trs_free(t);
	assert_true(c >= bytes);
	return c;
}

/* A packet's repeated bytes, as ops->repeat told them. */
static void assert_repeat(const struct rev *e, char kind, uint64_t off, uint64_t n,
			  uint64_t pkt, uint64_t coff, uint64_t clen)
{
	if (e->kind != kind || e->off != off || e->n != n || e->pkt != pkt ||
	    e->coff != coff || e->clen != clen)
		fail_msg("event %c off %llu n %llu pkt %llu conflict %llu+%llu, want %c %llu "
			 "%llu %llu %llu+%llu", e->kind, (unsigned long long)e->off,
			 (unsigned long long)e->n, (unsigned long long)e->pkt,
			 (unsigned long long)e->coff, (unsigned long long)e->clen, kind,
			 (unsigned long long)off, (unsigned long long)n,
			 (unsigned long long)pkt, (unsigned long long)coff,
			 (unsigned long long)clen);
}

/* --- in order, out of order ------------------------------------------------ */

static void test_in_order_zero_copy(void **state)
{
	(void)state;
	static const char a[] = "hello", b[] = " world", c[] = "!";
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 1000);
	seg(t, 1000, a, 1);
	seg(t, 1005, b, 2);
	seg(t, 1011, c, 3);
	assert_int_equal(t->rec->nev, 3);
	assert_data(&t->rec->ev[0], 0, 5, 1, true);
	assert_data(&t->rec->ev[1], 5, 6, 2, true);
	assert_data(&t->rec->ev[2], 11, 1, 3, true);
	assert_ptr_equal(t->rec->ev[0].ptr, a);
	assert_ptr_equal(t->rec->ev[1].ptr, b);
	assert_ptr_equal(t->rec->ev[2].ptr, c);
	assert_stream(t, "hello world!");
	assert_int_equal(t->r.next, 12);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	assert_rstats(t, 0, 0, UNCHECKED, 0, UNCHECKED, UNCHECKED);
	/* an empty segment (a pure ACK) changes nothing */
	seg(t, 1012, "", 4);
	assert_int_equal(t->rec->nev, 3);
	trs_free(t);
}

static void test_out_of_order_3_1_2(void **state)
{
	(void)state;
	static const char s1[] = "AAAA", s2[] = "BBBB", s3[] = "CCCC";
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 100);
	seg(t, 108, s3, 10);
	assert_int_equal(t->rec->nev, 0);
	assert_int_equal(fc_reasm_stats(&t->r)->ooo_segments, 1);
	assert_int_equal(fc_reasm_buffered(&t->r), node_cost_of(4));
	seg(t, 100, s1, 11);
	assert_int_equal(t->rec->nev, 1);
	seg(t, 104, s2, 12);
	assert_int_equal(t->rec->nev, 3);
	assert_data(&t->rec->ev[0], 0, 4, 11, true);
	assert_data(&t->rec->ev[1], 4, 4, 12, true);
	assert_data(&t->rec->ev[2], 8, 4, 10, true);
	/* in order when they came: passed through; the early one was copied */
	assert_ptr_equal(t->rec->ev[0].ptr, s1);
	assert_ptr_equal(t->rec->ev[1].ptr, s2);
	assert_ptr_not_equal(t->rec->ev[2].ptr, s3);
	assert_stream(t, "AAAABBBBCCCC");
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	assert_rstats(t, 1, UNCHECKED, UNCHECKED, 0, 0, UNCHECKED);
	trs_free(t);
}

static void test_reverse_order(void **state)
{
	(void)state;
	struct trs *t = trs_new(1 << 16, NULL);
	char buf[8][4];

	fc_reasm_set_base(&t->r, 0);
	for (int i = 7; i >= 0; i--) {
		memset(buf[i], 'a' + i, 3);
		buf[i][3] = '\0';
		seg(t, (uint32_t)(3 * i), buf[i], (uint64_t)(8 - i));
	}
	assert_stream(t, "aaabbbcccdddeeefffggghhh");
	for (int i = 0; i < 8; i++)
		assert_data(&t->rec->ev[i], 3 * (uint64_t)i, 3, (uint64_t)(8 - i), true);
	assert_int_equal(fc_reasm_stats(&t->r)->ooo_segments, 7);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);
}

/* --- retransmissions ------------------------------------------------------- */

static void test_exact_duplicate_dropped(void **state)
{
	(void)state;
	struct trs *t = TRS_FED(
		{ 0, "abcd" },
		{ 0, "abcd" });
	uint64_t cost;

	assert_int_equal(t->rec->nev, 1);
	assert_rstats(t, UNCHECKED, 4, 0, UNCHECKED, UNCHECKED, UNCHECKED);

	/* a duplicate of buffered data: kept once, from the first copy */
	seg(t, 10, "xyz", 3);
	cost = fc_reasm_buffered(&t->r);
	seg(t, 10, "xyz", 4);
	assert_int_equal(fc_reasm_buffered(&t->r), cost);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 7);
	seg(t, 4, "efghij", 5);
	assert_stream(t, "abcdefghijxyz");
	assert_int_equal(t->rec->nev, 3);
	assert_data(&t->rec->ev[2], 10, 3, 3, true);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 0);
	assert_int_equal(t->rec->nconf, 0);
	assert_int_equal(fc_reasm_stats(&t->r)->ooo_segments, 2);
	trs_free(t);
}

static void test_conflict_with_delivered(void **state)
{
	(void)state;
	struct trs *t = TRS_FED(
		{ 0, "abcdefgh" },
		{ 2, "cXeZ" });
	uint8_t big[600], again[20];

	assert_int_equal(t->rec->nev, 2);
	assert_conflict(&t->rec->ev[1], 3, 3, 2);
	assert_rstats(t, UNCHECKED, 4, 1, UNCHECKED, UNCHECKED, UNCHECKED);
	assert_stream(t, "abcdefgh");
	trs_free(t);

	/* only the last FC_REASM_HISTORY bytes can be checked */
	t = trs_new(4096, NULL);
	fc_reasm_set_base(&t->r, 0);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	seg_raw(t, 0, big, sizeof(big), sizeof(big), 1);
	/* bytes 78..97: 87 differs, but 87 < 600 - 512: not held any more */
	memcpy(again, big + 78, sizeof(again));
	again[87 - 78] ^= 0xFF;
	seg_raw(t, 78, again, sizeof(again), sizeof(again), 2);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 0);
	/* 88 is the oldest byte held */
	memcpy(again, big + 78, sizeof(again));
	again[88 - 78] ^= 0xFF;
	seg_raw(t, 78, again, sizeof(again), sizeof(again), 3);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_conflict(&t->rec->ev[1], 88, 10, 3);
	/* a retransmission running past the end: checked, then the rest in order */
	memcpy(again, big + 590, 10);
	memcpy(again + 10, "0123456789", 10);
	seg_raw(t, 590, again, 20, 20, 4);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_data(&t->rec->ev[2], 600, 10, 4, false);
	assert_ptr_equal(t->rec->ev[2].ptr, again + 10);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 20 + 20 + 10);
	trs_free(t);

	/* after a gap the history restarts: bytes before it cannot be compared */
	t = TRS_FED(
		{ 0, "abcd" },
		{ 8, "ijkl" });
	ack(t, 8, 3);
	seg(t, 0, "ABCD", 4);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 0);
	seg(t, 8, "iJkl", 5);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_stream(t, "abcd____ijkl");
	trs_free(t);
}

/* The history ring holds bytes the peer acknowledged until the sender
 * moves on (new bytes), sized to them, unless the direction retransmitted. */
static void test_history_until_acked(void **state)
{
	(void)state;
	struct trs *t = TRS_FED({ 0, "abcd" });

	assert_non_null(t->r.hist);
	assert_int_equal(t->r.hist_cap, FC_REASM_HISTORY_STEP);
	ack(t, 4, 2);
	/* acknowledged, nothing new yet: a copy injected ahead of the real
	 * one (acknowledged before the real one comes) is still caught */
	assert_non_null(t->r.hist);
	seg(t, 1, "bX", 3);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_conflict(&t->rec->ev[1], 2, 1, 3);
	trs_free(t);

	t = TRS_FED({ 0, "abcd" });
	ack(t, 4, 2);
	seg(t, 4, "ef", 3); /* the sender moved on: only "ef" is held */
	assert_int_equal(t->r.hist_len, 2);
	seg(t, 0, "abXd", 4); /* acknowledged before: counted, not compared */
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 0);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4);
	/* a direction that retransmitted keeps its ring past the ACK */
	ack(t, 6, 5);
	seg(t, 6, "gh", 6);
	assert_int_equal(t->r.hist_len, 4);
	seg(t, 4, "eF", 7);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_conflict(&t->rec->ev[3], 5, 1, 7);
	assert_stream(t, "abcdefgh");
	trs_free(t);
}

/* Told of repeats, a packet of old bytes only is one whole repeat with
 * its conflict inside (none through the conflict op); a packet of old and
 * new bytes tells its old ones first, then hands on the new. */
static void test_repeats_told(void **state)
{
	(void)state;
	struct trs *t = trs_new(4096, NULL);
	struct rev *e;

	t->lim.ops = &repeat_ops;
	fc_reasm_set_base(&t->r, 0);
	seg(t, 0, "abcdefgh", 1);
	seg(t, 2, "cdef", 2); /* a retransmission of delivered bytes */
	seg(t, 4, "eXgh", 3); /* ... that differs from byte 5 on */
	seg(t, 7, "h", 4); /* a keep-alive's old byte */
	e = t->rec->ev;
	assert_int_equal(t->rec->nev, 4);
	assert_repeat(&e[1], 'R', 2, 4, 2, 0, 0);
	assert_repeat(&e[2], 'R', 4, 4, 3, 5, 3);
	assert_repeat(&e[3], 'R', 7, 1, 4, 0, 0);
	assert_int_equal(t->rec->nconf, 0);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);

	seg(t, 6, "ghijk", 5); /* 2 old bytes, 3 new */
	assert_repeat(&e[4], 'P', 6, 2, 5, 0, 0);
	assert_data(&e[5], 8, 3, 5, false);

	seg(t, 20, "uvw", 6); /* buffered: a duplicate of it is a repeat too */
	seg(t, 20, "uvw", 7);
	seg(t, 19, "tuvwxy", 8); /* 3 buffered bytes among 3 new ones */
	assert_int_equal(t->rec->nev, 8);
	assert_repeat(&e[6], 'R', 20, 3, 7, 0, 0);
	assert_repeat(&e[7], 'P', 19, 3, 8, 0, 0);
	seg(t, 11, "lmnopqrs", 9);
	assert_stream(t, "abcdefghijklmnopqrstuvwxy");
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4 + 4 + 1 + 2 + 3 + 3);

	seg(t, 0, "", 10); /* no payload: nothing at all */
	assert_int_equal(t->rec->nev, 8 + 4); /* 11..19, then 3 buffered pieces */
	trs_free(t);
}

static void test_conflict_with_buffered(void **state)
{
	(void)state;
	struct trs *t = TRS_FED(
		{ 10, "klmnop" },
		{ 12, "mXop" });

	assert_int_equal(t->rec->nev, 1);
	assert_conflict(&t->rec->ev[0], 13, 3, 2);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4);
	seg(t, 0, "abcdefghij", 3);
	assert_stream(t, "abcdefghijklmnop");
	assert_data(&t->rec->ev[2], 10, 6, 1, true);
	trs_free(t);
}

static void test_partial_overlaps_first_copy_wins(void **state)
{
	(void)state;
	/* overlap with delivered bytes, then new ones: the new ones pass through */
	struct trs *t = TRS_FED(
		{ 0, "AAAAAAAA" },
		{ 4, "bbbbBBBB" });
	static const char in_order[] = "aaaaCCCCdddd";

	assert_stream(t, "AAAAAAAABBBB");
	assert_conflict(&t->rec->ev[1], 4, 4, 2);
	assert_data(&t->rec->ev[2], 8, 4, 2, false);
	trs_free(t);

	/* overlaps with buffered nodes, on either side */
	t = TRS_FED(
		{ 10, "KKKKKKKKKK" }, /* [10,20) */
		{ 5, "LLLLLLLLLL" }, /* [5,15): [5,10) new */
		{ 18, "MMMMMMM" }); /* [18,25): [20,25) new */
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 2);
	assert_conflict(&t->rec->ev[0], 10, 5, 2);
	assert_conflict(&t->rec->ev[1], 18, 2, 3);
	seg(t, 0, "NNNNN", 4);
	assert_stream(t, "NNNNNLLLLLKKKKKKKKKKMMMMM");
	assert_data(&t->rec->ev[2], 0, 5, 4, true);
	assert_data(&t->rec->ev[3], 5, 5, 2, true);
	assert_data(&t->rec->ev[4], 10, 10, 1, true);
	assert_data(&t->rec->ev[5], 20, 5, 3, false);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 5 + 2);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);

	/* a segment around a buffered node, agreeing with it: no conflict */
	t = TRS_FED(
		{ 10, "kk" },
		{ 8, "xxkkzzzz" },
		{ 0, "01234567" });
	assert_stream(t, "01234567xxkkzzzz");
	assert_int_equal(t->rec->nconf, 0);
	assert_data(&t->rec->ev[1], 8, 2, 2, true);
	assert_data(&t->rec->ev[2], 10, 2, 1, true);
	assert_data(&t->rec->ev[3], 12, 4, 2, false);
	trs_free(t);

	/* a buffered node larger than the later copy */
	t = TRS_FED(
		{ 4, "wwwwwwww" },
		{ 6, "ww" },
		{ 0, "0123" });
	assert_stream(t, "0123wwwwwwww");
	assert_int_equal(t->rec->nev, 2);
	trs_free(t);

	/* an in-order segment running into a buffered node: the parts of its
	 * own pass through uncopied, the node's bytes win where they overlap */
	t = TRS_FED(
		{ 4, "BBBB" },
		{ 0, in_order });
	assert_int_equal(t->rec->nev, 4);
	assert_data(&t->rec->ev[0], 0, 4, 2, true);
	assert_ptr_equal(t->rec->ev[0].ptr, in_order);
	assert_conflict(&t->rec->ev[1], 4, 4, 2);
	assert_data(&t->rec->ev[2], 4, 4, 1, true);
	assert_data(&t->rec->ev[3], 8, 4, 2, false);
	assert_ptr_equal(t->rec->ev[3].ptr, in_order + 8);
	assert_stream(t, "aaaaBBBBdddd");
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);

	/* ... ending inside a node, and one spanning several nodes */
	t = TRS_FED(
		{ 4, "BBBB" },
		{ 10, "DD" },
		{ 16, "FFFF" },
		{ 0, "aaaaBB" });
	assert_stream(t, "aaaaBBBB");
	seg(t, 6, "BBccDDeeeeFF", 5);
	assert_stream(t, "aaaaBBBBccDDeeeeFFFF");
	assert_int_equal(t->rec->nconf, 0);
	assert_data(&t->rec->ev[2], 8, 2, 5, false);
	assert_data(&t->rec->ev[3], 10, 2, 2, true);
	assert_data(&t->rec->ev[4], 12, 4, 5, false);
	assert_data(&t->rec->ev[5], 16, 4, 3, true);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);
}

/* --- sequence numbers ----------------------------------------------------- */

static void test_sequence_wraparound(void **state)
{
	(void)state;
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 0xFFFFFFF0u);
	seg(t, 0xFFFFFFF0u, "0123456789abcdef", 1); /* up to 2^32 */
	seg(t, 0x10, "ghij", 3); /* ahead, past the wrap */
	seg(t, 0xFFFFFFFCu, "cdefGHIJKLMNOPQRSTUV", 2); /* across the wrap */
	seg(t, 0x14, "klmn", 4);
	assert_stream(t, "0123456789abcdefGHIJKLMNOPQRSTUVghijklmn");
	assert_data(&t->rec->ev[0], 0, 16, 1, true);
	assert_data(&t->rec->ev[1], 16, 16, 2, false);
	assert_data(&t->rec->ev[2], 32, 4, 3, true);
	assert_data(&t->rec->ev[3], 36, 4, 4, true);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4);
	fc_reasm_fin(&t->r, 0x1C);
	assert_int_equal(t->r.fin_off, 44);
	assert_false(fc_reasm_done(&t->r));
	seg(t, 0x18, "zzzzZ", 5); /* one byte past the FIN */
	assert_true(fc_reasm_done(&t->r));
	assert_stream(t, "0123456789abcdefGHIJKLMNOPQRSTUVghijklmnzzzz");
	trs_free(t);
}

static void test_offsets_past_4gib(void **state)
{
	(void)state;
	struct trs *t = trs_new(4096, NULL);
	const uint32_t base = 0x7FFFFFF0u;
	const uint64_t step = FC_REASM_ACK_GAP_MAX; /* the furthest believed */
	const uint64_t nsteps = (9ull << 29) / step;
	uint64_t far = nsteps * step; /* 4.5 GiB */

	fc_reasm_set_base(&t->r, base);
	seg(t, base, "a", 1);
	/* the capture missed 4.5 GiB, acknowledged a step at a time */
	for (uint64_t k = 1; k <= nsteps; k++)
		ack(t, (uint32_t)(base + k * step), 1 + k);
	assert_int_equal(t->r.next, far);
	assert_int_equal(fc_reasm_stats(&t->r)->gap_bytes, far - 1);
	/* an acknowledgement too far ahead to be believed is ignored */
	ack(t, (uint32_t)(base + far + FC_REASM_ACK_GAP_MAX + 1), 20);
	assert_int_equal(t->r.next, far);
	seg(t, (uint32_t)(base + far + 4), "efgh", 21);
	seg(t, (uint32_t)(base + far), "abcd", 22);
	assert_int_equal(t->r.next, far + 8);
	assert_int_equal(t->rec->nev, 1 + nsteps + 2);
	assert_data(&t->rec->ev[1 + nsteps], far, 4, 22, true);
	assert_data(&t->rec->ev[2 + nsteps], far + 4, 4, 21, true);
	assert_gap(&t->rec->ev[1], 1, step - 1, 2, "acknowledged");
	assert_gap(&t->rec->ev[nsteps], (nsteps - 1) * step, step, 1 + nsteps,
		   "acknowledged");
	/* a retransmission there is still recognised */
	seg(t, (uint32_t)(base + far + 2), "cX", 23);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_conflict(&t->rec->ev[3 + nsteps], far + 3, 1, 23);
	trs_free(t);
}

static void test_base_and_before_start(void **state)
{
	(void)state;
	static const char b[] = "0123456789ABCDEFGHIJ";
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 1000);
	fc_reasm_set_base(&t->r, 5000); /* ignored once set */
	assert_int_equal(t->r.base_seq, 1000);
	seg(t, 990, b, 1);
	assert_int_equal(t->rec->nev, 1);
	assert_data(&t->rec->ev[0], 0, 10, 1, false);
	assert_ptr_equal(t->rec->ev[0].ptr, b + 10);
	assert_int_equal(fc_reasm_stats(&t->r)->before_start_bytes, 10);
	seg(t, 980, "0123456789", 2); /* wholly before the start */
	assert_int_equal(t->rec->nev, 1);
	assert_int_equal(fc_reasm_stats(&t->r)->before_start_bytes, 20);
	assert_stream(t, "ABCDEFGHIJ");
	trs_free(t);

	/* before the start and cut by the snaplen: only the missing rest */
	t = trs_new(4096, NULL);
	fc_reasm_set_base(&t->r, 1000);
	seg_raw(t, 995, (const uint8_t *)b, 3, 10, 1);
	assert_int_equal(t->rec->nev, 1);
	assert_gap(&t->rec->ev[0], 0, 5, 1, "snaplen");
	assert_int_equal(fc_reasm_stats(&t->r)->before_start_bytes, 5);
	trs_free(t);

	/* no base: the first segment's seq is offset 0 (mid-stream start) */
	t = trs_new(4096, NULL);
	seg(t, 77777, "xy", 1);
	assert_true(t->r.have_base);
	assert_int_equal(t->r.base_seq, 77777);
	assert_data(&t->rec->ev[0], 0, 2, 1, true);
	seg(t, 77770, "0123456xy", 2);
	assert_int_equal(fc_reasm_stats(&t->r)->before_start_bytes, 7);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 2);
	trs_free(t);

	/* an acknowledgement before any base means nothing */
	t = trs_new(4096, NULL);
	ack(t, 500, 1);
	assert_false(t->r.have_base);
	assert_int_equal(t->rec->nev, 0);
	trs_free(t);
}

/* --- gaps -------------------------------------------------------------- */

static void test_snaplen_cut(void **state)
{
	(void)state;
	static const char b[] = "0123456789";
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 0);
	seg_raw(t, 0, (const uint8_t *)b, 4, 10, 1);
	assert_int_equal(t->rec->nev, 2);
	assert_data(&t->rec->ev[0], 0, 4, 1, true);
	assert_gap(&t->rec->ev[1], 4, 6, 1, "snaplen");
	assert_int_equal(fc_reasm_stats(&t->r)->gap_bytes, 6);
	seg(t, 10, "ab", 2);
	assert_stream(t, "0123______ab");
	/* captured beyond wire_len is ignored */
	seg_raw(t, 12, (const uint8_t *)b, 10, 3, 3);
	assert_stream(t, "0123______ab012");
	trs_free(t);

	/* cut while out of order: the missing part waits as a hole */
	t = trs_new(4096, NULL);
	fc_reasm_set_base(&t->r, 0);
	seg_raw(t, 10, (const uint8_t *)"KLMNO", 2, 5, 1);
	assert_int_equal(fc_reasm_buffered(&t->r), node_cost_of(2) + node_cost_of(0));
	seg(t, 0, "0123456789", 2);
	assert_int_equal(t->rec->nev, 3);
	assert_data(&t->rec->ev[1], 10, 2, 1, true);
	assert_gap(&t->rec->ev[2], 12, 3, 1, "snaplen");
	seg(t, 15, "pq", 3);
	assert_stream(t, "0123456789KL___pq");
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);
}

static void test_gap_via_ack(void **state)
{
	(void)state;
	struct trs *t = TRS_FED(
		{ 0, "abcd" },
		{ 8, "ijkl" },
		{ 16, "qr" });

	ack(t, 6, 4); /* part of the hole */
	assert_int_equal(t->rec->nev, 2);
	assert_gap(&t->rec->ev[1], 4, 2, 4, "acknowledged");
	ack(t, 3, 5); /* behind: nothing */
	ack(t, 6, 5); /* the same: nothing */
	assert_int_equal(t->rec->nev, 2);
	ack(t, 10, 6); /* past the hole: it becomes a gap, the node follows */
	assert_int_equal(t->rec->nev, 4);
	assert_gap(&t->rec->ev[2], 6, 2, 6, "acknowledged");
	assert_data(&t->rec->ev[3], 8, 4, 2, true);
	ack(t, 20, 7); /* past the second hole and past the last node */
	assert_stream(t, "abcd____ijkl____qr__");
	assert_gap(&t->rec->ev[4], 12, 4, 7, "acknowledged");
	assert_data(&t->rec->ev[5], 16, 2, 3, true);
	assert_gap(&t->rec->ev[6], 18, 2, 7, "acknowledged");
	assert_int_equal(fc_reasm_stats(&t->r)->gap_bytes, 10);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	/* late data for an acknowledged hole is a retransmission */
	seg(t, 4, "efgh", 8);
	assert_int_equal(t->r.next, 20);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4);
	trs_free(t);
}

static void test_gap_via_flush(void **state)
{
	(void)state;
	struct trs *t = TRS_FED(
		{ 0, "abcd" },
		{ 10, "klmn" },
		{ 20, "uvwx" });

	flush(t, 9);
	assert_stream(t, "abcd______klmn______uvwx");
	assert_gap(&t->rec->ev[1], 4, 6, 9, "never captured");
	assert_data(&t->rec->ev[2], 10, 4, 2, true);
	assert_gap(&t->rec->ev[3], 14, 6, 9, "never captured");
	assert_data(&t->rec->ev[4], 20, 4, 3, true);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	flush(t, 10); /* nothing more */
	assert_int_equal(t->rec->nev, 5);
	trs_free(t);

	/* with a FIN: the hole before it is a gap too */
	t = TRS_FED(
		{ 0, "abcd" },
		{ 10, "klmn" });
	fc_reasm_fin(&t->r, 30);
	assert_false(fc_reasm_done(&t->r));
	flush(t, 9);
	assert_stream(t, "abcd______klmn________________");
	assert_true(fc_reasm_done(&t->r));
	trs_free(t);
}

/* --- FIN ----------------------------------------------------------------- */

static void test_fin(void **state)
{
	(void)state;
	struct trs *t = trs_new(4096, NULL);

	fc_reasm_set_base(&t->r, 0);
	seg(t, 0, "abcd", 1);
	fc_reasm_fin(&t->r, 6);
	assert_false(fc_reasm_done(&t->r));
	seg(t, 4, "efghij", 2); /* runs past the FIN */
	assert_stream(t, "abcdef");
	assert_true(fc_reasm_done(&t->r));
	seg(t, 8, "xy", 3); /* after the FIN */
	seg(t, 6, "gh", 4);
	assert_stream(t, "abcdef");
	fc_reasm_fin(&t->r, 3); /* a FIN behind the stream counts as at its end */
	assert_int_equal(t->r.fin_off, 6);
	ack(t, 7, 5); /* the FIN's own sequence number: no gap */
	assert_stream(t, "abcdef");
	flush(t, 6);
	assert_stream(t, "abcdef");
	trs_free(t);

	/* data buffered beyond a FIN seen later is not delivered, and a flush
	 * reports no gap past the FIN */
	t = TRS_FED(
		{ 0, "ab" },
		{ 10, "klmnopqrst" },
		{ 30, "EEEEEEEEEE" });
	fc_reasm_fin(&t->r, 15);
	assert_int_equal(fc_reasm_buffered(&t->r), node_cost_of(10)); /* [30,40) dropped */
	flush(t, 9);
	assert_stream(t, "ab________klmno");
	assert_int_equal(t->r.next, 15);
	assert_true(fc_reasm_done(&t->r));
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);

	/* a FIN below many buffered pieces: all of them leave the tree
	 * before any is freed (freeing the lowest first while unlinking the
	 * highest walked freed nodes: found by the capture fuzzer, caught
	 * here under make sanitize), and the tree still works after */
	t = TRS_FED(
		{ 0, "ab" },
		{ 10, "kl" }, { 20, "uv" }, { 30, "EE" }, { 40, "EE" },
		{ 50, "EE" }, { 60, "EE" }, { 70, "EE" }, { 80, "EE" });
	fc_reasm_fin(&t->r, 25);
	assert_int_equal(fc_reasm_pieces(&t->r), 2);
	assert_int_equal(fc_reasm_buffered(&t->r), 2 * node_cost_of(2));
	seg(t, 5, "fg", 3);
	seg(t, 2, "cde", 4);
	flush(t, 9);
	assert_stream(t, "abcdefg___kl________uv___");
	assert_true(fc_reasm_done(&t->r));
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);

	/* a FIN while a node straddles it, filled in order */
	t = trs_new(4096, NULL);
	fc_reasm_set_base(&t->r, 0);
	seg(t, 4, "efghij", 1);
	fc_reasm_fin(&t->r, 7);
	seg(t, 0, "abcd", 2);
	assert_stream(t, "abcdefg");
	assert_true(fc_reasm_done(&t->r));
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);

	/* a FIN before any data sets the base; one behind the stream counts as
	 * at its end */
	t = trs_new(4096, NULL);
	fc_reasm_fin(&t->r, 500);
	assert_true(t->r.have_base);
	assert_true(fc_reasm_done(&t->r));
	seg(t, 500, "late", 1);
	assert_int_equal(t->rec->nev, 0);
	trs_free(t);
}

/* --- budgets --------------------------------------------------------------- */

static void test_in_order_data_survives_full_budget(void **state)
{
	(void)state;
	uint8_t big[100];
	uint64_t c20 = node_cost_of(20);
	struct trs *t = trs_new(c20 + 10, NULL); /* room for one small node */

	memset(big, 'a', sizeof(big));
	fc_reasm_set_base(&t->r, 0);
	seg(t, 100, "BBBBBBBBBBBBBBBBBBBB", 1);
	assert_int_equal(fc_reasm_buffered(&t->r), c20);
	/* the bytes of the hole arrive: they need no buffer at all */
	seg_raw(t, 0, big, sizeof(big), sizeof(big), 2);
	assert_rstats(t, UNCHECKED, UNCHECKED, UNCHECKED, 0, 0, UNCHECKED);
	assert_int_equal(t->rec->nev, 2);
	assert_data(&t->rec->ev[0], 0, 100, 2, true);
	assert_ptr_equal(t->rec->ev[0].ptr, big);
	assert_data(&t->rec->ev[1], 100, 20, 1, true);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);

	/* out of order but before the buffered node: give up only the hole
	 * before it, not the bytes it carries */
	t = trs_new(c20 + 10, NULL);
	fc_reasm_set_base(&t->r, 0);
	seg(t, 100, "BBBBBBBBBBBBBBBBBBBB", 1);
	seg_raw(t, 50, big, 10, 10, 2);
	assert_int_equal(fc_reasm_stats(&t->r)->forced_gaps, 1);
	assert_int_equal(t->rec->nev, 2);
	assert_gap(&t->rec->ev[0], 0, 50, 2, "buffer full");
	assert_data(&t->rec->ev[1], 50, 10, 2, true);
	assert_ptr_equal(t->rec->ev[1].ptr, big);
	assert_int_equal(fc_reasm_buffered(&t->r), c20); /* the node still waits */
	seg_raw(t, 60, big, 40, 40, 3);
	assert_int_equal(t->r.next, 120);
	assert_int_equal(fc_reasm_stats(&t->r)->forced_gaps, 1);
	trs_free(t);
}

static void test_budget_counts_every_node(void **state)
{
	(void)state;
	/* Six 1-byte nodes, then one segment filling the six holes between
	 * them (and one before): seven new nodes, however small. */
	uint64_t c1 = node_cost_of(1), c0 = node_cost_of(0);
	uint64_t max = 6 * c1 + 2 * c0 + 13; /* room for one node or two */
	struct trs *t = trs_new(max, NULL);
	static const char fill[] = "abcdefghijklm";

	fc_reasm_set_base(&t->r, 0);
	for (uint32_t i = 0; i < 6; i++)
		seg_raw(t, 2 + 2 * i, (const uint8_t *)fill + 1 + 2 * i, 1, 1, 1 + i);
	assert_int_equal(fc_reasm_buffered(&t->r), 6 * c1);
	seg_raw(t, 1, (const uint8_t *)fill, 13, 13, 10);
	assert_true(fc_reasm_buffered(&t->r) <= max);
	seg(t, 0, "_", 11);
	flush(t, 12);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	/* whatever was given up, no byte went missing but the first */
	assert_true(fc_reasm_stats(&t->r)->gap_bytes <= 1);
	assert_int_equal(t->rec->data_bytes + t->rec->gap_bytes, 14);
	trs_free(t);
}

/* A deterministic generator for the floods. */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void test_budget_flood(void **state)
{
	(void)state;
	enum { N = 6000 };
	uint8_t *src = malloc(N);
	uint64_t c100 = node_cost_of(64) + 36;
	uint64_t max = 5 * c100;
	struct trs *t = trs_new(max, NULL);
	uint64_t peak = 0;

	assert_non_null(src);
	for (int i = 0; i < N; i++)
		src[i] = (uint8_t)(i * 31 + 7);
	fc_reasm_set_base(&t->r, 0);
	/* the first 100 bytes never come; everything after does, in order */
	for (uint32_t off = 100; off < N; off += 100) {
		seg_raw(t, off, src + off, 100, 100, off / 100);
		assert_true(fc_reasm_buffered(&t->r) <= max);
		if (fc_reasm_buffered(&t->r) > peak)
			peak = fc_reasm_buffered(&t->r);
	}
	assert_true(fc_reasm_stats(&t->r)->forced_gaps >= 1);
	assert_true(peak > 3 * c100); /* the buffer really filled up */
	/* only the bytes that never came were given up */
	assert_int_equal(fc_reasm_stats(&t->r)->gap_bytes, 100);
	assert_gap(&t->rec->ev[0], 0, 100, t->rec->ev[0].pkt, "buffer full");
	assert_int_equal(t->r.next, N);
	for (size_t i = 0; i < t->rec->nev; i++) {
		const struct rev *e = &t->rec->ev[i];
		if (e->kind == 'D')
			assert_memory_equal(t->rec->pool + e->pool_at, src + e->off, e->n);
	}
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	trs_free(t);
	free(src);
}

/* Random segments over a known source: whatever the order, duplicates,
 * snaplen cuts, acks and budget, the stream holds the source's bytes or
 * gaps, tiles [0, next), and the buffer stays within its budgets. */
static void flood(uint64_t seed, uint64_t max_ooo, struct fc_reasm_budget *shared,
		  int nrs)
{
	enum { N = 20000, SEGS = 3000 };
	uint8_t *src = malloc(N);
	struct trs *t[2];
	uint64_t s = seed;

	assert_non_null(src);
	assert_true(nrs >= 1 && nrs <= 2);
	for (int i = 0; i < N; i++)
		src[i] = (uint8_t)rnd(&s);
	for (int k = 0; k < nrs; k++) {
		t[k] = trs_new(max_ooo, shared);
		/* sequence numbers wrap inside the stream */
		fc_reasm_set_base(&t[k]->r, 0xFFFFC000u + (uint32_t)k * 77);
	}
	for (uint32_t i = 0; i < SEGS; i++) {
		struct trs *x = t[rnd(&s) % (uint32_t)nrs];
		uint32_t base = x->r.base_seq;
		int64_t off = (int64_t)x->r.next + (int64_t)(rnd(&s) % 3000) - 300;
		uint32_t len = 1 + rnd(&s) % 400, cap = len;

		if (off < 0)
			off = 0;
		if (off >= N)
			continue;
		if ((uint64_t)off + len > N)
			len = (uint32_t)(N - off);
		cap = len;
		if (rnd(&s) % 10 == 0)
			cap = rnd(&s) % (len + 1);
		seg_raw(x, base + (uint32_t)off, src + off, cap, len, i + 1);
		if (rnd(&s) % 40 == 0)
			ack(x, base + (uint32_t)(x->r.next + rnd(&s) % 500), i + 1);
		for (int k = 0; k < nrs; k++) {
			assert_true(fc_reasm_buffered(&t[k]->r) <= max_ooo);
			assert_int_equal(t[k]->rec->next, t[k]->r.next);
		}
		if (shared) {
			uint64_t sum = 0;
			for (int k = 0; k < nrs; k++)
				sum += fc_reasm_buffered(&t[k]->r);
			assert_int_equal(shared->used, sum);
			assert_true(shared->used <= shared->max);
		}
	}
	for (int k = 0; k < nrs; k++) {
		struct rrec *r = t[k]->rec;
		flush(t[k], 99999);
		assert_int_equal(fc_reasm_buffered(&t[k]->r), 0);
		assert_int_equal(r->next, t[k]->r.next);
		assert_int_equal(r->data_bytes + r->gap_bytes, r->next);
		assert_true(r->data_bytes > 0);
		/* every copy was of the same source: never a conflict */
		assert_int_equal(fc_reasm_stats(&t[k]->r)->conflicts, 0);
		for (size_t i = 0; i < r->nev; i++) {
			const struct rev *e = &r->ev[i];
			if (e->kind == 'D')
				assert_memory_equal(r->pool + e->pool_at, src + e->off, e->n);
		}
		trs_free(t[k]);
	}
	if (shared)
		assert_int_equal(shared->used, 0);
	free(src);
}

static void test_budget_random_floods(void **state)
{
	(void)state;
	uint64_t c = node_cost_of(0);

	for (uint64_t seed = 1; seed <= 12; seed++) {
		flood(seed, 0, NULL, 1); /* no buffer at all */
		flood(seed, 3 * c + 300, NULL, 1);
		flood(seed, 40 * c + 4000, NULL, 1);
		flood(seed, 1 << 24, NULL, 1);
	}
}

static void test_shared_budget(void **state)
{
	(void)state;
	uint64_t c10 = node_cost_of(10);
	struct fc_reasm_budget b = { 0, 3 * c10 };
	struct trs *x = trs_new(1 << 20, &b), *y = trs_new(1 << 20, &b);

	fc_reasm_set_base(&x->r, 0);
	fc_reasm_set_base(&y->r, 5000);
	seg(x, 100, "0123456789", 1);
	seg(x, 200, "0123456789", 2);
	seg(x, 300, "0123456789", 3);
	assert_int_equal(b.used, 3 * c10);
	assert_int_equal(fc_reasm_stats(&x->r)->forced_gaps, 0);
	/* y has nothing buffered, but the engine's budget is spent: y gives up
	 * its own hole instead of buffering */
	seg(y, 5050, "abcdefghij", 4);
	assert_int_equal(b.used, 3 * c10);
	assert_int_equal(fc_reasm_stats(&y->r)->forced_gaps, 1);
	assert_int_equal(y->rec->nev, 2);
	assert_gap(&y->rec->ev[0], 0, 50, 4, "buffer full");
	assert_data(&y->rec->ev[1], 50, 10, 4, true);
	/* x at its budget gives up its first hole to make room */
	seg(x, 400, "0123456789", 5);
	assert_true(b.used <= b.max);
	assert_int_equal(b.used, fc_reasm_buffered(&x->r) + fc_reasm_buffered(&y->r));
	assert_int_equal(fc_reasm_stats(&x->r)->forced_gaps, 1);
	assert_gap(&x->rec->ev[0], 0, 100, 5, "buffer full");
	assert_data(&x->rec->ev[1], 100, 10, 1, true);
	/* freeing x returns its share */
	fc_reasm_free(&x->r);
	assert_int_equal(b.used, fc_reasm_buffered(&y->r));
	assert_int_equal(b.used, 0);

	for (uint64_t seed = 100; seed < 106; seed++) {
		struct fc_reasm_budget sb = { 0, 20 * node_cost_of(0) + 3000 };
		flood(seed, 1 << 20, &sb, 2);
		sb.max = 0;
		flood(seed, 1 << 20, &sb, 2);
	}
	trs_free(x);
	trs_free(y);
}

/* With room for everything and every byte sent at least once in full,
 * each byte is delivered as soon as all before it were sent, from its first
 * copy, with that copy's packet; seg_start marks exactly packets' first
 * bytes. Later copies agree or not at random. */
static void test_first_copy_wins_random(void **state)
{
	(void)state;
	enum { N = 6000, SEGS = 600, MAXPKT = SEGS + N + 1 };
	uint8_t *first = malloc(N);
	uint64_t *first_pkt = calloc(N, sizeof(uint64_t));
	uint64_t *pkt_start = calloc(MAXPKT + 1, sizeof(uint64_t));
	uint64_t s = 42;

	assert_non_null(first);
	assert_non_null(first_pkt);
	assert_non_null(pkt_start);
	for (int round = 0; round < 8; round++) {
		struct trs *t = trs_new(1 << 24, NULL);
		uint32_t covered = 0, pkt = 0;

		memset(first_pkt, 0, N * sizeof(uint64_t));
		fc_reasm_set_base(&t->r, 0x80000000u + (uint32_t)round * 1000003u);
		while (covered < N) {
			uint8_t p[64];
			uint32_t off, len;

			/* random places first, then whatever is still unsent */
			off = pkt < SEGS ? rnd(&s) % N : covered;
			len = 1 + rnd(&s) % 64;
			if (off + len > N)
				len = N - off;
			for (uint32_t j = 0; j < len; j++) {
				uint32_t o = off + j;
				bool known = first_pkt[o] != 0;
				p[j] = known && rnd(&s) % 5 ? first[o] : (uint8_t)rnd(&s);
			}
			pkt++;
			assert_true(pkt <= MAXPKT);
			pkt_start[pkt] = off;
			for (uint32_t j = 0; j < len; j++) {
				if (!first_pkt[off + j]) {
					first_pkt[off + j] = pkt;
					first[off + j] = p[j];
				}
			}
			seg_raw(t, t->r.base_seq + off, p, len, len, pkt);
			while (covered < N && first_pkt[covered])
				covered++;
			/* everything sent without a hole before it is delivered */
			assert_int_equal(t->r.next, covered);
		}
		assert_int_equal(t->r.next, N);
		assert_int_equal(t->rec->gap_bytes, 0);
		assert_int_equal(fc_reasm_buffered(&t->r), 0);
		assert_int_equal(fc_reasm_stats(&t->r)->forced_gaps, 0);
		for (size_t i = 0; i < t->rec->nev; i++) {
			const struct rev *e = &t->rec->ev[i];
			if (e->kind != 'D')
				continue;
			assert_memory_equal(t->rec->pool + e->pool_at, first + e->off, e->n);
			for (uint64_t o = e->off; o < e->off + e->n; o++)
				if (first_pkt[o] != e->pkt)
					fail_msg("byte %llu from packet %llu, first copy in %llu",
						 (unsigned long long)o, (unsigned long long)e->pkt,
						 (unsigned long long)first_pkt[o]);
			assert_int_equal(e->seg_start, pkt_start[e->pkt] == e->off);
		}
		assert_true(fc_reasm_stats(&t->r)->conflicts > 0);
		assert_int_equal(fc_reasm_stats(&t->r)->conflicts, t->rec->nconf);
		trs_free(t);
	}
	free(first);
	free(first_pkt);
	free(pkt_start);
}

static void test_free_releases_everything(void **state)
{
	(void)state;
	struct fc_reasm_budget b = { 0, 1 << 20 };
	struct trs *t = trs_new(1 << 20, &b);
	uint8_t big[3000];

	memset(big, 'z', sizeof(big));
	fc_reasm_set_base(&t->r, 0);
	seg(t, 0, "abc", 1); /* allocates the history */
	assert_non_null(t->r.hist);
	for (uint32_t i = 1; i <= 10; i++)
		seg_raw(t, i * 4000, big, sizeof(big), sizeof(big), 1 + i);
	seg_raw(t, 50000, big, 10, 100, 20); /* a missing part too */
	assert_true(fc_reasm_buffered(&t->r) > 30000);
	assert_int_equal(b.used, fc_reasm_buffered(&t->r));
	fc_reasm_free(&t->r);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	assert_null(t->r.hist);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	assert_int_equal(b.used, 0);
	fc_reasm_free(&t->r); /* twice is harmless */
	assert_int_equal(t->rec->nev, 1); /* nothing delivered on the way out */
	trs_free(t);
}

/* --- many pieces: the tree ----------------------------------------------- */

/* Thousands of pieces buffered in a scattered order (a stride through the
 * stream), with overlapping copies: the first copy of each byte wins, with
 * its packet, and everything goes out in order once the hole is filled.
 * The time bound is 10 times slower than a linear walk from the start
 * would allow on this count; in practice it takes a few ms. */
static void test_many_pieces_scattered(void **state)
{
	(void)state;
	enum { N = 60000, STRIDE = 7919 };
	uint8_t *src = malloc(N);
	uint64_t *first_pkt = calloc(N, sizeof(uint64_t));
	struct trs *t = trs_new(1u << 30, NULL);
	uint64_t s = 7, pkt = 0;
	clock_t t0 = clock();

	assert_non_null(src);
	assert_non_null(first_pkt);
	for (int i = 0; i < N; i++)
		src[i] = (uint8_t)rnd(&s);
	trs_limits(t, 1u << 20, 0, 0);
	fc_reasm_set_base(&t->r, 0xFFFF0000u); /* wraps inside the stream */
	/* byte 0 comes last; pieces of 1 to 3 bytes, scattered */
	for (uint64_t i = 0; i < N; i++) {
		uint32_t off = (uint32_t)(1 + i * STRIDE % (N - 1));
		uint32_t len = 1 + rnd(&s) % 3;
		if (off + len > N)
			len = N - off;
		pkt++;
		for (uint32_t j = 0; j < len; j++)
			if (!first_pkt[off + j])
				first_pkt[off + j] = pkt;
		seg_raw(t, t->r.base_seq + off, src + off, len, len, pkt);
	}
	assert_int_equal(t->r.next, 0);
	assert_true(fc_reasm_pieces(&t->r) > N / 3);
	assert_rstats(t, UNCHECKED, UNCHECKED, 0, UNCHECKED, 0, UNCHECKED);
	first_pkt[0] = ++pkt;
	seg_raw(t, t->r.base_seq, src, 1, 1, pkt);
	assert_int_equal(t->r.next, N);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	assert_int_equal(t->rec->gap_bytes, 0);
	for (size_t i = 0; i < t->rec->nev; i++) {
		const struct rev *e = &t->rec->ev[i];
		assert_true(e->kind == 'D');
		if (e->pool_at != SIZE_MAX)
			assert_memory_equal(t->rec->pool + e->pool_at, src + e->off, e->n);
		for (uint64_t o = e->off; o < e->off + e->n; o++)
			assert_int_equal(first_pkt[o], e->pkt);
	}
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	trs_free(t);
	free(src);
	free(first_pkt);
}

/* A retransmission over many buffered pieces is still compared byte by
 * byte: the one differing byte is reported where it is, the free bytes
 * between the pieces are taken from it. */
static void test_conflict_among_many_pieces(void **state)
{
	(void)state;
	enum { N = 6000 };
	uint8_t *src = malloc(N), *again = malloc(N);
	struct trs *t = trs_new(1u << 30, NULL);

	assert_non_null(src);
	assert_non_null(again);
	for (int i = 0; i < N; i++)
		src[i] = (uint8_t)('a' + i % 26);
	fc_reasm_set_base(&t->r, 0);
	for (uint32_t off = N - 1; off >= 2; off -= 2) /* odd bytes, backwards */
		seg_raw(t, off, src + off, 1, 1, 1 + (N - off) / 2);
	assert_int_equal(fc_reasm_pieces(&t->r), N / 2 - 1);
	memcpy(again, src, N);
	again[2051] ^= 0x20; /* a buffered byte, different */
	again[2052] ^= 0x20; /* a free byte: no one to disagree with */
	/* [2001, 2101): 50 buffered odd bytes, 50 free even ones */
	seg_raw(t, 2001, again + 2001, 100, 100, 90000);
	assert_int_equal(fc_reasm_stats(&t->r)->conflicts, 1);
	assert_conflict(&t->rec->ev[0], 2051, 1, 90000);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 50);
	assert_int_equal(fc_reasm_pieces(&t->r), N / 2 - 1 + 50);
	seg_raw(t, 0, src, 1, 1, 90001);
	flush(t, 90002);
	assert_int_equal(t->r.next, N);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	assert_int_equal(t->rec->data_bytes, 1 + (N / 2 - 1) + 50);
	/* the stream: src, except the free byte the retransmission brought */
	for (size_t i = 0; i < t->rec->nev; i++) {
		const struct rev *e = &t->rec->ev[i];
		if (e->kind != 'D')
			continue;
		for (uint64_t o = e->off; o < e->off + e->n; o++)
			assert_int_equal(t->rec->pool[e->pool_at + (o - e->off)],
					 o == 2052 ? again[o] : src[o]);
		if (e->off >= 2001 && e->off < 2101)
			assert_int_equal(e->pkt, e->off % 2 ? 1 + (N - e->off) / 2 : 90000);
	}
	trs_free(t);
	free(src);
	free(again);
}

/* The piece cap gives up a hole like the byte budget does: a forced gap. */
static void test_piece_cap(void **state)
{
	(void)state;
	struct trs *t = trs_new(1 << 20, NULL);

	trs_limits(t, 10, 0, 0);
	fc_reasm_set_base(&t->r, 0);
	for (uint32_t k = 0; k < 10; k++)
		seg(t, 2 * k + 1, "x", k + 1); /* [1], [3], ... [19] */
	assert_int_equal(fc_reasm_pieces(&t->r), 10);
	assert_int_equal(fc_reasm_stats(&t->r)->forced_gaps, 0);
	seg(t, 21, "y", 11);
	assert_int_equal(fc_reasm_stats(&t->r)->forced_gaps, 1);
	assert_gap(&t->rec->ev[0], 0, 1, 11, "buffer full");
	assert_data(&t->rec->ev[1], 1, 1, 1, true);
	assert_int_equal(fc_reasm_pieces(&t->r), 10);
	assert_true(fc_reasm_buffered(&t->r) <= 10 * node_cost_of(1));
	flush(t, 12);
	assert_stream(t, "_x_x_x_x_x_x_x_x_x_x_y");
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	trs_free(t);
}

/* --- the ACK window: acknowledged holes wait for late data ------------ */

/* Packet n of these tests is the connection's n-th, at n ms. */
static void expire_at(struct trs *t, uint64_t conn_pkts, int64_t ts_us, bool idle)
{
	fc_reasm_expire(&t->r, conn_pkts, ts_us, idle);
}

static struct trs *windowed(uint64_t packets, uint64_t us)
{
	struct trs *t = trs_new(4096, NULL);

	trs_limits(t, 1000, packets, us);
	fc_reasm_set_base(&t->r, 0);
	return t;
}

static void test_ack_window_late_data_fills(void **state)
{
	(void)state;
	struct trs *t = windowed(3, 2000);

	seg(t, 0, "abcd", 1);
	seg(t, 8, "ijkl", 2);
	ack(t, 12, 3); /* covers the hole [4,8): it waits */
	assert_int_equal(t->rec->nev, 1);
	assert_true(fc_reasm_waiting(&t->r));
	expire_at(t, 4, 4000, false);
	assert_int_equal(t->rec->nev, 1);
	seg(t, 4, "efgh", 5); /* the data, after its ACK */
	assert_stream(t, "abcdefghijkl");
	assert_data(&t->rec->ev[1], 4, 4, 5, true);
	assert_data(&t->rec->ev[2], 8, 4, 2, true);
	expire_at(t, 100, 100000, false);
	assert_false(fc_reasm_waiting(&t->r));
	assert_int_equal(fc_reasm_stats(&t->r)->gap_bytes, 0);
	trs_free(t);
}

static void test_ack_window_needs_packets_and_time(void **state)
{
	(void)state;
	struct trs *t = windowed(3, 2000);

	seg(t, 0, "abcd", 1);
	seg(t, 8, "ijkl", 2);
	ack(t, 12, 3);
	expire_at(t, 10, 4000, false); /* 7 packets, 1 ms */
	expire_at(t, 4, 9000, false); /* 1 packet, 6 ms */
	expire_at(t, 100, 0, false); /* time ran backwards */
	assert_int_equal(t->rec->nev, 1);
	expire_at(t, 6, 5000, false); /* 3 packets, 2 ms: a gap, at the ACK */
	assert_int_equal(t->rec->nev, 3);
	assert_gap(&t->rec->ev[1], 4, 4, 3, "acknowledged");
	assert_data(&t->rec->ev[2], 8, 4, 2, true);
	assert_false(fc_reasm_waiting(&t->r));
	seg(t, 4, "efgh", 7); /* too late: a retransmission */
	assert_int_equal(t->r.next, 12);
	assert_int_equal(fc_reasm_stats(&t->r)->retransmitted_bytes, 4);
	trs_free(t);

	/* idle (no packet came): only the time counts */
	t = windowed(3, 2000);
	seg(t, 0, "abcd", 1);
	seg(t, 8, "ijkl", 2);
	ack(t, 12, 3);
	expire_at(t, 3, 4999, true);
	assert_int_equal(t->rec->nev, 1);
	expire_at(t, 3, 5000, true);
	assert_stream(t, "abcd____ijkl");
	assert_gap(&t->rec->ev[1], 4, 4, 3, "acknowledged");
	trs_free(t);

	/* a zero window: the gap comes with the ACK, as before the window */
	t = windowed(0, 0);
	seg(t, 0, "abcd", 1);
	ack(t, 6, 2);
	assert_gap(&t->rec->ev[1], 4, 2, 2, "acknowledged");
	assert_false(fc_reasm_waiting(&t->r));
	trs_free(t);
}

/* Each acknowledged hole has its own window. */
static void test_ack_window_several_holes(void **state)
{
	(void)state;
	struct trs *t = windowed(2, 0);

	seg(t, 0, "ab", 1);
	seg(t, 4, "ef", 2);
	ack(t, 6, 3); /* hole [2,4) from packet 3 */
	seg(t, 8, "ij", 4);
	ack(t, 10, 4); /* hole [6,8) from packet 4 */
	ack(t, 9, 4); /* behind the last: nothing new */
	assert_int_equal(t->r.rare->waits->n, 2);
	expire_at(t, 5, 5000, false); /* the first is given up, not the second */
	assert_stream(t, "ab__ef");
	assert_gap(&t->rec->ev[1], 2, 2, 3, "acknowledged");
	seg(t, 6, "gh", 6);
	expire_at(t, 100, 100000, false);
	assert_stream(t, "ab__efghij");
	assert_int_equal(fc_reasm_stats(&t->r)->gap_bytes, 2);
	assert_false(fc_reasm_waiting(&t->r));
	trs_free(t);

	/* an ACK that covers no new hole, only buffered data, extends the
	 * wait without restarting its window */
	t = windowed(3, 0);
	seg(t, 0, "ab", 1);
	seg(t, 4, "ef", 2);
	ack(t, 6, 3);
	seg(t, 6, "gh", 4);
	ack(t, 8, 5);
	assert_int_equal(t->r.rare->waits->n, 1);
	assert_int_equal(t->r.rare->waits->slot[0].off, 8);
	assert_int_equal(t->r.rare->waits->slot[0].pkt.num, 3);
	expire_at(t, 6, 6000, false); /* 3 packets after the first ACK */
	assert_stream(t, "ab__efgh");
	assert_gap(&t->rec->ev[1], 2, 2, 3, "acknowledged");
	trs_free(t);

	/* more holes than waits: the newest absorbs the rest; the flush gives
	 * them all up, each acknowledged one at its ACK */
	t = windowed(1000, 0);
	for (uint32_t k = 0; k < 3 * FC_REASM_ACK_WAITS; k++) {
		seg(t, 2 * k + 1, "x", 2 * k + 1);
		ack(t, 2 * k + 2, 2 * k + 2);
		assert_true(t->r.rare->waits->n <= FC_REASM_ACK_WAITS);
	}
	assert_int_equal(t->rec->nev, 0);
	seg(t, 100, "z", 99);
	flush(t, 100);
	assert_int_equal(t->r.next, 101);
	/* each hole at the ACK that first covered it, or, once merged, at a
	 * later one (which covers it too) */
	for (uint32_t k = 0; k < 3 * FC_REASM_ACK_WAITS; k++) {
		const struct rev *e = &t->rec->ev[2 * k];
		assert_int_equal(e->kind, 'G');
		assert_int_equal(e->off, 2 * k);
		assert_non_null(strstr(e->why, "acknowledged"));
		if (k < FC_REASM_ACK_WAITS - 1)
			assert_int_equal(e->pkt, 2 * k + 2);
		else
			assert_true(e->pkt >= 2 * k + 2);
	}
	assert_gap(&t->rec->ev[2 * 3 * FC_REASM_ACK_WAITS], 2 * 3 * FC_REASM_ACK_WAITS,
		   100 - 2 * 3 * FC_REASM_ACK_WAITS, 100, "never captured");
	trs_free(t);
}

static void test_ack_window_flush_and_end(void **state)
{
	(void)state;
	struct trs *t = windowed(64, 1000000);

	seg(t, 0, "ab", 1);
	seg(t, 4, "ef", 2);
	ack(t, 6, 3);
	seg(t, 10, "kl", 4);
	flush(t, 9);
	assert_stream(t, "ab__ef____kl");
	assert_gap(&t->rec->ev[1], 2, 2, 3, "acknowledged");
	assert_gap(&t->rec->ev[3], 6, 4, 9, "never captured");
	trs_free(t);

	t = windowed(64, 1000000);
	seg(t, 0, "ab", 1);
	seg(t, 4, "ef", 2);
	ack(t, 6, 3);
	fc_reasm_end_waits(&t->r);
	assert_stream(t, "ab__ef");
	assert_gap(&t->rec->ev[1], 2, 2, 3, "acknowledged");
	assert_false(fc_reasm_waiting(&t->r));
	trs_free(t);

	/* an ACK beyond a FIN: the gap stops at the FIN */
	t = windowed(64, 1000000);
	seg(t, 0, "ab", 1);
	ack(t, 6, 2);
	fc_reasm_fin(&t->r, 4);
	flush(t, 3);
	assert_stream(t, "ab__");
	assert_true(fc_reasm_done(&t->r));
	trs_free(t);
}

/* --- a direction's rare part ---------------------------------------------- */

/* In-order data, a FIN and ACKs need nothing beyond the direction's one
 * cache line: every such direction reads the same empty rare part. The
 * first repair (here a retransmission, then bytes ahead of a hole) gives
 * a direction its own, counted there and freed with it. */
static void test_rare_part_only_when_needed(void **state)
{
	(void)state;
	struct trs *a = trs_new(4096, NULL), *b = trs_new(4096, NULL);

	fc_reasm_set_base(&a->r, 0);
	fc_reasm_set_base(&b->r, 100);
	seg(a, 0, "hello ", 1);
	seg(a, 6, "world", 2);
	fc_reasm_ack(&a->r, 11, pk_ref(3), 3);
	fc_reasm_fin(&a->r, 11);
	seg(b, 100, "abc", 1);
	assert_ptr_equal(a->r.rare, b->r.rare);
	assert_rstats(a, 0, 0, 0, 0, 0, 0);
	assert_true(fc_reasm_done(&a->r));

	seg(b, 101, "bc", 2); /* a retransmission: counted */
	assert_ptr_not_equal(a->r.rare, b->r.rare);
	assert_rstats(b, 0, 2, 0, 0, 0, 0);
	seg(b, 106, "ghi", 3); /* ahead of a hole */
	assert_int_equal(fc_reasm_pieces(&b->r), 1);
	assert_rstats(b, 1, 2, 0, 0, 0, 0);
	seg(b, 103, "def", 4);
	assert_int_equal(fc_reasm_pieces(&b->r), 0);
	assert_stream(b, "abcdefghi");
	assert_stream(a, "hello world");
	trs_free(a);
	trs_free(b);
}

/* Without memory for its rare part a direction still delivers in order;
 * what it counts goes to the shared spill (the engine adds it to its
 * totals), and bytes ahead of a hole are not kept, as when a piece
 * finds no memory: their hole becomes a gap. */
static void test_rare_part_without_memory(void **state)
{
	(void)state;
	struct fc_reasm_stats spill = { 0 };
	struct trs *t = windowed(0, 0);

	t->lim.spill = &spill;
	seg(t, 0, "abcd", 1);
	calloc_failures = 1;
	seg(t, 2, "cd", 2); /* 2 bytes retransmitted */
	assert_int_equal(calloc_failures, 0);
	assert_int_equal(spill.retransmitted_bytes, 2);
	assert_rstats(t, 0, 0, 0, 0, 0, 0);

	calloc_failures = 1;
	seg(t, 8, "ijkl", 3); /* ahead of a hole: nowhere to keep it */
	assert_int_equal(calloc_failures, 0);
	assert_int_equal(fc_reasm_pieces(&t->r), 0);
	assert_int_equal(fc_reasm_buffered(&t->r), 0);
	calloc_failures = 1;
	ack(t, 12, 4); /* zero window: the hole up to the ACK is a gap now */
	assert_int_equal(calloc_failures, 0); /* the gap's count asked */
	assert_int_equal(spill.gap_bytes, 8);
	assert_stream(t, "abcd________");
	seg(t, 12, "mn", 5); /* in order again, and nothing allocated */
	assert_stream(t, "abcd________mn");
	assert_int_equal(spill.ooo_segments, 0);
	assert_rstats(t, 0, 0, 0, 0, 0, 0);
	trs_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_zero_copy),
		cmocka_unit_test(test_out_of_order_3_1_2),
		cmocka_unit_test(test_reverse_order),
		cmocka_unit_test(test_exact_duplicate_dropped),
		cmocka_unit_test(test_conflict_with_delivered),
		cmocka_unit_test(test_history_until_acked),
		cmocka_unit_test(test_conflict_with_buffered),
		cmocka_unit_test(test_repeats_told),
		cmocka_unit_test(test_partial_overlaps_first_copy_wins),
		cmocka_unit_test(test_sequence_wraparound),
		cmocka_unit_test(test_offsets_past_4gib),
		cmocka_unit_test(test_base_and_before_start),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_gap_via_ack),
		cmocka_unit_test(test_gap_via_flush),
		cmocka_unit_test(test_fin),
		cmocka_unit_test(test_in_order_data_survives_full_budget),
		cmocka_unit_test(test_budget_counts_every_node),
		cmocka_unit_test(test_budget_flood),
		cmocka_unit_test(test_budget_random_floods),
		cmocka_unit_test(test_shared_budget),
		cmocka_unit_test(test_first_copy_wins_random),
		cmocka_unit_test(test_free_releases_everything),
		cmocka_unit_test(test_many_pieces_scattered),
		cmocka_unit_test(test_conflict_among_many_pieces),
		cmocka_unit_test(test_piece_cap),
		cmocka_unit_test(test_ack_window_late_data_fills),
		cmocka_unit_test(test_ack_window_needs_packets_and_time),
		cmocka_unit_test(test_ack_window_several_holes),
		cmocka_unit_test(test_ack_window_flush_and_end),
		cmocka_unit_test(test_rare_part_only_when_needed),
		cmocka_unit_test(test_rare_part_without_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
