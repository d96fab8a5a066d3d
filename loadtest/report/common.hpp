#pragma once
// What the three reports (terminal.cpp, json.cpp, svg.cpp) share: number formats, the
// endpoints' rows, the errors by code, the harness's own load. Internal to the harness.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loadtest/histogram.hpp"
#include "loadtest/report/report.hpp"

namespace guichet::loadtest {

/// Microseconds as milliseconds with two decimals.
std::string ms(std::uint64_t us);
/// `v` with `digits` decimals.
std::string fixed(double v, int digits);

struct endpoint_row {
  endpoint ep;
  const endpoint_stats* s;
  double seconds;
};
/// The endpoints that saw requests, with the seconds their rates are over.
std::vector<endpoint_row> rows(const report& r);
/// Error answers by "endpoint outcome" ("hold 409 sold_out").
std::map<std::string, std::uint64_t> errors_by_code(const report& r);
/// Answers that did what was asked (2xx, 3xx): a refusal is fast, and it is not throughput.
std::uint64_t succeeded(const endpoint_stats& s);

/// The harness's own cost and delay in a surge: CPU per fan and per request, send lateness.
struct harness_numbers {
  double us_per_fan = 0, us_per_request = 0;
  histogram polls, all;
};
harness_numbers harness_load(const report& r);

}  // namespace guichet::loadtest
