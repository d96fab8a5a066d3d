#include "gateway/inventory.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/keys.hpp"
#include "core/json_escape.hpp"
#include "gateway/log.hpp"
#include "gateway/redis_values.hpp"
#include "gateway/worker.hpp"

namespace guichet {

void session_keys(std::string_view edition, const std::vector<hold_item>& items, std::vector<std::string>& keys,
                  std::vector<std::string>& sessions) {
  for (auto& i : items) {
    if (!sessions.empty() && sessions.back() == i.session) continue;
    sessions.push_back(i.session);
    keys.push_back(keys::inventory(edition, i.session));
  }
}

inventory::inventory(worker& w) : w_(w) {
  for (auto& e : w.cfg.editions) {
    if (e.sessions.empty()) continue;
    edition_view v{&e, {}, {}, false};
    for (auto& s : e.sessions) v.inv_keys.push_back(keys::inventory(e.id, s.id));
    editions_.push_back(std::move(v));
  }
}

void inventory::start() {
  if (editions_.empty()) return;
  net::co_spawn(w_.io, refresh_loop(), net::detached);
  if (w_.index == 0) net::co_spawn(w_.io, reap_loop(), net::detached);
}

const std::string* inventory::availability(std::string_view edition) const {
  for (auto& e : editions_)
    if (e.edition->id == edition) return e.loaded ? &e.body : nullptr;
  return nullptr;
}

net::awaitable<void> inventory::refresh_loop() {
  net::steady_timer t(w_.io);
  while (!w_.draining) {
    for (auto& e : editions_) co_await refresh(e);
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> inventory::refresh(edition_view& v) {
  if (!w_.redis->ready()) co_return;
  const edition_config& e = *v.edition;
  std::vector<std::string> args{std::to_string(e.sessions.size())};
  std::size_t ncat = 0;
  for (auto& s : e.sessions) {
    args.push_back(std::to_string(s.categories.size()));
    for (auto& [cat, cap] : s.categories) args.push_back(cat), ++ncat;
  }
  std::vector<std::string_view> keys(v.inv_keys.begin(), v.inv_keys.end()), argv(args.begin(), args.end());
  auto r = co_await w_.redis->eval(script::availability, keys, argv);
  if (r.ec || r.reply.elements.size() != 4 * ncat) co_return;
  v.categories.clear();
  std::string b = "{\"edition\":\"" + e.id + "\",\"sessions\":[";
  std::size_t i = 0;
  for (std::size_t si = 0; si < e.sessions.size(); ++si) {
    const session_config& s = e.sessions[si];
    if (si) b += ',';
    b += "{\"id\":\"" + s.id + "\",\"name\":\"";
    append_json_escaped(b, s.name);
    b += "\",\"sport\":\"";
    append_json_escaped(b, s.sport);
    b += "\",\"venue\":\"";
    append_json_escaped(b, s.venue);
    b += "\",\"date\":\"";
    append_json_escaped(b, s.date);
    b += "\",\"ceremony\":";
    b += s.ceremony ? "true" : "false";
    b += ",\"categories\":{";
    for (std::size_t c = 0; c < s.categories.size(); ++c, i += 4) {
      if (c) b += ',';
      const auto& el = r.reply.elements;
      bool loaded = el[i].str != "-1";
      if (loaded)
        v.categories.push_back({e.id, s.id, s.categories[c].first, as_uint(el[i]), as_uint(el[i + 1]), as_uint(el[i + 2]),
                           as_uint(el[i + 3])});
      b += "\"" + s.categories[c].first + "\":";
      b += loaded ? "{\"available\":" + std::to_string(as_uint(el[i + 1])) + ",\"capacity\":" +
                        std::to_string(as_uint(el[i])) + "}"
                  : "null";  // not loaded into Redis yet
    }
    b += "}}";
  }
  b += "]}";
  v.body = std::move(b);
  v.loaded = true;
}

// Every gateway runs this (on its worker 0): holds past their deadline go back on sale. The
// release script re-checks the deadline on Redis' clock, so racing reapers are harmless. Each
// batch of due holds is released concurrently (the connection pipelines them), and full batches
// follow each other without waiting for the next tick: a wave of unpaid holds at the end of a
// surge is returned at Redis speed, not at 100 per tick.
net::awaitable<void> inventory::reap_loop() {
  net::steady_timer t(w_.io);
  while (!w_.draining) {
    t.expires_after(std::chrono::milliseconds(250));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
    for (auto& v : editions_) {
      for (int batch = 0; batch < 100 && w_.redis->ready() && !w_.draining; ++batch) {
        const std::string& ed = v.edition->id;
        std::string deadlines = keys::hold_deadlines(ed), now = std::to_string(worker::now_ms());
        std::string_view range[] = {"ZRANGEBYSCORE", deadlines, "-inf", now, "LIMIT", "0", "100"};
        auto due = co_await w_.redis->command(range);
        if (due.ec || due.reply.elements.empty()) break;
        std::size_t pending = due.reply.elements.size();
        net::steady_timer all_done(w_.io, net::steady_timer::time_point::max());
        for (auto& id : due.reply.elements)
          net::co_spawn(w_.io, reap_one(ed, id.str), [&](std::exception_ptr) {
            if (--pending == 0) all_done.cancel();
          });
        co_await all_done.async_wait(net::as_tuple(net::use_awaitable));
        if (due.reply.elements.size() < 100) break;
      }
    }
    // How late the reaper is: the oldest deadline still waiting, over every edition (0 when none
    // is overdue). Reaping is concurrent and re-checked in Redis, so any lag past a second or two
    // means Redis or this worker cannot keep up.
    std::int64_t lag = 0;
    for (auto& v : editions_) {
      if (!w_.redis->ready() || w_.draining) break;
      std::string deadlines = keys::hold_deadlines(v.edition->id);
      std::string_view oldest[] = {"ZRANGE", deadlines, "0", "0", "WITHSCORES"};
      auto o = co_await w_.redis->command(oldest);
      if (!o.ec && o.reply.elements.size() == 2)
        lag = std::max<std::int64_t>(lag, worker::now_ms() - static_cast<std::int64_t>(as_uint(o.reply.elements[1])));
    }
    w_.stats.reaper_lag_ms.v.store(static_cast<std::uint64_t>(std::max<std::int64_t>(lag, 0)), std::memory_order_relaxed);
  }
}

net::awaitable<void> inventory::reap_one(std::string ed, std::string id) {
  std::string hold = keys::hold(ed, id), deadlines = keys::hold_deadlines(ed);
  std::string_view get[] = {"HMGET", hold, "items", "account", "phase"};
  auto h = co_await w_.redis->command(get);
  if (h.ec) co_return;
  if (h.reply.elements.size() != 3 || h.reply.elements[0].type != redis_reply::kind::string) {
    // A deadline entry without its hold: drop it so it does not block the queue.
    std::string_view zrem[] = {"ZREM", deadlines, id};
    co_await w_.redis->command(zrem);
    co_return;
  }
  auto items = decode_items(h.reply.elements[0].str);
  std::vector<std::string> keys{hold, keys::account(ed, h.reply.elements[1].str), deadlines}, sessions;
  session_keys(ed, items, keys, sessions);
  std::vector<std::string_view> kv(keys.begin(), keys.end());
  std::vector<std::string_view> argv{"expire", "", id};
  argv.insert(argv.end(), sessions.begin(), sessions.end());
  auto r = co_await w_.redis->eval(script::release, kv, argv);
  if (r.ec == redis_errc::reply_error) log::error("reaper", {{"hold", id}, {"error", r.reply.str}});
  if (!r.ec && r.reply.elements.size() == 2 && r.reply.elements[1].str == "now")
    if (const edition_config* e = w_.cfg.find_edition(ed))
      if (const phase_config* p = e->find_phase(h.reply.elements[2].str))
        if (auto* ev = w_.events(*e, *p)) ev->holds_expired.add();
}

}  // namespace guichet
