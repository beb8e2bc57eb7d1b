#!/usr/bin/env bash
# Times every dashboard page on a ledger of ROWS generated requests (default 5 million over 90 days,
# 20,000 skewed users), on SQLite and, when PG_URL is set or PostgreSQL binaries are on PATH, on PostgreSQL.
#
#   Benchmarks/dashboard/run.sh                  # both backends, 5M rows
#   ROWS=500000 Benchmarks/dashboard/run.sh      # a quicker run
#   BACKENDS=sqlite Benchmarks/dashboard/run.sh
#   WORK=/tmp/dash-bench Benchmarks/dashboard/run.sh   # reuse WORK/ledger.db if it exists
#   PG_URL=postgres://… REUSE_PG=1 Benchmarks/dashboard/run.sh   # reuse the rows already in PG_URL
#
# The first page on a new ledger folds every row into the dashboard's rollups (minutes at 5M rows);
# it runs before the timing, as on a dashboard that is kept open.
# Each page is fetched over HTTP from the release `tokenomics serve` with hyperfine (2 warm-ups,
# 10 runs); the table printed at the end is what BENCHMARKS.md records.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-5000000}
DAYS=${DAYS:-90}
USERS=${USERS:-20000}
BACKENDS=${BACKENDS:-sqlite postgres}
RUNS=${RUNS:-10}
PORT=${PORT:-18089}
PGPORT=${PGPORT:-54331}
WORK=${WORK:-$(mktemp -d /tmp/tokenomics-dashboard-bench.XXXXXX)}
mkdir -p "$WORK"
echo "working in $WORK" >&2
NOW=$(($(date +%s) * 1000))
export TOKENOMICS_ADMIN_KEY=bench-admin-key

CONFIGURATION=${CONFIGURATION:-release}   # CONFIGURATION=debug times the debug build (slower Swift, same SQL)
# BIN=path/to/tokenomics uses an existing build (e.g. one made with --scratch-path).
if [ -z "${BIN:-}" ]; then
  [ -n "${SKIP_BUILD:-}" ] || swift build -c "$CONFIGURATION" --product tokenomics >&2
  BIN=.build/$CONFIGURATION/tokenomics
fi

cat > "$WORK/gateway.yaml" <<YAML
listen: {host: 127.0.0.1, port: $PORT}
admin_key_env: TOKENOMICS_ADMIN_KEY
upstreams:
  - {name: openai, kind: openai, base_url: "http://127.0.0.1:9/v1", models: ["gpt-*"]}
YAML

SERVER=""
stop_server() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi; }
PGDIR=""
cleanup() {
    stop_server
    if [ -n "$PGDIR" ]; then runuser -u postgres -- pg_ctl -D "$PGDIR/db" stop -m fast >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

start_server() {
    "$BIN" serve --config "$WORK/gateway.yaml" --database "$1" --log-level error &
    SERVER=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return 0; sleep 0.2; done
    echo "the gateway did not start" >&2
    exit 1
}

PAGES=(
    "/dashboard"
    "/dashboard?period=today"
    "/dashboard?period=24h"
    "/dashboard?period=7d"
    "/dashboard?period=month"
    "/dashboard?period=90d"
    "/dashboard?stack=feature&model=gpt-4o"
    "/dashboard?format=csv&table=top-users"
    "/dashboard/user/user0"
    "/dashboard/user/user19999"
    "/dashboard/feature/chat"
)

# The gateway's background pass (dashboard_warm_seconds, default 60 s) folds the ledger and reads
# the overview's per-user sums; wait for its first pass, as on a dashboard kept open.
wait_for_warm_pass() {
    for _ in $(seq 1 7200); do
        local passes
        passes=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^tokenomics_dashboard_warm_passes_total/ {print $2}')
        if [ -n "$passes" ] && [ "${passes%.*}" -ge 1 ]; then
            echo "$1: first background pass: $(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^tokenomics_dashboard_warm_seconds_sum/ {print $2}') s" >>"$WORK/load.txt"
            return 0
        fi
        sleep 0.5
    done
    echo "no background pass within an hour" >&2
    exit 1
}

time_pages() {
    local backend=$1
    wait_for_warm_pass "$backend"
    echo "$backend: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/load.txt"
    for page in "${PAGES[@]}"; do
        local url="http://127.0.0.1:$PORT$page"
        local status
        status=$(curl -s -m 3600 -o /dev/null -w '%{http_code}' -H "x-admin-key: $TOKENOMICS_ADMIN_KEY" "$url")
        [ "$status" = 200 ] || { echo "$page answered $status" >&2; exit 1; }
        hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$WORK/run.json" \
            "curl -s -o /dev/null -H x-admin-key:$TOKENOMICS_ADMIN_KEY $url" >/dev/null 2>&1
        python3 - "$WORK/run.json" "$backend" "$page" >>"$WORK/results.md" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))["results"][0]
t = sorted(r["times"])
print(f"| {sys.argv[2]} | `{sys.argv[3]}` | {statistics.median(t)*1000:.0f} ms | {r['mean']*1000:.0f} ms | {max(t)*1000:.0f} ms |")
PY
        tail -1 "$WORK/results.md" >&2
    done
    echo "$backend: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/load.txt"
}

: >"$WORK/load.txt"
echo "| backend | page | median | mean | max |" >"$WORK/results.md"
echo "|---|---|---:|---:|---:|" >>"$WORK/results.md"

for backend in $BACKENDS; do
    case $backend in
    sqlite)
        DB="$WORK/ledger.db"
        if [ -f "$DB" ]; then
            echo "reusing $DB ($(sqlite3 "$DB" 'SELECT COUNT(*) FROM request') rows)" >&2
        else
            start_server "sqlite:$DB"   # migrates
            stop_server
            echo "generating $ROWS rows in SQLite…" >&2
            start=$(date +%s)
            sed -e "s/:rows/$ROWS/g" -e "s/:days/$DAYS/g" -e "s/:now/$NOW/g" -e "s/:users/$USERS/g" Benchmarks/dashboard/generate-sqlite.sql | sqlite3 "$DB" >/dev/null
            echo "generated in $(($(date +%s) - start)) s; $(du -h "$DB" | cut -f1)" >&2
        fi
        start_server "sqlite:$DB"
        time_pages sqlite
        stop_server
        ;;
    postgres)
        if [ -z "${PG_URL:-}" ]; then
            PGDIR=$(mktemp -d /tmp/tokenomics-dashboard-pg.XXXXXX)
            chown postgres "$PGDIR"
            runuser -u postgres -- initdb -D "$PGDIR/db" -A trust >/dev/null
            runuser -u postgres -- pg_ctl -D "$PGDIR/db" -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=64MB" -l "$PGDIR/log" start >/dev/null
            sleep 2
            PG_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
        fi
        if [ -n "${REUSE_PG:-}" ]; then
            echo "reusing $(psql "$PG_URL" -At -c 'SELECT COUNT(*) FROM request') rows in PostgreSQL" >&2
        else
            start_server "$PG_URL"
            stop_server
            echo "generating $ROWS rows in PostgreSQL…" >&2
            start=$(date +%s)
            psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -v days="$DAYS" -v now="$NOW" -v users="$USERS" -f Benchmarks/dashboard/generate-postgres.sql >/dev/null
            echo "generated in $(($(date +%s) - start)) s" >&2
        fi
        start_server "$PG_URL"
        time_pages postgres
        stop_server
        ;;
    esac
done
echo
cat "$WORK/results.md"
echo
cat "$WORK/load.txt"
