// Draw registration: inside the phase's window, one press registers the signed-in account
// (once: a second registration answers with the first).
(function () {
  'use strict';
  const { $, t } = G;

  async function main() {
    const identity = G.identity();
    const rules = await G.api('GET', '/editions/' + G.enc(G.edition) + '/phases/' + G.enc(G.phase) + '/rules', { cache: 'no-cache' });
    if (rules.status !== 200) return G.say(G.errorText(rules), true);
    const w = rules.data.registration;
    if (!rules.data.draw || !w) return G.say(t('no_draw'), true);
    if (!identity) return G.say(t('signin'), true);
    for (;;) {
      const now = G.now();
      if (now < w.opens_ms) {
        $('window').textContent = t('register_opens', { date: G.date(w.opens_ms), left: G.duration(w.opens_ms - now) });
        await G.sleep(Math.min(1000, w.opens_ms - now));
        continue;
      }
      if (now >= w.closes_ms) {
        $('register').hidden = true;
        return G.say(t('register_closed', { date: G.date(w.closes_ms) }), true);
      }
      break;
    }
    $('window').textContent = t('register_open_until', { date: G.date(w.closes_ms) });
    const button = $('register');
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      const r = await G.api('POST', '/rooms' + G.room + '/register', { token: identity });
      button.disabled = false;
      if (r.status === 200 || r.status === 201) {
        let text = t(r.status === 201 ? 'registered_new' : 'registered_already');
        if (r.data.groups && r.data.groups.length) text += ' ' + t('registered_groups', { groups: r.data.groups.join(', ') });
        button.hidden = true;
        return G.say(text);
      }
      if (r.error && r.error.code === 'registration_closed')
        return G.say(t('register_closed', { date: G.date(r.error.closes_ms) }), true);
      G.say(G.errorText(r), true);
    });
  }
  main();
})();
