/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch_ring.c - fixed-size batches handed from one thread to another.
 *
 *   producer:  fill --publish-->  [full][full]  --take--> consumer
 *                 <------------- [free] <-- give_back ---
 *
 * One lock and one condition, taken once per batch, never per record:
 * batches are large (hundreds of KiB), so a handover is rare next to the
 * work done on its contents.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "batch_ring.h"

struct batch_ring {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a batch was published or given back */
	struct ring_batch batch[BATCH_RING_BATCHES];
	unsigned filling; /* the producer's batch */
	unsigned reading; /* the consumer's next batch */
	unsigned full; /* published, not yet given back */
	bool ended, stopped;
	int status;
};

struct batch_ring *batch_ring_new(size_t size)
{
	struct batch_ring *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	for (unsigned i = 0; i < BATCH_RING_BATCHES; i++)
		if (!(r->batch[i].bytes = malloc(size)))
			goto fail;
	if (pthread_mutex_init(&r->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&r->changed, NULL) != 0) {
		pthread_mutex_destroy(&r->lock);
		goto fail;
	}
	return r;
fail:
	for (unsigned i = 0; i < BATCH_RING_BATCHES; i++)
		free(r->batch[i].bytes);
	free(r);
	return NULL;
}

void batch_ring_free(struct batch_ring *r)
{
	if (!r)
		return;
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	for (unsigned i = 0; i < BATCH_RING_BATCHES; i++)
		free(r->batch[i].bytes);
	free(r);
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
	r->filling = (r->filling + 1) % BATCH_RING_BATCHES;
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
	return hand_over_wait(r, BATCH_RING_BATCHES - 1);
}

bool batch_ring_drain(struct batch_ring *r)
{
	return hand_over_wait(r, 0);
}

void batch_ring_end(struct batch_ring *r, int status)
{
	pthread_mutex_lock(&r->lock);
	if (r->full < BATCH_RING_BATCHES) /* else the consumer stopped */
		hand_over(r);
	r->ended = true;
	r->status = status;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

struct ring_batch *batch_ring_take(struct batch_ring *r, int *status)
{
	struct ring_batch *b = NULL;

	pthread_mutex_lock(&r->lock);
	while (r->full == 0 && !r->ended)
		pthread_cond_wait(&r->changed, &r->lock);
	if (r->full > 0)
		b = &r->batch[r->reading];
	else
		*status = r->status;
	pthread_mutex_unlock(&r->lock);
	return b;
}

void batch_ring_give_back(struct batch_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->reading = (r->reading + 1) % BATCH_RING_BATCHES;
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
