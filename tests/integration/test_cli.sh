#!/bin/sh
# The command line contract: --help and --version, synth determinism, and a
# scan of a synthesized scenario that finds every beacon connection the
# ground truth lists.
. "$(dirname "$0")/lib.sh"
need_cmd jq

"$SAKIMORI" --help | grep -q "usage: sakimori" || fail "--help"
"$SAKIMORI" --version | grep -q "^sakimori [0-9]" || fail "--version"
for cmd in scan synth; do
    "$SAKIMORI" $cmd --help | grep -q "usage: sakimori $cmd" || fail "$cmd --help"
done

"$SAKIMORI" synth --out "$TMP/a" --seed 11 --hosts 10 --duration 1800 --beacons 2 --period 30 --jitter 0.3
"$SAKIMORI" synth --out "$TMP/b" --seed 11 --hosts 10 --duration 1800 --beacons 2 --period 30 --jitter 0.3
"$SAKIMORI" synth --out "$TMP/c" --seed 12 --hosts 10 --duration 1800 --beacons 2 --period 30 --jitter 0.3
cmp -s "$TMP/a/scenario.pcap" "$TMP/b/scenario.pcap" || fail "synth is not deterministic"
cmp -s "$TMP/a/scenario.pcap" "$TMP/c/scenario.pcap" && fail "the seed changes nothing"
ls "$TMP/a"/*.tmp 2>/dev/null && fail "temporary files left behind"

run_status "$SAKIMORI" scan --json --no-store --intel "$TMP/a/intel.txt" "$TMP/a/scenario.pcap" > "$TMP/out.json"
expect_status 1 "beacons must be found"
# per C2: the number of TCP connections found equals the ground truth
jq -r '.beacons[] | "\(.src_ip) \(.dst_ip) \(.connections)"' "$TMP/a/truth.json" | sort > "$TMP/want"
jq -r 'select(.type == "sighting" and .proto == "tcp" and .indicator.value == .dst_ip) | "\(.src_ip) \(.dst_ip)"' "$TMP/out.json" | sort | uniq -c \
    | awk '{print $2, $3, $1}' | sort > "$TMP/got"
[ "$(wc -l < "$TMP/want")" -eq 2 ] || fail "truth should list 2 beacons"
diff -u "$TMP/want" "$TMP/got" || fail "beacon connections found differ from the ground truth"
# and nothing benign was flagged: every finding involves a C2 address or name
jq -r '.indicator.value' "$TMP/out.json" | sort -u > "$TMP/matched"
grep -v -x -f "$TMP/matched" "$TMP/a/intel.txt" | grep -v '^#' && fail "an indicator was never seen"
echo "ok"
