#pragma once
#include <boost/asio/awaitable.hpp>

#include "gateway/server/connection.hpp"
#include "gateway/server/exchange.hpp"

namespace guichet::server {

/// What reading a request came to: a request (x.failed set when it was malformed, too large or
/// too slow: answer that and close), or a connection to close without a word (the peer left).
enum class read_outcome { request, gone };

/// Waits, under the idle deadline, for the first byte of the next request while holding no read
/// buffer (a waiting fan's keep-alive connection costs its socket and the session's frame);
/// false when the connection is to close.
net::awaitable<bool> wait_for_request(connection& c);

/// Reads one request into `x`: its whole header block under the header deadline (so that a
/// folded line is refused, RFC 9112 5.2, and the request can be a view of the buffer), the
/// parse, the RFC 9112 framing checks, the route (whose body limit applies), then the body
/// under the body deadline.
net::awaitable<read_outcome> read_request(connection& c, exchange& x);

}  // namespace guichet::server
