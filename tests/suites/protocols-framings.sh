#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# protocols-framings.sh - real captures of protocols that one length field
# does not describe (../shared/protocols), decoded with the framing and
# prelude their specifications give (the profiles of docs/profiles.md):
#
#   MQTT      varint remaining length after a type byte
#   LDAP      BER TLVs
#   ONC RPC   record marking: 31-bit length, last-fragment bit masked off
#   Redis     lines ending in "\r\n"
#   PostgreSQL typed messages, after an SSLRequest + startup message (c2s)
#             and the server's one-byte 'N' (s2c)
#   AMQP      frames, after the 8-byte protocol header (c2s)
#   HTTP/2    frames, after the client's 24-byte connection preface (h2c)
#
# For each: framecap's frames equal tshark's PDUs (the literal prelude
# bytes, which tshark does not count as a PDU, aside), the prelude frames
# are where the protocol puts them, and no diagnosis is raised. Lines are
# held to the "\r\n" count of tshark's own reassembly of the same streams.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
SHARED=${FC_SHARED:-../shared}
P=$SHARED/protocols
T=${1:-$(mktemp -d)}/protocols-framings
SUITE=protocols-framings
. tests/lib.sh
mkdir -p "$T"

if ! command -v tshark > /dev/null; then
	fail "tshark is not installed (make deps)"; exit 1
fi
if [ ! -d "$P" ]; then
	fail "$P not found (set FC_SHARED)"; exit 1
fi

Y=tests/framings.yaml # the issue's profiles, and HTTP/2's

DIAG='"kind":"(ascii_length_suspect|endian_suspect|adjustment_suspect|short_frame|zero_run|unframed|oversize|negative|varint_overlong|ber_length|no_delimiter|delimiter_suspect|varint_endian_suspect|ber_one_byte_suspect|delimiter_in_payload_suspect)"'

# What framecap's JSON says: frames, literal prelude frames (header 0, a
# prelude mark: bytes tshark shows as no PDU), prelude frames per direction.
count() {
	python3 - "$1" <<'PY'
import json, sys
frames = literal = 0
pre = {"c2s": 0, "s2c": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") != "frame":
        continue
    frames += 1
    if "prelude" in r:
        pre[r["dir"]] += 1
        if r["header_len"] == 0:
            literal += 1
print(frames, literal, pre["c2s"], pre["s2c"])
PY
}

#  capture  profile  tshark field per PDU  prelude frames c2s s2c  tshark options
cases=(
"mqtt_mixed.pcap|mqtt|mqtt.hdrflags|0|0|"
"ldap_scram.pcap|ldap|ldap.messageID|0|0|"
"nfs_zeek.pcap|oncrpc|rpc.fraglen|0|0|"
"pgsql_greenhouse.pcap|pg|pgsql.length|4|2|"
"amqp_deepflow.pcap|amqp|amqp.length|2|0|"
"amqp_ndpi.pcap|amqp|amqp.length|0|0|"
"http2_h2c.pcap|h2|http2.type|1|0|-d tcp.port==3000,http2"
)
for c in "${cases[@]}"; do
	IFS='|' read -r cap prof field want_c2s want_s2c topts <<< "$c"
	"$B"/framecap --config "$Y" --profile "$prof" -r "$P/$cap" --json \
		> "$T/out.json" 2> "$T/err"
	rc=$?
	read -r frames literal pre_c2s pre_s2c <<< "$(count "$T/out.json" 2>/dev/null)"
	# shellcheck disable=SC2086
	pdus=$(tshark -r "$P/$cap" -o tcp.reassemble_out_of_order:TRUE $topts -T fields -e "$field" \
	       -E occurrence=a -E aggregator=, 2> /dev/null | tr ',' '\n' | grep -c .)
	diags=$(grep -E "$DIAG" "$T/out.json" | head -3)
	problem=
	[ "${pre_c2s:-}" = "$want_c2s" ] && [ "${pre_s2c:-}" = "$want_s2c" ] ||
		problem="prelude frames c2s ${pre_c2s:-} s2c ${pre_s2c:-}, expected $want_c2s and $want_s2c"
	# the literal prelude's frames are no PDU of tshark's
	oracle_agrees "$cap" "$rc" "$T/err" "${frames:+$((frames - literal))}" "$pdus" "$field" \
		"$diags" "$cap: $frames frames ($pre_c2s c2s and $pre_s2c s2c in the prelude), as tshark's $field; no diagnosis" \
		"$problem"
done

# Lines: per stream and direction, framecap's line count equals the number
# of "\r\n" in the bytes tshark reassembles for that direction.
crlf_by_tshark() {
	local cap=$1 filter=$2 n
	n=$(tshark -r "$cap" -Y "$filter" -T fields -e tcp.stream 2> /dev/null | sort -un)
	for s in $n; do
		tshark -r "$cap" -q -z "follow,tcp,hex,$s" 2> /dev/null
	done | python3 -c '
import re, sys
data = {0: bytearray(), 1: bytearray()}
for line in sys.stdin:
    side = 1 if line.startswith("\t") else 0
    line = line.lstrip("\t")
    if not re.match(r"^[0-9A-F]{8}  ", line):
        continue
    # 16 bytes in two groups of 8, then the text column: columns 10 to 58.
    data[side] += bytes.fromhex(line[10:58].replace(" ", ""))
print(data[0].count(b"\r\n") + data[1].count(b"\r\n"))'
}
for c in "redis_zeek.pcap|tcp.port==6379|port 6379" "smtp_zeek.pcap|tcp.port==25|port 25"; do
	IFS='|' read -r cap yfilter bpf <<< "$c"
	"$B"/framecap --config "$Y" --profile lines -r "$P/$cap" --json "$bpf" \
		> "$T/out.json" 2> "$T/err"
	rc=$?
	read -r frames _ <<< "$(count "$T/out.json" 2>/dev/null)"
	want=$(crlf_by_tshark "$P/$cap" "$yfilter")
	diags=$(grep -E "$DIAG" "$T/out.json" | head -3)
	oracle_agrees "$cap" "$rc" "$T/err" "${frames:-}" "$want" "\"\\r\\n\" in its reassembled streams" \
		"$diags" "$cap ($bpf): $frames lines, one per \"\\r\\n\" of tshark's reassembly; no diagnosis"
done
exit $bad
