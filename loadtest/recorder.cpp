#include "loadtest/recorder.hpp"

#include "loadtest/json_reply.hpp"

namespace guichet::loadtest {

std::string_view to_string(endpoint e) {
  switch (e) {
    case endpoint::register_: return "register";
    case endpoint::join: return "join";
    case endpoint::state: return "state";
    case endpoint::position: return "position";
    case endpoint::admit: return "admit";
    case endpoint::heartbeat: return "heartbeat";
    case endpoint::hold: return "hold";
    case endpoint::hold_replay: return "hold_replay";
    case endpoint::confirm: return "confirm";
    case endpoint::release: return "release";
    case endpoint::count: break;
  }
  return "?";
}

recorder::recorder() = default;

std::string recorder::outcome_of(const http_result& r) {
  if (r.status == 0) return "transport " + r.error.substr(0, r.error.find(':'));
  std::string s = std::to_string(r.status);
  if (r.status >= 400)
    if (auto code = json_string(r.body, "/error/code")) s += " " + std::string(*code);
  return s;
}

void recorder::record(endpoint e, const http_result& r, std::uint64_t latency_us, std::uint64_t lateness_us) {
  auto& s = stats_[static_cast<std::size_t>(e)];
  ++s.requests;
  ++total_;
  ++second_requests_;
  s.latency.record(latency_us);
  s.lateness.record(lateness_us);
  second_.record(latency_us);
  ++s.outcomes[outcome_of(r)];
  if (r.status == 0 || r.status == 503) {
    double t = elapsed_s();
    if (s.first_unavailable_s < 0) s.first_unavailable_s = t;
    s.last_unavailable_s = t;
    ++s.unavailable;
  }
  if (r.status == 0 || r.status >= 400) {
    ++errors_;
    ++second_errors_;
  }
}

const second_sample& recorder::tick(double t, const gauges& g) {
  timeline_.push_back({t, second_requests_, second_errors_, second_.quantile(0.5), second_.quantile(0.99), g});
  second_requests_ = second_errors_ = 0;
  second_.reset();
  return timeline_.back();
}

double recorder::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

histogram recorder::all_latencies() const {
  histogram h;
  for (auto& s : stats_) h.merge(s.latency);
  return h;
}

}  // namespace guichet::loadtest
