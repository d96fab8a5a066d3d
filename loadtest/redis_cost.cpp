#include "loadtest/redis_cost.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <string_view>

#include "core/clock.hpp"
#include "gateway/lua/lua_scripts.hpp"

namespace guichet::loadtest {

namespace {
constexpr long long kMaxLen = 20'000;  // entries kept: 100 ms of 200,000 commands/s between two reads

double info_field(std::string_view text, std::string_view tag) {
  auto p = text.find(tag);
  if (p == std::string_view::npos) return -1;
  auto end = text.find('\r', p);
  return std::stod(std::string(text.substr(p + tag.size(), end - p - tag.size())));
}

std::string config_get(redis::blocking_client& c, const char* name) {
  auto r = c.command({"CONFIG", "GET", name});
  if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) return std::string(r->element[1]->str, r->element[1]->len);
  return {};
}

// A script's name from an EVALSHA's arguments: the SHA-1 names it; a hold also says over how
// many sessions (its KEYS beyond the hold's own three are the sessions' inventories).
std::string script_name(const redisReply* args) {
  std::string cmd(args->element[0]->str, args->element[0]->len);
  for (auto& ch : cmd) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (cmd != "EVALSHA" || args->elements < 3) return cmd + " (command)";
  std::string_view sha(args->element[1]->str, args->element[1]->len);
  for (auto& s : redis::scripts()) {
    if (s.sha1 != sha) continue;
    std::string name(s.name);
    if (name == "hold") {
      int numkeys = 0;
      std::from_chars(args->element[2]->str, args->element[2]->str + args->element[2]->len, numkeys);
      int sessions = numkeys - 6;  // KEYS: account, hold, deadlines, idempotency, active, sessions, inv_1 .. inv_m
      name += sessions == 1 ? " (1 session)" : " (" + std::to_string(sessions) + " sessions)";
    }
    return name;
  }
  return "EVALSHA (unknown script)";
}
}  // namespace

redis_cost_meter::redis_cost_meter(const redis_config& cfg, bool per_script)
    : cfg_(cfg), per_script_(per_script), control_(cfg) {}

redis_cost_meter::~redis_cost_meter() {
  if (started_ms_ && !finished_) finish();  // puts SLOWLOG back as it was
}

namespace {
std::string run_id(redis::blocking_client& c) {
  auto r = c.command({"INFO", "server"});
  if (!r || r->type != REDIS_REPLY_STRING) return {};
  std::string_view t(r->str, r->len), tag = "run_id:";
  auto p = t.find(tag);
  if (p == std::string_view::npos) return {};
  return std::string(t.substr(p + tag.size(), 40));
}
}  // namespace

double redis_cost_meter::cpu(redis::blocking_client& c, std::string& err) {
  auto r = c.command({"INFO", "cpu"});
  if (!r || r->type != REDIS_REPLY_STRING) return err = "INFO cpu unreadable", -1;
  std::string_view t(r->str, r->len);
  double u = info_field(t, "used_cpu_user:"), s = info_field(t, "used_cpu_sys:");
  if (u < 0 || s < 0) return err = "INFO cpu has no used_cpu_user/used_cpu_sys", -1;
  return u + s;
}

std::pair<std::uint64_t, std::uint64_t> redis_cost_meter::io_events(redis::blocking_client& c) {
  auto r = c.command({"INFO", "stats"});
  if (!r || r->type != REDIS_REPLY_STRING) return {};
  std::string_view t(r->str, r->len);
  double reads = info_field(t, "total_reads_processed:"), writes = info_field(t, "total_writes_processed:");
  return {reads < 0 ? 0 : static_cast<std::uint64_t>(reads), writes < 0 ? 0 : static_cast<std::uint64_t>(writes)};
}

// What the harness's own SLOWLOG GETs cost Redis so far (INFO commandstats), subtracted.
double redis_cost_meter::slowlog_get_usec(redis::blocking_client& c) {
  auto r = c.command({"INFO", "commandstats"});
  if (!r || r->type != REDIS_REPLY_STRING) return 0;
  std::string_view t(r->str, r->len);
  auto p = t.find("cmdstat_slowlog|get:");
  if (p == std::string_view::npos) return 0;
  auto u = t.find("usec=", p);
  return u == std::string_view::npos ? 0 : info_field(t.substr(u), "usec=");
}

void redis_cost_meter::start() {
  if (!control_.ok()) return;
  if (per_script_) {
    threshold_ = config_get(control_, "slowlog-log-slower-than");
    max_len_ = config_get(control_, "slowlog-max-len");
    auto set = control_.command({"CONFIG", "SET", "slowlog-max-len", std::to_string(kMaxLen)});
    if (!set || set->type == REDIS_REPLY_ERROR) {  // CONFIG refused (an ACL, a managed Redis): the CPU alone
      per_script_ = false;
      refused_ = set ? std::string(set->str, set->len) : control_.error();
    } else {
      control_.command({"SLOWLOG", "RESET"});
      control_.command({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
    }
  }
  std::string err;
  run_id_ = run_id(control_);
  get_usec0_ = slowlog_get_usec(control_);
  io0_ = io_events(control_);
  cpu0_ = cpu(control_, err);
  started_ms_ = steady_ms();
  if (!per_script_) return;
  reader_ = std::thread([this] {
    redis::blocking_client c(cfg_);
    while (!stop_.load()) {
      if (c.ok()) drain(c);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (c.ok()) drain(c);
  });
}

// Reads the entries logged since the last read (SLOWLOG ids only grow; the reply is newest
// first) and counts them per script. A gap in the ids means the log dropped entries before
// they were read: counted as lost.
void redis_cost_meter::drain(redis::blocking_client& c) {
  auto top = c.command({"SLOWLOG", "GET", "1"});
  if (!top || top->type != REDIS_REPLY_ARRAY || top->elements == 0) return;
  std::int64_t newest = top->element[0]->element[0]->integer;
  if (newest <= last_id_) return;
  long long n = last_id_ < 0 ? kMaxLen : std::min<long long>(kMaxLen, newest - last_id_ + 64);
  auto r = c.command({"SLOWLOG", "GET", std::to_string(n)});
  if (!r || r->type != REDIS_REPLY_ARRAY) return;
  std::int64_t oldest_new = -1, newest_read = last_id_;
  std::size_t fresh = 0;  // the entries not read before: r->element[0 .. fresh)
  for (; fresh < r->elements; ++fresh) {
    const redisReply* e = r->element[fresh];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 5 || e->element[3]->type != REDIS_REPLY_ARRAY) break;
    std::int64_t id = e->element[0]->integer;
    if (id <= last_id_) break;
    newest_read = std::max(newest_read, id);
    oldest_new = id;
  }
  // Oldest first: a script's own commands are logged (client "?:0", Lua's) just before it.
  for (std::size_t i = fresh; i-- > 0;) {
    const redisReply* e = r->element[i];
    const redisReply* args = e->element[3];
    if (std::string_view(e->element[4]->str, e->element[4]->len) == "?:0") {
      ++inner_pending_;
      continue;
    }
    std::string_view cmd = args->elements ? std::string_view(args->element[0]->str, args->element[0]->len) : "";
    if (cmd == "SLOWLOG" || cmd == "slowlog" || cmd == "INFO" || cmd == "info" || cmd == "CONFIG" || cmd == "config") continue;
    auto& sc = calls_[script_name(args)];
    ++sc.calls;
    sc.usec += static_cast<std::uint64_t>(e->element[2]->integer);
    sc.inner += inner_pending_;
    inner_pending_ = 0;
    ++entries_;
  }
  if (last_id_ >= 0 && oldest_new > last_id_ + 1) lost_ += static_cast<std::uint64_t>(oldest_new - last_id_ - 1);
  last_id_ = newest_read;
}

redis_cost redis_cost_meter::finish() {
  redis_cost out;
  finished_ = true;
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  if (!control_.ok()) return out.why_not = "cannot reach Redis: " + control_.error(), out;
  // The primary now (after a failover it is another server, with another CPU and another log).
  redis::blocking_client now(cfg_);
  if (!now.ok()) return out.why_not = "cannot reach Redis: " + now.error(), out;
  std::string err;
  double cpu1 = cpu(now, err), get_usec1 = slowlog_get_usec(now);
  auto io1 = io_events(now);
  out.seconds = static_cast<double>(steady_ms() - started_ms_) / 1000.0;
  for (auto* c : {&control_, &now}) {
    if (!c->ok() || !per_script_) continue;
    c->command({"CONFIG", "SET", "slowlog-log-slower-than", threshold_.empty() ? "10000" : threshold_});
    c->command({"CONFIG", "SET", "slowlog-max-len", max_len_.empty() ? "128" : max_len_});
    c->command({"SLOWLOG", "RESET"});
  }
  if (run_id(now) != run_id_) return out.why_not = "the Redis primary changed during the run (a failover)", out;
  if (cpu0_ < 0 || cpu1 < 0) return out.why_not = err, out;
  out.measured = true;
  out.per_script = per_script_;
  if (!refused_.empty()) out.why_not = "no per-script rows: CONFIG SET was refused (" + refused_ + ")";
  out.cpu_seconds = std::max(0.0, cpu1 - cpu0_ - (get_usec1 - get_usec0_) / 1e6);
  out.commands = entries_;
  out.lost = lost_;
  out.reads = io1.first > io0_.first ? io1.first - io0_.first : 0;
  out.writes = io1.second > io0_.second ? io1.second - io0_.second : 0;
  for (auto& [name, s] : calls_) {
    out.scripts.push_back(s);
    out.scripts.back().name = name;
  }
  std::sort(out.scripts.begin(), out.scripts.end(), [](const auto& a, const auto& b) {
    bool ac = a.name.ends_with(" (command)"), bc = b.name.ends_with(" (command)");
    if (ac != bc) return bc;  // the scripts first, then plain commands
    return a.calls > b.calls;
  });
  return out;
}

}  // namespace guichet::loadtest
