#!/usr/bin/env bash
# The numbers behind docs/operations.md "Sizing", measured on this machine in one run (loopback;
# the machine is shared by the load and the servers, so read them as orders of magnitude):
#   1. gateway memory per idle keep-alive connection (IDLE connections, each after one request)
#   2. gateway CPU per request, per endpoint (wrk; the process's CPU ticks over its requests)
#      -> cores per 10,000 requests/s
#   3. position polls (token checked, never cached) on one gateway straight, then through nginx
#      (deploy/nginx/guichet-cdn.conf) to one gateway, then to GATEWAYS gateways: same wrk
#   Redis memory per fan is in every surge report (`make demo`): "redis memory ...".
#   4. an idle fleet: Redis commands/s and CPU with 1 gateway and with FLEET (6), no fans
#      (scripts/idle_fleet.sh: the median of 3 rounds of 8 s)
# Usage: bash scripts/sizing.sh [BUILD]   (DURATION=5s IDLE=5000 GATEWAYS=2 CONNS=64 FLEET=6)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${1:-build}
DURATION=${DURATION:-5s}
IDLE=${IDLE:-5000}
GATEWAYS=${GATEWAYS:-2}
CONNS=${CONNS:-64}
run=$(mktemp -d /tmp/guichet-sizing-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT INT TERM
fresh_keys
ulimit -n "$((IDLE + 40000))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

redis_port=$(free_port); gw_port=$(free_port)
start_redis "$run/redis" "$redis_port"; pids+=("$REDIS_PID")
redis-cli -p "$redis_port" config set appendonly no >/dev/null
cfg=$(config_for "$run" "$gw_port" "$redis_port" config/dev.toml)
sed -i -e 's/^level = .*/level = "warn"/' -e 's/^per_ip_rate = .*/per_ip_rate = 0/' \
    -e "s/^max_connections = .*/max_connections = $((IDLE + 1024))/" \
    -e 's/^DEMO1 = .*/DEMO1 = { name = "bench", categories = { A = 100000000 } }/' "$cfg"
"$BUILD/gateway/guichet" --config "$cfg" --load-inventory >/dev/null
"$BUILD/gateway/guichet" --config "$cfg" 2>"$run/guichet.log" & gw_pid=$!; pids+=($gw_pid)
wait_ready "$gw_port"
GW=http://127.0.0.1:$gw_port
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "== 1. memory per idle keep-alive connection ($IDLE connections, each after one GET /healthz)"
python3 scripts/idle_conns.py "$gw_port" "$IDLE" "$run/idle" "$gw_pid"
read -r held per grown < "$run/idle"
echo "gateway RSS +$grown kB with $held idle connections: $per bytes each" \
  "($(python3 -c "print('%.1f' % ($per * 1e6 / 1e9))") GB per million)"

echo
echo "== 2. gateway CPU per request (wrk -t2 -c$CONNS -d$DURATION; the gateway's own CPU time)"
jwt=$(scripts/mint_jwt.py sizing-fan)
queue_token=$(curl -fsS -XPOST -H "Authorization: Bearer $jwt" "$GW/rooms/demo/open/join" | sed 's/.*"queue_token":"\([^"]*\)".*/\1/')
scripts/access_tokens.py "$redis_port" demo open 20000 > "$run/tokens.txt"
hz=$(getconf CLK_TCK)
printf '%-30s %10s %9s %12s %16s\n' "endpoint" "req/s" "non-2xx" "CPU us/req" "cores per 10k/s"
measure() {  # NAME WRK-ARGS...
  local name=$1 t0 t1 out n rps bad; shift
  t0=$(cpu_ticks "$gw_pid")
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" "$@")
  t1=$(cpu_ticks "$gw_pid")
  n=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  python3 -c "us = ($t1 - $t0) / $hz * 1e6 / max(1, $n); print('%-30s %10.0f %9d %12.1f %16.2f' % ('$name', $rps, ${bad:-0}, us, us * 1e4 / 1e6))"
}
measure "GET room state" "$GW/rooms/demo/open/state"
measure "GET position" -H "Authorization: Bearer $queue_token" "$GW/rooms/demo/open/position"
export TOKENS="$run/tokens.txt" HOLD_PATH=/editions/demo/phases/open/holds
redis-cli -p "$redis_port" config resetstat >/dev/null
measure "POST hold (1 ticket)" -s scripts/wrk_holds.lua "$GW"
echo "(holds: 20,000 admitted shoppers, a fresh Idempotency-Key per request; CPU of the gateway only)"
redis_us=$(redis-cli -p "$redis_port" info commandstats | tr -d '\r' | sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p')
python3 -c "us = float('${redis_us:-0}'); print('Redis per hold: %.1f us of its one core (INFO commandstats usec_per_call): %.0f holds/s per Redis at most' % (us, 1e6 / us if us else 0))"
echo
echo "== 3. position polls: one gateway straight, through nginx to 1, through nginx to $GATEWAYS (wrk -t2 -c$CONNS -d$DURATION)"
poll() { wrk -t2 -c"$CONNS" -d"$DURATION" -H "Authorization: Bearer $queue_token" "http://127.0.0.1:$1/rooms/demo/open/position" | awk '/Requests\/sec/ {print $2}'; }
direct=$(poll "$gw_port")
start_fleet "$cfg" 1 "$BUILD" "$run/guichet.log"; pids+=("${FLEET_PIDS[@]}")
one=$(poll "$NGINX_PORT")
kill -TERM "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true
start_fleet "$cfg" "$GATEWAYS" "$BUILD" "$run/guichet.log"; pids+=("${FLEET_PIDS[@]}")
many=$(poll "$NGINX_PORT")
printf '%-40s %10.0f req/s\n' "one gateway, straight" "$direct" "nginx -> 1 gateway" "$one" "nginx -> $GATEWAYS gateways" "$many"
python3 -c "print('%d gateways / 1 behind the same proxy: %.2fx' % ($GATEWAYS, $many / $one))"
echo "(all on this machine's $(nproc) cores: more gateways add no cores here; on separate machines each brings its own)"

echo
echo "== 4. what an idle fleet costs Redis (the fleet lease: one gateway refreshes and reaps for all)"
stop_servers() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
stop_servers
GATEWAYS=${FLEET:-6} bash scripts/idle_fleet.sh "$BUILD"
