#include "loadtest/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace guichet::loadtest {
namespace {

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

struct endpoint_row {
  endpoint ep;
  const endpoint_stats* s;
  double seconds;
};

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

// A minimal JSON writer: objects and arrays with the commas in the right places.
class json {
 public:
  json& open(char c) {
    sep();
    s_ += c;
    first_ = true;
    return *this;
  }
  json& close(char c) {
    s_ += c;
    first_ = false;
    return *this;
  }
  json& key(std::string_view k) {
    sep();
    str(k);
    s_ += ':';
    first_ = true;
    return *this;
  }
  json& value(std::string_view v) {
    sep();
    str(v);
    return *this;
  }
  json& value(double v) {
    sep();
    s_ += std::isfinite(v) ? fixed(v, 3) : "null";
    return *this;
  }
  json& value(std::uint64_t v) {
    sep();
    s_ += std::to_string(v);
    return *this;
  }
  json& value(std::int64_t v) {
    sep();
    s_ += std::to_string(v);
    return *this;
  }
  json& value(bool v) {
    sep();
    s_ += v ? "true" : "false";
    return *this;
  }
  template <class T>
  json& kv(std::string_view k, T v) {
    return key(k).value(v);
  }
  const std::string& text() const { return s_; }

 private:
  void sep() {
    if (!first_) s_ += ',';
    first_ = false;
  }
  void str(std::string_view v) {
    s_ += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') s_ += '\\', s_ += c;
      else if (static_cast<unsigned char>(c) < 0x20) {
        char b[8];
        std::snprintf(b, sizeof b, "\\u%04x", c);
        s_ += b;
      } else s_ += c;
    }
    s_ += '"';
  }
  std::string s_;
  bool first_ = true;
};

void latency_json(json& j, const histogram& h) {
  j.key("latency_ms").open('{');
  j.kv("p50", static_cast<double>(h.quantile(0.5)) / 1000.0).kv("p90", static_cast<double>(h.quantile(0.9)) / 1000.0);
  j.kv("p99", static_cast<double>(h.quantile(0.99)) / 1000.0).kv("p99_9", static_cast<double>(h.quantile(0.999)) / 1000.0);
  j.kv("max", static_cast<double>(h.max()) / 1000.0).kv("mean", h.mean() / 1000.0);
  j.close('}');
}

}  // namespace

// Answers that did what was asked (2xx, 3xx): a refusal is fast, and it is not throughput.
static std::uint64_t succeeded(const endpoint_stats& s) {
  std::uint64_t n = 0;
  for (auto& [k, v] : s.outcomes)
    if (!k.empty() && (k[0] == '2' || k[0] == '3')) n += v;
  return n;
}

namespace {
// The harness's own cost and delay in a surge: CPU per fan and per request, send lateness.
struct harness_numbers {
  double us_per_fan = 0, us_per_request = 0;
  histogram polls, all;
};
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
}  // namespace

bool report::ok() const { return (!audit || audit->ok()) && (!surge || surge->ok()); }

void print_report(const report& r, std::ostream& out) {
  out << "\n== guichet load report: " << r.scenario << " against " << r.target << " (started " << r.started << ")\n";
  for (auto& n : r.notes) out << "   " << n << "\n";
  if (r.load && !r.load->setup.empty()) out << "   set-up: " << r.load->setup << "\n";

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

  if (r.surge) {
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
    }
    out << "\n-- what the fans checked in the gateway's answers\n";
    for (auto& c : s.checks)
      out << "   " << (c.failed ? "FAIL " : (c.tried ? "ok   " : "--   ")) << std::left << std::setw(50) << c.name << std::right
          << std::setw(8) << c.tried << " tried" << (c.failed ? ", " + std::to_string(c.failed) + " failed: " + c.detail : "")
          << "\n";
  }
  if (r.audit) {
    auto& a = *r.audit;
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
  out << "\n" << (r.ok() ? "RESULT: PASS" : "RESULT: FAIL (see above)") << "\n";
}

bool write_json(const report& r, const std::string& path) {
  json j;
  j.open('{');
  j.kv("scenario", r.scenario).kv("target", r.target).kv("started", r.started).kv("ok", r.ok());
  j.key("parameters").open('{');
  for (auto& [k, v] : r.parameters) j.kv(k, v);
  j.close('}');
  j.key("notes").open('[');
  for (auto& n : r.notes) j.value(n);
  j.close(']');
  if (r.main) j.kv("seconds", r.main->elapsed_s()).kv("requests", r.main->total_requests());
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
  if (r.surge) {
    auto& s = *r.surge;
    j.key("surge").open('{').kv("seconds", s.seconds).kv("deadline_hit", s.deadline_hit);
    j.kv("holds", s.holds).kv("cdn_hits", s.cdn_hits).kv("pow_solved", s.pow_solved).kv("tickets_bought", s.tickets_bought).kv("sales", static_cast<std::uint64_t>(s.sales.size()));
    j.key("fans").open('{');
    for (auto& [k, v] : s.fans) j.kv(k, v);
    j.close('}');
    j.key("fairness").open('{');
    for (auto& room : s.rooms) {
      auto& f = room.order;
      j.key(room.phase).open('{').kv("registered", room.registered).kv("drawn", room.drawn).kv("joined", room.joined);
      j.kv("admitted", room.admitted).kv("kendall_tau", f.kendall_tau).kv("inverted_pairs", f.inverted_pairs);
      j.kv("out_of_order", f.out_of_order).kv("p99_displacement", f.p99_displacement).kv("max_displacement", f.max_displacement);
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

bool write_svg(const report& r, const std::string& path) {
  if (!r.main) return false;
  const auto& tl = r.main->timeline();
  const bool fans = r.surge.has_value();
  struct panel {
    std::string title;
    std::vector<double> y;
    std::string colour;
  };
  panel p[3] = {{"requests per second", {}, "#1f77b4"}, {"p99 latency (ms)", {}, "#d62728"},
                {fans ? "fans waiting in the queue" : "errors per second", {}, "#2ca02c"}};
  std::vector<double> x;
  for (auto& s : tl) {
    x.push_back(s.t);
    p[0].y.push_back(static_cast<double>(s.requests));
    p[1].y.push_back(static_cast<double>(s.p99_us) / 1000.0);
    p[2].y.push_back(fans ? static_cast<double>(s.g.waiting) : static_cast<double>(s.errors));
  }
  const int W = 900, H = 190, left = 70, right = 20, top = 40, gap = 40;
  const int total_h = top + 3 * (H + gap) + 10;
  double xmax = x.empty() ? 1.0 : std::max(1.0, x.back());
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << total_h
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << left << "\" y=\"22\" font-size=\"15\">guichet " << r.scenario << " against " << r.target << ", "
    << r.started << "</text>\n";
  for (int k = 0; k < 3; ++k) {
    int y0 = top + k * (H + gap) + 14;
    double ymax = 1.0;
    for (double v : p[k].y) ymax = std::max(ymax, v);
    o << "<text x=\"" << left << "\" y=\"" << y0 - 4 << "\" font-weight=\"bold\">" << p[k].title << " (max " << fixed(ymax, ymax < 10 ? 2 : 0)
      << ")</text>\n";
    o << "<rect x=\"" << left << "\" y=\"" << y0 << "\" width=\"" << W - left - right << "\" height=\"" << H
      << "\" fill=\"none\" stroke=\"#999\"/>\n";
    for (int g = 0; g <= 4; ++g) {
      double v = ymax * g / 4.0;
      int yy = y0 + H - static_cast<int>(H * g / 4.0);
      o << "<line x1=\"" << left << "\" x2=\"" << W - right << "\" y1=\"" << yy << "\" y2=\"" << yy
        << "\" stroke=\"#eee\"/><text x=\"" << left - 6 << "\" y=\"" << yy + 4 << "\" text-anchor=\"end\">"
        << fixed(v, ymax < 10 ? 2 : 0) << "</text>\n";
    }
    for (int g = 0; g <= 10; ++g) {
      int xx = left + static_cast<int>((W - left - right) * g / 10.0);
      o << "<text x=\"" << xx << "\" y=\"" << y0 + H + 14 << "\" text-anchor=\"middle\">" << fixed(xmax * g / 10.0, 0)
        << " s</text>\n";
    }
    o << "<polyline fill=\"none\" stroke=\"" << p[k].colour << "\" stroke-width=\"1.5\" points=\"";
    for (std::size_t i = 0; i < x.size(); ++i)
      o << fixed(left + (W - left - right) * x[i] / xmax, 1) << "," << fixed(y0 + H - H * p[k].y[i] / ymax, 1) << " ";
    o << "\"/>\n";
  }
  o << "</svg>\n";
  std::ofstream f(path, std::ios::trunc);
  f << o.str();
  return static_cast<bool>(f.flush());
}

}  // namespace guichet::loadtest
