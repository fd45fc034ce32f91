/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile.h - a length-prefixed framing profile and its frame-length rule.
 *
 * The vocabulary is Netty's LengthFieldBasedFrameDecoder:
 *
 *   |<- length_offset ->|<- length_size ->|...|<- payload ->|
 *   |<------------- header_size --------------->|
 *
 *   bytes after the length field = length + length_adjustment
 *   payload_len = length_offset + length_size + length + length_adjustment
 *                 - header_size
 *
 * The default profile is the socket tutorials' struct.pack('i', n):
 * 4 bytes, little-endian, signed, adjustment 0, header 4, max 16 MiB.
 * This rule is the single implementation shared by the CLI, the reference
 * programs and the Wireshark plugin.
 */
#ifndef FC_PROFILE_H
#define FC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FC_PROFILE_NAME_MAX 64
/* The length field must end within this many bytes of the frame start. */
#define FC_MAX_LENGTH_FIELD_END 64
#define FC_MAX_HEADER_SIZE 65535u
#define FC_MAX_ADJUSTMENT (1LL << 31)
#define FC_MAX_MAX_FRAME (1ULL << 48)

enum fc_byte_order { FC_LITTLE_ENDIAN = 0, FC_BIG_ENDIAN = 1 };

struct fc_profile {
	char name[FC_PROFILE_NAME_MAX];
	uint32_t length_offset;
	uint32_t length_size; /* 1..8 */
	enum fc_byte_order byte_order;
	bool is_signed;
	int64_t length_adjustment;
	uint32_t header_size; /* bytes before the payload */
	uint64_t max_frame; /* a length field value above this is an error */
};

/* The tutorials' profile, named "default". */
void fc_profile_default(struct fc_profile *p);

/* The fields, for saying which one a rule is about. */
enum fc_profile_field {
	FC_PF_NONE, /* a rule relating several fields */
	FC_PF_LENGTH_OFFSET,
	FC_PF_LENGTH_SIZE,
	FC_PF_BYTE_ORDER,
	FC_PF_SIGNED,
	FC_PF_LENGTH_ADJUSTMENT,
	FC_PF_HEADER_SIZE,
	FC_PF_MAX_FRAME,
};

/* Check that the fields are consistent. Returns NULL if valid, else a
 * static message ("length_size must be 1 to 8"), with *blame (if not
 * NULL) the one field the broken rule is about, or FC_PF_NONE. */
const char *fc_profile_check_field(const struct fc_profile *p,
				   enum fc_profile_field *blame);

/* fc_profile_check_field without the blame. */
const char *fc_profile_check(const struct fc_profile *p);

/* Bytes needed before the frame length is known. */
static inline uint32_t fc_profile_length_end(const struct fc_profile *p)
{
	return p->length_offset + p->length_size;
}

enum fc_frame_status {
	FC_FRAME_OK = 0, /* *out filled in */
	FC_FRAME_NEED_MORE, /* fewer than fc_profile_length_end() bytes given */
	FC_FRAME_OVERSIZE, /* length field above max_frame */
	FC_FRAME_NEGATIVE, /* negative length, or frame shorter than header */
};

struct fc_frame_len {
	int64_t length; /* the length field's value (signed if profile is) */
	uint64_t header_len; /* = header_size */
	uint64_t payload_len; /* bytes after the header */
	uint64_t frame_len; /* header_len + payload_len */
};

/* Read the length field from the first `avail` bytes of a frame and apply
 * the profile, which must be valid (fc_profile_check: this runs once per
 * frame, so it only asserts the bounds its reads depend on). Returns
 * FC_FRAME_NEED_MORE while avail < length end; on OVERSIZE / NEGATIVE,
 * out->length still holds the value read. Never reads more than
 * fc_profile_length_end(p) bytes; pure, no allocation. */
enum fc_frame_status fc_profile_frame_len(const struct fc_profile *p,
					  const uint8_t *data, size_t avail,
					  struct fc_frame_len *out);

/* The length field value that announces `payload_len` payload bytes (the
 * rule above, inverted); may be negative or out of the field's range. */
int64_t fc_profile_length_for(const struct fc_profile *p, uint64_t payload_len);

/* Write `value` into the length field of hdr (header_size bytes, the rest
 * zeroed), truncated to the field's width, unchecked: for writing wrong
 * headers on purpose. */
void fc_profile_put_length(const struct fc_profile *p, int64_t value, uint8_t *hdr);

/* Encode `payload_len` as a header for this profile into hdr (zeroing the
 * bytes that are not the length field). hdr must hold header_size bytes.
 * Returns false if the length cannot be represented. */
bool fc_profile_encode_header(const struct fc_profile *p, uint64_t payload_len,
			      uint8_t *hdr);

/* Parse field values from text, as the CLI and YAML take them. Each returns
 * NULL on success or a static message. */
const char *fc_parse_byte_order(const char *s, enum fc_byte_order *out);
const char *fc_parse_bool(const char *s, bool *out);
const char *fc_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);
const char *fc_parse_u64(const char *s, uint64_t hi, uint64_t *out);

#endif
