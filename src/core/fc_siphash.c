/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_siphash.c - SipHash-2-4 and SipHash-1-3 (see fc_siphash.h).
 *
 *   v0 = k0 ^ "somepseu"   v1 = k1 ^ "dorandom"
 *   v2 = k0 ^ "lygenera"   v3 = k1 ^ "tedbytes"
 *   for each 8-byte little-endian word m (the last one padded with zeros
 *   and the message length mod 256 in its top byte):
 *       v3 ^= m; C x SipRound; v0 ^= m
 *   v2 ^= 0xff; D x SipRound; tag = v0 ^ v1 ^ v2 ^ v3
 *
 *   (C, D) = (2, 4): SipHash-2-4;  (1, 3): SipHash-1-3.
 */
#include "fc_siphash.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/* Little-endian word from n < 8 bytes; missing high bytes are zero. A
 * switch rather than a loop: the flow table hashes every packet, and its
 * messages end in 4 or 6 bytes. */
static inline uint64_t load_tail(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	switch (n) {
	case 7: w |= (uint64_t)p[6] << 48; /* fall through */
	case 6: w |= (uint64_t)p[5] << 40; /* fall through */
	case 5: w |= (uint64_t)p[4] << 32; /* fall through */
	case 4: w |= (uint64_t)p[3] << 24; /* fall through */
	case 3: w |= (uint64_t)p[2] << 16; /* fall through */
	case 2: w |= (uint64_t)p[1] << 8; /* fall through */
	case 1: w |= (uint64_t)p[0]; break;
	default: break;
	}
	return w;
}

/* Little-endian word from 8 bytes: one load on a little-endian machine. */
static inline uint64_t load_le8(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
#else
	return load_tail(p, 7) | (uint64_t)p[7] << 56;
#endif
}

/* One SipRound: the add-rotate-xor network of the paper's figure, on
 * v0..v3 in the caller's locals (kept in registers). */
#define SIP_ROUND(v0, v1, v2, v3) do { \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
	} while (0)

/* SipHash-c-d of len bytes: at p, or (p NULL) held by the words w low
 * byte first. c and d are constants at every call site, and so is which
 * of p and w is used: each caller gets its own unrolled copy. */
static inline uint64_t siphash(const uint8_t key[FC_SIPHASH_KEY_LEN],
			       const uint8_t *p, const uint64_t *w, size_t len,
			       int c, int d)
{
	uint64_t k0 = load_le8(key), k1 = load_le8(key + 8), m;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL,
		 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	size_t whole = len - len % 8;

	for (size_t i = 0; i < whole; i += 8) {
		m = p ? load_le8(p + i) : w[i / 8];
		v3 ^= m;
		for (int r = 0; r < c; r++)
			SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	if (p)
		m = load_tail(p + whole, len % 8);
	else
		m = len % 8 ? w[whole / 8] & ((1ULL << 8 * (len % 8)) - 1) : 0;
	m |= (uint64_t)(len & 0xff) << 56;
	v3 ^= m;
	for (int r = 0; r < c; r++)
		SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t fc_siphash24(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len)
{
	return siphash(key, msg, NULL, len, 2, 4);
}

uint64_t fc_siphash13(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len)
{
	return siphash(key, msg, NULL, len, 1, 3);
}

uint64_t fc_siphash13_words(const uint8_t key[FC_SIPHASH_KEY_LEN],
			    const uint64_t *w, size_t len)
{
	return siphash(key, NULL, w, len, 1, 3);
}
