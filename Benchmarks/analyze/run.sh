#!/usr/bin/env bash
# Benchmark: `tokenomics analyze` against DuckDB on the same JSON-lines log, in the same run.
#
#   Benchmarks/analyze/run.sh [EVENTS] [USERS]      (defaults: 5000000 events, 50000 users)
#
# Builds the release binary, generates the log once (kept in $BENCH_DIR, default /tmp), runs both
# sides under /usr/bin/time -v (2 threads each), and prints events/s, MB/s, peak memory and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-5000000}
USERS=${2:-50000}
DIR=${BENCH_DIR:-/tmp}
LOG="$DIR/tokenomics-bench-$EVENTS.jsonl"
RATES="$DIR/tokenomics-bench-rates.csv"

swift build -c release --product tokenomics >/dev/null
BIN=.build/release/tokenomics
if [ ! -s "$LOG" ]; then
  echo "generating $EVENTS events for $USERS users -> $LOG" >&2
  "$BIN" generate-usage --users "$USERS" --events "$EVENTS" --seed 7 -o "$LOG"
fi
# The catalog rates of the generator's models, for DuckDB's cost column.
{
  echo "model,input,cached,output"
  for m in gpt-4o-mini gpt-4o claude-haiku-4-5 gemini-2.5-flash claude-sonnet-4-5 o4-mini text-embedding-3-small; do
    "$BIN" price "$m" --json | python3 -c '
import json,sys
d=json.load(sys.stdin)
r={x["class"]:x for x in d.get("rates",[]) if x.get("tier","standard")=="standard" and not x.get("above_tokens")}
def g(k,f=None):
    v=r.get(k) or (r.get(f) if f else None)
    return v["per_token_usd_exact"] if v else "0"
print(",".join([d["name"], str(g("input")), str(g("cached_input","input")), str(g("output"))]))'
  done
} > "$RATES"
BYTES=$(stat -c %s "$LOG")

measure() { # label, command...
  local label=$1; shift
  local tlog; tlog=$(mktemp)
  /usr/bin/time -v "$@" > "$DIR/tokenomics-bench-$label.out" 2> "$tlog"
  local wall peak cpu
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {print s}' "$tlog")
  wall=$(grep "Elapsed (wall clock)" "$tlog" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  peak=$(grep "Maximum resident set size" "$tlog" | awk '{print $NF}')
  rm -f "$tlog"
  echo "$label $wall $peak $cpu"
}

OURS=$(measure tokenomics "$BIN" analyze "$LOG" --json --threads 2 --no-user-catalog)
PEER=$(measure duckdb python3 Benchmarks/analyze/duckdb_analyze.py "$LOG" "$RATES" 2)

python3 - "$EVENTS" "$BYTES" "$OURS" "$PEER" "$DIR" <<'PY'
import json, sys
events, size = int(sys.argv[1]), int(sys.argv[2])
rows = [sys.argv[3].split(), sys.argv[4].split()]
print(f"log: {events:,} events, {size/1e6:,.0f} MB")
print(f"{'tool':<12}{'seconds':>9}{'cpu s':>8}{'events/s':>14}{'MB/s':>9}{'peak MB':>10}")
for label, wall, peak, cpu in rows:
    wall = float(wall); peak = int(peak) / 1024
    print(f"{label:<12}{wall:>9.2f}{float(cpu):>8.2f}{events/wall:>14,.0f}{size/1e6/wall:>9.1f}{peak:>10.0f}")
(_, w1, p1, _), (_, w2, p2, _) = rows
print(f"speed ratio (duckdb time / ours): {float(w2)/float(w1):.2f}x; memory ratio (ours / duckdb): {int(p1)/int(p2):.2f}")
ours = json.load(open(f"{sys.argv[5]}/tokenomics-bench-tokenomics.out"))
peer = json.loads(open(f"{sys.argv[5]}/tokenomics-bench-duckdb.out").read())
print(f"check: events {ours['events']} vs {peer['events']}; users {ours['users']} vs {peer['users']}; "
      f"total cost {float(ours['total_cost_usd']):.4f} vs {peer['total_cost']:.4f}; duplicates {ours['duplicates']['duplicate_events']} vs {peer['duplicates']}")
PY
