/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_grow.c - growing an array by doubling (see the header). */
#include "fc_grow.h"

#include <stdint.h>
#include <stdlib.h>

bool fc_grow(void **p, size_t *cap, size_t need, size_t sz, size_t first)
{
	size_t c = *cap ? *cap : first > 16 ? first : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return false;
		c *= 2;
	}
	if (sz && c > SIZE_MAX / sz)
		return false;
	q = realloc(*p, c * sz);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}
