#include <array>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "gateway/answer.hpp"
#include "gateway/header_block.hpp"
#include "gateway/http_date.hpp"
#include "gateway/log.hpp"
#include "gateway/responses.hpp"
#include "gateway/server.hpp"

namespace guichet {

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

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now().time_since_epoch()).count());
}

bool is_json(std::string_view content_type) {
  auto base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return beast::iequals(base, "application/json");
}

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

// Over max_connections: one 503 and close (a coroutine of its own, so that the session's frame,
// which every idle connection holds, does not carry this answer).
net::awaitable<void> refuse(tcp::socket& stream) {
  auto res = error_response(11, errc::too_many_connections);
  res.keep_alive(false);
  co_await http::async_write(stream, res, tuple);
}

}  // namespace

net::awaitable<void> run_session(worker& w, tcp::socket socket, bool ops_listener) {
  server& srv = w.srv;
  auto& hs = w.stats.http;
  hs.connections_total.add();
  hs.connections_open.add();
  struct open_guard {
    worker& w;
    ~open_guard() {
      w.stats.http.connections_open.sub();
      w.srv.open_connections().fetch_sub(1, std::memory_order_relaxed);
    }
  } guard{w};
  boost::system::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  const ip_bytes peer = peer_address(socket);
  auto& stream = socket;

  const auto& limits = w.cfg.limits;
  // The read buffer: a block of header_bytes from the worker's pool while a request is read and
  // answered (nothing allocated per request), given back when the connection falls idle.
  beast::basic_flat_buffer<pool_allocator<char>> buffer(limits.header_bytes + limits.body_bytes,
                                                        pool_allocator<char>(w.read_buffers));

  auto entry = w.sessions.insert(w.sessions.end(), {&stream});
  struct entry_guard {
    worker& w;
    std::list<worker::session_entry>::iterator it;
    ~entry_guard() { w.sessions.erase(it); }
  } eg{w, entry};
  // Deadlines: the worker's sweep cancels our pending I/O once `deadline` has passed; a cancel
  // it caused reads as a timeout (a drain's cancel does not).
  auto arm = [&](std::chrono::milliseconds d) {
    entry->deadline = steady_clock::now() + d;
    entry->expired = false;
  };
  auto seen = [&](boost::system::error_code ec) {
    return ec == net::error::operation_aborted && entry->expired ? boost::system::error_code(beast::error::timeout) : ec;
  };

  if (srv.open_connections().fetch_add(1, std::memory_order_relaxed) >= srv.initial_config().server.max_connections) {
    hs.connections_rejected.add();
    arm(w.cfg.timeouts.write);
    co_await refuse(stream);
    co_return;
  }

  const auto& routes = srv.routes();
  for (;;) {
    entry->busy = false;
    if (w.draining) break;
    // Idle keep-alive: wait for the first byte of the next request under the idle deadline.
    if (buffer.size() == 0) {
      arm(w.cfg.timeouts.idle);
      // While idle the connection holds no read buffer (a waiting fan's keep-alive connection
      // costs its socket and this frame, not header_bytes): wait until it is readable, then take
      // one from the pool and read.
      buffer.shrink_to_fit();
      auto [wec] = co_await stream.async_wait(tcp::socket::wait_read, tuple);
      boost::system::error_code rec = wec;
      std::size_t n = 0;
      if (!wec) std::tie(rec, n) = co_await stream.async_read_some(buffer.prepare(limits.header_bytes), tuple);
      auto ec = seen(rec);
      if (ec) {
        if (ec == beast::error::timeout) hs.deadline_closes.add();
        break;
      }
      buffer.commit(n);
    }
    entry->busy = true;

    auto x = w.exchanges.take();  // given back at the end of this iteration, before idling
    x->reset();
    request_parser& parser = x->parser.emplace();
    path_params& params = x->params;
    router::match& m = x->m;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
    parser.body_limit(limits.body_bytes);
    std::optional<errc> failed;
    std::size_t route = kMaxRoutes;
    std::size_t head_used = 0;  // the head's bytes in `buffer`, consumed once the answer is written

    arm(w.cfg.timeouts.header);
    // The whole header block is in the buffer before Beast parses it, so that a folded line can
    // be refused (RFC 9112 5.2) rather than joined, and so that the request can be a view of it.
    boost::system::error_code hec;
    bool folded = false;
    for (std::size_t from = 0;;) {
      auto b = scan_header_block({static_cast<const char*>(buffer.data().data()), buffer.size()}, from);
      folded = b.folded;
      if (b.complete || buffer.size() >= limits.header_bytes) break;
      auto [rec, n] = co_await stream.async_read_some(buffer.prepare(limits.header_bytes - buffer.size()), tuple);
      if (rec) {
        hec = rec;
        break;
      }
      buffer.commit(n);
    }
    if (!hec && !folded) {
      head_used = parser.put(buffer.data(), hec);
      // Not complete with the whole block (or the limit's worth) in hand: over the limit.
      if (hec == http::error::need_more) hec = http::error::header_limit;
      // A body follows: reading it may move the buffer, so the request keeps its own copy.
      if (!hec && !parser.is_done()) {
        parser.own_head();
        buffer.consume(head_used);
        head_used = 0;
      }
    }
    auto started = steady_clock::now();
    if (folded) {
      failed = errc::bad_request;
    } else if (hec) {
      failed = read_error(seen(hec));
      if (!failed) break;
    } else {
      auto& req = parser.get();
      // RFC 9112 6.1/6.3: a request whose final transfer coding is not chunked has no knowable
      // length. Beast would read it as bodyless; a proxy in front may not: refuse and close.
      if (req.count(http::field::transfer_encoding) && !parser.chunked()) failed = errc::bad_request;
      // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host.
      if (req.version() >= 11 && req.count(http::field::host) != 1) failed = errc::bad_request;
      // With a separate ops listener, each listener serves only its own routes: to the other
      // one they do not exist (404, not 405).
      m = routes.routes.find(req.method(), req.target(), params,
                             !srv.ops_port() ? listener_view::all : ops_listener ? listener_view::ops : listener_view::fans);
      if (!failed && m.result == router::match::kind::found) {
        route = m.route;
        if (auto b = routes.routes.policy(route).max_body) {
          // Beast checks Content-Length against the limit while parsing the header, before the
          // route is known; a route's smaller limit is checked here.
          parser.body_limit(b);
          if (parser.content_length() && *parser.content_length() > b) failed = errc::body_too_large;
        }
      }
      if (!failed && !parser.is_done()) {
        arm(w.cfg.timeouts.body);
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, tuple);
        if (bec) {
          failed = read_error(seen(bec));
          if (!failed) break;
        }
      }
    }

    // A failed read leaves the stream out of step: answer and close.
    bool close = failed.has_value();
    response& res = x->res;
    std::shared_ptr<const std::string>& raw = x->raw;
    std::string& out = x->out;
    std::string& head = x->head;
    int status = 0;
    bool json_in_out = false;
    std::string_view cache = cache_rule::personal;
    if (failed) {
      if (*failed == errc::request_timeout) hs.deadline_closes.add();
      res = error_response(parser.is_header_done() ? parser.get().version() : 11, *failed);
    } else {
      auto& req = parser.get();
      static const route_policy no_route{};
      const route_policy& policy = route < kMaxRoutes ? routes.routes.policy(route) : no_route;
      ip_bytes client = client_address(peer, req["X-Forwarded-For"], w.cfg.trusted_proxies);
      std::uint32_t wait = 0;
      // The client's key is hashed only for a route that is metered (polls skip it).
      auto client_key = [&] { return guard_key(client.data(), client_prefix_bytes(client)); };
      if (!policy.unmetered && limits.per_ip_rate)
        wait = srv.ip_guard().acquire(client_key(), now_ms(), limits.per_ip_rate, limits.per_ip_burst);
      if (!wait && policy.door && limits.door_per_ip_rate)
        wait = srv.door_guard().acquire(client_key(), now_ms(), limits.door_per_ip_rate,
                                        limits.door_per_ip_burst ? limits.door_per_ip_burst : limits.door_per_ip_rate);
      if (wait) {
        hs.rate_limited.add();
        res = error_response(req.version(), errc::rate_limited, {}, {}, (wait + 999) / 1000);
      } else if (m.result != router::match::kind::found && !routes.routes.implements(req.method())) {
        res = error_response(req.version(), errc::not_implemented);  // RFC 9110 9.1: unknown method
      } else if (m.result == router::match::kind::not_found) {
        res = error_response(req.version(), errc::not_found);
      } else if (m.result == router::match::kind::method_not_allowed) {
        res = error_response(req.version(), errc::method_not_allowed);
        res.set(http::field::allow, m.allow);
      } else if (policy.json_body && !is_json(req[http::field::content_type])) {
        res = error_response(req.version(), errc::unsupported_media_type);
      } else if (policy.needs_redis && !w.redis->ready()) {
        res = error_response(req.version(), errc::unavailable);
      } else {
        request_context ctx{req, params, w, client, out};
        reply rp = co_await routes.handlers[route](ctx);
        res = std::move(rp.res);
        raw = std::move(rp.raw);
        json_in_out = rp.json_in_out;
        status = rp.status;
        if (!raw && !json_in_out) status = static_cast<int>(res.result_int());
        if (status < 400) cache = policy.cache;
      }
    }
    if (!status) status = static_cast<int>(res.result_int());
    const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
    bool keep = !close && !w.draining && (!parser.is_header_done() || parser.get().keep_alive());
    // Every answer is one gather write: its head's status line, this second's Date (RFC 9110
    // 6.6.1), the rest of the head, the body. The head is prebuilt bytes, or written here into a
    // reused string: no field allocations, no serializer.
    std::string_view all, body;
    if (raw) {
      all = *raw;
    } else if (json_in_out) {
      append_json_head(head, version, static_cast<unsigned>(status), cache, out.size(), keep);
      all = head;
      body = out;
    } else {
      append_head(head, res, cache, keep);
      all = head;
      body = res.body();
    }
    const auto eol = all.find("\r\n") + 2;
    const std::array<net::const_buffer, 4> parts{net::buffer(all.data(), eol), net::buffer(http_date_line()),
                                                 net::buffer(all.data() + eol, all.size() - eol), net::buffer(body)};
    arm(w.cfg.timeouts.write);
    auto [wec0, written] = co_await net::async_write(stream, parts, tuple);
    buffer.consume(head_used);  // the request's views die here
    auto wec = seen(wec0);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - started).count();
    w.stats.record(route, status, static_cast<std::uint64_t>(micros));
    if (!raw && !json_in_out && status >= 400) {  // every error body starts the same way (error_response)
      constexpr std::string_view lead = R"({"error":{"code":")";
      std::string_view error_body = res.body();
      if (error_body.starts_with(lead)) {
        error_body.remove_prefix(lead.size());
        w.stats.record_error(route, errc_from_code(error_body.substr(0, error_body.find('"'))));
      }
    }
    if (wec) {
      if (wec == beast::error::timeout) hs.deadline_closes.add();
      break;
    }
    if (!keep) break;
  }
  boost::system::error_code ec;
  stream.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace guichet
