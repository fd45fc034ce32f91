/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_shadow.h - the same stream walked under other length adjustments.
 *
 *   profile (adjustment 0):   [0c|kinght love ][07|aym]      fails at "aym"
 *   shadow  (adjustment -4):  [10|kinght love ][07|aym]|     lines up
 *
 * While a stream is young, a few walkers follow only its frame boundaries
 * with the length read as counting something else (the header, the bytes
 * up to its own end, itself, or leaving them out). When the real profile
 * fails, one that still lines up names the adjustment the sender used.
 * Allocates one small block per set; never by a length read from the wire.
 */
#ifndef FC_SHADOW_H
#define FC_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fc_pool.h"
#include "fc_profile.h"

struct fc_shadows;

/* The bytes of one set: the object size of a pool that holds sets. */
size_t fc_shadows_size(void);

/* What a set's walkers start as for one length field, kept between sets
 * by fc_shadows_new (opaque; made by it, freed by fc_shadows_first_free). */
struct fc_shadows_first;

/* Walkers for `prof` from stream offset 0 (`prof` must outlive them),
 * taken from `pool` (of fc_shadows_size() objects; NULL: malloc). Every
 * young stream direction has a set, so a pool saves malloc's cost per
 * connection. With `first` (NULL: none), a set for the same length field
 * as the last one starts as a copy of it, and *first is made or updated
 * (a fifth of a connection's shadow work on many short connections).
 * Returns NULL when none apply (a length field ending past 8 bytes) or
 * memory is short: the diagnosis is then simply not made. */
struct fc_shadows *fc_shadows_new(const struct fc_profile *prof, struct fc_pool *pool,
				  struct fc_shadows_first **first);

/* Free what fc_shadows_new kept in *first (NULL: nothing). */
void fc_shadows_first_free(struct fc_shadows_first *first);

/* Give s (NULL: nothing) back to the pool it came from. */
void fc_shadows_free(struct fc_shadows *s, struct fc_pool *pool);

/* Walk the live walkers through the bytes [offset, offset+len), which must
 * follow the bytes fed before; `lr` is the set's profile taken apart
 * (fc_len_reader_init: the decoder has it for its own frames). Returns
 * false once every walker has died (an implausible length): the set has
 * nothing more to say. */
bool fc_shadows_feed(struct fc_shadows *s, const struct fc_len_reader *lr, uint64_t offset,
		     const uint8_t *data, uint32_t len);

struct fc_shadow_verdict {
	int64_t adjustment; /* the length_adjustment that lines up */
	int64_t delta; /* minus the profile's */
	uint64_t frames; /* frames it decodes back to back */
};

/* The walker that lines up where the profile failed, if one does. `end`:
 * the stream offset all bytes before which were fed. `at_stream_end`: the
 * direction is over, so the walker must end exactly there (>= 2 frames);
 * otherwise it must have decoded more than `profile_frames` and at least
 * 2 frames, ending at `end` or, without that, 4 frames. */
bool fc_shadows_verdict(const struct fc_shadows *s, uint64_t end, bool at_stream_end,
			uint64_t profile_frames, struct fc_shadow_verdict *out);

#endif
