#!/usr/bin/env python3
"""gen_seeds.py — writes the seed corpora of sakimori's telemetry fuzz targets
(fuzz_netflow, fuzz_eve, fuzz_zeek, fuzz_jscan) from first principles: every
seed is built here, none is copied from a capture or a log. The committed
corpora are this script's output; run it again after changing it:

    python3 tests/fuzz/gen_seeds.py tests/fuzz/corpus
"""
import gzip
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# --- NetFlow / IPFIX ----------------------------------------------------------
def ip4(s):
    return bytes(int(x) for x in s.split("."))


def rec(sel, dg):
    return struct.pack("!BH", sel, len(dg)) + dg


def v5(count=2, sampling=0):
    h = struct.pack("!HHIIIIBBH", 5, count, 100000, 1700000000, 0, 1, 0, 0, sampling)
    body = b""
    for i in range(count):
        body += ip4("10.0.0.%d" % (i + 1)) + ip4("203.0.113.9") + ip4("0.0.0.0")
        body += struct.pack("!HHIIIIHHBBBBHHBBH", 1, 2, 3, 180, 90000, 99000, 40000 + i,
                            443 if i % 2 == 0 else 0x0301, 0, 0x1b, 6 if i % 2 == 0 else 1,
                            0, 0, 0, 24, 24, 0)
    return h + body


def v9(sets, domain=7, uptime=5000):
    return struct.pack("!HHIIII", 9, len(sets), uptime, 1700000000, 1, domain) + b"".join(sets)


def ipfix(sets, domain=42):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), 1700000000, 1, domain) + body


def flowset(sid, body):
    pad = (-len(body)) % 4
    return struct.pack("!HH", sid, 4 + len(body) + pad) + body + b"\0" * pad


def tmpl(tid, fields, ipfix_ent=False):
    b = struct.pack("!HH", tid, len(fields))
    for f in fields:
        if len(f) == 3:
            b += struct.pack("!HHI", f[0] | 0x8000, f[1], f[2])
        else:
            b += struct.pack("!HH", *f)
    return b


T260 = tmpl(260, [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 8), (48, 1), (6, 1),
                  (22, 4), (21, 4)])


def d260(src, sampler=2):
    return ip4(src) + ip4("203.0.113.5") + struct.pack("!HHBIQBBII", 5353, 53, 17, 2, 150,
                                                        sampler, 0x12, 4000, 4900)


OPT300 = struct.pack("!HHH", 300, 4, 8) + struct.pack("!HHHHHH", 1, 4, 48, 1, 34, 4)
OPTDATA = struct.pack("!IBI", 0, 2, 1000) + struct.pack("!IBI", 0, 3, 64)

write("fuzz_netflow", "v5", rec(0, v5()))
write("fuzz_netflow", "v5_sampled", rec(0, v5(3, 0x4000 | 100)))
write("fuzz_netflow", "v9_template_data",
      rec(0, v9([flowset(0, T260), flowset(260, d260("10.1.1.1") + d260("10.1.1.2"))])))
write("fuzz_netflow", "v9_data_before_template",
      rec(0, v9([flowset(260, d260("10.1.1.1"))])) + rec(4, v9([flowset(0, T260)])) +
      rec(1, v9([flowset(260, d260("10.1.1.3"))])))
write("fuzz_netflow", "v9_options_sampling",
      rec(0, v9([flowset(1, OPT300), flowset(300, OPTDATA), flowset(0, T260),
                 flowset(260, d260("10.1.1.2", 3))])))
write("fuzz_netflow", "v9_zero_scope",
      rec(0, v9([flowset(1, struct.pack("!HHHHHHHHH", 256, 4, 8, 1, 0, 35, 1, 34, 4)),
                 flowset(256, b"\x02\x00\x00\x00\x64")])))
TVAR = tmpl(400, [(27, 16), (82, 65535), (28, 16), (4, 1), (1, 4), (1, 4, 29305),
                  (2, 2, 29305), (152, 8), (99, 2, 9)])
v6a = bytes.fromhex("20010db8000000000000000000000001")
v6b = bytes.fromhex("20010db8000000000000000000000002")
D400 = (v6a + b"\x03eth" + v6b + struct.pack("!BIIHQH", 17, 1000, 2000, 4, 1700000000123, 0) +
        v6a + b"\xff\x01\x2c" + b"x" * 300 + v6b +
        struct.pack("!BIIHQH", 6, 10, 20, 1, 1700000000456, 0))
write("fuzz_netflow", "ipfix_varlen_biflow", rec(2, ipfix([flowset(2, TVAR), flowset(400, D400)])))
write("fuzz_netflow", "ipfix_withdraw",
      rec(2, ipfix([flowset(2, TVAR)])) + rec(2, ipfix([flowset(2, struct.pack("!HH", 400, 0))])) +
      rec(2, ipfix([flowset(400, D400)])) +
      rec(2, ipfix([flowset(2, struct.pack("!HH", 2, 0))])))
OPT500 = struct.pack("!HHH", 500, 3, 1) + struct.pack("!HHHHHH", 145, 2, 305, 4, 306, 4)
T501 = tmpl(501, [(8, 4), (12, 4), (2, 4), (154, 8), (155, 8)])
write("fuzz_netflow", "ipfix_template_sampling",
      rec(1, ipfix([flowset(3, OPT500), flowset(500, struct.pack("!HII", 501, 1, 99)),
                    flowset(2, T501),
                    flowset(501, ip4("10.9.9.9") + ip4("10.8.8.8") +
                            struct.pack("!IIIII", 5, 3909000000, 1 << 31, 3909000001, 0))])))
# a sampled frame: Ethernet, 802.1Q, MPLS label stack, control word, Ethernet, IPv4, TCP
frame = (b"\x02" * 6 + b"\x04" * 6 + b"\x81\x00\x00\x0a\x88\x47" + b"\x00\x01\x00\x40" +
         b"\x00\x02\x01\x40" + b"\x00\x00\x00\x00" + b"\x06" * 6 + b"\x08" * 6 + b"\x08\x00" +
         bytes.fromhex("4500003c00004000400600000a0000010a000002") +
         bytes.fromhex("01bb1f9000000001000000005012ffff00000000"))
TFR = tmpl(384, [(10, 4), (312, 2), (315, 65535)])
write("fuzz_netflow", "ipfix_frame_mpls",
      rec(3, ipfix([flowset(2, TFR),
                    flowset(384, struct.pack("!IHB", 5, 1500, len(frame)) + frame)])))
write("fuzz_netflow", "garbage", rec(0, b"\x00\x09\xff\xff" + b"\x00" * 30) +
      rec(1, b"\x00\x0a\x00\x10" + b"\x00" * 12) + rec(2, b"\x00\x05"))
