#!/usr/bin/env bash
# Screenshots of the gateway dashboard over generated traffic, at laptop (1280 px) and phone (390 px)
# widths, taken by headless Chromium through the browser test.
#
#   Scripts/dashboard-screenshot.sh [OUTPUT_DIR]      # default: ./dashboard-screenshots
#
# Or, against a running gateway (admin key in TOKENOMICS_ADMIN_KEY):
#   chromium --headless --no-sandbox --disable-gpu --window-size=1280,2000 \
#     --screenshot=dashboard.png "http://admin:$TOKENOMICS_ADMIN_KEY@127.0.0.1:8080/dashboard?auth=basic"
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-dashboard-screenshots}")
mkdir -p "$OUT"
command -v chromium >/dev/null || { echo "chromium is not on PATH (apt-get install chromium)" >&2; exit 2; }
TOKENOMICS_DASHBOARD_SCREENSHOTS="$OUT" swift test --filter DashboardBrowserTests
ls -l "$OUT"/dashboard*.png
