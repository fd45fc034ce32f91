/* out_text.c - the human view: every data segment on one line, with the
 * frames drawn inside it.
 *
 *   stream 1  127.0.0.1:56102 -> 127.0.0.1:8001  (profile default)
 *     #4   c2s +0.000000 [0,4)       4 B [#0 hdr ...>          header alone
 *     #5   c2s +0.000041 [4,19)     15 B ...#0 "hello"]        #0 split: 2 segs
 *     #7   c2s +0.000090 [19,56)    37 B [#1 len=12 "abc"][#2 len=21 "de...>
 *                                                   STICKY: 2 frames in one segment
 *
 *   [#N ...]  frame N starts and ends here     [#N ..."> starts, continues
 *   ...#N ..] ends here (began earlier)        ...#N "..."> passes through
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "fc_profile_opts.h"
#include "output.h"

#define LINE_MAX_COLS 80
#define PREVIEW_BYTES 14
#define QUEUE_MAX 16
#define PLURAL(n) ((n) == 1 ? "" : "s")

struct text_out {
	struct fc_output base;
	struct fc_output_opts o;
	uint64_t last_stream; /* whose header was printed last */
	bool explained[FC_AN__COUNT]; /* -v: a kind's paragraph is shown once */
	/* Lines found while a segment is decoded print after its line. */
	char *queued[QUEUE_MAX];
	unsigned nqueued, dropped;
};

enum color { C_NONE, C_STREAM, C_STICKY, C_SPLIT, C_BAD, C_DIM };

static const char *color_on(const struct text_out *t, enum color c)
{
	static const char *const codes[] = {
		[C_NONE] = "", [C_STREAM] = "\033[1m", [C_STICKY] = "\033[33m",
		[C_SPLIT] = "\033[36m", [C_BAD] = "\033[31m", [C_DIM] = "\033[2m",
	};
	return t->o.color ? codes[c] : "";
}

static const char *color_off(const struct text_out *t)
{
	return t->o.color ? "\033[0m" : "";
}

/* A growable line with its display width (UTF-8 aware, escapes zero). */
struct line {
	char buf[1024];
	size_t len;
	unsigned cols;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (size_t i = l->len; i < l->len + (size_t)n && i < sizeof(l->buf) - 1; i++) {
		unsigned char c = (unsigned char)l->buf[i];
		if (c == 0x1b) { /* skip an ANSI sequence */
			while (i < sizeof(l->buf) - 1 && l->buf[i] != 'm')
				i++;
			continue;
		}
		if ((c & 0xc0) != 0x80)
			l->cols++;
	}
	l->len += (size_t)n;
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1;
}

/* Length of a valid UTF-8 sequence starting at p (max n bytes), or 0. */
static unsigned utf8_len(const uint8_t *p, size_t n)
{
	unsigned len, i;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0 && p[0] >= 0xc2)
		len = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((p[0] & 0xf8) == 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Is this printable text (ASCII or UTF-8, with tab/CR/LF)? A sequence cut
 * at the end of the segment still counts as text. */
static bool is_text(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned k = utf8_len(p + i, n - i);
		if (k == 0)
			return n - i < 4 && p[i] >= 0xc2 && p[i] <= 0xf4;
		if (k == 1 && (p[i] < 0x20 || p[i] == 0x7f) && p[i] != '\t' &&
		    p[i] != '\r' && p[i] != '\n')
			return false;
		i += k;
	}
	return true;
}

/* A short preview of payload bytes: "text" or hex. A segment may begin
 * inside a UTF-8 character cut by the previous one: those bytes show as
 * "..." so the rest still reads as text. */
static void preview(struct line *l, const uint8_t *p, size_t n)
{
	size_t shown = 0, i = 0, lead = 0;

	if (n == 0)
		return;
	while (lead < n && lead < 3 && (p[lead] & 0xc0) == 0x80)
		lead++;
	if (lead < n && is_text(p + lead, n - lead)) {
		put(l, " \"%s", lead ? "..." : "");
		i = lead;
		while (i < n && shown < PREVIEW_BYTES) {
			unsigned k = utf8_len(p + i, n - i);
			if (k == 0)
				break;
			if (p[i] == '\n')
				put(l, "\\n");
			else if (p[i] == '\r')
				put(l, "\\r");
			else if (p[i] == '\t')
				put(l, "\\t");
			else if (p[i] == '"' || p[i] == '\\')
				put(l, "\\%c", p[i]);
			else
				put(l, "%.*s", (int)k, (const char *)p + i);
			i += k;
			shown += k > 1 ? 2 : 1;
		}
		put(l, "%s\"", i < n ? "..." : "");
		return;
	}
	put(l, " ");
	for (i = 0; i < n && i < PREVIEW_BYTES / 2; i++)
		put(l, "%02x", p[i]);
	if (i < n)
		put(l, "...");
}

static void piece(struct text_out *t, struct line *l, const struct fc_piece *pc)
{
	bool start = pc->flags & FC_PIECE_START, end = pc->flags & FC_PIECE_END;

	if (pc->flags & FC_PIECE_ERROR) {
		put(l, "%s[#%" PRIu64 " len=%" PRId64 " BAD]%s", color_on(t, C_BAD),
		    pc->frame_index, pc->length, color_off(t));
		return;
	}
	/* "#N?": decoded after a guessed resynchronisation. */
	put(l, "%s#%" PRIu64 "%s", start ? "[" : "...", pc->frame_index,
	    pc->flags & FC_PIECE_RESYNCED ? "?" : "");
	if (start && (pc->flags & FC_PIECE_LENGTH))
		put(l, " len=%" PRId64, pc->length);
	else if (start)
		put(l, " hdr %u B", pc->header_bytes);
	preview(l, pc->payload, pc->payload_n);
	put(l, "%s", end ? "]" : pc->payload_n ? ">" : " ...>");
}

static void stream_title(struct text_out *t, const struct fc_stream_info *s)
{
	FILE *out = t->o.out;
	const struct fc_profile *p = s->profile;
	char desc[160];

	fprintf(out, "%sstream %" PRIu64 "  %s -> %s%s", color_on(t, C_STREAM), s->id,
		s->client, s->server, color_off(t));
	for (unsigned i = 0; i < s->key.nvlan; i++)
		fprintf(out, "%s%u", i ? "." : "  vlan ", s->key.vlan[i]);
	fc_profile_describe(p, desc, sizeof(desc));
	fprintf(out, "  profile %s", desc);
	if (!s->syn_seen)
		fputs(" [no SYN: client guessed by port]", out);
	fputc('\n', out);
	t->last_stream = s->id;
}

/* Streams interleave in a capture: say whose lines follow when it changes. */
static void stream_header(struct text_out *t, const struct fc_stream_info *s)
{
	if (t->last_stream == s->id)
		return;
	fprintf(t->o.out, "%sstream %" PRIu64 "%s (continued)\n", color_on(t, C_STREAM),
		s->id, color_off(t));
	t->last_stream = s->id;
}

static void text_begin(void *ctx, const struct fc_stream_info *s)
{
	stream_title(ctx, s);
}

static void flush_queue(struct text_out *t)
{
	for (unsigned i = 0; i < t->nqueued; i++) {
		fputs(t->queued[i], t->o.out);
		free(t->queued[i]);
	}
	if (t->dropped)
		fprintf(t->o.out, "      (%u more lines for this segment not shown)\n",
			t->dropped);
	t->nqueued = t->dropped = 0;
}

static void emit(struct text_out *t, bool queue, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void emit(struct text_out *t, bool queue, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (!queue) {
		vfprintf(t->o.out, fmt, ap);
		va_end(ap);
		return;
	}
	if (t->nqueued == QUEUE_MAX || vasprintf(&s, fmt, ap) < 0)
		t->dropped++;
	else
		t->queued[t->nqueued++] = s;
	va_end(ap);
}

static void text_segment(void *ctx, const struct fc_stream_info *s,
			 enum fc_dir dir, const struct fc_segment *seg)
{
	struct text_out *t = ctx;
	FILE *out = t->o.out;
	struct line l = { .len = 0 };
	char range[48], notes[160] = "";
	size_t nl = 0;
	uint32_t shown = seg->npieces < FC_SEG_PIECES_MAX ? seg->npieces : FC_SEG_PIECES_MAX;

	stream_header(t, s);
	snprintf(range, sizeof(range), "[%" PRIu64 ",%" PRIu64 ")", seg->offset,
		 seg->offset + seg->len);
	put(&l, "  #%-4" PRIu64 " %s +", seg->pkt.num, dir == FC_C2S ? "c2s" : "s2c");
	{
		int64_t rel = seg->pkt.ts_us - s->first_ts_us;
		char ts[32];
		snprintf(ts, sizeof(ts), "%s%" PRId64 ".%06" PRId64, rel < 0 ? "-" : "",
			 (rel < 0 ? -rel : rel) / 1000000, (rel < 0 ? -rel : rel) % 1000000);
		put(&l, "%s %-13s %5u B ", ts, range, seg->len);
	}
	for (uint32_t i = 0; i < shown; i++) {
		if (i == FC_SEG_PIECES_MAX - 1 && seg->npieces > FC_SEG_PIECES_MAX)
			put(&l, "...(%u more)...", seg->npieces - FC_SEG_PIECES_MAX);
		piece(t, &l, &seg->pieces[i]);
	}
	if (seg->unframed)
		put(&l, "%s%s?? %u B unframed%s", shown ? " " : "", color_on(t, C_BAD), seg->unframed,
		    color_off(t));

	/* Notes: what a person should notice about this segment. */
	if (seg->npieces > 1)
		nl += (size_t)snprintf(notes + nl, sizeof(notes) - nl, "%sSTICKY: %u frames%s",
				       color_on(t, C_STICKY), seg->npieces, color_off(t));
	for (uint32_t i = 0; i < shown && nl < sizeof(notes) - 40; i++) {
		const struct fc_piece *pc = &seg->pieces[i];
		if ((pc->flags & FC_PIECE_END) && pc->nsegs > 1)
			nl += (size_t)snprintf(notes + nl, sizeof(notes) - nl,
					       "%s%s#%" PRIu64 " split: %u segs%s", nl ? "  " : "",
					       color_on(t, C_SPLIT), pc->frame_index, pc->nsegs,
					       color_off(t));
		else if ((pc->flags & FC_PIECE_HEADER_SPLIT) && (pc->flags & FC_PIECE_START))
			nl += (size_t)snprintf(notes + nl, sizeof(notes) - nl,
					       "%s%s#%" PRIu64 " header split%s", nl ? "  " : "",
					       color_on(t, C_SPLIT), pc->frame_index, color_off(t));
	}
	if (seg->out_of_order && nl < sizeof(notes) - 20)
		nl += (size_t)snprintf(notes + nl, sizeof(notes) - nl, "%sout of order",
				       nl ? "  " : "");
	if (nl) {
		struct line n = { .len = 0 };
		put(&n, "%s", notes);
		if (l.cols + 2 + n.cols <= LINE_MAX_COLS)
			fprintf(out, "%s%*s%s\n", l.buf, (int)(LINE_MAX_COLS - l.cols - n.cols), "", notes);
		else
			fprintf(out, "%s\n%*s%s\n", l.buf,
				(int)(n.cols < LINE_MAX_COLS ? LINE_MAX_COLS - n.cols : 4), "", notes);
	} else {
		fprintf(out, "%s\n", l.buf);
	}
	flush_queue(t);
}

static void text_frame(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_frame *f)
{
	struct text_out *t = ctx;

	if (t->o.verbose) {
		char pk[96] = "";
		size_t n = 0;
		for (uint32_t i = 0; i < f->npackets && n < sizeof(pk) - 24; i++)
			n += (size_t)snprintf(pk + n, sizeof(pk) - n, "%s#%" PRIu64, i ? "," : "",
					      f->packets[i]);
		emit(t, true, "      frame %s #%" PRIu64 " @%" PRIu64 " len=%" PRId64
			      " payload %" PRIu64 " B in %s%s%s%s%s\n",
		     dir == FC_C2S ? "c2s" : "s2c", f->index, f->offset, f->length,
		     f->payload_len, pk, f->npackets_total > f->npackets ? ",..." : "",
		     f->sticky ? " sticky" : "", f->split ? " split" : "",
		     f->resynced ? " resynced" : "");
	}
	if (t->o.hexdump) {
		for (uint64_t off = 0; off < f->payload_kept; off += 16) {
			char hex[50] = "", asc[17] = "";
			for (unsigned i = 0; i < 16; i++) {
				if (off + i < f->payload_kept) {
					uint8_t c = f->payload[off + i];
					snprintf(hex + i * 3, 4, "%02x ", c);
					asc[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
				} else {
					memcpy(hex + i * 3, "   ", 4);
				}
			}
			emit(t, true, "      #%-4" PRIu64 " 0x%04" PRIx64 ":  %s %s\n",
			     f->index, off, hex, asc);
		}
		if (f->payload_kept < f->payload_len)
			emit(t, true, "      #%-4" PRIu64 " (%" PRIu64 " more byte%s; "
				      "--payload-bytes to keep more)\n",
			     f->index, f->payload_len - f->payload_kept,
			     PLURAL(f->payload_len - f->payload_kept));
	}
}

static void text_anomaly(void *ctx, const struct fc_stream_info *s,
			 enum fc_dir dir, const struct fc_anomaly *a)
{
	struct text_out *t = ctx;

	if (!a->in_segment)
		stream_header(t, s);
	emit(t, a->in_segment, "    %s!! %s %s @%" PRIu64 " (packet #%" PRIu64 "): %s%s\n",
	     color_on(t, C_BAD), dir == FC_C2S ? "c2s" : "s2c", fc_anomaly_name(a->kind),
	     a->offset, a->pkt, a->detail, color_off(t));
	if (t->o.verbose && !t->explained[a->kind] && fc_explain(a->kind)) {
		char para[1200];
		t->explained[a->kind] = true;
		fc_explain_wrap(fc_explain(a->kind), "       ", LINE_MAX_COLS, para, sizeof(para));
		emit(t, a->in_segment, "%s\n", para);
	}
}

static void dir_summary(FILE *out, const char *name, const struct fc_decoder_stats *d)
{
	fprintf(out, "%s %" PRIu64 " frame%s in %" PRIu64 " segment%s", name, d->frames,
		d->frames == 1 ? "" : "s", d->segments, d->segments == 1 ? "" : "s");
	if (d->sticky_segments || d->split_frames)
		fprintf(out, " (%" PRIu64 " sticky, %" PRIu64 " split, max %" PRIu64
			     " frame%s/segment)",
			d->sticky_segments, d->split_frames, d->max_frames_in_segment,
			PLURAL(d->max_frames_in_segment));
}

static void text_end(void *ctx, const struct fc_stream_info *s,
		     const struct fc_stream_end *e)
{
	struct text_out *t = ctx;
	FILE *out = t->o.out;
	uint64_t anomalies = 0;

	stream_header(t, s);
	fprintf(out, "  = stream %" PRIu64 " (%s): ", s->id, e->why);
	dir_summary(out, "c2s", &e->dir[FC_C2S]);
	fputs("; ", out);
	dir_summary(out, "s2c", &e->dir[FC_S2C]);
	for (int d = 0; d < 2; d++)
		for (int k = 0; k < FC_AN__COUNT; k++)
			anomalies += e->dir[d].anomalies[k];
	if (anomalies) {
		fprintf(out, "; %s%" PRIu64 " anomal%s:", color_on(t, C_BAD), anomalies,
			anomalies == 1 ? "y" : "ies");
		for (int k = 0; k < FC_AN__COUNT; k++) {
			uint64_t n = e->dir[0].anomalies[k] + e->dir[1].anomalies[k];
			if (n)
				fprintf(out, " %s=%" PRIu64, fc_anomaly_name((enum fc_anomaly_kind)k), n);
		}
		fputs(color_off(t), out);
	}
	fputc('\n', out);
	if (t->o.verbose)
		for (int d = 0; d < 2; d++)
			fprintf(out, "    %s reassembly: %" PRIu64 " out-of-order segments, %" PRIu64
				     " retransmitted bytes, %" PRIu64 " conflicts, %" PRIu64
				     " gap bytes\n",
				d == 0 ? "c2s" : "s2c", e->reasm[d].ooo_segments,
				e->reasm[d].retransmitted_bytes, e->reasm[d].conflicts,
				e->reasm[d].gap_bytes);
}

static void text_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct text_out *t = (struct text_out *)o;
	FILE *out = t->o.out;

	fprintf(out, "%" PRIu64 " packets (%" PRIu64 " TCP), %" PRIu64 " stream%s (%" PRIu64
		     " with data), %" PRIu64 " frame%s, %" PRIu64 " sticky segment%s, %" PRIu64
		     " split frame%s, max %" PRIu64 " frame%s in one segment, %" PRIu64
		     " anomal%s",
		st->packets, st->tcp_packets, st->streams, PLURAL(st->streams),
		st->streams_with_data, st->frames, PLURAL(st->frames), st->sticky_segments,
		PLURAL(st->sticky_segments), st->split_frames, PLURAL(st->split_frames),
		st->max_frames_in_segment, PLURAL(st->max_frames_in_segment),
		st->anomalies, st->anomalies == 1 ? "y" : "ies");
	for (int k = 0; k < FC_AN__COUNT; k++)
		if (st->anomaly_kinds[k])
			fprintf(out, " %s=%" PRIu64, fc_anomaly_name((enum fc_anomaly_kind)k),
				st->anomaly_kinds[k]);
	fputc('\n', out);
	if (st->malformed || st->ip_fragments || st->bad_link || st->flows_evicted ||
	    st->forced_gaps || t->o.verbose)
		fprintf(out, "skipped: %" PRIu64 " malformed, %" PRIu64 " IP fragments, %" PRIu64
			     " unsupported link type; %" PRIu64 " flows evicted (peak %" PRIu64
			     " live), %" PRIu64 " holes given up (out-of-order buffer full)\n",
			st->malformed, st->ip_fragments, st->bad_link, st->flows_evicted,
			st->live_flows_peak, st->forced_gaps);
	if (live && live->live)
		fprintf(out, "%lu packets received by filter, %lu dropped by kernel, "
			     "%lu dropped by interface\n",
			live->received, live->dropped, live->ifdropped);
}

static void text_destroy(struct fc_output *o)
{
	struct text_out *t = (struct text_out *)o;

	flush_queue(t);
	free(t);
}

struct fc_output *fc_output_text(const struct fc_output_opts *opts)
{
	struct text_out *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = *opts;
	t->base.sink.ctx = t;
	t->base.sink.stream_begin = text_begin;
	t->base.sink.segment = text_segment;
	t->base.sink.frame = text_frame;
	t->base.sink.anomaly = text_anomaly;
	t->base.sink.stream_end = text_end;
	t->base.summary = text_summary;
	t->base.destroy = text_destroy;
	return &t->base;
}
