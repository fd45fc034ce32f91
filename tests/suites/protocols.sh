#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# protocols.sh - real captures of length-prefixed protocols, from other
# projects' test suites (../shared/protocols), decoded with the framing
# each protocol's specification gives. For every one:
#   - framecap finds as many frames as tshark's own dissector finds PDUs
#     (tshark is the oracle: it was written from the same specifications,
#     by other people; with out-of-order reassembly on, it also takes data
#     captured after its ACK, as framecap does);
#   - no diagnosis (a *_suspect, short_frame, zero_run, unframed, oversize
#     or negative) is raised: the framing is right, so any would be a false
#     alarm.
# Protocols that need a prelude or another framing (PostgreSQL, AMQP,
# HTTP/2, MQTT, LDAP, ONC RPC, lines) are in protocols-framings.sh.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
SHARED=${FC_SHARED:-../shared}
P=$SHARED/protocols
T=${1:-$(mktemp -d)}
SUITE=protocols
. tests/lib.sh

if ! command -v tshark > /dev/null; then
	fail "tshark is not installed (make deps)"; exit 1
fi
if [ ! -d "$P" ]; then
	fail "$P not found (set FC_SHARED)"; exit 1
fi

# Netty's rule: the length counts the bytes after the length field, plus
# the adjustment; the header is header_size bytes.
BE2='--length-size 2 --byte-order big --unsigned'
WHOLE4='--length-offset 2 --length-size 2 --byte-order big --unsigned --length-adjustment -4'
#  capture              tshark field per PDU   framecap options;  BPF filter;  tshark options
cases=(
"dns_tcp_multi.pcap|dns.id|$BE2||"
"kafka_gosniffer.pcap|kafka.len|--byte-order big||"
"kafka_ndpi.pcapng|kafka.len|--byte-order big||"
"mongo_deepflow.pcap|mongo.message_length|--length-adjustment -4||-d tcp.port==27017,mongo"
"mongo_ndpi.pcap|mongo.message_length|--length-adjustment -4||-d tcp.port==27017,mongo -d tcp.port==30000,mongo"
"mysql_auth.pcap|mysql.packet_length|--length-size 3 --unsigned --header-size 4 --length-adjustment 1||"
"mysql_queryattrs.pcap|mysql.packet_length|--length-size 3 --unsigned --header-size 4 --length-adjustment 1||"
"smb2_100files.pcap|nbss.length|--length-offset 1 --length-size 3 --byte-order big --unsigned||"
"smb2_peter.pcap|nbss.length|--length-offset 1 --length-size 3 --byte-order big --unsigned||"
"dcerpc_ctxids.pcap|dcerpc.cn_frag_len|--length-offset 8 --length-size 2 --unsigned --header-size 10 --length-adjustment -10|not port 88 and not port 445|-Y not(tcp.port==88||tcp.port==445)"
"bgp_4byte.pcap|bgp.length|--length-offset 16 $BE2 --length-adjustment -18||"
"openflow_s4810.pcap|openflow.length|$WHOLE4||"
"openflow_ndpi.pcap|openflow_v6.length|$WHOLE4||"
"modbus_suricata.pcap|mbtcp.len|--length-offset 4 $BE2||"
"modbus_umas.pcap|mbtcp.len|--length-offset 4 $BE2||"
"modbus_zeekbig.pcap|mbtcp.len|--length-offset 4 $BE2|port 502|-Y tcp.port==502"
"iec104_iti.pcap|iec60870_104.apdulen|--length-offset 1 --length-size 1 --unsigned|port 2404|"
"iec104_iti.pcap|iec60870_104.apdulen|--length-offset 1 --length-size 1 --unsigned --header-size 6|port 2404|"
"enip_suricata.pcap|enip.length|--length-offset 2 --length-size 2 --unsigned --header-size 24 --length-adjustment 20||"
"enip_iti.pcap|enip.length|--length-offset 2 --length-size 2 --unsigned --header-size 24 --length-adjustment 20||"
"opcua_ndpi.pcap|opcua.transport.size|--length-offset 4 --length-size 4 --unsigned --length-adjustment -8||"
"tpkt_mms.pcap|tpkt.length|$WHOLE4||"
"tpkt_s7plus.pcap|tpkt.length|$WHOLE4||"
"c37_iti.pcap|synphasor.frsize|$WHOLE4||"
)
DIAG='"kind":"(ascii_length_suspect|endian_suspect|adjustment_suspect|short_frame|zero_run|unframed|oversize|negative)"'
for c in "${cases[@]}"; do
	IFS='|' read -r cap field opts filter topts <<< "$c"
	# shellcheck disable=SC2086
	"$B"/framecap -r "$P/$cap" --json $opts ${filter:+"$filter"} > "$T/proto.json" 2> "$T/proto.err"
	rc=$?
	frames=$(tail -1 "$T/proto.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["frames"])' 2>/dev/null)
	# shellcheck disable=SC2086
	pdus=$(tshark -r "$P/$cap" -o tcp.reassemble_out_of_order:TRUE $topts -T fields -e "$field" -E occurrence=a -E aggregator=, 2> /dev/null |
	       tr ',' '\n' | grep -c .)
	diags=$(grep -E "$DIAG" "$T/proto.json" | head -3)
	oracle_agrees "$cap" "$rc" "$T/proto.err" "$frames" "$pdus" "$field ($opts)" "$diags" \
		"$cap: $frames frames, as tshark's $field; no diagnosis"
done

# PostgreSQL's server answers an SSLRequest with one byte, 'N', before its
# framed messages; read with the messages' framing (no prelude yet), that
# byte fails, but the other byte order decodes nothing after it either:
# no endian_suspect may be offered.
"$B"/framecap -r "$P/pgsql_greenhouse.pcap" --json --length-offset 1 --length-size 4 \
	--byte-order big --unsigned --length-adjustment -4 --header-size 5 > "$T/pg.json" 2>&1
if grep -q '"kind":"oversize"' "$T/pg.json" && ! grep -q '"kind":"endian_suspect"' "$T/pg.json"; then
	ok "pgsql_greenhouse.pcap: the 'N' reply is an oversize, with no byte-order advice"
else
	fail "pgsql_greenhouse.pcap: endian_suspect offered, or the 'N' not met" \
	     "$(grep '"anomaly"' "$T/pg.json" | head -5)"
fi
exit $bad
