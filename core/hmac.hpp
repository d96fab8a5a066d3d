#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace guichet {

/// HMAC-SHA256 with the key absorbed once: signing copies two pre-keyed SHA-256 states (plain
/// struct copies, no allocation) instead of re-deriving them. Not thread-safe: one per thread.
class hmac_sha256 {
 public:
  using digest = std::array<std::uint8_t, 32>;
  explicit hmac_sha256(std::string_view key);
  ~hmac_sha256();
  hmac_sha256(const hmac_sha256&) = delete;
  hmac_sha256& operator=(const hmac_sha256&) = delete;

  digest sign(std::string_view data);
  /// Constant-time comparison of the first `tag.size()` bytes of sign(data) with `tag`.
  bool verify(std::string_view data, std::string_view tag);

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace guichet
