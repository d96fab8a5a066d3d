#include "loadtest/surge/fan_engine.hpp"

#include <algorithm>

// The waiting: what a fan's page does with a room state — when it looks again, and, while the
// line moves, when its turn comes by dead reckoning (docs/waiting-room.md).

namespace guichet::loadtest {

std::int64_t fan_engine::poll_delay(std::uint32_t i, const room_view& room) {
  const fan& f = fans_[i];
  std::int64_t base = o_.poll.count();
  if (f.position_known && room.rate > 0 && f.position > room.serving)
    base = std::clamp<std::int64_t>(static_cast<std::int64_t>((f.position - room.serving) * 500 / room.rate), base, 30'000);
  return jitter(i, milliseconds(base), 0.3);
}

std::int64_t fan_engine::turn_us(std::uint32_t i, const room_view& room) const {
  if (!o_.dead_reckoning || room.reckon.now_ms == 0 || room.reckon.rate == 0) return 0;
  return (turn_ms(room.reckon, fans_[i].position) + room.refresh_ms) * 1000;
}

void fan_engine::read_reckoning(room_view& room, std::string_view body) {
  room_state& st = room.reckon;
  st.serving = room.serving, st.rate = room.rate;
  st.now_ms = json_string(body, "/outflow").value_or("") == "moving" ? json_int(body, "/computed_ms").value_or(0) : 0;
  st.opening_grace_ms = json_int(body, "/opening_grace_ms").value_or(0);
  room.refresh_ms = json_int(body, "/refresh_ms").value_or(250);
  st.slots.assign(room.phase->slots.size(), slot_state{});
  for (std::size_t k = 0; k < st.slots.size(); ++k) {
    const std::string at = "/slots/" + std::to_string(k) + "/";
    slot_state& b = st.slots[k];
    b.opened = json_true(body, at + "opened");
    if (!b.opened) continue;
    b.base = static_cast<std::uint64_t>(json_int(body, at + "base").value_or(0));
    b.pre_count = static_cast<std::uint64_t>(json_int(body, at + "pre_queue").value_or(0));
    b.opened_ms = json_int(body, at + "opened_ms").value_or(0);
  }
}

void fan_engine::after_state(std::uint32_t i) {
  fan& f = fans_[i];
  auto& room = room_of(i);
  if (room.status == "closed" || room.status == "sold_out") return finish(i, "room closed");
  if (!f.position_known) {
    if (room.status == "open") return go(i, step::position);
  } else if (f.position < f.sent_serving) {
    return go(i, step::admit);
  }
  std::int64_t delay = poll_delay(i, room);
  if (f.position_known)
    if (std::int64_t at = turn_us(i, room)) {
      // Dead reckoning: the admission at the predicted moment when the next poll would come later;
      // else poll again, at the latest a poll interval before that moment.
      std::int64_t until = at - now_us();
      if (until <= delay) return go(i, step::admit, std::max<std::int64_t>(until, 0));
      delay = std::max<std::int64_t>(0, std::min(delay, until - o_.poll.count() * 1000));
    }
  go(i, step::state, delay);
}

}  // namespace guichet::loadtest
