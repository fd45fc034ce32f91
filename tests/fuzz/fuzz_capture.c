/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_capture.c - libFuzzer target: a whole capture file through the
 * packet path (libpcap reader, link layer, IP, TCP, reassembly, decoder)
 * and both output sinks.
 *
 *   input bytes = a pcap or pcapng file, read with pcap_fopen_offline
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "fc_engine.h"
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
	struct fc_engine *e;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct fc_pkt pkt = { 0, 0 };
	pcap_t *p;
	int dlt;

	if (!in)
		return;
	p = pcap_fopen_offline(in, errbuf); /* owns `in` from here */
	if (!p) {
		fclose(in);
		return;
	}
	dlt = pcap_datalink(p);
	out = json ? fc_output_json(&oo) : fc_output_text(&oo);
	e = fc_engine_new(&ec, &out->sink);
	while (pcap_next_ex(p, &h, &bytes) == 1) {
		pkt.num++;
		pkt.ts_us = fc_ts_us((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
		fc_engine_packet(e, &pkt, dlt, bytes, h->caplen, h->len);
	}
	fc_engine_finish(e, &pkt);
	out->summary(out, fc_engine_stats(e), NULL);
	out->destroy(out);
	fc_engine_free(e);
	pcap_close(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	run(data, size, size & 1);
	return 0;
}
