#!/usr/bin/env bash
# The draw end to end at scale on a private redis-server: N registrations imported from CSV,
# commit, draw (every registrant wins a slot, so N assignments are written), independent
# verification. Prints the draw command's timings and its Redis write rate (keys/s).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
BUILD=${1:-build}
N=${N:-1000000}
run=$(mktemp -d /tmp/guichet-draw-XXXXXX)
cleanup() { kill "$REDIS_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT INT TERM
port=$(free_port)
start_redis "$run/redis" "$port"
redis-cli -p "$port" config set appendonly no >/dev/null
cat > "$run/draw.toml" <<CONF
[redis]
port = $port
[secrets]
jwt_key = { env = "GUICHET_JWT_KEY" }
[[tokens.keys]]
id = "k1"
env = "GUICHET_TOKEN_KEY"
[editions.bench.phases.packs]
draw = true
slots = [
  { id = "club", start = "today+400d", duration = "48h", group = "club", capacity = $((N / 10)) },
  { id = "all", start = "today+402d", duration = "48h", capacity = $N },
]
CONF
export GUICHET_JWT_KEY=bench-jwt-key-0123456789 GUICHET_TOKEN_KEY=bench-token-key-0123456789
python3 -c "
import sys
w = sys.stdout.write
w('account,groups\n')
for i in range($N):
    w('fan-%09d,%s\n' % ((i * 2654435761) % 1000000007, 'club' if i % 10 == 0 else ''))
" > "$run/regs.csv"
bin="$BUILD/gateway/guichet"
/usr/bin/time -f "import: %e s" "$bin" --config "$run/draw.toml" --import-registrations bench packs "$run/regs.csv"
seed=$("$bin" --config "$run/draw.toml" --draw-commit bench packs | awk '/seed/ {print $NF}')
/usr/bin/time -f "draw command: %e s wall, %M KiB peak" "$bin" --config "$run/draw.toml" --draw bench packs "$seed" "$run/out"
python3 tools/verify_draw.py "$run/out"
