/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_talk.c - a fixed script of framed TCP traffic on loopback, for the
 * live tests and captures/live-talk.pcap. It stays beside the reference
 * client because its one connection mixes every pattern (one frame, sticky,
 * split in three, header split) in a known order, which the client's
 * shaping options (one pattern per run) do not.
 *
 *   fc-talk serve PORT            accept one connection, greet it with a
 *                                 frame, read until the peer closes
 *   fc-talk send PORT [SENT.jsonl] write the scripted frames below, then
 *                                 read until the server closes
 *
 * The script makes the kernel produce each pattern framecap shows
 * (TCP_NODELAY on, a pause between writes so each write is one segment):
 *
 *   write 1: [hdr "hello"]                         one frame, one segment
 *   write 2: [hdr "kinght love "][hdr "aym"][hdr "third"]   sticky
 *   write 3: [hdr]  write 4: "xin正在学习"  write 5: " split in three"
 *   write 6: [2 header bytes]  write 7: [2 header bytes "header split"]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fc_profile.h"

static void fail(const char *what)
{
	fprintf(stderr, "fc-talk: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail("write");
		}
		c += w;
		n -= (size_t)w;
	}
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* header + payload for the default profile into buf; returns its size. */
static size_t frame(const struct fc_profile *p, const char *payload, uint8_t *buf)
{
	size_t n = strlen(payload);
	if (!fc_profile_encode_header(p, n, buf)) {
		fprintf(stderr, "fc-talk: cannot encode length %zu\n", n);
		exit(1);
	}
	memcpy(buf + p->header_size, payload, n);
	return p->header_size + n;
}

static void record(FILE *log, int index, const char *payload)
{
	if (!log)
		return;
	fprintf(log, "{\"index\":%d,\"length\":%zu,\"payload_hex\":\"", index, strlen(payload));
	for (const unsigned char *c = (const unsigned char *)payload; *c; c++)
		fprintf(log, "%02x", *c);
	fputs("\"}\n", log);
}

static int serve(int port)
{
	struct fc_profile p;
	struct sockaddr_in a = loopback(port);
	uint8_t buf[4096];
	int one = 1, ls, fd;
	size_t n;

	fc_profile_default(&p);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		fail("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail("bind");
	if (listen(ls, 4) < 0)
		fail("listen");
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		fail("accept");
	n = frame(&p, "welcome", buf);
	write_all(fd, buf, n);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	close(ls);
	return 0;
}

static int send_script(int port, const char *log_path)
{
	static const char *const sticky[] = { "kinght love ", "aym", "third" };
	static const char split_payload[] = "xin正在学习 split in three";
	static const char hsplit_payload[] = "header split";
	struct fc_profile p;
	struct sockaddr_in a = loopback(port);
	uint8_t buf[4096];
	FILE *log = NULL;
	int one = 1, fd, index = 0;
	size_t n;

	fc_profile_default(&p);
	if (log_path && !(log = fopen(log_path, "w")))
		fail(log_path);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (int tries = 0; connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0; tries++) {
		if (tries == 50)
			fail("connect");
		pause_ms(100);
	}
	pause_ms(50);

	n = frame(&p, "hello", buf);
	write_all(fd, buf, n);
	record(log, index++, "hello");
	pause_ms(50);

	n = 0;
	for (int i = 0; i < 3; i++) {
		n += frame(&p, sticky[i], buf + n);
		record(log, index++, sticky[i]);
	}
	write_all(fd, buf, n); /* one write: the frames share a segment */
	pause_ms(50);

	n = frame(&p, split_payload, buf);
	write_all(fd, buf, 4);
	pause_ms(50);
	write_all(fd, buf + 4, 13); /* cut inside a UTF-8 character */
	pause_ms(50);
	write_all(fd, buf + 17, n - 17);
	record(log, index++, split_payload);
	pause_ms(50);

	n = frame(&p, hsplit_payload, buf);
	write_all(fd, buf, 2);
	pause_ms(50);
	write_all(fd, buf + 2, n - 2);
	record(log, index++, hsplit_payload);
	pause_ms(50);

	/* Read the greeting: closing with unread data would send a RST. */
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	if (log)
		fclose(log);
	return 0;
}

int main(int argc, char **argv)
{
	int port = argc > 2 ? atoi(argv[2]) : 0;

	if (argc >= 3 && !strcmp(argv[1], "serve") && port > 0 && port < 65536)
		return serve(port);
	if (argc >= 3 && !strcmp(argv[1], "send") && port > 0 && port < 65536)
		return send_script(port, argc > 3 ? argv[3] : NULL);
	fprintf(stderr, "usage: fc-talk serve PORT | fc-talk send PORT [SENT.jsonl]\n");
	return 2;
}
