/* SPDX-License-Identifier: GPL-2.0-or-later */
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
 * Other framings. Varints (offsets 0..4, at most 4 or 5 bytes) and BER
 * (a constructed tag) are walked the same way, but a varint or BER length
 * read anywhere is most often plausible, so they also score the writes
 * (write_bits): of the packet starts their chain passes, the share it
 * begins a frame at against the share a chain of that density hits by
 * chance; they need ALT_MIN_BITS, never make a low-confidence guess, are
 * not tried on text and only when no length field or delimiter is sure.
 * Delimiters ("\r\n", "\n", "\0") are tried on text only, and judged by
 * the writes that end with them (evaluate_delim). Fixed-size frames
 * (evaluate_fixed) are judged by the writes too: the smallest write is
 * the size, every write must be a multiple of it, each carries
 * log2(size) bits. A length field whose top bit is set where a chain
 * starts is also tried with a length_mask of its other bits (ONC RPC's
 * last-fragment flag), kept only when most frames carry the flag.
 *
 *   search(strict) -> top  --try_prelude-->  top'   (better with a prelude?)
 *   search(loose)  -> top2 --with_prelude--> keep() into top'
 *
 * Preludes. A direction whose start was captured but that a framing does
 * not tile from 0 may begin with a prelude (find_prelude_step: frames of a
 * 2- or 4-byte length at 0, else a literal string ending at a packet
 * start or a line end). The loose search lets such directions begin their
 * chain at a later packet start, so that the framing after a prelude is
 * found at all; every candidate is then scored strictly, with its
 * prelude read as the decoder reads it (prelude_end). Steps are added
 * per direction (add_prelude_step) while directions still do not tile
 * where the steps end and the framing scores better:
 *
 *   c2s: ["XPROTO/1"] -> [2-byte length frame] -> typed frames ...
 *         bytes_one_of    profile, max_frames 1    the framing
 *
 * fc_detect_fit measures a framing found elsewhere (another port's) on
 * the samples, strictly, for ports with too few frames of their own.
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
#define MAX_OFFSET 32 /* BGP's length is at 16, after the marker */
#define MAX_SMALL_OFFSET 8 /* -8..8 are tried up to here */
#define MAX_SMALL_ADJ 8
#define MAX_SOLVED_ADJ 64 /* |adjustment| solved from the data */
#define ADJ_PER_FIELD 40 /* adjustments tried per length field */
#define SOLVE_SAMPLES 8 /* samples an adjustment is solved from */
#define SOLVE_BOUNDS 4 /* packet starts per sample solved from */
#define MAX_STARTS_TRIED 8 /* packet starts where a mid-stream chain may begin */
#define LOW_MIN_FRAMES 2 /* non-empty frames of a low-confidence guess */
#define LOW_BITS 8.0
#define LOW_BITS_PER_LANDING 2.0 /* below: many weak frames, not few strong */
#define MAX_EMPTY_RUN 32
#define REPEAT_CREDIT 4 /* frames of evidence per distinct frame */
#define FRESH_BITS 16384
/* A length_mask is a parameter more: a little less plain than the same
 * field unmasked, but plainer than a narrower field after the flag bits
 * (ONC RPC: 4 bytes at 0, mask 0x7fffffff, not 2 bytes at 2). */
#define MASK_COST 0.004
#define MIN_STEP 4 /* a landing this close to the last read is no news */
#define PROBES 1024 /* null-model reads per sample */
#define MIN_BITS 20.0
#define PRINTABLE_TEXT 0.85
#define MAX_VARINT_OFFSET 4
/* The evidence a varint or BER framing needs: twice a length field's
 * (their lengths fit more bytes by chance), and only when no length
 * field or delimiter is sure (no low-confidence guesses either). */
#define ALT_MIN_BITS (2 * MIN_BITS)
#define FIXED_MAX (64u << 10) /* the largest fixed frame searched */
#define FIXED_SEGMENT 536 /* writes all this size or more: an MSS (IPv4's least) */
#define FIXED_SIMPLE 0.96 /* a fixed size: plainer than BER, a varint */
#define DELIM_MIN_MAX_FRAME (64u << 10) /* a detected delimiter's max_frame */
#define PRELUDE_MAX_FRAMES 4 /* frames of a prelude's own framing */
#define PRELUDE_MAX_LENGTH 16384 /* of a prelude frame's length field */
#define PRELUDE_TRIED FC_DETECT_MAX_CANDIDATES /* candidates a prelude is looked for */
#define PRELUDE_SAMPLES 64 /* directions a prelude is fitted to */

/* One walk over one sample. */
struct walk {
	uint64_t frames; /* complete frames cut */
	uint64_t empty; /* of which with an empty length or payload */
	uint64_t flagged; /* of the others, with bits outside length_mask */
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
	bool exact; /* the last frame ends where the direction's bytes do */
};

/* A candidate being ranked: what the caller gets, plus its frames' hash
 * and how plain its parameters are. */
struct entry {
	struct fc_detect_candidate c;
	uint64_t hash;
	double simple;
};

/* What the whole search saw, for fc_detect_explain_none. */
struct summary {
	uint64_t best_tiled_frames; /* most frames any candidate cut in the
				     * samples it tiled */
	double best_bits; /* most evidence any candidate had */
	uint64_t best_bits_frames; /* frames of that candidate */
	uint64_t total;
	uint32_t samples; /* non-empty */
	/* The plain length field (offset up to 8, small adjustment) that
	 * tiles every sample with the best score, however little evidence
	 * it has: the closest reading, for an explanation. */
	struct fc_profile near;
	double near_score, near_bits, near_simple;
	uint64_t near_hash;
	uint64_t near_frames; /* 0: none */
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

/* Where s's direction ends: its stream_len, at least the head. */
static uint64_t sample_end(const struct fc_detect_sample *s)
{
	return s->stream_len > s->len ? s->stream_len : s->len;
}

/* The bytes of s at direction offset pos, with *avail the number kept
 * from there on: the head, else the window holding pos (binary search).
 * NULL (and *avail 0) when that byte was not kept. */
static const uint8_t *bytes_at(const struct fc_detect_sample *s, uint64_t pos,
			       size_t *avail)
{
	size_t lo = 0, hi = s->nwindows;
	const struct fc_detect_window *w;

	*avail = 0;
	if (pos < s->len) {
		*avail = s->len - pos;
		return s->data + pos;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->windows[mid].offset <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	w = &s->windows[lo - 1];
	if (pos - w->offset >= w->len)
		return NULL;
	*avail = w->len - (pos - w->offset);
	return w->data + (pos - w->offset);
}

/* A hash of a complete frame's size, of its bytes up to 8 after its
 * length field (of the avail kept) and of its last 8 bytes (when kept):
 * frames of one size that differ in those bytes count as distinct, the
 * frames of a cycle through periodic data do not. The polls of industrial
 * protocols repeat most of their header (a session handle, a unit id)
 * and differ in a transaction id before the length or in the values at
 * the end. */
static uint64_t frame_key(const struct fc_profile *p,
			  const struct fc_detect_sample *s, uint64_t pos,
			  const uint8_t *frame, size_t avail,
			  const struct fc_frame_len *fl)
{
	uint64_t h = fnv_mix(0xcbf29ce484222325ULL, fl->frame_len);
	uint64_t to = fc_profile_length_end(p) + 8;
	uint64_t tail = fl->frame_len > 8 ? fl->frame_len - 8 : 0;
	const uint8_t *t;
	size_t tail_avail;

	if (to > fl->frame_len)
		to = fl->frame_len;
	if (to > avail)
		to = avail;
	for (uint64_t k = 0; k < to; k++)
		h = (h ^ frame[k]) * 0x100000001b3ULL;
	if (tail >= to && (t = bytes_at(s, pos + tail, &tail_avail)))
		for (uint64_t k = 0; k < fl->frame_len - tail && k < tail_avail; k++)
			h = (h ^ t[k]) * 0x100000001b3ULL;
	return h;
}

/* Does the frame at b (its header read) start as p's frames may? BER:
 * a constructed tag (bit 0x20: LDAP's and SNMP's SEQUENCE 0x30); a
 * primitive one at top level is not a message. Others: always. */
static bool tag_fits(const struct fc_profile *p, const uint8_t *b)
{
	return p->framing != FC_FRAMING_BER || (b[0] & 0x20);
}

/* The fewest bytes a read of p needs to say anything: the length field's
 * end, a varint's first byte, BER's tag and first length byte. */
static uint32_t read_min(const struct fc_profile *p)
{
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		return p->length_offset + 1;
	case FC_FRAMING_BER:
		return 2;
	case FC_FRAMING_DELIMITER:
		return p->delimiter_len;
	default:
		return fc_profile_length_end(p);
	}
}

/* Walk s with p from direction offset start, frame by frame, into *w:
 * stop at the end, at a bad length, after MAX_EMPTY_RUN empty frames in a
 * row, or where the bytes were not kept (the chain may go on: tiled, the
 * rest counted as explained like a partial last frame). Large frames cost
 * nothing: their payload is skipped. Mixes the frame lengths into
 * w->hash. When seen is not NULL (a set of FRESH_BITS bits), also counts
 * w->distinct and w->fresh, marking in seen the (offset, size) of each
 * non-empty frame after the first. Linear in the number of frames. */
static void walk(const struct fc_profile *p, const struct fc_detect_sample *s,
		 uint64_t start, uint64_t *seen, struct walk *w)
{
	uint64_t pos = start, end = sample_end(s);
	unsigned empty_run = 0;
	uint64_t keys[FRESH_BITS / 64], step = 0;
	struct fc_frame_len fl;

	memset(w, 0, sizeof(*w));
	if (seen)
		memset(keys, 0, sizeof(keys));
	w->hash = 0xcbf29ce484222325ULL;
	for (;;) {
		size_t avail;
		const uint8_t *b;
		enum fc_frame_status st;

		if (pos == end) {
			w->tiled = w->exact = true;
			return;
		}
		b = bytes_at(s, pos, &avail);
		st = b ? fc_profile_frame_len(p, b, avail, &fl) : FC_FRAME_NEED_MORE;
		if (st == FC_FRAME_NEED_MORE && pos + avail < end) {
			/* Not kept: what follows cannot be checked. */
			w->tiled = true;
			w->bytes += end - pos;
			return;
		}
		if (st == FC_FRAME_NEED_MORE || (st == FC_FRAME_OK &&
						 fl.frame_len > end - pos)) {
			/* A partial last frame: fine if the direction goes on. */
			w->tiled = !s->complete;
			if (w->tiled) {
				w->bytes += end - pos;
				if (st == FC_FRAME_OK &&
				    (uint64_t)fl.length > w->max_length)
					w->max_length = (uint64_t)fl.length;
			}
			return;
		}
		if (st != FC_FRAME_OK || !tag_fits(p, b))
			return;
		if (fl.length == 0 || fl.payload_len == 0) {
			if (++empty_run > MAX_EMPTY_RUN)
				return;
			w->empty++;
		} else {
			empty_run = 0;
			if (fl.flags)
				w->flagged++;
			if (fl.frame_len > w->max_frame)
				w->max_frame = fl.frame_len;
			if (seen && set_bit(keys, frame_key(p, s, pos, b, avail, &fl)))
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

/* Where p's prelude, read as the decoder reads it, ends in s's head (0
 * without one): each step of s's direction in turn, a bytes_one_of once,
 * a profile up to max_frames frames while they parse (OK) and fit in the
 * head. */
static uint64_t prelude_end(const struct fc_profile *p, const struct fc_detect_sample *s)
{
	uint32_t nsteps;
	const struct fc_prelude_step *st = fc_prelude_steps(p, s->dir, &nsteps);
	uint64_t pos = 0;
	struct fc_frame_len fl;

	for (uint32_t i = 0; i < nsteps; i++) {
		uint32_t frames = 0;

		/* The core's rule for a step (fc_prelude_frame_len), as the
		 * decoder reads it: a literal once, a profile up to max_frames. */
		while (pos < s->len &&
		       fc_prelude_frame_len(&st[i], s->data + pos, s->len - pos, &fl) ==
			       FC_FRAME_OK &&
		       fl.frame_len <= s->len - pos) {
			pos += fl.frame_len;
			if (st[i].kind == FC_PRELUDE_BYTES_ONE_OF || ++frames >= st[i].max_frames)
				break;
		}
	}
	return pos;
}

/* Where p's chain starts in s, walked into *w: where p's prelude ends (0
 * without one) when the direction's start was captured; else, as a resynchronising decoder would, the first
 * of 0 and the first MAX_STARTS_TRIED packet starts from which p tiles the
 * most non-empty frames (a sender's write most often begins a packet).
 * loose: so are directions whose start was captured but that p does not
 * tile from there with a complete frame (a prelude not yet known, most
 * often a write of its own). */
static uint64_t chain_start(const struct fc_profile *p,
			    const struct fc_detect_sample *s, bool loose, struct walk *w)
{
	uint64_t best = 0;
	struct walk t;

	if (!s->mid_stream) {
		best = prelude_end(p, s);
		walk(p, s, best, NULL, w);
		if (!loose || (w->tiled && w->frames > w->empty))
			return best;
	} else {
		walk(p, s, 0, NULL, w);
	}
	for (size_t i = 0; i < s->nstarts && i < MAX_STARTS_TRIED; i++) {
		if (s->starts[i] == 0 || s->starts[i] >= s->len)
			continue;
		walk(p, s, s->starts[i], NULL, &t);
		if (t.tiled && (!w->tiled ||
				t.frames - t.empty > w->frames - w->empty)) {
			*w = t;
			best = s->starts[i];
		}
	}
	return best;
}

/* How much simpler than the plainest framing these parameters are: 1 for
 * offset 0, adjustment 0, 2- or 4-byte length; less for each free
 * parameter and for a field not aligned to its size (the plain reading of
 * a header: Modbus's 2 bytes at offset 4 rather than 4 bytes at 2 that
 * take in the zero protocol id). Down to about 0.6. */
static double simplicity(uint32_t offset, uint32_t size, int64_t adj)
{
	int64_t end = (int64_t)offset + size;
	double s = 1.0 - 0.005 * offset;
	bool aligned = size == 3 ? offset % 4 <= 1 : offset % (size > 4 ? 4 : size) == 0;

	if (!aligned)
		s -= 0.03;
	if (adj == -end)
		s -= 0.01; /* the length counts the whole frame */
	else if (adj >= 1 && adj <= 4)
		s -= 0.015 * (double)adj; /* extra header bytes, not counted */
	else if (adj != 0)
		s -= 0.06 + 0.002 * (double)(adj < 0 ? -adj : adj);
	if (size == 1)
		s -= 0.02;
	else if (size == 3)
		s -= 0.01;
	else if (size == 8)
		s -= 0.005;
	return s;
}

/* The candidate profile for these parameters (max_frame: the search cap).
 * A positive adjustment is read as header bytes after the length field
 * that it does not count (MySQL's sequence id, EtherNet/IP's 20 bytes of
 * session and context): they are header, not payload. */
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
	p->header_size = adj >= 1 && adj <= MAX_SOLVED_ADJ ? end + (uint32_t)adj : end;
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
 * log2 of an upper bound on the chance that a read of p anywhere in s's
 * head gives a non-empty frame of at most v bytes. Reads at up to PROBES
 * positions spread over the head (each at a fixed pseudo-random place
 * within its stretch, so that no period of the data lines up with them),
 * leaving out the positions where the chain (from start) has its frames
 * and the reads that give an empty frame (the walk passes those without
 * counting them). The bound is Wilson's at z = 2: a rare miss among many
 * reads proves nothing. p must tile s. */
static double sample_bits(const struct fc_profile *p,
			  const struct fc_detect_sample *s, uint64_t start,
			  uint64_t v)
{
	const double z = 2;
	uint32_t end = read_min(p), jitter = 0x9e3779b9u;
	size_t span, reads;
	uint64_t chain = start;
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
				chain = UINT64_MAX; /* past the head */
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
			if (fl.frame_len <= v && tag_fits(p, s->data + q))
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

/* The printable share (with tab, CR, LF and the delimiter's bytes) of
 * the samples' heads, in percent, a run of one byte counted once (a
 * binary protocol carrying a long text payload is not text). */
static uint32_t text_pct(const struct fc_profile *p, const struct fc_detect_sample *samples,
			 size_t nsamples)
{
	uint64_t printable = 0, total = 0;

	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];

		if (!s->data)
			continue;
		for (size_t k = 0; k < s->len; k++) {
			uint8_t b = s->data[k];

			if (k && b == s->data[k - 1])
				continue; /* a run counts once */
			total++;

			if ((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\r' || b == '\n' ||
			    memchr(p->delimiter, b, p->delimiter_len))
				printable++;
		}
	}
	return total ? (uint32_t)(printable * 100 / total) : 0;
}

/* The evidence of the writes p's chain in s (from start) begins a frame
 * at, for the framings whose lengths fit almost any bytes (a varint or
 * BER length read anywhere is most often a plausible one, so landing on
 * a header proves little). Of the N packet starts in the head that the
 * chain passes, it begins a frame at h (each counted once per offset and
 * the 16 bytes before it, in seen; added to *landed); by chance it would
 * at about r of them, r its frame starts per byte. The bits are the
 * Chernoff bound on that many hits by chance, N * D(h/N || r), or 0 when
 * h/N is not above r: a chain that lands on a few of many writes proves
 * nothing. */
static double write_bits(const struct fc_profile *p, const struct fc_detect_sample *s,
			 uint64_t start, uint64_t *seen, uint64_t *landed)
{
	uint64_t pos = start, hits = 0, passed = 0, nframes = 0;
	size_t k = 0;
	struct fc_frame_len fl;
	double a, r, d;

	if (start >= s->len)
		return 0;
	while (k < s->nstarts && s->starts[k] <= start)
		k++;
	while (pos < s->len) {
		if (fc_profile_frame_len(p, s->data + pos, s->len - pos, &fl) != FC_FRAME_OK ||
		    !fl.frame_len)
			break;
		nframes++;
		pos += fl.frame_len;
		for (; k < s->nstarts && s->starts[k] < pos && s->starts[k] < s->len; k++)
			passed++;
		if (k < s->nstarts && s->starts[k] == pos && pos < s->len) {
			uint64_t key = 0xcbf29ce484222325ULL;

			passed++;
			k++;
			for (uint64_t j = pos >= 16 ? pos - 16 : 0; j < pos; j++)
				key = (key ^ s->data[j]) * 0x100000001b3ULL;
			if (set_bit(seen, fnv_mix(key, ~pos)))
				hits++;
		}
	}
	r = (double)nframes / (double)(s->len - start);
	if (!hits || !passed || r >= 1)
		return 0;
	a = (double)hits / (double)passed;
	if (a <= r)
		return 0;
	d = a * -log2_unit(r / a);
	if (a < 1)
		d -= (1 - a) * -log2_unit((1 - a) / (1 - r) < 1 ? (1 - a) / (1 - r) : 1);
	*landed += hits;
	return (double)passed * d;
}

/* What one pass over the samples saw of a candidate: the walks (first
 * pass) and the evidence (second). */
struct tally {
	uint64_t frames, empty, bytes, total, max_length;
	uint64_t tiled_frames, max_frame, landed;
	uint64_t flagged; /* non-empty frames with flag bits, in tiled samples */
	uint64_t hash;
	uint32_t tiled, nonempty;
	double bits;
};

/* Add sample i (s, non-empty) walked with p from its chain start to *t,
 * into *w; returns the chain start. A prelude's bytes count as explained
 * in a strict pass. */
static uint64_t tally_walk(struct tally *t, const struct fc_profile *p,
			   const struct fc_detect_sample *s, size_t i, bool loose,
			   struct walk *w)
{
	uint64_t start;

	t->nonempty++;
	t->total += sample_end(s);
	start = chain_start(p, s, loose, w);
	t->hash = fnv_mix(fnv_mix(fnv_mix(t->hash, w->hash), start),
			  w->tiled ? i + 1 : ~i);
	t->frames += w->frames;
	t->empty += w->empty;
	t->bytes += w->bytes;
	if (!loose && !s->mid_stream)
		t->bytes += start; /* a prelude's */
	if (w->max_length > t->max_length)
		t->max_length = w->max_length;
	if (w->tiled) {
		t->tiled++;
		t->tiled_frames += w->frames - w->empty;
		t->flagged += w->flagged;
		if (w->max_frame > t->max_frame)
			t->max_frame = w->max_frame;
	}
	return start;
}

/* Record in *sum what the walks of *t reached. */
static void tally_summary(const struct tally *t, struct summary *sum)
{
	if (t->tiled && t->tiled_frames > sum->best_tiled_frames)
		sum->best_tiled_frames = t->tiled_frames;
	sum->total = t->total;
	sum->samples = t->nonempty;
}

/* Record in *sum the evidence of *t, when it is the most seen. */
static void tally_bits(const struct tally *t, struct summary *sum)
{
	if (t->bits > sum->best_bits) {
		sum->best_bits = t->bits;
		sum->best_bits_frames = t->tiled_frames;
	}
}

/* Fill *e with candidate p as *t measured it: max_frame the smallest
 * power of two from floor that holds every length read, the verdict (1:
 * low confidence), and the score (fc_detect.c's summary). */
static void fill_entry(struct entry *e, const struct fc_profile *p, uint64_t floor,
		       const struct tally *t, int verdict, double simple)
{
	memset(e, 0, sizeof(*e));
	e->c.profile = *p;
	e->c.profile.max_frame = floor;
	while (e->c.profile.max_frame < t->max_length)
		e->c.profile.max_frame <<= 1;
	e->c.frames = t->frames;
	e->c.bytes = t->bytes;
	e->c.total = t->total;
	e->c.samples_tiled = t->tiled;
	e->c.samples = t->nonempty;
	e->c.landed = t->landed;
	e->c.bits = t->bits;
	e->c.low_confidence = verdict == 1;
	e->c.score = t->bits * (1.0 + (double)t->tiled / t->nonempty) / 2 *
		     ((double)t->bytes / (double)t->total) *
		     (1.0 - 0.75 * (double)t->empty / (double)t->frames) * simple;
	e->hash = t->hash;
	e->simple = simple;
}

/* The second pass of evaluate(): the evidence of p's chains in the samples
 * it tiles, into t->bits and t->landed (see the summary at the top). */
static void tally_evidence(struct tally *t, const struct fc_profile *p, bool loose,
			   const struct fc_detect_sample *samples, size_t nsamples)
{
	uint64_t seen[FRESH_BITS / 64];
	double land_bits = -log2_unit(1.0 / ((double)t->max_frame + 1));
	struct walk w;

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];
		uint64_t n, start;
		bool land;
		double b;

		if (!s->len || !s->data)
			continue;
		start = chain_start(p, s, loose, &w);
		walk(p, s, start, seen, &w);
		if (!w.tiled)
			continue;
		n = w.fresh < REPEAT_CREDIT * w.distinct ?
		    w.fresh : REPEAT_CREDIT * w.distinct;
		/* a chain that ends exactly where the direction (or its
		 * capture, at a packet end) does */
		land = w.exact && w.frames > w.empty &&
		       set_bit(seen, fnv_mix(~0ULL, sample_end(s)));
		t->landed += n + land;
		if (!n && !land)
			continue;
		b = sample_bits(p, s, start, t->max_frame);
		t->bits += (double)n * b;
		if (land)
			t->bits += b < land_bits ? b : land_bits;
		if (p->framing == FC_FRAMING_VARINT || p->framing == FC_FRAMING_BER)
			t->bits += write_bits(p, s, start, seen, &t->landed);
	}
}

/* Is p one of the few plain length fields a low-confidence guess may be
 * (offset up to 8, an adjustment that counts the field's end or is
 * small)? With few frames, the wider search would fit something by
 * chance. */
static bool plain(const struct fc_profile *p)
{
	return p->length_offset <= MAX_SMALL_OFFSET &&
	       (p->length_adjustment == -(int64_t)fc_profile_length_end(p) ||
		(p->length_adjustment >= -MAX_SMALL_ADJ &&
		 p->length_adjustment <= MAX_SMALL_ADJ));
}

/* Evaluate profile p on all samples into *e and update *sum; returns 2
 * when it has the evidence to be reported, 1 when it is a low-confidence
 * guess (it tiles every sample with at least 2 non-empty frames and has
 * LOW_BITS, LOW_BITS_PER_LANDING a frame: few frames, each unlikely by
 * chance, not many that prove nothing, as 1-byte lengths in text; and
 * only among the few plain framings (offset up to 8, small adjustments):
 * with few frames, the wider search would fit something by chance), else
 * 0. Two passes: the walks, then, if enough frames
 * chained, the null model on the tiled samples. */
static int evaluate(const struct fc_profile *p, double simple, bool loose,
		    const struct fc_detect_sample *samples, size_t nsamples,
		    struct entry *e, struct summary *sum)
{
	struct tally t = { .hash = 0xcbf29ce484222325ULL };
	struct walk w;
	int verdict;

	for (size_t i = 0; i < nsamples; i++)
		if (samples[i].len && samples[i].data)
			tally_walk(&t, p, &samples[i], i, loose, &w);
	tally_summary(&t, sum);
	if (!t.tiled || t.tiled_frames < LOW_MIN_FRAMES)
		return 0;
	/* A mask must explain flags that most frames carry (ONC RPC's
	 * last-fragment bit), not one high byte met by chance. */
	if (p->length_mask && (t.flagged < LOW_MIN_FRAMES || 2 * t.flagged < t.tiled_frames))
		return 0;
	/* A varint or BER length fits text anywhere: text is not framed so. */
	if ((p->framing == FC_FRAMING_VARINT || p->framing == FC_FRAMING_BER) &&
	    (double)text_pct(p, samples, nsamples) >= 100 * PRINTABLE_TEXT)
		return 0;
	tally_evidence(&t, p, loose, samples, nsamples);
	tally_bits(&t, sum);
	if (p->framing == FC_FRAMING_LENGTH && t.tiled == t.nonempty && plain(p)) {
		fill_entry(e, p, DEFAULT_MAX_FRAME, &t, 1, simple);
		/* of readings that cut the same frames, the plainest */
		if (sum->near_frames && e->hash == sum->near_hash ?
		    simple > sum->near_simple : e->c.score > sum->near_score) {
			sum->near = e->c.profile;
			sum->near_hash = e->hash;
			sum->near_simple = simple;
			sum->near_score = e->c.score;
			sum->near_bits = t.bits;
			sum->near_frames = t.tiled_frames;
		}
	}
	if (p->framing != FC_FRAMING_LENGTH)
		verdict = t.bits >= ALT_MIN_BITS && t.tiled_frames >= FC_DETECT_MIN_FRAMES ? 2 : 0;
	else if (t.bits >= MIN_BITS && t.tiled_frames >= FC_DETECT_MIN_FRAMES)
		verdict = 2;
	else if (t.bits >= LOW_BITS && t.tiled == t.nonempty &&
		 t.bits >= LOW_BITS_PER_LANDING * (double)t.landed && plain(p))
		verdict = 1; /* few frames, but each one telling */
	else
		verdict = 0;
	if (verdict)
		fill_entry(e, p, DEFAULT_MAX_FRAME, &t, verdict, simple);
	return verdict;
}

/* The share of s's head, in [0, 1], at which p's delimiter ends: the
 * chance that a write ending anywhere ends with it. Taken at the top of
 * its Wilson interval (z = 2), like sample_bits. */
static double delim_rate(const struct fc_profile *p, const struct fc_detect_sample *s)
{
	const double z = 2;
	uint32_t dl = p->delimiter_len;
	double n, hits = 0;

	if (s->len < dl)
		return 1;
	n = (double)(s->len - dl + 1);
	for (size_t i = 0; i + dl <= s->len; i++)
		if (s->data[i] == p->delimiter[0] && !memcmp(s->data + i, p->delimiter, dl))
			hits++;
	return (hits + z * z / 2 + z * sqrt_pos(hits * (n - hits) / n + z * z / 4)) /
	       (n + z * z);
}

/* Evaluate delimiter profile p like evaluate() does a prefix framing,
 * with another evidence: a delimiter tiles any text that holds it, so
 * what counts is where the sender's writes ended (the byte before each
 * packet start in the head, the end of a complete direction): each one
 * that ends with the delimiter carries -log2 of the chance that a write
 * ending at random would (delim_rate), counted once per offset and line
 * (streams that start alike are one observation). Needs text (at least
 * PRINTABLE_TEXT of the bytes, the delimiter's included: a binary
 * protocol is not cut by its zero bytes) and most writes ending with the
 * delimiter. Returns 2, 1 (low confidence) or 0 as evaluate(). */
static int evaluate_delim(const struct fc_profile *p, double simple, bool loose,
			  const struct fc_detect_sample *samples, size_t nsamples,
			  struct entry *e, struct summary *sum)
{
	struct tally t = { .hash = 0xcbf29ce484222325ULL };
	uint64_t writes = 0;
	uint32_t pct;
	uint64_t seen[FRESH_BITS / 64];
	struct walk w;
	int verdict;

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];
		uint32_t dl = p->delimiter_len;
		uint64_t start, hits = 0;
		double b;

		if (!s->len || !s->data)
			continue;
		start = tally_walk(&t, p, s, i, loose, &w);
		if (!w.tiled)
			continue;
		for (size_t k = 0; k <= s->nstarts; k++) {
			/* the write ending before packet start k, or the end */
			uint64_t at = k < s->nstarts ? s->starts[k] :
				      s->complete && sample_end(s) == s->len ? s->len : 0;
			uint64_t key = 0xcbf29ce484222325ULL;

			if (at <= start || at < dl || at > s->len)
				continue;
			writes++;
			if (memcmp(s->data + at - dl, p->delimiter, dl))
				continue;
			for (uint64_t j = at >= 16 ? at - 16 : 0; j < at; j++)
				key = (key ^ s->data[j]) * 0x100000001b3ULL;
			if (set_bit(seen, fnv_mix(key, at)))
				hits++;
		}
		t.landed += hits;
		if (hits) {
			b = delim_rate(p, s);
			t.bits += (double)hits * (b >= 1 ? 0 : -log2_unit(b));
		}
	}
	tally_summary(&t, sum);
	if (!t.tiled || t.tiled_frames < LOW_MIN_FRAMES || 2 * t.landed < writes)
		return 0;
	pct = text_pct(p, samples, nsamples);
	if ((double)pct < 100 * PRINTABLE_TEXT)
		return 0;
	tally_bits(&t, sum);
	if (t.bits >= MIN_BITS && t.tiled_frames >= FC_DETECT_MIN_FRAMES)
		verdict = 2;
	else if (t.bits >= LOW_BITS && t.tiled == t.nonempty)
		verdict = 1;
	else
		return 0;
	fill_entry(e, p, DELIM_MIN_MAX_FRAME, &t, verdict, simple);
	e->c.writes = writes;
	e->c.text_pct = pct;
	return verdict;
}

/* The writes of s from its chain start `start`: calls fn(at, prev, arg)
 * for each write end `at` after start (packet starts in the head and,
 * when the head holds the whole direction, its end), prev the one
 * before. */
static void for_writes(const struct fc_detect_sample *s, uint64_t start,
		       void (*fn)(uint64_t at, uint64_t prev, void *arg), void *arg)
{
	uint64_t prev = start;

	for (size_t k = 0; k <= s->nstarts; k++) {
		uint64_t at = k < s->nstarts ? s->starts[k] :
			      sample_end(s) == s->len ? s->len : 0;

		if (at <= prev || at > s->len)
			continue;
		fn(at, prev, arg);
		prev = at;
	}
}

/* What the writes of the samples say about fixed-size frames. */
struct fixed_writes {
	uint64_t size; /* the frame size judged (0: find the smallest write) */
	uint64_t smallest, largest, writes, odd; /* odd: not a multiple of size */
	uint64_t fresh; /* distinct write ends (offset and bytes before) but
			 * the first write's of a sample (it sets the size) */
	uint64_t start; /* the sample's chain start */
	const struct fc_detect_sample *s;
	uint64_t *seen;
};

/* for_writes callback: count one write into a struct fixed_writes. */
static void fixed_write(uint64_t at, uint64_t prev, void *arg)
{
	struct fixed_writes *f = arg;
	uint64_t key = 0xcbf29ce484222325ULL;

	if (!f->smallest || at - prev < f->smallest)
		f->smallest = at - prev;
	if (at - prev > f->largest)
		f->largest = at - prev;
	f->writes++;
	if (!f->size)
		return;
	if ((at - prev) % f->size) {
		f->odd++;
		return;
	}
	if (prev == f->start)
		return;
	for (uint64_t j = at >= 16 ? at - 16 : 0; j < at; j++)
		key = (key ^ f->s->data[j]) * 0x100000001b3ULL;
	if (set_bit(f->seen, fnv_mix(key, at)))
		f->fresh++;
}

/* The frame size fixed-size records would have in the samples: their
 * smallest write (a packet of one record), when that is 2..FIXED_MAX
 * bytes; 0 when there is none, or when every write has that size and it
 * is FIXED_SEGMENT or more: full-sized TCP segments of a bulk transfer
 * (the sender's MSS), not records. Writes are read from 0 (a mid-stream
 * direction: from its first packet start). */
static uint64_t fixed_size(const struct fc_detect_sample *samples, size_t nsamples)
{
	struct fixed_writes f = { 0 };

	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];

		if (!s->len || !s->data)
			continue;
		for_writes(s, s->mid_stream && s->nstarts ? s->starts[0] : 0, fixed_write, &f);
	}
	if (f.smallest == f.largest && f.smallest >= FIXED_SEGMENT)
		return 0;
	return f.smallest >= 2 && f.smallest <= FIXED_MAX ? f.smallest : 0;
}

/* Evaluate fixed-size profile p like evaluate() does a length field, with
 * the evidence of the writes: every direction must tile and every write
 * (packet) after its chain's start be a whole number of frames; each
 * write but a direction's first, counted once per offset and the bytes
 * before it, carries log2(frame_size) bits, the chance that a write of
 * any size would be such a multiple. Variable traffic, where
 * some write is not, is never claimed. Needs ALT_MIN_BITS; never a
 * low-confidence guess. Returns 2 or 0. */
static int evaluate_fixed(const struct fc_profile *p, double simple, bool loose,
			  const struct fc_detect_sample *samples, size_t nsamples,
			  struct entry *e, struct summary *sum)
{
	struct tally t = { .hash = 0xcbf29ce484222325ULL };
	uint64_t seen[FRESH_BITS / 64];
	struct fixed_writes f = { .size = p->frame_size, .seen = seen };
	struct walk w;

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < nsamples; i++) {
		uint64_t start;

		if (!samples[i].len || !samples[i].data)
			continue;
		start = tally_walk(&t, p, &samples[i], i, loose, &w);
		f.s = &samples[i];
		f.start = start;
		for_writes(&samples[i], start, fixed_write, &f);
	}
	if (t.tiled < t.nonempty || f.odd || t.tiled_frames < FC_DETECT_MIN_FRAMES)
		return 0;
	t.landed = f.fresh;
	t.bits = (double)f.fresh * -log2_unit(1.0 / (double)p->frame_size);
	if (t.bits < ALT_MIN_BITS)
		return 0;
	tally_summary(&t, sum); /* only when it fits: a fixed size is no
				 * near miss worth explaining */
	tally_bits(&t, sum);
	fill_entry(e, p, p->frame_size, &t, 2, simple);
	e->c.writes = f.writes;
	return 2;
}

/* The fixed-size candidate of frame_size bytes. */
static void fixed_profile(struct fc_profile *p, uint64_t size)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "detected");
	p->framing = FC_FRAMING_FIXED;
	p->frame_size = size;
	p->max_frame = size;
}

/* evaluate(), evaluate_delim() or evaluate_fixed(), as p's framing asks. */
static int evaluate_any(const struct fc_profile *p, double simple, bool loose,
			const struct fc_detect_sample *samples, size_t nsamples,
			struct entry *e, struct summary *sum)
{
	switch (p->framing) {
	case FC_FRAMING_DELIMITER:
		return evaluate_delim(p, simple, loose, samples, nsamples, e, sum);
	case FC_FRAMING_FIXED:
		return evaluate_fixed(p, simple, loose, samples, nsamples, e, sum);
	default:
		return evaluate(p, simple, loose, samples, nsamples, e, sum);
	}
}

/* A varint candidate: after `offset` bytes, at most max_bytes (the
 * search cap as max_frame). */
static void varint_profile(struct fc_profile *p, uint32_t offset, uint32_t max_bytes)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "detected");
	p->framing = FC_FRAMING_VARINT;
	p->length_offset = offset;
	p->varint_max_bytes = max_bytes;
	p->max_frame = SEARCH_MAX_LENGTH;
}

/* A varint is a little less plain than a fixed field that cuts the same
 * frames (a 1-byte length below 128); 4 bytes (MQTT) is the plain limit
 * after a type byte, 5 (protobuf's) at offset 0. */
static double varint_simplicity(uint32_t offset, uint32_t max_bytes)
{
	return 0.965 - 0.005 * offset -
	       ((offset ? max_bytes != 4 : max_bytes != 5) ? 0.002 : 0);
}

/* The BER candidate (the search cap as max_frame). */
static void ber_profile(struct fc_profile *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "detected");
	p->framing = FC_FRAMING_BER;
	p->max_frame = SEARCH_MAX_LENGTH;
}

/* The delimiter candidates, plainest first ("\r\n" before "\n" when both
 * cut the same lines). */
static const struct {
	const char *bytes;
	size_t len;
	double simple;
} delimiters[] = {
	{ "\r\n", 2, 1.0 },
	{ "\n", 1, 0.99 },
	{ "\0", 1, 0.98 },
};

/* Sort top[0..n) best score first (stable). */
static void sort_entries(struct entry *top, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct entry k = top[i];
		size_t j = i;

		for (; j > 0 && k.c.score > top[j - 1].c.score; j--)
			top[j] = top[j - 1];
		top[j] = k;
	}
}

/* The count, up to PRELUDE_MAX_FRAMES, of frames of q at offset `from`
 * of s (where the prelude's steps before this one end) after which p
 * tiles s with the most non-empty frames, or that end the
 * direction (the fewest of equals; 0: none); *max_length the largest length q
 * read. A count that tiles by luck (a frame of p read in the prelude's
 * bytes, long enough to reach bytes not kept) cuts fewer frames. */
static uint32_t prelude_frames(const struct fc_profile *p, const struct fc_profile *q,
			       const struct fc_detect_sample *s, uint64_t from,
			       uint64_t *max_length)
{
	uint64_t pos = from, most = 0, v;
	uint32_t best = 0;
	struct fc_frame_len fl;
	struct walk w;

	for (uint32_t j = 1; j <= PRELUDE_MAX_FRAMES && pos < s->len; j++) {
		if (fc_profile_frame_len(q, s->data + pos, s->len - pos, &fl) != FC_FRAME_OK ||
		    !fl.payload_len || fl.frame_len > s->len - pos)
			break;
		if ((uint64_t)fl.length > *max_length)
			*max_length = (uint64_t)fl.length;
		pos += fl.frame_len;
		walk(p, s, pos, NULL, &w);
		/* a prelude that is all the direction holds explains it too */
		v = w.tiled ? 2 * (w.frames - w.empty) + (pos == sample_end(s)) : 0;
		if (v > most) {
			most = v;
			best = j;
		}
	}
	return best;
}

/* Is offset k one of s's packet starts (where a write began)? */
static bool is_start(const struct fc_detect_sample *s, uint64_t k)
{
	for (size_t i = 0; i < s->nstarts; i++)
		if (s->starts[i] == k)
			return true;
	return false;
}

/* A prelude step for direction dir of p: the samples `fail` (indexes
 * into samples, nfail of them) do not tile from from[i], where the
 * prelude's steps before this one end (0 for the first). First a
 * length field at offset 0 (4 or 2 bytes, big- or little-endian,
 * counting itself or not; max_frame the next power of two of twice the
 * longest length read, at least 256, at most PRELUDE_MAX_LENGTH) whose
 * first frames, as many as the sample that needs most, are followed by
 * p's chain in every one; else the bytes before the first packet start
 * or line end (up to FC_PRELUDE_BYTES_MAX) from which p tiles, at most
 * FC_PRELUDE_CHOICES distinct strings: a literal prelude is a write of
 * its own (AMQP's header, PostgreSQL's 'N') or ends a line (HTTP/2's
 * preface), not bytes that happen to make p tile from the middle of one.
 * first_write: only the literal, the bytes up to the first packet start
 * after from[i] whether or not p tiles there (a magic string that a
 * further step follows). Returns whether one was found. */
static bool find_prelude_step(const struct fc_profile *p,
			      const struct fc_detect_sample *samples,
			      const size_t *fail, const uint64_t *from, size_t nfail,
			      bool first_write, struct fc_prelude_step *step)
{
	static const struct {
		uint32_t size;
		enum fc_byte_order order;
	} fields[] = { { 4, FC_BIG_ENDIAN }, { 4, FC_LITTLE_ENDIAN },
		       { 2, FC_BIG_ENDIAN }, { 2, FC_LITTLE_ENDIAN } };
	struct walk w;

	memset(step, 0, sizeof(*step));
	for (size_t f = 0; !first_write && f < sizeof(fields) / sizeof(*fields); f++) {
		for (int counts_itself = 1; counts_itself >= 0; counts_itself--) {
			struct fc_profile q;
			uint32_t most = 0;
			uint64_t max_length = 0;
			size_t i;

			grid_profile(&q, 0, fields[f].size, fields[f].order,
				     counts_itself ? -(int64_t)fields[f].size : 0);
			q.is_signed = false;
			q.max_frame = PRELUDE_MAX_LENGTH;
			for (i = 0; i < nfail; i++) {
				uint32_t k = prelude_frames(p, &q, &samples[fail[i]], from[i],
							    &max_length);

				if (!k)
					break;
				if (k > most)
					most = k;
			}
			if (i < nfail)
				continue;
			q.max_frame = 256;
			while (q.max_frame < 2 * max_length && q.max_frame < PRELUDE_MAX_LENGTH)
				q.max_frame <<= 1;
			step->kind = FC_PRELUDE_PROFILE;
			step->max_frames = most;
			step->profile = q;
			return true;
		}
	}
	step->kind = FC_PRELUDE_BYTES_ONE_OF;
	for (size_t i = 0; i < nfail; i++) {
		const struct fc_detect_sample *s = &samples[fail[i]];
		const uint8_t *b = s->data + from[i];
		uint64_t at = 0;
		size_t k, c;

		for (k = 1; k <= FC_PRELUDE_BYTES_MAX && from[i] + k < s->len; k++) {
			at = from[i] + k;
			if (first_write && is_start(s, at))
				break;
			if (first_write || (!is_start(s, at) &&
					    !(k >= 2 && b[k - 2] == '\r' && b[k - 1] == '\n')))
				continue;
			walk(p, s, at, NULL, &w);
			if (w.tiled && w.frames > w.empty)
				break;
		}
		if (k > FC_PRELUDE_BYTES_MAX || from[i] + k >= s->len)
			return false;
		for (c = 0; c < step->nchoices; c++)
			if (step->choice_len[c] == k && !memcmp(step->choice[c], b, k))
				break;
		if (c < step->nchoices)
			continue;
		if (step->nchoices == FC_PRELUDE_CHOICES)
			return false;
		step->choice_len[c] = (uint8_t)k;
		memcpy(step->choice[c], b, k);
		step->nchoices++;
	}
	return step->nchoices > 0;
}

/* The most non-empty frames p cuts in s walked from one of its first
 * MAX_STARTS_TRIED packet starts after `from` (0 when it tiles from
 * none). */
static uint64_t better_later(const struct fc_profile *p, const struct fc_detect_sample *s,
			     uint64_t from)
{
	uint64_t most = 0;
	struct walk w;

	for (size_t i = 0; i < s->nstarts && i < MAX_STARTS_TRIED; i++) {
		if (s->starts[i] <= from || s->starts[i] >= s->len)
			continue;
		walk(p, s, s->starts[i], NULL, &w);
		if (w.tiled && w.frames - w.empty > most)
			most = w.frames - w.empty;
	}
	return most;
}

/* Add a step to pre's steps in direction dir (p's framing, p->prelude
 * NULL), for the directions whose start was captured that p does not
 * tile from where pre's steps end, or tiles with fewer frames than from a
 * later packet start (see find_prelude_step; first_write as there).
 * Returns whether one was added. */
static bool add_prelude_step(const struct fc_profile *p, struct fc_prelude *pre, int dir,
			     const struct fc_detect_sample *samples, size_t nsamples,
			     bool first_write)
{
	struct fc_profile q = *p;
	size_t fail[PRELUDE_SAMPLES], nfail = 0;
	uint64_t from[PRELUDE_SAMPLES];
	struct walk w;

	if (pre->nsteps[dir] >= FC_PRELUDE_STEPS)
		return false;
	q.prelude = pre;
	for (size_t i = 0; i < nsamples && nfail < PRELUDE_SAMPLES; i++) {
		const struct fc_detect_sample *s = &samples[i];
		uint64_t pos;

		if (!s->len || !s->data || s->mid_stream || (int)s->dir != dir)
			continue;
		pos = prelude_end(&q, s);
		walk(p, s, pos, NULL, &w);
		if (!w.tiled || w.frames == w.empty ||
		    w.frames - w.empty < better_later(p, s, pos)) {
			fail[nfail] = i;
			from[nfail++] = pos;
		}
	}
	if (!nfail || !find_prelude_step(p, samples, fail, from, nfail, first_write,
					 &pre->steps[dir][pre->nsteps[dir]]))
		return false;
	pre->nsteps[dir]++;
	return true;
}

/* Look for a prelude that makes e's framing tile the directions whose
 * start was captured but that it does not tile from 0, or tiles with
 * fewer frames than from a later packet start (a length read from
 * another layout's header is most often too long, a frame that swallows
 * the frames after it: PostgreSQL's startup message read as a typed
 * one); see find_prelude_step. One step per direction first; then, while
 * directions still do not tile where the steps end, more steps (up to
 * FC_PRELUDE_STEPS), each kept only if the framing then scores better
 * and tiles no fewer directions: a magic string, then a handshake frame
 * of another layout. Returns 0 when there is none, else e's framing with
 * it evaluated into *t, and evaluate()'s verdict. */
static int with_prelude(const struct entry *e, const struct fc_detect_sample *samples,
			size_t nsamples, struct entry *t)
{
	struct fc_profile p = e->c.profile, q;
	struct fc_prelude pre, more;
	struct summary sum;
	struct entry u;
	bool any = false;
	int v, v2;

	memset(&pre, 0, sizeof(pre));
	p.max_frame = SEARCH_MAX_LENGTH;
	p.prelude = NULL;
	for (int dir = 0; dir < 2; dir++) {
		bool one = add_prelude_step(&p, &pre, dir, samples, nsamples, false);

		/* Or a magic string written alone, then a step of its own (a
		 * handshake frame), rather than one literal that takes in
		 * each direction's handshake: when that needs fewer strings. */
		more = pre;
		more.nsteps[dir] = 0;
		if (add_prelude_step(&p, &more, dir, samples, nsamples, true) &&
		    add_prelude_step(&p, &more, dir, samples, nsamples, false) &&
		    (!one || (pre.steps[dir][0].kind == FC_PRELUDE_BYTES_ONE_OF &&
			      more.steps[dir][0].nchoices < pre.steps[dir][0].nchoices))) {
			pre = more;
			one = true;
		}
		any |= one;
	}
	if (!any)
		return 0;
	q = p;
	q.prelude = &pre;
	v = evaluate_any(&q, e->simple, false, samples, nsamples, t, &sum);
	if (!v)
		return 0;
	for (int dir = 0; dir < 2; dir++) {
		for (;;) {
			more = pre;
			if (!add_prelude_step(&p, &more, dir, samples, nsamples, false))
				break;
			q.prelude = &more;
			v2 = evaluate_any(&q, e->simple, false, samples, nsamples, &u, &sum);
			if (!v2 || !(u.c.score > t->c.score) ||
			    u.c.samples_tiled < t->c.samples_tiled)
				break;
			pre = more;
			*t = u;
			v = v2;
		}
	}
	q.prelude = &pre;
	t->c.prelude = pre;
	t->c.profile.prelude = NULL;
	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];

		if (s->len && s->data && !s->mid_stream && prelude_end(&q, s) > 0)
			t->c.prelude_samples[s->dir ? 1 : 0]++;
	}
	return v;
}

/* Give e the prelude with_prelude finds, if the framing then scores
 * better and tiles no fewer directions. */
static void try_prelude(struct entry *e, const struct fc_detect_sample *samples,
			size_t nsamples)
{
	struct entry t;

	if (with_prelude(e, samples, nsamples, &t) && t.c.score > e->c.score &&
	    t.c.samples_tiled >= e->c.samples_tiled)
		*e = t;
}

/* Keep e among the best *n entries of top (capacity cap, best first by
 * score), one entry per set of frames: of candidates that cut the same
 * frames, the simplest parameters describe the framing (DNS's 2-byte
 * big-endian length at 0, not a little-endian one at 1 that fits because
 * the transaction ids are small), with the best score of them. */
static void keep(struct entry *top, size_t *n, size_t cap,
		 const struct entry *e)
{
	struct entry k = *e;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (top[i].hash != e->hash || top[i].c.frames != e->c.frames ||
		    top[i].c.bytes != e->c.bytes)
			continue;
		if (top[i].simple >= e->simple) {
			if (e->c.score > top[i].c.score) {
				/* Same framing, better evidence: re-rank. */
				k = top[i];
				k.c.score = e->c.score;
				k.c.bits = e->c.bits;
				k.c.landed = e->c.landed;
				k.c.low_confidence = e->c.low_confidence;
			} else {
				return;
			}
		} else if (top[i].c.score > k.c.score) {
			k.c.score = top[i].c.score;
			k.c.bits = top[i].c.bits;
			k.c.landed = top[i].c.landed;
			k.c.low_confidence = top[i].c.low_confidence;
		}
		memmove(&top[i], &top[i + 1], (*n - i - 1) * sizeof(*top));
		(*n)--;
		break;
	}
	for (i = 0; i < *n && !(k.c.score > top[i].c.score); i++)
		;
	if (i == cap)
		return;
	if (*n == cap)
		(*n)--;
	memmove(&top[i + 1], &top[i], (*n - i) * sizeof(*top));
	top[i] = k;
	(*n)++;
}

/* Add adj to list (of *n, capacity cap) unless there or out of range. */
static void add_adj(int64_t *list, size_t *n, size_t cap, int64_t adj)
{
	if (adj < -MAX_SOLVED_ADJ || adj > MAX_SOLVED_ADJ)
		return;
	for (size_t i = 0; i < *n; i++)
		if (list[i] == adj)
			return;
	if (*n < cap)
		list[(*n)++] = adj;
}

/* The adjustments worth trying for a length field: 0, the field's end
 * negated (the length counts the whole frame), 1..4 (extra header bytes)
 * and, near the start of the header, -8..8; then those solved from the
 * data: where the sender's writes ended (packet starts, the end of a
 * complete direction) minus where the first frame's length says it ends
 * with adjustment 0 (base's field and mask). Returns how many, in order of preference, at most
 * cap. */
static size_t field_adjustments(const struct fc_profile *base,
				const struct fc_detect_sample *samples,
				size_t nsamples, int64_t *list, size_t cap)
{
	uint32_t off = base->length_offset;
	int64_t end = (int64_t)fc_profile_length_end(base);
	size_t n = 0, used = 0;
	struct fc_profile p = *base;
	struct fc_frame_len fl;

	add_adj(list, &n, cap, 0);
	add_adj(list, &n, cap, -end);
	for (int64_t a = 1; a <= 4; a++)
		add_adj(list, &n, cap, a);
	if (off <= MAX_SMALL_OFFSET) {
		for (int64_t a = 1; a <= MAX_SMALL_ADJ; a++)
			add_adj(list, &n, cap, -a);
		for (int64_t a = 5; a <= MAX_SMALL_ADJ; a++)
			add_adj(list, &n, cap, a);
	}
	p.length_adjustment = 0;
	for (size_t i = 0; i < nsamples && used < SOLVE_SAMPLES; i++) {
		const struct fc_detect_sample *s = &samples[i];
		uint64_t start = 0, stop;
		size_t k = 0, bounds = 0;

		if (!s->len || !s->data)
			continue;
		used++;
		if (s->mid_stream) {
			while (k < s->nstarts && s->starts[k] == 0)
				k++;
			if (k == s->nstarts)
				continue;
			start = s->starts[k++];
		}
		if (start >= s->len ||
		    fc_profile_frame_len(&p, s->data + start, s->len - start,
					 &fl) != FC_FRAME_OK)
			continue;
		stop = start + fl.frame_len;
		for (; k < s->nstarts && bounds < SOLVE_BOUNDS; k++) {
			if (s->starts[k] <= start)
				continue;
			add_adj(list, &n, cap, (int64_t)(s->starts[k] - stop));
			bounds++;
		}
		if (s->complete)
			add_adj(list, &n, cap, (int64_t)(sample_end(s) - stop));
	}
	return n;
}

/* The length_mask worth trying for a length field (0: none): the field's
 * bits but its top one, when that bit is set where the chains start in
 * most samples (at 0; in a mid-stream one, at one of its first packet
 * starts). A record-marking flag (ONC RPC's last-fragment bit) sets it on
 * every header, so the plain field reads a length above any max_frame
 * there; a field whose top bit is seldom set there needs no mask, and
 * none is tried (the plain reading cuts the same frames). */
static uint64_t flag_mask(uint32_t off, uint32_t size, enum fc_byte_order order,
			  const struct fc_detect_sample *samples, size_t nsamples)
{
	uint32_t top = order == FC_BIG_ENDIAN ? off : off + size - 1;
	size_t set = 0, used = 0;

	if (size < 2)
		return 0;
	for (size_t i = 0; i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];
		size_t tries = s->mid_stream ? MAX_STARTS_TRIED : 0;

		if (!s->len || !s->data)
			continue;
		used++;
		for (size_t k = 0; k <= tries && k <= s->nstarts; k++) {
			uint64_t at = k ? s->starts[k - 1] : 0;

			if (at + top < s->len && (s->data[at + top] & 0x80)) {
				set++;
				break;
			}
		}
	}
	if (!used || 2 * set < used)
		return 0;
	return size == 8 ? ~0ULL >> 1 : (1ULL << (8 * size - 1)) - 1;
}

/* Give p the length_mask mask (0: none); a masked field is unsigned. */
static void set_mask(struct fc_profile *p, uint64_t mask)
{
	p->length_mask = mask;
	if (mask)
		p->is_signed = false;
}

/* Keep e, as evaluate() judged it (verdict), among the confident (top, *n)
 * or the low-confidence (low, *nlow) candidates. */
static void keep_verdict(int verdict, const struct entry *e, struct entry *top,
			 size_t *n, struct entry *low, size_t *nlow)
{
	if (verdict == 2)
		keep(top, n, FC_DETECT_MAX_CANDIDATES, e);
	else if (verdict == 1)
		keep(low, nlow, FC_DETECT_MAX_CANDIDATES, e);
}

/* Try every length field and its adjustments over the samples, the
 * varints, BER and the delimiters; keep the best confident candidates in
 * top and the best low-confidence ones in low (capacity
 * FC_DETECT_MAX_CANDIDATES each), fill *sum; returns how many were kept
 * in top, *nlow how many in low. loose: see chain_start. */
static size_t search(const struct fc_detect_sample *samples, size_t nsamples,
		     bool loose, struct entry *top, struct entry *low, size_t *nlow,
		     struct summary *sum)
{
	static const uint32_t sizes[] = { 4, 2, 3, 8, 1 };
	uint64_t fixed;
	size_t n = 0;
	struct entry e;
	struct fc_profile p;
	int64_t adjs[ADJ_PER_FIELD];

	memset(sum, 0, sizeof(*sum));
	*nlow = 0;
	for (uint32_t off = 0; off <= MAX_OFFSET; off++) {
		for (size_t si = 0; si < sizeof(sizes) / sizeof(*sizes); si++) {
			uint32_t size = sizes[si];

			for (int bo = 0; bo < 2 * (size == 1 ? 1 : 2); bo++) {
				enum fc_byte_order order =
					bo % 2 ? FC_BIG_ENDIAN : FC_LITTLE_ENDIAN;
				uint64_t mask = bo < 2 ? 0 :
						flag_mask(off, size, order, samples, nsamples);
				size_t na;

				if (bo >= 2 && !mask)
					continue;
				grid_profile(&p, off, size, order, 0);
				set_mask(&p, mask);
				na = field_adjustments(&p, samples, nsamples, adjs,
						       ADJ_PER_FIELD);
				for (size_t a = 0; a < na; a++) {
					if ((int64_t)off + size + adjs[a] < 0 &&
					    adjs[a] != -(int64_t)(off + size))
						continue; /* frames shorter than the field */
					grid_profile(&p, off, size, order, adjs[a]);
					set_mask(&p, mask);
					keep_verdict(evaluate(&p, simplicity(off, size, adjs[a]) -
								  (mask ? MASK_COST : 0),
							      loose, samples, nsamples, &e, sum),
						     &e, top, &n, low, nlow);
				}
			}
		}
	}
	for (size_t d = 0; d < sizeof(delimiters) / sizeof(*delimiters); d++) {
		memset(&p, 0, sizeof(p));
		strcpy(p.name, "detected");
		p.framing = FC_FRAMING_DELIMITER;
		p.max_frame = SEARCH_MAX_LENGTH;
		fc_profile_set_delimiter(&p, (const uint8_t *)delimiters[d].bytes,
					 delimiters[d].len);
		keep_verdict(evaluate_delim(&p, delimiters[d].simple, loose, samples,
					    nsamples, &e, sum),
			     &e, top, &n, low, nlow);
	}
	/* Fixed-size frames compete with the rest: a constant byte in the
	 * records reads as a 1-byte length that tiles them by chance, with
	 * less evidence than the writes give. */
	if ((fixed = fixed_size(samples, nsamples)) != 0) {
		fixed_profile(&p, fixed);
		if (evaluate_fixed(&p, FIXED_SIMPLE, loose, samples, nsamples, &e, sum) == 2)
			keep(top, &n, FC_DETECT_MAX_CANDIDATES, &e);
	}
	if (n)
		return n;
	for (uint32_t off = 0; off <= MAX_VARINT_OFFSET; off++) {
		for (uint32_t mb = 4; mb <= 5; mb++) {
			varint_profile(&p, off, mb);
			if (evaluate(&p, varint_simplicity(off, mb), loose, samples,
				     nsamples, &e, sum) == 2)
				keep(top, &n, FC_DETECT_MAX_CANDIDATES, &e);
		}
	}
	ber_profile(&p);
	if (evaluate(&p, 0.97, loose, samples, nsamples, &e, sum) == 2)
		keep(top, &n, FC_DETECT_MAX_CANDIDATES, &e);
	return n;
}

/* Does a sample hold the start of its direction (where a prelude is)? */
static bool has_start(const struct fc_detect_sample *samples, size_t nsamples)
{
	for (size_t i = 0; i < nsamples; i++)
		if (samples[i].len && samples[i].data && !samples[i].mid_stream)
			return true;
	return false;
}

size_t fc_detect_rank(const struct fc_detect_sample *samples, size_t nsamples,
		      struct fc_detect_candidate *out, size_t max)
{
	struct entry top[FC_DETECT_MAX_CANDIDATES], low[FC_DETECT_MAX_CANDIDATES];
	struct entry top2[FC_DETECT_MAX_CANDIDATES], low2[FC_DETECT_MAX_CANDIDATES], t;
	struct summary sum;
	size_t n, nlow, nlow2;
	struct entry *from = top;

	if (!max || !nsamples || !samples)
		return 0;
	n = search(samples, nsamples, false, top, low, &nlow, &sum);
	for (size_t i = 0; i < n && i < PRELUDE_TRIED; i++)
		try_prelude(&top[i], samples, nsamples);
	for (size_t i = 0; i < nlow && i < PRELUDE_TRIED; i++)
		try_prelude(&low[i], samples, nsamples);
	sort_entries(top, n);
	sort_entries(low, nlow);
	/* Framings that tile only after a prelude: found loosely, kept
	 * strictly, with the prelude that explains the skipped starts. */
	if (has_start(samples, nsamples)) {
		size_t n2 = search(samples, nsamples, true, top2, low2, &nlow2, &sum);

		for (size_t i = 0; i < n2 && i < PRELUDE_TRIED; i++)
			keep_verdict(with_prelude(&top2[i], samples, nsamples, &t), &t,
				     top, &n, low, &nlow);
	}
	if (!n) {
		n = nlow;
		from = low;
	}
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		out[i] = from[i].c;
		out[i].profile.prelude = out[i].prelude.nsteps[0] ||
					 out[i].prelude.nsteps[1] ? &out[i].prelude : NULL;
	}
	return n;
}
bool fc_detect_fit(const struct fc_profile *p, const struct fc_detect_sample *samples,
		   size_t nsamples, struct fc_detect_candidate *out)
{
	struct tally t = { .hash = 0xcbf29ce484222325ULL };
	struct entry e;
	struct walk w;

	if (!samples)
		return false;
	for (size_t i = 0; i < nsamples; i++) {
		if (!samples[i].len || !samples[i].data)
			continue;
		tally_walk(&t, p, &samples[i], i, false, &w);
		if (!w.tiled || !w.frames)
			return false;
	}
	if (!t.tiled_frames)
		return false;
	tally_evidence(&t, p, false, samples, nsamples);
	fill_entry(&e, p, p->max_frame, &t, 1, 1.0);
	e.c.low_confidence = false;
	*out = e.c;
	out->profile.prelude = p->prelude;
	return true;
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
		 "%lld, %u, true)%s", order, (long long)max,
		 (unsigned)p->length_offset, (unsigned)p->length_size,
		 (long long)p->length_adjustment, (unsigned)p->header_size,
		 p->length_mask ? " { @Override protected long getUnadjustedFrameLength("
				  "ByteBuf b, int o, int l, ByteOrder bo) { return "
				  "super.getUnadjustedFrameLength(b, o, l, bo) & " : "");
	if (p->length_mask) {
		size_t at = strlen(buf);

		if (at < len)
			snprintf(buf + at, len - at, "0x%llxL; } }",
				 (unsigned long long)p->length_mask);
	}
}

void fc_detect_tokio(const struct fc_profile *p, char *buf, size_t len)
{
	if (!len)
		return;
	if (p->length_mask) {
		/* The codec reads the whole field as the length. */
		snprintf(buf, len, "// no tokio-util equivalent: LengthDelimitedCodec "
			 "cannot mask the length field (length_mask 0x%llx); decode "
			 "it by hand as the Go line does",
			 (unsigned long long)p->length_mask);
		return;
	}
	snprintf(buf, len, "LengthDelimitedCodec::builder().length_field_offset(%u)"
		 ".length_field_length(%u).length_adjustment(%lld).num_skip(%u)"
		 ".max_frame_length(%llu).%s().new_codec()",
		 (unsigned)p->length_offset, (unsigned)p->length_size,
		 (long long)p->length_adjustment, (unsigned)p->header_size,
		 (unsigned long long)p->max_frame,
		 p->byte_order == FC_BIG_ENDIAN ? "big_endian" : "little_endian");
}

void fc_detect_go(const struct fc_profile *p, char *buf, size_t len)
{
	const char *order = p->byte_order == FC_BIG_ENDIAN ?
			    "binary.BigEndian" : "binary.LittleEndian";
	char read[160], mask[64] = "";
	uint32_t o = p->length_offset, e = fc_profile_length_end(p);

	if (!len)
		return;
	/* encoding/binary reads 1, 2, 4 and 8 bytes; other widths byte by
	 * byte (most significant first in big-endian). */
	if (p->length_size == 1)
		snprintf(read, sizeof(read), "n := int64(hdr[%u])", (unsigned)o);
	else if (p->length_size == 2 || p->length_size == 4 || p->length_size == 8)
		snprintf(read, sizeof(read), "n := int64(%s%s.Uint%u(hdr[%u:%u])%s)",
			 p->is_signed ? (p->length_size == 2 ? "int16(" :
					 p->length_size == 4 ? "int32(" : "int64(") : "",
			 order, 8 * (unsigned)p->length_size, (unsigned)o,
			 (unsigned)e, p->is_signed ? ")" : "");
	else
		snprintf(read, sizeof(read), "var n int64; for _, b := range hdr[%u:%u] "
			 "{ n = n<<8 | int64(b) }%s", (unsigned)o, (unsigned)e,
			 p->byte_order == FC_BIG_ENDIAN ? "" :
			 " // little-endian: range the bytes from the last");
	if (p->length_mask)
		snprintf(mask, sizeof(mask), "; lengthMask = 0x%llx; n &= lengthMask",
			 (unsigned long long)p->length_mask);
	snprintf(buf, len, "lengthOffset, lengthSize, headerSize, lengthAdjustment, "
		 "maxFrame = %u, %u, %u, %lld, %llu; order = %s; signed = %s; "
		 "io.ReadFull(r, hdr[:%u]); %s%s; io.ReadFull(r, payload[:%u+n%+lld-%u])",
		 (unsigned)o, (unsigned)p->length_size, (unsigned)p->header_size,
		 (long long)p->length_adjustment, (unsigned long long)p->max_frame,
		 order, p->is_signed ? "true" : "false",
		 (unsigned)(p->header_size > e ? p->header_size : e), read, mask,
		 (unsigned)e, (long long)p->length_adjustment,
		 (unsigned)p->header_size);
}

void fc_detect_python(const struct fc_profile *p, char *buf, size_t len)
{
	static const char codes[] = "bh?i???q"; /* by size - 1 */
	char order = p->byte_order == FC_BIG_ENDIAN ? '>' : '<';
	uint32_t o = p->length_offset, sz = p->length_size;
	uint32_t e = fc_profile_length_end(p);
	char skip[16] = "", read[128];

	if (!len)
		return;
	if (o)
		snprintf(skip, sizeof(skip), "%ux", (unsigned)o);
	if (sz == 1 || sz == 2 || sz == 4 || sz == 8) {
		char c = codes[sz - 1];

		if (!p->is_signed)
			c = (char)(c - 'a' + 'A');
		snprintf(read, sizeof(read), "n, = struct.unpack_from('%c%s%c', hdr)",
			 order, skip, c);
	} else {
		snprintf(read, sizeof(read), "n = int.from_bytes(hdr[%u:%u], '%s', "
			 "signed=%s)", (unsigned)o, (unsigned)e,
			 p->byte_order == FC_BIG_ENDIAN ? "big" : "little",
			 p->is_signed ? "True" : "False");
	}
	snprintf(buf, len, "%s; %spayload_len = %s + %lld + %u - %u", read,
		 p->length_mask ? "flags = n & ~mask; " : "",
		 p->length_mask ? "(n & mask)" : "n",
		 (long long)p->length_adjustment, (unsigned)e,
		 (unsigned)p->header_size);
	if (p->length_mask) {
		char stmt[512];

		snprintf(stmt, sizeof(stmt), "mask = 0x%llx; %s",
			 (unsigned long long)p->length_mask, buf);
		snprintf(buf, len, "%s", stmt);
	}
}


/* Does a stream start the way str(len) + payload does: a decimal number
 * (no leading zero: str() writes none) followed by printable text? A
 * binary header whose first byte happens to be 0x30..0x39 (BER's
 * SEQUENCE tag is '0') does not. */
static bool starts_like_text_length(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n < 2 || p[0] < '1' || p[0] > '9')
		return false;
	while (i < n && i < 10 && p[i] >= '0' && p[i] <= '9')
		i++;
	for (size_t k = i; k < n && k < i + 4; k++)
		if (p[k] < 0x20 || p[k] > 0x7e)
			return false;
	return true;
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
	fc_detect_explain_none_in(samples, nsamples, NULL, buf, len);
}

/* The text to use for the English `msgid`: the translator's, or msgid. */
#define T(s) (tr ? tr(s) : (s))

void fc_detect_explain_none_in(const struct fc_detect_sample *samples,
			       size_t nsamples, fc_translate_fn tr, char *buf, size_t len)
{
	struct entry top[FC_DETECT_MAX_CANDIDATES], low[FC_DETECT_MAX_CANDIDATES];
	struct summary sum;
	uint64_t hist[256] = { 0 }, printable = 0, total = 0;
	uint32_t nonempty = 0, digit_starts = 0;
	size_t n, nlow, used = 0;
	bool few;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; samples && i < nsamples; i++) {
		const struct fc_detect_sample *s = &samples[i];

		if (!s->len || !s->data)
			continue;
		nonempty++;
		if (starts_like_text_length(s->data, s->len))
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
		append(buf, len, &used, "%s", T("no data: no sample holds any bytes"));
		return;
	}
	n = search(samples, nsamples, false, top, low, &nlow, &sum);
	if (n) {
		append(buf, len, &used, T("a framing fits: %llu frames in %u of %u samples"),
		       (unsigned long long)top[0].c.frames,
		       (unsigned)top[0].c.samples_tiled, (unsigned)nonempty);
		return;
	}
	few = sum.best_bits >= MIN_BITS / 2 && sum.best_bits_frames < 16;
	if (sum.best_tiled_frames < FC_DETECT_MIN_FRAMES)
		append(buf, len, &used, sum.best_tiled_frames == 1 ?
		       T("no candidate tiles more than %llu frame") :
		       T("no candidate tiles more than %llu frames"),
		       (unsigned long long)sum.best_tiled_frames);
	else if (few)
		append(buf, len, &used, T("too few frames to tell: the best "
		       "framing tiles %llu, and chance could do as well with "
		       "so few; capture more traffic"),
		       (unsigned long long)sum.best_bits_frames);
	else
		append(buf, len, &used, T("the framings that tile (up to %llu "
		       "frames) do not beat chance: their lengths fit about as "
		       "well anywhere in these bytes, or the streams repeat "
		       "one another"), (unsigned long long)sum.best_tiled_frames);

	unsigned pct = (unsigned)(printable * 100 / total);
	/* Chi-square of the byte counts against uniform: about 255 for
	 * random bytes, far more for anything structured. */
	double expect = (double)total / 256, chi2 = 0;
	for (int b = 0; b < 256; b++) {
		double d = (double)hist[b] - expect;
		chi2 += d * d / expect;
	}
	if (digit_starts * 2 > nonempty && (double)printable >= PRINTABLE_TEXT * (double)total)
		append(buf, len, &used, T("; the data looks like text (%u%% printable) "
		       "and starts with ASCII digits: a length written as decimal "
		       "text (str(len)) instead of fixed-width binary?"), pct);
	else if (digit_starts * 2 > nonempty)
		append(buf, len, &used, "%s", T("; the samples start with ASCII digits: a "
		       "length written as decimal text (str(len))?"));
	else if ((double)printable >= PRINTABLE_TEXT * (double)total)
		append(buf, len, &used, T("; the data looks like text (%u%% printable): "
		       "a delimiter protocol?"), pct);
	else if (total >= 1024 && chi2 < 2 * 255)
		append(buf, len, &used, T("; the bytes look random (%u%% printable): "
		       "encrypted or compressed, or not the start of the stream?"),
		       pct);
	else if (total < 64)
		append(buf, len, &used, T("; only %llu bytes: too few to tell"),
		       (unsigned long long)total);
	else if (!few)
		append(buf, len, &used, T("; binary data, but no 1, 2, 3, 4 or 8-byte "
		       "length at offsets 0..%d clearly explains it: fixed-size "
		       "records, another framing (a varint, BER, a delimiter), or "
		       "too little traffic?"), MAX_OFFSET);
	if (sum.near_frames >= LOW_MIN_FRAMES) {
		append(buf, len, &used, sum.near.byte_order == FC_BIG_ENDIAN ?
		       T("; the closest reading, a %u-byte big-endian length at %u") :
		       T("; the closest reading, a %u-byte little-endian length at %u"),
		       (unsigned)sum.near.length_size, (unsigned)sum.near.length_offset);
		if (sum.near.length_adjustment)
			append(buf, len, &used, T(", adjustment %+lld"),
			       (long long)sum.near.length_adjustment);
		append(buf, len, &used, T(", tiles every direction in %llu frames with "
		       "%.0f bits of evidence (a guess needs %.0f)"),
		       (unsigned long long)sum.near_frames, sum.near_bits, LOW_BITS);
	}
}
