#!/usr/bin/env bash
# The user-space work of a poll, counted rather than timed: instructions per request (Valgrind's
# callgrind, Ir) of nginx answering GET /healthz with `return 200` and of the gateway answering
# /healthz, room state and position, N keep-alive requests each (h2load --h1, 8 connections).
# An instruction count does not move with the machine's load, where CPU time does by +-20 % on a
# shared 2-core box: it shows what a change to the request path saves, exactly. It leaves out the
# kernel (about three quarters of a poll's CPU, the same system calls for both servers), and
# OpenSSL's SHA-256 runs its plain-C path under Valgrind (no SHA extensions): position's count
# overstates its token check by a few thousand instructions.
# Usage: bash scripts/poll_instructions.sh BUILD CONFIG QUEUE_TOKEN OUT
#   CONFIG: a running gateway's config (its Redis is shared; a one-thread copy is started here)
#   OUT: a file to write "what instructions" lines to (also printed); N=10000
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=$1 CONFIG=$2 QUEUE_TOKEN=$3 OUT=$4
N=${N:-10000}
work=$(mktemp -d /tmp/guichet-instructions-XXXXXX)
vpids=()
cleanup() { for p in "${vpids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# callgrind_under NAME CMD...: starts CMD under callgrind, instrumentation off until `count`.
callgrind_under() {
  local name=$1; shift
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$name.out" "$@" 2>"$work/$name.log" &
  vpids+=($!)
  eval "${name}_vpid=$!"
}
# count VPID URL [HEADER]: instructions per request over N requests (after 500 unmeasured ones).
count() {
  local vpid=$1 url=$2 hdr=() before after
  [ $# -gt 2 ] && hdr=(-H "$3")
  h2load --h1 -n 500 -c 8 "${hdr[@]}" "$url" >/dev/null
  callgrind_control -i on "$vpid" >/dev/null 2>&1
  callgrind_control -z "$vpid" >/dev/null 2>&1
  local done_line
  done_line=$(h2load --h1 -n "$N" -c 8 "${hdr[@]}" "$url" | grep -E '^requests:')
  callgrind_control -d "$vpid" >/dev/null 2>&1
  callgrind_control -i off "$vpid" >/dev/null 2>&1
  grep -q "$N succeeded" <<<"$done_line" || { echo "not all $N requests succeeded: $done_line" >&2; return 1; }
  local f
  f=$(ls -t "$work"/*.out.* 2>/dev/null | head -1)
  awk -v n="$N" '/^(summary|totals):/ {print int($2 / n); exit}' "$f"
  rm -f "$work"/*.out.*
}
wait_http() { for _ in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
master_process off;
daemon off;
worker_processes 1;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
callgrind_under nginx nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
gw_port=$(free_port)
sed -e "0,/^port = .*/s//port = $gw_port/" -e 's/^threads = .*/threads = 1/' "$CONFIG" > "$work/guichet.toml"
callgrind_under gateway "$BUILD/gateway/guichet" --config "$work/guichet.toml"
wait_http "http://127.0.0.1:$nginx_port/"
wait_http "http://127.0.0.1:$gw_port/readyz"

: > "$OUT"
echo "nginx_healthz $(count "$nginx_vpid" "http://127.0.0.1:$nginx_port/healthz")" >> "$OUT"
echo "healthz $(count "$gateway_vpid" "http://127.0.0.1:$gw_port/healthz")" >> "$OUT"
echo "state $(count "$gateway_vpid" "http://127.0.0.1:$gw_port/rooms/demo/open/state")" >> "$OUT"
echo "position $(count "$gateway_vpid" "http://127.0.0.1:$gw_port/rooms/demo/open/position" "Authorization: Bearer $QUEUE_TOKEN")" >> "$OUT"
cat "$OUT"
