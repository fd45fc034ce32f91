/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_siphash.h - SipHash-2-4, a keyed hash for tables fed by the network.
 *
 *   key (16 bytes) ---+
 *                     v
 *   message bytes -> [ 4 x 64-bit state: 2 rounds per 8-byte word,
 *                      4 rounds at the end ] -> 64-bit tag
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

#define FC_SIPHASH_KEY_LEN 16

/* SipHash-2-4 of len bytes at msg under the 128-bit key (read as two
 * little-endian 64-bit words, as in the paper). Pure function. */
uint64_t fc_siphash24(const uint8_t key[FC_SIPHASH_KEY_LEN], const void *msg,
		      size_t len);

#endif
