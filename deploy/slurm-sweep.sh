#!/usr/bin/env bash
# A parameter sweep as a Slurm job array: task i of N runs shard i (dca-backtest reads
# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; the array must start at 0), each into its own
# database; a dependent job merges them:
#   jobid=$(sbatch --parsable deploy/slurm-sweep.sh)
#   sbatch --dependency=afterok:$jobid --wrap "dca-backtest merge results/sweep.sqlite results/shard-*.sqlite"
# The inputs default to the paths below; override them in the environment that sbatch exports
# (sbatch passes the submitting shell's environment by default):
#   DCA_BACKTEST  the binary (default: dca-backtest on the PATH)
#   SWEEP_CONFIG  bot configuration (default data/bot.json)
#   SWEEP_GRID    grid file (default data/grid.json)
#   SWEEP_DATA    candle file(s), space-separated (default data/candles.csv.gz)
#   SWEEP_RESULTS folder for the shard databases (default results)
# scripts/cluster-test.sh submits this very file to a one-node Slurm started on localhost.
#SBATCH --job-name=dca-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
results="${SWEEP_RESULTS:-results}"
mkdir -p "$results"
# shellcheck disable=SC2086 # SWEEP_DATA is a list of files
"${DCA_BACKTEST:-dca-backtest}" sweep --config "${SWEEP_CONFIG:-data/bot.json}" --grid "${SWEEP_GRID:-data/grid.json}" \
  --data ${SWEEP_DATA:-data/candles.csv.gz} \
  --orders none --jobs "${SLURM_CPUS_PER_TASK:-2}" --resume \
  --db "$results/shard-${SLURM_ARRAY_TASK_ID}.sqlite"
