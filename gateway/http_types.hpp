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
};

/// What a handler returns: a response, or the complete bytes of one already serialised (a
/// cached answer that is the same for everyone, written as is: no header building, no copy).
struct reply {
  reply(response r) : res(std::move(r)) {}  // NOLINT: every handler returns responses this way
  static reply prebuilt(std::shared_ptr<const std::string> bytes, int status) {
    reply r{response{}};
    r.raw = std::move(bytes);
    r.raw_status = status;
    return r;
  }
  response res;
  std::shared_ptr<const std::string> raw;
  int raw_status = 0;
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
