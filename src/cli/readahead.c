/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readahead.c - a capture read by a second thread, a batch ahead.
 *
 *   reader thread:  pcap_dispatch --> records copied into a batch
 *                                          | batch_ring
 *   main thread:    readahead_dispatch --> the handler for each record
 *
 *   batch:  [ struct pcap_pkthdr | caplen bytes | pad to 8 ] ...
 *
 *   live:   kernel ring --capture thread--> queue (bounded) --> decode, write
 *                                             | full: counted, dropped
 *
 * Reading a file (the kernel's copy, libpcap's record parsing) is about a
 * fifth of the time framecap spends on a capture of small packets. On a
 * second core it overlaps with decoding and output, at the price of one
 * copy of each record into a batch: a record libpcap hands over lives
 * only until its next read. Memory is fixed: BATCH_RING_BATCHES batches
 * of RA_BATCH_SIZE. Classic pcap files are read in place instead
 * (pcap_map.c, cheaper still); this thread serves the regular files only
 * libpcap reads, such as pcapng.
 *
 * A live capture is drained the same way, so that the kernel's buffer
 * empties as fast as for `tcpdump -w` whatever the decoding and the
 * output cost. Its thread never waits: a record the queue has no room for
 * is dropped and counted (readahead_dropped), as the kernel counts the
 * ones its buffer had no room for. A batch is handed over after a read
 * of the kernel's buffer unless the main thread is still busy (then more
 * records join it). Without immediate mode a read only returns once the
 * kernel has packets, so when the main thread has waited for a batch for
 * 100 ms while one is held back, it wakes the capture thread
 * (pcap_breakloop, told apart from a stop by `nudge`) to hand it over:
 * the lines follow the traffic within about 0.2 s. The queue keeps
 * LIVE_WARM_BATCHES free batches resident ahead of the capture thread,
 * made by the main thread as it gives batches back (batch_ring_warm):
 * the capture thread never waits for the kernel to provide fresh pages.
 *
 * The capture thread takes real-time priority (SCHED_FIFO, the lowest
 * level) when the process may: the kernel's buffer only empties when it
 * gets a core, and tcpdump's 2 MiB (8 blocks of 256 KiB) is about 12 ms
 * of lo traffic at 170 MB/s. It uses a few percent of a core (4% at 166k
 * frames/s) and sleeps in poll() between blocks, so it takes little from
 * the other threads. The priority needs privilege, which -Z gives up:
 * the thread is given it as it starts, and waits at a gate
 * (readahead_open) until the privileges are gone; it reads nothing
 * before.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_ring.h"
#include "readahead.h"

/* Holds the largest record libpcap accepts (snaplen 262144) at least once. */
#define RA_BATCH_SIZE (1u << 19)
/* A live queue's batch: big enough that a busy capture hands over a few
 * hundred a second, small enough that a queue holds many of them. */
#define LIVE_BATCH_MAX (1u << 20)
/* Free batches a live queue keeps resident ahead of the capture thread
 * (batch_ring_warm): 4 MiB, twice what the kernel's default 2 MiB holds,
 * made by the decoding thread one a batch as the queue grows.
 * tests/bench-live.sh, bursts 400, 500 and max, a build timing the
 * capture thread's reads: with a fresh page faulted in by the capture
 * thread, the longest read of the kernel's buffer took 3.4-8.2 ms on huge
 * pages and 20-39 ms on small ones (1,920 faults for 197 records) as the
 * queue grew, with the kernel dropping 14 to 161 packets meanwhile; with the
 * reserve, 0.12-0.19 ms. */
#define LIVE_WARM_BATCHES 4u
/* How long the main thread waits for a live batch before it goes on
 * anyway (feed's batch_done: holes expire with no traffic). */
#define LIVE_WAIT_MS 100

struct readahead {
	pcap_t *pcap;
	pthread_t thread;
	struct batch_ring *ring;
	size_t batch_size;
	bool live;
	bool realtime; /* live: the thread got real-time priority */
	atomic_int break_requested; /* lock-free: set from a signal handler */
	_Atomic uint64_t dropped; /* live: records the queue had no room for */
	atomic_int held; /* live: the filling batch has records not handed over */
	atomic_int nudge; /* live: the main thread asks for them */
	/* live: the thread waits here until readahead_open */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate;
	bool open;
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

	if (b->len + need > ra->batch_size) {
		if (ra->live) {
			if (!batch_ring_offer(ra->ring, false)) {
				atomic_fetch_add_explicit(&ra->dropped, 1, memory_order_relaxed);
				return;
			}
		} else if (!batch_ring_publish(ra->ring)) { /* the main thread gave up */
			pcap_breakloop(ra->pcap);
			return;
		}
		b = batch_ring_filling(ra->ring);
	}
	/* libpcap never hands over more than its snapshot length, at most
	 * 262144 (live: the batch is sized for it): a record always fits an
	 * empty batch. */
	memcpy(b->bytes + b->len, h, sizeof(*h));
	memcpy(b->bytes + b->len + sizeof(*h), bytes, h->caplen);
	b->len += need;
}

/* Real-time priority for the capture thread t, if the process may have
 * it (root, CAP_SYS_NICE, RLIMIT_RTPRIO): whether it got it; else it
 * keeps the normal priority it has. Given by the thread that starts it,
 * so that the answer is known at once (readahead_realtime).
 * tests/bench-live.sh, -B 2048, load 4 to 7 from other work: the kernel
 * dropped nothing up to burst 400 (170,000 frames/s) and 18 and 134 at
 * 500 in two runs; without it 6 to 447 from burst 200 or 300 on, and
 * tcpdump 12 to 105 from burst 100 or 200 on in the same runs. At the
 * bench's "max" it used 12% of a core. On a quiet machine too, where a
 * real-time thread is left alone on a CPU that sleeps between blocks
 * (so every wake-up is an interrupt to an idle virtual CPU): burst 300,
 * ten runs each alternated, the kernel dropped packets in 2 runs with
 * it and in 8 without (docs/performance.md, session 26). */
static bool capture_priority(pthread_t t)
{
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };

	return sp.sched_priority >= 0 && pthread_setschedparam(t, SCHED_FIFO, &sp) == 0;
}

/* Wait until readahead_open; false when stopped before it. */
static bool wait_open(struct readahead *ra)
{
	pthread_mutex_lock(&ra->gate_lock);
	while (!ra->open)
		pthread_cond_wait(&ra->gate, &ra->gate_lock);
	pthread_mutex_unlock(&ra->gate_lock);
	return !ra->break_requested;
}

static void open_gate(struct readahead *ra)
{
	pthread_mutex_lock(&ra->gate_lock);
	ra->open = true;
	pthread_cond_signal(&ra->gate);
	pthread_mutex_unlock(&ra->gate_lock);
}

static void *reader_main(void *arg)
{
	struct readahead *ra = arg;
	int n;

	if (ra->live) {
		n = wait_open(ra) ? 0 : PCAP_ERROR_BREAK;
		/* A read that found records keeps them while the main thread
		 * is busy, so that batches fill up; a nudge (a read that
		 * found nothing) hands them over. */
		while (n >= 0 && !ra->break_requested) {
			n = pcap_dispatch(ra->pcap, -1, on_record, (u_char *)ra);
			if (n == PCAP_ERROR_BREAK && atomic_exchange(&ra->nudge, 0) &&
			    !ra->break_requested)
				n = 0;
			if (n >= 0) {
				batch_ring_offer(ra->ring, n > 0);
				ra->held = batch_ring_filling(ra->ring)->len != 0;
			}
		}
		if (n >= 0)
			n = PCAP_ERROR_BREAK;
	} else {
		do
			n = pcap_dispatch(ra->pcap, -1, on_record, (u_char *)ra);
		while (n > 0 && !ra->break_requested);
	}
	if (n == PCAP_ERROR)
		snprintf(ra->error, sizeof(ra->error), "%s", pcap_geterr(ra->pcap));
	batch_ring_end(ra->ring, n == PCAP_ERROR ? PCAP_ERROR
			  : n == PCAP_ERROR_BREAK || ra->break_requested ? PCAP_ERROR_BREAK : 0);
	return NULL;
}

/* The reader for `p`, its ring of `count` batches of `size` bytes. */
static struct readahead *start(pcap_t *p, bool live, size_t size, unsigned count)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (!ra)
		return NULL;
	ra->pcap = p;
	ra->live = live;
	ra->batch_size = size;
	ra->open = !live;
	ra->ring = batch_ring_new(size, count);
	if (!ra->ring) {
		free(ra);
		return NULL;
	}
	if (pthread_mutex_init(&ra->gate_lock, NULL) != 0)
		goto no_gate;
	if (pthread_cond_init(&ra->gate, NULL) != 0)
		goto no_cond;
	if (live)
		batch_ring_reserve(ra->ring, count / 2 < LIVE_WARM_BATCHES ? count / 2 : LIVE_WARM_BATCHES);
	if (batch_ring_thread(&ra->thread, reader_main, ra) == 0) {
		if (live)
			ra->realtime = capture_priority(ra->thread);
		return ra;
	}
	pthread_cond_destroy(&ra->gate);
no_cond:
	pthread_mutex_destroy(&ra->gate_lock);
no_gate:
	batch_ring_free(ra->ring);
	free(ra);
	return NULL;
}

struct readahead *readahead_start(pcap_t *p)
{
	return start(p, false, RA_BATCH_SIZE, BATCH_RING_BATCHES);
}

struct readahead *readahead_start_live(pcap_t *p, size_t queue_bytes)
{
	int snaplen = pcap_snapshot(p);
	size_t largest = record_size(snaplen > 0 ? (uint32_t)snaplen : 262144u);
	size_t size = queue_bytes / 8;
	size_t count;

	if (size > LIVE_BATCH_MAX)
		size = LIVE_BATCH_MAX;
	if (size < largest)
		size = largest;
	count = queue_bytes / size;
	if (count > UINT_MAX)
		count = UINT_MAX;
	return start(p, true, size, count < 2 ? 2 : (unsigned)count);
}

bool readahead_realtime(const struct readahead *ra)
{
	return ra && ra->realtime;
}

void readahead_open(struct readahead *ra)
{
	open_gate(ra);
}

uint64_t readahead_dropped(const struct readahead *ra)
{
	return ra ? atomic_load_explicit(&ra->dropped, memory_order_relaxed) : 0;
}

int readahead_dispatch(struct readahead *ra, pcap_handler cb, u_char *user)
{
	int status, records = 0;
	struct ring_batch *b = batch_ring_take(ra->ring, ra->live ? LIVE_WAIT_MS : -1, &status);

	if (!b) {
		if (ra->live && status == 0 && ra->held) {
			ra->nudge = 1;
			pcap_breakloop(ra->pcap);
		}
		return status;
	}
	for (size_t at = 0; at < b->len && !ra->break_requested; records++) {
		struct pcap_pkthdr h;

		memcpy(&h, b->bytes + at, sizeof(h));
		cb(user, &h, b->bytes + at + sizeof(h));
		at += record_size(h.caplen);
	}
	batch_ring_give_back(ra->ring);
	if (ra->live)
		batch_ring_warm(ra->ring);
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
	if (!ra->open) { /* never opened: it must not read now */
		ra->break_requested = 1;
		open_gate(ra);
	}
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->gate);
	pthread_mutex_destroy(&ra->gate_lock);
	batch_ring_free(ra->ring);
	free(ra);
}
