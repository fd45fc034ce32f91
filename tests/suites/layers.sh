#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - the core's contract, checked in what it links against: the
# objects of src/core call no I/O, printing, exit, longjmp, environment or
# option parsing function (files and options are src/config's), nor the
# locale machinery (translations come in through fc_describe's hook). A failed
# assert() on a programming error is the one way out it keeps.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
SUITE=layers
. tests/lib.sh
forbidden='^(open|open64|openat|fopen|fopen64|fdopen|close|read|write|pread|fread|fwrite|fputs|fputc|puts|putchar|printf|fprintf|vfprintf|dprintf|perror|exit|_exit|abort|longjmp|_longjmp|siglongjmp|setjmp|getopt|getopt_long|getenv|secure_getenv|stat|fstat|lstat|__xstat|__fxstat|socket|system|popen|getrandom|time|clock_gettime|gettimeofday|setlocale|uselocale|newlocale|gettext|dgettext|dcgettext|ngettext|dngettext|bindtextdomain|textdomain|nl_langinfo)$'
# The objects of today's sources (a build directory may hold older ones).
objs=$(for c in src/core/*.c; do o="$B/core/$(basename "${c%.c}").o"; [ -f "$o" ] && echo "$o"; done)
n=$(printf '%s\n' "$objs" | grep -c .)
bad_calls=$(for o in $objs; do
	nm -u "$o" | awk '{ print $NF }' | sed 's/@.*//' | grep -E "$forbidden" | sed "s|^|$(basename "$o"): |"
done)
if [ "$n" -lt 10 ]; then
	fail "no objects in $B/core (make)"
elif [ -n "$bad_calls" ]; then
	fail "src/core calls what its contract forbids" "$bad_calls"
else
	ok "src/core ($n objects): no I/O, printing, exit, longjmp, clock, environment, locale or option parsing"
fi
# And the other way: the configuration layer is where files are read.
if nm -u "$B"/config/fc_config_file.o 2>/dev/null | grep -qE ' (open|open64)$'; then
	ok "src/config reads the configuration files"
else
	fail "src/config/fc_config_file.o does not open files: where did the I/O go?"
fi
exit $bad
