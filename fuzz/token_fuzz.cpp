// guichet's own queue and access tokens: any bytes as a token, verified as both kinds; a token
// that verifies must carry claims that sign back to a token that verifies the same way.
#include <cstdint>
#include <string_view>

#include "core/token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static guichet::token_keyring ring({{"k1", "fuzz-token-key-0123456789abcd", 0}, {"k0", "fuzz-old-key-0123456789abcdef", 0}});
  std::string_view token(reinterpret_cast<const char*>(data), size);
  const std::int64_t now = 1'700'000'000'000;
  if (auto q = ring.verify_queue(token, now)) {
    if (!ring.verify_queue(ring.sign(q.claims), now)) __builtin_trap();
  }
  if (auto a = ring.verify_access(token, now)) {
    if (!ring.verify_access(ring.sign(a.claims), now)) __builtin_trap();
  }
  return 0;
}
