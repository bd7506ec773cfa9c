#!/bin/bash
# Submits a sharded ingest of INPUT... as an N-task Slurm job array, and the merge job that
# runs when every task succeeded. Prints the two job ids.
#
#   JIXIAO_WORK=/shared/jixiao-2026 deploy/slurm/submit.sh N INPUT... [-- SBATCH_OPTION...]
#
# Options after `--` go to both sbatch calls (e.g. --partition=..., --account=...).
set -euo pipefail
usage() { echo "usage: JIXIAO_WORK=DIR $0 N INPUT... [-- SBATCH_OPTION...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
n=$1; shift
[[ $n =~ ^[1-9][0-9]*$ ]] || usage
: "${JIXIAO_WORK:?set JIXIAO_WORK to a directory on the shared file system}"
inputs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do inputs+=("$1"); shift; done
[ $# -gt 0 ] && shift
[ ${#inputs[@]} -gt 0 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$JIXIAO_WORK/logs"
array=$(sbatch --parsable "$@" --array="0-$((n - 1))" \
    --output="$JIXIAO_WORK/logs/ingest-%A_%a.log" \
    "$here/ingest-array.sbatch" "${inputs[@]}")
array=${array%%;*}
merge=$(sbatch --parsable "$@" --dependency="afterok:$array" \
    --output="$JIXIAO_WORK/logs/merge-%j.log" \
    "$here/merge.sbatch")
echo "$array ${merge%%;*}"
