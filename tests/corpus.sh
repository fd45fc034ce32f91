#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# corpus.sh FRAMECAP CORPUS TMP - every shared capture, text and JSON: no
# crash, no hang; exit 0, or exit 1 with a "framecap: FILE: ..." line.
set -u
F=$1 C=$2 TMP=$3
n=0 bad=0 unreadable=0
while IFS= read -r -d '' file; do
	for mode in text json; do
		args=(-r "$file"); [ $mode = json ] && args+=(--json)
		timeout 60 "$F" "${args[@]}" > "$TMP/c.out" 2> "$TMP/c.err"
		rc=$?
		n=$((n + 1))
		case $rc in
		0) ;;
		1) grep -q "^framecap: $file: " "$TMP/c.err" || { echo "exit 1 without a clear message: $file"; bad=1; }
		   [ $mode = text ] && unreadable=$((unreadable + 1)) ;;
		124) echo "HANG (60 s): $file ($mode)"; bad=1 ;;
		*) echo "exit $rc: $file ($mode): $(tail -2 "$TMP/c.err")"; bad=1 ;;
		esac
		if [ $mode = json ] && [ $rc -eq 0 ]; then
			python3 -c 'import json,sys
objs=[json.loads(l) for l in open(sys.argv[1])]
assert objs and objs[-1]["type"]=="summary"' "$TMP/c.out" 2>/dev/null ||
				{ echo "bad JSON Lines: $file"; bad=1; }
		fi
	done
done < <(find "$C" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
echo "$((n / 2)) files in text and JSON, $unreadable refused with a clear error"
exit $bad
