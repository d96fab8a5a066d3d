#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include "gateway/base/asio.hpp"

namespace guichet::server {

class worker;

/// The connection coroutine, one per client connection: wait for a request ▸ read it
/// (read_request.hpp) ▸ the door policies (door_policies.hpp) ▸ the handler ▸ write the answer,
/// then again while the connection is kept alive. Pipelined requests wait in the bounded read
/// buffer; every read and write has a deadline.
net::awaitable<void> run_session(worker& w, net::ip::tcp::socket socket, bool ops_listener = false);

}  // namespace guichet::server
