#!/usr/bin/env bash
# Runs the benchmarks and compares them with the thresholds committed in Benchmarks/Thresholds
# (p90 values; tolerances are in Benchmarks/EngineBenchmarks/Benchmarks.swift).
#   scripts/bench-check.sh               every suite (make bench-check)
#   scripts/bench-check.sh allocations   only the allocation gate (make bench-allocations, CI)
# package-benchmark exits 2 for a regression and 4 when it found only improvements: an
# improvement passes (refresh the thresholds with `make bench-thresholds` to keep it).
set -uo pipefail
cd "$(dirname "$0")/../Benchmarks"  # the benchmarks' own package
filter=(--filter '.*')
[ "${1:-}" = "allocations" ] && filter=(--filter 'Allocations_.*')
log=$(mktemp)
swift package --allow-writing-to-package-directory benchmark thresholds check \
  --path Thresholds --target EngineBenchmarks "${filter[@]}" --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  echo "bench-check: within the thresholds."
elif [ "$status" -eq 4 ] && ! grep -q "benchmarkThresholdRegression" "$log"; then
  echo "bench-check: only improvements beyond the thresholds (run 'make bench-thresholds' to record them)."
  status=0
else
  echo "bench-check: REGRESSION beyond the thresholds (exit $status); see the table above." >&2
  [ "$status" -eq 0 ] && status=1
fi
rm -f "$log"
exit "$status"
