#!/bin/sh
# `sakimori intel import/list/export/stats` end to end, and scan matching the
# store's indicators with warninglists on its sightings:
#   - formats imported from files (plain, CSV, STIX, MISP event and feed,
#     abuse.ch); a bad file exits 2, names file and line/JSON path, lands nothing
#   - the same value from two sources is one indicator with two sources
#   - export to STIX and back gives the same indicators
#   - scan of a synthesized capture finds the C2 through the store alone
. "$(dirname "$0")/lib.sh"

db="$TMP/intel.db"
S="$SAKIMORI"

# plain and CSV
printf '# C2\n203.0.113.66\n198.51.100.0/24\ncdn-update1.example\n' > "$TMP/c2.txt"
"$S" intel import --db "$db" --source c2-list --confidence 70 --tlp amber --label beacon "$TMP/c2.txt" 2> "$TMP/err" \
    || { cat "$TMP/err"; fail "plain import"; }
expect_grep "3 records from source 'c2-list': 3 added" "$TMP/err"
printf 'kind,indicator,score\nipv4,203.0.113.66,90\nfqdn,www.c2.example,60\n' > "$TMP/feed.csv"
"$S" intel import --db "$db" --source partner --format csv --header --columns type=kind,value=indicator,confidence=score "$TMP/feed.csv" 2> "$TMP/err" \
    || { cat "$TMP/err"; fail "csv import"; }

# the same value from two sources is one indicator
"$S" intel list --db "$db" --json --match 203.0.113.66 > "$TMP/list"
[ "$(wc -l < "$TMP/list")" -eq 1 ] || fail "203.0.113.66 is not one indicator"
[ "$(jq '.sources | length' "$TMP/list")" -eq 2 ] || fail "203.0.113.66 should have two sources"
[ "$(jq -r '.sources[0].name' "$TMP/list")" = partner ] || fail "the most confident source comes first"
[ "$(jq -r '.sources[1].tlp' "$TMP/list")" = "TLP:AMBER" ] || fail "TLP not kept"
[ "$(jq -r '.sources[1].labels[0]' "$TMP/list")" = beacon ] || fail "label not kept"

# a bad file: exit 2, the line, nothing lands
before=$(sqlite3 "$db" 'SELECT count(*) FROM indicator_sources')
printf '192.0.2.1\n192.0.2.2\n10.0.0.1/8\n' > "$TMP/bad.txt"
run_status "$S" intel import --db "$db" "$TMP/bad.txt" 2> "$TMP/err"
expect_status 2 "bad plain list"
expect_grep "bad.txt:3: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)" "$TMP/err"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM indicator_sources')" -eq "$before" ] || fail "a failed import landed rows"
[ "$(sqlite3 "$db" "SELECT count(*) FROM indicators WHERE value = '192.0.2.1'")" -eq 0 ] || fail "the good lines of a bad file landed"

# a bad STIX bundle: the JSON path
printf '{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1", "pattern": "[ipv4-addr:value = '"'"'192.0.2.9'"'"']"},\n {"type": "indicator", "id": "indicator--2", "pattern": "[ipv4-addr:value = ]"}]}\n' > "$TMP/bad.json"
run_status "$S" intel import --db "$db" "$TMP/bad.json" 2> "$TMP/err"
expect_status 2 "bad bundle"
expect_grep 'bad.json: \$.objects\[1\].pattern: offset 19: expected a literal' "$TMP/err"
[ "$(sqlite3 "$db" "SELECT count(*) FROM indicators WHERE value = '192.0.2.9'")" -eq 0 ] || fail "a failed bundle landed its first indicator"

# MISP: an event, and a feed directory
cat > "$TMP/event.json" <<'EOF'
{"Event": {"info": "qakbot", "date": "2024-03-01", "Tag": [{"name": "tlp:green"}],
 "Attribute": [{"type": "domain", "value": "qak.example", "to_ids": true},
               {"type": "ip-dst", "value": "192.0.2.200", "to_ids": false},
               {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "to_ids": true}]}}
EOF
"$S" intel import --db "$db" "$TMP/event.json" 2> "$TMP/err" || { cat "$TMP/err"; fail "misp event"; }
expect_grep "1 network attribute(s) with to_ids false not imported" "$TMP/err"
expect_grep "1 records from source 'event'" "$TMP/err"
mkdir -p "$TMP/mispfeed"
cp "$TMP/event.json" "$TMP/mispfeed/5f1a7b4e-0000-4000-8000-000000000001.json"
printf '{"5f1a7b4e-0000-4000-8000-000000000001": {"info": "qakbot"}}' > "$TMP/mispfeed/manifest.json"
"$S" intel import --db "$db" "$TMP/mispfeed" 2> "$TMP/err" || { cat "$TMP/err"; fail "misp feed"; }
expect_grep "from source 'mispfeed'" "$TMP/err"

# STIX examples and abuse.ch, when the shared data is there
if [ -e "$SK_SHARED_DATA/stix/examples/threat-reports/apt1.json" ]; then
    "$S" intel import --db "$db" "$SK_SHARED_DATA/stix/examples/threat-reports/apt1.json" 2> "$TMP/err" \
        || { cat "$TMP/err"; fail "apt1"; }
    expect_grep "7 records from source 'apt1': 7 added, 0 updated, 0 removed, 5 skipped" "$TMP/err"
    expect_grep "cannot be enforced exactly: offset 1: AND inside an observation" "$TMP/err"
    "$S" intel import --db "$db" "$SK_SHARED_DATA/intel/sslbl-ja3.csv" 2> "$TMP/err" || { cat "$TMP/err"; fail "sslbl"; }
    expect_grep "98 records from source 'sslbl-ja3'" "$TMP/err"
fi

# export → import: the same indicators
"$S" intel export --db "$db" --format stix --source c2-list --out "$TMP/out.json"
jq -e '.type == "bundle" and (.objects | map(select(.type == "indicator")) | length) == 3' "$TMP/out.json" >/dev/null \
    || fail "export does not hold the 3 indicators"
jq -e '[.objects[] | select(.type == "indicator") | .object_marking_refs[0]] | unique == ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]' \
    "$TMP/out.json" >/dev/null || fail "TLP:AMBER marking missing in export"
"$S" intel import --db "$TMP/round.db" --source back "$TMP/out.json" 2>/dev/null || fail "re-import of the export"
"$S" intel export --db "$TMP/round.db" --format csv | cut -d, -f1-2 | sort > "$TMP/a"
"$S" intel export --db "$db" --source c2-list --format csv | cut -d, -f1-2 | sort > "$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || { diff "$TMP/a" "$TMP/b"; fail "export/import round trip differs"; }

# replace: a source's values the new file no longer has go
printf '203.0.113.66\n' > "$TMP/c2v2.txt"
"$S" intel import --db "$db" --source c2-list --replace "$TMP/c2v2.txt" 2> "$TMP/err"
expect_grep "1 updated, 2 removed" "$TMP/err"

# stats
"$S" intel stats --db "$db" --json > "$TMP/stats"
[ "$(jq -r '.sources[] | select(.name == "c2-list") | .assertions' "$TMP/stats")" -eq 1 ] || fail "stats: c2-list"
jq -e '.live_indicators > 0 and .by_type.ipv4 >= 1' "$TMP/stats" >/dev/null || fail "stats: live"

# scan: the C2 found through the store alone, with warninglists on the sightings
"$S" synth --out "$TMP/scn" --seed 5 --hosts 3 --duration 300 --beacons 1 >/dev/null
"$S" intel import --db "$db" --source synth "$TMP/scn/intel.txt" 2>/dev/null
mkdir -p "$TMP/wl/doc"
printf '{"name": "Documentation ranges", "description": "RFC 5737", "version": 1, "type": "cidr", "matching_attributes": ["ip-dst"], "list": ["203.0.113.0/24"]}' \
    > "$TMP/wl/doc/list.json"
run_status "$S" scan --db "$db" --json -w "$TMP/wl" "$TMP/scn/scenario.pcap" > "$TMP/scan"
expect_status 1 "scan with stored indicators"
jq -e -s 'map(select(.type == "sighting" and .indicator.value == "203.0.113.66" and .indicator.field == "dst")
       | .warninglists[] | select(.id == "doc" and .on == "dst")) | length > 0' "$TMP/scan" >/dev/null \
    || { head -3 "$TMP/scan"; fail "no sighting of the stored C2 with its warninglist"; }
jq -e -s 'any(.[]; .indicator.value == "203.0.113.66" and ((.indicator.sources | map(.name) | index("synth")) != null))' "$TMP/scan" >/dev/null \
    || fail "sighting without its sources"
[ "$(sqlite3 "$db" "SELECT count(*) FROM findings WHERE ind_value = '203.0.113.66' AND warninglists LIKE '%doc%' AND ind_field = 'dst'")" -ge 1 ] \
    || fail "warninglists not stored with the finding"

# intel check: store indicators and warninglists
run_status "$S" intel check --db "$db" -w "$TMP/wl" 203.0.113.66 www.cdn-update1.example nothing.invalid > "$TMP/check"
expect_status 1 "check"
expect_grep "^203.0.113.66: indicator ipv4 203.0.113.66" "$TMP/check"
expect_grep "^203.0.113.66: doc (cidr, entry 203.0.113.0/24)" "$TMP/check"
expect_grep "^www.cdn-update1.example: indicator domain cdn-update1.example" "$TMP/check"
expect_grep "^nothing.invalid: no indicator, on no warninglist" "$TMP/check"

# usage errors
run_status "$S" intel import --db "$db" 2> "$TMP/err"
expect_status 2 "import without file"
run_status "$S" intel import --db "$db" --format csv "$TMP/feed.csv" 2> "$TMP/err"
expect_status 2 "csv without columns"
expect_grep "csv needs --columns" "$TMP/err"
for sub in import list export stats check; do
    "$S" intel "$sub" --help | grep -q "usage: sakimori intel $sub" || fail "intel $sub --help"
done
echo ok
