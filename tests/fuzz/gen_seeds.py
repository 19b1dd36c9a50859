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

# --- Suricata EVE -------------------------------------------------------------
TS = '"timestamp":"2024-03-01T10:00:00.123456+0100"'
EP = '"src_ip":"192.0.2.10","src_port":49152,"dest_ip":"198.51.100.20","dest_port":%d,"proto":"%s"'
eve = {
    "flow": '{%s,"flow_id":1,"event_type":"flow",%s,"app_proto":"tls","flow":{"pkts_toserver":12,'
            '"pkts_toclient":10,"bytes_toserver":4056,"bytes_toclient":9000,'
            '"start":"2024-03-01T09:59:58.000001+0100","end":"2024-03-01T10:00:00.5+0100",'
            '"age":2,"state":"closed","reason":"timeout","alerted":false},'
            '"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1a","syn":true,'
            '"state":"closed"}}' % (TS, EP % (443, "TCP")),
    "flow_icmp6": '{%s,"event_type":"flow","src_ip":"2001:db8::1","dest_ip":"2001:db8::2",'
                  '"proto":"IPv6-ICMP","icmp_type":128,"icmp_code":0,"flow":{"pkts_toserver":1,'
                  '"bytes_toserver":104,"start":"2024-03-01T09:00:00Z"}}' % TS,
    "netflow": '{%s,"event_type":"netflow",%s,"netflow":{"pkts":3,"bytes":180,'
               '"start":"2024-03-01T09:59:58+01:00","end":"2024-03-01T09:59:59+01:00","age":1}}'
               % (TS, EP % (53, "UDP")),
    "dns_v1_query": '{%s,"event_type":"dns",%s,"dns":{"type":"query","id":4660,'
                    '"rrname":"c2.example.org","rrtype":"A","tx_id":0}}' % (TS, EP % (53, "UDP")),
    "dns_v1_answer": '{%s,"event_type":"dns",%s,"dns":{"type":"answer","id":4660,'
                     '"rcode":"NOERROR","rrname":"c2.example.org","rrtype":"A","ttl":300,'
                     '"rdata":"203.0.113.66"}}' % (TS, EP % (53, "UDP")),
    "dns_v2": '{%s,"event_type":"dns",%s,"dns":{"version":2,"type":"answer","id":2,'
              '"flags":"8180","qr":true,"rrname":"www.example.com","rrtype":"AAAA",'
              '"rcode":"NOERROR","answers":[{"rrname":"www.example.com","rrtype":"CNAME",'
              '"ttl":60,"rdata":"edge.example.net"},{"rrname":"edge.example.net",'
              '"rrtype":"AAAA","ttl":20,"rdata":"2001:db8::53"},{"rrname":"m.example.com",'
              '"rrtype":"MX","ttl":20,"rdata":"10 mx.example.com"}],'
              '"grouped":{"AAAA":["2001:db8::53"],"CNAME":["edge.example.net"]}}}'
              % (TS, EP % (53, "UDP")),
    "dns_v2_grouped_only": '{%s,"event_type":"dns",%s,"dns":{"version":2,"type":"answer",'
                           '"id":9,"rrname":"x.example","rrtype":"A","rcode":"NXDOMAIN",'
                           '"grouped":{"A":["192.0.2.1","192.0.2.2"],"TXT":["v=spf1 -all"]}}}'
                           % (TS, EP % (53, "UDP")),
    "dns_v3": '{%s,"event_type":"dns",%s,"dns":{"version":3,"type":"response","id":7,'
              '"rcode":"SERVFAIL","queries":[{"rrname":"q.example","rrtype":"TYPE65"}],'
              '"answers":[]}}' % (TS, EP % (53, "UDP")),
    "tls": '{%s,"event_type":"tls",%s,"tls":{"subject":"CN=c2.example","issuerdn":"CN=x",'
           '"fingerprint":"2D:D1:9F:80:99:86:FC:AC:5F:2A:2A:FD:A3:F3:7E:96:7C:DD:24:37",'
           '"sni":"c2.example","version":"TLS 1.2","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865",'
           '"string":"771,4865-4866,0-23,29,0"},"ja3s":{"hash":"ad90cab724fafab2660fbf61673c91a9"},'
           '"ja4":"t13d1516h2_8daaf6152771_02713d6af862","client_alpns":["h2","http/1.1"]}}'
           % (TS, EP % (443, "TCP")),
    "http": '{%s,"event_type":"http",%s,"tx_id":0,"http":{"hostname":"c2.example",'
            '"http_port":80,"url":"/gate.php?id=\\u00e9\\"x","http_user_agent":"Mozilla/5.0",'
            '"http_method":"POST","protocol":"HTTP/1.1","status":200,"length":12}}'
            % (TS, EP % (80, "TCP")),
    "alert": '{%s,"event_type":"alert",%s,"alert":{"action":"blocked","gid":1,'
             '"signature_id":2403388,"rev":3,"signature":"ET CINS Poor Reputation IP",'
             '"category":"Misc Attack","severity":2,"metadata":{"tag":["CINS"]}},'
             '"flow":{"pkts_toserver":1,"bytes_toserver":60,"start":"2024-03-01T09:00:00Z"}}'
             % (TS, EP % (445, "TCP")),
    "stats": '{%s,"event_type":"stats","stats":{"uptime":10,"decoder":{"pkts":100}}}' % TS,
    "anomaly": '{%s,"event_type":"anomaly",%s,"anomaly":{"type":"applayer"}}'
               % (TS, EP % (554, "TCP")),
    "proto_number": '{%s,"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2",'
                    '"proto":47,"flow":{"pkts_toserver":5}}' % TS,
}
for name, line in eve.items():
    write("fuzz_eve", name, line + "\n")
write("fuzz_eve", "mixed", "".join(l + "\n" for l in eve.values()) + "\n" +
      '{"event_type":"flow"}\n{"timestamp":"yesterday","event_type":"dns"}\nnot json\n' +
      '{"event_type":"flow",' + TS + ',"src_ip":"300.1.1.1"}\n')

# --- Zeek ------------------------------------------------------------------------
def tsv(path, fields, types, rows):
    h = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
         "#path\t%s\n#open\t2024-03-01-10-00-00\n#fields\t%s\n#types\t%s\n"
         % (path, "\t".join(fields), "\t".join(types)))
    return h + "".join("\t".join(r) + "\n" for r in rows) + "#close\t2024-03-01-11-00-00\n"


conn = tsv("conn", ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
                    "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "history",
                    "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"],
           ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval",
            "count", "count", "string", "string", "count", "count", "count", "count"],
           [["1709287200.123456", "C1", "192.0.2.10", "49152", "198.51.100.20", "443", "tcp",
             "ssl", "2.500000", "517", "4000", "SF", "ShADadFf", "12", "1200", "10", "4500"],
            ["1709287201.000001", "C2", "2001:db8::1", "128", "2001:db8::2", "0", "icmp", "-",
             "0.000100", "56", "56", "OTH", "-", "1", "104", "1", "104"],
            ["1709287202.5", "C3", "10.0.0.1", "5353", "10.0.0.2", "53", "udp", "dns", "-", "-",
             "-", "S0", "D", "1", "80", "0", "0"]])
dns = tsv("dns", ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
                  "trans_id", "query", "qclass", "qtype", "rcode", "answers", "TTLs"],
          ["time", "string", "addr", "port", "addr", "port", "enum", "count", "string", "count",
           "count", "count", "vector[string]", "vector[interval]"],
          [["1709287200.1", "D1", "192.0.2.10", "5353", "192.0.2.53", "53", "udp", "4660",
            "c2.example.org", "1", "1", "0", "edge.example.net,203.0.113.66",
            "60.000000,20.000000"],
           ["1709287200.2", "D2", "192.0.2.10", "5354", "192.0.2.53", "53", "udp", "4661",
            "tab\\x09name.example", "1", "28", "-", "-", "-"],
           ["1709287200.3", "D3", "192.0.2.10", "5355", "192.0.2.53", "53", "udp", "1",
            "(empty)", "1", "15", "3", "(empty)", "(empty)"]])
ssl = tsv("ssl", ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version",
                  "cipher", "server_name", "next_protocol", "established", "cert_chain_fps",
                  "ja3", "ja3s"],
          ["time", "string", "addr", "port", "addr", "port", "string", "string", "string",
           "string", "bool", "vector[string]", "string", "string"],
          [["1709287200.4", "S1", "192.0.2.10", "49153", "198.51.100.20", "443", "TLSv13",
            "TLS_AES_128_GCM_SHA256", "c2.example", "h2", "T",
            "a" * 64 + "," + "b" * 64, "e7d705a3286e19ea42f587b344ee6865", "-"]])
http = tsv("http", ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                    "trans_depth", "method", "host", "uri", "user_agent", "status_code"],
           ["time", "string", "addr", "port", "addr", "port", "count", "string", "string",
            "string", "string", "count"],
           [["1709287200.5", "H1", "192.0.2.10", "49154", "198.51.100.20", "80", "1", "GET",
             "c2.example", "/gate.php", "Mozilla/5.0 (X11)", "200"]])
for name, text, sel in [("conn_tsv", conn, 0), ("dns_tsv", dns, 1), ("ssl_tsv", ssl, 2),
                        ("http_tsv", http, 3)]:
    write("fuzz_zeek", name, bytes([sel]) + text.encode())
zjson = [
    '{"ts":1709287200.123456,"uid":"C1","id.orig_h":"192.0.2.10","id.orig_p":49152,'
    '"id.resp_h":"198.51.100.20","id.resp_p":443,"proto":"tcp","duration":2.5,'
    '"conn_state":"SF","history":"ShADadFf","orig_pkts":12,"orig_ip_bytes":1200,'
    '"resp_pkts":10,"resp_ip_bytes":4500}',
    '{"_path":"dns","ts":"2024-03-01T10:00:00.1Z","id.orig_h":"192.0.2.10","id.orig_p":5353,'
    '"id.resp_h":"192.0.2.53","id.resp_p":53,"proto":"udp","trans_id":4660,'
    '"query":"c2.example.org","qclass":1,"qtype":1,"rcode":0,'
    '"answers":["edge.example.net","203.0.113.66"],"TTLs":[60.0,20.0]}',
    '{"ts":1709287200.4,"id.orig_h":"192.0.2.10","id.orig_p":49153,"id.resp_h":"198.51.100.20",'
    '"id.resp_p":443,"version":"TLSv12","cipher":"x","server_name":"c2.example",'
    '"established":true,"cert_chain_fps":["%s"]}' % ("c" * 64),
    '{"ts":1709287200.5,"id.orig_h":"192.0.2.10","id.orig_p":49154,"id.resp_h":"198.51.100.20",'
    '"id.resp_p":80,"method":"GET","host":"c2.example","uri":"/","status_code":404}',
    '{"ts":1709287200.6,"fuid":"F1","source":"HTTP"}',
]
write("fuzz_zeek", "json_mixed", bytes([4]) + ("\n".join(zjson) + "\n").encode())
write("fuzz_zeek", "no_header", bytes([0]) + b"1709287200.1\tC1\t10.0.0.1\n#fields\tts\n1\n")
write("fuzz_zeek", "gzip_name", bytes([2]) + gzip.compress(b"not a log"))

# --- JSON ---------------------------------------------------------------------------
jdocs = {
    "object": '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
    "numbers": '[0,-0,1.5,-2e10,3E-5,18446744073709551615,123456789012345678901234567890,1e400]',
    "escapes": '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud834\\udd1e"',
    "utf8": '"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"',
    "nested": "[" * 64 + "]" * 64,
    "dup": '{"k":1,"k":[2]}',
    "ws": ' \t\r\n{ "a" : [ ] } \n',
    "bad_trailing_comma": '[1,2,]',
    "bad_escape": '"\\x41"',
    "bad_surrogate": '"\\udc00"',
    "nul_after_number": '[1\x00,2]',
}
for name, doc in jdocs.items():
    write("fuzz_jscan", name, doc.encode("latin-1") if name == "utf8" else doc.encode("utf-8"))
for name, line in list(eve.items())[:3]:
    write("fuzz_jscan", "eve_" + name, line)
