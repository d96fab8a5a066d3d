// The waiting room: joins once (a reload keeps the place), then follows the public room state
// (CDN-cached) and computes its own place from the queue token. Dead reckoning: while the line
// moves, it predicts from the state when the counter passes its place and tries the admission
// at that moment (polling once more just before it); else it admits itself when a state says its
// place was reached. Polls back off like the bundled harness: half the estimated wait, between 1
// and 30 s, and never sooner than a Retry-After. At its turn: the title changes, a sound plays and
// a notification shows if the fan asked for them (buttons, never on load), and the page says how
// long the shop keeps the place; a hidden tab moves on to the shop when the fan comes back.
(function () {
  'use strict';
  const { $, t } = G;
  const statePath = '/rooms' + G.room + '/state';
  let firstAhead = null, announcedAt = 0, countdownTimer = null, audio = null;

  // --- What the fan asked for at their turn: a notification, a sound ---------------------------
  const canNotify = 'Notification' in window;
  function alertsNote() {
    const sound = $('sound').getAttribute('aria-pressed') === 'true';
    const n = !canNotify ? t('notify_unsupported') : Notification.permission === 'granted' ? t('notify_on')
      : Notification.permission === 'denied' ? t('notify_denied') : '';
    $('notify').hidden = !canNotify || Notification.permission !== 'default';
    $('alerts-note').textContent = [n, sound ? t('sound_on') : ''].filter(Boolean).join(' ');
  }
  function beep() {
    if (!audio) return;
    const o = audio.createOscillator(), g = audio.createGain(), at = audio.currentTime;
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.2, at);
    g.gain.exponentialRampToValueAtTime(0.001, at + 0.6);
    o.connect(g).connect(audio.destination);
    o.start(at);
    o.stop(at + 0.6);
  }
  $('notify').addEventListener('click', () => {
    if (canNotify) Notification.requestPermission().then(alertsNote, alertsNote);
  });
  $('sound').addEventListener('click', () => {
    const on = $('sound').getAttribute('aria-pressed') !== 'true';
    $('sound').setAttribute('aria-pressed', String(on));
    if (on) {  // created by the click: browsers let a page play sound after a gesture
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      audio.resume();
      beep();
    }
    alertsNote();
  });
  alertsNote();

  // The turn has come: say it every way the fan allowed, and how long the shop keeps the place.
  function turnCame(data) {
    sessionStorage.setItem(G.key('access'), data.access_token);
    const idle = G.duration(data.idle_timeout_ms || 0);
    document.title = t('turn_title') + ' · ' + t('site');
    G.say(t('turn_title') + ' ' + t('turn_wait', { idle }));
    G.alert(t('turn_title') + ' ' + t('turn_wait', { idle }));
    show('turn-alerts', false);
    if ($('sound').getAttribute('aria-pressed') === 'true') beep();
    if (canNotify && Notification.permission === 'granted') {
      try {
        const n = new Notification(t('turn_title'), { body: t('turn_wait', { idle }), tag: 'guichet-turn' });
        n.onclick = () => window.focus();
      } catch (e) { /* a browser that shows them only from a service worker: the title and the page say it */ }
    }
    $('to-shop-link').href = G.pageUrl('shop');
    show('to-shop', true);
    const go = () => setTimeout(() => location.assign(G.pageUrl('shop')), 2000);
    if (!document.hidden) return go();
    // In the background: the shop is where the fan will look when they come back.
    document.addEventListener('visibilitychange', function back() {
      if (document.hidden) return;
      document.removeEventListener('visibilitychange', back);
      go();
    });
  }

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
      show('turn-alerts', true);
      return Math.min(30000, slot.start_ms - now + 300 + Math.random() * 1000);
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
    show('turn-alerts', true);
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

  // 0: admitted; -2: the queue token is no good; else the ms until the next look at the state.
  async function admit(queueToken) {
    for (let early = 0; ; early++) {
      const r = await G.api('POST', '/rooms' + G.room + '/admit', { token: queueToken });
      if (r.status === 200) return turnCame(r.data), 0;
      const code = r.error && r.error.code;
      // Too early by the gateway's view: it says when the counter will have passed the place.
      if (code === 'not_yet' && early < 10 && r.error.retry_after_ms <= 2000) {
        await G.sleep(r.error.retry_after_ms);
        continue;
      }
      if (code === 'room_full') G.say(t('room_full'));
      else if (code === 'room_closed') G.say(t(r.error.status === 'sold_out' ? 'sold_out' : 'closed'), true);
      else if (code && code.startsWith('token_')) {
        sessionStorage.removeItem(G.key('queue'));
        return -2;
      } else if (code !== 'not_yet') G.say(G.errorText(r), true);
      return 1000 * Math.max(1, r.retryAfter || 1);
    }
  }

  // Dead reckoning: the ms to wait before trying the admission (the predicted moment plus one
  // refresh: the counter moves at refreshes), or null when the line does not move.
  function untilTurn(st, q) {
    const p = GQ.placeOf(q, st);
    const turn = p.known && !p.admissible ? GQ.turnOf(p.position, st) : null;
    return turn === null ? null : turn + (st.refresh_ms || 250) - G.now();
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
      const until = next > 0 && r.status === 200 ? untilTurn(r.data, q) : null;
      if (until !== null && until <= next) {
        await G.sleep(until);
        next = -1;
      } else if (until !== null) {
        next = Math.max(1000, Math.min(next, until - 1000));  // one more look just before the moment
      }
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
