#include "gateway/server/session.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include "gateway/http/head_writer.hpp"
#include "gateway/http/http_date.hpp"
#include "gateway/server/connection.hpp"
#include "gateway/server/door_policies.hpp"
#include "gateway/server/read_request.hpp"
#include "gateway/server/server.hpp"

namespace guichet::server {

namespace beast = boost::beast;

using tcp = net::ip::tcp;
using std::chrono::steady_clock;

namespace {

constexpr auto tuple = net::as_tuple(net::use_awaitable);

ip_bytes peer_address(const tcp::socket& s) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  ip_bytes out{};
  if (ec) return out;
  auto a = ep.address();
  if (a.is_v4()) {
    out[10] = out[11] = 0xff;
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin() + 12);
  } else {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  }
  return out;
}

// The answer to a request read in full: the door's refusal, or the handler's reply.
net::awaitable<void> dispatch(connection& c, exchange& x) {
  auto& req = x.parser->get();
  ip_bytes client = client_address(c.peer, req["X-Forwarded-For"], c.w.cfg.trusted_proxies);
  if (auto refused = door_policies(c.w, x, client)) {
    x.answer = std::move(*refused);
    co_return;
  }
  request_context ctx{req, x.params, c.w, client, x.out};
  x.answer = co_await c.w.srv.routes().handlers[x.route](ctx);
}

// Writes x.answer as one gather write: its head's status line, this second's Date (RFC 9110
// 6.6.1), the rest of the head, the body. The head is prebuilt bytes, or written here into a
// reused string: no field allocations, no serializer. Counts the request (and its error code).
// True when the connection stays open for the next request.
net::awaitable<bool> write_answer(connection& c, exchange& x) {
  worker& w = c.w;
  http::reply& a = x.answer;
  // Every path sets an answer; were one left empty, a 500 says so (not an empty 200).
  if (!a.raw && !a.json_in_out && !a.res) a = http::error_response(x.version(), errc::internal);
  const bool framed = x.parser && x.parser->is_header_done();
  const bool keep = !x.failed && !w.draining && (!framed || x.parser->get().keep_alive());
  int status = a.status ? a.status : static_cast<int>(a.res->result_int());
  // Errors are never cached; a route's own rule applies to its successful answers.
  std::string_view cache = http::cache_rule::personal;
  if (status < 400 && x.route < metrics::kMaxRoutes) cache = w.srv.routes().routes.policy(x.route).cache;
  std::string_view all, body;
  if (a.raw) {
    all = *a.raw;
  } else if (a.json_in_out) {
    http::append_json_head(x.head, x.version(), static_cast<unsigned>(status), cache, x.out.size(), keep);
    all = x.head;
    body = x.out;
  } else {
    http::append_head(x.head, *a.res, cache, keep);
    all = x.head;
    body = a.res->body();
  }
  const auto eol = all.find("\r\n") + 2;
  const std::array<net::const_buffer, 4> parts{net::buffer(all.data(), eol), net::buffer(http::http_date_line()),
                                               net::buffer(all.data() + eol, all.size() - eol), net::buffer(body)};
  c.arm(w.cfg.timeouts.write);
  auto [wec, written] = co_await net::async_write(c.stream, parts, tuple);
  c.buffer.consume(x.head_used);  // the request's views die here
  c.answered = steady_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(c.answered - x.started).count();
  w.stats.record(x.route, status, static_cast<std::uint64_t>(micros));
  if (a.error != errc::ok) w.stats.record_error(x.route, a.error);
  if (auto ec = c.seen(wec)) {
    if (ec == beast::error::timeout) w.stats.http.deadline_closes.add();
    co_return false;
  }
  co_return keep;
}

// Over max_connections: one 503, written like every answer (Date, security headers), and close.
// A coroutine of its own, so that the session's frame, which every idle connection holds, does
// not carry it.
net::awaitable<void> refuse(connection& c) {
  c.w.stats.http.connections_rejected.add();
  auto x = c.w.exchanges.take();
  x->reset();
  x->answer = http::error_response(11, errc::too_many_connections);
  x->failed = errc::too_many_connections;  // close after it
  x->started = steady_clock::now();
  co_await write_answer(c, *x);
}

}  // namespace

connection::connection(worker& wk, tcp::socket& socket, bool ops)
    : w(wk),
      stream(socket),
      ops_listener(ops),
      peer(peer_address(socket)),
      buffer(wk.cfg.limits.header_bytes + wk.cfg.limits.body_bytes, pool_allocator<char>(wk.read_buffers)),
      entry(wk.sessions.insert(wk.sessions.end(), {&socket})) {
  w.stats.http.connections_total.add();
  w.stats.http.connections_open.add();
  boost::system::error_code ec;
  stream.set_option(tcp::no_delay(true), ec);
  over_limit_ = w.srv.open_connections().fetch_add(1, std::memory_order_relaxed) >=
                w.srv.initial_config().server.max_connections;
}

connection::~connection() {
  w.sessions.erase(entry);
  w.stats.http.connections_open.sub();
  w.srv.open_connections().fetch_sub(1, std::memory_order_relaxed);
  boost::system::error_code ec;
  stream.shutdown(tcp::socket::shutdown_send, ec);
}

boost::system::error_code connection::seen(boost::system::error_code ec) const {
  return ec == net::error::operation_aborted && entry->expired ? boost::system::error_code(beast::error::timeout) : ec;
}

net::awaitable<void> run_session(worker& w, tcp::socket socket, bool ops_listener) {
  connection c(w, socket, ops_listener);
  if (c.over_limit()) {
    co_await refuse(c);
    co_return;
  }
  while (!w.draining) {
    c.entry->busy = false;
    if (!co_await wait_for_request(c)) break;
    c.entry->busy = true;
    auto x = w.exchanges.take();  // given back at the end of this iteration, before idling
    x->reset();
    if (co_await read_request(c, *x) == read_outcome::gone) break;
    if (x->failed) {
      if (*x->failed == errc::request_timeout) w.stats.http.deadline_closes.add();
      x->answer = http::error_response(x->version(), *x->failed);
    } else {
      co_await dispatch(c, *x);
    }
    if (!co_await write_answer(c, *x)) break;
  }
}

}  // namespace guichet::server
