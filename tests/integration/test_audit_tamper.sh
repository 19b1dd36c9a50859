#!/bin/sh
# Tampering with the audit log and the governance tables directly in SQLite,
# the way an insider with the database file would: every edit, deletion,
# insertion and reordering must make `sakimori audit verify` fail (exit 1)
# and name the first entry that is wrong.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/govlib.sh"
need_cmd jq
need_cmd sqlite3

gov_setup
# a real history: proposals, approvals, an action applied and revoked, a rejection
for target in 203.0.113.66 cdn-update1.example; do
    ev="finding:$F_IP"; [ "$target" = cdn-update1.example ] && ev="finding:$F_NAME"
    sk propose --json --target "$target" --action monitor --ttl 1d --legal-basis "s.12" \
        --evidence "$ev" > "$TMP/p.json"
    id=$(jq -r .id "$TMP/p.json")
    sk approve "$id" --key "$TMP/keys/alice.key" > /dev/null
    sk approve "$id" --key "$TMP/keys/bob.key" > /dev/null
done
sk revoke 1 --reason done > /dev/null
sk reject 2 --key "$TMP/keys/carol.key" --reason "thin" > /dev/null
sk audit verify > /dev/null || fail "the untouched log must verify"
sqlite3 "$TMP/s.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
N=$(sqlite3 "$TMP/s.db" "SELECT max(seq) FROM audit_log")
[ "$N" -ge 15 ] || fail "expected a longer history, got $N entries"

# tamper NAME EXPECTED_FIRST_BAD SQL: on a fresh copy of the store
tamper() {
    name=$1 want=$2 sql=$3
    cp "$TMP/s.db" "$TMP/t.db"
    rm -f "$TMP/t.db-wal" "$TMP/t.db-shm"
    sqlite3 "$TMP/t.db" "$sql"
    run_status "$SAKIMORI" audit verify --config "$TMP/sakimori.yaml" --db "$TMP/t.db" > "$TMP/out" 2>&1
    [ "$status" -eq 1 ] || { cat "$TMP/out"; fail "$name: verify should fail (status $status)"; }
    if [ "$want" != state ]; then
        grep -q "^first bad entry: $want\b" "$TMP/out" || { cat "$TMP/out"; fail "$name: should name entry $want"; }
    fi
    echo "$name: $(head -1 "$TMP/out")"
}

tamper "edit an entry"        5  "UPDATE audit_log SET entry = CAST(substr(CAST(entry AS TEXT), 1, length(entry) - 1) || ' }' AS BLOB) WHERE seq = 5"
tamper "edit its time column" 6  "UPDATE audit_log SET ts_ns = ts_ns - 86400000000000 WHERE seq = 6"
tamper "delete an entry"      7  "DELETE FROM audit_log WHERE seq = 7"
tamper "delete and renumber"  7  "DELETE FROM audit_log WHERE seq = 7; UPDATE audit_log SET seq = seq + 100000 WHERE seq > 7; UPDATE audit_log SET seq = seq - 100001 WHERE seq > 100000"
tamper "reorder two entries"  9  "UPDATE audit_log SET seq = -1 WHERE seq = 9; UPDATE audit_log SET seq = 9 WHERE seq = 10; UPDATE audit_log SET seq = 10 WHERE seq = -1"
tamper "insert a copy"        4  "UPDATE audit_log SET seq = seq + 100000 WHERE seq >= 4; UPDATE audit_log SET seq = seq - 99999 WHERE seq > 100000; INSERT INTO audit_log SELECT 4, ts_ns, kind, subject, entry, leaf FROM audit_log WHERE seq = 2"
tamper "append a forged one" $((N + 1)) "INSERT INTO audit_log SELECT $((N + 1)), ts_ns, kind, subject, CAST(replace(CAST(entry AS TEXT), '{\"seq\":$N,', '{\"seq\":$((N + 1)),') AS BLOB), leaf FROM audit_log WHERE seq = $N"
tamper "truncate the tail"    $((N - 1)) "DELETE FROM audit_log WHERE seq >= $((N - 1))"
tamper "forge a tree head"    1  "UPDATE audit_sth SET root = zeroblob(32) WHERE tree_size = (SELECT min(tree_size) FROM audit_sth)"
# the tables must agree with the log: a rejected proposal made active behind its back
tamper "flip a state"         state "UPDATE gov_proposals SET state = 'active' WHERE id = 2"
grep -q "DISAGREE.*#2 is 'active' in the store but the audit log says 'rejected'" "$TMP/out" \
    || { cat "$TMP/out"; fail "the flipped state is not named"; }
tamper "forge an approval"    state "INSERT INTO gov_approvals (proposal_id, approver, verdict, key_id, digest, signature, signed_ns) SELECT 2, 'carol2', 'approve', key_id, digest, signature, signed_ns FROM gov_approvals WHERE proposal_id = 2 LIMIT 1"
grep -q "verdicts in the store" "$TMP/out" || { cat "$TMP/out"; fail "the forged approval is not named"; }

# the JSON form names the same entry
cp "$TMP/s.db" "$TMP/t.db"; rm -f "$TMP/t.db-wal" "$TMP/t.db-shm"
sqlite3 "$TMP/t.db" "DELETE FROM audit_log WHERE seq = 3"
run_status "$SAKIMORI" audit verify --json --config "$TMP/sakimori.yaml" --db "$TMP/t.db" > "$TMP/v.json"
expect_status 1 "json verify"
jq -e '.ok == false and .first_bad == 3' "$TMP/v.json" > /dev/null || { cat "$TMP/v.json"; fail "json"; }
echo "ok"
