/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sink_thread.h - the text or JSON writer run on a second thread, fed
 * copies of what the engine reports. */
#ifndef FC_SINK_THREAD_H
#define FC_SINK_THREAD_H

#include <stdbool.h>

#include "fc_engine.h"
#include "output.h"

struct sink_thread;

/* Should a writer that can run on a thread do so? FRAMECAP_WRITER=thread
 * says yes (even on one CPU: tests compare both ways), =auto yes when
 * this process may run on more than one CPU; unset or anything else no. */
bool sink_thread_wanted(void);

/* Start a thread that replays, in order, every call made on
 * sink_thread_sink(st) onto `out`'s sink. `out` must not be used by the
 * caller until sink_thread_stop (or, between calls, sink_thread_sync).
 * `out`'s sink must take no `data` calls. `piece_bytes`: the writer reads
 * the payload bytes of a segment's pieces (the text view's previews);
 * false (JSON), they are not copied and their pointers are NULL. NULL
 * when no thread or memory could be had: then use `out` directly. */
struct sink_thread *sink_thread_start(struct fc_output *out, bool piece_bytes);

/* The sink to give the engine: each call copies its arguments (and all
 * they point to) into a queue of fixed blocks, waiting while the queue
 * is full; a call too large for a block gets a buffer of its own, of the
 * size of what the engine already holds. */
const struct fc_sink *sink_thread_sink(struct sink_thread *st);

/* Nonzero once the writer met a write error (fc_output_write_error):
 * the reading side stops then. Any thread may ask. */
int sink_thread_failed(const struct sink_thread *st);

/* Wait until every call so far has been replayed: the output may then be
 * used (flushed) by the caller until the next call on the sink. */
void sink_thread_sync(struct sink_thread *st);

/* Replay what is left, end the thread, free everything (NULL: nothing).
 * The output is the caller's again. */
void sink_thread_stop(struct sink_thread *st);

#endif
