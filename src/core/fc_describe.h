/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_describe.h - the core's typed anomalies (fc_event.h) in words, for
 * people: one line per finding, one paragraph per kind. Pure: writes into
 * the caller's buffer, no I/O. JSON keeps the fields and adds the line as
 * "detail"; translations belong here, not in the decoder.
 *
 *   fc_anomaly_describe(a, ...)          English, always (JSON, the plugin)
 *   fc_anomaly_describe_in(a, tr, ...)   each sentence passed through tr:
 *        "frame #%lu length %ld exceeds max_frame %lu"
 *          --tr--> "第 #%lu 帧的长度 %ld 超过 max_frame %lu"
 *
 * The sentences are marked for xgettext (keywords T and FC_N_); the core
 * never looks at a locale: the translator is the caller's business. */
#ifndef FC_DESCRIBE_H
#define FC_DESCRIBE_H

#include <stddef.h>

#include "fc_event.h"

/* Marks an English text for xgettext where it is written; it is
 * translated where it is shown. */
#define FC_N_(s) s

/* A translation of the English text `msgid` (a phrase or a printf
 * format): the same conversions for the same arguments, numbered
 * (%1$s) when the order changes; or msgid itself. Must not return NULL. */
typedef const char *(*fc_translate_fn)(const char *msgid) __attribute__((format_arg(1)));

/* The finding as one line without a newline, snprintf-style: returns the
 * length it needed; 400 bytes always suffice in English (a translation's
 * UTF-8 may need FC_DESCRIBE_MAX_IN). */
#define FC_DESCRIBE_MAX 400
#define FC_DESCRIBE_MAX_IN 800
int fc_anomaly_describe(const struct fc_anomaly *a, char *buf, size_t len);

/* The same finding, each sentence and word passed through tr (NULL:
 * English, as fc_anomaly_describe). */
int fc_anomaly_describe_in(const struct fc_anomaly *a, fc_translate_fn tr, char *buf,
			   size_t len);

/* What a kind means for the program that sent or read the bytes, and the
 * likely cause (NULL if none), in English (a msgid): `framecap --explain`,
 * -v. */
const char *fc_anomaly_explain(enum fc_anomaly_kind kind);

/* The kind named `name` ("gap", "endian_suspect"...), or -1. */
int fc_anomaly_lookup(const char *name);

/* "closed by FIN", "capture ended"...; the second through tr (NULL:
 * English). */
const char *fc_end_reason_text(enum fc_end_reason why);
const char *fc_end_reason_text_in(enum fc_end_reason why, fc_translate_fn tr);

/* Text word-wrapped to `width` display columns, each line starting with
 * indent, into buf (no final newline). Lines break at spaces, and also
 * between two wide (CJK) characters, which take two columns each
 * (fc_text_width). */
void fc_text_wrap(const char *text, const char *indent, unsigned width,
		  char *buf, size_t len);

#endif
