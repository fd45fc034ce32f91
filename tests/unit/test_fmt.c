/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fmt.c - the CLI writers' hand-written number and hex formatting
 * (src/cli/fmt_out.h), against plain reference versions.
 *
 *   fmt_u64  every value below 10^8 (each digit-count branch and the
 *            multiply-only path for seven and eight digits), then powers
 *            of ten and their neighbours up to 2^64 - 1
 *   fmt_hex  every length 0..200 at four alignments, all byte values
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
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

static void check_u64_below_1e8(void)
{
	char want[32] = "0", got[32];
	size_t len = 1;

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

static void check_u64_large(void)
{
	uint64_t p = 1;

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

static void test_u64(void **state)
{
	(void)state;
	check_u64_below_1e8();
	check_u64_large();
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
