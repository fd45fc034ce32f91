/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile.c - the frame-length rule of a length-prefixed profile.
 *
 *   frame:  [ length_offset bytes ][ length field ][ ... ][ payload ]
 *           |<------------- header_size ------------->|
 *   payload_len = length_offset + length_size + length + length_adjustment
 *                 - header_size
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
}

const char *fc_profile_check_field(const struct fc_profile *p,
				   enum fc_profile_field *blame)
{
	enum fc_profile_field who = FC_PF_NONE;
	const char *why = NULL;

	if (p->length_size < 1 || p->length_size > 8)
		who = FC_PF_LENGTH_SIZE, why = "length_size must be 1 to 8";
	else if (p->length_offset > FC_MAX_LENGTH_FIELD_END - p->length_size)
		why = "length field must end within the first 64 bytes "
		      "(length_offset + length_size <= 64)";
	else if (p->header_size > FC_MAX_HEADER_SIZE)
		who = FC_PF_HEADER_SIZE, why = "header_size must be at most 65535";
	else if (p->header_size < fc_profile_length_end(p))
		why = "header_size is shorter than length_offset + length_size";
	else if (p->length_adjustment > FC_MAX_ADJUSTMENT ||
		 p->length_adjustment < -FC_MAX_ADJUSTMENT)
		who = FC_PF_LENGTH_ADJUSTMENT, why = "length_adjustment must be within +/-2^31";
	else if (p->max_frame > FC_MAX_MAX_FRAME)
		who = FC_PF_MAX_FRAME, why = "max_frame must be at most 2^48";
	else if (p->byte_order != FC_LITTLE_ENDIAN && p->byte_order != FC_BIG_ENDIAN)
		who = FC_PF_BYTE_ORDER, why = "byte_order must be little or big";
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

enum fc_frame_status fc_profile_frame_len(const struct fc_profile *p,
					  const uint8_t *data, size_t avail,
					  struct fc_frame_len *out)
{
	uint64_t raw;
	int64_t length;

	assert(p->length_size - 1u < 8 &&
	       fc_profile_length_end(p) <= FC_MAX_LENGTH_FIELD_END);
	if (avail < fc_profile_length_end(p))
		return FC_FRAME_NEED_MORE;
	raw = read_field(data + p->length_offset, p->length_size,
			 p->byte_order == FC_BIG_ENDIAN);
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
