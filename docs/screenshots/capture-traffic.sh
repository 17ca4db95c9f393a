#!/usr/bin/env bash
# Captures real traffic for the capture window's screenshot (capture-window.pcapng): two network
# namespaces joined by a veth pair and a VXLAN tunnel (VNI 5001) over it; dumpcap on the veth
# sees a DNS query and its answer, an HTTP request over TCP, pings inside VXLAN, and one
# malformed frame (an IPv4 header that claims 60 bytes, sent raw). Needs root.
# usage: sudo docs/screenshots/capture-traffic.sh [OUT.pcapng]
set -euo pipefail
out=$(realpath -m "${1:-$(dirname "$0")/capture-window.pcapng}")
a=cvcapa$$ b=cvcapb$$
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
# IPv4 only: IPv6's neighbour and listener chatter would fill the first screen.
for ns in "$a" "$b"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
ip -n "$a" addr add 10.16.0.1/24 dev veth-a; ip -n "$b" addr add 10.16.0.2/24 dev veth-b
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set veth-a up; ip -n "$b" link set veth-b up
ip -n "$a" link add vx0 type vxlan id 5001 remote 10.16.0.2 dstport 4789 dev veth-a
ip -n "$b" link add vx0 type vxlan id 5001 remote 10.16.0.1 dstport 4789 dev veth-b
ip -n "$a" addr add 192.168.50.1/24 dev vx0; ip -n "$b" addr add 192.168.50.2/24 dev vx0
ip -n "$a" link set vx0 up; ip -n "$b" link set vx0 up
# A DNS server that answers every query with 192.0.2.10, and a web server.
ip netns exec "$b" python3 - <<'PY' &
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.16.0.2", 53))
for _ in range(2):
    q, peer = s.recvfrom(512)
    name_end = q.index(b"\0", 12) + 5
    answer = struct.pack("!HHHLH", 0xc00c, 1, 1, 300, 4) + socket.inet_aton("192.0.2.10")
    s.sendto(q[:2] + b"\x81\x80" + q[4:6] + b"\x00\x01\x00\x00\x00\x00" + q[12:name_end] + answer, peer)
PY
dns=$!
ip netns exec "$b" python3 -m http.server 8080 --bind 10.16.0.2 >/dev/null 2>&1 &
web=$!
rm -f "$out"
ip netns exec "$a" dumpcap -q -i veth-a -w "$out" 2>/dev/null &
cap=$!
sleep 2
query() {
    ip netns exec "$a" python3 - "$1" <<'PY'
import socket, struct, sys
q = struct.pack("!HHHHHH", 0x1a2b, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in sys.argv[1].split(".")) + b"\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(q, ("10.16.0.2", 53)); s.recv(512)
PY
}
query www.example.org
ip netns exec "$a" curl -s -o /dev/null http://10.16.0.2:8080/
query converge.example.net
ip netns exec "$a" ping -c 3 -i 0.3 192.168.50.2 >/dev/null
# One malformed frame: IPv4 with a header length of 60 and 20 bytes after Ethernet.
ip netns exec "$a" python3 - <<'PY'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("veth-a", 0))
s.send(b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + b"\x4f\x00\x00\x54" + bytes(16))
PY
sleep 1
kill "$cap" "$web" 2>/dev/null || true
wait "$cap" 2>/dev/null || true
kill "$dns" 2>/dev/null || true
echo "$out"
