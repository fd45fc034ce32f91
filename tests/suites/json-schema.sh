#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# json-schema.sh - every --json line of every capture in captures/ and
# ../shared/protocols holds the fields docs/framecap.1 (JSON Lines)
# promises for its type and, for anomalies, for its kind; the numbers a detail sentence quotes are the
# fields' values; the summary carries the schema version.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
TMP=${1:-$(mktemp -d)}
mkdir -p "$TMP"
status=0
SHARED=${FC_SHARED:-../shared}
# The project's captures, and real protocols from other projects' suites
# (decoded with the default profile: anomalies of every kind).
for cap in captures/*.pcap captures/*.pcapng "$SHARED"/protocols/*.pcap "$SHARED"/protocols/*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap")
	"$B"/framecap -r "$cap" --json > "$TMP/schema.json" 2> /dev/null
	if out=$(python3 - "$TMP/schema.json" <<'PY' 2>&1
import json, sys

COMMON = {"stream", "src", "dst", "dir"}
FRAME = COMMON | {"index", "offset", "header_len", "length", "payload_len", "packets",
                  "split", "sticky", "ts", "payload_hex"}
ANOMALY = COMMON | {"offset", "packet", "kind", "detail"}
# Only packets that brought no new bytes are segment records.
SEGMENT = COMMON | {"packet", "ts", "offset", "len", "retransmission", "new_bytes", "repeated"}
KIND = {
    "gap": {"missing", "reason", "hit"},
    "resync": {"evidence"},
    "oversize": {"frame", "length", "max_frame"},
    "negative": {"frame", "length", "below_header"},
    "truncated": {"frame", "end", "in_header", "arrived", "expected"},
    "incomplete": {"frame", "end", "in_header", "arrived", "expected"},
    "retransmit_conflict": {"bytes"},
    "ascii_length_suspect": {"frame", "field_text", "value"},
    "endian_suspect": {"frame", "byte_order", "length"},
    "zero_run": {"frame", "count"},
    "unframed": {"bytes"},
    "adjustment_suspect": {"length_adjustment", "frames", "at_stream_end"},
    "short_frame": {"frame", "promised", "carried"},
    "delimiter_in_payload_suspect": {"frame", "first_frame", "frames", "joined_len",
                                     "messages", "delimiter_at"},
    "midstream": set(),
}
# Numbers each kind's sentence must quote, from its own fields.
QUOTED = {
    "gap": ["missing"], "oversize": ["length", "max_frame"], "negative": ["length"],
    "truncated": ["arrived", "expected"], "incomplete": ["arrived", "expected"],
    "retransmit_conflict": ["bytes", "offset"], "ascii_length_suspect": ["value"],
    "endian_suspect": ["length"], "unframed": ["bytes"],
    "adjustment_suspect": ["length_adjustment", "frames"],
    "short_frame": ["promised", "carried"],
    "delimiter_in_payload_suspect": ["first_frame", "joined_len", "messages"],
}
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no output"
objs = [json.loads(l) for l in lines]
assert objs[-1]["type"] == "summary" and objs[-1]["version"] == 1, "summary/version"
assert sum(o["type"] == "summary" for o in objs) == 1
kinds = {}
retx = 0
for i, o in enumerate(objs[:-1]):
    t = o["type"]
    if t == "frame":
        missing = FRAME - o.keys()
    elif t == "segment":
        missing = SEGMENT - o.keys()
        assert o["retransmission"] is True and o["new_bytes"] == 0 and o["repeated"] == o["len"] > 0, o
        # Its conflict, if any, is the next line: the same packet's finding.
        nxt = objs[i + 1]
        conflict = (nxt["type"] == "anomaly" and nxt["kind"] == "retransmit_conflict"
                    and nxt["packet"] == o["packet"])
        assert o.get("conflict", False) == conflict, (o, nxt)
        retx += 1
    elif t == "anomaly":
        k = o["kind"]
        missing = (ANOMALY | KIND[k]) - o.keys()
        for f in QUOTED.get(k, []):
            assert str(o[f]) in o["detail"], (k, f, o)
        if "frame" in o and k not in ("resync",):
            assert "#%d" % o["frame"] in o["detail"] or k in ("adjustment_suspect", "ascii_length_suspect", "endian_suspect", "gap"), o
        kinds[k] = kinds.get(k, 0) + 1
    else:
        raise AssertionError("type " + t)
    assert not missing, (t, sorted(missing), o)
assert kinds == objs[-1]["anomaly_kinds"], (kinds, objs[-1]["anomaly_kinds"])
print("%d anomalies, %d retransmissions" % (sum(kinds.values()), retx))
PY
	); then
		echo "ok   json schema: $name ($out)"
	else
		echo "FAIL json schema: $name"; printf '%s\n' "$out" | tail -5 | sed 's/^/     /'
		status=1
	fi
done
exit $status
