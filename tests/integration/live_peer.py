#!/usr/bin/env python3
"""Traffic for test_live_capture.sh: a tiny DNS (UDP+TCP) and HTTP server,
and a client that exercises them. Test-only, runs inside the test's own
network namespaces; no third-party modules.

    live_peer.py serve ADDR4 ADDR6     # in the server namespace, until killed
    live_peer.py client ADDR4 ADDR6    # in the client namespace, then exits
"""
import socket
import struct
import sys
import threading
import time


def qname_of(msg):
    labels, o = [], 12
    while msg[o]:
        labels.append(msg[o + 1:o + 1 + msg[o]].decode())
        o += 1 + msg[o]
    return ".".join(labels), o + 5


def answer(query):
    name, end = qname_of(query)
    hdr = query[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
    return hdr + query[12:end] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([192, 0, 2, 7])


def query(name, pad=0):
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 1 if pad else 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00\x00\x01\x00\x01"
    if pad:  # EDNS OPT with a padding option, to make the query big
        q += b"\x00\x00\x29\x10\x00\x00\x00\x00\x00" + struct.pack(">H", pad + 4)
        q += struct.pack(">HH", 12, pad) + b"\x00" * pad
    return q


def serve(a4, a6):
    def udp(fam, addr):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, 53))
        while True:
            m, peer = s.recvfrom(65535)
            try:
                s.sendto(answer(m), peer)
            except Exception:
                pass

    def tcp_dns():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a4, 53))
        s.listen(8)
        while True:
            c, _ = s.accept()
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
            r = answer(buf[2:])
            c.sendall(struct.pack(">H", len(r)) + r)
            c.close()

    def http():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a4, 8080))
        s.listen(8)
        while True:
            c, _ = s.accept()
            buf = b""
            while b"\r\n\r\n" not in buf:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            c.close()

    for t in (lambda: udp(socket.AF_INET, a4), lambda: udp(socket.AF_INET6, a6), tcp_dns, http):
        threading.Thread(target=t, daemon=True).start()
    open(sys.argv[4], "w").write("ready\n")
    while True:
        time.sleep(3600)


def client(a4, a6):
    def udp_ask(fam, addr, name, pad=0):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(query(name, pad), (addr, 53))
        s.recvfrom(65535)
        s.close()

    udp_ask(socket.AF_INET, a4, "udp.live.example")
    udp_ask(socket.AF_INET6, a6, "v6.live.example")
    udp_ask(socket.AF_INET, a4, "big.live.example", pad=3000)  # IP fragments
    # DNS over TCP, the length prefix and the message in separate segments
    s = socket.create_connection((a4, 53), timeout=2)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    q = query("tcp.live.example")
    s.sendall(struct.pack(">H", len(q))[:1])
    time.sleep(0.05)
    s.sendall(struct.pack(">H", len(q))[1:] + q[:7])
    time.sleep(0.05)
    s.sendall(q[7:])
    s.recv(4096)
    s.close()
    # HTTP
    s = socket.create_connection((a4, 8080), timeout=2)
    s.sendall(b"GET /live?x=1 HTTP/1.1\r\nHost: HTTP.live.example:8080\r\n"
              b"User-Agent: sakimori-test\r\n\r\n")
    while s.recv(4096):
        pass
    s.close()
    # outside the capture filter
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"not captured", (a4, 9999))
    s.close()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        client(sys.argv[2], sys.argv[3])
