/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_decoder.c - libFuzzer target: the frame decoder alone, with a
 * profile, a segmentation and gaps chosen by the input.
 *
 *   input: [profile: 8 bytes][cut sizes: 8 bytes][stream bytes ...]
 *
 * Besides not crashing, it checks what the decoder promises: frames come
 * in order, never overlap, and keep at most payload_keep bytes, which are
 * the first bytes of their payload. Each segment's bytes live only during
 * its call (a copy freed after it), as a packet's do in libpcap: a decoder
 * still pointing at them later is a use after free under ASan.
 */
#include <stdlib.h>
#include <string.h>

#include "fc_decoder.h"
#include "fc_describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t next_index, end;
	uint64_t keep;
	const uint8_t *stream; /* stream offset X is stream[X] (holes too) */
	uint64_t stream_len;
};

static void on_frame(void *ctx, const struct fc_frame *f)
{
	struct seen *s = ctx;

	if (f->index < s->next_index || f->offset < s->end || f->payload_kept > s->keep ||
	    f->npackets > f->npackets_total || (f->npackets_total > 1) != f->split)
		abort();
	if (f->payload_kept) {
		uint64_t at = f->offset + f->header_len;
		if (at + f->payload_kept > s->stream_len ||
		    memcmp(f->payload, s->stream + at, f->payload_kept) != 0)
			abort();
	}
	s->next_index = f->index + 1;
	s->end = f->offset + f->header_len + f->payload_len;
}

static void on_segment(void *ctx, const struct fc_segment *seg)
{
	(void)ctx;
	if (seg->npieces > seg->len + 1)
		abort();
}

/* Every anomaly must put itself into words within the documented room. */
static void on_anomaly(const struct fc_anomaly *a)
{
	char line[FC_DESCRIBE_MAX];

	if ((unsigned)a->kind >= FC_AN__COUNT ||
	    fc_anomaly_describe(a, line, sizeof(line)) >= (int)sizeof(line))
		abort();
}

static void on_report(void *ctx, const struct fc_report *r)
{
	for (uint32_t i = 0; i < r->nevents; i++) {
		if (r->events[i].type == FC_EV_FRAME)
			on_frame(ctx, &r->events[i].frame);
		else
			on_anomaly(&r->events[i].anomaly);
	}
	if (r->seg)
		on_segment(ctx, r->seg);
}

static const struct fc_decoder_ops ops = { .report = on_report };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fc_profile prof;
	struct fc_decoder d;
	struct fc_decoder_scratch scratch = { 0 };
	struct seen s = { 0, 0, 0, data + 16, size >= 16 ? size - 16 : 0 };
	struct fc_pkt pkt = { 1, 0 };
	const uint8_t *cuts;
	uint64_t off = 0;
	size_t pos = 16, k = 0;

	if (size < 16)
		return 0;
	fc_profile_default(&prof);
	prof.length_offset = data[0] % 8;
	prof.length_size = 1 + data[1] % 8;
	prof.byte_order = data[2] & 1 ? FC_BIG_ENDIAN : FC_LITTLE_ENDIAN;
	prof.is_signed = data[2] & 2;
	prof.length_adjustment = (int8_t)data[3];
	prof.header_size = fc_profile_length_end(&prof) + data[4] % 8;
	prof.max_frame = data[5] & 1 ? (1ULL << 40) : 1u << (data[5] % 24);
	if (fc_profile_check(&prof))
		return 0;
	s.keep = data[6] % 2 ? 64 : 1u << 20;
	cuts = data + 8;

	fc_decoder_init(&d, &prof, s.keep, data[7] & 1, &scratch, &ops, &s);
	while (pos < size) {
		uint8_t c = cuts[k++ % 8];
		size_t n = 1 + c % 61;

		if (n > size - pos)
			n = size - pos;
		if ((c & 0xc0) == 0xc0) { /* a hole of n bytes instead */
			fc_decoder_gap(&d, off, n, &pkt, "fuzz");
		} else {
			uint8_t *seg = malloc(n);

			if (!seg)
				break;
			memcpy(seg, data + pos, n);
			fc_decoder_data(&d, off, seg, (uint32_t)n, &pkt, c & 1);
			free(seg);
		}
		off += n;
		pos += n;
		pkt.num += 1 + (c & 2);
	}
	fc_decoder_end(&d, data[7] & 2 ? FC_END_FIN : FC_END_CAPTURE, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&scratch);
	return 0;
}
