/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calloc_fail.h - calloc that fails when a test asks, as without memory.
 *
 *   calloc_failures = 1;   the next calloc, from the test or the core,
 *   <call under test>      returns NULL; the rest are calloc's
 *
 * Only for a test linked with -Wl,--wrap=calloc (the Makefile's
 * TEST_LINK), which sends every call of calloc in the binary here and
 * names the real one __real_calloc. Included by one file of the test.
 */
#ifndef CALLOC_FAIL_H
#define CALLOC_FAIL_H

#include <stddef.h>

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static unsigned calloc_failures;

void *__wrap_calloc(size_t n, size_t size)
{
	if (calloc_failures) {
		calloc_failures--;
		return NULL;
	}
	return __real_calloc(n, size);
}

#endif
