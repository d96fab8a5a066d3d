// Shared by the fans' pages: strings, the server's clock, API calls, tokens, messages.
// No token ever goes into a URL the server sees: the identity JWT arrives in the URL fragment
// (never sent) or in sessionStorage, and every API call carries tokens in Authorization.
(function () {
  'use strict';
  const strings = JSON.parse(document.getElementById('strings').textContent);
  const parts = location.pathname.split('/');
  const G = (window.G = {
    lang: document.documentElement.lang,
    edition: decodeURIComponent(parts[2] || ''),
    phase: decodeURIComponent(parts[3] || ''),
  });

  G.t = (key, vars) =>
    (strings[key] || key).replace(/\{(\w+)\}/g, (m, n) => (vars && vars[n] !== undefined ? String(vars[n]) : m));
  G.has = (key) => Object.prototype.hasOwnProperty.call(strings, key);
  G.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  G.enc = encodeURIComponent;
  G.room = '/' + G.enc(G.edition) + '/' + G.enc(G.phase);
  G.pageUrl = (page) => '/' + page + G.room + (new URLSearchParams(location.search).has('lang') ? '?lang=' + G.lang : '');

  // The server's clock from the Date (and Age) of its answers: when it answered it read
  // [Date + Age, Date + Age + 1 s), and it answered between our send and our receipt. Each
  // answer narrows the interval; the page's own clock may be hours off, it does not matter.
  let lo = -Infinity, hi = Infinity;
  G.observe = (res, sent, recv) => {
    const d = Date.parse(res.headers.get('Date') || '');
    if (isNaN(d)) return;
    const server = d + 1000 * (Number(res.headers.get('Age')) || 0);
    const l = server - recv, h = server + 1000 - sent;
    if (Math.max(lo, l) > Math.min(hi, h)) (lo = l), (hi = h);  // our clock jumped: start again
    else (lo = Math.max(lo, l)), (hi = Math.min(hi, h));
  };
  // A room state's computed_ms (Redis' clock when the gateway computed it) had passed when we
  // received it, cached or not: a lower bound, sharper than Date's second.
  G.atLeast = (serverMs, recv) => {
    const l = serverMs - recv;
    if (l > lo && l <= hi) lo = l;
  };
  G.now = () => Date.now() + (isFinite(lo) && isFinite(hi) ? (lo + hi) / 2 : 0);

  G.api = async (method, path, opts = {}) => {
    const headers = Object.assign({}, opts.headers);
    if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
    let body;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const sent = Date.now();
    let res;
    try {
      res = await fetch(path, { method, headers, body, cache: opts.cache || 'no-store', credentials: 'omit' });
    } catch (e) {
      return { status: 0, data: {}, error: { code: 'network', message: String(e) }, retryAfter: 2 };
    }
    const recv = Date.now();
    G.observe(res, sent, recv);
    let data = {};
    try {
      data = await res.json();
    } catch (e) { /* empty or not JSON */ }
    if (data && typeof data.computed_ms === 'number') G.atLeast(data.computed_ms, recv);
    const ra = Number(res.headers.get('Retry-After'));
    return { status: res.status, data, error: data && data.error, retryAfter: ra > 0 ? ra : 0 };
  };

  // The organiser's sign-in: #token=<JWT> once (then kept in this tab's sessionStorage and
  // removed from the address bar), or sessionStorage 'guichet.identity' set by the organiser.
  G.identity = () => {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem('guichet.identity', decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('guichet.identity');
  };
  G.key = (name) => 'guichet.' + name + '.' + G.edition + '.' + G.phase;
  G.b64 = (s) => atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  G.subject = (jwt) => {
    try {
      return JSON.parse(G.b64(jwt.split('.')[1])).sub || '';
    } catch (e) {
      return '';
    }
  };

  G.duration = (ms) => {
    const s = Math.max(0, Math.ceil(ms / 1000));
    if (s < 60) return G.t('unit_s', { n: s });
    if (s < 3600) return G.t('unit_min', { n: Math.floor(s / 60) }) + ' ' + G.t('unit_s', { n: s % 60 });
    return G.t('unit_h', { n: Math.floor(s / 3600) }) + ' ' + G.t('unit_min', { n: Math.floor((s % 3600) / 60) });
  };
  G.date = (ms) => new Intl.DateTimeFormat(G.lang, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(ms));

  const $ = (G.$ = (id) => document.getElementById(id));
  G.say = (text, problem) => {
    const s = $('status');
    if (s.textContent !== text) s.textContent = text;
    s.classList.toggle('problem', !!problem);
  };
  G.alert = (text) => ($('alert').textContent = text);

  // A refusal as a sentence: the error code's string with the answer's details filled in.
  G.errorText = (r, vars) => {
    const e = r.error || { code: 'other', message: '' };
    if (String(e.code).startsWith('token_')) return G.t('err_token');
    const all = Object.assign({}, e, vars);
    if (e.code === 'rate_limited') all.left = G.duration(1000 * (r.retryAfter || 1));
    if (all.left === undefined && all.limit !== undefined) all.left = all.limit;  // over the limit by itself
    return G.has('err_' + e.code) ? G.t('err_' + e.code, all) : G.t('err_other', { code: e.code, message: e.message });
  };
})();
