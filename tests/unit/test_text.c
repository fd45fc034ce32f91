/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_text.c - strict UTF-8, what a terminal shows, and the escapes every
 * front end uses for bytes from the wire (fc_text.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fc_text.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_strict),
		cmocka_unit_test(test_shows),
		cmocka_unit_test(test_is_text),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
