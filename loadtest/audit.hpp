#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "gateway/redis/blocking_client.hpp"
#include "loadtest/ledger.hpp"

namespace guichet::loadtest {

/// What the audit found. Any violation makes the harness exit non-zero.
struct audit_report {
  std::uint64_t violation_count = 0;
  std::vector<std::string> violations;  ///< the first 100, each naming the key and the numbers
  std::vector<std::pair<std::string, std::string>> facts;  ///< what was checked, with totals
  bool ok() const { return violation_count == 0; }
  void violate(std::string what);
  void fact(std::string name, std::uint64_t value) { facts.emplace_back(std::move(name), std::to_string(value)); }
};

/// Reads an edition's state from Redis, behind the gateway's back, and checks every invariant of
/// guichet (docs/load-testing.md, "the audit") that the data can show:
///  1. per session and category: available + held + sold = capacity (as configured), none
///     negative; held and sold equal the sums over the hold records;
///  2. every account's totals equal its live holds and sales, within per-account, per-session and
///     per-ceremony limits;
///  3. every pack hold has exactly 3 distinct sessions;
///  4. admissions never passed the serving counter; places, shoppers and holds of a draw phase
///     belong to draw winners, each in the slot the draw gave it; held holds are on the reaper's
///     queue and nothing else is;
///  5. with a ledger: the confirmed holds are exactly the sales the payment back end was told of.
audit_report audit_edition(redis::blocking_client& redis, const edition_config& edition, const std::vector<sale>* ledger);

}  // namespace guichet::loadtest
