#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# late-ack.sh TMP - an ACK captured before the data it covers is not a gap.
#
#   in-order capture ----------------------------> frames F
#   same packets, data K packets after its ACK --> frames F, no anomaly
#   same packets, data never captured ----------> a gap at the ACK, resync
#
# The captures come from fc-pcapgen's late-* and loss-* scenarios (one
# connection, frames both ways, 1 ms between packets); frame records are
# compared with packet numbers mapped back to the in-order capture. Then the ACK window's
# options, and the real capture that showed the problem: in
# modbus_zeekbig.pcap packet 3149 acknowledges 10 server bytes that
# packet 3150 carries 0.7 ms later.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SHARED=${FC_SHARED:-$PWD/../shared}
T=${1:?usage: late-ack.sh TMP}/late-ack
mkdir -p "$T"
SUITE=late-ack
. tests/lib.sh

# frames MAP JSONL: the frame records as the in-order capture numbers
# them (MAP: each packet's in-order number, a line), without the capture
# times (those follow the file's order), sorted.
frames() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
m = [int(x) for x in open(sys.argv[1])]
out = []
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r.get("type") != "frame":
        continue
    r["packets"] = sorted(m[p - 1] for p in r["packets"])
    del r["ts"]
    out.append(((r["stream"], r["dir"], r["index"]), json.dumps(r, sort_keys=True)))
for _, line in sorted(out):
    print(line)
EOF
}

# decode VARIANT [framecap options]: T/VARIANT.jsonl and T/VARIANT.frames
decode() {
	local v=$1
	shift
	"$B"/fc-pcapgen "${v%%+*}" "$T/$v.pcap" > /dev/null || return 1
	"$B"/framecap -r "$T/$v.pcap" --json "$@" > "$T/$v.jsonl" || return 1
	frames "$T/$v.pcap.map" "$T/$v.jsonl" > "$T/$v.frames"
}
anomalies() { grep -c '"type":"anomaly"' "$T/$1.jsonl"; }
gaps() { grep -c '"type":"anomaly".*"kind":"gap"' "$T/$1.jsonl"; }

decode late-inorder || { fail "cannot make or decode the in-order capture"; exit 1; }
nframes=$(wc -l < "$T/late-inorder.frames")
if [ "$nframes" -ge 100 ] && [ "$(anomalies late-inorder)" -eq 0 ]; then
	ok "in-order capture: $nframes frames, no anomaly"
else
	fail "in-order capture: $nframes frames, $(anomalies late-inorder) anomalies"
fi

for dir in c2s s2c; do
	for k in 1 2 5 50; do
		for extra in "" -ooo; do
			v=late-$dir-$k$extra
			what="$dir data captured $k packet(s) after its ACK${extra:+, other segments reordered meanwhile}"
			if ! decode "$v"; then
				fail "$what: cannot make or decode"
			elif [ "$(anomalies "$v")" -ne 0 ]; then
				fail "$what: $(anomalies "$v") anomalies: $(grep '"type":"anomaly"' "$T/$v.jsonl" | head -2)"
			elif ! diff -u "$T/late-inorder.frames" "$T/$v.frames" > "$T/$v.diff"; then
				fail "$what: frames differ from the in-order capture: $(head -20 "$T/$v.diff")"
			else
				ok "$what: the in-order frames, no anomaly"
			fi
		done
	done
done
for k in 2 50; do
	v=late-two-$k
	if decode "$v" && [ "$(anomalies "$v")" -eq 0 ] &&
	   cmp -s "$T/late-inorder.frames" "$T/$v.frames"; then
		ok "two holes acknowledged one after the other, data $k packets late: the in-order frames"
	else
		fail "two holes acknowledged one after the other, data $k packets late"
	fi
done

# A real loss is still a gap, reported at the ACK that covered it, and the
# framing resyncs after it: every frame not in the lost segment is found.
for v in loss-c2s loss-s2c loss-end-c2s loss-end-s2c; do
	decode "$v" || { fail "$v: cannot make or decode"; continue; }
	ack=$(python3 - "$T/$v.jsonl" <<'EOF'
import json, sys
g = [json.loads(l) for l in open(sys.argv[1]) if '"kind":"gap"' in l]
print(g[0]["packet"] if len(g) == 1 and "acknowledged" in g[0]["detail"] else "none")
EOF
)
	n=$(wc -l < "$T/$v.frames")
	if [ "$ack" = none ]; then
		fail "$v: expected one gap, acknowledged but not captured: $(grep '"type":"anomaly"' "$T/$v.jsonl" | head -3)"
	elif [ "$ack" != "$(cat "$T/$v.pcap.ack")" ]; then
		fail "$v: the gap is at packet $ack, the ACK covering the lost data is $(cat "$T/$v.pcap.ack")"
	elif [ "$n" -lt $((nframes - 2)) ] || [ "$n" -ge "$nframes" ]; then
		fail "$v: $n frames, expected $nframes less the lost segment's (1 or 2)"
	else
		ok "$v: a gap at packet $ack (the ACK), $n of $nframes frames"
	fi
done
# For loss-end-*, that ACK is the capture's last packet.
for v in loss-end-c2s loss-end-s2c; do
	last=$(wc -l < "$T/$v.pcap.map")
	if grep -q "\"kind\":\"gap\"" "$T/$v.jsonl" &&
	   grep '"kind":"gap"' "$T/$v.jsonl" | grep -q "\"packet\":$last,"; then
		ok "$v: no packet after the ACK, the gap is still declared (at packet $last)"
	else
		fail "$v: the gap should be at the last packet, $last: $(grep '"kind":"gap"' "$T/$v.jsonl")"
	fi
done

# The window's options: both must pass for a gap.
decode late-c2s-50+a --ack-window-packets 10
if [ "$(anomalies late-c2s-50+a)" -eq 0 ]; then
	ok "--ack-window-packets 10: data 50 packets (50 ms) late still fills the hole (200 ms not passed)"
else
	fail "--ack-window-packets 10 alone made a gap"
fi
decode late-c2s-50+b --ack-window-packets 10 --ack-window-ms 20
if [ "$(gaps late-c2s-50+b)" -eq 1 ]; then
	ok "--ack-window-packets 10 --ack-window-ms 20: data 50 packets (50 ms) late is a gap"
else
	fail "--ack-window-packets 10 --ack-window-ms 20: $(gaps late-c2s-50+b) gaps, expected 1"
fi
decode late-s2c-1+c --ack-window-packets 0 --ack-window-ms 0
if [ "$(gaps late-s2c-1+c)" -eq 1 ]; then
	ok "--ack-window-packets 0 --ack-window-ms 0: a gap on the ACK, as before"
else
	fail "a zero window: $(gaps late-s2c-1+c) gaps, expected 1"
fi
expect_refused "--ack-window-ms x: usage error" "--ack-window-ms x" \
	"$B"/framecap -r "$T/late-inorder.pcap" --ack-window-ms x

# The real capture.
MB=$SHARED/protocols/modbus_zeekbig.pcap
if [ ! -f "$MB" ]; then
	fail "$MB not found (set FC_SHARED)"
else
	"$B"/framecap -r "$MB" --length-offset 4 --length-size 2 --byte-order big \
		--unsigned --header-size 6 --json > "$T/modbus.jsonl"
	if grep '"kind":"gap"' "$T/modbus.jsonl" | grep -q '"packet":3149,'; then
		fail "modbus_zeekbig.pcap: still a gap at packet 3149"
	elif ! grep '"type":"frame"' "$T/modbus.jsonl" | grep -q '"packets":\[3150\]'; then
		fail "modbus_zeekbig.pcap: no frame from packet 3150"
	else
		ok "modbus_zeekbig.pcap: no gap at packet 3149, the response in packet 3150 decoded"
	fi
fi
rm -rf "$T"
exit $bad
