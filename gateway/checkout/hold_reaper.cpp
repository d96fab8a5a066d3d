#include "gateway/checkout/hold_reaper.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/checkout.hpp"
#include "core/keys.hpp"
#include "core/clock.hpp"
#include "gateway/base/log.hpp"
#include "gateway/checkout/settlement.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/server/server.hpp"
#include "gateway/server/worker.hpp"

namespace guichet::checkout {

hold_reaper::hold_reaper(server::worker& w) : w_(w) {
  for (auto& e : w.cfg.editions)
    if (!e.sessions.empty()) editions_.push_back(&e);
}

void hold_reaper::start() {
  if (editions_.empty() || w_.index != 0) return;
  net::co_spawn(w_.io, reap_loop(), net::detached);
}

// Worker 0 of every gateway runs this loop, and the fleet lease's holder alone reaps (one reaper
// per fleet at a time): holds past their deadline go back on sale. The release script re-checks
// the deadline on Redis' clock, so two reapers racing at a change of holder are harmless. Each
// batch of due holds is released concurrently (the connection pipelines them), and full batches
// follow each other without waiting for the next tick: a wave of unpaid holds at the end of a
// surge is returned at Redis speed, not at 100 per tick.
net::awaitable<void> hold_reaper::reap_loop() {
  net::steady_timer t(w_.io);
  while (!w_.draining) {
    t.expires_after(std::chrono::milliseconds(250));
    co_await t.async_wait(net::as_tuple(net::use_awaitable));
    if (!w_.srv.fleet().leading()) {
      w_.stats.reaper_lag_ms.v.store(0, std::memory_order_relaxed);  // the holder reports it
      continue;
    }
    for (const edition_config* v : editions_) {
      for (int batch = 0; batch < 100 && w_.redis->ready() && !w_.draining; ++batch) {
        const std::string& ed = v->id;
        std::string deadlines = keys::hold_deadlines(ed), now = std::to_string(system_ms());
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
    for (const edition_config* v : editions_) {
      if (!w_.redis->ready() || w_.draining) break;
      std::string deadlines = keys::hold_deadlines(v->id);
      std::string_view oldest[] = {"ZRANGE", deadlines, "0", "0", "WITHSCORES"};
      auto o = co_await w_.redis->command(oldest);
      if (!o.ec && o.reply.elements.size() == 2)
        lag = std::max<std::int64_t>(lag, system_ms() - static_cast<std::int64_t>(redis::as_uint(o.reply.elements[1])));
    }
    w_.stats.reaper_lag_ms.v.store(static_cast<std::uint64_t>(std::max<std::int64_t>(lag, 0)), std::memory_order_relaxed);
  }
}

net::awaitable<void> hold_reaper::reap_one(std::string ed, std::string id) {
  std::string hold = keys::hold(ed, id), deadlines = keys::hold_deadlines(ed), prefix = keys::prefix(ed);
  std::string_view kv[] = {hold, deadlines};
  std::string_view argv[] = {"expire", "", id, prefix};
  auto r = co_await w_.redis->eval(redis::script::release, kv, argv);
  if (r.ec == redis::redis_errc::reply_error) log::error("reaper", {{"hold", id}, {"error", r.reply.str}});
  if (r.ec || r.reply.elements.empty()) co_return;
  if (r.reply.elements[0].str == "not_found") {
    // A deadline entry without its hold: drop it so it does not block the queue.
    std::string_view zrem[] = {"ZREM", deadlines, id};
    co_await w_.redis->command(zrem);
    co_return;
  }
  if (const edition_config* e = w_.cfg.find_edition(ed)) count_settlement(w_, *e, r.reply);
}

}  // namespace guichet::checkout
