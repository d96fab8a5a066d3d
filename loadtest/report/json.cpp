// report.json: every number of the report, for machines.
#include "core/json_writer.hpp"
#include "loadtest/report/common.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace guichet::loadtest {
namespace {

void latency_json(json_writer& j, const histogram& h) {
  j.key("latency_ms").open('{');
  j.kv("p50", static_cast<double>(h.quantile(0.5)) / 1000.0).kv("p90", static_cast<double>(h.quantile(0.9)) / 1000.0);
  j.kv("p99", static_cast<double>(h.quantile(0.99)) / 1000.0).kv("p99_9", static_cast<double>(h.quantile(0.999)) / 1000.0);
  j.kv("max", static_cast<double>(h.max()) / 1000.0).kv("mean", h.mean() / 1000.0);
  j.close('}');
}

// Per endpoint: requests, rates, latency quantiles, outcomes.
void endpoints_json(json_writer& j, const report& r) {
  j.key("endpoints").open('{');
  for (auto& row : rows(r)) {
    j.key(to_string(row.ep)).open('{');
    j.kv("requests", row.s->requests).kv("per_second", static_cast<double>(row.s->requests) / row.seconds);
    j.kv("succeeded", succeeded(*row.s)).kv("succeeded_per_second", static_cast<double>(succeeded(*row.s)) / row.seconds);
    latency_json(j, row.s->latency);
    j.key("outcomes").open('{');
    for (auto& [k, v] : row.s->outcomes) j.kv(k, v);
    j.close('}').close('}');
  }
  j.close('}');
}

// The fans: outcomes, fairness per room, the harness's own load, the checks.
void surge_json(json_writer& j, const report& r, const surge_result& s) {
  j.key("surge").open('{').kv("seconds", s.seconds).kv("deadline_hit", s.deadline_hit);
  j.kv("holds", s.holds).kv("cdn_hits", s.cdn_hits).kv("pow_solved", s.pow_solved).kv("tickets_bought", s.tickets_bought).kv("sales", static_cast<std::uint64_t>(s.sales.size()));
  j.key("fans").open('{');
  for (auto& [k, v] : s.fans) j.kv(k, v);
  j.close('}');
  j.key("fairness").open('{');
  for (auto& room : s.rooms) {
    auto& f = room.order;
    j.key(room.phase).open('{').kv("registered", room.registered).kv("drawn", room.drawn).kv("joined", room.joined);
    j.kv("admitted", room.admitted).key("kendall_tau").value(f.kendall_tau, 6).kv("inverted_pairs", f.inverted_pairs);
    j.kv("out_of_order", f.out_of_order).kv("p99_displacement", f.p99_displacement).kv("max_displacement", f.max_displacement);
    j.kv("waiting_fan_minutes", room.waiting_fan_minutes).kv("state_polls", room.state_polls);
    j.kv("state_polls_per_waiting_fan_minute", room.waiting_fan_minutes > 0 ? static_cast<double>(room.state_polls) / room.waiting_fan_minutes : 0.0);
    j.kv("not_yet", room.not_yet);
    j.close('}');
  }
  j.close('}');
  if (r.main) {
    auto h = harness_load(r);
    auto q = [&](const char* k, const histogram& x) {
      j.key(k).open('{').kv("p50", static_cast<double>(x.quantile(0.5)) / 1000.0);
      j.kv("p99", static_cast<double>(x.quantile(0.99)) / 1000.0).close('}');
    };
    j.key("harness").open('{').kv("cpu_seconds", s.cpu_seconds).kv("active_fans", s.active_fans);
    j.kv("cpu_us_per_fan", h.us_per_fan).kv("cpu_us_per_request", h.us_per_request);
    j.key("lateness_ms").open('{');
    q("polls", h.polls);
    q("all", h.all);
    j.close('}').close('}');
  }
  j.key("checks").open('[');
  for (auto& c : s.checks) j.open('{').kv("name", c.name).kv("tried", c.tried).kv("failed", c.failed).kv("detail", c.detail).close('}');
  j.close(']').close('}');
}

}  // namespace

bool write_json(const report& r, const std::string& path) {
  json_writer j;
  j.open('{');
  j.kv("scenario", r.scenario).kv("target", r.target).kv("started", r.started).kv("ok", r.ok());
  j.key("parameters").open('{');
  for (auto& [k, v] : r.parameters) j.kv(k, v);
  j.close('}');
  j.key("notes").open('[');
  for (auto& n : r.notes) j.value(n);
  j.close(']');
  if (r.main) j.kv("seconds", r.main->elapsed_s()).kv("requests", r.main->total_requests());
  endpoints_json(j, r);
  j.key("errors").open('{');
  for (auto& [k, v] : errors_by_code(r)) j.kv(k, v);
  j.close('}');
  if (r.main) {
    j.key("unexpected").open('{');
    for (auto& [k, v] : r.main->unexpected_outcomes()) j.kv(k, v);
    j.close('}');
    j.key("timeline").open('[');
    for (auto& s : r.main->timeline()) {
      j.open('{').kv("t", s.t).kv("requests", s.requests).kv("errors", s.errors);
      j.kv("p50_ms", static_cast<double>(s.p50_us) / 1000.0).kv("p99_ms", static_cast<double>(s.p99_us) / 1000.0);
      j.kv("waiting", s.g.waiting).kv("admitted", s.g.admitted).kv("bought", s.g.bought).close('}');
    }
    j.close(']');
  }
  if (r.load) j.kv("late_requests", r.load->late).kv("setup", r.load->setup);
  if (r.surge) surge_json(j, r, *r.surge);
  if (r.redis && r.redis->measured) {
    std::uint64_t admitted = 0;
    if (r.surge)
      for (auto& room : r.surge->rooms) admitted += room.admitted;
    const redis_cost& c = *r.redis;
    j.key("redis_cost").open('{').kv("cpu_seconds", c.cpu_seconds).kv("seconds", c.seconds).kv("admitted", admitted);
    j.kv("cpu_us_per_admitted_fan", admitted ? c.cpu_seconds * 1e6 / static_cast<double>(admitted) : 0.0);
    j.kv("commands", c.commands).kv("reads", c.reads).kv("writes", c.writes).kv("lost", c.lost).kv("per_script", c.per_script).kv("note", c.why_not).key("scripts").open('{');
    for (auto& s : c.scripts)
      j.key(s.name).open('{').kv("calls", s.calls).kv("usec", s.usec).kv("usec_per_call", s.usec_per_call()).close('}');
    j.close('}').close('}');
  }
  if (r.audit) {
    j.key("audit").open('{').kv("ok", r.audit->ok()).kv("violation_count", r.audit->violation_count);
    j.key("violations").open('[');
    for (auto& v : r.audit->violations) j.value(v);
    j.close(']').key("facts").open('{');
    for (auto& [k, v] : r.audit->facts) j.kv(k, v);
    j.close('}').close('}');
  }
  j.close('}');
  std::ofstream f(path, std::ios::trunc);
  f << j.text() << "\n";
  return static_cast<bool>(f.flush());
}

}  // namespace guichet::loadtest
