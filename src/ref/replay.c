/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.c - framecap-client --replay: a capture turned into traffic
 * again, against a live server, cut the way the options say.
 *
 *   framecap-client --replay FILE -c HOST:PORT [shaping] [--expect[=lengths]]
 *                   [profile options] [BPF expression]
 *
 *   capture ---> fc_engine (profile chosen as framecap chooses it)
 *       |            data(): in-order bytes   report(): segments, frames
 *       v
 *   per connection:  c2s bytes [begin, end)  segments  frames
 *                    s2c reply frames (payloads), each with its packet
 *       |
 *       v  shaping: where the write() calls cut [begin, end)
 *
 *     as captured  |hdr pay|hdr pa|y hdr pay|     the captured segments
 *     --frames     |hdr pay|hdr pay|hdr pay|      one frame per write
 *     --burst 2    |hdr pay hdr pay|hdr pay|      sticky on purpose
 *     --split-header |hd|r pay|hd|r pay|          recv(4) gets 2 bytes
 *     --drip / --chunk N / --random SEED
 *       |
 *       v  each write waits for the reply frames the capture shows
 *          before its first byte's packet (--no-wait: none), then
 *          --delay MS or the captured timing (--timing, --speed)
 *   new TCP connection (TCP_NODELAY) per captured one, --parallel N at
 *   a time; replies cut by the core's reader and, with --expect,
 *   compared with the captured ones (count, lengths, payloads).
 *
 * Everything is bounded: the bytes kept from the capture (REPLAY_MAX_BYTES
 * in all), the segments and frames (REPLAY_MAX_RECORDS in all, and only
 * over the bytes kept), the connections (REPLAY_MAX_STREAMS), the writes
 * (REPLAY_MAX_WRITES per connection), the time (--timeout for the whole
 * run, --reply-timeout for one wait). Nothing is sized by a length field.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fc_describe.h"
#include "fc_engine.h"
#include "fc_grow.h"
#include "fc_reader.h"
#include "ref_common.h"
#include "ref_options.h"
#include "replay.h"

#define PROG "framecap-client"
#define REPLAY_MAX_STREAMS 4096u
#define REPLAY_MAX_BYTES (256u << 20) /* client and server bytes kept, in all */
#define REPLAY_MAX_RECORDS (8u << 20) /* segments and frames kept, in all */
#define REPLAY_MAX_WRITES (4u << 20) /* per connection */
#define REPLAY_MAX_PARALLEL 256u
#define RECV_CHUNK 65536u
#define PV_CHARS 32u

enum shaping { SH_CAPTURED, SH_FRAMES, SH_BURST, SH_DRIP, SH_CHUNK, SH_SPLIT_HEADER, SH_RANDOM };
static const char *const shaping_names[] = { "as-captured", "frames", "burst", "drip",
					     "chunk", "split-header", "random" };
enum expect { EXPECT_NONE, EXPECT_FULL, EXPECT_LENGTHS };

static struct {
	const char *file, *connect_s;
	char *expr; /* the BPF expression (owned), or NULL */
	enum shaping shaping;
	uint64_t shaping_n; /* --burst N, --chunk N, --random SEED */
	int64_t delay_ms;
	bool timing_captured;
	double speed;
	bool no_wait, json, quiet, from_first_frame;
	enum expect expect;
	uint64_t only_stream; /* --stream N; 0: all */
	unsigned parallel;
	int64_t timeout_ms, reply_timeout_ms;
	struct fc_profile_opts popts;
	struct ref_addr addr;
	char target[80];
} O;

/* One captured data segment of a direction, after reassembly. */
struct seg {
	uint64_t off, pkt;
	uint32_t len;
	int64_t ts_us;
};

/* One decoded frame: header at off, len bytes in all. */
struct frame {
	uint64_t off, len, pkt_last;
	uint32_t hdr;
};

struct dir {
	uint8_t *buf; /* in-order bytes from offset 0 */
	size_t len, cap;
	struct seg *segs;
	size_t nsegs, segs_cap;
	struct frame *frames;
	size_t nframes, frames_cap;
	bool start_seen, any_data;
	uint64_t stop_at; /* first byte not to be trusted: a gap, a framing error */
	char stop_why[200];
};

/* One write() of the plan. */
struct wr {
	uint64_t off;
	uint32_t len;
	uint64_t need; /* reply frames to have before it */
	int64_t at_us; /* captured time of its first byte, from the first write */
};

struct stream {
	uint64_t id;
	char client[FC_ENDPOINT_MAX], server[FC_ENDPOINT_MAX];
	struct fc_profile prof;
	struct dir d[2];
	/* The plan. */
	uint64_t begin, end; /* client bytes sent */
	uint64_t nframes; /* client frames in them */
	struct wr *w;
	size_t nw;
	uint64_t nexp; /* reply frames expected */
	/* The replay. */
	int fd;
	bool started, connected, shut, eof, done, failed;
	size_t wi; /* next write */
	uint32_t wdone; /* bytes of it sent */
	int64_t next_at, wait_since, last_rx, t0;
	struct fc_reader rd;
	uint64_t replies, reply_bytes, sent, writes_done;
	bool warned_wait;
};

static struct stream *streams[REPLAY_MAX_STREAMS];
static size_t nstreams;
static uint64_t kept_bytes, kept_records;
static bool load_oom;

/* "framecap-client: message" on stderr, then exit(status). */
#define die(status, ...) ref_die(PROG, status, __VA_ARGS__)

/* The kept stream whose id is s->id, or NULL. */
static struct stream *find(const struct fc_stream_info *s)
{
	/* Streams begin in id order, so the last kept one is the usual hit. */
	for (size_t i = nstreams; i-- > 0;)
		if (streams[i]->id == s->id)
			return streams[i];
	return NULL;
}

/* Mark where a direction stops being replayable (the first time only). */
static void stop_dir(struct dir *d, uint64_t at, const char *why)
{
	if (d->stop_at != UINT64_MAX && d->stop_at <= at)
		return;
	d->stop_at = at;
	snprintf(d->stop_why, sizeof(d->stop_why), "%s", why);
}

static void on_begin(void *ctx, const struct fc_stream_info *s)
{
	struct stream *st;

	(void)ctx;
	if (O.only_stream && s->id != O.only_stream)
		return;
	if (nstreams == REPLAY_MAX_STREAMS) {
		static bool said;
		if (!said && !O.quiet)
			ref_warn(PROG, "more than %u connections: the rest are not replayed",
				 REPLAY_MAX_STREAMS);
		said = true;
		return;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		load_oom = true;
		return;
	}
	st->id = s->id;
	st->fd = -1;
	fc_format_endpoint(&s->key.src, s->key.sport, st->client, sizeof(st->client));
	fc_format_endpoint(&s->key.dst, s->key.dport, st->server, sizeof(st->server));
	st->prof = *s->profile;
	for (int i = 0; i < 2; i++)
		st->d[i].stop_at = UINT64_MAX;
	streams[nstreams++] = st;
}

static void on_data(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		    uint64_t offset, const uint8_t *p, uint32_t n, bool start_seen)
{
	struct stream *st = find(s);
	struct dir *d;
	char why[120];

	(void)ctx;
	if (!st)
		return;
	d = &st->d[dir];
	if (!d->any_data)
		d->start_seen = start_seen;
	d->any_data = true;
	if (offset != d->len) {
		snprintf(why, sizeof(why), "%" PRIu64 " bytes never captured at stream byte %zu",
			 offset > d->len ? offset - d->len : 0, d->len);
		stop_dir(d, d->len, why);
		return;
	}
	if (d->stop_at != UINT64_MAX && d->stop_at <= d->len)
		return;
	if (kept_bytes + n > REPLAY_MAX_BYTES) {
		snprintf(why, sizeof(why), "over the %u MiB the replay keeps from a capture",
			 REPLAY_MAX_BYTES >> 20);
		stop_dir(d, d->len, why);
		return;
	}
	if (d->len + n > d->cap) {
		size_t c = d->cap ? d->cap : 4096;
		uint8_t *q;

		while (c < d->len + n)
			c *= 2;
		q = realloc(d->buf, c);
		if (!q) {
			load_oom = true;
			return;
		}
		d->buf = q;
		d->cap = c;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	kept_bytes += n;
}

static void on_report(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		      const struct fc_report *r)
{
	struct stream *st = find(s);
	struct dir *d;

	(void)ctx;
	if (!st)
		return;
	d = &st->d[dir];
	/* Only what covers bytes kept (data() came first), within budget. */
	if (kept_records + 1 + r->nevents > REPLAY_MAX_RECORDS) {
		stop_dir(d, d->len, "more segments and frames than the replay keeps");
		return;
	}
	/* A retransmission is no write of the sender's: not replayed. */
	if (r->seg && r->seg->len && !r->seg->retransmission &&
	    r->seg->offset + r->seg->len <= d->len) {
		kept_records++;
		if (!fc_grow((void **)&d->segs, &d->segs_cap, d->nsegs + 1, sizeof(*d->segs), 16)) {
			load_oom = true;
			return;
		}
		d->segs[d->nsegs++] = (struct seg){ .off = r->seg->offset, .len = r->seg->len,
						    .pkt = r->seg->pkt.num,
						    .ts_us = r->seg->pkt.ts_us };
	}
	for (uint32_t i = 0; i < r->nevents; i++) {
		const struct fc_event *ev = &r->events[i];

		if (ev->type == FC_EV_FRAME) {
			const struct fc_frame *f = &ev->frame;

			if (f->payload_missing || f->offset + f->header_len + f->payload_len > d->len)
				continue;
			kept_records++;
			if (!fc_grow((void **)&d->frames, &d->frames_cap, d->nframes + 1,
				     sizeof(*d->frames), 16)) {
				load_oom = true;
				return;
			}
			d->frames[d->nframes++] = (struct frame){
				.off = f->offset, .len = f->header_len + f->payload_len,
				.hdr = f->header_len, .pkt_last = f->pkt_last };
		} else {
			const struct fc_anomaly *a = &ev->anomaly;
			char why[160];

			switch (a->kind) {
			case FC_AN_GAP: case FC_AN_OVERSIZE: case FC_AN_NEGATIVE:
			case FC_AN_RESYNC: case FC_AN_RETRANSMIT_CONFLICT:
				fc_anomaly_describe(a, why, sizeof(why));
				stop_dir(d, a->offset, why);
				break;
			default:
				break;
			}
		}
	}
}

/* Read the whole capture through the core engine, with the profile
 * framecap would use. Exits 2 when it cannot be read. */
static void load(void)
{
	static struct fc_config cfg;
	static struct fc_profile fallback;
	struct fc_engine_config ec = { 0 };
	struct fc_sink sink = { .stream_begin = on_begin, .data = on_data,
				.report = on_report };
	char errbuf[PCAP_ERRBUF_SIZE], msg[600];
	struct fc_config_error cerr;
	struct bpf_program bpf;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct fc_engine *e;
	struct fc_pkt last = { 0 };
	bool forced;
	pcap_t *pc;
	int rc, dlt;

	if (fc_profile_opts_load(&O.popts, &cfg, &cerr) != 0) {
		fc_config_error_format(&cerr, msg, sizeof(msg));
		die(2, "%s", msg);
	}
	if (fc_profile_opts_choose(&O.popts, &cfg, &fallback, &forced, msg, sizeof(msg)) != 0)
		die(2, "%s", msg);
	ec.config = &cfg;
	ec.fallback = &fallback;
	ec.forced = forced ? &fallback : NULL;
	ec.max_ooo_per_dir = FC_DEFAULT_MAX_OOO_PER_DIR;
	ec.max_ooo_total = FC_DEFAULT_MAX_OOO_TOTAL;
	ec.ack_window_packets = FC_DEFAULT_ACK_WINDOW_PACKETS;
	ec.ack_window_us = FC_DEFAULT_ACK_WINDOW_US;
	ec.max_kept_total = FC_DEFAULT_MAX_KEPT_TOTAL;
	ec.payload_keep = 0; /* payloads come from data() */
	if (getrandom(ec.hash_key, sizeof(ec.hash_key), 0) != (ssize_t)sizeof(ec.hash_key))
		memset(ec.hash_key, 0x5a, sizeof(ec.hash_key));

	pc = pcap_open_offline_with_tstamp_precision(O.file, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (!pc)
		die(2, "%s: %s", O.file, errbuf);
	dlt = pcap_datalink(pc);
	if (O.expr && pcap_compile(pc, &bpf, O.expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		die(2, "bad filter expression '%s': %s", O.expr, pcap_geterr(pc));
	e = fc_engine_new(&ec, &sink);
	if (!e)
		die(1, "out of memory");
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		last.num++;
		last.ts_us = fc_ts_us((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
		if (O.expr && !pcap_offline_filter(&bpf, h, data))
			continue;
		fc_engine_packet(e, &last, dlt, data, h->caplen, h->len);
		if (load_oom)
			die(1, "%s: out of memory", O.file);
	}
	if (rc == -1)
		die(2, "%s: %s", O.file, pcap_geterr(pc));
	fc_engine_finish(e, &last);
	if (load_oom)
		die(1, "%s: out of memory", O.file);
	fc_engine_free(e);
	if (O.expr)
		pcap_freecode(&bpf);
	pcap_close(pc);
}

static uint64_t rng;

/* xorshift64*: the same cuts for the same --random SEED. */
static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

/* Append write [off, off + len) to st's plan; false when the plan is full
 * (REPLAY_MAX_WRITES) or memory ran out. */
static bool add_write(struct stream *st, size_t *cap, uint64_t off, uint64_t len)
{
	while (len) {
		uint32_t n = len > (1u << 30) ? 1u << 30 : (uint32_t)len;

		if (st->nw == REPLAY_MAX_WRITES ||
		    !fc_grow((void **)&st->w, cap, st->nw + 1, sizeof(*st->w), 16))
			return false;
		st->w[st->nw++] = (struct wr){ .off = off, .len = n };
		off += n;
		len -= n;
	}
	return true;
}

/* Where the write() calls cut [begin, end), by the shaping option.
 * Frame-based modes send bytes after the last whole frame as one write. */
static bool cut(struct stream *st)
{
	const struct dir *c = &st->d[FC_C2S];
	uint64_t pos = st->begin, k = 0;
	size_t cap = 0;

	switch (O.shaping) {
	case SH_CAPTURED:
		for (size_t i = 0; i < c->nsegs; i++) {
			uint64_t a = c->segs[i].off, b = a + c->segs[i].len;

			if (a < pos)
				a = pos;
			if (b > st->end)
				b = st->end;
			if (a < b) {
				if (a > pos && !add_write(st, &cap, pos, a - pos))
					return false;
				if (!add_write(st, &cap, a, b - a))
					return false;
				pos = b;
			}
		}
		break;
	case SH_DRIP: case SH_CHUNK: {
		uint64_t n = O.shaping == SH_DRIP ? 1 : O.shaping_n;
		for (; pos < st->end; pos += n)
			if (!add_write(st, &cap, pos, st->end - pos < n ? st->end - pos : n))
				return false;
		break;
	}
	case SH_RANDOM: {
		uint64_t mean = st->nframes ? (st->end - st->begin) / st->nframes : 64;
		uint64_t span = 2 * (mean ? mean : 1);

		if (span > 65536)
			span = 65536;
		while (pos < st->end) {
			uint64_t n = 1 + next_random() % span;
			if (n > st->end - pos)
				n = st->end - pos;
			if (!add_write(st, &cap, pos, n))
				return false;
			pos += n;
		}
		break;
	}
	case SH_FRAMES: case SH_BURST: case SH_SPLIT_HEADER: {
		uint64_t per = O.shaping == SH_BURST ? O.shaping_n : 1;

		/* A write runs from pos (bytes between frames go with the
		 * next frame) to the end of its last frame. */
		for (size_t i = 0; i < c->nframes; i++) {
			const struct frame *f = &c->frames[i];

			if (f->off < pos || f->off + f->len > st->end)
				continue;
			if (O.shaping == SH_SPLIT_HEADER && f->hdr >= 2) {
				uint32_t h1 = f->hdr / 2;

				if ((f->off > pos && !add_write(st, &cap, pos, f->off - pos)) ||
				    !add_write(st, &cap, f->off, h1) ||
				    !add_write(st, &cap, f->off + h1, f->len - h1))
					return false;
				pos = f->off + f->len;
				continue;
			}
			if (++k < per && i + 1 < c->nframes &&
			    c->frames[i + 1].off + c->frames[i + 1].len <= st->end)
				continue; /* more frames go into this write */
			if (!add_write(st, &cap, pos, f->off + f->len - pos))
				return false;
			pos = f->off + f->len;
			k = 0;
		}
		break;
	}
	}
	if (pos < st->end && !add_write(st, &cap, pos, st->end - pos))
		return false;
	return true;
}

/* For each write: the reply frames the capture shows before the packet of
 * its first byte, and that packet's time. */
static void order(struct stream *st)
{
	const struct dir *c = &st->d[FC_C2S], *s = &st->d[FC_S2C];
	size_t si = 0, fi = 0;
	int64_t t0 = 0;

	for (size_t i = 0; i < st->nw; i++) {
		struct wr *w = &st->w[i];

		while (si + 1 < c->nsegs && c->segs[si].off + c->segs[si].len <= w->off)
			si++;
		if (!c->nsegs)
			break;
		if (i == 0)
			t0 = c->segs[si].ts_us;
		w->at_us = c->segs[si].ts_us - t0;
		if (w->at_us < 0)
			w->at_us = 0;
		while (fi < st->nexp && s->frames[fi].pkt_last < c->segs[si].pkt)
			fi++;
		w->need = O.no_wait ? 0 : fi;
	}
}

/* The client bytes to send and the replies to expect; NULL, or why this
 * connection cannot be replayed. */
static const char *plan(struct stream *st, char *why, size_t len)
{
	struct dir *c = &st->d[FC_C2S], *s = &st->d[FC_S2C];

	if (!c->len)
		return "no client data";
	if (!c->start_seen && !O.from_first_frame) {
		snprintf(why, len, "the client's first bytes were not captured (the capture began "
				   "mid-connection); --from-first-frame starts at the first decoded frame");
		return why;
	}
	st->begin = 0;
	if (!c->start_seen) {
		if (!c->nframes)
			return "the capture began mid-connection and no frame was decoded";
		st->begin = c->frames[0].off;
	}
	st->end = c->len;
	if (c->stop_at != UINT64_MAX) {
		/* up to the last whole frame before the problem */
		uint64_t e = st->begin;
		for (size_t i = 0; i < c->nframes; i++)
			if (c->frames[i].off >= st->begin &&
			    c->frames[i].off + c->frames[i].len <= c->stop_at)
				e = c->frames[i].off + c->frames[i].len;
		st->end = e;
		if (O.json) {
			char note[400];

			snprintf(note, sizeof(note), "the capture has %s; replaying the %" PRIu64
				 " client bytes before it", c->stop_why, e - st->begin);
			printf("{\"type\":\"note\",\"stream\":%" PRIu64 ",\"message\":", st->id);
			ref_write_json_string(stdout, note);
			puts("}");
		} else if (!O.quiet) {
			printf("stream %" PRIu64 ": the capture has %s; replaying the %" PRIu64
			       " client bytes before it\n", st->id, c->stop_why, e - st->begin);
		}
		if (e == st->begin)
			return "no whole client frame before the capture's first problem";
	}
	for (size_t i = 0; i < c->nframes; i++)
		if (c->frames[i].off >= st->begin && c->frames[i].off + c->frames[i].len <= st->end)
			st->nframes++;
	/* Replies: the whole frames before the server side's first problem. */
	st->nexp = 0;
	for (size_t i = 0; i < s->nframes; i++) {
		if (s->frames[i].off + s->frames[i].len > s->len ||
		    (s->stop_at != UINT64_MAX && s->frames[i].off + s->frames[i].len > s->stop_at))
			break;
		st->nexp++;
	}
	if (!cut(st))
		return "too many writes for this shaping (use --chunk N)";
	order(st);
	return NULL;
}

static uint64_t total_failed;

/* Print one JSON Lines record's common head. */
static void json_head(const char *type, const struct stream *st)
{
	printf("{\"type\":\"%s\",\"stream\":%" PRIu64, type, st->id);
}

/* The connection failed or the server differed: say what, once. */
static void fail(struct stream *st, const char *kind, int64_t frame, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct stream *st, const char *kind, int64_t frame, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (O.json) {
		json_head("difference", st);
		printf(",\"kind\":\"%s\"", kind);
		if (frame >= 0)
			printf(",\"frame\":%" PRId64, frame);
		printf(",\"replies\":%" PRIu64 ",\"writes\":%" PRIu64 ",\"sent\":%" PRIu64
		       ",\"message\":", st->replies, st->writes_done, st->sent);
		ref_write_json_string(stdout, msg);
		puts("}");
	} else {
		printf("stream %" PRIu64 ": FAILED: %s (had sent %" PRIu64 " of %zu writes, %" PRIu64
		       " B; received %" PRIu64 " reply frame%s, %" PRIu64 " B)\n",
		       st->id, msg, st->writes_done, st->nw, st->sent, st->replies,
		       st->replies == 1 ? "" : "s", st->reply_bytes);
	}
	st->failed = true;
	st->done = true;
	total_failed++;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	fc_reader_free(&st->rd);
}

/* Open a non-blocking connection with TCP_NODELAY; false (and failed) if
 * the socket cannot be made. */
static bool start(struct stream *st, int64_t now)
{
	int one = 1;

	st->started = true;
	st->fd = socket(O.addr.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (st->fd < 0) {
		fail(st, "connect", -1, "socket: %s", strerror(errno));
		return false;
	}
	setsockopt(st->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fc_reader_init(&st->rd, &st->prof, 0);
	st->t0 = st->next_at = st->wait_since = st->last_rx = now;
	if (connect(st->fd, (const struct sockaddr *)&O.addr.ss, O.addr.len) != 0 &&
	    errno != EINPROGRESS) {
		fail(st, "connect", -1, "connect to %s: %s", O.target, strerror(errno));
		return false;
	}
	return true;
}

/* Compare reply frame r->index with the captured one. */
static void check_reply(struct stream *st, const struct fc_read *r)
{
	const struct dir *s = &st->d[FC_S2C];
	const struct frame *f;
	uint64_t k = st->replies;

	st->replies++;
	st->reply_bytes += r->header_len + r->payload_len;
	if (O.expect == EXPECT_NONE)
		return;
	if (k >= st->nexp) {
		fail(st, "extra", (int64_t)k, "reply frame %" PRIu64 " (%" PRIu64 " B payload) is "
		     "not in the capture, which has %" PRIu64 " reply frame%s", k, r->payload_len,
		     st->nexp, st->nexp == 1 ? "" : "s");
		return;
	}
	f = &s->frames[k];
	if (f->len - f->hdr != r->payload_len) {
		char pe[4 * PV_CHARS + 8], pg[4 * PV_CHARS + 8];

		ref_preview(s->buf + f->off + f->hdr, f->len - f->hdr, PV_CHARS, pe);
		ref_preview(r->payload, r->n, PV_CHARS, pg);
		fail(st, "length", (int64_t)k, "reply frame %" PRIu64 ": expected %" PRIu64
		     " B payload \"%s\", got %" PRIu64 " B \"%s\"", k, f->len - f->hdr, pe,
		     r->payload_len, pg);
		return;
	}
	if (O.expect == EXPECT_FULL) {
		const uint8_t *want = s->buf + f->off + f->hdr;
		for (uint64_t i = 0; i < r->payload_len; i++)
			if (want[i] != r->payload[i]) {
				char pe[4 * PV_CHARS + 8], pg[4 * PV_CHARS + 8];
				size_t n = r->payload_len - i < PV_CHARS ? r->payload_len - i : PV_CHARS;

				ref_preview(want + i, n, PV_CHARS, pe);
				ref_preview(r->payload + i, n, PV_CHARS, pg);
				fail(st, "payload", (int64_t)k, "reply frame %" PRIu64 ": payload differs "
				     "at byte %" PRIu64 ": expected \"%s\", got \"%s\"", k, i, pe, pg);
				return;
			}
	}
}

/* Read what the server sent; cut it into reply frames. */
static void do_read(struct stream *st, int64_t now)
{
	static uint8_t buf[RECV_CHUNK];
	ssize_t n = recv(st->fd, buf, sizeof(buf), 0);
	size_t used = 0;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		fail(st, "connection", -1, "receiving: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		st->eof = true;
		return;
	}
	st->last_rx = now;
	while (used < (size_t)n && !st->done) {
		size_t taken = 0;
		struct fc_read r;
		enum fc_read_status rs = FC_READ_NEED_MORE;

		if (fc_reader_room(&st->rd) &&
		    fc_reader_feed(&st->rd, buf + used, (size_t)n - used, &taken) != 0) {
			fail(st, "memory", -1, "out of memory for the replies");
			return;
		}
		used += taken;
		while (!st->done && (rs = fc_reader_next(&st->rd, SIZE_MAX, &r)) == FC_READ_FRAME)
			check_reply(st, &r);
		if (st->done)
			return;
		if (rs == FC_READ_ERROR) {
			fail(st, "framing", (int64_t)st->replies, "reply frame %" PRIu64 " has an "
			     "invalid length field (%" PRId64 "): the replies cannot be cut further",
			     st->replies, r.length);
			return;
		}
		if (!taken && !fc_reader_room(&st->rd))
			break;
	}
}

/* Send what the plan allows now. */
static void do_write(struct stream *st, int64_t now)
{
	while (st->wi < st->nw) {
		const struct wr *w = &st->w[st->wi];
		const uint8_t *p = st->d[FC_C2S].buf + w->off + st->wdone;
		ssize_t n;

		if (st->wdone == 0) {
			if (st->replies < w->need)
				return;
			if (now < st->next_at)
				return;
		}
		n = send(st->fd, p, w->len - st->wdone, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail(st, "connection", -1, "sending write %zu (client byte %" PRIu64 "): %s",
			     st->wi, w->off + st->wdone, strerror(errno));
			return;
		}
		st->wdone += (uint32_t)n;
		st->sent += (uint64_t)n;
		if (st->wdone < w->len)
			return;
		st->wdone = 0;
		st->wi++;
		st->writes_done++;
		st->wait_since = now;
		st->warned_wait = false;
		if (st->wi < st->nw) {
			int64_t at = now + O.delay_ms;
			if (O.timing_captured) {
				int64_t t = st->t0 + (int64_t)((double)st->w[st->wi].at_us / 1000.0 / O.speed);
				if (t > at)
					at = t;
			}
			st->next_at = at;
			if (at > now)
				return;
		}
	}
	if (!st->shut) {
		shutdown(st->fd, SHUT_WR);
		st->shut = true;
		st->last_rx = now;
	}
}

/* One connection's state after an event or a timer; sets done. */
static void settle(struct stream *st, int64_t now)
{
	if (st->done)
		return;
	if (st->eof) {
		if (st->wi < st->nw)
			fail(st, "closed", (int64_t)st->replies, "the server closed the connection "
			     "before write %zu of %zu", st->wi, st->nw);
		else if (O.expect != EXPECT_NONE && st->replies < st->nexp)
			fail(st, "closed", (int64_t)st->replies, "the server closed after %" PRIu64
			     " of %" PRIu64 " reply frames", st->replies, st->nexp);
		else if (fc_reader_pending(&st->rd))
			fail(st, "closed", (int64_t)st->replies, "the server closed inside reply "
			     "frame %" PRIu64 " (%zu bytes of it came)", st->replies,
			     fc_reader_pending(&st->rd));
		else
			st->done = true;
		return;
	}
	if (st->wi < st->nw && st->wdone == 0 && st->replies < st->w[st->wi].need &&
	    now - st->wait_since >= O.reply_timeout_ms) {
		const struct wr *w = &st->w[st->wi];

		if (O.expect != EXPECT_NONE) {
			fail(st, "stalled", (int64_t)st->replies, "stalled: waited %" PRId64 " ms for "
			     "reply frame %" PRIu64 ", which the capture shows before client byte %"
			     PRIu64 "; the server sent %" PRIu64, O.reply_timeout_ms, w->need - 1,
			     w->off, st->replies);
			return;
		}
		if (!st->warned_wait && !O.quiet)
			ref_warn(PROG, "stream %" PRIu64 ": waited %" PRId64 " ms for reply "
				 "frame %" PRIu64 " (the server sent %" PRIu64 "); sending on",
				 st->id, O.reply_timeout_ms, w->need - 1, st->replies);
		st->warned_wait = true;
		for (size_t i = st->wi; i < st->nw; i++)
			st->w[i].need = 0;
		return;
	}
	if (st->shut && now - st->last_rx >= O.reply_timeout_ms) {
		if (O.expect != EXPECT_NONE && st->replies < st->nexp)
			fail(st, "stalled", (int64_t)st->replies, "stalled: %" PRIu64 " of %" PRIu64
			     " reply frames after %" PRId64 " ms of silence", st->replies, st->nexp,
			     O.reply_timeout_ms);
		else
			st->done = true; /* all sent and answered; the server keeps it open */
	}
}

/* The "stream" line: what will be sent. */
static void announce(const struct stream *st)
{
	char sh[40];

	if (O.shaping == SH_BURST || O.shaping == SH_CHUNK || O.shaping == SH_RANDOM)
		snprintf(sh, sizeof(sh), "%s %" PRIu64, shaping_names[O.shaping], O.shaping_n);
	else
		snprintf(sh, sizeof(sh), "%s", shaping_names[O.shaping]);
	if (O.json) {
		json_head("stream", st);
		fputs(",\"client\":", stdout);
		ref_write_json_string(stdout, st->client);
		fputs(",\"server\":", stdout);
		ref_write_json_string(stdout, st->server);
		fputs(",\"target\":", stdout);
		ref_write_json_string(stdout, O.target);
		fputs(",\"shaping\":", stdout);
		ref_write_json_string(stdout, sh);
		printf(",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"writes\":%zu"
		       ",\"expected_replies\":%" PRIu64 "}\n", st->nframes, st->end - st->begin,
		       st->nw, st->nexp);
	} else if (!O.quiet) {
		printf("stream %" PRIu64 "  %s -> %s  replayed to %s: %" PRIu64 " frame%s, %" PRIu64
		       " B in %zu write%s (%s); %" PRIu64 " reply frame%s captured\n", st->id,
		       st->client, st->server, O.target, st->nframes, st->nframes == 1 ? "" : "s",
		       st->end - st->begin, st->nw, st->nw == 1 ? "" : "s", sh, st->nexp,
		       st->nexp == 1 ? "" : "s");
	}
}

/* The end of one connection's replay. */
static void result(const struct stream *st)
{
	if (st->failed)
		return;
	if (O.json) {
		json_head("result", st);
		printf(",\"ok\":true,\"writes\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"replies\":%"
		       PRIu64 ",\"reply_bytes\":%" PRIu64 "}\n", st->writes_done, st->sent,
		       st->replies, st->reply_bytes);
	} else if (!O.quiet) {
		printf("stream %" PRIu64 ": ok: %" PRIu64 " writes, %" PRIu64 " B sent; %" PRIu64
		       " reply frame%s (%" PRIu64 " B)%s\n", st->id, st->writes_done, st->sent,
		       st->replies, st->replies == 1 ? "" : "s", st->reply_bytes,
		       O.expect == EXPECT_FULL ? ", as captured"
		       : O.expect == EXPECT_LENGTHS ? ", lengths as captured" : "");
	}
}

/* Replay every planned stream, O.parallel at a time, within O.timeout_ms. */
static void run(struct stream **todo, size_t n)
{
	int64_t deadline = ref_now_ms() + O.timeout_ms;
	struct pollfd *pfd = calloc(O.parallel, sizeof(*pfd));
	struct stream **live = calloc(O.parallel, sizeof(*live));
	size_t next = 0, nlive = 0;

	if (!pfd || !live)
		die(1, "out of memory");
	for (;;) {
		int64_t now = ref_now_ms(), wake = now + 100;
		size_t k = 0;

		for (size_t i = 0; i < nlive; i++) /* keep the unfinished ones */
			if (!live[i]->done) {
				live[k++] = live[i];
			} else if (!live[i]->failed) {
				result(live[i]);
				close(live[i]->fd);
				live[i]->fd = -1;
				fc_reader_free(&live[i]->rd);
			}
		nlive = k;
		while (nlive < O.parallel && next < n) {
			struct stream *st = todo[next++];

			announce(st);
			if (start(st, now))
				live[nlive++] = st;
		}
		if (!nlive)
			break;
		if (now >= deadline) {
			for (size_t i = 0; i < nlive; i++)
				fail(live[i], "timeout", (int64_t)live[i]->replies,
				     "not finished within --timeout %" PRId64 " s", O.timeout_ms / 1000);
			continue;
		}
		for (size_t i = 0; i < nlive; i++) {
			struct stream *st = live[i];

			pfd[i].fd = st->fd;
			pfd[i].events = POLLIN;
			if (!st->connected || (st->wi < st->nw && st->wdone) ||
			    (st->wi < st->nw && st->replies >= st->w[st->wi].need && now >= st->next_at))
				pfd[i].events |= POLLOUT;
			if (st->wi < st->nw && st->next_at > now && st->next_at < wake)
				wake = st->next_at;
		}
		if (wake > deadline)
			wake = deadline;
		if (poll(pfd, nlive, (int)(wake > now ? wake - now : 0)) < 0 && errno != EINTR)
			die(1, "poll: %s", strerror(errno));
		now = ref_now_ms();
		for (size_t i = 0; i < nlive; i++) {
			struct stream *st = live[i];

			if (!st->connected && (pfd[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
				int e = 0;
				socklen_t el = sizeof(e);

				getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &e, &el);
				if (e) {
					fail(st, "connect", -1, "connect to %s: %s", O.target, strerror(e));
					continue;
				}
				st->connected = true;
				st->wait_since = st->last_rx = now;
			}
			if (!st->connected)
				continue;
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				do_read(st, now);
			if (!st->done && !st->eof)
				do_write(st, now);
			settle(st, now);
		}
	}
	free(pfd);
	free(live);
}

/* arg, the value of option opt ("--timing " or "--expect=", as the
 * message shows it), names one of two choices: true for first, false for
 * second; anything else exits 2. */
static bool one_of_two(const char *opt, const char *arg, const char *first, const char *second)
{
	if (!strcmp(arg, first))
		return true;
	if (strcmp(arg, second))
		die(2, "%s%s: expected %s or %s", opt, arg, first, second);
	return false;
}

static void usage(FILE *f)
{
	fputs(_("usage: framecap-client --replay FILE -c HOST:PORT [options] [BPF expression]\n"
	      "  sends the client bytes of each captured connection again, on a new\n"
	      "  connection, decoded with the profile framecap would use\n"
	      "  --stream N             only the connection framecap numbers N\n"
	      "  --as-captured          the captured segments, one write each (default)\n"
	      "  --frames               one write per frame\n"
	      "  --burst N              N frames per write (sticky)\n"
	      "  --drip                 one byte per write\n"
	      "  --chunk N              N bytes per write\n"
	      "  --split-header         every header cut in two writes\n"
	      "  --random SEED          random cuts, the same for the same SEED\n"
	      "  --delay MS             pause between writes\n"
	      "  --timing captured|none the captured pauses (with --speed X), or none (default)\n"
	      "  --no-wait              do not wait for the captured replies between writes\n"
	      "  --expect [lengths]     compare the replies with the captured ones (payloads,\n"
	      "                         or lengths only); exit 1 on the first difference\n"
	      "  --from-first-frame     a connection captured mid-way starts at its first frame\n"
	      "  --parallel N           N connections at a time (default 1)\n"
	      "  --reply-timeout MS     the longest wait for one reply (default 2000)\n"
	      "  --timeout SEC          the whole replay (default 60)\n"
	      "  --json                 JSON Lines\n"
	      "  -q, --quiet            only failures\n"), f);
	fputs(_(REF_PROFILE_USAGE), f);
}

/* Parse argv into O; exits 2 on bad usage. */
static void parse(int argc, char **argv)
{
	struct option longopts[REF_LONGOPTS_MAX];
	int c, shapings = 0;
	const char *err;

	O.speed = 1.0;
	O.parallel = 1;
	O.timeout_ms = 60000;
	O.reply_timeout_ms = 2000;
	ref_longopts(REF_PROG_REPLAY, longopts);
	while ((c = getopt_long(argc, argv, "hc:q", longopts, NULL)) != -1) {
		switch (c) {
		case REF_OPT_REPLAY: O.file = optarg; break;
		case 'c': O.connect_s = optarg; break;
		case 'q': O.quiet = true; break;
		case REF_OPT_STREAM: O.only_stream = ref_number(PROG, "--stream", optarg, 1, UINT64_MAX); break;
		case REF_OPT_CAPTURED: O.shaping = SH_CAPTURED; shapings++; break;
		case REF_OPT_FRAMES: O.shaping = SH_FRAMES; shapings++; break;
		case REF_OPT_BURST:
			O.shaping = SH_BURST; shapings++;
			O.shaping_n = ref_number(PROG, "--burst", optarg, 1, 1u << 20);
			break;
		case REF_OPT_DRIP: O.shaping = SH_DRIP; shapings++; break;
		case REF_OPT_CHUNK:
			O.shaping = SH_CHUNK; shapings++;
			O.shaping_n = ref_number(PROG, "--chunk", optarg, 1, 1u << 30);
			break;
		case REF_OPT_SPLIT: O.shaping = SH_SPLIT_HEADER; shapings++; break;
		case REF_OPT_RANDOM:
			O.shaping = SH_RANDOM; shapings++;
			O.shaping_n = ref_number(PROG, "--random", optarg, 0, UINT64_MAX);
			break;
		case REF_OPT_DELAY: O.delay_ms = (int64_t)ref_number(PROG, "--delay", optarg, 0, 60000); break;
		case REF_OPT_TIMING:
			O.timing_captured = one_of_two("--timing ", optarg, "captured", "none");
			break;
		case REF_OPT_SPEED: {
			char *end;
			errno = 0;
			O.speed = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(O.speed >= 0.001 && O.speed <= 1000))
				die(2, "--speed %s: expected a factor from 0.001 to 1000", optarg);
			break;
		}
		case REF_OPT_NO_WAIT: O.no_wait = true; break;
		case REF_OPT_EXPECT:
			/* "--expect lengths" as well as "--expect=lengths" */
			if (!optarg && optind < argc && (!strcmp(argv[optind], "lengths") ||
							 !strcmp(argv[optind], "payloads")))
				optarg = argv[optind++];
			O.expect = !optarg || one_of_two("--expect=", optarg, "payloads", "lengths")
					   ? EXPECT_FULL : EXPECT_LENGTHS;
			break;
		case REF_OPT_FIRST: O.from_first_frame = true; break;
		case REF_OPT_PARALLEL:
			O.parallel = (unsigned)ref_number(PROG, "--parallel", optarg, 1,
							  REPLAY_MAX_PARALLEL);
			break;
		case REF_OPT_REPLY_TIMEOUT:
			O.reply_timeout_ms = (int64_t)ref_number(PROG, "--reply-timeout", optarg, 1,
								 600000);
			break;
		case REF_OPT_TIMEOUT:
			O.timeout_ms = (int64_t)ref_number(PROG, "--timeout", optarg, 1, 86400) * 1000;
			break;
		case REF_OPT_JSON: O.json = true; break;
		case 'h': usage(stdout); exit(0);
		default:
			switch (fc_profile_opts_take(&O.popts, c, optarg, &err)) {
			case 1: break;
			case -1: die(2, "%s: %s", optarg ? optarg : "", err);
			default: usage(stderr); exit(2);
			}
		}
	}
	if (shapings > 1)
		die(2, "choose one shaping: --as-captured, --frames, --burst, --drip, --chunk, "
		       "--split-header or --random");
	if (!O.connect_s)
		die(2, "--replay needs -c HOST:PORT: the replay never takes its target from the "
		       "capture");
	if ((err = ref_parse_addr(O.connect_s, &O.addr)))
		die(2, "-c %s: %s", O.connect_s, _(err));
	ref_format_addr((const struct sockaddr *)&O.addr.ss, O.target, sizeof(O.target));
	if (optind < argc) {
		size_t len = 1;
		char *s;

		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		s = calloc(1, len);
		if (!s)
			die(1, "out of memory");
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				strcat(s, " ");
			strcat(s, argv[i]);
		}
		O.expr = s;
	}
	rng = O.shaping_n * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng)
		rng = 1;
}

bool replay_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--replay") || !strncmp(argv[i], "--replay=", 9))
			return true;
	}
	return false;
}

int replay_main(int argc, char **argv)
{
	struct stream **todo;
	size_t n = 0, with_data = 0;
	char why[300];

	parse(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	load();
	todo = calloc(nstreams ? nstreams : 1, sizeof(*todo));
	if (!todo)
		die(1, "out of memory");
	for (size_t i = 0; i < nstreams; i++) {
		struct stream *st = streams[i];
		const char *bad;

		if (st->d[FC_C2S].len)
			with_data++;
		bad = plan(st, why, sizeof(why));
		if (!bad) {
			todo[n++] = st;
			continue;
		}
		if (st->d[FC_C2S].len || O.only_stream)
			ref_warn(PROG, "%s: stream %" PRIu64 " (%s -> %s): %s", O.file,
				 st->id, st->client, st->server, bad);
	}
	if (O.only_stream && !nstreams)
		die(2, "%s: no stream %" PRIu64 " in the capture", O.file, O.only_stream);
	if (!with_data)
		die(2, "%s: no connection with client data to replay%s", O.file,
		    O.expr ? _(" (after the filter)") : "");
	if (!n)
		die(2, "%s: nothing to replay", O.file);
	run(todo, n);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(1, "standard output: %s", strerror(errno ? errno : EIO));
	for (size_t i = 0; i < nstreams; i++) {
		for (int d = 0; d < 2; d++) {
			free(streams[i]->d[d].buf);
			free(streams[i]->d[d].segs);
			free(streams[i]->d[d].frames);
		}
		free(streams[i]->w);
		free(streams[i]);
	}
	free(todo);
	free(O.expr);
	return total_failed || n < with_data ? 1 : 0;
}
