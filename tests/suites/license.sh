#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# license.sh - the license is stated once (LICENSE, GPL-2.0) and every
# source, script, build and man page file names it in an SPDX line near its
# top, as the README says.
set -u
cd "$(dirname "$0")/../.."
bad=0
if grep -q "GNU GENERAL PUBLIC LICENSE" LICENSE 2>/dev/null && grep -q "Version 2, June 1991" LICENSE; then
	echo "ok   license: LICENSE holds the GPL, version 2"
else
	echo "FAIL license: LICENSE is missing or not the GPL version 2"; bad=1
fi
missing=$(find src dissector tests .ci docs Makefile \
	\( -path tests/expected -o -path tests/fuzz/seeds \) -prune -o -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.mk' \
	   -o -name '*.1' -o -name Makefile -o -path .ci/run \) -print |
	while read -r f; do
		head -3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' || echo "$f"
	done)
n=$(find src dissector tests .ci docs Makefile -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' \
	-o -name '*.py' -o -name '*.mk' -o -name '*.1' -o -name Makefile \) | wc -l)
if [ -z "$missing" ] && [ "$n" -gt 50 ]; then
	echo "ok   license: all $n source, script, build and man page files carry the SPDX line"
else
	echo "FAIL license: no SPDX line in:"; printf '%s\n' "$missing" | sed 's/^/     /'; bad=1
fi
exit $bad
