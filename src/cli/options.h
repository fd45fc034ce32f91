/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.h - framecap's command line, and how it ends a run early. */
#ifndef FC_OPTIONS_H
#define FC_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "fc_engine.h"
#include "fc_profile_opts.h"
#include "output.h"

/* Exit status (framecap(1), EXIT STATUS). An interrupted file read ends
 * with 128 + the signal's number, as a shell reports a command it
 * killed: 130 for SIGINT, 143 for SIGTERM. */
#define EXIT_INPUT 1 /* input, output or system failure */
#define EXIT_USAGE 2 /* usage, filter, profile or configuration */
#define EXIT_SIGNAL_BASE 128

struct cli_options {
	const char *read_file, *iface, *write_file, *drop_user;
	char *expr; /* the BPF expression, or NULL (owned) */
	int snaplen; /* -s, for a live capture */
	int buffer_kib; /* -B */
	uint64_t max_count; /* -c; 0: no limit */
	int color; /* 1, 0, or -1: when stdout is a terminal */
	bool json, detect;
	uint64_t recv_view; /* --recv-view N; 0: not asked for */
	const char *html_file; /* --html FILE ("-": stdout), or NULL */
	struct fc_html_opts html; /* its limits */
	const char *emit_test; /* --emit-test python|go|java, or NULL */
	struct fc_profile_opts profile; /* framing options, --config, --profile */
	struct fc_output_opts out; /* out.out is stdout */
	struct fc_engine_config engine; /* limits; profiles come later */
};

/* Fill *o from argv. Prints and exits for what ends the run at once
 * (--help, -D, --explain, a usage error: status 2); otherwise the
 * options are consistent (-r or -i, output modes that go together). */
void cli_parse(struct cli_options *o, int argc, char **argv);

/* "framecap: " and the message, in the chosen language (fmt is the
 * English msgid), on stderr (stdout flushed first), then exit(status). */
void cli_die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* The same without exiting or flushing stdout: a warning, or an error
 * whose exit status is decided later. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
