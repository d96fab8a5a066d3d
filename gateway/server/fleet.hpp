#pragma once
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace guichet::server {

class worker;

/// What the fleet's lease holder last read for everyone: field -> value (a room's key -> its
/// state, "avail:<edition>" -> its seats). Immutable once shared.
using fleet_state = std::map<std::string, std::string, std::less<>>;

/// The fleet's one leader. Every gateway's worker 0 visits the lease once per `rooms.refresh`:
/// the holder renews it (the fleet_lease script) and does the fleet's Redis chores (the
/// features ask `leading()`: room refresh, availability, expiry reaper) and publishes what it
/// read; every other gateway tries to take it and reads the published state (plain commands). So the Redis load of rooms and
/// seats is O(rooms), not O(gateways x workers x rooms). The lease lasts two rounds: when its
/// holder dies, another gateway takes it within two rounds of its last renewal (it sleeps until
/// the lease's expiry, not a whole round); a draining holder lets go at once.
/// Each new state is handed to every worker's features (per_thread::follow) on their thread.
class fleet {
 public:
  using deliver_fn = std::function<void(std::shared_ptr<const fleet_state>)>;
  /// `deliver` hands a new state to every worker (posts to their threads).
  fleet(std::chrono::milliseconds round, deliver_fn deliver);

  /// This gateway holds the lease (read on any thread).
  bool leading() const { return leading_.load(std::memory_order_relaxed); }
  /// The last state this gateway knows (published by itself or read from the holder).
  std::shared_ptr<const fleet_state> state() const;
  const std::string& id() const { return id_; }

  /// The lease loop, on worker 0 (until it drains).
  boost::asio::awaitable<void> run(worker& w);
  /// The holder's features publish what they read: into this gateway's state at once (every
  /// worker gets it) and into Redis' fleet state hash for the followers (one HSET).
  boost::asio::awaitable<void> publish(worker& w, std::vector<std::pair<std::string, std::string>> fields);
  /// A draining holder lets go, so that another takes over at its next round.
  boost::asio::awaitable<void> let_go(worker& w);

 private:
  void replace(std::shared_ptr<const fleet_state> s);
  void merge(const std::vector<std::pair<std::string, std::string>>& fields);

  std::chrono::milliseconds round_;
  deliver_fn deliver_;
  std::string id_;
  std::atomic<bool> leading_{false};
  mutable std::mutex mu_;
  std::shared_ptr<const fleet_state> state_;
};

}  // namespace guichet::server
