/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_bytes.h - bounds-checked reads of untrusted bytes.
 *
 * Every read of packet headers (fc_packet.c: link, IP, TCP) goes through a
 * cursor. A read past the end returns 0 and latches `bad`; callers test
 * `bad` once after a group of reads instead of checking lengths before
 * each one. Stream bytes are read by functions that are handed their
 * count and check it before reading (fc_profile_frame_len, fc_chain).
 *
 *   base                      pos                         len
 *   |-------- consumed --------|------ readable -----------|
 */
#ifndef FC_BYTES_H
#define FC_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fc_cursor {
	const uint8_t *base;
	size_t len;
	size_t pos;
	bool bad;
};

static inline struct fc_cursor fc_cursor_make(const uint8_t *p, size_t len)
{
	struct fc_cursor c = { p, len, 0, false };
	return c;
}

static inline size_t fc_cursor_left(const struct fc_cursor *c)
{
	return c->bad ? 0 : c->len - c->pos;
}

static inline const uint8_t *fc_cursor_ptr(const struct fc_cursor *c)
{
	return c->base + c->pos;
}

/* Advance by n bytes; false (and latched bad) if fewer remain. */
static inline bool fc_skip(struct fc_cursor *c, size_t n)
{
	if (c->bad || n > c->len - c->pos) {
		c->bad = true;
		return false;
	}
	c->pos += n;
	return true;
}

/* Borrow n bytes at the cursor and advance; NULL if fewer remain. */
static inline const uint8_t *fc_take(struct fc_cursor *c, size_t n)
{
	const uint8_t *p = c->base + c->pos;
	return fc_skip(c, n) ? p : NULL;
}

static inline uint8_t fc_u8(struct fc_cursor *c)
{
	const uint8_t *p = fc_take(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t fc_be16(struct fc_cursor *c)
{
	const uint8_t *p = fc_take(c, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint16_t fc_le16(struct fc_cursor *c)
{
	const uint8_t *p = fc_take(c, 2);
	return p ? (uint16_t)(p[1] << 8 | p[0]) : 0;
}

static inline uint32_t fc_be32(struct fc_cursor *c)
{
	const uint8_t *p = fc_take(c, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			   (uint32_t)p[2] << 8 | p[3]
		 : 0;
}

static inline uint32_t fc_le32(struct fc_cursor *c)
{
	const uint8_t *p = fc_take(c, 4);
	return p ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
			   (uint32_t)p[1] << 8 | p[0]
		 : 0;
}

#endif
