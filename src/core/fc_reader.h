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
 * Every framing of fc_profile.h is read:
 *
 *   length, varint, ber  the header is collected up to fc_frame_len.need
 *                        (its length varies per frame for varint and ber)
 *   fixed                frame_size bytes, header 0
 *   delimiter            header 0, payload, then the delimiter (handed out
 *                        as the trailer, never in the payload); the search
 *                        resumes where it stopped (fc_delim_scan), so each
 *                        byte is looked at once; whole mode buffers at most
 *                        max_frame + the delimiter's length; in stream mode
 *                        the payload is handed out as it is known not to
 *                        begin the delimiter, its length known at the end
 *
 * A prelude (fc_reader_set_prelude): the direction's steps of the profile
 * are read first, where the stream begins:
 *
 *   bytes_one_of   [AMQP\0\0\9\1][frame][frame]...  a literal, if there,
 *                  is one frame (header 0) marked prelude = step + 1
 *   profile P, K   [startup][startup][typed][typed]...  up to K frames of P
 *                  while P parses them (a length within P's max_frame),
 *                  marked likewise; then the main profile takes over
 *
 * The framing rule is the core's, fc_profile_frame_len(): a length above
 * max_frame, a negative one, a frame shorter than its header, an overlong
 * varint, a bad BER length or no delimiter within max_frame is an error
 * that stays (the stream cannot be cut any further). Like hiredis's
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
	int64_t err_length; /* the value the error is about */
	/* delimiter: frame bytes searched so far and the search's state */
	uint64_t scanned;
	struct fc_delim_scan scan;
	/* prelude: the direction's steps, the one being read, its frames */
	const struct fc_prelude_step *steps;
	uint32_t nsteps, step, step_frames;
	uint32_t frame_prelude; /* the current frame's step + 1, 0: main */
};

enum fc_read_status {
	FC_READ_FRAME, /* *out holds a frame (stream: a piece of one) */
	FC_READ_NEED_MORE, /* feed more bytes */
	FC_READ_ERROR, /* out->error and out->length say what was wrong */
};

struct fc_read {
	uint64_t index; /* the frame's number in the stream, from 0, prelude
			 * frames included */
	uint64_t header_len;
	int64_t length; /* the length field's value (delimiter, fixed, a
			 * prelude literal: the payload's length) */
	uint64_t flags; /* the length field's bits outside length_mask */
	uint64_t payload_len; /* the whole frame's payload */
	/* stream mode, delimiter: payload_len is not known before the
	 * delimiter is (the last piece); until then this is true and
	 * payload_len counts the bytes handed out so far, this piece's too */
	bool open_ended;
	const uint8_t *header; /* header_len bytes; NULL on a later piece */
	const uint8_t *payload; /* n bytes at `offset` in the payload */
	size_t n;
	uint64_t offset;
	const uint8_t *trailer; /* the delimiter; NULL but on the last piece */
	uint32_t trailer_len; /* delimiter framing: its length, on every piece */
	uint32_t prelude; /* 0: a frame of the profile; k: of prelude step k - 1 */
	bool first, last; /* whole mode: both */
	enum fc_frame_status error; /* FC_READ_ERROR: what fc_profile_frame_len
				     * said (OVERSIZE, NEGATIVE, ...) */
};

/* Set up a reader for profile p (checked by the caller); window 0 for
 * whole frames, else the stream mode's buffer size (raised to what a
 * frame's start needs if smaller: the header's most bytes, the
 * delimiter). Allocates nothing. */
void fc_reader_init(struct fc_reader *r, const struct fc_profile *p, size_t window);

/* Read the prelude steps of direction dir of the profile (if it has any)
 * before its frames; call after init, before the first feed(). The
 * limits grow to what the steps' frames need. */
void fc_reader_set_prelude(struct fc_reader *r, enum fc_direction dir);

/* Still reading prelude steps (a frame taken now may be one)? */
static inline bool fc_reader_in_prelude(const struct fc_reader *r)
{
	return r->step < r->nsteps;
}

/* Release the buffer; the reader may be initialised again. */
void fc_reader_free(struct fc_reader *r);

/* The most bytes the buffer can ever hold: the window, or the largest
 * frame the profile (and its prelude) allows: max_frame + header for the
 * prefix framings, max_frame + the delimiter's length, frame_size. */
size_t fc_reader_limit(const struct fc_reader *r);

/* How many bytes feed() takes now: 0 after an error or while the buffer
 * holds as much as the frame being read allows (take frames first). */
size_t fc_reader_room(const struct fc_reader *r);

/* Copy up to n bytes (at most fc_reader_room()) into the buffer; *taken
 * says how many. Returns 0, or -1 with nothing taken when memory ran out. */
int fc_reader_feed(struct fc_reader *r, const uint8_t *data, size_t n, size_t *taken);

/* Take the next frame (whole mode) or piece (stream mode; at most
 * max_payload payload bytes, SIZE_MAX for no limit; the header alone is a
 * piece when no payload came yet or max_payload is 0; a frame's last
 * piece may hold no payload, only the end of the frame: its trailer).
 * A frame with no header (delimiter, fixed) starts with its first byte:
 * no bytes, no frame. */
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
