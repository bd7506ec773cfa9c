#!/usr/bin/env bash
# Runs every test of jixiao on a fresh machine: fetches the OCR runtime and models (scanned
# samples are part of the golden run), installs LibreOffice Calc and openpyxl for the
# spreadsheet test, Slurm, munge, DuckDB and kubernetes-validate for the deployment tests
# (scripts/deploy-tools.sh), then runs the whole workspace's test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-models.sh
scripts/spreadsheet-tools.sh
scripts/deploy-tools.sh
cargo test --workspace --release --no-fail-fast "$@"
