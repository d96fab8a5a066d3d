// JWK Sets (the identity provider's key file): any JSON; a set that is accepted has keys that
// are usable and distinct.
#include <cstdint>
#include <set>
#include <string_view>

#include "core/jwks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = guichet::parse_jwks(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r.set) return 0;
  std::set<std::string> kids;
  for (auto& k : r.set->keys())
    if (!k.key || k.kid.empty() || !kids.insert(k.kid).second) __builtin_trap();
  return 0;
}
