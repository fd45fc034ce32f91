#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# update-expected.sh [NAME...] - rewrite tests/expected/ for the named
# TESTLIST (and TESTLIST-*) cases (all when none is named) from what framecap prints now.
# Review the diff before committing: this is how expected output changes.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
make -s "$B/framecap"
while read -r name capture expected opts; do
	case "$name" in ''|\#*) continue ;; esac
	if [ $# -gt 0 ]; then
		want=0; for n in "$@"; do [ "$n" = "$name" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	# shellcheck disable=SC2086
	{ "$B"/framecap -r "captures/$capture" $opts 2>/dev/null; echo "exit $?"; } > "tests/expected/$expected"
	echo "updated tests/expected/$expected"
done < <(cat tests/TESTLIST tests/TESTLIST-* 2>/dev/null)
