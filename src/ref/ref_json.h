/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_json.h - a strict, bounded reader for the upload protocol's headers:
 * one flat JSON object whose values are all strings, such as
 *
 *   {"msg_type":"file","file_name":"notes.txt"}
 *
 * Anything else (numbers, nesting, duplicate keys, trailing bytes, bad
 * escapes, invalid UTF-8, a NUL character, too many or too long members)
 * is refused with a reason. Everything lives in the caller's fixed-size
 * struct: nothing is allocated, whatever the input says.
 */
#ifndef REF_JSON_H
#define REF_JSON_H

#include <stddef.h>

#define REF_JSON_MAX_FIELDS 8
#define REF_JSON_KEY_MAX 32 /* bytes, NUL included */
#define REF_JSON_VALUE_MAX 256 /* bytes, NUL included */
#define REF_JSON_MAX_TEXT 4096 /* longest input accepted */

struct ref_json_field {
	char key[REF_JSON_KEY_MAX];
	char value[REF_JSON_VALUE_MAX]; /* UTF-8, no NUL inside */
};

struct ref_json_object {
	int n;
	struct ref_json_field f[REF_JSON_MAX_FIELDS];
};

/* Parse len bytes (not NUL-terminated) as one flat object of strings
 * into *out. Returns NULL on success, else a static message saying what
 * was wrong; *out is then unspecified. */
const char *ref_json_parse(const char *text, size_t len, struct ref_json_object *out);

/* The value of key, or NULL if the object has no such member. */
const char *ref_json_get(const struct ref_json_object *o, const char *key);

#endif
