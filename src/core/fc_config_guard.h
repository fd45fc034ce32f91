/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config_guard.h - size and nesting limits checked on a YAML text
 * before libyaml reads it.
 *
 *   profiles:               block level 1 (column 0)
 *     kafka:                block level 2 (column 2)
 *       ranges: [[1, {a: 2}]]    + flow levels [ [ {  -> depth 6
 *
 * libyaml's scanner does work proportional to the current nesting for
 * every token, so a file nested N deep costs N^2: 80 KB nested 40,000
 * deep took 44 s. One linear pass here bounds N first. It approximates
 * YAML's tokens (quotes, comments, flow brackets, indentation and the
 * compact "- " and "? " indicators) and errs towards counting more; the
 * configuration format itself needs a depth of 3.
 */
#ifndef FC_CONFIG_GUARD_H
#define FC_CONFIG_GUARD_H

#include <stddef.h>

#define FC_CONFIG_MAX_BYTES (1u << 20)
#define FC_CONFIG_MAX_DEPTH 64

struct fc_config_guard_error {
	unsigned long line, column; /* 1-based, in bytes */
	const char *message; /* static text */
};

/* 0 if text (len bytes) is at most FC_CONFIG_MAX_BYTES long and nested at
 * most FC_CONFIG_MAX_DEPTH deep; otherwise -1 with *err at the first byte
 * over a limit (line 0 for the size). Reads each byte once; no allocation. */
int fc_config_guard(const char *text, size_t len,
		    struct fc_config_guard_error *err);

#endif
