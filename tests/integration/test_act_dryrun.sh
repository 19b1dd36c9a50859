#!/bin/sh
# The dry run on real stored telemetry: a synthesized scenario with C2
# beacons is scanned into the store, then `sakimori act dryrun` says what
# blocking each C2 address (nft) or sinkholing its name (rpz) would have
# affected. Checked against the scenario's ground truth (which hosts beacon)
# and against tshark on the same capture (TCP conversations with the C2,
# DNS queries for its name).
. "$(dirname "$0")/lib.sh"
need_cmd tshark
need_cmd jq
"$SAKIMORI" synth --out "$TMP/scn" --seed 11 --hosts 12 --beacons 2 --period 60 --jitter 0.2 > /dev/null 2>&1 \
    || fail "synth"
pcap="$TMP/scn/scenario.pcap"
run_status "$SAKIMORI" scan --db "$TMP/s.db" --intel "$TMP/scn/intel.txt" "$pcap" > /dev/null 2>&1
[ "$status" -le 1 ] || fail "scan failed ($status)"
dry() { "$SAKIMORI" act --db "$TMP/s.db" dryrun "$@" --window 3650d --json; }

n=0
for b in $(jq -c '.beacons[]' "$TMP/scn/truth.json"); do
    ip=$(echo "$b" | jq -r .dst_ip) name=$(echo "$b" | jq -r .name)
    hosts=$(jq -r --arg ip "$ip" '[.beacons[] | select(.dst_ip == $ip) | .src_ip] | unique | length' "$TMP/scn/truth.json")
    conv=$(tshark -r "$pcap" -q -z conv,tcp 2>/dev/null | awk -v ip="$ip" '$2 == "<->" && (index($1, ip ":") == 1 || index($3, ip ":") == 1)' | wc -l)
    dq=$(tshark -r "$pcap" -Y "dns.flags.response == 0 && dns.qry.name == \"$name\"" -T fields -e ip.src 2>/dev/null)
    queries=$(printf '%s\n' "$dq" | grep -c . || true)
    askers=$(printf '%s\n' "$dq" | grep . | sort -u | wc -l)

    dry nft "$ip" > "$TMP/nft.json" || fail "dryrun nft $ip"
    jq -e --argjson h "$hosts" --argjson f "$conv" '.telemetry and .hosts == $h and .flows == $f' "$TMP/nft.json" > /dev/null \
        || fail "nft $ip: $(cat "$TMP/nft.json"), expected hosts $hosts (truth) and flows $conv (tshark)"
    dry bgp "$ip" | jq -e --argjson f "$conv" '.flows == $f' > /dev/null || fail "bgp $ip"
    dry rpz "$name" > "$TMP/rpz.json" || fail "dryrun rpz $name"
    jq -e --argjson q "$queries" --argjson a "$askers" --argjson f "$conv" \
        '.dns_queries == $q and .hosts == $a and .addresses >= 1 and .flows >= $f' "$TMP/rpz.json" > /dev/null \
        || fail "rpz $name: $(cat "$TMP/rpz.json"), expected $queries queries from $askers hosts (tshark), flows >= $conv"
    n=$((n + 1))
done
[ $n -ge 2 ] || fail "the scenario has $n beacons"
# a target nobody talked to, and an action that changes no traffic
dry nft 198.51.100.250 | jq -e '.flows == 0 and .hosts == 0' > /dev/null || fail "untouched address"
dry takedown_request 203.0.113.66 | jq -e '.flows == 0' > /dev/null || fail "takedown changes no traffic"
run_status "$SAKIMORI" act --db "$TMP/s.db" dryrun nft evil.example > /dev/null 2>&1
expect_status 2 "a name is not an address"
echo "ok ($n beacons)"
