/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config.c - read named framing profiles and the port map from YAML.
 *
 *   profiles:                      # name -> fields; {} or nothing is empty
 *     tutorial: {length_size: 4, byte_order: little, signed: true}
 *     kafka:
 *       length_size: 4
 *       byte_order: big
 *       length_adjustment: -2      # any field left out keeps the default
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
	NFIELDS
};

static const char *const field_names[NFIELDS] = {
	[F_LENGTH_OFFSET] = "length_offset",
	[F_LENGTH_SIZE] = "length_size",
	[F_BYTE_ORDER] = "byte_order",
	[F_SIGNED] = "signed",
	[F_LENGTH_ADJUSTMENT] = "length_adjustment",
	[F_HEADER_SIZE] = "header_size",
	[F_MAX_FRAME] = "max_frame",
};

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

static void error_vset(struct fc_config_error *err, unsigned long line,
		       unsigned long column, const char *fmt, va_list ap)
{
	err->line = line;
	err->column = column;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
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

/* Marks are 0-based; people and editors count from 1. */
static int fail(struct reader *r, yaml_mark_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(r->err, (unsigned long)at.line + 1,
		   (unsigned long)at.column + 1, fmt, ap);
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

/* The current scalar as a C string. A "\0" escape would silently cut
 * the text short for every string function after this, so refuse it. */
static const char *scalar_text(struct reader *r, const char *what)
{
	const yaml_event_t *ev = &r->ev;

	if (ev->type != YAML_SCALAR_EVENT) {
		fail(r, ev->start_mark, "%s must be a scalar value, not a %s",
		     what, ev->type == YAML_MAPPING_START_EVENT ? "mapping" :
		     "sequence");
		return NULL;
	}
	if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
		fail(r, ev->start_mark, "%s contains a NUL character", what);
		return NULL;
	}
	return (const char *)ev->data.scalar.value;
}

static const char *set_field(struct fc_profile *p, enum field f, const char *s)
{
	const char *e;
	uint64_t u;
	int64_t i;
	bool b;

	/* Only the C types bound the numbers here; fc_profile_check() owns
	 * the real limits so the CLI and the YAML report them alike. */
	switch (f) {
	case F_LENGTH_OFFSET:
		if ((e = fc_parse_u64(s, UINT32_MAX, &u)))
			return e;
		p->length_offset = (uint32_t)u;
		return NULL;
	case F_LENGTH_SIZE:
		if ((e = fc_parse_u64(s, UINT32_MAX, &u)))
			return e;
		p->length_size = (uint32_t)u;
		return NULL;
	case F_BYTE_ORDER:
		return fc_parse_byte_order(s, &p->byte_order);
	case F_SIGNED:
		if ((e = fc_parse_bool(s, &b)))
			return e;
		p->is_signed = b;
		return NULL;
	case F_LENGTH_ADJUSTMENT:
		if ((e = fc_parse_i64(s, INT64_MIN, INT64_MAX, &i)))
			return e;
		p->length_adjustment = i;
		return NULL;
	case F_HEADER_SIZE:
		if ((e = fc_parse_u64(s, UINT32_MAX, &u)))
			return e;
		p->header_size = (uint32_t)u;
		return NULL;
	case F_MAX_FRAME:
		if ((e = fc_parse_u64(s, UINT64_MAX, &u)))
			return e;
		p->max_frame = u;
		return NULL;
	case NFIELDS:
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
	case FC_PF_NONE:
	case FC_PF_FRAMING:
	case FC_PF_LENGTH_MASK:
	case FC_PF_VARINT_MAX_BYTES:
	case FC_PF_DELIMITER:
	case FC_PF_FRAME_SIZE:
	case FC_PF_PRELUDE:
		break;
	}
	return NFIELDS;
}

/* The current event is the profile's value; name_mark is where its name
 * key stands, which is where errors about the profile as a whole point. */
static int read_profile(struct reader *r, const char *name,
			yaml_mark_t name_mark)
{
	struct fc_profile p;
	enum fc_profile_field blame;
	bool given[NFIELDS] = { false };
	yaml_mark_t at[NFIELDS];
	const char *s, *e;

	fc_profile_default(&p);
	snprintf(p.name, sizeof(p.name), "%s", name);

	if (!is_null(&r->ev)) {
		if (r->ev.type != YAML_MAPPING_START_EVENT)
			return fail(r, r->ev.start_mark,
				    "profile '%s' must be a mapping of fields",
				    name);
		for (;;) {
			int f;

			if (advance(r) < 0)
				return -1;
			if (r->ev.type == YAML_MAPPING_END_EVENT)
				break;
			if (!(s = scalar_text(r, "a field name")))
				return -1;
			for (f = 0; f < NFIELDS; f++)
				if (!strcmp(s, field_names[f]))
					break;
			if (f == NFIELDS)
				return fail(r, r->ev.start_mark,
					    "profile '%s': unknown field '%.64s'",
					    name, s);
			if (given[f])
				return fail(r, r->ev.start_mark,
					    "profile '%s': %s given twice (first at line %lu)",
					    name, field_names[f],
					    (unsigned long)at[f].line + 1);
			if (advance(r) < 0 || !(s = scalar_text(r, field_names[f])))
				return -1;
			given[f] = true;
			at[f] = r->ev.start_mark;
			if ((e = set_field(&p, (enum field)f, s)))
				return fail(r, at[f], "profile '%s': %s: %s (got '%.40s')",
					    name, field_names[f], e, s);
		}
	}

	/* A header that is only the length field is the common case, so
	 * follow a custom length field rather than keep the default's 4.
	 * Summed wide so a huge offset reaches fc_profile_check() intact. */
	if (!given[F_HEADER_SIZE]) {
		uint64_t end = (uint64_t)p.length_offset + p.length_size;

		p.header_size = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
	}
	if ((e = fc_profile_check_field(&p, &blame))) {
		enum field f = yaml_field(blame);

		return fail(r, f != NFIELDS && given[f] ? at[f] : name_mark,
			    "profile '%s': %s", name, e);
	}
	r->cfg->profiles[r->cfg->nprofiles++] = p;
	return 0;
}

static int read_profiles(struct reader *r)
{
	struct fc_config *cfg = r->cfg;
	const char *s;

	if (is_null(&r->ev))
		return 0;
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return fail(r, r->ev.start_mark,
			    "'profiles' must be a mapping of names to profiles");
	for (;;) {
		char name[FC_PROFILE_NAME_MAX];
		yaml_mark_t mark;
		int dup;

		if (advance(r) < 0)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (!(s = scalar_text(r, "a profile name")))
			return -1;
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
}

static int read_ports(struct reader *r)
{
	struct fc_config *cfg = r->cfg;
	const char *s, *e;

	if (is_null(&r->ev))
		return 0;
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return fail(r, r->ev.start_mark,
			    "'ports' must be a mapping of port numbers to profile names");
	for (;;) {
		struct pending_port *pp;
		yaml_mark_t key_mark;
		uint64_t port;

		if (advance(r) < 0)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (!(s = scalar_text(r, "a port")))
			return -1;
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
	bool seen_profiles = false, seen_ports = false;

	for (;;) {
		const char *key;
		bool *seen;
		int rc;

		if (advance(r) < 0)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (!(key = scalar_text(r, "a top-level key")))
			return -1;
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
	return resolve_ports(r);
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
