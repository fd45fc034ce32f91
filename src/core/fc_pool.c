/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_pool.c - objects carved from blocks, and large tables (see fc_pool.h).
 *
 *   block: FC_POOL_BLOCK aligned, so an object's block is its address
 *          rounded down: no word beside the object says which it is
 *   get: the newest object in the cache, else first block of room ->
 *        its free list, else its next uncarved slot; a block that fills
 *        moves to full
 *   put: onto the cache; a full cache first gives its older half back:
 *        each object's block -> its free list; a full block moves back
 *        to room; an empty one is freed unless it is the only block with
 *        room
 */
#include "fc_pool.h"

#include <stdint.h>
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

#if defined(__linux__) && !POOL_DIRECT
#include <sys/mman.h>
#endif
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
#define POOL_CHUNKS 1
#else
#define POOL_CHUNKS 0
#endif

struct fc_pool_block {
	struct fc_pool_block *prev, *next; /* in room or full */
	void *free; /* objects given back, each holding the next's address */
	uint32_t used; /* objects handed out */
	uint32_t carved; /* objects ever handed out: the rest are untouched */
};

/* Objects start a cache line into the block, after the header: an
 * object whose size is a multiple of 64 then lies on whole lines (a
 * reassembler, 64 bytes, is one line, not parts of two). */
#define CACHE_LINE 64
#define POOL_HDR ((size_t)CACHE_LINE)
_Static_assert(sizeof(struct fc_pool_block) <= CACHE_LINE, "a block's header fits its first line");

/* The block holding o: blocks are FC_POOL_BLOCK aligned (block_get). */
static struct fc_pool_block *block_of(const void *o)
{
	return (struct fc_pool_block *)((uintptr_t)o & ~(uintptr_t)(FC_POOL_BLOCK - 1));
}

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

#if POOL_CHUNKS
/* Blocks come from 2 MiB chunks (2 MiB aligned, the first block holding
 * the chunk's header) advised for transparent huge pages: 50,000 open
 * connections fault in ~52 MB of blocks, which page by page (malloc'd
 * blocks) was ~17% of the run in the kernel's fault path; a huge page is
 * one fault for 128 blocks. (madvise on malloc's heap did not help: its
 * regions were touched before they were whole.) A chunk is carved like a
 * block, by the same header; an empty chunk is unmapped unless it is the
 * only one with room. The chunks are per thread: every pool of a thread
 * shares them, and a pool is only used by one thread. */
#define POOL_CHUNK ((size_t)2 << 20)
#define CHUNK_BLOCKS ((uint32_t)(POOL_CHUNK / FC_POOL_BLOCK) - 1)

static _Thread_local struct fc_pool_block *chunk_room;

/* `size` bytes (a multiple of POOL_CHUNK), zeroed, POOL_CHUNK aligned and
 * advised for huge pages; NULL without memory. */
static void *huge_map(size_t size)
{
	char *m = mmap(NULL, size + POOL_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	char *c;

	if (m == MAP_FAILED)
		return NULL;
	c = (char *)(((uintptr_t)m + POOL_CHUNK - 1) & ~(uintptr_t)(POOL_CHUNK - 1));
	if (c > m)
		munmap(m, (size_t)(c - m));
	munmap(c + size, (size_t)(m + POOL_CHUNK - c));
	(void)madvise(c, size, MADV_HUGEPAGE); /* a hint only */
	return c;
}

static struct fc_pool_block *chunk_new(void)
{
	struct fc_pool_block *h = huge_map(POOL_CHUNK);

	if (!h)
		return NULL;
	h->free = NULL;
	h->used = 0;
	h->carved = 1;
	push_block(&chunk_room, h);
	return h;
}

static void *block_get(void)
{
	struct fc_pool_block *c = chunk_room ? chunk_room : chunk_new();
	void *b;

	if (!c)
		return NULL;
	if (c->free) {
		b = c->free;
		memcpy(&c->free, b, sizeof(void *));
	} else {
		b = (char *)c + (size_t)c->carved++ * FC_POOL_BLOCK;
	}
	if (++c->used == CHUNK_BLOCKS) /* full: off the list */
		unlink_block(&chunk_room, c);
	return b;
}

static void block_put(void *b)
{
	struct fc_pool_block *c = (struct fc_pool_block *)((uintptr_t)b & ~(uintptr_t)(POOL_CHUNK - 1));

	if (c->used-- == CHUNK_BLOCKS)
		push_block(&chunk_room, c);
	memcpy(b, &c->free, sizeof(void *));
	c->free = b;
	if (c->used == 0 && (c->prev || c->next)) {
		unlink_block(&chunk_room, c);
		munmap(c, POOL_CHUNK);
	}
}
#else
static void *block_get(void)
{
	void *b;

	return posix_memalign(&b, FC_POOL_BLOCK, FC_POOL_BLOCK) == 0 ? b : NULL;
}

static void block_put(void *b)
{
	free(b);
}
#endif

void fc_pool_init(struct fc_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = (uint32_t)((size < 8 ? 8 : size) + 7) / 8 * 8;
	p->per_block = (uint32_t)((FC_POOL_BLOCK - POOL_HDR) / p->size);
}

void *fc_pool_get(struct fc_pool *p)
{
	struct fc_pool_block *b = p->room;
	void *o;

	if (POOL_DIRECT)
		return malloc(p->size);
	if (p->ncache) /* the last given back: likely still in cache */
		return p->cache[--p->ncache];
	if (!b) {
		/* From a chunk shared by the thread's pools (block_get):
		 * a pool that holds a few objects costs one block, not a
		 * chunk. */
		b = block_get();
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
		o = (char *)b + POOL_HDR + (size_t)b->carved++ * p->size;
	}
	if (++b->used == p->per_block) {
		unlink_block(&p->room, b);
		push_block(&p->full, b);
	}
	return o;
}

/* o back to its block b: a full block moves back to room, an empty one
 * is freed unless it is the pool's only block with room. */
static void block_give_back(struct fc_pool *p, struct fc_pool_block *b, void *o)
{
	if (b->used-- == p->per_block) {
		unlink_block(&p->full, b);
		push_block(&p->room, b);
	}
	memcpy(o, &b->free, sizeof(void *));
	b->free = o;
	if (b->used == 0 && (b->prev || b->next)) {
		unlink_block(&p->room, b);
		p->nblocks--;
		block_put(b);
	}
}

/* The n oldest cached objects back to their blocks. Each costs a miss
 * on its block's header (the object's own line was fetched when it was
 * put): all are prefetched for the whole batch first, so that they
 * overlap instead of coming one after the other. */
static void cache_give_back(struct fc_pool *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		__builtin_prefetch(block_of(p->cache[i]), 1);
	for (uint32_t i = 0; i < n; i++)
		block_give_back(p, block_of(p->cache[i]), p->cache[i]);
	p->ncache -= n;
	memmove(p->cache, p->cache + n, p->ncache * sizeof(p->cache[0]));
}

void fc_pool_put(struct fc_pool *p, void *o)
{
	if (!o)
		return;
	if (POOL_DIRECT) {
		free(o);
		return;
	}
	if (p->ncache == FC_POOL_CACHE)
		cache_give_back(p, FC_POOL_CACHE / 2);
	/* Its first word, written when it goes back to its block 16 to 32
	 * puts from now (the free list's link), or its first bytes, for
	 * the get that takes it first: a hint, not a load (a load waited
	 * for the miss). */
	__builtin_prefetch(o);
	p->cache[p->ncache++] = o;
}

void fc_pool_flush(struct fc_pool *p)
{
	cache_give_back(p, p->ncache);
}

void fc_pool_drain(struct fc_pool *p)
{
	struct fc_pool_block **lists[2] = { &p->room, &p->full };

	p->ncache = 0; /* their blocks go too */
	for (int i = 0; i < 2; i++)
		while (*lists[i]) {
			struct fc_pool_block *b = *lists[i];

			*lists[i] = b->next;
			block_put(b);
		}
	p->nblocks = 0;
}

/* Huge pages from FC_TABLE_HUGE on: a table of 4 MiB written slot by
 * slot was 1,000 page faults, two with them. Below, small pages, made by
 * mmap (MAP_POPULATE) from FC_TABLE_FILLED on: the JSON writer's
 * endpoint table, doubled from 64 KiB to 2 MiB, and the flow table's
 * slots were three fifths of open-50k's 2,000 page faults (452 with
 * them filled, the run 1-4% faster); being written all over, they lose
 * little by being resident whole. (The 4 MiB threshold was set when the
 * smaller tables were calloc's, a half-used one then only partly
 * resident; huge pages for 2 MiB tables have not been measured since.) */
#if POOL_CHUNKS && defined(MAP_POPULATE)
#define TABLES_FILLED 1
#else
#define TABLES_FILLED 0
#endif

void *fc_table_alloc(size_t n, size_t size)
{
	size_t bytes = n * size;

	if ((size && bytes / size != n) || bytes > PTRDIFF_MAX - FC_TABLE_HUGE)
		return NULL;
#if POOL_CHUNKS
	if (bytes >= FC_TABLE_HUGE)
		return fc_huge_alloc(bytes);
#endif
#if TABLES_FILLED
	if (bytes >= FC_TABLE_FILLED) {
		void *t = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		return t == MAP_FAILED ? NULL : t;
	}
#endif
	return calloc(n, size);
}

void fc_table_free(void *t, size_t n, size_t size)
{
#if POOL_CHUNKS
	size_t bytes = n * size;

	if (t && bytes >= FC_TABLE_HUGE) {
		fc_huge_free(t, bytes);
		return;
	}
#if TABLES_FILLED
	if (t && bytes >= FC_TABLE_FILLED) {
		munmap(t, bytes);
		return;
	}
#endif
#else
	(void)n;
	(void)size;
#endif
	free(t);
}

void *fc_huge_alloc(size_t size)
{
#if POOL_CHUNKS
	if (size == 0 || size > PTRDIFF_MAX - 2 * POOL_CHUNK)
		return NULL;
	return huge_map((size + POOL_CHUNK - 1) & ~(POOL_CHUNK - 1));
#else
	return calloc(1, size ? size : 1);
#endif
}

void fc_huge_free(void *p, size_t size)
{
#if POOL_CHUNKS
	if (p)
		munmap(p, (size + POOL_CHUNK - 1) & ~(POOL_CHUNK - 1));
#else
	(void)size;
	free(p);
#endif
}
