/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out_json.c - JSON Lines output: one object per line, nothing else.
 *
 *   {"type":"frame",...}      a complete frame
 *   {"type":"anomaly",...}    something went wrong, with where
 *   {"type":"segment",...}    a packet that brought no new bytes
 *                             ("retransmission":true, "new_bytes":0)
 *   {"type":"summary",...}    always the last line
 *
 * With many small frames this writer sets the pace, so a frame's line is
 * stored straight into the output buffer (fmt_out.h): the part naming the
 * stream and direction is built once per stream direction and copied, and
 * a packet's time once per packet.
 *
 *   cache[(id*2+dir) % 256]   the prefix, index and offset digits (~400 B)
 *        | miss: rebuilt from
 *        v
 *   ends[id & mask]           the stream's endpoints as text (64 B),
 *                             made at its first frame, dropped at its end
 *
 * Thousands of interleaved connections miss the first on nearly every
 * frame; the second holds every live stream, so a miss costs a few
 * fixed-size moves rather than formatting two endpoints again.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fc_describe.h"
#include "fc_pool.h"
#include "fc_text.h"
#include "fmt_out.h"
#include "output.h"

/* The JSON Lines schema (docs/framecap.1, JSON OUTPUT): raised when a
 * field changes meaning or goes away, not when one is added. */
#define FC_JSON_VERSION 1

/* '{"type":"anomaly","stream":N,"src":"…","dst":"…","dir":"c2s","vlan":[…]'
 * with the longest endpoints and VLAN list fits in this. */
#define JPREFIX_MAX 256
/* Prefixes remembered, by stream and direction: interleaved connections
 * reuse theirs too. */
#define JCACHE_SLOTS 256
/* A frame line without its prefix, packet list and hex: keys, ten numbers
 * of at most 20 digits, a time and the booleans. */
#define JFRAME_FIXED_MAX 480
/* Payload bytes whose hex goes into the frame's own reservation. */
#define JHEX_INLINE 4096
#define JHEX_CHUNK (FMT_ROOM_MAX / 4)

/* Longest decimal text of a number (20 digits), rounded up: numbers are
 * copied from their cache in one fixed-size move. */
#define JNUM_TEXT 24

/* A frame line's beginning for one stream direction, up to its index:
 * '{"type":"frame",...,"dir":"c2s","index":42'. The index is the one
 * after the last one written, which the next frame has as a rule: the
 * line then starts with one copy, and the digits are incremented in
 * place after it for the frame after (put_prefix). */
struct jprefix {
	uint64_t stream; /* 0: empty */
	unsigned dir;
	unsigned base; /* up to and with ',"index":' */
	unsigned len; /* with the index; base: none yet */
	uint64_t index; /* the one in text: the last one written plus one */
	/* The last offset's digits but its last four (offset / 10000),
	 * which consecutive frames mostly share: 0 digits when none. */
	uint64_t off_high;
	unsigned off_high_len;
	char off_high_text[JNUM_TEXT];
	/* Room for the index and for fixed-size 32-byte moves past the end
	 * (json_frame). */
	char text[JPREFIX_MAX + 64];
};

/* Endpoint text longer than this (IPv6) is formatted each time; IPv4's
 * is at most 21 bytes. */
#define JEND_TEXT 22
/* Endpoint slots to begin with; doubled when 7/8 are taken. */
#define JENDS_MIN 1024

/* A stream's endpoints as text, client's first: what is costly in a
 * prefix. One cache line. */
struct jends {
	uint64_t id; /* 0: empty */
	uint8_t len[2]; /* 0: does not fit, format it */
	uint8_t id_len; /* 0: more than 8 digits, format it */
	char id_text[8];
	char text[2][JEND_TEXT];
};
_Static_assert(sizeof(struct jends) == 64, "one cache line");

struct json_out {
	struct fc_output base;
	struct fc_output_opts o;
	struct fmt_out out;
	/* The last packet time formatted, as frames of one packet share it;
	 * its whole seconds, which the next packet usually shares too. */
	int64_t ts_us, ts_sec;
	unsigned ts_len;
	char ts_text[32];
	/* The last packet number formatted: the frames of one packet share
	 * it, as they share the time. */
	uint64_t pkt;
	unsigned pkt_len;
	char pkt_text[JNUM_TEXT];
	struct jprefix *cache; /* JCACHE_SLOTS */
	/* By stream id, direct-mapped: ids are given in order, so the live
	 * ones rarely share a slot, and one that lost its slot is only
	 * formatted again. At most 8/7 x twice the live streams (--max-flows
	 * bounds them); NULL when there was no memory (formatted each time). */
	struct jends *ends;
	uint64_t ends_mask; /* slots - 1 */
	uint64_t ends_used;
};

/* '","dir":"c2s"' and ',"vlan":[…]' when the stream has tags, at p
 * (just after the dst endpoint's text). Returns the end. */
static inline char *put_dir(char *p, const struct fc_stream_info *s, enum fc_dir dir)
{
	if (dir == FC_C2S)
		p = FMT_LIT(p, "\",\"dir\":\"c2s\"");
	else
		p = FMT_LIT(p, "\",\"dir\":\"s2c\"");
	for (unsigned i = 0; i < s->key.nvlan && i < FC_MAX_VLAN; i++) {
		if (i)
			*p++ = ',';
		else
			p = FMT_LIT(p, ",\"vlan\":[");
		p = fmt_u64(p, s->key.vlan[i]);
	}
	if (s->key.nvlan)
		*p++ = ']';
	return p;
}

/* The line's beginning, up to the direction and VLANs. Endpoints are
 * formatted here, from the key (fmt_endpoint): nothing to escape. */
static unsigned make_prefix(char *buf, const char *type, size_t type_len,
			    const struct fc_stream_info *s, enum fc_dir dir)
{
	const struct fc_flow_key *k = &s->key;
	char *p = buf;

	p = FMT_LIT(p, "{\"type\":\"");
	p = fmt_mem(p, type, type_len);
	p = FMT_LIT_U64(p, "\",\"stream\":", s->id);
	p = FMT_LIT(p, ",\"src\":\"");
	p = dir == FC_C2S ? fmt_endpoint(p, &k->src, k->sport)
			  : fmt_endpoint(p, &k->dst, k->dport);
	p = FMT_LIT(p, "\",\"dst\":\"");
	p = dir == FC_C2S ? fmt_endpoint(p, &k->dst, k->dport)
			  : fmt_endpoint(p, &k->src, k->sport);
	return (unsigned)(put_dir(p, s, dir) - buf);
}

/* make_prefix for a literal type: its length known when compiling. */
#define MAKE_PREFIX(buf, type, s, dir) make_prefix((buf), (type), sizeof(type) - 1, (s), (dir))

/* The endpoint slots doubled, the live entries moved over. Returns
 * false, the old ones kept, on no memory. */
static bool ends_grow(struct json_out *j)
{
	uint64_t n = (j->ends_mask + 1) * 2;
	struct jends *t = fc_table_alloc((size_t)n, sizeof(*t));

	if (!t)
		return false;
	j->ends_used = 0;
	for (uint64_t i = 0; i <= j->ends_mask; i++) {
		struct jends *e = &j->ends[i];

		if (e->id && !t[e->id & (n - 1)].id) {
			t[e->id & (n - 1)] = *e;
			j->ends_used++;
		}
	}
	fc_table_free(j->ends, (size_t)j->ends_mask + 1, sizeof(*j->ends));
	j->ends = t;
	j->ends_mask = n - 1;
	return true;
}

/* Slot e taken for stream s: its endpoints and number as text. */
static void ends_fill(struct jends *e, const struct fc_stream_info *s)
{
	char buf[FC_ENDPOINT_MAX + 8] = ""; /* all of it copied, all defined */

	e->id = s->id;
	for (int i = 0; i < 2; i++) {
		const struct fc_addr *a = i ? &s->key.dst : &s->key.src;
		size_t n = (size_t)(fmt_endpoint(buf, a, i ? s->key.dport : s->key.sport) - buf);

		e->len[i] = n <= JEND_TEXT ? (uint8_t)n : 0;
		memcpy(e->text[i], buf, JEND_TEXT);
	}
	e->id_len = 0;
	if (s->id < 100000000) {
		e->id_len = (uint8_t)(fmt_u64(buf, s->id) - buf);
		memcpy(e->id_text, buf, sizeof(e->id_text));
	}
}

/* Stream s's endpoints, formatted at its first call and kept until
 * stream_end; NULL when there is no table. */
static inline const struct jends *stream_ends(struct json_out *j, const struct fc_stream_info *s)
{
	struct jends *e;

	if (!j->ends)
		return NULL;
	e = &j->ends[s->id & j->ends_mask];
	if (e->id == s->id)
		return e;
	if (!e->id) {
		if (j->ends_used + 1 > (j->ends_mask + 1) / 8 * 7 && ends_grow(j))
			return stream_ends(j, s);
		j->ends_used++;
	}
	/* (Else taken by an older live stream: this one takes it over.) */
	ends_fill(e, s);
	return e;
}

/* make_prefix from the stream's endpoint text: fixed-size moves only,
 * except the stream number. Returns 0 when an endpoint is too long. */
static unsigned frame_prefix_from(char *buf, const struct jends *e,
				  const struct fc_stream_info *s, enum fc_dir dir)
{
	unsigned a = dir == FC_C2S ? 0 : 1;
	char *p;

	if (!e || !e->len[0] || !e->len[1])
		return 0;
	p = FMT_LIT(buf, "{\"type\":\"frame\",\"stream\":");
	if (e->id_len) {
		memcpy(p, e->id_text, sizeof(e->id_text));
		p += e->id_len;
	} else {
		p = fmt_u64(p, s->id);
	}
	p = FMT_LIT(p, ",\"src\":\"");
	memcpy(p, e->text[a], JEND_TEXT);
	p += e->len[a];
	p = FMT_LIT(p, "\",\"dst\":\"");
	memcpy(p, e->text[!a], JEND_TEXT);
	p += e->len[!a];
	return (unsigned)(put_dir(p, s, dir) - buf);
}

static struct jprefix *frame_prefix(struct json_out *j, const struct fc_stream_info *s,
					  enum fc_dir dir)
{
	struct jprefix *c = &j->cache[(s->id * 2 + (unsigned)dir) % JCACHE_SLOTS];

	if (c->stream != s->id || c->dir != (unsigned)dir) {
		unsigned n = frame_prefix_from(c->text, stream_ends(j, s), s, dir);
		char *p = c->text + (n ? n : MAKE_PREFIX(c->text, "frame", s, dir));

		c->stream = s->id;
		c->dir = (unsigned)dir;
		c->base = (unsigned)(FMT_LIT(p, ",\"index\":") - c->text);
		c->len = c->base;
		c->off_high_len = 0;
	}
	return c;
}

/* The frame offset at p: the digits above the last four copied from the
 * last frame's when they are the same. Returns the end. */
static char *put_offset(struct jprefix *c, char *p, uint64_t offset)
{
	uint64_t high = offset / 10000;
	char *end;

	if (high && c->off_high_len && high == c->off_high) {
		memcpy(p, c->off_high_text, JNUM_TEXT);
		return fmt_4digits(p + c->off_high_len, (unsigned)(offset % 10000));
	}
	end = fmt_u64(p, offset);
	if (high) {
		c->off_high = high;
		c->off_high_len = (unsigned)(end - p) - 4;
		memcpy(c->off_high_text, p, JNUM_TEXT);
	}
	return end;
}

/* The prefix copied to p with its index made `index`; returns the
 * end. The template holds the next index expected (the last one plus
 * one), so the usual frame is the copy alone, and the template is
 * readied for the next frame after it: readying it first and then
 * copying loaded 16 bytes over the fresh byte stores and stalled (~15
 * cycles a frame). */
static char *put_prefix(struct jprefix *c, char *p, uint64_t index)
{
	bool hit = c->len != c->base && index == c->index;
	char *end = p + c->len;

	/* Fixed-size moves, inline instead of a call to memcpy: 128 bytes
	 * without a loop (a prefix with IPv4 endpoints fits), then whole
	 * 32-byte blocks; the bytes past the prefix are overwritten next. */
	memcpy(p, c->text, 128);
	for (unsigned i = 128; i < c->len; i += 32)
		memcpy(p + i, c->text + i, 32);
	if (!hit)
		end = fmt_u64(p + c->base, index);
	/* The next one's digits: as a rule only the last two change, and
	 * they are stored from the number, with no branch on their value;
	 * a digit-by-digit increment mispredicted at every 9, one frame in
	 * ten (about 2% of small-frames' CPU time). Every hundredth index
	 * carries into the digits above, by that increment. */
	if (hit && c->len - c->base >= 2 && (index + 1) % 100)
		fmt_pair(c->text + c->len - 2, (unsigned)((index + 1) % 100));
	else if (!hit || !fmt_dec_increment(c->text + c->base, c->len - c->base))
		c->len = (unsigned)(fmt_u64(c->text + c->base, index + 1) - c->text);
	c->index = index + 1;
	return end;
}

/* The packet time `us` at p, and kept in j->ts_text for the next
 * frames of its packet; only its six digits of microseconds are
 * written when the seconds are the last packet's. The kept text is
 * copied before it is changed, and the change made in both: copying it
 * after changing it loaded over the fresh stores and stalled, on every
 * frame when each packet carries one. Returns the end. */
static char *put_time(struct json_out *j, char *p, int64_t us)
{
	int64_t sec;

	memcpy(p, j->ts_text, sizeof(j->ts_text)); /* one fixed-size move */
	if (j->ts_len && j->ts_us == us)
		return p + j->ts_len;
	sec = us / 1000000;
	if (j->ts_len && us >= 0 && sec == j->ts_sec) {
		unsigned frac = (unsigned)(us - sec * 1000000);
		char *t = j->ts_text + j->ts_len - 6;

		fmt_4digits(fmt_pair(p + j->ts_len - 6, frac / 10000), frac % 10000);
		fmt_4digits(fmt_pair(t, frac / 10000), frac % 10000);
	} else {
		fmt_time_us(p, us);
		j->ts_len = (unsigned)(fmt_time_us(j->ts_text, us) - j->ts_text);
		/* Only a time of the same sign is ever patched. */
		j->ts_sec = us >= 0 ? sec : -1;
	}
	j->ts_us = us;
	return p + j->ts_len;
}

/* A packet number not the last one at p, formatted twice: at p, and
 * kept for the next frames of its packet (rather than kept and then
 * copied: a load over fresh stores, a stall). Out of line, so that
 * put_packet's usual copy stays inline. Returns the end. */
static __attribute__((noinline)) char *new_packet(struct json_out *j, char *p, uint64_t num)
{
	j->pkt = num;
	j->pkt_len = (unsigned)(fmt_u64(j->pkt_text, num) - j->pkt_text);
	return fmt_u64(p, num);
}

/* Packet number `num` at p, formatted once for all the frames of its
 * packet. Returns the end. */
static inline char *put_packet(struct json_out *j, char *p, uint64_t num)
{
	if (!j->pkt_len || j->pkt != num)
		return new_packet(j, p, num);
	memcpy(p, j->pkt_text, JNUM_TEXT);
	return p + j->pkt_len;
}

static void json_frame(struct json_out *j, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_frame *f)
{
	uint64_t n = f->payload_kept < j->o.payload_hex ? f->payload_kept : j->o.payload_hex;
	struct jprefix *pre = frame_prefix(j, s, dir);
	size_t need = JPREFIX_MAX + JFRAME_FIXED_MAX + (size_t)f->npackets * 21 + JNUM_TEXT +
		      (n <= JHEX_INLINE ? 2 * (size_t)n : 0);
	char *p = fmt_room(&j->out, need);

	p = put_prefix(pre, p, f->index);
	p = put_offset(pre, FMT_LIT(p, ",\"offset\":"), f->offset);
	if (f->header_len < 10) { /* one digit, as nearly every header's */
		p = FMT_LIT(p, ",\"header_len\":");
		*p++ = (char)('0' + f->header_len);
	} else {
		p = FMT_LIT_U64(p, ",\"header_len\":", f->header_len);
	}
	if (!f->trailer_len && !f->length_flags && f->length >= 0 &&
	    (uint64_t)f->length == f->payload_len) {
		/* The usual length field counts the payload alone: its
		 * digits formatted twice. Copying the first ones loaded 16
		 * bytes over their fresh byte stores and stalled. */
		if (f->payload_len < 10000) { /* nearly always: a word, stored twice */
			unsigned dn;
			uint32_t w = fmt_u14_word((unsigned)f->payload_len, &dn);

			p = FMT_LIT(p, ",\"length\":");
			memcpy(p, &w, 4);
			p = FMT_LIT(p + dn, ",\"payload_len\":");
			memcpy(p, &w, 4);
			p += dn;
		} else {
			p = FMT_LIT_U64(p, ",\"length\":", f->payload_len);
			p = FMT_LIT_U64(p, ",\"payload_len\":", f->payload_len);
		}
	} else {
		if (!f->trailer_len) { /* a delimited frame has no length field */
			p = FMT_LIT_I64(p, ",\"length\":", f->length);
		}
		if (f->length_flags) {
			p = FMT_LIT_U64(p, ",\"length_flags\":", f->length_flags);
		}
		p = FMT_LIT_U64(p, ",\"payload_len\":", f->payload_len);
	}
	if (f->trailer_len) {
		p = FMT_LIT_U64(p, ",\"trailer_len\":", f->trailer_len);
	}
	if (f->prelude) {
		p = FMT_LIT_U64(p, ",\"prelude\":", f->prelude);
	}
	p = FMT_LIT(p, ",\"packets\":[");
	if (f->npackets == 1) { /* a frame within one packet: no loop */
		p = put_packet(j, p, f->packets[0]);
	} else {
		for (uint32_t i = 0; i < f->npackets; i++) {
			if (i)
				*p++ = ',';
			p = put_packet(j, p, f->packets[i]);
		}
	}
	*p++ = ']';
	if (f->npackets_total > f->npackets) {
		p = FMT_LIT_U64(p, ",\"packets_total\":", f->npackets_total);
	}
	{
		/* By table, one 32-byte move: no branch to mispredict on
		 * traffic that mixes sticky and split frames. */
		static const char flags[4][32] = {
			",\"split\":false,\"sticky\":false", ",\"split\":false,\"sticky\":true",
			",\"split\":true,\"sticky\":false", ",\"split\":true,\"sticky\":true",
		};
		static const uint8_t flags_len[4] = { 29, 28, 28, 27 };
		unsigned k = (f->split ? 2u : 0u) | (f->sticky ? 1u : 0u);

		memcpy(p, flags[k], 32);
		p += flags_len[k];
	}
	if (f->header_split)
		p = FMT_LIT(p, ",\"header_split\":true");
	if (f->resynced)
		p = FMT_LIT(p, ",\"resynced\":true");
	if (f->payload_missing) {
		p = FMT_LIT_U64(p, ",\"payload_missing\":", f->payload_missing);
	}
	p = put_time(j, FMT_LIT(p, ",\"ts\":"), f->ts_us);
	p = FMT_LIT(p, ",\"payload_hex\":\"");
	if (n <= JHEX_INLINE) {
		p = fmt_hex(p, f->payload, (size_t)n);
	} else {
		const uint8_t *at = f->payload;

		fmt_commit(&j->out, p);
		while (n > 0) {
			size_t chunk = n > JHEX_CHUNK ? JHEX_CHUNK : (size_t)n;
			fmt_commit(&j->out, fmt_hex(fmt_room(&j->out, 2 * chunk), at, chunk));
			at += chunk;
			n -= chunk;
		}
		p = fmt_room(&j->out, 3);
	}
	p = FMT_LIT(p, "\"}\n");
	fmt_commit(&j->out, p);
}

/* A JSON string (fc_text.h's escaping). */
static void jstr(struct fmt_out *out, const char *s)
{
	size_t n = strlen(s);
	char *p = fmt_room(out, 6 * n + 2);

	*p++ = '"';
	p = fc_json_escape(p, s, n);
	*p++ = '"';
	fmt_commit(out, p);
}

/* ,"key":value pieces; `key` is written as given (',"name":'). */
static char *jkey(char *p, const char *key)
{
	return fmt_mem(p, key, strlen(key));
}

static char *jbool(char *p, const char *key, bool v)
{
	p = jkey(p, key);
	return v ? FMT_LIT(p, "true") : FMT_LIT(p, "false");
}

static char *ju64(char *p, const char *key, uint64_t v)
{
	return fmt_u64(jkey(p, key), v);
}

static char *ji64(char *p, const char *key, int64_t v)
{
	return fmt_i64(jkey(p, key), v);
}

/* A value known to need no escaping (one of this file's names). */
static char *jname(char *p, const char *key, const char *v)
{
	p = jkey(p, key);
	*p++ = '"';
	p = fmt_mem(p, v, strlen(v));
	*p++ = '"';
	return p;
}

/* The typed fields of an anomaly's kind (docs/framecap.1, JSON Lines). */
static char *anomaly_fields(char *p, const struct fc_anomaly *a)
{
	static const char *const hits[] = {
		[FC_GAP_IN_PAYLOAD] = "in_payload", [FC_GAP_FROM_PAYLOAD] = "from_payload",
		[FC_GAP_IN_HEADER] = "in_header", [FC_GAP_AT_BOUNDARY] = "at_boundary",
		[FC_GAP_WHILE_LOST] = "while_lost",
	};
	static const char *const evidence[] = {
		[FC_RESYNC_ALIGNED] = "aligned", [FC_RESYNC_CHAIN] = "chain",
		[FC_RESYNC_WEAK] = "weak", [FC_RESYNC_WRONG_GUESS] = "wrong_guess",
		[FC_RESYNC_NONE] = "none", [FC_RESYNC_DELIMITER] = "delimiter",
		[FC_RESYNC_FIXED] = "fixed",
	};
	static const char *const ends[] = {
		[FC_END_FIN] = "fin", [FC_END_RST] = "rst",
		[FC_END_CAPTURE] = "capture", [FC_END_EVICTED] = "evicted",
	};

	if (a->frame != FC_NO_FRAME)
		p = ju64(p, ",\"frame\":", a->frame);
	switch (a->kind) {
	case FC_AN_GAP:
		p = ju64(p, ",\"missing\":", a->u.gap.len);
		return jname(p, ",\"hit\":", hits[a->u.gap.hit]);
	case FC_AN_RESYNC:
	case FC_AN_MIDSTREAM:
		p = jname(p, ",\"evidence\":", evidence[a->u.resync.evidence]);
		if (a->u.resync.evidence == FC_RESYNC_WRONG_GUESS)
			return ji64(p, ",\"length\":", a->u.resync.length);
		p = ju64(p, ",\"skipped\":", a->u.resync.skipped);
		return ju64(p, ",\"headers\":", a->u.resync.headers);
	case FC_AN_OVERSIZE:
		p = ji64(p, ",\"length\":", a->u.oversize.length);
		return ju64(p, ",\"max_frame\":", a->u.oversize.max_frame);
	case FC_AN_NEGATIVE:
		p = ji64(p, ",\"length\":", a->u.negative.length);
		return jbool(p, ",\"below_header\":", a->u.negative.below_header);
	case FC_AN_TRUNCATED:
	case FC_AN_INCOMPLETE:
		p = jname(p, ",\"end\":", ends[a->u.cut.why]);
		p = jbool(p, ",\"in_header\":", a->u.cut.in_header);
		p = ju64(p, ",\"arrived\":", a->u.cut.arrived);
		return ju64(p, ",\"expected\":", a->u.cut.expected);
	case FC_AN_RETRANSMIT_CONFLICT:
		return ju64(p, ",\"bytes\":", a->u.conflict.len);
	case FC_AN_ASCII_LENGTH_SUSPECT:
		return ju64(p, ",\"value\":", a->u.ascii.value);
	case FC_AN_ENDIAN_SUSPECT:
		p = jname(p, ",\"byte_order\":",
			  a->u.endian.order == FC_BIG_ENDIAN ? "big" : "little");
		return ji64(p, ",\"length\":", a->u.endian.length);
	case FC_AN_ZERO_RUN:
		return ju64(p, ",\"count\":", a->u.zero_run.count);
	case FC_AN_UNFRAMED:
		return ju64(p, ",\"bytes\":", a->u.unframed.bytes);
	case FC_AN_ADJUSTMENT_SUSPECT:
		p = ji64(p, ",\"length_adjustment\":", a->u.adjustment.adjustment);
		p = ju64(p, ",\"frames\":", a->u.adjustment.frames);
		return jbool(p, ",\"at_stream_end\":", a->u.adjustment.at_stream_end);
	case FC_AN_SHORT_FRAME:
		p = ju64(p, ",\"promised\":", a->u.short_frame.promised);
		return ju64(p, ",\"carried\":", a->u.short_frame.carried);
	case FC_AN_VARINT_OVERLONG:
		return ju64(p, ",\"varint_max_bytes\":", a->u.varint.max_bytes);
	case FC_AN_BER_LENGTH:
		return ju64(p, ",\"length_byte\":", a->u.ber.length_byte);
	case FC_AN_NO_DELIMITER:
		p = ju64(p, ",\"searched\":", a->u.no_delimiter.searched);
		return ju64(p, ",\"max_frame\":", a->u.no_delimiter.max_frame);
	case FC_AN_DELIMITER_SUSPECT:
		p = FMT_LIT(p, ",\"expected\":\"");
		p = fc_json_escape(p, (const char *)a->u.delimiter.expected,
				   a->u.delimiter.expected_len);
		p = FMT_LIT(p, "\",\"found\":\"");
		p = fc_json_escape(p, (const char *)a->u.delimiter.found, a->u.delimiter.found_len);
		p = FMT_LIT(p, "\"");
		return ju64(p, ",\"count\":", a->u.delimiter.count);
	case FC_AN_VARINT_ENDIAN_SUSPECT: /* the length read that way, then how it was read */
	case FC_AN_BER_ONE_BYTE_SUSPECT:
		p = ji64(p, ",\"length\":", a->u.misread.length);
		if (a->kind == FC_AN_BER_ONE_BYTE_SUSPECT)
			return ju64(p, ",\"length_byte\":", a->u.misread.length_byte);
		return ji64(p, ",\"as_read\":", a->u.misread.as_read);
	case FC_AN_UNPADDED_SUSPECT:
		p = ju64(p, ",\"writes\":", a->u.unpadded.writes);
		p = ju64(p, ",\"short_writes\":", a->u.unpadded.short_writes);
		return ju64(p, ",\"frame_size\":", a->u.unpadded.frame_size);
	case FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT: /* "frame" is the last of them */
		p = ju64(p, ",\"first_frame\":", a->u.joined.first_frame);
		p = ju64(p, ",\"frames\":", a->u.joined.frames);
		p = ju64(p, ",\"joined_len\":", a->u.joined.joined_len);
		p = ju64(p, ",\"messages\":", a->u.joined.messages);
		return jname(p, ",\"delimiter_at\":",
			     a->u.joined.in_string ? "string" : "between_tokens");
	case FC_AN__COUNT:
		break;
	}
	return p;
}

static void json_anomaly(struct json_out *j, const struct fc_stream_info *s,
			 enum fc_dir dir, const struct fc_anomaly *a)
{
	const char *kind = fc_anomaly_name(a->kind);
	char detail[FC_DESCRIBE_MAX];
	char *p = fmt_room(&j->out, JPREFIX_MAX + 500 + strlen(kind));

	p += MAKE_PREFIX(p, "anomaly", s, dir);
	p = FMT_LIT_U64(p, ",\"offset\":", a->offset);
	p = FMT_LIT_U64(p, ",\"packet\":", a->pkt);
	p = FMT_LIT(p, ",\"kind\":\"");
	p = fmt_mem(p, kind, strlen(kind));
	*p++ = '"';
	p = anomaly_fields(p, a);
	fmt_commit(&j->out, p);
	/* Strings from the wire or from reassembly go through the escaper. */
	if (a->kind == FC_AN_GAP) {
		fmt_write(&j->out, ",\"reason\":", 10);
		jstr(&j->out, a->u.gap.reason ? a->u.gap.reason : "");
	} else if (a->kind == FC_AN_ASCII_LENGTH_SUSPECT) {
		fmt_write(&j->out, ",\"field_text\":", 14);
		jstr(&j->out, a->u.ascii.text);
	}
	fc_anomaly_describe(a, detail, sizeof(detail));
	fmt_write(&j->out, ",\"detail\":", 10);
	jstr(&j->out, detail);
	fmt_write(&j->out, "}\n", 2);
}

char *fc_json_segment_fields(char *p, const struct fc_segment *seg)
{
	p = FMT_LIT_U64(p, ",\"packet\":", seg->pkt.num);
	p = FMT_LIT(p, ",\"ts\":");
	p = fmt_time_us(p, seg->pkt.ts_us);
	p = FMT_LIT_U64(p, ",\"offset\":", seg->offset);
	p = FMT_LIT_U64(p, ",\"len\":", seg->len);
	if (seg->retransmission)
		p = FMT_LIT(p, ",\"retransmission\":true,\"new_bytes\":0");
	if (seg->repeated)
		p = FMT_LIT_U64(p, ",\"repeated\":", seg->repeated);
	if (seg->conflict)
		p = FMT_LIT(p, ",\"conflict\":true");
	return p;
}

/* Segments with new bytes are not written (each frame lists its
 * packets); a retransmission is, as nothing else would show it, before
 * its conflict if it has one (the same packet). */
static void json_retransmission(struct json_out *j, const struct fc_stream_info *s,
				enum fc_dir dir, const struct fc_segment *seg)
{
	char *p = fmt_room(&j->out, JPREFIX_MAX + FC_JSON_SEGMENT_MAX + 4);

	p += MAKE_PREFIX(p, "segment", s, dir);
	p = fc_json_segment_fields(p, seg);
	p = FMT_LIT(p, "}\n");
	fmt_commit(&j->out, p);
}

static void json_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
			const struct fc_report *r)
{
	struct json_out *j = ctx;

	if (r->seg && r->seg->retransmission)
		json_retransmission(j, s, dir, r->seg);
	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_event *ev = &r->events[i];

		if (ev->type == FC_EV_FRAME)
			json_frame(j, s, dir, &ev->frame);
		else
			json_anomaly(j, s, dir, &ev->anomaly);
	}
}

/* The stream's endpoint text goes: its slot is free for a later one. */
static void json_end(void *ctx, const struct fc_stream_info *s, const struct fc_stream_end *e)
{
	struct json_out *j = ctx;
	struct jends *x = j->ends ? &j->ends[s->id & j->ends_mask] : NULL;

	(void)e;
	if (x && x->id == s->id) {
		x->id = 0;
		j->ends_used--;
	}
}

static void json_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct json_out *j = (struct json_out *)o;
	struct fmt_out *out = &j->out;

	fmt_printf(out,
		   "{\"type\":\"summary\",\"version\":%d,\"packets\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
		   ",\"streams\":%" PRIu64 ",\"streams_with_data\":%" PRIu64
		   ",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64
		   ",\"sticky_segments\":%" PRIu64 ",\"split_frames\":%" PRIu64
		   ",\"max_frames_in_segment\":%" PRIu64 ",\"anomalies\":%" PRIu64,
		   FC_JSON_VERSION, st->packets, st->tcp_packets, st->streams, st->streams_with_data,
		   st->frames, st->bytes, st->sticky_segments, st->split_frames,
		   st->max_frames_in_segment, st->anomalies);
	fmt_str(out, ",\"anomaly_kinds\":{");
	for (int k = 0, first = 1; k < FC_AN__COUNT; k++) {
		if (!st->anomaly_kinds[k])
			continue;
		fmt_printf(out, "%s\"%s\":%" PRIu64, first ? "" : ",",
			   fc_anomaly_name((enum fc_anomaly_kind)k), st->anomaly_kinds[k]);
		first = 0;
	}
	fmt_printf(out,
		   "},\"not_tcp\":%" PRIu64 ",\"ip_fragments\":%" PRIu64
		   ",\"malformed\":%" PRIu64 ",\"unsupported_link\":%" PRIu64
		   ",\"late_packets\":%" PRIu64 ",\"retransmitted_bytes\":%" PRIu64
		   ",\"flows_evicted\":%" PRIu64 ",\"live_flows_peak\":%" PRIu64
		   ",\"ooo_peak_bytes\":%" PRIu64 ",\"ooo_forced_gaps\":%" PRIu64,
		   st->not_tcp, st->ip_fragments, st->malformed, st->bad_link,
		   st->late_packets, st->retransmitted_bytes, st->flows_evicted,
		   st->live_flows_peak, st->ooo_peak_bytes, st->forced_gaps);
	/* Only when the flow table turned packets away. */
	if (st->untracked_packets)
		fmt_printf(out, ",\"untracked_packets\":%" PRIu64, st->untracked_packets);
	/* Only with fragments, so captures without any keep their summary. */
	if (st->ip_fragments)
		fmt_printf(out, ",\"ip_reassembled\":%" PRIu64 ",\"ip_incomplete\":%" PRIu64
				",\"ip_too_big\":%" PRIu64 ",\"ip_frag_conflicts\":%" PRIu64,
			   st->ipfrag.reassembled, st->ipfrag.incomplete, st->ipfrag.too_big,
			   st->ipfrag.conflicts);
	/* Likewise only when a frame kept less than asked. */
	if (st->kept_cut_frames)
		fmt_printf(out, ",\"kept_cut_frames\":%" PRIu64, st->kept_cut_frames);
	if (live && live->live)
		fmt_printf(out, ",\"pcap_received\":%lu,\"pcap_dropped\":%lu,\"pcap_ifdropped\":%lu"
				",\"queue_dropped\":%" PRIu64,
			   live->received, live->dropped, live->ifdropped, live->queue_dropped);
	fmt_str(out, "}\n");
}

static void json_destroy(struct fc_output *o)
{
	struct json_out *j = (struct json_out *)o;

	fmt_free(&j->out);
	free(j->cache);
	fc_table_free(j->ends, (size_t)j->ends_mask + 1, sizeof(*j->ends));
	free(j);
}

static const struct fc_output json_ops = {
	.sink = { .report = json_report, .stream_end = json_end }, .summary = json_summary, .destroy = json_destroy,
};

struct fc_output *fc_output_json(const struct fc_output_opts *opts)
{
	struct json_out *j = fc_output_alloc(sizeof(*j), &json_ops);

	if (!j)
		return NULL;
	j->cache = calloc(JCACHE_SLOTS, sizeof(*j->cache));
	if (!j->cache || fmt_init(&j->out, opts->out) != 0) {
		json_destroy(&j->base);
		return NULL;
	}
	/* Without it, prefixes are formatted in full each time. */
	j->ends = fc_table_alloc(JENDS_MIN, sizeof(*j->ends));
	j->ends_mask = JENDS_MIN - 1;
	j->o = *opts;
	j->base.fmt = &j->out;
	return &j->base;
}
