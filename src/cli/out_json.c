/* out_json.c - JSON Lines output: one object per line, nothing else.
 *
 *   {"type":"frame",...}      a complete frame
 *   {"type":"anomaly",...}    something went wrong, with where
 *   {"type":"summary",...}    always the last line
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct json_out {
	struct fc_output base;
	struct fc_output_opts o;
};

void fc_json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}

void fc_print_us(FILE *out, int64_t us)
{
	if (us < 0) {
		putc('-', out);
		us = -us;
	}
	fprintf(out, "%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
}

static const char *dir_name(enum fc_dir d)
{
	return d == FC_C2S ? "c2s" : "s2c";
}

static void common(FILE *out, const char *type, const struct fc_stream_info *s,
		   enum fc_dir dir)
{
	fprintf(out, "{\"type\":\"%s\",\"stream\":%" PRIu64 ",\"src\":", type, s->id);
	fc_json_string(out, dir == FC_C2S ? s->client : s->server);
	fputs(",\"dst\":", out);
	fc_json_string(out, dir == FC_C2S ? s->server : s->client);
	fprintf(out, ",\"dir\":\"%s\"", dir_name(dir));
	for (unsigned i = 0; i < s->key.nvlan; i++)
		fprintf(out, "%s%u", i ? "," : ",\"vlan\":[", s->key.vlan[i]);
	if (s->key.nvlan)
		putc(']', out);
}

static void json_frame(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_frame *f)
{
	struct json_out *j = ctx;
	FILE *out = j->o.out;
	uint64_t n = f->payload_kept < j->o.payload_hex ? f->payload_kept : j->o.payload_hex;

	common(out, "frame", s, dir);
	fprintf(out, ",\"index\":%" PRIu64 ",\"offset\":%" PRIu64
		     ",\"header_len\":%u,\"length\":%" PRId64 ",\"payload_len\":%" PRIu64,
		f->index, f->offset, f->header_len, f->length, f->payload_len);
	fputs(",\"packets\":[", out);
	for (uint32_t i = 0; i < f->npackets; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", f->packets[i]);
	putc(']', out);
	if (f->npackets_total > f->npackets)
		fprintf(out, ",\"packets_total\":%" PRIu64, f->npackets_total);
	fprintf(out, ",\"split\":%s,\"sticky\":%s", f->split ? "true" : "false",
		f->sticky ? "true" : "false");
	if (f->header_split)
		fputs(",\"header_split\":true", out);
	if (f->resynced)
		fputs(",\"resynced\":true", out);
	if (f->payload_missing)
		fprintf(out, ",\"payload_missing\":%" PRIu64, f->payload_missing);
	fputs(",\"ts\":", out);
	fc_print_us(out, f->ts_us);
	fputs(",\"payload_hex\":\"", out);
	for (uint64_t i = 0; i < n; i++)
		fprintf(out, "%02x", f->payload[i]);
	fputs("\"}\n", out);
}

static void json_anomaly(void *ctx, const struct fc_stream_info *s,
			 enum fc_dir dir, const struct fc_anomaly *a)
{
	struct json_out *j = ctx;
	FILE *out = j->o.out;

	common(out, "anomaly", s, dir);
	fprintf(out, ",\"offset\":%" PRIu64 ",\"packet\":%" PRIu64 ",\"kind\":\"%s\",\"detail\":",
		a->offset, a->pkt, fc_anomaly_name(a->kind));
	fc_json_string(out, a->detail);
	fputs("}\n", out);
}

static void json_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct json_out *j = (struct json_out *)o;
	FILE *out = j->o.out;

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
