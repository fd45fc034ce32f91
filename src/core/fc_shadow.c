/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_shadow.c - walkers under other length adjustments (see the header). */
#include "fc_shadow.h"

#include <stdlib.h>
#include <string.h>

#define SHADOWS_MAX 6
#define SHADOW_HDR_MAX 8

struct fc_shadow {
	int64_t adjustment;
	uint64_t next; /* stream offset of the next header */
	uint64_t frames;
	uint8_t hdr[SHADOW_HDR_MAX];
	uint8_t have;
	bool dead;
};

/* One per young stream direction, so kept small: the profile is the
 * decoder's, not a copy (10,000 open connections are 2 MB less). */
struct fc_shadows {
	const struct fc_profile *prof;
	int64_t base; /* the profile's own adjustment */
	uint32_t n;
	struct fc_shadow sh[SHADOWS_MAX];
};

struct fc_shadows *fc_shadows_new(const struct fc_profile *prof)
{
	int64_t deltas[SHADOWS_MAX] = {
		-(int64_t)prof->header_size, (int64_t)prof->header_size,
		-(int64_t)fc_profile_length_end(prof), (int64_t)fc_profile_length_end(prof),
		-(int64_t)prof->length_size, (int64_t)prof->length_size,
	};
	struct fc_shadows *s;

	if (fc_profile_length_end(prof) > SHADOW_HDR_MAX)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->prof = prof;
	s->base = prof->length_adjustment;
	for (uint32_t i = 0; i < SHADOWS_MAX; i++) {
		int64_t adj = prof->length_adjustment + deltas[i];
		bool seen = false;

		for (uint32_t j = 0; j < s->n; j++)
			seen |= s->sh[j].adjustment == adj;
		if (seen || adj > FC_MAX_ADJUSTMENT || adj < -FC_MAX_ADJUSTMENT)
			continue;
		s->sh[s->n++].adjustment = adj;
	}
	return s;
}

void fc_shadows_free(struct fc_shadows *s)
{
	free(s);
}

bool fc_shadows_feed(struct fc_shadows *s, uint64_t offset, const uint8_t *data,
		     uint32_t len)
{
	struct fc_profile prof = *s->prof; /* its adjustment set per walker */
	uint32_t len_end = fc_profile_length_end(&prof);
	bool alive = false;

	for (uint32_t i = 0; i < s->n; i++) {
		struct fc_shadow *sh = &s->sh[i];

		prof.length_adjustment = sh->adjustment;
		while (!sh->dead && sh->next + sh->have < offset + len) {
			uint64_t at = sh->next + sh->have - offset;
			uint32_t take = len_end - sh->have;
			struct fc_frame_len fl;

			if (take > len - at)
				take = (uint32_t)(len - at);
			memcpy(sh->hdr + sh->have, data + at, take);
			sh->have += (uint8_t)take;
			if (sh->have < len_end)
				break;
			if (fc_profile_frame_len(&prof, sh->hdr, len_end, &fl) != FC_FRAME_OK) {
				sh->dead = true;
				break;
			}
			sh->next += fl.frame_len;
			sh->have = 0;
			sh->frames++;
		}
		alive |= !sh->dead;
	}
	return alive;
}

bool fc_shadows_verdict(const struct fc_shadows *s, uint64_t end, bool at_stream_end,
			uint64_t profile_frames, struct fc_shadow_verdict *out)
{
	const struct fc_shadow *best = NULL;

	for (uint32_t i = 0; i < s->n; i++) {
		const struct fc_shadow *sh = &s->sh[i];
		bool aligned = sh->have == 0 && sh->next == end;

		if (sh->dead || sh->frames < 2)
			continue;
		if (at_stream_end ? !aligned
				  : sh->frames <= profile_frames || (!aligned && sh->frames < 4))
			continue;
		if (!best || sh->frames > best->frames)
			best = sh;
	}
	if (!best)
		return false;
	out->adjustment = best->adjustment;
	out->delta = best->adjustment - s->base;
	out->frames = best->frames;
	return true;
}
