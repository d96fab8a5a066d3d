#!/usr/bin/env bash
# A gateway to try by hand: a private redis-server on a free loopback port and the gateway with
# config/dev.toml (ports rewritten). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${BUILD:-build}
run=$(mktemp -d /tmp/guichet-demo-XXXXXX)
redis_port=$(free_port)
gw_port=${GUICHET_PORT:-$(free_port)}
start_redis "$run/redis" "$redis_port"
cfg=$(config_for "$run" "$gw_port" "$redis_port" config/dev.toml)
# Secrets for this run only (never in the repo): random unless already set.
export GUICHET_ADMIN_KEY=${GUICHET_ADMIN_KEY:-$(head -c 24 /dev/urandom | base64)}
export GUICHET_JWT_KEY=${GUICHET_JWT_KEY:-$(head -c 24 /dev/urandom | base64)}
export GUICHET_TOKEN_KEY=${GUICHET_TOKEN_KEY:-$(head -c 24 /dev/urandom | base64)}
export GUICHET_PAYMENT_KEY=${GUICHET_PAYMENT_KEY:-$(head -c 24 /dev/urandom | base64)}
"$BUILD/gateway/guichet" --config "$cfg" --load-inventory | tail -1
"$BUILD/gateway/guichet" --config "$cfg" &
GW_PID=$!
cleanup() {
  kill -TERM "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM
wait_ready "$gw_port"
fan_jwt=$(GUICHET_JWT_KEY=$GUICHET_JWT_KEY python3 scripts/mint_jwt.py "fan-$RANDOM")
cat <<TXT

A fan's waiting room (signed in as a random fan; the token is in the fragment, never sent):
  http://127.0.0.1:$gw_port/wait/demo/open#token=$fan_jwt

guichet is up on http://127.0.0.1:$gw_port (redis-server on 127.0.0.1:$redis_port, data in $run)
  curl -s http://127.0.0.1:$gw_port/healthz
  curl -s http://127.0.0.1:$gw_port/readyz
  curl -s http://127.0.0.1:$gw_port/metrics
  curl -s http://127.0.0.1:$gw_port/rooms/demo/open/state
  curl -s http://127.0.0.1:$gw_port/editions/demo/availability
This run's secrets (generated now unless already set in the environment; paste them into another
shell to mint tokens with scripts/mint_jwt.py or call the admin and payment endpoints):
  export GUICHET_JWT_KEY='$GUICHET_JWT_KEY' GUICHET_ADMIN_KEY='$GUICHET_ADMIN_KEY' GUICHET_PAYMENT_KEY='$GUICHET_PAYMENT_KEY'
Ctrl-C stops both.
TXT
curl -s "http://127.0.0.1:$gw_port/readyz"; echo
wait "$GW_PID"
