#!/usr/bin/env bash
# Gateway benchmark: wrk against nginx serving an OpenAI-shaped answer, directly, through the
# Tokenomics gateway (SQLite ledger, a budget on the key) and through LiteLLM proxy, in one run.
# Prints added latency (p50/p99 at fixed rates of LOW_RATE and RATE requests/s, see pace.lua, with
# nginx as a reverse proxy for the floor of one hop and Hummingbird + async-http-client alone for the
# floor of the gateway's stack) and maximum throughput, with ratios.
#
#   Benchmarks/gateway/run.sh            # RATE=2000 DURATION=10
# CPU µs/req: the target process's user + system time over the run, per request (gateway and floor).
# Needs: wrk, nginx (apt), a release build (built here), and `pip install 'litellm[proxy]'` for the peer.
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${RATE:-2000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-20}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true' EXIT

CONFIGURATION=${CONFIGURATION:-release}
# BIN=path/to/tokenomics uses an existing build (e.g. one made with --scratch-path).
if [ -z "${BIN:-}" ]; then
  [ -n "${SKIP_BUILD:-}" ] || swift build -c "$CONFIGURATION" --product tokenomics >/dev/null
  BIN=.build/$CONFIGURATION/tokenomics
fi

# 1. nginx: the "provider", answering every POST with a fixed chat completion.
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18180;
    location / {
      default_type application/json;
      return 200 '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, nice to meet."},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":7,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}';
    }
  }
  # The same answer through nginx as a reverse proxy: the floor for one proxy hop on this machine.
  upstream provider { server 127.0.0.1:18180; keepalive 64; }
  server {
    listen 127.0.0.1:18183;
    location / {
      proxy_pass http://provider;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -p "$WORK" -c "$WORK/nginx.conf"

# 1b. The floor of the gateway's stack: Hummingbird 2 + async-http-client forwarding each POST and
# doing nothing else (Benchmarks/gateway/floor). Skipped with NO_FLOOR=1.
HAVE_FLOOR=0
if [ -z "${NO_FLOOR:-}" ]; then
  FLOOR_BIN=${FLOOR_BIN:-Benchmarks/gateway/floor/.build/release/GatewayFloor}
  [ -x "$FLOOR_BIN" ] && [ -n "${SKIP_BUILD:-}" ] || (cd Benchmarks/gateway/floor && swift build -c release >/dev/null)
  "$FLOOR_BIN" 18184 http://127.0.0.1:18180 >"$WORK/floor.log" 2>&1 &
  echo $! > "$WORK/floor.pid"
  HAVE_FLOOR=1
fi

# 2. The gateway, SQLite ledger, a $1,000,000 budget on the key (every request reserves and settles).
cat > "$WORK/gateway.yaml" <<YAML
listen: {host: 127.0.0.1, port: 18181}
upstreams:
  - {name: nginx, kind: openai, base_url: "http://127.0.0.1:18180/v1", api_key_env: BENCH_PROVIDER_KEY, models: ["gpt-4o-mini"]}
cache: {enabled: false}
YAML
KEY=$($BIN keys create --database "sqlite:$WORK/ledger.db" --user bench --budget 1000000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
BENCH_PROVIDER_KEY=sk-bench $BIN serve --config "$WORK/gateway.yaml" --database "sqlite:$WORK/ledger.db" --log-level warning --no-user-catalog 2>"$WORK/gateway.log" &
echo $! > "$WORK/gateway.pid"

wait_up() { for _ in $(seq 1800); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; return 1; }
wait_up http://127.0.0.1:18180/ && wait_up http://127.0.0.1:18181/health
[ $HAVE_FLOOR = 1 ] && { wait_up http://127.0.0.1:18184/ || HAVE_FLOOR=0; }

cpu_ticks() { [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
run() { # name url rate connections threads [key] [pid whose CPU time to report]   (rate 0: back to back)
  local out before after
  before=$(cpu_ticks "${7:-}")
  out=$(BENCH_KEY=${6:-$KEY} RATE=$3 wrk -t"$5" -c"$4" -d"${DURATION}s" -s Benchmarks/gateway/pace.lua "$2/v1/chat/completions" | grep RESULT)
  after=$(cpu_ticks "${7:-}")
  echo "$1 $out cpu_us=$(( (after - before) * 1000000 / $(getconf CLK_TCK) ))"
}
GATEWAY_PID=$(cat "$WORK/gateway.pid"); FLOOR_PID=$(cat "$WORK/floor.pid" 2>/dev/null || true)
# Warm up every target.
for port in 18180 18183 18181 $([ $HAVE_FLOOR = 1 ] && echo 18184); do BENCH_KEY=$KEY wrk -t1 -c4 -d2s -s Benchmarks/gateway/pace.lua "http://127.0.0.1:$port/v1/chat/completions" >/dev/null; done

RESULTS=$WORK/results.txt
LOW_RATE=${LOW_RATE:-200}
run direct-low http://127.0.0.1:18180 $LOW_RATE $CONNECTIONS 1 >>"$RESULTS"
run nginx-proxy-low http://127.0.0.1:18183 $LOW_RATE $CONNECTIONS 1 >>"$RESULTS"
[ $HAVE_FLOOR = 1 ] && run hb-ahc-floor-low http://127.0.0.1:18184 $LOW_RATE $CONNECTIONS 1 "$KEY" "$FLOOR_PID" >>"$RESULTS"
run gateway-low http://127.0.0.1:18181 $LOW_RATE $CONNECTIONS 1 "$KEY" "$GATEWAY_PID" >>"$RESULTS"
run direct http://127.0.0.1:18180 $RATE $CONNECTIONS 1 >>"$RESULTS"
run nginx-proxy http://127.0.0.1:18183 $RATE $CONNECTIONS 1 >>"$RESULTS"
[ $HAVE_FLOOR = 1 ] && run hb-ahc-floor http://127.0.0.1:18184 $RATE $CONNECTIONS 1 "$KEY" "$FLOOR_PID" >>"$RESULTS"
run gateway http://127.0.0.1:18181 $RATE $CONNECTIONS 1 "$KEY" "$GATEWAY_PID" >>"$RESULTS"
run direct-max http://127.0.0.1:18180 0 64 2 >>"$RESULTS"
[ $HAVE_FLOOR = 1 ] && run hb-ahc-floor-max http://127.0.0.1:18184 0 64 2 "$KEY" "$FLOOR_PID" >>"$RESULTS"
run gateway-max http://127.0.0.1:18181 0 64 2 "$KEY" "$GATEWAY_PID" >>"$RESULTS"

# 3. LiteLLM proxy in front of the same nginx, started only now: idle, it still takes a fifth of a
# core, which the runs above must not share.
HAVE_LITELLM=0
LITELLM_KEY=sk-tokenomics-benchmark-master-key
if python3 -c 'import litellm.proxy.proxy_server' 2>/dev/null; then
  cat > "$WORK/litellm.yaml" <<YAML
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:18180/v1", api_key: sk-bench}
litellm_settings: {drop_params: true, set_verbose: false}
YAML
  # LiteLLM refuses to start without a master key; requests to it carry that key.
  LITELLM_MASTER_KEY=$LITELLM_KEY litellm --config "$WORK/litellm.yaml" --host 127.0.0.1 --port 18182 --num_workers 1 >"$WORK/litellm.log" 2>&1 &
  echo $! > "$WORK/litellm.pid"
  HAVE_LITELLM=1
fi

if [ $HAVE_LITELLM = 1 ] && wait_up http://127.0.0.1:18182/health/liveliness; then
  BENCH_KEY=$LITELLM_KEY wrk -t1 -c4 -d2s -s Benchmarks/gateway/pace.lua "http://127.0.0.1:18182/v1/chat/completions" >/dev/null
  run litellm http://127.0.0.1:18182 $RATE $CONNECTIONS 1 $LITELLM_KEY >>"$RESULTS"
  run litellm-max http://127.0.0.1:18182 0 64 2 $LITELLM_KEY >>"$RESULTS"
fi

python3 - "$RESULTS" "$RATE" "$DURATION" "$LOW_RATE" <<'PY'
import sys, re
rows = {}
for line in open(sys.argv[1]):
    name, rest = line.split(" ", 1)
    rows[name] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", rest)}
def rps(r): return r["requests"] / (r["duration_us"] / 1e6)
for rate, suffix, names in [(sys.argv[4], "-low", ["direct", "nginx-proxy", "hb-ahc-floor", "gateway"]), (sys.argv[2], "", ["direct", "nginx-proxy", "hb-ahc-floor", "gateway", "litellm"])]:
    print(f"Fixed-rate load ({rate} requests/s offered, {sys.argv[3]} s; wrk latency percentiles; nginx-proxy is nginx as a reverse proxy, the floor for one hop;")
    print("hb-ahc-floor is Hummingbird 2 + async-http-client forwarding and nothing else, the floor of the gateway's own stack):")
    print(f"{'target':<14} {'req/s':>8} {'p50 µs':>8} {'p99 µs':>8} {'added p50':>10} {'added p99':>10} {'errors':>7} {'CPU µs/req':>11}")
    d = rows["direct" + suffix]
    for name in names:
        if name + suffix not in rows: continue
        r = rows[name + suffix]
        cpu = f"{r['cpu_us'] / r['requests']:.0f}" if r.get('cpu_us') and r['requests'] else ""
        print(f"{name:<14} {rps(r):>8.0f} {r['p50_us']:>8} {r['p99_us']:>8} {r['p50_us']-d['p50_us']:>10} {r['p99_us']-d['p99_us']:>10} {r['errors']:>7} {cpu:>11}")
    print()
print("Maximum throughput (64 connections, 2 threads):")
for name in ["direct-max", "hb-ahc-floor-max", "gateway-max", "litellm-max"]:
    if name in rows:
        r = rows[name]
        cpu = f"  CPU {r['cpu_us'] / r['requests']:.0f} µs/request" if r.get('cpu_us') and r['requests'] else ""
        print(f"{name:<17} {rps(r):>9.0f} req/s  p50 {r['p50_us']} µs  p99 {r['p99_us']} µs  errors {r['errors']}{cpu}")
if "litellm-max" in rows:
    print(f"\ngateway / LiteLLM proxy maximum throughput: {rps(rows['gateway-max']) / rps(rows['litellm-max']):.1f}x")
PY
echo "ledger rows written: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from request').fetchone()[0])" "$WORK/ledger.db")"
