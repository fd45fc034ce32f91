/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch_ring.h - fixed-size batches handed from one thread to another. */
#ifndef FC_BATCH_RING_H
#define FC_BATCH_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* How many batches circulate when a file is read ahead: one being
 * filled, the rest waiting or being read. */
#define BATCH_RING_BATCHES 4

struct ring_batch {
	unsigned char *bytes; /* batch_ring_new's size */
	size_t len; /* bytes filled */
};

struct batch_ring;

/* `count` batches (at least 2) of `size` bytes, allocated now and never
 * again. NULL when out of memory. */
struct batch_ring *batch_ring_new(size_t size, unsigned count);
/* Both threads must be done with it. */
void batch_ring_free(struct batch_ring *r);

/* Producer. The batch being filled: the producer's alone (never NULL). */
struct ring_batch *batch_ring_filling(struct batch_ring *r);
/* Hand the filling batch over (if not empty) and wait for a free one.
 * False when the consumer stopped: nothing more will be read. */
bool batch_ring_publish(struct batch_ring *r);
/* Like publish without waiting, for a producer that must never block (a live
 * capture): false when no batch is free, and the filling batch stays the
 * producer's as it is. `unless_busy`: keep filling it while the consumer
 * still has a batch to read, so that batches fill up under load. */
bool batch_ring_offer(struct batch_ring *r, bool unless_busy);
/* No more batches: hand the filling one over; the consumer sees `status`
 * once it has taken everything. */
void batch_ring_end(struct batch_ring *r, int status);

/* Consumer. The next batch, waiting for it (at most `wait_ms` when not
 * negative: then NULL with *status 0 if none came); NULL after the last,
 * with the producer's status in *status. The batch is the consumer's
 * until batch_ring_give_back. */
struct ring_batch *batch_ring_take(struct batch_ring *r, int wait_ms, int *status);
void batch_ring_give_back(struct batch_ring *r);
/* The consumer gives up and reads no batch again: a producer waiting in
 * batch_ring_publish wakes with false. */
void batch_ring_stop(struct batch_ring *r);

/* Keep `reserve` free batches resident ahead of the producer, whose next
 * batches then need no page from the kernel: makes the filling batch and
 * `reserve` free ones resident now, in the caller's thread. Call it
 * before the producer starts: the filling batch is written. Without it
 * (a reserve of 0) a batch's pages are made as the producer first fills
 * it. */
void batch_ring_reserve(struct batch_ring *r, unsigned reserve);
/* Either side, or a third thread: when fewer free batches than the
 * reserve have been filled or made resident before, make one more
 * resident (its pages written) and free it. At most one batch a call;
 * true if it made one. */
bool batch_ring_warm(struct batch_ring *r);

/* Start the other side's thread, `fn(arg)`, with every signal blocked:
 * signals stay with the main thread, which handles them. 0, or
 * pthread_create's error. */
int batch_ring_thread(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
