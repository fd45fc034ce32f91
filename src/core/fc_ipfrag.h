/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_ipfrag.h - reassembly of IPv4 fragments and IPv6 Fragment headers
 * carrying TCP, before TCP parsing.
 *
 *   fragment (key, offset, M, bytes) -> datagram in progress, by key
 *       pieces sorted by offset:  [0,1480) [1480,2960) ... [x,total)
 *   all of [0, total) present, total known (the M=0 fragment) -> payload
 *
 * Bounded whatever the input: a datagram holds at most
 * FC_IPFRAG_MAX_DATAGRAM bytes in at most FC_IPFRAG_MAX_PIECES pieces; at
 * most max_datagrams are in progress and all their pieces together cost
 * at most max_bytes (the oldest datagram is given up to make room); one
 * not complete timeout_us of capture time after its first fragment is
 * given up. Memory is allocated for bytes that were captured, never for a
 * length a header claims.
 *
 * Overlaps: the first copy of a byte wins (as in fc_reasm); a later
 * fragment that carries different bytes for it is counted as a conflict.
 * A datagram given up is counted incomplete: its bytes never reach TCP,
 * which sees them as a gap.
 */
#ifndef FC_IPFRAG_H
#define FC_IPFRAG_H

#include <stdint.h>

#include "fc_packet.h"

#define FC_IPFRAG_MAX_DATAGRAM 65535u /* payload bytes after the IP header */
#define FC_IPFRAG_MAX_PIECES 256u
#define FC_IPFRAG_DEFAULT_MAX_DATAGRAMS 1024u
#define FC_IPFRAG_DEFAULT_MAX_BYTES (4u << 20)
#define FC_IPFRAG_DEFAULT_TIMEOUT_US 30000000 /* 30 s, as Linux */

struct fc_ipfrag_config {
	uint32_t max_datagrams; /* in progress at once; 0: the default */
	uint64_t max_bytes; /* pieces' bytes and bookkeeping; 0: the default */
	int64_t timeout_us; /* capture time; 0: the default */
	uint8_t hash_key[16]; /* secret of the datagram table's hash */
};

struct fc_ipfrag_stats {
	uint64_t fragments; /* given to fc_ipfrag_add */
	uint64_t reassembled; /* datagrams completed */
	uint64_t incomplete; /* datagrams given up: timeout, room, end */
	uint64_t too_big; /* datagrams dropped: beyond 65535 bytes or too
			     many pieces */
	uint64_t conflicts; /* fragments whose bytes differ from the first copy */
	uint64_t duplicates; /* fragments that added nothing */
	uint64_t peak_bytes; /* most memory held at once */
};

struct fc_ipfrag;

/* NULL if out of memory. */
struct fc_ipfrag *fc_ipfrag_new(const struct fc_ipfrag_config *cfg);

/* Add fragment f, captured at ts_us. When it completes its datagram,
 * returns 1 with *out and *out_len the reassembled payload (valid until
 * the next call); otherwise 0. A cut fragment (snaplen) cannot complete
 * anything: the datagram is given up. */
int fc_ipfrag_add(struct fc_ipfrag *r, const struct fc_ip_fragment *f,
		  int64_t ts_us, const uint8_t **out, uint32_t *out_len);

/* Give up every datagram in progress (end of capture). */
void fc_ipfrag_flush(struct fc_ipfrag *r);

const struct fc_ipfrag_stats *fc_ipfrag_stats(const struct fc_ipfrag *r);

void fc_ipfrag_free(struct fc_ipfrag *r);

#endif
