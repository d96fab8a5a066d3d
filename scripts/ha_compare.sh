#!/usr/bin/env bash
# Holds per second with redis.replicas_ack = 1 (every hold acknowledged by a replica, WAIT
# group-committed per batch) vs replicas_ack = 0, on the same Redis topology in one run: a primary,
# two replicas, three sentinels; two gateways (one per setting) found through the sentinels,
# measured alternately with the same wrk load (1 ticket per hold, distinct shoppers, fresh
# Idempotency-Keys). Loopback only; each load is bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${1:-build}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
SHOPPERS=${SHOPPERS:-20000}
run=$(mktemp -d /tmp/guichet-ha-compare-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT INT TERM
fresh_keys

start_ha "$run/ha"; pids+=("${HA_SENTINEL_PIDS[@]}" "${HA_NODE_PIDS[@]}")
primary=${HA_NODES[0]}
ports=()
for ack in 0 1; do
  port=$(free_port); ports+=("$port")
  cfg=$(config_for "$run" "$port" "$primary" config/dev.toml)
  sed -i -e 's/^level = .*/level = "warn"/' -e 's/^DEMO1 = .*/DEMO1 = { name = "bench", categories = { A = 100000000 } }/' \
      -e 's/^account_rate = .*/account_rate = 0/' -e '/^reconnect_m..\? = /d' "$cfg"
  awk -v extra="$(ha_redis_toml "$ack")" '{print} /^\[redis\]/{print extra}' "$cfg" > "$run/ack$ack.toml"
  [ "$ack" = 0 ] && "$BUILD/gateway/guichet" --config "$run/ack$ack.toml" --load-inventory >/dev/null
  "$BUILD/gateway/guichet" --config "$run/ack$ack.toml" 2>"$run/guichet$ack.log" & pids+=($!)
  wait_ready "$port"
done
scripts/access_tokens.py "$primary" demo open "$SHOPPERS" > "$run/tokens.txt"
redis-cli -p "$primary" wait 2 5000 >/dev/null

holds() {  # PORT -> holds/s (every answer must be 201)
  local out
  out=$(TOKENS="$run/tokens.txt" HOLD_PATH=/editions/demo/phases/open/holds wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" \
        -s scripts/wrk_holds.lua "http://127.0.0.1:$1")
  if grep -q Non-2xx <<<"$out"; then echo "non-2xx answers on port $1:" >&2; grep Non-2xx <<<"$out" >&2; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
echo "== holds through the gateway, replicas_ack = 0 vs 1 (wrk -t$THREADS -c$CONNS -d$DURATION, alternating)"
s0=0; s1=0
for round in 1 2; do
  r0=$(holds "${ports[0]}"); r1=$(holds "${ports[1]}")
  printf 'round %d: replicas_ack=0 %10.0f holds/s   replicas_ack=1 %10.0f holds/s\n' "$round" "$r0" "$r1"
  s0=$(python3 -c "print($s0 + $r0)"); s1=$(python3 -c "print($s1 + $r1)")
done
ratio=$(python3 -c "print('%.2f' % ($s1 / $s0))")
verdict=$(python3 -c "print('PASS' if $s1 / $s0 >= 0.8 else 'FAIL')")
printf 'replicas_ack=1 / replicas_ack=0: %s (target >= 0.80: %s)\n' "$ratio" "$verdict"
shortfalls=$(curl -fsS "http://127.0.0.1:${ports[1]}/metrics" | awk '/^guichet_redis_wait_shortfalls_total/ {print $2}')
echo "WAIT shortfalls on the replicas_ack=1 gateway: $shortfalls"
