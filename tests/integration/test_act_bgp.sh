#!/bin/sh
# The bgp action (RTBH) against two real BIRD 2 instances peering over
# loopback: A is the operator's router that sakimori drives through its
# control socket, B its eBGP peer. After apply, B's `show route all` holds the
# /32 and /128 with BLACKHOLE (65535,666) and NO_EXPORT (65535,65281); after
# revert they are gone. Also: prefixes are refused, a crash between the
# include file and `configure` is repaired by reconcile, and an unreachable
# BIRD is a clear error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/act_lib.sh"
need_cmd bird
need_cmd birdc
trap act_cleanup EXIT INT TERM

# addresses and ports unique to this run
net="127.$(( ($$ / 250) % 250 + 1 )).$(( $$ % 250 ))"
A=$net.2 B=$net.3
set -- $(free_ports "$A" 1) $(free_ports "$B" 1)
pa=$1 pb=$2
mkdir -p "$TMP/bird"
cat > "$TMP/bird/a.conf" <<CONF
router id 192.0.2.1;
log "$TMP/bird/a.log" all;
protocol device {}
include "$TMP/bird/rtbh.conf";
protocol bgp peer_b {
  local $A port $pa as 64501;
  neighbor $B port $pb as 64502;
  strict bind yes; multihop 2; connect delay time 1;
  ipv4 { import none; export where proto = "sakimori_rtbh4"; next hop address 192.0.2.1; };
  ipv6 { import none; export where proto = "sakimori_rtbh6"; next hop address 2001:db8::1; };
}
CONF
cat > "$TMP/bird/b.conf" <<CONF
router id 192.0.2.2;
log "$TMP/bird/b.log" all;
protocol device {}
protocol static discard4 { ipv4; route 192.0.2.1/32 blackhole; }
protocol static discard6 { ipv6; route 2001:db8::1/128 blackhole; }
protocol bgp peer_a {
  local $B port $pb as 64502;
  neighbor $A port $pa as 64501;
  strict bind yes; multihop 2; connect delay time 1;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}
CONF
cat > "$TMP/sk.yaml" <<CONF
store:
  path: $TMP/act.db
act:
  bgp:
    bird_socket: $TMP/bird/a.ctl
    include_file: $TMP/bird/rtbh.conf
    protocol: sakimori_rtbh
    timeout: 5s
CONF
# BIRD needs the include to exist at start; sakimori's reconcile writes it
printf 'protocol static sakimori_rtbh4 { ipv4; }\nprotocol static sakimori_rtbh6 { ipv6; }\n' > "$TMP/bird/rtbh.conf"
track_pid "$TMP/bird/a.pid"; track_pid "$TMP/bird/b.pid"
bird -c "$TMP/bird/a.conf" -s "$TMP/bird/a.ctl" -P "$TMP/bird/a.pid" || fail "BIRD A did not start"
bird -c "$TMP/bird/b.conf" -s "$TMP/bird/b.ctl" -P "$TMP/bird/b.pid" || fail "BIRD B did not start"
established() { birdc -s "$TMP/bird/b.ctl" show protocols peer_a | grep -q Established; }
wait_for 15 established || { cat "$TMP/bird/b.log"; fail "BGP session did not come up"; }

act() { "$DRV" --config "$TMP/sk.yaml" "$@"; }
b_route() { birdc -s "$TMP/bird/b.ctl" show route "$1" all table "$2"; }
has_bh() { b_route "$1" "$2" > "$TMP/b_route.txt" && grep -q 'BGP.community: (65535,666) (65535,65281)' "$TMP/b_route.txt"; }
gone() { ! b_route "$1" "$2" | grep -q "$1"; }

# --- apply: the peer sees both routes with both communities ---
act apply bgp 203.0.113.66 1 300s > "$TMP/o.json" || { cat "$TMP/o.json"; fail "apply v4"; }
act apply bgp 2001:db8:66::66 2 300s > "$TMP/o.json" || { cat "$TMP/o.json"; fail "apply v6"; }
wait_for 5 has_bh 203.0.113.66/32 master4 || { cat "$TMP/b_route.txt"; fail "B lacks the IPv4 blackhole"; }
wait_for 5 has_bh 2001:db8:66::66/128 master6 || { cat "$TMP/b_route.txt"; fail "B lacks the IPv6 blackhole"; }
b_route 203.0.113.66/32 master4 | grep -q 'BGP.next_hop: 192.0.2.1' || fail "next hop is not the discard address"
act apply bgp 203.0.113.66 1 300s > /dev/null || fail "apply twice"
[ "$(grep -c 'route 203.0.113.66/32' "$TMP/bird/rtbh.conf")" = 1 ] || fail "double apply duplicated the route"

# two actions on one address: reverting one keeps the route
act apply bgp 203.0.113.66 3 300s > /dev/null || fail "second action on the same address"
act revert bgp 203.0.113.66 3 > /dev/null || fail "revert of the second action"
act verify bgp 203.0.113.66 1 > /dev/null || fail "the first action must still hold the route"

# --- revert: gone from the peer ---
act revert bgp 203.0.113.66 1 > /dev/null || fail "revert v4"
act revert bgp 2001:db8:66::66 2 > /dev/null || fail "revert v6"
wait_for 5 gone 203.0.113.66/32 master4 || fail "B still holds the IPv4 route after revert"
wait_for 5 gone 2001:db8:66::66/128 master6 || fail "B still holds the IPv6 route after revert"
run_status act verify bgp 203.0.113.66 1 > "$TMP/v.json"
expect_status 1 "verify after revert"
expect_grep "does not hold" "$TMP/v.json"

# --- refusals ---
run_status act check bgp 203.0.113.0/24 4 > "$TMP/c.json"
expect_status 1 "a prefix is not a host route"
expect_grep "host routes only" "$TMP/c.json"
run_status act check bgp evil.example 4 > /dev/null
expect_status 1 "a name"

# --- crash between writing the include file and configure ---
run_status env SK_ACT_CRASH_AT=bgp:after-file "$DRV" --config "$TMP/sk.yaml" apply bgp 198.51.100.7 5 300s
expect_status 86 "crash point"
grep -q 198.51.100.7 "$TMP/bird/rtbh.conf" || fail "the file was written before the crash"
sleep 0.5
gone 198.51.100.7/32 master4 || fail "BIRD was not reconfigured before the crash"
act reconcile bgp 5:300s:-:198.51.100.7 > "$TMP/r.json" || fail "reconcile"
[ "$(jq -c .drift "$TMP/r.json")" = '{"kept":0,"added":1,"removed":0}' ] || fail "drift $(cat "$TMP/r.json")"
wait_for 5 has_bh 198.51.100.7/32 master4 || fail "B lacks the route after reconcile"
act reconcile bgp > "$TMP/r.json" || fail "reconcile to nothing"
[ "$(jq -c .drift "$TMP/r.json")" = '{"kept":0,"added":0,"removed":1}' ] || fail "drift $(cat "$TMP/r.json")"
wait_for 5 gone 198.51.100.7/32 master4 || fail "B still holds the route after reconcile to nothing"

# --- BIRD unreachable: a clear error, nothing claimed ---
sed "s#$TMP/bird/a.ctl#$TMP/bird/nobody.ctl#" "$TMP/sk.yaml" > "$TMP/bad.yaml"
run_status "$DRV" --config "$TMP/bad.yaml" apply bgp 198.51.100.8 6 > "$TMP/e.json"
expect_status 1 "unreachable BIRD"
expect_grep "cannot reach BIRD" "$TMP/e.json"
echo "ok"
