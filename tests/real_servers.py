# SPDX-License-Identifier: GPL-2.0-or-later
"""real_servers.py - the client side and the checks of
tests/suites/real-servers.sh (real Debian servers captured live on lo).

    workload  ->  plan.json  <-  checks  ->  tshark on the -w capture
                                         ->  framecap --json (live and replay)

A "plan" is what the clients did, one entry per TCP connection in the
order they were opened:

    {"name": "...", "c2s": [FRAME...], "s2c": [FRAME...] | null,
     "c2s_bytes": HEX, "s2c_bytes": HEX,     (line protocols only)
     "s2c_first": "N"|"S"}                   (PostgreSQL SSLRequest runs)

    FRAME = {"type": T, "len": PAYLOAD_LEN, "hdr": HEADER_LEN,
             "prelude": BOOL, "hex": PAYLOAD_HEX (when known),
             "tail": HEX the payload ends with (when only that is known)}

Subcommands (each exits 1 with one line on stderr on failure):

    mqtt-plan DIR                 messages (DIR/q0.txt, DIR/q1.txt) and plan
    redis PORT DIR                 redis-cli (RESP) + inline client; plan
    memcached PORT DIR             text-protocol client; plan
    pg-plan DIR QUERIES...         plan of one psql run (appends)
    check KIND DIR PORT            capture side (tshark) and framing checks;
                                   prints "ok ..." / "FAIL ..." lines

Every socket wait is bounded (10 s); nothing here listens or runs servers.
"""
import json
import os
import re
import socket
import subprocess
import sys

TIMEOUT = 10


def die(msg):
    sys.stderr.write("real_servers.py: %s\n" % msg)
    sys.exit(1)


def load_plan(d):
    path = os.path.join(d, "plan.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def save_plan(d, plan):
    with open(os.path.join(d, "plan.json"), "w") as f:
        json.dump(plan, f)


# ---------------------------------------------------------------- MQTT --

def varint_len(n):
    """Bytes of MQTT's remaining-length encoding of n."""
    k = 1
    while n >= 128:
        n >>= 7
        k += 1
    return k


def mqtt_frame(ptype, rem):
    """An MQTT packet of type ptype with rem bytes after its fixed header."""
    return {"type": ptype, "len": rem, "hdr": 1 + varint_len(rem), "prelude": False}


TOPIC = "fc/t"
# Remaining lengths 7, 127 | 128, 16383 | 16384: every varint width edge
# up to 3 bytes; then one message of 2 MiB (a 4-byte varint, split over
# many segments).
Q0_SIZES = [1, 121, 122, 16377, 16378]
Q1_SIZES = [5, 2097146]


def mqtt_plan(d):
    """The three connections of the MQTT run: mosquitto_sub (QoS 1), then
    mosquitto_pub -l at QoS 0 and at QoS 1, MQTT 3.1.1, fixed client ids."""
    q0 = ["%c" % (ord("a") + i) * n for i, n in enumerate(Q0_SIZES)]
    q1 = ["%c" % (ord("v") + i) * n for i, n in enumerate(Q1_SIZES)]
    for name, msgs in (("q0.txt", q0), ("q1.txt", q1)):
        with open(os.path.join(d, name), "w") as f:
            f.write("".join(m + "\n" for m in msgs))
    t = len(TOPIC.encode())

    def connect(cid):
        return mqtt_frame(1, 10 + 2 + len(cid))   # 3.1.1 variable header + id

    def publish(m, qos):
        f = mqtt_frame(3, 2 + t + (2 if qos else 0) + len(m))
        if qos:   # the packet identifier is the sender's: the message ends it
            f["tail"] = m.encode().hex()
        else:
            f["hex"] = (b"\0%c%s%s" % (t, TOPIC.encode(), m.encode())).hex()
        return f

    sub = {"name": "mosquitto_sub -q 1",
           "c2s": [connect("fc-sub"), mqtt_frame(8, 2 + 2 + t + 1)] +
                  [mqtt_frame(4, 2) for _ in q1] + [mqtt_frame(14, 0)],
           "s2c": [mqtt_frame(2, 2), mqtt_frame(9, 3)] +
                  [publish(m, 0) for m in q0] + [publish(m, 1) for m in q1]}
    pub0 = {"name": "mosquitto_pub -q 0 -l",
            "c2s": [connect("fc-pub0")] + [publish(m, 0) for m in q0] + [mqtt_frame(14, 0)],
            "s2c": [mqtt_frame(2, 2)]}
    pub1 = {"name": "mosquitto_pub -q 1 -l",
            "c2s": [connect("fc-pub1")] + [publish(m, 1) for m in q1] + [mqtt_frame(14, 0)],
            "s2c": [mqtt_frame(2, 2)] + [mqtt_frame(4, 2) for _ in q1]}
    save_plan(d, [sub, pub0, pub1])


# ------------------------------------------------------- line protocols --

def lines_of(data):
    """The \\r\\n-delimited frames of data (which ends with \\r\\n)."""
    assert data.endswith(b"\r\n"), data[-20:]
    return [{"type": "line", "len": len(x), "hdr": 0, "prelude": False, "hex": x.hex()}
            for x in data[:-2].split(b"\r\n")]


def line_conn(name, sent, received):
    return {"name": name, "c2s": lines_of(sent), "s2c": lines_of(received),
            "c2s_bytes": sent.hex(), "s2c_bytes": received.hex()}


def resp(*args):
    """One command as redis-cli writes it: a RESP array of bulk strings."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def talk(port, steps):
    """Connect to 127.0.0.1:port; for each (bytes, reply_end) send the
    bytes in one write and read until the reply ends with reply_end (a
    regex anchored at the end) or the server closes. Returns (sent,
    received); fails after TIMEOUT seconds of silence."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sent = received = b""
    try:
        for data, end in steps:
            s.sendall(data)
            sent += data
            got = b""
            while not re.search(end + rb"\Z", got, re.S):
                b = s.recv(1 << 20)
                if not b:
                    break
                got += b
                if len(got) > 1 << 24:
                    die("reply beyond 16 MiB")
            received += got
            if not re.search(end + rb"\Z", got, re.S):
                die("server closed before %r: %r" % (end, got[-60:]))
    except socket.timeout:
        die("no reply within %d s (sent %r)" % (TIMEOUT, sent[-60:]))
    finally:
        s.close()
    return sent, received


BIG = 70000   # more than one loopback segment (MTU 65536): a split line


def redis(port, d):
    """redis-cli three times (RESP arrays, each its own connection), then
    a client writing inline commands, five in one write (sticky)."""
    big = bytes(b"0123456789abcdef"[i % 16] for i in range(BIG))
    cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
    runs = [(["-r", "3", "RPUSH", "fc:list", "abc"], None,
             resp(b"RPUSH", b"fc:list", b"abc") * 3, b":1\r\n:2\r\n:3\r\n"),
            (["-x", "SET", "fc:big"], big,
             resp(b"SET", b"fc:big", big), b"+OK\r\n"),
            (["GET", "fc:big"], None,
             resp(b"GET", b"fc:big"), b"$%d\r\n%s\r\n" % (BIG, big))]
    plan = []
    for args, stdin, sent, reply in runs:
        r = subprocess.run(cli + args, input=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=20)
        if r.returncode != 0:
            die("redis-cli %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
        plan.append(line_conn("redis-cli " + " ".join(args[:3]), sent, reply))
    inline = b"PING\r\nSET fc:n 41\r\nINCR fc:n\r\nGET fc:n\r\nLRANGE fc:list 0 -1\r\n"
    want = b"+PONG\r\n+OK\r\n:42\r\n$2\r\n42\r\n*3\r\n$3\r\nabc\r\n$3\r\nabc\r\n$3\r\nabc\r\n"
    sent, received = talk(port, [(inline, re.escape(b"*3\r\n$3\r\nabc\r\n$3\r\nabc\r\n$3\r\nabc\r\n"))])
    if received != want:
        die("redis inline replies %r, expected %r" % (received, want))
    c = line_conn("inline commands", sent, received)
    c["c2s_sticky"] = True
    plan.append(c)
    save_plan(d, plan)


def memcached(port, d):
    """One connection of memcached's text protocol: set, get of two keys
    (one value bigger than a segment), a miss, four commands in one write,
    quit (the server closes)."""
    big = bytes(b"ABCDEFGHIJKLMNOP"[i % 16] for i in range(BIG))
    steps = [(b"set fc:a 0 0 5\r\nhello\r\n", rb"STORED\r\n"),
             (b"set fc:big 7 0 %d\r\n%s\r\n" % (BIG, big), rb"STORED\r\n"),
             (b"get fc:a fc:big\r\n", rb"END\r\n"),
             (b"incr fc:n 1\r\n", rb"NOT_FOUND\r\n"),
             (b"version\r\nget fc:a\r\ndelete fc:a\r\nget fc:a\r\n", rb"DELETED\r\nEND\r\n"),
             (b"quit\r\n", rb"")]
    sent, received = talk(port, steps)
    want = (rb"STORED\r\nSTORED\r\nVALUE fc:a 0 5\r\nhello\r\nVALUE fc:big 7 %d\r\n%s\r\nEND\r\n"
            rb"NOT_FOUND\r\nVERSION [0-9.]+\r\nVALUE fc:a 0 5\r\nhello\r\nEND\r\nDELETED\r\nEND\r\n"
            % (BIG, big))
    if not re.fullmatch(want, received):
        die("memcached replies differ from the protocol: %r" % received[-200:])
    save_plan(d, [line_conn("memcached text protocol", sent, received)])


# ---------------------------------------------------------- PostgreSQL --

def pg_plan(d, name, ssl, queries):
    """Appends the plan of one psql run: the client's messages (the
    startup message's size is psql's business: None), its first server
    byte ("N", "S" or none); the server's messages come from tshark."""
    plan = load_plan(d)
    c2s = []
    if ssl:
        c2s.append({"type": "SSL request", "len": 4, "hdr": 4, "prelude": True,
                    "hex": "04d2162f"})
    if ssl != "S":
        c2s.append({"type": "Startup message", "len": None, "hdr": 4, "prelude": True})
        for q in queries:
            c2s.append({"type": "Simple query", "len": len(q.encode()) + 1, "hdr": 5,
                        "prelude": False, "hex": q.encode().hex() + "00"})
        c2s.append({"type": "Termination", "len": 0, "hdr": 5, "prelude": False})
    plan.append({"name": name, "c2s": c2s, "s2c": None, "s2c_first": ssl,
                 "queries": len(queries)})
    save_plan(d, plan)


# -------------------------------------------------------------- checks --

class Checks:
    def __init__(self, label):
        self.kind = label
        self.bad = 0

    def ok(self, msg):
        print("ok   real-servers: %s: %s" % (self.kind, msg))

    def fail(self, msg, detail=""):
        self.bad = 1
        print("FAIL real-servers: %s: %s" % (self.kind, msg))
        for line in str(detail).splitlines()[:20]:
            print("     " + line[:300])


def tshark(args):
    r = subprocess.run(["tshark", "-o", "tcp.reassemble_out_of_order:TRUE"] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
    return r.stdout.decode("utf-8", "replace")


def tshark_messages(pcap, port, proto, tfield, lfield):
    """Per tshark stream: {"c2s": [(type, len)], "s2c": [...]}."""
    out = tshark(["-r", pcap, "-d", "tcp.port==%d,%s" % (port, proto), "-T", "fields",
                  "-e", "tcp.stream", "-e", "tcp.dstport", "-e", tfield, "-e", lfield,
                  "-E", "occurrence=a", "-E", "aggregator=|"])
    streams = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[2]:
            continue
        st = streams.setdefault(int(parts[0]), {"c2s": [], "s2c": []})
        d = "c2s" if int(parts[1]) == port else "s2c"
        types, lens = parts[2].split("|"), parts[3].split("|")
        for i, t in enumerate(types):
            st[d].append((t, int(lens[i]) if i < len(lens) and lens[i] else None))
    return [streams[k] for k in sorted(streams)]


def payload_streams(pcap):
    """tshark's stream numbers of the connections that carry a byte, in
    order: a port probe (connect, close) before the clients is a stream
    too, and must not shift theirs."""
    out = tshark(["-r", pcap, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.stream"])
    return sorted({int(x) for x in out.split()})


def tshark_bytes(pcap):
    """The reassembled bytes of each tshark stream that carries any:
    [(c2s, s2c)], streams in order."""
    ids = payload_streams(pcap)
    if not ids:
        return []
    args = ["-r", pcap, "-q"]
    for i in ids:
        args += ["-z", "follow,tcp,raw,%d" % i]
    out = tshark(args)
    res = {i: (b"", b"") for i in ids}
    for block in out.split("Follow: tcp,raw")[1:]:
        m = re.search(r"Filter: tcp.stream eq (\d+)", block)
        if not m or int(m.group(1)) not in res:
            continue
        c2s = s2c = b""
        for line in block.splitlines():
            if re.fullmatch(r"[0-9a-f]+", line):
                c2s += bytes.fromhex(line)
            elif re.fullmatch(r"\t[0-9a-f]+", line):
                s2c += bytes.fromhex(line[1:])
        res[int(m.group(1))] = (c2s, s2c)
    return [res[i] for i in ids]


def read_json(path):
    objs = []
    try:
        with open(path) as f:
            for line in f:
                objs.append(json.loads(line))
    except (OSError, ValueError) as e:
        return None, str(e)
    return objs, None


def by_stream(objs):
    """Frames and anomalies per framecap stream, streams in order."""
    streams = {}
    for o in objs:
        if o.get("type") in ("frame", "anomaly"):
            st = streams.setdefault(o["stream"], {"c2s": [], "s2c": [], "anomalies": []})
            if o["type"] == "frame":
                st[o["dir"]].append(o)
            else:
                st["anomalies"].append(o)
    return [streams[k] for k in sorted(streams)]


def capture_side(c, kind, plan, pcap, port):
    """What tshark reads in framecap's -w file matches what the clients did."""
    if kind == "mqtt":
        got = tshark_messages(pcap, port, "mqtt", "mqtt.msgtype", "mqtt.len")
        want = [{d: [(str(f["type"]), f["len"]) for f in conn[d]] for d in ("c2s", "s2c")}
                for conn in plan]
        if got == want:
            n = sum(len(w["c2s"]) + len(w["s2c"]) for w in want)
            c.ok("capture: tshark reads in framecap's -w file the %d MQTT packets of %d "
                 "connections, types and remaining lengths as the clients did" % (n, len(plan)))
        else:
            c.fail("capture: tshark's MQTT packets in the -w file differ from the clients'",
                   "want %s\ngot  %s" % (want, got))
        return
    if kind == "lines":
        got = tshark_bytes(pcap)
        want = [(bytes.fromhex(p["c2s_bytes"]), bytes.fromhex(p["s2c_bytes"])) for p in plan]
        if got == want:
            c.ok("capture: the -w file holds every byte of the %d connections, each direction "
                 "exactly as the client sent and received it (%d bytes)"
                 % (len(plan), sum(len(a) + len(b) for a, b in want)))
        else:
            c.fail("capture: the -w file's streams differ from what the clients sent and received",
                   "streams %d, want %d; sizes %s vs %s" % (len(got), len(want),
                   [(len(a), len(b)) for a, b in got], [(len(a), len(b)) for a, b in want]))
        return
    # PostgreSQL: the client's messages exactly; the server's as tshark
    # sees them, with one ReadyForQuery per query plus the one after start.
    got = tshark_messages(pcap, port, "pgsql", "pgsql.type", "pgsql.length")
    raw = tshark_bytes(pcap)
    problems = []
    if len(got) != len(plan) or len(raw) != len(plan):
        problems.append("%d tshark streams with messages, %d followed, %d connections"
                        % (len(got), len(raw), len(plan)))
    for i, conn in enumerate(plan[:min(len(got), len(raw))]):
        want = [(f["type"], None if f["len"] is None else f["len"] + 4) for f in conn["c2s"]]
        have = [(t, None if w[1] is None else n) for (t, n), w in zip(got[i]["c2s"], want)]
        if have != want or len(got[i]["c2s"]) != len(want):
            problems.append("%s: client messages %s, want %s" % (conn["name"], got[i]["c2s"], want))
        s2c_bytes = raw[i][1]
        first = conn["s2c_first"]
        if first and s2c_bytes[:1] != first.encode():
            problems.append("%s: server's first byte %r, want %r" % (conn["name"], s2c_bytes[:1], first))
        if first == "S":
            if raw[i][0][8:9] != b"\x16" or s2c_bytes[1:2] != b"\x16":
                problems.append("%s: no TLS handshake after the SSLRequest and 'S'" % conn["name"])
            continue
        ready = sum(1 for t, _ in got[i]["s2c"] if t == "Ready for query")
        if ready != conn["queries"] + 1 or got[i]["s2c"][:1] != [("Authentication request", 8)]:
            problems.append("%s: server messages %s (want %d Ready for query)"
                            % (conn["name"], got[i]["s2c"], conn["queries"] + 1))
    if problems:
        c.fail("capture: tshark's PostgreSQL messages in the -w file differ from what psql did",
               "\n".join(problems))
    else:
        c.ok("capture: tshark reads in the -w file the messages of %d psql runs as psql sent "
             "them (%s), the server's answers as expected" %
             (len(plan), ", ".join(str(len(got[i]["c2s"])) for i in range(len(plan)))))


def frame_view(f):
    """The fields of a framecap frame record the checks compare."""
    v = {"len": f.get("payload_len"), "hdr": f.get("header_len"),
         "prelude": bool(f.get("prelude", False))}
    return v


def framing_side(c, kind, plan, live, replay, port, pcap):
    """framecap's frames (live, and replayed from its own -w file) are the
    clients' messages: same count, sizes, headers, payloads; prelude
    frames marked; no anomaly (but where TLS starts after an 'S')."""
    if live is None:
        return
    streams = by_stream(live)
    if len(streams) != len(plan):
        c.fail("framing: framecap saw %d streams, the clients opened %d" % (len(streams), len(plan)))
        return
    if kind == "pg":
        oracle = tshark_messages(pcap, port, "pgsql", "pgsql.type", "pgsql.length")
    problems = []
    nframes = 0
    for i, (conn, st) in enumerate(zip(plan, streams)):
        if conn.get("s2c_first") == "S":
            # TLS follows the SSLRequest and the 'S': only the prelude is
            # PostgreSQL's, what framecap makes of the TLS records is not
            # checked here.
            f = st["c2s"][:1]
            s2c = sorted([o["offset"] for o in st["s2c"] if not o.get("prelude")] +
                         [a["offset"] for a in st["anomalies"] if a["dir"] == "s2c"])
            if [frame_view(x) for x in f] != [{"len": 4, "hdr": 4, "prelude": True}] or \
               f[0].get("payload_hex") != "04d2162f" or s2c[:1] not in ([], [1]):
                problems.append("%s: SSLRequest %s, server side starts at %s (want a prelude "
                                "frame 04d2162f, the 'S' skipped)" % (conn["name"], f, s2c[:3]))
            nframes += 1
            continue
        for d in ("c2s", "s2c"):
            want = conn[d]
            if want is None:   # PostgreSQL server: tshark's messages
                want = [{"len": n - 4, "hdr": 5, "prelude": False}
                        for _, n in (oracle[i]["s2c"] if i < len(oracle) else [])]
            got = st[d]
            if d == "s2c" and conn.get("s2c_first"):
                # the server's 'N' may show as a prelude record of its own
                # (checked below), the rest are the messages
                got = [f for f in got if not f.get("prelude")]
            nframes += len(got)
            gv = [frame_view(f) for f in got]
            wv = [{"len": w["len"] if w["len"] is not None else g["len"], "hdr": w["hdr"],
                   "prelude": w["prelude"]} for w, g in zip(want, gv + [{"len": None}] * len(want))]
            if gv != wv:
                problems.append("%s %s: frames %s\n  want %s" % (conn["name"], d, gv[:12], wv[:12]))
                continue
            for w, f in zip(want, got):
                ph = f.get("payload_hex", "")
                if ("hex" in w and ph != w["hex"]) or ("tail" in w and not ph.endswith(w["tail"])):
                    problems.append("%s %s frame %d: payload %s..., want %s..."
                                    % (conn["name"], d, f["index"], ph[:40],
                                       w.get("hex", "..." + w.get("tail", ""))[:40]))
                    break
                if kind == "pg" and w["len"] is not None and f.get("length") != w["len"] + 4:
                    problems.append("%s %s frame %d: length %s, want %d"
                                    % (conn["name"], d, f["index"], f.get("length"), w["len"] + 4))
                    break
                if kind == "lines" and (f.get("trailer_len") != 2 or "length" in f):
                    problems.append("%s %s frame %d: trailer_len %s, length %s (want 2, none)"
                                    % (conn["name"], d, f["index"], f.get("trailer_len"), f.get("length")))
                    break
                if kind == "mqtt" and f.get("length") != w["len"]:
                    problems.append("%s %s frame %d: length %s, want %d"
                                    % (conn["name"], d, f["index"], f.get("length"), w["len"]))
                    break
        if conn.get("c2s_sticky") and not all(f["sticky"] for f in st["c2s"]):
            problems.append("%s: the commands written at once are not all sticky" % conn["name"])
        first = conn.get("s2c_first")
        if first:
            # the server's one byte is skipped: nothing but a prelude mark
            # starts at offset 0 of its direction
            main = [f for f in st["s2c"] if not f.get("prelude")]
            pre = [f for f in st["s2c"] if f.get("prelude")]
            an = [a for a in st["anomalies"] if a["dir"] == "s2c"]
            starts = sorted([f["offset"] for f in main] + [a["offset"] for a in an])
            if starts[:1] != [1] or sum(f.get("payload_len", 0) + f.get("header_len", 0) for f in pre) > 1:
                problems.append("%s: the server's %r is not skipped as a prelude (s2c starts at %s)"
                                % (conn["name"], first, starts[:3]))
        anomalies = st["anomalies"]
        if anomalies:
            problems.append("%s: anomalies %s" % (conn["name"], [a["detail"] for a in anomalies][:3]))
    if any(o.get("type") == "frame" and o.get("split") for o in live):
        nsplit = sum(1 for o in live if o.get("type") == "frame" and o.get("split"))
    else:
        nsplit = 0
    if kind in ("mqtt", "lines") and nsplit == 0:
        problems.append("no split frame, though messages larger than a segment were sent")
    if problems:
        c.fail("framing: framecap's live frames differ from what the clients did", "\n".join(problems))
    else:
        c.ok("framing: framecap live finds the %d messages of %d connections, sizes, headers and "
             "payloads as the clients sent and received them (%d split), no anomaly"
             % (nframes, len(plan), nsplit))
    if replay is not None:
        strip = lambda objs: [o for o in objs if o.get("type") in ("frame", "anomaly")]
        if strip(live) == strip(replay):
            c.ok("framing: replaying framecap's own -w file gives the same %d records"
                 % len(strip(live)))
        else:
            c.fail("framing: the frames replayed from framecap's -w file differ from the live ones")


def check(kind, d, port):
    c = Checks(os.path.basename(os.path.normpath(d)))
    plan = load_plan(d)
    if not plan:
        c.fail("no client plan in %s (the workload failed)" % d)
        return c.bad
    bad = c.bad
    capture_side(c, kind, plan, os.path.join(d, "plain.pcap"), port)
    if c.bad != bad:
        try:
            m = re.search(r"(\d+) dropped by kernel", open(os.path.join(d, "plain.txt")).read())
            if m and int(m.group(1)):
                print("     (the kernel dropped %s packets of this capture)" % m.group(1))
        except OSError:
            pass
    live, err = read_json(os.path.join(d, "live.jsonl"))
    status = open(os.path.join(d, "live.status")).read().strip() \
        if os.path.exists(os.path.join(d, "live.status")) else "missing"
    if status != "0" or live is None or not live or live[-1].get("type") != "summary":
        c.fail("framing: framecap --config tests/real-servers/%s.yaml --profile %s did not capture (exit %s)"
               % (kind, kind, status),
               open(os.path.join(d, "live.err")).read() if os.path.exists(os.path.join(d, "live.err")) else err)
        return c.bad
    replay, _ = read_json(os.path.join(d, "replay.jsonl"))
    bad = c.bad
    framing_side(c, kind, plan, live, replay, port, os.path.join(d, "plain.pcap"))
    if c.bad != bad and live[-1].get("pcap_dropped"):
        print("     (the kernel dropped %s packets of this capture)" % live[-1]["pcap_dropped"])
    return c.bad


def main(argv):
    if len(argv) < 3:
        die("usage: see the top of this file")
    cmd = argv[1]
    if cmd == "mqtt-plan":
        mqtt_plan(argv[2])
    elif cmd == "redis":
        redis(int(argv[2]), argv[3])
    elif cmd == "memcached":
        memcached(int(argv[2]), argv[3])
    elif cmd == "pg-plan":
        pg_plan(argv[2], argv[3], argv[4] if argv[4] != "-" else None, argv[5:])
    elif cmd == "check":
        return check(argv[2], argv[3], int(argv[4]))
    else:
        die("unknown subcommand " + cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
