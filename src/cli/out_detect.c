/* out_detect.c - `--detect`: sample the start of each stream direction,
 * infer the framing per server port, print it as a framecap.yaml.
 *
 *   port 8001: [c2s 0..16K of stream 1][s2c ...][c2s of stream 2]... (<= 16)
 *      -> fc_detect_rank -> "profiles: port_8001: {...}  ports: 8001: ..."
 *
 * Only directions whose start was seen are sampled (offset 0 is then a
 * frame start); a gap ends a sample. Memory: at most DETECT_PORTS groups
 * of DETECT_SAMPLES samples of DETECT_BYTES bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fc_detect.h"
#include "output.h"

#define DETECT_PORTS 32
#define DETECT_SAMPLES 16
#define DETECT_BYTES (16u << 10)

struct sample {
	uint64_t stream;
	enum fc_dir dir;
	int group;
	uint8_t *buf;
	uint32_t len;
	bool stopped; /* a gap, or full */
	bool complete; /* the direction ended by FIN within the sample */
};

struct group {
	uint16_t port;
	uint32_t nsamples;
	uint64_t streams_seen;
};

struct detect_out {
	struct fc_output base;
	struct fc_output_opts o;
	struct group groups[DETECT_PORTS];
	int ngroups;
	uint64_t ports_dropped; /* ports beyond DETECT_PORTS */
	struct sample samples[DETECT_PORTS * DETECT_SAMPLES];
	uint32_t nsamples;
};

static int group_for(struct detect_out *d, uint16_t port)
{
	for (int i = 0; i < d->ngroups; i++)
		if (d->groups[i].port == port)
			return i;
	if (d->ngroups == DETECT_PORTS) {
		d->ports_dropped++;
		return -1;
	}
	d->groups[d->ngroups].port = port;
	return d->ngroups++;
}

static struct sample *sample_for(struct detect_out *d, uint64_t stream, enum fc_dir dir)
{
	for (uint32_t i = d->nsamples; i-- > 0;)
		if (d->samples[i].stream == stream && d->samples[i].dir == dir)
			return &d->samples[i];
	return NULL;
}

static void detect_begin(void *ctx, const struct fc_stream_info *s)
{
	struct detect_out *d = ctx;
	int g = group_for(d, s->key.dport);

	if (g >= 0)
		d->groups[g].streams_seen++;
}

/* Take the first DETECT_BYTES in-order bytes of a direction whose start was
 * seen; stop at a gap. */
static void detect_data(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
			uint64_t offset, const uint8_t *p, uint32_t n, bool start_seen)
{
	struct detect_out *d = ctx;
	struct sample *sm = sample_for(d, s->id, dir);
	uint32_t take;

	if (!sm) {
		int g;
		if (!start_seen || offset != 0)
			return;
		g = group_for(d, s->key.dport);
		if (g < 0 || d->groups[g].nsamples == DETECT_SAMPLES)
			return;
		sm = &d->samples[d->nsamples];
		memset(sm, 0, sizeof(*sm));
		sm->buf = malloc(DETECT_BYTES);
		if (!sm->buf)
			return;
		sm->stream = s->id;
		sm->dir = dir;
		sm->group = g;
		d->nsamples++;
		d->groups[g].nsamples++;
	}
	if (sm->stopped)
		return;
	if (offset != sm->len) { /* a gap: what follows is not contiguous */
		sm->stopped = true;
		return;
	}
	take = n < DETECT_BYTES - sm->len ? n : DETECT_BYTES - sm->len;
	memcpy(sm->buf + sm->len, p, take);
	sm->len += take;
	if (sm->len == DETECT_BYTES)
		sm->stopped = true;
}

static void detect_end(void *ctx, const struct fc_stream_info *s,
		       const struct fc_stream_end *e)
{
	struct detect_out *d = ctx;

	for (int dir = 0; dir < 2; dir++) {
		struct sample *sm = sample_for(d, s->id, (enum fc_dir)dir);
		if (sm && !sm->stopped && !strcmp(e->why, "fin"))
			sm->complete = true;
	}
}

/* A long explanation as YAML comment lines of at most ~78 columns. */
static void print_wrapped_comment(FILE *out, const char *text)
{
	while (*text) {
		size_t n = strlen(text), cut = n;
		if (n > 74) {
			cut = 74;
			while (cut > 20 && text[cut] != ' ')
				cut--;
		}
		fprintf(out, "#   %.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void print_profile(FILE *out, const char *name, const struct fc_profile *p)
{
	fprintf(out, "  %s: {length_offset: %u, length_size: %u, byte_order: %s, "
		     "signed: %s, length_adjustment: %" PRId64 ", header_size: %u, "
		     "max_frame: %" PRIu64 "}\n",
		name, p->length_offset, p->length_size,
		p->byte_order == FC_BIG_ENDIAN ? "big" : "little",
		p->is_signed ? "true" : "false", p->length_adjustment, p->header_size,
		p->max_frame);
}

static void detect_summary(struct fc_output *o, const struct fc_engine_stats *st,
			   const struct fc_live_stats *live)
{
	struct detect_out *d = (struct detect_out *)o;
	FILE *out = d->o.out;
	struct fc_detect_candidate best[DETECT_PORTS][FC_DETECT_MAX_CANDIDATES];
	size_t nbest[DETECT_PORTS] = { 0 };
	int found = 0;

	fprintf(out, "# framecap --detect: %" PRIu64 " packets, %" PRIu64
		     " stream%s with data; framing inferred per server port from the\n"
		     "# first %u bytes of up to %d stream directions whose start was captured.\n",
		st->packets, st->streams_with_data, st->streams_with_data == 1 ? "" : "s",
		DETECT_BYTES, DETECT_SAMPLES);
	for (int g = 0; g < d->ngroups; g++) {
		struct fc_detect_sample smp[DETECT_SAMPLES];
		size_t n = 0;
		char netty[256], why[1024];

		for (uint32_t i = 0; i < d->nsamples; i++)
			if (d->samples[i].group == g && d->samples[i].len > 0) {
				smp[n].data = d->samples[i].buf;
				smp[n].len = d->samples[i].len;
				smp[n].complete = d->samples[i].complete;
				n++;
			}
		if (n == 0) {
			fprintf(out, "#\n# port %u: no stream whose start was captured; nothing to infer from\n",
				d->groups[g].port);
			continue;
		}
		nbest[g] = fc_detect_rank(smp, n, best[g], FC_DETECT_MAX_CANDIDATES);
		if (nbest[g] == 0) {
			fc_detect_explain_none(smp, n, why, sizeof(why));
			fprintf(out, "#\n# port %u: nothing fits (%zu stream direction%s sampled):\n",
				d->groups[g].port, n, n == 1 ? "" : "s");
			print_wrapped_comment(out, why);
			continue;
		}
		found++;
		const struct fc_detect_candidate *c = &best[g][0];
		fc_detect_netty(&c->profile, netty, sizeof(netty));
		fprintf(out, "#\n# port %u: %" PRIu64 " frames, %" PRIu64 " of %" PRIu64
			     " bytes explained (%.0f%%), %u of %u stream directions tiled exactly\n"
			     "#   Netty: %s\n",
			d->groups[g].port, c->frames, c->bytes, c->total,
			c->total ? 100.0 * (double)c->bytes / (double)c->total : 0.0,
			c->samples_tiled, c->samples, netty);
		for (size_t k = 1; k < nbest[g] && k < 4; k++) {
			const struct fc_profile *r = &best[g][k].profile;
			fprintf(out, "#   runner-up %zu: length_offset %u, length_size %u, %s, %s, "
				     "adjustment %" PRId64 ", header %u: %" PRIu64 " frames, "
				     "%" PRIu64 " bytes\n",
				k, r->length_offset, r->length_size,
				r->byte_order == FC_BIG_ENDIAN ? "big" : "little",
				r->is_signed ? "signed" : "unsigned", r->length_adjustment,
				r->header_size, best[g][k].frames, best[g][k].bytes);
		}
	}
	if (d->ports_dropped)
		fprintf(out, "# (%" PRIu64 " more ports not sampled: at most %d)\n",
			d->ports_dropped, DETECT_PORTS);
	if (!found) {
		fputs("# no framing found: this document maps no port\nprofiles: {}\nports: {}\n", out);
		return;
	}
	fputs("profiles:\n", out);
	for (int g = 0; g < d->ngroups; g++)
		if (nbest[g]) {
			char name[32];
			snprintf(name, sizeof(name), "port_%u", d->groups[g].port);
			print_profile(out, name, &best[g][0].profile);
		}
	fputs("ports:\n", out);
	for (int g = 0; g < d->ngroups; g++)
		if (nbest[g])
			fprintf(out, "  %u: port_%u\n", d->groups[g].port, d->groups[g].port);
	(void)live;
}

static void detect_destroy(struct fc_output *o)
{
	struct detect_out *d = (struct detect_out *)o;

	for (uint32_t i = 0; i < d->nsamples; i++)
		free(d->samples[i].buf);
	free(d);
}

struct fc_output *fc_output_detect(const struct fc_output_opts *opts)
{
	struct detect_out *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->o = *opts;
	d->base.sink.ctx = d;
	d->base.sink.stream_begin = detect_begin;
	d->base.sink.data = detect_data;
	d->base.sink.stream_end = detect_end;
	d->base.summary = detect_summary;
	d->base.destroy = detect_destroy;
	return &d->base;
}
