# SPDX-License-Identifier: GPL-2.0-or-later
"""pcap_tcp.py - the TCP segments of a classic pcap file of Ethernet/IPv4
frames, for the suites' own checks of what a capture holds:

    for num, sport, dport, seq, flags, payload in tcp_segments(path): ...

num counts every record from 1 (the packet numbers framecap and Wireshark
show); records that are not IPv4 are skipped.
"""
import struct


def tcp_segments(path):
    data = open(path, "rb").read()
    off, num = 24, 0
    while off < len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        num += 1
        if struct.unpack_from(">H", pkt, 12)[0] != 0x0800:
            continue
        ihl = (pkt[14] & 15) * 4
        total = struct.unpack_from(">H", pkt, 16)[0]
        t = pkt[14 + ihl:14 + total]
        sport, dport, seq = struct.unpack_from(">HHI", t, 0)
        yield num, sport, dport, seq, t[13], t[(t[12] >> 4) * 4:]
