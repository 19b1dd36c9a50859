#!/bin/sh
# bench_match.sh — indicator matching: build time, lookups/s, peak RSS, and
# the same flows filtered by nfdump's `ip in [ … ]` next to sakimori.
#
#   sh bench/bench_match.sh [BUILD_DIR]        (make bench runs it)
#
# Environment knobs (defaults are the issue's sizes):
#   IPV4=10000000 IPV6=1000000 DOMAINS=5000000 LOOKUPS=50000000
#   FLOWS=2000000 ADDRS=100000
# Results and the exact commands go to docs/PERFORMANCE.md (intel section).
set -eu
build=$(cd "${1:-build}" && pwd)
S="$build/sakimori"
B="$build/bench/bench_match"
IPV4=${IPV4:-10000000}
IPV6=${IPV6:-1000000}
DOMAINS=${DOMAINS:-5000000}
LOOKUPS=${LOOKUPS:-50000000}
FLOWS=${FLOWS:-2000000}
ADDRS=${ADDRS:-100000}
tmp=$(mktemp -d /tmp/sk-bench-match.$$.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
export TZ=UTC

echo "machine: $(nproc) cores; $(uptime)"

echo "== 1. $IPV4 IPv4 + $IPV6 IPv6 prefixes, $LOOKUPS lookups per measurement"
echo "\$ sakimori bench match --ipv4 $IPV4 --ipv6 $IPV6 --domains 0 --lookups $LOOKUPS"
/usr/bin/time -f "process peak RSS: %M KiB, %e s wall" \
    "$S" bench match --ipv4 "$IPV4" --ipv6 "$IPV6" --domains 0 --lookups "$LOOKUPS"

echo "== 2. $DOMAINS names"
echo "\$ sakimori bench match --ipv4 0 --ipv6 0 --domains $DOMAINS --lookups $LOOKUPS"
/usr/bin/time -f "process peak RSS: %M KiB, %e s wall" \
    "$S" bench match --ipv4 0 --ipv6 0 --domains "$DOMAINS" --lookups "$LOOKUPS"

echo "== 3. 10 million mixed indicators: peak RSS"
echo "\$ sakimori bench match --ipv4 5000000 --ipv6 1000000 --domains 3000000 --urls 500000 --ja3 500000 --lookups 0"
/usr/bin/time -f "process peak RSS: %M KiB, %e s wall" \
    "$S" bench match --ipv4 5000000 --ipv6 1000000 --domains 3000000 --urls 500000 --ja3 500000 --lookups 0

echo "== 4. $FLOWS flows against $ADDRS addresses: nfdump 'ip in [ … ]' and sakimori"
"$B" gen 7 "$FLOWS" "$ADDRS" "$tmp"
mkdir -p "$tmp/nf"
echo "\$ nfpcapd -r flows.pcap -w nf/   (the capture to nfdump files)"
nfpcapd -r "$tmp/flows.pcap" -w "$tmp/nf" -B 2000000 >"$tmp/nfpcapd.log" 2>&1
nfdump -R "$tmp/nf" -q -o 'fmt:%sa %da' > "$tmp/flows.txt"
echo "flows in the nfdump files: $(wc -l < "$tmp/flows.txt")"
echo "\$ nfdump -R nf/ -f filter.txt -o null        (filter.txt: ip in [ $ADDRS addresses ])"
for i in 1 2 3; do
    /usr/bin/time -f "nfdump peak RSS: %M KiB, %e s wall" nfdump -R "$tmp/nf" -f "$tmp/filter.txt" -o null 2>&1 \
        | grep -E "Total flows processed|flows/second|peak RSS" | tail -3
done
echo "\$ bench_match run addrs.txt flows.txt     (sk_intel_match_events, batches of 1024; best of 5)"
/usr/bin/time -f "sakimori peak RSS: %M KiB, %e s wall (reading the flows included)" \
    "$B" run "$tmp/addrs.txt" "$tmp/flows.txt"
