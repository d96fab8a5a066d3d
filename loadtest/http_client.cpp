#include "loadtest/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace guichet::loadtest {

namespace beast = boost::beast;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

http_connection::http_connection(const net::any_io_executor& ex, net::ip::tcp::endpoint target)
    : stream_(ex), target_(target) {}

net::awaitable<http_result> http_connection::send(request& req, std::chrono::milliseconds timeout) {
  http_result out;
  auto fail = [&](const char* what, const beast::error_code& ec) {
    out.status = 0;
    out.error = ec == beast::error::timeout ? std::string("timeout") : std::string(what) + ": " + ec.message();
    stream_.close();
    open_ = false;
  };
  stream_.expires_after(timeout);
  if (!open_) {
    auto [ec] = co_await stream_.async_connect(target_, use_tuple);
    if (ec) {
      fail("connect", ec);
      co_return out;
    }
    stream_.socket().set_option(net::ip::tcp::no_delay(true));
    open_ = true;
    buffer_.clear();
  }
  req.prepare_payload();
  if (auto [ec, n] = co_await http::async_write(stream_, req, use_tuple); ec) {
    fail("write", ec);
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  if (auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple); ec) {
    fail("read", ec);
    co_return out;
  }
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  if (auto it = res.find(http::field::etag); it != res.end()) out.etag = std::string(it->value());
  if (auto it = res.find(http::field::retry_after); it != res.end()) {
    int v = 0;
    auto sv = it->value();
    if (std::from_chars(sv.data(), sv.data() + sv.size(), v).ec == std::errc()) out.retry_after = v;
  }
  if (!res.keep_alive()) {
    stream_.close();
    open_ = false;
  }
  out.body = std::move(res.body());
  co_return out;
}

request make_request(http::verb verb, std::string target, std::string_view bearer, std::string body) {
  request req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + std::string(bearer));
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
  }
  return req;
}

void set_fan_address(request& req, std::uint32_t fan) {
  req.set("X-Forwarded-For", "10." + std::to_string((fan >> 16) & 255) + "." + std::to_string((fan >> 8) & 255) + "." +
                                 std::to_string(fan & 255));
}

bool parse_endpoint(std::string_view text, net::ip::tcp::endpoint& out) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto p = text.substr(colon + 1);
  if (std::from_chars(p.data(), p.data() + p.size(), port).ec != std::errc() || port == 0 || port > 65535) return false;
  beast::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) return false;
  out = {addr, static_cast<unsigned short>(port)};
  return true;
}

bool is_loopback(const net::ip::address& a) {
  if (a.is_v4()) return (a.to_v4().to_uint() >> 24) == 127;
  return a.to_v6().is_loopback() || (a.to_v6().is_v4_mapped() && (a.to_v6().to_bytes()[12] == 127));
}

}  // namespace guichet::loadtest
