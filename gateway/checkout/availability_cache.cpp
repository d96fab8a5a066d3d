#include "gateway/checkout/availability_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/keys.hpp"
#include "core/split.hpp"
#include "core/json_writer.hpp"
#include "gateway/metrics/prometheus.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/server/server.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::checkout {

availability_cache::availability_cache(server::worker& w) : w_(w) {
  for (auto& e : w.cfg.editions) {
    if (e.sessions.empty()) continue;
    edition_view v{&e, {}, "avail:" + e.id, {}, {}, false};
    for (auto& s : e.sessions) v.inv_keys.push_back(keys::inventory(e.id, s.id));
    editions_.push_back(std::move(v));
  }
}

void availability_cache::start() {
  if (!editions_.empty() && w_.index == 0) net::co_spawn(w_.io, refresh_loop(), net::detached);
}

const std::string* availability_cache::availability(std::string_view edition) const {
  for (auto& e : editions_)
    if (e.edition->id == edition) return e.loaded ? &e.body : nullptr;
  return nullptr;
}

// Worker 0: the lease holder reads every edition once a second and publishes them together; a
// follower reads only an edition missing from the fleet's state (one the holder's config lacks).
net::awaitable<void> availability_cache::refresh_loop() {
  net::steady_timer t(w_.io);
  server::fleet& fleet = w_.srv.fleet();
  while (!w_.draining) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (auto& e : editions_) {
      if (!fleet.leading() && fleet.state()->count(e.field)) continue;
      std::string v = co_await refresh(e);
      if (!v.empty()) fields.emplace_back(e.field, std::move(v));
    }
    co_await fleet.publish(w_, std::move(fields));
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

void availability_cache::follow(const server::fleet_state& s) {
  for (auto& e : editions_) {
    auto it = s.find(e.field);
    if (it != s.end() && it->second != e.published) apply(e, it->second);
  }
}

net::awaitable<std::string> availability_cache::refresh(edition_view& v) {
  if (!w_.redis->ready()) co_return std::string();
  const edition_config& e = *v.edition;
  std::vector<std::string> args{std::to_string(e.sessions.size())};
  for (auto& s : e.sessions) {
    args.push_back(std::to_string(s.categories.size()));
    for (auto& [cat, cap] : s.categories) args.push_back(cat);
  }
  std::vector<std::string_view> keys(v.inv_keys.begin(), v.inv_keys.end()), argv(args.begin(), args.end());
  auto r = co_await w_.redis->eval(redis::script::availability, keys, argv);
  if (r.ec) co_return std::string();
  std::string out;
  for (std::size_t i = 0; i < r.reply.elements.size(); ++i) {
    if (i) out += ',';
    out += r.reply.elements[i].str;
  }
  co_return apply(v, out) ? out : std::string();
}

bool availability_cache::apply(edition_view& v, std::string_view published) {
  const edition_config& e = *v.edition;
  const auto el = split(published, ',');
  std::size_t ncat = 0;
  for (auto& s : e.sessions) ncat += s.categories.size();
  if (el.size() != 4 * ncat) return false;  // another config's edition (rolling deploy)
  constexpr auto num = to_u64;
  v.categories.clear();
  json_writer j;
  j.open('{').kv("edition", e.id).key("sessions").open('[');
  std::size_t i = 0;
  for (const session_config& s : e.sessions) {
    j.open('{').kv("id", s.id).kv("name", s.name).kv("sport", s.sport).kv("venue", s.venue).kv("date", s.date);
    j.kv("ceremony", s.ceremony).key("categories").open('{');
    for (std::size_t c = 0; c < s.categories.size(); ++c, i += 4) {
      j.key(s.categories[c].first);
      if (el[i] == "-1") {  // not loaded into Redis yet
        j.null();
        continue;
      }
      v.categories.push_back({e.id, s.id, s.categories[c].first, num(el[i]), num(el[i + 1]), num(el[i + 2]), num(el[i + 3])});
      j.open('{').kv("available", num(el[i + 1])).kv("capacity", num(el[i])).close('}');
    }
    j.close('}').close('}');
  }
  j.close(']').close('}');
  v.body = j.take();
  v.published.assign(published);
  v.loaded = true;
  return true;
}

void availability_cache::render_metrics(std::string& out) const {
  metrics::metric_head(out, "guichet_seats", "gauge", "Seats per session and category by state (available + held + sold = capacity).");
  each_seats([&](const seats& s) {
    std::string l = "edition=\"" + std::string(s.edition) + "\",session=\"" + std::string(s.session) + "\",category=\"" +
                    std::string(s.category) + "\",state=\"";
    metrics::metric_sample(out, "guichet_seats", l + "available\"", s.available);
    metrics::metric_sample(out, "guichet_seats", l + "held\"", s.held);
    metrics::metric_sample(out, "guichet_seats", l + "sold\"", s.sold);
  });
}

}  // namespace guichet::checkout
