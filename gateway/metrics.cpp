#include "gateway/metrics.hpp"

#include "gateway/heap_count.hpp"
#include "gateway/inventory.hpp"
#include "gateway/jwks_watch.hpp"
#include "gateway/room_cache.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

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

/// One labelled series of a histogram summed over the workers; nothing when it saw nothing.
template <class F>
void histogram(std::string& out, const std::string& name, const std::string& labels,
               std::span<const worker_stats* const> ws, F&& get) {
  auto count = sum(ws, [&](const worker_stats& w) -> const counter& { return get(w).count; });
  if (count == 0) return;
  const std::string bucket = name + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kLatencyBucketsUs.size(); ++b) {
    cumulative += sum(ws, [&](const worker_stats& w) -> const counter& { return get(w).le[b]; });
    char le[32];
    std::snprintf(le, sizeof le, "%g", kLatencyBucketsUs[b] / 1e6);
    sample(out, bucket.c_str(), labels + ",le=\"" + le + "\"", cumulative);
  }
  sample(out, bucket.c_str(), labels + ",le=\"+Inf\"", count);
  auto us = sum(ws, [&](const worker_stats& w) -> const counter& { return get(w).sum_us; });
  char s[48];
  std::snprintf(s, sizeof s, "%.6f", us / 1e6);
  out += name + "_sum{" + labels + "} " + s + "\n";
  sample(out, (name + "_count").c_str(), labels, count);
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
    histogram(out, "guichet_http_request_duration_seconds", "route=\"" + route_name(r) + "\"", ws,
              [&](const worker_stats& w) -> const latency_histogram& { return w.http.latency[r]; });
  });

  head(out, "guichet_http_errors_total", "counter", "Error answers by route and stable error code.");
  all_routes([&](std::size_t r) {
    for (std::size_t e = 1; e < errc_count; ++e) {
      auto v = sum(ws, [&](const worker_stats& w) -> const counter& { return w.http.errors[r][e]; });
      if (v == 0) continue;
      sample(out, "guichet_http_errors_total",
             "route=\"" + route_name(r) + "\",code=\"" + std::string(info(static_cast<errc>(e)).code) + "\"", v);
    }
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
  head(out, "guichet_reaper_lag_seconds", "gauge",
       "How overdue the oldest unpaid hold still waiting for the expiry reaper is (0: none overdue).");
  {
    char lag[32];
    std::snprintf(lag, sizeof lag, "%.3f", static_cast<double>(sum(ws, [](const worker_stats& w) -> const counter& {
                                                return w.reaper_lag_ms;
                                              })) / 1000.0);
    out += std::string("guichet_reaper_lag_seconds ") + lag + "\n";
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

  head(out, "guichet_redis_script_duration_seconds", "histogram",
       "Round trip of each Lua script as its caller waits for it (with the WAIT for replicas when asked).");
  for (std::size_t i = 0; i < kScriptCount; ++i)
    histogram(out, "guichet_redis_script_duration_seconds", "script=\"" + std::string(scripts()[i].name) + "\"", ws,
              [&](const worker_stats& w) -> const latency_histogram& { return w.redis.scripts[i]; });
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

void render_phase_metrics(std::string& out, const config& cfg, std::span<const worker_stats* const> ws) {
  using events = worker_stats::phase_events;
  auto total = [&](std::size_t index, const counter events::*c) {
    std::uint64_t n = 0;
    for (auto* w : ws)
      if (index < w->phases.size()) n += (w->phases[index].*c).get();
    return n;
  };
  auto each_phase = [&](const auto& f) {
    for (auto& e : cfg.editions)
      for (auto& p : e.phases) f("edition=\"" + e.id + "\",phase=\"" + p.id + "\"", cfg.phase_index(e, p));
  };
  head(out, "guichet_draw_registrations_total", "counter", "Draw registrations accepted (first ones) by this gateway.");
  each_phase([&](const std::string& l, std::size_t i) { sample(out, "guichet_draw_registrations_total", l, total(i, &events::registered)); });
  head(out, "guichet_admissions_total", "counter", "Fans let into the shop by this gateway.");
  each_phase([&](const std::string& l, std::size_t i) { sample(out, "guichet_admissions_total", l, total(i, &events::admitted)); });
  head(out, "guichet_holds_total", "counter",
       "Holds by what happened to them on this gateway: created, confirmed, released, expired (by its reaper or at a late confirmation).");
  static constexpr std::pair<const char*, counter events::*> outcomes[] = {
      {"created", &events::holds_created}, {"confirmed", &events::holds_confirmed},
      {"released", &events::holds_released}, {"expired", &events::holds_expired}};
  each_phase([&](const std::string& l, std::size_t i) {
    for (auto& [name, c] : outcomes) sample(out, "guichet_holds_total", l + ",outcome=\"" + name + "\"", total(i, c));
  });
  head(out, "guichet_tickets_sold_total", "counter", "Tickets in the holds this gateway confirmed.");
  each_phase([&](const std::string& l, std::size_t i) { sample(out, "guichet_tickets_sold_total", l, total(i, &events::tickets_sold)); });
}

void render_room_metrics(std::string& out, const room_cache& rooms, const inventory& stock) {
  struct gauge {
    const char* name;
    const char* help;
    std::uint64_t (*get)(const room_state&);
  };
  static constexpr gauge gauges[] = {
      {"guichet_room_waiting", "Fans in line not yet let in (tail - serving).",
       [](const room_state& s) -> std::uint64_t { return s.tail > s.serving ? s.tail - s.serving : 0; }},
      {"guichet_room_serving", "The serving counter: positions below it may be admitted.",
       [](const room_state& s) -> std::uint64_t { return s.serving; }},
      {"guichet_room_tail", "Queue numbers handed out (the next one).", [](const room_state& s) -> std::uint64_t { return s.tail; }},
      {"guichet_room_admit_rate", "Fans let in per second (live setting).",
       [](const room_state& s) -> std::uint64_t { return s.rate; }},
      {"guichet_room_active_shoppers", "Fans in the shop now.", [](const room_state& s) -> std::uint64_t { return s.active; }},
      {"guichet_room_max_active", "The shop's ceiling of active shoppers (live setting).",
       [](const room_state& s) -> std::uint64_t { return s.max_active; }},
  };
  auto labels = [](const room_cache::room& r) { return "edition=\"" + r.edition->id + "\",phase=\"" + r.phase->id + "\""; };
  for (auto& g : gauges) {
    head(out, g.name, "gauge", g.help);
    rooms.each([&](const room_cache::room& r) {
      if (r.loaded) sample(out, g.name, labels(r), g.get(r.state));
    });
  }
  head(out, "guichet_room_status", "gauge", "The room's status as fans see it: 1 for the current one.");
  rooms.each([&](const room_cache::room& r) {
    if (!r.loaded) return;
    auto now = to_string(status_of(*r.phase, r.state, r.state.now_ms));
    for (auto st : {room_status::pre_queue, room_status::open, room_status::paused, room_status::sold_out, room_status::closed})
      sample(out, "guichet_room_status", labels(r) + ",status=\"" + std::string(to_string(st)) + "\"", to_string(st) == now);
  });
  head(out, "guichet_room_stock", "gauge",
       "The phase's stock: 1 for the current one (in: seats available; held: all in holds; out: sold out).");
  rooms.each([&](const room_cache::room& r) {
    if (!r.loaded) return;
    for (auto st : {"in", "held", "out"})
      sample(out, "guichet_room_stock", labels(r) + ",stock=\"" + st + "\"", r.state.stock == st);
  });
  head(out, "guichet_seats", "gauge", "Seats per session and category by state (available + held + sold = capacity).");
  stock.each_seats([&](const inventory::seats& s) {
    std::string l = "edition=\"" + std::string(s.edition) + "\",session=\"" + std::string(s.session) + "\",category=\"" +
                    std::string(s.category) + "\",state=\"";
    sample(out, "guichet_seats", l + "available\"", s.available);
    sample(out, "guichet_seats", l + "held\"", s.held);
    sample(out, "guichet_seats", l + "sold\"", s.sold);
  });
}

void render_process_metrics(std::string& out) {
  // /proc/self/stat: utime and stime (fields 14, 15) in clock ticks, starttime (22) in ticks
  // since boot, rss (24) in pages.
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  std::istringstream rest(close == std::string::npos ? std::string() : line.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; rest >> x;) f.push_back(x);  // f[0] is field 3 (state)
  auto field = [&](std::size_t n) { return n - 3 < f.size() ? std::strtod(f[n - 3].c_str(), nullptr) : 0.0; };
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK)), page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  double boot = 0;
  std::ifstream st("/proc/stat");
  for (std::string l; std::getline(st, l);)
    if (l.rfind("btime ", 0) == 0) boot = std::strtod(l.c_str() + 6, nullptr);
  std::uint64_t fds = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++fds;
    ::closedir(d);
    if (fds) --fds;  // the directory stream's own descriptor
  }
  char buf[64];
  head(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  std::snprintf(buf, sizeof buf, "%.2f", (field(14) + field(15)) / hz);
  out += std::string("process_cpu_seconds_total ") + buf + "\n";
  head(out, "process_resident_memory_bytes", "gauge", "Resident memory size, in bytes.");
  sample(out, "process_resident_memory_bytes", "", static_cast<std::uint64_t>(field(24) * page));
  head(out, "process_open_fds", "gauge", "Open file descriptors (client connections, Redis, listeners, files).");
  sample(out, "process_open_fds", "", fds);
  head(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
  sample(out, "process_start_time_seconds", "", static_cast<std::uint64_t>(boot + field(22) / hz));
  if (auto n = heap_count::total()) {
    head(out, "guichet_heap_allocations_total", "counter",
         "C++ heap allocations (operator new) since start, all threads; per request on a poll path: none.");
    sample(out, "guichet_heap_allocations_total", "", *n);
  }
  head(out, "guichet_build_info", "gauge", "The running build: 1, labelled with its version.");
  sample(out, "guichet_build_info", "version=\"" GUICHET_VERSION "\"", 1);
}

}  // namespace guichet
