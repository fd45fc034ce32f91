/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_reader.h - an incremental frame reader for a receiver: feed it the
 * bytes recv() returned, take frames out one at a time.
 *
 *   recv() bytes --feed--> [ buffer the reader owns, bounded ] --next--> frame
 *
 *   buffer:  | taken | frame k (header known) | frame k+1 ... |  room  |
 *                    ^pos                                     ^pos+len
 *
 * Two ways to take frames:
 *
 *   whole  (window 0)  next() returns complete frames: header, length
 *                      value and the whole payload in one piece. The
 *                      buffer grows with the bytes that arrive, only up to
 *                      the frame being read (at most fc_reader_limit(), the
 *                      profile's max_frame + header), never by a length
 *                      value alone: a header promising 16 MiB costs nothing
 *                      until the bytes come.
 *   stream (window W)  the buffer never holds more than W bytes; next()
 *                      returns the header as soon as it is complete, then
 *                      the payload in pieces as it arrives. For receivers
 *                      that pass large frames through (an echo server, a
 *                      file upload) with fixed memory per peer.
 *
 * The framing rule is the core's, fc_profile_frame_len(): a length above
 * max_frame, a negative one or a frame shorter than its header is an
 * error that stays (the stream cannot be cut any further). Like hiredis's
 * reader, pointers handed out by next() stay valid until the next call to
 * feed() or next(). No I/O, no printing; allocation only in feed(), sized
 * by the bytes fed.
 */
#ifndef FC_READER_H
#define FC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fc_profile.h"

/* Whole mode: the buffer may hold this much before a frame needs more. */
#define FC_READER_MIN_BUF 4096u

struct fc_reader {
	struct fc_profile prof;
	size_t window; /* 0: whole frames; else the stream mode's buffer bound */
	size_t limit; /* the most the buffer may ever hold */
	uint8_t *buf;
	size_t cap; /* allocated */
	size_t pos, len; /* unread bytes: buf[pos, pos + len) */
	size_t taken; /* handed out by the last next(); dropped on the next call */
	bool have_len; /* fl describes the frame at pos */
	bool in_frame; /* stream: header handed out, payload still to come */
	struct fc_frame_len fl;
	uint64_t done; /* stream: payload bytes of this frame handed out */
	uint64_t index; /* frames completed */
	enum fc_frame_status error; /* FC_FRAME_OK until an error; it stays */
};

enum fc_read_status {
	FC_READ_FRAME, /* *out holds a frame (stream: a piece of one) */
	FC_READ_NEED_MORE, /* feed more bytes */
	FC_READ_ERROR, /* out->error and out->length say what was wrong */
};

struct fc_read {
	uint64_t index; /* the frame's number in the stream, from 0 */
	uint64_t header_len;
	int64_t length; /* the length field's value */
	uint64_t payload_len; /* the whole frame's payload */
	const uint8_t *header; /* header_len bytes; NULL on a later piece */
	const uint8_t *payload; /* n bytes at `offset` in the payload */
	size_t n;
	uint64_t offset;
	bool first, last; /* whole mode: both */
	enum fc_frame_status error; /* FC_READ_ERROR: OVERSIZE or NEGATIVE */
};

/* Set up a reader for profile p (checked by the caller); window 0 for
 * whole frames, else the stream mode's buffer size (raised to the header
 * size if smaller). Allocates nothing. */
void fc_reader_init(struct fc_reader *r, const struct fc_profile *p, size_t window);

/* Release the buffer; the reader may be initialised again. */
void fc_reader_free(struct fc_reader *r);

/* The most bytes the buffer can ever hold: the window, or the largest
 * frame the profile allows (max_frame + header for the usual profiles). */
size_t fc_reader_limit(const struct fc_reader *r);

/* How many bytes feed() takes now: 0 after an error or while the buffer
 * holds as much as the frame being read allows (take frames first). */
size_t fc_reader_room(const struct fc_reader *r);

/* Copy up to n bytes (at most fc_reader_room()) into the buffer; *taken
 * says how many. Returns 0, or -1 with nothing taken when memory ran out. */
int fc_reader_feed(struct fc_reader *r, const uint8_t *data, size_t n, size_t *taken);

/* Take the next frame (whole mode) or piece (stream mode; at most
 * max_payload payload bytes, SIZE_MAX for no limit; the header alone is a
 * piece when no payload came yet or max_payload is 0). */
enum fc_read_status fc_reader_next(struct fc_reader *r, size_t max_payload,
				   struct fc_read *out);

/* Stream mode: a header was handed out and its payload is not finished. */
static inline bool fc_reader_mid_frame(const struct fc_reader *r)
{
	return r->in_frame;
}

/* Bytes held that no next() has handed out yet. */
static inline size_t fc_reader_pending(const struct fc_reader *r)
{
	return r->len - r->taken;
}

#endif
