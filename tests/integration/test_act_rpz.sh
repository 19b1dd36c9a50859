#!/bin/sh
# The rpz action against real resolvers on loopback, all started here on
# ports picked at run time: an authoritative named serving evil.test (the
# "real" answers), a BIND resolver (policy by signed dynamic update) and an
# Unbound resolver (policy by IXFR from sakimori's primary). A real DNS
# client (dig) sees the sinkhole after apply and the real answer after
# revert, on both. Also: NXDOMAIN for a whole domain with a PASSTHRU
# exception, stacking and revert to the previous state, a crash between the
# store and the resolvers repaired by reconcile, both resolvers restarted
# (policy whole again), drift inside BIND repaired, and folding the delta
# into the base on both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/act_lib.sh"
need_cmd named
need_cmd unbound
need_cmd dig
need_cmd nsupdate
need_cmd tsig-keygen
trap act_cleanup EXIT INT TERM
. "$(dirname "$0")/rpz_env.sh"
sed -i 's/^    verify_timeout: 5s/    verify_timeout: 5s\n    fold_above: 10/' "$TMP/sk.yaml"

start_auth
start_primary
start_bind
start_unbound
ready() { [ "$(ask_bind c2.evil.test)" = 192.0.2.66 ] && [ "$(ask_ub c2.evil.test)" = 192.0.2.66 ]; }
wait_for 20 ready || fail "resolvers did not come up (real answer 192.0.2.66 expected)"

act() { "$DRV" --config "$TMP/sk.yaml" "$@" > "$TMP/last.json" || { cat "$TMP/last.json"; return 1; }; }
both() { # NAME [TYPE] EXPECTED: the +short answer of both resolvers
    _b=$(ask_bind "$1" $2) _u=$(ask_ub "$1" $2)
    [ "$_b" = "$3" ] || fail "BIND answers '$_b' for $1 $2, expected '$3'"
    [ "$_u" = "$3" ] || fail "Unbound answers '$_u' for $1 $2, expected '$3'"
}
status_both() { # NAME STATUS
    for p in $P_BIND $P_UB; do
        s=$(dig +time=1 +tries=1 @127.0.0.1 -p $p "$1" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
        [ "$s" = "$2" ] || fail "resolver on port $p: $1 has status $s, expected $2"
    done
}

# --- sinkhole one name ---
act apply rpz c2.evil.test 1 300s || fail "apply sinkhole"
both c2.evil.test A 127.0.0.7
both c2.evil.test AAAA ::7
both www.c2.evil.test A 192.0.2.67   # a name, not its subdomains

# --- NXDOMAIN for a domain, with a PASSTHRU exception inside it ---
act apply rpz '*.bad.evil.test' 2 300s nxdomain || fail "apply nxdomain domain"
status_both bad.evil.test NXDOMAIN
status_both x.bad.evil.test NXDOMAIN
act apply rpz good.bad.evil.test 3 300s passthru || fail "apply passthru"
both good.bad.evil.test A 192.0.2.70
status_both x.bad.evil.test NXDOMAIN

# --- stacking: a newer action decides; reverting it restores the older ---
act apply rpz c2.evil.test 4 300s nodata || fail "apply nodata over the sinkhole"
both c2.evil.test A ""
status_both c2.evil.test NOERROR
act revert rpz c2.evil.test 4 || fail "revert nodata"
both c2.evil.test A 127.0.0.7
act apply rpz c2.evil.test 1 300s || fail "apply twice"

# --- revert everything: the real answers again ---
act revert rpz c2.evil.test 1 || fail "revert sinkhole"
act revert rpz '*.bad.evil.test' 2 || fail "revert domain"
act revert rpz good.bad.evil.test 3 || fail "revert passthru"
act revert rpz good.bad.evil.test 3 || fail "second revert is harmless"
both c2.evil.test A 192.0.2.66
both x.bad.evil.test A 192.0.2.69
run_status "$DRV" --config "$TMP/sk.yaml" verify rpz c2.evil.test 1 > "$TMP/v.json"
expect_status 1 "verify after revert"

# --- refusals ---
run_status "$DRV" --config "$TMP/sk.yaml" check rpz 192.0.2.66 9 > "$TMP/c.json"
expect_status 1 "an address is not for rpz"
expect_grep "acts on names" "$TMP/c.json"
run_status "$DRV" --config "$TMP/sk.yaml" check rpz x.delta.sakimori.rpz 9 > /dev/null
expect_status 1 "a name inside the policy zones"

# --- crash after the store write, before the resolvers heard of it ---
run_status env SK_ACT_CRASH_AT=rpz:after-store "$DRV" --config "$TMP/sk.yaml" apply rpz c2.evil.test 5 300s
expect_status 86 "crash point"
both c2.evil.test A 192.0.2.66
act reconcile rpz 5:300s:-:c2.evil.test || fail "reconcile"
[ "$(jq .drift.added "$TMP/last.json")" -ge 1 ] || fail "reconcile found no drift: $(cat "$TMP/last.json")"
both c2.evil.test A 127.0.0.7

# --- drift inside BIND: the record deleted behind sakimori's back ---
printf 'server 127.0.0.1 %s\nzone delta.sakimori.rpz\nupdate delete c2.evil.test.delta.sakimori.rpz\nsend\n' "$P_BIND" \
    | nsupdate -k "$D/tsig.key"
[ "$(ask_bind c2.evil.test)" = 192.0.2.66 ] || fail "the BIND drift was not created"
run_status "$DRV" --config "$TMP/sk.yaml" verify rpz c2.evil.test 5 > "$TMP/v.json"
expect_status 1 "verify must see the drift"
expect_grep "BIND" "$TMP/v.json"
act reconcile rpz 5:300s:-:c2.evil.test || fail "reconcile the drift"
[ "$(jq -c .drift "$TMP/last.json")" = '{"kept":0,"added":1,"removed":0}' ] || fail "drift $(cat "$TMP/last.json")"
both c2.evil.test A 127.0.0.7

# the same drift repaired by re-applying the active action (what the
# governance runner does after a crash)
printf 'server 127.0.0.1 %s\nzone delta.sakimori.rpz\nupdate delete c2.evil.test.delta.sakimori.rpz\nsend\n' "$P_BIND" \
    | nsupdate -k "$D/tsig.key"
[ "$(ask_bind c2.evil.test)" = 192.0.2.66 ] || fail "the second BIND drift was not created"
act apply rpz c2.evil.test 5 300s || fail "re-apply over the drift"
both c2.evil.test A 127.0.0.7

# --- restarts: the policy is whole again after each ---
kill "$UB_PID"; wait "$UB_PID" 2>/dev/null || true
start_unbound
wait_for 20 sh -c "[ \"\$(dig +short +time=1 +tries=1 @127.0.0.1 -p $P_UB c2.evil.test)\" = 127.0.0.7 ]" \
    || fail "Unbound lost the policy over a restart"
kill "$BIND_PID"; wait "$BIND_PID" 2>/dev/null || true
start_bind
wait_for 20 sh -c "[ \"\$(dig +short +time=1 +tries=1 @127.0.0.1 -p $P_BIND c2.evil.test)\" = 127.0.0.7 ]" \
    || fail "BIND lost the policy over a restart"
act verify rpz c2.evil.test 5 || fail "verify after restarts"

# --- fold: past fold_above (10) names the delta goes into the base ---
i=10
while [ $i -lt 24 ]; do act apply rpz "n$i.evil.test" $i 300s || fail "apply n$i"; i=$((i + 1)); done
grep -q '^n10.evil.test A 127.0.0.7' "$D/base.rpz" || fail "Unbound's base file was not written"
dig +noall +answer -y "hmac-sha256:sakimori-test:$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$D/tsig.key")" \
    @127.0.0.1 -p "$P_BIND" base.sakimori.rpz AXFR > "$TMP/base.axfr"
grep -q '^n10.evil.test.base.sakimori.rpz' "$TMP/base.axfr" || fail "BIND's base did not get the fold"
sleep 1.2   # fold_settle
kill "$UB_PID"; wait "$UB_PID" 2>/dev/null || true
start_unbound   # loads the new base file
wait_for 20 sh -c "[ \"\$(dig +short +time=1 +tries=1 @127.0.0.1 -p $P_UB n11.evil.test)\" = 127.0.0.7 ]" \
    || fail "Unbound lost the policy after loading the new base"
act apply rpz n30.evil.test 30 300s || fail "apply after fold"   # runs the trims
in_delta() { sqlite3 "$TMP/act.db" "SELECT count(*) FROM act_rpz_zone WHERE zone='$1' AND owner IN ('c2.evil.test', 'n10.evil.test', 'n15.evil.test')"; }
[ "$(in_delta b:delta)" = 0 ] || fail "BIND's delta was not trimmed after the fold"
[ "$(in_delta u:delta)" = 0 ] || fail "Unbound's delta was not trimmed once it loaded the base"
# a folded name reverted: the tombstone in the delta hides the base entry
act revert rpz n12.evil.test 12 || fail "revert a folded name"
status_both n12.evil.test NXDOMAIN   # the real answer: evil.test has no n12
for n in n11 n13 n30 c2; do both $n.evil.test A 127.0.0.7; done
for p in $P_BIND $P_UB; do
    s=$(dig +short +time=1 +tries=1 @127.0.0.1 -p $p n12.evil.test)
    [ "$s" != 127.0.0.7 ] || fail "port $p still sinkholes the reverted n12"
done
echo "ok"
