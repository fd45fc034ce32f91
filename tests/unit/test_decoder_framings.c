/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_decoder_framings.c - fc_decoder under every framing and prelude,
 * with the stream cut at every byte.
 *
 *   stream:  [prelude][hdr|payload][payload|delim][...]
 *   feed:    one packet;  [0, i) + [i, n) for every i;  one byte a packet
 *   check:   the same frames (extent, length, prelude mark, kept bytes)
 *            and the same anomalies whatever the cuts; every segment's
 *            pieces account for its bytes
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_decoder.h"
#include "fc_describe.h"
#include "unit_util.h"

#define MAXF 64
#define KEEP 32

struct got {
	size_t nframes;
	struct fc_frame f[MAXF];
	uint8_t kept[MAXF][KEEP];
	size_t nanoms;
	enum fc_anomaly_kind kinds[MAXF];
	struct fc_anomaly anoms[MAXF];
	bool pieces_account; /* check that pieces add up to each segment */
	/* Pieces of prelude frame #0: header and payload bytes, header splits. */
	uint64_t pre_header, pre_payload;
	unsigned pre_header_splits;
	/* Per frame, over its pieces: all bytes, delimiter bytes, and bytes
	 * pending as a possible delimiter. Every byte is counted once; a
	 * delimiter byte is pending or trailer, and never trailer more than
	 * the delimiter has, wherever the segments cut it. */
	uint64_t bytes_sum[MAXF], trailer_sum[MAXF], pending_sum[MAXF];
	bool elided; /* a segment had more pieces than described */
};

static void on_report(void *ctx, const struct fc_report *r)
{
	struct got *g = ctx;

	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_event *ev = &r->events[i];

		if (ev->type == FC_EV_FRAME) {
			assert_true(g->nframes < MAXF);
			g->f[g->nframes] = ev->frame;
			assert_true(ev->frame.payload_kept <= KEEP);
			assert_true(ev->frame.payload_kept <= ev->frame.payload_len);
			if (ev->frame.payload_kept)
				memcpy(g->kept[g->nframes], ev->frame.payload,
				       ev->frame.payload_kept);
			g->f[g->nframes].packets = NULL;
			g->f[g->nframes].payload = NULL;
			g->nframes++;
		} else {
			char text[FC_DESCRIBE_MAX];
			assert_true(g->nanoms < MAXF);
			assert_true(fc_anomaly_describe(&ev->anomaly, text, sizeof(text)) > 0);
			g->anoms[g->nanoms] = ev->anomaly;
			g->kinds[g->nanoms++] = ev->anomaly.kind;
		}
	}
	if (r->seg && r->seg->npieces > FC_SEG_PIECES_MAX)
		g->elided = true;
	if (r->seg && g->pieces_account && r->seg->npieces <= FC_SEG_PIECES_MAX) {
		uint64_t sum = r->seg->unframed;
		for (uint32_t i = 0; i < r->seg->npieces; i++) {
			const struct fc_piece *pc = &r->seg->pieces[i];
			sum += pc->header_bytes + pc->payload_n + pc->trailer_bytes +
			       pc->trailer_pending;
			if (pc->frame_index < MAXF) {
				g->bytes_sum[pc->frame_index] += pc->header_bytes + pc->payload_n +
								 pc->trailer_bytes +
								 pc->trailer_pending;
				g->trailer_sum[pc->frame_index] += pc->trailer_bytes;
				g->pending_sum[pc->frame_index] += pc->trailer_pending;
			}
			/* a delimiter split shows where it ends, begun earlier */
			assert_true(!(pc->flags & FC_PIECE_TRAILER_SPLIT) ||
				    ((pc->flags & FC_PIECE_END) && !(pc->flags & FC_PIECE_START)));
			if (pc->frame_index == 0 && (pc->flags & FC_PIECE_PRELUDE)) {
				g->pre_header += pc->header_bytes;
				g->pre_payload += pc->payload_n;
				g->pre_header_splits += !!(pc->flags & FC_PIECE_HEADER_SPLIT);
			}
		}
		assert_int_equal(sum, r->seg->len);
	}
}

static const struct fc_decoder_ops ops = { .report = on_report };

/* Decode `s` cut at the offsets in cuts[] (ascending, inside (0, n)). */
static void decode(const struct fc_profile *p, enum fc_direction dir, const uint8_t *s,
		   size_t n, const size_t *cuts, size_t ncuts, struct got *g, bool account)
{
	struct fc_decoder_scratch scratch = { 0 };
	struct fc_decoder d;
	size_t at = 0;

	memset(g, 0, sizeof(*g));
	g->pieces_account = account;
	fc_decoder_init(&d, p, KEEP, false, &scratch, &ops, g);
	fc_decoder_set_prelude(&d, dir);
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : n;
		struct fc_pkt pkt = { .num = k + 1, .ts_us = (int64_t)k };

		/* Each piece gets its own copy: the decoder must not read the
		 * bytes of a segment after it returned. */
		uint8_t *copy = malloc(end - at + 1);
		assert_non_null(copy);
		memcpy(copy, s + at, end - at);
		fc_decoder_data(&d, at, copy, (uint32_t)(end - at), &pkt, true);
		memset(copy, 0xee, end - at);
		free(copy);
		at = end;
	}
	fc_decoder_end(&d, FC_END_FIN, &(struct fc_pkt){ .num = ncuts + 2 });
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&scratch);
	for (size_t i = 0; account && !g->elided && i < g->nframes; i++) {
		const struct fc_frame *f = &g->f[i];
		if (f->index >= MAXF || f->payload_missing)
			continue;
		assert_int_equal(g->bytes_sum[f->index],
				 f->header_len + f->payload_len + f->trailer_len);
		assert_true(g->trailer_sum[f->index] <= f->trailer_len);
		assert_true(f->trailer_len <= g->trailer_sum[f->index] + g->pending_sum[f->index]);
	}
}

/* The members of a frame two decodings of one stream must agree on. */
#define FRAME_FIELDS(X) \
	X(index) X(offset) X(header_len) X(length) X(length_flags) \
	X(payload_len) X(trailer_len) X(prelude) X(payload_kept)

/* Asserts that b has a's frames (the FRAME_FIELDS and kept bytes of
 * each) and a's anomaly kinds, in the same order. */
static void same(const struct got *a, const struct got *b)
{
	if (getenv("DEBUG_SAME")) {
		fprintf(stderr, "frames %zu/%zu anoms %zu/%zu:", a->nframes, b->nframes, a->nanoms, b->nanoms);
		for (size_t i = 0; i < b->nanoms; i++) fprintf(stderr, " %s", fc_anomaly_name(b->kinds[i]));
		for (size_t i = 0; i < b->nframes; i++) fprintf(stderr, " [%lu+%u+%lu kept %lu p%u]", b->f[i].offset, b->f[i].header_len, b->f[i].payload_len, b->f[i].payload_kept, b->f[i].prelude);
		fprintf(stderr, "\n");
	}
	assert_int_equal(a->nframes, b->nframes);
	for (size_t i = 0; i < a->nframes; i++) {
		const struct fc_frame *x = &a->f[i], *y = &b->f[i];
#define SAME_FIELD(m) assert_int_equal(x->m, y->m);
		FRAME_FIELDS(SAME_FIELD)
#undef SAME_FIELD
		assert_memory_equal(a->kept[i], b->kept[i], x->payload_kept);
	}
	assert_int_equal(a->nanoms, b->nanoms);
	for (size_t i = 0; i < a->nanoms; i++)
		assert_int_equal(a->kinds[i], b->kinds[i]);
}

/* Whole, every single cut, every pair of cuts around the first 40 bytes,
 * and one byte a packet: the same result each time. */
static void every_cut(const struct fc_profile *p, enum fc_direction dir, const uint8_t *s,
		      size_t n, struct got *whole, bool account)
{
	size_t *cuts = malloc(n * sizeof(*cuts));
	struct got *g = malloc(sizeof(*g));

	assert_non_null(cuts);
	assert_non_null(g);
	decode(p, dir, s, n, NULL, 0, whole, account);
	for (size_t i = 1; i < n; i++) {
		if (getenv("DEBUG_SAME"))
			fprintf(stderr, "cut %zu: ", i);
		decode(p, dir, s, n, &i, 1, g, account);
		same(whole, g);
	}
	for (size_t i = 1; i < n && i < 40; i++) {
		for (size_t j = i + 1; j < n && j < 40; j++) {
			size_t two[2] = { i, j };
			if (getenv("DEBUG_SAME"))
				fprintf(stderr, "cuts %zu,%zu: ", i, j);
			decode(p, dir, s, n, two, 2, g, account);
			same(whole, g);
		}
	}
	for (size_t i = 0; i + 1 < n; i++)
		cuts[i] = i + 1;
	if (getenv("DEBUG_SAME"))
		fprintf(stderr, "bytes: ");
	decode(p, dir, s, n, cuts, n - 1, g, account);
	same(whole, g);
	free(cuts);
	free(g);
}

/* Append a frame of payload `text` (or n bytes of 'a'+i) under p. */
static size_t put(const struct fc_profile *p, uint8_t *s, size_t at, const char *text, size_t n)
{
	uint8_t hdr[64], tr[FC_DELIMITER_MAX], payload[70000];
	size_t hl, tl;

	if (text)
		memcpy(payload, text, n);
	else
		for (size_t i = 0; i < n; i++)
			payload[i] = (uint8_t)('a' + i % 26);
	assert_null(fc_profile_frame_payload(p, payload, n, hdr, sizeof(hdr), &hl, tr, &tl));
	memcpy(s + at, hdr, hl);
	memcpy(s + at + hl, payload, n);
	memcpy(s + at + hl + n, tr, tl);
	return at + hl + n + tl;
}

static struct fc_profile framing(enum fc_framing f)
{
	struct fc_profile p;

	fc_profile_default(&p);
	p.framing = f;
	return p;
}

/* Appends frames of sizes[0..nsizes) bytes of 'a'+i under p at `at`;
 * returns the end. */
static size_t put_sizes(const struct fc_profile *p, uint8_t *s, size_t at,
			const size_t *sizes, size_t nsizes)
{
	for (size_t i = 0; i < nsizes; i++)
		at = put(p, s, at, NULL, sizes[i]);
	return at;
}

/* What a want row checks: a member of frame #frame, or a count of g. */
enum fld {
	NFRAMES, NANOMS, INDEX, OFFSET, HEADER, PAYLOAD, TRAILER, PRELUDE,
	LENGTH, FLAGS, MISSING, KIND, RESYNC,
};

/* One expected value: `field` of frame (or anomaly) #frame is value. */
struct want {
	size_t frame;
	enum fld field;
	int64_t value;
};

#define NWANT(w) (sizeof(w) / sizeof((w)[0]))

/* The value w->field names in g; asserts that its frame or anomaly
 * was reported. */
static int64_t got_value(const struct got *g, const struct want *w)
{
	const struct fc_frame *x = &g->f[w->frame];

	if (w->field == NFRAMES)
		return (int64_t)g->nframes;
	if (w->field == NANOMS)
		return (int64_t)g->nanoms;
	if (w->field == KIND || w->field == RESYNC) {
		assert_true(w->frame < g->nanoms);
		return w->field == KIND ? (int64_t)g->kinds[w->frame]
					: (int64_t)g->anoms[w->frame].u.resync.evidence;
	}
	assert_true(w->frame < g->nframes);
	switch (w->field) {
	case INDEX: return (int64_t)x->index;
	case OFFSET: return (int64_t)x->offset;
	case HEADER: return x->header_len;
	case PAYLOAD: return (int64_t)x->payload_len;
	case TRAILER: return x->trailer_len;
	case PRELUDE: return x->prelude;
	case LENGTH: return x->length;
	case FLAGS: return (int64_t)x->length_flags;
	case MISSING: return (int64_t)x->payload_missing;
	default: fail();
	}
	return 0;
}

/* Asserts every row of w[0..n) against g, naming the row that fails. */
static void check(const struct got *g, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got_value(g, &w[i]) != w[i].value)
			print_message("want row %zu (frame %zu, field %d)\n", i,
				      w[i].frame, (int)w[i].field);
		assert_int_equal(got_value(g, &w[i]), w[i].value);
	}
}

/* every_cut() of s[0..n) under p, then check() of its frames against
 * w[0..nw); the frames stay in g. */
static void cut_check(const struct fc_profile *p, enum fc_direction dir, const uint8_t *s,
		      size_t n, bool account, struct got *g, const struct want *w, size_t nw)
{
	every_cut(p, dir, s, n, g, account);
	check(g, w, nw);
}

/* A stream of frames of the given sizes under one framing, decoded with
 * every cut: what the profile changes from framing()'s defaults (a zero
 * leaves it), the frames, and what must come out. */
struct sizes_case {
	enum fc_framing framing;
	uint32_t length_offset;
	uint32_t varint_max_bytes;
	uint64_t frame_size;
	enum fc_direction dir;
	size_t sizes[5];
	size_t nsizes;
	const struct want *want;
	size_t nwant;
};

/* The test for the sizes_case in *state. */
static void test_sizes_every_cut(void **state)
{
	const struct sizes_case *c = *state;
	struct fc_profile p = framing(c->framing);
	static uint8_t s[4096];
	struct got g;
	size_t n;

	if (c->length_offset)
		p.length_offset = c->length_offset;
	if (c->varint_max_bytes)
		p.varint_max_bytes = c->varint_max_bytes;
	if (c->frame_size)
		p.frame_size = c->frame_size;
	n = put_sizes(&p, s, 0, c->sizes, c->nsizes);
	cut_check(&p, c->dir, s, n, true, &g, c->want, c->nwant);
}

static const struct want varint_want[] = {
	{ 0, NFRAMES, 5 }, { 0, NANOMS, 0 }, { 0, HEADER, 2 },
	{ 2, HEADER, 3 }, /* a two-byte varint */ { 2, PAYLOAD, 200 },
	{ 4, OFFSET, 2 + 7 + 203 + 129 },
};

/* MQTT: a type byte first. */
static const struct sizes_case varint_case = {
	FC_FRAMING_VARINT, 1, 4, 0, FC_DIR_C2S, { 0, 5, 200, 127, 128 }, 5,
	varint_want, NWANT(varint_want),
};

static const struct want ber_want[] = {
	{ 0, NFRAMES, 3 }, { 0, NANOMS, 0 },
	{ 1, HEADER, 4 }, /* 0x82 0x01 0x2c */ { 1, PAYLOAD, 300 },
};

static const struct sizes_case ber_case = {
	FC_FRAMING_BER, 0, 0, 0, FC_DIR_S2C, { 12, 300, 0 }, 3,
	ber_want, NWANT(ber_want),
};

static const struct want fixed_want[] = {
	{ 0, NFRAMES, 5 }, { 0, NANOMS, 0 }, { 4, OFFSET, 64 },
};

static const struct sizes_case fixed_case = {
	FC_FRAMING_FIXED, 0, 0, 16, FC_DIR_C2S, { 16, 16, 16, 16, 16 }, 5,
	fixed_want, NWANT(fixed_want),
};

static void test_mask_every_cut(void **state)
{
	struct fc_profile p = framing(FC_FRAMING_LENGTH);
	static uint8_t s[1024];
	static const struct want want[] = {
		{ 0, NFRAMES, 2 }, { 0, LENGTH, 40 },
		{ 0, FLAGS, 0x80000000u }, { 1, FLAGS, 0 },
	};
	struct got g;
	size_t n = 0;

	(void)state;
	p.byte_order = FC_BIG_ENDIAN;
	p.is_signed = false;
	p.length_mask = 0x7fffffff;
	n = put(&p, s, n, NULL, 40);
	s[0] |= 0x80; /* ONC RPC's last fragment */
	n = put(&p, s, n, NULL, 8);
	cut_check(&p, FC_DIR_C2S, s, n, true, &g, want, NWANT(want));
}

static void delimited(struct fc_profile *p, const char *d, size_t n)
{
	*p = framing(FC_FRAMING_DELIMITER);
	assert_null(fc_profile_set_delimiter(p, (const uint8_t *)d, n));
}

static void test_lines_every_cut(void **state)
{
	struct fc_profile p;
	static uint8_t s[1024];
	static const struct want crlf[] = {
		{ 0, NFRAMES, 4 }, { 0, NANOMS, 0 }, { 0, HEADER, 0 },
		{ 0, PAYLOAD, 6 }, { 0, TRAILER, 2 }, { 2, PAYLOAD, 4 },
		{ 3, OFFSET, 8 + 2 + 6 },
	};
	static const struct want nul[] = { { 0, NFRAMES, 2 }, { 1, PAYLOAD, 8 } };
	struct got g;
	size_t n = 0;

	(void)state;
	delimited(&p, "\r\n", 2);
	n = put(&p, s, n, "EHLO x", 6);
	n = put(&p, s, n, "", 0);
	n = put(&p, s, n, "a\rb\r", 4); /* lone '\r's are payload */
	n = put(&p, s, n, NULL, 100);
	cut_check(&p, FC_DIR_C2S, s, n, true, &g, crlf, NWANT(crlf));
	assert_memory_equal(g.kept[0], "EHLO x", 6);
	assert_memory_equal(g.kept[2], "a\rb\r", 4);

	delimited(&p, "", 1); /* STOMP's NUL */
	n = 0;
	n = put(&p, s, n, "CONNECT\n\n", 9);
	n = put(&p, s, n, "SEND\n\nhi", 8);
	cut_check(&p, FC_DIR_C2S, s, n, true, &g, nul, NWANT(nul));
}

/* A self-overlapping delimiter: frames must not depend on the cuts. */
static void test_overlapping_delimiter(void **state)
{
	struct fc_profile p;
	const char *text = "xabaabababyyabab";
	static const struct want want[] = {
		{ 0, NFRAMES, 2 }, { 0, PAYLOAD, 4 }, /* "xaba", then "abab" */
		{ 1, PAYLOAD, 4 }, /* "abyy" */
	};
	struct got g;

	(void)state;
	delimited(&p, "abab", 4);
	cut_check(&p, FC_DIR_C2S, (const uint8_t *)text, strlen(text), false, &g, want,
		  NWANT(want));
}

static void test_no_delimiter(void **state)
{
	struct fc_profile p;
	static uint8_t s[256];
	static const struct want want[] = {
		{ 0, NFRAMES, 2 }, { 1, PAYLOAD, 5 },
		{ 1, INDEX, 2 }, /* the long line keeps its number */
		{ 0, KIND, FC_AN_NO_DELIMITER }, { 1, KIND, FC_AN_RESYNC },
		{ 1, RESYNC, FC_RESYNC_DELIMITER },
	};
	struct got g;
	size_t n = 0;

	(void)state;
	delimited(&p, "\r\n", 2);
	p.max_frame = 10;
	n = put(&p, s, n, "ok", 2);
	memset(s + n, 'z', 30); /* a 30-byte line */
	n += 30;
	memcpy(s + n, "\r\n", 2);
	n += 2;
	n = put(&p, s, n, "after", 5);
	cut_check(&p, FC_DIR_C2S, s, n, false, &g, want, NWANT(want));
}

/* Lines written with "\n" under a "\r\n" profile: named once. */
static void test_bare_newline(void **state)
{
	struct fc_profile p;
	const char *text = "SET a 1\nGET a\nGET b\n";
	static const struct want want[] = {
		{ 0, NFRAMES, 0 }, { 0, NANOMS, 2 }, { 0, KIND, FC_AN_TRUNCATED },
		{ 1, KIND, FC_AN_DELIMITER_SUSPECT },
	};
	static const struct want past_max[] = {
		{ 0, KIND, FC_AN_NO_DELIMITER }, { 1, KIND, FC_AN_DELIMITER_SUSPECT },
	};
	struct got g;

	(void)state;
	delimited(&p, "\r\n", 2);
	decode(&p, FC_DIR_C2S, (const uint8_t *)text, strlen(text), NULL, 0, &g, true);
	check(&g, want, NWANT(want));
	assert_int_equal(g.anoms[1].u.delimiter.found[0], '\n');
	assert_int_equal(g.anoms[1].u.delimiter.count, 3);

	p.max_frame = 8; /* found when the line runs past max_frame too */
	decode(&p, FC_DIR_C2S, (const uint8_t *)text, strlen(text), NULL, 0, &g, true);
	check(&g, past_max, NWANT(past_max));
}

static void test_varint_ber_errors(void **state)
{
	struct fc_profile p = framing(FC_FRAMING_VARINT);
	const uint8_t overlong[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0 };
	const uint8_t indefinite[6] = { 0x30, 0x80, 0x04, 0x00, 0x00, 0x00 };
	struct got g;

	(void)state;
	decode(&p, FC_DIR_C2S, overlong, sizeof(overlong), NULL, 0, &g, true);
	assert_int_equal(g.kinds[0], FC_AN_VARINT_OVERLONG);
	assert_int_equal(g.anoms[0].u.varint.max_bytes, 5);
	p = framing(FC_FRAMING_BER);
	decode(&p, FC_DIR_C2S, indefinite, sizeof(indefinite), NULL, 0, &g, true);
	assert_int_equal(g.kinds[0], FC_AN_BER_LENGTH);
	assert_int_equal(g.anoms[0].u.ber.length_byte, 0x80);
}

static size_t pg_typed(const struct fc_profile *pg, uint8_t *s, size_t at, char type, size_t n)
{
	size_t end = put(pg, s, at, NULL, n);
	s[at] = (uint8_t)type;
	return end;
}

static void test_pg_prelude(void **state)
{
	struct fc_profile pg, startup;
	static struct fc_prelude pre;
	static uint8_t s[1024];
	static const struct want ssl[] = {
		{ 0, NFRAMES, 4 }, { 0, NANOMS, 0 }, { 0, PRELUDE, 1 },
		{ 0, HEADER, 4 }, { 1, PRELUDE, 1 }, { 1, PAYLOAD, 40 },
		{ 2, PRELUDE, 0 }, { 2, HEADER, 5 }, { 3, PAYLOAD, 20 },
	};
	static const struct want no_ssl[] = {
		{ 0, NFRAMES, 3 }, { 0, NANOMS, 0 }, { 0, PRELUDE, 1 },
		{ 1, PRELUDE, 0 }, { 2, HEADER, 5 },
	};
	static const struct want server[] = {
		{ 0, NFRAMES, 3 }, { 0, PRELUDE, 1 }, { 0, PAYLOAD, 1 },
		{ 1, OFFSET, 1 },
	};
	static const struct want typed_only[] = { { 0, NFRAMES, 2 }, { 0, PRELUDE, 0 } };
	struct got g;
	size_t n = 0;

	(void)state;
	pg_profiles(&pg, &startup, &pre);
	n = put(&startup, s, n, "\x04\xd2\x16\x2f", 4); /* SSLRequest */
	n = put(&startup, s, n, NULL, 40); /* StartupMessage */
	n = pg_typed(&pg, s, n, 'p', 9);
	n = pg_typed(&pg, s, n, 'Q', 20);
	cut_check(&pg, FC_DIR_C2S, s, n, true, &g, ssl, NWANT(ssl));

	/* No SSLRequest: the startup message alone, then the profile (a
	 * typed message's first bytes read as a length far above 10240). */
	n = 0;
	n = put(&startup, s, n, NULL, 40);
	n = pg_typed(&pg, s, n, 'Q', 20);
	n = pg_typed(&pg, s, n, 'X', 0);
	cut_check(&pg, FC_DIR_C2S, s, n, true, &g, no_ssl, NWANT(no_ssl));

	/* The server: 'N', then typed messages; or typed messages only. */
	n = 0;
	s[n++] = 'N';
	n = pg_typed(&pg, s, n, 'R', 4);
	n = pg_typed(&pg, s, n, 'Z', 1);
	cut_check(&pg, FC_DIR_S2C, s, n, true, &g, server, NWANT(server));
	assert_int_equal(g.kept[0][0], 'N');
	cut_check(&pg, FC_DIR_S2C, s + 1, n - 1, true, &g, typed_only, NWANT(typed_only));
}

/* decode() of s[0..n) under p cut at cuts[0..ncuts); asserts that the
 * literal prelude frame's 8 bytes are all payload, never header bytes
 * or a header split, in whichever segments they fall. */
static void literal_is_payload(const struct fc_profile *p, const uint8_t *s, size_t n,
			       const size_t *cuts, size_t ncuts)
{
	struct got g;

	decode(p, FC_DIR_C2S, s, n, cuts, ncuts, &g, true);
	assert_int_equal(g.pre_header, 0);
	assert_int_equal(g.pre_payload, 8);
	assert_int_equal(g.pre_header_splits, 0);
}

/* AMQP: an 8-byte protocol header, if the direction starts with it. A
 * stream that starts with part of it and then differs reads the held
 * bytes again under the profile. */
static void test_amqp_literal(void **state)
{
	struct fc_profile amqp;
	static struct fc_prelude pre;
	static uint8_t s[1024];
	static const struct want literal[] = {
		{ 0, NFRAMES, 3 }, { 0, NANOMS, 0 }, { 0, PRELUDE, 1 },
		{ 0, PAYLOAD, 8 }, { 1, PRELUDE, 0 }, { 1, PAYLOAD, 12 },
	};
	static const struct want server[] = { { 0, NFRAMES, 2 } };
	static const struct want held[] = {
		{ 0, NFRAMES, 2 }, { 0, PRELUDE, 0 }, { 0, PAYLOAD, 12 },
	};
	struct got g;
	size_t n;

	(void)state;
	amqp_profile(&amqp, &pre);

	memcpy(s, "AMQP\0\0\x09\x01", 8);
	n = put_sizes(&amqp, s, 8, (const size_t[]){ 12, 30 }, 2);
	cut_check(&amqp, FC_DIR_C2S, s, n, true, &g, literal, NWANT(literal));

	/* Cut inside the literal. */
	literal_is_payload(&amqp, s, n, (const size_t[]){ 3 }, 1);
	literal_is_payload(&amqp, s, n, (const size_t[]){ 1, 2, 7, 9 }, 4);

	/* The server's direction has no prelude step. */
	cut_check(&amqp, FC_DIR_S2C, s + 8, n - 8, true, &g, server, NWANT(server));

	/* Starts like the literal ("AM"), then is a frame of the profile:
	 * the held bytes are its header. Pieces may count them twice in
	 * this corner, so only the frames are compared. */
	n = put(&amqp, s, 0, NULL, 12);
	s[0] = 'A';
	s[1] = 'M';
	n = put(&amqp, s, n, NULL, 3);
	cut_check(&amqp, FC_DIR_C2S, s, n, false, &g, held, NWANT(held));
}

/* Decodes under p the bytes `before`, a gap of `lost` bytes, then the
 * bytes `after`, all in packet #1, into g. */
static void decode_gap(const struct fc_profile *p, const char *before, uint64_t lost,
		       const char *after, struct got *g)
{
	struct fc_decoder_scratch scratch = { 0 };
	struct fc_decoder d;
	const struct fc_pkt pkt = { .num = 1 };
	uint64_t nb = strlen(before);

	memset(g, 0, sizeof(*g));
	fc_decoder_init(&d, p, KEEP, false, &scratch, &ops, g);
	fc_decoder_data(&d, 0, (const uint8_t *)before, (uint32_t)nb, &pkt, true);
	fc_decoder_gap(&d, nb, lost, &pkt, "lost");
	fc_decoder_data(&d, nb + lost, (const uint8_t *)after, (uint32_t)strlen(after),
			&pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&scratch);
}

/* A gap: delimited frames resume after the next delimiter, fixed frames
 * at the next multiple of the frame size. */
static void test_gaps(void **state)
{
	struct fc_profile p;
	static const struct want lines[] = {
		{ 0, NFRAMES, 2 }, { 1, OFFSET, 12 }, { 1, PAYLOAD, 4 },
		{ 0, KIND, FC_AN_GAP }, { 1, KIND, FC_AN_RESYNC },
	};
	static const struct want fixed[] = {
		{ 0, NFRAMES, 4 }, /* aaaa, b+lost, dddd, eeee */
		{ 1, MISSING, 3 }, { 2, OFFSET, 12 }, { 3, OFFSET, 16 },
		{ 1, RESYNC, FC_RESYNC_FIXED },
	};
	struct got g;

	(void)state;
	delimited(&p, "\n", 1);
	decode_gap(&p, "one\ntw", 3, "ee\nfour\n", &g);
	check(&g, lines, NWANT(lines));
	assert_int_equal(g.f[1].resynced, false);

	p = framing(FC_FRAMING_FIXED);
	p.frame_size = 4;
	decode_gap(&p, "aaaab", 6, "cddddeeee", &g); /* the gap to offset 11 */
	check(&g, fixed, NWANT(fixed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "test_varint_every_cut", test_sizes_every_cut, NULL, NULL, (void *)&varint_case },
		{ "test_ber_every_cut", test_sizes_every_cut, NULL, NULL, (void *)&ber_case },
		{ "test_fixed_every_cut", test_sizes_every_cut, NULL, NULL, (void *)&fixed_case },
		cmocka_unit_test(test_mask_every_cut),
		cmocka_unit_test(test_lines_every_cut),
		cmocka_unit_test(test_overlapping_delimiter),
		cmocka_unit_test(test_no_delimiter),
		cmocka_unit_test(test_bare_newline),
		cmocka_unit_test(test_varint_ber_errors),
		cmocka_unit_test(test_pg_prelude),
		cmocka_unit_test(test_amqp_literal),
		cmocka_unit_test(test_gaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
