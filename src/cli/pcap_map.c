/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_map.c - a classic pcap file read through a window mapped from it,
 * its records handed over in place.
 *
 *   file:    [ file header 24 B ][ rec ][ rec ][ rec ] ...
 *   window:          [=========== MAP_WINDOW ==========]  moves forward,
 *                    page-aligned, to the page of the first record that
 *                    does not fit (so a record never straddles it)
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
 * framecap may run on two CPUs, a second thread (the mapper) does that
 * work beside the engine: it maps the window that will come next with
 * its entries filled (MADV_POPULATE_READ), and unmaps the windows left
 * behind.
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
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_ring.h"
#include "fc_packet.h"
#include "i18n.h"
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
/* Windows left behind for the mapper to unmap; when it lags further
 * behind than this, the reader unmaps them itself (four let a lagging
 * mapper double the peak RSS of make bench's small-frames). */
#define MAPPER_GONE 1
/* Bytes of page table filled by one call (populate). */
#define POPULATE_STEP (256u << 10)
#define FILE_HEADER 24u
#define RECORD_HEADER 16u
/* libpcap's largest record for the link types read here (its
 * MAXIMUM_SNAPLEN); a record header above it is an error. */
#define MAX_CAPLEN 262144u

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

/* A window of the file: [base, base + len) at p. */
struct window {
	const unsigned char *p;
	uint64_t base;
	size_t len;
};

/* What the reader and the mapper share, under `lock`. */
struct mapper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the mapper waits for work */
	int fd;
	bool stop;
	/* The window asked for (want.len 0: none), and the request's
	 * number: a window made for an older request is not handed out. */
	struct window want;
	uint64_t asked;
	/* Made for the last request (ready.p NULL: none). */
	struct window ready;
	struct window gone[MAPPER_GONE]; /* to unmap */
	unsigned ngone;
	/* The reader's own: the CPUs it may run on, and the one its
	 * mapper was last kept off (-1: none yet). */
	cpu_set_t cpus;
	int kept_off;
};

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
	 * there is no second CPU or thread (mapper_tried). */
	struct mapper *mapper;
	bool mapper_tried;
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

/* Fill the page table entries of [p, p + len), POPULATE_STEP at a time:
 * each call holds the process's memory map lock (for reading), which a
 * mmap of the engine's waits for. Stops early when the reader has asked
 * for another window since request `req`. */
static void populate(struct mapper *mp, void *p, size_t len, uint64_t req)
{
	for (size_t at = 0; at < len; at += POPULATE_STEP) {
		size_t n = len - at < POPULATE_STEP ? len - at : POPULATE_STEP;

		if (__atomic_load_n(&mp->asked, __ATOMIC_RELAXED) != req ||
		    madvise((char *)p + at, n, MADV_POPULATE_READ) != 0)
			return;
	}
}

/* The mapper's thread: make the window asked for, unmap those left
 * behind, until told to stop. A window that could not be made is simply
 * not there: the reader maps its own. */
static void *mapper_run(void *arg)
{
	struct mapper *mp = arg;

	pthread_mutex_lock(&mp->lock);
	for (;;) {
		if (mp->ngone) {
			struct window w = mp->gone[--mp->ngone];

			pthread_mutex_unlock(&mp->lock);
			munmap((void *)w.p, w.len);
			pthread_mutex_lock(&mp->lock);
		} else if (mp->stop) {
			break;
		} else if (mp->want.len && !mp->ready.p) {
			struct window w = mp->want;
			uint64_t req = mp->asked;
			void *p;

			mp->want.len = 0;
			pthread_mutex_unlock(&mp->lock);
			p = mmap(NULL, w.len, PROT_READ, MAP_SHARED, mp->fd, (off_t)w.base);
			if (p != MAP_FAILED) {
				madvise(p, w.len, MADV_SEQUENTIAL);
				populate(mp, p, w.len, req);
			}
			pthread_mutex_lock(&mp->lock);
			if (p == MAP_FAILED)
				continue;
			w.p = p;
			if (req == mp->asked && !mp->stop) {
				mp->ready = w;
			} else { /* asked for before the reader moved on */
				pthread_mutex_unlock(&mp->lock);
				munmap(p, w.len);
				pthread_mutex_lock(&mp->lock);
			}
		} else {
			pthread_cond_wait(&mp->wake, &mp->lock);
		}
	}
	pthread_mutex_unlock(&mp->lock);
	return NULL;
}

/* Can this process run on two CPUs or more? Fills *set with them. */
static bool two_cpus(cpu_set_t *set)
{
	return sched_getaffinity(0, sizeof(*set), set) == 0 && CPU_COUNT(set) >= 2;
}

/* Wake the mapper (lock held), off the CPU the reader runs on: woken
 * there, it would take the reader's CPU while the other one idles (seen
 * on every wake-up), and the work would not run beside the reader. */
static void mapper_wake(struct mapper *mp)
{
	int cpu = sched_getcpu();

	if (cpu >= 0 && cpu != mp->kept_off && cpu < CPU_SETSIZE) {
		cpu_set_t others = mp->cpus;

		CPU_CLR(cpu, &others);
		if (CPU_COUNT(&others) > 0 &&
		    pthread_setaffinity_np(mp->thread, sizeof(others), &others) == 0)
			mp->kept_off = cpu;
	}
	pthread_cond_signal(&mp->wake);
}

/* Start the mapper, once, if it can help (two CPUs): NULL otherwise. */
static struct mapper *mapper_start(struct pcap_map *m)
{
	struct mapper *mp;

	if (m->mapper_tried)
		return m->mapper;
	m->mapper_tried = true;
	if (!(mp = calloc(1, sizeof(*mp))))
		return NULL;
	if (!two_cpus(&mp->cpus)) {
		free(mp);
		return NULL;
	}
	mp->fd = m->fd;
	mp->kept_off = -1;
	if (pthread_mutex_init(&mp->lock, NULL) != 0) {
		free(mp);
		return NULL;
	}
	if (pthread_cond_init(&mp->wake, NULL) != 0) {
		pthread_mutex_destroy(&mp->lock);
		free(mp);
		return NULL;
	}
	if (batch_ring_thread(&mp->thread, mapper_run, mp) != 0) {
		pthread_cond_destroy(&mp->wake);
		pthread_mutex_destroy(&mp->lock);
		free(mp);
		return NULL;
	}
	/* Told apart in ps and /proc (tests/suites/write-errors.sh). */
	(void)pthread_setname_np(mp->thread, "framecap-mapper");
	m->mapper = mp;
	return mp;
}

/* Stop the mapper and unmap what it still holds. */
static void mapper_stop(struct pcap_map *m)
{
	struct mapper *mp = m->mapper;

	if (!mp)
		return;
	pthread_mutex_lock(&mp->lock);
	mp->stop = true;
	pthread_cond_signal(&mp->wake);
	pthread_mutex_unlock(&mp->lock);
	pthread_join(mp->thread, NULL);
	if (mp->ready.p)
		munmap((void *)mp->ready.p, mp->ready.len);
	while (mp->ngone) {
		mp->ngone--;
		munmap((void *)mp->gone[mp->ngone].p, mp->gone[mp->ngone].len);
	}
	pthread_cond_destroy(&mp->wake);
	pthread_mutex_destroy(&mp->lock);
	free(mp);
	m->mapper = NULL;
}

/* Window w, no longer read: to the mapper to unmap, or unmapped here
 * when it lags (lock held when mp is not NULL). Returns whether the
 * mapper got it. */
static bool leave_window(struct mapper *mp, struct window w)
{
	if (!w.p)
		return false;
	if (mp && mp->ngone < MAPPER_GONE) {
		mp->gone[mp->ngone++] = w;
		return true;
	}
	munmap((void *)w.p, w.len);
	return false;
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
	uint64_t end = m->base + m->win_len;
	struct mapper *mp;
	uint64_t base;

	if (end >= m->size || !(mp = mapper_start(m)))
		return;
	base = (end - NEXT_OVERLAP) & ~(uint64_t)(m->page - 1);
	if (base <= m->base)
		return; /* a window too short to move by less than its size */
	pthread_mutex_lock(&mp->lock);
	mp->want.base = base;
	mp->want.len = m->size - base < MAP_WINDOW ? (size_t)(m->size - base) : MAP_WINDOW;
	__atomic_add_fetch(&mp->asked, 1, __ATOMIC_RELAXED);
	mapper_wake(mp);
	pthread_mutex_unlock(&mp->lock);
}

/* The mapper's window for the last request, if it holds file bytes
 * [at, at + RECORD_HEADER); the current window is left to it. */
static struct window take_ready(struct pcap_map *m, uint64_t at)
{
	struct mapper *mp = m->mapper;
	struct window none = { NULL, 0, 0 }, r;
	bool signal;

	if (!mp) {
		unmap(m);
		return none;
	}
	pthread_mutex_lock(&mp->lock);
	r = mp->ready;
	mp->ready = none;
	/* Neither a window being made now nor one asked for and not yet
	 * begun is the one wanted any more. */
	mp->want.len = 0;
	__atomic_add_fetch(&mp->asked, 1, __ATOMIC_RELAXED);
	signal = leave_window(mp, (struct window){ m->win, m->base, m->win_len });
	if (r.p && !(r.base <= at && at + RECORD_HEADER <= r.base + r.len)) {
		signal |= leave_window(mp, r);
		r = none;
	}
	if (signal)
		mapper_wake(mp);
	pthread_mutex_unlock(&mp->lock);
	m->win = NULL;
	m->win_len = 0;
	return r;
}

/* Map the window holding the file from `at` on (as much of MAP_WINDOW as
 * the file has), or take the mapper's. Returns false, with the message,
 * when it cannot. */
static bool map_at(struct pcap_map *m, uint64_t at)
{
	uint64_t base = at & ~(uint64_t)(m->page - 1);
	size_t len = m->size - base < MAP_WINDOW ? (size_t)(m->size - base) : MAP_WINDOW;
	struct window w = take_ready(m, at);

	if (!w.p) {
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, (off_t)base);

		if (p == MAP_FAILED) {
			snprintf(m->error, sizeof(m->error), _("cannot map the file: %s"),
				 strerror(errno));
			return false;
		}
		/* Read ahead hard and drop pages behind: it is walked once. */
		madvise(p, len, MADV_SEQUENTIAL);
		w = (struct window){ p, base, len };
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

/* The record header at pos (in the window), as libpcap fills it; its
 * caplen is checked against libpcap's bound. Returns 0, or PCAP_ERROR with
 * libpcap's message. */
/* The record header at pos into *h; `swapped` and `nsec` are the map's
 * (constants in pcap_map_dispatch_ahead's loop for the usual file). */
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

/* The record after the one at pos (whose file bytes are `caplen`), when
 * it lies whole in the window and is not longer than the snapshot length
 * (the rare records that are, are not worth a hint): `ahead` sees it. */
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
	mapper_stop(m);
	sigaction(SIGBUS, &old_bus, NULL);
	bus_map = NULL;
	unmap(m);
	close(m->fd);
	free(m);
}
