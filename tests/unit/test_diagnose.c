/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_diagnose.c - the named causes of a failed length field, and the
 * decoder's zero_run and unframed reports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fc_decoder.h"
#include "fc_describe.h"
#include "fc_diagnose.h"

/* The finding of `d` in words. */
static const char *finding(const struct fc_anomaly *d)
{
	static char line[FC_DESCRIBE_MAX];

	fc_anomaly_describe(d, line, sizeof(line));
	return line;
}

static void test_ascii_length(void **state)
{
	struct fc_profile p;
	struct fc_anomaly d;

	(void)state;
	fc_profile_default(&p);
	assert_true(fc_diagnose_length(&p, (const uint8_t *)"12kinght", 8, &d));
	assert_int_equal(d.kind, FC_AN_ASCII_LENGTH_SUSPECT);
	assert_string_equal(d.u.ascii.text, "12ki");
	assert_int_equal(d.u.ascii.value, 12);
	assert_non_null(strstr(finding(&d), "\"12ki\""));
	assert_non_null(strstr(finding(&d), "(12?)"));
	/* all four digits */
	assert_true(fc_diagnose_length(&p, (const uint8_t *)"1024abcd", 8, &d));
	assert_non_null(strstr(finding(&d), "(1024?)"));
	/* a leading zero is not how str(len) starts */
	assert_false(fc_diagnose_length(&p, (const uint8_t *)"0999", 4, &d) &&
		     d.kind == FC_AN_ASCII_LENGTH_SUSPECT);
}

static void test_endian(void **state)
{
	static const uint8_t be12[] = { 0, 0, 0, 12 };
	static const uint8_t le_big[] = { 0x0c, 0, 0, 0x0c };
	struct fc_profile p;
	struct fc_anomaly d;

	(void)state;
	fc_profile_default(&p); /* little-endian: 00 00 00 0c is 201326592 */
	assert_true(fc_diagnose_length(&p, be12, 4, &d));
	assert_int_equal(d.kind, FC_AN_ENDIAN_SUSPECT);
	assert_int_equal(d.u.endian.order, FC_BIG_ENDIAN);
	assert_int_equal(d.u.endian.length, 12);
	assert_non_null(strstr(finding(&d), "as big-endian the length would be 12"));
	assert_non_null(strstr(finding(&d), "--byte-order big"));
	/* big-endian profile, little-endian sender */
	p.byte_order = FC_BIG_ENDIAN;
	assert_true(fc_diagnose_length(&p, (const uint8_t[]){ 12, 0, 0, 0 }, 4, &d));
	assert_non_null(strstr(finding(&d), "as little-endian the length would be 12"));
	/* implausible both ways: no guess */
	p.byte_order = FC_LITTLE_ENDIAN;
	assert_false(fc_diagnose_length(&p, le_big, 4, &d));
	/* 1-byte lengths have no byte order */
	p.length_size = 1;
	p.header_size = 1;
	p.max_frame = 10;
	assert_false(fc_diagnose_length(&p, (const uint8_t[]){ 200 }, 1, &d));
}

struct counts {
	unsigned kinds[FC_AN__COUNT];
	uint64_t frames;
};

static void on_report(void *ctx, const struct fc_report *r)
{
	struct counts *c = ctx;

	for (uint32_t i = 0; i < r->nevents; i++) {
		if (r->events[i].type == FC_EV_FRAME)
			c->frames++;
		else
			c->kinds[r->events[i].anomaly.kind]++;
	}
}

static const struct fc_decoder_ops ops = { .report = on_report };

static void zeros(int n, struct counts *c)
{
	struct fc_profile p;
	struct fc_decoder d;
	struct fc_decoder_scratch seg = { 0 };
	struct fc_pkt pkt = { 1, 0 };
	uint8_t buf[4 * 32] = { 0 };

	fc_profile_default(&p);
	memset(c, 0, sizeof(*c));
	fc_decoder_init(&d, &p, 64, false, &seg, &ops, c);
	fc_decoder_data(&d, 0, buf, (uint32_t)(4 * n), &pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&seg);
}

static void test_zero_run(void **state)
{
	struct counts c;

	(void)state;
	zeros(FC_ZERO_RUN - 1, &c);
	assert_int_equal(c.frames, FC_ZERO_RUN - 1);
	assert_int_equal(c.kinds[FC_AN_ZERO_RUN], 0);
	zeros(FC_ZERO_RUN, &c);
	assert_int_equal(c.kinds[FC_AN_ZERO_RUN], 1);
	zeros(32, &c); /* reported once per direction */
	assert_int_equal(c.kinds[FC_AN_ZERO_RUN], 1);
}

static void test_unframed(void **state)
{
	struct fc_profile p;
	struct fc_decoder d;
	struct fc_decoder_scratch seg = { 0 };
	struct fc_pkt pkt = { 1, 0 };
	struct counts c;
	const char *text = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";

	(void)state;
	fc_profile_default(&p);
	memset(&c, 0, sizeof(c));
	fc_decoder_init(&d, &p, 64, false, &seg, &ops, &c);
	fc_decoder_data(&d, 0, (const uint8_t *)text, (uint32_t)strlen(text), &pkt, true);
	fc_decoder_end(&d, FC_END_FIN, &pkt);
	fc_decoder_free(&d);
	assert_int_equal(c.frames, 0);
	assert_int_equal(c.kinds[FC_AN_OVERSIZE], 1);
	assert_int_equal(c.kinds[FC_AN_UNFRAMED], 1);

	/* a large frame still in progress is not "unframed" */
	memset(&c, 0, sizeof(c));
	fc_decoder_init(&d, &p, 64, false, &seg, &ops, &c);
	fc_decoder_data(&d, 0, (const uint8_t[]){ 0, 1, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f',
						  'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n' },
			18, &pkt, true);
	fc_decoder_end(&d, FC_END_CAPTURE, &pkt);
	fc_decoder_free(&d);
	fc_decoder_scratch_free(&seg);
	assert_int_equal(c.kinds[FC_AN_UNFRAMED], 0);
	assert_int_equal(c.kinds[FC_AN_INCOMPLETE], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_length),
		cmocka_unit_test(test_endian),
		cmocka_unit_test(test_zero_run),
		cmocka_unit_test(test_unframed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
