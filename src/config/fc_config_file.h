/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config_file.h - framecap.yaml read from a file: the only file I/O of
 * the configuration, kept out of the core (which parses text it is given,
 * fc_config_parse) in this small layer shared by framecap, the reference
 * programs and the Wireshark plugin.
 *
 *   path --open(O_NONBLOCK)--> fstat: regular? <= 1 MiB? trusted? --read-->
 *        fc_config_parse(text)
 */
#ifndef FC_CONFIG_FILE_H
#define FC_CONFIG_FILE_H

#include "fc_config.h"

/* Read and parse a file named by the user (a regular file of at most
 * 1 MiB: a FIFO, socket or device is refused, without waiting on it).
 * Returns 0, or -1 with *err. */
int fc_config_load(struct fc_config *cfg, const char *path,
		   struct fc_config_error *err);

enum fc_config_found {
	FC_CONFIG_LOADED = 0,
	FC_CONFIG_FAILED = -1, /* *err says why */
	FC_CONFIG_ABSENT = 1, /* no such file */
	FC_CONFIG_SKIPPED = 2, /* there, not trusted: *skip_reason says why */
};

/* For a file found by searching (./framecap.yaml), not named: read it
 * only if it is a regular file owned by the effective user or root and
 * not writable by group or others; otherwise leave it unopened for
 * reading and give a static reason (the caller tells the user, as ssh
 * does). The checks are made on the opened file, not on its name. */
enum fc_config_found fc_config_load_found(struct fc_config *cfg, const char *path,
					  struct fc_config_error *err,
					  const char **skip_reason);

#endif
