/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fmt.c - the CLI writers' hand-written number and hex formatting
 * (src/cli/fmt_out.h), against plain reference versions.
 *
 *   fmt_u64  every value below 10^8 (each digit-count branch and the
 *            multiply-only path for seven and eight digits), then powers
 *            of ten and their neighbours up to 2^64 - 1
 *   fmt_hex  every length 0..200 at four alignments, all byte values
 *   fmt_printf  its own %s/%d/%u/%lu/%llu/%zu/%% path and vsnprintf's
 *            (flags, widths, positions, floats) against snprintf, also
 *            where the buffer is nearly full
 *   fmt_tpl  formats taken apart once, against snprintf; the formats
 *            it must refuse (so the caller's English one is used)
 *   fmt_time_us, fmt_endpoint  against snprintf and fc_put_endpoint
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/fmt_out.h"
#include "fc_packet.h"

/* Add one to the decimal text t (NUL-terminated, length *len). */
static void next_decimal(char *t, size_t *len)
{
	size_t i = *len;

	while (i-- > 0) {
		if (t[i] != '9') {
			t[i]++;
			return;
		}
		t[i] = '0';
	}
	memmove(t + 1, t, *len + 1);
	t[0] = '1';
	(*len)++;
}

static void test_u64_below_1e8(void **state)
{
	char want[32] = "0", got[32];
	size_t len = 1;

	(void)state;
	/* The expected text is counted up digit by digit, not formatted: a
	 * mismatch stops at the first wrong value. */
	for (uint32_t x = 0; x < 100000000; x++, next_decimal(want, &len)) {
		char *end = fmt_u64(got, x);

		if ((size_t)(end - got) != len || memcmp(got, want, len) != 0) {
			*end = '\0';
			fail_msg("fmt_u64(%u) gave \"%s\"", x, got);
		}
	}
}

static void test_u64_large(void **state)
{
	uint64_t p = 1;

	(void)state;
	for (int k = 0; k < 20; k++, p *= 10) {
		const uint64_t vs[] = { p - 1, p, p + 1, p * 9 + (p - 1) };

		for (unsigned i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
			char want[32], got[32];

			snprintf(want, sizeof(want), "%llu", (unsigned long long)vs[i]);
			*fmt_u64(got, vs[i]) = '\0';
			assert_string_equal(got, want);
		}
	}
	{
		char got[32];

		*fmt_u64(got, UINT64_MAX) = '\0';
		assert_string_equal(got, "18446744073709551615");
		*fmt_i64(got, INT64_MIN) = '\0';
		assert_string_equal(got, "-9223372036854775808");
	}
}

/* fmt_hex at the level in use against snprintf, every length to 200 at
 * four alignments, and all byte values. */
static void check_hex(void)
{
	uint8_t in[256];
	char want[520], got[520 + 64];

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (unsigned align = 0; align < 4; align++) {
		for (size_t n = 0; n <= 200; n++) {
			for (size_t i = 0; i < n; i++)
				snprintf(want + 2 * i, 3, "%02x", in[align + i]);
			memset(got, 'X', sizeof(got));
			assert_ptr_equal(fmt_hex(got, in + align, n), got + 2 * n);
			assert_memory_equal(got, want, 2 * n);
			/* Nothing past the digits, even with overlapping blocks. */
			assert_int_equal(got[2 * n], 'X');
		}
	}
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(in); i++)
		snprintf(want + 2 * i, 3, "%02x", in[i]);
	fmt_hex(got, in, sizeof(in));
	assert_memory_equal(got, want, 2 * sizeof(in));
}

static void test_hex(void **state)
{
	struct fmt_out out;
	int level;

	(void)state;
	/* fmt_init picks the best path this CPU has; each one below it is
	 * then checked too, down to SSE2. */
	assert_int_equal(fmt_init(&out, stdout), 0);
	for (level = fmt_hex_limit(FMT_HEX_AVX2);; level = fmt_hex_limit(level - 1)) {
		check_hex();
		if (level == FMT_HEX_SSE2)
			break;
	}
	fmt_free(&out);
}

/* fmt_printf through an open_memstream FILE, after `pad` bytes of
 * filler, must give what snprintf gives. */
#define CHECK_PRINTF(pad, ...)                                                       \
	do {                                                                         \
		char *mem = NULL, want[512];                                         \
		size_t memlen = 0;                                                   \
		FILE *f = open_memstream(&mem, &memlen);                             \
		struct fmt_out o;                                                    \
                                                                                     \
		assert_non_null(f);                                                  \
		assert_int_equal(fmt_init(&o, f), 0);                                \
		for (size_t k = 0; k < (pad); k++)                                   \
			fmt_write(&o, "-", 1);                                       \
		fmt_printf(&o, __VA_ARGS__);                                         \
		fmt_free(&o);                                                        \
		fclose(f);                                                           \
		snprintf(want, sizeof(want), __VA_ARGS__);                           \
		assert_int_equal(memlen, (pad) + strlen(want));                      \
		assert_memory_equal(mem + (pad), want, strlen(want));                \
		free(mem);                                                           \
	} while (0)

static void test_printf(void **state)
{
	const size_t pads[] = { 0, 100, FMT_BUF_SIZE - 30, FMT_BUF_SIZE - 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		size_t pad = pads[i];

		CHECK_PRINTF(pad, "plain text, no conversion");
		CHECK_PRINTF(pad, "%s %d %u %ld %lu %lld %llu %zu %%", "name", -42, 42u,
			     -1234567890123L, 18446744073709551615UL, (long long)INT64_MIN,
			     0ULL, (size_t)7);
		CHECK_PRINTF(pad, "  = stream %" PRIu64 " (%s): %s", (uint64_t)12, "fin",
			     "a longer string that does not fit near the end of the buffer");
		CHECK_PRINTF(pad, "%5s|%-4d|%03u|%.2f|%x", "ab", 7, 9u, 1.5, 255u);
		CHECK_PRINTF(pad, "%2$s %1$s", "world", "hello");
		CHECK_PRINTF(pad, "%d%%%s", 100, "");
	}
}

/* What a template writes through an open_memstream FILE after `pad`
 * bytes of filler (malloc'd, its length in *len). */
static char *tpl_output(size_t pad, const struct fmt_tpl *t, const union fmt_arg *a, size_t *len)
{
	char *mem = NULL;
	FILE *f = open_memstream(&mem, len);
	struct fmt_out o;

	assert_non_null(f);
	assert_int_equal(fmt_init(&o, f), 0);
	for (size_t k = 0; k < pad; k++)
		fmt_write(&o, "-", 1);
	fmt_tpl_write(&o, t, a);
	fmt_free(&o);
	fclose(f);
	return mem;
}

/* The template's text after `pad` bytes, against snprintf's `want`. */
static void check_tpl(size_t pad, const struct fmt_tpl *t, const union fmt_arg *a,
		      const char *want)
{
	size_t memlen = 0;
	char *mem = tpl_output(pad, t, a, &memlen);

	assert_int_equal(memlen, pad + strlen(want));
	assert_memory_equal(mem + pad, want, strlen(want));
	free(mem);
}

static void test_tpl(void **state)
{
	const size_t pads[] = { 0, 100, FMT_BUF_SIZE - 30, FMT_BUF_SIZE - 1 };
	static char big[FMT_ROOM_MAX + 10];
	char want[512];
	struct fmt_tpl t;

	(void)state;
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		union fmt_arg a[3] = { { .u = 12 }, { .s = "capture end" }, { .u = UINT64_MAX } };
		union fmt_arg b[2] = { { .s = "world" }, { .s = "hello" } };

		assert_true(fmt_tpl_init(&t, "  = stream %" PRIu64 " (%s): ", "us"));
		snprintf(want, sizeof(want), "  = stream %" PRIu64 " (%s): ", a[0].u, a[1].s);
		check_tpl(pads[i], &t, a, want);
		assert_true(fmt_tpl_init(&t, "%llu%% of %s, %lu left; a literal run longer than "
					     "sixteen bytes", "usu"));
		snprintf(want, sizeof(want), "%" PRIu64 "%% of %s, %" PRIu64 " left; a literal run "
			 "longer than sixteen bytes", a[0].u, a[1].s, a[2].u);
		check_tpl(pads[i], &t, a, want);
		assert_true(fmt_tpl_init(&t, "%2$s %1$s", "ss"));
		check_tpl(pads[i], &t, b, "hello world");
		assert_true(fmt_tpl_init(&t, "", ""));
		check_tpl(pads[i], &t, a, "");
	}
	/* A string longer than one reservation goes out in pieces. */
	memset(big, 'x', sizeof(big) - 1);
	assert_true(fmt_tpl_init(&t, "<%s>", "s"));
	{
		size_t memlen = 0;
		char *mem = tpl_output(0, &t, &(union fmt_arg){ .s = big }, &memlen);

		assert_int_equal(memlen, sizeof(big) + 1);
		assert_true(mem[0] == '<' && mem[memlen - 1] == '>');
		free(mem);
	}
	/* Refused: other conversions, flags and widths, a kind other than
	 * the caller's, more conversions than arguments, too long. */
	assert_false(fmt_tpl_init(&t, "%d", "u"));
	assert_false(fmt_tpl_init(&t, "%5s", "s"));
	assert_false(fmt_tpl_init(&t, "%s", "u"));
	assert_false(fmt_tpl_init(&t, "%lu %lu", "u"));
	assert_false(fmt_tpl_init(&t, "%3$s", "ss"));
	assert_false(fmt_tpl_init(&t, "%", ""));
	memset(big, 'y', FMT_TPL_TEXT + 1);
	big[FMT_TPL_TEXT + 1] = '\0';
	assert_false(fmt_tpl_init(&t, big, ""));
	big[FMT_TPL_TEXT] = '\0';
	assert_true(fmt_tpl_init(&t, big, ""));
}

static void check_time(int64_t us)
{
	uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	char want[48], got[48];

	snprintf(want, sizeof(want), "%s%" PRIu64 ".%06u", us < 0 ? "-" : "", u / 1000000,
		 (unsigned)(u % 1000000));
	*fmt_time_us(got, us) = '\0';
	assert_string_equal(got, want);
}

static void test_time(void **state)
{
	(void)state;
	for (int64_t us = -2000000; us <= 2000000; us += 7)
		check_time(us);
	check_time(INT64_MIN);
	check_time(INT64_MAX);
	check_time(1700000000123456);
}

static void test_endpoint(void **state)
{
	struct fc_addr a = { .family = 4 };
	char want[FC_ENDPOINT_MAX], got[FC_ENDPOINT_MAX];
	struct fmt_out out;

	(void)state;
	assert_int_equal(fmt_init(&out, stdout), 0); /* fills the octet table */
	fmt_free(&out);
	/* Every port, and each octet value in each position. */
	for (uint32_t port = 0; port <= 65535; port++) {
		for (int i = 0; i < 4; i++)
			a.bytes[i] = (uint8_t)(port * (2 * i + 1) + i);
		*fc_put_endpoint(want, &a, (uint16_t)port) = '\0';
		*fmt_endpoint(got, &a, (uint16_t)port) = '\0';
		assert_string_equal(got, want);
	}
	a.family = 6;
	a.bytes[0] = 0xfd;
	*fc_put_endpoint(want, &a, 8001) = '\0';
	*fmt_endpoint(got, &a, 8001) = '\0';
	assert_string_equal(got, want);
	a.family = 0;
	*fmt_endpoint(got, &a, 1) = '\0';
	assert_string_equal(got, "?:1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_below_1e8),
		cmocka_unit_test(test_u64_large),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_tpl),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_endpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
