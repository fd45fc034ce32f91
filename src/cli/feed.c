/* SPDX-License-Identifier: GPL-2.0-or-later */
/* feed.c - the record loop: libpcap records into the engine.
 *
 * The -w copy must stay a valid capture whatever happens to its disk: it
 * is flushed every DUMP_FLUSH_BYTES, and the offset after the last record
 * a flush wrote is remembered. After a write error nothing more is copied,
 * and on closing the file is cut back to that offset, so it ends on a
 * whole record (a full disk or a file size limit may have stopped the
 * last write in the middle of one).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed.h"

/* A flush (one write) per this many bytes copied: a few lost records at
 * most when the disk fills, and no write per record. */
#define DUMP_FLUSH_BYTES (64u * 1024)
/* What a record takes in the file besides its bytes (pcap's record
 * header). */
#define PCAP_RECORD_HEADER 16u

static void dump_failed(struct feed *f)
{
	if (!f->dump_errno)
		f->dump_errno = errno ? errno : EIO;
}

/* Write out what the -w copy buffers; on success, everything up to here
 * is whole records on the disk. */
static void dump_flush(struct feed *f)
{
	int64_t at;

	if (f->dump_errno)
		return;
	errno = 0;
	if (pcap_dump_flush(f->dumper) != 0) {
		dump_failed(f);
		return;
	}
	at = pcap_dump_ftell64(f->dumper);
	if (at >= 0)
		f->dump_good = (uint64_t)at;
	f->dump_since_flush = 0;
}

static void dump_record(struct feed *f, const struct pcap_pkthdr *h, const u_char *bytes)
{
	errno = 0;
	pcap_dump((u_char *)f->dumper, h, bytes);
	if (ferror(pcap_dump_file(f->dumper))) {
		dump_failed(f);
		return;
	}
	f->dump_since_flush += PCAP_RECORD_HEADER + h->caplen;
	if (f->dump_since_flush >= DUMP_FLUSH_BYTES)
		dump_flush(f);
}

static void request_break(struct feed *f)
{
	f->break_requested = 1;
	if (f->map)
		pcap_map_break(f->map);
	else if (f->ahead)
		readahead_break(f->ahead);
	else
		pcap_breakloop(f->pcap);
}

void feed_break(struct feed *f)
{
	request_break(f);
}

/* One record (feed_record). `plain`, a constant: no filter, no -c and
 * no -w copy, so their tests are left out (the usual run: 1.3% of the
 * instructions with 10,000 connections open). */
static inline __attribute__((always_inline)) void feed_one(struct feed *f,
							   const struct pcap_pkthdr *h,
							   const u_char *bytes, const bool plain)
{
	struct fc_pkt pkt;

	if (f->break_requested)
		return;
	f->recno++;
	if (!plain && f->filter && !pcap_offline_filter(f->filter, h, bytes))
		return;
	if (!plain && f->max_count && f->matched >= f->max_count)
		return;
	f->matched++;
	if (!plain && f->dumper && !f->dump_errno)
		dump_record(f, h, bytes);
	pkt.num = f->recno;
	pkt.ts_us = fc_ts_us((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
	/* Field by field: a struct copy loaded 16 bytes over the two
	 * 8-byte stores just made to pkt and stalled on every record. */
	f->last.num = pkt.num;
	f->last.ts_us = pkt.ts_us;
	/* Looked ahead only with many connections open (feed_run): else
	 * the plain call, cheaper. The _ahead call also when only the
	 * record before was told about this one (f->next.num): the engine
	 * kept its parse. */
	if (f->next.data || f->next.num == pkt.num)
		fc_engine_packet_ahead(f->engine, &pkt, f->dlt, bytes, h->caplen, h->len,
				       &f->next);
	else
		fc_engine_packet(f->engine, &pkt, f->dlt, bytes, h->caplen, h->len);
	if ((!plain && ((f->max_count && f->matched >= f->max_count) || f->dump_errno)) ||
	    (f->stop_err && *f->stop_err != 0))
		request_break(f);
}

/* libpcap's handler: one record. f->next is passed by address, not
 * copied: feed_ahead has just filled it field by field, and a struct
 * copy's 16-byte loads over those stores stalled (half of this
 * function's cycles). */
static void feed_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct feed *f = (struct feed *)user;

	feed_one(f, h, bytes, false);
	f->next.data = NULL; /* told once, about the record after this one */
}

/* feed_record for a run with no filter, no -c and no -w (feed_handler). */
static void feed_record_plain(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct feed *f = (struct feed *)user;

	feed_one(f, h, bytes, true);
	f->next.data = NULL;
}

static pcap_handler feed_handler(const struct feed *f)
{
	return f->filter || f->max_count || f->dumper ? feed_record : feed_record_plain;
}

/* pcap_map's look-ahead: the record after the one about to come, told
 * to the engine with it (feed_record). A record the filter or -c skips
 * wastes the engine a parse; its number keeps it from being mistaken
 * for another. */
static void feed_ahead(u_char *user, const u_char *bytes, uint32_t caplen, uint32_t len)
{
	struct feed *f = (struct feed *)user;

	f->next.num = f->recno + 2; /* recno is the record before the coming one */
	f->next.data = bytes;
	f->next.caplen = caplen;
	f->next.wire_len = len;
}

enum feed_end feed_run(struct feed *f)
{
	pcap_handler handler = feed_handler(f);

	/* The file header alone is a valid (empty) capture. */
	if (f->dumper && f->dump_good == 0)
		dump_flush(f);
	if (f->dump_errno)
		return FEED_STOPPED;
	while (!f->break_requested) {
		/* The look-ahead is asked for per stretch of the file (a
		 * mapped window): with few connections it only costs. */
		int n = f->map ? pcap_map_dispatch_ahead(f->map, handler,
						    fc_engine_ahead_useful(f->engine) ? feed_ahead : NULL,
						    (u_char *)f)
		      : f->ahead ? readahead_dispatch(f->ahead, handler, (u_char *)f)
				 : pcap_dispatch(f->pcap, -1, handler, (u_char *)f);

		if (n == PCAP_ERROR)
			return FEED_READ_ERROR;
		if (n == PCAP_ERROR_BREAK)
			break;
		if (n == 0 && !f->live)
			return FEED_EOF;
		if (f->dumper && f->live)
			dump_flush(f); /* the file follows the capture */
		if (f->batch_done)
			f->batch_done(f->ctx);
	}
	return FEED_STOPPED;
}

const char *feed_read_error(const struct feed *f)
{
	return f->map ? pcap_map_error(f->map)
	     : f->ahead ? readahead_error(f->ahead) : pcap_geterr(f->pcap);
}

int feed_close_dump(struct feed *f)
{
	FILE *file;
	int fd = -1;
	struct stat st;

	if (!f->dumper)
		return 0;
	dump_flush(f);
	file = pcap_dump_file(f->dumper);
	if (f->dump_errno)
		fd = dup(fileno(file));
	errno = 0;
	/* After an error, the bytes it still buffers may be refused again:
	 * that changes nothing, the cut below decides what stays. */
	if (fclose(file) != 0)
		dump_failed(f);
	f->dumper = NULL;
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size > f->dump_good)
			(void)!ftruncate(fd, (off_t)f->dump_good);
		close(fd);
	}
	return f->dump_errno;
}
