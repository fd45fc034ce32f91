/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_pool.h - spare fixed-size objects kept for reuse, given back when
 * they go unused.
 *
 *   fc_pool_put(o) -> [o] -> [o] -> [o] -> NULL   <- fc_pool_get()
 *                     free: a stack of spares, each holding the next's
 *                     address in its first bytes
 *   low: the fewest spares since the last fc_pool_trim; that many were
 *   never needed in the period, and fc_pool_trim frees them
 *
 * Connections come and go by the thousand: glibc's malloc spends 200 to
 * 350 instructions on each allocation and free of a flow's pieces once
 * thousands of them are freed at once (past its small per-size caches),
 * a stack costs a handful. The stack holds at most what was in use at
 * once before (every spare was in use when it was made), so it never
 * raises the peak; fc_pool_trim, called now and then, gives back what a
 * whole period did not need. Under AddressSanitizer objects go straight
 * to malloc and free, so that a use after free is still caught.
 */
#ifndef FC_POOL_H
#define FC_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define FC_POOL_KEEP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FC_POOL_KEEP 0
#endif
#endif
#ifndef FC_POOL_KEEP
#define FC_POOL_KEEP 1
#endif

struct fc_pool {
	void *free; /* the newest spare */
	size_t size; /* of every object, >= sizeof(void *) */
	uint32_t nfree; /* spares on the stack */
	uint32_t low; /* fewest spares since the last fc_pool_trim */
};

/* An empty pool of objects of `size` bytes (at least a pointer's). */
static inline void fc_pool_init(struct fc_pool *p, size_t size)
{
	p->free = NULL;
	p->size = size < sizeof(void *) ? sizeof(void *) : size;
	p->nfree = p->low = 0;
}

/* An object of the pool's size, uninitialised: the newest spare, else
 * malloc's; NULL without memory. */
static inline void *fc_pool_get(struct fc_pool *p)
{
	void *o = p->free;

	if (!o)
		return malloc(p->size);
	memcpy(&p->free, o, sizeof(void *));
	if (--p->nfree < p->low)
		p->low = p->nfree;
	return o;
}

/* Give o (from fc_pool_get, or NULL) back to the pool. */
static inline void fc_pool_put(struct fc_pool *p, void *o)
{
	if (!o)
		return;
	if (!FC_POOL_KEEP) {
		free(o);
		return;
	}
	memcpy(o, &p->free, sizeof(void *));
	p->free = o;
	p->nfree++;
}

/* Free the spares that went unused since the last call (the period's
 * fewest on the stack), and start a new period. Work in proportion to
 * what it frees. */
void fc_pool_trim(struct fc_pool *p);

/* Free every spare (the objects in use are the caller's). */
void fc_pool_drain(struct fc_pool *p);

#endif
