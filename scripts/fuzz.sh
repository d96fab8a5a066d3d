#!/usr/bin/env bash
# libFuzzer harnesses (fuzz/), built with clang and ASan+UBSan in build-fuzz, each run for
# FUZZ_SECONDS (default 60) from its seed corpus (fuzz/corpus/<harness>, copied: the repository's
# seeds are not rewritten). Prints each harness's executions, coverage and speed; fails on any
# finding (the crashing input is kept in build-fuzz/findings/). FUZZ_ONLY=name runs one harness.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${JOBS:-$(nproc)}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGUICHET_FUZZ=ON -DGUICHET_TESTS=OFF \
    -DGUICHET_BENCH=OFF >/dev/null
fi
cmake --build "$BUILD" -j "$JOBS" >/dev/null
mkdir -p "$BUILD/corpus" "$BUILD/findings"
harnesses=$(cd "$BUILD/fuzz" && find . -maxdepth 1 -type f -executable -name '*_fuzz' -printf '%f\n' | sort)
[ -n "${FUZZ_ONLY:-}" ] && harnesses=$FUZZ_ONLY
failed=0
printf '%-20s %12s %10s %8s %8s  %s\n' harness execs "execs/s" cov ft result
for h in $harnesses; do
  work="$BUILD/corpus/$h"
  mkdir -p "$work"
  cp -n fuzz/corpus/"$h"/* "$work"/ 2>/dev/null || true
  log="$BUILD/$h.log"
  set +e
  ASAN_OPTIONS=detect_leaks=1 "$BUILD/fuzz/$h" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/findings/$h-" "$work" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
  ft=$( (grep -o 'ft: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
  result=ok
  if [ $rc -ne 0 ]; then result="FINDING (see $log, $BUILD/findings/)"; failed=1; fi
  printf '%-20s %12s %10s %8s %8s  %s\n' "$h" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
if [ $failed -ne 0 ]; then
  echo "fuzz: FAIL"
  exit 1
fi
echo "fuzz: PASS (${SECONDS_EACH} s per harness, 0 findings)"
