/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fmt_out.h - the CLI writers' output buffer and hand-written formatting. */
#ifndef FC_FMT_OUT_H
#define FC_FMT_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Large enough that writes are rare and fwrite passes them straight to
 * write(2); small enough to stay in the L2 cache while it fills. */
#define FMT_BUF_SIZE (256u * 1024)
/* The most one fmt_room call may ask for. */
#define FMT_ROOM_MAX (FMT_BUF_SIZE / 2)

struct fmt_out {
	FILE *f;
	char *buf;
	size_t len;
	int err; /* errno of the first failed write; then nothing more is written */
};

/* 0, or -1 when out of memory. */
int fmt_init(struct fmt_out *o, FILE *f);
/* Flushes, then frees the buffer (not the FILE). */
void fmt_free(struct fmt_out *o);
/* Hands what is buffered to the FILE and flushes the FILE too: the
 * caller wants it seen now (live capture, or before a message on
 * stderr). */
void fmt_flush(struct fmt_out *o);
/* Hands what is buffered to the FILE (its own buffering still applies). */
void fmt_drain(struct fmt_out *o);
/* The errno of the first write the FILE refused (a full disk, a closed
 * pipe with SIGPIPE ignored), or 0. */
static inline int fmt_error(const struct fmt_out *o)
{
	return o->err;
}

/* A pointer where n <= FMT_ROOM_MAX bytes may be written; fmt_commit
 * then says where the writing ended. */
static inline char *fmt_room(struct fmt_out *o, size_t n)
{
	if (FMT_BUF_SIZE - o->len < n)
		fmt_drain(o);
	return o->buf + o->len;
}

static inline void fmt_commit(struct fmt_out *o, char *end)
{
	o->len = (size_t)(end - o->buf);
}

/* Any number of bytes. */
void fmt_write(struct fmt_out *o, const void *s, size_t n);

static inline void fmt_str(struct fmt_out *o, const char *s)
{
	fmt_write(o, s, strlen(s));
}

/* For lines that are rare (titles, summaries, anomalies): printf into the
 * buffer. */
void fmt_printf(struct fmt_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fmt_vprintf(struct fmt_out *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Copy a string literal: the length is known when compiling, so the copy
 * is a few moves. */
#define FMT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

static inline char *fmt_mem(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

extern const char fmt_digit_pairs[200];

/* Decimal digits of v (1 to 20). */
static inline unsigned fmt_u64_len(uint64_t v)
{
	unsigned n = 1;

	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

static inline char *fmt_pair(char *p, unsigned x) /* x < 100: two digits */
{
	memcpy(p, fmt_digit_pairs + 2 * x, 2);
	return p + 2;
}

/* x < 10000 as exactly four digits. */
static inline char *fmt_4digits(char *p, unsigned x)
{
	fmt_pair(p, x / 100);
	return fmt_pair(p + 2, x % 100);
}

/* x < 100000000 as exactly eight digits: the two halves do not wait for
 * each other. */
static inline char *fmt_8digits(char *p, uint32_t x)
{
	fmt_4digits(p, x / 10000);
	return fmt_4digits(p + 4, x % 10000);
}

/* x < 10000, no leading zeros. */
static inline char *fmt_u14(char *p, unsigned x)
{
	if (x < 10) {
		*p = (char)('0' + x);
		return p + 1;
	}
	if (x < 100)
		return fmt_pair(p, x);
	if (x < 1000) {
		*p = (char)('0' + x / 100);
		return fmt_pair(p + 1, x % 100);
	}
	return fmt_4digits(p, x);
}

/* 1000000 <= x < 100000000 (seven or eight digits), no leading zeros.
 * y is x / 10^6 in 32.32 fixed point, rounded up enough that no digit
 * comes out one low (tests/unit/test_fmt.c checks every such x): each
 * pair of digits is then the integer part of the fraction times 100. A
 * multiplication a pair, no division: stream offsets are mostly this
 * long. */
static inline char *fmt_u7to8(char *p, uint32_t x)
{
	uint64_t y = (uint64_t)x * 281474977u >> 16;
	unsigned top = (unsigned)(y >> 32);

	if (top < 10)
		*p++ = (char)('0' + top);
	else
		p = fmt_pair(p, top);
	y = (uint64_t)(uint32_t)y * 100;
	p = fmt_pair(p, (unsigned)(y >> 32));
	y = (uint64_t)(uint32_t)y * 100;
	p = fmt_pair(p, (unsigned)(y >> 32));
	y = (uint64_t)(uint32_t)y * 100;
	return fmt_pair(p, (unsigned)(y >> 32));
}

/* x < 100000000, no leading zeros. */
static inline char *fmt_u27(char *p, uint32_t x)
{
	if (x < 10000)
		return fmt_u14(p, x);
	if (x >= 1000000)
		return fmt_u7to8(p, x);
	p = fmt_u14(p, x / 10000);
	return fmt_4digits(p, x % 10000);
}

/* v >= 100000000 (fmt_u64's rarer half). */
char *fmt_u64_big(char *p, uint64_t v);

/* v in decimal at p (at most 20 bytes); returns the end. Digits go out in
 * groups of four whose divisions do not wait for each other: a digit pair
 * at a time made a chain of dependent divisions, the slowest part of a
 * JSON line. */
static inline char *fmt_u64(char *p, uint64_t v)
{
	if (v < 100000000)
		return fmt_u27(p, (uint32_t)v);
	return fmt_u64_big(p, v);
}

/* At most 20 bytes. */
static inline char *fmt_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return fmt_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(p, (uint64_t)v);
}

/* Add one to the decimal text t[0..len): false when every digit is a 9
 * (the text grows by a digit; the caller formats it anew). Counters that
 * go up by one (frame indexes) are cheaper so than formatted again. */
static inline bool fmt_dec_increment(char *t, unsigned len)
{
	for (unsigned i = len; i-- > 0;) {
		if (t[i] != '9') {
			t[i]++;
			return true;
		}
		t[i] = '0';
	}
	return false;
}

/* A literal, then a number: a JSON member (",\"offset\":" 12) or a
 * labelled value (" len=" 5) in one step. */
#define FMT_LIT_U64(p, s, v) fmt_u64(FMT_LIT((p), s), (v))
#define FMT_LIT_I64(p, s, v) fmt_i64(FMT_LIT((p), s), (v))

/* v in decimal, left-justified in `width` columns (printf's "%-*"). */
static inline char *fmt_u64_left(char *p, uint64_t v, unsigned width)
{
	char *end = fmt_u64(p, v);

	while ((unsigned)(end - p) < width)
		*end++ = ' ';
	return end;
}

/* v in decimal, right-justified in `width` columns (printf's "%*"). */
static inline char *fmt_u64_right(char *p, uint64_t v, unsigned width)
{
	unsigned n = fmt_u64_len(v);

	for (; n < width; width--)
		*p++ = ' ';
	return fmt_u64(p, v);
}

/* A format of a line written once per stream (the "= stream" summary)
 * taken apart once, when the writer starts: literal runs and
 * conversions, so that writing it reads no format. Only %s and 64-bit
 * unsigned conversions (%lu, %llu: PRIu64), %% and positions ("%2$s"),
 * which is what those formats and their translations use. */
#define FMT_TPL_ARGS 4
#define FMT_TPL_TEXT 192

union fmt_arg {
	uint64_t u;
	const char *s;
};

struct fmt_tpl {
	uint8_t n; /* conversions */
	uint8_t arg[FMT_TPL_ARGS]; /* the argument each conversion takes */
	char kind[FMT_TPL_ARGS]; /* 'u' or 's' */
	uint16_t end[FMT_TPL_ARGS + 1]; /* where literal run i ends in text */
	/* The literal runs, one after another, and room for a 16-byte move
	 * from the last one's start. */
	char text[FMT_TPL_TEXT + 16];
};

/* Takes fmt apart into t. `kinds` names the arguments the caller passes,
 * in order ('u' a uint64_t, 's' a string: "us"). False, with t empty,
 * when fmt uses anything else, takes an argument of another kind, or is
 * too long: the caller then uses its English format, which fits. */
bool fmt_tpl_init(struct fmt_tpl *t, const char *fmt, const char *kinds);
/* Writes t with the arguments a (as many as fmt_tpl_init's kinds). */
void fmt_tpl_write(struct fmt_out *o, const struct fmt_tpl *t, const union fmt_arg *a);
/* The same at p, where FMT_TPL_ROOM bytes and the strings' lengths may
 * be written: a line of several templates is one reservation. Returns
 * the end. */
#define FMT_TPL_ROOM (FMT_TPL_TEXT + 16 + 20 * FMT_TPL_ARGS)
char *fmt_tpl_put(char *p, const struct fmt_tpl *t, const union fmt_arg *a);

struct fc_addr;

/* "IP:PORT" as fc_put_endpoint writes it (at most FC_ENDPOINT_MAX - 1
 * bytes; after fmt_init), IPv4 by table: a capture of many short
 * connections shows two endpoints per connection, and fc_put_endpoint's
 * division per digit made them a tenth of the text view's work there. */
char *fmt_endpoint(char *p, const struct fc_addr *a, uint16_t port);

/* Seconds and microseconds as "S.UUUUUU", with a '-' when negative (at
 * most 28 bytes). */
char *fmt_time_us(char *p, int64_t us);

/* n bytes as 2n lowercase hex digits; returns the end. */
char *fmt_hex(char *p, const uint8_t *s, size_t n);

/* The instructions fmt_hex may use: fmt_init picks the best the CPU has;
 * fmt_hex_limit(level) lowers that (tests/unit/test_fmt.c checks each
 * path) and returns the level now in use. */
enum { FMT_HEX_SSE2, FMT_HEX_SSSE3, FMT_HEX_AVX2 };
int fmt_hex_limit(int level);

/* x < 10000 without leading zeros as a word whose bytes, stored, are
 * its digits (the bytes past them are not digits); *len gets their
 * count. A number written twice is so stored twice from a register:
 * copying its first text loaded over fresh byte stores and stalled.
 * Without a branch: the four digits with their leading zeros, shifted
 * out. Payload lengths of 20 to 200 bytes (small-frames) have two or
 * three digits at random, and a branch on the count was mispredicted
 * about every other frame. */
static inline uint32_t fmt_u14_word(unsigned x, unsigned *len)
{
	const uint8_t *hi = (const uint8_t *)fmt_digit_pairs + 2 * (x / 100 % 100);
	const uint8_t *lo = (const uint8_t *)fmt_digit_pairs + 2 * (x % 100);
	/* The first digit in the low byte. */
	uint32_t w = hi[0] | (uint32_t)hi[1] << 8 | (uint32_t)lo[0] << 16 | (uint32_t)lo[1] << 24;
	unsigned n = 1 + (x >= 10) + (x >= 100) + (x >= 1000);

	*len = n;
	w >>= 8 * (4 - n);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap32(w);
#endif
	return w;
}

#endif
