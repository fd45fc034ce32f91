/* ref_common.c - profile options, addresses, clocks and previews shared by
 * framecap-server and framecap-client (see ref_common.h).
 */
#include "ref_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Print "PROG: message" on stderr and exit 2 (a usage or profile error). */
static void usage_die(const char *prog, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static void usage_die(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

uint64_t ref_number(const char *prog, const char *what, const char *s,
		    uint64_t lo, uint64_t hi)
{
	uint64_t v;
	const char *err = fc_parse_u64(s, hi, &v);

	if (!err && v < lo)
		err = "integer out of range";
	if (err)
		usage_die(prog, "%s %s: %s", what, s, err);
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
		usage_die(prog, "--%s %s: %s", n->name ? n->name : "?", arg, err);
	}
	return r > 0;
}

void ref_profile_resolve(const char *prog, const struct ref_profile_opts *o,
			 uint16_t port, struct fc_profile *out)
{
	static struct fc_config cfg; /* large: not on the stack */
	struct fc_config_error cerr;
	const struct fc_profile *mapped;
	const char *err;
	char msg[600];

	if (fc_profile_opts_load(o, &cfg, &cerr) != 0) {
		fc_config_error_format(&cerr, msg, sizeof(msg));
		usage_die(prog, "%s", msg);
	}
	if (!o->profile_name && (mapped = fc_config_for_port(&cfg, port))) {
		*out = *mapped;
		if ((err = fc_profile_opts_apply(o, out)))
			usage_die(prog, "profile '%s' with the framing options: %s",
				  out->name, err);
		return;
	}
	if ((err = fc_profile_opts_select(o, &cfg, out))) {
		if (o->profile_name && fc_config_find(&cfg, o->profile_name) < 0 &&
		    strcmp(o->profile_name, "default"))
			usage_die(prog, "--profile %s: %s", o->profile_name, err);
		usage_die(prog, "profile '%s' with the framing options: %s", out->name, err);
	}
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
			return "expected [IPV6]:PORT";
		if ((size_t)(close - s - 1) >= sizeof(host))
			return "address too long";
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port_s = close + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if (strchr(s, ':') != colon)
			return "an IPv6 address goes in brackets: [::1]:8001";
		if ((size_t)(colon - s) >= sizeof(host))
			return "address too long";
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
		return "the port must be a number from 1 to 65535";
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port_s, &hints, &res) != 0 || !res)
		return "unknown address";
	if (res->ai_addrlen > sizeof(out->ss)) {
		freeaddrinfo(res);
		return "unsupported address";
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

/* Length of the valid UTF-8 sequence starting at p (n bytes available),
 * or 0 when it is not one (overlong forms and surrogates refused). */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint32_t c;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

void ref_preview(const uint8_t *p, size_t n, size_t max, char *buf)
{
	size_t i = 0, shown = 0, o = 0;

	while (i < n && shown < max) {
		size_t k = utf8_len(p + i, n - i);
		if (k == 1 && p[i] >= 0x20 && p[i] < 0x7f) {
			if (p[i] == '"' || p[i] == '\\')
				buf[o++] = '\\';
			buf[o++] = (char)p[i];
		} else if (k > 1) {
			memcpy(buf + o, p + i, k);
			o += k;
		} else if (p[i] == '\n') {
			memcpy(buf + o, "\\n", 2);
			o += 2;
			k = 1;
		} else {
			o += (size_t)sprintf(buf + o, "\\x%02x", p[i]);
			k = 1;
		}
		i += k;
		shown++;
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
	putc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\u%04x", *c);
		else
			putc(*c, f);
	}
	putc('"', f);
}
