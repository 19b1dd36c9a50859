#!/bin/sh
# Runs every benchmark script bench/bench_*.sh against the given build
# directory. Each script prints its throughput and peak memory next to a peer
# tool run on the same data; the figures and exact commands are recorded in
# docs/PERFORMANCE.md.
set -eu
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
found=0
for b in "$here"/bench_*.sh; do
    [ -e "$b" ] || continue
    found=1
    echo "== $(basename "$b")"
    sh "$b" "$build"
done
[ $found = 1 ] || echo "no benchmark scripts in $here"
