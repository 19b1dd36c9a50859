#!/bin/sh
# `sakimori intel check` against MISP warninglists: the real lists from
# ../shared/data, a list of our own, JSON output, exit statuses, and a bad
# list named with its JSON path.
. "$(dirname "$0")/lib.sh"
need_shared warninglists/amazon-aws/list.json
W="$SK_SHARED_DATA/warninglists"

run_status "$SAKIMORI" intel check -w "$W" 52.95.110.1 > "$TMP/out"
expect_status 1 "an AWS address is on a list"
expect_grep "^52.95.110.1: amazon-aws (cidr, entry 52.95.64.0/18)" "$TMP/out"

run_status "$SAKIMORI" intel check --json -w "$W" 8.8.8.8 mail.google.com > "$TMP/out"
expect_status 1 "public resolver and a top site"
[ "$(jq -r 'select(.value == "8.8.8.8") | .warninglists[].id' "$TMP/out" | grep -c '^public-dns-v4$')" = 1 ] \
    || fail "8.8.8.8 not in public-dns-v4"
[ "$(jq -r 'select(.value == "mail.google.com") | .warninglists[] | select(.id == "tranco10k") | .entry' "$TMP/out")" = google.com ] \
    || fail "mail.google.com not in tranco10k by google.com"

run_status "$SAKIMORI" intel check -w "$W" c2.invalid-example-domain-4u7.test > "$TMP/out"
expect_status 0 "an unknown name is on no list"
expect_grep "on no warninglist" "$TMP/out"

# configured lists (intel.warninglists) are used when no -w is given
printf 'intel:\n  warninglists: ["%s/rfc1918"]\n' "$W" > "$TMP/c.yaml"
run_status "$SAKIMORI" intel check --config "$TMP/c.yaml" 10.20.30.40 > "$TMP/out"
expect_status 1 "configured rfc1918"
expect_grep "rfc1918 (cidr, entry 10.0.0.0/8)" "$TMP/out"

# a list of our own with a bad entry: file and JSON path, exit 2
mkdir -p "$TMP/own/mine"
printf '{"name":"mine","description":"d","version":1,"type":"cidr","list":["192.0.2.0/24","192.0.2.300"]}\n' \
    > "$TMP/own/mine/list.json"
run_status "$SAKIMORI" intel check -w "$TMP/own" 192.0.2.1 2> "$TMP/err"
expect_status 2 "bad entry"
expect_grep "own/mine/list.json: \$.list\[1\]: '192.0.2.300': expected an IP address or CIDR prefix" "$TMP/err"

run_status "$SAKIMORI" intel check 2> "$TMP/err"
expect_status 2 "no value"
run_status "$SAKIMORI" intel nosuch 2> "$TMP/err"
expect_status 2 "unknown subcommand"
"$SAKIMORI" intel --help | grep -q check || fail "intel --help lists no check"
"$SAKIMORI" intel check --help | grep -q warninglists || fail "intel check --help"
echo ok
