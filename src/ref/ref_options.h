/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_options.h - the long options of the reference programs, in one
 * table: every option is named once, with its argument and the programs
 * that take it, and each program gets its getopt_long table from it.
 *
 *   ref_options[]  {"burst", required, REF_OPT_BURST, CLIENT|REPLAY}
 *        |         {"listen", required, 'l', SERVER} ...
 *        |  ref_longopts(REF_PROG_CLIENT, table)
 *        v
 *   struct option table[]  the rows with the program's bit, then the
 *                          framing options (REF_PROFILE_LONGOPTS), then
 *                          the terminating row
 *
 * An option two programs share (-q, --help, -c, --burst, --timeout, ...)
 * is one row, so it cannot be spelled or numbered two ways; its value's
 * bounds stay with the program, where they may differ (--timeout).
 */
#ifndef REF_OPTIONS_H
#define REF_OPTIONS_H

#include <getopt.h>

#include "ref_common.h"

/* The programs, as bits of a row's `progs`. --replay is framecap-client's
 * second command line, with a table of its own. */
enum ref_prog {
	REF_PROG_SERVER = 1u << 0,
	REF_PROG_CLIENT = 1u << 1,
	REF_PROG_REPLAY = 1u << 2,
};

/* The values getopt_long returns for the long options without a short
 * letter, after the framing options' FC_OPT_* values. */
enum ref_opt {
	/* framecap-client and --replay */
	REF_OPT_BURST = REF_OPT__NEXT, REF_OPT_DRIP, REF_OPT_CHUNK, REF_OPT_DELAY,
	REF_OPT_TIMEOUT,
	/* framecap-client */
	REF_OPT_FILE, REF_OPT_PRINT_SENT, REF_OPT_PRINT_RECEIVED, REF_OPT_SIZE,
	REF_OPT_COUNT, REF_OPT_RATE, REF_OPT_NODELAY, REF_OPT_SEED, REF_OPT_BUG,
	REF_OPT_SCENARIO, REF_OPT_CLIENTS, REF_OPT_WAIT,
	/* --replay */
	REF_OPT_REPLAY, REF_OPT_STREAM, REF_OPT_CAPTURED, REF_OPT_FRAMES,
	REF_OPT_SPLIT, REF_OPT_RANDOM, REF_OPT_TIMING, REF_OPT_SPEED, REF_OPT_NO_WAIT,
	REF_OPT_EXPECT, REF_OPT_FIRST, REF_OPT_PARALLEL, REF_OPT_REPLY_TIMEOUT,
	REF_OPT_JSON,
	/* framecap-server */
	REF_OPT_MAX_CLIENTS, REF_OPT_IDLE, REF_OPT_RECV_DELAY, REF_OPT_MAX_PER_ADDR,
	REF_OPT_WHEN_FULL, REF_OPT_HEADER_TIMEOUT, REF_OPT_MIN_RATE,
};

/* Rows a program's getopt_long table can need at most: every option of
 * ref_options.c, the framing options and the terminating row (checked
 * there at compile time). */
#define REF_LONGOPTS_MAX 64

/* Fill out (REF_LONGOPTS_MAX rows) with the long options program `prog`
 * (one enum ref_prog bit) takes, in the table's order, then the framing
 * options and the terminating all-zero row. "--help" returns 'h', so it
 * and -h are one case. */
void ref_longopts(enum ref_prog prog, struct option out[REF_LONGOPTS_MAX]);

#endif
