#pragma once
#include <string>
#include <string_view>

namespace guichet::keys {

/// Redis key layout. Every key of an edition carries the hash tag {edition}, so an edition
/// lives on one Redis shard and its multi-key scripts are legal in a cluster.
inline std::string prefix(std::string_view edition) { return "guichet:{" + std::string(edition) + "}:"; }

/// hash: room knobs and counters (status, rate, max_active, serving, tail, last_ms, carry, admitted)
inline std::string room(std::string_view ed, std::string_view phase) { return prefix(ed) + "room:" + std::string(phase); }
/// hash: a slot's pre-queue count, and at opening its base and shuffle seed
inline std::string slot(std::string_view ed, std::string_view phase, std::string_view slot) {
  return room(ed, phase) + ":slot:" + std::string(slot);
}
/// hash: account -> its place, "p|slot|n" (pre-queue) or "f|slot|n" (FIFO)
inline std::string places(std::string_view ed, std::string_view phase) { return room(ed, phase) + ":places"; }
/// sorted set: active shopper account -> last activity (ms)
inline std::string active(std::string_view ed, std::string_view phase) { return room(ed, phase) + ":active"; }
/// hash: active shopper account -> session id
inline std::string sessions(std::string_view ed, std::string_view phase) { return room(ed, phase) + ":sessions"; }
/// hash: account -> slot id, written by the draw
inline std::string draw(std::string_view ed, std::string_view phase) { return prefix(ed) + "draw:" + std::string(phase); }

}  // namespace guichet::keys

namespace guichet::keys {

/// hash: per category `c:` capacity, `a:` available, `h:` held, `s:` sold (a + h + s = c)
inline std::string inventory(std::string_view ed, std::string_view session) { return prefix(ed) + "inv:" + std::string(session); }
/// hash: an account's tickets held + sold in the edition: `total`, and `s:<session>` per session
inline std::string account(std::string_view ed, std::string_view account) { return prefix(ed) + "acct:" + std::string(account); }
/// hash: account, phase, status (held|confirmed|released|expired), items, created_ms, deadline_ms, payment_ref
inline std::string hold(std::string_view ed, std::string_view id) { return prefix(ed) + "hold:" + std::string(id); }
/// sorted set: held hold id -> deadline (ms), for the reaper
inline std::string hold_deadlines(std::string_view ed) { return prefix(ed) + "holds:deadlines"; }
/// string: "fingerprint\toutcome..." of the first request with this Idempotency-Key (24 h)
inline std::string idempotency(std::string_view ed, std::string_view account, std::string_view key) {
  return prefix(ed) + "idem:" + std::string(account) + ":" + std::string(key);
}

}  // namespace guichet::keys

namespace guichet::keys {

/// hash: account -> "groups,comma,separated" (possibly empty): the draw's registrations
inline std::string registrations(std::string_view ed, std::string_view phase) {
  return prefix(ed) + "reg:" + std::string(phase);
}
/// hash: the draw's record: commitment, and once drawn seed, registrants, registrants_sha256,
/// winners, result_sha256
inline std::string draw_meta(std::string_view ed, std::string_view phase) { return draw(ed, phase) + ":meta"; }
/// string with a TTL: a proof of work already used at a join (its digest), refused again
inline std::string pow_proof(std::string_view ed, std::string_view digest_hex) {
  return prefix(ed) + "pow:" + std::string(digest_hex);
}
/// stream, capped at audit.stream_max: every admin call and ops command on the edition
inline std::string audit(std::string_view ed) { return prefix(ed) + "audit"; }

}  // namespace guichet::keys

namespace guichet::keys {

/// string: the fleet lease's holder (a gateway's id), with a TTL (gateway/lua/fleet_lease.lua)
inline std::string fleet_lease() { return "guichet:{fleet}:lease"; }
/// hash: what the lease holder read for the fleet: room key -> room state, "avail:<edition>" -> seats
inline std::string fleet_state() { return "guichet:{fleet}:state"; }
/// Pub/Sub channel: the holder's news for the followers ('L' lease renewed, 'R' let go,
/// 'S' + fields: what it published into fleet_state)
inline std::string fleet_channel() { return "guichet:{fleet}:news"; }

}  // namespace guichet::keys
