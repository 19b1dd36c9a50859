#!/bin/sh
# bench_pcap.sh BUILD — pcap → flows throughput and peak memory: sakimori
# against nfpcapd (nfdump) and softflowd, each reading the same capture from
# a warm page cache on one core (taskset), best of N runs.
#
# The capture is synthesized (sakimori synth: hosts browsing over TLS with a
# DNS lookup per site, CDN assets, software updates over HTTP, NTP, a
# beacon) into a scratch directory, never into the repository:
#   SK_BENCH_DIR       where (default /tmp/sakimori-bench-pcap)
#   SK_BENCH_HOSTS     hosts (default 20000)     } 20000 × 900 s ≈ 4.6 GB,
#   SK_BENCH_DURATION  seconds (default 900)     } 10.3 M packets
#   SK_BENCH_RUNS      runs per tool (default 3)
#   SK_BENCH_CORE      CPU to pin to (default 1)
# sakimori is measured twice: the library pipeline alone (bench_pcap: decode,
# fragments, flows, DNS/TLS/HTTP/JA3/JA4 into a counting sink) and the
# command a user runs (sakimori collect -n: the same plus the privacy filter).
set -eu
build=$(cd "${1:-build}" && pwd)
dir=${SK_BENCH_DIR:-/tmp/sakimori-bench-pcap}
hosts=${SK_BENCH_HOSTS:-20000}
duration=${SK_BENCH_DURATION:-900}
runs=${SK_BENCH_RUNS:-3}
core=${SK_BENCH_CORE:-1}
for t in nfpcapd softflowd taskset capinfos; do
    command -v $t >/dev/null || { echo "bench_pcap: $t not installed (scripts/deps.sh)"; exit 1; }
done

scn="$dir/synth-$hosts-$duration"
pcap="$scn/scenario.pcap"
if [ ! -s "$pcap" ]; then
    echo "generating $pcap: sakimori synth --seed 42 --hosts $hosts --duration $duration"
    mkdir -p "$dir"
    "$build/sakimori" synth --out "$scn" --seed 42 --hosts "$hosts" --duration "$duration" >/dev/null
fi
packets=$(capinfos -c -M "$pcap" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
size=$(stat -c %s "$pcap")
cat "$pcap" > /dev/null # warm the page cache
echo "capture: $pcap, $((size / 1000000)) MB, $packets packets"
echo "machine: $(nproc) CPUs, $(uptime | sed 's/.*load/load/')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# best: runs a command $runs times pinned to one core; prints "wall cpu rss_kb"
best() {
    b=""
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" taskset -c "$core" "$@" > "$tmp/out" 2> "$tmp/err" \
            || { cat "$tmp/err"; return 1; }
        r=$(awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/t")
        if [ -z "$b" ] || [ "$(echo "$r $b" | awk '{ print ($1 < $4) }')" = 1 ]; then b=$r; fi
        i=$((i + 1))
    done
    echo "$b"
}
report() { # name "wall cpu rss"
    echo "$2" | awk -v n="$1" -v p="$packets" \
        '{ printf "%-28s %7.2f s  %6.2f s cpu  %6.2f Mpackets/s  %7.1f MB peak RSS\n", n, $1, $2, p / $1 / 1e6, $3 / 1024 }'
}

r_lib=$(best "$build/bench/bench_pcap" "$pcap")
cp "$tmp/out" "$tmp/lib.out"
r_cli=$(best "$build/sakimori" collect -n -q "$pcap")
rm -rf "$tmp/nf" && mkdir "$tmp/nf"
r_nf=$(best sh -c "rm -rf '$tmp/nf'/*; exec nfpcapd -r '$pcap' -w '$tmp/nf'")
r_sf=$(best softflowd -r "$pcap" -n 127.0.0.1:9 -m 1000000 -d)

echo
printf "%-28s %9s  %10s  %17s  %17s\n" "tool (one core)" "wall" "" "throughput" ""
report "sakimori (bench_pcap)" "$r_lib"
report "sakimori collect -n" "$r_cli"
report "nfpcapd -r" "$r_nf"
report "softflowd -r" "$r_sf"
echo
sed 's/^/  /' "$tmp/lib.out"
nf_flows=$(nfdump -R "$tmp/nf" -q -o csv 2>/dev/null | grep -c '^[0-9]' || true)
echo "  nfpcapd wrote $nf_flows flow records"
echo "$r_lib $r_nf $r_sf" | awk '{ printf "  speed-up of the pipeline: %.1fx nfpcapd, %.1fx softflowd\n", $4 / $1, $7 / $1 }'
"$build/bench/bench_pcap" --flowmem 1000000 | sed 's/^/  /'
