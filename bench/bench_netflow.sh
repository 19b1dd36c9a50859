#!/bin/sh
# NetFlow v9/IPFIX: (1) decoding from memory, per core; (2) the UDP
# collector against nfcapd on the same loopback stream, rate by rate: the
# highest rate nfcapd takes without losing a record, and whether sakimori
# loses any at twice that rate. Also nfdump reading back what nfcapd wrote,
# as a reference for decoding speed.
#
#   sh bench/bench_netflow.sh [BUILD_DIR]     (RATES="…" SECONDS_PER_RATE=3)
#
# Traffic goes to 127.0.0.1 only (bench_nfgen refuses anything else);
# generated files live in /tmp and are removed at the end.
set -eu
build=$(cd "${1:-build}" && pwd)
sk="$build/sakimori"
gen="$build/bench/bench_nfgen"
dec="$build/bench/bench_netflow"
tmp=/tmp/sk-bench-netflow.$$
secs=${SECONDS_PER_RATE:-3}
rates=${RATES:-"600000 900000 1200000 1500000 1800000 2100000 2400000 3000000"}
mkdir -p "$tmp"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for t in "$sk" "$gen" "$dec"; do [ -x "$t" ] || { echo "missing $t (make build)"; exit 2; }; done
command -v nfcapd >/dev/null || { echo "nfcapd not installed (scripts/deps.sh)"; exit 2; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(uptime)"
echo
echo "== decoding from memory (one thread; per CPU second, and per wall second)"
for v in 9 10 ipfix-rich 5; do
    "$dec" -v "$v" -n 50000000
done
echo "-- peer: libfixbuf $(pkg-config --modversion libfixbuf 2>/dev/null || echo '(not installed)'), the same IPFIX messages as '10'"
if pkg-config --exists libfixbuf; then
    here=$(cd "$(dirname "$0")" && pwd)
    cc -O2 -o "$tmp/peer_fixbuf" "$here/peer_fixbuf.c" $(pkg-config --cflags --libs libfixbuf glib-2.0)
    "$tmp/peer_fixbuf" 20000000
fi

# --- the collector, against nfcapd --------------------------------------------
free_port() { # a UDP port nobody has, picked at random
    while :; do
        p=$(( ($(od -An -N2 -tu2 /dev/urandom) % 40000) + 20000 ))
        if ! ss -uln | awk '{print $4}' | grep -q ":$p\$"; then echo "$p"; return; fi
    done
}

# nfcapd: records it wrote for one rate
run_nfcapd() { # rate records
    d=$(mktemp -d "$tmp/nfcapd.$1.XXXXXX")
    port=$(free_port)
    nfcapd -b 127.0.0.1 -p "$port" -w "$d" -B 4194304 -t 3600 -P "$d/pid" > "$d/log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    sleep 0.5
    "$gen" -p "$port" -v 9 -r "$1" -n "$2" > "$d/gen" 2>&1
    sleep 1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    for f in "$d"/nfcapd.2*; do nfdump -r "$f" -I 2>/dev/null; done | awk '/^Flows:/ {n += $2} END {print n + 0}'
}

# sakimori collect: records decoded for one rate; $3 = socket buffer
run_sakimori() { # rate records buffer
    d=$(mktemp -d "$tmp/sk.$1.$3.XXXXXX")
    printf 'netflow:\n  socket_buffer: %s\n' "$3" > "$d/conf.yaml"
    "$sk" collect --config "$d/conf.yaml" --listen 127.0.0.1:0 --port-file "$d/port" \
        --no-events --stats --idle 1s --for 120s 2> "$d/stats" &
    pid=$!
    pids="$pids $pid"
    while [ ! -s "$d/port" ]; do sleep 0.05; done
    "$gen" -p "$(cat "$d/port")" -v 9 -r "$1" -n "$2" > "$d/gen" 2>&1
    wait "$pid" || true
    v=$(sed -n 's/.*"events":\([0-9]*\).*"dropped":\([0-9]*\).*/\1 \2/p' "$d/stats" | head -1)
    echo "${v:-0 0}"
}

echo
echo "== UDP collector on 127.0.0.1, NetFlow v9 from bench_nfgen (28 records a datagram), ${secs}s a rate"
echo "   nfcapd -B 4MiB (kernel cap: net.core.rmem_max=$(sysctl -n net.core.rmem_max)),"
echo "   sakimori with the same 4MiB buffer, and with its default (64MiB, SO_RCVBUFFORCE);"
echo "   'kernel': datagrams the kernel dropped for a full socket buffer, as sakimori reads them (SO_RXQ_OVFL)"
printf '%12s %10s | %12s %7s | %12s %7s %7s | %12s %7s %7s\n' "records/s" "sent" "nfcapd" "lost" \
    "sakimori-4M" "lost" "kernel" "sakimori-64M" "lost" "kernel"
best=0
for r in $rates; do
    n=$((r * secs))
    n=$(( (n / 28) * 28 ))
    got_nf=$(run_nfcapd "$r" "$n")
    set -- $(run_sakimori "$r" "$n" 4MiB)
    got_s4=$1 k4=$2
    set -- $(run_sakimori "$r" "$n" 64MiB)
    got_s64=$1 k64=$2
    printf '%12s %10s | %12s %7s | %12s %7s %7s | %12s %7s %7s\n' "$r" "$n" "$got_nf" "$((n - got_nf))" \
        "$got_s4" "$((n - got_s4))" "$k4" "$got_s64" "$((n - got_s64))" "$k64"
    [ "$got_nf" -eq "$n" ] && [ "$r" -gt "$best" ] && best=$r
done
echo "nfcapd's highest lossless rate here: $best records/s"
if [ "$best" -gt 0 ]; then
    r=$((best * 2))
    n=$(( (r * secs / 28) * 28 ))
    set -- $(run_sakimori "$r" "$n" 4MiB)
    s4=$1
    set -- $(run_sakimori "$r" "$n" 64MiB)
    s64=$1
    echo "sakimori at twice that ($r records/s, $n sent): 4MiB buffer $s4 decoded ($((n - s4)) lost), 64MiB buffer $s64 decoded ($((n - s64)) lost)"
fi

echo
echo "== reference: nfdump reading back nfcapd's file (flows/s as nfdump reports them)"
last=$(ls -S "$tmp"/nfcapd.*/nfcapd.2* | head -1)
/usr/bin/time -f "nfdump -r: %e s wall, %U s user, peak RSS %M KiB" \
    nfdump -r "$last" -o "fmt:%pkt" > "$tmp/nfdump.out" 2> "$tmp/nfdump.time" || true
grep -E "flows/second" "$tmp/nfdump.out" | tail -1 || true
tail -1 "$tmp/nfdump.time"
echo
echo "load after: $(uptime)"
