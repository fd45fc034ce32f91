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

/* Little-endian word from n < 8 bytes; missing high bytes are zero. A
 * switch rather than a loop: a flow key's bytes end in 2 or 4 bytes. */
uint64_t fc_siphash_load_tail(const uint8_t *p, size_t n)
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

uint64_t fc_siphash24(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len)
{
	return fc_siphash_cd(key, msg, NULL, len, 2, 4);
}

uint64_t fc_siphash13(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len)
{
	return fc_siphash_cd(key, msg, NULL, len, 1, 3);
}
