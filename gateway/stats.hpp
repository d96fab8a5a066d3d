#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/errc.hpp"
#include "gateway/lua_scripts.hpp"  // kScriptCount (generated)

namespace guichet {

/// A counter written by one worker thread and read by the /metrics writer on any thread.
struct counter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

/// The HTTP status codes counted one by one; anything else counts as "other".
inline constexpr std::array<int, 20> kCountedStatuses{200, 201, 204, 304, 400, 401, 403, 404, 405, 408,
                                                       409, 410, 413, 415, 422, 429, 431, 500, 502, 503};
/// Latency histogram bucket bounds, in microseconds.
/// The first ones resolve polls answered from memory (a state poll takes ~10-30 us end to end).
inline constexpr std::array<std::uint32_t, 16> kLatencyBucketsUs{
    10, 25, 50, 100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 2'000'000};
inline constexpr std::size_t kMaxRoutes = 64;  // one extra row counts requests that matched no route

/// A latency histogram written by one worker: per-bucket counts (not cumulative), count, sum.
struct latency_histogram {
  std::array<counter, kLatencyBucketsUs.size()> le;
  counter count;
  counter sum_us;
  void record(std::uint64_t micros) {
    for (std::size_t b = 0; b < kLatencyBucketsUs.size(); ++b)
      if (micros <= kLatencyBucketsUs[b]) { le[b].add(); break; }
    count.add();
    sum_us.add(micros);
  }
};

/// Every counter of one worker thread, declared together (Envoy's ALL_*_STATS idea). Each
/// worker owns one; /metrics sums them.
struct worker_stats {
  struct http_stats {
    std::array<std::array<counter, kCountedStatuses.size() + 1>, kMaxRoutes + 1> requests;
    std::array<latency_histogram, kMaxRoutes + 1> latency;
    counter connections_open;
    counter connections_total;
    counter connections_rejected;
    counter rate_limited;
    counter deadline_closes;
    /// Error answers by route and stable error code (409 alone mixes not_yet with sold_out).
    std::array<std::array<counter, errc_count>, kMaxRoutes + 1> errors;
  } http;

  struct redis_stats {
    counter commands;
    counter inflight;
    counter connected;
    counter reconnects;
    counter errors_reply;      // Redis answered with an error
    counter errors_unavailable;  // not sent: not connected
    counter errors_overloaded;   // not sent: in-flight bound reached
    counter errors_timeout;      // sent, no answer in time: outcome unknown
    counter errors_lost;         // sent, connection lost: outcome unknown
    counter script_reloads;      // NOSCRIPT answered, scripts loaded again
    counter wait_shortfalls;     // answers turned into outcome_unknown: WAIT saw too few replicas
    counter not_primary;         // connections dropped: ROLE not master, or READONLY/LOADING/MASTERDOWN
    /// Each script's round trip as its caller waits for it (EVALSHA sent to answer read, and the
    /// WAIT when replicas must acknowledge), answered or not; indexed by `script`.
    std::array<latency_histogram, kScriptCount> scripts;
  } redis;

  /// What happened in each sales phase, counted by the worker where it happened; changes of
  /// state only (a replayed hold, a repeated confirmation, a second admission count nothing).
  /// Indexed by config::phase_index, sized by the worker from its config.
  struct phase_events {
    counter registered;  ///< draw registrations (first ones)
    counter admitted;    ///< fans let into the shop
    counter holds_created, holds_confirmed, holds_released, holds_expired;
    counter tickets_sold;  ///< tickets in the holds confirmed
  };
  std::vector<phase_events> phases;

  /// Worker 0's expiry reaper: how overdue the oldest hold still waiting is, in ms (a gauge).
  counter reaper_lag_ms;

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

}  // namespace guichet
