#!/usr/bin/env bash
# An idle fleet costs Redis about what one gateway does (the fleet lease: one gateway refreshes
# the rooms and seats and reaps for all): 6 gateways of 2 workers each, config/dev.toml, no fans,
# must cost Redis at most 1.3 times the commands per second of 1 gateway (counted by Redis: INFO
# stats, the scripts' inner commands included). Before the lease it was 6 times. Redis' CPU ratio
# is printed, not asserted: it is a fraction of a percent of a core, at the mercy of this shared
# machine (`make sizing` takes the median of several rounds).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(GATEWAYS=6 THREADS=2 WINDOW=4 ROUNDS=1 bash scripts/idle_fleet.sh "${BUILD:-build}")
echo "$out"
ratio=$(sed -n 's/^idle fleet: commands ratio \([0-9.]*\).*/\1/p' <<<"$out")
[ -n "$ratio" ] || { echo "FAIL: no commands ratio in the output"; exit 1; }
python3 -c "import sys; r = float('$ratio'); sys.exit(0 if r <= 1.3 else 1)" \
  || { echo "FAIL: 6 idle gateways cost Redis ${ratio}x the commands of 1 (must be <= 1.3x)"; exit 1; }
echo "ok: 6 idle gateways cost Redis ${ratio}x the commands per second of 1"
