#pragma once
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/errc.hpp"
#include "gateway/base/log.hpp"
#include "gateway/redis/errors.hpp"

struct redisReply;  // hiredis

namespace guichet::redis {

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

/// An integer reply, or a string reply holding digits, as an unsigned number (0 otherwise).
inline std::uint64_t as_uint(const redis_reply& r) {
  if (r.type == redis_reply::kind::integer) return r.integer < 0 ? 0 : static_cast<std::uint64_t>(r.integer);
  std::uint64_t v = 0;
  std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  return v;
}

/// The one mapping of a failed Redis call to what the client is told: never sent → 503
/// unavailable/overloaded; sent without an answer, or done but not replicated to
/// redis.replicas_ack replicas → 503 outcome_unknown; refused by a server that is not a usable
/// primary (READONLY, LOADING, MASTERDOWN, NOREPLICAS: not executed) → 503 unavailable; any other
/// script error → 500.
inline errc redis_failure(const redis_result& r) {
  if (r.ec == redis_errc::overloaded) return errc::overloaded;
  if (r.outcome_unknown()) return errc::outcome_unknown;
  if (r.ec == redis_errc::reply_error && is_topology_error(r.reply.str)) return errc::unavailable;
  if (r.ec == redis_errc::reply_error) {
    log::error("redis script error", {{"error", r.reply.str}});
    return errc::internal;
  }
  return errc::unavailable;
}

}  // namespace guichet::redis
