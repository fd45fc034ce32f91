/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config.c - read named framing profiles and the port map from YAML.
 *
 *   profiles:                      # name -> fields; {} or nothing is empty
 *     tutorial: {length_size: 4, byte_order: little, signed: true}
 *     kafka:
 *       length_size: 4
 *       byte_order: big
 *       length_adjustment: -2      # any field left out keeps the default
 *     lines: {framing: delimiter, delimiter: "\r\n"}   # bytes, NUL allowed
 *     pg:
 *       length_offset: 1
 *       prelude:                   # steps read once where a direction starts
 *         c2s: [{profile: start, max_frames: 2}]   # any profile of the file,
 *         s2c: [{bytes_one_of: ["N", "S"]}]        # resolved at the end
 *   ports:                         # port -> profile name, in any order
 *     8001: tutorial               #   relative to `profiles`
 *     9092: kafka
 *
 * The document is read with libyaml's event API rather than its document
 * API: every node we accept is a scalar at a known depth, so walking the
 * events needs no tree, memory stays constant whatever the input, and the
 * first event that does not fit the layout above is reported at once.
 * Aliases are refused for the same reason (reading events once, we cannot
 * replay an anchored node). A first pass checks only the YAML syntax, so a
 * syntax error wins over any complaint about what came before it. Ports
 * are resolved after the whole document has been read, so `ports` may come
 * before `profiles`.
 */
#include "fc_config.h"
#include "fc_config_guard.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>


enum field {
	F_LENGTH_OFFSET,
	F_LENGTH_SIZE,
	F_BYTE_ORDER,
	F_SIGNED,
	F_LENGTH_ADJUSTMENT,
	F_HEADER_SIZE,
	F_MAX_FRAME,
	F_FRAMING,
	F_LENGTH_MASK,
	F_VARINT_MAX_BYTES,
	F_DELIMITER,
	F_FRAME_SIZE,
	F_PRELUDE,
	NFIELDS
};

/* Each field's YAML key, and the framings it means something for (bit
 * 1 << enum fc_framing): a field the profile's framing ignores is refused
 * rather than ignored, so a forgotten `framing: delimiter` is not a silent
 * length profile. */
#define FR(f) (1u << (f))
#define FR_ALL (FR(FC_FRAMING_LENGTH) | FR(FC_FRAMING_VARINT) | FR(FC_FRAMING_BER) | \
		FR(FC_FRAMING_DELIMITER) | FR(FC_FRAMING_FIXED))
static const struct {
	const char *name;
	unsigned framings;
} fields[NFIELDS] = {
	[F_LENGTH_OFFSET] = { "length_offset", FR(FC_FRAMING_LENGTH) | FR(FC_FRAMING_VARINT) },
	[F_LENGTH_SIZE] = { "length_size", FR(FC_FRAMING_LENGTH) },
	[F_BYTE_ORDER] = { "byte_order", FR(FC_FRAMING_LENGTH) },
	[F_SIGNED] = { "signed", FR(FC_FRAMING_LENGTH) },
	[F_LENGTH_ADJUSTMENT] = { "length_adjustment",
				  FR(FC_FRAMING_LENGTH) | FR(FC_FRAMING_VARINT) |
				  FR(FC_FRAMING_BER) },
	[F_HEADER_SIZE] = { "header_size", FR(FC_FRAMING_LENGTH) },
	[F_MAX_FRAME] = { "max_frame", FR_ALL },
	[F_FRAMING] = { "framing", FR_ALL },
	[F_LENGTH_MASK] = { "length_mask", FR(FC_FRAMING_LENGTH) },
	[F_VARINT_MAX_BYTES] = { "varint_max_bytes", FR(FC_FRAMING_VARINT) },
	[F_DELIMITER] = { "delimiter", FR(FC_FRAMING_DELIMITER) },
	[F_FRAME_SIZE] = { "frame_size", FR(FC_FRAMING_FIXED) },
	[F_PRELUDE] = { "prelude", FR_ALL },
};

/* A prelude step's profile, looked up once all profiles are known. */
struct pending_step {
	char name[FC_PROFILE_NAME_MAX];
	bool name_too_long;
	int owner; /* index of the profile whose prelude this is */
	yaml_mark_t mark; /* the name's value */
	struct fc_prelude_step *step;
};

#define MAX_PENDING_STEPS (FC_CONFIG_MAX_PRELUDES * 2 * FC_PRELUDE_STEPS)

/* A port whose profile name is looked up once all profiles are known. */
struct pending_port {
	char name[FC_PROFILE_NAME_MAX];
	bool name_too_long; /* cannot match any profile; name[] is cut short */
	yaml_mark_t key_mark, value_mark;
};

struct reader {
	yaml_parser_t parser;
	yaml_event_t ev; /* the current event, owned until the next advance() */
	bool have_ev;
	const char *text;
	size_t len;
	struct fc_config *cfg;
	struct fc_config_error *err;
	yaml_mark_t profile_mark[FC_CONFIG_MAX_PROFILES];
	struct pending_port pending[FC_CONFIG_MAX_PORTS];
	yaml_mark_t prelude_mark[FC_CONFIG_MAX_PROFILES]; /* its `prelude` value */
	int nsteps;
	struct pending_step steps[MAX_PENDING_STEPS];
	size_t cur_chars, cur_bytes; /* byte_offset()'s cursor */
};

static void error_start(struct fc_config_error *err, const char *filename)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s",
		 filename ? filename : "<config>");
}

static void error_vset(struct fc_config_error *err, unsigned long line,
		       unsigned long column, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* The front end's translator (fc_config_set_translator): one for the
 * process, set before any file is read, so no error needs to carry it. */
static fc_translate_fn translator;

void fc_config_set_translator(fc_translate_fn tr)
{
	translator = tr;
}

const char *fc_config_tr(const char *msgid)
{
	return translator && *msgid ? translator(msgid) : msgid;
}

static void error_vset(struct fc_config_error *err, unsigned long line,
		       unsigned long column, const char *fmt, va_list ap)
{
	err->line = line;
	err->column = column;
	vsnprintf(err->message, sizeof(err->message), fc_config_tr(fmt), ap);
}

static void error_set(struct fc_config_error *err, unsigned long line,
		      unsigned long column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error_set(struct fc_config_error *err, unsigned long line,
		      unsigned long column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, line, column, fmt, ap);
	va_end(ap);
}

static int fail(struct reader *r, yaml_mark_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The error, at mark `at`: -1. Marks are 0-based; people and editors
 * count from 1. */
static int vfail(struct reader *r, yaml_mark_t at, const char *fmt, va_list ap)
{
	error_vset(r->err, (unsigned long)at.line + 1, (unsigned long)at.column + 1, fmt, ap);
	return -1;
}

static int fail(struct reader *r, yaml_mark_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, at, fmt, ap);
	va_end(ap);
	return -1;
}

static int syntax_error(struct reader *r)
{
	const yaml_parser_t *p = &r->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		error_set(r->err, 0, 0, "out of memory while reading YAML");
		return -1;
	case YAML_READER_ERROR: {
		/* The reader knows only a byte offset (bad encoding), so count
		 * lines here; the column is in bytes, close enough for a byte
		 * that is not valid text anyway. */
		size_t off = p->problem_offset < r->len ? p->problem_offset : r->len;
		unsigned long line = 1, column = 1;

		for (size_t i = 0; i < off; i++) {
			if (r->text[i] == '\n') {
				line++;
				column = 1;
			} else {
				column++;
			}
		}
		error_set(r->err, line, column, "%s", problem);
		return -1;
	}
	default:
		break;
	}
	if (p->context)
		return fail(r, p->problem_mark, "%s (%s at line %lu, column %lu)",
			    problem, p->context,
			    (unsigned long)p->context_mark.line + 1,
			    (unsigned long)p->context_mark.column + 1);
	return fail(r, p->problem_mark, "%s", problem);
}

/* Move to the next event. Aliases are refused here, once, so no caller
 * has to think about them. */
static int advance(struct reader *r)
{
	if (r->have_ev) {
		yaml_event_delete(&r->ev);
		r->have_ev = false;
	}
	if (!yaml_parser_parse(&r->parser, &r->ev))
		return syntax_error(r);
	r->have_ev = true;
	if (r->ev.type == YAML_ALIAS_EVENT)
		return fail(r, r->ev.start_mark,
			    "aliases (*%.64s) are not supported here",
			    (const char *)r->ev.data.alias.anchor);
	return 0;
}

static bool is_null(const yaml_event_t *ev)
{
	const char *v;

	if (ev->type != YAML_SCALAR_EVENT ||
	    ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)ev->data.scalar.value;
	return !strcmp(v, "") || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static int mapping_start(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The current event, a value, opens a mapping: 1; is null (nothing
 * given): 0; is anything else: -1, failed with the message fmt, ... */
static int mapping_start(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->ev.type == YAML_MAPPING_START_EVENT)
		return 1;
	if (is_null(&r->ev))
		return 0;
	va_start(ap, fmt);
	vfail(r, r->ev.start_mark, fmt, ap);
	va_end(ap);
	return -1;
}

/* The current scalar as a C string. A "\0" escape would silently cut
 * the text short for every string function after this, so refuse it. */
static const char *scalar_text(struct reader *r, const char *what);

/* The next key of the mapping being read, as text (scalar_text) in *key:
 * 1; 0 at the mapping's end; -1 on an error (r says which). */
static int next_key(struct reader *r, const char *what, const char **key)
{
	if (advance(r) < 0)
		return -1;
	if (r->ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	return (*key = scalar_text(r, what)) ? 1 : -1;
}

static const char *scalar_text(struct reader *r, const char *what)
{
	const yaml_event_t *ev = &r->ev;

	if (ev->type != YAML_SCALAR_EVENT) {
		fail(r, ev->start_mark, "%s must be a scalar value, not a %s",
		     what, ev->type == YAML_MAPPING_START_EVENT ? fc_config_tr("mapping") :
		     fc_config_tr("sequence"));
		return NULL;
	}
	if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
		fail(r, ev->start_mark, "%s contains a NUL character", what);
		return NULL;
	}
	return (const char *)ev->data.scalar.value;
}

/* The byte offset in r->text of the character libyaml counts as `index`
 * (its marks count characters, after a UTF-8 byte order mark). Marks come
 * in document order, so a cursor that only moves forward keeps this linear
 * over the document. */
static size_t byte_offset(struct reader *r, size_t index)
{
	size_t bom = r->len >= 3 && !memcmp(r->text, "\xef\xbb\xbf", 3) ? 3 : 0;

	if (index < r->cur_chars || r->cur_bytes < bom) {
		r->cur_chars = 0;
		r->cur_bytes = bom;
	}
	while (r->cur_chars < index && r->cur_bytes < r->len) {
		unsigned char c = (unsigned char)r->text[r->cur_bytes];

		r->cur_bytes += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		r->cur_chars++;
	}
	return r->cur_bytes < r->len ? r->cur_bytes : r->len;
}

/* Code point c as UTF-8 into o (4 bytes of room); its length. */
static size_t put_utf8(uint8_t *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (uint8_t)(0xc0 | c >> 6);
		o[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (uint8_t)(0xe0 | c >> 12);
		o[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		o[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | c >> 18);
	o[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
	o[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
	o[3] = (uint8_t)(0x80 | (c & 0x3f));
	return 4;
}

#define DQ_FAIL ((size_t)-1)

/* Decode the one-line double-quoted scalar t[0, n) (quotes included) as
 * YAML does, except that with raw_x \xHH is the byte HH rather than
 * U+00HH. Returns its length, or DQ_FAIL for what this short decoder
 * leaves to libyaml (a line break, an escape it does not know) or for
 * more than `cap` bytes. */
static size_t decode_dq(const char *t, size_t n, bool raw_x, uint8_t *out, size_t cap)
{
	size_t len = 0;

	if (n < 2 || t[0] != '"' || t[n - 1] != '"')
		return DQ_FAIL;
	for (size_t i = 1; i < n - 1;) {
		unsigned char c = (unsigned char)t[i];
		uint32_t cp = 0;
		int hex = 0;

		if (c == '\n' || c == '\r' || len + 4 > cap)
			return DQ_FAIL;
		if (c != '\\') {
			out[len++] = c;
			i++;
			continue;
		}
		if (i + 2 > n - 1)
			return DQ_FAIL;
		switch (t[i + 1]) {
		case '0': cp = 0; break;
		case 'a': cp = 7; break;
		case 'b': cp = 8; break;
		case 't': case '\t': cp = 9; break;
		case 'n': cp = 10; break;
		case 'v': cp = 11; break;
		case 'f': cp = 12; break;
		case 'r': cp = 13; break;
		case 'e': cp = 0x1b; break;
		case ' ': cp = ' '; break;
		case '"': cp = '"'; break;
		case '/': cp = '/'; break;
		case '\\': cp = '\\'; break;
		case 'N': cp = 0x85; break;
		case '_': cp = 0xa0; break;
		case 'L': cp = 0x2028; break;
		case 'P': cp = 0x2029; break;
		case 'x': hex = 2; break;
		case 'u': hex = 4; break;
		case 'U': hex = 8; break;
		default: return DQ_FAIL;
		}
		i += 2;
		if (hex) {
			if (i + (size_t)hex > n - 1)
				return DQ_FAIL;
			for (int k = 0; k < hex; k++, i++) {
				char h = t[i];
				int v = h >= '0' && h <= '9' ? h - '0' :
					h >= 'a' && h <= 'f' ? h - 'a' + 10 :
					h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;

				if (v < 0)
					return DQ_FAIL;
				cp = cp << 4 | (uint32_t)v;
			}
			if (cp > 0x10ffff)
				return DQ_FAIL;
			if (hex == 2 && raw_x) {
				out[len++] = (uint8_t)cp;
				continue;
			}
		}
		len += put_utf8(out + len, cp);
	}
	return len;
}

/* The current scalar as bytes (NUL allowed) into buf, at most cap of them:
 * *len set, -1 after an error about `what`. A double-quoted scalar is read
 * again from the source so that \xHH is the byte HH; that reading is used
 * only if, decoded as YAML would, it gives libyaml's own value, so any
 * text it does not understand keeps libyaml's bytes. */
static int scalar_bytes(struct reader *r, const char *what, uint8_t *buf, size_t cap,
			size_t *len)
{
	const yaml_event_t *ev = &r->ev;
	uint8_t yaml[4 * FC_PRELUDE_BYTES_MAX], raw[4 * FC_PRELUDE_BYTES_MAX];

	if (ev->type != YAML_SCALAR_EVENT)
		return fail(r, ev->start_mark, "%s must be a string, not a %s", what,
			    ev->type == YAML_MAPPING_START_EVENT ? fc_config_tr("mapping") :
			    fc_config_tr("sequence"));
	if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		size_t from = byte_offset(r, ev->start_mark.index);
		size_t to = byte_offset(r, ev->end_mark.index);
		size_t ny = DQ_FAIL, nr = DQ_FAIL;

		if (to > from && to <= r->len) {
			ny = decode_dq(r->text + from, to - from, false, yaml, sizeof(yaml));
			nr = decode_dq(r->text + from, to - from, true, raw, sizeof(raw));
		}
		if (ny != DQ_FAIL && nr != DQ_FAIL && ny == ev->data.scalar.length &&
		    !memcmp(yaml, ev->data.scalar.value, ny)) {
			if (nr > cap)
				return fail(r, ev->start_mark, "%s must be at most %zu bytes (got %zu)",
					    what, cap, nr);
			memcpy(buf, raw, nr);
			*len = nr;
			return 0;
		}
	}
	if (ev->data.scalar.length > cap)
		return fail(r, ev->start_mark, "%s must be at most %zu bytes (got %zu)", what,
			    cap, ev->data.scalar.length);
	memcpy(buf, ev->data.scalar.value, ev->data.scalar.length);
	*len = ev->data.scalar.length;
	return 0;
}

/* Where each number field of a profile goes, and its C type: the fields
 * of one type are read alike. */
enum num_type { NUM_NONE, NUM_U32, NUM_U64, NUM_I64, NUM_BOOL };
static const struct {
	enum num_type type;
	size_t at; /* offsetof(struct fc_profile, ...) */
} num_fields[NFIELDS] = {
	[F_LENGTH_OFFSET] = { NUM_U32, offsetof(struct fc_profile, length_offset) },
	[F_LENGTH_SIZE] = { NUM_U32, offsetof(struct fc_profile, length_size) },
	[F_SIGNED] = { NUM_BOOL, offsetof(struct fc_profile, is_signed) },
	[F_LENGTH_ADJUSTMENT] = { NUM_I64, offsetof(struct fc_profile, length_adjustment) },
	[F_HEADER_SIZE] = { NUM_U32, offsetof(struct fc_profile, header_size) },
	[F_MAX_FRAME] = { NUM_U64, offsetof(struct fc_profile, max_frame) },
	[F_LENGTH_MASK] = { NUM_U64, offsetof(struct fc_profile, length_mask) },
	[F_VARINT_MAX_BYTES] = { NUM_U32, offsetof(struct fc_profile, varint_max_bytes) },
	[F_FRAME_SIZE] = { NUM_U64, offsetof(struct fc_profile, frame_size) },
};

/* Set field f of p from the scalar s; NULL, or why s is not a value. */
static const char *set_field(struct fc_profile *p, enum field f, const char *s)
{
	char *at;
	const char *e;
	uint64_t u;
	int64_t i;
	bool b;

	if (f == F_BYTE_ORDER)
		return fc_parse_byte_order(s, &p->byte_order);
	if (f == F_FRAMING)
		return fc_parse_framing(s, &p->framing);
	/* The delimiter (bytes) and the prelude (a mapping) are read by
	 * read_profile and read_prelude. */
	if (f >= NFIELDS || num_fields[f].type == NUM_NONE)
		return "unknown field";
	at = (char *)p + num_fields[f].at;
	/* Only the C types bound the numbers here; fc_profile_check() owns
	 * the real limits so the CLI and the YAML report them alike. */
	switch (num_fields[f].type) {
	case NUM_U32:
		if (!(e = fc_parse_u64(s, UINT32_MAX, &u)))
			*(uint32_t *)(void *)at = (uint32_t)u;
		return e;
	case NUM_U64:
		if (!(e = fc_parse_u64(s, UINT64_MAX, &u)))
			*(uint64_t *)(void *)at = u;
		return e;
	case NUM_I64:
		if (!(e = fc_parse_i64(s, INT64_MIN, INT64_MAX, &i)))
			*(int64_t *)(void *)at = i;
		return e;
	case NUM_BOOL:
		if (!(e = fc_parse_bool(s, &b)))
			*(bool *)(void *)at = b;
		return e;
	case NUM_NONE:
		break;
	}
	return "unknown field";
}

/* The YAML field of a profile field (NFIELDS for FC_PF_NONE): a broken
 * rule about one field is shown at that field's value. */
static enum field yaml_field(enum fc_profile_field pf)
{
	switch (pf) {
	case FC_PF_LENGTH_OFFSET: return F_LENGTH_OFFSET;
	case FC_PF_LENGTH_SIZE: return F_LENGTH_SIZE;
	case FC_PF_BYTE_ORDER: return F_BYTE_ORDER;
	case FC_PF_SIGNED: return F_SIGNED;
	case FC_PF_LENGTH_ADJUSTMENT: return F_LENGTH_ADJUSTMENT;
	case FC_PF_HEADER_SIZE: return F_HEADER_SIZE;
	case FC_PF_MAX_FRAME: return F_MAX_FRAME;
	case FC_PF_FRAMING: return F_FRAMING;
	case FC_PF_LENGTH_MASK: return F_LENGTH_MASK;
	case FC_PF_VARINT_MAX_BYTES: return F_VARINT_MAX_BYTES;
	case FC_PF_DELIMITER: return F_DELIMITER;
	case FC_PF_FRAME_SIZE: return F_FRAME_SIZE;
	case FC_PF_PRELUDE: return F_PRELUDE;
	case FC_PF_NONE:
		break;
	}
	return NFIELDS;
}

/* A step's bytes_one_of: a list of 1..FC_PRELUDE_CHOICES byte strings
 * (one string alone is a list of one). The current event is its value. */
static int read_choices(struct reader *r, const char *name, struct fc_prelude_step *st)
{
	char what[FC_PROFILE_NAME_MAX + 48];
	bool list = r->ev.type == YAML_SEQUENCE_START_EVENT;
	yaml_mark_t list_mark = r->ev.start_mark;

	snprintf(what, sizeof(what), "profile '%s': a bytes_one_of string", name);
	for (;;) {
		size_t len;

		if (list && advance(r) < 0)
			return -1;
		if (list && r->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (st->nchoices >= FC_PRELUDE_CHOICES)
			return fail(r, r->ev.start_mark,
				    "profile '%s': bytes_one_of takes at most %d strings", name,
				    FC_PRELUDE_CHOICES);
		if (scalar_bytes(r, what, st->choice[st->nchoices], FC_PRELUDE_BYTES_MAX,
				 &len) < 0)
			return -1;
		if (len == 0)
			return fail(r, r->ev.start_mark, "%s must not be empty", what);
		st->choice_len[st->nchoices++] = (uint8_t)len;
		if (!list)
			break;
	}
	if (st->nchoices == 0)
		return fail(r, list_mark, "profile '%s': bytes_one_of needs at least one string",
			    name);
	return 0;
}

/* One prelude step, {bytes_one_of: [...]} or {profile: NAME, max_frames:
 * K}, into *st; a profile name waits in r->steps until all profiles are
 * read. The current event is the step. */
static int read_step(struct reader *r, const char *name, int owner,
		     struct fc_prelude_step *st)
{
	int more;
	yaml_mark_t step_mark = r->ev.start_mark, max_mark = step_mark;
	bool have_bytes = false, have_profile = false, have_max = false;
	const char *s, *e;

	memset(st, 0, sizeof(*st));
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return fail(r, step_mark,
			    "profile '%s': a prelude step must be {bytes_one_of: [...]} "
			    "or {profile: NAME, max_frames: K}", name);
	while ((more = next_key(r, "a prelude step's key", &s)) > 0) {
		yaml_mark_t key;
		bool *have;

		key = r->ev.start_mark;
		if (!strcmp(s, "bytes_one_of"))
			have = &have_bytes;
		else if (!strcmp(s, "profile"))
			have = &have_profile;
		else if (!strcmp(s, "max_frames"))
			have = &have_max;
		else
			return fail(r, key, "profile '%s': unknown prelude step key '%.64s' "
				    "(expected bytes_one_of, or profile and max_frames)", name, s);
		if (*have)
			return fail(r, key, "profile '%s': %s given twice in one prelude step",
				    name, s);
		*have = true;
		if (advance(r) < 0)
			return -1;
		if (have == &have_bytes) {
			if (read_choices(r, name, st) < 0)
				return -1;
		} else if (have == &have_profile) {
			struct pending_step *ps;

			if (!(s = scalar_text(r, "a prelude step's profile")))
				return -1;
			if (r->nsteps >= MAX_PENDING_STEPS) /* preludes bound this */
				return fail(r, r->ev.start_mark, "too many prelude steps");
			ps = &r->steps[r->nsteps++];
			ps->name_too_long = strlen(s) >= sizeof(ps->name);
			snprintf(ps->name, sizeof(ps->name), "%s", s);
			ps->owner = owner;
			ps->mark = r->ev.start_mark;
			ps->step = st;
		} else {
			uint64_t k;

			if (!(s = scalar_text(r, "max_frames")))
				return -1;
			max_mark = r->ev.start_mark;
			if ((e = fc_parse_u64(s, UINT32_MAX, &k)))
				return fail(r, max_mark, "profile '%s': max_frames: %s (got '%.40s')",
					    name, fc_config_tr(e), s);
			if (k == 0)
				return fail(r, max_mark, "profile '%s': max_frames must be at least 1",
					    name);
			st->max_frames = (uint32_t)k;
		}
	}
	if (more < 0)
		return -1;
	if (have_bytes == have_profile)
		return fail(r, step_mark, "profile '%s': a prelude step has %s",
			    name, have_bytes ?
			    fc_config_tr("both bytes_one_of and profile (one step each)") :
			    fc_config_tr("neither bytes_one_of nor profile"));
	if (have_max && !have_profile)
		return fail(r, max_mark, "profile '%s': max_frames goes with profile, "
			    "not with bytes_one_of", name);
	st->kind = have_bytes ? FC_PRELUDE_BYTES_ONE_OF : FC_PRELUDE_PROFILE;
	if (have_profile && !have_max)
		st->max_frames = 1;
	return 0;
}

/* prelude: {c2s: [steps], s2c: [steps]} of profile `owner` (an index not
 * yet filled), into the next of cfg->preludes. The current event is the
 * value of `prelude`. */
static int read_prelude(struct reader *r, const char *name, int owner, struct fc_profile *p)
{
	int more;
	struct fc_config *cfg = r->cfg;
	struct fc_prelude *pre;
	bool seen[2] = { false, false };
	const char *s;

	if ((more = mapping_start(r, "profile '%s': prelude must be a mapping of c2s and s2c "
				 "to steps", name)) <= 0)
		return more;
	if (cfg->npreludes >= FC_CONFIG_MAX_PRELUDES)
		return fail(r, r->ev.start_mark, "too many preludes (at most %d)",
			    FC_CONFIG_MAX_PRELUDES);
	pre = &cfg->preludes[cfg->npreludes];
	memset(pre, 0, sizeof(*pre));
	while ((more = next_key(r, "a prelude direction", &s)) > 0) {
		int dir;

		if (!strcmp(s, "c2s"))
			dir = FC_DIR_C2S;
		else if (!strcmp(s, "s2c"))
			dir = FC_DIR_S2C;
		else
			return fail(r, r->ev.start_mark,
				    "profile '%s': prelude: unknown direction '%.64s' (expected c2s or s2c)",
				    name, s);
		if (seen[dir])
			return fail(r, r->ev.start_mark, "profile '%s': prelude: %s given twice",
				    name, s);
		seen[dir] = true;
		if (advance(r) < 0)
			return -1;
		if (is_null(&r->ev))
			continue;
		if (r->ev.type != YAML_SEQUENCE_START_EVENT)
			return fail(r, r->ev.start_mark,
				    "profile '%s': prelude %s must be a list of steps", name,
				    dir == FC_DIR_C2S ? "c2s" : "s2c");
		for (;;) {
			if (advance(r) < 0)
				return -1;
			if (r->ev.type == YAML_SEQUENCE_END_EVENT)
				break;
			if (pre->nsteps[dir] >= FC_PRELUDE_STEPS)
				return fail(r, r->ev.start_mark,
					    "profile '%s': prelude %s has more than %d steps", name,
					    dir == FC_DIR_C2S ? "c2s" : "s2c", FC_PRELUDE_STEPS);
			if (read_step(r, name, owner, &pre->steps[dir][pre->nsteps[dir]]) < 0)
				return -1;
			pre->nsteps[dir]++;
		}
	}
	if (more < 0)
		return -1;
	if (pre->nsteps[FC_DIR_C2S] || pre->nsteps[FC_DIR_S2C]) {
		cfg->npreludes++;
		p->prelude = pre;
	}
	return 0;
}

/* The current event is the profile's value; name_mark is where its name
 * key stands, which is where errors about the profile as a whole point. */
static int read_profile(struct reader *r, const char *name,
			yaml_mark_t name_mark)
{
	int more;
	struct fc_profile p;
	const struct fc_prelude *prelude;
	enum fc_profile_field blame;
	bool given[NFIELDS] = { false };
	yaml_mark_t at[NFIELDS], key_at[NFIELDS];
	const char *s, *e;
	int owner = r->cfg->nprofiles, misfit = NFIELDS;

	fc_profile_default(&p);
	snprintf(p.name, sizeof(p.name), "%s", name);

	if ((more = mapping_start(r, "profile '%s' must be a mapping of fields", name)) < 0)
		return -1;
	if (more) {
		while ((more = next_key(r, "a field name", &s)) > 0) {
			int f;

			for (f = 0; f < NFIELDS; f++)
				if (!strcmp(s, fields[f].name))
					break;
			if (f == NFIELDS)
				return fail(r, r->ev.start_mark,
					    "profile '%s': unknown field '%.64s'",
					    name, s);
			if (given[f])
				return fail(r, r->ev.start_mark,
					    "profile '%s': %s given twice (first at line %lu)",
					    name, fields[f].name,
					    (unsigned long)at[f].line + 1);
			key_at[f] = r->ev.start_mark;
			if (advance(r) < 0)
				return -1;
			given[f] = true;
			at[f] = r->ev.start_mark;
			if (f == F_PRELUDE) {
				r->prelude_mark[owner] = at[f];
				if (read_prelude(r, name, owner, &p) < 0)
					return -1;
				continue;
			}
			if (f == F_DELIMITER) {
				char what[FC_PROFILE_NAME_MAX + 32];
				uint8_t d[FC_DELIMITER_MAX];
				size_t n;

				snprintf(what, sizeof(what), "profile '%s': delimiter", name);
				if (scalar_bytes(r, what, d, sizeof(d), &n) < 0)
					return -1;
				if ((e = fc_profile_set_delimiter(&p, d, n)))
					return fail(r, at[f], "profile '%s': %s", name, fc_config_tr(e));
				continue;
			}
			if (!(s = scalar_text(r, fields[f].name)))
				return -1;
			if ((e = set_field(&p, (enum field)f, s)))
				return fail(r, at[f], "profile '%s': %s: %s (got '%.40s')",
					    name, fields[f].name, fc_config_tr(e), s);
		}
		if (more < 0)
			return -1;
	}

	/* The first field, in the text, that the framing does not use. */
	for (int f = 0; f < NFIELDS; f++)
		if (given[f] && !(fields[f].framings & FR(p.framing)) &&
		    (misfit == NFIELDS || key_at[f].index < key_at[misfit].index))
			misfit = f;
	if (misfit != NFIELDS)
		return fail(r, key_at[misfit], "profile '%s': %s does not apply to framing %s%s",
			    name, fields[misfit].name, fc_framing_name(p.framing),
			    given[F_FRAMING] ? "" :
			    fc_config_tr(" (the default; add a framing: key)"));

	/* A header that is only the length field is the common case, so
	 * follow a custom length field rather than keep the default's 4.
	 * Summed wide so a huge offset reaches fc_profile_check() intact. */
	if (!given[F_HEADER_SIZE]) {
		uint64_t end = (uint64_t)p.length_offset + p.length_size;

		p.header_size = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
	}
	/* The prelude's profile steps are filled in by resolve_preludes(),
	 * which checks the whole again. */
	prelude = p.prelude;
	p.prelude = NULL;
	if ((e = fc_profile_check_field(&p, &blame))) {
		enum field f = yaml_field(blame);

		return fail(r, f != NFIELDS && given[f] ? at[f] : name_mark,
			    "profile '%s': %s", name, fc_config_tr(e));
	}
	p.prelude = prelude;
	r->cfg->profiles[r->cfg->nprofiles++] = p;
	return 0;
}

/* Fill each prelude step's profile from the profile it names, now that
 * all are known, then check each profile with its prelude. */
static int resolve_preludes(struct reader *r)
{
	struct fc_config *cfg = r->cfg;
	enum fc_profile_field blame;
	const char *e;

	for (int i = 0; i < r->nsteps; i++) {
		struct pending_step *ps = &r->steps[i];
		const char *owner = cfg->profiles[ps->owner].name;
		int k = ps->name_too_long ? -1 : fc_config_find(cfg, ps->name);
		const struct fc_profile *t;

		if (k < 0)
			return fail(r, ps->mark, "profile '%s': prelude: no profile named '%s%s'",
				    owner, ps->name, ps->name_too_long ? "..." : "");
		t = &cfg->profiles[k];
		if (t->prelude)
			return fail(r, ps->mark,
				    "profile '%s': prelude profile '%s' has a prelude of its own",
				    owner, t->name);
		if (!fc_profile_is_prefix(t))
			return fail(r, ps->mark,
				    "profile '%s': prelude profile '%s' has framing %s "
				    "(a prelude's profile must be length, varint, ber or fixed)",
				    owner, t->name, fc_framing_name(t->framing));
		ps->step->profile = *t;
	}
	for (int i = 0; i < cfg->nprofiles; i++)
		if (cfg->profiles[i].prelude &&
		    (e = fc_profile_check_field(&cfg->profiles[i], &blame)))
			return fail(r, r->prelude_mark[i], "profile '%s': %s",
				    cfg->profiles[i].name, fc_config_tr(e));
	return 0;
}

static int read_profiles(struct reader *r)
{
	int more;
	struct fc_config *cfg = r->cfg;
	const char *s;

	if ((more = mapping_start(r, "'profiles' must be a mapping of names to profiles")) <= 0)
		return more;
	while ((more = next_key(r, "a profile name", &s)) > 0) {
		char name[FC_PROFILE_NAME_MAX];
		yaml_mark_t mark;
		int dup;

		mark = r->ev.start_mark;
		if (!*s)
			return fail(r, mark, "profile name must not be empty");
		if (strlen(s) >= sizeof(name))
			return fail(r, mark, "profile name '%.32s...' is longer than %d characters",
				    s, FC_PROFILE_NAME_MAX - 1);
		if ((dup = fc_config_find(cfg, s)) >= 0)
			return fail(r, mark, "duplicate profile '%s' (first at line %lu)",
				    s, (unsigned long)r->profile_mark[dup].line + 1);
		if (cfg->nprofiles >= FC_CONFIG_MAX_PROFILES)
			return fail(r, mark, "too many profiles (at most %d)",
				    FC_CONFIG_MAX_PROFILES);
		snprintf(name, sizeof(name), "%s", s);
		r->profile_mark[cfg->nprofiles] = mark;
		if (advance(r) < 0 || read_profile(r, name, mark) < 0)
			return -1;
	}
	return more;
}

static int read_ports(struct reader *r)
{
	int more;
	struct fc_config *cfg = r->cfg;
	const char *s, *e;

	if ((more = mapping_start(r, "'ports' must be a mapping of port numbers to profile "
				 "names")) <= 0)
		return more;
	while ((more = next_key(r, "a port", &s)) > 0) {
		struct pending_port *pp;
		yaml_mark_t key_mark;
		uint64_t port;

		key_mark = r->ev.start_mark;
		if ((e = fc_parse_u64(s, 65535, &port)) || port == 0)
			return fail(r, key_mark, "port '%.32s' must be an integer 1 to 65535",
				    s);
		for (int i = 0; i < cfg->nports; i++)
			if (cfg->ports[i].port == port)
				return fail(r, key_mark, "duplicate port %" PRIu64 " (first at line %lu)",
					    port, (unsigned long)r->pending[i].key_mark.line + 1);
		if (cfg->nports >= FC_CONFIG_MAX_PORTS)
			return fail(r, key_mark, "too many ports (at most %d)",
				    FC_CONFIG_MAX_PORTS);
		if (advance(r) < 0)
			return -1;
		if (is_null(&r->ev))
			return fail(r, r->ev.start_mark, "port %" PRIu64 ": no profile name given",
				    port);
		if (!(s = scalar_text(r, "a port's profile name")))
			return -1;
		pp = &r->pending[cfg->nports];
		pp->key_mark = key_mark;
		pp->value_mark = r->ev.start_mark;
		pp->name_too_long = strlen(s) >= sizeof(pp->name);
		snprintf(pp->name, sizeof(pp->name), "%s", s);
		cfg->ports[cfg->nports].port = (uint16_t)port;
		cfg->ports[cfg->nports].profile = -1;
		cfg->nports++;
	}
	return more;
}

static int resolve_ports(struct reader *r)
{
	struct fc_config *cfg = r->cfg;

	for (int i = 0; i < cfg->nports; i++) {
		const struct pending_port *pp = &r->pending[i];
		int idx = pp->name_too_long ? -1 : fc_config_find(cfg, pp->name);

		if (idx < 0)
			return fail(r, pp->value_mark, "port %u: no profile named '%s%s'",
				    (unsigned)cfg->ports[i].port, pp->name,
				    pp->name_too_long ? "..." : "");
		cfg->ports[i].profile = idx;
	}
	return 0;
}

/* The current event is the top-level mapping's start. */
static int read_top(struct reader *r)
{
	int more;
	bool seen_profiles = false, seen_ports = false;
	const char *key;

	while ((more = next_key(r, "a top-level key", &key)) > 0) {
		bool *seen;
		int rc;

		if (!strcmp(key, "profiles"))
			seen = &seen_profiles;
		else if (!strcmp(key, "ports"))
			seen = &seen_ports;
		else
			return fail(r, r->ev.start_mark,
				    "unknown key '%.64s' (expected 'profiles' or 'ports')",
				    key);
		if (*seen)
			return fail(r, r->ev.start_mark, "'%s' given twice", key);
		*seen = true;
		if (advance(r) < 0)
			return -1;
		rc = seen == &seen_profiles ? read_profiles(r) : read_ports(r);
		if (rc < 0)
			return -1;
	}
	return more;
}

static int read_stream(struct reader *r)
{
	/* STREAM-START, then DOCUMENT-START unless the input has no document
	 * at all (empty, or only comments). */
	if (advance(r) < 0 || advance(r) < 0)
		return -1;
	if (r->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	if (advance(r) < 0)
		return -1;
	if (r->ev.type == YAML_MAPPING_START_EVENT) {
		if (read_top(r) < 0)
			return -1;
	} else if (!is_null(&r->ev)) {
		return fail(r, r->ev.start_mark,
			    "the top level must be a mapping with 'profiles' and 'ports'");
	}
	if (advance(r) < 0 || advance(r) < 0) /* DOCUMENT-END, then the next */
		return -1;
	if (r->ev.type != YAML_STREAM_END_EVENT)
		return fail(r, r->ev.start_mark,
			    "only one YAML document is allowed");
	if (resolve_ports(r) < 0)
		return -1;
	return resolve_preludes(r);
}

/* A whole pass that only asks libyaml for events. Without it, a broken
 * line would surface as whatever odd value libyaml made of the text before
 * noticing (an unclosed '{' turns the next line into part of a scalar),
 * and the real mistake would never be reported. */
static int check_syntax(struct reader *r)
{
	yaml_event_t ev;
	yaml_event_type_t type;
	unsigned depth = 0;

	do {
		if (!yaml_parser_parse(&r->parser, &ev))
			return syntax_error(r);
		type = ev.type;
		/* fc_config_guard counted the nesting already; this exact
		 * count stops whatever its approximation of YAML let through
		 * while libyaml is still at most a line ahead. */
		if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
			if (++depth > FC_CONFIG_MAX_DEPTH) {
				yaml_mark_t at = ev.start_mark;

				yaml_event_delete(&ev);
				return fail(r, at, "nested deeper than %d levels",
					    FC_CONFIG_MAX_DEPTH);
			}
		} else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
	} while (type != YAML_STREAM_END_EVENT);
	return 0;
}

/* Size and nesting, before libyaml sees the text: its scanner is
 * quadratic in the nesting depth. */
static int guard(struct reader *r)
{
	struct fc_config_guard_error ge;

	if (fc_config_guard(r->text, r->len, &ge) == 0)
		return 0;
	error_set(r->err, ge.line, ge.column, "%s", ge.message);
	return -1;
}

static int run_pass(struct reader *r, int (*pass)(struct reader *))
{
	int rc;

	if (!yaml_parser_initialize(&r->parser)) {
		error_set(r->err, 0, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)r->text,
				     r->len);
	rc = pass(r);
	if (r->have_ev) {
		yaml_event_delete(&r->ev);
		r->have_ev = false;
	}
	yaml_parser_delete(&r->parser);
	return rc;
}

void fc_config_init(struct fc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

int fc_config_parse(struct fc_config *cfg, const char *text, size_t len,
		    const char *filename, struct fc_config_error *err)
{
	struct fc_config_error scratch;
	struct reader *r;
	int rc;

	if (!err)
		err = &scratch;
	error_start(err, filename);
	fc_config_init(cfg);
	if (!text)
		text = "";
	/* The pending-port table makes the reader about 30 KiB: too much
	 * for a small thread stack. */
	r = calloc(1, sizeof(*r));
	if (!r) {
		error_set(err, 0, 0, "out of memory");
		return -1;
	}
	r->text = text;
	r->len = len;
	r->cfg = cfg;
	r->err = err;
	rc = guard(r);
	if (rc == 0)
		rc = run_pass(r, check_syntax);
	if (rc == 0)
		rc = run_pass(r, read_stream);
	free(r);
	if (rc < 0)
		fc_config_init(cfg);
	return rc;
}

void fc_config_error_set(struct fc_config_error *err, const char *file,
			 const char *fmt, ...)
{
	va_list ap;

	if (file)
		error_start(err, file);
	va_start(ap, fmt);
	error_vset(err, 0, 0, fmt, ap);
	va_end(ap);
}

int fc_config_find(const struct fc_config *cfg, const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < cfg->nprofiles; i++)
		if (!strcmp(cfg->profiles[i].name, name))
			return i;
	return -1;
}

const struct fc_profile *fc_config_for_port(const struct fc_config *cfg,
					    uint16_t port)
{
	for (int i = 0; i < cfg->nports; i++)
		if (cfg->ports[i].port == port && cfg->ports[i].profile >= 0 &&
		    cfg->ports[i].profile < cfg->nprofiles)
			return &cfg->profiles[cfg->ports[i].profile];
	return NULL;
}

void fc_config_error_format(const struct fc_config_error *err, char *buf,
			    size_t len)
{
	if (!buf || !len)
		return;
	if (err->line && err->column)
		snprintf(buf, len, "%s:%lu:%lu: %s", err->file, err->line,
			 err->column, err->message);
	else if (err->line)
		snprintf(buf, len, "%s:%lu: %s", err->file, err->line,
			 err->message);
	else
		snprintf(buf, len, "%s: %s", err->file, err->message);
}

const struct fc_profile *fc_profile_pick(const struct fc_config *cfg,
					 const struct fc_profile *forced,
					 const struct fc_profile *fallback,
					 uint16_t server_port, uint16_t client_port)
{
	const struct fc_profile *p = NULL;

	if (forced)
		return forced;
	if (cfg) {
		p = fc_config_for_port(cfg, server_port);
		if (!p)
			p = fc_config_for_port(cfg, client_port);
	}
	return p ? p : fallback;
}
