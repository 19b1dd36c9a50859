#!/bin/sh
# The main job on embedded defaults (`make run`): the whole loop an
# active-defence law asks for, on a scenario the program synthesizes itself,
# with every step a real `sakimori` command you can run again by hand.
#
#   sense + detect   synthesize a network with a C2 beacon, a DGA, a DNS tunnel
#                    and a long C2 connection among benign hosts; scan it
#   decide           an analyst proposes; the safeguards refuse what is too
#                    broad and say what would pass; three members of the
#                    oversight body sign their approvals with their own keys
#   act              the approved takedown request is written (X-ARF + e-mail
#                    for the hosting provider's abuse desk), the C2 name goes
#                    on the watchlist
#   account          the audit log verifies; the transparency report
#
# Everything stays inside DIR (default build/run); nothing leaves the machine.
set -eu
bin=$(cd "$(dirname "${1:-build/sakimori}")" && pwd)/$(basename "${1:-build/sakimori}")
dir=${2:-build/run}
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dir"
mkdir -p "$dir/keys"
dir=$(cd "$dir" && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() {
    printf '$ sakimori'
    for a in "$@"; do
        case $a in *[!A-Za-z0-9_./:=@,+-]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
    done
    printf '\n'
}
# sk ARGS...: run sakimori with the demo's configuration, showing the command
sk() { show "$@"; "$bin" "$@" --config "$dir/sakimori.yaml"; }
# sk_status ARGS...: the same, keeping the exit status in $status
sk_status() { set +e; sk "$@"; status=$?; set -e; }

step "1. sense: a synthesized network (25 hosts, 90 minutes) with known malicious activity"
set -- synth --out "$dir/scenario" --seed 7 --hosts 25 --duration 5400 --start now \
    --beacons 1 --period 60 --jitter 0.2 --dga 1 --tunnels 1 --longconns 1
show "$@"
"$bin" "$@"
echo "   $(wc -c < "$dir/scenario/scenario.pcap") bytes of pcap; ground truth in $dir/scenario/truth.json"

step "2. the oversight body: three approvers, each with their own Ed25519 key"
: > "$dir/approvers"
for who in alice bob carol; do
    show keygen --name "$who" --out "$dir/keys/$who.key"
    "$bin" keygen --name "$who" --out "$dir/keys/$who.key" | tee -a "$dir/approvers"
done
cat > "$dir/sakimori.yaml" <<YAML
# The demo node's configuration (written by scripts/run.sh).
node:
  name: demo-node
store:
  path: $dir/sakimori.db
audit:
  key: $dir/audit.key
privacy:
  domestic: [10.0.0.0/8]
govern:
  approvals: 2
  foreign_extra_approvals: 1
  approvers:
$(sed 's/.*/    - "&"/' "$dir/approvers")
act:
  takedown:
    contacts: $here/examples/act/abuse-contacts.json
    outbox: $dir/outbox
    reporter: Demo National CSIRT
YAML
echo "   configuration: $dir/sakimori.yaml"

step "3. detect: a national centre's indicators (TLP:GREEN), then a scan of the capture"
sk intel import --source centre-c2 --tlp green --confidence 80 "$dir/scenario/intel.txt"
show scan "$dir/scenario/scenario.pcap"
set +e
"$bin" scan --config "$dir/sakimori.yaml" "$dir/scenario/scenario.pcap" > "$dir/scan.txt"
status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected findings (exit status 1), got $status"; exit 1; }
# detections come first, ranked by score; then the sightings in time order
head -n 12 "$dir/scan.txt"
echo "   … $(($(wc -l < "$dir/scan.txt") - 1)) findings in all ($dir/scan.txt)"
beacon=$(sqlite3 "$dir/sakimori.db" "SELECT id FROM findings WHERE analyzer = 'beacon' AND dst_ip IS NOT NULL ORDER BY score DESC LIMIT 1")
sighting=$(sqlite3 "$dir/sakimori.db" "SELECT id FROM findings WHERE type = 'sighting' AND dst_ip = '203.0.113.66' LIMIT 1")
named=$(sqlite3 "$dir/sakimori.db" "SELECT id FROM findings WHERE type = 'sighting' AND name = 'cdn-update1.example' LIMIT 1")
echo "   evidence: beacon detection finding:$beacon, sighting finding:$sighting, DNS sighting finding:$named"

step "4. decide: a proposal too broad for the law is refused, with what would pass"
export SAKIMORI_USER=dave
sk_status propose --target 203.0.0.0/16 --action block --ttl 2d \
    --legal-basis "Active Cyber Defence Act art. 12(3)" --evidence "finding:$beacon"
[ "$status" -eq 1 ] || { echo "the /16 block should have been refused"; exit 1; }

step "5. decide: narrow proposals pass the safeguards and wait for approval"
sk propose --target 203.0.113.66 --action takedown_request --ttl 7d \
    --legal-basis "Active Cyber Defence Act art. 12(3)" \
    --evidence "finding:$beacon" --evidence "finding:$sighting"
takedown=$(sqlite3 "$dir/sakimori.db" "SELECT max(id) FROM gov_proposals")
sk propose --target cdn-update1.example --action monitor --ttl 7d \
    --legal-basis "Active Cyber Defence Act art. 12(1)" --evidence "finding:$named"
monitor=$(sqlite3 "$dir/sakimori.db" "SELECT max(id) FROM gov_proposals")

step "6. decide: the approvers sign; a foreign target needs three approvals"
for who in alice bob carol; do
    sk approve "$takedown" --key "$dir/keys/$who.key" --note "proportionate; evidence reviewed"
done
for who in alice bob carol; do
    sk_status approve "$monitor" --key "$dir/keys/$who.key"
done
sk actions list

step "7. act: the takedown request, written for the provider's abuse desk (never sent by sakimori)"
ls -1 "$dir/outbox" | sed 's/^/   /'
eml=$(ls "$dir/outbox"/*.eml | head -1)
sed -n '1,12p' "$eml" | sed 's/^/   | /'

step "8. account: the audit log verifies, and the transparency report"
sk audit verify
sk audit report

printf '\nEverything is in %s: the store (sakimori.db), keys, outbox, scenario.\n' "$dir"
printf 'Explore: %s cases --config %s/sakimori.yaml\n' "$bin" "$dir"
