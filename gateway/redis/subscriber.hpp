#pragma once
#include <hiredis/async.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "core/config.hpp"
#include "gateway/base/asio.hpp"

namespace guichet::redis {

class asio_bridge;

/// One Redis Pub/Sub subscription to one channel, on a connection of its own (a subscribed
/// connection carries nothing else), on the io_context of its owner. It goes where it is told
/// (`keep`: the address the owner's command connection uses, so with Sentinel it follows the
/// primary), shakes hands as that connection does (AUTH) and calls back with every message.
/// It never retries by itself: the owner calls `keep` again, once per round.
class subscriber {
 public:
  using on_message = std::function<void(std::string_view payload)>;
  subscriber(net::io_context& io, const redis_config& cfg, std::string channel, on_message f);
  ~subscriber();
  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

  /// Subscribed at `where`, or on the way there: connects (or moves) if not.
  void keep(const redis_address& where);
  /// The SUBSCRIBE was confirmed and the connection is up.
  bool subscribed() const { return subscribed_; }
  void stop();

 private:
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_auth(redisAsyncContext* ac, void* reply, void* self);
  static void on_reply(redisAsyncContext* ac, void* reply, void* self);
  void gone();

  net::io_context& io_;
  const redis_config& cfg_;
  std::string password_;
  std::string channel_;
  on_message f_;
  redis_address at_;
  redisAsyncContext* ac_ = nullptr;
  std::shared_ptr<asio_bridge> bridge_;
  bool subscribed_ = false;
  std::chrono::steady_clock::time_point last_warn_{};
};

}  // namespace guichet::redis
