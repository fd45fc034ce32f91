/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i18n.c - choosing the language and reaching the catalogue.
 *
 *   --lang zh ----------------.
 *   LANGUAGE=zh_CN:en  -------+--> Chinese?  no --> every _() returns msgid
 *   LC_ALL / LC_MESSAGES / LANG'        | yes
 *                                       v
 *   setlocale(LC_MESSAGES, "")  (or "C.UTF-8" when zh_CN.UTF-8 is not
 *   generated: glibc's gettext translates in any locale but plain "C")
 *   LANGUAGE=zh_CN, catalogue codeset UTF-8
 *   bindtextdomain("framecap", the first that holds
 *                  zh_CN/LC_MESSAGES/framecap.mo of: <program's dir>/locale
 *                  (build/), <program's dir>/../share/locale (installed),
 *                  FC_LOCALEDIR)
 *
 * Only LC_MESSAGES changes: numbers keep their C format whatever LC_ALL
 * says (a decimal comma would break the JSON), and widths come from
 * fc_text_width, not from LC_CTYPE. */
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_config.h"
#include "i18n.h"
#include "options.h"

#ifndef FC_LOCALEDIR
#define FC_LOCALEDIR "/usr/local/share/locale"
#endif
#define DOMAIN "framecap"

static bool zh;

/* Words the core hands over already made (how a stream ended, why bytes
 * are missing): listed for xgettext, translated where they are shown. */
static const char *const core_words[] __attribute__((used)) = {
	N_("fin"), N_("rst"), N_("capture end"), N_("evicted"),
	N_("not captured"), N_("out-of-order buffer full"),
	N_("acknowledged by the peer but not captured"), N_("never captured"),
	/* Why a value of an option or a profile field is refused
	 * (fc_profile.c): shown after the option or field it is about. */
	N_("expected an integer"), N_("expected a non-negative integer"),
	N_("integer out of range"), N_("expected true or false"),
	N_("byte order must be little or big"),
	N_("framing must be length, varint, ber, delimiter or fixed"),
	N_("delimiter must be 1 to 16 bytes"), N_("length_size must be 1 to 8"),
	N_("length field must end within the first 64 bytes "
	   "(length_offset + length_size <= 64)"),
	N_("header_size must be at most 65535"),
	N_("header_size is shorter than length_offset + length_size"),
	N_("length_mask has bits outside the length field"),
	N_("length_adjustment must be within +/-2^31"), N_("max_frame must be at most 2^48"),
	N_("byte_order must be little or big"), N_("varint_max_bytes must be 1 to 10"),
	N_("the varint must end within the first 64 bytes "
	   "(length_offset + varint_max_bytes <= 64)"),
	N_("framing delimiter needs a delimiter of 1 to 16 bytes"),
	N_("max_frame must be at least 1"),
	N_("framing fixed needs a frame_size from 1 to max_frame"),
};

/* 1 for a Chinese locale or language name ("zh_CN.UTF-8", "zh"), 0 for
 * another one, -1 for none (NULL or empty). */
static int names_zh(const char *v)
{
	if (!v || !*v)
		return -1;
	return !strncmp(v, "zh", 2) && (v[2] == '\0' || v[2] == '_' || v[2] == '-' ||
					 v[2] == '.' || v[2] == '@' || v[2] == ':');
}

/* The environment's choice, as gettext makes it: LANGUAGE's first entry
 * unless the locale is plainly C or POSIX; else LC_ALL, LC_MESSAGES,
 * LANG, the first that is set. */
static bool env_zh(void)
{
	const char *loc = getenv("LC_ALL");

	if (!loc || !*loc)
		loc = getenv("LC_MESSAGES");
	if (!loc || !*loc)
		loc = getenv("LANG");
	if (loc && (!strcmp(loc, "C") || !strcmp(loc, "POSIX")))
		return false;
	if (names_zh(getenv("LANGUAGE")) >= 0)
		return names_zh(getenv("LANGUAGE")) == 1;
	return names_zh(loc) == 1;
}

/* --lang's value: true for Chinese; exits on a language framecap lacks. */
static bool lang_arg(const char *v)
{
	if (names_zh(v) == 1)
		return true;
	if (!strcmp(v, "en") || !strncmp(v, "en_", 3) || !strcmp(v, "C") || !strcmp(v, "POSIX"))
		return false;
	fprintf(stderr, "framecap: --lang %s: expected zh (Simplified Chinese) or en\n", v);
	exit(EXIT_USAGE);
}

/* Does dir hold the Chinese catalogue? */
static bool has_catalogue(const char *dir)
{
	char mo[PATH_MAX + 64];

	snprintf(mo, sizeof(mo), "%s/zh_CN/LC_MESSAGES/" DOMAIN ".mo", dir);
	return access(mo, R_OK) == 0;
}

/* The catalogue's directory: build/locale beside an uninstalled program,
 * ../share/locale beside an installed one (wherever PREFIX put it), else
 * FC_LOCALEDIR. */
static void bind_catalogue(void)
{
	static char dir[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *where = FC_LOCALEDIR;
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/locale", exe);
			if (has_catalogue(dir)) {
				where = dir;
			} else {
				snprintf(dir, sizeof(dir), "%s/../share/locale", exe);
				if (has_catalogue(dir))
					where = dir;
			}
		}
	}
	bindtextdomain(DOMAIN, where);
	bind_textdomain_codeset(DOMAIN, "UTF-8");
	/* strerror's words come from the C library's own catalogue: in UTF-8
	 * too, or a C LC_CTYPE turns every Chinese character into '?'. */
	bind_textdomain_codeset("libc", "UTF-8");
}

void fc_i18n_init(int argc, char **argv)
{
	const char *lang = NULL, *loc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[++i];
		else if (!strncmp(argv[i], "--lang=", 7))
			lang = argv[i] + 7;
	}
	zh = lang ? lang_arg(lang) : env_zh();
	if (!zh)
		return;
	loc = setlocale(LC_MESSAGES, "");
	if (!loc || !strcmp(loc, "C") || !strcmp(loc, "POSIX"))
		setlocale(LC_MESSAGES, "C.UTF-8");
	setenv("LANGUAGE", "zh_CN", 1);
	bind_catalogue();
	/* The configuration's errors are written in the core, which never
	 * looks at a locale: it is handed the translator instead. */
	fc_config_set_translator(fc_tr);
	/* Open the catalogue now, before -Z may take the right to read it. */
	(void)dgettext(DOMAIN, "STICKY: ");
}

bool fc_lang_zh(void)
{
	return zh;
}

const char *fc_tr(const char *msgid)
{
	return zh && *msgid ? dgettext(DOMAIN, msgid) : msgid;
}

const char *fc_ntr(const char *singular, const char *plural, uint64_t n)
{
	if (!zh)
		return n == 1 ? singular : plural;
	return dngettext(DOMAIN, singular, plural, (unsigned long)n);
}
