/* framecap-server - echo, raw and upload server for length-prefixed frames.
 *
 * Serves many clients on one epoll loop: real traffic for framecap to
 * look at, and a model of a receiver that never trusts its peer.
 *
 *   framecap-server [-l ADDR:PORT] [-m echo|raw|upload] [-d DIR] [options]
 *
 * Wire format, with the default profile (4-byte little-endian signed
 * length of the payload; the profile options change it as in framecap):
 *
 *   +----+----+----+----+------------------+
 *   | payload length    | payload ...      |   one frame
 *   +----+----+----+----+------------------+
 *
 *   echo    c->s  [len][payload] [len][payload] ...
 *           s->c  the same frames, byte for byte, as they are read
 *   raw     c->s  any bytes: each recv() is printed as it came, which
 *                 shows messages glued together (sticky) or cut (split)
 *   upload  c->s  [len]{"msg_type":"msg"}   [len]text of the message
 *                 [len]{"msg_type":"file","file_name":"a.txt"}   [len]file
 *                 [len]close
 *           s->c  [len]{"status":"ok",...} after each message and file
 *
 * The peer is never trusted: a length above max_frame or negative, a bad
 * JSON header, a file name with a path in it... is logged and that client
 * disconnected. Each client has fixed-size buffers (input: header size +
 * 16 KiB, output: 256 KiB); when its output is full the server stops
 * reading from it, so a client that does not read its echoes only stalls
 * itself. SIGINT and SIGTERM close every connection and print totals.
 *
 * Exit status: 0 after a signal; 1 the address or directory cannot be
 * used; 2 bad usage or profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ref_common.h"
#include "ref_json.h"

#define PROG "framecap-server"
#define IN_CHUNK 16384u /* input buffer beyond the header */
#define OUT_CAP (256u * 1024) /* output buffer per client */
#define ACK_MAX 512u /* room an upload acknowledgement needs */
#define PREVIEW_BYTES 48u /* payload bytes kept to show a frame */
#define PREVIEW_CHARS 40u
#define FILE_NAME_MAX 200u

enum mode { MODE_ECHO, MODE_RAW, MODE_UPLOAD };
static const char *const mode_names[] = { "echo", "raw", "upload" };

/* Where an upload conversation stands: what the next frame is. */
enum up_state { UP_HEADER, UP_MSG, UP_FILE };

struct client {
	int fd; /* -1: free slot */
	unsigned long id;
	char peer[80];
	uint8_t *in; /* in_cap bytes */
	size_t in_len;
	uint8_t *out; /* OUT_CAP bytes; pending: [out_off, out_off + out_len) */
	size_t out_off, out_len;
	uint32_t events; /* registered with epoll */
	bool in_frame; /* header read, body_left payload bytes to come */
	struct fc_frame_len fl;
	uint64_t body_left, frame_index;
	uint8_t preview[PREVIEW_BYTES];
	size_t preview_n;
	enum up_state up;
	char hdr[REF_JSON_MAX_TEXT]; /* the upload header frame's payload */
	size_t hdr_n;
	int file_fd;
	char file_name[REF_JSON_VALUE_MAX], tmp_name[FILE_NAME_MAX + 40];
	bool eof, closing; /* peer shut its side; we stop reading */
	int64_t last_active, ready_at; /* ms; ready_at: delayed recv() due */
	uint64_t recvs, frames, bytes;
};

struct totals {
	uint64_t clients, frames_in, payload_in, frames_out, recvs, raw_bytes;
	uint64_t messages, files, file_bytes, errors, timeouts, refused;
};

static struct {
	enum mode mode;
	struct fc_profile prof;
	size_t in_cap;
	int epfd, lfd, dirfd;
	const char *dir;
	struct client *clients;
	unsigned max_clients;
	int64_t idle_ms, recv_delay_ms;
	bool quiet;
	unsigned long next_id;
	struct totals t;
} S;

static volatile sig_atomic_t got_signal;

/* Record the signal for the loop; epoll_pwait returns EINTR. */
static void on_signal(int sig)
{
	got_signal = sig;
}

/* One log line on stdout: "[id] text" for a client, the text alone for
 * c == NULL. */
static void logc(const struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logc(const struct client *c, const char *fmt, ...)
{
	va_list ap;

	if (c)
		printf("[%lu] ", c->id);
	else
		fputs(PROG ": ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Register with epoll the events this client needs now: input while it
 * has room and is not closing or waiting for a delayed recv(), output
 * while bytes are pending. */
static void update_events(struct client *c)
{
	uint32_t want = 0;
	struct epoll_event ev;

	if (!c->eof && !c->closing && c->in_len < S.in_cap && !c->ready_at)
		want |= EPOLLIN;
	if (c->out_len)
		want |= EPOLLOUT;
	if (want == c->events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.u64 = (uint64_t)(c - S.clients) + 1;
	epoll_ctl(S.epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = want;
}

/* Remove an unfinished upload's temporary file. */
static void discard_upload(struct client *c)
{
	if (c->file_fd >= 0) {
		close(c->file_fd);
		unlinkat(S.dirfd, c->tmp_name, 0);
		c->file_fd = -1;
	}
}

/* Close the connection and free the slot, logging why. */
static void finish(struct client *c, const char *why)
{
	if (c->in_frame && !c->closing)
		logc(c, "connection ends inside frame #%" PRIu64 ": %" PRIu64
			" of %" PRIu64 " payload bytes never came",
		     c->frame_index, c->body_left, c->fl.payload_len);
	if (c->file_fd >= 0)
		logc(c, "upload of %s abandoned: partial file removed", c->file_name);
	discard_upload(c);
	uint64_t n = S.mode == MODE_RAW ? c->recvs : c->frames;
	logc(c, "%s: %" PRIu64 " %s%s, %" PRIu64 " B in", why, n,
	     S.mode == MODE_RAW ? "recv() call" : "frame", n == 1 ? "" : "s", c->bytes);
	epoll_ctl(S.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->fd = -1;
}

/* The peer broke the protocol (or a local error hit its upload): log the
 * reason, count it and disconnect. */
static void drop(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void drop(struct client *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logc(c, "error: %s; disconnecting", msg);
	S.t.errors++;
	c->closing = true; /* the unfinished frame is not worth a line */
	finish(c, "disconnected");
}

/* Queue n bytes for the client; the caller checked the room. */
static void queue(struct client *c, const void *p, size_t n)
{
	if (c->out_off + c->out_len + n > OUT_CAP) {
		memmove(c->out, c->out + c->out_off, c->out_len);
		c->out_off = 0;
	}
	memcpy(c->out + c->out_off + c->out_len, p, n);
	c->out_len += n;
}

/* Queue one framed reply (the profile's header, then the text). */
static void queue_frame(struct client *c, const char *text)
{
	uint8_t hdr[FC_MAX_HEADER_SIZE];
	size_t n = strlen(text);

	if (!fc_profile_encode_header(&S.prof, n, hdr))
		return; /* max_frame below a short acknowledgement: say nothing */
	queue(c, hdr, S.prof.header_size);
	queue(c, text, n);
	S.t.frames_out++;
}

/* Refuse names that are empty, too long, hidden (".", "..", ".x"), hold a
 * path separator or a control character. NULL when the name is fine. */
static const char *bad_file_name(const char *name)
{
	if (!name || !*name)
		return "no file_name";
	if (strlen(name) > FILE_NAME_MAX)
		return "file name too long";
	if (strchr(name, '/') || strchr(name, '\\'))
		return "file name has a path in it";
	if (name[0] == '.')
		return "file name starts with '.'";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "control character in file name";
	return NULL;
}

/* A complete upload header frame: "close", or a JSON header announcing
 * a message or a file. Returns false if the client was dropped. */
static bool upload_header(struct client *c)
{
	struct ref_json_object o;
	const char *err, *type, *name;
	char pv[4 * PREVIEW_CHARS + 8];

	if (c->hdr_n == 5 && !memcmp(c->hdr, "close", 5)) {
		logc(c, "close");
		c->closing = true;
		return true;
	}
	if ((err = ref_json_parse(c->hdr, c->hdr_n, &o))) {
		ref_preview((const uint8_t *)c->hdr, c->hdr_n, PREVIEW_CHARS, pv);
		drop(c, "bad JSON header \"%s\": %s", pv, err);
		return false;
	}
	type = ref_json_get(&o, "msg_type");
	if (type && !strcmp(type, "msg")) {
		c->up = UP_MSG;
		return true;
	}
	if (!type || strcmp(type, "file")) {
		drop(c, "msg_type must be \"msg\" or \"file\"");
		return false;
	}
	name = ref_json_get(&o, "file_name");
	if ((err = bad_file_name(name))) {
		ref_preview((const uint8_t *)(name ? name : ""), name ? strlen(name) : 0,
			    PREVIEW_CHARS, pv);
		drop(c, "%s: \"%s\"", err, pv);
		return false;
	}
	snprintf(c->file_name, sizeof(c->file_name), "%s", name);
	snprintf(c->tmp_name, sizeof(c->tmp_name), ".%s.part%lu", name, c->id);
	c->file_fd = openat(S.dirfd, c->tmp_name,
			    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (c->file_fd < 0) {
		drop(c, "cannot create %s in %s: %s", c->tmp_name, S.dir, strerror(errno));
		return false;
	}
	c->up = UP_FILE;
	return true;
}

/* A frame is complete: log it and act on it (upload protocol). Returns
 * false if the client was dropped. */
static bool frame_end(struct client *c)
{
	char pv[4 * PREVIEW_CHARS + 8], ack[ACK_MAX];
	char sizes[64] = "";

	c->in_frame = false;
	c->frames++;
	S.t.frames_in++;
	S.t.payload_in += c->fl.payload_len;
	ref_preview(c->preview, c->preview_n, PREVIEW_CHARS, pv);
	if (c->preview_n < c->fl.payload_len && strlen(pv) < 3)
		strcpy(pv, "...");
	if ((uint64_t)c->fl.length != c->fl.payload_len)
		snprintf(sizes, sizeof(sizes), " (%" PRIu64 " B payload)", c->fl.payload_len);
	c->frame_index++;

	switch (S.mode) {
	case MODE_ECHO:
		if (!S.quiet)
			logc(c, "frame #%" PRIu64 " len=%" PRId64 "%s \"%s\"", c->frame_index - 1,
			     c->fl.length, sizes, pv);
		S.t.frames_out++;
		return true;
	case MODE_RAW:
		return true;
	case MODE_UPLOAD:
		break;
	}
	switch (c->up) {
	case UP_HEADER:
		if (!S.quiet)
			logc(c, "frame #%" PRIu64 " len=%" PRId64 "%s header \"%s\"",
			     c->frame_index - 1, c->fl.length, sizes, pv);
		return upload_header(c);
	case UP_MSG:
		logc(c, "message: \"%s\"", pv);
		S.t.messages++;
		queue_frame(c, "{\"status\":\"ok\",\"msg_type\":\"msg\"}");
		c->up = UP_HEADER;
		return true;
	case UP_FILE:
		if (close(c->file_fd) != 0) {
			c->file_fd = -1;
			unlinkat(S.dirfd, c->tmp_name, 0);
			drop(c, "cannot write %s: %s", c->file_name, strerror(errno));
			return false;
		}
		c->file_fd = -1;
		if (renameat(S.dirfd, c->tmp_name, S.dirfd, c->file_name) != 0) {
			unlinkat(S.dirfd, c->tmp_name, 0);
			drop(c, "cannot store %s: %s", c->file_name, strerror(errno));
			return false;
		}
		logc(c, "file %s: %" PRIu64 " B stored in %s", c->file_name, c->fl.payload_len,
		     S.dir);
		S.t.files++;
		S.t.file_bytes += c->fl.payload_len;
		snprintf(ack, sizeof(ack),
			 "{\"status\":\"ok\",\"msg_type\":\"file\",\"file_name\":\"%s\","
			 "\"size\":\"%" PRIu64 "\"}",
			 c->file_name, c->fl.payload_len);
		/* The name passed bad_file_name() and came out of the JSON
		 * reader: no quote, backslash or control character can break
		 * this JSON except '"' and '\\', which are escaped below. */
		if (strpbrk(c->file_name, "\"\\"))
			snprintf(ack, sizeof(ack), "{\"status\":\"ok\",\"msg_type\":\"file\"}");
		queue_frame(c, ack);
		c->up = UP_HEADER;
		return true;
	}
	return true;
}

/* A frame header is complete at p: check what it announces and start the
 * frame. Returns 1 started, 0 wait for output room, -1 client dropped. */
static int frame_start(struct client *c, const uint8_t *p)
{
	if (S.mode == MODE_ECHO) {
		if (OUT_CAP - c->out_len < c->fl.header_len)
			return 0;
		queue(c, p, c->fl.header_len); /* echoed as it came */
	} else if (S.mode == MODE_UPLOAD) {
		if (OUT_CAP - c->out_len < ACK_MAX)
			return 0;
		if (c->up == UP_HEADER && c->fl.payload_len > sizeof(c->hdr)) {
			drop(c, "header frame #%" PRIu64 " of %" PRIu64
				" B: a JSON header is at most %zu B",
			     c->frame_index, c->fl.payload_len, sizeof(c->hdr));
			return -1;
		}
		c->hdr_n = 0;
		if (c->up == UP_FILE)
			logc(c, "receiving file %s: %" PRIu64 " B", c->file_name, c->fl.payload_len);
	}
	c->in_frame = true;
	c->body_left = c->fl.payload_len;
	c->preview_n = 0;
	return 1;
}

/* Take n payload bytes of the current frame. Returns false if the client
 * was dropped. */
static bool frame_body(struct client *c, const uint8_t *p, size_t n)
{
	size_t keep = PREVIEW_BYTES - c->preview_n;

	if (keep > n)
		keep = n;
	memcpy(c->preview + c->preview_n, p, keep);
	c->preview_n += keep;
	c->body_left -= n;
	if (S.mode == MODE_ECHO) {
		queue(c, p, n);
	} else if (c->up == UP_HEADER) {
		memcpy(c->hdr + c->hdr_n, p, n); /* fits: checked at the start */
		c->hdr_n += n;
	} else if (c->up == UP_FILE) {
		while (n > 0) {
			ssize_t w = write(c->file_fd, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				drop(c, "cannot write %s: %s", c->file_name,
				     w < 0 ? strerror(errno) : "disk full");
				return false;
			}
			p += w;
			n -= (size_t)w;
		}
	}
	return true;
}

/* Cut the input buffer into frames and handle them, as far as the input
 * and the output room allow. Returns false if the client was dropped. */
static bool process(struct client *c)
{
	size_t used = 0;

	while (!c->closing) {
		const uint8_t *p = c->in + used;
		size_t avail = c->in_len - used;

		if (!c->in_frame) {
			enum fc_frame_status st = fc_profile_frame_len(&S.prof, p, avail, &c->fl);
			int r;

			if (st == FC_FRAME_NEED_MORE)
				break;
			if (st == FC_FRAME_OVERSIZE) {
				drop(c, "frame #%" PRIu64 ": length %" PRId64
					" is above max_frame %" PRIu64,
				     c->frame_index, c->fl.length, S.prof.max_frame);
				return false;
			}
			if (st == FC_FRAME_NEGATIVE) {
				drop(c, "frame #%" PRIu64 ": %s %" PRId64, c->frame_index,
				     c->fl.length < 0 ? "negative length"
						      : "frame shorter than its header: length",
				     c->fl.length);
				return false;
			}
			if (avail < c->fl.header_len)
				break;
			r = frame_start(c, p);
			if (r < 0)
				return false;
			if (r == 0)
				break;
			used += c->fl.header_len;
		} else {
			size_t n = avail;
			if (n > c->body_left)
				n = (size_t)c->body_left;
			if (S.mode == MODE_ECHO && n > OUT_CAP - c->out_len)
				n = OUT_CAP - c->out_len;
			if (n == 0 && c->body_left > 0)
				break;
			if (!frame_body(c, p, n))
				return false;
			used += n;
		}
		if (c->in_frame && c->body_left == 0 && !frame_end(c))
			return false;
	}
	if (c->closing)
		used = c->in_len; /* after "close", input is ignored */
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	return true;
}

/* Read what the socket has (one recv(), for fairness) and handle it. */
static void do_read(struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, S.in_cap - c->in_len, 0);
	char pv[4 * PREVIEW_CHARS + 8];

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		finish(c, strerror(errno));
		return;
	}
	c->last_active = ref_now_ms();
	if (n == 0) {
		c->eof = true;
		if (S.mode == MODE_RAW)
			logc(c, "recv() returned 0: the peer closed its side");
		if (!c->out_len) {
			finish(c, "closed by peer");
			return;
		}
		update_events(c);
		return;
	}
	c->recvs++;
	c->bytes += (uint64_t)n;
	if (S.mode == MODE_RAW) {
		S.t.recvs++;
		S.t.raw_bytes += (uint64_t)n;
		ref_preview(c->in, (size_t)n, PREVIEW_CHARS, pv);
		logc(c, "recv() #%" PRIu64 " returned %zd B: \"%s\"", c->recvs, n, pv);
		update_events(c);
		return; /* raw: nothing is kept */
	}
	c->in_len += (size_t)n;
	if (!process(c))
		return;
	if (c->closing && !c->out_len) {
		finish(c, "closed");
		return;
	}
	update_events(c);
}

/* Send pending output; then input that waited for room goes on. */
static void do_write(struct client *c)
{
	ssize_t n = send(c->fd, c->out + c->out_off, c->out_len, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		finish(c, strerror(errno));
		return;
	}
	c->last_active = ref_now_ms();
	c->out_off += (size_t)n;
	c->out_len -= (size_t)n;
	if (!c->out_len)
		c->out_off = 0;
	if (c->in_len && !process(c))
		return;
	if ((c->eof || c->closing) && !c->out_len) {
		finish(c, c->eof ? "closed by peer" : "closed");
		return;
	}
	update_events(c);
}

/* Accept the waiting connections into free slots. */
static void do_accept(void)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct epoll_event ev;
		struct client *c = NULL;
		char peer[80];
		int fd = accept4(S.lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				logc(NULL, "accept: %s", strerror(errno));
			return;
		}
		ref_format_addr((struct sockaddr *)&ss, peer, sizeof(peer));
		for (unsigned i = 0; i < S.max_clients; i++)
			if (S.clients[i].fd < 0) {
				c = &S.clients[i];
				break;
			}
		if (!c) {
			logc(NULL, "%u clients already: refusing %s", S.max_clients, peer);
			S.t.refused++;
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->in = malloc(S.in_cap);
		c->out = malloc(OUT_CAP);
		if (!c->in || !c->out) {
			free(c->in);
			free(c->out);
			c->fd = -1;
			logc(NULL, "out of memory: refusing %s", peer);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->file_fd = -1;
		c->id = ++S.next_id;
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
		c->last_active = ref_now_ms();
		c->events = EPOLLIN;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)(c - S.clients) + 1;
		if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			logc(NULL, "epoll_ctl: %s", strerror(errno));
			free(c->in);
			free(c->out);
			close(fd);
			c->fd = -1;
			continue;
		}
		S.t.clients++;
		logc(c, "%s connected", c->peer);
	}
}

/* Delayed reads that are due, and idle clients; returns the epoll_wait
 * timeout until the next of them (-1: none). */
static int timers(void)
{
	int64_t now = ref_now_ms(), next = -1;

	for (unsigned i = 0; i < S.max_clients; i++) {
		struct client *c = &S.clients[i];
		int64_t due;

		if (c->fd < 0)
			continue;
		if (c->ready_at && c->ready_at <= now) {
			c->ready_at = 0;
			do_read(c);
			if (c->fd < 0)
				continue;
			update_events(c);
		}
		if (S.idle_ms && now - c->last_active >= S.idle_ms) {
			logc(c, "silent for %" PRId64 " s: disconnecting", S.idle_ms / 1000);
			S.t.timeouts++;
			finish(c, "timed out");
			continue;
		}
		due = c->ready_at ? c->ready_at : -1;
		if (S.idle_ms && (due < 0 || c->last_active + S.idle_ms < due))
			due = c->last_active + S.idle_ms;
		if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

/* Handle the events of one client. */
static void client_event(struct client *c, uint32_t ev)
{
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (S.recv_delay_ms && !c->ready_at && !c->eof && (ev & EPOLLIN)) {
			c->ready_at = ref_now_ms() + S.recv_delay_ms;
			update_events(c);
		} else if (!c->ready_at) {
			do_read(c);
		}
	}
	if (c->fd >= 0 && (ev & EPOLLOUT))
		do_write(c);
	if (c->fd >= 0 && (ev & (EPOLLHUP | EPOLLERR)) && c->eof && c->out_len)
		finish(c, "connection lost");
}

/* Open the listening socket; exits 1 when the address cannot be used. */
static void listen_on(const struct ref_addr *a)
{
	int one = 1;
	char name[80];

	S.lfd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (S.lfd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		exit(1);
	}
	setsockopt(S.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(S.lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	ref_format_addr((const struct sockaddr *)&a->ss, name, sizeof(name));
	/* The largest backlog: with a small one a burst of connects overflows
	 * it and the kernel leaves clients half-connected until they speak. */
	if (bind(S.lfd, (const struct sockaddr *)&a->ss, a->len) != 0 ||
	    listen(S.lfd, SOMAXCONN) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", name, strerror(errno));
		exit(1);
	}
}

/* Print the options to f. */
static void usage(FILE *f)
{
	fputs("usage: framecap-server [-l ADDR:PORT] [-m echo|raw|upload] [-d DIR] [-q]\n"
	      "                       [--max-clients N] [--idle-timeout SEC] [--recv-delay MS]\n"
	      "                       [profile options]\n"
	      "Serves length-prefixed frames on ADDR:PORT (default 127.0.0.1:8001;\n"
	      "IPv6 as [::1]:8001) for many clients on one event loop.\n"
	      "  -l, --listen ADDR:PORT  where to listen\n"
	      "  -m, --mode MODE         echo: frames echoed back (default)\n"
	      "                          raw: no framing, each recv() printed as it came\n"
	      "                          upload: {\"msg_type\":\"msg\"}+text, {\"msg_type\":\"file\",\n"
	      "                          \"file_name\":NAME}+file, close (files go to -d DIR)\n"
	      "  -d, --dir DIR           where uploaded files are stored (upload mode)\n"
	      "  -q, --quiet             log connections and errors, not every frame\n"
	      "  --max-clients N         clients served at once (default 64)\n"
	      "  --idle-timeout SEC      drop a client silent this long (default 60, 0: never)\n"
	      "  --recv-delay MS         wait this long after data arrives before recv(), as a\n"
	      "                          busy server would (default 100 in raw mode, else 0)\n"
	      REF_PROFILE_USAGE
	      "Stops on SIGINT or SIGTERM, printing totals.\n", f);
}

/* Parse the options, listen, run the event loop until SIGINT or SIGTERM,
 * close every client and print the totals. */
int main(int argc, char **argv)
{
	enum { OPT_MAX_CLIENTS = REF_OPT__NEXT, OPT_IDLE, OPT_RECV_DELAY, OPT_HELP };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "recv-delay", required_argument, NULL, OPT_RECV_DELAY },
		{ "help", no_argument, NULL, OPT_HELP },
		REF_PROFILE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ref_profile_opts po;
	struct ref_addr addr;
	struct epoll_event ev, evs[64];
	struct sigaction sa;
	sigset_t block, orig;
	const char *listen_s = "127.0.0.1:8001", *err;
	char desc[256], name[80];
	int64_t recv_delay = -1;
	int c;

	memset(&po, 0, sizeof(po));
	S.max_clients = 64;
	S.idle_ms = 60000;
	S.dirfd = -1;
	while ((c = getopt_long(argc, argv, "hl:m:d:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_s = optarg; break;
		case 'm':
			if (!strcmp(optarg, "echo"))
				S.mode = MODE_ECHO;
			else if (!strcmp(optarg, "raw"))
				S.mode = MODE_RAW;
			else if (!strcmp(optarg, "upload"))
				S.mode = MODE_UPLOAD;
			else {
				fprintf(stderr, PROG ": -m %s: expected echo, raw or upload\n", optarg);
				return 2;
			}
			break;
		case 'd': S.dir = optarg; break;
		case 'q': S.quiet = true; break;
		case OPT_MAX_CLIENTS:
			S.max_clients = (unsigned)ref_number(PROG, "--max-clients", optarg, 1, 1000);
			break;
		case OPT_IDLE:
			S.idle_ms = (int64_t)ref_number(PROG, "--idle-timeout", optarg, 0, 86400) * 1000;
			break;
		case OPT_RECV_DELAY:
			recv_delay = (int64_t)ref_number(PROG, "--recv-delay", optarg, 0, 10000);
			break;
		case 'h': case OPT_HELP: usage(stdout); return 0;
		default:
			if (ref_profile_option(PROG, c, optarg, &po))
				break;
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((err = ref_parse_addr(listen_s, &addr))) {
		fprintf(stderr, PROG ": -l %s: %s\n", listen_s, err);
		return 2;
	}
	if (S.mode == MODE_UPLOAD && !S.dir) {
		fprintf(stderr, PROG ": upload mode needs -d DIR for the files\n");
		return 2;
	}
	S.recv_delay_ms = recv_delay >= 0 ? recv_delay : S.mode == MODE_RAW ? 100 : 0;
	ref_profile_resolve(PROG, &po, addr.port, &S.prof);
	S.in_cap = S.prof.header_size + IN_CHUNK;
	if (S.dir) {
		S.dirfd = open(S.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (S.dirfd < 0) {
			fprintf(stderr, PROG ": -d %s: %s\n", S.dir, strerror(errno));
			return 1;
		}
	}
	S.clients = calloc(S.max_clients, sizeof(*S.clients));
	if (!S.clients) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < S.max_clients; i++)
		S.clients[i].fd = -1;

	/* SIGINT/SIGTERM are blocked except inside epoll_pwait: no race
	 * between checking got_signal and waiting. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);

	setvbuf(stdout, NULL, _IOLBF, 0);
	listen_on(&addr);
	S.epfd = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 0;
	if (S.epfd < 0 || epoll_ctl(S.epfd, EPOLL_CTL_ADD, S.lfd, &ev) != 0) {
		fprintf(stderr, PROG ": epoll: %s\n", strerror(errno));
		return 1;
	}
	ref_profile_describe(&S.prof, desc, sizeof(desc));
	ref_format_addr((struct sockaddr *)&addr.ss, name, sizeof(name));
	logc(NULL, "listening on %s, mode %s%s%s, profile %s", name, mode_names[S.mode],
	     S.dir ? ", files to " : "", S.dir ? S.dir : "", desc);

	while (!got_signal) {
		int n = epoll_pwait(S.epfd, evs, 64, timers(), &orig);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			logc(NULL, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == 0) {
				do_accept();
				continue;
			}
			struct client *cl = &S.clients[evs[i].data.u64 - 1];
			if (cl->fd >= 0)
				client_event(cl, evs[i].events);
		}
	}

	unsigned open_clients = 0;
	for (unsigned i = 0; i < S.max_clients; i++)
		open_clients += S.clients[i].fd >= 0;
	logc(NULL, "%s: shutting down, closing %u connection%s",
	     got_signal == SIGINT ? "SIGINT" : got_signal == SIGTERM ? "SIGTERM" : "error",
	     open_clients, open_clients == 1 ? "" : "s");
	for (unsigned i = 0; i < S.max_clients; i++)
		if (S.clients[i].fd >= 0)
			finish(&S.clients[i], "closed by server shutdown");
	close(S.lfd);
	close(S.epfd);
	if (S.dirfd >= 0)
		close(S.dirfd);
	free(S.clients);
	if (S.mode == MODE_RAW)
		logc(NULL, "totals: clients %" PRIu64 ", recv() calls %" PRIu64 " (%" PRIu64
			   " B), refused %" PRIu64,
		     S.t.clients, S.t.recvs, S.t.raw_bytes, S.t.refused);
	else
		logc(NULL, "totals: clients %" PRIu64 ", frames in %" PRIu64 " (%" PRIu64
			   " B payload), frames out %" PRIu64 ", messages %" PRIu64 ", files %" PRIu64
			   " (%" PRIu64 " B), disconnected for errors %" PRIu64 ", timed out %" PRIu64
			   ", refused %" PRIu64,
		     S.t.clients, S.t.frames_in, S.t.payload_in, S.t.frames_out, S.t.messages,
		     S.t.files, S.t.file_bytes, S.t.errors, S.t.timeouts, S.t.refused);
	return 0;
}
