#!/bin/sh
# sakimori scan on a real C2 capture, checked against tshark on the same file:
# every TCP conversation with the C2 server must be one sighting with the same
# addresses, ports and packet count; every DNS query for the C2's domain must
# be a sighting with the query/response packet count tshark sees.
. "$(dirname "$0")/lib.sh"
need_shared pcap/test-cc-capture-2.pcap
need_cmd tshark
need_cmd jq
pcap="$SK_SHARED_DATA/pcap/test-cc-capture-2.pcap"

cat > "$TMP/c2.txt" <<'LIST'
# C2 server and the domain it was looked up under
141.193.213.20
testing.com
LIST

run_status "$SAKIMORI" scan --json --db "$TMP/s.db" --intel "$TMP/c2.txt" "$pcap" > "$TMP/out.json"
expect_status 1 "findings must give exit status 1"

# --- TCP conversations with the C2 server ---
jq -r 'select(.proto == "tcp" and .indicator.value == "141.193.213.20")
       | "\(.src_ip):\(.src_port) \(.dst_ip):\(.dst_port) \(.count)"' "$TMP/out.json" \
    | sort > "$TMP/ours_tcp.txt"
tshark -r "$pcap" -q -z conv,tcp 2>/dev/null \
    | awk '$2 == "<->" && ($1 ~ /^141\.193\.213\.20:/ || $3 ~ /^141\.193\.213\.20:/) {
             # A <-> B | frames bytes unit (B->A) | frames bytes unit (A->B) | total frames ...
             print $1, $3, $10 }' \
    | sort > "$TMP/tshark_tcp.txt"
[ -s "$TMP/tshark_tcp.txt" ] || fail "tshark found no conversations (parsing changed?)"
if ! diff -u "$TMP/tshark_tcp.txt" "$TMP/ours_tcp.txt"; then
    fail "TCP sightings differ from tshark's conversations"
fi
echo "tcp: $(wc -l < "$TMP/ours_tcp.txt") conversations agree with tshark"

# --- DNS messages naming the C2 domain, per UDP 5-tuple ---
jq -r 'select(.proto == "udp" and .indicator.value == "testing.com")
       | "\(.src_ip):\(.src_port) \(.dst_ip):\(.dst_port) \(.count)"' "$TMP/out.json" \
    | sort > "$TMP/ours_dns.txt"
tshark -r "$pcap" -Y 'dns.qry.name == "testing.com"' -T fields \
       -e dns.flags.response -e ip.src -e udp.srcport -e ip.dst -e udp.dstport 2>/dev/null \
    | awk '{ if ($1 == "1" || $1 == "True") k = $4 ":" $5 " " $2 ":" $3; else k = $2 ":" $3 " " $4 ":" $5; n[k]++ }
           END { for (k in n) print k, n[k] }' \
    | sort > "$TMP/tshark_dns.txt"
[ -s "$TMP/tshark_dns.txt" ] || fail "tshark found no DNS messages for testing.com"
if ! diff -u "$TMP/tshark_dns.txt" "$TMP/ours_dns.txt"; then
    fail "DNS sightings differ from tshark"
fi
echo "dns: $(wc -l < "$TMP/ours_dns.txt") query/response pairs agree with tshark"

# --- the JSON contract ---
jq -e -s 'all(.[]; has("type") and has("ts_first") and has("ts_last") and has("src_ip")
           and has("src_port") and has("dst_ip") and has("dst_port") and has("proto")
           and has("name") and has("indicator") and has("count")
           and (.ts_first | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))
           and (.type == "sighting" or (.type == "detection" and has("analyzer")
                and has("score") and has("evidence"))))' "$TMP/out.json" >/dev/null \
    || fail "a finding lacks a required field"

# --- the store holds exactly what was printed ---
n_json=$(wc -l < "$TMP/out.json")
n_db=$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM findings")
[ "$n_json" -eq "$n_db" ] || fail "store has $n_db findings, output had $n_json"
[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM runs WHERE finished_ns IS NOT NULL")" -eq 1 ] \
    || fail "the run was not recorded as finished"

# --- a list that matches nothing: no sightings (the beacon is still detected) ---
echo "192.0.2.99" > "$TMP/none.txt"
run_status "$SAKIMORI" scan --json --no-store --intel "$TMP/none.txt" "$pcap" > "$TMP/none.json"
expect_status 1 "the beacon detection is a finding"
[ -z "$(jq -c 'select(.type == "sighting")' "$TMP/none.json")" ] || fail "sightings without a matching indicator"
echo "ok"
