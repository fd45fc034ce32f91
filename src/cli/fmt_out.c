/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fmt_out.c - the CLI writers' output buffer and hand-written formatting.
 *
 * With millions of small frames the writers, not the decoder, set the
 * pace: printf parses its format for every field, and stdio locks the
 * stream for every call. Lines are built here with plain stores into one
 * large buffer that goes to the FILE in big pieces.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fc_packet.h"
#include "fmt_out.h"
#include "output.h"

#if defined(__SSE2__) && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FMT_HEX_SIMD 1
#include <immintrin.h>
#endif

const char fmt_digit_pairs[200] =
	"00010203040506070809" "10111213141516171819" "20212223242526272829"
	"30313233343536373839" "40414243444546474849" "50515253545556575859"
	"60616263646566676869" "70717273747576777879" "80818283848586878889"
	"90919293949596979899";

/* The instructions fmt_hex uses (FMT_HEX_*), the best the CPU has: set
 * by fmt_init, before any writer runs. */
static int hex_level;

/* Each IPv4 address byte's digits and a '.', and their count: an
 * endpoint's bytes by one 4-byte move each (fmt_endpoint). Filled once,
 * by the first fmt_init: a writer on another thread may be using them
 * when a later one starts. */
static char octet_text[256][4];
static uint8_t octet_len[256];
static pthread_once_t octet_once = PTHREAD_ONCE_INIT;

static void octet_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		char *end = fmt_u14(octet_text[i], i);

		*end = '.';
		octet_len[i] = (uint8_t)(end + 1 - octet_text[i]);
	}
}

int fmt_init(struct fmt_out *o, FILE *f)
{
	hex_level = FMT_HEX_SSE2;
#ifdef FMT_HEX_SIMD
	if (__builtin_cpu_supports("avx2"))
		hex_level = FMT_HEX_AVX2;
	else if (__builtin_cpu_supports("ssse3"))
		hex_level = FMT_HEX_SSSE3;
#endif
	pthread_once(&octet_once, octet_init);
	o->f = f;
	o->len = 0;
	o->err = 0;
	o->buf = malloc(FMT_BUF_SIZE);
	return o->buf ? 0 : -1;
}

/* Remember the first failure of a write to the FILE. */
static void note_failure(struct fmt_out *o)
{
	if (!o->err)
		o->err = errno ? errno : EIO;
}

/* Write n bytes to the FILE, unless a write failed before: output past a
 * failure would leave a hole in what the reader gets. */
static void put(struct fmt_out *o, const void *s, size_t n)
{
	if (o->err)
		return;
	errno = 0;
	if (fwrite(s, 1, n, o->f) != n)
		note_failure(o);
}

void fmt_drain(struct fmt_out *o)
{
	if (o->len)
		put(o, o->buf, o->len);
	o->len = 0;
}

void fmt_flush(struct fmt_out *o)
{
	fmt_drain(o);
	if (o->err)
		return;
	errno = 0;
	if (fflush(o->f) != 0)
		note_failure(o);
}

void fmt_free(struct fmt_out *o)
{
	if (!o->buf)
		return;
	fmt_drain(o);
	free(o->buf);
	o->buf = NULL;
}

void fmt_write(struct fmt_out *o, const void *s, size_t n)
{
	if (n > FMT_ROOM_MAX) { /* no use copying it */
		fmt_drain(o);
		put(o, s, n);
		return;
	}
	fmt_commit(o, fmt_mem(fmt_room(o, n), s, n));
}

/* The conversions the writers' formats (and their translations) mostly
 * use, without vsnprintf's set-up for each call: a stream's summary line
 * on many short connections is several printf calls, and they were a
 * sixth of the text view's instructions. %s, %d, %u, %ld, %lu, %lld,
 * %llu, %zu and %%, no flags, widths, precisions or positions; on
 * anything else, or when the buffer's room may not do, false with
 * nothing written, and vsnprintf does it. */
static bool simple_vprintf(struct fmt_out *o, const char *fmt, va_list ap)
{
	char *p = o->buf + o->len, *end = o->buf + FMT_BUF_SIZE;

	for (;;) {
		const char *pct = strchrnul(fmt, '%');
		size_t n = (size_t)(pct - fmt);
		unsigned longs = 0;

		if ((size_t)(end - p) < n + 24) /* the run and a number */
			return false;
		p = fmt_mem(p, fmt, n);
		if (!*pct)
			break;
		fmt = pct + 1;
		while (*fmt == 'l' && longs < 2) {
			fmt++;
			longs++;
		}
		if (*fmt == 'z' && !longs) {
			fmt++;
			longs = 3;
		}
		switch (*fmt++) {
		case '%':
			if (longs)
				return false;
			*p++ = '%';
			break;
		case 'd':
			if (longs == 3)
				return false;
			p = fmt_i64(p, longs == 0 ? va_arg(ap, int)
				       : longs == 1 ? va_arg(ap, long) : va_arg(ap, long long));
			break;
		case 'u':
			p = fmt_u64(p, longs == 0 ? va_arg(ap, unsigned)
				       : longs == 1 ? va_arg(ap, unsigned long)
				       : longs == 2 ? va_arg(ap, unsigned long long)
						    : va_arg(ap, size_t));
			break;
		case 's': {
			const char *str = longs ? NULL : va_arg(ap, const char *);

			if (!str) /* printf's "(null)" is not worth copying */
				return false;
			n = strlen(str);
			if ((size_t)(end - p) < n)
				return false;
			p = fmt_mem(p, str, n);
			break;
		}
		default:
			return false;
		}
	}
	o->len = (size_t)(p - o->buf);
	return true;
}

void fmt_vprintf(struct fmt_out *o, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	if (simple_vprintf(o, fmt, again)) {
		va_end(again);
		return;
	}
	va_end(again);
	va_copy(again, ap);
	n = vsnprintf(o->buf + o->len, FMT_BUF_SIZE - o->len, fmt, ap);
	if (n >= 0 && (size_t)n >= FMT_BUF_SIZE - o->len) {
		/* Did not fit: start from an empty buffer, or go around it. */
		fmt_drain(o);
		if ((size_t)n < FMT_BUF_SIZE)
			n = vsnprintf(o->buf, FMT_BUF_SIZE, fmt, again);
		else {
			errno = 0;
			if (!o->err && vfprintf(o->f, fmt, again) < 0)
				note_failure(o);
			n = 0;
		}
	}
	va_end(again);
	if (n > 0)
		o->len += (size_t)n;
}

void fmt_printf(struct fmt_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vprintf(o, fmt, ap);
	va_end(ap);
}

bool fmt_tpl_init(struct fmt_tpl *t, const char *fmt, const char *kinds)
{
	size_t nkinds = strlen(kinds), len = 0;
	unsigned next = 0; /* the argument an unnumbered conversion takes */

	memset(t, 0, sizeof(*t));
	for (const char *f = fmt; *f; f++) {
		unsigned arg = next;
		char kind;

		if (*f != '%' || f[1] == '%') {
			if (len == FMT_TPL_TEXT)
				goto fail;
			t->text[len++] = *f;
			f += *f == '%';
			continue;
		}
		f++;
		if (*f >= '1' && *f <= '9' && f[1] == '$') {
			arg = (unsigned)(*f - '1');
			f += 2;
		}
		if (f[0] == 's') {
			kind = 's';
		} else if (f[0] == 'l' && f[1] == 'u') {
			kind = 'u';
			f += 1;
		} else if (f[0] == 'l' && f[1] == 'l' && f[2] == 'u') {
			kind = 'u';
			f += 2;
		} else {
			goto fail;
		}
		if (t->n == FMT_TPL_ARGS || arg >= nkinds || kinds[arg] != kind)
			goto fail;
		t->end[t->n] = (uint16_t)len;
		t->arg[t->n] = (uint8_t)arg;
		t->kind[t->n++] = kind;
		next = arg + 1;
	}
	t->end[t->n] = (uint16_t)len;
	return true;
fail:
	memset(t, 0, sizeof(*t));
	return false;
}

/* fmt_tpl_write's rare case: a string argument too long for one
 * reservation. */
static void tpl_write_pieces(struct fmt_out *o, const struct fmt_tpl *t, const union fmt_arg *a)
{
	unsigned from = 0;

	for (unsigned i = 0; i < t->n; i++) {
		const union fmt_arg *v = &a[t->arg[i]];

		fmt_write(o, t->text + from, t->end[i] - from);
		from = t->end[i];
		if (t->kind[i] == 's')
			fmt_str(o, v->s);
		else
			fmt_commit(o, fmt_u64(fmt_room(o, 20), v->u));
	}
	fmt_write(o, t->text + from, t->end[t->n] - from);
}

/* Literal run text[from, to) at p, in 16-byte moves: text has room past
 * its end for the last one, and so has the caller's reservation. */
static char *tpl_run(char *p, const char *text, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i += 16)
		memcpy(p + (i - from), text + i, 16);
	return p + (to - from);
}

char *fmt_tpl_put(char *p, const struct fmt_tpl *t, const union fmt_arg *a)
{
	unsigned from = 0;

	for (unsigned i = 0; i < t->n; i++) {
		const union fmt_arg *v = &a[t->arg[i]];

		p = tpl_run(p, t->text, from, t->end[i]);
		from = t->end[i];
		p = t->kind[i] == 's' ? fmt_mem(p, v->s, strlen(v->s)) : fmt_u64(p, v->u);
	}
	return tpl_run(p, t->text, from, t->end[t->n]);
}

void fmt_tpl_write(struct fmt_out *o, const struct fmt_tpl *t, const union fmt_arg *a)
{
	size_t strs = 0;

	for (unsigned i = 0; i < t->n; i++)
		if (t->kind[i] == 's')
			strs += strlen(a[t->arg[i]].s);
	if (FMT_TPL_ROOM + strs > FMT_ROOM_MAX)
		tpl_write_pieces(o, t, a);
	else
		fmt_commit(o, fmt_tpl_put(fmt_room(o, FMT_TPL_ROOM + strs), t, a));
}

char *fmt_u64_big(char *p, uint64_t v)
{
	uint64_t hi = v / 100000000;

	if (hi < 100000000) {
		p = fmt_u27(p, (uint32_t)hi);
	} else {
		p = fmt_u27(p, (uint32_t)(hi / 100000000));
		p = fmt_8digits(p, (uint32_t)(hi % 100000000));
	}
	return fmt_8digits(p, (uint32_t)(v % 100000000));
}

char *fmt_time_us(char *p, int64_t us)
{
	uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	unsigned frac;

	if (us < 0)
		*p++ = '-';
	p = fmt_u64(p, u / 1000000);
	frac = (unsigned)(u % 1000000);
	*p++ = '.';
	/* Three digit pairs, not six dependent divisions by ten. */
	p = fmt_pair(p, frac / 10000);
	return fmt_4digits(p, frac % 10000);
}

char *fmt_endpoint(char *p, const struct fc_addr *a, uint16_t port)
{
	if (a->family != 4) /* IPv6's zero runs: inet_ntop's rules */
		return fc_put_endpoint(p, a, port);
	for (int i = 0; i < 4; i++) {
		memcpy(p, octet_text[a->bytes[i]], 4);
		p += octet_len[a->bytes[i]];
	}
	p[-1] = ':';
	return fmt_u27(p, port);
}

/* Each byte's two hex digits, for what is left after the 16-byte blocks. */
static const char hex_pairs[512] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* n < 16 bytes, a table lookup each. */
static char *hex_short(char *p, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++, p += 2)
		memcpy(p, hex_pairs + 2 * s[i], 2);
	return p;
}

#ifdef FMT_HEX_SIMD
/* n >= 16: blocks of 16, the last one overlapping the one before when n
 * is not a multiple of 16 (it writes the same digits again), so no byte
 * goes through the scalar path. The nibbles become digits by one table
 * shuffle: SSSE3, which nearly every x86-64 has; fmt_init checks. */
__attribute__((target("ssse3")))
static char *hex_ssse3(char *p, const uint8_t *s, size_t n)
{
	const __m128i low4 = _mm_set1_epi8(0x0f);
	const __m128i digits = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
					     'a', 'b', 'c', 'd', 'e', 'f');
	char *end = p + 2 * n;
	size_t i = 0;

	for (;;) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i hi = _mm_shuffle_epi8(digits, _mm_and_si128(_mm_srli_epi16(v, 4), low4));
		__m128i lo = _mm_shuffle_epi8(digits, _mm_and_si128(v, low4));

		_mm_storeu_si128((__m128i *)(void *)(p + 2 * i), _mm_unpacklo_epi8(hi, lo));
		_mm_storeu_si128((__m128i *)(void *)(p + 2 * i + 16), _mm_unpackhi_epi8(hi, lo));
		i += 16;
		if (i >= n)
			return end;
		if (n - i < 16)
			i = n - 16;
	}
}

/* n >= 32: the same, 32 bytes a step (a frame's usual 64 kept bytes in
 * two). The interleaving works within each 16-byte half, so the halves
 * are put back in order before they are stored. */
__attribute__((target("avx2")))
static char *hex_avx2(char *p, const uint8_t *s, size_t n)
{
	const __m256i low4 = _mm256_set1_epi8(0x0f);
	const __m256i digits = _mm256_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
						'a', 'b', 'c', 'd', 'e', 'f',
						'0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
						'a', 'b', 'c', 'd', 'e', 'f');
	char *end = p + 2 * n;
	size_t i = 0;

	for (;;) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
		__m256i hi = _mm256_shuffle_epi8(digits,
						 _mm256_and_si256(_mm256_srli_epi16(v, 4), low4));
		__m256i lo = _mm256_shuffle_epi8(digits, _mm256_and_si256(v, low4));
		__m256i a = _mm256_unpacklo_epi8(hi, lo), b = _mm256_unpackhi_epi8(hi, lo);

		_mm256_storeu_si256((__m256i *)(void *)(p + 2 * i),
				    _mm256_permute2x128_si256(a, b, 0x20));
		_mm256_storeu_si256((__m256i *)(void *)(p + 2 * i + 32),
				    _mm256_permute2x128_si256(a, b, 0x31));
		i += 32;
		if (i >= n)
			return end;
		if (n - i < 32)
			i = n - 32;
	}
}
#endif

/* The same with SSE2 alone: digits by compare and add. */
static char *hex_sse2(char *p, const uint8_t *s, size_t n)
{
#ifdef __SSE2__
	/* Split into nibbles, interleave them, and add '0', or 'a' - 10
	 * where the nibble is above 9. */
	const __m128i low4 = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), letter = _mm_set1_epi8('a' - '0' - 10);

	for (; n >= 16; n -= 16, s += 16, p += 32) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
		__m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low4);
		__m128i lo = _mm_and_si128(v, low4);
		__m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo);

		a = _mm_add_epi8(_mm_add_epi8(a, zero),
				 _mm_and_si128(_mm_cmpgt_epi8(a, nine), letter));
		b = _mm_add_epi8(_mm_add_epi8(b, zero),
				 _mm_and_si128(_mm_cmpgt_epi8(b, nine), letter));
		_mm_storeu_si128((__m128i *)(void *)p, a);
		_mm_storeu_si128((__m128i *)(void *)(p + 16), b);
	}
#endif
	return hex_short(p, s, n);
}

char *fmt_hex(char *p, const uint8_t *s, size_t n)
{
	if (n < 16)
		return hex_short(p, s, n);
#ifdef FMT_HEX_SIMD
	if (hex_level == FMT_HEX_AVX2 && n >= 32)
		return hex_avx2(p, s, n);
	if (hex_level >= FMT_HEX_SSSE3)
		return hex_ssse3(p, s, n);
#endif
	return hex_sse2(p, s, n);
}

int fmt_hex_limit(int level)
{
	if (level < hex_level)
		hex_level = level;
	return hex_level;
}

void fc_output_flush(struct fc_output *o)
{
	if (o->fmt)
		fmt_flush(o->fmt);
}

int fc_output_write_error(const struct fc_output *o)
{
	return o->fmt ? fmt_error(o->fmt) : 0;
}
