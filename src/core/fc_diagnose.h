/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_diagnose.h - what a sender most likely did wrong, from the bytes where
 * a length field failed.
 *
 *   "12kinght love "   ASCII digits where a binary length was expected:
 *                      the length was written as text (str(len))
 *   00 00 00 0c        implausible as little-endian, 12 as big-endian:
 *                      the sender used the other byte order
 *   01 81 48 ...       varint 9217 low group first, 200 high group first:
 *                      the sender wrote the groups the other way round
 *   30 c8 ...          BER long form of 72 bytes, or the length 200 in
 *                      one byte: the sender left out the long form
 *   {"id":1}\n         lines that are JSON messages, then lines that only
 *   {\n  "id": 2\n}\n   joined with the delimiter make one: the message
 *                      holds the delimiter (pretty-printed JSON)
 *
 * Pure functions: no allocation, no I/O.
 */
#ifndef FC_DIAGNOSE_H
#define FC_DIAGNOSE_H

#include <stddef.h>

#include "fc_event.h"
#include "fc_profile.h"

/* The length field of `p` failed (oversize or negative) on the frame that
 * starts with the `n` bytes at `hdr` (n >= fc_profile_length_end(p)).
 * Returns true when the bytes point at a likely cause, with out->kind
 * (FC_AN_ASCII_LENGTH_SUSPECT or FC_AN_ENDIAN_SUSPECT) and its member of
 * out->u filled; the caller's offset, frame and packet are left alone. */
bool fc_diagnose_length(const struct fc_profile *p, const uint8_t *hdr, size_t n,
			struct fc_anomaly *out);

/* Before an endian_suspect is offered: does byte order `order` decode what
 * follows the failed frame, in the bytes at hand? Read that way, the frame
 * must end exactly where those bytes end, or be followed there by
 * plausible headers; a frame that runs past them proves nothing (a
 * one-byte reply before framed messages often reads as a plausible length
 * swapped). `hdr`: the frame's first fc_profile_length_end(p) bytes;
 * `avail`: bytes from the frame's start to the end of the bytes at hand,
 * the last `tail_n` of which are at `tail` (all of them past the header). */
bool fc_diagnose_order_holds(const struct fc_profile *p, enum fc_byte_order order,
			     const uint8_t *hdr, uint64_t avail,
			     const uint8_t *tail, size_t tail_n);

/* The varint or BER header at `hdr` (its `hdr_n` bytes as read: the whole
 * header, or up to where the profile's reading failed) as the typical
 * sender bug writes it: the varint's groups high first, a BER length from
 * 0x80 up in one byte. Offered only when that reading differs from the
 * profile's and decodes what follows, as fc_diagnose_order_holds (`avail`,
 * `tail`, `tail_n` as there). Returns true with out->kind
 * (FC_AN_VARINT_ENDIAN_SUSPECT or FC_AN_BER_ONE_BYTE_SUSPECT) and
 * out->u.misread filled; the caller's offset, frame and packet are left
 * alone. */
bool fc_diagnose_misread(const struct fc_profile *p, const uint8_t *hdr, size_t hdr_n,
			 uint64_t avail, const uint8_t *tail, size_t tail_n,
			 struct fc_anomaly *out);

/* Delimited frames watched for a message that holds the delimiter. A
 * message cut by its own delimiter looks on the wire like two lines
 * written at once, so only the content can tell: in a direction whose
 * frames are JSON objects or arrays, one per frame, a run of frames whose
 * first opens a container that only the last one closes (brackets
 * matched, bytes outside strings from JSON's alphabet, the delimiters
 * between them JSON whitespace or inside a string) is one message.
 *
 *   frames:  {"id":1}   {   "id": 2,   "tags": ["a"]   }
 *            message    run opens ...  stays open ...   closes: 1 message
 *
 * O(1) per byte, fixed size; frames that do not start with '{' or '['
 * outside a run cost one byte's look, and a direction is watched until
 * FC_JSON_SETTLED messages in a row came whole. */
struct fc_json_watch {
	uint64_t stack; /* one bit per open container below 64: 1 an object */
	uint64_t fed; /* bytes of the current frame fed so far */
	uint64_t run_first, run_offset; /* the run's first frame */
	uint64_t run_frames, run_bytes; /* frames in it, bytes with delimiters */
	uint64_t messages; /* JSON messages so far (a closed run is one) */
	uint64_t others; /* non-empty frames that were none */
	uint64_t streak; /* single-frame messages in a row, since the last run */
	uint8_t depth;
	uint8_t state; /* the current frame's: see fc_diagnose.c */
	uint8_t flags;
};

/* A direction's JSON messages per frame that is not one, at least, before
 * a run is offered as one message. */
#define FC_JSON_MESSAGES_PER_OTHER 8

/* Single-frame JSON messages in a row after which a direction is taken
 * to write its messages whole: the watch stops (its cost is a pass over
 * every byte of JSON frames, as much as the rest of the decoding). */
#define FC_JSON_SETTLED 4096

/* Start watching (or forget everything after boundaries were lost). */
void fc_json_watch_reset(struct fc_json_watch *w);

/* The next `n` payload bytes of the current frame (never its delimiter). */
void fc_json_watch_bytes(struct fc_json_watch *w, const uint8_t *p, size_t n);

/* The current frame (index, stream offset, payload and trailer bytes)
 * ended with `delim` (dlen bytes). Returns true when it closes a run of
 * two or more frames that together make one JSON message in a direction
 * of JSON messages, with out->kind FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT,
 * out->offset, out->frame and out->u.joined filled (packet left alone). */
bool fc_json_watch_frame_end(struct fc_json_watch *w, uint64_t index, uint64_t offset,
			     uint64_t payload_len, uint32_t trailer_len, const uint8_t *delim,
			     uint32_t dlen, struct fc_anomaly *out);

/* Zero-length frames in a row before a zero_run is reported. */
#define FC_ZERO_RUN 8
/* Bytes without a single frame before a direction is reported unframed. */
#define FC_UNFRAMED_MIN 16

#endif
