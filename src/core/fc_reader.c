/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_reader.c - the incremental frame reader: a bounded buffer in front of
 * the profile's framing rule.
 *
 *   feed():  drop what the last next() handed out, make room (slide the
 *            unread bytes to the front, grow at most to the bound), copy
 *   next():  a prelude step (a literal, or a frame of the step's profile),
 *            else fc_profile_frame_len() on the bytes at pos, then a whole
 *            frame or a piece of one
 *
 *   buf: [ taken | unread ................ | free ]
 *        0       pos                pos+len      cap <= bound <= limit
 *
 *   delimiter:  [ frame bytes searched | not yet ]      scanned, scan:
 *               pos                    pos+scanned-done  the search resumes
 */
#include "fc_reader.h"

#include <stdlib.h>
#include <string.h>

/* The most bytes one frame of p can take, header and trailer included. */
static uint64_t largest_frame(const struct fc_profile *p)
{
	int64_t adj = p->length_adjustment > 0 ? p->length_adjustment : 0, largest;

	switch (p->framing) {
	case FC_FRAMING_DELIMITER:
		return p->max_frame + p->delimiter_len;
	case FC_FRAMING_FIXED:
		return p->frame_size;
	case FC_FRAMING_VARINT:
	case FC_FRAMING_BER:
		return fc_profile_header_max(p) + p->max_frame + (uint64_t)adj;
	default:
		/* length_end + max_frame + adjustment, never less than the
		 * header (fc_profile.h bounds the operands: no overflow). */
		largest = (int64_t)fc_profile_length_end(p) + (int64_t)p->max_frame +
			  p->length_adjustment;
		return largest < (int64_t)p->header_size ? p->header_size : (uint64_t)largest;
	}
}

/* The fewest bytes the buffer must hold for a frame of p to start: the
 * longest header, the delimiter, one byte of a fixed frame. */
static uint64_t start_need(const struct fc_profile *p)
{
	switch (p->framing) {
	case FC_FRAMING_DELIMITER:
		return p->delimiter_len;
	case FC_FRAMING_FIXED:
		return 1;
	case FC_FRAMING_LENGTH:
		return p->header_size;
	default:
		return fc_profile_header_max(p);
	}
}

static size_t clamp_size(uint64_t v)
{
	return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

void fc_reader_init(struct fc_reader *r, const struct fc_profile *p, size_t window)
{
	memset(r, 0, sizeof(*r));
	r->prof = *p;
	r->error = FC_FRAME_OK;
	if (window) {
		uint64_t need = start_need(p);
		r->window = window < need ? clamp_size(need) : window;
		r->limit = r->window;
	} else {
		r->limit = clamp_size(largest_frame(p));
	}
}

void fc_reader_set_prelude(struct fc_reader *r, enum fc_direction dir)
{
	uint32_t n;
	const struct fc_prelude_step *st = fc_prelude_steps(&r->prof, dir, &n);

	r->steps = st;
	r->nsteps = n;
	r->step = r->step_frames = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t need = 0;

		if (st[i].kind == FC_PRELUDE_PROFILE) {
			need = r->window ? start_need(&st[i].profile)
					 : largest_frame(&st[i].profile);
		} else {
			for (uint32_t c = 0; c < st[i].nchoices; c++)
				if (st[i].choice_len[c] > need)
					need = st[i].choice_len[c];
		}
		if (need > r->limit)
			r->limit = clamp_size(need);
	}
	if (r->window)
		r->window = r->limit;
}

void fc_reader_free(struct fc_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->pos = r->len = r->taken = 0;
}

size_t fc_reader_limit(const struct fc_reader *r)
{
	return r->limit;
}

/* The profile the next frame is read with: a prelude step's or the main. */
static const struct fc_profile *cur_prof(const struct fc_reader *r)
{
	if (r->step < r->nsteps && r->steps[r->step].kind == FC_PRELUDE_PROFILE)
		return &r->steps[r->step].profile;
	return &r->prof;
}

/* What the buffer may hold now, from pos: the window; in whole mode a
 * small floor, raised to the frame being read once its extent is known,
 * to its header before (to the limit while a delimiter is searched). */
static size_t bound_now(const struct fc_reader *r)
{
	size_t b;

	if (r->window)
		return r->window;
	b = FC_READER_MIN_BUF < r->limit ? FC_READER_MIN_BUF : r->limit;
	if (r->have_len) {
		if (r->fl.frame_len > b)
			b = (size_t)r->fl.frame_len; /* <= limit: the rule checked it */
	} else {
		const struct fc_profile *p = cur_prof(r);
		uint64_t h;

		switch (p->framing) {
		case FC_FRAMING_DELIMITER: h = r->limit; break;
		case FC_FRAMING_FIXED: h = p->frame_size; break;
		case FC_FRAMING_LENGTH: h = p->header_size; break;
		default: h = fc_profile_header_max(p); break;
		}
		if (h > b)
			b = clamp_size(h);
	}
	return b;
}

size_t fc_reader_room(const struct fc_reader *r)
{
	size_t unread = r->len - r->taken, b;

	if (r->error != FC_FRAME_OK)
		return 0;
	b = bound_now(r);
	return unread < b ? b - unread : 0;
}

/* Forget the bytes the last next() handed out; after a large frame, give
 * its memory back. */
static void settle(struct fc_reader *r)
{
	r->pos += r->taken;
	r->len -= r->taken;
	r->taken = 0;
	if (!r->len)
		r->pos = 0;
	if (!r->window && r->cap > 2 * FC_READER_MIN_BUF && r->len <= FC_READER_MIN_BUF &&
	    (!r->have_len || r->fl.frame_len <= FC_READER_MIN_BUF)) {
		uint8_t *smaller;

		memmove(r->buf, r->buf + r->pos, r->len);
		r->pos = 0;
		smaller = realloc(r->buf, FC_READER_MIN_BUF);
		if (smaller) {
			r->buf = smaller;
			r->cap = FC_READER_MIN_BUF;
		}
	}
}

int fc_reader_feed(struct fc_reader *r, const uint8_t *data, size_t n, size_t *taken)
{
	size_t room;

	settle(r);
	room = fc_reader_room(r);
	if (n > room)
		n = room;
	*taken = 0;
	if (!n)
		return 0;
	if (r->pos + r->len + n > r->cap && r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len);
		r->pos = 0;
	}
	if (r->len + n > r->cap) {
		/* Double, but never past what this frame may hold: memory
		 * follows the bytes that came, not the length they announce. */
		size_t want = r->cap * 2 > 256 ? r->cap * 2 : 256, b = bound_now(r);
		uint8_t *bigger;

		if (want > b)
			want = b;
		if (want < r->len + n)
			want = r->len + n;
		bigger = realloc(r->buf, want);
		if (!bigger)
			return -1;
		r->buf = bigger;
		r->cap = want;
	}
	memcpy(r->buf + r->pos + r->len, data, n);
	r->len += n;
	*taken = n;
	return 0;
}

/* Fill the fields of out that every piece of the current frame shares. */
static void describe(const struct fc_reader *r, struct fc_read *out)
{
	out->index = r->index;
	out->header_len = r->fl.header_len;
	out->length = r->fl.length;
	out->flags = r->fl.flags;
	out->payload_len = r->fl.payload_len;
	out->trailer_len = r->fl.trailer_len;
	out->prelude = r->frame_prelude;
	out->error = FC_FRAME_OK;
}

/* The stream is broken at the current frame, for good: st, about the
 * value `length`. */
static void set_error(struct fc_reader *r, enum fc_frame_status st, int64_t length)
{
	r->error = st;
	r->err_length = length;
}

/* Say what the error is (set_error), now and on every later call. */
static enum fc_read_status fail(const struct fc_reader *r, struct fc_read *out)
{
	memset(out, 0, sizeof(*out));
	describe(r, out);
	out->length = r->err_length;
	out->error = r->error;
	return FC_READ_ERROR;
}

/* Move on to the next prelude step (or the profile itself). */
static void next_step(struct fc_reader *r)
{
	r->step++;
	r->step_frames = 0;
}

/* A delimited frame of `frame` bytes (its delimiter included) was found:
 * r->fl describes it and the search starts afresh. 0, or -1 with the
 * error set when its payload is longer than max_frame. */
static int delim_found(struct fc_reader *r, uint64_t frame)
{
	const struct fc_profile *p = &r->prof;

	memset(&r->fl, 0, sizeof(r->fl));
	r->fl.trailer_len = p->delimiter_len;
	r->fl.payload_len = frame - p->delimiter_len;
	r->fl.length = (int64_t)r->fl.payload_len;
	r->fl.frame_len = frame;
	r->scan.matched = 0;
	if (r->fl.payload_len > p->max_frame) {
		set_error(r, FC_FRAME_NO_DELIMITER, r->fl.length);
		return -1;
	}
	r->have_len = true;
	return 0;
}

/* Delimiter framing, whole mode: search on from where the last call
 * stopped. 0 found (r->fl), -1 more bytes needed, -2 an error. */
static int delim_whole(struct fc_reader *r)
{
	const struct fc_profile *p = &r->prof;
	const uint8_t *b = r->buf + r->pos + r->scanned;
	size_t left = r->len - (size_t)r->scanned;
	size_t end = fc_delim_scan(p, &r->scan, b, left);

	if (end <= left) {
		if (delim_found(r, r->scanned + end) < 0)
			return -2;
		r->scanned = 0;
		return 0;
	}
	r->scanned = r->len;
	if (r->len - r->scan.matched > p->max_frame) {
		set_error(r, FC_FRAME_NO_DELIMITER, (int64_t)(r->len - r->scan.matched));
		return -2;
	}
	return -1;
}

/* Find the extent of the frame at pos (prelude steps first). 0: r->fl
 * holds it (a prelude literal is a frame with no header); 2: a delimiter
 * frame starts, in stream mode (delim_piece searches); -1: more bytes
 * needed; -2: an error (r->error). */
static int find_frame(struct fc_reader *r)
{
	const uint8_t *p = r->buf + r->pos;
	enum fc_frame_status st;

	while (r->step < r->nsteps) {
		const struct fc_prelude_step *s = &r->steps[r->step];

		st = fc_prelude_frame_len(s, p, r->len, &r->fl);
		if (st == FC_FRAME_NEED_MORE)
			return -1;
		if (st == FC_FRAME_STEP_SKIPPED) { /* not there: nothing skipped */
			next_step(r);
			continue;
		}
		r->frame_prelude = r->step + 1;
		/* A literal is read once; a profile up to max_frames times. */
		if (s->kind == FC_PRELUDE_BYTES_ONE_OF || ++r->step_frames >= s->max_frames)
			next_step(r);
		r->have_len = true;
		return 0;
	}
	r->frame_prelude = 0;
	if (r->prof.framing == FC_FRAMING_DELIMITER)
		return r->window ? 2 : delim_whole(r);
	st = fc_profile_frame_len(&r->prof, p, r->len, &r->fl);
	if (st == FC_FRAME_NEED_MORE)
		return -1;
	if (st != FC_FRAME_OK) {
		set_error(r, st, r->fl.length);
		return -2;
	}
	r->have_len = true;
	return 0;
}

/* Delimiter framing, stream mode: the next piece of the frame at pos
 * (first: its start). Payload bytes go out once they cannot begin the
 * delimiter; the last piece carries the delimiter as its trailer. */
static enum fc_read_status delim_piece(struct fc_reader *r, size_t max_payload, bool first,
				       struct fc_read *out)
{
	const struct fc_profile *p = &r->prof;
	const uint8_t *b = r->buf + r->pos + r->taken;
	size_t avail = r->len - r->taken, n;
	uint64_t safe;
	bool last;

	if (!r->have_len) {
		size_t from = (size_t)(r->scanned - r->done);
		size_t end = fc_delim_scan(p, &r->scan, b + from, avail - from);

		if (end <= avail - from) {
			if (delim_found(r, r->scanned + end) < 0)
				return fail(r, out);
		} else {
			r->scanned = r->done + avail;
			if (r->scanned - r->scan.matched > p->max_frame) {
				set_error(r, FC_FRAME_NO_DELIMITER,
					  (int64_t)(r->scanned - r->scan.matched));
				return fail(r, out);
			}
		}
	}
	safe = (r->have_len ? r->fl.payload_len : r->scanned - r->scan.matched) - r->done;
	n = safe < max_payload ? (size_t)safe : max_payload;
	last = r->have_len && r->done + n == r->fl.payload_len;
	if (!first && !last && n == 0)
		return FC_READ_NEED_MORE;
	describe(r, out);
	out->trailer_len = p->delimiter_len;
	if (!r->have_len) {
		out->open_ended = true;
		out->payload_len = r->done + n;
		out->length = (int64_t)out->payload_len;
	}
	out->first = first;
	out->header = first ? b : NULL;
	out->payload = b;
	out->n = n;
	out->offset = r->done;
	r->taken += n;
	r->done += n;
	if (last) {
		out->last = true;
		out->trailer = b + n;
		r->taken += p->delimiter_len;
		r->in_frame = false;
		r->have_len = false;
		r->scanned = 0;
		r->index++;
	}
	return FC_READ_FRAME;
}

enum fc_read_status fc_reader_next(struct fc_reader *r, size_t max_payload,
				   struct fc_read *out)
{
	const uint8_t *p;
	uint64_t left;
	size_t n;
	bool delim_stream = r->window && r->prof.framing == FC_FRAMING_DELIMITER;

	settle(r);
	memset(out, 0, sizeof(*out));
	if (r->error != FC_FRAME_OK)
		return fail(r, out);
	p = r->buf + r->pos;
	if (!r->in_frame) {
		if (!r->have_len) {
			int k = find_frame(r);

			if (k == -1)
				return FC_READ_NEED_MORE;
			if (k == -2)
				return fail(r, out);
			if (k == 2) {
				if (!r->len)
					return FC_READ_NEED_MORE;
				r->in_frame = true;
				r->done = r->scanned = 0;
				r->scan.matched = 0;
				return delim_piece(r, max_payload, true, out);
			}
		}
		if (r->len < r->fl.header_len || !r->len)
			return FC_READ_NEED_MORE;
		if (!r->window) {
			if (r->len < r->fl.frame_len)
				return FC_READ_NEED_MORE;
			describe(r, out);
			out->header = p;
			out->payload = p + r->fl.header_len;
			out->n = (size_t)r->fl.payload_len;
			if (r->fl.trailer_len)
				out->trailer = out->payload + out->n;
			out->first = out->last = true;
			r->taken = (size_t)r->fl.frame_len;
			r->have_len = false;
			r->index++;
			return FC_READ_FRAME;
		}
		/* Stream: the header, with whatever payload came with it. */
		describe(r, out);
		out->header = p;
		out->first = true;
		r->taken = (size_t)r->fl.header_len;
		r->in_frame = true;
		r->done = 0;
		p += r->fl.header_len;
	} else if (delim_stream && r->frame_prelude == 0) {
		return delim_piece(r, max_payload, false, out);
	} else if (max_payload == 0 || r->len == 0) {
		return FC_READ_NEED_MORE;
	} else {
		describe(r, out);
	}
	left = r->fl.payload_len - r->done;
	n = r->len - r->taken;
	if (n > left)
		n = (size_t)left;
	if (n > max_payload)
		n = max_payload;
	out->payload = p;
	out->n = n;
	out->offset = r->done;
	r->taken += n;
	r->done += n;
	if (r->done == r->fl.payload_len) {
		out->last = true;
		r->in_frame = false;
		r->have_len = false;
		r->index++;
	}
	return FC_READ_FRAME;
}
