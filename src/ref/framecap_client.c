/* SPDX-License-Identifier: GPL-2.0-or-later */
/* framecap-client - sends framed messages, shaped or buggy, reads replies.
 *
 * Its writes are cut to make the kernel produce sticky segments and split
 * frames, or its headers wrong on purpose; it reads the server's framed
 * replies until the server closes. Every framing of fc_profile.h is
 * spoken: frames are written with fc_profile_frame_payload() and replies
 * read with the core's reader.
 *
 *   framecap-client [-c ADDR:PORT] [options] [MESSAGE...]
 *
 * Wire format, with the default profile (the profile options change it as
 * in framecap), and what each --bug does to it:
 *
 *   +----+----+----+----+------------------+
 *   | payload length    | payload ...      |   0c 00 00 00 "kinght love "
 *   +----+----+----+----+------------------+
 *   --bug ascii-length     "12" "kinght love "      length as decimal text
 *   --bug big-endian       00 00 00 0c "kinght love " other byte order
 *   --bug includes-header  10 00 00 00 "kinght love " length counts the header
 *   --bug short            1c 00 00 00 "kinght love " first frame promises
 *                                                   16 B more than it sends
 *   --bug chars            05 00 00 00 "h\xc3\xa9llo"  length counts characters,
 *                                                   not UTF-8 bytes
 *   --bug negative         f4 ff ff ff "kinght love " the length's sign flipped
 *   --bug zeros            00 x 32, then frames     a zeroed buffer sent first
 *   --bug no-header        "kinght love "           no header at all
 *
 * Other framings (--framing varint|ber|delimiter|fixed, or the YAML):
 *
 *   varint     0c "kinght love "                  (--length-offset bytes first)
 *   ber        30 0c "kinght love "               (30 81 c8 ... from 128 B)
 *   delimiter  "kinght love " 0d 0a               (--delimiter "\r\n")
 *   fixed      "kinght love " 00 00 00 00         (--frame-size 16: a message
 *                                                  is cut into records, the
 *                                                  last padded with zeros)
 *
 *   --bug varint-big-endian  81 48 ...             a 200 B payload's varint
 *                                                  written high group first
 *   --bug ber-one-byte       30 c8 ...             a length from 128 up in one
 *                                                  byte, without the long form
 *   --bug bare-lf            "kinght love " 0a     "\r\n" expected, "\n" sent
 *                                                  (any delimiter: its last byte)
 *   --bug delimiter-in-payload  {"seq":1,"text":"aym"} 0d 0a   messages as
 *                                                  JSON, the first one pretty-
 *                                                  printed: "{" 0d 0a "  \"seq\""...
 *                                                  (a delimiter that is not
 *                                                  whitespace: inside its text)
 *   --bug unpadded           "aym"                 a fixed record sent short
 *
 * Which bug fits which framing: ascii-length, includes-header, short,
 * chars and no-header fit length, varint and ber; big-endian and negative
 * only length; zeros every framing; the new ones their own.
 *
 * Shaping decides where the write() calls cut that byte stream:
 *
 *   default      one write() per frame
 *   --burst N    N frames per write(): they share one segment (sticky)
 *   --drip       one byte per write(): frames and headers arrive split
 *   --chunk N    N bytes per write(), ignoring frame boundaries
 *
 * After the last write the client shuts its sending side and reads replies
 * until the server closes; the replies are cut by the core's reader
 * (fc_reader.h). --timeout bounds the whole run: connecting, sending and
 * reading must be over within SEC plus the pauses the shaping itself
 * plans (--delay, --rate) and --wait, so a server that never reads or
 * never answers cannot hold the client. Exit status: 0 the server closed
 * cleanly; 1 the connection failed, was reset or timed out; 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_reader.h"
#include "fc_text.h"
#include "ref_common.h"
#include "ref_options.h"
#include "replay.h"

#define PROG "framecap-client"
#define REPLY_CHUNK 16384u
#define PREVIEW_BYTES 48u
#define PREVIEW_CHARS 40u
#define MAX_CONNS 64
#define SHORT_BY 16u /* --bug short: bytes promised but never sent */

enum bug {
	BUG_NONE, BUG_ASCII, BUG_BIG_ENDIAN, BUG_INCLUDES_HEADER, BUG_SHORT, BUG_CHARS,
	BUG_NEGATIVE, BUG_ZEROS, BUG_NO_HEADER, BUG_VARINT_BE, BUG_BER_ONE_BYTE,
	BUG_BARE_LF, BUG_DELIM_IN_PAYLOAD, BUG_UNPADDED, BUG__COUNT
};
static const char *const bug_names[] = { "none", "ascii-length", "big-endian",
					 "includes-header", "short", "chars", "negative",
					 "zeros", "no-header", "varint-big-endian",
					 "ber-one-byte", "bare-lf", "delimiter-in-payload",
					 "unpadded" };
/* The framings each bug has a meaning for (1 << enum fc_framing). */
#define FR(f) (1u << FC_FRAMING_##f)
#define FR_PREFIX (FR(LENGTH) | FR(VARINT) | FR(BER))
static const unsigned bug_framings[] = {
	[BUG_NONE] = ~0u, [BUG_ASCII] = FR_PREFIX, [BUG_BIG_ENDIAN] = FR(LENGTH),
	[BUG_INCLUDES_HEADER] = FR_PREFIX, [BUG_SHORT] = FR_PREFIX, [BUG_CHARS] = FR_PREFIX,
	[BUG_NEGATIVE] = FR(LENGTH), [BUG_ZEROS] = ~0u, [BUG_NO_HEADER] = FR_PREFIX,
	[BUG_VARINT_BE] = FR(VARINT), [BUG_BER_ONE_BYTE] = FR(BER),
	[BUG_BARE_LF] = FR(DELIMITER), [BUG_DELIM_IN_PAYLOAD] = FR(DELIMITER),
	[BUG_UNPADDED] = FR(FIXED),
};
#define ZEROS_FIRST 32u /* --bug zeros: zero bytes before the first frame */

/* What len(text) says of UTF-8 bytes: one per character (a byte that is
 * not UTF-8 counts as one, as Python's surrogateescape would). */
static size_t utf8_chars(const uint8_t *p, size_t n)
{
	size_t chars = 0;

	for (size_t i = 0; i < n; chars++) {
		uint32_t cp;
		size_t k = fc_utf8_decode(p + i, n - i, &cp);

		i += k ? k : 1;
	}
	return chars;
}

/* A frame (or, unframed, a message) in a connection's byte stream. */
struct frame_rec {
	size_t off, hdr_len, len; /* header at off, then len payload bytes */
	size_t tr_len; /* then the trailer (the delimiter) */
	bool unframed; /* a message sent with no framing at all */
	bool prelude; /* ... as the profile's prelude */
};

/* One write() call: len bytes, delay_ms after the previous one. */
struct cut {
	size_t len;
	int64_t delay_ms;
};

struct conn {
	int id, fd;
	char local[80];
	uint8_t *wire; /* everything this connection will send */
	size_t wire_len, wire_cap;
	struct frame_rec *frames;
	size_t nframes, frames_cap, frames_reported;
	struct cut *cuts;
	size_t ncuts, cuts_cap, cut_i, cut_done, sent, writes;
	int64_t next_at, shut_at;
	bool shut, eof, failed, done;
	/* replies */
	struct fc_reader rd; /* stream mode: header_size + REPLY_CHUNK bytes */
	bool r_in_frame, r_open; /* r_open: its length comes with its delimiter */
	int64_t r_length; /* the current reply's length field */
	uint64_t r_left, replies;
	uint8_t rpreview[PREVIEW_BYTES];
	size_t rpreview_n;
};

static struct {
	struct fc_profile prof;
	enum bug bug;
	bool quiet, nodelay;
	int64_t timeout_ms, wait_ms;
	int64_t deadline; /* ms: the whole run is over by then */
	FILE *sent_log, *recv_log;
	bool tag_conn; /* several connections: say which */
} O;

static struct conn conns[MAX_CONNS];
static int nconns;

/* "framecap-client: message" on stderr, then exit(status). */
#define die(status, ...) ref_die(PROG, status, __VA_ARGS__)

/* One line on stdout about connection c ("[2] " before it when there are
 * several connections). */
static void say(const struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct conn *c, const char *fmt, ...)
{
	va_list ap;

	if (O.tag_conn)
		printf("[%d] ", c->id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Grow *p (holding *cap elements of size sz) to hold need elements;
 * exits on failure. */
static void grow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*p = realloc(*p, n * sz);
	if (!*p)
		die(1, "out of memory");
	*cap = n;
}

/* Append n bytes to the connection's stream. */
static void put(struct conn *c, const void *p, size_t n)
{
	if (!n)
		return;
	grow((void **)&c->wire, &c->wire_cap, c->wire_len + n, 1);
	memcpy(c->wire + c->wire_len, p, n);
	c->wire_len += n;
}

/* Rewrite the varint at hdr[at, end) high group first, as a writer that
 * shifts the value down from its top would (the continuation bits stay
 * on every byte but the last). */
static void varint_big_endian(uint8_t *hdr, size_t at, size_t end)
{
	uint8_t groups[FC_VARINT_MAX_BYTES];
	size_t n = end - at;

	for (size_t i = 0; i < n; i++)
		groups[i] = hdr[at + i] & 0x7f;
	for (size_t i = 0; i < n; i++)
		hdr[at + i] = (uint8_t)(groups[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
}

/* Append the n bytes at s to b as the inside of a JSON string. */
static char *json_text(char *b, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			*b++ = '\\';
			*b++ = (char)s[i];
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			b += sprintf(b, "\\u%04x", s[i]);
		} else {
			*b++ = (char)s[i];
		}
	}
	return b;
}

/* Message `seq` of --bug delimiter-in-payload, as a JSON object holding
 * the n bytes at text, in a new buffer (*out_n bytes). Compact, one per
 * line, except `cut`: pretty-printed with the profile's delimiter as its
 * line break when the delimiter is whitespace, else with the delimiter
 * inside its text (both as senders do by mistake). */
static uint8_t *json_message(const struct fc_profile *p, size_t seq, const uint8_t *text,
			     size_t n, bool cut, size_t *out_n)
{
	const char *d = (const char *)p->delimiter;
	size_t dl = p->delimiter_len;
	bool space = true;
	char *b, *at;

	for (size_t i = 0; i < dl; i++)
		space = space && strchr(" \t\r\n", d[i]) && d[i];
	b = malloc(6 * n + 4 * dl + 64);
	if (!b)
		die(1, "out of memory");
	at = b;
	if (!cut) {
		at += sprintf(at, "{\"seq\":%zu,\"text\":\"", seq);
		at = json_text(at, text, n);
	} else if (space) {
		at += sprintf(at, "{%.*s  \"seq\": %zu,%.*s  \"text\": \"", (int)dl, d, seq,
			      (int)dl, d);
		at = json_text(at, text, n);
		at += sprintf(at, "\"%.*s", (int)dl, d);
	} else {
		at += sprintf(at, "{\"seq\":%zu,\"text\":\"", seq);
		at = json_text(at, text, n / 2);
		memcpy(at, d, dl);
		at = json_text(at + dl, text + n / 2, n - n / 2);
	}
	if (!cut || !space)
		*at++ = '"';
	*at++ = '}';
	*out_n = (size_t)(at - b);
	return (uint8_t *)b;
}

/* Append one frame of the profile: the header and trailer as O.bug
 * writes them, the payload between. Exits 2 when the payload cannot be
 * framed (too long, holding the delimiter, ...). */
static void add_one(struct conn *c, const uint8_t *payload, size_t n)
{
	uint8_t hdr[FC_MAX_HEADER_SIZE], tr[FC_DELIMITER_MAX], *body = NULL;
	struct fc_profile p = O.prof;
	size_t off = c->wire_len, hlen = 0, tlen = 0, zeros_len = 0, h2, t2;
	const char *err = NULL;

	/* The right header first: most bugs change it afterwards. */
	if (O.bug != BUG_DELIM_IN_PAYLOAD && O.bug != BUG_UNPADDED)
		err = fc_profile_frame_payload(&p, payload, n, hdr, sizeof(hdr), &hlen, tr, &tlen);
	switch (O.bug) {
	case BUG_NONE:
		break;
	case BUG_BIG_ENDIAN:
		p.byte_order = p.byte_order == FC_BIG_ENDIAN ? FC_LITTLE_ENDIAN : FC_BIG_ENDIAN;
		err = fc_profile_frame_payload(&p, NULL, n, hdr, sizeof(hdr), &hlen, tr, &tlen);
		break;
	case BUG_INCLUDES_HEADER:
		if (!err)
			err = fc_profile_frame_payload(&p, NULL, n + hlen, hdr, sizeof(hdr), &hlen,
						       tr, &tlen);
		break;
	case BUG_SHORT: /* once, as a send() whose short count went unchecked */
		if (!err && c->nframes == 0)
			err = fc_profile_frame_payload(&p, NULL, n + SHORT_BY, hdr, sizeof(hdr),
						       &hlen, tr, &tlen);
		break;
	case BUG_CHARS:
		if (!err)
			err = fc_profile_frame_payload(&p, NULL, utf8_chars(payload, n), hdr,
						       sizeof(hdr), &hlen, tr, &tlen);
		break;
	case BUG_NEGATIVE:
		fc_profile_put_length(&p, -fc_profile_length_for(&p, n), hdr);
		break;
	case BUG_ZEROS: /* the zeros go out as part of the first write */
		if (c->nframes == 0) {
			static const uint8_t zeros[ZEROS_FIRST];
			put(c, zeros, sizeof(zeros));
			zeros_len = sizeof(zeros);
		}
		break;
	case BUG_ASCII: hlen = (size_t)snprintf((char *)hdr, sizeof(hdr), "%zu", n); break;
	case BUG_NO_HEADER: hlen = 0; break;
	case BUG_VARINT_BE: varint_big_endian(hdr, p.length_offset, hlen); break;
	case BUG_BER_ONE_BYTE: /* the length's low byte where a long form belongs */
		if (hlen > 2) {
			hdr[1] = hdr[hlen - 1];
			hlen = 2;
		}
		break;
	case BUG_BARE_LF: /* "\r\n" expected, "\n" written */
		tr[0] = p.delimiter[p.delimiter_len - 1];
		tlen = 1;
		break;
	case BUG_DELIM_IN_PAYLOAD: /* JSON messages, the first one holding the delimiter */
		body = json_message(&p, c->nframes, payload, n, c->nframes == 0, &n);
		payload = body;
		if (c->nframes != 0)
			err = fc_profile_frame_payload(&p, payload, n, hdr, sizeof(hdr), &h2, tr,
						       &t2);
		memcpy(tr, p.delimiter, p.delimiter_len);
		tlen = p.delimiter_len;
		break;
	case BUG_UNPADDED: /* the record as long as the message */
	case BUG__COUNT:
		break;
	}
	if (err)
		die(2, "a %zu B payload cannot be framed with profile %s (%s framing, max_frame "
		       "%" PRIu64 "): %s", n, O.prof.name, fc_framing_name(O.prof.framing),
		    O.prof.max_frame, err);
	put(c, hdr, hlen);
	put(c, payload, n);
	put(c, tr, tlen);
	free(body);
	grow((void **)&c->frames, &c->frames_cap, c->nframes + 1, sizeof(*c->frames));
	c->frames[c->nframes++] = (struct frame_rec){ off, zeros_len + hlen, n, tlen, false, false };
}

/* Append a message as frames: one, or for fixed framing as many records
 * of frame_size as it takes, the last padded with zeros. */
static void add_frame(struct conn *c, const void *payload, size_t n)
{
	size_t fs = (size_t)O.prof.frame_size, at = 0;
	uint8_t *rec;

	if (O.prof.framing != FC_FRAMING_FIXED || O.bug == BUG_UNPADDED) {
		add_one(c, payload, n);
		return;
	}
	if (!(rec = malloc(fs)))
		die(1, "out of memory");
	do {
		size_t k = n - at < fs ? n - at : fs;

		memset(rec, 0, fs);
		memcpy(rec, (const uint8_t *)payload + at, k);
		add_one(c, rec, fs);
		at += k;
	} while (at < n);
	free(rec);
}

/* Append bytes with no framing at all (the tutorials' first attempt). */
static void add_unframed(struct conn *c, const char *s, size_t n)
{
	size_t off = c->wire_len;

	put(c, s, n);
	grow((void **)&c->frames, &c->frames_cap, c->nframes + 1, sizeof(*c->frames));
	c->frames[c->nframes++] = (struct frame_rec){ off, 0, n, 0, true, false };
}

/* Append a write() of len bytes, delay_ms after the previous one. */
static void add_cut(struct conn *c, size_t len, int64_t delay_ms)
{
	if (!len)
		return;
	grow((void **)&c->cuts, &c->cuts_cap, c->ncuts + 1, sizeof(*c->cuts));
	c->cuts[c->ncuts].len = len;
	c->cuts[c->ncuts].delay_ms = c->ncuts ? delay_ms : 0;
	c->ncuts++;
}

/* Wire bytes of frame i (header as written, payload, trailer). */
static size_t frame_size(const struct conn *c, size_t i)
{
	return c->frames[i].hdr_len + c->frames[i].len + c->frames[i].tr_len;
}

/* Cut the rest of the stream (what no write was planned for yet) into
 * writes: drip (1 byte), chunk (N bytes), or groups of `burst` frames (1
 * by default), delay_ms apart. */
static void shape(struct conn *c, size_t chunk, size_t burst, int64_t delay_ms)
{
	size_t done = 0, first = 0;

	for (size_t k = 0; k < c->ncuts; k++)
		done += c->cuts[k].len;
	if (chunk) {
		for (size_t off = done; off < c->wire_len; off += chunk)
			add_cut(c, c->wire_len - off < chunk ? c->wire_len - off : chunk, delay_ms);
		return;
	}
	while (first < c->nframes && c->frames[first].off < done)
		first++;
	for (size_t i = first; i < c->nframes; i += burst) {
		size_t len = 0;
		for (size_t k = i; k < i + burst && k < c->nframes; k++)
			len += frame_size(c, k);
		add_cut(c, len, delay_ms);
	}
}

/* Connect to a, retrying a refused connection for O.wait_ms; the socket
 * is non-blocking from the start, so a server that does not answer
 * cannot hold the client past O.deadline. Exits 1 on failure. */
static void open_conn(struct conn *c, const struct ref_addr *a)
{
	int64_t until = ref_now_ms() + O.wait_ms;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1;
	char name[80];

	ref_format_addr((const struct sockaddr *)&a->ss, name, sizeof(name));
	for (;;) {
		int e = 0;

		c->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (c->fd < 0)
			die(1, "socket: %s", strerror(errno));
		if (O.nodelay)
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
			e = errno;
			while (e == EINPROGRESS || e == EINTR) {
				struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
				int64_t left = O.deadline - ref_now_ms();
				socklen_t elen = sizeof(e);

				if (left <= 0)
					die(1, "connect to %s: no answer within --timeout %" PRId64 " s",
					    name, O.timeout_ms / 1000);
				if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
					continue;
				if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
					e = errno;
			}
		}
		if (!e)
			break;
		close(c->fd);
		if (e != ECONNREFUSED || ref_now_ms() >= until || ref_now_ms() >= O.deadline)
			die(1, "connect to %s: %s", name, strerror(e));
		ref_sleep_ms(50);
	}
	getsockname(c->fd, (struct sockaddr *)&ss, &len);
	ref_format_addr((struct sockaddr *)&ss, c->local, sizeof(c->local));
	if (!O.quiet)
		say(c, "connected %s -> %s", c->local, name);
	fc_reader_init(&c->rd, &O.prof, fc_profile_header_max(&O.prof) + O.prof.header_size +
					       O.prof.delimiter_len + REPLY_CHUNK);
	fc_reader_set_prelude(&c->rd, FC_DIR_S2C);
	c->next_at = ref_now_ms();
}

/* Write one JSON line per frame to f: {"index":0,"length":12,
 * "payload_hex":"..."} (with "conn" first when there are several;
 * "prelude":true after "index" for a prelude's bytes). */
static void log_frame(FILE *f, const struct conn *c, uint64_t index, bool prelude,
		      const uint8_t *payload, size_t n)
{
	if (O.tag_conn)
		fprintf(f, "{\"conn\":%d,\"src\":\"%s\",", c->id, c->local);
	else
		fputc('{', f);
	fprintf(f, "\"index\":%" PRIu64 ",%s\"length\":%zu,\"payload_hex\":\"", index,
		prelude ? "\"prelude\":true," : "", n);
	ref_write_hex(f, payload, n);
	fputs("\"}\n", f);
}

/* Report (stdout and --print-sent) the frames whose last byte is out. */
static void report_sent(struct conn *c)
{
	char pv[4 * PREVIEW_CHARS + 8];

	while (c->frames_reported < c->nframes) {
		const struct frame_rec *f = &c->frames[c->frames_reported];
		const uint8_t *payload = c->wire + f->off + f->hdr_len;

		if (f->off + frame_size(c, c->frames_reported) > c->sent)
			break;
		if (!O.quiet) {
			ref_preview(payload, f->len, PREVIEW_CHARS, pv);
			if (f->prelude)
				say(c, "sent prelude \"%s\" (%zu B)", pv, f->len);
			else if (f->unframed)
				say(c, "sent \"%s\" (%zu B, no header)", pv, f->len);
			else if (O.bug == BUG_NONE)
				say(c, "sent #%zu len=%zu \"%s\"", c->frames_reported, f->len, pv);
			else if (!f->hdr_len && fc_profile_is_prefix(&O.prof) &&
				 O.prof.framing != FC_FRAMING_FIXED)
				say(c, "sent #%zu \"%s\" (%zu B) with --bug %s: no header",
				    c->frames_reported, pv, f->len, bug_names[O.bug]);
			else if (f->hdr_len) {
				char hdr[4 * 16 + 8];
				ref_preview(c->wire + f->off, f->hdr_len, 16, hdr);
				say(c, "sent #%zu \"%s\" (%zu B) with --bug %s: header \"%s\"",
				    c->frames_reported, pv, f->len, bug_names[O.bug], hdr);
			} else if (O.bug == BUG_UNPADDED) {
				say(c, "sent #%zu \"%s\" with --bug unpadded: a record of %zu B, "
				       "not %" PRIu64, c->frames_reported, pv, f->len,
				    O.prof.frame_size);
			} else {
				char tr[4 * 16 + 8];
				ref_preview(c->wire + f->off + f->len, f->tr_len, 16, tr);
				say(c, "sent #%zu \"%s\" (%zu B) with --bug %s: trailer \"%s\"",
				    c->frames_reported, pv, f->len, bug_names[O.bug], tr);
			}
		}
		if (O.sent_log)
			log_frame(O.sent_log, c, c->frames_reported, f->prelude, payload, f->len);
		c->frames_reported++;
	}
}

/* Mark the connection finished, saying how. */
static void conn_done(struct conn *c, bool failed, const char *how)
{
	if (c->done)
		return;
	report_sent(c);
	if (c->r_in_frame && c->r_open)
		say(c, "reply #%" PRIu64 " cut short: its delimiter never came", c->replies);
	else if (c->r_in_frame && c->r_left)
		say(c, "reply #%" PRIu64 " cut short: %" PRIu64 " payload bytes never came",
		    c->replies, c->r_left);
	say(c, "%s: sent %zu of %zu frame%s (%zu B) in %zu write() call%s, %" PRIu64
	       " repl%s", how, c->frames_reported, c->nframes, c->nframes == 1 ? "" : "s",
	    c->sent, c->writes, c->writes == 1 ? "" : "s", c->replies,
	    c->replies == 1 ? "y" : "ies");
	c->done = true;
	c->failed = failed;
	close(c->fd);
	c->fd = -1;
}

/* Send the rest of the current write() if its time has come. */
static void do_write(struct conn *c)
{
	struct cut *k = &c->cuts[c->cut_i];
	ssize_t n = send(c->fd, c->wire + c->sent, k->len - c->cut_done, MSG_NOSIGNAL);
	char msg[128];

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		snprintf(msg, sizeof(msg), "write failed (%s)", strerror(errno));
		conn_done(c, true, msg);
		return;
	}
	if (!c->cut_done)
		c->writes++;
	c->cut_done += (size_t)n;
	c->sent += (size_t)n;
	if (c->cut_done == k->len) {
		c->cut_i++;
		c->cut_done = 0;
		if (c->cut_i < c->ncuts)
			c->next_at = ref_now_ms() + c->cuts[c->cut_i].delay_ms;
	}
	report_sent(c);
}

/* A reply frame is complete: show and log it. */
static void reply_end(struct conn *c)
{
	char pv[4 * PREVIEW_CHARS + 8];

	if (!O.quiet) {
		ref_preview(c->rpreview, c->rpreview_n, PREVIEW_CHARS, pv);
		say(c, "reply #%" PRIu64 " len=%" PRId64 " \"%s\"", c->replies, c->r_length, pv);
	}
	if (O.recv_log && c->r_open) /* its length is known only now */
		fprintf(O.recv_log, "\",\"length\":%" PRId64 "}\n", c->r_length);
	else if (O.recv_log)
		fputs("\"}\n", O.recv_log);
	c->replies++;
	c->r_in_frame = false;
}

/* Take the replies out of the connection's reader: the framing is the
 * reader's. Returns false (after closing) when the server sent a length
 * the profile refuses. */
static bool decode_replies(struct conn *c)
{
	struct fc_read fr;
	enum fc_read_status st;

	while ((st = fc_reader_next(&c->rd, SIZE_MAX, &fr)) == FC_READ_FRAME) {
		size_t keep = PREVIEW_BYTES - c->rpreview_n;

		if (fr.first) {
			c->r_in_frame = true;
			c->r_open = fr.open_ended;
			c->r_length = fr.length;
			c->r_left = fr.open_ended ? 0 : fr.payload_len;
			c->rpreview_n = 0;
			keep = PREVIEW_BYTES;
			if (O.recv_log) {
				if (O.tag_conn)
					fprintf(O.recv_log, "{\"conn\":%d,\"src\":\"%s\",", c->id,
						c->local);
				else
					fputc('{', O.recv_log);
				if (fr.open_ended)
					fprintf(O.recv_log, "\"index\":%" PRIu64 ",\"payload_hex\":\"",
						c->replies);
				else
					fprintf(O.recv_log, "\"index\":%" PRIu64 ",\"length\":%" PRIu64
						",\"payload_hex\":\"", c->replies, fr.payload_len);
			}
		}
		if (keep > fr.n)
			keep = fr.n;
		memcpy(c->rpreview + c->rpreview_n, fr.payload, keep);
		c->rpreview_n += keep;
		if (O.recv_log)
			ref_write_hex(O.recv_log, fr.payload, fr.n);
		if (!c->r_open)
			c->r_left -= fr.n;
		if (fr.last) {
			c->r_length = fr.length;
			reply_end(c);
		}
	}
	if (st == FC_READ_ERROR) {
		char msg[128];
		snprintf(msg, sizeof(msg), "bad reply #%" PRIu64 ": %s (%" PRId64 ")", c->replies,
			 ref_frame_error(fr.error), fr.length);
		conn_done(c, true, msg);
		return false;
	}
	return true;
}

/* Read what the server sent (at most what the reader takes). */
static void do_read(struct conn *c)
{
	uint8_t buf[FC_MAX_HEADER_SIZE + REPLY_CHUNK];
	size_t room = fc_reader_room(&c->rd), taken;
	ssize_t n = recv(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
	char msg[128];

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		snprintf(msg, sizeof(msg), "connection %s by the server",
			 errno == ECONNRESET ? "reset" : strerror(errno));
		conn_done(c, true, msg);
		return;
	}
	if (n == 0) {
		if (c->cut_i < c->ncuts)
			conn_done(c, true, "server closed the connection before all was sent");
		else
			conn_done(c, false, "server closed the connection");
		return;
	}
	if (fc_reader_feed(&c->rd, buf, (size_t)n, &taken) != 0) {
		conn_done(c, true, "out of memory");
		return;
	}
	decode_replies(c);
}

/* Drive every connection until all are done; returns the exit status. */
static int run(void)
{
	struct pollfd pfd[MAX_CONNS];
	int status = 0;

	for (;;) {
		int64_t now = ref_now_ms(), wake = -1;
		int n = 0, idx[MAX_CONNS];

		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			if (c->done)
				continue;
			if (c->cut_i == c->ncuts && !c->shut) {
				shutdown(c->fd, SHUT_WR); /* all sent: tell the server */
				c->shut = true;
				c->shut_at = now;
			}
			if (now >= O.deadline) {
				char msg[200];
				if (c->cut_i < c->ncuts)
					snprintf(msg, sizeof(msg), "timed out (--timeout %" PRId64
						 " s): sent %zu of %zu B, the server is not reading",
						 O.timeout_ms / 1000, c->sent, c->wire_len);
				else
					snprintf(msg, sizeof(msg), "timed out (--timeout %" PRId64
						 " s) waiting for the server to close",
						 O.timeout_ms / 1000);
				conn_done(c, true, msg);
				continue;
			}
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN;
			if (c->cut_i < c->ncuts) {
				if (c->next_at <= now)
					pfd[n].events |= POLLOUT;
				else if (wake < 0 || c->next_at < wake)
					wake = c->next_at;
			}
			if (wake < 0 || O.deadline < wake)
				wake = O.deadline;
			idx[n++] = i;
		}
		if (!n)
			break;
		if (poll(pfd, (nfds_t)n, wake < 0 ? -1 : (int)(wake > now ? wake - now : 0)) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "poll: %s", strerror(errno));
		}
		for (int k = 0; k < n; k++) {
			struct conn *c = &conns[idx[k]];
			if (!c->done && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				do_read(c);
			if (!c->done && (pfd[k].revents & POLLOUT))
				do_write(c);
		}
	}
	for (int i = 0; i < nconns; i++)
		if (conns[i].failed)
			status = 1;
	return status;
}

/* State of the --size payload generator (xorshift64, set by --seed). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* The next pseudo-random number: the same sequence for the same seed. */
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Read the whole file into a new buffer (*n bytes); exits on errors. */
static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		die(1, "%s: %s", path, strerror(errno));
	for (;;) {
		grow((void **)&buf, &cap, len + 65536, 1);
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (len > O.prof.max_frame)
			die(1, "%s: larger than max_frame (%" PRIu64 " B)", path, O.prof.max_frame);
		if (r == 0)
			break;
	}
	if (ferror(f))
		die(1, "%s: %s", path, strerror(errno));
	fclose(f);
	*n = len;
	return buf;
}

/* The last path component, as the tutorials' client names an upload. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Append the JSON string s (quoted, escaped) to buf of size cap. */
static void json_string(char *buf, size_t cap, const char *s)
{
	size_t o = strlen(buf);

	if (o + 1 < cap)
		buf[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < cap; p++) {
		if (*p == '"' || *p == '\\')
			o += (size_t)snprintf(buf + o, cap - o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(buf + o, cap - o, "\\u%04x", *p);
		else
			buf[o++] = (char)*p;
	}
	if (o + 1 < cap)
		buf[o++] = '"';
	buf[o] = '\0';
}

/* Print the options to f. */
static void usage(FILE *f)
{
	fputs(_("usage: framecap-client [-c ADDR:PORT] [options] [MESSAGE...]\n"
	      "Sends each MESSAGE (else each line of standard input) as one frame (any\n"
	      "framing: --framing, or the YAML) to\n"
	      "ADDR:PORT (default 127.0.0.1:8001; IPv6 as [::1]:8001), then reads the\n"
	      "framed replies until the server closes.\n"
	      "  -c, --connect ADDR:PORT   server address\n"
	      "  --file FILE               send the file's contents as one frame\n"
	      "  --print-sent FILE         one JSON line per frame sent:\n"
	      "                            {\"index\":0,\"length\":12,\"payload_hex\":\"...\"}\n"
	      "                            (\"conn\" and \"src\" first with several clients)\n"
	      "  --print-received FILE     the same for the replies\n"
	      "shaping (--burst, --drip and --chunk turn --nodelay on):\n"
	      "  --burst N                 N frames per write() (sticky segments)\n"
	      "  --drip                    one byte per write() (split frames and headers)\n"
	      "  --chunk N                 writes of N bytes, whatever the frames\n"
	      "  --delay MS                pause between writes (default 0; 50 with --burst,\n"
	      "                            5 with --drip, 20 with --chunk)\n"
	      "  --size MIN-MAX            random printable payloads of MIN to MAX bytes\n"
	      "  --count N                 send N frames (messages repeat; default: one each)\n"
	      "  --rate N                  at most N writes a second\n"
	      "  --nodelay                 TCP_NODELAY: no Nagle coalescing\n"
	      "  --seed N                  seed of --size payloads (default 1)\n"
	      "  --bug ascii-length|big-endian|includes-header|short|chars|negative|zeros|\n"
	      "        no-header (length framing; most fit varint and ber too)\n"
	      "        varint-big-endian|ber-one-byte|bare-lf|delimiter-in-payload|unpadded\n"
	      "                            frame wrongly, on purpose (the other framings')\n"
	      "  --scenario sticky         'kinght love ' and 'aym', unframed, back to back\n"
	      "  --scenario framed         the same framed in one write(), then a frame\n"
	      "                            whose header and payload come in three writes\n"
	      "  --scenario upload FILE    a message, FILE, then close (server -m upload)\n"
	      "  --scenario many           several clients at once (--clients N, default 3)\n"
	      "  --timeout SEC             give up when the run (connect, send, receive) takes\n"
	      "                            SEC longer than its planned pauses (--delay, --rate)\n"
	      "                            and --wait (default 5)\n"
	      "  --wait SEC                retry a refused connection this long (default 0)\n"
	      "  -q, --quiet               only the summary line\n"), f);
	fputs(_(REF_PROFILE_USAGE), f);
}

/* Parse the options, build each connection's byte stream and its cuts,
 * connect, run them all; the exit status says whether all went well. */
/* What the command line asks for (O holds what the connections use). */
struct args {
	struct ref_profile_opts po;
	struct ref_addr addr;
	const char *connect_s, *file, *scenario;
	const char *sent_path, *recv_path;
	size_t burst, chunk, size_min, size_max, count, clients;
	int64_t delay, rate;
	bool drip, sized;
	char **msgs; /* MESSAGE arguments */
	size_t nmsgs;
};

/* Parse the command line into *a and O; exits 2 on a usage error, 0
 * after --help. */
static void parse_args(int argc, char **argv, struct args *a)
{
	struct option longopts[REF_LONGOPTS_MAX];
	const char *err;
	int c;

	memset(a, 0, sizeof(*a));
	a->connect_s = "127.0.0.1:8001";
	a->clients = 3;
	a->delay = -1;
	O.timeout_ms = 5000;
	ref_longopts(REF_PROG_CLIENT, longopts);
	while ((c = getopt_long(argc, argv, "hc:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': a->connect_s = optarg; break;
		case 'q': O.quiet = true; break;
		case REF_OPT_FILE: a->file = optarg; break;
		case REF_OPT_PRINT_SENT: a->sent_path = optarg; break;
		case REF_OPT_PRINT_RECEIVED: a->recv_path = optarg; break;
		case REF_OPT_BURST: a->burst = ref_number(PROG, "--burst", optarg, 1, 1u << 20); break;
		case REF_OPT_DRIP: a->drip = true; break;
		case REF_OPT_CHUNK: a->chunk = ref_number(PROG, "--chunk", optarg, 1, 1u << 30); break;
		case REF_OPT_DELAY: a->delay = (int64_t)ref_number(PROG, "--delay", optarg, 0, 60000); break;
		case REF_OPT_SIZE: {
			char lo[32];
			const char *dash = strchr(optarg, '-');
			size_t k = dash ? (size_t)(dash - optarg) : strlen(optarg);
			if (k >= sizeof(lo))
				die(2, "--size %s: expected MIN-MAX", optarg);
			memcpy(lo, optarg, k);
			lo[k] = '\0';
			a->size_min = ref_number(PROG, "--size", lo, 0, 1u << 30);
			a->size_max = dash ? ref_number(PROG, "--size", dash + 1, 0, 1u << 30)
					   : a->size_min;
			if (a->size_max < a->size_min)
				die(2, "--size %s: MAX is below MIN", optarg);
			a->sized = true;
			break;
		}
		case REF_OPT_COUNT: a->count = ref_number(PROG, "--count", optarg, 1, 1u << 24); break;
		case REF_OPT_RATE: a->rate = (int64_t)ref_number(PROG, "--rate", optarg, 1, 1000000); break;
		case REF_OPT_NODELAY: O.nodelay = true; break;
		case REF_OPT_SEED:
			rng_state ^= ref_number(PROG, "--seed", optarg, 0, UINT64_MAX) * 0x2545f4914f6cdd1dULL;
			if (!rng_state)
				rng_state = 1;
			break;
		case REF_OPT_BUG: {
			bool found = false;
			for (int b = BUG_ASCII; b < BUG__COUNT; b++)
				if (!strcmp(optarg, bug_names[b]))
					O.bug = (enum bug)b, found = true;
			if (!found)
				die(2, "--bug %s: expected ascii-length, big-endian, includes-header, "
				       "short, chars, negative, zeros, no-header, varint-big-endian, "
				       "ber-one-byte, bare-lf, delimiter-in-payload or unpadded", optarg);
			break;
		}
		case REF_OPT_SCENARIO:
			if (strcmp(optarg, "sticky") && strcmp(optarg, "framed") &&
			    strcmp(optarg, "upload") && strcmp(optarg, "many"))
				die(2, "--scenario %s: expected sticky, framed, upload FILE or many",
				    optarg);
			a->scenario = optarg;
			break;
		case REF_OPT_CLIENTS: a->clients = ref_number(PROG, "--clients", optarg, 1, MAX_CONNS); break;
		case REF_OPT_TIMEOUT:
			O.timeout_ms = (int64_t)ref_number(PROG, "--timeout", optarg, 1, 3600) * 1000;
			break;
		case REF_OPT_WAIT:
			O.wait_ms = (int64_t)ref_number(PROG, "--wait", optarg, 0, 3600) * 1000;
			break;
		case 'h': usage(stdout); exit(0);
		default:
			if (ref_profile_option(PROG, c, optarg, &a->po))
				break;
			usage(stderr);
			exit(2);
		}
	}
	if ((err = ref_parse_addr(a->connect_s, &a->addr)))
		die(2, "-c %s: %s", a->connect_s, _(err));
	if ((a->burst != 0) + (a->chunk != 0) + a->drip > 1)
		die(2, "--burst, --chunk and --drip are different shapes: pick one");
	if (a->scenario && !strcmp(a->scenario, "upload")) {
		if (optind >= argc)
			die(2, "--scenario upload needs a FILE argument");
		a->file = argv[optind++];
	}
	if (a->scenario && (optind < argc || a->sized ||
			    (a->file && strcmp(a->scenario, "upload"))))
		die(2, "--scenario %s makes its own messages: no MESSAGE, --size or --file",
		    a->scenario);
	if (a->sized && optind < argc)
		die(2, "--size makes its own payloads: no MESSAGE with it");
	a->msgs = argv + optind;
	a->nmsgs = (size_t)(argc - optind);
}

/* The profile, the shaping defaults, the log files and the connections. */
static void set_up(struct args *a)
{
	char desc[256];

	ref_profile_resolve(PROG, &a->po, a->addr.port, &O.prof);
	if (!(bug_framings[O.bug] & (1u << O.prof.framing)))
		die(2, "--bug %s has no meaning for framing %s", bug_names[O.bug],
		    fc_framing_name(O.prof.framing));
	if (O.bug == BUG_BARE_LF && O.prof.delimiter_len < 2)
		die(2, "--bug bare-lf needs a delimiter of 2 bytes or more (\"\\r\\n\")");
	if (a->scenario && !strcmp(a->scenario, "upload") &&
	    O.prof.framing == FC_FRAMING_FIXED)
		die(2, "--scenario upload sends frames of any size: not with framing fixed");
	if (a->burst || a->chunk || a->drip)
		O.nodelay = true;
	if (a->delay < 0)
		a->delay = a->burst ? 50 : a->drip ? 5 : a->chunk ? 20 : 0;
	if (a->drip)
		a->chunk = 1;
	if (a->rate && a->delay < 1000 / a->rate)
		a->delay = 1000 / a->rate;
	if (a->sent_path && !(O.sent_log = fopen(a->sent_path, "w")))
		die(1, "%s: %s", a->sent_path, strerror(errno));
	if (a->recv_path && !(O.recv_log = fopen(a->recv_path, "w")))
		die(1, "%s: %s", a->recv_path, strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	nconns = a->scenario && !strcmp(a->scenario, "many") ? (int)a->clients : 1;
	O.tag_conn = nconns > 1;
	for (int i = 0; i < nconns; i++) {
		conns[i].id = i + 1;
		conns[i].fd = -1;
	}
	ref_profile_describe(&O.prof, desc, sizeof(desc));
	if (!O.quiet)
		printf("framecap-client: profile %s%s%s\n", desc, O.bug ? ", --bug " : "",
		       O.bug ? bug_names[O.bug] : "");
}

/* The profile's c2s prelude as a client opens with it: the first string
 * of each bytes_one_of step (AMQP's protocol header), its own write().
 * A step of frames of another profile (PostgreSQL's startup) has no
 * message to invent: it is not sent, and the server's reader moves on. */
static void send_prelude(void)
{
	uint32_t n;
	const struct fc_prelude_step *st = fc_prelude_steps(&O.prof, FC_DIR_C2S, &n);

	for (int i = 0; i < nconns; i++) {
		for (uint32_t k = 0; k < n; k++) {
			if (st[k].kind != FC_PRELUDE_BYTES_ONE_OF)
				continue;
			add_unframed(&conns[i], (const char *)st[k].choice[0], st[k].choice_len[0]);
			conns[i].frames[conns[i].nframes - 1].prelude = true;
			add_cut(&conns[i], st[k].choice_len[0], 0);
		}
	}
}

/* --scenario sticky: the tutorials' two unframed send() calls. */
static void scenario_sticky(void)
{
	add_unframed(&conns[0], "kinght love ", 12);
	add_unframed(&conns[0], "aym", 3);
	add_cut(&conns[0], 12, 0); /* two send() calls, back to back */
	add_cut(&conns[0], 3, 0);
}

/* --scenario framed: two frames in one write, then one cut in its header
 * (delimiter framing: in its delimiter; fixed: in the middle). */
static void scenario_framed(const struct args *a)
{
	struct conn *k = &conns[0];
	size_t start = k->wire_len, first, third, rest; /* after a prelude */
	const struct frame_rec *f;

	O.nodelay = true;
	add_frame(k, "kinght love ", 12);
	add_frame(k, "aym", 3);
	first = k->wire_len - start;
	third = k->nframes;
	add_frame(k, "xin正在学习", strlen("xin正在学习"));
	rest = k->wire_len - start - first; /* one frame, or fixed records */
	f = &k->frames[third];
	add_cut(k, first, 0); /* one write: sticky */
	if (O.bug == BUG_NONE && f->hdr_len >= 2) {
		size_t half = f->hdr_len / 2;
		add_cut(k, half, 50); /* half a header */
		add_cut(k, f->hdr_len - half + 6, 50); /* its end, "xin正" */
		add_cut(k, rest - f->hdr_len - 6, 50);
	} else if (O.bug == BUG_NONE && f->tr_len >= 2) {
		size_t to_half = f->len + f->tr_len / 2;
		add_cut(k, to_half, 50); /* the payload and half the delimiter */
		add_cut(k, rest - to_half, 50);
	} else if (O.bug == BUG_NONE && O.prof.framing == FC_FRAMING_FIXED) {
		add_cut(k, f->len / 2, 50); /* a record in two */
		add_cut(k, rest - f->len / 2, 50);
	} else {
		add_cut(k, rest, 50);
	}
	if (a->burst || a->chunk) { /* shaping asked for explicitly wins */
		k->ncuts = 0;
		shape(k, a->chunk, a->burst ? a->burst : 1, a->delay);
	}
}

/* --scenario upload FILE: the reference server's upload protocol. */
static void scenario_upload(const struct args *a)
{
	struct conn *k = &conns[0];
	size_t n;
	uint8_t *body = read_file(a->file, &n);
	char hdr[1024] = "{\"msg_type\":\"file\",\"file_name\":", text[600];

	snprintf(text, sizeof(text), "uploading %s (%zu B)", base_name(a->file), n);
	add_frame(k, "{\"msg_type\":\"msg\"}", strlen("{\"msg_type\":\"msg\"}"));
	add_frame(k, text, strlen(text));
	json_string(hdr, sizeof(hdr) - 2, base_name(a->file));
	strcat(hdr, "}");
	add_frame(k, hdr, strlen(hdr));
	add_frame(k, body, n);
	add_frame(k, "close", 5);
	free(body);
	shape(k, a->chunk, a->burst ? a->burst : 1, a->delay);
}

/* --scenario many: --clients connections, --count messages each. */
static void scenario_many(struct args *a)
{
	if (!a->count)
		a->count = 3;
	if (a->delay == 0)
		a->delay = 20;
	O.nodelay = true;
	for (int i = 0; i < nconns; i++) {
		for (size_t m = 0; m < a->count; m++) {
			char text[64];
			snprintf(text, sizeof(text), "client %d message %zu", i + 1, m);
			add_frame(&conns[i], text, strlen(text));
		}
		shape(&conns[i], a->chunk, a->burst ? a->burst : 1, a->delay);
	}
}

/* No scenario: the MESSAGE arguments (or each line of standard input),
 * --size random payloads, or --file, shaped as asked. */
static void messages(struct args *a)
{
	struct conn *k = &conns[0];
	char **msgs = a->msgs;
	size_t nmsgs = a->nmsgs;
	char *line = NULL, **lines = NULL;
	size_t linecap = 0, lines_cap = 0, nlines = 0;

	if (!nmsgs && !a->sized && !a->file) { /* each line of standard input */
		ssize_t len;
		while ((len = getline(&line, &linecap, stdin)) >= 0) {
			while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
				line[--len] = '\0';
			grow((void **)&lines, &lines_cap, nlines + 1, sizeof(*lines));
			lines[nlines++] = strdup(line);
		}
		free(line);
		msgs = lines;
		nmsgs = nlines;
	}
	if (a->sized) {
		if (!a->count)
			a->count = 1;
		for (size_t m = 0; m < a->count; m++) {
			size_t n = a->size_min + (size_t)(rng() % (a->size_max - a->size_min + 1));
			char *p = malloc(n + 1);
			if (!p)
				die(1, "out of memory");
			for (size_t b = 0; b < n; b++)
				p[b] = (char)('a' + rng() % 26);
			add_frame(k, p, n);
			free(p);
		}
	} else if (nmsgs) {
		size_t total = a->count ? a->count : nmsgs;
		for (size_t m = 0; m < total; m++)
			add_frame(k, msgs[m % nmsgs], strlen(msgs[m % nmsgs]));
	}
	if (a->file) {
		size_t n;
		uint8_t *body = read_file(a->file, &n);
		add_frame(k, body, n);
		free(body);
	}
	for (size_t i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	shape(k, a->chunk, a->burst ? a->burst : 1, a->delay);
}

/* The whole run's bound: --timeout beyond what the shaping plans. */
static void set_deadline(void)
{
	int64_t planned = 0;

	for (int i = 0; i < nconns; i++) {
		int64_t p = 0;
		for (size_t k = 0; k < conns[i].ncuts; k++)
			p += conns[i].cuts[k].delay_ms;
		if (p > planned)
			planned = p;
	}
	O.deadline = ref_now_ms() + O.wait_ms + planned + O.timeout_ms;
}

/* Close the logs (a failed write is an error) and free the connections. */
static void finish(const struct args *a)
{
	if (O.sent_log && fclose(O.sent_log) != 0)
		die(1, "%s: %s", a->sent_path, strerror(errno));
	if (O.recv_log && fclose(O.recv_log) != 0)
		die(1, "%s: %s", a->recv_path, strerror(errno));
	for (int i = 0; i < nconns; i++) {
		free(conns[i].wire);
		free(conns[i].frames);
		free(conns[i].cuts);
		fc_reader_free(&conns[i].rd);
	}
}

int main(int argc, char **argv)
{
	struct args a;
	int status;

	/* The environment's language (LANGUAGE, LC_ALL, LANG), before the
	 * first message: there is no --lang here. */
	fc_i18n_init(1, argv);
	if (replay_requested(argc, argv)) /* --replay FILE: replay.h */
		return replay_main(argc, argv);
	parse_args(argc, argv, &a);
	set_up(&a);
	/* What each connection sends, and where its write() calls cut it. */
	send_prelude();
	if (!a.scenario)
		messages(&a);
	else if (!strcmp(a.scenario, "sticky"))
		scenario_sticky();
	else if (!strcmp(a.scenario, "framed"))
		scenario_framed(&a);
	else if (!strcmp(a.scenario, "upload"))
		scenario_upload(&a);
	else
		scenario_many(&a);
	set_deadline();
	for (int i = 0; i < nconns; i++)
		open_conn(&conns[i], &a.addr);
	status = run();
	finish(&a);
	return status;
}
