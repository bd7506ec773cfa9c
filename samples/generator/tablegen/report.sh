#!/bin/sh
# Generates random tables with known truth and prints jixiao's cell accuracy, broken down by
# producer, orientation, rules, border style, outer border, shading, pages, font …
# Usage: samples/generator/tablegen/report.sh [TABLES=2200] [SEED=1000] [DIR]
# Needs the producers (samples/generator/tablegen/README.md); the failures are written to
# DIR/failures.txt. JOBS (default 2) sets the producers' parallelism.
# TABLES is asked for; documents a producer cannot lay out or that hide a character are
# skipped (about 8 %), hence the default above 2,000.
set -eu
tables=${1:-2200}
seed=${2:-1000}
dir=${3:-${TMPDIR:-/tmp}/jixiao-tablegen-$seed-$tables}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir"
  start=$(date +%s)
  python3 "$here" --out "$dir" --seed "$seed" --tables "$tables" --jobs "${JOBS:-2}"
  echo "generated in $(( $(date +%s) - start )) s"
  touch "$dir/.done"
fi
cd "$root"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(uptime | sed 's/.*load average: //')"
JIXIAO_TABLEGEN_DIR="$dir" JIXIAO_TABLEGEN_FAILURES="$dir/failures.txt" \
  cargo test -p jixiao-extract --release --test tablegen -- --ignored --nocapture report_on_a_generated_directory
