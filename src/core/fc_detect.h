/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_detect.h - infer the length-prefixed framing of captured streams.
 *
 * The engine behind `framecap --detect`. The caller collects, for one
 * server port and direction, a bounded view of stream directions: the
 * first bytes (the head), where its packets started, and short windows of
 * bytes further on (at packet starts and ends), enough to follow a chain
 * of length fields through frames larger than the head. fc_detect_rank
 * tries, for every length field
 *
 *   length_offset 0..32 x length_size {1,2,3,4,8} x byte order
 *   (x length_mask: the field but its top bit, where that bit is set at
 *   a chain start: ONC RPC's record marking)
 *
 * the adjustments that make sense for it: 0, minus the field's end (the
 * length counts the whole frame), 1..4 and -8..8, and those solved from
 * the data (a packet boundary or the next header minus the first length
 * read), and keeps those that tile the samples far better than chance
 * (see fc_detect.c for the scoring). It also tries the other framings:
 *
 *   varint    length_offset 0..4 x varint_max_bytes {4, 5} (MQTT, protobuf)
 *   ber       a constructed tag (0x20 set: LDAP's 0x30) and a definite
 *             BER length
 *   delimiter "\r\n", "\n", "\0" on text, judged by the writes that end
 *             with the delimiter
 *   fixed     the smallest write's size, when every write is a multiple
 *
 * and, for the best framings, a prelude per direction where the streams'
 * starts were captured but do not tile: up to 4 frames of a 2- or 4-byte
 * length at offset 0 (PostgreSQL's SSLRequest and startup message), else
 * one of at most 8 literal strings of 1..64 bytes (AMQP's protocol header,
 * HTTP/2's preface, PostgreSQL's 'N'), and further steps while they help
 * (a magic string, then a handshake frame). Directions whose start was not
 * captured are walked from the first of their first packet starts where a
 * chain begins. Pure: no I/O, no allocation, time linear in the bytes
 * given (times the candidates).
 */
#ifndef FC_DETECT_H
#define FC_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fc_describe.h"
#include "fc_profile.h"

#define FC_DETECT_MAX_CANDIDATES 8
/* Fewer frames than this in the samples a candidate tiles: not reported. */
#define FC_DETECT_MIN_FRAMES 3

/* Bytes kept of a stream direction beyond the head. */
struct fc_detect_window {
	uint64_t offset; /* in the direction, >= the sample's len */
	const uint8_t *data;
	uint32_t len;
};

struct fc_detect_sample {
	const uint8_t *data; /* first bytes of one stream direction (the head) */
	size_t len; /* 0 (or data NULL): the sample is ignored */
	bool complete; /* the direction ended at stream_len (FIN): the last
			* frame must end exactly there */
	/* Optional (zero: the head is all there is). */
	uint64_t stream_len; /* bytes in the direction (>= len; 0: len) */
	const struct fc_detect_window *windows; /* ascending, disjoint */
	size_t nwindows;
	const uint32_t *starts; /* ascending offsets in the head where a
				 * packet's payload began (write boundaries) */
	size_t nstarts;
	bool mid_stream; /* the direction's start was not captured: offset 0
			  * is not a frame start; a chain is looked for at
			  * 0 and the first packet starts */
	enum fc_direction dir; /* c2s (towards the server port) or s2c: the
				* side of a prelude */
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
	uint64_t landed; /* headers found exactly where the length before
			  * them said (evidence, counted once each) */
	double bits; /* the evidence: how unlikely the chains are by chance */
	bool low_confidence; /* below the evidence needed to be sure: the best
			      * guess, reported because nothing is sure */
	double score; /* higher is better; used for the ranking */
	/* delimiter: write ends (packet ends, a complete direction's end)
	 * looked at; `landed` of them end with the delimiter. */
	uint64_t writes;
	uint32_t text_pct; /* delimiter: printable share of the bytes, % */
	/* Read where a direction's start was captured, before the framing:
	 * nsteps 0 in a direction when none. profile.prelude points here in
	 * what fc_detect_rank returns (NULL without steps): a copy of the
	 * candidate must point its profile at its own copy. */
	struct fc_prelude prelude;
	uint32_t prelude_samples[2]; /* directions that start with it, per
				      * enum fc_direction */
};

/* Rank the framings that explain the samples, best first, into out (at
 * most min(max, FC_DETECT_MAX_CANDIDATES)); returns how many (0: nothing
 * fits). Candidates that cut exactly the same frames are one framing,
 * described by its simplest parameters (fewest free ones). When no
 * candidate has the evidence to be sure, the best that tile every sample
 * are returned with low_confidence set, if any come close. Pure, no
 * allocation; samples may be NULL when nsamples is 0. */
size_t fc_detect_rank(const struct fc_detect_sample *samples, size_t nsamples,
		      struct fc_detect_candidate *out, size_t max);

/* Does p, a framing found for other traffic (another port's best
 * candidate, its prelude included), explain these samples too: does it
 * tile every non-empty one, with at least one frame each and one
 * non-empty frame in all (EtherNet/IP's ListIdentity request is a bare
 * header), read
 * strictly (from the prelude's end where a direction's start was
 * captured, else from the first packet start where a chain begins)? If
 * so, *out says how much (frames, bytes, landed, bits; profile p with
 * p's prelude pointer, prelude steps not copied) and true is returned.
 * Pure, no allocation; linear in the samples' frames. */
bool fc_detect_fit(const struct fc_profile *p, const struct fc_detect_sample *samples,
		   size_t nsamples, struct fc_detect_candidate *out);

/* Write, NUL-terminated and truncated to len, the Netty equivalent of p:
 * "new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN,
 * maxFrameLength, lengthFieldOffset, lengthFieldLength, lengthAdjustment,
 * initialBytesToStrip, true)", stripping the header so that the handler
 * gets the payload as framecap shows it. Netty's maxFrameLength counts
 * the whole frame: max_frame + offset + size + adjustment (clamped to a
 * Java int). A length size Netty lacks (5..7) gives a "// no Netty ..."
 * line instead. A length_mask adds an anonymous subclass whose
 * getUnadjustedFrameLength masks the field. Nothing is written when len
 * is 0. */
void fc_detect_netty(const struct fc_profile *p, char *buf, size_t len);

/* Write (NUL-terminated, truncated to len) tokio-util's builder for p:
 * "LengthDelimitedCodec::builder().length_field_offset(O)
 * .length_field_length(S).length_adjustment(A).num_skip(H)
 * .max_frame_length(M).big_endian().new_codec()"; tokio compares the
 * length field itself with max_frame_length, as framecap does. With a
 * length_mask, which the codec lacks, a "// no tokio-util equivalent"
 * line. */
void fc_detect_tokio(const struct fc_profile *p, char *buf, size_t len);

/* Write (NUL-terminated, truncated to len) the constants of a Go loop
 * that reads frames with io.ReadFull, one line:
 * "lengthOffset, lengthSize, headerSize, lengthAdjustment, maxFrame =
 * O, S, H, A, M; order = binary.BigEndian; signed = false", then how to
 * read the length (and "n &= lengthMask" with a length_mask). */
void fc_detect_go(const struct fc_profile *p, char *buf, size_t len);

/* Write (NUL-terminated, truncated to len) a Python statement that, given
 * `hdr` (the first header bytes of a frame), sets `payload_len` as p
 * does, with the struct module: "n, = struct.unpack_from('>16xH', hdr);
 * payload_len = n + -18 + 18 - 19". Lengths of 3, 5, 6 or 7 bytes, which
 * struct lacks, use int.from_bytes. A length_mask: "mask = 0x7fffffff; "
 * first, "flags = n & ~mask; " and (n & mask) for n. */
void fc_detect_python(const struct fc_profile *p, char *buf, size_t len);

/* Write into buf (NUL-terminated, truncated to len) one line saying why
 * nothing fits, for when fc_detect_rank returned 0: how far the best
 * candidates got and what the bytes look like (e.g. "no candidate tiles
 * more than 2 frames; the data looks like text (93% printable): a
 * delimiter protocol?"). Reruns the search: same cost as fc_detect_rank.
 * Nothing is written when len is 0. */
void fc_detect_explain_none(const struct fc_detect_sample *samples,
			    size_t nsamples, char *buf, size_t len);

/* The same in another language: each English phrase, a printf format,
 * goes through tr (fc_describe.h; NULL: English). */
void fc_detect_explain_none_in(const struct fc_detect_sample *samples,
			       size_t nsamples, fc_translate_fn tr, char *buf, size_t len);

#endif
