#!/usr/bin/env bash
# `make redis-cost` part 3 (scripts/redis_floor.py), short: against a private redis-server it
# prints each figure, and the real hold script held seats (the script exits non-zero otherwise).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib.sh"
dir=$(mktemp -d /tmp/guichet-floor-test-XXXXXX)
port=$(free_port)
start_redis "$dir" "$port"
trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; rm -rf "$dir"' EXIT
out=$(python3 "$root/scripts/redis_floor.py" "$port" 200 1 5)
echo "$out"
fail() { echo "redis_floor test: $*" >&2; exit 1; }
number='[0-9]+\.[0-9]'
grep -Eq "PING +$number+ us of Redis CPU per call \([12][0-9]{2} calls\)" <<<"$out" || fail "no paced PING figure at 200 calls/s"
grep -Eq "EVALSHA return 1 +$number+ us" <<<"$out" || fail "no paced script figure"
grep -Eq "x 5\.00 calls per admitted fan .* = [0-9]+ us per fan" <<<"$out" || fail "no floor per fan"
grep -Eq "50 connections back to back: $number+ us" <<<"$out" || fail "no busy figure"
grep -Eq "hold, 1 ticket +$number+" <<<"$out" || fail "no hot hold figure"
grep -Eq "empty, the hold's arguments +$number+" <<<"$out" || fail "no figure for the hold's arguments"
grep -Eq "the hold's writes alone +$number+" <<<"$out" || fail "no figure for the hold's writes"
grep -Eq "the writes alone: [0-9]+ % of the hold" <<<"$out" || fail "no share of the writes"
grep -Eq "it held (199[0-9][0-9]|20000) seats in 20000 calls" <<<"$out" || fail "the hold did not hold"
echo "redis_floor test: ok"
