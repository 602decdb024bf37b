#!/usr/bin/env bash
# The main job on the sample data: install, materialize every month in data/exports, summarize.
# Runs are recorded in the local Dagster instance (dagster_home/), so the UI (`bash scripts/ui.sh`) shows them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
mkdir -p "$DAGSTER_HOME/logs"
months=()
for folder in "$HYGIENE_DATA_DIR"/exports/*/; do
  months+=("$(basename "$folder")")
done
for month in "${months[@]}"; do
  log="$DAGSTER_HOME/logs/materialize-$month.log"
  echo "== materializing $month (log: $log)"
  if ! .venv/bin/dg launch --assets '*' \
      --partition "$month-01" >"$log" 2>&1; then
    echo "!! $month failed; the end of its log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
done
echo "== summary"
.venv/bin/python -m hygiene_pipeline.report.summary --data-dir "$HYGIENE_DATA_DIR" "${months[@]}"
