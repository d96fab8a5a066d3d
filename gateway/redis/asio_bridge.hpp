#pragma once
#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include "gateway/base/asio.hpp"

namespace guichet::redis {


/// The bridge between hiredis' event hooks and a worker's io_context: addRead / delRead /
/// addWrite / delWrite become async_waits on a posix::stream_descriptor over hiredis' socket,
/// so there is no second event loop. Owned by a shared_ptr, so that a wait completing after
/// hiredis freed its context finds a live object that knows the context is gone.
class asio_bridge : public std::enable_shared_from_this<asio_bridge> {
 public:
  /// Hooks `ac` to `io`. `gone` runs when hiredis frees the context (connection closed or
  /// failed); it may drop the last reference to the bridge.
  static std::shared_ptr<asio_bridge> attach(net::io_context& io, redisAsyncContext* ac, std::function<void()> gone);
  asio_bridge(net::io_context& io, redisAsyncContext* ac, std::function<void()> gone)
      : sd_(io), ac_(ac), gone_(std::move(gone)) {}

 private:
  void arm(bool read);
  static void add_read(void* p);
  static void del_read(void* p);
  static void add_write(void* p);
  static void del_write(void* p);
  static void cleanup(void* p);

  net::posix::stream_descriptor sd_;
  redisAsyncContext* ac_;
  std::function<void()> gone_;
  bool reading_ = false, writing_ = false, read_armed_ = false, write_armed_ = false;
};

}  // namespace guichet::redis
