#!/bin/sh
# Passive DNS and stored telemetry written by `sakimori scan`, checked against
# tshark on the same captures: every (name, address) pair of an A/AAAA answer
# in a NOERROR response — plus (query name, address) when the answer came
# through a CNAME chain — with the number of answers that carried it; one
# dns_log row per DNS message; and nothing stored with --no-store or with
# sense.telemetry off.
. "$(dirname "$0")/lib.sh"
need_shared pcap/test-cc-capture-2.pcap
need_cmd tshark
need_cmd sqlite3

for name in test-cc-capture-2 test7-malicious; do
    pcap="$SK_SHARED_DATA/pcap/$name.pcap"
    db="$TMP/$name.db"
    run_status "$SAKIMORI" scan -q --db "$db" "$pcap"
    [ "$status" -le 1 ] || fail "scan of $name failed ($status)"

    sqlite3 "$db" "SELECT name || ' ' || lower(hex(addr)) || ' ' || count FROM pdns" | sort > "$TMP/ours.txt"
    tshark -r "$pcap" -Y '(udp.port == 53 || tcp.port == 53) && dns.flags.response == 1 && dns.flags.rcode == 0' \
           -V 2>/dev/null | awk '
        /^Frame / { sec = "" }
        /^    Queries$/ { sec = "q"; next }
        /^    Answers$/ { sec = "a"; next }
        /^    [A-Z]/ { sec = ""; next }
        sec == "q" && /^        [^ ].*: type / { q = tolower($1); sub(/:$/, "", q); next }
        sec == "a" && /^        [^ ].*: type (A|AAAA), class IN, addr / {
            n = tolower($1); sub(/:$/, "", n); a = $NF
            if ($3 == "A,") { # to the store form: 16 bytes in hex, IPv4-mapped
                split(a, o, ".")
                a = sprintf("00000000000000000000ffff%02x%02x%02x%02x", o[1], o[2], o[3], o[4])
            } else {
                cmd = "python3 -c \"import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).packed.hex())\" " a
                cmd | getline a; close(cmd)
            }
            c[n " " a]++
            if (q != n) c[q " " a]++
        }
        END { for (k in c) print k, c[k] }' | sort > "$TMP/tshark.txt"
    if ! diff -u "$TMP/tshark.txt" "$TMP/ours.txt"; then
        fail "$name: passive DNS differs from tshark's answers"
    fi
    echo "$name: $(wc -l < "$TMP/ours.txt") passive DNS pairs agree with tshark"

    ours=$(sqlite3 "$db" "SELECT count(*) FROM dns_log")
    theirs=$(tshark -r "$pcap" -Y '(udp.port == 53 || tcp.port == 53) && dns' 2>/dev/null | wc -l)
    [ "$ours" -eq "$theirs" ] || fail "$name: $ours DNS messages stored, tshark sees $theirs"
    flows=$(sqlite3 "$db" "SELECT count(*) FROM flow_log")
    [ "$flows" -gt 0 ] || fail "$name: no flows stored"
    [ "$(sqlite3 "$db" "SELECT count(*) FROM flow_log WHERE run_id IS NULL OR ts_ns > end_ns")" -eq 0 ] \
        || fail "$name: a flow row without its run or ending before it started"
done

# the store's data for the CNAME case: the query name reaches the CDN address
sqlite3 "$TMP/test-cc-capture-2.db" "SELECT count(*) FROM pdns WHERE name = 'rdap.apnic.net'" \
    | grep -qv '^0$' || fail "query name behind a CNAME not recorded"

# the pdns command: names on an address (and their number), addresses of a
# name with and without subdomains, the same rows as the table
db="$TMP/test-cc-capture-2.db"
"$SAKIMORI" pdns --db "$db" --json 127.0.0.11 > "$TMP/p1.json" 2> "$TMP/p1.err"
want=$(sqlite3 "$db" "SELECT count(DISTINCT name) FROM pdns WHERE addr = x'00000000000000000000ffff7f00000b'")
[ "$(jq -r .name "$TMP/p1.json" | sort -u | wc -l)" -eq "$want" ] || fail "pdns ADDRESS: wrong names"
"$SAKIMORI" pdns --db "$db" 127.0.0.11/32 > /dev/null 2> "$TMP/p2.err"
expect_grep "pdns: $want distinct names resolved into 127.0.0.11/32" "$TMP/p2.err"
[ "$("$SAKIMORI" pdns --db "$db" --json RDAP.APNIC.net. | jq -r .addr | sort | tr '\n' ' ')" = \
  "104.18.235.68 104.18.236.68 2606:4700::6812:eb44 2606:4700::6812:ec44 " ] || fail "pdns NAME: wrong addresses"
[ "$("$SAKIMORI" pdns --db "$db" --json apnic.net | wc -l)" -eq 0 ] || fail "pdns NAME: only that name"
[ "$("$SAKIMORI" pdns --db "$db" --json -s apnic.net | jq -r .name | sort -u)" = rdap.apnic.net ] \
    || fail "pdns -s NAME: the names under it"
[ "$("$SAKIMORI" pdns --db "$db" --json --since 2030-01-01T00:00:00Z 127.0.0.11 | wc -l)" -eq 0 ] \
    || fail "pdns --since in the future still lists rows"
run_status "$SAKIMORI" pdns --db "$db" 10.0.0.1/8
expect_status 2 "a prefix with host bits"

# --no-store writes nothing; telemetry off stores findings but no telemetry
pcap="$SK_SHARED_DATA/pcap/test-cc-capture-2.pcap"
run_status "$SAKIMORI" scan -q --no-store --db "$TMP/none.db" "$pcap"
[ ! -e "$TMP/none.db" ] || fail "--no-store created the store"
printf 'sense:\n  telemetry: false\n' > "$TMP/off.yaml"
run_status "$SAKIMORI" scan -q -c "$TMP/off.yaml" --db "$TMP/off.db" "$pcap"
[ "$(sqlite3 "$TMP/off.db" "SELECT (SELECT count(*) FROM flow_log) + (SELECT count(*) FROM pdns) + (SELECT count(*) FROM dns_log)")" -eq 0 ] \
    || fail "telemetry stored although sense.telemetry is off"
[ "$(sqlite3 "$TMP/off.db" "SELECT count(*) FROM runs")" -eq 1 ] || fail "run not recorded"

# a failing input rolls back the telemetry of the inputs before it
printf 'not a capture' > "$TMP/bad.pcap"
run_status "$SAKIMORI" scan -q --db "$TMP/rb.db" "$pcap" "$TMP/bad.pcap"
expect_status 2 "bad second input"
[ "$(sqlite3 "$TMP/rb.db" "SELECT (SELECT count(*) FROM flow_log) + (SELECT count(*) FROM runs)")" -eq 0 ] \
    || fail "a failed scan left telemetry in the store"
echo ok
