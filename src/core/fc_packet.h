/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_packet.h - link layer, IPv4/IPv6 and TCP header parsing.
 *
 * Turns one captured record into the TCP segment it carries:
 *
 *   [link header][VLAN tags]* [IPv4 | IPv6 + ext headers] [TCP header] payload
 *
 * Supported link types: Ethernet (stacked 802.1Q / 802.1ad tags), Linux
 * cooked v1 and v2, FDDI, DLT_NULL and DLT_LOOP (address family in either byte
 * order), raw IP (DLT_RAW in its platform variants, LINKTYPE_IPV4/IPV6).
 * Pure function of its input: no allocation, no I/O, no global state.
 */
#ifndef FC_PACKET_H
#define FC_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#define FC_MAX_VLAN 4

struct fc_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t bytes[16]; /* IPv4 uses the first 4; the rest are zero */
};

/* Identifies one direction of a TCP connection as seen in a packet. */
struct fc_flow_key {
	struct fc_addr src, dst;
	uint16_t sport, dport;
	uint8_t nvlan; /* VLAN tags recorded, outermost first */
	uint16_t vlan[FC_MAX_VLAN]; /* 12-bit VLAN IDs */
};

enum fc_tcp_flag {
	FC_TH_FIN = 0x01,
	FC_TH_SYN = 0x02,
	FC_TH_RST = 0x04,
	FC_TH_PUSH = 0x08,
	FC_TH_ACK = 0x10,
	FC_TH_URG = 0x20,
};

struct fc_tcp_seg {
	struct fc_flow_key key;
	uint32_t seq, ack;
	uint8_t flags; /* enum fc_tcp_flag */
	const uint8_t *payload; /* points into the caller's packet buffer */
	uint32_t payload_captured; /* payload bytes present in the buffer */
	uint32_t payload_len; /* payload bytes on the wire (from IP length) */
};

enum fc_parse_status {
	FC_PARSE_TCP = 0, /* *seg filled in */
	FC_PARSE_NOT_TCP, /* well-formed, but not TCP over IP (ARP, UDP...) */
	FC_PARSE_FRAGMENT, /* an IP fragment of what may be TCP (see fc_ipfrag) */
	FC_PARSE_MALFORMED, /* headers truncated or inconsistent */
	FC_PARSE_BAD_LINK, /* link type not supported */
};

/* Which datagram a fragment belongs to (RFC 791 / RFC 8200): addresses,
 * identification, the protocol it carries (IPv4) or the header after the
 * Fragment header (IPv6), and the VLAN tags it came with. Padding is zero,
 * so keys compare and hash bytewise. */
struct fc_frag_key {
	struct fc_addr src, dst;
	uint8_t proto;
	uint8_t nvlan;
	uint16_t vlan[FC_MAX_VLAN];
	uint32_t id; /* IPv4: 16 bits; IPv6: 32 */
};

/* One IP fragment of what may be TCP, as fc_packet_parse_frag finds it. */
struct fc_ip_fragment {
	struct fc_frag_key key;
	uint32_t offset; /* bytes into the datagram's fragmentable payload */
	bool more; /* MF: more fragments follow */
	bool cut; /* the capture lacks some of its bytes (snaplen) */
	const uint8_t *data; /* its payload, in the caller's buffer */
	uint32_t len; /* captured payload bytes at data */
};

/* Parse one record of link type `dlt` (a DLT_ / LINKTYPE_ value as libpcap
 * returns from pcap_datalink()). `caplen` bytes are readable at `data`;
 * `wire_len` is the record's length on the wire (0: unknown). Only bytes
 * the snapshot length cut can be missing: an IP length beyond the wire
 * length is a lie and payload_len is held to what the wire carried.
 * Returns a status; on FC_PARSE_TCP fills *seg (payload points into data).
 * On FC_PARSE_MALFORMED, *why (if non-NULL) gets a static description.
 * Never reads outside [data, data+caplen). */
enum fc_parse_status fc_packet_parse(int dlt, const uint8_t *data,
				     uint32_t caplen, uint32_t wire_len,
				     struct fc_tcp_seg *seg, const char **why);

/* fc_packet_parse, and on FC_PARSE_FRAGMENT *frag (if not NULL) describes
 * the fragment for reassembly. */
enum fc_parse_status fc_packet_parse_frag(int dlt, const uint8_t *data,
					  uint32_t caplen, uint32_t wire_len,
					  struct fc_tcp_seg *seg, const char **why,
					  struct fc_ip_fragment *frag);

/* The TCP segment in a reassembled datagram's payload (len bytes at data,
 * all captured) of the fragments with key k: for IPv6 through any
 * extension headers from k->proto on. seg->payload points into data.
 * Returns FC_PARSE_TCP, FC_PARSE_NOT_TCP or FC_PARSE_MALFORMED (*why). */
enum fc_parse_status fc_packet_parse_reassembled(const struct fc_frag_key *k,
						 const uint8_t *data, uint32_t len,
						 struct fc_tcp_seg *seg, const char **why);

/* True if fc_packet_parse understands this link type. */
bool fc_link_supported(int dlt);

/* Store "IP:PORT" ("[IP]:PORT" for IPv6) at p, at most FC_ENDPOINT_MAX - 1
 * bytes and no NUL; returns the end. */
char *fc_put_endpoint(char *p, const struct fc_addr *a, uint16_t port);

/* Format "IP:PORT" ("[IP]:PORT" for IPv6) into buf, cut to buflen - 1
 * bytes and NUL-terminated; returns buf. */
char *fc_format_endpoint(const struct fc_addr *a, uint16_t port, char *buf,
			 unsigned buflen);

#define FC_ENDPOINT_MAX 56

#endif
