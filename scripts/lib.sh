# Shared helpers for the scripts: free ports, a private redis-server, waiting for readiness.

# fresh_keys: the gateway's secrets for a throw-away run, random, in the environment only.
fresh_keys() {
  local k
  for k in GUICHET_ADMIN_KEY GUICHET_JWT_KEY GUICHET_TOKEN_KEY GUICHET_PAYMENT_KEY; do
    export "$k=$(head -c 24 /dev/urandom | base64)"
  done
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_redis DIR PORT: a private redis-server with AOF on, in DIR. Sets REDIS_PID.
start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes \
    --logfile "$dir/redis.log" --daemonize no &
  REDIS_PID=$!
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "redis-server did not start (see $dir/redis.log)" >&2
  return 1
}

# wait_pong PORT [REDIS-CLI ARGS]: until the redis-server (or sentinel) on PORT answers PING (5 s at most).
wait_pong() {
  local port=$1; shift
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$port" "$@" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  echo "redis on port $port did not answer" >&2
  return 1
}

# wait_ready PORT: until /readyz answers 200 (10 s at most).
wait_ready() {
  for _ in $(seq 200); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "gateway not ready on port $1" >&2
  return 1
}

# config_for DIR GW_PORT REDIS_PORT BASE: a copy of BASE with the ports replaced.
config_for() {
  local dir=$1 gw=$2 rp=$3 base=$4
  sed -e "0,/^port = .*/s//port = $gw/" -e "/^\[redis\]/,/^\[/ s/^port = .*/port = $rp/" "$base" > "$dir/guichet.toml"
  echo "$dir/guichet.toml"
}

# start_fleet CONFIG N BUILD LOG: N-1 more gateways (ports of their own, CONFIG otherwise) next
# to the one already running on CONFIG's port, then nginx in front of all N from
# deploy/nginx/guichet-cdn.conf (load balancer and caching proxy, as the CDN would be). Sets
# FLEET_PIDS (the extra gateways, then nginx), NGINX_PID, NGINX_PORT and NGINX_DIR.
start_fleet() {
  local cfg=$1 n=$2 build=$3 log=$4 dir p i upstreams
  dir=$(dirname "$cfg")
  FLEET_PIDS=()
  upstreams="server 127.0.0.1:$(sed -n 's/^port = //p' "$cfg" | head -1) max_fails=0;"
  for i in $(seq 2 "$n"); do
    p=$(free_port)
    sed "0,/^port = .*/s//port = $p/" "$cfg" > "$dir/guichet-$i.toml"
    "$build/gateway/guichet" --config "$dir/guichet-$i.toml" 2>>"$log" & FLEET_PIDS+=($!)
    wait_ready "$p"
    upstreams+=" server 127.0.0.1:$p max_fails=0;"
  done
  NGINX_PORT=$(free_port); NGINX_DIR="$dir/nginx-$n"; mkdir -p "$NGINX_DIR"
  sed -e "s|@WORKERS@|2|" -e "s|@USER@|$([ "$(id -u)" = 0 ] && echo 'user root;')|" -e "s|@DIR@|$NGINX_DIR|g" \
      -e "s|@UPSTREAMS@|$upstreams|" -e "s|@LISTEN@|127.0.0.1:$NGINX_PORT|" deploy/nginx/guichet-cdn.conf > "$NGINX_DIR/nginx.conf"
  nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
  nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g 'daemon off;' & NGINX_PID=$!; FLEET_PIDS+=($NGINX_PID)
  wait_ready "$NGINX_PORT"
}

# start_ha DIR: Redis as production runs it, on loopback: a primary and two replicas (AOF on,
# min-replicas-to-write 1 with min-replicas-max-lag 2: a primary cut off from every replica stops
# taking writes) and three redis-sentinel processes watching master "guichet" (down-after 1 s,
# quorum 2, a password from GUICHET_SENTINEL_PASSWORD). Sets HA_NODES (primary first),
# HA_NODE_PIDS, HA_SENTINEL_PIDS and HA_SENTINELS_TOML ("[\"127.0.0.1:p\", ...]").
start_ha() {
  local dir=$1 i p
  HA_NODES=(); HA_NODE_PIDS=(); HA_SENTINEL_PIDS=(); HA_SENTINELS_TOML="["
  export GUICHET_SENTINEL_PASSWORD=${GUICHET_SENTINEL_PASSWORD:-$(head -c 24 /dev/urandom | base64)}
  for i in 0 1 2; do
    p=$(free_port); HA_NODES+=("$p"); mkdir -p "$dir/node$i"
    local extra=""
    (( i > 0 )) && extra="--replicaof 127.0.0.1 ${HA_NODES[0]}"
    # shellcheck disable=SC2086
    redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/node$i" --save '' --appendonly yes \
      --min-replicas-to-write 1 --min-replicas-max-lag 2 --repl-diskless-sync yes --repl-diskless-sync-delay 0 \
      --logfile "$dir/node$i/redis.log" $extra --daemonize no &
    HA_NODE_PIDS+=($!)
    wait_pong "$p" || return 1  # bound before the next free_port, which could name it again
  done
  for i in 0 1 2; do
    p=$(free_port)
    cat > "$dir/sentinel$i.conf" <<CONF
port $p
bind 127.0.0.1
dir $dir
logfile $dir/sentinel$i.log
requirepass $GUICHET_SENTINEL_PASSWORD
sentinel monitor guichet 127.0.0.1 ${HA_NODES[0]} 2
sentinel down-after-milliseconds guichet 1000
sentinel failover-timeout guichet 4000
sentinel parallel-syncs guichet 2
sentinel sentinel-pass $GUICHET_SENTINEL_PASSWORD
CONF
    redis-server "$dir/sentinel$i.conf" --sentinel & HA_SENTINEL_PIDS+=($!)
    wait_pong "$p" --no-auth-warning -a "$GUICHET_SENTINEL_PASSWORD" || return 1
    [ "$i" -gt 0 ] && HA_SENTINELS_TOML+=", "
    HA_SENTINELS_TOML+="\"127.0.0.1:$p\""
  done
  HA_SENTINELS_TOML+="]"
  # Ready when both replicas acknowledge a write: the SET and the WAIT on one connection (a WAIT
  # on a connection that wrote nothing returns at once). A replica counts only once it is online,
  # up to a second after its sync, so this waits for that too.
  for _ in $(seq 100); do
    [ "$(printf 'SET ha-probe 1\nWAIT 2 1000\n' | redis-cli -p "${HA_NODES[0]}" 2>/dev/null | tail -1)" = 2 ] && return 0
    sleep 0.1
  done
  echo "the Redis replicas did not sync (see $dir)" >&2
  return 1
}

# ha_primary: the primary the sentinels name now ("host port").
ha_primary() {
  local s
  for s in $(echo "$HA_SENTINELS_TOML" | tr -d '[]",' ); do
    redis-cli --no-auth-warning -a "$GUICHET_SENTINEL_PASSWORD" -p "${s##*:}" sentinel get-master-addr-by-name guichet \
      2>/dev/null | paste -sd' ' && return 0
  done
  return 1
}

# ha_redis_toml: the [redis] lines for the topology (through the sentinels, replicas_ack = 1).
ha_redis_toml() {
  printf 'sentinels = %s\nmaster = "guichet"\nsentinel_password = { env = "GUICHET_SENTINEL_PASSWORD" }\nreplicas_ack = %s\nreplicas_timeout = "500ms"\nreconnect_min = "50ms"\nreconnect_max = "500ms"\n' \
    "$HA_SENTINELS_TOML" "${1:-1}"
}
