#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server-load.sh TMP - framecap-server under load and abuse, all on
# 127.0.0.1, bounded in count and time, run by tests/run.sh (B comes from
# it). About 13 s, normal or sanitised build (most of it the idle timeout
# the silent abusers need); every wait is bounded, so a hung server costs
# at most about 80 s per mode.
#
# Twice, once per mode (echo, then upload with a fresh -d inside TMP):
#   load     1,000 well-behaved clients open their sockets first; the
#            server's log must show all 1,000 accepted at once (its
#            --max-clients ceiling is 1000, --when-full refuse, no
#            per-address cap: eviction is server-abuse.sh's) and a 1,001st
#            is refused. (The
#            connects are paced to stay within the server's listen backlog
#            of 128: a burst beyond it leaves connections the client sees
#            open and the server never accepts until data comes.) Then
#            each client talks in rounds, a round waiting for the reply of
#            the one before: echo: 4 frames (0 B to 8 KB of binary
#            payload), each echo byte for byte; upload: a message, a file
#            and "close", each acknowledgement byte for byte, the file
#            stored intact. Then the server must close and send nothing
#            more. All within LOAD_BOUND seconds.
#   abuse    While 984 of those clients are still connected and talking
#            (16 finish first: the server is full, abusers need slots):
#            garbage (an HTTP request, 0xdeadbeef bytes), a 0x7FFFFFFF
#            length, negative lengths, a bad length after a good frame, half
#            a header then silence, a client flooding valid frames that
#            never reads a reply; in upload mode the names '../x', '/etc/x'
#            and '..', a file whose body announces 0x7FFFFFFF bytes, a file
#            whose body stops half way. Each must be disconnected, and the
#            server's log must say why for that very connection (matched
#            by its source port).
#   after    the server is still alive and serves a fresh framecap-client;
#            nothing was written outside -d (-d's parent holds -d only, no
#            ../x, no /etc/x, no temporary file left in -d); its peak
#            memory (VmHWM, read just before it is stopped) is under
#            64 MiB, measured with B=build only (sanitizers change memory
#            use; with B=build/san the same load runs on that build); on
#            SIGTERM it exits 0 and logs totals that count exactly the
#            clients, refusals, errors and timeouts caused; with a
#            sanitised build, no sanitizer report in its log.
#
# Prints "ok   NAME" or "FAIL NAME" per check; exits 1 if any failed. Every
# process it starts is killed on the way out, failure or not.
set -u
cd "$(dirname "$0")/../.." || exit 1
N=1000            # well-behaved clients, all connected at once
IDLE=5            # --idle-timeout: how the silent abusers are dropped
LOAD_BOUND=20     # seconds for every well-behaved client to be served
LIMIT_KB=$((64 * 1024))
SUITE=server-load
. tests/lib.sh
suite_tmp "${1:-/tmp}" server-load framecap-server framecap-client
# The server and the load generator each hold over 1,000 sockets.
need_fds 4096


# The load generator: one process, one selectors loop, every socket
# non-blocking. Prints ok/FAIL lines; writes the totals the server should
# log to the file given as its last argument.
cat > "$T/load.py" <<'PY'
import json, os, random, re, selectors, socket, struct, sys, time

mode, port, spid, log_path, n, idle, bound, jail, expect_path = sys.argv[1:]
port, spid, n, idle, bound = int(port), int(spid), int(n), int(idle), float(bound)
HOST, EARLY = "127.0.0.1", 16
R, W = selectors.EVENT_READ, selectors.EVENT_WRITE
sel = selectors.DefaultSelector()
now = time.monotonic
failed = server_died = False

def ok(msg):
    print("ok   server-load: %s: %s" % (mode, msg), flush=True)

def fail(msg, detail=""):
    global failed
    failed = True
    print("FAIL server-load: %s: %s" % (mode, msg), flush=True)
    for line in str(detail).splitlines()[:20]:
        print("     " + line[:300], flush=True)

def frame(b):
    return struct.pack("<i", len(b)) + b

# ---- the server's log, read as it grows
class Log:
    def __init__(self):
        self.f = open(log_path, "rb")
        self.rest = b""
        self.by_port, self.refused, self.lines = {}, set(), {}
    def poll(self):
        self.rest += self.f.read()
        *full, self.rest = self.rest.split(b"\n")
        for raw in full:
            line = raw.decode("utf-8", "replace")
            m = re.match(r"\[(\d+)\] 127\.0\.0\.1:(\d+) connected$", line)
            if m:
                self.by_port[int(m.group(2))] = int(m.group(1))
            m = re.search(r"clients already: refusing 127\.0\.0\.1:(\d+)$", line)
            if m:
                self.refused.add(int(m.group(1)))
            m = re.match(r"\[(\d+)\] (.*)", line)
            if m:
                self.lines.setdefault(int(m.group(1)), []).append(m.group(2))
    def of(self, conn):
        cid = self.by_port.get(conn.port)
        return cid, self.lines.get(cid, [])
log = Log()

# ---- connections
class Conn:
    def __init__(self, name):
        self.name, self.port, self.reg = name, None, 0
        self.state = "connecting"  # -> open -> (closed | failed)
        self.out, self.inb = bytearray(), bytearray()
        self.reading, self.closed_at, self.error = True, None, None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        err = self.sock.connect_ex((HOST, port))
        if err not in (0, 115):  # EINPROGRESS
            self.fail("connect: %s" % os.strerror(err))
        self.update()
    def want(self):
        if self.state == "connecting":
            return W
        if self.state != "open":
            return 0
        return (R if self.reading else 0) | (W if self.out else 0)
    def update(self):
        ev = self.want()
        if ev == self.reg:
            return
        if not self.reg:
            sel.register(self.sock, ev, self)
        elif not ev:
            sel.unregister(self.sock)
        else:
            sel.modify(self.sock, ev, self)
        self.reg = ev
    def fail(self, why):
        if self.state not in ("failed",):
            self.error = why
            self.state = "failed"
        self.update()
    def event(self, ev):
        if self.state == "connecting":
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return self.fail("connect: %s" % os.strerror(err))
            self.state, self.port = "open", self.sock.getsockname()[1]
        elif ev & R:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                data = None
            except OSError:  # reset by the server
                data = b""
            if data == b"":
                self.state, self.closed_at = "closed", now()
                self.on_close()
            elif data:
                self.inb += data
                self.on_data()
        if self.state == "open" and ev & W and self.out:
            try:
                k = self.sock.send(self.out)
                del self.out[:k]
                self.on_sent(k)
            except BlockingIOError:
                pass
            except OSError as e:
                self.state, self.closed_at = "closed", now()
                self.on_close(e)
        self.update()
    def on_data(self): pass
    def on_sent(self, k): pass
    def on_close(self, e=None): pass
    def close(self):
        if self.reg:
            sel.unregister(self.sock)
            self.reg = 0
        self.sock.close()

class Good(Conn):
    """steps: [(bytes sent, exact reply)]; then `last` (None: shutdown
    the sending side) and the server must close with nothing more."""
    def __init__(self, name, steps, last):
        super().__init__(name)
        self.steps, self.last, self.k = steps, last, -1
        self.t0 = self.done_at = None
    def start(self):
        self.t0 = now()
        self.next()
        self.update()
    def next(self):
        self.k += 1
        if self.k < len(self.steps):
            self.out += self.steps[self.k][0]
        elif self.last is None:
            self.sock.shutdown(socket.SHUT_WR)
        else:
            self.out += self.last
    def on_data(self):
        if self.k < 0 or self.k >= len(self.steps):
            return self.fail("%d unexpected bytes after the last reply: %r" % (len(self.inb), bytes(self.inb[:40])))
        want = self.steps[self.k][1]
        m = min(len(want), len(self.inb))
        if self.inb[:m] != want[:m]:
            return self.fail("reply %d differs at byte %d: got %r, want %r" % (
                self.k, next(i for i in range(m) if self.inb[i] != want[i]),
                bytes(self.inb[:60]), want[:60]))
        if len(self.inb) >= len(want):
            del self.inb[:len(want)]
            self.next()
            if self.inb:
                self.on_data()
    def on_close(self, e=None):
        if self.k < len(self.steps) or self.inb:
            self.state = "failed"
            self.error = "server closed at reply %d of %d%s" % (self.k, len(self.steps), " (%s)" % e if e else "")
        else:
            self.done_at = now()

class Abuser(Conn):
    """Sends `payload` when started; `logs`: what the server must log for
    this connection (regular expressions); timeout: dropped for silence,
    not for an error; flood: keep sending valid frames, never read; echo:
    what it may get back (a prefix of it: the server may drop the client
    before it sends the echo of a good frame that came before the abuse)."""
    def __init__(self, name, payload, logs, timeout=False, flood=False, echo=b""):
        super().__init__(name)
        self.payload, self.logs, self.timeout = payload, [logs] if isinstance(logs, str) else logs, timeout
        self.flood, self.echo = flood, echo
        self.sent, self.progress, self.stopped = 0, None, False
    def start(self):
        self.out += self.payload
        self.reading = not self.flood
        self.progress = now()
        self.update()
    def on_sent(self, k):
        self.progress = now()
        self.sent += k
        if self.flood and not self.stopped and not self.out and self.sent < 1 << 28:
            self.out += frame(b"F" * 65536)
    def tick(self):
        # a flood stops once the server has stopped reading (blocked 1.5 s)
        if self.flood and not self.stopped and self.progress and now() - self.progress > 1.5:
            self.stopped = True
            self.out.clear()
            self.update()
    def logged(self):
        cid, lines = log.of(self)
        return cid is not None and all(any(re.search(r, l) for l in lines) for r in self.logs)

def pump(cond, timeout, ticking=()):
    """Run the sockets until cond() or timeout seconds; stops at once, and
    says so, if the server has died."""
    global server_died
    end = now() + timeout
    while True:
        log.poll()
        if cond():
            return True
        left = end - now()
        if left <= 0:
            return False
        if not server_died and not os.path.exists("/proc/%d" % spid):
            server_died = True
            fail("the server (pid %d) died during the load" % spid)
        if server_died:
            return False
        for key, ev in sel.select(min(left, 0.02)):
            key.data.event(ev)
        for a in ticking:
            a.tick()

# ---- what the well-behaved clients say
def steps_for(i):
    rnd = random.Random(i)
    if mode == "echo":
        sizes = [0, rnd.randint(1, 64), rnd.randint(200, 1500), rnd.randint(2000, 8000)]
        return [(frame(p), frame(p)) for p in (rnd.randbytes(s) for s in sizes)], None, None
    name = "c%04d.bin" % i
    body = rnd.randbytes(rnd.randint(1, 3000))
    ack_msg = frame(b'{"status":"ok","msg_type":"msg"}')
    ack_file = frame(('{"status":"ok","msg_type":"file","file_name":"%s","size":"%d"}'
                      % (name, len(body))).encode())
    return [(frame(b'{"msg_type":"msg"}') + frame(b"hello from client %d" % i), ack_msg),
            (frame(('{"msg_type":"file","file_name":"%s"}' % name).encode()) + frame(body), ack_file)], \
           frame(b"close"), (name, body)

def abusers():
    neg = lambda v: struct.pack("<i", v)
    dead = "negative length %d" % struct.unpack("<i", b"\xde\xad\xbe\xef")[0]
    http = "length %d is above max_frame" % struct.unpack("<i", b"GET ")[0]
    silent = r"silent for %d s: disconnecting" % idle
    if mode == "echo":
        return [
            Abuser("garbage: an HTTP request", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "error: frame #0: " + http),
            Abuser("garbage: 4 KiB of 0xdeadbeef", b"\xde\xad\xbe\xef" * 1024, "error: frame #0: " + dead),
            Abuser("giant length 0x7FFFFFFF", struct.pack("<I", 0x7FFFFFFF) + b"x" * 100,
                   "error: frame #0: length 2147483647 is above max_frame 16777216"),
            Abuser("negative length -1", neg(-1) + b"x" * 10, "error: frame #0: negative length -1;"),
            Abuser("negative length 0x80000000", neg(-2 ** 31), "error: frame #0: negative length -2147483648;"),
            Abuser("a good frame, then length -7", frame(b"fine") + neg(-7),
                   "error: frame #1: negative length -7;", echo=frame(b"fine")),
            Abuser("half a header, then silence", b"\x10\x00", silent, timeout=True),
            Abuser("floods valid frames, never reads", frame(b"F" * 65536), silent, timeout=True, flood=True),
        ]
    hdr = lambda name: frame(('{"msg_type":"file","file_name":"%s"}' % name).encode())
    return [
        Abuser("file name '../x'", hdr("../x") + frame(b"evil"), r'error: file name has a path in it: "\.\./x"'),
        Abuser("file name '/etc/x'", hdr("/etc/x") + frame(b"evil"), r'error: file name has a path in it: "/etc/x"'),
        Abuser("file name '..'", hdr("..") + frame(b"evil"), r"error: file name starts with '\.': \"\.\.\""),
        Abuser("file body of 0x7FFFFFFF bytes", hdr("big.bin") + struct.pack("<I", 0x7FFFFFFF) + b"x" * 100,
               ["error: frame #1: length 2147483647 is above max_frame",
                "upload of big.bin abandoned: partial file removed"]),
        Abuser("file body stops half way, then silence", hdr("slow.bin") + frame(b"y" * 1000)[:14],
               [silent, "upload of slow.bin abandoned: partial file removed"], timeout=True),
    ]

# 1. every well-behaved client connected at once. The connects are paced:
# at most WINDOW not yet accepted by the server, as its listen() backlog is
# 128: past it, the kernel answers a burst with SYN cookies and drops the
# final ACK, and a connection the client sees as open stays unknown to the
# server until the client sends something.
WINDOW = 64
t_start = now()
goods, specs = [], [steps_for(i) for i in range(n)]
def connect_more():
    waiting = sum(1 for g in goods if g.port not in log.by_port)
    while len(goods) < n and waiting < WINDOW:
        steps, last, stored = specs[len(goods)]
        g = Good("client %d" % len(goods), steps, last)
        g.stored = stored
        goods.append(g)
        waiting += 1
    return len(goods) == n and all(g.state != "connecting" for g in goods)
pump(connect_more, 30)
bad = [g for g in goods if g.state != "open"]
if bad:
    fail("%d of %d clients could not connect" % (len(bad), n), "%s: %s" % (bad[0].name, bad[0].error))
    sys.exit(1)
if pump(lambda: all(g.port in log.by_port for g in goods), 15) and \
   not any(l for g in goods for l in log.of(g)[1][1:]):
    ok("%d clients connected at once, all accepted by the server (%.1f s; at most %d connects unaccepted at a time)"
       % (n, now() - t_start, WINDOW))
else:
    fail("%d clients connected at once, all accepted by the server" % n,
         "accepted: %d, refused: %d" % (sum(g.port in log.by_port for g in goods), len(log.refused)))
    sys.exit(1)

# 2. one more is refused, and said so
probe = Conn("probe")
pump(lambda: probe.state != "connecting" and probe.port in log.refused and probe.state == "closed", 5)
if probe.port in log.refused and probe.state == "closed":
    ok("client %d refused while %d are connected, and logged" % (n + 1, n))
else:
    fail("client %d refused while %d are connected, and logged" % (n + 1, n), "state %s" % probe.state)
probe.close()

# 3. a few finish first, leaving room for the abusers
t_go = now()
for g in goods[:EARLY]:
    g.start()
pump(lambda: all(g.state != "open" for g in goods[:EARLY]) and
     all(any("closed" in l for l in log.of(g)[1]) for g in goods[:EARLY]), 10)
evil = abusers()
pump(lambda: all(a.state != "connecting" and (a.port in log.by_port or a.port in log.refused) for a in evil), 10)
if all(a.port in log.by_port for a in evil):
    ok("%d abusers accepted while %d well-behaved clients are connected" % (len(evil), n - EARLY))
else:
    fail("%d abusers accepted while %d well-behaved clients are connected" % (len(evil), n - EARLY),
         [(a.name, a.state, a.error, a.port in log.refused) for a in evil])

# 4. everyone at once: the well-behaved talk, the abusers abuse
for a in evil:
    a.start()
for g in goods[EARLY:]:
    g.start()

def abuser_done(a):
    return a.logged() and (a.flood or a.state != "open")

pump(lambda: all(g.state != "open" for g in goods), bound, evil)
t_served = now() - t_go
pump(lambda: all(abuser_done(a) for a in evil), idle + 5, evil)

served = [g for g in goods if g.done_at is not None]
failing = [g for g in goods if g.done_at is None]
lat = sorted(g.done_at - g.t0 for g in served)
nbytes = sum(len(s[0]) for g in goods for s in g.steps)
what = "%d frames, %d B" % ((4 if mode == "echo" else 5) * n, nbytes)
name = ("%d well-behaved clients got exactly their echoes (%s)" if mode == "echo" else
        "%d well-behaved clients got exactly their acknowledgements (%s) and the server's close") % (n, what)
if not failing and t_served <= bound:
    ok("%s in %.1f s, slowest client %.2f s, median %.3f s (bound %d s)" % (
        name, t_served, lat[-1], lat[len(lat) // 2], bound))
else:
    g = failing[0] if failing else None
    fail("%s within %d s: %d failed" % (name, bound, len(failing)),
         "%s: state %s, step %d, %s; server log: %s" % (g.name, g.state, g.k, g.error, log.of(g)[1]) if g else
         "took %.1f s" % t_served)

if mode == "upload":
    want = {g.stored[0]: g.stored[1] for g in goods}
    for _ in range(20):  # the log line comes just before the unlink
        have = sorted(os.listdir(jail))
        if not [f for f in have if f.startswith(".")]:
            break
        time.sleep(0.05)
    wrong = [f for f in want if f not in have or open(os.path.join(jail, f), "rb").read() != want[f]]
    extra = [f for f in have if f not in want]
    if not wrong and not extra:
        ok("%d files stored intact in -d, nothing else there (no temporary file left)" % n)
    else:
        fail("%d files stored intact in -d, nothing else there" % n,
             "wrong or missing: %s; unexpected: %s" % (wrong[:10], extra[:10]))

for a in evil:
    cid, lines = log.of(a)
    gone = a.flood or a.state == "closed"
    echoed = a.echo.startswith(bytes(a.inb))
    if a.logged() and gone and echoed:
        why = [l for l in lines if l.startswith(("error:", "silent"))]
        ok("abuser '%s': disconnected, server log: [%s] %s%s" % (
            a.name, cid, (why or lines)[0], "; it had sent %d B before the server stopped reading it" % a.sent
            if a.flood else "; it got back %s" % ("%d B of its good frame's echo" % len(a.inb) if a.echo else
                                                  "nothing")))
    else:
        fail("abuser '%s' disconnected and logged" % a.name,
             "state %s%s, log of [%s]: %s" % (a.state, "" if echoed else ", got back %r" % bytes(a.inb[:60]),
                                              cid, lines))
for c in goods + evil:
    c.close()

timeouts = sum(a.timeout for a in evil)
errors = len(evil) - timeouts
json.dump({"clients": n + len(evil), "refused": 1, "errors": errors, "timeouts": timeouts},
          open(expect_path, "w"))
sys.exit(1 if failed else 0)
PY

# run MODE [server options]: the whole load against one server
run() {
	local mode=$1 t0 out st rss
	shift
	t0=$(date +%s%N)
	if ! serve "$mode" -- -m "$mode" -q --max-clients "$N" --when-full refuse --max-per-addr 0 \
		--idle-timeout "$IDLE" "$@"; then
		fail "$mode: framecap-server -m $mode starts" "$(cat "$T/$mode.log")"
		return
	fi
	timeout 60 python3 "$T/load.py" "$mode" "$PORT" "$SPID" "$T/$mode.log" "$N" "$IDLE" "$LOAD_BOUND" \
		"${JAIL:-}" "$T/$mode.expect" &
	pids+=("$!")
	wait "$!" || bad=1

	if kill -0 "$SPID" 2>/dev/null; then
		ok "$mode: the server stayed up (pid $SPID alive)"
	else
		st=0
		wait "$SPID" || st=$?
		fail "$mode: the server stayed up: it exited with status $st$( [ "$st" -gt 128 ] && echo " (signal $((st - 128)))")" \
		     "$(grep -v -E '(closed by peer|connected)$|closed by peer: ' "$T/$mode.log" | tail -25)"
		return
	fi
	if [ "$mode" = echo ]; then
		out=$(timeout 10 "$B"/framecap-client -c "127.0.0.1:$PORT" "still served" 2>&1)
		if grep -q 'reply #0 len=12 "still served"' <<< "$out"; then
			ok "$mode: a fresh framecap-client is served at the end"
		else
			fail "$mode: a fresh framecap-client is served at the end" "$out"
		fi
	else
		printf 'the last upload\n' > "$T/last.txt"
		out=$(timeout 10 "$B"/framecap-client -c "127.0.0.1:$PORT" --scenario upload "$T/last.txt" 2>&1)
		if cmp -s "$T/last.txt" "$JAIL/last.txt"; then
			ok "$mode: a fresh framecap-client upload is stored at the end"
		else
			fail "$mode: a fresh framecap-client upload is stored at the end" "$out"
		fi
	fi

	if [ "$B" = build ]; then
		rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$SPID/status")
		if [ "${rss:-999999}" -lt "$LIMIT_KB" ]; then
			ok "$mode: server peak memory VmHWM ${rss} kB (under 64 MiB)"
		else
			fail "$mode: server peak memory VmHWM ${rss:-?} kB is not under 64 MiB"
		fi
	else
		ok "$mode: same load run on $B; peak memory not measured under sanitizers (B=build measures it)"
	fi

	kill -TERM "$SPID"
	for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$SPID" 2>/dev/null; then
		fail "$mode: the server did not exit within 10 s of SIGTERM (killed)"
		kill -KILL "$SPID"
	fi
	st=0
	wait "$SPID" || st=$?
	local want
	want=$(python3 -c 'import json, sys; e = json.load(open(sys.argv[1])); print("clients %d, .*disconnected for errors %d, timed out %d, refused %d$" % (e["clients"] + 1, e["errors"], e["timeouts"], e["refused"]))' "$T/$mode.expect" 2>/dev/null)
	if [ "$st" = 0 ] && grep -q "SIGTERM: shutting down" "$T/$mode.log" &&
	   [ -n "$want" ] && grep -qE "totals: $want" "$T/$mode.log"; then
		ok "$mode: SIGTERM: exit 0, $(grep -o 'totals: .*' "$T/$mode.log")"
	else
		fail "$mode: SIGTERM: exit 0, totals /${want:-?}/ logged" "exit $st; $(tail -3 "$T/$mode.log")"
	fi
	if grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$T/$mode.log"; then
		fail "$mode: sanitizer report in the server log" "$(grep -E -A15 'Sanitizer|runtime error:' "$T/$mode.log")"
	fi
	echo "     ($mode: $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
}

# /etc/x must not appear; if something has it already, it must not change
etc_before=$(stat -c '%i %Y %s' /etc/x 2>/dev/null)

run echo

mkdir -p "$T/jail/files"
JAIL=$T/jail/files
run upload -d "$JAIL"

other=$(find "$T/jail" -mindepth 1 -maxdepth 1 ! -name files)
if [ -z "$other" ] && [ ! -e "$T/x" ] && [ ! -e "$T/jail/x" ] && [ ! -e "$(dirname "$T")/x" ] &&
   [ "$(stat -c '%i %Y %s' /etc/x 2>/dev/null)" = "$etc_before" ]; then
	ok "upload: nothing written outside -d (its parent holds it alone; no ../x, no /etc/x)"
else
	fail "upload: nothing written outside -d" "$other $(ls -la /etc/x "$T/x" "$T/jail/x" 2>&1)"
fi
exit $bad
