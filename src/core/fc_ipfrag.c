/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_ipfrag.c - IP fragment reassembly (see fc_ipfrag.h).
 *
 *   buckets[siphash(key)] -> datagram -> datagram ...   (chained)
 *   age: oldest <-> ... <-> newest   (by first fragment; given up first)
 *
 *   datagram: key, first_ts, total (once the M=0 fragment came),
 *             pieces: [start,end) + bytes, sorted, never overlapping
 *
 * A new fragment is clipped against the pieces already held: only the
 * ranges no piece covers are stored (first copy wins); the ranges that
 * are covered are compared, and a difference is a conflict.
 */
#include "fc_ipfrag.h"
#include "fc_siphash.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct piece {
	struct piece *next;
	uint32_t start, end;
	uint8_t bytes[];
};

struct datagram {
	struct datagram *hnext;
	struct datagram *older, *newer;
	struct fc_frag_key key;
	uint32_t hash;
	int64_t first_ts_us;
	uint32_t total; /* valid when have_last */
	bool have_last;
	uint32_t npieces;
	uint64_t cost; /* charged to the budget */
	struct piece *pieces;
};

struct fc_ipfrag {
	struct fc_ipfrag_config cfg;
	struct datagram **buckets;
	uint32_t nbuckets; /* power of two */
	struct datagram *oldest, *newest;
	uint32_t ndatagrams;
	uint64_t used; /* bytes charged */
	uint8_t *out; /* FC_IPFRAG_MAX_DATAGRAM bytes: the reassembled payload */
	struct fc_ipfrag_stats st;
};

struct fc_ipfrag *fc_ipfrag_new(const struct fc_ipfrag_config *cfg)
{
	struct fc_ipfrag *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = *cfg;
	if (!r->cfg.max_datagrams)
		r->cfg.max_datagrams = FC_IPFRAG_DEFAULT_MAX_DATAGRAMS;
	if (!r->cfg.max_bytes)
		r->cfg.max_bytes = FC_IPFRAG_DEFAULT_MAX_BYTES;
	if (!r->cfg.timeout_us)
		r->cfg.timeout_us = FC_IPFRAG_DEFAULT_TIMEOUT_US;
	r->nbuckets = 64;
	while (r->nbuckets < r->cfg.max_datagrams && r->nbuckets < (1u << 20))
		r->nbuckets <<= 1;
	r->buckets = calloc(r->nbuckets, sizeof(*r->buckets));
	r->out = malloc(FC_IPFRAG_MAX_DATAGRAM);
	if (!r->buckets || !r->out) {
		fc_ipfrag_free(r);
		return NULL;
	}
	return r;
}

static uint32_t key_hash(const struct fc_ipfrag *r, const struct fc_frag_key *k)
{
	uint64_t h = fc_siphash24(r->cfg.hash_key, k, sizeof(*k));

	return (uint32_t)(h ^ h >> 32);
}

static struct datagram *lookup(struct fc_ipfrag *r, const struct fc_frag_key *k,
			       uint32_t hash)
{
	for (struct datagram *d = r->buckets[hash & (r->nbuckets - 1)]; d; d = d->hnext)
		if (d->hash == hash && !memcmp(&d->key, k, sizeof(*k)))
			return d;
	return NULL;
}

/* Unlink d from the table and the age list and free it. */
static void drop(struct fc_ipfrag *r, struct datagram *d)
{
	struct datagram **pp = &r->buckets[d->hash & (r->nbuckets - 1)];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	if (d->older)
		d->older->newer = d->newer;
	else
		r->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		r->newest = d->older;
	while (d->pieces) {
		struct piece *p = d->pieces;

		d->pieces = p->next;
		free(p);
	}
	r->used -= d->cost;
	r->ndatagrams--;
	free(d);
}

static void give_up(struct fc_ipfrag *r, struct datagram *d)
{
	r->st.incomplete++;
	drop(r, d);
}

static struct datagram *create(struct fc_ipfrag *r, const struct fc_frag_key *k,
			       uint32_t hash, int64_t ts_us)
{
	struct datagram *d;

	if (r->ndatagrams >= r->cfg.max_datagrams && r->oldest)
		give_up(r, r->oldest);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->key = *k;
	d->hash = hash;
	d->first_ts_us = ts_us;
	d->cost = sizeof(*d);
	d->hnext = r->buckets[hash & (r->nbuckets - 1)];
	r->buckets[hash & (r->nbuckets - 1)] = d;
	d->older = r->newest;
	if (r->newest)
		r->newest->newer = d;
	else
		r->oldest = d;
	r->newest = d;
	r->ndatagrams++;
	r->used += d->cost;
	return d;
}

/* Make room for n more bytes by giving up the oldest datagrams other than
 * keep. False if even that is not enough. */
static bool make_room(struct fc_ipfrag *r, uint64_t n, struct datagram *keep)
{
	while (r->used + n > r->cfg.max_bytes) {
		struct datagram *v = r->oldest;

		if (v == keep)
			v = v->newer;
		if (!v)
			return false;
		give_up(r, v);
	}
	return true;
}

/* Store bytes [s, e) of the datagram (data holds them, data[0] at s)
 * after *link. False if out of room or pieces. */
static bool store(struct fc_ipfrag *r, struct datagram *d, struct piece **link,
		  uint32_t s, uint32_t e, const uint8_t *data)
{
	uint64_t cost = sizeof(struct piece) + (e - s);
	struct piece *p;

	if (d->npieces >= FC_IPFRAG_MAX_PIECES || !make_room(r, cost, d))
		return false;
	p = malloc(sizeof(*p) + (e - s));
	if (!p)
		return false;
	p->start = s;
	p->end = e;
	memcpy(p->bytes, data, e - s);
	p->next = *link;
	*link = p;
	d->npieces++;
	d->cost += cost;
	r->used += cost;
	if (r->used > r->st.peak_bytes)
		r->st.peak_bytes = r->used;
	return true;
}

/* Merge [s, e) into d's pieces, first copy winning. *added: some byte was
 * new; *conflict: some covered byte differed. False: no room. */
static bool merge(struct fc_ipfrag *r, struct datagram *d, uint32_t s, uint32_t e,
		  const uint8_t *data, bool *added, bool *conflict)
{
	struct piece **link = &d->pieces;
	uint32_t at = s;

	while (at < e) {
		struct piece *p = *link;

		if (!p || p->start >= e) { /* the rest is new */
			*added = true;
			return store(r, d, link, at, e, data + (at - s));
		}
		if (p->end <= at) { /* wholly before */
			link = &p->next;
			continue;
		}
		if (p->start > at) { /* a hole before p */
			*added = true;
			if (!store(r, d, link, at, p->start, data + (at - s)))
				return false;
			link = &(*link)->next; /* the new piece, then p */
			at = p->start;
		}
		{ /* [at, min(e, p->end)) is covered by p */
			uint32_t to = e < p->end ? e : p->end;

			if (memcmp(p->bytes + (at - p->start), data + (at - s), to - at))
				*conflict = true;
			at = to;
			link = &p->next;
		}
	}
	return true;
}

/* All of [0, total) held: copy it out. */
static bool complete(const struct datagram *d, uint8_t *out)
{
	uint32_t at = 0;

	if (!d->have_last)
		return false;
	for (const struct piece *p = d->pieces; p && at < d->total; p = p->next) {
		if (p->start > at)
			return false;
		at = p->end;
	}
	if (at < d->total)
		return false;
	for (const struct piece *p = d->pieces; p && p->start < d->total; p = p->next) {
		uint32_t end = p->end < d->total ? p->end : d->total;

		memcpy(out + p->start, p->bytes, end - p->start);
	}
	return true;
}

static void expire(struct fc_ipfrag *r, int64_t now_us)
{
	/* Unsigned: crafted timestamps must not overflow the difference. */
	while (r->oldest && now_us > r->oldest->first_ts_us &&
	       (uint64_t)now_us - (uint64_t)r->oldest->first_ts_us >
		       (uint64_t)r->cfg.timeout_us)
		give_up(r, r->oldest);
}

int fc_ipfrag_add(struct fc_ipfrag *r, const struct fc_ip_fragment *f,
		  int64_t ts_us, const uint8_t **out, uint32_t *out_len)
{
	uint32_t hash = key_hash(r, &f->key);
	uint64_t end = (uint64_t)f->offset + f->len;
	struct datagram *d;
	bool added = false, conflict = false;

	r->st.fragments++;
	expire(r, ts_us);
	d = lookup(r, &f->key, hash);
	if (!d && !(d = create(r, &f->key, hash, ts_us)))
		return 0;
	if (f->cut) { /* bytes missing from the capture: it can never complete */
		give_up(r, d);
		return 0;
	}
	if (end > FC_IPFRAG_MAX_DATAGRAM) {
		r->st.too_big++;
		drop(r, d);
		return 0;
	}
	if (!f->more) {
		if (d->have_last && d->total != end)
			conflict = true; /* two different ends: the first stays */
		else if (!d->have_last) {
			d->have_last = true;
			d->total = (uint32_t)end;
		}
	}
	if (f->len && !merge(r, d, f->offset, (uint32_t)end, f->data, &added, &conflict)) {
		if (d->npieces >= FC_IPFRAG_MAX_PIECES) {
			r->st.too_big++;
			drop(r, d);
		} else {
			give_up(r, d);
		}
		return 0;
	}
	if (conflict)
		r->st.conflicts++;
	else if (!added && f->len)
		r->st.duplicates++;
	if (!complete(d, r->out))
		return 0;
	*out = r->out;
	*out_len = d->total;
	r->st.reassembled++;
	drop(r, d);
	return 1;
}

void fc_ipfrag_flush(struct fc_ipfrag *r)
{
	while (r->oldest)
		give_up(r, r->oldest);
}

const struct fc_ipfrag_stats *fc_ipfrag_stats(const struct fc_ipfrag *r)
{
	return &r->st;
}

void fc_ipfrag_free(struct fc_ipfrag *r)
{
	if (!r)
		return;
	if (r->buckets)
		while (r->oldest)
			drop(r, r->oldest);
	free(r->buckets);
	free(r->out);
	free(r);
}
