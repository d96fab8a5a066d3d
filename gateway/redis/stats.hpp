#pragma once
#include <array>

#include "gateway/base/counter.hpp"
#include "gateway/lua/lua_scripts.hpp"  // kScriptCount (generated)

namespace guichet {

/// The counters of one worker's Redis connection (written by its thread, read by /metrics).
struct redis_stats {
  counter commands;
  counter inflight;
  counter connected;
  counter reconnects;
  counter errors_reply;      // Redis answered with an error
  counter errors_unavailable;  // not sent: not connected
  counter errors_overloaded;   // not sent: in-flight bound reached
  counter errors_timeout;      // sent, no answer in time: outcome unknown
  counter errors_lost;         // sent, connection lost: outcome unknown
  counter script_reloads;      // NOSCRIPT answered, scripts loaded again
  counter wait_shortfalls;     // answers turned into outcome_unknown: WAIT saw too few replicas
  counter not_primary;         // connections dropped: ROLE not master, or READONLY/LOADING/MASTERDOWN
  /// Each script's round trip as its caller waits for it (EVALSHA sent to answer read, and the
  /// WAIT when replicas must acknowledge), answered or not; indexed by `script`.
  std::array<latency_histogram, kScriptCount> scripts;
};

}  // namespace guichet
