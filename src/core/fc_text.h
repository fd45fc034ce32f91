/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_text.h - bytes from the wire shown to people and to JSON, safely.
 *
 *   68 65 6c 6c 6f          "hello"          printable: as it is
 *   e2 80 ae                U+202E RLO       a bidi override: \u202e
 *   c2 9b                   U+009B CSI       a C1 control: \u009b
 *   c0 9b                   overlong ESC     not UTF-8: not text
 *
 * One rule for every front end (the text view, the reference programs'
 * logs, JSON strings): UTF-8 is decoded strictly (no overlong forms, no
 * surrogates, nothing above U+10FFFF), and anything a terminal would act
 * on instead of showing (C0 and C1 controls, DEL, bidi and other format
 * controls, line and paragraph separators) is escaped, never written as
 * it is. Pure: writes into the caller's buffer.
 */
#ifndef FC_TEXT_H
#define FC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The code point of the UTF-8 sequence at p (n bytes available) in *cp;
 * returns its length 1..4, or 0 when it is not valid UTF-8 (including a
 * sequence cut by the end of the bytes). */
size_t fc_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);

/* True when a terminal shows code point cp as a character, so it may be
 * written as it is; false for controls and invisible format characters,
 * which must be escaped. */
bool fc_text_shows(uint32_t cp);

/* Columns a terminal gives code point cp: 2 for East Asian wide and
 * fullwidth characters (CJK ideographs and punctuation, kana, Hangul,
 * fullwidth forms, most emoji), 0 for combining marks, 1 otherwise. A
 * fixed rule, the same whatever the locale (wcwidth() depends on it). */
unsigned fc_text_width(uint32_t cp);

/* Display columns of the n bytes at s: UTF-8 by fc_text_width, an escape
 * sequence up to its 'm' none, an invalid byte one. */
unsigned fc_text_cols(const char *s, size_t n);

/* Do the n bytes at p read as text: valid UTF-8 whose characters are
 * shown, or tab, CR and LF? A sequence cut by the end still counts. */
bool fc_text_is_text(const uint8_t *p, size_t n);

/* The escape for a code point that is not shown ("\n", "\t", "\r",
 * "\u202e"), into out (at least FC_TEXT_ESCAPE_MAX bytes); returns the end. */
#define FC_TEXT_ESCAPE_MAX 12
char *fc_text_escape(char *out, uint32_t cp);

/* The NUL-terminated string s as the body of a JSON string (no quotes):
 * '"' and '\\' escaped, control characters as \uXXXX, invalid UTF-8 bytes
 * as \u00XX, and characters that are not shown (fc_text_shows) escaped
 * too. At most 6 bytes per input byte; returns the end of out. */
char *fc_json_escape(char *out, const char *s, size_t n);

#endif
