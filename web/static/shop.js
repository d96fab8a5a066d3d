// The reference shop: the phase's sessions with live availability, a pack builder (or single
// tickets), the account's allowance, the hold with its deadline, release, and the demo's
// stand-in payment (confirmed by the gateway, never by the browser).
(function () {
  'use strict';
  const { $, t } = G;
  const ed = '/editions/' + G.enc(G.edition);
  let access = sessionStorage.getItem(G.key('access'));
  let rules = null, sessions = [], account = null, deadlineTimer = null;

  function stop(text) {
    G.say(text, true);
    $('order').hidden = true;
    $('held').hidden = true;
    $('to-wait').href = G.pageUrl('wait');
    $('to-wait').hidden = false;
  }
  function refused(r) {
    const code = r.error && r.error.code;
    if (code === 'session_expired') {
      sessionStorage.removeItem(G.key('access'));
      sessionStorage.removeItem(G.key('queue'));
      stop(t('session_expired'));
      return true;
    }
    if (code && code.startsWith('token_')) {
      stop(G.errorText(r));
      return true;
    }
    return false;
  }

  async function loadAccount() {
    const r = await G.api('GET', ed + '/account', { token: access });
    if (r.status !== 200) return refused(r);
    account = r.data;
    $('allowance').textContent = t('allowance', { left: account.left, max: account.per_account });
  }

  function limitOf(s) { return s.ceremony ? rules.per_ceremony : rules.per_session; }
  function idOf(s, cat) { return 'q-' + s.id + '-' + cat; }

  async function loadAvailability(build) {
    const r = await G.api('GET', ed + '/availability', { cache: 'no-cache' });
    if (r.status !== 200) return;
    sessions = r.data.sessions;
    if (build) buildForm();
    for (const s of sessions)
      for (const [cat, c] of Object.entries(s.categories)) {
        const label = $('l-' + idOf(s, cat));
        if (!label) continue;
        const left = c === null ? t('not_loaded') : c.available > 0 ? t('available', { n: c.available, cap: c.capacity }) : t('none_left');
        label.lastChild.textContent = ' — ' + left;
      }
  }

  function buildForm() {
    const box = $('sessions');
    box.textContent = '';
    for (const s of sessions) {
      const off = rules.excluded.includes(s.id);
      const fs = document.createElement('fieldset');
      if (off) fs.className = 'off';
      const legend = document.createElement('legend');
      legend.textContent = (s.name || s.id) + (s.ceremony ? ' (' + t('ceremony') + ')' : '');
      fs.appendChild(legend);
      const meta = document.createElement('p');
      meta.className = 'meta';
      meta.textContent = [s.sport, s.venue, s.date].filter(Boolean).join(' · ') + (off ? (s.sport || s.venue || s.date ? ' — ' : '') + t('not_on_sale') : '');
      if (meta.textContent) fs.appendChild(meta);
      if (!off)
        for (const cat of Object.keys(s.categories)) {
          const row = document.createElement('div');
          row.className = 'cat';
          const label = document.createElement('label');
          label.htmlFor = idOf(s, cat);
          label.id = 'l-' + idOf(s, cat);
          label.append(document.createTextNode(t('category', { cat })), document.createTextNode(''));
          const sel = document.createElement('select');
          sel.id = idOf(s, cat);
          sel.dataset.session = s.id;
          sel.dataset.category = cat;
          sel.setAttribute('aria-label', t('quantity_for', { cat, session: s.name || s.id }));
          for (let n = 0; n <= limitOf(s); n++) sel.add(new Option(String(n), String(n)));
          sel.addEventListener('change', summarise);
          row.append(label, sel);
          fs.appendChild(row);
        }
      box.appendChild(fs);
    }
    $('order').hidden = false;
    summarise();
  }

  function chosenItems() {
    const items = [];
    for (const sel of document.querySelectorAll('#sessions select'))
      if (Number(sel.value) > 0)
        items.push({ session: sel.dataset.session, category: sel.dataset.category, quantity: Number(sel.value) });
    return items;
  }
  function summarise() {
    const items = chosenItems();
    const n = new Set(items.map((i) => i.session)).size;
    $('chosen').textContent = t('chosen', { n, q: items.reduce((a, i) => a + i.quantity, 0) });
  }

  function nameOf(id) {
    const s = sessions.find((x) => x.id === id);
    return s ? s.name || s.id : id;
  }

  function showHold(h) {
    sessionStorage.setItem(G.key('hold'), h.hold_id);
    $('order').hidden = true;
    const list = $('held-items');
    list.textContent = '';
    for (const i of h.items) {
      const li = document.createElement('li');
      li.textContent = i.quantity + ' × ' + nameOf(i.session) + ' — ' + i.category;
      list.appendChild(li);
    }
    $('pay').hidden = !rules.demo_payment;
    $('held').hidden = false;
    $('held-title').focus();
    clearInterval(deadlineTimer);
    const tick = () => {
      const left = h.deadline_ms - G.now();
      if (left <= 0) return endHold(t('hold_expired'), true);
      $('deadline').textContent = t('hold_deadline', { left: G.duration(left) });
    };
    tick();
    deadlineTimer = setInterval(tick, 1000);
  }
  function endHold(text, problem) {
    clearInterval(deadlineTimer);
    sessionStorage.removeItem(G.key('hold'));
    $('held').hidden = true;
    G.say(text, problem);
    G.alert(text);
    loadAccount();
    loadAvailability(true);
  }

  async function submitHold(ev) {
    ev.preventDefault();
    const items = chosenItems();
    const vars = { n: rules.pack_sessions || 3, max: rules.per_account };
    if (!items.length) return G.say(t('err_bad_quantity'), true);
    const key = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    $('hold').disabled = true;
    let r;
    for (let attempt = 0; attempt < 4; attempt++) {  // the same Idempotency-Key: a retry never holds twice
      r = await G.api('POST', ed + '/phases/' + G.enc(G.phase) + '/holds',
                      { token: access, json: { items }, headers: { 'Idempotency-Key': key } });
      const code = r.error && r.error.code;
      if (r.status !== 0 && code !== 'outcome_unknown' && code !== 'unavailable' && code !== 'overloaded') break;
      G.say(t('err_outcome_unknown'));
      await G.sleep(1000 * Math.max(1, r.retryAfter));
    }
    $('hold').disabled = false;
    if (r.status === 201) {
      G.say('');
      showHold(r.data);
      loadAccount();
      return;
    }
    if (refused(r)) return;
    const e = r.error || {};
    const text = G.errorText(r, Object.assign({}, vars, e.session ? { session: nameOf(e.session) } : {}));
    G.say(text, true);
    G.alert(text);
    if (e.code === 'sold_out') loadAvailability(false);
  }

  async function settle(method, path, done) {
    const id = sessionStorage.getItem(G.key('hold'));
    if (!id) return;
    const r = await G.api(method, ed + '/holds/' + G.enc(id) + path, { token: access });
    if (r.status === 200) return done(r.data);
    if (refused(r)) return;
    if (r.error && r.error.code === 'hold_expired') return endHold(t('hold_expired'), true);
    G.say(G.errorText(r), true);
  }

  async function heartbeat() {
    for (;;) {
      await G.sleep(Math.min(60000, rules.shopper_idle_ms / 3));
      if (!access) return;
      const r = await G.api('POST', '/rooms' + G.room + '/heartbeat', { token: access });
      if (refused(r)) return;
    }
  }

  async function main() {
    if (!access) return stop(t('shop_no_access'));
    const r = await G.api('GET', ed + '/phases/' + G.enc(G.phase) + '/rules', { cache: 'no-cache' });
    if (r.status !== 200) return G.say(G.errorText(r), true);
    rules = r.data;
    $('rules').textContent = t(rules.rules === 'packs' ? 'rules_packs' : 'rules_single',
                               { n: rules.pack_sessions, per: rules.per_session, cer: rules.per_ceremony });
    await loadAccount();
    if (!account) return;
    await loadAvailability(true);
    $('order').addEventListener('submit', submitHold);
    $('release').addEventListener('click', () => settle('DELETE', '', () => endHold(t('released'))));
    $('pay-button').addEventListener('click', () =>
      settle('POST', '/demo-payment', (d) => endHold(t('paid', { ref: d.payment_ref }))));
    const held = sessionStorage.getItem(G.key('hold'));
    if (held) {
      const h = await G.api('GET', ed + '/holds/' + G.enc(held), { token: access });
      if (h.status === 200 && h.data.status === 'held') showHold(h.data);
      else sessionStorage.removeItem(G.key('hold'));
    }
    heartbeat();
    setInterval(() => loadAvailability(false), 5000);
  }
  main();
})();
