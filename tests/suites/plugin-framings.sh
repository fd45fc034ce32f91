#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# plugin-framings.sh TMP - the Wireshark plugin in every framing (varint,
# BER, delimiter, fixed, a length mask) and with preludes, in real tshark,
# against framecap --json on the same capture: per stream direction the
# same frames (index, payload length, prelude step). Real captures from
# ../shared/protocols (MQTT, LDAP, Redis, SMTP, NFS, PostgreSQL, AMQP) with
# the profiles of issue 13, then generated captures cut at every byte of
# their headers, the framing errors in the command's words, the framing
# preferences and what a bad one says. One line per check: "ok   NAME" or
# "FAIL NAME" (with details), from tests/lib.sh; exits 1 if any failed.
#
# tshark runs as uid 65534 (it ignores plugin directories as root), as in
# plugin.sh. Out-of-order segments are reassembled
# (tcp.reassemble_out_of_order, off by default in Wireshark 4.0): without
# it Wireshark drops them and smtp_zeek.pcap loses frames that framecap
# keeps (docs/wireshark.md).
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
case $B in /*) FC=$B/framecap; GEN=$B/fc-pcapgen ;; *) FC=$PWD/$B/framecap; GEN=$PWD/$B/fc-pcapgen ;; esac
TOOLS=$PWD/dissector/tests
SHARED=${FC_SHARED:-../shared}
T=${1:?usage: plugin-framings.sh TMP}/plugin-framings
mkdir -p "$T" || exit 1
SUITE=plugin-framings
. tests/lib.sh
W=$(mktemp -d /tmp/framecap-framings.XXXXXX)
trap 'rm -rf "$W"; cleanup_pids' EXIT
chmod 755 "$W"
mkdir -p "$W/home" "$W/caps" "$W/out"

ts() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 HOME="$W/home" \
		WIRESHARK_PLUGIN_DIR="$W/plugins" tshark "$@"
}
fc() { (cd "$W" && env HOME="$W/home" "$FC" "$@"); }
OOO=(-o tcp.reassemble_out_of_order:TRUE)

if ! command -v tshark > /dev/null; then
	fail "tshark is not installed (make deps)"
	exit 1
fi
if ! out=$(make -s install-plugin B="$B" PLUGIN_DIR="$W/plugins" 2>&1); then
	fail "make install-plugin" "$out"
	exit 1
fi
chmod -R a+rX "$W/plugins"
if ! ts -G fields 2>/dev/null | grep -q $'\tframecap\.prelude\t'; then
	fail "tshark loads the plugin with framecap.prelude" "$(ts -G plugins 2>&1 | tail -5)"
	exit 1
fi
ok "tshark knows framecap.prelude, framecap.framing, framecap.trailer_len"

# The profiles of issue 13, as written there: tests/framings.yaml.

# same NAME CAP PORT CLI-OPTIONS... -- TSHARK-OPTIONS...: the plugin's frames
# (tshark two-pass, Decode As on PORT) are framecap's; the summary lines
# are kept in $W/out/NAME.sum for further checks.
same() {
	local name=$1 cap=$2 port=$3 cli=() tsh=() out
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cli+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	tsh=("$@")
	if ! fc "${cli[@]}" -r "$cap" --json > "$W/out/$name.jsonl" 2> "$W/out/$name.cli.err"; then
		fail "$name: framecap failed" "$(cat "$W/out/$name.cli.err")"
		return
	fi
	if ! ts -2 "${OOO[@]}" -r "$cap" -d "tcp.port==$port,framecap" "${tsh[@]}" \
		-T json --no-duplicate-keys -j "ip ipv6 tcp framecap" \
		> "$W/out/$name.json" 2> "$W/out/$name.ts.err"; then
		fail "$name: tshark failed" "$(cat "$W/out/$name.ts.err")"
		return
	fi
	if out=$(python3 "$TOOLS/framings.py" "$W/out/$name.jsonl" "$W/out/$name.json" "$port" 2>&1); then
		printf '%s\n' "$out" > "$W/out/$name.sum"
		ok "$name: same frames as framecap ($(awk '{split($2,a,"=");split($3,b,"="); n+=a[2]; p+=b[2]} END {print n " frames, " p " prelude, " NR " directions"}' <<< "$out"))"
	else
		fail "$name: frames differ from framecap --json" "$out"
	fi
}

Y=$PWD/tests/framings.yaml
for f in mqtt_mixed ldap_scram redis_zeek smtp_zeek nfs_zeek pgsql_greenhouse amqp_deepflow; do
	cp "$SHARED/protocols/$f.pcap" "$W/caps/" || fail "$SHARED/protocols/$f.pcap missing"
done
chmod a+r "$W"/caps/*
C=$W/caps
same mqtt "$C/mqtt_mixed.pcap" 1883 --config "$Y" --profile mqtt -- -o "framecap.config:$Y" -o framecap.profile:mqtt
same ldap "$C/ldap_scram.pcap" 389 --config "$Y" --profile ldap -- -o "framecap.config:$Y" -o framecap.profile:ldap
same redis "$C/redis_zeek.pcap" 6379 --config "$Y" --profile lines -- -o "framecap.config:$Y" -o framecap.profile:lines
same smtp "$C/smtp_zeek.pcap" 25 --config "$Y" --profile lines -- -o "framecap.config:$Y" -o framecap.profile:lines
same nfs "$C/nfs_zeek.pcap" 2049 --config "$Y" --profile oncrpc -- -o "framecap.config:$Y" -o framecap.profile:oncrpc
same pg "$C/pgsql_greenhouse.pcap" 5432 --config "$Y" --profile pg -- -o "framecap.config:$Y" -o framecap.profile:pg
same amqp "$C/amqp_deepflow.pcap" 5672 --config "$Y" --profile amqp -- -o "framecap.config:$Y" -o framecap.profile:amqp

# The preludes themselves, whatever both tools say: PostgreSQL's clients
# send an SSLRequest and a startup message (2 prelude frames), the server
# answers N (1); AMQP's clients send the 8-byte protocol header (1).
want_prelude() {
	local name=$1 re=$2 n=$3 got
	got=$(grep -cE "$re" "$W/out/$name.sum" 2> /dev/null)
	if [ "$got" = "$n" ]; then
		ok "$name: $n directions match /$re/"
	else
		fail "$name: $n directions should match /$re/, $got do" "$(cat "$W/out/$name.sum" 2>&1)"
	fi
}
want_prelude pg ':[0-9]+>[0-9.]+:5432 .* prelude=2$' 2
want_prelude pg '^[0-9.]+:5432>.* prelude=1$' 2
want_prelude amqp ':[0-9]+>[0-9.]+:5672 .* prelude=1$' 2
want_prelude amqp '^[0-9.]+:5672>.* prelude=0$' 2

# Marked in the tree and the Info column; the framing named.
if out=$(ts -r "$C/pgsql_greenhouse.pcap" -d tcp.port==5432,framecap -o "framecap.config:$Y" \
	-o framecap.profile:pg -Y framecap.prelude -T fields -e frame.number -e framecap.prelude \
	-e framecap.framing -e _ws.col.Info 2>&1) &&
   [ "$(grep -c . <<< "$out")" = 6 ] && grep -q $'\t1,*[0-9,]*\tlength.*\[prelude\] len=8 ' <<< "$out" &&
   grep -q $'\tbytes_one_of\t.*\[prelude\] len=1 "N"' <<< "$out"; then
	ok "pg: framecap.prelude filters the 6 prelude packets, marked [prelude] in Info (one pass)"
else
	fail "pg: prelude frames in the tree and Info" "$out"
fi
if out=$(ts -r "$C/nfs_zeek.pcap" -d tcp.port==2049,framecap -o "framecap.config:$Y" \
	-o framecap.profile:oncrpc -Y 'framecap.length_flags == 0x80000000' -T fields \
	-e framecap.length_flags 2>&1) && [ "$(grep -c . <<< "$out")" -ge 40 ]; then
	ok "nfs: the last-fragment bit shown as framecap.length_flags ($(grep -c . <<< "$out") packets)"
else
	fail "nfs: framecap.length_flags" "$out"
fi
if out=$(ts -r "$C/redis_zeek.pcap" -d tcp.port==6379,framecap -o "framecap.config:$Y" \
	-o framecap.profile:lines -c 8 -T fields -e framecap.trailer_len -e framecap.header_len \
	-e framecap.framing 2>&1) && grep -q $'^2[2,]*\t0[0,]*\tdelimiter' <<< "$out" &&
   ! grep -q $'^[^2\t]' <<< "$out"; then
	ok "redis: delimited frames have header_len 0 and trailer_len 2"
else
	fail "redis: header_len/trailer_len of lines" "$out"
fi

# A capture begun mid-connection (no SYN): no prelude, in either tool.
tshark -r "$C/pgsql_greenhouse.pcap" -Y '!(tcp.flags.syn==1)' -w "$C/pg-mid.pcap" > /dev/null 2>&1
chmod a+r "$C/pg-mid.pcap"
cli_pre=$(fc --config "$Y" --profile pg -r "$C/pg-mid.pcap" --json 2>&1 | grep -c '"prelude"')
cli_mid=$(fc --config "$Y" --profile pg -r "$C/pg-mid.pcap" --json 2>&1 | grep -c '"kind":"midstream"')
ts_out=$(ts -r "$C/pg-mid.pcap" -d tcp.port==5432,framecap -o "framecap.config:$Y" \
	-o framecap.profile:pg -T fields -e framecap.prelude -e framecap.index 2>&1)
if [ "$cli_pre" = 0 ] && [ "$cli_mid" -ge 2 ] && ! grep -q '^[0-9]' <<< "$ts_out" &&
   grep -q $'\t[0-9]' <<< "$ts_out"; then
	ok "pg without its SYNs: no prelude frame in the plugin nor in framecap ($cli_mid midstream)"
else
	fail "pg without its SYNs: the prelude is skipped" "framecap: $cli_pre prelude, $cli_mid midstream"$'\n'"$ts_out"
fi

# ---- generated captures: every framing, headers cut at every byte
cuts() { seq -s, 1 "$1"; }
gen() { local out=$1; shift; "$GEN" frames "$W/caps/$out" "$@" > "$W/out/$out.gen" 2>&1 || fail "fc-pcapgen $out" "$(cat "$W/out/$out.gen")"; chmod a+r "$W/caps/$out"; }
LONG=$(printf 'z%.0s' $(seq 1 300))
gen varint.pcap --framing varint --frames a "$LONG" bb "$LONG" --cuts "$(cuts 24),305,306,307"
same gen-varint "$C/varint.pcap" 8001 --framing varint -- -o framecap.framing:varint
gen varint-off.pcap --framing varint --length-offset 1 --varint-max-bytes 4 --frames "$LONG" c "$LONG" --cuts "$(cuts 12),303,304,305,306"
same gen-varint-offset "$C/varint-off.pcap" 8001 --framing varint --length-offset 1 --varint-max-bytes 4 -- \
	-o framecap.framing:varint -o framecap.length_offset:1 -o framecap.varint_max_bytes:4
gen ber.pcap --framing ber --frames x "$LONG" yy "$LONG" --cuts "$(cuts 12),304,305,306,307"
same gen-ber "$C/ber.pcap" 8001 --framing ber -- -o framecap.framing:ber
gen lines.pcap --framing delimiter --delimiter '\r\n' --frames PING "SET k v" "" "$LONG" OK --cuts "$(cuts 20),315,316,317"
same gen-delimiter "$C/lines.pcap" 8001 --framing delimiter --delimiter '\r\n' -- \
	-o framecap.framing:delimiter -o 'framecap.delimiter:\r\n'
gen nul.pcap --framing delimiter --delimiter '\0' --frames "SEND" "$LONG" "x" --cuts 1,2,3,4,5,6,100
same gen-delimiter-nul "$C/nul.pcap" 8001 --framing delimiter --delimiter '\0' -- \
	-o framecap.framing:delimiter -o 'framecap.delimiter:\x00'
gen fixed.pcap --framing fixed --frame-size 16 --frames aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb cccccccccccccccc --cuts "$(cuts 20),31,33"
same gen-fixed "$C/fixed.pcap" 8001 --framing fixed --frame-size 16 -- \
	-o framecap.framing:fixed -o framecap.frame_size:16
gen mask.pcap --raw 8000000568656c6c6f0000000361626380000000 --cuts 1,2,3,4,5,9,10,11,12,13 --length-mask 0x7fffffff --unsigned --byte-order big
same gen-length-mask "$C/mask.pcap" 8001 --length-mask 0x7fffffff --unsigned --byte-order big -- \
	-o framecap.length_mask:0x7fffffff -o framecap.signed:FALSE -o framecap.byte_order:big
# An AMQP-like literal prelude cut inside it, then frames of the profile.
gen amqp-cut.pcap --raw 414d51500000090101000100000003616263ce08000000000000ce --cuts 1,3,7,8,9,12,16,19
same gen-prelude-literal "$C/amqp-cut.pcap" 8001 --config "$Y" --profile amqp -- -o "framecap.config:$Y" -o framecap.profile:amqp
want_prelude gen-prelude-literal '^10\.0\.0\.1:40000>.* frames=3 prelude=1$' 1
# A PostgreSQL-like startup: an SSLRequest, a startup message, then 'Q'.
gen pg-cut.pcap --raw 0000000804d2162f0000000d00030000757365720051000000095345420000 --cuts 2,6,9,12,21,22,24
same gen-prelude-profile "$C/pg-cut.pcap" 8001 --config "$Y" --profile pg -- -o "framecap.config:$Y" -o framecap.profile:pg
want_prelude gen-prelude-profile '^10\.0\.0\.1:40000>.* frames=3 prelude=2$' 1
# A prelude step that does not apply is skipped: no SSLRequest, no literal.
gen pg-noprelude.pcap --raw 510000000953454c0000 --cuts 3
same gen-prelude-skipped "$C/pg-noprelude.pcap" 8001 --config "$Y" --profile pg -- -o "framecap.config:$Y" -o framecap.profile:pg
want_prelude gen-prelude-skipped '^10\.0\.0\.1:40000>.* frames=1 prelude=0$' 1

# ---- framing errors: expert infos in framecap's own words
# experr NAME CAP KIND CLI-OPTIONS... -- TSHARK-OPTIONS...
experr() {
	local name=$1 cap=$2 kind=$3 cli=() tsh=() want got
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cli+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	tsh=("$@")
	want=$(fc "${cli[@]}" -r "$cap" --json 2>&1 | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == sys.argv[1]:
        print(o["detail"]); break' "$kind")
	got=$(ts -r "$cap" "${tsh[@]}" -Y "framecap.$kind" -T fields -e _ws.expert.message 2>&1)
	if [ -n "$want" ] && grep -qF -- "$want" <<< "$got"; then
		ok "$name: expert framecap.$kind says \"$want\""
	else
		fail "$name: expert framecap.$kind" "framecap: $want"$'\n'"tshark: $got"
	fi
}
gen bad-varint.pcap --raw 026162ffffffff01 --cuts 4,6
experr varint-overlong "$C/bad-varint.pcap" varint_overlong --framing varint --varint-max-bytes 4 -- \
	-o framecap.framing:varint -o framecap.varint_max_bytes:4
gen bad-ber.pcap --raw 3003616263308000000000 --cuts 5,7
experr ber-indefinite "$C/bad-ber.pcap" ber_length --framing ber -- -o framecap.framing:ber
gen bad-line.pcap --raw "6f6b0a$(printf '79%.0s' $(seq 1 400))" --cuts 10,100,200,300
experr no-delimiter "$C/bad-line.pcap" no_delimiter --framing delimiter --delimiter '\n' --max-frame 64 -- \
	-o framecap.framing:delimiter -o 'framecap.delimiter:\n' -o framecap.max_frame:64

# Without TCP reassembly a frame that needs more bytes is shown as
# incomplete (get_pdu_len never asks for more then): no dissector bug.
for v in "varint.pcap -o framecap.framing:varint" "lines.pcap -o framecap.framing:delimiter -o framecap.delimiter:\\r\\n" \
	"amqp-cut.pcap -o framecap.config:$Y -o framecap.profile:amqp"; do
	set -- $v
	cap=$1; shift
	out=$(ts -r "$C/$cap" -o tcp.desegment_tcp_streams:FALSE "$@" -T fields -e framecap.error \
		-e _ws.malformed -e _ws.expert.message 2>&1)
	if [ $? -eq 0 ] && grep -q 'incomplete frame' <<< "$out" &&
	   ! grep -qiE 'dissector bug|malformed|assert' <<< "$out"; then
		ok "$cap without TCP reassembly: incomplete frames shown, no dissector bug"
	else
		fail "$cap without TCP reassembly" "$out"
	fi
done

# ---- bad preferences: a clear message, the default framing, no crash
# badpref NAME WANT-TEXT TSHARK-OPTIONS...
badpref() {
	local name=$1 want=$2 out rc
	shift 2
	out=$(ts -r "$C/varint.pcap" "$@" -T fields -e _ws.expert.message -e framecap.framing 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && grep -qF -- "$want" <<< "$out" && grep -q $'\tlength' <<< "$out"; then
		ok "bad preference $name: \"$want\", default framing used"
	else
		fail "bad preference $name (exit $rc)" "$out"
	fi
}
badpref varint_max_bytes "varint_max_bytes must be 1 to 10; the default framing is used" \
	-o framecap.framing:varint -o framecap.varint_max_bytes:11
badpref delimiter "framecap.delimiter '\\xZZ'" -o framecap.framing:delimiter -o 'framecap.delimiter:\xZZ'
badpref length_mask "framecap.length_mask 'lots'" -o framecap.length_mask:lots
badpref frame_size-without-fixed "framecap.frame_size needs framecap.framing fixed" -o framecap.frame_size:16

exit $bad
