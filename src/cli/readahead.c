/* readahead.c - a capture file read by a second thread, a batch ahead.
 *
 *   reader thread:  pcap_dispatch --> copy records into a free batch
 *                                          |
 *        RA_BATCHES batches in a ring:  [full][full][filling][free]
 *                                          |
 *   main thread:    readahead_dispatch --> on_packet for each record
 *
 *   batch:  [ struct pcap_pkthdr | caplen bytes | pad to 8 ] ...
 *
 * Reading a file (the kernel's copy, libpcap's record parsing) is about a
 * fifth of the time framecap spends on a capture of small packets. On a
 * second core it overlaps with decoding and output, at the price of one
 * copy of each record into a batch: a record libpcap hands over lives
 * only until its next read. Memory is fixed: RA_BATCHES * RA_BATCH_SIZE.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readahead.h"

#define RA_BATCHES 4
/* Holds the largest record libpcap accepts (snaplen 262144) at least once. */
#define RA_BATCH_SIZE (1u << 19)

struct ra_batch {
	unsigned char *bytes;
	size_t len; /* bytes filled */
	int records;
};

struct readahead {
	pcap_t *pcap;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a batch was filled or freed, or the end came */
	struct ra_batch batch[RA_BATCHES];
	unsigned filling; /* the reader's batch */
	unsigned reading; /* the main thread's next batch */
	unsigned full; /* batches handed over, not yet given back */
	bool ended; /* the reader is done: end_status says why */
	int end_status; /* 0, PCAP_ERROR or PCAP_ERROR_BREAK */
	bool stop; /* readahead_stop: the reader must give up */
	atomic_int break_requested; /* lock-free: set from a signal handler */
	char error[PCAP_ERRBUF_SIZE + 64];
};

static size_t record_size(uint32_t caplen)
{
	return (sizeof(struct pcap_pkthdr) + caplen + 7) & ~(size_t)7;
}

/* Hand the filling batch over; false when the reader must stop. Called
 * with the lock held. */
static bool hand_over(struct readahead *ra)
{
	ra->full++;
	ra->filling = (ra->filling + 1) % RA_BATCHES;
	pthread_cond_broadcast(&ra->changed);
	while (ra->full == RA_BATCHES && !ra->stop)
		pthread_cond_wait(&ra->changed, &ra->lock);
	ra->batch[ra->filling].len = 0;
	ra->batch[ra->filling].records = 0;
	return !ra->stop;
}

static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct readahead *ra = (struct readahead *)user;
	struct ra_batch *b = &ra->batch[ra->filling];
	size_t need = record_size(h->caplen);

	if (b->len + need > RA_BATCH_SIZE) {
		bool go_on;

		pthread_mutex_lock(&ra->lock);
		go_on = hand_over(ra);
		pthread_mutex_unlock(&ra->lock);
		if (!go_on) {
			pcap_breakloop(ra->pcap);
			return;
		}
		b = &ra->batch[ra->filling];
	}
	/* libpcap never hands over more than its snapshot length, which is
	 * at most 262144: a record always fits an empty batch. */
	memcpy(b->bytes + b->len, h, sizeof(*h));
	memcpy(b->bytes + b->len + sizeof(*h), bytes, h->caplen);
	b->len += need;
	b->records++;
}

static void *reader_main(void *arg)
{
	struct readahead *ra = arg;
	int n;

	do
		n = pcap_dispatch(ra->pcap, -1, on_record, (u_char *)ra);
	while (n > 0 && !ra->break_requested);
	pthread_mutex_lock(&ra->lock);
	if (n == PCAP_ERROR)
		snprintf(ra->error, sizeof(ra->error), "%s", pcap_geterr(ra->pcap));
	ra->end_status = n == PCAP_ERROR ? PCAP_ERROR
			 : n == PCAP_ERROR_BREAK || ra->break_requested ? PCAP_ERROR_BREAK : 0;
	if (ra->batch[ra->filling].records > 0) { /* the last, partly filled */
		ra->full++;
		ra->filling = (ra->filling + 1) % RA_BATCHES;
	}
	ra->ended = true;
	pthread_cond_broadcast(&ra->changed);
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

struct readahead *readahead_start(pcap_t *p)
{
	struct readahead *ra = calloc(1, sizeof(*ra));
	sigset_t all, old;
	int rc;

	if (!ra)
		return NULL;
	ra->pcap = p;
	for (unsigned i = 0; i < RA_BATCHES; i++) {
		ra->batch[i].bytes = malloc(RA_BATCH_SIZE);
		if (!ra->batch[i].bytes)
			goto fail;
	}
	if (pthread_mutex_init(&ra->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&ra->changed, NULL) != 0) {
		pthread_mutex_destroy(&ra->lock);
		goto fail;
	}
	/* Signals stay with the main thread, which handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&ra->thread, NULL, reader_main, ra);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		return ra;
	pthread_cond_destroy(&ra->changed);
	pthread_mutex_destroy(&ra->lock);
fail:
	for (unsigned i = 0; i < RA_BATCHES; i++)
		free(ra->batch[i].bytes);
	free(ra);
	return NULL;
}

int readahead_dispatch(struct readahead *ra, pcap_handler cb, u_char *user)
{
	struct ra_batch *b;
	int records;

	pthread_mutex_lock(&ra->lock);
	while (ra->full == 0 && !ra->ended)
		pthread_cond_wait(&ra->changed, &ra->lock);
	if (ra->full == 0) {
		int status = ra->end_status;
		pthread_mutex_unlock(&ra->lock);
		return status;
	}
	b = &ra->batch[ra->reading];
	pthread_mutex_unlock(&ra->lock);

	/* The batch is ours until given back: no lock while it is read. */
	for (size_t at = 0; at < b->len;) {
		struct pcap_pkthdr h;

		memcpy(&h, b->bytes + at, sizeof(h));
		cb(user, &h, b->bytes + at + sizeof(h));
		at += record_size(h.caplen);
		if (ra->break_requested)
			break;
	}
	records = b->records;

	pthread_mutex_lock(&ra->lock);
	ra->reading = (ra->reading + 1) % RA_BATCHES;
	ra->full--;
	pthread_cond_broadcast(&ra->changed);
	pthread_mutex_unlock(&ra->lock);
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
	pthread_mutex_lock(&ra->lock);
	ra->stop = true;
	pthread_cond_broadcast(&ra->changed);
	pthread_mutex_unlock(&ra->lock);
	pcap_breakloop(ra->pcap);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->changed);
	pthread_mutex_destroy(&ra->lock);
	for (unsigned i = 0; i < RA_BATCHES; i++)
		free(ra->batch[i].bytes);
	free(ra);
}
