#include "gateway/redis/errors.hpp"

#include <string>

namespace guichet::redis {

namespace {

struct redis_category_impl final : std::error_category {
  const char* name() const noexcept override { return "redis"; }
  std::string message(int v) const override {
    switch (static_cast<redis_errc>(v)) {
      case redis_errc::ok: return "ok";
      case redis_errc::unavailable: return "redis unavailable";
      case redis_errc::overloaded: return "redis in-flight limit reached";
      case redis_errc::timeout: return "redis command timed out";
      case redis_errc::lost: return "redis connection lost before the reply";
      case redis_errc::reply_error: return "redis error reply";
      case redis_errc::not_replicated: return "not acknowledged by redis.replicas_ack replicas in time";
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& redis_category() {
  static const redis_category_impl c;
  return c;
}

}  // namespace guichet::redis
