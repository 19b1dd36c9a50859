#!/bin/sh
# Bad input gets one clear error naming the file and position, exit status 2,
# and leaves nothing in the store.
. "$(dirname "$0")/lib.sh"

"$SAKIMORI" synth --out "$TMP/scn" --seed 3 --hosts 3 --duration 300 >/dev/null
pcap="$TMP/scn/scenario.pcap"
db="$TMP/s.db"

# a pcap cut in the middle of a packet record
size=$(wc -c < "$pcap")
head -c $((size - 7)) "$pcap" > "$TMP/cut.pcap"
run_status "$SAKIMORI" scan --db "$db" --intel "$TMP/scn/intel.txt" "$TMP/cut.pcap" 2> "$TMP/err"
expect_status 2 "truncated pcap"
expect_grep "cut.pcap: byte [0-9][0-9]*: packet record [0-9][0-9]*: truncated" "$TMP/err"
[ ! -e "$db" ] || [ "$(sqlite3 "$db" 'SELECT count(*) FROM findings')" -eq 0 ] \
    || fail "a failed scan left findings in the store"

# a second input that is broken: the first one's findings must not land either
run_status "$SAKIMORI" scan --db "$db" --intel "$TMP/scn/intel.txt" "$pcap" "$TMP/cut.pcap" 2> "$TMP/err"
expect_status 2 "good then truncated"
[ ! -e "$db" ] || [ "$(sqlite3 "$db" 'SELECT count(*) FROM findings')" -eq 0 ] \
    || fail "findings of the good input landed although the scan failed"

# not a capture at all
printf 'hello, this is not a capture\n' > "$TMP/text.pcap"
run_status "$SAKIMORI" scan --db "$db" "$TMP/text.pcap" 2> "$TMP/err"
expect_status 2 "text file"
expect_grep "text.pcap: byte 0: unrecognised input format" "$TMP/err"

# a corrupt pcap header (bad snaplen/linktype still a pcap magic)
printf '\324\303\262\241\002\000\004\000' > "$TMP/hdr.pcap"
run_status "$SAKIMORI" scan --db "$db" "$TMP/hdr.pcap" 2> "$TMP/err"
expect_status 2 "short header"
expect_grep "hdr.pcap: byte 0: not a readable pcap" "$TMP/err"

# a missing file
run_status "$SAKIMORI" scan --db "$db" "$TMP/missing.pcap" 2> "$TMP/err"
expect_status 2 "missing file"
expect_grep "missing.pcap: No such file" "$TMP/err"

# an indicator list with a bad line
printf '203.0.113.66\n# ok\n10.0.0.1/8\n' > "$TMP/bad.txt"
run_status "$SAKIMORI" scan --db "$db" --intel "$TMP/bad.txt" "$pcap" 2> "$TMP/err"
expect_status 2 "bad list"
expect_grep "bad.txt:3: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)" "$TMP/err"

# a configuration with a typo
printf 'flow:\n  idle_timeout: 30s\n  max_flow: 10\n' > "$TMP/typo.yaml"
run_status "$SAKIMORI" scan --config "$TMP/typo.yaml" --db "$db" "$pcap" 2> "$TMP/err"
expect_status 2 "config typo"
expect_grep "typo.yaml:3:3: unknown key 'max_flow' in 'flow'" "$TMP/err"

# a configuration with a YAML syntax error
printf 'flow:\n  idle_timeout: [30s\n' > "$TMP/syntax.yaml"
run_status "$SAKIMORI" scan --config "$TMP/syntax.yaml" --db "$db" "$pcap" 2> "$TMP/err"
expect_status 2 "config syntax"
expect_grep "syntax.yaml:[0-9]*:[0-9]*: YAML syntax" "$TMP/err"

# usage errors
run_status "$SAKIMORI" scan 2> "$TMP/err"
expect_status 2 "no input"
expect_grep "no input given" "$TMP/err"
run_status "$SAKIMORI" scan --frobnicate "$pcap" 2> "$TMP/err"
expect_status 2 "unknown option"
run_status "$SAKIMORI" nosuchcommand 2> "$TMP/err"
expect_status 2 "unknown command"

[ ! -e "$db" ] || [ "$(sqlite3 "$db" 'SELECT count(*) FROM findings')" -eq 0 ] \
    || fail "the store is not empty after only failed scans"
echo "ok"
