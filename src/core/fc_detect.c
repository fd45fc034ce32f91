/* fc_detect.c - rank the length-prefixed framings that tile captured streams.
 *
 * Search: a fixed grid (fc_detect.h). For each grid point, every sample is
 * walked from offset 0 with fc_profile_frame_len; the walk succeeds
 * ("tiles") when the frames chain exactly to the end of the sample, or
 * into a partial last frame when the sample is not complete. A walk stops
 * at the first bad length, so it is linear in the sample.
 *
 * Parameters the data cannot tell apart are fixed, not searched:
 *   - signedness: a length with its sign bit set fails signed and, for 1
 *     to 3 bytes, succeeds unsigned; for 4 and 8 bytes it is above any
 *     max_frame the search allows either way. So unsigned never tiles less
 *     and both decode identically below the sign bit: the detected profile
 *     is unsigned, except 4-byte little-endian, which is signed like the
 *     tutorials' struct.pack('i') (the default profile).
 *   - header_size: it does not move frame boundaries (frame = offset +
 *     size + length + adjustment), only where the payload starts. It is
 *     offset + size, except for an adjustment of 1..4, read as "the
 *     length counts the payload after that many extra header bytes"
 *     (MySQL: 3-byte length, sequence id, header 4, adjustment +1;
 *     payload = 0 + 3 + length + 1 - 4 = length).
 *   - max_frame: 16 MiB as in the default profile, raised to the next
 *     power of two when a length read (a partial last frame's) exceeds it;
 *     the walks accept lengths up to SEARCH_MAX_LENGTH.
 *
 * Score. 1-byte lengths, large adjustments and chains of empty frames tile
 * almost anything, so tiling proves little: what counts is how unlikely
 * the chain is by chance, judged against the data itself. Let V be the
 * longest non-empty frame the candidate cuts in the samples it tiles. At
 * up to PROBES positions spread over a sample (not where its chain starts
 * a frame), read a length as the candidate does; q is the share of reads
 * that give a non-empty frame of at most V bytes, taken at the top of its
 * Wilson interval (z = 2) so that a rare miss among many reads proves
 * nothing. Each frame the chain lands on is such a read, and carries
 * -log2 q bits: about 8 for a 4-byte length with zero high bytes, nearly
 * 0 for a 1-byte length in text. Landed on means: every non-empty frame
 * but the first (which starts at 0, where any header's bytes are
 * structured, not random), and not within MIN_STEP bytes of the frame
 * before (still in the same header: 1-byte lengths can hop through a
 * header's small type and flag bytes). A complete sample the chain ends
 * exactly on adds min(-log2 q, log2(V + 1)). Each observation counts once:
 *   - a frame at the same offset with the same size as in an earlier
 *     sample counts once (streams that start alike, with the same
 *     handshake, are one observation), and so does an end at the same
 *     length;
 *   - a sample's frames count at most REPEAT_CREDIT times per distinct
 *     frame (size and the bytes after the length field): a chain cycling
 *     through periodic data sees the same thing over and over;
 *   - empty frames (length or payload 0) are neither evidence nor reads
 *     of the null model: a zero length is what the unused high bytes of a
 *     wider field look like, so a 4-byte reading of 8-byte lengths cuts an
 *     empty frame before each real one, with no more evidence.
 * Then
 *
 *   evidence = the bits above, summed over the samples the candidate tiles
 *   score    = evidence
 *              * (1 + tiled samples / samples) / 2
 *              * bytes explained / total bytes
 *              * (1 - 3/4 * empty frames / frames)   (length plausibility)
 *              * simplicity (1 at offset 0, adjustment 0, header = length
 *                end, 2- or 4-byte length; a little less each step away)
 *
 * and a candidate is reported only if it tiles at least one sample, cuts
 * FC_DETECT_MIN_FRAMES non-empty frames in the samples it tiles and has
 * MIN_BITS of evidence: the best of the 1458 grid points on data that is
 * not length-prefixed (text, random, periodic, the corpus captures) stays
 * near 15 bits. A walk also fails after MAX_EMPTY_RUN empty frames in a
 * row: a zero run means this is probably not the framing. Of equivalent
 * decodings, the wider length field has more bits per frame (its random
 * reads rarely fit); the simplicity factor separates the rest, and ties
 * left are broken by grid order, which lists simpler parameters first.
 * Small captures are the limit: with a few dozen bytes per sample there
 * are too few reads to show that a frame is unlikely, so about 5 frames
 * of a 4-byte length, or more of a narrower one, are needed.
 *
 * Cost: per grid point, one walk per sample (linear in its frames), and
 * for the few that pass, a second walk and PROBES reads per sample. About
 * 0.1 s for 16 samples of 64 KiB of text or random bytes; about 0.6 s on
 * the worst input tried (16 x 64 KiB of one repeated byte, where every
 * 1-byte candidate cuts 2-byte frames to the end).
 */
#include "fc_detect.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_FRAME (16ULL << 20)
#define SEARCH_MAX_LENGTH (1ULL << 30)
#define MAX_OFFSET 8
#define MAX_SMALL_ADJ 8
#define MAX_EMPTY_RUN 32
#define REPEAT_CREDIT 4 /* frames of evidence per distinct frame */
#define FRESH_BITS 16384
#define MIN_STEP 4 /* a landing this close to the last read is no news */
#define PROBES 1024 /* null-model reads per sample */
#define MIN_BITS 20.0
#define PRINTABLE_TEXT 0.85

/* One walk over one sample. */
struct walk {
	uint64_t frames; /* complete frames cut */
	uint64_t empty; /* of which with an empty length or payload */
	uint64_t bytes; /* their bytes, plus a partial tail when tiled */
	uint64_t max_length; /* largest length field value read */
	uint64_t max_frame; /* longest non-empty complete frame */
	uint64_t distinct; /* distinct frame_key()s of those (a lower bound;
			    * when asked) */
	uint64_t fresh; /* of those, the ones after the first, MIN_STEP or
			 * more after the frame before, not seen at the same
			 * offset with the same size before (when asked) */
	uint64_t hash; /* FNV-1a of the frame lengths */
	bool tiled;
};

/* A candidate being ranked: what the caller gets, plus its frames' hash. */
struct entry {
	struct fc_detect_candidate c;
	uint64_t hash;
};

/* What the whole search saw, for fc_detect_explain_none. */
struct summary {
	uint64_t best_tiled_frames; /* most frames any candidate cut in the
				     * samples it tiled */
	double best_bits; /* most evidence any candidate had */
	uint64_t best_bits_frames; /* frames of that candidate */
	uint64_t total;
	uint32_t samples; /* non-empty */
};

/* Mix one 64-bit value into an FNV-1a hash. */
static uint64_t fnv_mix(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Set bit h (mod FRESH_BITS) in set; returns whether it was clear. */
static bool set_bit(uint64_t *set, uint64_t h)
{
	uint64_t bit = h % FRESH_BITS, mask = 1ULL << (bit % 64);
	bool was_clear = !(set[bit / 64] & mask);

	set[bit / 64] |= mask;
	return was_clear;
}

/* A hash of a complete frame's size and of up to 8 bytes after its length
 * field: frames of one size that differ in those bytes count as distinct,
 * the frames of a cycle through periodic data do not. */
static uint64_t frame_key(const struct fc_profile *p, const uint8_t *frame,
			  const struct fc_frame_len *fl)
{
	uint64_t h = fnv_mix(0xcbf29ce484222325ULL, fl->frame_len);
	uint64_t from = fc_profile_length_end(p), to = from + 8;

	if (to > fl->frame_len)
		to = fl->frame_len;
	for (uint64_t k = from; k < to; k++)
		h = (h ^ frame[k]) * 0x100000001b3ULL;
	return h;
}

/* Walk data[0..len) with p, frame by frame, into *w: stop at the end, at
 * a bad length or after MAX_EMPTY_RUN empty frames in a row. Mixes the
 * frame lengths into w->hash. When seen is not NULL (a set of FRESH_BITS
 * bits), also counts w->distinct and w->fresh, marking in seen the
 * (offset, size) of each non-empty frame after the first. Linear in the
 * number of frames. */
static void walk(const struct fc_profile *p, const uint8_t *data, size_t len,
		 bool complete, uint64_t *seen, struct walk *w)
{
	size_t pos = 0;
	unsigned empty_run = 0;
	uint64_t keys[FRESH_BITS / 64], step = 0;
	struct fc_frame_len fl;

	memset(w, 0, sizeof(*w));
	if (seen)
		memset(keys, 0, sizeof(keys));
	w->hash = 0xcbf29ce484222325ULL;
	for (;;) {
		if (pos == len) {
			w->tiled = true;
			return;
		}
		enum fc_frame_status st =
			fc_profile_frame_len(p, data + pos, len - pos, &fl);
		if (st == FC_FRAME_NEED_MORE || (st == FC_FRAME_OK &&
						 fl.frame_len > len - pos)) {
			/* A partial last frame: fine if the sample goes on. */
			w->tiled = !complete;
			if (w->tiled) {
				w->bytes += len - pos;
				if (st == FC_FRAME_OK &&
				    (uint64_t)fl.length > w->max_length)
					w->max_length = (uint64_t)fl.length;
			}
			return;
		}
		if (st != FC_FRAME_OK)
			return;
		if (fl.length == 0 || fl.payload_len == 0) {
			if (++empty_run > MAX_EMPTY_RUN)
				return;
			w->empty++;
		} else {
			empty_run = 0;
			if (fl.frame_len > w->max_frame)
				w->max_frame = fl.frame_len;
			if (seen && set_bit(keys, frame_key(p, data + pos, &fl)))
				w->distinct++;
			if (seen && w->frames > w->empty && step >= MIN_STEP &&
			    set_bit(seen, fnv_mix(fnv_mix(0, pos), fl.frame_len)))
				w->fresh++;
		}
		if ((uint64_t)fl.length > w->max_length)
			w->max_length = (uint64_t)fl.length;
		w->frames++;
		w->bytes += fl.frame_len;
		pos += fl.frame_len;
		step = fl.frame_len;
		w->hash = fnv_mix(w->hash, fl.frame_len);
	}
}

/* How much simpler than the plainest framing these parameters are:
 * 1 for offset 0, adjustment 0, 2- or 4-byte length; down to about 0.6. */
static double simplicity(uint32_t offset, uint32_t size, int64_t adj)
{
	int64_t end = (int64_t)offset + size;
	double s = 1.0 - 0.01 * offset;

	if (adj == -end)
		s -= 0.01; /* the length counts the whole frame */
	else if (adj >= 1 && adj <= 4)
		s -= 0.015 * (double)adj; /* extra header bytes, not counted */
	else if (adj != 0)
		s -= 0.03 * (double)(adj < 0 ? -adj : adj);
	if (size == 1)
		s -= 0.02;
	else if (size == 3 || size == 8)
		s -= 0.005;
	return s;
}

/* The grid's profile for these parameters (max_frame: the search cap). */
static void grid_profile(struct fc_profile *p, uint32_t offset, uint32_t size,
			 enum fc_byte_order order, int64_t adj)
{
	uint32_t end = offset + size;

	memset(p, 0, sizeof(*p));
	strcpy(p->name, "detected");
	p->length_offset = offset;
	p->length_size = size;
	p->byte_order = order;
	p->is_signed = size == 4 && order == FC_LITTLE_ENDIAN;
	p->length_adjustment = adj;
	p->header_size = adj >= 1 && adj <= 4 ? end + (uint32_t)adj : end;
	p->max_frame = SEARCH_MAX_LENGTH;
}

/* log2(x) for 0 < x <= 1, without libm: x = m * 2^-k with m in [1/2, 1),
 * ln m = 2 atanh((m - 1) / (m + 1)), |z| <= 1/3, to 1e-9. */
static double log2_unit(double x)
{
	double k = 0, z, z2, term, sum = 0;

	while (x < 0.5) {
		x *= 2;
		k++;
	}
	z = (x - 1) / (x + 1);
	z2 = z * z;
	term = z;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return 2 * sum / 0.69314718055994531 - k;
}

/* The square root of x >= 0, without libm (Newton, to 1e-12 relative). */
static double sqrt_pos(double x)
{
	double r = x > 1 ? x : 1;

	if (x <= 0)
		return 0;
	for (int i = 0; i < 200; i++) {
		double next = (r + x / r) / 2;

		if (next >= r)
			break;
		r = next;
	}
	return r;
}

/* The bits of evidence each frame of s's chain under p carries: minus
 * log2 of an upper bound on the chance that a read of p anywhere in s
 * gives a non-empty frame of at most v bytes. Reads at up to PROBES
 * positions spread over s (each at a fixed pseudo-random place within its
 * stretch, so that no period of the data lines up with them), leaving out
 * the positions where the chain's frames start and the reads that give an
 * empty frame (the walk passes those without counting them). The bound is
 * Wilson's at z = 2: a rare miss among many reads proves nothing. p must
 * tile s. */
static double sample_bits(const struct fc_profile *p,
			  const struct fc_detect_sample *s, uint64_t v)
{
	const double z = 2;
	uint32_t end = fc_profile_length_end(p), jitter = 0x9e3779b9u;
	size_t span, reads, chain = 0;
	double n = 0, hits = 0, upper;
	struct fc_frame_len fl;

	if (s->len < end)
		return 0;
	span = s->len - end + 1; /* positions a length can be read at */
	reads = span < PROBES ? span : PROBES;
	for (size_t j = 0; j < reads; j++) {
		size_t lo = (size_t)((uint64_t)j * span / reads);
		size_t hi = (size_t)((uint64_t)(j + 1) * span / reads);
		size_t q;

		jitter = jitter * 1664525u + 1013904223u;
		q = lo + (jitter >> 8) % (hi - lo);
		while (chain < q) {
			if (fc_profile_frame_len(p, s->data + chain,
						 s->len - chain, &fl) != FC_FRAME_OK ||
			    fl.frame_len > s->len - chain) {
				chain = SIZE_MAX; /* the partial last frame */
				break;
			}
			chain += fl.frame_len;
		}
		if (chain == q)
			continue;
		switch (fc_profile_frame_len(p, s->data + q, s->len - q, &fl)) {
		case FC_FRAME_OK:
			if (!fl.length || !fl.payload_len)
				continue;
			if (fl.frame_len <= v)
				hits++;
			break;
		default:
			break;
		}
		n++;
	}
	if (n == 0)
		return 0;
	upper = (hits + z * z / 2 +
		 z * sqrt_pos(hits * (n - hits) / n + z * z / 4)) / (n + z * z);
	return upper >= 1 ? 0 : -log2_unit(upper);
}

/* Evaluate profile p (from the grid) on all samples into *e and update
 * *sum; returns whether it is worth reporting. Two passes: the walks,
 * then, if enough frames chained, the null model on the tiled samples. */
static bool evaluate(const struct fc_profile *p, double simple,
		     const struct fc_detect_sample *samples, size_t nsamples,
		     struct entry *e, struct summary *sum)
{
	uint64_t frames = 0, empty = 0, bytes = 0, total = 0, max_length = 0;
	uint64_t tiled_frames = 0, max_frame = 0;
	uint64_t hash = 0xcbf29ce484222325ULL;
	uint32_t tiled = 0, nonempty = 0;
	uint64_t seen[FRESH_BITS / 64];
	double bits = 0, land_bits;
	struct walk w;

	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];

		if (!s->len || !s->data)
			continue;
		nonempty++;
		total += s->len;
		walk(p, s->data, s->len, s->complete, NULL, &w);
		hash = fnv_mix(fnv_mix(hash, w.hash), w.tiled ? i + 1 : ~i);
		frames += w.frames;
		empty += w.empty;
		bytes += w.bytes;
		if (w.max_length > max_length)
			max_length = w.max_length;
		if (w.tiled) {
			tiled++;
			tiled_frames += w.frames - w.empty;
			if (w.max_frame > max_frame)
				max_frame = w.max_frame;
		}
	}
	if (tiled && tiled_frames > sum->best_tiled_frames)
		sum->best_tiled_frames = tiled_frames;
	sum->total = total;
	sum->samples = nonempty;
	if (!tiled || tiled_frames < FC_DETECT_MIN_FRAMES)
		return false;
	memset(seen, 0, sizeof(seen));
	land_bits = -log2_unit(1.0 / ((double)max_frame + 1));
	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];
		uint64_t n;
		bool land;
		double b;

		if (!s->len || !s->data)
			continue;
		walk(p, s->data, s->len, s->complete, seen, &w);
		if (!w.tiled)
			continue;
		n = w.fresh < REPEAT_CREDIT * w.distinct ?
		    w.fresh : REPEAT_CREDIT * w.distinct;
		land = s->complete && w.frames > w.empty &&
		       set_bit(seen, fnv_mix(~0ULL, s->len));
		if (!n && !land)
			continue;
		b = sample_bits(p, s, max_frame);
		bits += (double)n * b;
		if (land)
			bits += b < land_bits ? b : land_bits;
	}
	if (bits > sum->best_bits) {
		sum->best_bits = bits;
		sum->best_bits_frames = tiled_frames;
	}
	if (bits < MIN_BITS)
		return false;

	memset(e, 0, sizeof(*e));
	e->c.profile = *p;
	e->c.profile.max_frame = DEFAULT_MAX_FRAME;
	while (e->c.profile.max_frame < max_length)
		e->c.profile.max_frame <<= 1;
	e->c.frames = frames;
	e->c.bytes = bytes;
	e->c.total = total;
	e->c.samples_tiled = tiled;
	e->c.samples = nonempty;
	e->c.score = bits * (1.0 + (double)tiled / nonempty) / 2 *
		     ((double)bytes / (double)total) *
		     (1.0 - 0.75 * (double)empty / (double)frames) * simple;
	e->hash = hash;
	return true;
}

/* Keep e among the best *n entries of top (capacity cap, best first),
 * one entry per set of frames; ties keep the earlier (simpler) entry. */
static void keep(struct entry *top, size_t *n, size_t cap,
		 const struct entry *e)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (top[i].hash != e->hash || top[i].c.frames != e->c.frames ||
		    top[i].c.bytes != e->c.bytes)
			continue;
		if (!(e->c.score > top[i].c.score))
			return;
		memmove(&top[i], &top[i + 1], (*n - i - 1) * sizeof(*top));
		(*n)--;
		break;
	}
	for (i = 0; i < *n && !(e->c.score > top[i].c.score); i++)
		;
	if (i == cap)
		return;
	if (*n == cap)
		(*n)--;
	memmove(&top[i + 1], &top[i], (*n - i) * sizeof(*top));
	top[i] = *e;
	(*n)++;
}

/* Run the whole grid over the samples; keep the best in top (capacity
 * FC_DETECT_MAX_CANDIDATES), fill *sum; returns how many were kept. */
static size_t search(const struct fc_detect_sample *samples, size_t nsamples,
		     struct entry *top, struct summary *sum)
{
	static const uint32_t sizes[] = { 4, 2, 3, 8, 1 };
	size_t n = 0;
	struct entry e;
	struct fc_profile p;

	memset(sum, 0, sizeof(*sum));
	/* Adjustments in order of preference: 0, the length counts the
	 * whole frame, extra header bytes 1..4, then -1..-8, 5..8. */
	for (int a = 0; a < 2 + 4 + 2 * MAX_SMALL_ADJ - 4; a++) {
		for (uint32_t off = 0; off <= MAX_OFFSET; off++) {
			for (size_t si = 0; si < sizeof(sizes) / sizeof(*sizes); si++) {
				uint32_t size = sizes[si];
				int64_t end = (int64_t)off + size, adj;

				if (a == 0)
					adj = 0;
				else if (a == 1)
					adj = -end;
				else if (a < 6)
					adj = a - 1;
				else if (a < 6 + MAX_SMALL_ADJ)
					adj = -(a - 5);
				else
					adj = a - 6 - MAX_SMALL_ADJ + 5;
				if (a > 1 && adj == -end)
					continue; /* tried as a == 1 */
				for (int bo = 0; bo < (size == 1 ? 1 : 2); bo++) {
					grid_profile(&p, off, size,
						     bo ? FC_BIG_ENDIAN : FC_LITTLE_ENDIAN,
						     adj);
					if (evaluate(&p, simplicity(off, size, adj),
						     samples, nsamples, &e, sum))
						keep(top, &n, FC_DETECT_MAX_CANDIDATES, &e);
				}
			}
		}
	}
	return n;
}

size_t fc_detect_rank(const struct fc_detect_sample *samples, size_t nsamples,
		      struct fc_detect_candidate *out, size_t max)
{
	struct entry top[FC_DETECT_MAX_CANDIDATES];
	struct summary sum;
	size_t n;

	if (!max || !nsamples || !samples)
		return 0;
	n = search(samples, nsamples, top, &sum);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = top[i].c;
	return n;
}

void fc_detect_netty(const struct fc_profile *p, char *buf, size_t len)
{
	const char *order = p->byte_order == FC_BIG_ENDIAN ?
			    "ByteOrder.BIG_ENDIAN" : "ByteOrder.LITTLE_ENDIAN";
	int64_t max = (int64_t)p->max_frame + fc_profile_length_end(p) +
		      p->length_adjustment;

	if (!len)
		return;
	if (p->length_size != 1 && p->length_size != 2 && p->length_size != 3 &&
	    p->length_size != 4 && p->length_size != 8) {
		snprintf(buf, len, "// no Netty equivalent: LengthFieldBasedFrameDecoder "
			 "takes a length field of 1, 2, 3, 4 or 8 bytes, not %u",
			 (unsigned)p->length_size);
		return;
	}
	if (max > INT32_MAX)
		max = INT32_MAX;
	if (max < 0)
		max = 0;
	snprintf(buf, len, "new LengthFieldBasedFrameDecoder(%s, %lld, %u, %u, "
		 "%lld, %u, true)", order, (long long)max,
		 (unsigned)p->length_offset, (unsigned)p->length_size,
		 (long long)p->length_adjustment, (unsigned)p->header_size);
}

/* Append to buf[*used..len) like snprintf; *used stops at len - 1. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*used + 1 >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	*used += (size_t)r < len - *used ? (size_t)r : len - *used - 1;
}

void fc_detect_explain_none(const struct fc_detect_sample *samples,
			    size_t nsamples, char *buf, size_t len)
{
	struct entry top[FC_DETECT_MAX_CANDIDATES];
	struct summary sum;
	uint64_t hist[256] = { 0 }, printable = 0, total = 0;
	uint32_t nonempty = 0, digit_starts = 0;
	size_t n, used = 0;
	bool few;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; samples && i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];

		if (!s->len || !s->data)
			continue;
		nonempty++;
		if (s->data[0] >= '0' && s->data[0] <= '9')
			digit_starts++;
		for (size_t k = 0; k < s->len; k++) {
			uint8_t b = s->data[k];

			hist[b]++;
			if ((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\r' ||
			    b == '\n')
				printable++;
		}
		total += s->len;
	}
	if (!total) {
		append(buf, len, &used, "no data: no sample holds any bytes");
		return;
	}
	n = search(samples, nsamples, top, &sum);
	if (n) {
		append(buf, len, &used, "a framing fits: %llu frames in %u of %u samples",
		       (unsigned long long)top[0].c.frames,
		       (unsigned)top[0].c.samples_tiled, (unsigned)nonempty);
		return;
	}
	few = sum.best_bits >= MIN_BITS / 2 && sum.best_bits_frames < 16;
	if (sum.best_tiled_frames < FC_DETECT_MIN_FRAMES)
		append(buf, len, &used, "no candidate tiles more than %llu frame%s",
		       (unsigned long long)sum.best_tiled_frames,
		       sum.best_tiled_frames == 1 ? "" : "s");
	else if (few)
		append(buf, len, &used, "too few frames to tell: the best "
		       "framing tiles %llu, and chance could do as well with "
		       "so few; capture more traffic",
		       (unsigned long long)sum.best_bits_frames);
	else
		append(buf, len, &used, "the framings that tile (up to %llu "
		       "frames) do not beat chance: their lengths fit about as "
		       "well anywhere in these bytes, or the streams repeat "
		       "one another", (unsigned long long)sum.best_tiled_frames);

	unsigned pct = (unsigned)(printable * 100 / total);
	/* Chi-square of the byte counts against uniform: about 255 for
	 * random bytes, far more for anything structured. */
	double expect = (double)total / 256, chi2 = 0;
	for (int b = 0; b < 256; b++) {
		double d = (double)hist[b] - expect;
		chi2 += d * d / expect;
	}
	if (digit_starts * 2 > nonempty && (double)printable >= PRINTABLE_TEXT * (double)total)
		append(buf, len, &used, "; the data looks like text (%u%% printable) "
		       "and starts with ASCII digits: a length written as decimal "
		       "text (str(len)) instead of fixed-width binary?", pct);
	else if (digit_starts * 2 > nonempty)
		append(buf, len, &used, "; the samples start with ASCII digits: a "
		       "length written as decimal text (str(len))?");
	else if ((double)printable >= PRINTABLE_TEXT * (double)total)
		append(buf, len, &used, "; the data looks like text (%u%% printable): "
		       "a delimiter protocol?", pct);
	else if (total >= 1024 && chi2 < 2 * 255)
		append(buf, len, &used, "; the bytes look random (%u%% printable): "
		       "encrypted or compressed, or not the start of the stream?",
		       pct);
	else if (total < 64)
		append(buf, len, &used, "; only %llu bytes: too few to tell",
		       (unsigned long long)total);
	else if (!few)
		append(buf, len, &used, "; binary data, but no 1, 2, 3, 4 or 8-byte "
		       "length at offsets 0..8 clearly explains it: fixed-size "
		       "records, another framing, or too little traffic?");
}
