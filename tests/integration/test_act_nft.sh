#!/bin/sh
# The nft action on a real kernel: three network namespaces made by this test
# (client -> router -> "c2"), the action applied inside the router. A TCP
# connection from the client to the C2 works before apply, is dropped after
# it (IPv4 and IPv6), and works again after revert. Also: a prefix covering
# a blocked host replaces it and reverting the prefix restores the host;
# elements carry the remaining TTL and expire by themselves; reconcile
# repairs a flushed set and removes foreign elements; a crash after the store
# write and before the kernel change is repaired by reconcile.
. "$(dirname "$0")/lib.sh"
need_cmd ip
need_cmd nft
need_cmd jq
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }

drv="$SK_TEST_BIN/act_driver"
probe="$SK_TEST_BIN/netprobe"
c=skc$$ r=skr$$ x=skx$$
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for n in $c $r $x; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

for n in $c $r $x; do
    ip netns add "$n"
    ip netns exec "$n" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
    ip -n "$n" link set lo up
done
ip -n $c link add vc type veth peer name vr0 netns $r
ip -n $r link add vr1 type veth peer name vx netns $x
ip -n $c addr add 10.201.1.2/24 dev vc;  ip -n $c addr add fd00:201:1::2/64 dev vc
ip -n $r addr add 10.201.1.1/24 dev vr0; ip -n $r addr add fd00:201:1::1/64 dev vr0
ip -n $r addr add 10.201.2.1/24 dev vr1; ip -n $r addr add fd00:201:2::1/64 dev vr1
ip -n $x addr add 10.201.2.2/24 dev vx;  ip -n $x addr add fd00:201:2::2/64 dev vx
for l in "$c vc" "$r vr0" "$r vr1" "$x vx"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n $c route add default via 10.201.1.1; ip -n $c -6 route add default via fd00:201:1::1
ip -n $x route add default via 10.201.2.1; ip -n $x -6 route add default via fd00:201:2::1
ip netns exec $r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

ip netns exec $x "$probe" listen 10.201.2.2 4443 & pids="$pids $!"
ip netns exec $x "$probe" listen fd00:201:2::2 4443 & pids="$pids $!"
sleep 0.3

reach() { ip netns exec $c "$probe" connect "$1" 4443 700; }
# reaching may take a few tries while neighbour discovery settles
expect_reach() {
    for _ in 1 2 3 4 5 6; do reach "$1" && return 0; sleep 0.3; done
    fail "client cannot reach $1 ($2)"
}
expect_blocked() { if reach "$1"; then fail "client still reaches $1 ($2)"; fi; }
act() { ip netns exec $r "$drv" --db "$TMP/act.db" "$@"; }
elems() { ip netns exec $r nft -j list set inet sakimori "$1" | jq -c '[.nftables[] | select(.set) | .set.elem // [] | .[] | (.elem.val // .) | if type == "object" then "\(.prefix.addr)/\(.prefix.len)" else . end] | sort'; }

expect_reach 10.201.2.2 "before apply"
expect_reach fd00:201:2::2 "before apply"

# --- apply: dropped, with the remaining TTL as the element timeout ---
act apply nft 10.201.2.2 1 300s > "$TMP/o1.json" || { cat "$TMP/o1.json"; fail "apply v4"; }
expect_blocked 10.201.2.2 "after apply"
expect_reach fd00:201:2::2 "IPv6 untouched by an IPv4 block"
t=$(ip netns exec $r nft -j list set inet sakimori v4 | jq '[.nftables[] | select(.set) | .set.elem[0].elem.timeout][0]')
[ "$t" -ge 295 ] && [ "$t" -le 300 ] || fail "element timeout $t, expected the remaining TTL (~300 s)"
act apply nft fd00:201:2::2 2 300s > "$TMP/o2.json" || { cat "$TMP/o2.json"; fail "apply v6"; }
expect_blocked fd00:201:2::2 "after IPv6 apply"
# the router's own traffic is dropped too (output hook)
if ip netns exec $r "$probe" connect 10.201.2.2 4443 700; then fail "router still reaches the C2"; fi
# applying twice changes nothing
act apply nft 10.201.2.2 1 300s > /dev/null || fail "second apply"
[ "$(elems v4)" = '["10.201.2.2"]' ] || fail "set after double apply: $(elems v4)"

# --- a covering prefix replaces the host; its revert restores the host ---
act apply nft 10.201.2.0/24 3 300s > /dev/null || fail "apply /24"
[ "$(elems v4)" = '["10.201.2.0/24"]' ] || fail "set with /24: $(elems v4)"
act revert nft 10.201.2.0/24 3 > /dev/null || fail "revert /24"
[ "$(elems v4)" = '["10.201.2.2"]' ] || fail "set after reverting the /24: $(elems v4)"
expect_blocked 10.201.2.2 "host still held after the /24 went"

# --- revert: flows again, exactly the previous (empty) state ---
act revert nft 10.201.2.2 1 > /dev/null || fail "revert v4"
act revert nft fd00:201:2::2 2 > /dev/null || fail "revert v6"
act revert nft fd00:201:2::2 2 > /dev/null || fail "second revert must be harmless"
expect_reach 10.201.2.2 "after revert"
expect_reach fd00:201:2::2 "after revert"
[ "$(elems v4)" = '[]' ] && [ "$(elems v6)" = '[]' ] || fail "sets not empty after revert"
run_status act verify nft 10.201.2.2 1 > "$TMP/v.json"
expect_status 1 "verify after revert must fail"
expect_grep "is not in set" "$TMP/v.json"

# --- elements expire by themselves ---
act apply nft 10.201.2.2 4 2s > /dev/null || fail "apply with 2 s TTL"
expect_blocked 10.201.2.2 "2 s block"
sleep 3
expect_reach 10.201.2.2 "element must expire with its TTL"

# --- reconcile: a flushed set is refilled, a foreign element removed ---
act reconcile nft > /dev/null || fail "empty reconcile"
act apply nft 10.201.2.2 5 300s > /dev/null || fail "apply 5"
ip netns exec $r nft flush set inet sakimori v4
ip netns exec $r nft add element inet sakimori v4 '{ 10.201.9.9 }'
expect_reach 10.201.2.2 "after the set was flushed behind our back"
run_status act verify nft 10.201.2.2 5 > /dev/null
expect_status 1 "verify must see the drift"
act reconcile nft 5:300s:-:10.201.2.2 > "$TMP/rec.json" || fail "reconcile"
[ "$(jq -c .drift "$TMP/rec.json")" = '{"kept":0,"added":1,"removed":1}' ] \
    || fail "reconcile drift: $(cat "$TMP/rec.json")"
expect_blocked 10.201.2.2 "after reconcile"
[ "$(elems v4)" = '["10.201.2.2"]' ] || fail "set after reconcile: $(elems v4)"

# a deleted table comes back whole
ip netns exec $r nft delete table inet sakimori
act reconcile nft 5:300s:-:10.201.2.2 > /dev/null || fail "reconcile after table deletion"
expect_blocked 10.201.2.2 "after the table was rebuilt"

# --- crash between the store write and the kernel change ---
run_status env SK_ACT_CRASH_AT=nft:after-store ip netns exec $r "$drv" --db "$TMP/act.db" \
    apply nft fd00:201:2::2 6 300s
expect_status 86 "crash point"
expect_reach fd00:201:2::2 "the crash came before the kernel change"
act reconcile nft 5:300s:-:10.201.2.2 6:300s:-:fd00:201:2::2 > "$TMP/rec2.json" || fail "reconcile after crash"
[ "$(jq -c .drift "$TMP/rec2.json")" = '{"kept":1,"added":1,"removed":0}' ] \
    || fail "reconcile drift after crash: $(cat "$TMP/rec2.json")"
expect_blocked fd00:201:2::2 "after reconcile"
# the runner decides the crashed action is not active after all: removed
act reconcile nft 5:300s:-:10.201.2.2 > /dev/null || fail "reconcile to one"
expect_reach fd00:201:2::2 "dropped from the active set"

# --- check refuses what nft must not do ---
run_status act check nft evil.example 7
expect_status 1 "a name is not for nft"
run_status act check nft 10.0.0.0/7 7
expect_status 1 "too wide"
run_status act check nft 127.0.0.1 7
expect_status 1 "loopback"
echo "ok"
