/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_siphash.c - SipHash-2-4 (see fc_siphash.h).
 *
 *   v0 = k0 ^ "somepseu"   v1 = k1 ^ "dorandom"
 *   v2 = k0 ^ "lygenera"   v3 = k1 ^ "tedbytes"
 *   for each 8-byte little-endian word m (the last one padded with zeros
 *   and the message length mod 256 in its top byte):
 *       v3 ^= m; 2 x SipRound; v0 ^= m
 *   v2 ^= 0xff; 4 x SipRound; tag = v0 ^ v1 ^ v2 ^ v3
 */
#include "fc_siphash.h"

#include <string.h>

static uint64_t rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/* Little-endian word from n <= 8 bytes; missing high bytes are zero. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/* Little-endian word from 8 bytes: one load on a little-endian machine
 * (the flow table hashes every packet). */
static inline uint64_t load_le8(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
#else
	return load_le(p, 8);
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

uint64_t fc_siphash24(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len)
{
	const uint8_t *p = msg;
	uint64_t k0 = load_le8(key), k1 = load_le8(key + 8), m;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL,
		 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	size_t whole = len - len % 8;

	for (size_t i = 0; i < whole; i += 8) {
		m = load_le8(p + i);
		v3 ^= m;
		SIP_ROUND(v0, v1, v2, v3);
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	m = load_le(p + whole, len % 8) | (uint64_t)(len & 0xff) << 56;
	v3 ^= m;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
