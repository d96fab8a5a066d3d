// Where a queue token stands, computed in the page from the token and the public room state
// (the same arithmetic as the gateway's core/room.cpp and core/permutation.cpp), so a waiting
// fan polls only the CDN-cached state and never asks the origin for a position.
(function (root) {
  'use strict';
  const M64 = (1n << 64n) - 1n;
  const mix = (z) => {  // splitmix64 finaliser
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };

  // The slot's shuffle: a 6-round Feistel permutation of [0, n) keyed by the slot's seed.
  function permute(seedHex, n, x) {
    n = BigInt(n);
    x = BigInt(x);
    if (n <= 1n) return 0n;
    const k0 = BigInt('0x' + seedHex.slice(0, 16)), k1 = BigInt('0x' + seedHex.slice(16, 32));
    let bits = (n - 1n).toString(2).length;
    if (bits < 2) bits = 2;
    if (bits % 2) bits++;
    const half = BigInt(bits / 2), mask = (1n << half) - 1n;
    const round = (r, h) => mix(h ^ mix((k0 + BigInt(r) * 0x9e3779b97f4a7c15n) & M64) ^ k1) & mask;
    const encrypt = (v) => {
      let l = v >> half, r = v & mask;
      for (let i = 0; i < 6; i++) {
        const t = l ^ round(i, r);
        l = r;
        r = t;
      }
      return (l << half) | r;
    };
    do x = encrypt(x);
    while (x >= n);
    return x;
  }

  // "q|kid|edition|phase|slot|kind|number|account|exp_ms", base64url, before the signature.
  function parseToken(token) {
    const b = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
    const text = (typeof atob === 'function' ? atob : (s) => Buffer.from(s, 'base64').toString('binary'))(
      b + '==='.slice((b.length + 3) % 4));
    const f = text.split('|');
    return { slot: f[4], kind: f[5], number: Number(f[6]), account: f[7], exp_ms: Number(f[8]) };
  }

  // {known, position, ahead, admissible, eta_seconds} like GET .../position.
  function placeOf(q, state) {
    const out = { known: false, position: 0, ahead: 0, admissible: false, eta_seconds: -1 };
    if (q.kind === 'p') {
      const slot = state.slots.find((s) => s.id === q.slot);
      if (!slot || !slot.opened || slot.seed === undefined || q.number >= slot.pre_queue) return out;
      out.position = slot.base + Number(permute(slot.seed, slot.pre_queue, q.number));
    } else {
      out.position = q.number;
    }
    out.known = true;
    out.admissible = out.position < state.serving;
    out.ahead = out.admissible ? 0 : out.position - state.serving;
    if (out.admissible) out.eta_seconds = 0;
    else if (state.admit_rate > 0) out.eta_seconds = Math.floor((out.ahead + state.admit_rate) / state.admit_rate);
    return out;
  }

  // Dead reckoning (core/room.cpp turn_ms): the moment, on the server's clock, the counter passes
  // `position` if the line keeps moving as the state says (outflow "moving": the counter read
  // `serving` at `computed_ms` and moves at `admit_rate`); a block opened less than
  // `opening_grace_ms` ago is entered when its grace ends. null when the line does not move.
  function turnOf(position, state) {
    if (state.outflow !== 'moving' || !(state.admit_rate > 0) || state.computed_ms === undefined) return null;
    if (position < state.serving) return state.computed_ms;
    const after = (from, counter) => from + Math.ceil(((position + 1 - counter) * 1000) / state.admit_rate);
    let t = after(state.computed_ms, state.serving);
    for (const b of state.slots)
      if (b.opened && b.pre_queue > 0 && b.base >= state.serving && b.base <= position)
        t = Math.max(t, after(b.opened_ms + (state.opening_grace_ms || 0), b.base));
    return t;
  }

  const api = { permute, parseToken, placeOf, turnOf };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.GQ = api;
})(this);
