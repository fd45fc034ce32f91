/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config.h - named framing profiles and the port map, from YAML.
 *
 *   profiles:
 *     tutorial: {length_size: 4, byte_order: little, signed: true}
 *     kafka:    {length_size: 4, byte_order: big, signed: true}
 *     mqtt:     {framing: varint, length_offset: 1, varint_max_bytes: 4}
 *     lines:    {framing: delimiter, delimiter: "\r\n"}
 *     pg_startup: {length_size: 4, byte_order: big, signed: false,
 *                  length_adjustment: -4, max_frame: 10240}
 *     pg:
 *       length_offset: 1
 *       ...
 *       prelude:                 per direction, steps read once where it
 *         c2s: [{profile: pg_startup, max_frames: 2}]         begins
 *         s2c: [{bytes_one_of: ["N", "S"]}]
 *   ports:
 *     8001: tutorial
 *     9092: kafka
 *
 * Profile fields: framing (length|varint|ber|delimiter|fixed, default
 * length), length_offset, length_size, byte_order (little|big), signed
 * (true|false), length_adjustment, header_size, max_frame, length_mask,
 * varint_max_bytes, delimiter (1..16 bytes, NUL allowed), frame_size,
 * prelude. Fields not given take the default profile's value; header_size
 * defaults to length_offset + length_size. Unknown keys, and fields the
 * profile's framing does not use, are errors.
 *
 * Byte strings (delimiter, bytes_one_of) are the scalar's bytes; in double
 * quotes the YAML escapes apply, except that \xHH is the byte HH (YAML
 * would write U+0080..U+00FF as two UTF-8 bytes).
 *
 * A prelude step is {bytes_one_of: [strings]} or {profile: NAME,
 * max_frames: K} (K defaults to 1); NAME is another profile of the same
 * file, before or after, with a prefix framing and no prelude of its own,
 * copied into the step. The preludes live in the configuration, which must
 * therefore outlive (and never be copied under) the profiles read from it.
 * Reading never prints or exits: errors come back in struct fc_config_error.
 */
#ifndef FC_CONFIG_H
#define FC_CONFIG_H

#include "fc_profile.h"
#include "fc_describe.h"

#define FC_CONFIG_MAX_PROFILES 64
#define FC_CONFIG_MAX_PORTS 256
#define FC_CONFIG_MAX_PRELUDES 16

struct fc_port_map {
	uint16_t port;
	int profile; /* index into profiles[] */
};

struct fc_config {
	int nprofiles;
	struct fc_profile profiles[FC_CONFIG_MAX_PROFILES];
	int nports;
	struct fc_port_map ports[FC_CONFIG_MAX_PORTS];
	int npreludes;
	/* What profiles[i].prelude points to: a struct fc_config is not to be
	 * copied by value (the copies' profiles would point into the old). */
	struct fc_prelude preludes[FC_CONFIG_MAX_PRELUDES];
};

struct fc_config_error {
	char file[256];
	unsigned long line, column; /* 1-based; 0 when not known */
	char message[256];
};

/* Reset to no profiles and no ports. */
void fc_config_init(struct fc_config *cfg);

/* Parse a YAML document from memory. `filename` is only used in errors.
 * Returns 0 on success, -1 with *err filled in. On failure *cfg is left
 * in its initial (empty) state. */
int fc_config_parse(struct fc_config *cfg, const char *text, size_t len,
		    const char *filename, struct fc_config_error *err);

/* The language of every error message below: a translator
 * (fc_describe.h) each message's English format goes through, or NULL
 * for English. A front end with a language sets it once, before reading
 * any configuration; the core itself never looks at a locale. */
void fc_config_set_translator(fc_translate_fn tr);

/* msgid in that language (msgid itself without a translator): for the
 * configuration layer's own messages (src/config). */
const char *fc_config_tr(const char *msgid) __attribute__((format_arg(1)));

/* Set *err to a message about `file` (NULL: keep the file named) with no
 * line or column: for the file layer's errors (src/config). */
void fc_config_error_set(struct fc_config_error *err, const char *file,
			 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Index of the profile called name, or -1. */
int fc_config_find(const struct fc_config *cfg, const char *name);

/* Profile mapped to a port, or NULL. */
const struct fc_profile *fc_config_for_port(const struct fc_config *cfg,
					    uint16_t port);

/* "file:line:column: message" into buf. */
void fc_config_error_format(const struct fc_config_error *err, char *buf,
			    size_t len);

/* The profile of a stream between server_port and client_port: `forced`
 * when not NULL; else cfg's profile for the server port, then for the
 * client port (cfg may be NULL); else `fallback`. The one rule the engine
 * and the plugin follow. */
const struct fc_profile *fc_profile_pick(const struct fc_config *cfg,
					 const struct fc_profile *forced,
					 const struct fc_profile *fallback,
					 uint16_t server_port, uint16_t client_port);

#endif
