#!/usr/bin/env bash
# Every metric the Grafana dashboard and the Prometheus rules query exists: a real gateway
# (config/dev.toml, a private redis-server) is asked for /metrics, and each name used in
# deploy/grafana/guichet.json and deploy/prometheus/guichet-rules.yml must be a family it
# exports (histograms by their _bucket/_sum/_count series), a recording rule of the rules file,
# or Prometheus' own `up`. Usage: BUILD=build bash tests/prometheus/metric_names_test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
BUILD=${BUILD:-build}
run=$(mktemp -d /tmp/guichet-names-XXXXXX)
redis_port=$(free_port); gw_port=$(free_port)
start_redis "$run/redis" "$redis_port"
cfg=$(config_for "$run" "$gw_port" "$redis_port" config/dev.toml)
fresh_keys
"$BUILD/gateway/guichet" --config "$cfg" --load-inventory >/dev/null
"$BUILD/gateway/guichet" --config "$cfg" 2>"$run/guichet.log" &
gw=$!
trap 'kill $gw $REDIS_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$run"' EXIT
wait_ready "$gw_port"
sleep 1.5  # the availability cache fills within a second
curl -fsS "http://127.0.0.1:$gw_port/metrics" > "$run/metrics.txt"
python3 - "$run/metrics.txt" deploy/grafana/guichet.json deploy/prometheus/guichet-rules.yml <<'PY'
import json, re, sys
import yaml
metrics, dashboard, rules = sys.argv[1:4]
families = {l.split()[2] for l in open(metrics) if l.startswith('# TYPE ')}
series = set(families)
for f in families:
    series |= {f + '_bucket', f + '_sum', f + '_count'}
rule_list = [r for g in yaml.safe_load(open(rules))['groups'] for r in g['rules']]
recorded = {r['record'] for r in rule_list if 'record' in r}
exprs = [t['expr'] for p in json.load(open(dashboard))['panels'] for t in p.get('targets', [])]
exprs += [r['expr'] for r in rule_list]
keywords = {'sum', 'max', 'min', 'rate', 'deriv', 'by', 'on', 'and', 'or', 'unless', 'topk', 'clamp_min', 'round',
            'histogram_quantile', 'le', 'route', 'code', 'edition', 'phase', 'status', 'stock', 'state', 'session',
            'category', 'instance', 'job', 'kind', 'script', 'outcome', 'up'}
used, missing = set(), []
for e in exprs:
    e = re.sub(r'"[^"]*"', '""', e)                       # label values
    e = re.sub(r'\{[^}]*\}', '{}', e)                     # label matchers
    e = re.sub(r'\[[^\]]*\]', '[]', e)                    # ranges
    e = re.sub(r'(?<![A-Za-z0-9_:])[0-9.]+(?:[eE][-+]?[0-9]+)?', '0', e)  # numbers (1e-9, 4e9)
    for name in re.findall(r'[A-Za-z_:][A-Za-z0-9_:]*', e):
        if name in keywords: continue
        used.add(name)
for name in sorted(used):
    if name not in series and name not in recorded:
        missing.append(name)
print(f'{len(used)} metric names used by the dashboard and the rules; {len(families)} families exported')
if missing:
    print('MISSING from /metrics: ' + ', '.join(missing))
    sys.exit(1)
print('every name exists')
PY
