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
 *   java    JUnit 5; Netty's EmbeddedChannel with the matching
 *           LengthFieldBasedFrameDecoder
 *
 * Pick the connection with a BPF expression. The bytes kept are bounded
 * (EMIT_MAX_BYTES); a gap or a framing error ends the test at the last
 * whole frame before it, said in the file. The output is the same for
 * the same capture and options: no time, no random seed from the clock.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "output.h"

#define EMIT_MAX_BYTES (1u << 20)
#define EMIT_DRIP_MAX (16u << 10) /* one-byte writes only below this */
#define EMIT_RANDOM_SEED 20250101u

struct span {
	uint64_t off, len;
	uint32_t hdr; /* frames: header bytes */
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

/* One more element in *p; false when out of memory. */
static bool more(void **p, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? *cap * 2 : 16;
	void *q;

	if (n < *cap)
		return true;
	q = realloc(*p, c * sz);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

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
		stop(e, e->len, "bytes never captured");
		return;
	}
	if (e->len + n > EMIT_MAX_BYTES) {
		e->too_big = true;
		stop(e, e->len, "the size limit of a generated test");
		return;
	}
	if (e->len + n > e->cap) {
		size_t c = e->cap ? e->cap : 4096;
		uint8_t *q;

		while (c < e->len + n)
			c *= 2;
		if (!(q = realloc(e->buf, c))) {
			e->oom = true;
			return;
		}
		e->buf = q;
		e->cap = c;
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
	/* Only what covers bytes kept (emit_data came first). */
	if (r->seg && r->seg->len && r->seg->offset + r->seg->len <= e->len) {
		if (!more((void **)&e->segs, e->nsegs, &e->segs_cap, sizeof(*e->segs))) {
			e->oom = true;
			return;
		}
		e->segs[e->nsegs++] = (struct span){ .off = r->seg->offset, .len = r->seg->len };
	}
	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_event *ev = &r->events[i];

		if (ev->type == FC_EV_FRAME && !ev->frame.payload_missing &&
		    ev->frame.offset + ev->frame.header_len + ev->frame.payload_len <= e->len) {
			if (!more((void **)&e->frames, e->nframes, &e->frames_cap,
				  sizeof(*e->frames))) {
				e->oom = true;
				return;
			}
			e->frames[e->nframes++] = (struct span){
				.off = ev->frame.offset, .hdr = ev->frame.header_len,
				.len = ev->frame.header_len + ev->frame.payload_len };
		} else if (ev->type == FC_EV_ANOMALY) {
			switch (ev->anomaly.kind) {
			case FC_AN_GAP: stop(e, ev->anomaly.offset, "bytes never captured"); break;
			case FC_AN_OVERSIZE: case FC_AN_NEGATIVE: case FC_AN_RESYNC:
				stop(e, ev->anomaly.offset, fc_anomaly_name(ev->anomaly.kind));
				break;
			default: break;
			}
		}
	}
}

/* The bytes the test covers, [*begin, *end), and its frames
 * (e->frames[*f0, *f1)): whole frames before any problem. */
static void extent(const struct emit_out *e, uint64_t *begin, uint64_t *end, size_t *f0,
		   size_t *f1)
{
	*begin = e->start_seen || !e->nframes ? 0 : e->frames[0].off;
	*end = *begin;
	*f0 = *f1 = 0;
	for (size_t i = 0; i < e->nframes; i++) {
		const struct span *f = &e->frames[i];

		if (f->off < *begin || f->off + f->len > e->stop_at || f->off + f->len > e->len)
			continue;
		if (*f1 == 0)
			*f0 = i;
		*f1 = i + 1;
		*end = f->off + f->len;
	}
	if (*f1 == 0)
		*f0 = 0;
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

/* The chunks: the captured segments, clipped to [begin, end). Calls
 * each(f, from, len, i) per chunk. */
static size_t chunks(const struct emit_out *e, uint64_t begin, uint64_t end, FILE *f,
		     void (*each)(FILE *f, const uint8_t *p, uint64_t n, size_t i))
{
	size_t k = 0;

	for (size_t i = 0; i < e->nsegs; i++) {
		uint64_t a = e->segs[i].off, b = a + e->segs[i].len;

		if (a < begin)
			a = begin;
		if (b > end)
			b = end;
		if (a < b)
			each(f, e->buf + a, b - a, k++);
	}
	return k;
}

static void py_item(FILE *f, const uint8_t *p, uint64_t n, size_t i)
{
	(void)i;
	fputs("    bytes.fromhex(\"", f);
	hex(f, p, n);
	fputs("\"),\n", f);
}

static void go_item(FILE *f, const uint8_t *p, uint64_t n, size_t i)
{
	(void)i;
	fputs("\tunhex(\"", f);
	hex(f, p, n);
	fputs("\"),\n", f);
}

static void java_item(FILE *f, const uint8_t *p, uint64_t n, size_t i)
{
	(void)i;
	fputs("        hex(\"", f);
	hex(f, p, n);
	fputs("\"),\n", f);
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

static void emit_python(FILE *f, const struct emit_out *e, uint64_t begin, uint64_t end,
			size_t f0, size_t f1)
{
	const struct fc_profile *p = &e->prof;

	head(f, e, "#", begin, end, f1 - f0);
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
	      "import unittest\n\n", f);
	fputs("# The captured segments, client to server, as they arrived.\nCHUNKS = [\n", f);
	chunks(e, begin, end, f, py_item);
	fputs("]\n\n# The frames framecap decoded: (offset in the stream, header bytes, "
	      "payload).\nFRAMES = [\n", f);
	for (size_t i = f0; i < f1; i++) {
		const struct span *s = &e->frames[i];
		fprintf(f, "    (%" PRIu64 ", %u, bytes.fromhex(\"", s->off - begin, s->hdr);
		hex(f, e->buf + s->off + s->hdr, s->len - s->hdr);
		fputs("\")),\n", f);
	}
	fprintf(f, "]\n\n"
		   "# The framing (framecap's profile).\n"
		   "HEADER_SIZE = %u\nLENGTH_OFFSET = %u\nLENGTH_SIZE = %u\n"
		   "BYTE_ORDER = \"%s\"\nSIGNED = %s\nLENGTH_ADJUSTMENT = %" PRId64 "\n"
		   "MAX_FRAME = %" PRIu64 "\n\n",
		p->header_size, p->length_offset, p->length_size,
		p->byte_order == FC_BIG_ENDIAN ? "big" : "little", p->is_signed ? "True" : "False",
		p->length_adjustment, p->max_frame);
	fprintf(f,
		"STREAM = b\"\".join(CHUNKS)\n"
		"WRITE_PAUSE = 0.005  # seconds between writes, so that each arrives alone\n\n\n"
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
		"def reference_read_message(sock):\n"
		"    \"\"\"One message, read the way framecap decodes them.\"\"\"\n"
		"    header = read_exactly(sock, HEADER_SIZE)\n"
		"    if header is None:\n"
		"        return None\n"
		"    field = header[LENGTH_OFFSET:LENGTH_OFFSET + LENGTH_SIZE]\n"
		"    length = int.from_bytes(field, BYTE_ORDER, signed=SIGNED)\n"
		"    if length < 0 or length > MAX_FRAME:\n"
		"        raise ValueError(\"bad length field %%d\" %% length)\n"
		"    n = LENGTH_OFFSET + LENGTH_SIZE + length + LENGTH_ADJUSTMENT - HEADER_SIZE\n"
		"    if n < 0:\n"
		"        raise ValueError(\"frame shorter than its header\")\n"
		"    return read_exactly(sock, n) if n else b\"\"\n\n\n"
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
		"    for off, hdr, payload in FRAMES:\n"
		"        out.append(STREAM[start:off + hdr + len(payload)])\n"
		"        start = off + hdr + len(payload)\n"
		"    return out\n\n\n"
		"def cuts_split_header():\n"
		"    \"\"\"Each frame in two writes, the first holding half of its header.\"\"\"\n"
		"    out, start = [], 0\n"
		"    for off, hdr, payload in FRAMES:\n"
		"        half = off + max(1, hdr // 2)\n"
		"        out += [STREAM[start:half], STREAM[half:off + hdr + len(payload)]]\n"
		"        start = off + hdr + len(payload)\n"
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
		"                    time.sleep(WRITE_PAUSE)\n"
		"                a.shutdown(socket.SHUT_WR)\n"
		"            except OSError:\n"
		"                pass\n\n"
		"        t = threading.Thread(target=writer, daemon=True)\n"
		"        t.start()\n"
		"        try:\n"
		"            for i, (off, hdr, want) in enumerate(FRAMES):\n"
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
	if (end - begin <= EMIT_DRIP_MAX)
		fputs("\n    def test_one_byte_per_write(self):\n"
		      "        self.feed([STREAM[i:i + 1] for i in range(len(STREAM))])\n", f);
	fputs("\n\nif __name__ == \"__main__\":\n    unittest.main()\n", f);
}

static void emit_go(FILE *f, const struct emit_out *e, uint64_t begin, uint64_t end,
		    size_t f0, size_t f1)
{
	const struct fc_profile *p = &e->prof;

	head(f, e, "//", begin, end, f1 - f0);
	fputs("//\n"
	      "// Run: put it in a package directory as framecap_test.go, then go test.\n"
	      "// Replace readMessage with your decoder: it reads one message's payload.\n"
	      "package framecap_test\n\n"
	      "import (\n\t\"bytes\"\n\t\"encoding/hex\"\n\t\"io\"\n\t\"math/rand\"\n"
	      "\t\"testing\"\n\t\"testing/iotest\"\n)\n\n"
	      "// The captured segments, client to server, as they arrived.\n"
	      "var chunks = [][]byte{\n", f);
	chunks(e, begin, end, f, go_item);
	fputs("}\n\n// The frames framecap decoded.\nvar frames = []struct {\n"
	      "\toff, hdr int\n\tpayload  []byte\n}{\n", f);
	for (size_t i = f0; i < f1; i++) {
		const struct span *s = &e->frames[i];
		fprintf(f, "\t{%" PRIu64 ", %u, unhex(\"", s->off - begin, s->hdr);
		hex(f, e->buf + s->off + s->hdr, s->len - s->hdr);
		fputs("\")},\n", f);
	}
	fprintf(f, "}\n\n"
		   "const (\n\theaderSize       = %u\n\tlengthOffset     = %u\n"
		   "\tlengthSize       = %u\n\tbigEndian        = %s\n\tsigned           = %s\n"
		   "\tlengthAdjustment = %" PRId64 "\n\tmaxFrame         = %" PRIu64 "\n)\n\n",
		p->header_size, p->length_offset, p->length_size,
		p->byte_order == FC_BIG_ENDIAN ? "true" : "false", p->is_signed ? "true" : "false",
		p->length_adjustment, p->max_frame);
	fprintf(f,
		"func unhex(s string) []byte {\n"
		"\tb, err := hex.DecodeString(s)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\treturn b\n}\n\n"
		"// readMessage reads one message the way framecap decodes them.\n"
		"var readMessage = func(r io.Reader) ([]byte, error) {\n"
		"\thdr := make([]byte, headerSize)\n"
		"\tif _, err := io.ReadFull(r, hdr); err != nil {\n\t\treturn nil, err\n\t}\n"
		"\tvar v uint64\n"
		"\tfor i := 0; i < lengthSize; i++ {\n"
		"\t\tb := hdr[lengthOffset+i]\n"
		"\t\tif !bigEndian {\n\t\t\tb = hdr[lengthOffset+lengthSize-1-i]\n\t\t}\n"
		"\t\tv = v<<8 | uint64(b)\n\t}\n"
		"\tlength := int64(v)\n"
		"\tif signed && lengthSize < 8 && v>>(8*lengthSize-1) == 1 {\n"
		"\t\tlength = int64(v) - int64(1)<<(8*lengthSize)\n\t}\n"
		"\tif length < 0 || uint64(length) > maxFrame {\n"
		"\t\treturn nil, io.ErrUnexpectedEOF\n\t}\n"
		"\tn := int64(lengthOffset+lengthSize) + length + lengthAdjustment - headerSize\n"
		"\tif n < 0 {\n\t\treturn nil, io.ErrUnexpectedEOF\n\t}\n"
		"\tp := make([]byte, n)\n"
		"\t_, err := io.ReadFull(r, p)\n\treturn p, err\n}\n\n"
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
		"\tfor _, f := range frames {\n\t\tend := f.off + f.hdr + len(f.payload)\n"
		"\t\tw = append(w, s[start:end])\n\t\tstart = end\n\t}\n"
		"\tcheck(t, &chunkReader{append(w, s[start:])})\n}\n\n"
		"func TestHeadersSplit(t *testing.T) {\n"
		"\ts, w, start := stream(), [][]byte{}, 0\n"
		"\tfor _, f := range frames {\n\t\thalf, end := f.off+(f.hdr+1)/2, f.off+f.hdr+len(f.payload)\n"
		"\t\tif f.hdr > 1 {\n\t\t\thalf = f.off + f.hdr/2\n\t\t}\n"
		"\t\tw = append(w, s[start:half], s[half:end])\n\t\tstart = end\n\t}\n"
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

static void emit_java(FILE *f, const struct emit_out *e, uint64_t begin, uint64_t end,
		      size_t f0, size_t f1)
{
	const struct fc_profile *p = &e->prof;
	uint64_t max = p->max_frame + p->header_size;

	if (max > 2147483647u)
		max = 2147483647u;
	head(f, e, "//", begin, end, f1 - f0);
	fputs("//\n"
	      "// Run: as src/test/java/FramecapReplayTest.java with JUnit 5 and Netty\n"
	      "// (io.netty:netty-codec) on the test classpath; replace decoder() with your\n"
	      "// pipeline's frame decoder.\n"
	      "import static org.junit.jupiter.api.Assertions.assertArrayEquals;\n"
	      "import static org.junit.jupiter.api.Assertions.assertEquals;\n\n"
	      "import io.netty.buffer.ByteBuf;\n"
	      "import io.netty.buffer.Unpooled;\n"
	      "import io.netty.channel.ChannelHandler;\n"
	      "import io.netty.channel.embedded.EmbeddedChannel;\n"
	      "import io.netty.handler.codec.LengthFieldBasedFrameDecoder;\n"
	      "import java.nio.ByteOrder;\n"
	      "import java.util.ArrayList;\n"
	      "import java.util.Arrays;\n"
	      "import java.util.List;\n"
	      "import java.util.Random;\n"
	      "import org.junit.jupiter.api.Test;\n\n"
	      "public class FramecapReplayTest {\n"
	      "    /** The captured segments, client to server, as they arrived. */\n"
	      "    static final byte[][] CHUNKS = {\n", f);
	chunks(e, begin, end, f, java_item);
	fputs("    };\n\n    /** The frames framecap decoded: payloads. */\n"
	      "    static final byte[][] FRAMES = {\n", f);
	for (size_t i = f0; i < f1; i++) {
		const struct span *s = &e->frames[i];
		fputs("        hex(\"", f);
		hex(f, e->buf + s->off + s->hdr, s->len - s->hdr);
		fputs("\"),\n", f);
	}
	fputs("    };\n\n    /** Where each frame ends in the stream. */\n"
	      "    static final int[] FRAME_ENDS = {", f);
	for (size_t i = f0; i < f1; i++)
		fprintf(f, "%s%" PRIu64, i > f0 ? ", " : "", e->frames[i].off + e->frames[i].len - begin);
	fputs("};\n    static final int[] HEADER_SIZES = {", f);
	for (size_t i = f0; i < f1; i++)
		fprintf(f, "%s%u", i > f0 ? ", " : "", e->frames[i].hdr);
	fprintf(f, "};\n\n"
		   "    /** The decoder under test: framecap's profile as Netty's decoder. */\n"
		   "    static ChannelHandler decoder() {\n"
		   "        return new LengthFieldBasedFrameDecoder(ByteOrder.%s, %" PRIu64 ", %u, %u,\n"
		   "                %" PRId64 ", %u, true);\n    }\n\n",
		p->byte_order == FC_BIG_ENDIAN ? "BIG_ENDIAN" : "LITTLE_ENDIAN", max,
		p->length_offset, p->length_size, p->length_adjustment, p->header_size);
	fprintf(f,
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
		"        int start = 0;\n"
		"        for (int i = 0; i < FRAME_ENDS.length; i++) {\n"
		"            at[2 * i] = start + Math.max(1, HEADER_SIZES[i] / 2);\n"
		"            at[2 * i + 1] = FRAME_ENDS[i];\n            start = FRAME_ENDS[i];\n"
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

static void emit_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct emit_out *e = (struct emit_out *)o;
	uint64_t begin, end;
	size_t f0, f1;

	(void)st;
	(void)live;
	if (e->oom)
		cli_die(EXIT_INPUT, "--emit-test: out of memory");
	if (!e->chosen)
		cli_die(EXIT_INPUT, "--emit-test: no connection with client data in the capture "
				    "(or none the filter kept)");
	/* The generated readers (and Netty's LengthFieldBasedFrameDecoder)
	 * read one length field; the other framings are not written yet. */
	if (e->prof.framing != FC_FRAMING_LENGTH || e->prof.prelude)
		cli_die(EXIT_INPUT, "--emit-test: stream %" PRIu64 " uses %s framing%s: the "
				    "generated tests read length-field framings only", e->id,
			fc_framing_name(e->prof.framing), e->prof.prelude ? " with a prelude" : "");
	if (e->too_big)
		cli_die(EXIT_INPUT, "--emit-test: stream %" PRIu64 " holds more than %u bytes from "
				    "the client: too much for a generated test; pick a smaller "
				    "connection with a filter", e->id, EMIT_MAX_BYTES);
	extent(e, &begin, &end, &f0, &f1);
	if (f1 == f0)
		cli_die(EXIT_INPUT, "--emit-test: stream %" PRIu64 " (%s -> %s): no whole frame "
				    "decoded from the client%s%s", e->id, e->client, e->server,
			e->stop_at != UINT64_MAX ? " before " : "",
			e->stop_at != UINT64_MAX ? e->stop_why : "");
	if (!strcmp(e->lang, "python"))
		emit_python(e->o.out, e, begin, end, f0, f1);
	else if (!strcmp(e->lang, "go"))
		emit_go(e->o.out, e, begin, end, f0, f1);
	else
		emit_java(e->o.out, e, begin, end, f0, f1);
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
