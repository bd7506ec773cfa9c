#!/usr/bin/env bash
# The main job on the bundled samples: ingest every sample PDF into out/ and print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-models.sh
cargo build --release -p jixiao
rm -rf out
status=0
target/release/jixiao ingest samples --out out || status=$?
echo
echo "datasets written to out/:"
ls -l out
exit "$status"
