/* explain.h - a paragraph per anomaly kind, for people. */
#ifndef FC_EXPLAIN_H
#define FC_EXPLAIN_H

#include "fc_event.h"

/* The explanation of an anomaly kind (NULL if none). */
const char *fc_explain(enum fc_anomaly_kind kind);

/* The kind named `name` ("gap", "endian_suspect"...), or -1. */
int fc_explain_lookup(const char *name);

#include <stddef.h>

/* Text word-wrapped to `width` columns, each line starting with indent,
 * into buf (no final newline). */
void fc_explain_wrap(const char *text, const char *indent, unsigned width,
		     char *buf, size_t len);

#endif
