#!/bin/sh
# make eval — measure the behavioural detectors and write docs/DETECTION.md.
#
#   beacons   synthesized scenarios (100, 1,000 and 10,000 benign hosts;
#             timing jitter 0, 25 % and 50 %; 20 beacons each with periods
#             drawn log-uniformly from 10 s to 15 min, size jitter 20 %):
#             precision and recall at the default threshold, and the
#             precision/recall curve over all scenarios
#   DGA       the model trained from top-site warninglists with 10 % of the
#             labels held out, measured on ../shared/data/dga (never used for
#             training) and on the held-out top-site names
#   captures  the real C2 captures of ../shared/data/pcap: rank of the C2 pair
#
# usage: scripts/eval.sh BUILD_DIR OUT.md   (QUICK=1: the 10,000-host runs are skipped)
set -eu
bin=$(cd "${1:-build}" && pwd)/sakimori
out=${2:-docs/DETECTION.md}
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SK_SHARED_DATA:-$here/../shared/data}
work=${EVAL_DIR:-$(dirname "$bin")/eval}
rm -rf "$work"
mkdir -p "$work"
command -v jq >/dev/null || { echo "eval: jq is needed (scripts/deps.sh)"; exit 2; }

thr=0.75 # detect.beacon.threshold default (src/conf/schema.c)
# every pair scored at or above 0.3, so the curve can be drawn below the default
printf 'detect:\n  beacon:\n    threshold: 0.3\n' > "$work/all.yaml"

log() { echo "eval: $*" >&2; }
md="$work/report.md"
: > "$md"

# ---- beacons ----------------------------------------------------------------
hosts_list="100 1000 10000"
[ "${QUICK:-0}" = 1 ] && hosts_list="100 1000"
scen="$work/scenarios.tsv"
: > "$scen"
: > "$work/pairs.tsv"
seed=100
for hosts in $hosts_list; do
    for jitter in 0 0.25 0.5; do
        seed=$((seed + 1))
        case $hosts in 10000) mean=1200 ;; *) mean=600 ;; esac
        d="$work/b-$hosts-$jitter"
        cmd="sakimori synth --out DIR --seed $seed --hosts $hosts --duration 10800 --web-mean $mean --updates 5 --beacons 20 --period 10 --period-max 900 --jitter $jitter --size-jitter 0.2"
        log "$cmd"
        t0=$(date +%s)
        "$bin" synth --out "$d" --seed $seed --hosts $hosts --duration 10800 --web-mean $mean \
            --updates 5 --beacons 20 --period 10 --period-max 900 --jitter $jitter --size-jitter 0.2
        t1=$(date +%s)
        "$bin" scan --config "$work/all.yaml" --no-store --json --quiet "$d/scenario.pcap" \
            2>"$d/scan.err" | jq -r 'select(.analyzer == "beacon") | [.score, .src_ip, (.dst_ip // "-"), (.name // "-")] | @tsv' \
            > "$d/beacons.tsv" || true
        t2=$(date +%s)
        jq -r '.beacons[] | [.src_ip, .dst_ip, .name] | @tsv' "$d/truth.json" > "$d/truth.tsv"
        # label every scored pair: 1 = a ground-truth beacon (by address or name)
        awk -F'\t' -v s="$hosts/$jitter" 'NR == FNR { ip[$1 " " $2] = 1; nm[$1 " " $3] = 1; next }
            { tp = (($2 " " $3) in ip) || (($2 " " $4) in nm); isip = ($3 != "-");
              key = ($2 " " $3); print s "\t" $1 "\t" tp "\t" isip "\t" key }' \
            "$d/truth.tsv" "$d/beacons.tsv" >> "$work/pairs.tsv"
        npairs=$(wc -l < "$d/beacons.tsv")
        size=$(du -m "$d/scenario.pcap" | cut -f1)
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$hosts" "$jitter" "$seed" "$npairs" "$size" \
            "$((t1 - t0))" "$((t2 - t1))" >> "$scen"
        rm -f "$d/scenario.pcap"
    done
done

# precision and recall per scenario at the default threshold; recall counts a
# beacon found when its (host, C2 address) pair is at or above the threshold
{
    echo "## Beacons"
    echo
    echo "Scenarios: \`$(echo "sakimori synth --out DIR --seed N --hosts H --duration 10800 --web-mean M --updates 5 --beacons 20 --period 10 --period-max 900 --jitter J --size-jitter 0.2")\`"
    echo "(M = 600 s, 1,200 s for 10,000 hosts), scanned with"
    echo "\`sakimori scan --config all.yaml --no-store --json DIR/scenario.pcap\` where all.yaml sets"
    echo "\`detect.beacon.threshold: 0.3\` so that every pair scoring 0.3 or more is listed. Each scenario has"
    echo "20 beacons (periods log-uniform in 10 s – 15 min, i.e. 12 to 1,080 check-ins in 3 hours), five"
    echo "periodic update services (every 5 min to 1 h, on 40–100 % of hosts), NTP, web browsing with CDN assets."
    echo "A detection is a true positive when its (host, address) or (host, name) pair belongs to a beacon of the"
    echo "ground truth; recall counts the beacons whose (host, C2 address) pair is detected."
    echo
    echo "Default threshold **$thr**:"
    echo
    echo "| hosts | jitter | pairs scored ≥ 0.3 | detections | true | false | precision | recall | pcap MB | synth s | scan s |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >> "$md"
while IFS="$(printf '\t')" read -r hosts jitter seed npairs size ts tscan; do
    awk -F'\t' -v s="$hosts/$jitter" -v t="$thr" -v np="$npairs" -v h="$hosts" -v j="$jitter" \
        -v sz="$size" -v a="$ts" -v b="$tscan" '
        $1 == s && $2 >= t { det++; if ($3) tp++; else fp++; if ($3 && $4) found[$5] = 1 }
        END { n = 0; for (k in found) n++;
              p = det ? tp / det : 1; r = n / 20;
              printf "| %s | %s | %d | %d | %d | %d | %.3f | %.3f | %s | %s | %s |\n", h, j, np, det, tp, fp, p, r, sz, a, b }' \
        "$work/pairs.tsv" >> "$md"
done < "$scen"
nscen=$(wc -l < "$scen")
awk -F'\t' -v t="$thr" -v ns="$nscen" '$2 >= t { det++; if ($3) tp++; if ($3 && $4) found[$1 " " $5] = 1 }
    END { n = 0; for (k in found) n++;
          printf "\nAll %d scenarios together: precision **%.3f**, recall **%.3f** (%d of %d beacons; %d detections, %d false).\n\n",
                 ns, det ? tp / det : 1, n / (20 * ns), n, 20 * ns, det, det - tp }' "$work/pairs.tsv" >> "$md"
{
    echo "Precision/recall over all scenarios as the threshold moves:"
    echo
    echo "| threshold | detections | precision | recall |"
    echo "|---:|---:|---:|---:|"
} >> "$md"
for t in 0.30 0.40 0.50 0.55 0.60 0.65 0.70 0.75 0.80 0.85 0.90 0.95; do
    awk -F'\t' -v t="$t" -v ns="$nscen" '$2 >= t { det++; if ($3) tp++; if ($3 && $4) found[$1 " " $5] = 1 }
        END { n = 0; for (k in found) n++;
              printf "| %s | %d | %.3f | %.3f |\n", t, det, det ? tp / det : 1, n / (20 * ns) }' \
        "$work/pairs.tsv" >> "$md"
done
echo >> "$md"

# ---- DGA ------------------------------------------------------------------------
W="$shared/warninglists"
if [ -e "$shared/dga/dga_domains_sample.csv" ] && [ -e "$W/tranco10k/list.json" ]; then
    words=/usr/share/dict/words
    lists=""
    for l in tranco10k cloudflare-top100k cisco_top20k majestic_million alexa moz-top500; do
        lists="$lists --list $W/$l/list.json"
    done
    log "training the DGA model"
    # shellcheck disable=SC2086
    "$bin" intel train-dga --out "$work/dga.model" --holdout-out "$work/holdout.txt" --words "$words" \
        $lists 2> "$work/train.txt"
    same="differs from"
    cmp -s "$work/dga.model" "$here/src/detect/dga.model" && same="is byte-identical to"
    "$bin" intel train-dga --model "$work/dga.model" --evaluate "$shared/dga/dga_domains_sample.csv" --json \
        > "$work/dga.json"
    "$bin" intel train-dga --model "$work/dga.model" --evaluate "$work/holdout.txt" --json > "$work/holdout.json"
    "$bin" intel train-dga --model "$work/dga.model" --evaluate "$shared/dga/dga_domains_sample.csv" \
        > "$work/dga.txt"
    overlap=$(cut -d, -f3 "$shared/dga/dga_domains_sample.csv" | grep -c -x -F -f "$work/holdout.txt" || true)
    {
        echo "## DGA names"
        echo
        echo "Model: \`sakimori intel train-dga --out dga.model --holdout-out holdout.txt --words /usr/share/dict/words\`"
        echo "with \`--list\` for the warninglists tranco10k, cloudflare-top100k, cisco_top20k, majestic_million,"
        echo "alexa and moz-top500 (\`../shared/data/warninglists/<name>/list.json\`). The trained model $same the"
        echo "shipped \`src/detect/dga.model\`. Training log:"
        echo
        echo '```'
        cat "$work/train.txt"
        echo '```'
        echo
        echo "Measured with \`sakimori intel train-dga --model dga.model --evaluate FILE\`:"
        echo
        echo "| data | names | ROC-AUC | detected at threshold | false positives at threshold |"
        echo "|---|---:|---:|---:|---:|"
        jq -r '"| dga_domains_sample.csv (never used for training) | \(.names) | \(.roc_auc * 1000 | round / 1000) | \(.tpr * 1000 | round / 1000) | \(.fpr * 10000 | round / 10000) |"' "$work/dga.json"
        jq -r '"| top-site names held out from training | \(.names) | – | – | \(.fpr * 10000 | round / 10000) |"' "$work/holdout.json"
        echo
        echo "Per family (share at or above the threshold $(jq -r '.threshold' "$work/dga.json")):"
        echo
        echo '```'
        grep -E '^  ' "$work/dga.txt"
        echo '```'
        echo
        echo "Held-out names that also appear in the sample: $overlap."
        echo
    } >> "$md"
else
    echo "## DGA names\n\nskipped: $shared/dga or the warninglists are missing.\n" >> "$md"
fi

# ---- real captures ------------------------------------------------------------------
{
    echo "## Real C2 captures"
    echo
    echo "\`sakimori scan --json --no-store ../shared/data/pcap/FILE\`, default configuration:"
    echo
    echo "| capture | C2 pair (ground truth) | rank among beacons | score | beacons reported |"
    echo "|---|---|---:|---:|---:|"
} >> "$md"
for c in "test-cc-capture-1.pcap 147.32.80.37 141.193.213.21" "test-cc-capture-2.pcap 147.32.80.37 141.193.213.20"; do
    set -- $c
    [ -e "$shared/pcap/$1" ] || continue
    "$bin" scan --json --no-store --quiet "$shared/pcap/$1" 2>/dev/null \
        | jq -r 'select(.analyzer == "beacon" and .dst_ip != null) | "\(.src_ip) \(.dst_ip) \(.score)"' > "$work/$1.txt" || true
    awk -v f="$1" -v s="$2" -v d="$3" '{ n++; if ($1 == s && $2 == d && !r) { r = n; sc = $3 } }
        END { printf "| %s | %s → %s | %s | %s | %d |\n", f, s, d, r ? r : "not found", sc, n }' "$work/$1.txt" >> "$md"
done
echo >> "$md"

# ---- sensor logs ------------------------------------------------------------------------
z="$shared/zeek/test9-mixed"
if [ -e "$shared/eve/test6-malicious.eve.json" ] && [ -e "$z/conn.log" ]; then
    {
        echo "## Sensor logs"
        echo
        echo "\`sakimori scan --json --no-store INPUT...\`, default configuration (no warninglists loaded):"
        echo
        echo "| input | detections (by analyzer) | top detection |"
        echo "|---|---|---|"
    } >> "$md"
    for spec in "eve/test6-malicious.eve.json|$shared/eve/test6-malicious.eve.json" \
                "zeek/test9-mixed/{conn,dns,ssl,http}.log|$z/conn.log $z/dns.log $z/ssl.log $z/http.log"; do
        label=${spec%%|*} files=${spec#*|}
        # shellcheck disable=SC2086
        "$bin" scan --json --no-store --quiet $files 2>/dev/null > "$work/log.json" || true
        jq -r -s --arg l "$label" '[.[] | select(.type == "detection")] as $d
            | "| \($l) | \($d | group_by(.analyzer) | map("\(.[0].analyzer) \(length)") | join(", ")) | \($d[0] | "\(.analyzer) \(.src_ip) → \(.dst_ip // .name) (\(.score))") |"' \
            "$work/log.json" >> "$md"
    done
    echo >> "$md"
fi
{
    echo "Machine: $(nproc) cores; \`uptime\` at the end of the run: \`$(uptime | sed 's/^ *//')\`."
} >> "$md"

# ---- assemble ---------------------------------------------------------------------------
{
    sed -n '1,/^<!-- results -->$/p' "$here/docs/DETECTION.in.md"
    echo
    echo "_Generated by \`make eval\` on $(date -u +%Y-%m-%d) (commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown))._"
    echo
    cat "$md"
    sed -n '/^<!-- results -->$/,$p' "$here/docs/DETECTION.in.md" | sed 1d
} > "$out"
log "wrote $out"
