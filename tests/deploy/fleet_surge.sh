#!/usr/bin/env bash
# The fleet demo, small: 600 fans through nginx (load balancer and cache) in front of two
# gateways sharing one Redis. Passes when the harness's audit passes and the proxy answered most
# room-state polls from its cache, and nothing personal went through the cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$(mktemp -d /tmp/guichet-fleet-XXXXXX)}
mkdir -p "$OUT"
FANS=600 OUT="$OUT" bash scripts/surge.sh --fleet 2 --quiet > "$OUT/surge.txt" 2>&1 || { tail -60 "$OUT/surge.txt"; exit 1; }
grep -q "RESULT: PASS" "$OUT/surge.txt"
cat "$OUT/offload.txt"
awk '$1 == "state" { sub(/%/, "", $4); if ($2 >= 100 && $4 + 0 >= 50) ok = 1 } END { exit ok ? 0 : 1 }' "$OUT/offload.txt" \
  || { echo "the proxy did not answer most state polls from its cache"; exit 1; }
# Joins, positions, holds... never go through the cache (a lookup would queue same-URL requests
# behind the cache lock, and nothing personal may be kept).
grep -q "personal or uncacheable requests that went through the cache: 0$" "$OUT/offload.txt" \
  || { echo "personal requests went through the proxy's cache"; exit 1; }
echo "fleet surge: audit passed, offload shown"
