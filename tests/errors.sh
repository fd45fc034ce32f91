#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# errors.sh FRAMECAP TMP - bad input gets one clear line on stderr and the
# documented exit status (1: input, 2: usage/filter/profile/config).
set -u
F=$1 TMP=$2
bad=0
expect() { # expect STATUS STDERR-PATTERN -- ARGS...
	local want=$1 pattern=$2; shift 3
	"$F" "$@" > "$TMP/e.out" 2> "$TMP/e.err"
	local got=$?
	if [ "$got" -ne "$want" ] || ! grep -qE "$pattern" "$TMP/e.err"; then
		echo "framecap $*: exit $got (want $want), stderr: $(cat "$TMP/e.err")"
		bad=1
	fi
}
printf 'this is not a capture file, just text\n' > "$TMP/text.pcap"
head -c 100 captures/basic.pcap > "$TMP/cut.pcap"
cat > "$TMP/bad.yaml" <<'Y'
profiles:
  tutorial: {length_size: 4, byte_order: little
ports:
Y
cat > "$TMP/nine.yaml" <<'Y'
profiles:
  wide:
    length_size: 9
Y
cat > "$TMP/unknown.yaml" <<'Y'
profiles:
  p: {length_size: 2, colour: blue}
Y

expect 1 "^framecap: $TMP/missing.pcap: .*No such file" -- -r "$TMP/missing.pcap"
expect 1 "^framecap: $TMP/text.pcap: .*(unknown file format|bad dump file)" -- -r "$TMP/text.pcap"
expect 1 "^framecap: $TMP/cut.pcap: truncated" -- -r "$TMP/cut.pcap"
expect 2 "^framecap: bad filter expression 'port nonsense'" -- -r captures/basic.pcap port nonsense
expect 2 "^framecap: $TMP/bad.yaml:3:6: did not find expected" -- -r captures/basic.pcap --config "$TMP/bad.yaml"
expect 2 "^framecap: $TMP/nine.yaml:3:18: .*length_size must be 1 to 8" -- -r captures/basic.pcap --config "$TMP/nine.yaml"
expect 2 "^framecap: $TMP/unknown.yaml:2:23: profile .p.: unknown field .colour." -- -r captures/basic.pcap --config "$TMP/unknown.yaml"
expect 2 "^framecap: $TMP/none.yaml: .*No such file" -- -r captures/basic.pcap --config "$TMP/none.yaml"
expect 2 "^framecap: framing options: length_size must be 1 to 8" -- -r captures/basic.pcap --length-size 9
expect 2 "^framecap: framing options: header_size is shorter" -- -r captures/basic.pcap --length-size 4 --header-size 2
expect 2 "^framecap: --byte-order middle: " -- -r captures/basic.pcap --byte-order middle
expect 2 "^framecap: --profile nope: no such profile" -- -r captures/basic.pcap --profile nope
expect 2 "usage: framecap" -- --no-such-option
expect 2 "usage: framecap" --
expect 1 "^framecap: no-such-if0: " -- -i no-such-if0
expect 2 "^framecap: --explain nope: no such anomaly; kinds: gap midstream" -- --explain nope

# Every anomaly kind has its explanation.
for kind in gap midstream resync oversize negative truncated incomplete retransmit_conflict \
            ascii_length_suspect endian_suspect zero_run unframed; do
	out=$("$F" --explain "$kind" 2>&1) && [ "$(printf '%s\n' "$out" | head -1)" = "$kind" ] &&
		[ "$(printf '%s\n' "$out" | wc -w)" -gt 20 ] || { echo "--explain $kind: $out"; bad=1; }
done

# A truncated file still prints what was decoded before the cut.
"$F" -r "$TMP/cut.pcap" --json > "$TMP/e.out" 2>/dev/null
tail -1 "$TMP/e.out" | grep -q '"type":"summary"' || { echo "no summary after a truncated file"; bad=1; }
exit $bad
