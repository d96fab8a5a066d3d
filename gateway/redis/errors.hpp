#pragma once
#include <string_view>
#include <system_error>

namespace guichet::redis {

/// Why a Redis command did not produce a normal reply. `timeout` and `lost` mean the command was
/// sent and its outcome is unknown; `unavailable` and `overloaded` mean it was never sent.
enum class redis_errc {
  ok = 0,
  unavailable,  ///< not connected (or scripts not loaded yet)
  overloaded,   ///< the connection's in-flight bound is reached
  timeout,      ///< sent; no reply within the command timeout
  lost,         ///< sent; the connection dropped before the reply (hiredis NULL reply)
  reply_error,  ///< Redis answered with an error; see redis_reply::str
  not_replicated,  ///< done on the primary, but fewer than redis.replicas_ack replicas acknowledged
};

}  // namespace guichet::redis

template <>
struct std::is_error_code_enum<guichet::redis::redis_errc> : std::true_type {};

namespace guichet::redis {

const std::error_category& redis_category();
inline std::error_code make_error_code(redis_errc e) { return {static_cast<int>(e), redis_category()}; }

/// Error replies from a server that is not (or no longer, or not yet) a usable primary: the
/// command was not executed. The connection re-resolves the primary when it sees one.
inline bool is_topology_error(std::string_view error) {
  return error.starts_with("READONLY") || error.starts_with("MASTERDOWN") || error.starts_with("LOADING") ||
         error.starts_with("NOREPLICAS");
}

}  // namespace guichet::redis
