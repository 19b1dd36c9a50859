#!/bin/sh
# Governance driving a real network action: a `block` proposal, approved by
# two signed approvals, is applied by the nft plugin inside a network
# namespace this test creates (never the host's firewall); the kernel's set
# holds the address; revocation removes it; a second block expires at its
# TTL through `actions tick`; after the set is flushed behind sakimori's
# back, `actions reconcile` puts the active block back. The audit log
# verifies and records every step.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/govlib.sh"
need_cmd ip
need_cmd nft
need_cmd jq
need_cmd sqlite3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a network namespace"; exit 77; }

ns=skgov$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up

gov_setup
# the findings come from the synthesized capture; the C2 203.0.113.66 is domestic here
in_ns() { ip netns exec "$ns" "$@"; }
skn() { _c=$1; shift; in_ns "$SAKIMORI" "$_c" --config "$TMP/sakimori.yaml" "$@"; }
held() {
    in_ns nft -j list table inet sakimori 2>/dev/null \
        | jq -r '[.nftables[] | select(.set) | .set.elem // [] | .[] | (.elem.val // .)
                  | if type == "object" then "\(.prefix.addr)/\(.prefix.len)" else . end] | join(",")'
}

skn propose --json --target 203.0.113.66 --action block --ttl 1d --legal-basis "s.12(3)" \
    --evidence "finding:$F_IP" > "$TMP/p.json"
P=$(jq -r .id "$TMP/p.json")
[ "$(jq -r .state "$TMP/p.json")" = pending ] || { cat "$TMP/p.json"; fail "block should be pending"; }
jq -e '.safeguards.checks[] | select(.check == "impact")' "$TMP/p.json" > /dev/null \
    || fail "the report should carry the dry run"
skn approve "$P" --key "$TMP/keys/alice.key" > /dev/null
[ -z "$(held)" ] || fail "nothing may be blocked before k approvals"
skn approve "$P" --key "$TMP/keys/bob.key" --json > "$TMP/a.json" \
    || { cat "$TMP/a.json"; fail "approve/apply"; }
[ "$(jq -r .state "$TMP/a.json")" = active ] || { cat "$TMP/a.json"; fail "not active"; }
held | grep -q "203.0.113.66" || fail "the kernel set does not hold 203.0.113.66: [$(held)]"
jq -e '[.runs[] | select(.plugin == "nft" and .outcome == "ok")] | length >= 2' "$TMP/a.json" \
    > /dev/null || fail "apply and verify by nft should be recorded"

# the host's firewall was never touched
if nft list table inet sakimori >/dev/null 2>&1; then
    # another test may own one; ours must not hold our target
    nft -j list table inet sakimori | grep -q "203.0.113.66" && fail "the host's firewall was changed"
fi

# flushed behind our back: reconcile restores what the store says is active
for set in $(in_ns nft -j list table inet sakimori | jq -r '.nftables[] | select(.set) | .set.name'); do
    in_ns nft flush set inet sakimori "$set"
done
[ -z "$(held)" ] || fail "flush did not empty the set"
skn actions reconcile > /dev/null
held | grep -q "203.0.113.66" || fail "reconcile did not restore the block"

skn revoke "$P" --reason "C2 moved" > /dev/null
[ -z "$(held)" ] || fail "revoke must remove the element: [$(held)]"

# a second block runs out at its TTL
skn propose --json --target 203.0.113.66 --action block --ttl 2h --legal-basis "s.12(3)" \
    --evidence "finding:$F_IP" > "$TMP/p2.json"
Q=$(jq -r .id "$TMP/p2.json")
skn approve "$Q" --key "$TMP/keys/carol.key" > /dev/null
skn approve "$Q" --key "$TMP/keys/bob.key" > /dev/null
held | grep -q "203.0.113.66" || fail "second block not applied"
skn actions tick --json --at "$(date -u -d '+3 hours' +%Y-%m-%dT%H:%M:%SZ)" > "$TMP/t.json"
[ "$(jq .expired "$TMP/t.json")" = 1 ] || { cat "$TMP/t.json"; fail "the TTL should expire it"; }
[ -z "$(held)" ] || fail "expiry must remove the element"

skn audit verify > "$TMP/v.out" || { cat "$TMP/v.out"; fail "audit log"; }
skn audit log --json --kind action. > "$TMP/steps.jsonl"
for k in '"action.apply"' '"action.verify"' '"action.revert"' '"action.reconcile"'; do
    grep -q "\"kind\":$k" "$TMP/steps.jsonl" || fail "no $k in the audit log"
done
echo "ok"
