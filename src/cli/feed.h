/* SPDX-License-Identifier: GPL-2.0-or-later */
/* feed.h - the record loop: libpcap records into the engine.
 *
 *   pcap / pcap_map / readahead --> number, time --> BPF filter --> -c count
 *                    --> -w copy --> fc_engine_packet
 *
 * framecap and the capture fuzzer both read through here, so what the
 * fuzzer exercises is what framecap runs.
 */
#ifndef FC_FEED_H
#define FC_FEED_H

#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "fc_engine.h"
#include "pcap_map.h"
#include "readahead.h"

/* How feed_run ended. */
enum feed_end {
	FEED_EOF,        /* the file ended (never for a live capture) */
	FEED_STOPPED,    /* feed_break, the -c count or a write error */
	FEED_READ_ERROR, /* libpcap failed: feed_read_error says why */
};

struct feed {
	/* Set by the caller before feed_run. */
	struct fc_engine *engine;
	pcap_t *pcap;
	/* Where records come from: the mapped file, else the reader
	 * thread, else pcap itself. */
	struct pcap_map *map; /* reads the file in place, or NULL */
	struct readahead *ahead; /* reads pcap on a thread, or NULL */
	int dlt;
	bool live; /* a live capture: no end of file, only stops */
	/* Applied here (files: every record keeps its number), or NULL. */
	const struct bpf_program *filter;
	uint64_t max_count; /* records fed at most; 0: all */
	pcap_dumper_t *dumper; /* -w: the fed records are copied there */
	/* Optional: after every batch of records (a live capture shows its
	 * lines and expires holes there). */
	void (*batch_done)(void *ctx);
	/* Optional: an int that turns nonzero when the output cannot be
	 * written any more (the writer's error), which stops the loop; read
	 * after every record: a load, where a callback per record was 1.5%
	 * of the instructions on many connections. */
	const int *stop_err;
	void *ctx;

	/* Kept by the loop. */
	uint64_t recno; /* every record read, filtered or not */
	uint64_t matched; /* records fed to the engine */
	struct fc_pkt last; /* the last record fed */
	struct fc_next_record next; /* pcap_map's look-ahead, for one record */
	volatile sig_atomic_t break_requested;
	int dump_errno; /* the first -w write error; 0: none */
	uint64_t dump_good; /* -w bytes known to be written: whole records */
	uint64_t dump_since_flush;
};

/* Read records until the input ends, fails or is stopped. */
enum feed_end feed_run(struct feed *f);

/* The reader's message after FEED_READ_ERROR (libpcap's words, or the
 * same words from pcap_map). */
const char *feed_read_error(const struct feed *f);

/* Stop feed_run soon: async-signal-safe. */
void feed_break(struct feed *f);

/* Close the -w file (if any) so that it ends on a whole record, even when
 * a write failed: then it is cut back to the last record known to be
 * written. Returns 0, or the errno of the first write error. */
int feed_close_dump(struct feed *f);

#endif
