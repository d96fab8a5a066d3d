// The fans' pages in a real browser: Debian's Chromium, headless, driven by puppeteer-core,
// against a real redis-server and the real gateway binary on loopback.
//   node tests/browser/fan_pages.test.js            (BUILD=build, CHROMIUM=/usr/bin/chromium)
// A fan registers, the draw runs (the real --draw-commit / --draw), fans open the waiting page
// in the pre-queue and see the countdown (one with a clock three hours wrong), after the opening
// a late fan watches its place go down, all are admitted by themselves, build a pack, hold it,
// pay with the demo's stand-in (Redis shows the sale) or release it; a fan meets a sold-out
// room. English and French. Every page in every state gets an axe-core scan (no serious or
// critical violation); every page and asset its caching and security headers; no URL the
// server receives holds a token; no CSP violation. Screenshots go to SCREENSHOT_DIR (default
// BUILD/browser-out). Exit status 1 on any failure.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const {
  ROOT, BUILD, check, sleep, freePort, env, jwt, iso, baseConfig, pagesConfig, startRedis, runGuichet, startGateway, startCachingProxy, until, axeScan, run: runTest,
} = require('../support/node/fixture');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = path.resolve(ROOT, process.env.OUT || path.join(BUILD, 'browser-out'));
const SHOTS = path.resolve(ROOT, process.env.SCREENSHOT_DIR || OUT);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-browser-'));
  const [rp, gp] = [await freePort(), await freePort()];
  const T0 = Date.now();
  const REG_CLOSES = T0 + 15000, OPENS = T0 + 35000;
  const LINE_RATE = 4, LINE_CROWD = 240, LINE_FANS = 12, WINDOW_MS = 40000;
  const cfg = path.join(dir, 'guichet.toml');
  fs.writeFileSync(cfg, baseConfig(gp, rp) + pagesConfig() + `
[editions.e2e]
name = "Browser test edition"
[editions.e2e.sessions]
ATH = { name = "Athletics - 100m final", sport = "Athletics", venue = "Stade de France", date = "2024-08-04", categories = { A = 100, B = 100 } }
SWM = { name = "Swimming - finals", sport = "Swimming", venue = "La Defense Arena", date = "2024-07-28", categories = { A = 100 } }
GYM = { name = "Gymnastics - final", sport = "Gymnastics", venue = "Bercy Arena", date = "2024-08-01", categories = { A = 100 } }
OPN = { name = "Opening Ceremony", venue = "Seine", date = "2024-07-26", ceremony = true, categories = { A = 100 } }
SRF = { name = "Surfing - round 1", sport = "Surfing", venue = "Teahupo'o", date = "2024-07-27", categories = { A = 100 } }
[editions.e2e.phases.packs]
draw = true
rules = "packs"
excluded = ["SRF"]
registration_opens = ${iso(T0 - 60000)}
registration_closes = ${iso(REG_CLOSES)}
pre_queue = "1h"
admit_rate = 4
max_active = 1000
shopper_idle = "5m"
slots = [ { id = "s1", start = ${iso(OPENS)}, duration = "1h", capacity = 1000 } ]
[editions.e2e-line]
name = "Two identical lines, one behind a caching proxy"
[editions.e2e-line.sessions]
BIG = { name = "Big session", categories = { A = 1000 } }
[editions.e2e-line.phases.direct]
admit_rate = ${LINE_RATE}
slots = [ { id = "all", start = ${iso(T0 - 60000)}, duration = "1h" } ]
[editions.e2e-line.phases.cdn]
admit_rate = ${LINE_RATE}
slots = [ { id = "all", start = ${iso(T0 - 60000)}, duration = "1h" } ]
[editions.e2e-last]
name = "The last seat"
[editions.e2e-last.sessions]
ONE = { name = "The last seat", categories = { A = 1 } }
[editions.e2e-last.phases.open]
admit_rate = 50
slots = [ { id = "all", start = ${iso(T0 - 60000)}, duration = "1h" } ]
`);
  await startRedis(rp, dir);
  const cli = (...args) => execFileSync('redis-cli', ['-p', String(rp), ...args]).toString().trim();
  const run = (...args) => runGuichet(cfg, ...args);
  run('--load-inventory');
  const seed = /seed \(secret until the draw\): ([0-9a-f]{64})/.exec(run('--draw-commit', 'e2e', 'packs'))[1];
  const base = await startGateway(cfg, gp);
  const api = async (method, p, token, body, headers = {}) => {
    const h = Object.assign({}, headers);
    if (token) h.Authorization = 'Bearer ' + token;
    if (body) h['Content-Type'] = 'application/json';
    const r = await fetch(base + p, { method, headers: h, body: body && JSON.stringify(body) });
    let data = {};
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    return { status: r.status, data };
  };
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, protocolTimeout: 60000,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=en-US'],
  });
  const seenUrls = [], tokens = new Set(), cspViolations = [], checkedHeaders = new Map(), notFound = [];
  async function open(url, { lang = 'en', clockOffsetMs = 0, width = 480 } = {}) {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    await page.setExtraHTTPHeaders({ 'Accept-Language': lang === 'fr' ? 'fr-FR,fr;q=0.9' : 'en-GB,en;q=0.9' });
    if (clockOffsetMs)
      await page.evaluateOnNewDocument((off) => {
        const Real = Date;
        class Wrong extends Real {
          constructor(...a) { if (a.length) super(...a); else super(Real.now() + off); }
          static now() { return Real.now() + off; }
        }
        window.Date = Wrong;
      }, clockOffsetMs);
    page.on('request', (r) => seenUrls.push(r.url()));
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
    page.on('pageerror', (e) => check(false, 'no script error on ' + page.url() + ': ' + e.message));
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (r.status() === 404) notFound.push(u.pathname);
      if (/^\/(register|wait|shop|static)\//.test(u.pathname) && r.status() < 300) checkedHeaders.set(u.pathname, r.headers());
    });
    await page.goto(url);
    return page;
  }
  const text = (page, sel) => page.$eval(sel, (e) => e.textContent).catch(() => '');
  const axe = (page, state) => axeScan(page, state, AXE);
  async function keepTokens(page) {
    const all = await page.evaluate(() => Object.entries(sessionStorage).filter(([k]) => k.startsWith('guichet.')).map(([, v]) => v));
    for (const t of all) tokens.add(t);
  }
  const shot = async (page, name) => {
    await page.bringToFront();
    await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
  };

  // --- Registration, in both languages ---------------------------------------------------------
  const fans = { en: 'fan-en', fr: 'fan-fr', clock: 'fan-clock', late: 'fan-late', tard: 'fan-tard' };
  for (const f of Object.values(fans)) tokens.add(jwt(f));
  const reg = await open(`${base}/register/e2e/packs#token=${jwt(fans.en)}`);
  check(!(reg.url().includes('token=')), 'the page takes the JWT out of the address bar');
  await until('register button shown', async () => !(await reg.$eval('#register', (e) => e.hidden)));
  await axe(reg, 'register (open, en)');
  await reg.bringToFront();
  await reg.click('#register');
  await until('English registration confirmed', async () => /You are registered/.test(await text(reg, '#status')));
  check(cli('HEXISTS', 'guichet:{e2e}:reg:packs', fans.en) === '1', 'Redis holds the registration made in the page');
  await axe(reg, 'register (registered, en)');
  const regFr = await open(`${base}/register/e2e/packs#token=${jwt(fans.fr)}`, { lang: 'fr' });
  check((await regFr.$eval('html', (e) => e.lang)) === 'fr', 'Accept-Language fr gives the French page');
  await until('French register button', async () => /M’inscrire/.test(await text(regFr, '#register')) && !(await regFr.$eval('#register', (e) => e.hidden)));
  await regFr.bringToFront();
  await regFr.click('#register');
  await until('French registration confirmed', async () => /Vous êtes inscrit/.test(await text(regFr, '#status')));
  await axe(regFr, 'register (registered, fr)');
  await regFr.click('#switch');
  await until('the language switch gives English', async () => (await regFr.$eval('html', (e) => e.lang)) === 'en');
  await reg.close();
  await regFr.close();
  const crowd = Array.from({ length: 40 }, (_, i) => 'crowd-' + i);
  let registered = 0;
  for (const f of [fans.clock, fans.late, fans.tard, ...crowd])
    registered += (await api('POST', '/rooms/e2e/packs/register', jwt(f))).status === 201 ? 1 : 0;
  check(registered === 43, `43 more fans register through the API (${registered})`);

  // --- The draw, once registration has closed ---------------------------------------------------
  await sleep(Math.max(0, REG_CLOSES - Date.now() + 300));
  const drawOut = run('--draw', 'e2e', 'packs', seed, path.join(dir, 'draw'));
  check(/drawn: 45 winners/.test(drawOut), 'the draw places all 45 registrants: ' + drawOut.split('\n').find((l) => l.startsWith('drawn')));
  const closedReg = await open(`${base}/register/e2e/packs#token=${jwt('fan-after')}`);
  await until('after the window the register page says it closed', async () => /Registration closed on/.test(await text(closedReg, '#status')));
  await closedReg.close();
  const undrawn = await open(`${base}/wait/e2e/packs#token=${jwt('fan-after')}`, { lang: 'fr' });
  await until('a fan the draw did not pick is told so', async () => /Le tirage ne vous a pas attribué de créneau/.test(await text(undrawn, '#status')));
  await axe(undrawn, 'wait (not drawn, fr)');
  await undrawn.close();
  const signedOut = await open(`${base}/shop/e2e/packs`);
  await until('a shop without admission sends the fan to the waiting room', async () =>
    /not been let into the shop/.test(await text(signedOut, '#status')) && !(await signedOut.$eval('#to-wait', (e) => e.hidden)));
  await axe(signedOut, 'shop (not admitted, en)');
  await signedOut.close();

  // --- The pre-queue: countdown on the server's clock, a wrong clock too ------------------------
  const wEn = await open(`${base}/wait/e2e/packs#token=${jwt(fans.en)}`);
  const wFr = await open(`${base}/wait/e2e/packs#token=${jwt(fans.fr)}`, { lang: 'fr' });
  const wClock = await open(`${base}/wait/e2e/packs#token=${jwt(fans.clock)}`, { clockOffsetMs: -3 * 3600 * 1000 });
  for (const f of crowd) await api('POST', '/rooms/e2e/packs/join', jwt(f));
  await until('English countdown', async () => /Opening in \d+ s/.test(await text(wEn, '#countdown')));
  await until('French countdown', async () => /Ouverture dans \d+ s/.test(await text(wFr, '#countdown')));
  await until('the fan with a wrong clock sees the same countdown', async () => /Opening in \d+ s/.test(await text(wClock, '#countdown')));
  const skew = await wClock.evaluate(() => G.now() - Date.now());
  check(Math.abs(skew - 3 * 3600 * 1000) < 2000, `the page's server clock corrects a clock 3 h wrong (correction ${Math.round(skew / 1000)} s)`);
  const left = Number(/(\d+) s/.exec(await text(wClock, '#countdown'))[1]);
  check(Math.abs(left * 1000 - (OPENS - Date.now())) < 2500, `its countdown is right (${left} s shown)`);
  await axe(wEn, 'wait (pre-queue countdown, en)');
  await axe(wFr, 'wait (pre-queue countdown, fr)');

  // --- The opening: late fans behind the pre-queue watch their place go down -------------------
  await sleep(Math.max(0, OPENS - Date.now() + 500));
  const wLate = await open(`${base}/wait/e2e/packs#token=${jwt(fans.late)}`);
  const wTard = await open(`${base}/wait/e2e/packs#token=${jwt(fans.tard)}`, { lang: 'fr' });
  const aheadOf = async (p) => Number(((await text(p, '#ahead')).match(/\d+/) || [NaN])[0]);
  const first = await until('the late fan sees a place', async () => {
    const a = await aheadOf(wLate);
    return a > 0 ? a : false;
  });
  await keepTokens(wLate);
  const q = await wLate.evaluate(() => sessionStorage.getItem(G.key('queue')));
  const pos = await api('GET', '/rooms/e2e/packs/position', q);
  const shown = Number(await wLate.$eval('#place', (e) => e.dataset.position));
  check(pos.status === 200 && pos.data.position === shown, `the page's own place (${shown}) is the gateway's (${pos.data.position})`);
  await axe(wLate, 'wait (place in line, en)');
  await until('French place in line', async () => /Personnes devant vous : \d+/.test(await text(wTard, '#ahead')));
  await shot(wLate, 'wait-en');
  await wLate.setViewport({ width: 320, height: 900 });
  check(await wLate.evaluate(() => document.documentElement.scrollWidth <= 320), 'the waiting room reflows at 320 px: no sideways scrolling');
  await shot(wTard, 'wait-fr');
  await axe(wTard, 'wait (place in line, fr)');
  await until(`the late fan's place goes down (from ${first} ahead)`, async () => (await aheadOf(wLate)) < first, 15000);
  const before = await wLate.$eval('#place', (e) => e.dataset.position);
  let joinsAfterReload = 0;
  wLate.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/rooms/e2e/packs/join')) joinsAfterReload++; });
  await wLate.reload();
  await until('a reload keeps the same place', async () => (await wLate.$eval('#place', (e) => e.dataset.position)) === before ||
    wLate.url().includes('/shop/'));
  check(joinsAfterReload === 0, `the reloaded page kept its queue token: no second join (${joinsAfterReload} sent)`);

  // --- Everyone is admitted by themselves and reaches the shop ---------------------------------
  // A tab in the background stays on its turn (title, notification) until the fan looks at it.
  for (const [name, p] of [['en', wEn], ['fr', wFr], ['wrong clock', wClock], ['late', wLate], ['tard', wTard]]) {
    await until(`the ${name} fan is admitted`, async () => p.url().startsWith(`${base}/shop/e2e/packs`) ||
      /It is your turn|C’est votre tour/.test(await p.title()), 30000);
    await p.bringToFront();
    await until(`the ${name} fan moves to the shop`, async () => p.url().startsWith(`${base}/shop/e2e/packs`), 10000);
  }
  for (const p of [wEn, wFr, wClock, wLate, wTard]) await keepTokens(p);

  // --- The shop: a pack held, paid with the demo's stand-in -------------------------------------
  const shopEn = wEn;
  await until('the English shop shows the sessions', async () => !(await shopEn.$eval('#order', (e) => e.hidden)) && (await shopEn.$('#q-ATH-A')));
  check(/Not on sale in this phase/.test(await text(shopEn, '#sessions')), 'the excluded session is shown as not on sale');
  check(/30 of 30/.test(await text(shopEn, '#allowance')), 'the allowance reads 30 of 30');
  await axe(shopEn, 'shop (form, en)');
  await shot(shopEn, 'shop-en');
  await shopEn.setViewport({ width: 320, height: 900 });  // 200 % zoom of a 640 px window (WCAG 1.4.10)
  check(await shopEn.evaluate(() => document.documentElement.scrollWidth <= 320), 'the shop reflows at 320 px: no sideways scrolling');
  await shopEn.setViewport({ width: 480, height: 900 });
  await shopEn.select('#q-ATH-A', '2');
  await shopEn.select('#q-SWM-A', '2');
  await shopEn.select('#q-GYM-A', '1');
  await shopEn.click('#hold');
  await until('the hold is shown with its deadline', async () => /Pay within \d+ min/.test(await text(shopEn, '#deadline')));
  check(/DEMO/.test(await shopEn.$eval('#pay', (e) => getComputedStyle(e.querySelector('p'), '::before').content)),
        'the stand-in payment is marked as a demo');
  await axe(shopEn, 'shop (hold, en)');
  await until('the allowance counts the hold', async () => /25 of 30/.test(await text(shopEn, '#allowance')));
  await shopEn.click('#pay-button');
  await until('the payment is confirmed in the page', async () => /Payment confirmed \(reference demo-[0-9a-f]{16}\)/.test(await text(shopEn, '#status')));
  check(cli('HGET', 'guichet:{e2e}:inv:ATH', 's:A') === '2' && cli('HGET', 'guichet:{e2e}:inv:SWM', 's:A') === '2' &&
        cli('HGET', 'guichet:{e2e}:inv:GYM', 's:A') === '1', 'Redis shows the sale (sold counts of the three sessions)');
  check(cli('HGET', 'guichet:{e2e}:acct:' + fans.en, 'total') === '5', "Redis counts the fan's 5 tickets");

  // --- The same in French: a refusal as a sentence, a hold released ------------------------------
  const shopFr = wFr;
  await until('the French shop shows the sessions', async () => (await shopFr.$('#q-ATH-A')) && /Choisissez/.test(await text(shopFr, 'h1')));
  await shot(shopFr, 'shop-fr');
  await shopFr.select('#q-ATH-A', '1');
  await shopFr.select('#q-SWM-A', '1');
  await shopFr.click('#hold');
  await until('a two-session pack is refused in French', async () => /Un pack compte exactement 3 sessions différentes/.test(await text(shopFr, '#status')));
  await axe(shopFr, 'shop (refusal, fr)');
  await shopFr.select('#q-OPN-A', '4');
  await shopFr.click('#hold');
  await until('the French hold is shown', async () => /Payez dans/.test(await text(shopFr, '#deadline')));
  await axe(shopFr, 'shop (hold, fr)');
  check(cli('HGET', 'guichet:{e2e}:inv:OPN', 'h:A') === '4', 'Redis holds the French pack');
  await shopFr.click('#release');
  await until('the release is confirmed in French', async () => /remis en vente/.test(await text(shopFr, '#status')));
  check(cli('HGET', 'guichet:{e2e}:inv:OPN', 'h:A') === '0' && cli('HGET', 'guichet:{e2e}:inv:OPN', 'a:A') === '100',
        'the released seats are back on sale in Redis');

  // --- A sold-out room says so, in both languages ---------------------------------------------
  const buyer = jwt('last-buyer');
  const joined = await api('POST', '/rooms/e2e-last/open/join', buyer);
  let admitted;
  await until('the buyer of the last seat is admitted', async () => (admitted = await api('POST', '/rooms/e2e-last/open/admit', joined.data.queue_token)).status === 200);
  const h = await api('POST', '/editions/e2e-last/phases/open/holds', admitted.data.access_token,
                      { items: [{ session: 'ONE', category: 'A', quantity: 1 }] }, { 'Idempotency-Key': 'last-1' });
  const paid = await api('POST', `/editions/e2e-last/holds/${h.data.hold_id}/confirm`, env.GUICHET_PAYMENT_KEY, { payment_ref: 'last' });
  check(paid.status === 200, 'the last seat is sold');
  await until('the room sells out by itself', async () => (await api('GET', '/rooms/e2e-last/open/state')).data.status === 'sold_out');
  const soldFr = await open(`${base}/wait/e2e-last/open#token=${jwt('fan-complet')}`, { lang: 'fr' });
  await until('the French fan is told it is sold out', async () => /Complet : il ne reste plus de billets/.test(await text(soldFr, '#status')));
  await axe(soldFr, 'wait (sold out, fr)');
  const soldEn = await open(`${base}/wait/e2e-last/open#token=${jwt('fan-soldout')}`);
  await until('the English fan is told it is sold out', async () => /Sold out: there are no tickets left/.test(await text(soldEn, '#status')));
  await axe(soldEn, 'wait (sold out, en)');

  // --- Behind a caching proxy (nginx standing in for the CDN): what waiting fans cost the origin -
  // Two identical rooms, each with the same crowd ahead; LINE_FANS browser fans wait in each for
  // WINDOW_MS, one set straight at the gateway, the other through nginx. The origin's share of
  // their state polls: every poll for the direct set, nginx's misses for the other.
  const proxy = await startCachingProxy(gp, dir);
  const cdn = proxy.base;
  for (let i = 0; i < LINE_CROWD; i++)
    for (const room of ['direct', 'cdn']) await api('POST', `/rooms/e2e-line/${room}/join`, jwt(`line-${room}-${i}`));
  const polls = { direct: 0, cdn: 0 };
  let counting = true;
  const lines = { direct: [], cdn: [] };
  const started = Date.now();
  const originBefore = fs.readFileSync(proxy.accessLog, 'utf8').split('\n').length;
  for (let i = 0; i < LINE_FANS; i++)
    for (const room of ['direct', 'cdn']) {
      const p = await open(`${room === 'cdn' ? cdn : base}/wait/e2e-line/${room}#token=${jwt(`watch-${room}-${i}`)}`);
      p.on('request', (r) => { if (counting && r.url().includes(`/rooms/e2e-line/${room}/state`)) polls[room]++; });
      lines[room].push(p);
    }
  await sleep(WINDOW_MS - (Date.now() - started));
  counting = false;
  const minutes = (Date.now() - started) / 60000;
  const logLines = fs.readFileSync(proxy.accessLog, 'utf8').split('\n').slice(originBefore - 1);
  const stateLines = logLines.filter((l) => l.startsWith('/rooms/e2e-line/cdn/state'));
  const toOrigin = stateLines.filter((l) => !l.endsWith(' -')).length;
  const hits = stateLines.filter((l) => / HIT /.test(l)).length;
  const cost = {
    fans_per_room: LINE_FANS, crowd_ahead: LINE_CROWD, admit_rate: LINE_RATE, window_s: Math.round(minutes * 60),
    direct: { polls: polls.direct, origin_requests: polls.direct, per_fan_per_minute: +(polls.direct / LINE_FANS / minutes).toFixed(2) },
    cdn: { polls: polls.cdn, cache_hits: hits, origin_requests: toOrigin, per_fan_per_minute: +(toOrigin / LINE_FANS / minutes).toFixed(2) },
  };
  fs.writeFileSync(path.join(OUT, 'origin-cost.json'), JSON.stringify(cost, null, 2) + '\n');
  console.log('# origin requests per waiting fan per minute: ' + JSON.stringify(cost));
  for (const p of lines.cdn) {
    const ahead = Number(((await text(p, '#ahead')).match(/\d+/) || [NaN])[0]);
    if (!check(ahead > 0, 'a fan behind the caching proxy sees its place (' + ahead + ' ahead)')) break;
  }
  check(hits > 0 && toOrigin < polls.cdn, `the proxy answers waiting fans' polls from its cache (${hits} hits, ${toOrigin} of ${polls.cdn} polls reached the origin)`);
  for (const p of lines.direct) await p.close();
  // Through the proxy all the way: admitted (ops speed the line up), a hold in the shop.
  const pause = await api('POST', '/admin/rooms/e2e-line/cdn', env.GUICHET_ADMIN_KEY, { action: 'pause' });
  check(pause.status === 200, 'ops pause the line');
  await until('a waiting fan is told the sale is paused', async () => /Sales are paused for a moment/.test(await text(lines.cdn[1], '#status')), 35000);
  await axe(lines.cdn[1], 'wait (paused, en)');
  await api('POST', '/admin/rooms/e2e-line/cdn', env.GUICHET_ADMIN_KEY, { action: 'resume' });
  const admin = await api('POST', '/admin/rooms/e2e-line/cdn', env.GUICHET_ADMIN_KEY, { admit_rate: 1000 });
  check(admin.status === 200, 'ops speed the line up');
  const viaCdn = lines.cdn[0];
  await viaCdn.bringToFront();
  await until('a fan behind the proxy is admitted and reaches the shop', async () => viaCdn.url().startsWith(`${cdn}/shop/e2e-line/cdn`), 30000);
  await until('its shop shows the session through the proxy', async () => viaCdn.$('#q-BIG-A'));
  await viaCdn.bringToFront();  // clicks wait for a frame, which a background tab never draws
  await viaCdn.select('#q-BIG-A', '3');
  await viaCdn.click('#hold');
  await until('its hold is made through the proxy', async () => /Pay within/.test(await text(viaCdn, '#deadline')));
  check(cli('HGET', 'guichet:{e2e-line}:inv:BIG', 'h:A') === '3', 'Redis holds the seats of the fan behind the proxy');
  for (const p of lines.cdn) await p.close();

  // --- Headers, tokens in URLs, CSP, page weight -----------------------------------------------
  for (const [p, hd] of checkedHeaders) {
    const asset = p.startsWith('/static/');
    check(hd['cache-control'] === (asset ? 'public, max-age=31536000, immutable' : 'public, max-age=60'), `${p}: Cache-Control ${hd['cache-control']}`);
    check(/script-src 'self'/.test(hd['content-security-policy'] || '') && !/unsafe-inline/.test(hd['content-security-policy']),
          `${p}: strict Content-Security-Policy`);
    check(hd['x-content-type-options'] === 'nosniff' && hd['referrer-policy'] === 'no-referrer', `${p}: nosniff, no-referrer`);
  }
  check([...checkedHeaders.keys()].some((p) => p.startsWith('/static/')) && [...checkedHeaders.keys()].some((p) => p.startsWith('/shop/')),
        'pages and assets were all seen');
  const leaks = seenUrls.filter((u) => {
    const sent = u.split('#')[0];  // a fragment is never sent
    return [...tokens].some((t) => t && sent.includes(t));
  });
  check(tokens.size > 10 && leaks.length === 0, `no token in any of the ${seenUrls.length} URLs requested (${tokens.size} tokens)` + (leaks.length ? ': ' + leaks[0] : ''));
  check(notFound.length === 0, 'no request of the pages got a 404' + (notFound.length ? ': ' + notFound.join(' ') : ''));
  check(cspViolations.length === 0, 'no Content-Security-Policy violation' + (cspViolations.length ? ': ' + cspViolations[0] : ''));
  const weights = {};
  for (const name of ['register', 'wait', 'shop']) {
    const html = await (await fetch(`${base}/${name}/e2e/packs`)).text();
    let total = Buffer.byteLength(html);
    for (const m of html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)) total += Buffer.byteLength(await (await fetch(base + m[1])).text());
    weights[name] = total;
    check(total <= 50 * 1024, `${name} page weighs ${total} bytes (HTML+CSS+JS, at most 51200)`);
  }
  fs.writeFileSync(path.join(OUT, 'page-weights.json'), JSON.stringify(weights) + '\n');
  await browser.close();
}

runTest(main);
