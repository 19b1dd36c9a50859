#!/bin/sh
# The takedown_request action: abuse reports addressed from an RDAP-like
# contact database (longest prefix for an address, longest suffix for a
# name or a URL's host, abuse entity nested in a registrar), written as X-ARF
# JSON and an RFC 5322 message; withdrawn on revert (deleted while unsent, a
# withdrawal message once sent); tracked until closed; time to takedown
# (median, share within 24 h); reconcile and a crash point.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/act_lib.sh"
need_cmd jq
need_cmd base64
need_cmd sqlite3

vcard() { printf '{"objectClassName": "entity", "roles": ["abuse"], "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "%s"], ["email", {}, "text", "%s"]]]}' "$1" "$2"; }
cat > "$TMP/contacts.json" <<JSON
{ "networks": [
    { "objectClassName": "ip network", "handle": "NET-HOSTING", "name": "EXAMPLE-HOSTING",
      "country": "JP", "cidr0_cidrs": [ {"v4prefix": "203.0.113.0", "length": 24} ],
      "entities": [ $(vcard "Hosting abuse desk" abuse@hosting.example) ] },
    { "objectClassName": "ip network", "handle": "NET-RESELLER", "name": "RESELLER-64",
      "startAddress": "203.0.113.64", "endAddress": "203.0.113.79",
      "entities": [ $(vcard "Reseller abuse" abuse@reseller.example) ] },
    { "objectClassName": "ip network", "handle": "NET6", "name": "V6-HOSTING",
      "cidr0_cidrs": [ {"v6prefix": "2001:db8:66::", "length": 48} ],
      "entities": [ $(vcard "v6 abuse" abuse@v6.example) ] } ],
  "domains": [
    { "objectClassName": "domain", "handle": "DOM-EVIL", "ldhName": "evil.example",
      "entities": [ { "objectClassName": "entity", "roles": ["registrar"], "handle": "REG-1",
                      "entities": [ $(vcard "Registrar abuse" abuse@registrar.example) ] } ] } ] }
JSON
cat > "$TMP/sk.yaml" <<CONF
store:
  path: $TMP/act.db
act:
  takedown:
    contacts: $TMP/contacts.json
    outbox: $TMP/outbox
    from: takedowns@cert.example
    reporter: Example National CERT
CONF
act() { "$DRV" --config "$TMP/sk.yaml" "$@" > "$TMP/last.json" || { cat "$TMP/last.json"; return 1; }; }
row() { sqlite3 "$TMP/act.db" "SELECT $1 FROM act_takedown WHERE action_id = $2"; }

# --- an address: the more specific network's abuse desk ---
act apply takedown_request 203.0.113.66 1 || fail "apply for an address"
j=$(row json_path 1) m=$(row eml_path 1)
[ -s "$j" ] && [ -s "$m" ] || fail "report files missing"
jq -e '.xarf_version == "4.0.0" and .source_identifier == "203.0.113.66"
       and .category == "infrastructure" and .type == "botnet"
       and .reporter.org == "Example National CERT" and .reporter.contact == "takedowns@cert.example"
       and (.report_id | test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
       and .sakimori.abuse_contact == "abuse@reseller.example" and .sakimori.matched == "203.0.113.64/28"' "$j" > /dev/null \
    || { cat "$j"; fail "X-ARF report content"; }
grep -q '^To: abuse@reseller.example' "$m" || fail "To: header"
grep -q '^From: takedowns@cert.example' "$m" || fail "From: header"
grep -q '^Message-ID: <.*@cert.example>' "$m" || fail "Message-ID"
grep -q '^Date: [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] 20[0-9][0-9] ' "$m" || fail "Date: header"
awk '/^Content-Transfer-Encoding: base64/{f=1; getline; next} /^--/{f=0} f' "$m" | tr -d '\r' | base64 -d > "$TMP/att.json"
cmp -s "$TMP/att.json" "$j" || fail "the attachment is not the X-ARF file"
[ "$(awk 'length > 999' "$m" | wc -l)" = 0 ] || fail "a line longer than RFC 5322 allows"
act apply takedown_request 203.0.113.66 1 || fail "apply twice"
[ "$(sqlite3 "$TMP/act.db" "SELECT count(*) FROM act_takedown")" = 1 ] || fail "applying twice made two reports"
act verify takedown_request 203.0.113.66 1 || fail "verify"

# --- IPv6, a name (abuse desk nested in the registrar), a URL's host ---
act apply takedown_request 2001:db8:66::5 2 || fail "apply v6"
[ "$(row email 2)" = abuse@v6.example ] || fail "IPv6 contact"
act apply takedown_request c2.evil.example 3 || fail "apply for a name"
[ "$(row email 3)" = abuse@registrar.example ] || fail "registrar abuse contact"
act apply takedown_request 'https://panel.evil.example/gate.php?id=1' 4 || fail "apply for a URL"
jq -e '.url == "https://panel.evil.example/gate.php?id=1"' "$(row json_path 4)" > /dev/null || fail "URL in report"
run_status "$DRV" --config "$TMP/sk.yaml" check takedown_request 192.0.2.1 5 > "$TMP/c.json"
expect_status 1 "no contact for that address"
expect_grep "no abuse contact" "$TMP/c.json"

# --- revert: unsent reports vanish; a sent one gets a withdrawal ---
act revert takedown_request 'https://panel.evil.example/gate.php?id=1' 4 || fail "revert unsent"
[ ! -e "$(row eml_path 4)" ] && [ "$(row status 4)" = withdrawn ] || fail "unsent report not withdrawn"
mkdir -p "$TMP/sent" && mv "$(row eml_path 3)" "$TMP/sent/"    # the MTA took it
act revert takedown_request c2.evil.example 3 || fail "revert sent"
w="$(row eml_path 3).withdrawn.eml"
grep -q '^To: abuse@registrar.example' "$w" && grep -q '^Subject: Withdrawn' "$w" || fail "withdrawal message"
run_status "$DRV" --config "$TMP/sk.yaml" verify takedown_request c2.evil.example 3 > /dev/null
expect_status 1 "verify a withdrawn report"

# --- tracking: close with outcomes, time to takedown ---
for i in 10 11 12 13; do act apply takedown_request "203.0.113.$i" $i || fail "apply $i"; done
id_of() { sqlite3 "$TMP/act.db" "SELECT id FROM act_takedown WHERE action_id = $1"; }
at() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
"$SAKIMORI" act --config "$TMP/sk.yaml" takedown close "$(id_of 1)" taken-down --at "$(at 7200)" || fail "close 1"
"$SAKIMORI" act --config "$TMP/sk.yaml" takedown close "$(id_of 10)" taken-down --at "$(at 18000)" || fail "close 10"
"$SAKIMORI" act --config "$TMP/sk.yaml" takedown close "$(id_of 11)" taken-down --at "$(at 108000)" || fail "close 11"
"$SAKIMORI" act --config "$TMP/sk.yaml" takedown close "$(id_of 12)" refused || fail "close 12"
run_status "$SAKIMORI" act --config "$TMP/sk.yaml" takedown close "$(id_of 12)" taken-down 2> "$TMP/e.txt"
expect_status 2 "closing twice"
expect_grep "not open" "$TMP/e.txt"
run_status "$SAKIMORI" act --config "$TMP/sk.yaml" takedown close "$(id_of 13)" gone 2> "$TMP/e.txt"
expect_status 2 "unknown outcome"
"$SAKIMORI" act --config "$TMP/sk.yaml" takedown stats --json > "$TMP/s.json" || fail "stats"
# taken down after 2 h, 5 h, 30 h: median 5 h; 2 of the 4 decided within 24 h
jq -e '.taken_down == 3 and (.median_hours_to_takedown | . > 4.99 and . < 5.01)
       and .share_within_24h == 0.5 and .withdrawn == 2 and .open == 2' "$TMP/s.json" > /dev/null \
    || fail "stats: $(cat "$TMP/s.json")"
"$SAKIMORI" act --config "$TMP/sk.yaml" takedown list --json | jq -e 'length == 8' > /dev/null || fail "list"
act verify takedown_request 203.0.113.10 10 || fail "a closed request still verifies"

# --- crash after the files, before the record; reconcile ---
run_status env SK_ACT_CRASH_AT=takedown:after-files "$DRV" --config "$TMP/sk.yaml" apply takedown_request 203.0.113.20 20
expect_status 86 "crash point"
[ -z "$(row id 20)" ] || fail "recorded before the crash"
act reconcile takedown_request 2:1h:-:2001:db8:66::5 13:1h:-:203.0.113.13 20:1h:-:203.0.113.20 || fail "reconcile"
[ "$(jq -c .drift "$TMP/last.json")" = '{"kept":2,"added":1,"removed":0}' ] || fail "drift $(cat "$TMP/last.json")"
[ "$(row status 20)" = open ] || fail "reconcile did not record the crashed report"
act reconcile takedown_request 20:1h:-:203.0.113.20 || fail "reconcile to one"
[ "$(jq -c .drift "$TMP/last.json")" = '{"kept":1,"added":0,"removed":2}' ] || fail "drift $(cat "$TMP/last.json")"
[ "$(row status 13)" = withdrawn ] || fail "an open report of an inactive action stayed open"

# --- a broken contact database: path of the problem, nothing written ---
printf '{"networks": [{"cidr0_cidrs": [{"v4prefix": "203.0.113.1", "length": 24}]}]}' > "$TMP/bad.json"
sed "s#$TMP/contacts.json#$TMP/bad.json#" "$TMP/sk.yaml" > "$TMP/bad.yaml"
run_status "$DRV" --config "$TMP/bad.yaml" check takedown_request 203.0.113.1 30 > "$TMP/b.json"
expect_status 1 "bad database"
expect_grep 'networks\[0\].cidr0_cidrs\[0\]' "$TMP/b.json"
echo "ok"
