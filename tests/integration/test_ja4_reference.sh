#!/bin/sh
# JA4 (TLS client) against the reference implementation's outputs in
# ../shared/data/ja4/*.expected.json: for every ClientHello listed there
# (JA4.1, JA4.2, … per TCP stream, in order) sakimori's TLS event on the same
# 5-tuple carries the same JA4. Only the JA4 fields are used (see the
# licence note in ../shared/data/README.md).
#
# The reference outputs list TLS over TCP only: the ClientHellos sakimori
# reads in QUIC Initial packets (JA4 "q…") are checked against tshark's JA3
# and SNI in test_tls_vs_tshark instead.
#
# The reference lists no JA4 for the TLS inside an HTTP CONNECT tunnel
# (https-connect.pcap: its HTTP view of the stream hides it), so there the
# extra fingerprint sakimori finds is checked against tshark's JA3 instead
# (test_tls_vs_tshark). For the tunnel captures (GRE, ERSPAN/VXLAN,
# Geneve, IPv6) the reference writes the outer addresses with the inner
# ports; sakimori's flow must carry those ports and the innermost addresses,
# which tshark gives as the last value of ip.src/ip.dst.
. "$(dirname "$0")/lib.sh"
need_shared ja4/tls-handshake.pcapng.expected.json
need_cmd jq
need_cmd tshark

compared=0
for exp in "$SK_SHARED_DATA"/ja4/*.expected.json; do
    pcap=${exp%.expected.json}
    name=$(basename "$pcap")
    run_status "$SAKIMORI" scan -q --no-store --events "$TMP/ev.json" "$pcap"
    [ "$status" -le 1 ] || fail "$name: scan failed ($status)"

    jq -r '.[] | . as $e | to_entries[] | select(.key | test("^JA4\\.[0-9]+$"))
           | "\($e.src) \($e.srcport) \($e.dst) \($e.dstport) \(.key | ltrimstr("JA4.")) \(.value)"' \
        "$exp" | sort > "$TMP/exp"
    jq -r 'select(.kind == "tls" and .proto == "tcp" and .tls.ja4 != null)
           | "\(.src_ip) \(.src_port) \(.dst_ip) \(.dst_port) \(.tls.ja4)"' "$TMP/ev.json" \
        | awk '{ k = $1 " " $2 " " $3 " " $4; print k, ++n[k], $5 }' | sort > "$TMP/ours"
    if [ "$name" = https-connect.pcap ]; then
        # ours is a superset: everything the reference has must be there
        missing=$(comm -23 "$TMP/exp" "$TMP/ours" | wc -l)
        [ "$missing" -eq 0 ] || fail "$name: $missing reference JA4 missing"
        [ "$(wc -l < "$TMP/ours")" -eq 1 ] || fail "$name: expected the one tunnelled ClientHello"
    else
        diff -u "$TMP/exp" "$TMP/ours" || fail "$name: JA4 differs from the reference"
    fi
    n=$(wc -l < "$TMP/exp")
    compared=$((compared + n))

    # every stream of the reference is one of our flows (ports always; the
    # addresses are the innermost ones tshark sees)
    jq -r '.[] | "\(.srcport) \(.dstport)"' "$exp" | sort -u > "$TMP/exp_ports"
    jq -r 'select(.kind == "flow" and .proto == "tcp")
           | "\(.src_port) \(.dst_port)\n\(.dst_port) \(.src_port)"' "$TMP/ev.json" \
        | sort -u > "$TMP/our_ports"
    missing=$(comm -23 "$TMP/exp_ports" "$TMP/our_ports" | wc -l)
    [ "$missing" -eq 0 ] || { comm -23 "$TMP/exp_ports" "$TMP/our_ports"; fail "$name: reference streams without a flow"; }
    echo "$name: $n JA4 agree; $(wc -l < "$TMP/exp_ports") streams found"
done

# tunnels: the innermost addresses, as tshark decodes them
for name in gre-sample.pcap gre-erspan-vxlan.pcap tcpdump-geneve.pcap v6.pcap; do
    pcap="$SK_SHARED_DATA/ja4/$name"
    "$SAKIMORI" scan -q --no-store --events "$TMP/ev.json" "$pcap" || true
    tshark -r "$pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields \
           -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport 2>/dev/null |
        awk -F'\t' '{ s = ($1 != "") ? $1 : $2; d = ($4 != "") ? $4 : $5
                      ns = split(s, a, ","); nd = split(d, b, ","); print a[ns], $3, b[nd], $6 }' \
        | sort -u > "$TMP/t_syn"
    jq -r 'select(.kind == "flow" and .proto == "tcp" and (.flow.tcp_flags_out % 4) >= 2)
           | "\(.src_ip) \(.src_port) \(.dst_ip) \(.dst_port)"' "$TMP/ev.json" | sort -u > "$TMP/o_syn"
    [ -s "$TMP/t_syn" ] || fail "$name: tshark saw no connection"
    diff -u "$TMP/t_syn" "$TMP/o_syn" || fail "$name: tunnelled connections differ from tshark"
    echo "$name: $(wc -l < "$TMP/o_syn") tunnelled connections agree with tshark"
done
[ "$compared" -ge 130 ] || fail "only $compared JA4 compared"
echo "ok: $compared JA4 fingerprints"
