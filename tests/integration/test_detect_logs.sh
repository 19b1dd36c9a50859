#!/bin/sh
# The behavioural analyzers on sensor logs (Suricata EVE, Zeek): the samples
# of ../shared/data scan without an error and give detections, ranked by
# score, each with its analyzer, score and evidence.
. "$(dirname "$0")/lib.sh"
need_shared eve/test6-malicious.eve.json
need_shared zeek/test9-mixed/conn.log
need_cmd jq
z="$SK_SHARED_DATA/zeek/test9-mixed"

check() {
    what=$1
    shift
    run_status "$SAKIMORI" scan --json --no-store "$@" > "$TMP/$what.json" 2> "$TMP/$what.err"
    expect_status 1 "$what: findings"
    if grep -qiE 'error|warn' "$TMP/$what.err"; then cat "$TMP/$what.err"; fail "$what: errors"; fi
    n=$(jq -s '[.[] | select(.type == "detection")] | length' "$TMP/$what.json")
    [ "$n" -gt 0 ] || fail "$what: no detections"
    jq -e -s '[.[] | select(.type == "detection")]
              | all(has("analyzer") and (.score >= 0 and .score <= 1) and (.evidence | type == "object"))
                and ([.[].score] == ([.[].score] | sort | reverse))' "$TMP/$what.json" >/dev/null \
        || fail "$what: detections lack fields or are not ranked"
    echo "$what: $n detections: $(jq -r -s '[.[] | select(.type == "detection") | .analyzer] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$TMP/$what.json")"
}

check eve "$SK_SHARED_DATA/eve/test6-malicious.eve.json"
check zeek "$z/conn.log" "$z/dns.log" "$z/ssl.log" "$z/http.log"
# the long UDP conversation of the EVE sample is the top finding
[ "$(jq -r -s '[.[] | select(.type == "detection")][0] | "\(.analyzer) \(.src_ip) \(.dst_ip)"' "$TMP/eve.json")" \
    = "longconn 192.168.1.129 122.248.252.67" ] || fail "eve: unexpected top detection"
echo "ok"
