// Proof of work at the join, solved the way a fan's browser does it: plain JavaScript SHA-256
// (no WebCrypto: its digest() is asynchronous and costs far more per small hash).
//   node scripts/pow_solve.js CHALLENGE ACCOUNT BITS   -> prints the nonce ("Guichet-Pow: C:nonce")
//   node scripts/pow_solve.js --rate                   -> hashes per second on this machine
'use strict';
const { solve, sha256First32 } = require('../web/static/pow.js');

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--rate') {
    const prefix = 'Zm9vYmFyYmF6cXV4MTIzNA:fan-000123456:';
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (; n < 2000000; n++) sha256First32(prefix + n);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(Math.round(n / s) + ' hashes/s');
  } else if (args.length === 3) {
    console.log(solve(args[0], args[1], Number(args[2])));
  } else {
    console.error('usage: node scripts/pow_solve.js CHALLENGE ACCOUNT BITS | --rate');
    process.exit(2);
  }
}
module.exports = { solve, sha256First32 };
