#!/bin/sh
# bench_rpz.sh BUILD [N] — the rpz action on real resolvers whose policy
# already holds N names (default 1000000): update-to-enforcement latency
# p50/p95 on Unbound and BIND, whether they keep answering meanwhile, next to
# the usual ways (nsupdate into the big zone; Unbound auth_zone_reload) in
# the same run, peak RSS of each process, and the window a restarted resolver
# answers without its policy. Loopback only; ports picked at run time.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
N=${2:-1000000}
K=${K:-50}
here=$(cd "$(dirname "$0")" && pwd)
SAKIMORI=$BUILD/sakimori
SK_TEST_BIN=$BUILD/tests
SK_TEST_TMP=${SK_TEST_TMP:-$BUILD/tmp/bench_rpz}
export SAKIMORI SK_TEST_BIN SK_TEST_TMP
. "$here/../tests/integration/lib.sh"
. "$here/../tests/integration/act_lib.sh"
trap act_cleanup EXIT INT TERM
B=$BUILD/bench/bench_rpz
. "$here/../tests/integration/rpz_env.sh"
rss() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
echo "policy: $N names"
/usr/bin/time -f "populate: peak RSS %M KB" "$B" populate "$TMP/sk.yaml" "$N"
cp "$D/base.rpz" "$D/bind/base.zone"
start_auth
start_primary

t0=$(date +%s.%N)
start_bind
start_unbound
loaded() { # both resolvers answer a base name with the sinkhole
    [ "$(ask_bind n7.bench-block.test)" = 127.0.0.7 ] && [ "$(ask_ub n7.bench-block.test)" = 127.0.0.7 ]
}
wait_for 300 loaded || fail "the resolvers did not load the $N-name base"
echo "load: both resolvers enforce the $N-name base after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (started together)"

echo "--- sakimori: $K applies, each a new name (delta zone; IXFR to Unbound, signed update to BIND)"
"$B" latency "$TMP/sk.yaml" "$K"
echo "--- the usual ways, same resolvers, same policy"
"$B" peer-bind "$TMP/sk.yaml" "$D/tsig.key" 5
"$B" peer-unbound "$TMP/sk.yaml" "$D/ub.conf"
echo "--- peak RSS: unbound $(rss $UB_PID), named (resolver) $(rss $BIND_PID), sakimori primary $(rss $PRIMARY_PID)"

echo "--- restarts (delta name hot0.evil.test, base name n7.bench-block.test)"
kill "$UB_PID"; wait "$UB_PID" 2>/dev/null || true
start_unbound
printf 'Unbound: '; "$B" watch "$P_UB" n7.bench-block.test hot0.evil.test 300 || true
kill "$BIND_PID"; wait "$BIND_PID" 2>/dev/null || true
start_bind
printf 'BIND:    '; "$B" watch "$P_BIND" n7.bench-block.test hot0.evil.test 300 || true

echo "--- BIND alone loading the base: text zone file vs raw format (named-compilezone -F raw)"
named-compilezone -F raw -o "$D/base.raw" base.sakimori.rpz "$D/base.rpz" > /dev/null 2>&1
cp "$D/base.rpz" "$D/base.text"
set -- $(free_ports 127.0.0.1 1)
PL=$1
for fmt in text raw; do
    cat > "$D/lone-$fmt.conf" <<CONF
options { directory "$D"; listen-on port $PL { 127.0.0.1; }; listen-on-v6 { none; };
  pid-file "$D/lone.pid"; recursion yes; dnssec-validation no;
  response-policy { zone "base.sakimori.rpz"; } min-update-interval 0 qname-wait-recurse no; };
controls { };
zone "base.sakimori.rpz" { type primary; file "$D/base.$fmt"; masterfile-format $fmt; };
CONF
    t0=$(date +%s.%N)
    named -c "$D/lone-$fmt.conf" -g > "$D/lone-$fmt.log" 2>&1 &
    LP=$!
    track_pid $LP
    lone() { [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$PL" n7.bench-block.test)" = 127.0.0.7 ]; }
    wait_for 300 lone || echo "$fmt: not loaded in 300 s"
    echo "$fmt: policy enforced $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after start; peak RSS $(rss $LP)"
    kill "$LP"; wait "$LP" 2>/dev/null || true
done
echo "load at the end: $(uptime | sed 's/.*load average: //')"
