/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_grow.h - growing an array one need at a time, by doubling.
 *
 *   *p:  [x x x x x . . .]        cap 8, need 11
 *   *p:  [x x x x x . . . . . . . . . . .]    cap 16 (moved by realloc)
 *
 * For the front ends' lists (segments, frames, writes): amortised O(1) per
 * element, and a size that cannot overflow size_t. No I/O: the caller says
 * what an allocation failure means.
 */
#ifndef FC_GROW_H
#define FC_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Make *p (an array of *cap elements of `sz` bytes, or NULL with *cap 0)
 * hold at least `need` elements: doubles *cap from 16 (or from `first`,
 * when larger) until it does. Returns false, leaving *p and *cap as they
 * were, when memory runs out or the size would overflow. */
bool fc_grow(void **p, size_t *cap, size_t need, size_t sz, size_t first);

#endif
