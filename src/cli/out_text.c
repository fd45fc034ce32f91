/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out_text.c - the human view: every data segment on one line, with the
 * frames drawn inside it.
 *
 *   stream 1  127.0.0.1:56102 -> 127.0.0.1:8001  (profile default)
 *     #4   c2s +0.000000 [0,4)       4 B [#0 hdr ...>          header alone
 *     #5   c2s +0.000041 [4,19)     15 B ...#0 "hello"]        #0 split: 2 segs
 *     #7   c2s +0.000090 [19,56)    37 B [#1 len=12 "abc"][#2 len=21 "de...>
 *                                                   STICKY: 2 frames in one segment
 *
 *     #9   c2s +0.000120 [19,56)    37 B retransmission, no new bytes
 *
 *   [#N ...]  frame N starts and ends here     [#N ..."> starts, continues
 *   ...#N ..] ends here (began earlier)        ...#N "..."> passes through
 *
 * A packet that only repeats bytes (a retransmission, a duplicate, a
 * keep-alive's old byte) gets its line too, without frames: they were
 * drawn where the bytes first came. One that repeats some and brings new
 * ones says "N B resent" after its frames.
 *
 * A capture of small frames has a segment line per packet, so lines are
 * stored straight into the output buffer (fmt_out.h) rather than printed;
 * rare lines (titles, anomalies, summaries) still use printf.
 *
 * Words for people come through _() (i18n.h): English as written here,
 * or Chinese (--lang zh), looked up once when the view is made for the
 * words of every segment line. Columns are display columns
 * (fc_text_cols): a CJK character takes two.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fc_describe.h"
#include "fc_text.h"
#include "i18n.h"
#include "fc_profile_opts.h"
#include "fmt_out.h"
#include "output.h"

#define LINE_MAX_COLS 80
#define PREVIEW_BYTES 14
/* Pieces of this many bytes or more have the bytes after them prefetched
 * (preview): small frames' pieces are few lines, and come in a run the
 * hardware prefetcher follows. */
#define PREFETCH_FROM 512
#define PREFETCH_AHEAD 2048
/* Room for a segment line before it is cut: its head, eight pieces of at
 * most 120 bytes, the elision and the unframed note stay within this. */
#define LINE_ROOM 2048
#define DESC_MAX 256
/* Profile descriptions remembered: a run has few profiles, and a
 * capture of many short connections a title per connection. */
#define DESC_SLOTS 4

struct text_out {
	struct fc_output base;
	struct fc_output_opts o;
	struct fmt_out out;
	uint64_t last_stream; /* whose header was printed last */
	bool explained[FC_AN__COUNT]; /* -v: a kind's paragraph is shown once */
	struct fc_word sticky, frames, split, segs, hsplit, dsplit, ooo; /* the notes */
	struct fc_word stream, continued, profile, no_syn; /* stream titles */
	struct fc_word semi; /* "; " between the "= stream" line's parts */
	/* "stream " and " (continued)\n" with their colour codes, padded for
	 * fixed-size moves (stream_header); cont_head_n 0: too long. */
	char cont_head[32], cont_tail[32];
	unsigned cont_head_n, cont_tail_n;
	struct fc_word unframed; /* in a segment line: "?? 2 B unframed" */
	struct fc_word retx, resent; /* a segment without new bytes; "12 B resent" */
	struct fc_word frame, prelude, payload, in, delim_in, w_sticky, w_split, w_resynced;
	/* The notes' words are plain ASCII (English): a note's columns are
	 * then its bytes without the colour codes, not counted again. */
	bool notes_ascii;
	/* The "= stream" line's formats, taken apart once (fmt_tpl): it
	 * comes once per connection, and printf's reading of them was most
	 * of its cost. A plural pair as [0] for a count of one, [1] for any
	 * other. */
	struct fmt_tpl end_head, end_frames[2], end_segs[2], end_counts[2], end_anomalies[2];
	/* Profile descriptions by profile (the engine's, which live as long
	 * as the run), filled in turn. */
	struct {
		const struct fc_profile *profile;
		size_t len;
		char text[DESC_MAX];
	} desc[DESC_SLOTS];
	unsigned desc_next;
	/* The last "= stream" line's counts of each direction and their
	 * text (dir_summary): connections of one service mostly end with
	 * the same counts, so their text is copied, not made again. len 0:
	 * none yet. */
	struct {
		uint64_t key[5];
		size_t len;
		char text[3 * FMT_TPL_ROOM + 4];
	} dsum[2];
};

/* The words, each under 60 bytes (a note must stay under 64). */
static void words_init(struct text_out *t)
{
	/* TRANSLATORS: the notes after a segment line: "STICKY: 3 frames",
	 * "#4 split: 3 segs", "#5 header split", "#2 delimiter split" (the
	 * frame's delimiter, "\r\n", began in an earlier segment). */
	t->sticky = fc_word(N_("STICKY: "));
	t->frames = fc_word(N_(" frames"));
	t->split = fc_word(N_(" split: "));
	t->segs = fc_word(N_(" segs"));
	t->hsplit = fc_word(N_(" header split"));
	t->dsplit = fc_word(N_(" delimiter split"));
	t->ooo = fc_word(N_("out of order"));
	/* TRANSLATORS: after a segment's frames, "?? 2 B unframed": bytes
	 * that belong to no frame. */
	t->unframed = fc_word(N_(" B unframed"));
	/* TRANSLATORS: a segment line whose packet repeats bytes that came
	 * before: "#12 c2s +0.300000 [100,200) 100 B retransmission, no new
	 * bytes"; and the note after a segment that repeated some of its
	 * bytes before new ones, "40 B resent". */
	t->retx = fc_word(N_("retransmission, no new bytes"));
	t->resent = fc_word(N_(" B resent"));
	/* TRANSLATORS: "stream 1  10.0.0.1:5000 -> 10.0.0.2:8001  profile
	 * default (...)" and "stream 1 (continued)". */
	t->stream = fc_word(N_("stream "));
	t->continued = fc_word(N_(" (continued)"));
	t->profile = fc_word(N_("  profile "));
	t->no_syn = fc_word(N_(" [no SYN: client guessed by port]"));
	t->semi = fc_word(N_("; "));
	/* TRANSLATORS: -v's frame lines: "frame c2s #4 @41 len=30 payload 30
	 * B in #10,#12 sticky split". */
	t->frame = fc_word(N_("      frame "));
	t->prelude = fc_word(N_(" prelude"));
	t->payload = fc_word(N_(" payload "));
	t->in = fc_word(N_(" B in "));
	t->delim_in = fc_word(N_(" B delimiter in "));
	t->w_sticky = fc_word(N_(" sticky"));
	t->w_split = fc_word(N_(" split"));
	t->w_resynced = fc_word(N_(" resynced"));

	const struct fc_word *notes[] = { &t->sticky, &t->frames, &t->split, &t->segs, &t->hsplit,
					  &t->dsplit, &t->ooo, &t->resent };
	t->notes_ascii = true;
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		for (size_t k = 0; k < notes[i]->n; k++)
			if ((unsigned char)notes[i]->s[k] >= 0x80 || notes[i]->s[k] == 0x1b)
				t->notes_ascii = false;
}

/* A translated format taken apart, or its English one when the
 * translation uses what fmt_tpl does not take (or an argument of
 * another kind, which printf would have misread). */
static void tpl_init(struct fmt_tpl *t, const char *english, const char *kinds)
{
	if (!fmt_tpl_init(t, _(english), kinds))
		fmt_tpl_init(t, english, kinds);
}

/* A plural pair: English and Chinese, the languages framecap speaks,
 * choose the form by n == 1 alone (Chinese has one form), so two
 * templates hold every case. */
static void tpl_init_n(struct fmt_tpl t[2], const char *one, const char *many,
		       const char *kinds)
{
	if (!fmt_tpl_init(&t[0], fc_ntr(one, many, 1), kinds))
		fmt_tpl_init(&t[0], one, kinds);
	if (!fmt_tpl_init(&t[1], fc_ntr(one, many, 2), kinds))
		fmt_tpl_init(&t[1], many, kinds);
}
/* xgettext finds the pairs by this name (src/po/module.mk). */
#define TPL_N(t, one, many, kinds) tpl_init_n((t), (one), (many), (kinds))

/* The formats of the "= stream" line (text_end). */
static void templates_init(struct text_out *t)
{
	/* TRANSLATORS: "  = stream 1 (fin): c2s ...; s2c ..."; %s is how
	 * the stream ended (fin, rst, capture end, evicted). */
	tpl_init(&t->end_head, N_("  = stream %" PRIu64 " (%s): "), "us");
	TPL_N(t->end_frames, "%" PRIu64 " frame in ",
	      "%" PRIu64 " frames in ", "u");
	TPL_N(t->end_segs, "%" PRIu64 " segment",
	      "%" PRIu64 " segments", "u");
	TPL_N(t->end_counts, " (%" PRIu64 " sticky, %" PRIu64 " split, max %" PRIu64
			     " frame/segment)",
	      " (%" PRIu64 " sticky, %" PRIu64 " split, max %" PRIu64
	      " frames/segment)", "uuu");
	TPL_N(t->end_anomalies, "%" PRIu64 " anomaly:",
	      "%" PRIu64 " anomalies:", "u");
}


enum color { C_NONE, C_STREAM, C_STICKY, C_SPLIT, C_BAD, C_DIM };

static const char *const color_codes[] = {
	[C_NONE] = "", [C_STREAM] = "\033[1m", [C_STICKY] = "\033[33m",
	[C_SPLIT] = "\033[36m", [C_BAD] = "\033[31m", [C_DIM] = "\033[2m",
};
#define COLOR_OFF "\033[0m"

static const char *color_on(const struct text_out *t, enum color c)
{
	return t->o.color ? color_codes[c] : "";
}

static const char *color_off(const struct text_out *t)
{
	return t->o.color ? COLOR_OFF : "";
}

/* A line being built in place, with the bytes that take no column:
 * colour codes and the bytes of a UTF-8 character beyond its columns
 * (fc_text_width; a CJK character's three bytes take two). Everything
 * else written to it is ASCII, one column a byte. */
struct line {
	char *p;
	size_t hidden;
};

static void line_color(const struct text_out *t, struct line *l, enum color c)
{
	if (t->o.color) {
		size_t n = strlen(color_codes[c]);
		l->p = fmt_mem(l->p, color_codes[c], n);
		l->hidden += n;
	}
}

static void line_color_off(const struct text_out *t, struct line *l)
{
	if (t->o.color) {
		l->p = FMT_LIT(l->p, COLOR_OFF);
		l->hidden += sizeof(COLOR_OFF) - 1;
	}
}

#ifdef __SSE2__
/* Which of the 16 bytes at p are printable ASCII (0x20 to 0x7e): adding
 * 0x60 moves that range to the bottom of the signed bytes, so one signed
 * compare tells. */
static inline __m128i printable16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x60)),
			      _mm_set1_epi8((char)(-128 + 0x5f)));
}

/* The 16 bytes at p are all printable ASCII, tab, CR or LF. */
static inline bool text16(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ok = printable16(p);

	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
	return _mm_movemask_epi8(ok) == 0xffff;
}
#endif

/* Bytes from p that are plain printable ASCII (or tab, CR, LF), in whole
 * blocks of 16: the common case of is_text, taken in one step. Tabs and
 * line ends are the rare part, so they are looked for only in a block
 * whose printable test failed. */
static size_t ascii_run(const uint8_t *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	for (; i + 64 <= n; i += 64) {
		__m128i ok = _mm_and_si128(_mm_and_si128(printable16(p + i), printable16(p + i + 16)),
					   _mm_and_si128(printable16(p + i + 32),
							 printable16(p + i + 48)));
		if (_mm_movemask_epi8(ok) != 0xffff)
			break;
	}
	for (; i + 16 <= n; i += 16) {
		if (_mm_movemask_epi8(printable16(p + i)) != 0xffff && !text16(p + i))
			break;
	}
#else
	(void)p;
	(void)n;
#endif
	return i;
}

/* fc_text_cols, with a leading run of plain ASCII without escapes taken
 * 16 bytes at a time (a byte a column): a segment's notes are that, in
 * English, and counting them byte by byte was 3% of the text view. What
 * follows the run is counted as before; no character or escape sequence
 * straddles the cut, as the run holds neither. */
static unsigned text_cols(const char *s, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

		if (_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x1b)))))
			break;
	}
#endif
	return (unsigned)i + fc_text_cols(s + i, n - i);
}

/* How many of the 16 bytes at p, from the first, are printable ASCII
 * other than '"' and '\\' (shown as they are in a preview). */
static unsigned plain_prefix16(const uint8_t *p)
{
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1f)),
				   _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f)));
	ok = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), ok);
	ok = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), ok);
	unsigned bad = ~(unsigned)_mm_movemask_epi8(ok) & 0xffff;
	return bad ? (unsigned)__builtin_ctz(bad) : 16;
#else
	unsigned i = 0;
	while (i < 16 && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
#endif
}

/* Is this text (fc_text_is_text)? Plain ASCII, the usual case, is
 * taken 16 bytes at a time first. */
static bool is_text(const uint8_t *p, size_t n)
{
	size_t i = ascii_run(p, n);

	if (i >= n)
		return true;
#ifdef __SSE2__
	/* Fewer than 16 left: the last 16 bytes, overlapping what was
	 * checked already, may settle it at once (in place: a second
	 * ascii_run call for them was a tenth of a segment line). */
	if (n >= 16 && n - i < 16 &&
	    (_mm_movemask_epi8(printable16(p + n - 16)) == 0xffff || text16(p + n - 16)))
		return true;
#endif
	return fc_text_is_text(p + i, n - i);
}

/* A short preview of payload bytes: "text" or hex. A segment may begin
 * inside a UTF-8 character cut by the previous one: those bytes show as
 * "..." so the rest still reads as text. At most 70 bytes. */
static void preview(struct line *l, const uint8_t *p, size_t n)
{
	size_t shown = 0, i = 0, lead = 0;
	char *o = l->p;

	if (n == 0)
		return;
#ifdef __SSE2__
	/* A bulk piece is scanned whole (is_text) to show 14 bytes of it,
	 * and this is the first read of most of its bytes (the mapped
	 * file's page cache): each of its cache lines was a miss, a fifth
	 * of the text view on large frames. The next record's bytes lie
	 * just past this one in the file, so they are fetched now, while this
	 * line is written (a prefetch never faults, past the end included;
	 * the address is formed as an integer so no pointer leaves its
	 * object). 2 KiB ahead measured best (4 KiB: less). The reader
	 * (pcap_map.c) now asks for the same 2 KiB past each record when it
	 * hands the record over, yet this one still pays: without it
	 * large-frames text took 7-8% more CPU (21 rounds, twice). Why the
	 * second request helps is not measured (perhaps the reader's are
	 * dropped while the line-fill buffers are full of the record's own
	 * lines); small frames' pieces stay under PREFETCH_FROM. */
	if (n >= PREFETCH_FROM)
		for (size_t k = 0; k < PREFETCH_AHEAD; k += 64)
			_mm_prefetch((const char *)((uintptr_t)p + n + k), _MM_HINT_T0);
#endif
	while (lead < n && lead < 3 && (p[lead] & 0xc0) == 0x80)
		lead++;
	if (lead < n && is_text(p + lead, n - lead)) {
		o = FMT_LIT(o, " \"");
		if (lead)
			o = FMT_LIT(o, "...");
		i = lead;
		if (n - i >= 16) {
			/* Usually the whole preview is plain: copy it at once
			 * (16 bytes stored, only those taken counted). */
			unsigned m = plain_prefix16(p + i);
			if (m > PREVIEW_BYTES)
				m = PREVIEW_BYTES;
			memcpy(o, p + i, 16);
			o += m;
			i += m;
			shown += m;
		}
		while (i < n && shown < PREVIEW_BYTES) {
			uint32_t cp;
			size_t k;

			if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
				*o++ = (char)p[i++]; /* the usual case: one byte */
				shown++;
				continue;
			}
			k = fc_utf8_decode(p + i, n - i, &cp);
			if (k == 0)
				break;
			if (cp == '"' || cp == '\\') {
				*o++ = '\\';
				*o++ = (char)cp;
				shown++;
			} else if (!fc_text_shows(cp)) {
				/* A terminal would act on it (a bidi override, a
				 * C1 control): shown escaped, never as it is. */
				char *e = fc_text_escape(o, cp);
				shown += (size_t)(e - o);
				o = e;
			} else {
				for (size_t b = 0; b < k; b++)
					*o++ = (char)p[i + b];
				l->hidden += k - fc_text_width(cp);
				shown += k > 1 ? 2 : 1;
			}
			i += k;
		}
		if (i < n)
			o = FMT_LIT(o, "...");
		*o++ = '"';
		l->p = o;
		return;
	}
	*o++ = ' ';
	i = n < PREVIEW_BYTES / 2 ? n : PREVIEW_BYTES / 2;
	o = fmt_hex(o, p, i);
	if (i < n)
		o = FMT_LIT(o, "...");
	l->p = o;
}

/* At most 120 bytes. */
static void piece(const struct text_out *t, struct line *l, const struct fc_piece *pc)
{
	bool start = pc->flags & FC_PIECE_START, end = pc->flags & FC_PIECE_END;

	if (pc->flags & FC_PIECE_ERROR) {
		line_color(t, l, C_BAD);
		l->p = FMT_LIT(l->p, "[#");
		l->p = fmt_u64(l->p, pc->frame_index);
		l->p = FMT_LIT(l->p, " len=");
		l->p = fmt_i64(l->p, pc->length);
		l->p = FMT_LIT(l->p, " BAD]");
		line_color_off(t, l);
		return;
	}
	/* "#N?": decoded after a guessed resynchronisation. */
	if (start)
		l->p = FMT_LIT(l->p, "[#");
	else
		l->p = FMT_LIT(l->p, "...#");
	l->p = fmt_u64(l->p, pc->frame_index);
	if (pc->flags & FC_PIECE_RESYNCED)
		*l->p++ = '?';
	if (start && (pc->flags & FC_PIECE_PRELUDE))
		l->p = FMT_LIT(l->p, " prelude");
	if (start && (pc->flags & FC_PIECE_LENGTH)) {
		l->p = FMT_LIT(l->p, " len=");
		l->p = fmt_i64(l->p, pc->length);
	} else if (start && pc->header_bytes) {
		l->p = FMT_LIT(l->p, " hdr ");
		l->p = fmt_u64(l->p, pc->header_bytes);
		l->p = FMT_LIT(l->p, " B");
	}
	preview(l, pc->payload, pc->payload_n);
	if (end)
		*l->p++ = ']';
	else if (pc->payload_n)
		*l->p++ = '>';
	else
		l->p = FMT_LIT(l->p, " ...>");
}

/* The description of s's profile, made once per profile: it is printf
 * work, several times the rest of the title. */
static const char *profile_desc(struct text_out *t, const struct fc_stream_info *s,
				size_t *len)
{
	unsigned i;

	for (i = 0; i < DESC_SLOTS; i++)
		if (t->desc[i].profile == s->profile)
			break;
	if (i == DESC_SLOTS) {
		i = t->desc_next;
		t->desc_next = (i + 1) % DESC_SLOTS;
		fc_profile_describe_in(s->profile, fc_lang_zh() ? fc_tr : NULL, t->desc[i].text,
				       DESC_MAX);
		t->desc[i].len = strnlen(t->desc[i].text, DESC_MAX - 1);
		t->desc[i].profile = s->profile;
	}
	*len = t->desc[i].len;
	return t->desc[i].text;
}

static void stream_title(struct text_out *t, const struct fc_stream_info *s)
{
	size_t dlen;
	const char *desc = profile_desc(t, s, &dlen);
	char *p = fmt_room(&t->out, 3 * FC_ENDPOINT_MAX + DESC_MAX + 160);

	if (t->o.color)
		p = FMT_LIT(p, "\033[1m");
	p = FC_PUT_WORD(p, t->stream);
	p = fmt_u64(p, s->id);
	p = FMT_LIT(p, "  ");
	p = fmt_endpoint(p, &s->key.src, s->key.sport);
	p = FMT_LIT(p, " -> ");
	p = fmt_endpoint(p, &s->key.dst, s->key.dport);
	if (t->o.color)
		p = FMT_LIT(p, COLOR_OFF);
	for (unsigned i = 0; i < s->key.nvlan && i < FC_MAX_VLAN; i++) {
		if (i)
			*p++ = '.';
		else
			p = FMT_LIT(p, "  vlan ");
		p = fmt_u64(p, s->key.vlan[i]);
	}
	p = FC_PUT_WORD(p, t->profile);
	p = fmt_mem(p, desc, dlen);
	if (!s->syn_seen)
		p = FC_PUT_WORD(p, t->no_syn);
	*p++ = '\n';
	fmt_commit(&t->out, p);
	t->last_stream = s->id;
}

/* Streams interleave in a capture: say whose lines follow when it changes. */
static void stream_header(struct text_out *t, const struct fc_stream_info *s)
{
	char *p;

	if (t->last_stream == s->id)
		return;
	t->last_stream = s->id;
	p = fmt_room(&t->out, 64 + sizeof(t->cont_head) + sizeof(t->cont_tail) + t->stream.n +
				      t->continued.n);
	if (t->cont_head_n) {
		/* Interleaved connections have this line before nearly
		 * every segment: two fixed-size moves around the number. */
		memcpy(p, t->cont_head, sizeof(t->cont_head));
		p = fmt_u64(p + t->cont_head_n, s->id);
		memcpy(p, t->cont_tail, sizeof(t->cont_tail));
		fmt_commit(&t->out, p + t->cont_tail_n);
		return;
	}
	if (t->o.color)
		p = fmt_mem(p, color_codes[C_STREAM], strlen(color_codes[C_STREAM]));
	p = FC_PUT_WORD(p, t->stream);
	p = fmt_u64(p, s->id);
	if (t->o.color)
		p = FMT_LIT(p, COLOR_OFF);
	p = FC_PUT_WORD(p, t->continued);
	*p++ = '\n';
	fmt_commit(&t->out, p);
}

/* stream_header's text around the number, when both parts fit. */
static void cont_init(struct text_out *t)
{
	const char *on = t->o.color ? color_codes[C_STREAM] : "";
	const char *off = t->o.color ? COLOR_OFF : "";
	size_t head = strlen(on) + t->stream.n, tail = strlen(off) + t->continued.n + 1;

	if (head > sizeof(t->cont_head) || tail > sizeof(t->cont_tail))
		return; /* cont_head_n stays 0: the general path */
	memcpy(t->cont_head, on, strlen(on));
	memcpy(t->cont_head + strlen(on), t->stream.s, t->stream.n);
	memcpy(t->cont_tail, off, strlen(off));
	memcpy(t->cont_tail + strlen(off), t->continued.s, t->continued.n);
	t->cont_tail[tail - 1] = '\n';
	t->cont_head_n = (unsigned)head;
	t->cont_tail_n = (unsigned)tail;
}

static void text_begin(void *ctx, const struct fc_stream_info *s)
{
	stream_title(ctx, s);
}

/* The notes after a segment line: at most a sticky note, one per piece
 * shown, "out of order" and "N B resent", each under 60 bytes with its
 * colour. */
struct notes {
	char buf[(FC_SEG_PIECES_MAX + 3) * 64];
	size_t n;
	size_t hidden; /* bytes of colour codes in buf */
};

static void note(struct notes *nt, const struct text_out *t, enum color c,
		 const struct fc_word *what, uint64_t index, const struct fc_word *tail,
		 uint64_t count)
{
	char *p = nt->buf + nt->n;

	if (nt->n)
		p = FMT_LIT(p, "  ");
	if (c != C_NONE && t->o.color) {
		size_t k = strlen(color_codes[c]);

		p = fmt_mem(p, color_codes[c], k);
		nt->hidden += k + sizeof(COLOR_OFF) - 1;
	}
	p = FC_PUT_WORD(p, *what);
	if (index != UINT64_MAX)
		p = fmt_u64(p, index);
	if (tail)
		p = FC_PUT_WORD(p, *tail);
	if (count != UINT64_MAX) {
		p = fmt_u64(p, count);
		p = c == C_STICKY ? FC_PUT_WORD(p, t->frames) : FC_PUT_WORD(p, t->segs);
	}
	if (c != C_NONE && t->o.color)
		p = FMT_LIT(p, COLOR_OFF);
	nt->n = (size_t)(p - nt->buf);
}

/* Padding before a segment's notes. */
static const char spaces[LINE_MAX_COLS] = "                                        "
					  "                                        ";

static void segment_line(struct text_out *t, const struct fc_stream_info *s,
			 enum fc_dir dir, const struct fc_segment *seg)
{
	struct notes nt;
	struct line l;
	char *start, *p;
	size_t len;
	unsigned cols;
	uint32_t shown = seg->npieces < FC_SEG_PIECES_MAX ? seg->npieces : FC_SEG_PIECES_MAX;

	/* Notes: what a person should notice about this segment. Made first,
	 * in nt.buf, and copied after the line: copied right after they were
	 * made, the copy's 16-byte loads met the notes' 1- to 8-byte stores
	 * still on their way and waited for them (store forwarding fails). */
	nt.n = 0;
	nt.hidden = 0;
	if (seg->npieces > 1)
		note(&nt, t, C_STICKY, &t->sticky, UINT64_MAX, NULL, seg->npieces);
	for (uint32_t i = 0; i < shown; i++) {
		static const struct fc_word hash = { "#", 1 };
		const struct fc_piece *pc = &seg->pieces[i];
		if ((pc->flags & FC_PIECE_END) && pc->nsegs > 1)
			note(&nt, t, C_SPLIT, &hash, pc->frame_index, &t->split, pc->nsegs);
		/* A reader that looks for the delimiter in each read alone
		 * misses this one (the split note above is always there too). */
		if (pc->flags & FC_PIECE_TRAILER_SPLIT)
			note(&nt, t, C_SPLIT, &hash, pc->frame_index, &t->dsplit, UINT64_MAX);
		else if ((pc->flags & FC_PIECE_HEADER_SPLIT) && (pc->flags & FC_PIECE_START))
			note(&nt, t, C_SPLIT, &hash, pc->frame_index, &t->hsplit, UINT64_MAX);
	}
	if (seg->out_of_order)
		note(&nt, t, C_NONE, &t->ooo, UINT64_MAX, NULL, UINT64_MAX);
	if (seg->repeated && !seg->retransmission) {
		static const struct fc_word none = { "", 0 };
		note(&nt, t, C_DIM, &none, seg->repeated, &t->resent, UINT64_MAX);
	}
	start = fmt_room(&t->out, LINE_ROOM + 2 * LINE_MAX_COLS + sizeof(nt.buf));
	l.p = start;
	l.hidden = 0;
	l.p = FMT_LIT(l.p, "  #");
	l.p = fmt_u64_left(l.p, seg->pkt.num, 4);
	l.p = dir == FC_C2S ? FMT_LIT(l.p, " c2s +") : FMT_LIT(l.p, " s2c +");
	/* Wrapping, not overflowing, for the saturated times of a hostile
	 * capture. */
	l.p = fmt_time_us(l.p, (int64_t)((uint64_t)seg->pkt.ts_us - (uint64_t)s->first_ts_us));
	*l.p++ = ' ';
	{
		char *r = l.p;
		*l.p++ = '[';
		l.p = fmt_u64(l.p, seg->offset);
		*l.p++ = ',';
		l.p = fmt_u64(l.p, seg->offset + seg->len);
		*l.p++ = ')';
		/* Padded to 13 columns by one fixed-size move, not a byte
		 * at a time (most ranges are 5 to 11 bytes). */
		if (l.p - r < 13) {
			memcpy(l.p, "             ", 13);
			l.p = r + 13;
		}
	}
	*l.p++ = ' ';
	l.p = fmt_u64_right(l.p, seg->len, 5);
	l.p = FMT_LIT(l.p, " B ");
	if (seg->retransmission) {
		line_color(t, &l, C_DIM);
		l.p = FC_PUT_WORD(l.p, t->retx);
		l.hidden += t->retx.n - fc_text_cols(t->retx.s, t->retx.n);
		line_color_off(t, &l);
	}
	for (uint32_t i = 0; i < shown; i++) {
		if (i == FC_SEG_PIECES_MAX - 1 && seg->npieces > FC_SEG_PIECES_MAX) {
			l.p = FMT_LIT(l.p, "...(");
			l.p = fmt_u64(l.p, seg->npieces - FC_SEG_PIECES_MAX);
			l.p = FMT_LIT(l.p, " more)...");
		}
		piece(t, &l, &seg->pieces[i]);
	}
	if (seg->unframed) {
		if (shown)
			*l.p++ = ' ';
		line_color(t, &l, C_BAD);
		l.p = FMT_LIT(l.p, "?? ");
		l.p = fmt_u64(l.p, seg->unframed);
		l.p = FC_PUT_WORD(l.p, t->unframed);
		l.hidden += t->unframed.n - fc_text_cols(t->unframed.s, t->unframed.n);
		line_color_off(t, &l);
	}
	len = (size_t)(l.p - start);
	cols = (unsigned)(len - l.hidden);
	p = start + len;

	if (nt.n) {
		size_t nn = nt.n;
		unsigned ncols = t->notes_ascii ? (unsigned)(nn - nt.hidden) : text_cols(nt.buf, nn);
		unsigned pad;
		if (cols + 2 + ncols <= LINE_MAX_COLS) {
			pad = LINE_MAX_COLS - cols - ncols;
		} else {
			*p++ = '\n';
			pad = ncols < LINE_MAX_COLS ? LINE_MAX_COLS - ncols : 4;
		}
		/* pad <= LINE_MAX_COLS: one fixed-size copy of spaces (the room
		 * holds it), not a memset of a varying size (rep stos). */
		memcpy(p, spaces, LINE_MAX_COLS);
		p = fmt_mem(p + pad, nt.buf, nn);
	}
	*p++ = '\n';
	fmt_commit(&t->out, p);
}

/* -v: a frame's line. */
static void frame_line(struct text_out *t, enum fc_dir dir, const struct fc_frame *f)
{
	char *p = fmt_room(&t->out, 200 + 96 + 24 + 64 + 8 * 60);
	char *pk;

	p = FC_PUT_WORD(p, t->frame);
	p = dir == FC_C2S ? FMT_LIT(p, "c2s #") : FMT_LIT(p, "s2c #");
	p = fmt_u64(p, f->index);
	p = FMT_LIT_U64(p, " @", f->offset);
	if (f->prelude)
		p = FC_PUT_WORD(p, t->prelude);
	if (!f->trailer_len) { /* a delimited frame has no length field */
		p = FMT_LIT_I64(p, " len=", f->length);
	}
	if (f->length_flags) {
		p = FMT_LIT(p, " flags=");
		p += sprintf(p, "0x%" PRIx64, f->length_flags);
	}
	p = FC_PUT_WORD(p, t->payload);
	p = fmt_u64(p, f->payload_len);
	if (f->trailer_len) {
		p = FMT_LIT_U64(p, " B + ", f->trailer_len);
		p = FC_PUT_WORD(p, t->delim_in);
	} else {
		p = FC_PUT_WORD(p, t->in);
	}
	pk = p; /* the packet list stops once it is 72 bytes long */
	for (uint32_t i = 0; i < f->npackets && p - pk < 96 - 24; i++) {
		if (i)
			*p++ = ',';
		*p++ = '#';
		p = fmt_u64(p, f->packets[i]);
	}
	if (f->npackets_total > f->npackets)
		p = FMT_LIT(p, ",...");
	if (f->sticky)
		p = FC_PUT_WORD(p, t->w_sticky);
	if (f->split)
		p = FC_PUT_WORD(p, t->w_split);
	if (f->resynced)
		p = FC_PUT_WORD(p, t->w_resynced);
	*p++ = '\n';
	fmt_commit(&t->out, p);
}

/* -X: the kept payload as a hex dump, 16 bytes a line. */
static void frame_hexdump(struct text_out *t, const struct fc_frame *f)
{
	for (uint64_t off = 0; off < f->payload_kept; off += 16) {
		unsigned k = f->payload_kept - off < 16 ? (unsigned)(f->payload_kept - off) : 16;
		char *p = fmt_room(&t->out, 128);

		p = FMT_LIT(p, "      #");
		p = fmt_u64_left(p, f->index, 4);
		p = FMT_LIT(p, " 0x");
		for (int shift = off >= 0x10000 ? 60 : 12; shift >= 0; shift -= 4)
			if (shift <= 12 || (off >> shift))
				*p++ = "0123456789abcdef"[(off >> shift) & 15];
		p = FMT_LIT(p, ":  ");
		for (unsigned i = 0; i < 16; i++) {
			if (i < k) {
				p = fmt_hex(p, f->payload + off + i, 1);
				*p++ = ' ';
			} else {
				p = FMT_LIT(p, "   ");
			}
		}
		*p++ = ' ';
		for (unsigned i = 0; i < k; i++) {
			uint8_t c = f->payload[off + i];
			*p++ = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		*p++ = '\n';
		fmt_commit(&t->out, p);
	}
	if (f->payload_kept < f->payload_len) {
		uint64_t more = f->payload_len - f->payload_kept;
		fmt_printf(&t->out, "      #%-4" PRIu64 " ", f->index);
		fmt_printf(&t->out, fc_ntr("(%" PRIu64 " more byte; --payload-bytes to keep more)",
					   "(%" PRIu64 " more bytes; --payload-bytes to keep more)",
					   more), more);
		fmt_write(&t->out, "\n", 1);
	}
}

static void anomaly_line(struct text_out *t, enum fc_dir dir, const struct fc_anomaly *a)
{
	char detail[FC_DESCRIBE_MAX_IN];

	fc_anomaly_describe_in(a, fc_lang_zh() ? fc_tr : NULL, detail, sizeof(detail));
	/* TRANSLATORS: "    !! c2s oversize @41 (packet #10): <the finding>";
	 * the first and last %s are colour codes, the kind's name stays. */
	fmt_printf(&t->out, _("    %s!! %s %s @%" PRIu64 " (packet #%" PRIu64 "): %s%s\n"),
		   color_on(t, C_BAD), dir == FC_C2S ? "c2s" : "s2c", fc_anomaly_name(a->kind),
		   a->offset, a->pkt, detail, color_off(t));
	if (t->o.verbose && !t->explained[a->kind] && fc_anomaly_explain(a->kind)) {
		char para[2400];
		t->explained[a->kind] = true;
		fc_text_wrap(_(fc_anomaly_explain(a->kind)), "       ", LINE_MAX_COLS, para,
			     sizeof(para));
		fmt_printf(&t->out, "%s\n", para);
	}
}

/* A segment's line, then what was found in it, in order; or, with no
 * segment, what a gap or the end of a direction found. */
static void text_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
			const struct fc_report *r)
{
	struct text_out *t = ctx;

	stream_header(t, s);
	if (r->seg)
		segment_line(t, s, dir, r->seg);
	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_event *ev = &r->events[i];

		if (ev->type == FC_EV_ANOMALY) {
			anomaly_line(t, dir, &ev->anomaly);
			continue;
		}
		if (t->o.verbose)
			frame_line(t, dir, &ev->frame);
		if (t->o.hexdump)
			frame_hexdump(t, &ev->frame);
	}
}

/* Print format one or many (a plural pair, chosen and translated by n)
 * with n, its only argument; n is evaluated twice. A macro, so that the
 * compiler still checks both formats against n. */
#define PUT_N(out, one, many, n) fmt_printf((out), fc_ntr((one), (many), (n)), (n))

/* A plural pair's template for the count n, at p (FMT_TPL_ROOM bytes). */
static char *put_n(char *p, const struct fmt_tpl t[2], uint64_t n)
{
	return fmt_tpl_put(p, &t[n != 1], &(union fmt_arg){ .u = n });
}

/* One direction's counts at p: "c2s 6 frames in 7 segments (1 sticky, 2
 * split, max 3 frames/segment)"; at most 3 * FMT_TPL_ROOM + 4 bytes. */
static char *dir_summary(struct text_out *t, char *p, enum fc_dir dir,
			 const struct fc_decoder_stats *d)
{
	const uint64_t key[5] = { d->frames, d->segments, d->sticky_segments, d->split_frames,
				  d->max_frames_in_segment };
	char *start = p;

	if (t->dsum[dir].len && !memcmp(key, t->dsum[dir].key, sizeof(key)))
		return fmt_mem(p, t->dsum[dir].text, t->dsum[dir].len);
	p = dir == FC_C2S ? FMT_LIT(p, "c2s ") : FMT_LIT(p, "s2c ");
	p = put_n(p, t->end_frames, d->frames);
	p = put_n(p, t->end_segs, d->segments);
	if (d->sticky_segments || d->split_frames) {
		union fmt_arg a[3] = { { .u = d->sticky_segments }, { .u = d->split_frames },
				       { .u = d->max_frames_in_segment } };

		p = fmt_tpl_put(p, &t->end_counts[d->max_frames_in_segment != 1], a);
	}
	memcpy(t->dsum[dir].key, key, sizeof(key));
	t->dsum[dir].len = (size_t)(p - start);
	memcpy(t->dsum[dir].text, start, t->dsum[dir].len);
	return p;
}

/* " gap=1 oversize=2": the kinds' names stay as they are, in every
 * language (they are what --explain and JSON take). */
static void kinds_list(struct fmt_out *out, const uint64_t *a, const uint64_t *b)
{
	for (int k = 0; k < FC_AN__COUNT; k++) {
		uint64_t n = a[k] + (b ? b[k] : 0);
		const char *name = fc_anomaly_name((enum fc_anomaly_kind)k);
		size_t len;
		char *p;

		if (!n)
			continue;
		len = strlen(name);
		p = fmt_room(out, len + 22);
		*p++ = ' ';
		p = fmt_mem(p, name, len);
		*p++ = '=';
		fmt_commit(out, fmt_u64(p, n));
	}
}

/* Whether a kind has a count in a or b (FC_AN__COUNT each). */
static bool any_count(const uint64_t *a, const uint64_t *b)
{
	uint64_t any = 0;

	for (int k = 0; k < FC_AN__COUNT; k++)
		any |= a[k] | b[k];
	return any != 0;
}

static void text_end(void *ctx, const struct fc_stream_info *s,
		     const struct fc_stream_end *e)
{
	struct text_out *t = ctx;
	struct fmt_out *out = &t->out;
	uint64_t anomalies = 0;

	stream_header(t, s);
	{
		/* The line up to the anomalies in one reservation: seven
		 * templates, the end's name and the separator. */
		union fmt_arg a[2] = { { .u = s->id }, { .s = _(e->why) } };
		char *p = fmt_room(out, 7 * FMT_TPL_ROOM + strlen(a[1].s) + 8 + t->semi.n);

		p = fmt_tpl_put(p, &t->end_head, a);
		p = dir_summary(t, p, FC_C2S, &e->dir[FC_C2S]);
		p = FC_PUT_WORD(p, t->semi);
		p = dir_summary(t, p, FC_S2C, &e->dir[FC_S2C]);
		fmt_commit(out, p);
	}
	/* Most connections have none: an OR over both directions' counts
	 * tells, without a branch a kind (the compiler makes it vector
	 * code); the sum took 180 instructions a connection, two memcmp
	 * calls 120. */
	if (any_count(e->dir[0].anomalies, e->dir[1].anomalies))
		for (int d = 0; d < 2; d++)
			for (int k = 0; k < FC_AN__COUNT; k++)
				anomalies += e->dir[d].anomalies[k];
	if (anomalies) {
		fmt_write(out, t->semi.s, t->semi.n);
		fmt_str(out, color_on(t, C_BAD));
		fmt_tpl_write(out, &t->end_anomalies[anomalies != 1],
			      &(union fmt_arg){ .u = anomalies });
		kinds_list(out, e->dir[0].anomalies, e->dir[1].anomalies);
		fmt_str(out, color_off(t));
	}
	fmt_write(out, "\n", 1);
	if (t->o.verbose)
		for (int d = 0; d < 2; d++)
			fmt_printf(out, _("    %s reassembly: %" PRIu64 " out-of-order segments, %"
					  PRIu64 " retransmitted bytes, %" PRIu64 " conflicts, %"
					  PRIu64 " gap bytes\n"),
				   d == 0 ? "c2s" : "s2c", e->reasm[d].ooo_segments,
				   e->reasm[d].retransmitted_bytes, e->reasm[d].conflicts,
				   e->reasm[d].gap_bytes);
}

/* The run's counts on one line, then what was skipped or cut, if any. */
static void text_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct text_out *t = (struct text_out *)o;
	struct fmt_out *out = &t->out;
	const char *sep = _(", ");

	fmt_printf(out, _("%" PRIu64 " packets (%" PRIu64 " TCP)"), st->packets, st->tcp_packets);
	fmt_str(out, sep);
	fmt_printf(out, fc_ntr("%" PRIu64 " stream (%" PRIu64 " with data)",
			       "%" PRIu64 " streams (%" PRIu64 " with data)", st->streams),
		   st->streams, st->streams_with_data);
	fmt_str(out, sep);
	PUT_N(out, "%" PRIu64 " frame",
	      "%" PRIu64 " frames", st->frames);
	fmt_str(out, sep);
	PUT_N(out, "%" PRIu64 " sticky segment",
	      "%" PRIu64 " sticky segments", st->sticky_segments);
	fmt_str(out, sep);
	PUT_N(out, "%" PRIu64 " split frame",
	      "%" PRIu64 " split frames", st->split_frames);
	fmt_str(out, sep);
	PUT_N(out, "max %" PRIu64 " frame in one segment",
	      "max %" PRIu64 " frames in one segment", st->max_frames_in_segment);
	fmt_str(out, sep);
	PUT_N(out, "%" PRIu64 " anomaly",
	      "%" PRIu64 " anomalies", st->anomalies);
	kinds_list(out, st->anomaly_kinds, NULL);
	fmt_write(out, "\n", 1);
	if (st->malformed || st->ip_fragments || st->bad_link || st->flows_evicted ||
	    st->forced_gaps || t->o.verbose)
		fmt_printf(out, _("skipped: %" PRIu64 " malformed, %" PRIu64 " unsupported link "
				  "type; %" PRIu64 " flows evicted (peak %" PRIu64 " live), %"
				  PRIu64 " holes given up (out-of-order buffer full)\n"),
			   st->malformed, st->bad_link, st->flows_evicted,
			   st->live_flows_peak, st->forced_gaps);
	if (st->untracked_packets)
		PUT_N(out, "untracked: %" PRIu64 " packet of connections the full flow "
				       "table had no room for (--max-flows)\n",
	      "untracked: %" PRIu64 " packets of connections the full flow "
				       "table had no room for (--max-flows)\n", st->untracked_packets);
	if (st->kept_cut_frames)
		PUT_N(out, "kept payload: %" PRIu64 " frame kept fewer bytes than "
				       "--payload-bytes asks (--max-kept budget spent)\n",
	      "kept payload: %" PRIu64 " frames kept fewer bytes than "
				       "--payload-bytes asks (--max-kept budget spent)\n", st->kept_cut_frames);
	if (st->ip_fragments || t->o.verbose)
		fmt_printf(out, _("IP fragments: %" PRIu64 " reassembled into %" PRIu64
				  " datagrams; %" PRIu64 " datagrams incomplete (their bytes are "
				  "gaps), %" PRIu64 " too big, %" PRIu64 " fragments conflicting\n"),
			   st->ip_fragments, st->ipfrag.reassembled, st->ipfrag.incomplete,
			   st->ipfrag.too_big, st->ipfrag.conflicts);
	if (live && live->live) {
		char line[FC_LIVE_COUNTS_MAX];

		fc_live_counts_line(line, sizeof(line), live);
		fmt_str(out, line);
	}
}

void fc_live_counts_line(char *buf, size_t size, const struct fc_live_stats *live)
{
	snprintf(buf, size, _("%lu packets received by filter, %lu dropped by kernel, "
			      "%lu dropped by interface, %" PRIu64 " dropped by framecap "
			      "(queue full)\n"),
		 live->received, live->dropped, live->ifdropped, live->queue_dropped);
}

static void text_destroy(struct fc_output *o)
{
	struct text_out *t = (struct text_out *)o;

	fmt_free(&t->out);
	free(t);
}

static const struct fc_output text_ops = {
	.sink = { .stream_begin = text_begin, .report = text_report, .stream_end = text_end },
	.summary = text_summary, .destroy = text_destroy,
};

struct fc_output *fc_output_text(const struct fc_output_opts *opts)
{
	struct text_out *t = fc_output_alloc(sizeof(*t), &text_ops);

	if (!t || fmt_init(&t->out, opts->out) != 0) {
		free(t);
		return NULL;
	}
	t->o = *opts;
	words_init(t);
	templates_init(t);
	cont_init(t);
	t->base.fmt = &t->out;
	return &t->base;
}
