/* SPDX-License-Identifier: GPL-2.0-or-later */
/* framecap.c - command line front end: the steps of a run.
 *
 *   framecap [options] [-r FILE | -i IFACE] [BPF expression]
 *
 *   options --> profiles --> input (file or interface) --> -w copy
 *           --> output (text, JSON, recv view, detect; --html around it)
 *           --> feed loop (the view written as the engine reports)
 *           --> summary, write errors, exit status
 *
 * Exit status (options.h): 0 success; 1 the input could not be opened or
 * read to its end, or an output could not be written (what was decoded
 * before is still printed); 2 a usage, filter, profile or configuration
 * error; 128 + N a file read interrupted by signal N (130: SIGINT), and
 * 141 when a closed pipe refused a write with SIGPIPE ignored.
 */
#include <errno.h>
#include <inttypes.h>
#include <grp.h>
#include <pwd.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fc_config.h"
#include "fc_engine.h"
#include "fc_profile_opts.h"
#include "i18n.h"
#include "feed.h"
#include "i18n.h"
#include "options.h"
#include "output.h"
#include "readahead.h"

#define READ_BUFFER_SIZE (1 << 20)
/* The live capture's queue between its thread and the decoding one
 * (readahead_start_live), in KiB: FRAMECAP_LIVE_QUEUE_KIB, within these. */
#define LIVE_QUEUE_KIB 65536
#define LIVE_QUEUE_KIB_MAX (4u << 20)
/* How much lower the decoding thread's priority is than the capture
 * thread's, in nice steps (Linux: per thread), when the capture thread
 * could not take real-time priority. */
#define LIVE_DECODER_NICE 5
#define STDOUT_NAME N_("standard output")

static volatile sig_atomic_t caught_signal;
static struct feed *active_feed;

static void on_signal(int sig)
{
	caught_signal = sig;
	if (active_feed)
		feed_break(active_feed);
}

/* Profiles: the configuration's port map, and the profile the options
 * select for every other stream (or, with --profile, every stream);
 * command-line fields change all of them. Fills the engine's profile
 * fields; exits with status 2 on any error. */
static void setup_profiles(struct cli_options *o, struct fc_config *cfg,
			   struct fc_profile *fallback)
{
	static struct fc_config_search search;
	struct fc_profile_opts *po = &o->profile;
	struct fc_engine_config *ec = &o->engine;
	struct fc_config_error cerr;
	char msg[600];
	bool forced;

	if (fc_profile_opts_search(po, cfg, &cerr, &search) != 0) {
		fc_config_error_format(&cerr, msg, sizeof(msg));
		cli_die(EXIT_USAGE, "%s", msg);
	}
	for (int i = 0; i < search.nskipped; i++)
		cli_warn("ignoring %s: %s", search.skipped[i].path,
			 _(search.skipped[i].reason));
	/* The rule every front end follows (fc_profile_opts_choose): the
	 * fields change every profile, the port-mapped ones too. */
	if (fc_profile_opts_choose(po, cfg, fallback, &forced, msg, sizeof(msg)) != 0)
		cli_die(EXIT_USAGE, "%s", msg);
	if (forced)
		ec->forced = fallback;
	ec->config = cfg;
	ec->fallback = fallback;
	if (!ec->max_ooo_per_dir)
		ec->max_ooo_per_dir = FC_DEFAULT_MAX_OOO_PER_DIR;
	ec->max_ooo_total = FC_DEFAULT_MAX_OOO_TOTAL;
	if (ec->max_ooo_total < ec->max_ooo_per_dir)
		ec->max_ooo_total = ec->max_ooo_per_dir;
}

struct input {
	pcap_t *pcap;
	const char *name; /* the file or the interface, for messages */
	bool live;
	bool regular; /* a regular file (mapped, or read ahead on a thread) */
	struct pcap_map *map; /* the file read in place, or NULL */
	bool have_stat;
	struct stat st; /* the file's, to refuse -w onto it */
	struct bpf_program filter;
	bool have_filter;
};

/* Bytes of the link header before IP for the link types whose header has
 * a fixed least size; -1 for the others. */
static int link_header_min(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return 14;
	case DLT_LINUX_SLL: return 16;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: return 20;
#endif
	case DLT_NULL: case DLT_LOOP: return 4;
	case DLT_RAW: return 0;
	default: return -1;
	}
}

/* One line when the snapshot length cannot reach past the smallest link,
 * IPv4 and TCP headers: then no byte of payload is ever captured. */
static void warn_small_snaplen(const struct input *in)
{
	int link = link_header_min(pcap_datalink(in->pcap));
	int snap = pcap_snapshot(in->pcap);

	if (link < 0 || snap <= 0 || snap > link + 40)
		return;
	cli_warn("%s: warning: snapshot length %d is no more than the %d bytes of "
		 "link, IP and TCP headers: no TCP payload will be captured",
		 in->name, snap, link + 40);
}

/* Open the capture file (or stdin for "-"); exits with status 1 when it
 * cannot be read as one. */
static void open_file(const struct cli_options *o, struct input *in)
{
	static char read_buffer[READ_BUFFER_SIZE];
	char errbuf[PCAP_ERRBUF_SIZE];
	/* Opened here for a larger stdio buffer than libpcap's default:
	 * a few hundred reads per file instead of one per 4 KiB. */
	FILE *f = strcmp(o->read_file, "-") == 0 ? stdin : fopen(o->read_file, "rb");
	const char *reader = getenv("FRAMECAP_READER");
	bool mappable;

	if (!f)
		cli_die(EXIT_INPUT, "%s: %s", o->read_file, strerror(errno));
	in->have_stat = fstat(fileno(f), &in->st) == 0;
	in->regular = in->have_stat && S_ISREG(in->st.st_mode);
	mappable = in->regular && pcap_map_probe(fileno(f));
	/* glibc ignores the size unless it is given the buffer. A file
	 * read in place needs none: libpcap only reads its header. (One
	 * that pcap_map_open then refuses, for its link type, is read
	 * through stdio's 4 KiB: a link type framecap does not decode, or a
	 * byte-swapped Linux cooked capture.) */
	if (!mappable)
		setvbuf(f, read_buffer, _IOFBF, sizeof(read_buffer));
	in->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO,
							    errbuf);
	if (!in->pcap) { /* libpcap often names the file itself */
		size_t n = strlen(o->read_file);
		const char *msg = strncmp(errbuf, o->read_file, n) == 0 &&
			errbuf[n] == ':' ? errbuf + n + 2 : errbuf;
		cli_die(EXIT_INPUT, "%s: %s", o->read_file, msg);
	}
	if (mappable)
		in->map = pcap_map_open(in->pcap, fileno(f));
	/* For tests and for comparing: say so rather than read it another
	 * way. */
	if (!in->map && reader && strcmp(reader, "map") == 0)
		cli_die(EXIT_INPUT, _("%s: FRAMECAP_READER=map, but this is not a file read in place "
				      "(a classic pcap file, version 2.4, of a link type framecap decodes)"),
			o->read_file);
}

/* Open and activate the interface; exits with status 1 when it cannot. */
static void open_interface(const struct cli_options *o, struct input *in)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int rc;

	in->pcap = pcap_create(o->iface, errbuf);
	if (!in->pcap)
		cli_die(EXIT_INPUT, "%s: %s", o->iface, errbuf);
	pcap_set_snaplen(in->pcap, o->snaplen);
	/* Not immediate mode, as tcpdump -w: libpcap then packs packets
	 * into the kernel's buffer (TPACKET_V3) instead of a slot of
	 * snaplen bytes each, so the same -B holds many more of them; the
	 * timeout still hands a quiet capture's packets over within 0.1 s. */
	pcap_set_buffer_size(in->pcap, o->buffer_kib * 1024);
	pcap_set_timeout(in->pcap, 100);
	rc = pcap_activate(in->pcap);
	if (rc < 0)
		cli_die(EXIT_INPUT, "%s: %s", o->iface,
			rc == PCAP_ERROR ? pcap_geterr(in->pcap) : pcap_statustostr(rc));
	if (rc > 0)
		cli_warn("%s: warning: %s", o->iface, pcap_statustostr(rc));
	in->live = true;
}

/* The input, its link type checked and its filter compiled (exit 1 or 2
 * on failure). */
static void open_input(const struct cli_options *o, struct input *in)
{
	int dlt;

	in->name = o->read_file ? o->read_file : o->iface;
	if (o->read_file)
		open_file(o, in);
	else
		open_interface(o, in);
	dlt = pcap_datalink(in->pcap);
	if (!fc_link_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		cli_warn("%s: link type %s (%d) is not supported; no packet will be decoded",
			 in->name, name ? name : "?", dlt);
	}
	warn_small_snaplen(in);
	if (o->expr) {
		if (pcap_compile(in->pcap, &in->filter, o->expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
			cli_die(EXIT_USAGE, "bad filter expression '%s': %s", o->expr,
				pcap_geterr(in->pcap));
		in->have_filter = true;
		/* Files: filtered by the feed loop, so packet numbers count
		 * every record, as Wireshark numbers them. Live: in the kernel. */
		if (in->live && pcap_setfilter(in->pcap, &in->filter) < 0)
			cli_die(EXIT_USAGE, "cannot set filter: %s", pcap_geterr(in->pcap));
	}
}

/* Become `user` (and its groups) for good: the capture is open, so no
 * byte from the network is parsed with privileges. Any failure, or a
 * process that could still regain root, ends the run. */
static void drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		cli_die(EXIT_USAGE, "-Z %s: no such user", user);
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		cli_die(EXIT_INPUT, "-Z %s: cannot drop privileges: %s", user, strerror(errno));
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0 || getegid() == 0))
		cli_die(EXIT_INPUT, "-Z %s: still able to become root; refusing to go on", user);
}

static const char *dump_name(const char *write_file)
{
	return strcmp(write_file, "-") == 0 ? _(STDOUT_NAME) : write_file;
}

/* -w: refuse a file that is the capture being read (by any name: a
 * symlink, a hard link), before it is truncated; then create it. */
static pcap_dumper_t *open_dump(const struct cli_options *o, const struct input *in)
{
	struct stat st;
	pcap_dumper_t *d;
	int same;

	if (!o->write_file)
		return NULL;
	same = strcmp(o->write_file, "-") == 0 ? fstat(STDOUT_FILENO, &st) == 0
					       : stat(o->write_file, &st) == 0;
	if (same && in->have_stat && st.st_dev == in->st.st_dev && st.st_ino == in->st.st_ino)
		cli_die(EXIT_USAGE, "-w %s: this is the file being read (-r %s)",
			dump_name(o->write_file), o->read_file);
	d = pcap_dump_open(in->pcap, o->write_file);
	if (!d)
		cli_die(EXIT_INPUT, "%s: %s", dump_name(o->write_file), pcap_geterr(in->pcap));
	return d;
}

/* --html FILE: refuse the capture being read, as -w does; then create
 * it (exit 1 or 2 on failure). NULL without --html; stdout for "-". */
static FILE *open_html(const struct cli_options *o, const struct input *in)
{
	struct stat st;
	FILE *f;

	if (!o->html_file)
		return NULL;
	if (strcmp(o->html_file, "-") == 0)
		return stdout;
	if (stat(o->html_file, &st) == 0 && in->have_stat && st.st_dev == in->st.st_dev &&
	    st.st_ino == in->st.st_ino)
		cli_die(EXIT_USAGE, "--html %s: this is the file being read (-r %s)",
			o->html_file, o->read_file);
	f = fopen(o->html_file, "w");
	if (!f)
		cli_die(EXIT_INPUT, "%s: %s", o->html_file, strerror(errno));
	return f;
}

/* The writer the options ask for (exit 1 when out of memory); with
 * --html, the page's writer around it (or instead of it, for --html -). */
static struct fc_output *choose_output(struct cli_options *o, FILE *html)
{
	struct fc_output *out;
	bool page_on_stdout = html == stdout;

	if (o->color < 0)
		o->color = !o->json && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	o->out.color = o->color;
	o->engine.bytes_only = o->detect; /* inference reads the bytes, not frames */
	/* The text view shows frames only with -v or -X: without them, no
	 * frame records (segment lines preview what their own packet
	 * carried). */
	if (!o->detect && !o->recv_view && !o->json && !o->out.verbose && !o->out.hexdump &&
	    !html && !o->emit_test)
		o->engine.omit_frames = true;
	out = page_on_stdout ? NULL
	    : o->emit_test ? fc_output_emit(&o->out, o->emit_test)
	    : o->detect ? fc_output_detect(&o->out)
	    : o->recv_view ? fc_output_recv(&o->out, o->recv_view)
	    : o->json ? fc_output_json(&o->out) : fc_output_text(&o->out);
	if (!out && !page_on_stdout)
		cli_die(EXIT_INPUT, "out of memory");
	if (html) {
		struct fc_output *page = fc_output_html(&o->out, &o->html, html, out);

		if (!page)
			cli_die(EXIT_INPUT, "out of memory");
		out = page;
	}
	return out;
}

/* A fresh secret for the flow table's hash, so that no capture can be
 * crafted to put its connections in one bucket. getrandom() only fails on
 * a kernel without it; a key from the clock and pid then still differs
 * from run to run, and the table still works, only less protected. */
static void flow_hash_key(uint8_t key[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t n = getrandom(key + got, 16 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			struct timespec ts;
			uint64_t a, b;

			clock_gettime(CLOCK_REALTIME, &ts);
			a = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
			b = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&ts;
			memcpy(key, &a, 8);
			memcpy(key + 8, &b, 8);
			cli_warn("getrandom: %s; flow table key from the clock",
				 strerror(errno));
			return;
		}
		got += (size_t)n;
	}
}

static int64_t wall_clock_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return fc_ts_us((int64_t)tv.tv_sec, (int64_t)tv.tv_usec);
}

struct run {
	struct feed feed;
	struct fc_output *output;
	FILE *html; /* --html's file, or NULL */
	int64_t last_tick; /* wall clock of the last fc_engine_tick */
	uint32_t max_flows; /* the table's size, for the warning below */
	const char *name; /* the input's, for the warning */
	bool warned_evicted, warned_queue;
	size_t live_queue; /* bytes, for a live capture's thread */
	uint64_t queue_dropped; /* records its queue had no room for */
};

/* Once per run, as soon as it happens (at a live batch's end, or at the
 * end of the file): open connections were ended to make room. */
static void warn_evicted(struct run *r)
{
	const struct fc_engine_stats *st = fc_engine_stats(r->feed.engine);

	if (r->warned_evicted || !st->flows_evicted)
		return;
	r->warned_evicted = true;
	cli_warn("%s: warning: the flow table is full (--max-flows %" PRIu32
		 "): open connections are being ended early (\"evicted\"); "
		 "raise --max-flows", r->name,
		 r->max_flows ? r->max_flows : (uint32_t)FC_DEFAULT_MAX_FLOWS);
}

/* After each batch of a live capture: expire holes, show the lines. */
static void live_batch_done(void *ctx)
{
	struct run *r = ctx;
	int64_t now = wall_clock_us();

	/* With no packet coming, acknowledged holes still expire; a tick
	 * walks every open flow, so at most ten a second. */
	if (now - r->last_tick >= 100000 || now < r->last_tick) {
		fc_engine_tick(r->feed.engine, now);
		r->last_tick = now;
	}
	/* Writers buffer large pieces: show this batch's lines now. */
	fc_output_flush(r->output);
	warn_evicted(r);
	if (!r->warned_queue && readahead_dropped(r->feed.ahead)) {
		r->warned_queue = true;
		cli_warn("%s: warning: decoding and output fall behind the capture: packets are "
			 "being dropped (FRAMECAP_LIVE_QUEUE_KIB %zu full; counted in the summary)",
			 r->name, r->live_queue / 1024);
	}
}

/* The live queue's size from FRAMECAP_LIVE_QUEUE_KIB, in bytes (exit 2
 * when it is not a number of KiB within bounds). */
static size_t live_queue_bytes(void)
{
	const char *v = getenv("FRAMECAP_LIVE_QUEUE_KIB");
	unsigned long kib;
	char *end;

	if (!v || !*v)
		return (size_t)LIVE_QUEUE_KIB * 1024;
	errno = 0;
	kib = strtoul(v, &end, 10);
	if (errno || *end || *v == '-' || kib == 0 || kib > LIVE_QUEUE_KIB_MAX)
		cli_die(EXIT_USAGE, "FRAMECAP_LIVE_QUEUE_KIB=%s: not a size in KiB from 1 to %u",
			v, LIVE_QUEUE_KIB_MAX);
	return (size_t)kib * 1024;
}

/* SIGINT and SIGTERM end the capture cleanly (caught_signal). */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A live capture's thread, started before -Z so that it can take
 * real-time priority (readahead.c); it reads nothing before run_capture
 * opens it, after the privileges are given up. */
static void start_capture(struct run *r, const struct input *in)
{
	if (!(r->feed.ahead = readahead_start_live(in->pcap, r->live_queue)))
		cli_die(EXIT_INPUT, "%s: cannot start the capture thread: out of memory",
			in->name);
}

/* Feed the whole input to the engine. Returns the exit status so far. */
static int run_capture(struct run *r, const struct cli_options *o, struct input *in)
{
	enum feed_end end;

	r->feed.pcap = in->pcap;
	r->feed.dlt = pcap_datalink(in->pcap);
	r->feed.live = in->live;
	r->feed.filter = in->have_filter && !in->live ? &in->filter : NULL;
	r->feed.max_count = o->max_count;
	r->feed.batch_done = in->live ? live_batch_done : NULL;
	r->feed.ctx = r;
	if (in->live)
		setvbuf(stdout, NULL, _IOLBF, 0);
	/* A file pcap_map cannot read in place is read on a second core
	 * while this one decodes. Not a pipe: its records would wait for a
	 * whole batch, and a reader blocked on it could not be stopped. */
	r->feed.map = in->map;
	if (!in->live && in->regular && !in->map)
		r->feed.ahead = readahead_start(in->pcap);
	/* Live: the thread started before -Z (start_capture); it reads
	 * from now on, without privileges. */
	if (in->live) {
		readahead_open(r->feed.ahead);
		/* On a busy machine the capture thread must get a core the
		 * moment the kernel hands it a block. Without real-time
		 * priority it gets one sooner when this thread's priority is
		 * lower: it preempts this one, which catches up from the
		 * queue later. With it, it preempts anyway, and a lower
		 * priority here only let the traffic's own processes starve
		 * the decoding until the queue was full: at bench-live's
		 * "max", 2 runs in 8 dropped (805 and 75 packets) at nice 5,
		 * none in 8 at nice 0, and bursts 400 and 500 measured the
		 * same either way (5 runs each). Only this thread's: the
		 * capture thread keeps the priority it was started with. (No
		 * privilege needed, and a failure only keeps the priority as
		 * it was.) */
		errno = 0;
		if (!readahead_realtime(r->feed.ahead) && nice(LIVE_DECODER_NICE) == -1 && errno)
			errno = 0;
	}
	active_feed = &r->feed;
	end = caught_signal ? FEED_STOPPED : feed_run(&r->feed);
	active_feed = NULL;
	r->queue_dropped = readahead_dropped(r->feed.ahead);
	if (end == FEED_READ_ERROR) {
		fc_output_flush(r->output);
		fflush(stdout);
		cli_warn("%s: %s", in->name, feed_read_error(&r->feed));
	}
	readahead_stop(r->feed.ahead);
	r->feed.ahead = NULL;
	pcap_map_close(r->feed.map);
	r->feed.map = in->map = NULL;
	return end == FEED_READ_ERROR ? EXIT_INPUT : 0;
}

/* Standard output's first write error (errno), or 0. */
static int stdout_error(struct fc_output *out)
{
	int err = fc_output_write_error(out);

	if (err)
		return err;
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		return errno ? errno : EIO;
	return 0;
}

/* Is standard output the text report, whose summary ends with the live
 * counts? */
static bool text_report_on_stdout(const struct cli_options *o, const FILE *html)
{
	return html != stdout && !o->emit_test && !o->detect && !o->recv_view && !o->json;
}

/* libpcap's counts at the end of a live capture, on standard error as
 * tcpdump prints them, when standard output carries no text report:
 * whoever watches `framecap -i lo --json > out.jsonl` (or --detect,
 * --recv-view, a page) still sees what was dropped, and a script can
 * send the report to /dev/null and keep the counts. Same words as the
 * text report's line. */
static void live_counts_to_stderr(const struct fc_live_stats *live)
{
	char line[FC_LIVE_COUNTS_MAX];

	fc_live_counts_line(line, sizeof(line), live);
	fputs(line, stderr);
}

/* Summary, the -w file closed on a whole record, every write checked.
 * Returns the exit status. */
static int finish(struct run *r, const struct cli_options *o, struct input *in, int status)
{
	struct fc_live_stats live = { .live = in->live };
	int out_err, dump_err, html_err = 0;

	fc_engine_finish(r->feed.engine, &r->feed.last);
	warn_evicted(r);
	if (in->live) {
		struct pcap_stat ps;
		if (pcap_stats(in->pcap, &ps) == 0) {
			live.received = ps.ps_recv;
			live.dropped = ps.ps_drop;
			live.ifdropped = ps.ps_ifdrop;
		}
		live.queue_dropped = r->queue_dropped;
	}
	r->output->summary(r->output, fc_engine_stats(r->feed.engine), &live);
	fc_output_flush(r->output);
	out_err = stdout_error(r->output);
	if (in->live && !text_report_on_stdout(o, r->html))
		live_counts_to_stderr(&live);
	if (r->output->finish)
		html_err = r->output->finish(r->output);
	dump_err = feed_close_dump(&r->feed);
	r->output->destroy(r->output);
	if (r->html == stdout) {
		if (!out_err)
			out_err = html_err;
		html_err = 0;
	} else if (r->html) {
		errno = 0;
		if (fclose(r->html) != 0 && !html_err)
			html_err = errno ? errno : EIO;
	}
	fc_engine_free(r->feed.engine);
	if (in->have_filter)
		pcap_freecode(&in->filter);
	pcap_close(in->pcap);

	/* A reader that went away wants no more and no message, as if
	 * SIGPIPE (which it would be, unless ignored) had ended us. */
	if (out_err == EPIPE)
		return EXIT_SIGNAL_BASE + SIGPIPE;
	if (out_err) {
		cli_warn("%s: %s", _(STDOUT_NAME), strerror(out_err));
		status = EXIT_INPUT;
	}
	if (html_err) {
		cli_warn("%s: %s", o->html_file, strerror(html_err));
		status = EXIT_INPUT;
	}
	if (dump_err) {
		cli_warn("%s: %s", dump_name(o->write_file), strerror(dump_err));
		status = EXIT_INPUT;
	}
	/* A file read to its end is the normal end; a live capture ends
	 * by a signal. */
	if (caught_signal && !in->live) {
		cli_warn("%s: interrupted by %s; the summary covers the records read before",
			 in->name, caught_signal == SIGINT ? "SIGINT" : "SIGTERM");
		if (status == 0)
			status = EXIT_SIGNAL_BASE + caught_signal;
	}
	return status;
}

int main(int argc, char **argv)
{
	static struct cli_options o;
	static struct fc_config cfg;
	static struct fc_profile fallback;
	struct input in = { 0 };
	struct run r = { 0 };
	int status;

	cli_parse(&o, argc, argv);
	setup_profiles(&o, &cfg, &fallback);
	/* Before the input opens: opening may warn (a short snaplen), and a
	 * script that stops framecap on that warning must not lose its
	 * signal (a background job's SIGINT starts ignored). */
	catch_signals();
	if (o.iface)
		r.live_queue = live_queue_bytes();
	open_input(&o, &in);
	if (in.live)
		start_capture(&r, &in);
	/* As tcpdump: the -w file is created after the drop, owned by USER. */
	if (o.drop_user)
		drop_privileges(o.drop_user);
	r.feed.dumper = open_dump(&o, &in);
	r.html = open_html(&o, &in);
	r.output = choose_output(&o, r.html);
	r.max_flows = o.engine.max_flows;
	r.name = in.name;
	flow_hash_key(o.engine.hash_key);
	/* Reading stops at the writer's first write error, read by the
	 * record loop after every record. A writer without a buffer
	 * (--detect, --emit-test, --html -) writes through its FILE, and
	 * finish() checks that. */
	if (r.output->fmt)
		r.feed.stop_err = &r.output->fmt->err;
	r.feed.engine = fc_engine_new(&o.engine, &r.output->sink);
	if (!r.feed.engine)
		cli_die(EXIT_INPUT, "out of memory");
	status = run_capture(&r, &o, &in);
	status = finish(&r, &o, &in, status);
	free(o.expr);
	return status;
}
