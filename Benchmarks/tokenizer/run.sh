#!/usr/bin/env bash
# Tokenizer benchmark: ours (release build) against tiktoken and bpe-openai, same run, one thread.
# Usage: Benchmarks/tokenizer/run.sh [REPEATS] [ROUNDS]   (from anywhere; needs pip tiktoken bpe-openai)
# Each round runs ours, then the peers, on the whole corpus files and on request-sized chunks of
# them (about 2 KB, one call each), then 1 MB pieces with no spaces (best of REPEATS each; ours
# clears its caches before every timed call); the tables take each side's best over the rounds and
# show the spread of the per-round ratios, so a burst of load from a neighbour on a shared machine
# does not decide a row. Defaults: 3 repeats, 3 rounds.
# Prints the Markdown tables of BENCHMARKS.md; the raw JSON lines go to .build/results.jsonl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="$root/../shared/data"
repeats="${1:-3}"
rounds="${2:-3}"
cache="${TIKTOKEN_CACHE_DIR:-$here/.build/tiktoken-cache}"
mkdir -p "$cache"
cp "$data/vocab/cl100k_base.tiktoken" "$cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
cp "$data/vocab/o200k_base.tiktoken" "$cache/fb374d419588a4632f3f557e76b4b70aebbca790"
cp "$data/vocab/p50k_base.tiktoken" "$cache/ec7223a39ce59f226a68acc30dc1af2788490e15"
(cd "$here" && swift build -c release --product TokenizerBenchmark >&2)
out="$here/.build/results.jsonl"
: > "$out"
long="$here/.build/long"
# Appends each JSON line to the results with "round": N first.
tag() { sed "s/^{/{\"round\":$round,/" | tee -a "$out" >&2; }
for round in $(seq "$rounds"); do
    echo "round $round of $rounds" >&2
    "$here/.build/release/TokenizerBenchmark" "$data/corpus" "$repeats" | tag
    TIKTOKEN_CACHE_DIR="$cache" python3 "$here/peers.py" "$data/corpus" "$repeats" | tag
    # Long pieces (1 MB with no spaces): files written by long_pieces.py, then ours and tiktoken.
    TIKTOKEN_CACHE_DIR="$cache" python3 "$here/long_pieces.py" "$long" "$data/corpus" --time "$repeats" | tag
    "$here/.build/release/TokenizerBenchmark" --long "$long" "$repeats" | tag
done
python3 "$here/report.py" "$out"
