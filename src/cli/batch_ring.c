/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch_ring.c - fixed-size batches handed from one thread to another.
 *
 *   producer:  fill --publish/offer-->  [full][full]  --take--> consumer
 *                 <------------------- [free] <-- give_back ---
 *
 * One lock and one condition, taken once per batch, never per record:
 * batches are large (hundreds of KiB), so a handover is rare next to the
 * work done on its contents. A file's reader waits for a free batch
 * (publish); a live capture's cannot, the kernel would drop instead, so
 * it offers and keeps what did not fit to count as its own drops.
 *
 * Full batches are read in the order they were handed over; free ones
 * are taken last given back, first filled. A consumer that keeps up thus
 * hands the producer the same two or three batches again and again, whose
 * pages are resident and whose lines are in the cache: the others are
 * only touched when the queue backs up. Taken in turn, every batch of a
 * live capture's 64 MiB queue was written once as its first 64 MiB of
 * traffic went through, the capture thread faulting in fresh pages that
 * the decoding never needed (a light capture: 33.8 MiB resident, now
 * 24.3).
 *
 * Batches never filled yet are kept apart (cold_at), taken only when no
 * free batch has been filled before. batch_ring_warm makes cold ones
 * resident from another thread, so that a live capture's thread, when
 * the queue backs up, still writes to pages that exist: on a virtual
 * machine whose host backs memory lazily a fresh page cost ~9-20 us,
 * and the capture thread once spent 39 ms (1,920 faults) copying 197
 * records while the kernel's 2 MiB buffer overflowed. All batches lie in
 * one region on transparent huge pages (fc_huge_alloc), a fault per
 * 2 MiB where the system gives them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "batch_ring.h"
#include "fc_pool.h"

/* Written once a page, to make it resident. */
#define PAGE_STEP 4096

struct batch_ring {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a batch was published or given back */
	struct ring_batch *batch;
	unsigned char *region; /* every batch's bytes, one after another */
	size_t size; /* of a batch */
	unsigned count; /* batches: the filling one, the full, the free, the cold */
	unsigned filling; /* the producer's batch */
	/* Full batches, oldest first: full_at[(first + i) % count] for
	 * i < full; the consumer reads the first. */
	unsigned *full_at;
	unsigned first, full;
	/* Free batches, the last given back on top (free_at[nfree - 1]). */
	unsigned *free_at;
	unsigned nfree;
	/* Batches never filled, the next on top: their pages may not exist. */
	unsigned *cold_at;
	unsigned ncold;
	unsigned reserve; /* free batches batch_ring_warm keeps resident */
	bool ended, stopped;
	int status;
};

static void free_batches(struct batch_ring *r)
{
	fc_huge_free(r->region, r->size * r->count);
	free(r->batch);
	free(r->full_at);
	free(r->free_at);
	free(r->cold_at);
	free(r);
}

struct batch_ring *batch_ring_new(size_t size, unsigned count)
{
	struct batch_ring *r = calloc(1, sizeof(*r));
	pthread_condattr_t attr;
	int rc;

	if (!r)
		return NULL;
	if (count < 2)
		count = 2;
	if (size == 0 || size > SIZE_MAX / count)
		goto fail;
	r->count = count;
	r->size = size;
	r->batch = calloc(count, sizeof(*r->batch));
	r->full_at = calloc(count, sizeof(*r->full_at));
	r->free_at = calloc(count, sizeof(*r->free_at));
	r->cold_at = calloc(count, sizeof(*r->cold_at));
	r->region = fc_huge_alloc(size * count);
	if (!r->batch || !r->full_at || !r->free_at || !r->cold_at || !r->region)
		goto fail;
	for (unsigned i = 0; i < count; i++)
		r->batch[i].bytes = r->region + (size_t)i * size;
	/* Batch 0 (calloc's filling) first, then 1, 2, ... until some are
	 * given back. */
	for (unsigned i = 1; i < count; i++)
		r->cold_at[r->ncold++] = count - i;
	if (pthread_mutex_init(&r->lock, NULL) != 0)
		goto fail;
	/* Timed takes count on the monotonic clock: a clock set back must
	 * not hold the consumer up. */
	if (pthread_condattr_init(&attr) != 0)
		goto fail_lock;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&r->changed, &attr);
	pthread_condattr_destroy(&attr);
	if (rc == 0)
		return r;
fail_lock:
	pthread_mutex_destroy(&r->lock);
fail:
	free_batches(r);
	return NULL;
}

void batch_ring_free(struct batch_ring *r)
{
	if (!r)
		return;
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free_batches(r);
}

struct ring_batch *batch_ring_filling(struct batch_ring *r)
{
	return &r->batch[r->filling];
}

/* With the lock held: the filling batch, not empty, joins the full ones. */
static void push_full(struct batch_ring *r)
{
	r->full_at[(r->first + r->full) % r->count] = r->filling;
	r->full++;
	pthread_cond_broadcast(&r->changed);
}

/* With the lock held: a batch is free, filled before or cold. */
static bool any_free(const struct batch_ring *r)
{
	return r->nfree > 0 || r->ncold > 0;
}

/* With the lock held and a batch free: it becomes the filling one, one
 * filled before if there is one. */
static void fill_next(struct batch_ring *r)
{
	r->filling = r->nfree > 0 ? r->free_at[--r->nfree] : r->cold_at[--r->ncold];
	r->batch[r->filling].len = 0;
}

bool batch_ring_publish(struct batch_ring *r)
{
	bool go_on;

	pthread_mutex_lock(&r->lock);
	if (r->batch[r->filling].len != 0 && !r->stopped) {
		push_full(r);
		while (!any_free(r) && !r->stopped)
			pthread_cond_wait(&r->changed, &r->lock);
	}
	go_on = !r->stopped;
	if (go_on && r->batch[r->filling].len != 0)
		fill_next(r);
	else /* empty, or no one reads it any more */
		r->batch[r->filling].len = 0;
	pthread_mutex_unlock(&r->lock);
	return go_on;
}

bool batch_ring_offer(struct batch_ring *r, bool unless_busy)
{
	bool handed = true;

	pthread_mutex_lock(&r->lock);
	/* After the handover a free batch must become the filling one. */
	if (r->stopped || !any_free(r))
		handed = false;
	else if (r->batch[r->filling].len != 0 && (!unless_busy || r->full == 0)) {
		push_full(r);
		fill_next(r);
	}
	pthread_mutex_unlock(&r->lock);
	return handed;
}

void batch_ring_end(struct batch_ring *r, int status)
{
	pthread_mutex_lock(&r->lock);
	if (r->batch[r->filling].len != 0 && !r->stopped)
		push_full(r); /* the producer fills nothing more */
	r->ended = true;
	r->status = status;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

struct ring_batch *batch_ring_take(struct batch_ring *r, int wait_ms, int *status)
{
	struct ring_batch *b = NULL;
	struct timespec until;

	if (wait_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&r->lock);
	while (r->full == 0 && !r->ended) {
		if (wait_ms < 0)
			pthread_cond_wait(&r->changed, &r->lock);
		else if (pthread_cond_timedwait(&r->changed, &r->lock, &until) == ETIMEDOUT)
			break;
	}
	if (r->full > 0)
		b = &r->batch[r->full_at[r->first]];
	else
		*status = r->ended ? r->status : 0;
	pthread_mutex_unlock(&r->lock);
	return b;
}

void batch_ring_give_back(struct batch_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->free_at[r->nfree++] = r->full_at[r->first];
	r->first = (r->first + 1) % r->count;
	r->full--;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

/* Write a byte of each page of batch i, which no other thread touches
 * meanwhile: its pages are resident after. */
static void make_resident(struct batch_ring *r, unsigned i)
{
	volatile unsigned char *bytes = r->batch[i].bytes;

	for (size_t at = 0; at < r->size; at += PAGE_STEP)
		bytes[at] = 0;
}

void batch_ring_reserve(struct batch_ring *r, unsigned reserve)
{
	pthread_mutex_lock(&r->lock);
	r->reserve = reserve;
	pthread_mutex_unlock(&r->lock);
	make_resident(r, r->filling);
	while (batch_ring_warm(r))
		;
}

bool batch_ring_warm(struct batch_ring *r)
{
	unsigned cold;

	pthread_mutex_lock(&r->lock);
	if (r->nfree >= r->reserve || r->ncold == 0 || r->stopped) {
		pthread_mutex_unlock(&r->lock);
		return false;
	}
	cold = r->cold_at[--r->ncold]; /* in no list: no one else touches it */
	pthread_mutex_unlock(&r->lock);
	make_resident(r, cold);
	pthread_mutex_lock(&r->lock);
	r->free_at[r->nfree++] = cold;
	pthread_cond_broadcast(&r->changed); /* a producer may wait for it */
	pthread_mutex_unlock(&r->lock);
	return true;
}

int batch_ring_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void batch_ring_stop(struct batch_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->stopped = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}
