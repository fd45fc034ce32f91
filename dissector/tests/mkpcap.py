#!/usr/bin/env python3
"""mkpcap.py - write a small capture of one TCP connection carrying
length-prefixed frames, for the plugin's preference and expert tests.

  mkpcap.py OUT.pcap [--port 8001] [--frames TEXT...] [--raw HEX]
            [--length-offset N] [--length-size N] [--byte-order little|big]
            [--unsigned] [--length-adjustment N] [--header-size N]
            [--cuts OFF,OFF,...] [--end fin|rst|none]

Frames are encoded with the given profile (header bytes other than the
length field are 0xab); --raw appends bytes as they are (a bad header, say).
The client's byte stream is cut into one TCP segment per frame, or at the
stream offsets given by --cuts. Ethernet, IPv4, no options; deterministic.
"""
import argparse
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def encode(payload, a):
    end = a.length_offset + a.length_size
    header = a.header_size if a.header_size is not None else end
    length = len(payload) + header - end - a.length_adjustment
    field = length.to_bytes(a.length_size, a.byte_order, signed=not a.unsigned)
    hdr = bytearray(b"\xab" * header)
    hdr[a.length_offset:end] = field
    return bytes(hdr) + payload


class Conn:
    def __init__(self, cport, sport):
        self.cip, self.sip = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
        self.cport, self.sport = cport, sport
        self.seq = {0: 1000, 1: 5000}  # 0: client, 1: server
        self.packets = []
        self.ident = 1

    def send(self, side, flags, data=b""):
        src, dst = (self.cip, self.sip) if side == 0 else (self.sip, self.cip)
        sp, dp = (self.cport, self.sport) if side == 0 else (self.sport, self.cport)
        ack = self.seq[1 - side] if flags & 0x10 else 0
        tcp = struct.pack("!HHIIBBHHH", sp, dp, self.seq[side] & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 64240, 0, 0) + data
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), self.ident, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        self.ident += 1
        eth = (b"\x02\0\0\0\0\x02" if side == 0 else b"\x02\0\0\0\0\x01") + \
              (b"\x02\0\0\0\0\x01" if side == 0 else b"\x02\0\0\0\0\x02") + b"\x08\x00"
        self.packets.append(eth + ip + tcp)
        self.seq[side] += len(data) + (1 if flags & 0x03 else 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--cport", type=int, default=40000)
    p.add_argument("--frames", nargs="*", default=[])
    p.add_argument("--raw", default="")
    p.add_argument("--length-offset", type=int, default=0)
    p.add_argument("--length-size", type=int, default=4)
    p.add_argument("--byte-order", choices=("little", "big"), default="little")
    p.add_argument("--unsigned", action="store_true")
    p.add_argument("--length-adjustment", type=int, default=0)
    p.add_argument("--header-size", type=int)
    p.add_argument("--cuts", default="")
    p.add_argument("--end", choices=("fin", "rst", "none"), default="fin")
    a = p.parse_args()

    pieces = [encode(f.encode(), a) for f in a.frames]
    stream = b"".join(pieces) + bytes.fromhex(a.raw)
    if a.cuts:
        cuts = [int(x) for x in a.cuts.split(",")]
    else:
        cuts, off = [], 0
        for piece in pieces:
            off += len(piece)
            cuts.append(off)
    bounds = sorted(set([0] + [c for c in cuts if 0 < c < len(stream)] + [len(stream)]))

    c = Conn(a.cport, a.port)
    c.send(0, 0x02)
    c.send(1, 0x12)
    c.send(0, 0x10)
    for lo, hi in zip(bounds, bounds[1:]):
        c.send(0, 0x18, stream[lo:hi])
        c.send(1, 0x10)
    if a.end == "fin":
        c.send(0, 0x11)
        c.send(1, 0x11)
        c.send(0, 0x10)
    elif a.end == "rst":
        c.send(0, 0x14)

    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, pkt in enumerate(c.packets):
            f.write(struct.pack("<IIII", 1700000000, 1000 * i, len(pkt), len(pkt)) + pkt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
