#!/usr/bin/env bash
# Installs what guichet needs from Debian 12 packages, only what is missing. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake pkg-config make
  libboost1.81-dev libhiredis-dev libsimdjson-dev libjemalloc-dev libtomlplusplus-dev libssl-dev
  libgtest-dev libbenchmark-dev clang libclang-rt-14-dev
  redis-server redis-tools redis-sentinel nginx-light prometheus python3 python3-yaml curl openssl stunnel4
  chromium fonts-dejavu-core
  dpkg-dev lintian systemd file
  valgrind nghttp2-client
)
[ "${GUICHET_BENCH_TOOLS:-0}" = 1 ] && packages+=(wrk)
# Node.js for the browser tests (puppeteer-core, axe-core): Debian's, unless one is already there.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
else
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a system redis-server on install; guichet runs its own on a free port.
  echo "setup: done"
fi
# The browser tests' npm packages, exactly as locked (puppeteer-core never downloads a browser:
# it drives Debian's chromium).
cd "$(dirname "$0")/../tests/browser"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci in tests/browser"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
