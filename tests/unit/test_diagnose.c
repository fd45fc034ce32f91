/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_diagnose.c - the named causes of a failed length field, varint or
 * BER length, of short fixed records, of a message cut by its own
 * delimiter, and the decoder's zero_run and unframed reports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fc_decoder.h"
#include "fc_describe.h"
#include "fc_diagnose.h"

/* The finding of `d` in words. */
static const char *finding(const struct fc_anomaly *d)
{
	static char line[FC_DESCRIBE_MAX];

	fc_anomaly_describe(d, line, sizeof(line));
	return line;
}

static void test_ascii_length(void **state)
{
	struct fc_profile p;
	struct fc_anomaly d;

	(void)state;
	fc_profile_default(&p);
	assert_true(fc_diagnose_length(&p, (const uint8_t *)"12kinght", 8, &d));
	assert_int_equal(d.kind, FC_AN_ASCII_LENGTH_SUSPECT);
	assert_string_equal(d.u.ascii.text, "12ki");
	assert_int_equal(d.u.ascii.value, 12);
	assert_non_null(strstr(finding(&d), "\"12ki\""));
	assert_non_null(strstr(finding(&d), "(12?)"));
	/* all four digits */
	assert_true(fc_diagnose_length(&p, (const uint8_t *)"1024abcd", 8, &d));
	assert_non_null(strstr(finding(&d), "(1024?)"));
	/* a leading zero is not how str(len) starts */
	assert_false(fc_diagnose_length(&p, (const uint8_t *)"0999", 4, &d) &&
		     d.kind == FC_AN_ASCII_LENGTH_SUSPECT);
}

static void test_endian(void **state)
{
	static const uint8_t be12[] = { 0, 0, 0, 12 };
	static const uint8_t le_big[] = { 0x0c, 0, 0, 0x0c };
	struct fc_profile p;
	struct fc_anomaly d;

	(void)state;
	fc_profile_default(&p); /* little-endian: 00 00 00 0c is 201326592 */
	assert_true(fc_diagnose_length(&p, be12, 4, &d));
	assert_int_equal(d.kind, FC_AN_ENDIAN_SUSPECT);
	assert_int_equal(d.u.endian.order, FC_BIG_ENDIAN);
	assert_int_equal(d.u.endian.length, 12);
	assert_non_null(strstr(finding(&d), "as big-endian the length would be 12"));
	assert_non_null(strstr(finding(&d), "--byte-order big"));
	/* big-endian profile, little-endian sender */
	p.byte_order = FC_BIG_ENDIAN;
	assert_true(fc_diagnose_length(&p, (const uint8_t[]){ 12, 0, 0, 0 }, 4, &d));
	assert_non_null(strstr(finding(&d), "as little-endian the length would be 12"));
	/* implausible both ways: no guess */
	p.byte_order = FC_LITTLE_ENDIAN;
	assert_false(fc_diagnose_length(&p, le_big, 4, &d));
	/* 1-byte lengths have no byte order */
	p.length_size = 1;
	p.header_size = 1;
	p.max_frame = 10;
	assert_false(fc_diagnose_length(&p, (const uint8_t[]){ 200 }, 1, &d));
}

/* A varint frame (MQTT-like: one type byte first) of `n` payload bytes
 * with its varint written high group first; returns its size. */
static size_t varint_be_frame(uint8_t *out, size_t n)
{
	out[0] = 0x30;
	out[1] = (uint8_t)(0x80 | (n >> 7));
	out[2] = (uint8_t)(n & 0x7f);
	memset(out + 3, 'a', n);
	return n + 3;
}

static void test_misread_varint(void **state)
{
	struct fc_profile p;
	struct fc_anomaly d;
	uint8_t buf[2 * 203];
	size_t n;

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_VARINT;
	p.length_offset = 1;
	p.varint_max_bytes = 4;
	n = varint_be_frame(buf, 200); /* 30 81 48: 9217 low group first */
	assert_true(fc_diagnose_misread(&p, buf, 3, n, buf, n, &d));
	assert_int_equal(d.kind, FC_AN_VARINT_ENDIAN_SUSPECT);
	assert_int_equal(d.u.misread.length, 200);
	assert_int_equal(d.u.misread.as_read, 9217);
	d.frame = 0;
	assert_non_null(strstr(finding(&d), "frame #0's varint is 200 (not 9217)"));
	/* followed by a frame read the same way */
	varint_be_frame(buf + n, 200);
	assert_true(fc_diagnose_misread(&p, buf, 3, 2 * n, buf, 2 * n, &d));
	/* the frame does not end in the bytes at hand: nothing proven */
	assert_false(fc_diagnose_misread(&p, buf, 3, n - 1, buf, n - 1, &d));
	/* followed by bytes that are no frame that way (an overlong varint) */
	memset(buf + n, 0xff, 8);
	assert_false(fc_diagnose_misread(&p, buf, 3, n + 8, buf, n + 8, &d));
	/* written right (c8 01): read high group first it runs past the bytes */
	buf[1] = 0xc8;
	buf[2] = 0x01;
	assert_false(fc_diagnose_misread(&p, buf, 3, n, buf, n, &d));
	/* one group reads the same both ways */
	buf[1] = 5;
	assert_false(fc_diagnose_misread(&p, buf, 2, 7, buf, 7, &d));
	/* not for the other framings */
	p.framing = FC_FRAMING_LENGTH;
	assert_false(fc_diagnose_misread(&p, buf, 4, n, buf, n, &d));
}

static void test_misread_ber(void **state)
{
	struct fc_profile p;
	struct fc_anomaly d;
	uint8_t buf[2 + 141 + 2 + 130];

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_BER;
	memset(buf, 'x', sizeof(buf));
	buf[0] = 0x30; /* 141 in one byte: the long form of 13 bytes */
	buf[1] = 0x8d;
	assert_true(fc_diagnose_misread(&p, buf, 2, 143, buf, 143, &d));
	assert_int_equal(d.kind, FC_AN_BER_ONE_BYTE_SUSPECT);
	assert_int_equal(d.u.misread.length, 141);
	assert_int_equal(d.u.misread.length_byte, 0x8d);
	d.frame = 3;
	assert_non_null(strstr(finding(&d), "frame #3's BER length byte 0x8d read as the length "
					    "itself is 141"));
	assert_non_null(strstr(finding(&d), "(0x81 0x8d)"));
	/* the next frame repeats the tag: still holds */
	buf[143] = 0x30;
	buf[144] = 0x82;
	assert_true(fc_diagnose_misread(&p, buf, 2, sizeof(buf), buf, sizeof(buf), &d));
	/* another tag next: two bytes of anything read as a header */
	buf[143] = 0x04;
	assert_false(fc_diagnose_misread(&p, buf, 2, sizeof(buf), buf, sizeof(buf), &d));
	/* a primitive tag is no top-level PDU */
	buf[0] = 0x04;
	assert_false(fc_diagnose_misread(&p, buf, 2, 143, buf, 143, &d));
	/* short form: nothing to misread */
	buf[0] = 0x30;
	buf[1] = 0x7f;
	assert_false(fc_diagnose_misread(&p, buf, 2, 129, buf, 129, &d));
}

struct counts {
	unsigned kinds[FC_AN__COUNT];
	uint64_t frames;
	struct fc_anomaly joined; /* the last delimiter_in_payload_suspect */
};

static void on_report(void *ctx, const struct fc_report *r)
{
	struct counts *c = ctx;

	for (uint32_t i = 0; i < r->nevents; i++) {
		if (r->events[i].type == FC_EV_FRAME)
			c->frames++;
		else
			c->kinds[r->events[i].anomaly.kind]++;
		if (r->events[i].type == FC_EV_ANOMALY &&
		    r->events[i].anomaly.kind == FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT)
			c->joined = r->events[i].anomaly;
	}
}

static const struct fc_decoder_ops ops = { .report = on_report };

static void zeros(int n, struct counts *c)
{
	struct fc_profile p;
	struct fc_decoder d;
	struct fc_decoder_scratch seg = { 0 };
	struct fc_pkt pkt = { 1, 0 };
	uint8_t buf[4 * 32] = { 0 };

	fc_profile_default(&p);
	memset(c, 0, sizeof(*c));
	fc_decoder_init(&d, &p, 64, false, &seg, &ops, c);
	fc_decoder_data(&d, 0, buf, (uint32_t)(4 * n), &pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&seg);
}

/* Decode `n` bytes of `p` in segments of `seg` bytes, then a FIN. */
static void decode_in(const struct fc_profile *p, const uint8_t *buf, size_t n, size_t seg,
		      struct counts *c)
{
	struct fc_decoder d;
	struct fc_decoder_scratch sc = { 0 };
	struct fc_pkt pkt = { 1, 0 };

	memset(c, 0, sizeof(*c));
	fc_decoder_init(&d, p, 64, false, &sc, &ops, c);
	for (size_t at = 0; at < n; at += seg, pkt.num++)
		fc_decoder_data(&d, at, buf + at, (uint32_t)(n - at < seg ? n - at : seg), &pkt,
				true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&sc);
}

/* The decoder names the bug where the frame fails: at its end (the
 * varint's 9217 is within max_frame) or at once (above it), once per
 * direction, and only where a write ended with the misread frame. */
static void test_misread_decoder(void **state)
{
	struct fc_profile p;
	struct counts c;
	uint8_t buf[3 * 203];
	size_t n = 0;

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_VARINT;
	p.length_offset = 1;
	p.varint_max_bytes = 4;
	for (int i = 0; i < 3; i++)
		n += varint_be_frame(buf + n, 200);
	decode_in(&p, buf, n, 203, &c);
	assert_int_equal(c.frames, 0);
	assert_int_equal(c.kinds[FC_AN_TRUNCATED], 1);
	assert_int_equal(c.kinds[FC_AN_VARINT_ENDIAN_SUSPECT], 1);
	/* segments that do not end with the frames prove nothing */
	decode_in(&p, buf, n, 100, &c);
	assert_int_equal(c.kinds[FC_AN_TRUNCATED], 1);
	assert_int_equal(c.kinds[FC_AN_VARINT_ENDIAN_SUSPECT], 0);
	/* above max_frame: oversize, and the cause right after it */
	p.max_frame = 1000;
	decode_in(&p, buf, n, 203, &c);
	assert_int_equal(c.kinds[FC_AN_OVERSIZE], 1);
	assert_int_equal(c.kinds[FC_AN_VARINT_ENDIAN_SUSPECT], 1);
	/* written right: three frames, no finding */
	for (size_t at = 0; at < n; at += 203) {
		buf[at + 1] = 0xc8;
		buf[at + 2] = 0x01;
	}
	decode_in(&p, buf, n, 203, &c);
	assert_int_equal(c.frames, 3);
	assert_int_equal(c.kinds[FC_AN_VARINT_ENDIAN_SUSPECT], 0);

	/* BER: the length 141 in one byte, each frame one write */
	fc_profile_default(&p);
	p.framing = FC_FRAMING_BER;
	memset(buf, 'x', sizeof(buf));
	for (size_t at = 0; at < 3 * 143; at += 143) {
		buf[at] = 0x30;
		buf[at + 1] = 0x8d;
	}
	decode_in(&p, buf, 3 * 143, 143, &c);
	assert_int_equal(c.kinds[FC_AN_BER_LENGTH], 3); /* every frame's, named once */
	assert_int_equal(c.kinds[FC_AN_BER_ONE_BYTE_SUSPECT], 1);
}

/* Fixed records sent as long as their content: writes that end inside
 * records, never on a boundary but by chance once, none longer. */
static void test_unpadded(void **state)
{
	struct fc_profile p;
	struct counts c;
	uint8_t buf[64];

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_FIXED;
	p.frame_size = 16;
	memset(buf, 'a', sizeof(buf));
	decode_in(&p, buf, 16, 3, &c); /* writes of 3, ... and 1: ends 3 6 9 12 15 16 */
	assert_int_equal(c.kinds[FC_AN_UNPADDED_SUSPECT], 1);
	decode_in(&p, buf, 15, 5, &c); /* 5 10 15: truncated, never aligned */
	assert_int_equal(c.kinds[FC_AN_TRUNCATED], 1);
	assert_int_equal(c.kinds[FC_AN_UNPADDED_SUSPECT], 1);
	/* whole records a write, or a record in two writes: none */
	decode_in(&p, buf, 64, 16, &c);
	assert_int_equal(c.kinds[FC_AN_UNPADDED_SUSPECT], 0);
	decode_in(&p, buf, 64, 8, &c);
	assert_int_equal(c.kinds[FC_AN_UNPADDED_SUSPECT], 0);
	/* whole records, then one short write: not enough */
	decode_in(&p, buf, 32 + 5, 16, &c);
	assert_int_equal(c.kinds[FC_AN_UNPADDED_SUSPECT], 0);
	/* writes longer than a record say nothing about padding */
	decode_in(&p, buf, 60, 20, &c);
	assert_int_equal(c.kinds[FC_AN_UNPADDED_SUSPECT], 0);
}

/* Lines (delimiter "\r\n", or `delim`) decoded in segments of `seg`
 * bytes; the delimiter_in_payload_suspect found, if any, into *a. */
static void lines_in(const char *delim, const char *text, size_t seg, struct counts *c,
		     struct fc_anomaly *a)
{
	struct fc_profile p;
	struct fc_decoder d;
	struct fc_decoder_scratch sc = { 0 };
	struct fc_pkt pkt = { 1, 0 };
	size_t n = strlen(text);

	fc_profile_default(&p);
	p.framing = FC_FRAMING_DELIMITER;
	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)delim, strlen(delim)));
	memset(c, 0, sizeof(*c));
	fc_decoder_init(&d, &p, 64, false, &sc, &ops, c);
	for (size_t at = 0; at < n; at += seg, pkt.num++)
		fc_decoder_data(&d, at, (const uint8_t *)text + at,
				(uint32_t)(n - at < seg ? n - at : seg), &pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&sc);
	if (a)
		*a = c->joined;
}

/* A JSON message pretty-printed over newline-delimited JSON, or holding a
 * raw line break in a string: its frames only joined make one message.
 * Found at every cut of the stream, with the same fields. */
static void test_delimiter_in_payload(void **state)
{
	static const char pretty[] = "{\"id\":1}\r\n{\r\n  \"id\": 2,\r\n  \"tags\": [\"a\", "
				     "{\"b\": null}]\r\n}\r\n[1,2]\r\n";
	static const char in_string[] = "{\"id\":1,\"text\":\"a\"}\r\n"
					"{\"id\":2,\"text\":\"two\r\nlines \\\"q\\\" \r\"}\r\n";
	struct counts c;
	struct fc_anomaly a;

	(void)state;
	for (size_t seg = 1; seg <= sizeof(pretty); seg++) {
		lines_in("\r\n", pretty, seg, &c, &a);
		assert_int_equal(c.frames, 6);
		assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 1);
		assert_int_equal(a.u.joined.first_frame, 1);
		assert_int_equal(a.frame, 4);
		assert_int_equal(a.u.joined.frames, 4);
		assert_int_equal(a.u.joined.joined_len, 46);
		assert_int_equal(a.u.joined.messages, 2);
		assert_int_equal(a.offset, 10);
		assert_false(a.u.joined.in_string);
	}
	assert_non_null(strstr(finding(&a), "frames #1 to #4 only joined make one JSON message of "
					    "46 B"));
	assert_non_null(strstr(finding(&a), "pretty-printed, with \"\\r\\n\""));
	/* a held "\r" that was text after all (inside the string) is fed */
	for (size_t seg = 1; seg <= sizeof(in_string); seg++) {
		lines_in("\r\n", in_string, seg, &c, &a);
		assert_int_equal(c.frames, 3);
		assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 1);
		assert_int_equal(a.u.joined.first_frame, 1);
		assert_int_equal(a.u.joined.frames, 2);
		assert_true(a.u.joined.in_string);
	}
	assert_non_null(strstr(finding(&a), "a string in it holds \"\\r\\n\""));
	/* a held "]" of the delimiter "]\n" that was payload after all is fed
	 * as the bracket it is: both messages count, at every cut */
	static const char held[] = "[[1],[2]]]\n[[3]]]\n[\"a]\nb\"]]\n";
	for (size_t seg = 1; seg <= sizeof(held); seg++) {
		lines_in("]\n", held, seg, &c, &a);
		assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 1);
		assert_int_equal(a.u.joined.messages, 3);
		assert_int_equal(a.u.joined.joined_len, 8);
	}
	/* a delimiter that is not whitespace joins only inside a string */
	lines_in("|", "{\"a\":1}|{\"t\":\"x|y\"}|", 64, &c, &a);
	assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 1);
	lines_in("|", "{\"a\":1}|{\"a\":1,|\"b\":2}|", 64, &c, NULL);
	assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 0);
	/* once per direction */
	lines_in("\n", "{\n}\n{\n}\n[\n]\n", 64, &c, NULL);
	assert_int_equal(c.frames, 6);
	assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 1);
}

/* Where nothing proves one message: pipelined commands and replies
 * (Redis RESP, SMTP, memcached) whatever their content, code and prose
 * with braces, brackets that do not match, JSON lines in a direction of
 * other lines, and runs cut by a loss. */
static void test_delimiter_in_payload_silent(void **state)
{
	static const char *const silent[] = {
		/* RESP: SET a "{", SET b "}", GET a, pipelined */
		"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n{\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n}\r\n"
		"*2\r\n$3\r\nGET\r\n$1\r\na\r\n",
		/* RESP replies holding JSON-looking values */
		"$1\r\n[\r\n$1\r\n]\r\n+OK\r\n:1\r\n",
		/* SMTP with a message that quotes code and JSON */
		"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nint main()\r\n{\r\n"
		"  return 0;\r\n}\r\n{\r\n  \"id\": 1\r\n}\r\n.\r\nQUIT\r\n",
		/* memcached text */
		"set k 0 0 1\r\n{\r\nSTORED\r\nget k\r\nVALUE k 0 1\r\n}\r\nEND\r\n",
		/* Allman-style code alone */
		"{\r\n  foo();\r\n}\r\n",
		/* brackets that do not match, junk after the close */
		"{\"a\":1}\r\n[\r\n}\r\n{\"a\":1}\r\n{}x\r\n",
		/* two values on a line, then a run that never closes */
		"{}{}\r\n{\r\n\"a\": 1\r\n",
		/* JSON lines after one line of something else */
		"HELLO 1\r\n{\r\n  \"id\": 1\r\n}\r\n",
		/* one JSON message per line, no run */
		"{\"a\":[1,2]}\r\n[\"{\",\"}\"]\r\n{\"s\":\"\\\"{\"}\r\n",
	};
	struct counts c;

	(void)state;
	for (size_t i = 0; i < sizeof(silent) / sizeof(silent[0]); i++) {
		for (size_t seg = 1; seg <= strlen(silent[i]); seg += 5) {
			lines_in("\r\n", silent[i], seg, &c, NULL);
			assert_true(c.frames > 0);
			if (c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT])
				fail_msg("case %zu, segments of %zu: %s", i, seg, silent[i]);
		}
	}
	/* eight JSON messages make up for one line of something else */
	lines_in("\n", "HELLO\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{\n}\n", 64, &c, NULL);
	assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 1);
	lines_in("\n", "HELLO\n{}\n{}\n{}\n{}\n{}\n{}\n{\n}\n", 64, &c, NULL);
	assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 0);
	/* a direction that wrote FC_JSON_SETTLED messages whole is no longer
	 * watched (one fewer: still watched) */
	for (int settled = 0; settled < 2; settled++) {
		static char many[3 * FC_JSON_SETTLED + 8];
		size_t k = 0;
		for (int i = 0; i < FC_JSON_SETTLED - 1 + settled; i++, k += 3)
			memcpy(many + k, "{}\n", 3);
		memcpy(many + k, "{\n}\n", 5);
		many[k + 5] = '\0';
		lines_in("\n", many, 1448, &c, NULL);
		assert_int_equal(c.frames, FC_JSON_SETTLED + 1 + settled);
		assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], !settled);
	}
}

/* A gap inside a run: the frames on both sides are not joined. */
static void test_delimiter_in_payload_gap(void **state)
{
	struct fc_profile p;
	struct fc_decoder d;
	struct fc_decoder_scratch sc = { 0 };
	struct fc_pkt pkt = { 1, 0 };
	struct counts c = { 0 };

	(void)state;
	fc_profile_default(&p);
	p.framing = FC_FRAMING_DELIMITER;
	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)"\n", 1));
	fc_decoder_init(&d, &p, 64, false, &sc, &ops, &c);
	fc_decoder_data(&d, 0, (const uint8_t *)"{}\n{\n", 5, &pkt, true);
	fc_decoder_gap(&d, 5, 10, &pkt, "test");
	pkt.num++;
	fc_decoder_data(&d, 15, (const uint8_t *)"\"a\"\n}\n{}\n", 9, &pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&sc);
	assert_int_equal(c.kinds[FC_AN_GAP], 1);
	assert_int_equal(c.kinds[FC_AN_DELIMITER_IN_PAYLOAD_SUSPECT], 0);
	assert_true(c.frames >= 2);
}

static void test_zero_run(void **state)
{
	struct counts c;

	(void)state;
	zeros(FC_ZERO_RUN - 1, &c);
	assert_int_equal(c.frames, FC_ZERO_RUN - 1);
	assert_int_equal(c.kinds[FC_AN_ZERO_RUN], 0);
	zeros(FC_ZERO_RUN, &c);
	assert_int_equal(c.kinds[FC_AN_ZERO_RUN], 1);
	zeros(32, &c); /* reported once per direction */
	assert_int_equal(c.kinds[FC_AN_ZERO_RUN], 1);
}

static void test_unframed(void **state)
{
	struct fc_profile p;
	struct fc_decoder d;
	struct fc_decoder_scratch seg = { 0 };
	struct fc_pkt pkt = { 1, 0 };
	struct counts c;
	const char *text = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";

	(void)state;
	fc_profile_default(&p);
	memset(&c, 0, sizeof(c));
	fc_decoder_init(&d, &p, 64, false, &seg, &ops, &c);
	fc_decoder_data(&d, 0, (const uint8_t *)text, (uint32_t)strlen(text), &pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	assert_int_equal(c.frames, 0);
	assert_int_equal(c.kinds[FC_AN_OVERSIZE], 1);
	assert_int_equal(c.kinds[FC_AN_UNFRAMED], 1);

	/* a large frame still in progress is not "unframed" */
	memset(&c, 0, sizeof(c));
	fc_decoder_init(&d, &p, 64, false, &seg, &ops, &c);
	fc_decoder_data(&d, 0, (const uint8_t[]){ 0, 1, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f',
						  'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n' },
			18, &pkt, true);
	fc_decoder_end(&d, FC_END_CAPTURE, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&seg);
	assert_int_equal(c.kinds[FC_AN_UNFRAMED], 0);
	assert_int_equal(c.kinds[FC_AN_INCOMPLETE], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_length),
		cmocka_unit_test(test_endian),
		cmocka_unit_test(test_misread_varint),
		cmocka_unit_test(test_misread_ber),
		cmocka_unit_test(test_misread_decoder),
		cmocka_unit_test(test_unpadded),
		cmocka_unit_test(test_delimiter_in_payload),
		cmocka_unit_test(test_delimiter_in_payload_silent),
		cmocka_unit_test(test_delimiter_in_payload_gap),
		cmocka_unit_test(test_zero_run),
		cmocka_unit_test(test_unframed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
