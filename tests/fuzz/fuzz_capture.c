/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_capture.c - libFuzzer target: a whole capture file through the
 * packet path (libpcap reader, link layer, IP, TCP, reassembly, decoder)
 * and both output sinks.
 *
 *   input bytes = a pcap or pcapng file, read with pcap_fopen_offline
 *
 * Records go through framecap's own loop (src/cli/feed.c), with a -c
 * count and a BPF filter on odd-sized inputs.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "fc_engine.h"
#include "feed.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void run(const uint8_t *data, size_t size, bool json)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *in = fmemopen((void *)data, size, "rb");
	struct fc_output_opts oo = { .out = devnull, .verbose = 1, .hexdump = true,
				     .payload_hex = 64 };
	struct fc_engine_config ec = { .payload_keep = 64, .max_flows = 64,
				       .ack_window_packets = FC_DEFAULT_ACK_WINDOW_PACKETS,
				       .ack_window_us = FC_DEFAULT_ACK_WINDOW_US };
	struct fc_output *out;
	struct feed f = { 0 };
	struct bpf_program filter;
	bool have_filter = false;
	pcap_t *p;

	if (!in)
		return;
	p = pcap_fopen_offline(in, errbuf); /* owns `in` from here */
	if (!p) {
		fclose(in);
		return;
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
	feed_run(&f);
	fc_engine_finish(f.engine, &f.last);
	out->summary(out, fc_engine_stats(f.engine), NULL);
	out->destroy(out);
	fc_engine_free(f.engine);
	if (have_filter)
		pcap_freecode(&filter);
	pcap_close(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	run(data, size, size & 1);
	return 0;
}
