/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_options.c - the reference programs' long options, one row each
 * (see ref_options.h):
 *
 *   name          argument           getopt value     programs
 *   "quiet"       no_argument        'q'              server, client, replay
 *   "timeout"     required_argument  REF_OPT_TIMEOUT  client, replay
 *   "listen"      required_argument  'l'              server
 */
#include "ref_options.h"

#include <assert.h>
#include <stddef.h>

#define ALL (REF_PROG_SERVER | REF_PROG_CLIENT | REF_PROG_REPLAY)
#define SENDERS (REF_PROG_CLIENT | REF_PROG_REPLAY)

struct ref_option {
	const char *name;
	int has_arg; /* no_argument, required_argument, optional_argument */
	int val;
	unsigned progs; /* enum ref_prog bits */
};

/* getopt_long finds a row by its name: the order shows only in its list
 * of candidates for an ambiguous abbreviation. The options with a short
 * letter come first, then each program's own. */
static const struct ref_option options[] = {
	{ "quiet", no_argument, 'q', ALL },
	{ "help", no_argument, 'h', ALL },
	{ "listen", required_argument, 'l', REF_PROG_SERVER },
	{ "mode", required_argument, 'm', REF_PROG_SERVER },
	{ "dir", required_argument, 'd', REF_PROG_SERVER },
	{ "connect", required_argument, 'c', SENDERS },
	/* framecap-server */
	{ "max-clients", required_argument, REF_OPT_MAX_CLIENTS, REF_PROG_SERVER },
	{ "max-per-addr", required_argument, REF_OPT_MAX_PER_ADDR, REF_PROG_SERVER },
	{ "when-full", required_argument, REF_OPT_WHEN_FULL, REF_PROG_SERVER },
	{ "idle-timeout", required_argument, REF_OPT_IDLE, REF_PROG_SERVER },
	{ "header-timeout", required_argument, REF_OPT_HEADER_TIMEOUT, REF_PROG_SERVER },
	{ "min-rate", required_argument, REF_OPT_MIN_RATE, REF_PROG_SERVER },
	{ "recv-delay", required_argument, REF_OPT_RECV_DELAY, REF_PROG_SERVER },
	/* framecap-client and --replay */
	{ "burst", required_argument, REF_OPT_BURST, SENDERS },
	{ "drip", no_argument, REF_OPT_DRIP, SENDERS },
	{ "chunk", required_argument, REF_OPT_CHUNK, SENDERS },
	{ "delay", required_argument, REF_OPT_DELAY, SENDERS },
	{ "timeout", required_argument, REF_OPT_TIMEOUT, SENDERS },
	/* framecap-client */
	{ "file", required_argument, REF_OPT_FILE, REF_PROG_CLIENT },
	{ "print-sent", required_argument, REF_OPT_PRINT_SENT, REF_PROG_CLIENT },
	{ "print-received", required_argument, REF_OPT_PRINT_RECEIVED, REF_PROG_CLIENT },
	{ "size", required_argument, REF_OPT_SIZE, REF_PROG_CLIENT },
	{ "count", required_argument, REF_OPT_COUNT, REF_PROG_CLIENT },
	{ "rate", required_argument, REF_OPT_RATE, REF_PROG_CLIENT },
	{ "nodelay", no_argument, REF_OPT_NODELAY, REF_PROG_CLIENT },
	{ "seed", required_argument, REF_OPT_SEED, REF_PROG_CLIENT },
	{ "bug", required_argument, REF_OPT_BUG, REF_PROG_CLIENT },
	{ "scenario", required_argument, REF_OPT_SCENARIO, REF_PROG_CLIENT },
	{ "clients", required_argument, REF_OPT_CLIENTS, REF_PROG_CLIENT },
	{ "wait", required_argument, REF_OPT_WAIT, REF_PROG_CLIENT },
	/* --replay */
	{ "replay", required_argument, REF_OPT_REPLAY, REF_PROG_REPLAY },
	{ "stream", required_argument, REF_OPT_STREAM, REF_PROG_REPLAY },
	{ "as-captured", no_argument, REF_OPT_CAPTURED, REF_PROG_REPLAY },
	{ "frames", no_argument, REF_OPT_FRAMES, REF_PROG_REPLAY },
	{ "split-header", no_argument, REF_OPT_SPLIT, REF_PROG_REPLAY },
	{ "random", required_argument, REF_OPT_RANDOM, REF_PROG_REPLAY },
	{ "timing", required_argument, REF_OPT_TIMING, REF_PROG_REPLAY },
	{ "speed", required_argument, REF_OPT_SPEED, REF_PROG_REPLAY },
	{ "no-wait", no_argument, REF_OPT_NO_WAIT, REF_PROG_REPLAY },
	{ "expect", optional_argument, REF_OPT_EXPECT, REF_PROG_REPLAY },
	{ "from-first-frame", no_argument, REF_OPT_FIRST, REF_PROG_REPLAY },
	{ "parallel", required_argument, REF_OPT_PARALLEL, REF_PROG_REPLAY },
	{ "reply-timeout", required_argument, REF_OPT_REPLY_TIMEOUT, REF_PROG_REPLAY },
	{ "json", no_argument, REF_OPT_JSON, REF_PROG_REPLAY },
};

static const struct option profile_options[] = { REF_PROFILE_LONGOPTS };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(COUNT(options) + COUNT(profile_options) + 1 <= REF_LONGOPTS_MAX,
	       "REF_LONGOPTS_MAX is too small for the options");

void ref_longopts(enum ref_prog prog, struct option out[REF_LONGOPTS_MAX])
{
	size_t n = 0;

	for (size_t i = 0; i < COUNT(options); i++)
		if (options[i].progs & (unsigned)prog)
			out[n++] = (struct option){ options[i].name, options[i].has_arg, NULL,
						    options[i].val };
	for (size_t i = 0; i < COUNT(profile_options); i++)
		out[n++] = profile_options[i];
	assert(n < REF_LONGOPTS_MAX);
	out[n] = (struct option){ NULL, 0, NULL, 0 };
}
