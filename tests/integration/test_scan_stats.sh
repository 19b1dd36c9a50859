#!/bin/sh
# Malformed records are counted per source and shown: scan prints one
# statistics line per input on stderr (a JSON object with --json), while
# stdout keeps only the finding lines. Two inputs: a capture this test writes
# with known broken packets, and a clean one.
. "$(dirname "$0")/lib.sh"
need_cmd python3
need_cmd jq

python3 - "$TMP/broken.pcap" <<'PY'
import struct, sys
def ip(src, dst, proto, payload, ihl=5):
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                       bytes(src), bytes(dst)) + payload
def udp(sp, dp, p): return struct.pack("!HHHH", sp, dp, 8 + len(p), 0) + p
q = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x03bad\x07example\x00\x00\x01\x00\x01"
pkts = [
    ip([10, 0, 0, 1], [10, 0, 0, 53], 17, udp(1000, 53, q)),             # fine
    ip([10, 0, 0, 1], [10, 0, 0, 53], 17, udp(1001, 53, q), ihl=3),      # IHL < 5
    ip([10, 0, 0, 1], [10, 0, 0, 53], 6, b"\x00\x01"),                   # TCP header cut
    ip([10, 0, 0, 1], [10, 0, 0, 53], 17, udp(1002, 53, b"\xc0\x0c" * 8)),  # DNS: not a message
    b"\x45\x00",                                                          # 2 bytes of IP
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pkts):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
PY
"$SAKIMORI" synth --out "$TMP/scn" --seed 5 --hosts 3 --duration 120 >/dev/null
echo "198.51.100.200" > "$TMP/none.txt"

run_status "$SAKIMORI" scan --json --no-store --intel "$TMP/scn/intel.txt" "$TMP/broken.pcap" \
    "$TMP/scn/scenario.pcap" > "$TMP/out" 2> "$TMP/err"
expect_status 1 "the scenario's beacon is a finding"
jq -e -s 'length > 0 and all(.[]; has("type") and has("count"))' "$TMP/out" >/dev/null \
    || fail "stdout holds something other than finding lines"
grep -q '"stats"' "$TMP/out" && fail "statistics leaked to stdout"
jq -e -s --arg b "$TMP/broken.pcap" '[.[] | select(.stats.input == $b)][0].stats
        | .records == 5 and .malformed == 4 and .format == "pcap"' "$TMP/err" >/dev/null \
    || { cat "$TMP/err"; fail "broken.pcap: expected 5 records, 4 malformed"; }
jq -e -s --arg s "$TMP/scn/scenario.pcap" '[.[] | select(.stats.input == $s)][0].stats
        | .malformed == 0 and .records > 100 and .events > 10' "$TMP/err" >/dev/null \
    || { cat "$TMP/err"; fail "scenario.pcap: expected no malformed records"; }

# without --json: a line per input naming it, with the counts
run_status "$SAKIMORI" scan --no-store --intel "$TMP/none.txt" "$TMP/broken.pcap" > "$TMP/out2" 2> "$TMP/err2"
expect_status 0 "nothing matches"
expect_grep "scan: $TMP/broken.pcap: pcap, 5 records, [0-9]* events, 4 malformed" "$TMP/err2"
# -q: nothing on stderr
run_status "$SAKIMORI" scan -q --no-store --intel "$TMP/none.txt" "$TMP/broken.pcap" 2> "$TMP/err3"
[ ! -s "$TMP/err3" ] || { cat "$TMP/err3"; fail "-q still printed"; }
echo ok
