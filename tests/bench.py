#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench.py - framecap's speed and memory beside tcpdump reading the same file.

Generates (once, deterministically, with build/fc-pcapgen) four captures:
many small frames in small packets, few connections with large frames,
many interleaved connections (10,000 open at once) and 50,000 connections
all open at once. Then, BENCH_RUNS times, runs tcpdump -r F -w /dev/null
and framecap (--json, text) one right after the other on the same file:
each framecap run is divided by the tcpdump run of its own round (a pair),
and the ratio printed is the median of the pairs, with their min and max.
Beside it, the ratio of median CPU time (user + system, GNU time's, 10 ms
resolution): on a shared machine it moves less than the wall time, but
framecap's reader thread makes it count work that overlaps in wall time.
The machine's load average is printed at each case, and a wide spread
(max - min above a quarter of the median) is flagged: the machine was
busy, the figure is not to be trusted.

    | capture | tool | median s | x tcpdump (median) | min | max | CPU x | peak RSS |

tshark with the plugin runs once per capture (it is slow); BENCH_TSHARK=0
leaves it out. BENCH_INSTR=1 also counts each tool's instructions once
(valgrind's callgrind, user space only: about 50 times slower than a
run, but the same on a busy machine as on a quiet one) and prints their
ratio to tcpdump's in a second table. BENCH_BASELINE=PATH runs another framecap binary (an older
build) in the same rounds, to compare two builds under the same load.
"""
import json, os, statistics, subprocess, sys, time

B = os.environ.get("B", "build")
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TSHARK = os.environ.get("BENCH_TSHARK", "1") != "0"
OUT = os.path.join(B, "bench")
CASES = [  # name, pcapgen scenario, count, what
    ("small-frames", "bench-small", os.environ.get("BENCH_SMALL", "2000000")),
    ("large-frames", "bench-large", os.environ.get("BENCH_LARGE", "400")),
    ("many-conns", "bench-conns", os.environ.get("BENCH_CONNS", "50000")),
    ("open-50k", "conns-open", os.environ.get("BENCH_OPEN", "50000")),
]
SPREAD_WARN = 0.25
BASELINE = os.environ.get("BENCH_BASELINE")
INSTR = os.environ.get("BENCH_INSTR", "0") != "0"


def run_once(cmd):
    """Wall seconds of one run (by the clock: GNU time's own has a 10 ms
    resolution), its CPU seconds (user + system, GNU time's) and its peak
    RSS in KiB (GNU time's, as it starts the tool from a small process),
    output to /dev/null."""
    with open(os.devnull, "wb") as null:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + cmd,
                           stdout=null, stderr=subprocess.PIPE, text=True)
        secs = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("bench: %s failed: %s" % (" ".join(cmd), p.stderr))
    rss, user, system = p.stderr.strip().splitlines()[-1].split()
    return max(secs, 0.001), max(float(user) + float(system), 0.01), int(rss)


def warm(path):
    """Read the file once, so that every tool finds it in the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def instructions(cmd):
    """User-space instructions of one run of cmd, by callgrind. tcpdump
    keeps its user (-Z): run as root, it would become the tcpdump user
    and could not write callgrind's file."""
    import pwd, shutil, tempfile
    if cmd[0] == "tcpdump":
        cmd = cmd[:1] + ["-Z", pwd.getpwuid(os.getuid()).pw_name] + cmd[1:]
    top = tempfile.mkdtemp(prefix="framecap-bench-instr-")
    try:
        with open(os.devnull, "wb") as null:
            # Through exec too: a baseline may be a script that runs framecap.
            p = subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                                "--callgrind-out-file=" + os.path.join(top, "out.%p")] + cmd,
                               stdout=null, stderr=subprocess.PIPE, text=True)
        counts = [int(line.split(":")[-1]) for line in p.stderr.splitlines()
                  if "Collected :" in line]
        if p.returncode != 0 or not counts:
            sys.exit("bench: callgrind of %s failed: %s" % (" ".join(cmd), p.stderr[-500:]))
        return sum(counts)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def summary(path):
    """framecap's JSON summary of the file (read as a stream)."""
    p = subprocess.Popen([os.path.join(B, "framecap"), "-r", path, "--json",
                          "--payload-bytes", "0"], stdout=subprocess.PIPE, text=True)
    last = ""
    with p.stdout:
        for last in p.stdout:
            pass
    p.wait()
    return json.loads(last)


def tshark_setup():
    """tshark ignores plugin folders when run as root: run it as nobody
    (uid 65534) with the plugin in a folder of its own."""
    import shutil, tempfile
    so = os.path.join("dissector", "framecap.so")
    if not TSHARK or not os.path.exists(so) or not shutil.which("tshark"):
        return None
    top = tempfile.mkdtemp(prefix="framecap-bench-")
    epan = os.path.join(top, "plugins", "4.0", "epan")
    os.makedirs(epan)
    os.makedirs(os.path.join(top, "home"))
    shutil.copy(so, epan)
    for root, dirs, _ in os.walk(top):
        os.chmod(root, 0o755)
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    os.chmod(os.path.join(epan, "framecap.so"), 0o644)
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "env", "-i", "PATH=/usr/bin:/bin", "HOME=" + os.path.join(top, "home"),
            "WIRESHARK_PLUGIN_DIR=" + os.path.join(top, "plugins"), "tshark"]


def main():
    os.makedirs(OUT, exist_ok=True)
    fc = os.path.join(B, "framecap")
    ts = tshark_setup()
    rows, notes, instr = [], [], []
    for name, scenario, count in CASES:
        path = os.path.join(OUT, "%s-%s.pcap" % (name, count))
        if not os.path.exists(path):
            subprocess.run([os.path.join(B, "fc-pcapgen"), scenario, path, count],
                           check=True, stdout=subprocess.DEVNULL)
        size = os.path.getsize(path) / 1e6
        s = summary(path)
        notes.append("%s: %d MB, %d packets, %d streams, %d frames, live flows peak %d, %d evicted"
                     % (name, size, s["packets"], s["streams"], s["frames"],
                        s["live_flows_peak"], s["flows_evicted"]))
        tools = [
            ("tcpdump -w /dev/null", ["tcpdump", "-r", path, "-w", "/dev/null"]),
            ("framecap --json", [fc, "-r", path, "--json"]),
            ("framecap text", [fc, "-r", path, "--color=never"]),
        ]
        if BASELINE:  # another build, in the same rounds
            tools[3:3] = [("baseline --json", [BASELINE, "-r", path, "--json"]),
                          ("baseline text", [BASELINE, "-r", path, "--color=never"])]
        load = os.getloadavg()[0]
        warm(path)
        secs = {label: [] for label, _ in tools}
        ratios = {label: [] for label, _ in tools}
        cpu = {label: [] for label, _ in tools}
        rss = {label: 0 for label, _ in tools}
        for _ in range(RUNS):  # one round: every tool once, in a row
            base = None
            for label, cmd in tools:
                t, c, m = run_once(cmd)
                base = base or t
                secs[label].append(t)
                ratios[label].append(t / base)
                cpu[label].append(c)
                rss[label] = max(rss[label], m)
        cbase = statistics.median(cpu["tcpdump -w /dev/null"])
        for label, _ in tools:
            med = statistics.median(ratios[label])
            lo, hi = min(ratios[label]), max(ratios[label])
            wide = med > 0 and (hi - lo) > SPREAD_WARN * med
            rows.append((name, label, statistics.median(secs[label]), med, lo, hi,
                         statistics.median(cpu[label]) / cbase,
                         rss[label] / 1024, "%.2f%s" % (load, " WIDE" if wide else "")))
        if INSTR:
            counts = [(label, instructions(cmd)) for label, cmd in tools]
            for label, n in counts:
                instr.append((name, label, n / 1e6, n / counts[0][1]))
        if ts:  # one run: it is slow
            t, c, m = run_once(ts + [
                "-r", os.path.abspath(path), "-o", "tcp.reassemble_out_of_order:TRUE",
                "-Y", "framecap", "-T", "fields", "-e", "frame.number",
                "-e", "framecap.index", "-e", "framecap.length", "-e", "framecap.payload"])
            rows.append((name, "tshark + plugin (1 run)", t,
                         t / statistics.median(secs["tcpdump -w /dev/null"]),
                         float("nan"), float("nan"), c / statistics.median(cpu["tcpdump -w /dev/null"]),
                         m / 1024, "%.2f" % load))
    print("| capture | tool | median s | x tcpdump (median of %d pairs) | min | max | CPU x tcpdump | peak RSS MiB | load |" % RUNS)
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print("| %s | %s | %.3f | %.2f | %.2f | %.2f | %.2f | %.1f | %s |" % r)
    print()
    if instr:
        print("| capture | tool | instructions (M, callgrind) | x tcpdump |")
        print("|---|---|---:|---:|")
        for r in instr:
            print("| %s | %s | %.1f | %.2f |" % r)
        print()
    for n in notes:
        print(n)
    if any("WIDE" in r[8] for r in rows):
        print("WARNING: some ratios spread by more than %d%% of their median (WIDE): "
              "the machine was busy; run again on a quiet one" % (SPREAD_WARN * 100))
    if not ts:
        print("tshark with the framecap plugin: not measured")
    print("%d paired rounds per capture (wall time by the clock, peak RSS by GNU time); "
          "%s cores, load average %.2f at the end, %s"
          % (RUNS, os.cpu_count(), os.getloadavg()[0], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))


if __name__ == "__main__":
    main()
