/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_common.c - profile options, addresses, clocks and previews shared by
 * framecap-server and framecap-client (see ref_common.h).
 */
#include "ref_common.h"
#include "fc_text.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "prog: " and fmt in the chosen language (i18n.h): the reference
 * programs' messages all pass here, where xgettext finds them. */
static void say(const char *prog, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void say(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fc_tr(fmt), ap);
	fputc('\n', stderr);
}

void ref_die(const char *prog, int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	say(prog, fmt, ap);
	va_end(ap);
	exit(status);
}

void ref_warn(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prog, fmt, ap);
	va_end(ap);
}

/* A usage or profile error: status 2. */
#define usage_die(prog, ...) ref_die(prog, 2, __VA_ARGS__)

uint64_t ref_number(const char *prog, const char *what, const char *s,
		    uint64_t lo, uint64_t hi)
{
	uint64_t v;
	const char *err = fc_parse_u64(s, hi, &v);

	if (!err && v < lo)
		err = "integer out of range";
	if (err)
		usage_die(prog, "%s %s: %s", what, s, fc_tr(err));
	return v;
}

bool ref_profile_option(const char *prog, int opt, const char *arg,
			struct ref_profile_opts *o)
{
	static const struct option names[] = { FC_PROFILE_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *err;
	int r = fc_profile_opts_take(o, opt, arg, &err);

	if (r < 0) {
		const struct option *n = names;
		while (n->name && n->val != opt)
			n++;
		usage_die(prog, "--%s %s: %s", n->name ? n->name : "?", arg, fc_tr(err));
	}
	return r > 0;
}

void ref_profile_resolve(const char *prog, const struct ref_profile_opts *o,
			 uint16_t port, struct fc_profile *out)
{
	static struct fc_config cfg; /* large: not on the stack */
	static struct fc_config_search search;
	struct fc_config_error cerr;
	struct fc_profile fallback;
	bool forced;
	char msg[600];

	if (fc_profile_opts_search(o, &cfg, &cerr, &search) != 0) {
		fc_config_error_format(&cerr, msg, sizeof(msg));
		usage_die(prog, "%s", msg);
	}
	for (int i = 0; i < search.nskipped; i++)
		ref_warn(prog, "ignoring %s: %s", search.skipped[i].path,
			 fc_tr(search.skipped[i].reason));
	if (fc_profile_opts_choose(o, &cfg, &fallback, &forced, msg, sizeof(msg)) != 0)
		usage_die(prog, "%s", msg);
	/* The port is the server's: a client's port is not known here. */
	*out = *fc_profile_pick(&cfg, forced ? &fallback : NULL, &fallback, port, 0);
}

const char *ref_frame_error(enum fc_frame_status st)
{
	switch (st) {
	case FC_FRAME_OVERSIZE: return "length above max_frame";
	case FC_FRAME_NEGATIVE: return "negative length, or a frame shorter than its header";
	case FC_FRAME_VARINT_OVERLONG: return "varint longer than varint_max_bytes";
	case FC_FRAME_BER_LENGTH: return "indefinite or too long BER length";
	case FC_FRAME_NO_DELIMITER: return "no delimiter within max_frame";
	case FC_FRAME_OK:
	case FC_FRAME_NEED_MORE:
	case FC_FRAME_STEP_SKIPPED:
		break;
	}
	return "framing error";
}

void ref_profile_describe(const struct fc_profile *p, char *buf, size_t len)
{
	size_t n;

	fc_profile_describe(p, buf, len);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == ')') /* the reference programs add the limit */
		snprintf(buf + n - 1, len - (n - 1), ", max %" PRIu64 ")", p->max_frame);
}

const char *ref_parse_addr(const char *s, struct ref_addr *out)
{
	char host[256];
	const char *colon, *port_s;
	struct addrinfo hints, *res = NULL;
	uint64_t port;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return N_("expected [IPV6]:PORT");
		if ((size_t)(close - s - 1) >= sizeof(host))
			return N_("address too long");
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port_s = close + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if (strchr(s, ':') != colon)
			return N_("an IPv6 address goes in brackets: [::1]:8001");
		if ((size_t)(colon - s) >= sizeof(host))
			return N_("address too long");
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port_s = colon + 1;
	} else {
		host[0] = '\0';
		port_s = s;
	}
	if (!host[0])
		strcpy(host, "127.0.0.1");
	if (fc_parse_u64(port_s, 65535, &port) || port == 0)
		return N_("the port must be a number from 1 to 65535");
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port_s, &hints, &res) != 0 || !res)
		return N_("unknown address");
	if (res->ai_addrlen > sizeof(out->ss)) {
		freeaddrinfo(res);
		return N_("unsupported address");
	}
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	out->port = (uint16_t)port;
	freeaddrinfo(res);
	return NULL;
}

void ref_format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a->sin_port));
	} else {
		snprintf(buf, len, "?");
	}
}

int64_t ref_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ref_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

void ref_preview(const uint8_t *p, size_t n, size_t max, char *buf)
{
	size_t i = 0, shown = 0, o = 0;

	while (i < n && shown < max) {
		uint32_t cp;
		size_t k = fc_utf8_decode(p + i, n - i, &cp);

		if (k == 0) { /* not UTF-8: the byte's value */
			o += (size_t)sprintf(buf + o, "\\x%02x", p[i]);
			i++;
			shown++;
		} else if (cp == '"' || cp == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)cp;
			i++;
			shown++;
		} else if (!fc_text_shows(cp)) { /* a terminal would act on it */
			char esc[FC_TEXT_ESCAPE_MAX];
			size_t e = (size_t)(fc_text_escape(esc, cp) - esc);

			if (shown + e > max && shown > 0)
				break;
			memcpy(buf + o, esc, e);
			o += e;
			i += k;
			shown += e;
		} else {
			memcpy(buf + o, p + i, k);
			o += k;
			i += k;
			shown++;
		}
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

void ref_write_hex(FILE *f, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		putc(digits[p[i] >> 4], f);
		putc(digits[p[i] & 15], f);
	}
}

void ref_write_json_string(FILE *f, const char *s)
{
	size_t n = strlen(s);
	char small[256], *buf = 6 * n + 1 <= sizeof(small) ? small : malloc(6 * n + 1);

	putc('"', f);
	if (buf) {
		char *end = fc_json_escape(buf, s, n);
		fwrite(buf, 1, (size_t)(end - buf), f);
		if (buf != small)
			free(buf);
	}
	putc('"', f);
}
