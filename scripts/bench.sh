#!/usr/bin/env bash
# Runs every Google Benchmark binary in BUILD/bench.
set -euo pipefail
BUILD=${1:-build}
for b in "$BUILD"/bench/*_bench; do
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.2
done
