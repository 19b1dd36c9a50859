#!/usr/bin/env python3
"""gen_seeds_sense.py — writes the seed corpora of the packet-side fuzz
targets (fuzz_packets, fuzz_tls, fuzz_http, fuzz_reasm, fuzz_tcp_stream)
from first principles: every packet, hello and request is built here, none
is copied from a capture. The committed corpora are this script's output;
run it again after changing it:

    python3 tests/fuzz/gen_seeds_sense.py tests/fuzz/corpus
"""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    import ipaddress
    return ipaddress.ip_address(s).packed


def ipv4(src, dst, proto, payload, ident=1, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    ip4(src), ip4(dst))
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64, ip6(src), ip6(dst)) + payload


def udp(sp, dp, payload):
    return struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload


def tcp(sp, dp, seq, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sp, dp, seq, 0, 0x50, flags, 65535, 0, 0) + payload


def eth(payload, et=0x0800):
    return b"\x02" * 6 + b"\x04" * 6 + struct.pack("!H", et) + payload


def dns_query(name, qid=0x1234):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00\x00\x01\x00\x01"


def dns_answer(name, addr, qid=0x1234):
    q = dns_query(name, qid)
    return q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:] + \
        b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + ip4(addr)


def ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def client_hello(sni="seed.example", alpn=(b"h2", b"http/1.1"), versions=(0x0304, 0x0303)):
    body = struct.pack("!H", 0x0303) + b"\x11" * 32 + b"\x00"
    ciphers = [0x0a0a, 0x1301, 0x1302, 0xc02b, 0xc02f, 0x009c]
    body += struct.pack("!H", 2 * len(ciphers)) + b"".join(struct.pack("!H", c) for c in ciphers)
    body += b"\x01\x00"
    n = sni.encode()
    exts = ext(0x1a1a, b"")
    exts += ext(0, struct.pack("!HBH", len(n) + 3, 0, len(n)) + n)
    exts += ext(10, struct.pack("!H", 6) + struct.pack("!HHH", 0x2a2a, 29, 23))
    exts += ext(11, b"\x01\x00")
    exts += ext(13, struct.pack("!H", 6) + struct.pack("!HHH", 0x0403, 0x0804, 0x0401))
    al = b"".join(bytes([len(a)]) + a for a in alpn)
    exts += ext(16, struct.pack("!H", len(al)) + al)
    exts += ext(43, bytes([2 * len(versions)]) + b"".join(struct.pack("!H", v) for v in versions))
    body += struct.pack("!H", len(exts)) + exts
    return body


def server_hello(version=0x0303, hrr=False):
    rnd = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c") if hrr else b"\x22" * 32
    body = struct.pack("!H", 0x0303) + rnd + b"\x00" + struct.pack("!HB", 0x1301, 0)
    exts = ext(0xff01, b"\x00")
    if version == 0x0304:
        exts = ext(43, struct.pack("!H", 0x0304)) + ext(51, struct.pack("!HH", 29, 0))
    return body + struct.pack("!H", len(exts)) + exts


def hs(t, body):
    return bytes([t]) + struct.pack("!I", len(body))[1:] + body


def record(t, body):
    return struct.pack("!BHH", t, 0x0303, len(body)) + body


def certificate():
    der = bytes(range(256)) * 2
    lst = struct.pack("!I", len(der))[1:] + der
    return hs(11, struct.pack("!I", len(lst))[1:] + lst)


def chunks(parts):
    """[dir][len16][bytes] … (fuzz_tls / fuzz_http framing)"""
    return b"".join(struct.pack("!BH", d, len(p)) + p for d, p in parts)


# --- fuzz_tls -------------------------------------------------------------------
ch = client_hello()
write("fuzz_tls", "client_hello", b"\x00" + ch)
write("fuzz_tls", "client_hello_tls10", b"\x00" + client_hello(sni="old.example", alpn=(), versions=()))
write("fuzz_tls", "server_hello13", b"\x01" + server_hello(0x0304))
write("fuzz_tls", "server_hello12", b"\x01" + server_hello(0x0303))
chrec = record(22, hs(1, ch))
write("fuzz_tls", "conn_tls12", b"\x02" + chunks([
    (0, chrec[:20]), (0, chrec[20:]),
    (1, record(22, hs(2, server_hello(0x0303)) + certificate() + hs(14, b""))),
    (0, record(20, b"\x01")), (1, record(20, b"\x01"))]))
write("fuzz_tls", "conn_tls13_hrr", b"\x02" + chunks([
    (0, chrec), (1, record(22, hs(2, server_hello(0x0304, hrr=True)))),
    (0, record(20, b"\x01") + record(22, hs(1, client_hello(sni="again.example")))),
    (1, record(22, hs(2, server_hello(0x0304))) + record(23, b"\x17" * 40))]))
msg = hs(1, ch)
write("fuzz_tls", "conn_split_message", b"\x02" + chunks([
    (0, record(22, msg[:50])), (0, record(22, msg[50:])), (1, record(21, b"\x02\x28"))]))
write("fuzz_tls", "conn_out_of_order", b"\x02" + chunks([(2, chrec[10:]), (0, chrec[:10])]))

# --- fuzz_http ---------------------------------------------------------------------
req = b"GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.org:8080\r\nUser-Agent: seed/1.0\r\n\r\n"
write("fuzz_http", "get", b"\x00" + chunks([(0, req[:17]), (0, req[17:]),
                                             (1, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]))
write("fuzz_http", "response_first", b"\x00" + chunks([(1, b"HTTP/1.0 204 No Content\r\n\r\n"), (0, req)]))
write("fuzz_http", "connect", b"\x00" + chunks([
    (0, b"CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n"),
    (1, b"HTTP/1.1 200 Connection established\r\n\r\n"), (0, chrec)]))
write("fuzz_http", "bare_lf", b"\x00" + chunks([(0, b"POST /a b HTTP/1.0\nhost: X\nuser-agent: y\n\n")]))
write("fuzz_http", "socks4a", b"\x01" + chunks([(0, b"\x04\x01\x01\xbb\x00\x00\x00\x01user\x00h.example\x00"),
                                                 (1, b"\x00\x5a\x00\x00\x00\x00\x00\x00")]))
write("fuzz_http", "socks5_auth", b"\x03" + chunks([
    (0, b"\x05\x02\x00\x02"), (1, b"\x05\x02"), (0, b"\x01\x03bob\x02pw"), (1, b"\x01\x00"),
    (0, b"\x05\x01\x00\x03\x09h.example\x01\xbb"), (1, b"\x05\x00\x00\x01\x0a\x00\x00\x01\x1f\x90")]))

# --- fuzz_reasm ---------------------------------------------------------------------
def frags4(payload, ident, size=16, proto=17):
    out = []
    for off in range(0, len(payload), size):
        more = 0x2000 if off + size < len(payload) else 0
        out.append(ipv4("10.0.0.1", "10.0.0.2", proto, payload[off:off + size], ident, more | (off // 8)))
    return out


def frags6(payload, ident, size=16):
    out = []
    for off in range(0, len(payload), size):
        more = 1 if off + size < len(payload) else 0
        fh = struct.pack("!BBHI", 17, 0, off | more, ident)
        out.append(ipv6("2001:db8::1", "2001:db8::2", 44, fh + payload[off:off + size]))
    return out


def rec16(pkts):
    return b"".join(struct.pack("!H", len(p)) + p for p in pkts)


dgram = udp(5353, 53, dns_query("fragmented.example.org"))
f4 = frags4(dgram, 7)
write("fuzz_reasm", "v4_in_order", rec16(f4))
write("fuzz_reasm", "v4_reversed_dup", rec16(list(reversed(f4)) + f4[:1]))
write("fuzz_reasm", "v4_overlap", rec16([f4[0], ipv4("10.0.0.1", "10.0.0.2", 17, b"X" * 24, 7, 0x2001)] + f4[1:]))
write("fuzz_reasm", "v6", rec16(frags6(dgram, 99)))
write("fuzz_reasm", "v4_missing_last", rec16(f4[:-1]))

# --- fuzz_tcp_stream -----------------------------------------------------------------
def seg(d, off, data):
    return struct.pack("!BHB", d, off, len(data)) + data


msgs = b"".join(bytes([n]) + bytes([0x41 + n]) * n for n in (3, 10, 0, 40, 7))
write("fuzz_tcp_stream", "in_order", seg(0, 0, msgs[:20]) + seg(0, 20, msgs[20:]))
write("fuzz_tcp_stream", "reordered", seg(0, 30, msgs[30:]) + seg(0, 10, msgs[10:30]) + seg(0, 0, msgs[:12]))
write("fuzz_tcp_stream", "wrap_both_dirs", seg(0, 0x100, msgs) + seg(1, 0, msgs) + seg(0, 0xf0, msgs[:20]))
write("fuzz_tcp_stream", "stop", seg(0, 0, b"\x02ab\xff"))

# --- fuzz_packets: whole frames through the pipeline --------------------------------
# record: [link type selector][2 bytes length][frame]; selector 0 = Ethernet,
# 1 = raw IP (see linktypes[] in fuzz_packets.c)
def frame(sel, f):
    return struct.pack("!BH", sel, len(f)) + f


c, s = "10.1.0.5", "198.51.100.10"
tls_flow = [
    eth(ipv4(c, s, 6, tcp(40000, 443, 100, 0x02))),
    eth(ipv4(s, c, 6, tcp(443, 40000, 900, 0x12))),
    eth(ipv4(c, s, 6, tcp(40000, 443, 101, 0x18, chrec[:60]))),
    eth(ipv4(c, s, 6, tcp(40000, 443, 161, 0x18, chrec[60:]))),
    eth(ipv4(s, c, 6, tcp(443, 40000, 901, 0x18, record(22, hs(2, server_hello()) + certificate())))),
    eth(ipv4(c, s, 6, tcp(40000, 443, 101 + len(chrec), 0x11))),
]
write("fuzz_packets", "sense_tls_handshake", b"".join(frame(0, f) for f in tls_flow))
http_flow = [
    eth(ipv4(c, s, 6, tcp(40001, 80, 1, 0x18, req))),
    eth(ipv4(s, c, 6, tcp(80, 40001, 1, 0x18, b"HTTP/1.1 301 Moved\r\n\r\n"))),
]
write("fuzz_packets", "sense_http", b"".join(frame(0, f) for f in http_flow))
q = dns_query("tcp.example")
dnstcp = struct.pack("!H", len(q)) + q
write("fuzz_packets", "sense_dns_tcp_split", b"".join(frame(1, f) for f in [
    ipv4(c, s, 6, tcp(40002, 53, 10, 0x18, dnstcp[:1])),
    ipv4(c, s, 6, tcp(40002, 53, 11, 0x18, dnstcp[1:]))]))
socks = [
    ipv4(c, s, 6, tcp(40003, 1080, 1, 0x18, b"\x05\x01\x00")),
    ipv4(s, c, 6, tcp(1080, 40003, 1, 0x18, b"\x05\x00")),
    ipv4(c, s, 6, tcp(40003, 1080, 4, 0x18, b"\x05\x01\x00\x01\x0a\x00\x00\x01\x01\xbb")),
    ipv4(s, c, 6, tcp(1080, 40003, 3, 0x18, b"\x05\x00\x00\x01\x0a\x00\x00\x01\x1f\x90")),
    ipv4(c, s, 6, tcp(40003, 1080, 14, 0x18, chrec)),
]
write("fuzz_packets", "sense_socks5_tls", b"".join(frame(1, f) for f in socks))
inner = eth(ipv4("192.168.0.1", "192.168.0.2", 17, udp(3333, 53, dns_query("inner.example"))))
write("fuzz_packets", "sense_vxlan", frame(0, eth(ipv4(c, s, 17, udp(4789, 4789, b"\x08\x00\x00\x00\x00\x01\x00\x00" + inner)))))
write("fuzz_packets", "sense_geneve", frame(0, eth(ipv4(c, s, 17, udp(6081, 6081,
      struct.pack("!BBHI", 1, 0, 0x6558, 0x100) + b"\x01\x02\x03\x04" + inner)))))
write("fuzz_packets", "sense_gre_ip", frame(0, eth(ipv4(c, s, 47, struct.pack("!HH", 0x2000, 0x0800) + b"key!" +
      ipv4("172.16.0.1", "172.16.0.2", 17, udp(1, 53, dns_query("gre.example")))))))
write("fuzz_packets", "sense_erspan2", frame(0, eth(ipv4(c, s, 47, struct.pack("!HHI", 0x1000, 0x88be, 1) +
      b"\x10\x01\x00\x00\x00\x00\x00\x01" + inner))))
write("fuzz_packets", "sense_erspan3", frame(0, eth(ipv4(c, s, 47, struct.pack("!HHI", 0x1000, 0x22eb, 1) +
      b"\x20\x01\x00\x00" + b"\x00" * 7 + b"\x01" + b"\x00" * 8 + inner))))
write("fuzz_packets", "sense_gtpu", frame(0, eth(ipv4(c, s, 17, udp(2152, 2152,
      struct.pack("!BBHI", 0x30, 0xff, 60, 42) + ipv4("100.64.0.1", "100.64.0.2", 17, udp(7, 53, dns_query("gtp.example"))))))))
write("fuzz_packets", "sense_ipip6", frame(1, ipv4(c, s, 41, ipv6("2001:db8::1", "2001:db8::2", 17, udp(9, 53, dns_query("v6in4.example"))))))
write("fuzz_packets", "sense_mpls_pppoe", frame(0, eth(struct.pack("!I", (16 << 12) | 0x100 | 64) +
      ipv4(c, s, 17, udp(2, 53, dns_query("mpls.example"))), 0x8847)) +
      frame(0, eth(struct.pack("!BBHHH", 0x11, 0, 1, 60, 0x0021) + ipv4(c, s, 17, udp(3, 53, dns_query("pppoe.example"))), 0x8864)))
big = udp(4444, 53, dns_query("frag.example") + b"\x00" * 60)
write("fuzz_packets", "sense_fragments_v4", b"".join(frame(1, f) for f in reversed(frags4(big, 33, 24))))
write("fuzz_packets", "sense_fragments_v6", b"".join(frame(1, f) for f in frags6(big, 34, 24)))
write("fuzz_packets", "sense_icmp_echo", frame(1, ipv4(c, s, 1, b"\x08\x00\x00\x00\x00\x01\x00\x01")) +
      frame(1, ipv4(s, c, 1, b"\x00\x00\x00\x00\x00\x01\x00\x01")))
write("fuzz_packets", "sense_dns_answer", frame(1, ipv4(s, c, 17, udp(53, 5000, dns_answer("a.example", "192.0.2.1")))))

# --- QUIC client Initials (fuzz_quic, fuzz_packets) ---------------------------------
# Encrypting needs AES; python3-cryptography is used when present (the
# committed seeds were made with it), else these seeds are left as they are.
try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:
    AESGCM = None

import hashlib
import hmac


def hkdf_expand_label(secret, label, length):
    info = struct.pack("!HB", length, 6 + len(label)) + b"tls13 " + label + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def quic_varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return struct.pack("!H", 0x4000 | v)
    return struct.pack("!I", 0x80000000 | v)


def quic_initial(dcid, frames_plain, pn=0, pad_to=1200):
    salt = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
    initial = hmac.new(salt, dcid, hashlib.sha256).digest()
    client = hkdf_expand_label(initial, b"client in", 32)
    key = hkdf_expand_label(client, b"quic key", 16)
    iv = hkdf_expand_label(client, b"quic iv", 12)
    hp = hkdf_expand_label(client, b"quic hp", 16)
    scid = b"\x11\x22\x33\x44"
    pn_bytes = struct.pack("!I", pn)  # 4-byte packet number
    head = bytes([0xc0 | 3]) + struct.pack("!I", 1) + bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid + b"\x00"
    # pad the plaintext so the datagram reaches pad_to bytes
    overhead = len(head) + 2 + 4 + 16
    payload = frames_plain + b"\x00" * max(0, pad_to - overhead - len(frames_plain))
    length = 4 + len(payload) + 16
    hdr = head + struct.pack("!H", 0x4000 | length) + pn_bytes
    nonce = bytes(a ^ b for a, b in zip(iv, b"\x00" * 8 + pn_bytes))
    ct = AESGCM(key).encrypt(nonce, payload, hdr)
    pn_off = len(hdr) - 4
    sample = ct[0:16]  # 4 bytes after the packet number's start
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    prot = bytearray(hdr)
    prot[0] ^= mask[0] & 0x0f
    for i in range(4):
        prot[pn_off + i] ^= mask[1 + i]
    return bytes(prot) + ct


def crypto_frame(off, data):
    return b"\x06" + quic_varint(off) + quic_varint(len(data)) + data


if AESGCM:
    chmsg = hs(1, client_hello(sni="quic.example", alpn=(b"h3",)))
    dcid = bytes.fromhex("8394c8f03e515708")
    one = quic_initial(dcid, b"\x01" + crypto_frame(40, chmsg[40:]) + crypto_frame(0, chmsg[:40]))
    write("fuzz_quic", "initial_v1", b"\x00" + struct.pack("!H", len(one)) + one)
    d1 = quic_initial(dcid, crypto_frame(0, chmsg[:100]), pn=0)
    d2 = quic_initial(dcid, crypto_frame(100, chmsg[100:]) + b"\x02\x00\x00\x00\x00", pn=1)
    write("fuzz_quic", "initial_split", b"\x00" + b"".join(struct.pack("!H", len(d)) + d for d in (d1, d2)))
    write("fuzz_packets", "sense_quic", frame(1, ipv4(c, s, 17, udp(50000, 443, one))))
    write("fuzz_packets", "sense_quic_split", frame(1, ipv4(c, s, 17, udp(50001, 443, d1))) +
          frame(1, ipv4(s, c, 17, udp(443, 50001, b"\xc0" + b"\x00" * 30))) +
          frame(1, ipv4(c, s, 17, udp(50001, 443, d2))))
chmsg2 = hs(1, client_hello(sni="plain.example", alpn=(b"h3",)))
plain = (b"\x00\x01" + b"\x03\x05\x00\x01\x00\x00\x01\x02\x03" +
         crypto_frame(20, chmsg2[20:]) + crypto_frame(0, chmsg2[:20]) +
         b"\x1c\x0a\x06\x03bye")
write("fuzz_quic", "frames", b"\x01" + struct.pack("!H", len(plain)) + plain)
