#pragma once
#include <array>
#include <cstdint>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace guichet {

/// HMAC-SHA256 with the key absorbed once: signing copies two pre-keyed SHA-256 states instead
/// of re-deriving them. Not thread-safe: each worker thread keeps its own.
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
  EVP_MD_CTX* inner_;
  EVP_MD_CTX* outer_;
  EVP_MD_CTX* work_;
};

}  // namespace guichet
