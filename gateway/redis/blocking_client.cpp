#include "gateway/redis/blocking_client.hpp"

#include "core/secret.hpp"
#include "gateway/redis/handshake.hpp"
#include "gateway/redis/sentinel.hpp"

namespace guichet::redis {

blocking_client::blocking_client(const redis_config& cfg)
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

bool blocking_client::open(const redis_address& primary, const redis_config& cfg) {
  problem_.clear();
  timeval tv{static_cast<time_t>(cfg.command_timeout.count() / 1000 + 5), 0};
  c_.reset(redisConnectWithTimeout(primary.host.c_str(), primary.port, tv));
  if (!c_ || c_->err) return false;
  redisSetTimeout(c_.get(), tv);
  const handshake hello(cfg.user, cfg.password.empty() ? std::string() : load_secret(cfg.password), true);
  for (const handshake::step& step : hello.steps) {
    redis_result r;
    if (auto reply = command(step.args)) {
      convert(reply.get(), r.reply);
      if (r.reply.type == redis_reply::kind::error) r.ec = redis_errc::reply_error;
    } else {
      r.ec = redis_errc::lost;
    }
    problem_ = handshake::refused(step, r);
    if (!problem_.empty()) return false;
  }
  return problem_.empty();
}

bool blocking_client::ok() const { return c_ && !c_->err && problem_.empty(); }

std::string blocking_client::error() const {
  return "redis at " + where_ + ": " +
         (!problem_.empty() ? problem_ : c_ ? std::string(c_->errstr) : std::string("cannot allocate a context"));
}

std::string blocking_client::wait_replicas(const redis_config& cfg) {
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

blocking_client::reply blocking_client::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv_of(args, argv, lens);
  return reply(static_cast<redisReply*>(redisCommandArgv(c_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())),
               freeReplyObject);
}

void blocking_client::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv_of(args, argv, lens);
  redisAppendCommandArgv(c_.get(), static_cast<int>(argv.size()), argv.data(), lens.data());
}

blocking_client::reply blocking_client::read() {
  void* r = nullptr;
  if (redisGetReply(c_.get(), &r) != REDIS_OK) r = nullptr;
  return reply(static_cast<redisReply*>(r), freeReplyObject);
}

bool blocking_client::hscan(const std::string& key,
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

bool blocking_client::scan(const std::string& pattern, const std::function<void(const std::vector<std::string>& keys)>& page) {
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

}  // namespace guichet::redis
