#!/bin/sh
# The main job on embedded defaults (`make run`): synthesize a labelled
# scenario — benign hosts with a C2 beacon, a DGA, a DNS tunnel and a long
# C2 connection among them — and scan it with an indicator list that names
# the beacon's server. Prints the findings: sightings of the indicators and
# the behavioural detections, strongest first.
set -eu
bin=${1:-build/sakimori}
dir=${2:-build/run}

echo "== sakimori synth: writing a scenario to $dir"
"$bin" synth --out "$dir" --seed 7 --hosts 25 --duration 5400 --beacons 1 --period 60 --jitter 0.2 --dga 1 --tunnels 1 --longconns 1
echo "   $(wc -c < "$dir/scenario.pcap") bytes of pcap; ground truth in $dir/truth.json"
echo "== indicators ($dir/intel.txt):"
sed 's/^/   /' "$dir/intel.txt"
echo "== sakimori scan --intel $dir/intel.txt $dir/scenario.pcap"
set +e
"$bin" scan --db "$dir/sakimori.db" --intel "$dir/intel.txt" "$dir/scenario.pcap"
rc=$?
set -e
case $rc in
  1) echo "== findings recorded in $dir/sakimori.db (exit status 1: findings)"; exit 0 ;;
  0) echo "== no findings"; exit 0 ;;
  *) exit "$rc" ;;
esac
