/* SPDX-License-Identifier: GPL-2.0-or-later */
/* map_ahead.c - a second thread that maps a file's next window ahead of
 * its reader (pcap_map.c), page tables filled, and unmaps the windows it
 * left.
 *
 *   reader:  ask(next) ....... take(old) -> next, or none: maps its own
 *                 |                 |
 *   mapper:  mmap + populate -> ready      old -> gone -> munmap
 *
 * The kernel fills a page table entry per 4 KiB page as a mapping is
 * first touched and clears them at munmap: a tenth of the CPU time on
 * make bench's connection captures, done here beside the reader. The
 * thread never reads the file's bytes (a file cut short still faults in
 * the reader, whose SIGBUS handler deals with it), and a window is only
 * handed over when it holds what the reader needs, so nothing it does
 * changes an answer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "batch_ring.h"
#include "map_ahead.h"

/* Windows left for the thread to unmap; when it lags further behind,
 * the reader unmaps them itself (four let a lagging thread double the
 * peak RSS of make bench's small-frames). */
#define GONE_MAX 1
/* Bytes of page table filled by one call (populate). */
#define POPULATE_STEP (256u << 10)

/* Shared by the reader and the thread, under `lock`. */
struct map_ahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the thread waits for work */
	int fd;
	bool stop;
	/* The window asked for (want.len 0: none), and the request's
	 * number: a window made for an older request is not handed out. */
	struct map_window want;
	uint64_t asked;
	/* Made for the last request (ready.p NULL: none). */
	struct map_window ready;
	struct map_window gone[GONE_MAX]; /* to unmap */
	unsigned ngone;
	/* The reader's: the CPUs it may run on, and the one the thread
	 * was last kept off (-1: none yet). */
	cpu_set_t cpus;
	int kept_off;
};

/* Fill the page table entries of [p, p + len), POPULATE_STEP at a time:
 * each call holds the process's memory map lock (for reading), which a
 * mmap of the engine's waits for. Stops early when the reader has asked
 * for another window since request `req`. */
static void populate(struct map_ahead *a, void *p, size_t len, uint64_t req)
{
	for (size_t at = 0; at < len; at += POPULATE_STEP) {
		size_t n = len - at < POPULATE_STEP ? len - at : POPULATE_STEP;

		if (__atomic_load_n(&a->asked, __ATOMIC_RELAXED) != req ||
		    madvise((char *)p + at, n, MADV_POPULATE_READ) != 0)
			return;
	}
}

/* The thread: make the window asked for, unmap those left behind, until
 * told to stop. A window that could not be made is simply not there. */
static void *run(void *arg)
{
	struct map_ahead *a = arg;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		if (a->ngone) {
			struct map_window w = a->gone[--a->ngone];

			pthread_mutex_unlock(&a->lock);
			munmap((void *)w.p, w.len);
			pthread_mutex_lock(&a->lock);
		} else if (a->stop) {
			break;
		} else if (a->want.len && !a->ready.p) {
			struct map_window w = a->want;
			uint64_t req = a->asked;
			void *p;

			a->want.len = 0;
			pthread_mutex_unlock(&a->lock);
			p = mmap(NULL, w.len, PROT_READ, MAP_SHARED, a->fd, (off_t)w.base);
			if (p != MAP_FAILED) {
				/* As the reader's own: walked once. */
				madvise(p, w.len, MADV_SEQUENTIAL);
				populate(a, p, w.len, req);
			}
			pthread_mutex_lock(&a->lock);
			if (p == MAP_FAILED)
				continue;
			w.p = p;
			if (req == a->asked && !a->stop) {
				a->ready = w;
			} else { /* asked for before the reader moved on */
				pthread_mutex_unlock(&a->lock);
				munmap(p, w.len);
				pthread_mutex_lock(&a->lock);
			}
		} else {
			pthread_cond_wait(&a->wake, &a->lock);
		}
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Wake the thread (lock held), off the CPU the reader runs on: woken
 * there, it took the reader's CPU while the other one idled (at every
 * wake-up, in a scheduler trace), and did its work instead of the
 * reader's, not beside it. */
static void wake(struct map_ahead *a)
{
	int cpu = sched_getcpu();

	if (cpu >= 0 && cpu != a->kept_off && cpu < CPU_SETSIZE) {
		cpu_set_t others = a->cpus;

		CPU_CLR(cpu, &others);
		if (CPU_COUNT(&others) > 0 &&
		    pthread_setaffinity_np(a->thread, sizeof(others), &others) == 0)
			a->kept_off = cpu;
	}
	pthread_cond_signal(&a->wake);
}

struct map_ahead *map_ahead_start(int fd)
{
	cpu_set_t cpus;
	struct map_ahead *a;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0 || CPU_COUNT(&cpus) < 2 ||
	    !(a = calloc(1, sizeof(*a))))
		return NULL;
	a->fd = fd;
	a->cpus = cpus;
	a->kept_off = -1;
	if (pthread_mutex_init(&a->lock, NULL) != 0)
		goto no_lock;
	if (pthread_cond_init(&a->wake, NULL) != 0)
		goto no_cond;
	if (batch_ring_thread(&a->thread, run, a) != 0)
		goto no_thread;
	/* Told apart in ps and /proc (tests/suites/write-errors.sh). */
	(void)pthread_setname_np(a->thread, "framecap-mapper");
	return a;
no_thread:
	pthread_cond_destroy(&a->wake);
no_cond:
	pthread_mutex_destroy(&a->lock);
no_lock:
	free(a);
	return NULL;
}

void map_ahead_ask(struct map_ahead *a, uint64_t base, size_t len)
{
	pthread_mutex_lock(&a->lock);
	a->want.base = base;
	a->want.len = len;
	__atomic_add_fetch(&a->asked, 1, __ATOMIC_RELAXED);
	wake(a);
	pthread_mutex_unlock(&a->lock);
}

/* w, no longer read, to the thread to unmap (lock held), or unmapped
 * here when it lags. Returns whether the thread got it. */
static bool leave(struct map_ahead *a, struct map_window w)
{
	if (!w.p)
		return false;
	if (a->ngone < GONE_MAX) {
		a->gone[a->ngone++] = w;
		return true;
	}
	munmap((void *)w.p, w.len);
	return false;
}

struct map_window map_ahead_take(struct map_ahead *a, struct map_window old, uint64_t at,
				 size_t need)
{
	struct map_window none = { NULL, 0, 0 }, r;
	bool work;

	pthread_mutex_lock(&a->lock);
	r = a->ready;
	a->ready = none;
	/* Neither a window being made now nor one asked for and not yet
	 * begun is the one wanted any more. */
	a->want.len = 0;
	__atomic_add_fetch(&a->asked, 1, __ATOMIC_RELAXED);
	work = leave(a, old);
	if (r.p && !(r.base <= at && at + need <= r.base + r.len)) {
		work |= leave(a, r);
		r = none;
	}
	if (work)
		wake(a);
	pthread_mutex_unlock(&a->lock);
	return r;
}

void map_ahead_stop(struct map_ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	if (a->ready.p)
		munmap((void *)a->ready.p, a->ready.len);
	while (a->ngone) {
		a->ngone--;
		munmap((void *)a->gone[a->ngone].p, a->gone[a->ngone].len);
	}
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
