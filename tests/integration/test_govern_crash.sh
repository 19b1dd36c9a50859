#!/bin/sh
# Crash safety of the approve → apply and revoke → revert paths: the
# approving or revoking process is killed with SIGKILL many times — at
# random moments, and at every named step (after the intent is written,
# after the plugin ran, before the outcome is recorded, before the approval
# commits) — then `sakimori actions reconcile` runs as a restarted node
# would. After each restart the audit log must verify, the governance tables
# must agree with it, nothing may be left in flight, and the node's
# watchlist (what the monitor action really holds) must be exactly the set
# of active proposals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/govlib.sh"
need_cmd jq
need_cmd sqlite3

ITER=${SK_CRASH_ITERATIONS:-30}
gov_setup
DB="$TMP/s.db"
q() { sqlite3 "$DB" "$1"; }

consistent() {
    sk audit verify > "$TMP/verify.out" 2>&1 || { cat "$TMP/verify.out"; fail "$1: the log does not verify"; }
    [ "$(q "SELECT count(*) FROM gov_runs WHERE outcome IS NULL")" = 0 ] \
        || fail "$1: a step is still in flight after reconcile"
    held=$(q "SELECT group_concat(action_id) FROM (SELECT action_id FROM watchlist ORDER BY action_id)")
    want=$(q "SELECT group_concat(id) FROM (SELECT id FROM gov_proposals
              WHERE state IN ('active', 'provisional') ORDER BY id)")
    [ "$held" = "$want" ] || fail "$1: the watchlist holds [$held] but the active proposals are [$want]"
}

# run CMD... in the background and SIGKILL it after $1 ms (it may finish first)
kill_after() {
    ms=$1
    shift
    "$@" > /dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

points_apply="apply:after-intent apply:after-plugin apply:after-record decide:before-commit"
points_revert="revert:after-intent revert:after-plugin"
killed=0 crashed=0
i=0
while [ "$i" -lt "$ITER" ]; do
    i=$((i + 1))
    sk propose --json --target 203.0.113.66 --action monitor --ttl 1d --legal-basis "s.12" \
        --evidence "finding:$F_IP" > "$TMP/p.json" || fail "propose $i"
    id=$(jq -r .id "$TMP/p.json")
    sk approve "$id" --key "$TMP/keys/alice.key" > /dev/null

    # the approval that applies the action dies: at a named step, or at random
    if [ $((i % 3)) = 0 ]; then
        point=$(echo $points_apply | tr ' ' '\n' | sed -n "$(( (i / 3) % 4 + 1 ))p")
        run_status env SK_GOVERN_CRASH_AT="$point" "$SAKIMORI" approve "$id" --config "$TMP/sakimori.yaml" \
            --key "$TMP/keys/bob.key" > /dev/null 2>&1
        [ "$status" = 86 ] || fail "crash point $point was not reached (status $status)"
        crashed=$((crashed + 1))
    else
        kill_after $(( (i * 37) % 90 )) "$SAKIMORI" approve "$id" --config "$TMP/sakimori.yaml" \
            --key "$TMP/keys/bob.key"
        killed=$((killed + 1))
    fi
    sk actions reconcile > /dev/null || fail "reconcile after the approval crash ($i)"
    consistent "after approve $i"
    if [ "$(q "SELECT state FROM gov_proposals WHERE id = $id")" = pending ]; then
        # the approval never committed: give it again
        sk approve "$id" --key "$TMP/keys/bob.key" > /dev/null
        consistent "after re-approve $i"
    fi
    [ "$(q "SELECT state FROM gov_proposals WHERE id = $id")" = active ] || fail "$i: not active"
    [ "$(q "SELECT count(*) FROM watchlist WHERE action_id = $id")" = 1 ] || fail "$i: not applied"

    # the revocation dies too
    if [ $((i % 3)) = 1 ]; then
        point=$(echo $points_revert | tr ' ' '\n' | sed -n "$(( (i / 3) % 2 + 1 ))p")
        run_status env SK_GOVERN_CRASH_AT="$point" "$SAKIMORI" revoke "$id" --config "$TMP/sakimori.yaml" \
            --reason "done" > /dev/null 2>&1
        [ "$status" = 86 ] || fail "crash point $point was not reached (status $status)"
        crashed=$((crashed + 1))
    else
        kill_after $(( (i * 53) % 70 )) "$SAKIMORI" revoke "$id" --config "$TMP/sakimori.yaml" --reason done
        killed=$((killed + 1))
    fi
    sk actions reconcile > /dev/null || fail "reconcile after the revoke crash ($i)"
    consistent "after revoke $i"
    if [ "$(q "SELECT state FROM gov_proposals WHERE id = $id")" = active ]; then
        sk revoke "$id" --reason done > /dev/null
        consistent "after re-revoke $i"
    fi
    [ "$(q "SELECT state FROM gov_proposals WHERE id = $id")" = reverted ] || fail "$i: not reverted"
done
sk audit verify --json | jq -e '.ok and .state_ok' > /dev/null || fail "final verify"
echo "ok: $ITER rounds, $killed random SIGKILLs, $crashed kills at named steps; $(q "SELECT count(*) FROM audit_log") audit entries verify"
