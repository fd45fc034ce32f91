#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""framings.py - the same frames in the plugin and in framecap --json?

  framings.py CLI.jsonl TSHARK.json [PORT]

Per stream direction ("src:port>dst:port"), the frames in order as
(index, payload_len, prelude step) - prelude 0 for the profile's own frames
- from framecap's JSON records and from tshark -T json --no-duplicate-keys
(framecap subtrees with an index and no error); with PORT, only the
directions from or to that TCP port (the port given to Decode As). Prints one summary line per
direction ("DIR frames=N prelude=K") and the first difference; exits 1 if
any direction differs, or if framecap found no frame at all.
"""
import json
import sys
from collections import defaultdict


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def one(layer, key, default=None):
    v = layer.get(key, default)
    return v[-1] if isinstance(v, list) else v


def host(addr):
    """An address as framecap writes it: IPv6 in brackets."""
    return "[%s]" % addr if addr and ":" in addr else addr


def cli_frames(path):
    out = defaultdict(list)
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") != "frame":
                continue
            out[o["src"] + ">" + o["dst"]].append(
                (o["index"], o["payload_len"], o.get("prelude", 0)))
    return out


def plugin_frames(path):
    out = defaultdict(list)
    with open(path) as f:
        packets = json.load(f)
    for p in packets:
        layers = p["_source"]["layers"]
        ip = as_list(layers.get("ip") or layers.get("ipv6"))
        tcp = as_list(layers.get("tcp"))
        if not ip or not tcp:
            continue
        ip, tcp = ip[-1], tcp[-1]
        src = one(ip, "ip.src") or one(ip, "ipv6.src")
        dst = one(ip, "ip.dst") or one(ip, "ipv6.dst")
        key = "%s:%s>%s:%s" % (host(src), one(tcp, "tcp.srcport"), host(dst),
                               one(tcp, "tcp.dstport"))
        for fc in as_list(layers.get("framecap")):
            if "framecap.index" not in fc or "framecap.error" in fc:
                continue
            out[key].append((int(one(fc, "framecap.index")),
                             int(one(fc, "framecap.payload_len")),
                             int(one(fc, "framecap.prelude", 0))))
    return out


def main():
    cli, plug = cli_frames(sys.argv[1]), plugin_frames(sys.argv[2])
    if len(sys.argv) > 3:
        port = ":" + sys.argv[3]
        keep = lambda d: any(side.endswith(port) for side in d.split(">"))
        cli = {d: v for d, v in cli.items() if keep(d)}
        plug = {d: v for d, v in plug.items() if keep(d)}
    bad = 0
    if not cli:
        print("framecap found no frame")
        return 1
    for d in sorted(set(cli) | set(plug)):
        a, b = cli.get(d, []), plug.get(d, [])
        pre = sum(1 for f in a if f[2])
        print("%s frames=%d prelude=%d" % (d, len(a), pre))
        if a != b:
            bad += 1
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            print("  DIFFERS: framecap %d frames, plugin %d; first at #%d: framecap %s plugin %s"
                  % (len(a), len(b), i, a[i] if i < len(a) else None,
                     b[i] if i < len(b) else None))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
