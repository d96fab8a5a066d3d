// What the Node tests share: free ports, secrets in the environment, the organiser's JWT, a
// private redis-server, the gateway binary, and a `check` that remembers failures.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
const GUICHET = path.join(BUILD, 'gateway/guichet');

const failures = [];
const children = [];
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures.push(what);
  return ok;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}
const b64url = (buf) => Buffer.from(buf).toString('base64url');
const secret = () => crypto.randomBytes(24).toString('base64');
/// The process environment with fresh secrets for the gateway (read by `{ env = … }` in configs).
const env = Object.assign({}, process.env, {
  GUICHET_ADMIN_KEY: secret(), GUICHET_JWT_KEY: secret(), GUICHET_TOKEN_KEY: secret(), GUICHET_PAYMENT_KEY: secret(),
});
/// The organiser's identity token for `sub` (HS256 with jwt_key), valid for an hour.
function jwt(sub) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const mac = crypto.createHmac('sha256', env.GUICHET_JWT_KEY).update(head + '.' + body).digest();
  return head + '.' + body + '.' + b64url(mac);
}
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/// The [server], [redis], [secrets] and [tokens] sections every test config starts with.
function baseConfig(gatewayPort, redisPort) {
  return `
[server]
listen = "127.0.0.1"
port = ${gatewayPort}
threads = 2
[limits]
per_ip_rate = 0
door_per_ip_rate = 0
[redis]
host = "127.0.0.1"
port = ${redisPort}
[log]
level = "warn"
[secrets]
admin_key = { env = "GUICHET_ADMIN_KEY" }
jwt_key = { env = "GUICHET_JWT_KEY" }
payment_key = { env = "GUICHET_PAYMENT_KEY" }
[tokens]
keys = [ { id = "k1", env = "GUICHET_TOKEN_KEY" } ]
`;
}

/// The fan pages from the repository's web/, the demo's stand-in payment, and a fast room refresh.
const pagesConfig = () => `
[rooms]
refresh = "100ms"
[web]
root = "${path.join(ROOT, 'web')}"
[demo]
payment = true
`;

/// A private redis-server on `port` (no persistence), answering PING when this returns.
async function startRedis(port, dir) {
  children.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
                      { stdio: 'ignore' }));
  for (let i = 0; i < 100; i++) {
    try {
      if (execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === 'PONG') return;
    } catch (e) { /* not yet */ }
    await sleep(50);
  }
  throw new Error('redis-server did not start on port ' + port);
}

/// Runs the gateway binary once with `args` (e.g. --load-inventory); its standard output.
const runGuichet = (cfg, ...args) => execFileSync(GUICHET, ['--config', cfg, ...args], { env }).toString();

/// Starts the gateway with `cfg` and waits until /readyz says 200; its base URL.
async function startGateway(cfg, port) {
  children.push(spawn(GUICHET, ['--config', cfg], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(base + '/readyz')).status === 200) return base; } catch (e) { /* not yet */ }
    await sleep(50);
  }
  throw new Error('the gateway did not become ready on port ' + port);
}

/// Polls `fn` every 100 ms until it gives a truthy value (returned) or `ms` pass (a failed check).
async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    let v;
    try { v = await fn(); } catch (e) { v = false; }
    if (v) return v;
    if (Date.now() > end) return check(false, what + ' (timed out)'), false;
    await sleep(100);
  }
}

/// An axe-core scan of `page` (WCAG 2.0/2.1 A and AA, best practices; `axeSource` is
/// axe.min.js's text, injected through DevTools, not subject to the page's CSP): a failed check on
/// any serious or critical violation, the minor ones named.
async function axeScan(page, state, axeSource) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = r.violations.filter((v) => !bad.includes(v)).map((v) => v.id);
  check(bad.length === 0, `axe ${state}: no serious or critical violation` +
    (bad.length ? ' — ' + bad.map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(' ')).join('; ') : '') +
    (minor.length ? ` (minor: ${minor.join(', ')})` : ''));
}

/// nginx as a caching proxy in front of the gateway on `gatewayPort`, standing in for the CDN:
/// `proxy_cache` honouring the gateway's Cache-Control, with `proxy_cache_lock` and
/// `proxy_cache_revalidate`; its access log says, per request, `$request_uri
/// $upstream_cache_status $upstream_addr` ("-" when the cache answered). {base, dir, accessLog}.
async function startCachingProxy(gatewayPort, parent) {
  const port = await freePort();
  const dir = path.join(parent, 'nginx');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
${process.getuid() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format origin '$request_uri $upstream_cache_status $upstream_addr';
  access_log ${dir}/access.log origin;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache keys_zone=cdn:1m levels=1:2 inactive=60s;
  upstream origin { server 127.0.0.1:${gatewayPort}; keepalive 8; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_cache cdn;
      proxy_cache_lock on;
      proxy_cache_revalidate on;
    }
  }
}
`);
  children.push(spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' }));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + '/healthz')).status === 200) return { base, dir, accessLog: path.join(dir, 'access.log') }; } catch (e) { /* not yet */ }
    await sleep(50);
  }
  throw new Error('nginx did not start on port ' + port);
}

/// Runs the test's `main`, then stops every process started here; exits 1 when a check failed.
function run(main) {
  main()
    .catch((e) => check(false, 'the test ran to its end: ' + (e.stack || e)))
    .finally(() => {
      for (const c of children) c.kill('SIGTERM');
      console.log(failures.length ? `${failures.length} FAILED` : 'all passed');
      setTimeout(() => process.exit(failures.length ? 1 : 0), 300);
    });
}

module.exports = {
  ROOT, BUILD, GUICHET, failures, children, check, sleep, freePort, env, jwt, iso, baseConfig, pagesConfig, startRedis,
  runGuichet, startGateway, startCachingProxy, until, axeScan, run,
};
