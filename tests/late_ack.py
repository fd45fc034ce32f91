#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""late_ack.py - captures whose ACKs come before the data they cover.

  late_ack.py make OUT.pcap VARIANT      write a capture, and OUT.pcap.map
  late_ack.py frames OUT.pcap.map FRAMES.jsonl
                                         frame records with packet numbers
                                         mapped back to the in-order capture

One connection (client 10.0.0.1:40000, server 10.0.0.2:8001) exchanges
length-prefixed frames (4-byte little-endian length) in both directions,
each segment acknowledged by the peer's next packet: the in-order capture
("inorder"). Every other variant is the same packets in another order, as
two merged taps or a multi-queue NIC would record them, or with packets
left out:

  late-DIR-K        the data segment number 20 of direction DIR (c2s or
                    s2c) captured K packets after the first ACK covering it
  late-DIR-K-ooo    the same, and meanwhile two later data segments of
                    each direction captured in swapped order
  late-two-K        two data segments of c2s, acknowledged one after the
                    other, each captured K packets after its ACK
  loss-DIR          that segment never captured (a real capture loss)
  loss-end-DIR      the connection's last data segment of DIR never
                    captured, its ACK the last packet of the capture

Timestamps are 1 ms apart in file order (the order a capture has them).
The .map file holds, for each packet of the file, its number in the
in-order capture, one per line; the .ack file, for late-DIR-K and loss-*,
the number in the file of the first ACK covering the moved or lost data.
"""
import json
import struct
import sys

CLIENT, SERVER = 0, 1
ADDR = (bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
PORT = (40000, 8001)
ISN = (0x1A2B3C4D, 0xFFFFF000)  # the server's crosses 2^32 on the way
ROUNDS = 60  # request/response pairs: 240 packets, room for K = 50


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packet(d, seq, ack, flags, payload):
    src, dst = ADDR[d], ADDR[1 - d]
    tcp = struct.pack("!HHIIBBHHH", PORT[d], PORT[1 - d], seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    if d == SERVER:
        eth = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00"
    return eth + ip + tcp


def frame(text):
    b = text.encode()
    return struct.pack("<i", len(b)) + b


def conversation():
    """The in-order capture: [(dir, seq_start, seq_end, ack, bytes)]."""
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    nxt = [ISN[0] + 1, ISN[1] + 1]
    pkts = [packet(CLIENT, ISN[0], 0, SYN, b""),
            packet(SERVER, ISN[1], nxt[0], SYN | ACK, b""),
            packet(CLIENT, nxt[0], nxt[1], ACK, b"")]
    info = [None, None, None]  # per packet: (dir, data end) for data packets

    def send(d, payload, flags=ACK | PSH):
        pkts.append(packet(d, nxt[d], nxt[1 - d], flags, payload))
        nxt[d] += len(payload) + (1 if flags & FIN else 0)
        info.append((d, nxt[d]) if payload else None)

    for i in range(ROUNDS):
        # a request in one segment, or a frame split over two
        req = frame("request %d %s" % (i, "x" * (i % 7)))
        if i % 3 == 2:
            send(CLIENT, req[:3])
            send(SERVER, b"", ACK)
            send(CLIENT, req[3:])
        else:
            send(CLIENT, req)
        # the response acknowledges the request; two frames when i is odd
        rep = frame("response %d" % i) + (frame("more %d" % i) if i % 2 else b"")
        send(SERVER, rep)
        send(CLIENT, b"", ACK)
    send(CLIENT, b"", ACK | FIN)
    send(SERVER, b"", ACK | FIN)
    send(CLIENT, b"", ACK)
    return pkts, info, nxt


def first_ack_after(pkts, info, i):
    """Index of the first packet after i from the other side acknowledging
    the data of packet i."""
    d, end = info[i]
    for j in range(i + 1, len(pkts)):
        p = pkts[j]
        sport = struct.unpack("!H", p[34:36])[0]
        ack = struct.unpack("!I", p[42:46])[0]
        if sport == PORT[1 - d] and (ack - end) & 0xFFFFFFFF < 1 << 31:
            return j
    raise SystemExit("no ACK covers packet %d" % (i + 1))


def data_packets(info, d):
    return [i for i, x in enumerate(info) if x and x[0] == d]


def move_after(order, idx, k, anchor):
    """Put packet idx k packets after packet anchor (both in-order indices)."""
    order.remove(idx)
    order.insert(order.index(anchor) + k, idx)


def variant(name):
    pkts, info, _ = conversation()
    order = list(range(len(pkts)))
    parts = name.split("-")
    ack = None
    if name == "inorder":
        pass
    elif parts[0] == "late" and parts[1] in ("c2s", "s2c"):
        d = CLIENT if parts[1] == "c2s" else SERVER
        k = int(parts[2])
        idx = data_packets(info, d)[20]
        ack = first_ack_after(pkts, info, idx)
        move_after(order, idx, k, ack)
        if len(parts) > 3:  # other reordering meanwhile, both directions
            for dd in (CLIENT, SERVER):
                a, b = data_packets(info, dd)[22:24]
                ia, ib = order.index(a), order.index(b)
                order[ia], order[ib] = b, a
    elif parts[0] == "late" and parts[1] == "two":
        k = int(parts[2])
        for n in (20, 21):
            idx = data_packets(info, CLIENT)[n]
            move_after(order, idx, k, first_ack_after(pkts, info, idx))
    elif parts[0] == "loss" and parts[1] in ("c2s", "s2c"):
        d = CLIENT if parts[1] == "c2s" else SERVER
        idx = data_packets(info, d)[20]
        ack = first_ack_after(pkts, info, idx)
        order.remove(idx)
    elif parts[0] == "loss" and parts[1] == "end":
        d = CLIENT if parts[2] == "c2s" else SERVER
        idx = data_packets(info, d)[-1]
        ack = first_ack_after(pkts, info, idx)
        order = [i for i in order[:ack + 1] if i != idx]
    else:
        raise SystemExit("unknown variant " + name)
    return pkts, order, ack


def make(out, name):
    pkts, order, ack = variant(name)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n, i in enumerate(order):
            p = pkts[i]
            f.write(struct.pack("<IIII", 1700000000 + n // 1000, (n % 1000) * 1000,
                                len(p), len(p)))
            f.write(p)
    with open(out + ".map", "w") as f:
        f.write("".join("%d\n" % (i + 1) for i in order))
    if ack is not None:
        with open(out + ".ack", "w") as f:
            f.write("%d\n" % (order.index(ack) + 1))


def frames(mapfile, jsonl):
    """Frame records as the in-order capture numbers them, without the
    capture times (those follow the file order)."""
    m = [int(x) for x in open(mapfile)]
    out = []
    for line in open(jsonl):
        r = json.loads(line)
        if r.get("type") != "frame":
            continue
        r["packets"] = sorted(m[p - 1] for p in r["packets"])
        del r["ts"]
        out.append(((r["stream"], r["dir"], r["index"]), json.dumps(r, sort_keys=True)))
    for _, line in sorted(out):
        print(line)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "frames":
        frames(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
