#pragma once
// The surge's engine, in parts: scheduler.cpp (the heap of fans by time, the lanes, the
// connections, the ticker), requests.cpp (what each step sends), fan.cpp (what a fan does with
// each answer: the step machine), waiting.cpp (what its page does with a room state: polls, dead
// reckoning), checks.cpp (the checks of the gateway's behaviour it makes).
// Internal to the harness: loadtest/surge/surge.hpp is its face.
#include "loadtest/surge/surge.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <deque>
#include <iomanip>
#include <ostream>
#include <queue>
#include <sys/resource.h>

#include "core/checkout.hpp"
#include "core/jwt.hpp"
#include "core/pow.hpp"
#include "core/room.hpp"
#include "loadtest/json_reply.hpp"

namespace guichet::loadtest {


inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
inline constexpr std::uint32_t no_fan = UINT32_MAX;

// This process's CPU time (user + system), seconds.
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

inline std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Deterministic per-fan randomness: the same seed gives the same crowd.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct fan_rng {
  std::uint64_t state;
  fan_rng(std::uint64_t seed, std::uint64_t fan, std::uint64_t salt) : state(mix64(seed ^ mix64(fan * 1315423911ULL + salt))) {}
  std::uint64_t next() { return state = mix64(state); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
};

enum class step : std::uint8_t {
  idle, register_, join, state, position, admit, heartbeat, forged_hold, over_limit_hold, hold, replay, pay,
  confirm, confirm_again, release, greedy_hold, done
};
enum class quirk : std::uint8_t { none, double_click, over_limit, forged, greedy };

struct fan {
  step next = step::idle;
  quirk q = quirk::none;
  bool early = false, confirms = false, releases = false, replays = false;
  bool position_known = false, joined = false, admitted = false;
  std::uint8_t attempts = 0;      // retries of the current request
  std::uint8_t hold_round = 0;    // which hold this is (another after sold out, or greedy)
  std::uint8_t pending = 0;       // double click: answers still to come
  bool greedy = false;            // this hold asks for the most the rules allow
  std::uint32_t tickets = 0;      // held + bought, as the gateway answered
  std::uint32_t hold_tickets = 0;
  std::uint64_t position = 0;
  std::uint64_t sent_serving = 0;
  std::int64_t at_us = 0;         // when the next request is meant to leave
  std::int64_t joined_us = 0;     // when its first join was answered (waiting time)
  std::string queue_token, access_token, hold_id, etag;
  std::string pow_proof;          // "challenge:nonce" for the next join, when the room asks for one
};

enum check_id { c_forged, c_over_limit, c_replay, c_double, c_confirm_replay, c_not_drawn, c_limits, c_winners, c_count };
extern const char* const check_names[c_count];

struct room_view {
  const phase_config* phase = nullptr;
  std::string base, holds_path;
  std::vector<const session_config*> sellable;
  std::string etag, status;
  std::uint64_t serving = 0, rate = 0;
  std::int64_t fetched_us = 0;  // when the state was last fetched from the gateway
  // Dead reckoning: the last state as core/room.hpp's turn_ms reads it (now_ms = its computed_ms,
  // 0 while the line is held or idle), and the refresh interval it gave.
  room_state reckon;
  std::int64_t refresh_ms = 250;
  room_outcome out;
  std::vector<admission> admissions;
};

class fan_engine {
 public:
  fan_engine(const edition_config& e, const surge_options& o, const surge_secrets& s, const net::ip::tcp::endpoint& target,
             draw_outcome& plan, recorder& rec, std::ostream& log, bool registering);
  void run();

  surge_result result();

 private:
  // ---- scheduling: a heap of fans by intended time, two lanes of fans due (polls, the rest) ----
  // Fans due to send, in the order they became due, and the idle connections that serve them.
  struct lane {
    std::deque<std::uint32_t> due;
    std::vector<net::steady_timer*> parked;
  };
  void schedule(std::uint32_t i, std::int64_t at);
  void go(std::uint32_t i, step s, std::int64_t delay_us = 0);
  // Polls and everything else have their own queues and connections: a fan's poll does not wait
  // behind other fans' joins and purchases, nor a purchase behind polls (on their own devices,
  // neither would). Each queue is served in the order fans became due.
  void make_ready(std::uint32_t i);
  net::awaitable<std::uint32_t> next_ready(lane& l, net::steady_timer& park);
  net::awaitable<void> clock();
  void stop();
  net::awaitable<void> ticker();

  net::awaitable<void> worker(lane& l);

  // ---- requests ----
  std::string account(std::uint32_t i) const { return o_.prefix + "-" + std::to_string(i); }
  room_view& room_of(std::uint32_t i) { return rooms_[plan_.phase[i]]; }

  std::string identity(std::uint32_t i);

  // What fan i asks for in hold round `round`: a pack (3 sessions) or single tickets, popular
  // sessions first, 1-4 tickets each; `greedy` asks for the most the rules allow per session.
  std::vector<hold_item> choose_items(std::uint32_t i, unsigned round, bool greedy);
  std::string idem_key(std::uint32_t i) const { return account(i) + "-h" + std::to_string(fans_[i].hold_round); }

  request hold_request(std::uint32_t i, std::string_view token, const std::vector<hold_item>& items);

  request build(std::uint32_t i, step s, endpoint& ep);

  // ---- answers ----
  std::int64_t jitter(std::uint32_t i, milliseconds base, double spread);
  // The page polls about every `poll`, and less often far back in the queue: half its ETA, at
  // most 30 s (what a real waiting-room page does to spare the CDN).
  std::int64_t poll_delay(std::uint32_t i, const room_view& room);
  // Dead reckoning: when fan i tries its admission (us, system clock) — the predicted moment the
  // counter passes its place, plus one refresh — or 0 when the line does not move.
  std::int64_t turn_us(std::uint32_t i, const room_view& room) const;
  static void read_reckoning(room_view& room, std::string_view body);
  // What the page does with the room state it just got (from the gateway or the CDN).
  void after_state(std::uint32_t i);
  void finish(std::uint32_t i, const std::string& how);
  void fail_check(check_id c, std::uint32_t i, const http_result& r);
  // Transport failures, 503s and 429s are retried with backoff; false once the budget is spent.
  bool retry(std::uint32_t i, const http_result& r);
  void unexpected(std::uint32_t i, step s, const http_result& r);

  void handle(std::uint32_t i, step s, const http_result& r);
  void on_register(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_join(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_state(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_position(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_admit(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_heartbeat(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_forged_hold(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_over_limit_hold(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_replay(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_confirm(std::uint32_t i, step s, const http_result& r, std::string_view code);
  void on_release(std::uint32_t i, step s, const http_result& r, std::string_view code);

  void on_hold(std::uint32_t i, step s, const http_result& r, std::string_view code);

  // ---- arrival ----
  void arrive(std::uint32_t i);

  // Steps decided without asking the gateway; false when no request leaves now.
  bool prepare(std::uint32_t i);

 private:
  const edition_config& e_;
  const surge_options& o_;
  const surge_secrets& s_;
  net::ip::tcp::endpoint target_;
  draw_outcome& plan_;
  recorder& rec_;
  std::ostream& log_;
  bool registering_;
  net::io_context ioc_;
  net::steady_timer clock_;
  std::int64_t clock_at_ = 0;
  std::vector<fan> fans_;
  std::vector<room_view> rooms_;
  std::priority_queue<std::pair<std::int64_t, std::uint32_t>, std::vector<std::pair<std::int64_t, std::uint32_t>>,
                      std::greater<>>
      heap_;
  lane ready_, polls_;
  bool stopping_ = false, deadline_hit_ = false;
  std::int64_t start_us_ = 0;
  std::int64_t waiting_ = 0;
  std::uint64_t cdn_hits_ = 0, pow_solved_ = 0;
  double cpu_ = 0;
  std::uint64_t admitted_ = 0, bought_ = 0, holds_ = 0, finished_ = 0, registered_ = 0, done_target_ = 0;
  std::map<std::string, std::uint64_t> endings_;
  check checks_[c_count];
  std::vector<sale> sales_;
};

}  // namespace guichet::loadtest
