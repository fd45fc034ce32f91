/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readahead.h - a capture file read by a second thread, a batch ahead. */
#ifndef FC_READAHEAD_H
#define FC_READAHEAD_H

#include <pcap/pcap.h>

struct readahead;

/* Start reading the savefile `p` on a thread of its own. NULL when no
 * thread or memory could be had (then read `p` directly). `p` belongs to
 * the reader until readahead_stop. */
struct readahead *readahead_start(pcap_t *p);

/* Call `cb` for every record of the next batch read, in file order, with
 * the libpcap handler's arguments. Returns the records handed over; 0 at
 * the end of the file; PCAP_ERROR when reading failed (after every
 * record before the failure was handed over: the message is then
 * readahead_error's); PCAP_ERROR_BREAK once readahead_break was called. */
int readahead_dispatch(struct readahead *ra, pcap_handler cb, u_char *user);

/* libpcap's message for a PCAP_ERROR. */
const char *readahead_error(const struct readahead *ra);

/* Ask the reader to stop soon (async-signal-safe: a flag and
 * pcap_breakloop). */
void readahead_break(struct readahead *ra);

/* Stop the reader (if it still runs), wait for it, free everything. */
void readahead_stop(struct readahead *ra);

#endif
