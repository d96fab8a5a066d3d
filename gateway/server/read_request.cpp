#include "gateway/server/read_request.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <tuple>

#include "gateway/http/header_block.hpp"
#include "gateway/server/server.hpp"

namespace guichet::server {

namespace beast = boost::beast;

using tcp = net::ip::tcp;

namespace {

constexpr auto tuple = net::as_tuple(net::use_awaitable);

// Maps a read failure to the error to send, or nullopt to close silently.
std::optional<errc> read_error(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return errc::request_timeout;
  if (ec == http::error::header_limit) return errc::headers_too_large;
  if (ec == http::error::body_limit) return errc::body_too_large;
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == http::error::partial_message)
    return std::nullopt;
  return errc::bad_request;
}

// The whole header block into the buffer (or the limit's worth): a read error, and whether a
// line of it is folded.
net::awaitable<std::pair<boost::system::error_code, bool>> read_header_block(connection& c) {
  const std::size_t limit = c.w.cfg.limits.header_bytes;
  for (std::size_t from = 0;;) {
    auto b = http::scan_header_block({static_cast<const char*>(c.buffer.data().data()), c.buffer.size()}, from);
    if (b.complete || c.buffer.size() >= limit) co_return std::pair{boost::system::error_code{}, b.folded};
    auto [rec, n] = co_await c.stream.async_read_some(c.buffer.prepare(limit - c.buffer.size()), tuple);
    if (rec) co_return std::pair{rec, b.folded};
    c.buffer.commit(n);
  }
}

// The framing checks and the route of a parsed head; sets x.failed or x.route.
void check_head(connection& c, exchange& x) {
  http::request_parser& parser = *x.parser;
  auto& req = parser.get();
  // RFC 9112 6.1/6.3: a request whose final transfer coding is not chunked has no knowable
  // length. Beast would read it as bodyless; a proxy in front may not: refuse and close.
  if (req.count(http::field::transfer_encoding) && !parser.chunked()) x.failed = errc::bad_request;
  // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host.
  if (req.version() >= 11 && req.count(http::field::host) != 1) x.failed = errc::bad_request;
  // With a separate ops listener, each listener serves only its own routes: to the other one
  // they do not exist (404, not 405).
  const auto& routes = c.w.srv.routes().routes;
  x.m = routes.find(req.method(), req.target(), x.params,
                    !c.w.srv.ops_port() ? http::listener_view::all
                    : c.ops_listener    ? http::listener_view::ops
                                        : http::listener_view::fans);
  if (x.failed || x.m.result != http::router::match::kind::found) return;
  x.route = x.m.route;
  if (auto b = routes.policy(x.route).max_body) {
    // Beast checks Content-Length against the limit while parsing the head, before the route
    // is known; a route's smaller limit is checked here.
    parser.body_limit(b);
    if (parser.content_length() && *parser.content_length() > b) x.failed = errc::body_too_large;
  }
}

}  // namespace

// How long a connection that has just been answered waits for its next request with its read
// buffer. Such a read is queued on the socket, already registered for reads (edge-triggered):
// no system call until the request arrives. Waiting without a buffer (async_wait) costs an
// epoll_ctl per request instead, a fifth of a poll's CPU: so only connections quiet for longer
// than this, or beyond kMaxLingering per worker (an idle crowd), give their buffer back.
constexpr auto kLinger = std::chrono::milliseconds(500);

net::awaitable<bool> wait_for_request(connection& c) {
  if (c.buffer.size() != 0) co_return true;  // a pipelined request is already here
  // Idle from the end of the last answer (or from the accept): that moment's clock reading.
  c.arm(c.w.cfg.timeouts.idle, c.answered);
  boost::system::error_code rec = net::error::operation_aborted;
  std::size_t n = 0;
  if (c.w.lingering < worker::kMaxLingering && c.buffer.capacity() != 0) {
    ++c.w.lingering;
    c.entry->lingered = false;
    c.entry->linger_until = c.answered + kLinger;
    std::tie(rec, n) = co_await c.stream.async_read_some(c.buffer.prepare(c.w.cfg.limits.header_bytes), tuple);
    --c.w.lingering;
    c.entry->linger_until = std::chrono::steady_clock::time_point::max();
  }
  if (rec == net::error::operation_aborted && !c.entry->expired && !c.w.draining) {
    // Quiet past kLinger (or no room to linger): wait without a buffer.
    c.entry->lingered = false;
    c.buffer.shrink_to_fit();
    auto [wec] = co_await c.stream.async_wait(tcp::socket::wait_read, tuple);
    rec = wec;
    if (!wec) std::tie(rec, n) = co_await c.stream.async_read_some(c.buffer.prepare(c.w.cfg.limits.header_bytes), tuple);
  }
  if (auto ec = c.seen(rec)) {
    if (ec == beast::error::timeout) c.w.stats.http.deadline_closes.add();
    co_return false;
  }
  c.buffer.commit(n);
  co_return true;
}

net::awaitable<read_outcome> read_request(connection& c, exchange& x) {
  const auto& limits = c.w.cfg.limits;
  http::request_parser& parser = x.parser.emplace();
  parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
  parser.body_limit(limits.body_bytes);

  // One clock reading for the header deadline and the latency's start, unless the head is still
  // coming in (then the latency starts once it is all here).
  x.started = std::chrono::steady_clock::now();
  c.arm(c.w.cfg.timeouts.header, x.started);
  std::size_t from = 0;
  auto at_hand = http::scan_header_block({static_cast<const char*>(c.buffer.data().data()), c.buffer.size()}, from);
  auto [hec, folded] = std::pair{boost::system::error_code{}, at_hand.folded};
  if (!at_hand.complete && c.buffer.size() < c.w.cfg.limits.header_bytes) {
    std::tie(hec, folded) = co_await read_header_block(c);
    x.started = std::chrono::steady_clock::now();
  }
  if (!hec && !folded) {
    x.head_used = parser.put(c.buffer.data(), hec);
    // Not complete with the whole block (or the limit's worth) in hand: over the limit.
    if (hec == http::error::need_more) hec = http::error::header_limit;
    // A body follows: reading it may move the buffer, so the request keeps its own copy.
    if (!hec && !parser.is_done()) {
      parser.own_head();
      c.buffer.consume(x.head_used);
      x.head_used = 0;
    }
  }
  if (folded) {
    x.failed = errc::bad_request;
    co_return read_outcome::request;
  }
  if (hec) {
    x.failed = read_error(c.seen(hec));
    co_return x.failed ? read_outcome::request : read_outcome::gone;
  }
  check_head(c, x);
  if (!x.failed && !parser.is_done()) {
    c.arm(c.w.cfg.timeouts.body);
    auto [bec, bn] = co_await http::async_read(c.stream, c.buffer, parser, tuple);
    if (bec) {
      x.failed = read_error(c.seen(bec));
      if (!x.failed) co_return read_outcome::gone;
    }
  }
  co_return read_outcome::request;
}

}  // namespace guichet::server
