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
if [ "$(id -u)" = 0 ]; then
	tmp=$(mktemp -d)
	tests/live.sh "$B" "$tmp" > /dev/null
	cp "$tmp/live.pcap" captures/live-talk.pcap
	rm -rf "$tmp"
else
	echo "make-captures: not root, captures/live-talk.pcap left as it is" >&2
fi
ls -l captures
