#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mutate.py - hostile input for framecap and the Wireshark plugin.

Runs capture files, as they are or mutated, through framecap (text and
--json) or through tshark with the plugin, in parallel, and checks each
run: no crash (signal, sanitizer report), no hang (timeout), and for
framecap exit status 0, or 1 with a one-line "framecap: FILE: ..." error
(every stderr line such a line: a warning may come first) and, with
--json, JSON Lines ending with the summary;
for tshark no "Dissector bug" and no "Malformed Packet: framecap".
Used by tests/suites/mutations.sh; prints "ok   LABEL ..." or
"FAIL LABEL ..." (with details) and exits 1 on failure.

Mutations are deterministic: mutation I of seed S depends only on S, I and
the sorted list of source files, so a failing one can be made again:

  mutate.py run --tool framecap --framecap build/framecap --work DIR \\
      (--corpus DIR | --mutate N --seed S --sources DIR...)
  mutate.py run --tool tshark --plugin-dir DIR --home DIR --work DIR ...
  mutate.py make --seed S --index I --sources DIR... [--max-source-size N] --out FILE

Sources: the capture files (.pcap, .pcapng, .cap) under each DIR; each
mutation picks a DIR first (each as likely), then a file in it.
"""
import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import random
import re
import shlex
import struct
import subprocess
import sys
import threading
import time
import traceback

SANITIZER = re.compile(rb"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|"
                       rb"SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer|"
                       rb"AddressSanitizer:DEADLYSIGNAL|UndefinedBehaviorSanitizer")
TS_BAD = re.compile(rb"Dissector bug|Malformed Packet: framecap", re.I)
TS_BAD_STDERR = re.compile(rb"Dissector bug|framecap|assert|sanitizer|runtime error|"
                           rb"CRITICAL|\bERROR\b", re.I)
INTERESTING = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
               0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xffffff, 0x1000000, 16, 32, 64,
               1500, 65535, 65536, 262144, 262145]


# ---- where the bytes that matter are: record and block headers, the first
# bytes of each packet (link, IP and TCP headers, framecap's length field)
def regions(data):
    n = len(data)
    out = [(0, min(n, 32))]
    if n < 24:
        return out
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\x34\xcd\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d", b"\xa1\xb2\xcd\x34"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        return out + pcapng_regions(data)
    else:
        return out
    hdr = 24 + (8 if magic in (b"\x34\xcd\xb2\xa1", b"\xa1\xb2\xcd\x34") else 0)
    off = 24
    while off + 16 <= n and len(out) < 20000:
        incl = struct.unpack_from(e + "I", data, off + 8)[0]
        out.append((off, 16))
        out.append((off + hdr - 8, min(96, max(0, n - off - hdr + 8))))
        if incl > n:
            break
        off += hdr - 8 + incl
    return out


def pcapng_regions(data):
    n, off, out, e = len(data), 0, [], "<"
    while off + 12 <= n and len(out) < 20000:
        btype = struct.unpack_from(e + "I", data, off)[0]
        if btype == 0x0A0D0D0A and off + 12 <= n:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            btype = struct.unpack_from(e + "I", data, off)[0]
        blen = struct.unpack_from(e + "I", data, off + 4)[0]
        out.append((off, 12))
        body = off + 28 if btype in (6, 2) else off + 8
        if btype == 3:
            body = off + 12
        out.append((body, min(96, max(0, n - body))))
        if blen < 12 or off + blen > n:
            break
        out.append((off + blen - 4, 4))
        off += blen
    return out


class Source:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        self.regions = [r for r in regions(self.data) if r[1] > 0] or [(0, len(self.data))]


def pick_pos(rng, src, size, extra=0):
    """An offset in a buffer of SIZE bytes (SRC's regions approximately)."""
    if size <= 0:
        return 0
    if rng.random() < 0.35:
        return rng.randrange(size + extra)
    off, ln = rng.choice(src.regions)
    return min(off + rng.randrange(max(ln, 1)), size - 1 + extra)


def one_op(rng, src, buf, kind):
    n = len(buf)
    if kind == "bitflip":
        p = pick_pos(rng, src, n)
        if n == 0:
            return "bitflip(empty)"
        bits = rng.choice((1, 1, 1, 2, 4, 8))
        done = []
        for _ in range(bits):
            q = min(n - 1, max(0, p + rng.randrange(-2, 3))) if done else p
            b = rng.randrange(8)
            buf[q] ^= 1 << b
            done.append("%d.%d" % (q, b))
        return "bitflip@" + ",".join(done)
    if kind == "overwrite":
        if n == 0:
            return "overwrite(empty)"
        p = pick_pos(rng, src, n)
        if rng.random() < 0.5:
            width = rng.choice((1, 2, 4))
            v = rng.choice(INTERESTING) & ((1 << (8 * width)) - 1)
            new = v.to_bytes(width, rng.choice(("little", "big")))
        else:
            new = bytes(rng.randrange(256) for _ in range(rng.choice((1, 1, 2, 4, 8, 16))))
        new = new[:n - p]
        buf[p:p + len(new)] = new
        return "overwrite@%d=%s" % (p, new.hex())
    if kind == "truncate":
        p = pick_pos(rng, src, n) if rng.random() < 0.6 else rng.randrange(n + 1)
        del buf[p:]
        return "truncate@%d" % p
    if kind == "insert":
        p = pick_pos(rng, src, n, extra=1)
        k = rng.choice((1, 1, 2, 3, 4, 7, 8, 16, 64))
        new = bytes([rng.randrange(256)]) * k if rng.random() < 0.3 else \
            bytes(rng.randrange(256) for _ in range(k))
        buf[p:p] = new
        return "insert@%d+%d" % (p, k)
    if kind == "delete":
        if n == 0:
            return "delete(empty)"
        p = pick_pos(rng, src, n)
        k = rng.choice((1, 1, 2, 3, 4, 8, 16, 64))
        del buf[p:p + k]
        return "delete@%d-%d" % (p, k)
    raise ValueError(kind)


KINDS = [("bitflip", 30), ("overwrite", 25), ("truncate", 15), ("insert", 10),
         ("delete", 10), ("havoc", 10)]


def mutation(seed, index, pools):
    """(source, bytes, description) of mutation INDEX: its source from one
    of the POOLS (one per source directory, each as likely)."""
    rng = random.Random("framecap-mutation:%s:%d" % (seed, index))
    src = rng.choice(rng.choice(pools))
    buf = bytearray(src.data)
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    if kind == "havoc":
        ops = [one_op(rng, src, buf, rng.choice(("bitflip", "overwrite", "insert", "delete")))
               for _ in range(rng.randrange(2, 6))]
        if rng.random() < 0.3:
            ops.append(one_op(rng, src, buf, "truncate"))
        desc = "havoc:" + ";".join(ops)
    else:
        desc = one_op(rng, src, buf, kind)
    return src, bytes(buf), desc


CAPTURE_EXT = (".pcap", ".pcapng", ".cap")


def captures_in(d):
    """The capture files under D, sorted (by their path below D)."""
    out = []
    for dirpath, _, names in os.walk(d):
        out += [os.path.join(dirpath, n) for n in names if n.endswith(CAPTURE_EXT)]
    return sorted(out, key=lambda p: os.path.relpath(p, d))


def read_sources(dirs, max_size=None):
    """One pool of sources per directory, without the empty ones."""
    pools = []
    for d in dirs:
        pool = [Source(p) for p in captures_in(d)
                if max_size is None or os.path.getsize(p) <= max_size]
        if pool:
            pools.append(pool)
    if not pools:
        sys.exit("mutate.py: no capture files in %s" % " ".join(dirs))
    return pools


# ---- running and checking
def timed(cmd, timeout, **kw):
    """CMD run to its end, or killed after TIMEOUT seconds: then status 124,
    as timeout(1) says it. Not timeout(1) itself: a second exec doubles the
    cost of a run of framecap on a small capture (15 ms against 8 here)."""
    try:
        return subprocess.run(cmd, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, 124, e.stdout or b"", e.stderr or b"")
    except OSError as e:  # as a shell says it: 127, not found; 126, not runnable
        return subprocess.CompletedProcess(cmd, 127 if isinstance(e, FileNotFoundError) else 126,
                                           b"", str(e).encode())


def status_problem(rc):
    if rc in (124, 137):
        return "hang"
    if rc >= 128 or rc < 0:
        return "crash"
    if rc in (125, 126, 127):
        return "could not run"
    return None


def excerpt(err):
    """The start of stderr, and a sanitizer's SUMMARY line."""
    lines = err.decode("utf-8", "replace").strip().splitlines()
    if len(lines) <= 14:
        return "\n".join(lines)
    summary = [line for line in lines[12:] if line.startswith("SUMMARY:")]
    return "\n".join(lines[:12] + ["..."] + summary[-1:])


def run_framecap(a, path):
    """Problems of PATH through framecap, text then --json; (problems, info)."""
    problems, info = [], {}
    for mode in ("text", "json"):
        cmd = [a.framecap, "-r", path] + (["--json"] if mode == "json" else [])
        p = timed(cmd, a.timeout, cwd=a.cwd, env=a.env, stdin=subprocess.DEVNULL,
                  stdout=subprocess.PIPE if mode == "json" else subprocess.DEVNULL,
                  stderr=subprocess.PIPE)
        rc, err = p.returncode, p.stderr
        info[mode] = rc
        what = None
        if SANITIZER.search(err):
            what = ("leak" if b"ERROR: LeakSanitizer" in err and
                    not re.search(rb"ERROR: (Address|Memory|Thread)Sanitizer|runtime error:", err)
                    else "crash"), "sanitizer report"
        elif status_problem(rc):
            what = status_problem(rc), "exit %d" % rc
        elif rc not in (0, 1):
            what = "status", "exit %d" % rc
        else:
            # Each message one "framecap: FILE: ..." line (a warning such as
            # "link type X is not supported" may come before the error);
            # exit 1 ends with one.
            lines = err.decode("utf-8", "replace").splitlines()
            prefix = "framecap: %s: " % path
            odd = [line for line in lines
                   if not line.startswith(prefix) or len(line) == len(prefix)]
            if odd:
                what = "unclear", "exit %d; stderr has lines other than " \
                    "'framecap: FILE: MESSAGE'" % rc
            elif rc == 1 and not lines:
                what = "unclear", "exit 1 without a 'framecap: FILE: MESSAGE' line"
            elif rc == 0 and lines:
                info["warned"] = True
            elif rc == 1 and len(lines) > 1:
                info["warned+refused"] = True
        if what is None and mode == "json":
            try:
                objs = [json.loads(line) for line in p.stdout.decode().splitlines()]
                if rc == 0 and (not objs or objs[-1].get("type") != "summary"):
                    what = "json", "exit 0 without a summary line last"
                info["frames"] = any(o.get("type") == "frame" for o in objs)
            except (ValueError, UnicodeDecodeError) as e:
                what = "json", "stdout is not JSON Lines (%s)" % e
        if what:
            problems.append((what[0], "%s (%s)" % (what[1], mode), excerpt(err),
                             " ".join(shlex.quote(c) for c in
                                      [a.framecap_shown or a.framecap] + cmd[1:])))
    return problems, info


def ts_prefix(a, plugin_dir=None, home=None):
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "env", "-i", "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "HOME=" + (home or a.home),
            "WIRESHARK_PLUGIN_DIR=" + (plugin_dir or a.plugin_dir), "tshark"]


TS_CONFIGS = {
    # the plugin on every TCP port (Decode As), so it sees all TCP traffic
    "all-ports": ["-d", "tcp.port==1-65535,framecap"],
    # port 8001 as installed, and the heuristic tried before the port dissectors
    "heuristic": ["--enable-heuristic", "framecap_tcp", "-o", "tcp.try_heuristic_first:TRUE"],
}


def run_tshark(a, path, config, verbose):
    """tshark -r - < PATH (the file stays root's; the output is scanned)."""
    args = ["-r", "-", "-o", "tcp.reassemble_out_of_order:TRUE"] + TS_CONFIGS[config] + \
        (["-V"] if verbose else [])
    cmd = ["timeout", "-k", "5", str(a.timeout)] + ts_prefix(a) + args
    errfile = path + ".ts-err" if a.mutating else os.path.join(
        a.work, "ts-err-%d" % threading.get_ident())
    bad, carry, seen = None, b"", False
    with open(path, "rb") as fin, open(errfile, "wb") as ferr:
        p = subprocess.Popen(cmd, stdin=fin, stdout=subprocess.PIPE, stderr=ferr)
        while True:
            chunk = p.stdout.read(1 << 20)
            if not chunk:
                break
            seen = seen or b"framecap" in carry + chunk
            if bad is None:
                m = TS_BAD.search(carry + chunk)
                if m:
                    buf = carry + chunk
                    s = buf.rfind(b"\n", 0, m.start()) + 1
                    e = buf.find(b"\n", m.end())
                    bad = buf[s:e if e >= 0 else len(buf)].strip()[:300]
                carry = chunk[-200:]
        rc = p.wait()
    with open(errfile, "rb") as f:
        err = f.read()
    os.unlink(errfile)
    problems = []
    # to run it again (from the source tree, as root): the plugin in a
    # directory of its own, the capture on standard input
    shown = "make -s install-plugin PLUGIN_DIR=/tmp/fcp && chmod -R a+rX /tmp/fcp && " + \
        " ".join(shlex.quote(c) for c in ts_prefix(a, "/tmp/fcp", "/nonexistent") + args) + \
        " < " + shlex.quote(path)
    if status_problem(rc):
        problems.append((status_problem(rc), "tshark exit %d" % rc, excerpt(err), shown))
    if bad is not None:
        problems.append(("dissector", "in the output: " + bad.decode("utf-8", "replace"),
                         "", shown))
    odd = [line for line in err.splitlines()
           if not line.startswith(b"tshark: ") and TS_BAD_STDERR.search(line)] + \
          [line for line in err.splitlines()
           if line.startswith(b"tshark: ") and re.search(rb"Dissector bug|framecap", line, re.I)]
    if odd or SANITIZER.search(err):
        problems.append(("warning", "on stderr", excerpt(err), shown))
    other = [line for line in err.splitlines()
             if not line.startswith((b"tshark: ", b"(")) and line.strip()]
    return problems, {"rc": rc, "seen": seen, "other_stderr": other[0].decode("utf-8", "replace")[:200]
                      if other and not odd else None}


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--tool", choices=("framecap", "tshark"), required=True)
    r.add_argument("--label", default="mutations")
    r.add_argument("--framecap")
    r.add_argument("--framecap-shown", help="framecap's name in the commands shown "
                   "(when --framecap is a copy)")
    r.add_argument("--plugin-dir")
    r.add_argument("--home")
    r.add_argument("--cwd", help="framecap's working directory (no framecap.yaml)")
    r.add_argument("--work", required=True, help="where mutated files are written")
    r.add_argument("--keep", help="where failing inputs are copied")
    r.add_argument("--crash-dir", default="/tmp")
    r.add_argument("--mutate", type=int, help="this many mutations")
    r.add_argument("--seed", default="1")
    r.add_argument("--sources", nargs="+", metavar="DIR",
                   help="mutate the captures under these directories")
    r.add_argument("--corpus", metavar="DIR", help="run every capture under DIR")
    r.add_argument("--max-source-size", type=int)
    r.add_argument("--ts-config", default="alternate",
                   help="all-ports, heuristic, or alternate (by index)")
    r.add_argument("--verbose", action="store_true", help="tshark -V")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    r.add_argument("--timeout", type=int, default=60)
    r.add_argument("--max-failures", type=int, default=10)
    r.add_argument("--what", default="")
    m = sub.add_parser("make")
    m.add_argument("--seed", default="1")
    m.add_argument("--index", type=int, required=True)
    m.add_argument("--sources", nargs="+", metavar="DIR", required=True)
    m.add_argument("--max-source-size", type=int)
    m.add_argument("--out", required=True)
    a = ap.parse_args()

    if a.cmd == "make":
        src, data, desc = mutation(a.seed, a.index, read_sources(a.sources, a.max_source_size))
        with open(a.out, "wb") as f:
            f.write(data)
        print("%s: %s" % (src.path, desc))
        return 0

    a.env = dict(os.environ, HOME=a.home or a.work)
    a.cwd = a.cwd or a.work
    os.makedirs(a.work, exist_ok=True)
    a.mutating = a.mutate is not None
    pools = read_sources(a.sources, a.max_source_size) if a.mutating else []
    if a.mutating:
        items = list(range(a.mutate))
    else:
        items = captures_in(a.corpus)
    t0 = time.time()
    failures, infos = [], []
    lock = threading.Lock()
    nfailed = [0]
    stop = threading.Event()

    def job(item):
        if stop.is_set():
            return None
        try:
            return job1(item)
        except Exception as e:  # a bug here, shown as a failure, not a traceback
            stop.set()
            return item, str(item), [("internal error in mutate.py", repr(e),
                                      traceback.format_exc(), "")], {}, []

    def job1(item):
        if a.mutating:
            src, data, desc = mutation(a.seed, item, pools)
            ext = os.path.splitext(src.path)[1] or ".pcap"
            path = os.path.join(a.work, "m%05d%s" % (item, ext))
            with open(path, "wb") as f:
                f.write(data)
            origin = "mutation %d of seed %s: %s of %s\n       again: %s" % (
                item, a.seed, desc, src.path, " ".join(shlex.quote(c) for c in [
                    "python3", os.path.abspath(__file__), "make", "--seed", a.seed, "--index",
                    str(item), "--sources"] + a.sources + (
                    ["--max-source-size", str(a.max_source_size)] if a.max_source_size else []) +
                    ["--out", "FILE"]))
        else:
            path, origin, data = item, item, None
        if a.tool == "framecap":
            problems, info = run_framecap(a, path)
        else:
            config = a.ts_config
            if config == "alternate":
                config = ("all-ports", "heuristic")[item % 2 if a.mutating else 0]
            problems, info = run_tshark(a, path, config, a.verbose)
            info["config"] = config
        kept = []
        if problems:
            with lock:
                nfailed[0] += 1
                if nfailed[0] >= a.max_failures:
                    stop.set()
            if data is None:
                with open(path, "rb") as f:
                    data = f.read()
            base = ("tshark-" if a.tool == "tshark" else "") + \
                hashlib.sha1(data).hexdigest()[:12] + (os.path.splitext(path)[1] or ".pcap")
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                kept.append(os.path.join(a.keep, base))
            if any(p[0] in ("crash", "hang", "leak") for p in problems):
                os.makedirs(a.crash_dir, exist_ok=True)
                kept.append(os.path.join(a.crash_dir, "framecap-crash-" + base))
            for k in kept:
                with open(k, "wb") as f:
                    f.write(data)
            if kept and a.mutating:  # the command to run again, on the copy kept
                problems = [(k, m, d, c.replace(shlex.quote(path), shlex.quote(kept[-1])))
                            for k, m, d, c in problems]
        if a.mutating:
            os.unlink(path)
        return item, origin, problems, info, kept

    with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for res in ex.map(job, items):
            if res is None:
                continue
            item, origin, problems, info, kept = res
            infos.append(info)
            if problems:
                failures.append((origin, problems, kept))
    elapsed = time.time() - t0
    done = len(infos)

    n = len(items)
    if a.mutating:
        what = "%d mutated captures (seed %s, %d sources%s)" % (
            done, a.seed, sum(len(p) for p in pools),
            ", each <= %d KiB" % (a.max_source_size // 1024) if a.max_source_size else "")
    else:
        what = "%d corpus files" % done
    if a.tool == "framecap":
        refused = sum(1 for i in infos if i.get("text") == 1)
        warned = sum(1 for i in infos if i.get("warned"))
        both = sum(1 for i in infos if i.get("warned+refused"))
        what += " through %s, text and --json (%d with frames)" % (
            a.framecap_shown or a.framecap, sum(1 for i in infos if i.get("frames")))
        claim = "no crash, no sanitizer report, no hang; exit 0, or 1 with a one-line " \
                "'framecap: FILE: ...' error (%d refused; %d read with a one-line " \
                "warning%s)" % (refused, warned,
                                ", %d warned then refused" % both if both else "")
    else:
        rcs = {}
        for i in infos:
            rcs[i["rc"]] = rcs.get(i["rc"], 0) + 1
        cfgs = sorted({i["config"] for i in infos})
        what += " through tshark+plugin%s (%s; framecap in the output of %d)" % (
            " -V" if a.verbose else "", ", ".join(
            {"all-ports": "Decode As framecap on every TCP port",
             "heuristic": "heuristic framecap_tcp tried first"}[c] for c in cfgs),
            sum(1 for i in infos if i.get("seen")))
        claim = "no crash, no hang, no 'Dissector bug' or 'Malformed Packet: framecap' " \
                "(tshark exit status: %s)" % ", ".join(
                    "%d x%d" % (k, v) for k, v in sorted(rcs.items()))
    if a.what:
        what += " " + a.what
    others = [i["other_stderr"] for i in infos if i.get("other_stderr")]
    if others:
        claim += "; %d runs printed other warnings on stderr, e.g. %s" % (len(others), others[0])
    stopped = " (stopped after %d failing inputs, %d of %d run)" % (
        len(failures), done, n) if stop.is_set() else ""
    if not failures:
        print("ok   %s: %s: %s [%.0f s]" % (a.label, what, claim, elapsed))
        return 0
    print("FAIL %s: %s: %d failing input%s%s [%.0f s]" % (
        a.label, what, len(failures), "s" if len(failures) > 1 else "", stopped, elapsed))
    for origin, problems, kept in failures:
        print("     %s" % origin)
        for kind, msg, detail, cmd in problems:
            print("       %s: %s" % (kind, msg))
            for line in detail.splitlines()[:12]:
                print("         | %s" % line)
            print("         run: %s" % cmd)
        for k in kept:
            print("       kept: %s" % k)
    return 1


if __name__ == "__main__":
    sys.exit(main())
