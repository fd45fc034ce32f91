/* SPDX-License-Identifier: GPL-2.0-or-later */
/* framecap.c - command line front end: options, libpcap input, sinks.
 *
 *   framecap [options] [-r FILE | -i IFACE] [BPF expression]
 *
 *   libpcap record --(BPF filter)--> fc_engine --> text or JSON sink
 *
 * Exit status: 0 success; 1 the input could not be opened or read to its
 * end (what was decoded before is still printed); 2 a usage, filter,
 * profile or configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
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
#include "fc_describe.h"
#include "output.h"
#include "readahead.h"

#define EXIT_INPUT 1
#define EXIT_USAGE 2
#define READ_BUFFER_SIZE (1 << 20)

static volatile sig_atomic_t stop_requested;
static pcap_t *active_handle;
static struct readahead *active_readahead;

static void usage(FILE *out)
{
	fputs("usage: framecap [-hnvDX] [-r FILE | -i IFACE] [-w FILE] [-c COUNT] [-s SNAPLEN]\n"
	      "                [-B BUFFER_KIB] [-Z USER]\n"
	      "                [--json] [--color=auto|always|never] [--payload-bytes N|all]\n"
	      "                [--config FILE] [--profile NAME]\n"
	      "                [--length-offset N] [--length-size N] [--byte-order little|big]\n"
	      "                [--signed | --unsigned] [--length-adjustment N]\n"
	      "                [--header-size N] [--max-frame N]\n"
	      "                [--max-flows N] [--max-ooo BYTES] [--max-ooo-pieces N]\n"
	      "                [--ack-window-packets N] [--ack-window-ms MS]\n"
	      "                [--recv-view N] [--detect]\n"
	      "                [expression]\n"
	      "       framecap --explain KIND\n"
	      "Shows how length-prefixed messages sit in TCP segments: sticky\n"
	      "segments (several frames in one), split frames, framing errors.\n"
	      "See framecap(1).\n", out);
}

static void die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("framecap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (active_readahead)
		readahead_break(active_readahead);
	else if (active_handle)
		pcap_breakloop(active_handle);
}

enum {
	OPT_JSON = FC_OPT__NEXT, OPT_COLOR, OPT_PAYLOAD_BYTES, OPT_MAX_FLOWS,
	OPT_MAX_OOO, OPT_HELP, OPT_RECV_VIEW, OPT_EXPLAIN, OPT_DETECT,
	OPT_MAX_OOO_PIECES, OPT_ACK_WINDOW_PACKETS, OPT_ACK_WINDOW_MS,
};

static uint64_t number_arg(const char *opt, const char *s, uint64_t max)
{
	uint64_t v;
	const char *err = fc_parse_u64(s, max, &v);

	if (err)
		die(EXIT_USAGE, "%s %s: %s", opt, s, err);
	return v;
}

static const char *option_name(const struct option *opts, int val)
{
	for (; opts->name; opts++)
		if (opts->val == val)
			return opts->name;
	return "?";
}

/* Join the trailing arguments into one filter expression, as tcpdump. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		die(EXIT_INPUT, "out of memory");
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Become `user` (and its groups) for good: the capture is open, so no
 * byte from the network is parsed with privileges. Any failure, or a
 * process that could still regain root, ends the run. */
static void drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		die(EXIT_USAGE, "-Z %s: no such user", user);
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		die(EXIT_INPUT, "-Z %s: cannot drop privileges: %s", user, strerror(errno));
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0 || getegid() == 0))
		die(EXIT_INPUT, "-Z %s: still able to become root; refusing to go on", user);
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
			fprintf(stderr, "framecap: getrandom: %s; flow table key from the clock\n",
				strerror(errno));
			return;
		}
		got += (size_t)n;
	}
}

static int list_interfaces(void)
{
	pcap_if_t *all, *d;
	char errbuf[PCAP_ERRBUF_SIZE];
	int i = 1;

	if (pcap_findalldevs(&all, errbuf) < 0)
		die(EXIT_INPUT, "cannot list interfaces: %s", errbuf);
	for (d = all; d; d = d->next, i++)
		printf("%d.%s%s%s%s\n", i, d->name, d->description ? " (" : "",
		       d->description ? d->description : "", d->description ? ")" : "");
	pcap_freealldevs(all);
	return 0;
}

static int64_t wall_clock_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return fc_ts_us((int64_t)tv.tv_sec, (int64_t)tv.tv_usec);
}

struct run {
	struct fc_engine *engine;
	pcap_t *pcap;
	struct readahead *ahead; /* a file read on a second thread, or NULL */
	pcap_dumper_t *dumper;
	struct bpf_program filter;
	bool have_filter, offline_filter;
	int dlt;
	uint64_t recno; /* every record read, filtered or not */
	uint64_t matched;
	uint64_t max_count;
	struct fc_pkt last;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct run *r = (struct run *)user;
	struct fc_pkt pkt;

	r->recno++;
	if (r->offline_filter && !pcap_offline_filter(&r->filter, h, bytes))
		return;
	if (r->max_count && r->matched >= r->max_count)
		return;
	r->matched++;
	if (r->dumper)
		pcap_dump((u_char *)r->dumper, h, bytes);
	pkt.num = r->recno;
	pkt.ts_us = fc_ts_us((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
	r->last = pkt;
	fc_engine_packet(r->engine, &pkt, r->dlt, bytes, h->caplen, h->len);
	if (r->max_count && r->matched >= r->max_count) {
		stop_requested = 1;
		if (r->ahead)
			readahead_break(r->ahead);
		else
			pcap_breakloop(r->pcap);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "payload-bytes", required_argument, NULL, OPT_PAYLOAD_BYTES },
		FC_PROFILE_LONGOPTS,
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "max-ooo", required_argument, NULL, OPT_MAX_OOO },
		{ "max-ooo-pieces", required_argument, NULL, OPT_MAX_OOO_PIECES },
		{ "ack-window-packets", required_argument, NULL, OPT_ACK_WINDOW_PACKETS },
		{ "ack-window-ms", required_argument, NULL, OPT_ACK_WINDOW_MS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "recv-view", required_argument, NULL, OPT_RECV_VIEW },
		{ "explain", required_argument, NULL, OPT_EXPLAIN },
		{ "detect", no_argument, NULL, OPT_DETECT },
		{ NULL, 0, NULL, 0 },
	};
	static struct fc_config cfg;
	static struct fc_profile fallback;
	const char *read_file = NULL, *iface = NULL, *write_file = NULL;
	const char *drop_user = NULL, *err;
	struct fc_profile_opts po = { 0 };
	struct fc_config_error cerr;
	static struct fc_config_search search;
	struct fc_output_opts oo = { 0 };
	struct fc_engine_config ec = { 0 };
	struct fc_output *output;
	struct fc_live_stats live = { 0 };
	struct run run = { 0 };
	char errbuf[PCAP_ERRBUF_SIZE], *expr = NULL;
	/* Immediate mode gives every packet a slot of snaplen bytes in the
	 * kernel ring: with a 262144 snaplen and libpcap's 2 MiB ring that is
	 * 8 slots, and a burst on lo overflows it. 65600 bytes hold the
	 * largest IP packet with its link header; 16 MiB make 256 slots. */
	int color = -1, snaplen = 65600, c, status = 0;
	int buffer_kib = 16384;
	bool json = false;
	uint64_t recv_view = 0;
	bool detect = false;
	bool read_regular = false; /* -r names a regular file, not a pipe */
	int64_t last_tick = 0; /* wall clock of the last fc_engine_tick */

	oo.out = stdout;
	oo.payload_hex = 64;
	ec.payload_keep = 64;
	ec.ack_window_packets = FC_DEFAULT_ACK_WINDOW_PACKETS;
	ec.ack_window_us = FC_DEFAULT_ACK_WINDOW_US;
	while ((c = getopt_long(argc, argv, "hnvDXr:i:w:c:s:B:Z:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': case OPT_HELP: usage(stdout); return 0;
		case 'n': break; /* addresses are never resolved */
		case 'v': oo.verbose++; break;
		case 'D': return list_interfaces();
		case 'X': oo.hexdump = true; break;
		case 'r': read_file = optarg; break;
		case 'i': iface = optarg; break;
		case 'w': write_file = optarg; break;
		case 'Z': drop_user = optarg; break;
		case 'B': buffer_kib = (int)number_arg("-B", optarg, 1u << 21);
			if (buffer_kib == 0)
				die(EXIT_USAGE, "-B: buffer size must be positive");
			break;
		case 'c': run.max_count = number_arg("-c", optarg, UINT64_MAX);
			if (!run.max_count)
				die(EXIT_USAGE, "-c: count must be positive");
			break;
		case 's': snaplen = (int)number_arg("-s", optarg, 262144);
			if (snaplen == 0)
				snaplen = 262144;
			break;
		case OPT_JSON: json = true; break;
		case OPT_DETECT: detect = true; break;
		case OPT_EXPLAIN: {
			int k = fc_anomaly_lookup(optarg);
			if (k < 0) {
				fprintf(stderr, "framecap: --explain %s: no such anomaly; kinds:", optarg);
				for (k = 0; k < FC_AN__COUNT; k++)
					fprintf(stderr, " %s", fc_anomaly_name((enum fc_anomaly_kind)k));
				fputc('\n', stderr);
				return EXIT_USAGE;
			}
			char para[1200];
			fc_text_wrap(fc_anomaly_explain((enum fc_anomaly_kind)k), "  ", 76,
					para, sizeof(para));
			printf("%s\n%s\n", optarg, para);
			return 0;
		}
		case OPT_RECV_VIEW:
			recv_view = number_arg("--recv-view", optarg, 1u << 30);
			if (!recv_view)
				die(EXIT_USAGE, "--recv-view: the recv() size must be positive");
			break;
		case OPT_COLOR:
			if (!optarg || !strcmp(optarg, "always"))
				color = 1;
			else if (!strcmp(optarg, "never"))
				color = 0;
			else if (!strcmp(optarg, "auto"))
				color = -1;
			else
				die(EXIT_USAGE, "--color: expected auto, always or never");
			break;
		case OPT_PAYLOAD_BYTES:
			if (!strcmp(optarg, "all"))
				ec.payload_keep = UINT64_MAX;
			else
				ec.payload_keep = number_arg("--payload-bytes", optarg, UINT64_MAX);
			oo.payload_hex = ec.payload_keep;
			break;
		case OPT_MAX_FLOWS:
			ec.max_flows = (uint32_t)number_arg("--max-flows", optarg, 1u << 24);
			break;
		case OPT_MAX_OOO:
			ec.max_ooo_per_dir = number_arg("--max-ooo", optarg, 1ULL << 32);
			break;
		case OPT_MAX_OOO_PIECES:
			ec.max_ooo_pieces = (uint32_t)number_arg("--max-ooo-pieces", optarg,
								 1u << 24);
			break;
		case OPT_ACK_WINDOW_PACKETS:
			ec.ack_window_packets = number_arg("--ack-window-packets", optarg,
							   1u << 30);
			break;
		case OPT_ACK_WINDOW_MS: /* a day: any longer is "until the end" */
			ec.ack_window_us = 1000 * number_arg("--ack-window-ms", optarg,
							     86400000);
			break;
		default:
			switch (fc_profile_opts_take(&po, c, optarg, &err)) {
			case 1: break;
			case -1: die(EXIT_USAGE, "--%s %s: %s", option_name(longopts, c),
				     optarg, err);
			default: usage(stderr); return EXIT_USAGE;
			}
		}
	}
	if (read_file && iface)
		die(EXIT_USAGE, "-r and -i cannot be used together");
	if (!read_file && !iface) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		expr = join_args(argc - optind, argv + optind);

	/* Profiles: the configuration's port map, and the profile the options
	 * select for every other stream (or, with --profile, every stream);
	 * command-line fields change all of them. */
	if (fc_profile_opts_search(&po, &cfg, &cerr, &search) != 0) {
		char msg[600];
		fc_config_error_format(&cerr, msg, sizeof(msg));
		die(EXIT_USAGE, "%s", msg);
	}
	for (int i = 0; i < search.nskipped; i++)
		fprintf(stderr, "framecap: ignoring %s: %s\n", search.skipped[i].path,
			search.skipped[i].reason);
	if ((err = fc_profile_opts_select(&po, &cfg, &fallback))) {
		if (po.profile_name && fc_config_find(&cfg, po.profile_name) < 0 &&
		    strcmp(po.profile_name, "default"))
			die(EXIT_USAGE, "--profile %s: %s", po.profile_name, err);
		if (po.profile_name)
			die(EXIT_USAGE, "profile '%s' with the framing options: %s",
			    fallback.name, err);
		die(EXIT_USAGE, "framing options: %s", err);
	}
	if (po.profile_name)
		ec.forced = &fallback;
	for (int i = 0; i < cfg.nprofiles; i++) /* the port-mapped ones too */
		if ((err = fc_profile_opts_apply(&po, &cfg.profiles[i])))
			die(EXIT_USAGE, "profile '%s' with the framing options: %s",
			    cfg.profiles[i].name, err);
	ec.config = &cfg;
	ec.fallback = &fallback;
	if (!ec.max_ooo_per_dir)
		ec.max_ooo_per_dir = FC_DEFAULT_MAX_OOO_PER_DIR;
	ec.max_ooo_total = FC_DEFAULT_MAX_OOO_TOTAL;
	if (ec.max_ooo_total < ec.max_ooo_per_dir)
		ec.max_ooo_total = ec.max_ooo_per_dir;

	/* Input. */
	if (read_file) {
		/* Opened here for a larger stdio buffer than libpcap's default:
		 * a few hundred reads per file instead of one per 4 KiB. */
		FILE *in = strcmp(read_file, "-") == 0 ? stdin : fopen(read_file, "rb");
		struct stat st;

		if (!in)
			die(EXIT_INPUT, "%s: %s", read_file, strerror(errno));
		read_regular = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode);
		/* glibc ignores the size unless it is given the buffer. */
		static char read_buffer[READ_BUFFER_SIZE];
		setvbuf(in, read_buffer, _IOFBF, sizeof(read_buffer));
		run.pcap = pcap_fopen_offline_with_tstamp_precision(
			in, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
		if (!run.pcap) { /* libpcap often names the file itself */
			size_t n = strlen(read_file);
			const char *msg = strncmp(errbuf, read_file, n) == 0 &&
				errbuf[n] == ':' ? errbuf + n + 2 : errbuf;
			die(EXIT_INPUT, "%s: %s", read_file, msg);
		}
	} else {
		run.pcap = pcap_create(iface, errbuf);
		if (!run.pcap)
			die(EXIT_INPUT, "%s: %s", iface, errbuf);
		pcap_set_snaplen(run.pcap, snaplen);
		pcap_set_immediate_mode(run.pcap, 1);
		pcap_set_buffer_size(run.pcap, buffer_kib * 1024);
		pcap_set_timeout(run.pcap, 100);
		int rc = pcap_activate(run.pcap);
		if (rc < 0)
			die(EXIT_INPUT, "%s: %s", iface,
			    rc == PCAP_ERROR ? pcap_geterr(run.pcap) : pcap_statustostr(rc));
		if (rc > 0)
			fprintf(stderr, "framecap: %s: warning: %s\n", iface, pcap_statustostr(rc));
		live.live = true;
	}
	run.dlt = pcap_datalink(run.pcap);
	if (!fc_link_supported(run.dlt)) {
		const char *name = pcap_datalink_val_to_name(run.dlt);
		fprintf(stderr, "framecap: %s: link type %s (%d) is not supported; "
				"no packet will be decoded\n",
			read_file ? read_file : iface, name ? name : "?", run.dlt);
	}
	if (expr) {
		if (pcap_compile(run.pcap, &run.filter, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
			die(EXIT_USAGE, "bad filter expression '%s': %s", expr, pcap_geterr(run.pcap));
		run.have_filter = true;
		/* Files: filter here, so packet numbers count every record, as
		 * Wireshark numbers them. Live: in the kernel. */
		if (read_file)
			run.offline_filter = true;
		else if (pcap_setfilter(run.pcap, &run.filter) < 0)
			die(EXIT_USAGE, "cannot set filter: %s", pcap_geterr(run.pcap));
	}
	/* As tcpdump: the -w file is created after the drop, owned by USER. */
	if (drop_user)
		drop_privileges(drop_user);
	if (write_file) {
		run.dumper = pcap_dump_open(run.pcap, write_file);
		if (!run.dumper)
			die(EXIT_INPUT, "%s: %s", write_file, pcap_geterr(run.pcap));
	}

	if (color < 0)
		color = !json && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	oo.color = color;
	if (recv_view && json)
		die(EXIT_USAGE, "--recv-view is a text view: it cannot be combined with --json");
	if (detect && (json || recv_view))
		die(EXIT_USAGE, "--detect prints a YAML profile: it cannot be combined with "
				"--json or --recv-view");
	ec.bytes_only = detect; /* inference reads the bytes, not frames */
	output = detect ? fc_output_detect(&oo)
		 : recv_view ? fc_output_recv(&oo, recv_view)
		 : json ? fc_output_json(&oo) : fc_output_text(&oo);
	if (!output)
		die(EXIT_INPUT, "out of memory");
	flow_hash_key(ec.hash_key);
	run.engine = fc_engine_new(&ec, &output->sink);
	if (!run.engine)
		die(EXIT_INPUT, "out of memory");
	if (live.live)
		setvbuf(stdout, NULL, _IOLBF, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A file is read on a second core while this one decodes (without a
	 * thread, here). Not a pipe: its records would wait for a whole batch,
	 * and a reader blocked on it could not be stopped. */
	if (read_file && read_regular)
		run.ahead = readahead_start(run.pcap);
	active_handle = run.pcap;
	active_readahead = run.ahead;

	while (!stop_requested) {
		int n = run.ahead ? readahead_dispatch(run.ahead, on_packet, (u_char *)&run)
				  : pcap_dispatch(run.pcap, -1, on_packet, (u_char *)&run);
		if (n == PCAP_ERROR) {
			if (output->flush)
				output->flush(output);
			fflush(stdout);
			fprintf(stderr, "framecap: %s: %s\n", read_file ? read_file : iface,
				run.ahead ? readahead_error(run.ahead) : pcap_geterr(run.pcap));
			status = EXIT_INPUT;
			break;
		}
		if (n == PCAP_ERROR_BREAK)
			break;
		if (n == 0 && read_file)
			break; /* end of file */
		if (run.dumper && live.live)
			pcap_dump_flush(run.dumper);
		/* With no packet coming, acknowledged holes still expire; a
		 * tick walks every open flow, so at most ten a second. */
		if (live.live) {
			int64_t now = wall_clock_us();
			if (now - last_tick >= 100000 || now < last_tick) {
				fc_engine_tick(run.engine, now);
				last_tick = now;
			}
		}
		/* Writers buffer large pieces: show this batch's lines now. */
		if (live.live && output->flush)
			output->flush(output);
	}
	active_readahead = NULL;
	active_handle = NULL;
	readahead_stop(run.ahead);

	fc_engine_finish(run.engine, &run.last);
	if (live.live) {
		struct pcap_stat ps;
		if (pcap_stats(run.pcap, &ps) == 0) {
			live.received = ps.ps_recv;
			live.dropped = ps.ps_drop;
			live.ifdropped = ps.ps_ifdrop;
		}
	}
	output->summary(output, fc_engine_stats(run.engine), &live);
	output->destroy(output);
	fc_engine_free(run.engine);
	if (run.dumper)
		pcap_dump_close(run.dumper);
	if (run.have_filter)
		pcap_freecode(&run.filter);
	pcap_close(run.pcap);
	free(expr);
	if (fflush(stdout) != 0 && status == 0)
		status = EXIT_INPUT;
	return status;
}
