#!/usr/bin/env bash
# The modeller benchmark: 1,000,000 simulated users × 24 months × 3 plans, Tokenomics (release
# build, Swift structured concurrency on every core) beside the same kernel in vectorised numpy,
# in the same run. Prints both timings and the ratio (numpy time / ours: above 1 means ours is faster).
#
#   Benchmarks/modeller/run.sh [USERS] [MONTHS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/../.."
users="${1:-1000000}"
months="${2:-24}"
repeats="${3:-5}"
# BIN=path/to/tokenomics uses an existing release build.
bin=${BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --product tokenomics >/dev/null 2>&1
  bin=.build/release/tokenomics
fi
scenario=Benchmarks/modeller/scenario.yaml
sed "s/months: 24/months: $months/" "$scenario" > /tmp/tokenomics-modeller-bench.yaml

ours=$("$bin" model /tmp/tokenomics-modeller-bench.yaml --benchmark --simulate "$users" --repeats "$repeats" --no-user-catalog)
peer=$(python3 Benchmarks/modeller/numpy_modeller.py --users "$users" --months "$months" --repeats "$repeats")
full_start=$(date +%s.%N)
"$bin" model Benchmarks/modeller/scenario.yaml --simulate "$users" --json --no-user-catalog > /dev/null
full_end=$(date +%s.%N)

python3 - "$ours" "$peer" "$full_start" "$full_end" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
full = float(sys.argv[4]) - float(sys.argv[3])
print(f"Monte Carlo kernel: {ours['users']:,} users x {ours['months']} months x {ours['plans']} plans (+ uncapped demand)")
print(f"{'implementation':<34}{'best s':>10}{'median s':>10}")
print(f"{'tokenomics (Swift, ' + str(ours['cores']) + ' cores)':<34}{ours['best_seconds']:>10.3f}{ours['median_seconds']:>10.3f}")
print(f"{'numpy ' + peer['numpy'] + ' (vectorised)':<34}{peer['best_seconds']:>10.3f}{peer['median_seconds']:>10.3f}")
print(f"ratio numpy/ours (best): {peer['best_seconds'] / ours['best_seconds']:.2f}x")
print(f"full report (tokenomics model --simulate {ours['users']:,}, 24-month projection, levers): {full:.2f} s")
PY
