/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_describe.c - anomalies in words: the one-line finding, the paragraph
 * that explains a kind, and the kinds' names. The only place where the
 * core's typed findings become English; front ends (text, JSON's
 * "detail", --explain, the Wireshark plugin) all come here. Every
 * sentence is marked T() or FC_N_() for xgettext; a front end that wants
 * another language passes a translator (fc_translate_fn), which the core
 * calls and knows nothing more about: no locale, no catalogue.
 *
 *   struct fc_anomaly {kind=OVERSIZE, frame=3, u.oversize={length=842150450,
 *                      max_frame=16777216}}
 *     -> "frame #3 length 842150450 exceeds max_frame 16777216"
 */
#include "fc_describe.h"
#include "fc_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const names[FC_AN__COUNT] = {
	[FC_AN_GAP] = "gap",
	[FC_AN_MIDSTREAM] = "midstream",
	[FC_AN_RESYNC] = "resync",
	[FC_AN_OVERSIZE] = "oversize",
	[FC_AN_NEGATIVE] = "negative",
	[FC_AN_TRUNCATED] = "truncated",
	[FC_AN_INCOMPLETE] = "incomplete",
	[FC_AN_RETRANSMIT_CONFLICT] = "retransmit_conflict",
	[FC_AN_ASCII_LENGTH_SUSPECT] = "ascii_length_suspect",
	[FC_AN_ENDIAN_SUSPECT] = "endian_suspect",
	[FC_AN_ZERO_RUN] = "zero_run",
	[FC_AN_UNFRAMED] = "unframed",
	[FC_AN_ADJUSTMENT_SUSPECT] = "adjustment_suspect",
	[FC_AN_SHORT_FRAME] = "short_frame",
	[FC_AN_VARINT_OVERLONG] = "varint_overlong",
	[FC_AN_BER_LENGTH] = "ber_length",
	[FC_AN_NO_DELIMITER] = "no_delimiter",
	[FC_AN_DELIMITER_SUSPECT] = "delimiter_suspect",
	[FC_AN_VARINT_ENDIAN_SUSPECT] = "varint_endian_suspect",
	[FC_AN_BER_ONE_BYTE_SUSPECT] = "ber_one_byte_suspect",
	[FC_AN_UNPADDED_SUSPECT] = "unpadded_suspect",
	[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT] = "delimiter_in_payload_suspect",
};

/* Bytes as a C string literal's inside ("\r\n"), at most 16 of them. */
static void quote_bytes(const uint8_t *b, uint32_t n, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < n && i < 16 && at + 5 < len; i++) {
		uint8_t c = b[i];
		const char *esc = c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
				  : c == '\0' ? "\\0" : c == '"' ? "\\\"" : c == '\\' ? "\\\\"
				  : NULL;
		if (esc)
			at += (size_t)snprintf(out + at, len - at, "%s", esc);
		else if (c < 0x20 || c >= 0x7f)
			at += (size_t)snprintf(out + at, len - at, "\\x%02x", c);
		else
			out[at++] = (char)c, out[at] = '\0';
	}
}

const char *fc_anomaly_name(enum fc_anomaly_kind kind)
{
	return (unsigned)kind < FC_AN__COUNT ? names[kind] : "unknown";
}

/* The text to use for the English `msgid`: the translator's, or msgid. */
#define T(s) (tr ? tr(s) : (s))

const char *fc_end_reason_text(enum fc_end_reason why)
{
	return fc_end_reason_text_in(why, NULL);
}

const char *fc_end_reason_text_in(enum fc_end_reason why, fc_translate_fn tr)
{
	switch (why) {
	case FC_END_FIN: return T("closed by FIN");
	case FC_END_RST: return T("reset by RST");
	case FC_END_CAPTURE: return T("capture ended");
	case FC_END_EVICTED: return T("flow evicted (flow table full)");
	}
	return T("ended");
}

/* What the length counts, when another adjustment lines the frames up. */
static int what_length_counts(const struct fc_anomaly *a, fc_translate_fn tr, char *buf,
			      size_t len)
{
	int64_t delta = a->u.adjustment.delta;
	uint32_t header = a->u.adjustment.header_size;

	if (delta == -(int64_t)header)
		return snprintf(buf, len, T("the length counts the whole %u-byte header too"),
				header);
	if (delta == -(int64_t)a->u.adjustment.length_end)
		return snprintf(buf, len, "%s",
				T("the length counts the header bytes up to its own end"));
	if (delta == -(int64_t)a->u.adjustment.length_size)
		return snprintf(buf, len, T("the length counts its own %u bytes"),
				a->u.adjustment.length_size);
	if (delta == (int64_t)header)
		return snprintf(buf, len,
				T("the length leaves out the %u-byte header this profile expects "
				  "it to count"), header);
	return snprintf(buf, len, T("the length leaves out %" PRId64 " bytes that follow it"),
			delta);
}

static int describe_gap(const struct fc_anomaly *a, fc_translate_fn tr, char *buf, size_t len)
{
	uint64_t n = a->u.gap.len;
	const char *why = T(a->u.gap.reason ? a->u.gap.reason : "not captured");

	switch (a->u.gap.hit) {
	case FC_GAP_IN_PAYLOAD:
	case FC_GAP_FROM_PAYLOAD:
	case FC_GAP_IN_HEADER:
		/* One call for the three sentences that name the frame: the
		 * compiler checks the format of each arm against its arguments. */
		return snprintf(buf, len,
				a->u.gap.hit == FC_GAP_IN_PAYLOAD
				? T("%" PRIu64 " bytes missing (%s) inside the payload of "
				    "frame #%" PRIu64 "; its boundaries still hold")
				: a->u.gap.hit == FC_GAP_FROM_PAYLOAD
				? T("%" PRIu64 " bytes missing (%s) from the payload of "
				    "frame #%" PRIu64 " on; frame boundaries lost")
				: T("%" PRIu64 " bytes missing (%s) inside the header of "
				    "frame #%" PRIu64 "; frame boundaries lost"),
				n, why, a->frame);
	case FC_GAP_AT_BOUNDARY:
		return snprintf(buf, len, T("%" PRIu64 " bytes missing (%s) where the next frame "
					    "header was due; frame boundaries lost"), n, why);
	case FC_GAP_WHILE_LOST:
		break;
	}
	return snprintf(buf, len, T("%" PRIu64 " bytes missing (%s)"), n, why);
}

/* A resync, or where a mid-stream capture's decoding starts. */
static int describe_resync(const struct fc_anomaly *a, fc_translate_fn tr, char *buf,
			   size_t len)
{
	uint32_t h = a->u.resync.headers;
	bool mid = a->kind == FC_AN_MIDSTREAM;
	const char *pre = mid ? T("capture starts inside the connection; ") : "";
	const char *verb = mid ? T("starts") : T("resumes");
	char where[160];

	if (a->u.resync.evidence == FC_RESYNC_WRONG_GUESS)
		return snprintf(buf, len, T("the resync guess was wrong: frame #%" PRIu64 "'s "
					    "length %" PRId64 " is implausible; searching again"),
				a->frame, a->u.resync.length);
	if (a->u.resync.evidence == FC_RESYNC_NONE)
		return snprintf(buf, len, T("%sno chain of plausible frames in %" PRIu64 " bytes: "
					    "frame boundaries unknown"), pre, a->u.resync.skipped);
	if (a->u.resync.evidence == FC_RESYNC_DELIMITER)
		return snprintf(buf, len, T("%sdecoding %s after %" PRIu64 " skipped bytes, just "
					    "after a delimiter"), pre, verb, a->u.resync.skipped);
	if (a->u.resync.evidence == FC_RESYNC_FIXED)
		return snprintf(buf, len, T("%sdecoding resumes after %" PRIu64 " skipped bytes, "
					    "at a multiple of the frame size"), pre,
				a->u.resync.skipped);
	if (a->u.resync.skipped)
		snprintf(where, sizeof(where), T("%sdecoding %s after %" PRIu64 " skipped bytes"),
			 pre, verb, a->u.resync.skipped);
	else
		snprintf(where, sizeof(where), T("%sdecoding starts here"), pre);
	switch (a->u.resync.evidence) {
	case FC_RESYNC_ALIGNED:
		if (h == 1)
			return snprintf(buf, len, T("%s: 1 frame from here ends exactly where the "
						    "packet ends (a guess: frames from here are "
						    "marked resynced)"), where);
		return snprintf(buf, len, T("%s: %u frames from here end exactly where the packet "
					    "ends (a guess: frames from here are marked resynced)"),
				where, h);
	case FC_RESYNC_CHAIN:
		return snprintf(buf, len, T("%s: %u plausible frames follow one another from here "
					    "(a guess: frames from here are marked resynced)"),
				where, h);
	default:
		return snprintf(buf, len, T("%s: a plausible header starts the packet (a guess: "
					    "frames from here are marked resynced)"), where);
	}
}

int fc_anomaly_describe(const struct fc_anomaly *a, char *buf, size_t len)
{
	return fc_anomaly_describe_in(a, NULL, buf, len);
}

int fc_anomaly_describe_in(const struct fc_anomaly *a, fc_translate_fn tr, char *buf,
			   size_t len)
{
	switch (a->kind) {
	case FC_AN_GAP:
		return describe_gap(a, tr, buf, len);
	case FC_AN_MIDSTREAM:
	case FC_AN_RESYNC:
		return describe_resync(a, tr, buf, len);
	case FC_AN_OVERSIZE:
		return snprintf(buf, len, T("frame #%" PRIu64 " length %" PRId64 " exceeds "
					    "max_frame %" PRIu64),
				a->frame, a->u.oversize.length, a->u.oversize.max_frame);
	case FC_AN_NEGATIVE:
		if (!a->u.negative.below_header)
			return snprintf(buf, len, T("frame #%" PRIu64 " length %" PRId64
						    " is negative"),
					a->frame, a->u.negative.length);
		return snprintf(buf, len, T("frame #%" PRIu64 " length %" PRId64 "%+" PRId64 " is "
					    "shorter than its %u-byte header"),
				a->frame, a->u.negative.length, a->u.negative.adjustment,
				a->u.negative.header_size);
	case FC_AN_TRUNCATED:
	case FC_AN_INCOMPLETE: {
		const char *why = fc_end_reason_text_in(a->u.cut.why, tr);

		if (!a->u.cut.in_header && !a->u.cut.expected) /* a delimited frame */
			return snprintf(buf, len, T("%s inside frame #%" PRIu64 ": %" PRIu64 " bytes "
						    "arrived and no delimiter"),
					why, a->frame, a->u.cut.arrived);
		if (a->u.cut.in_header)
			return snprintf(buf, len, T("%s inside the header of frame #%" PRIu64 ": %"
						    PRIu64 " of %" PRIu64 " header bytes arrived"),
					why, a->frame, a->u.cut.arrived, a->u.cut.expected);
		return snprintf(buf, len, T("%s inside frame #%" PRIu64 ": %" PRIu64 " of %" PRIu64
					    " payload bytes arrived"),
				why, a->frame, a->u.cut.arrived, a->u.cut.expected);
	}
	case FC_AN_RETRANSMIT_CONFLICT:
		return snprintf(buf, len, T("packet %" PRIu64 " repeats %" PRIu64 " byte(s) at "
					    "offset %" PRIu64 " with different content; the first "
					    "captured copy is kept"),
				a->pkt, a->u.conflict.len, a->offset);
	case FC_AN_ASCII_LENGTH_SUSPECT:
		return snprintf(buf, len, T("the length field reads \"%s\": ASCII digits, not a "
					    "binary number; the sender wrote the length as text (%"
					    PRIu64 "?), not with struct.pack"),
				a->u.ascii.text, a->u.ascii.value);
	case FC_AN_ENDIAN_SUSPECT: {
		bool big = a->u.endian.order == FC_BIG_ENDIAN;
		const char *o = big ? "big" : "little";
		return snprintf(buf, len, big ? T("as big-endian the length would be %" PRId64
						  ", a plausible frame: the sender writes "
						  "big-endian lengths (--byte-order %s decodes "
						  "it)")
					      : T("as little-endian the length would be %" PRId64
						  ", a plausible frame: the sender writes "
						  "little-endian lengths (--byte-order %s "
						  "decodes it)"),
				a->u.endian.length, o);
	}
	case FC_AN_ZERO_RUN:
		return snprintf(buf, len, T("%u frames in a row up to #%" PRIu64 " whose length "
					    "reads 0: probably not this framing (zeros, padding, "
					    "or the wrong profile)"),
				a->u.zero_run.count, a->frame);
	case FC_AN_UNFRAMED:
		if (a->u.unframed.framing != FC_FRAMING_LENGTH)
			return snprintf(buf, len, T("%" PRIu64 " bytes and not one frame: no %s "
						    "framing of this profile here (another "
						    "framing, or the wrong port?)"),
					a->u.unframed.bytes,
					fc_framing_name(a->u.unframed.framing));
		return snprintf(buf, len, T("%" PRIu64 " bytes and not one frame: no "
					    "length-prefixed framing of this profile here (a text "
					    "or delimiter protocol, another profile, or the wrong "
					    "port?)"), a->u.unframed.bytes);
	case FC_AN_ADJUSTMENT_SUSPECT: {
		char why[160];
		what_length_counts(a, tr, why, sizeof(why));
		if (a->u.adjustment.at_stream_end)
			return snprintf(buf, len, T("frames line up with length_adjustment %" PRId64
						    ": %s; %" PRIu64 " frames then decode back to "
						    "back and end exactly with the stream "
						    "(--length-adjustment %" PRId64 ")"),
					a->u.adjustment.adjustment, why, a->u.adjustment.frames,
					a->u.adjustment.adjustment);
		return snprintf(buf, len, T("frames line up with length_adjustment %" PRId64 ": %s; "
					    "%" PRIu64 " frames then decode back to back "
					    "(--length-adjustment %" PRId64 ")"),
				a->u.adjustment.adjustment, why, a->u.adjustment.frames,
				a->u.adjustment.adjustment);
	}
	case FC_AN_SHORT_FRAME: {
		uint64_t promised = a->u.short_frame.promised, carried = a->u.short_frame.carried;
		if (carried < promised)
			return snprintf(buf, len, T("frame #%" PRIu64 " promised %" PRIu64 " payload "
						    "bytes, but frames line up from %" PRIu64 " bytes "
						    "before its end (offset %" PRIu64 "): it probably "
						    "carried %" PRIu64 "; the header promised more "
						    "than was sent"),
					a->frame, promised, promised - carried, a->offset, carried);
		return snprintf(buf, len, T("frame #%" PRIu64 " promised %" PRIu64 " payload bytes, "
					    "but frames line up from %" PRIu64 " bytes after its "
					    "end (offset %" PRIu64 "): it probably carried %" PRIu64
					    "; the header promised less than was sent"),
				a->frame, promised, carried - promised, a->offset, carried);
	}
	case FC_AN_VARINT_OVERLONG:
		return snprintf(buf, len, T("frame #%" PRIu64 "'s varint length has no last byte "
					    "within %u bytes (every byte has its high bit set)"),
				a->frame, a->u.varint.max_bytes);
	case FC_AN_BER_LENGTH: {
		uint8_t b = a->u.ber.length_byte;
		return snprintf(buf, len,
				b == 0x80 ? T("frame #%" PRIu64 "'s BER length byte 0x%02x is the "
					      "indefinite form, which this framing cannot cut")
				: b == 0xff ? T("frame #%" PRIu64 "'s BER length byte 0x%02x is "
						"reserved")
					    : T("frame #%" PRIu64 "'s BER length byte 0x%02x is "
						"longer than 8 bytes"),
				a->frame, b);
	}
	case FC_AN_NO_DELIMITER:
		return snprintf(buf, len, T("frame #%" PRIu64 ": no delimiter within max_frame %"
					    PRIu64 " bytes (%" PRIu64 " searched)"),
				a->frame, a->u.no_delimiter.max_frame,
				a->u.no_delimiter.searched);
	case FC_AN_DELIMITER_SUSPECT: {
		char want[80], got[80];
		quote_bytes(a->u.delimiter.expected, a->u.delimiter.expected_len, want, sizeof(want));
		quote_bytes(a->u.delimiter.found, a->u.delimiter.found_len, got, sizeof(got));
		return snprintf(buf, len, T("lines end with \"%s\" alone (%" PRIu64 " seen), not "
					    "\"%s\": the sender writes \"%s\" (--delimiter '%s' "
					    "decodes it)"),
				got, a->u.delimiter.count, want, got, got);
	}
	case FC_AN_VARINT_ENDIAN_SUSPECT:
		return snprintf(buf, len, T("read high group first, frame #%" PRIu64 "'s varint is %"
				PRId64 " (not %" PRId64 "), and the bytes then decode: the sender "
				"writes varints most significant group first; protobuf and MQTT "
				"put the low group first"), a->frame, a->u.misread.length,
				a->u.misread.as_read);
	case FC_AN_BER_ONE_BYTE_SUSPECT:
		return snprintf(buf, len, T("frame #%" PRIu64 "'s BER length byte 0x%02x read as the "
				"length itself is %" PRId64 ", and the bytes then decode: the sender "
				"writes lengths from 128 up in one byte; BER needs the long form "
				"(0x81 0x%02x)"), a->frame, a->u.misread.length_byte,
				a->u.misread.length, a->u.misread.length_byte);
	case FC_AN_UNPADDED_SUSPECT:
		return snprintf(buf, len, T("%" PRIu64 " of %" PRIu64 " writes were shorter than a %"
				PRIu64 "-byte record and ended inside one, and the writes never line "
				"up on records: the sender sends records without padding them to %"
				PRIu64 " bytes (or the stream is not fixed records of that size)"),
				a->u.unpadded.short_writes, a->u.unpadded.writes,
				a->u.unpadded.frame_size, a->u.unpadded.frame_size);
	case FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT: {
		char delim[80];
		quote_bytes(a->u.joined.delimiter, a->u.joined.delimiter_len, delim, sizeof(delim));
		return snprintf(buf, len,
				a->u.joined.in_string
				? T("frames #%" PRIu64 " to #%" PRIu64 " only joined make one JSON "
				    "message of %" PRIu64 " B (this direction's JSON message %" PRIu64
				    "): a string in it holds \"%s\", which ends a frame "
				    "wherever it stands; the sender must escape it")
				: T("frames #%" PRIu64 " to #%" PRIu64 " only joined make one JSON "
				    "message of %" PRIu64 " B (this direction's JSON message %" PRIu64
				    "): it was written pretty-printed, with \"%s\" "
				    "between its parts; the sender must write it on one line"),
				a->u.joined.first_frame, a->frame, a->u.joined.joined_len,
				a->u.joined.messages, delim);
	}
	case FC_AN__COUNT:
		break;
	}
	return snprintf(buf, len, "%s", fc_anomaly_name(a->kind));
}

/* FC_N_: English, translated where shown (fc_anomaly_explain is English). */
static const char *const paragraphs[FC_AN__COUNT] = {
	[FC_AN_GAP] =
	FC_N_("Stream bytes were never captured: the capture dropped them (a full "
	"buffer, a snaplen too short, capturing on the wrong interface), not "
	"the network, since the peer acknowledged them (and they did not come "
	"within the ACK window, --ack-window-packets and --ack-window-ms). A "
	"frame whose payload "
	"lost bytes keeps its boundaries; a gap that swallows a header loses "
	"them until a resync. Raise -B or -s, or capture closer to the host."),
	[FC_AN_MIDSTREAM] =
	FC_N_("The capture began after the connection did, so framecap cannot know "
	"where a frame starts. It searches for a chain of plausible frames and "
	"says once where decoding starts and on what evidence; the frames from "
	"there are marked as guesses. Start capturing before the client "
	"connects."),
	[FC_AN_RESYNC] =
	FC_N_("After a gap or a bad length, framecap searched the "
	"following bytes for a place where a chain of plausible frames begins: "
	"frames that follow one another, or that end exactly where a packet "
	"ends (where the sender's write ended). It says how many bytes it "
	"skipped. It is still a guess: frames after it are marked resynced (#N? "
	"in text), and a guess that the next header disproves is withdrawn."),
	[FC_AN_OVERSIZE] =
	FC_N_("A length field is larger than max_frame. Either the framing profile "
	"is wrong for this port (see --detect), or the sender did not write "
	"what the profile expects: text instead of a binary length, the other "
	"byte order, or bytes before the header. A receiver that trusts it "
	"allocates that much or waits forever: check lengths before use."),
	[FC_AN_NEGATIVE] =
	FC_N_("A signed length field is negative, or the length with the profile's "
	"adjustment is shorter than the header. A receiver that trusts it "
	"crashes or loops; the sender wrote garbage, or the profile is wrong "
	"(signedness, adjustment)."),
	[FC_AN_TRUNCATED] =
	FC_N_("The stream ended (FIN or RST) inside a frame: the sender closed before "
	"writing everything. The classic cause is send() where sendall() was "
	"meant: send() may write only part of the buffer and returns how much; "
	"the rest is never sent. Loop until all bytes are written, then close."),
	[FC_AN_INCOMPLETE] =
	FC_N_("The capture ended (or the flow was evicted from the table) inside a "
	"frame. Nothing is known to be wrong with the sender; capture longer "
	"or raise --max-flows."),
	[FC_AN_RETRANSMIT_CONFLICT] =
	FC_N_("A TCP retransmission carried different bytes than the first copy of "
	"the same sequence range. Receivers keep one of them (framecap keeps "
	"the first). Seen with middleboxes rewriting traffic, broken offload, "
	"deliberate evasion, or a capture merging two hosts' views."),
	[FC_AN_ASCII_LENGTH_SUSPECT] =
	FC_N_("The bytes where a binary length should be are decimal digits, like "
	"\"12kinght love \": the sender wrote the length as text, str(len), "
	"as the tutorials' first attempt does. A fixed-width binary field "
	"(struct.pack('i', len)) is what a length-prefix reader expects; a "
	"variable-width text length cannot even be found without a delimiter."),
	[FC_AN_ENDIAN_SUSPECT] =
	FC_N_("The length is implausible as decoded but fits when its bytes are "
	"swapped: sender and profile disagree on byte order. struct.pack('i') "
	"uses the machine's order (little-endian on x86 and ARM), while '!i', "
	"'>i', htonl() and Java's DataOutputStream.writeInt write big-endian. "
	"Make both sides say the order explicitly ('<i' or '!i')."),
	[FC_AN_ZERO_RUN] =
	FC_N_("Many frames in a row whose length field reads 0. Real protocols rarely "
	"send that many empty messages: these are probably zero bytes "
	"(padding, a zeroed buffer sent by mistake) or a protocol this profile "
	"does not describe. Frames that are only a header by design (a "
	"keep-alive whose length counts the header) do not count."),
	[FC_AN_UNFRAMED] =
	FC_N_("A whole direction ended without one valid frame: no length-prefixed "
	"framing of this profile is here. It may be a text or delimiter "
	"protocol (HTTP, lines), another framing (try --detect), unframed "
	"sends as in the tutorials' first example, or the wrong port."),
	[FC_AN_ADJUSTMENT_SUSPECT] =
	FC_N_("The frames do not line up as the profile reads them, but they line up "
	"back to back when the length is taken to count something else, most "
	"often the header itself: the sender wrote len(header + payload) where "
	"the reader expects len(payload), or the other way round. Both sides "
	"must agree on what the length counts; if the protocol really counts "
	"the header, say so with length_adjustment (Netty's "
	"lengthAdjustment), as the finding suggests."),
	[FC_AN_SHORT_FRAME] =
	FC_N_("One frame's header did not match what was sent after it. Promised "
	"less: more bytes followed before the next frame, typically a length "
	"counted in characters (len(text)) while the payload went out as UTF-8 "
	"bytes (len(text.encode())). Promised more: the next frame started "
	"inside it, typically a send() that wrote only part of the buffer and "
	"whose count was ignored. Compute the length from the exact bytes you "
	"send, and send them all (sendall)."),
	[FC_AN_VARINT_OVERLONG] =
	FC_N_("A varint length (protobuf, MQTT) ends with the first byte whose high "
	"bit is clear; here none did within varint_max_bytes. The bytes are not "
	"a varint: the profile is wrong (offset, or not a varint framing), or "
	"the sender wrote the length another way (a fixed-width field, the "
	"groups high first)."),
	[FC_AN_BER_LENGTH] =
	FC_N_("A BER length (LDAP, SNMP) is a byte below 0x80, or 0x8N followed by N "
	"length bytes. 0x80 is the indefinite form, ended by two zero bytes "
	"inside the value, which a framing that only reads the header cannot "
	"cut; 0xff is reserved; more than 8 length bytes cannot be a real "
	"length. The stream is not definite-length BER at this point."),
	[FC_AN_NO_DELIMITER] =
	FC_N_("A delimited frame (a line) went on past max_frame bytes without its "
	"delimiter. A receiver that reads until the delimiter buffers without "
	"bound; Netty's decoders fail the same way (TooLongFrameException). "
	"Either the delimiter is not the one the sender writes, or the payload "
	"is binary and needs a length prefix instead."),
	[FC_AN_DELIMITER_SUSPECT] =
	FC_N_("The profile's delimiter has several bytes (\"\\r\\n\"), but the "
	"sender ends its lines with the last one alone (\"\\n\"): print() and "
	"most languages' line writers write \"\\n\", while SMTP, Redis, HTTP "
	"and memcached require \"\\r\\n\". A reader that waits for \"\\r\\n\" "
	"never sees a line end. Write the delimiter the protocol says, or read "
	"lines the way the sender writes them."),
	[FC_AN_VARINT_ENDIAN_SUSPECT] =
	FC_N_("A varint length (protobuf, MQTT) puts its low 7 bits in the first "
	"byte and the higher groups after it. This one only makes sense with "
	"its groups read the other way round, most significant first: 200 "
	"goes out as c8 01, but a writer that shifts the value down from its "
	"top sends 81 48, which reads as 9217. Lengths below 128 are one byte "
	"either way, so the bug shows only with larger messages. Write the low "
	"group first (CodedOutputStream, the MQTT remaining-length "
	"algorithm)."),
	[FC_AN_BER_ONE_BYTE_SUSPECT] =
	FC_N_("A BER length below 128 is one byte; from 128 up it takes the long "
	"form, 0x8N and then N bytes of length (200 is 81 c8). Here the byte "
	"after the tag only makes sense as the length itself: the sender wrote "
	"a length of 128 or more in one byte, which a BER reader takes for the "
	"long form's count of length bytes. Encode the length with your ASN.1 "
	"library, or write 0x81 or 0x82 first."),
	[FC_AN_UNPADDED_SUSPECT] =
	FC_N_("Fixed framing cuts the stream every frame_size bytes. A sender that "
	"writes each record whole makes its writes end on those boundaries; "
	"here the writes, each shorter than a record, ended inside records "
	"again and again: the records go out as long as their content (\"aym\" "
	"instead of \"aym\" and 13 zero bytes), so every record after the first "
	"short one is read shifted, mixing two messages. Pad each record to "
	"frame_size (or send a length instead of fixed records). Any stream "
	"that is not fixed records of this size reads the same way: check the "
	"profile first."),
	[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT] =
	FC_N_("A delimited frame ends at the first delimiter, wherever it stands: "
	"a message that holds the delimiter is cut there, and on the wire the "
	"pieces look like messages written at once. framecap names it only "
	"where the content proves it: frames that are JSON objects or arrays, "
	"one per frame, and a run of frames whose first opens an object or "
	"array that only the last one closes, so that joined with the "
	"delimiter they make one JSON message. The usual causes are "
	"pretty-printed JSON (json.dumps(obj, indent=2), JSON.stringify(obj, "
	"null, 2)) over newline-delimited JSON, and a string value holding a "
	"raw line break. Write each message compact, on one line (JSON writes "
	"a line break inside a string as \\n), or frame messages with a "
	"length prefix."),
};

const char *fc_anomaly_explain(enum fc_anomaly_kind kind)
{
	return (unsigned)kind < FC_AN__COUNT ? paragraphs[kind] : NULL;
}

int fc_anomaly_lookup(const char *name)
{
	for (int k = 0; k < FC_AN__COUNT; k++)
		if (!strcmp(name, fc_anomaly_name((enum fc_anomaly_kind)k)))
			return k;
	return -1;
}

/* Closing punctuation that must not start a line: it stays with the
 * character before it. */
static bool no_break_before(uint32_t cp)
{
	static const uint32_t closers[] = {
		0x3001, 0x3002, 0xff0c, 0xff1b, 0xff1a, 0xff01, 0xff1f, 0xff09,
		0x300d, 0x300f, 0x201d, 0x2019, 0x300b, 0x3009, 0xff0e, 0x2026,
	};
	for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
		if (cp == closers[i])
			return true;
	return false;
}

/* Opening punctuation that must not end a line: it stays with what
 * follows it. */
static bool no_break_after(uint32_t cp)
{
	return cp == 0xff08 || cp == 0x201c || cp == 0x2018 || cp == 0x300c || cp == 0x300e ||
	       cp == 0x300a || cp == 0x3008;
}

/* The code point at p and its length (an invalid byte: itself, 1). */
static size_t next_cp(const char *p, uint32_t *cp)
{
	size_t k = fc_utf8_decode((const uint8_t *)p, strnlen(p, 4), cp);

	if (k == 0) {
		*cp = (unsigned char)*p;
		k = 1;
	}
	return k;
}

/* The next unbreakable piece at p: one wide character, or a run of
 * narrow ones up to a space or a wide character; either with the closing
 * punctuation after it, and with what follows an opening one. Returns
 * its length in bytes, its columns in *w. */
static size_t wrap_token(const char *p, unsigned *w)
{
	size_t at = 0;
	uint32_t cp;
	size_t k = next_cp(p, &cp);

	*w = 0;
	if (no_break_after(cp) && p[k] && p[k] != ' ') {
		at = k + wrap_token(p + k, w);
		*w += fc_text_width(cp);
		return at;
	}
	if (fc_text_width(cp) == 2) {
		at = k;
		*w = 2;
	} else {
		while (p[at] && p[at] != ' ') {
			k = next_cp(p + at, &cp);
			if (fc_text_width(cp) == 2)
				break;
			*w += fc_text_width(cp);
			at += k;
		}
	}
	while (p[at] && p[at] != ' ') {
		k = next_cp(p + at, &cp);
		if (!no_break_before(cp))
			break;
		*w += fc_text_width(cp);
		at += k;
	}
	return at;
}

void fc_text_wrap(const char *text_in, const char *indent, unsigned width,
		  char *buf, size_t len)
{
	size_t at = 0, col = 0, ind = strlen(indent);
	const char *p = text_in;
	bool space = false;

	if (len == 0)
		return;
	buf[0] = '\0';
	while (*p == ' ')
		p++;
	while (*p) {
		unsigned w;
		size_t n = wrap_token(p, &w);
		size_t sep = space ? 1 : 0;

		if (col > ind && col + sep + w > width) {
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "\n");
			col = 0;
		}
		if (col == 0) {
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s", indent);
			col = ind;
		} else if (sep) {
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, " ");
			col++;
		}
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%.*s", (int)n, p);
		col += w;
		p += n;
		space = *p == ' ';
		while (*p == ' ')
			p++;
		if (at >= len)
			return;
	}
}
