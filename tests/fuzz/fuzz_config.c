/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_config.c - libFuzzer target: the YAML profile loader.
 *
 *   input bytes = a YAML document, as in framecap.yaml
 *
 * Every accepted configuration must hold only valid profiles and port
 * entries that name one of them. Inputs stop at 64 KiB: the size and
 * nesting limits are checked in one pass before libyaml, so nothing is
 * learned from more bytes, and a run spends its time on many inputs.
 */
#include <stdlib.h>

#include "fc_config.h"

#define FUZZ_MAX_INPUT (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fc_config cfg;
	struct fc_config_error err;
	char msg[600];

	if (size > FUZZ_MAX_INPUT)
		return 0;

	if (fc_config_parse(&cfg, (const char *)data, size, "fuzz.yaml", &err) != 0) {
		fc_config_error_format(&err, msg, sizeof(msg));
		if (cfg.nprofiles || cfg.nports)
			abort(); /* an error leaves nothing behind */
		return 0;
	}
	for (int i = 0; i < cfg.nprofiles; i++)
		if (fc_profile_check(&cfg.profiles[i]))
			abort();
	for (int i = 0; i < cfg.nports; i++)
		if (cfg.ports[i].profile < 0 || cfg.ports[i].profile >= cfg.nprofiles)
			abort();
	return 0;
}
