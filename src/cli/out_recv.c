/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out_recv.c - `--recv-view N`: what a receiver calling recv(N) once each
 * time data arrives would have got, read by read.
 *
 *   arrivals:  |-- #8: 23 B --|--- #19: 2 B ---|-- #21: 8 B --|
 *   recv(16):  [0,16) #0 whole, #1 part   [16,18) ...   (7 B wait)
 *
 * The assumption is the tutorials' loop: one recv() per arrival; what it
 * leaves stays queued for the next one. Frame boundaries come from the
 * decoder's records, so a read is "glued" when it returns bytes of more
 * than one frame and "half" when it ends (or begins) inside a frame.
 * Its words come through _() (i18n.h): in Chinese a glued read is 粘包 and
 * a half read 半包, as the tutorials say of recv().
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_out.h"
#include "i18n.h"
#include "output.h"

#define RV_SLOTS 8192 /* directions shown at once */
#define RV_RING 256 /* completed frames remembered per direction */
#define RV_TAIL_READS 20 /* reads printed after the stream ends */
/* Items a read's description lists (runs of whole frames count as one):
 * more are counted, not listed, so a line stays short and no item is cut. */
#define RV_WHAT_ITEMS 8
#define RV_ITEM_MAX 160 /* bytes of one item, with its ", " (UTF-8 in Chinese) */

struct rv_frame {
	uint64_t start, end, index;
};

struct rv_dir {
	uint64_t stream; /* 0: free */
	uint64_t arrived, read_off;
	struct rv_frame ring[RV_RING];
	unsigned head, count;
	bool open; /* a frame started and not finished */
	uint64_t open_start, open_index;
	uint64_t reads, glued, halves;
};

struct recv_out {
	struct fc_output base;
	struct fc_output_opts o;
	struct fmt_out out;
	uint64_t n; /* recv() size */
	uint64_t last_stream;
	uint64_t not_shown;
	uint64_t reads, glued, halves;
	struct rv_dir *slots; /* RV_SLOTS */
	struct fc_word w_none, w_half; /* "no frame", "   HALF" */
};

static struct rv_dir *slot(struct recv_out *r, uint64_t stream, enum fc_dir dir, bool create)
{
	struct rv_dir *s = &r->slots[(stream * 2 + dir) % RV_SLOTS];

	if (s->stream == stream)
		return s;
	if (!create)
		return NULL;
	if (s->stream != 0) { /* another live direction has it */
		r->not_shown++;
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->stream = stream;
	return s;
}

static void header(struct recv_out *r, const struct fc_stream_info *s)
{
	char client[FC_ENDPOINT_MAX], server[FC_ENDPOINT_MAX];

	if (r->last_stream == s->id)
		return;
	fc_format_endpoint(&s->key.src, s->key.sport, client, sizeof(client));
	fc_format_endpoint(&s->key.dst, s->key.dport, server, sizeof(server));
	fmt_printf(&r->out, _("stream %" PRIu64 "  %s -> %s  recv(%" PRIu64 ") once per "
			      "arrival\n"), s->id, client, server, r->n);
	r->last_stream = s->id;
}

static void rv_frame(struct recv_out *r, const struct fc_stream_info *s, enum fc_dir dir,
		     const struct fc_frame *f)
{
	struct rv_dir *d = slot(r, s->id, dir, true);
	struct rv_frame *e;

	if (!d)
		return;
	if (d->count == RV_RING) { /* forget the oldest */
		d->head = (d->head + 1) % RV_RING;
		d->count--;
	}
	e = &d->ring[(d->head + d->count++) % RV_RING];
	e->start = f->offset;
	e->end = f->offset + f->header_len + f->payload_len + f->trailer_len;
	e->index = f->index;
}

/* A read's description, in frame order: the first RV_WHAT_ITEMS items,
 * then how many more there were. */
struct what {
	char buf[RV_WHAT_ITEMS * RV_ITEM_MAX];
	size_t at;
	unsigned items, more;
};

/* Room for an item (at most RV_ITEM_MAX bytes with its ", "); NULL when
 * the description has its RV_WHAT_ITEMS already (the item is counted).
 * An item is written with what_printf. */
static char *what_item(struct what *w)
{
	char *p = w->buf + w->at;

	if (w->items == RV_WHAT_ITEMS) {
		w->more++;
		return NULL;
	}
	w->items++;
	if (w->at) {
		p = FMT_LIT(p, ", ");
		w->at += 2;
	}
	return p;
}

/* The item at p (from what_item, NULL: not listed), printf-style, cut to
 * the item's room. */
static void what_printf(struct what *w, char *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void what_printf(struct what *w, char *p, const char *fmt, ...)
{
	size_t room = RV_ITEM_MAX - 2;
	va_list ap;
	int n;

	if (!p)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	w->at = (size_t)(p - w->buf) + (n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1);
}

static void what_whole(struct what *w, uint64_t first, uint64_t last)
{
	if (first == last)
		what_printf(w, what_item(w), _("#%" PRIu64 " whole"), first);
	else
		what_printf(w, what_item(w), _("#%" PRIu64 "..#%" PRIu64 " whole"), first, last);
}

/* One recv(): the next min(N, queued) bytes. Says, in stream order, which
 * frames it returned whole (runs as #a..#b) or in part. */
static void one_read(struct recv_out *r, struct rv_dir *d, const char *who,
		     const char *dirname)
{
	uint64_t a = d->read_off, b, touched = 0, run_first = 0, run_last = 0;
	bool half = false, in_run = false;
	struct what w = { .at = 0, .items = 0, .more = 0 };
	char *p;

	b = a + (d->arrived - a < r->n ? d->arrived - a : r->n);
	if (b == a)
		return;
	while (d->count && d->ring[d->head].end <= a) { /* read before */
		d->head = (d->head + 1) % RV_RING;
		d->count--;
	}
	for (unsigned i = 0; i < d->count; i++) {
		const struct rv_frame *e = &d->ring[(d->head + i) % RV_RING];
		if (e->start >= b)
			break;
		touched++;
		if (e->start >= a && e->end <= b) {
			if (!in_run)
				run_first = e->index;
			run_last = e->index;
			in_run = true;
			continue;
		}
		if (in_run) {
			what_whole(&w, run_first, run_last);
			in_run = false;
		}
		uint64_t lo = e->start > a ? e->start : a, hi = e->end < b ? e->end : b;
		what_printf(&w, what_item(&w), _("part of #%" PRIu64 " (%" PRIu64 " of %" PRIu64
						 " B)"), e->index, hi - lo, e->end - e->start);
		half = true;
	}
	if (in_run)
		what_whole(&w, run_first, run_last);
	if (d->open && d->open_start < b) {
		touched++;
		half = true;
		what_printf(&w, what_item(&w), _("start of #%" PRIu64 " (%" PRIu64 " B, rest not "
						 "here yet)"),
			    d->open_index, b - (d->open_start > a ? d->open_start : a));
	}
	d->reads++;
	r->reads++;
	p = fmt_room(&r->out, 300 + strlen(who) + sizeof(w.buf));
	p = FMT_LIT(p, "  ");
	{
		size_t n = strlen(who);
		p = fmt_mem(p, who, n);
		for (; n < 6; n++)
			*p++ = ' ';
	}
	*p++ = ' ';
	p = fmt_mem(p, dirname, 3);
	p = FMT_LIT(p, " recv -> ");
	p = fmt_u64_right(p, b - a, 5);
	p = FMT_LIT(p, " B [");
	p = fmt_u64(p, a);
	*p++ = ',';
	p = fmt_u64(p, b);
	p = FMT_LIT(p, "): ");
	if (w.at)
		p = fmt_mem(p, w.buf, w.at);
	else
		p = fmt_mem(p, r->w_none.s, r->w_none.n);
	fmt_commit(&r->out, p);
	/* The rest, at most 200 bytes in any language. */
	if (w.more)
		fmt_printf(&r->out, _(", ... %" PRIu64 " more"), (uint64_t)w.more);
	if (touched > 1) {
		d->glued++;
		r->glued++;
		fmt_printf(&r->out, _("   GLUED: %" PRIu64 " messages in one recv"), touched);
	}
	if (half) {
		d->halves++;
		r->halves++;
		fmt_write(&r->out, r->w_half.s, r->w_half.n);
	}
	if (d->arrived > b)
		fmt_printf(&r->out, _("   (%" PRIu64 " B left queued)"), d->arrived - b);
	fmt_write(&r->out, "\n", 1);
	d->read_off = b;
}

static void rv_segment(struct recv_out *r, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_segment *seg)
{
	struct rv_dir *d = slot(r, s->id, dir, true);
	uint32_t shown = seg->npieces < FC_SEG_PIECES_MAX ? seg->npieces : FC_SEG_PIECES_MAX;
	char who[24], *p;

	if (!d)
		return;
	/* Bytes the capture missed did reach the receiver: they count as
	 * arrived (their frames are unknown). */
	if (seg->offset + seg->len > d->arrived)
		d->arrived = seg->offset + seg->len;
	d->open = false;
	if (shown) {
		const struct fc_piece *pc = &seg->pieces[shown - 1];
		if (!(pc->flags & (FC_PIECE_END | FC_PIECE_ERROR))) {
			d->open = true;
			d->open_start = pc->frame_offset;
			d->open_index = pc->frame_index;
		}
	}
	header(r, s);
	p = who;
	*p++ = '#';
	*fmt_u64(p, seg->pkt.num) = '\0';
	one_read(r, d, who, dir == FC_C2S ? "c2s" : "s2c");
}

/* Frames first (their ends are where reads glue or split), then the
 * segment's arrival: one recv(). */
static void rv_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		      const struct fc_report *rep)
{
	struct recv_out *r = ctx;

	for (uint32_t i = 0; i < rep->nevents; i++)
		if (rep->events[i].type == FC_EV_FRAME)
			rv_frame(r, s, dir, &rep->events[i].frame);
	/* A retransmission brings the receiver nothing to read. */
	if (rep->seg && !rep->seg->retransmission)
		rv_segment(r, s, dir, rep->seg);
}

static void rv_end(void *ctx, const struct fc_stream_info *s, const struct fc_stream_end *e)
{
	struct recv_out *r = ctx;

	for (int dir = 0; dir < 2; dir++) {
		struct rv_dir *d = slot(r, s->id, (enum fc_dir)dir, false);
		int n = 0;

		if (!d)
			continue;
		header(r, s);
		while (d->read_off < d->arrived && n++ < RV_TAIL_READS)
			one_read(r, d, "later", dir == FC_C2S ? "c2s" : "s2c");
		if (d->read_off < d->arrived)
			fmt_printf(&r->out, _("  ... %" PRIu64 " B more in later reads\n"),
				   d->arrived - d->read_off);
		fmt_printf(&r->out, fc_ntr("  = %s: %" PRIu64 " read, %" PRIu64 " glued several "
					   "messages, %" PRIu64 " returned part of one\n",
					   "  = %s: %" PRIu64 " reads, %" PRIu64 " glued several "
					   "messages, %" PRIu64 " returned part of one\n", d->reads),
			   dir == FC_C2S ? "c2s" : "s2c", d->reads, d->glued, d->halves);
		d->stream = 0;
	}
	(void)e;
}

static void rv_summary(struct fc_output *o, const struct fc_engine_stats *st,
		       const struct fc_live_stats *live)
{
	struct recv_out *r = (struct recv_out *)o;

	fmt_printf(&r->out,
		   _("recv(%" PRIu64 ") once per arrival: %" PRIu64 " reads, %" PRIu64
		     " glued several messages, %" PRIu64 " returned part of one; a loop that "
		     "treats each recv() as one message breaks on every one of those.\n"),
		   r->n, r->reads, r->glued, r->halves);
	if (r->not_shown)
		fmt_printf(&r->out, _("(%" PRIu64 " stream directions not shown: more than %d "
				      "at once)\n"), r->not_shown, RV_SLOTS);
	(void)st;
	(void)live;
}

static void rv_destroy(struct fc_output *o)
{
	struct recv_out *r = (struct recv_out *)o;

	fmt_free(&r->out);
	free(r->slots);
	free(r);
}

static const struct fc_output rv_ops = {
	.sink = { .report = rv_report, .stream_end = rv_end },
	.summary = rv_summary, .destroy = rv_destroy,
};

struct fc_output *fc_output_recv(const struct fc_output_opts *opts, uint64_t n)
{
	struct recv_out *r = fc_output_alloc(sizeof(*r), &rv_ops);

	if (!r)
		return NULL;
	if (!(r->slots = calloc(RV_SLOTS, sizeof(*r->slots))) ||
	    fmt_init(&r->out, opts->out) != 0) {
		rv_destroy(&r->base);
		return NULL;
	}
	r->o = *opts;
	r->n = n;
	r->w_none = fc_word(N_("no frame"));
	r->w_half = fc_word(N_("   HALF"));
	r->base.fmt = &r->out;
	return &r->base;
}
