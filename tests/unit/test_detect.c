/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_detect.c - fc_detect: inferring a framing from the first bytes of
 * streams.
 *
 * Each positive test encodes a few samples of a few dozen frames with a
 * target profile (fc_profile_encode_header, payload lengths and bytes from
 * a fixed-seed generator, half the samples binary and half text payloads)
 * and checks that the best candidate has the target's decoding parameters,
 * or, where the data cannot tell two profiles apart, that it decodes every
 * sample exactly as the target does.
 *
 *   sample:  [hdr|payload....][hdr|payload][hdr|pay...]   (complete or not)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fc_detect.h"

#define MIB (1ULL << 20)
#define NSAMPLES 6
#define SAMPLE_CAP 65536

/* --- generator ------------------------------------------------------------ */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s * 0x9e3779b97f4a7c15ULL + 1;
}

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* What goes into the header bytes that are not the length field. */
enum fill { FILL_ZERO, FILL_SEQ, FILL_FLAG };

static uint8_t samples_buf[NSAMPLES][SAMPLE_CAP];
static struct fc_detect_sample samples[NSAMPLES];

/* Payload length: mostly short, sometimes a few hundred bytes. */
static uint64_t payload_len(void)
{
	uint32_t r = rng() % 100;

	if (r < 10)
		return rng() % 4 + 1;
	if (r < 80)
		return rng() % 120 + 1;
	return rng() % 900 + 1;
}

/* Encode nframes frames of p into buf; text payloads look like JSON.
 * Returns the bytes written. */
static size_t encode(const struct fc_profile *p, uint8_t *buf, size_t cap,
		     unsigned nframes, enum fill fill, bool text)
{
	size_t pos = 0;

	for (unsigned f = 0; f < nframes; f++) {
		uint64_t n = payload_len();

		assert_true(pos + p->header_size + n <= cap);
		assert_true(fc_profile_encode_header(p, n, buf + pos));
		for (uint32_t k = 0; k < p->header_size; k++) {
			if (k >= p->length_offset &&
			    k < p->length_offset + p->length_size)
				continue;
			if (fill == FILL_SEQ)
				buf[pos + k] = (uint8_t)(f + 1);
			else if (fill == FILL_FLAG)
				buf[pos + k] = (uint8_t)(rng() & 1);
		}
		pos += p->header_size;
		for (uint64_t k = 0; k < n; k++) {
			static const char json[] = "{\"id\": 42, \"name\": \"alice\"} ";
			buf[pos + k] = text ? (uint8_t)json[(k + f) % (sizeof(json) - 1)]
					    : (uint8_t)rng();
		}
		pos += n;
	}
	return pos;
}

/* Fill samples[] with nsamples streams of p, 20..40 frames each. */
static size_t make_samples(const struct fc_profile *p, enum fill fill,
			   uint64_t seed, size_t nsamples)
{
	rng_seed(seed);
	for (size_t i = 0; i < nsamples; i++) {
		samples[i].data = samples_buf[i];
		samples[i].len = encode(p, samples_buf[i], SAMPLE_CAP,
					20 + rng() % 21, fill, i % 2);
		samples[i].complete = true;
	}
	return nsamples;
}

/* --- decoding comparison ---------------------------------------------------- */

/* Walk one sample with p: frames until the end, or -1 if it does not tile. */
static long tile(const struct fc_profile *p, const struct fc_detect_sample *s)
{
	size_t pos = 0;
	long frames = 0;
	struct fc_frame_len fl;

	while (pos < s->len) {
		enum fc_frame_status st =
			fc_profile_frame_len(p, s->data + pos, s->len - pos, &fl);
		if (st == FC_FRAME_NEED_MORE || (st == FC_FRAME_OK &&
						 fl.frame_len > s->len - pos))
			return s->complete ? -1 : frames;
		if (st != FC_FRAME_OK)
			return -1;
		pos += fl.frame_len;
		frames++;
	}
	return frames;
}

/* Do p and q cut the same frames, with the same header, in every sample? */
static bool same_decoding(const struct fc_profile *p, const struct fc_profile *q,
			  const struct fc_detect_sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t pos = 0;
		struct fc_frame_len a, b;

		while (pos < s[i].len) {
			enum fc_frame_status sa = fc_profile_frame_len(
				p, s[i].data + pos, s[i].len - pos, &a);
			enum fc_frame_status sb = fc_profile_frame_len(
				q, s[i].data + pos, s[i].len - pos, &b);
			if (sa != sb)
				return false;
			if (sa != FC_FRAME_OK)
				break;
			if (a.frame_len != b.frame_len || a.header_len != b.header_len)
				return false;
			pos += a.frame_len;
		}
	}
	return true;
}

static void print_candidates(const struct fc_detect_candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct fc_profile *p = &c[i].profile;

		print_message("  #%zu off %u size %u %s %s adj %lld hdr %u: "
			      "%llu frames, %llu/%llu bytes, %u/%u tiled, "
			      "score %.2f\n", i, p->length_offset, p->length_size,
			      p->byte_order == FC_BIG_ENDIAN ? "BE" : "LE",
			      p->is_signed ? "signed" : "unsigned",
			      (long long)p->length_adjustment, p->header_size,
			      (unsigned long long)c[i].frames,
			      (unsigned long long)c[i].bytes,
			      (unsigned long long)c[i].total,
			      c[i].samples_tiled, c[i].samples, c[i].score);
	}
}

/* The decoding parameters of best equal target's, and best explains all. */
static void assert_profile(const struct fc_detect_candidate *best,
			   const struct fc_profile *target, size_t nsamples)
{
	const struct fc_profile *p = &best->profile;

	assert_null(fc_profile_check(p));
	assert_string_equal(p->name, "detected");
	assert_int_equal(p->length_offset, target->length_offset);
	assert_int_equal(p->length_size, target->length_size);
	assert_int_equal(p->byte_order, target->byte_order);
	assert_int_equal(p->is_signed, target->is_signed);
	assert_int_equal(p->length_adjustment, target->length_adjustment);
	assert_int_equal(p->header_size, target->header_size);
	assert_int_equal(p->max_frame, 16 * MIB);
	assert_int_equal(best->samples_tiled, nsamples);
	assert_int_equal(best->samples, nsamples);
	assert_int_equal(best->bytes, best->total);
	assert_true(same_decoding(p, target, samples, nsamples));
}

/* Rank samples[0..n) and check the best against target. */
static void check_detect(const struct fc_profile *target, size_t n)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got = fc_detect_rank(samples, n, c, FC_DETECT_MAX_CANDIDATES);
	uint64_t frames = 0;

	print_candidates(c, got);
	assert_true(got >= 1);
	for (size_t i = 0; i < n; i++)
		frames += (uint64_t)tile(target, &samples[i]);
	assert_int_equal(c[0].frames, frames);
	for (size_t i = 1; i < got; i++)
		assert_true(c[i].score <= c[i - 1].score);
	assert_profile(&c[0], target, n);
}

static void target(struct fc_profile *p, uint32_t offset, uint32_t size,
		   enum fc_byte_order order, bool is_signed, int64_t adj,
		   uint32_t header)
{
	fc_profile_default(p);
	p->length_offset = offset;
	p->length_size = size;
	p->byte_order = order;
	p->is_signed = is_signed;
	p->length_adjustment = adj;
	p->header_size = header;
	assert_null(fc_profile_check(p));
}

/* --- the framings of the issue ---------------------------------------------- */

/* struct.pack('i', len): 4 bytes little-endian signed, the default. */
static void test_tutorial_default(void **state)
{
	(void)state;
	struct fc_profile p;

	fc_profile_default(&p);
	check_detect(&p, make_samples(&p, FILL_ZERO, 1, NSAMPLES));
}

/* struct.pack('>I', len), DataOutputStream.writeInt. */
static void test_be32(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 0, 4, FC_BIG_ENDIAN, false, 0, 4);
	check_detect(&p, make_samples(&p, FILL_ZERO, 2, NSAMPLES));
}

/* DNS over TCP: 2 bytes big-endian. */
static void test_be16(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 0, 2, FC_BIG_ENDIAN, false, 0, 2);
	check_detect(&p, make_samples(&p, FILL_ZERO, 3, NSAMPLES));
}

/* MySQL: 3-byte little-endian payload length, then a sequence id. */
static void test_mysql(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 0, 3, FC_LITTLE_ENDIAN, false, 1, 4);
	check_detect(&p, make_samples(&p, FILL_SEQ, 4, NSAMPLES));
}

/* The MySQL-style header with every sequence id 0 is also a 4-byte
 * little-endian length: either answer decodes the same. */
static void test_mysql_zero_seq_is_ambiguous(void **state)
{
	(void)state;
	struct fc_profile p, def;
	struct fc_detect_candidate c[2];
	size_t n;

	target(&p, 0, 3, FC_LITTLE_ENDIAN, false, 1, 4);
	n = make_samples(&p, FILL_ZERO, 5, NSAMPLES);
	assert_int_not_equal(fc_detect_rank(samples, n, c, 2), 0);
	assert_true(same_decoding(&c[0].profile, &p, samples, n));
	fc_profile_default(&def);
	assert_true(same_decoding(&c[0].profile, &def, samples, n));
	assert_int_equal(c[0].samples_tiled, n);
}

/* gRPC: 1 flag byte, 4-byte big-endian length, header 5. */
static void test_grpc(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 1, 4, FC_BIG_ENDIAN, false, 0, 5);
	check_detect(&p, make_samples(&p, FILL_FLAG, 6, NSAMPLES));
}

/* The length counts the whole frame, header included. */
static void test_length_includes_header(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 0, 4, FC_BIG_ENDIAN, false, -4, 4);
	check_detect(&p, make_samples(&p, FILL_ZERO, 7, NSAMPLES));
}

/* 8-byte lengths (writeLong, struct.pack('<Q')). */
static void test_len64(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 0, 8, FC_BIG_ENDIAN, false, 0, 8);
	check_detect(&p, make_samples(&p, FILL_ZERO, 8, NSAMPLES));
	target(&p, 0, 8, FC_LITTLE_ENDIAN, false, 0, 8);
	check_detect(&p, make_samples(&p, FILL_ZERO, 9, NSAMPLES));
}

/* TLS records: type, version, 2-byte big-endian length at offset 3. */
static void test_tls_like(void **state)
{
	(void)state;
	struct fc_profile p;

	target(&p, 3, 2, FC_BIG_ENDIAN, false, 0, 5);
	check_detect(&p, make_samples(&p, FILL_SEQ, 10, NSAMPLES));
}

/* A single sample of a few frames is enough; two frames are not. */
static void test_few_frames(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	char line[256];

	fc_profile_default(&p);
	rng_seed(11);
	samples[0].data = samples_buf[0];
	samples[0].complete = true;
	samples[0].len = encode(&p, samples_buf[0], SAMPLE_CAP, 4, FILL_ZERO, false);
	assert_int_not_equal(fc_detect_rank(samples, 1, c, 8), 0);
	assert_profile(&c[0], &p, 1);

	assert_false(c[0].low_confidence);

	/* Two frames: not enough to be sure, but the best guess is given,
	 * and said to be one. */
	samples[0].len = encode(&p, samples_buf[0], SAMPLE_CAP, 2, FILL_ZERO, false);
	assert_int_not_equal(fc_detect_rank(samples, 1, c, 8), 0);
	print_candidates(c, 1);
	assert_true(c[0].low_confidence);
	assert_true(c[0].bits < 20);
	assert_int_equal(c[0].samples_tiled, 1);

	/* One frame: nothing to go on. */
	samples[0].len = encode(&p, samples_buf[0], SAMPLE_CAP, 1, FILL_ZERO, false);
	assert_int_equal(fc_detect_rank(samples, 1, c, 8), 0);
	fc_detect_explain_none(samples, 1, line, sizeof(line));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, "no candidate tiles more than 1 frame"));
}

/* One request per connection: each sample is a single frame, so the only
 * evidence is that each ends exactly where the stream does. */
static void test_one_frame_per_stream(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got;

	fc_profile_default(&p);
	rng_seed(19);
	for (size_t i = 0; i < NSAMPLES; i++) {
		samples[i].data = samples_buf[i];
		samples[i].len = encode(&p, samples_buf[i], SAMPLE_CAP, 1,
					FILL_ZERO, i % 2);
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_profile(&c[0], &p, NSAMPLES);
	assert_int_equal(c[0].frames, NSAMPLES);
}

/* Streams that are byte for byte the same are one observation: six copies
 * of two frames prove no more than one. */
static void test_identical_streams_count_once(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	char line[256];

	fc_profile_default(&p);
	rng_seed(20);
	samples[0].data = samples_buf[0];
	samples[0].len = encode(&p, samples_buf[0], SAMPLE_CAP, 2, FILL_ZERO, true);
	samples[0].complete = true;
	for (size_t i = 1; i < NSAMPLES; i++)
		samples[i] = samples[0];
	assert_int_equal(fc_detect_rank(samples, NSAMPLES, c, 8), 0);
	fc_detect_explain_none(samples, NSAMPLES, line, sizeof(line));
	print_message("  %s\n", line);
	assert_true(strlen(line) > 0);
}

/* --- partial last frames -------------------------------------------------- */

static void test_partial_last_frame(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t n, got;

	fc_profile_default(&p);
	n = make_samples(&p, FILL_ZERO, 12, NSAMPLES);
	/* Cut the first sample inside a payload, the second inside a header. */
	samples[0].len -= 3;
	samples[0].complete = false;
	samples[1].len = 0;
	for (int f = 0; f < 5; f++) {
		struct fc_frame_len fl;

		assert_int_equal(fc_profile_frame_len(&p, samples_buf[1] + samples[1].len,
						      4, &fl), FC_FRAME_OK);
		samples[1].len += fl.frame_len;
	}
	samples[1].len += 2;
	samples[1].complete = false;

	got = fc_detect_rank(samples, n, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_profile(&c[0], &p, n);

	/* The same bytes, said to be complete: those two no longer tile. */
	samples[0].complete = true;
	samples[1].complete = true;
	assert_int_equal(tile(&p, &samples[0]), -1);
	got = fc_detect_rank(samples, n, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.length_size, 4);
	assert_int_equal(c[0].profile.length_adjustment, 0);
	assert_int_equal(c[0].samples_tiled, n - 2);
	assert_true(c[0].bytes < c[0].total);
}

/* A first frame that claims more than 16 MiB raises max_frame. */
static void test_large_partial_frame_raises_max(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t n;
	uint8_t *tail;

	target(&p, 0, 4, FC_BIG_ENDIAN, false, 0, 4);
	n = make_samples(&p, FILL_ZERO, 13, NSAMPLES);
	/* Sample 0 ends with a header claiming 40 MiB and a few bytes. */
	tail = samples_buf[0] + samples[0].len;
	p.max_frame = 64 * MIB;
	assert_true(fc_profile_encode_header(&p, 40 * MIB, tail));
	memset(tail + 4, 'x', 100);
	samples[0].len += 104;
	samples[0].complete = false;

	assert_int_not_equal(fc_detect_rank(samples, n, c, 8), 0);
	assert_int_equal(c[0].profile.length_size, 4);
	assert_int_equal(c[0].profile.byte_order, FC_BIG_ENDIAN);
	assert_int_equal(c[0].profile.max_frame, 64 * MIB);
	assert_int_equal(c[0].samples_tiled, n);
}

/* --- what is not length-prefixed -------------------------------------------- */

static void test_random_bytes(void **state)
{
	(void)state;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	char line[256];
	size_t got;

	rng_seed(14);
	for (size_t i = 0; i < NSAMPLES; i++) {
		samples[i].data = samples_buf[i];
		samples[i].len = 2000 + rng() % 3000;
		samples[i].complete = i % 2;
		for (size_t k = 0; k < samples[i].len; k++)
			samples_buf[i][k] = (uint8_t)rng();
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_int_equal(got, 0);
	fc_detect_explain_none(samples, NSAMPLES, line, sizeof(line));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, "random"));
}

static void test_text_lines(void **state)
{
	(void)state;
	static const char *const paths[] = { "/", "/index.html", "/api/v1/users?id=7",
					     "/favicon.ico", "/static/app.js" };
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	char line[256];
	size_t got;

	rng_seed(15);
	for (size_t i = 0; i < NSAMPLES; i++) {
		size_t pos = 0;

		for (int r = 0; r < 12; r++) {
			int w = snprintf((char *)samples_buf[i] + pos, SAMPLE_CAP - pos,
					 "GET %s HTTP/1.1\r\nHost: example.com\r\n"
					 "User-Agent: curl/7.%u\r\nAccept: */*\r\n"
					 "Content-Length: %u\r\n\r\n",
					 paths[rng() % 5], rng() % 90, rng() % 5000);
			pos += (size_t)w;
		}
		samples[i].data = samples_buf[i];
		samples[i].len = pos;
		samples[i].complete = i % 2;
	}
	/* The complete directions end with "\r\n": lines, as they are. */
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.framing, FC_FRAMING_DELIMITER);
	assert_int_equal(c[0].profile.delimiter_len, 2);
	assert_memory_equal(c[0].profile.delimiter, "\r\n", 2);
	/* No write end known: no framing is claimed, and it says why. */
	for (size_t i = 0; i < NSAMPLES; i++)
		samples[i].complete = false;
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_int_equal(got, 0);
	fc_detect_explain_none(samples, NSAMPLES, line, sizeof(line));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, "text ("));
	assert_non_null(strstr(line, "delimiter"));
}

/* sock.send(str(len(msg)) + msg): "12kinght love 3aym". */
static void test_decimal_ascii_lengths(void **state)
{
	(void)state;
	static const char *const words[] = { "kinght love", "aym", "hello world",
					     "ping", "the quick brown fox jumps" };
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	char line[256];
	size_t got;

	rng_seed(16);
	for (size_t i = 0; i < NSAMPLES; i++) {
		size_t pos = 0;

		for (int r = 0; r < 40; r++) {
			const char *m = words[rng() % 5];
			int w = snprintf((char *)samples_buf[i] + pos, SAMPLE_CAP - pos,
					 "%zu%s", strlen(m), m);
			pos += (size_t)w;
		}
		samples[i].data = samples_buf[i];
		samples[i].len = pos;
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_int_equal(got, 0);
	fc_detect_explain_none(samples, NSAMPLES, line, sizeof(line));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, "decimal"));
}

/* A stream that is one huge frame of periodic text: 1-byte lengths cycle
 * through the period forever, which proves nothing either. */
static void test_periodic_data(void **state)
{
	(void)state;
	static const char period[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got;

	fc_profile_default(&p);
	assert_true(fc_profile_encode_header(&p, 100000, samples_buf[0]));
	for (size_t k = 4; k < SAMPLE_CAP; k++)
		samples_buf[0][k] = (uint8_t)period[(k - 4) % (sizeof(period) - 1)];
	samples[0].data = samples_buf[0];
	samples[0].len = SAMPLE_CAP;
	samples[0].complete = false;
	got = fc_detect_rank(samples, 1, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_int_equal(got, 0);
}

/* All zeros: zero-length frames chain forever; that proves nothing. */
static void test_zero_run(void **state)
{
	(void)state;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	char line[256];

	for (size_t i = 0; i < NSAMPLES; i++) {
		memset(samples_buf[i], 0, 4096);
		samples[i].data = samples_buf[i];
		samples[i].len = 4096;
		samples[i].complete = true;
	}
	assert_int_equal(fc_detect_rank(samples, NSAMPLES, c, 8), 0);
	fc_detect_explain_none(samples, NSAMPLES, line, sizeof(line));
	print_message("  %s\n", line);
	assert_non_null(strstr(line, "binary data"));
}

/* --- the rule, the API's edges, Netty ----------------------------------------- */

/* MySQL: header 4, adjustment +1 makes the 3-byte length count the payload. */
static void test_mysql_rule(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_frame_len fl;
	const uint8_t hdr[4] = { 0x05, 0x00, 0x00, 0x07 };

	target(&p, 0, 3, FC_LITTLE_ENDIAN, false, 1, 4);
	assert_int_equal(fc_profile_frame_len(&p, hdr, 4, &fl), FC_FRAME_OK);
	assert_int_equal(fl.length, 5);
	assert_int_equal(fl.header_len, 4);
	assert_int_equal(fl.payload_len, 5);
	assert_int_equal(fl.frame_len, 9);
}

static void test_edges(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	struct fc_detect_sample empty[2] = { { .complete = true }, { .complete = false } };
	char line[64];
	size_t n;

	assert_int_equal(fc_detect_rank(NULL, 0, c, 8), 0);
	assert_int_equal(fc_detect_rank(empty, 2, c, 8), 0);
	fc_detect_explain_none(empty, 2, line, sizeof(line));
	assert_non_null(strstr(line, "no data"));
	fc_detect_explain_none(NULL, 0, line, sizeof(line));
	assert_non_null(strstr(line, "no data"));

	fc_profile_default(&p);
	n = make_samples(&p, FILL_ZERO, 17, NSAMPLES);
	assert_int_equal(fc_detect_rank(samples, n, c, 0), 0);
	assert_int_equal(fc_detect_rank(samples, n, c, 1), 1);
	assert_profile(&c[0], &p, n);

	/* Empty samples among others are ignored. */
	samples[2].len = 0;
	assert_int_equal(fc_detect_rank(samples, n, c, 1), 1);
	assert_int_equal(c[0].samples, n - 1);
	assert_int_equal(c[0].samples_tiled, n - 1);

	/* A short buffer is truncated, NUL-terminated. */
	fc_detect_explain_none(samples, n, line, 8);
	assert_int_equal(strlen(line), 7);
	fc_detect_netty(&p, line, 10);
	assert_string_equal(line, "new Lengt");
	line[0] = 'x';
	fc_detect_netty(&p, line, 0);
	assert_int_equal(line[0], 'x');
}

/* The runners-up are distinct framings, all valid profiles. */
static void test_runners_up(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t n, got;

	target(&p, 1, 4, FC_BIG_ENDIAN, false, 0, 5);
	/* gRPC with every flag 0: offset 1..4 of 4..1 bytes read the same. */
	n = make_samples(&p, FILL_ZERO, 18, NSAMPLES);
	got = fc_detect_rank(samples, n, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_profile(&c[0], &p, n);
	for (size_t i = 1; i < got; i++) {
		assert_null(fc_profile_check(&c[i].profile));
		assert_false(c[i].frames == c[0].frames && c[i].bytes == c[0].bytes &&
			     same_decoding(&c[i].profile, &c[0].profile, samples, n));
	}
}

static void test_netty(void **state)
{
	(void)state;
	struct fc_profile p;
	char line[256];

	fc_profile_default(&p);
	fc_detect_netty(&p, line, sizeof(line));
	assert_string_equal(line, "new LengthFieldBasedFrameDecoder("
			    "ByteOrder.LITTLE_ENDIAN, 16777220, 0, 4, 0, 4, true)");

	target(&p, 1, 4, FC_BIG_ENDIAN, false, 0, 5);
	fc_detect_netty(&p, line, sizeof(line));
	assert_string_equal(line, "new LengthFieldBasedFrameDecoder("
			    "ByteOrder.BIG_ENDIAN, 16777221, 1, 4, 0, 5, true)");

	target(&p, 0, 4, FC_BIG_ENDIAN, false, -4, 4);
	fc_detect_netty(&p, line, sizeof(line));
	assert_string_equal(line, "new LengthFieldBasedFrameDecoder("
			    "ByteOrder.BIG_ENDIAN, 16777216, 0, 4, -4, 4, true)");

	target(&p, 0, 3, FC_LITTLE_ENDIAN, false, 1, 4);
	p.max_frame = 1ULL << 40;
	fc_detect_netty(&p, line, sizeof(line));
	assert_string_equal(line, "new LengthFieldBasedFrameDecoder("
			    "ByteOrder.LITTLE_ENDIAN, 2147483647, 0, 3, 1, 4, true)");

	target(&p, 0, 5, FC_BIG_ENDIAN, false, 0, 5);
	fc_detect_netty(&p, line, sizeof(line));
	assert_non_null(strstr(line, "// no Netty equivalent"));
}

/* --- beyond the head: windows, mid-stream, solved adjustments, printers ---- */

/* A 100 KB frame after a few short ones: the head ends inside it; the
 * headers after it are only in windows (where packets began). */
static void test_chain_through_large_frame(void **state)
{
	(void)state;
	static uint8_t after[4][64];
	struct fc_detect_window win[4];
	uint32_t starts[8];
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t pos, n = 0;
	uint64_t at;

	target(&p, 0, 4, FC_BIG_ENDIAN, false, 0, 4);
	rng_seed(31);
	pos = encode(&p, samples_buf[0], SAMPLE_CAP, 4, FILL_ZERO, true);
	starts[n++] = 0;
	starts[n++] = (uint32_t)pos;
	assert_true(fc_profile_encode_header(&p, 100000, samples_buf[0] + pos));
	memset(samples_buf[0] + pos + 4, 'x', 16384 - pos - 4);
	at = pos + 4 + 100000;
	for (int k = 0; k < 4; k++) { /* four 20-byte frames, one a packet */
		assert_true(fc_profile_encode_header(&p, 16, after[k]));
		memset(after[k] + 4, 'a' + k, 16);
		win[k] = (struct fc_detect_window){ at, after[k], 20 };
		at += 20;
	}
	samples[0] = (struct fc_detect_sample){
		.data = samples_buf[0], .len = 16384, .complete = true,
		.stream_len = at, .windows = win, .nwindows = 4,
		.starts = starts, .nstarts = n };
	assert_int_not_equal(fc_detect_rank(samples, 1, c, 8), 0);
	print_candidates(c, 1);
	assert_int_equal(c[0].profile.length_size, 4);
	assert_int_equal(c[0].profile.byte_order, FC_BIG_ENDIAN);
	assert_int_equal(c[0].profile.length_adjustment, 0);
	assert_int_equal(c[0].frames, 4 + 1 + 4);
	assert_int_equal(c[0].bytes, at);

	/* Without the windows the chain stops at the big frame. */
	samples[0].nwindows = 0;
	samples[0].stream_len = 0;
	samples[0].complete = false;
	if (fc_detect_rank(samples, 1, c, 8))
		assert_true(c[0].frames < 9);
}

/* No SYN: the direction starts inside a frame; the chain begins at the
 * second packet start. */
static void test_mid_stream(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	static uint32_t starts[NSAMPLES][64];
	size_t n;

	target(&p, 2, 2, FC_LITTLE_ENDIAN, false, 20, 24); /* EtherNet/IP */
	n = make_samples(&p, FILL_SEQ, 32, NSAMPLES);
	for (size_t i = 0; i < n; i++) {
		/* The stream begins 7 bytes into the first frame; each frame
		 * after it is a packet. */
		size_t pos = 0, k = 1;
		struct fc_frame_len fl;

		assert_int_equal(fc_profile_frame_len(&p, samples_buf[i], 4, &fl), FC_FRAME_OK);
		for (pos = fl.frame_len; pos < samples[i].len && k < 64; k++) {
			starts[i][k] = (uint32_t)pos - 7;
			assert_int_equal(fc_profile_frame_len(&p, samples_buf[i] + pos, 4, &fl),
					 FC_FRAME_OK);
			pos += fl.frame_len;
		}
		starts[i][0] = 0;
		samples[i].data = samples_buf[i] + 7;
		samples[i].len -= 7;
		samples[i].starts = starts[i];
		samples[i].nstarts = k;
		samples[i].mid_stream = true;
	}
	assert_int_not_equal(fc_detect_rank(samples, n, c, 8), 0);
	print_candidates(c, 1);
	assert_int_equal(c[0].profile.length_offset, 2);
	assert_int_equal(c[0].profile.length_size, 2);
	assert_int_equal(c[0].profile.length_adjustment, 20);
	assert_int_equal(c[0].profile.header_size, 24);
	assert_int_equal(c[0].samples_tiled, n);
	assert_false(c[0].low_confidence);
}

/* BGP: a 16-byte marker, then a length counting the whole message; the
 * adjustment -18 is outside the short list at offset 16 and is solved
 * from where the writes ended. */
static void test_solved_adjustment(void **state)
{
	(void)state;
	struct fc_profile p;
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	static uint32_t starts[NSAMPLES][64];
	size_t n;

	target(&p, 16, 2, FC_BIG_ENDIAN, false, -18, 19);
	n = make_samples(&p, FILL_ZERO, 33, NSAMPLES);
	for (size_t i = 0; i < n; i++) {
		size_t pos = 0, k = 0;
		struct fc_frame_len fl;

		while (pos < samples[i].len && k < 64) {
			memset(samples_buf[i] + pos, 0xff, 16);
			starts[i][k++] = (uint32_t)pos;
			assert_int_equal(fc_profile_frame_len(&p, samples_buf[i] + pos,
							      samples[i].len - pos, &fl), FC_FRAME_OK);
			pos += fl.frame_len;
		}
		samples[i].starts = starts[i];
		samples[i].nstarts = k;
	}
	assert_int_not_equal(fc_detect_rank(samples, n, c, 8), 0);
	print_candidates(c, 1);
	assert_int_equal(c[0].profile.length_offset, 16);
	assert_int_equal(c[0].profile.length_size, 2);
	assert_int_equal(c[0].profile.length_adjustment, -18);
	{
		uint64_t frames = 0;

		for (size_t i = 0; i < n; i++)
			frames += (uint64_t)tile(&p, &samples[i]);
		assert_int_equal(c[0].frames, frames); /* the header size
							 * does not show */
	}
}

static void test_printers(void **state)
{
	(void)state;
	struct fc_profile p;
	char line[512];

	target(&p, 16, 2, FC_BIG_ENDIAN, false, -18, 19);
	fc_detect_python(&p, line, sizeof(line));
	assert_string_equal(line, "n, = struct.unpack_from('>16xH', hdr); "
			    "payload_len = n + -18 + 18 - 19");
	fc_detect_tokio(&p, line, sizeof(line));
	assert_string_equal(line, "LengthDelimitedCodec::builder().length_field_offset(16)"
			    ".length_field_length(2).length_adjustment(-18).num_skip(19)"
			    ".max_frame_length(16777216).big_endian().new_codec()");
	fc_detect_go(&p, line, sizeof(line));
	assert_non_null(strstr(line, "= 16, 2, 19, -18, 16777216; order = binary.BigEndian; "
			       "signed = false"));
	assert_non_null(strstr(line, "binary.BigEndian.Uint16(hdr[16:18])"));

	fc_profile_default(&p);
	fc_detect_python(&p, line, sizeof(line));
	assert_string_equal(line, "n, = struct.unpack_from('<i', hdr); "
			    "payload_len = n + 0 + 4 - 4");
	fc_detect_go(&p, line, sizeof(line));
	assert_non_null(strstr(line, "int64(int32(binary.LittleEndian.Uint32(hdr[0:4])))"));

	target(&p, 0, 3, FC_LITTLE_ENDIAN, false, 1, 4);
	fc_detect_python(&p, line, sizeof(line));
	assert_string_equal(line, "n = int.from_bytes(hdr[0:3], 'little', signed=False); "
			    "payload_len = n + 1 + 3 - 4");
	line[0] = 'x';
	fc_detect_tokio(&p, line, 0);
	fc_detect_go(&p, line, 0);
	fc_detect_python(&p, line, 0);
	assert_int_equal(line[0], 'x');
}

/* --- other framings and preludes ------------------------------------------ */

/* Packet starts of the samples below: one write per message. */
static uint32_t starts_buf[NSAMPLES][64];

/* Note a write starting at pos in sample i (the first 64 are kept). */
static void add_start(size_t i, size_t pos)
{
	if (samples[i].nstarts < 64)
		starts_buf[i][samples[i].nstarts++] = (uint32_t)pos;
	samples[i].starts = starts_buf[i];
}

/* Reset samples[0..n): empty, incomplete, direction c2s. */
static void clear_samples(size_t n)
{
	memset(samples, 0, sizeof(samples));
	for (size_t i = 0; i < n; i++)
		samples[i].data = samples_buf[i];
}

/* Seed the generator and clear the samples, directions alternating c2s,
 * s2c. */
static void start_samples(uint64_t seed)
{
	rng_seed(seed);
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++)
		samples[i].dir = i % 2 ? FC_DIR_S2C : FC_DIR_C2S;
}

/* Rank the NSAMPLES samples into c (printed), check that the best has
 * framing f; returns how many came out. */
static size_t rank_expect(struct fc_detect_candidate *c, enum fc_framing f)
{
	size_t got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);

	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.framing, f);
	return got;
}

/* Append a payload of n bytes (binary) to sample i. */
static void put_payload(size_t i, size_t n)
{
	for (size_t k = 0; k < n; k++)
		samples_buf[i][samples[i].len++] = (uint8_t)rng();
}

/* MQTT: a type byte, a varint remaining length (1 to 3 bytes), a
 * binary payload, one write each: varint at offset 1. */
static void test_varint(void **state)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got;

	(void)state;
	rng_seed(21);
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++) {
		for (int f = 0; f < 30; f++) {
			uint32_t n = f % 7 == 6 ? 200 + rng() % 3000 : 2 + rng() % 120, v = n;

			add_start(i, samples[i].len);
			samples_buf[i][samples[i].len++] = (uint8_t)(0x30 | (rng() & 0x0f));
			do {
				samples_buf[i][samples[i].len++] =
					(uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
				v >>= 7;
			} while (v);
			put_payload(i, n);
		}
		samples[i].complete = true;
		samples[i].dir = i % 2 ? FC_DIR_S2C : FC_DIR_C2S;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.framing, FC_FRAMING_VARINT);
	assert_int_equal(c[0].profile.length_offset, 1);
	assert_int_equal(c[0].profile.varint_max_bytes, 4);
	assert_false(c[0].low_confidence);
	assert_int_equal(c[0].samples_tiled, NSAMPLES);
	assert_null(c[0].profile.prelude);
	assert_null(fc_profile_check(&c[0].profile));
}

/* LDAP: SEQUENCE (0x30) with short and long form lengths: ber. */
static void test_ber(void **state)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got;

	(void)state;
	rng_seed(22);
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++) {
		for (int f = 0; f < 30; f++) {
			uint32_t n = f % 5 == 4 ? 128 + rng() % 2000 : 5 + rng() % 100;

			add_start(i, samples[i].len);
			samples_buf[i][samples[i].len++] = 0x30;
			if (n < 0x80) {
				samples_buf[i][samples[i].len++] = (uint8_t)n;
			} else {
				samples_buf[i][samples[i].len++] = 0x82;
				samples_buf[i][samples[i].len++] = (uint8_t)(n >> 8);
				samples_buf[i][samples[i].len++] = (uint8_t)n;
			}
			put_payload(i, n);
		}
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.framing, FC_FRAMING_BER);
	assert_false(c[0].low_confidence);
	assert_int_equal(c[0].frames, 30 * NSAMPLES);
	assert_null(fc_profile_check(&c[0].profile));
}

/* STOMP: text frames ending with NUL, one write each: delimiter "\0";
 * the same text without any write end known is not claimed. */
static void test_delimiter_nul(void **state)
{
	static const char *const cmds[] = { "SEND", "SUBSCRIBE", "MESSAGE", "ACK" };
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got;

	(void)state;
	rng_seed(23);
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++) {
		for (int f = 0; f < 20; f++) {
			add_start(i, samples[i].len);
			samples[i].len += (size_t)snprintf((char *)samples_buf[i] + samples[i].len,
							   SAMPLE_CAP - samples[i].len,
							   "%s\ndestination:/queue/a%u\n\nbody %u",
							   cmds[rng() % 4], rng() % 100, rng());
			samples_buf[i][samples[i].len++] = 0;
		}
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.framing, FC_FRAMING_DELIMITER);
	assert_int_equal(c[0].profile.delimiter_len, 1);
	assert_int_equal(c[0].profile.delimiter[0], 0);
	assert_int_equal(c[0].frames, 20 * NSAMPLES);
	assert_true(c[0].text_pct >= 85);
	assert_true(c[0].landed * 2 >= c[0].writes);
	assert_null(fc_profile_check(&c[0].profile));
	for (size_t i = 0; i < NSAMPLES; i++) {
		samples[i].nstarts = 0;
		samples[i].complete = false;
	}
	assert_int_equal(fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES), 0);
}

/* A frame of `typed`: type byte, 4-byte big-endian length counting
 * itself, payload; appended to sample i as one write. */
static void put_typed(size_t i, uint8_t type, uint32_t n)
{
	uint8_t *b;

	add_start(i, samples[i].len);
	b = samples_buf[i] + samples[i].len;
	b[0] = type;
	b[1] = (uint8_t)((n + 4) >> 24);
	b[2] = (uint8_t)((n + 4) >> 16);
	b[3] = (uint8_t)((n + 4) >> 8);
	b[4] = (uint8_t)(n + 4);
	samples[i].len += 5;
	put_payload(i, n);
}

/* PostgreSQL: c2s starts with an SSLRequest and a startup message (a
 * length without a type), s2c with the one-byte 'N'; then typed
 * messages. Detected: the typed layout, a profile prelude c2s of 2
 * frames and the literal "N" s2c; the directions whose start was not
 * captured read no prelude. */
static void test_prelude(void **state)
{
	static const uint8_t ssl[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	const struct fc_prelude_step *st;
	size_t got;

	(void)state;
	start_samples(24);
	for (size_t i = 0; i < NSAMPLES; i++) {
		if (i % 2 == 0) {
			uint32_t n = 30 + rng() % 40;

			add_start(i, 0);
			memcpy(samples_buf[i], ssl, 8);
			samples[i].len = 8;
			add_start(i, 8);
			samples_buf[i][8] = 0;
			samples_buf[i][9] = 0;
			samples_buf[i][10] = 0;
			samples_buf[i][11] = (uint8_t)(n + 4);
			samples[i].len = 12;
			put_payload(i, n);
		} else {
			add_start(i, 0);
			samples_buf[i][samples[i].len++] = 'N';
		}
		for (int f = 0; f < 25; f++)
			put_typed(i, (uint8_t)("QPBEDSRTCZ"[rng() % 10]), 1 + rng() % 150);
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].profile.framing, FC_FRAMING_LENGTH);
	assert_int_equal(c[0].profile.length_offset, 1);
	assert_int_equal(c[0].profile.length_size, 4);
	assert_int_equal(c[0].profile.byte_order, FC_BIG_ENDIAN);
	assert_int_equal(c[0].profile.length_adjustment, -4);
	assert_int_equal(c[0].profile.header_size, 5);
	assert_ptr_equal(c[0].profile.prelude, &c[0].prelude);
	assert_null(fc_profile_check(&c[0].profile));
	assert_int_equal(c[0].prelude.nsteps[FC_DIR_C2S], 1);
	st = &c[0].prelude.steps[FC_DIR_C2S][0];
	assert_int_equal(st->kind, FC_PRELUDE_PROFILE);
	assert_int_equal(st->max_frames, 2);
	assert_int_equal(st->profile.length_offset, 0);
	assert_int_equal(st->profile.length_size, 4);
	assert_int_equal(st->profile.length_adjustment, -4);
	assert_true(st->profile.max_frame >= 256 && st->profile.max_frame <= 16384);
	assert_int_equal(c[0].prelude.nsteps[FC_DIR_S2C], 1);
	st = &c[0].prelude.steps[FC_DIR_S2C][0];
	assert_int_equal(st->kind, FC_PRELUDE_BYTES_ONE_OF);
	assert_int_equal(st->nchoices, 1);
	assert_int_equal(st->choice_len[0], 1);
	assert_int_equal(st->choice[0][0], 'N');
	assert_int_equal(c[0].prelude_samples[FC_DIR_C2S], NSAMPLES / 2);
	assert_int_equal(c[0].prelude_samples[FC_DIR_S2C], NSAMPLES / 2);
	assert_int_equal(c[0].samples_tiled, NSAMPLES);
	assert_int_equal(c[0].bytes, c[0].total);
	/* A literal prelude: AMQP's header before 4-byte length frames. */
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++) {
		samples[i].dir = i % 2 ? FC_DIR_S2C : FC_DIR_C2S;
		if (i % 2 == 0) {
			add_start(i, 0);
			memcpy(samples_buf[i], "AMQP\0\0\x09\x01", 8);
			samples[i].len = 8;
		}
		for (int f = 0; f < 25; f++)
			put_typed(i, 1, 1 + rng() % 150);
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	assert_true(got >= 1);
	assert_int_equal(c[0].prelude.nsteps[FC_DIR_C2S], 1);
	assert_int_equal(c[0].prelude.nsteps[FC_DIR_S2C], 0);
	st = &c[0].prelude.steps[FC_DIR_C2S][0];
	assert_int_equal(st->kind, FC_PRELUDE_BYTES_ONE_OF);
	assert_int_equal(st->choice_len[0], 8);
	assert_memory_equal(st->choice[0], "AMQP\0\0\x09\x01", 8);
	/* Mid-stream directions: no prelude is looked for. */
	for (size_t i = 0; i < NSAMPLES; i++)
		samples[i].mid_stream = true;
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	assert_true(got >= 1);
	assert_null(c[0].profile.prelude);
}

/* A frame of `typed` as above with a 4-byte big-endian length in front
 * whose top bit is a flag (ONC RPC record marking: 0x80000000 | n, the
 * last-fragment bit), one write each. */
static void put_marked(size_t i, uint32_t n)
{
	uint8_t *b;

	add_start(i, samples[i].len);
	b = samples_buf[i] + samples[i].len;
	b[0] = (uint8_t)(0x80 | n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	samples[i].len += 4;
	put_payload(i, n);
}

/* ONC RPC: 4-byte big-endian length with the last-fragment bit set on
 * every record. Detected: 4 bytes at 0 with length_mask 0x7fffffff (not
 * the 2 or 3 bytes after the flag byte that cut the same frames), the
 * flag shown apart; plain lengths get no mask. */
static void test_length_mask(void **state)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	struct fc_profile p;
	char line[512];
	size_t got;

	(void)state;
	start_samples(31);
	for (size_t i = 0; i < NSAMPLES; i++) {
		for (int f = 0; f < 20; f++)
			put_marked(i, 8 + rng() % 300);
		samples[i].complete = true;
	}
	rank_expect(c, FC_FRAMING_LENGTH);
	assert_false(c[0].low_confidence);
	assert_int_equal(c[0].profile.length_offset, 0);
	assert_int_equal(c[0].profile.length_size, 4);
	assert_int_equal(c[0].profile.byte_order, FC_BIG_ENDIAN);
	assert_false(c[0].profile.is_signed);
	assert_int_equal(c[0].profile.length_adjustment, 0);
	assert_true(c[0].profile.length_mask == 0x7fffffffULL);
	assert_null(fc_profile_check(&c[0].profile));
	assert_int_equal(c[0].samples_tiled, NSAMPLES);
	assert_int_equal(c[0].bytes, c[0].total);
	/* the printers mask the field too */
	fc_detect_python(&c[0].profile, line, sizeof(line));
	assert_non_null(strstr(line, "mask = 0x7fffffff"));
	assert_non_null(strstr(line, "(n & mask)"));
	fc_detect_go(&c[0].profile, line, sizeof(line));
	assert_non_null(strstr(line, "n &= lengthMask"));
	fc_detect_netty(&c[0].profile, line, sizeof(line));
	assert_non_null(strstr(line, "& 0x7fffffffL"));
	fc_detect_tokio(&c[0].profile, line, sizeof(line));
	assert_non_null(strstr(line, "no tokio-util equivalent"));
	/* Without the flag the same lengths need no mask. */
	fc_profile_default(&p);
	p.byte_order = FC_BIG_ENDIAN;
	p.is_signed = false;
	clear_samples(NSAMPLES);
	make_samples(&p, FILL_ZERO, 25, NSAMPLES);
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	assert_true(got >= 1);
	assert_true(c[0].profile.length_mask == 0);
}

/* Fixed-size records, one or two a write: framing fixed of their size,
 * with the writes as evidence; variable-size writes are never fixed. */
static void test_fixed(void **state)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	size_t got;

	(void)state;
	start_samples(32);
	for (size_t i = 0; i < NSAMPLES; i++) {
		for (int f = 0; f < 20; f++) {
			add_start(i, samples[i].len);
			put_payload(i, 24 * (1 + rng() % 2));
		}
		samples[i].complete = true;
	}
	rank_expect(c, FC_FRAMING_FIXED);
	assert_int_equal(c[0].profile.frame_size, 24);
	assert_null(fc_profile_check(&c[0].profile));
	assert_int_equal(c[0].samples_tiled, NSAMPLES);
	assert_int_equal(c[0].bytes, c[0].total);
	/* One write of another size anywhere: not fixed. */
	add_start(3, samples[3].len);
	put_payload(3, 30);
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	print_candidates(c, got);
	for (size_t k = 0; k < got; k++)
		assert_int_not_equal(c[k].profile.framing, FC_FRAMING_FIXED);
	/* Length-prefixed frames of varied sizes: never fixed. */
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++) {
		for (int f = 0; f < 20; f++)
			put_typed(i, 'D', 1 + rng() % 200);
		samples[i].complete = true;
	}
	got = fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	assert_true(got >= 1);
	for (size_t k = 0; k < got; k++)
		assert_int_not_equal(c[k].profile.framing, FC_FRAMING_FIXED);
}

/* Two prelude steps in one direction: a magic string written alone, then
 * a handshake frame of another layout (2-byte big-endian length, its
 * content different in every stream), then typed messages. Detected: the
 * typed layout with the steps [bytes_one_of the magic, profile], not one
 * literal per stream that swallows each handshake. */
static void test_prelude_two_steps(void **state)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	const struct fc_prelude_step *st;

	(void)state;
	start_samples(33);
	for (size_t i = 0; i < NSAMPLES; i++) {
		uint32_t n = 10 + rng() % 40; /* the handshake's payload */

		add_start(i, 0);
		memcpy(samples_buf[i], "XPROTO/1", 8);
		samples[i].len = 8;
		add_start(i, 8);
		samples_buf[i][8] = 0;
		samples_buf[i][9] = (uint8_t)n;
		samples[i].len = 10;
		put_payload(i, n);
		for (int f = 0; f < 25; f++)
			put_typed(i, (uint8_t)("QPBEDSRTCZ"[rng() % 10]), 1 + rng() % 150);
		samples[i].complete = true;
	}
	rank_expect(c, FC_FRAMING_LENGTH);
	assert_int_equal(c[0].profile.length_offset, 1);
	assert_int_equal(c[0].profile.length_size, 4);
	assert_int_equal(c[0].profile.length_adjustment, -4);
	assert_null(fc_profile_check(&c[0].profile));
	assert_int_equal(c[0].prelude.nsteps[FC_DIR_C2S], 2);
	st = &c[0].prelude.steps[FC_DIR_C2S][0];
	assert_int_equal(st->kind, FC_PRELUDE_BYTES_ONE_OF);
	assert_int_equal(st->nchoices, 1);
	assert_int_equal(st->choice_len[0], 8);
	assert_memory_equal(st->choice[0], "XPROTO/1", 8);
	st = &c[0].prelude.steps[FC_DIR_C2S][1];
	assert_int_equal(st->kind, FC_PRELUDE_PROFILE);
	assert_int_equal(st->max_frames, 1);
	assert_int_equal(st->profile.length_offset, 0);
	assert_int_equal(st->profile.length_size, 2);
	assert_int_equal(st->profile.byte_order, FC_BIG_ENDIAN);
	assert_int_equal(st->profile.length_adjustment, 0);
	assert_int_equal(c[0].samples_tiled, NSAMPLES);
	assert_int_equal(c[0].bytes, c[0].total);
}

/* fc_detect_fit: a framing found elsewhere explains one short exchange
 * (a frame a direction) that is too little to infer from alone; it does
 * not fit bytes it cannot tile. */
static void test_fit(void **state)
{
	struct fc_detect_candidate c;
	struct fc_profile p;

	(void)state;
	fc_profile_default(&p);
	p.byte_order = FC_BIG_ENDIAN;
	p.is_signed = false;
	p.length_mask = 0x7fffffff;
	rng_seed(34);
	clear_samples(2);
	put_marked(0, 56);
	samples[0].complete = true;
	samples[1].dir = FC_DIR_S2C;
	put_marked(1, 28);
	samples[1].complete = true;
	assert_int_equal(fc_detect_rank(samples, 2, &c, 1), 0);
	assert_true(fc_detect_fit(&p, samples, 2, &c));
	assert_int_equal(c.frames, 2);
	assert_int_equal(c.samples_tiled, 2);
	assert_int_equal(c.bytes, 60 + 32);
	assert_ptr_equal(c.profile.prelude, NULL);
	p.length_mask = 0; /* the flag read as length: oversize */
	assert_false(fc_detect_fit(&p, samples, 2, &c));
	assert_false(fc_detect_fit(&p, NULL, 0, &c));
}

/* The worst input tried for time: every sample 64 KiB of one byte with a
 * packet start every 64 bytes and every fixed, masked and literal
 * search open. Bounded: well under a few seconds (no quadratic search). */
static void test_worst_case_time(void **state)
{
	struct fc_detect_candidate c[FC_DETECT_MAX_CANDIDATES];
	struct timespec t0, t1;
	double secs;

	(void)state;
	clear_samples(NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++) {
		memset(samples_buf[i], 0xc1, SAMPLE_CAP);
		samples[i].len = SAMPLE_CAP;
		for (size_t k = 0; k < SAMPLE_CAP; k += 64)
			add_start(i, k);
		samples[i].dir = i % 2 ? FC_DIR_S2C : FC_DIR_C2S;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fc_detect_rank(samples, NSAMPLES, c, FC_DETECT_MAX_CANDIDATES);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("  %.2f s\n", secs);
	assert_true(secs < 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tutorial_default),
		cmocka_unit_test(test_be32),
		cmocka_unit_test(test_be16),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_mysql_zero_seq_is_ambiguous),
		cmocka_unit_test(test_grpc),
		cmocka_unit_test(test_length_includes_header),
		cmocka_unit_test(test_len64),
		cmocka_unit_test(test_tls_like),
		cmocka_unit_test(test_few_frames),
		cmocka_unit_test(test_one_frame_per_stream),
		cmocka_unit_test(test_identical_streams_count_once),
		cmocka_unit_test(test_partial_last_frame),
		cmocka_unit_test(test_large_partial_frame_raises_max),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_decimal_ascii_lengths),
		cmocka_unit_test(test_periodic_data),
		cmocka_unit_test(test_zero_run),
		cmocka_unit_test(test_mysql_rule),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_runners_up),
		cmocka_unit_test(test_netty),
		cmocka_unit_test(test_chain_through_large_frame),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_solved_adjustment),
		cmocka_unit_test(test_printers),
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_ber),
		cmocka_unit_test(test_delimiter_nul),
		cmocka_unit_test(test_prelude),
		cmocka_unit_test(test_length_mask),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_prelude_two_steps),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_worst_case_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
