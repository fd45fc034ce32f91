/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_reader.c - the incremental frame reader: a bounded buffer in front of
 * the profile's framing rule.
 *
 *   feed():  drop what the last next() handed out, make room (slide the
 *            unread bytes to the front, grow at most to the bound), copy
 *   next():  fc_profile_frame_len() on the bytes at pos, then a whole
 *            frame or a piece of one
 *
 *   buf: [ taken | unread ................ | free ]
 *        0       pos                pos+len      cap <= bound <= limit
 */
#include "fc_reader.h"

#include <stdlib.h>
#include <string.h>

void fc_reader_init(struct fc_reader *r, const struct fc_profile *p, size_t window)
{
	int64_t largest;

	memset(r, 0, sizeof(*r));
	r->prof = *p;
	r->error = FC_FRAME_OK;
	/* The largest frame the rule lets through: length_end + max_frame +
	 * adjustment bytes, never less than the header (fc_profile.h; the
	 * operands are bounded there, so this cannot overflow). */
	largest = (int64_t)fc_profile_length_end(p) + (int64_t)p->max_frame +
		  p->length_adjustment;
	if (largest < (int64_t)p->header_size)
		largest = (int64_t)p->header_size;
	if (window) {
		r->window = window < p->header_size ? p->header_size : window;
		r->limit = r->window;
	} else {
		r->limit = (uint64_t)largest > SIZE_MAX ? SIZE_MAX : (size_t)largest;
	}
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

/* What the buffer may hold now, from pos: the window; in whole mode a
 * small floor, raised to the frame being read once its header is known. */
static size_t bound_now(const struct fc_reader *r)
{
	size_t b;

	if (r->window)
		return r->window;
	b = FC_READER_MIN_BUF < r->limit ? FC_READER_MIN_BUF : r->limit;
	if (r->have_len && r->fl.frame_len > b)
		b = (size_t)r->fl.frame_len; /* <= limit: the rule checked it */
	if (!r->have_len && r->prof.header_size > b)
		b = r->prof.header_size;
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
	out->payload_len = r->fl.payload_len;
	out->error = FC_FRAME_OK;
}

enum fc_read_status fc_reader_next(struct fc_reader *r, size_t max_payload,
				   struct fc_read *out)
{
	const uint8_t *p;
	uint64_t left;
	size_t n;

	settle(r);
	memset(out, 0, sizeof(*out));
	if (r->error != FC_FRAME_OK) {
		describe(r, out);
		out->error = r->error;
		return FC_READ_ERROR;
	}
	p = r->buf + r->pos;
	if (!r->in_frame) {
		if (!r->have_len) {
			enum fc_frame_status st =
				fc_profile_frame_len(&r->prof, p, r->len, &r->fl);
			if (st == FC_FRAME_NEED_MORE)
				return FC_READ_NEED_MORE;
			if (st != FC_FRAME_OK) {
				r->error = st;
				describe(r, out);
				out->error = st;
				return FC_READ_ERROR;
			}
			r->have_len = true;
		}
		if (r->len < r->fl.header_len)
			return FC_READ_NEED_MORE;
		if (!r->window) {
			if (r->len < r->fl.frame_len)
				return FC_READ_NEED_MORE;
			describe(r, out);
			out->header = p;
			out->payload = p + r->fl.header_len;
			out->n = (size_t)r->fl.payload_len;
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
