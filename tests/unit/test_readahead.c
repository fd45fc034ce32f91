/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_readahead.c - a live capture's thread (src/cli/readahead.c) reads
 * nothing before readahead_open, takes real-time priority when the
 * process may have it (and says whether it did: readahead_realtime), and
 * a thread stopped before it was opened ends without reading.
 *
 *   pipe:  [pcap header] read by pcap_fopen_offline before the thread starts
 *          [N records][a cut record] written while the thread waits
 *
 * A pipe stands for the interface: what is still in it (FIONREAD) was not
 * read. The cut record ends the reading with libpcap's error, so that the
 * thread never spins at the end of the input.
 *
 * A live queue keeps the batch being filled and a reserve of free ones
 * resident before the capture thread needs them (the kernel's buffer
 * overflows while a thread takes page faults), and the main thread
 * makes up the reserve as it gives batches back: measured in the
 * process's resident size, with transparent huge pages off so that it
 * counts exactly the 4 KiB pages written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/cli/readahead.h"

#define RECORDS 100
#define CAPLEN 60

struct source {
	pcap_t *pcap;
	int fd[2];
	size_t body; /* bytes written after the header */
};

static void put(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* The pipe with a pcap header, opened by libpcap; nothing else yet. */
static void source_open(struct source *s)
{
	const uint32_t hdr[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, 65535, 1 };
	char err[PCAP_ERRBUF_SIZE];
	FILE *f;

	assert_int_equal(pipe(s->fd), 0);
	put(s->fd[1], hdr, sizeof(hdr));
	f = fdopen(s->fd[0], "r");
	assert_non_null(f);
	s->pcap = pcap_fopen_offline(f, err);
	assert_non_null(s->pcap);
	s->body = 0;
}

/* RECORDS whole records, then one cut short, then the end of the pipe. */
static void source_write(struct source *s)
{
	uint8_t data[CAPLEN];
	uint32_t rec[4] = { 1, 0, CAPLEN, CAPLEN };

	memset(data, 0xab, sizeof(data));
	for (uint32_t i = 0; i < RECORDS; i++) {
		rec[1] = i;
		put(s->fd[1], rec, sizeof(rec));
		put(s->fd[1], data, sizeof(data));
		s->body += sizeof(rec) + sizeof(data);
	}
	put(s->fd[1], rec, sizeof(rec));
	put(s->fd[1], data, 10);
	s->body += sizeof(rec) + 10;
	close(s->fd[1]);
}

static size_t unread(const struct source *s)
{
	int n = -1;

	assert_int_equal(ioctl(s->fd[0], FIONREAD, &n), 0);
	return (size_t)n;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Threads of this process at SCHED_FIFO, and the priority of the last. */
static int fifo_threads(int *prio)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int count = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		struct sched_param sp;
		int policy;

		if (e->d_name[0] == '.')
			continue;
		policy = sched_getscheduler(atoi(e->d_name));
		if (policy == SCHED_FIFO && sched_getparam(atoi(e->d_name), &sp) == 0) {
			count++;
			*prio = sp.sched_priority;
		}
	}
	closedir(d);
	return count;
}

/* Whether this process may take SCHED_FIFO: try on this thread, undo. */
static int may_take_fifo(void)
{
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };
	struct sched_param normal = { .sched_priority = 0 };

	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0)
		return 0;
	assert_int_equal(pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal), 0);
	return 1;
}

static void count_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)bytes;
	assert_int_equal(h->caplen, CAPLEN);
	assert_int_equal(h->ts.tv_usec, *(int *)user);
	++*(int *)user;
}

static void test_nothing_read_before_open(void **state)
{
	struct source s;
	struct readahead *ra;
	int seen = 0, rc = 0, tries = 0, prio = -1, want_fifo = may_take_fifo();
	int fifo = 0;

	(void)state;
	source_open(&s);
	ra = readahead_start_live(s.pcap, 1u << 20);
	assert_non_null(ra);
	source_write(&s);
	/* The thread has had time to read; it must not have. */
	pause_ms(50);
	assert_int_equal(readahead_dispatch(ra, count_record, (u_char *)&seen), 0);
	assert_int_equal(seen, 0);
	assert_int_equal(unread(&s), s.body);
	/* The priority is given as the thread starts, before the gate,
	 * and readahead_realtime says whether it was. */
	fifo = fifo_threads(&prio);
	assert_int_equal(fifo, want_fifo);
	assert_int_equal(readahead_realtime(ra), want_fifo);
	if (want_fifo)
		assert_int_equal(prio, sched_get_priority_min(SCHED_FIFO));

	readahead_open(ra);
	while (rc >= 0 && tries++ < 100)
		rc = readahead_dispatch(ra, count_record, (u_char *)&seen);
	assert_int_equal(rc, PCAP_ERROR);
	assert_int_equal(seen, RECORDS);
	assert_non_null(strstr(readahead_error(ra), "truncated"));
	assert_int_equal(unread(&s), 0);
	readahead_stop(ra);
	pcap_close(s.pcap);
}

/* In a child that may not take real-time priority (RLIMIT_RTPRIO 0, and
 * when root, no longer root: no CAP_SYS_NICE), the capture thread keeps
 * the normal priority and readahead_realtime says so: framecap then
 * lowers its decoding thread's priority instead. The test above covers
 * the other answer where the process may take it (as root). Exit
 * status: 0 right, 2 still privileged, 1 wrong. */
static int unprivileged_child(void)
{
	const struct rlimit none = { 0, 0 };
	struct source s;
	struct readahead *ra;
	int prio = -1, right;

	if (setrlimit(RLIMIT_RTPRIO, &none) != 0 ||
	    (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)))
		return 2;
	if (may_take_fifo())
		return 2;
	source_open(&s);
	ra = readahead_start_live(s.pcap, 1u << 20);
	if (!ra)
		return 1;
	right = !readahead_realtime(ra) && fifo_threads(&prio) == 0;
	readahead_stop(ra);
	pcap_close(s.pcap);
	return right ? 0 : 1;
}

static void test_no_realtime_without_privilege(void **state)
{
	int status = -1;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unprivileged_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_stop_before_open(void **state)
{
	struct source s;
	struct readahead *ra;

	(void)state;
	source_open(&s);
	ra = readahead_start_live(s.pcap, 1u << 20);
	assert_non_null(ra);
	source_write(&s);
	pause_ms(20);
	readahead_stop(ra);
	assert_int_equal(unread(&s), s.body);
	pcap_close(s.pcap);
}

#define BIG_QUEUE (64u << 20) /* batches of 1 MiB (the largest), 64 of them */
#define BATCH (1u << 20)
#define RESERVE 4 /* free batches a live queue keeps resident */
#define BIG_CAPLEN 1400
/* What besides the batches may become resident meanwhile: the thread's
 * stack and libc's pages; under ASan also the shadow of what was written
 * (an eighth). Less than a batch: one batch too many fails. */
#ifdef __SANITIZE_ADDRESS__
#define SLACK(bytes) ((bytes) / 8 + (512u << 10))
#else
#define SLACK(bytes) (512u << 10)
#endif

/* Bytes of this process in memory, counted in base pages. */
static size_t resident(void)
{
	unsigned long pages = 0, total = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &total, &pages), 2);
	fclose(f);
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void thp_off(void)
{
	assert_int_equal(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
}

static void test_live_reserve_resident(void **state)
{
	struct source s;
	struct readahead *ra;
	size_t before, grown;

	(void)state;
	thp_off();
	source_open(&s);
	before = resident();
	ra = readahead_start_live(s.pcap, BIG_QUEUE);
	assert_non_null(ra);
	pause_ms(20);
	grown = resident() - before;
	/* The filling batch and the reserve, written page by page, and no
	 * other batch. */
	assert_true(grown >= (RESERVE + 1) * (size_t)BATCH);
	assert_true(grown < (RESERVE + 1) * (size_t)BATCH + SLACK((RESERVE + 1) * (size_t)BATCH));
	readahead_stop(ra);
	pcap_close(s.pcap);
}

struct big_writer {
	struct source *s;
	unsigned records;
};

/* `records` records of BIG_CAPLEN bytes, a cut one, the end of the pipe. */
static void *write_big(void *arg)
{
	struct big_writer *w = arg;
	static uint8_t data[BIG_CAPLEN];
	uint32_t rec[4] = { 1, 0, BIG_CAPLEN, BIG_CAPLEN };

	for (uint32_t i = 0; i < w->records; i++) {
		rec[1] = i;
		put(w->s->fd[1], rec, sizeof(rec));
		put(w->s->fd[1], data, sizeof(data));
	}
	put(w->s->fd[1], rec, sizeof(rec));
	put(w->s->fd[1], data, 10);
	close(w->s->fd[1]);
	return NULL;
}

static void count_big(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)bytes;
	assert_int_equal(h->caplen, BIG_CAPLEN);
	assert_int_equal(h->ts.tv_usec, *(int *)user);
	++*(int *)user;
}

static void test_live_warm_on_give_back(void **state)
{
	struct source s;
	struct readahead *ra;
	/* About 10 batches: the capture thread uses up the reserve and
	 * writes cold batches itself, as a backed-up queue does. */
	struct big_writer w = { &s, 10 * (BATCH / (BIG_CAPLEN + sizeof(struct pcap_pkthdr))) };
	pthread_t writer;
	size_t before, grown;
	int seen = 0, rc = 1, tries = 0;

	(void)state;
	thp_off();
	source_open(&s);
	ra = readahead_start_live(s.pcap, BIG_QUEUE);
	assert_non_null(ra);
	readahead_open(ra);
	assert_int_equal(pthread_create(&writer, NULL, write_big, &w), 0);
	assert_int_equal(pthread_join(writer, NULL), 0);
	while (unread(&s) != 0 && tries++ < 500)
		pause_ms(10);
	assert_int_equal(unread(&s), 0);
	pause_ms(100); /* the last batch handed over, the thread ended */

	/* The first batch given back is free and resident; the reserve is
	 * still short by three, so one cold batch is made resident. */
	before = resident();
	rc = readahead_dispatch(ra, count_big, (u_char *)&seen);
	grown = resident() - before;
	assert_true(rc > 0);
	assert_true(grown >= BATCH);
	assert_true(grown < BATCH + SLACK(BATCH));

	tries = 0;
	while (rc >= 0 && tries++ < 100)
		rc = readahead_dispatch(ra, count_big, (u_char *)&seen);
	assert_int_equal(rc, PCAP_ERROR);
	assert_int_equal(seen, (int)w.records);
	readahead_stop(ra);
	pcap_close(s.pcap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_read_before_open),
		cmocka_unit_test(test_no_realtime_without_privilege),
		cmocka_unit_test(test_stop_before_open),
		cmocka_unit_test(test_live_reserve_resident),
		cmocka_unit_test(test_live_warm_on_give_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
