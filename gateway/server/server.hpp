#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/account_guard.hpp"
#include "core/rate_guard.hpp"
#include "gateway/base/audit_log.hpp"
#include "gateway/server/fleet.hpp"
#include "gateway/server/handler.hpp"
#include "gateway/identity/jwks_watch.hpp"
#include "gateway/identity/secrets.hpp"
#include "gateway/server/session.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::server {

/// The HTTP server: N workers, each a thread with its own io_context and SO_REUSEPORT acceptor
/// on the same port. Threads share only atomics (connection count, the rate guard, stats).
class server {
 public:
  server(const config& cfg, route_table routes, identity::runtime_secrets secrets = {});
  ~server();

  /// Binds (port 0 picks a free one), connects Redis and starts the threads. Throws on bind errors.
  void start();
  std::uint16_t port() const { return port_; }
  /// The ops listener's port, 0 when there is none ([server] ops_port unset).
  std::uint16_t ops_port() const { return ops_port_; }

  /// Stops accepting, lets in-flight requests finish, closes idle connections, and waits at
  /// most the drain deadline before cancelling what remains. Blocks until the threads exit.
  void drain();

  /// Applies the live-tunable part of `cfg` on every worker (SIGHUP).
  void reload(const config& cfg);

  bool redis_ready() const;
  /// Redis up with scripts loaded on every worker, and every worker's room cache warm.
  bool ready() const;
  const route_table& routes() const { return routes_; }
  std::vector<const metrics::worker_stats*> stats() const;
  rate_guard& ip_guard() { return ip_guard_; }
  rate_guard& door_guard() { return door_guard_; }
  rate_guard& account_rate() { return account_rate_; }
  account_guard& accounts() { return accounts_; }
  std::atomic<std::uint64_t>& open_connections() { return open_connections_; }
  const config& initial_config() const { return cfg_; }
  redis::redis_primary_view& redis_view() { return redis_view_; }
  /// The identity provider's JWKS file and its reloads; null without [identity] jwks.
  const identity::jwks_watch* identity_keys() const { return jwks_watch_.get(); }
  /// The audit trail's file ([audit] file), shared by the workers.
  base::audit_log& audit() { return audit_; }
  /// The fleet's lease and the state its holder publishes (fleet.hpp).
  class fleet& fleet() { return fleet_; }

 private:
  net::awaitable<void> accept_loop(worker& w, net::ip::tcp::acceptor& acceptor, bool ops);
  net::awaitable<void> deadline_sweep(worker& w);
  net::awaitable<void> drain_worker(worker& w, std::chrono::steady_clock::time_point deadline);

  config cfg_;
  route_table routes_;
  identity::runtime_secrets secrets_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0, ops_port_ = 0;
  rate_guard ip_guard_{1 << 16};
  rate_guard door_guard_{1 << 18};
  rate_guard account_rate_{1 << 20};
  account_guard accounts_{1 << 20};
  std::atomic<std::uint64_t> open_connections_{0};
  redis::redis_primary_view redis_view_;
  std::unique_ptr<identity::jwks_watch> jwks_watch_;
  base::audit_log audit_;
  std::atomic<bool> drained_{false};
  class fleet fleet_;
};

}  // namespace guichet::server
