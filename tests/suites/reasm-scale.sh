#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reasm-scale.sh TMP - out-of-order reassembly costs O(log pieces) per
# segment, whatever the order: hostile captures of 1-byte segments behind
# a hole that is never filled (fc-pcapgen ooo-tiny: each after the last;
# ooo-stride: scattered inside what is buffered) run within a generous
# time bound, and the piece cap gives up the hole as a forced gap.
#
# The bounds are about 50 times what these runs take (0.1 to 0.3 s): they
# only catch a return of the quadratic walk, which took 23 s for 100,000
# scattered segments and minutes for buffers of a few hundred thousand.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
T=${1:?usage: reasm-scale.sh TMP}/reasm-scale
LIMIT_S=10
mkdir -p "$T"
bad=0

# run NAME CHECK -- framecap options: within LIMIT_S, summary passes CHECK
run() {
	local name=$1 check=$2 t0 t1 ms
	shift 3
	t0=$(date +%s%N)
	timeout $((LIMIT_S * 3)) "$B"/framecap "$@" --json > "$T/out.jsonl" 2> "$T/err"
	local rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	if [ $rc -ne 0 ]; then
		echo "FAIL reasm-scale: $name: exit $rc: $(head -3 "$T/err")"; bad=1
	elif [ $ms -gt $((LIMIT_S * 1000)) ]; then
		echo "FAIL reasm-scale: $name: $ms ms, over the ${LIMIT_S} s bound"; bad=1
	elif ! python3 -c "import json,sys; s=json.loads(open(sys.argv[1]).readlines()[-1]); sys.exit(0 if ($check) else 1)" "$T/out.jsonl"; then
		echo "FAIL reasm-scale: $name: summary check failed: $check: $(tail -1 "$T/out.jsonl")"; bad=1
	else
		echo "ok   reasm-scale: $name ($ms ms)"
	fi
}

"$B"/fc-pcapgen ooo-tiny "$T/tiny.pcap" 300000 > /dev/null &&
"$B"/fc-pcapgen ooo-stride "$T/stride.pcap" 200000 > /dev/null ||
	{ echo "FAIL reasm-scale: fc-pcapgen"; exit 1; }

run "300,000 1-byte segments behind a hole, default limits" \
	's["bytes"] == 300000 and s["ooo_forced_gaps"] >= 1 and s["anomaly_kinds"].get("gap") == 1' \
	-- -r "$T/tiny.pcap"
run "300,000 1-byte segments all buffered (--max-ooo 32M, 1M pieces)" \
	's["bytes"] == 300000 and s["ooo_forced_gaps"] == 0 and s["ooo_peak_bytes"] > 300000' \
	-- -r "$T/tiny.pcap" --max-ooo 33554432 --max-ooo-pieces 1000000
run "200,000 scattered 1-byte segments all buffered" \
	's["bytes"] == 200000 and s["ooo_forced_gaps"] == 0 and s["retransmitted_bytes"] == 0' \
	-- -r "$T/stride.pcap" --max-ooo 33554432 --max-ooo-pieces 1000000
run "200,000 scattered 1-byte segments, default limits" \
	's["ooo_forced_gaps"] >= 1 and 0 < s["ooo_peak_bytes"] <= 1048576' \
	-- -r "$T/stride.pcap"
# Copies of bytes already delivered or buffered: each is one retransmission
# record and one text line, with no memory kept for it (the run's peak
# stays within 32 MiB, a few times what one small stream takes).
"$B"/fc-pcapgen dup-flood "$T/dup.pcap" 100000 > /dev/null || { echo "FAIL reasm-scale: fc-pcapgen dup-flood"; exit 1; }
run "100,000 copies of a delivered segment and 100,001 of a buffered one" \
	's["frames"] == 3 and s["retransmitted_bytes"] == 200001 * 16 and s["packets"] == 200011' \
	-- -r "$T/dup.pcap"
segs=$(grep -c '"type":"segment".*"retransmission":true,"new_bytes":0' "$T/out.jsonl")
read -r lines kb < <(python3 -c '
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE).stdout
print(out.count(b"\n"), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
	"$B"/framecap -r "$T/dup.pcap" --color=never)
if [ "$segs" = 200001 ] && [ "$lines" -le 200011 ] && [ "$kb" -lt 32768 ]; then
	echo "ok   reasm-scale: 200,001 duplicates: 200,001 JSON segment records, $lines text lines, peak $kb KiB"
else
	echo "FAIL reasm-scale: duplicates: $segs JSON segment records (want 200001), $lines text lines (at most 200011), peak $kb KiB (under 32768)"
	bad=1
fi
# Bytes to spare, pieces not: the piece cap forces the gaps.
run "the piece cap (--max-ooo 32M --max-ooo-pieces 1000): forced gaps" \
	's["ooo_forced_gaps"] >= 1 and s["ooo_peak_bytes"] < 1000 * 100' \
	-- -r "$T/stride.pcap" --max-ooo 33554432 --max-ooo-pieces 1000
rm -rf "$T"
exit $bad
