#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <list>
#include <memory>

#include "core/config.hpp"
#include "gateway/redis_connection.hpp"
#include "gateway/stats.hpp"

namespace guichet {

class server;

/// One thread's world: its io_context, acceptor, Redis connection, counters and copy of the
/// live configuration. Nothing here is touched by another thread except the atomics in stats.
class worker {
 public:
  worker(server& srv, const config& cfg, std::size_t index);

  server& srv;
  std::size_t index;
  net::io_context io{1};
  worker_stats stats;
  config cfg;  ///< this thread's copy; SIGHUP posts a new one
  std::unique_ptr<redis_connection> redis;
  std::unique_ptr<net::ip::tcp::acceptor> acceptor;
  bool draining = false;

  /// Open connections, so a drain can close the idle ones at once.
  struct session_entry {
    net::ip::tcp::socket* socket;
    bool busy;
  };
  std::list<session_entry> sessions;
};

}  // namespace guichet
