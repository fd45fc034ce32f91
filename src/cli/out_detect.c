/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out_detect.c - `--detect`: sample each stream direction, infer the
 * framing per server port, print it as a framecap.yaml.
 *
 *   port 8001: [c2s of stream 1][s2c ...][c2s of stream 2]... (<= 16)
 *      -> fc_detect_rank -> "profiles: port_8001: {...}  ports: 8001: ..."
 *   port 111: nothing sure -> fc_detect_fit(port 2049's best) -> "111: port_2049"
 *
 * A sample is what fc_detect needs to follow a chain of length fields
 * without keeping whole payloads: the first DETECT_BYTES of the direction
 * (the head), where its packets started there, and beyond the head the
 * first and last WINDOW_BYTES of each packet (a frame's header is most
 * often where a write began, a short frame where one ended), up to
 * WINDOW_ARENA bytes. A 100 KB frame is skipped by its length and the
 * header after it is found in a window. Directions whose start was not
 * captured are sampled too (long-lived sessions rarely show a SYN):
 * fc_detect looks for where a chain begins among their first packets.
 * A gap ends a sample. Memory: at most DETECT_PORTS groups of
 * DETECT_SAMPLES samples of DETECT_BYTES + WINDOW_ARENA bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fc_detect.h"
#include "fc_profile_opts.h"
#include "i18n.h"
#include "output.h"

#define DETECT_PORTS 32
#define DETECT_SAMPLES 16
#define DETECT_BYTES (16u << 10)
#define DETECT_STARTS 64 /* packet starts remembered in the head */
#define WINDOW_BYTES 48 /* kept at each end of a packet beyond the head */
#define WINDOW_ARENA (16u << 10)
#define DETECT_WINDOWS 512
/* The document's YAML when it maps no port: never translated. */
#define NO_PORTS "profiles: {}\nports: {}\n"

struct sample {
	uint64_t stream;
	enum fc_dir dir;
	int group;
	uint64_t base; /* direction offset of the first byte sampled */
	uint8_t *buf; /* the head */
	uint32_t len;
	uint64_t stream_len; /* contiguous bytes from base */
	uint32_t starts[DETECT_STARTS];
	uint32_t nstarts;
	uint8_t *arena; /* window bytes, allocated when first needed */
	uint32_t arena_used;
	struct fc_detect_window windows[DETECT_WINDOWS];
	uint32_t nwindows;
	bool mid_stream; /* the direction's first byte was not seen */
	bool stopped; /* a gap */
	bool complete; /* the direction ended by FIN */
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
	struct sample *samples[DETECT_PORTS * DETECT_SAMPLES];
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
		if (d->samples[i]->stream == stream && d->samples[i]->dir == dir)
			return d->samples[i];
	return NULL;
}

static void detect_begin(void *ctx, const struct fc_stream_info *s)
{
	struct detect_out *d = ctx;
	int g = group_for(d, s->key.dport);

	if (g >= 0)
		d->groups[g].streams_seen++;
}

/* Keep p[0..n), at direction offset (from base) `at` beyond the head, as
 * a window: appended to the last one when it continues it. Nothing once
 * the arena or the window table is full. */
static void keep_window(struct sample *sm, uint64_t at, const uint8_t *p, uint32_t n)
{
	struct fc_detect_window *last = sm->nwindows ? &sm->windows[sm->nwindows - 1] : NULL;

	if (!n || WINDOW_ARENA - sm->arena_used < n)
		return;
	if (!sm->arena && !(sm->arena = malloc(WINDOW_ARENA)))
		return;
	memcpy(sm->arena + sm->arena_used, p, n);
	if (last && last->offset + last->len == at &&
	    last->data + last->len == sm->arena + sm->arena_used) {
		last->len += n;
	} else {
		if (sm->nwindows == DETECT_WINDOWS)
			return;
		sm->windows[sm->nwindows++] = (struct fc_detect_window){
			.offset = at, .data = sm->arena + sm->arena_used, .len = n };
	}
	sm->arena_used += n;
}

/* Sample a direction's in-order bytes: the head, its packet starts, and
 * windows at both ends of each packet beyond it; stop at a gap. */
static void detect_data(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
			uint64_t offset, const uint8_t *p, uint32_t n, bool start_seen)
{
	struct detect_out *d = ctx;
	struct sample *sm = sample_for(d, s->id, dir);
	uint64_t at;

	if (!sm) {
		int g = group_for(d, s->key.dport);

		if (g < 0 || d->groups[g].nsamples == DETECT_SAMPLES)
			return;
		sm = calloc(1, sizeof(*sm));
		if (!sm || !(sm->buf = malloc(DETECT_BYTES))) {
			free(sm);
			return;
		}
		sm->stream = s->id;
		sm->dir = dir;
		sm->group = g;
		sm->base = offset;
		sm->mid_stream = !start_seen || offset != 0;
		d->samples[d->nsamples++] = sm;
		d->groups[g].nsamples++;
	}
	if (sm->stopped)
		return;
	if (offset != sm->base + sm->stream_len) { /* a gap */
		sm->stopped = true;
		return;
	}
	at = sm->stream_len;
	sm->stream_len += n;
	if (at < DETECT_BYTES) {
		uint32_t take = n < DETECT_BYTES - at ? n : DETECT_BYTES - (uint32_t)at;

		if (sm->nstarts < DETECT_STARTS)
			sm->starts[sm->nstarts++] = (uint32_t)at;
		memcpy(sm->buf + at, p, take);
		sm->len += take;
		p += take;
		n -= take;
		at += take;
	}
	if (n <= 2 * WINDOW_BYTES) {
		keep_window(sm, at, p, n);
	} else {
		keep_window(sm, at, p, WINDOW_BYTES);
		keep_window(sm, at + n - WINDOW_BYTES, p + n - WINDOW_BYTES, WINDOW_BYTES);
	}
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

/* A long explanation as YAML comment lines of at most ~78 columns (by
 * display width in Chinese, whose lines have no spaces to break at). */
static void print_wrapped_comment(FILE *out, const char *text)
{
	if (fc_lang_zh()) {
		char para[2400];

		fc_text_wrap(text, "#   ", 78, para, sizeof(para));
		fprintf(out, "%s\n", para);
		return;
	}
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

/* Write n bytes as the inside of a YAML double-quoted string that
 * fc_config reads back as those bytes: printable ASCII as is, the usual
 * escapes, \xHH (a byte, in framecap's YAML) for the rest. */
static void put_yaml_bytes(FILE *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\r')
			fputs("\\r", out);
		else if (b[i] == '\n')
			fputs("\\n", out);
		else if (b[i] == '\t')
			fputs("\\t", out);
		else if (b[i] == 0)
			fputs("\\0", out);
		else if (b[i] == '"' || b[i] == '\\')
			fprintf(out, "\\%c", b[i]);
		else if (b[i] >= 0x20 && b[i] < 0x7f)
			fputc(b[i], out);
		else
			fprintf(out, "\\x%02x", b[i]);
	}
}

/* The keys of a length field profile, without braces. */
static void put_length_keys(FILE *out, const struct fc_profile *p)
{
	fprintf(out, "length_offset: %u, length_size: %u, byte_order: %s, "
		     "signed: %s, length_adjustment: %" PRId64 ", header_size: %u, "
		     "max_frame: %" PRIu64,
		p->length_offset, p->length_size,
		p->byte_order == FC_BIG_ENDIAN ? "big" : "little",
		p->is_signed ? "true" : "false", p->length_adjustment, p->header_size,
		p->max_frame);
	if (p->length_mask)
		fprintf(out, ", length_mask: 0x%" PRIx64, p->length_mask);
}

/* One profile of the document: `name: {keys}` with the keys p's framing
 * uses, and its prelude, whose profile steps are written first as
 * profiles of their own (name_c2s_prelude, name_s2c_prelude). */
static void print_profile(FILE *out, const char *name, const struct fc_profile *p)
{
	static const char *const dirs[2] = { "c2s", "s2c" };

	for (int dir = 0; p->prelude && dir < 2; dir++)
		for (uint32_t i = 0; i < p->prelude->nsteps[dir]; i++) {
			const struct fc_prelude_step *st = &p->prelude->steps[dir][i];

			if (st->kind != FC_PRELUDE_PROFILE)
				continue;
			fprintf(out, "  %s_%s_prelude%s%.0u: {", name, dirs[dir],
				i ? "_" : "", i);
			put_length_keys(out, &st->profile);
			fputs("}\n", out);
		}
	fprintf(out, "  %s: {", name);
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		fprintf(out, "framing: varint, length_offset: %u, varint_max_bytes: %u, "
			     "max_frame: %" PRIu64, p->length_offset, p->varint_max_bytes,
			p->max_frame);
		break;
	case FC_FRAMING_BER:
		fprintf(out, "framing: ber, max_frame: %" PRIu64, p->max_frame);
		break;
	case FC_FRAMING_FIXED:
		fprintf(out, "framing: fixed, frame_size: %" PRIu64 ", max_frame: %" PRIu64,
			p->frame_size, p->max_frame);
		break;
	case FC_FRAMING_DELIMITER:
		fputs("framing: delimiter, delimiter: \"", out);
		put_yaml_bytes(out, p->delimiter, p->delimiter_len);
		fprintf(out, "\", max_frame: %" PRIu64, p->max_frame);
		break;
	default:
		put_length_keys(out, p);
		break;
	}
	if (p->prelude) {
		const char *sep = "";

		fputs(", prelude: {", out);
		for (int dir = 0; dir < 2; dir++) {
			if (!p->prelude->nsteps[dir])
				continue;
			fprintf(out, "%s%s: [", sep, dirs[dir]);
			sep = ", ";
			for (uint32_t i = 0; i < p->prelude->nsteps[dir]; i++) {
				const struct fc_prelude_step *st = &p->prelude->steps[dir][i];

				fputs(i ? ", {" : "{", out);
				if (st->kind == FC_PRELUDE_PROFILE) {
					fprintf(out, "profile: %s_%s_prelude%s%.0u, max_frames: %u}",
						name, dirs[dir], i ? "_" : "", i, st->max_frames);
					continue;
				}
				fputs("bytes_one_of: [", out);
				for (uint32_t c = 0; c < st->nchoices; c++) {
					fputs(c ? ", \"" : "\"", out);
					put_yaml_bytes(out, st->choice[c], st->choice_len[c]);
					fputc('"', out);
				}
				fputs("]}", out);
			}
			fputc(']', out);
		}
		fputc('}', out);
	}
	fputs("}\n", out);
}

/* The framing's name as the comment lines give it: "varint at offset 1
 * (at most 4 bytes)", "delimiter "\r\n"", ... (fc_profile_describe
 * without the profile's name). */
static void framing_words(const struct fc_profile *p, char *buf, size_t len)
{
	struct fc_profile q = *p;
	char tmp[256];
	size_t n;

	q.name[0] = '\0';
	q.prelude = NULL;
	fc_profile_describe_in(&q, fc_tr, tmp, sizeof(tmp));
	n = strlen(tmp);
	if (n >= 3 && tmp[0] == ' ' && tmp[1] == '(' && tmp[n - 1] == ')') {
		tmp[n - 1] = '\0';
		snprintf(buf, len, "%s", tmp + 2);
	} else {
		snprintf(buf, len, "%s", tmp);
	}
}

/* The comment lines for c's prelude in direction dir, if any: how many
 * directions start with it and what each step is. */
static void print_prelude(FILE *out, const struct fc_detect_candidate *c, int dir)
{
	uint32_t nsteps = c->prelude.nsteps[dir], n = c->prelude_samples[dir];

	if (!nsteps)
		return;
	fprintf(out, fc_ntr("#   prelude %s: %u stream direction starts with ",
			    "#   prelude %s: %u stream directions start with ", n),
		dir ? "s2c" : "c2s", n);
	for (uint32_t i = 0; i < nsteps; i++) {
		const struct fc_prelude_step *st = &c->prelude.steps[dir][i];
		unsigned lo, hi;
		char what[256];

		if (i)
			fputs(_(", then "), out);
		if (st->kind == FC_PRELUDE_PROFILE) {
			framing_words(&st->profile, what, sizeof(what));
			fprintf(out, fc_ntr("up to %u frame of another layout (%s)",
					    "up to %u frames of another layout (%s)", st->max_frames),
				st->max_frames, what);
			continue;
		}
		lo = hi = st->choice_len[0];
		for (uint32_t k = 1; k < st->nchoices; k++) {
			lo = st->choice_len[k] < lo ? st->choice_len[k] : lo;
			hi = st->choice_len[k] > hi ? st->choice_len[k] : hi;
		}
		fprintf(out, fc_ntr("%u fixed string of ", "one of %u fixed strings of ",
				    st->nchoices), st->nchoices);
		if (lo == hi)
			fprintf(out, fc_ntr("%u byte", "%u bytes", lo), lo);
		else
			fprintf(out, _("%u to %u bytes"), lo, hi);
	}
	fputs(_(" before this framing tiles\n"), out);
}

/* The equivalents in other libraries of a framing that is not a length
 * field, where they have one. */
static void print_other_equivalents(FILE *out, const struct fc_profile *p)
{
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		if (p->length_offset == 0)
			fputs("#   Netty: new ProtobufVarint32FrameDecoder()\n", out);
		else
			fprintf(out, fc_ntr("#   Netty: none built in: skip %u byte, then read a "
					    "varint (as ProtobufVarint32FrameDecoder does)\n",
					    "#   Netty: none built in: skip %u bytes, then read a "
					    "varint (as ProtobufVarint32FrameDecoder does)\n",
					    p->length_offset), p->length_offset);
		break;
	case FC_FRAMING_FIXED:
		/* TRANSLATORS: the code stays as it is; only the words
		 * after "none built in" and after "# " are prose. */
		fprintf(out, _("#   Netty: new FixedLengthFrameDecoder(%" PRIu64 ")\n"
			       "#   tokio-util: none built in: read_exact into a buffer of %"
			       PRIu64 " bytes\n"
			       "#   Go: frameSize = %" PRIu64 "; io.ReadFull(r, frame[:frameSize])\n"
			       "#   Python: frame = sock.recv(%" PRIu64 ", socket.MSG_WAITALL)  "
			       "# no header; shorter: the peer closed\n"),
			p->frame_size, p->frame_size, p->frame_size, p->frame_size);
		break;
	case FC_FRAMING_DELIMITER:
		if (p->delimiter_len == 2 && !memcmp(p->delimiter, "\r\n", 2))
			fprintf(out, "#   Netty: new LineBasedFrameDecoder(%" PRIu64 ")\n",
				p->max_frame);
		else
			fprintf(out, "#   Netty: new DelimiterBasedFrameDecoder(%" PRIu64
				     ", Unpooled.wrappedBuffer(new byte[] { %u }))\n",
				p->max_frame, p->delimiter[0]);
		break;
	default:
		break;
	}
}

/* The comments before the YAML for port's best candidate c[0] of n: what
 * it explains and how sure it is and why, its prelude, the same framing
 * for Netty (and, for a length field, tokio-util, Go and Python), and the
 * runners-up. line: scratch of len bytes. */
static void print_candidate(FILE *out, unsigned port,
			    const struct fc_detect_candidate *c, size_t n,
			    char *line, size_t len)
{
	char what[256];

	framing_words(&c->profile, what, sizeof(what));
	fprintf(out, _("#\n# port %u: %s: %" PRIu64 " frames, %" PRIu64 " of %" PRIu64
		       " bytes explained (%.0f%%), %u of %u stream directions tiled exactly\n"),
		port, what, c->frames, c->bytes, c->total,
		c->total ? 100.0 * (double)c->bytes / (double)c->total : 0.0,
		c->samples_tiled, c->samples);
	if (c->profile.framing == FC_FRAMING_FIXED)
		fprintf(out, _("#   confidence: high: all %" PRIu64 " writes (packets) are "
			       "whole numbers of %" PRIu64 "-byte frames, %" PRIu64 " of them "
			       "telling, %.0f bits of evidence\n"),
			c->writes, c->profile.frame_size, c->landed, c->bits);
	else if (c->profile.framing == FC_FRAMING_DELIMITER)
		fprintf(out, _("#   confidence: %s: text (%u%% printable); %" PRIu64 " of %"
			       PRIu64 " writes (packets) end with the delimiter, %.0f bits of "
			       "evidence%s\n"),
			c->low_confidence ? _("LOW CONFIDENCE") : _("high"), c->text_pct,
			c->landed, c->writes, c->bits,
			c->low_confidence ? _("; too few writes to rule out chance: the best "
					      "guess, check it on more traffic") : "");
	else
		fprintf(out, fc_ntr("#   confidence: %s: %" PRIu64 " header found where the "
				    "length before said, %.0f bits of evidence%s\n",
				    "#   confidence: %s: %" PRIu64 " headers found where the "
				    "length before said, %.0f bits of evidence%s\n", c->landed),
			c->low_confidence ? _("LOW CONFIDENCE") : _("high"), c->landed, c->bits,
			c->low_confidence ? _("; too few frames to rule out chance: the best "
					      "guess, check it on more traffic") : "");
	print_prelude(out, c, 0);
	print_prelude(out, c, 1);
	if (c->profile.framing == FC_FRAMING_LENGTH) {
		fc_detect_netty(&c->profile, line, len);
		fprintf(out, "#   Netty: %s\n", line);
		fc_detect_tokio(&c->profile, line, len);
		fprintf(out, "#   tokio-util: %s\n", line);
		fc_detect_go(&c->profile, line, len);
		fprintf(out, "#   Go: %s\n", line);
		fc_detect_python(&c->profile, line, len);
		fprintf(out, "#   Python: %s\n", line);
	} else {
		print_other_equivalents(out, &c->profile);
	}
	for (size_t k = 1; k < n && k < 4; k++) {
		framing_words(&c[k].profile, what, sizeof(what));
		fprintf(out, _("#   runner-up %zu: %s%s: %" PRIu64 " frames, %" PRIu64
			       " bytes, %.0f bits\n"),
			k, what, c[k].profile.prelude ? _(" + prelude") : "", c[k].frames,
			c[k].bytes, c[k].bits);
	}
}

/* The samples of group g as fc_detect takes them, into smp (room for
 * DETECT_SAMPLES); returns how many. */
static size_t group_samples(const struct detect_out *d, int g, struct fc_detect_sample *smp)
{
	size_t n = 0;

	for (uint32_t i = 0; i < d->nsamples && n < DETECT_SAMPLES; i++) {
		const struct sample *sm = d->samples[i];

		if (sm->group != g || sm->len == 0)
			continue;
		smp[n++] = (struct fc_detect_sample){
			.data = sm->buf, .len = sm->len,
			.complete = sm->complete, .stream_len = sm->stream_len,
			.windows = sm->windows, .nwindows = sm->nwindows,
			.starts = sm->starts, .nstarts = sm->nstarts,
			.mid_stream = sm->mid_stream,
			.dir = sm->dir == FC_S2C ? FC_DIR_S2C : FC_DIR_C2S };
	}
	return n;
}

/* The comment for a port that takes another port's framing: what it
 * explains there. */
static void print_reused(FILE *out, unsigned port, unsigned from,
			 const struct fc_detect_candidate *c, bool had_guess)
{
	char what[256];

	framing_words(&c->profile, what, sizeof(what));
	fprintf(out, fc_ntr("#\n# port %u: port %u's framing (%s) tiles all %u stream "
			    "direction here: %" PRIu64 " frames, %" PRIu64 " of %" PRIu64
			    " bytes explained (%.0f%%)\n",
			    "#\n# port %u: port %u's framing (%s) tiles all %u stream "
			    "directions here: %" PRIu64 " frames, %" PRIu64 " of %" PRIu64
			    " bytes explained (%.0f%%)\n", c->samples),
		port, from, what, c->samples, c->frames,
		c->bytes, c->total,
		c->total ? 100.0 * (double)c->bytes / (double)c->total : 0.0);
	fprintf(out, fc_ntr("#   confidence: from port %u: %s; here %" PRIu64 " header found "
			    "where the length before said, %.0f bits of evidence\n",
			    "#   confidence: from port %u: %s; here %" PRIu64 " headers found "
			    "where the length before said, %.0f bits of evidence\n", c->landed),
		from, had_guess ? _("this port's own best guess was less sure") :
				  _("too few frames here to infer anything alone"),
		c->landed, c->bits);
}

static void detect_summary(struct fc_output *o, const struct fc_engine_stats *st,
			   const struct fc_live_stats *live)
{
	struct detect_out *d = (struct detect_out *)o;
	FILE *out = d->o.out;
	/* Candidates carry their prelude (a few KiB each): on the heap. */
	struct fc_detect_candidate (*best)[FC_DETECT_MAX_CANDIDATES] =
		calloc(DETECT_PORTS, sizeof(*best));
	struct fc_detect_candidate *reused = calloc(DETECT_PORTS, sizeof(*reused));
	size_t nbest[DETECT_PORTS] = { 0 }, nsmp[DETECT_PORTS] = { 0 };
	int from[DETECT_PORTS]; /* the group whose framing a port reuses, or -1 */
	struct fc_detect_sample smp[DETECT_SAMPLES];
	int found = 0;

	if (!best || !reused) {
		free(best);
		free(reused);
		fputs(_("# framecap --detect: out of memory\n"), out);
		fputs(NO_PORTS, out);
		return;
	}
	for (int g = 0; g < d->ngroups; g++) {
		from[g] = -1;
		nsmp[g] = group_samples(d, g, smp);
		if (nsmp[g])
			nbest[g] = fc_detect_rank(smp, nsmp[g], best[g], FC_DETECT_MAX_CANDIDATES);
	}
	/* A port with no sure framing of its own takes another port's sure
	 * one if it tiles every direction there (the most frames of those
	 * that do): the same protocol on a second port, with too few frames
	 * there to tell alone (ONC RPC's portmapper beside NFS). */
	for (int g = 0; g < d->ngroups; g++) {
		struct fc_detect_candidate c;

		if (!nsmp[g] || (nbest[g] && !best[g][0].low_confidence))
			continue;
		group_samples(d, g, smp);
		for (int h = 0; h < d->ngroups; h++) {
			if (h == g || !nbest[h] || best[h][0].low_confidence)
				continue;
			if (fc_detect_fit(&best[h][0].profile, smp, nsmp[g], &c) &&
			    (from[g] < 0 || c.frames > reused[g].frames)) {
				reused[g] = c;
				from[g] = h;
			}
		}
	}

	fprintf(out, fc_ntr("# framecap --detect: %" PRIu64 " packets, %" PRIu64
			    " stream with data; framing inferred per server port from up to\n"
			    "# %d stream directions: their first %u bytes, then length fields\n"
			    "# followed through larger frames.\n",
			    "# framecap --detect: %" PRIu64 " packets, %" PRIu64
			    " streams with data; framing inferred per server port from up to\n"
			    "# %d stream directions: their first %u bytes, then length fields\n"
			    "# followed through larger frames.\n", st->streams_with_data),
		st->packets, st->streams_with_data, DETECT_SAMPLES, DETECT_BYTES);
	for (int g = 0; g < d->ngroups; g++) {
		size_t n = nsmp[g];
		char line[512], why[1024];

		if (n == 0) {
			fprintf(out, _("#\n# port %u: no stream direction with data; nothing to "
				       "infer from\n"),
				d->groups[g].port);
			continue;
		}
		found++;
		if (from[g] >= 0) {
			print_reused(out, d->groups[g].port, d->groups[from[g]].port,
				     &reused[g], nbest[g] > 0);
			continue;
		}
		if (nbest[g] == 0) {
			found--;
			group_samples(d, g, smp);
			fc_detect_explain_none_in(smp, n, fc_tr, why, sizeof(why));
			fprintf(out, fc_ntr("#\n# port %u: nothing fits (%zu stream direction "
					    "sampled):\n", "#\n# port %u: nothing fits (%zu stream "
					    "directions sampled):\n", n), d->groups[g].port, n);
			print_wrapped_comment(out, why);
			continue;
		}
		print_candidate(out, d->groups[g].port, best[g], nbest[g], line, sizeof(line));
	}
	if (d->ports_dropped)
		fprintf(out, _("# (%" PRIu64 " more ports not sampled: at most %d)\n"),
			d->ports_dropped, DETECT_PORTS);
	if (!found) {
		fputs(_("# no framing found: this document maps no port\n"), out);
		fputs(NO_PORTS, out);
		free(best);
		free(reused);
		return;
	}
	fputs("profiles:\n", out);
	for (int g = 0; g < d->ngroups; g++)
		if (nbest[g] && from[g] < 0) {
			char name[32];
			snprintf(name, sizeof(name), "port_%u", d->groups[g].port);
			print_profile(out, name, &best[g][0].profile);
		}
	free(best);
	free(reused);
	fputs("ports:\n", out);
	for (int g = 0; g < d->ngroups; g++)
		if (from[g] >= 0)
			fprintf(out, "  %u: port_%u\n", d->groups[g].port,
				d->groups[from[g]].port);
		else if (nbest[g])
			fprintf(out, "  %u: port_%u\n", d->groups[g].port, d->groups[g].port);
	(void)live;
}

static void detect_destroy(struct fc_output *o)
{
	struct detect_out *d = (struct detect_out *)o;

	for (uint32_t i = 0; i < d->nsamples; i++) {
		free(d->samples[i]->buf);
		free(d->samples[i]->arena);
		free(d->samples[i]);
	}
	free(d);
}

static const struct fc_output detect_ops = {
	.sink = { .stream_begin = detect_begin, .data = detect_data, .stream_end = detect_end },
	.summary = detect_summary, .destroy = detect_destroy,
};

struct fc_output *fc_output_detect(const struct fc_output_opts *opts)
{
	struct detect_out *d = fc_output_alloc(sizeof(*d), &detect_ops);

	if (d)
		d->o = *opts;
	return d ? &d->base : NULL;
}
