#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <string>

namespace guichet::loadtest {

namespace net = boost::asio;
namespace http = boost::beast::http;
using request = http::request<http::string_body>;

/// What came back: an HTTP answer (status > 0), or a transport failure (status 0, `error` set:
/// connect refused, reset, timeout).
struct http_result {
  int status = 0;
  std::string body;
  std::string etag;
  int retry_after = -1;  ///< seconds, when the answer carries Retry-After
  std::string error;
};

/// One keep-alive HTTP/1.1 connection to the target. Reconnects by itself on the next request
/// after a failure or a `Connection: close`. Not thread-safe: one request at a time.
class http_connection {
 public:
  http_connection(const net::any_io_executor& ex, net::ip::tcp::endpoint target);
  net::awaitable<http_result> send(request& req, std::chrono::milliseconds timeout);

 private:
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  net::ip::tcp::endpoint target_;
  bool open_ = false;
};

/// A request as a fan's browser or the payment back end sends it: optional bearer token, JSON body.
request make_request(http::verb verb, std::string target, std::string_view bearer, std::string body = {});

/// Each simulated fan comes from its own address, as a CDN in front of the gateway reports it
/// (X-Forwarded-For: 10.x.y.z from the fan's number; the configs trust 127.0.0.1 as that proxy),
/// so the gateway's per-client limits see fans, not the harness.
void set_fan_address(request& req, std::uint32_t fan);

/// Parses "host:port" into a TCP endpoint (IPv4 or [IPv6]); host names are not resolved.
bool parse_endpoint(std::string_view text, net::ip::tcp::endpoint& out);

/// Loopback only (127.0.0.0/8, ::1): load is never aimed elsewhere unless ops say so.
bool is_loopback(const net::ip::address& a);

}  // namespace guichet::loadtest
