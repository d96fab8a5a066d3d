// Hold request bodies: the JSON parser, then the phase's rules on whatever it accepted, and the
// items' storage encoding round trip.
#include <cstdint>
#include <string>

#include "core/checkout.hpp"
#include "core/config.hpp"
#include "core/draw.hpp"
#include "core/clock.hpp"

namespace {

const guichet::edition_config& edition() {
  // The rooms opened an hour ago, whatever the date.
  static const std::string opened = guichet::iso8601(guichet::system_ms() - 3'600'000);
  static const guichet::config c = guichet::parse_config(R"(
[secrets]
jwt_key = { env = "UNUSED" }
[[tokens.keys]]
id = "k1"
env = "UNUSED"
[editions.ed.sessions]
S1 = { name = "One", categories = { A = 10, B = 5 } }
S2 = { name = "Two", ceremony = true, categories = { A = 10 } }
S3 = { name = "Three", categories = { A = 10 } }
S4 = { name = "Four", categories = { A = 10 } }
[editions.ed.phases.packs]
rules = "packs"
excluded = ["S4"]
slots = [ { id = "all", start = )" + opened + R"(, duration = "30d" } ]
[editions.ed.phases.single]
slots = [ { id = "all", start = )" + opened + R"(, duration = "30d" } ]
)", "fuzz.toml").value;
  return c.editions.front();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  std::vector<guichet::hold_item> items;
  if (!guichet::parse_hold_items(body, items)) return 0;
  const auto& e = edition();
  for (const auto& p : e.phases) {
    auto copy = items;
    auto check = guichet::check_hold(e, p, copy);
    (void)check;
    (void)guichet::hold_fingerprint(p.id, copy);
  }
  // What is stored in Redis decodes back to the same items.
  auto decoded = guichet::decode_items(guichet::encode_items(items));
  if (decoded.size() != items.size()) __builtin_trap();
  return 0;
}
