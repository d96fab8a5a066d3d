// The fan's turn in a real browser: Debian's Chromium, headless, with the throttling of
// background tabs that real browsers apply (puppeteer turns it off by default; not here), against
// a real redis-server and the gateway, the pages going through nginx as a caching proxy (the CDN:
// a room state up to 1 s old).
//   node tests/browser/turn.test.js            (BUILD=build, CHROMIUM=/usr/bin/chromium)
// A crowd joins a line moving at RATE fans per second; then, behind the cache:
//  - a waiting page in view: admitted by dead reckoning within 1 s of its turn (the moment the
//    serving counter in Redis passes its place, watched by the test);
//  - a page the fan sent to the background after allowing notifications and switching the sound
//    on: at its turn, while hidden, its title changes, the notification shows and the sound plays;
//    when and how the browser let it act is measured; shown again, it moves on to the shop;
//  - a French page: no permission asked on load, the button asks; axe clean in both languages.
// Measurements go to OUT/turn.json. Exit status 1 on any failure.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const {
  ROOT, BUILD, check, sleep, freePort, jwt, iso, baseConfig, pagesConfig, startRedis, runGuichet, startGateway, startCachingProxy, until, axeScan,
  run: runTest,
} = require('../support/node/fixture');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = path.resolve(ROOT, process.env.OUT || path.join(BUILD, 'browser-out'));
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const RATE = 2, CROWD = 40;

// Before any page script: what the page asks of the browser at its turn, recorded.
function instrument() {
  window.__shown = [];
  window.__beeps = [];
  window.__asked = 0;
  if (window.Notification) {
    const Real = window.Notification;
    const Spy = function (title, opts) {
      window.__shown.push({ title, body: opts && opts.body, at: Date.now(), hidden: document.hidden });
      return new Real(title, opts);
    };
    Object.defineProperty(Spy, 'permission', { get: () => Real.permission });
    Spy.requestPermission = (...a) => (window.__asked++, Real.requestPermission(...a));
    window.Notification = Spy;
  }
  const osc = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__beeps.push({ at: Date.now(), hidden: document.hidden });
    return osc.call(this);
  };
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-turn-'));
  const [rp, gp] = [await freePort(), await freePort()];
  const T0 = Date.now();
  const cfg = path.join(dir, 'guichet.toml');
  fs.writeFileSync(cfg, baseConfig(gp, rp) + pagesConfig() + `
[editions.turn]
name = "The fan's turn"
[editions.turn.sessions]
BIG = { name = "Big session", categories = { A = 1000 } }
[editions.turn.phases.line]
admit_rate = ${RATE}
max_active = 1000
shopper_idle = "5m"
slots = [ { id = "all", start = ${iso(T0 - 60000)}, duration = "1h" } ]
`);
  await startRedis(rp, dir);
  const cli = (...args) => execFileSync('redis-cli', ['-p', String(rp), ...args]).toString().trim();
  runGuichet(cfg, '--load-inventory');
  const origin = await startGateway(cfg, gp);
  const cdn = (await startCachingProxy(gp, dir)).base;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, protocolTimeout: 60000,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=en-US'],
    // Background tabs as in a real browser: timers throttled, renderer backgrounded.
    ignoreDefaultArgs: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding',
                        '--disable-backgrounding-occluded-windows'],
  });
  const errors = [];
  const admittedAt = new Map();  // page -> when its admission's 200 arrived
  async function open(url, lang = 'en') {
    const page = await browser.newPage();
    await page.setViewport({ width: 480, height: 900 });
    await page.setExtraHTTPHeaders({ 'Accept-Language': lang === 'fr' ? 'fr-FR,fr;q=0.9' : 'en-GB,en;q=0.9' });
    await page.evaluateOnNewDocument(instrument);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.url().endsWith('/rooms/turn/line/admit') && r.status() === 200 && !admittedAt.has(page)) admittedAt.set(page, Date.now());
    });
    await page.goto(url);
    return page;
  }
  const text = (page, sel) => page.$eval(sel, (e) => e.textContent).catch(() => '');
  const axe = (page, state) => axeScan(page, state, AXE);
  const positionOf = async (page) => Number(await page.$eval('#place', (e) => e.dataset.position));

  // The crowd ahead, then three fans behind the cache: in view, in the background, in French.
  for (let i = 0; i < CROWD; i++) await fetch(origin + '/rooms/turn/line/join', { method: 'POST', headers: { Authorization: 'Bearer ' + jwt('crowd-' + i) } });
  await browser.defaultBrowserContext().overridePermissions(cdn, ['notifications']);
  const inView = await open(`${cdn}/wait/turn/line#token=${jwt('fan-in-view')}`);
  const hidden = await open(`${cdn}/wait/turn/line#token=${jwt('fan-hidden')}`);
  await until('the pages behind the cache show their place', async () => (await positionOf(inView)) >= 0 && (await positionOf(hidden)) >= 0);
  const fanFr = await browser.createBrowserContext();  // no permission given: the button asks
  const frPage = await fanFr.newPage();
  await frPage.evaluateOnNewDocument(instrument);
  await frPage.setExtraHTTPHeaders({ 'Accept-Language': 'fr-FR,fr;q=0.9' });
  await frPage.goto(`${cdn}/wait/turn/line#token=${jwt('fan-fr')}`);
  await until('the French page shows its place and the buttons', async () =>
    /Me prévenir quand c’est mon tour/.test(await text(frPage, '#notify')) && !(await frPage.$eval('#turn-alerts', (e) => e.hidden)));
  check((await frPage.evaluate(() => window.__asked)) === 0, 'no permission is asked on load');
  await axe(frPage, 'wait (turn alerts, fr)');
  await frPage.bringToFront();
  await frPage.click('#notify');
  await until('the button asked the browser once', async () => (await frPage.evaluate(() => window.__asked)) === 1, 5000);
  await frPage.click('#sound');
  await until('the French page confirms the sound', async () => /Un son sera joué/.test(await text(frPage, '#alerts-note')));
  check((await frPage.$eval('#sound', (e) => e.getAttribute('aria-pressed'))) === 'true', 'the sound button says it is on (aria-pressed)');

  // The fan in the background: notifications allowed (granted), the sound switched on, then away.
  await hidden.bringToFront();
  await until('granted notifications are confirmed in the page', async () => /You will get a notification/.test(await text(hidden, '#alerts-note')) &&
    (await hidden.$eval('#notify', (e) => e.hidden)));
  await hidden.click('#sound');
  await until('the sound is confirmed in the page', async () => /A sound will play/.test(await text(hidden, '#alerts-note')));
  await axe(hidden, 'wait (turn alerts, en)');
  await inView.bringToFront();
  check(await hidden.evaluate(() => document.visibilityState === 'hidden'), 'the second fan\'s tab is in the background (visibilityState hidden)');
  const hiddenTitle = await hidden.title();

  // Watch the serving counter in Redis: the moment it passes each fan's place is their turn.
  const places = new Map([[inView, await positionOf(inView)], [hidden, await positionOf(hidden)]]);
  const turns = new Map();
  const end = Date.now() + 60000;
  while (turns.size < places.size && Date.now() < end) {
    const serving = Number(cli('HGET', 'guichet:{turn}:room:line', 'serving'));
    for (const [p, pos] of places) if (serving > pos && !turns.has(p)) turns.set(p, Date.now());
    await sleep(20);
  }
  check(turns.size === 2, 'the counter passed both places');
  await until('the fan in view is admitted', async () => admittedAt.has(inView), 10000);
  const inViewLate = admittedAt.get(inView) - turns.get(inView);
  check(inViewLate <= 1000, `the page in view, behind the cache, is admitted within 1 s of its turn (${inViewLate} ms)`);
  await until('the fan in view is told how long the shop keeps the place', async () =>
    /The shop keeps your place for 5 min 0 s without activity/.test(await text(inView, '#status')) || inView.url().includes('/shop/'), 5000);
  await until('the fan in view moves on to the shop', async () => inView.url().startsWith(`${cdn}/shop/turn/line`), 10000);

  await until('the background tab is admitted while hidden', async () => admittedAt.has(hidden), 15000);
  const hiddenLate = admittedAt.get(hidden) - turns.get(hidden);
  await until('the background tab changes its title', async () => /It is your turn/.test(await hidden.title()), 5000);
  const shown = await hidden.evaluate(() => window.__shown);
  const beeps = await hidden.evaluate(() => window.__beeps);
  check(shown.length === 1 && shown[0].hidden && /It is your turn/.test(shown[0].title) && /5 min 0 s/.test(shown[0].body),
        'the notification shows while the tab is hidden, saying how long the shop waits: ' + JSON.stringify(shown));
  check(beeps.filter((b) => b.hidden).length === 1, 'the sound plays while the tab is hidden');
  check(hidden.url().includes('/wait/'), 'hidden, the page stays where the fan left it');
  await axe(hidden, 'wait (its turn, en)');
  check(hiddenLate <= 3000, `the background tab is admitted ${hiddenLate} ms after its turn (the browser wakes a hidden tab's timers once a second)`);
  await hidden.bringToFront();
  await until('shown again, it moves on to the shop', async () => hidden.url().startsWith(`${cdn}/shop/turn/line`), 10000);

  const measured = {
    admit_rate: RATE, crowd_ahead: CROWD,
    in_view: { position: places.get(inView), admitted_after_turn_ms: inViewLate },
    hidden: {
      position: places.get(hidden), title_before: hiddenTitle, admitted_after_turn_ms: hiddenLate,
      notification_after_turn_ms: shown[0] ? shown[0].at - turns.get(hidden) : null,
      sound_after_turn_ms: beeps.length ? beeps[beeps.length - 1].at - turns.get(hidden) : null,
    },
  };
  fs.writeFileSync(path.join(OUT, 'turn.json'), JSON.stringify(measured, null, 2) + '\n');
  console.log('# the turn: ' + JSON.stringify(measured));
  check(errors.length === 0, 'no script error' + (errors.length ? ': ' + errors[0] : ''));
  await browser.close();
}

runTest(main);
