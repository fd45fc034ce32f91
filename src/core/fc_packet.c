/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_packet.c - from a captured record to the TCP segment inside it.
 *
 * Link layers (all fields big-endian unless noted):
 *
 *   Ethernet (DLT_EN10MB):
 *   +--------+--------+------+ - - - - - - - - - - - - - - +------+
 *   | dst(6) | src(6) | type | tag: TCI(2) + type(2), ... | IP.. |
 *   +--------+--------+------+ - - - - - - - - - - - - - - +------+
 *   type < 0x0600 is an 802.3 length; LLC/SNAP then carries the type:
 *   +------+------+------+-----------+---------+
 *   | 0xAA | 0xAA | 0x03 | OUI(3)=0  | type(2) |
 *   +------+------+------+-----------+---------+
 *
 *   Linux cooked v1 (DLT_LINUX_SLL), 16 bytes:
 *   +---------+--------+---------+---------+----------+
 *   | pkttype | hatype | addrlen | addr(8) | protocol |
 *   +---------+--------+---------+---------+----------+
 *    0         2        4         6         14
 *
 *   Linux cooked v2 (DLT_LINUX_SLL2), 20 bytes:
 *   +----------+------+-------------+--------+-------+-------+---------+
 *   | protocol | rsvd | ifindex(4)  | hatype | pkttp | alen  | addr(8) |
 *   +----------+------+-------------+--------+-------+-------+---------+
 *    0          2      4             8        10      11      12
 *
 *   FDDI (DLT_FDDI), 13 bytes, then LLC/SNAP as above:
 *   +----+--------+--------+------ - - -
 *   | FC | dst(6) | src(6) | LLC ...
 *   +----+--------+--------+------ - - -
 *
 *   DLT_NULL / DLT_LOOP: a 4-byte address family, host order of the
 *   capturing machine (NULL) or network order (LOOP).
 *
 * IPv4:
 *   +-------+-------+-------+---------------+
 *   |Ver|IHL|  TOS  |    total length       |
 *   +-------+-------+-------+---------------+
 *   |    identification     |R|D|M| frag off|
 *   +-------+-------+-------+---------------+
 *   |  TTL  | proto |   header checksum     |
 *   +-------+-------+-------+---------------+
 *   |         source  |   destination |  options (IHL*4 - 20)
 *
 * IPv6 (40 bytes), then a chain of extension headers:
 *   +---+-------+-----------------+
 *   |Ver| class |   flow label    |
 *   +---+-------+-----+-----+-----+
 *   | payload length  | nxt | hop |
 *   +-----------------+-----+-----+
 *   | source (16)  | destination (16) |
 *
 *   generic ext:  | nxt | len | ... |  (len + 1) * 8 bytes
 *   AH:           | nxt | len | ... |  (len + 2) * 4 bytes
 *   fragment:     | nxt | rsvd | offset(13) res(2) M(1) | id(4) |
 *
 * TCP:
 *   +---------------+---------------+
 *   |  source port  |   dest port   |
 *   +---------------+---------------+
 *   |        sequence number        |
 *   +-------------------------------+
 *   |     acknowledgment number     |
 *   +-------+-------+---------------+
 *   |Off|rsv| flags |    window     |
 *   +-------+-------+---------------+
 *   |   checksum    | urgent ptr    |  options (Off*4 - 20)
 *   +---------------+---------------+
 */
#include "fc_packet.h"
#include "fc_bytes.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Link-layer type numbers; pcap.h stays out of the core. */
enum {
	LT_NULL = 0,
	LT_EN10MB = 1,
	LT_FDDI = 10,
	LT_RAW = 12,
	LT_RAW_OPENBSD = 14,
	LT_LINKTYPE_RAW = 101,
	LT_LOOP = 108,
	LT_LINUX_SLL = 113,
	LT_IPV4 = 228,
	LT_IPV6 = 229,
	LT_LINUX_SLL2 = 276,
};

enum {
	ET_IPV4 = 0x0800,
	ET_IPV6 = 0x86dd,
	ET_8021Q = 0x8100,
	ET_8021AD = 0x88a8,
	ET_QINQ_OLD = 0x9100,
	ET_MIN_TYPE = 0x0600, /* below this, an 802.3 length */
	SLL_P_802_2 = 0x0004, /* SLL: payload starts with an LLC header */
};

enum {
	IPP_HOPOPTS = 0,
	IPP_TCP = 6,
	IPP_ROUTING = 43,
	IPP_FRAGMENT = 44,
	IPP_ESP = 50,
	IPP_AH = 51,
	IPP_NONE = 59,
	IPP_DSTOPTS = 60,
	IPP_MOBILITY = 135,
};

/* Deeper chains are not seen in real traffic; a bound keeps a crafted
 * packet from costing more than a few header reads. */
#define MAX_IPV6_EXT 16

#define IP6_OPT_PAD1 0x00
#define IP6_OPT_JUMBO 0xc2

struct pkt {
	struct fc_cursor c; /* whole record; pos walks inward */
	struct fc_tcp_seg seg; /* copied out only on success */
	const char *why;
	struct fc_ip_fragment frag; /* filled on FC_PARSE_FRAGMENT */
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The fragment at the cursor, up to the IP layer's end ip_end. */
static enum fc_parse_status fragment(struct pkt *p, uint32_t id, uint8_t proto,
				     uint32_t offset, bool more, uint64_t ip_end)
{
	struct fc_ip_fragment *f = &p->frag;
	uint64_t lim = min_u64(ip_end, p->c.len);

	f->key.src = p->seg.key.src;
	f->key.dst = p->seg.key.dst;
	f->key.proto = proto;
	f->key.nvlan = p->seg.key.nvlan;
	memcpy(f->key.vlan, p->seg.key.vlan, sizeof(f->key.vlan));
	f->key.id = id;
	f->offset = offset;
	f->more = more;
	f->cut = ip_end > p->c.len;
	f->data = fc_cursor_ptr(&p->c);
	f->len = lim > p->c.pos ? (uint32_t)(lim - p->c.pos) : 0;
	return FC_PARSE_FRAGMENT;
}

static enum fc_parse_status malformed(struct pkt *p, const char *why)
{
	p->why = why;
	return FC_PARSE_MALFORMED;
}

/* The header did not fit. Whichever bound ended first is to blame: the IP
 * length (the packet lies) or the record (the snaplen cut it). */
static enum fc_parse_status tcp_truncated(struct pkt *p, uint64_t ip_end)
{
	if (ip_end < p->c.len)
		return malformed(p, "TCP header exceeds IP length");
	return malformed(p, "truncated TCP header");
}

/* ip_end is the absolute offset where the IP layer says the segment ends;
 * it may lie past the captured data when the snaplen cut the packet. */
static enum fc_parse_status parse_tcp(struct pkt *p, uint64_t ip_end)
{
	size_t start = p->c.pos;
	uint64_t lim = min_u64(ip_end, p->c.len);
	struct fc_cursor t = fc_cursor_make(fc_cursor_ptr(&p->c), lim - start);
	struct fc_tcp_seg *s = &p->seg;
	unsigned hlen;

	s->key.sport = fc_be16(&t);
	s->key.dport = fc_be16(&t);
	s->seq = fc_be32(&t);
	s->ack = fc_be32(&t);
	hlen = (fc_u8(&t) >> 4) * 4u;
	s->flags = fc_u8(&t) & 0x3f;
	fc_skip(&t, 6); /* window, checksum, urgent pointer */
	if (t.bad)
		return tcp_truncated(p, ip_end);
	if (hlen < 20)
		return malformed(p, "bad TCP data offset");
	if (!fc_skip(&t, hlen - 20))
		return tcp_truncated(p, ip_end);

	s->payload = fc_cursor_ptr(&t);
	s->payload_len = (uint32_t)(ip_end - (start + hlen));
	s->payload_captured = (uint32_t)(lim - (start + hlen));
	return FC_PARSE_TCP;
}

/* The IP header's source and destination addresses (family 4: 4 bytes
 * each, 6: 16) into the flow key, once the header's fixed part is read
 * (its version field saying `version`). False, the packet malformed, when
 * that part is cut short or the version is not the family's. */
static bool ip_addrs(struct pkt *p, unsigned family, unsigned version)
{
	struct fc_addr *a[2] = { &p->seg.key.src, &p->seg.key.dst };

	for (int i = 0; i < 2; i++) {
		const uint8_t *b = fc_take(&p->c, family == 4 ? 4 : 16);

		a[i]->family = (uint8_t)family;
		if (b)
			memcpy(a[i]->bytes, b, family == 4 ? 4 : 16);
	}
	if (p->c.bad)
		malformed(p, family == 4 ? "truncated IPv4 header" : "truncated IPv6 header");
	else if (version != family)
		malformed(p, "bad IP version");
	return !p->c.bad && version == family;
}

static enum fc_parse_status parse_ipv4(struct pkt *p)
{
	size_t start = p->c.pos;
	uint8_t vhl, proto;
	uint16_t total, id, frag;
	unsigned ihl;
	uint64_t end;

	vhl = fc_u8(&p->c);
	fc_skip(&p->c, 1);
	total = fc_be16(&p->c);
	id = fc_be16(&p->c);
	frag = fc_be16(&p->c);
	fc_skip(&p->c, 1);
	proto = fc_u8(&p->c);
	fc_skip(&p->c, 2);
	if (!ip_addrs(p, 4, vhl >> 4))
		return FC_PARSE_MALFORMED;
	ihl = (vhl & 0x0f) * 4u;
	if (ihl < 20)
		return malformed(p, "bad IPv4 header length");
	if (!fc_skip(&p->c, ihl - 20))
		return malformed(p, "truncated IPv4 options");

	/* Segmentation offload hands the capture point one huge packet whose
	 * length field is left 0; the record itself is the only bound. */
	if (total == 0)
		end = p->c.len;
	else if (total < ihl)
		return malformed(p, "bad IPv4 total length");
	else
		end = start + (uint64_t)total;

	if (proto != IPP_TCP)
		return FC_PARSE_NOT_TCP;
	if (frag & 0x3fff) /* MF or a fragment offset (in 8-byte units) */
		return fragment(p, id, proto, (frag & 0x1fffu) * 8u, (frag & 0x2000) != 0, end);
	return parse_tcp(p, end);
}

/* Jumbo Payload option (RFC 2675) from a hop-by-hop options area. */
static bool find_jumbo(const uint8_t *opts, size_t len, uint32_t *jumbo)
{
	struct fc_cursor o = fc_cursor_make(opts, len);

	while (fc_cursor_left(&o) > 0) {
		uint8_t type = fc_u8(&o);
		uint8_t olen;

		if (type == IP6_OPT_PAD1)
			continue;
		olen = fc_u8(&o);
		if (type == IP6_OPT_JUMBO && olen == 4) {
			*jumbo = fc_be32(&o);
			return !o.bad;
		}
		if (!fc_skip(&o, olen))
			return false;
	}
	return false;
}

/* Could the rest of a fragmented chain starting at nxt be TCP? A fragment
 * of UDP or ICMPv6 is simply not ours. */
static bool may_lead_to_tcp(uint8_t nxt)
{
	switch (nxt) {
	case IPP_TCP:
	case IPP_HOPOPTS:
	case IPP_ROUTING:
	case IPP_DSTOPTS:
	case IPP_MOBILITY:
	case IPP_AH:
	case IPP_FRAGMENT:
		return true;
	default:
		return false;
	}
}

static enum fc_parse_status parse_ipv6(struct pkt *p)
{
	size_t start = p->c.pos;
	uint32_t vtf;
	uint16_t plen;
	uint8_t nxt;
	uint64_t end;

	vtf = fc_be32(&p->c);
	plen = fc_be16(&p->c);
	nxt = fc_u8(&p->c);
	fc_skip(&p->c, 1);
	if (!ip_addrs(p, 6, vtf >> 28))
		return FC_PARSE_MALFORMED;

	/* Length 0 means jumbogram if hop-by-hop says so; otherwise it is
	 * offload ("BIG TCP") and the record is the only bound. */
	end = plen ? start + 40 + (uint64_t)plen : p->c.len;

	for (int n = 0;; n++) {
		uint8_t next, len;
		uint16_t off;
		const uint8_t *body;
		size_t hlen;

		if (p->c.pos > end)
			return malformed(p, "IPv6 headers exceed payload length");
		if (nxt == IPP_TCP)
			return parse_tcp(p, end);
		if (n == MAX_IPV6_EXT)
			return malformed(p, "too many IPv6 extension headers");

		switch (nxt) {
		case IPP_HOPOPTS:
		case IPP_ROUTING:
		case IPP_DSTOPTS:
		case IPP_MOBILITY:
		case IPP_AH:
			next = fc_u8(&p->c);
			len = fc_u8(&p->c);
			hlen = nxt == IPP_AH ? (len + 2u) * 4 : (len + 1u) * 8;
			body = fc_take(&p->c, hlen - 2);
			if (!body)
				return malformed(p, "truncated IPv6 extension header");
			if (nxt == IPP_HOPOPTS && plen == 0 && n == 0) {
				uint32_t jumbo;

				if (find_jumbo(body, hlen - 2, &jumbo))
					end = start + 40 + (uint64_t)jumbo;
			}
			break;
		case IPP_FRAGMENT: {
			uint32_t id;

			next = fc_u8(&p->c);
			fc_skip(&p->c, 1);
			off = fc_be16(&p->c);
			id = fc_be32(&p->c);
			if (p->c.bad)
				return malformed(p, "truncated IPv6 fragment header");
			/* An atomic fragment (offset 0, no M) is the whole
			 * packet and reads on as if unfragmented. The
			 * offset is the top 13 bits, M the lowest. */
			if ((off & 0xfff9) != 0) {
				if (p->c.pos > end)
					return malformed(p, "IPv6 headers exceed payload length");
				if (may_lead_to_tcp(next))
					return fragment(p, id, next, off & 0xfff8u, (off & 1) != 0, end);
				return FC_PARSE_NOT_TCP;
			}
			break;
		}
		case IPP_ESP: /* encrypted: what follows is unreadable */
		case IPP_NONE:
		default: /* UDP, ICMPv6, ... */
			return FC_PARSE_NOT_TCP;
		}
		nxt = next;
	}
}

static enum fc_parse_status parse_ip_by_version(struct pkt *p)
{
	struct fc_cursor peek = p->c;
	uint8_t v = fc_u8(&peek);

	if (peek.bad)
		return malformed(p, "truncated IP header");
	if (v >> 4 == 4)
		return parse_ipv4(p);
	if (v >> 4 == 6)
		return parse_ipv6(p);
	return malformed(p, "bad IP version");
}

static bool is_vlan_tpid(uint16_t type)
{
	return type == ET_8021Q || type == ET_8021AD || type == ET_QINQ_OLD;
}

static enum fc_parse_status parse_ethertype(struct pkt *p, uint16_t type,
					    bool llc);

/* The LLC header of an 802.2 frame; only SNAP with an Ethernet-compatible
 * OUI carries a type we can follow. */
static enum fc_parse_status parse_llc(struct pkt *p)
{
	uint8_t dsap = fc_u8(&p->c);
	uint8_t ssap = fc_u8(&p->c);
	uint8_t ctrl = fc_u8(&p->c);
	uint32_t oui;
	uint16_t type;

	if (p->c.bad)
		return malformed(p, "truncated LLC header");
	if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
		return FC_PARSE_NOT_TCP;
	oui = (uint32_t)fc_u8(&p->c) << 16;
	oui |= fc_be16(&p->c);
	type = fc_be16(&p->c);
	if (p->c.bad)
		return malformed(p, "truncated SNAP header");
	/* RFC 1042 and 802.1H bridge-tunnel encapsulations. */
	if (oui != 0x000000 && oui != 0x0000f8)
		return FC_PARSE_NOT_TCP;
	/* No further LLC: recursion stops here. */
	return parse_ethertype(p, type, false);
}

/* Follow an Ethernet type through any stack of VLAN tags to IP. llc says
 * whether a value below 0x0600 is an 802.3 length (true on Ethernet). */
static enum fc_parse_status parse_ethertype(struct pkt *p, uint16_t type,
					    bool llc)
{
	struct fc_flow_key *k = &p->seg.key;

	/* Each tag consumes 4 bytes, so the record length bounds the loop. */
	while (is_vlan_tpid(type)) {
		uint16_t tci = fc_be16(&p->c);

		type = fc_be16(&p->c);
		if (p->c.bad)
			return malformed(p, "truncated VLAN tag");
		if (k->nvlan < FC_MAX_VLAN)
			k->vlan[k->nvlan++] = tci & 0x0fff;
	}
	if (type < ET_MIN_TYPE && llc)
		return parse_llc(p);
	if (type == ET_IPV4)
		return parse_ipv4(p);
	if (type == ET_IPV6)
		return parse_ipv6(p);
	return FC_PARSE_NOT_TCP;
}

static bool is_af_inet6(uint32_t af)
{
	/* 24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin. */
	return af == 24 || af == 28 || af == 30;
}

/* DLT_NULL and DLT_LOOP: the writer's byte order is not recorded, and
 * captures get moved between machines, so both orders are accepted. */
static enum fc_parse_status parse_null(struct pkt *p)
{
	struct fc_cursor peek = p->c;
	uint32_t be = fc_be32(&peek);
	uint32_t le = fc_le32(&p->c);

	if (p->c.bad)
		return malformed(p, "truncated link header");
	if (be == 2 || le == 2) /* AF_INET is 2 everywhere */
		return parse_ipv4(p);
	if (is_af_inet6(be) || is_af_inet6(le))
		return parse_ipv6(p);
	return FC_PARSE_NOT_TCP;
}

static enum fc_parse_status parse_link(struct pkt *p, int dlt)
{
	uint16_t type;

	switch (dlt) {
	case LT_EN10MB:
		fc_skip(&p->c, 12);
		type = fc_be16(&p->c);
		if (p->c.bad)
			return malformed(p, "truncated link header");
		return parse_ethertype(p, type, true);
	case LT_FDDI:
		fc_skip(&p->c, 13);
		return parse_llc(p);
	case LT_LINUX_SLL:
		fc_skip(&p->c, 14);
		type = fc_be16(&p->c);
		if (p->c.bad)
			return malformed(p, "truncated link header");
		break;
	case LT_LINUX_SLL2:
		type = fc_be16(&p->c);
		fc_skip(&p->c, 18);
		if (p->c.bad)
			return malformed(p, "truncated link header");
		break;
	case LT_NULL:
	case LT_LOOP:
		return parse_null(p);
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_LINKTYPE_RAW:
		return parse_ip_by_version(p);
	case LT_IPV4:
		return parse_ipv4(p);
	case LT_IPV6:
		return parse_ipv6(p);
	default:
		return FC_PARSE_BAD_LINK;
	}

	/* Cooked captures: small protocol values are Linux pseudo-types, and
	 * only "802.2 frame" leads on to something we can read. */
	if (type == SLL_P_802_2)
		return parse_llc(p);
	return parse_ethertype(p, type, false);
}

enum fc_parse_status fc_packet_parse(int dlt, const uint8_t *data,
				     uint32_t caplen, uint32_t wire_len,
				     struct fc_tcp_seg *seg, const char **why)
{
	return fc_packet_parse_frag(dlt, data, caplen, wire_len, seg, why, NULL);
}

static uint16_t get_be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The common packet in one pass, without the general walk's cursor checks
 * and its zeroing of the whole parse state: untagged Ethernet, IPv4 that
 * is not a fragment, the IP length nonzero and within the record, the TCP
 * header whole inside it. Then *seg is what the general walk would give
 * (the payload all captured, so wire_len changes nothing) and true is
 * returned; anything else returns false for the general walk, which also
 * names what is wrong. */
static bool parse_fast(const uint8_t *d, uint32_t caplen, struct fc_tcp_seg *seg)
{
	const uint8_t *ip = d + 14, *th;
	unsigned ihl, hlen, total;

	if (caplen < 14 + 20 + 20 || get_be16(d + 12) != ET_IPV4 || ip[0] >> 4 != 4 ||
	    ip[9] != IPP_TCP || (get_be16(ip + 6) & 0x3fff))
		return false;
	ihl = (ip[0] & 0x0fu) * 4;
	total = get_be16(ip + 2);
	if (ihl < 20 || total < ihl + 20 || total > caplen - 14)
		return false;
	th = ip + ihl;
	hlen = (th[12] >> 4) * 4u;
	if (hlen < 20 || hlen > total - ihl)
		return false;
	/* Zeroed first: the key is hashed and compared bytewise. */
	memset(seg, 0, sizeof(*seg));
	seg->key.src.family = 4;
	memcpy(seg->key.src.bytes, ip + 12, 4);
	seg->key.dst.family = 4;
	memcpy(seg->key.dst.bytes, ip + 16, 4);
	seg->key.sport = get_be16(th);
	seg->key.dport = get_be16(th + 2);
	seg->seq = get_be32(th + 4);
	seg->ack = get_be32(th + 8);
	seg->flags = th[13] & 0x3f;
	seg->payload = th + hlen;
	seg->payload_len = seg->payload_captured = total - ihl - hlen;
	return true;
}

/* fc_packet_parse_frag's general walk, out of line: its stack frame (the
 * whole parse state) is set up only for packets the shortcut leaves. */
static __attribute__((noinline)) enum fc_parse_status
parse_walk(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wire_len,
	   struct fc_tcp_seg *seg, const char **why, struct fc_ip_fragment *frag)
{
	struct pkt p;
	enum fc_parse_status st;

	if (!fc_link_supported(dlt))
		return FC_PARSE_BAD_LINK;
	if (!data) {
		if (why)
			*why = "no packet data";
		return FC_PARSE_MALFORMED;
	}
	memset(&p, 0, sizeof(p));
	p.c = fc_cursor_make(data, caplen);
	st = parse_link(&p, dlt);
	if (st == FC_PARSE_TCP && wire_len) {
		struct fc_tcp_seg *t = &p.seg;

		if (caplen >= wire_len)
			t->payload_len = t->payload_captured;
		else if (t->payload_len - t->payload_captured > wire_len - caplen)
			/* A larger gap would swallow the sequence numbers of
			 * the data that follows. */
			t->payload_len = t->payload_captured + (wire_len - caplen);
	}
	/* memcpy, not assignment, so the key's padding stays zero for
	 * callers that hash or compare it bytewise. */
	if (st == FC_PARSE_TCP)
		memcpy(seg, &p.seg, sizeof(*seg));
	else if (st == FC_PARSE_MALFORMED && why)
		*why = p.why;
	else if (st == FC_PARSE_FRAGMENT && frag)
		memcpy(frag, &p.frag, sizeof(*frag));
	return st;
}

enum fc_parse_status fc_packet_parse_frag(int dlt, const uint8_t *data,
					  uint32_t caplen, uint32_t wire_len,
					  struct fc_tcp_seg *seg, const char **why,
					  struct fc_ip_fragment *frag)
{
	if (dlt == LT_EN10MB && data && parse_fast(data, caplen, seg))
		return FC_PARSE_TCP;
	return parse_walk(dlt, data, caplen, wire_len, seg, why, frag);
}

enum fc_parse_status fc_packet_parse_reassembled(const struct fc_frag_key *k,
						 const uint8_t *data, uint32_t len,
						 struct fc_tcp_seg *seg, const char **why)
{
	struct pkt p;
	enum fc_parse_status st;
	uint8_t nxt = k->proto;

	memset(&p, 0, sizeof(p));
	p.c = fc_cursor_make(data, len);
	p.seg.key.src = k->src;
	p.seg.key.dst = k->dst;
	p.seg.key.nvlan = k->nvlan;
	memcpy(p.seg.key.vlan, k->vlan, sizeof(p.seg.key.vlan));
	/* IPv6: the fragmentable part may start with extension headers. */
	for (int n = 0; k->src.family == 6 && nxt != IPP_TCP; n++) {
		uint8_t type = nxt, hl;

		if (type != IPP_ROUTING && type != IPP_DSTOPTS &&
		    type != IPP_MOBILITY && type != IPP_AH)
			return FC_PARSE_NOT_TCP;
		if (n == MAX_IPV6_EXT) {
			if (why)
				*why = "too many IPv6 extension headers";
			return FC_PARSE_MALFORMED;
		}
		nxt = fc_u8(&p.c);
		hl = fc_u8(&p.c);
		if (!fc_skip(&p.c, (type == IPP_AH ? (hl + 2u) * 4 : (hl + 1u) * 8) - 2)) {
			if (why)
				*why = "truncated IPv6 extension header";
			return FC_PARSE_MALFORMED;
		}
	}
	if (nxt != IPP_TCP)
		return FC_PARSE_NOT_TCP;
	st = parse_tcp(&p, len);
	if (st == FC_PARSE_TCP)
		memcpy(seg, &p.seg, sizeof(*seg));
	else if (why)
		*why = p.why;
	return st;
}

bool fc_link_supported(int dlt)
{
	switch (dlt) {
	case LT_NULL:
	case LT_EN10MB:
	case LT_FDDI:
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_LINKTYPE_RAW:
	case LT_LOOP:
	case LT_LINUX_SLL:
	case LT_IPV4:
	case LT_IPV6:
	case LT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/* Decimal digits of v (< 100000), no leading zeros: the length first,
 * then the digits straight into place (no reversal through a buffer). */
/* v < 100000 in decimal, the loop unrolled: a JSON line's endpoints take
 * ten of these for every new stream direction, and on many short
 * connections the rolled loop was 5% of all instructions. */
static char *put_dec(char *p, unsigned v)
{
	unsigned n = v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;

#pragma GCC unroll 5
	for (unsigned i = n; i-- > 0; v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

char *fc_put_endpoint(char *p, const struct fc_addr *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n;

	if (a->family == 4) { /* by hand: once per stream shown, and cheap */
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_dec(p, a->bytes[i]);
		}
	} else if (a->family == 6 && inet_ntop(AF_INET6, a->bytes, ip, sizeof(ip))) {
		n = strlen(ip);
		*p++ = '[';
		memcpy(p, ip, n);
		p += n;
		*p++ = ']';
	} else {
		*p++ = '?';
	}
	*p++ = ':';
	return put_dec(p, port);
}

char *fc_format_endpoint(const struct fc_addr *a, uint16_t port, char *buf,
			 unsigned buflen)
{
	char tmp[FC_ENDPOINT_MAX];
	size_t n;

	if (buflen == 0)
		return buf;
	n = (size_t)(fc_put_endpoint(tmp, a, port) - tmp);
	if (n >= buflen)
		n = buflen - 1;
	memcpy(buf, tmp, n);
	buf[n] = 0;
	return buf;
}
