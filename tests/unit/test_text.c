/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_text.c - strict UTF-8, what a terminal shows, and the escapes every
 * front end uses for bytes from the wire (fc_text.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fc_text.h"
#include "../../src/cli/output.h"

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_decode_strict(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(fc_utf8_decode(B("A"), &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(fc_utf8_decode(B("\xc3\xa9"), &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(fc_utf8_decode(B("\xe6\xad\xa3"), &cp), 3); /* 正 */
	assert_int_equal(cp, 0x6b63);
	assert_int_equal(fc_utf8_decode(B("\xf0\x9f\x98\x80"), &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* overlong ESC (2 and 3 bytes), overlong 4-byte, surrogate, past U+10FFFF */
	assert_int_equal(fc_utf8_decode(B("\xc0\x9b"), &cp), 0);
	assert_int_equal(fc_utf8_decode(B("\xc1\xbf"), &cp), 0);
	assert_int_equal(fc_utf8_decode(B("\xe0\x80\x9b"), &cp), 0);
	assert_int_equal(fc_utf8_decode(B("\xf0\x80\x80\x9b"), &cp), 0);
	assert_int_equal(fc_utf8_decode(B("\xed\xa0\x80"), &cp), 0);
	assert_int_equal(fc_utf8_decode(B("\xf4\x90\x80\x80"), &cp), 0);
	/* a lone continuation byte, a cut sequence, nothing at all */
	assert_int_equal(fc_utf8_decode(B("\x80"), &cp), 0);
	assert_int_equal(fc_utf8_decode(B("\xe6\xad"), &cp), 0);
	assert_int_equal(fc_utf8_decode((const uint8_t *)"", 0, &cp), 0);
}

static void test_shows(void **state)
{
	static const uint32_t hidden[] = {
		0x00, 0x1b, 0x7f, 0x85, 0x9b, 0x9d, 0xad, 0x200b, 0x200e, 0x2028, 0x202a,
		0x202e, 0x2066, 0x2069, 0xfeff, 0xe0041,
	};
	static const uint32_t shown[] = { ' ', 'a', 0xa0, 0xe9, 0x6b63, 0x1f600, 0x2030 };

	(void)state;
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		assert_false(fc_text_shows(hidden[i]));
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		assert_true(fc_text_shows(shown[i]));
}

static void test_is_text(void **state)
{
	(void)state;
	assert_true(fc_text_is_text(B("hello\r\n\tworld")));
	assert_true(fc_text_is_text(B("xin\xe6\xad\xa3\xe5\x9c\xa8")));
	assert_true(fc_text_is_text(B("cut \xe6\xad"))); /* cut by the segment */
	assert_true(fc_text_is_text(B("abc\xe2\x80\xae"))); /* RLO: text, escaped when shown */
	assert_false(fc_text_is_text(B("\x1b[2J")));
	assert_false(fc_text_is_text(B("a\xc2\x9b" "31m"))); /* C1 CSI */
	assert_false(fc_text_is_text(B("a\xc0\x9b"))); /* overlong ESC */
	assert_false(fc_text_is_text(B("\x00\x00\x00\x05")));
}

static void test_escape(void **state)
{
	char buf[FC_TEXT_ESCAPE_MAX + 1];

	(void)state;
	*fc_text_escape(buf, '\n') = '\0';
	assert_string_equal(buf, "\\n");
	*fc_text_escape(buf, 0x202e) = '\0';
	assert_string_equal(buf, "\\u202e");
	*fc_text_escape(buf, 0x9b) = '\0';
	assert_string_equal(buf, "\\u009b");
	*fc_text_escape(buf, 0xe0041) = '\0';
	assert_string_equal(buf, "\\U000e0041");
}

static void json(const char *in, size_t n, const char *want)
{
	char out[256];

	assert_true(6 * n < sizeof(out));
	*fc_json_escape(out, in, n) = '\0';
	assert_string_equal(out, want);
}

static void test_json(void **state)
{
	(void)state;
	json("a\"b\\c", 5, "a\\\"b\\\\c");
	json("l\n\t\r", 4, "l\\n\\t\\r");
	json("\x1b[0m", 4, "\\u001b[0m");
	json("\x7f", 1, "\\u007f");
	json("\xe6\xad\xa3", 3, "\xe6\xad\xa3"); /* shown characters stay UTF-8 */
	json("\xe2\x80\xae", 3, "\\u202e");
	json("\xc2\x9b", 2, "\\u009b");
	json("\xc0\x9b", 2, "\\u00c0\\u009b"); /* invalid: each byte's value */
	json("\xf3\xa0\x81\x81", 4, "\\udb40\\udc41"); /* U+E0041 as a pair */
	json("\xff\xff\xff\xff\xff\xff", 6,
	     "\\u00ff\\u00ff\\u00ff\\u00ff\\u00ff\\u00ff"); /* the 6-bytes-a-byte bound */
}

/* The text view's line for a segment holding one piece of the n bytes
 * at p, into out (NUL-terminated, at most size bytes). */
static void piece_line(const uint8_t *p, uint32_t n, char *out, size_t size)
{
	FILE *f = tmpfile();
	struct fc_output_opts opts = { .out = f };
	struct fc_output *o;
	struct fc_stream_info s = { .id = 1 };
	struct fc_segment seg = { .len = n, .npieces = 1 };
	struct fc_report r = { .seg = &seg };
	size_t got;

	assert_non_null(f);
	o = fc_output_text(&opts);
	assert_non_null(o);
	s.key.src.family = 4;
	s.key.dst.family = 4;
	seg.pieces[0].flags = FC_PIECE_START;
	seg.pieces[0].payload = p;
	seg.pieces[0].payload_n = n;
	o->sink.report(o->sink.ctx, &s, FC_C2S, &r);
	fc_output_flush(o);
	o->destroy(o);
	rewind(f);
	got = fread(out, 1, size - 1, f);
	out[got] = 0;
	fclose(f);
}

/* A bulk piece (the preview prefetches what follows it) ending at the
 * last byte of a page whose next page cannot be read: the preview still
 * judges the whole piece, and reading past it would crash here. */
static void test_bulk_piece_at_page_end(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t n = 600;
	char line[4096];
	uint8_t *map, *p;

	(void)state;
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, pg, PROT_NONE), 0);
	p = map + pg - n;
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)('a' + i % 26);
	piece_line(p, n, line, sizeof line);
	assert_non_null(strstr(line, "\"abcdefghijklmn...\""));
	/* One byte at the very end decides: the piece shows as hex. */
	p[n - 1] = 0x01;
	piece_line(p, n, line, sizeof line);
	assert_null(strstr(line, "\"abcdefghijklmn"));
	assert_non_null(strstr(line, " 61626364656667..."));
	munmap(map, 2 * pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_strict),
		cmocka_unit_test(test_shows),
		cmocka_unit_test(test_is_text),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_bulk_piece_at_page_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
