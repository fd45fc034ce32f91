/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_text.c - strict UTF-8, what a terminal shows, and escapes (see the
 * header for the rule and why). */
#include "fc_text.h"

static const char hex_digits[] = "0123456789abcdef";

size_t fc_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
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
	/* Overlong forms (a shorter encoding exists), surrogates, and past
	 * the last code point. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool fc_text_shows(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) /* C0, DEL, C1 */
		return false;
	if (cp == 0xad || cp == 0x61c || cp == 0x180e) /* soft hyphen, ALM, MVS */
		return false;
	if (cp >= 0x200b && cp <= 0x200f) /* zero-width, LRM, RLM */
		return false;
	if (cp >= 0x2028 && cp <= 0x202e) /* separators, bidi embeddings */
		return false;
	if (cp >= 0x2060 && cp <= 0x206f) /* word joiner, bidi isolates */
		return false;
	if (cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb)) /* BOM, annotations */
		return false;
	if (cp >= 0xe0000 && cp <= 0xe007f) /* tags */
		return false;
	return true;
}

bool fc_text_is_text(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k;

		if (p[i] >= 0x20 && p[i] < 0x7f) { /* the usual case */
			i++;
			continue;
		}
		k = fc_utf8_decode(p + i, n - i, &cp);
		if (k == 0) /* a character cut by the end still reads as text */
			return n - i < 4 && p[i] >= 0xc2 && p[i] <= 0xf4;
		if (cp != '\t' && cp != '\r' && cp != '\n' &&
		    (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)))
			return false;
		i += k;
	}
	return true;
}

char *fc_text_escape(char *out, uint32_t cp)
{
	switch (cp) {
	case '\n': *out++ = '\\'; *out++ = 'n'; return out;
	case '\r': *out++ = '\\'; *out++ = 'r'; return out;
	case '\t': *out++ = '\\'; *out++ = 't'; return out;
	}
	*out++ = '\\';
	if (cp > 0xffff) {
		*out++ = 'U';
		for (int shift = 28; shift >= 0; shift -= 4)
			*out++ = hex_digits[(cp >> shift) & 15];
		return out;
	}
	*out++ = 'u';
	for (int shift = 12; shift >= 0; shift -= 4)
		*out++ = hex_digits[(cp >> shift) & 15];
	return out;
}

/* "\u00XX" for one byte or a code point below 0x10000. */
static char *json_u(char *out, uint32_t v)
{
	*out++ = '\\';
	*out++ = 'u';
	for (int shift = 12; shift >= 0; shift -= 4)
		*out++ = hex_digits[(v >> shift) & 15];
	return out;
}

char *fc_json_escape(char *out, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k;

		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
			*out++ = (char)p[i++];
			continue;
		}
		switch (p[i]) {
		case '"': *out++ = '\\'; *out++ = '"'; i++; continue;
		case '\\': *out++ = '\\'; *out++ = '\\'; i++; continue;
		case '\n': *out++ = '\\'; *out++ = 'n'; i++; continue;
		case '\r': *out++ = '\\'; *out++ = 'r'; i++; continue;
		case '\t': *out++ = '\\'; *out++ = 't'; i++; continue;
		}
		k = fc_utf8_decode(p + i, n - i, &cp);
		if (k == 0) { /* not UTF-8: the byte's value, so nothing is lost */
			out = json_u(out, p[i++]);
			continue;
		}
		if (!fc_text_shows(cp)) {
			if (cp > 0xffff) { /* a surrogate pair, as JSON spells it */
				cp -= 0x10000;
				out = json_u(out, 0xd800 + (cp >> 10));
				out = json_u(out, 0xdc00 + (cp & 0x3ff));
			} else {
				out = json_u(out, cp);
			}
		} else {
			for (size_t b = 0; b < k; b++)
				*out++ = (char)p[i + b];
		}
		i += k;
	}
	return out;
}
