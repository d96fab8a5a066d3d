#include "gateway/checkout/availability_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/keys.hpp"
#include "core/json_writer.hpp"
#include "gateway/metrics/prometheus.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::checkout {

availability_cache::availability_cache(server::worker& w) : w_(w) {
  for (auto& e : w.cfg.editions) {
    if (e.sessions.empty()) continue;
    edition_view v{&e, {}, {}, false};
    for (auto& s : e.sessions) v.inv_keys.push_back(keys::inventory(e.id, s.id));
    editions_.push_back(std::move(v));
  }
}

void availability_cache::start() {
  if (editions_.empty()) return;
  net::co_spawn(w_.io, refresh_loop(), net::detached);
}

const std::string* availability_cache::availability(std::string_view edition) const {
  for (auto& e : editions_)
    if (e.edition->id == edition) return e.loaded ? &e.body : nullptr;
  return nullptr;
}

net::awaitable<void> availability_cache::refresh_loop() {
  net::steady_timer t(w_.io);
  while (!w_.draining) {
    for (auto& e : editions_) co_await refresh(e);
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> availability_cache::refresh(edition_view& v) {
  if (!w_.redis->ready()) co_return;
  const edition_config& e = *v.edition;
  std::vector<std::string> args{std::to_string(e.sessions.size())};
  std::size_t ncat = 0;
  for (auto& s : e.sessions) {
    args.push_back(std::to_string(s.categories.size()));
    for (auto& [cat, cap] : s.categories) args.push_back(cat), ++ncat;
  }
  std::vector<std::string_view> keys(v.inv_keys.begin(), v.inv_keys.end()), argv(args.begin(), args.end());
  auto r = co_await w_.redis->eval(redis::script::availability, keys, argv);
  if (r.ec || r.reply.elements.size() != 4 * ncat) co_return;
  v.categories.clear();
  json_writer j;
  j.open('{').kv("edition", e.id).key("sessions").open('[');
  std::size_t i = 0;
  const auto& el = r.reply.elements;
  for (const session_config& s : e.sessions) {
    j.open('{').kv("id", s.id).kv("name", s.name).kv("sport", s.sport).kv("venue", s.venue).kv("date", s.date);
    j.kv("ceremony", s.ceremony).key("categories").open('{');
    for (std::size_t c = 0; c < s.categories.size(); ++c, i += 4) {
      j.key(s.categories[c].first);
      if (el[i].str == "-1") {  // not loaded into Redis yet
        j.null();
        continue;
      }
      v.categories.push_back({e.id, s.id, s.categories[c].first, redis::as_uint(el[i]), as_uint(el[i + 1]), as_uint(el[i + 2]),
                              as_uint(el[i + 3])});
      j.open('{').kv("available", as_uint(el[i + 1])).kv("capacity", as_uint(el[i])).close('}');
    }
    j.close('}').close('}');
  }
  j.close(']').close('}');
  v.body = j.take();
  v.loaded = true;
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
