#include "gateway/sync_redis.hpp"

namespace guichet {

sync_redis::sync_redis(const redis_config& cfg)
    : c_(nullptr, redisFree), where_(cfg.host + ":" + std::to_string(cfg.port)) {
  timeval tv{static_cast<time_t>(cfg.command_timeout.count() / 1000 + 5), 0};
  c_.reset(redisConnectWithTimeout(cfg.host.c_str(), cfg.port, tv));
  if (c_ && !c_->err) redisSetTimeout(c_.get(), tv);
}

std::string sync_redis::error() const {
  return "redis at " + where_ + ": " + (c_ ? std::string(c_->errstr) : std::string("cannot allocate a context"));
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
