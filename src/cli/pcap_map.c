/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_map.c - a classic pcap file read through a window mapped from it,
 * its records handed over in place.
 *
 *   file:    [ file header 24 B ][ rec ][ rec ][ rec ] ...
 *   window:          [=========== MAP_WINDOW ==========]  moves forward,
 *                    page-aligned, to the page of the first record that
 *                    does not fit (so a record never straddles it), or
 *                    to the mapper's window, up to NEXT_OVERLAP before
 *
 *   record header (16 bytes, in the file's byte order):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                time stamp, seconds (signed)                   |
 *   +---------------------------------------------------------------+
 *   |        micro- or nanoseconds (by the file's magic, signed)    |
 *   +---------------------------------------------------------------+
 *   |                caplen: bytes that follow in the file          |
 *   +---------------------------------------------------------------+
 *   |                len: the packet's length on the wire           |
 *   +---------------------------------------------------------------+
 *   |                caplen bytes of packet ...                     |
 *
 * libpcap reads each record through stdio into its own buffer; on a
 * capture of small packets that is about a fifth of framecap's work, and
 * the reader thread (readahead.c) copied every record once more. Here the
 * engine reads the page cache directly. The window is bounded (not the
 * whole file) so that resident memory stays flat with the file's size.
 *
 * Every answer is libpcap's (sf-pcap.c's behaviour, written anew): the
 * same header for the handler (time stamps cut to microseconds, a record
 * longer than the snapshot length cut to it), the same errors in the same
 * words for a cut or oversized record, the same end. What libpcap would
 * read differently is left to it: pcapng, versions before 2.4 (swapped
 * length fields), the patched-header magic, and link types framecap does
 * not decode (libpcap alters some pseudo-headers of byte-swapped files).
 *
 * Mapping a window and unmapping the last one cost a tenth of the CPU
 * time on make bench's connection captures: the kernel fills a page
 * table entry per 4 KiB page as the reader first touches it, and clears
 * them all at munmap. When the file spans more than one window and
 * framecap may run on two CPUs, a second thread (map_ahead.c, the
 * mapper) does that work beside the engine: it maps the window that will
 * come next with its entries filled, and unmaps the windows left behind.
 * It never reads the file's bytes, and the reader checks every window
 * it is handed as it checks its own, so it changes no answer: without
 * it (one CPU, no thread) the reader maps its windows itself.
 *
 * A file cut short by another process while mapped would raise SIGBUS on
 * the next page touched. The handler maps zeros over the rest of the
 * window instead and flags it; the last byte of every record is touched
 * before the record is handed over, so no record with such zeros reaches
 * the engine: reading ends with an error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_packet.h"
#include "i18n.h"
#include "map_ahead.h"
#include "pcap_map.h"

/* Bytes mapped at once. Pages touched stay resident until unmapped, so
 * the windows are the reader's share of peak RSS: the one being read,
 * the mapper's next one and one left for it to unmap, 3 MiB at most,
 * about what one 2 MiB window took before the mapper (5.7 MiB on make
 * bench's small-frames, where libpcap's stdio buffer and the reader
 * thread's batches took 6.7). A window move costs the reader two short
 * locked sections. */
#define MAP_WINDOW (1u << 20)
/* How far ahead of the record being handed over its bytes are prefetched
 * (see prefetch_ahead): 1 to 4 KiB all gave 18-20% less CPU time on
 * small frames; 8 KiB and more gave less (lines evicted before use). */
#define PREFETCH_AHEAD 2048u
#define CACHE_LINE 64u
/* The mapper's next window starts this far before the end of the
 * current one: the record that does not fit (which moves the window)
 * starts at most a record header and its bytes before that end, so for
 * records up to this size (nearly all) the next window holds it. */
#define NEXT_OVERLAP (64u << 10)
#define FILE_HEADER 24u
#define RECORD_HEADER 16u
/* libpcap's largest record for the link types read here (its
 * MAXIMUM_SNAPLEN); a record header above it is an error. */
#define MAX_CAPLEN 262144u

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

struct pcap_map {
	int fd; /* our own descriptor */
	uint64_t size; /* the file's, refreshed at its apparent end */
	uint64_t pos; /* the next record header */
	const unsigned char *win; /* the window: file bytes [base, base + win_len) */
	uint64_t base;
	size_t win_len;
	size_t prefetched; /* window bytes before this are prefetched */
	size_t page;
	uint32_t snapshot; /* libpcap's, after its own adjustment */
	bool swapped, nsec;
	/* NULL until the file needs a second window; then NULL still when
	 * there is no second CPU or thread (ahead_tried). */
	struct map_ahead *ahead;
	bool ahead_tried;
	volatile sig_atomic_t break_requested;
	volatile sig_atomic_t shrunk; /* set by on_sigbus */
	char error[PCAP_ERRBUF_SIZE + 64];
};

/* The one map that SIGBUS may concern (framecap reads one file). */
static struct pcap_map *volatile bus_map;
static struct sigaction old_bus;

static uint16_t get16(const unsigned char *p, bool swapped)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return swapped ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const unsigned char *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/* A fault inside the window: the file was cut under it. Map zeros over
 * the rest of the window so the access completes, and flag it. Anything
 * else is a real fault: the old action takes it on the retry. */
static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	struct pcap_map *m = bus_map;
	const unsigned char *a = si->si_addr;

	(void)ctx;
	if (m && m->win && a >= m->win && a < m->win + m->win_len) {
		unsigned char *from = (unsigned char *)((uintptr_t)a & ~(uintptr_t)(m->page - 1));
		size_t n = (size_t)(m->win + m->win_len - from);

		if (mmap(from, n, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
		    MAP_FAILED) {
			m->shrunk = 1;
			return;
		}
	}
	sigaction(sig, &old_bus, NULL);
}

/* Is the file header at offset 0 one whose records this reader walks as
 * libpcap does? Fills swapped and nsec when it is. */
static bool header_taken(int fd, bool *swapped, bool *nsec)
{
	unsigned char h[FILE_HEADER];
	const char *env = getenv("FRAMECAP_READER");
	uint32_t magic;

	if ((env && strcmp(env, "libpcap") == 0) ||
	    pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	memcpy(&magic, h, 4);
	*swapped = magic == __builtin_bswap32(MAGIC_USEC) ||
		   magic == __builtin_bswap32(MAGIC_NSEC);
	magic = get32(h, *swapped);
	*nsec = magic == MAGIC_NSEC;
	/* 2.4 only: earlier versions may have caplen and len swapped. */
	return (magic == MAGIC_USEC || magic == MAGIC_NSEC) &&
	       get16(h + 4, *swapped) == 2 && get16(h + 6, *swapped) == 4;
}

bool pcap_map_probe(int fd)
{
	bool swapped, nsec;

	/* libpcap reads from where the descriptor is: a standard input
	 * already partly read is not a file to walk from its start. */
	return lseek(fd, 0, SEEK_CUR) == 0 && header_taken(fd, &swapped, &nsec);
}

struct pcap_map *pcap_map_open(pcap_t *p, int fd)
{
	struct pcap_map *m = calloc(1, sizeof(*m));
	int dlt = pcap_datalink(p);
	struct sigaction sa;
	struct stat st;

	if (!m)
		return NULL;
	m->fd = dup(fd);
	m->page = (size_t)sysconf(_SC_PAGESIZE);
	if (m->fd < 0 || fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !header_taken(m->fd, &m->swapped, &m->nsec) || !fc_link_supported(dlt) ||
	    (m->swapped && (dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2)) ||
	    pcap_snapshot(p) <= 0) {
		if (m->fd >= 0)
			close(m->fd);
		free(m);
		return NULL;
	}
	m->size = (uint64_t)st.st_size;
	m->pos = FILE_HEADER;
	m->snapshot = (uint32_t)pcap_snapshot(p);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	bus_map = m;
	sigaction(SIGBUS, &sa, &old_bus);
	return m;
}

/* Drop the window (its pages leave the resident set); none is fine. */
static void unmap(struct pcap_map *m)
{
	if (m->win)
		munmap((void *)m->win, m->win_len);
	m->win = NULL;
	m->win_len = 0;
}

/* The window after the current one, asked of the mapper (started here
 * when the file needs a second window). */
static void ask_next(struct pcap_map *m)
{
	uint64_t end = m->base + m->win_len, base;

	if (end >= m->size || end < NEXT_OVERLAP)
		return;
	if (!m->ahead_tried) {
		m->ahead_tried = true;
		m->ahead = map_ahead_start(m->fd);
	}
	base = (end - NEXT_OVERLAP) & ~(uint64_t)(m->page - 1);
	/* (A window too short to move by less than its size: none.) */
	if (m->ahead && base > m->base)
		map_ahead_ask(m->ahead, base,
			      m->size - base < MAP_WINDOW ? (size_t)(m->size - base) : MAP_WINDOW);
}

/* Map the window holding the file from `at` on (as much of MAP_WINDOW as
 * the file has), or take the mapper's. Returns false, with the message,
 * when it cannot. */
static bool map_at(struct pcap_map *m, uint64_t at)
{
	uint64_t base = at & ~(uint64_t)(m->page - 1);
	size_t len = m->size - base < MAP_WINDOW ? (size_t)(m->size - base) : MAP_WINDOW;
	struct map_window w = { NULL, 0, 0 };

	if (m->ahead) { /* the current window goes to it */
		w = map_ahead_take(m->ahead, (struct map_window){ m->win, m->base, m->win_len },
				   at, RECORD_HEADER);
		m->win = NULL;
		m->win_len = 0;
	} else {
		unmap(m);
	}
	if (!w.p) {
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, (off_t)base);

		if (p == MAP_FAILED) {
			snprintf(m->error, sizeof(m->error), _("cannot map the file: %s"),
				 strerror(errno));
			return false;
		}
		/* Read ahead hard and drop pages behind: it is walked once. */
		madvise(p, len, MADV_SEQUENTIAL);
		w = (struct map_window){ p, base, len };
	}
	m->win = w.p;
	m->win_len = w.len;
	m->base = w.base;
	/* Lines before `at` are behind the reader: not worth a prefetch. */
	m->prefetched = (size_t)(at - w.base) & ~(size_t)(CACHE_LINE - 1);
	ask_next(m);
	return true;
}

/* Bytes of the file from pos on; at its apparent end, look again: a
 * file still being written goes on, as it does for libpcap's reads. */
static uint64_t bytes_left(struct pcap_map *m, uint64_t want)
{
	struct stat st;

	if (m->size - m->pos < want && fstat(m->fd, &st) == 0 &&
	    (uint64_t)st.st_size > m->size)
		m->size = (uint64_t)st.st_size;
	return m->size - m->pos;
}

/* Are file bytes [pos, pos + n) in the window? n is bounded (a record
 * header and at most MAX_CAPLEN), so a window moved to pos holds them. */
static bool in_window(const struct pcap_map *m, uint64_t n)
{
	return m->win && m->pos >= m->base && m->pos + n <= m->base + m->win_len;
}

/* The record header at pos (in the window) into *h, as libpcap fills it;
 * its caplen is checked against libpcap's bound. `swapped` and `nsec` are
 * the map's (constants in pcap_map_dispatch_ahead's loop for the usual
 * file). Returns 0, or PCAP_ERROR with libpcap's message. */
static inline __attribute__((always_inline)) int
read_header_as(struct pcap_map *m, struct pcap_pkthdr *h, const bool swapped, const bool nsec)
{
	const unsigned char *r = m->win + (m->pos - m->base);
	uint32_t sec = get32(r, swapped), frac = get32(r + 4, swapped);

	/* libpcap's quirk, kept for the same times: the fields are signed
	 * in a file of this machine's byte order, unsigned once swapped. */
	h->ts.tv_sec = swapped ? (time_t)sec : (time_t)(int32_t)sec;
	h->ts.tv_usec = swapped ? (suseconds_t)frac : (suseconds_t)(int32_t)frac;
	if (nsec)
		h->ts.tv_usec /= 1000;
	h->caplen = get32(r + 8, swapped);
	h->len = get32(r + 12, swapped);
	if (h->caplen <= MAX_CAPLEN)
		return 0;
	if (h->caplen > m->snapshot)
		snprintf(m->error, sizeof(m->error), "invalid packet capture length %u, "
			 "bigger than snaplen of %u", h->caplen, m->snapshot);
	else
		snprintf(m->error, sizeof(m->error), "invalid packet capture length %u, "
			 "bigger than maximum of %u", h->caplen, MAX_CAPLEN);
	return PCAP_ERROR;
}

static int read_record_header(struct pcap_map *m, struct pcap_pkthdr *h)
{
	return read_header_as(m, h, m->swapped, m->nsec);
}

/* libpcap's message for a record whose bytes the file lacks: it reads
 * the snapshot length first, then the rest, and names the read that
 * came up short. */
static int truncated(struct pcap_map *m, uint32_t caplen, uint64_t have)
{
	uint32_t first = caplen > m->snapshot ? m->snapshot : caplen;

	snprintf(m->error, sizeof(m->error),
		 "truncated dump file; tried to read %u captured bytes, only got %zu",
		 have < first ? first : caplen, (size_t)have);
	return PCAP_ERROR;
}

/* The record at pos, when it is not simply inside the window: at the
 * file's end, cut, longer than the snapshot length, or past the window.
 * Returns 1 with *h (h->caplen the bytes to hand over, in the window)
 * and *caplen (its bytes in the file); 0 when the dispatch ends here
 * (the end of the file, or the window must move and `n` records were
 * handed over already: the next call moves it); PCAP_ERROR. */
static int record_slow(struct pcap_map *m, struct pcap_pkthdr *h, uint32_t *caplen, int n)
{
	uint64_t left = bytes_left(m, RECORD_HEADER);

	if (left == 0)
		return 0;
	if (left < RECORD_HEADER) {
		snprintf(m->error, sizeof(m->error), "truncated dump file; tried to read "
			 "%u header bytes, only got %zu", RECORD_HEADER, (size_t)left);
		return PCAP_ERROR;
	}
	if (!in_window(m, RECORD_HEADER)) {
		if (n)
			return 0;
		if (!map_at(m, m->pos))
			return PCAP_ERROR;
	}
	if (read_record_header(m, h) != 0)
		return PCAP_ERROR;
	*caplen = h->caplen;
	left = bytes_left(m, RECORD_HEADER + (uint64_t)*caplen) - RECORD_HEADER;
	if (left < *caplen)
		return truncated(m, *caplen, left);
	/* Longer than the snapshot length: libpcap hands over its first
	 * snapshot-length bytes and skips the rest. */
	if (h->caplen > m->snapshot)
		h->caplen = m->snapshot;
	if (!in_window(m, RECORD_HEADER + (uint64_t)h->caplen)) {
		if (n)
			return 0;
		if (!map_at(m, m->pos))
			return PCAP_ERROR;
	}
	return 1;
}

/* Ask for the window's cache lines up to `upto` bytes in (capped at its
 * end). The page cache's pages are scattered in memory and the CPU's own
 * prefetcher stops at each 4 KiB page, so without this every page's
 * first lines are a wait for memory in whoever reads them first (the
 * history copy, the decoder, the JSON writer's hex): on make bench's
 * small frames 20% of the CPU time with --json, 10% in text, and half
 * of large-frames --json. A prefetch never faults, whatever the page. */
static void prefetch_ahead(struct pcap_map *m, size_t upto)
{
	if (upto > m->win_len)
		upto = m->win_len;
	while (m->prefetched < upto) {
		__builtin_prefetch(m->win + m->prefetched);
		m->prefetched += CACHE_LINE;
	}
}

/* The record after the one at pos (whose file bytes are `caplen`), when
 * it lies whole in the window and is not longer than the snapshot length
 * (the rare records that are, are not worth a hint): `ahead` sees it. */
static inline __attribute__((always_inline)) void
look_ahead(const struct pcap_map *m, uint32_t caplen, pcap_map_ahead ahead, u_char *user,
	   const bool swapped)
{
	uint64_t next = m->pos + RECORD_HEADER + (uint64_t)caplen;
	uint64_t end = m->base + m->win_len;
	const unsigned char *r;
	uint32_t ncap;

	if (next + RECORD_HEADER > end)
		return;
	r = m->win + (next - m->base);
	ncap = get32(r + 8, swapped);
	if (ncap <= m->snapshot && ncap <= end - next - RECORD_HEADER)
		ahead(user, r + RECORD_HEADER, ncap, get32(r + 12, swapped));
}

int pcap_map_dispatch(struct pcap_map *m, pcap_handler cb, u_char *user)
{
	return pcap_map_dispatch_ahead(m, cb, NULL, user);
}

/* pcap_map_dispatch_ahead's loop; `native`, a constant: the file is in
 * this machine's byte order with microseconds, as nearly every one is,
 * and its tests of byte order and precision are left out. */
static inline __attribute__((always_inline)) int
dispatch(struct pcap_map *m, pcap_handler cb, pcap_map_ahead ahead, u_char *user,
	 const bool native)
{
	const bool swapped = native ? false : m->swapped, nsec = native ? false : m->nsec;
	int n = 0;

	for (;; n++) {
		struct pcap_pkthdr h;
		uint32_t caplen = 0;
		const unsigned char *bytes;
		/* Window bytes from pos on: the window never reaches past
		 * the file, so a record inside it is whole. (A record cut to
		 * the snapshot length may have left pos past the window.) */
		uint64_t end = m->base + m->win_len;
		uint64_t room = m->win && m->pos < end ? end - m->pos : 0;

		if (m->break_requested)
			return PCAP_ERROR_BREAK;
		if (room >= RECORD_HEADER) {
			if (read_header_as(m, &h, swapped, nsec) != 0)
				return PCAP_ERROR;
			caplen = h.caplen;
		}
		if (room < RECORD_HEADER || caplen > m->snapshot ||
		    room - RECORD_HEADER < caplen) {
			int rc = record_slow(m, &h, &caplen, n);

			if (rc <= 0)
				return rc == 0 ? n : rc;
		}
		bytes = m->win + (m->pos - m->base) + RECORD_HEADER;
		/* Fault in the record's last page now: if the file was cut,
		 * on_sigbus says so before the engine sees zeros. */
		if (h.caplen)
			(void)*(volatile const unsigned char *)(bytes + h.caplen - 1);
		if (m->shrunk) {
			snprintf(m->error, sizeof(m->error), "%s",
				 _("the file was cut short while it was being read"));
			return PCAP_ERROR;
		}
		/* After the check above: should the next record's bytes be
		 * cut, on_sigbus maps zeros from its page on, past this
		 * record's last byte, and the next round reports it. */
		prefetch_ahead(m, (size_t)(m->pos - m->base) + RECORD_HEADER + caplen +
					  PREFETCH_AHEAD);
		if (ahead)
			look_ahead(m, caplen, ahead, user, swapped);
		cb(user, &h, bytes);
		m->pos += RECORD_HEADER + (uint64_t)caplen;
	}
}

int pcap_map_dispatch_ahead(struct pcap_map *m, pcap_handler cb, pcap_map_ahead ahead,
			    u_char *user)
{
	return !m->swapped && !m->nsec ? dispatch(m, cb, ahead, user, true)
				       : dispatch(m, cb, ahead, user, false);
}

const char *pcap_map_error(const struct pcap_map *m)
{
	return m->error;
}

void pcap_map_break(struct pcap_map *m)
{
	m->break_requested = 1;
}

void pcap_map_close(struct pcap_map *m)
{
	if (!m)
		return;
	map_ahead_stop(m->ahead);
	sigaction(SIGBUS, &old_bus, NULL);
	bus_map = NULL;
	unmap(m);
	close(m->fd);
	free(m);
}
