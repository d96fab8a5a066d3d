#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/jwt.hpp"
#include "core/token.hpp"
#include "gateway/server/exchange.hpp"
#include "gateway/server/per_thread.hpp"
#include "gateway/identity/secrets.hpp"
#include "gateway/redis/connection.hpp"
#include "gateway/metrics/worker_stats.hpp"
#include "gateway/server/worker_pools.hpp"

namespace guichet::server {

class server;

/// One thread's world: its io_context, acceptor, Redis connection, counters and copy of the
/// live configuration. Nothing here is touched by another thread except the atomics in stats.
class worker {
 public:
  worker(server& srv, const config& cfg, const identity::runtime_secrets& secrets, std::size_t index);

  server& srv;
  std::size_t index;
  /// The connections' read buffers, header_bytes each (session.cpp); declared before `io` so
  /// that it outlives the sessions the io_context destroys.
  block_pool read_buffers;
  object_pool<exchange> exchanges;  ///< requests being read and answered (session.cpp)
  /// One thread runs it and only that thread touches its sockets (other threads only post to
  /// it): the reactor needs no per-socket lock, the scheduler keeps its own for the posts.
  net::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  metrics::worker_stats stats;
  config cfg;  ///< this thread's copy; SIGHUP posts a new one
  std::unique_ptr<redis::redis_connection> redis;
  std::unique_ptr<net::ip::tcp::acceptor> acceptor;
  std::unique_ptr<net::ip::tcp::acceptor> ops_acceptor;  ///< worker 0 only, with [server] ops_port
  bool draining = false;

  // Per-thread keyed contexts and caches: never shared, never locked.
  const identity::runtime_secrets& secrets;
  std::unique_ptr<token_keyring> tokens;  ///< null when no token keys are configured
  std::unique_ptr<jwt_verifier> jwt;      ///< null when no JWT key is configured
  std::mt19937_64 rng;
  /// The counters of a phase of this worker's config (null for one it does not know).
  metrics::worker_stats::phase_events* events(const edition_config& e, const phase_config& p) {
    auto i = cfg.phase_index(e, p);
    return i < stats.phases.size() ? &stats.phases[i] : nullptr;
  }

  /// This worker's T, registered by a feature's routes (route_table::per_thread_state).
  template <class T>
  T& state() {
    return static_cast<T&>(*states_[per_thread_slot<T>()]);
  }
  /// Every per-thread state, in registration order.
  template <class F>
  void each_state(F&& f) {
    for (auto slot : order_) f(*states_[slot]);
  }
  template <class F>
  void each_state(F&& f) const {
    for (auto slot : order_) f(std::as_const(*states_[slot]));
  }

  /// Open connections: a drain closes the idle ones at once, and the deadline sweep (one
  /// coarse timer per worker, every 50 ms) cancels the I/O of any past its deadline, so that
  /// arming a deadline on the request path is a plain store, not a timer syscall.
  struct session_entry {
    net::ip::tcp::socket* socket;
    bool busy = false;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    bool expired = false;
    /// Waiting for its next request with its read buffer (read_request.cpp): until then, after
    /// which the sweep cancels that read (`lingered`) and the connection waits without a buffer.
    std::chrono::steady_clock::time_point linger_until = std::chrono::steady_clock::time_point::max();
    bool lingered = false;
  };
  std::list<session_entry> sessions;
  /// Connections waiting for their next request with a read buffer (at most kMaxLingering).
  std::size_t lingering = 0;
  static constexpr std::size_t kMaxLingering = 256;

 private:
  std::vector<std::unique_ptr<per_thread>> states_;  // indexed by per_thread_slot<T>()
  std::vector<std::size_t> order_;                   // the slots in use, in registration order
};

}  // namespace guichet::server
