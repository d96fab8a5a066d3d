# Shared helpers for the scripts: free ports, a private redis-server, waiting for readiness.
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
