#include "gateway/redis/sentinel.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <charconv>

#include "gateway/base/log.hpp"
#include "gateway/redis/handshake.hpp"

namespace guichet::redis {

namespace {

using tcp = net::ip::tcp;
constexpr auto tuple = net::as_tuple(net::use_awaitable);

// A RESP array of bulk strings. Variadic, not an initializer_list: GCC 12 cannot keep an
// initializer_list's array in a coroutine frame.
template <class... A>
std::string encode(const A&... args) {
  std::string out = "*" + std::to_string(sizeof...(args)) + "\r\n";
  auto one = [&](std::string_view a) { out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n"; };
  (one(args), ...);
  return out;
}

std::string encode_args(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

using reader_ptr = std::unique_ptr<redisReader, decltype(&redisReaderFree)>;
using reply_ptr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

// One RESP exchange at a time over a plain Asio socket; hiredis' reader parses the replies.
// The deadline closes the socket, which fails whatever is pending.
class resp_link {
 public:
  explicit resp_link(net::any_io_executor ex) : sock_(ex), timer_(ex), reader_(redisReaderCreate(), redisReaderFree) {}
  ~resp_link() { timer_.cancel(); }

  void deadline(std::chrono::milliseconds d) {
    timer_.expires_after(d);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) {
        boost::system::error_code ignored;
        sock_.close(ignored);
      }
    });
  }
  net::awaitable<std::string> connect(const redis_address& a) {
    boost::system::error_code ec;
    auto ip = net::ip::make_address(a.host, ec);
    if (ec) co_return "'" + a.host + "' is not an IP address";
    auto [cec] = co_await sock_.async_connect(tcp::endpoint(ip, a.port), tuple);
    if (cec) co_return cec.message();
    co_return std::string{};
  }
  net::awaitable<std::string> send(const std::string& bytes) {
    auto [ec, n] = co_await net::async_write(sock_, net::buffer(bytes), tuple);
    co_return ec ? ec.message() : "";
  }
  /// The next reply, or null with `why` set.
  net::awaitable<reply_ptr> read(std::string& why) {
    for (;;) {
      void* r = nullptr;
      if (redisReaderGetReply(reader_.get(), &r) != REDIS_OK) {
        why = "protocol error";
        co_return reply_ptr(nullptr, freeReplyObject);
      }
      if (r) co_return reply_ptr(static_cast<redisReply*>(r), freeReplyObject);
      auto [ec, n] = co_await sock_.async_read_some(net::buffer(buf_), tuple);
      if (ec) {
        why = ec.message();
        co_return reply_ptr(nullptr, freeReplyObject);
      }
      redisReaderFeed(reader_.get(), buf_.data(), n);
    }
  }
  /// The handshake (AUTH when a password is configured; a sentinel has no ROLE to check);
  /// "" when done.
  net::awaitable<std::string> auth(const redis_config& cfg, const std::string& password) {
    const handshake hello(cfg.sentinel_user, password, false);
    for (const handshake::step& step : hello.steps) {
      std::string cmd = encode_args(step.args);
      auto err = co_await send(cmd);
      if (!err.empty()) co_return err;
      std::string why;
      auto r = co_await read(why);
      if (!r) co_return why;
      redis_result res;
      convert(r.get(), res.reply);
      if (res.reply.type == redis_reply::kind::error) res.ec = redis_errc::reply_error;
      if (auto no = handshake::refused(step, res); !no.empty()) co_return no;
    }
    co_return std::string{};
  }

 private:
  tcp::socket sock_;
  net::steady_timer timer_;
  reader_ptr reader_;
  std::array<char, 4096> buf_{};
};

std::optional<redis_address> address_of(const redisReply& r) {
  if (r.type != REDIS_REPLY_ARRAY || r.elements != 2 || r.element[0]->type != REDIS_REPLY_STRING ||
      r.element[1]->type != REDIS_REPLY_STRING)
    return std::nullopt;
  return parse_redis_address(std::string(r.element[0]->str, r.element[0]->len) + ":" +
                             std::string(r.element[1]->str, r.element[1]->len));
}

net::awaitable<std::optional<redis_address>> ask_one(const redis_config& cfg, const std::string& password,
                                                     const redis_address& s, std::string& why) {
  resp_link link(co_await net::this_coro::executor);
  link.deadline(cfg.command_timeout);
  auto step = [&](std::string err) {
    if (!err.empty()) why = s.to_string() + ": " + err;
    return err.empty();
  };
  if (!step(co_await link.connect(s)) || !step(co_await link.auth(cfg, password)) ||
      !step(co_await link.send(encode("SENTINEL", "get-master-addr-by-name", cfg.master))))
    co_return std::nullopt;
  std::string err;
  auto r = co_await link.read(err);
  if (!r) {
    step(err);
    co_return std::nullopt;
  }
  auto a = address_of(*r);
  if (!a) step(r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len) : "does not know master '" + cfg.master + "'");
  co_return a;
}

}  // namespace

net::awaitable<sentinel_answer> ask_sentinels(const redis_config& cfg, const std::string& password,
                                              std::size_t first) {
  sentinel_answer out;
  const std::size_t n = cfg.sentinels.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (first + k) % n;
    std::string why;
    if (auto a = co_await ask_one(cfg, password, cfg.sentinels[i], why)) {
      out.primary = std::move(a);
      out.sentinel = i;
      co_return out;
    }
    out.why += (out.why.empty() ? "" : "; ") + why;
  }
  if (n == 0) out.why = "no sentinels configured";
  co_return out;
}

sentinel_answer ask_sentinels_blocking(const redis_config& cfg, const std::string& password, std::size_t first) {
  net::io_context io;
  sentinel_answer out;
  net::co_spawn(io, ask_sentinels(cfg, password, first), [&](std::exception_ptr e, sentinel_answer a) {
    if (!e) out = std::move(a);
  });
  io.run();
  return out;
}

net::awaitable<void> watch_sentinels(const redis_config& cfg, const std::string& password,
                                     std::function<void(const redis_address&)> on_switch,
                                     std::shared_ptr<const bool> stopped) {
  auto ex = co_await net::this_coro::executor;
  for (std::size_t i = 0; !*stopped; i = (i + 1) % cfg.sentinels.size()) {
    {
      resp_link link(ex);
      link.deadline(cfg.command_timeout);
      std::string err = co_await link.connect(cfg.sentinels[i]);
      if (err.empty()) err = co_await link.auth(cfg, password);
      if (err.empty()) err = co_await link.send(encode("SUBSCRIBE", "+switch-master"));
      link.deadline(std::chrono::hours(24 * 365));  // a subscription waits as long as it takes
      while (err.empty() && !*stopped) {
        auto r = co_await link.read(err);
        if (!r || *stopped) break;
        // ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || std::string_view(r->element[0]->str) != "message")
          continue;
        std::string_view m(r->element[2]->str, r->element[2]->len);
        std::vector<std::string_view> parts;
        for (std::size_t b = 0; b <= m.size();) {
          auto e = std::min(m.find(' ', b), m.size());
          parts.push_back(m.substr(b, e - b));
          b = e + 1;
        }
        if (parts.size() != 5 || parts[0] != cfg.master) continue;
        if (auto a = parse_redis_address(std::string(parts[3]) + ":" + std::string(parts[4]))) on_switch(*a);
      }
    }
    if (*stopped) break;
    net::steady_timer pause(ex, cfg.reconnect_min);
    co_await pause.async_wait(tuple);
  }
}

}  // namespace guichet::redis
