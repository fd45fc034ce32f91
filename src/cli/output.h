/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.h - the CLI's sinks: how people (text) and programs (JSON Lines)
 * see what the core reports. */
#ifndef FC_OUTPUT_H
#define FC_OUTPUT_H

#include <stdio.h>
#include <stdlib.h>

#include "fc_engine.h"
#include "fmt_out.h"

struct fc_live_stats {
	bool live;
	unsigned long received, dropped, ifdropped;
	uint64_t queue_dropped; /* by framecap: its capture queue was full */
};

/* The live counts as a line: the text report's last one, and what a
 * live capture writes to stderr when stdout has no text report
 * (framecap.c). Translated; cut to `size` bytes, which
 * FC_LIVE_COUNTS_MAX always holds whole. */
#define FC_LIVE_COUNTS_MAX 512
void fc_live_counts_line(char *buf, size_t size, const struct fc_live_stats *live);

struct fc_output_opts {
	FILE *out;
	bool color;
	int verbose;
	bool hexdump; /* -X */
	uint64_t payload_hex; /* payload bytes printed in JSON */
};

struct fc_output {
	struct fc_sink sink;
	/* After fc_engine_finish: the closing summary. */
	void (*summary)(struct fc_output *o, const struct fc_engine_stats *st,
			const struct fc_live_stats *live);
	/* The buffer the writer stores its lines in (fmt_out.h), or NULL for
	 * a writer that writes only through the FILE, whose ferror() tells. */
	struct fmt_out *fmt;
	/* After the summary, for a writer with a file of its own (--html):
	 * the errno of its first failed write, or 0. NULL: nothing to check. */
	int (*finish)(struct fc_output *o);
	void (*destroy)(struct fc_output *o);
};

/* A new writer of `size` bytes whose first member is its struct
 * fc_output: zeroed, the callbacks of the template `ops` (a static const
 * of its file), itself as the sink's context. NULL when out of memory. */
static inline void *fc_output_alloc(size_t size, const struct fc_output *ops)
{
	struct fc_output *o = calloc(1, size);

	if (o) {
		*o = *ops;
		o->sink.ctx = o;
	}
	return o;
}

/* Hand buffered lines to the FILE now. A live capture calls it after each
 * batch of packets, so lines appear as traffic does. */
void fc_output_flush(struct fc_output *o);

/* The errno of the first write the output FILE refused, or 0 (after one,
 * the writer writes nothing more). */
int fc_output_write_error(const struct fc_output *o);

struct fc_output *fc_output_text(const struct fc_output_opts *opts);
struct fc_output *fc_output_json(const struct fc_output_opts *opts);
/* A segment record's own fields, from ",\"packet\"" on (at most
 * FC_JSON_SEGMENT_MAX bytes at p), shared by --json's retransmission
 * records and the HTML page's segment records. Returns the end. */
#define FC_JSON_SEGMENT_MAX 240
char *fc_json_segment_fields(char *p, const struct fc_segment *seg);
/* --recv-view N: what recv(N), once per arrival, would have returned. */
struct fc_output *fc_output_recv(const struct fc_output_opts *opts, uint64_t n);
/* --detect: infer the framing, print a framecap.yaml. */
struct fc_output *fc_output_detect(const struct fc_output_opts *opts);
/* --emit-test LANG (python, go or java): a test of the user's receive
 * loop from the first connection with client data (out_emit.c). */
struct fc_output *fc_output_emit(const struct fc_output_opts *opts, const char *lang);

/* --html FILE: the page's limits and settings. */
struct fc_html_opts {
	uint64_t max_streams; /* streams numbered above are left out */
	uint64_t max_frames; /* frames, segments, anomalies kept (each) */
	uint64_t recv; /* the reads lane's recv() size when the page opens */
	uint64_t payload_hex; /* payload bytes per frame in the records */
};

#define FC_HTML_MAX_STREAMS 1000
#define FC_HTML_MAX_FRAMES 200000

/* A self-contained HTML report written to `file` (which the caller opened
 * and closes, after destroy), and every record also handed to `inner`,
 * the view on standard output (NULL: none). The writer owns `inner`. */
struct fc_output *fc_output_html(const struct fc_output_opts *opts,
				 const struct fc_html_opts *ho, FILE *file,
				 struct fc_output *inner);


#endif
