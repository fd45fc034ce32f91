/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_diagnose.c - likely causes of a failed length field, varint or BER
 * length, and of delimited frames that only make sense joined (see the
 * header for the patterns).
 *
 *   json watch, per frame:  START --'{' '['--> IN --last close--> AFTER
 *                             |  (in a run: any byte)  |             |
 *                             +--other first byte------+--not JSON---+--> OTHER
 */
#include "fc_diagnose.h"
#include "fc_chain.h"

#include <string.h>

/* Leading ASCII digits of the header, as the tutorials' first attempt
 * sends them: "12" then the payload. Returns how many (0: none). */
static size_t ascii_digits(const uint8_t *p, size_t n, unsigned long long *value)
{
	size_t i = 0;

	*value = 0;
	while (i < n && i < 10 && p[i] >= '0' && p[i] <= '9') {
		*value = *value * 10 + (unsigned)(p[i] - '0');
		i++;
	}
	return i > 0 && p[0] != '0' ? i : 0;
}

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Does the profile `other` (a reading that differs from the sender's
 * profile) decode the bytes at hand from the frame at hdr (hdr_n header
 * bytes)? See fc_diagnose_order_holds. */
static bool reading_holds(const struct fc_profile *other, const uint8_t *hdr, size_t hdr_n,
			  uint64_t avail, const uint8_t *tail, size_t tail_n,
			  struct fc_frame_len *fl)
{
	struct fc_chain ch;
	uint64_t rest;

	if (fc_profile_frame_len(other, hdr, hdr_n, fl) != FC_FRAME_OK || fl->frame_len > avail)
		return false;
	rest = avail - fl->frame_len;
	if (rest == 0)
		return true;
	if (rest > tail_n) /* the caller's bytes do not reach back that far */
		return false;
	fc_chain_walk(other, tail + (tail_n - rest), (size_t)rest, FC_CHAIN_WALK_MAX, &ch);
	return !ch.broken && fc_chain_headers(&ch) >= 1;
}

bool fc_diagnose_order_holds(const struct fc_profile *p, enum fc_byte_order order,
			     const uint8_t *hdr, uint64_t avail,
			     const uint8_t *tail, size_t tail_n)
{
	struct fc_profile other = *p;
	struct fc_frame_len fl;

	other.byte_order = order;
	return reading_holds(&other, hdr, fc_profile_length_end(p), avail, tail, tail_n, &fl);
}

bool fc_diagnose_misread(const struct fc_profile *p, const uint8_t *hdr, size_t hdr_n,
			 uint64_t avail, const uint8_t *tail, size_t tail_n,
			 struct fc_anomaly *out)
{
	struct fc_profile other = *p;
	struct fc_frame_len as_read = { 0 }, fl;
	enum fc_frame_status st;

	if (p->framing == FC_FRAMING_VARINT) {
		/* One group reads the same both ways. */
		if (hdr_n < p->length_offset + 2u || !(hdr[p->length_offset] & 0x80))
			return false;
		other.misread = FC_READ_VARINT_HIGH_FIRST;
		out->kind = FC_AN_VARINT_ENDIAN_SUSPECT;
	} else if (p->framing == FC_FRAMING_BER) {
		/* Any two bytes read this way make a header: only a constructed
		 * tag (SEQUENCE 0x30, an application's 0x60 up) is taken, as
		 * top-level PDUs have, and the next frame must repeat it. */
		if (hdr_n < 2 || !(hdr[1] & 0x80) || !(hdr[0] & 0x20))
			return false;
		other.misread = FC_READ_BER_ONE_BYTE;
		out->kind = FC_AN_BER_ONE_BYTE_SUSPECT;
	} else {
		return false;
	}
	/* The profile's reading: a length, or how far it got before failing. */
	st = fc_profile_frame_len(p, hdr, hdr_n, &as_read);
	if (st == FC_FRAME_NEED_MORE ||
	    !reading_holds(&other, hdr, hdr_n, avail, tail, tail_n, &fl) ||
	    (st == FC_FRAME_OK && fl.frame_len == as_read.frame_len))
		return false;
	if (p->framing == FC_FRAMING_BER && avail > fl.frame_len &&
	    tail[tail_n - (avail - fl.frame_len)] != hdr[0])
		return false;
	out->u.misread.length = fl.length;
	out->u.misread.as_read = as_read.length;
	out->u.misread.length_byte = p->framing == FC_FRAMING_BER ? hdr[1] : 0;
	return true;
}

bool fc_diagnose_length(const struct fc_profile *p, const uint8_t *hdr, size_t n,
			struct fc_anomaly *out)
{
	uint32_t end = fc_profile_length_end(p);
	const uint8_t *field = hdr + p->length_offset;
	unsigned long long text_len;
	size_t digits;
	struct fc_profile swapped;
	struct fc_frame_len fl;

	if (n < end)
		return false;

	/* Digits then printable text: the length went out as decimal text. */
	digits = ascii_digits(field, p->length_size, &text_len);
	if (digits && printable(field, p->length_size)) {
		char *shown = out->u.ascii.text;
		size_t k = p->length_size < sizeof(out->u.ascii.text) - 1
				   ? p->length_size : sizeof(out->u.ascii.text) - 1;
		out->kind = FC_AN_ASCII_LENGTH_SUSPECT;
		memcpy(shown, field, k);
		shown[k] = '\0';
		out->u.ascii.value = text_len;
		return true;
	}

	/* Plausible in the other byte order (and not zero: zero fits anything). */
	if (p->length_size > 1) {
		swapped = *p;
		swapped.byte_order = p->byte_order == FC_BIG_ENDIAN ? FC_LITTLE_ENDIAN : FC_BIG_ENDIAN;
		if (fc_profile_frame_len(&swapped, hdr, n, &fl) == FC_FRAME_OK && fl.length > 0) {
			out->kind = FC_AN_ENDIAN_SUSPECT;
			out->u.endian.order = swapped.byte_order;
			out->u.endian.length = fl.length;
			return true;
		}
	}
	return false;
}

/* The current frame's state in a json watch. */
enum { JW_START, JW_IN, JW_AFTER, JW_OTHER };
/* Flags: inside a string, after its backslash, a delimiter inside one. */
enum { JW_STRING = 1, JW_ESCAPE = 2, JW_JOIN_STRING = 4 };

#define JW_DEPTH_MAX 64

/* What a byte outside strings is to the watch: JSON whitespace and the
 * other bytes JSON allows besides brackets and quotes (numbers, true,
 * false, null, separators), brackets, the quote; 0 for anything else, so
 * code ("foo();") and prose fail. A table: this runs on every byte of
 * JSON directions. */
enum { JC_NONE, JC_SPACE, JC_BARE, JC_OPEN, JC_CLOSE, JC_QUOTE };
static const uint8_t json_class[256] = {
	[' '] = JC_SPACE, ['\t'] = JC_SPACE, ['\r'] = JC_SPACE, ['\n'] = JC_SPACE,
	[','] = JC_BARE, [':'] = JC_BARE, ['+'] = JC_BARE, ['-'] = JC_BARE, ['.'] = JC_BARE,
	['0'] = JC_BARE, ['1'] = JC_BARE, ['2'] = JC_BARE, ['3'] = JC_BARE, ['4'] = JC_BARE,
	['5'] = JC_BARE, ['6'] = JC_BARE, ['7'] = JC_BARE, ['8'] = JC_BARE, ['9'] = JC_BARE,
	['e'] = JC_BARE, ['E'] = JC_BARE, ['t'] = JC_BARE, ['r'] = JC_BARE, ['u'] = JC_BARE,
	['f'] = JC_BARE, ['a'] = JC_BARE, ['l'] = JC_BARE, ['s'] = JC_BARE, ['n'] = JC_BARE,
	['{'] = JC_OPEN, ['['] = JC_OPEN, ['}'] = JC_CLOSE, [']'] = JC_CLOSE, ['"'] = JC_QUOTE,
};

static bool json_space(uint8_t c)
{
	return json_class[c] == JC_SPACE;
}

static void run_drop(struct fc_json_watch *w)
{
	w->run_frames = 0;
	w->run_bytes = 0;
	w->depth = 0;
	w->stack = 0;
	w->flags = 0;
}

void fc_json_watch_reset(struct fc_json_watch *w)
{
	*w = (struct fc_json_watch){ .state = JW_START };
}

void fc_json_watch_bytes(struct fc_json_watch *w, const uint8_t *p, size_t n)
{
	/* Locals for the loop: this runs on every byte of JSON directions. */
	uint8_t state = w->state, flags = w->flags, depth = w->depth;
	uint64_t stack = w->stack;
	size_t i = 0;

	w->fed += n;
	if (state == JW_START && n) {
		/* Outside a run a message starts with its container. */
		state = w->run_frames == 0 && p[0] != '{' && p[0] != '[' ? JW_OTHER : JW_IN;
	}
	while (i < n && state != JW_OTHER) {
		uint8_t c = p[i++];

		if (flags & JW_ESCAPE) {
			flags &= (uint8_t)~JW_ESCAPE;
		} else if (flags & JW_STRING) {
			/* To the quote or backslash, in a tight loop. */
			while (c != '"' && c != '\\' && i < n)
				c = p[i++];
			if (c == '\\')
				flags |= JW_ESCAPE;
			else if (c == '"')
				flags &= (uint8_t)~JW_STRING;
		} else if (state == JW_AFTER) {
			if (json_class[c] != JC_SPACE)
				state = JW_OTHER;
		} else {
			switch (json_class[c]) {
			case JC_SPACE:
			case JC_BARE:
				break;
			case JC_QUOTE:
				flags |= JW_STRING;
				break;
			case JC_OPEN:
				if (depth == JW_DEPTH_MAX) {
					state = JW_OTHER;
					break;
				}
				stack = (stack & ~(1ull << depth)) | ((uint64_t)(c == '{') << depth);
				depth++;
				break;
			case JC_CLOSE:
				if (depth == 0 || ((stack >> (depth - 1)) & 1) != (c == '}'))
					state = JW_OTHER;
				else if (--depth == 0)
					state = JW_AFTER;
				break;
			default:
				state = JW_OTHER;
				break;
			}
		}
	}
	w->state = state;
	w->flags = flags;
	w->depth = depth;
	w->stack = stack;
}

/* The frame left its message open: the delimiter after it joins the
 * next frame to it. Inside a string it is text (a line break in a
 * value); between tokens only whitespace joins (pretty-printing). */
static bool run_joins(struct fc_json_watch *w, const uint8_t *delim, uint32_t dlen)
{
	for (uint32_t i = 0; i < dlen; i++) {
		bool quote = delim[i] == '"' || delim[i] == '\\';
		if ((w->flags & JW_STRING) ? quote : !json_space(delim[i]))
			return false;
	}
	if (w->flags & JW_STRING)
		w->flags |= JW_JOIN_STRING;
	w->flags &= (uint8_t)~JW_ESCAPE;
	return true;
}

bool fc_json_watch_frame_end(struct fc_json_watch *w, uint64_t index, uint64_t offset,
			     uint64_t payload_len, uint32_t trailer_len, const uint8_t *delim,
			     uint32_t dlen, struct fc_anomaly *out)
{
	uint8_t st = w->state;

	w->state = JW_START;
	w->fed = 0;
	if (st == JW_OTHER) {
		w->others += 1 + w->run_frames;
		w->streak = 0;
		run_drop(w);
		return false;
	}
	if (st == JW_START && w->run_frames == 0)
		return false; /* an empty line: neither */
	if (st == JW_AFTER && w->run_frames == 0) {
		w->messages++;
		w->streak++;
		return false;
	}
	w->streak = 0;
	if (w->run_frames == 0) {
		w->run_first = index;
		w->run_offset = offset;
	}
	w->run_frames++;
	if (st != JW_AFTER) { /* still open: START in a run, or IN */
		w->run_bytes += payload_len + trailer_len;
		if (!run_joins(w, delim, dlen)) {
			w->others += w->run_frames;
			run_drop(w);
		}
		return false;
	}
	/* The run closes here: one message cut into run_frames frames. */
	w->messages++;
	*out = (struct fc_anomaly){
		.kind = FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT,
		.offset = w->run_offset,
		.frame = index,
		.u.joined = {
			.first_frame = w->run_first,
			.frames = w->run_frames,
			.joined_len = w->run_bytes + payload_len,
			.messages = w->messages,
			.delimiter_len = dlen,
			.in_string = w->flags & JW_JOIN_STRING,
		},
	};
	memcpy(out->u.joined.delimiter, delim, dlen < FC_DELIMITER_MAX ? dlen : FC_DELIMITER_MAX);
	run_drop(w);
	return w->others * FC_JSON_MESSAGES_PER_OTHER <= w->messages;
}
