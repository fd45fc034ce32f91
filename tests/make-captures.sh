#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-captures.sh - regenerate captures/ on purpose (then review the diffs
# of tests/expected/ with tests/update-expected.sh).
#   synthetic: build/fc-pcapgen writes one file per scenario (deterministic)
#   live:      fc-talk traffic captured on lo by framecap -w (needs root)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s "$B/fc-pcapgen" "$B/fc-talk" "$B/framecap"
for s in basic sticky split ooo retrans overlap gap midstream wrap reuse rst \
         oversize negative vlan snaplen ipv6 sll2 null raw padding many zero bigframe \
         diag-adjust diag-short diag-ascii diag-zeros; do
	"$B"/fc-pcapgen "$s" "captures/$s.pcap"
done
# The other framings (fc-pcapgen's scenarios through another frame rule;
# the options are repeated in tests/TESTLIST).
MQTT='--framing varint --length-offset 1 --varint-max-bytes 4'
LINES='--framing delimiter --delimiter \r\n'
"$B"/fc-pcapgen sticky captures/framing-varint-sticky.pcap $MQTT
"$B"/fc-pcapgen split captures/framing-varint-split.pcap $MQTT
"$B"/fc-pcapgen sticky captures/framing-ber-sticky.pcap --framing ber
"$B"/fc-pcapgen split captures/framing-lines-split.pcap $LINES
"$B"/fc-pcapgen gap captures/framing-lines-gap.pcap $LINES
"$B"/fc-pcapgen gap captures/framing-fixed-gap.pcap --framing fixed --frame-size 8
# An AMQP-like stream: the 8-byte protocol header (a prelude), then frames
# (on framecap's port, not AMQP's: Wireshark's own dissector would claim it
# in the plugin's tests).
"$B"/fc-pcapgen frames captures/framing-prelude-amqp.pcap \
	--raw 414d51500000090101000000000004aabbccddce0100010000000568656c6c6fce \
	--cuts 3,8,20
# Lines written with "\n" where "\r\n" is expected (delimiter_suspect).
"$B"/fc-pcapgen frames captures/framing-bare-lf.pcap \
	--raw "$(printf 'SET a 1\nGET a\nINCR n\nPING\n' | od -An -tx1 | tr -d ' \n')"
# JSON lines, one message holding "\r\n" in a string and cut across
# segments (delimiter_in_payload_suspect).
"$B"/fc-pcapgen frames captures/framing-json-crlf.pcap --cuts 5,30,52 \
	--raw "$(printf '{"id":1,"text":"one"}\r\n{"id":2,"text":"two\r\nlines"}\r\n{"id":3,"text":"x"}\r\n' |
		od -An -tx1 | tr -d ' \n')"
if [ "$(id -u)" = 0 ]; then
	tmp=$(mktemp -d)
	tests/live.sh "$B" "$tmp" > /dev/null
	cp "$tmp/live.pcap" captures/live-talk.pcap
	rm -rf "$tmp"
else
	echo "make-captures: not root, captures/live-talk.pcap left as it is" >&2
fi
ls -l captures
