#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench.py - framecap's speed and memory beside tcpdump reading the same file.

Generates (once, deterministically, with build/fc-pcapgen) five captures:
many small frames in small packets, few connections with large frames,
many interleaved connections (10,000 open at once), 50,000 connections
all open at once, and the same 50,000 with each connection's packets
together (open-grouped: the same memory without the interleaving, so
that open-50k against it shows what a connection's state going cold
between its packets costs). Then, per capture:

- the file is pinned in the page cache (mapped and mlock()ed for the
  whole case: on this kind of VM the kernel drops pages of an idle file
  within seconds even with memory free, and a run that reads some from
  disk is slower); without mlock it is read again before every round;
- one warm-up round, not counted, runs every tool once under GNU time
  for its peak RSS (and so that no counted run is a first run);
- BENCH_RUNS rounds (45): each tool measured once per round, the order
  reversed every other round (tcpdump first, then last: ABBA, so that a
  drift in the machine's speed does not favour one tool). A measurement
  is BENCH_REPEAT (1) back-to-back runs of the tool, their wall times
  (by the clock) and CPU times (user + system, from wait4: microseconds)
  added. Many short pairs rather than few long ones: a pair's two runs
  are then close in time and see the same load, and the median of 45
  pairs moved less between repeats of the bench (by 5.1% at most,
  against 13.2% for 15 pairs of 3 runs, under a load of 3 to 4.7 on 2
  cores: docs/performance.md);
- each framecap measurement is divided by the tcpdump measurement of its
  own round (a pair). The ratio printed is the median of the pairs, with
  the interquartile range (the middle half of the pairs), min and max;
  CPU x is the median of the paired CPU ratios. A ratio whose
  interquartile range is wider than a tenth of its median is flagged
  WIDE: the machine was busy, the figure is not to be trusted (min and
  max are printed too, but one descheduled run moves them, so they do
  not decide the flag). The load average at the case's start and end
  and the CPU time the hypervisor stole meanwhile are printed per case.

    | capture | tool | median s | x tcpdump | q1-q3 | min | max | CPU x | peak RSS | load |

tshark with the plugin runs once per capture (it is slow); BENCH_TSHARK=0
leaves it out. BENCH_INSTR=1 also counts each tool's instructions once
(valgrind's callgrind, user space only: about 50 times slower than a
run, but the same on a busy machine as on a quiet one) and prints their
ratio to tcpdump's in a second table. BENCH_BASELINE=PATH runs another
framecap binary (an older build) in the same rounds, to compare two
builds under the same load.
"""
import ctypes, json, mmap, os, statistics, subprocess, sys, time

B = os.environ.get("B", "build")
RUNS = int(os.environ.get("BENCH_RUNS", "45"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
TSHARK = os.environ.get("BENCH_TSHARK", "1") != "0"
OUT = os.path.join(B, "bench")
CASES = [  # name, pcapgen scenario, count, what
    ("small-frames", "bench-small", os.environ.get("BENCH_SMALL", "2000000")),
    ("large-frames", "bench-large", os.environ.get("BENCH_LARGE", "400")),
    ("many-conns", "bench-conns", os.environ.get("BENCH_CONNS", "50000")),
    ("open-50k", "conns-open", os.environ.get("BENCH_OPEN", "50000")),
    ("open-grouped", "conns-grouped", os.environ.get("BENCH_OPEN", "50000")),
]
# BENCH_ONLY=small-frames,open-50k: only these cases (to repeat one quickly)
ONLY = [c for c in os.environ.get("BENCH_ONLY", "").split(",") if c]
CASES = [c for c in CASES if not ONLY or c[0] in ONLY]
SPREAD_WARN = 0.10  # interquartile range / median
BASELINE = os.environ.get("BENCH_BASELINE")
INSTR = os.environ.get("BENCH_INSTR", "0") != "0"


def run_once(cmd):
    """Wall seconds of one run (by the clock: GNU time's own has a 10 ms
    resolution), its CPU seconds (user + system, GNU time's) and its peak
    RSS in KiB (GNU time's, as it starts the tool from a small process),
    output to /dev/null. Used for the warm-up round and tshark."""
    with open(os.devnull, "wb") as null:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + cmd,
                           stdout=null, stderr=subprocess.PIPE, text=True)
        secs = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("bench: %s failed: %s" % (" ".join(cmd), p.stderr))
    rss, user, system = p.stderr.strip().splitlines()[-1].split()
    return max(secs, 0.001), max(float(user) + float(system), 0.01), int(rss)


def measure(cmd):
    """Wall and CPU seconds (user + system, wait4's: microseconds rather
    than GNU time's 10 ms) of REPEAT back-to-back runs of cmd, output to
    /dev/null. Spawned directly: no GNU time or shell in between."""
    wall = cpu = 0.0
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for _ in range(REPEAT):
            t = time.perf_counter()
            pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
            _, status, ru = os.wait4(pid, 0)
            wall += time.perf_counter() - t
            cpu += ru.ru_utime + ru.ru_stime
            if os.waitstatus_to_exitcode(status) != 0:
                run_once(cmd)  # again, for its message
                sys.exit("bench: %s failed" % " ".join(cmd))
    finally:
        os.close(null)
    return max(wall, 1e-6), max(cpu, 1e-6)


def pin(path):
    """Map the file and mlock() it: its pages stay in the page cache until
    unpin(). Returns a handle, or None when the kernel refuses (not root
    and a small RLIMIT_MEMLOCK): the caller then reads the file again
    before every round."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                          ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mlock.argtypes = libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    finally:
        os.close(fd)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        return None
    if libc.mlock(addr, size) != 0:
        libc.munmap(addr, size)
        return None
    return (libc, addr, size)


def unpin(handle):
    if handle:
        libc, addr, size = handle
        libc.munmap(addr, size)  # also unlocks


def steal_ticks():
    """All CPUs' ticks so far, and those the hypervisor stole (/proc/stat)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v[:8]), v[7]
    except (OSError, ValueError, IndexError):
        return 0, 0


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
        # live_flows_peak counts closed connections still recognised too:
        # many-conns has 10,000 open at most, and 50,000 tracked.
        notes.append("%s: %d MB, %d packets, %d streams, %d frames, "
                     "at most %d connections tracked (open or closed), %d evicted"
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
        load0 = os.getloadavg()[0]
        ticks0 = steal_ticks()
        handle = pin(path)  # mlock() reads it all in
        if not handle:
            warm(path)
        secs = {label: [] for label, _ in tools}
        cpus = {label: [] for label, _ in tools}
        ratios = {label: [] for label, _ in tools}
        cratios = {label: [] for label, _ in tools}
        rss = {}
        for label, cmd in tools:  # warm-up round, not counted
            rss[label] = run_once(cmd)[2]
        try:
            for r in range(RUNS):
                if not handle:
                    warm(path)
                # ABBA: every other round in reverse, tcpdump last
                order = tools if r % 2 == 0 else tools[::-1]
                got = {label: measure(cmd) for label, cmd in order}
                bw, bc = got["tcpdump -w /dev/null"]
                for label, _ in tools:
                    w, c = got[label]
                    secs[label].append(w / REPEAT)
                    cpus[label].append(c / REPEAT)
                    ratios[label].append(w / bw)
                    cratios[label].append(c / bc)
        finally:
            unpin(handle)
        ticks1 = steal_ticks()
        load = "%.2f-%.2f" % (load0, os.getloadavg()[0])
        total = ticks1[0] - ticks0[0]
        notes[-1] += ("; page cache %s; load %s; %.1f%% of CPU time stolen by the hypervisor"
                      % ("pinned (mlock)" if handle else "read again every round (mlock refused)",
                         load, 100.0 * (ticks1[1] - ticks0[1]) / total if total > 0 else 0.0))
        for label, _ in tools:
            v = ratios[label]
            med = statistics.median(v)
            # inclusive: with few pairs the quartiles stay within min and max
            q1, _, q3 = (statistics.quantiles(v, n=4, method="inclusive")
                         if len(v) > 1 else (v[0], v[0], v[0]))
            wide = med > 0 and (q3 - q1) > SPREAD_WARN * med
            rows.append((name, label, statistics.median(secs[label]), med,
                         "%.2f-%.2f" % (q1, q3), min(v), max(v),
                         statistics.median(cratios[label]),
                         rss[label] / 1024, load + (" WIDE" if wide else "")))
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
                         t / statistics.median(secs["tcpdump -w /dev/null"]), "-",
                         float("nan"), float("nan"),
                         c / statistics.median(cpus["tcpdump -w /dev/null"]),
                         m / 1024, load))
    print("| capture | tool | median s | x tcpdump (median of %d pairs) | q1-q3 | min | max | CPU x tcpdump | peak RSS MiB | load |" % RUNS)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print("| %s | %s | %.3f | %.2f | %s | %.2f | %.2f | %.2f | %.1f | %s |" % r)
    print()
    if instr:
        print("| capture | tool | instructions (M, callgrind) | x tcpdump |")
        print("|---|---|---:|---:|")
        for r in instr:
            print("| %s | %s | %.1f | %.2f |" % r)
        print()
    for n in notes:
        print(n)
    if any("WIDE" in r[9] for r in rows):
        print("WARNING: some ratios' interquartile range is wider than %d%% of their median (WIDE): "
              "the machine was busy; run again on a quiet one" % (SPREAD_WARN * 100))
    if not ts:
        print("tshark with the framecap plugin: not measured")
    print("%d paired rounds per capture after a warm-up round, tools in ABBA order, each "
          "measurement %s (wall time by the clock, CPU time by wait4, peak RSS by GNU time "
          "in the warm-up round), WIDE: q1-q3 wider than %d%% of the median; "
          "%s cores, load average %.2f at the end, %s"
          % (RUNS, "one run" if REPEAT == 1 else "%d back-to-back runs" % REPEAT,
             SPREAD_WARN * 100, os.cpu_count(), os.getloadavg()[0],
             time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))


if __name__ == "__main__":
    main()
