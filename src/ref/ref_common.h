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
 * Headers are written with fc_profile_encode_header() and read with
 * fc_profile_frame_len() (src/core/fc_profile.h): one framing rule for
 * framecap, its tests and these programs.
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
#include "fc_profile.h"

/* Long option values of the profile options, above any short option. */
enum {
	REF_OPT_CONFIG = 1000, REF_OPT_PROFILE, REF_OPT_LENGTH_OFFSET,
	REF_OPT_LENGTH_SIZE, REF_OPT_BYTE_ORDER, REF_OPT_SIGNED,
	REF_OPT_UNSIGNED, REF_OPT_LENGTH_ADJUSTMENT, REF_OPT_HEADER_SIZE,
	REF_OPT_MAX_FRAME, REF_OPT__NEXT
};

/* The profile options, named as framecap names them, for a getopt_long
 * table. */
#define REF_PROFILE_LONGOPTS \
	{ "config", required_argument, NULL, REF_OPT_CONFIG }, \
	{ "profile", required_argument, NULL, REF_OPT_PROFILE }, \
	{ "length-offset", required_argument, NULL, REF_OPT_LENGTH_OFFSET }, \
	{ "length-size", required_argument, NULL, REF_OPT_LENGTH_SIZE }, \
	{ "byte-order", required_argument, NULL, REF_OPT_BYTE_ORDER }, \
	{ "signed", no_argument, NULL, REF_OPT_SIGNED }, \
	{ "unsigned", no_argument, NULL, REF_OPT_UNSIGNED }, \
	{ "length-adjustment", required_argument, NULL, REF_OPT_LENGTH_ADJUSTMENT }, \
	{ "header-size", required_argument, NULL, REF_OPT_HEADER_SIZE }, \
	{ "max-frame", required_argument, NULL, REF_OPT_MAX_FRAME }

/* The usage lines of those options. */
#define REF_PROFILE_USAGE \
	"  --config FILE --profile NAME      YAML profiles, as framecap reads them\n" \
	"  --length-offset N --length-size N --byte-order little|big\n" \
	"  --signed | --unsigned --length-adjustment N --header-size N\n" \
	"  --max-frame N                     framing fields, as in framecap(1)\n"

/* Profile choices gathered from the command line. */
struct ref_profile_opts {
	const char *config_path; /* --config, or NULL */
	const char *profile_name; /* --profile, or NULL */
	bool offset, size, order, sign, adjustment, header, max; /* given */
	struct fc_profile v; /* the values given */
};

/* Take one profile option (a REF_OPT_* value) and its argument into o.
 * Returns true if opt was a profile option; a bad value prints
 * "PROG: --opt VALUE: reason" and exits 2. */
bool ref_profile_option(const char *prog, int opt, const char *arg,
			struct ref_profile_opts *o);

/* The profile for a connection to or from `port`, chosen as framecap
 * chooses it: --config FILE, else ./framecap.yaml, else
 * ~/.config/framecap/framecap.yaml; then --profile NAME, else the profile
 * the file maps to the port, else the file's "default", else the built-in
 * default; then the command-line fields override it. Prints the error and
 * exits 2 on a bad file, an unknown name or an inconsistent result. */
void ref_profile_resolve(const char *prog, const struct ref_profile_opts *o,
			 uint16_t port, struct fc_profile *out);

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

/* A one-line printable preview of n bytes into buf: printable ASCII and
 * valid UTF-8 as they are, other bytes as \xNN, quotes and backslashes
 * escaped, cut with "..." to fit about `max` characters. Always
 * NUL-terminated; buf must hold 4 * max + 8 bytes. */
void ref_preview(const uint8_t *p, size_t n, size_t max, char *buf);

/* Write n bytes as lowercase hex to f. */
void ref_write_hex(FILE *f, const uint8_t *p, size_t n);

/* Write a JSON string (quotes included, escapes as needed) to f. */
void ref_write_json_string(FILE *f, const char *s);

/* Parse a decimal count in [lo, hi]; prints "PROG: WHAT VALUE: reason"
 * and exits 2 when it is not one. */
uint64_t ref_number(const char *prog, const char *what, const char *s,
		    uint64_t lo, uint64_t hi);

#endif
