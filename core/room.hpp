#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/token.hpp"

namespace guichet {

/// A slot's state in Redis: before opening, how many joined its pre-queue; at opening, the
/// block [base, base + n) of queue numbers reserved for them and the shuffle's key.
struct slot_state {
  bool opened = false;
  std::uint64_t pre_count = 0;  ///< n: pre-queue joiners (frozen at opening)
  std::uint64_t base = 0;
  std::uint64_t seed0 = 0, seed1 = 0;
  std::int64_t opened_ms = 0;  ///< Redis' clock at the opening
};

/// A room's state as last read from Redis (the room script returns all of it).
struct room_state {
  std::string stored_status = "open";  ///< open | paused | closed | sold_out (set by ops, or stock out)
  std::uint64_t serving = 0;  ///< fans whose position is below this may be admitted
  std::uint64_t tail = 0;     ///< next queue number to hand out
  std::uint64_t rate = 0;     ///< admit rate, fans per second
  std::uint64_t max_active = 0;
  std::uint64_t active = 0;
  std::int64_t now_ms = 0;    ///< Redis' clock when read
  std::int64_t pow_bits = -1;  ///< ops' live proof-of-work setting for the room; -1 = none (config's)
  /// in (seats available) | held (none available, some in holds) | out (none available or held)
  std::string stock = "in";
  std::vector<slot_state> slots;  ///< same order as the phase's slots in config
  /// [rooms] opening_grace: a block is not entered before opened_ms + this (room_refresh.lua).
  std::int64_t opening_grace_ms = 0;
};

enum class room_status { pre_queue, open, paused, sold_out, closed };
std::string_view to_string(room_status s);

/// The status a fan sees: ops' setting first, then whether any slot is open or about to be.
room_status status_of(const phase_config& phase, const room_state& s, std::int64_t now_ms);

/// What the line's outflow does right now, as the public state says (dead reckoning needs it):
/// `moving` (the serving counter advances at `rate`), `paused` (not open, or rate 0), `ceiling`
/// (the shop is at max_active), `stock` (no seat available: every remaining one is in a hold, or
/// none is left), `idle` (nobody waiting: serving has reached the tail).
enum class outflow { moving, paused, ceiling, stock, idle };
std::string_view to_string(outflow o);
outflow outflow_of(const phase_config& phase, const room_state& s);

/// Dead reckoning: the moment (Redis' clock, ms) the serving counter passes `position` if the line
/// keeps moving at its rate from the state `s` (s.now_ms when it has passed already), a block in
/// its opening grace entered at the end of the grace. Only meaningful while outflow_of is
/// `moving`; the counter moves at each refresh, so the position is admissible at the first
/// refresh after this moment.
std::int64_t turn_ms(const room_state& s, std::uint64_t position);

/// Where a queue token stands.
struct position_info {
  bool known = false;           ///< false while its slot's pre-queue is not yet shuffled
  std::uint64_t position = 0;   ///< absolute queue number
  std::uint64_t ahead = 0;      ///< fans still to be let in before this one
  bool admissible = false;      ///< position < serving
  std::int64_t eta_seconds = -1;  ///< -1: unknown (position unknown or admit rate 0)
};

/// Position from a queue token and the cached room state; no Redis involved.
/// Pre-queue fans: base + feistel(seed, n)(local number); FIFO fans: their number.
position_info locate(char kind, std::uint64_t number, std::size_t slot_index, const room_state& s);
template <class Text>
position_info locate(const basic_queue_claims<Text>& token, std::size_t slot_index, const room_state& s) {
  return locate(token.kind, token.number, slot_index, s);
}

}  // namespace guichet
