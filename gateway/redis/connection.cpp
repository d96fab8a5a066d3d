#include "gateway/redis/connection.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/container/small_vector.hpp>
#include <charconv>

#include "core/secret.hpp"
#include "gateway/base/log.hpp"
#include "gateway/redis/asio_bridge.hpp"
#include "gateway/redis/handshake.hpp"
#include "gateway/redis/sentinel.hpp"

namespace guichet::redis {

struct redis_connection::op {
  handler h;
  std::chrono::steady_clock::time_point deadline;
  bool done = false;
  redis_connection* owner = nullptr;
};

redis_connection::redis_connection(net::io_context& io, const redis_config& cfg, redis_stats& stats,
                                   redis_primary_view* view)
    : io_(io),
      cfg_(cfg),
      stats_(stats),
      view_(view),
      password_(cfg.password.empty() ? std::string() : load_secret(cfg.password)),
      sentinel_password_(cfg.sentinel_password.empty() ? std::string() : load_secret(cfg.sentinel_password)),
      backoff_(cfg.reconnect_min),
      reconnect_timer_(io),
      tick_timer_(io),
      wait_(io, [this](std::function<void(long long)> done) { send_wait(std::move(done)); }) {}

redis_connection::~redis_connection() { stop(); }

void redis_connection::start() {
  connect();
  tick();
  if (!cfg_.sentinels.empty()) {
    // A failover announced by a sentinel: drop the connection to the old primary at once
    // rather than wait for its errors; the reconnect asks the sentinels again.
    auto on_switch = [this, stopped = watch_stopped_](const redis_address& a) {
      if (*stopped) return;
      log::warn("redis sentinel: +switch-master", {{"master", cfg_.master}, {"primary", a.to_string()}});
      backoff_ = cfg_.reconnect_min;
      if (!(a == current_)) drop(ac_);
      if (!ac_ && reconnect_timer_.cancel() > 0) connect();  // waiting out a backoff: go now
    };
    net::co_spawn(io_, watch_sentinels(cfg_, sentinel_password_, on_switch, watch_stopped_), net::detached);
  }
}

void redis_connection::stop() {
  if (stopped_) return;
  stopped_ = true;
  *watch_stopped_ = true;
  reconnect_timer_.cancel();
  tick_timer_.cancel();
  if (ready_) stats_.connected.sub();
  ready_ = false;  // a deliberate close is not a lost connection
  if (ac_) redisAsyncFree(ac_);  // pending callbacks get NULL replies: completed as `lost`
}

void redis_connection::connect() {
  if (stopped_) return;
  if (cfg_.sentinels.empty()) return connect_to({cfg_.host, cfg_.port});
  net::co_spawn(io_, resolve(), net::detached);
}

net::awaitable<void> redis_connection::resolve() {
  auto a = co_await ask_sentinels(cfg_, sentinel_password_, next_sentinel_);
  if (stopped_) co_return;
  if (!a.primary) {
    if (warn_due()) log::warn("redis sentinel: no primary known", {{"master", cfg_.master}, {"why", a.why}});
    schedule_reconnect();
    co_return;
  }
  next_sentinel_ = a.sentinel;
  connect_to(*a.primary);
}

void redis_connection::drop(redisAsyncContext* ac) {
  // Never from inside a hiredis callback: posted, and only if that connection is still current.
  net::post(io_, [this, ac] {
    if (ac && ac_ == ac) {
      stats_.not_primary.add();
      redisAsyncFree(ac_);
    }
  });
}

bool redis_connection::warn_due() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_warn_ < std::chrono::seconds(5)) return false;  // a down Redis is a line, not a flood
  last_warn_ = now;
  return true;
}

void redis_connection::warn_connect_failed(const char* why) {
  if (warn_due()) log::warn("redis connect failed", {{"address", current_.to_string()}, {"why", why}});
}

void redis_connection::connect_to(const redis_address& where) {
  if (stopped_) return;
  current_ = where;
  redisAsyncContext* ac = redisAsyncConnect(where.host.c_str(), where.port);
  if (!ac || ac->err) {
    warn_connect_failed(ac ? ac->errstr : "cannot allocate a context");
    if (ac) redisAsyncFree(ac);
    schedule_reconnect();
    return;
  }
  ac->data = this;
  bridge_ = asio_bridge::attach(io_, ac, [this] { on_context_gone(); });
  ac_ = ac;
  connect_started_ = std::chrono::steady_clock::now();
  redisAsyncSetConnectCallback(ac, on_connect);  // arms the first write event: connect completion
}

void redis_connection::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<redis_connection*>(ac->data);
  if (status != REDIS_OK) {  // hiredis frees the context; cleanup schedules the retry
    self->warn_connect_failed(ac->errstr);
    return;
  }
  if (self->ever_connected_) self->stats_.reconnects.add();
  self->ever_connected_ = true;
  net::co_spawn(self->io_, self->load_scripts(self->ac_), net::detached);
}

net::awaitable<void> redis_connection::load_scripts(redisAsyncContext* ac) {
  const handshake hello(cfg_.user, password_, true);
  for (const handshake::step& step : hello.steps) {
    boost::container::small_vector<std::string_view, 4> args(step.args.begin(), step.args.end());
    auto r = co_await send(args, false);
    if (ac_ != ac) co_return;  // that connection is gone; its successor shakes hands for itself
    if (auto why = handshake::refused(step, r); !why.empty()) {
      const bool auth = step.what == handshake::step::kind::auth;
      if (warn_due())
        log::warn(auth ? "redis AUTH refused" : "redis: not a primary, resolving again",
                  {{"address", current_.to_string()}, {"user", cfg_.user.empty() ? "default" : cfg_.user}, {"why", why}});
      if (!auth) stats_.not_primary.add();
      redisAsyncFree(ac_);
      co_return;
    }
  }
  for (const lua_script& s : scripts()) {
    std::string_view args[] = {"SCRIPT", "LOAD", s.body};
    auto r = co_await send(args, false);
    if (ac_ != ac) co_return;  // that connection is gone; its successor loads for itself
    if (r.ec || r.reply.str != s.sha1) {
      log::error("redis script load failed", {{"script", s.name}, {"error", r.ec ? r.ec.message() : r.reply.str}});
      redisAsyncFree(ac_);
      co_return;
    }
  }
  ready_ = true;
  backoff_ = cfg_.reconnect_min;  // only a usable connection resets it: a refusing server is retried ever slower
  stats_.connected.add();
  if (view_) view_->connected(current_.to_string());
  log::info("redis ready", {{"host", current_.host}, {"port", std::to_string(current_.port)}});
}

void redis_connection::on_context_gone() {
  ac_ = nullptr;
  if (ready_) {
    stats_.connected.sub();
    log::warn("redis connection lost", {{"host", current_.host}, {"port", std::to_string(current_.port)}});
  } else if (!cfg_.sentinels.empty()) {
    // What that sentinel named could not be used (refused, not a primary): ask the next first.
    next_sentinel_ = (next_sentinel_ + 1) % cfg_.sentinels.size();
  }
  ready_ = false;
  schedule_reconnect();
  bridge_.reset();
}

void redis_connection::schedule_reconnect() {
  if (stopped_) return;
  reconnect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, cfg_.reconnect_max);
  reconnect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

// One timer per connection instead of one per command: replies come back in send order, so the
// overdue commands are always at the front of the queue.
void redis_connection::tick() {
  if (stopped_) return;
  auto now = std::chrono::steady_clock::now();
  for (op* o : inflight_) {
    if (o->deadline > now) break;
    if (!o->done) {
      stats_.errors_timeout.add();
      complete(o, {redis_errc::timeout, {}});
    }
  }
  // A connect (or script load) that hangs is abandoned and retried.
  if (ac_ && !ready_ && now - connect_started_ > cfg_.command_timeout * 2) redisAsyncFree(ac_);
  auto period = std::clamp(cfg_.command_timeout / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
  tick_timer_.expires_after(period);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void redis_connection::complete(op* o, redis_result r) {
  o->done = true;
  net::post(io_, [h = std::move(o->h), r = std::move(r)]() mutable { h->invoke(std::move(r)); });
}

void redis_connection::on_reply(redisAsyncContext*, void* reply, void* privdata) {
  auto* o = static_cast<op*>(privdata);
  auto* self = o->owner;
  if (!self->inflight_.empty() && self->inflight_.front() == o) self->inflight_.pop_front();
  else std::erase(self->inflight_, o);
  self->stats_.inflight.sub();
  if (!o->done) {
    redis_result r;
    if (reply == nullptr) {
      r.ec = redis_errc::lost;
      self->stats_.errors_lost.add();
    } else {
      convert(static_cast<redisReply*>(reply), r.reply);
      if (r.reply.type == redis_reply::kind::error) {
        r.ec = redis_errc::reply_error;
        self->stats_.errors_reply.add();
        if (is_topology_error(r.reply.str) && !r.reply.str.starts_with("NOREPLICAS")) self->drop(self->ac_);
      }
    }
    self->complete(o, std::move(r));
  }
  o->h = {};
  self->free_.push_back(o);
}

void redis_connection::start_send(std::span<const std::string_view> args, bool require_ready, handler h) {
  op* o = nullptr;
  if (!free_.empty()) {
    o = free_.back();
    free_.pop_back();
  } else {
    pool_.push_back(std::make_unique<op>());
    o = pool_.back().get();
    o->owner = this;
  }
  o->h = std::move(h);
  o->done = false;
  auto give_back = [&](redis_errc e, base::counter& c) {
    c.add();
    complete(o, {e, {}});
    free_.push_back(o);
  };
  if (!ac_ || (require_ready && !ready_)) return give_back(redis_errc::unavailable, stats_.errors_unavailable);
  if (inflight_.size() >= cfg_.max_inflight) return give_back(redis_errc::overloaded, stats_.errors_overloaded);
  boost::container::small_vector<const char*, 16> argv;
  boost::container::small_vector<std::size_t, 16> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAsyncCommandArgv(ac_, on_reply, o, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK)
    return give_back(redis_errc::unavailable, stats_.errors_unavailable);
  o->deadline = std::chrono::steady_clock::now() + cfg_.command_timeout;
  inflight_.push_back(o);
  stats_.inflight.add();
  stats_.commands.add();
}

net::awaitable<redis_result> redis_connection::send(std::span<const std::string_view> args, bool require_ready) {
  return net::async_initiate<decltype(net::use_awaitable), void(redis_result)>(
      [this, args, require_ready](auto h) {
        start_send(args, require_ready, std::make_unique<handler_impl<decltype(h)>>(std::move(h)));
      }, net::use_awaitable);
}

net::awaitable<redis_result> redis_connection::command(std::span<const std::string_view> args) {
  return send(args, true);
}

net::awaitable<redis_result> redis_connection::eval(script id, std::span<const std::string_view> keys,
                                                    std::span<const std::string_view> args) {
  const lua_script& s = scripts()[static_cast<std::size_t>(id)];
  char numkeys[16];
  auto end = std::to_chars(numkeys, numkeys + sizeof numkeys, keys.size()).ptr;
  boost::container::small_vector<std::string_view, 24> argv{"EVALSHA", s.sha1, std::string_view(numkeys, end - numkeys)};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  const bool replicated = cfg_.replicas_ack > 0 && s.replicated;
  // Plain if/else: GCC 12 destroys the awaitable of `co_await (c ? a() : b())` twice.
  redis_result r;
  const auto sent = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (replicated) r = co_await send_replicated(argv);
    else r = co_await send(argv, true);
    if (attempt || r.ec != redis_errc::reply_error || !r.reply.str.starts_with("NOSCRIPT")) break;
    stats_.script_reloads.add();
    std::string_view load[] = {"SCRIPT", "LOAD", s.body};
    if ((co_await send(load, true)).ec) break;
  }
  stats_.scripts[static_cast<std::size_t>(id)].record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent).count()));
  co_return r;
}

void redis_connection::send_wait(std::function<void(long long acked)> done) {
  std::string n = std::to_string(cfg_.replicas_ack), t = std::to_string(cfg_.replicas_timeout.count());
  std::string_view args[] = {"WAIT", n, t};
  auto h = [done = std::move(done)](redis_result r) {
    done(r.ec || r.reply.type != redis_reply::kind::integer ? -1 : r.reply.integer);
  };
  start_send(args, false, std::make_unique<handler_impl<decltype(h)>>(std::move(h)));
}

net::awaitable<redis_result> redis_connection::send_replicated(std::span<const std::string_view> args) {
  return net::async_initiate<decltype(net::use_awaitable), void(redis_result)>(
      [this, args](auto h) {
        using H = decltype(h);
        struct pair_state {
          explicit pair_state(H&& h) : h(std::move(h)) {}
          H h;
          redis_result eval;
          long long acked = -1;
          int pending = 2;
        };
        auto st = std::make_shared<pair_state>(std::move(h));
        auto finish = [this, st] {
          if (--st->pending) return;
          redis_result r = std::move(st->eval);
          if (!r.ec && st->acked < static_cast<long long>(cfg_.replicas_ack)) {
            stats_.wait_shortfalls.add();
            r.ec = redis_errc::not_replicated;
          }
          std::move(st->h)(std::move(r));
        };
        auto on_eval = [st, finish](redis_result r) {
          st->eval = std::move(r);
          finish();
        };
        start_send(args, true, std::make_unique<handler_impl<decltype(on_eval)>>(std::move(on_eval)));
        wait_.join([st, finish](long long acked) {
          st->acked = acked;
          finish();
        });
      },
      net::use_awaitable);
}

}  // namespace guichet::redis
