#include "gateway/commands/load_inventory.hpp"

#include <string>
#include <vector>

#include "core/json_escape.hpp"
#include "core/keys.hpp"
#include "gateway/commands/record_command.hpp"
#include "gateway/lua/lua_scripts.hpp"
#include "gateway/redis/blocking_client.hpp"

namespace guichet::commands {

int load_inventory(const config& cfg, std::ostream& out) {
  redis::blocking_client redis(cfg.redis);
  if (!redis.ok()) {
    out << "cannot connect: " << redis.error() << "\n";
    return 2;
  }
  const auto& body = redis::scripts()[static_cast<std::size_t>(redis::script::inventory_load)].body;
  int rc = 0;
  std::size_t created = 0, updated = 0, unchanged = 0, refused = 0;
  for (auto& e : cfg.editions) {
    std::string before, after;  // the audit entry: capacities that changed, old and new
    for (auto& s : e.sessions) {
      std::string key = keys::inventory(e.id, s.id);
      std::vector<std::string> old_caps{"HMGET", key};
      for (auto& [cat, cap] : s.categories) old_caps.push_back("c:" + cat);
      auto previous = redis.command(old_caps);
      std::vector<std::string> args{"EVAL", std::string(body), "1", key};
      for (auto& [cat, cap] : s.categories) args.insert(args.end(), {cat, std::to_string(cap)});
      auto r = redis.command(args);
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
        if (status == "unchanged") continue;
        auto* old = previous && previous->type == REDIS_REPLY_ARRAY && i < previous->elements ? previous->element[i] : nullptr;
        std::string what = json_quoted(s.id + "/" + s.categories[i].first) + ":";
        before += (before.empty() ? "" : ",") + what + (old && old->type == REDIS_REPLY_STRING ? std::string(old->str) : "null");
        after += (after.empty() ? "" : ",") + what +
                 (status.rfind("refused:", 0) == 0 ? json_quoted(status) : std::to_string(s.categories[i].second));
      }
    }
    if (auto problem = record_command(cfg, redis, {.what = "inventory.load", .edition = e.id, .before = "{" + before + "}",
                                                   .after = "{" + after + "}"});
        !problem.empty())
      out << e.id << ": " << problem << "\n", rc = 2;
  }
  if (auto w = redis.wait_replicas(cfg.redis); !w.empty()) return out << "inventory: " << w << "\n", 2;
  out << "inventory: " << created << " created, " << updated << " updated, " << unchanged << " unchanged, " << refused
      << " refused\n";
  return rc;
}

}  // namespace guichet::commands
