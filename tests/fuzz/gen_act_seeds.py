#!/usr/bin/env python3
"""gen_act_seeds.py — writes the seed corpora of the act fuzz targets
(fuzz_dnsmsg, fuzz_tsigkey, fuzz_sniff, fuzz_contacts). Every seed is built
here from the formats' definitions; the committed corpora are this script's
output:

    python3 tests/fuzz/gen_act_seeds.py tests/fuzz/corpus
"""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# --- DNS messages ---------------------------------------------------------------
def name(n):
    b = b""
    for label in n.rstrip(".").split("."):
        if label:
            b += bytes([len(label)]) + label.encode()
    return b + b"\0"


def hdr(ident, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


def rr(owner, rtype, data, ttl=60, cls=1):
    return (owner if isinstance(owner, bytes) else name(owner)) + struct.pack("!HHIH", rtype, cls, ttl, len(data)) + data


def soa(zone, serial):
    return rr(zone, 6, name("localhost") + name("hostmaster.localhost") + struct.pack("!IIIII", serial, 300, 60, 2592000, 60))


Z = "delta.sakimori.rpz"
q_soa = hdr(1, 0, 1, 0, 0, 0) + name(Z) + struct.pack("!HH", 6, 1)
write("fuzz_dnsmsg", "query_soa", q_soa)
write("fuzz_dnsmsg", "ixfr_request", hdr(2, 0, 1, 0, 1, 0) + name(Z) + struct.pack("!HH", 251, 1) + soa(Z, 1795600000))
write("fuzz_dnsmsg", "axfr_reply", hdr(3, 0x8400, 1, 5, 0, 0) + name(Z) + struct.pack("!HH", 252, 1)
      + soa(Z, 7) + rr(Z, 2, name("localhost")) + rr("c2.evil.test." + Z, 1, bytes([127, 0, 0, 7]))
      + rr("c2.evil.test." + Z, 28, bytes(15) + b"\x07") + soa(Z, 7))
# compression: the answer owner points at the question name
comp = hdr(4, 0x8180, 1, 2, 0, 0) + name("c2.evil.test") + struct.pack("!HH", 1, 1)
comp += b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 2) + b"\xc0\x0f"
comp += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 66])
write("fuzz_dnsmsg", "compressed_answer", comp)
write("fuzz_dnsmsg", "pointer_loop", hdr(5, 0, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1))
tsig_rdata = name("hmac-sha256") + struct.pack("!HIHH", 0, 1795600000, 300, 32) + bytes(32) + struct.pack("!HHH", 6, 0, 0)
write("fuzz_dnsmsg", "update_reply_tsig", hdr(6, 0xa800, 1, 0, 0, 1) + name(Z) + struct.pack("!HH", 6, 1)
      + rr("sakimori-test", 250, tsig_rdata, ttl=0, cls=255))
write("fuzz_dnsmsg", "notify", hdr(7, 0x2400, 1, 1, 0, 0) + name(Z) + struct.pack("!HH", 6, 1) + soa(Z, 9))
write("fuzz_dnsmsg", "truncated", q_soa[:15])

# --- key files -------------------------------------------------------------------
write("fuzz_tsigkey", "tsig_keygen", 'key "sakimori" {\n\talgorithm hmac-sha256;\n\tsecret "uQtqu03yOG75eMtTxq1jyn+7QnzxwU9EVQANJ9sQcOs=";\n};\n')
write("fuzz_tsigkey", "sha512_comments", '# c\n// c\n/* c */ key sk512. { algorithm HMAC-SHA512; secret "AAECAwQFBgcICQoLDA0ODw=="; };')
write("fuzz_tsigkey", "md5", 'key "x" { algorithm hmac-md5; secret "AAAA"; };')
# found by fuzzing: a key named "." (the root) must be refused
write("fuzz_tsigkey", "root_key_name", '# c\n// c\n/* c */ key . { algorithm HMAC-SHA512; secret "AAECAwQFBQoLDA0O"; };')
write("fuzz_tsigkey", "unterminated", 'key "x" { algorithm hmac-sha256; secret "AAAA')

# --- sniffing --------------------------------------------------------------------
write("fuzz_sniff", "http", b"GET /gate.php?id=1 HTTP/1.1\r\nHost: c2.evil.example:8080\r\nUser-Agent: bot\r\n\r\n")
write("fuzz_sniff", "http_nohost", b"POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n")


def client_hello(sni):
    n = sni.encode()
    sn = struct.pack("!HH", 0, len(n) + 5) + struct.pack("!HBH", len(n) + 3, 0, len(n)) + n
    ext = sn + struct.pack("!HHBH", 43, 3, 2, 0x0304)
    body = b"\x03\x03" + bytes(range(32)) + b"\x20" + bytes(32) + struct.pack("!HHH", 4, 0x1301, 0x1302) + b"\x01\x00" + struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


write("fuzz_sniff", "tls_sni", client_hello("tls-c2.evil.example"))
write("fuzz_sniff", "tls_cut", client_hello("cut.example")[:60])

# --- contacts and operators ---------------------------------------------------------
vcard = '{"roles": ["abuse"], "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Abuse"], ["email", {}, "text", "abuse@hosting.example"]]]}'
db = ('{"networks": [{"handle": "N1", "name": "H", "cidr0_cidrs": [{"v4prefix": "203.0.113.0", "length": 24}], "entities": [%s]},'
      ' {"handle": "N2", "startAddress": "2001:db8::", "endAddress": "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "entities": [%s]}],'
      ' "domains": [{"handle": "D1", "ldhName": "evil.example", "entities": [{"roles": ["registrar"], "entities": [%s]}]}]}') % (vcard, vcard, vcard)
write("fuzz_contacts", "contacts", b"\x00" + db.encode())
write("fuzz_contacts", "contacts_bad_prefix", b"\x00" + b'{"networks": [{"cidr0_cidrs": [{"v4prefix": "203.0.113.1", "length": 24}]}]}')
write("fuzz_contacts", "operators", b"\x01" + b'{"operators": [{"id": "op-a", "name": "A", "email": "soc@a.example", "prefixes": ["10.20.0.0/16", "2001:db8::/32"]}]}')
write("fuzz_contacts", "operators_bad", b"\x01" + b'{"operators": [{"id": "../x", "email": "x", "prefixes": []}]}')
