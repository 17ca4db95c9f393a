#!/usr/bin/env python3
"""Raw-frame helper for the agent's integration tests (runs inside a VM's network namespace).

  nettool.py sniff IFACE SECONDS MARKERHEX      count received frames containing MARKER
  nettool.py udp IFACE SRCMAC SRCIP SPORT DPORT MARKERHEX [COUNT]
                                                send broadcast UDP frames from SRCMAC/SRCIP
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def sniff(iface, seconds, marker):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    print("ready", flush=True)
    end = time.time() + seconds
    count = 0
    while True:
        left = end - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        try:
            data, addr = s.recvfrom(65535)
        except OSError:  # the link went down meanwhile
            continue
        if addr[2] != PACKET_OUTGOING and marker in data:
            count += 1
    print(count, flush=True)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    total = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp(iface, srcmac, srcip, sport, dport, marker, count):
    payload = marker * 4
    udp_hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    total = 20 + len(udp_hdr) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, 17, 0,
                     socket.inet_aton(srcip), socket.inet_aton("255.255.255.255"))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\xff" * 6 + bytes.fromhex(srcmac.replace(":", "")) + b"\x08\x00"
    frame = eth + ip + udp_hdr + payload
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(count):
        s.send(frame)
        time.sleep(0.05)
    print("sent", count, flush=True)


def main(argv):
    if len(argv) >= 4 and argv[0] == "sniff":
        sniff(argv[1], float(argv[2]), bytes.fromhex(argv[3]))
    elif len(argv) >= 7 and argv[0] == "udp":
        udp(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]), bytes.fromhex(argv[6]),
            int(argv[7]) if len(argv) > 7 else 5)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
