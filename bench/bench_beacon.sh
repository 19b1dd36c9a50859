#!/bin/sh
# Beacon analysis at scale: bench_beacon (the "beacon" analyzer fed flow
# events from memory) on 1M → 10M → 100M connections, about 100 per pair
# (10k → 100k → 1M pairs), and, on the same connections written out, a peer:
# GNU sort + awk computing each pair's interval mean and coefficient of
# variation (the classic shell beacon check; RITA itself needs ClickHouse and
# Docker and is not run here). Prints throughput and peak RSS of both.
#   usage: bench/bench_beacon.sh BUILD_DIR [MAX]    MAX: 1M, 10M (default 100M)
set -eu
build=$(cd "${1:-build}" && pwd)
max=${2:-100M}
bench="$build/bench/bench_beacon"
tmp=${TMPDIR:-/tmp}/sk_bench_beacon.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores; uptime: $(uptime | sed 's/^ *//')"
for spec in 1000000:10000 10000000:100000 100000000:1000000; do
    n=${spec%%:*} p=${spec#*:}
    case "$max:$n" in 1M:10000000|1M:100000000|10M:100000000) break ;; esac
    echo "== $n connections over $p pairs"
    /usr/bin/time -f "sakimori beacon: %e s wall, %U s user, %M KB peak RSS" \
        "$bench" --connections "$n" --pairs "$p"
    if [ "$n" -le 10000000 ]; then
        "$bench" --connections "$n" --pairs "$p" --dump "$tmp/conns.txt" > /dev/null
        /usr/bin/time -f "peer sort+awk: %e s wall, %U s user, %M KB peak RSS (sort; awk below)" \
            sort -S 1G -k1,1 -k2,2 -k3,3n "$tmp/conns.txt" -o "$tmp/sorted.txt"
        /usr/bin/time -f "peer awk: %e s wall, %M KB peak RSS" awk '
            { key = $1 " " $2
              if (key != last) { flush(); last = key; n = 0; s = 0; ss = 0; prev = $3; next }
              d = $3 - prev; prev = $3; n++; s += d; ss += d * d }
            function flush(  m, cv) { if (n >= 3) { m = s / n; cv = m > 0 ? sqrt(ss / n - m * m) / m : 0;
                                      pairs++; if (cv < 0.3) flagged++ } }
            END { flush(); printf "peer: %d pairs scored, %d with interval CV < 0.3\n", pairs, flagged }' \
            "$tmp/sorted.txt"
        rm -f "$tmp/conns.txt" "$tmp/sorted.txt"
    fi
done
