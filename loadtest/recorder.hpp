#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "loadtest/histogram.hpp"
#include "loadtest/http_client.hpp"

namespace guichet::loadtest {

/// The harness's view of the gateway's endpoints, one stats line each.
enum class endpoint : std::uint8_t {
  register_, join, state, position, admit, heartbeat, hold, hold_replay, confirm, release, count
};
std::string_view to_string(endpoint e);

struct endpoint_stats {
  std::uint64_t requests = 0;
  histogram latency;                               ///< from the intended send time (µs)
  histogram lateness;                              ///< actual minus intended send time (µs): the harness's own delay
  std::map<std::string, std::uint64_t> outcomes;   ///< "201", "409 sold_out", "transport timeout"
  /// When the gateway could not answer (503 or no answer): seconds since the start, -1 if never.
  double first_unavailable_s = -1, last_unavailable_s = -1;
  std::uint64_t unavailable = 0;
};

/// Gauges a scenario reports each second (fans waiting, admitted, tickets bought).
struct gauges {
  std::int64_t waiting = 0;
  std::uint64_t admitted = 0;
  std::uint64_t bought = 0;
};

/// One second of the run.
struct second_sample {
  double t = 0;  ///< seconds since the start
  std::uint64_t requests = 0, errors = 0;
  std::uint64_t p50_us = 0, p99_us = 0;
  gauges g;
};

/// Everything measured: per-endpoint counts, latencies and outcomes, and a per-second timeline.
/// Single-threaded (the harness runs one event loop).
class recorder {
 public:
  recorder();
  /// One answer (or transport failure); latency from when the request was meant to leave,
  /// lateness how long after that it did leave (0 in a closed loop).
  void record(endpoint e, const http_result& r, std::uint64_t latency_us, std::uint64_t lateness_us = 0);
  /// A request sent again after a 503, 429, 408 or transport failure.
  void retried() { ++retries_; }
  std::uint64_t retries() const { return retries_; }
  /// Something the gateway did that the fan did not expect (a 5xx, a refused winner ...).
  void unexpected(const std::string& what) { ++unexpected_[what]; }
  /// Closes the current second: appends a sample, returns it (for the progress line).
  const second_sample& tick(double t, const gauges& g);
  void start() { start_ = std::chrono::steady_clock::now(); }
  double elapsed_s() const;

  const endpoint_stats& stats(endpoint e) const { return stats_[static_cast<std::size_t>(e)]; }
  const std::vector<second_sample>& timeline() const { return timeline_; }
  const std::map<std::string, std::uint64_t>& unexpected_outcomes() const { return unexpected_; }
  std::uint64_t total_requests() const { return total_; }
  std::uint64_t total_errors() const { return errors_; }
  histogram all_latencies() const;

  /// "409 sold_out" for an error answer, "200" for a success, "transport timeout" for no answer.
  static std::string outcome_of(const http_result& r);

 private:
  std::array<endpoint_stats, static_cast<std::size_t>(endpoint::count)> stats_;
  std::map<std::string, std::uint64_t> unexpected_;
  std::vector<second_sample> timeline_;
  histogram second_;
  std::uint64_t total_ = 0, errors_ = 0, second_requests_ = 0, second_errors_ = 0, retries_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace guichet::loadtest
