#include "gateway/metrics/prometheus.hpp"


#include <cstdio>

namespace guichet::metrics {

void metric_head(std::string& out, const char* name, const char* type, const char* help) {
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

void metric_sample(std::string& out, const char* name, const std::string& labels, std::uint64_t v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += std::to_string(v);
  out += '\n';
}

namespace {

template <class F>
std::uint64_t sum(std::span<const worker_stats* const> ws, F&& f) {
  std::uint64_t n = 0;
  for (auto* w : ws) n += f(*w).get();
  return n;
}

/// One labelled series of a histogram summed over the workers; nothing when it saw nothing.
template <class F>
void histogram(std::string& out, const std::string& name, const std::string& labels,
               std::span<const worker_stats* const> ws, F&& get) {
  auto count = sum(ws, [&](const worker_stats& w) -> const base::counter& { return get(w).count; });
  if (count == 0) return;
  const std::string bucket = name + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < base::kLatencyBucketsUs.size(); ++b) {
    cumulative += sum(ws, [&](const worker_stats& w) -> const base::counter& { return get(w).le[b]; });
    char le[32];
    std::snprintf(le, sizeof le, "%g", base::kLatencyBucketsUs[b] / 1e6);
    metric_sample(out, bucket.c_str(), labels + ",le=\"" + le + "\"", cumulative);
  }
  metric_sample(out, bucket.c_str(), labels + ",le=\"+Inf\"", count);
  auto us = sum(ws, [&](const worker_stats& w) -> const base::counter& { return get(w).sum_us; });
  char s[48];
  std::snprintf(s, sizeof s, "%.6f", us / 1e6);
  out += name + "_sum{" + labels + "} " + s + "\n";
  metric_sample(out, (name + "_count").c_str(), labels, count);
}

// Requests, latency and error codes by route.
void render_http_metrics(std::string& out, const http::router& routes, std::span<const worker_stats* const> ws) {
  auto route_name = [&](std::size_t r) { return r < routes.size() ? routes.name(r) : std::string("unmatched"); };
  const std::size_t nroutes = std::min(routes.size(), kMaxRoutes);
  auto all_routes = [&](auto&& f) {
    for (std::size_t r = 0; r < nroutes; ++r) f(r);
    f(kMaxRoutes);
  };

  metric_head(out, "guichet_http_requests_total", "counter", "HTTP requests answered, by route and status.");
  all_routes([&](std::size_t r) {
    for (std::size_t s = 0; s <= kCountedStatuses.size(); ++s) {
      auto v = sum(ws, [&](const worker_stats& w) -> const base::counter& { return w.http.requests[r][s]; });
      if (v == 0) continue;
      std::string status = s < kCountedStatuses.size() ? std::to_string(kCountedStatuses[s]) : "other";
      metric_sample(out, "guichet_http_requests_total", "route=\"" + route_name(r) + "\",status=\"" + status + "\"", v);
    }
  });

  metric_head(out, "guichet_http_request_duration_seconds", "histogram", "Time from request read to response written.");
  all_routes([&](std::size_t r) {
    histogram(out, "guichet_http_request_duration_seconds", "route=\"" + route_name(r) + "\"", ws,
              [&](const worker_stats& w) -> const base::latency_histogram& { return w.http.latency[r]; });
  });

  metric_head(out, "guichet_http_errors_total", "counter", "Error answers by route and stable error code.");
  all_routes([&](std::size_t r) {
    for (std::size_t e = 1; e < errc_count; ++e) {
      auto v = sum(ws, [&](const worker_stats& w) -> const base::counter& { return w.http.errors[r][e]; });
      if (v == 0) continue;
      metric_sample(out, "guichet_http_errors_total",
             "route=\"" + route_name(r) + "\",code=\"" + std::string(info(static_cast<errc>(e)).code) + "\"", v);
    }
  });

}

// The counters and gauges that are one sum over the workers, without labels.
void render_plain_counters(std::string& out, std::span<const worker_stats* const> ws) {
  struct simple {
    const char* name;
    const char* type;
    const char* help;
    const base::counter& (*get)(const worker_stats&);
  };
  static constexpr simple simples[] = {
      {"guichet_http_connections_open", "gauge", "Open client connections.",
       [](const worker_stats& w) -> const base::counter& { return w.http.connections_open; }},
      {"guichet_http_connections_total", "counter", "Client connections accepted.",
       [](const worker_stats& w) -> const base::counter& { return w.http.connections_total; }},
      {"guichet_http_connections_rejected_total", "counter", "Connections refused at the connection limit.",
       [](const worker_stats& w) -> const base::counter& { return w.http.connections_rejected; }},
      {"guichet_http_rate_limited_total", "counter", "Requests shed by the per-client-IP rate guard.",
       [](const worker_stats& w) -> const base::counter& { return w.http.rate_limited; }},
      {"guichet_heartbeats_from_token_total", "counter",
       "Heartbeats answered without Redis: within a quarter of the idle timeout of the admission.",
       [](const worker_stats& w) -> const base::counter& { return w.http.heartbeats_from_token; }},
      {"guichet_http_deadline_closes_total", "counter", "Connections closed at a read or write deadline.",
       [](const worker_stats& w) -> const base::counter& { return w.http.deadline_closes; }},
      {"guichet_redis_commands_total", "counter", "Redis commands sent.",
       [](const worker_stats& w) -> const base::counter& { return w.redis.commands; }},
      {"guichet_redis_inflight", "gauge", "Redis commands sent and not yet answered.",
       [](const worker_stats& w) -> const base::counter& { return w.redis.inflight; }},
      {"guichet_redis_connected", "gauge", "Redis connections that are up with scripts loaded.",
       [](const worker_stats& w) -> const base::counter& { return w.redis.connected; }},
      {"guichet_redis_reconnects_total", "counter", "Redis reconnections after a lost connection.",
       [](const worker_stats& w) -> const base::counter& { return w.redis.reconnects; }},
      {"guichet_redis_script_reloads_total", "counter", "Script reloads after NOSCRIPT.",
       [](const worker_stats& w) -> const base::counter& { return w.redis.script_reloads; }},
      {"guichet_redis_wait_shortfalls_total", "counter",
       "Answers turned into 503 outcome_unknown because WAIT saw fewer than redis.replicas_ack replicas.",
       [](const worker_stats& w) -> const base::counter& { return w.redis.wait_shortfalls; }},
      {"guichet_redis_not_primary_total", "counter",
       "Connections dropped to resolve the primary again (ROLE not master; READONLY, LOADING, MASTERDOWN).",
       [](const worker_stats& w) -> const base::counter& { return w.redis.not_primary; }},
  };
  for (auto& s : simples) {
    metric_head(out, s.name, s.type, s.help);
    metric_sample(out, s.name, "", sum(ws, s.get));
  }
}

// The connections' and the Redis connections' counters, the reaper's lag, each script's
// latency, and the primary.
void render_counter_metrics(std::string& out, std::span<const worker_stats* const> ws,
                            const redis::redis_primary_view* primary) {
  render_plain_counters(out, ws);
  metric_head(out, "guichet_reaper_lag_seconds", "gauge",
       "How overdue the oldest unpaid hold still waiting for the expiry reaper is (0: none overdue).");
  {
    char lag[32];
    std::snprintf(lag, sizeof lag, "%.3f", static_cast<double>(sum(ws, [](const worker_stats& w) -> const base::counter& {
                                                return w.reaper_lag_ms;
                                              })) / 1000.0);
    out += std::string("guichet_reaper_lag_seconds ") + lag + "\n";
  }

  metric_head(out, "guichet_fleet_leader", "gauge",
       "1 while this gateway holds the fleet lease: it advances the rooms, reads the seats and reaps expired holds for the fleet.");
  metric_sample(out, "guichet_fleet_leader", "", sum(ws, [](const worker_stats& w) -> const base::counter& { return w.fleet_leader; }));

  metric_head(out, "guichet_redis_errors_total", "counter", "Redis commands that did not succeed, by kind.");
  struct kind {
    const char* label;
    const base::counter& (*get)(const worker_stats&);
  };
  static constexpr kind kinds[] = {
      {"reply", [](const worker_stats& w) -> const base::counter& { return w.redis.errors_reply; }},
      {"unavailable", [](const worker_stats& w) -> const base::counter& { return w.redis.errors_unavailable; }},
      {"overloaded", [](const worker_stats& w) -> const base::counter& { return w.redis.errors_overloaded; }},
      {"timeout", [](const worker_stats& w) -> const base::counter& { return w.redis.errors_timeout; }},
      {"lost", [](const worker_stats& w) -> const base::counter& { return w.redis.errors_lost; }},
  };
  for (auto& k : kinds) metric_sample(out, "guichet_redis_errors_total", std::string("kind=\"") + k.label + "\"", sum(ws, k.get));

  metric_head(out, "guichet_redis_script_duration_seconds", "histogram",
       "Round trip of each Lua script as its caller waits for it (with the WAIT for replicas when asked).");
  for (std::size_t i = 0; i < redis::kScriptCount; ++i)
    histogram(out, "guichet_redis_script_duration_seconds", "script=\"" + std::string(redis::scripts()[i].name) + "\"", ws,
              [&](const worker_stats& w) -> const base::latency_histogram& { return w.redis.scripts[i]; });
  if (primary) {
    metric_head(out, "guichet_redis_failovers_total", "counter", "Changes of the Redis primary this process has seen.");
    metric_sample(out, "guichet_redis_failovers_total", "", primary->failovers());
    metric_head(out, "guichet_redis_primary_info", "gauge", "The Redis primary the workers were last connected to.");
    metric_sample(out, "guichet_redis_primary_info", "address=\"" + primary->address() + "\"", 1);
  }
}

}  // namespace

std::string render_metrics(const http::router& routes, std::span<const worker_stats* const> ws,
                           const redis::redis_primary_view* primary) {
  std::string out;
  out.reserve(16 * 1024);
  render_http_metrics(out, routes, ws);
  render_counter_metrics(out, ws, primary);
  return out;
}

void render_phase_metrics(std::string& out, const config& cfg, std::span<const worker_stats* const> ws) {
  using events = worker_stats::phase_events;
  auto total = [&](std::size_t index, const base::counter events::*c) {
    std::uint64_t n = 0;
    for (auto* w : ws)
      if (index < w->phases.size()) n += (w->phases[index].*c).get();
    return n;
  };
  auto each_phase = [&](const auto& f) {
    for (auto& e : cfg.editions)
      for (auto& p : e.phases) f("edition=\"" + e.id + "\",phase=\"" + p.id + "\"", cfg.phase_index(e, p));
  };
  metrics::metric_head(out, "guichet_draw_registrations_total", "counter", "Draw registrations accepted (first ones) by this gateway.");
  each_phase([&](const std::string& l, std::size_t i) { metrics::metric_sample(out, "guichet_draw_registrations_total", l, total(i, &events::registered)); });
  metrics::metric_head(out, "guichet_admissions_total", "counter", "Fans let into the shop by this gateway.");
  each_phase([&](const std::string& l, std::size_t i) { metrics::metric_sample(out, "guichet_admissions_total", l, total(i, &events::admitted)); });
  metrics::metric_head(out, "guichet_holds_total", "counter",
       "Holds by what happened to them on this gateway: created, confirmed, released, expired (by its reaper or at a late confirmation).");
  static constexpr std::pair<const char*, base::counter events::*> outcomes[] = {
      {"created", &events::holds_created}, {"confirmed", &events::holds_confirmed},
      {"released", &events::holds_released}, {"expired", &events::holds_expired}};
  each_phase([&](const std::string& l, std::size_t i) {
    for (auto& [name, c] : outcomes) metrics::metric_sample(out, "guichet_holds_total", l + ",outcome=\"" + name + "\"", total(i, c));
  });
  metrics::metric_head(out, "guichet_tickets_sold_total", "counter", "Tickets in the holds this gateway confirmed.");
  each_phase([&](const std::string& l, std::size_t i) { metrics::metric_sample(out, "guichet_tickets_sold_total", l, total(i, &events::tickets_sold)); });
}

}  // namespace guichet::metrics
