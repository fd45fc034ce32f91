/* SPDX-License-Identifier: GPL-2.0-or-later */
/* map_ahead.h - a second thread that maps a file's next window ahead of
 * its reader, page tables filled, and unmaps the windows it left. */
#ifndef FC_MAP_AHEAD_H
#define FC_MAP_AHEAD_H

#include <stddef.h>
#include <stdint.h>

/* File bytes [base, base + len) mapped at p (p NULL: none). */
struct map_window {
	const unsigned char *p;
	uint64_t base;
	size_t len;
};

struct map_ahead;

/* The thread for the file open on `fd` (read-only, which must stay open
 * until map_ahead_stop). NULL when it cannot help or run: the process
 * may use one CPU only, or no thread or memory. */
struct map_ahead *map_ahead_start(int fd);

/* Map [base, base + len) next, instead of what was asked before. */
void map_ahead_ask(struct map_ahead *a, uint64_t base, size_t len);

/* The reader is done with `old` (p NULL: none), which the thread unmaps
 * (or this call, when the thread lags). Returns the window last asked
 * for if it is mapped and holds file bytes [at, at + need); else none,
 * and the reader maps its own. What was asked for is dropped either way. */
struct map_window map_ahead_take(struct map_ahead *a, struct map_window old, uint64_t at,
				 size_t need);

/* Stop the thread and unmap what it holds (NULL: nothing). */
void map_ahead_stop(struct map_ahead *a);

#endif
