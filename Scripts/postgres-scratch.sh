#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the Ledger/Gateway tests and prints its URL.
#
#   eval "$(Scripts/postgres-scratch.sh)"     # exports TOKENOMICS_TEST_POSTGRES_URL and POSTGRES_SCRATCH_DIR
#   swift test --filter 'LedgerTests|GatewayTests'
#   Scripts/postgres-scratch.sh stop          # stops the server started last (by POSTGRES_SCRATCH_DIR)
#
# PostgreSQL refuses to run as root, so the server runs as the 'postgres' user when we are root.
# PORT (default 54329) chooses the port.
set -euo pipefail
PORT=${PORT:-54329}
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = stop ]; then
  run pg_ctl -D "${POSTGRES_SCRATCH_DIR:?set by a previous run}/db" stop -m fast >/dev/null
  exit 0
fi
command -v initdb >/dev/null || { echo "initdb not found: install PostgreSQL (apt-get install postgresql) and put its bin directory on PATH" >&2; exit 1; }
DIR=$(mktemp -d)
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
run initdb -D "$DIR/db" -A trust -U postgres >/dev/null
run pg_ctl -D "$DIR/db" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300" -l "$DIR/log" -w start >/dev/null
echo "export POSTGRES_SCRATCH_DIR=$DIR"
echo "export TOKENOMICS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
