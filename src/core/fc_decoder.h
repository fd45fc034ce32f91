/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_decoder.h - incremental length-prefixed frame decoder, one direction.
 *
 * Takes the in-order bytes of one TCP stream direction, one packet's piece
 * at a time, and reports frames, how they sit in the packets (sticky, split)
 * and anomalies. It never allocates by a length read from the wire: a frame
 * that claims 2 GiB costs nothing until its bytes arrive, and only the first
 * payload_keep bytes of each payload are kept. Between calls a decoder
 * holds the frame being assembled only while one is open (struct
 * fc_decoder_frame): 248 bytes a direction otherwise.
 *
 *   state HEADER --length ok--> PAYLOAD --payload done--> HEADER
 *        |  \__ bad length (oversize, negative) ______
 *        |                                            v
 *        +---- gap inside the header / at a boundary -> LOST
 *   LOST --a chain of plausible frames starts here--> HEADER (resync)
 *
 * While a stream is young, a few "shadow" walkers follow it with other
 * length adjustments (the length counting its header, say): when the real
 * profile fails and a shadow still lines up, that is the diagnosis.
 */
#ifndef FC_DECODER_H
#define FC_DECODER_H

#include "fc_event.h"
#include "fc_pool.h"
#include "fc_profile.h"

/* Each call of fc_decoder_data, _gap and _end delivers what it found as
 * one report (fc_event.h), before it returns; nothing is emitted alone. */
struct fc_decoder_ops {
	void (*report)(void *ctx, const struct fc_report *r);
};

#define FC_FRAME_PACKETS_INLINE 4

/* The frame being assembled, needed only while one is open: between calls
 * a decoder holds one of its own only when its last segment ended inside a
 * frame (a header or payload still to come); otherwise it borrows the
 * scratch's for the length of a call. Most directions of a request and
 * response protocol end every segment on a boundary, so they never hold
 * one (this is what brings an open connection under 1 KB).
 *
 *   call:  bind --------- decode ---------- park
 *          fr NULL -> &scratch->frame       frame open? copy into own block
 *          fr own  -> (kept)                closed?     free own, fr NULL
 */
struct fc_decoder_frame {
	struct fc_frame cur;
	uint64_t remaining; /* payload bytes still to come */
	uint64_t payload_seen;
	uint64_t last_pkt; /* last packet added to cur */
	uint64_t payload_hint; /* a packet start inside it that began with frames */
	const uint8_t *keep_at; /* kept bytes still in the segment's data */
	uint64_t pkt_inline[FC_FRAME_PACKETS_INLINE];
	uint32_t nsegs;
	uint8_t hdr[FC_MAX_LENGTH_FIELD_END]; /* header bytes seen, split ones */
};

/* What a report is built in: the segment record and the events found so
 * far. Shared by all decoders of one engine, since only one decodes at a
 * time (keeps flows small); owned by the caller (fc_decoder_scratch_free).
 * It also holds what those decoders have in common, set by
 * fc_decoder_init and fc_decoder_set_keep_budget (the last call wins: a
 * scratch is shared only by decoders made alike). */
struct fc_shadows_first;

struct fc_decoder_scratch {
	const struct fc_decoder_ops *ops;
	uint64_t payload_keep; /* payload bytes kept per frame */
	struct fc_keep_budget *keep_budget; /* NULL: none */
	const uint8_t *seg_data; /* seg's bytes, while a decoder decodes it */
	struct fc_segment seg;
	/* Old bytes of packet repeated_pkt (0: none), for its next segment
	 * record (fc_segment.repeated): set by whoever feeds the decoder. */
	uint32_t repeated;
	uint64_t repeated_pkt;
	struct fc_event *ev;
	uint32_t nev, ev_cap;
	uint64_t *pkts; /* the events' frame packet lists, one after another */
	size_t npkts, pkts_cap;
	/* Lent to a decoder with no frame open, for one call. */
	struct fc_decoder_frame frame;
	/* Frames decoded by the whole-frame path (fc_decoder_general_only). */
	uint64_t fast_frames;
	/* The decoders' shadow sets (fc_shadow.h): made at the start of
	 * every length-framed direction. Set up at the first (size 0 until
	 * then, so a zeroed scratch is ready); drained by
	 * fc_decoder_scratch_free once its decoders are freed. */
	struct fc_pool shadow_pool;
	/* The last set's first state, copied into the next one for the
	 * same length field (fc_shadows_new); freed with the scratch. */
	struct fc_shadows_first *shadow_first;
};

void fc_decoder_scratch_free(struct fc_decoder_scratch *s);

struct fc_decoder_stats {
	uint64_t frames;
	uint64_t bytes; /* stream bytes delivered */
	uint64_t segments; /* data-carrying pieces */
	uint64_t sticky_segments; /* segments touching more than one frame */
	uint64_t split_frames;
	uint64_t max_frames_in_segment;
	uint64_t anomalies[FC_AN__COUNT];
	uint64_t unframed_bytes; /* skipped while decoding was lost */
};

/* What a decoder counts as it goes: the same, with the anomaly counts
 * (most directions have none) in a block allocated at the first anomaly;
 * until then `anomalies` points at shared zeros. Never NULL after
 * fc_decoder_init. fc_decoder_get_stats gives the whole fc_decoder_stats. */
struct fc_decoder_counts {
	uint64_t frames;
	uint64_t bytes;
	uint64_t segments;
	uint64_t sticky_segments;
	uint64_t split_frames;
	uint64_t max_frames_in_segment;
	uint64_t unframed_bytes;
	const uint64_t *anomalies; /* FC_AN__COUNT counts */
};

/* Payload bytes kept by every decoder of an engine together (their keep
 * buffers' sizes): --payload-bytes all must not let unfinished frames of
 * many connections hold the whole capture. A frame that would need more
 * keeps what it has; frames_cut counts those frames. */
struct fc_keep_budget {
	uint64_t used;
	uint64_t max;
	uint64_t frames_cut;
};

/* A keep buffer larger than this is given back once no frame uses it, so
 * that one large frame does not hold the budget for the rest of its
 * connection. */
#define FC_KEEP_RETAIN (64u * 1024)

/* HEADER and PAYLOAD for the prefix framings (length, varint, ber,
 * fixed); DELIMITED while a delimited frame is searched for its end. */
enum fc_dec_state { FC_DEC_HEADER, FC_DEC_PAYLOAD, FC_DEC_DELIMITED, FC_DEC_LOST, FC_DEC_DONE };

/* Bytes searched at every offset for a resync before only packet starts
 * are tried (bounds the cost of a stream that is not this framing). */
#define FC_RESYNC_SCAN_MAX (256u * 1024)

/* Walkers under other length adjustments (fc_shadow.h), while young. */
struct fc_shadows;

/* What few decoders need, in a block of their own made at the first use:
 * the evidence of lost boundaries, bad lengths and misread lengths, and
 * the packet list of a frame of more than FC_FRAME_PACKETS_INLINE packets
 * (50,000 open connections fit in 64 MiB). */
struct fc_decoder_rare {
	uint64_t lost_since; /* offset where decoding was lost */
	uint64_t lost_scanned; /* bytes searched byte by byte since */
	uint64_t first_bad_length; /* offset of the first bad length field,
				    * UINT64_MAX while there was none */
	/* The current frame's length as a typical sender bug writes it, when
	 * that reading decodes the segment and the profile's runs past it
	 * (fc_diagnose_misread); reported if the frame fails. 0: none. */
	int64_t misread_length;
	uint64_t *pkt_heap; /* the frame's packets past the inline ones */
	uint32_t pkt_heap_cap;
};

struct fc_decoder {
	/* Laid out by size, hot fields first and no padding between them
	 * (one per open direction of every connection: 10,000s of them). */
	const struct fc_profile *prof;
	/* The rule framing the next frame: prof, or a prelude step's. */
	const struct fc_profile *rule;
	void *ctx;
	/* The report being built (scratch->seg), and what all decoders of
	 * an engine share: ops, payload_keep, keep budget. */
	struct fc_decoder_scratch *scratch;
	uint64_t next_offset; /* stream offset of the next byte */
	uint64_t next_index;
	uint64_t max_pkt_delivered;
	struct fc_decoder_counts stats;

	/* The frame being assembled: during a call, or while one is open
	 * between calls; NULL otherwise (struct fc_decoder_frame). */
	struct fc_decoder_frame *fr;
	/* Its kept payload bytes, kept for the next frames (FC_KEEP_RETAIN). */
	uint8_t *keep_buf;
	uint64_t keep_cap;

	/* The last complete frame, for short_frame: a bad length right after
	 * it means its header promised less (frames line up again a little
	 * further on) or more (frames start inside it) than was sent. */
	uint64_t last_index;
	uint64_t last_payload;
	uint64_t last_end; /* UINT64_MAX: a gap hit it, nothing to say */
	uint64_t last_hint; /* a packet start inside it that began with frames */
	uint64_t fixed_origin; /* fixed: a frame boundary, UINT64_MAX unknown */
	struct fc_shadows *shadows; /* NULL once they have nothing to say */
	struct fc_decoder_rare *rare; /* NULL until there is some */
	/* delimiter: frames watched for a message cut by its own delimiter
	 * (fc_json_watch), allocated at the first delimited frame; NULL once
	 * done (joined_done). */
	struct fc_json_watch *json;

	uint32_t hdr_have; /* header bytes seen */
	uint32_t pre_frames;
	/* fixed: segments shorter than a record that end inside one, and
	 * segments that end on a record boundary (unpadded_suspect); a
	 * segment longer than a record rules the finding out. */
	uint32_t fixed_short, fixed_aligned;
	struct fc_delim_scan scan; /* delimiter: the search in the open frame */
	uint16_t zero_run; /* zero-length frames in a row (stops counting) */
	uint16_t resync_unconfirmed; /* headers still to check after a guess */
	/* Header bytes gathered before the rule is asked again (at most
	 * FC_MAX_LENGTH_FIELD_END). */
	uint8_t hdr_need;
	uint8_t state; /* enum fc_dec_state, in a byte */
	/* The direction's prelude: steps pre_n of prof->prelude's pre_dir
	 * steps; pre_at the one being read (pre_n: done), pre_frames read. */
	uint8_t pre_dir, pre_n, pre_at;
	bool hdr_known; /* the rule said where the frame ends */
	bool replaying; /* see replay_held() */
	bool resync_here; /* delimiter: boundaries are back at the next byte */
	/* The capture began inside the connection: reported once, where
	 * decoding starts (the first resync), not as a resync of its own. */
	bool midstream_pending;
	bool resynced; /* frames since the last resync are guesses */
	bool short_candidate; /* lost right after it: the resync will judge */
	bool keep_stopped; /* out of memory or budget: this frame keeps no more */
	bool omit_frames; /* fc_decoder_omit_frames */
	bool in_segment;
	/* Once-only findings, read rarely: bits, so that the decoder fits
	 * malloc's 256-byte chunk. */
	bool delimiter_reported : 1;
	bool joined_done : 1; /* delimiter_in_payload_suspect reported, or settled */
	bool zero_run_reported : 1;
	bool adjustment_reported : 1;
	bool fixed_long : 1; /* see fixed_short */
	bool general_only : 1; /* fc_decoder_general_only */
};
_Static_assert(FC_MAX_LENGTH_FIELD_END <= UINT8_MAX, "hdr_need is 8 bits");

/* Prepare a decoder. `prof` must outlive it and be valid (fc_profile_check).
 * `midstream`: the stream's start was not seen, so boundaries are unknown
 * until a resync. `scratch` holds the report while one is being built; it
 * may be shared between decoders. Allocates nothing. */
void fc_decoder_init(struct fc_decoder *d, const struct fc_profile *prof,
		     uint64_t payload_keep, bool midstream,
		     struct fc_decoder_scratch *scratch,
		     const struct fc_decoder_ops *ops, void *ctx);

/* Count the decoder's kept payload bytes in `b` (shared with other
 * decoders, outliving them) from now on; call before the first byte. */
void fc_decoder_set_keep_budget(struct fc_decoder *d, struct fc_keep_budget *b);

/* Read `dir`'s prelude (the profile's, if it has one) before the profile;
 * call before the first byte. A decoder started mid-stream has none. */
void fc_decoder_set_prelude(struct fc_decoder *d, enum fc_direction dir);

/* Reports carry no frame records from now on (a front end that reads
 * segments and anomalies only); frames are still decoded and counted. */
void fc_decoder_omit_frames(struct fc_decoder *d);

/* Decode every frame with the general path, none with the whole-frame
 * path that takes most frames of a length- or fixed-framed stream (their
 * reports are the same; tests compare the two). Call before the first
 * byte. */
void fc_decoder_general_only(struct fc_decoder *d);

/* The decoder's counts so far, into *out. */
void fc_decoder_get_stats(const struct fc_decoder *d, struct fc_decoder_stats *out);

/* Release what the decoder allocated (bounded buffers); idempotent. */
void fc_decoder_free(struct fc_decoder *d);

/* Decode the bytes [data, data+len) that packet `pkt` contributes at stream
 * offset `offset` (which must equal the end of what came before; a hole is
 * reported with fc_decoder_gap first). `seg_start`: these bytes begin the
 * packet's payload, so they are a plausible place to resynchronise.
 * Delivers one report: the segment, the frames completed in it and the
 * anomalies raised, in order. */
void fc_decoder_data(struct fc_decoder *d, uint64_t offset,
		     const uint8_t *data, uint32_t len, const struct fc_pkt *pkt,
		     bool seg_start);

/* The `len` bytes at `offset` will never be seen (`why`: a short reason).
 * Frames whose payload is hit keep their boundaries; a hit header loses
 * them until a resync. Delivers a report (no segment) with the gap
 * anomaly, and the frame the gap completed if it did. `why` is static. */
void fc_decoder_gap(struct fc_decoder *d, uint64_t offset, uint64_t len,
		    const struct fc_pkt *pkt, const char *why);

/* The direction ended; reports a frame left unfinished (truncated for FIN
 * or RST, incomplete for the end of the capture or an eviction). */
void fc_decoder_end(struct fc_decoder *d, enum fc_end_reason why,
		    const struct fc_pkt *pkt);

#endif
