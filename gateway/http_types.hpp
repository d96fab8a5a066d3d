#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <vector>

#include "core/cidr.hpp"
#include "gateway/router.hpp"

namespace guichet {

namespace net = boost::asio;
using request = http::request<http::string_body>;
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

using handler = std::function<net::awaitable<response>(request_context&)>;

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
