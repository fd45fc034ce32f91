/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_engine.h - from captured packets to frames: the whole decoding core.
 *
 *   packet -> fc_packet_parse -> flow table -> fc_reasm (per direction)
 *          -> fc_decoder (per direction) -> one struct fc_report per segment
 *
 * The engine owns no I/O and never prints: a front end feeds it records
 * (from libpcap or anything else) and receives streams, segments, frames
 * and anomalies through a sink. Memory is bounded by the limits below,
 * whatever the size of the input.
 */
#ifndef FC_ENGINE_H
#define FC_ENGINE_H

#include "fc_config.h"
#include "fc_decoder.h"
#include "fc_ipfrag.h"
#include "fc_packet.h"
#include "fc_reasm.h"

enum fc_dir { FC_C2S = 0, FC_S2C = 1 };

struct fc_stream_info {
	uint64_t id; /* 1-based, in order of each connection's first packet */
	struct fc_flow_key key; /* oriented client -> server; front ends
				 * format the endpoints (fc_format_endpoint)
				 * when they show them, the flow keeps none */
	const struct fc_profile *profile;
	uint64_t first_pkt;
	int64_t first_ts_us;
	bool syn_seen; /* false: mid-stream start, direction guessed */
};

struct fc_stream_end {
	struct fc_decoder_stats dir[2];
	struct fc_reasm_stats reasm[2];
	const char *why; /* "fin", "rst", "capture end", "evicted" */
};

struct fc_sink {
	void *ctx;
	/* Before the first segment or anomaly of a stream. */
	void (*stream_begin)(void *ctx, const struct fc_stream_info *s);
	/* In-order stream bytes before they are decoded (optional): for front
	 * ends that look at the raw stream, such as profile inference.
	 * `start_seen`: this direction's SYN was seen, so offset 0 is the
	 * first byte the application wrote. */
	void (*data)(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		     uint64_t offset, const uint8_t *p, uint32_t n, bool start_seen);
	/* What one step of a direction produced (fc_event.h): a data segment
	 * with its frames and anomalies, or a gap's, the direction's end's or
	 * reassembly's findings. Everything reaches front ends this way. */
	void (*report)(void *ctx, const struct fc_stream_info *s, enum fc_dir dir,
		       const struct fc_report *r);
	/* Only for streams that began. */
	void (*stream_end)(void *ctx, const struct fc_stream_info *s,
			   const struct fc_stream_end *e);
};

struct fc_engine_config {
	const struct fc_config *config; /* port map, may be NULL */
	const struct fc_profile *forced; /* --profile: used for every stream */
	const struct fc_profile *fallback; /* when no port matches */
	uint64_t payload_keep; /* payload bytes kept per frame */
	uint32_t max_flows; /* connections in the table, open or closed (fc_engine.c
			     * says which go first when it is full) */
	uint64_t max_ooo_per_dir; /* out-of-order bytes per direction */
	uint64_t max_ooo_total; /* out-of-order bytes for all flows */
	bool bytes_only; /* reassemble for sink.data, decode nothing */
	bool omit_frames; /* reports without frame records (fc_decoder_omit_frames) */
	uint32_t max_ooo_pieces; /* out-of-order pieces per direction; 0: default */
	/* An acknowledged hole becomes a gap once this many more packets of
	 * its connection AND this much capture time went by without its data
	 * (or the budget ran out, or the connection ended). Both 0: at once,
	 * on the ACK. Front ends set FC_DEFAULT_ACK_WINDOW_*. */
	uint64_t ack_window_packets;
	uint64_t ack_window_us;
	/* Payload bytes kept for all frames of all flows together (what
	 * payload_keep asks for, within this); 0: the default. */
	uint64_t max_kept_total;
	/* Secret key of the flow table's hash (SipHash), fresh for each run
	 * (the CLI reads it from getrandom()): without it, nobody can pick
	 * addresses that share a bucket. A fixed key (tests, fuzzing) gives
	 * the same output: it only changes the table's layout. */
	uint8_t hash_key[16];
};

/* 50,000 concurrent connections: a full table of open connections that
 * all carry data stays under 64 MiB (about 1.2 KB each with the table:
 * tests/suites/memory.sh). */
#define FC_DEFAULT_MAX_FLOWS 50000
/* Table slots: 1.25 x max_flows rounded up to a power of two, at most
 * this many (more than the most flows --max-flows allows, 2^24: a full
 * table still has free slots to end its probes). */
#define FC_MAX_SLOTS (1u << 25)
#define FC_DEFAULT_MAX_OOO_PER_DIR (1u << 20)
#define FC_DEFAULT_MAX_OOO_TOTAL (16u << 20)
#define FC_MIN_OOO_PER_DIR (256u << 10)
#define FC_DEFAULT_MAX_OOO_PIECES FC_REASM_DEFAULT_MAX_PIECES
#define FC_MIN_OOO_PIECES 64u
/* Late data on the shared captures came 1 or 2 packets and at most 20 ms
 * after the ACK covering it: 30 and 10 times that. */
#define FC_DEFAULT_ACK_WINDOW_PACKETS 64u
#define FC_DEFAULT_ACK_WINDOW_US 200000u
/* --payload-bytes all with a few unfinished large frames fits; the
 * default 64 bytes a frame never comes near it. */
#define FC_DEFAULT_MAX_KEPT_TOTAL (64u << 20)
#define FC_MAX_KEPT_TOTAL_LIMIT (1ULL << 40)

struct fc_engine_stats {
	uint64_t packets; /* records given to the engine */
	uint64_t tcp_packets;
	uint64_t not_tcp;
	uint64_t ip_fragments; /* fragments of what may be TCP */
	struct fc_ipfrag_stats ipfrag; /* their reassembly */
	uint64_t malformed;
	uint64_t bad_link;
	uint64_t streams; /* connections seen (with or without payload) */
	uint64_t streams_with_data;
	uint64_t frames;
	uint64_t bytes;
	uint64_t sticky_segments;
	uint64_t split_frames;
	uint64_t max_frames_in_segment;
	uint64_t anomalies;
	uint64_t anomaly_kinds[FC_AN__COUNT];
	uint64_t flows_evicted; /* live flows finished early: table full */
	uint64_t untracked_packets; /* of connections a full table had no room for */
	uint64_t live_flows_peak;
	uint64_t ooo_peak_bytes;
	uint64_t forced_gaps; /* holes given up: out-of-order budget */
	uint64_t retransmitted_bytes;
	uint64_t late_packets; /* data or FIN after the connection closed */
	uint64_t kept_cut_frames; /* frames that kept less: max_kept_total */
	/* 1 once lookups probed so long that the flow table was rebuilt
	 * under SipHash (fc_flow_hash) for every key */
	uint64_t flow_hash_strong;
};

struct fc_engine;

/* Checks the limits; NULL if out of memory. `sink` is copied. */
struct fc_engine *fc_engine_new(const struct fc_engine_config *cfg,
				const struct fc_sink *sink);

/* One captured record of link type dlt: caplen bytes at data, of a packet
 * that was wire_len bytes long. Returns its parse status (the engine counts
 * each kind). When nothing was cut (caplen == wire_len), an IP length
 * beyond the packet is a lie, not a snaplen cut: no gap is made of it. */
enum fc_parse_status fc_engine_packet(struct fc_engine *e,
				      const struct fc_pkt *pkt, int dlt,
				      const uint8_t *data, uint32_t caplen,
				      uint32_t wire_len);

/* The next record, when the caller knows it before handing over this
 * one (fc_engine_packet_ahead). */
struct fc_next_record {
	uint64_t num; /* its fc_pkt.num */
	const uint8_t *data; /* NULL: not known */
	uint32_t caplen, wire_len;
};

/* fc_engine_packet, told the record that comes next (next->data NULL:
 * not known). That record is parsed now and its connection's place in
 * the flow table fetched into the cache, so the lookup does not wait for
 * memory when it comes; the parse is kept for it and used when the next
 * call brings that very record (the same number and bytes). Output is
 * the same as with fc_engine_packet. */
enum fc_parse_status fc_engine_packet_ahead(struct fc_engine *e,
					    const struct fc_pkt *pkt, int dlt,
					    const uint8_t *data, uint32_t caplen,
					    uint32_t wire_len,
					    const struct fc_next_record *next);

/* Would fc_engine_packet_ahead gain from being told the next record
 * now? Only with many connections in the table (cache misses to hide);
 * otherwise the caller may as well not look. */
bool fc_engine_ahead_useful(const struct fc_engine *e);

/* End of capture: every live stream ends (holes become gaps, unfinished
 * frames are reported incomplete), in stream order. */
void fc_engine_finish(struct fc_engine *e, const struct fc_pkt *last);

/* No packet came, and it is now now_us (a live capture's clock, called a
 * few times a second): acknowledged holes whose time window has passed
 * become gaps, without waiting for more packets of their connection. */
void fc_engine_tick(struct fc_engine *e, int64_t now_us);

const struct fc_engine_stats *fc_engine_stats(const struct fc_engine *e);

void fc_engine_free(struct fc_engine *e);

/* The flow table's hashes of a packet's key under a 16-byte secret: the
 * same for both directions of a connection; the bucket is its low bits.
 * fc_flow_hash is SipHash-1-3. fc_flow_hash_quick is the table's first
 * hash: for an untagged IPv4 pair, multilinear under multipliers drawn
 * from the secret, then a fixed bijection that is not linear; for any
 * other key, fc_flow_hash. */
uint32_t fc_flow_hash(const uint8_t key[16], const struct fc_flow_key *k);
uint32_t fc_flow_hash_quick(const uint8_t key[16], const struct fc_flow_key *k);

#endif
