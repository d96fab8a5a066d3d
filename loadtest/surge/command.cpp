#include "loadtest/surge/command.hpp"
#include "loadtest/redis_cost.hpp"

#include <tuple>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/draw.hpp"
#include "core/jwt.hpp"
#include "core/keys.hpp"
#include "core/clock.hpp"
#include "gateway/commands/draw.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "loadtest/audit.hpp"
#include "loadtest/ledger.hpp"
#include "loadtest/report/report.hpp"
#include "loadtest/stages.hpp"
#include "loadtest/surge/surge.hpp"

namespace guichet::loadtest {
namespace {

// One surge run's state, from the set-up to the report: each stage below is a step of
// surge_command.
struct surge_run {
  const cli& c;
  setup& s;
  const edition_config& e;
  surge_options o;
  surge_secrets keys;
  guichet::redis::blocking_client& redis;
  std::ostream& log;
  report rep;
  recorder reg_rec, rec;
  draw_outcome plan;
  std::vector<std::uint64_t> drawn, registered;  // per room of the mix
};

// The report's head: scenario, target, parameters.
void start_report(surge_run& r) {
  const surge_options& o = r.o;
  r.rep.scenario = "surge";
  r.rep.target = r.s.target.address().to_string() + ":" + std::to_string(r.s.target.port());
  r.rep.started = iso8601(system_ms());
  std::string mix_text;
  for (auto& [ph, w] : o.mix) mix_text += (mix_text.empty() ? "" : ",") + ph + ":" + std::to_string(w).substr(0, 4);
  r.rep.parameters = {{"edition", r.e.id}, {"fans", std::to_string(o.fans)}, {"mix", mix_text},
                      {"connections", std::to_string(o.connections)}, {"seed", std::to_string(o.seed)},
                      {"club", std::to_string(o.club)}, {"pre_queue", std::to_string(o.pre_queue)},
                      {"confirm", std::to_string(o.confirm)}, {"retry", std::to_string(o.retry)},
                      {"misbehave", std::to_string(o.misbehave)}, {"poll_ms", std::to_string(o.poll.count())}};
}

// 1. Registration, inside each draw phase's window; 2. the draw once it has closed. 0, or the
// exit code.
int register_and_draw(surge_run& run) {
  const edition_config& e = run.e;
  const surge_options& o = run.o;
  auto [c, s, log, redis, rep, plan, reg_rec, keys] =
      std::tie(run.c, run.s, run.log, run.redis, run.rep, run.plan, run.reg_rec, run.keys);
  std::vector<const phase_config*> draws;
  std::int64_t closes = 0;
  for (auto& [ph, w] : o.mix)
    if (auto* p = e.find_phase(ph); p->draw) {
      auto seeded = redis.command({"HGET", keys::draw_meta(e.id, ph), "seed"});
      if (seeded && seeded->type == REDIS_REPLY_STRING)
        return log << "phase " << ph << " was already drawn in this Redis; the surge needs a fresh edition\n", 2;
      auto now = system_ms();
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
    auto wait = closes - system_ms();
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
  return 0;
}

// 3. Who won which slot: the draw's hash, as the waiting room reads it. 0, or the exit code.
int read_winners(surge_run& run) {
  const edition_config& e = run.e;
  const surge_options& o = run.o;
  auto [redis, log, plan, drawn, registered] = std::tie(run.redis, run.log, run.plan, run.drawn, run.registered);
  drawn.assign(o.mix.size(), 0);
  registered.assign(o.mix.size(), 0);
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
    run.rep.notes.push_back("room " + p->id + ": " + std::to_string(drawn[k]) + " fans with a slot (" + slots + ")");
  }

  return 0;
}

// A person can watch from the inside: the waiting page of one of the fans, in the slot that
// opens last (its pre-queue and its line are the longest to watch). The page and the harness
// share that fan's one place.
void print_watch_link(const surge_run& run) {
  const edition_config& e = run.e;
  const surge_options& o = run.o;
  const draw_outcome& plan = run.plan;
  if (run.s.cfg.web.root.empty()) return;
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
    std::string jwt = sign_jwt(run.keys.jwt_key, "{\"sub\":\"" + account + "\",\"exp\":" + std::to_string(system_ms() / 1000 + 6 * 3600) + "}");
    run.log << "== watch it from the inside, as " << account << " (open now, in a browser on this machine):\n   http://"
        << run.rep.target << "/wait/" << e.id << "/" << o.mix[plan.phase[i]].first << "#token=" << jwt << "\n";
  }
}

// 5. The audit, behind the gateway's back, on a new connection: the primary may have changed
// during the run (a failover), and the audit must read the one that holds the sales now.
void audit_after(surge_run& run, const surge_result& result, std::uint64_t memory_at_start, redis_cost_meter& meter) {
  redis::blocking_client primary(run.s.cfg.redis);
  if (!primary.ok()) {
    run.rep.audit.emplace();
    run.rep.audit->violate("cannot reach the Redis primary for the audit: " + primary.error());
    return;
  }
  settle(primary, run.e, run.rep, run.log);
  run.rep.redis = meter.finish();  // the journeys are over: unpaid holds have gone back on sale
  run.rep.notes.push_back(redis_memory_note("after the surge", memory_at_start, redis_used_memory(primary), run.o.fans));
  run.log << "== audit: reading Redis\n";
  run.rep.audit = audit_edition(primary, run.e, &result.sales);
}

}  // namespace

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

  redis::blocking_client redis(s.cfg.redis);
  if (!redis.ok()) return log << redis.error() << "\n", 2;
  bool has_holds = false;
  redis.scan(keys::hold(e.id, "*"), [&](const std::vector<std::string>&) { has_holds = true; });
  if (has_holds)
    return log << "edition " << e.id << " already has holds in this Redis: the audit compares what is sold with this "
               << "run's confirmations, so the surge needs a fresh edition (a new redis-server, or FLUSHDB)\n", 2;

  const std::uint64_t memory_at_start = redis_used_memory(redis);
  surge_run run{c, s, e, o, keys, redis, log, {}, {}, {}, plan_fans(e, o), {}, {}};
  start_report(run);
  if (int rc = register_and_draw(run)) return rc;
  if (int rc = read_winners(run)) return rc;
  run.rep.notes.push_back(redis_memory_note("after registration and draw", memory_at_start, redis_used_memory(redis), o.fans));
  print_watch_link(run);

  // 4. The opening.
  log << "== surge: fans arrive around their slot's opening\n";
  redis_cost_meter meter(s.cfg.redis, o.redis_log);
  meter.start();
  auto result = run_surge(e, run.o, keys, s.target, run.plan, run.rec, log);
  for (std::size_t k = 0; k < result.rooms.size(); ++k) {
    result.rooms[k].registered = e.find_phase(run.o.mix[k].first)->draw ? run.registered[k] : 0;
    result.rooms[k].drawn = run.drawn[k];
  }
  run.rep.main = &run.rec;
  write_ledger(c.out_dir + "/ledger.tsv", result.sales);
  for (auto& room : result.rooms) {  // each admission: the fan's place, when it came back (ms)
    std::ofstream adm(c.out_dir + "/admissions-" + room.phase + ".tsv");
    adm << "position\tadmitted_ms\n";
    for (auto& a : room.admissions) adm << a.position << '\t' << a.at_us / 1000 << '\n';
  }
  audit_after(run, result, memory_at_start, meter);
  run.rep.surge = std::move(result);
  finish_report(run.rep, c, out, log);
  return run.rep.ok() ? 0 : 1;
}

}  // namespace guichet::loadtest
