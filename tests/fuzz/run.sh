#!/bin/sh
# Runs every libFuzzer target for N seconds on its corpus (make fuzz).
# New inputs that libFuzzer finds go to BUILD/corpus-new/<target>; a crash
# stops the run and is left as BUILD/crash-* for replay.
set -eu
build=$(cd "${1:-build-fuzz}" && pwd)
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
for bin in "$build"/tests/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    mkdir -p "$build/corpus-new/$name"
    echo "== $name: ${secs}s"
    LSAN_OPTIONS=suppressions=$here/../lsan.supp "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$build/" \
        "$build/corpus-new/$name" "$here/corpus/$name" 2>&1 | tail -12
done
