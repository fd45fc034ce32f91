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
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "batch_ring.h"

struct batch_ring {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a batch was published or given back */
	struct ring_batch *batch;
	unsigned count; /* batches */
	unsigned filling; /* the producer's batch */
	unsigned reading; /* the consumer's next batch */
	unsigned full; /* published, not yet given back */
	bool ended, stopped;
	int status;
};

static void free_batches(struct batch_ring *r)
{
	for (unsigned i = 0; i < r->count; i++)
		free(r->batch[i].bytes);
	free(r->batch);
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
	r->batch = calloc(count, sizeof(*r->batch));
	if (!r->batch) {
		free(r);
		return NULL;
	}
	r->count = count;
	for (unsigned i = 0; i < count; i++)
		if (!(r->batch[i].bytes = malloc(size)))
			goto fail;
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

/* With the lock held. */
static void hand_over(struct batch_ring *r)
{
	if (r->batch[r->filling].len == 0)
		return;
	r->full++;
	r->filling = (r->filling + 1) % r->count;
	pthread_cond_broadcast(&r->changed);
}

/* Hand the filling batch over, then wait until at most `most` batches
 * are full (or the consumer stopped); the next batch is then empty. */
static bool hand_over_wait(struct batch_ring *r, unsigned most)
{
	bool go_on;

	pthread_mutex_lock(&r->lock);
	hand_over(r);
	while (r->full > most && !r->stopped)
		pthread_cond_wait(&r->changed, &r->lock);
	r->batch[r->filling].len = 0;
	go_on = !r->stopped;
	pthread_mutex_unlock(&r->lock);
	return go_on;
}

bool batch_ring_publish(struct batch_ring *r)
{
	return hand_over_wait(r, r->count - 1);
}

bool batch_ring_offer(struct batch_ring *r, bool unless_busy)
{
	bool handed = true;

	pthread_mutex_lock(&r->lock);
	/* After the handover the next filling batch must be free: one
	 * fewer than all may be full before it. */
	if (r->stopped || r->full + 1 >= r->count)
		handed = false;
	else if (!unless_busy || r->full == 0) {
		hand_over(r);
		r->batch[r->filling].len = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return handed;
}

void batch_ring_end(struct batch_ring *r, int status)
{
	pthread_mutex_lock(&r->lock);
	if (r->full < r->count) /* else the consumer stopped */
		hand_over(r);
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
		b = &r->batch[r->reading];
	else
		*status = r->ended ? r->status : 0;
	pthread_mutex_unlock(&r->lock);
	return b;
}

void batch_ring_give_back(struct batch_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->reading = (r->reading + 1) % r->count;
	r->full--;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
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
