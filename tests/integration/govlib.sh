# govlib.sh — shared by the governance and audit integration tests
# (sourced after lib.sh). Makes three approvers' keys, a configuration that
# lists their public keys, and a store with real findings from a scan of a
# synthesized scenario whose C2 is 203.0.113.66 / cdn-update1.example.

# gov_setup: keys in $TMP/keys, config $TMP/sakimori.yaml, store $TMP/s.db
gov_setup() {
    mkdir -p "$TMP/keys"
    : > "$TMP/approvers"
    for who in alice bob carol; do
        "$SAKIMORI" keygen --name "$who" --out "$TMP/keys/$who.key" >> "$TMP/approvers" 2>/dev/null
    done
    cat > "$TMP/sakimori.yaml" <<EOF
store:
  path: $TMP/s.db
audit:
  key: $TMP/audit.key
privacy:
  domestic: [203.0.113.0/24]
govern:
  approvals: 2
  foreign_extra_approvals: 1
  evidence_confidence: 50
  exigent_window: 1h
  approvers:
$(sed 's/.*/    - "&"/' "$TMP/approvers")
EOF
    "$SAKIMORI" synth --out "$TMP/scn" --seed 7 --hosts 6 --duration 1800 --beacons 1 --period 60 >/dev/null 2>&1
    run_status "$SAKIMORI" scan --quiet --config "$TMP/sakimori.yaml" --intel "$TMP/scn/intel.txt" \
        "$TMP/scn/scenario.pcap" > /dev/null
    [ "$status" -eq 1 ] || fail "the scan found nothing to build evidence on"
    # a finding about the C2's address, and one about its name
    F_IP=$(sqlite3 "$TMP/s.db" "SELECT id FROM findings WHERE dst_ip = '203.0.113.66' AND proto = 6 LIMIT 1")
    F_NAME=$(sqlite3 "$TMP/s.db" "SELECT id FROM findings WHERE name = 'cdn-update1.example' LIMIT 1")
    [ -n "$F_IP" ] && [ -n "$F_NAME" ] || fail "no findings about the synthesized C2"
    export SAKIMORI_USER=dave
}

# sk COMMAND ARGS...: the binary with the test's configuration
sk() {
    _cmd=$1
    shift
    "$SAKIMORI" "$_cmd" --config "$TMP/sakimori.yaml" "$@"
}
