#pragma once
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "core/config.hpp"
#include "loadtest/http_client.hpp"
#include "loadtest/recorder.hpp"

namespace guichet::loadtest {

/// The single-endpoint scenarios: poll (room state), join, hold.
struct load_options {
  std::string scenario;             ///< "poll", "join" or "hold"
  std::string edition = "demo", phase = "open";
  unsigned connections = 64;
  double rate = 0;                  ///< requests/s, open loop; 0 = closed loop (as fast as answered)
  std::chrono::milliseconds duration{10'000};
  std::uint64_t max_requests = 10'000'000;
  std::chrono::milliseconds timeout{10'000};
  std::uint64_t shoppers = 20'000;  ///< hold: admitted shoppers taking turns
  std::string prefix = "load";
  std::uint64_t seed = 1;
  bool progress = true;
};

struct load_keys {
  std::string jwt_key, admin_key;  ///< admin: hold raises the room's admit rate for its set-up, then restores it
};

struct load_result {
  double seconds = 0;          ///< of the measured part (set-up excluded)
  std::uint64_t requests = 0;
  std::uint64_t late = 0;      ///< open loop: requests that left more than 1 ms after their intended time
  std::string setup;           ///< what the set-up did, for the report
  std::string error;           ///< set when the scenario could not run
};

/// Closed loop: C connections each send the next request as soon as the previous is answered.
/// Open loop: request k is due at start + k/rate whatever happened before, and its latency is
/// counted from then, so a stalled server shows up in the percentiles (no coordinated omission).
load_result run_load(const edition_config& e, const load_options& o, const load_keys& keys,
                     const net::ip::tcp::endpoint& target, recorder& rec, std::ostream& log);

}  // namespace guichet::loadtest
