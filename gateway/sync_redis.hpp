#pragma once
#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace guichet {

/// A blocking Redis connection for the ops commands (--load-inventory, the draw); never used
/// on a worker thread.
class sync_redis {
 public:
  using reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;
  explicit sync_redis(const redis_config& cfg);
  bool ok() const { return c_ && !c_->err; }
  std::string error() const;
  reply command(const std::vector<std::string>& args);
  /// Pipelining: append many, then read their replies in order.
  void append(const std::vector<std::string>& args);
  reply read();

 private:
  std::unique_ptr<redisContext, decltype(&redisFree)> c_;
  std::string where_;
};

}  // namespace guichet
