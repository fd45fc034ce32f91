/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_profile_opts.c - the framing options of the command line
 * (fc_profile_opts_take / _apply / _choose) and fc_profile_describe.
 *
 *   "--framing varint" "--length-offset 1" --take--> opts --apply--> profile
 *   profile --describe--> "mqtt (varint at offset 1, at most 4 bytes)"
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fc_profile_opts.h"

/* Take (opt, arg) pairs; every one must be accepted. */
static void take_all(struct fc_profile_opts *o, const int *opts, const char *const *args,
		     int n)
{
	for (int i = 0; i < n; i++) {
		const char *err = "unset";

		assert_int_equal(fc_profile_opts_take(o, opts[i], args[i], &err), 1);
		assert_null(err);
	}
}

/* An option and its value, as the command line gives them. */
struct optarg {
	int opt;
	const char *arg;
};

/* p: the default profile under the options list[0, n), each accepted;
 * returns what fc_profile_opts_apply says (NULL, or why it refuses). */
static const char *apply_list(struct fc_profile *p, const struct optarg *list, size_t n)
{
	struct fc_profile_opts o = { 0 };

	for (size_t i = 0; i < n; i++)
		take_all(&o, &list[i].opt, &list[i].arg, 1);
	fc_profile_default(p);
	return fc_profile_opts_apply(&o, p);
}
#define APPLY(p, ...) \
	apply_list((p), (const struct optarg[]){ __VA_ARGS__ }, \
		   sizeof((const struct optarg[]){ __VA_ARGS__ }) / sizeof(struct optarg))

static void take_fails(int opt, const char *arg, const char *fragment)
{
	struct fc_profile_opts o = { 0 };
	const char *err = NULL;

	assert_int_equal(fc_profile_opts_take(&o, opt, arg, &err), -1);
	assert_non_null(err);
	if (!strstr(err, fragment))
		print_error("%s %s: got '%s'\n", "option", arg, err);
	assert_non_null(strstr(err, fragment));
}

static void describe_is(const struct fc_profile *p, const char *want)
{
	char buf[256];

	fc_profile_describe(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_escapes(void **state)
{
	/* What is refused, and why. */
	static const char *const bad[][2] = {
		{ "", "empty (give at least one byte)" },
		{ "0123456789abcdefg", "a delimiter has at most 16 bytes" },
		{ "\\q", "unknown escape (use \\r \\n \\t \\0 \\\\ \\\" or \\xHH)" },
		{ "ab\\", "a lone \\ at the end (write \\\\ for a backslash)" },
		{ "\\x4", "\\x needs two hex digits (\\x0a)" },
		{ "\\xg0", "\\x needs two hex digits (\\x0a)" },
	};
	uint8_t b[FC_DELIMITER_MAX];
	size_t n = 0;
	char text[80];

	(void)state;
	assert_null(fc_parse_escaped("\\r\\n", b, sizeof(b), &n));
	assert_int_equal(n, 2);
	assert_memory_equal(b, "\r\n", 2);
	assert_null(fc_parse_escaped("\\0", b, sizeof(b), &n));
	assert_int_equal(n, 1);
	assert_int_equal(b[0], 0);
	assert_null(fc_parse_escaped("a\\tb\\\\\\x00\\xFf;", b, sizeof(b), &n));
	assert_int_equal(n, 7);
	assert_memory_equal(b, "a\tb\\\0\xff;", 7);
	assert_null(fc_parse_escaped("0123456789abcdef", b, sizeof(b), &n));
	assert_int_equal(n, 16);

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_string_equal(fc_parse_escaped(bad[i][0], b, sizeof(b), &n), bad[i][1]);

	/* Written back the way it is read. */
	fc_format_escaped((const uint8_t *)"a\r\n\t\0\\\"\x7f\xff", 9, text, sizeof(text));
	assert_string_equal(text, "a\\r\\n\\t\\0\\\\\\\"\\x7f\\xff");
	assert_null(fc_parse_escaped(text, b, sizeof(b), &n));
	assert_int_equal(n, 9);
	assert_memory_equal(b, "a\r\n\t\0\\\"\x7f\xff", 9);
	/* Cut short at a whole escape. */
	fc_format_escaped((const uint8_t *)"\r\n", 2, text, 4);
	assert_string_equal(text, "\\r");
}

static void test_take_values(void **state)
{
	static const int opts[] = { FC_OPT_FRAMING, FC_OPT_DELIMITER, FC_OPT_FRAME_SIZE,
				    FC_OPT_VARINT_MAX_BYTES, FC_OPT_LENGTH_MASK };
	static const char *const args[] = { "delimiter", "\\0", "16", "4", "0x7fffffff" };
	struct fc_profile_opts o = { 0 };

	(void)state;
	take_all(&o, opts, args, 5);
	assert_true(o.framing && o.delimiter && o.frame_size && o.varint_max && o.mask);
	assert_int_equal(o.v.framing, FC_FRAMING_DELIMITER);
	assert_int_equal(o.v.delimiter_len, 1);
	assert_int_equal(o.v.delimiter[0], 0);
	assert_true(o.v.frame_size == 16);
	assert_int_equal(o.v.varint_max_bytes, 4);
	assert_true(o.v.length_mask == 0x7fffffff);

	take_fails(FC_OPT_FRAMING, "lines", "framing must be length, varint, ber, delimiter or fixed");
	take_fails(FC_OPT_DELIMITER, "", "empty");
	take_fails(FC_OPT_DELIMITER, "\\x1", "two hex digits");
	take_fails(FC_OPT_FRAME_SIZE, "0", "at least 1 byte");
	take_fails(FC_OPT_FRAME_SIZE, "-1", "non-negative");
	take_fails(FC_OPT_FRAME_SIZE, "281474976710657", "out of range");
	take_fails(FC_OPT_VARINT_MAX_BYTES, "0", "1 to 10");
	take_fails(FC_OPT_VARINT_MAX_BYTES, "11", "out of range");
	take_fails(FC_OPT_LENGTH_MASK, "mask", "non-negative integer");
	take_fails(FC_OPT_LENGTH_MASK, "0x10000000000000000", "out of range");
}

static void test_apply_framings(void **state)
{
	struct fc_profile_opts o = { 0 };
	struct fc_delim_scan sc = { 0 };
	struct fc_profile p;
	const char *err;

	(void)state;
	/* MQTT: varint after one byte, at most 4. */
	assert_null(APPLY(&p, { FC_OPT_FRAMING, "varint" }, { FC_OPT_LENGTH_OFFSET, "1" },
			  { FC_OPT_VARINT_MAX_BYTES, "4" }));
	assert_int_equal(p.framing, FC_FRAMING_VARINT);
	assert_int_equal(p.length_offset, 1);
	assert_int_equal(p.varint_max_bytes, 4);
	describe_is(&p, "default (varint at offset 1, at most 4 bytes)");
	/* Lines. */
	assert_null(APPLY(&p, { FC_OPT_FRAMING, "delimiter" }, { FC_OPT_DELIMITER, "\\r\\n" },
			  { FC_OPT_MAX_FRAME, "4096" }));
	assert_int_equal(p.framing, FC_FRAMING_DELIMITER);
	assert_int_equal(p.delimiter_len, 2);
	assert_memory_equal(p.delimiter, "\r\n", 2);
	assert_true(p.max_frame == 4096);
	describe_is(&p, "default (delimiter \"\\r\\n\")");
	/* The delimiter's fallback table comes with it: "abab" resumes at 2. */
	assert_null(APPLY(&p, { FC_OPT_FRAMING, "delimiter" }, { FC_OPT_DELIMITER, "abab" }));
	assert_int_equal(p.delimiter_fallback[3], 2);
	assert_int_equal(fc_delim_scan(&p, &sc, (const uint8_t *)"xabaabab", 8), 8);
	/* Fixed. */
	assert_null(APPLY(&p, { FC_OPT_FRAMING, "fixed" }, { FC_OPT_FRAME_SIZE, "16" }));
	describe_is(&p, "default (fixed 16 bytes)");
	/* ONC RPC: a big-endian 31-bit length. */
	assert_null(APPLY(&p, { FC_OPT_BYTE_ORDER, "big" }, { FC_OPT_UNSIGNED, NULL },
			  { FC_OPT_LENGTH_MASK, "0x7fffffff" }));
	assert_true(p.length_mask == 0x7fffffff);
	describe_is(&p, "default (4-byte big-endian unsigned length, mask 0x7fffffff)");
	/* BER, with an adjustment. */
	assert_null(APPLY(&p, { FC_OPT_FRAMING, "BER" }, { FC_OPT_LENGTH_ADJUSTMENT, "-1" }));
	describe_is(&p, "default (BER tag and length, adjustment -1)");

	/* A value the framing does not use is refused, with the flag named. */
	assert_string_equal(APPLY(&p, { FC_OPT_DELIMITER, "\\n" }),
			    "--delimiter needs --framing delimiter");
	assert_string_equal(APPLY(&p, { FC_OPT_FRAME_SIZE, "8" }), "--frame-size needs --framing fixed");
	assert_string_equal(APPLY(&p, { FC_OPT_VARINT_MAX_BYTES, "3" }),
			    "--varint-max-bytes needs --framing varint");
	assert_string_equal(APPLY(&p, { FC_OPT_LENGTH_MASK, "1" }, { FC_OPT_FRAMING, "ber" }),
			    "--length-mask needs --framing length");
	/* ... but a profile of that framing takes it without --framing. */
	assert_int_equal(fc_profile_opts_take(&o, FC_OPT_DELIMITER, "\\n", &err), 1);
	fc_profile_default(&p);
	p.framing = FC_FRAMING_DELIMITER;
	assert_null(fc_profile_set_delimiter(&p, (const uint8_t *)";", 1));
	assert_null(fc_profile_opts_apply(&o, &p));
	assert_int_equal(p.delimiter[0], '\n');

	/* The core's checks still apply. */
	assert_string_equal(APPLY(&p, { FC_OPT_FRAMING, "delimiter" }),
			    "framing delimiter needs a delimiter of 1 to 16 bytes");
	assert_string_equal(APPLY(&p, { FC_OPT_LENGTH_SIZE, "2" }, { FC_OPT_LENGTH_MASK, "0x10000" }),
			    "length_mask has bits outside the length field");
}

/* The flags change every profile of a configuration; a prelude stays. */
static void test_choose_over_config(void **state)
{
	static struct fc_config cfg;
	static const char yaml[] =
		"profiles:\n"
		"  start: {length_size: 4, byte_order: big, signed: false}\n"
		"  pg: {length_offset: 1, prelude: {c2s: [{profile: start, max_frames: 2}]}}\n"
		"  lines: {framing: delimiter, delimiter: \"\\n\"}\n";
	struct fc_config_error err;
	struct fc_profile_opts o = { 0 };
	struct fc_profile fb;
	bool forced;
	char msg[300];
	const char *e;

	(void)state;
	assert_int_equal(fc_config_parse(&cfg, yaml, strlen(yaml), "t.yaml", &err), 0);
	describe_is(&cfg.profiles[1], "pg (4-byte little-endian signed length at 1 + prelude)");
	describe_is(&cfg.profiles[2], "lines (delimiter \"\\n\")");

	o.profile_name = "pg";
	assert_int_equal(fc_profile_opts_take(&o, FC_OPT_MAX_FRAME, "1000", &e), 1);
	assert_int_equal(fc_profile_opts_choose(&o, &cfg, &fb, &forced, msg, sizeof(msg)), 0);
	assert_true(forced);
	assert_ptr_equal(fb.prelude, &cfg.preludes[0]);
	assert_true(fb.max_frame == 1000);
	/* Under --profile the others serve no stream and stay as they are. */
	assert_true(cfg.profiles[2].max_frame == 16u << 20);
	/* Without it, every profile takes the fields. */
	o.profile_name = NULL;
	assert_int_equal(fc_profile_opts_choose(&o, &cfg, &fb, &forced, msg, sizeof(msg)), 0);
	assert_false(forced);
	assert_true(cfg.profiles[2].max_frame == 1000);
	assert_true(cfg.profiles[1].max_frame == 1000);

	/* --delimiter over a config with length profiles: named. */
	assert_int_equal(fc_config_parse(&cfg, yaml, strlen(yaml), "t.yaml", &err), 0);
	memset(&o, 0, sizeof(o));
	o.profile_name = "lines";
	assert_int_equal(fc_profile_opts_take(&o, FC_OPT_DELIMITER, "\\r\\n", &e), 1);
	assert_int_equal(fc_profile_opts_choose(&o, &cfg, &fb, &forced, msg, sizeof(msg)), 0);
	describe_is(&fb, "lines (delimiter \"\\r\\n\")");
	o.profile_name = NULL;
	assert_int_equal(fc_profile_opts_choose(&o, &cfg, &fb, &forced, msg, sizeof(msg)), -1);
	/* The built-in fallback first, then the file's profiles. */
	assert_string_equal(msg, "framing options: --delimiter needs --framing delimiter");
	o.profile_name = NULL;
	memset(&o, 0, sizeof(o));
	assert_int_equal(fc_profile_opts_take(&o, FC_OPT_FRAME_SIZE, "8", &e), 1);
	assert_int_equal(fc_profile_opts_take(&o, FC_OPT_FRAMING, "fixed", &e), 1);
	assert_int_equal(fc_profile_opts_take(&o, FC_OPT_LENGTH_MASK, "0", &e), 1);
	assert_int_equal(fc_profile_opts_choose(&o, &cfg, &fb, &forced, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "framing options: --length-mask needs --framing length");
}

static void test_describe_length_unchanged(void **state)
{
	struct fc_profile p;
	char small[12];

	(void)state;
	fc_profile_default(&p);
	describe_is(&p, "default (4-byte little-endian signed length)");
	p.length_offset = 2;
	p.header_size = 8;
	p.length_adjustment = -4;
	describe_is(&p, "default (4-byte little-endian signed length at 2, adjustment -4, header 8)");
	/* Cut short, still a string. */
	fc_profile_describe(&p, small, sizeof(small));
	assert_string_equal(small, "default (4-");
	fc_profile_default(&p);
	p.framing = FC_FRAMING_VARINT;
	describe_is(&p, "default (varint, at most 5 bytes)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_take_values),
		cmocka_unit_test(test_apply_framings),
		cmocka_unit_test(test_choose_over_config),
		cmocka_unit_test(test_describe_length_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
