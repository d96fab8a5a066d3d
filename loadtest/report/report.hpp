#pragma once
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loadtest/audit.hpp"
#include "loadtest/recorder.hpp"
#include "loadtest/redis_cost.hpp"
#include "loadtest/surge/surge.hpp"
#include "loadtest/throughput.hpp"

namespace guichet::loadtest {

/// Everything one run produced, for the terminal, report.json and report.svg.
struct report {
  std::string scenario, target, started;
  std::vector<std::pair<std::string, std::string>> parameters;
  const recorder* registration = nullptr;  ///< surge: the registration stage
  const recorder* main = nullptr;
  std::optional<surge_result> surge;
  std::optional<load_result> load;
  std::optional<audit_report> audit;
  /// surge: what Redis spent from the opening to the end of the fans' journeys (redis_cost.hpp)
  std::optional<redis_cost> redis;
  std::vector<std::string> notes;  ///< stages and what they did (draw, waits)
  /// No violation: audit clean and every harness check passed.
  bool ok() const;
};

void print_report(const report& r, std::ostream& out);
bool write_json(const report& r, const std::string& path);
/// Throughput, p99 latency and fans waiting (or errors) per second, one panel each.
bool write_svg(const report& r, const std::string& path);

}  // namespace guichet::loadtest
