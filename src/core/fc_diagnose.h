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

/* Zero-length frames in a row before a zero_run is reported. */
#define FC_ZERO_RUN 8
/* Bytes without a single frame before a direction is reported unframed. */
#define FC_UNFRAMED_MIN 16

#endif
