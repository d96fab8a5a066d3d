#pragma once
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "loadtest/fairness.hpp"
#include "loadtest/http_client.hpp"
#include "loadtest/ledger.hpp"
#include "loadtest/recorder.hpp"

namespace guichet::loadtest {

using std::chrono::milliseconds;

/// How the simulated fans behave. Fractions are of all fans unless said otherwise.
struct surge_options {
  std::string edition;
  std::vector<std::pair<std::string, double>> mix;  ///< phase -> share of the fans (default: equal)
  std::uint64_t fans = 20'000;
  std::string prefix = "fan";  ///< accounts are prefix-0, prefix-1, ...
  double club = 0.15;          ///< registered with the "club" priority group
  double pre_queue = 0.3;      ///< arrive in the pre-queue, before their slot opens
  double early = 0.02;         ///< arrive before the pre-queue even starts (refused, come back)
  double losers = 0.5;         ///< of the fans the draw did not pick, those who try to join anyway
  double confirm = 0.8;        ///< pay for their hold; the others release it or walk away
  double retry = 0.1;          ///< send their hold and their confirmation twice (same Idempotency-Key)
  double misbehave = 0.05;     ///< double-click, ask over the limits, forge a token or come back for more
  milliseconds spread{4'000};  ///< mean arrival delay after the opening (exponential)
  milliseconds poll{1'000};    ///< room state poll interval (±30% jitter)
  milliseconds think{2'000};   ///< from admission to the hold (±50%)
  milliseconds pay{1'000};     ///< from the hold to the payment (±50%)
  unsigned connections = 256;
  unsigned poll_connections = 64;  ///< the fans' state and position polls have these to themselves
  milliseconds timeout{10'000};   ///< per request
  milliseconds deadline{600'000};  ///< the whole run
  std::uint64_t max_requests = 50'000'000;
  std::uint64_t seed = 1;
  bool cdn = false;       ///< state polls within max-age=1 of the last fetch are CDN hits (not sent)
  bool progress = true;  ///< one line per second on stderr
  bool redis_log = true;  ///< the Redis cost per script (SLOWLOG at 0 us while the surge runs)
  /// Fans predict their turn from the state (counter, rate, computed_ms) and try the admission
  /// then; false: they wait for a state that says their place was reached (the old page).
  bool dead_reckoning = true;
};

/// Secrets the fans and the payment back end hold.
struct surge_secrets {
  std::string jwt_key;      ///< signs the fans' identity tokens (the organiser's login)
  std::string payment_key;  ///< the payment back end's credential (confirm)
};

/// A harness-side check on the gateway's answers (the audit covers Redis).
struct check {
  std::string name;
  std::uint64_t tried = 0, failed = 0;
  std::string detail;  ///< the first failure
};

struct room_outcome {
  std::string phase;
  std::uint64_t registered = 0, drawn = 0, joined = 0, admitted = 0;
  fairness order;
  std::vector<admission> admissions;  ///< each admitted fan's place and when its admission came back
  /// What waiting cost: the fans' time between their join and their admission (or their end),
  /// the state polls they sent (to the target: the gateway, or the CDN in front of it) and the
  /// admissions the gateway refused as not_yet (premature: dead reckoning ahead of its view).
  double waiting_fan_minutes = 0;
  std::uint64_t state_polls = 0, not_yet = 0;
};

struct surge_result {
  std::vector<room_outcome> rooms;
  std::map<std::string, std::uint64_t> fans;  ///< how fans ended: "bought", "sold out", "not drawn" ...
  std::vector<check> checks;
  std::vector<sale> sales;
  std::uint64_t tickets_bought = 0, holds = 0;
  std::uint64_t cdn_hits = 0;  ///< state polls the simulated CDN answered
  std::uint64_t pow_solved = 0;  ///< proofs of work solved because a room asked for them at the join
  double seconds = 0;
  double cpu_seconds = 0;        ///< the harness's own CPU (user + system) during the surge
  std::uint64_t active_fans = 0;  ///< fans that took part (drawn, or losers who tried)
  bool deadline_hit = false;
  bool ok() const;  ///< no harness check failed
};

/// The slots the draw gave: account index -> (phase, slot index); -1 = not drawn.
struct draw_outcome {
  std::vector<std::int16_t> slot;        ///< per fan
  std::vector<std::uint8_t> phase;       ///< per fan, index into the mix
  std::vector<std::uint8_t> registered;  ///< per fan, 1 if the registration was accepted
};

/// Which phase each fan goes for (by the mix) and which are club members: fixed by the seed.
draw_outcome plan_fans(const edition_config& e, const surge_options& o);

/// Stage 1: every fan registers for its phase's draw over HTTP (closed loop).
void register_fans(const edition_config& e, const surge_options& o, const surge_secrets& s,
                   const net::ip::tcp::endpoint& target, draw_outcome& plan, recorder& rec, std::ostream& log);

/// Stage 2: the opening day. Fans arrive around their slot, queue, get in, buy, pay or not.
surge_result run_surge(const edition_config& e, const surge_options& o, const surge_secrets& s,
                       const net::ip::tcp::endpoint& target, const draw_outcome& plan, recorder& rec,
                       std::ostream& log);

}  // namespace guichet::loadtest
