/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit_util.h - fixtures more than one unit test builds the same way.
 *
 *   pk(7)            packet #7, captured at 7 ms
 *   pk_ref(7)        the same, as the pointer the core's calls take
 *   amqp_profile()   AMQP 0-9-1's framing after its protocol header
 *   pg_profiles()    PostgreSQL's framing, prelude included:
 *
 *     c2s  [SSLRequest][StartupMessage]   pg_startup: 4-byte length, big-
 *                                         endian, counting itself (-4)
 *          then [type][length][payload]   pg: the length after a type byte
 *     s2c  ['N' or 'S']                   one byte, bytes_one_of
 *          then [type][length][payload]
 *   assert_counts_equal()  counters against expected values, UNCHECKED
 *                          where a test does not check one
 */
#ifndef UNIT_UTIL_H
#define UNIT_UTIL_H

#include <string.h>

#include "fc_profile.h"
#include "fc_event.h"

/* The packet reference of packet num, captured num milliseconds in. */
static inline struct fc_pkt pk(uint64_t num)
{
	struct fc_pkt p = { num, (int64_t)num * 1000 };
	return p;
}

/* A pointer to pk(num), for a call that takes the packet reference by
 * address: a compound literal, valid until the end of the enclosing
 * block, as a local variable there would be. */
#define pk_ref(num) ((struct fc_pkt[1]){ pk(num) })

/* pg and startup as drawn above, pg's prelude in pre (which must outlive
 * pg); asserts (cmocka, included first) that pg is a valid profile. */
static inline void pg_profiles(struct fc_profile *pg, struct fc_profile *startup,
			       struct fc_prelude *pre)
{
	fc_profile_default(startup);
	startup->byte_order = FC_BIG_ENDIAN;
	startup->is_signed = false;
	startup->length_adjustment = -4;
	startup->max_frame = 10240;
	*pg = *startup;
	pg->length_offset = 1;
	pg->header_size = 5;
	pg->max_frame = 16u << 20;
	memset(pre, 0, sizeof(*pre));
	pre->nsteps[FC_DIR_C2S] = 1;
	pre->steps[FC_DIR_C2S][0].kind = FC_PRELUDE_PROFILE;
	pre->steps[FC_DIR_C2S][0].profile = *startup;
	pre->steps[FC_DIR_C2S][0].max_frames = 2;
	pre->nsteps[FC_DIR_S2C] = 1;
	pre->steps[FC_DIR_S2C][0].kind = FC_PRELUDE_BYTES_ONE_OF;
	pre->steps[FC_DIR_S2C][0].nchoices = 2;
	pre->steps[FC_DIR_S2C][0].choice_len[0] = 1;
	pre->steps[FC_DIR_S2C][0].choice[0][0] = 'N';
	pre->steps[FC_DIR_S2C][0].choice_len[1] = 1;
	pre->steps[FC_DIR_S2C][0].choice[1][0] = 'S';
	pg->prelude = pre;
	assert_null(fc_profile_check(pg));
}

/* AMQP 0-9-1: [type 1][channel 2][size 4][payload][frame-end 0xCE], its
 * c2s prelude (in pre, which must outlive amqp) the protocol header
 * "AMQP\0\0\x09\x01", when the direction starts with it. */
static inline void amqp_profile(struct fc_profile *amqp, struct fc_prelude *pre)
{
	fc_profile_default(amqp);
	amqp->length_offset = 3;
	amqp->byte_order = FC_BIG_ENDIAN;
	amqp->is_signed = false;
	amqp->length_adjustment = 1; /* the frame-end octet */
	amqp->header_size = 7;
	memset(pre, 0, sizeof(*pre));
	pre->nsteps[FC_DIR_C2S] = 1;
	pre->steps[FC_DIR_C2S][0].kind = FC_PRELUDE_BYTES_ONE_OF;
	pre->steps[FC_DIR_C2S][0].nchoices = 1;
	pre->steps[FC_DIR_C2S][0].choice_len[0] = 8;
	memcpy(pre->steps[FC_DIR_C2S][0].choice[0], "AMQP\0\0\x09\x01", 8);
	amqp->prelude = pre;
	assert_null(fc_profile_check(amqp));
}

/* An expected count a test leaves unchecked. */
#define UNCHECKED UINT64_MAX

/* Asserts got[i] == want[i] for each i < n whose want[i] is not
 * UNCHECKED (cmocka, included first). */
static inline void assert_counts_equal(const uint64_t *got, const uint64_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (want[i] != UNCHECKED)
			assert_int_equal(got[i], want[i]);
}

#endif
