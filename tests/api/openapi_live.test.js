// docs/openapi.yaml against the real gateway: every operation it describes is called on a real
// gateway (and redis-server) through a whole scenario — registration, join, position, admission,
// heartbeat, holds, confirmation, demo payment, release, the ops routes, the pages — and with the
// refusals a client meets. Each answer must have a status the operation documents; a JSON body
// must match the schema documented for that status (ajv), every error body the Error schema, and
// a 2xx JSON answer with no documented schema is a failure (an undocumented body).
//   node tests/api/openapi_live.test.js          (BUILD=build; NODE_PATH=tests/browser/node_modules)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Ajv = require('ajv');
const yaml = require('js-yaml');
const {
  ROOT, check, sleep, freePort, env, jwt, iso, baseConfig, pagesConfig, startRedis, runGuichet, startGateway, run,
} = require('../support/node/fixture');

const spec = yaml.load(fs.readFileSync(path.join(ROOT, 'docs/openapi.yaml'), 'utf8'));

/// The schema with every local $ref replaced by what it points at.
function deref(node) {
  if (Array.isArray(node)) return node.map(deref);
  if (!node || typeof node !== 'object') return node;
  if (node.$ref) return deref(node.$ref.slice(2).split('/').reduce((o, k) => o[k], spec));
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v)]));
}
const ajv = new Ajv({ strict: false, allErrors: true });
const errorSchema = ajv.compile(deref(spec.components.schemas.Error));
const operations = [];
for (const [template, item] of Object.entries(spec.paths))
  for (const [method, op] of Object.entries(item)) {
    if (!['get', 'post', 'delete', 'put', 'patch'].includes(method)) continue;
    const re = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    operations.push({ method: method.toUpperCase(), template, re, op, seen: new Set() });
  }

const answers = [];
async function call(method, url, { token, body, headers = {} } = {}) {
  const h = Object.assign({}, headers);
  if (token) h.Authorization = 'Bearer ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(url, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  const type = (r.headers.get('content-type') || '').split(';')[0];
  let data;
  if (type === 'application/json') try { data = JSON.parse(text); } catch (e) { data = undefined; }
  const p = new URL(url).pathname;
  const what = `${method} ${p} -> ${r.status}`;
  // A 405 is documented on the path's other operations (the method has none of its own).
  const o = operations.find((x) => x.method === method && x.re.test(p)) ||
            (r.status === 405 ? operations.find((x) => x.re.test(p) && x.op.responses['405']) : undefined);
  if (!check(o, `${what}: the operation is in the spec`)) return { status: r.status, data, headers: r.headers };
  o.seen.add(r.status);
  const documented = o.op.responses[String(r.status)];
  answers.push(what);
  if (!check(documented, `${what}: ${o.op.operationId} documents ${r.status} (it has ${Object.keys(o.op.responses).join(', ')})`))
    return { status: r.status, data, headers: r.headers };
  if (type === 'application/json') check(data !== undefined, `${what}: the body is JSON as its Content-Type says`);
  const schema = documented.content && documented.content[type] && documented.content[type].schema;
  if (r.status >= 400 && type === 'application/json') {
    check(errorSchema(data), `${what}: the body is an Error (${data && data.error && data.error.code}) ${ajv.errorsText(errorSchema.errors)}`);
  } else if (schema) {
    const v = ajv.compile(deref(schema));
    check(type !== 'application/json' || v(data), `${what}: the body matches ${o.op.operationId}'s ${r.status} schema ${v.errors ? ajv.errorsText(v.errors) : ''}`);
  } else if (type === 'application/json') {
    check(false, `${what}: ${o.op.operationId} documents no schema for its ${r.status} JSON body: ${text.slice(0, 120)}`);
  }
  return { status: r.status, data, headers: r.headers };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-openapi-'));
  const [rp, gp] = [await freePort(), await freePort()];
  const T0 = Date.now();
  const cfg = path.join(dir, 'guichet.toml');
  fs.writeFileSync(cfg, baseConfig(gp, rp) + pagesConfig() + `
[editions.api]
name = "API test edition"
[editions.api.sessions]
ATH = { name = "Athletics", categories = { A = 100 } }
OPN = { name = "Opening Ceremony", ceremony = true, categories = { A = 100 } }
ONE = { name = "The last seat", categories = { A = 1 } }
[editions.api.phases.draw]
draw = true
registration_opens = ${iso(T0 - 60000)}
registration_closes = ${iso(T0 + 3600000)}
slots = [ { id = "s1", start = ${iso(T0 + 7200000)}, duration = "1h" } ]
[editions.api.phases.closed]
draw = true
registration_opens = ${iso(T0 - 7200000)}
registration_closes = ${iso(T0 - 3600000)}
slots = [ { id = "s1", start = ${iso(T0 + 7200000)}, duration = "1h" } ]
[editions.api.phases.open]
admit_rate = 100
max_active = 100
slots = [ { id = "all", start = ${iso(T0 - 60000)}, duration = "1h" } ]
`);
  await startRedis(rp, dir);
  runGuichet(cfg, '--load-inventory');
  const base = await startGateway(cfg, gp);
  const u = (p) => base + p;
  const fan = jwt('fan-1'), other = jwt('fan-2');

  // Ops and public routes.
  for (const p of ['/healthz', '/readyz', '/metrics']) await call('GET', u(p));
  await call('POST', u('/healthz'), { body: {} });
  const st = await call('GET', u('/rooms/api/open/state'));
  await call('GET', u('/rooms/api/open/state'), { headers: { 'If-None-Match': st.headers.get('etag') } });
  await call('GET', u('/rooms/api/nope/state'));
  await call('GET', u('/editions/api/phases/open/rules'));
  await call('GET', u('/editions/api/phases/nope/rules'));
  // The availability is read from Redis within a second of the start: 503 until then.
  for (let i = 0; i < 40 && (await call('GET', u('/editions/api/availability'))).status !== 200; i++) await sleep(100);
  await call('GET', u('/editions/nope/availability'));
  for (const page of ['register', 'wait', 'shop']) {
    const r = await fetch(u(`/${page}/api/open`));
    const html = await r.text();
    await call('GET', u(`/${page}/api/open`));
    await call('GET', u(`/${page}/api/open`), { headers: { 'If-None-Match': r.headers.get('etag') } });
    await call('GET', u(`/${page}/api/nope`));
    for (const m of html.matchAll(/(?:href|src)="(\/static\/[^"]+\.(?:js|css))"/g)) await call('GET', u(m[1]));
  }
  await call('GET', u('/static/nope.0123456789.js'));

  // Draw registration.
  await call('POST', u('/rooms/api/draw/register'), { token: fan });
  await call('POST', u('/rooms/api/draw/register'), { token: fan });
  await call('POST', u('/rooms/api/draw/register'));
  await call('POST', u('/rooms/api/draw/register'), { token: 'x.y.z' });
  await call('POST', u('/rooms/api/closed/register'), { token: fan });
  await call('POST', u('/rooms/api/nope/register'), { token: fan });

  // The room: join, position, admission, heartbeat.
  await call('POST', u('/rooms/api/open/join'));
  await call('POST', u('/rooms/api/draw/join'), { token: other });  // not drawn
  const shoppers = [];
  for (const f of [fan, other]) {
    const j = await call('POST', u('/rooms/api/open/join'), { token: f });
    await call('GET', u('/rooms/api/open/position'), { token: j.data.queue_token });
    let a;
    for (let i = 0; i < 100; i++) {
      a = await call('POST', u('/rooms/api/open/admit'), { token: j.data.queue_token });
      if (a.status === 200) break;
      await sleep(50);
    }
    check(a.status === 200, 'a fan in an open room is admitted');
    shoppers.push(a.data.access_token);
  }
  const [shop, shop2] = shoppers;
  await call('GET', u('/rooms/api/open/position'));
  await call('GET', u('/rooms/api/open/position'), { token: shop });  // an access token is not a queue token
  await call('POST', u('/rooms/api/open/heartbeat'), { token: shop });
  await call('POST', u('/rooms/api/open/heartbeat'));

  // Admin.
  const admin = env.GUICHET_ADMIN_KEY;
  await call('POST', u('/admin/rooms/api/open'), { token: admin, body: { admit_rate: 100 } });
  await call('POST', u('/admin/rooms/api/open'), { token: admin, body: '{"admit_rate":' });
  await call('POST', u('/admin/rooms/api/open'), { body: { admit_rate: 100 } });

  // Checkout.
  const holds = u('/editions/api/phases/open/holds');
  const hold = (token, key, items) => call('POST', holds, { token, body: { items }, headers: key ? { 'Idempotency-Key': key } : {} });
  const h1 = await hold(shop, 'k1', [{ session: 'ATH', category: 'A', quantity: 2 }]);
  await hold(shop, 'k1', [{ session: 'ATH', category: 'A', quantity: 2 }]);            // replay
  await hold(shop, 'k1', [{ session: 'ATH', category: 'A', quantity: 3 }]);            // same key, other body
  await hold(shop, null, [{ session: 'ATH', category: 'A', quantity: 1 }]);            // no key
  await hold(shop, 'k2', [{ session: 'NOPE', category: 'A', quantity: 1 }]);           // unknown session
  await hold(shop, 'k3', [{ session: 'ATH', category: 'A', quantity: 40 }]);           // over the session limit
  await call('POST', holds, { token: shop, body: '{"items":', headers: { 'Idempotency-Key': 'k4' } });
  await hold(null, 'k5', [{ session: 'ATH', category: 'A', quantity: 1 }]);
  await hold(fan, 'k6', [{ session: 'ATH', category: 'A', quantity: 1 }]);             // an identity token
  const last = await hold(shop2, 'k7', [{ session: 'ONE', category: 'A', quantity: 1 }]);
  await hold(shop, 'k8', [{ session: 'ONE', category: 'A', quantity: 1 }]);            // sold out
  const id1 = h1.data.hold_id;
  await call('GET', u(`/editions/api/holds/${id1}`), { token: shop });
  await call('GET', u(`/editions/api/holds/${id1}`), { token: shop2 });                // someone else's
  await call('GET', u('/editions/api/account'), { token: shop });
  await call('GET', u('/editions/api/account'));
  await call('GET', u('/editions/nope/account'), { token: shop });
  const pay = env.GUICHET_PAYMENT_KEY;
  await call('POST', u(`/editions/api/holds/${id1}/confirm`), { token: pay, body: { payment_ref: 'pay-1' } });
  await call('POST', u(`/editions/api/holds/${id1}/confirm`), { token: pay, body: { payment_ref: 'pay-1' } });
  await call('POST', u(`/editions/api/holds/${id1}/confirm`), { token: shop, body: { payment_ref: 'pay-1' } });
  await call('POST', u('/editions/api/holds/0123456789abcdef/confirm'), { token: pay, body: { payment_ref: 'x' } });
  await call('DELETE', u(`/editions/api/holds/${id1}`), { token: shop });              // confirmed: 409
  await call('POST', u(`/editions/api/holds/${last.data.hold_id}/demo-payment`), { token: shop2 });
  await call('POST', u(`/editions/api/holds/${last.data.hold_id}/demo-payment`), { token: pay });
  const h3 = await hold(shop, 'k9', [{ session: 'OPN', category: 'A', quantity: 1 }]);
  await call('DELETE', u(`/editions/api/holds/${h3.data.hold_id}`), { token: shop });
  await call('DELETE', u(`/editions/api/holds/${h3.data.hold_id}`), { token: shop });  // again: still 200
  await call('POST', u(`/editions/api/holds/${h3.data.hold_id}/confirm`), { token: pay, body: { payment_ref: 'late' } });
  await call('POST', u(`/editions/api/holds/${h3.data.hold_id}/demo-payment`), { token: shop });
  await call('DELETE', u('/editions/api/holds/0123456789abcdef'), { token: shop });

  // The phases' events, counted once each: one fan registered twice, two fans admitted.
  const metrics = await (await fetch(u('/metrics'))).text();
  check(/\nguichet_draw_registrations_total\{edition="api",phase="draw"\} 1\n/.test(metrics), 'one draw registration counted');
  check(/\nguichet_admissions_total\{edition="api",phase="open"\} 2\n/.test(metrics), 'two admissions counted');

  // Every operation was called and answered with success at least once.
  for (const o of operations)
    check([...o.seen].some((s) => s < 400), `${o.method} ${o.template} (${o.op.operationId}) answered a success (saw ${[...o.seen].join(', ') || 'nothing'})`);
  console.log(`${answers.length} answers checked against docs/openapi.yaml`);
}

run(main);
