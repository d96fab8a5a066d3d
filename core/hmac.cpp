// OpenSSL 3 deprecates the low-level SHA256_* calls, but they are the only ones whose state is
// a plain struct: copying it is a memcpy, where EVP_MD_CTX_copy_ex allocates on every call
// (measured: 274 ns vs the numbers in bench/token_bench.cpp).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

namespace guichet {

struct hmac_sha256::state {
  SHA256_CTX inner, outer;
};

hmac_sha256::hmac_sha256(std::string_view key) : s_(std::make_unique<state>()) {
  std::array<std::uint8_t, 64> block{};
  if (key.size() > block.size()) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block.data());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::uint8_t, 64> ipad, opad;
  for (std::size_t i = 0; i < 64; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  SHA256_Init(&s_->inner);
  SHA256_Update(&s_->inner, ipad.data(), 64);
  SHA256_Init(&s_->outer);
  SHA256_Update(&s_->outer, opad.data(), 64);
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(ipad.data(), ipad.size());
  OPENSSL_cleanse(opad.data(), opad.size());
}

hmac_sha256::~hmac_sha256() { OPENSSL_cleanse(s_.get(), sizeof(state)); }

hmac_sha256::digest hmac_sha256::sign(std::string_view data) {
  digest inner_hash{}, out{};
  SHA256_CTX c = s_->inner;
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(inner_hash.data(), &c);
  c = s_->outer;
  SHA256_Update(&c, inner_hash.data(), inner_hash.size());
  SHA256_Final(out.data(), &c);
  return out;
}

bool hmac_sha256::verify(std::string_view data, std::string_view tag) {
  if (tag.empty() || tag.size() > 32) return false;
  auto d = sign(data);
  return CRYPTO_memcmp(d.data(), tag.data(), tag.size()) == 0;
}

}  // namespace guichet
