#pragma once
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cidr.hpp"
#include "gateway/http/request.hpp"
#include "gateway/http/reply.hpp"
#include "gateway/http/router.hpp"
#include "gateway/server/per_thread.hpp"
#include "gateway/base/asio.hpp"

namespace guichet::server {


class worker;
class server;

/// What a handler sees of one request.
struct request_context {
  const http::request& req;
  const http::path_params& params;
  worker& w;
  const ip_bytes& client;
  /// An empty string with capacity, reused across requests: a handler on a hot path appends its
  /// JSON body here and returns reply::json (no allocation).
  std::string& out;
};

using handler = std::function<net::awaitable<http::reply>(request_context&)>;

/// The router plus one handler per route, in the same order, and the per-thread state the
/// routes' features need (each worker makes one of each, in registration order).
struct route_table {
  http::router routes;
  std::vector<handler> handlers;
  std::vector<std::pair<std::size_t, per_thread_factory>> states;

  /// Every worker gets a T, made from the worker (once, however many features ask for it).
  template <class T>
  void per_thread_state() {
    const std::size_t slot = per_thread_slot<T>();
    for (auto& s : states)
      if (s.first == slot) return;
    states.emplace_back(slot, [](worker& w) { return std::make_unique<T>(w); });
  }

  void add(http::verb method, std::string_view pattern, std::string name, http::route_policy policy, handler h) {
    routes.add(method, pattern, std::move(name), policy);
    handlers.push_back(std::move(h));
  }
};

}  // namespace guichet::server
