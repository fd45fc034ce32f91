/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_decoder.c - incremental length-prefixed frame decoder, one direction.
 *
 *   stream:  [hdr|payload....][hdr|payload][hdr|pay...
 *   packets: |--- #4 ---|-- #5 --|----- #7 ------|-- #9 --|
 *
 * Each packet's piece of the stream is walked once; frames are cut out of
 * it without copying, except the header bytes (at most 64) and the first
 * payload_keep payload bytes of each frame.
 *
 * The frame being assembled (struct fc_decoder_frame: the frame record,
 * its packets, a split header) is the scratch's during a call and moves
 * into a block of the decoder's own only when the call ends inside a
 * frame (frame_bind, frame_park): an open connection whose segments end
 * on frame boundaries costs no block at all.
 *
 * Most frames of a length- or fixed-framed stream lie whole inside one
 * segment: from a boundary, fast_frames writes those straight into the
 * report, and the general path (eat_header, payload_into, frame_end)
 * takes over at the first frame it cannot: the same report either way.
 * A frame running past the segment's end is opened by fast_open when its
 * header is all there, and ended at the next segment's start by
 * fast_close.
 *
 *   segment: [hdr|payload][hdr|payload][hdr|pay|   |load][hdr|payload]
 *            fast_frames  fast_frames  fast_open  fast_close fast_frames
 */
#include "fc_decoder.h"
#include "fc_chain.h"
#include "fc_diagnose.h"
#include "fc_grow.h"
#include "fc_shadow.h"

#include <stdlib.h>
#include <string.h>

/* The anomaly counts of every decoder that has raised none. */
static const uint64_t no_anomalies[FC_AN__COUNT];

void fc_decoder_init(struct fc_decoder *d, const struct fc_profile *prof,
		     uint64_t payload_keep, bool midstream,
		     struct fc_decoder_scratch *scratch,
		     const struct fc_decoder_ops *ops, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->prof = prof;
	d->rule = prof;
	d->fixed_origin = midstream ? UINT64_MAX : 0;
	d->ctx = ctx;
	d->scratch = scratch;
	scratch->ops = ops;
	scratch->payload_keep = payload_keep;
	d->state = midstream ? FC_DEC_LOST : FC_DEC_HEADER;
	d->midstream_pending = midstream;
	d->last_end = UINT64_MAX;
	d->stats.anomalies = no_anomalies;
}

void fc_decoder_set_prelude(struct fc_decoder *d, enum fc_direction dir)
{
	if (d->midstream_pending || d->stats.bytes)
		return;
	const struct fc_prelude_step *steps;
	uint32_t n;

	steps = fc_prelude_steps(d->prof, dir, &n);
	d->pre_dir = (uint8_t)dir;
	d->pre_n = (uint8_t)n; /* at most FC_PRELUDE_STEPS */
	d->pre_at = 0;
	d->pre_frames = 0;
	if (n)
		d->rule = steps[0].kind == FC_PRELUDE_PROFILE ? &steps[0].profile : NULL;
}

void fc_decoder_omit_frames(struct fc_decoder *d)
{
	d->omit_frames = true;
}

void fc_decoder_general_only(struct fc_decoder *d)
{
	d->general_only = true;
}

void fc_decoder_set_keep_budget(struct fc_decoder *d, struct fc_keep_budget *b)
{
	d->scratch->keep_budget = b;
}

static void shadows_stop(struct fc_decoder *d);
static void keep_release(struct fc_decoder *d);

static void lose(struct fc_decoder *d, uint64_t offset);

/* Give the decoder a frame block for this call: its own if a frame was
 * left open, else the scratch's (whose stale fields frame_start resets
 * before anything reads them). */
static inline void frame_bind(struct fc_decoder *d)
{
	if (!d->fr)
		d->fr = &d->scratch->frame;
}

/* The call is over: a frame still open moves into a block of the
 * decoder's own (the scratch's goes to the next decoder); with none open
 * the block is given back. Out of memory, the open frame is lost and
 * decoding resumes at a resync. */
static void frame_park(struct fc_decoder *d)
{
	struct fc_decoder_frame *shared = &d->scratch->frame, *own;
	bool open = d->state == FC_DEC_PAYLOAD || d->state == FC_DEC_DELIMITED ||
		    (d->state == FC_DEC_HEADER && (d->hdr_have || d->hdr_known));

	if (open && d->fr != shared)
		return;
	if (open) {
		own = malloc(sizeof(*own));
		if (own) {
			*own = *shared;
			d->fr = own;
			return;
		}
		lose(d, d->next_offset);
	}
	if (d->fr != shared)
		free(d->fr);
	d->fr = NULL;
}

/* What a decoder without a rare block reads: no evidence. */
static const struct fc_decoder_rare rare_none = { .first_bad_length = UINT64_MAX };

/* The decoder's rare block, for reading. */
static inline const struct fc_decoder_rare *rare(const struct fc_decoder *d)
{
	return d->rare ? d->rare : &rare_none;
}

/* The decoder's rare block, made at its first write; NULL without memory
 * (the evidence is then lost, as anomaly counts are). */
static struct fc_decoder_rare *rare_w(struct fc_decoder *d)
{
	if (!d->rare) {
		d->rare = malloc(sizeof(*d->rare));
		if (d->rare)
			*d->rare = rare_none;
	}
	return d->rare;
}

/* Decoding is lost from stream offset `offset` on (for the resync's count
 * of skipped bytes). */
static void note_lost_since(struct fc_decoder *d, uint64_t offset)
{
	if (rare_w(d))
		d->rare->lost_since = offset;
}

void fc_decoder_get_stats(const struct fc_decoder *d, struct fc_decoder_stats *out)
{
	out->frames = d->stats.frames;
	out->bytes = d->stats.bytes;
	out->segments = d->stats.segments;
	out->sticky_segments = d->stats.sticky_segments;
	out->split_frames = d->stats.split_frames;
	out->max_frames_in_segment = d->stats.max_frames_in_segment;
	out->unframed_bytes = d->stats.unframed_bytes;
	memcpy(out->anomalies, d->stats.anomalies, sizeof(out->anomalies));
}

void fc_decoder_free(struct fc_decoder *d)
{
	if (d->stats.anomalies != no_anomalies)
		free((void *)d->stats.anomalies);
	d->stats.anomalies = no_anomalies;
	shadows_stop(d);
	if (d->rare)
		free(d->rare->pkt_heap);
	free(d->rare);
	d->rare = NULL;
	free(d->json);
	d->json = NULL;
	if (d->fr != &d->scratch->frame)
		free(d->fr);
	d->fr = NULL;
	keep_release(d);
}

/* --- the report being built (fc_decoder_ops) ---------------------------- */

void fc_decoder_scratch_free(struct fc_decoder_scratch *s)
{
	free(s->ev);
	free(s->pkts);
	s->ev = NULL;
	s->pkts = NULL;
	s->nev = s->ev_cap = 0;
	s->npkts = s->pkts_cap = 0;
	fc_pool_drain(&s->shadow_pool);
	fc_shadows_first_free(s->shadow_first);
	s->shadow_first = NULL;
}

/* Hand the events found so far to the front end, with `seg` (NULL: they
 * belong to no data segment), and start a new report. */
static void deliver(struct fc_decoder *d, const struct fc_segment *seg)
{
	struct fc_decoder_scratch *s = d->scratch;
	struct fc_report r = { .seg = seg, .events = s->ev, .nevents = s->nev };
	size_t at = 0;

	/* Packet lists were appended as frames ended; the array may have
	 * moved since, so the pointers are set now. */
	for (uint32_t i = 0; i < s->nev; i++) {
		if (s->ev[i].type != FC_EV_FRAME)
			continue;
		s->ev[i].frame.packets = s->pkts + at;
		at += s->ev[i].frame.npackets;
	}
	if (d->scratch->ops->report && (seg || s->nev))
		d->scratch->ops->report(d->ctx, &r);
	s->nev = 0;
	s->npkts = 0;
}

/* Room for one more event in the report (nev < ev_cap); false when out of
 * memory. */
static bool ev_grow(struct fc_decoder_scratch *s)
{
	uint32_t cap = s->ev_cap ? s->ev_cap * 2 : 16;
	struct fc_event *e;

	if (s->nev < s->ev_cap)
		return true;
	e = cap > s->ev_cap ? realloc(s->ev, cap * sizeof(*e)) : NULL;
	if (!e)
		return false;
	s->ev = e;
	s->ev_cap = cap;
	return true;
}

/* Room for `n` more packet numbers in the report's lists; false when out
 * of memory. */
static inline bool pkts_grow(struct fc_decoder_scratch *s, size_t n)
{
	return s->npkts + n <= s->pkts_cap ||
	       fc_grow((void **)&s->pkts, &s->pkts_cap, s->npkts + n, sizeof(*s->pkts), 64);
}

/* Room in the report for one more event. The report grows with the
 * events one segment produces (bounded by its bytes); out of memory,
 * what was found so far goes out first, without its segment, so nothing
 * is lost. False when there is no room at all even then: the caller
 * reports its event alone (report_alone). Room is made before an event
 * is added: making it may deliver what came before, packet lists
 * included, and a frame's list must not go with it. */
static bool ev_room(struct fc_decoder *d)
{
	struct fc_decoder_scratch *s = d->scratch;

	if (ev_grow(s))
		return true;
	deliver(d, NULL);
	return s->ev_cap != 0;
}

/* `ev` in a report of its own, as it is (no memory for a list). */
static void report_alone(struct fc_decoder *d, const struct fc_event *ev)
{
	struct fc_report r = { .events = ev, .nevents = 1 };

	if (d->scratch->ops->report)
		d->scratch->ops->report(d->ctx, &r);
}

/* Append a copy of the anomaly event `ev` to the report (frames:
 * frame_event_add). */
static void event_add(struct fc_decoder *d, const struct fc_event *ev)
{
	struct fc_decoder_scratch *s = d->scratch;

	if (!ev_room(d)) {
		report_alone(d, ev);
		return;
	}
	s->ev[s->nev++] = *ev;
}

/* Every field of a frame record is written one by one in fast_frame,
 * frame_start and frame_copy (struct copies and compound literals there
 * stalled or compiled to `rep stos`): a field added to struct fc_frame
 * must be added to all three, which this size reminds. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct fc_frame) == 120,
	       "struct fc_frame changed: update fast_frame, frame_start and frame_copy");

/* Copy the frame record `f` into `out` field by field, each load as wide
 * as the store that wrote it: frame_end has just written some of its
 * fields (flags, times, the payload pointer), and the struct copy it used
 * loaded 16 bytes over those stores and stalled on store forwarding. */
static inline void frame_copy(struct fc_frame *restrict out, const struct fc_frame *restrict f)
{
	out->index = f->index;
	out->offset = f->offset;
	out->length = f->length;
	out->length_flags = f->length_flags;
	out->payload_len = f->payload_len;
	out->payload_missing = f->payload_missing;
	out->header_len = f->header_len;
	out->trailer_len = f->trailer_len;
	out->prelude = f->prelude;
	out->npackets = f->npackets;
	out->packets = f->packets;
	out->npackets_total = f->npackets_total;
	out->split = f->split;
	out->sticky = f->sticky;
	out->header_split = f->header_split;
	out->resynced = f->resynced;
	out->ts_us = f->ts_us;
	out->pkt_last = f->pkt_last;
	out->payload = f->payload;
	out->payload_kept = f->payload_kept;
}

/* event_add for the frame `f`, written straight into the report's slot
 * (frame_copy) rather than built in an event on the stack and copied
 * twice. The same steps and the same outcome out of memory. */
static void frame_event_add(struct fc_decoder *d, const struct fc_frame *f)
{
	struct fc_decoder_scratch *s = d->scratch;
	struct fc_event *ev;
	uint32_t npackets = f->npackets;

	if (!ev_room(d)) {
		struct fc_event one = { .type = FC_EV_FRAME, .frame = *f };

		report_alone(d, &one);
		return;
	}
	/* Out of memory the list is only shorter, as in frame_add_packet. */
	if (!pkts_grow(s, npackets))
		npackets = 0;
	if (npackets)
		memcpy(s->pkts + s->npkts, f->packets, npackets * sizeof(*s->pkts));
	s->npkts += npackets;
	ev = &s->ev[s->nev++];
	ev->type = FC_EV_FRAME;
	frame_copy(&ev->frame, f);
	ev->frame.npackets = npackets;
}

/* Count the anomaly `a` (kind, offset, frame and its `u` member filled) and
 * add it to the report, noticed at `pkt` (NULL: none at hand). */
static void raise_anomaly(struct fc_decoder *d, struct fc_anomaly *a,
			  const struct fc_pkt *pkt)
{
	struct fc_event ev = { .type = FC_EV_ANOMALY };

	a->pkt = pkt ? pkt->num : 0;
	a->ts_us = pkt ? pkt->ts_us : 0;
	if (d->stats.anomalies == no_anomalies) {
		uint64_t *counts = calloc(FC_AN__COUNT, sizeof(*counts));

		if (counts) /* else the anomaly is reported, not counted */
			d->stats.anomalies = counts;
	}
	if (d->stats.anomalies != no_anomalies) /* its own block, not the zeros */
		((uint64_t *)(uintptr_t)d->stats.anomalies)[a->kind]++;
	ev.anomaly = *a;
	event_add(d, &ev);
}

/* --- shadows (fc_shadow.h): who lines up when the profile fails --------- */

/* Clean frames after which the profile is trusted and shadows stop. */
#define FC_SHADOW_FRAMES 64

static struct fc_pool *shadow_pool(struct fc_decoder_scratch *s)
{
	if (!s->shadow_pool.size)
		fc_pool_init(&s->shadow_pool, fc_shadows_size());
	return &s->shadow_pool;
}

static void shadows_stop(struct fc_decoder *d)
{
	if (d->shadows) /* most decoders: no call */
		fc_shadows_free(d->shadows, &d->scratch->shadow_pool);
	d->shadows = NULL;
}

/* Report adjustment_suspect at `offset` if a shadow lines up (see
 * fc_shadows_verdict for `end` and `at_stream_end`); once per direction. */
static void shadows_judge(struct fc_decoder *d, uint64_t offset, uint64_t end,
			  bool at_stream_end, const struct fc_pkt *pkt)
{
	struct fc_shadow_verdict v;
	struct fc_anomaly a = { .kind = FC_AN_ADJUSTMENT_SUSPECT, .offset = offset,
				.frame = FC_NO_FRAME };

	if (d->adjustment_reported ||
	    !fc_shadows_verdict(d->shadows, end, at_stream_end, d->stats.frames, &v))
		return;
	a.u.adjustment.adjustment = v.adjustment;
	a.u.adjustment.delta = v.delta;
	a.u.adjustment.frames = v.frames;
	a.u.adjustment.header_size = d->prof->header_size;
	a.u.adjustment.length_size = d->prof->length_size;
	a.u.adjustment.length_end = fc_profile_length_end(d->prof);
	a.u.adjustment.at_stream_end = at_stream_end;
	d->adjustment_reported = true;
	raise_anomaly(d, &a, pkt);
}

/* --- the frame being assembled ------------------------------------------ */

static uint64_t *frame_packets(struct fc_decoder *d)
{
	return rare(d)->pkt_heap ? d->rare->pkt_heap : d->fr->pkt_inline;
}

/* Record that packet `num` contributed bytes to the current frame. The list
 * stays bounded: past FC_FRAME_PACKETS_MAX packets are only counted. */
static void frame_add_packet(struct fc_decoder *d, uint64_t num)
{
	struct fc_frame *f = &d->fr->cur;
	struct fc_decoder_rare *r;

	if (f->npackets_total > 0 && d->fr->last_pkt == num)
		return;
	d->fr->last_pkt = num;
	f->npackets_total++;
	if (f->npackets >= FC_FRAME_PACKETS_MAX)
		return;
	if (!rare(d)->pkt_heap && f->npackets < FC_FRAME_PACKETS_INLINE) {
		d->fr->pkt_inline[f->npackets++] = num;
		return;
	}
	r = rare_w(d);
	if (!r) /* keep decoding; the list is only shorter */
		return;
	if (!r->pkt_heap || f->npackets == r->pkt_heap_cap) {
		uint32_t cap = r->pkt_heap_cap ? r->pkt_heap_cap * 2 : 4 * FC_FRAME_PACKETS_INLINE;
		uint64_t *p;

		if (cap > FC_FRAME_PACKETS_MAX)
			cap = FC_FRAME_PACKETS_MAX;
		p = realloc(r->pkt_heap, cap * sizeof(*p));
		if (!p) /* keep decoding; the list is only shorter */
			return;
		if (!r->pkt_heap)
			memcpy(p, d->fr->pkt_inline, f->npackets * sizeof(*p));
		r->pkt_heap = p;
		r->pkt_heap_cap = cap;
	}
	r->pkt_heap[f->npackets++] = num;
}

/* Sort (nearly sorted already: only reordering breaks it) and drop repeats
 * left by a packet delivered in two pieces. */
static void frame_finish_packets(struct fc_decoder *d)
{
	struct fc_frame *f = &d->fr->cur;
	uint64_t *p = frame_packets(d);
	uint32_t n = f->npackets, out = 0;

	for (uint32_t i = 1; i < n; i++) {
		uint64_t v = p[i];
		uint32_t j = i;
		while (j > 0 && p[j - 1] > v) {
			p[j] = p[j - 1];
			j--;
		}
		p[j] = v;
	}
	for (uint32_t i = 0; i < n; i++)
		if (out == 0 || p[out - 1] != p[i])
			p[out++] = p[i];
	f->npackets_total -= n - out;
	f->npackets = out;
	f->packets = p;
}

/* How many more bytes the keep buffer may grow by: the shared budget's
 * rest. */
static uint64_t keep_headroom(const struct fc_decoder *d)
{
	const struct fc_keep_budget *b = d->scratch->keep_budget;

	if (!b)
		return UINT64_MAX;
	return b->used < b->max ? b->max - b->used : 0;
}

/* The most bytes the current frame may keep in keep_buf. */
static uint64_t keep_limit(const struct fc_decoder *d)
{
	uint64_t room = keep_headroom(d);

	return room > UINT64_MAX - d->keep_cap ? UINT64_MAX : d->keep_cap + room;
}

/* Room for `need` kept bytes (at most keep_limit), grown with bytes
 * actually received, never with a wire length. False when out of
 * memory. */
static bool keep_reserve(struct fc_decoder *d, uint64_t need)
{
	uint64_t cap = d->keep_cap ? d->keep_cap : 64, limit;
	uint8_t *b;

	if (need <= d->keep_cap) /* the usual case: no budget to ask */
		return true;
	limit = keep_limit(d);
	while (cap < need)
		cap *= 2;
	if (cap > d->scratch->payload_keep)
		cap = d->scratch->payload_keep;
	if (cap > limit)
		cap = limit;
	b = realloc(d->keep_buf, cap);
	if (!b)
		return false;
	if (d->scratch->keep_budget)
		d->scratch->keep_budget->used += cap - d->keep_cap;
	d->keep_buf = b;
	d->keep_cap = cap;
	return true;
}

/* Give the keep buffer back (and its bytes to the budget). */
static void keep_release(struct fc_decoder *d)
{
	if (d->scratch->keep_budget)
		d->scratch->keep_budget->used -= d->keep_cap;
	free(d->keep_buf);
	d->keep_buf = NULL;
	d->keep_cap = 0;
}

/* The budget cannot hold all of this frame's payload_keep bytes: it keeps
 * what it has, once. */
static void keep_cut(struct fc_decoder *d)
{
	if (!d->keep_stopped && d->scratch->keep_budget)
		d->scratch->keep_budget->frames_cut++;
	d->keep_stopped = true;
}

/* The kept bytes still point into the segment being decoded: copy them
 * before it goes away (as many as the budget allows). Out of memory, the
 * frame keeps nothing. */
static void keep_settle(struct fc_decoder *d)
{
	struct fc_frame *f = &d->fr->cur;
	uint64_t limit;

	if (!d->fr->keep_at) /* once per segment: mostly nothing to settle */
		return;
	limit = keep_limit(d);
	if (f->payload_kept > limit) {
		f->payload_kept = limit;
		keep_cut(d);
	}
	if (keep_reserve(d, f->payload_kept)) {
		if (f->payload_kept)
			memcpy(d->keep_buf, d->fr->keep_at, f->payload_kept);
	} else {
		f->payload_kept = 0;
		d->keep_stopped = true;
	}
	d->fr->keep_at = NULL;
}

/* Keep the first payload_keep bytes of the current frame's payload. The
 * first bytes are only pointed at: most frames end in the segment they
 * start in, and then nothing is copied (keep_settle copies the others
 * when their segment ends). */
static void frame_keep(struct fc_decoder *d, const uint8_t *p, uint64_t n)
{
	struct fc_frame *f = &d->fr->cur;
	uint64_t room, want, limit;

	if (f->payload_missing || d->keep_stopped) /* later bytes would be misplaced */
		return;
	room = d->scratch->payload_keep > f->payload_kept
		       ? d->scratch->payload_keep - f->payload_kept : 0;
	want = n < room ? n : room;
	if (!want)
		return;
	if (f->payload_kept == 0) {
		d->fr->keep_at = p;
		f->payload_kept = want;
		return;
	}
	keep_settle(d);
	if (d->keep_stopped)
		return;
	limit = keep_limit(d);
	if (want > limit - f->payload_kept) {
		want = limit - f->payload_kept;
		keep_cut(d);
		if (!want)
			return;
	}
	if (!keep_reserve(d, f->payload_kept + want)) {
		d->keep_stopped = true;
		return;
	}
	memcpy(d->keep_buf + f->payload_kept, p, want);
	f->payload_kept += want;
}

/* --- the segment being decoded ------------------------------------------ */

static struct fc_piece *seg_last_piece(struct fc_decoder *d)
{
	uint32_t n = d->scratch->seg.npieces;
	return &d->scratch->seg.pieces[n <= FC_SEG_PIECES_MAX ? n - 1 : FC_SEG_PIECES_MAX - 1];
}

/* The current frame's piece of the current segment, opened on first use. */
static struct fc_piece *frame_piece(struct fc_decoder *d, uint64_t pkt)
{
	struct fc_piece *pc;

	if (d->scratch->seg.npieces > 0) {
		pc = seg_last_piece(d);
		if (pc->frame_index == d->fr->cur.index)
			return pc;
	}
	d->scratch->seg.npieces++;
	pc = seg_last_piece(d);
	*pc = (struct fc_piece){
		.frame_index = d->fr->cur.index,
		.frame_offset = d->fr->cur.offset,
	};
	if (d->hdr_have == 0 && d->state == FC_DEC_HEADER)
		pc->flags |= FC_PIECE_START;
	if (d->state == FC_DEC_PAYLOAD || d->hdr_known) {
		pc->flags |= FC_PIECE_LENGTH;
		pc->length = d->fr->cur.length;
		pc->payload_len = d->fr->cur.payload_len;
	}
	if (d->resynced)
		pc->flags |= FC_PIECE_RESYNCED;
	if (d->fr->cur.prelude)
		pc->flags |= FC_PIECE_PRELUDE;
	pc->nsegs = ++d->fr->nsegs;
	frame_add_packet(d, pkt);
	return pc;
}

static void frame_start(struct fc_decoder *d, uint64_t offset)
{
	struct fc_frame *f = &d->fr->cur;

	/* Neither a memset nor a compound literal: this runs once per frame,
	 * and both compiled to `rep stos` (120 bytes), a fifth of the
	 * decoder's samples in one profile and four fifths of frame_start's
	 * in another (delimiter-framed small frames). Every field is written. */
	f->index = d->next_index;
	f->offset = offset;
	f->length = 0;
	f->length_flags = 0;
	f->payload_len = 0;
	f->payload_missing = 0;
	f->header_len = 0;
	f->trailer_len = 0;
	f->prelude = d->pre_at < d->pre_n ? d->pre_at + 1 : 0;
	f->npackets = 0;
	f->packets = NULL;
	f->npackets_total = 0;
	f->split = false;
	/* Another frame already touched this segment: a shared packet. */
	f->sticky = d->in_segment && d->scratch->seg.npieces > 0;
	f->header_split = false;
	f->resynced = d->resynced;
	f->ts_us = 0;
	f->pkt_last = 0;
	f->payload = NULL;
	f->payload_kept = 0;
	d->fr->keep_at = NULL;
	d->keep_stopped = false;
	d->hdr_have = 0;
	d->hdr_known = false;
	d->hdr_need = 1;
	if (d->rare)
		d->rare->misread_length = 0;
	d->fr->remaining = 0;
	d->fr->payload_seen = 0;
	d->fr->nsegs = 0;
	d->fr->payload_hint = UINT64_MAX;
}

/* The prelude step being read (pre_at < pre_n). */
static const struct fc_prelude_step *prelude_step(const struct fc_decoder *d)
{
	return &d->prof->prelude->steps[d->pre_dir][d->pre_at];
}

/* The prelude step pre_at is over: the next one, or the profile. */
static void prelude_next(struct fc_decoder *d)
{
	d->pre_frames = 0;
	if (++d->pre_at < d->pre_n)
		d->rule = prelude_step(d)->kind == FC_PRELUDE_PROFILE ? &prelude_step(d)->profile
								      : NULL;
	else
		d->rule = d->prof;
}

/* The current frame is complete. `more`: bytes of the same packet follow,
 * so its last packet is shared with the next frame. */
static void frame_end(struct fc_decoder *d, struct fc_piece *pc,
		      const struct fc_pkt *pkt, bool more)
{
	struct fc_frame *f = &d->fr->cur;

	if (pc) {
		pc->flags |= FC_PIECE_END;
		pc->nsegs = d->fr->nsegs;
	}
	if (more)
		f->sticky = true;
	frame_finish_packets(d);
	f->split = f->npackets_total > 1;
	/* A gap may complete a frame with no packet at hand (end of capture):
	 * then the last packet that carried bytes of it is the best answer. */
	f->ts_us = pkt ? pkt->ts_us : 0;
	f->pkt_last = pkt ? pkt->num : d->fr->last_pkt;
	f->payload = d->fr->keep_at ? d->fr->keep_at : d->keep_buf;
	d->fr->keep_at = NULL;
	d->stats.frames++;
	d->last_index = f->index;
	d->last_payload = f->payload_len;
	d->last_end = f->payload_missing ? UINT64_MAX
					 : f->offset + f->header_len + f->payload_len +
						   f->trailer_len;
	d->last_hint = d->fr->payload_hint;
	if (d->shadows && d->stats.frames >= FC_SHADOW_FRAMES &&
	    rare(d)->first_bad_length == UINT64_MAX)
		shadows_stop(d);
	if (f->split)
		d->stats.split_frames++;
	/* Lengths that read as zero, not empty payloads: a header-only frame
	 * (a keep-alive whose length counts the header) is by design. */
	d->zero_run = f->length == 0 && d->prof->framing == FC_FRAMING_LENGTH && !f->prelude
			      ? d->zero_run + (d->zero_run < UINT16_MAX) : 0;
	if (d->zero_run == FC_ZERO_RUN && !d->zero_run_reported) {
		struct fc_anomaly a = {
			.kind = FC_AN_ZERO_RUN,
			.offset = f->offset - (uint64_t)(FC_ZERO_RUN - 1) * f->header_len,
			.frame = f->index,
			.u.zero_run.count = FC_ZERO_RUN,
		};
		d->zero_run_reported = true;
		raise_anomaly(d, &a, pkt);
	}
	if (!d->omit_frames)
		frame_event_add(d, f);
	d->next_index++;
	d->state = FC_DEC_HEADER;
	d->hdr_have = 0;
	d->hdr_known = false;
	if (f->prelude && (prelude_step(d)->kind == FC_PRELUDE_BYTES_ONE_OF ||
			   ++d->pre_frames >= prelude_step(d)->max_frames))
		prelude_next(d);
}

static void lose(struct fc_decoder *d, uint64_t offset)
{
	d->state = FC_DEC_LOST;
	note_lost_since(d, offset);
	d->hdr_have = 0;
	d->hdr_known = false;
	d->resynced = false;
	/* Boundaries are lost: whatever prelude was left is not looked for. */
	d->pre_at = d->pre_n;
	d->rule = d->prof;
	/* Frames on both sides of a loss are no message joined. */
	if (d->json)
		fc_json_watch_reset(d->json);
}

/* Report that the last complete frame carried `carried` payload bytes,
 * not the ones its header promised; `from`: where the evidence starts. */
static void report_short_frame(struct fc_decoder *d, uint64_t carried, uint64_t from,
			       const struct fc_pkt *pkt)
{
	struct fc_anomaly a = {
		.kind = FC_AN_SHORT_FRAME,
		.offset = from,
		.frame = d->last_index,
		.u.short_frame = { .promised = d->last_payload, .carried = carried },
	};

	raise_anomaly(d, &a, pkt);
}

/* A chain of frames starting inside the payload of the last frame, which
 * ended at `x`, and running through x: its header promised more than was
 * sent. Looks only at the current segment's bytes and the start hint. */
static bool short_frame_before(struct fc_decoder *d, uint64_t x,
			       const struct fc_pkt *pkt)
{
	uint64_t seg_end = d->scratch->seg.offset + d->scratch->seg.len;
	uint64_t payload_start = x - d->last_payload;
	uint64_t seg_off = d->scratch->seg.offset;
	uint64_t lo = payload_start > seg_off ? payload_start : seg_off;
	uint64_t e = UINT64_MAX;

	if (x > 4096 && lo < x - 4096)
		lo = x - 4096;
	if (d->last_hint < x) {
		/* A packet inside the frame began with whole frames: where the
		 * sender's next write most likely began. */
		e = d->last_hint;
	} else {
		for (uint64_t c = x; c-- > lo;) {
			struct fc_chain ch;

			fc_chain_walk(d->prof, d->scratch->seg_data + (c - d->scratch->seg.offset),
				      seg_end - c, FC_CHAIN_WALK_MAX, &ch);
			if (fc_chain_convincing(&ch, c == d->scratch->seg.offset) &&
			    (c + ch.end > x || ch.open)) {
				e = c;
				break;
			}
		}
	}
	if (e == UINT64_MAX)
		return false;
	report_short_frame(d, d->last_payload - (x - e), e, pkt);
	return true;
}

/* fc_diagnose_order_holds for the frame at x, with this segment's bytes
 * (the header's last byte is among them, so all that follows it is). */
static bool other_order_holds(const struct fc_decoder *d, uint64_t x,
			      enum fc_byte_order order)
{
	uint64_t seg_end = d->scratch->seg.offset + d->scratch->seg.len;

	return fc_diagnose_order_holds(d->prof, order, d->fr->hdr, seg_end - x, d->scratch->seg_data,
				       d->scratch->seg.len);
}

/* fc_diagnose_misread for the current frame, whose first hdr_n header
 * bytes are at hdr, with this segment's bytes (the header's last byte is
 * among them). */
static bool misread_holds(const struct fc_decoder *d, const uint8_t *hdr, uint32_t hdr_n,
			  struct fc_anomaly *a)
{
	uint64_t seg_end = d->scratch->seg.offset + d->scratch->seg.len;

	return fc_diagnose_misread(d->prof, hdr, hdr_n, seg_end - d->fr->cur.offset,
				   d->scratch->seg_data, d->scratch->seg.len, a);
}

/* The current frame's header (hdr_n bytes at hdr) was read and the frame
 * runs past this segment: note whether a sender bug's reading ends it in
 * the segment instead, for the frame's failure to name (end_of_data).
 * Only before the direction's first failure and outside resync guesses:
 * bytes that are not this framing at all read as anything. */
static void misread_note(struct fc_decoder *d, const uint8_t *hdr, uint32_t hdr_n)
{
	struct fc_anomaly a;

	if (rare(d)->first_bad_length != UINT64_MAX || d->fr->cur.resynced ||
	    d->replaying || !d->scratch->seg_data || d->rule != d->prof ||
	    (d->prof->framing != FC_FRAMING_VARINT && d->prof->framing != FC_FRAMING_BER) ||
	    d->fr->cur.offset + hdr_n + d->fr->cur.payload_len <=
		    d->scratch->seg.offset + d->scratch->seg.len)
		return;
	if (misread_holds(d, hdr, hdr_n, &a) && rare_w(d))
		d->rare->misread_length = a.u.misread.length;
}

/* The direction ended inside the current frame, whose header had a noted
 * misreading: name the sender bug after the truncated or incomplete. */
static void misread_report(struct fc_decoder *d, const struct fc_pkt *pkt)
{
	struct fc_anomaly a = {
		.kind = d->prof->framing == FC_FRAMING_BER ? FC_AN_BER_ONE_BYTE_SUSPECT
							   : FC_AN_VARINT_ENDIAN_SUSPECT,
		.offset = d->fr->cur.offset,
		.frame = d->fr->cur.index,
		.u.misread = { .length = rare(d)->misread_length, .as_read = d->fr->cur.length },
	};

	if (d->prof->framing == FC_FRAMING_BER)
		a.u.misread.length_byte = (uint8_t)rare(d)->misread_length;
	raise_anomaly(d, &a, pkt);
}

/* No delimiter where lines should have ended: if the segment's bytes (or
 * the frame's kept start) hold the delimiter's last byte alone, that is
 * what the sender ends lines with ("\n" for "\r\n"). Once per direction. */
static void delimiter_suspect(struct fc_decoder *d, const struct fc_pkt *pkt)
{
	const struct fc_profile *prof = d->prof;
	uint8_t last = prof->delimiter[prof->delimiter_len - 1];
	const uint8_t *where[2] = { d->scratch->seg_data, d->fr->keep_at ? d->fr->keep_at : d->keep_buf };
	uint64_t len[2] = { d->scratch->seg_data ? d->scratch->seg.len : 0, d->fr->cur.payload_kept };
	struct fc_anomaly a = { .kind = FC_AN_DELIMITER_SUSPECT, .offset = d->fr->cur.offset,
				.frame = d->fr->cur.index };
	uint64_t count = 0;

	if (prof->delimiter_len < 2 || d->delimiter_reported)
		return;
	uint8_t before = prof->delimiter[prof->delimiter_len - 2];
	uint64_t seen = 0, text = 0;

	for (int i = 0; i < 2; i++) {
		for (uint64_t k = 0; where[i] && k < len[i]; k++) {
			uint8_t c = where[i][k];
			count += k > 0 && c == last && where[i][k - 1] != before;
			text += (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n';
		}
		seen += len[i];
	}
	/* Lines: text, and more than one of them. Binary bytes hold a stray
	 * "\n" now and then. */
	if (count < 2 || text * 10 < seen * 9)
		return;
	memcpy(a.u.delimiter.expected, prof->delimiter, prof->delimiter_len);
	a.u.delimiter.expected_len = prof->delimiter_len;
	a.u.delimiter.found[0] = last;
	a.u.delimiter.found_len = 1;
	a.u.delimiter.count = count;
	d->delimiter_reported = true;
	raise_anomaly(d, &a, pkt);
}

/* The length field of the current frame failed (`st`). Report it, then
 * the likeliest cause; a failure that only disproves a resync guess is
 * not a fact about the stream and is reported as such. */
static void bad_length(struct fc_decoder *d, enum fc_frame_status st,
		       const struct fc_frame_len *fl, const struct fc_pkt *pkt)
{
	const struct fc_profile *prof = d->prof;
	uint64_t x = d->fr->cur.offset;
	bool after_frame = d->stats.frames > 0 && x == d->last_end;
	struct fc_anomaly a = { .offset = x, .frame = d->fr->cur.index };

	if (d->resync_unconfirmed) {
		a.kind = FC_AN_RESYNC;
		a.u.resync.evidence = FC_RESYNC_WRONG_GUESS;
		a.u.resync.length = fl->length;
		d->resync_unconfirmed = 0;
		raise_anomaly(d, &a, pkt);
		return;
	}
	switch (st) {
	case FC_FRAME_OVERSIZE:
		a.kind = FC_AN_OVERSIZE;
		a.u.oversize.length = fl->length;
		a.u.oversize.max_frame = prof->max_frame;
		break;
	case FC_FRAME_VARINT_OVERLONG:
		a.kind = FC_AN_VARINT_OVERLONG;
		a.u.varint.value = (uint64_t)fl->length;
		a.u.varint.max_bytes = prof->varint_max_bytes;
		break;
	case FC_FRAME_BER_LENGTH:
		a.kind = FC_AN_BER_LENGTH;
		a.u.ber.length_byte = (uint8_t)fl->length;
		break;
	case FC_FRAME_NO_DELIMITER:
		a.kind = FC_AN_NO_DELIMITER;
		a.u.no_delimiter.searched = (uint64_t)fl->length;
		a.u.no_delimiter.max_frame = prof->max_frame;
		break;
	default:
		a.kind = FC_AN_NEGATIVE;
		a.u.negative.length = fl->length;
		a.u.negative.adjustment = prof->length_adjustment;
		a.u.negative.header_size = prof->framing == FC_FRAMING_LENGTH
						   ? prof->header_size : (uint32_t)fl->header_len;
		a.u.negative.below_header = fl->length >= 0;
		break;
	}
	raise_anomaly(d, &a, pkt);
	if (rare(d)->first_bad_length == UINT64_MAX && rare_w(d))
		d->rare->first_bad_length = x;

	if (st == FC_FRAME_NO_DELIMITER) {
		delimiter_suspect(d, pkt);
		return;
	}
	a = (struct fc_anomaly){ .offset = x, .frame = d->fr->cur.index };
	if (prof->framing == FC_FRAMING_VARINT || prof->framing == FC_FRAMING_BER) {
		if (rare(d)->first_bad_length == x && !d->fr->cur.resynced && d->scratch->seg_data &&
		    misread_holds(d, d->fr->hdr, d->hdr_have, &a))
			raise_anomaly(d, &a, pkt);
		return;
	}
	/* The diagnoses below read a length field. */
	if (prof->framing != FC_FRAMING_LENGTH)
		return;
	a = (struct fc_anomaly){ .offset = x, .frame = d->fr->cur.index };
	if (fc_diagnose_length(prof, d->fr->hdr, fc_profile_length_end(prof), &a) &&
	    (a.kind != FC_AN_ENDIAN_SUSPECT || other_order_holds(d, x, a.u.endian.order))) {
		raise_anomaly(d, &a, pkt);
		return;
	}
	if (d->shadows) {
		bool had = d->adjustment_reported;
		shadows_judge(d, x, d->scratch->seg.offset + d->scratch->seg.len, false, pkt);
		if (d->adjustment_reported != had)
			return;
	}
	if (after_frame && short_frame_before(d, x, pkt))
		return;
	/* Maybe the frame carried more than it promised: if frames line up
	 * again a little further on, the resync will say so. */
	d->short_candidate = after_frame;
}

/* Consume payload bytes into piece `pc` of the current frame; returns how
 * many. */
static uint32_t payload_into(struct fc_decoder *d, struct fc_piece *pc,
			     const uint8_t *p, uint32_t n, const struct fc_pkt *pkt)
{
	uint32_t take = d->fr->remaining < n ? (uint32_t)d->fr->remaining : n;

	if (!d->replaying) {
		if (pc->payload_n == 0)
			pc->payload = p;
		pc->payload_n += take;
	}
	frame_keep(d, p, take);
	if (d->replaying)
		keep_settle(d); /* p is not the segment's: copy now */
	d->fr->remaining -= take;
	d->fr->payload_seen += take;
	if (d->fr->remaining == 0)
		frame_end(d, pc, pkt, take < n);
	return take;
}

/* Where does the frame starting at b end, under the current rule (the
 * profile, or a prelude step: FC_FRAME_STEP_SKIPPED when it does not
 * apply)? A profile's error stays an error. */
static enum fc_frame_status measure(const struct fc_decoder *d, const uint8_t *b,
				    size_t avail, struct fc_frame_len *fl)
{
	if (d->rule == d->prof)
		return fc_profile_frame_len(d->prof, b, avail, fl);
	return fc_prelude_frame_len(prelude_step(d), b, avail, fl);
}

static uint32_t eat_bytes(struct fc_decoder *d, const uint8_t *p, uint32_t n,
			  const struct fc_pkt *pkt);

/* The rule changed while the current frame's first hdr_have bytes were
 * held, and the new one framed fewer: read the bytes it did not take again,
 * as the frames that follow. */
static void replay_held(struct fc_decoder *d, uint32_t from, const struct fc_pkt *pkt)
{
	uint8_t held[FC_MAX_LENGTH_FIELD_END];
	uint32_t n = d->hdr_have - from, pos = 0;
	uint64_t caller_offset = d->next_offset;
	bool was = d->replaying;

	memcpy(held, d->fr->hdr + from, n);
	d->hdr_have = from;
	d->replaying = true;
	d->next_offset = d->fr->cur.offset + from;
	while (pos < n && d->state != FC_DEC_LOST) {
		uint32_t used = eat_bytes(d, held + pos, n - pos, pkt);
		pos += used;
		d->next_offset += used;
	}
	d->next_offset = caller_offset;
	d->replaying = was;
}

/* The current frame's header was read and is bad (`st`, an error of the
 * profile itself): report it and lose the boundaries. */
static void header_failed(struct fc_decoder *d, struct fc_piece *pc, enum fc_frame_status st,
			  const struct fc_frame_len *fl, const struct fc_pkt *pkt);

/* Consume header bytes; returns how many. */
static uint32_t eat_header(struct fc_decoder *d, const uint8_t *p, uint32_t n,
			   const struct fc_pkt *pkt)
{
	struct fc_frame_len fl;
	struct fc_piece *pc;
	uint32_t take = 0;
	enum fc_frame_status st;

	if (d->hdr_have == 0 && !d->hdr_known)
		frame_start(d, d->next_offset);
	pc = frame_piece(d, pkt->num);
	while (!d->hdr_known) {
		/* The usual case, a header inside one packet, is read where it
		 * lies; only one split across packets is gathered in hdr. */
		bool in_place = d->hdr_have == 0;

		st = in_place ? measure(d, p, n, &fl) : measure(d, d->fr->hdr, d->hdr_have, &fl);
		if (st == FC_FRAME_STEP_SKIPPED) {
			/* Bytes held as a literal's are the next rule's header. */
			if (!d->rule && !d->replaying) {
				pc->header_bytes += pc->payload_n;
				pc->payload_n = 0;
			}
			prelude_next(d);
			d->fr->cur.prelude = d->pre_at < d->pre_n ? d->pre_at + 1 : 0;
			if (!d->fr->cur.prelude)
				pc->flags &= ~(unsigned)FC_PIECE_PRELUDE;
			continue;
		}
		if (st == FC_FRAME_NEED_MORE) {
			/* fl.need <= 64: a header is never longer (fc_profile). */
			uint32_t need = fl.need > FC_MAX_LENGTH_FIELD_END ? FC_MAX_LENGTH_FIELD_END
									  : (uint32_t)fl.need;
			uint32_t want = need - d->hdr_have;
			uint32_t t = n - take < want ? n - take : want;

			if (in_place)
				t = n; /* all of it is shorter than the header */
			d->hdr_need = (uint8_t)need; /* <= FC_MAX_LENGTH_FIELD_END */
			memcpy(d->fr->hdr + d->hdr_have, p + take, t);
			d->hdr_have += t;
			/* A bytes_one_of literal (no rule of its own) being matched
			 * is the prelude frame's payload, not a header. */
			if (!d->replaying && !d->rule) {
				if (!pc->payload_n)
					pc->payload = p + take;
				pc->payload_n += t;
			} else if (!d->replaying) {
				pc->header_bytes += t;
			}
			take += t;
			if (d->hdr_have < need) {
				if (d->rule)
					pc->flags |= FC_PIECE_HEADER_SPLIT;
				return take;
			}
			continue;
		}
		if (st != FC_FRAME_OK) {
			/* Held for the diagnosis: the bytes it was read from. */
			uint32_t end = d->rule->framing == FC_FRAMING_LENGTH
					       ? fc_profile_length_end(d->rule)
					       : (uint32_t)fl.header_len;
			if (in_place) {
				uint32_t t = end < n ? end : n;
				memcpy(d->fr->hdr, p, t);
				d->hdr_have = t;
				if (!d->replaying)
					pc->header_bytes += t;
				take = t;
			}
			header_failed(d, pc, st, &fl, pkt);
			return take;
		}
		d->hdr_known = true;
		d->fr->cur.header_len = (uint32_t)fl.header_len;
		d->fr->cur.length = fl.length;
		d->fr->cur.length_flags = fl.flags;
		d->fr->cur.payload_len = fl.payload_len;
		d->fr->remaining = fl.payload_len;
		pc->length = fl.length;
		pc->flags |= FC_PIECE_LENGTH;
		pc->payload_len = fl.payload_len;
		misread_note(d, in_place ? p : d->fr->hdr, (uint32_t)fl.header_len);
		if (d->resync_unconfirmed && !d->fr->cur.prelude)
			d->resync_unconfirmed--;
		if (d->hdr_have > fl.header_len) { /* held more than this header */
			replay_held(d, (uint32_t)fl.header_len, pkt);
			return take;
		}
	}
	if (d->hdr_have < d->fr->cur.header_len) {
		uint32_t want = d->fr->cur.header_len - d->hdr_have;
		uint32_t t = n - take < want ? n - take : want;

		/* Header bytes past the length field are not needed again. */
		if (d->hdr_have < FC_MAX_LENGTH_FIELD_END) {
			uint32_t keep = FC_MAX_LENGTH_FIELD_END - d->hdr_have;
			memcpy(d->fr->hdr + d->hdr_have, p + take, t < keep ? t : keep);
		}
		d->hdr_have += t;
		if (!d->replaying)
			pc->header_bytes += t;
		take += t;
		if (d->hdr_have < d->fr->cur.header_len) {
			pc->flags |= FC_PIECE_HEADER_SPLIT;
			return take;
		}
	}
	if (pc->header_bytes < d->fr->cur.header_len && !d->replaying) {
		pc->flags |= FC_PIECE_HEADER_SPLIT;
		d->fr->cur.header_split = true;
	}
	d->state = FC_DEC_PAYLOAD;
	if (d->fr->remaining == 0)
		frame_end(d, pc, pkt, take < n);
	else if (take < n) /* the payload follows in the same piece */
		take += payload_into(d, pc, p + take, n - take, pkt);
	return take;
}

static void header_failed(struct fc_decoder *d, struct fc_piece *pc, enum fc_frame_status st,
			  const struct fc_frame_len *fl, const struct fc_pkt *pkt)
{
	d->fr->cur.length = fl->length;
	pc->length = fl->length;
	bad_length(d, st, fl, pkt);
	pc->flags |= FC_PIECE_ERROR;
	d->next_index++; /* the bad header keeps its number */
	lose(d, d->fr->cur.offset);
}

/* The current frame's payload up to `upto` bytes to the json watch.
 * This segment's bytes at `p` start at frame byte `seen_before`; the
 * `held` bytes before those were a possible start of the delimiter, not
 * fed then, and are its first bytes. */
static void json_feed(struct fc_decoder *d, const uint8_t *p, uint64_t seen_before,
		      uint32_t held, uint64_t upto)
{
	struct fc_json_watch *w = d->json;
	uint64_t from;

	if (!w || w->fed >= upto)
		return;
	from = w->fed;
	if (from < seen_before) {
		uint64_t to = upto < seen_before ? upto : seen_before;
		const uint8_t *h = d->prof->delimiter + (from - (seen_before - held));
		fc_json_watch_bytes(w, h, (size_t)(to - from));
		from = to;
	}
	if (upto > from)
		fc_json_watch_bytes(w, p + (from - seen_before), (size_t)(upto - from));
}

/* The current frame ended: does it close a message that its delimiter
 * had cut into frames? Once per direction, and not after FC_JSON_SETTLED
 * whole messages in a row. */
static void json_frame_end(struct fc_decoder *d, const struct fc_pkt *pkt)
{
	const struct fc_profile *prof = d->prof;
	struct fc_anomaly a;
	bool found;

	if (!d->json)
		return;
	found = fc_json_watch_frame_end(d->json, d->fr->cur.index, d->fr->cur.offset, d->fr->cur.payload_len,
					d->fr->cur.trailer_len, prof->delimiter, prof->delimiter_len,
					&a);
	if (found || d->json->streak >= FC_JSON_SETTLED) {
		d->joined_done = true;
		free(d->json);
		d->json = NULL;
	}
	if (found)
		raise_anomaly(d, &a, pkt);
}

/* Consume the bytes of a delimited frame, searching for its end; returns
 * how many. */
static uint32_t eat_delimited(struct fc_decoder *d, const uint8_t *p, uint32_t n,
			      const struct fc_pkt *pkt)
{
	const struct fc_profile *prof = d->prof;
	uint32_t dlen = prof->delimiter_len;
	struct fc_piece *pc;
	uint32_t held_before, take;
	uint64_t seen_before;
	size_t end;

	bool opening = d->state == FC_DEC_HEADER;

	if (opening) {
		frame_start(d, d->next_offset);
		d->scan.matched = 0;
		if (!d->json && !d->joined_done) {
			d->json = malloc(sizeof(*d->json));
			if (d->json) /* without it, only this finding is missing */
				fc_json_watch_reset(d->json);
		}
	}
	pc = frame_piece(d, pkt->num); /* marked as the frame's start while HEADER */
	d->state = FC_DEC_DELIMITED;
	held_before = d->scan.matched;
	seen_before = d->fr->payload_seen;
	end = fc_delim_scan(prof, &d->scan, p, n);
	take = end <= n ? (uint32_t)end : n;
	if (!d->replaying) {
		if (pc->payload_n == 0 && pc->trailer_bytes == 0)
			pc->payload = p;
		pc->payload_n += take;
	}
	frame_keep(d, p, take);
	d->fr->payload_seen += take;
	if (end > n) {
		/* Bytes that may begin the delimiter are not payload yet. */
		uint64_t payload = d->fr->payload_seen - d->scan.matched;

		if (!d->replaying) {
			uint32_t t = d->scan.matched < take ? d->scan.matched : take;
			pc->payload_n -= t;
			pc->trailer_pending = t;
		}
		if (payload > prof->max_frame) {
			struct fc_frame_len fl = { .length = (int64_t)payload };
			header_failed(d, pc, FC_FRAME_NO_DELIMITER, &fl, pkt);
		} else {
			json_feed(d, p, seen_before, held_before, payload);
		}
		return take;
	}
	/* The delimiter ends here; its first bytes may have come before. */
	d->fr->cur.trailer_len = dlen;
	d->fr->cur.payload_len = d->fr->payload_seen - dlen;
	d->fr->cur.length = (int64_t)d->fr->cur.payload_len;
	if (d->fr->cur.payload_kept > d->fr->cur.payload_len)
		d->fr->cur.payload_kept = d->fr->cur.payload_len;
	if (!d->replaying) {
		uint32_t t = dlen < pc->payload_n ? dlen : pc->payload_n;
		pc->payload_n -= t;
		pc->trailer_bytes += t;
		if (t < dlen) /* its first bytes were pending in earlier segments */
			pc->flags |= FC_PIECE_TRAILER_SPLIT;
		pc->flags |= FC_PIECE_LENGTH;
		pc->length = d->fr->cur.length;
		pc->payload_len = d->fr->cur.payload_len;
	}
	if (d->fr->cur.payload_len > prof->max_frame) {
		struct fc_frame_len fl = { .length = d->fr->cur.length };
		header_failed(d, pc, FC_FRAME_NO_DELIMITER, &fl, pkt);
		/* Boundaries are known again right after the delimiter. */
		d->resync_here = true;
		return take;
	}
	json_feed(d, p, seen_before, held_before, d->fr->cur.payload_len);
	frame_end(d, pc, pkt, take < n);
	json_frame_end(d, pkt);
	return take;
}

/* One step of consuming bytes in the current state (not LOST). */
static uint32_t eat_bytes(struct fc_decoder *d, const uint8_t *p, uint32_t n,
			  const struct fc_pkt *pkt)
{
	if (d->state == FC_DEC_PAYLOAD)
		return payload_into(d, frame_piece(d, pkt->num), p, n, pkt);
	if (d->state == FC_DEC_DELIMITED ||
	    (d->state == FC_DEC_HEADER && d->rule == d->prof &&
	     d->prof->framing == FC_FRAMING_DELIMITER))
		return eat_delimited(d, p, n, pkt);
	return eat_header(d, p, n, pkt);
}


/* While lost, delimiter: the offset just after the next delimiter. */
static uint32_t find_resync_delimiter(struct fc_decoder *d, const uint8_t *data,
				      uint32_t from, uint32_t n, struct fc_chain *chain)
{
	size_t end;

	*chain = (struct fc_chain){ 0 };
	if (d->resync_here) {
		d->resync_here = false;
		return from;
	}
	end = fc_delim_scan(d->prof, &d->scan, data + from, n - from);
	if (end == n - from) /* boundaries are back with the next byte */
		d->resync_here = true;
	return end <= n - from ? from + (uint32_t)end : n;
}

/* While lost, fixed: the next multiple of frame_size from a known frame
 * boundary; with none known (a mid-stream start), the next packet start. */
static uint32_t find_resync_fixed(struct fc_decoder *d, uint32_t from, uint32_t n,
				  bool seg_start, struct fc_chain *chain)
{
	uint64_t at = d->next_offset, size = d->prof->frame_size, r;

	*chain = (struct fc_chain){ 0 };
	if (d->fixed_origin == UINT64_MAX)
		return from == 0 && seg_start ? 0 : n;
	r = (at - d->fixed_origin) % size;
	at += r ? size - r : 0;
	return at - d->next_offset < n - from ? from + (uint32_t)(at - d->next_offset) : n;
}

/* While lost: the first offset in [from, n) of the segment where a chain
 * of plausible frames starts, or n. Never looks back before `from`: those
 * bytes were already reported. `seg_start`: data[0] begins a packet. */
static uint32_t find_resync(struct fc_decoder *d, const uint8_t *data, uint32_t from,
			    uint32_t n, bool seg_start, struct fc_chain *chain)
{
	if (d->prof->framing == FC_FRAMING_DELIMITER)
		return find_resync_delimiter(d, data, from, n, chain);
	if (d->prof->framing == FC_FRAMING_FIXED)
		return find_resync_fixed(d, from, n, seg_start, chain);

	uint32_t len_end = d->prof->framing == FC_FRAMING_LENGTH ? fc_profile_length_end(d->prof) : 1;
	uint32_t last = n;

	/* Past the scan budget, only packet starts are tried: a stream that
	 * is not this framing at all costs a check per packet, not per byte. */
	if (rare(d)->lost_scanned >= FC_RESYNC_SCAN_MAX)
		last = from == 0 && seg_start ? 1 : 0;
	for (uint32_t c = from; c < last && c + len_end <= n; c++) {
		fc_chain_walk(d->prof, data + c, n - c, FC_CHAIN_WALK_MAX, chain);
		if (fc_chain_convincing(chain, seg_start && c == 0))
			return c;
	}
	if (last == n && rare_w(d))
		d->rare->lost_scanned += n - from;
	return n;
}

/* Resume decoding at the current offset, where `chain` starts. */
static void resync(struct fc_decoder *d, const struct fc_chain *chain,
		   const struct fc_pkt *pkt)
{
	uint64_t skipped = d->next_offset - rare(d)->lost_since;
	uint32_t headers = fc_chain_headers(chain);
	struct fc_anomaly a = {
		.kind = FC_AN_RESYNC,
		.offset = d->next_offset,
		.frame = FC_NO_FRAME,
		.u.resync = {
			.skipped = skipped,
			.headers = headers,
			.evidence = chain->aligned ? FC_RESYNC_ALIGNED
				    : headers >= FC_CHAIN_CONVINCING ? FC_RESYNC_CHAIN
								     : FC_RESYNC_WEAK,
		},
	};
	bool certain = false;

	if (d->prof->framing == FC_FRAMING_DELIMITER) {
		a.u.resync.evidence = FC_RESYNC_DELIMITER;
		d->scan.matched = 0;
		certain = true;
	} else if (d->prof->framing == FC_FRAMING_FIXED && d->fixed_origin != UINT64_MAX) {
		a.u.resync.evidence = FC_RESYNC_FIXED;
		certain = true;
	} else if (d->prof->framing == FC_FRAMING_FIXED) {
		d->fixed_origin = d->next_offset; /* a guess the frames build on */
	}

	/* A few bytes nobody framed, right after a clean frame, then frames
	 * again: they were the rest of that frame. */
	if (d->short_candidate && skipped > 0 &&
	    skipped <= (d->last_payload > 64 ? d->last_payload : 64))
		report_short_frame(d, d->last_payload + skipped, d->next_offset, pkt);
	d->short_candidate = false;
	d->state = FC_DEC_HEADER;
	d->hdr_have = 0;
	d->hdr_known = false;
	d->resynced = !certain;
	if (d->rare)
		d->rare->lost_scanned = 0;
	d->resync_unconfirmed = certain || headers >= FC_CHAIN_CONVINCING || chain->aligned
					? 0 : FC_CHAIN_CONVINCING - headers;
	if (d->midstream_pending) { /* where a mid-stream capture starts */
		d->midstream_pending = false;
		a.kind = FC_AN_MIDSTREAM;
	}
	raise_anomaly(d, &a, pkt);
}

/* fixed: how the segment [offset, offset + len) sits on the records,
 * counted for unpadded_suspect (only from a known start, without a
 * prelude: the records' boundaries are then certain). */
static void fixed_writes(struct fc_decoder *d, uint64_t offset, uint32_t len)
{
	uint64_t fs = d->prof->frame_size;

	if (d->fixed_origin != 0 || d->pre_n)
		return;
	if (len > fs)
		d->fixed_long = true;
	else if ((offset + len) % fs == 0)
		d->fixed_aligned += d->fixed_aligned < UINT32_MAX;
	else if (len < fs)
		d->fixed_short += d->fixed_short < UINT32_MAX;
}

/* At the direction's end: records written shorter than frame_size, one a
 * write, show as writes that end inside records again and again and never
 * (but by chance once) on a boundary, none longer than a record: what each
 * write would be if it were padded to one record. */
static void unpadded_suspect(struct fc_decoder *d, const struct fc_pkt *pkt)
{
	struct fc_anomaly a = {
		.kind = FC_AN_UNPADDED_SUSPECT,
		.offset = 0,
		.frame = FC_NO_FRAME,
		.u.unpadded = { .writes = d->stats.segments, .short_writes = d->fixed_short,
				.frame_size = d->prof->frame_size },
	};

	if (d->prof->framing != FC_FRAMING_FIXED || d->fixed_long || d->fixed_short < 2 ||
	    d->fixed_aligned > 1 || d->fixed_short < 2 * d->fixed_aligned)
		return;
	raise_anomaly(d, &a, pkt);
}

/* --- whole frames: the fast path ---------------------------------------- */

/* May the frame starting at the current offset take the fast path? Only
 * a length- or fixed-framed stream at a boundary, with no prelude step to
 * read and no header held from an earlier segment. (Shadows walk the
 * segment's bytes on their own; whole frames only tell them when to
 * stop.) */
static inline bool fast_ok(const struct fc_decoder *d)
{
	return d->state == FC_DEC_HEADER && !d->hdr_have && !d->hdr_known &&
	       d->rule == d->prof && !d->general_only &&
	       (d->prof->framing == FC_FRAMING_LENGTH || d->prof->framing == FC_FRAMING_FIXED);
}

/* Fill `f`, the frame record of a frame the whole-frame path reads: its
 * header's fields, in one packet so far (the rest is the caller's).
 * Field by field into its place, every field written: returning a
 * compound literal built it on the stack with 8-byte and narrower stores
 * and copied it with 16-byte loads over them, each load stalled on store
 * forwarding (about a third of fast_frames' cycles on small frames). */
static inline void fast_frame(struct fc_frame *f, uint64_t index, uint64_t offset,
			      int64_t length, uint64_t flags, uint64_t plen, uint32_t hlen,
			      bool sticky, bool resynced)
{
	f->index = index;
	f->offset = offset;
	f->length = length;
	f->length_flags = flags;
	f->payload_len = plen;
	f->payload_missing = 0;
	f->header_len = hlen;
	f->trailer_len = 0;
	f->prelude = 0;
	f->npackets = 0;
	f->packets = NULL;
	f->npackets_total = 1;
	f->split = false;
	f->sticky = sticky;
	f->header_split = false;
	f->resynced = resynced;
	f->ts_us = 0;
	f->pkt_last = 0;
	f->payload = NULL;
	f->payload_kept = 0;
}

/* May the frame open since an earlier segment end in this one's first
 * `len` bytes by fast_close? A length- or fixed-framed frame read by the
 * profile (no prelude step), not replayed. */
static inline bool fast_close_ok(const struct fc_decoder *d, uint32_t len)
{
	return d->state == FC_DEC_PAYLOAD && d->fr->remaining <= len && d->rule == d->prof &&
	       !d->fr->cur.prelude && !d->general_only && !d->replaying &&
	       (d->prof->framing == FC_FRAMING_LENGTH || d->prof->framing == FC_FRAMING_FIXED) &&
	       d->scratch->seg.npieces == 0;
}

/* End the open frame with the first bytes of a segment (fast_close_ok):
 * what frame_piece and payload_into do for it, without their questions
 * about the state, then frame_end itself. Returns the bytes taken. */
static uint32_t fast_close(struct fc_decoder *d, const uint8_t *data, uint32_t len,
			   const struct fc_pkt *pkt)
{
	struct fc_decoder_frame *fr = d->fr;
	const uint32_t take = (uint32_t)fr->remaining; /* <= len */
	struct fc_piece *pc = &d->scratch->seg.pieces[0];

	d->scratch->seg.npieces = 1;
	*pc = (struct fc_piece){
		.frame_index = fr->cur.index,
		.frame_offset = fr->cur.offset,
		.flags = FC_PIECE_LENGTH | (d->resynced ? FC_PIECE_RESYNCED : 0),
		.length = fr->cur.length,
		.payload_len = fr->cur.payload_len,
		.payload = take ? data : NULL,
		.payload_n = take,
		.nsegs = ++fr->nsegs,
	};
	frame_add_packet(d, pkt->num);
	frame_keep(d, data, take);
	fr->remaining = 0;
	fr->payload_seen += take;
	frame_end(d, pc, pkt, take < len);
	d->next_offset += take;
	return take;
}

/* Open the frame at b (n bytes to the segment's end), whose header is
 * all there (length, flags, plen read from it) and whose payload runs
 * past the segment: the state frame_start, eat_header and payload_into
 * leave, field for field, for the frame ending in a later segment (about
 * one frame in ten of small frames). Returns n: the segment is taken. */
static uint32_t fast_open(struct fc_decoder *d, const uint8_t *b, uint32_t n, uint32_t hlen,
			  int64_t length, uint64_t flags, uint64_t plen,
			  const struct fc_pkt *pkt)
{
	struct fc_decoder_scratch *s = d->scratch;
	struct fc_decoder_frame *fr = d->fr;
	const uint32_t take = n - hlen; /* payload bytes here, < plen */
	const uint64_t want = take < s->payload_keep ? take : s->payload_keep;
	struct fc_piece *pc;

	fast_frame(&fr->cur, d->next_index, d->next_offset, length, flags, plen, hlen,
		   s->seg.npieces > 0, d->resynced);
	fr->cur.payload_kept = want;
	/* frame_add_packet's first packet, in the inline list unless a longer
	 * frame moved the list to the heap */
	fr->last_pkt = pkt->num;
	if (!rare(d)->pkt_heap) {
		fr->pkt_inline[0] = pkt->num;
		fr->cur.npackets = 1;
	} else {
		fr->cur.npackets_total = 0;
		frame_add_packet(d, pkt->num);
	}
	fr->keep_at = want ? b + hlen : NULL;
	fr->remaining = plen - take;
	fr->payload_seen = take;
	fr->nsegs = 1;
	fr->payload_hint = UINT64_MAX;
	/* Header bytes past the length field are not needed again. */
	memcpy(fr->hdr, b, hlen < FC_MAX_LENGTH_FIELD_END ? hlen : FC_MAX_LENGTH_FIELD_END);
	d->keep_stopped = false;
	d->hdr_have = hlen;
	d->hdr_known = true;
	d->hdr_need = 1;
	if (d->rare)
		d->rare->misread_length = 0;
	if (d->resync_unconfirmed)
		d->resync_unconfirmed--;
	d->state = FC_DEC_PAYLOAD;
	s->seg.npieces++;
	pc = seg_last_piece(d);
	*pc = (struct fc_piece){
		.frame_index = fr->cur.index,
		.frame_offset = fr->cur.offset,
		.flags = FC_PIECE_START | FC_PIECE_LENGTH | (d->resynced ? FC_PIECE_RESYNCED : 0),
		.length = length,
		.payload_len = plen,
		.header_bytes = hlen,
		.payload = take ? b + hlen : NULL,
		.payload_n = take,
		.nsegs = 1,
	};
	d->next_offset += n;
	return n;
}

/* Decode the whole frames that lie back to back from data[pos] on, each
 * with its header and payload inside these bytes, writing their piece and
 * frame event straight into the report: what eat_header, payload_into and
 * frame_end make of such a frame, field for field, without the frame
 * block in between. Returns the bytes taken: it stops before a frame the
 * general path must see (one running past the bytes, a bad length, the
 * zero-length frame that makes a zero_run, no memory for the report),
 * which then reads it from its first byte as if this path did not exist.
 *
 *   data: ...][hdr|payload][hdr|payload][hdr|pay|  <- general path from here
 *             ^pos         fast          fast   ^returned
 */
/* Not inlined: its registers would cost every call of fc_decoder_data,
 * also those that never reach a frame boundary (large frames). */
__attribute__((noinline)) static uint32_t
fast_frames(struct fc_decoder *d, const struct fc_len_reader *lr, const uint8_t *data,
	    uint32_t pos, uint32_t len, const struct fc_pkt *pkt)
{
	struct fc_decoder_scratch *s = d->scratch;
	/* Bytes a frame needs before it is read: its header, at least one. */
	const uint32_t hlen = lr->header, lend = hlen ? hlen : 1;
	const unsigned resynced = d->resynced ? FC_PIECE_RESYNCED : 0;
	const bool events = !d->omit_frames;
	const uint64_t keep = s->payload_keep;
	/* The decoder's per-frame fields, in registers until the run ends
	 * (the stores into the report could alias them otherwise). */
	uint64_t index = d->next_index, offset = d->next_offset, kept = 0, last_plen = 0, taken;
	uint32_t at = pos, npieces = s->seg.npieces;
	uint16_t zero_run = d->zero_run;
	bool open = false;
	int64_t open_length = 0;
	uint64_t open_flags = 0, open_plen = 0;

	/* No prefetch of the bytes here: the reader (pcap_map.c) asks for
	 * the file's lines 2 KiB ahead of each record, so they are on their
	 * way before the record reaches the decoder; a second pass over them
	 * here cost small-frames 1-3% CPU (31 rounds: --json 0.977, text
	 * 0.986 paired without it; large-frames unchanged). */
	while (len - at >= lend) {
		const uint8_t *b = data + at;
		uint64_t flags, plen, want;
		int64_t length;
		uint32_t flen;
		struct fc_piece *pc;

		if (!fc_len_read(lr, b, &length, &flags, &plen))
			break;
		if (plen > len - at - hlen) {
			open_length = length;
			open_flags = flags;
			open_plen = plen;
			open = true; /* fast_open starts it once the run is counted */
			break;
		}
		if (length == 0 && zero_run + 1 == FC_ZERO_RUN && !d->zero_run_reported)
			break; /* frame_end raises zero_run */
		if (events && (!ev_grow(s) || !pkts_grow(s, 1)))
			break; /* event_add delivers what it has first */
		zero_run = length ? 0 : zero_run + (zero_run < UINT16_MAX);
		flen = hlen + (uint32_t)plen;
		want = plen < keep ? plen : keep;

		npieces++;
		pc = &s->seg.pieces[npieces <= FC_SEG_PIECES_MAX ? npieces - 1 : FC_SEG_PIECES_MAX - 1];
		*pc = (struct fc_piece){
			.frame_index = index,
			.frame_offset = offset,
			.flags = FC_PIECE_START | FC_PIECE_LENGTH | FC_PIECE_END | resynced,
			.length = length,
			.payload_len = plen,
			.header_bytes = hlen,
			.payload = plen ? b + hlen : NULL,
			.payload_n = (uint32_t)plen,
			.nsegs = 1,
		};
		if (events) {
			struct fc_event *ev = &s->ev[s->nev++];

			ev->type = FC_EV_FRAME;
			/* Sticky: a frame before it in this segment, or one after. */
			fast_frame(&ev->frame, index, offset, length, flags, plen, hlen,
				   npieces > 1 || flen < len - at, resynced != 0);
			ev->frame.npackets = 1;
			ev->frame.ts_us = pkt->ts_us;
			ev->frame.pkt_last = pkt->num;
			ev->frame.payload = want ? b + hlen : d->keep_buf;
			ev->frame.payload_kept = want;
			s->pkts[s->npkts++] = pkt->num;
		}
		index++;
		offset += flen;
		kept = want;
		last_plen = plen;
		at += flen;
	}
	if (at == pos)
		return open ? fast_open(d, data + at, len - at, hlen, open_length, open_flags,
					open_plen, pkt) : 0;
	taken = index - d->next_index;
	s->seg.npieces = npieces;
	s->fast_frames += taken;
	d->stats.frames += taken;
	/* frame_end's rule, once for the run: it only turns true as frames
	 * are added. */
	if (d->shadows && d->stats.frames >= FC_SHADOW_FRAMES &&
	    rare(d)->first_bad_length == UINT64_MAX)
		shadows_stop(d);
	d->zero_run = zero_run;
	/* eat_header counts each good header off a resync guess. */
	d->resync_unconfirmed = taken >= d->resync_unconfirmed
					? 0 : d->resync_unconfirmed - (uint16_t)taken;
	d->last_index = index - 1;
	d->last_payload = last_plen;
	d->last_end = offset;
	d->last_hint = UINT64_MAX;
	d->next_index = index;
	d->next_offset = offset;
	/* The frame block as frame_end leaves it: the end of fc_decoder_data
	 * reads the last frame's kept count. */
	d->fr->cur.payload_kept = kept;
	d->fr->keep_at = NULL;
	d->keep_stopped = false;
	if (open)
		at += fast_open(d, data + at, len - at, hlen, open_length, open_flags, open_plen, pkt);
	return at - pos;
}

void fc_decoder_data(struct fc_decoder *d, uint64_t offset,
		     const uint8_t *data, uint32_t len, const struct fc_pkt *pkt,
		     bool seg_start)
{
	struct fc_len_reader lr;
	bool lr_ready = false; /* lr is set up at the first whole frame */
	uint32_t pos = 0;

	if (len == 0 || d->state == FC_DEC_DONE)
		return;
	frame_bind(d);
	d->next_offset = offset;
	if (offset == 0 && !d->shadows && d->stats.bytes == 0 && d->state == FC_DEC_HEADER)
		d->shadows = d->prof->framing == FC_FRAMING_LENGTH && !d->pre_n
				     ? fc_shadows_new(d->prof, shadow_pool(d->scratch),
						      &d->scratch->shadow_first)
				     : NULL;
	if (d->shadows) {
		fc_len_reader_init(&lr, d->prof);
		lr_ready = true;
		if (!fc_shadows_feed(d->shadows, &lr, offset, data, len))
			shadows_stop(d);
	}
	d->scratch->seg_data = data;
	if (d->midstream_pending && d->stats.bytes == 0)
		note_lost_since(d, offset); /* skipped bytes count from the first seen */
	/* Pieces are cleared as they open (frame_piece): reset the rest only. */
	d->scratch->seg.npieces = 0;
	d->scratch->seg.unframed = 0;
	d->scratch->seg.pkt = *pkt;
	d->scratch->seg.offset = offset;
	d->scratch->seg.len = len;
	d->scratch->seg.repeated = 0;
	if (d->scratch->repeated_pkt == pkt->num && pkt->num) {
		d->scratch->seg.repeated = d->scratch->repeated;
		d->scratch->repeated_pkt = 0;
	}
	d->scratch->seg.retransmission = false;
	d->scratch->seg.conflict = false;
	d->scratch->seg.out_of_order = pkt->num < d->max_pkt_delivered;
	if (pkt->num > d->max_pkt_delivered)
		d->max_pkt_delivered = pkt->num;
	d->in_segment = true;
	if (d->prof->framing == FC_FRAMING_FIXED)
		fixed_writes(d, offset, len);

	if (seg_start && d->state == FC_DEC_PAYLOAD && d->fr->payload_hint == UINT64_MAX &&
	    d->fr->remaining > len && d->prof->framing == FC_FRAMING_LENGTH) {
		struct fc_chain chain;

		fc_chain_walk(d->prof, data, len, FC_CHAIN_WALK_MAX, &chain);
		if (fc_chain_convincing(&chain, false))
			d->fr->payload_hint = offset;
	}
	if (fast_close_ok(d, len))
		pos = fast_close(d, data, len, pkt);
	while (pos < len) {
		uint32_t used;

		if (fast_ok(d)) {
			if (!lr_ready) {
				fc_len_reader_init(&lr, d->prof);
				lr_ready = true;
			}
			used = fast_frames(d, &lr, data, pos, len, pkt);
			pos += used; /* fast_frames moved next_offset itself */
			if (pos == len)
				break;
		}
		switch (d->state) {
		case FC_DEC_HEADER:
		case FC_DEC_PAYLOAD:
		case FC_DEC_DELIMITED:
			used = eat_bytes(d, data + pos, len - pos, pkt);
			break;
		default: {
			struct fc_chain chain;
			uint32_t at = find_resync(d, data, pos, len, seg_start, &chain);

			used = at - pos;
			d->scratch->seg.unframed += used;
			d->stats.unframed_bytes += used;
			if (at < len) {
				d->next_offset += used;
				pos += used;
				resync(d, &chain, pkt);
				continue;
			}
			break;
		}
		}
		pos += used;
		d->next_offset += used;
	}

	d->in_segment = false;
	d->scratch->seg_data = NULL;
	d->stats.bytes += len;
	d->stats.segments++;
	if (d->scratch->seg.npieces > 1)
		d->stats.sticky_segments++;
	if (d->scratch->seg.npieces > d->stats.max_frames_in_segment)
		d->stats.max_frames_in_segment = d->scratch->seg.npieces;
	/* Before keep_settle: the frames completed here still point at their
	 * payload where it lies (in this segment, or in keep_buf for the one
	 * that began earlier), and settling the open frame reuses keep_buf. */
	deliver(d, &d->scratch->seg);
	/* A large buffer no frame needs any more goes back to the budget
	 * (the open frame's kept bytes are in it when they are not in this
	 * segment). */
	if (d->keep_cap > FC_KEEP_RETAIN && (d->fr->keep_at || !d->fr->cur.payload_kept))
		keep_release(d);
	keep_settle(d);
	frame_park(d);
}

void fc_decoder_gap(struct fc_decoder *d, uint64_t offset, uint64_t len,
		    const struct fc_pkt *pkt, const char *why)
{
	struct fc_anomaly a = {
		.kind = FC_AN_GAP,
		.offset = offset,
		.frame = FC_NO_FRAME,
		.u.gap = { .len = len, .reason = why },
	};
	uint64_t swallowed = len;

	if (d->state == FC_DEC_DONE || len == 0)
		return;
	frame_bind(d);
	d->next_offset = offset;
	switch (d->state) {
	case FC_DEC_PAYLOAD:
		a.frame = d->fr->cur.index;
		a.u.gap.hit = len <= d->fr->remaining ? FC_GAP_IN_PAYLOAD : FC_GAP_FROM_PAYLOAD;
		break;
	case FC_DEC_DELIMITED:
		a.frame = d->fr->cur.index;
		a.u.gap.hit = FC_GAP_FROM_PAYLOAD;
		break;
	case FC_DEC_HEADER:
		if (d->hdr_have) {
			a.frame = d->fr->cur.index;
			a.u.gap.hit = FC_GAP_IN_HEADER;
		} else {
			a.u.gap.hit = FC_GAP_AT_BOUNDARY;
		}
		break;
	default:
		a.u.gap.hit = FC_GAP_WHILE_LOST;
		break;
	}
	raise_anomaly(d, &a, pkt);
	shadows_stop(d);
	d->short_candidate = false;
	d->resync_here = false;
	d->last_end = UINT64_MAX;

	if (d->state == FC_DEC_PAYLOAD) {
		uint64_t hit = len < d->fr->remaining ? len : d->fr->remaining;

		d->fr->cur.payload_missing += hit;
		d->fr->remaining -= hit;
		swallowed = len - hit;
		if (d->fr->remaining == 0)
			frame_end(d, NULL, pkt, false);
	}
	if (swallowed > 0 && d->state != FC_DEC_LOST)
		lose(d, offset + len - swallowed);
	d->next_offset = offset + len;
	deliver(d, NULL);
	frame_park(d);
}

void fc_decoder_end(struct fc_decoder *d, enum fc_end_reason why,
		    const struct fc_pkt *pkt)
{
	bool inside = d->state == FC_DEC_PAYLOAD || d->state == FC_DEC_DELIMITED ||
		      (d->state == FC_DEC_HEADER && d->hdr_have > 0);

	if (d->state == FC_DEC_DONE)
		return;
	frame_bind(d);
	if (d->midstream_pending && d->stats.bytes > 0) { /* no chain ever found */
		struct fc_anomaly a = {
			.kind = FC_AN_MIDSTREAM,
			.offset = rare(d)->lost_since,
			.frame = FC_NO_FRAME,
			.u.resync = { .skipped = d->stats.unframed_bytes,
				      .evidence = FC_RESYNC_NONE },
		};
		d->midstream_pending = false;
		raise_anomaly(d, &a, pkt);
	}
	/* Decoding ended lost without a single frame: not a frame in progress. */
	if (d->stats.frames == 0 && d->state == FC_DEC_LOST &&
	    d->stats.bytes >= FC_UNFRAMED_MIN) {
		struct fc_anomaly a = { .kind = FC_AN_UNFRAMED, .offset = 0,
					.frame = FC_NO_FRAME,
					.u.unframed = { .bytes = d->stats.bytes,
							.framing = d->prof->framing } };
		raise_anomaly(d, &a, pkt);
	}
	if (inside) {
		struct fc_anomaly a = {
			.kind = why == FC_END_FIN || why == FC_END_RST ? FC_AN_TRUNCATED
								       : FC_AN_INCOMPLETE,
			.offset = d->fr->cur.offset,
			.frame = d->fr->cur.index,
			.u.cut.why = why,
		};
		if (d->state == FC_DEC_PAYLOAD) {
			a.u.cut.arrived = d->fr->payload_seen + d->fr->cur.payload_missing;
			a.u.cut.expected = d->fr->cur.payload_len;
		} else if (d->state == FC_DEC_DELIMITED) {
			a.u.cut.arrived = d->fr->payload_seen;
			a.u.cut.expected = 0; /* unknown: no delimiter came */
		} else {
			a.u.cut.in_header = true;
			a.u.cut.arrived = d->hdr_have;
			a.u.cut.expected = d->hdr_known ? d->fr->cur.header_len
					   : d->rule && d->rule->framing == FC_FRAMING_LENGTH
						   ? d->rule->header_size : d->hdr_need;
		}
		raise_anomaly(d, &a, pkt);
		if (d->state == FC_DEC_DELIMITED)
			delimiter_suspect(d, pkt);
		else if (d->state == FC_DEC_PAYLOAD && rare(d)->misread_length)
			misread_report(d, pkt);
	}
	unpadded_suspect(d, pkt);
	/* A shadow that ends exactly with the stream, where the profile
	 * failed somewhere, explains the whole direction. */
	if (d->shadows && (why == FC_END_FIN || why == FC_END_RST) &&
	    (inside || rare(d)->first_bad_length != UINT64_MAX))
		shadows_judge(d, rare(d)->first_bad_length != UINT64_MAX ? d->rare->first_bad_length
								   : d->fr->cur.offset,
			      d->next_offset, true, pkt);
	shadows_stop(d);
	d->state = FC_DEC_DONE;
	deliver(d, NULL);
	frame_park(d);
}
