#!/usr/bin/env bash
# What Redis spends per fan on opening day (`make redis-cost`): the `make demo` surge (FANS fans,
# 20,000; same seed, same config) run twice on a fresh private Redis each time:
#   1. Redis' CPU per admitted fan, clean: nothing logged (--no-redis-log);
#   2. the same with every command logged (SLOWLOG at 0 us): each script's calls, usec_per_call
#      and redis.calls per call (the logging costs Redis ~0.4 us per command, in its CPU there).
# Then both "redis cost" sections, and 3. the floor under them on this machine
# (scripts/redis_floor.py, on a private Redis of its own at the surge's rate of calls: what a lone
# round trip costs Redis before any work, and the scripts' cost inside Redis when hot).
# Reports in loadtest-out/redis-cost-{cpu,scripts}/ (and .txt).
# Usage: bash scripts/redis_cost.sh [BUILD]   (FANS=20000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
section() { sed -n '/^== redis cost/,/^-- audit/p' "$1" | sed '$d'; }
for kind in cpu scripts; do
  extra=(); [ "$kind" = cpu ] && extra=(--no-redis-log)
  echo "== opening day, redis cost: $kind (bash scripts/surge.sh ${extra[*]})"
  mkdir -p loadtest-out; OUT=loadtest-out/redis-cost-$kind BUILD=$BUILD bash scripts/surge.sh "${extra[@]}" > "loadtest-out/redis-cost-$kind.txt" 2>&1 \
    || { tail -30 "loadtest-out/redis-cost-$kind.txt"; echo "the surge failed (its output above)"; exit 1; }
  grep -E '^RESULT' "loadtest-out/redis-cost-$kind.txt"
done
echo
echo "-- 1. nothing logged: Redis' CPU per admitted fan"
section loadtest-out/redis-cost-cpu.txt
echo
echo "-- 2. every command logged: per script"
section loadtest-out/redis-cost-scripts.txt
echo
echo "-- 3. the floor on this machine (scripts/redis_floor.py)"
read -r rate per_fan < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["redis_cost"]
print("%.0f %.2f" % (r["commands"] / r["seconds"], r["commands"] / r["admitted"]))' loadtest-out/redis-cost-scripts/report.json)
source scripts/lib.sh
floor_dir=$(mktemp -d /tmp/guichet-floor-XXXXXX)
floor_port=$(free_port)
start_redis "$floor_dir" "$floor_port"
trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; rm -rf "$floor_dir"' EXIT
python3 scripts/redis_floor.py "$floor_port" "$rate" 10 "$per_fan"
