#!/usr/bin/env bash
# The main job: opening day on this machine. A private redis-server and the gateway with
# loadtest/surge.toml (registration open now, slots opening in a few seconds), then the
# harness: FANS fans register, the draw runs, they arrive around their slots, queue, buy; the
# report and the audit follow; everything started here is stopped. Extra arguments go to
# guichet-loadtest (e.g. --misbehave 0.1). Outputs stay in $OUT (default loadtest-out/).
#
# --ha: the same opening day on Redis as production runs it (a primary, two replicas, three
# redis-sentinel processes; the gateway finds the primary through the sentinels and waits for
# one replica to acknowledge every sale, replicas_ack = 1), and the primary is killed with
# SIGKILL in the middle of the purchases. The report shows when the gateway could not answer;
# the audit, reading the promoted replica, must still find every sale.
#
# --fleet N: N gateways sharing the Redis, behind nginx as load balancer and caching proxy
# standing in for the CDN (deploy/nginx/guichet-cdn.conf). The harness goes through the proxy;
# after the report, the offload: per endpoint, requests the proxy saw and requests that reached
# the gateways (also in $OUT/offload.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${BUILD:-build}
FANS=${FANS:-20000}
OUT=${OUT:-loadtest-out}
run=$(mktemp -d /tmp/guichet-surge-XXXXXX)
pids=()
ha=0
fleet=0
args=()
while (( $# )); do
  case $1 in
    --ha) ha=1 ;;
    --fleet) fleet=${2:?--fleet needs a number of gateways}; shift ;;
    --fleet=*) fleet=${1#--fleet=} ;;
    *) args+=("$1") ;;
  esac
  shift
done
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

gw_port=$(free_port)
if (( ha )); then
  start_ha "$run/ha"; pids+=("${HA_SENTINEL_PIDS[@]}" "${HA_NODE_PIDS[@]}")
  redis_port=${HA_NODES[0]}
  echo "redis: primary 127.0.0.1:${HA_NODES[0]}, replicas ${HA_NODES[1]} ${HA_NODES[2]}, sentinels $HA_SENTINELS_TOML"
else
  redis_port=$(free_port)
  start_redis "$run/redis" "$redis_port"; pids+=("$REDIS_PID")
fi
fresh_keys

# Times from now: registration while the harness registers everyone, then the draw, then the
# slots (the pre-queue opens 10 s before each). Sizes scale with the crowd.
now=$(date +%s)
reg_s=$(( 8 + FANS / 10000 ))
club=$(( now + reg_s + 14 ))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
rate() { local r=$(( $1 / 40 )); (( r < 100 )) && r=100; (( r > 2000 )) && r=2000; echo $r; }
club_w=$(( FANS * 3 / 40 )); all_w=$(( FANS * 3 / 10 )); single_w=$(( FANS * 3 / 20 ))
sed -e "s/@GATEWAY_PORT@/$gw_port/" -e "s/@REDIS_PORT@/$redis_port/" \
    -e "s/@REG_OPENS@/$(iso $(( now - 3600 )))/" -e "s/@REG_CLOSES@/$(iso $(( now + reg_s )))/" \
    -e "s/@CLUB_START@/$(iso $club)/" -e "s/@ALL_START@/$(iso $(( club + 15 )))/" \
    -e "s/@SINGLE_START@/$(iso $(( club + 5 )))/" \
    -e "s/@CLUB_WINNERS@/$club_w/" -e "s/@ALL_WINNERS@/$all_w/" -e "s/@SINGLE_WINNERS@/$single_w/" \
    -e "s/@PACKS_RATE@/$(rate $(( club_w + all_w )))/" -e "s/@SINGLE_RATE@/$(rate $single_w)/" \
    -e "s/@PACKS_ACTIVE@/$(( $(rate $(( club_w + all_w ))) * 30 ))/" -e "s/@SINGLE_ACTIVE@/$(( $(rate $single_w) * 30 ))/" \
    -e "s/@SEATS_L@/$(( FANS / 2 ))/g" -e "s/@SEATS_M@/$(( FANS / 4 ))/g" -e "s/@SEATS_S@/$(( FANS / 8 ))/g" \
    loadtest/surge.toml > "$run/guichet.toml"
if (( ha )); then  # the [redis] section goes through the sentinels
  awk -v extra="$(ha_redis_toml 1)" '{print} /^\[redis\]/{print extra}' "$run/guichet.toml" > "$run/ha.toml"
  mv "$run/ha.toml" "$run/guichet.toml"
fi
"$BUILD/gateway/guichet" --config "$run/guichet.toml" --check-config >/dev/null
"$BUILD/gateway/guichet" --config "$run/guichet.toml" --load-inventory | tail -1
"$BUILD/gateway/guichet" --config "$run/guichet.toml" 2>"$run/guichet.log" & pids+=($!)
wait_ready "$gw_port"
echo "gateway on 127.0.0.1:$gw_port, redis-server on 127.0.0.1:$redis_port; config $run/guichet.toml"
target=()
if (( fleet > 0 )); then
  start_fleet "$run/guichet.toml" "$fleet" "$BUILD" "$run/guichet.log"
  pids+=("${FLEET_PIDS[@]}"); nginx_pid=$NGINX_PID; nginx_port=$NGINX_PORT
  echo "fleet: $fleet gateways behind nginx (load balancer and cache) on 127.0.0.1:$nginx_port"
  target=(--target "127.0.0.1:$nginx_port")
fi
mkdir -p "$OUT"
cp "$run/guichet.toml" "$OUT/guichet.toml"
set +e
"$BUILD/loadtest/guichet-loadtest" surge --config "$run/guichet.toml" --fans "$FANS" --mix packs:0.7,single:0.3 \
  --out "$OUT" "${target[@]}" "${args[@]}" &
harness=$!
if (( ha )); then
  # The middle of the purchases: 8 s after the first slot opens.
  sleep $(( club + 8 - $(date +%s) ))
  read -r _ old_port < <(ha_primary)
  for k in "${!HA_NODES[@]}"; do
    [ "${HA_NODES[$k]}" = "$old_port" ] && kill -9 "${HA_NODE_PIDS[$k]}"
  done
  killed=$(date +%s.%N)
  echo "== fault: SIGKILL of the Redis primary 127.0.0.1:$old_port at $(date -u +%H:%M:%S.%3N)Z"
  for _ in $(seq 300); do
    read -r _ new_port < <(ha_primary)
    if [ "$new_port" != "$old_port" ] && [ "$(redis-cli -p "$new_port" role 2>/dev/null | head -1)" = master ]; then
      echo "== failover: the sentinels promoted 127.0.0.1:$new_port $(awk -v a="$(date +%s.%N)" -v b="$killed" 'BEGIN{printf "%.2f", a-b}') s after the kill"
      break
    fi
    sleep 0.1
  done
fi
wait "$harness"
rc=$?
set -e
if (( fleet > 0 )); then
  kill -QUIT "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true  # flushes the access log
  # Offload per endpoint: what the proxy saw, what reached a gateway ($upstream_addr is "-"
  # when the cache answered).
  awk '
    function ep(m, u) {
      if (u ~ /^\/rooms\/[^\/]+\/[^\/]+\/state$/) return "state";
      if (u ~ /\/availability$/) return "availability";
      if (u ~ /^\/rooms\/[^\/]+\/[^\/]+\/(register|join|position|admit|heartbeat)$/) { sub(/.*\//, "", u); return u }
      if (u ~ /\/holds$/) return "hold";
      if (u ~ /\/confirm$/) return "confirm";
      if (m == "DELETE") return "release";
      if (u ~ /^\/(wait|shop|register|static)\//) return "pages";
      return "other";
    }
    { e = ep($1, $2); seen[e]++; if ($5 != "-") origin[e]++; total++; if ($5 != "-") to++
      if (e != "state" && e != "availability" && e != "pages" && $4 != "-") looked++ }
    END {
      printf "\n-- offload: requests the proxy saw vs requests that reached the %d gateways\n", n;
      printf "%-14s %10s %10s %9s\n", "endpoint", "proxy", "origins", "offload";
      for (e in seen) printf "%-14s %10d %10d %8.1f%%\n", e, seen[e], origin[e], 100 * (seen[e] - origin[e]) / seen[e];
      printf "%-14s %10d %10d %8.1f%%\n", "all", total, to, total ? 100 * (total - to) / total : 0;
      printf "personal or uncacheable requests that went through the cache: %d\n", looked;
    }' n="$fleet" "$NGINX_DIR/access.log" | tee "$OUT/offload.txt"
fi
# Fairness side by side: a direct run's report is kept as report-direct.json, a fleet run's as
# report-fleet.json, which is then printed next to the last direct one.
if [ ! -f "$OUT/report.json" ]; then
  :
elif (( fleet > 0 )); then
  cp "$OUT/report.json" "$OUT/report-fleet.json"
  python3 scripts/fairness_side_by_side.py "$OUT/report-direct.json" "$OUT/report-fleet.json" "$OUT/offload.txt" |
    tee -a "$OUT/offload.txt"
elif (( ! ha )); then
  cp "$OUT/report.json" "$OUT/report-direct.json"
fi
if grep -q '"level":"error"' "$run/guichet.log"; then
  echo "gateway errors logged during the run:"; grep -m 20 '"level":"error"' "$run/guichet.log"
fi
exit $rc
