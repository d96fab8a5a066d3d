#include "gateway/metrics.hpp"

#include "gateway/jwks_watch.hpp"

#include <cstdio>

namespace guichet {
namespace {

template <class F>
std::uint64_t sum(std::span<const worker_stats* const> ws, F&& f) {
  std::uint64_t n = 0;
  for (auto* w : ws) n += f(*w).get();
  return n;
}

void head(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& labels, std::uint64_t v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += std::to_string(v);
  out += '\n';
}

}  // namespace

std::string render_metrics(const router& routes, std::span<const worker_stats* const> ws,
                           const redis_primary_view* primary, const jwks_watch* identity) {
  std::string out;
  out.reserve(16 * 1024);
  auto route_name = [&](std::size_t r) { return r < routes.size() ? routes.name(r) : std::string("unmatched"); };
  const std::size_t nroutes = std::min(routes.size(), kMaxRoutes);
  auto all_routes = [&](auto&& f) {
    for (std::size_t r = 0; r < nroutes; ++r) f(r);
    f(kMaxRoutes);
  };

  head(out, "guichet_http_requests_total", "counter", "HTTP requests answered, by route and status.");
  all_routes([&](std::size_t r) {
    for (std::size_t s = 0; s <= kCountedStatuses.size(); ++s) {
      auto v = sum(ws, [&](const worker_stats& w) -> const counter& { return w.http.requests[r][s]; });
      if (v == 0) continue;
      std::string status = s < kCountedStatuses.size() ? std::to_string(kCountedStatuses[s]) : "other";
      sample(out, "guichet_http_requests_total", "route=\"" + route_name(r) + "\",status=\"" + status + "\"", v);
    }
  });

  head(out, "guichet_http_request_duration_seconds", "histogram", "Time from request read to response written.");
  all_routes([&](std::size_t r) {
    auto count = sum(ws, [&](const worker_stats& w) -> const counter& { return w.http.latency_count[r]; });
    if (count == 0) return;
    std::string route = "route=\"" + route_name(r) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kLatencyBucketsUs.size(); ++b) {
      cumulative += sum(ws, [&](const worker_stats& w) -> const counter& { return w.http.latency_le[r][b]; });
      char le[32];
      std::snprintf(le, sizeof le, "%g", kLatencyBucketsUs[b] / 1e6);
      sample(out, "guichet_http_request_duration_seconds_bucket", route + ",le=\"" + le + "\"", cumulative);
    }
    sample(out, "guichet_http_request_duration_seconds_bucket", route + ",le=\"+Inf\"", count);
    auto us = sum(ws, [&](const worker_stats& w) -> const counter& { return w.http.latency_sum_us[r]; });
    char s[48];
    std::snprintf(s, sizeof s, "%.6f", us / 1e6);
    out += "guichet_http_request_duration_seconds_sum{" + route + "} " + s + "\n";
    sample(out, "guichet_http_request_duration_seconds_count", route, count);
  });

  struct simple {
    const char* name;
    const char* type;
    const char* help;
    const counter& (*get)(const worker_stats&);
  };
  static constexpr simple simples[] = {
      {"guichet_http_connections_open", "gauge", "Open client connections.",
       [](const worker_stats& w) -> const counter& { return w.http.connections_open; }},
      {"guichet_http_connections_total", "counter", "Client connections accepted.",
       [](const worker_stats& w) -> const counter& { return w.http.connections_total; }},
      {"guichet_http_connections_rejected_total", "counter", "Connections refused at the connection limit.",
       [](const worker_stats& w) -> const counter& { return w.http.connections_rejected; }},
      {"guichet_http_rate_limited_total", "counter", "Requests shed by the per-client-IP rate guard.",
       [](const worker_stats& w) -> const counter& { return w.http.rate_limited; }},
      {"guichet_http_deadline_closes_total", "counter", "Connections closed at a read or write deadline.",
       [](const worker_stats& w) -> const counter& { return w.http.deadline_closes; }},
      {"guichet_redis_commands_total", "counter", "Redis commands sent.",
       [](const worker_stats& w) -> const counter& { return w.redis.commands; }},
      {"guichet_redis_inflight", "gauge", "Redis commands sent and not yet answered.",
       [](const worker_stats& w) -> const counter& { return w.redis.inflight; }},
      {"guichet_redis_connected", "gauge", "Redis connections that are up with scripts loaded.",
       [](const worker_stats& w) -> const counter& { return w.redis.connected; }},
      {"guichet_redis_reconnects_total", "counter", "Redis reconnections after a lost connection.",
       [](const worker_stats& w) -> const counter& { return w.redis.reconnects; }},
      {"guichet_redis_script_reloads_total", "counter", "Script reloads after NOSCRIPT.",
       [](const worker_stats& w) -> const counter& { return w.redis.script_reloads; }},
      {"guichet_redis_wait_shortfalls_total", "counter",
       "Answers turned into 503 outcome_unknown because WAIT saw fewer than redis.replicas_ack replicas.",
       [](const worker_stats& w) -> const counter& { return w.redis.wait_shortfalls; }},
      {"guichet_redis_not_primary_total", "counter",
       "Connections dropped to resolve the primary again (ROLE not master; READONLY, LOADING, MASTERDOWN).",
       [](const worker_stats& w) -> const counter& { return w.redis.not_primary; }},
  };
  for (auto& s : simples) {
    head(out, s.name, s.type, s.help);
    sample(out, s.name, "", sum(ws, s.get));
  }

  head(out, "guichet_redis_errors_total", "counter", "Redis commands that did not succeed, by kind.");
  struct kind {
    const char* label;
    const counter& (*get)(const worker_stats&);
  };
  static constexpr kind kinds[] = {
      {"reply", [](const worker_stats& w) -> const counter& { return w.redis.errors_reply; }},
      {"unavailable", [](const worker_stats& w) -> const counter& { return w.redis.errors_unavailable; }},
      {"overloaded", [](const worker_stats& w) -> const counter& { return w.redis.errors_overloaded; }},
      {"timeout", [](const worker_stats& w) -> const counter& { return w.redis.errors_timeout; }},
      {"lost", [](const worker_stats& w) -> const counter& { return w.redis.errors_lost; }},
  };
  for (auto& k : kinds) sample(out, "guichet_redis_errors_total", std::string("kind=\"") + k.label + "\"", sum(ws, k.get));
  if (primary) {
    head(out, "guichet_redis_failovers_total", "counter", "Changes of the Redis primary this process has seen.");
    sample(out, "guichet_redis_failovers_total", "", primary->failovers());
    head(out, "guichet_redis_primary_info", "gauge", "The Redis primary the workers were last connected to.");
    sample(out, "guichet_redis_primary_info", "address=\"" + primary->address() + "\"", 1);
  }
  if (identity) {
    head(out, "guichet_identity_jwks_keys", "gauge", "The identity provider's signing keys in force ([identity] jwks).");
    sample(out, "guichet_identity_jwks_keys", "", identity->keys());
    head(out, "guichet_identity_jwks_reloads_total", "counter", "JWKS file reloads (SIGHUP or the file changing).");
    sample(out, "guichet_identity_jwks_reloads_total", "", identity->reloads());
    head(out, "guichet_identity_jwks_reload_failures_total", "counter",
         "JWKS reloads refused (the file did not parse); the keys in force stayed.");
    sample(out, "guichet_identity_jwks_reload_failures_total", "", identity->failures());
  }
  return out;
}

}  // namespace guichet
