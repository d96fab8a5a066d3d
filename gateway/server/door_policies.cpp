#include "gateway/server/door_policies.hpp"

#include <boost/beast/core/string.hpp>

#include "core/rate_guard.hpp"
#include "core/clock.hpp"
#include "gateway/server/server.hpp"

namespace guichet::server {

namespace {

bool is_json(std::string_view content_type) {
  auto base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return boost::beast::iequals(base, "application/json");
}

// How long the client must wait (ms) by the rate guards that apply to the route, 0 to pass.
std::uint32_t guard_wait(worker& w, const http::route_policy& policy, const ip_bytes& client) {
  const auto& limits = w.cfg.limits;
  // The client's key is hashed only for a route that is metered (polls skip it).
  auto key = [&] { return guard_key(client.data(), client_prefix_bytes(client)); };
  std::uint32_t wait = 0;
  if (!policy.unmetered && limits.per_ip_rate)
    wait = w.srv.ip_guard().acquire(key(), steady_ms(), limits.per_ip_rate, limits.per_ip_burst);
  if (!wait && policy.door && limits.door_per_ip_rate)
    wait = w.srv.door_guard().acquire(key(), steady_ms(), limits.door_per_ip_rate,
                                      limits.door_per_ip_burst ? limits.door_per_ip_burst : limits.door_per_ip_rate);
  return wait;
}

}  // namespace

std::optional<http::reply> door_policies(worker& w, const exchange& x, const ip_bytes& client) {
  const auto& routes = w.srv.routes().routes;
  const auto& req = x.parser->get();
  const unsigned v = req.version();
  static const http::route_policy no_route{};
  const http::route_policy& policy = x.route < metrics::kMaxRoutes ? routes.policy(x.route) : no_route;
  using kind = http::router::match::kind;
  if (auto wait = guard_wait(w, policy, client)) {
    w.stats.http.rate_limited.add();
    return http::error_response(v, errc::rate_limited, {}, {}, (wait + 999) / 1000);
  }
  if (x.m.result != kind::found && !routes.implements(req.method()))
    return http::error_response(v, errc::not_implemented);  // RFC 9110 9.1: unknown method
  if (x.m.result == kind::not_found) return http::error_response(v, errc::not_found);
  if (x.m.result == kind::method_not_allowed) {
    auto r = http::error_response(v, errc::method_not_allowed);
    r.res->set(http::field::allow, x.m.allow);
    return r;
  }
  if (policy.json_body && !is_json(req[http::field::content_type])) return http::error_response(v, errc::unsupported_media_type);
  if (policy.needs_redis && !w.redis->ready()) return http::error_response(v, errc::unavailable);
  return std::nullopt;
}

}  // namespace guichet::server
