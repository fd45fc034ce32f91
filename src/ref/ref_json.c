/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_json.c - strict reader of flat JSON objects with string values
 * (RFC 8259 grammar, restricted; see ref_json.h).
 *
 *   object = ws "{" ws [ member *( ws "," ws member ) ] ws "}" ws
 *   member = string ws ":" ws string
 */
#include "ref_json.h"
#include "fc_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const unsigned char *p, *end;
};

/* Skip JSON whitespace (space, tab, CR, LF). */
static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' ||
				 *c->p == '\n'))
		c->p++;
}

/* White space, the byte ch, white space: true with the cursor after them
 * all, false (the cursor at the byte that is not ch) when ch is not next. */
static bool take_byte(struct cursor *c, unsigned char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	skip_ws(c);
	return true;
}

/* Four hex digits at c->p into *v; false if they are not there. */
static bool hex4(struct cursor *c, uint32_t *v)
{
	*v = 0;
	if (c->end - c->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned char h = c->p[i];
		uint32_t d;
		if (h >= '0' && h <= '9')
			d = h - '0';
		else if (h >= 'a' && h <= 'f')
			d = h - 'a' + 10u;
		else if (h >= 'A' && h <= 'F')
			d = h - 'A' + 10u;
		else
			return false;
		*v = *v << 4 | d;
	}
	c->p += 4;
	return true;
}

/* Append code point cp as UTF-8 to out (cap bytes, NUL kept room for);
 * false if it does not fit. */
static bool put_utf8(char *out, size_t cap, size_t *o, uint32_t cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
	}
	if (*o + n >= cap)
		return false;
	memcpy(out + *o, b, n);
	*o += n;
	return true;
}

/* Read a JSON string at c->p (which must be '"') into out (cap bytes,
 * NUL-terminated). Returns NULL or the reason it was refused. */
static const char *read_string(struct cursor *c, char *out, size_t cap)
{
	size_t o = 0;

	if (c->p >= c->end || *c->p != '"')
		return "expected a string";
	c->p++;
	for (;;) {
		if (c->p >= c->end)
			return "unterminated string";
		unsigned char ch = *c->p;
		if (ch == '"') {
			c->p++;
			out[o] = '\0';
			return NULL;
		}
		if (ch < 0x20)
			return "control character in a string";
		if (ch == '\\') {
			uint32_t cp;
			if (c->end - c->p < 2)
				return "unterminated string";
			ch = c->p[1];
			c->p += 2;
			switch (ch) {
			case '"': cp = '"'; break;
			case '\\': cp = '\\'; break;
			case '/': cp = '/'; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (!hex4(c, &cp))
					return "bad \\u escape";
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return "lone low surrogate";
				if (cp >= 0xd800 && cp <= 0xdbff) {
					uint32_t lo;
					if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
						return "lone high surrogate";
					c->p += 2;
					if (!hex4(c, &lo) || lo < 0xdc00 || lo > 0xdfff)
						return "lone high surrogate";
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (cp == 0)
					return "NUL character in a string";
				break;
			default:
				return "bad escape in a string";
			}
			if (!put_utf8(out, cap, &o, cp))
				return "string too long";
			continue;
		}
		if (ch < 0x80) {
			if (o + 1 >= cap)
				return "string too long";
			out[o++] = (char)ch;
			c->p++;
			continue;
		}
		uint32_t cp;
		size_t n = fc_utf8_decode(c->p, (size_t)(c->end - c->p), &cp);
		if (!n) /* fc_text.h's strict rule */
			return "invalid UTF-8";
		if (o + n >= cap)
			return "string too long";
		memcpy(out + o, c->p, n);
		o += n;
		c->p += n;
	}
}

const char *ref_json_parse(const char *text, size_t len, struct ref_json_object *out)
{
	struct cursor c = { (const unsigned char *)text, (const unsigned char *)text + len };
	const char *err;

	out->n = 0;
	if (len > REF_JSON_MAX_TEXT)
		return "JSON text too long";
	if (!take_byte(&c, '{'))
		return "expected a JSON object";
	if (c.p < c.end && *c.p == '}') {
		c.p++;
	} else {
		for (;;) {
			struct ref_json_field *f;
			if (out->n == REF_JSON_MAX_FIELDS)
				return "too many members";
			f = &out->f[out->n];
			skip_ws(&c);
			if ((err = read_string(&c, f->key, sizeof(f->key))))
				return strcmp(err, "string too long") ? err : "key too long";
			for (int i = 0; i < out->n; i++)
				if (!strcmp(out->f[i].key, f->key))
					return "duplicate key";
			if (!take_byte(&c, ':'))
				return "expected ':'";
			if (c.p < c.end && *c.p != '"')
				return "values must be strings";
			if ((err = read_string(&c, f->value, sizeof(f->value))))
				return strcmp(err, "string too long") ? err : "value too long";
			out->n++;
			skip_ws(&c);
			if (c.p < c.end && *c.p == ',') {
				c.p++;
				continue;
			}
			if (c.p < c.end && *c.p == '}') {
				c.p++;
				break;
			}
			return "expected ',' or '}'";
		}
	}
	skip_ws(&c);
	if (c.p != c.end)
		return "bytes after the object";
	return NULL;
}

const char *ref_json_get(const struct ref_json_object *o, const char *key)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->f[i].key, key))
			return o->f[i].value;
	return NULL;
}
