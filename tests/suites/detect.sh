#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# detect.sh TMP - framecap --detect finds the framing of captures made with
# known profiles, and its YAML, given back with --config, decodes the same
# capture without an anomaly. Text and random data yield no profile.
set -u
T=$1/detect B=${B:-build}
mkdir -p "$T"
F=$B/framecap
MK=$B/fc-pcapgen
bad=0
# a few dozen frames of varied sizes and content
frames=()
for i in $(seq 1 40); do frames+=("$(printf 'message %d %*s' "$i" $(( (i * 37) % 200 )) '' | tr ' ' "$(printf '\\x%x' $((97 + i % 26)))")"); done

clean() { # clean JSONL FRAMES: the summary counts FRAMES frames, no anomaly
	python3 -c 'import json,sys
s=[json.loads(l) for l in open(sys.argv[1])][-1]
sys.exit(0 if s["frames"]==int(sys.argv[2]) and s["anomalies"]==0 else 1)' "$1" "$2"
}
case_() { # case_ NAME EXPECT-YAML-FRAGMENT -- fc-pcapgen frames options
	local name=$1 want=$2; shift 3
	"$MK" frames "$T/$name.pcap" --frames "${frames[@]}" "$@" > /dev/null 2>&1 ||
		{ echo "FAIL detect: $name: fc-pcapgen failed"; bad=1; return; }
	"$F" -r "$T/$name.pcap" --detect > "$T/$name.yaml" 2> "$T/$name.err"
	if ! grep -qF "$want" "$T/$name.yaml"; then
		echo "FAIL detect: $name: want '$want' in:"; sed 's/^/     /' "$T/$name.yaml"; bad=1; return
	fi
	"$F" -r "$T/$name.pcap" --config "$T/$name.yaml" --json > "$T/$name.jsonl" 2>&1
	if ! python3 -c 'import json,sys
objs=[json.loads(l) for l in open(sys.argv[1])]
s=objs[-1]
sys.exit(0 if s["frames"]==40 and s["anomalies"]==0 else 1)' "$T/$name.jsonl"; then
		echo "FAIL detect: $name: --config with the detected YAML: $(tail -1 "$T/$name.jsonl")"; bad=1; return
	fi
	echo "ok   detect: $name: found and decodes all 40 frames with its own YAML"
}

case_ tutorial "length_offset: 0, length_size: 4, byte_order: little, signed: true, length_adjustment: 0, header_size: 4" --
case_ big-endian "length_offset: 0, length_size: 4, byte_order: big" -- --byte-order big
case_ two-byte "length_offset: 0, length_size: 2, byte_order: big" -- --length-size 2 --byte-order big --unsigned
case_ mysql "length_offset: 0, length_size: 3, byte_order: little, signed: false, length_adjustment: 1, header_size: 4" -- --length-size 3 --unsigned --length-adjustment 1 --header-size 4
case_ grpc "length_offset: 1, length_size: 4, byte_order: big, signed: false, length_adjustment: 0, header_size: 5" -- --length-offset 1 --byte-order big --unsigned --header-size 5
case_ includes-header "length_size: 4, byte_order: big, signed: false, length_adjustment: -4, header_size: 4" -- --byte-order big --unsigned --length-adjustment -4

# Not length-prefixed: nothing is claimed.
"$MK" frames "$T/text.pcap" --raw "$(printf 'GET /index.html HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n%.0s' $(seq 20) | od -An -tx1 | tr -d ' \n')" > /dev/null 2>&1
if "$F" -r "$T/text.pcap" --detect > "$T/text.yaml" && grep -q "^# port 8001: nothing fits" "$T/text.yaml" &&
   grep -q "^ports: {}" "$T/text.yaml"; then
	echo "ok   detect: HTTP text: nothing fits, and it says why"
else
	echo "FAIL detect: HTTP text:"; sed 's/^/     /' "$T/text.yaml"; bad=1
fi
# Lengths written as text are named, a BER tag ('0' = 0x30) is not.
LDAP=${FC_SHARED:-../shared}/protocols/ldap_scram.pcap
"$F" -r "$LDAP" --detect > "$T/ldap.yaml" 2>&1
"$F" -r captures/ref-bug-ascii-length.pcap --detect > "$T/ascii.yaml" 2>&1
if ! grep -q "ASCII digits" "$T/ldap.yaml" && grep -q "ASCII digits" "$T/ascii.yaml"; then
	echo "ok   detect: a length sent as text is named; LDAP's BER tag 0x30 is not taken for one"
else
	echo "FAIL detect: ASCII-digit hint:"; sed 's/^/     /' "$T/ldap.yaml" "$T/ascii.yaml"; bad=1
fi
# The reference client's bug scenarios, two frames each: too few to
# claim, but the explanation names what the bytes are (the bug itself).
"$F" -r captures/ref-bug-big-endian.pcap --detect > "$T/bug-be.yaml" 2>&1
"$F" -r captures/ref-bug-includes-header.pcap --detect > "$T/bug-ih.yaml" 2>&1
if grep -q "^ports: {}" "$T/bug-be.yaml" && grep -q "^ports: {}" "$T/bug-ih.yaml" &&
   tr '\n' ' ' < "$T/bug-be.yaml" | sed 's/ #   / /g' | grep -q "closest reading, a 4-byte big-endian length at 0, tiles every direction in 2 frames" &&
   tr '\n' ' ' < "$T/bug-ih.yaml" | sed 's/ #   / /g' | grep -q "closest reading, a 4-byte little-endian length at 0, adjustment -4, tiles"; then
	echo "ok   detect: bug scenarios: nothing claimed from 2 frames, the closest reading named (big-endian; length counting the header)"
else
	echo "FAIL detect: bug scenarios' closest reading:"; sed 's/^/     /' "$T/bug-be.yaml" "$T/bug-ih.yaml"; bad=1
fi
# A capture not made here: TLS records (5-byte header, 2-byte big-endian
# length at offset 3) on 443 beside HTTP on 80.
TLS=${FC_SHARED:-../shared}/corpus/tcp/sv-tls-subjectaltname_input.pcap
if [ -f "$TLS" ]; then
	"$F" -r "$TLS" --detect > "$T/tls.yaml" 2>&1
	if grep -qF "port_443: {length_offset: 3, length_size: 2, byte_order: big, signed: false, length_adjustment: 0, header_size: 5" "$T/tls.yaml" &&
	   grep -q "^# port 80: nothing fits" "$T/tls.yaml" && ! grep -q "^  80:" "$T/tls.yaml"; then
		echo "ok   detect: corpus TLS capture: TLS record framing on 443, nothing claimed for HTTP on 80"
	else
		echo "FAIL detect: corpus TLS capture:"; sed 's/^/     /' "$T/tls.yaml"; bad=1
	fi
else
	echo "FAIL detect: $TLS not found (set FC_SHARED)"; bad=1
fi
# The tutorials' framed client: short messages, a 100 KB one, short ones,
# cut as a TCP stack would (the big write in 60000-byte segments, and in
# the "sticky" variant the next message stuck to its tail). The 16 KiB head
# ends inside the big frame: the chain must be followed past it.
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
for variant in little big sticky; do
	order=little; [ $variant = big ] && order=big
	short=(hello "how are you" fine "a fourth message" five six)
	python3 - "$T/tut-$variant.pcap" "$order" "$variant" "$MK" "${short[@]}" <<'PY'
import subprocess, sys
out, order, variant, mk = sys.argv[1:5]
msgs = sys.argv[5:8] + ["x" * 100000] + sys.argv[8:]
cuts, off = [], 0
for m in msgs:
    n = 4 + len(m)
    if len(m) == 100000:
        cuts += [off + 60000]
        if variant == "sticky":  # the big frame's tail and the next frame: one packet
            off += n
            continue
    off += n
    cuts.append(off)
args = [mk, "frames", out, "--cuts", ",".join(map(str, cuts)), "--byte-order", order, "--frames"] + msgs
if order == "big":
    args += ["--unsigned"]
subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
PY
	"$F" -r "$T/tut-$variant.pcap" --detect > "$T/tut-$variant.yaml" 2>&1
	want="length_offset: 0, length_size: 4, byte_order: $order"
	"$F" -r "$T/tut-$variant.pcap" --config "$T/tut-$variant.yaml" --json > "$T/tut-$variant.jsonl" 2>&1
	if grep -qF "$want" "$T/tut-$variant.yaml" && ! grep -q "LOW CONFIDENCE" "$T/tut-$variant.yaml" &&
	   clean "$T/tut-$variant.jsonl" 7; then
		echo "ok   detect: tutorial client with a 100 KB frame ($variant): found past the big frame, all 7 frames decode"
	else
		echo "FAIL detect: tutorial client with a 100 KB frame ($variant):"; sed 's/^/     /' "$T/tut-$variant.yaml"; tail -1 "$T/tut-$variant.jsonl"; bad=1
	fi
done

# Fixed-size records (fc-pcapgen's fixed framing, one record a packet):
# framing fixed of their size, and its YAML decodes every record; the
# tutorial's variable frames above are never called fixed.
recs=(); for i in $(seq 1 30); do recs+=("$(printf 'rec%04d:%08x' "$i" $(( (i * 2654435761) % 4294967296 )))"); done
"$MK" frames "$T/fixed.pcap" --framing fixed --frame-size 16 --frames "${recs[@]}" > /dev/null 2>&1
"$F" -r "$T/fixed.pcap" --detect > "$T/fixed.yaml" 2>&1
"$F" -r "$T/fixed.pcap" --config "$T/fixed.yaml" --json > "$T/fixed.jsonl" 2>&1
if grep -qF "port_8001: {framing: fixed, frame_size: 16," "$T/fixed.yaml" &&
   grep -qF "#   Netty: new FixedLengthFrameDecoder(16)" "$T/fixed.yaml" &&
   clean "$T/fixed.jsonl" 30 &&
   ! grep -q "framing: fixed" "$T"/tutorial.yaml "$T"/tut-*.yaml "$T"/two-byte.yaml; then
	echo "ok   detect: 16-byte records: framing fixed, its YAML decodes all 30; variable frames never fixed"
else
	echo "FAIL detect: fixed-size records:"; sed 's/^/     /' "$T/fixed.yaml"; tail -1 "$T/fixed.jsonl"; bad=1
fi
# ONC RPC record marking (NFS on 2049): 4 bytes at 0 with length_mask
# 0x7fffffff; the portmapper's few calls on 111 take that framing (too
# few frames there alone); the YAML, given back, decodes both ports with
# no anomaly.
NFS=${FC_SHARED:-../shared}/protocols/nfs_zeek.pcap
"$F" -r "$NFS" --detect > "$T/nfs.yaml" 2>&1
"$F" -r "$NFS" --config "$T/nfs.yaml" --json > "$T/nfs.jsonl" 2>&1
if grep -qF "port_2049: {length_offset: 0, length_size: 4, byte_order: big, signed: false, length_adjustment: 0, header_size: 4, max_frame: 16777216, length_mask: 0x7fffffff}" "$T/nfs.yaml" &&
   grep -q "^  111: port_2049$" "$T/nfs.yaml" && grep -q "^  2049: port_2049$" "$T/nfs.yaml" &&
   grep -q "^# port 111: port 2049's framing" "$T/nfs.yaml" &&
   clean "$T/nfs.jsonl" 98; then
	echo "ok   detect: ONC RPC: length_mask 0x7fffffff on 2049, reused for the portmapper on 111; its YAML decodes both with no anomaly"
else
	echo "FAIL detect: ONC RPC record marking:"; sed 's/^/     /' "$T/nfs.yaml"; tail -1 "$T/nfs.jsonl"; bad=1
fi
# Bounded: a capture of one repeated byte in many packets (every search
# open: each field, masks, fixed sizes, preludes) is done in seconds.
python3 -c 'import sys; sys.stdout.write("c1" * 60000)' > "$T/worst.hex"
"$MK" frames "$T/worst.pcap" --raw "$(cat "$T/worst.hex")" --cuts "$(seq -s, 64 64 119000)" > /dev/null 2>&1
start=$(date +%s%N)
"$F" -r "$T/worst.pcap" --detect > "$T/worst.yaml" 2>&1; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc = 0 ] && [ $ms -lt 10000 ] && grep -q "^ports:" "$T/worst.yaml"; then
	echo "ok   detect: worst case (60000 bytes of one value in 64-byte packets): done in $ms ms"
else
	echo "FAIL detect: worst case: status $rc after $ms ms"; head -20 "$T/worst.yaml"; bad=1
fi
# The tokio-util, Go and Python lines carry the YAML profile's values: the
# Python statement, run on a header built from the profile, gives the
# payload length; the builder's and the constants' numbers are the fields.
for y in "$T"/*.yaml; do
	grep -q "^  port_" "$y" || continue
	grep "^  port_" "$y" | head -1 | grep -q "framing:\|prelude:" && continue # not a length field
	if python3 - "$y" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
prof = re.search(r"^  port_\d+: \{(.*)\}$", text, re.M).group(1)
f = dict(kv.split(": ") for kv in prof.split(", "))
o, s, a, h = (int(f[k]) for k in ("length_offset", "length_size", "length_adjustment", "header_size"))
order, signed = f["byte_order"], f["signed"] == "true"
mask = int(f.get("length_mask", "0"), 16)
for payload in (1, 200, 5000):
    n = payload + h - o - s - a
    hdr = bytearray(b"\xab" * max(h, o + s))
    if mask:  # the flag bits set: the printed code must mask them off
        n |= ((1 << 8 * s) - 1) & ~mask
    hdr[o:o + s] = n.to_bytes(s, order, signed=signed)
    env = {"hdr": bytes(hdr), "struct": __import__("struct")}
    exec(re.search(r"^#   Python: (.*)$", text, re.M).group(1), env)
    assert env["payload_len"] == payload, (payload, env["payload_len"])
tokio = re.search(r"^#   tokio-util: (.*)$", text, re.M).group(1)
go = re.search(r"^#   Go: (.*)$", text, re.M).group(1)
netty = re.search(r"^#   Netty: (.*)$", text, re.M).group(1)
if mask:  # tokio-util has no mask: it says so; Go and Netty mask
    assert "no tokio-util equivalent" in tokio and f"0x{mask:x}" in tokio, tokio
    assert f"lengthMask = 0x{mask:x}; n &= lengthMask" in go, go
    assert f"& 0x{mask:x}L;" in netty, netty
    sys.exit(0)
assert f"length_field_offset({o}).length_field_length({s}).length_adjustment({a}).num_skip({h})" in tokio, tokio
assert f".max_frame_length({f['max_frame']}).{order}_endian()" in tokio, tokio
go = re.search(r"^#   Go: (.*)$", text, re.M).group(1)
assert go.startswith(f"lengthOffset, lengthSize, headerSize, lengthAdjustment, maxFrame = {o}, {s}, {h}, {a}, {f['max_frame']}; order = binary.{order.capitalize()}Endian; signed = {f['signed']}"), go
PY
	then
		echo "ok   detect: $(basename "$y"): Python, tokio-util and Go lines agree with the profile"
	else
		echo "FAIL detect: $(basename "$y"): Python, tokio-util or Go line disagrees with the profile"; bad=1
	fi
done
# The other framings and preludes on real captures: the YAML --detect
# prints loads as written, and its profile (given with --profile) cuts the
# port's streams without an anomaly (but the note that a capture starts
# inside a connection).
real() { # real CAPTURE PORT MIN-FRAMES EXPECT-YAML-FRAGMENT...
	local cap=$1 port=$2 min=$3 name; shift 3
	local path=${FC_SHARED:-../shared}/protocols/$cap y=$T/real-${cap%%.*}.yaml
	[ -f "$path" ] || { echo "FAIL detect: $path not found (set FC_SHARED)"; bad=1; return; }
	"$F" -r "$path" --detect > "$y" 2> "$y.err"
	for want in "$@"; do
		if ! grep -qF -- "$want" "$y"; then
			echo "FAIL detect: $cap: want '$want' in:"; sed 's/^/     /' "$y"; bad=1; return
		fi
	done
	"$F" --config "$y" --profile "port_$port" -r "$path" --json > "$y.jsonl" 2> "$y.err2"
	if python3 - "$y.jsonl" "$port" "$min" <<'PY'
import json, sys
frames = anomalies = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if not any(e.endswith(":" + sys.argv[2]) for e in (o.get("src", ""), o.get("dst", ""))):
        continue
    frames += o.get("type") == "frame"
    # a capture that starts inside a connection says so: not a fault
    anomalies += o.get("type") == "anomaly" and o.get("kind") != "midstream"
sys.exit(0 if frames >= int(sys.argv[3]) and anomalies == 0 else 1)
PY
	then
		echo "ok   detect: $cap: port $port found as $(grep "^# port $port:" "$y" | cut -d: -f2 | sed 's/^ //'); its YAML decodes the port without an anomaly"
	else
		echo "FAIL detect: $cap: --config of the detected YAML, --profile port_$port:"
		sed 's/^/     /' "$y" "$y.err2"; tail -1 "$y.jsonl"; bad=1
	fi
}
real mqtt_mixed.pcap 1883 12 "port_1883: {framing: varint, length_offset: 1, varint_max_bytes: 4,"
real ldap_scram.pcap 389 16 "port_389: {framing: ber,"
real redis_zeek.pcap 6379 2000 'port_6379: {framing: delimiter, delimiter: "\r\n",' "text (100% printable)"
real smtp_zeek.pcap 25 500 'port_25: {framing: delimiter, delimiter: "\r\n",'
real stomp_ndpi.pcapng 61613 7 'port_61613: {framing: delimiter, delimiter: "\0",'
real pgsql_greenhouse.pcap 5432 300 \
	"port_5432_c2s_prelude: {length_offset: 0, length_size: 4, byte_order: big, signed: false, length_adjustment: -4, header_size: 4," \
	"port_5432: {length_offset: 1, length_size: 4, byte_order: big, signed: false, length_adjustment: -4, header_size: 5," \
	'prelude: {c2s: [{profile: port_5432_c2s_prelude, max_frames: 2}], s2c: [{bytes_one_of: ["N"]}]}}' \
	"#   prelude c2s: 2 stream directions start with up to 2 frames of another layout"
real amqp_deepflow.pcap 5672 38 'prelude: {c2s: [{bytes_one_of: ["AMQP\0\0\t\x01"]}]}}' "byte_order: big, signed: false, length_adjustment: 1,"
real http2_h2c.pcap 3000 150 'prelude: {c2s: [{bytes_one_of: ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"]}]}}'
# amqp_ndpi starts mid-connection: the framing without a prelude.
real amqp_ndpi.pcap 5672 90 "port_5672: {length_offset: 4, length_size: 3, byte_order: big, signed: false, length_adjustment: 1, header_size: 8, max_frame: 16777216}"
exit $bad
