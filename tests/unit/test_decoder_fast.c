/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_decoder_fast.c - the decoder's whole-frame path against its general
 * path, on the same bytes cut the same way.
 *
 *   bytes:  [hdr|payload][hdr|payload][hdr|pay ... load][hdr|...
 *   cuts:   |------ #1 ------|------------ #2 ------------|-- #3
 *   fast:    whole   whole    ^ general path: split frame
 *   general: fc_decoder_general_only, every frame
 *
 * Each decoder's reports are written out as text, every field of every
 * segment, piece, frame and anomaly (payload pointers as where they point:
 * into the segment at an offset, or to kept bytes by their content), and
 * then its counts; the two texts must be the same. The streams mix plain
 * frames with zero-length runs, bad lengths, resyncs, mid-stream starts,
 * gaps and a keep budget, under profiles of every field width and order,
 * and fixed records of several sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_decoder.h"
#include "fc_describe.h"
#include "fc_diagnose.h"
#include "unit_util.h"

/* --- reports as text ------------------------------------------------------ */

struct text {
	char *s;
	size_t n, cap;
	const uint8_t *data; /* the bytes of the fc_decoder_data call */
	uint32_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append printf-style text to t. */
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		assert_true(k >= 0);
		if ((size_t)k < t->cap - t->n)
			break;
		t->cap = t->cap * 2 + (size_t)k + 256;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->n += (size_t)k;
}

/* Where p points: into the call's bytes (@offset), elsewhere by its n
 * bytes' content (=hex), or nowhere. */
static void put_ptr(struct text *t, const uint8_t *p, uint64_t n)
{
	if (!p) {
		put(t, " null");
	} else if (t->data && p >= t->data && p <= t->data + t->len) {
		put(t, " @%td", p - t->data);
	} else {
		put(t, " =");
		for (uint64_t i = 0; i < n; i++)
			put(t, "%02x", p[i]);
	}
}

static void put_frame(struct text *t, const struct fc_frame *f)
{
	put(t, "F %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRIx64 " %" PRIu64 " %" PRIu64
	       " %u %u %u %u/%" PRIu64 " %d%d%d%d %" PRId64 " %" PRIu64 " %" PRIu64 " [",
	    f->index, f->offset, f->length, f->length_flags, f->payload_len, f->payload_missing,
	    f->header_len, f->trailer_len, f->prelude, f->npackets, f->npackets_total, f->split,
	    f->sticky, f->header_split, f->resynced, f->ts_us, f->pkt_last, f->payload_kept);
	for (uint32_t i = 0; i < f->npackets; i++)
		put(t, " %" PRIu64, f->packets[i]);
	put(t, " ]");
	/* Pointers beyond the kept bytes are never read: only say where
	 * kept bytes are. */
	if (f->payload_kept)
		put_ptr(t, f->payload, f->payload_kept);
	put(t, "\n");
}

static void put_anomaly(struct text *t, const struct fc_anomaly *a)
{
	char buf[FC_DESCRIBE_MAX];

	fc_anomaly_describe(a, buf, sizeof(buf));
	put(t, "A %s %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRIu64 " %s\n", fc_anomaly_name(a->kind),
	    a->offset, a->pkt, a->ts_us, a->frame, buf);
}

static void put_segment(struct text *t, const struct fc_segment *s)
{
	uint32_t shown = s->npieces < FC_SEG_PIECES_MAX ? s->npieces : FC_SEG_PIECES_MAX;

	put(t, "S %" PRIu64 " %" PRId64 " %" PRIu64 " %u %u %u %u %d%d%d\n", s->pkt.num,
	    s->pkt.ts_us, s->offset, s->len, s->npieces, s->unframed, s->repeated,
	    s->out_of_order, s->retransmission, s->conflict);
	for (uint32_t i = 0; i < shown; i++) {
		const struct fc_piece *pc = &s->pieces[i];

		put(t, "  P %" PRIu64 " %" PRIu64 " %x %" PRId64 " %" PRIu64 " %u %u %u %u %u",
		    pc->frame_index, pc->frame_offset, pc->flags, pc->length, pc->payload_len,
		    pc->header_bytes, pc->payload_n, pc->trailer_bytes, pc->trailer_pending,
		    pc->nsegs);
		put_ptr(t, pc->payload, pc->payload_n);
		put(t, "\n");
	}
}

/* The report as text: its events in order, then its segment. */
static void on_report(void *ctx, const struct fc_report *r)
{
	struct text *t = ctx;
	const struct fc_event *e = r->events, *end = r->events + r->nevents;

	for (; e < end; e++)
		e->type == FC_EV_FRAME ? put_frame(t, &e->frame) : put_anomaly(t, &e->anomaly);
	if (r->seg)
		put_segment(t, r->seg);
}

static const struct fc_decoder_ops text_ops = { on_report };

/* --- one run -------------------------------------------------------------- */

/* How a stream is fed: cut where cuts[] say, a gap of gap_len bytes at
 * gap_at (0: none), from byte `from` on (> 0: a mid-stream capture). */
struct feed {
	const uint8_t *b;
	uint32_t len;
	const uint32_t *cuts; /* ascending segment ends, the last == len */
	uint32_t ncuts;
	uint32_t from;
	uint32_t gap_at, gap_len;
	uint64_t keep;
	uint64_t budget; /* 0: no keep budget */
	bool omit;
	enum fc_direction prelude_dir; /* read when the profile has one */
};

/* Feed f through a decoder of profile p, whole-frame path on or off; its
 * reports and final counts as text, into t (t->s is the caller's to
 * free). Returns the frames the whole-frame path took. */
static uint64_t run(const struct fc_profile *p, const struct feed *f, bool general,
		    struct text *t)
{
	struct fc_decoder_scratch scratch = { 0 };
	struct fc_keep_budget budget = { .max = f->budget };
	struct fc_decoder_stats st;
	struct fc_decoder d;
	uint32_t start = f->from;
	uint64_t pkt = 1, fast;

	memset(t, 0, sizeof(*t));
	fc_decoder_init(&d, p, f->keep, f->from > 0, &scratch, &text_ops, t);
	if (f->budget)
		fc_decoder_set_keep_budget(&d, &budget);
	if (p->prelude)
		fc_decoder_set_prelude(&d, f->prelude_dir);
	if (f->omit)
		fc_decoder_omit_frames(&d);
	if (general)
		fc_decoder_general_only(&d);
	for (uint32_t i = 0; i < f->ncuts; i++, pkt++) {
		uint32_t end = f->cuts[i];
		uint8_t *copy;

		if (end <= start)
			continue;
		if (f->gap_len && start == f->gap_at) {
			fc_decoder_gap(&d, start, f->gap_len, pk_ref(pkt), "test");
			start += f->gap_len;
			if (end <= start)
				continue;
		}
		/* A copy that is gone after the call, as libpcap's buffer is. */
		copy = malloc(end - start);
		assert_non_null(copy);
		memcpy(copy, f->b + start, end - start);
		t->data = copy;
		t->len = end - start;
		fc_decoder_data(&d, start, copy, end - start, pk_ref(pkt), i == 0 || pkt % 3 != 0);
		t->data = NULL;
		memset(copy, 0xa5, end - start);
		free(copy);
		start = end;
	}
	fc_decoder_end(&d, FC_END_FIN, pk_ref(pkt));
	fc_decoder_get_stats(&d, &st);
	put(t, "= %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
	       " %" PRIu64,
	    st.frames, st.bytes, st.segments, st.sticky_segments, st.split_frames,
	    st.max_frames_in_segment, st.unframed_bytes);
	for (int k = 0; k < FC_AN__COUNT; k++)
		put(t, " %" PRIu64, st.anomalies[k]);
	put(t, " kept %" PRIu64 "/%" PRIu64 " cut %" PRIu64 "\n", budget.used, budget.max,
	    budget.frames_cut);
	fast = scratch.fast_frames;
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&scratch);
	return fast;
}

/* Both paths over f: the same text. Returns the fast run's whole frames. */
static uint64_t same_both_ways(const struct fc_profile *p, const struct feed *f)
{
	struct text fast, general;
	uint64_t n = run(p, f, false, &fast);

	assert_int_equal(run(p, f, true, &general), 0);
	if (strcmp(fast.s, general.s)) {
		size_t i = 0;

		while (fast.s[i] == general.s[i])
			i++;
		while (i > 0 && fast.s[i - 1] != '\n')
			i--;
		print_error("fast and general differ here:\nfast:    %.300s\ngeneral: %.300s\n",
			    fast.s + i, general.s + i);
		fail();
	}
	free(fast.s);
	free(general.s);
	return n;
}

/* --- streams ------------------------------------------------------------- */

#define MAX_BYTES 65536

static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* The profiles under test: every width and byte order the length reader
 * specialises, the others, a mask, adjustments either way, an offset. */
static void profiles(struct fc_profile *p, size_t *n)
{
	size_t k = 0;

	fc_profile_default(&p[k++]);
	fc_profile_default(&p[k]);
	p[k++].byte_order = FC_BIG_ENDIAN;
	fc_profile_default(&p[k]);
	p[k].length_size = 2, p[k].header_size = 2, p[k++].is_signed = false;
	fc_profile_default(&p[k]);
	p[k].length_size = 2, p[k].header_size = 2, p[k++].byte_order = FC_BIG_ENDIAN;
	fc_profile_default(&p[k]);
	p[k].length_size = 1, p[k].header_size = 1, p[k++].is_signed = false;
	fc_profile_default(&p[k]);
	p[k].length_size = 1, p[k++].header_size = 3; /* signed byte, 2 spare */
	fc_profile_default(&p[k]);
	p[k].length_size = 8, p[k++].header_size = 8;
	fc_profile_default(&p[k]);
	p[k].length_size = 8, p[k].header_size = 8, p[k].is_signed = false;
	p[k++].byte_order = FC_BIG_ENDIAN;
	fc_profile_default(&p[k]);
	p[k].length_size = 3, p[k].header_size = 4, p[k].length_adjustment = 1; /* MySQL */
	p[k++].is_signed = false;
	fc_profile_default(&p[k]);
	p[k].length_offset = 1, p[k].length_size = 3, p[k].byte_order = FC_BIG_ENDIAN;
	p[k++].is_signed = true;
	fc_profile_default(&p[k]);
	p[k].length_offset = 2, p[k].length_size = 2, p[k].byte_order = FC_BIG_ENDIAN;
	p[k].header_size = 8, p[k++].length_adjustment = -4; /* length counts the header */
	fc_profile_default(&p[k]);
	p[k].byte_order = FC_BIG_ENDIAN, p[k].is_signed = false;
	p[k++].length_mask = 0x7fffffff; /* ONC RPC */
	fc_profile_default(&p[k]);
	p[k].length_size = 5, p[k].header_size = 6, p[k++].max_frame = 300;
	*n = k;
	for (size_t i = 0; i < k; i++)
		assert_null(fc_profile_check(&p[i]));
}

/* Append a frame of `plen` payload bytes under p (a length field value
 * `bad` instead when bad != 0), or bail out when it does not fit. */
static void put_frame_bytes(const struct fc_profile *p, uint8_t *b, uint32_t *len,
			    uint64_t plen, int64_t bad)
{
	uint8_t hdr[FC_MAX_LENGTH_FIELD_END + 16] = { 0 };

	if (*len + p->header_size + plen > MAX_BYTES)
		return;
	if (bad)
		fc_profile_put_length(p, bad, hdr);
	else if (!fc_profile_encode_header(p, plen, hdr))
		return;
	for (uint32_t i = 0; i < p->header_size; i++)
		if (i < p->length_offset || i >= fc_profile_length_end(p))
			hdr[i] = (uint8_t)(0xc0 + i); /* the bytes around the field */
	memcpy(b + *len, hdr, p->header_size);
	*len += p->header_size;
	if (bad)
		plen = rnd(40); /* what follows a bad header */
	for (uint64_t i = 0; i < plen; i++)
		b[(*len)++] = (uint8_t)rnd(256);
}

/* A stream of `n` frames under p: mostly short, some empty in runs long
 * enough for zero_run, a few large or bad ones when `trouble`. */
static uint32_t make_stream(const struct fc_profile *p, uint8_t *b, uint32_t n, bool trouble)
{
	uint32_t len = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = rnd(100);

		if (r < 3) { /* a run of empty payloads: zero lengths, or header-only */
			for (uint32_t z = rnd(12); z-- > 0;)
				put_frame_bytes(p, b, &len, 0, 0);
		} else if (r < 5 && trouble) {
			put_frame_bytes(p, b, &len, 0, -3); /* negative when signed */
		} else if (r < 7 && trouble) {
			put_frame_bytes(p, b, &len, 0, (int64_t)p->max_frame + 1 - p->length_adjustment);
		} else if (r < 9) {
			put_frame_bytes(p, b, &len, 200 + rnd(3000), 0);
		} else {
			put_frame_bytes(p, b, &len, rnd(60), 0);
		}
	}
	return len;
}

/* Segment ends for a stream of len bytes: random lengths up to `max`. */
static uint32_t make_cuts(uint32_t *cuts, uint32_t len, uint32_t max)
{
	uint32_t n = 0, at = 0;

	while (at < len) {
		at += 1 + rnd(max);
		if (at > len)
			at = len;
		cuts[n++] = at;
	}
	return n;
}

/* --- tests ---------------------------------------------------------------- */

/* Random streams under every profile, cut in segments of up to 1, 16,
 * 200 and 1500 bytes, with and without trouble, keep limits, a budget,
 * mid-stream starts and gaps: both paths report the same. */
static void test_random_streams(void **state)
{
	static uint8_t b[MAX_BYTES];
	static uint32_t cuts[MAX_BYTES];
	struct fc_profile p[16];
	size_t np;
	uint64_t fast_total = 0;
	const uint32_t max_cut[] = { 1, 16, 200, 1500 };

	(void)state;
	profiles(p, &np);
	rnd_state = 17;
	for (size_t i = 0; i < np; i++) {
		uint64_t fast_here = 0;

		for (int round = 0; round < 24; round++) {
			bool trouble = round % 3 == 2;
			uint32_t len = make_stream(&p[i], b, 60 + rnd(200), trouble);
			struct feed f = {
				.b = b,
				.len = len,
				.cuts = cuts,
				.ncuts = make_cuts(cuts, len, max_cut[round % 4]),
				.keep = round % 5 == 0 ? 0 : round % 5 == 1 ? UINT64_MAX : 1 + rnd(64),
				.budget = round % 7 == 3 ? 1 + rnd(2000) : 0,
				.omit = round % 11 == 5,
			};

			if (round % 6 == 4 && len > 10)
				f.from = 1 + rnd(len / 2);
			if (round % 8 == 7 && len > 100) {
				/* a gap over a whole segment */
				uint32_t c = rnd(f.ncuts - 1);
				f.gap_at = c ? cuts[c - 1] : 0;
				f.gap_len = cuts[c] - f.gap_at;
				if (f.gap_at < f.from)
					f.gap_len = 0;
			}
			fast_here += same_both_ways(&p[i], &f);
		}
		/* The whole-frame path was taken under every profile. */
		assert_true(fast_here > 0);
		fast_total += fast_here;
	}
	assert_true(fast_total > 1000);
}

/* One stream of short frames, empty ones among them, cut in two at every
 * position (and whole): both paths report the same, and the whole-frame
 * path takes every frame that lies inside one segment. */
static void test_cut_everywhere(void **state)
{
	static uint8_t b[4096];
	struct fc_profile p;
	uint32_t len = 0, cuts[2];
	const uint64_t plens[] = { 5, 0, 17, 1, 0, 0, 40, 3, 9, 0, 12, 2 };

	(void)state;
	fc_profile_default(&p);
	rnd_state = 5;
	for (size_t i = 0; i < sizeof(plens) / sizeof(*plens); i++)
		put_frame_bytes(&p, b, &len, plens[i], 0);
	for (uint32_t k = 0; k <= len; k++) {
		struct feed f = { .b = b, .len = len, .cuts = cuts, .keep = 8 };
		uint32_t whole = 0, at = 0;

		cuts[f.ncuts++] = k;
		cuts[f.ncuts++] = len;
		if (k == 0 || k == len) {
			cuts[0] = len;
			f.ncuts = 1;
		}
		/* Frames lying wholly on one side of the cut. */
		for (size_t i = 0; i < sizeof(plens) / sizeof(*plens); i++) {
			uint32_t e = at + 4 + (uint32_t)plens[i];
			whole += f.ncuts == 1 || e <= k || at >= k;
			at = e;
		}
		assert_int_equal(same_both_ways(&p, &f), whole);
	}
}

/* Zero-length frames in one segment: the whole-frame path stops right
 * before the one that makes the run, which the general path reports,
 * then takes the rest; a second run is not reported again. */
static void test_zero_run(void **state)
{
	static uint8_t b[1024];
	struct fc_profile p;
	uint32_t len = 0, cuts[1];
	struct feed f = { .b = b, .cuts = cuts, .ncuts = 1, .keep = 16 };
	struct text t;

	(void)state;
	fc_profile_default(&p);
	rnd_state = 9;
	put_frame_bytes(&p, b, &len, 7, 0);
	for (int i = 0; i < 2 * FC_ZERO_RUN + 3; i++)
		put_frame_bytes(&p, b, &len, i == FC_ZERO_RUN + 1 ? 4 : 0, 0);
	f.len = cuts[0] = len;
	/* All but the run's eighth frame. */
	assert_int_equal(same_both_ways(&p, &f), 2 * FC_ZERO_RUN + 3);
	run(&p, &f, false, &t);
	/* Frame 8 completes it; it began 7 empty frames (28 bytes) before. */
	assert_non_null(strstr(t.s, "A zero_run 11 1 1000 8 "));
	assert_null(strstr(strstr(t.s, "A zero_run") + 1, "A zero_run"));
	free(t.s);
}

/* A prelude (PostgreSQL's): its frames are the general path's, the frames
 * after it the whole-frame path's, the same either way. */
static void test_prelude(void **state)
{
	static uint8_t b[4096];
	struct fc_profile pg, startup;
	struct fc_prelude pre;
	uint32_t len = 0, cuts[3];
	uint8_t type_frame[] = { 'Q', 0, 0, 0, 9, 's', 'e', 'l', 'e', 'c' };

	(void)state;
	pg_profiles(&pg, &startup, &pre);
	pg.prelude = &pre;
	assert_null(fc_profile_check(&pg));
	rnd_state = 3;
	put_frame_bytes(&startup, b, &len, 4, 0); /* SSLRequest */
	put_frame_bytes(&startup, b, &len, 30, 0); /* StartupMessage */
	for (int i = 0; i < 20; i++) {
		memcpy(b + len, type_frame, sizeof(type_frame));
		len += sizeof(type_frame);
	}
	cuts[0] = 8;
	cuts[1] = 100;
	cuts[2] = len;
	struct feed f = { .b = b, .len = len, .cuts = cuts, .ncuts = 3, .keep = 64,
			  .prelude_dir = FC_DIR_C2S };
	assert_true(same_both_ways(&pg, &f) >= 15);
}

/* Fixed records of several sizes over random bytes, cut at random, from
 * the start, mid-stream and across a gap: both paths report the same. */
static void test_fixed(void **state)
{
	static uint8_t b[8192];
	static uint32_t cuts[8192];
	const uint64_t sizes[] = { 1, 7, 16, 100, 3000 };
	uint64_t fast_total = 0;

	(void)state;
	rnd_state = 11;
	for (uint32_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rnd(256);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		struct fc_profile p;

		fc_profile_default(&p);
		p.framing = FC_FRAMING_FIXED;
		p.frame_size = sizes[k];
		assert_null(fc_profile_check(&p));
		for (int round = 0; round < 12; round++) {
			uint32_t len = 2000 + rnd(6000);
			struct feed f = { .b = b, .len = len, .cuts = cuts, .keep = round % 3 ? 8 : 0,
					  .ncuts = make_cuts(cuts, len, round % 2 ? 40 : 1500) };

			if (round % 4 == 1)
				f.from = 1 + rnd(500);
			if (round % 4 == 2 && f.ncuts > 3) {
				f.gap_at = cuts[1];
				f.gap_len = cuts[2] - cuts[1];
			}
			fast_total += same_both_ways(&p, &f);
		}
	}
	assert_true(fast_total > 1000);
}

/* Frames of 20 to 200 bytes in segments of 1448 or of random sizes (the
 * bench's small frames): at each segment's end a frame whose header is
 * whole and whose payload runs on is opened by the whole-frame path
 * (fast_open), and the next segment ends it in one step (fast_close).
 * With keep limits below, at and above the frame's bytes, a tight
 * budget, a gap inside a split frame and a frame over three segments,
 * under every profile: both paths report the same. */
static void test_split_frames(void **state)
{
	static uint8_t b[MAX_BYTES];
	static uint32_t cuts[MAX_BYTES];
	struct fc_profile p[16];
	size_t np;
	const uint64_t keeps[] = { 0, 1, 16, 150, UINT64_MAX };

	(void)state;
	profiles(p, &np);
	rnd_state = 23;
	for (size_t i = 0; i < np; i++) {
		uint64_t fast_here = 0;

		for (int round = 0; round < 10; round++) {
			uint32_t len = 0, n = 40 + rnd(150);
			struct feed f = { .b = b, .cuts = cuts, .keep = keeps[round % 5],
					  .budget = round % 4 == 3 ? 1 + rnd(300) : 0 };

			for (uint32_t k = 0; k < n; k++)
				put_frame_bytes(&p[i], b, &len, round == 9 && k == 7 ? 3000 : 20 + rnd(180),
						0);
			f.len = len;
			if (round % 2) {
				f.ncuts = make_cuts(cuts, len, 1500);
			} else {
				for (uint32_t at = 1448; at < len; at += 1448)
					cuts[f.ncuts++] = at;
				cuts[f.ncuts++] = len;
			}
			if (round % 5 == 2 && f.ncuts > 4) {
				/* the gap is a whole segment: split frames on both sides */
				f.gap_at = cuts[2];
				f.gap_len = cuts[3] - cuts[2];
			}
			fast_here += same_both_ways(&p[i], &f);
		}
		assert_true(fast_here > 100);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_streams),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_zero_run),
		cmocka_unit_test(test_prelude),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_split_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
