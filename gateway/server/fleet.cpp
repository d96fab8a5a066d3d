#include "gateway/server/fleet.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <random>
#include <unistd.h>

#include "core/keys.hpp"
#include "gateway/base/log.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::server {

using namespace boost::asio::experimental::awaitable_operators;

namespace {
std::string make_id() {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  char tail[24];
  std::snprintf(tail, sizeof tail, ":%d:%08x", static_cast<int>(::getpid()), rd());
  return host + std::string(tail);
}
}  // namespace

fleet::fleet(std::chrono::milliseconds round, deliver_fn deliver)
    : round_(round), deliver_(std::move(deliver)), id_(make_id()), state_(std::make_shared<const fleet_state>()) {}

std::shared_ptr<const fleet_state> fleet::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void fleet::replace(std::shared_ptr<const fleet_state> s) {
  {
    std::lock_guard lock(mu_);
    state_ = s;
  }
  deliver_(std::move(s));
}

void fleet::merge(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::shared_ptr<const fleet_state> next;
  {
    std::lock_guard lock(mu_);  // any worker may publish (an admin's refresh): copy, change, swap
    auto s = std::make_shared<fleet_state>(*state_);
    for (auto& [k, v] : fields) (*s)[k] = v;
    state_ = next = std::move(s);
  }
  deliver_(std::move(next));
}

// A round of the holder: one EVALSHA (renew if still mine). A round of any other gateway: plain
// commands, no script: try to take the lease, and if another holds it, read when it lapses and
// what the holder published.
net::awaitable<void> fleet::run(worker& w) {
  net::steady_timer t(w.io);
  const std::string lease = keys::fleet_lease(), published = keys::fleet_state(),
                    ttl = std::to_string(2 * round_.count());
  while (!w.draining) {
    auto next = round_;
    if (w.redis->ready()) {
      bool held = false;
      if (leading()) {
        std::string_view k[] = {lease}, a[] = {id_, ttl};
        auto r = co_await w.redis->eval(redis::script::fleet_lease, k, a);
        held = !r.ec && r.reply.integer == 1;
      }
      if (!held) {
        // One round trip: the three commands leave in one write (awaited together).
        std::string_view take[] = {"SET", lease, id_, "NX", "PX", ttl}, pttl[] = {"PTTL", lease},
                         all[] = {"HGETALL", published};
        auto [r, p, h] = co_await (w.redis->command(take) && w.redis->command(pttl) && w.redis->command(all));
        held = !r.ec && r.reply.type == redis::redis_reply::kind::status;  // OK: it was free (nil: held)
        if (!r.ec && !held) {
          if (!h.ec) {
            auto s = std::make_shared<fleet_state>();
            const auto& kv = h.reply.elements;
            for (std::size_t i = 0; i + 1 < kv.size(); i += 2) s->emplace(kv[i].str, kv[i + 1].str);
            replace(std::move(s));
          }
          // Try again the moment the holder's lease lapses, not a whole round later.
          if (!p.ec && p.reply.integer > 0)
            next = std::clamp(std::chrono::milliseconds(p.reply.integer + 1), std::chrono::milliseconds(1), round_);
        }
      }
      if (held != leading()) log::info(held ? "fleet lease taken" : "fleet lease held elsewhere", {{"id", id_}});
      leading_.store(held, std::memory_order_relaxed);
      w.stats.fleet_leader.v.store(held ? 1 : 0, std::memory_order_relaxed);
    }
    t.expires_after(next);
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> fleet::publish(worker& w, std::vector<std::pair<std::string, std::string>> fields) {
  if (fields.empty()) co_return;
  merge(fields);
  std::string published = keys::fleet_state();
  std::vector<std::string_view> hset{"HSET", published};
  for (auto& [k, v] : fields) hset.insert(hset.end(), {k, v});
  co_await w.redis->command(hset);
}

net::awaitable<void> fleet::let_go(worker& w) {
  if (!leading_.exchange(false) || !w.redis->ready()) co_return;
  std::string lease = keys::fleet_lease();
  std::string_view k[] = {lease}, a[] = {id_, "0"};
  co_await w.redis->eval(redis::script::fleet_lease, k, a);
}

}  // namespace guichet::server
