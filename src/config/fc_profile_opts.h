/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile_opts.h - the framing options on a command line, shared by
 * framecap, framecap-server and framecap-client, and how they choose a
 * profile.
 *
 *   --config FILE | ./framecap.yaml | ~/.config/framecap/framecap.yaml
 *   --profile NAME, else the file's "default", else the built-in default
 *   --length-offset --length-size --byte-order --signed/--unsigned
 *   --length-adjustment --header-size --max-frame   change every profile
 *   --framing length|varint|ber|delimiter|fixed     in use
 *   --delimiter STR  --frame-size N  --varint-max-bytes N  --length-mask N
 *
 * --delimiter takes C escapes (\r \n \t \0 \\ \" \xHH); --delimiter,
 * --frame-size, --varint-max-bytes and --length-mask need the framing that
 * uses them (given with --framing, or the profile's own).
 *
 * Reading the configuration is the only I/O; nothing here prints or exits.
 */
#ifndef FC_PROFILE_OPTS_H
#define FC_PROFILE_OPTS_H

#include <getopt.h>

#include "fc_config_file.h"
#include "fc_describe.h"

/* getopt_long values of the options, above any short option. */
enum {
	FC_OPT_CONFIG = 1000, FC_OPT_PROFILE, FC_OPT_LENGTH_OFFSET,
	FC_OPT_LENGTH_SIZE, FC_OPT_BYTE_ORDER, FC_OPT_SIGNED,
	FC_OPT_UNSIGNED, FC_OPT_LENGTH_ADJUSTMENT, FC_OPT_HEADER_SIZE,
	FC_OPT_MAX_FRAME, FC_OPT_FRAMING, FC_OPT_DELIMITER, FC_OPT_FRAME_SIZE,
	FC_OPT_VARINT_MAX_BYTES, FC_OPT_LENGTH_MASK, FC_OPT__NEXT
};

/* The options' entries for a getopt_long table. */
#define FC_PROFILE_LONGOPTS \
	{ "config", required_argument, NULL, FC_OPT_CONFIG }, \
	{ "profile", required_argument, NULL, FC_OPT_PROFILE }, \
	{ "length-offset", required_argument, NULL, FC_OPT_LENGTH_OFFSET }, \
	{ "length-size", required_argument, NULL, FC_OPT_LENGTH_SIZE }, \
	{ "byte-order", required_argument, NULL, FC_OPT_BYTE_ORDER }, \
	{ "signed", no_argument, NULL, FC_OPT_SIGNED }, \
	{ "unsigned", no_argument, NULL, FC_OPT_UNSIGNED }, \
	{ "length-adjustment", required_argument, NULL, FC_OPT_LENGTH_ADJUSTMENT }, \
	{ "header-size", required_argument, NULL, FC_OPT_HEADER_SIZE }, \
	{ "max-frame", required_argument, NULL, FC_OPT_MAX_FRAME }, \
	{ "framing", required_argument, NULL, FC_OPT_FRAMING }, \
	{ "delimiter", required_argument, NULL, FC_OPT_DELIMITER }, \
	{ "frame-size", required_argument, NULL, FC_OPT_FRAME_SIZE }, \
	{ "varint-max-bytes", required_argument, NULL, FC_OPT_VARINT_MAX_BYTES }, \
	{ "length-mask", required_argument, NULL, FC_OPT_LENGTH_MASK }

struct fc_profile_opts {
	const char *config_path; /* --config, or NULL */
	const char *profile_name; /* --profile, or NULL */
	bool offset, size, order, sign, adjustment, header, max; /* given */
	bool framing, delimiter, frame_size, varint_max, mask; /* given */
	struct fc_profile v; /* the values given */
};

/* The bytes of a --delimiter argument: C escapes \r \n \t \0 \\ \" and
 * \xHH (two hex digits), any other byte as itself; 1 to `cap` bytes.
 * Returns NULL, or a static reason. */
const char *fc_parse_escaped(const char *s, uint8_t *out, size_t cap, size_t *len);

/* Write bytes as fc_parse_escaped reads them (printable ASCII as itself,
 * \" for a quote), NUL-terminated, cut short to fit `len`. */
void fc_format_escaped(const uint8_t *b, size_t n, char *buf, size_t len);

/* Take option `opt` with argument `arg`. Returns 1 if it was one of these
 * options, 0 if not, -1 for a bad value with *err set to a static reason
 * (the caller says "--name VALUE: reason"). */
int fc_profile_opts_take(struct fc_profile_opts *o, int opt, const char *arg,
			 const char **err);

/* Load the configuration the options name, else ./framecap.yaml, else
 * $HOME/.config/framecap/framecap.yaml; a file that is not named and does
 * not exist is no error (cfg stays empty). A file found by the search is
 * read only if fc_config_load_found() trusts it (a regular file of ours
 * or root's, writable by no one else); one it does not is passed over
 * silently here. Returns 0, or -1 with *err. */
int fc_profile_opts_load(const struct fc_profile_opts *o, struct fc_config *cfg,
			 struct fc_config_error *err);

#define FC_CONFIG_MAX_SKIPPED 2 /* ./framecap.yaml and the one in $HOME */

/* What the search passed over, for the front end to say (the core does
 * not print): path and a static reason. */
struct fc_config_search {
	int nskipped;
	struct fc_config_skipped {
		char path[4096];
		const char *reason;
	} skipped[FC_CONFIG_MAX_SKIPPED];
};

/* fc_profile_opts_load, telling in *search (if not NULL) which files were
 * found but not trusted, and why. */
int fc_profile_opts_search(const struct fc_profile_opts *o, struct fc_config *cfg,
			   struct fc_config_error *err,
			   struct fc_config_search *search);

/* Change profile p by the command-line fields (a header that was just the
 * length field follows the length field). Returns NULL, or the message of
 * the check the result fails. */
const char *fc_profile_opts_apply(const struct fc_profile_opts *o,
				  struct fc_profile *p);

/* The profile the options select for streams no port map claims:
 * --profile NAME from cfg ("default" may name the built-in one), else
 * cfg's "default", else the built-in default; then the command-line fields
 * change it. Returns NULL, or a message: an unknown name, or the fields
 * making the profile invalid. */
const char *fc_profile_opts_select(const struct fc_profile_opts *o,
				   const struct fc_config *cfg,
				   struct fc_profile *out);

/* Everything the options decide about profiles, once per run, for every
 * front end (framecap, the reference programs, the Wireshark plugin):
 * *fallback becomes the profile fc_profile_opts_select names, *forced says
 * --profile was given (the fallback then serves every stream), and
 * without --profile the command-line fields change every profile of cfg
 * (the port-mapped ones too). Returns 0, or -1 with the whole message in msg ("--profile web:
 * no such profile in the configuration", "profile 'kafka' with the framing
 * options: ...", "framing options: ..."). */
int fc_profile_opts_choose(const struct fc_profile_opts *o, struct fc_config *cfg,
			   struct fc_profile *fallback, bool *forced,
			   char *msg, size_t len);

/* The profile in words, ending with ')', into buf:
 *   length     "NAME (4-byte little-endian signed length[ at N]
 *               [, adjustment +N][, header N][, mask 0xM])"
 *   varint     "NAME (varint[ at offset N], at most K bytes[, adjustment +N])"
 *   ber        "NAME (BER tag and length[, adjustment +N])"
 *   delimiter  "NAME (delimiter \"\\r\\n\")"
 *   fixed      "NAME (fixed 16 bytes)"
 * with " + prelude" before the ')' when the profile has one. */
void fc_profile_describe(const struct fc_profile *p, char *buf, size_t len);

/* The same, its words passed through tr (fc_describe.h; NULL: English):
 * "default (4 字节小端有符号长度)". */
void fc_profile_describe_in(const struct fc_profile *p, fc_translate_fn tr, char *buf,
			    size_t len);

#endif
