#!/usr/bin/env bash
# deploy/nginx/guichet-cdn.conf, filled the way scripts/surge.sh --fleet fills it, passes nginx -t.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d /tmp/guichet-nginx-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sed -e "s|@WORKERS@|2|" -e "s|@USER@|$([ "$(id -u)" = 0 ] && echo 'user root;')|" -e "s|@DIR@|$dir|g" \
    -e "s|@UPSTREAMS@|server 127.0.0.1:18001 max_fails=0; server 127.0.0.1:18002 max_fails=0;|" \
    -e "s|@LISTEN@|127.0.0.1:18000|" deploy/nginx/guichet-cdn.conf > "$dir/nginx.conf"
! grep -n '@[A-Z]*@' "$dir/nginx.conf"   # every field filled
nginx -t -p "$dir" -c "$dir/nginx.conf"
