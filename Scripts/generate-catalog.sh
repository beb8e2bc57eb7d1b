#!/usr/bin/env bash
# Regenerates the bundled price catalog, Sources/Pricing/Resources/catalog.tsv, from LiteLLM's
# price map (model_prices_and_context_window_backup.json as shipped in a litellm release).
#
#   Scripts/generate-catalog.sh [SOURCE.json] [LITELLM_VERSION]
#
# Defaults: ../shared/data/prices/litellm-model-prices.json, litellm 1.110.2. The conversion is
# the same code `tokenomics prices import` uses (Sources/Pricing/LiteLLMImporter.swift): it keeps
# chat, completion, embedding and responses models with per-token prices and rounds every rate to
# 12 significant digits. The source's name, version, SHA-256 and the date are recorded in the
# catalog's header (`tokenomics prices info` prints them).
set -euo pipefail
cd "$(dirname "$0")/.."
source_file="${1:-../shared/data/prices/litellm-model-prices.json}"
version="${2:-litellm 1.110.2}"
sha=$(sha256sum "$source_file" | cut -d' ' -f1)
swift build -c release --product tokenomics >/dev/null
"$(swift build -c release --show-bin-path)/tokenomics" prices convert "$source_file" \
  -o Sources/Pricing/Resources/catalog.tsv \
  --source-name "LiteLLM model_prices_and_context_window_backup.json" \
  --source-version "$version" --sha256 "$sha" --date "$(date -u +%Y-%m-%d)"
