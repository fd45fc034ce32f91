/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i18n.h - the language of framecap's words for people: English, or
 * Simplified Chinese from the gettext catalogue (src/po/zh_CN.po).
 *
 *   --lang zh | --lang en          chosen on the command line, else
 *   LANGUAGE, LC_ALL, LC_MESSAGES, LANG = zh...   from the environment
 *        |
 *        v
 *   _("STICKY: ") --dgettext("framecap")--> "粘包："
 *
 * English never goes through gettext: its words are the program's own,
 * byte for byte, whatever the locale. JSON is always English. */
#ifndef FC_I18N_H
#define FC_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Marks a text for xgettext; _() translates it where it is shown. */
#define N_(s) s
#define _(s) fc_tr(s)

/* Chooses the language from argv's --lang (looked for before anything
 * else runs, so --help and --explain speak it) or the environment, and
 * for Chinese opens the catalogue: next to the program (an uninstalled
 * build/framecap reads build/locale), else the installed one. Exits with
 * status 2 for an unknown --lang. Call once, first. */
void fc_i18n_init(int argc, char **argv);

/* Is the chosen language Chinese? */
bool fc_lang_zh(void);

/* msgid in the chosen language (msgid itself in English, or when the
 * catalogue lacks it). Never NULL. */
const char *fc_tr(const char *msgid) __attribute__((format_arg(1)));

/* The singular or plural of a counted phrase, in the chosen language. */
const char *fc_ntr(const char *singular, const char *plural, uint64_t n)
	__attribute__((format_arg(1), format_arg(2)));

/* A word of a line built in place: its text in the chosen language and
 * its length, looked up once (fc_word), written with FC_PUT_WORD
 * (fmt_out.h's fmt_mem). */
struct fc_word {
	const char *s;
	size_t n;
};

static inline struct fc_word fc_word(const char *english)
{
	const char *s = fc_tr(english);

	return (struct fc_word){ s, __builtin_strlen(s) };
}

#define FC_PUT_WORD(p, w) fmt_mem((p), (w).s, (w).n)

#endif
