#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# diagnose.sh TMP - every diagnosis is produced where its bug is (on the
# reference client's --bug capture and on a capture it did not make), and
# no diagnosis is produced where there is no bug: the clean captures in
# captures/ and real DNS-over-TCP and TLS traffic from the shared corpus,
# each read with the profile of its protocol; delimiter_in_payload_suspect
# on every capture here and in ../shared read as lines, right or wrong.
# Ends with live traffic: --detect, and the delimiter inside a payload.
set -u
T=$1/diagnose B=${B:-build}
SHARED=${FC_SHARED:-../shared}
mkdir -p "$T"
F=$B/framecap
. "$(dirname "$0")/../lib.sh" # wait_capturing

# anomalies CAPTURE [options...]: one "kind<TAB>detail" line per anomaly
anomalies() {
	local cap=$1; shift
	"$F" -r "$cap" --json "$@" 2> "$T/err" | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o.get("type") == "anomaly":
        print("%s\t%s" % (o["kind"], o["detail"]))'
}

# produced KIND DETAIL-FRAGMENT CAPTURE [options...]
produced() {
	local kind=$1 want=$2 cap=$3; shift 3
	local got
	got=$(anomalies "$cap" "$@")
	if printf '%s\n' "$got" | grep -q "^$kind	.*$want"; then
		echo "ok   diagnose: $kind on $(basename "$cap")${*:+ ($*)}"
	else
		echo "FAIL diagnose: $kind ('$want') not on $(basename "$cap") $*:"
		printf '%s\n' "$got" | sed 's/^/     /'
		bad=1
	fi
}

C=captures
#        kind                  detail fragment             capture                          options
produced ascii_length_suspect  'reads "12ki"'              $C/ref-bug-ascii-length.pcap
produced ascii_length_suspect  'reads "15ho"'              $C/diag-ascii.pcap
produced endian_suspect        '--byte-order big'          $C/ref-bug-big-endian.pcap
produced endian_suspect        '--byte-order little'       $C/basic.pcap                   --byte-order big
produced adjustment_suspect    'length_adjustment -4'      $C/ref-bug-includes-header.pcap
produced adjustment_suspect    'length_adjustment -4'      $C/diag-adjust.pcap
produced short_frame           'promised more'             $C/ref-bug-short.pcap
produced short_frame           'promised less'             $C/ref-bug-chars.pcap
produced short_frame           'probably carried 30'       $C/diag-short.pcap
produced short_frame           'probably carried 20'       $C/diag-short.pcap
produced oversize              'exceeds max_frame'         $C/ref-bug-no-header.pcap
produced oversize              'exceeds max_frame'         $C/oversize.pcap
produced negative              'is negative'               $C/ref-bug-negative.pcap
produced negative              'is negative'               $C/negative.pcap
produced zero_run              'whose length reads 0'      $C/ref-bug-zeros.pcap
produced zero_run              'whose length reads 0'      $C/diag-zeros.pcap
produced unframed              'not one frame'             $C/ref-bug-no-header.pcap
produced unframed              'not one frame'             "$SHARED/corpus/tcp/http-request-header-async-cli.pcap" port 80
produced truncated             'closed by FIN'             $C/ref-bug-includes-header.pcap
produced truncated             'reset by RST'              $C/rst.pcap
produced gap                   'acknowledged by the peer'  $C/ref-gap.pcap
produced gap                   'acknowledged by the peer'  $C/gap.pcap
produced midstream             'inside the connection'     $C/ref-midstream.pcap
produced midstream             'inside the connection'     $C/midstream.pcap
produced resync                'skipped bytes'             $C/gap.pcap
produced midstream             'decoding starts here'      $C/ref-midstream.pcap
produced midstream             'starts after 10 skipped'   $C/midstream.pcap
LINES=(--framing delimiter --delimiter '\r\n')
produced delimiter_in_payload_suspect 'frames #0 to #3 only joined make one JSON message of 43 B' \
	$C/ref-bug-delimiter-in-payload.pcap "${LINES[@]}"
produced delimiter_in_payload_suspect 'a string in it holds "\\r\\n"' \
	$C/framing-json-crlf.pcap "${LINES[@]}"

# ---- no false alarm
# (retrans.pcap is left out: its conflicting retransmission is deliberate.)
DIAG='^(ascii_length_suspect|endian_suspect|adjustment_suspect|short_frame|zero_run|unframed|oversize|negative|retransmit_conflict)	'
# clean NAME CAPTURE MIN-FRAMES [options...]: frames decode, no diagnosis
clean() {
	local name=$1 cap=$2 min=$3; shift 3
	local got frames
	got=$(anomalies "$cap" "$@")
	frames=$("$F" -r "$cap" --json "$@" 2>/dev/null | tail -1 |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["frames"])')
	if [ ! -f "$cap" ]; then
		echo "FAIL diagnose: $cap not found (set FC_SHARED)"; bad=1
	elif printf '%s\n' "$got" | grep -Eq "$DIAG" || [ "${frames:-0}" -lt "$min" ]; then
		echo "FAIL diagnose: false alarm or no frames on $name ($frames frames):"
		printf '%s\n' "$got" | sed 's/^/     /'
		bad=1
	else
		echo "ok   diagnose: no false alarm on $name ($frames frames${got:+; facts: $(printf '%s\n' "$got" | cut -f1 | sort | uniq -c | xargs)})"
	fi
}
for c in basic sticky split ooo overlap wrap reuse vlan ipv6 sll2 null raw padding many \
         bigframe live-talk ref-framed ref-upload ref-many ref-burst ref-drip ref-chunk ref-sizes ref-ooo; do
	clean "$c.pcap" "$C/$c.pcap" 1
done
DNS=(--length-size 2 --byte-order big --unsigned)
TLS=(--length-offset 3 --length-size 2 --byte-order big --unsigned --header-size 5 --max-frame 18432)
clean "DNS over TCP (corpus, FDDI)" "$SHARED/corpus/linktypes/dns-inverse-query.pcap" 2 "${DNS[@]}"
clean "TLS, 40 connections with RSTs (corpus)" "$SHARED/corpus/tcp/sv-tls-subjectaltname_input.pcap" 600 "${TLS[@]}" port 443
clean "TLS over SLL2 (corpus)" "$SHARED/corpus/linktypes/openjdk-25.0.2-zeek.org.pcap" 4 "${TLS[@]}"
clean "TLS over raw IPv4 (corpus)" "$SHARED/corpus/linktypes/flow-test-01.pcap" 2 "${TLS[@]}"
clean "TLS with TCP Fast Open (corpus)" "$SHARED/corpus/tcp/tlpw-tcp-tfo-data-on-syn-nack.pcap" 18 "${TLS[@]}"
clean "TLS, tcp-opt (corpus)" "$SHARED/corpus/linktypes/tcp-opt.pcap" 1 "${TLS[@]}" port 443

# No message cut by its delimiter anywhere else: every capture of
# captures/ and ../shared read as "\r\n", "\n" or "\0" lines (SMTP,
# Redis, IRC, POP3, FTP, HTTP, and binary protocols read wrongly).
runs=0 hits=
while IFS= read -r cap; do
	case $cap in */ref-bug-delimiter-in-payload.pcap|*/framing-json-crlf.pcap) continue ;; esac
	for dl in '\r\n' '\n' '\0'; do
		runs=$((runs + 1))
		"$F" -r "$cap" --json --framing delimiter --delimiter "$dl" 2>/dev/null |
			grep -q '"kind":"delimiter_in_payload_suspect"' && hits="$hits $(basename "$cap") ($dl)"
	done
done < <(find "$C" "$SHARED/protocols" "$SHARED/corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
if [ -z "$hits" ] && [ "$runs" -ge 600 ]; then
	echo "ok   diagnose: no delimiter_in_payload_suspect in $runs runs (every capture read as lines)"
else
	echo "FAIL diagnose: delimiter_in_payload_suspect where no message holds the delimiter ($runs runs):$hits"
	bad=1
fi

# ---- --detect on live traffic: framecap -i lo --detect while the
# reference client sends 2-byte big-endian frames; the YAML it prints
# decodes a capture of the same traffic.
if [ "$(id -u)" != 0 ]; then
	echo "FAIL diagnose: detect live needs root (capture on lo)"; bad=1
else
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$B"/framecap-server -l "127.0.0.1:$port" --mode echo --length-size 2 --byte-order big --unsigned \
		> "$T/server.log" 2>&1 &
	spid=$!
	"$F" -i lo --detect -w "$T/live.pcap" "tcp port $port" > "$T/live.yaml" 2> "$T/live.err" &
	fpid=$!
	wait_capturing "$fpid"
	"$B"/framecap-client -c "127.0.0.1:$port" --length-size 2 --byte-order big --unsigned \
		--size 5-300 --count 40 --seed 3 > "$T/client.log" 2>&1
	sleep 0.5
	kill -INT $fpid; wait $fpid
	kill -TERM $spid; wait $spid 2>/dev/null
	out=
	if grep -qF "port_$port: {length_offset: 0, length_size: 2, byte_order: big" "$T/live.yaml" &&
	   out=$("$F" -r "$T/live.pcap" --config "$T/live.yaml" --json | tail -1) &&
	   python3 -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if s["frames"]==80 and s["anomalies"]==0 else 1)' "$out"; then
		echo "ok   diagnose: detect live: 2-byte big-endian found on lo; its YAML decodes all 80 frames"
	else
		echo "FAIL diagnose: detect live:"; sed 's/^/     /' "$T/live.yaml" "$T/live.err"; echo "     $out"; bad=1
	fi
fi

# ---- live: the reference client's JSON messages, the first pretty-printed
# over "\r\n" lines, captured on lo by framecap --json as they go.
if [ "$(id -u)" = 0 ]; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$B"/framecap-server -l "127.0.0.1:$port" "${LINES[@]}" > "$T/dl-server.log" 2>&1 &
	spid=$!
	"$F" -i lo --json "${LINES[@]}" "tcp port $port" > "$T/dl-live.json" 2> "$T/dl-live.err" &
	fpid=$!
	wait_capturing "$fpid"
	"$B"/framecap-client -c "127.0.0.1:$port" "${LINES[@]}" --bug delimiter-in-payload \
		--delay 30 --nodelay "hello world" two three > "$T/dl-client.log" 2>&1
	sleep 0.5
	kill -INT $fpid; wait $fpid
	kill -TERM $spid; wait $spid 2>/dev/null
	# c2s, and s2c where the server echoes the same lines back
	got=$(grep -c '"kind":"delimiter_in_payload_suspect".*"first_frame":0,"frames":4,"joined_len":42' "$T/dl-live.json")
	if [ "$got" = 2 ]; then
		echo "ok   diagnose: live: delimiter_in_payload_suspect on the client's pretty-printed JSON, both directions"
	else
		echo "FAIL diagnose: live delimiter_in_payload_suspect: $got of 2:"
		sed 's/^/     /' "$T/dl-live.json" "$T/dl-live.err" "$T/dl-client.log" | head -40
		bad=1
	fi
fi
exit $bad
