#pragma once
#include <hiredis/hiredis.h>

#include <functional>
#include <memory>
#include <string_view>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace guichet::redis {

/// A blocking Redis connection for the ops commands (--load-inventory, the draw) and the load
/// harness; never used on a worker thread. With redis.sentinels it asks them for the primary;
/// either way it refuses (ok() false) a server whose ROLE is not master.
class blocking_client {
 public:
  using reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;
  explicit blocking_client(const redis_config& cfg);
  bool ok() const;
  std::string error() const;
  /// WAIT for redis.replicas_ack replicas to hold every write made so far on this connection;
  /// empty when they do (or when replicas_ack is 0), else what went wrong.
  std::string wait_replicas(const redis_config& cfg);
  reply command(const std::vector<std::string>& args);
  /// Pipelining: append many, then read their replies in order.
  void append(const std::vector<std::string>& args);
  reply read();
  /// Every field of a hash, page by page (HSCAN); false on a Redis error.
  bool hscan(const std::string& key, const std::function<void(std::string_view field, std::string_view value)>& each);
  /// Every key matching a pattern, one page (SCAN) at a time; false on a Redis error.
  bool scan(const std::string& pattern, const std::function<void(const std::vector<std::string>& keys)>& page);

 private:
  bool open(const redis_address& primary, const redis_config& cfg);
  std::unique_ptr<redisContext, decltype(&redisFree)> c_;
  std::string where_;
  std::string problem_;  // set when the server could not be used
};

}  // namespace guichet::redis
