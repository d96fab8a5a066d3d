#!/usr/bin/env bash
# What an idle fleet costs Redis: 1 gateway, then GATEWAYS gateways (each THREADS workers, the
# rooms and editions of config/dev.toml, no fans), each for WINDOW seconds after it is ready, ROUNDS
# times; Redis' commands per second (INFO stats, inner script commands included) and its CPU
# (INFO cpu) over each window, the median of the rounds, and the ratio N/1. A private
# redis-server per measurement; everything started is stopped.
# Usage: bash scripts/idle_fleet.sh [BUILD]   (GATEWAYS=6 THREADS=2 WINDOW=8 ROUNDS=3)
# Prints "idle fleet: commands ratio R" and "idle fleet: cpu ratio R" last (tests read them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${1:-build}
GATEWAYS=${GATEWAYS:-6}
THREADS=${THREADS:-2}
WINDOW=${WINDOW:-8}
ROUNDS=${ROUNDS:-3}
run=$(mktemp -d /tmp/guichet-idle-fleet-XXXXXX)
pids=()
stop_all() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait "${pids[@]}" 2>/dev/null || true; pids=(); }
cleanup() { stop_all; rm -rf "$run"; }
trap cleanup EXIT INT TERM
fresh_keys
info() { redis-cli -p "$1" info "$2" | tr -d '\r'; }

measure() {  # N -> "commands/s cpu%"
  local n=$1 rp gp cfg i p c1 u0 u1
  rm -rf "$run/redis"; rp=$(free_port); start_redis "$run/redis" "$rp"; pids+=("$REDIS_PID")
  gp=$(free_port); cfg=$(config_for "$run" "$gp" "$rp" config/dev.toml)
  sed -i -e "s/^threads = .*/threads = $THREADS/" -e 's/^level = .*/level = "warn"/' "$cfg"
  "$BUILD/gateway/guichet" --config "$cfg" --load-inventory >/dev/null
  for i in $(seq 1 "$n"); do
    p=$(free_port); sed "0,/^port = .*/s//port = $p/" "$cfg" > "$run/g$i.toml"
    "$BUILD/gateway/guichet" --config "$run/g$i.toml" 2>>"$run/guichet.log" & pids+=($!)
    wait_ready "$p"
  done
  sleep 1  # every gateway past its first rounds
  redis-cli -p "$rp" config resetstat >/dev/null
  u0=$(info "$rp" cpu | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {print s}')
  sleep "$WINDOW"
  c1=$(info "$rp" stats | sed -n 's/^total_commands_processed://p')
  u1=$(info "$rp" cpu | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {print s}')
  stop_all
  python3 -c "print('%.1f %.3f' % (($c1 - 1) / $WINDOW, ($u1 - $u0) / $WINDOW * 100))"  # less the INFO itself
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "idle fleet: config/dev.toml, $THREADS workers per gateway, no fans; Redis over ${WINDOW} s windows, $ROUNDS rounds"
printf '%-10s %-8s %14s %12s\n' "gateways" "round" "commands/s" "redis cpu %"
: > "$run/one"; : > "$run/many"
for r in $(seq 1 "$ROUNDS"); do
  for n in 1 "$GATEWAYS"; do
    read -r c u < <(measure "$n")
    printf '%-10s %-8s %14s %12s\n' "$n" "$r" "$c" "$u"
    [ "$n" = 1 ] && echo "$c $u" >> "$run/one" || echo "$c $u" >> "$run/many"
  done
done
c1=$(awk '{print $1}' "$run/one" | median); u1=$(awk '{print $2}' "$run/one" | median)
cn=$(awk '{print $1}' "$run/many" | median); un=$(awk '{print $2}' "$run/many" | median)
printf '%-10s %-8s %14s %12s\n' "1" "median" "$c1" "$u1" "$GATEWAYS" "median" "$cn" "$un"
python3 -c "print('idle fleet: commands ratio %.2f (target <= 1.3)' % ($cn / $c1))"
python3 -c "print('idle fleet: cpu ratio %.2f (target <= 1.3)' % ($un / $u1))"
