#!/usr/bin/env bash
# The Debian package installed and started as ops would, from the templates in this repository:
#   1. `cpack` builds guichet_<version>_amd64.deb from BUILD; lintian finds no error or warning;
#      the files are where the unit expects them and /etc/guichet/guichet.toml is a conffile.
#   2. `dpkg -x` into a scratch root; `systemd-analyze verify` on the installed unit prints nothing.
#   3. Exactly the credentials the unit's LoadCredential= lines name are created (random secrets
#      in the root's /etc/guichet/secrets), handed over as systemd does ($CREDENTIALS_DIRECTORY).
#   4. Redis as production runs it, from deploy/redis/ (redis.conf, users.acl, sentinel.conf; only
#      the addresses and secrets filled in): a primary, a replica and three sentinels, all with
#      AUTH; the installed config is pointed at them (addresses and the root's paths only).
#   5. The unit's ExecStartPre= and ExecStart= lines run as written (paths moved into the root),
#      in its WorkingDirectory, with its LimitNOFILE; the gateway reaches /readyz on both ports,
#      then SIGTERM (the unit's KillSignal) stops it with status 0.
#   6. dpkg installs it into a second root, an admin edits /etc/guichet/guichet.toml, and an
#      upgrade to the next version keeps the edit.
# Any disagreement between the unit, the config and the Redis templates fails one of the steps.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${BUILD:?BUILD=the build directory}" && pwd)
source "$src/scripts/lib.sh"
work=$(mktemp -d /tmp/guichet-package-XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ $rc -eq 0 ]; then rm -rf "$work"; else echo "package test: FAILED, files kept in $work" >&2; fi
}
trap cleanup EXIT
step() { echo "== $*"; }
fail() { echo "package test: $*" >&2; exit 1; }

step "1. cpack, lintian"
(cd "$BUILD" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/pkg/guichet_*_amd64.deb)
echo "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB"
lintian --fail-on error,warning "$deb" 2>&1 | grep -v 'running with root privileges' || true
lintian --fail-on error,warning "$deb" >/dev/null 2>&1 || fail "lintian reports errors or warnings"
grep -q 'libhiredis' <<<"$(dpkg-deb -f "$deb" Depends)" || fail "Depends is not computed from the binaries"
dpkg-deb -e "$deb" "$work/control"
grep -qx '/etc/guichet/guichet.toml' "$work/control/conffiles" || fail "guichet.toml is not a conffile"

step "2. dpkg -x, the files, systemd-analyze verify"
root=$work/root
dpkg -x "$deb" "$root"
for f in usr/bin/guichet usr/bin/guichet-loadtest usr/bin/guichet-verify-draw etc/guichet/guichet.toml \
         lib/systemd/system/guichet.service usr/share/guichet/web/pages/wait.html \
         usr/share/doc/guichet/examples/dev.toml usr/share/doc/guichet/openapi.yaml \
         usr/share/doc/guichet/operations.md usr/share/doc/guichet/copyright; do
  [ -e "$root/$f" ] || fail "/$f is not in the package"
done
cmp -s "$root/etc/guichet/guichet.toml" "$src/config/production.toml" || fail "guichet.toml is not config/production.toml"
[ "$(stat -c %a "$root/etc/guichet/secrets")" = 700 ] || fail "/etc/guichet/secrets is not 0700"
"$root/usr/bin/guichet-verify-draw" --help >/dev/null || fail "guichet-verify-draw does not run"
unit=$root/lib/systemd/system/guichet.service
# systemd-analyze --root resolves everything inside the root: give it the host's units and kill.
analyze=$work/analyze
cp -a "$root/." "$analyze"
mkdir -p "$analyze/bin" && cp /bin/kill "$analyze/bin/kill"
cp -rn /lib/systemd/system/. "$analyze/lib/systemd/system/"
out=$(systemd-analyze verify --root="$analyze" guichet.service 2>&1) || { echo "$out"; fail "systemd-analyze verify failed"; }
[ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify printed the above"; }

step "3. the credentials the unit names"
unit_value() { sed -n "s/^$1=//p" "$unit"; }
in_root() { sed -e "s|/usr/bin/|$root/usr/bin/|g" -e "s|/etc/guichet/|$root/etc/guichet/|g" \
                -e "s|/usr/share/guichet|$root/usr/share/guichet|g" -e "s|/var/log/guichet|$root/var/log/guichet|g"; }
creds=$work/run/credentials/guichet.service
mkdir -p "$creds"
names=()
while IFS=: read -r name path; do
  names+=("$name")
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$root$path"
  chmod 0400 "$root$path"
  install -m 0400 "$root$path" "$creds/$name"
done < <(unit_value LoadCredential)
echo "LoadCredential: ${names[*]}"
[ ${#names[@]} -gt 0 ] || fail "the unit loads no credential"
# Each credential the config names is loaded by the unit, and each the unit loads is used.
config_names=$(sed 's/#.*//' "$root/etc/guichet/guichet.toml" | grep -o 'credential = "[^"]*"' | cut -d'"' -f2 | sort -u)
unit_names=$(printf '%s\n' "${names[@]}" | sort -u)
[ "$config_names" = "$unit_names" ] || fail "the config names credentials [$(echo $config_names)], the unit loads [$(echo $unit_names)]"
secret() { cat "$creds/$1"; }
unfilled() { grep -v '^[[:space:]]*#' "$1" | grep '<'; }  # a template field left as <...>

step "4. Redis from deploy/redis: a primary, a replica, three sentinels, with AUTH"
repl_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
sentinel_user_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
acl=$work/users.acl
sed -e "s|#<sha256 of redis_password>|#$(sha "$(secret redis_password)")|" \
    -e "s|#<sha256 of the replication password>|#$(sha "$repl_pw")|" \
    -e "s|#<sha256 of the sentinel user password>|#$(sha "$sentinel_user_pw")|" \
    "$src/deploy/redis/users.acl" >"$acl"
! unfilled "$acl" || fail "users.acl has an unfilled field"
primary=$(free_port)
start_node() {  # start_node PORT [replicaof-line]
  local port=$1 dir=$work/redis-$1
  mkdir -p "$dir"
  sed -e "s|^bind .*|bind 127.0.0.1|" -e "s|^port .*|port $port|" -e "s|^aclfile .*|aclfile $acl|" \
      -e "s|^masterauth .*|masterauth $repl_pw|" "$src/deploy/redis/redis.conf" >"$dir/redis.conf"
  { echo "dir $dir"; echo "logfile $dir/redis.log"; echo "${2:-}"; } >>"$dir/redis.conf"
  ! unfilled "$dir/redis.conf" || fail "redis.conf has an unfilled field"
  redis-server "$dir/redis.conf" &
  pids+=($!)
}
start_node "$primary"
replica=$(free_port)
start_node "$replica" "replicaof 127.0.0.1 $primary"
rcli() { redis-cli -p "$1" --user guichet --pass "$(secret redis_password)" --no-auth-warning "${@:2}"; }
for _ in $(seq 200); do
  [ "$(rcli "$replica" ROLE 2>/dev/null | sed -n 4p)" = connected ] && break
  sleep 0.05
done
[ "$(rcli "$replica" ROLE | sed -n 4p)" = connected ] || fail "the replica did not connect (see $work/redis-$replica/redis.log)"
sentinels=()
for i in 1 2 3; do
  port=$(free_port)
  dir=$work/sentinel-$port
  mkdir -p "$dir"
  sed -e "s|^bind .*|bind 127.0.0.1|" -e "s|^port .*|port $port|" \
      -e "s|^sentinel monitor guichet .*|sentinel monitor guichet 127.0.0.1 $primary 2|" \
      -e "s|<sentinel user password>|$sentinel_user_pw|" -e "s|<sentinel_password credential>|$(secret sentinel_password)|" \
      "$src/deploy/redis/sentinel.conf" >"$dir/sentinel.conf"
  echo "dir $dir" >>"$dir/sentinel.conf"
  ! unfilled "$dir/sentinel.conf" || fail "sentinel.conf has an unfilled field"
  redis-sentinel "$dir/sentinel.conf" --logfile "$dir/sentinel.log" &
  pids+=($!)
  sentinels+=("\"127.0.0.1:$port\"")
done
s1=${sentinels[0]//[!0-9:.]/}
for _ in $(seq 200); do
  redis-cli -h 127.0.0.1 -p "${s1##*:}" --pass "$(secret sentinel_password)" --no-auth-warning \
    SENTINEL get-master-addr-by-name guichet 2>/dev/null | grep -qx "$primary" && break
  sleep 0.05
done
redis-cli -h 127.0.0.1 -p "${s1##*:}" --pass "$(secret sentinel_password)" --no-auth-warning \
  SENTINEL get-master-addr-by-name guichet 2>/dev/null | grep -qx "$primary" ||
  fail "the sentinels do not name the primary (see $work/sentinel-*/sentinel.log)"

step "5. ExecStartPre and ExecStart as systemd runs them"
port=$(free_port); ops=$(free_port)
config=$root/etc/guichet/guichet.toml
sed -i -e "s|^listen = .*|listen = \"127.0.0.1\"|" -e "s|^port = 8080.*|port = $port|" \
       -e "s|^ops_listen = .*|ops_listen = \"127.0.0.1\"|" -e "s|^ops_port = .*|ops_port = $ops|" \
       -e "s|^sentinels = .*|sentinels = [$(IFS=,; echo "${sentinels[*]}")]|" "$config"
sed -i -e "s|\"/etc/guichet/|\"$root/etc/guichet/|g" -e "s|\"/usr/share/guichet|\"$root/usr/share/guichet|g" \
       -e "s|\"/var/log/guichet|\"$root/var/log/guichet|g" "$config"
mkdir -p "$root/var/log/guichet"  # LogsDirectory=guichet
# The identity provider's public keys (not a secret: the config reads them from /etc/guichet).
openssl ecparam -name prime256v1 -genkey -noout -out "$work/idp.pem" 2>/dev/null
openssl ec -in "$work/idp.pem" -pubout -outform DER -out "$work/idp.der" 2>/dev/null
python3 - "$work/idp.der" >"$root/etc/guichet/idp-jwks.json" <<'PY'
import base64, json, sys
der = open(sys.argv[1], 'rb').read()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
print(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "kid": "idp-1", "alg": "ES256", "use": "sig",
                            "x": b64(der[-64:-32]), "y": b64(der[-32:])}]}))
PY
grep -n "$root\|127.0.0.1" "$config" | sed 's/^/  /'
workdir=$(unit_value WorkingDirectory | in_root)
nofile=$(unit_value LimitNOFILE)
run_unit_line() {  # in a subshell: the line as systemd runs it (no shell, the unit's environment)
  local line
  line=$(unit_value "$1" | in_root)
  echo "$1: $line"
  cd "$workdir"
  ulimit -n "$(( nofile < $(ulimit -Hn) ? nofile : $(ulimit -Hn) ))"
  exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CREDENTIALS_DIRECTORY="$creds" $line
}
(run_unit_line ExecStartPre) || fail "ExecStartPre failed"
(run_unit_line ExecStart) >"$work/guichet.log" 2>&1 &
gw=$!
pids+=("$gw")
ready() { curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; }
for _ in $(seq 300); do
  ready "$port" && ready "$ops" && break
  kill -0 "$gw" 2>/dev/null || { cat "$work/guichet.log"; fail "the gateway exited"; }
  sleep 0.05
done
ready "$port" || { tail -20 "$work/guichet.log"; fail "/readyz never answered 200 on the public port"; }
ready "$ops" || fail "/readyz never answered 200 on the ops port"
curl -fsS "http://127.0.0.1:$port/readyz"; echo
# grep reads a whole answer: under pipefail, a grep -q that stops early fails curl's write (23)
grep -q '<html' <<<"$(curl -fsS "http://127.0.0.1:$port/wait/paris2024-olympics/single")" || fail "the installed fan pages are not served"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" = 404 ] || fail "/metrics answered on the public port"
grep -q '^guichet_' <<<"$(curl -fsS "http://127.0.0.1:$ops/metrics")" || fail "no /metrics on the ops port"
kill -TERM "$gw"
wait "$gw" || fail "SIGTERM: the gateway exited with status $?"
for name in "${names[@]}"; do grep -qF "$(secret "$name")" "$work/guichet.log" && fail "the secret $name is in the log"; done

step "6. dpkg -i, then an upgrade keeps the edited conffile"
adm=$work/dpkg-root
mkdir -p "$adm/var/lib/dpkg/info" "$adm/var/lib/dpkg/updates" "$adm/var/lib/dpkg/triggers"
touch "$adm/var/lib/dpkg/status"
# The libraries it depends on are the host's, not in this root: --force-depends.
dpkg --root="$adm" --force-depends -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
echo '# edited by the admin' >>"$adm/etc/guichet/guichet.toml"
next=$(dpkg-deb -f "$deb" Version | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
(cd "$BUILD" && cpack -G DEB -B "$work/pkg-next" -D CPACK_PACKAGE_VERSION="$next" >"$work/cpack-next.log" 2>&1) || fail "cpack $next failed"
dpkg --root="$adm" --force-depends -i "$work"/pkg-next/guichet_"$next"_amd64.deb >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "the upgrade failed"; }
[ "$(dpkg --root="$adm" -s guichet | sed -n 's/^Version: //p')" = "$next" ] || fail "the upgrade did not install $next"
tail -1 "$adm/etc/guichet/guichet.toml" | grep -qx '# edited by the admin' || fail "the upgrade lost the admin's edit"
echo "upgraded to $next, the edited /etc/guichet/guichet.toml kept"
echo "package test: PASS"
