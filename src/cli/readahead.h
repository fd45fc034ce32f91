/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readahead.h - a capture read by a second thread, a batch ahead. */
#ifndef FC_READAHEAD_H
#define FC_READAHEAD_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct readahead;

/* Start reading the savefile `p` on a thread of its own. NULL when no
 * thread or memory could be had (then read `p` directly). `p` belongs to
 * the reader until readahead_stop. */
struct readahead *readahead_start(pcap_t *p);

/* Start a thread for the activated live handle `p`, with a queue of about
 * `queue_bytes` (at least two batches that each hold a record of p's
 * snapshot length). The thread takes real-time priority if the process
 * may (start it before giving up privileges), then reads nothing until
 * readahead_open. It never waits for the main thread: what the queue has
 * no room for is dropped and counted. readahead_dispatch then returns 0
 * when nothing came for 100 ms, and never the end of the input. NULL
 * when no thread or memory could be had. */
struct readahead *readahead_start_live(pcap_t *p, size_t queue_bytes);

/* Did the live capture's thread get real-time priority (readahead.c)?
 * False for a file's, and for NULL. */
bool readahead_realtime(const struct readahead *ra);

/* Let a live capture's thread start reading (once; a file's reads from
 * the start). */
void readahead_open(struct readahead *ra);

/* Records a live capture's queue had no room for so far (0 for a file). */
uint64_t readahead_dropped(const struct readahead *ra);

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
