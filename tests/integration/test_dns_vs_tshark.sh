#!/bin/sh
# DNS messages against tshark on every capture of ../shared/data/pcap and
# ../shared/data/ja4 (DNS inside GRE included): the same messages, each with
# the same query name, type, QR bit and response code, as many times; and
# the same query names with the same counts. Only port 53 is DNS to
# sakimori (tshark also decodes mDNS and LLMNR with the dns fields), and a
# DNS message quoted inside an ICMP error is not a message of its own.
. "$(dirname "$0")/lib.sh"
need_shared pcap/test-cc-capture-2.pcap
need_cmd tshark
need_cmd jq

total=0
for pcap in "$SK_SHARED_DATA"/pcap/*.pcap "$SK_SHARED_DATA"/ja4/*.pcap "$SK_SHARED_DATA"/ja4/*.pcapng; do
    name=$(basename "$pcap")
    run_status "$SAKIMORI" scan -q --no-store --events "$TMP/ev.json" "$pcap"
    [ "$status" -le 1 ] || fail "$name: scan failed ($status)"
    tshark -r "$pcap" -Y 'dns && (udp.port == 53 || tcp.port == 53) && !icmp && !icmpv6' -T fields \
           -e dns.flags.response -e dns.qry.name -e dns.qry.type -e dns.flags.rcode 2>/dev/null |
        awk -F'\t' '{ r = ($1 == "1" || $1 == "True") ? 1 : 0; n = tolower($2)
                      if (n == "<root>") n = "."
                      print r, n, $3, (r ? $4 : "-") }' | sort > "$TMP/t_dns"
    jq -r 'select(.kind == "dns")
           | "\(if .dns.response then 1 else 0 end) \(if .dns.qname == "" then "." else .dns.qname end) \(.dns.qtype) \(if .dns.response then .dns.rcode else "-" end)"' \
        "$TMP/ev.json" | sort > "$TMP/o_dns"
    diff -u "$TMP/t_dns" "$TMP/o_dns" || fail "$name: DNS messages differ from tshark"
    # query names and their counts (queries only)
    awk '$1 == 0 { print $2 }' "$TMP/t_dns" | sort | uniq -c > "$TMP/t_names"
    awk '$1 == 0 { print $2 }' "$TMP/o_dns" | sort | uniq -c > "$TMP/o_names"
    diff -u "$TMP/t_names" "$TMP/o_names" || fail "$name: query names differ from tshark"
    n=$(wc -l < "$TMP/o_dns")
    total=$((total + n))
    [ "$n" -eq 0 ] || echo "$name: $n DNS messages, $(wc -l < "$TMP/o_names") query names agree with tshark"
done
[ "$total" -ge 500 ] || fail "only $total DNS messages compared"
echo ok
