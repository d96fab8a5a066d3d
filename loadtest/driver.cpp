#include "loadtest/driver.hpp"
#include "loadtest/stages.hpp"
#include "loadtest/surge/command.hpp"

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
namespace {

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
  rep.started = iso8601(system_ms());
  rep.parameters = {{"room", c.load.edition + "/" + c.load.phase}, {"connections", std::to_string(c.load.connections)},
                    {"rate", c.load.rate > 0 ? std::to_string(c.load.rate) : "closed loop"},
                    {"duration_ms", std::to_string(c.load.duration.count())}};
  recorder rec;
  rep.main = &rec;
  auto res = run_load(*s.edition, c.load, keys, s.target, rec, log);
  if (!res.error.empty()) return log << c.scenario << ": " << res.error << "\n", 2;
  rep.load = res;
  if (c.scenario != "poll") {
    redis::blocking_client redis(s.cfg.redis);
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
  redis::blocking_client redis(s.cfg.redis);
  if (!redis.ok()) return log << redis.error() << "\n", 2;
  report rep;
  rep.scenario = "audit of " + s.edition->id;
  rep.target = s.cfg.redis.host + ":" + std::to_string(s.cfg.redis.port);
  rep.started = iso8601(system_ms());
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
