#pragma once
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
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

/// The fleet's one leader. Every gateway's worker 0 visits the lease once per `rooms.refresh`.
/// The holder does the fleet's Redis chores (the features ask `leading()`: room refresh,
/// availability, expiry reaper) and publishes what it read with the lease's renewal, in one
/// script call (fleet_lease): into Redis' state hash, and on the fleet's channel ('S' + fields;
/// a round with nothing to publish renews with 'L'). The other gateways are told, not asking:
/// subscribed to the channel, they take each renewal's state and send Redis nothing while the
/// renewals keep coming. One that has heard none for a round and a quarter (or is not subscribed
/// yet) asks as before, in one round trip of plain commands: take the lease if free, else when it
/// lapses, and the published state. So the Redis load of rooms and seats is O(rooms), not
/// O(gateways x workers x rooms), and an idle follower costs Redis one message per round. The
/// lease lasts two rounds: when its holder dies, another gateway takes it within two rounds of
/// its last renewal (it sleeps until the lease's expiry, not a whole round); a draining holder
/// lets go at once ('R': the followers ask at their next wake-up).
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
  /// The features publish what they read: into this gateway's state at once (every worker gets
  /// it), and for the others with the lease's renewal (the holder) or as 'F' news and into the
  /// state hash (a follower refreshing a room nobody refreshes, or pushing its config).
  boost::asio::awaitable<void> publish(worker& w, std::vector<std::pair<std::string, std::string>> fields);
  /// A draining holder lets go, so that another takes over at its next round.
  boost::asio::awaitable<void> let_go(worker& w);

 private:
  void replace(std::shared_ptr<const fleet_state> s);
  /// A message on the fleet's channel (worker 0's thread).
  void heard(std::string_view news);
  void merge(const std::vector<std::pair<std::string, std::string>>& fields);

  std::chrono::milliseconds round_;
  deliver_fn deliver_;
  std::string id_;
  std::atomic<bool> leading_{false};
  mutable std::mutex mu_;
  std::shared_ptr<const fleet_state> state_;
  std::chrono::steady_clock::time_point renewed_{};  ///< the holder's last renewal heard (worker 0)
  std::atomic<std::int64_t> renewed_ns_{0};  ///< this gateway's last renewal (steady clock, any worker)
};

}  // namespace guichet::server
