#include "gateway/inventory_loader.hpp"

#include <string>
#include <vector>

#include "core/keys.hpp"
#include "gateway/lua_scripts.hpp"
#include "gateway/sync_redis.hpp"

namespace guichet {

int load_inventory(const config& cfg, std::ostream& out) {
  sync_redis redis(cfg.redis);
  if (!redis.ok()) {
    out << "cannot connect: " << redis.error() << "\n";
    return 2;
  }
  const auto& body = scripts()[static_cast<std::size_t>(script::inventory_load)].body;
  int rc = 0;
  std::size_t created = 0, updated = 0, unchanged = 0, refused = 0;
  for (auto& e : cfg.editions)
    for (auto& s : e.sessions) {
      std::string key = keys::inventory(e.id, s.id);
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
      }
    }
  if (auto w = redis.wait_replicas(cfg.redis); !w.empty()) return out << "inventory: " << w << "\n", 2;
  out << "inventory: " << created << " created, " << updated << " updated, " << unchanged << " unchanged, " << refused
      << " refused\n";
  return rc;
}

}  // namespace guichet
