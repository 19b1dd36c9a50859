#!/bin/sh
# Real C2 captures (Stratosphere): the beacon analyzer must rank the known
# C2 pair first among the beacons of each capture, with default settings
# (the captures come from outside the RFC 1918 ranges: the initiator is the
# subject), and the evidence must carry the interval statistics.
. "$(dirname "$0")/lib.sh"
need_shared pcap/test-cc-capture-1.pcap
need_shared pcap/test-cc-capture-2.pcap
need_cmd jq

check() {
    name=$1 pcap="$SK_SHARED_DATA/pcap/$1"
    want_src=$2 want_dst=$3
    run_status "$SAKIMORI" scan --json --no-store "$pcap" > "$TMP/$1.json" 2> "$TMP/$1.err"
    expect_status 1 "$1: the beacon is a finding"
    if grep -qiE 'error|warn' "$TMP/$1.err"; then cat "$TMP/$1.err"; fail "$1: errors on stderr"; fi
    # the output is ranked: the first beacon line is the top-ranked one
    top=$(jq -r 'select(.type == "detection" and .analyzer == "beacon" and .dst_ip != null)
                 | "\(.src_ip) \(.dst_ip) \(.dst_port) \(.score)"' "$TMP/$1.json" | head -1)
    set -- $top
    [ "$1 $2 $3" = "$want_src $want_dst 443" ] || fail "top beacon is '$top', expected $want_src → $want_dst:443"
    score=$4
    awk -v s="$score" 'BEGIN { exit !(s >= 0.7) }' || fail "C2 beacon scored only $score"
    jq -e -s '[.[] | select(.analyzer == "beacon")][0].evidence
              | has("interval") and has("size_out") and has("histogram") and has("duration")
                and (.interval.median_s > 1) and (.connections >= 4)' "$TMP/$name.json" >/dev/null \
        || fail "beacon evidence lacks interval statistics"
    echo "$name: top beacon $want_src → $want_dst (score $score)"
}

check test-cc-capture-1.pcap 147.32.80.37 141.193.213.21
check test-cc-capture-2.pcap 147.32.80.37 141.193.213.20
echo "ok"
