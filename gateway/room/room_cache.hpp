#pragma once
#include <atomic>
#include <chrono>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/hmac.hpp"
#include "core/room.hpp"
#include "gateway/server/per_thread.hpp"

namespace guichet::server {
class worker;
}  // namespace guichet::server

namespace guichet::room {

/// One worker's copy of every room's state, pre-rendered, so polls of the room state never touch
/// Redis. Once per `rooms.refresh` for the whole fleet, worker 0 of the fleet lease's holder
/// (server/fleet.hpp) calls the room_refresh script for every room (that call is also what
/// advances the serving counter and opens slots) and publishes the replies; every worker of
/// every gateway takes them from the fleet's state (follow). A room the holder does not refresh
/// (a gateway whose config has a room the holder's lacks) is refreshed by each gateway that has it.
/// If Redis is down, the last state keeps being served.
class room_cache final : public server::per_thread {
 public:
  struct room {
    const edition_config* edition;
    const phase_config* phase;
    std::string room_key, active_key, sessions_key, places_key, draw_key;
    std::vector<std::string> slot_keys;
    /// The sessions on sale in the phase: their inventory keys and, per key, "k", then the k
    /// category names (room_refresh's stock check).
    std::vector<std::string> inv_keys, inv_args;
    room_state state;
    std::chrono::steady_clock::time_point applied;  ///< when `state` was taken (its age: dead reckoning)
    bool loaded = false;
    bool force = false;  ///< push config's live knobs over Redis' on the next refresh (SIGHUP)
    std::string published;  ///< the room_refresh reply last applied, as published (fields joined by '\n')
    unsigned unchanged_rounds = 0;  ///< worker 0, not leading: rounds without a new published state
    std::string body;    ///< the public JSON
    std::string etag;
    /// The complete HTTP/1.1 answers to a poll, serialised once per refresh.
    std::shared_ptr<const std::string> raw_ok, raw_not_modified;
    std::size_t slot_index(std::string_view id) const;
    /// Proof of work at the join: the bits asked (ops' room setting, else [rooms] join_pow_bits)
    /// and the challenges of this window and the previous one (both accepted).
    unsigned pow_bits = 0;
    std::int64_t pow_window = -1;
    std::string pow_now, pow_prev;
  };

  explicit room_cache(server::worker& w);
  room* find(std::string_view edition, std::string_view phase);
  template <class F>
  void each(F&& f) const {
    for (auto& r : rooms_) f(r);
  }
  /// Starts the refresher; it stops by itself when the worker drains.
  void start() override;
  /// Config reloaded: push the new live knobs on the next refresh.
  void reload() override;
  /// True once every room has been read from Redis at least once (readiness).
  bool warm() const override { return warm_.load(std::memory_order_relaxed); }
  /// Every room's state as this worker last read it from Redis (the same for every worker and
  /// gateway, a refresh apart): fans waiting, serving, admit rate, shoppers vs ceiling, status,
  /// stock.
  void render_metrics(std::string& out) const override;
  /// Takes the rooms' states the fleet lease's holder published.
  void follow(const server::fleet_state& s) override;
  /// Refreshes one room now and publishes it (after an admin change, so this worker's next
  /// answer shows it, and the fleet's next round).
  boost::asio::awaitable<void> refresh(room& r);

 private:
  boost::asio::awaitable<void> refresh_loop();
  /// Calls room_refresh; on success applies the reply and returns it as published (else "").
  boost::asio::awaitable<std::string> call_refresh(room& r);
  /// Applies a published room_refresh reply unless older than the state held; false if malformed.
  bool apply(room& r, std::string_view published);
  void render(room& r);

  void update_pow(room& r);

  server::worker& w_;
  std::unique_ptr<hmac_sha256> pow_key_;  // guichet's token signing key: every gateway derives the same challenges
  std::vector<room> rooms_;
  std::atomic<bool> warm_{false};  // read by /readyz on any worker
};

}  // namespace guichet::room
