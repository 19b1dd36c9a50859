#!/bin/sh
# Suricata EVE JSON into sk_events, against a plain jansson parse of the
# same lines and jq extracting the same fields.
#
#   sh bench/bench_eve.sh [BUILD_DIR]        (EVE_MB=512 PEER_MB=128)
#
# A synthetic EVE file with a real sensor's mix of event types is written to
# /tmp (bench_eve gen) and read from the page cache: sakimori's EVE source
# on the whole file, jansson and jq on its first PEER_MB megabytes (they are
# much slower; their rate does not depend on the size). The file is removed
# at the end.
set -eu
build=$(cd "${1:-build}" && pwd)
be="$build/bench/bench_eve"
sk="$build/sakimori"
mb=${EVE_MB:-512}
peer_mb=${PEER_MB:-128}
f=/tmp/sk-bench-eve.$$.json
p=/tmp/sk-bench-eve-peer.$$.json
trap 'rm -f "$f" "$p"' EXIT INT TERM
[ -x "$be" ] || { echo "missing $be (make build)"; exit 2; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(uptime)"
"$be" gen "$f" "$mb"
head -c $((peer_mb << 20)) "$f" | sed '$d' > "$p"   # whole lines only
echo "data: $(wc -c < "$f") bytes, $(wc -l < "$f") lines (peers: $(wc -c < "$p") bytes)"
cat "$f" > /dev/null # warm the page cache

echo
echo "== sakimori EVE source, file → sk_events (per CPU second of the reader, and per wall second)"
"$be" sakimori "$f"
"$be" sakimori "$f"
echo "== the same through the command: sakimori collect --no-events"
/usr/bin/time -f "collect: %e s wall, %U s user, %S s sys, peak RSS %M KiB" \
    "$sk" collect --no-events -q "$f"
echo
echo "== jansson: json_loadb per line, then the same members"
"$be" jansson "$p"
echo
echo "== jq extracting the same fields"
/usr/bin/time -f "jq: %e s wall, %U s user, %S s sys, peak RSS %M KiB" \
    jq -c '[.timestamp, .event_type, .src_ip, .src_port, .dest_ip, .dest_port, .proto,
            .flow.pkts_toserver, .flow.bytes_toserver, .flow.pkts_toclient, .flow.bytes_toclient,
            .flow.start, .flow.end, .dns.rrname, .dns.rrtype, .dns.rcode,
            [.dns.answers[]?.rdata], .tls.sni, .tls.ja3.hash, .http.hostname, .http.url,
            .alert.signature_id, .alert.signature]' "$p" > /dev/null 2> /tmp/sk-bench-jq.$$ || true
cat /tmp/sk-bench-jq.$$
secs=$(sed -n 's/^jq: \([0-9.]*\) s wall.*/\1/p' /tmp/sk-bench-jq.$$)
user=$(sed -n 's/.* \([0-9.]*\) s user.*/\1/p' /tmp/sk-bench-jq.$$)
rm -f /tmp/sk-bench-jq.$$
awk -v b="$(wc -c < "$p")" -v s="$secs" -v u="$user" \
    'BEGIN { printf "jq: %.1f MB/s/core (user time), %.1f MB/s wall\n", b / u / 1e6, b / s / 1e6 }'
echo
echo "load after: $(uptime)"
