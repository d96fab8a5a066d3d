#include "gateway/sync_redis.hpp"

#include "core/secret.hpp"
#include "gateway/sentinel.hpp"

namespace guichet {

sync_redis::sync_redis(const redis_config& cfg)
    : c_(nullptr, redisFree), where_(cfg.host + ":" + std::to_string(cfg.port)) {
  if (cfg.sentinels.empty()) {
    open({cfg.host, cfg.port}, cfg);
    return;
  }
  // Each sentinel's answer in turn, until one names a server that is up and says it is primary.
  const std::string password = cfg.sentinel_password.empty() ? "" : load_secret(cfg.sentinel_password);
  std::string failures;
  for (std::size_t first = 0; first < cfg.sentinels.size();) {
    auto a = ask_sentinels_blocking(cfg, password, first);
    where_ = "master '" + cfg.master + "'";
    if (!a.primary) {
      problem_ = "no sentinel knows the primary (" + a.why + ")" + failures;
      return;
    }
    where_ += " at " + a.primary->to_string();
    if (open(*a.primary, cfg)) return;
    failures += "; " + a.primary->to_string() + " named by sentinel " + cfg.sentinels[a.sentinel].to_string() + ": " +
                error();
    if (a.sentinel + 1 >= cfg.sentinels.size()) return;
    first = a.sentinel + 1;
  }
}

bool sync_redis::open(const redis_address& primary, const redis_config& cfg) {
  problem_.clear();
  timeval tv{static_cast<time_t>(cfg.command_timeout.count() / 1000 + 5), 0};
  c_.reset(redisConnectWithTimeout(primary.host.c_str(), primary.port, tv));
  if (!c_ || c_->err) return false;
  redisSetTimeout(c_.get(), tv);
  if (!cfg.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!cfg.user.empty()) auth.push_back(cfg.user);
    auth.push_back(load_secret(cfg.password));
    auto r = command(auth);
    if (!r || r->type == REDIS_REPLY_ERROR) {
      problem_ = "AUTH refused (" + std::string(r ? r->str : "no answer") + ")";
      return false;
    }
  }
  // The ops commands write: never to a replica, whatever a sentinel or the config said.
  auto role = command({"ROLE"});
  if (!role || role->type != REDIS_REPLY_ARRAY || role->elements == 0 ||
      std::string_view(role->element[0]->str, role->element[0]->len) != "master")
    problem_ = "not a primary (ROLE: " +
               std::string(role && role->type == REDIS_REPLY_ERROR ? role->str
                           : role && role->elements ? role->element[0]->str : "no answer") + ")";
  return problem_.empty();
}

bool sync_redis::ok() const { return c_ && !c_->err && problem_.empty(); }

std::string sync_redis::error() const {
  return "redis at " + where_ + ": " +
         (!problem_.empty() ? problem_ : c_ ? std::string(c_->errstr) : std::string("cannot allocate a context"));
}

std::string sync_redis::wait_replicas(const redis_config& cfg) {
  if (cfg.replicas_ack == 0) return {};
  auto r = command({"WAIT", std::to_string(cfg.replicas_ack), std::to_string(cfg.replicas_timeout.count())});
  if (!r || r->type != REDIS_REPLY_INTEGER) return "WAIT failed: " + (r && r->str ? std::string(r->str) : error());
  if (r->integer < static_cast<long long>(cfg.replicas_ack))
    return "only " + std::to_string(r->integer) + " of redis.replicas_ack = " + std::to_string(cfg.replicas_ack) +
           " replicas acknowledged the writes in " + std::to_string(cfg.replicas_timeout.count()) +
           " ms: the outcome is not durable yet; run the command again";
  return {};
}

namespace {
void argv_of(const std::vector<std::string>& args, std::vector<const char*>& argv, std::vector<std::size_t>& lens) {
  for (auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
}
}  // namespace

sync_redis::reply sync_redis::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv_of(args, argv, lens);
  return reply(static_cast<redisReply*>(redisCommandArgv(c_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())),
               freeReplyObject);
}

void sync_redis::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv_of(args, argv, lens);
  redisAppendCommandArgv(c_.get(), static_cast<int>(argv.size()), argv.data(), lens.data());
}

sync_redis::reply sync_redis::read() {
  void* r = nullptr;
  if (redisGetReply(c_.get(), &r) != REDIS_OK) r = nullptr;
  return reply(static_cast<redisReply*>(r), freeReplyObject);
}

bool sync_redis::hscan(const std::string& key,
                       const std::function<void(std::string_view field, std::string_view value)>& each) {
  std::string cursor = "0";
  do {
    auto r = command({"HSCAN", key, cursor, "COUNT", "10000"});
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return false;
    cursor = r->element[0]->str;
    auto* kv = r->element[1];
    for (std::size_t i = 0; i + 1 < kv->elements; i += 2)
      each({kv->element[i]->str, kv->element[i]->len}, {kv->element[i + 1]->str, kv->element[i + 1]->len});
  } while (cursor != "0");
  return true;
}

bool sync_redis::scan(const std::string& pattern, const std::function<void(const std::vector<std::string>& keys)>& page) {
  std::string cursor = "0";
  std::vector<std::string> keys;
  do {
    auto r = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "2000"});
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return false;
    cursor = r->element[0]->str;
    keys.clear();
    for (std::size_t i = 0; i < r->element[1]->elements; ++i)
      keys.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
    if (!keys.empty()) page(keys);
  } while (cursor != "0");
  return true;
}

}  // namespace guichet
