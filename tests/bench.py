#!/usr/bin/env python3
"""bench.py - framecap's speed and memory beside tcpdump reading the same file.

Generates (once, deterministically, with build/fc-pcapgen) three captures:
many small frames in small packets, few connections with large frames, and
many interleaved connections; then runs each tool BENCH_RUNS times (best
time kept) and reports MB/s, packets/s, the ratio to tcpdump and peak RSS.
"""
import os, resource, subprocess, sys, time

B = os.environ.get("B", "build")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
OUT = os.path.join(B, "bench")
CASES = [  # name, pcapgen scenario, count
    ("small-frames", "bench-small", os.environ.get("BENCH_SMALL", "2000000")),
    ("large-frames", "bench-large", os.environ.get("BENCH_LARGE", "400")),
    ("many-conns", "bench-conns", os.environ.get("BENCH_CONNS", "50000")),
]


def best(cmd):
    """Best wall time of RUNS runs, and the largest peak RSS (KiB), both
    measured by GNU time around the tool alone."""
    times, peak = [], 0
    for _ in range(RUNS):
        with open(os.devnull, "wb") as null:
            p = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd,
                               stdout=null, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit("bench: %s failed: %s" % (" ".join(cmd), p.stderr))
        secs, rss = p.stderr.strip().splitlines()[-1].split()
        times.append(float(secs))
        peak = max(peak, int(rss))
    return max(min(times), 0.001), peak


def packets(path):
    """Packets in the file, from framecap's summary (read as a stream)."""
    import json
    p = subprocess.Popen([os.path.join(B, "framecap"), "-r", path, "--json",
                          "--payload-bytes", "0"], stdout=subprocess.PIPE, text=True)
    last = ""
    for last in p.stdout:
        pass
    p.wait()
    return json.loads(last)["packets"]


def main():
    os.makedirs(OUT, exist_ok=True)
    fc = os.path.join(B, "framecap")
    rows = []
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
        base = None
        for label, cmd in tools:
            secs, rss = best(cmd)
            base = base or secs
            rows.append((name, "%.0f" % size, npk, label, secs, size / secs,
                         npk / secs, secs / base, rss / 1024))
    print("| capture | MB | packets | tool | seconds | MB/s | packets/s | x tcpdump | peak RSS MiB |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %d | %s | %.3f | %.0f | %.0f | %.2f | %.1f |" % r)
    print("\ntshark with the framecap plugin: not measured yet (the plugin is issue 5).")
    print("best of %d runs each (GNU time: 10 ms resolution); %s cores, %s" % (RUNS, os.cpu_count(), time.strftime("%Y-%m-%d")))


if __name__ == "__main__":
    main()
