/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_shadow.c - walkers under other length adjustments (see the header). */
#include "fc_shadow.h"

#include <stdlib.h>
#include <string.h>

#define SHADOWS_MAX 6
#define SHADOW_HDR_MAX 8

/* 12 bytes: one per walker of every young stream direction. The
 * adjustment is not stored but computed from the profile (shadow_deltas)
 * and the header bytes a walker has so far are the stream's last ones
 * (fc_shadows.tail): a walker stops gathering a header only at the end
 * of the bytes fed. Walkers follow young streams (or one whose profile
 * failed): one that would pass 4 GiB or 2^32 frames dies instead. */
struct fc_shadow {
	uint32_t next; /* stream offset of the next header */
	uint32_t frames;
	uint8_t kind; /* its delta: shadow_deltas()[kind] */
	uint8_t have; /* header bytes gathered: the last `have` of tail */
	bool dead; /* also an unused slot (an adjustment tried already) */
};
_Static_assert(sizeof(struct fc_shadow) == 12, "a walker is 12 bytes");

/* One per young stream direction, so kept small (88 bytes): the profile
 * is the decoder's, not a copy (10,000 open connections are 2 MB less). */
struct fc_shadows {
	const struct fc_profile *prof;
	uint8_t tail[SHADOW_HDR_MAX]; /* the last bytes fed, right-aligned */
	struct fc_shadow sh[SHADOWS_MAX];
};

/* A new set's walkers for one length field: all a profile decides of
 * them (shadow_deltas), kept by the caller so that a set for the same
 * field starts as a copy. Nothing here points into the profile, which
 * may be gone when the next one comes. */
struct fc_shadows_first {
	uint32_t header_size, length_end, length_size;
	int64_t adjustment;
	struct fc_shadow sh[SHADOWS_MAX];
};

/* The adjustments tried, as deltas from the profile's own: the length
 * counting (or leaving out) the header, the bytes up to its end, itself. */
static void shadow_deltas(const struct fc_profile *prof, int64_t out[SHADOWS_MAX])
{
	int64_t h = prof->header_size, e = fc_profile_length_end(prof),
		l = prof->length_size;

	out[0] = -h;
	out[1] = h;
	out[2] = -e;
	out[3] = e;
	out[4] = -l;
	out[5] = l;
}

size_t fc_shadows_size(void)
{
	return sizeof(struct fc_shadows);
}

static bool first_fits(const struct fc_shadows_first *f, const struct fc_profile *prof)
{
	return f->header_size == prof->header_size &&
	       f->length_end == fc_profile_length_end(prof) &&
	       f->length_size == prof->length_size && f->adjustment == prof->length_adjustment;
}

static void first_keep(struct fc_shadows_first **first, const struct fc_shadows *s)
{
	if (!*first)
		*first = malloc(sizeof(**first));
	if (!*first)
		return;
	(*first)->header_size = s->prof->header_size;
	(*first)->length_end = (uint32_t)fc_profile_length_end(s->prof);
	(*first)->length_size = s->prof->length_size;
	(*first)->adjustment = s->prof->length_adjustment;
	memcpy((*first)->sh, s->sh, sizeof(s->sh));
}

void fc_shadows_first_free(struct fc_shadows_first *first)
{
	free(first);
}

struct fc_shadows *fc_shadows_new(const struct fc_profile *prof, struct fc_pool *pool,
				  struct fc_shadows_first **first)
{
	int64_t deltas[SHADOWS_MAX], adj[SHADOWS_MAX];
	uint32_t n = 0;
	struct fc_shadows *s;

	if (fc_profile_length_end(prof) > SHADOW_HDR_MAX)
		return NULL;
	s = pool ? fc_pool_get(pool) : malloc(sizeof(*s));
	if (!s)
		return NULL;
	s->prof = prof;
	memset(s->tail, 0, sizeof(s->tail));
	if (first && *first && first_fits(*first, prof)) {
		memcpy(s->sh, (*first)->sh, sizeof(s->sh));
		return s;
	}
	shadow_deltas(prof, deltas);
	for (uint32_t i = 0; i < SHADOWS_MAX; i++) {
		int64_t a = prof->length_adjustment + deltas[i];
		bool seen = false;

		for (uint32_t j = 0; j < n; j++)
			seen |= adj[j] == a;
		s->sh[i] = (struct fc_shadow){
			.kind = (uint8_t)i,
			.dead = seen || a > FC_MAX_ADJUSTMENT || a < -FC_MAX_ADJUSTMENT,
		};
		if (!s->sh[i].dead)
			adj[n++] = a;
	}
	if (first)
		first_keep(first, s);
	return s;
}

void fc_shadows_free(struct fc_shadows *s, struct fc_pool *pool)
{
	if (pool)
		fc_pool_put(pool, s);
	else
		free(s);
}

/* Keep the last SHADOW_HDR_MAX bytes of the stream in s->tail. */
static void tail_update(struct fc_shadows *s, const uint8_t *data, uint32_t len)
{
	if (len >= SHADOW_HDR_MAX) {
		memcpy(s->tail, data + len - SHADOW_HDR_MAX, SHADOW_HDR_MAX);
		return;
	}
	memmove(s->tail, s->tail + len, SHADOW_HDR_MAX - len);
	memcpy(s->tail + SHADOW_HDR_MAX - len, data, len);
}

bool fc_shadows_feed(struct fc_shadows *s, const struct fc_len_reader *lr, uint64_t offset,
		     const uint8_t *data, uint32_t len)
{
	uint32_t len_end = lr->end;
	int64_t deltas[SHADOWS_MAX];
	bool alive = false;

	shadow_deltas(s->prof, deltas);
	for (uint32_t i = 0; i < SHADOWS_MAX; i++) {
		struct fc_shadow *sh = &s->sh[i];
		int64_t delta = lr->delta + deltas[sh->kind];
		uint8_t gathered[SHADOW_HDR_MAX];
		uint32_t have = sh->have;

		if (sh->dead)
			continue;
		if (have)
			memcpy(gathered, s->tail + SHADOW_HDR_MAX - have, have);
		while ((uint64_t)sh->next + have < offset + len) {
			uint64_t at = (uint64_t)sh->next + have - offset;
			const uint8_t *hdr = gathered;
			int64_t length, payload;
			uint64_t flags;

			if (have == 0 && len - at >= len_end) {
				hdr = data + at; /* the whole header is here */
			} else {
				uint32_t take = len_end - have;

				if (take > len - at)
					take = (uint32_t)(len - at);
				memcpy(gathered + have, data + at, take);
				have += take;
				if (have < len_end)
					break;
			}
			have = 0;
			/* fc_profile_frame_len under the walker's adjustment */
			payload = fc_len_field(lr, hdr, &length, &flags) ? delta + length : -1;
			if (payload < 0 || sh->frames == UINT32_MAX ||
			    lr->header + (uint64_t)payload > UINT32_MAX - (uint64_t)sh->next) {
				sh->dead = true;
				break;
			}
			sh->next += (uint32_t)(lr->header + (uint64_t)payload);
			sh->frames++;
		}
		sh->have = (uint8_t)have;
		alive |= !sh->dead;
	}
	tail_update(s, data, len);
	return alive;
}

bool fc_shadows_verdict(const struct fc_shadows *s, uint64_t end, bool at_stream_end,
			uint64_t profile_frames, struct fc_shadow_verdict *out)
{
	const struct fc_shadow *best = NULL;
	int64_t deltas[SHADOWS_MAX];

	for (uint32_t i = 0; i < SHADOWS_MAX; i++) {
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
	shadow_deltas(s->prof, deltas);
	out->delta = deltas[best->kind];
	out->adjustment = s->prof->length_adjustment + out->delta;
	out->frames = best->frames;
	return true;
}
