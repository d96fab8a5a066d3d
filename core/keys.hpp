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
