/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_decoder.c - fc_decoder over hand-built length-prefixed streams.
 *
 * A recorder keeps a copy of every frame, segment and anomaly the decoder
 * reports. Most tests state the expected records literally; the cut tests
 * also compare against a small model that derives, from where the frames
 * and the packet boundaries lie, what every record must say:
 *
 *   stream:  [hdr|payload....][hdr|payload][hdr|pay...
 *   cuts:    |--- #1 ---|-- #2 --|----- #3 ------|-- #4 --|
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_chain.h"
#include "fc_decoder.h"
#include "fc_describe.h"
#include "unit_util.h"

/* --- recorder ------------------------------------------------------------ */

#define REC_FRAMES 256
#define REC_SEGS 4096
#define REC_ANOMS 64
#define REC_PAYLOAD 4096
#define REC_LOG 8192

struct rframe {
	struct fc_frame f; /* packets and payload point into this record */
	uint64_t packets[FC_FRAME_PACKETS_MAX];
	uint8_t payload[REC_PAYLOAD];
	size_t segs_before; /* segment records reported before this frame */
};

struct rseg {
	struct fc_segment s;
	/* piece payload pointers as offsets into the bytes fed, -1 for NULL */
	int64_t payload_at[FC_SEG_PIECES_MAX];
};

struct ranom {
	struct fc_anomaly a;
	char detail[256];
};

struct rec {
	struct rframe *frames;
	size_t nframes;
	struct rseg *segs;
	size_t nsegs;
	struct ranom anoms[REC_ANOMS];
	size_t nanoms;
	char log[REC_LOG]; /* 'F' frame, 'S' segment, 'A' anomaly, in order */
	size_t nlog;
	const uint8_t *cur_data; /* bytes of the fc_decoder_data call */
	uint32_t cur_len;
};

static void rec_log(struct rec *r, char c)
{
	assert_true(r->nlog + 1 < REC_LOG);
	r->log[r->nlog++] = c;
	r->log[r->nlog] = '\0';
}

static void on_frame(void *ctx, const struct fc_frame *f)
{
	struct rec *r = ctx;
	struct rframe *rf;

	assert_true(r->nframes < REC_FRAMES);
	rf = &r->frames[r->nframes++];
	rf->f = *f;
	assert_true(f->npackets <= FC_FRAME_PACKETS_MAX);
	assert_true(f->npackets_total >= f->npackets);
	if (f->npackets) {
		assert_non_null(f->packets);
		memcpy(rf->packets, f->packets, f->npackets * sizeof(uint64_t));
	}
	rf->f.packets = rf->packets;
	assert_true(f->payload_kept <= REC_PAYLOAD);
	assert_true(f->payload_kept <= f->payload_len);
	if (f->payload_kept) {
		assert_non_null(f->payload);
		memcpy(rf->payload, f->payload, f->payload_kept);
	}
	rf->f.payload = rf->payload;
	rf->segs_before = r->nsegs;
	rec_log(r, 'F');
}

static void on_segment(void *ctx, const struct fc_segment *s)
{
	struct rec *r = ctx;
	struct rseg *rs;
	uint32_t shown;

	assert_true(r->nsegs < REC_SEGS);
	rs = &r->segs[r->nsegs++];
	rs->s = *s;
	shown = s->npieces < FC_SEG_PIECES_MAX ? s->npieces : FC_SEG_PIECES_MAX;
	for (uint32_t i = 0; i < FC_SEG_PIECES_MAX; i++) {
		const struct fc_piece *pc = &s->pieces[i];
		rs->payload_at[i] = -1;
		if (i >= shown || !pc->payload)
			continue;
		/* A piece's payload lies inside the bytes of this segment. */
		assert_true(pc->payload >= r->cur_data);
		assert_true(pc->payload + pc->payload_n <= r->cur_data + r->cur_len);
		rs->payload_at[i] = pc->payload - r->cur_data;
		rs->s.pieces[i].payload = NULL;
	}
	rec_log(r, 'S');
}

static void on_anomaly(void *ctx, const struct fc_anomaly *a)
{
	struct rec *r = ctx;
	struct ranom *ra;

	assert_true(r->nanoms < REC_ANOMS);
	ra = &r->anoms[r->nanoms++];
	ra->a = *a;
	assert_true(a->kind < FC_AN__COUNT);
	assert_true(fc_anomaly_describe(a, ra->detail, sizeof(ra->detail)) < (int)sizeof(ra->detail));
	assert_null(strchr(ra->detail, '\n'));
	rec_log(r, 'A');
}

/* A report, recorded in the order the old per-event calls had: its frames
 * and anomalies, then its segment. */
static void on_report(void *ctx, const struct fc_report *rep)
{
	for (uint32_t i = 0; i < rep->nevents; i++) {
		if (rep->events[i].type == FC_EV_FRAME)
			on_frame(ctx, &rep->events[i].frame);
		else
			on_anomaly(ctx, &rep->events[i].anomaly);
	}
	if (rep->seg)
		on_segment(ctx, rep->seg);
}

static const struct fc_decoder_ops rec_ops = { on_report };

static struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->frames = calloc(REC_FRAMES, sizeof(*r->frames));
	r->segs = calloc(REC_SEGS, sizeof(*r->segs));
	assert_non_null(r->frames);
	assert_non_null(r->segs);
	return r;
}

static void rec_reset(struct rec *r)
{
	r->nframes = 0;
	r->nsegs = 0;
	r->nanoms = 0;
	r->nlog = 0;
	r->log[0] = '\0';
}

static void rec_free(struct rec *r)
{
	free(r->frames);
	free(r->segs);
	free(r);
}

/* A test's decoder, its recorder and the shared segment scratch. */
struct tdec {
	struct fc_profile prof;
	struct fc_decoder_scratch scratch;
	struct fc_decoder d;
	struct rec *r;
};

/* Asserts the decoder's frame, byte, segment, sticky-segment, split-frame
 * and most-frames-in-a-segment counts; UNCHECKED leaves one unchecked. */
static void assert_dstats(const struct tdec *t, uint64_t frames, uint64_t bytes,
			  uint64_t segments, uint64_t sticky, uint64_t split, uint64_t maxf)
{
	const struct fc_decoder_counts *st = &t->d.stats;
	const uint64_t got[] = { st->frames, st->bytes, st->segments, st->sticky_segments,
				 st->split_frames, st->max_frames_in_segment };
	const uint64_t want[] = { frames, bytes, segments, sticky, split, maxf };

	assert_counts_equal(got, want, 6);
}

/* Asserts that anomaly #i of t is of kind, at offset and reported with
 * packet pkt; UNCHECKED leaves offset or pkt unchecked. */
static void assert_anom(const struct tdec *t, size_t i, enum fc_anomaly_kind kind,
			uint64_t offset, uint64_t pkt)
{
	const uint64_t got[] = { t->r->anoms[i].a.offset, t->r->anoms[i].a.pkt };
	const uint64_t want[] = { offset, pkt };

	assert_true(i < t->r->nanoms);
	assert_int_equal(t->r->anoms[i].a.kind, kind);
	assert_counts_equal(got, want, 2);
}

static struct tdec *tdec_new(const struct fc_profile *prof, uint64_t keep,
			     bool midstream)
{
	struct tdec *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	if (prof)
		t->prof = *prof;
	else
		fc_profile_default(&t->prof);
	assert_null(fc_profile_check(&t->prof));
	t->r = rec_new();
	fc_decoder_init(&t->d, &t->prof, keep, midstream, &t->scratch, &rec_ops, t->r);
	return t;
}

/* Start over with the same profile: a fresh decoder, an empty recorder. */
static void tdec_restart(struct tdec *t, uint64_t keep, bool midstream)
{
	fc_decoder_free(&t->d);
	rec_reset(t->r);
	fc_decoder_init(&t->d, &t->prof, keep, midstream, &t->scratch, &rec_ops, t->r);
}

static void tdec_free(struct tdec *t)
{
	fc_decoder_free(&t->d);
	fc_decoder_scratch_free(&t->scratch);
	rec_free(t->r);
	free(t);
}

static void feed(struct tdec *t, uint64_t off, const uint8_t *data, uint32_t len,
		 uint64_t pkt, bool seg_start)
{
	/* The bytes live only during the call, as a packet's do in libpcap's
	 * buffer: a decoder still pointing at them later reads garbage here
	 * (and a freed block under ASan). */
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, data, len);
	t->r->cur_data = copy;
	t->r->cur_len = len;
	fc_decoder_data(&t->d, off, copy, len, pk_ref(pkt), seg_start);
	t->r->cur_data = NULL;
	t->r->cur_len = 0;
	memset(copy, 0xa5, len);
	free(copy);
}

static void gap(struct tdec *t, uint64_t off, uint64_t len, uint64_t pkt)
{
	fc_decoder_gap(&t->d, off, len, pk_ref(pkt), "test");
}

static void end(struct tdec *t, enum fc_end_reason why, uint64_t pkt)
{
	fc_decoder_end(&t->d, why, pk_ref(pkt));
}

/* --- streams and the model ----------------------------------------------- */

#define MS_BYTES 8192
#define MS_FRAMES 64

struct mframe {
	uint64_t off, hdr, plen;
	int64_t length;
};

struct mstream {
	const struct fc_profile *prof;
	uint8_t b[MS_BYTES];
	size_t len;
	struct mframe fr[MS_FRAMES];
	size_t nfr;
};

static uint8_t pattern(size_t frame, uint64_t j)
{
	return (uint8_t)(0x41 + frame * 7 + j * 13);
}

static void ms_init(struct mstream *m, const struct fc_profile *p)
{
	memset(m, 0, sizeof(*m));
	m->prof = p;
}

/* Append a well-formed frame with plen payload bytes. */
static void ms_frame(struct mstream *m, uint64_t plen)
{
	const struct fc_profile *p = m->prof;
	struct mframe *f = &m->fr[m->nfr];
	struct fc_frame_len fl;

	assert_true(m->nfr < MS_FRAMES);
	assert_true(m->len + p->header_size + plen <= MS_BYTES);
	assert_true(fc_profile_encode_header(p, plen, m->b + m->len));
	/* The profile rule, stated here rather than trusted. */
	f->off = m->len;
	f->hdr = p->header_size;
	f->plen = plen;
	f->length = (int64_t)plen + (int64_t)p->header_size -
		    (int64_t)fc_profile_length_end(p) - p->length_adjustment;
	assert_int_equal(fc_profile_frame_len(p, m->b + m->len, p->header_size, &fl),
			 FC_FRAME_OK);
	assert_int_equal(fl.length, f->length);
	assert_int_equal(fl.payload_len, plen);
	m->len += p->header_size;
	for (uint64_t j = 0; j < plen; j++)
		m->b[m->len++] = pattern(m->nfr, j);
	m->nfr++;
}

/* A new model stream under p (free() it), of frames with sizes[0..n)
 * payload bytes. */
static struct mstream *ms_new(const struct fc_profile *p, const uint64_t *sizes, size_t n)
{
	struct mstream *m = malloc(sizeof(*m));

	assert_non_null(m);
	ms_init(m, p);
	for (size_t i = 0; i < n; i++)
		ms_frame(m, sizes[i]);
	return m;
}

static uint64_t mf_end(const struct mframe *f)
{
	return f->off + f->hdr + f->plen;
}

/* Segment k of a cut stream is [bounds[k], bounds[k+1]). */
static size_t seg_of(const size_t *bounds, size_t nseg, uint64_t pos)
{
	for (size_t k = 0; k < nseg; k++)
		if (pos < bounds[k + 1])
			return k;
	fail_msg("position %llu beyond the stream", (unsigned long long)pos);
	return 0;
}

static uint64_t pkt_of(const uint64_t *pkts, size_t k)
{
	return pkts ? pkts[k] : k + 1;
}

/* Feed the stream in nseg segments (bounds has nseg+1 entries). */
static void feed_cut(struct tdec *t, const struct mstream *m, const size_t *bounds,
		     size_t nseg, const uint64_t *pkts)
{
	for (size_t k = 0; k < nseg; k++)
		feed(t, bounds[k], m->b + bounds[k], (uint32_t)(bounds[k + 1] - bounds[k]),
		     pkt_of(pkts, k), true);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
	return hi > lo ? hi - lo : 0;
}

/* The piece the model expects for frame i in segment k. */
static void check_piece(const struct mstream *m, const struct rseg *rs,
			uint32_t slot, size_t i, const size_t *bounds, size_t k,
			const char *where)
{
	const struct fc_piece *pc = &rs->s.pieces[slot];
	const struct mframe *f = &m->fr[i];
	uint64_t s0 = bounds[k], s1 = bounds[k + 1];
	uint64_t fend = mf_end(f);
	uint64_t hb = overlap(f->off, f->off + f->hdr, s0, s1);
	uint64_t pb = overlap(f->off + f->hdr, fend, s0, s1);
	uint32_t len_end = fc_profile_length_end(m->prof);
	unsigned flags = 0;
	uint32_t nsegs = 0;

	if (f->off >= s0 && f->off < s1)
		flags |= FC_PIECE_START;
	if (fend - 1 >= s0 && fend - 1 < s1)
		flags |= FC_PIECE_END;
	if (f->off + len_end <= s1)
		flags |= FC_PIECE_LENGTH;
	if (hb > 0 && hb < f->hdr)
		flags |= FC_PIECE_HEADER_SPLIT;
	for (size_t j = 0; j <= k; j++)
		if (overlap(f->off, fend, bounds[j], bounds[j + 1]))
			nsegs++;

	if (pc->frame_index != i || pc->flags != flags || pc->header_bytes != hb ||
	    pc->payload_n != pb || pc->nsegs != nsegs)
		fail_msg("%s: seg %zu slot %u: frame %llu (want %zu) flags %#x (want %#x) "
			 "hdr %u (want %llu) payload %u (want %llu) nsegs %u (want %u)",
			 where, k, slot, (unsigned long long)pc->frame_index, i, pc->flags,
			 flags, pc->header_bytes, (unsigned long long)hb, pc->payload_n,
			 (unsigned long long)pb, pc->nsegs, nsegs);
	if (flags & FC_PIECE_LENGTH) {
		assert_int_equal(pc->length, f->length);
		assert_int_equal(pc->payload_len, f->plen);
	} else {
		assert_int_equal(pc->length, 0);
		assert_int_equal(pc->payload_len, 0);
	}
	if (pb) {
		uint64_t p0 = f->off + f->hdr > s0 ? f->off + f->hdr : s0;
		assert_int_equal(rs->payload_at[slot], (int64_t)(p0 - s0));
	} else {
		assert_int_equal(rs->payload_at[slot], -1);
	}
}

/* Everything a cleanly cut stream must produce: frames, segments, stats. */
static void check_model(const struct tdec *t, const struct mstream *m,
			const size_t *bounds, size_t nseg, const uint64_t *pkts,
			uint64_t keep, const char *where)
{
	const struct rec *r = t->r;
	const struct fc_decoder_counts *st = &t->d.stats;
	uint64_t sticky_segs = 0, split = 0, maxf = 0, maxpkt = 0;

	/* A clean stream has no anomaly, but a long run of zero-length frames
	 * (some models have one) is reported once as a zero_run. */
	size_t nanoms = r->nanoms, nzero = 0;
	for (size_t i = 0; i < r->nanoms; i++)
		if (r->anoms[i].a.kind == FC_AN_ZERO_RUN)
			nzero++;
	if (nzero > 1 || r->nframes != m->nfr || r->nsegs != nseg || nanoms - nzero != 0)
		fail_msg("%s: %zu frames (want %zu), %zu segments (want %zu), %zu anomalies",
			 where, r->nframes, m->nfr, r->nsegs, nseg, r->nanoms);

	for (size_t i = 0; i < m->nfr; i++) {
		const struct mframe *mf = &m->fr[i];
		const struct fc_frame *f = &r->frames[i].f;
		size_t k0 = seg_of(bounds, nseg, mf->off);
		size_t k1 = seg_of(bounds, nseg, mf_end(mf) - 1);
		size_t kh = seg_of(bounds, nseg, mf->off + mf->hdr - 1);
		uint64_t want_pk[MS_BYTES];
		uint32_t np = 0;
		bool sticky = mf->off > bounds[k0] || mf_end(mf) < bounds[k1 + 1];
		uint64_t kept = mf->plen < keep ? mf->plen : keep;

		for (size_t k = k0; k <= k1; k++)
			want_pk[np++] = pkt_of(pkts, k);
		qsort(want_pk, np, sizeof(want_pk[0]), cmp_u64);

		if (f->index != i || f->offset != mf->off || f->header_len != mf->hdr ||
		    f->length != mf->length || f->payload_len != mf->plen ||
		    f->npackets != np || f->npackets_total != np ||
		    f->split != (np > 1) || f->sticky != sticky ||
		    f->header_split != (kh != k0) || f->resynced ||
		    f->payload_missing != 0 || f->pkt_last != pkt_of(pkts, k1) ||
		    f->ts_us != (int64_t)pkt_of(pkts, k1) * 1000 ||
		    f->payload_kept != kept || r->frames[i].segs_before != k1)
			fail_msg("%s: frame %zu: index %llu offset %llu length %lld payload %llu "
				 "npackets %u/%llu split %d sticky %d (want %d) header_split %d "
				 "(want %d) pkt_last %llu kept %llu after %zu segs (want %zu)",
				 where, i, (unsigned long long)f->index,
				 (unsigned long long)f->offset, (long long)f->length,
				 (unsigned long long)f->payload_len, f->npackets,
				 (unsigned long long)f->npackets_total, f->split, f->sticky,
				 sticky, f->header_split, kh != k0,
				 (unsigned long long)f->pkt_last, (unsigned long long)f->payload_kept,
				 r->frames[i].segs_before, k1);
		for (uint32_t j = 0; j < np; j++)
			assert_int_equal(f->packets[j], want_pk[j]);
		assert_memory_equal(f->payload, m->b + mf->off + mf->hdr, kept);
		if (np > 1)
			split++;
	}

	for (size_t k = 0; k < nseg; k++) {
		const struct rseg *rs = &r->segs[k];
		size_t first = SIZE_MAX, n = 0;

		for (size_t i = 0; i < m->nfr; i++) {
			if (overlap(m->fr[i].off, mf_end(&m->fr[i]), bounds[k], bounds[k + 1])) {
				if (first == SIZE_MAX)
					first = i;
				n++;
			}
		}
		assert_int_equal(rs->s.pkt.num, pkt_of(pkts, k));
		assert_int_equal(rs->s.pkt.ts_us, (int64_t)pkt_of(pkts, k) * 1000);
		assert_int_equal(rs->s.offset, bounds[k]);
		assert_int_equal(rs->s.len, bounds[k + 1] - bounds[k]);
		assert_int_equal(rs->s.unframed, 0);
		assert_int_equal(rs->s.out_of_order, pkt_of(pkts, k) < maxpkt);
		if (pkt_of(pkts, k) > maxpkt)
			maxpkt = pkt_of(pkts, k);
		if (rs->s.npieces != n)
			fail_msg("%s: segment %zu has %u pieces, want %zu", where, k,
				 rs->s.npieces, n);
		for (size_t j = 0; j < n; j++) {
			uint32_t slot = j < FC_SEG_PIECES_MAX - 1 ? (uint32_t)j
								  : FC_SEG_PIECES_MAX - 1;
			if (j >= FC_SEG_PIECES_MAX - 1 && j != n - 1)
				continue; /* elided: the last slot holds the latest */
			check_piece(m, rs, slot, first + j, bounds, k, where);
		}
		if (n > 1)
			sticky_segs++;
		if (n > maxf)
			maxf = n;
	}

	assert_int_equal(st->frames, m->nfr);
	assert_int_equal(st->bytes, m->len);
	assert_int_equal(st->segments, nseg);
	assert_int_equal(st->sticky_segments, sticky_segs);
	assert_int_equal(st->split_frames, split);
	assert_int_equal(st->max_frames_in_segment, maxf);
	assert_int_equal(st->unframed_bytes, 0);
	for (int a = 0; a < FC_AN__COUNT; a++)
		if (a != FC_AN_ZERO_RUN)
			assert_int_equal(st->anomalies[a], 0);
	assert_int_equal(st->anomalies[FC_AN_ZERO_RUN], nzero);
}

/* Feed m cut at the given interior positions and check it against the model. */
static void run_cuts(struct tdec *t, const struct mstream *m, const size_t *cuts,
		     size_t ncuts, uint64_t keep, const char *where)
{
	size_t bounds[MS_BYTES + 1], nseg = 0;

	bounds[0] = 0;
	for (size_t c = 0; c < ncuts; c++)
		if (cuts[c] > bounds[nseg] && cuts[c] < m->len)
			bounds[++nseg] = cuts[c];
	bounds[++nseg] = m->len;
	tdec_restart(t, keep, false);
	feed_cut(t, m, bounds, nseg, NULL);
	check_model(t, m, bounds, nseg, NULL, keep, where);
	assert_true(t->d.keep_cap <= keep); /* kept bytes never exceed the bound */
	{
		size_t before = t->r->nanoms;
		end(t, FC_END_FIN, 999);
		assert_int_equal(t->r->nanoms, before); /* ended at a boundary */
	}
}

/* Every single cut, every pair of cuts, and one byte at a time. */
static void run_all_cuts(struct tdec *t, const struct mstream *m, bool pairs,
			 uint64_t keep, const char *name)
{
	char where[96];
	size_t cuts[MS_BYTES];

	run_cuts(t, m, NULL, 0, keep, name);
	for (size_t i = 1; i < m->len; i++) {
		snprintf(where, sizeof(where), "%s cut at %zu", name, i);
		run_cuts(t, m, &i, 1, keep, where);
	}
	if (pairs) {
		for (size_t i = 1; i < m->len; i++) {
			for (size_t j = i + 1; j < m->len; j++) {
				size_t c2[2] = { i, j };
				snprintf(where, sizeof(where), "%s cut at %zu,%zu", name, i, j);
				run_cuts(t, m, c2, 2, keep, where);
			}
		}
	}
	for (size_t i = 0; i < m->len; i++)
		cuts[i] = i + 1;
	snprintf(where, sizeof(where), "%s byte by byte", name);
	run_cuts(t, m, cuts, m->len, keep, where);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Writes at b a frame of the default profile (a 4-byte little-endian
 * length, then the payload): the n bytes of text, its length field
 * saying n + extra; returns its size. */
static size_t frame_with(uint8_t *b, const char *text, int extra)
{
	size_t n = strlen(text);

	put_le32(b, (uint32_t)((int)n + extra));
	memcpy(b + 4, text, n);
	return n + 4;
}

/* --- simple placements ---------------------------------------------------- */

static void test_one_frame_one_segment(void **state)
{
	(void)state;
	static const uint8_t b[] = { 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o' };
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_frame *f;
	const struct fc_segment *s;

	feed(t, 0, b, sizeof(b), 7, true);
	assert_string_equal(t->r->log, "FS");
	assert_int_equal(t->r->nframes, 1);
	f = &t->r->frames[0].f;
	assert_int_equal(f->index, 0);
	assert_int_equal(f->offset, 0);
	assert_int_equal(f->header_len, 4);
	assert_int_equal(f->length, 5);
	assert_int_equal(f->payload_len, 5);
	assert_int_equal(f->payload_missing, 0);
	assert_int_equal(f->npackets, 1);
	assert_int_equal(f->npackets_total, 1);
	assert_int_equal(f->packets[0], 7);
	assert_false(f->split);
	assert_false(f->sticky);
	assert_false(f->header_split);
	assert_false(f->resynced);
	assert_int_equal(f->pkt_last, 7);
	assert_int_equal(f->ts_us, 7000);
	assert_int_equal(f->payload_kept, 5);
	assert_memory_equal(f->payload, "hello", 5);

	s = &t->r->segs[0].s;
	assert_int_equal(s->pkt.num, 7);
	assert_int_equal(s->offset, 0);
	assert_int_equal(s->len, 9);
	assert_int_equal(s->npieces, 1);
	assert_int_equal(s->unframed, 0);
	assert_false(s->out_of_order);
	assert_int_equal(s->pieces[0].frame_index, 0);
	assert_int_equal(s->pieces[0].flags,
			 FC_PIECE_START | FC_PIECE_END | FC_PIECE_LENGTH);
	assert_int_equal(s->pieces[0].length, 5);
	assert_int_equal(s->pieces[0].payload_len, 5);
	assert_int_equal(s->pieces[0].header_bytes, 4);
	assert_int_equal(s->pieces[0].payload_n, 5);
	assert_int_equal(t->r->segs[0].payload_at[0], 4);
	assert_int_equal(s->pieces[0].nsegs, 1);

	assert_dstats(t, 1, 9, 1, 0, 0, 1);
	tdec_free(t);
}

static void test_two_frames_one_segment(void **state)
{
	(void)state;
	static const uint8_t b[] = { 2, 0, 0, 0, 'h', 'i', 3, 0, 0, 0, 'y', 'o', 'u' };
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_segment *s;

	feed(t, 0, b, sizeof(b), 1, true);
	assert_string_equal(t->r->log, "FFS");
	assert_int_equal(t->r->nframes, 2);
	for (int i = 0; i < 2; i++) {
		const struct fc_frame *f = &t->r->frames[i].f;
		assert_int_equal(f->index, i);
		assert_true(f->sticky);
		assert_false(f->split);
		assert_int_equal(f->npackets, 1);
		assert_int_equal(f->packets[0], 1);
	}
	assert_int_equal(t->r->frames[0].f.offset, 0);
	assert_int_equal(t->r->frames[0].f.payload_len, 2);
	assert_memory_equal(t->r->frames[0].f.payload, "hi", 2);
	assert_int_equal(t->r->frames[1].f.offset, 6);
	assert_int_equal(t->r->frames[1].f.payload_len, 3);
	assert_memory_equal(t->r->frames[1].f.payload, "you", 3);

	s = &t->r->segs[0].s;
	assert_int_equal(s->npieces, 2);
	assert_int_equal(s->pieces[0].frame_index, 0);
	assert_int_equal(s->pieces[1].frame_index, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(s->pieces[i].flags,
				 FC_PIECE_START | FC_PIECE_END | FC_PIECE_LENGTH);
		assert_int_equal(s->pieces[i].header_bytes, 4);
		assert_int_equal(s->pieces[i].nsegs, 1);
	}
	assert_int_equal(s->pieces[0].payload_n, 2);
	assert_int_equal(t->r->segs[0].payload_at[0], 4);
	assert_int_equal(s->pieces[1].payload_n, 3);
	assert_int_equal(t->r->segs[0].payload_at[1], 10);
	assert_dstats(t, UNCHECKED, UNCHECKED, UNCHECKED, 1, UNCHECKED, 2);
	tdec_free(t);
}

static void test_split_two_segments(void **state)
{
	(void)state;
	static const uint8_t b[] = { 6, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f' };
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_frame *f;
	const struct fc_segment *s;

	feed(t, 0, b, 7, 3, true);
	assert_string_equal(t->r->log, "S");
	s = &t->r->segs[0].s;
	assert_int_equal(s->npieces, 1);
	assert_int_equal(s->pieces[0].flags, FC_PIECE_START | FC_PIECE_LENGTH);
	assert_int_equal(s->pieces[0].payload_n, 3);
	assert_int_equal(s->pieces[0].nsegs, 1);
	assert_int_equal(s->pieces[0].length, 6);

	feed(t, 7, b + 7, 3, 4, true);
	assert_string_equal(t->r->log, "SFS");
	s = &t->r->segs[1].s;
	assert_int_equal(s->npieces, 1);
	assert_int_equal(s->pieces[0].flags, FC_PIECE_END | FC_PIECE_LENGTH);
	assert_int_equal(s->pieces[0].header_bytes, 0);
	assert_int_equal(s->pieces[0].payload_n, 3);
	assert_int_equal(t->r->segs[1].payload_at[0], 0);
	assert_int_equal(s->pieces[0].nsegs, 2);

	f = &t->r->frames[0].f;
	assert_true(f->split);
	assert_false(f->sticky);
	assert_false(f->header_split);
	assert_int_equal(f->npackets, 2);
	assert_int_equal(f->packets[0], 3);
	assert_int_equal(f->packets[1], 4);
	assert_int_equal(f->pkt_last, 4);
	assert_int_equal(f->ts_us, 4000);
	assert_memory_equal(f->payload, "abcdef", 6);
	assert_dstats(t, UNCHECKED, UNCHECKED, UNCHECKED, 0, 1, UNCHECKED);
	tdec_free(t);
}

static void test_split_three_segments(void **state)
{
	(void)state;
	/* frame 0 over packets 10, 11, 12; frame 1 shares packet 12. */
	static const uint8_t b[] = { 8, 0, 0, 0, '1', '2', '3', '4', '5', '6', '7', '8',
				     1, 0, 0, 0, 'z' };
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_frame *f;

	feed(t, 0, b, 2, 10, true);
	feed(t, 2, b + 2, 6, 11, true);
	feed(t, 8, b + 8, 9, 12, true);
	assert_string_equal(t->r->log, "SSFFS");
	assert_int_equal(t->r->nframes, 2);
	f = &t->r->frames[0].f;
	assert_true(f->split);
	assert_true(f->sticky);
	assert_true(f->header_split);
	assert_int_equal(f->npackets, 3);
	assert_int_equal(f->packets[0], 10);
	assert_int_equal(f->packets[1], 11);
	assert_int_equal(f->packets[2], 12);
	assert_memory_equal(f->payload, "12345678", 8);
	f = &t->r->frames[1].f;
	assert_false(f->split);
	assert_true(f->sticky);
	assert_int_equal(f->offset, 12);

	/* pieces: header split in #10, completed in #11 */
	assert_int_equal(t->r->segs[0].s.pieces[0].flags,
			 FC_PIECE_START | FC_PIECE_HEADER_SPLIT);
	assert_int_equal(t->r->segs[0].s.pieces[0].header_bytes, 2);
	assert_int_equal(t->r->segs[1].s.pieces[0].flags,
			 FC_PIECE_LENGTH | FC_PIECE_HEADER_SPLIT);
	assert_int_equal(t->r->segs[1].s.pieces[0].header_bytes, 2);
	assert_int_equal(t->r->segs[1].s.pieces[0].payload_n, 4);
	assert_int_equal(t->r->segs[1].s.pieces[0].nsegs, 2);
	assert_int_equal(t->r->segs[2].s.npieces, 2);
	assert_int_equal(t->r->segs[2].s.pieces[0].flags, FC_PIECE_END | FC_PIECE_LENGTH);
	assert_int_equal(t->r->segs[2].s.pieces[0].nsegs, 3);
	assert_int_equal(t->r->segs[2].s.pieces[1].flags,
			 FC_PIECE_START | FC_PIECE_END | FC_PIECE_LENGTH);
	assert_int_equal(t->r->segs[2].s.pieces[1].nsegs, 1);
	assert_dstats(t, UNCHECKED, UNCHECKED, UNCHECKED, 1, 1, 2);
	tdec_free(t);
}

/* Two decoders on one scratch, as an engine's connections are: each frame
 * left open at a segment's end moves into its decoder's own block, and
 * one decoded whole in the meantime by the other (in the scratch's block)
 * does not disturb it. A direction whose segments end on frame
 * boundaries holds no block between calls. */
static void test_open_frames_share_scratch(void **state)
{
	(void)state;
	static const uint8_t a[] = { 6, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f' };
	static const uint8_t b[] = { 2, 0, 0, 0, 'x', 'y', 3, 0, 0, 0, 'p', 'q', 'r' };
	struct tdec *t1 = tdec_new(NULL, 64, false), *t2 = tdec_new(NULL, 64, false);
	const struct fc_frame *f;

	fc_decoder_free(&t2->d);
	fc_decoder_init(&t2->d, &t2->prof, 64, false, &t1->scratch, &rec_ops, t2->r);
	feed(t1, 0, a, 7, 1, true);
	assert_non_null(t1->d.fr);
	assert_ptr_not_equal(t1->d.fr, &t1->scratch.frame);
	feed(t2, 0, b, 6, 2, true);
	assert_null(t2->d.fr);
	feed(t2, 6, b + 6, 2, 3, true); /* a header cut in two */
	assert_non_null(t2->d.fr);
	assert_ptr_not_equal(t2->d.fr, &t1->scratch.frame);
	assert_ptr_not_equal(t2->d.fr, t1->d.fr);
	feed(t1, 7, a + 7, 3, 4, true);
	assert_null(t1->d.fr);
	feed(t2, 8, b + 8, 5, 5, true);
	assert_null(t2->d.fr);

	assert_int_equal(t1->r->nframes, 1);
	f = &t1->r->frames[0].f;
	assert_int_equal(f->length, 6);
	assert_int_equal(f->npackets, 2);
	assert_int_equal(f->packets[0], 1);
	assert_int_equal(f->packets[1], 4);
	assert_memory_equal(f->payload, "abcdef", 6);
	assert_int_equal(t2->r->nframes, 2);
	f = &t2->r->frames[1].f;
	assert_int_equal(f->index, 1);
	assert_int_equal(f->offset, 6);
	assert_int_equal(f->length, 3);
	assert_true(f->header_split);
	assert_int_equal(f->npackets, 2);
	assert_int_equal(f->packets[0], 3);
	assert_int_equal(f->packets[1], 5);
	assert_memory_equal(f->payload, "pqr", 3);
	assert_int_equal(t1->r->nanoms + t2->r->nanoms, 0);
	tdec_free(t2);
	tdec_free(t1);
}

/* --- cuts everywhere ------------------------------------------------------- */

static void test_every_cut_default(void **state)
{
	(void)state;
	struct tdec *t = tdec_new(NULL, 4096, false);
	struct mstream *m = ms_new(&t->prof, (const uint64_t[]){ 5, 1, 9 }, 3);

	run_all_cuts(t, m, true, 4096, "3 frames");

	/* header_split exactly when a cut falls strictly inside a header */
	for (size_t i = 1; i < m->len; i++) {
		run_cuts(t, m, &i, 1, 4096, "header_split");
		for (size_t k = 0; k < m->nfr; k++) {
			bool inside = i > m->fr[k].off && i < m->fr[k].off + 4;
			assert_int_equal(t->r->frames[k].f.header_split, inside);
		}
	}
	free(m);
	tdec_free(t);
}

static void test_every_cut_payload_keep(void **state)
{
	(void)state;
	struct tdec *t = tdec_new(NULL, 3, false);
	struct mstream *m = ms_new(&t->prof, (const uint64_t[]){ 7, 0, 2, 3 }, 4);

	run_all_cuts(t, m, false, 3, "keep 3");
	run_all_cuts(t, m, false, 0, "keep 0");
	free(m);
	tdec_free(t);
}

static void test_zero_length_frames(void **state)
{
	(void)state;
	struct tdec *t = tdec_new(NULL, 64, false);
	/* eleven empty frames, one of 2 bytes, one more empty */
	struct mstream *m = ms_new(&t->prof,
				   (const uint64_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0 }, 13);
	const struct fc_segment *s;

	/* All in one segment: 13 frames, pieces elided past 8. */
	run_cuts(t, m, NULL, 0, 64, "zero one segment");
	assert_int_equal(t->r->nframes, 13);
	for (int i = 0; i < 13; i++) {
		assert_int_equal(t->r->frames[i].f.offset, 4 * i + (i == 12 ? 2 : 0));
		assert_true(t->r->frames[i].f.sticky);
		assert_int_equal(t->r->frames[i].f.payload_kept, i == 11 ? 2 : 0);
	}
	s = &t->r->segs[0].s;
	assert_int_equal(s->npieces, 13);
	assert_int_equal(s->pieces[0].frame_index, 0);
	assert_int_equal(s->pieces[6].frame_index, 6);
	assert_int_equal(s->pieces[FC_SEG_PIECES_MAX - 1].frame_index, 12);
	assert_int_equal(s->pieces[FC_SEG_PIECES_MAX - 1].flags,
			 FC_PIECE_START | FC_PIECE_END | FC_PIECE_LENGTH);
	assert_dstats(t, UNCHECKED, UNCHECKED, UNCHECKED, 1, UNCHECKED, 13);

	run_all_cuts(t, m, false, 64, "zero-length frames");
	free(m);
	tdec_free(t);
}

/* --- profile fields -------------------------------------------------------- */

/* Decode one hand-written frame in one segment; check its length fields. */
static void one_literal(const struct fc_profile *p, const uint8_t *b, size_t n,
			int64_t length, uint64_t payload_len)
{
	struct tdec *t = tdec_new(p, 64, false);
	const struct fc_frame *f;

	feed(t, 0, b, (uint32_t)n, 1, true);
	assert_int_equal(t->r->nanoms, 0);
	assert_int_equal(t->r->nframes, 1);
	f = &t->r->frames[0].f;
	assert_int_equal(f->length, length);
	assert_int_equal(f->payload_len, payload_len);
	assert_int_equal(f->header_len, p->header_size);
	assert_int_equal(f->header_len + f->payload_len, n);
	assert_memory_equal(f->payload, b + p->header_size, payload_len);
	tdec_free(t);
}

static void profile_streams(const struct fc_profile *p, const char *name)
{
	struct tdec *t = tdec_new(p, 4096, false);
	struct mstream *m = ms_new(&t->prof, (const uint64_t[]){ 3, 0, 6 }, 3);

	run_all_cuts(t, m, false, 4096, name);
	free(m);
	tdec_free(t);
}

static void test_profile_length_offset(void **state)
{
	(void)state;
	struct fc_profile p;
	/* 2 magic bytes, 2-byte LE length, no more header */
	static const uint8_t b[] = { 0xCA, 0xFE, 3, 0, 'a', 'b', 'c' };

	fc_profile_default(&p);
	p.length_offset = 2;
	p.length_size = 2;
	p.header_size = 4;
	one_literal(&p, b, sizeof(b), 3, 3);
	profile_streams(&p, "offset 2 size 2");
}

/* A length field's layout and one hand-written frame under it: the
 * frame's bytes, the length they carry and the payload that follows. */
struct literal_case {
	enum fc_byte_order byte_order;
	uint32_t length_size; /* = header_size */
	bool is_signed;
	const uint8_t *b;
	size_t n;
	int64_t length;
	uint64_t payload_len;
	const char *name;
};

/* one_literal() and profile_streams() under each of c[0..n), the
 * default profile otherwise. */
static void literal_cases(const struct literal_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fc_profile p;

		fc_profile_default(&p);
		p.byte_order = c[i].byte_order;
		p.length_size = c[i].length_size;
		p.header_size = c[i].length_size;
		p.is_signed = c[i].is_signed;
		one_literal(&p, c[i].b, c[i].n, c[i].length, c[i].payload_len);
		profile_streams(&p, c[i].name);
	}
}

static void test_profile_length_sizes(void **state)
{
	(void)state;
	static const uint8_t b1[] = { 2, 'x', 'y' };
	static const uint8_t b2[] = { 0x01, 0x01, [258] = 0 };
	static const uint8_t b3[] = { 4, 0, 0, 'a', 'b', 'c', 'd' };
	static const uint8_t b8[] = { 1, 0, 0, 0, 0, 0, 0, 0, '!' };
	static const struct literal_case cases[] = {
		{ FC_LITTLE_ENDIAN, 1, false, b1, sizeof(b1), 2, 2, "size 1" },
		{ FC_LITTLE_ENDIAN, 2, false, b2, sizeof(b2), 257, 257, "size 2" },
		{ FC_LITTLE_ENDIAN, 3, true, b3, sizeof(b3), 4, 4, "size 3" },
		{ FC_LITTLE_ENDIAN, 8, true, b8, sizeof(b8), 1, 1, "size 8" },
	};

	literal_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_profile_big_endian(void **state)
{
	(void)state;
	static const uint8_t b4[] = { 0, 0, 0, 2, 'o', 'k' };
	static const uint8_t b3[] = { 0, 0, 3, 'a', 'b', 'c' };
	static const uint8_t b8[] = { 0, 0, 0, 0, 0, 0, 0, 1, '?' };
	static const struct literal_case cases[] = {
		{ FC_BIG_ENDIAN, 4, true, b4, sizeof(b4), 2, 2, "be 4" },
		{ FC_BIG_ENDIAN, 3, true, b3, sizeof(b3), 3, 3, "be 3" },
		{ FC_BIG_ENDIAN, 8, false, b8, sizeof(b8), 1, 1, "be 8 unsigned" },
	};

	literal_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_profile_adjustment_includes_header(void **state)
{
	(void)state;
	struct fc_profile p;
	/* length 9 counts the 4-byte header and 5 payload bytes */
	static const uint8_t b[] = { 0, 0, 0, 9, 'h', 'e', 'l', 'l', 'o' };
	static const uint8_t empty[] = { 0, 0, 0, 4 };

	fc_profile_default(&p);
	p.byte_order = FC_BIG_ENDIAN;
	p.length_adjustment = -4;
	one_literal(&p, b, sizeof(b), 9, 5);
	one_literal(&p, empty, sizeof(empty), 4, 0);
	profile_streams(&p, "adj -4");
}

static void test_profile_header_beyond_length(void **state)
{
	(void)state;
	struct fc_profile p;
	/* 2-byte LE length, then 4 more header bytes (say flags, id): the
	 * length counts everything after the field, 4 + 3 */
	static const uint8_t b[] = { 7, 0, 0xAA, 0xBB, 0xCC, 0xDD, 'x', 'y', 'z' };
	struct tdec *t;

	fc_profile_default(&p);
	p.length_size = 2;
	p.header_size = 6;
	one_literal(&p, b, sizeof(b), 7, 3);
	profile_streams(&p, "header 6");

	/* a cut between the length field and the header's end */
	t = tdec_new(&p, 64, false);
	feed(t, 0, b, 3, 1, true);
	assert_int_equal(t->r->segs[0].s.pieces[0].flags,
			 FC_PIECE_START | FC_PIECE_LENGTH | FC_PIECE_HEADER_SPLIT);
	assert_int_equal(t->r->segs[0].s.pieces[0].length, 7);
	assert_int_equal(t->r->segs[0].s.pieces[0].payload_len, 3);
	assert_int_equal(t->r->segs[0].s.pieces[0].header_bytes, 3);
	feed(t, 3, b + 3, 6, 2, true);
	assert_int_equal(t->r->nframes, 1);
	assert_true(t->r->frames[0].f.header_split);
	assert_memory_equal(t->r->frames[0].f.payload, "xyz", 3);
	assert_int_equal(t->r->segs[1].s.pieces[0].header_bytes, 3);
	assert_int_equal(t->r->segs[1].payload_at[0], 3);
	tdec_free(t);

	/* length offset 3, header 7, adjustment +2 */
	fc_profile_default(&p);
	p.length_offset = 3;
	p.length_size = 2;
	p.byte_order = FC_BIG_ENDIAN;
	p.header_size = 7;
	p.length_adjustment = 2;
	profile_streams(&p, "offset 3 header 7 adj 2");
}

static void test_signed_unsigned_all_ones(void **state)
{
	(void)state;
	static const uint8_t b[] = { 0xFF, 0xFF, 0xFF, 0xFF, 'x' };
	struct fc_profile p;
	struct tdec *t;

	fc_profile_default(&p);
	t = tdec_new(&p, 64, false);
	feed(t, 0, b, sizeof(b), 1, true);
	assert_int_equal(t->r->nframes, 0);
	assert_int_equal(t->r->nanoms, 1);
	assert_anom(t, 0, FC_AN_NEGATIVE, 0, UNCHECKED);
	assert_non_null(strstr(t->r->anoms[0].detail, "-1"));
	assert_int_equal(t->r->segs[0].s.pieces[0].length, -1);
	assert_int_equal(t->r->segs[0].s.pieces[0].flags, FC_PIECE_START | FC_PIECE_ERROR);
	assert_int_equal(t->d.stats.anomalies[FC_AN_NEGATIVE], 1);
	tdec_free(t);

	p.is_signed = false;
	t = tdec_new(&p, 64, false);
	feed(t, 0, b, sizeof(b), 1, true);
	assert_int_equal(t->r->nframes, 0);
	assert_int_equal(t->r->nanoms, 1);
	assert_int_equal(t->r->anoms[0].a.kind, FC_AN_OVERSIZE);
	assert_non_null(strstr(t->r->anoms[0].detail, "4294967295"));
	assert_int_equal(t->r->segs[0].s.pieces[0].length, 4294967295LL);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	tdec_free(t);
}

/* --- bad lengths, losing and finding the frames again ---------------------- */

static void test_oversize_then_resync(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct rseg *rs;

	/* #1: frame 0 (2 bytes), then a 32 MiB header and 6 more bytes */
	put_le32(b, 2);
	b[4] = 'o';
	b[5] = 'k';
	put_le32(b + 6, 32u << 20);
	memset(b + 10, 'j', 6);
	feed(t, 0, b, 16, 1, true);
	/* 00 00 00 02 would be 2 as big-endian, but "jjjj" after those two
	 * bytes is no header in that order either: no endian_suspect */
	assert_string_equal(t->r->log, "FAS");
	assert_int_equal(t->r->nframes, 1);
	assert_true(t->r->frames[0].f.sticky);
	assert_int_equal(t->r->anoms[0].a.kind, FC_AN_OVERSIZE);
	assert_int_equal(t->r->anoms[0].a.frame, 1);
	assert_int_equal(t->r->anoms[0].a.u.oversize.length, 32 << 20);
	assert_int_equal(t->r->anoms[0].a.u.oversize.max_frame, t->prof.max_frame);
	assert_int_equal(t->r->anoms[0].a.offset, 6);
	assert_int_equal(t->r->anoms[0].a.pkt, 1);
	assert_int_equal(t->r->anoms[0].a.ts_us, 1000);
	rs = &t->r->segs[0];
	assert_int_equal(rs->s.npieces, 2);
	assert_int_equal(rs->s.pieces[1].frame_index, 1);
	assert_int_equal(rs->s.pieces[1].flags, FC_PIECE_START | FC_PIECE_ERROR);
	assert_int_equal(rs->s.pieces[1].header_bytes, 4);
	assert_int_equal(rs->s.pieces[1].length, 32 << 20);
	assert_int_equal(rs->s.unframed, 6);
	assert_int_equal(t->d.state, FC_DEC_LOST);

	/* #2 does not begin a packet: one plausible header whose frame runs
	 * past it is no evidence */
	put_le32(b, 9);
	b[4] = 'q';
	feed(t, 16, b, 5, 2, false);
	assert_int_equal(t->r->nframes, 1);
	assert_int_equal(t->r->segs[1].s.unframed, 5);
	assert_int_equal(t->r->segs[1].s.npieces, 0);

	/* #3 begins a packet with too few bytes for a length: still lost */
	feed(t, 21, b, 3, 3, true);
	assert_int_equal(t->r->segs[2].s.unframed, 3);
	assert_int_equal(t->r->nanoms, 1);

	/* #4 begins a packet with a valid header: resync */
	frame_with(b, "abc", 0);
	put_le32(b + 7, 0);
	feed(t, 24, b, 11, 4, true);
	/* the bad length came right after frame #0 and frames line up again
	 * a little further on: #0 probably carried more than it said */
	assert_string_equal(t->r->log, "FASSSAAFFS");
	assert_int_equal(t->r->anoms[1].a.kind, FC_AN_SHORT_FRAME);
	assert_int_equal(t->r->anoms[1].a.u.short_frame.promised, 2);
	assert_int_equal(t->r->anoms[1].a.u.short_frame.carried, 20);
	assert_anom(t, 2, FC_AN_RESYNC, 24, 4);
	/* lost at the bad frame's offset (6): 18 bytes went by */
	assert_int_equal(t->r->anoms[2].a.u.resync.skipped, 18);
	assert_non_null(strstr(t->r->anoms[2].detail, "after 18 skipped bytes"));
	assert_int_equal(t->r->nframes, 3);
	for (int i = 1; i < 3; i++) {
		const struct fc_frame *f = &t->r->frames[i].f;
		assert_true(f->resynced);
		assert_int_equal(f->index, i + 1); /* the bad header kept index 1 */
	}
	assert_int_equal(t->r->frames[1].f.offset, 24);
	assert_memory_equal(t->r->frames[1].f.payload, "abc", 3);
	assert_int_equal(t->r->frames[2].f.offset, 31);
	assert_int_equal(t->r->frames[2].f.payload_len, 0);
	rs = &t->r->segs[3];
	assert_int_equal(rs->s.unframed, 0);
	assert_int_equal(rs->s.npieces, 2);
	assert_int_equal(rs->s.pieces[0].flags, FC_PIECE_START | FC_PIECE_END |
							FC_PIECE_LENGTH | FC_PIECE_RESYNCED);
	assert_int_equal(t->d.stats.unframed_bytes, 14);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_RESYNC], 1);
	assert_int_equal(t->d.stats.frames, 3);
	assert_int_equal(t->d.stats.bytes, 35);
	tdec_free(t);
}

static void test_negative_lengths(void **state)
{
	(void)state;
	uint8_t b[16];
	struct fc_profile p;
	struct tdec *t = tdec_new(NULL, 64, false);

	/* a header split over two packets whose length turns out negative */
	put_le32(b, (uint32_t)-5);
	b[4] = 'x';
	feed(t, 0, b, 2, 1, true);
	assert_int_equal(t->r->nanoms, 0);
	feed(t, 2, b + 2, 3, 2, true);
	assert_int_equal(t->r->nanoms, 1);
	assert_anom(t, 0, FC_AN_NEGATIVE, 0, 2);
	assert_non_null(strstr(t->r->anoms[0].detail, "-5"));
	assert_int_equal(t->r->segs[1].s.pieces[0].flags, FC_PIECE_ERROR);
	assert_int_equal(t->r->segs[1].s.pieces[0].header_bytes, 2);
	assert_int_equal(t->r->segs[1].s.unframed, 1);
	assert_int_equal(t->d.stats.unframed_bytes, 1);
	tdec_free(t);

	/* length counts the header: 3 is shorter than the 4-byte header */
	fc_profile_default(&p);
	p.length_adjustment = -4;
	t = tdec_new(&p, 64, false);
	put_le32(b, 3);
	feed(t, 0, b, 4, 1, true);
	assert_int_equal(t->r->nanoms, 1);
	assert_int_equal(t->r->anoms[0].a.kind, FC_AN_NEGATIVE);
	assert_non_null(strstr(t->r->anoms[0].detail, "shorter"));
	assert_int_equal(t->r->nframes, 0);
	tdec_free(t);
}

static void test_huge_length_does_not_allocate(void **state)
{
	(void)state;
	struct fc_profile p;
	uint8_t b[1024];
	struct tdec *t;
	const struct ranom *a;

	fc_profile_default(&p);
	p.max_frame = 1ULL << 40;
	t = tdec_new(&p, 64, false);
	put_le32(b, 0x7FFFFFFF);
	for (size_t i = 4; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	feed(t, 0, b, sizeof(b), 1, true);
	for (int k = 1; k < 4; k++)
		feed(t, 1024 * (uint64_t)k, b, sizeof(b), 1 + (uint64_t)k, true);
	assert_int_equal(t->r->nframes, 0);
	assert_int_equal(t->r->nanoms, 0);
	assert_int_equal(t->d.state, FC_DEC_PAYLOAD);
	/* The open frame lives in a block of the decoder's own. */
	assert_non_null(t->d.fr);
	assert_ptr_not_equal(t->d.fr, &t->scratch.frame);
	assert_int_equal(t->d.fr->cur.payload_len, 0x7FFFFFFF);
	assert_int_equal(t->d.fr->cur.payload_kept, 64);
	assert_true(t->d.keep_cap <= 64);
	assert_memory_equal(t->d.keep_buf, b + 4, 64);
	assert_null(t->d.rare); /* 4 packets fit inline: no rare block */
	assert_int_equal(t->d.fr->remaining, 0x7FFFFFFFu - 4092);
	for (int k = 0; k < 4; k++)
		assert_int_equal(t->r->segs[k].s.pieces[0].payload_len, 0x7FFFFFFF);

	end(t, FC_END_CAPTURE, 5);
	assert_int_equal(t->r->nanoms, 1);
	a = &t->r->anoms[0];
	assert_int_equal(a->a.kind, FC_AN_INCOMPLETE);
	assert_int_equal(a->a.offset, 0);
	assert_non_null(strstr(a->detail, "4092 of 2147483647"));
	tdec_free(t);
}

static void test_payload_keep_bounds(void **state)
{
	(void)state;
	static const uint64_t sizes[] = { 0, 1, 63, 64, 65, 1000, 3 };
	struct tdec *t = tdec_new(NULL, 64, false);
	struct mstream *m = ms_new(&t->prof, sizes, sizeof(sizes) / sizeof(sizes[0]));
	size_t cut = 700;

	run_cuts(t, m, &cut, 1, 64, "keep 64");
	for (size_t i = 0; i < m->nfr; i++) {
		const struct fc_frame *f = &t->r->frames[i].f;
		assert_int_equal(f->payload_kept, sizes[i] < 64 ? sizes[i] : 64);
		assert_memory_equal(f->payload, m->b + m->fr[i].off + 4, f->payload_kept);
	}
	assert_true(t->d.keep_cap <= 64);
	free(m);
	tdec_free(t);
}

/* --- gaps --------------------------------------------------------------- */

static void test_gap_inside_payload(void **state)
{
	(void)state;
	uint8_t b[32];
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_frame *f;

	/* frame 0: 10 payload bytes; 3 of them (offsets 7..9) never seen */
	frame_with(b, "0123456789", 0);
	frame_with(b + 14, "ok", 0);
	feed(t, 0, b, 7, 1, true);
	gap(t, 7, 3, 3);
	assert_int_equal(t->r->nanoms, 1);
	assert_anom(t, 0, FC_AN_GAP, 7, 3);
	assert_non_null(strstr(t->r->anoms[0].detail, "still hold"));
	assert_int_equal(t->r->nframes, 0);
	feed(t, 10, b + 10, 10, 4, true);
	assert_string_equal(t->r->log, "SAFFS");
	assert_int_equal(t->r->nframes, 2);
	f = &t->r->frames[0].f;
	assert_int_equal(f->payload_len, 10);
	assert_int_equal(f->payload_missing, 3);
	assert_int_equal(f->payload_kept, 3); /* bytes after the hole not kept */
	assert_memory_equal(f->payload, "012", 3);
	assert_int_equal(f->npackets, 2);
	assert_int_equal(f->packets[0], 1);
	assert_int_equal(f->packets[1], 4);
	assert_true(f->sticky);
	f = &t->r->frames[1].f;
	assert_int_equal(f->offset, 14);
	assert_int_equal(f->payload_missing, 0);
	assert_false(f->resynced);
	assert_memory_equal(f->payload, "ok", 2);
	assert_int_equal(t->d.stats.anomalies[FC_AN_GAP], 1);
	assert_int_equal(t->d.stats.unframed_bytes, 0);
	tdec_free(t);
}

/* The report's event slots are reused from segment to segment: a frame
 * written into the slot of one with a hole (payload_missing, split) must
 * not keep any of its fields. The whole-frame path (fast_frame) and
 * frame_end (frame_event_add) write each field in place; this fails if
 * one is left out. */
static void test_event_slot_reuse(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_frame *f;
	size_t n = 0;

	n += frame_with(b + n, "0123456789", 0); /* 0..13, a hole at 7..9 */
	n += frame_with(b + n, "ok", 0); /* 14..19 */
	n += frame_with(b + n, "hi", 0); /* 20..25 */
	n += frame_with(b + n, "abcdef", 0); /* 26..35, over two segments */
	n += frame_with(b + n, "xy", 0); /* 36..41 */
	assert_int_equal(n, 42);
	feed(t, 0, b, 7, 1, true);
	gap(t, 7, 3, 3);
	feed(t, 10, b + 10, 4, 4, true); /* frame 0 ends, in slot 0 */
	feed(t, 14, b + 14, 16, 5, true); /* 1 and 2 whole, 3's header */
	feed(t, 30, b + 30, 12, 6, true); /* 3 ends, 4 whole */
	assert_int_equal(t->r->nframes, 5);
	f = &t->r->frames[0].f;
	assert_int_equal(f->payload_missing, 3);
	assert_true(f->split);
	for (size_t i = 1; i < 5; i++) {
		f = &t->r->frames[i].f;
		assert_int_equal(f->index, i);
		assert_int_equal(f->payload_missing, 0);
		assert_int_equal(f->trailer_len, 0);
		assert_int_equal(f->prelude, 0);
		assert_false(f->header_split);
		assert_false(f->resynced);
		assert_true(f->sticky);
		assert_int_equal(f->split, i == 3);
		assert_int_equal(f->npackets, i == 3 ? 2 : 1);
		assert_int_equal(f->npackets_total, i == 3 ? 2 : 1);
		assert_int_equal(f->packets[f->npackets - 1], i < 3 ? 5 : 6);
	}
	assert_memory_equal(t->r->frames[3].f.payload, "abcdef", 6);
	assert_memory_equal(t->r->frames[4].f.payload, "xy", 2);
	tdec_free(t);
}

static void test_gap_ends_payload(void **state)
{
	(void)state;
	uint8_t b[16];
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct fc_frame *f;

	/* the hole is exactly the rest of frame 0: it ends there */
	frame_with(b, "abcdef", 0);
	feed(t, 0, b, 6, 1, true);
	gap(t, 6, 4, 2);
	assert_string_equal(t->r->log, "SAF");
	assert_non_null(strstr(t->r->anoms[0].detail, "still hold"));
	f = &t->r->frames[0].f;
	assert_int_equal(f->payload_missing, 4);
	assert_int_equal(f->pkt_last, 2);
	assert_int_equal(f->npackets, 1);
	assert_false(f->split);
	assert_int_equal(t->d.state, FC_DEC_HEADER);
	/* the next frame decodes normally, even from a non-start piece */
	frame_with(b, "!", 0);
	feed(t, 10, b, 5, 3, false);
	assert_int_equal(t->r->nframes, 2);
	assert_int_equal(t->r->frames[1].f.offset, 10);
	assert_false(t->r->frames[1].f.resynced);

	/* a hole running past the frame's end loses the boundaries */
	tdec_restart(t, 64, false);
	put_le32(b, 6);
	feed(t, 0, b, 6, 1, true);
	gap(t, 6, 10, 2);
	assert_string_equal(t->r->log, "SAF");
	assert_non_null(strstr(t->r->anoms[0].detail, "lost"));
	assert_int_equal(t->r->frames[0].f.payload_missing, 4);
	assert_int_equal(t->d.state, FC_DEC_LOST);
	assert_non_null(t->d.rare);
	assert_int_equal(t->d.rare->lost_since, 10);
	/* zero-length frames alone prove nothing (zeros, padding) */
	put_le32(b, 0);
	feed(t, 16, b, 4, 3, true);
	assert_int_equal(t->r->nanoms, 1);
	frame_with(b, "ab", 0);
	feed(t, 20, b, 6, 4, true);
	assert_int_equal(t->r->anoms[1].a.kind, FC_AN_RESYNC);
	assert_non_null(strstr(t->r->anoms[1].detail, "after 10 skipped bytes"));
	assert_int_equal(t->r->nframes, 2);
	assert_true(t->r->frames[1].f.resynced);
	tdec_free(t);
}

static void test_gap_inside_header(void **state)
{
	(void)state;
	uint8_t b[16];
	struct tdec *t = tdec_new(NULL, 64, false);

	put_le32(b, 2);
	feed(t, 0, b, 2, 1, true);
	gap(t, 2, 2, 2);
	assert_int_equal(t->r->anoms[0].a.kind, FC_AN_GAP);
	assert_non_null(strstr(t->r->anoms[0].detail, "header"));
	assert_int_equal(t->d.state, FC_DEC_LOST);
	/* the rest of the frame, not at a packet start: unframed */
	feed(t, 4, (const uint8_t *)"hi", 2, 3, false);
	assert_int_equal(t->r->segs[1].s.unframed, 2);
	assert_int_equal(t->r->nframes, 0);
	/* a packet starting with a header: resync */
	frame_with(b, "x", 0);
	feed(t, 6, b, 5, 4, true);
	assert_string_equal(t->r->log, "SASAFS");
	assert_anom(t, 1, FC_AN_RESYNC, 6, UNCHECKED);
	assert_int_equal(t->r->nframes, 1);
	assert_int_equal(t->r->frames[0].f.index, 0);
	assert_int_equal(t->r->frames[0].f.offset, 6);
	assert_true(t->r->frames[0].f.resynced);
	assert_int_equal(t->d.stats.unframed_bytes, 2);

	/* a gap at a frame boundary also loses them (how many frames fell in?) */
	tdec_restart(t, 64, false);
	put_le32(b, 0);
	feed(t, 0, b, 4, 1, true);
	gap(t, 4, 8, 2);
	assert_non_null(strstr(t->r->anoms[0].detail, "next frame header was due"));
	assert_int_equal(t->d.state, FC_DEC_LOST);
	/* a gap while lost stays lost */
	gap(t, 12, 1, 3);
	assert_int_equal(t->d.state, FC_DEC_LOST);
	assert_int_equal(t->d.stats.anomalies[FC_AN_GAP], 2);
	tdec_free(t);
}

static void test_gap_completing_frame_without_packet(void **state)
{
	(void)state;
	uint8_t b[8];
	struct tdec *t = tdec_new(NULL, 64, false);

	/* The end of a capture may report a hole with no packet at hand. */
	put_le32(b, 4);
	memcpy(b + 4, "ab", 2);
	feed(t, 0, b, 6, 1, true);
	fc_decoder_gap(&t->d, 6, 2, NULL, "never captured");
	assert_int_equal(t->r->nanoms, 1);
	assert_int_equal(t->r->anoms[0].a.pkt, 0);
	assert_int_equal(t->r->nframes, 1);
	assert_int_equal(t->r->frames[0].f.payload_missing, 2);
	assert_int_equal(t->r->frames[0].f.pkt_last, 1);
	tdec_free(t);
}

/* --- stream edges -------------------------------------------------------- */

static void test_midstream(void **state)
{
	(void)state;
	uint8_t b[16];
	struct tdec *t = tdec_new(NULL, 64, true);

	assert_int_equal(t->d.state, FC_DEC_LOST);
	memcpy(b, "tail of frame", 13);
	feed(t, 0, b, 13, 1, false);
	/* nothing said yet: where decoding starts is not known */
	assert_string_equal(t->r->log, "S");
	assert_int_equal(t->r->segs[0].s.unframed, 13);

	frame_with(b, "new", 0);
	feed(t, 13, b, 7, 2, true);
	feed(t, 20, b, 7, 3, true);
	/* one midstream record where decoding starts, and no resync */
	assert_string_equal(t->r->log, "SAFSFS");
	assert_anom(t, 0, FC_AN_MIDSTREAM, 13, UNCHECKED);
	assert_int_equal(t->r->anoms[0].a.u.resync.skipped, 13);
	assert_int_equal(t->r->anoms[0].a.u.resync.evidence, FC_RESYNC_ALIGNED);
	assert_string_equal(t->r->anoms[0].detail,
			    "capture starts inside the connection; decoding starts after 13 "
			    "skipped bytes: 1 frame from here ends exactly where the packet ends "
			    "(a guess: frames from here are marked resynced)");
	assert_int_equal(t->r->nframes, 2);
	assert_true(t->r->frames[0].f.resynced);
	assert_true(t->r->frames[1].f.resynced);
	assert_int_equal(t->r->frames[1].f.offset, 20);
	assert_int_equal(t->d.stats.anomalies[FC_AN_MIDSTREAM], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_RESYNC], 0);

	/* a first packet that starts with a header: decoding starts there */
	tdec_restart(t, 64, true);
	feed(t, 100, b, 7, 1, true);
	assert_string_equal(t->r->log, "AFS");
	assert_anom(t, 0, FC_AN_MIDSTREAM, 100, UNCHECKED);
	assert_int_equal(t->r->anoms[0].a.u.resync.skipped, 0);
	assert_int_equal(t->r->frames[0].f.offset, 100);

	/* never a chain: said once, at the end, with the bytes seen */
	tdec_restart(t, 64, true);
	feed(t, 0, (const uint8_t *)"no frames at all here", 21, 1, false);
	end(t, FC_END_FIN, 2);
	assert_int_equal(t->d.stats.anomalies[FC_AN_MIDSTREAM], 1);
	assert_int_equal(t->r->anoms[0].a.kind, FC_AN_MIDSTREAM);
	assert_int_equal(t->r->anoms[0].a.u.resync.evidence, FC_RESYNC_NONE);
	assert_non_null(strstr(t->r->anoms[0].detail, "no chain of plausible frames in 21 bytes"));
	tdec_free(t);
}

static void test_end_reasons(void **state)
{
	(void)state;
	uint8_t b[16];
	struct tdec *t = tdec_new(NULL, 64, false);
	static const struct {
		enum fc_end_reason why;
		enum fc_anomaly_kind kind;
	} cases[] = {
		{ FC_END_FIN, FC_AN_TRUNCATED },
		{ FC_END_RST, FC_AN_TRUNCATED },
		{ FC_END_CAPTURE, FC_AN_INCOMPLETE },
		{ FC_END_EVICTED, FC_AN_INCOMPLETE },
	};

	frame_with(b, "a", 0);
	put_le32(b + 5, 8);
	memcpy(b + 9, "abc", 3);
	for (size_t c = 0; c < 4; c++) {
		/* inside a payload */
		tdec_restart(t, 64, false);
		feed(t, 0, b, 12, 1, true);
		end(t, cases[c].why, 2);
		assert_int_equal(t->r->nanoms, 1);
		assert_anom(t, 0, cases[c].kind, 5, 2);
		assert_non_null(strstr(t->r->anoms[0].detail, "3 of 8 payload"));
		assert_int_equal(t->d.stats.anomalies[cases[c].kind], 1);
		assert_int_equal(t->d.state, FC_DEC_DONE);
		/* nothing after the end */
		feed(t, 12, b, 5, 3, true);
		end(t, cases[c].why, 3);
		assert_int_equal(t->r->nframes, 1);
		assert_int_equal(t->r->nanoms, 1);
		assert_int_equal(t->d.stats.bytes, 12);

		/* inside a header */
		tdec_restart(t, 64, false);
		feed(t, 0, b, 7, 1, true);
		end(t, cases[c].why, 2);
		assert_int_equal(t->r->nanoms, 1);
		assert_anom(t, 0, cases[c].kind, 5, UNCHECKED);
		assert_non_null(strstr(t->r->anoms[0].detail, "2 of 4 header"));

		/* at a boundary, or while lost: nothing to report */
		tdec_restart(t, 64, false);
		feed(t, 0, b, 5, 1, true);
		end(t, cases[c].why, 2);
		assert_int_equal(t->r->nanoms, 0);
		tdec_restart(t, 64, true);
		end(t, cases[c].why, 2);
		assert_int_equal(t->r->nanoms, 0);
	}
	tdec_free(t);
}

static void test_packets_ascending(void **state)
{
	(void)state;
	static const uint64_t pkts[] = { 9, 4, 7, 2 };
	struct tdec *t = tdec_new(NULL, 64, false);
	struct mstream *m = ms_new(&t->prof, (const uint64_t[]){ 12, 1 }, 2); /* [0,16), [16,21) */
	size_t bounds[] = { 0, 3, 9, 14, 0 };
	const struct fc_frame *f;

	bounds[4] = m->len;
	feed_cut(t, m, bounds, 4, pkts);
	check_model(t, m, bounds, 4, pkts, 64, "reordered packets");
	f = &t->r->frames[0].f;
	assert_int_equal(f->npackets, 4);
	assert_int_equal(f->packets[0], 2);
	assert_int_equal(f->packets[1], 4);
	assert_int_equal(f->packets[2], 7);
	assert_int_equal(f->packets[3], 9);
	assert_int_equal(f->pkt_last, 2);
	assert_false(t->r->segs[0].s.out_of_order);
	assert_true(t->r->segs[1].s.out_of_order);
	assert_true(t->r->segs[2].s.out_of_order);
	assert_true(t->r->segs[3].s.out_of_order);

	/* one packet delivered in two pieces is listed (and counted) once */
	tdec_restart(t, 64, false);
	feed(t, 0, m->b, 5, 6, true);
	feed(t, 5, m->b + 5, 5, 6, false);
	feed(t, 10, m->b + 10, 6, 5, true);
	f = &t->r->frames[0].f;
	assert_int_equal(f->npackets, 2);
	assert_int_equal(f->npackets_total, 2);
	assert_int_equal(f->packets[0], 5);
	assert_int_equal(f->packets[1], 6);
	assert_true(f->split);
	tdec_restart(t, 64, false);
	feed(t, 0, m->b, 5, 6, true);
	feed(t, 5, m->b + 5, 11, 6, false);
	assert_int_equal(t->r->frames[0].f.npackets_total, 1);
	assert_false(t->r->frames[0].f.split);
	assert_int_equal(t->d.stats.split_frames, 0);
	free(m);
	tdec_free(t);
}

static void test_many_packets_listed_up_to_max(void **state)
{
	(void)state;
	enum { N = FC_FRAME_PACKETS_MAX + 100 };
	uint8_t *b = malloc(N + 8);
	struct tdec *t = tdec_new(NULL, 16, false);
	const struct fc_frame *f;

	assert_non_null(b);
	/* one frame over N one-byte packets, numbered downwards, then one more */
	put_le32(b, N - 4);
	memset(b + 4, 'p', N - 4);
	put_le32(b + N, 0);
	for (uint32_t i = 0; i < N; i++)
		feed(t, i, b + i, 1, 5000 - i, true);
	feed(t, N, b + N, 4, 6000, true);
	assert_int_equal(t->r->nframes, 2);
	f = &t->r->frames[0].f;
	assert_int_equal(f->npackets, FC_FRAME_PACKETS_MAX);
	assert_int_equal(f->npackets_total, N);
	assert_true(f->split);
	/* the first MAX packets seen, ascending */
	for (uint32_t j = 0; j < FC_FRAME_PACKETS_MAX; j++)
		assert_int_equal(f->packets[j], 5000 - (FC_FRAME_PACKETS_MAX - 1) + j);
	assert_int_equal(t->r->segs[N - 1].s.pieces[0].nsegs, N);
	/* the next frame's list starts afresh */
	f = &t->r->frames[1].f;
	assert_int_equal(f->npackets, 1);
	assert_int_equal(f->packets[0], 6000);
	assert_int_equal(t->d.stats.split_frames, 1);
	free(b);
	tdec_free(t);
}

static void test_stats_counters(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, false);
	size_t n = 0;

	/* #1: f0 whole, f1 whole, f2 head | #2: f2 tail | #3: f3..f5 whole */
	for (int i = 0; i < 6; i++) {
		put_le32(b + n, (uint32_t)i);
		n += 4;
		for (int j = 0; j < i; j++)
			b[n++] = (uint8_t)('a' + i);
	}
	/* f0 [0,4) f1 [4,9) f2 [9,15) f3 [15,22) f4 [22,30) f5 [30,39) */
	feed(t, 0, b, 12, 1, true);
	feed(t, 12, b + 12, 3, 2, true);
	feed(t, 15, b + 15, 24, 3, true);
	assert_int_equal(t->r->nframes, 6);
	assert_dstats(t, 6, 39, 3, 2, 1, 3);
	assert_true(t->r->frames[2].f.sticky);
	assert_true(t->r->frames[2].f.split);
	assert_true(t->r->frames[2].f.header_split); /* [9,13) cut at 12 */
	assert_true(t->r->frames[3].f.sticky);
	assert_int_equal(t->r->segs[1].s.npieces, 1);

	/* a zero-length feed is not a segment */
	feed(t, 39, b, 0, 4, true);
	assert_int_equal(t->d.stats.segments, 3);
	assert_int_equal(t->r->nsegs, 3);

	/* a gap is a report of its own, without a segment, typed and counted */
	{
		size_t nlog = t->r->nlog;

		fc_decoder_gap(&t->d, 39, 5, pk_ref(9), "cut by the test");
		fc_decoder_gap(&t->d, 44, 2, NULL, "again");
		assert_string_equal(t->r->log + nlog, "AA");
	}
	assert_int_equal(t->d.stats.anomalies[FC_AN_GAP], 2);
	assert_anom(t, 0, FC_AN_GAP, 39, 9);
	assert_int_equal(t->r->anoms[0].a.ts_us, 9000);
	assert_int_equal(t->r->anoms[0].a.u.gap.len, 5);
	assert_int_equal(t->r->anoms[0].a.u.gap.hit, FC_GAP_AT_BOUNDARY);
	assert_int_equal(t->r->anoms[0].a.frame, FC_NO_FRAME);
	assert_string_equal(t->r->anoms[0].detail, "5 bytes missing (cut by the test) where the next "
						   "frame header was due; frame boundaries lost");
	assert_int_equal(t->r->anoms[1].a.u.gap.hit, FC_GAP_WHILE_LOST);
	assert_int_equal(t->r->anoms[1].a.pkt, 0);
	tdec_free(t);
}

/* --- chains, resync inside a packet, diagnoses --------------------------- */

static void test_chain_walk(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_chain c;
	uint8_t b[64];

	fc_profile_default(&p);
	frame_with(b, "ab", 0);
	frame_with(b + 6, "cde", 0);
	fc_chain_walk(&p, b, 13, FC_CHAIN_WALK_MAX, &c);
	assert_int_equal(c.frames, 2);
	assert_true(c.aligned);
	assert_false(c.open);
	assert_false(c.broken);
	assert_int_equal(c.end, 13);
	assert_true(fc_chain_convincing(&c, false));

	/* the second frame runs past the bytes: open, not aligned */
	fc_chain_walk(&p, b, 11, FC_CHAIN_WALK_MAX, &c);
	assert_int_equal(c.frames, 1);
	assert_true(c.open);
	assert_false(c.aligned);
	assert_int_equal(fc_chain_headers(&c), 2);
	assert_false(fc_chain_convincing(&c, false));
	assert_true(fc_chain_convincing(&c, true)); /* a guess at a packet start */

	/* a header cut by the end is neither */
	fc_chain_walk(&p, b, 8, FC_CHAIN_WALK_MAX, &c);
	assert_int_equal(c.frames, 1);
	assert_false(c.open);
	assert_false(c.aligned);

	/* an implausible length breaks the chain, whatever came before */
	memcpy(b + 13, "text", 4);
	fc_chain_walk(&p, b, 20, FC_CHAIN_WALK_MAX, &c);
	assert_true(c.broken);
	assert_int_equal(c.frames, 2);
	assert_false(fc_chain_convincing(&c, true));

	/* zero-length frames only: never convincing */
	memset(b, 0, sizeof(b));
	fc_chain_walk(&p, b, 16, FC_CHAIN_WALK_MAX, &c);
	assert_int_equal(c.frames, 4);
	assert_true(c.aligned);
	assert_false(fc_chain_convincing(&c, true));

	/* three chained headers convince without alignment */
	for (int i = 0; i < 3; i++) {
		put_le32(b + 5 * i, 1);
		b[5 * i + 4] = 'x';
	}
	put_le32(b + 15, 100);
	fc_chain_walk(&p, b, 22, FC_CHAIN_WALK_MAX, &c);
	assert_int_equal(c.frames, 3);
	assert_true(c.open);
	assert_true(fc_chain_convincing(&c, false));
	fc_chain_walk(&p, b, 22, 2, &c); /* the walk stops at max_frames */
	assert_int_equal(c.frames, 2);
}

static void test_resync_inside_packet(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, true);
	const struct rseg *rs;

	/* the capture starts inside a frame: 5 bytes of its tail, then two
	 * whole frames in the same packet */
	memcpy(b, "tail!", 5);
	frame_with(b + 5, "abc", 0);
	frame_with(b + 12, "de", 0);
	feed(t, 0, b, 18, 1, true);
	assert_string_equal(t->r->log, "AFFS");
	assert_anom(t, 0, FC_AN_MIDSTREAM, 5, UNCHECKED);
	assert_non_null(strstr(t->r->anoms[0].detail, "after 5 skipped bytes"));
	assert_non_null(strstr(t->r->anoms[0].detail, "2 frames from here end exactly"));
	assert_int_equal(t->r->nframes, 2);
	assert_int_equal(t->r->frames[0].f.offset, 5);
	assert_true(t->r->frames[0].f.resynced);
	assert_memory_equal(t->r->frames[1].f.payload, "de", 2);
	rs = &t->r->segs[0];
	assert_int_equal(rs->s.unframed, 5);
	assert_int_equal(rs->s.npieces, 2);
	assert_int_equal(rs->s.pieces[0].frame_offset, 5);
	assert_int_equal(t->d.stats.unframed_bytes, 5);

	/* a plausible-looking length inside text does not fool it: the chain
	 * from "\x02\0\0\0" would end past the packet, unconfirmed */
	tdec_restart(t, 64, true);
	memcpy(b, "ab\x02\0\0\0xyzzy", 11);
	feed(t, 0, b, 11, 1, false);
	assert_int_equal(t->r->nframes, 0);
	assert_int_equal(t->d.stats.anomalies[FC_AN_RESYNC], 0);
	assert_int_equal(t->d.stats.anomalies[FC_AN_MIDSTREAM], 0);
	tdec_free(t);
}

/* endian_suspect is offered only when the other byte order decodes what
 * follows the bad header in the bytes at hand. */
static void test_endian_suspect_verified(void **state)
{
	(void)state;
	static const uint8_t be_frames[] = { 0, 0, 0, 2, 'o', 'k', 0, 0, 0, 3, 'a', 'b', 'c' };
	static const uint8_t be_runs_on[] = { 0, 0, 0, 9, 'o', 'k' };
	/* a one-byte reply, then big-endian framed messages: 'N' and the
	 * next header read little-endian as 0x52 = 82, which runs past */
	static const uint8_t one_byte_first[] = { 'N', 'R', 0, 0, 0, 8, 0, 0, 0, 0 };
	struct fc_profile p;
	struct tdec *t = tdec_new(NULL, 64, false);

	feed(t, 0, be_frames, sizeof(be_frames), 1, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_ENDIAN_SUSPECT], 1);
	assert_int_equal(t->r->anoms[1].a.u.endian.order, FC_BIG_ENDIAN);
	assert_int_equal(t->r->anoms[1].a.u.endian.length, 2);

	tdec_restart(t, 64, false);
	feed(t, 0, be_runs_on, sizeof(be_runs_on), 1, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_ENDIAN_SUSPECT], 0);
	tdec_free(t);

	fc_profile_default(&p); /* PostgreSQL-like: type byte, 4-byte BE length */
	p.length_offset = 1;
	p.byte_order = FC_BIG_ENDIAN;
	p.is_signed = false;
	p.length_adjustment = -4;
	p.header_size = 5;
	t = tdec_new(&p, 64, false);
	feed(t, 0, one_byte_first, sizeof(one_byte_first), 1, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_ENDIAN_SUSPECT], 0);
	tdec_free(t);
}

static void test_resync_guess_abandoned(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, true);

	/* a packet start with a plausible header whose frame runs on: a guess */
	put_le32(b, 6);
	memcpy(b + 4, "abc", 3);
	feed(t, 0, b, 7, 1, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_MIDSTREAM], 1);
	assert_int_equal(t->r->anoms[0].a.u.resync.evidence, FC_RESYNC_WEAK);
	assert_non_null(strstr(t->r->anoms[0].detail, "a plausible header starts the packet"));
	/* the frame completes, then the next "header" is text: the guess
	 * was wrong, which is no oversize of the stream's */
	memcpy(b, "defTEXT", 7);
	feed(t, 7, b, 7, 2, false);
	assert_int_equal(t->r->nframes, 1);
	assert_true(t->r->frames[0].f.resynced);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 0);
	assert_int_equal(t->d.stats.anomalies[FC_AN_RESYNC], 1);
	assert_int_equal(t->r->anoms[1].a.u.resync.evidence, FC_RESYNC_WRONG_GUESS);
	assert_non_null(strstr(t->r->anoms[1].detail, "resync guess was wrong"));
	assert_int_equal(t->d.state, FC_DEC_LOST);

	/* confirmed guesses count: after enough good headers, a bad length
	 * is the stream's again */
	frame_with(b, "x", 0);
	for (int i = 0; i < 4; i++)
		feed(t, 14 + 5 * i, b, 5, 3 + i, true);
	assert_int_equal(t->d.resync_unconfirmed, 0);
	feed(t, 34, (const uint8_t *)"TEXT", 4, 7, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	tdec_free(t);
}

static void test_adjustment_suspect(void **state)
{
	(void)state;
	static const char *const msgs[] = { "kinght love ", "aym", "third one", "fourth" };
	uint8_t b[64];
	uint64_t off = 0;
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct ranom *a = NULL;

	/* every length counts its 4-byte header: one packet per write */
	for (int i = 0; i < 4; i++) {
		size_t n = frame_with(b, msgs[i], 4);
		feed(t, off, b, (uint32_t)n, (uint64_t)i + 1, true);
		off += n;
	}
	for (size_t i = 0; i < t->r->nanoms; i++)
		if (t->r->anoms[i].a.kind == FC_AN_ADJUSTMENT_SUSPECT)
			a = &t->r->anoms[i];
	assert_non_null(a);
	assert_non_null(strstr(a->detail, "length_adjustment -4"));
	assert_non_null(strstr(a->detail, "counts the whole 4-byte header"));
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_ADJUSTMENT_SUSPECT], 1);

	/* two frames and a FIN inside the second: the shadow ends exactly
	 * with the stream */
	tdec_restart(t, 64, false);
	off = 0;
	for (int i = 0; i < 2; i++) {
		size_t n = frame_with(b, msgs[i], 4);
		feed(t, off, b, (uint32_t)n, (uint64_t)i + 1, true);
		off += n;
	}
	end(t, FC_END_FIN, 3);
	assert_int_equal(t->d.stats.anomalies[FC_AN_TRUNCATED], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_ADJUSTMENT_SUSPECT], 1);
	assert_non_null(strstr(t->r->anoms[t->r->nanoms - 1].detail, "end exactly with the stream"));
	assert_null(t->d.shadows);

	/* the other way round: the profile says the length counts the
	 * header, the sender counts the payload only */
	{
		struct fc_profile counts_header;

		fc_profile_default(&counts_header);
		counts_header.length_adjustment = -4;
		tdec_free(t);
		t = tdec_new(&counts_header, 64, false);
		off = 0;
		for (int i = 0; i < 4; i++) {
			size_t n = frame_with(b, msgs[i], 0);
			feed(t, off, b, (uint32_t)n, (uint64_t)i + 1, true);
			off += n;
		}
		/* the first packet fails at once, with one frame seen each way:
		 * too little to say; the FIN, where the shadow ends exactly,
		 * settles it */
		assert_int_equal(t->d.stats.anomalies[FC_AN_ADJUSTMENT_SUSPECT], 0);
		end(t, FC_END_FIN, 9);
		assert_int_equal(t->d.stats.anomalies[FC_AN_ADJUSTMENT_SUSPECT], 1);
		for (size_t i = 0; i < t->r->nanoms; i++)
			if (t->r->anoms[i].a.kind == FC_AN_ADJUSTMENT_SUSPECT)
				assert_non_null(strstr(t->r->anoms[i].detail,
						       "length_adjustment 0: the length leaves out the 4-byte header"));
	}

	/* a clean stream: no suspicion, and the shadows stop early */
	tdec_free(t);
	t = tdec_new(NULL, 64, false);
	off = 0;
	for (int i = 0; i < 100; i++) {
		size_t n = frame_with(b, msgs[i % 4], 0);
		feed(t, off, b, (uint32_t)n, (uint64_t)i + 1, true);
		off += n;
		if (i == 0)
			assert_non_null(t->d.shadows);
	}
	assert_null(t->d.shadows);
	end(t, FC_END_FIN, 200);
	assert_int_equal(t->r->nanoms, 0);
	tdec_free(t);
}

static void test_short_frame_promised_less(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct ranom *a = NULL;

	/* frame 0 says 3 but carries 7 ("h\xc3\xa9llo" counted in characters
	 * is the real-world case); its last 4 bytes read as a length: text */
	frame_with(b, "abcdefg", 3 - 7);
	feed(t, 0, b, 11, 1, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	feed(t, 11, b, (uint32_t)frame_with(b, "next", 0), 2, true);
	for (size_t i = 0; i < t->r->nanoms; i++)
		if (t->r->anoms[i].a.kind == FC_AN_SHORT_FRAME)
			a = &t->r->anoms[i];
	assert_non_null(a);
	/* reported where the frame really ended and frames begin again */
	assert_int_equal(a->a.offset, 11);
	assert_int_equal(a->a.pkt, 2);
	assert_non_null(strstr(a->detail, "frame #0 promised 3 payload bytes"));
	assert_non_null(strstr(a->detail, "frames line up from 4 bytes after its end (offset 11)"));
	assert_non_null(strstr(a->detail, "probably carried 7"));
	assert_non_null(strstr(a->detail, "promised less"));
	assert_int_equal(t->r->nframes, 2);
	assert_true(t->r->frames[1].f.resynced);
	assert_int_equal(t->r->frames[1].f.offset, 11);

	/* the same bytes after a gap prove nothing about frame 0 */
	tdec_restart(t, 64, false);
	frame_with(b, "abcdefg", 3 - 7);
	feed(t, 0, b, 11, 1, true);
	gap(t, 11, 5, 2);
	feed(t, 16, b, (uint32_t)frame_with(b, "next", 0), 3, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_SHORT_FRAME], 0);
	assert_int_equal(t->d.stats.anomalies[FC_AN_RESYNC], 1);
	tdec_free(t);
}

static void test_short_frame_promised_more(void **state)
{
	(void)state;
	uint8_t b[64];
	struct tdec *t = tdec_new(NULL, 64, false);
	const struct ranom *a = NULL;

	/* frame 0 promises 20 but its write carried 3; the next write (a
	 * whole frame) and text after it are swallowed into it */
	frame_with(b, "abc", 20 - 3);
	feed(t, 0, b, 7, 1, true);
	feed(t, 7, b, (uint32_t)frame_with(b, "hello", 0), 2, true);
	memcpy(b, "ZZZZZZZZZZZZ", 12);
	feed(t, 16, b, 12, 3, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	for (size_t i = 0; i < t->r->nanoms; i++)
		if (t->r->anoms[i].a.kind == FC_AN_SHORT_FRAME)
			a = &t->r->anoms[i];
	assert_non_null(a);
	assert_int_equal(a->a.offset, 7);
	assert_non_null(strstr(a->detail, "frame #0 promised 20 payload bytes"));
	assert_non_null(strstr(a->detail, "probably carried 3"));
	assert_non_null(strstr(a->detail, "promised more"));

	/* a long frame with nothing frame-like at its packet starts: the
	 * oversize after it is reported, and nothing is made up */
	tdec_restart(t, 64, false);
	frame_with(b, "abc", 20 - 3);
	feed(t, 0, b, 7, 1, true);
	memcpy(b, "WWWWWWWWWWWWWWWWWWWWW", 21);
	feed(t, 7, b, 21, 2, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_SHORT_FRAME], 0);

	/* the bad header began in the previous packet: nothing before it in
	 * this one to search (found by fuzzing: the search reached before
	 * the packet's bytes) */
	tdec_restart(t, 64, false);
	put_le32(b, 3);
	memcpy(b + 4, "abcZZ", 5);
	feed(t, 0, b, 9, 1, true);
	memcpy(b, "ZZZZZZ", 6);
	feed(t, 9, b, 6, 2, true);
	assert_int_equal(t->d.stats.anomalies[FC_AN_OVERSIZE], 1);
	assert_int_equal(t->d.stats.anomalies[FC_AN_SHORT_FRAME], 0);
	tdec_free(t);
}

static void test_resync_scan_budget(void **state)
{
	(void)state;
	static uint8_t junk[FC_RESYNC_SCAN_MAX + 4096];
	uint8_t b[64];
	uint64_t off = 0;
	struct tdec *t = tdec_new(NULL, 64, true);

	/* text is never a plausible length: everything stays unframed */
	memset(junk, 'x', sizeof(junk));
	for (size_t at = 0; at < sizeof(junk); at += 4096) {
		feed(t, off, junk + at, 4096, 1 + at / 4096, false);
		off += 4096;
	}
	assert_int_equal(t->r->nframes, 0);
	assert_true(t->d.rare && t->d.rare->lost_scanned >= FC_RESYNC_SCAN_MAX);
	/* past the budget a frame inside a packet is not searched for... */
	memcpy(b, "xxxx", 4);
	frame_with(b + 4, "hello", 0);
	feed(t, off, b, 13, 1000, true);
	off += 13;
	assert_int_equal(t->r->nframes, 0);
	/* ...but a packet that starts with frames still resyncs, and the
	 * budget starts over */
	feed(t, off, b + 4, (uint32_t)frame_with(b + 4, "hello", 0), 1001, true);
	assert_int_equal(t->r->nframes, 1);
	assert_int_equal(t->d.rare->lost_scanned, 0);
	tdec_free(t);
}

/* Decoders sharing a kept-payload budget: a frame whose bytes must be
 * copied keeps what the budget allows and is counted once; one that ends
 * in its segment is only pointed at and keeps all; freed decoders give
 * their bytes back. */
static void test_keep_budget(void **state)
{
	struct fc_keep_budget budget = { .max = 100 };
	struct tdec *a = tdec_new(NULL, 1000, false), *b = tdec_new(NULL, 1000, false);
	uint8_t buf[4 + 300];

	(void)state;
	fc_decoder_set_keep_budget(&a->d, &budget);
	fc_decoder_set_keep_budget(&b->d, &budget);
	for (int i = 0; i < 300; i++)
		buf[4 + i] = (uint8_t)i;
	/* a: a 300-byte payload in three segments of 100. */
	buf[0] = 44; buf[1] = 1; buf[2] = 0; buf[3] = 0; /* 300, little-endian */
	feed(a, 0, buf, 104, 1, true);
	assert_int_equal(budget.used, 100);
	feed(a, 104, buf + 104, 100, 2, true);
	feed(a, 204, buf + 204, 100, 3, true);
	assert_int_equal(a->r->nframes, 1);
	assert_int_equal(a->r->frames[0].f.payload_len, 300);
	assert_int_equal(a->r->frames[0].f.payload_kept, 100);
	assert_memory_equal(a->r->frames[0].payload, buf + 4, 100);
	assert_int_equal(budget.frames_cut, 1);
	assert_true(budget.used <= budget.max);
	/* b: a 50-byte frame in one segment keeps all of it (no copy). */
	buf[0] = 50; buf[1] = 0;
	feed(b, 0, buf, 54, 1, true);
	assert_int_equal(b->r->frames[0].f.payload_kept, 50);
	/* b: an 80-byte one over two segments finds the budget spent. */
	buf[0] = 80;
	feed(b, 54, buf, 44, 2, true);
	feed(b, 98, buf + 44, 40, 3, true);
	assert_int_equal(b->r->nframes, 2);
	assert_int_equal(b->r->frames[1].f.payload_len, 80);
	assert_int_equal(b->r->frames[1].f.payload_kept, 0);
	assert_int_equal(budget.frames_cut, 2);
	tdec_free(a);
	/* The budget is back: b's next split frame keeps all of it. */
	feed(b, 138, buf, 44, 4, true);
	feed(b, 182, buf + 44, 40, 5, true);
	assert_int_equal(b->r->frames[2].f.payload_kept, 80);
	assert_memory_equal(b->r->frames[2].payload, buf + 4, 80);
	assert_int_equal(budget.frames_cut, 2);
	tdec_free(b);
	assert_int_equal(budget.used, 0);
}

static void test_anomaly_names_and_free(void **state)
{
	(void)state;
	struct tdec *t = tdec_new(NULL, 64, false);
	uint8_t *b = calloc(1, 100);

	assert_string_equal(fc_anomaly_name(FC_AN_GAP), "gap");
	assert_string_equal(fc_anomaly_name(FC_AN_MIDSTREAM), "midstream");
	assert_string_equal(fc_anomaly_name(FC_AN_RESYNC), "resync");
	assert_string_equal(fc_anomaly_name(FC_AN_OVERSIZE), "oversize");
	assert_string_equal(fc_anomaly_name(FC_AN_NEGATIVE), "negative");
	assert_string_equal(fc_anomaly_name(FC_AN_TRUNCATED), "truncated");
	assert_string_equal(fc_anomaly_name(FC_AN_INCOMPLETE), "incomplete");
	assert_string_equal(fc_anomaly_name(FC_AN_RETRANSMIT_CONFLICT),
			    "retransmit_conflict");
	assert_string_equal(fc_anomaly_name(FC_AN__COUNT), "unknown");

	/* grow both buffers (packet list past inline, kept payload), free twice */
	assert_non_null(b);
	put_le32(b, 90);
	for (uint32_t i = 0; i < 20; i++)
		feed(t, i, b + i, 1, i + 1, true);
	assert_true(t->d.rare && t->d.rare->pkt_heap);
	assert_non_null(t->d.keep_buf);
	fc_decoder_free(&t->d);
	assert_null(t->d.rare);
	assert_null(t->d.keep_buf);
	fc_decoder_free(&t->d);
	free(b);
	tdec_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_frame_one_segment),
		cmocka_unit_test(test_two_frames_one_segment),
		cmocka_unit_test(test_split_two_segments),
		cmocka_unit_test(test_split_three_segments),
		cmocka_unit_test(test_open_frames_share_scratch),
		cmocka_unit_test(test_every_cut_default),
		cmocka_unit_test(test_every_cut_payload_keep),
		cmocka_unit_test(test_zero_length_frames),
		cmocka_unit_test(test_profile_length_offset),
		cmocka_unit_test(test_profile_length_sizes),
		cmocka_unit_test(test_profile_big_endian),
		cmocka_unit_test(test_profile_adjustment_includes_header),
		cmocka_unit_test(test_profile_header_beyond_length),
		cmocka_unit_test(test_signed_unsigned_all_ones),
		cmocka_unit_test(test_oversize_then_resync),
		cmocka_unit_test(test_negative_lengths),
		cmocka_unit_test(test_huge_length_does_not_allocate),
		cmocka_unit_test(test_payload_keep_bounds),
		cmocka_unit_test(test_gap_inside_payload),
		cmocka_unit_test(test_event_slot_reuse),
		cmocka_unit_test(test_gap_ends_payload),
		cmocka_unit_test(test_gap_inside_header),
		cmocka_unit_test(test_gap_completing_frame_without_packet),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_end_reasons),
		cmocka_unit_test(test_packets_ascending),
		cmocka_unit_test(test_many_packets_listed_up_to_max),
		cmocka_unit_test(test_stats_counters),
		cmocka_unit_test(test_chain_walk),
		cmocka_unit_test(test_resync_inside_packet),
		cmocka_unit_test(test_endian_suspect_verified),
		cmocka_unit_test(test_resync_guess_abandoned),
		cmocka_unit_test(test_adjustment_suspect),
		cmocka_unit_test(test_short_frame_promised_less),
		cmocka_unit_test(test_short_frame_promised_more),
		cmocka_unit_test(test_resync_scan_budget),
		cmocka_unit_test(test_keep_budget),
		cmocka_unit_test(test_anomaly_names_and_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
