#include "loadtest/report/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace guichet::loadtest {

std::string ms(std::uint64_t us) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", static_cast<double>(us) / 1000.0);
  return b;
}


std::string fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}


std::vector<endpoint_row> rows(const report& r) {
  std::vector<endpoint_row> out;
  for (const recorder* rec : {r.registration, r.main}) {
    if (!rec) continue;
    double secs = std::max(rec->timeline().empty() ? rec->elapsed_s() : rec->timeline().back().t, 1e-3);
    for (int e = 0; e < static_cast<int>(endpoint::count); ++e) {
      auto ep = static_cast<endpoint>(e);
      if (rec == r.main && ep == endpoint::register_ && r.registration) continue;
      if (rec->stats(ep).requests) out.push_back({ep, &rec->stats(ep), secs});
    }
  }
  return out;
}

// Error answers and transport failures over every endpoint, by outcome.
std::map<std::string, std::uint64_t> errors_by_code(const report& r) {
  std::map<std::string, std::uint64_t> m;
  for (auto& row : rows(r))
    for (auto& [what, n] : row.s->outcomes)
      if (what[0] != '2' && what[0] != '3') m[std::string(to_string(row.ep)) + " " + what] += n;
  return m;
}

std::uint64_t succeeded(const endpoint_stats& s) {
  std::uint64_t n = 0;
  for (auto& [k, v] : s.outcomes)
    if (!k.empty() && (k[0] == '2' || k[0] == '3')) n += v;
  return n;
}

harness_numbers harness_load(const report& r) {
  harness_numbers h;
  const auto& s = *r.surge;
  if (s.active_fans) h.us_per_fan = s.cpu_seconds * 1e6 / static_cast<double>(s.active_fans);
  if (r.main->total_requests()) h.us_per_request = s.cpu_seconds * 1e6 / static_cast<double>(r.main->total_requests());
  for (std::size_t e = 0; e < static_cast<std::size_t>(endpoint::count); ++e) {
    const auto& late = r.main->stats(static_cast<endpoint>(e)).lateness;
    h.all.merge(late);
    if (e == static_cast<std::size_t>(endpoint::state) || e == static_cast<std::size_t>(endpoint::position)) h.polls.merge(late);
  }
  return h;
}

bool report::ok() const { return (!audit || audit->ok()) && (!surge || surge->ok()); }

}  // namespace guichet::loadtest
