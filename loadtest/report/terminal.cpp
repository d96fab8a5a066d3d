// The terminal report.
#include <cstdio>
#include "loadtest/report/common.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace guichet::loadtest {

namespace {

// Throughput and latency per endpoint, then the main stage's total.
void print_endpoints(const report& r, std::ostream& out) {
  out << "\n-- throughput and latency per endpoint (latency from the intended send time)\n";
  out << std::left << std::setw(13) << "endpoint" << std::right << std::setw(10) << "requests" << std::setw(10) << "req/s"
      << std::setw(10) << "ok/s" << std::setw(9) << "p50 ms" << std::setw(9) << "p90 ms" << std::setw(9) << "p99 ms"
      << std::setw(10) << "p99.9 ms" << std::setw(10) << "max ms" << "\n";
  std::vector<std::string> refused;
  for (auto& row : rows(r)) {
    auto& h = row.s->latency;
    const std::uint64_t ok = succeeded(*row.s);
    if (row.s->requests >= 100 && ok * 2 < row.s->requests)
      refused.push_back(std::string(to_string(row.ep)) + ": " + fixed(100.0 * static_cast<double>(row.s->requests - ok) /
                                                                         static_cast<double>(row.s->requests), 1) + " %");
    out << std::left << std::setw(13) << to_string(row.ep) << std::right << std::setw(10) << row.s->requests
        << std::setw(10) << fixed(static_cast<double>(row.s->requests) / row.seconds, 0) << std::setw(10)
        << fixed(static_cast<double>(ok) / row.seconds, 0) << std::setw(9)
        << ms(h.quantile(0.5)) << std::setw(9) << ms(h.quantile(0.9)) << std::setw(9) << ms(h.quantile(0.99))
        << std::setw(10) << ms(h.quantile(0.999)) << std::setw(10) << ms(h.max()) << "\n";
  }
  if (r.main) {  // the main stage (registration, when there is one, has its own row above)
    double secs = std::max(r.main->elapsed_s(), 1e-3);
    auto all = r.main->all_latencies();
    out << std::left << std::setw(13) << (r.registration ? "all but reg." : "all") << std::right << std::setw(10)
        << r.main->total_requests() << std::setw(10) << fixed(static_cast<double>(r.main->total_requests()) / secs, 0)
        << std::setw(10) << "" << std::setw(9) << ms(all.quantile(0.5)) << std::setw(9) << ms(all.quantile(0.9)) << std::setw(9)
        << ms(all.quantile(0.99)) << std::setw(10) << ms(all.quantile(0.999)) << std::setw(10) << ms(all.max()) << "\n";
  }

  out << "   (ok/s: answers that did what was asked, 2xx and 3xx; refusals are counted in req/s only)\n";
  for (auto& w : refused)
    out << "   WARNING: MOST ANSWERS WERE REFUSALS (" << w << " not 2xx/3xx): this measures how fast the gateway says no,\n"
        << "            not how fast it serves; see the codes below\n";
  if (r.load && r.load->late) out << "   open loop: " << r.load->late << " requests left more than 1 ms late (counted in the latencies)\n";
}

// The answers other than 2xx/3xx by code, and when the gateway could not answer.
void print_errors(const report& r, std::ostream& out) {
  auto errs = errors_by_code(r);
  out << "\n-- answers other than 2xx/3xx, by endpoint and code" << (errs.empty() ? ": none\n" : "\n");
  for (auto& [what, n] : errs) out << "   " << std::left << std::setw(52) << what << std::right << std::setw(10) << n << "\n";
  if (r.main && !r.main->unexpected_outcomes().empty()) {
    out << "   of which a fan did not expect (the fan stopped there):\n";
    for (auto& [what, n] : r.main->unexpected_outcomes())
      out << "     " << std::left << std::setw(50) << what << std::right << std::setw(10) << n << "\n";
  }

  if (r.main) {
    bool any = false;
    for (std::size_t e = 0; e < static_cast<std::size_t>(endpoint::count); ++e) {
      auto& st = r.main->stats(static_cast<endpoint>(e));
      if (!st.unavailable) continue;
      if (!any) out << "\n-- when the gateway could not answer (503 or no answer; seconds from the start)\n";
      any = true;
      out << "   " << std::left << std::setw(12) << to_string(static_cast<endpoint>(e)) << std::right << std::setw(8)
          << st.unavailable << " answers from t=" << fixed(st.first_unavailable_s, 2) << " to t="
          << fixed(st.last_unavailable_s, 2) << " s (" << fixed(st.last_unavailable_s - st.first_unavailable_s, 2)
          << " s)\n";
    }
    if (any) out << "   requests sent again (same Idempotency-Key): " << r.main->retries() << "\n";
  }
}

// The fans: how each ended, the harness's own load, fairness per room, the checks.
void print_fans(const report& r, std::ostream& out) {
  auto& s = *r.surge;
  out << "\n-- fans (" << fixed(s.seconds, 1) << " s" << (s.deadline_hit ? ", stopped by the deadline" : "") << ")\n";
  for (auto& [how, n] : s.fans) out << "   " << std::left << std::setw(40) << how << std::right << std::setw(10) << n << "\n";
  out << "   holds " << s.holds << ", tickets bought " << s.tickets_bought << ", sales confirmed " << s.sales.size() << "\n";
  if (s.cdn_hits) out << "   state polls answered by the simulated CDN: " << s.cdn_hits << "\n";
  if (s.pow_solved) out << "   proofs of work solved at the join (the rooms asked for them): " << s.pow_solved << "\n";
  if (r.main) {
    auto h = harness_load(r);
    out << "\n-- the harness itself (it shares the machine: a late send is its own delay, not the gateway's)\n";
    out << "   CPU " << fixed(s.cpu_seconds, 1) << " s (user + system), " << fixed(h.us_per_fan, 1) << " us per fan, "
        << fixed(h.us_per_request, 1) << " us per request\n";
    out << "   sent late (after the intended time): polls p50 " << ms(h.polls.quantile(0.5)) << " ms, p99 "
        << ms(h.polls.quantile(0.99)) << " ms; all requests p50 " << ms(h.all.quantile(0.5)) << " ms, p99 "
        << ms(h.all.quantile(0.99)) << " ms\n";
  }
  out << "\n-- fairness per room (admission order vs queue position)\n";
  for (auto& room : s.rooms) {
    auto& f = room.order;
    out << "   " << room.phase << ": registered " << room.registered << ", drawn " << room.drawn << ", joined " << room.joined
        << ", admitted " << room.admitted << "; Kendall tau " << fixed(f.kendall_tau, 4) << ", inverted pairs "
        << f.inverted_pairs << ", fans admitted before someone ahead " << f.out_of_order << ", displacement p99 "
        << f.p99_displacement << " max " << f.max_displacement << " places\n";
    if (room.waiting_fan_minutes > 0)
      out << "      waiting: " << fixed(room.waiting_fan_minutes, 1) << " fan-minutes, " << room.state_polls << " state polls sent ("
          << fixed(static_cast<double>(room.state_polls) / room.waiting_fan_minutes, 2) << " per waiting fan per minute), "
          << room.not_yet << " admissions tried too early (not_yet)\n";
  }
  out << "\n-- what the fans checked in the gateway's answers\n";
  for (auto& c : s.checks)
    out << "   " << (c.failed ? "FAIL " : (c.tried ? "ok   " : "--   ")) << std::left << std::setw(50) << c.name << std::right
        << std::setw(8) << c.tried << " tried" << (c.failed ? ", " + std::to_string(c.failed) + " failed: " + c.detail : "")
        << "\n";
}

void print_audit(const audit_report& a, std::ostream& out) {
  out << "\n-- audit of Redis (behind the gateway's back)\n";
  for (auto& [k, v] : a.facts) out << "   " << std::left << std::setw(40) << k << std::right << std::setw(12) << v << "\n";
  if (a.ok()) {
    out << "   every invariant holds\n";
  } else {
    out << "   " << a.violation_count << " VIOLATIONS:\n";
    for (auto& v : a.violations) out << "   - " << v << "\n";
    if (a.violation_count > a.violations.size()) out << "   - ... and " << (a.violation_count - a.violations.size()) << " more\n";
  }
}

// Redis' CPU per admitted fan and per script (the one part of the fleet that does not scale out).
void print_redis_cost(const report& r, std::ostream& out) {
  const redis_cost& c = *r.redis;
  out << "\n== redis cost (the opening to the end of the journeys" << (c.per_script ? "; SLOWLOG at 0 us while it ran)\n" : ")\n");
  if (!c.measured) {
    out << "   not measured: " << c.why_not << "\n";
    return;
  }
  std::uint64_t admitted = 0;
  if (r.surge)
    for (auto& room : r.surge->rooms) admitted += room.admitted;
  char b[256];
  std::snprintf(b, sizeof b, "   redis cpu %.2f s over %.1f s (%.0f%% of its one core); %llu fans admitted: %.0f us per admitted fan\n",
                c.cpu_seconds, c.seconds, c.seconds > 0 ? 100 * c.cpu_seconds / c.seconds : 0,
                static_cast<unsigned long long>(admitted), admitted ? c.cpu_seconds * 1e6 / static_cast<double>(admitted) : 0);
  out << b;
  if (admitted && c.cpu_seconds > 0) {
    std::snprintf(b, sizeof b, "   one redis core carries %.0f admitted fans per second through the journey\n",
                  static_cast<double>(admitted) / c.cpu_seconds);
    out << b;
  }
  if (admitted && c.reads) {
    std::snprintf(b, sizeof b, "   redis read %llu times and wrote %llu times (%.2f and %.2f per admitted fan)",
                  static_cast<unsigned long long>(c.reads), static_cast<unsigned long long>(c.writes),
                  static_cast<double>(c.reads) / static_cast<double>(admitted),
                  static_cast<double>(c.writes) / static_cast<double>(admitted));
    out << b;
    if (c.per_script) {
      std::snprintf(b, sizeof b, ": %.2f client calls per read", static_cast<double>(c.commands) / static_cast<double>(c.reads));
      out << b;
    }
    out << "\n";
  }
  if (!c.why_not.empty()) out << "   " << c.why_not << "\n";
  if (!c.per_script) return;
  std::snprintf(b, sizeof b, "   %-24s %9s %8s %14s %13s %13s\n", "script or command", "calls", "per fan", "usec_per_call",
                "usec per fan", "redis.calls");
  out << b;
  for (auto& s : c.scripts) {
    double per = admitted ? static_cast<double>(s.calls) / static_cast<double>(admitted) : 0;
    std::snprintf(b, sizeof b, "   %-24s %9llu %8.2f %14.1f %13.1f %13.1f\n", s.name.c_str(), static_cast<unsigned long long>(s.calls), per,
                  s.usec_per_call(), admitted ? static_cast<double>(s.usec) / static_cast<double>(admitted) : 0,
                  s.calls ? static_cast<double>(s.inner) / static_cast<double>(s.calls) : 0);
    out << b;
  }
  out << "   (usec_per_call: Redis' wall time per call, SLOWLOG's, which counts the time Redis was not on a core;\n"
         "    redis.calls: the commands a script ran per call; the logging adds to Redis' CPU: --no-redis-log)\n";
  if (c.lost) out << "   (" << c.lost << " commands were dropped from the log before they were read: the per-script rows miss them)\n";
}

}  // namespace

void print_report(const report& r, std::ostream& out) {
  out << "\n== guichet load report: " << r.scenario << " against " << r.target << " (started " << r.started << ")\n";
  for (auto& n : r.notes) out << "   " << n << "\n";
  if (r.load && !r.load->setup.empty()) out << "   set-up: " << r.load->setup << "\n";
  print_endpoints(r, out);
  print_errors(r, out);
  if (r.surge) print_fans(r, out);
  if (r.redis) print_redis_cost(r, out);
  if (r.audit) print_audit(*r.audit, out);
  out << "\n" << (r.ok() ? "RESULT: PASS" : "RESULT: FAIL (see above)") << "\n";
}

}  // namespace guichet::loadtest
