#!/usr/bin/env bash
# The `full` convergence sweep as a Slurm job array: one array task per shard, then one merge.
#
#   sbatch --array=0-$((N-1)) scripts/slurm_sweep.sh          # the shards (N = SHARDS below)
#   sbatch --dependency=afterok:JOBID scripts/slurm_sweep.sh merge
#
# or submit both at once with `scripts/slurm_sweep.sh submit`. Each shard runs every N-th part of
# the sweep (`convergence --shard I/N`) into $SHARD_DIR/convergence.shard-I-of-N/; the merge checks
# that the shards ran the same sweep, cover it exactly once and hold what its parts compute, and
# writes the report directory results/convergence/ exactly as an unsharded run would (only the timing columns differ). Adapt the #SBATCH lines to
# your cluster; the binary is built once, before submitting (`cargo build --release -p hh-eval`).
#
#SBATCH --job-name=hh-convergence
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%x-%A_%a.out
set -euo pipefail

SHARDS=${SHARDS:-16}
PROFILE=${PROFILE:-full}
SHARD_DIR=${SHARD_DIR:-shards}
OUT=${OUT:-results/convergence}
BIN=${BIN:-target/release/convergence}

case "${1:-shard}" in
submit)
    jobid=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$0")
    sbatch --dependency=afterok:"$jobid" "$0" merge
    ;;
shard)
    : "${SLURM_ARRAY_TASK_ID:?run as a job array: sbatch --array=0-$((SHARDS - 1)) $0}"
    # Each task uses the cores Slurm gave it (rayon reads RAYON_NUM_THREADS).
    export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-2}
    "$BIN" --profile "$PROFILE" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --out "$SHARD_DIR/convergence"
    ;;
merge)
    "$BIN" --out "$OUT" --merge "$SHARD_DIR"/convergence.shard-*-of-"$SHARDS"
    ;;
*)
    echo "usage: $0 [submit|shard|merge]" >&2
    exit 2
    ;;
esac
