/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out_emit.c - `--emit-test python|go|java`: one connection's client
 * bytes as a self-contained test of the user's own receive loop.
 *
 *   capture --> engine --> first connection with client data (c2s):
 *               bytes, the segments they came in, the frames decoded
 *           --> a test file on standard output:
 *
 *     CHUNKS  = the segments, as they arrived   [hdr pay hd][r pay][hdr pay]
 *     FRAMES  = the payloads framecap decoded   [pay] [pay] [pay]
 *     feeds   = CHUNKS, one frame a write, all at once, headers cut in
 *               two, one byte a write (small streams), seeded random cuts
 *     asserts = the user's reader returns FRAMES, in order, from each
 *
 *   python  unittest; a socketpair, a writer thread, the user's
 *           read_message(sock) (FRAMECAP_READ_MESSAGE=module:function,
 *           else the reference reader in the file)
 *   go      testing; the chunks as io.Readers, testing/iotest's
 *           OneByteReader, HalfReader and DataErrReader; readMessage
 *   java    JUnit 5; Netty's EmbeddedChannel with the matching decoder:
 *           LengthFieldBasedFrameDecoder, DelimiterBasedFrameDecoder,
 *           FixedLengthFrameDecoder, ProtobufVarint32FrameDecoder, or a
 *           ByteToMessageDecoder in the file (BER, varints after other
 *           bytes, length masks)
 *
 * The reference readers speak every framing of the profile (length with
 * or without a mask, varint, ber, delimiter, fixed); a prelude on the
 * client side is refused with a clear error.
 *
 * Pick the connection with a BPF expression. The bytes kept are bounded
 * (EMIT_MAX_BYTES); a gap or a framing error ends the test at the last
 * whole frame before it, said in the file. The output is the same for
 * the same capture and options: no time, no random seed from the clock.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fc_grow.h"
#include "options.h"
#include "i18n.h"
#include "output.h"

#define EMIT_MAX_BYTES (1u << 20)
#define EMIT_DRIP_MAX (16u << 10) /* one-byte writes only below this */
#define EMIT_RANDOM_SEED 20250101u

struct span {
	uint64_t off, len; /* frames: header, payload and trailer */
	uint32_t hdr, tr; /* frames: header and trailer (delimiter) bytes */
};

struct emit_out {
	struct fc_output base;
	struct fc_output_opts o;
	const char *lang;
	bool chosen, start_seen, oom, too_big;
	uint64_t id;
	char client[FC_ENDPOINT_MAX], server[FC_ENDPOINT_MAX];
	struct fc_profile prof;
	uint8_t *buf;
	size_t len, cap;
	struct span *segs, *frames;
	size_t nsegs, segs_cap, nframes, frames_cap;
	uint64_t stop_at;
	char stop_why[200];
};

static void stop(struct emit_out *e, uint64_t at, const char *why)
{
	if (at >= e->stop_at)
		return;
	e->stop_at = at;
	snprintf(e->stop_why, sizeof(e->stop_why), "%s", why);
}

static void emit_data(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		      uint64_t offset, const uint8_t *p, uint32_t n, bool start_seen)
{
	struct emit_out *e = ctx;

	if (dir != FC_C2S)
		return;
	if (!e->chosen) {
		e->chosen = true;
		e->id = s->id;
		e->start_seen = start_seen;
		e->prof = *s->profile;
		fc_format_endpoint(&s->key.src, s->key.sport, e->client, sizeof(e->client));
		fc_format_endpoint(&s->key.dst, s->key.dport, e->server, sizeof(e->server));
	}
	if (s->id != e->id || e->oom)
		return;
	if (offset != e->len) {
		stop(e, e->len, N_("bytes never captured"));
		return;
	}
	if (e->len + n > EMIT_MAX_BYTES) {
		e->too_big = true;
		stop(e, e->len, N_("the size limit of a generated test"));
		return;
	}
	if (!fc_grow((void **)&e->buf, &e->cap, e->len + n, 1, 4096)) {
		e->oom = true;
		return;
	}
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void emit_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
			const struct fc_report *r)
{
	struct emit_out *e = ctx;

	if (dir != FC_C2S || !e->chosen || s->id != e->id || e->oom)
		return;
	/* Only what covers bytes kept (emit_data came first); a
	 * retransmission wrote nothing new. */
	if (r->seg && r->seg->len && !r->seg->retransmission &&
	    r->seg->offset + r->seg->len <= e->len) {
		if (!fc_grow((void **)&e->segs, &e->segs_cap, e->nsegs + 1, sizeof(*e->segs), 16)) {
			e->oom = true;
			return;
		}
		e->segs[e->nsegs++] = (struct span){ .off = r->seg->offset, .len = r->seg->len };
	}
	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_event *ev = &r->events[i];

		const struct fc_frame *fr = &ev->frame;

		if (ev->type == FC_EV_FRAME && !fr->payload_missing &&
		    fr->offset + fr->header_len + fr->payload_len + fr->trailer_len <= e->len) {
			if (!fc_grow((void **)&e->frames, &e->frames_cap, e->nframes + 1,
				     sizeof(*e->frames), 16)) {
				e->oom = true;
				return;
			}
			e->frames[e->nframes++] = (struct span){
				.off = fr->offset, .hdr = fr->header_len, .tr = fr->trailer_len,
				.len = fr->header_len + fr->payload_len + fr->trailer_len };
		} else if (ev->type == FC_EV_ANOMALY) {
			switch (ev->anomaly.kind) {
			case FC_AN_GAP: stop(e, ev->anomaly.offset, N_("bytes never captured")); break;
			case FC_AN_OVERSIZE: case FC_AN_NEGATIVE: case FC_AN_RESYNC:
			case FC_AN_VARINT_OVERLONG: case FC_AN_BER_LENGTH: case FC_AN_NO_DELIMITER:
				stop(e, ev->anomaly.offset, fc_anomaly_name(ev->anomaly.kind));
				break;
			default: break;
			}
		}
	}
}

/* What the test covers: the stream bytes [begin, end) and the frames
 * e->frames[f0, f1) in them. */
struct cover {
	uint64_t begin, end;
	size_t f0, f1;
};

/* The cover of the test: whole frames before any problem. */
static void extent(const struct emit_out *e, struct cover *c)
{
	c->begin = e->start_seen || !e->nframes ? 0 : e->frames[0].off;
	c->end = c->begin;
	c->f0 = c->f1 = 0;
	for (size_t i = 0; i < e->nframes; i++) {
		const struct span *f = &e->frames[i];

		if (f->off < c->begin || f->off + f->len > e->stop_at || f->off + f->len > e->len)
			continue;
		if (c->f1 == 0)
			c->f0 = i;
		c->f1 = i + 1;
		c->end = f->off + f->len;
	}
	if (c->f1 == 0)
		c->f0 = 0;
}

/* A byte string as lowercase hex. */
static void hex(FILE *f, const uint8_t *p, uint64_t n)
{
	static const char d[] = "0123456789abcdef";

	for (uint64_t i = 0; i < n; i++) {
		fputc(d[p[i] >> 4], f);
		fputc(d[p[i] & 15], f);
	}
}

/* How a language writes the byte strings of the test. */
struct syntax {
	const char *indent; /* before each item */
	const char *unhex; /* the call that turns hex into bytes: `unhex("` */
	const char *tuple_open, *tuple_close; /* NULL: frames are payloads only */
};

static const struct syntax PY = { "    ", "bytes.fromhex(\"", "(", ")" };
static const struct syntax GO = { "\t", "unhex(\"", "{", "}" };
static const struct syntax JAVA = { "        ", "hex(\"", NULL, NULL };

/* One byte string of the test, as an item of a list. */
static void item(FILE *f, const struct syntax *sx, const uint8_t *p, uint64_t n)
{
	fputs(sx->unhex, f);
	hex(f, p, n);
	fputs("\")", f);
}

/* The chunks: the captured segments, clipped to [begin, end), one item a
 * line. */
static void chunks(const struct emit_out *e, uint64_t begin, uint64_t end, FILE *f,
		   const struct syntax *sx)
{
	for (size_t i = 0; i < e->nsegs; i++) {
		uint64_t a = e->segs[i].off, b = a + e->segs[i].len;

		if (a < begin)
			a = begin;
		if (b > end)
			b = end;
		if (a >= b)
			continue;
		fputs(sx->indent, f);
		item(f, sx, e->buf + a, b - a);
		fputs(",\n", f);
	}
}

/* Where the split-header test cuts a frame: inside its header, inside its
 * delimiter (before a one-byte one), or in the middle of a fixed record. */
static uint64_t frame_cut(const struct span *s)
{
	if (s->hdr)
		return s->off + (s->hdr > 1 ? s->hdr / 2 : 1);
	if (s->tr)
		return s->off + s->len - s->tr + s->tr / 2;
	return s->off + (s->len > 1 ? s->len / 2 : 1);
}

/* The frames e->frames[f0, f1), one a line: (offset, end, cut, payload)
 * relative to begin, or the payload alone when the syntax has no tuples. */
static void frames(const struct emit_out *e, uint64_t begin, size_t f0, size_t f1, FILE *f,
		   const struct syntax *sx)
{
	for (size_t i = f0; i < f1; i++) {
		const struct span *s = &e->frames[i];

		fputs(sx->indent, f);
		if (sx->tuple_open)
			fprintf(f, "%s%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", ", sx->tuple_open,
				s->off - begin, s->off + s->len - begin, frame_cut(s) - begin);
		item(f, sx, e->buf + s->off + s->hdr, s->len - s->hdr - s->tr);
		fprintf(f, "%s,\n", sx->tuple_open ? sx->tuple_close : "");
	}
}

/* The bits of the length field that are the length: length_mask, or all. */
static uint64_t length_bits(const struct fc_profile *p)
{
	if (p->length_mask)
		return p->length_mask;
	return p->length_size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * p->length_size)) - 1;
}

/* A profile value that a generated file keeps in a 32-bit int. */
static uint64_t int32_max(uint64_t v)
{
	return v > 2147483647u ? 2147483647u : v;
}

/* The comment every language's file starts with (prefix: "#" or "//"). */
static void head(FILE *f, const struct emit_out *e, const char *c, uint64_t begin,
		 uint64_t end, size_t nframes)
{
	char desc[200];

	fc_profile_describe(&e->prof, desc, sizeof(desc));
	fprintf(f, "%s Generated by framecap --emit-test %s: stream %" PRIu64 ", %s -> %s,\n"
		   "%s client to server, %" PRIu64 " bytes, %zu frames, profile %s.\n",
		c, e->lang, e->id, e->client, e->server, c, end - begin, nframes, desc);
	if (begin)
		fprintf(f, "%s The capture began mid-connection: the test starts at the first decoded "
			   "frame.\n", c);
	if (e->stop_at != UINT64_MAX)
		fprintf(f, "%s The capture has %s at stream byte %" PRIu64 ": the test ends at the "
			   "last whole frame before it.\n", c, e->stop_why, e->stop_at);
	fprintf(f, "%s It feeds the captured bytes to a receive loop as the segments arrived,\n"
		   "%s then re-chunked (one frame a write, all at once, headers cut in two, ...),\n"
		   "%s and asserts that the loop returns the frames framecap decoded.\n", c, c, c);
}

/* Text with the profile's values in it: "$X" stands for value X of p
 *
 *   $H header_size   $O length_offset   $L length_size   $e offset + size
 *   $E big|little    $b true|false (big-endian)
 *   $T True|False    $t true|false (signed)
 *   $K length bits (hex)                $A length_adjustment
 *   $M max_frame     $m max_frame, at most 2^31 - 1
 *   $F max_frame + header_size, at most 2^31 - 1
 *   $S frame_size    $V varint_max_bytes    $D the delimiter (hex)
 *   $J BIG_ENDIAN|LITTLE_ENDIAN             $N the framing's name
 *
 * Every generated reader is such a text, so that one function writes the
 * numbers of all of them. */
static void put_template(FILE *f, const char *t, const struct fc_profile *p)
{
	bool big = p->byte_order == FC_BIG_ENDIAN;

	for (; *t; t++) {
		if (*t != '$' || !t[1]) {
			fputc(*t, f);
			continue;
		}
		switch (*++t) {
		case 'H': fprintf(f, "%u", p->header_size); break;
		case 'O': fprintf(f, "%u", p->length_offset); break;
		case 'L': fprintf(f, "%u", p->length_size); break;
		case 'e': fprintf(f, "%u", p->length_offset + p->length_size); break;
		case 'E': fputs(big ? "big" : "little", f); break;
		case 'b': fputs(big ? "true" : "false", f); break;
		case 'T': fputs(p->is_signed ? "True" : "False", f); break;
		case 't': fputs(p->is_signed ? "true" : "false", f); break;
		case 'K': fprintf(f, "%" PRIx64, length_bits(p)); break;
		case 'A': fprintf(f, "%" PRId64, p->length_adjustment); break;
		case 'M': fprintf(f, "%" PRIu64, p->max_frame); break;
		case 'm': fprintf(f, "%" PRIu64, int32_max(p->max_frame)); break;
		case 'F': fprintf(f, "%" PRIu64, int32_max(p->max_frame + p->header_size)); break;
		case 'S': fprintf(f, "%" PRIu64, p->frame_size); break;
		case 'V': fprintf(f, "%u", p->varint_max_bytes); break;
		case 'D': hex(f, p->delimiter, p->delimiter_len); break;
		case 'J': fputs(big ? "BIG_ENDIAN" : "LITTLE_ENDIAN", f); break;
		case 'N': fputs(fc_framing_name(p->framing), f); break;
		default: fputc(*t, f); break; /* "$$" */
		}
	}
}

/* Python: what the prefix framings share, read_payload. */
#define PY_PAYLOAD \
	"LENGTH_ADJUSTMENT = $A\nMAX_FRAME = $M\n\n\n" \
	"def read_payload(sock, length, n):\n" \
	"    \"\"\"The n payload bytes of a frame whose length reads length.\"\"\"\n" \
	"    if length < 0 or length > MAX_FRAME:\n" \
	"        raise ValueError(\"bad length field %d\" % length)\n" \
	"    if n < 0:\n" \
	"        raise ValueError(\"frame shorter than its header\")\n" \
	"    return read_more(sock, n)\n\n\n" \
	"def reference_read_message(sock):\n" \
	"    \"\"\"One message, read the way framecap decodes them.\"\"\"\n"

/* The Python reference reader of each framing: its constants, then
 * reference_read_message(sock) (read_exactly and read_more come before). */
static const char *const PY_READER[] = {
	[FC_FRAMING_LENGTH] =
	"HEADER_SIZE = $H\nLENGTH_OFFSET = $O\nLENGTH_SIZE = $L\nBYTE_ORDER = \"$E\"\n"
	"SIGNED = $T\nLENGTH_MASK = 0x$K\n" PY_PAYLOAD
	"    header = read_exactly(sock, HEADER_SIZE)\n"
	"    if header is None:\n"
	"        return None\n"
	"    field = header[LENGTH_OFFSET:LENGTH_OFFSET + LENGTH_SIZE]\n"
	"    length = int.from_bytes(field, BYTE_ORDER) & LENGTH_MASK\n"
	"    if SIGNED and length >> (8 * LENGTH_SIZE - 1):\n"
	"        length -= 1 << (8 * LENGTH_SIZE)\n"
	"    n = LENGTH_OFFSET + LENGTH_SIZE + length + LENGTH_ADJUSTMENT - HEADER_SIZE\n"
	"    return read_payload(sock, length, n)\n",
	[FC_FRAMING_VARINT] =
	"LENGTH_OFFSET = $O\nVARINT_MAX_BYTES = $V\n" PY_PAYLOAD
	"    header = read_exactly(sock, LENGTH_OFFSET + 1)\n"
	"    if header is None:\n"
	"        return None\n"
	"    length, shift = 0, 0\n"
	"    while True:  # 7 bits a byte, the low group first; a high bit: more\n"
	"        length |= (header[-1] & 0x7F) << shift\n"
	"        if not header[-1] & 0x80:\n"
	"            break\n"
	"        if len(header) - LENGTH_OFFSET == VARINT_MAX_BYTES:\n"
	"            raise ValueError(\"varint longer than %d bytes\" % VARINT_MAX_BYTES)\n"
	"        header += read_more(sock, 1)\n"
	"        shift += 7\n"
	"    return read_payload(sock, length, length + LENGTH_ADJUSTMENT)\n",
	[FC_FRAMING_BER] =
	PY_PAYLOAD
	"    header = read_exactly(sock, 2)  # the tag, the first length byte\n"
	"    if header is None:\n"
	"        return None\n"
	"    length = header[1]\n"
	"    if length & 0x80:  # the long form: 0x8N, then N bytes of length\n"
	"        n = length & 0x7F\n"
	"        if n == 0 or n > 8:\n"
	"            raise ValueError(\"BER length byte 0x%02x\" % length)\n"
	"        length = int.from_bytes(read_more(sock, n), \"big\")\n"
	"    return read_payload(sock, length, length + LENGTH_ADJUSTMENT)\n",
	[FC_FRAMING_DELIMITER] =
	"DELIMITER = bytes.fromhex(\"$D\")\nMAX_FRAME = $M\n\n\n"
	"def reference_read_message(sock):\n"
	"    \"\"\"One message: the bytes before the delimiter, read one at a time\n"
	"    so that none past it is taken from the socket.\"\"\"\n"
	"    line = b\"\"\n"
	"    while not line.endswith(DELIMITER):\n"
	"        if len(line) > MAX_FRAME + len(DELIMITER):\n"
	"            raise ValueError(\"no delimiter within %d bytes\" % MAX_FRAME)\n"
	"        more = sock.recv(1)\n"
	"        if not more:\n"
	"            if line:\n"
	"                raise EOFError(\"stream ended inside a message\")\n"
	"            return None\n"
	"        line += more\n"
	"    return line[:-len(DELIMITER)]\n",
	[FC_FRAMING_FIXED] =
	"FRAME_SIZE = $S\n\n\n"
	"def reference_read_message(sock):\n"
	"    \"\"\"One message: a record of FRAME_SIZE bytes.\"\"\"\n"
	"    return read_exactly(sock, FRAME_SIZE)\n",
};

/* Go: what the prefix framings share, readPayload. */
#define GO_PAYLOAD \
	"const lengthAdjustment = $A\n\nconst maxFrame = $M\n\n" \
	"// readPayload reads the n payload bytes of a frame whose length reads length.\n" \
	"func readPayload(r io.Reader, length, n int64) ([]byte, error) {\n" \
	"\tif length < 0 || uint64(length) > maxFrame || n < 0 {\n" \
	"\t\treturn nil, errFraming\n\t}\n" \
	"\tp := make([]byte, n)\n" \
	"\tif _, err := io.ReadFull(r, p); err != nil {\n" \
	"\t\treturn nil, io.ErrUnexpectedEOF\n\t}\n\treturn p, nil\n}\n\n" \
	"// referenceReadMessage reads one message the way framecap decodes them.\n" \
	"func referenceReadMessage(r io.Reader) ([]byte, error) {\n"

/* The Go reference reader of each framing: its constants (each its own
 * declaration: gofmt aligns none), then referenceReadMessage. */
static const char *const GO_READER[] = {
	[FC_FRAMING_LENGTH] =
	"const headerSize = $H\n\nconst lengthOffset = $O\n\nconst lengthSize = $L\n\n"
	"const bigEndian = $b\n\nconst signed = $t\n\nconst lengthMask = 0x$K\n\n"
	GO_PAYLOAD
	"\thdr := make([]byte, headerSize)\n"
	"\tif _, err := io.ReadFull(r, hdr); err != nil {\n\t\treturn nil, err\n\t}\n"
	"\tvar v uint64\n"
	"\tfor i := 0; i < lengthSize; i++ {\n"
	"\t\tb := hdr[lengthOffset+i]\n"
	"\t\tif !bigEndian {\n\t\t\tb = hdr[lengthOffset+lengthSize-1-i]\n\t\t}\n"
	"\t\tv = v<<8 | uint64(b)\n\t}\n"
	"\tv &= lengthMask\n"
	"\tbits := uint(8 * lengthSize)\n"
	"\tif signed && bits < 64 && v>>(bits-1) == 1 {\n"
	"\t\tv |= ^uint64(0) << bits\n\t}\n"
	"\tlength := int64(v)\n"
	"\treturn readPayload(r, length, lengthOffset+lengthSize+length+lengthAdjustment-headerSize)\n"
	"}\n",
	[FC_FRAMING_VARINT] =
	"const lengthOffset = $O\n\nconst varintMaxBytes = $V\n\n" GO_PAYLOAD
	"\thead := make([]byte, lengthOffset+1)\n"
	"\tif _, err := io.ReadFull(r, head); err != nil {\n\t\treturn nil, err\n\t}\n"
	"\tvar length int64\n"
	"\tb := head[lengthOffset]\n"
	"\tfor i := 0; ; i++ { // 7 bits a byte, the low group first; a high bit: more\n"
	"\t\tlength |= int64(b&0x7f) << (7 * i)\n"
	"\t\tif b&0x80 == 0 {\n\t\t\tbreak\n\t\t}\n"
	"\t\tif i+1 == varintMaxBytes {\n\t\t\treturn nil, errFraming\n\t\t}\n"
	"\t\tif _, err := io.ReadFull(r, head[:1]); err != nil {\n"
	"\t\t\treturn nil, io.ErrUnexpectedEOF\n\t\t}\n"
	"\t\tb = head[0]\n\t}\n"
	"\treturn readPayload(r, length, length+lengthAdjustment)\n}\n",
	[FC_FRAMING_BER] =
	GO_PAYLOAD
	"\thead := make([]byte, 2) // the tag, the first length byte\n"
	"\tif _, err := io.ReadFull(r, head); err != nil {\n\t\treturn nil, err\n\t}\n"
	"\tlength := int64(head[1])\n"
	"\tif length >= 0x80 { // the long form: 0x8N, then N bytes of length\n"
	"\t\tn := int(length & 0x7f)\n"
	"\t\tif n == 0 || n > 8 {\n\t\t\treturn nil, errFraming\n\t\t}\n"
	"\t\tlong := make([]byte, n)\n"
	"\t\tif _, err := io.ReadFull(r, long); err != nil {\n"
	"\t\t\treturn nil, io.ErrUnexpectedEOF\n\t\t}\n"
	"\t\tlength = 0\n"
	"\t\tfor _, b := range long {\n\t\t\tlength = length<<8 | int64(b)\n\t\t}\n\t}\n"
	"\treturn readPayload(r, length, length+lengthAdjustment)\n}\n",
	[FC_FRAMING_DELIMITER] =
	"var delimiter = unhex(\"$D\")\n\nconst maxFrame = $M\n\n"
	"// referenceReadMessage reads the bytes before the delimiter, one at a\n"
	"// time so that none past it is taken.\n"
	"func referenceReadMessage(r io.Reader) ([]byte, error) {\n"
	"\tvar line []byte\n"
	"\tone := make([]byte, 1)\n"
	"\tfor !bytes.HasSuffix(line, delimiter) {\n"
	"\t\tif uint64(len(line)) > maxFrame+uint64(len(delimiter)) {\n"
	"\t\t\treturn nil, errFraming\n\t\t}\n"
	"\t\tn, err := r.Read(one)\n"
	"\t\tif n == 1 {\n\t\t\tline = append(line, one[0])\n"
	"\t\t} else if err == io.EOF && len(line) > 0 {\n"
	"\t\t\treturn nil, io.ErrUnexpectedEOF\n"
	"\t\t} else if err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t}\n"
	"\treturn line[:len(line)-len(delimiter)], nil\n}\n",
	[FC_FRAMING_FIXED] =
	"const frameSize = $S\n\n"
	"// referenceReadMessage reads one record of frameSize bytes.\n"
	"func referenceReadMessage(r io.Reader) ([]byte, error) {\n"
	"\tp := make([]byte, frameSize)\n"
	"\t_, err := io.ReadFull(r, p)\n\treturn p, err\n}\n",
};

/* Python: from the run instructions to the opening of the chunks. */
static void py_opening(FILE *f, const struct fc_profile *p)
{
	(void)p;
	fputs("#\n"
	      "# Run:  python3 THIS_FILE            (the reference reader below)\n"
	      "#       FRAMECAP_READ_MESSAGE=mymodule:read_message python3 THIS_FILE\n"
	      "# read_message(sock) must return one message's payload (bytes), or None\n"
	      "# at the end of the stream.\n"
	      "import importlib\n"
	      "import os\n"
	      "import random\n"
	      "import socket\n"
	      "import sys\n"
	      "import threading\n"
	      "import time\n"
	      "import unittest\n\n"
	      "try:  # how many bytes wait in a socket: Linux, the BSDs, macOS\n"
	      "    import fcntl\n"
	      "    import struct\n"
	      "    import termios\n"
	      "    FIONREAD = termios.FIONREAD\n"
	      "except (ImportError, AttributeError):\n"
	      "    FIONREAD = None\n\n"
	      "# The captured segments, client to server, as they arrived.\nCHUNKS = [\n", f);
}

/* Python: after the frames, the reader and the tests. */
static void py_closing(FILE *f, const struct emit_out *e, const struct cover *c)
{
	fputs("]\n\n"
	      "STREAM = b\"\".join(CHUNKS)\n"
	      "WRITE_PAUSE = 0.005  # between writes where FIONREAD is missing\n\n\n"
	      "def wait_drained(sock, limit=5.0):\n"
	      "    \"\"\"Until the reader has taken every byte written so far, so that\n"
	      "    the next write arrives alone however slow the machine is; a pause\n"
	      "    where the platform cannot tell.\"\"\"\n"
	      "    if FIONREAD is None:\n"
	      "        time.sleep(WRITE_PAUSE)\n"
	      "        return\n"
	      "    queued = bytearray(4)\n"
	      "    deadline = time.monotonic() + limit\n"
	      "    while time.monotonic() < deadline:\n"
	      "        fcntl.ioctl(sock, FIONREAD, queued)\n"
	      "        if struct.unpack(\"i\", queued)[0] == 0:\n"
	      "            return\n"
	      "        time.sleep(0.0005)\n\n\n"
	      "def read_exactly(sock, n):\n"
	      "    \"\"\"n bytes from sock, looping over recv(); None at a clean end.\"\"\"\n"
	      "    buf = b\"\"\n"
	      "    while len(buf) < n:\n"
	      "        more = sock.recv(n - len(buf))\n"
	      "        if not more:\n"
	      "            if buf:\n"
	      "                raise EOFError(\"stream ended inside a message\")\n"
	      "            return None\n"
	      "        buf += more\n"
	      "    return buf\n\n\n"
	      "def read_more(sock, n):\n"
	      "    \"\"\"n bytes inside a message: the stream must not end here.\"\"\"\n"
	      "    buf = read_exactly(sock, n) if n else b\"\"\n"
	      "    if buf is None:\n"
	      "        raise EOFError(\"stream ended inside a message\")\n"
	      "    return buf\n\n\n", f);
	fputs("# The framing (framecap's profile).\n", f);
	put_template(f, PY_READER[e->prof.framing], &e->prof);
	fprintf(f,
		"\n\n"
		"def user_read_message():\n"
		"    spec = os.environ.get(\"FRAMECAP_READ_MESSAGE\")\n"
		"    if not spec:\n"
		"        return reference_read_message\n"
		"    module, _, name = spec.partition(\":\")\n"
		"    sys.path.insert(0, os.getcwd())\n"
		"    return getattr(importlib.import_module(module), name or \"read_message\")\n\n\n"
		"def cuts_frames():\n"
		"    \"\"\"One write per frame.\"\"\"\n"
		"    out, start = [], 0\n"
		"    for off, end, cut, payload in FRAMES:\n"
		"        out.append(STREAM[start:end])\n"
		"        start = end\n"
		"    return out\n\n\n"
		"def cuts_split_header():\n"
		"    \"\"\"Each frame in two writes, cut inside its header (its delimiter).\"\"\"\n"
		"    out, start = [], 0\n"
		"    for off, end, cut, payload in FRAMES:\n"
		"        out += [STREAM[start:cut], STREAM[cut:end]]\n"
		"        start = end\n"
		"    return [c for c in out if c]\n\n\n"
		"def cuts_random(seed):\n"
		"    rng, out, pos = random.Random(seed), [], 0\n"
		"    while pos < len(STREAM):\n"
		"        n = rng.randint(1, 2 * max(1, len(STREAM) // max(1, len(FRAMES))))\n"
		"        out.append(STREAM[pos:pos + n])\n"
		"        pos += n\n"
		"    return out\n\n\n"
		"class ReceiveLoopTest(unittest.TestCase):\n"
		"    def feed(self, writes):\n"
		"        a, b = socket.socketpair()\n"
		"        b.settimeout(5)\n"
		"        read_message = user_read_message()\n\n"
		"        def writer():\n"
		"            try:\n"
		"                for w in writes:\n"
		"                    a.sendall(w)\n"
		"                    wait_drained(b)\n"
		"                a.shutdown(socket.SHUT_WR)\n"
		"            except (OSError, ValueError):  # the reader gave up and closed b\n"
		"                pass\n\n"
		"        t = threading.Thread(target=writer, daemon=True)\n"
		"        t.start()\n"
		"        try:\n"
		"            for i, (off, end, cut, want) in enumerate(FRAMES):\n"
		"                got = read_message(b)\n"
		"                self.assertEqual(got, want, \"frame %%d (stream byte %%d)\" %% (i, off))\n"
		"        finally:\n"
		"            b.close()\n"
		"            t.join(5)\n"
		"            a.close()\n\n"
		"    def test_as_captured(self):\n"
		"        self.feed(CHUNKS)\n\n"
		"    def test_one_frame_per_write(self):\n"
		"        self.feed(cuts_frames())\n\n"
		"    def test_all_in_one_write(self):\n"
		"        self.feed([STREAM])\n\n"
		"    def test_headers_split(self):\n"
		"        self.feed(cuts_split_header())\n\n"
		"    def test_random_cuts(self):\n"
		"        self.feed(cuts_random(%u))\n",
		EMIT_RANDOM_SEED);
	if (c->end - c->begin <= EMIT_DRIP_MAX)
		fputs("\n    def test_one_byte_per_write(self):\n"
		      "        self.feed([STREAM[i:i + 1] for i in range(len(STREAM))])\n", f);
	fputs("\n\nif __name__ == \"__main__\":\n    unittest.main()\n", f);
}

/* Go: from the run instructions to the opening of the chunks. */
static void go_opening(FILE *f, const struct fc_profile *p)
{
	(void)p;
	fputs("//\n"
	      "// Run: put it in a package directory as framecap_test.go, then go test.\n"
	      "// Replace readMessage with your decoder: it reads one message's payload.\n"
	      "package framecap_test\n\n"
	      "import (\n\t\"bytes\"\n\t\"encoding/hex\"\n\t\"errors\"\n\t\"io\"\n\t\"math/rand\"\n"
	      "\t\"testing\"\n\t\"testing/iotest\"\n)\n\n"
	      "// The captured segments, client to server, as they arrived.\n"
	      "var chunks = [][]byte{\n", f);
}

/* Go: after the frames, the reader and the tests. */
static void go_closing(FILE *f, const struct emit_out *e, const struct cover *c)
{
	(void)c;
	fputs("}\n\n"
	      "var errFraming = errors.New(\"framecap: a header this framing cannot read\")\n\n"
	      "func unhex(s string) []byte {\n"
	      "\tb, err := hex.DecodeString(s)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\treturn b\n}\n\n",
	      f);
	fputs("// The framing (framecap's profile).\n", f);
	put_template(f, GO_READER[e->prof.framing], &e->prof);
	fprintf(f,
		"\n// readMessage is the decoder under test.\n"
		"var readMessage = referenceReadMessage\n\n"
		"// chunkReader returns one write per Read, as a socket returns segments.\n"
		"type chunkReader struct{ writes [][]byte }\n\n"
		"func (c *chunkReader) Read(p []byte) (int, error) {\n"
		"\tfor len(c.writes) > 0 && len(c.writes[0]) == 0 {\n\t\tc.writes = c.writes[1:]\n\t}\n"
		"\tif len(c.writes) == 0 {\n\t\treturn 0, io.EOF\n\t}\n"
		"\tn := copy(p, c.writes[0])\n\tc.writes[0] = c.writes[0][n:]\n\treturn n, nil\n}\n\n"
		"func stream() []byte { return bytes.Join(chunks, nil) }\n\n"
		"func check(t *testing.T, r io.Reader) {\n"
		"\tt.Helper()\n"
		"\tfor i, f := range frames {\n"
		"\t\tgot, err := readMessage(r)\n"
		"\t\tif err != nil {\n\t\t\tt.Fatalf(\"frame %%d (stream byte %%d): %%v\", i, f.off, err)\n\t\t}\n"
		"\t\tif !bytes.Equal(got, f.payload) {\n"
		"\t\t\tt.Fatalf(\"frame %%d (stream byte %%d): got %%q, want %%q\", i, f.off, got, f.payload)\n"
		"\t\t}\n\t}\n}\n\n"
		"func TestAsCaptured(t *testing.T) { check(t, &chunkReader{append([][]byte(nil), chunks...)}) }\n\n"
		"func TestOneFramePerWrite(t *testing.T) {\n"
		"\ts, w, start := stream(), [][]byte{}, 0\n"
		"\tfor _, f := range frames {\n"
		"\t\tw = append(w, s[start:f.end])\n\t\tstart = f.end\n\t}\n"
		"\tcheck(t, &chunkReader{append(w, s[start:])})\n}\n\n"
		"func TestHeadersSplit(t *testing.T) {\n"
		"\ts, w, start := stream(), [][]byte{}, 0\n"
		"\tfor _, f := range frames {\n"
		"\t\tw = append(w, s[start:f.cut], s[f.cut:f.end])\n\t\tstart = f.end\n\t}\n"
		"\tcheck(t, &chunkReader{append(w, s[start:])})\n}\n\n"
		"func TestAllInOneRead(t *testing.T) { check(t, bytes.NewReader(stream())) }\n\n"
		"func TestOneByteReader(t *testing.T) { check(t, iotest.OneByteReader(bytes.NewReader(stream()))) }\n\n"
		"func TestHalfReader(t *testing.T) { check(t, iotest.HalfReader(bytes.NewReader(stream()))) }\n\n"
		"func TestDataErrReader(t *testing.T) { check(t, iotest.DataErrReader(bytes.NewReader(stream()))) }\n\n"
		"func TestRandomCuts(t *testing.T) {\n"
		"\ts, w, rng := stream(), [][]byte{}, rand.New(rand.NewSource(%u))\n"
		"\tspan := 2 * (len(s)/len(frames) + 1)\n"
		"\tfor pos := 0; pos < len(s); {\n\t\tn := 1 + rng.Intn(span)\n"
		"\t\tif pos+n > len(s) {\n\t\t\tn = len(s) - pos\n\t\t}\n"
		"\t\tw = append(w, s[pos:pos+n])\n\t\tpos += n\n\t}\n"
		"\tcheck(t, &chunkReader{w})\n}\n", EMIT_RANDOM_SEED);
}

/* Which Netty decoder the Java test builds for the profile. */
enum java_decoder { J_LENGTH_FIELD, J_DELIMITER, J_FIXED, J_VARINT32, J_OWN };

static enum java_decoder java_pick(const struct fc_profile *p)
{
	switch (p->framing) {
	case FC_FRAMING_LENGTH:
		return !p->length_mask && (p->length_size <= 4 || p->length_size == 8)
			       ? J_LENGTH_FIELD : J_OWN;
	case FC_FRAMING_DELIMITER: return J_DELIMITER;
	case FC_FRAMING_FIXED: return J_FIXED;
	case FC_FRAMING_VARINT:
		return !p->length_offset && !p->length_adjustment && p->varint_max_bytes <= 5
			       ? J_VARINT32 : J_OWN;
	case FC_FRAMING_BER: break;
	}
	return J_OWN;
}

/* Java: the test's own decoder, before the body of header(in). */
#define JAVA_OWN \
	"        return new FrameDecoder();\n    }\n\n" \
	"    static final long MAX_FRAME = $ML;\n" \
	"    static final long LENGTH_ADJUSTMENT = $AL;\n\n" \
	"    /** The rule framecap read the frames with ($N framing). */\n" \
	"    static final class FrameDecoder extends ByteToMessageDecoder {\n" \
	"        @Override\n" \
	"        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {\n" \
	"            long[] hp;\n" \
	"            while ((hp = header(in)) != null && in.readableBytes() >= hp[0] + hp[1]) {\n" \
	"                in.skipBytes((int) hp[0]);\n" \
	"                out.add(in.readRetainedSlice((int) hp[1]));\n" \
	"            }\n        }\n    }\n\n" \
	"    /** n, the payload bytes of a frame whose length reads length. */\n" \
	"    static long payload(long length, long n) {\n" \
	"        if (length < 0 || length > MAX_FRAME || n < 0)\n" \
	"            throw new CorruptedFrameException(\"bad length field \" + length);\n" \
	"        return n;\n    }\n\n" \
	"    /** {header bytes, payload bytes} of the frame at in's reader index; null\n" \
	"     * while its header is incomplete. */\n" \
	"    static long[] header(ByteBuf in) {\n" \
	"        int at = in.readerIndex(), n = in.readableBytes();\n"

/* The body of the Java test's frameDecoder() for each decoder it picks
 * (J_OWN: for each framing that needs it). */
static const char *const JAVA_DECODER[] = {
	[J_LENGTH_FIELD] =
	"        return new LengthFieldBasedFrameDecoder(ByteOrder.$J, $F, $O, $L,\n"
	"                $A, $H, true);\n    }\n",
	[J_DELIMITER] =
	"        return new DelimiterBasedFrameDecoder($m, true, Unpooled.wrappedBuffer(hex(\"$D\")));\n"
	"    }\n",
	[J_FIXED] = "        return new FixedLengthFrameDecoder($S);\n    }\n",
	[J_VARINT32] = "        return new ProtobufVarint32FrameDecoder();\n    }\n",
};
static const char *const JAVA_OWN_HEADER[] = {
	[FC_FRAMING_LENGTH] =
	JAVA_OWN
	"        final int size = $L;\n"
	"        final boolean big = $b, signed = $t;\n"
	"        if (n < $e)\n            return null;\n"
	"        long length = 0;\n"
	"        for (int i = 0; i < size; i++)\n"
	"            length = length << 8 | in.getUnsignedByte(at + $O + (big ? i : size - 1 - i));\n"
	"        length &= 0x$KL;\n"
	"        if (signed && size < 8 && (length >>> (8 * size - 1)) == 1)\n"
	"            length -= 1L << (8 * size);\n"
	"        return new long[] {$H, payload(length, $e + length + LENGTH_ADJUSTMENT - $H)};\n"
	"    }\n",
	[FC_FRAMING_VARINT] =
	JAVA_OWN
	"        long length = 0;\n"
	"        for (int i = 0; i < $V; i++) { // 7 bits a byte, the low group first\n"
	"            if (n <= $O + i)\n                return null;\n"
	"            int b = in.getUnsignedByte(at + $O + i);\n"
	"            length |= (long) (b & 0x7f) << (7 * i);\n"
	"            if ((b & 0x80) == 0)\n"
	"                return new long[] {$O + i + 1, payload(length, length + LENGTH_ADJUSTMENT)};\n"
	"        }\n"
	"        throw new CorruptedFrameException(\"varint longer than $V bytes\");\n"
	"    }\n",
	[FC_FRAMING_BER] =
	JAVA_OWN
	"        if (n < 2)\n            return null;\n"
	"        long length = in.getUnsignedByte(at + 1);\n"
	"        int k = 0;\n"
	"        if (length >= 0x80) { // the long form: 0x8N, then N bytes of length\n"
	"            k = (int) (length & 0x7f);\n"
	"            if (k == 0 || k > 8)\n"
	"                throw new CorruptedFrameException(\"BER length byte \" + length);\n"
	"            if (n < 2 + k)\n                return null;\n"
	"            length = 0;\n"
	"            for (int i = 0; i < k; i++)\n"
	"                length = length << 8 | in.getUnsignedByte(at + 2 + i);\n"
	"        }\n"
	"        return new long[] {2 + k, payload(length, length + LENGTH_ADJUSTMENT)};\n"
	"    }\n",
};

/* The Java test's frameDecoder(), and its own decoder when Netty has none
 * for the profile. */
static void java_decoder(FILE *f, const struct fc_profile *p)
{
	enum java_decoder j = java_pick(p);

	fputs("    /** framecap's profile as a Netty frame decoder. */\n"
	      "    static ChannelHandler frameDecoder() {\n", f);
	put_template(f, j == J_OWN ? JAVA_OWN_HEADER[p->framing] : JAVA_DECODER[j], p);
}

/* Java: from the run instructions to the opening of the chunks. */
static void java_opening(FILE *f, const struct fc_profile *p)
{
	enum java_decoder j = java_pick(p);

	fputs("//\n"
	      "// Run: as src/test/java/FramecapReplayTest.java with JUnit 5 and Netty\n"
	      "// (io.netty:netty-codec) on the test classpath; replace decoder() with your\n"
	      "// pipeline's frame decoder.\n"
	      "import static org.junit.jupiter.api.Assertions.assertArrayEquals;\n"
	      "import static org.junit.jupiter.api.Assertions.assertEquals;\n\n"
	      "import io.netty.buffer.ByteBuf;\n"
	      "import io.netty.buffer.Unpooled;\n"
	      "import io.netty.channel.ChannelHandler;\n", f);
	if (j == J_OWN)
		fputs("import io.netty.channel.ChannelHandlerContext;\n", f);
	fputs("import io.netty.channel.embedded.EmbeddedChannel;\n", f);
	fputs(j == J_OWN ? "import io.netty.handler.codec.ByteToMessageDecoder;\n"
			   "import io.netty.handler.codec.CorruptedFrameException;\n"
	      : j == J_DELIMITER ? "import io.netty.handler.codec.DelimiterBasedFrameDecoder;\n"
	      : j == J_FIXED ? "import io.netty.handler.codec.FixedLengthFrameDecoder;\n"
	      : j == J_VARINT32 ? "import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;\n"
			  : "import io.netty.handler.codec.LengthFieldBasedFrameDecoder;\n"
			    "import java.nio.ByteOrder;\n", f);
	fputs("import java.util.ArrayList;\n"
	      "import java.util.Arrays;\n"
	      "import java.util.List;\n"
	      "import java.util.Random;\n"
	      "import org.junit.jupiter.api.Test;\n\n"
	      "public class FramecapReplayTest {\n"
	      "    /** The captured segments, client to server, as they arrived. */\n"
	      "    static final byte[][] CHUNKS = {\n", f);
}

/* Java: after the frames, their ends and cuts, the decoder and the tests. */
static void java_closing(FILE *f, const struct emit_out *e, const struct cover *c)
{
	fputs("    };\n\n    /** Where each frame ends in the stream. */\n"
	      "    static final int[] FRAME_ENDS = {", f);
	for (size_t i = c->f0; i < c->f1; i++)
		fprintf(f, "%s%" PRIu64, i > c->f0 ? ", " : "",
			e->frames[i].off + e->frames[i].len - c->begin);
	fputs("};\n    /** Where the split-header test cuts each frame. */\n"
	      "    static final int[] CUTS = {", f);
	for (size_t i = c->f0; i < c->f1; i++)
		fprintf(f, "%s%" PRIu64, i > c->f0 ? ", " : "", frame_cut(&e->frames[i]) - c->begin);
	fputs("};\n\n"
	      "    /** The decoder under test. */\n"
	      "    static ChannelHandler decoder() {\n"
	      "        return frameDecoder();\n"
	      "    }\n\n", f);
	java_decoder(f, &e->prof);
	fprintf(f,
		"\n"
		"    static byte[] hex(String s) {\n"
		"        byte[] b = new byte[s.length() / 2];\n"
		"        for (int i = 0; i < b.length; i++)\n"
		"            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);\n"
		"        return b;\n    }\n\n"
		"    static byte[] stream() {\n"
		"        int n = 0;\n        for (byte[] c : CHUNKS) n += c.length;\n"
		"        byte[] s = new byte[n];\n        int at = 0;\n"
		"        for (byte[] c : CHUNKS) { System.arraycopy(c, 0, s, at, c.length); at += c.length; }\n"
		"        return s;\n    }\n\n"
		"    static void check(List<byte[]> writes) {\n"
		"        EmbeddedChannel ch = new EmbeddedChannel(decoder());\n"
		"        List<byte[]> got = new ArrayList<>();\n"
		"        for (byte[] w : writes) {\n"
		"            ch.writeInbound(Unpooled.wrappedBuffer(w));\n"
		"            for (ByteBuf b; (b = ch.readInbound()) != null; ) {\n"
		"                byte[] a = new byte[b.readableBytes()];\n"
		"                b.readBytes(a);\n                b.release();\n                got.add(a);\n"
		"            }\n        }\n"
		"        assertEquals(FRAMES.length, got.size(), \"frames decoded\");\n"
		"        for (int i = 0; i < FRAMES.length; i++)\n"
		"            assertArrayEquals(FRAMES[i], got.get(i), \"frame \" + i);\n"
		"        ch.finishAndReleaseAll();\n    }\n\n"
		"    static List<byte[]> cut(int[] at) {\n"
		"        byte[] s = stream();\n        List<byte[]> w = new ArrayList<>();\n"
		"        int start = 0;\n"
		"        for (int end : at) { if (end > start) { w.add(Arrays.copyOfRange(s, start, end)); start = end; } }\n"
		"        if (start < s.length) w.add(Arrays.copyOfRange(s, start, s.length));\n"
		"        return w;\n    }\n\n"
		"    @Test void asCaptured() { check(Arrays.asList(CHUNKS)); }\n\n"
		"    @Test void oneFramePerWrite() { check(cut(FRAME_ENDS)); }\n\n"
		"    @Test void allInOneWrite() { check(cut(new int[0])); }\n\n"
		"    @Test void headersSplit() {\n"
		"        int[] at = new int[2 * FRAME_ENDS.length];\n"
		"        for (int i = 0; i < FRAME_ENDS.length; i++) {\n"
		"            at[2 * i] = CUTS[i];\n"
		"            at[2 * i + 1] = FRAME_ENDS[i];\n"
		"        }\n        check(cut(at));\n    }\n\n"
		"    @Test void oneBytePerWrite() {\n"
		"        int[] at = new int[stream().length];\n"
		"        for (int i = 0; i < at.length; i++) at[i] = i + 1;\n"
		"        check(cut(at));\n    }\n\n"
		"    @Test void randomCuts() {\n"
		"        Random rng = new Random(%u);\n        int n = stream().length;\n"
		"        List<Integer> at = new ArrayList<>();\n"
		"        for (int pos = 0; pos < n; ) { pos += 1 + rng.nextInt(2 * (n / Math.max(1, FRAMES.length) + 1)); at.add(Math.min(pos, n)); }\n"
		"        check(cut(at.stream().mapToInt(Integer::intValue).toArray()));\n    }\n}\n",
		EMIT_RANDOM_SEED);
}

/* A language of the generated tests: its file is the comment head, the
 * opening, the chunks, `between`, the frames and the closing. */
struct lang {
	const char *name, *comment;
	const struct syntax *sx;
	void (*opening)(FILE *f, const struct fc_profile *p);
	const char *between; /* closes the chunks' list, opens the frames' */
	void (*closing)(FILE *f, const struct emit_out *e, const struct cover *c);
};

static const struct lang LANGS[] = {
	{ "python", "#", &PY, py_opening,
	  "]\n\n# The frames framecap decoded: (offset in the stream, end, where the\n"
	  "# split-header test cuts it, payload).\nFRAMES = [\n", py_closing },
	{ "go", "//", &GO, go_opening,
	  "}\n\n// The frames framecap decoded: offset in the stream, end, where the\n"
	  "// split-header test cuts it, payload.\nvar frames = []struct {\n"
	  "\toff, end, cut int\n\tpayload       []byte\n}{\n", go_closing },
	{ "java", "//", &JAVA, java_opening,
	  "    };\n\n    /** The frames framecap decoded: payloads. */\n"
	  "    static final byte[][] FRAMES = {\n", java_closing },
};

static void emit_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct emit_out *e = (struct emit_out *)o;
	const struct lang *l = LANGS;
	struct cover c;
	uint32_t nsteps;

	(void)st;
	(void)live;
	if (e->oom)
		cli_die(EXIT_INPUT, "--emit-test: out of memory");
	if (!e->chosen)
		cli_die(EXIT_INPUT, "--emit-test: no connection with client data in the capture "
				    "(or none the filter kept)");
	/* The generated readers speak every framing, but not a prelude: the
	 * client's first bytes would need a reader of their own. */
	fc_prelude_steps(&e->prof, FC_DIR_C2S, &nsteps);
	if (nsteps && e->start_seen)
		cli_die(EXIT_INPUT, "--emit-test: stream %" PRIu64 " starts with a prelude from "
				    "the client (profile %s): the generated tests do not read "
				    "preludes; pick a profile without one, or a connection whose "
				    "start was not captured", e->id, e->prof.name);
	if (e->too_big)
		cli_die(EXIT_INPUT, "--emit-test: stream %" PRIu64 " holds more than %u bytes from "
				    "the client: too much for a generated test; pick a smaller "
				    "connection with a filter", e->id, EMIT_MAX_BYTES);
	extent(e, &c);
	if (c.f1 == c.f0)
		cli_die(EXIT_INPUT, "--emit-test: stream %" PRIu64 " (%s -> %s): no whole frame "
				    "decoded from the client%s%s", e->id, e->client, e->server,
			e->stop_at != UINT64_MAX ? _(" before ") : "",
			e->stop_at != UINT64_MAX ? _(e->stop_why) : "");
	while (strcmp(l->name, e->lang) && l + 1 < LANGS + sizeof(LANGS) / sizeof(LANGS[0]))
		l++;
	head(e->o.out, e, l->comment, c.begin, c.end, c.f1 - c.f0);
	l->opening(e->o.out, &e->prof);
	chunks(e, c.begin, c.end, e->o.out, l->sx);
	fputs(l->between, e->o.out);
	frames(e, c.begin, c.f0, c.f1, e->o.out, l->sx);
	l->closing(e->o.out, e, &c);
}

static void emit_destroy(struct fc_output *o)
{
	struct emit_out *e = (struct emit_out *)o;

	free(e->buf);
	free(e->segs);
	free(e->frames);
	free(e);
}

struct fc_output *fc_output_emit(const struct fc_output_opts *opts, const char *lang)
{
	struct emit_out *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->o = *opts;
	e->lang = lang;
	e->stop_at = UINT64_MAX;
	e->base.sink.ctx = e;
	e->base.sink.data = emit_data;
	e->base.sink.report = emit_report;
	e->base.summary = emit_summary;
	e->base.destroy = emit_destroy;
	return &e->base;
}
