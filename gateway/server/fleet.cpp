#include "gateway/server/fleet.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <charconv>
#include <random>
#include <unistd.h>

#include "core/keys.hpp"
#include "gateway/base/log.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/redis/subscriber.hpp"
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

// The fields of an 'S' or 'F' message: for each, "<key length>:<value length>:" then key and value.
std::string encode(char kind, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string m(1, kind);
  for (auto& [k, v] : fields) {
    m += std::to_string(k.size());
    m += ':';
    m += std::to_string(v.size());
    m += ':';
    m += k;
    m += v;
  }
  return m;
}

bool decode(std::string_view m, std::vector<std::pair<std::string, std::string>>& out) {
  m.remove_prefix(1);
  while (!m.empty()) {
    std::size_t kn = 0, vn = 0;
    auto [p1, e1] = std::from_chars(m.data(), m.data() + m.size(), kn);
    if (e1 != std::errc() || p1 == m.data() + m.size() || *p1 != ':') return false;
    m.remove_prefix(static_cast<std::size_t>(p1 - m.data()) + 1);
    auto [p2, e2] = std::from_chars(m.data(), m.data() + m.size(), vn);
    if (e2 != std::errc() || p2 == m.data() + m.size() || *p2 != ':') return false;
    m.remove_prefix(static_cast<std::size_t>(p2 - m.data()) + 1);
    if (kn > m.size() || vn > m.size() - kn) return false;
    out.emplace_back(m.substr(0, kn), m.substr(kn, vn));
    m.remove_prefix(kn + vn);
  }
  return true;
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

void fleet::heard(std::string_view news) {
  if (news.empty()) return;
  const char kind = news[0];
  if (kind == 'L' || kind == 'S') renewed_ = std::chrono::steady_clock::now();
  if (kind == 'R') renewed_ = {};  // let go: ask at the next wake-up
  if ((kind == 'S' || kind == 'F') && !leading()) {
    std::vector<std::pair<std::string, std::string>> fields;
    if (decode(news, fields)) merge(fields);
  }
}

// A round of the holder: one EVALSHA (renew if still mine, and say so on the channel). A round of
// any other gateway: nothing while the holder's renewals are heard; else plain commands, no
// script: try to take the lease, and if another holds it, read when it lapses and what the
// holder published.
net::awaitable<void> fleet::run(worker& w) {
  net::steady_timer t(w.io);
  const std::string lease = keys::fleet_lease(), published = keys::fleet_state(), channel = keys::fleet_channel(),
                    ttl = std::to_string(2 * round_.count());
  const auto silence = round_ + round_ / 4;
  redis::subscriber news(w.io, w.cfg.redis, channel, [this](std::string_view m) { heard(m); });
  while (!w.draining) {
    auto next = round_;
    if (w.redis->ready()) {
      bool held = false;
      if (leading()) {
        const auto since = std::chrono::steady_clock::now().time_since_epoch().count() - renewed_ns_.load();
        if (since < std::chrono::nanoseconds(round_).count()) {
          // Renewed within the round by a publish. Look again when that renewal is a round and a
          // half old (the next publish comes before), not a whole round from now: the lease (two
          // rounds) is renewed with half a round to spare, never in its last moments.
          held = true;
          next = std::chrono::duration_cast<std::chrono::milliseconds>(round_ + round_ / 2 -
                                                                       std::chrono::nanoseconds(since));
        } else {
          std::string_view k[] = {lease, published}, a[] = {id_, ttl, channel, "L"};
          auto r = co_await w.redis->eval(redis::script::fleet_lease, k, a);
          held = !r.ec && r.reply.integer == 1;
          if (held) renewed_ns_.store(std::chrono::steady_clock::now().time_since_epoch().count());
        }
      }
      const auto quiet = std::chrono::steady_clock::now() - renewed_;
      if (!held && news.subscribed() && quiet < silence) {
        // The holder renewed less than a round and a quarter ago: nothing to ask. Look again
        // when that much silence would have passed.
        next = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(silence - quiet) +
                              std::chrono::milliseconds(1),
                          std::chrono::milliseconds(1), round_);
      } else if (!held) {
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
      // Followers listen; the holder does not (it would hear only itself).
      if (held) news.stop();
      else news.keep(w.redis->address());
    }
    t.expires_after(next);
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
  news.stop();
}

net::awaitable<void> fleet::publish(worker& w, std::vector<std::pair<std::string, std::string>> fields) {
  if (fields.empty()) co_return;
  merge(fields);
  const std::string lease = keys::fleet_lease(), published = keys::fleet_state(), channel = keys::fleet_channel();
  if (leading()) {
    // With the lease's renewal: one script call writes the hash and tells the followers.
    const std::string ttl = std::to_string(2 * round_.count()), message = encode('S', fields);
    std::string_view k[] = {lease, published};
    std::vector<std::string_view> a{id_, ttl, channel, message};
    for (auto& [f, v] : fields) a.insert(a.end(), {f, v});
    auto r = co_await w.redis->eval(redis::script::fleet_lease, k, a);
    if (!r.ec && r.reply.integer == 1)
      renewed_ns_.store(std::chrono::steady_clock::now().time_since_epoch().count());
    co_return;  // not renewed: no longer the holder, whose state the followers take instead
  }
  std::vector<std::string_view> hset{"HSET", published};
  for (auto& [k, v] : fields) hset.insert(hset.end(), {k, v});
  // The followers are told at once; one that missed it reads the hash. Both leave in one write.
  const std::string message = encode('F', fields);
  std::string_view pub[] = {"PUBLISH", channel, message};
  co_await (w.redis->command(hset) && w.redis->command(pub));
}

net::awaitable<void> fleet::let_go(worker& w) {
  if (!leading_.exchange(false) || !w.redis->ready()) co_return;
  std::string lease = keys::fleet_lease();
  std::string published = keys::fleet_state(), channel = keys::fleet_channel();
  std::string_view k[] = {lease, published}, a[] = {id_, "0", channel, ""};
  co_await w.redis->eval(redis::script::fleet_lease, k, a);
}

}  // namespace guichet::server
