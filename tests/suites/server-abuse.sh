#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server-abuse.sh TMP - framecap-server against slow and idle peers and
# against planted links in its upload directory; all on 127.0.0.1,
# bounded (about 25 s; every wait has a limit). Run by tests/run.sh (B
# comes from it).
#
#   slowloris  an upload server (--max-clients 300, --max-per-addr 0,
#              --header-timeout 2, --min-rate 1000) gets 1,000 abusers:
#              800 silent connections, then 100 drippers (a file header
#              promising 1 MB, then a byte a second) and 100 header
#              drippers (a byte of the header a second). Then 20 well-behaved
#              framecap-client uploads: all stored intact and acknowledged
#              within 15 s; each dripper is cut by the rate deadline
#              ("too slow", within 8 s of its file header), each header
#              dripper by the header deadline; the full server evicted the
#              longest idle connections (logged) instead of refusing.
#   per-addr   --max-per-addr 3: a 4th connection from 127.0.0.1 evicts
#              the first (the longest idle from that address).
#   capacity   the default --max-clients follows RLIMIT_NOFILE: with a
#              soft limit of 100 under a higher hard one the server raises
#              it (up to N clients = hard - 16, halved in upload mode);
#              with a hard limit of 200, 184 clients.
#   links      upload mode, both file creation paths (O_TMPFILE and the
#              O_EXCL random name, FRAMECAP_SERVER_NO_TMPFILE=1): a hard
#              link to an outside file and a symlink to another, planted
#              at the target name, at NAME.1 and at the temporary names
#              older servers used (.NAME.partN); uploads of NAME store
#              NAME.2 and then NAME.3, the outside files are unchanged,
#              every planted entry is still the same link, and the log
#              says NAME was not replaced.
#
# Prints "ok   NAME" or "FAIL NAME" per check; exits 1 if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=server-abuse
. tests/lib.sh
suite_tmp "${1:-/tmp}" server-abuse framecap-server framecap-client
need_fds 2048

# --- slowloris ----------------------------------------------------------
# slow.py PORT LOG DIR CLIENT: the abusers, then the 20 uploads; prints
# ok/FAIL lines.
cat > "$T/slow.py" <<'PY'
import os, re, resource, socket, struct, subprocess, sys, time
port, log, updir, client = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
failed = False
def ok(m): print("ok   server-abuse: slowloris: " + m, flush=True)
def fail(m, why=""):
    global failed
    failed = True
    print("FAIL server-abuse: slowloris: " + m, flush=True)
    if why:
        print("     " + str(why)[:2000], flush=True)
def frame(b): return struct.pack("<i", len(b)) + b

def connect():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s

def send(s, b):
    try:
        s.send(b)
        return True
    except OSError:
        return False

t0 = time.time()
drippers, hdrippers, silent = [], [], []
for i in range(800):   # silent (the server keeps the 300 latest)
    silent.append(connect())
    if i % 100 == 99:
        time.sleep(0.05)  # within the listen backlog
for i in range(100):   # a file header promising 1 MB, then a byte a second
    s = connect()
    send(s, frame(b'{"msg_type":"file","file_name":"drip%d.bin"}' % i) + struct.pack("<i", 1000000))
    drippers.append([s, time.time(), None])
for i in range(100):   # the header, a byte a second
    hdrippers.append([connect(), time.time(), None])
ok("1,000 abusers connected in %.1f s" % (time.time() - t0))

# 20 well-behaved uploads, at once, while the drippers drip
files = []
for i in range(20):
    p = os.path.join(os.path.dirname(log), "good%02d.bin" % i)
    with open(p, "wb") as f:
        f.write(os.urandom(30000 + i))
    files.append(p)
t1 = time.time()
procs = [subprocess.Popen([client, "-c", "127.0.0.1:%d" % port, "-q", "--timeout", "15",
                           "--scenario", "upload", p],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for p in files]
def closed(s):
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
tick, served = 0, None
while time.time() - t1 < 15:
    now = time.time()
    if served is None and all(p.poll() is not None for p in procs):
        served = now - t1
    if now - t1 >= tick:   # one byte a second from each dripper
        for d in drippers + hdrippers:
            if d[2] is None:
                if closed(d[0]):
                    d[2] = now
                elif d in drippers:
                    send(d[0], b"x")
                else:
                    send(d[0], b"\x05")
        tick += 1
    if all(p.poll() is not None for p in procs) and all(d[2] for d in drippers + hdrippers):
        break
    time.sleep(0.05)
outs = [(p.poll(), p.stdout.read().decode(errors="replace") if p.poll() is not None else "") for p in procs]
for p in procs:
    if p.poll() is None:
        p.kill()
good = 0
for p, (rc, out) in zip(files, outs):
    stored = os.path.join(updir, os.path.basename(p))
    if rc == 0 and os.path.exists(stored) and open(stored, "rb").read() == open(p, "rb").read():
        good += 1
if good == 20 and served is not None:
    ok("20 well-behaved uploads among them all stored intact, served in %.1f s (bound 15 s)" % served)
else:
    fail("20 well-behaved uploads stored intact within 15 s", "%d of 20; %s" % (good, outs))

text = open(log).read()
ports = lambda conns: [c[0].getsockname()[1] for c in conns]
ids = {}
for m in re.finditer(r"^\[(\d+)\] 127\.0\.0\.1:(\d+) connected$", text, re.M):
    ids[int(m.group(2))] = m.group(1)
def logged(port, pattern):
    i = ids.get(port)
    return i is not None and re.search(r"^\[%s\] %s" % (i, pattern), text, re.M) is not None
cut = [d for d in drippers if d[2] and d[2] - d[1] < 8 and
       logged(d[0].getsockname()[1], r"frame #1 too slow: \d+ of 1000000 payload bytes")]
if len(cut) == 100:
    ok("each of 100 drippers (1 MB promised, a byte a second) cut by --min-rate, "
       "within %.1f s" % max(d[2] - d[1] for d in drippers))
else:
    fail("100 drippers cut by the rate deadline within 8 s",
         "%d; %s" % (len(cut), [(d[2] and d[2] - d[1]) for d in drippers][:10]))
cut = [d for d in hdrippers if d[2] and d[2] - d[1] < 8 and
       logged(d[0].getsockname()[1], r"header of frame #0 unfinished 2 s after its first byte")]
if len(cut) == 100:
    ok("each of 100 header drippers cut by --header-timeout, within %.1f s"
       % max(d[2] - d[1] for d in hdrippers))
else:
    fail("100 header drippers cut by the header deadline within 8 s", "%d" % len(cut))
ev = len(re.findall(r"evicted, idle for \d+ ms, the longest of all: 300 clients already", text))
if ev >= 700 and "refusing" not in text:
    ok("the full server evicted the longest idle %d times, refused none" % ev)
else:
    fail("the full server evicts instead of refusing", "%d evictions" % ev)
sys.exit(1 if failed else 0)
PY

mkdir -p "$T/up"
if serve slow -- -m upload -d "$T/up" -q --max-clients 300 --max-per-addr 0 \
	--header-timeout 2 --min-rate 1000; then
	timeout 50 python3 "$T/slow.py" "$PORT" "$T/slow.log" "$T/up" "$B/framecap-client" || bad=1
	if kill -0 "$SPID" 2>/dev/null; then
		ok "slowloris: the server stayed up"
	else
		fail "slowloris: the server stayed up" "$(tail "$T/slow.log")"
	fi
	kill -TERM "$SPID"
	wait "$SPID"
	st=$?
	if [ "$st" = 0 ] && grep -qE "totals: .*files 20 .*evicted [0-9]{3,}, disconnected for errors 0, timed out 200, refused 0$" "$T/slow.log"; then
		ok "slowloris: SIGTERM: exit 0, $(grep -o 'totals: .*' "$T/slow.log")"
	else
		fail "slowloris: SIGTERM: exit 0, totals count 20 files, 200 timeouts" "exit $st; $(tail -3 "$T/slow.log")"
	fi
else
	fail "slowloris: server starts" "$(cat "$T/slow.log")"
fi

# --- per-address cap ----------------------------------------------------
cat > "$T/peraddr.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
conns = []
for i in range(4):
    conns.append(socket.create_connection(("127.0.0.1", port)))
    time.sleep(0.2)
conns[0].settimeout(3)
try:
    first_closed = conns[0].recv(1) == b""
except OSError:
    first_closed = True
conns[3].sendall(b"\x01\x00\x00\x00z")
conns[3].settimeout(3)
echo = conns[3].recv(5)
print("first closed %s, echo %r" % (first_closed, echo))
sys.exit(0 if first_closed and echo == b"\x01\x00\x00\x00z" else 1)
PY
serve peraddr -- -m echo --max-per-addr 3
if out=$(timeout 10 python3 "$T/peraddr.py" "$PORT" 2>&1) &&
   grep -qE '^\[1\] evicted, idle for [0-9]+ ms, the longest from its address: 3 connections from that address already' "$T/peraddr.log"; then
	ok "per-addr: --max-per-addr 3: a 4th connection evicts the first, logged, and is served"
else
	fail "per-addr: --max-per-addr 3: a 4th connection evicts the first" "$out; $(cat "$T/peraddr.log")"
fi
stop_server

# --- capacity from RLIMIT_NOFILE ----------------------------------------
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 1000016 ]; then
	want_echo=1000000
else
	want_echo=$((hard - 16))
fi
[ "$want_echo" -gt 65536 ] && want_echo=65536
PORT=$(free_port)
(ulimit -S -n 100 && exec "$B"/framecap-server -l "127.0.0.1:$PORT" > "$T/cap1.log" 2>&1) &
SPID=$!; pids+=("$SPID")
wait_for listening "$T/cap1.log"
stop_server
PORT=$(free_port)
(ulimit -n 200 && exec "$B"/framecap-server -l "127.0.0.1:$PORT" -m upload -d "$T/up" \
	--max-clients 1000 > "$T/cap2.log" 2>&1) &
SPID=$!; pids+=("$SPID")
wait_for listening "$T/cap2.log"
stop_server
if grep -q "up to $want_echo clients," "$T/cap1.log" &&
   grep -q "only 92 fit the file descriptor limit" "$T/cap2.log" &&
   grep -q "up to 92 clients," "$T/cap2.log"; then
	ok "capacity: from RLIMIT_NOFILE (soft 100 raised to hard $hard: $want_echo clients; hard 200 in upload mode: 92, --max-clients 1000 cut to it)"
else
	fail "capacity: from RLIMIT_NOFILE" "$(cat "$T/cap1.log" "$T/cap2.log")"
fi

# --- planted links in the upload directory ------------------------------
for way in tmpfile excl; do
	up="$T/links-$way" outside="$T/outside-$way"
	mkdir -p "$up" "$outside"
	echo "precious" > "$outside/hard"
	echo "secret" > "$outside/sym"
	echo "mine" > "$up/a.txt"
	ln "$outside/hard" "$up/a.txt.1"
	for n in $(seq 1 40); do
		ln "$outside/hard" "$up/.a.txt.part$n"
		ln -s "$outside/sym" "$up/.a.txt.sym$n"
	done
	ln -s "$outside/sym" "$up/b.txt"
	ls -li "$up" "$outside" > "$T/links-$way.before"
	printf 'uploaded 1\n' > "$T/a-$way-1.txt"
	printf 'uploaded 2\n' > "$T/a-$way-2.txt"
	if [ $way = excl ]; then env=FRAMECAP_SERVER_NO_TMPFILE=1; else env=X_UNUSED=1; fi
	PORT=$(free_port)
	env "$env" "$B"/framecap-server -l "127.0.0.1:$PORT" -m upload -d "$up" > "$T/links-$way.log" 2>&1 &
	SPID=$!; pids+=("$SPID")
	wait_for listening "$T/links-$way.log"
	for k in 1 2; do
		mkdir -p "$T/$way-$k" && cp "$T/a-$way-$k.txt" "$T/$way-$k/a.txt"
		timeout 10 "$B"/framecap-client -c "127.0.0.1:$PORT" -q --scenario upload "$T/$way-$k/a.txt" \
			> "$T/links-$way-$k.out" 2>&1
	done
	mkdir -p "$T/$way-b" && echo "through the symlink?" > "$T/$way-b/b.txt"
	timeout 10 "$B"/framecap-client -c "127.0.0.1:$PORT" -q --scenario upload "$T/$way-b/b.txt" \
		> "$T/links-$way-b.out" 2>&1
	stop_server
	ls -li "$up" "$outside" | grep -v ' a\.txt\.[23]$\| b\.txt\.1$' | sed 's/^total.*//' > "$T/links-$way.after"
	sed -i 's/^total.*//' "$T/links-$way.before"
	if [ "$(cat "$outside/hard")" = precious ] && [ "$(cat "$outside/sym")" = secret ] &&
	   [ "$(cat "$up/a.txt")" = mine ] &&
	   cmp -s "$up/a.txt.2" "$T/a-$way-1.txt" && cmp -s "$up/a.txt.3" "$T/a-$way-2.txt" &&
	   cmp -s "$up/b.txt.1" "$T/$way-b/b.txt" &&
	   [ "$(stat -c %h "$up/a.txt.2")" = 1 ] && [ "$(stat -c %h "$outside/hard")" = 42 ] &&
	   diff -q "$T/links-$way.before" "$T/links-$way.after" > /dev/null &&
	   grep -q "a.txt exists in $up: not replaced, the upload is stored as a.txt.2" "$T/links-$way.log" &&
	   grep -q "a.txt exists in $up: not replaced, the upload is stored as a.txt.3" "$T/links-$way.log" &&
	   ! ls -a "$up" | grep -q '^\.upload-'; then
		ok "links ($way): planted hard links and symlinks at a.txt, a.txt.1 and .a.txt.part1-40 are not written through; a.txt kept, uploads stored as a.txt.2, a.txt.3, b.txt.1, logged"
	else
		fail "links ($way): planted links are not written through, nothing replaced" \
		     "$(diff "$T/links-$way.before" "$T/links-$way.after"; cat "$T/links-$way.log"; ls -la "$up")"
	fi
done

if grep -lE "AddressSanitizer|LeakSanitizer|runtime error:" "$T"/*.log > "$T/san.list"; then
	fail "no sanitizer report in the servers' logs" "$(cat "$T/san.list")"
else
	ok "no sanitizer report in the servers' logs"
fi
exit "$bad"
