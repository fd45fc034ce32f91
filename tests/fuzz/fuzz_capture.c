/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_capture.c - libFuzzer target: a whole capture file through the
 * packet path (file reader, link layer, IP, TCP, reassembly, decoder)
 * and both output sinks.
 *
 *   input bytes = a pcap or pcapng file
 *       |-- fmemopen --> pcap_fopen_offline --> libpcap's records --.
 *       '-- memfd -----> pcap_fopen_offline --> pcap_map (in place) -+-> feed
 *
 * Records go through framecap's own loop (src/cli/feed.c), with a -c
 * count and a BPF filter on odd-sized inputs. Both readers read every
 * input, and must agree on how it ends and on the records it holds: a
 * difference aborts, as a crash would.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fc_engine.h"
#include "feed.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* What a reader made of the input: how feed_run ended and the records. */
struct outcome {
	enum feed_end end;
	uint64_t records, packets, tcp, malformed;
};

/* The input as a file pcap_map can map (NULL when memfd fails). */
static FILE *as_file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_capture", 0);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0 ||
	    !(f = fdopen(fd, "rb"))) {
		close(fd);
		return NULL;
	}
	return f;
}

/* One reading of the input: in place (pcap_map), else by libpcap. */
static bool run(const uint8_t *data, size_t size, bool json, bool in_place,
		struct outcome *o)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *in = in_place ? as_file(data, size) : fmemopen((void *)data, size, "rb");
	struct fc_output_opts oo = { .out = devnull, .verbose = 1, .hexdump = true,
				     .payload_hex = 64 };
	struct fc_engine_config ec = { .payload_keep = 64, .max_flows = 64,
				       .ack_window_packets = FC_DEFAULT_ACK_WINDOW_PACKETS,
				       .ack_window_us = FC_DEFAULT_ACK_WINDOW_US };
	const struct fc_engine_stats *st;
	struct fc_output *out;
	struct feed f = { 0 };
	struct bpf_program filter;
	bool have_filter = false;
	pcap_t *p;

	if (!in)
		return false;
	p = pcap_fopen_offline(in, errbuf); /* owns `in` from here */
	if (!p) {
		fclose(in);
		return false;
	}
	if (in_place) {
		f.map = pcap_map_open(p, fileno(in));
		if (!f.map) {
			pcap_close(p);
			return false;
		}
	}
	out = json ? fc_output_json(&oo) : fc_output_text(&oo);
	f.pcap = p;
	f.dlt = pcap_datalink(p);
	f.engine = fc_engine_new(&ec, &out->sink);
	if (json) { /* the filter and count paths too, on half the inputs */
		have_filter = pcap_compile(p, &filter, "tcp", 1, PCAP_NETMASK_UNKNOWN) == 0;
		f.filter = have_filter ? &filter : NULL;
		f.max_count = 1000;
	}
	o->end = feed_run(&f);
	fc_engine_finish(f.engine, &f.last);
	st = fc_engine_stats(f.engine);
	o->records = f.recno;
	o->packets = st->packets;
	o->tcp = st->tcp_packets;
	o->malformed = st->malformed;
	out->summary(out, st, NULL);
	out->destroy(out);
	fc_engine_free(f.engine);
	pcap_map_close(f.map);
	if (have_filter)
		pcap_freecode(&filter);
	pcap_close(p);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome lib, map;
	bool json = size & 1, in_place;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	in_place = run(data, size, json, true, &map);
	if (run(data, size, json, false, &lib) && in_place &&
	    (lib.end != map.end || lib.records != map.records || lib.packets != map.packets ||
	     lib.tcp != map.tcp || lib.malformed != map.malformed)) {
		fprintf(stderr, "readers differ: end %d/%d, records %llu/%llu, packets %llu/%llu\n",
			lib.end, map.end, (unsigned long long)lib.records,
			(unsigned long long)map.records, (unsigned long long)lib.packets,
			(unsigned long long)map.packets);
		abort();
	}
	return 0;
}
