/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_common.h - what framecap-server and framecap-client share: the
 * framing profile chosen the way framecap chooses it, addresses, clocks,
 * printable previews and JSON Lines records.
 *
 * Both programs speak the profile's framing; with the default profile,
 * the socket tutorials' struct.pack('i', len):
 *
 *   +--------+--------+--------+--------+-------------------------+
 *   |   length of the payload, 4 bytes  |  payload (length bytes) |
 *   |   little-endian, signed           |                         |
 *   +--------+--------+--------+--------+-------------------------+
 *
 * and every other framing of fc_profile.h (varint, ber, delimiter, fixed,
 * chosen with --framing or the YAML). Frames are written with
 * fc_profile_frame_payload() (src/core/fc_profile.h) and read with the
 * core's fc_reader (src/core/fc_reader.h, on fc_profile_frame_len()): one
 * framing rule for framecap, its tests and these programs.
 */
#ifndef REF_COMMON_H
#define REF_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "fc_config.h"
#include "fc_profile_opts.h"
#include "fc_profile.h"
#include "i18n.h"

/* The framing options are the core's (fc_profile_opts.h), named and
 * read exactly as framecap reads them. */
#define REF_OPT__NEXT FC_OPT__NEXT
#define REF_PROFILE_LONGOPTS FC_PROFILE_LONGOPTS

/* The usage lines of those options. */
#define REF_PROFILE_USAGE N_( \
	"  --config FILE --profile NAME      YAML profiles, as framecap reads them\n" \
	"  --length-offset N --length-size N --byte-order little|big\n" \
	"  --signed | --unsigned --length-adjustment N --header-size N\n" \
	"  --max-frame N --framing length|varint|ber|delimiter|fixed\n" \
	"  --delimiter STR (escapes \\r \\n \\t \\0 \\\\ \\\" \\xHH) --frame-size N\n" \
	"  --varint-max-bytes N --length-mask N\n" \
	"                                    framing fields, as in framecap(1)\n")

#define ref_profile_opts fc_profile_opts

/* Take one profile option (an FC_OPT_* value) and its argument into o.
 * Returns true if opt was a profile option; a bad value prints
 * "PROG: --opt VALUE: reason" and exits 2. */
bool ref_profile_option(const char *prog, int opt, const char *arg,
			struct ref_profile_opts *o);

/* The profile for a connection to or from `port`, chosen as framecap
 * chooses it, by the rule framecap and the plugin follow
 * (fc_profile_opts_choose, fc_profile_pick): --profile NAME, else the
 * profile the configuration maps to the port, else the selected fallback;
 * changed by the command-line fields. Says which configuration files it
 * did not trust; prints the error and exits 2 on a bad file, an unknown
 * name or an inconsistent result. */
void ref_profile_resolve(const char *prog, const struct ref_profile_opts *o,
			 uint16_t port, struct fc_profile *out);

/* What a framing error means, for a log line: "length above max_frame",
 * "no delimiter within max_frame", ... */
const char *ref_frame_error(enum fc_frame_status st);

/* "default (4-byte little-endian signed length)" into buf. */
void ref_profile_describe(const struct fc_profile *p, char *buf, size_t len);

/* A parsed ADDR:PORT. */
struct ref_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port;
};

/* Parse "ADDR:PORT", "[IPV6]:PORT", "HOST:PORT", ":PORT" or "PORT" (the
 * missing address is 127.0.0.1). Numeric addresses are taken as given; a
 * name is resolved, first answer. Returns NULL or a static message. */
const char *ref_parse_addr(const char *s, struct ref_addr *out);

/* "127.0.0.1:8001" or "[::1]:8001" into buf (at least 64 bytes). */
void ref_format_addr(const struct sockaddr *sa, char *buf, size_t len);

/* Milliseconds on the monotonic clock. */
int64_t ref_now_ms(void);

/* Sleep ms milliseconds (restarting after signals). */
void ref_sleep_ms(int64_t ms);

/* A one-line preview of n bytes into buf, safe for a terminal (fc_text.h's
 * rule): characters that show, in strict UTF-8, as they are; controls and
 * format characters escaped (\n, \u202e), bytes that are not UTF-8 as
 * \xNN, quotes and backslashes escaped; cut with "..." to fit about `max`
 * characters. Always NUL-terminated; buf must hold 4 * max + 8 bytes. */
void ref_preview(const uint8_t *p, size_t n, size_t max, char *buf);

/* Write n bytes as lowercase hex to f. */
void ref_write_hex(FILE *f, const uint8_t *p, size_t n);

/* Write a JSON string (quotes included, fc_json_escape's escapes) to f. */
void ref_write_json_string(FILE *f, const char *s);

/* Parse a decimal count in [lo, hi]; prints "PROG: WHAT VALUE: reason"
 * and exits 2 when it is not one. */
uint64_t ref_number(const char *prog, const char *what, const char *s,
		    uint64_t lo, uint64_t hi);

/* Print "prog: message" on stderr (after flushing stdout) and exit with
 * status: the reference programs' one way to give up. */
void ref_die(const char *prog, int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/* The same without exiting or flushing stdout: a warning, or an error
 * whose exit status is decided later. fmt is English; both print it in
 * the language the environment chose (fc_i18n_init). */
void ref_warn(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
