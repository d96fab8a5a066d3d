#pragma once
#include <hiredis/async.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "gateway/lua/lua_scripts.hpp"
#include "gateway/redis/reply.hpp"
#include "gateway/redis/group_commit.hpp"
#include "gateway/redis/primary_view.hpp"
#include "gateway/redis/stats.hpp"
#include "gateway/base/asio.hpp"

namespace guichet::redis {

class asio_bridge;

/// One hiredis async connection driven by a worker's io_context: hiredis' event hooks map to
/// async_wait on a posix::stream_descriptor, so there is no second event loop. Commands from
/// all of the thread's requests are written back to back (auto-pipelining), bounded by
/// max_inflight; each has a deadline; the connection reconnects with backoff and loads every
/// embedded script on each (re)connect before it reports ready.
///
/// With `redis.sentinels` it asks them for the primary on every (re)connect, checks ROLE before
/// anything else is sent, follows +switch-master, and drops the connection to re-resolve on a
/// READONLY, MASTERDOWN or LOADING reply. With `redis.replicas_ack` the scripts that change what
/// is sold or owed are followed by one WAIT per batch of them (group commit: every script sent
/// in the same turn of the event loop shares the WAIT written after it).
class redis_connection {
 public:
  redis_connection(net::io_context& io, const redis_config& cfg, redis_stats& stats,
                   redis_primary_view* view = nullptr);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  void start();
  /// Closes the connection for good; pending commands complete as `lost`.
  void stop();
  /// Connected and every script loaded.
  bool ready() const { return ready_.load(std::memory_order_relaxed); }
  /// The server this connection uses (the primary, once ready). On the connection's thread.
  const redis_address& address() const { return current_; }

  /// Sends one command (each argument is one bulk string, binary safe).
  net::awaitable<redis_result> command(std::span<const std::string_view> args);
  /// EVALSHA of an embedded script; on NOSCRIPT loads it again and retries once.
  net::awaitable<redis_result> eval(script id, std::span<const std::string_view> keys,
                                    std::span<const std::string_view> args);

 private:
  struct op;
  // A move-only, type-erased completion handler (Boost 1.81's any_completion_handler re-wraps
  // itself on move, recursively).
  struct handler_base {
    virtual ~handler_base() = default;
    virtual void invoke(redis_result r) = 0;
  };
  template <class H>
  struct handler_impl final : handler_base {
    explicit handler_impl(H&& h) : h(std::move(h)) {}
    void invoke(redis_result r) override { std::move(h)(std::move(r)); }
    H h;
  };
  using handler = std::unique_ptr<handler_base>;

  void connect();
  void connect_to(const redis_address& a);
  net::awaitable<void> resolve();
  void drop(redisAsyncContext* ac);
  bool warn_due();  ///< at most one warning per 5 s per connection
  void warn_connect_failed(const char* why);
  void schedule_reconnect();
  /// Sends EVALSHA and joins the WAIT that follows the current batch; completes with both.
  net::awaitable<redis_result> send_replicated(std::span<const std::string_view> args);
  /// Sends one WAIT for redis.replicas_ack replicas (the group commit's transport).
  void send_wait(std::function<void(long long acked)> done);
  void on_context_gone();
  net::awaitable<void> load_scripts(redisAsyncContext* ac);
  net::awaitable<redis_result> send(std::span<const std::string_view> args, bool require_ready);
  void start_send(std::span<const std::string_view> args, bool require_ready, handler h);
  void complete(op* o, redis_result r);
  void tick();
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_connect(const redisAsyncContext* ac, int status);

  net::io_context& io_;
  redis_config cfg_;
  redis_stats& stats_;
  redis_primary_view* view_;
  std::string password_;           // redis.password, loaded once from its env/file reference
  std::string sentinel_password_;  // likewise
  std::size_t next_sentinel_ = 0;  // the one that answered last is asked first
  redis_address current_;
  std::shared_ptr<bool> watch_stopped_ = std::make_shared<bool>(false);
  std::chrono::steady_clock::time_point last_warn_{};
  redisAsyncContext* ac_ = nullptr;
  std::shared_ptr<asio_bridge> bridge_;
  std::atomic<bool> ready_{false};
  bool stopped_ = false;
  bool ever_connected_ = false;
  std::chrono::steady_clock::time_point connect_started_{};
  std::chrono::milliseconds backoff_;
  net::steady_timer reconnect_timer_;
  net::steady_timer tick_timer_;
  std::deque<op*> inflight_;             // send order = reply order
  std::vector<std::unique_ptr<op>> pool_;  // recycled ops: no allocation per command
  std::vector<op*> free_;
  group_commit wait_;  // last: its pending flush refers to this connection's send
};

}  // namespace guichet::redis
