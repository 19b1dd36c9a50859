#!/bin/sh
# The sinkhole listener and victim notification. `sakimori act sinkhole`
# listens on loopback (TCP on IPv4 and IPv6, UDP); real clients connect from
# distinct loopback source addresses standing in for infected machines: curl
# (HTTP, Host header), openssl s_client (TLS, SNI), dig (DNS over UDP) and a
# bare TCP connection. Every one is recorded with the name it meant, nothing
# is sent back, and `sakimori act notify` writes one notification per
# operator owning the victims (JSON + RFC 5322 message), plus an
# "unassigned" JSON for the rest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/act_lib.sh"
need_cmd curl
need_cmd openssl
need_cmd dig
need_cmd jq
need_cmd sqlite3
trap act_cleanup EXIT INT TERM

set -- $(free_ports 127.0.0.1 2)
PT=$1 PU=$2
cat > "$TMP/operators.json" <<'JSON'
{ "operators": [
  { "id": "op-a", "name": "Grid Operator A", "email": "soc@op-a.example",
    "prefixes": ["127.10.0.0/16"] },
  { "id": "op-b", "name": "Rail Operator B", "email": "cert@op-b.example",
    "prefixes": ["127.20.0.0/16", "::1/128"] },
  { "id": "op-wide", "name": "Wide", "email": "noc@wide.example",
    "prefixes": ["127.0.0.0/8"] }
] }
JSON
cat > "$TMP/sk.yaml" <<CONF
store:
  path: $TMP/act.db
act:
  sinkhole:
    listen: ["127.0.0.1@$PT/tcp", "[::1]@$PT/tcp", "127.0.0.1@$PU/udp"]
    read_timeout: 1s
  notify:
    registry: $TMP/operators.json
    outbox: $TMP/notify
    from: cert@centre.example
CONF
"$SAKIMORI" act --config "$TMP/sk.yaml" sinkhole 2> "$TMP/sinkhole.log" &
SPID=$!
track_pid $SPID
wait_for 10 sh -c "ss -ltn | grep -q ':$PT '" || { cat "$TMP/sinkhole.log"; fail "sinkhole did not listen"; }

# HTTP from 127.10.0.1: the Host header names the C2; no byte comes back
got=$(curl -s -m 3 --interface 127.10.0.1 -H 'Host: c2.evil.test:8080' \
      -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PT/gate.php" || true)
[ "${got:-0}" = 0 ] || fail "the sinkhole answered HTTP with $got bytes"
# TLS from 127.20.0.1 with SNI
echo | timeout 5 openssl s_client -connect "127.0.0.1:$PT" -servername tls-c2.evil.test \
    -bind 127.20.0.1:0 > "$TMP/tls.out" 2>&1 || true
grep -q "CONNECTED" "$TMP/tls.out" || { cat "$TMP/tls.out"; fail "openssl did not connect"; }
# a hand-made ClientHello too (SNI parser against a second writer)
[ "$(NETPROBE_SRC=127.20.0.2 "$PROBE" tls 127.0.0.1 "$PT" hand.evil.test)" = 0 ] \
    || fail "the sinkhole answered TLS"
# DNS over UDP from 127.30.0.1 (owned by op-wide only)
dig +tries=1 +time=1 -b 127.30.0.1 @127.0.0.1 -p "$PU" dns-c2.evil.test > /dev/null 2>&1 || true
# bare TCP over IPv6 from ::1: nothing sent, recorded at the read timeout
NETPROBE_SRC=::1 "$PROBE" connect ::1 "$PT" 1500 && fail "the sinkhole answered a bare TCP connection"

sleep 1.5
kill -TERM $SPID; wait $SPID 2>/dev/null || true

q() { sqlite3 "$TMP/act.db" "$1"; }
[ "$(q "SELECT via || ' ' || COALESCE(name, '-') FROM act_sinkhole_hits WHERE victim = '127.10.0.1'")" = "http c2.evil.test" ] \
    || { q "SELECT * FROM act_sinkhole_hits"; fail "the HTTP victim was not recorded with its Host"; }
[ "$(q "SELECT via || ' ' || COALESCE(name, '-') FROM act_sinkhole_hits WHERE victim = '127.20.0.1'")" = "tls tls-c2.evil.test" ] \
    || { q "SELECT * FROM act_sinkhole_hits"; fail "the TLS victim was not recorded with its SNI"; }
[ "$(q "SELECT name FROM act_sinkhole_hits WHERE victim = '127.20.0.2'")" = "hand.evil.test" ] \
    || fail "the hand-made ClientHello's SNI was not read"
[ "$(q "SELECT via || ' ' || name || ' ' || proto FROM act_sinkhole_hits WHERE victim = '127.30.0.1'")" = "dns dns-c2.evil.test 17" ] \
    || { q "SELECT * FROM act_sinkhole_hits"; fail "the DNS victim was not recorded"; }
[ "$(q "SELECT via || ' ' || local_port FROM act_sinkhole_hits WHERE victim = '::1'")" = "tcp $PT" ] \
    || { q "SELECT * FROM act_sinkhole_hits"; fail "the IPv6 victim was not recorded"; }

# --- notification per operator ---
"$SAKIMORI" act --config "$TMP/sk.yaml" notify --since 1h --json > "$TMP/n.json" \
    || { cat "$TMP/n.json"; fail "notify"; }
jq -e '.operators == 3 and .unassigned == 0' "$TMP/n.json" > /dev/null || fail "notify summary: $(cat "$TMP/n.json")"
file_of() { jq -r --arg o "$1" ".files[] | select(.operator == \$o) | .$2" "$TMP/n.json"; }
a=$(file_of op-a json) b=$(file_of op-b json) w=$(file_of op-wide json)
jq -e '.operator.email == "soc@op-a.example" and ([.victims[].address] == ["127.10.0.1"])
       and .victims[0].names == ["c2.evil.test"] and .victims[0].connections == 1' "$a" > /dev/null \
    || { cat "$a"; fail "op-a's notification"; }
jq -e '([.victims[].address] | sort) == ["127.20.0.1", "127.20.0.2", "::1"]' "$b" > /dev/null \
    || { cat "$b"; fail "op-b's notification (longest prefix wins over op-wide)"; }
jq -e '[.victims[].address] | index("127.30.0.1") != null' "$w" > /dev/null || fail "op-wide's notification"
eml=$(file_of op-b eml)
grep -q '^To: cert@op-b.example' "$eml" || fail "the message is not addressed to op-b"
grep -q '^Subject: 3 infected machines' "$eml" || fail "subject"
cr=$(printf '\r')
[ "$(grep -c "$cr\$" "$eml")" = "$(wc -l < "$eml")" ] || fail "the message does not use CRLF line ends"
# the JSON attachment decodes to the JSON file
awk '/^Content-Transfer-Encoding: base64/{f=1; getline; next} /^--/{f=0} f' "$eml" | tr -d '\r' | base64 -d > "$TMP/att.json"
cmp -s "$TMP/att.json" "$b" || fail "the attachment differs from the JSON file"

# a registry that does not cover a victim: an unassigned JSON, no message
printf '{"operators": [{"id": "op-a", "name": "A", "email": "soc@op-a.example", "prefixes": ["127.10.0.0/16"]}]}' > "$TMP/operators.json"
"$SAKIMORI" act --config "$TMP/sk.yaml" notify --since 1h --json > "$TMP/n2.json" || fail "notify 2"
jq -e '.operators == 1 and .unassigned >= 4' "$TMP/n2.json" > /dev/null || fail "unassigned: $(cat "$TMP/n2.json")"
[ -z "$(jq -r '.files[] | select(.operator == "unassigned") | .eml' "$TMP/n2.json")" ] || fail "a message for nobody"

# a broken registry: error with the JSON path, exit 2
printf '{"operators": [{"id": "x", "email": "not-an-address", "prefixes": ["10.0.0.0/8"]}]}' > "$TMP/operators.json"
run_status "$SAKIMORI" act --config "$TMP/sk.yaml" notify > /dev/null 2> "$TMP/err.txt"
expect_status 2 "bad registry"
expect_grep 'operators\[0\]' "$TMP/err.txt"
echo "ok"
