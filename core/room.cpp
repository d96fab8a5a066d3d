#include "core/room.hpp"

#include "core/permutation.hpp"

#include <algorithm>

namespace guichet {

std::string_view to_string(room_status s) {
  switch (s) {
    case room_status::pre_queue: return "pre_queue";
    case room_status::open: return "open";
    case room_status::paused: return "paused";
    case room_status::sold_out: return "sold_out";
    case room_status::closed: return "closed";
  }
  return "closed";
}

room_status status_of(const phase_config& phase, const room_state& s, std::int64_t now_ms) {
  if (s.stored_status == "closed") return room_status::closed;
  if (s.stored_status == "sold_out") return room_status::sold_out;
  bool open = false, pre = false;
  for (auto& slot : phase.slots) {
    if (slot.start_ms <= now_ms && now_ms < slot.end_ms()) open = true;
    else if (slot.start_ms - phase.pre_queue.count() <= now_ms && now_ms < slot.start_ms) pre = true;
  }
  if (open) return s.stored_status == "paused" ? room_status::paused : room_status::open;
  return pre ? room_status::pre_queue : room_status::closed;
}

std::string_view to_string(outflow o) {
  switch (o) {
    case outflow::moving: return "moving";
    case outflow::paused: return "paused";
    case outflow::ceiling: return "ceiling";
    case outflow::stock: return "stock";
    case outflow::idle: return "idle";
  }
  return "paused";
}

// The same conditions as room_refresh.lua's, in the same order: what stops the counter there
// stops it here.
outflow outflow_of(const phase_config& phase, const room_state& s) {
  if (status_of(phase, s, s.now_ms) != room_status::open || s.rate == 0) return outflow::paused;
  if (s.stock != "in") return outflow::stock;
  if (s.active >= s.max_active) return outflow::ceiling;
  if (s.serving >= s.tail) return outflow::idle;
  return outflow::moving;
}

std::int64_t turn_ms(const room_state& s, std::uint64_t position) {
  if (position < s.serving || s.rate == 0) return s.now_ms;
  // serving must reach position + 1: (position + 1 - serving) more admissions at `rate` per second.
  auto after = [&](std::int64_t from, std::uint64_t counter) {
    return from + static_cast<std::int64_t>(((position + 1 - counter) * 1000 + s.rate - 1) / s.rate);
  };
  std::int64_t t = after(s.now_ms, s.serving);
  for (auto& b : s.slots)  // a young block between the counter and the place: not before its grace ends
    if (b.opened && b.pre_count > 0 && b.base >= s.serving && b.base <= position)
      t = std::max(t, after(b.opened_ms + s.opening_grace_ms, b.base));
  return t;
}

position_info locate(char kind, std::uint64_t number, std::size_t slot_index, const room_state& s) {
  position_info p;
  if (kind == 'p') {
    if (slot_index >= s.slots.size()) return p;
    const slot_state& slot = s.slots[slot_index];
    if (!slot.opened || number >= slot.pre_count) return p;
    p.position = slot.base + feistel_permutation(slot.seed0, slot.seed1, slot.pre_count)(number);
  } else {
    p.position = number;
  }
  p.known = true;
  p.admissible = p.position < s.serving;
  p.ahead = p.admissible ? 0 : p.position - s.serving;
  // The serving counter must pass this position: ahead + 1 more admissions.
  if (p.admissible) p.eta_seconds = 0;
  else if (s.rate) p.eta_seconds = static_cast<std::int64_t>((p.ahead + s.rate) / s.rate);
  return p;
}

}  // namespace guichet
