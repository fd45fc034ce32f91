/* fc_detect.h - infer the length-prefixed framing of captured streams.
 *
 * The engine behind `framecap --detect`. The caller collects, for one
 * server port and direction, the first bytes of stream directions whose
 * start was seen; fc_detect_rank tries a fixed grid of profiles on them:
 *
 *   length_offset 0..8 x length_size {1,2,3,4,8} x byte order
 *   x length_adjustment {0, -(offset+size), 1..4, -8..8}
 *
 * and keeps those that tile the samples from offset 0 far better than
 * chance (see fc_detect.c for the scoring). Pure: no I/O, no allocation,
 * time linear in the bytes given (times the fixed grid).
 */
#ifndef FC_DETECT_H
#define FC_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fc_profile.h"

#define FC_DETECT_MAX_CANDIDATES 8
/* Fewer frames than this in the samples a candidate tiles: not reported. */
#define FC_DETECT_MIN_FRAMES 3

struct fc_detect_sample {
	const uint8_t *data; /* first bytes of one stream direction */
	size_t len; /* 0 (or data NULL): the sample is ignored */
	bool complete; /* the direction ended within these bytes (FIN): the
			* last frame must end exactly at len */
};

struct fc_detect_candidate {
	struct fc_profile profile; /* valid (fc_profile_check), name "detected" */
	uint64_t frames; /* complete frames it cuts out of all samples (in an
			  * untiled sample, those before the walk failed) */
	uint64_t bytes; /* bytes those frames cover (header + payload), plus
			 * the partial last frame of each tiled incomplete
			 * sample */
	uint64_t total; /* bytes in all samples */
	uint32_t samples_tiled; /* non-empty samples it tiles exactly from
				 * offset 0 (a partial last frame allowed
				 * only when !complete) */
	uint32_t samples; /* non-empty samples */
	double score; /* higher is better; used for the ranking */
};

/* Rank the framings that explain the samples, best first, into out (at
 * most min(max, FC_DETECT_MAX_CANDIDATES)); returns how many (0: nothing
 * fits). Candidates that cut exactly the same frames are one framing,
 * described by the best-scored (simplest) parameters. Pure, no allocation;
 * samples may be NULL when nsamples is 0. */
size_t fc_detect_rank(const struct fc_detect_sample *samples, size_t nsamples,
		      struct fc_detect_candidate *out, size_t max);

/* Write, NUL-terminated and truncated to len, the Netty equivalent of p:
 * "new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN,
 * maxFrameLength, lengthFieldOffset, lengthFieldLength, lengthAdjustment,
 * initialBytesToStrip, true)", stripping the header so that the handler
 * gets the payload as framecap shows it. Netty's maxFrameLength counts
 * the whole frame: max_frame + offset + size + adjustment (clamped to a
 * Java int). A length size Netty lacks (5..7) gives a "// no Netty ..."
 * line instead. Nothing is written when len is 0. */
void fc_detect_netty(const struct fc_profile *p, char *buf, size_t len);

/* Write into buf (NUL-terminated, truncated to len) one line saying why
 * nothing fits, for when fc_detect_rank returned 0: how far the best
 * candidates got and what the bytes look like (e.g. "no candidate tiles
 * more than 2 frames; the data looks like text (93% printable): a
 * delimiter protocol?"). Reruns the search: same cost as fc_detect_rank.
 * Nothing is written when len is 0. */
void fc_detect_explain_none(const struct fc_detect_sample *samples,
			    size_t nsamples, char *buf, size_t len);

#endif
