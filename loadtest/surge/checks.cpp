#include "loadtest/surge/fan_engine.hpp"

namespace guichet::loadtest {

const char* const check_names[c_count] = {
    "forged access tokens refused",       "over-limit requests refused",
    "replayed holds return the first hold", "double clicks make one hold",
    "replayed confirmations return the first payment", "fans the draw did not pick are refused",
    "no fan holds more than its limits",  "draw winners get into their slot"};

void fan_engine::fail_check(check_id c, std::uint32_t i, const http_result& r) {
  if (checks_[c].failed++ == 0)
    checks_[c].detail = account(i) + ": " + recorder::outcome_of(r) + " " + r.body.substr(0, 200);
}

}  // namespace guichet::loadtest
