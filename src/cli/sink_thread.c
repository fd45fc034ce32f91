/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sink_thread.c - the text or JSON writer run on a second thread, fed
 * copies of what the engine reports.
 *
 *   main thread:   engine --sink call--> copy into the filling block
 *                                             | batch_ring (4 x 256 KiB)
 *   writer thread: take a block --> each record replayed on the writer's
 *                  sink, in order --> stdout
 *
 *   block:  [ rec | segment | events | packet lists | payload bytes ] [ rec ...
 *   a record larger than a block:  [ rec BIG ] --> a buffer of its own
 *
 * On small frames, formatting the output is about a third of framecap's
 * work: on a second core it overlaps with reading and decoding. The
 * engine's report is only valid during the call, so each one is copied
 * whole, its pointers made to point into the copy; the writer then sees
 * exactly what it would have seen inline, and writes the same bytes.
 * Memory is fixed (the ring's blocks), except a report larger than a
 * block: that one is copied into a buffer of its own, no larger than
 * what the engine holds for it, and its block is handed over at once,
 * so at most one such buffer waits per block.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_ring.h"
#include "sink_thread.h"

/* Large enough that a handover is rare next to the records in a block (a
 * thousand reports), small enough that the ring (four: 1 MiB) stays in
 * the cores' caches: 4 x 1 MiB cost 5-10% more CPU time. */
#define ST_BLOCK_SIZE (1u << 18)
/* What a record holds needs no more (checked below). */
#define ST_ALIGN 8u
_Static_assert(_Alignof(struct fc_event) <= ST_ALIGN && _Alignof(struct fc_segment) <= ST_ALIGN &&
	       _Alignof(struct fc_stream_end) <= ST_ALIGN && _Alignof(uint64_t) <= ST_ALIGN,
	       "a record's parts are 8-byte aligned");

enum rec_type { REC_BEGIN, REC_REPORT, REC_END, REC_BIG };

/* A sink call, as copied. A report's segment, events, packet lists and
 * bytes follow it, and its pointers point there. */
struct rec {
	enum rec_type type;
	enum fc_dir dir;
	size_t size; /* this record's bytes, a multiple of ST_ALIGN */
	struct fc_stream_info info;
	union {
		struct fc_stream_end end;
		struct fc_report report;
		struct rec *big; /* REC_BIG: the record, in a buffer of its own */
	} u;
};

struct sink_thread {
	struct fc_sink sink; /* what the engine calls */
	struct fc_output *out; /* the writer, the thread's alone */
	struct batch_ring *ring;
	pthread_t thread;
	atomic_int failed; /* the writer's write error, for the reader */
	bool piece_bytes; /* the writer reads the pieces' payload bytes */
};
_Static_assert(_Alignof(struct rec) <= ST_ALIGN, "a record is 8-byte aligned");

/* Bytes a record's head takes when its union holds `part`: only that
 * member. The union is sized by fc_stream_end (568 bytes), which only
 * REC_END needs; a report record cut to its fc_report is 544 bytes
 * smaller, a third of a one-frame report's copy: fewer blocks to hand
 * over and fewer cache lines to walk on both sides. */
#define REC_HEAD(part) up(offsetof(struct rec, u) + sizeof(part))

/* n rounded up to ST_ALIGN: where the next part of a record starts. */
static size_t up(size_t n)
{
	return (n + ST_ALIGN - 1) & ~(size_t)(ST_ALIGN - 1);
}

bool sink_thread_wanted(void)
{
	const char *w = getenv("FRAMECAP_WRITER");
	cpu_set_t cpus;

	/* Inline unless asked: on this project's 2-core benchmark machine the
	 * thread won on small frames and lost on many connections and on
	 * large frames (docs/performance.md), the copying and the hand-offs
	 * costing about what the second core gives. */
	if (!w || strcmp(w, "auto") != 0)
		return w && strcmp(w, "thread") == 0;
	/* The CPUs this process may use (taskset), not the machine's. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		return CPU_COUNT(&cpus) > 1;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* Pieces whose slots are filled: npieces beyond the slots are elided. */
static uint32_t seg_pieces(const struct fc_segment *seg)
{
	return seg->npieces < FC_SEG_PIECES_MAX ? seg->npieces : FC_SEG_PIECES_MAX;
}

/* Bytes a copy of report `r` takes: the sizes of what the engine holds
 * for it, so they add up without overflow. */
static size_t report_size(const struct sink_thread *st, const struct fc_report *r)
{
	size_t n = REC_HEAD(struct fc_report) + up(r->nevents * sizeof(struct fc_event));

	if (r->seg) {
		n += up(sizeof(*r->seg));
		for (uint32_t i = 0; i < seg_pieces(r->seg) && st->piece_bytes; i++)
			if (r->seg->pieces[i].payload)
				n += up(r->seg->pieces[i].payload_n);
	}
	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_frame *f = &r->events[i].frame;

		if (r->events[i].type != FC_EV_FRAME)
			continue;
		if (f->packets)
			n += up(f->npackets * sizeof(*f->packets));
		if (f->payload)
			n += up((size_t)f->payload_kept);
	}
	return n;
}

/* n bytes from src at *at (advanced), or NULL for a NULL src. */
static void *put(char **at, const void *src, size_t n)
{
	void *dst = *at;

	if (!src)
		return NULL;
	memcpy(dst, src, n);
	*at += up(n);
	return dst;
}

/* The segment at *at (advanced): its filled piece slots only, mostly one
 * of eight, which is most of its size. */
static struct fc_segment *seg_copy(char **at, const struct fc_segment *src)
{
	struct fc_segment *dst = (struct fc_segment *)*at;
	size_t head = offsetof(struct fc_segment, pieces) +
		      seg_pieces(src) * sizeof(src->pieces[0]);
	size_t tail = offsetof(struct fc_segment, unframed);

	memcpy(dst, src, head);
	memcpy((char *)dst + tail, (const char *)src + tail, sizeof(*src) - tail);
	*at += up(sizeof(*dst));
	return dst;
}

/* Copy report `r` into `rec` (report_size(r) bytes), its pointers into
 * the copy. */
static void report_copy(const struct sink_thread *st, struct rec *rec,
			const struct fc_report *r)
{
	char *at = (char *)rec + REC_HEAD(struct fc_report);
	struct fc_event *ev;

	rec->u.report.nevents = r->nevents;
	rec->u.report.events = ev = put(&at, r->events, r->nevents * sizeof(*ev));
	rec->u.report.seg = NULL;
	if (r->seg) {
		struct fc_segment *seg = seg_copy(&at, r->seg);

		/* Not wanted: NULL, so that a writer that came to read
		 * them fails at once in the tests, never reads freed bytes. */
		for (uint32_t i = 0; i < seg_pieces(seg); i++)
			seg->pieces[i].payload = !st->piece_bytes ? NULL
				: put(&at, seg->pieces[i].payload, seg->pieces[i].payload_n);
		rec->u.report.seg = seg;
	}
	for (uint32_t i = 0; i < r->nevents; i++) {
		struct fc_frame *f = &ev[i].frame;

		if (ev[i].type != FC_EV_FRAME)
			continue;
		/* Mostly one packet: no call for it. */
		if (f->npackets == 1 && f->packets) {
			uint64_t *one = (uint64_t *)at;

			*one = *f->packets;
			f->packets = one;
			at += sizeof(*one);
		} else {
			f->packets = put(&at, f->packets, f->npackets * sizeof(*f->packets));
		}
		f->payload = put(&at, f->payload, (size_t)f->payload_kept);
	}
}

/* Room for `size` bytes in the filling block, or NULL when `size` is
 * larger than a block. */
static struct rec *room(struct sink_thread *st, size_t size)
{
	struct ring_batch *b = batch_ring_filling(st->ring);

	if (size > ST_BLOCK_SIZE)
		return NULL;
	if (ST_BLOCK_SIZE - b->len < size) {
		batch_ring_publish(st->ring);
		b = batch_ring_filling(st->ring);
	}
	b->len += size;
	return (struct rec *)(b->bytes + b->len - size);
}

/* A record of `size` bytes for a call on stream `s`, to be filled by the
 * caller: in the filling block, or in a buffer of its own that a REC_BIG
 * record there points to (then the block goes at once, see above). NULL
 * when out of memory for such a buffer. */
static struct rec *rec_new(struct sink_thread *st, enum rec_type type,
			   const struct fc_stream_info *s, enum fc_dir dir, size_t size)
{
	struct rec *r = room(st, size);

	if (!r) {
		struct rec *link;

		r = malloc(size);
		if (!r)
			return NULL;
		link = room(st, REC_HEAD(struct rec *));
		link->type = REC_BIG;
		link->size = REC_HEAD(struct rec *);
		link->u.big = r;
	}
	r->type = type;
	r->dir = dir;
	r->size = size;
	r->info = *s;
	return r;
}

/* A REC_BIG record was the block's last: hand it over now. */
static void rec_done(struct sink_thread *st, const struct rec *r)
{
	if (r->size > ST_BLOCK_SIZE)
		batch_ring_publish(st->ring);
}

/* Records of a fixed size, well within a block: rec_new gives one. */
static void st_begin(void *ctx, const struct fc_stream_info *s)
{
	struct sink_thread *st = ctx;

	rec_new(st, REC_BEGIN, s, FC_C2S, up(offsetof(struct rec, u)));
}

/* The engine's report, copied whole (it lives only during the call). */
static void st_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		      const struct fc_report *r)
{
	struct sink_thread *st = ctx;
	struct rec *rec = rec_new(st, REC_REPORT, s, dir, report_size(st, r));

	if (rec) {
		report_copy(st, rec, r);
		rec_done(st, rec);
		return;
	}
	/* No memory for a copy: the writer catches up, then takes this one
	 * as it is, here. */
	sink_thread_sync(st);
	st->out->sink.report(st->out->sink.ctx, s, dir, r);
	if (fc_output_write_error(st->out))
		atomic_store(&st->failed, 1);
}

/* The stream's end: its statistics by value, `why` a static string. */
static void st_end(void *ctx, const struct fc_stream_info *s, const struct fc_stream_end *e)
{
	struct sink_thread *st = ctx;
	struct rec *rec = rec_new(st, REC_END, s, FC_C2S, REC_HEAD(struct fc_stream_end));

	rec->u.end = *e;
}

/* One record onto the writer's sink; after a write error, nothing more
 * (the writer would write nothing either). */
static void replay(struct sink_thread *st, struct rec *r)
{
	const struct fc_sink *k = &st->out->sink;

	if (r->type == REC_BIG) {
		replay(st, r->u.big);
		free(r->u.big);
		return;
	}
	if (atomic_load_explicit(&st->failed, memory_order_relaxed))
		return;
	switch (r->type) {
	case REC_BEGIN:
		k->stream_begin(k->ctx, &r->info);
		break;
	case REC_REPORT:
		k->report(k->ctx, &r->info, r->dir, &r->u.report);
		break;
	case REC_END:
		k->stream_end(k->ctx, &r->info, &r->u.end);
		break;
	case REC_BIG:
		break;
	}
	if (fc_output_write_error(st->out))
		atomic_store(&st->failed, 1);
}

/* The writer thread: every block in order, until the ring ends. */
static void *writer_main(void *arg)
{
	struct sink_thread *st = arg;
	struct ring_batch *b;
	int status;

	while ((b = batch_ring_take(st->ring, -1, &status))) {
		for (size_t at = 0; at < b->len;) {
			struct rec *r = (struct rec *)(b->bytes + at);

			at += r->size;
			replay(st, r);
		}
		batch_ring_give_back(st->ring);
	}
	return NULL;
}

struct sink_thread *sink_thread_start(struct fc_output *out, bool piece_bytes)
{
	struct sink_thread *st;

	/* Raw stream bytes are no writer's concern here: refused. */
	if (out->sink.data)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->out = out;
	st->piece_bytes = piece_bytes;
	/* Only the calls the writer takes: the engine skips the others. */
	st->sink = (struct fc_sink){
		.ctx = st,
		.stream_begin = out->sink.stream_begin ? st_begin : NULL,
		.report = out->sink.report ? st_report : NULL,
		.stream_end = out->sink.stream_end ? st_end : NULL,
	};
	st->ring = batch_ring_new(ST_BLOCK_SIZE, BATCH_RING_BATCHES);
	if (st->ring && batch_ring_thread(&st->thread, writer_main, st) == 0)
		return st;
	batch_ring_free(st->ring);
	free(st);
	return NULL;
}

const struct fc_sink *sink_thread_sink(struct sink_thread *st)
{
	return &st->sink;
}

int sink_thread_failed(const struct sink_thread *st)
{
	return atomic_load(&st->failed);
}

void sink_thread_sync(struct sink_thread *st)
{
	batch_ring_drain(st->ring);
}

void sink_thread_stop(struct sink_thread *st)
{
	if (!st)
		return;
	batch_ring_end(st->ring, 0);
	pthread_join(st->thread, NULL);
	batch_ring_free(st->ring);
	free(st);
}
