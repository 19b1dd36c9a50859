#!/bin/sh
# sakimori collect, live: the UDP collector against nfdump's collector on
# the same export stream, following an EVE file across rotation, and
# stopping on a signal.
#
# Export stream: softflowd (an independent exporter) turns a real capture
# (-a: with the capture's own times)
# into NetFlow v5, v9 and IPFIX and sends it to nfcapd, which repeats every
# datagram to our collector (-R): both decode exactly the same datagrams,
# and every flow nfdump reads back must be one of ours, field for field.
# All traffic stays on 127.0.0.1; ports are picked at run time.
. "$(dirname "$0")/lib.sh"
need_cmd jq
need_cmd softflowd
need_cmd nfcapd
need_cmd nfdump
need_shared pcap/test-cc-capture-2.pcap
pcap="$SK_SHARED_DATA/pcap/test-cc-capture-2.pcap"

pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

"$SAKIMORI" collect --help | grep -q "usage: sakimori collect" || fail "collect --help"
run_status "$SAKIMORI" collect
expect_status 2 "no input is a usage error"
run_status "$SAKIMORI" collect --listen 127.0.0.1:99999 2> "$TMP/badport.err"
expect_status 2 "a bad port is an error"
expect_grep "udp://HOST:PORT" "$TMP/badport.err"

# starts our collector on a free port; sets $port and $collector
start_collector() { # name, extra args…
    name=$1
    shift
    rm -f "$TMP/$name.port"
    "$SAKIMORI" collect --listen 127.0.0.1:0 --port-file "$TMP/$name.port" --json --stats "$@" \
        > "$TMP/$name.json" 2> "$TMP/$name.stats" &
    collector=$!
    pids="$pids $collector"
    i=0
    while [ ! -s "$TMP/$name.port" ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || fail "$name: collector did not start"
        sleep 0.05
    done
    port=$(cat "$TMP/$name.port")
}

# nfcapd on a free port (it takes no port 0): try random ones
start_nfcapd() { # dir, repeat-to port
    for try in 1 2 3 4 5 6 7 8 9 10; do
        nport=$(( (($$ * 7919 + try * 104729) % 40000) + 20000 ))
        mkdir -p "$1"
        nfcapd -b 127.0.0.1 -p "$nport" -w "$1" -R "127.0.0.1/$2" -P "$1/nfcapd.pid" -t 3600 \
            > "$1/nfcapd.log" 2>&1 &
        nfpid=$!
        sleep 0.4
        if kill -0 "$nfpid" 2>/dev/null; then
            pids="$pids $nfpid"
            return 0
        fi
    done
    fail "nfcapd did not start"
}

cat > "$TMP/ours.jq" <<'JQ'
def ms: capture("^(?<s>[0-9-]+T[0-9:]+)(\\.(?<f>[0-9]+))?Z$")
    | ((.s + "Z" | fromdateiso8601) * 1000 + ((("0." + (.f // "0")) | tonumber) * 1000 | floor));
select(.kind == "flow")
| [.src_ip, .dst_ip, .src_port, .dst_port,
   ({"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58}[.proto] // .proto),
   .flow.pkts_out, .flow.bytes_out, .flow.tcp_flags_out, (.ts | ms), (.ts_end | ms)]
| map(tostring) | join(" ")
JQ
cat > "$TMP/nfdump.jq" <<'JQ'
def flags: split("") | reverse | to_entries
    | map(if .value == "." then 0 else pow(2; .key) end) | add;
def ms: capture("^(?<s>[0-9-]+T[0-9:]+)(\\.(?<f>[0-9]+))?$")
    | ((.s + "Z" | fromdateiso8601) * 1000 + ((("0." + (.f // "0")) | tonumber) * 1000 | round));
.[] | select(.type == "FLOW")
| [(.src4_addr // .src6_addr), (.dst4_addr // .dst6_addr), .src_port, .dst_port, .proto,
   .in_packets, .in_bytes, (if .proto == 6 then (.tcp_flags | flags) else 0 end),
   # nfdump 1.7.1 swaps IPFIX flowStartSysUpTime and flowEndSysUpTime (its
   # "first" comes after its "last"; tshark and sakimori agree on the order)
   (if $ipfix then (.last | ms) else (.first | ms) end),
   (if $ipfix then (.first | ms) else (.last | ms) end)]
| map(tostring) | join(" ")
JQ

for v in 5 9 10; do
    start_collector "v$v" --idle 2s --for 60s
    start_nfcapd "$TMP/nfcapd-v$v" "$port"
    # softflowd 1.1.0 hangs when its control socket path has 13 characters
    # or more: keep it short and relative
    (cd "$TMP" && softflowd -d -a -r "$pcap" -n "127.0.0.1:$nport" -v "$v" -c sc -p sp \
        > "softflowd-v$v.log" 2>&1) || fail "softflowd -v $v failed"
    wait "$collector" || fail "v$v: collector failed: $(cat "$TMP/v$v.stats")"
    kill "$nfpid"
    wait "$nfpid" 2>/dev/null || true
    TZ=UTC nfdump -N -R "$TMP/nfcapd-v$v" -o json > "$TMP/v$v.nfdump.json" 2>/dev/null \
        || fail "v$v: nfdump could not read nfcapd's files"
    jq -r --argjson ipfix "$([ "$v" = 10 ] && echo true || echo false)" -f "$TMP/nfdump.jq" \
        "$TMP/v$v.nfdump.json" | sort > "$TMP/v$v.want"
    jq -r -f "$TMP/ours.jq" "$TMP/v$v.json" | sort > "$TMP/v$v.got"
    [ -s "$TMP/v$v.want" ] || fail "v$v: nfdump read no flows"
    grep -q '"malformed":0,"skipped":0,"dropped":0' "$TMP/v$v.stats" \
        || { cat "$TMP/v$v.stats"; fail "v$v: datagrams malformed, skipped or dropped"; }
    diff -u "$TMP/v$v.want" "$TMP/v$v.got" || fail "v$v: flows differ from nfdump's"
    echo "netflow v$v: $(wc -l < "$TMP/v$v.got") flows from softflowd agree with nfdump"
done

# the collector stops on SIGTERM and still reports
start_collector sigterm
sleep 0.2
kill -TERM "$collector"
wait "$collector" || fail "collector exit status after SIGTERM"
expect_grep '"format":"netflow-udp"' "$TMP/sigterm.stats"

# --- following an EVE file across rotation --------------------------------
line() { # n
    printf '{"timestamp":"2024-03-01T10:00:%02d.000000+0000","event_type":"flow","src_ip":"192.0.2.1","src_port":%d,"dest_ip":"198.51.100.1","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":1,"bytes_toserver":60}}\n' $(($1 % 60)) "$1"
}
eve="$TMP/eve.json"
: > "$eve"
"$SAKIMORI" collect --follow --idle 2s --json --stats "$eve" > "$TMP/follow.json" 2> "$TMP/follow.stats" &
follower=$!
pids="$pids $follower"
for n in 1 2 3 4 5; do line $n >> "$eve"; done
sleep 0.5
line 6 >> "$eve"
mv "$eve" "$eve.1"            # rotation: renamed away …
line 7 >> "$eve.1"            # … still written to for a moment …
for n in 8 9; do line $n >> "$eve"; done   # … and a new file under the name
sleep 0.5
line 10 | head -c 60 >> "$eve"             # a line written in two pieces
sleep 0.3
line 10 | tail -c +61 >> "$eve"
i=0
while [ "$(wc -l < "$TMP/follow.json")" -lt 10 ]; do   # read before it is truncated
    i=$((i + 1))
    [ $i -lt 100 ] || fail "follow: lines 1-10 not read: $(cat "$TMP/follow.json")"
    sleep 0.05
done
: > "$eve"                    # truncated in place (copytruncate)
line 11 >> "$eve"
wait "$follower" || fail "follow: collect failed"
got=$(jq -r '.src_port' "$TMP/follow.json" | sort -n | tr '\n' ' ')
[ "$got" = "1 2 3 4 5 6 7 8 9 10 11 " ] || fail "follow: got ports '$got', expected 1..11 once each"
grep -q '"malformed":0' "$TMP/follow.stats" || fail "follow: a line was torn"
echo "follow: 11 lines across rotation, a split line and a truncation"
echo "ok"
