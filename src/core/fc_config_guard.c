/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config_guard.c - size and nesting limits of a YAML text (see
 * fc_config_guard.h).
 *
 *   depth = block levels (a stack of indentation columns) + flow levels
 *
 *   col: 0   2   4
 *        a:                 stack [0]
 *          - - b: [c, {d}]  stack [0 2 4 6], then flow 1, then flow 2
 *        e: 1               stack [0]
 *
 * Each line outside a flow collection sets the block stack: columns
 * deeper than its first token are popped, its first token's column is
 * pushed, and so is the column after every compact "- ", "? " or ": "
 * indicator at the start of the line (each opens one more collection).
 * Inside quotes nothing counts; a comment ends the line. In flow context
 * every [ { opens and ] } closes (a plain scalar cannot hold them there);
 * in block context [ { open only where a token starts.
 */
#include "fc_config_guard.h"

#include <stdbool.h>

struct scan {
	const char *t;
	size_t len, i;
	unsigned long line, col0; /* col0: offset of the line's first byte */
	unsigned stack[FC_CONFIG_MAX_DEPTH + 1]; /* block indentation columns */
	unsigned nstack;
	unsigned flow;
	struct fc_config_guard_error *err;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool at_eol(const struct scan *s, size_t i)
{
	return i >= s->len || s->t[i] == '\n' || s->t[i] == '\r';
}

static int too_deep(struct scan *s, size_t at)
{
	s->err->line = s->line;
	s->err->column = (unsigned long)(at - s->col0) + 1;
	s->err->message = "nested deeper than 64 levels (flow [ { and block "
			  "indentation together)";
	return -1;
}

static int push_column(struct scan *s, unsigned col, size_t at)
{
	if (s->nstack && s->stack[s->nstack - 1] >= col)
		return 0;
	if (s->nstack + s->flow >= FC_CONFIG_MAX_DEPTH)
		return too_deep(s, at);
	s->stack[s->nstack++] = col;
	return 0;
}

/* At the first byte of a line in block context: indentation and the
 * compact indicators that open collections on the same line. Returns the
 * position where ordinary scanning resumes. */
static int block_line(struct scan *s, size_t *pos)
{
	size_t i = *pos;

	while (i < s->len && is_blank(s->t[i]))
		i++;
	if (at_eol(s, i) || s->t[i] == '#') {
		*pos = i;
		return 0; /* blank or comment-only: no indentation */
	}
	while (s->nstack && s->stack[s->nstack - 1] > i - s->col0)
		s->nstack--;
	if (push_column(s, (unsigned)(i - s->col0), i) < 0)
		return -1;
	while ((s->t[i] == '-' || s->t[i] == '?' || s->t[i] == ':') &&
	       (i + 1 >= s->len || is_blank(s->t[i + 1]))) {
		i++;
		while (i < s->len && is_blank(s->t[i]))
			i++;
		if (at_eol(s, i) || s->t[i] == '#')
			break;
		if (push_column(s, (unsigned)(i - s->col0), i) < 0)
			return -1;
	}
	*pos = i;
	return 0;
}

/* Past a quoted scalar starting at *pos (its opening quote); it may span
 * lines. An unclosed quote runs to the end: libyaml reports it. */
static void skip_quoted(struct scan *s, size_t *pos)
{
	char q = s->t[*pos];
	size_t i = *pos + 1;

	for (; i < s->len; i++) {
		char c = s->t[i];

		if (c == '\n') {
			s->line++;
			s->col0 = i + 1;
		} else if (q == '"' && c == '\\' && i + 1 < s->len && s->t[i + 1] != '\n') {
			i++;
		} else if (c == q) {
			if (q == '\'' && i + 1 < s->len && s->t[i + 1] == '\'')
				i++; /* '' is a quote inside '...' */
			else
				break;
		}
	}
	*pos = i + 1;
}

int fc_config_guard(const char *text, size_t len,
		    struct fc_config_guard_error *err)
{
	struct scan s = { .t = text, .len = len, .line = 1, .err = err };
	bool line_start = true;

	if (len > FC_CONFIG_MAX_BYTES) {
		err->line = err->column = 0;
		err->message = "file is larger than 1 MiB";
		return -1;
	}
	while (s.i < len) {
		char c, prev;

		if (line_start) {
			line_start = false;
			if (s.flow == 0 && block_line(&s, &s.i) < 0)
				return -1;
			continue;
		}
		c = text[s.i];
		prev = s.i > s.col0 ? text[s.i - 1] : ' ';
		if (c == '\n') {
			s.line++;
			s.col0 = ++s.i;
			line_start = true;
		} else if (c == '#' && is_blank(prev)) {
			while (s.i < len && text[s.i] != '\n')
				s.i++;
		} else if ((c == '\'' || c == '"') &&
			   (is_blank(prev) || prev == '[' || prev == '{' || prev == ',')) {
			skip_quoted(&s, &s.i);
		} else if ((c == '[' || c == '{') &&
			   (s.flow > 0 || is_blank(prev) || prev == '-' || prev == ':')) {
			if (s.nstack + s.flow >= FC_CONFIG_MAX_DEPTH)
				return too_deep(&s, s.i);
			s.flow++;
			s.i++;
		} else if ((c == ']' || c == '}') && s.flow > 0) {
			s.flow--;
			s.i++;
		} else {
			s.i++;
		}
	}
	return 0;
}
