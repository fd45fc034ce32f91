/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_event.h - what the core reports: frames, segments and anomalies.
 *
 *   report = segment #7 [0,37) 37 B
 *            events: frame #1, frame #2, anomaly oversize (frame #3)
 *
 * The core never prints. Each step of a stream direction (a data segment,
 * a retransmission without new bytes, a gap, its end) is delivered once, as one struct fc_report, after it was
 * decoded: the segment with the frames completed in it and the anomalies
 * raised, in the order found. Anomalies are typed (kind + per-kind
 * fields); fc_describe.h puts them into words. Pointers inside a report
 * are valid only for the duration of the call.
 */
#ifndef FC_EVENT_H
#define FC_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "fc_profile.h"

/* A captured packet: its 1-based number in the capture and its time. */
struct fc_pkt {
	uint64_t num;
	int64_t ts_us; /* microseconds since the epoch */
};

/* Seconds and microseconds as a capture file gives them (any value a
 * hostile file holds) to microseconds, saturated instead of overflowing. */
static inline int64_t fc_ts_us(int64_t sec, int64_t usec)
{
	const int64_t lim = (INT64_MAX / 2) / 1000000, ulim = INT64_MAX / 4;

	if (sec > lim || usec > ulim)
		return INT64_MAX;
	if (sec < -lim || usec < -ulim)
		return INT64_MIN;
	return sec * 1000000 + usec;
}

enum fc_anomaly_kind {
	FC_AN_GAP = 0, /* stream bytes never captured */
	FC_AN_MIDSTREAM, /* capture began inside the connection */
	FC_AN_RESYNC, /* decoding picks up again here */
	FC_AN_OVERSIZE, /* length field above max_frame */
	FC_AN_NEGATIVE, /* negative length, or frame shorter than header */
	FC_AN_TRUNCATED, /* FIN or RST inside a frame */
	FC_AN_INCOMPLETE, /* capture ended (or flow evicted) inside a frame */
	FC_AN_RETRANSMIT_CONFLICT, /* a retransmission carried different bytes */
	FC_AN_ASCII_LENGTH_SUSPECT, /* the bad length field is decimal text */
	FC_AN_ENDIAN_SUSPECT, /* the bad length fits in the other byte order */
	FC_AN_ZERO_RUN, /* many zero-length frames in a row */
	FC_AN_UNFRAMED, /* a direction ended without a single frame */
	FC_AN_ADJUSTMENT_SUSPECT, /* frames line up with another adjustment */
	FC_AN_SHORT_FRAME, /* a header promised more or less than was sent */
	FC_AN_VARINT_OVERLONG, /* a varint with no last byte within its limit */
	FC_AN_BER_LENGTH, /* an indefinite or unreadable BER length */
	FC_AN_NO_DELIMITER, /* no delimiter within max_frame bytes */
	FC_AN_DELIMITER_SUSPECT, /* lines end with part of the delimiter */
	FC_AN_VARINT_ENDIAN_SUSPECT, /* the varint fits read high group first */
	FC_AN_BER_ONE_BYTE_SUSPECT, /* a BER length from 0x80 up in one byte */
	FC_AN_UNPADDED_SUSPECT, /* fixed records written shorter than their size */
	FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT, /* frames that only joined make one message */
	FC_AN__COUNT
};

/* Stable lowercase name ("gap", "retransmit_conflict"). */
const char *fc_anomaly_name(enum fc_anomaly_kind kind);

/* Where a gap hit the framing. */
enum fc_gap_hit {
	FC_GAP_IN_PAYLOAD, /* inside one frame's payload: boundaries hold */
	FC_GAP_FROM_PAYLOAD, /* from a payload past its end: boundaries lost */
	FC_GAP_IN_HEADER, /* inside a header: boundaries lost */
	FC_GAP_AT_BOUNDARY, /* where the next header was due: boundaries lost */
	FC_GAP_WHILE_LOST, /* boundaries were already unknown */
};

/* What made decoding resume, or give up a guess. */
enum fc_resync_evidence {
	FC_RESYNC_ALIGNED, /* frames from here end exactly where the packet ends */
	FC_RESYNC_CHAIN, /* several plausible headers follow one another */
	FC_RESYNC_WEAK, /* one plausible header starts the packet: a guess */
	FC_RESYNC_WRONG_GUESS, /* the last guess met an implausible length */
	FC_RESYNC_NONE, /* midstream: the direction ended before a chain */
	FC_RESYNC_DELIMITER, /* just after a delimiter */
	FC_RESYNC_FIXED, /* a multiple of frame_size from the stream's start */
};

/* Why a direction ended inside a frame (truncated, incomplete). */
enum fc_end_reason { FC_END_FIN, FC_END_RST, FC_END_CAPTURE, FC_END_EVICTED };

#define FC_NO_FRAME UINT64_MAX

/* A finding, typed: the fields of `u` that a kind fills are the member
 * named after it (truncated and incomplete share `cut`; ascii and endian
 * suspects follow an oversize or negative of the same frame). Front ends
 * turn it into words with fc_describe.h; JSON prints the fields. */
struct fc_anomaly {
	enum fc_anomaly_kind kind;
	uint64_t offset; /* first stream byte concerned */
	uint64_t pkt; /* packet where it was noticed (0: none at hand) */
	int64_t ts_us;
	uint64_t frame; /* index of the frame concerned, or FC_NO_FRAME */
	union {
		struct {
			uint64_t len; /* bytes never captured */
			const char *reason; /* static text from reassembly */
			enum fc_gap_hit hit;
		} gap;
		struct {
			uint64_t skipped; /* bytes nobody framed before here */
			uint32_t headers; /* plausible headers in the chain */
			enum fc_resync_evidence evidence;
			int64_t length; /* WRONG_GUESS: the implausible value */
		} resync; /* and midstream: where decoding started, and why */
		struct {
			int64_t length;
			uint64_t max_frame;
		} oversize;
		struct {
			int64_t length;
			int64_t adjustment; /* the profile's, for below_header */
			uint32_t header_size;
			bool below_header; /* >= 0, but shorter than the header */
		} negative;
		struct {
			enum fc_end_reason why;
			bool in_header;
			uint64_t arrived; /* header or payload bytes that came */
			uint64_t expected; /* of this many */
		} cut; /* truncated, incomplete */
		struct {
			uint64_t len; /* bytes that differ from the first copy */
		} conflict;
		struct {
			char text[16]; /* the field's bytes, NUL-terminated */
			uint64_t value; /* its leading digits as a number */
		} ascii;
		struct {
			enum fc_byte_order order; /* the order that fits */
			int64_t length; /* the length in that order */
		} endian;
		struct {
			uint32_t count; /* zero-length frames in a row */
		} zero_run;
		struct {
			uint64_t bytes; /* bytes seen without a frame */
			enum fc_framing framing; /* the profile's */
		} unframed;
		struct {
			int64_t adjustment; /* the --length-adjustment that fits */
			int64_t delta; /* minus the profile's */
			uint64_t frames; /* frames it decodes back to back */
			uint32_t header_size, length_size, length_end;
			bool at_stream_end; /* and they end exactly with it */
		} adjustment;
		struct {
			uint64_t promised; /* payload bytes the header said */
			uint64_t carried; /* payload bytes the frame most likely had */
		} short_frame;
		struct {
			uint64_t value; /* the groups read before the limit */
			uint32_t max_bytes; /* varint_max_bytes */
		} varint;
		struct {
			uint8_t length_byte; /* the first length byte: 0x80 indefinite */
		} ber;
		struct {
			uint64_t searched; /* payload bytes without a delimiter */
			uint64_t max_frame;
		} no_delimiter;
		struct {
			uint8_t expected[FC_DELIMITER_MAX]; /* the profile's delimiter */
			uint32_t expected_len;
			uint8_t found[FC_DELIMITER_MAX]; /* what ends the lines instead */
			uint32_t found_len;
			uint64_t count; /* times it was seen where a line would end */
		} delimiter;
		struct {
			int64_t length; /* the length read as the sender bug writes it */
			int64_t as_read; /* as the profile read it (ber: see below) */
			uint8_t length_byte; /* ber: the first length byte */
		} misread; /* varint_endian_suspect, ber_one_byte_suspect */
		struct {
			uint64_t writes; /* the direction's segments */
			uint64_t short_writes; /* shorter than a record, ending inside one */
			uint64_t frame_size;
		} unpadded;
		struct {
			uint64_t first_frame; /* .frame is the last one */
			uint64_t frames; /* frames the message was cut into */
			uint64_t joined_len; /* its bytes, inner delimiters included */
			uint64_t messages; /* the direction's JSON messages, it included */
			uint8_t delimiter[FC_DELIMITER_MAX]; /* the profile's */
			uint32_t delimiter_len;
			bool in_string; /* a delimiter stood inside a string, not between
					 * tokens */
		} joined; /* delimiter_in_payload_suspect */
	} u;
};

/* Packets listed per frame; a frame spanning more is counted, not listed. */
#define FC_FRAME_PACKETS_MAX 1024

struct fc_frame {
	uint64_t index; /* 0-based within its stream direction */
	uint64_t offset; /* stream offset of the first header byte */
	int64_t length; /* the length field's value */
	uint64_t length_flags; /* bits of the field outside length_mask */
	uint64_t payload_len;
	uint64_t payload_missing; /* payload bytes lost in gaps */
	uint32_t header_len;
	uint32_t trailer_len; /* delimiter: its bytes, after the payload */
	uint32_t prelude; /* read by prelude step prelude - 1; 0: the profile */
	uint32_t npackets; /* listed in packets[] */
	const uint64_t *packets; /* ascending, distinct */
	uint64_t npackets_total; /* >= npackets */
	bool split; /* more than one packet */
	bool sticky; /* a packet of it carried bytes of another frame */
	bool header_split; /* the header itself spans packets */
	bool resynced; /* decoded after a guessed resynchronisation */
	int64_t ts_us; /* capture time of the packet that completed it */
	uint64_t pkt_last; /* packet that completed it */
	const uint8_t *payload; /* first payload_kept bytes of the payload */
	uint64_t payload_kept;
};

/* One frame's part in one delivered segment. */
enum fc_piece_flag {
	FC_PIECE_START = 1 << 0, /* the frame's first byte is here */
	FC_PIECE_END = 1 << 1, /* the frame's last byte is here */
	FC_PIECE_LENGTH = 1 << 2, /* length is known (header complete so far) */
	FC_PIECE_HEADER_SPLIT = 1 << 3, /* header bytes here, but not all */
	FC_PIECE_RESYNCED = 1 << 4,
	FC_PIECE_ERROR = 1 << 5, /* the length field is invalid */
	FC_PIECE_PRELUDE = 1 << 6, /* a prelude frame */
	FC_PIECE_TRAILER_SPLIT = 1 << 7, /* the delimiter ends here, begun earlier */
};

struct fc_piece {
	uint64_t frame_index;
	uint64_t frame_offset; /* stream offset of the frame's first byte */
	unsigned flags; /* enum fc_piece_flag */
	int64_t length;
	uint64_t payload_len;
	uint32_t header_bytes; /* header bytes in this segment */
	const uint8_t *payload; /* payload bytes in this segment */
	uint32_t payload_n;
	uint32_t trailer_bytes; /* delimiter bytes in this segment */
	/* bytes at the segment's end that may begin the delimiter: later
	 * bytes decide whether they were delimiter or payload (header_bytes +
	 * payload_n + trailer_bytes + trailer_pending: the piece's bytes) */
	uint32_t trailer_pending;
	uint32_t nsegs; /* segments spanned so far (final with END) */
};

/* Pieces described per segment; the last slot always holds the latest. */
#define FC_SEG_PIECES_MAX 8

/* One packet's contribution to a stream direction, after reassembly; or,
 * with `retransmission`, a packet that brought no new byte at all: a
 * retransmission, a duplicate, a keep-alive's old byte. That one is
 * [offset, offset+len) as the packet repeated it (the bytes the stream
 * already had, or had buffered), with no pieces: the frames were decoded
 * from the first copy. With `conflict`, its bytes differed from that copy
 * and the same report holds the retransmit_conflict anomaly. Packets
 * without payload (ACKs, empty keep-alives) are no segments. */
struct fc_segment {
	struct fc_pkt pkt;
	uint64_t offset;
	uint32_t len;
	uint32_t npieces; /* frames touched; > FC_SEG_PIECES_MAX elides */
	struct fc_piece pieces[FC_SEG_PIECES_MAX];
	uint32_t unframed; /* bytes in no frame: decoding lost */
	/* Bytes of the packet that repeated older ones: all of a
	 * retransmission's; for a packet with new bytes too, counted on its
	 * first record when its new bytes were handed on at once (0 when
	 * they waited out of order). */
	uint32_t repeated;
	bool out_of_order; /* delivered after a later-numbered packet */
	bool retransmission; /* no new bytes: see above */
	bool conflict; /* a retransmission whose bytes differ */
};

/* A frame or a finding, in the order the decoder met them. */
enum fc_event_type { FC_EV_FRAME, FC_EV_ANOMALY };

struct fc_event {
	enum fc_event_type type;
	union {
		struct fc_frame frame;
		struct fc_anomaly anomaly;
	};
};

/* What one step of a stream direction produced, delivered once: a data
 * segment with the frames completed in it and the anomalies raised while
 * decoding it; or, with seg NULL, what a gap, the end of the direction or
 * reassembly produced. Pointers inside are valid during the call only. */
struct fc_report {
	const struct fc_segment *seg;
	const struct fc_event *events;
	uint32_t nevents;
};

#endif
