/* SPDX-License-Identifier: GPL-2.0-or-later */
/* framecap-server - echo, raw and upload server for framed messages.
 *
 * Serves many clients on one epoll loop: real traffic for framecap to
 * look at, and a model of a receiver that never trusts its peer.
 *
 *   framecap-server [-l ADDR:PORT] [-m echo|raw|upload|naive|naive-header] [-d DIR]
 *                   [options]
 *
 * Wire format, with the default profile (4-byte little-endian signed
 * length of the payload; the profile options change it as in framecap):
 *
 *   +----+----+----+----+------------------+
 *   | payload length    | payload ...      |   one frame
 *   +----+----+----+----+------------------+
 *
 * Every other framing of fc_profile.h too (--framing varint|ber|delimiter|
 * fixed, or the YAML): [varint][payload], [tag][BER length][payload],
 * [payload][delimiter], [frame_size bytes]. A profile's prelude (c2s
 * steps: AMQP's protocol header, PostgreSQL's startup messages) is read
 * where each client's stream begins; its frames are logged as prelude
 * frames, neither echoed nor taken for upload frames.
 *
 *   echo    c->s  [len][payload] [len][payload] ...
 *           s->c  the same frames, byte for byte, as they are read
 *                 (header, payload, delimiter)
 *   raw     c->s  any bytes: each recv() is printed as it came, which
 *                 shows messages glued together (sticky) or cut (split)
 *   naive   c->s  frames; each recv(1024) is taken as one message (the
 *                 tutorials' first server, bug included: naive_read)
 *           s->c  [len of what followed the header][it] per recv()
 *   naive-header  the same, reading recv(header) then recv(len), unlooped
 *   upload  c->s  [len]{"msg_type":"msg"}   [len]text of the message
 *                 [len]{"msg_type":"file","file_name":"a.txt"}   [len]file
 *                 [len]close
 *           s->c  [len]{"status":"ok",...} after each message and file
 *
 * The peer is never trusted: a length above max_frame or negative, a bad
 * JSON header, a file name with a path in it... is logged and that client
 * disconnected. Frames are cut by the core's reader (fc_reader.h) in
 * stream mode: each client has fixed-size buffers (input: header size +
 * 16 KiB, output: 256 KiB), allocated when first used; when its output is
 * full the server stops reading from it, so a client that does not read
 * its echoes only stalls itself.
 *
 * Slow and idle peers cannot hold the server (all limits are options):
 *
 *   header    (echo and upload) a frame's header must be complete
 *             --header-timeout SEC after its first byte came (default 10)
 *   rate      then the frame must arrive at --min-rate B/s on average,
 *             after a grace of --header-timeout (default 1024): a header
 *             promising 1 MB and a byte every 20 s is cut after ~10 s
 *   idle      a client silent --idle-timeout SEC is dropped (default 60)
 *   capacity  --max-clients (default: from the file descriptor limit,
 *             RLIMIT_NOFILE, whose soft limit is raised to the hard one)
 *             and --max-per-addr per client address (default 256); when
 *             either is reached a new connection evicts the connection
 *             idle the longest (of that address, for the per-address
 *             cap), logged, unless --when-full refuse
 *
 * Uploaded files are written to an unnamed file (O_TMPFILE, or an
 * O_EXCL file with a random name where the file system has no O_TMPFILE)
 * and linked into -d DIR once complete; an existing name is never
 * replaced: the file is stored as NAME.1, NAME.2, ... (up to NAME.999,
 * then refused), logged and named in the acknowledgement ("stored_as").
 * SIGINT and SIGTERM close every connection and print totals.
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
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_reader.h"
#include "ref_common.h"
#include "ref_options.h"
#include "ref_json.h"

#define PROG "framecap-server"
#define IN_CHUNK 16384u /* input buffer beyond the header */
#define OUT_CAP (256u * 1024) /* output buffer per client */
#define ACK_MAX 512u /* room an upload acknowledgement needs */
#define PREVIEW_BYTES 48u /* payload bytes kept to show a frame */
#define PREVIEW_CHARS 40u
#define FILE_NAME_MAX 200u
#define NUMBERED_MAX 999 /* NAME.1 .. NAME.999, then refuse */
#define FDS_RESERVED 16 /* stdio, listener, epoll, -d, the log... */
#define CAPACITY_MAX 65536u /* default capacity ceiling, whatever the fd limit */
#define SWEEP_MIN_MS 10 /* timers are checked at most this often */

enum mode { MODE_ECHO, MODE_RAW, MODE_UPLOAD, MODE_NAIVE, MODE_NAIVE_HEADER };
static const char *const mode_names[] = { "echo", "raw", "upload", "naive", "naive-header" };
/* The tutorials' buggy receivers (naive.c's comment at naive_read). */
#define IS_NAIVE(m) ((m) == MODE_NAIVE || (m) == MODE_NAIVE_HEADER)
#define NAIVE_RECV 1024u /* naive: recv(1024), the tutorials' size */

/* Where an upload conversation stands: what the next frame is. */
enum up_state { UP_HEADER, UP_MSG, UP_FILE };

/* A client address, for the per-address cap (IPv4 as ::ffff:a.b.c.d). */
struct addr_key {
	uint8_t b[16];
};

struct client {
	bool used; /* false: free slot (calloc'd slots are free) */
	int fd;
	unsigned long id;
	char peer[80];
	struct addr_key key;
	struct client *lru_prev, *lru_next; /* by last activity, oldest first */
	struct client *addr_next; /* same hash bucket */
	struct fc_reader rd; /* frames in, in stream mode (header + IN_CHUNK) */
	uint8_t *out; /* OUT_CAP bytes once used; pending: [out_off, out_off + out_len) */
	size_t out_off, out_len;
	uint32_t events; /* registered with epoll */
	bool in_frame; /* header read, body_left payload bytes to come */
	bool open; /* delimiter: the frame's length comes with its end */
	uint64_t open_bytes; /* ... and its payload bytes so far */
	uint32_t prelude; /* the frame is of prelude step prelude - 1 */
	struct fc_frame_len fl;
	uint64_t body_left, frame_index;
	int64_t header_t0; /* ms: first byte of an unfinished header, 0: none */
	int64_t rate_t0; /* ms: the frame's (or reading's) clock start */
	uint64_t rate_bytes; /* payload bytes since rate_t0 */
	int64_t deadline; /* ms: header or rate deadline, 0: none */
	uint8_t preview[PREVIEW_BYTES];
	size_t preview_n;
	enum up_state up;
	char hdr[REF_JSON_MAX_TEXT]; /* the upload header frame's payload */
	size_t hdr_n;
	int file_fd;
	bool file_named; /* file_fd has a temporary name (no O_TMPFILE) */
	char file_name[REF_JSON_VALUE_MAX], tmp_name[64], stored_name[REF_JSON_VALUE_MAX + 8];
	bool eof, closing; /* peer shut its side; we stop reading */
	int64_t last_active, ready_at; /* ms; ready_at: delayed recv() due */
	uint64_t recvs, frames, bytes;
	bool nh_body; /* naive-header: the header was read, the body is next */
	uint64_t nh_len; /* ... of this many bytes */
};

struct totals {
	uint64_t clients, frames_in, payload_in, frames_out, recvs, raw_bytes;
	uint64_t messages, files, file_bytes, errors, timeouts, refused, evicted;
};

static struct {
	enum mode mode;
	struct fc_profile prof;
	size_t in_cap, hdr_max;
	uint8_t *rbuf; /* in_cap bytes: what one recv() returns */
	int epfd, lfd, dirfd;
	const char *dir;
	struct client *clients;
	unsigned *free_slots, nfree; /* a stack of free slot numbers */
	unsigned max_clients, max_per_addr, nclients;
	struct client **buckets; /* clients by address; nbuckets a power of 2 */
	size_t nbuckets;
	struct client *lru_head, *lru_tail;
	int64_t idle_ms, recv_delay_ms, header_ms, next_due;
	uint64_t min_rate;
	bool quiet, refuse_when_full;
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

/* --- who is connected: slots, least recently active list, addresses --- */

/* Remember that a timer is due at `at` (ms): the loop wakes by then. */
static void due_by(int64_t at)
{
	if (at > 0 && (!S.next_due || at < S.next_due))
		S.next_due = at;
}

static void lru_unlink(struct client *c)
{
	if (c->lru_prev)
		c->lru_prev->lru_next = c->lru_next;
	else
		S.lru_head = c->lru_next;
	if (c->lru_next)
		c->lru_next->lru_prev = c->lru_prev;
	else
		S.lru_tail = c->lru_prev;
	c->lru_prev = c->lru_next = NULL;
}

static void lru_append(struct client *c)
{
	c->lru_prev = S.lru_tail;
	c->lru_next = NULL;
	if (S.lru_tail)
		S.lru_tail->lru_next = c;
	else
		S.lru_head = c;
	S.lru_tail = c;
}

/* The client did something: it becomes the most recently active. */
static void touch(struct client *c, int64_t now)
{
	c->last_active = now;
	if (c != S.lru_tail) {
		lru_unlink(c);
		lru_append(c);
	}
}

/* The address of sa as a key (IPv4 mapped into IPv6). */
static struct addr_key addr_key_of(const struct sockaddr_storage *ss)
{
	struct addr_key k;

	memset(&k, 0, sizeof(k));
	if (ss->ss_family == AF_INET6) {
		memcpy(k.b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	} else if (ss->ss_family == AF_INET) {
		k.b[10] = k.b[11] = 0xff;
		memcpy(k.b + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	}
	return k;
}

/* The bucket of key k (FNV-1a). */
static struct client **bucket_of(const struct addr_key *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < 16; i++)
		h = (h ^ k->b[i]) * 1099511628211ULL;
	return &S.buckets[h & (S.nbuckets - 1)];
}

/* How many clients are connected from k, and which of them was idle the
 * longest (NULL: none). Costs the clients in k's bucket. */
static unsigned addr_clients(const struct addr_key *k, struct client **oldest)
{
	unsigned n = 0;

	*oldest = NULL;
	for (struct client *c = *bucket_of(k); c; c = c->addr_next)
		if (!memcmp(c->key.b, k->b, 16)) {
			n++;
			if (!*oldest || c->last_active < (*oldest)->last_active)
				*oldest = c;
		}
	return n;
}

static void addr_remove(struct client *c)
{
	for (struct client **pp = bucket_of(&c->key); *pp; pp = &(*pp)->addr_next)
		if (*pp == c) {
			*pp = c->addr_next;
			break;
		}
	c->addr_next = NULL;
}

/* --- deadlines ----------------------------------------------------------- */

/* Set the client's header or rate deadline from where its input stands.
 * Only while the server reads from it: a peer waiting for our output
 * room or a delayed recv() is not late. */
static void rearm(struct client *c, int64_t now)
{
	c->deadline = 0;
	if (S.mode == MODE_RAW || IS_NAIVE(S.mode) || c->closing || c->eof || !(c->events & EPOLLIN)) {
		c->header_t0 = 0;
		return;
	}
	if (c->in_frame) {
		c->header_t0 = 0;
		if (S.min_rate)
			c->deadline = c->rate_t0 + S.header_ms +
				      (int64_t)(c->rate_bytes * 1000 / S.min_rate);
	} else if (fc_reader_pending(&c->rd)) {
		if (!c->header_t0)
			c->header_t0 = now;
		if (S.header_ms)
			c->deadline = c->header_t0 + S.header_ms;
	} else {
		c->header_t0 = 0;
	}
	due_by(c->deadline);
}

/* Register with epoll the events this client needs now: input while it
 * has room and is not closing or waiting for a delayed recv(), output
 * while bytes are pending. Then its deadline follows: when reading
 * resumes, the clocks restart. */
static void update_events(struct client *c)
{
	uint32_t want = 0;
	struct epoll_event ev;
	int64_t now = ref_now_ms();

	if (!c->eof && !c->closing && fc_reader_room(&c->rd) > 0 && !c->ready_at &&
	    (!IS_NAIVE(S.mode) || OUT_CAP - c->out_len >= S.in_cap + S.prof.header_size))
		want |= EPOLLIN;
	if (c->out_len)
		want |= EPOLLOUT;
	if (want != c->events) {
		if ((want & EPOLLIN) && !(c->events & EPOLLIN)) {
			c->rate_t0 = now;
			c->rate_bytes = 0;
			if (c->header_t0)
				c->header_t0 = now;
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = want;
		ev.data.u64 = (uint64_t)(c - S.clients) + 1;
		epoll_ctl(S.epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = want;
	}
	rearm(c, now);
}

/* Remove an unfinished upload's temporary file (an O_TMPFILE one
 * vanishes with its descriptor). */
static void discard_upload(struct client *c)
{
	if (c->file_fd >= 0) {
		close(c->file_fd);
		if (c->file_named)
			unlinkat(S.dirfd, c->tmp_name, 0);
		c->file_fd = -1;
		c->file_named = false;
	}
}

/* Close the connection and free the slot, logging why. */
static void finish(struct client *c, const char *why)
{
	if (c->in_frame && !c->closing && c->open)
		logc(c, "connection ends inside frame #%" PRIu64 ": %" PRIu64
			" B came, never its delimiter", c->frame_index, c->open_bytes);
	else if (c->in_frame && !c->closing)
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
	fc_reader_free(&c->rd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->used = false;
	lru_unlink(c);
	addr_remove(c);
	S.free_slots[S.nfree++] = (unsigned)(c - S.clients);
	S.nclients--;
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

/* Queue n bytes for the client; the caller checked the room. Returns
 * false (after dropping the client) when its buffer cannot be had. */
static bool queue(struct client *c, const void *p, size_t n)
{
	if (!c->out && !(c->out = malloc(OUT_CAP))) {
		drop(c, "out of memory for its output");
		return false;
	}
	if (c->out_off + c->out_len + n > OUT_CAP) {
		memmove(c->out, c->out + c->out_off, c->out_len);
		c->out_off = 0;
	}
	memcpy(c->out + c->out_off + c->out_len, p, n);
	c->out_len += n;
	return true;
}

/* Queue one framed reply (the profile's header, then the text). Returns
 * false if the client was dropped. */
static bool queue_frame(struct client *c, const char *text)
{
	uint8_t hdr[FC_MAX_HEADER_SIZE], tr[FC_DELIMITER_MAX];
	size_t n = strlen(text), hlen, tlen;

	if (fc_profile_frame_payload(&S.prof, (const uint8_t *)text, n, hdr, sizeof(hdr), &hlen,
				     tr, &tlen))
		return true; /* max_frame below a short acknowledgement: say nothing */
	if (!queue(c, hdr, hlen) || !queue(c, text, n) || !queue(c, tr, tlen))
		return false;
	S.t.frames_out++;
	return true;
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

/* Open an unnamed file in -d for an upload (O_TMPFILE): no name exists
 * that a planted link or symlink could sit on. Where the file system has
 * no O_TMPFILE (or FRAMECAP_SERVER_NO_TMPFILE is set, for the tests), a
 * new file with a random name, O_EXCL | O_NOFOLLOW: an existing name,
 * link or symlink, is never opened. Either way the file must be a regular
 * file with no other link. Returns NULL or the reason. */
static const char *open_upload(struct client *c)
{
	struct stat st;
	bool tmpfile = !getenv("FRAMECAP_SERVER_NO_TMPFILE");

	c->file_named = false;
	c->file_fd = -1;
	if (tmpfile)
		c->file_fd = openat(S.dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (!tmpfile || (c->file_fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
					    errno == EINVAL))) {
		for (int tries = 0; tries < 16; tries++) {
			uint64_t rnd;

			if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
				return strerror(errno);
			snprintf(c->tmp_name, sizeof(c->tmp_name), ".upload-%016" PRIx64 ".part",
				 rnd);
			c->file_fd = openat(S.dirfd, c->tmp_name,
					    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					    0644);
			if (c->file_fd >= 0 || errno != EEXIST)
				break;
		}
		c->file_named = c->file_fd >= 0;
	}
	if (c->file_fd < 0)
		return strerror(errno);
	if (fstat(c->file_fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != (c->file_named ? 1u : 0u)) {
		discard_upload(c);
		return "the new file is not a fresh regular file";
	}
	return NULL;
}

/* Give a finished upload its name in -d: NAME, or NAME.1 ... NAME.999
 * when taken (linkat() never replaces a name, so an existing file, link
 * or symlink stays as it was), into c->stored_name. The file must still
 * have no other link. Returns NULL or the reason. */
static const char *store_upload(struct client *c)
{
	char proc[64];
	struct stat st;

	if (fstat(c->file_fd, &st) != 0)
		return strerror(errno);
	if (st.st_nlink != (c->file_named ? 1u : 0u))
		return "the temporary file gained a link while it was written";
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", c->file_fd);
	for (int k = 0; k <= NUMBERED_MAX; k++) {
		int r;

		if (k == 0)
			snprintf(c->stored_name, sizeof(c->stored_name), "%s", c->file_name);
		else
			snprintf(c->stored_name, sizeof(c->stored_name), "%s.%d", c->file_name, k);
		if (c->file_named)
			r = linkat(S.dirfd, c->tmp_name, S.dirfd, c->stored_name, 0);
		else
			r = linkat(AT_FDCWD, proc, S.dirfd, c->stored_name, AT_SYMLINK_FOLLOW);
		if (r == 0) {
			if (c->file_named)
				unlinkat(S.dirfd, c->tmp_name, 0);
			c->file_named = false;
			return NULL;
		}
		if (errno != EEXIST)
			return strerror(errno);
	}
	c->stored_name[0] = '\0';
	return "the name and NAME.1 to NAME.999 are all taken";
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
	if ((err = open_upload(c))) {
		drop(c, "cannot create a file for %s in %s: %s", c->file_name, S.dir, err);
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
	if (c->prelude) { /* the protocol's opening: shown, not served */
		if (!S.quiet)
			logc(c, "prelude frame #%" PRIu64 " (step %u) len=%" PRId64 "%s \"%s\"",
			     c->frame_index - 1, c->prelude, c->fl.length, sizes, pv);
		return true;
	}

	switch (S.mode) {
	case MODE_ECHO:
		if (!S.quiet)
			logc(c, "frame #%" PRIu64 " len=%" PRId64 "%s \"%s\"", c->frame_index - 1,
			     c->fl.length, sizes, pv);
		S.t.frames_out++;
		return true; /* the trailer went out with the last piece */
	case MODE_RAW: case MODE_NAIVE: case MODE_NAIVE_HEADER:
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
		c->up = UP_HEADER;
		return queue_frame(c, "{\"status\":\"ok\",\"msg_type\":\"msg\"}");
	case UP_FILE: {
		const char *err = store_upload(c);
		char stored_as[REF_JSON_VALUE_MAX + 32] = "";

		if (err) {
			drop(c, "cannot store %s: %s", c->file_name, err);
			return false;
		}
		if (close(c->file_fd) != 0) {
			c->file_fd = -1;
			unlinkat(S.dirfd, c->stored_name, 0);
			drop(c, "cannot write %s: %s", c->file_name, strerror(errno));
			return false;
		}
		c->file_fd = -1;
		if (strcmp(c->stored_name, c->file_name)) {
			logc(c, "%s exists in %s: not replaced, the upload is stored as %s",
			     c->file_name, S.dir, c->stored_name);
			snprintf(stored_as, sizeof(stored_as), "\"stored_as\":\"%s\",",
				 c->stored_name);
		}
		logc(c, "file %s: %" PRIu64 " B stored in %s", c->stored_name,
		     c->fl.payload_len, S.dir);
		S.t.files++;
		S.t.file_bytes += c->fl.payload_len;
		snprintf(ack, sizeof(ack),
			 "{\"status\":\"ok\",\"msg_type\":\"file\",\"file_name\":\"%s\","
			 "%s\"size\":\"%" PRIu64 "\"}",
			 c->file_name, stored_as, c->fl.payload_len);
		/* The name passed bad_file_name() and came out of the JSON
		 * reader: no quote, backslash or control character can break
		 * this JSON except '"' and '\\', which are escaped below. */
		if (strpbrk(c->file_name, "\"\\"))
			snprintf(ack, sizeof(ack), "{\"status\":\"ok\",\"msg_type\":\"file\"}");
		c->up = UP_HEADER;
		return queue_frame(c, ack);
	}
	}
	return true;
}

/* A frame header was handed out (c->fl filled in): check what it
 * announces and start the frame; the caller made room for the echoed
 * header or the acknowledgement. Returns false if the client was dropped. */
static bool frame_start(struct client *c, const uint8_t *hdr)
{
	if (c->prelude) {
		/* read, logged at its end, not served */
	} else if (S.mode == MODE_ECHO) {
		if (!queue(c, hdr, c->fl.header_len)) /* echoed as it came */
			return false;
	} else if (S.mode == MODE_UPLOAD) {
		if (c->up == UP_HEADER && c->fl.payload_len > sizeof(c->hdr)) {
			drop(c, "header frame #%" PRIu64 " of %" PRIu64
				" B: a JSON header is at most %zu B",
			     c->frame_index, c->fl.payload_len, sizeof(c->hdr));
			return false;
		}
		c->hdr_n = 0;
		if (c->up == UP_FILE)
			logc(c, "receiving file %s: %" PRIu64 " B", c->file_name, c->fl.payload_len);
	}
	c->in_frame = true;
	c->body_left = c->open ? 0 : c->fl.payload_len;
	c->open_bytes = 0;
	c->preview_n = 0;
	c->rate_t0 = ref_now_ms();
	c->rate_bytes = 0;
	return true;
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
	if (!c->open)
		c->body_left -= n;
	else
		c->open_bytes += n;
	c->rate_bytes += n;
	if (c->prelude) {
		return true;
	} else if (S.mode == MODE_ECHO) {
		return queue(c, p, n);
	} else if (c->up == UP_HEADER) {
		if (c->hdr_n + n > sizeof(c->hdr)) { /* a line whose end is not in sight */
			drop(c, "header frame #%" PRIu64 " longer than %zu B: a JSON header "
				"is at most that", c->frame_index, sizeof(c->hdr));
			return false;
		}
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

/* Take frames out of the client's reader and handle them, as far as the
 * input and the output room allow: the framing is the reader's. Returns
 * false if the client was dropped. */
static bool process(struct client *c)
{
	while (!c->closing) {
		struct fc_read fr;
		size_t room = OUT_CAP - c->out_len, max = SIZE_MAX;
		bool mid = fc_reader_mid_frame(&c->rd);

		if (S.mode == MODE_ECHO) {
			/* room for the header echo at a frame start, for
			 * some payload inside one, and for the trailer */
			size_t need = (mid ? 1 : S.hdr_max) + S.prof.delimiter_len;
			if (room < need)
				break;
			max = room - (mid ? 0 : S.hdr_max) - S.prof.delimiter_len;
		} else if (!mid && room < ACK_MAX) {
			break; /* upload: an acknowledgement must fit */
		}
		switch (fc_reader_next(&c->rd, max, &fr)) {
		case FC_READ_NEED_MORE:
			return true;
		case FC_READ_ERROR:
			if (fr.error == FC_FRAME_OVERSIZE)
				drop(c, "frame #%" PRIu64 ": length %" PRId64
					" is above max_frame %" PRIu64,
				     c->frame_index, fr.length, S.prof.max_frame);
			else if (fr.error == FC_FRAME_NEGATIVE)
				drop(c, "frame #%" PRIu64 ": %s %" PRId64, c->frame_index,
				     fr.length < 0 ? "negative length"
						   : "frame shorter than its header: length",
				     fr.length);
			else if (fr.error == FC_FRAME_NO_DELIMITER)
				drop(c, "frame #%" PRIu64 ": no delimiter within max_frame %" PRIu64
					" B (%" PRId64 " B without one)",
				     c->frame_index, S.prof.max_frame, fr.length);
			else
				drop(c, "frame #%" PRIu64 ": %s (%" PRId64 ")", c->frame_index,
				     ref_frame_error(fr.error), fr.length);
			return false;
		case FC_READ_FRAME:
			break;
		}
		if (fr.first) {
			c->fl.length = fr.length;
			c->fl.header_len = fr.header_len;
			c->fl.payload_len = fr.payload_len;
			c->fl.frame_len = fr.header_len + fr.payload_len;
			c->open = fr.open_ended;
			c->prelude = fr.prelude;
			if (!frame_start(c, fr.header))
				return false;
		}
		if (fr.n && !frame_body(c, fr.payload, fr.n))
			return false;
		if (fr.last) {
			c->fl.length = fr.length; /* a delimiter frame's, known now */
			c->fl.payload_len = fr.payload_len;
			c->open = false;
			if (fr.trailer_len && S.mode == MODE_ECHO && !c->prelude &&
			    !queue(c, fr.trailer, fr.trailer_len))
				return false;
			if (!frame_end(c))
				return false;
		}
	}
	return true;
}

/* After recv() or send() returned n: true when there is nothing more to
 * do now (it would block, or the client is finished for its error);
 * otherwise the client was active. */
static bool io_failed(struct client *c, ssize_t n)
{
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			finish(c, strerror(errno));
		return true;
	}
	touch(c, ref_now_ms());
	return false;
}

/* After recv() into S.rbuf returned n: true with the bytes counted; false
 * (the caller returns) on an error or at the peer's end, where the client
 * is finished, or left to send what it still owes (eof_note, when set,
 * logged first). */
static bool received(struct client *c, ssize_t n, const char *eof_note)
{
	if (io_failed(c, n))
		return false;
	if (n == 0) {
		c->eof = true;
		if (eof_note)
			logc(c, "%s", eof_note);
		if (!c->out_len)
			finish(c, "closed by peer");
		else
			update_events(c);
		return false;
	}
	c->recvs++;
	c->bytes += (uint64_t)n;
	return true;
}

/* Read what the socket has (one recv(), for fairness, of at most what the
 * reader takes) and handle it. */
/* The tutorials' receivers, bugs included, for replays to expose:
 *   naive         each recv(1024) is one message: its first header_size
 *                 bytes the header, the rest the payload, echoed back
 *                 framed; sticky frames come back as one, split ones as
 *                 several
 *   naive-header  recv(header_size) once for the header, then recv(n)
 *                 once for the body, neither looped: a header cut in two
 *                 is read as a length, a body cut short is echoed short
 * The reply is [header for the bytes taken as payload][those bytes].
 * Called when the socket is readable and the output has room for one
 * reply (update_events). */
static void naive_read(struct client *c)
{
	uint32_t hs = S.prof.header_size;
	size_t want = S.mode == MODE_NAIVE ? NAIVE_RECV
		    : !c->nh_body ? hs : c->nh_len < S.in_cap ? (size_t)c->nh_len : S.in_cap;
	uint8_t hdr[FC_MAX_HEADER_SIZE];
	size_t body = 0, skip = 0;
	ssize_t n;

	if (want > S.in_cap)
		want = S.in_cap;
	n = want ? recv(c->fd, S.rbuf, want, 0) : 0;
	if (!want)
		c->recvs++;
	else if (!received(c, n, NULL))
		return;
	if (S.mode == MODE_NAIVE_HEADER && !c->nh_body) {
		struct fc_frame_len fl;
		memset(hdr, 0, hs);
		memcpy(hdr, S.rbuf, (size_t)n); /* short: the rest stays zero */
		if (fc_profile_frame_len(&S.prof, hdr, hs, &fl) == FC_FRAME_OK)
			c->nh_len = fl.payload_len;
		else
			c->nh_len = 0;
		c->nh_body = c->nh_len > 0;
		if (!S.quiet)
			logc(c, "naive-header: recv(%u) returned %zd B: length %" PRIu64, hs, n,
			     c->nh_len);
		if (c->nh_body) {
			update_events(c);
			return;
		}
	} else if (S.mode == MODE_NAIVE_HEADER) {
		body = (size_t)n;
		c->nh_body = false;
	} else {
		skip = (size_t)n < hs ? (size_t)n : hs;
		body = (size_t)n - skip;
	}
	if (!fc_profile_encode_header(&S.prof, body, hdr)) {
		drop(c, "a reply of %zu B does not fit the profile", body);
		return;
	}
	if (!S.quiet)
		logc(c, "%s: recv() returned %zd B: one message of %zu B", mode_names[S.mode], n,
		     body);
	c->frames++;
	S.t.frames_in++;
	S.t.frames_out++;
	if (!queue(c, hdr, hs) || !queue(c, S.rbuf + skip, body))
		return;
	update_events(c);
}

static void do_read(struct client *c)
{
	if (IS_NAIVE(S.mode)) {
		naive_read(c);
		return;
	}
	size_t room = S.mode == MODE_RAW ? S.in_cap : fc_reader_room(&c->rd);
	ssize_t n;
	char pv[4 * PREVIEW_CHARS + 8];
	size_t taken;

	if (room > S.in_cap) /* a prelude's frames may widen the reader */
		room = S.in_cap;
	n = recv(c->fd, S.rbuf, room, 0);
	if (!received(c, n, S.mode == MODE_RAW ? "recv() returned 0: the peer closed its side"
					       : NULL))
		return;
	if (S.mode == MODE_RAW) {
		S.t.recvs++;
		S.t.raw_bytes += (uint64_t)n;
		ref_preview(S.rbuf, (size_t)n, PREVIEW_CHARS, pv);
		logc(c, "recv() #%" PRIu64 " returned %zd B: \"%s\"", c->recvs, n, pv);
		update_events(c);
		return; /* raw: nothing is kept */
	}
	if (fc_reader_feed(&c->rd, S.rbuf, (size_t)n, &taken) != 0) {
		drop(c, "out of memory for its input");
		return;
	}
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

	if (io_failed(c, n))
		return;
	c->out_off += (size_t)n;
	c->out_len -= (size_t)n;
	if (!c->out_len)
		c->out_off = 0;
	if (S.mode != MODE_RAW && !IS_NAIVE(S.mode) && !process(c))
		return;
	if ((c->eof || c->closing) && !c->out_len) {
		finish(c, c->eof ? "closed by peer" : "closed");
		return;
	}
	update_events(c);
}

/* Make room for a connection from `peer` (key k) when the server or
 * that address is full: evict the connection idle the longest (of that
 * address when its cap is the limit), logged. Returns false when the
 * new connection is to be refused instead (--when-full refuse). */
static bool make_room(const struct addr_key *k, const char *peer)
{
	struct client *victim = NULL, *oldest;
	bool per_addr = false;

	if (S.max_per_addr && addr_clients(k, &oldest) >= S.max_per_addr) {
		victim = oldest;
		per_addr = true;
	} else if (S.nclients >= S.max_clients) {
		victim = S.lru_head;
	}
	if (!victim)
		return true;
	if (S.refuse_when_full) {
		if (per_addr)
			logc(NULL, "%u connections from that address already: refusing %s",
			     S.max_per_addr, peer);
		else
			logc(NULL, "%u clients already: refusing %s", S.max_clients, peer);
		S.t.refused++;
		return false;
	}
	logc(victim, "evicted, idle for %" PRId64 " ms, the longest %s: %u %s already "
		     "and %s connects",
	     ref_now_ms() - victim->last_active, per_addr ? "from its address" : "of all",
	     per_addr ? S.max_per_addr : S.max_clients,
	     per_addr ? "connections from that address" : "clients", peer);
	S.t.evicted++;
	victim->closing = true; /* the line above says why it ends */
	finish(victim, "evicted");
	return true;
}

/* Accept the waiting connections into free slots, making room when full. */
static void do_accept(void)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct epoll_event ev;
		struct client *c;
		struct addr_key key;
		char peer[80];
		int64_t now;
		int fd = accept4(S.lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if ((errno == EMFILE || errno == ENFILE) && S.lru_head) {
				/* Out of descriptors all the same (other files are
				 * open): the longest idle makes way. */
				logc(S.lru_head, "evicted: no file descriptor left for a new "
						 "connection (%s)", strerror(errno));
				S.t.evicted++;
				finish(S.lru_head, "evicted");
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				logc(NULL, "accept: %s", strerror(errno));
			return;
		}
		ref_format_addr((struct sockaddr *)&ss, peer, sizeof(peer));
		key = addr_key_of(&ss);
		if (!make_room(&key, peer)) {
			close(fd);
			continue;
		}
		c = &S.clients[S.free_slots[--S.nfree]];
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->fd = fd;
		c->file_fd = -1;
		c->id = ++S.next_id;
		c->key = key;
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
		fc_reader_init(&c->rd, &S.prof, S.in_cap);
		fc_reader_set_prelude(&c->rd, FC_DIR_C2S);
		c->events = EPOLLIN;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)(c - S.clients) + 1;
		if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			logc(NULL, "epoll_ctl: %s", strerror(errno));
			close(fd);
			c->used = false;
			S.free_slots[S.nfree++] = (unsigned)(c - S.clients);
			continue;
		}
		now = ref_now_ms();
		c->last_active = now;
		lru_append(c);
		struct client **b = bucket_of(&key);
		c->addr_next = *b;
		*b = c;
		S.nclients++;
		S.t.clients++;
		if (S.idle_ms)
			due_by(now + S.idle_ms);
		logc(c, "%s connected", c->peer);
	}
}

/* Delayed reads that are due, deadlines passed and idle clients, checked
 * when the earliest of them is due (a walk over the connected clients,
 * at most every SWEEP_MIN_MS); returns the epoll_wait timeout until the
 * next (-1: none). */
static int timers(void)
{
	int64_t now = ref_now_ms(), next = 0;
	struct client *c, *after;

	if (!S.next_due)
		return -1;
	if (now < S.next_due)
		return (int)(S.next_due - now > 60000 ? 60000 : S.next_due - now);
	S.next_due = 0;
	for (c = S.lru_head; c; c = after) {
		int64_t due = 0;

		after = c->lru_next; /* c may go, or move to the tail */
		if (c->ready_at && c->ready_at <= now) {
			c->ready_at = 0;
			do_read(c);
			if (!c->used)
				continue;
			update_events(c);
		}
		if (S.idle_ms && now - c->last_active >= S.idle_ms) {
			logc(c, "silent for %" PRId64 " s: disconnecting", S.idle_ms / 1000);
			S.t.timeouts++;
			finish(c, "timed out");
			continue;
		}
		if (c->deadline && c->deadline <= now) {
			if (c->in_frame && c->open)
				logc(c, "frame #%" PRIu64 " too slow: %" PRIu64 " B and no delimiter "
					"in %" PRId64 " ms, under --min-rate %" PRIu64
					" B/s: disconnecting",
				     c->frame_index, c->open_bytes, now - c->rate_t0, S.min_rate);
			else if (c->in_frame)
				logc(c, "frame #%" PRIu64 " too slow: %" PRIu64 " of %" PRIu64
					" payload bytes in %" PRId64 " ms, under --min-rate %" PRIu64
					" B/s: disconnecting",
				     c->frame_index, c->fl.payload_len - c->body_left,
				     c->fl.payload_len, now - c->rate_t0, S.min_rate);
			else
				logc(c, "header of frame #%" PRIu64 " unfinished %" PRId64
					" s after its first byte (--header-timeout): disconnecting",
				     c->frame_index, S.header_ms / 1000);
			S.t.timeouts++;
			c->closing = true; /* the line above said it */
			finish(c, "timed out");
			continue;
		}
		if (c->ready_at)
			due = c->ready_at;
		if (S.idle_ms && (!due || c->last_active + S.idle_ms < due))
			due = c->last_active + S.idle_ms;
		if (c->deadline && (!due || c->deadline < due))
			due = c->deadline;
		if (due && (!next || due < next))
			next = due;
	}
	if (next && next < now + SWEEP_MIN_MS)
		next = now + SWEEP_MIN_MS;
	due_by(next);
	if (!S.next_due)
		return -1;
	return S.next_due <= now ? 0 : (int)(S.next_due - now > 60000 ? 60000 : S.next_due - now);
}

/* Handle the events of one client. */
static void client_event(struct client *c, uint32_t ev)
{
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (S.recv_delay_ms && !c->ready_at && !c->eof && (ev & EPOLLIN)) {
			c->ready_at = ref_now_ms() + S.recv_delay_ms;
			due_by(c->ready_at);
			update_events(c);
		} else if (!c->ready_at) {
			do_read(c);
		}
	}
	if (c->used && (ev & EPOLLOUT))
		do_write(c);
	if (c->used && (ev & (EPOLLHUP | EPOLLERR)) && c->eof && c->out_len)
		finish(c, "connection lost");
}

/* Open the listening socket; exits 1 when the address cannot be used. */
static void listen_on(const struct ref_addr *a)
{
	int one = 1;
	char name[80];

	S.lfd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (S.lfd < 0) {
		ref_warn(PROG, "socket: %s", strerror(errno));
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
		ref_warn(PROG, "%s: %s", name, strerror(errno));
		exit(1);
	}
}

/* How many clients the file descriptor limit allows: the soft limit is
 * raised to the hard one where allowed; a few descriptors stay for the
 * server itself, and in upload mode each client may hold a file too. */
static unsigned fd_limit_capacity(void)
{
	struct rlimit rl;
	uint64_t n;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 64;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = { rl.rlim_max, rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	n = rl.rlim_cur == RLIM_INFINITY ? 1000000 : (uint64_t)rl.rlim_cur;
	n = n > FDS_RESERVED ? n - FDS_RESERVED : 1;
	if (S.mode == MODE_UPLOAD)
		n /= 2;
	if (n < 1)
		n = 1;
	return n > 1000000 ? 1000000 : (unsigned)n;
}

/* Print the options to f. */
static void usage(FILE *f)
{
	fputs(_("usage: framecap-server [-l ADDR:PORT] [-m MODE] [-d DIR] [-q]\n"
	      "                       [--max-clients N] [--max-per-addr N] [--when-full evict|refuse]\n"
	      "                       [--idle-timeout SEC] [--header-timeout SEC] [--min-rate B]\n"
	      "                       [--recv-delay MS] [profile options]\n"
	      "Serves framed messages (any framing: --framing, or the YAML) on ADDR:PORT\n"
	      "(default 127.0.0.1:8001;\n"
	      "IPv6 as [::1]:8001) for many clients on one event loop.\n"
	      "  -l, --listen ADDR:PORT  where to listen\n"
	      "  -m, --mode MODE         echo: frames echoed back (default)\n"
	      "                          raw: no framing, each recv() printed as it came\n"
	      "                          upload: {\"msg_type\":\"msg\"}+text, {\"msg_type\":\"file\",\n"
	      "                          \"file_name\":NAME}+file, close (files go to -d DIR)\n"
	      "                          naive: each recv(1024) taken as one message (bug)\n"
	      "                          naive-header: recv(header) then recv(n), unlooped (bug)\n"
	      "  -d, --dir DIR           where uploaded files are stored (upload mode)\n"
	      "  -q, --quiet             log connections and errors, not every frame\n"
	      "  --max-clients N         clients served at once (default: from the file\n"
	      "                          descriptor limit, at most 65536)\n"
	      "  --max-per-addr N        connections from one address (default 256, 0: no cap)\n"
	      "  --when-full evict|refuse  at a limit, evict the connection idle the longest\n"
	      "                          (default) or refuse the new one\n"
	      "  --idle-timeout SEC      drop a client silent this long (default 60, 0: never)\n"
	      "  --header-timeout SEC    a frame header must be complete this long after its\n"
	      "                          first byte; the grace before --min-rate (default 10,\n"
	      "                          0: never)\n"
	      "  --min-rate B            a frame must then arrive at B bytes/s on average\n"
	      "                          (default 1024, 0: any rate)\n"
	      "  --recv-delay MS         wait this long after data arrives before recv(), as a\n"
	      "                          busy server would (default 100 in raw mode, else 0)\n"), f);
	fputs(_(REF_PROFILE_USAGE), f);
	fputs(_("Stops on SIGINT or SIGTERM, printing totals.\n"), f);
}

/* Parse the options, listen, run the event loop until SIGINT or SIGTERM,
 * close every client and print the totals. */
int main(int argc, char **argv)
{
	struct option longopts[REF_LONGOPTS_MAX];
	struct ref_profile_opts po;
	struct ref_addr addr;
	struct epoll_event ev, evs[64];
	struct sigaction sa;
	sigset_t block, orig;
	const char *listen_s = "127.0.0.1:8001", *err;
	char desc[256], name[80];
	int64_t recv_delay = -1;
	unsigned max_clients = 0, fd_capacity;
	int c;

	fc_i18n_init(1, argv); /* the environment's language: no --lang here */
	memset(&po, 0, sizeof(po));
	S.idle_ms = 60000;
	S.header_ms = 10000;
	S.min_rate = 1024;
	S.max_per_addr = 256;
	S.dirfd = -1;
	ref_longopts(REF_PROG_SERVER, longopts);
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
			else if (!strcmp(optarg, "naive"))
				S.mode = MODE_NAIVE;
			else if (!strcmp(optarg, "naive-header"))
				S.mode = MODE_NAIVE_HEADER;
			else {
				ref_warn(PROG, "-m %s: expected echo, raw, upload, naive or "
					 "naive-header", optarg);
				return 2;
			}
			break;
		case 'd': S.dir = optarg; break;
		case 'q': S.quiet = true; break;
		case REF_OPT_MAX_CLIENTS:
			max_clients = (unsigned)ref_number(PROG, "--max-clients", optarg, 1, 1000000);
			break;
		case REF_OPT_MAX_PER_ADDR:
			S.max_per_addr = (unsigned)ref_number(PROG, "--max-per-addr", optarg, 0, 1000000);
			break;
		case REF_OPT_WHEN_FULL:
			if (!strcmp(optarg, "evict") || !strcmp(optarg, "refuse")) {
				S.refuse_when_full = optarg[0] == 'r';
				break;
			}
			ref_warn(PROG, "--when-full %s: expected evict or refuse", optarg);
			return 2;
		case REF_OPT_HEADER_TIMEOUT:
			S.header_ms = (int64_t)ref_number(PROG, "--header-timeout", optarg, 0, 86400) * 1000;
			break;
		case REF_OPT_MIN_RATE:
			S.min_rate = ref_number(PROG, "--min-rate", optarg, 0, 1ULL << 40);
			break;
		case REF_OPT_IDLE:
			S.idle_ms = (int64_t)ref_number(PROG, "--idle-timeout", optarg, 0, 86400) * 1000;
			break;
		case REF_OPT_RECV_DELAY:
			recv_delay = (int64_t)ref_number(PROG, "--recv-delay", optarg, 0, 10000);
			break;
		case 'h': usage(stdout); return 0;
		default:
			if (ref_profile_option(PROG, c, optarg, &po))
				break;
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		ref_warn(PROG, "unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((err = ref_parse_addr(listen_s, &addr))) {
		ref_warn(PROG, "-l %s: %s", listen_s, _(err));
		return 2;
	}
	if (S.mode == MODE_UPLOAD && !S.dir) {
		ref_warn(PROG, "upload mode needs -d DIR for the files");
		return 2;
	}
	S.recv_delay_ms = recv_delay >= 0 ? recv_delay : S.mode == MODE_RAW ? 100 : 0;
	ref_profile_resolve(PROG, &po, addr.port, &S.prof);
	if (S.mode == MODE_UPLOAD && S.prof.framing == FC_FRAMING_FIXED) {
		ref_warn(PROG, "upload mode sends and takes frames of any size: "
			 "not with framing fixed");
		return 2;
	}
	/* The longest header a frame start needs (echoed as it came). */
	S.hdr_max = fc_profile_header_max(&S.prof) > S.prof.header_size
			    ? fc_profile_header_max(&S.prof) : S.prof.header_size;
	S.in_cap = S.hdr_max + S.prof.delimiter_len + IN_CHUNK;
	S.rbuf = malloc(S.in_cap);
	fd_capacity = fd_limit_capacity();
	if (!max_clients) {
		S.max_clients = fd_capacity < CAPACITY_MAX ? fd_capacity : CAPACITY_MAX;
	} else if (max_clients > fd_capacity) {
		ref_warn(PROG, "--max-clients %u: only %u fit the file descriptor "
			 "limit; serving %u", max_clients, fd_capacity, fd_capacity);
		S.max_clients = fd_capacity;
	} else {
		S.max_clients = max_clients;
	}
	if (S.dir) {
		S.dirfd = open(S.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (S.dirfd < 0) {
			ref_warn(PROG, "-d %s: %s", S.dir, strerror(errno));
			return 1;
		}
	}
	/* Slots are calloc'd (free while zero: untouched pages cost nothing
	 * until used); free ones are a stack of numbers. */
	for (S.nbuckets = 1; S.nbuckets < S.max_clients; S.nbuckets *= 2)
		;
	S.clients = calloc(S.max_clients, sizeof(*S.clients));
	S.free_slots = malloc(S.max_clients * sizeof(*S.free_slots));
	S.buckets = calloc(S.nbuckets, sizeof(*S.buckets));
	if (!S.clients || !S.free_slots || !S.buckets || !S.rbuf) {
		ref_warn(PROG, "out of memory");
		return 1;
	}
	for (unsigned i = 0; i < S.max_clients; i++)
		S.free_slots[i] = S.max_clients - 1 - i;
	S.nfree = S.max_clients;

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
		ref_warn(PROG, "epoll: %s", strerror(errno));
		return 1;
	}
	ref_profile_describe(&S.prof, desc, sizeof(desc));
	ref_format_addr((struct sockaddr *)&addr.ss, name, sizeof(name));
	logc(NULL, "listening on %s, mode %s%s%s, profile %s", name, mode_names[S.mode],
	     S.dir ? ", files to " : "", S.dir ? S.dir : "", desc);
	logc(NULL, "up to %u clients, %u per address (%s when full), idle timeout %" PRId64
		   " s, header timeout %" PRId64 " s, min rate %" PRIu64 " B/s",
	     S.max_clients, S.max_per_addr, S.refuse_when_full ? "refuse" : "evict",
	     S.idle_ms / 1000, S.header_ms / 1000, S.min_rate);

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
			if (cl->used)
				client_event(cl, evs[i].events);
		}
	}

	unsigned open_clients = S.nclients;
	logc(NULL, "%s: shutting down, closing %u connection%s",
	     got_signal == SIGINT ? "SIGINT" : got_signal == SIGTERM ? "SIGTERM" : "error",
	     open_clients, open_clients == 1 ? "" : "s");
	while (S.lru_head)
		finish(S.lru_head, "closed by server shutdown");
	close(S.lfd);
	close(S.epfd);
	if (S.dirfd >= 0)
		close(S.dirfd);
	free(S.clients);
	free(S.free_slots);
	free(S.buckets);
	free(S.rbuf);
	if (S.mode == MODE_RAW)
		logc(NULL, "totals: clients %" PRIu64 ", recv() calls %" PRIu64 " (%" PRIu64
			   " B), refused %" PRIu64,
		     S.t.clients, S.t.recvs, S.t.raw_bytes, S.t.refused);
	/* (evictions in raw mode are logged one by one) */
	else
		logc(NULL, "totals: clients %" PRIu64 ", frames in %" PRIu64 " (%" PRIu64
			   " B payload), frames out %" PRIu64 ", messages %" PRIu64 ", files %" PRIu64
			   " (%" PRIu64 " B), evicted %" PRIu64 ", disconnected for errors %" PRIu64
			   ", timed out %" PRIu64 ", refused %" PRIu64,
		     S.t.clients, S.t.frames_in, S.t.payload_in, S.t.frames_out, S.t.messages,
		     S.t.files, S.t.file_bytes, S.t.evicted, S.t.errors, S.t.timeouts, S.t.refused);
	return 0;
}
