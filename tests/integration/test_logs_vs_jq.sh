#!/bin/sh
# Suricata EVE and Zeek logs: the reference files load with zero errors and
# as many records as lines, and every event carries what jq (an independent
# JSON parser) reads from the same line: addresses, ports, protocol, times,
# counters, names, fingerprints. Also: gzip input, stdin, and the format
# detected from content.
. "$(dirname "$0")/lib.sh"
need_shared eve/test6-malicious.eve.json
need_shared zeek/test9-mixed/conn.log
need_cmd jq
eve="$SK_SHARED_DATA/eve/test6-malicious.eve.json"
zeek="$SK_SHARED_DATA/zeek/test9-mixed"

stat_of() { # file key → value from a --stats line
    grep '"input"' "$1" | head -1 | sed -n "s/.*\"$2\":\\([0-9]*\\).*/\\1/p"
}

# our JSON events, as "kind|src|sport|dst|dport|proto|details"
cat > "$TMP/ours.jq" <<'JQ'
def us: capture("^(?<s>[0-9-]+T[0-9:]+)(\\.(?<f>[0-9]+))?Z$")
    | ((.s + "Z" | fromdateiso8601) * 1000000 + ((("0." + (.f // "0")) | tonumber) * 1000000 | round));
[.kind, .src_ip, .src_port, .dst_ip, .dst_port, .proto, (.ts | us),
 (if .kind == "flow" then [.flow.pkts_out, .flow.bytes_out, .flow.pkts_in, .flow.bytes_in, (.ts_end | us)]
  elif .kind == "dns" then [.dns.qname, .dns.qtype, .dns.response, .dns.rcode,
                            (.dns.answers | map(.addr // .data) | join(","))]
  elif .kind == "tls" then [.tls.sni, .tls.ja3, .tls.ja3s, .tls.cert_sha1, .tls.server_version]
  elif .kind == "http" then [.http.method, .http.host, .http.uri, .http.user_agent, .http.status]
  elif .kind == "alert" then [.alert.sid, .alert.signature, .alert.category, .alert.severity]
  else [] end)] | flatten | map(tostring) | join("|")
JQ

# --- EVE --------------------------------------------------------------------
cat > "$TMP/eve.jq" <<'JQ'
def us: capture("^(?<d>[0-9-]+T[0-9:]+)(\\.(?<f>[0-9]+))?(?<z>Z|[+-][0-9]{2}:?[0-9]{2})?$")
    | ((.d + "Z" | fromdateiso8601)
       - (if (.z // "Z") == "Z" then 0 else (.z | sub(":"; "")) as $z
          | (($z[1:3] | tonumber) * 3600 + ($z[3:5] | tonumber) * 60) * (if $z[0:1] == "-" then -1 else 1 end) end)) * 1000000
      + ((("0." + (.f // "0")) | tonumber) * 1000000 | round);
def proto: {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "IPv6-ICMP": "icmp6"}[.] // .;
def rr: {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "ANY": 255}[.] // 0;
def rcode: {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}[.] // 0;
def tlsv: {"TLS 1.0": 769, "TLS 1.1": 770, "TLS 1.2": 771, "TLS 1.3": 772, "SSLv3": 768}[.] // 0;
select(.event_type == "flow" or .event_type == "dns" or .event_type == "tls"
       or .event_type == "http" or .event_type == "alert")
| [(if .event_type == "flow" then "flow" else .event_type end), .src_ip, (.src_port // 0),
   .dest_ip, (.dest_port // 0), (.proto | proto),
   (if .event_type == "flow" then (.flow.start // .timestamp) else .timestamp end | us),
   (if .event_type == "flow" then [.flow.pkts_toserver, .flow.bytes_toserver,
        .flow.pkts_toclient, .flow.bytes_toclient, (.flow.end // .flow.start | us)]
    elif .event_type == "dns" then [.dns.rrname, (.dns.rrtype | rr), (.dns.type != "query"),
        (.dns.rcode // "NOERROR" | rcode),
        ((.dns.answers // []) | map(.rdata) | join(","))]
    elif .event_type == "tls" then [.tls.sni, .tls.ja3.hash, .tls.ja3s.hash,
        (.tls.fingerprint | gsub(":"; "") | ascii_downcase), (.tls.version | tlsv)]
    elif .event_type == "http" then [.http.http_method, .http.hostname, .http.url,
        .http.http_user_agent, (.http.status // 0)]
    else [.alert.signature_id, .alert.signature, .alert.category, .alert.severity] end)]
| flatten | map(tostring) | join("|")
JQ

"$SAKIMORI" collect --json --stats "$eve" > "$TMP/eve.json" 2> "$TMP/eve.stats"
lines=$(wc -l < "$eve")
[ "$(stat_of "$TMP/eve.stats" records)" = "$lines" ] || { cat "$TMP/eve.stats"; fail "EVE: records != $lines lines"; }
[ "$(stat_of "$TMP/eve.stats" malformed)" = 0 ] || fail "EVE: malformed lines"
grep -q '"format":"eve"' "$TMP/eve.stats" || fail "EVE not detected as eve"
other=$(jq -r 'select(.event_type != "flow" and .event_type != "dns" and .event_type != "tls"
                      and .event_type != "http" and .event_type != "alert") | 1' "$eve" | wc -l)
[ "$(stat_of "$TMP/eve.stats" skipped)" = "$other" ] || fail "EVE: skipped != $other lines of other event types"
jq -r -f "$TMP/eve.jq" "$eve" | sort > "$TMP/eve.want"
jq -r -f "$TMP/ours.jq" "$TMP/eve.json" | sort > "$TMP/eve.got"
[ "$(wc -l < "$TMP/eve.want")" -eq $((lines - other)) ] || fail "jq program lost lines"
diff -u "$TMP/eve.want" "$TMP/eve.got" > "$TMP/eve.diff" || { head -20 "$TMP/eve.diff"; fail "EVE events differ from jq's reading"; }
echo "eve: $lines lines, $(wc -l < "$TMP/eve.got") events agree with jq, $other skipped"

# gzip and stdin give the same events
gzip -c "$eve" > "$TMP/eve.json.gz"
"$SAKIMORI" collect --json -q "$TMP/eve.json.gz" | jq -r -f "$TMP/ours.jq" | sort > "$TMP/eve.gz.got"
cmp -s "$TMP/eve.got" "$TMP/eve.gz.got" || fail "gzip'd EVE differs"
"$SAKIMORI" collect --json -q --format eve - < "$eve" | jq -r -f "$TMP/ours.jq" | sort > "$TMP/eve.stdin.got"
cmp -s "$TMP/eve.got" "$TMP/eve.stdin.got" || fail "EVE on stdin differs"

# --- Zeek -------------------------------------------------------------------
cat > "$TMP/zeek.jq" <<'JQ'
def us: . * 1000000 | round;
def tlsv: {"TLSv10": 769, "TLSv11": 770, "TLSv12": 771, "TLSv13": 772, "SSLv3": 768}[.] // 0;
[$kind, .["id.orig_h"], .["id.orig_p"], .["id.resp_h"], .["id.resp_p"],
 (if $kind == "dns" then (.proto // "udp") else (.proto // "tcp") end), (.ts | us),
 (if $kind == "flow" then [(.orig_pkts // 0), (.orig_ip_bytes // 0), (.resp_pkts // 0),
        (.resp_ip_bytes // 0), (.ts + (.duration // 0) | us)]
  elif $kind == "dns" then [.query, (.qtype // 0), (has("rcode")), (.rcode // 0),
        ((.answers // []) | join(","))]
  elif $kind == "tls" then [.server_name, .ja3, .ja3s, null, (.version | tlsv)]
  else [.method, .host, .uri, .user_agent, (.status_code // 0)] end)]
| flatten | map(if . == null then "null" else tostring end) | join("|")
JQ
for log in conn:flow dns:dns ssl:tls http:http; do
    name=${log%%:*} kind=${log#*:}
    f="$zeek/$name.log"
    "$SAKIMORI" collect --json --stats "$f" > "$TMP/$name.json" 2> "$TMP/$name.stats"
    lines=$(wc -l < "$f")
    [ "$(stat_of "$TMP/$name.stats" records)" = "$lines" ] || fail "zeek $name: records != $lines lines"
    [ "$(stat_of "$TMP/$name.stats" events)" = "$lines" ] || fail "zeek $name: events != $lines lines"
    [ "$(stat_of "$TMP/$name.stats" malformed)" = 0 ] || fail "zeek $name: malformed lines"
    grep -q '"format":"zeek"' "$TMP/$name.stats" || fail "zeek $name not detected as zeek"
    jq -r --arg kind "$kind" -f "$TMP/zeek.jq" "$f" | sort > "$TMP/$name.want"
    jq -r -f "$TMP/ours.jq" "$TMP/$name.json" | sort > "$TMP/$name.got"
    diff -u "$TMP/$name.want" "$TMP/$name.got" > "$TMP/$name.diff" \
        || { head -20 "$TMP/$name.diff"; fail "zeek $name: events differ from jq's reading"; }
    echo "zeek $name: $lines lines agree with jq"
done

# the same records as Zeek's TSV (written here with jq from the JSON log),
# gzip'd: the same events
tsv() { # log: every member the JSON log has becomes a column
    log=$1
    fields=$(jq -r -s 'map(keys_unsorted) | add | unique | join(" ")' "$zeek/$log.log")
    {
        printf '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n'
        printf '#path\t%s\n#fields\t%s\n' "$log" "$(echo "$fields" | tr ' ' '\t')"
        jq -r --arg f "$fields" '. as $r | ($f | split(" ")) | map($r[.] | if . == null then "-"
               elif type == "array" then (if length == 0 then "(empty)" else map(tostring) | join(",") end)
               else tostring end) | join("\t")' "$zeek/$log.log"
        printf '#close\t2024-01-01-00-00-00\n'
    } | gzip -c > "$TMP/$log.tsv.gz"
    "$SAKIMORI" collect --json --stats "$TMP/$log.tsv.gz" > "$TMP/$log.tsv.json" 2> "$TMP/$log.tsv.stats"
    grep -q '"format":"zeek"' "$TMP/$log.tsv.stats" || fail "zeek TSV $log (gzip) not detected"
    [ "$(stat_of "$TMP/$log.tsv.stats" malformed)" = 0 ] || fail "zeek TSV $log: malformed lines"
    jq -r -f "$TMP/ours.jq" "$TMP/$log.tsv.json" | sort > "$TMP/$log.tsv.got"
    cmp -s "$TMP/$log.got" "$TMP/$log.tsv.got" || { diff "$TMP/$log.got" "$TMP/$log.tsv.got" | head; fail "zeek $log: TSV and JSON give different events"; }
    echo "zeek $log: the gzip'd TSV form gives the same $(wc -l < "$TMP/$log.tsv.got") events"
}
for log in conn dns ssl http; do tsv "$log"; done
echo "ok"
