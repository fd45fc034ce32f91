/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_json.c - the JSON writer's frame lines (src/cli/out_json.c): the
 * index kept as text in each stream direction's prefix and the length
 * digits written twice, against numbers formatted by printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/fmt_out.h"
#include "../../src/cli/output.h"

/* One frame of stream `id`, direction dir, index, payload length,
 * packet and time, written by the JSON writer o. */
static void frame(struct fc_output *o, uint64_t id, enum fc_dir dir, uint64_t index,
		  uint64_t payload_len, uint64_t pkt, int64_t ts_us)
{
	struct fc_stream_info s = { .id = id };
	struct fc_event ev = { .type = FC_EV_FRAME };
	struct fc_report r = { .events = &ev, .nevents = 1 };

	s.key.src.family = 4;
	s.key.dst.family = 4;
	s.key.sport = 40000;
	s.key.dport = 8001;
	ev.frame.index = index;
	ev.frame.offset = index * 10;
	ev.frame.length = (int64_t)payload_len;
	ev.frame.payload_len = payload_len;
	ev.frame.header_len = 4;
	ev.frame.npackets = 1;
	ev.frame.packets = &pkt;
	ev.frame.npackets_total = 1;
	ev.frame.ts_us = ts_us;
	o->sink.report(o->sink.ctx, &s, dir, &r);
}

struct step {
	uint64_t id;
	enum fc_dir dir;
	uint64_t index, len;
};

/* A JSON writer whose lines go to a string in memory. */
struct json_run {
	char *text;
	size_t size;
	FILE *f;
	struct fc_output *o;
};

static void json_start(struct json_run *j)
{
	struct fc_output_opts opts = { .payload_hex = 64 };

	j->text = NULL;
	j->size = 0;
	j->f = open_memstream(&j->text, &j->size);
	assert_non_null(j->f);
	opts.out = j->f;
	j->o = fc_output_json(&opts);
	assert_non_null(j->o);
}

/* The writer's lines, all of them (free them). */
static char *json_finish(struct json_run *j)
{
	j->o->destroy(j->o);
	fclose(j->f);
	return j->text;
}

/* `want` is on the line from `line` to its newline `nl`. */
static void assert_on_line(const char *line, const char *nl, const char *want)
{
	const char *at = strstr(line, want);

	assert_non_null(at);
	assert_true(at < nl);
}

static void test_index_and_lengths(void **state)
{
	/* Consecutive indexes, ones that jump, go back or gain a digit, and
	 * two streams sharing a cache slot ((id * 2 + dir) % 256). */
	static const struct step steps[] = {
		{ 1, FC_C2S, 0, 0 },	      { 1, FC_C2S, 1, 9 },	  { 1, FC_C2S, 2, 10 },
		{ 1, FC_S2C, 0, 99 },	      { 1, FC_C2S, 3, 100 },	  { 1, FC_C2S, 9, 999 },
		{ 1, FC_C2S, 10, 1000 },      { 1, FC_C2S, 11, 9999 },	  { 1, FC_C2S, 5, 10000 },
		{ 129, FC_C2S, 6, 123 },      { 1, FC_C2S, 6, 4567 },	  { 1, FC_C2S, 7, 42 },
		{ 1, FC_C2S, 99, 1 },	      { 1, FC_C2S, 100, 12 },	  { 1, FC_C2S, 101, 123456 },
		{ 1, FC_S2C, 1, 5 },	      { 1, FC_C2S, 102, 77 },	  { 1, FC_C2S, 99999999, 3 },
		{ 1, FC_C2S, 100000000, 3 },  { 1, FC_C2S, 100000001, 3 }, { 1, FC_C2S, UINT64_MAX, 3 },
		{ 1, FC_C2S, 0, 3 },	      { 1, FC_C2S, 1, 3 },
	};
	struct json_run j;
	char *text;
	const char *line;
	size_t n = sizeof(steps) / sizeof(steps[0]);

	(void)state;
	json_start(&j);
	/* Packets and times shared by two or three frames in a row, the
	 * seconds changing every few packets. */
	for (size_t i = 0; i < n; i++)
		frame(j.o, steps[i].id, steps[i].dir, steps[i].index, steps[i].len, 100 + i / 2,
		      (int64_t)(i / 7) * 1000000 + (int64_t)(i / 3) * 123457);
	text = json_finish(&j);
	line = text;
	for (size_t i = 0; i < n; i++) {
		char want[128];
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		snprintf(want, sizeof(want), "\"dir\":\"%s\",\"index\":%" PRIu64 ",",
			 steps[i].dir == FC_C2S ? "c2s" : "s2c", steps[i].index);
		assert_on_line(line, nl, want);
		snprintf(want, sizeof(want), ",\"length\":%" PRIu64 ",\"payload_len\":%" PRIu64 ",",
			 steps[i].len, steps[i].len);
		assert_on_line(line, nl, want);
		snprintf(want, sizeof(want), "\"packets\":[%zu],", 100 + i / 2);
		assert_on_line(line, nl, want);
		{
			int64_t us = (int64_t)(i / 7) * 1000000 + (int64_t)(i / 3) * 123457;

			snprintf(want, sizeof(want), ",\"ts\":%" PRId64 ".%06" PRId64 ",",
				 us / 1000000, us % 1000000);
		}
		assert_on_line(line, nl, want);
		line = nl + 1;
	}
	free(text);
}

/* Long runs of consecutive indexes in one stream direction: each but
 * the first takes the template's next index (put_prefix), whose last two
 * digits are stored from the number and carry every hundredth; runs
 * across 1 -> 2 digits, x99 -> x00, 9999 -> 10000 and 10^8. */
static void test_consecutive_runs(void **state)
{
	static const uint64_t from[] = { 0, 990, 9950, 99999950, 1844674407370955100u };
	struct json_run j;
	char *text;
	const char *line;
	const unsigned run = 260;

	(void)state;
	json_start(&j);
	for (size_t k = 0; k < sizeof(from) / sizeof(from[0]); k++)
		for (unsigned i = 0; i < run; i++)
			frame(j.o, 7, FC_C2S, from[k] + i, 50 + i % 150, 1000 + i / 8, 1000 * i);
	text = json_finish(&j);
	line = text;
	for (size_t k = 0; k < sizeof(from) / sizeof(from[0]); k++) {
		for (unsigned i = 0; i < run; i++) {
			char want[64];
			const char *nl = strchr(line, '\n');

			assert_non_null(nl);
			snprintf(want, sizeof(want), ",\"index\":%" PRIu64 ",\"offset\":",
				 from[k] + i);
			assert_on_line(line, nl, want);
			line = nl + 1;
		}
	}
	assert_true(*line == '\0');
	free(text);
}

static void test_u14_word(void **state)
{
	(void)state;
	for (unsigned x = 0; x < 10000; x++) {
		char want[8], got[8] = "";
		unsigned len = 0;
		uint32_t w = fmt_u14_word(x, &len);

		memcpy(got, &w, 4);
		snprintf(want, sizeof(want), "%u", x);
		assert_int_equal(len, strlen(want));
		assert_memory_equal(got, want, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_and_lengths),
		cmocka_unit_test(test_consecutive_runs),
		cmocka_unit_test(test_u14_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
