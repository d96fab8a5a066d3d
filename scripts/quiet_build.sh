#!/usr/bin/env bash
# quiet_build.sh DIR [cmake options...]: configures and builds DIR, and fails when the build
# printed a compiler warning or a #pragma message (a newcomer reads either as trouble).
set -euo pipefail
dir=$1
shift
cmake -S "$(dirname "$0")/.." -B "$dir" "$@" >/dev/null
log=$dir/build.log
cmake --build "$dir" -j "$(nproc)" 2>&1 | tee "$log" | grep -E '^\[100%\]|rror' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "quiet_build: the build of $dir failed (see $log)" >&2; exit 1; }
if grep -nE 'warning:|#pragma message|note: ' "$log"; then
  echo "quiet_build: the build of $dir is not quiet: the lines above (in $log)" >&2
  exit 1
fi
echo "quiet_build: $dir built, no warning, no pragma message"
