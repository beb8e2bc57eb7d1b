#!/usr/bin/env bash
# Renders the modeller's HTML report for a scenario and screenshots it in headless Chromium, so a
# person (or a review) can see that the inline SVG charts render.
#
#   Scripts/screenshot-scenario-report.sh [SCENARIO.yaml] [OUT.png]
#
# Defaults: Examples/support-copilot.yaml → .build/screenshots/support-copilot.png (and .html).
# Needs chromium (apt-get install chromium). Exits non-zero if the screenshot is missing or blank.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-Examples/support-copilot.yaml}"
name="$(basename "$scenario" .yaml)"
out="${2:-.build/screenshots/$name.png}"
mkdir -p "$(dirname "$out")"
html="${out%.png}.html"
swift build --product tokenomics >/dev/null 2>&1
.build/debug/tokenomics model "$scenario" --format html -o "$html" --no-user-catalog
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome)"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,2600 \
    --screenshot="$out" "file://$(realpath "$html")" 2>/dev/null
size=$(stat -c %s "$out")
# A blank page compresses to a few kilobytes; charts and tables make it much larger.
if [ "$size" -lt 40000 ]; then
    echo "screenshot $out is only $size bytes: the report did not render" >&2
    exit 1
fi
echo "$out ($size bytes) from $html"
