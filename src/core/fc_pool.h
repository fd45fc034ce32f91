/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_pool.h - fixed-size objects carved from 16 KiB blocks, each block
 * given back as soon as its last object is; and large tables, which like
 * the blocks' chunks lie on huge pages (fc_table_alloc).
 *
 *   block (16 KiB, 16 KiB aligned: a chunk's, or posix_memalign's):
 *   [ header: links, free list, used, carved | obj | obj | ... ]
 *     (objects from byte 64 on: one of 64, 128, ... bytes is on whole
 *     cache lines)
 *     (an object's block: its address rounded down to 16 KiB)
 *
 *   pool.room -> blocks with a free object <-> ...
 *   pool.full -> blocks without           <-> ...
 *
 * Connections come and go by the thousand: glibc's malloc spends 200 to
 * 350 instructions on each allocation and free of a flow's pieces once
 * thousands of them are freed at once (past its small per-size caches);
 * here both are a few loads and stores, an object costs its size
 * (malloc's chunks: 8 bytes more, or 16), and ending a capture frees
 * blocks, not every object. An empty block is freed at once unless it
 * is the pool's only one with room (kept so that one object coming and
 * going does not allocate a block each time).
 * Under AddressSanitizer objects go straight to malloc and free, so that
 * a use after free is still caught.
 *
 * A put does not touch the object's block: the object goes on a small
 * LIFO cache in the pool (still counted used by its block), which the
 * next get takes it from. A flow's history rings, flow and reassemblers
 * are given back long after they were last touched, and reading the
 * cold block header (then found through a word before the object) on
 * every put was 82% of fc_pool_put's time, 7-9% of a run of many
 * connections. When the cache is full its older half goes back to
 * their blocks in one batch, the misses prefetched together.
 * Connections interleaved packet by packet close and open in runs of
 * thousands, so most objects still go through the batch (63% of the
 * gets of many-conns come from blocks); the cache adds 256 bytes to a
 * pool (5 KiB to an engine's 20) and holds back the blocks of at most
 * FC_POOL_CACHE objects.
 */
#ifndef FC_POOL_H
#define FC_POOL_H

#include <stddef.h>
#include <stdint.h>

#define FC_POOL_BLOCK 16384u
#define FC_POOL_CACHE 32u /* objects given back, kept for the next gets */

struct fc_pool_block;

struct fc_pool {
	struct fc_pool_block *room; /* blocks with a free object */
	struct fc_pool_block *full; /* blocks without */
	uint32_t size; /* of every object: a multiple of 8, at least 8 */
	uint32_t per_block; /* objects a block holds */
	uint32_t nblocks;
	uint32_t ncache; /* in cache[], the newest last */
	void *cache[FC_POOL_CACHE];
};

/* An empty pool of objects of `size` (1 to FC_POOL_BLOCK / 4) bytes. */
void fc_pool_init(struct fc_pool *p, size_t size);

/* An object of the pool's size, uninitialised, aligned to 8; NULL
 * without memory. */
void *fc_pool_get(struct fc_pool *p);

/* Give o (from fc_pool_get on the same pool, or NULL) back. */
void fc_pool_put(struct fc_pool *p, void *o);

/* Give every cached object back to its block (a block then empty is
 * freed as by a put without the cache). */
void fc_pool_flush(struct fc_pool *p);

/* Free every block, objects still in use included (the caller is done
 * with all of them). */
void fc_pool_drain(struct fc_pool *p);

/* A zeroed table of n elements of `size` bytes (NULL without memory or
 * when n * size overflows), for a large array that is written all over:
 * from FC_TABLE_FILLED on its pages are all made by the call (one
 * system call instead of a page fault per 4 KiB page, and resident at
 * once), from FC_TABLE_HUGE on it lies on transparent huge pages (one
 * fault per 2 MiB, made as they are first written). Free it with
 * fc_table_free and the same n and size. */
#define FC_TABLE_FILLED ((size_t)64 << 10)
#define FC_TABLE_HUGE ((size_t)4 << 20)
void *fc_table_alloc(size_t n, size_t size);
void fc_table_free(void *t, size_t n, size_t size);

/* `size` bytes, zeroed, whose pages are made as they are first written,
 * on transparent huge pages where the system has them (2 MiB aligned:
 * one fault for each 2 MiB first written instead of 512); under
 * AddressSanitizer, calloc's. NULL without memory. For a large buffer of
 * which only a part may ever be used, made resident ahead of a thread
 * that must not wait for the kernel (a live capture's queue). Free it
 * with fc_huge_free and the same size. */
void *fc_huge_alloc(size_t size);
void fc_huge_free(void *p, size_t size);

#endif
