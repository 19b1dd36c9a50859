#!/bin/sh
# `make run` — the whole loop on a synthesized scenario (scripts/run.sh) —
# works and reaches every stage: detections, a refusal with a narrower
# suggestion, signed approvals applying two actions, the takedown report in
# the outbox, a verifying audit log and the transparency report.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3

sh "$SK_SOURCE_DIR/scripts/run.sh" "$SAKIMORI" "$TMP/run" > "$TMP/out" 2>&1 \
    || { tail -40 "$TMP/out"; fail "scripts/run.sh failed"; }
expect_grep "^beacon .* 203.0.113.66:443" "$TMP/out"
expect_grep "^dga " "$TMP/out"
expect_grep "REFUSED narrowest" "$TMP/out"
expect_grep "would pass: name the /24 blocks" "$TMP/out"
db="$TMP/run/sakimori.db"
[ "$(sqlite3 "$db" "SELECT count(*) FROM gov_proposals WHERE state = 'active'")" = 2 ] \
    || fail "two actions should be active"
[ "$(sqlite3 "$db" "SELECT count(*) FROM watchlist WHERE target = 'cdn-update1.example'")" = 1 ] \
    || fail "the monitor action should have put the C2 name on the watchlist"
ls "$TMP/run/outbox/"*203.0.113.66.eml > /dev/null 2>&1 || fail "no takedown report in the outbox"
grep -q "^To: abuse@hosting.example" "$TMP/run/outbox/"*.eml || fail "report not addressed from the contact database"
expect_grep "audit log OK" "$TMP/out"
expect_grep "governance state agrees with the log" "$TMP/out"
expect_grep "first detection to neutralization" "$TMP/out"
echo ok
