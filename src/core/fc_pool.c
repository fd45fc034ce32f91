/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_pool.c - objects carved from blocks (see fc_pool.h).
 *
 *   slot: [ its block's address | object ]
 *   get: first block of room -> its free list, else its next uncarved
 *        slot; a block that fills moves to full
 *   put: the object's block (the word before it) -> its free list; a
 *        full block moves back to room; an empty one is freed unless it
 *        is the only block with room
 */
#include "fc_pool.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define POOL_DIRECT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_DIRECT 1
#endif
#endif
#ifndef POOL_DIRECT
#define POOL_DIRECT 0
#endif

struct fc_pool_block {
	struct fc_pool_block *prev, *next; /* in room or full */
	void *free; /* objects given back, each holding the next's address */
	uint32_t used; /* objects handed out */
	uint32_t carved; /* objects ever handed out: the rest are untouched */
};

/* Slots start after the header, 8-aligned. */
#define POOL_HDR ((sizeof(struct fc_pool_block) + 7) / 8 * 8)
#define SLOT_HDR sizeof(struct fc_pool_block *)

static void unlink_block(struct fc_pool_block **list, struct fc_pool_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		*list = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

static void push_block(struct fc_pool_block **list, struct fc_pool_block *b)
{
	b->prev = NULL;
	b->next = *list;
	if (*list)
		(*list)->prev = b;
	*list = b;
}

void fc_pool_init(struct fc_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = (uint32_t)((size < 8 ? 8 : size) + 7) / 8 * 8;
	p->per_block = (uint32_t)((FC_POOL_BLOCK - POOL_HDR) / (SLOT_HDR + p->size));
}

void *fc_pool_get(struct fc_pool *p)
{
	struct fc_pool_block *b = p->room;
	void *o;

	if (POOL_DIRECT)
		return malloc(p->size);
	if (!b) {
		/* Pages of a new block are touched only as objects are
		 * carved: a pool that holds a few objects costs a few. (Not
		 * aligned_alloc, to find blocks by address: glibc leaves the
		 * alignment's slack as free pieces whose pages count, 17 MiB
		 * more peak RSS for 50,000 connections.) */
		b = malloc(FC_POOL_BLOCK);
		if (!b)
			return NULL;
		b->free = NULL;
		b->used = b->carved = 0;
		push_block(&p->room, b);
		p->nblocks++;
	}
	if (b->free) {
		o = b->free;
		memcpy(&b->free, o, sizeof(void *));
	} else {
		char *slot = (char *)b + POOL_HDR + (size_t)b->carved++ * (SLOT_HDR + p->size);

		memcpy(slot, &b, sizeof(b));
		o = slot + SLOT_HDR;
	}
	if (++b->used == p->per_block) {
		unlink_block(&p->room, b);
		push_block(&p->full, b);
	}
	return o;
}

void fc_pool_put(struct fc_pool *p, void *o)
{
	struct fc_pool_block *b;

	if (!o)
		return;
	if (POOL_DIRECT) {
		free(o);
		return;
	}
	memcpy(&b, (char *)o - SLOT_HDR, sizeof(b));
	if (b->used-- == p->per_block) {
		unlink_block(&p->full, b);
		push_block(&p->room, b);
	}
	memcpy(o, &b->free, sizeof(void *));
	b->free = o;
	if (b->used == 0 && (b->prev || b->next)) {
		unlink_block(&p->room, b);
		p->nblocks--;
		free(b);
	}
}

void fc_pool_drain(struct fc_pool *p)
{
	struct fc_pool_block **lists[2] = { &p->room, &p->full };

	for (int i = 0; i < 2; i++)
		while (*lists[i]) {
			struct fc_pool_block *b = *lists[i];

			*lists[i] = b->next;
			free(b);
		}
	p->nblocks = 0;
}
