#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# write-errors.sh TMP - the text and JSON views of a large file (100,000
# frames, megabytes of output) when standard output fails or waits:
#   - /dev/full: the message, exit 1, and reading stops soon after the
#     first failed write (the -w copy holds only the records read);
#   - a pipe closed early: exit 141 and nothing on stderr, SIGPIPE
#     default and ignored;
#   - a reader that holds the output back (a FIFO not read for a while):
#     framecap waits on one thread, then writes everything, exit 0;
#   - SIGINT while the output waits: the summary still comes last, exit
#     130, the message on stderr.
# (hardening.sh checks the same errors on a small capture.)
set -u
SUITE=write-errors
. "$(dirname "$0")/../lib.sh"
suite_tmp "$1" write-errors framecap fc-pcapgen

"$B"/fc-pcapgen bench-small "$T/small.pcap" 100000 > /dev/null || { fail "fc-pcapgen"; exit 1; }
size=$(stat -c %s "$T/small.pcap")

# 1. /dev/full: the message, exit 1, and reading stopped soon (the -w
# copy holds the records fed, far fewer than the file's). A pipe closed
# early: killed by SIGPIPE (141), or with SIGPIPE ignored a silent exit
# 141.
for view in --json --color=never; do
	# shellcheck disable=SC2086
	"$B"/framecap -r "$T/small.pcap" $view -w "$T/w.pcap" > /dev/full 2> "$T/full.err"
	rc=$?
	copied=$(stat -c %s "$T/w.pcap")
	if [ $rc -eq 1 ] && [ "$(cat "$T/full.err")" = "framecap: standard output: No space left on device" ] &&
	   [ "$copied" -lt $((size / 4)) ]; then
		ok "$view > /dev/full: exit 1, the message, reading stopped after $((copied * 100 / size))% of the file"
	else
		fail "$view > /dev/full: exit $rc, $copied of $size bytes read" "$(cat "$T/full.err")"
	fi
	"$B"/framecap -r "$T/small.pcap" $view 2> "$T/pipe.err" | head -c 100 > "$T/head"
	rc=${PIPESTATUS[0]}
	(trap '' PIPE; "$B"/framecap -r "$T/small.pcap" $view 2> "$T/pipe2.err" |
		head -c 100 > /dev/null; exit "${PIPESTATUS[0]}")
	rc2=$?
	if [ $rc -eq 141 ] && [ $rc2 -eq 141 ] && [ ! -s "$T/pipe.err" ] && [ ! -s "$T/pipe2.err" ] &&
	   [ "$(stat -c %s "$T/head")" -eq 100 ]; then
		ok "$view | head -c 100: exit 141, nothing on stderr (SIGPIPE default and ignored)"
	else
		fail "$view | head -c 100: exit $rc and $rc2" "$(cat "$T/pipe.err" "$T/pipe2.err")"
	fi
done

# 2. The output held back: framecap's threads while its output waits on
# a full FIFO (the main thread writes itself: no writer thread; a file
# read in place: no reader thread either, only pcap_map's mapper, which
# maps windows and reads nothing), then the rest read out: every frame,
# the summary last, exit 0.
mkfifo "$T/fifo"
"$B"/framecap -r "$T/small.pcap" --json > "$T/fifo" 2> "$T/held.err" &
pid=$!
exec 3< "$T/fifo"
read -r -u 3 _
sleep 0.3
n=$(grep -L '^framecap-mapper$' /proc/$pid/task/*/comm 2> /dev/null | wc -l)
cat <&3 > "$T/held.out"
exec 3<&-
wait $pid
rc=$?
if [ $rc -eq 0 ] && [ "$n" -eq 1 ] && [ ! -s "$T/held.err" ] &&
   [ "$(grep -c '"type":"frame"' "$T/held.out")" -eq 99999 ] &&
   tail -1 "$T/held.out" | grep -q '^{"type":"summary"'; then
	ok "--json held back by its reader: $n thread besides the mapper, then every frame and the summary, exit 0"
else
	fail "--json held back by its reader: exit $rc, $n threads besides the mapper, $(grep -c '"type":"frame"' "$T/held.out") frames after the first line" \
		"$(tail -c 300 "$T/held.out"; cat "$T/held.err")"
fi

# 3. SIGINT while the output waits: the summary comes last, exit 130,
# the message on stderr.
"$B"/framecap -r "$T/small.pcap" --json > "$T/fifo" 2> "$T/int.err" &
pid=$!
exec 3< "$T/fifo"
read -r -u 3 _
kill -INT $pid
cat <&3 > "$T/int.out"
exec 3<&-
wait $pid
rc=$?
if [ $rc -eq 130 ] && tail -1 "$T/int.out" | grep -q '^{"type":"summary"' &&
   grep -q "interrupted by SIGINT" "$T/int.err" &&
   [ "$(grep -c '"type":"frame"' "$T/int.out")" -lt 100000 ]; then
	ok "SIGINT while writing --json: exit 130, the summary last"
else
	fail "SIGINT while writing --json: exit $rc" "$(tail -c 300 "$T/int.out"; cat "$T/int.err")"
fi
rm -f "$T"/*.pcap "$T"/held.out "$T"/int.out
exit $bad
