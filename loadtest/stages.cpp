#include "loadtest/stages.hpp"

#include <charconv>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/draw.hpp"
#include "core/jwt.hpp"
#include "core/keys.hpp"
#include "core/clock.hpp"
#include "gateway/commands/draw.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "loadtest/report/report.hpp"

namespace guichet::loadtest {

setup prepare(const cli& c, const std::string& edition) {
  setup s;
  auto loaded = load_config(c.config_path);
  if (!loaded.errors.empty()) {
    for (auto& e : loaded.errors) s.error += e.to_string() + "\n";
    return s;
  }
  s.cfg = std::move(loaded.value);
  s.edition = s.cfg.find_edition(edition);
  if (!s.edition) {
    s.error = "no edition '" + edition + "' in " + c.config_path;
    return s;
  }
  std::string t = c.target.empty() ? s.cfg.server.listen + ":" + std::to_string(s.cfg.server.port) : c.target;
  if (t.starts_with("0.0.0.0:")) t = "127.0.0.1" + t.substr(7);
  if (t.starts_with(":::")) t = "[::1]" + t.substr(2);
  if (!parse_endpoint(t, s.target)) {
    s.error = "--target: '" + t + "' is not IP:PORT";
    return s;
  }
  net::ip::tcp::endpoint redis;
  bool redis_ok = parse_endpoint(s.cfg.redis.host + ":" + std::to_string(s.cfg.redis.port), redis);
  if (!c.allow_remote && (!is_loopback(s.target.address()) || !redis_ok || !is_loopback(redis.address())))
    s.error = "refusing to load " + t + " / redis " + s.cfg.redis.host +
              ": only loopback targets (127.0.0.0/8, ::1) unless --allow-remote";
  return s;
}

std::string secret_or_error(const secret_ref& ref, const char* what, std::string& error) {
  if (ref.empty()) {
    error = std::string("the config names no ") + what;
    return {};
  }
  try {
    return load_secret(ref);
  } catch (const std::exception& e) {
    error = std::string(what) + ": " + e.what();
    return {};
  }
}

// The audit reads many keys one after another; only a state nobody changes can be read that way.
// Once the fans stop, the reapers are the last writers: they expire the holds nobody paid for.
// Wait until no hold is due to expire within the next minute (at most the hold lifetime + 5 s).
void settle(redis::blocking_client& redis, const edition_config& e, report& rep, std::ostream& log) {
  const auto give_up = system_ms() + e.limits.hold_ttl.count() + 5'000;
  std::int64_t due = 0;
  for (;;) {
    auto z = redis.command({"ZRANGE", keys::hold_deadlines(e.id), "0", "0", "WITHSCORES"});
    due = z && z->type == REDIS_REPLY_ARRAY && z->elements == 2 ? std::atoll(z->element[1]->str) : 0;
    if (due == 0 || due > system_ms() + 60'000 || system_ms() > give_up) break;
    auto n = redis.command({"ZCOUNT", keys::hold_deadlines(e.id), "-inf", std::to_string(system_ms() + 60'000)});
    log << "== audit: waiting for " << (n && n->type == REDIS_REPLY_INTEGER ? n->integer : 0)
        << " unpaid holds to expire (the reapers return them)\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<std::int64_t>(due - system_ms() + 500, 200, 2'000)));
  }
  if (due != 0 && due <= system_ms() + 60'000)
    rep.notes.push_back("audit: holds were still expiring when it started; the state may have moved under it");
}

// Redis' own count of the memory it uses (INFO memory used_memory), or 0 when it cannot say.
std::uint64_t redis_used_memory(redis::blocking_client& redis) {
  auto r = redis.command({"INFO", "memory"});
  if (!r || r->type != REDIS_REPLY_STRING) return 0;
  std::string_view text(r->str, r->len), tag = "used_memory:";
  auto p = text.find(tag);
  if (p == std::string_view::npos) return 0;
  std::uint64_t v = 0;
  std::from_chars(text.data() + p + tag.size(), text.data() + text.size(), v);
  return v;
}

// What the run added to Redis' memory, per fan, and what that makes for a million fans.
std::string redis_memory_note(const char* stage, std::uint64_t before, std::uint64_t after, std::uint64_t fans) {
  if (!before || !after || !fans) return std::string("redis memory ") + stage + ": not known (INFO memory unreadable)";
  double per_fan = (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(fans);
  char b[200];
  std::snprintf(b, sizeof b, "redis memory %s: %.1f MB (%+.0f bytes per fan; %.0f MB per million fans)", stage,
                static_cast<double>(after) / 1e6, per_fan, per_fan);
  return b;
}

void finish_report(report& rep, const cli& c, std::ostream& out, std::ostream& log) {
  print_report(rep, out);
  std::filesystem::create_directories(c.out_dir);
  std::string json = c.out_dir + "/report.json", svg = c.out_dir + "/report.svg";
  bool ok = write_json(rep, json);
  if (rep.main) ok = write_svg(rep, svg) && ok;
  if (ok) out << "report: " << json << (rep.main ? ", chart: " + svg : "") << "\n";
  else log << "could not write the report into " << c.out_dir << "\n";
}

// The draw as ops run it (commit, then reveal), through the same code as `guichet --draw`.
bool run_draw(const config& cfg, const std::string& ed, const std::string& ph, const std::string& dir,
              std::vector<std::string>& notes, std::ostream& log) {
  std::ostringstream commit;
  if (commands::draw_commit(cfg, ed, ph, commit) != 0) {
    log << commit.str();
    return false;
  }
  std::string text = commit.str(), tag = "seed (secret until the draw): ";
  auto p = text.find(tag);
  std::string seed = p == std::string::npos ? "" : text.substr(p + tag.size(), 64);
  std::ostringstream drawn;
  if (commands::draw_run(cfg, ed, ph, seed, dir, drawn) != 0) {
    log << drawn.str();
    return false;
  }
  std::string last, line;
  std::istringstream lines(drawn.str());
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  notes.push_back("draw " + ph + ": seed committed then revealed, outputs in " + dir + "; " + last);
  return true;
}

}  // namespace guichet::loadtest
