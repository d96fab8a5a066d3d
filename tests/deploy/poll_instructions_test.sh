#!/usr/bin/env bash
# `make compare` section 1b (scripts/poll_instructions.sh), short: a gateway on a private Redis,
# a queue token from a real join, then nginx's and the gateway's user-space instructions per poll
# under callgrind. Each count must be there and plausible; the gateway's /healthz must stay
# within 1.5x nginx's `return 200` (0.91x when this test was written: a count, not a time, so
# the machine's load does not move it), and a position poll, which checks a token, must cost
# more than /healthz.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/lib.sh
BUILD=${BUILD:-build}
fresh_keys
dir=$(mktemp -d /tmp/guichet-instructions-test-XXXXXX)
rp=$(free_port)
start_redis "$dir/redis" "$rp"
gp=$(free_port)
cfg=$(config_for "$dir" "$gp" "$rp" config/dev.toml)
sed -i -e 's/^level = .*/level = "warn"/' -e 's/^door_per_ip_rate = [0-9]*/door_per_ip_rate = 0/' "$cfg"
"$BUILD/gateway/guichet" --config "$cfg" --load-inventory >/dev/null
"$BUILD/gateway/guichet" --config "$cfg" 2>"$dir/gateway.log" & gw=$!
trap 'kill "$gw" "$REDIS_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
wait_ready "$gp"
jwt=$(scripts/mint_jwt.py instructions-fan)
token=$(curl -fsS -XPOST -H "Authorization: Bearer $jwt" "http://127.0.0.1:$gp/rooms/demo/open/join" |
  sed -n 's/.*"queue_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "FAIL: no queue token from the join"; exit 1; }
N=1000 bash scripts/poll_instructions.sh "$BUILD" "$cfg" "$token" "$dir/counts"
get() { awk -v k="$1" '$1 == k {print $2}' "$dir/counts"; }
for k in nginx_healthz healthz state position; do
  v=$(get "$k")
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1000 ] && [ "$v" -le 200000 ] || { echo "FAIL: $k: '$v' instructions per request"; exit 1; }
done
python3 -c "import sys; sys.exit(0 if $(get healthz) <= 1.5 * $(get nginx_healthz) else 1)" ||
  { echo "FAIL: /healthz takes $(get healthz) instructions, nginx's return 200 $(get nginx_healthz): over 1.5x"; exit 1; }
[ "$(get position)" -gt "$(get healthz)" ] || { echo "FAIL: a position poll (a token checked) costs no more than /healthz"; exit 1; }
echo "ok: instructions per request: nginx $(get nginx_healthz), healthz $(get healthz), state $(get state), position $(get position)"
