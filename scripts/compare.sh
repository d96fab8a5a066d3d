#!/usr/bin/env bash
# guichet vs nginx on loopback, same wrk parameters, in one run (the machine is shared and
# noisy: each pair is measured back to back, twice, alternating). Prints req/s and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${1:-build}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
run=$(mktemp -d /tmp/guichet-compare-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT INT TERM

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
gw_port=$(free_port)
cfg=$(config_for "$run" "$gw_port" "$redis_port" config/dev.toml)
sed -i 's/^level = .*/level = "warn"/' "$cfg"
"$BUILD/gateway/guichet" --config "$cfg" 2>"$run/guichet.log" & pids+=($!)
wait_ready "$gw_port"

rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
cpu() { ps -o times= -p "$1" | tr -d ' '; }
echo "wrk -t$THREADS -c$CONNS -d$DURATION, loopback, 2 cores shared by server and wrk"
printf '%-28s %12s %12s\n' "round" "nginx req/s" "guichet req/s"
n_total=0; g_total=0
for round in 1 2; do
  n=$(rps "http://127.0.0.1:$nginx_port/healthz")
  g=$(rps "http://127.0.0.1:$gw_port/healthz")
  printf '%-28s %12s %12s\n' "GET /healthz #$round" "$n" "$g"
  n_total=$(python3 -c "print($n_total+$n)"); g_total=$(python3 -c "print($g_total+$g)")
done
python3 -c "print('guichet/nginx /healthz ratio: %.2f' % ($g_total/$n_total))"
