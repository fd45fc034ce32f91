/* fuzz_config.c - libFuzzer target: the YAML profile loader.
 *
 *   input bytes = a YAML document, as in framecap.yaml
 *
 * Every accepted configuration must hold only valid profiles and port
 * entries that name one of them.
 */
#include <stdlib.h>

#include "fc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fc_config cfg;
	struct fc_config_error err;
	char msg[600];

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
