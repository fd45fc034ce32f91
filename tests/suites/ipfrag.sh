#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ipfrag.sh TMP - TCP carried in IP fragments is reassembled before TCP:
# the shared corpus's fragment captures decode their TCP payload, and an
# incomplete train is counted, its bytes left out.
set -u
B=${B:-build} SHARED=${FC_SHARED:-../shared} T=$1/ipfrag
mkdir -p "$T"
bad=0
C=$SHARED/corpus
# check NAME CAPTURE PYTHON-CHECK-ON-SUMMARY-s [DATA-CHECK-on-the-joined-lines-t]
check() {
	local name=$1 cap=$2 want=$3
	if [ ! -f "$cap" ]; then echo "FAIL ipfrag: $name: $cap not found (set FC_SHARED)"; bad=1; return; fi
	if ! timeout 20 "$B"/framecap -r "$cap" --json --payload-bytes all > "$T/out" 2> "$T/err"; then
		echo "FAIL ipfrag: $name: exit $?: $(head -3 "$T/err")"; bad=1; return
	fi
	if python3 -c "
import json,sys
lines=[json.loads(l) for l in open(sys.argv[1])]
s=lines[-1]
sys.exit(0 if ($want) else 1)" "$T/out"; then
		echo "ok   ipfrag: $name"
	else
		echo "FAIL ipfrag: $name: $want: $(tail -1 "$T/out")"; bad=1
	fi
}
# One segment in four out-of-order IPv4 fragments: its 69 bytes
# ("GET /msadc/...") reach TCP.
check "IPv4, 4 fragments out of order (zeek fragmented-4)" "$C/tcp/fragmented-4.pcap" \
	's["ip_fragments"] == 4 and s["ip_reassembled"] == 1 and s["bytes"] == 69 and s["streams_with_data"] == 1'
# Five fragments, the last never captured: nothing reassembled, one
# datagram counted incomplete.
check "IPv4, incomplete train (zeek fragmented-3)" "$C/tcp/fragmented-3.pcap" \
	's["ip_fragments"] == 5 and s["ip_reassembled"] == 0 and s["ip_incomplete"] == 1 and s["bytes"] == 0'
check "IPv6 Fragment headers on LINKTYPE_IPV6 (suricata frag-ip-tcp)" "$C/linktypes/frag-ip-tcp.pcap" \
	's["ip_reassembled"] == 1 and s["bytes"] > 0 and s["streams_with_data"] == 1'
check "IPv6 fragments behind 802.1Q (suricata frag-eth-vlan-ipv6-tcp)" "$C/linktypes/frag-eth-vlan-ipv6-tcp.pcap" \
	's["ip_reassembled"] == 1 and s["bytes"] > 0 and s["streams_with_data"] == 1'
# Overlapping, inconsistent UDP fragments: not TCP, never stored.
check "UDP fragments are not ours (zeek fragmented-1)" "$C/malformed/fragmented-1.pcap" \
	's["ip_fragments"] == 0 and s["tcp_packets"] == 0'
# Atomic fragments (offset 0, no M) were always read as whole packets.
check "IPv6 atomic fragments read as whole packets" "$C/tcp/ipv6-http-atomic-frag.pcap" \
	's["ip_fragments"] == 0 and s["bytes"] > 0'
exit $bad
