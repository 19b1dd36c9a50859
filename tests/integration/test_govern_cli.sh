#!/bin/sh
# The governance workflow end to end through the command line, on findings
# from a real scan: keygen, propose (refused, then narrower), k signed
# approvals, the monitor action on the node's watchlist, revoke, reject,
# the exigent path with its ratification window, offline signing, and the
# audit log checked by sakimori and by independent tools — an RFC 9162
# inclusion check written here in Python and Ed25519 checks by openssl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/govlib.sh"
need_cmd jq
need_cmd sqlite3
need_cmd openssl
need_cmd python3

for cmd in cases propose approve reject revoke actions audit keygen sign verify; do
    "$SAKIMORI" $cmd --help | grep -q "usage: sakimori $cmd" || fail "$cmd --help"
done

gov_setup

# --- keys: private, refused when others can read them, never overwritten ---
[ "$(stat -c %a "$TMP/keys/alice.key")" = 600 ] || fail "a secret key must be mode 0600"
run_status "$SAKIMORI" keygen --name alice --out "$TMP/keys/alice.key" 2>/dev/null
expect_status 2 "keygen must not replace a key"
cp "$TMP/keys/bob.key" "$TMP/bob-open.key"; chmod 644 "$TMP/bob-open.key"
run_status sk approve 1 --key "$TMP/bob-open.key" 2> "$TMP/err"
expect_status 2 "a world-readable key is refused"
expect_grep "chmod 600" "$TMP/err"

# --- propose: the safeguards refuse, and say what would pass ---
run_status sk propose --target 203.0.0.0/16 --action block --ttl 2d \
    --legal-basis "Cyber Defence Act s.12(3)" --evidence "finding:$F_IP" > "$TMP/out"
expect_status 1 "a /16 block must be refused"
expect_grep "REFUSED narrowest" "$TMP/out"
expect_grep "would pass: name the /24 blocks" "$TMP/out"
[ "$(sqlite3 "$TMP/s.db" "SELECT state FROM gov_proposals WHERE id = 1")" = draft ] \
    || fail "a refused proposal stays a draft"

# the narrow one passes; monitor is the action the foundation provides
sk propose --json --target 203.0.113.66 --action monitor --ttl 2d \
    --legal-basis "Cyber Defence Act s.12(3)" --evidence "finding:$F_IP" > "$TMP/p2.json"
P=$(jq -r .id "$TMP/p2.json")
[ "$(jq -r .state "$TMP/p2.json")" = pending ] || fail "the proposal should be pending"
[ "$(jq -r .approvals_needed "$TMP/p2.json")" = 2 ] || fail "a domestic target needs 2 approvals"
[ "$(jq -r .safeguards.passed "$TMP/p2.json")" = true ] || fail "safeguards should pass"
# an approver may not propose
run_status env SAKIMORI_USER=alice "$SAKIMORI" propose --config "$TMP/sakimori.yaml" \
    --target 203.0.113.66 --action monitor --ttl 1d --legal-basis x --evidence "finding:$F_IP" 2>/dev/null
expect_status 1 "an approver cannot propose"

# --- approvals ---
sk approve "$P" --key "$TMP/keys/alice.key" --note "proportionate" > /dev/null
run_status sk approve "$P" --key "$TMP/keys/alice.key" 2> "$TMP/err"
expect_status 1 "a second approval by the same approver is refused"
expect_grep "already gave a verdict" "$TMP/err"
[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM watchlist")" = 0 ] || fail "applied before k approvals"
# offline: bob signs the digest on another machine, the server takes the signature
DIGEST=$(sk actions show --json "$P" | jq -r .digest)
SIG=$("$SAKIMORI" sign --key "$TMP/keys/bob.key" --approval --digest "$DIGEST" --verdict approve --note "ok")
# the signature is bound to its note: submitted with another, it is refused
run_status sk approve "$P" --approver bob --signature "$SIG" --note "different" 2>/dev/null
expect_status 1 "a signature over another note is refused"
sk approve "$P" --approver bob --signature "$SIG" --note "ok" --json > "$TMP/a.json"
[ "$(jq -r .state "$TMP/a.json")" = active ] || fail "k approvals should apply the action"
[ "$(sqlite3 "$TMP/s.db" "SELECT action_id FROM watchlist WHERE target = '203.0.113.66'")" = "$P" ] \
    || fail "the monitor action should be on the watchlist"
jq -e '[.runs[] | select(.outcome == "ok")] | length == 2' "$TMP/a.json" > /dev/null \
    || fail "apply and verify should both be recorded ok"

# replay: bob's signature for P on another proposal
sk propose --json --target cdn-update1.example --action monitor --ttl 1d \
    --legal-basis "s.12(3)" --evidence "finding:$F_NAME" > "$TMP/p3.json"
Q=$(jq -r .id "$TMP/p3.json")
[ "$(jq -r .approvals_needed "$TMP/p3.json")" = 3 ] || fail "a name seen only abroad needs 3 approvals"
run_status sk approve "$Q" --approver bob --signature "$SIG" --note ok 2> "$TMP/err"
expect_status 1 "a replayed signature is refused"
expect_grep "does not verify" "$TMP/err"
# any approver rejects
sk reject "$Q" --key "$TMP/keys/carol.key" --reason "evidence is a DNS lookup only" > /dev/null
[ "$(sqlite3 "$TMP/s.db" "SELECT state FROM gov_proposals WHERE id = $Q")" = rejected ] || fail "reject"
run_status sk approve "$Q" --key "$TMP/keys/alice.key" 2>/dev/null
expect_status 1 "a rejected proposal takes no approvals"

# --- revoke ---
run_status sk revoke "$Q" --reason x 2>/dev/null
expect_status 1 "only an active action can be revoked"
sk revoke "$P" --reason "host cleaned" --false-positive > /dev/null
[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM watchlist")" = 0 ] || fail "revoke must revert"
[ "$(sqlite3 "$TMP/s.db" "SELECT state FROM gov_proposals WHERE id = $P")" = reverted ] || fail "reverted"

# --- cases: an open proposal keeps its case open ---
run_status sk cases close 1 2> "$TMP/err"    # case 1 holds the refused draft
expect_status 1 "a case with an open proposal cannot close"
expect_grep "still has proposal #1 draft" "$TMP/err"
CASE_P=$(sqlite3 "$TMP/s.db" "SELECT case_id FROM gov_proposals WHERE id = $P")
sk cases show "$CASE_P" --json | jq -e ".proposals | index($P) != null" > /dev/null || fail "case show"

# --- the exigent path: provisional, then not ratified in time ---
sk propose --json --target 203.0.113.66 --action monitor --ttl 3d \
    --legal-basis "s.14 (exigent)" --evidence "finding:$F_IP" > "$TMP/p4.json"
X=$(jq -r .id "$TMP/p4.json")
run_status sk approve "$X" --key "$TMP/keys/carol.key" --exigent 2>/dev/null
expect_status 2 "exigent needs a justification"
sk approve "$X" --key "$TMP/keys/carol.key" --exigent --justification "exfiltration in progress" > /dev/null
[ "$(sqlite3 "$TMP/s.db" "SELECT state FROM gov_proposals WHERE id = $X")" = provisional ] || fail "provisional"
[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM watchlist")" = 1 ] || fail "exigent applies at once"
sk actions tick --json --at "$(date -u -d '+30 min' +%Y-%m-%dT%H:%M:%SZ)" > "$TMP/t1.json"
[ "$(jq .not_ratified "$TMP/t1.json")" = 0 ] || fail "inside the window nothing lapses"
sk actions tick --json --at "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)" > "$TMP/t2.json"
[ "$(jq .not_ratified "$TMP/t2.json")" = 1 ] || fail "the window passed: revert"
[ "$(sqlite3 "$TMP/s.db" "SELECT state FROM gov_proposals WHERE id = $X")" = reverted ] || fail "lapsed"
[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM watchlist")" = 0 ] || fail "lapse must revert"

# --- the audit log, as sakimori sees it ---
sk audit verify --json > "$TMP/v.json"
jq -e '.ok == true and .entries > 20 and .tree_heads > 10' "$TMP/v.json" > /dev/null \
    || { cat "$TMP/v.json"; fail "the audit log should verify"; }
N=$(jq .entries "$TMP/v.json")
sk audit log --json > "$TMP/log.jsonl"
for kind in proposal.refused proposal.submit approval.approve approval.refused proposal.approve \
            proposal.apply action.apply action.verify proposal.reject proposal.revoke \
            action.revert proposal.exigent proposal.lapse data.read; do
    grep -q "\"kind\":\"$kind\"" "$TMP/log.jsonl" || fail "no $kind entry in the audit log"
done

# --- an inclusion proof, checked by sakimori and by an independent verifier ---
E=$(grep -n '"kind":"proposal.apply"' "$TMP/log.jsonl" | head -1 | cut -d: -f1)
sk audit prove "$E" > "$TMP/proof.json"
sk audit check-proof "$TMP/proof.json" | grep -q ": valid:" || fail "check-proof"
python3 - "$TMP/proof.json" <<'PY' || fail "the independent RFC 9162 check rejects the proof"
import hashlib, json, sys
p = json.load(open(sys.argv[1]))
H = lambda b: hashlib.sha256(b).digest()
leaf = H(b"\x00" + p["entry_text"].encode())
assert leaf.hex() == p["leaf_hash"], "leaf hash"
fn, sn, r = p["leaf_index"], p["tree_size"] - 1, leaf
for h in p["path"]:
    h = bytes.fromhex(h)
    assert sn != 0
    if fn & 1 or fn == sn:
        r = H(b"\x01" + h + r)
        while not fn & 1 and fn != 0:
            fn >>= 1; sn >>= 1
    else:
        r = H(b"\x01" + r + h)
    fn >>= 1; sn >>= 1
assert sn == 0 and r.hex() == p["sth"]["root_hash"], "root"
# the signed bytes are exactly the documented layout
import base64, struct
d = base64.b64decode(p["sth"]["signed_data"])
assert d == b"sakimori-sth-v1\x00" + bytes.fromhex(p["sth"]["log_id"]) + \
    struct.pack(">QQ", p["sth"]["tree_size"], p["sth"]["timestamp_ns"]) + r
PY
# the tree head's signature, checked by openssl
jq -r .sth.signed_data "$TMP/proof.json" | base64 -d > "$TMP/sth.bin"
jq -r .sth.signature "$TMP/proof.json" | base64 -d > "$TMP/sth.sig"
jq -r .sth.public_key "$TMP/proof.json" | sed 's/^ed25519://' | base64 -d > "$TMP/pub.raw"
{ printf '\060\052\060\005\006\003\053\145\160\003\041\000'; cat "$TMP/pub.raw"; } > "$TMP/pub.der"
openssl pkeyutl -verify -pubin -inkey "$TMP/pub.der" -keyform DER -rawin -in "$TMP/sth.bin" \
    -sigfile "$TMP/sth.sig" > /dev/null || fail "openssl rejects the tree head's signature"
# a doctored proof is refused
jq '.entry_text |= sub("proposal.apply"; "proposal.apply ")' "$TMP/proof.json" > "$TMP/bad.json"
run_status sk audit check-proof "$TMP/bad.json" > /dev/null
expect_status 1 "a doctored proof must not check"

# --- export, anchor, consistency ---
sk audit export --out "$TMP/heads.jsonl"
FIRST=$(head -1 "$TMP/heads.jsonl" | jq .tree_size)
LAST=$(tail -1 "$TMP/heads.jsonl" | jq .tree_size)
sk audit consistency "$FIRST" "$LAST" > "$TMP/cons.json"
sk audit check-proof "$TMP/cons.json" | grep -q "extends" || fail "consistency proof"
sk audit verify --anchor "$TMP/heads.jsonl" > /dev/null || fail "the log extends its exported heads"
# every exported head is signed by the audit key (openssl again)
tail -1 "$TMP/heads.jsonl" | jq -r .signed_data | base64 -d > "$TMP/h.bin"
tail -1 "$TMP/heads.jsonl" | jq -r .signature | base64 -d > "$TMP/h.sig"
openssl pkeyutl -verify -pubin -inkey "$TMP/pub.der" -keyform DER -rawin -in "$TMP/h.bin" \
    -sigfile "$TMP/h.sig" > /dev/null || fail "openssl rejects an exported head"

# --- the transparency report ---
sk audit report --json --from 2000-01-01 > "$TMP/r.json"
jq -e '.proposals.submitted == 3 and .proposals.refused_by_safeguards == 1
       and .decisions.approved == 1 and .decisions.rejected == 1 and .decisions.exigent_uses == 1
       and .decisions.not_ratified == 1 and .actions_by_type.monitor == 2
       and .reverts.revoked == 1 and .false_positive_reverts == 1
       and .verdicts.refused >= 3 and .detection_to_neutralization.count == 2
       and .detection_to_neutralization.median_s > 0' "$TMP/r.json" > /dev/null \
    || { cat "$TMP/r.json"; fail "transparency report figures"; }
sk audit report | grep -q "first detection to neutralization *median" || fail "report text"

# --- signed files: sakimori sign/verify, and openssl on the same bytes ---
echo "advisory: block 203.0.113.66" > "$TMP/adv.txt"
"$SAKIMORI" sign --key "$TMP/keys/alice.key" --out "$TMP/adv.sig" "$TMP/adv.txt"
ALICE=$(grep '^alice ' "$TMP/approvers")
"$SAKIMORI" verify --pubkey "$ALICE" --sig "$TMP/adv.sig" "$TMP/adv.txt" > /dev/null || fail "verify"
{ printf 'sakimori-file-signature-v1\000'; openssl dgst -sha256 -binary "$TMP/adv.txt"; } > "$TMP/adv.msg"
echo "${ALICE#alice ed25519:}" | base64 -d > "$TMP/alice.raw"
{ printf '\060\052\060\005\006\003\053\145\160\003\041\000'; cat "$TMP/alice.raw"; } > "$TMP/alice.der"
base64 -d "$TMP/adv.sig" > "$TMP/adv.sigbin"
openssl pkeyutl -verify -pubin -inkey "$TMP/alice.der" -keyform DER -rawin -in "$TMP/adv.msg" \
    -sigfile "$TMP/adv.sigbin" > /dev/null || fail "openssl rejects a file signature"
echo "advisory: block 203.0.113.67" > "$TMP/adv.txt"
run_status "$SAKIMORI" verify --pubkey "$ALICE" --sig "$TMP/adv.sig" "$TMP/adv.txt" > /dev/null
expect_status 1 "a changed file must not verify"

# the target's case holds the exigent proposal until the end; now it can close
sk cases close "$CASE_P" --json | jq -e '.status == "closed"' > /dev/null || fail "close a case"
run_status sk cases close "$CASE_P" 2>/dev/null
expect_status 1 "a closed case cannot close again"
sk audit verify > /dev/null || fail "the log must still verify at the end"
echo "ok: $N audit entries"
