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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_below_1e8),
		cmocka_unit_test(test_u64_large),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
