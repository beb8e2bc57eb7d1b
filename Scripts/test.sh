#!/usr/bin/env bash
# Runs the whole test suite: builds the package and its tests, starts a throwaway PostgreSQL
# server for the ledger and gateway tests (unless TOKENOMICS_TEST_POSTGRES_URL is already set),
# runs `swift test`, and stops the server again.
#
#   Scripts/test.sh [extra swift test arguments, e.g. --filter PricingTests]
#
# Fails when the build emits a warning in the project's own code, or when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- pg_ctl -D "$pg_dir/db" -m immediate stop >/dev/null 2>&1 || true
    else pg_ctl -D "$pg_dir/db" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [ -z "${TOKENOMICS_TEST_POSTGRES_URL:-}" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  pg_dir=$(mktemp -d /tmp/tokenomics-pg.XXXXXX)
  port=$(( 20000 + RANDOM % 20000 ))
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: run the throwaway cluster as the postgres user.
    chown postgres "$pg_dir"
    runuser -u postgres -- initdb -D "$pg_dir/db" -A trust -U postgres >/dev/null
    runuser -u postgres -- pg_ctl -D "$pg_dir/db" -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" -l "$pg_dir/log" -w start >/dev/null
  else
    initdb -D "$pg_dir/db" -A trust -U postgres >/dev/null
    pg_ctl -D "$pg_dir/db" -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" -l "$pg_dir/log" -w start >/dev/null
  fi
  export TOKENOMICS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL for tests: $TOKENOMICS_TEST_POSTGRES_URL"
fi

log=$(mktemp)
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$PWD/(Sources|Tests)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" >/dev/null; then
  echo "error: the build emitted warnings in the project's own code (see above)." >&2
  exit 1
fi
rm -f "$log"
swift test --skip-build "$@"
