#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cidr.hpp"
#include "gateway/request.hpp"
#include "gateway/router.hpp"

namespace guichet {

namespace net = boost::asio;
using response = http::response<http::string_body>;

class worker;
class server;

/// What a handler sees of one request.
struct request_context {
  const request& req;
  const path_params& params;
  worker& w;
  const ip_bytes& client;
  /// An empty string with capacity, reused across requests: a handler on a hot path appends its
  /// JSON body here and returns reply::json (no allocation).
  std::string& out;
};

/// What a handler returns: a response; or the complete bytes of one already serialised (a
/// cached answer that is the same for everyone, written as is: no header building, no copy); or
/// a JSON body the handler wrote into `request_context::out` (the session writes its head).
struct reply {
  reply(response r) : res(std::move(r)) {}  // NOLINT: every handler returns responses this way
  static reply prebuilt(std::shared_ptr<const std::string> bytes, int status) {
    reply r{response{}};
    r.raw = std::move(bytes);
    r.status = status;
    return r;
  }
  static reply json(http::status status) {
    reply r{response{}};
    r.json_in_out = true;
    r.status = static_cast<int>(status);
    return r;
  }
  response res;
  std::shared_ptr<const std::string> raw;
  bool json_in_out = false;
  int status = 0;  ///< of a prebuilt or json answer
};

using handler = std::function<net::awaitable<reply>(request_context&)>;

/// The router plus one handler per route, in the same order.
struct route_table {
  router routes;
  std::vector<handler> handlers;

  void add(http::verb method, std::string_view pattern, std::string name, route_policy policy, handler h) {
    routes.add(method, pattern, std::move(name), policy);
    handlers.push_back(std::move(h));
  }
};

}  // namespace guichet
