/* SPDX-License-Identifier: GPL-2.0-or-later */
/* out_html.c - `--html FILE`: one self-contained HTML page that draws each
 * stream as lanes (segments, frames, reads) on its byte axis.
 *
 *   engine --report--> [html writer] --report--> inner view (text, JSON,
 *                            |                    recv-view) on stdout
 *                            v
 *   FILE:  <style>report.css</style>
 *          <script type="application/json" id="framecap-data">
 *            {"type":"stream",...}     one per stream (endpoints, profile)
 *            {"type":"frame",...}      the JSON writer's own objects,
 *            {"type":"anomaly",...}    unchanged (out_json.c)
 *            {"type":"segment",...}    one per TCP segment with payload,
 *                                      retransmissions included
 *            {"type":"stream_end",...} per-direction counts
 *            {"type":"summary",...}    the JSON writer's summary
 *            {"type":"html",...}       limits, what was left out, --explain
 *          </script>                   (and with --lang zh: the page's words
 *                                      and each finding in Chinese, see
 *                                      page_strings and anomaly_texts)
 *          <script>report.js</script>   draws the page from the records
 *
 * The records are JSON Lines written by fc_output_json into a stdio
 * stream that replaces every '<' by \u003c on its way to the file, so no
 * string from the wire can end the script element; '<' occurs in JSON only
 * inside strings, where the escape means the same character. The page's
 * CSS and JS are src/cli/html/report.{css,js}, built into the program.
 *
 * Size: records of streams numbered above max_streams, and frames,
 * segments and anomalies past max_frames each, are left out and counted;
 * the page says so. Writing costs about what --json costs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fc_describe.h"
#include "fc_profile_opts.h"
#include "fc_text.h"
#include "fmt_out.h"
#include "i18n.h"
#include "output.h"

/* The page's stylesheet and script, NUL-terminated (linked in below). */
extern const char fc_html_css[], fc_html_js[];
__asm__(".section .rodata\n"
	".global fc_html_css\n"
	"fc_html_css:\n"
	".incbin \"src/cli/html/report.css\"\n"
	".byte 0\n"
	".global fc_html_js\n"
	"fc_html_js:\n"
	".incbin \"src/cli/html/report.js\"\n"
	".byte 0\n"
	".previous\n");

#define DESC_MAX 256

struct html_out {
	struct fc_output base;
	struct fc_output *inner; /* the view on stdout, or NULL */
	struct fc_output *json; /* writes the records into `esc` */
	struct fmt_out *rec; /* json's buffer, shared by this file's records */
	FILE *file; /* the page */
	FILE *esc; /* '<'-escaping stream onto `file` */
	int file_err; /* first errno of a write to `file` */
	struct fc_html_opts h;
	uint64_t frames, segments, anomalies; /* records written */
	uint64_t left_streams, left_frames, left_segments, left_anomalies;
};

/* fopencookie write: the bytes with '<' as \u003c, onto the page. */
static ssize_t esc_write(void *cookie, const char *buf, size_t n)
{
	struct html_out *h = cookie;
	size_t i = 0;

	if (h->file_err) {
		errno = h->file_err;
		return -1;
	}
	while (i < n) {
		const char *lt = memchr(buf + i, '<', n - i);
		size_t run = lt ? (size_t)(lt - (buf + i)) : n - i;

		errno = 0;
		if ((run && fwrite(buf + i, 1, run, h->file) != run) ||
		    (lt && fwrite("\\u003c", 1, 6, h->file) != 6)) {
			h->file_err = errno ? errno : EIO;
			errno = h->file_err;
			return -1;
		}
		i += run + (lt ? 1 : 0);
	}
	return (ssize_t)n;
}

/* Write a literal piece of the page (outside the records). */
static void page_write(struct html_out *h, const char *s)
{
	size_t n = strlen(s);

	if (h->file_err)
		return;
	errno = 0;
	if (fwrite(s, 1, n, h->file) != n)
		h->file_err = errno ? errno : EIO;
}

static bool shown_stream(const struct html_out *h, const struct fc_stream_info *s)
{
	return s->id <= h->h.max_streams;
}

/* "key":"escaped value" (fc_json_escape), into the records. */
static void rec_str(struct html_out *h, const char *key, const char *v)
{
	size_t n = strlen(v);
	char *p = fmt_room(h->rec, strlen(key) + 6 * n + 8);

	*p++ = '"';
	p = fmt_mem(p, key, strlen(key));
	p = FMT_LIT(p, "\":\"");
	p = fc_json_escape(p, v, n);
	*p++ = '"';
	fmt_commit(h->rec, p);
}

/* "key":"value", both escaped, into the records. */
static void rec_pair(struct html_out *h, const char *key, size_t klen, const char *v)
{
	size_t n = strlen(v);
	char *p = fmt_room(h->rec, 6 * (klen + n) + 8);

	*p++ = '"';
	p = fc_json_escape(p, key, klen);
	p = FMT_LIT(p, "\":\"");
	p = fc_json_escape(p, v, n);
	*p++ = '"';
	fmt_commit(h->rec, p);
}

/* With a translation: after the JSON writer's anomaly records (English,
 * as --json), each finding in the page's language, in the same order. */
static void anomaly_texts(struct html_out *h, const struct fc_report *r, uint32_t n)
{
	char detail[FC_DESCRIBE_MAX_IN];

	for (uint32_t i = 0; i < n; i++) {
		if (r->events[i].type != FC_EV_ANOMALY)
			continue;
		fc_anomaly_describe_in(&r->events[i].anomaly, fc_tr, detail, sizeof(detail));
		fmt_str(h->rec, "{\"type\":\"anomaly_text\",");
		rec_str(h, "detail", detail);
		fmt_str(h->rec, "}\n");
	}
}

/* The page's words, translated: every _("...") of report.js (a string
 * literal whose escapes are \n, \" and \\ only) with its translation, as
 * "strings":{"english":"chinese",...}. */
static void page_strings(struct html_out *h)
{
	const char *p = fc_html_js;
	char msgid[512];
	bool first = true;

	fmt_str(h->rec, ",\"lang\":\"zh-CN\",\"strings\":{");
	while ((p = strstr(p, "_(\""))) {
		size_t n = 0;

		for (p += 3; *p && *p != '"' && n < sizeof(msgid) - 1; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				msgid[n++] = *p == 'n' ? '\n' : *p;
			} else {
				msgid[n++] = *p;
			}
		}
		msgid[n] = '\0';
		if (strcmp(_(msgid), msgid) == 0)
			continue;
		if (!first)
			fmt_str(h->rec, ",");
		first = false;
		rec_pair(h, msgid, n, _(msgid));
	}
	fmt_str(h->rec, "}");
}

static void html_begin(void *ctx, const struct fc_stream_info *s)
{
	struct html_out *h = ctx;
	char desc[DESC_MAX], client[FC_ENDPOINT_MAX], server[FC_ENDPOINT_MAX];

	if (h->inner && h->inner->sink.stream_begin)
		h->inner->sink.stream_begin(h->inner->sink.ctx, s);
	if (!shown_stream(h, s)) {
		h->left_streams++;
		return;
	}
	fc_profile_describe_in(s->profile, fc_lang_zh() ? fc_tr : NULL, desc, sizeof(desc));
	fc_format_endpoint(&s->key.src, s->key.sport, client, sizeof(client));
	fc_format_endpoint(&s->key.dst, s->key.dport, server, sizeof(server));
	fmt_printf(h->rec, "{\"type\":\"stream\",\"stream\":%" PRIu64 ",", s->id);
	rec_str(h, "client", client);
	fmt_str(h->rec, ",");
	rec_str(h, "server", server);
	fmt_str(h->rec, ",");
	rec_str(h, "profile", desc);
	fmt_printf(h->rec, ",\"syn_seen\":%s,\"first_packet\":%" PRIu64 ",\"ts\":",
		   s->syn_seen ? "true" : "false", s->first_pkt);
	{
		char *p = fmt_room(h->rec, 40);
		fmt_commit(h->rec, fmt_time_us(p, s->first_ts_us));
	}
	fmt_str(h->rec, "}\n");
}

static void html_data(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		      uint64_t offset, const uint8_t *p, uint32_t n, bool start_seen)
{
	struct html_out *h = ctx;

	if (h->inner && h->inner->sink.data)
		h->inner->sink.data(h->inner->sink.ctx, s, dir, offset, p, n, start_seen);
}

/* One segment: where it sits in the stream (a retransmission: the bytes
 * it repeated), how many frames it touched, and the frame still open at
 * its end (the reads lane needs it, as --recv-view does). This writer's
 * records replace the JSON writer's retransmission records: one per
 * packet. */
static void segment_record(struct html_out *h, const struct fc_stream_info *s,
			   enum fc_dir dir, const struct fc_segment *seg)
{
	uint32_t shown = seg->npieces < FC_SEG_PIECES_MAX ? seg->npieces : FC_SEG_PIECES_MAX;
	char *p = fmt_room(h->rec, 200 + FC_JSON_SEGMENT_MAX);

	p = FMT_LIT_U64(p, "{\"type\":\"segment\",\"stream\":", s->id);
	p = dir == FC_C2S ? FMT_LIT(p, ",\"dir\":\"c2s\"") : FMT_LIT(p, ",\"dir\":\"s2c\"");
	p = fc_json_segment_fields(p, seg);
	p = FMT_LIT_U64(p, ",\"frames\":", seg->npieces);
	if (seg->unframed) {
		p = FMT_LIT_U64(p, ",\"unframed\":", seg->unframed);
	}
	if (seg->out_of_order)
		p = FMT_LIT(p, ",\"out_of_order\":true");
	if (shown) {
		const struct fc_piece *pc = &seg->pieces[shown - 1];

		if (!(pc->flags & (FC_PIECE_END | FC_PIECE_ERROR))) {
			p = FMT_LIT_U64(p, ",\"open_frame\":", pc->frame_index);
			p = FMT_LIT_U64(p, ",\"open_offset\":", pc->frame_offset);
		}
	}
	p = FMT_LIT(p, "}\n");
	fmt_commit(h->rec, p);
}

/* The report's events go to the JSON writer as they are, cut where the
 * frame or anomaly budget runs out (what is cut is counted); then the
 * segment's own record. */
static void html_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
			const struct fc_report *r)
{
	struct html_out *h = ctx;
	struct fc_report part = *r;
	uint32_t keep = 0;

	if (h->inner)
		h->inner->sink.report(h->inner->sink.ctx, s, dir, r);
	if (!shown_stream(h, s))
		return;
	for (; keep < r->nevents; keep++) {
		const struct fc_event *ev = &r->events[keep];
		uint64_t *n = ev->type == FC_EV_FRAME ? &h->frames : &h->anomalies;

		if (*n >= h->h.max_frames)
			break;
		++*n;
	}
	for (uint32_t i = keep; i < r->nevents; i++) {
		if (r->events[i].type == FC_EV_FRAME)
			h->left_frames++;
		else
			h->left_anomalies++;
	}
	part.nevents = keep;
	part.seg = NULL; /* written below, as every segment is */
	if (keep)
		h->json->sink.report(h->json->sink.ctx, s, dir, &part);
	if (keep && fc_lang_zh())
		anomaly_texts(h, r, keep);
	if (!r->seg)
		return;
	if (h->segments >= h->h.max_frames) {
		h->left_segments++;
		return;
	}
	h->segments++;
	segment_record(h, s, dir, r->seg);
}

static void end_dir(struct html_out *h, const char *name, const struct fc_decoder_stats *d,
		    const struct fc_reasm_stats *ra)
{
	fmt_printf(h->rec,
		   ",\"%s\":{\"frames\":%" PRIu64 ",\"segments\":%" PRIu64 ",\"bytes\":%" PRIu64
		   ",\"sticky_segments\":%" PRIu64 ",\"split_frames\":%" PRIu64
		   ",\"unframed_bytes\":%" PRIu64 ",\"retransmitted_bytes\":%" PRIu64
		   ",\"conflicts\":%" PRIu64 ",\"ooo_segments\":%" PRIu64 ",\"gap_bytes\":%" PRIu64
		   "}",
		   name, d->frames, d->segments, d->bytes, d->sticky_segments, d->split_frames,
		   d->unframed_bytes, ra->retransmitted_bytes, ra->conflicts, ra->ooo_segments,
		   ra->gap_bytes);
}

static void html_end(void *ctx, const struct fc_stream_info *s, const struct fc_stream_end *e)
{
	struct html_out *h = ctx;

	if (h->inner && h->inner->sink.stream_end)
		h->inner->sink.stream_end(h->inner->sink.ctx, s, e);
	if (!shown_stream(h, s))
		return;
	fmt_printf(h->rec, "{\"type\":\"stream_end\",\"stream\":%" PRIu64 ",", s->id);
	rec_str(h, "why", e->why ? e->why : "");
	end_dir(h, "c2s", &e->dir[FC_C2S], &e->reasm[FC_C2S]);
	end_dir(h, "s2c", &e->dir[FC_S2C], &e->reasm[FC_S2C]);
	fmt_str(h->rec, "}\n");
}

/* The last record: the page's settings, what the limits left out, the
 * --explain paragraph of every kind, in the page's language (with its
 * words when that is not English). */
static void settings_record(struct html_out *h)
{
	fmt_printf(h->rec,
		   "{\"type\":\"html\",\"max_streams\":%" PRIu64 ",\"max_frames\":%" PRIu64
		   ",\"recv\":%" PRIu64 ",\"payload_bytes\":%" PRIu64
		   ",\"left_out\":{\"streams\":%" PRIu64 ",\"frames\":%" PRIu64
		   ",\"segments\":%" PRIu64 ",\"anomalies\":%" PRIu64 "},\"explain\":{",
		   h->h.max_streams, h->h.max_frames, h->h.recv, h->h.payload_hex,
		   h->left_streams, h->left_frames, h->left_segments, h->left_anomalies);
	for (int k = 0; k < FC_AN__COUNT; k++) {
		if (k)
			fmt_str(h->rec, ",");
		rec_str(h, fc_anomaly_name((enum fc_anomaly_kind)k),
			_(fc_anomaly_explain((enum fc_anomaly_kind)k)));
	}
	fmt_str(h->rec, "}");
	if (fc_lang_zh())
		page_strings(h);
	fmt_str(h->rec, "}\n");
}

static void html_summary(struct fc_output *o, const struct fc_engine_stats *st,
			 const struct fc_live_stats *live)
{
	struct html_out *h = (struct html_out *)o;

	if (h->inner)
		h->inner->summary(h->inner, st, live);
	h->json->summary(h->json, st, live);
	settings_record(h);
	fc_output_flush(h->json);
	errno = 0;
	if (fflush(h->esc) != 0 && !h->file_err)
		h->file_err = errno ? errno : EIO;
	page_write(h, "</script>\n<script>\n");
	page_write(h, fc_html_js);
	page_write(h, "</script>\n</body>\n</html>\n");
}

/* The page's first write error, after the last bytes went out. */
static int html_finish(struct fc_output *o)
{
	struct html_out *h = (struct html_out *)o;
	int err = fc_output_write_error(h->json);

	if (!h->file_err) {
		errno = 0;
		if (fflush(h->file) != 0 || ferror(h->file))
			h->file_err = errno ? errno : EIO;
	}
	return h->file_err ? h->file_err : err;
}

static void html_destroy(struct fc_output *o)
{
	struct html_out *h = (struct html_out *)o;

	if (h->inner)
		h->inner->destroy(h->inner);
	h->json->destroy(h->json);
	fclose(h->esc);
	free(h);
}

struct fc_output *fc_output_html(const struct fc_output_opts *opts, const struct fc_html_opts *ho,
				 FILE *file, struct fc_output *inner)
{
	static const cookie_io_functions_t io = { .write = esc_write };
	struct html_out *h = calloc(1, sizeof(*h));
	struct fc_output_opts jo = *opts;

	if (!h)
		return NULL;
	h->file = file;
	h->h = *ho;
	h->esc = fopencookie(h, "w", io);
	if (!h->esc) {
		free(h);
		return NULL;
	}
	jo.out = h->esc;
	jo.payload_hex = ho->payload_hex;
	h->json = fc_output_json(&jo);
	if (!h->json) {
		fclose(h->esc);
		free(h);
		return NULL;
	}
	h->rec = h->json->fmt;
	h->inner = inner;
	page_write(h, fc_lang_zh() ? "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n"
				   : "<!DOCTYPE html>\n<html lang=\"en\">\n");
	page_write(h, "<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width\">\n"
		      "<meta name=\"generator\" content=\"framecap\">\n<title>");
	page_write(h, _("framecap report"));
	page_write(h, "</title>\n<style>\n");
	page_write(h, fc_html_css);
	page_write(h, "</style>\n</head>\n<body>\n<div id=\"app\"><noscript>");
	page_write(h, _("This report draws itself with JavaScript; its records are in the "
			"element framecap-data."));
	page_write(h, "</noscript></div>\n"
		      "<script type=\"application/json\" id=\"framecap-data\">\n");
	h->base.sink.ctx = h;
	h->base.sink.stream_begin = html_begin;
	/* Raw bytes only for a view that reads them: the engine skips the
	 * call otherwise. */
	h->base.sink.data = inner && inner->sink.data ? html_data : NULL;
	h->base.sink.report = html_report;
	h->base.sink.stream_end = html_end;
	h->base.summary = html_summary;
	/* Flushed after each live batch and checked at the end: the view on
	 * stdout. The page is checked by finish. */
	h->base.fmt = inner ? inner->fmt : NULL;
	h->base.finish = html_finish;
	h->base.destroy = html_destroy;
	return &h->base;
}
