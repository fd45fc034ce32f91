/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_chain.c - chains of plausible frames (see the header). */
#include "fc_chain.h"

#include <string.h>

void fc_chain_walk(const struct fc_profile *p, const uint8_t *data, size_t n,
		   uint32_t max_frames, struct fc_chain *out)
{
	uint64_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (out->frames < max_frames && pos < n) {
		struct fc_frame_len fl;
		enum fc_frame_status st = fc_profile_frame_len(p, data + pos, n - pos, &fl);

		if (st == FC_FRAME_NEED_MORE)
			break;
		if (st != FC_FRAME_OK) {
			out->broken = true;
			break;
		}
		if (fl.payload_len > 0)
			out->nonzero++;
		if (fl.frame_len > n - pos) {
			out->open = true;
			break;
		}
		pos += fl.frame_len;
		out->frames++;
	}
	out->end = pos;
	out->aligned = out->frames > 0 && pos == n;
}

bool fc_chain_convincing(const struct fc_chain *c, bool packet_start)
{
	if (c->broken || c->nonzero == 0)
		return false;
	if (fc_chain_headers(c) >= FC_CHAIN_CONVINCING)
		return true;
	if (c->aligned)
		return true;
	return packet_start && fc_chain_headers(c) >= 1;
}
