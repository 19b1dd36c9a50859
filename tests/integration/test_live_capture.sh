#!/bin/sh
# Live capture (sakimori collect -f live) on a veth pair between two network
# namespaces this test creates: a client namespace asks DNS over UDP (IPv4,
# IPv6, and a query big enough to be fragmented) and over TCP (cut into
# segments), and fetches a page over HTTP, from real servers in the other
# namespace; the capture there, with a BPF filter, must see each of them
# decoded, and nothing the filter excludes.
. "$(dirname "$0")/lib.sh"
need_cmd ip
need_cmd python3
need_cmd jq
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }

ns_c="skc$$"
ns_s="sks$$"
vc="vc$$"
vs="vs$$"
peer="$SK_SOURCE_DIR/tests/integration/live_peer.py"
srv_pid=""
cap_pid=""
cleanup() {
    [ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
    ip netns del "$ns_c" 2>/dev/null
    ip netns del "$ns_s" 2>/dev/null
    return 0
}
trap cleanup EXIT INT TERM

ip netns add "$ns_c" || { echo "SKIP: cannot create network namespaces"; exit 77; }
ip netns add "$ns_s"
ip link add "$vc" type veth peer name "$vs"
ip link set "$vc" netns "$ns_c"
ip link set "$vs" netns "$ns_s"
ip -n "$ns_c" addr add 10.66.0.1/24 dev "$vc"
ip -n "$ns_s" addr add 10.66.0.2/24 dev "$vs"
ip -n "$ns_c" addr add fd00:66::1/64 dev "$vc" nodad
ip -n "$ns_s" addr add fd00:66::2/64 dev "$vs" nodad
for ns in "$ns_c" "$ns_s"; do ip -n "$ns" link set lo up; done
ip -n "$ns_c" link set "$vc" up
ip -n "$ns_s" link set "$vs" up

ip netns exec "$ns_s" python3 "$peer" serve 10.66.0.2 fd00:66::2 "$TMP/ready" &
srv_pid=$!
for i in $(seq 50); do [ -s "$TMP/ready" ] && break; sleep 0.1; done
[ -s "$TMP/ready" ] || fail "servers did not start"

ip netns exec "$ns_s" "$SAKIMORI" collect -f live --bpf 'port 53 or port 8080 or (ip[6:2] & 0x3fff != 0)' \
    --json --stats --idle 2s "$vs" > "$TMP/events.json" 2> "$TMP/stats.json" &
cap_pid=$!
sleep 1
ip netns exec "$ns_c" python3 "$peer" client 10.66.0.2 fd00:66::2 || fail "client failed"
wait "$cap_pid" || fail "collect failed: $(cat "$TMP/stats.json")"
cap_pid=""

jq -r 'select(.kind == "dns") | "\(.dns.response) \(.dns.qname)"' "$TMP/events.json" | sort -u > "$TMP/dns"
for n in udp.live.example v6.live.example big.live.example tcp.live.example; do
    grep -qx "false $n" "$TMP/dns" || { cat "$TMP/dns"; fail "query for $n not seen"; }
    grep -qx "true $n" "$TMP/dns" || { cat "$TMP/dns"; fail "response for $n not seen"; }
done
jq -e -s '[.[] | select(.kind == "http" and .http.host == "http.live.example"
            and .http.uri == "/live?x=1" and .http.user_agent == "sakimori-test"
            and .http.status == 200 and .dst_port == 8080)] | length == 1' "$TMP/events.json" >/dev/null \
    || fail "HTTP request not seen as expected"
jq -e -s '[.[] | select(.kind == "flow" and .proto == "udp" and .dst_port == 53
            and .src_ip == "10.66.0.1" and .flow.pkts_out >= 3)] | length >= 1' "$TMP/events.json" >/dev/null \
    || fail "no flow for the fragmented query (its fragments count as packets)"
jq -e -s '[.[] | select(.kind == "flow" and .proto == "tcp" and .dst_port == 8080
            and .flow.pkts_in > 0 and .flow.tcp_state > 0)] | length == 1' "$TMP/events.json" >/dev/null \
    || fail "no bidirectional TCP flow for the HTTP exchange"
if jq -e 'select(.dst_port == 9999 or .src_port == 9999)' "$TMP/events.json" >/dev/null; then
    fail "the BPF filter let port 9999 through"
fi
jq -e -s '[.[] | select(.input)] | length == 1 and .[0].format == "live"
           and .[0].malformed == 0 and .[0].records > 0 and .[0].events > 0' "$TMP/stats.json" >/dev/null \
    || { cat "$TMP/stats.json"; fail "statistics missing or malformed records"; }
echo "ok: $(grep -c . "$TMP/events.json") events from live capture"
