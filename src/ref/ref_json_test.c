/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ref_json_test.c - checks of the upload header reader (ref_json.c): what
 * it accepts, what it refuses and why. Prints "ok   NAME" or "FAIL NAME"
 * per case, for tests/suites/reference.sh; exits 1 if any failed.
 */
#include <stdio.h>
#include <string.h>

#include "ref_json.h"

static int failed;

/* Expect text to parse, with key -> value present. */
static void accept(const char *name, const char *text, size_t len, const char *key,
		   const char *value)
{
	struct ref_json_object o;
	const char *err = ref_json_parse(text, len, &o);
	const char *got = err ? NULL : ref_json_get(&o, key);

	if (!err && got && !strcmp(got, value)) {
		printf("ok   json accepts %s\n", name);
	} else {
		printf("FAIL json accepts %s: %s\n", name, err ? err : got ? got : "key missing");
		failed = 1;
	}
}

/* Expect text to be refused with a message containing `why`. */
static void refuse(const char *name, const char *text, size_t len, const char *why)
{
	struct ref_json_object o;
	const char *err = ref_json_parse(text, len, &o);

	if (err && strstr(err, why)) {
		printf("ok   json refuses %s (%s)\n", name, err);
	} else {
		printf("FAIL json refuses %s: got %s, want \"%s\"\n", name, err ? err : "success",
		       why);
		failed = 1;
	}
}

#define S(x) x, sizeof(x) - 1

/* Run every case; exit 1 if one failed. */
int main(void)
{
	static char big[REF_JSON_MAX_TEXT + 2];
	char longval[400];

	accept("a file header", S("{\"msg_type\":\"file\",\"file_name\":\"a.txt\"}"),
	       "file_name", "a.txt");
	accept("Python's json.dumps spacing", S(" {\"msg_type\": \"msg\"} \n"), "msg_type", "msg");
	accept("escapes", S("{\"k\":\"a\\\"b\\\\c\\/d\\n\"}"), "k", "a\"b\\c/d\n");
	accept("\\u escapes to UTF-8", S("{\"k\":\"\\u6b63\\u5728\"}"), "k", "正在");
	accept("a surrogate pair", S("{\"k\":\"\\ud83d\\ude00\"}"), "k", "\xf0\x9f\x98\x80");
	accept("raw UTF-8", S("{\"k\":\"学习\"}"), "k", "学习");
	accept("an empty string", S("{\"k\":\"\"}"), "k", "");

	refuse("an empty input", S(""), "expected a JSON object");
	refuse("an array", S("[\"a\"]"), "expected a JSON object");
	refuse("a number value", S("{\"k\":1}"), "values must be strings");
	refuse("a nested object", S("{\"k\":{\"a\":\"b\"}}"), "values must be strings");
	refuse("true", S("{\"k\":true}"), "values must be strings");
	refuse("a missing colon", S("{\"k\" \"v\"}"), "expected ':'");
	refuse("a trailing comma", S("{\"k\":\"v\",}"), "expected a string");
	refuse("no closing brace", S("{\"k\":\"v\""), "expected ',' or '}'");
	refuse("an unterminated string", S("{\"k\":\"v"), "unterminated string");
	refuse("bytes after the object", S("{\"k\":\"v\"} x"), "bytes after the object");
	refuse("two objects", S("{}{}"), "bytes after the object");
	refuse("a duplicate key", S("{\"k\":\"a\",\"k\":\"b\"}"), "duplicate key");
	refuse("a bad escape", S("{\"k\":\"\\x41\"}"), "bad escape");
	refuse("a short \\u escape", S("{\"k\":\"\\u12\"}"), "bad \\u escape");
	refuse("\\u0000", S("{\"k\":\"a\\u0000b\"}"), "NUL character");
	refuse("a lone high surrogate", S("{\"k\":\"\\ud83d\"}"), "lone high surrogate");
	refuse("a lone low surrogate", S("{\"k\":\"\\ude00\"}"), "lone low surrogate");
	refuse("a raw control character", S("{\"k\":\"a\tb\"}"), "control character");
	refuse("a raw NUL byte", "{\"k\":\"a\0b\"}", 11, "control character");
	refuse("invalid UTF-8", S("{\"k\":\"\xff\"}"), "invalid UTF-8");
	refuse("an overlong UTF-8 '/'", S("{\"k\":\"\xc0\xaf\"}"), "invalid UTF-8");
	refuse("a UTF-8 surrogate", S("{\"k\":\"\xed\xa0\x80\"}"), "invalid UTF-8");
	refuse("single quotes (Python repr)", S("{'msg_type': 'msg'}"), "expected a string");
	refuse("too many members",
	       S("{\"a\":\"\",\"b\":\"\",\"c\":\"\",\"d\":\"\",\"e\":\"\",\"f\":\"\","
		 "\"g\":\"\",\"h\":\"\",\"i\":\"\"}"), "too many members");
	refuse("a long key", S("{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":\"v\"}"),
	       "key too long");
	memset(longval, 'x', sizeof(longval));
	memcpy(longval, "{\"k\":\"", 6);
	memcpy(longval + sizeof(longval) - 2, "\"}", 2);
	refuse("a long value", longval, sizeof(longval), "value too long");
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	refuse("a text above the limit", big, sizeof(big), "too long");
	return failed;
}
