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

/* fc_siphash13 of the len bytes that the words w hold, low byte first
 * (bytes past len in the last word are ignored): the same tag on every
 * machine, with no byte buffer to fill. */
uint64_t fc_siphash13_words(const uint8_t key[FC_SIPHASH_KEY_LEN],
			    const uint64_t *w, size_t len);

#endif
