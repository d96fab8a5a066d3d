#pragma once
#include <array>

#include "gateway/base/counter.hpp"
#include "gateway/lua/lua_scripts.hpp"  // kScriptCount (generated)

namespace guichet::redis {

/// The counters of one worker's Redis connection (written by its thread, read by /metrics).
struct redis_stats {
  base::counter commands;
  base::counter inflight;
  base::counter connected;
  base::counter reconnects;
  base::counter errors_reply;      // Redis answered with an error
  base::counter errors_unavailable;  // not sent: not connected
  base::counter errors_overloaded;   // not sent: in-flight bound reached
  base::counter errors_timeout;      // sent, no answer in time: outcome unknown
  base::counter errors_lost;         // sent, connection lost: outcome unknown
  base::counter script_reloads;      // NOSCRIPT answered, scripts loaded again
  base::counter wait_shortfalls;     // answers turned into outcome_unknown: WAIT saw too few replicas
  base::counter not_primary;         // connections dropped: ROLE not master, or READONLY/LOADING/MASTERDOWN
  /// Each script's round trip as its caller waits for it (EVALSHA sent to answer read, and the
  /// WAIT when replicas must acknowledge), answered or not; indexed by `script`.
  std::array<base::latency_histogram, kScriptCount> scripts;
};

}  // namespace guichet::redis
