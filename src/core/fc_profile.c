/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile.c - the frame rule of a profile: where a frame ends.
 *
 *   length:    [ length_offset bytes ][ length field ][ ... ][ payload ]
 *              |<------------- header_size ------------->|
 *              payload_len = length_offset + length_size + length
 *                            + length_adjustment - header_size
 *   varint:    [ length_offset bytes ][1xxxxxxx 0xxxxxxx][ payload ]
 *   ber:       [tag][0lllllll | 1000nnnn n bytes][ payload ]
 *   delimiter: [ payload ][delimiter]
 *   fixed:     [ frame_size bytes ]
 */
#include "fc_profile.h"

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void fc_profile_default(struct fc_profile *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "default");
	p->length_offset = 0;
	p->length_size = 4;
	p->byte_order = FC_LITTLE_ENDIAN;
	p->is_signed = true;
	p->length_adjustment = 0;
	p->header_size = 4;
	p->max_frame = 16u << 20;
	p->varint_max_bytes = FC_VARINT_DEFAULT_BYTES;
}

static const char *const framing_names[] = {
	[FC_FRAMING_LENGTH] = "length",
	[FC_FRAMING_VARINT] = "varint",
	[FC_FRAMING_BER] = "ber",
	[FC_FRAMING_DELIMITER] = "delimiter",
	[FC_FRAMING_FIXED] = "fixed",
};

const char *fc_framing_name(enum fc_framing f)
{
	return (unsigned)f < sizeof(framing_names) / sizeof(*framing_names) ? framing_names[f]
									    : "?";
}

const char *fc_parse_framing(const char *s, enum fc_framing *out)
{
	for (unsigned i = 0; i < sizeof(framing_names) / sizeof(*framing_names); i++) {
		if (!strcasecmp(s, framing_names[i])) {
			*out = (enum fc_framing)i;
			return NULL;
		}
	}
	return "framing must be length, varint, ber, delimiter or fixed";
}

const char *fc_profile_set_delimiter(struct fc_profile *p, const uint8_t *d, size_t n)
{
	if (n < 1 || n > FC_DELIMITER_MAX)
		return "delimiter must be 1 to 16 bytes";
	memcpy(p->delimiter, d, n);
	p->delimiter_len = (uint32_t)n;
	/* The classic prefix function: fallback[k] is the length of the
	 * longest proper prefix of delimiter[0..k] that is also its suffix. */
	p->delimiter_fallback[0] = 0;
	for (size_t k = 1, m = 0; k < n; k++) {
		while (m > 0 && d[k] != d[m])
			m = p->delimiter_fallback[m - 1];
		if (d[k] == d[m])
			m++;
		p->delimiter_fallback[k] = (uint8_t)m;
	}
	return NULL;
}

uint32_t fc_profile_header_max(const struct fc_profile *p)
{
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		return p->length_offset + p->varint_max_bytes;
	case FC_FRAMING_BER:
		return FC_BER_HEADER_MAX;
	case FC_FRAMING_FIXED:
	case FC_FRAMING_DELIMITER:
		return 0;
	default:
		return fc_profile_length_end(p);
	}
}

/* The rules of the framings other than length; NULL when they hold. */
static const char *check_other(const struct fc_profile *p, enum fc_profile_field *who)
{
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		if (p->varint_max_bytes < 1 || p->varint_max_bytes > FC_VARINT_MAX_BYTES)
			return *who = FC_PF_VARINT_MAX_BYTES, "varint_max_bytes must be 1 to 10";
		if (p->length_offset > FC_MAX_LENGTH_FIELD_END - p->varint_max_bytes)
			return *who = FC_PF_LENGTH_OFFSET,
			       "the varint must end within the first 64 bytes "
			       "(length_offset + varint_max_bytes <= 64)";
		break;
	case FC_FRAMING_DELIMITER:
		if (p->delimiter_len < 1 || p->delimiter_len > FC_DELIMITER_MAX)
			return *who = FC_PF_DELIMITER,
			       "framing delimiter needs a delimiter of 1 to 16 bytes";
		if (p->max_frame < 1)
			return *who = FC_PF_MAX_FRAME, "max_frame must be at least 1";
		break;
	case FC_FRAMING_FIXED:
		if (p->frame_size < 1 || p->frame_size > p->max_frame)
			return *who = FC_PF_FRAME_SIZE,
			       "framing fixed needs a frame_size from 1 to max_frame";
		break;
	case FC_FRAMING_BER:
	case FC_FRAMING_LENGTH:
		break;
	default:
		return *who = FC_PF_FRAMING,
		       "framing must be length, varint, ber, delimiter or fixed";
	}
	return NULL;
}

/* A prelude's steps: literal choices, or a prefix framing of their own. */
static const char *check_prelude(const struct fc_prelude *pre)
{
	for (int dir = 0; dir < 2; dir++) {
		if (pre->nsteps[dir] > FC_PRELUDE_STEPS)
			return "a prelude has at most 4 steps per direction";
		for (uint32_t i = 0; i < pre->nsteps[dir]; i++) {
			const struct fc_prelude_step *st = &pre->steps[dir][i];

			if (st->kind == FC_PRELUDE_BYTES_ONE_OF) {
				if (st->nchoices < 1 || st->nchoices > FC_PRELUDE_CHOICES)
					return "bytes_one_of takes 1 to 8 strings";
				for (uint32_t c = 0; c < st->nchoices; c++)
					if (st->choice_len[c] < 1 ||
					    st->choice_len[c] > FC_PRELUDE_BYTES_MAX)
						return "a bytes_one_of string has 1 to 64 bytes";
			} else if (st->kind == FC_PRELUDE_PROFILE) {
				if (st->max_frames < 1)
					return "a prelude profile step needs max_frames of at least 1";
				if (st->profile.prelude)
					return "a prelude's profile cannot have a prelude of its own";
				if (!fc_profile_is_prefix(&st->profile))
					return "a prelude's profile must be a length, varint, "
					       "ber or fixed framing";
				if (fc_profile_check(&st->profile))
					return "a prelude's profile is not valid";
			} else {
				return "unknown prelude step";
			}
		}
	}
	return NULL;
}

const char *fc_profile_check_field(const struct fc_profile *p,
				   enum fc_profile_field *blame)
{
	enum fc_profile_field who = FC_PF_NONE;
	const char *why = NULL;

	bool length = p->framing == FC_FRAMING_LENGTH;

	/* The length field's rules bind the length framing only. */
	if (length && (p->length_size < 1 || p->length_size > 8))
		who = FC_PF_LENGTH_SIZE, why = "length_size must be 1 to 8";
	else if (length && p->length_offset > FC_MAX_LENGTH_FIELD_END - p->length_size)
		why = "length field must end within the first 64 bytes "
		      "(length_offset + length_size <= 64)";
	else if (length && p->header_size > FC_MAX_HEADER_SIZE)
		who = FC_PF_HEADER_SIZE, why = "header_size must be at most 65535";
	else if (length && p->header_size < fc_profile_length_end(p))
		why = "header_size is shorter than length_offset + length_size";
	else if (length && p->length_size < 8 && p->length_mask >> (p->length_size * 8))
		who = FC_PF_LENGTH_MASK, why = "length_mask has bits outside the length field";
	else if (p->length_adjustment > FC_MAX_ADJUSTMENT ||
		 p->length_adjustment < -FC_MAX_ADJUSTMENT)
		who = FC_PF_LENGTH_ADJUSTMENT, why = "length_adjustment must be within +/-2^31";
	else if (p->max_frame > FC_MAX_MAX_FRAME)
		who = FC_PF_MAX_FRAME, why = "max_frame must be at most 2^48";
	else if (p->byte_order != FC_LITTLE_ENDIAN && p->byte_order != FC_BIG_ENDIAN)
		who = FC_PF_BYTE_ORDER, why = "byte_order must be little or big";
	else if ((why = check_other(p, &who)) != NULL)
		;
	else if (p->prelude && (why = check_prelude(p->prelude)) != NULL)
		who = FC_PF_PRELUDE;
	if (blame)
		*blame = who;
	return why;
}

const char *fc_profile_check(const struct fc_profile *p)
{
	return fc_profile_check_field(p, NULL);
}

/* The unsigned value of the `size`-byte field at f. The common widths
 * are one load each: this runs once per frame. */
static uint64_t read_field(const uint8_t *f, uint32_t size, bool big)
{
	uint64_t raw = 0;

	switch (size) {
	case 1:
		return f[0];
	case 2: {
		uint16_t v;
		memcpy(&v, f, 2);
		return big ? be16toh(v) : le16toh(v);
	}
	case 4: {
		uint32_t v;
		memcpy(&v, f, 4);
		return big ? be32toh(v) : le32toh(v);
	}
	case 8: {
		uint64_t v;
		memcpy(&v, f, 8);
		return big ? be64toh(v) : le64toh(v);
	}
	}
	for (uint32_t i = 0; i < size; i++)
		raw = raw << 8 | f[big ? i : size - 1 - i];
	return raw;
}

/* framing: length. */
static enum fc_frame_status length_frame_len(const struct fc_profile *p,
					     const uint8_t *data, size_t avail,
					     struct fc_frame_len *out)
{
	uint64_t raw;
	int64_t length;

	assert(p->length_size - 1u < 8 &&
	       fc_profile_length_end(p) <= FC_MAX_LENGTH_FIELD_END);
	out->trailer_len = 0;
	out->flags = 0;
	if (avail < fc_profile_length_end(p)) {
		out->need = fc_profile_length_end(p);
		return FC_FRAME_NEED_MORE;
	}
	raw = read_field(data + p->length_offset, p->length_size,
			 p->byte_order == FC_BIG_ENDIAN);
	if (p->length_mask) {
		out->flags = raw & ~p->length_mask;
		raw &= p->length_mask;
	}
	if (p->is_signed && p->length_size < 8 &&
	    (raw >> (p->length_size * 8 - 1)) & 1)
		raw |= ~0ULL << (p->length_size * 8); /* sign-extend */

	out->header_len = p->header_size;
	out->payload_len = 0;
	out->frame_len = 0;
	if (p->is_signed) {
		length = (int64_t)raw;
		out->length = length;
		if (length < 0)
			return FC_FRAME_NEGATIVE;
	} else {
		out->length = raw > INT64_MAX ? INT64_MAX : (int64_t)raw;
		if (raw > p->max_frame)
			return FC_FRAME_OVERSIZE;
		length = (int64_t)raw;
	}
	if ((uint64_t)length > p->max_frame)
		return FC_FRAME_OVERSIZE;

	/* length <= 2^48, |adjustment| <= 2^31, header <= 2^16: no overflow. */
	int64_t payload = (int64_t)fc_profile_length_end(p) + length +
			  p->length_adjustment - (int64_t)p->header_size;
	if (payload < 0)
		return FC_FRAME_NEGATIVE;
	out->payload_len = (uint64_t)payload;
	out->frame_len = out->header_len + out->payload_len;
	return FC_FRAME_OK;
}

void fc_len_reader_init(struct fc_len_reader *r, const struct fc_profile *p)
{
	static const uint8_t kinds[9][2] = {
		[1] = { FC_LK_U8, FC_LK_U8 },
		[2] = { FC_LK_LE16, FC_LK_BE16 },
		[4] = { FC_LK_LE32, FC_LK_BE32 },
		[8] = { FC_LK_LE64, FC_LK_BE64 },
	};
	bool big = p->byte_order == FC_BIG_ENDIAN;

	if (p->framing == FC_FRAMING_FIXED) {
		*r = (struct fc_len_reader){ .kind = FC_LK_FIXED, .max_frame = p->frame_size };
		return;
	}
	assert(p->length_size - 1u < 8);
	r->offset = p->length_offset;
	r->size = p->length_size;
	r->end = fc_profile_length_end(p);
	r->header = p->header_size;
	r->big = big;
	/* Widths 3, 5, 6, 7 have no entry: their zero is FC_LK_U8. */
	r->kind = kinds[p->length_size][big];
	if (r->kind == FC_LK_U8 && p->length_size != 1)
		r->kind = FC_LK_OTHER;
	r->mask = p->length_mask;
	r->neg_bit = p->is_signed ? 1ULL << (p->length_size * 8 - 1) : 0;
	r->max_frame = p->max_frame;
	r->delta = (int64_t)r->end + p->length_adjustment - (int64_t)p->header_size;
}

/* A value read from a varint or BER header: max_frame, then the
 * adjustment (which may make it negative). */
static enum fc_frame_status value_frame_len(const struct fc_profile *p, uint64_t value,
					    uint64_t header_len, struct fc_frame_len *out)
{
	int64_t payload;

	out->length = value > INT64_MAX ? INT64_MAX : (int64_t)value;
	out->header_len = header_len;
	if (value > p->max_frame)
		return FC_FRAME_OVERSIZE;
	payload = (int64_t)value + p->length_adjustment;
	if (payload < 0)
		return FC_FRAME_NEGATIVE;
	out->payload_len = (uint64_t)payload;
	out->frame_len = header_len + out->payload_len;
	return FC_FRAME_OK;
}

/* framing: varint. */
static enum fc_frame_status varint_frame_len(const struct fc_profile *p,
					     const uint8_t *data, size_t avail,
					     struct fc_frame_len *out)
{
	uint64_t value = 0;

	assert(p->varint_max_bytes - 1u < FC_VARINT_MAX_BYTES);
	for (uint32_t i = 0; i < p->varint_max_bytes; i++) {
		uint64_t at = (uint64_t)p->length_offset + i;
		uint8_t b;

		if (at >= avail) {
			out->length = value > INT64_MAX ? INT64_MAX : (int64_t)value;
			out->need = at + 1;
			return FC_FRAME_NEED_MORE;
		}
		b = data[at];
		/* The tenth group holds bit 63 only: more would not fit. */
		if (i == 9 && b > 1)
			break;
		if (p->misread != FC_READ_VARINT_HIGH_FIRST)
			value |= (uint64_t)(b & 0x7f) << (7 * i);
		else if (value >> 57) /* one more group would not fit */
			break;
		else
			value = value << 7 | (b & 0x7f);
		if (!(b & 0x80))
			return value_frame_len(p, value, at + 1, out);
	}
	out->length = value > INT64_MAX ? INT64_MAX : (int64_t)value;
	out->header_len = p->length_offset + p->varint_max_bytes;
	return FC_FRAME_VARINT_OVERLONG;
}

/* framing: ber. A tag of the high-tag-number form (low bits 11111) is not
 * taken apart: the tag byte counts as one byte, as the top-level
 * protocols that use this framing (LDAP, SNMP) never use it. */
static enum fc_frame_status ber_frame_len(const struct fc_profile *p, const uint8_t *data,
					  size_t avail, struct fc_frame_len *out)
{
	uint64_t value = 0;
	uint32_t n;

	if (avail < 2) {
		out->need = 2;
		return FC_FRAME_NEED_MORE;
	}
	if (!(data[1] & 0x80) || p->misread == FC_READ_BER_ONE_BYTE)
		return value_frame_len(p, data[1], 2, out);
	n = data[1] & 0x7f;
	if (n == 0 || n > 8) { /* indefinite (0x80), reserved (0xff), or huge */
		out->length = data[1];
		out->header_len = 2;
		return FC_FRAME_BER_LENGTH;
	}
	if (avail < 2 + n) {
		out->need = 2 + n;
		return FC_FRAME_NEED_MORE;
	}
	for (uint32_t i = 0; i < n; i++)
		value = value << 8 | data[2 + i];
	return value_frame_len(p, value, 2 + n, out);
}

/* framing: delimiter, all the bytes at hand searched. */
static enum fc_frame_status delim_frame_len(const struct fc_profile *p, const uint8_t *data,
					    size_t avail, struct fc_frame_len *out)
{
	struct fc_delim_scan sc = { 0 };
	size_t end = fc_delim_scan(p, &sc, data, avail);

	out->header_len = 0;
	out->trailer_len = p->delimiter_len;
	if (end <= avail) {
		out->payload_len = end - p->delimiter_len;
		out->length = (int64_t)out->payload_len;
		out->frame_len = end;
		if (out->payload_len <= p->max_frame)
			return FC_FRAME_OK;
		return FC_FRAME_NO_DELIMITER;
	}
	/* Bytes that may still begin the delimiter do not count yet. */
	out->length = (int64_t)(avail - sc.matched);
	if (avail - sc.matched > p->max_frame)
		return FC_FRAME_NO_DELIMITER;
	out->need = avail + 1;
	return FC_FRAME_NEED_MORE;
}

enum fc_frame_status fc_profile_frame_len(const struct fc_profile *p,
					  const uint8_t *data, size_t avail,
					  struct fc_frame_len *out)
{
	if (p->framing == FC_FRAMING_LENGTH)
		return length_frame_len(p, data, avail, out);
	out->flags = 0;
	out->trailer_len = 0;
	out->payload_len = 0;
	out->frame_len = 0;
	out->length = 0;
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		return varint_frame_len(p, data, avail, out);
	case FC_FRAMING_BER:
		return ber_frame_len(p, data, avail, out);
	case FC_FRAMING_DELIMITER:
		return delim_frame_len(p, data, avail, out);
	default: /* fixed */
		out->header_len = 0;
		out->length = (int64_t)p->frame_size;
		out->payload_len = p->frame_size;
		out->frame_len = p->frame_size;
		return FC_FRAME_OK;
	}
}

enum fc_frame_status fc_prelude_frame_len(const struct fc_prelude_step *st,
					  const uint8_t *data, size_t avail,
					  struct fc_frame_len *out)
{
	if (st->kind == FC_PRELUDE_PROFILE) {
		enum fc_frame_status r = fc_profile_frame_len(&st->profile, data, avail, out);

		return r == FC_FRAME_OK || r == FC_FRAME_NEED_MORE ? r : FC_FRAME_STEP_SKIPPED;
	}
	/* The first choice, in the order given, that the direction starts
	 * with; an earlier choice the bytes only begin is waited for, so the
	 * answer does not depend on where the packets were cut. */
	for (uint32_t c = 0; c < st->nchoices && c < FC_PRELUDE_CHOICES; c++) {
		size_t len = st->choice_len[c];

		if (memcmp(st->choice[c], data, avail < len ? avail : len))
			continue;
		if (avail < len) {
			out->need = avail + 1;
			return FC_FRAME_NEED_MORE;
		}
		*out = (struct fc_frame_len){ .length = (int64_t)len, .payload_len = len,
					      .frame_len = len };
		return FC_FRAME_OK;
	}
	return FC_FRAME_STEP_SKIPPED;
}

size_t fc_delim_scan(const struct fc_profile *p, struct fc_delim_scan *s,
		     const uint8_t *data, size_t n)
{
	const uint8_t *d = p->delimiter;
	uint32_t m = s->matched, dlen = p->delimiter_len;
	size_t i = 0;

	assert(dlen - 1u < FC_DELIMITER_MAX);
	while (i < n) {
		if (m == 0) {
			/* Most bytes are not the delimiter's first: skip to it. */
			const uint8_t *hit = memchr(data + i, d[0], n - i);

			if (!hit)
				break;
			i = (size_t)(hit - data) + 1;
			m = 1;
		} else if (data[i] == d[m]) {
			i++;
			m++;
		} else {
			m = p->delimiter_fallback[m - 1];
			continue;
		}
		if (m == dlen) {
			s->matched = 0;
			return i;
		}
	}
	s->matched = m;
	return n + 1;
}

int64_t fc_profile_length_for(const struct fc_profile *p, uint64_t payload_len)
{
	return (int64_t)payload_len + (int64_t)p->header_size -
	       (int64_t)fc_profile_length_end(p) - p->length_adjustment;
}

void fc_profile_put_length(const struct fc_profile *p, int64_t value, uint8_t *hdr)
{
	memset(hdr, 0, p->header_size);
	for (uint32_t i = 0; i < p->length_size; i++) {
		uint32_t k = p->byte_order == FC_BIG_ENDIAN ? p->length_size - 1 - i : i;
		hdr[p->length_offset + k] = (uint8_t)((uint64_t)value >> (8 * i));
	}
}

bool fc_profile_encode_header(const struct fc_profile *p, uint64_t payload_len,
			      uint8_t *hdr)
{
	int64_t length = fc_profile_length_for(p, payload_len);
	unsigned bits = p->length_size * 8;

	if (payload_len > FC_MAX_MAX_FRAME || length < 0 ||
	    (uint64_t)length > p->max_frame)
		return false;
	if (bits < 64) {
		uint64_t limit = p->is_signed ? 1ULL << (bits - 1) : 1ULL << bits;
		if ((uint64_t)length >= limit)
			return false;
	}
	fc_profile_put_length(p, length, hdr);
	return true;
}

const char *fc_profile_frame_payload(const struct fc_profile *p, const uint8_t *payload,
				     uint64_t payload_len, uint8_t *hdr, size_t cap,
				     size_t *hdr_len, uint8_t *trailer, size_t *trailer_len)
{
	uint64_t value;
	size_t n = 0;

	*hdr_len = 0;
	*trailer_len = 0;
	switch (p->framing) {
	case FC_FRAMING_LENGTH:
		if (cap < p->header_size)
			return "header too large";
		if (!fc_profile_encode_header(p, payload_len, hdr))
			return "the payload's length does not fit the profile";
		*hdr_len = p->header_size;
		return NULL;
	case FC_FRAMING_FIXED:
		if (payload_len != p->frame_size)
			return "a fixed frame's payload must be frame_size bytes";
		return NULL;
	case FC_FRAMING_DELIMITER: {
		struct fc_delim_scan sc = { 0 };

		if (payload_len > p->max_frame)
			return "the payload is longer than max_frame";
		if (payload && fc_delim_scan(p, &sc, payload, payload_len) <= payload_len)
			return "the payload holds the delimiter";
		/* The payload's end and the trailer must not make a delimiter
		 * that ends before the trailer does ("ab" + "abab"). */
		if (payload && fc_delim_scan(p, &sc, p->delimiter, p->delimiter_len) !=
				       p->delimiter_len)
			return "the payload's end and the delimiter make an earlier delimiter";
		memcpy(trailer, p->delimiter, p->delimiter_len);
		*trailer_len = p->delimiter_len;
		return NULL;
	}
	default:
		break;
	}
	if (payload_len > FC_MAX_MAX_FRAME)
		return "the payload's length does not fit the profile";
	if ((int64_t)payload_len - p->length_adjustment < 0)
		return "the payload's length does not fit the profile";
	value = (uint64_t)((int64_t)payload_len - p->length_adjustment);
	if (value > p->max_frame)
		return "the payload is longer than max_frame";
	if (p->framing == FC_FRAMING_VARINT) {
		if (cap < (size_t)p->length_offset + FC_VARINT_MAX_BYTES)
			return "header too large";
		memset(hdr, 0, p->length_offset);
		n = p->length_offset;
		do {
			if (n - p->length_offset == p->varint_max_bytes)
				return "the payload's length needs more varint bytes than allowed";
			hdr[n++] = (uint8_t)((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
			value >>= 7;
		} while (value);
		*hdr_len = n;
		return NULL;
	}
	/* ber */
	if (cap < FC_BER_HEADER_MAX)
		return "header too large";
	hdr[0] = 0x30;
	if (value < 0x80) {
		hdr[1] = (uint8_t)value;
		*hdr_len = 2;
		return NULL;
	}
	for (uint64_t v = value; v; v >>= 8)
		n++;
	hdr[1] = (uint8_t)(0x80 | n);
	for (size_t i = 0; i < n; i++)
		hdr[2 + i] = (uint8_t)(value >> (8 * (n - 1 - i)));
	*hdr_len = 2 + n;
	return NULL;
}

const char *fc_parse_byte_order(const char *s, enum fc_byte_order *out)
{
	if (!strcasecmp(s, "little") || !strcasecmp(s, "le")) {
		*out = FC_LITTLE_ENDIAN;
		return NULL;
	}
	if (!strcasecmp(s, "big") || !strcasecmp(s, "be") ||
	    !strcasecmp(s, "network")) {
		*out = FC_BIG_ENDIAN;
		return NULL;
	}
	return "byte order must be little or big";
}

const char *fc_parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1")) {
		*out = true;
		return NULL;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0")) {
		*out = false;
		return NULL;
	}
	return "expected true or false";
}

/* Decimal, or hexadecimal with 0x: a leading zero is not octal. */
static int number_base(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
}

const char *fc_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, number_base(s));
	if (end == s || *end != '\0')
		return "expected an integer";
	if (errno == ERANGE || v < lo || v > hi)
		return "integer out of range";
	*out = v;
	return NULL;
}

const char *fc_parse_u64(const char *s, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-')
		return "expected a non-negative integer";
	errno = 0;
	v = strtoull(s, &end, number_base(s));
	if (end == s || *end != '\0')
		return "expected a non-negative integer";
	if (errno == ERANGE || v > hi)
		return "integer out of range";
	*out = v;
	return NULL;
}
