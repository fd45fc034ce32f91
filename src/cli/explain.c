/* explain.c - what each anomaly means for the program that sent or read
 * the bytes: `framecap --explain KIND`, and under the first of each kind
 * with -v. */
#include <stdio.h>
#include <string.h>

#include "explain.h"

static const char *const text[FC_AN__COUNT] = {
	[FC_AN_GAP] =
	"Stream bytes were never captured: the capture dropped them (a full "
	"buffer, a snaplen too short, capturing on the wrong interface), not "
	"the network, since the peer acknowledged them (and they did not come "
	"within the ACK window, --ack-window-packets and --ack-window-ms). A "
	"frame whose payload "
	"lost bytes keeps its boundaries; a gap that swallows a header loses "
	"them until a resync. Raise -B or -s, or capture closer to the host.",
	[FC_AN_MIDSTREAM] =
	"The capture began after the connection did, so framecap cannot know "
	"where a frame starts. It searches for a chain of plausible frames (a "
	"resync) and marks the frames it finds from there. Start capturing "
	"before the client connects.",
	[FC_AN_RESYNC] =
	"After a gap, a bad length or a mid-stream start, framecap searched the "
	"following bytes for a place where a chain of plausible frames begins: "
	"frames that follow one another, or that end exactly where a packet "
	"ends (where the sender's write ended). It says how many bytes it "
	"skipped. It is still a guess: frames after it are marked resynced (#N? "
	"in text), and a guess that the next header disproves is withdrawn.",
	[FC_AN_OVERSIZE] =
	"A length field is larger than max_frame. Either the framing profile "
	"is wrong for this port (see --detect), or the sender did not write "
	"what the profile expects: text instead of a binary length, the other "
	"byte order, or bytes before the header. A receiver that trusts it "
	"allocates that much or waits forever: check lengths before use.",
	[FC_AN_NEGATIVE] =
	"A signed length field is negative, or the length with the profile's "
	"adjustment is shorter than the header. A receiver that trusts it "
	"crashes or loops; the sender wrote garbage, or the profile is wrong "
	"(signedness, adjustment).",
	[FC_AN_TRUNCATED] =
	"The stream ended (FIN or RST) inside a frame: the sender closed before "
	"writing everything. The classic cause is send() where sendall() was "
	"meant: send() may write only part of the buffer and returns how much; "
	"the rest is never sent. Loop until all bytes are written, then close.",
	[FC_AN_INCOMPLETE] =
	"The capture ended (or the flow was evicted from the table) inside a "
	"frame. Nothing is known to be wrong with the sender; capture longer "
	"or raise --max-flows.",
	[FC_AN_RETRANSMIT_CONFLICT] =
	"A TCP retransmission carried different bytes than the first copy of "
	"the same sequence range. Receivers keep one of them (framecap keeps "
	"the first). Seen with middleboxes rewriting traffic, broken offload, "
	"deliberate evasion, or a capture merging two hosts' views.",
	[FC_AN_ASCII_LENGTH_SUSPECT] =
	"The bytes where a binary length should be are decimal digits, like "
	"\"12kinght love \": the sender wrote the length as text, str(len), "
	"as the tutorials' first attempt does. A fixed-width binary field "
	"(struct.pack('i', len)) is what a length-prefix reader expects; a "
	"variable-width text length cannot even be found without a delimiter.",
	[FC_AN_ENDIAN_SUSPECT] =
	"The length is implausible as decoded but fits when its bytes are "
	"swapped: sender and profile disagree on byte order. struct.pack('i') "
	"uses the machine's order (little-endian on x86 and ARM), while '!i', "
	"'>i', htonl() and Java's DataOutputStream.writeInt write big-endian. "
	"Make both sides say the order explicitly ('<i' or '!i').",
	[FC_AN_ZERO_RUN] =
	"Many zero-length frames in a row. Real protocols rarely send that "
	"many empty messages: these are probably zero bytes (padding, a "
	"zeroed buffer sent by mistake) or a protocol this profile does not "
	"describe.",
	[FC_AN_UNFRAMED] =
	"A whole direction ended without one valid frame: no length-prefixed "
	"framing of this profile is here. It may be a text or delimiter "
	"protocol (HTTP, lines), another framing (try --detect), unframed "
	"sends as in the tutorials' first example, or the wrong port.",
	[FC_AN_ADJUSTMENT_SUSPECT] =
	"The frames do not line up as the profile reads them, but they line up "
	"back to back when the length is taken to count something else, most "
	"often the header itself: the sender wrote len(header + payload) where "
	"the reader expects len(payload), or the other way round. Both sides "
	"must agree on what the length counts; if the protocol really counts "
	"the header, say so with length_adjustment (Netty's "
	"lengthAdjustment), as the finding suggests.",
	[FC_AN_SHORT_FRAME] =
	"One frame's header did not match what was sent after it. Promised "
	"less: more bytes followed before the next frame, typically a length "
	"counted in characters (len(text)) while the payload went out as UTF-8 "
	"bytes (len(text.encode())). Promised more: the next frame started "
	"inside it, typically a send() that wrote only part of the buffer and "
	"whose count was ignored. Compute the length from the exact bytes you "
	"send, and send them all (sendall).",
};

const char *fc_explain(enum fc_anomaly_kind kind)
{
	return (unsigned)kind < FC_AN__COUNT ? text[kind] : NULL;
}

int fc_explain_lookup(const char *name)
{
	for (int k = 0; k < FC_AN__COUNT; k++)
		if (!strcmp(name, fc_anomaly_name((enum fc_anomaly_kind)k)))
			return k;
	return -1;
}

void fc_explain_wrap(const char *text_in, const char *indent, unsigned width,
		     char *buf, size_t len)
{
	size_t at = 0, col = 0, ind = strlen(indent);
	const char *p = text_in;

	if (len == 0)
		return;
	buf[0] = '\0';
	while (*p) {
		size_t w = strcspn(p, " ");

		if (col > ind && col + 1 + w > width) {
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "\n");
			col = 0;
		}
		if (col == 0) {
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s", indent);
			col = ind;
		} else {
			at += (size_t)snprintf(buf + at, at < len ? len - at : 0, " ");
			col++;
		}
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%.*s", (int)w, p);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
		if (at >= len)
			return;
	}
}
