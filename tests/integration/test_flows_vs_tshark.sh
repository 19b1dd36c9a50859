#!/bin/sh
# Flows against tshark on every capture of ../shared/data/pcap: with
# timeouts longer than the captures, each TCP and UDP conversation of
# tshark's conversation statistics (-z conv,tcp / conv,udp) is exactly one
# sakimori flow, with the same packet count in each direction; the IP-layer
# bytes of each flow equal the sum of tshark's ip.len / ipv6.plen + 40 over
# that conversation's packets (the conversation table prints frame bytes
# rounded to kB, so the exact figure comes from tshark's per-packet fields).
. "$(dirname "$0")/lib.sh"
need_shared pcap/test-cc-capture-1.pcap
need_cmd tshark
need_cmd jq

printf 'flow:\n  idle_timeout: 1d\n  active_timeout: 7d\n' > "$TMP/long.yaml"
for pcap in "$SK_SHARED_DATA"/pcap/*.pcap; do
    name=$(basename "$pcap")
    run_status "$SAKIMORI" scan -q --no-store -c "$TMP/long.yaml" --events "$TMP/ev.json" "$pcap"
    [ "$status" -le 1 ] || fail "$name: scan failed ($status)"

    # conversations: "lo hi pkts(lo→hi) pkts(hi→lo)" with endpoints "addr:port" ordered
    for p in tcp udp; do
        tshark -r "$pcap" -q -z conv,$p 2>/dev/null |
            awk -v p=$p '$2 == "<->" { # A <-> B  f(B→A) bytes unit  f(A→B) bytes unit …
                  if ($1 < $3) print p, $1, $3, $7, $4; else print p, $3, $1, $4, $7 }'
    done | sort > "$TMP/t_conv"
    jq -r 'select(.kind == "flow" and (.proto == "tcp" or .proto == "udp"))
           | "\(.proto) \(.src_ip):\(.src_port) \(.dst_ip):\(.dst_port) \(.flow.pkts_out) \(.flow.pkts_in) \(.flow.bytes_out + .flow.bytes_in)"' \
        "$TMP/ev.json" |
        awk '{ if ($2 < $3) print $1, $2, $3, $4, $5, $6; else print $1, $3, $2, $5, $4, $6 }' \
        | sort > "$TMP/o_flows"
    cut -d' ' -f1-5 "$TMP/o_flows" > "$TMP/o_conv"
    [ -s "$TMP/t_conv" ] || fail "$name: tshark found no conversations"
    diff -u "$TMP/t_conv" "$TMP/o_conv" || fail "$name: flows differ from tshark's conversations"

    # bytes per conversation at the IP layer
    tshark -r "$pcap" -Y '(tcp || udp) && !icmp && !icmpv6' -T fields \
           -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport \
           -e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport -e ip.len -e ipv6.plen \
           -e tcp.stream -e udp.stream 2>/dev/null |
        awk -F'\t' '{ s = ($1 != "") ? $1 : $2; d = ($5 != "") ? $5 : $6
                      p = ($3 != "") ? "tcp" : "udp"
                      a = s ":" $3 $4; b = d ":" $7 $8
                      n = ($9 != "") ? $9 : $10 + 40
                      k = (a < b) ? p " " a " " b : p " " b " " a
                      sum[k "|" $11 $12] += n }   # per tshark stream: a reused
             END { for (k in sum) {               # 5-tuple is another flow
                       split(k, kk, "|"); print kk[1], sum[k] } }' | sort > "$TMP/t_bytes"
    awk '{ print $1, $2, $3, $6 }' "$TMP/o_flows" | sort > "$TMP/o_bytes"
    diff -u "$TMP/t_bytes" "$TMP/o_bytes" || fail "$name: bytes differ from tshark"
    echo "$name: $(wc -l < "$TMP/o_conv") flows agree with tshark (packets each way, IP bytes)"
done
echo ok
