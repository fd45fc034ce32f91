/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_chain.h - does a chain of plausible frames start here?
 *
 *   bytes:  ..garbage..[hdr|payload][hdr|payload][hdr|pay...]
 *                      ^ candidate  ^ frame 2    ^ open frame
 *                      |<------- complete ------>|
 *
 * One plausible length proves little (with 2-byte lengths every value is
 * plausible); frames that follow one another, or a frame that ends exactly
 * where the sender's write ended (a packet end), are evidence. The decoder
 * uses this to resynchronise after lost bytes and to name short frames.
 * Pure functions: no allocation, no I/O.
 */
#ifndef FC_CHAIN_H
#define FC_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fc_profile.h"

/* Frames walked at most from one candidate. */
#define FC_CHAIN_WALK_MAX 8
/* Headers that make a chain convincing on their own. */
#define FC_CHAIN_CONVINCING 3

struct fc_chain {
	uint32_t frames; /* complete frames inside the bytes */
	uint32_t nonzero; /* headers read (complete or open) with a payload */
	bool open; /* then a frame whose header is complete runs past the end */
	bool aligned; /* the last complete frame ends exactly at the end */
	bool broken; /* then a header with an implausible length */
	uint64_t end; /* bytes covered by the complete frames */
};

/* Walk frames from data[0] through the `n` bytes, at most `max_frames`.
 * Stops at the first implausible length (broken), at a header cut by the
 * end of the bytes, or at a frame that runs past it (open). */
void fc_chain_walk(const struct fc_profile *p, const uint8_t *data, size_t n,
		   uint32_t max_frames, struct fc_chain *out);

/* Headers the chain vouches for: complete frames, plus an open one. */
static inline uint32_t fc_chain_headers(const struct fc_chain *c)
{
	return c->frames + (c->open ? 1 : 0);
}

/* Is the chain evidence enough to resume decoding there? `packet_start`:
 * the candidate is the first byte of a packet's payload, where a sender's
 * write most often begins, so one plausible header is taken as a guess.
 * A chain of zero-length frames only is never enough (zeros, padding). */
bool fc_chain_convincing(const struct fc_chain *c, bool packet_start);

#endif
