#!/bin/sh
# bench_audit.sh BUILD [APPEND_N] [VERIFY_N] — the audit log's hot paths.
#
#   1. append APPEND_N entries (1,000 per transaction, a signed tree head and
#      a durable commit — synchronous=FULL — per transaction); the peer is
#      the sqlite3 shell inserting the very same rows, 1,000 per
#      transaction, with the same durability and no hashing or signing;
#   2. verify a log of VERIFY_N entries (every leaf and tree head
#      recomputed); the peers are sha256sum over the same entry texts
#      (hashing alone) and the sqlite3 shell reading them (I/O alone).
# Prints throughput and peak RSS of each; records nothing by itself (the
# figures go to docs/PERFORMANCE.md with the command and `uptime`).
set -eu
build=$(cd "${1:-build}" && pwd)
n_append=${2:-1000000}
n_verify=${3:-10000000}
drv="$build/bench/bench_audit"
tmp=${TMPDIR:-/tmp}/sk-bench-audit.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -x "$drv" ] || { echo "bench_audit: build first (make build)"; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench_audit: sqlite3 shell missing (scripts/deps.sh)"; exit 2; }

# measure CMD...: runs it, output to $tmp/out; sets $wall (s) and $peak (MiB)
measure() {
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > "$tmp/out"
    wall=$(cut -d' ' -f1 "$tmp/time")
    peak=$(( $(cut -d' ' -f2 "$tmp/time") / 1024 ))
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf("%.0f", (s > 0) ? n / s : 0) }'; }

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"

# --- 1. append -------------------------------------------------------------
echo "== append $n_append entries"
measure "$drv" append "$tmp/a.db" "$n_append" 1000
echo "sakimori: $(cat "$tmp/out")"
# the same rows, as plain INSERTs, through the sqlite3 shell
sqlite3 "$tmp/a.db" "SELECT 'INSERT INTO audit_log VALUES(' || seq || ',' || ts_ns || ',' || quote(kind)
                     || ',' || quote(subject) || ',' || quote(entry) || ',' || quote(leaf) || ');'
                     FROM audit_log ORDER BY seq" \
    | awk 'NR % 1000 == 1 { print "BEGIN;" } { print } NR % 1000 == 0 { print "COMMIT;" }
           END { if (NR % 1000) print "COMMIT;" }' > "$tmp/inserts.sql"
sqlite3 "$tmp/p.db" "PRAGMA journal_mode=WAL;" > /dev/null
sqlite3 "$tmp/p.db" "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, ts_ns INTEGER NOT NULL,
    kind TEXT NOT NULL, subject TEXT NOT NULL, entry BLOB, leaf BLOB NOT NULL);
    CREATE INDEX audit_log_ts ON audit_log(ts_ns); CREATE INDEX audit_log_subject ON audit_log(subject);"
{ echo "PRAGMA synchronous=FULL;"; cat "$tmp/inserts.sql"; } > "$tmp/run.sql"
measure sqlite3 "$tmp/p.db" ".read $tmp/run.sql"
echo "peer:     sqlite3 shell, the same rows in the same batches, no hashing or signing:" \
     "$wall s = $(rate "$n_append" "$wall") rows/s, peak RSS $peak MiB"
rm -f "$tmp/p.db"* "$tmp/inserts.sql" "$tmp/run.sql"

# --- 2. verify ----------------------------------------------------------------
echo "== verify $n_verify entries"
if [ "$n_verify" -gt "$n_append" ]; then
    # build the bigger log quickly: bigger transactions (not what is measured)
    "$drv" append "$tmp/a.db" $((n_verify - n_append)) 20000 > /dev/null
fi
measure "$drv" verify "$tmp/a.db"
echo "sakimori: $(cat "$tmp/out")"
sqlite3 "$tmp/a.db" "SELECT CAST(entry AS TEXT) FROM audit_log ORDER BY seq" > "$tmp/entries.txt"
echo "entries: $(wc -l < "$tmp/entries.txt") lines, $(( $(stat -c %s "$tmp/entries.txt") / 1048576 )) MiB"
measure sha256sum "$tmp/entries.txt"
echo "peer:     sha256sum over the same entry texts (one hash, no tree): $wall s =" \
     "$(rate "$n_verify" "$wall") entries/s, peak RSS $peak MiB"
measure sqlite3 "$tmp/a.db" "SELECT sum(length(entry)) + sum(length(leaf)) FROM audit_log"
echo "peer:     sqlite3 shell reading every entry and leaf: $wall s =" \
     "$(rate "$n_verify" "$wall") entries/s, peak RSS $peak MiB"
rm -f "$tmp/entries.txt"
echo "store: $(( $(stat -c %s "$tmp/a.db") / 1048576 )) MiB for $n_verify entries"
echo "machine after: $(uptime | sed 's/.*load/load/')"
