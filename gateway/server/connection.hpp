#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <list>

#include "core/cidr.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::server {

/// One client connection as its session coroutine sees it: the socket, the peer's address, the
/// read buffer and the deadline entry the worker's sweep watches. It counts itself open for
/// as long as it lives.
struct connection {
  connection(worker& w, net::ip::tcp::socket& socket, bool ops_listener);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Arms the deadline: the worker's sweep cancels this connection's pending I/O once `d` has
  /// passed (a plain store here, not a timer syscall).
  void arm(std::chrono::milliseconds d, std::chrono::steady_clock::time_point from = std::chrono::steady_clock::now()) {
    entry->deadline = from + d;
    entry->expired = false;
  }
  /// An I/O error as it should be read: a cancel caused by the sweep is a timeout (a drain's
  /// cancel is not).
  boost::system::error_code seen(boost::system::error_code ec) const;
  /// Over [server] max_connections (counted across workers): the connection is refused.
  bool over_limit() const { return over_limit_; }

  worker& w;
  net::ip::tcp::socket& stream;
  const bool ops_listener;
  const ip_bytes peer;
  /// The read buffer: a block of header_bytes from the worker's pool while a request is read
  /// and answered (nothing allocated per request), given back when the connection falls idle.
  boost::beast::basic_flat_buffer<pool_allocator<char>> buffer;
  std::list<worker::session_entry>::iterator entry;
  /// When the last answer was written (the accept, before the first): the idle wait counts from
  /// it. A poll reads the clock three times: at its arrival, before and after its answer.
  std::chrono::steady_clock::time_point answered = std::chrono::steady_clock::now();

 private:
  bool over_limit_ = false;
};

}  // namespace guichet::server
