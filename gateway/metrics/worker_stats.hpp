#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/errc.hpp"
#include "gateway/base/counter.hpp"
#include "gateway/redis/stats.hpp"

namespace guichet::metrics {

/// The HTTP status codes counted one by one; anything else counts as "other".
inline constexpr std::array<int, 20> kCountedStatuses{200, 201, 204, 304, 400, 401, 403, 404, 405, 408,
                                                       409, 410, 413, 415, 422, 429, 431, 500, 502, 503};
inline constexpr std::size_t kMaxRoutes = 64;  // one extra row counts requests that matched no route

/// Every counter of one worker thread, declared together (Envoy's ALL_*_STATS idea). Each
/// worker owns one; /metrics sums them.
struct worker_stats {
  struct http_stats {
    std::array<std::array<base::counter, kCountedStatuses.size() + 1>, kMaxRoutes + 1> requests;
    std::array<base::latency_histogram, kMaxRoutes + 1> latency;
    base::counter connections_open;
    base::counter connections_total;
    base::counter connections_rejected;
    base::counter rate_limited;
    base::counter deadline_closes;
    /// Heartbeats answered from the access token alone (room/routes.cpp heartbeat).
    base::counter heartbeats_from_token;
    /// Error answers by route and stable error code (409 alone mixes not_yet with sold_out).
    std::array<std::array<base::counter, errc_count>, kMaxRoutes + 1> errors;
  } http;

  redis::redis_stats redis;

  /// What happened in each sales phase, counted by the worker where it happened; changes of
  /// state only (a replayed hold, a repeated confirmation, a second admission count nothing).
  /// Indexed by config::phase_index, sized by the worker from its config.
  struct phase_events {
    base::counter registered;  ///< draw registrations (first ones)
    base::counter admitted;    ///< fans let into the shop
    base::counter holds_created, holds_confirmed, holds_released, holds_expired;
    base::counter tickets_sold;  ///< tickets in the holds confirmed
  };
  std::vector<phase_events> phases;

  /// Worker 0's expiry reaper: how overdue the oldest hold still waiting is, in ms (a gauge).
  base::counter reaper_lag_ms;
  /// Worker 0: 1 while this gateway holds the fleet lease (server/fleet.hpp), else 0 (a gauge).
  base::counter fleet_leader;

  /// Records the stable code of an error answer.
  void record_error(std::size_t route, errc e) {
    if (route > kMaxRoutes) route = kMaxRoutes;
    http.errors[route][static_cast<std::size_t>(e) < errc_count ? static_cast<std::size_t>(e) : 0].add();
  }
  /// Records one finished request. `route` may be kMaxRoutes for "no route".
  void record(std::size_t route, int status, std::uint64_t micros) {
    if (route > kMaxRoutes) route = kMaxRoutes;
    std::size_t s = kCountedStatuses.size();
    for (std::size_t i = 0; i < kCountedStatuses.size(); ++i)
      if (kCountedStatuses[i] == status) { s = i; break; }
    http.requests[route][s].add();
    http.latency[route].record(micros);
  }
};

}  // namespace guichet::metrics
