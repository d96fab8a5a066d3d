// The waiting room: joins once (a reload keeps the place), then follows the public room state
// (CDN-cached) and computes its own place from the queue token; admits itself when its turn
// comes and moves on to the shop. Polls back off like the bundled harness: half the estimated
// wait, between 1 and 30 s, and never sooner than a Retry-After.
(function () {
  'use strict';
  const { $, t } = G;
  const statePath = '/rooms' + G.room + '/state';
  let firstAhead = null, announcedAt = 0, countdownTimer = null;

  function show(id, on) { $(id).hidden = !on; }
  function countdown(targetMs, label) {
    clearInterval(countdownTimer);
    const tick = () => ($('countdown').textContent = t(label, { left: G.duration(targetMs - G.now()) }));
    tick();
    countdownTimer = setInterval(tick, 1000);
    show('countdown', true);
  }
  function stopCountdown() { clearInterval(countdownTimer); show('countdown', false); }
  function slotText(slot) {
    $('slot').textContent = slot ? t('not_your_slot', { start: G.date(slot.start_ms), end: G.date(slot.end_ms) }) : '';
  }

  async function solvePow(pow, account) {
    const expected = Math.pow(2, pow.bits);
    for (let from = 0; ; from += 20000) {
      G.say(t('pow_working', { pct: Math.min(99, Math.floor((100 * from) / (3 * expected))) }));
      const found = GP.search(pow.challenge, account, pow.bits, from, 20000);
      if (found !== null) return found;
      await G.sleep(0);  // keep the page responsive
    }
  }

  // A queue token for this room, or null (the reason is on the page).
  async function join(identity) {
    let headers = {};
    for (let attempt = 0; attempt < 50; attempt++) {
      G.say(t('joining'));
      const r = await G.api('POST', '/rooms' + G.room + '/join', { token: identity, headers });
      if (r.status === 200) {
        sessionStorage.setItem(G.key('queue'), r.data.queue_token);
        return r.data.queue_token;
      }
      const e = r.error || {};
      if (e.pow) {
        headers = { 'Guichet-Pow': e.pow.challenge + ':' + (await solvePow(e.pow, G.subject(identity))) };
        continue;
      }
      if (e.code === 'not_drawn') return G.say(t('not_drawn'), true), null;
      if (e.code === 'room_closed') return G.say(t(e.status === 'sold_out' ? 'sold_out' : 'closed'), true), null;
      if (e.code === 'not_your_slot') {
        const slot = e.slot_window;
        slotText(slot);
        if (G.now() >= slot.end_ms) return G.say(t('slot_over', { date: G.date(slot.end_ms) }), true), null;
        // Too early even for the pre-queue: count down to it and join then.
        const st = await G.api('GET', statePath, { cache: 'no-cache' });
        const s = st.status === 200 ? st.data.slots.find((x) => x.id === slot.id) : null;
        const opens = s ? s.pre_queue_opens_ms : slot.start_ms;
        G.say(t('before_open', { date: G.date(slot.start_ms) }));
        countdown(slot.start_ms, 'countdown');
        await G.sleep(Math.min(opens - G.now(), 30000) + 200 + Math.random() * 1000);
        attempt = 0;
        continue;
      }
      if (r.status === 0 || r.status === 429 || r.status === 503) {
        const wait = 1000 * (r.retryAfter || 2) * (1 + Math.random());
        G.say(t('retry_in', { left: G.duration(wait) }));
        await G.sleep(wait);
        continue;
      }
      return G.say(G.errorText(r), true), null;
    }
    return null;
  }

  // One look at the room; the ms until the next one, or -1 when it is our turn.
  function render(st, q) {
    const slot = st.slots.find((s) => s.id === q.slot);
    const now = G.now();
    slotText(slot);
    if (st.status === 'sold_out' || st.status === 'closed') {
      stopCountdown();
      show('place', false);
      show('progress', false);
      if (st.status === 'closed' && slot && now >= slot.end_ms) G.say(t('slot_over', { date: G.date(slot.end_ms) }), true);
      else G.say(t(st.status), true);
      return 30000;  // it may reopen (seats back, ops)
    }
    if (slot && now < slot.start_ms) {  // the pre-queue: count down to the opening on the server's clock
      G.say(t('pre_queue'));
      countdown(slot.start_ms, 'countdown');
      show('place', false);
      return Math.min(30000, slot.start_ms - now + 300 + Math.random() * 1500);
    }
    stopCountdown();
    const p = GQ.placeOf(q, st);
    if (!p.known) return 1000;  // opened, the state will carry the shuffle in a moment
    if (p.admissible) return -1;
    if (firstAhead === null || p.ahead > firstAhead) firstAhead = p.ahead;
    $('pos').textContent = t('place', { pos: (p.ahead + 1).toLocaleString(G.lang) });
    $('place').dataset.position = String(p.position);
    $('ahead').textContent = t('ahead', { n: p.ahead.toLocaleString(G.lang) });
    $('eta').textContent = p.eta_seconds >= 0 ? t('eta', { left: G.duration(1000 * p.eta_seconds) }) : t('eta_unknown');
    show('place', true);
    $('progress').value = firstAhead > 0 ? Math.round((1000 * (firstAhead - p.ahead)) / firstAhead) : 0;
    show('progress', true);
    if (st.status === 'paused') G.say(t('paused'));
    else if (st.stock === 'held') G.say(t('held'));
    else G.say('');
    if (Date.now() - announcedAt > 30000) {  // screen readers: the place, at most twice a minute
      announcedAt = Date.now();
      G.alert($('pos').textContent + '. ' + $('eta').textContent);
    }
    if (st.status === 'paused') return 10000;
    return p.eta_seconds > 0 ? Math.min(30000, Math.max(1000, 500 * p.eta_seconds)) : 1000;
  }

  async function admit(queueToken) {
    const r = await G.api('POST', '/rooms' + G.room + '/admit', { token: queueToken });
    if (r.status === 200) {
      sessionStorage.setItem(G.key('access'), r.data.access_token);
      G.say(t('your_turn'));
      G.alert(t('your_turn'));
      setTimeout(() => location.assign(G.pageUrl('shop')), 800);
      return 0;
    }
    const code = r.error && r.error.code;
    if (code === 'room_full') G.say(t('room_full'));
    else if (code === 'room_closed') G.say(t(r.error.status === 'sold_out' ? 'sold_out' : 'closed'), true);
    else if (code && code.startsWith('token_')) {
      sessionStorage.removeItem(G.key('queue'));
      return -2;
    } else if (code !== 'not_yet') G.say(G.errorText(r), true);
    return 1000 * Math.max(1, r.retryAfter || 1);
  }

  async function main() {
    let queueToken = sessionStorage.getItem(G.key('queue'));
    const identity = G.identity();
    for (;;) {
      if (!queueToken) {
        if (!identity) return G.say(t('signin'), true);
        queueToken = await join(identity);
        if (!queueToken) return;
      }
      const q = GQ.parseToken(queueToken);
      const r = await G.api('GET', statePath, { cache: 'no-cache' });
      let next = 1000 * Math.max(5, r.retryAfter);
      if (r.status === 200) next = render(r.data, q);
      if (next === -1) {
        next = await admit(queueToken);
        if (next === 0) return;
        if (next === -2) {
          queueToken = null;
          continue;
        }
      }
      await G.sleep(Math.max(next, 1000 * r.retryAfter));
    }
  }
  main();
})();
