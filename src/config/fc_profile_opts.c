/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_profile_opts.c - framing options on a command line, and the profile
 * they select (see fc_profile_opts.h for the order of precedence). */
#include "fc_profile_opts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *take_u32(const char *arg, uint32_t max, uint32_t *out)
{
	uint64_t v;
	const char *err = fc_parse_u64(arg, max, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int fc_profile_opts_take(struct fc_profile_opts *o, int opt, const char *arg,
			 const char **err)
{
	int64_t i64;

	*err = NULL;
	switch (opt) {
	case FC_OPT_CONFIG: o->config_path = arg; break;
	case FC_OPT_PROFILE: o->profile_name = arg; break;
	case FC_OPT_LENGTH_OFFSET:
		o->offset = true;
		*err = take_u32(arg, 65535, &o->v.length_offset);
		break;
	case FC_OPT_LENGTH_SIZE:
		o->size = true;
		*err = take_u32(arg, 64, &o->v.length_size);
		break;
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
	case FC_OPT_HEADER_SIZE:
		o->header = true;
		*err = take_u32(arg, FC_MAX_HEADER_SIZE, &o->v.header_size);
		break;
	case FC_OPT_MAX_FRAME:
		o->max = true;
		*err = fc_parse_u64(arg, FC_MAX_MAX_FRAME, &o->v.max_frame);
		break;
	default:
		return 0;
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
		return cfg->nprofiles ? "no such profile in the configuration"
				      : "no such profile (no configuration file loaded)";
	return fc_profile_opts_apply(o, out);
}

const char *fc_profile_opts_apply(const struct fc_profile_opts *o,
				  struct fc_profile *out)
{
	bool derived;

	derived = out->header_size == fc_profile_length_end(out);
	if (o->offset)
		out->length_offset = o->v.length_offset;
	if (o->size)
		out->length_size = o->v.length_size;
	if (o->order)
		out->byte_order = o->v.byte_order;
	if (o->sign)
		out->is_signed = o->v.is_signed;
	if (o->adjustment)
		out->length_adjustment = o->v.length_adjustment;
	if (o->max)
		out->max_frame = o->v.max_frame;
	if (o->header)
		out->header_size = o->v.header_size;
	else if (derived)
		out->header_size = fc_profile_length_end(out);
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
			snprintf(msg, len, "--profile %s: %s", o->profile_name, err);
		else if (o->profile_name)
			snprintf(msg, len, "profile '%s' with the framing options: %s",
				 fallback->name, err);
		else
			snprintf(msg, len, "framing options: %s", err);
		return -1;
	}
	for (int i = 0; i < cfg->nprofiles; i++) {
		if ((err = fc_profile_opts_apply(o, &cfg->profiles[i]))) {
			snprintf(msg, len, "profile '%s' with the framing options: %s",
				 cfg->profiles[i].name, err);
			return -1;
		}
	}
	return 0;
}

void fc_profile_describe(const struct fc_profile *p, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s (%u-byte %s %s length", p->name, p->length_size,
			 p->byte_order == FC_BIG_ENDIAN ? "big-endian" : "little-endian",
			 p->is_signed ? "signed" : "unsigned");
	size_t at = n > 0 ? (size_t)n : 0;

	if (at < len && p->length_offset)
		at += (size_t)snprintf(buf + at, len - at, " at %u", p->length_offset);
	if (at < len && p->length_adjustment)
		at += (size_t)snprintf(buf + at, len - at, ", adjustment %+" PRId64,
				       p->length_adjustment);
	if (at < len && p->header_size != fc_profile_length_end(p))
		at += (size_t)snprintf(buf + at, len - at, ", header %u", p->header_size);
	if (at < len)
		snprintf(buf + at, len - at, ")");
}
