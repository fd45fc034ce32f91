/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile_opts.c - framing options on a command line, and the profile
 * they select (see fc_profile_opts.h for the order of precedence).
 *
 *   argv --take--> fc_profile_opts (values + "given" flags)
 *        --select--> a config profile or the default --apply--> checked
 *                    profile, described by fc_profile_describe
 */
#include "fc_profile_opts.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options that set one number of the profile: which flag says it was
 * given, the field (a uint32_t or a uint64_t) it sets, its largest value,
 * and why a zero is refused (NULL: zero is a value). */
static const struct num_opt {
	int opt;
	size_t given; /* offsetof(struct fc_profile_opts, ...) */
	size_t at, size; /* offsetof and sizeof the struct fc_profile field */
	uint64_t max;
	const char *zero;
} num_opts[] = {
#define NUM_OPT(opt, given, field, max, zero) \
	{ opt, offsetof(struct fc_profile_opts, given), offsetof(struct fc_profile, field), \
	  sizeof(((struct fc_profile *)0)->field), max, zero }
	NUM_OPT(FC_OPT_LENGTH_OFFSET, offset, length_offset, 65535, NULL),
	NUM_OPT(FC_OPT_LENGTH_SIZE, size, length_size, 64, NULL),
	NUM_OPT(FC_OPT_HEADER_SIZE, header, header_size, FC_MAX_HEADER_SIZE, NULL),
	NUM_OPT(FC_OPT_MAX_FRAME, max, max_frame, FC_MAX_MAX_FRAME, NULL),
	NUM_OPT(FC_OPT_FRAME_SIZE, frame_size, frame_size, FC_MAX_MAX_FRAME,
		"a frame has at least 1 byte"),
	NUM_OPT(FC_OPT_VARINT_MAX_BYTES, varint_max, varint_max_bytes, FC_VARINT_MAX_BYTES,
		"varint_max_bytes must be 1 to 10"),
	NUM_OPT(FC_OPT_LENGTH_MASK, mask, length_mask, UINT64_MAX, NULL),
#undef NUM_OPT
};
#define NUM_OPTS (sizeof(num_opts) / sizeof(num_opts[0]))

/* The options only one framing uses: given without it, a mistake (most
 * likely a forgotten --framing), as in the YAML, not something to ignore. */
static const struct {
	size_t given; /* offsetof(struct fc_profile_opts, ...) */
	enum fc_framing framing;
	const char *mistake;
} framing_only[] = {
	{ offsetof(struct fc_profile_opts, delimiter), FC_FRAMING_DELIMITER,
	  FC_N_("--delimiter needs --framing delimiter") },
	{ offsetof(struct fc_profile_opts, frame_size), FC_FRAMING_FIXED,
	  FC_N_("--frame-size needs --framing fixed") },
	{ offsetof(struct fc_profile_opts, varint_max), FC_FRAMING_VARINT,
	  FC_N_("--varint-max-bytes needs --framing varint") },
	{ offsetof(struct fc_profile_opts, mask), FC_FRAMING_LENGTH,
	  FC_N_("--length-mask needs --framing length") },
};

/* The "given" flag at offset `at` of o. */
static bool given(const struct fc_profile_opts *o, size_t at)
{
	return *(const bool *)(const void *)((const char *)o + at);
}

/* fc_profile_opts_take for the options of num_opts: 1 taken, -1 a bad
 * value (*err), 0 not one of them. */
static int take_number(struct fc_profile_opts *o, int opt, const char *arg, const char **err)
{
	for (size_t i = 0; i < NUM_OPTS; i++) {
		const struct num_opt *n = &num_opts[i];
		char *at = (char *)&o->v + n->at;
		uint32_t v32;
		uint64_t v;

		if (n->opt != opt)
			continue;
		*(bool *)(void *)((char *)o + n->given) = true;
		if ((*err = fc_parse_u64(arg, n->max, &v)))
			return -1;
		v32 = (uint32_t)v; /* n->max fits a uint32_t field */
		memcpy(at, n->size == sizeof(v32) ? (const void *)&v32 : &v, n->size);
		*err = v ? NULL : n->zero;
		return *err ? -1 : 1;
	}
	return 0;
}

const char *fc_parse_escaped(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;

	while (*s) {
		unsigned char c = (unsigned char)*s++;

		if (n == cap)
			return cap == FC_DELIMITER_MAX ? FC_N_("a delimiter has at most 16 bytes")
						       : FC_N_("too many bytes");
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		switch (*s++) {
		case 'r': out[n++] = '\r'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case '0': out[n++] = '\0'; break;
		case '\\': out[n++] = '\\'; break;
		case '"': out[n++] = '"'; break;
		case 'x': {
			int v = 0;

			for (int k = 0; k < 2; k++, s++) {
				char h = *s;
				int d = h >= '0' && h <= '9' ? h - '0' :
					h >= 'a' && h <= 'f' ? h - 'a' + 10 :
					h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;

				if (d < 0)
					return FC_N_("\\x needs two hex digits (\\x0a)");
				v = v << 4 | d;
			}
			out[n++] = (uint8_t)v;
			break;
		}
		case '\0':
			return FC_N_("a lone \\ at the end (write \\\\ for a backslash)");
		default:
			return FC_N_("unknown escape (use \\r \\n \\t \\0 \\\\ \\\" or \\xHH)");
		}
	}
	if (n == 0)
		return FC_N_("empty (give at least one byte)");
	*len = n;
	return NULL;
}

void fc_format_escaped(const uint8_t *b, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	if (!len)
		return;
	for (size_t i = 0; i < n; i++) {
		char one[5];

		switch (b[i]) {
		case '\r': strcpy(one, "\\r"); break;
		case '\n': strcpy(one, "\\n"); break;
		case '\t': strcpy(one, "\\t"); break;
		case '\0': strcpy(one, "\\0"); break;
		case '\\': strcpy(one, "\\\\"); break;
		case '"': strcpy(one, "\\\""); break;
		default:
			if (b[i] >= 0x20 && b[i] < 0x7f)
				one[0] = (char)b[i], one[1] = '\0';
			else
				snprintf(one, sizeof(one), "\\x%02x", b[i]);
		}
		if (at + strlen(one) >= len)
			break;
		memcpy(buf + at, one, strlen(one));
		at += strlen(one);
	}
	buf[at] = '\0';
}

int fc_profile_opts_take(struct fc_profile_opts *o, int opt, const char *arg,
			 const char **err)
{
	int64_t i64;

	*err = NULL;
	switch (opt) {
	case FC_OPT_CONFIG: o->config_path = arg; break;
	case FC_OPT_PROFILE: o->profile_name = arg; break;
	case FC_OPT_BYTE_ORDER:
		o->order = true;
		*err = fc_parse_byte_order(arg, &o->v.byte_order);
		break;
	case FC_OPT_SIGNED: o->sign = true; o->v.is_signed = true; break;
	case FC_OPT_UNSIGNED: o->sign = true; o->v.is_signed = false; break;
	case FC_OPT_LENGTH_ADJUSTMENT:
		o->adjustment = true;
		*err = fc_parse_i64(arg, -FC_MAX_ADJUSTMENT, FC_MAX_ADJUSTMENT, &i64);
		o->v.length_adjustment = i64;
		break;
	case FC_OPT_FRAMING:
		o->framing = true;
		*err = fc_parse_framing(arg, &o->v.framing);
		break;
	case FC_OPT_DELIMITER: {
		uint8_t d[FC_DELIMITER_MAX];
		size_t n = 0;

		o->delimiter = true;
		if (!(*err = fc_parse_escaped(arg, d, sizeof(d), &n)))
			*err = fc_profile_set_delimiter(&o->v, d, n);
		break;
	}
	default:
		return take_number(o, opt, arg, err);
	}
	return *err ? -1 : 1;
}

int fc_profile_opts_load(const struct fc_profile_opts *o, struct fc_config *cfg,
			 struct fc_config_error *err)
{
	return fc_profile_opts_search(o, cfg, err, NULL);
}

/* Note a file the search passed over, if the caller wants to know. */
static void note_skipped(struct fc_config_search *search, const char *path,
			 const char *reason)
{
	struct fc_config_skipped *k;

	if (!search || search->nskipped >= FC_CONFIG_MAX_SKIPPED)
		return;
	k = &search->skipped[search->nskipped++];
	snprintf(k->path, sizeof(k->path), "%s", path);
	k->reason = reason;
}

int fc_profile_opts_search(const struct fc_profile_opts *o, struct fc_config *cfg,
			   struct fc_config_error *err,
			   struct fc_config_search *search)
{
	char home_path[4096];
	const char *home = getenv("HOME");
	const char *candidates[2] = { "./framecap.yaml", NULL };
	int n = 1;

	if (search)
		search->nskipped = 0;
	fc_config_init(cfg);
	if (o->config_path)
		return fc_config_load(cfg, o->config_path, err);
	if (home) {
		snprintf(home_path, sizeof(home_path), "%s/.config/framecap/framecap.yaml",
			 home);
		candidates[n++] = home_path;
	}
	for (int i = 0; i < n; i++) {
		const char *why;

		switch (fc_config_load_found(cfg, candidates[i], err, &why)) {
		case FC_CONFIG_LOADED: return 0;
		case FC_CONFIG_FAILED: return -1;
		case FC_CONFIG_SKIPPED: note_skipped(search, candidates[i], why); break;
		case FC_CONFIG_ABSENT: break;
		}
	}
	fc_config_init(cfg);
	return 0;
}

const char *fc_profile_opts_select(const struct fc_profile_opts *o,
				   const struct fc_config *cfg,
				   struct fc_profile *out)
{
	const char *name = o->profile_name ? o->profile_name : "default";
	int k = fc_config_find(cfg, name);

	if (k >= 0)
		*out = cfg->profiles[k];
	else if (!strcmp(name, "default"))
		fc_profile_default(out);
	else
		return cfg->nprofiles ? FC_N_("no such profile in the configuration")
				      : FC_N_("no such profile (no configuration file loaded)");
	return fc_profile_opts_apply(o, out);
}

const char *fc_profile_opts_apply(const struct fc_profile_opts *o,
				  struct fc_profile *out)
{
	bool derived;

	derived = out->header_size == fc_profile_length_end(out);
	for (size_t i = 0; i < NUM_OPTS; i++)
		if (given(o, num_opts[i].given))
			memcpy((char *)out + num_opts[i].at, (const char *)&o->v + num_opts[i].at,
			       num_opts[i].size);
	if (!o->header && derived)
		out->header_size = fc_profile_length_end(out);
	if (o->order)
		out->byte_order = o->v.byte_order;
	if (o->sign)
		out->is_signed = o->v.is_signed;
	if (o->adjustment)
		out->length_adjustment = o->v.length_adjustment;
	if (o->framing)
		out->framing = o->v.framing;
	if (o->delimiter)
		fc_profile_set_delimiter(out, o->v.delimiter, o->v.delimiter_len);
	for (size_t i = 0; i < sizeof(framing_only) / sizeof(framing_only[0]); i++)
		if (given(o, framing_only[i].given) && out->framing != framing_only[i].framing)
			return framing_only[i].mistake;
	return fc_profile_check(out);
}

int fc_profile_opts_choose(const struct fc_profile_opts *o, struct fc_config *cfg,
			   struct fc_profile *fallback, bool *forced,
			   char *msg, size_t len)
{
	const char *err = fc_profile_opts_select(o, cfg, fallback);

	*forced = o->profile_name != NULL;
	if (err) {
		if (o->profile_name && fc_config_find(cfg, o->profile_name) < 0 &&
		    strcmp(o->profile_name, "default"))
			snprintf(msg, len, fc_config_tr("--profile %s: %s"), o->profile_name,
				 fc_config_tr(err));
		else if (o->profile_name)
			snprintf(msg, len, fc_config_tr("profile '%s' with the framing options: %s"),
				 fallback->name, fc_config_tr(err));
		else
			snprintf(msg, len, fc_config_tr("framing options: %s"), fc_config_tr(err));
		return -1;
	}
	/* Under --profile the fallback serves every stream: the others are
	 * left as they are, so that --delimiter can change a delimiter
	 * profile of a file that also holds length ones. */
	for (int i = 0; !*forced && i < cfg->nprofiles; i++) {
		if ((err = fc_profile_opts_apply(o, &cfg->profiles[i]))) {
			snprintf(msg, len, fc_config_tr("profile '%s' with the framing options: %s"),
				 cfg->profiles[i].name, fc_config_tr(err));
			return -1;
		}
	}
	return 0;
}

/* Append to buf at *at, as snprintf does, never past len. */
static void add(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

void fc_profile_describe(const struct fc_profile *p, char *buf, size_t len)
{
	fc_profile_describe_in(p, NULL, buf, len);
}

/* The text to use for the English `msgid`: the translator's, or msgid. */
#define T(s) (tr ? tr(s) : (s))

void fc_profile_describe_in(const struct fc_profile *p, fc_translate_fn tr, char *buf,
			    size_t len)
{
	size_t at = 0;

	if (!len)
		return;
	buf[0] = '\0';
	add(buf, len, &at, "%s (", p->name);
	switch (p->framing) {
	case FC_FRAMING_VARINT:
		add(buf, len, &at, "varint");
		if (p->length_offset)
			add(buf, len, &at, T(" at offset %u"), p->length_offset);
		add(buf, len, &at, T(", at most %u bytes"), p->varint_max_bytes);
		break;
	case FC_FRAMING_BER:
		add(buf, len, &at, "%s", T("BER tag and length"));
		break;
	case FC_FRAMING_DELIMITER: {
		char d[4 * FC_DELIMITER_MAX + 1];

		fc_format_escaped(p->delimiter, p->delimiter_len, d, sizeof(d));
		add(buf, len, &at, T("delimiter \"%s\""), d);
		break;
	}
	case FC_FRAMING_FIXED:
		add(buf, len, &at, T("fixed %" PRIu64 " bytes"), p->frame_size);
		break;
	default:
		add(buf, len, &at, T("%u-byte %s %s length"), p->length_size,
		    p->byte_order == FC_BIG_ENDIAN ? T("big-endian") : T("little-endian"),
		    p->is_signed ? T("signed") : T("unsigned"));
		if (p->length_offset)
			add(buf, len, &at, T(" at %u"), p->length_offset);
		break;
	}
	if (p->length_adjustment && (p->framing == FC_FRAMING_LENGTH ||
				     p->framing == FC_FRAMING_VARINT ||
				     p->framing == FC_FRAMING_BER))
		add(buf, len, &at, T(", adjustment %+" PRId64), p->length_adjustment);
	if (p->framing == FC_FRAMING_LENGTH && p->header_size != fc_profile_length_end(p))
		add(buf, len, &at, T(", header %u"), p->header_size);
	if (p->framing == FC_FRAMING_LENGTH && p->length_mask)
		add(buf, len, &at, T(", mask 0x%" PRIx64), p->length_mask);
	if (p->prelude)
		add(buf, len, &at, "%s", T(" + prelude"));
	add(buf, len, &at, ")");
}
