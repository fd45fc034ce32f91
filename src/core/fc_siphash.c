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

struct sip {
	uint64_t v0, v1, v2, v3;
};

/* One SipRound: the add-rotate-xor network of the paper's figure. */
static void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sip_compress(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

uint64_t fc_siphash24(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len)
{
	const uint8_t *p = msg;
	uint64_t k0 = load_le(key, 8), k1 = load_le(key + 8, 8);
	struct sip s = {
		k0 ^ 0x736f6d6570736575ULL,
		k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL,
		k1 ^ 0x7465646279746573ULL,
	};
	size_t whole = len - len % 8;

	for (size_t i = 0; i < whole; i += 8)
		sip_compress(&s, load_le(p + i, 8));
	sip_compress(&s, load_le(p + whole, len % 8) | (uint64_t)(len & 0xff) << 56);
	s.v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
