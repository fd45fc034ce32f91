/* out_json.c - JSON Lines output: one object per line, nothing else.
 *
 *   {"type":"frame",...}      a complete frame
 *   {"type":"anomaly",...}    something went wrong, with where
 *   {"type":"summary",...}    always the last line
 *
 * Lines are built in a buffer with hand-made number and hex formatting:
 * with many small frames, printf's format parsing cost more than all of
 * the decoding.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define JBUF_SIZE 16384

struct json_out {
	struct fc_output base;
	struct fc_output_opts o;
	size_t len;
	char buf[JBUF_SIZE];
};

static const char hex_digits[] = "0123456789abcdef";

static void jflush(struct json_out *j)
{
	fwrite(j->buf, 1, j->len, j->o.out);
	j->len = 0;
}

/* Room for n more bytes (n <= JBUF_SIZE). */
static char *jroom(struct json_out *j, size_t n)
{
	if (j->len + n > JBUF_SIZE)
		jflush(j);
	return j->buf + j->len;
}

static void jlit(struct json_out *j, const char *s, size_t n)
{
	memcpy(jroom(j, n), s, n);
	j->len += n;
}

#define JLIT(j, s) jlit(j, s, sizeof(s) - 1)

static void ju64(struct json_out *j, uint64_t v)
{
	char tmp[20], *p = tmp + sizeof(tmp);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10));
	jlit(j, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void ji64(struct json_out *j, int64_t v)
{
	if (v < 0) {
		JLIT(j, "-");
		ju64(j, (uint64_t)0 - (uint64_t)v);
	} else {
		ju64(j, (uint64_t)v);
	}
}

static void jbool(struct json_out *j, bool v)
{
	if (v)
		JLIT(j, "true");
	else
		JLIT(j, "false");
}

static void jhex(struct json_out *j, const uint8_t *p, uint64_t n)
{
	while (n > 0) {
		size_t chunk = n > JBUF_SIZE / 4 ? JBUF_SIZE / 4 : (size_t)n;
		char *o = jroom(j, 2 * chunk);
		for (size_t i = 0; i < chunk; i++) {
			o[2 * i] = hex_digits[p[i] >> 4];
			o[2 * i + 1] = hex_digits[p[i] & 15];
		}
		j->len += 2 * chunk;
		p += chunk;
		n -= chunk;
	}
}

/* A JSON string. */
static void jstr(struct json_out *j, const char *s)
{
	JLIT(j, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char *o = jroom(j, 6);
		const char *esc = NULL;

		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		}
		if (esc) {
			memcpy(o, esc, 2);
			j->len += 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = hex_digits[*p >> 4];
			o[5] = hex_digits[*p & 15];
			j->len += 6;
		} else {
			*o = (char)*p;
			j->len++;
		}
	}
	JLIT(j, "\"");
}

static void jtime(struct json_out *j, int64_t us)
{
	char frac[6];
	uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;

	if (us < 0)
		JLIT(j, "-");
	ju64(j, u / 1000000);
	u %= 1000000;
	for (int i = 5; i >= 0; i--, u /= 10)
		frac[i] = (char)('0' + u % 10);
	JLIT(j, ".");
	jlit(j, frac, 6);
}

static void common(struct json_out *j, const char *type,
		   const struct fc_stream_info *s, enum fc_dir dir)
{
	JLIT(j, "{\"type\":\"");
	jlit(j, type, strlen(type));
	JLIT(j, "\",\"stream\":");
	ju64(j, s->id);
	/* Endpoints are formatted by fc_format_endpoint: nothing to escape. */
	const char *src = dir == FC_C2S ? s->client : s->server;
	const char *dst = dir == FC_C2S ? s->server : s->client;
	JLIT(j, ",\"src\":\"");
	jlit(j, src, strlen(src));
	JLIT(j, "\",\"dst\":\"");
	jlit(j, dst, strlen(dst));
	JLIT(j, "\"");
	if (dir == FC_C2S)
		JLIT(j, ",\"dir\":\"c2s\"");
	else
		JLIT(j, ",\"dir\":\"s2c\"");
	for (unsigned i = 0; i < s->key.nvlan; i++) {
		if (i)
			JLIT(j, ",");
		else
			JLIT(j, ",\"vlan\":[");
		ju64(j, s->key.vlan[i]);
	}
	if (s->key.nvlan)
		JLIT(j, "]");
}

static void json_frame(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_frame *f)
{
	struct json_out *j = ctx;
	uint64_t n = f->payload_kept < j->o.payload_hex ? f->payload_kept : j->o.payload_hex;

	common(j, "frame", s, dir);
	JLIT(j, ",\"index\":");
	ju64(j, f->index);
	JLIT(j, ",\"offset\":");
	ju64(j, f->offset);
	JLIT(j, ",\"header_len\":");
	ju64(j, f->header_len);
	JLIT(j, ",\"length\":");
	ji64(j, f->length);
	JLIT(j, ",\"payload_len\":");
	ju64(j, f->payload_len);
	JLIT(j, ",\"packets\":[");
	for (uint32_t i = 0; i < f->npackets; i++) {
		if (i)
			JLIT(j, ",");
		ju64(j, f->packets[i]);
	}
	JLIT(j, "]");
	if (f->npackets_total > f->npackets) {
		JLIT(j, ",\"packets_total\":");
		ju64(j, f->npackets_total);
	}
	JLIT(j, ",\"split\":");
	jbool(j, f->split);
	JLIT(j, ",\"sticky\":");
	jbool(j, f->sticky);
	if (f->header_split)
		JLIT(j, ",\"header_split\":true");
	if (f->resynced)
		JLIT(j, ",\"resynced\":true");
	if (f->payload_missing) {
		JLIT(j, ",\"payload_missing\":");
		ju64(j, f->payload_missing);
	}
	JLIT(j, ",\"ts\":");
	jtime(j, f->ts_us);
	JLIT(j, ",\"payload_hex\":\"");
	jhex(j, f->payload, n);
	JLIT(j, "\"}\n");
}

static void json_anomaly(void *ctx, const struct fc_stream_info *s,
			 enum fc_dir dir, const struct fc_anomaly *a)
{
	struct json_out *j = ctx;
	const char *kind = fc_anomaly_name(a->kind);

	common(j, "anomaly", s, dir);
	JLIT(j, ",\"offset\":");
	ju64(j, a->offset);
	JLIT(j, ",\"packet\":");
	ju64(j, a->pkt);
	JLIT(j, ",\"kind\":\"");
	jlit(j, kind, strlen(kind));
	JLIT(j, "\",\"detail\":");
	jstr(j, a->detail);
	JLIT(j, "}\n");
}

static void json_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct json_out *j = (struct json_out *)o;
	FILE *out = j->o.out;

	jflush(j);
	fprintf(out,
		"{\"type\":\"summary\",\"packets\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
		",\"streams\":%" PRIu64 ",\"streams_with_data\":%" PRIu64
		",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64
		",\"sticky_segments\":%" PRIu64 ",\"split_frames\":%" PRIu64
		",\"max_frames_in_segment\":%" PRIu64 ",\"anomalies\":%" PRIu64,
		st->packets, st->tcp_packets, st->streams, st->streams_with_data,
		st->frames, st->bytes, st->sticky_segments, st->split_frames,
		st->max_frames_in_segment, st->anomalies);
	fputs(",\"anomaly_kinds\":{", out);
	for (int k = 0, first = 1; k < FC_AN__COUNT; k++) {
		if (!st->anomaly_kinds[k])
			continue;
		fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",",
			fc_anomaly_name((enum fc_anomaly_kind)k), st->anomaly_kinds[k]);
		first = 0;
	}
	fprintf(out,
		"},\"not_tcp\":%" PRIu64 ",\"ip_fragments\":%" PRIu64
		",\"malformed\":%" PRIu64 ",\"unsupported_link\":%" PRIu64
		",\"late_packets\":%" PRIu64 ",\"retransmitted_bytes\":%" PRIu64
		",\"flows_evicted\":%" PRIu64 ",\"live_flows_peak\":%" PRIu64
		",\"ooo_peak_bytes\":%" PRIu64 ",\"ooo_forced_gaps\":%" PRIu64,
		st->not_tcp, st->ip_fragments, st->malformed, st->bad_link,
		st->late_packets, st->retransmitted_bytes, st->flows_evicted,
		st->live_flows_peak, st->ooo_peak_bytes, st->forced_gaps);
	if (live && live->live)
		fprintf(out, ",\"pcap_received\":%lu,\"pcap_dropped\":%lu,\"pcap_ifdropped\":%lu",
			live->received, live->dropped, live->ifdropped);
	fputs("}\n", out);
}

static void json_destroy(struct fc_output *o)
{
	jflush((struct json_out *)o);
	free(o);
}

struct fc_output *fc_output_json(const struct fc_output_opts *opts)
{
	struct json_out *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->o = *opts;
	j->base.sink.ctx = j;
	j->base.sink.frame = json_frame;
	j->base.sink.anomaly = json_anomaly;
	j->base.summary = json_summary;
	j->base.destroy = json_destroy;
	return &j->base;
}
