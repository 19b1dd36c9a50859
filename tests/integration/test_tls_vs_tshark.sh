#!/bin/sh
# TLS, checked against tshark on every capture of ../shared/data/pcap and
# ../shared/data/ja4 (tunnels, IPv6, SOCKS, HTTP CONNECT and QUIC included):
# for each ClientHello — over TCP, or in a QUIC client's Initial packets,
# which both decrypt — the 5-tuple, JA3 (tls.handshake.ja3) and SNI; for
# each ServerHello over TCP the JA3S (tls.handshake.ja3s). sakimori reads no
# server Initial packets of QUIC, so their ServerHellos are left out.
. "$(dirname "$0")/lib.sh"
need_shared pcap/test-cc-capture-1.pcap
need_shared ja4/tls-handshake.pcapng
need_cmd tshark
need_cmd jq

# tshark fields → "src sport dst dport value" with the innermost addresses
# (ip.src lists every IP layer of a tunnelled packet; the last is the inner)
tshark_tuples() { # pcap filter field
    tshark -r "$1" -Y "$2" -T fields -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport \
           -e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport -e "$3" 2>/dev/null |
        awk -F'\t' '{ s = ($1 != "") ? $1 : $2; d = ($5 != "") ? $5 : $6
                      ns = split(s, a, ","); nd = split(d, b, ",")
                      sp = ($3 != "") ? $3 : $4; dp = ($7 != "") ? $7 : $8
                      nv = split($9, v, ",")
                      for (i = 1; i <= nv; i++) print a[ns], sp, b[nd], dp, v[i] }'
}

total=0
for pcap in "$SK_SHARED_DATA"/pcap/*.pcap "$SK_SHARED_DATA"/ja4/*.pcap "$SK_SHARED_DATA"/ja4/*.pcapng; do
    name=$(basename "$pcap")
    run_status "$SAKIMORI" scan -q --no-store --events "$TMP/ev.json" "$pcap"
    [ "$status" -le 1 ] || fail "$name: scan failed ($status)"

    tshark_tuples "$pcap" 'tls.handshake.type == 1' tls.handshake.ja3 | sort > "$TMP/t_ja3"
    jq -r 'select(.kind == "tls" and .tls.ja3 != null)
           | "\(.src_ip) \(.src_port) \(.dst_ip) \(.dst_port) \(.tls.ja3)"' "$TMP/ev.json" \
        | sort > "$TMP/o_ja3"
    diff -u "$TMP/t_ja3" "$TMP/o_ja3" || fail "$name: JA3 differs from tshark"

    tshark_tuples "$pcap" 'tls.handshake.type == 1' tls.handshake.extensions_server_name \
        | awk 'NF == 5' | sort > "$TMP/t_sni"
    jq -r 'select(.kind == "tls" and .tls.sni != null)
           | "\(.src_ip) \(.src_port) \(.dst_ip) \(.dst_port) \(.tls.sni)"' "$TMP/ev.json" \
        | sort > "$TMP/o_sni"
    diff -u "$TMP/t_sni" "$TMP/o_sni" || fail "$name: SNI differs from tshark"

    # ServerHellos: tshark's tuple is server → client; ours client → server
    tshark_tuples "$pcap" 'tcp && tls.handshake.type == 2' tls.handshake.ja3s \
        | awk '{ print $3, $4, $1, $2, $5 }' | sort > "$TMP/t_ja3s"
    jq -r 'select(.kind == "tls" and .proto == "tcp" and .tls.ja3s != null)
           | "\(.src_ip) \(.src_port) \(.dst_ip) \(.dst_port) \(.tls.ja3s)"' "$TMP/ev.json" \
        | sort > "$TMP/o_ja3s"
    diff -u "$TMP/t_ja3s" "$TMP/o_ja3s" || fail "$name: JA3S differs from tshark"

    n=$(wc -l < "$TMP/o_ja3")
    total=$((total + n))
    q=$(jq -r 'select(.kind == "tls" and .proto == "udp" and .tls.ja3 != null) | 1' "$TMP/ev.json" | wc -l)
    echo "$name: $n ClientHellos ($q in QUIC), $(wc -l < "$TMP/o_ja3s") ServerHellos agree with tshark"
done
[ "$total" -ge 300 ] || fail "only $total ClientHellos compared"
echo ok
