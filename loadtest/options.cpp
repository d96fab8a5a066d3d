#include "loadtest/options.hpp"

#include <charconv>
#include <functional>
#include <map>

#include "core/duration.hpp"

namespace guichet::loadtest {
namespace {

bool to_u64(const std::string& s, std::uint64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool to_fraction(const std::string& s, double& v) {
  try {
    std::size_t used = 0;
    v = std::stod(s, &used);
    return used == s.size() && v >= 0.0 && v <= 1.0;
  } catch (...) {
    return false;
  }
}

bool to_mix(const std::string& s, std::vector<std::pair<std::string, double>>& mix) {
  mix.clear();
  std::size_t start = 0;
  while (start < s.size()) {
    auto comma = s.find(',', start);
    std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto colon = part.find(':');
    double w = 1.0;
    if (colon != std::string::npos) {
      try {
        std::size_t used = 0;
        w = std::stod(part.substr(colon + 1), &used);
        if (used != part.size() - colon - 1 || !(w > 0)) return false;
      } catch (...) {
        return false;
      }
    }
    std::string phase = part.substr(0, colon);
    for (auto& [p, ignored] : mix)
      if (p == phase) return false;  // a phase twice
    mix.emplace_back(phase, w);
    if (phase.empty()) return false;
    start = comma == std::string::npos ? s.size() : comma + 1;
  }
  return !mix.empty();
}

}  // namespace

const char* usage_text() {
  return "usage: guichet-loadtest SCENARIO --config FILE [options]\n"
         "\n"
         "SCENARIO\n"
         "  surge   opening day: fans register, the draw runs, fans arrive around their slot, queue,\n"
         "          get in, hold packs or single tickets, pay or abandon; then the audit\n"
         "  poll    GET room state        join   POST join (a new fan each time)\n"
         "  hold    POST holds (shoppers joined and admitted first)\n"
         "  audit   only the audit of an edition in Redis (with --ledger: against those sales)\n"
         "\n"
         "common\n"
         "  --config FILE        the gateway's config (editions, Redis, secrets from env/file)\n"
         "  --target HOST:PORT   default: the config's server address; loopback only unless --allow-remote\n"
         "  --out DIR            report.json, report.svg, ledger.tsv, draw outputs (default ./loadtest-out)\n"
         "  --connections N      concurrent connections (surge 256, others 64)\n"
         "  --poll-connections N surge: more connections for the fans' polls only (64), so that a\n"
         "                       poll never waits behind another fan's join or purchase\n"
         "  --timeout D          per request (10s)\n"
         "  --quiet              no progress line\n"
         "poll, join, hold\n"
         "  --edition E --phase P   the room (demo/open)\n"
         "  --duration D         how long to load (10s)      --requests N   at most this many (10,000,000)\n"
         "  --rate R             open loop at R requests/s (latency from the intended send time);\n"
         "                       default: closed loop\n"
         "  --shoppers N         hold: admitted shoppers taking turns (20000)\n"
         "surge\n"
         "  --edition E          (paris2024-olympics)     --mix P:W,...  phases and shares (equal)\n"
         "  --fans N             (20000)                  --seed N       same seed, same crowd (1)\n"
         "  --club F (0.15)  --pre-queue F (0.3)  --early F (0.02)  --losers F (0.5)\n"
         "  --confirm F (0.8)  --retry F (0.1)  --misbehave F (0.05)\n"
         "  --spread D (4s)  --poll D (1s)  --think D (2s)  --pay D (1s)\n"
         "  --deadline D         whole run (10m)          --requests N   request budget (50,000,000)\n"
         "  --no-redis-log       the Redis cost without SLOWLOG: its CPU per admitted fan only, no\n"
         "                       per-script rows (logging every command adds to Redis' CPU)\n"
         "  --no-dead-reckoning  fans try the admission only once a state says their place was\n"
         "                       reached (by default they predict their turn from the state's\n"
         "                       counter, rate and computed_ms and try at that moment)\n"
         "  --cdn                state polls go through a simulated CDN (max-age=1): one per room per\n"
         "                       second reaches the gateway, as in production; for crowds the harness\n"
         "                       alone could not poll for\n"
         "audit\n"
         "  --edition E  --ledger FILE\n"
         "\n"
         "Durations: 250ms, 5s, 2m. Exit status: 0 pass, 1 a violation (audit or fans' checks), 2 could not run.\n";
}

namespace {

// Option values that are checked or combined once every option is read.
struct raw_options {
  std::uint64_t connections = 0, poll_connections = 0, requests = 0, seed = 0;
  std::string rate, mix, edition;
  bool connections_set = false;
};

using setter = std::function<bool(const std::string&)>;

// Every option that takes a value, and where its value goes.
std::map<std::string, setter> option_table(cli& c, raw_options& raw) {
  auto dur = [](std::chrono::milliseconds& d) {
    return setter([&d](const std::string& v) {
      auto p = parse_duration(v);
      if (p) d = *p;
      return p.has_value() && p->count() > 0;
    });
  };
  auto u64 = [](std::uint64_t& x) { return setter([&x](const std::string& v) { return to_u64(v, x) && x > 0; }); };
  auto frac = [](double& x) { return setter([&x](const std::string& v) { return to_fraction(v, x); }); };
  auto str = [](std::string& x) { return setter([&x](const std::string& v) { x = v; return !v.empty(); }); };
  return {
      {"--config", str(c.config_path)}, {"--target", str(c.target)}, {"--out", str(c.out_dir)},
      {"--ledger", str(c.ledger)}, {"--edition", str(raw.edition)}, {"--phase", str(c.load.phase)},
      {"--connections", u64(raw.connections)}, {"--poll-connections", u64(raw.poll_connections)}, {"--timeout", dur(c.load.timeout)}, {"--duration", dur(c.load.duration)},
      {"--requests", u64(raw.requests)}, {"--rate", str(raw.rate)}, {"--shoppers", u64(c.load.shoppers)},
      {"--fans", u64(c.surge.fans)}, {"--seed", u64(raw.seed)}, {"--mix", str(raw.mix)},
      {"--club", frac(c.surge.club)}, {"--pre-queue", frac(c.surge.pre_queue)}, {"--early", frac(c.surge.early)},
      {"--losers", frac(c.surge.losers)}, {"--confirm", frac(c.surge.confirm)}, {"--retry", frac(c.surge.retry)},
      {"--misbehave", frac(c.surge.misbehave)}, {"--spread", dur(c.surge.spread)}, {"--poll", dur(c.surge.poll)},
      {"--think", dur(c.surge.think)}, {"--pay", dur(c.surge.pay)}, {"--deadline", dur(c.surge.deadline)},
  };
}

// The checks that need several options, and the values shared by the scenarios; "" or the error.
std::string apply(cli& c, const raw_options& raw) {
  if (!raw.rate.empty()) {
    try {
      std::size_t used = 0;
      c.load.rate = std::stod(raw.rate, &used);
      if (used != raw.rate.size() || !(c.load.rate > 0)) throw 0;
    } catch (...) {
      return "--rate: bad value '" + raw.rate + "' (requests per second, > 0)";
    }
  }
  if (!raw.mix.empty() && !to_mix(raw.mix, c.surge.mix))
    return "--mix: bad value '" + raw.mix + "' (phase:weight,... each phase once, weights > 0)";
  if (c.surge.early + c.surge.pre_queue > 1.0) return "--early + --pre-queue must not exceed 1";
  if (raw.connections > 20'000 || raw.poll_connections > 20'000)
    return std::string(raw.connections > 20'000 ? "--connections" : "--poll-connections") + ": at most 20000";
  if (raw.poll_connections) c.surge.poll_connections = static_cast<unsigned>(raw.poll_connections);
  if (!raw.edition.empty()) c.surge.edition = c.load.edition = raw.edition;
  if (raw.connections_set) c.surge.connections = c.load.connections = static_cast<unsigned>(raw.connections);
  if (raw.requests) c.surge.max_requests = c.load.max_requests = raw.requests;
  if (raw.seed) c.surge.seed = c.load.seed = raw.seed;
  if (c.out_dir.empty()) c.out_dir = "loadtest-out";
  if (c.config_path.empty()) return "--config FILE is required (the gateway's config)";
  return {};
}

}  // namespace

cli_result parse_cli(const std::vector<std::string>& args) {
  cli_result r;
  cli& c = r.value;
  c.surge.edition = "paris2024-olympics";
  if (args.empty()) {
    r.error = "no scenario given";
    return r;
  }
  if (args[0] == "-h" || args[0] == "--help") {
    r.help = true;
    return r;
  }
  c.scenario = args[0];
  if (c.scenario != "surge" && c.scenario != "poll" && c.scenario != "join" && c.scenario != "hold" && c.scenario != "audit") {
    r.error = "unknown scenario '" + c.scenario + "'";
    return r;
  }
  c.load.scenario = c.scenario;
  raw_options raw;
  const auto opts = option_table(c, raw);
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--allow-remote") c.allow_remote = true;
    else if (a == "--cdn") c.surge.cdn = true;
    else if (a == "--no-redis-log") c.surge.redis_log = false;
    else if (a == "--no-dead-reckoning") c.surge.dead_reckoning = false;
    else if (a == "--quiet") c.surge.progress = c.load.progress = false;
    else if (a == "-h" || a == "--help") return r.help = true, r;
    else if (auto it = opts.find(a); it == opts.end()) return r.error = "unknown option '" + a + "'", r;
    else if (i + 1 >= args.size()) return r.error = a + " needs a value", r;
    else if (!it->second(args[++i])) return r.error = a + ": bad value '" + args[i] + "'", r;
    else if (a == "--connections") raw.connections_set = true;
  }
  r.error = apply(c, raw);
  return r;
}

}  // namespace guichet::loadtest
