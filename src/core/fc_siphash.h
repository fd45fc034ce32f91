/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_siphash.h - SipHash-2-4 and SipHash-1-3, keyed hashes for tables fed
 * by the network.
 *
 *   key (16 bytes) ---+
 *                     v
 *   message bytes -> [ 4 x 64-bit state: 2 (1) rounds per 8-byte word,
 *                      4 (3) rounds at the end ] -> 64-bit tag
 *                     SipHash-2-4 (SipHash-1-3)
 *
 * Written from the description in Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF" (2012). Without the key an attacker cannot choose
 * inputs that land in one bucket, which an unkeyed mix cannot promise:
 * whoever can send packets chooses the flow keys.
 */
#ifndef FC_SIPHASH_H
#define FC_SIPHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FC_SIPHASH_KEY_LEN 16

/* SipHash-2-4 of len bytes at msg under the 128-bit key (read as two
 * little-endian 64-bit words, as in the paper). Pure function. */
uint64_t fc_siphash24(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len);

/* SipHash-1-3 (one round per word, three at the end): the same function
 * with fewer rounds, the variant CPython (3.11 on) and Rust's standard
 * HashMap key their tables with against hash flooding. For the flow
 * table, hashed once per packet; an attacker who sees neither the key
 * nor the tags still cannot choose colliding inputs. Pure function. */
uint64_t fc_siphash13(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len);

/* --- the function itself, inline: the flow table calls it once per
 * packet with a constant length, which then unrolls it completely --- */

/* Little-endian word from the n < 8 bytes at p (the rest zero). */
uint64_t fc_siphash_load_tail(const uint8_t *p, size_t n);

static inline uint64_t fc_siphash_rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/* Little-endian word from 8 bytes: one load on a little-endian machine. */
static inline uint64_t fc_siphash_load8(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
#else
	return fc_siphash_load_tail(p, 7) | (uint64_t)p[7] << 56;
#endif
}

/* One SipRound: the add-rotate-xor network of the paper's figure, on
 * v0..v3 in the caller's locals (kept in registers). */
#define FC_SIP_ROUND(v0, v1, v2, v3) do { \
		v0 += v1; v1 = fc_siphash_rotl(v1, 13); v1 ^= v0; \
		v0 = fc_siphash_rotl(v0, 32); \
		v2 += v3; v3 = fc_siphash_rotl(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = fc_siphash_rotl(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = fc_siphash_rotl(v1, 17); v1 ^= v2; \
		v2 = fc_siphash_rotl(v2, 32); \
	} while (0)

/* SipHash's state after the key is mixed in: the same for every message
 * under one key, so a caller that hashes many messages under one key
 * (the flow table, once per packet) makes it once (fc_siphash_init). */
struct fc_siphash_state {
	uint64_t v[4];
};

static inline void fc_siphash_init(struct fc_siphash_state *st,
				   const uint8_t key[FC_SIPHASH_KEY_LEN])
{
	uint64_t k0 = fc_siphash_load8(key), k1 = fc_siphash_load8(key + 8);

	st->v[0] = k0 ^ 0x736f6d6570736575ULL;
	st->v[1] = k1 ^ 0x646f72616e646f6dULL;
	st->v[2] = k0 ^ 0x6c7967656e657261ULL;
	st->v[3] = k1 ^ 0x7465646279746573ULL;
}

/* SipHash-c-d of len bytes from the keyed state st: at p, or (p NULL)
 * held by the words w low byte first. c and d are constants at every
 * call site, and so is which of p and w is used: each caller gets its
 * own unrolled copy. */
static inline uint64_t fc_siphash_cd_from(const struct fc_siphash_state *st,
					  const uint8_t *p, const uint64_t *w,
					  size_t len, int c, int d)
{
	uint64_t v0 = st->v[0], v1 = st->v[1], v2 = st->v[2], v3 = st->v[3], m;
	size_t whole = len - len % 8;

	for (size_t i = 0; i < whole; i += 8) {
		m = p ? fc_siphash_load8(p + i) : w[i / 8];
		v3 ^= m;
		for (int r = 0; r < c; r++)
			FC_SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	if (p)
		m = fc_siphash_load_tail(p + whole, len % 8);
	else
		m = len % 8 ? w[whole / 8] & ((1ULL << 8 * (len % 8)) - 1) : 0;
	m |= (uint64_t)(len & 0xff) << 56;
	v3 ^= m;
	for (int r = 0; r < c; r++)
		FC_SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		FC_SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-c-d of len bytes under the key (see fc_siphash_cd_from). */
static inline uint64_t fc_siphash_cd(const uint8_t key[FC_SIPHASH_KEY_LEN],
				     const uint8_t *p, const uint64_t *w,
				     size_t len, int c, int d)
{
	struct fc_siphash_state st;

	fc_siphash_init(&st, key);
	return fc_siphash_cd_from(&st, p, w, len, c, d);
}

/* fc_siphash13 of the len bytes that the words w hold, low byte first
 * (bytes past len in the last word are ignored): the same tag on every
 * machine, with no byte buffer to fill. Pure function. */
static inline uint64_t fc_siphash13_words(const uint8_t key[FC_SIPHASH_KEY_LEN],
					  const uint64_t *w, size_t len)
{
	return fc_siphash_cd(key, NULL, w, len, 1, 3);
}

#endif
