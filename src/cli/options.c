/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c - framecap's command line: getopt, values checked, and the
 * options that answer at once (--help, -D, --explain), in the language
 * --lang or the environment chose (i18n.c). */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_describe.h"
#include "i18n.h"
#include "options.h"

/* The synopsis (options are not translated), then what framecap is for,
 * in the chosen language. */
static void usage(FILE *out)
{
	/* TRANSLATORS: followed by the program's synopsis; the lines below it
	 * are indented by 16 columns, so keep this 7 columns wide. */
	fputs(_("usage: "), out);
	fputs("framecap [-hnvDX] [-r FILE | -i IFACE] [-w FILE] [-c COUNT] [-s SNAPLEN]\n"
	      "                [-B BUFFER_KIB] [-Z USER] [--lang zh|en]\n"
	      "                [--json] [--color=auto|always|never] [--payload-bytes N|all]\n"
	      "                [--config FILE] [--profile NAME]\n"
	      "                [--length-offset N] [--length-size N] [--byte-order little|big]\n"
	      "                [--signed | --unsigned] [--length-adjustment N]\n"
	      "                [--header-size N] [--max-frame N]\n"
	      "                [--framing length|varint|ber|delimiter|fixed] [--delimiter STR]\n"
	      "                [--frame-size N] [--varint-max-bytes N] [--length-mask N]\n"
	      "                [--max-flows N] [--max-ooo BYTES] [--max-ooo-pieces N]\n"
	      "                [--max-kept BYTES]\n"
	      "                [--ack-window-packets N] [--ack-window-ms MS]\n"
	      "                [--recv-view N] [--detect] [--emit-test python|go|java]\n"
	      "                [--html FILE] [--html-max-streams N] [--html-max-frames N]\n"
	      "                [expression]\n"
	      "       framecap --explain KIND\n", out);
	fputs(_("Shows how length-prefixed messages sit in TCP segments: sticky\n"
		"segments (several frames in one), split frames, framing errors.\n"
		"See framecap(1).\n"), out);
}

/* "framecap: " and fmt in the chosen language: every message a user
 * sees goes through here, so xgettext finds them all by these two
 * functions' names (src/po/module.mk). */
static void say(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void say(const char *fmt, va_list ap)
{
	fputs("framecap: ", stderr);
	vfprintf(stderr, _(fmt), ap);
	fputc('\n', stderr);
}

void cli_die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(status);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

enum {
	OPT_JSON = FC_OPT__NEXT, OPT_COLOR, OPT_PAYLOAD_BYTES, OPT_MAX_FLOWS,
	OPT_MAX_OOO, OPT_HELP, OPT_RECV_VIEW, OPT_EXPLAIN, OPT_DETECT,
	OPT_MAX_OOO_PIECES, OPT_ACK_WINDOW_PACKETS, OPT_ACK_WINDOW_MS,
	OPT_MAX_KEPT, OPT_HTML, OPT_HTML_MAX_STREAMS, OPT_HTML_MAX_FRAMES, OPT_EMIT_TEST,
	OPT_LANG,
};

static const struct option longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "payload-bytes", required_argument, NULL, OPT_PAYLOAD_BYTES },
	FC_PROFILE_LONGOPTS,
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "max-ooo", required_argument, NULL, OPT_MAX_OOO },
	{ "max-ooo-pieces", required_argument, NULL, OPT_MAX_OOO_PIECES },
	{ "max-kept", required_argument, NULL, OPT_MAX_KEPT },
	{ "ack-window-packets", required_argument, NULL, OPT_ACK_WINDOW_PACKETS },
	{ "ack-window-ms", required_argument, NULL, OPT_ACK_WINDOW_MS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "recv-view", required_argument, NULL, OPT_RECV_VIEW },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "detect", no_argument, NULL, OPT_DETECT },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "html-max-streams", required_argument, NULL, OPT_HTML_MAX_STREAMS },
	{ "html-max-frames", required_argument, NULL, OPT_HTML_MAX_FRAMES },
	{ "emit-test", required_argument, NULL, OPT_EMIT_TEST },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ NULL, 0, NULL, 0 },
};

static uint64_t number_arg(const char *opt, const char *s, uint64_t max)
{
	uint64_t v;
	const char *err = fc_parse_u64(s, max, &v);

	if (err)
		cli_die(EXIT_USAGE, "%s %s: %s", opt, s, _(err));
	return v;
}

static const char *option_name(int val)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == val)
			return o->name;
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
		cli_die(EXIT_INPUT, "out of memory");
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* -D: the interfaces libpcap can open, numbered as tcpdump does. */
static void list_interfaces(void)
{
	pcap_if_t *all, *d;
	char errbuf[PCAP_ERRBUF_SIZE];
	int i = 1;

	if (pcap_findalldevs(&all, errbuf) < 0)
		cli_die(EXIT_INPUT, "cannot list interfaces: %s", errbuf);
	for (d = all; d; d = d->next, i++)
		printf("%d.%s%s%s%s\n", i, d->name, d->description ? " (" : "",
		       d->description ? d->description : "", d->description ? ")" : "");
	pcap_freealldevs(all);
	exit(fflush(stdout) == 0 ? 0 : EXIT_INPUT);
}

/* --explain KIND: what an anomaly means, then exit. */
static void explain(const char *kind)
{
	int k = fc_anomaly_lookup(kind);
	char para[2400];

	if (k < 0) {
		char kinds[1024];
		size_t at = 0;

		kinds[0] = '\0';
		for (k = 0; k < FC_AN__COUNT && at < sizeof(kinds); k++)
			at += (size_t)snprintf(kinds + at, sizeof(kinds) - at, " %s",
					       fc_anomaly_name((enum fc_anomaly_kind)k));
		cli_die(EXIT_USAGE, "--explain %s: no such anomaly; kinds:%s", kind, kinds);
	}
	fc_text_wrap(_(fc_anomaly_explain((enum fc_anomaly_kind)k)), "  ", 76, para,
		     sizeof(para));
	printf("%s\n%s\n", kind, para);
	exit(fflush(stdout) == 0 ? 0 : EXIT_INPUT);
}

static void defaults(struct cli_options *o)
{
	memset(o, 0, sizeof(*o));
	/* 65600 bytes hold the largest IP packet with its link header. The
	 * kernel's buffer is 8 times libpcap's 2 MiB: a burst on lo, of
	 * packets up to 64 KiB, fills 2 MiB in 32 packets. */
	o->snaplen = 65600;
	o->buffer_kib = 16384;
	o->color = -1;
	o->out.out = stdout;
	o->out.payload_hex = 64;
	o->engine.payload_keep = 64;
	o->engine.max_kept_total = FC_DEFAULT_MAX_KEPT_TOTAL;
	o->engine.ack_window_packets = FC_DEFAULT_ACK_WINDOW_PACKETS;
	o->engine.ack_window_us = FC_DEFAULT_ACK_WINDOW_US;
	o->html.max_streams = FC_HTML_MAX_STREAMS;
	o->html.max_frames = FC_HTML_MAX_FRAMES;
}

/* One option of getopt_long's; false for one it does not know. */
static bool take(struct cli_options *o, int c, const char *arg)
{
	struct fc_engine_config *ec = &o->engine;
	const char *err;

	switch (c) {
	case 'h': case OPT_HELP: usage(stdout); exit(0);
	case 'n': break; /* addresses are never resolved */
	case 'v': o->out.verbose++; break;
	case 'D': list_interfaces(); break;
	case 'X': o->out.hexdump = true; break;
	case 'r': o->read_file = arg; break;
	case 'i': o->iface = arg; break;
	case 'w': o->write_file = arg; break;
	case 'Z': o->drop_user = arg; break;
	case 'B': o->buffer_kib = (int)number_arg("-B", arg, 1u << 21);
		if (o->buffer_kib == 0)
			cli_die(EXIT_USAGE, "-B: buffer size must be positive");
		break;
	case 'c': o->max_count = number_arg("-c", arg, UINT64_MAX);
		if (!o->max_count)
			cli_die(EXIT_USAGE, "-c: count must be positive");
		break;
	case 's': o->snaplen = (int)number_arg("-s", arg, 262144);
		if (o->snaplen == 0)
			o->snaplen = 262144;
		break;
	case OPT_JSON: o->json = true; break;
	case OPT_DETECT: o->detect = true; break;
	case OPT_HTML:
		if (!*arg)
			cli_die(EXIT_USAGE, "--html: expected a file name (or - for standard output)");
		o->html_file = arg;
		break;
	case OPT_HTML_MAX_STREAMS:
		o->html.max_streams = number_arg("--html-max-streams", arg, 1u << 30);
		break;
	case OPT_HTML_MAX_FRAMES:
		o->html.max_frames = number_arg("--html-max-frames", arg, 1u << 30);
		break;
	case OPT_EMIT_TEST:
		if (strcmp(arg, "python") && strcmp(arg, "go") && strcmp(arg, "java"))
			cli_die(EXIT_USAGE, "--emit-test %s: expected python, go or java", arg);
		o->emit_test = arg;
		break;
	case OPT_EXPLAIN: explain(arg); break;
	case OPT_LANG: break; /* read before getopt, by fc_i18n_init */
	case OPT_RECV_VIEW:
		o->recv_view = number_arg("--recv-view", arg, 1u << 30);
		if (!o->recv_view)
			cli_die(EXIT_USAGE, "--recv-view: the recv() size must be positive");
		break;
	case OPT_COLOR:
		if (!arg || !strcmp(arg, "always"))
			o->color = 1;
		else if (!strcmp(arg, "never"))
			o->color = 0;
		else if (!strcmp(arg, "auto"))
			o->color = -1;
		else
			cli_die(EXIT_USAGE, "--color: expected auto, always or never");
		break;
	case OPT_PAYLOAD_BYTES:
		if (!strcmp(arg, "all"))
			ec->payload_keep = UINT64_MAX;
		else
			ec->payload_keep = number_arg("--payload-bytes", arg, UINT64_MAX);
		o->out.payload_hex = ec->payload_keep;
		break;
	case OPT_MAX_FLOWS:
		ec->max_flows = (uint32_t)number_arg("--max-flows", arg, 1u << 24);
		break;
	case OPT_MAX_OOO:
		ec->max_ooo_per_dir = number_arg("--max-ooo", arg, 1ULL << 32);
		break;
	case OPT_MAX_OOO_PIECES:
		ec->max_ooo_pieces = (uint32_t)number_arg("--max-ooo-pieces", arg, 1u << 24);
		break;
	case OPT_MAX_KEPT:
		ec->max_kept_total = number_arg("--max-kept", arg, FC_MAX_KEPT_TOTAL_LIMIT);
		if (!ec->max_kept_total)
			cli_die(EXIT_USAGE, "--max-kept: the budget must be positive");
		break;
	case OPT_ACK_WINDOW_PACKETS:
		ec->ack_window_packets = number_arg("--ack-window-packets", arg, 1u << 30);
		break;
	case OPT_ACK_WINDOW_MS: /* a day: any longer is "until the end" */
		ec->ack_window_us = 1000 * number_arg("--ack-window-ms", arg, 86400000);
		break;
	default:
		switch (fc_profile_opts_take(&o->profile, c, arg, &err)) {
		case 1: break;
		case -1: cli_die(EXIT_USAGE, "--%s %s: %s", option_name(c), arg, _(err));
		default: return false;
		}
	}
	return true;
}

void cli_parse(struct cli_options *o, int argc, char **argv)
{
	int c;

	defaults(o);
	fc_i18n_init(argc, argv);
	while ((c = getopt_long(argc, argv, "hnvDXr:i:w:c:s:B:Z:", longopts, NULL)) != -1)
		if (!take(o, c, optarg)) {
			usage(stderr);
			exit(EXIT_USAGE);
		}
	if (o->read_file && o->iface)
		cli_die(EXIT_USAGE, "-r and -i cannot be used together");
	if (!o->read_file && !o->iface) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (o->recv_view && o->json)
		cli_die(EXIT_USAGE, "--recv-view is a text view: it cannot be combined with --json");
	if (o->detect && (o->json || o->recv_view))
		cli_die(EXIT_USAGE, "--detect prints a YAML profile: it cannot be combined with "
				    "--json or --recv-view");
	if (o->html_file && o->detect)
		cli_die(EXIT_USAGE, "--html draws frames: it cannot be combined with --detect");
	if (o->html_file && !strcmp(o->html_file, "-") && (o->json || o->recv_view))
		cli_die(EXIT_USAGE, "--html - writes the page to standard output: it cannot be "
				    "combined with --json or --recv-view (give --html a file)");
	if (o->html_file && !strcmp(o->html_file, "-") && o->write_file &&
	    !strcmp(o->write_file, "-"))
		cli_die(EXIT_USAGE, "--html - and -w - cannot both write to standard output");
	o->html.recv = o->recv_view ? o->recv_view : 1024;
	o->html.payload_hex = o->out.payload_hex;
	if (o->emit_test && (o->json || o->recv_view || o->detect || o->iface || o->html_file))
		cli_die(EXIT_USAGE, "--emit-test writes a test from a capture file (-r): it cannot "
				    "be combined with -i, --json, --recv-view, --detect or --html");
	if (optind < argc)
		o->expr = join_args(argc - optind, argv + optind);
}
