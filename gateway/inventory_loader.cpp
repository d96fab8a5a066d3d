#include "gateway/inventory_loader.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "core/keys.hpp"
#include "gateway/lua_scripts.hpp"

namespace guichet {

int load_inventory(const config& cfg, std::ostream& out) {
  timeval tv{static_cast<time_t>(cfg.redis.command_timeout.count() / 1000 + 1), 0};
  std::unique_ptr<redisContext, decltype(&redisFree)> c(
      redisConnectWithTimeout(cfg.redis.host.c_str(), cfg.redis.port, tv), redisFree);
  if (!c || c->err) {
    out << "cannot connect to redis at " << cfg.redis.host << ":" << cfg.redis.port
        << (c ? std::string(": ") + c->errstr : std::string()) << "\n";
    return 2;
  }
  redisSetTimeout(c.get(), tv);
  const auto& body = scripts()[static_cast<std::size_t>(script::inventory_load)].body;
  int rc = 0;
  std::size_t created = 0, updated = 0, unchanged = 0, refused = 0;
  for (auto& e : cfg.editions)
    for (auto& s : e.sessions) {
      std::string key = keys::inventory(e.id, s.id);
      std::vector<std::string> args{"EVAL", std::string(body), "1", key};
      for (auto& [cat, cap] : s.categories) args.insert(args.end(), {cat, std::to_string(cap)});
      std::vector<const char*> argv;
      std::vector<std::size_t> lens;
      for (auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
      std::unique_ptr<redisReply, decltype(&freeReplyObject)> r(
          static_cast<redisReply*>(redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())),
          freeReplyObject);
      if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != s.categories.size()) {
        out << e.id << " " << s.id << ": redis error" << (r && r->type == REDIS_REPLY_ERROR ? std::string(": ") + r->str : "")
            << "\n";
        return 2;
      }
      for (std::size_t i = 0; i < r->elements; ++i) {
        std::string status(r->element[i]->str, r->element[i]->len);
        out << e.id << " " << s.id << " " << s.categories[i].first << " capacity " << s.categories[i].second << ": ";
        if (status.rfind("refused:", 0) == 0) {
          out << "refused, " << status.substr(8) << " seats are held or sold\n";
          ++refused;
          rc = 1;
        } else {
          out << status << "\n";
          (status == "created" ? created : status == "updated" ? updated : unchanged)++;
        }
      }
    }
  out << "inventory: " << created << " created, " << updated << " updated, " << unchanged << " unchanged, " << refused
      << " refused\n";
  return rc;
}

}  // namespace guichet
