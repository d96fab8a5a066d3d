#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/redis/errors.hpp"

struct redisReply;  // hiredis

namespace guichet {

/// An owned copy of a hiredis reply.
struct redis_reply {
  enum class kind { nil, integer, string, status, error, array } type = kind::nil;
  long long integer = 0;
  std::string str;
  std::vector<redis_reply> elements;
};

/// Copies a hiredis reply (from the network: any shape) into a redis_reply.
void convert(const ::redisReply* r, redis_reply& out);

struct redis_result {
  std::error_code ec;  ///< empty on success
  redis_reply reply;
  /// True when the command may or may not have taken effect.
  bool outcome_unknown() const {
    return ec == redis_errc::timeout || ec == redis_errc::lost || ec == redis_errc::not_replicated;
  }
};

}  // namespace guichet
