#pragma once
#include "core/errc.hpp"
#include "gateway/base/log.hpp"
#include "gateway/redis/reply.hpp"

namespace guichet {

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

}  // namespace guichet
