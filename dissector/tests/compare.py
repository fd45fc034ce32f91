#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""compare.py - do the plugin (tshark -T json) and framecap --json agree?

  compare.py CLI.jsonl TSHARK.json [--select EXPR] [--texts T,T,...]

Both are reduced to, per stream direction (source, destination and the
rank of the connection among those on the same addresses), the frames in
order: (index, length, payload, segments spanned); and to, per packet,
how many frames have bytes in it (frames_in_segment).

What the plugin cannot show, by design or because of Wireshark's TCP
layer, is left out of framecap's side (docs/wireshark.md):
  - frames framecap marks "resynced": it guessed where frames start again
    after lost bytes; the plugin never guesses;
  - directions where framecap reports "midstream" (no SYN captured): the
    plugin takes the first captured byte as a frame start, framecap waits
    for a resynchronisation, so either may decode what the other does not;
  - frames ending after a "gap" (bytes never captured, other than by the
    snaplen): Wireshark's reassembly waits for those bytes forever.
frames_in_segment may exceed framecap's count of complete frames by one
in directions where a frame never completes (truncated, incomplete) or a
length is bad (oversize, negative): framecap's JSON lists no such frame.

--select keeps only the framecap frames for which EXPR (Python, `f` is
the JSON object) is true: the documented per-capture exceptions. --texts
also checks the payloads themselves, so that a mistake both tools share
cannot pass unnoticed.
"""
import argparse
import json
import sys
from collections import defaultdict


def as_list(v):
    return v if isinstance(v, list) else [v]


def first(layer, *keys):
    for k in keys:
        if k in layer:
            v = layer[k]
            return v[-1] if isinstance(v, list) else v
    return None


def endpoint(ip, port):
    return ("[%s]:%s" % (ip, port)) if ":" in ip else ("%s:%s" % (ip, port))


def ranker(keys):
    """(src, dst, stream id) -> (src, dst, rank of the id on that address pair)."""
    ids = defaultdict(set)
    for (src, dst, sid) in keys:
        ids[tuple(sorted((src, dst)))].add(sid)
    return lambda k: (k[0], k[1], sorted(ids[tuple(sorted(k[:2]))]).index(k[2]))


def cli_side(path, select):
    objs = [json.loads(line) for line in open(path)]
    skip, stall, loose = set(), {}, set()
    for o in objs:
        if o.get("type") != "anomaly":
            continue
        key = (o["src"], o["dst"], o["stream"])
        if o["kind"] == "midstream":
            skip.add(key)
        elif o["kind"] == "gap" and "snaplen" not in o["detail"]:
            stall[key] = min(stall.get(key, o["offset"]), o["offset"])
        if o["kind"] in ("truncated", "incomplete", "oversize", "negative"):
            loose.add(key)
    kept = []
    skipped = 0
    for f in objs:
        if f.get("type") != "frame":
            continue
        key = (f["src"], f["dst"], f["stream"])
        if key in skip:
            skipped += 1
            continue
        end = f["offset"] + f["header_len"] + f["payload_len"]
        if f.get("resynced") or (key in stall and end > stall[key]):
            skipped += 1
            continue
        if select and not eval(select, {}, {"f": f}):
            continue
        kept.append((key, f))
    # Connections are told apart by rank, over those the plugin can show.
    rank = ranker({k for k, _ in kept} | skip | loose)
    frames, per_packet = defaultdict(list), defaultdict(int)
    for key, f in kept:
        segs = f.get("packets_total", len(f["packets"]))
        frames[rank(key)].append((f["index"], f["length"], f["payload_hex"], segs))
        for p in f["packets"]:
            per_packet[(rank(key), p)] += 1
    return (frames, per_packet, {rank(k) for k in skip}, {rank(k) for k in loose}, skipped)


def plugin_side(path):
    raw, per_packet = defaultdict(list), {}
    for pkt in json.load(open(path)):
        layers = pkt["_source"]["layers"]
        if "framecap" not in layers:
            continue
        num = int(first(layers["frame"], "frame.number"))
        ip = as_list(layers.get("ip") or layers.get("ipv6"))[-1]
        tcp = as_list(layers["tcp"])[-1]
        src = endpoint(first(ip, "ip.src", "ipv6.src"), tcp["tcp.srcport"])
        dst = endpoint(first(ip, "ip.dst", "ipv6.dst"), tcp["tcp.dstport"])
        key = (src, dst, int(tcp["tcp.stream"]))
        for fc in as_list(layers["framecap"]):
            if "framecap.frames_in_segment" in fc and "framecap.error" not in fc:
                per_packet[(key, num)] = int(fc["framecap.frames_in_segment"])
            if "framecap.index" not in fc or "framecap.error" in fc:
                continue
            raw[key].append((int(fc["framecap.index"]), int(fc["framecap.length"]),
                             fc.get("framecap.payload", "").replace(":", ""),
                             int(fc.get("framecap.segments", "0"))))
    rank = ranker(set(raw) | {k for (k, _) in per_packet})
    return ({rank(k): v for k, v in raw.items()},
            {(rank(k), p): v for (k, p), v in per_packet.items()})


def short(frames):
    return [x[:2] + (x[2][:24], x[3]) for x in frames]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("tshark")
    ap.add_argument("--select")
    ap.add_argument("--texts")
    a = ap.parse_args()
    want, want_pp, skip, loose, skipped = cli_side(a.cli, a.select)
    got, got_pp = plugin_side(a.tshark)
    bad = []
    for key in sorted(set(want) | set(got)):
        if key in skip:
            continue
        w, g = want.get(key, []), got.get(key, [])
        if w != g:
            bad.append("%s -> %s (connection %d):\n  framecap: %s\n  plugin:   %s"
                       % (key[0], key[1], key[2], short(w), short(g)))
    for (key, p), n in sorted(got_pp.items()):
        m = want_pp.get((key, p), 0)
        if key in skip or m == 0:
            continue
        if not (n == m or (key in loose and n == m + 1)):
            bad.append("packet %d: framecap has %d frames in it, the plugin %d" % (p, m, n))
    if a.texts is not None:
        texts = [bytes.fromhex(x[2]).decode("utf-8", "replace")
                 for k, v in sorted(got.items()) for x in v]
        if texts != a.texts.split(","):
            bad.append("payloads %s, expected %s" % (texts, a.texts.split(",")))
    if bad:
        print("\n".join(bad))
        return 1
    n = sum(len(v) for v in want.values())
    print("%d frame%s in %d direction%s agree%s" % (
        n, "" if n == 1 else "s", len(want), "" if len(want) == 1 else "s",
        "; %d not expected (resynced, midstream, after a gap)" % skipped if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
