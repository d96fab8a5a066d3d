#!/usr/bin/env bash
# guichet next to its references, in one run on this machine (shared and noisy: each pair is
# measured back to back, alternating). Loopback only; every load is bounded by DURATION.
#   1. GET /healthz, room state and position polls vs nginx `return 200` (same wrk parameters)
#   2. holds through the gateway (wrk, 1 ticket each, distinct shoppers and Idempotency-Keys)
#      vs redis-benchmark calling the same hold script by EVALSHA, unpipelined and -P 16
#   3. usec_per_call of each script from INFO commandstats, and server CPU time per request
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${1:-build}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
SHOPPERS=${SHOPPERS:-20000}
run=$(mktemp -d /tmp/guichet-compare-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT INT TERM
fresh_keys

nginx_port=$(free_port)
mkdir -p "$run/nginx/logs"
cat > "$run/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
error_log $run/nginx/logs/error.log warn;
pid $run/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
nginx -p "$run/nginx" -c "$run/nginx/nginx.conf" & pids+=($!)

redis_port=$(free_port)
start_redis "$run/redis" "$redis_port"; pids+=("$REDIS_PID")
redis-cli -p "$redis_port" config set appendonly no >/dev/null  # both sides measured without fsync
gw_port=$(free_port)
cfg=$(config_for "$run" "$gw_port" "$redis_port" config/dev.toml)
sed -i -e 's/^level = .*/level = "warn"/' -e 's/^DEMO1 = .*/DEMO1 = { name = "bench", categories = { A = 100000000 } }/' "$cfg"
"$BUILD/gateway/guichet" --config "$cfg" --load-inventory >/dev/null
"$BUILD/gateway/guichet" --config "$cfg" 2>"$run/guichet.log" & gw_pid=$!; pids+=($gw_pid)
wait_ready "$gw_port"

GW=http://127.0.0.1:$gw_port
jwt=$(scripts/mint_jwt.py bench-fan)
queue_token=$(curl -fsS -XPOST -H "Authorization: Bearer $jwt" "$GW/rooms/demo/open/join" | sed 's/.*"queue_token":"\([^"]*\)".*/\1/')

rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
echo "== polls: wrk -t$THREADS -c$CONNS -d$DURATION on loopback; 2 cores shared by server and load"
printf '%-34s %12s %12s %7s\n' "" "nginx" "guichet" "ratio"
for what in healthz state position; do
  case $what in
    healthz) path=/healthz; hdr=() ;;
    state) path=/rooms/demo/open/state; hdr=() ;;
    position) path=/rooms/demo/open/position; hdr=(-H "Authorization: Bearer $queue_token") ;;
  esac
  n_sum=0; g_sum=0
  for round in 1 2; do
    n=$(rps "http://127.0.0.1:$nginx_port/healthz")
    g=$(rps "${hdr[@]}" "$GW$path")
    n_sum=$(python3 -c "print($n_sum + $n)"); g_sum=$(python3 -c "print($g_sum + $g)")
  done
  printf '%-34s %12.0f %12.0f %7s\n' "GET $path (req/s)" "$(python3 -c "print($n_sum/2)")" "$(python3 -c "print($g_sum/2)")" "$(ratio "$g_sum" "$n_sum")"
done

echo
echo "== holds: 1 ticket each, $SHOPPERS distinct admitted shoppers, fresh Idempotency-Key per request"
scripts/access_tokens.py "$redis_port" demo open "$SHOPPERS" > "$run/tokens.txt"
sha=$("$BUILD/gateway/guichet" --script hold | redis-cli -p "$redis_port" -x script load)
redis-cli -p "$redis_port" config resetstat >/dev/null
t0=$(cpu_ticks "$gw_pid")
gw_out=$(TOKENS="$run/tokens.txt" HOLD_PATH=/editions/demo/phases/open/holds wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s scripts/wrk_holds.lua "$GW")
t1=$(cpu_ticks "$gw_pid")
gw_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$gw_out")
gw_non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$gw_out"); gw_non2xx=${gw_non2xx:-0}
gw_total=$(awk '/requests in/ {print $1}' <<<"$gw_out")
gw_stats=$(redis-cli -p "$redis_port" info commandstats | tr -d '\r' | grep -E 'cmdstat_evalsha' || true)
shed=$(curl -fsS "$GW/metrics" | awk '/^guichet_http_requests_total\{route="hold_create"/ {print}' | sed 's/guichet_http_requests_total//' | tr '\n' ' ')
# The same script, called directly: one shopper with limits lifted so it never refuses.
now_ms=$(($(date +%s%N) / 1000000))
redis-cli -p "$redis_port" hset 'guichet:{demo}:room:open:sessions' rb-acct rb-sid >/dev/null
redis-cli -p "$redis_port" zadd 'guichet:{demo}:room:open:active' $((now_ms + 86400000)) rb-acct >/dev/null
hold_args=(EVALSHA "$sha" 7 'guichet:{demo}:acct:rb-acct' 'guichet:{demo}:hold:__rand_int__' 'guichet:{demo}:holds:deadlines'
  'guichet:{demo}:idem:rb-acct:__rand_int__' 'guichet:{demo}:room:open:active' 'guichet:{demo}:room:open:sessions'
  'guichet:{demo}:inv:DEMO1' __rand_int__ rb-acct open rb-sid 120000 600000 fp 2000000000 1 1 DEMO1 A 1 DEMO1 2000000000 s)
rb() { redis-benchmark -p "$redis_port" -c "$CONNS" -n "$1" -r 1000000000 -q "${@:2}" "${hold_args[@]}" | tr '\r' '\n' | awk '/requests per second/ {for (i = 1; i <= NF; i++) if ($i == "requests") r = $(i - 1)} END {print r}'; }
rb1=$(rb 200000)
rb16=$(rb 400000 -P 16)
printf '%-34s %12s\n' "gateway holds (req/s)" "$gw_rps"
printf '%-34s %12s\n' "  of which non-2xx" "$gw_non2xx / $gw_total"
echo "  by status (from /metrics): $shed"
printf '%-34s %12s\n' "redis-benchmark EVALSHA (req/s)" "$rb1"
printf '%-34s %12s\n' "redis-benchmark EVALSHA -P 16" "$rb16"
echo "gateway / EVALSHA unpipelined: $(ratio "$gw_rps" "$rb1")   gateway / EVALSHA -P 16: $(ratio "$gw_rps" "$rb16")"
hz=$(getconf CLK_TCK)
python3 -c "print('gateway CPU per hold: %.1f us' % (($t1 - $t0) / $hz * 1e6 / max(1, $gw_total)))"
echo "hold script in Redis while the gateway ran: $gw_stats"
echo "wrk: $(grep latency <<<"$gw_out")"
