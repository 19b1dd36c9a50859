#!/bin/sh
# NetFlow v5/v9 and IPFIX: every capture in ../shared/data/netflow decodes,
# and every flow record agrees with tshark's cflow decoding of the same
# packets: addresses, ports, protocol, packets, octets, TCP flags and start/
# end times. Template and data captures are merged (template first) so that
# tshark, which knows no templates from other files, decodes them too; we
# also check that giving sakimori the two files as two inputs decodes the
# same records (templates carry over between inputs of a run).
. "$(dirname "$0")/lib.sh"
need_shared netflow/nfv5.pcap
need_cmd tshark
need_cmd mergecap
need_cmd jq
nf="$SK_SHARED_DATA/netflow"

# tshark's records: one line per flow record, fields in our conventions
# (ICMP type/code as ports, counters as exported, times in ms since epoch).
cat > "$TMP/tshark.jq" <<'JQ'
# with --no-duplicate-keys a field given twice (IPFIX forward and reverse,
# RFC 5103) is an array: forward first
def fwd: if type == "array" then .[0] else . end;
def rev: if type == "array" then .[1] else null end;
def num: if . == null then 0 else fwd | tonumber end;
def hex: if . == null then 0 else fwd | ltrimstr("0x") | explode | reduce .[] as $c (0;
    . * 16 + (if $c >= 97 then $c - 87 elif $c >= 65 then $c - 55 else $c - 48 end)) end;
def abstime: if . == null then null else
    capture("^(?<d>[A-Z][a-z]+ +[0-9]+, [0-9]+ [0-9:]+)(\\.(?<f>[0-9]+))? UTC$")
    | ((.d | gsub("  +"; " ") | strptime("%b %d, %Y %H:%M:%S") | mktime) * 1000
       + (("0." + (.f // "0")) | tonumber) * 1000 | round) end;
.[]._source.layers.cflow as $c
| ($c["cflow.timestamp_tree"]["cflow.unix_secs"] | num) as $secs
| ($c["cflow.sysuptime"] | num) as $up
| $c | .. | objects | to_entries[]
| select(.key | test("^(Flow [0-9]+|pdu [0-9]+/[0-9]+)$")) | .value
| select(has("cflow.srcaddr") or has("cflow.srcaddrv6") or has("cflow.dstaddr") or has("cflow.dstaddrv6"))
| (.["cflow.protocol"] | num) as $p
| (.["cflow.srcport"] | num) as $sp | (.["cflow.dstport"] | num) as $dp
| (if ($p == 1 or $p == 58) then
     (if has("cflow.icmp_type_code_ipv4") then (.["cflow.icmp_type_code_ipv4"] | num)
      elif has("cflow.icmp_ipv6_type_code") then (.["cflow.icmp_ipv6_type_code"] | num)
      elif $sp == 0 then $dp else null end) as $tc
     | if $tc == null then [$sp, $dp] else [($tc / 256 | floor), ($tc % 256)] end
   else [$sp, $dp] end) as $ports
| (.["cflow.timedelta_tree"] // {}) as $td
| (if $td["cflow.abstimestart"] then ($td["cflow.abstimestart"] | abstime)
   elif $td["cflow.timestart"] then (($secs - $up + ($td["cflow.timestart"] | num)) * 1000 | round)
   elif .["cflow.observation_time_milliseconds"] then (.["cflow.observation_time_milliseconds"] | abstime)
   else null end) as $start
| (if $td["cflow.abstimeend"] then ($td["cflow.abstimeend"] | abstime)
   elif $td["cflow.timeend"] then (($secs - $up + ($td["cflow.timeend"] | num)) * 1000 | round)
   else null end) as $fin
| [(.["cflow.srcaddr"] // .["cflow.srcaddrv6"]), (.["cflow.dstaddr"] // .["cflow.dstaddrv6"]),
   $ports[0], $ports[1], $p,
   ((.["cflow.packets"] // .["cflow.packets64"]) | num),
   ((.["cflow.octets"] // .["cflow.octets64"]) | num),
   ((.["cflow.packets"] // .["cflow.packets64"]) | rev | num),
   ((.["cflow.octets"] // .["cflow.octets64"]) | rev | num),
   (if $p == 6 then (.["cflow.tcpflags"] | hex) else 0 end),
   (if $p == 6 then (.["cflow.tcpflags"] | rev | hex) else 0 end),
   ($start // "-"), ($fin // $start // "-")]
| map(tostring) | join(" ")
JQ

# ours, counters divided back by the sampling rate they were scaled by
cat > "$TMP/ours.jq" <<'JQ'
def ms: capture("^(?<s>[0-9-]+T[0-9:]+)(\\.(?<f>[0-9]+))?Z$")
    | ((.s + "Z" | fromdateiso8601) * 1000 + (("0." + (.f // "0")) | tonumber) * 1000 | round);
select(.kind == "flow")
| (if .flow.sampling > 1 then .flow.sampling else 1 end) as $r
| {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58, "sctp": 132}[.proto] as $pn
| [.src_ip, .dst_ip, .src_port, .dst_port, ($pn // (.proto | tonumber)),
   (.flow.pkts_out / $r), (.flow.bytes_out / $r), (.flow.pkts_in / $r), (.flow.bytes_in / $r),
   .flow.tcp_flags_out, .flow.tcp_flags_in,
   (.ts | ms), (.ts_end | ms)]
| map(tostring) | join(" ")
JQ

check() { # name expected_extra file...
    name=$1 extra=$2
    shift 2
    merged="$TMP/$name.pcap"
    mergecap -F pcap -a -w "$merged" "$@"
    port=$(tshark -r "$merged" -T fields -e udp.dstport 2>/dev/null | head -1)
    tshark -r "$merged" -d "udp.port==$port,cflow" -T json --no-duplicate-keys 2>/dev/null \
        | jq -r -f "$TMP/tshark.jq" | sort > "$TMP/$name.tshark"
    "$SAKIMORI" collect --json --stats --format netflow "$merged" \
        > "$TMP/$name.json" 2> "$TMP/$name.stats"
    jq -r -f "$TMP/ours.jq" "$TMP/$name.json" | sort > "$TMP/$name.ours"
    grep -q '"malformed":0,' "$TMP/$name.stats" || { cat "$TMP/$name.stats"; fail "$name: malformed records"; }
    [ -s "$TMP/$name.ours" ] || fail "$name: no flow decoded"
    if [ "$extra" = 0 ]; then
        diff -u "$TMP/$name.tshark" "$TMP/$name.ours" || fail "$name: records differ from tshark"
    else
        # records tshark cannot decode (data before its template) are ours only
        [ -z "$(comm -23 "$TMP/$name.tshark" "$TMP/$name.ours")" ] \
            || fail "$name: tshark records missing from ours"
        n=$(comm -13 "$TMP/$name.tshark" "$TMP/$name.ours" | wc -l)
        [ "$n" -eq "$extra" ] || fail "$name: $n records beyond tshark's, expected $extra"
    fi
    # the same files as separate inputs of one run decode the same records
    if [ $# -gt 1 ]; then
        "$SAKIMORI" collect --json -q --format netflow "$@" | jq -r -f "$TMP/ours.jq" | sort \
            > "$TMP/$name.sep"
        diff -u "$TMP/$name.ours" "$TMP/$name.sep" >/dev/null || fail "$name: separate inputs differ"
    fi
    echo "$name: $(wc -l < "$TMP/$name.ours") records agree with tshark (tshark: $(wc -l < "$TMP/$name.tshark"))"
}

check nfv5 0 "$nf/nfv5.pcap"
check v9 0 "$nf/template.pcap" "$nf/data.pcap"
check v9-options 0 "$nf/options-template.pcap" "$nf/options-data.pcap" "$nf/template.pcap" "$nf/data.pcap"
check v9-sampling 0 "$nf/samplingrate-template.pcap" "$nf/samplingrate-data.pcap"
check v9-multisampling 0 "$nf/multiplesamplingrates-options-template.pcap" \
    "$nf/multiplesamplingrates-options-data.pcap" "$nf/multiplesamplingrates-template.pcap" \
    "$nf/multiplesamplingrates-data.pcap"
check v9-icmp 0 "$nf/icmp-template.pcap" "$nf/icmp-data.pcap"
check v9-nat 0 "$nf/nat.pcap"
check v9-data-before-template 11 "$nf/data+templates.pcap"
check ipfix-probe 0 "$nf/ipfixprobe-templates.pcap" "$nf/ipfixprobe-data.pcap"
check ipfix-physical 0 "$nf/physicalinterfaces.pcap"
check ipfix-mpls 0 "$nf/mpls.pcap"

# sampling rates applied (akvorado's reference decodes of the same files)
jq -e -s 'map(.flow.sampling) | unique == [30000]' "$TMP/v9-options.json" >/dev/null \
    || fail "options-data sampler (1 in 30000) not applied"
jq -e -s 'map(.flow.sampling) | unique == [2048]' "$TMP/v9-sampling.json" >/dev/null \
    || fail "in-record sampling interval (2048) not applied"
jq -e -s 'map(.flow.sampling) | unique == [2000, 4000]' "$TMP/v9-multisampling.json" >/dev/null \
    || fail "per-sampler rates (2000, 4000) not applied"
jq -e -s 'map(.flow.sampling) | unique == [10]' "$TMP/ipfix-mpls.json" >/dev/null \
    || fail "template-scoped IPFIX sampling (1 in 10) not applied"

# records that carry a sampled frame (dataLinkFrameSection): tshark dissects
# the frame; the flow keys must be the frame's
frames() { # name extra template data
    mergecap -F pcap -a -w "$TMP/$1.pcap" "$3" "$4"
    tshark -r "$TMP/$1.pcap" -T json 2>/dev/null | jq -r '
        .[]._source.layers.cflow | .. | objects | select(has("cflow.data_link_frame_section_tree"))
        | .["cflow.data_link_frame_section_tree"] as $f
        | ($f.ip // $f.ipv6) as $ip | select($ip != null)
        | [($ip["ip.src"] // $ip["ipv6.src"]), ($ip["ip.dst"] // $ip["ipv6.dst"]),
           (($f.udp // $f.tcp // {}) | (.["udp.srcport"] // .["tcp.srcport"] // "0")),
           (($f.udp // $f.tcp // {}) | (.["udp.dstport"] // .["tcp.dstport"] // "0"))]
        | join(" ")' | sort > "$TMP/$1.tshark"
    "$SAKIMORI" collect --json -q "$TMP/$1.pcap" \
        | jq -r '[.src_ip, .dst_ip, .src_port, .dst_port] | map(tostring) | join(" ")' \
        | sort > "$TMP/$1.ours"
    [ -s "$TMP/$1.tshark" ] || fail "$1: tshark dissected no frame"
    [ -z "$(comm -23 "$TMP/$1.tshark" "$TMP/$1.ours")" ] || fail "$1: tshark's frames missing from ours"
    [ "$(comm -13 "$TMP/$1.tshark" "$TMP/$1.ours" | wc -l)" -eq "$2" ] \
        || fail "$1: frames beyond tshark's, expected $2"
    echo "$1: $(wc -l < "$TMP/$1.ours") sampled frames agree with tshark"
}
frames datalink 0 "$nf/datalink-template.pcap" "$nf/datalink-data.pcap"
# one frame whose pseudowire control word tshark's heuristic misses (it
# dissects it as Ethernet without one and finds no IP): ours only
frames eompls 1 "$nf/ethernet-over-mpls-with-control-word-template.pcap" \
    "$nf/ethernet-over-mpls-with-control-word-data.pcap"

# every capture in the folder decodes without a malformed record
for f in "$nf"/*.pcap; do
    "$SAKIMORI" collect --no-events --stats "$f" 2> "$TMP/one.stats" \
        || fail "$(basename "$f"): collect failed"
    grep -q '"format":"netflow"' "$TMP/one.stats" || fail "$(basename "$f"): not recognised as NetFlow/IPFIX"
    grep -q '"malformed":0,' "$TMP/one.stats" || fail "$(basename "$f"): malformed records"
done
# each template capture followed by its data capture, as two inputs of one
# run: no malformed record, and every data set finds its template
for t in "$nf"/*-template.pcap "$nf"/*-templates.pcap; do
    d="${t%-template*.pcap}-data.pcap"
    [ -e "$d" ] || continue
    "$SAKIMORI" collect --no-events --stats "$t" "$d" 2> "$TMP/pair.stats" \
        || fail "$(basename "$d"): collect failed"
    [ "$(grep -c '"malformed":0,"skipped":0,' "$TMP/pair.stats")" -eq 2 ] \
        || { cat "$TMP/pair.stats"; fail "$(basename "$d"): not decoded with its template"; }
done
echo "ok"
