#!/usr/bin/env bash
# Screen one list against the latest stored month, from the command line (the UI's sensor does the
# same for every file dropped in screening/): bash scripts/screen-list.sh path/to/list.csv
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: bash scripts/screen-list.sh path/to/list.(csv|tsv|txt|xlsx)" >&2
  exit 2
fi
source scripts/env.sh
folder="$HYGIENE_DATA_DIR/screening"
mkdir -p "$folder"
name="$(basename "$1")"
if [ "$(realpath "$1")" != "$(realpath -m "$folder/$name")" ]; then
  cp -- "$1" "$folder/$name"
fi
config="$(.venv/bin/python -c 'import json, sys; print(json.dumps({"ops": {"screen_list_file": {"config": {"file": sys.argv[1]}}}}))' "$name")"
.venv/bin/dg launch --job screening_job --config-json "$config"
echo "== files in $HYGIENE_DATA_DIR/out/screening/${name%.*}/"
