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

/* [first, last] code point ranges of East Asian Width W and F (Unicode
 * 15), merged where adjacent. */
static const uint32_t wide[][2] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
	{ 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 }, { 0x25fd, 0x25fe }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267f, 0x267f }, { 0x2693, 0x2693 }, { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 }, { 0x26ce, 0x26ce },
	{ 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea }, { 0x26f2, 0x26f3 }, { 0x26f5, 0x26f5 },
	{ 0x26fa, 0x26fa }, { 0x26fd, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
	{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x274e, 0x274e }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27b0, 0x27b0 }, { 0x27bf, 0x27bf },
	{ 0x2b1b, 0x2b1c }, { 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 }, { 0x2e80, 0x303e },
	{ 0x3041, 0x33ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0xa4cf }, { 0xa960, 0xa97f },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe4 }, { 0x17000, 0x18cd5 },
	{ 0x1b000, 0x1b2fb }, { 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e },
	{ 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 }, { 0x1f260, 0x1f265 }, { 0x1f300, 0x1f64f },
	{ 0x1f680, 0x1f6ff }, { 0x1f7e0, 0x1f7eb }, { 0x1f90c, 0x1f9ff }, { 0x1fa70, 0x1faff },
	{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

unsigned fc_text_width(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(wide) / sizeof(wide[0]);

	if (cp < 0x300)
		return 1;
	/* Combining marks and the zero-width characters. */
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	    (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	    (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0x200b || cp == 0x200c || cp == 0x200d ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	while (lo < hi) { /* binary search: the ranges are sorted */
		size_t mid = (lo + hi) / 2;
		if (cp < wide[mid][0])
			hi = mid;
		else if (cp > wide[mid][1])
			lo = mid + 1;
		else
			return 2;
	}
	return 1;
}

unsigned fc_text_cols(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	unsigned cols = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k;

		if (p[i] == 0x1b) {
			while (i < n && p[i] != 'm')
				i++;
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			cols++;
			i++;
			continue;
		}
		k = fc_utf8_decode(p + i, n - i, &cp);
		if (k == 0) {
			/* A continuation byte of a character cut before
			 * s takes no column; any other bad byte one. */
			cols += (p[i] & 0xc0) != 0x80;
			i++;
			continue;
		}
		cols += fc_text_width(cp);
		i += k;
	}
	return cols;
}
