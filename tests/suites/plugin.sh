#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# plugin.sh TMP - the Wireshark plugin (dissector/framecap.so) in real
# tshark, checked against framecap --json: two independent reassemblies
# (Wireshark's TCP + tcp_dissect_pdus, framecap's own) must find the same
# frames. Then Decode As, the heuristic, the preferences, the YAML
# profiles, the expert infos (framecap's diagnoses among them) and
# display filters. One line per check:
# "ok   NAME" or "FAIL NAME" (with details), from tests/lib.sh; exits 1
# if any failed.
#
# tshark ignores personal plugin directories when run as root, so it runs
# as uid 65534 (setpriv) with WIRESHARK_PLUGIN_DIR, on copies of the
# captures in a directory that user can read.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
case $B in /*) FC=$B/framecap ;; *) FC=$PWD/$B/framecap ;; esac
TOOLS=$PWD/dissector/tests
T=${1:?usage: plugin.sh TMP}/plugin
mkdir -p "$T" || exit 1
SUITE=plugin
. tests/lib.sh
W=$(mktemp -d /tmp/framecap-plugin.XXXXXX)
trap 'rm -rf "$W"; cleanup_pids' EXIT
chmod 755 "$W"
mkdir -p "$W/home" "$W/caps"

# check NAME COMMAND...: ok if the command succeeds; its output explains a failure.
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}

# tshark with the plugin, as uid 65534, in a clean environment.
ts() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 HOME="$W/home" \
		WIRESHARK_PLUGIN_DIR="$W/plugins" tshark "$@"
}
# framecap as the reference, with no configuration file but the one given.
fc() { (cd "$W" && env HOME="$W/home" "$FC" "$@"); }
mkcap() { "$B"/fc-pcapgen frames "$@"; }
compare() { python3 "$TOOLS/compare.py" "$@"; }
OOO=(-o tcp.reassemble_out_of_order:TRUE)
export W TOOLS
export -f ts compare

if ! command -v tshark > /dev/null; then
	fail "tshark is not installed (make deps)"
	exit 1
fi

# ---- build, install, load
if out=$(make -s install-plugin B="$B" PLUGIN_DIR="$W/plugins" 2>&1) &&
   v=$(pkg-config --modversion wireshark | cut -d. -f1,2) &&
   [ -f "$W/plugins/$v/epan/framecap.so" ]; then
	ok "make install-plugin PLUGIN_DIR=DIR installs DIR/$v/epan/framecap.so"
else
	fail "make install-plugin PLUGIN_DIR=DIR" "$out"
	exit 1
fi
chmod -R a+rX "$W/plugins"
if ts -G plugins 2>&1 | grep -q 'framecap\.so' &&
   ts -G fields 2>/dev/null | grep -q $'\tframecap\.length\t'; then
	ok "tshark loads framecap.so and knows framecap.length"
else
	fail "tshark loads framecap.so" "$(ts -G plugins 2>&1 | tail -5; ldd -r dissector/framecap.so 2>&1 | tail -5)"
	exit 1
fi

cp captures/*.pcap "$W/caps/"
cp "${FC_SHARED:-../shared}/corpus/linktypes/dns-inverse-query.pcap" "$W/caps/dns-default.pcap"
cp captures/*.pcapng "$W/caps/" 2>/dev/null
chmod a+r "$W"/caps/*

# ---- every capture: the plugin's frames are framecap's
# Documented differences (docs/wireshark.md, dissector/tests/compare.py):
# framecap's resynced frames, directions without a SYN (midstream) and
# frames after bytes never captured (gap) are not expected of the plugin.
# Beyond that, per capture, a Python condition on framecap's frames
# selects what the plugin must show:
declare -A SELECT=(
	# Wireshark 4.0 keys TCP conversations without the VLAN ID: the two
	# connections on one 4-tuple become one; the VLAN 100 copy of the
	# data is taken for a spurious retransmission and not dissected.
	[vlan.pcap]='f.get("vlan") == [200]'
	# With out-of-order reassembly on, Wireshark 4.0's TCP holds back the
	# segment after one cut by the snaplen (checked again with it off).
	[snaplen.pcap]='f["index"] == 0'
)
decode_as() { # -d options for the server ports other than 8001
	python3 -c '
import json, sys
ports = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "frame":
        ports.add((o["dst"] if o["dir"] == "c2s" else o["src"]).rsplit(":", 1)[1])
print(" ".join("-d tcp.port==%s,framecap" % p for p in sorted(ports) if p != "8001"))' "$1"
}
# one_capture CAP: its checks, written to $T/NAME.result (two captures are
# checked at a time: tshark's start-up, 0.5 s on a small VM, is most of it).
one_capture() {
	local cap=$1 name sel out
	name=$(basename "$cap")
	fc -r "$cap" --json --payload-bytes all > "$T/$name.cli" 2> "$T/$name.cli.err"
	# shellcheck disable=SC2046
	ts -r "$cap" "${OOO[@]}" $(decode_as "$T/$name.cli") -T json --no-duplicate-keys \
		> "$T/$name.ts" 2> "$T/$name.ts.err"
	sel=${SELECT[$name]:-}
	if out=$(compare "$T/$name.cli" "$T/$name.ts" ${sel:+--select "$sel"} 2>&1); then
		ok "$name: same frames as framecap --json ($out${sel:+; expected subset: $sel})"
	else
		fail "$name: same frames as framecap --json" "$out
$(cat "$T/$name.ts.err")"
	fi
	# Re-dissection must not change anything: two passes as one.
	# shellcheck disable=SC2046
	ts -r "$cap" "${OOO[@]}" $(decode_as "$T/$name.cli") -2 -T json --no-duplicate-keys \
		> "$T/$name.ts2" 2> "$T/$name.ts2.err"
	python3 "$TOOLS/framecap_layers.py" "$T/$name.ts" > "$T/$name.1" 2>&1
	python3 "$TOOLS/framecap_layers.py" "$T/$name.ts2" > "$T/$name.2" 2>&1
	if [ -s "$T/$name.1" ] && cmp -s "$T/$name.1" "$T/$name.2"; then
		if grep -qvx null "$T/$name.1"; then echo "2pass same"; else echo "2pass same, no tree"; fi
	else
		echo "2pass $name: $(diff "$T/$name.1" "$T/$name.2" | head -6; head -3 "$T/$name.ts2.err")"
	fi
}
caps=()
for cap in "$W"/caps/*.pcap "$W"/caps/*.pcapng; do
	[ -f "$cap" ] && caps+=("$cap")
done
running=0
for cap in "${caps[@]}"; do
	if [ "$running" -ge 2 ]; then
		wait -n
		running=$((running - 1))
	fi
	one_capture "$cap" > "$T/$(basename "$cap").result" 2>&1 &
	running=$((running + 1))
done
wait
same_2pass=0 with_tree=0 diff_2pass=""
for cap in "${caps[@]}"; do
	name=$(basename "$cap")
	grep -v '^2pass ' "$T/$name.result"
	grep -q '^FAIL' "$T/$name.result" && bad=1
	if grep -q '^2pass same' "$T/$name.result"; then
		same_2pass=$((same_2pass + 1))
		grep -qx '2pass same' "$T/$name.result" && with_tree=$((with_tree + 1))
	else
		diff_2pass="$diff_2pass$(sed -n 's/^2pass //p' "$T/$name.result")
"
	fi
done
if [ -z "$diff_2pass" ]; then
	ok "two passes (-2) show the same framecap tree (index, segments, frames_in_segment, expert infos) as one ($same_2pass captures, $with_tree with framecap trees)"
else
	fail "two passes (-2) show the same framecap tree as one" "$diff_2pass"
fi
check "snaplen.pcap with out-of-order reassembly off: same frames as framecap" \
	bash -c 'set -o pipefail; compare "$1" <(ts -r "$2" -T json --no-duplicate-keys)' _ \
	"$T/snaplen.pcap.cli" "$W/caps/snaplen.pcap"

# ---- ports: 8001, Decode As, the heuristic
mkcap "$W/caps/p5555.pcap" --port 5555 --frames hello "kinght love " aym "third message" --cuts 9,30
chmod a+r "$W/caps/p5555.pcap"
fc -r "$W/caps/p5555.pcap" --json --payload-bytes all > "$T/p5555.cli"
n=$(ts -r "$W/caps/p5555.pcap" -Y framecap 2>&1 | wc -l)
if [ "$n" -eq 0 ]; then
	ok "a stream on port 5555 is not decoded by default (registered on 8001, heuristic off)"
else
	fail "a stream on port 5555 is not decoded by default" "$(ts -r "$W/caps/p5555.pcap" -Y framecap 2>&1)"
fi
check "Decode As (-d tcp.port==5555,framecap): same frames as framecap" \
	bash -c 'compare "$1" <(ts -r "$2" -d tcp.port==5555,framecap -T json --no-duplicate-keys) --texts "hello,kinght love ,aym,third message"' _ \
	"$T/p5555.cli" "$W/caps/p5555.pcap"
check "heuristic (--enable-heuristic framecap_tcp) finds the stream on port 5555" \
	bash -c 'compare "$1" <(ts -r "$2" --enable-heuristic framecap_tcp -T json --no-duplicate-keys) --texts "hello,kinght love ,aym,third message"' _ \
	"$T/p5555.cli" "$W/caps/p5555.pcap"
check "the port preference (-o framecap.tcp.port:5555) moves the registration" \
	bash -c 'compare "$1" <(ts -r "$2" -o framecap.tcp.port:5555 -T json --no-duplicate-keys)' _ \
	"$T/p5555.cli" "$W/caps/p5555.pcap"

# ---- preferences, each against framecap with the same options
# pref_case NAME CAPTURE "FRAMECAP OPTIONS" "TSHARK OPTIONS" [TEXTS]
pref_case() {
	local name=$1 cap=$2 fopts=$3 topts=$4 texts=${5:-} out
	# shellcheck disable=SC2086
	fc -r "$cap" --json --payload-bytes all $fopts > "$T/pref.cli" 2> "$T/pref.err"
	# shellcheck disable=SC2086
	ts -r "$cap" "${OOO[@]}" $topts -T json --no-duplicate-keys > "$T/pref.ts" 2>> "$T/pref.err"
	if out=$(compare "$T/pref.cli" "$T/pref.ts" ${texts:+--texts "$texts"} 2>&1); then
		ok "$name ($out)"
	else
		fail "$name" "$out
$(cat "$T/pref.err")"
	fi
}
mkcap "$W/caps/big.pcap" --byte-order big --frames hello "kinght love " aym "third message" --cuts 9,14,30
mkcap "$W/caps/custom.pcap" --port 9000 --length-offset 2 --length-size 2 --byte-order big \
	--unsigned --length-adjustment -4 --header-size 6 \
	--frames hello "kinght love " aym "third message" --cuts 9,30,31
chmod a+r "$W"/caps/*.pcap
pref_case "preference byte_order:big (struct.pack('!i'))" "$W/caps/big.pcap" \
	"--byte-order big" "-o framecap.byte_order:big" "hello,kinght love ,aym,third message"
pref_case "preferences length_offset, length_size, signed, length_adjustment (negative), header_size" \
	"$W/caps/custom.pcap" \
	"--length-offset 2 --length-size 2 --byte-order big --unsigned --length-adjustment -4 --header-size 6" \
	"-d tcp.port==9000,framecap -o framecap.length_offset:2 -o framecap.length_size:2 -o framecap.byte_order:big -o framecap.signed:FALSE -o framecap.length_adjustment:-4 -o framecap.header_size:6" \
	"hello,kinght love ,aym,third message"
pref_case "preference max_frame:10 (frames before the oversize one)" "$W/caps/sticky.pcap" \
	"--max-frame 10" "-o framecap.max_frame:10"
# expert_has NAME CAPTURE "TSHARK OPTIONS" PACKET MESSAGE: the packet's
# expert infos include MESSAGE.
expert_has() {
	local name=$1 cap=$2 topts=$3 pkt=$4 msg=$5 got
	# shellcheck disable=SC2086
	got=$(ts -r "$cap" "${OOO[@]}" $topts -Y "frame.number == $pkt" -T fields -E occurrence=a \
		-E aggregator='|' -e _ws.expert.message 2>&1)
	if printf '%s' "$got" | tr '|' '\n' | grep -qxF -- "$msg"; then
		ok "$name"
	else
		fail "$name" "packet $pkt: expected expert info: $msg
got: $(printf '%s' "$got" | tr '|' '\n')"
	fi
}
expert_has "preference max_frame:10: frame #1 (len 12) is oversize" "$W/caps/sticky.pcap" \
	"-o framecap.max_frame:10" 4 "Oversize length: frame #1 length 12 exceeds max_frame 10"
expert_has "preference signed:FALSE reads 0xfffffffe as 4294967294 (oversize, not negative)" \
	"$W/caps/negative.pcap" "-o framecap.signed:FALSE" 4 \
	"Oversize length: frame #0 length 4294967294 exceeds max_frame 16777216"
expert_has "an impossible preference (length_size:9) is reported, the default framing used" \
	"$W/caps/sticky.pcap" "-o framecap.length_size:9" 4 \
	"framecap preferences: length_size must be 1 to 8; the default framing is used"

# ---- YAML profiles, read by the core's loader as framecap reads them
cat > "$W/fc.yaml" <<'EOF'
profiles:
  tutorial: {}
  bigp: {length_size: 2, byte_order: big, signed: false}
ports:
  8001: tutorial
  9100: bigp
EOF
printf 'profiles:\n  x: {length_size: 9}\n' > "$W/bad.yaml"
mkcap "$W/caps/p9100.pcap" --port 9100 --length-size 2 --byte-order big --unsigned \
	--frames hello "kinght love " aym --cuts 5,20
mkcap "$W/caps/big2.pcap" --length-size 2 --byte-order big --unsigned --frames hello "kinght love " aym
chmod a+r "$W"/*.yaml "$W"/caps/*.pcap
pref_case "framecap.config: the ports map decodes port 9100 with profile bigp" "$W/caps/p9100.pcap" \
	"--config $W/fc.yaml" "-o framecap.config:$W/fc.yaml" "hello,kinght love ,aym"
# One rule for choosing (fc_profile_opts_choose, fc_profile_pick): a
# framing preference changes the port-mapped profile too, as the option does.
pref_case "framecap.config with max_frame:6: the preference changes the mapped profile, as --max-frame" \
	"$W/caps/p9100.pcap" "--config $W/fc.yaml --max-frame 6" \
	"-o framecap.config:$W/fc.yaml -o framecap.max_frame:6" "hello"
got=$(ts -r "$W/caps/p9100.pcap" -o "framecap.config:$W/fc.yaml" -Y framecap.index -T fields -e framecap.profile 2>&1 | tr ',' '\n' | sort -u | tr '\n' ' ')
if [ "$got" = "bigp " ]; then
	ok "framecap.profile field names the profile chosen by port (bigp)"
else
	fail "framecap.profile field names the profile chosen by port" "got: $got"
fi
pref_case "framecap.profile:bigp applies one profile to every stream" "$W/caps/big2.pcap" \
	"--config $W/fc.yaml --profile bigp" "-o framecap.config:$W/fc.yaml -o framecap.profile:bigp" \
	"hello,kinght love ,aym"
mkdir -p "$W/home/.config/framecap" && cp "$W/fc.yaml" "$W/home/.config/framecap/framecap.yaml"
chmod -R a+rX "$W/home"
pref_case "~/.config/framecap/framecap.yaml is read when framecap.config is empty, as framecap does" \
	"$W/caps/p9100.pcap" "" "" "hello,kinght love ,aym"
rm -rf "$W/home/.config"
expert_has "a configuration error is shown with file:line:column" "$W/caps/sticky.pcap" \
	"-o framecap.config:$W/bad.yaml" 4 \
	"framecap.config: $W/bad.yaml:2:20: profile 'x': length_size must be 1 to 8"

# ---- a split frame completed by the segment that also carries a bad length
# (captures/ref-bug-short.pcap). TCP hands the plugin that segment only as
# reassembled data, so the postdissector records it, after the bad length
# has stopped the direction's decoding: it must still count for the frame.
# The first desegment request not met by the next segment (3 segments) or
# met at once (2), an oversize or a negative length, a split header.
# split_bad NAME PACKET SEGMENTS MKPCAP-OPTIONS...
split_bad() {
	local name=$1 pkt=$2 segs=$3 n out msg="Split frame: frame #0 spans $3 segments"; shift 3
	mkcap "$W/caps/$name.pcap" --frames "kinght love again" "$@"
	chmod a+r "$W/caps/$name.pcap"
	fc -r "$W/caps/$name.pcap" --json --payload-bytes all > "$T/$name.cli"
	ts -r "$W/caps/$name.pcap" "${OOO[@]}" -T json --no-duplicate-keys > "$T/$name.ts" 2>&1
	case $* in *--cuts\ 2,*) msg="$msg (its header is split too)" ;; esac
	n=$(python3 -c '
import json, sys
fs = [f for f in map(json.loads, open(sys.argv[1])) if f["type"] == "frame"]
ks = [a["kind"] for a in map(json.loads, open(sys.argv[1])) if a["type"] == "anomaly"]
print(len(fs[0]["packets"]) if len(fs) == 1 and ks in (["oversize"], ["negative"]) else "?")' "$T/$name.cli")
	if [ "$n" != "$segs" ]; then
		fail "$name: framecap sees one frame over $segs segments, then a bad length" \
			"$(cat "$T/$name.cli")"
	elif out=$(compare "$T/$name.cli" "$T/$name.ts" --texts "kinght love again" 2>&1); then
		expert_has "$name: a frame over $segs segments completed next to a bad length ($out)" \
			"$W/caps/$name.pcap" "" "$pkt" "$msg"
	else
		fail "$name: same frames as framecap --json" "$out"
	fi
}
split_bad split-bad3 8 3 --raw 6c6c6f20616761696e --cuts 8,14
split_bad split-bad2 6 2 --raw 6c6c6f20616761696e --cuts 8
split_bad split-neg3 8 3 --raw feffffff61 --cuts 8,14
split_bad split-bad-hdr 8 3 --raw 6c6c6f20616761696e --cuts 2,14

# ---- data captured after its ACK: tshark (out-of-order reassembly on)
# and framecap (the ACK window) both take the late bytes: same frames.
# With other segments reordered meanwhile (-ooo), Wireshark hands the
# bytes it held back over with the late packet; a frame begun in one of
# them is not counted as one of the late packet's frames (issue 18).
for v in late-c2s-1 late-s2c-5 late-s2c-50 late-c2s-50-ooo late-s2c-5-ooo late-two-50; do
	"$B"/fc-pcapgen "$v" "$W/caps/$v.pcap" > /dev/null &&
		chmod a+r "$W/caps/$v.pcap"
	pref_case "data captured after its ACK ($v): the same frames as framecap" \
		"$W/caps/$v.pcap" "" ""
done

# ---- expert infos
# The plugin names the same likely causes as framecap, in the same words,
# at the same packets, in one pass and in two (-2): it feeds each packet of
# its streams to the core's engine and shows the diagnoses the engine
# reports meanwhile (framecap.diagnosis and the expert infos
# framecap.KIND, text from fc_describe): every *_suspect kind, short_frame
# and zero_run.
diag_agree() { # diag_agree NAME CAPTURE [framecap profile options -- tshark options]
	local name=$1 cap=$2 fopts=() topts=() port want got1 got2; shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do fopts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	topts=("$@")
	fc -r "$cap" --json "${fopts[@]}" > "$T/diag.json"
	port=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("dir") == "c2s": print(o["dst"].rsplit(":", 1)[1]); break' "$T/diag.json")
	want=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    k = o.get("kind", "")
    if k.endswith("_suspect") or k in ("short_frame", "zero_run"):
        print("%d|%s|%s" % (o["packet"], k, o["detail"]))' "$T/diag.json" | sort)
	# Each packet's diagnoses (framecap.diagnosis) with the expert message
	# in framecap.KIND's words.
	diag_ts() {
		ts -r "$cap" "${OOO[@]}" -d "tcp.port==${port:-8001},framecap" "${topts[@]}" "$@" \
			-Y framecap.diagnosis -T json --no-duplicate-keys -J "frame framecap" 2>&1 |
		python3 -c 'import json,sys
for p in json.load(sys.stdin):
    layers = p["_source"]["layers"]
    items = layers["framecap"] if isinstance(layers["framecap"], list) else [layers["framecap"]]
    for i in items:
        if "framecap.diagnosis" in i:
            k, e = i["framecap.diagnosis"], i["framecap.diagnosis_tree"]["_ws.expert"]
            print("%s|%s|%s" % (layers["frame"]["frame.number"], k,
                  e["_ws.expert.message"] if "framecap." + k in e else "(no expert framecap.%s)" % k))' | sort
	}
	got1=$(diag_ts)
	got2=$(diag_ts -2)
	if [ -n "$want" ] && [ "$want" = "$got1" ] && [ "$want" = "$got2" ]; then
		ok "diagnoses as framecap's, in one pass and two: $name ($(printf '%s\n' "$want" | cut -d'|' -f1,2 | tr '\n' ' '))"
	elif [ -z "$want$got1$got2" ]; then
		ok "diagnoses as framecap's: $name (none, in one pass and two)"
	else
		fail "diagnoses as framecap's: $name" "framecap: $want
tshark:   $got1
tshark -2: $got2"
	fi
}
C=$W/caps
diag_agree "the length written as text" "$C/ref-bug-ascii-length.pcap"
diag_agree "big-endian lengths, little-endian profile" "$C/ref-bug-big-endian.pcap"
diag_agree "little-endian lengths, big-endian profile" "$C/basic.pcap" --byte-order big -- \
	-o framecap.byte_order:big
diag_agree "a swapped reading that decodes nothing after it: no advice" "$C/dns-default.pcap"
diag_agree "the length counts the header (shadow walkers, at the FIN)" "$C/ref-bug-includes-header.pcap"
diag_agree "the length counts the header (shadow walkers, at the bad length)" "$C/diag-adjust.pcap"
diag_agree "a header that promised more than was sent" "$C/ref-bug-short.pcap"
diag_agree "lengths counted in characters (promised less, found by the resync)" "$C/ref-bug-chars.pcap"
diag_agree "promised less and promised more in one capture" "$C/diag-short.pcap"
diag_agree "many zero lengths" "$C/ref-bug-zeros.pcap"
diag_agree "a negative length: no cause named" "$C/ref-bug-negative.pcap"
diag_agree "no header at all: no cause named" "$C/ref-bug-no-header.pcap"
diag_agree "lines ending in \\n, profile \\r\\n" "$C/framing-bare-lf.pcap" --framing delimiter --delimiter '\r\n' -- \
	-o framecap.framing:delimiter -o 'framecap.delimiter:\r\n'
diag_agree "lines ending in \\r\\n: no cause named" "$C/framing-lines-split.pcap" --framing delimiter --delimiter '\r\n' -- \
	-o framecap.framing:delimiter -o 'framecap.delimiter:\r\n'
diag_agree "a JSON message pretty-printed over lines" "$C/ref-bug-delimiter-in-payload.pcap" \
	--framing delimiter --delimiter '\r\n' -- -o framecap.framing:delimiter -o 'framecap.delimiter:\r\n'
diag_agree "a JSON string holding the delimiter, cut across segments" "$C/framing-json-crlf.pcap" \
	--framing delimiter --delimiter '\r\n' -- -o framecap.framing:delimiter -o 'framecap.delimiter:\r\n'
expert_has "expert: sticky segment (sticky.pcap packet 4 carries 3 frames)" "$W/caps/sticky.pcap" "" 4 \
	"Sticky segment: carries 3 frames"
expert_has "expert: split frame (split.pcap frame #0 spans 3 segments)" "$W/caps/split.pcap" "" 7 \
	"Split frame: frame #0 spans 3 segments"
expert_has "expert: split frame with a split header (split.pcap frame #1)" "$W/caps/split.pcap" "" 10 \
	"Split frame: frame #1 spans 2 segments (its header is split too)"
expert_has "expert: oversize (oversize.pcap)" "$W/caps/oversize.pcap" "" 4 \
	"Oversize length: frame #0 length 2147483632 exceeds max_frame 16777216"
expert_has "expert: negative (negative.pcap)" "$W/caps/negative.pcap" "" 4 \
	"Negative length: frame #0 length -2 is negative, or shorter than the 4-byte header"
expert_has "expert: framing error ends the direction's decoding (negative.pcap)" "$W/caps/negative.pcap" "" 4 \
	"Framing error: bad length at frame #0; the rest of this stream direction is not decoded"
detail=$(grep -o '"detail":"reset by RST inside frame #0: [^"]*"' "$T/rst.pcap.cli" | sed 's/.*: //; s/"$//')
expert_has "expert: truncated by RST, with framecap's numbers ($detail)" "$W/caps/rst.pcap" "" 6 \
	"Truncated: connection reset (RST) inside frame #0: ${detail:-?}"
mkcap "$W/caps/fin.pcap" --frames hello "kinght love " --cuts 9,14 --raw 0a000000616263
mkcap "$W/caps/lost.pcap" --frames hello --raw fffffffe616263646566676869 --cuts 9,11,15,19
chmod a+r "$W"/caps/*.pcap
detail=$(fc -r "$W/caps/fin.pcap" --json | grep -o '"detail":"closed by FIN inside frame #2: [^"]*"' | sed 's/.*: //; s/"$//')
expert_has "expert: truncated by FIN, with framecap's numbers ($detail)" "$W/caps/fin.pcap" "" 10 \
	"Truncated: stream closed (FIN) inside frame #2: ${detail:-?}"
expert_has "expert: a bad length in a reassembled header is a framing error (lost.pcap)" "$W/caps/lost.pcap" "" 8 \
	"Framing error: bad length at frame #1; the rest of this stream direction is not decoded"
got=$(ts -r "$W/caps/lost.pcap" -Y framecap.undecoded -T fields -e frame.number -e _ws.expert.message 2>&1 | tr '\t\n' ' |')
want="8 Negative length: frame #1 length -16777217 is negative, or shorter than the 4-byte header,Framing error: bad length at frame #1; the rest of this stream direction is not decoded|10 Not decoded: framing was lost at frame #1 (packet 8); this stream direction is no longer decoded|12 Not decoded: framing was lost at frame #1 (packet 8); this stream direction is no longer decoded|"
if [ "$got" = "$want" ]; then
	ok "expert: after a framing error every later segment says it is not decoded (no silent stall)"
else
	fail "expert: after a framing error every later segment says it is not decoded" "got:  $got
want: $want"
fi
if out=$(ts -r "$W/caps/live-talk.pcap" -d tcp.port==25337,framecap -q -z expert,note 2>&1) &&
   printf '%s\n' "$out" | grep -q 'framecap  Sticky segment: carries 3 frames' &&
   printf '%s\n' "$out" | grep -q 'framecap  Split frame: frame #4 spans 3 segments'; then
	ok "tshark -z expert lists the sticky segment and the split frames (live-talk.pcap)"
else
	fail "tshark -z expert lists the sticky segment and the split frames" "$out"
fi

# ---- display filters from docs/wireshark.md, against framecap's JSON
want=$(python3 -c '
import json, sys
print(" ".join(str(f["packets"][-1]) for f in map(json.loads, open(sys.argv[1]))
               if f["type"] == "frame" and f["length"] > 1000))' "$T/bigframe.pcap.cli")
got=$(ts -r "$W/caps/bigframe.pcap" "${OOO[@]}" -Y 'framecap.length > 1000' -T fields -e frame.number 2>&1 | tr '\n' ' ' | sed 's/ $//')
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "filter 'framecap.length > 1000' finds the packet completing the 100000-byte frame ($got)"
else
	fail "filter 'framecap.length > 1000'" "got: $got, framecap: $want"
fi
want=$(python3 -c '
import json, sys, collections
n = collections.Counter(p for f in map(json.loads, open(sys.argv[1])) if f["type"] == "frame" for p in f["packets"])
print(" ".join(str(p) for p in sorted(n) if n[p] > 1))' "$T/live-talk.pcap.cli")
got=$(ts -r "$W/caps/live-talk.pcap" -d tcp.port==25337,framecap -Y 'framecap.frames_in_segment > 1' -T fields -e frame.number 2>&1 | tr '\n' ' ' | sed 's/ $//')
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "filter 'framecap.frames_in_segment > 1' finds framecap's sticky segments ($got)"
else
	fail "filter 'framecap.frames_in_segment > 1'" "got: $got, framecap: $want"
fi
want=$(python3 -c '
import json, sys
print(" ".join(str(f["packets"][-1]) for f in map(json.loads, open(sys.argv[1]))
               if f["type"] == "frame" and f["split"]))' "$T/live-talk.pcap.cli")
got=$(ts -r "$W/caps/live-talk.pcap" -d tcp.port==25337,framecap -Y 'framecap.segments > 1' -T fields -e frame.number 2>&1 | tr '\n' ' ' | sed 's/ $//')
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "filter 'framecap.segments > 1' finds framecap's split frames ($got)"
else
	fail "filter 'framecap.segments > 1'" "got: $got, framecap: $want"
fi

exit $bad
