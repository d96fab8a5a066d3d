#include "core/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace guichet {

hmac_sha256::hmac_sha256(std::string_view key)
    : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()), work_(EVP_MD_CTX_new()) {
  std::array<std::uint8_t, 64> block{};
  if (key.size() > block.size()) {
    unsigned len = 0;
    EVP_Digest(key.data(), key.size(), block.data(), &len, EVP_sha256(), nullptr);
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::uint8_t, 64> ipad, opad;
  for (std::size_t i = 0; i < 64; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  if (!EVP_DigestInit_ex(inner_, EVP_sha256(), nullptr) || !EVP_DigestUpdate(inner_, ipad.data(), 64) ||
      !EVP_DigestInit_ex(outer_, EVP_sha256(), nullptr) || !EVP_DigestUpdate(outer_, opad.data(), 64))
    throw std::runtime_error("HMAC-SHA256 initialisation failed");
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(ipad.data(), ipad.size());
  OPENSSL_cleanse(opad.data(), opad.size());
}

hmac_sha256::~hmac_sha256() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
  EVP_MD_CTX_free(work_);
}

hmac_sha256::digest hmac_sha256::sign(std::string_view data) {
  digest inner_hash{}, out{};
  unsigned len = 0;
  EVP_MD_CTX_copy_ex(work_, inner_);
  EVP_DigestUpdate(work_, data.data(), data.size());
  EVP_DigestFinal_ex(work_, inner_hash.data(), &len);
  EVP_MD_CTX_copy_ex(work_, outer_);
  EVP_DigestUpdate(work_, inner_hash.data(), inner_hash.size());
  EVP_DigestFinal_ex(work_, out.data(), &len);
  return out;
}

bool hmac_sha256::verify(std::string_view data, std::string_view tag) {
  if (tag.empty() || tag.size() > 32) return false;
  auto d = sign(data);
  return CRYPTO_memcmp(d.data(), tag.data(), tag.size()) == 0;
}

}  // namespace guichet
