#pragma once
#include <optional>

#include "core/cidr.hpp"
#include "gateway/server/exchange.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::server {

/// What every request meets before its handler, in order: the per-client-IP rate guard (unless
/// the route is unmetered), the door guard of join/register routes, then 501 for an unknown
/// method, 404, 405 with Allow, 415 for a JSON route sent something else, and 503 for a route
/// that needs Redis while it is down. The answer to give instead of the handler's, or nullopt.
std::optional<http::reply> door_policies(worker& w, const exchange& x, const ip_bytes& client);

}  // namespace guichet::server
