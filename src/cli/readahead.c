/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readahead.c - a capture file read by a second thread, a batch ahead.
 *
 *   reader thread:  pcap_dispatch --> records copied into a batch
 *                                          | batch_ring
 *   main thread:    readahead_dispatch --> the handler for each record
 *
 *   batch:  [ struct pcap_pkthdr | caplen bytes | pad to 8 ] ...
 *
 * Reading a file (the kernel's copy, libpcap's record parsing) is about a
 * fifth of the time framecap spends on a capture of small packets. On a
 * second core it overlaps with decoding and output, at the price of one
 * copy of each record into a batch: a record libpcap hands over lives
 * only until its next read. Memory is fixed: BATCH_RING_BATCHES batches
 * of RA_BATCH_SIZE. Classic pcap files are read in place instead
 * (pcap_map.c, cheaper still); this thread serves the regular files only
 * libpcap reads, such as pcapng.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_ring.h"
#include "readahead.h"

/* Holds the largest record libpcap accepts (snaplen 262144) at least once. */
#define RA_BATCH_SIZE (1u << 19)

struct readahead {
	pcap_t *pcap;
	pthread_t thread;
	struct batch_ring *ring;
	atomic_int break_requested; /* lock-free: set from a signal handler */
	/* Written by the reader before it ends the ring, read after. */
	char error[PCAP_ERRBUF_SIZE + 64];
};

static size_t record_size(uint32_t caplen)
{
	return (sizeof(struct pcap_pkthdr) + caplen + 7) & ~(size_t)7;
}

static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct readahead *ra = (struct readahead *)user;
	struct ring_batch *b = batch_ring_filling(ra->ring);
	size_t need = record_size(h->caplen);

	if (b->len + need > RA_BATCH_SIZE) {
		if (!batch_ring_publish(ra->ring)) { /* the main thread gave up */
			pcap_breakloop(ra->pcap);
			return;
		}
		b = batch_ring_filling(ra->ring);
	}
	/* libpcap never hands over more than its snapshot length, at most
	 * 262144: a record always fits an empty batch. */
	memcpy(b->bytes + b->len, h, sizeof(*h));
	memcpy(b->bytes + b->len + sizeof(*h), bytes, h->caplen);
	b->len += need;
}

static void *reader_main(void *arg)
{
	struct readahead *ra = arg;
	int n;

	do
		n = pcap_dispatch(ra->pcap, -1, on_record, (u_char *)ra);
	while (n > 0 && !ra->break_requested);
	if (n == PCAP_ERROR)
		snprintf(ra->error, sizeof(ra->error), "%s", pcap_geterr(ra->pcap));
	batch_ring_end(ra->ring, n == PCAP_ERROR ? PCAP_ERROR
			  : n == PCAP_ERROR_BREAK || ra->break_requested ? PCAP_ERROR_BREAK : 0);
	return NULL;
}

struct readahead *readahead_start(pcap_t *p)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (!ra)
		return NULL;
	ra->pcap = p;
	ra->ring = batch_ring_new(RA_BATCH_SIZE);
	if (!ra->ring) {
		free(ra);
		return NULL;
	}
	if (batch_ring_thread(&ra->thread, reader_main, ra) == 0)
		return ra;
	batch_ring_free(ra->ring);
	free(ra);
	return NULL;
}

int readahead_dispatch(struct readahead *ra, pcap_handler cb, u_char *user)
{
	int status, records = 0;
	struct ring_batch *b = batch_ring_take(ra->ring, &status);

	if (!b)
		return status;
	for (size_t at = 0; at < b->len && !ra->break_requested; records++) {
		struct pcap_pkthdr h;

		memcpy(&h, b->bytes + at, sizeof(h));
		cb(user, &h, b->bytes + at + sizeof(h));
		at += record_size(h.caplen);
	}
	batch_ring_give_back(ra->ring);
	return ra->break_requested ? PCAP_ERROR_BREAK : records;
}

const char *readahead_error(const struct readahead *ra)
{
	return ra->error;
}

void readahead_break(struct readahead *ra)
{
	ra->break_requested = 1;
	pcap_breakloop(ra->pcap);
}

void readahead_stop(struct readahead *ra)
{
	if (!ra)
		return;
	batch_ring_stop(ra->ring);
	pcap_breakloop(ra->pcap);
	pthread_join(ra->thread, NULL);
	batch_ring_free(ra->ring);
	free(ra);
}
