/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_config.c - unit tests for the YAML profile/port configuration reader.
 *
 *   profiles:
 *     NAME: {length_offset, length_size, byte_order, signed,
 *            length_adjustment, header_size, max_frame}
 *   ports:
 *     PORT: NAME
 *
 * Error tests pin line AND column: a position that drifts by one is a bug
 * a user sees in their editor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fc_config_file.h"
#include "fc_config_guard.h"

#define MIB (1u << 20)
#define DEFAULT_MAX_FRAME (16u << 20)

static int parse(struct fc_config *cfg, const char *yaml,
		 struct fc_config_error *err)
{
	return fc_config_parse(cfg, yaml, strlen(yaml), "test.yaml", err);
}

/* Parses yaml into *cfg; fails, showing where and why, unless it loads. */
static void parse_ok(struct fc_config *cfg, const char *yaml)
{
	struct fc_config_error err;
	int rc = parse(cfg, yaml, &err);

	if (rc != 0)
		print_error("%lu:%lu: %s\n", err.line, err.column, err.message);
	assert_int_equal(rc, 0);
}

static const struct fc_profile *must_find(const struct fc_config *cfg,
					  const char *name)
{
	int i = fc_config_find(cfg, name);

	assert_true(i >= 0);
	return &cfg->profiles[i];
}

/* Starts from a loaded config so that the reset to empty on failure is
 * checked too, not just the error. */
static void check_error(const char *yaml, unsigned long line,
			unsigned long column, const char *fragment)
{
	struct fc_config cfg;
	struct fc_config_error err;

	assert_int_equal(parse(&cfg, "profiles: {p: {}}\nports: {1: p}\n", &err), 0);
	assert_int_equal(cfg.nprofiles, 1);

	assert_int_equal(parse(&cfg, yaml, &err), -1);
	if (!strstr(err.message, fragment) || err.line != line ||
	    err.column != column)
		print_error("got %lu:%lu: %s\n", err.line, err.column, err.message);
	assert_string_equal(err.file, "test.yaml");
	assert_non_null(strstr(err.message, fragment));
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_int_equal(cfg.nprofiles, 0);
	assert_int_equal(cfg.nports, 0);
	assert_int_equal(fc_config_find(&cfg, "p"), -1);
	assert_null(fc_config_for_port(&cfg, 1));
}

/* One configuration that must be refused: check_error's arguments, and
 * the test (cmocka's name for it) that checks it. */
struct err_case {
	const char *test;
	const char *yaml;
	unsigned long line, column;
	const char *fragment;
};

static void assert_profile(const struct fc_profile *p, const char *name,
			   uint32_t offset, uint32_t size,
			   enum fc_byte_order order, bool is_signed,
			   int64_t adjustment, uint32_t header,
			   uint64_t max_frame)
{
	assert_string_equal(p->name, name);
	assert_int_equal(p->length_offset, offset);
	assert_int_equal(p->length_size, size);
	assert_int_equal(p->byte_order, order);
	assert_int_equal(p->is_signed, is_signed);
	assert_true(p->length_adjustment == adjustment);
	assert_int_equal(p->header_size, header);
	assert_true(p->max_frame == max_frame);
}

/* ---- valid configurations ---- */

static void test_header_example(void **state)
{
	(void)state;
	static const char yaml[] =
		"profiles:\n"
		"  tutorial: {length_size: 4, byte_order: little, signed: true}\n"
		"  kafka:    {length_size: 4, byte_order: big, signed: true}\n"
		"ports:\n"
		"  8001: tutorial\n"
		"  9092: kafka\n";
	struct fc_config cfg;

	parse_ok(&cfg, yaml);
	assert_int_equal(cfg.nprofiles, 2);
	assert_profile(&cfg.profiles[0], "tutorial", 0, 4, FC_LITTLE_ENDIAN,
		       true, 0, 4, DEFAULT_MAX_FRAME);
	assert_profile(&cfg.profiles[1], "kafka", 0, 4, FC_BIG_ENDIAN, true, 0,
		       4, DEFAULT_MAX_FRAME);
	assert_int_equal(fc_config_find(&cfg, "tutorial"), 0);
	assert_int_equal(fc_config_find(&cfg, "kafka"), 1);
	assert_int_equal(fc_config_find(&cfg, "nope"), -1);
	assert_int_equal(fc_config_find(&cfg, NULL), -1);

	assert_int_equal(cfg.nports, 2);
	assert_int_equal(cfg.ports[0].port, 8001);
	assert_int_equal(cfg.ports[0].profile, 0);
	assert_int_equal(cfg.ports[1].port, 9092);
	assert_int_equal(cfg.ports[1].profile, 1);
	assert_ptr_equal(fc_config_for_port(&cfg, 8001), &cfg.profiles[0]);
	assert_ptr_equal(fc_config_for_port(&cfg, 9092), &cfg.profiles[1]);
	assert_null(fc_config_for_port(&cfg, 80));
	assert_null(fc_config_for_port(&cfg, 0));
}

static void test_block_style_every_field(void **state)
{
	(void)state;
	static const char yaml[] =
		"# a comment\n"
		"profiles:\n"
		"  custom:\n"
		"    length_offset: 2\n"
		"    length_size: 2\n"
		"    byte_order: big\n"
		"    signed: false\n"
		"    length_adjustment: -6\n"
		"    header_size: 10\n"
		"    max_frame: 65536\n"
		"  wide:\n"
		"    length_size: 8\n"
		"    max_frame: 281474976710656\n"
		"ports:\n"
		"  7000: custom\n"
		"  7001: wide\n"
		"  65535: custom\n";
	struct fc_config cfg;

	parse_ok(&cfg, yaml);
	assert_int_equal(cfg.nprofiles, 2);
	assert_profile(must_find(&cfg, "custom"), "custom", 2, 2, FC_BIG_ENDIAN,
		       false, -6, 10, 65536);
	assert_profile(must_find(&cfg, "wide"), "wide", 0, 8, FC_LITTLE_ENDIAN,
		       true, 0, 8, 1ULL << 48);
	assert_int_equal(cfg.nports, 3);
	assert_ptr_equal(fc_config_for_port(&cfg, 7000), must_find(&cfg, "custom"));
	assert_ptr_equal(fc_config_for_port(&cfg, 7001), must_find(&cfg, "wide"));
	assert_ptr_equal(fc_config_for_port(&cfg, 65535), must_find(&cfg, "custom"));
}

static void test_defaults_and_derived_header(void **state)
{
	(void)state;
	static const char yaml[] =
		"profiles:\n"
		"  shifted: {length_offset: 3, length_size: 2}\n"
		"  short: {length_size: 1}\n"
		"  given: {length_offset: 3, length_size: 2, header_size: 12}\n"
		"  empty: {}\n"
		"  bare:\n";
	struct fc_config cfg;

	parse_ok(&cfg, yaml);
	assert_int_equal(cfg.nprofiles, 5);
	/* header_size follows the length field, not the default's 4. */
	assert_profile(must_find(&cfg, "shifted"), "shifted", 3, 2,
		       FC_LITTLE_ENDIAN, true, 0, 5, DEFAULT_MAX_FRAME);
	assert_profile(must_find(&cfg, "short"), "short", 0, 1,
		       FC_LITTLE_ENDIAN, true, 0, 1, DEFAULT_MAX_FRAME);
	assert_profile(must_find(&cfg, "given"), "given", 3, 2,
		       FC_LITTLE_ENDIAN, true, 0, 12, DEFAULT_MAX_FRAME);
	assert_profile(must_find(&cfg, "empty"), "empty", 0, 4,
		       FC_LITTLE_ENDIAN, true, 0, 4, DEFAULT_MAX_FRAME);
	assert_profile(must_find(&cfg, "bare"), "bare", 0, 4,
		       FC_LITTLE_ENDIAN, true, 0, 4, DEFAULT_MAX_FRAME);
	assert_int_equal(cfg.nports, 0);
}

static void test_negative_adjustment(void **state)
{
	(void)state;
	struct fc_config cfg;

	parse_ok(&cfg, "profiles: {inc: {length_size: 2, length_adjustment: -2}}\n");
	assert_profile(&cfg.profiles[0], "inc", 0, 2, FC_LITTLE_ENDIAN, true, -2,
		       2, DEFAULT_MAX_FRAME);
	parse_ok(&cfg, "profiles: {a: {length_adjustment: -2147483648}}\n");
	assert_true(cfg.profiles[0].length_adjustment == -2147483648LL);
}

static void test_byte_order_and_signed(void **state)
{
	(void)state;
	static const char yaml[] =
		"profiles:\n"
		"  b: {byte_order: big, signed: false}\n"
		"  l: {byte_order: little, signed: true}\n"
		"  n: {byte_order: network, signed: no}\n"
		"  q: {byte_order: 'big', signed: \"false\"}\n";
	struct fc_config cfg;

	parse_ok(&cfg, yaml);
	assert_int_equal(must_find(&cfg, "b")->byte_order, FC_BIG_ENDIAN);
	assert_false(must_find(&cfg, "b")->is_signed);
	assert_int_equal(must_find(&cfg, "l")->byte_order, FC_LITTLE_ENDIAN);
	assert_true(must_find(&cfg, "l")->is_signed);
	assert_int_equal(must_find(&cfg, "n")->byte_order, FC_BIG_ENDIAN);
	assert_false(must_find(&cfg, "n")->is_signed);
	assert_int_equal(must_find(&cfg, "q")->byte_order, FC_BIG_ENDIAN);
	assert_false(must_find(&cfg, "q")->is_signed);
}

static void test_ports_before_profiles(void **state)
{
	(void)state;
	static const char yaml[] =
		"ports:\n"
		"  9092: kafka\n"
		"profiles:\n"
		"  kafka: {byte_order: big}\n";
	struct fc_config cfg;

	parse_ok(&cfg, yaml);
	assert_int_equal(cfg.nports, 1);
	assert_ptr_equal(fc_config_for_port(&cfg, 9092), must_find(&cfg, "kafka"));
}

static void test_empty_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"",
		"\n\n",
		"# only a comment\n",
		"---\n",
		"---\n...\n",
		"~\n",
		"{}\n",
		"profiles: {}\nports: {}\n",
		"profiles:\nports:\n",
		"profiles: ~\nports: null\n",
	};
	struct fc_config cfg;
	struct fc_config_error err;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(parse(&cfg, docs[i], &err), 0);
		assert_int_equal(cfg.nprofiles, 0);
		assert_int_equal(cfg.nports, 0);
	}
	assert_int_equal(fc_config_parse(&cfg, NULL, 0, "x", &err), 0);
}

static void test_null_error_pointer(void **state)
{
	(void)state;
	struct fc_config cfg;

	assert_int_equal(fc_config_parse(&cfg, "foo: 1\n", 7, NULL, NULL), -1);
	assert_int_equal(fc_config_parse(&cfg, "ports: {}\n", 10, NULL, NULL), 0);
}

/* The refused configurations, by the test that checks them. */
static const struct err_case error_cases[] = {
	/* ---- errors: YAML syntax and layout ---- */
	{ "test_error_syntax", "profiles:\n" "  x: {length_size: 4\n" "ports: {}\n", 3, 6, "did not find expected ',' or '}'" },
	{ "test_error_syntax", "profiles:\n" "  x: {length_size: 4\n" "ports: {}\n", 3, 6, "while parsing a flow mapping at line 2, column 6" },
	{ "test_error_syntax", "profiles: {x: {length_size: 4}}\n" "ports:\n" "  80: x\n" " 81: x\n", 4, 2, "did not find expected key" },
	{ "test_error_syntax", "ports: a: b\n", 1, 9, "mapping values are not allowed in this context" },
	{ "test_error_bad_utf8", "profiles:\n  \"\xff\": {}\n", 2, 4, "invalid leading UTF-8 octet" },
	{ "test_error_unknown_top_level_key", "profiles: {}\n" "foo: 1\n", 2, 1, "unknown key 'foo'" },
	{ "test_error_unknown_top_level_key", "{ports: {}, profile: {}}\n", 1, 13, "unknown key 'profile'" },
	{ "test_error_duplicate_top_level_key", "profiles: {}\n" "ports: {}\n" "profiles: {}\n", 3, 1, "'profiles' given twice" },
	{ "test_error_top_level_not_mapping", "just a string\n", 1, 1, "top level must be a mapping" },
	{ "test_error_top_level_not_mapping", "- profiles\n- ports\n", 1, 1, "top level must be a mapping" },
	{ "test_error_top_level_not_mapping", "# leading comment\n\n   [1, 2]\n", 3, 4, "top level must be a mapping" },
	{ "test_error_top_level_not_mapping", "''\n", 1, 1, "top level must be a mapping" },
	{ "test_error_second_document", "profiles: {}\n" "---\n" "ports: {}\n", 2, 1, "only one YAML document" },
	{ "test_error_sections_not_mappings", "profiles: [a, b]\n", 1, 11, "'profiles' must be a mapping" },
	{ "test_error_sections_not_mappings", "profiles: tutorial\n", 1, 11, "'profiles' must be a mapping" },
	{ "test_error_sections_not_mappings", "ports:\n  - 8001\n", 2, 3, "'ports' must be a mapping" },
	{ "test_error_sections_not_mappings", "profiles:\n  x: 4\n", 2, 6, "profile 'x' must be a mapping" },
	{ "test_error_sections_not_mappings", "profiles:\n  x:\n    - length_size\n", 3, 5, "profile 'x' must be a mapping" },
	{ "test_error_sections_not_mappings", "{[a]: 1}\n", 1, 2, "top-level key must be a scalar value" },
	{ "test_error_alias", "profiles:\n" "  a: &p {length_size: 2}\n" "  b: *p\n", 3, 6, "aliases (*p) are not supported" },
	/* ---- errors: profiles ---- */
	{ "test_error_unknown_field", "profiles:\n" "  x:\n" "    length_size: 4\n" "    lenght_offset: 0\n", 4, 5, "profile 'x': unknown field 'lenght_offset'" },
	{ "test_error_duplicate_field", "profiles: {x: {length_size: 2, length_size: 4}}\n", 1, 32, "profile 'x': length_size given twice (first at line 1)" },
	/* A rule about one value points at that value. */
	{ "test_error_length_size_nine", "profiles:\n" "  x: {length_size: 9}\n", 2, 20, "profile 'x': length_size must be 1 to 8" },
	{ "test_error_length_size_zero", "profiles:\n" "  x:\n" "    length_size: 0\n", 3, 18, "profile 'x': length_size must be 1 to 8" },
	/* A rule relating fields points at the profile's name. */
	{ "test_error_header_shorter_than_length_field", "profiles:\n" "  ok: {}\n" "  x:\n" "    length_size: 4\n" "    header_size: 2\n", 3, 3, "profile 'x': header_size is shorter than length_offset + length_size" },
	{ "test_error_header_shorter_than_length_field", "profiles:\n" "  x: {length_offset: 4, header_size: 4}\n", 2, 3, "header_size is shorter" },
	{ "test_error_length_field_too_far", "profiles:\n" "  far: {length_offset: 61}\n", 2, 3, "profile 'far': length field must end within the first 64 bytes" },
	/* Near UINT32_MAX the derived header_size must not wrap round. */
	{ "test_error_length_field_too_far", "profiles:\n" "  far: {length_offset: 4294967295}\n", 2, 3, "length field must end within" },
	{ "test_error_single_value_ranges", "profiles:\n" "  x: {header_size: 65536}\n", 2, 20, "profile 'x': header_size must be at most 65535" },
	{ "test_error_single_value_ranges", "profiles:\n" "  x: {length_adjustment: 2147483649}\n", 2, 26, "profile 'x': length_adjustment must be within +/-2^31" },
	{ "test_error_single_value_ranges", "profiles:\n" "  x: {max_frame: 281474976710657}\n", 2, 18, "profile 'x': max_frame must be at most 2^48" },
	{ "test_error_single_value_ranges", "profiles:\n" "  x: {length_size: 99999999999}\n", 2, 20, "profile 'x': length_size: integer out of range" },
	{ "test_error_bad_byte_order", "profiles:\n" "  x: {byte_order: middle}\n", 2, 19, "profile 'x': byte_order: byte order must be little or big (got 'middle')" },
	{ "test_error_bad_signed", "profiles:\n" "  x:\n" "    signed: maybe\n", 3, 13, "profile 'x': signed: expected true or false" },
	{ "test_error_non_integer", "profiles:\n" "  x: {length_offset: four}\n", 2, 22, "profile 'x': length_offset: expected a non-negative integer (got 'four')" },
	{ "test_error_non_integer", "profiles:\n" "  x: {length_offset: -1}\n", 2, 22, "length_offset: expected a non-negative integer" },
	{ "test_error_non_integer", "profiles:\n" "  x: {length_adjustment: 1.5}\n", 2, 26, "length_adjustment: expected an integer" },
	{ "test_error_non_integer", "profiles:\n" "  x:\n" "    max_frame:\n", 3, 15, "max_frame: expected a non-negative integer" },
	{ "test_error_value_not_scalar", "profiles:\n" "  x: {length_size: [4]}\n", 2, 20, "length_size must be a scalar value, not a sequence" },
	{ "test_error_value_not_scalar", "profiles:\n" "  x:\n" "    byte_order:\n" "      big: true\n", 4, 7, "byte_order must be a scalar value, not a mapping" },
	{ "test_error_duplicate_profile", "profiles:\n" "  x: {}\n" "  y: {}\n" "  x: {length_size: 2}\n", 4, 3, "duplicate profile 'x' (first at line 2)" },
	/* ---- errors: ports ---- */
	{ "test_error_port_out_of_range", "profiles: {x: {}}\n" "ports:\n" "  70000: x\n", 3, 3, "port '70000' must be an integer 1 to 65535" },
	{ "test_error_port_out_of_range", "profiles: {x: {}}\n" "ports: {0: x}\n", 2, 9, "port '0' must be an integer 1 to 65535" },
	{ "test_error_port_out_of_range", "profiles: {x: {}}\n" "ports:\n" "  http: x\n", 3, 3, "port 'http' must be an integer 1 to 65535" },
	{ "test_error_port_out_of_range", "profiles: {x: {}}\n" "ports:\n" "  -80: x\n", 3, 3, "port '-80' must be an integer 1 to 65535" },
	{ "test_error_port_unknown_profile", "profiles: {x: {}}\n" "ports:\n" "  8001: y\n", 3, 9, "port 8001: no profile named 'y'" },
	/* Resolved after the whole file: the error still points at the port. */
	{ "test_error_port_unknown_profile", "ports:\n" "  8001: x\n" "  8002: nope\n" "profiles: {x: {}}\n", 3, 9, "port 8002: no profile named 'nope'" },
	{ "test_error_port_unknown_profile", "ports:\n" "  8001:\n" "profiles: {x: {}}\n", 2, 8, "port 8001: no profile name given" },
	{ "test_error_port_unknown_profile", "ports: {8001: [x]}\n", 1, 15, "must be a scalar value, not a sequence" },
	{ "test_error_duplicate_port", "profiles: {x: {}}\n" "ports: {80: x, 80: x}\n", 2, 16, "duplicate port 80 (first at line 2)" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: netty}\n", 2, 16, "profile 'x': framing: framing must be length, varint, ber, delimiter or fixed (got 'netty')" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: varint, varint_max_bytes: 11}\n", 2, 42, "profile 'x': varint_max_bytes must be 1 to 10" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: varint, length_offset: 60}\n", 2, 39, "profile 'x': the varint must end within the first 64 bytes" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: fixed, frame_size: 0}\n", 2, 35, "profile 'x': framing fixed needs a frame_size from 1 to max_frame" },
	/* Not given: the profile's name. */
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: fixed}\n", 2, 3, "profile 'x': framing fixed needs a frame_size" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: fixed, frame_size: 200, max_frame: 100}\n", 2, 35, "frame_size from 1 to max_frame" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: delimiter}\n", 2, 3, "profile 'x': framing delimiter needs a delimiter of 1 to 16 bytes" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: delimiter, delimiter: \"\"}\n", 2, 38, "profile 'x': delimiter must be 1 to 16 bytes" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: delimiter, delimiter: \"0123456789abcdefg\"}\n", 2, 38, "profile 'x': delimiter must be at most 16 bytes (got 17)" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: delimiter, delimiter: [a]}\n", 2, 38, "profile 'x': delimiter must be a string, not a sequence" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {length_size: 2, length_mask: 0x1ffff}\n", 2, 36, "profile 'x': length_mask has bits outside the length field" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {length_mask: -1}\n", 2, 20, "profile 'x': length_mask: expected a non-negative integer" },
	/* A field the framing does not use, first in the text. */
	{ "test_error_framing_fields", "profiles:\n" "  x: {delimiter: \"\\n\"}\n", 2, 7, "profile 'x': delimiter does not apply to framing length (the default; add a framing: key)" },
	{ "test_error_framing_fields", "profiles:\n" "  x:\n" "    frame_size: 4\n" "    length_size: 2\n" "    framing: delimiter\n" "    delimiter: \"\\n\"\n", 3, 5, "profile 'x': frame_size does not apply to framing delimiter" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: ber, length_offset: 1}\n", 2, 21, "profile 'x': length_offset does not apply to framing ber" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: varint, varint_max_bytes: 4, byte_order: big}\n", 2, 45, "profile 'x': byte_order does not apply to framing varint" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: fixed, frame_size: 4, length_mask: 1}\n", 2, 38, "profile 'x': length_mask does not apply to framing fixed" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {varint_max_bytes: 4}\n", 2, 7, "varint_max_bytes does not apply to framing length" },
	{ "test_error_framing_fields", "profiles:\n" "  x: {framing: varint, framing: ber}\n", 2, 24, "profile 'x': framing given twice" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: [a]}\n", 2, 16, "profile 'x': prelude must be a mapping of c2s and s2c to steps" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {up: []}}\n", 2, 17, "profile 'x': prelude: unknown direction 'up' (expected c2s or s2c)" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [], c2s: []}}\n", 2, 26, "profile 'x': prelude: c2s given twice" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {s2c: {profile: y}}}\n", 2, 22, "profile 'x': prelude s2c must be a list of steps" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [N]}}\n", 2, 23, "profile 'x': a prelude step must be {bytes_one_of: [...]} or {profile: NAME, max_frames: K}" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [{bytes: [N]}]}}\n", 2, 24, "profile 'x': unknown prelude step key 'bytes'" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [{bytes_one_of: [N], profile: y}]}}\n", 2, 23, "profile 'x': a prelude step has both bytes_one_of and profile" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [{max_frames: 2}]}}\n", 2, 23, "profile 'x': a prelude step has neither bytes_one_of nor profile" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [{bytes_one_of: [N], max_frames: 2}]}}\n", 2, 55, "profile 'x': max_frames goes with profile, not with bytes_one_of" },
	{ "test_error_prelude_shape", "profiles:\n" "  y: {}\n" "  x: {prelude: {c2s: [{profile: y, max_frames: 0}]}}\n", 3, 48, "profile 'x': max_frames must be at least 1" },
	{ "test_error_prelude_shape", "profiles:\n" "  y: {}\n" "  x: {prelude: {c2s: [{profile: y, max_frames: lots}]}}\n", 3, 48, "profile 'x': max_frames: expected a non-negative integer (got 'lots')" },
	{ "test_error_prelude_shape", "profiles:\n" "  y: {}\n" "  x: {prelude: {c2s: [{profile: y, profile: y}]}}\n", 3, 36, "profile 'x': profile given twice in one prelude step" },
	{ "test_error_prelude_shape", "profiles:\n" "  x: {prelude: {c2s: [{profile: [y]}]}}\n", 2, 33, "a prelude step's profile must be a scalar value, not a sequence" },
	{ "test_error_prelude_shape", "profiles:\n" "  x:\n" "    prelude:\n" "      c2s: [{bytes_one_of: [a]}, {bytes_one_of: [b]}, {bytes_one_of: [c]},\n" "            {bytes_one_of: [d]}, {bytes_one_of: [e]}]\n", 5, 34, "profile 'x': prelude c2s has more than 4 steps" },
	{ "test_error_prelude_bytes", "profiles:\n" "  x: {prelude: {c2s: [{bytes_one_of: [a, b, c, d, e, f, g, h, i]}]}}\n", 2, 63, "profile 'x': bytes_one_of takes at most 8 strings" },
	{ "test_error_prelude_bytes", "profiles:\n" "  x: {prelude: {c2s: [{bytes_one_of: []}]}}\n", 2, 38, "profile 'x': bytes_one_of needs at least one string" },
	{ "test_error_prelude_bytes", "profiles:\n" "  x: {prelude: {c2s: [{bytes_one_of: [a, \"\"]}]}}\n", 2, 42, "profile 'x': a bytes_one_of string must not be empty" },
	{ "test_error_prelude_bytes", "profiles:\n" "  x: {prelude: {c2s: [{bytes_one_of: [{a: b}]}]}}\n", 2, 39, "profile 'x': a bytes_one_of string must be a string, not a mapping" },
	{ "test_error_prelude_bytes", "profiles:\n" "  x: {prelude: {s2c: [{bytes_one_of: " "[0123456789012345678901234567890123456789012345678901234567890123X]}]}}\n", 2, 39, "profile 'x': a bytes_one_of string must be at most 64 bytes (got 65)" },
	{ "test_error_prelude_profiles", "profiles:\n" "  x: {prelude: {c2s: [{profile: nope}]}}\n", 2, 33, "profile 'x': prelude: no profile named 'nope'" },
	{ "test_error_prelude_profiles", "profiles:\n" "  x: {prelude: {c2s: [{profile: x}]}}\n", 2, 33, "profile 'x': prelude profile 'x' has a prelude of its own" },
	{ "test_error_prelude_profiles", "profiles:\n" "  x: {prelude: {c2s: [{profile: y}]}}\n" "  y: {prelude: {s2c: [{bytes_one_of: [N]}]}}\n", 2, 33, "profile 'x': prelude profile 'y' has a prelude of its own" },
	{ "test_error_prelude_profiles", "profiles:\n" "  x: {prelude: {c2s: [{profile: y}]}}\n" "  y: {framing: delimiter, delimiter: \"\\n\"}\n", 2, 33, "profile 'x': prelude profile 'y' has framing delimiter " "(a prelude's profile must be length, varint, ber or fixed)" },
	{ "test_error_prelude_profiles", "profiles:\n" "  x: {prelude: {c2s: [{profile: " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}]}}\n", 2, 33, "profile 'x': prelude: no profile named 'aaaa" },
};
static const size_t n_error_cases = sizeof(error_cases) / sizeof(*error_cases);

/* Runs check_error on every row of error_cases whose test is the name
 * given as cmocka's state; fails if there is none. */
static void test_error_cases(void **state)
{
	const char *test = *state;
	size_t n = 0;

	for (size_t i = 0; i < n_error_cases; i++) {
		const struct err_case *c = &error_cases[i];

		if (strcmp(c->test, test) != 0)
			continue;
		check_error(c->yaml, c->line, c->column, c->fragment);
		n++;
	}
	assert_true(n > 0);
}

/* A cmocka test named name that checks the rows of error_cases for it. */
#define ERROR_TEST(name) { #name, test_error_cases, NULL, NULL, (void *)#name }

static void test_error_profile_names(void **state)
{
	(void)state;
	char yaml[256];

	check_error("profiles:\n  '': {}\n", 2, 3, "profile name must not be empty");
	snprintf(yaml, sizeof(yaml), "profiles:\n  %0*d: {}\n",
		 FC_PROFILE_NAME_MAX, 0);
	check_error(yaml, 2, 3, "is longer than 63 characters");
	check_error("profiles:\n  \"a\\0b\": {}\n", 2, 3, "contains a NUL");
}

static void test_long_name_fits(void **state)
{
	(void)state;
	char name[FC_PROFILE_NAME_MAX];
	char yaml[256];
	struct fc_config cfg;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(yaml, sizeof(yaml), "profiles: {%s: {}}\nports: {1: %s}\n",
		 name, name);
	parse_ok(&cfg, yaml);
	assert_string_equal(cfg.profiles[0].name, name);
	assert_ptr_equal(fc_config_for_port(&cfg, 1), &cfg.profiles[0]);
}

/* A section filled to its limit, then one entry too many: head, then max
 * entries (pre, the entry's number counting from first, post), then extra,
 * refused at line:column with fragment (check_error). count_at: where in
 * struct fc_config the count of those entries is (offsetof). */
struct too_many {
	const char *head, *pre;
	int first;
	const char *post;
	int max;
	size_t count_at;
	const char *extra;
	unsigned long line, column;
	const char *fragment;
};

/* Asserts that c's text without extra parses, into *cfg, with max
 * entries counted, and that with extra it is refused as c says. */
static void check_too_many(struct fc_config *cfg, const struct too_many *c)
{
	size_t cap = strlen(c->head) + (size_t)c->max * (strlen(c->pre) + 12 + strlen(c->post)) +
		     strlen(c->extra) + 1;
	char *yaml = malloc(cap);
	size_t n;

	assert_non_null(yaml);
	n = (size_t)snprintf(yaml, cap, "%s", c->head);
	for (int i = c->first; i < c->first + c->max; i++)
		n += (size_t)snprintf(yaml + n, cap - n, "%s%d%s", c->pre, i, c->post);
	assert_true(n < cap);
	parse_ok(cfg, yaml);
	assert_int_equal(*(const int *)((const char *)cfg + c->count_at), c->max);
	snprintf(yaml + n, cap - n, "%s", c->extra);
	check_error(yaml, c->line, c->column, c->fragment);
	free(yaml);
}

static const struct too_many too_many_profiles = {
	"profiles:\n", "  p", 0, ": {}\n", FC_CONFIG_MAX_PROFILES,
	offsetof(struct fc_config, nprofiles), "  one_more: {}\n",
	FC_CONFIG_MAX_PROFILES + 2, 3, "too many profiles (at most 64)",
};

static const struct too_many too_many_ports = {
	"profiles: {x: {}}\nports:\n", "  ", 1, ": x\n", FC_CONFIG_MAX_PORTS,
	offsetof(struct fc_config, nports), "  60000: x\n",
	FC_CONFIG_MAX_PORTS + 3, 3, "too many ports (at most 256)",
};

/* check_too_many on the struct too_many given as cmocka's state. */
static void test_too_many(void **state)
{
	struct fc_config cfg;

	check_too_many(&cfg, *state);
}

/* A cmocka test named test_error_<c> that runs test_too_many on c. */
#define TOO_MANY_TEST(c) { "test_error_" #c, test_too_many, NULL, NULL, (void *)&(c) }

/* ---- files and formatting ---- */

static char *write_temp(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	int fd;

	assert_non_null(path);
	snprintf(path, 4096, "%s/fc_config_test.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, data, len) == (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static void test_load_missing_file(void **state)
{
	(void)state;
	static const char path[] = "/nonexistent/dir/framecap.yaml";
	struct fc_config cfg;
	struct fc_config_error err;
	char buf[512];

	assert_int_equal(fc_config_load(&cfg, path, &err), -1);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 0);
	assert_int_equal(err.column, 0);
	assert_non_null(strstr(err.message, "No such file or directory"));
	fc_config_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/nonexistent/dir/framecap.yaml: cannot open: "
				 "No such file or directory");
	assert_int_equal(cfg.nprofiles, 0);
}

static void test_load_directory(void **state)
{
	(void)state;
	struct fc_config cfg;
	struct fc_config_error err;

	assert_int_equal(fc_config_load(&cfg, "/", &err), -1);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "Is a directory"));
}

static void test_load_valid_file(void **state)
{
	(void)state;
	static const char yaml[] =
		"profiles:\n"
		"  kafka: {byte_order: big}\n"
		"ports: {9092: kafka}\n";
	char *path = write_temp(yaml, strlen(yaml));
	struct fc_config cfg;
	struct fc_config_error err;

	assert_int_equal(fc_config_load(&cfg, path, &err), 0);
	assert_int_equal(cfg.nprofiles, 1);
	assert_profile(fc_config_for_port(&cfg, 9092), "kafka", 0, 4,
		       FC_BIG_ENDIAN, true, 0, 4, DEFAULT_MAX_FRAME);
	unlink(path);
	free(path);
}

static void test_load_error_names_file(void **state)
{
	(void)state;
	static const char yaml[] = "profiles:\n  x: {length_size: 9}\n";
	char *path = write_temp(yaml, strlen(yaml));
	struct fc_config cfg;
	struct fc_config_error err;
	char buf[512], want[512];

	assert_int_equal(fc_config_load(&cfg, path, &err), -1);
	fc_config_error_format(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s:2:20: profile 'x': length_size must be 1 to 8",
		 path);
	assert_string_equal(buf, want);
	unlink(path);
	free(path);
}

/* A valid document padded with comment lines to exactly n bytes. */
static char *padded_config(size_t n)
{
	static const char head[] = "profiles: {x: {}}\n";
	char *buf = malloc(n);

	assert_non_null(buf);
	memset(buf, '#', n);
	memcpy(buf, head, strlen(head));
	for (size_t i = strlen(head) + 63; i < n; i += 64)
		buf[i] = '\n';
	buf[n - 1] = '\n';
	return buf;
}

static void test_load_size_limit(void **state)
{
	(void)state;
	struct fc_config cfg;
	struct fc_config_error err;
	char *text, *path;

	/* Exactly 1 MiB is allowed. */
	text = padded_config(MIB);
	path = write_temp(text, MIB);
	assert_int_equal(fc_config_load(&cfg, path, &err), 0);
	assert_int_equal(cfg.nprofiles, 1);
	unlink(path);
	free(path);
	free(text);

	text = padded_config(MIB + 1);
	path = write_temp(text, MIB + 1);
	assert_int_equal(fc_config_load(&cfg, path, &err), -1);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "larger than 1 MiB"));
	assert_int_equal(cfg.nprofiles, 0);
	unlink(path);
	free(path);
	free(text);
}

/* A FIFO is refused at once, whether named or found: opening one for
 * reading would wait for a writer that never comes. */
static void test_load_fifo(void **state)
{
	(void)state;
	struct fc_config cfg;
	struct fc_config_error err;
	char *path = write_temp("", 0);
	const char *why;

	unlink(path);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(fc_config_load(&cfg, path, &err), -1);
	assert_non_null(strstr(err.message, "not a regular file"));
	assert_int_equal(fc_config_load_found(&cfg, path, &err, &why), FC_CONFIG_SKIPPED);
	assert_non_null(strstr(why, "not a regular file"));
	unlink(path);
	free(path);
}

/* The search trusts a regular file of ours that no one else may write. */
static void test_load_found_trust(void **state)
{
	(void)state;
	static const char yaml[] = "profiles: {x: {}}\n";
	struct fc_config cfg;
	struct fc_config_error err;
	char *path = write_temp(yaml, strlen(yaml));
	const char *why;

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(fc_config_load_found(&cfg, path, &err, &why), FC_CONFIG_LOADED);
	assert_null(why);
	assert_int_equal(cfg.nprofiles, 1);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(fc_config_load_found(&cfg, path, &err, &why), FC_CONFIG_SKIPPED);
	assert_string_equal(why, "writable by group or others");
	assert_int_equal(cfg.nprofiles, 0);
	assert_int_equal(chmod(path, 0602), 0);
	assert_int_equal(fc_config_load_found(&cfg, path, &err, &why), FC_CONFIG_SKIPPED);
	/* Named by the user, the same file is read. */
	assert_int_equal(fc_config_load(&cfg, path, &err), 0);
	assert_int_equal(cfg.nprofiles, 1);
	unlink(path);
	assert_int_equal(fc_config_load_found(&cfg, path, &err, &why), FC_CONFIG_ABSENT);
	free(path);
}

/* --- nesting and size limits, checked before libyaml reads the text ---- */

#define DEEP 40000 /* 44 s in libyaml's scanner before the limit */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* text is rejected at line:column with a message holding fragment, in
 * well under a second (libyaml alone took 44 s on the deep inputs). */
static void check_fast_reject(const char *text, size_t len, unsigned long line,
			      unsigned long column, const char *fragment)
{
	struct fc_config cfg;
	struct fc_config_error err;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fc_config_parse(&cfg, text, len, "deep.yaml", &err), -1);
	assert_true(seconds_since(&t0) < 1.0);
	if (!strstr(err.message, fragment) || err.line != line || err.column != column)
		print_error("got %lu:%lu: %s\n", err.line, err.column, err.message);
	assert_non_null(strstr(err.message, fragment));
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_int_equal(cfg.nprofiles, 0);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail,
		    size_t *len)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *buf = malloc(hl + ul * n + tl + 1);

	assert_non_null(buf);
	memcpy(buf, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + hl + i * ul, unit, ul);
	memcpy(buf + hl + n * ul, tail, tl + 1);
	*len = hl + ul * n + tl;
	return buf;
}

static void test_deep_flow_nesting(void **state)
{
	(void)state;
	size_t len;
	char *text = repeat("profiles: ", "[", DEEP, "]", &len);

	/* The mapping is level 1; the 64th '[' (column 11 + 63) is level 65. */
	check_fast_reject(text, len, 1, 74, "nested deeper than 64 levels");
	free(text);
	text = repeat("profiles:\n  x: ", "{a: ", DEEP, "}", &len);
	check_fast_reject(text, len, 2, 6 + 62 * 4, "nested deeper than 64 levels");
	free(text);
}

static void test_deep_block_nesting(void **state)
{
	(void)state;
	size_t len;
	char *text = repeat("profiles:\n  ", "- ", DEEP, "x\n", &len);
	char *p;

	/* Columns 0, 2, then one per "- ": the 65th level starts at 129. */
	check_fast_reject(text, len, 2, 129, "nested deeper than 64 levels");
	free(text);

	/* Indentation: each key one column deeper than its parent. */
	text = malloc(200 * 210);
	assert_non_null(text);
	p = text;
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "%*sk%d:\n", i, "", i);
	check_fast_reject(text, (size_t)(p - text), 65, 65, "nested deeper than 64 levels");
	free(text);
}

/* What the one-pass count takes for a plain scalar (hello 'x ...) hides
 * the brackets of the next line from it; libyaml's own events still stop
 * at level 65, with the scanner only a line ahead. */
static void test_deep_nesting_behind_a_quote(void **state)
{
	(void)state;
	size_t len;
	char *text = repeat("profiles: hello 'x\nk: ", "[", DEEP, "", &len);

	check_fast_reject(text, len, 2, 4 + 63, "nested deeper than 64 levels");
	free(text);
}

/* 64 levels are allowed: the error is then about the content. */
static void test_nesting_at_the_limit(void **state)
{
	(void)state;
	struct fc_config cfg;
	struct fc_config_error err;
	size_t len;
	char *text = repeat("profiles: ", "[", 63, "", &len);
	char *full = malloc(len + 64);

	assert_non_null(full);
	memcpy(full, text, len);
	memset(full + len, ']', 63);
	full[len + 63] = '\n';
	assert_int_equal(fc_config_parse(&cfg, full, len + 64, "t.yaml", &err), -1);
	assert_null(strstr(err.message, "nested"));
	assert_non_null(strstr(err.message, "'profiles' must be a mapping"));
	free(full);
	free(text);
}

/* The 1 MiB cap holds for text given in memory too, not only for files. */
static void test_parse_size_limit(void **state)
{
	(void)state;
	struct fc_config cfg;
	struct fc_config_error err;
	char *text = padded_config(MIB + 1);
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fc_config_parse(&cfg, text, MIB + 1, "big.yaml", &err), -1);
	assert_true(seconds_since(&t0) < 1.0);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "larger than 1 MiB"));
	assert_int_equal(fc_config_parse(&cfg, text, MIB, "big.yaml", &err), 0);
	free(text);
}

/* Brackets that do not nest anything: in comments, in quoted scalars
 * (with their escapes), inside plain scalars in block context. The guard
 * alone: these are not profiles the reader would take. */
static void test_guard_ignores_quotes_and_comments(void **state)
{
	(void)state;
	static const char *const units[] = { "[{", "{[\\\"", "[['' ", "a[{" };
	static const char *const heads[] = { "# ", "k: \"", "k: '", "k: " };
	static const char *const tails[] = { "\nk: v\n", "\"\n", "'\n", "\n" };
	struct fc_config_guard_error ge;
	struct fc_config cfg;
	struct fc_config_error err;
	size_t len;
	char *q;

	for (int i = 0; i < 4; i++) {
		q = repeat(heads[i], units[i], 1000, tails[i], &len);
		if (fc_config_guard(q, len, &ge) != 0)
			print_error("case %d: %lu:%lu: %s\n", i, ge.line, ge.column, ge.message);
		assert_int_equal(fc_config_guard(q, len, &ge), 0);
		free(q);
	}
	q = repeat("# a comment\nprofiles:\n  x:\n    length_size: 4 ", "", 0,
		   "# {[\nports: {1: x}\n", &len);
	assert_int_equal(fc_config_parse(&cfg, q, len, "t.yaml", &err), 0);
	free(q);
}

static void test_error_format(void **state)
{
	(void)state;
	struct fc_config_error err;
	char buf[64];

	memset(&err, 0, sizeof(err));
	strcpy(err.file, "a.yaml");
	strcpy(err.message, "boom");
	err.line = 3;
	err.column = 7;
	fc_config_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml:3:7: boom");
	err.line = 0;
	err.column = 0;
	fc_config_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml: boom");
	fc_config_error_format(&err, buf, 4);
	assert_string_equal(buf, "a.y");
}

/* ---- framings and preludes (issue 13) ---- */

/* The vocabulary block of issue 13, exactly as written there. */
static const char issue13_yaml[] =
	"profiles:\n"
	"  mqtt:    {framing: varint, length_offset: 1, varint_max_bytes: 4}\n"
	"  pbuf:    {framing: varint}                 # protobuf writeDelimitedTo\n"
	"  ldap:    {framing: ber}                    # tag byte + BER definite length\n"
	"  lines:   {framing: delimiter, delimiter: \"\\r\\n\"}\n"
	"  stomp:   {framing: delimiter, delimiter: \"\\0\"}\n"
	"  fixed16: {framing: fixed, frame_size: 16}\n"
	"  oncrpc:  {length_size: 4, byte_order: big, signed: false, length_mask: 0x7fffffff}\n"
	"  pg_startup: {length_size: 4, byte_order: big, signed: false,\n"
	"               length_adjustment: -4, header_size: 4, max_frame: 10240}\n"
	"  pg:\n"
	"    length_offset: 1\n"
	"    length_size: 4\n"
	"    byte_order: big\n"
	"    signed: false\n"
	"    length_adjustment: -4\n"
	"    header_size: 5\n"
	"    prelude:\n"
	"      c2s: [{profile: pg_startup, max_frames: 2}]\n"
	"      s2c: [{bytes_one_of: [\"N\", \"S\"]}]\n"
	"  amqp: {length_offset: 3, length_size: 4, byte_order: big, signed: false,\n"
	"         length_adjustment: 1, header_size: 7,\n"
	"         prelude: {c2s: [{bytes_one_of: [\"AMQP\\x00\\x00\\x09\\x01\"]}]}}\n";

/* The fields the framings other than length use, at their defaults unless
 * given. */
static void assert_other(const struct fc_profile *p, enum fc_framing framing,
			 uint64_t mask, uint32_t varint_max, const char *delim,
			 size_t delim_len, uint64_t frame_size)
{
	assert_int_equal(p->framing, framing);
	assert_true(p->length_mask == mask);
	assert_int_equal(p->varint_max_bytes, varint_max);
	assert_int_equal(p->delimiter_len, delim_len);
	assert_memory_equal(p->delimiter, delim, delim_len);
	assert_true(p->frame_size == frame_size);
	assert_null(fc_profile_check(p));
}

static void test_issue13_vocabulary(void **state)
{
	struct fc_config cfg;
	const struct fc_profile *p;
	const struct fc_prelude_step *st;
	uint32_t n;

	(void)state;
	parse_ok(&cfg, issue13_yaml);
	assert_int_equal(cfg.nprofiles, 10);
	assert_int_equal(cfg.npreludes, 2);

	p = must_find(&cfg, "mqtt");
	assert_profile(p, "mqtt", 1, 4, FC_LITTLE_ENDIAN, true, 0, 5, DEFAULT_MAX_FRAME);
	assert_other(p, FC_FRAMING_VARINT, 0, 4, "", 0, 0);
	assert_null(p->prelude);

	p = must_find(&cfg, "pbuf");
	assert_profile(p, "pbuf", 0, 4, FC_LITTLE_ENDIAN, true, 0, 4, DEFAULT_MAX_FRAME);
	assert_other(p, FC_FRAMING_VARINT, 0, 5, "", 0, 0);

	p = must_find(&cfg, "ldap");
	assert_profile(p, "ldap", 0, 4, FC_LITTLE_ENDIAN, true, 0, 4, DEFAULT_MAX_FRAME);
	assert_other(p, FC_FRAMING_BER, 0, 5, "", 0, 0);

	p = must_find(&cfg, "lines");
	assert_other(p, FC_FRAMING_DELIMITER, 0, 5, "\r\n", 2, 0);
	assert_int_equal(p->delimiter_fallback[0], 0);
	assert_int_equal(p->delimiter_fallback[1], 0);
	assert_true(p->max_frame == DEFAULT_MAX_FRAME);

	p = must_find(&cfg, "stomp");
	assert_other(p, FC_FRAMING_DELIMITER, 0, 5, "\0", 1, 0);

	p = must_find(&cfg, "fixed16");
	assert_other(p, FC_FRAMING_FIXED, 0, 5, "", 0, 16);
	assert_true(p->max_frame == DEFAULT_MAX_FRAME);

	p = must_find(&cfg, "oncrpc");
	assert_profile(p, "oncrpc", 0, 4, FC_BIG_ENDIAN, false, 0, 4, DEFAULT_MAX_FRAME);
	assert_other(p, FC_FRAMING_LENGTH, 0x7fffffff, 5, "", 0, 0);
	assert_null(p->prelude);

	p = must_find(&cfg, "pg_startup");
	assert_profile(p, "pg_startup", 0, 4, FC_BIG_ENDIAN, false, -4, 4, 10240);
	assert_other(p, FC_FRAMING_LENGTH, 0, 5, "", 0, 0);
	assert_null(p->prelude);

	p = must_find(&cfg, "pg");
	assert_profile(p, "pg", 1, 4, FC_BIG_ENDIAN, false, -4, 5, DEFAULT_MAX_FRAME);
	assert_other(p, FC_FRAMING_LENGTH, 0, 5, "", 0, 0);
	assert_ptr_equal(p->prelude, &cfg.preludes[0]);
	st = fc_prelude_steps(p, FC_DIR_C2S, &n);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].kind, FC_PRELUDE_PROFILE);
	assert_int_equal(st[0].max_frames, 2);
	assert_memory_equal(&st[0].profile, must_find(&cfg, "pg_startup"),
			    sizeof(struct fc_profile));
	st = fc_prelude_steps(p, FC_DIR_S2C, &n);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].kind, FC_PRELUDE_BYTES_ONE_OF);
	assert_int_equal(st[0].nchoices, 2);
	assert_int_equal(st[0].choice_len[0], 1);
	assert_int_equal(st[0].choice[0][0], 'N');
	assert_int_equal(st[0].choice_len[1], 1);
	assert_int_equal(st[0].choice[1][0], 'S');

	p = must_find(&cfg, "amqp");
	assert_profile(p, "amqp", 3, 4, FC_BIG_ENDIAN, false, 1, 7, DEFAULT_MAX_FRAME);
	assert_other(p, FC_FRAMING_LENGTH, 0, 5, "", 0, 0);
	assert_ptr_equal(p->prelude, &cfg.preludes[1]);
	st = fc_prelude_steps(p, FC_DIR_C2S, &n);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].kind, FC_PRELUDE_BYTES_ONE_OF);
	assert_int_equal(st[0].nchoices, 1);
	assert_int_equal(st[0].choice_len[0], 8);
	assert_memory_equal(st[0].choice[0], "AMQP\0\0\x09\x01", 8);
	assert_null(fc_prelude_steps(p, FC_DIR_S2C, &n));
	assert_int_equal(n, 0);
}

/* Byte strings: the scalar's length (NUL inside), YAML's escapes, \xHH as
 * a byte, and the same in a file with wide characters before it. */
static void check_delimiter(const char *yaml, const char *want, size_t want_len)
{
	struct fc_config cfg;

	parse_ok(&cfg, yaml);
	assert_int_equal(cfg.profiles[0].delimiter_len, want_len);
	assert_memory_equal(cfg.profiles[0].delimiter, want, want_len);
}

static void test_delimiter_bytes(void **state)
{
	(void)state;
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: \"\\x00\"}}\n", "\0", 1);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: \"a\\0b\"}}\n", "a\0b", 3);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: ;}}\n", ";", 1);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: '\\r\\n'}}\n", "\\r\\n", 4);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: \"\\xff\\xfe\"}}\n",
			"\xff\xfe", 2);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: \"\\u00e9\\t\\\"\"}}\n",
			"\xc3\xa9\t\"", 4);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: \"\xc3\xa9\"}}\n",
			"\xc3\xa9", 2);
	/* Characters of several bytes before the scalar: libyaml's marks
	 * count characters, the text is bytes. */
	check_delimiter("# \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 caf\xc3\xa9\n"
			"profiles:\n"
			"  d:\n"
			"    framing: delimiter\n"
			"    delimiter: \"\\r\\x80\\n\"\n", "\r\x80\n", 3);
	/* After a byte order mark, which libyaml's marks do not count. */
	check_delimiter("\xef\xbb\xbfprofiles: {d: {framing: delimiter, delimiter: \"\\xff\"}}\n",
			"\xff", 1);
	/* A folded double-quoted scalar is libyaml's to read. */
	check_delimiter("profiles:\n"
			"  d:\n"
			"    framing: delimiter\n"
			"    delimiter: \"ab\n"
			"      cd\"\n", "ab cd", 5);
	check_delimiter("profiles: {d: {framing: delimiter, delimiter: \"0123456789abcdef\"}}\n",
			"0123456789abcdef", 16);
}

static void test_prelude_forward_and_defaults(void **state)
{
	static const char yaml[] =
		"ports: {5432: pg}\n"
		"profiles:\n"
		"  pg:\n"
		"    prelude:\n"
		"      c2s:\n"
		"        - bytes_one_of: \"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\"\n"
		"        - profile: later\n"
		"      s2c: ~\n"
		"  later: {framing: varint, max_frame: 100}\n"
		"  empty: {prelude: {}}\n"
		"  nulls: {prelude: {c2s: , s2c: []}}\n"
		"  none: {prelude: ~}\n";
	struct fc_config cfg;
	const struct fc_profile *p;
	const struct fc_prelude_step *st;
	uint32_t n;

	(void)state;
	parse_ok(&cfg, yaml);
	assert_int_equal(cfg.npreludes, 1);
	p = fc_config_for_port(&cfg, 5432);
	assert_ptr_equal(p, must_find(&cfg, "pg"));
	st = fc_prelude_steps(p, FC_DIR_C2S, &n);
	assert_int_equal(n, 2);
	assert_int_equal(st[0].kind, FC_PRELUDE_BYTES_ONE_OF);
	assert_int_equal(st[0].nchoices, 1);
	assert_int_equal(st[0].choice_len[0], 24);
	assert_memory_equal(st[0].choice[0], "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	assert_int_equal(st[1].kind, FC_PRELUDE_PROFILE);
	assert_int_equal(st[1].max_frames, 1);
	assert_string_equal(st[1].profile.name, "later");
	assert_int_equal(st[1].profile.framing, FC_FRAMING_VARINT);
	assert_true(st[1].profile.max_frame == 100);
	assert_null(fc_prelude_steps(p, FC_DIR_S2C, &n));
	assert_null(must_find(&cfg, "empty")->prelude);
	assert_null(must_find(&cfg, "nulls")->prelude);
	assert_null(must_find(&cfg, "none")->prelude);
}

static void test_error_too_many_preludes(void **state)
{
	/* Sixteen fit; the seventeenth is refused. */
	static const struct too_many c = {
		"profiles:\n", "  p", 0, ": {prelude: {c2s: [{bytes_one_of: [x]}]}}\n",
		FC_CONFIG_MAX_PRELUDES, offsetof(struct fc_config, npreludes),
		"  p16: {prelude: {c2s: [{bytes_one_of: [x]}]}}\n",
		FC_CONFIG_MAX_PRELUDES + 2, 18, "too many preludes (at most 16)",
	};
	struct fc_config cfg;

	(void)state;
	check_too_many(&cfg, &c);
	assert_ptr_equal(cfg.profiles[15].prelude, &cfg.preludes[15]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_example),
		cmocka_unit_test(test_issue13_vocabulary),
		cmocka_unit_test(test_delimiter_bytes),
		cmocka_unit_test(test_prelude_forward_and_defaults),
		ERROR_TEST(test_error_framing_fields),
		ERROR_TEST(test_error_prelude_shape),
		ERROR_TEST(test_error_prelude_bytes),
		ERROR_TEST(test_error_prelude_profiles),
		cmocka_unit_test(test_error_too_many_preludes),
		cmocka_unit_test(test_load_fifo),
		cmocka_unit_test(test_load_found_trust),
		cmocka_unit_test(test_deep_flow_nesting),
		cmocka_unit_test(test_deep_block_nesting),
		cmocka_unit_test(test_deep_nesting_behind_a_quote),
		cmocka_unit_test(test_nesting_at_the_limit),
		cmocka_unit_test(test_parse_size_limit),
		cmocka_unit_test(test_guard_ignores_quotes_and_comments),
		cmocka_unit_test(test_block_style_every_field),
		cmocka_unit_test(test_defaults_and_derived_header),
		cmocka_unit_test(test_negative_adjustment),
		cmocka_unit_test(test_byte_order_and_signed),
		cmocka_unit_test(test_ports_before_profiles),
		cmocka_unit_test(test_empty_documents),
		cmocka_unit_test(test_null_error_pointer),
		cmocka_unit_test(test_long_name_fits),
		ERROR_TEST(test_error_syntax),
		ERROR_TEST(test_error_bad_utf8),
		ERROR_TEST(test_error_unknown_top_level_key),
		ERROR_TEST(test_error_duplicate_top_level_key),
		ERROR_TEST(test_error_top_level_not_mapping),
		ERROR_TEST(test_error_second_document),
		ERROR_TEST(test_error_sections_not_mappings),
		ERROR_TEST(test_error_alias),
		ERROR_TEST(test_error_unknown_field),
		ERROR_TEST(test_error_duplicate_field),
		ERROR_TEST(test_error_length_size_nine),
		ERROR_TEST(test_error_length_size_zero),
		ERROR_TEST(test_error_header_shorter_than_length_field),
		ERROR_TEST(test_error_length_field_too_far),
		ERROR_TEST(test_error_single_value_ranges),
		ERROR_TEST(test_error_bad_byte_order),
		ERROR_TEST(test_error_bad_signed),
		ERROR_TEST(test_error_non_integer),
		ERROR_TEST(test_error_value_not_scalar),
		ERROR_TEST(test_error_duplicate_profile),
		cmocka_unit_test(test_error_profile_names),
		TOO_MANY_TEST(too_many_profiles),
		ERROR_TEST(test_error_port_out_of_range),
		ERROR_TEST(test_error_port_unknown_profile),
		ERROR_TEST(test_error_duplicate_port),
		TOO_MANY_TEST(too_many_ports),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_directory),
		cmocka_unit_test(test_load_valid_file),
		cmocka_unit_test(test_load_error_names_file),
		cmocka_unit_test(test_load_size_limit),
		cmocka_unit_test(test_error_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
