/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile.h - a framing profile and its frame rule: where a frame ends.
 *
 * framing: length (the default) - Netty's LengthFieldBasedFrameDecoder:
 *
 *   |<- length_offset ->|<- length_size ->|...|<- payload ->|
 *   |<------------- header_size --------------->|
 *
 *   bytes after the length field = length + length_adjustment
 *   payload_len = length_offset + length_size + length + length_adjustment
 *                 - header_size
 *
 *   length_mask (0: none) keeps only some bits of the field as the length;
 *   the others are flags (ONC RPC's last-fragment bit), shown apart.
 *
 * framing: varint - a base-128 varint, low group first (protobuf, MQTT):
 *
 *   |<- length_offset ->|1xxxxxxx|0xxxxxxx|<- value + adjustment ->|
 *   |<------- header: offset + varint bytes --->|
 *
 * framing: ber - one ASN.1 BER TLV, definite length (LDAP, SNMP over TCP):
 *
 *   |tag|0lllllll|<- l bytes ->|          short form, l < 128
 *   |tag|1000nnnn|<- n length bytes, big-endian ->|<- length bytes ->|
 *
 * framing: delimiter - a frame ends with `delimiter` (1..16 bytes):
 *
 *   |<- payload (no delimiter inside) ->|\r\n|   header 0, trailer = delimiter
 *
 * framing: fixed - every frame is frame_size bytes, header 0.
 *
 * A prelude (fc_prelude below) is read once where a direction begins, before
 * the profile itself: a magic string (AMQP's), a startup message with its
 * own framing (PostgreSQL's).
 *
 * The default profile is the socket tutorials' struct.pack('i', n):
 * 4 bytes, little-endian, signed, adjustment 0, header 4, max 16 MiB.
 * This rule is the single implementation shared by the CLI, the reference
 * programs and the Wireshark plugin.
 */
#ifndef FC_PROFILE_H
#define FC_PROFILE_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FC_PROFILE_NAME_MAX 64
/* The length field must end within this many bytes of the frame start. */
#define FC_MAX_LENGTH_FIELD_END 64
#define FC_MAX_HEADER_SIZE 65535u
#define FC_MAX_ADJUSTMENT (1LL << 31)
#define FC_MAX_MAX_FRAME (1ULL << 48)

#define FC_DELIMITER_MAX 16
#define FC_VARINT_MAX_BYTES 10 /* a 64-bit value */
#define FC_VARINT_DEFAULT_BYTES 5 /* a 32-bit value, protobuf's limit */
/* BER: a tag byte, a length byte and at most 8 more length bytes. */
#define FC_BER_HEADER_MAX 10

enum fc_byte_order { FC_LITTLE_ENDIAN = 0, FC_BIG_ENDIAN = 1 };

enum fc_framing {
	FC_FRAMING_LENGTH = 0,
	FC_FRAMING_VARINT,
	FC_FRAMING_BER,
	FC_FRAMING_DELIMITER,
	FC_FRAMING_FIXED,
};

/* How a header is read: as the profile says, or as a typical sender bug
 * writes it. Only the diagnoses set the others, on a copy of the profile,
 * to see whether the stream decodes that way (fc_diagnose.h). */
enum fc_misread {
	FC_READ_AS_SPECIFIED = 0,
	FC_READ_VARINT_HIGH_FIRST, /* varint: the groups high first */
	FC_READ_BER_ONE_BYTE, /* ber: the length byte is the length, 0x80 up too */
};

struct fc_prelude;

struct fc_profile {
	char name[FC_PROFILE_NAME_MAX];
	enum fc_framing framing;
	uint32_t length_offset;
	uint32_t length_size; /* 1..8 */
	enum fc_byte_order byte_order;
	bool is_signed;
	int64_t length_adjustment;
	uint32_t header_size; /* bytes before the payload */
	uint64_t max_frame; /* a length field value above this is an error;
			     * delimiter: the longest payload searched */
	uint64_t length_mask; /* length: the field's length bits; 0 = all */
	uint32_t varint_max_bytes; /* varint: 1..10 */
	uint32_t delimiter_len; /* delimiter: 1..FC_DELIMITER_MAX */
	uint8_t delimiter[FC_DELIMITER_MAX];
	/* delimiter: for each prefix length k+1, the longest proper prefix
	 * that is also its suffix (matching resumes there after a mismatch). */
	uint8_t delimiter_fallback[FC_DELIMITER_MAX];
	uint64_t frame_size; /* fixed: 1..max_frame */
	enum fc_misread misread; /* FC_READ_AS_SPECIFIED but in diagnoses */
	/* Read where a direction begins; NULL: none. Owned by whoever made
	 * the profile (the configuration); copies of the profile share it. */
	const struct fc_prelude *prelude;
};

/* --- preludes ------------------------------------------------------------- */

#define FC_PRELUDE_STEPS 4
#define FC_PRELUDE_CHOICES 8
#define FC_PRELUDE_BYTES_MAX 64

enum fc_prelude_kind {
	FC_PRELUDE_BYTES_ONE_OF, /* skip one of these strings if it is there */
	FC_PRELUDE_PROFILE, /* up to max_frames frames of another profile */
};

struct fc_prelude_step {
	enum fc_prelude_kind kind;
	uint32_t nchoices;
	uint8_t choice_len[FC_PRELUDE_CHOICES]; /* 1..FC_PRELUDE_BYTES_MAX */
	uint8_t choice[FC_PRELUDE_CHOICES][FC_PRELUDE_BYTES_MAX];
	uint32_t max_frames; /* FC_PRELUDE_PROFILE: at least 1 */
	/* FC_PRELUDE_PROFILE: a prefix framing (length, varint, ber, fixed)
	 * without a prelude of its own. */
	struct fc_profile profile;
};

enum fc_direction { FC_DIR_C2S = 0, FC_DIR_S2C = 1 };

struct fc_prelude {
	uint32_t nsteps[2]; /* per enum fc_direction */
	struct fc_prelude_step steps[2][FC_PRELUDE_STEPS];
};

/* The steps of a direction, or NULL when it has none. */
static inline const struct fc_prelude_step *
fc_prelude_steps(const struct fc_profile *p, enum fc_direction dir, uint32_t *n)
{
	*n = p->prelude ? p->prelude->nsteps[dir] : 0;
	return *n ? p->prelude->steps[dir] : NULL;
}


/* Stable lowercase names ("length", "varint", ...); parse returns NULL on
 * success or a static message. */
const char *fc_framing_name(enum fc_framing f);
const char *fc_parse_framing(const char *s, enum fc_framing *out);

/* Set delimiter (1..FC_DELIMITER_MAX bytes) and its fallback table.
 * Returns NULL or a static message. */
const char *fc_profile_set_delimiter(struct fc_profile *p, const uint8_t *d, size_t n);

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
	FC_PF_FRAMING,
	FC_PF_LENGTH_MASK,
	FC_PF_VARINT_MAX_BYTES,
	FC_PF_DELIMITER,
	FC_PF_FRAME_SIZE,
	FC_PF_PRELUDE,
};

/* Check that the fields are consistent. Returns NULL if valid, else a
 * static message ("length_size must be 1 to 8"), with *blame (if not
 * NULL) the one field the broken rule is about, or FC_PF_NONE. */
const char *fc_profile_check_field(const struct fc_profile *p,
				   enum fc_profile_field *blame);

/* fc_profile_check_field without the blame. */
const char *fc_profile_check(const struct fc_profile *p);

/* Length framing: the end of the length field. */
static inline uint32_t fc_profile_length_end(const struct fc_profile *p)
{
	return p->length_offset + p->length_size;
}

/* The most bytes fc_profile_frame_len() reads before it can say where a
 * frame ends, for the prefix framings (length, varint, ber, fixed); a
 * delimiter has no such bound (its frame is searched to max_frame). */
uint32_t fc_profile_header_max(const struct fc_profile *p);

/* Is the frame length read from a header (the prefix framings)? */
static inline bool fc_profile_is_prefix(const struct fc_profile *p)
{
	return p->framing != FC_FRAMING_DELIMITER;
}

enum fc_frame_status {
	FC_FRAME_OK = 0, /* *out filled in */
	FC_FRAME_NEED_MORE, /* fewer than fc_profile_length_end() bytes given */
	FC_FRAME_OVERSIZE, /* length field above max_frame */
	FC_FRAME_NEGATIVE, /* negative length, or frame shorter than header */
	FC_FRAME_VARINT_OVERLONG, /* no last varint byte within its limit */
	FC_FRAME_BER_LENGTH, /* indefinite, reserved or > 8-byte BER length */
	FC_FRAME_NO_DELIMITER, /* no delimiter within max_frame bytes */
	FC_FRAME_STEP_SKIPPED, /* fc_prelude_frame_len: the step does not apply */
};

struct fc_frame_len {
	int64_t length; /* the length field's value (signed if profile is) */
	uint64_t flags; /* bits of the field outside length_mask */
	uint64_t header_len; /* length: header_size; varint, ber: as read */
	uint64_t payload_len; /* bytes after the header, before a trailer */
	uint32_t trailer_len; /* delimiter: its length */
	uint64_t frame_len; /* header_len + payload_len + trailer_len */
	/* NEED_MORE: call again with at least this many bytes. */
	uint64_t need;
};

/* Where does the frame that starts at data[0] end? Reads the first `avail`
 * bytes under profile p, which must be valid (fc_profile_check: this runs
 * once per frame, so it only asserts the bounds its reads depend on).
 * Returns FC_FRAME_NEED_MORE with out->need (> avail) while the bytes do
 * not tell yet; on an error, out->length still holds the value read.
 * Prefix framings read at most fc_profile_header_max(p) bytes; a delimiter
 * is searched for in all `avail` bytes (see fc_delim_scan for a search
 * that resumes). Pure, no allocation. */
enum fc_frame_status fc_profile_frame_len(const struct fc_profile *p,
					  const uint8_t *data, size_t avail,
					  struct fc_frame_len *out);

/* The length framing's rule (or the fixed one's), taken apart once for
 * a run of frames read back to back (the decoder's whole-frame path): the
 * field's width and byte order as one case, the sign and the adjustment
 * as constants, so that a frame costs a load and a few compares instead
 * of the general walk over the profile's fields. Holds no pointer into
 * the profile.
 *
 *   fc_len_reader_init(p)  once ->  fc_len_read(r, bytes) per frame
 */
enum fc_len_kind {
	FC_LK_U8, FC_LK_LE16, FC_LK_BE16, FC_LK_LE32, FC_LK_BE32,
	FC_LK_LE64, FC_LK_BE64, FC_LK_OTHER, /* 3, 5, 6 or 7 bytes */
	FC_LK_FIXED /* framing fixed: no field, every frame frame_size */
};

struct fc_len_reader {
	uint64_t mask; /* length_mask, 0: none */
	uint64_t neg_bit; /* the field's top bit when signed: a negative length */
	uint64_t max_frame; /* fixed: frame_size */
	int64_t delta; /* length_offset + length_size + adjustment - header_size
			* (fixed: 0) */
	/* The field's place; end and header 0 for fixed. */
	uint32_t offset, size, end, header;
	uint8_t kind; /* enum fc_len_kind */
	bool big;
};

/* Unaligned loads, in the host's order. */
static inline uint16_t fc_load16(const uint8_t *f)
{
	uint16_t v;
	memcpy(&v, f, sizeof(v));
	return v;
}

static inline uint32_t fc_load32(const uint8_t *f)
{
	uint32_t v;
	memcpy(&v, f, sizeof(v));
	return v;
}

static inline uint64_t fc_load64(const uint8_t *f)
{
	uint64_t v;
	memcpy(&v, f, sizeof(v));
	return v;
}

/* Set r up for p, a valid (fc_profile_check) profile of framing length
 * or fixed. */
void fc_len_reader_init(struct fc_len_reader *r, const struct fc_profile *p);

/* The length field of the frame at b (at least r->end bytes) under r:
 * true with *length and *flags as fc_profile_frame_len() reads them;
 * false when the field is negative (signed) or above max_frame, the
 * errors that do not depend on the adjustment. For fixed frames, the
 * frame size. */
static inline bool fc_len_field(const struct fc_len_reader *r, const uint8_t *b,
				int64_t *length, uint64_t *flags)
{
	const uint8_t *f = b + r->offset;
	uint64_t raw = 0;

	switch (r->kind) {
	case FC_LK_U8:
		raw = f[0];
		break;
	case FC_LK_LE16: raw = le16toh(fc_load16(f)); break;
	case FC_LK_BE16: raw = be16toh(fc_load16(f)); break;
	case FC_LK_LE32: raw = le32toh(fc_load32(f)); break;
	case FC_LK_BE32: raw = be32toh(fc_load32(f)); break;
	case FC_LK_LE64: raw = le64toh(fc_load64(f)); break;
	case FC_LK_BE64: raw = be64toh(fc_load64(f)); break;
	case FC_LK_FIXED:
		*flags = 0;
		*length = (int64_t)r->max_frame; /* <= FC_MAX_MAX_FRAME */
		return true;
	default:
		for (uint32_t i = 0; i < r->size; i++)
			raw = raw << 8 | f[r->big ? i : r->size - 1 - i];
		break;
	}
	*flags = 0;
	if (r->mask) {
		*flags = raw & ~r->mask;
		raw &= r->mask;
	}
	/* Negative (the sign bit, signed) or above max_frame (at most 2^48,
	 * so also any unsigned value past INT64_MAX): an error either way,
	 * the sign extension is not needed to tell. */
	if ((raw & r->neg_bit) || raw > r->max_frame)
		return false;
	*length = (int64_t)raw;
	return true;
}

/* The frame at b (at least r->end bytes) under r: true with *length,
 * *flags and *payload_len exactly as fc_profile_frame_len() gives them
 * when it returns FC_FRAME_OK (header_len is r->header); false where it
 * returns an error (oversize, negative: the caller asks it again). Fixed
 * frames read nothing and are always OK. */
static inline bool fc_len_read(const struct fc_len_reader *r, const uint8_t *b,
			       int64_t *length, uint64_t *flags, uint64_t *payload_len)
{
	int64_t payload;

	if (!fc_len_field(r, b, length, flags))
		return false;
	/* No overflow: see length_frame_len. Fixed: delta 0, the frame size. */
	payload = r->delta + *length;
	if (payload < 0)
		return false;
	*payload_len = (uint64_t)payload;
	return true;
}

/* Where does the next frame of a direction end while prelude step `st`
 * is read? bytes_one_of: the first choice (in the order given) that the
 * direction starts with is a frame of its bytes, with no header; while
 * the bytes only begin a choice listed before any they complete, more are
 * asked for (out->need). A profile step: that profile's
 * fc_profile_frame_len(). FC_FRAME_STEP_SKIPPED when the step does not
 * apply to these bytes (no choice matches; its profile's frame does not
 * parse): the reader moves on to the next step, or the profile, with the
 * same bytes. The one rule of the decoder, fc_reader and the plugin. */
enum fc_frame_status fc_prelude_frame_len(const struct fc_prelude_step *st,
					  const uint8_t *data, size_t avail,
					  struct fc_frame_len *out);

/* A delimiter search that resumes where the last one stopped, for bytes
 * that arrive in pieces and are not kept. */
struct fc_delim_scan {
	uint32_t matched; /* delimiter bytes matched at the end of what was seen */
};

/* Scan data[0, n) for the end of p's delimiter, continuing the state in s.
 * Returns the offset just past the delimiter's last byte, or n + 1 if the
 * delimiter does not end within the bytes (s->matched then says how many
 * of its first bytes end them). Linear in n. */
size_t fc_delim_scan(const struct fc_profile *p, struct fc_delim_scan *s,
		     const uint8_t *data, size_t n);

/* The length field value that announces `payload_len` payload bytes (the
 * rule above, inverted); may be negative or out of the field's range. */
int64_t fc_profile_length_for(const struct fc_profile *p, uint64_t payload_len);

/* Length framing: write `value` into the length field of hdr (header_size
 * bytes, the rest zeroed), truncated to the field's width, unchecked: for
 * writing wrong headers on purpose. */
void fc_profile_put_length(const struct fc_profile *p, int64_t value, uint8_t *hdr);

/* Length framing: encode `payload_len` as a header for this profile into
 * hdr (zeroing the bytes that are not the length field). hdr must hold
 * header_size bytes. Returns false if the length cannot be represented. */
bool fc_profile_encode_header(const struct fc_profile *p, uint64_t payload_len,
			      uint8_t *hdr);

/* Any framing: the bytes that frame a payload of payload_len bytes, for a
 * sender. Writes the header into hdr (at most `cap` bytes; *hdr_len) and
 * the trailer into trailer (at most FC_DELIMITER_MAX; *trailer_len). The
 * bytes before a length field or varint are zero; a BER tag is 0x30
 * (SEQUENCE). Returns NULL, or a static message when the payload cannot
 * be framed (too long, a fixed frame of another size, a payload that
 * holds the delimiter). */
const char *fc_profile_frame_payload(const struct fc_profile *p, const uint8_t *payload,
				     uint64_t payload_len, uint8_t *hdr, size_t cap,
				     size_t *hdr_len, uint8_t *trailer, size_t *trailer_len);

/* Parse field values from text, as the CLI and YAML take them. Each returns
 * NULL on success or a static message. */
const char *fc_parse_byte_order(const char *s, enum fc_byte_order *out);
const char *fc_parse_bool(const char *s, bool *out);
const char *fc_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);
const char *fc_parse_u64(const char *s, uint64_t hi, uint64_t *out);

#endif
