#!/bin/sh
# A synthesized scenario with every kind of malicious activity among benign
# background (browsing, CDN assets, periodic update checks shared by many
# hosts, NTP): every beacon of the ground truth is detected at the default
# threshold and nothing benign is; the DGA host, the DNS tunnel and the long
# connection are found; detections land in the store with their evidence.
. "$(dirname "$0")/lib.sh"
need_cmd jq
need_cmd sqlite3

"$SAKIMORI" synth --out "$TMP/scn" --seed 21 --hosts 60 --duration 5400 --web-mean 120 \
    --updates 5 --beacons 4 --period 20 --period-max 240 --jitter 0.5 --size-jitter 0.2 \
    --dga 1 --tunnels 1 --longconns 1
truth="$TMP/scn/truth.json"
run_status "$SAKIMORI" scan --json --db "$TMP/s.db" "$TMP/scn/scenario.pcap" > "$TMP/out.json"
expect_status 1 "detections are findings"

# beacons: (host, C2 address) and (host, C2 name) pairs, nothing else
jq -r '.beacons[] | "\(.src_ip) \(.dst_ip)", "\(.src_ip) \(.name)"' "$truth" | sort > "$TMP/want"
jq -r 'select(.analyzer == "beacon") | "\(.src_ip) \(.dst_ip // .name)"' "$TMP/out.json" | sort > "$TMP/got"
[ "$(wc -l < "$TMP/want")" -eq 8 ] || fail "truth should list 4 beacons"
diff -u "$TMP/want" "$TMP/got" || fail "beacon detections differ from the ground truth"

dga_host=$(jq -r '.dga[0].src_ip' "$truth")
jq -e -s --arg h "$dga_host" 'any(.[]; .analyzer == "nxdomain" and .src_ip == $h)' "$TMP/out.json" >/dev/null \
    || fail "no NXDOMAIN burst for the DGA host $dga_host"
jq -e -s --arg h "$dga_host" '[.[] | select(.analyzer == "dga")] | length > 0 and all(.src_ip == $h)' \
    "$TMP/out.json" >/dev/null || fail "DGA names flagged for a host other than $dga_host"
tun=$(jq -r '.tunnels[0] | "\(.src_ip) \(.domain)"' "$truth")
[ "$(jq -r 'select(.analyzer == "dnstunnel") | "\(.src_ip) \(.name)"' "$TMP/out.json")" = "$tun" ] \
    || fail "the DNS tunnel ($tun) is not the one dnstunnel detection"
lc=$(jq -r '.long_connections[0] | "\(.src_ip) \(.dst_ip)"' "$truth")
[ "$(jq -r 'select(.analyzer == "longconn") | "\(.src_ip) \(.dst_ip)"' "$TMP/out.json")" = "$lc" ] \
    || fail "the long connection ($lc) is not the one longconn detection"

# the JSON contract of detections, and the ranking
jq -e -s '[.[] | select(.type == "detection")] | length > 0
          and all(has("analyzer") and has("score") and (.evidence | type == "object")
                  and .score >= 0 and .score <= 1)' "$TMP/out.json" >/dev/null \
    || fail "a detection lacks analyzer, score or evidence"
jq -s -r '[.[] | select(.type == "detection") | .score] | . == (sort | reverse)' "$TMP/out.json" \
    | grep -q true || fail "detections are not ranked by score"
n_json=$(jq -s '[.[] | select(.type == "detection")] | length' "$TMP/out.json")
n_db=$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM findings WHERE type = 'detection' AND evidence LIKE '{%'")
[ "$n_json" -eq "$n_db" ] || fail "store has $n_db detections with evidence, output had $n_json"
echo "ok: $n_json detections"
