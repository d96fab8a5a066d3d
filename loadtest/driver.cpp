#include "loadtest/driver.hpp"

#include <charconv>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/draw.hpp"
#include "core/jwt.hpp"
#include "core/keys.hpp"
#include "gateway/commands/draw.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "loadtest/report.hpp"

namespace guichet::loadtest {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct setup {
  config cfg;
  const edition_config* edition = nullptr;
  net::ip::tcp::endpoint target;
  std::string error;
};

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
void settle(blocking_client& redis, const edition_config& e, report& rep, std::ostream& log) {
  const auto give_up = now_ms() + e.limits.hold_ttl.count() + 5'000;
  std::int64_t due = 0;
  for (;;) {
    auto z = redis.command({"ZRANGE", keys::hold_deadlines(e.id), "0", "0", "WITHSCORES"});
    due = z && z->type == REDIS_REPLY_ARRAY && z->elements == 2 ? std::atoll(z->element[1]->str) : 0;
    if (due == 0 || due > now_ms() + 60'000 || now_ms() > give_up) break;
    auto n = redis.command({"ZCOUNT", keys::hold_deadlines(e.id), "-inf", std::to_string(now_ms() + 60'000)});
    log << "== audit: waiting for " << (n && n->type == REDIS_REPLY_INTEGER ? n->integer : 0)
        << " unpaid holds to expire (the reapers return them)\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<std::int64_t>(due - now_ms() + 500, 200, 2'000)));
  }
  if (due != 0 && due <= now_ms() + 60'000)
    rep.notes.push_back("audit: holds were still expiring when it started; the state may have moved under it");
}

// Redis' own count of the memory it uses (INFO memory used_memory), or 0 when it cannot say.
std::uint64_t redis_used_memory(blocking_client& redis) {
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
  if (draw_commit(cfg, ed, ph, commit) != 0) {
    log << commit.str();
    return false;
  }
  std::string text = commit.str(), tag = "seed (secret until the draw): ";
  auto p = text.find(tag);
  std::string seed = p == std::string::npos ? "" : text.substr(p + tag.size(), 64);
  std::ostringstream drawn;
  if (draw_run(cfg, ed, ph, seed, dir, drawn) != 0) {
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

int surge_command(const cli& c, std::ostream& out, std::ostream& log) {
  auto s = prepare(c, c.surge.edition);
  if (!s.error.empty()) return log << s.error << "\n", 2;
  const edition_config& e = *s.edition;
  surge_options o = c.surge;
  if (o.mix.empty())
    for (auto& p : e.phases) o.mix.emplace_back(p.id, 1.0);
  for (auto& [ph, w] : o.mix)
    if (!e.find_phase(ph)) return log << "--mix: edition " << e.id << " has no phase '" << ph << "'\n", 2;
  if (o.mix.size() > 255) return log << "--mix: too many phases\n", 2;
  surge_secrets keys;
  std::string err;
  keys.jwt_key = secret_or_error(s.cfg.secrets.jwt_key, "jwt_key", err);
  if (err.empty()) keys.payment_key = secret_or_error(s.cfg.secrets.payment_key, "payment_key", err);
  if (!err.empty()) return log << err << "\n", 2;
  std::filesystem::create_directories(c.out_dir);

  blocking_client redis(s.cfg.redis);
  if (!redis.ok()) return log << redis.error() << "\n", 2;
  bool has_holds = false;
  redis.scan(keys::hold(e.id, "*"), [&](const std::vector<std::string>&) { has_holds = true; });
  if (has_holds)
    return log << "edition " << e.id << " already has holds in this Redis: the audit compares what is sold with this "
               << "run's confirmations, so the surge needs a fresh edition (a new redis-server, or FLUSHDB)\n", 2;

  const std::uint64_t memory_at_start = redis_used_memory(redis);
  report rep;
  rep.scenario = "surge";
  rep.target = s.target.address().to_string() + ":" + std::to_string(s.target.port());
  rep.started = iso8601(now_ms());
  std::string mix_text;
  for (auto& [ph, w] : o.mix) mix_text += (mix_text.empty() ? "" : ",") + ph + ":" + std::to_string(w).substr(0, 4);
  rep.parameters = {{"edition", e.id}, {"fans", std::to_string(o.fans)}, {"mix", mix_text},
                    {"connections", std::to_string(o.connections)}, {"seed", std::to_string(o.seed)},
                    {"club", std::to_string(o.club)}, {"pre_queue", std::to_string(o.pre_queue)},
                    {"confirm", std::to_string(o.confirm)}, {"retry", std::to_string(o.retry)},
                    {"misbehave", std::to_string(o.misbehave)}, {"poll_ms", std::to_string(o.poll.count())}};

  // 1. Registration, inside each draw phase's window.
  draw_outcome plan = plan_fans(e, o);
  recorder reg_rec, rec;
  std::vector<const phase_config*> draws;
  std::int64_t closes = 0;
  for (auto& [ph, w] : o.mix)
    if (auto* p = e.find_phase(ph); p->draw) {
      auto seeded = redis.command({"HGET", keys::draw_meta(e.id, ph), "seed"});
      if (seeded && seeded->type == REDIS_REPLY_STRING)
        return log << "phase " << ph << " was already drawn in this Redis; the surge needs a fresh edition\n", 2;
      auto now = now_ms();
      if (now < p->registration_opens_ms || now >= p->registration_closes_ms)
        return log << "phase " << ph << ": registration is not open now (" << iso8601(p->registration_opens_ms) << " to "
                   << iso8601(p->registration_closes_ms) << "); the surge needs a config whose window is open "
                   << "(scripts/surge.sh writes one from loadtest/surge.toml)\n", 2;
      draws.push_back(p);
      closes = std::max(closes, p->registration_closes_ms);
    }
  if (!draws.empty()) {
    log << "== registration: " << o.fans << " fans over " << o.connections << " connections\n";
    register_fans(e, o, keys, s.target, plan, reg_rec, log);
    rep.registration = &reg_rec;
    std::uint64_t n = 0;
    for (auto r : plan.registered) n += r;
    rep.notes.push_back("registration: " + std::to_string(n) + " fans registered in " +
                        std::to_string(reg_rec.elapsed_s()).substr(0, 5) + " s");
    // 2. The draw runs once registration has closed.
    auto wait = closes - now_ms();
    if (wait > o.deadline.count())
      return log << "registration closes at " << iso8601(closes) << ", after the deadline: nothing to surge\n", 2;
    if (wait > 0) {
      log << "== registration closes in " << (wait + 999) / 1000 << " s; the draw runs then\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(wait + 50));
    }
    for (auto* p : draws) {
      log << "== draw " << e.id << " " << p->id << "\n";
      if (!run_draw(s.cfg, e.id, p->id, c.out_dir + "/draw-" + p->id, rep.notes, log)) return 2;
    }
  }
  // 3. Who won which slot: the draw's hash, as the waiting room reads it.
  std::vector<std::uint64_t> drawn(o.mix.size(), 0), registered(o.mix.size(), 0);
  for (std::size_t k = 0; k < o.mix.size(); ++k) {
    const phase_config* p = e.find_phase(o.mix[k].first);
    if (!p->draw) continue;
    const std::string prefix = o.prefix + "-";
    bool ok = redis.hscan(keys::draw(e.id, p->id), [&](std::string_view account, std::string_view slot) {
      std::uint64_t i = 0;
      if (!account.starts_with(prefix)) return;
      auto tail = account.substr(prefix.size());
      if (std::from_chars(tail.data(), tail.data() + tail.size(), i).ec != std::errc() || i >= o.fans) return;
      for (std::size_t j = 0; j < p->slots.size(); ++j)
        if (p->slots[j].id == slot) plan.slot[i] = static_cast<std::int16_t>(j);
    });
    if (!ok) return log << "cannot read the draw of " << p->id << "\n", 2;
  }
  for (std::uint64_t i = 0; i < o.fans; ++i) {
    registered[plan.phase[i]] += plan.registered[i];
    drawn[plan.phase[i]] += plan.slot[i] >= 0;
  }
  for (std::size_t k = 0; k < o.mix.size(); ++k) {
    const phase_config* p = e.find_phase(o.mix[k].first);
    std::string slots;
    for (auto& sl : p->slots) slots += (slots.empty() ? "" : ", ") + sl.id + " opens " + iso8601(sl.start_ms);
    rep.notes.push_back("room " + p->id + ": " + std::to_string(drawn[k]) + " fans with a slot (" + slots + ")");
  }

  rep.notes.push_back(redis_memory_note("after registration and draw", memory_at_start, redis_used_memory(redis), o.fans));

  // A person can watch from the inside: the waiting page of one of the fans, in the slot that
  // opens last (its pre-queue and its line are the longest to watch). The page and the harness
  // share that fan's one place.
  if (!s.cfg.web.root.empty()) {
    std::int64_t best = -1, latest = -1;
    for (std::uint64_t i = 0; i < o.fans; ++i) {
      if (plan.slot[i] < 0) continue;
      const phase_config* p = e.find_phase(o.mix[plan.phase[i]].first);
      std::int64_t start = p->slots[static_cast<std::size_t>(plan.slot[i])].start_ms;
      if (start > latest) latest = start, best = static_cast<std::int64_t>(i);
    }
    if (best >= 0) {
      const auto i = static_cast<std::uint64_t>(best);
      std::string account = o.prefix + "-" + std::to_string(i);
      std::string jwt = sign_jwt(keys.jwt_key, "{\"sub\":\"" + account + "\",\"exp\":" + std::to_string(now_ms() / 1000 + 6 * 3600) + "}");
      log << "== watch it from the inside, as " << account << " (open now, in a browser on this machine):\n   http://"
          << rep.target << "/wait/" << e.id << "/" << o.mix[plan.phase[i]].first << "#token=" << jwt << "\n";
    }
  }

  // 4. The opening.
  log << "== surge: fans arrive around their slot's opening\n";
  auto result = run_surge(e, o, keys, s.target, plan, rec, log);
  for (std::size_t k = 0; k < result.rooms.size(); ++k) {
    result.rooms[k].registered = e.find_phase(o.mix[k].first)->draw ? registered[k] : 0;
    result.rooms[k].drawn = drawn[k];
  }
  rep.main = &rec;
  write_ledger(c.out_dir + "/ledger.tsv", result.sales);

  // 5. The audit, behind the gateway's back, on a new connection: the primary may have changed
  // during the run (a failover), and the audit must read the one that holds the sales now.
  blocking_client primary(s.cfg.redis);
  if (!primary.ok()) {
    rep.audit.emplace();
    rep.audit->violate("cannot reach the Redis primary for the audit: " + primary.error());
  } else {
    settle(primary, e, rep, log);
    rep.notes.push_back(redis_memory_note("after the surge", memory_at_start, redis_used_memory(primary), o.fans));
    log << "== audit: reading Redis\n";
    rep.audit = audit_edition(primary, e, &result.sales);
  }
  rep.surge = std::move(result);
  finish_report(rep, c, out, log);
  return rep.ok() ? 0 : 1;
}

int load_command(const cli& c, std::ostream& out, std::ostream& log) {
  auto s = prepare(c, c.load.edition);
  if (!s.error.empty()) return log << s.error << "\n", 2;
  if (!s.edition->find_phase(c.load.phase))
    return log << "edition " << c.load.edition << " has no phase '" << c.load.phase << "'\n", 2;
  load_keys keys;
  std::string err;
  if (c.scenario != "poll") keys.jwt_key = secret_or_error(s.cfg.secrets.jwt_key, "jwt_key", err);
  if (!err.empty()) return log << err << "\n", 2;
  if (c.scenario == "hold") {
    std::string ignored;
    keys.admin_key = secret_or_error(s.cfg.secrets.admin_key, "admin_key", ignored);
  }
  report rep;
  rep.scenario = c.scenario + (c.load.rate > 0 ? " (open loop)" : " (closed loop)");
  rep.target = s.target.address().to_string() + ":" + std::to_string(s.target.port());
  rep.started = iso8601(now_ms());
  rep.parameters = {{"room", c.load.edition + "/" + c.load.phase}, {"connections", std::to_string(c.load.connections)},
                    {"rate", c.load.rate > 0 ? std::to_string(c.load.rate) : "closed loop"},
                    {"duration_ms", std::to_string(c.load.duration.count())}};
  recorder rec;
  rep.main = &rec;
  auto res = run_load(*s.edition, c.load, keys, s.target, rec, log);
  if (!res.error.empty()) return log << c.scenario << ": " << res.error << "\n", 2;
  rep.load = res;
  if (c.scenario != "poll") {
    blocking_client redis(s.cfg.redis);
    if (!redis.ok()) return log << redis.error() << "\n", 2;
    settle(redis, *s.edition, rep, log);
    rep.audit = audit_edition(redis, *s.edition, nullptr);
  }
  finish_report(rep, c, out, log);
  return rep.ok() ? 0 : 1;
}

int audit_command(const cli& c, std::ostream& out, std::ostream& log) {
  auto s = prepare(c, c.surge.edition);
  if (!s.error.empty()) return log << s.error << "\n", 2;
  std::optional<std::vector<sale>> ledger;
  if (!c.ledger.empty()) {
    std::string err;
    ledger = read_ledger(c.ledger, err);
    if (!ledger) return log << err << "\n", 2;
  }
  blocking_client redis(s.cfg.redis);
  if (!redis.ok()) return log << redis.error() << "\n", 2;
  report rep;
  rep.scenario = "audit of " + s.edition->id;
  rep.target = s.cfg.redis.host + ":" + std::to_string(s.cfg.redis.port);
  rep.started = iso8601(now_ms());
  if (ledger) rep.notes.push_back("sales compared with " + c.ledger);
  settle(redis, *s.edition, rep, log);
  rep.audit = audit_edition(redis, *s.edition, ledger ? &*ledger : nullptr);
  finish_report(rep, c, out, log);
  return rep.ok() ? 0 : 1;
}

}  // namespace

int run_command(const cli& c, std::ostream& out, std::ostream& log) {
  if (c.scenario == "surge") return surge_command(c, out, log);
  if (c.scenario == "audit") return audit_command(c, out, log);
  return load_command(c, out, log);
}

}  // namespace guichet::loadtest
