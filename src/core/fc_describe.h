/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_describe.h - the core's typed anomalies (fc_event.h) in words, for
 * people: one line per finding, one paragraph per kind. Pure: writes into
 * the caller's buffer, no I/O. JSON keeps the fields and adds the line as
 * "detail"; translations belong here, not in the decoder. */
#ifndef FC_DESCRIBE_H
#define FC_DESCRIBE_H

#include <stddef.h>

#include "fc_event.h"

/* The finding as one line without a newline, snprintf-style: returns the
 * length it needed; 400 bytes always suffice. */
#define FC_DESCRIBE_MAX 400
int fc_anomaly_describe(const struct fc_anomaly *a, char *buf, size_t len);

/* What a kind means for the program that sent or read the bytes, and the
 * likely cause (NULL if none): `framecap --explain`, -v. */
const char *fc_anomaly_explain(enum fc_anomaly_kind kind);

/* The kind named `name` ("gap", "endian_suspect"...), or -1. */
int fc_anomaly_lookup(const char *name);

/* "closed by FIN", "capture ended"... */
const char *fc_end_reason_text(enum fc_end_reason why);

/* Text word-wrapped to `width` columns, each line starting with indent,
 * into buf (no final newline). */
void fc_text_wrap(const char *text, const char *indent, unsigned width,
		  char *buf, size_t len);

#endif
