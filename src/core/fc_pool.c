/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_pool.c - giving spares back (see fc_pool.h).
 *
 *   free -> [s] -> [s] -> ... -> [s] -> NULL
 *           \_ unused for a period: low of them, freed from the top _/
 *
 * The spares freed are the newest, not the ones that sat longest: in a
 * stack all are alike, and popping is the only walk that costs nothing
 * for those kept.
 */
#include "fc_pool.h"

/* Pop and free n spares. */
static void pool_free_n(struct fc_pool *p, uint32_t n)
{
	while (n-- && p->free) {
		void *o = p->free;

		memcpy(&p->free, o, sizeof(void *));
		p->nfree--;
		free(o);
	}
}

void fc_pool_trim(struct fc_pool *p)
{
	pool_free_n(p, p->low);
	p->low = p->nfree;
}

void fc_pool_drain(struct fc_pool *p)
{
	pool_free_n(p, p->nfree);
	p->low = 0;
}
