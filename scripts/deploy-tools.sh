#!/usr/bin/env bash
# Installs what the deployment tests need, when missing, and prints how long it took:
#   - a single-node Slurm cluster's programs (Debian slurmctld, slurmd, slurm-client, munge;
#     no recommended packages) for crates/cli/tests/slurm.rs, which starts the daemons itself;
#   - DuckDB (pip duckdb) for crates/cli/tests/duckdb.rs, which reads the Parquet files;
#   - kubernetes-validate (pip; ships the Kubernetes schemas, works offline) for
#     crates/cli/tests/k8s.rs.
# Without root or apt-get, the Slurm part is left to the user (the Slurm test then skips,
# except under CI).
set -euo pipefail
start=$(date +%s)
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            slurmctld slurmd slurm-client munge >/dev/null
    else
        echo "deploy tools: Slurm not installed (Debian: slurmctld slurmd slurm-client munge)" >&2
    fi
fi
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install -q duckdb==2.0.1
python3 -c 'import kubernetes_validate' 2>/dev/null \
    || python3 -m pip install -q kubernetes-validate==1.37.0
echo "deploy tools ready in $(($(date +%s) - start)) s"
