#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# detect-accuracy.sh TMP - keeps the accuracy table of docs/detect.md true.
#
# For each row of the table (a capture of ../shared/protocols or captures/,
# a server port, the framing of the protocol's specification), run
# `framecap --detect`, decode the capture with `--config` of the printed
# YAML and with the specification's profile, and compare the frames cut on
# that port (stream, direction, offset, frame size; prelude frames, which
# the specification's profile has none of, left out):
#   exact   the same frames
#   differs --detect maps the port, to other frames
#   none    --detect maps nothing for the port
# The row's "now" column must say what is measured. The spec column is
# either six comma-separated values of a length field (below), or YAML
# profiles: `{...}` is the spec profile itself, `NAME={...}; {...}` adds a
# profile NAME that the spec profile's prelude names.
set -u
T=$1/detect-accuracy B=${B:-build}
SHARED=${FC_SHARED:-../shared}
mkdir -p "$T"
F=$B/framecap
bad=0
rows=$(sed -n '/^<!-- accuracy table -->/,/^<!-- end -->/p' docs/detect.md | grep '^| [a-z]' | grep -v '^| capture')
[ -n "$rows" ] || { echo "FAIL detect-accuracy: no table in docs/detect.md"; exit 1; }
while IFS='|' read -r _ file port proto spec before now _; do
	file=$(echo $file | tr -d '`'); port=$(echo $port); spec=$(echo "$spec" | tr -d '`' | sed 's/^ *//; s/ *$//'); now=$(echo $now)
	case $file in ref-*) path=captures/$file ;; *) path=$SHARED/protocols/$file ;; esac
	[ -f "$path" ] || { echo "FAIL detect-accuracy: $path not found (set FC_SHARED)"; bad=1; continue; }
	base=$T/${file%%.*}-$port
	[ -f "$base.yaml" ] || "$F" -r "$path" --detect > "$base.yaml" 2>&1
	case $spec in
	*"{"*) # YAML: [NAME={...}; ]{...}
		{
			echo "profiles:"
			rest=$spec
			while [[ $rest == *"; "* ]]; do
				def=${rest%%; *}; rest=${rest#*; }
				echo "  ${def%%=*}: ${def#*=}"
			done
			echo "  spec: $rest"
			printf 'ports:\n  %s: spec\n' "$port"
		} > "$base.spec.yaml" ;;
	*) # the spec framing: offset,size,order,signed,adjustment,header
		IFS=, read -r o s bo sg a h <<< "$spec"
		printf 'profiles:\n  spec: {length_offset: %s, length_size: %s, byte_order: %s, signed: %s, length_adjustment: %s, header_size: %s}\nports:\n  %s: spec\n' \
			"$o" "$s" "$bo" "$sg" "$a" "$h" "$port" > "$base.spec.yaml" ;;
	esac
	"$F" -r "$path" --config "$base.spec.yaml" --json > "$base.spec.jsonl" 2>/dev/null
	if grep -qE "^  $port: port_[0-9]+\$" "$base.yaml"; then
		"$F" -r "$path" --config "$base.yaml" --json > "$base.det.jsonl" 2>/dev/null
	else
		: > "$base.det.jsonl"
	fi
	got=$(python3 - "$base.spec.jsonl" "$base.det.jsonl" "$port" <<'PY'
import json, sys
def frames(path, port):
    out, anomalies = set(), 0
    for line in open(path):
        o = json.loads(line)
        ends = (o.get("src", ""), o.get("dst", ""))
        if not any(e.endswith(":" + port) for e in ends):
            continue
        if o.get("type") == "frame" and not o.get("prelude"):
            out.add((o["stream"], o["dir"], o["offset"], o["header_len"] + o["payload_len"]))
        elif o.get("type") == "anomaly":
            anomalies += 1
    return out, anomalies
spec, spec_anom = frames(sys.argv[1], sys.argv[3])
det, _ = frames(sys.argv[2], sys.argv[3])
if not det:
    print("none")
elif det == spec and spec:
    print("exact")
else:
    print("differs")
PY
)
	if [ "$got" = "$now" ]; then
		echo "ok   detect-accuracy: $file port $port ($proto): $got, as the table says"
	else
		echo "FAIL detect-accuracy: $file port $port ($proto): measured '$got', the table says '$now'"
		bad=1
	fi
done <<< "$rows"
exit $bad
