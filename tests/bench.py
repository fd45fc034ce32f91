#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench.py - framecap's speed and memory beside tcpdump reading the same file.

Generates (once, deterministically, with build/fc-pcapgen) three captures:
many small frames in small packets, few connections with large frames, and
many interleaved connections; then runs each tool BENCH_RUNS times (best
time kept, the file read once before into the page cache) and reports MB/s,
packets/s, the ratio to tcpdump and peak RSS.
"""
import os, subprocess, sys, time

B = os.environ.get("B", "build")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
OUT = os.path.join(B, "bench")
CASES = [  # name, pcapgen scenario, count
    ("small-frames", "bench-small", os.environ.get("BENCH_SMALL", "2000000")),
    ("large-frames", "bench-large", os.environ.get("BENCH_LARGE", "400")),
    ("many-conns", "bench-conns", os.environ.get("BENCH_CONNS", "50000")),
]


def run_once(cmd):
    """Wall seconds of one run (by the clock: GNU time's own has a 10 ms
    resolution) and its peak RSS in KiB (GNU time's, as it starts the tool
    from a small process), output to /dev/null."""
    with open(os.devnull, "wb") as null:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd,
                           stdout=null, stderr=subprocess.PIPE, text=True)
        secs = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("bench: %s failed: %s" % (" ".join(cmd), p.stderr))
    return secs, int(p.stderr.strip().splitlines()[-1])


def warm(path):
    """Read the file once, so that every tool finds it in the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def best(cmd, runs=None):
    """Best wall time of `runs` (default RUNS) runs, and the largest peak
    RSS (KiB)."""
    times, peak = [], 0
    for _ in range(runs or RUNS):
        secs, rss = run_once(cmd)
        times.append(secs)
        peak = max(peak, rss)
    return max(min(times), 0.001), peak


def packets(path):
    """Packets in the file, from framecap's summary (read as a stream)."""
    import json
    p = subprocess.Popen([os.path.join(B, "framecap"), "-r", path, "--json",
                          "--payload-bytes", "0"], stdout=subprocess.PIPE, text=True)
    last = ""
    with p.stdout:
        for last in p.stdout:
            pass
    p.wait()
    return json.loads(last)["packets"]


def tshark_setup():
    """tshark ignores plugin folders when run as root: run it as nobody
    (uid 65534) with the plugin in a folder of its own."""
    import shutil, tempfile
    so = os.path.join("dissector", "framecap.so")
    if not os.path.exists(so) or not shutil.which("tshark"):
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
    rows = []
    speedups = []
    for name, scenario, count in CASES:
        path = os.path.join(OUT, "%s-%s.pcap" % (name, count))
        if not os.path.exists(path):
            subprocess.run([os.path.join(B, "fc-pcapgen"), scenario, path, count], check=True)
        size = os.path.getsize(path) / 1e6
        npk = packets(path)
        tools = [
            ("tcpdump -w /dev/null", ["tcpdump", "-r", path, "-w", "/dev/null"]),
            ("framecap --json", [fc, "-r", path, "--json"]),
            ("framecap text", [fc, "-r", path, "--color=never"]),
        ]
        if ts:  # one run: it is slow
            tools.append(("tshark + plugin (1 run)", ts + [
                "-r", os.path.abspath(path), "-o", "tcp.reassemble_out_of_order:TRUE",
                "-Y", "framecap", "-T", "fields", "-e", "frame.number",
                "-e", "framecap.index", "-e", "framecap.length", "-e", "framecap.payload"]))
        base = None
        secs_of = {}
        for label, cmd in tools:
            warm(path)
            secs, rss = best(cmd, 1 if label.startswith("tshark") else None)
            base = base or secs
            secs_of[label] = secs
            rows.append((name, "%.0f" % size, npk, label, secs, size / secs,
                         npk / secs, secs / base, rss / 1024))
        if ts:
            speedups.append("%s: framecap --json is %.0fx faster than tshark with the plugin"
                            % (name, secs_of["tshark + plugin (1 run)"] / secs_of["framecap --json"]))
    print("| capture | MB | packets | tool | seconds | MB/s | packets/s | x tcpdump | peak RSS MiB |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %d | %s | %.3f | %.0f | %.0f | %.2f | %.1f |" % r)
    print()
    for s in speedups:
        print(s)
    if not ts:
        print("tshark with the framecap plugin: not measured (make plugin, apt-get install tshark)")
    print("best of %d runs each (wall time by the clock, peak RSS by GNU time); %s cores, %s"
          % (RUNS, os.cpu_count(), time.strftime("%Y-%m-%d")))


if __name__ == "__main__":
    main()
