#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# writer-thread.sh TMP - FRAMECAP_WRITER=thread writes the text and JSON
# views of a file on a second thread (src/cli/sink_thread.c), even on one
# CPU; unset or =inline writes them on the reading thread. Both
# must give the same answer, byte for byte:
#   - every capture in captures/, ../shared/protocols and ../shared/corpus:
#     text, -v, --json and --json --payload-bytes all: stdout, stderr and
#     exit status;
#   - a report larger than a queue block (12,000 frames in one segment)
#     and a capture of many blocks;
#   - write errors: /dev/full, a pipe closed early (SIGPIPE default and
#     ignored): the same message and status, and reading stops soon;
#   - SIGINT: the summary still comes, exit 130;
# and the thread is there when asked for (=auto: not on one CPU), not by
# default.
set -u
SUITE=writer-thread
. "$(dirname "$0")/../lib.sh"
suite_tmp "$1" writer-thread framecap fc-pcapgen
SHARED=${FC_SHARED:-../shared}

# same FILE ARGS...: FRAMECAP_WRITER=thread and =inline agree: stdout
# and status (its last line) in $T/thread and $T/inline, stderr in .err.
same() {
	local m
	for m in thread inline; do
		FRAMECAP_WRITER=$m "$B"/framecap -r "$@" > "$T/$m" 2> "$T/$m.err"
		echo "exit $?" >> "$T/$m"
	done
	cmp -s "$T/thread" "$T/inline" && cmp -s "$T/thread.err" "$T/inline.err"
}

# 1. Every capture, four views.
n=0 differ=0
while read -r f; do
	for view in "--color=never" "--color=never -v" --json "--json --payload-bytes all"; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		same "$f" $view && continue
		differ=$((differ + 1))
		fail "$f $view: thread and inline differ" \
			"$(diff "$T/inline" "$T/thread" | head -10; diff "$T/inline.err" "$T/thread.err")"
	done
done < <(find captures "$SHARED/protocols" "$SHARED/corpus" -type f \
	\( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
if [ $((n / 4)) -lt 200 ]; then
	fail "only $((n / 4)) captures in captures/, $SHARED/protocols and $SHARED/corpus"
elif [ "$differ" -eq 0 ]; then
	ok "$((n / 4)) captures of captures/ and $SHARED, $n runs (text, -v, --json, --payload-bytes all): the thread writes inline's stdout, stderr and status"
fi

# 2. A report larger than a block (256 KiB): 12,000 zero-length frames in
# one 48,000-byte segment make 12,000 frame records (128 bytes each);
# then many blocks of small frames.
"$B"/fc-pcapgen frames "$T/tiny.pcap" --raw "$(printf '00000000%.0s' $(seq 12000))" > /dev/null &&
	"$B"/fc-pcapgen bench-small "$T/small.pcap" 100000 > /dev/null || fail "fc-pcapgen"
while read -r want view; do
	# shellcheck disable=SC2086
	if same "$T/tiny.pcap" $view && grep -q "$want" "$T/inline"; then
		ok "12,000 frames in one segment, $view: the same output"
	else
		fail "12,000 frames in one segment, $view" "$(diff "$T/inline" "$T/thread" | head; cat "$T/thread.err")"
	fi
done <<'EOF2'
"frames":12000, --json
"index":11999, --json --payload-bytes all
STICKY:.12000.frames --color=never
#11999.len=0 --color=never -v
EOF2
# shellcheck disable=SC2043
for view in "--json --payload-bytes all"; do
	# shellcheck disable=SC2086
	if same "$T/small.pcap" $view && [ "$(grep -c '"type":"frame"' "$T/inline")" -eq 100000 ]; then
		ok "100,000 small frames ($(($(stat -c %s "$T/inline") / 1048576)) MiB of JSON): the same output"
	else
		fail "100,000 small frames: thread and inline differ" "$(diff "$T/inline" "$T/thread" | head; cat "$T/thread.err")"
	fi
done

# Stream begins and ends have records of their own sizes (a head cut to
# its union member), packed between reports over many blocks: 3,000
# connections, 3 frames each; text shows every stream's end line.
if "$B"/fc-pcapgen bench-conns "$T/conns.pcap" 3000 > /dev/null; then
	while read -r count want view; do
		# shellcheck disable=SC2086
		if same "$T/conns.pcap" $view && [ "$(grep -c -e "$want" "$T/inline")" -eq "$count" ]; then
			ok "3,000 connections, $view: the same output, $count lines of $want"
		else
			fail "3,000 connections, $view: thread and inline differ, or not $count lines of $want" "$(diff "$T/inline" "$T/thread" | head; cat "$T/thread.err")"
		fi
	done <<'EOF2'
9000 "type":"frame" --json
3000 ^..=.stream --color=never
EOF2
else
	fail "fc-pcapgen bench-conns"
fi

# 3. Write errors. /dev/full: the message, exit 1, and reading stopped
# soon (the -w copy holds the records fed, far fewer than the file's).
# A pipe closed early: killed by SIGPIPE (141), or with SIGPIPE ignored
# a silent exit 141.
size=$(stat -c %s "$T/small.pcap")
for mode in thread inline; do
	for view in --json --color=never; do
		FRAMECAP_WRITER=$mode "$B"/framecap -r "$T/small.pcap" $view -w "$T/w.pcap" > /dev/full 2> "$T/full.err"
		rc=$?
		copied=$(stat -c %s "$T/w.pcap")
		if [ $rc -eq 1 ] && [ "$(cat "$T/full.err")" = "framecap: standard output: No space left on device" ] &&
		   [ "$copied" -lt $((size / 4)) ]; then
			ok "$mode $view > /dev/full: exit 1, the message, reading stopped after $((copied * 100 / size))% of the file"
		else
			fail "$mode $view > /dev/full: exit $rc, $copied of $size bytes read" "$(cat "$T/full.err")"
		fi
		FRAMECAP_WRITER=$mode "$B"/framecap -r "$T/small.pcap" $view 2> "$T/pipe.err" | head -c 100 > "$T/head"
		rc=${PIPESTATUS[0]}
		(trap '' PIPE; FRAMECAP_WRITER=$mode "$B"/framecap -r "$T/small.pcap" $view 2> "$T/pipe2.err" |
			head -c 100 > /dev/null; exit "${PIPESTATUS[0]}")
		rc2=$?
		if [ $rc -eq 141 ] && [ $rc2 -eq 141 ] && [ ! -s "$T/pipe.err" ] && [ ! -s "$T/pipe2.err" ] &&
		   [ "$(stat -c %s "$T/head")" -eq 100 ]; then
			ok "$mode $view | head -c 100: exit 141, nothing on stderr (SIGPIPE default and ignored)"
		else
			fail "$mode $view | head -c 100: exit $rc and $rc2" "$(cat "$T/pipe.err" "$T/pipe2.err")"
		fi
	done
done

# tasks_held MODE [taskset CPU] -- ARGS: framecap's thread count while its
# output waits on a full pipe; then it runs to its end (status in $T/held).
mkfifo "$T/fifo"
tasks_held() {
	local mode=$1 pid n=0
	shift
	FRAMECAP_WRITER=$mode "$@" "$B"/framecap -r "$T/small.pcap" --json > "$T/fifo" 2> "$T/held.err" &
	pid=$!
	exec 3< "$T/fifo"
	read -r -u 3 _
	sleep 0.3
	n=$(ls "/proc/$pid/task" 2> /dev/null | wc -l)
	cat <&3 > "$T/held.out"
	exec 3<&-
	wait $pid
	echo "exit $?" > "$T/held"
	echo "$n"
}

# 4. The thread is there when asked for; not by default, not inline, and
# with =auto only on more than one CPU.
got=$(tasks_held thread; tasks_held inline; tasks_held auto taskset -c 0;
      tasks_held thread taskset -c 0; tasks_held ""; tasks_held auto)
got=$(echo $got)
want="2 1 1 2 1 $([ "$(nproc)" -gt 1 ] && echo 2 || echo 1)"
if [ "$got" = "$want" ] && [ "$(cat "$T/held")" = "exit 0" ]; then
	ok "threads while writing: thread, inline, =auto on one CPU, =thread on one CPU, unset, =auto on $(nproc) CPUs: $got"
else
	fail "threads while writing: got $got, want $want (thread, inline, =auto on one CPU, =thread on one CPU, unset, =auto on $(nproc) CPUs)" \
		"$(cat "$T/held" "$T/held.err")"
fi

# 5. SIGINT while the output waits: the summary comes last, exit 130,
# the message on stderr.
for mode in thread inline; do
	FRAMECAP_WRITER=$mode "$B"/framecap -r "$T/small.pcap" --json > "$T/fifo" 2> "$T/int.err" &
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
		ok "$mode: SIGINT while writing: exit 130, the summary last"
	else
		fail "$mode: SIGINT while writing: exit $rc" "$(tail -c 300 "$T/int.out"; cat "$T/int.err")"
	fi
done
rm -f "$T"/*.pcap "$T"/thread "$T"/inline "$T"/held.out "$T"/int.out
exit $bad
