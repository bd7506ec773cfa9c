#!/usr/bin/env bash
# The main job on the bundled samples: ingest every sample PDF into out/ and print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-models.sh
rm -rf out
status=0
cargo run --quiet --release -p jixiao -- ingest samples --out out || status=$?
echo
echo "datasets written to out/:"
ls -lL out
exit "$status"
