#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bounds.sh TMP - resource bounds with the default limits: a million SYNs,
# an out-of-order flood and a 2 GiB length (a full flow table: memory.sh)
# stay under 64 MiB of peak RSS, with the limits' work counted in the summary. Peak
# RSS is measured (GNU time) on the normal build, build/framecap:
# sanitizers change memory use.
# With B=build/san the same inputs also run through the sanitised build.
set -u
T=$1/bounds B=${B:-build}
mkdir -p "$T"
LIMIT_KB=$((64 * 1024))
bad=0
gen() { "$B"/fc-pcapgen "$@" > /dev/null || { echo "FAIL bounds: fc-pcapgen $*"; exit 1; }; }
# measure NAME JQ-CHECK -- framecap args: peak RSS and a check on the summary
measure() {
	local name=$1 check=$2; shift 3
	/usr/bin/time -f %M -o "$T/rss" build/framecap "$@" --json > "$T/out.jsonl" 2> "$T/err"
	local rc=$? rss
	rss=$(tail -1 "$T/rss")
	if [ $rc -ne 0 ]; then
		echo "FAIL bounds: $name: exit $rc: $(cat "$T/err")"; bad=1; return
	fi
	if [ "$rss" -ge $LIMIT_KB ]; then
		echo "FAIL bounds: $name: peak RSS $rss KiB >= 64 MiB"; bad=1; return
	fi
	if ! python3 -c "import json,sys; s=json.loads(open(sys.argv[1]).readlines()[-1]); sys.exit(0 if ($check) else 1)" "$T/out.jsonl"; then
		echo "FAIL bounds: $name: summary check failed: $check: $(tail -1 "$T/out.jsonl")"; bad=1; return
	fi
	echo "ok   bounds: $name (peak RSS $((rss / 1024)) MiB)"
	if [ "$B" != build ]; then # the sanitised build on the same input
		"$B"/framecap "$@" --json > /dev/null 2> "$T/err" ||
			{ echo "FAIL bounds: $name under $B: $(tail -5 "$T/err")"; bad=1; }
	fi
}

gen syn-flood "$T/syn.pcap" 1000000
measure "1,000,000 SYNs: flows evicted, table capped" \
	's["streams"] == 1000000 and s["flows_evicted"] == 950000 and s["live_flows_peak"] == 50000' \
	-- -r "$T/syn.pcap"
rm -f "$T/syn.pcap"

# The flow table full (the default --max-flows, 50,000) of streams that
# all carry data, the most a stream's state can cost at once, is
# memory.sh's: it runs the same capture.

gen ooo-flood "$T/ooo.pcap" 50000
measure "out-of-order flood: hole given up, buffer capped" \
	's["ooo_forced_gaps"] >= 1 and s["anomaly_kinds"].get("gap") == 1 and 0 < s["ooo_peak_bytes"] <= 1048576' \
	-- -r "$T/ooo.pcap"
measure "out-of-order flood, --max-ooo 262144" \
	's["ooo_forced_gaps"] >= 1 and 0 < s["ooo_peak_bytes"] <= 262144' \
	-- -r "$T/ooo.pcap" --max-ooo 262144
rm -f "$T/ooo.pcap"

# 0x7FFFFFF0 accepted as a length: nothing of that size may be allocated,
# even when asked to keep every payload byte.
measure "2 GiB length with --payload-bytes all" \
	's["anomaly_kinds"].get("truncated") == 1 and s["frames"] == 0' \
	-- -r captures/oversize.pcap --max-frame 4294967296 --payload-bytes all
exit $bad
