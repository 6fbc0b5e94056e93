#!/usr/bin/env bash
# A parameter sweep as a Slurm job array: task i of 4 runs shard i (SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT are read by dca-backtest; the array must start at 0), each into its own
# database; a dependent job merges them:
#   jobid=$(sbatch --parsable deploy/slurm-sweep.sh)
#   sbatch --dependency=afterok:$jobid --wrap "dca-backtest merge results/sweep.sqlite results/shard-*.sqlite"
#SBATCH --job-name=dca-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
mkdir -p results
dca-backtest sweep --config data/bot.json --grid data/grid.json --data data/candles.csv.gz \
  --orders none --jobs "${SLURM_CPUS_PER_TASK:-2}" --resume \
  --db "results/shard-${SLURM_ARRAY_TASK_ID}.sqlite"
