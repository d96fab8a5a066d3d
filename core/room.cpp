#include "core/room.hpp"

#include "core/permutation.hpp"

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

position_info locate(const queue_claims& token, std::size_t slot_index, const room_state& s) {
  position_info p;
  if (token.kind == 'p') {
    if (slot_index >= s.slots.size()) return p;
    const slot_state& slot = s.slots[slot_index];
    if (!slot.opened || token.number >= slot.pre_count) return p;
    p.position = slot.base + feistel_permutation(slot.seed0, slot.seed1, slot.pre_count)(token.number);
  } else {
    p.position = token.number;
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
