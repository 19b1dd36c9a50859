#!/bin/sh
# The privacy filter end to end, on a real EVE log through `scan` and
# `collect`: under the metadata profile names never reach a finding or an
# output, communications between two domestic hosts are dropped, domestic
# addresses appear only as stable pseudonyms inside their own prefix, and
# every finding records the profile; a sources: entry turns the operator
# profile back on for one input.
. "$(dirname "$0")/lib.sh"
need_shared eve/test6-malicious.eve.json
need_cmd jq
need_cmd sqlite3
eve="$SK_SHARED_DATA/eve/test6-malicious.eve.json"
key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

cat > "$TMP/intel.txt" <<'LIST'
# an outside address seen talking to the home network, the home resolver,
# and a name looked up through it
139.59.214.229
192.168.1.1
www.google.com
LIST
cat > "$TMP/metadata.yaml" <<YAML
privacy:
  profile: metadata
  key: $key
  domestic: [192.168.0.0/16]
YAML
cat > "$TMP/operator.yaml" <<YAML
privacy:
  profile: metadata
  key: $key
  domestic: [192.168.0.0/16]
sources:
  - input: "*.eve.json"
    privacy: operator
YAML

# --- operator: everything is there ------------------------------------------
run_status "$SAKIMORI" scan -q --json --config "$TMP/operator.yaml" --db "$TMP/op.db" \
    --intel "$TMP/intel.txt" "$eve" > "$TMP/op.json"
expect_status 1 "findings expected"
for ind in 139.59.214.229 192.168.1.1 www.google.com; do
    jq -e -s --arg i "$ind" 'any(.[]; .indicator.value == $i)' "$TMP/op.json" >/dev/null \
        || fail "operator: no sighting of $ind"
done
jq -e -s 'all(.[]; .privacy == "operator")' "$TMP/op.json" >/dev/null || fail "operator: profile not recorded"

# --- metadata: names gone, domestic-only dropped, pseudonyms ------------------
run_status "$SAKIMORI" scan -q --json --config "$TMP/metadata.yaml" --db "$TMP/md.db" \
    --intel "$TMP/intel.txt" "$eve" > "$TMP/md.json"
expect_status 1 "the outside address is still seen"
jq -e -s 'any(.[]; .indicator.value == "139.59.214.229")' "$TMP/md.json" >/dev/null \
    || fail "metadata: the outside address was not seen"
jq -e -s 'any(.[]; .indicator.value == "www.google.com")' "$TMP/md.json" >/dev/null \
    && fail "metadata: a DNS name reached a finding"
jq -e -s 'any(.[]; .indicator.value == "192.168.1.1")' "$TMP/md.json" >/dev/null \
    && fail "metadata: a domestic address (or a domestic-only exchange) reached a finding"
jq -e -s 'all(.[]; .privacy == "metadata" and .name == null)' "$TMP/md.json" >/dev/null \
    || fail "metadata: profile not recorded, or a name kept"
grep -q '192\.168\.1\.129' "$TMP/md.json" && fail "metadata: a domestic address in clear"
[ "$(sqlite3 "$TMP/md.db" "SELECT count(*) FROM findings WHERE privacy <> 'metadata'")" = 0 ] \
    || fail "metadata: the store holds another profile"
# the home side of the outside address's traffic: one stable pseudonym in 192.168/16
jq -r 'select(.indicator.value == "139.59.214.229") | [.src_ip, .dst_ip][]' "$TMP/md.json" \
    | grep -v '^139\.59\.214\.229$' | sort -u > "$TMP/pseudo"
[ "$(wc -l < "$TMP/pseudo")" = 1 ] || fail "metadata: expected one pseudonym, got $(cat "$TMP/pseudo")"
grep -q '^192\.168\.' "$TMP/pseudo" || fail "metadata: the pseudonym left its domestic prefix"

# collect shows the same: no name, no domestic address in clear, no
# exchange between two domestic hosts
"$SAKIMORI" collect --json --stats --config "$TMP/metadata.yaml" "$eve" > "$TMP/md.events" 2> "$TMP/md.stats"
grep -q '192\.168\.1\.129' "$TMP/md.events" && fail "collect: a domestic address in clear"
jq -e -s 'all(.[]; (.dns.qname // null) == null and (.tls.sni // null) == null
                   and (.http.host // null) == null and (.alert.signature // null) == null
                   and .privacy == "metadata")' "$TMP/md.events" >/dev/null \
    || fail "collect: a name or text survived the metadata profile"
both=$(jq -r 'select((.src_ip | startswith("192.168.")) and (.dst_ip | startswith("192.168."))) | 1' \
       "$TMP/md.events" | wc -l)
[ "$both" = 0 ] || fail "collect: $both domestic-only events kept"
dropped=$(sed -n 's/.*"dropped_domestic":\([0-9]*\).*/\1/p' "$TMP/md.stats")
want=$(jq -r 'select((.event_type == "flow" or .event_type == "dns" or .event_type == "tls"
                      or .event_type == "http" or .event_type == "alert")
                     and (.src_ip | startswith("192.168.")) and (.dest_ip | startswith("192.168."))) | 1' \
       "$eve" | wc -l)
[ "$dropped" = "$want" ] || fail "collect: dropped $dropped domestic-only events, jq counts $want"
# the same key gives the same pseudonyms on another run
"$SAKIMORI" collect --json -q --config "$TMP/metadata.yaml" "$eve" | cmp -s - "$TMP/md.events" \
    || fail "pseudonyms are not stable across runs"
# and the metadata profile without a key is refused, naming the setting
printf 'privacy:\n  profile: metadata\n  domestic: [192.168.0.0/16]\n' > "$TMP/nokey.yaml"
run_status "$SAKIMORI" collect --config "$TMP/nokey.yaml" "$eve" 2> "$TMP/nokey.err" > /dev/null
expect_status 2 "metadata without a key"
expect_grep "privacy.key" "$TMP/nokey.err"
echo "ok: $(wc -l < "$TMP/md.events") events under metadata, $dropped domestic-only dropped"
